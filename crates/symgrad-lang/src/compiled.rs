//! Compiled evaluation in the language: the values behind `eval` (with the
//! programs of recent `eval` calls kept for reuse), and `evalpoints(f, W, P)`,
//! f at many values of W through a register program.

use crate::ast::Expr;
use crate::calls::check_arity;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::session::Session;
use crate::span::Span;
use std::collections::HashMap;
use symgrad::{Dense, DenseData, Error, ExprId, Node, Program, Shape, Values, checked_shape};

/// A closed float expression with more elements than this is shown as it
/// is, not computed for display (as arithmetic on data folds only up to
/// this size).
const SHOWN_AS_VALUE: usize = 10_000;

/// At most this many compiled programs are kept for reuse by `eval`.
pub(crate) const CACHED_PROGRAMS: usize = 8;

/// The programs kept besides the latest one hold at most this many bytes of
/// working buffers (the latest is kept whatever its size).
pub(crate) const CACHED_BYTES: usize = 256 << 20;

/// The compiled programs of recent `eval` calls, least recently used first.
///
/// A program is found by the expression evaluated and the symbols bound, in
/// order (their shapes are part of the symbols). The expression's id names
/// its data too (the pool is hash-consed, so an expression reading other
/// data is another id), and `:reset` starts a new pool with an empty cache;
/// the threads are set on each use.
#[derive(Default)]
pub(crate) struct ProgramCache {
    entries: Vec<Cached>,
}

struct Cached {
    expr: ExprId,
    inputs: Vec<ExprId>,
    program: Program,
}

impl ProgramCache {
    /// The program of `expr` with `inputs` bound, taken out of the cache.
    pub(crate) fn take(&mut self, expr: ExprId, inputs: &[ExprId]) -> Option<Program> {
        let k = self
            .entries
            .iter()
            .position(|c| c.expr == expr && c.inputs == inputs)?;
        Some(self.entries.remove(k).program)
    }

    /// Keeps `program` as the most recently used, dropping the least
    /// recently used ones beyond [`CACHED_PROGRAMS`] and [`CACHED_BYTES`].
    pub(crate) fn keep(&mut self, expr: ExprId, inputs: Vec<ExprId>, program: Program) {
        self.entries.push(Cached {
            expr,
            inputs,
            program,
        });
        let excess = self.entries.len().saturating_sub(CACHED_PROGRAMS);
        self.entries.drain(..excess);
        let older = self.entries.len().saturating_sub(1);
        let mut bytes: usize = self.entries[..older]
            .iter()
            .map(|c| c.program.buffer_bytes())
            .sum();
        let mut drop = 0;
        while bytes > CACHED_BYTES && drop < older {
            bytes -= self.entries[drop].program.buffer_bytes();
            drop += 1;
        }
        self.entries.drain(..drop);
    }

    /// The number of programs kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

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
        if bindings.is_empty()
            && let Node::Dense(d) = self.pool.node(e)
            && let DenseData::Float(data) = d.data()
        {
            // Data as it is: no program to compile for a copy.
            return Values::new(d.shape(), data.to_vec());
        }
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

