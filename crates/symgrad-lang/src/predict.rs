//! Prediction and accuracy on numbers: `argmax`, `argmin`, `max`, `min` and
//! the elementwise comparisons `==`, `!=`, `<`, `<=`, `>`, `>=`.
//!
//! None of them has a derivative, so none of them takes a symbol: they work
//! on numbers (`eval` a trained model first), and a symbolic argument is an
//! error naming the operation, never a silent zero gradient. Exact input
//! gives exact results; indices and comparisons are exact integers.

use crate::ast::{BinOp, Expr};
use crate::calls::check_arity;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::random::EXACT_LIMIT;
use crate::session::Session;
use crate::span::Span;
use std::cmp::Ordering;
use symgrad::{Axis, Dense, DenseData, ExprId, Node, Num, Shape};

/// The built-ins this module answers.
pub(crate) const PREDICT: &[&str] = &["argmax", "argmin", "max", "min"];

/// The numbers of a numeric value, row-major.
pub(crate) enum Numbers {
    Exact(Vec<Num>),
    Float(Vec<f64>),
}

impl Numbers {
    fn len(&self) -> usize {
        match self {
            Numbers::Exact(v) => v.len(),
            Numbers::Float(v) => v.len(),
        }
    }

    /// The number at `k` as a float.
    fn f64_at(&self, k: usize) -> f64 {
        match self {
            Numbers::Exact(v) => v[k].to_f64(),
            Numbers::Float(v) => v[k],
        }
    }

    /// How the numbers at `a` and `b` compare (`None` when one is NaN);
    /// exactly when both are exact.
    fn cmp_at(&self, a: usize, b: usize) -> Option<Ordering> {
        match self {
            Numbers::Exact(v) => Some(v[a].total_cmp(&v[b])),
            Numbers::Float(v) => v[a].partial_cmp(&v[b]),
        }
    }

    fn is_nan_at(&self, k: usize) -> bool {
        matches!(self, Numbers::Float(v) if v[k].is_nan())
    }
}

impl Session {
    /// The shape and numbers of `id`, which must hold no symbol: `op` names
    /// the operation in the error, which says why.
    pub(crate) fn numbers(&mut self, id: ExprId, op: &str, span: Span) -> Eval<(Shape, Numbers)> {
        if let Some(&s) = self.pool.free_symbols(id).first() {
            return Err(Diagnostic::new(
                format!(
                    "{op} works on numbers and has no derivative, but its argument contains the symbol {}",
                    self.symbol_name(s)
                ),
                span,
            )
            .with_hint(format!(
                "put numbers in first with eval(e, W = …); {op} cannot be part of a loss to differentiate"
            )));
        }
        let shape = self.pool.shape(id);
        match self.pool.node(id) {
            Node::Num(n) if n.is_exact() => Ok((shape, Numbers::Exact(vec![n.clone()]))),
            Node::Dense(d) => Ok((
                shape,
                match d.data() {
                    DenseData::Exact(v) => Numbers::Exact(v.clone()),
                    DenseData::Float(v) => Numbers::Float(v.to_vec()),
                },
            )),
            _ => {
                let v = self.compute(id, &[]).map_err(at(span))?;
                Ok((v.shape, Numbers::Float(v.data)))
            }
        }
    }

    /// `argmax(A [, dim])`, `argmin`, `max(A [, dim])`, `min`.
    pub(crate) fn call_predict(&mut self, name: &str, args: &[&Expr], span: Span) -> Eval<Value> {
        check_arity(name, args.len(), 1, 2, span)?;
        let a = self.expr(args[0])?;
        let largest = matches!(name, "argmax" | "max");
        if let ("max" | "min", [a_expr, b]) = (name, args)
            && self.pool.shape(a) == Shape::SCALAR
        {
            return self.extreme_of_two(name, (a, a_expr.span), b, largest);
        }
        let axis = match args.get(1) {
            Some(d) => self.axis(d)?,
            None => Axis::All,
        };
        let (shape, numbers) = self.numbers(a, name, args[0].span)?;
        let lanes = lanes(shape, axis);
        let picks: Vec<usize> = lanes
            .iter()
            .map(|lane| best(&numbers, lane, largest))
            .collect();
        let out = axis.reduced(shape);
        let data = if name.starts_with("arg") {
            // The position within the lane: the row down a column, the column
            // along a row, the flat (row-major) index over everything.
            let position = |k: usize| match axis {
                Axis::All => k,
                Axis::Cols => k / shape.cols,
                Axis::Rows => k % shape.cols,
            };
            integers(picks.iter().map(|&k| position(k) as i64))
        } else {
            match &numbers {
                Numbers::Exact(v) => {
                    DenseData::Exact(picks.iter().map(|&k| v[k].clone()).collect())
                }
                Numbers::Float(v) => DenseData::Float(picks.iter().map(|&k| v[k]).collect()),
            }
        };
        self.number_value(out, data, span).map(Value::Expr)
    }

