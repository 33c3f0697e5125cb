//! Compiled evaluation in the language: the values behind `eval`, and
//! `evalpoints(f, W, P)`, f at many values of W through a register program.

use crate::ast::Expr;
use crate::calls::check_arity;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::session::Session;
use crate::span::Span;
use std::collections::HashMap;
use symgrad::{Dense, Error, ExprId, Node, Shape, Values, checked_shape};

/// A closed float expression with more elements than this is shown as it
/// is, not computed for display (as arithmetic on data folds only up to
/// this size).
const SHOWN_AS_VALUE: usize = 10_000;

impl Session {
    /// The value of `e` with the symbols of `bindings` given, through a
    /// compiled program run with the session's threads. A value on the way,
    /// an intermediate one included, that is infinite or NaN is an error
    /// naming the operation (`relu(sqrt(x))` at −0.8 is not 0 but an error
    /// at `sqrt(x)`).
    pub(crate) fn compute(
        &mut self,
        e: ExprId,
        bindings: &[(ExprId, Values)],
    ) -> symgrad::Result<Values> {
        let symbols: Vec<ExprId> = bindings.iter().map(|(s, _)| *s).collect();
        let mut program = self.pool.compile(&[e], &symbols)?;
        program.set_threads(self.settings.threads);
        let values: Vec<&Values> = bindings.iter().map(|(_, v)| v).collect();
        let out = program.run(&values)?.remove(0);
        if program.all_finite() && out.data.iter().all(|x| x.is_finite()) {
            return Ok(out);
        }
        Err(self.non_finite_error(e, bindings.iter().cloned().collect(), &out))
    }

    /// The error for a value of `e` that is not finite on the way: the
    /// operation where it first is, found by evaluating node by node.
    fn non_finite_error(
        &mut self,
        e: ExprId,
        bindings: HashMap<ExprId, Values>,
        out: &Values,
    ) -> Error {
        let found = self
            .pool
            .stabilise(e)
            .and_then(|stable| self.pool.non_finite(stable, &bindings));
        match found {
            Ok(Some(msg)) => Error::Domain(msg),
            Err(err) => err,
            Ok(None) => {
                let k = out.data.iter().position(|x| !x.is_finite()).unwrap_or(0);
                Error::Domain(format!(
                    "the value is not finite{}: the expression overflows or leaves its domain",
                    if out.shape.is_scalar() {
                        String::new()
                    } else {
                        format!(" at [{}, {}]", k / out.shape.cols, k % out.shape.cols)
                    }
                ))
            }
        }
    }

    /// The value of a closed expression that holds a float (no symbol, and
    /// not already a number or data) of at most [`SHOWN_AS_VALUE`] elements,
    /// as a number or data, computed from its stable form as `eval` does;
    /// `None` for any other expression. This is how `log(1 − sigmoid(40.5))`
    /// is shown: as −40.5.
    pub(crate) fn closed_float_value(&mut self, e: ExprId) -> symgrad::Result<Option<ExprId>> {
        if matches!(self.pool.node(e), Node::Num(_) | Node::Dense(_))
            || self.pool.shape(e).len() > SHOWN_AS_VALUE
            || !self.pool.free_symbols(e).is_empty()
            || !self.pool.holds_float(e)
        {
            return Ok(None);
        }
        let v = self.compute(e, &[])?;
        let d = Dense::from_f64(v.shape, v.data)?;
        self.pool.dense(d).map(Some)
    }

    /// The value of `e`, which must be numeric (no symbols): `what` names
    /// it in the error otherwise.
    pub(crate) fn numeric(&mut self, e: &Expr, what: &str) -> Eval<Values> {
        let id = self.expr(e)?;
        if let Some(&s) = self.pool.free_symbols(id).first() {
            return Err(Diagnostic::new(
                format!(
                    "{what} must be numeric, but it contains the symbol {}",
                    self.symbol_name(s)
                ),
                e.span,
            ));
        }
        self.compute(id, &[]).map_err(at(e.span))
    }

    /// `evalpoints(f, W, P)`: f at each row of P, a value of W flattened
    /// row by row; one row of results per point (f flattened likewise).
    pub(crate) fn call_evalpoints(&mut self, args: &[&Expr], span: Span) -> Eval<Value> {
        check_arity("evalpoints", args.len(), 3, 3, span)?;
        let f = self.expr(args[0])?;
        let w = self.expr(args[1])?;
        let Node::Symbol { shape: ws, .. } = *self.pool.node(w) else {
            return Err(Diagnostic::new("expected a symbol such as W", args[1].span));
        };
        let points = self.numeric(args[2], "the points")?;
        if points.shape.cols != ws.len() {
            return Err(Diagnostic::new(
                format!(
                    "each row of the points must hold the {} elements of a {}×{} value, not {}",
                    ws.len(),
                    ws.rows,
                    ws.cols,
                    points.shape.cols
                ),
                args[2].span,
            ));
        }
        let stable = self.pool.stabilise(f).map_err(at(span))?;
        if let Some(&s) = self.pool.free_symbols(stable).iter().find(|&&s| s != w) {
            let name = match self.pool.node(s) {
                Node::Symbol { name, .. } => name.to_string(),
                _ => "?".into(),
            };
            return Err(Diagnostic::new(
                format!("evalpoints needs f to depend on W only; it contains {name}"),
                span,
            )
            .with_hint("substitute the other symbols first: subs(f, x = …)"));
        }
        let mut program = self
            .pool
            .compile_scalar(&[stable], &[w])
            .map_err(at(span))?;
        let n = points.shape.rows;
        let shape: Shape = checked_shape(n, program.outputs()).map_err(at(span))?;
        let mut out = vec![0.0; shape.len()];
        program
            .eval_points(&points.data, &mut out)
            .map_err(at(span))?;
        if let Some(p) = program.non_finite_point() {
            let row = points.data[p * ws.len()..(p + 1) * ws.len()].to_vec();
            let at_point = Values::new(ws, row).map_err(at(span))?;
            let bindings = HashMap::from([(w, at_point.clone())]);
            let err = self.non_finite_error(stable, bindings, &at_point);
            return Err(Diagnostic::new(
                format!("at point {p} (row {p} of the points): {err}"),
                span,
            ));
        }
        let d = Dense::from_f64(shape, out).map_err(at(span))?;
        if shape.is_scalar() {
            return self
                .pool
                .float(d.get(0, 0).to_f64())
                .map(Value::Expr)
                .map_err(at(span));
        }
        self.pool.dense(d).map(Value::Expr).map_err(at(span))
    }
}
