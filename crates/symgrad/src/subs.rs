//! Substitution of values for symbols.

use crate::{Dense, Error, ExprId, Node, Pool, Result};
use std::collections::HashMap;

impl Pool {
    /// `e` with each symbol of `pairs` replaced by its value, then normalised
    /// (so exact values fold exactly). A matrix symbol is replaced wherever
    /// it occurs: whole, transposed, sliced or as elements `W[i, j]`.
    /// Each value must have its symbol's shape. Where the exact values
    /// divide by zero under a gate of 0 in some entries of a matrix
    /// (`step(W⋅X)/√relu(W⋅X)` where some `W⋅X` ≤ 0), the value is the
    /// one `evaluate` gives, in floats.
    pub fn subs(&mut self, e: ExprId, pairs: &[(ExprId, ExprId)]) -> Result<ExprId> {
        for &(symbol, value) in pairs {
            self.check_binding(symbol, value)?;
        }
        let substituted = self.rewrite(e, |_, id| {
            Ok(pairs.iter().find(|(s, _)| *s == id).map(|&(_, v)| v))
        });
        match substituted {
            Err(Error::DivisionByZero) => self
                .evaluated_under_gates(e, pairs)?
                .ok_or(Error::DivisionByZero),
            other => other,
        }
    }

    /// `e` evaluated in floats where every symbol in it has a value of
    /// numbers in `pairs` and the result is finite, as data.
    fn evaluated_under_gates(
        &mut self,
        e: ExprId,
        pairs: &[(ExprId, ExprId)],
    ) -> Result<Option<ExprId>> {
        let mut bindings = HashMap::new();
        for &(symbol, value) in pairs {
            if !self.free_symbols(value).is_empty() {
                return Ok(None);
            }
            bindings.insert(symbol, self.evaluate(value, &HashMap::new())?);
        }
        if self
            .free_symbols(e)
            .iter()
            .any(|s| !bindings.contains_key(s))
        {
            return Ok(None);
        }
        let v = self.evaluate(e, &bindings)?;
        if !v.data.iter().all(|x| x.is_finite()) {
            return Ok(None);
        }
        self.dense(Dense::from_f64(v.shape, v.data)?).map(Some)
    }

    /// `Ok` when `symbol` is a symbol and `value` has its shape.
    pub fn check_binding(&self, symbol: ExprId, value: ExprId) -> Result<()> {
        let Node::Symbol { name, shape } = self.node(symbol) else {
            return Err(Error::Invalid(
                "only a symbol can be substituted (write subs(e, W = value))".into(),
            ));
        };
        let got = self.shape(value);
        if got != *shape {
            return Err(Error::Invalid(format!(
                "{name} is {shape} but the value given for it is {got}"
            )));
        }
        if self.is_one_hot(symbol) && !self.is_one_hot(value) {
            return Err(Error::Invalid(format!(
                "{name} is declared onehot, but the value given for it is not known to be one-hot (each column a single 1 among zeros)"
            )));
        }
        Ok(())
    }
}
