//! The API for programs that embed a session (the Python package): numbers
//! in and out by name, and the value of an expression at given numbers.
//!
//! Errors are rendered messages, as [`Session::run`] gives them.

use crate::ast::{ExprKind, StmtKind};
use crate::data::first_non_finite;
use crate::diagnostic::Diagnostic;
use crate::parse::parse;
use crate::session::Session;
use crate::span::Span;
use symgrad::{Buffer, Dense, Node, Shape, Values};

/// The origin named in errors of [`Session::evaluate_with`].
const EVAL_ORIGIN: &str = "<eval>";

impl Session {
    /// Binds `name` to numeric data, as `name = load("…")` would: a float
    /// for a 1×1 `shape`, else a matrix of floats. `data` is a `Vec<f64>`
    /// or a [`Buffer`] shared with the host (kept, not copied).
    pub fn bind_floats(
        &mut self,
        name: &str,
        shape: Shape,
        data: impl Into<Buffer>,
    ) -> Result<(), String> {
        let is_name = matches!(
            parse(name).as_deref(),
            Ok([stmt]) if matches!(&stmt.kind,
                StmtKind::Expr { expr, silent: false } if matches!(&expr.kind, ExprKind::Name(n) if n == name))
        );
        if !is_name {
            return Err(format!("error: '{name}' is not a name symgrad can bind"));
        }
        let whole = Span {
            start: 0,
            end: name.len(),
        };
        self.check_bindable(name, whole)
            .map_err(|d| d.render(name, "<bind>", self.settings.width))?;
        let data = data.into();
        if let Some(what) = first_non_finite(shape, &data) {
            return Err(format!(
                "error: {name}: {what}; symgrad binds finite numbers"
            ));
        }
        let id = match *data {
            [x] if shape == Shape::SCALAR => self.pool.float(x),
            _ => Dense::from_buffer(shape, data).and_then(|d| self.pool.dense(d)),
        }
        .map_err(|e| format!("error: {e}"))?;
        self.vars.insert(name.to_string(), id);
        Ok(())
    }

