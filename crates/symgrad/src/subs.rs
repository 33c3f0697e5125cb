//! Substitution of values for symbols.

use crate::{Error, ExprId, Node, Pool, Result};

impl Pool {
    /// `e` with each symbol of `pairs` replaced by its value, then normalised
    /// (so exact values fold exactly). A matrix symbol is replaced wherever
    /// it occurs: whole, transposed, sliced or as elements `W[i, j]`.
    /// Each value must have its symbol's shape.
    pub fn subs(&mut self, e: ExprId, pairs: &[(ExprId, ExprId)]) -> Result<ExprId> {
        for &(symbol, value) in pairs {
            self.check_binding(symbol, value)?;
        }
        self.rewrite(e, |_, id| {
            Ok(pairs.iter().find(|(s, _)| *s == id).map(|&(_, v)| v))
        })
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