    /// Why a value is not finite, naming the operation in the names the
    /// user bound (`log(W * X)`, not X's numbers written out).
    pub(crate) fn non_finite_message(&mut self, found: &symgrad::NonFinite) -> String {
        let named = self.named_form(found.node).ok().flatten();
        found.message(&self.pool.shown_briefly(named.unwrap_or(found.node)))
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
            .and_then(|stable| self.pool.first_non_finite(stable, &bindings));
        match found {
            Ok(Some(found)) => Error::Domain(self.non_finite_message(&found)),
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

    /// The value of `e` at `bindings` through the cached program of `e`
    /// with these symbols bound, or else compiled from `stable(session,
    /// symbols)` (the stable form of `e`, checked against the symbols bound)
    /// and kept for the next call.
    pub(crate) fn compute_cached(
        &mut self,
        e: ExprId,
        stable: impl FnOnce(&mut Session, &[ExprId]) -> Eval<ExprId>,
        bindings: &[(ExprId, Values)],
        span: Span,
    ) -> Eval<Values> {
        let symbols: Vec<ExprId> = bindings.iter().map(|(s, _)| *s).collect();
        let mut program = match self.programs.take(e, &symbols) {
            Some(p) => p,
            None => {
                let stable = stable(self, &symbols)?;
                self.pool.compile(&[stable], &symbols).map_err(at(span))?
            }
        };
        program.set_threads(self.settings.threads);
        let values: Vec<&Values> = bindings.iter().map(|(_, v)| v).collect();
        let out = program.run(&values);
        let finite = program.all_finite();
        self.programs.keep(e, symbols, program);
        let out = out.map_err(at(span))?.remove(0);
        if finite && out.data.iter().all(|x| x.is_finite()) {
            return Ok(out);
        }
        let bindings = bindings.iter().cloned().collect();
        Err(at(span)(self.non_finite_error(e, bindings, &out)))
    }

    /// The value of `e`, which must be numeric (no symbols): `what` names
    /// it in the error otherwise.
    pub(crate) fn numeric(&mut self, e: &Expr, what: &str) -> Eval<Values> {
        let id = self.expr(e)?;
        self.numeric_id(id, e.span, what)
    }

    /// [`Session::numeric`] of the expression `id`, written at `span`.
    pub(crate) fn numeric_id(&mut self, id: ExprId, span: Span, what: &str) -> Eval<Values> {
        if let Some(&s) = self.pool.free_symbols(id).first() {
            return Err(Diagnostic::new(
                format!(
                    "{what} must be numeric, but it contains the symbol {}",
                    self.symbol_name(s)
                ),
                span,
            ));
        }
        self.compute(id, &[]).map_err(at(span))
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
        let n = points.shape.rows;
        let shape: Shape = checked_shape(n, self.pool.shape(stable).len()).map_err(at(span))?;
        let (out, non_finite) = if self.needs_whole_program(stable) {
            self.points_one_by_one(stable, w, &points)
                .map_err(at(span))?
        } else {
            let mut program = self
                .pool
                .compile_scalar(&[stable], &[w])
                .map_err(at(span))?;
            let mut out = vec![0.0; shape.len()];
            program
                .eval_points(&points.data, &mut out)
                .map_err(at(span))?;
            (out, program.non_finite_point())
        };
        if let Some(p) = non_finite {
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

    /// Whether `e` inverts a matrix, takes its determinant or differentiates
    /// a softmax. The register program would do that element by element:
    /// by cofactors, which lose every digit on an ill-conditioned matrix
    /// (`A = d⋅dᵀ + I` with entries of d near 10³, condition 10⁷, gave a
    /// gradient 287 % off), and by the softmax derivative's formula, which
    /// cancels near a one-hot softmax.
    fn needs_whole_program(&self, e: ExprId) -> bool {
        let nodes = self.pool.reachable(e);
        nodes.into_iter().any(|id| {
            let node = self.pool.node(id);
            node.factored_matrix().is_some() || matches!(node, Node::SoftmaxJvp(..))
        })
    }

    /// `e` at each row of `points` as a value of the symbol `w`, one point
    /// at a time through a compiled program (which factors matrices by LU):
    /// the values one row per point, and the first point where one is not
    /// finite or a matrix is singular.
    fn points_one_by_one(
        &mut self,
        e: ExprId,
        w: ExprId,
        points: &Values,
    ) -> symgrad::Result<(Vec<f64>, Option<usize>)> {
        let ws = self.pool.shape(w);
        let mut program = self.pool.compile(&[e], &[w])?;
        program.set_threads(1);
        let mut out = Vec::new();
        for (p, row) in points.data.chunks(ws.len().max(1)).enumerate() {
            let value = match program.run(&[&Values::new(ws, row.to_vec())?]) {
                Ok(mut values) => values.remove(0),
                Err(Error::Domain(_)) => return Ok((out, Some(p))),
                Err(e) => return Err(e),
            };
            if !program.all_finite() || value.data.iter().any(|x| !x.is_finite()) {
                return Ok((out, Some(p)));
            }
            out.extend_from_slice(&value.data);
        }
        Ok((out, None))
    }
}

#[cfg(test)]
mod tests {
    use super::CACHED_PROGRAMS;
    use crate::session::Session;

    fn run(s: &mut Session, src: &str) {
        s.run(src, "<test>", &mut |_| {}).expect("runs");
    }

    #[test]
    fn a_repeated_eval_adds_no_program() {
        let mut s = Session::new();
        run(&mut s, "symbol W[1, 2]\nf = sum(exp(W))");
        for _ in 0..5 {
            run(&mut s, "eval(f, W = [[1, 2]]);\neval(f, W = [[3, 4]]);");
        }
        assert_eq!(s.programs.len(), 1);
    }

    #[test]
    fn the_cache_keeps_at_most_its_cap() {
        let mut s = Session::new();
        run(&mut s, "symbol W[1, 2]");
        for k in 1..=3 * CACHED_PROGRAMS {
            run(&mut s, &format!("eval(sum(exp({k} * W)), W = [[1, 2]]);"));
            assert_eq!(s.programs.len(), k.min(CACHED_PROGRAMS));
        }
    }
}