    /// Whether `name` is bound (by an assignment, `symbol` or the host).
    pub fn is_bound(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// The numbers of the value bound to `name`, as `eval(name)` gives
    /// them; an error when it is unbound or holds symbols.
    pub fn values_of(&mut self, name: &str) -> Result<Values, String> {
        let Some(&id) = self.vars.get(name) else {
            return Err(format!("error: '{name}' is not bound"));
        };
        if let Some(&s) = self.pool.free_symbols(id).first() {
            return Err(format!(
                "error: '{name}' is not numeric: it contains the symbol {}",
                self.symbol_name(s)
            ));
        }
        if matches!(self.pool.node(id), Node::Dense(_)) {
            // Data as it is, without the stable form's rewriting.
            return self.compute(id, &[]).map_err(|e| format!("error: {e}"));
        }
        self.evaluate_precisely(id, Vec::new(), Span::default())
            .map_err(|d| format!("error: {}", d.message))
    }

    /// The value of the expression `src` in floats, with the symbols named in
    /// `inputs` given those numbers: what `eval(src, W = …)` computes.
    pub fn evaluate_with(
        &mut self,
        src: &str,
        inputs: Vec<(String, Values)>,
    ) -> Result<Values, String> {
        self.evaluate_src(src, inputs)
            .map_err(|d| d.render(src, EVAL_ORIGIN, self.settings.width))
    }

    fn evaluate_src(
        &mut self,
        src: &str,
        inputs: Vec<(String, Values)>,
    ) -> Result<Values, Diagnostic> {
        let program = parse(src)?;
        let whole = Span {
            start: 0,
            end: src.len(),
        };
        let [stmt] = program.as_slice() else {
            return Err(Diagnostic::new("expected one expression", whole));
        };
        let StmtKind::Expr { expr, .. } = &stmt.kind else {
            return Err(Diagnostic::new("expected an expression", stmt.span));
        };
        let e = self.expr(expr)?;
        let mut bindings = Vec::with_capacity(inputs.len());
        for (name, values) in inputs {
            let symbol = match (self.symbol_named(e, &name), self.vars.get(&name)) {
                (Some(id), _) | (None, Some(&id)) => id,
                (None, None) => self
                    .pool
                    .symbol(&name, symgrad::Shape::SCALAR)
                    .map_err(|e| Diagnostic::new(format!("'{name}': {e}"), expr.span))?,
            };
            let Node::Symbol { shape, .. } = *self.pool.node(symbol) else {
                return Err(
                    Diagnostic::new(format!("'{name}' is not a symbol"), expr.span)
                        .with_hint(self.symbol_hint(&name)),
                );
            };
            if shape != values.shape {
                return Err(Diagnostic::new(
                    format!(
                        "{name} is a {} symbol, but its value is {}",
                        shape_words(shape),
                        shape_words(values.shape)
                    ),
                    expr.span,
                ));
            }
            if let Some(what) = first_non_finite(shape, &values.data) {
                return Err(Diagnostic::new(
                    format!("the value for {name}: {what}; eval takes finite numbers"),
                    expr.span,
                ));
            }
            bindings.push((symbol, values));
        }
        self.evaluate_precisely(e, bindings, expr.span)
    }
}

/// `3×4` or `scalar`.
fn shape_words(shape: symgrad::Shape) -> String {
    if shape.is_scalar() {
        "scalar".into()
    } else {
        format!("{}×{}", shape.rows, shape.cols)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: usize, cols: usize, data: &[f64]) -> Values {
        Values {
            shape: Shape { rows, cols },
            data: data.to_vec(),
        }
    }

    #[test]
    fn values_for_the_host_have_the_digits_eval_gives() {
        let mut s = Session::new();
        s.run("f = log(1 + exp(1000))\ng = exp(h) - 1", "<t>", &mut |_| {})
            .unwrap();
        // In plain f64 exp(1000) overflows: the stable form gives 1000.
        assert_eq!(s.values_of("f").unwrap().data, [1000.0]);
        // exp(10⁻²⁰) − 1 is 0 in f64; its series 10⁻²⁰ + 10⁻⁴⁰/2 + … rounds
        // to 10⁻²⁰.
        let tiny = s
            .evaluate_with("g", vec![("h".into(), Values::scalar(1e-20))])
            .unwrap();
        assert_eq!(tiny.data, [1e-20]);
        // cosh(26) rounded to f64 moves tan by 6·10⁻⁶; mpmath at 50 digits
        // gives 0.14467532856671283891….
        let tan = s.evaluate_with("tan(cosh(26))", vec![]).unwrap();
        assert_eq!(tan.data, [0.144_675_328_566_712_84]);
    }

    #[test]
    fn data_bound_from_the_host_is_used_by_statements() {
        let mut s = Session::new();
        s.bind_floats("X", Shape::new(2, 2), vec![1.0, 2.0, 3.0, 4.0])
            .unwrap();
        let mut out = Vec::new();
        s.run("Y = X * X\nY[1, 0]", "<t>", &mut |t| {
            out.push(t.to_string())
        })
        .unwrap();
        // [[1, 2], [3, 4]]² = [[7, 10], [15, 22]]
        assert_eq!(out, ["15.0"]);
        assert_eq!(s.values_of("Y").unwrap().data, [7.0, 10.0, 15.0, 22.0]);
    }

    #[test]
    fn evaluate_with_gives_the_value_at_the_inputs() {
        let mut s = Session::new();
        s.run("symbol W[1, 2]\nL = sum(W .^ 2) + a", "<t>", &mut |_| {})
            .unwrap();
        let v = s
            .evaluate_with(
                "L",
                vec![
                    ("W".into(), matrix(1, 2, &[3.0, 4.0])),
                    ("a".into(), Values::scalar(0.5)),
                ],
            )
            .unwrap();
        assert_eq!(v.data, [25.5]);
        let err = s
            .evaluate_with("L", vec![("W".into(), matrix(2, 1, &[3.0, 4.0]))])
            .unwrap_err();
        assert!(
            err.contains("W is a 1×2 symbol, but its value is 2×1"),
            "{err}"
        );
        let err = s
            .evaluate_with("L", vec![("W".into(), matrix(1, 2, &[3.0, 4.0]))])
            .unwrap_err();
        assert!(err.contains("unbound: a"), "{err}");
    }

    #[test]
    fn bad_names_and_symbolic_values_are_errors() {
        let mut s = Session::new();
        assert!(s.bind_floats("2x", Shape::SCALAR, vec![1.0]).is_err());
        assert!(s.bind_floats("sum", Shape::SCALAR, vec![1.0]).is_err());
        let err = s.bind_floats("X", Shape::new(2, 2), vec![1.0]).unwrap_err();
        assert!(err.contains("do not fill"), "{err}");
        s.run("symbol W[2, 2]", "<t>", &mut |_| {}).unwrap();
        assert!(s.values_of("W").unwrap_err().contains("symbol W"));
        assert!(s.values_of("nothing").is_err());
    }
}