    /// `max(a, b)` or `min(a, b)` of a number `a`: the larger (smaller) of
    /// two numbers, as Python's `max(3, 2)`; reducing a number along a
    /// dimension would return it unchanged, which no one means.
    fn extreme_of_two(
        &mut self,
        name: &str,
        (a, a_span): (ExprId, Span),
        b: &Expr,
        largest: bool,
    ) -> Eval<Value> {
        let b_id = self.expr(b)?;
        if self.pool.shape(b_id) != Shape::SCALAR {
            return Err(Diagnostic::new(
                format!(
                    "{name}(a, b) of a number a compares it with a number b, but b is {}",
                    self.pool.shape(b_id)
                ),
                b.span,
            )
            .with_hint(format!(
                "{name}(A, dim) reduces a matrix A down columns (1) or along rows (2)"
            )));
        }
        let (_, x) = self.numbers(a, name, a_span)?;
        let (_, y) = self.numbers(b_id, name, b.span)?;
        let both = match (x, y) {
            (Numbers::Exact(mut u), Numbers::Exact(v)) => {
                u.extend(v);
                Numbers::Exact(u)
            }
            (x, y) => Numbers::Float(vec![x.f64_at(0), y.f64_at(0)]),
        };
        let pick = best(&both, &[0, 1], largest);
        Ok(Value::Expr(
            match both {
                Numbers::Exact(v) => self.pool.num(v[pick].clone()),
                Numbers::Float(v) => self.pool.float(v[pick]),
            }
            .map_err(at(a_span.to(b.span)))?,
        ))
    }

    /// `a op b` for a comparison `op`: 1 where it holds, else 0, elementwise
    /// with the broadcasting of `+`.
    pub(crate) fn compare(&mut self, op: BinOp, a: ExprId, b: ExprId, span: Span) -> Eval<ExprId> {
        let what = format!("the comparison {}", op.symbol());
        let (sa, x) = self.numbers(a, &what, span)?;
        let (sb, y) = self.numbers(b, &what, span)?;
        let shape = sa.broadcast(sb).ok_or_else(|| {
            Diagnostic::new(format!("shape mismatch in {what}: {sa} and {sb}"), span)
        })?;
        let index = |s: Shape, i: usize, j: usize| {
            (if s.rows == 1 { 0 } else { i }) * s.cols + if s.cols == 1 { 0 } else { j }
        };
        let holds = |o: Option<Ordering>| match (op, o) {
            (BinOp::Ne, None) => true,
            (_, None) => false,
            (BinOp::Eq, Some(o)) => o == Ordering::Equal,
            (BinOp::Ne, Some(o)) => o != Ordering::Equal,
            (BinOp::Lt, Some(o)) => o == Ordering::Less,
            (BinOp::Le, Some(o)) => o != Ordering::Greater,
            (BinOp::Gt, Some(o)) => o == Ordering::Greater,
            (_, Some(o)) => o != Ordering::Less,
        };
        let cells = (0..shape.rows).flat_map(|i| (0..shape.cols).map(move |j| (i, j)));
        let results = cells.map(|(i, j)| {
            let (p, q) = (index(sa, i, j), index(sb, i, j));
            let o = match (&x, &y) {
                (Numbers::Exact(u), Numbers::Exact(v)) => Some(u[p].total_cmp(&v[q])),
                _ => x.f64_at(p).partial_cmp(&y.f64_at(q)),
            };
            i64::from(holds(o))
        });
        let data = integers(results);
        self.number_value(shape, data, span)
    }

    /// Numbers as a value: a number for 1×1, else a dense matrix.
    fn number_value(&mut self, shape: Shape, data: DenseData, span: Span) -> Eval<ExprId> {
        let d = Dense::new(shape, data).map_err(at(span))?;
        self.pool.dense(d).map_err(at(span))
    }
}

/// Exact integers, or floats past [`EXACT_LIMIT`] elements (to bound memory).
fn integers(values: impl Iterator<Item = i64>) -> DenseData {
    let values: Vec<i64> = values.collect();
    if values.len() <= EXACT_LIMIT {
        DenseData::Exact(values.into_iter().map(Num::int).collect())
    } else {
        DenseData::Float(values.into_iter().map(|k| k as f64).collect())
    }
}

/// The flat indices of each lane of a reduction along `axis`, in order.
fn lanes(shape: Shape, axis: Axis) -> Vec<Vec<usize>> {
    let (m, n) = (shape.rows, shape.cols);
    match axis {
        Axis::All => vec![(0..m * n).collect()],
        Axis::Cols => (0..n)
            .map(|j| (0..m).map(|i| i * n + j).collect())
            .collect(),
        Axis::Rows => (0..m).map(|i| (i * n..(i + 1) * n).collect()).collect(),
    }
}

/// The flat index of the largest (or smallest) number of a lane: the first
/// of equal ones, and the first NaN if there is one, as NumPy's `argmax`.
fn best(numbers: &Numbers, lane: &[usize], largest: bool) -> usize {
    debug_assert!(numbers.len() > 0 && !lane.is_empty());
    let want = if largest {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    let mut pick = lane[0];
    for &k in lane {
        if numbers.is_nan_at(pick) {
            break;
        }
        if numbers.is_nan_at(k) || numbers.cmp_at(k, pick) == Some(want) {
            pick = k;
        }
    }
    pick
}
