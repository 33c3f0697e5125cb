//! Indexing and reshaping: `A[i, j]`, `A[k]` (flat, row-major), slices
//! `A[0:2, :]`, index vectors `X[:, idx]` (the columns at the positions in
//! `idx`, in that order, as NumPy's fancy indexing), and `reshape(A, m, n)`.

use crate::ast::{Expr, IndexArg};
use crate::calls::check_arity;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::predict::Numbers;
use crate::session::Session;
use crate::span::Span;
use symgrad::{Dense, DenseData, ExprId, Node, Num, Span1, checked_shape};

/// `reshape` of a matrix that is not numbers builds it entry by entry, up
/// to this many entries.
const SYMBOLIC_RESHAPE_LIMIT: usize = 10_000;

/// An index argument with its expressions evaluated (once each).
enum Index {
    /// A single position, not yet checked against a length.
    At(i64, Span),
    /// An index vector: positions, not yet checked against a length.
    List(Vec<i64>, Span),
    /// `a:b` with optional ends.
    Range(Option<i64>, Option<i64>),
}

/// What one dimension selects.
enum Pick {
    Run(Span1),
    List(Vec<usize>),
}

impl Pick {
    fn positions(&self) -> Vec<usize> {
        match self {
            Pick::Run(r) => (r.start..r.end).collect(),
            Pick::List(v) => v.clone(),
        }
    }
}

impl Session {
    /// `A[i, j]`, `A[i]` (flat, row-major), slices `A[0:2, :]` and index
    /// vectors `X[:, idx]`, `v[idx]`.
    pub(crate) fn index(
        &mut self,
        target: ExprId,
        indices: &[IndexArg],
        span: Span,
    ) -> Eval<ExprId> {
        let shape = self.pool.shape(target);
        let args = indices
            .iter()
            .map(|a| self.index_arg(a))
            .collect::<Eval<Vec<_>>>()?;
        let one = |k: usize| {
            Pick::Run(Span1 {
                start: k,
                end: k + 1,
            })
        };
        let (rows, cols) = match args.as_slice() {
            [Index::At(k, at)] => {
                let k = position(*k, shape.len(), *at)?;
                (one(k / shape.cols), one(k % shape.cols))
            }
            [a] if shape.cols == 1 => (pick(a, shape.rows)?, one(0)),
            [a] if shape.rows == 1 => (one(0), pick(a, shape.cols)?),
            [r, c] => (pick(r, shape.rows)?, pick(c, shape.cols)?),
            [Index::List(..)] => {
                return Err(Diagnostic::new(
                    format!(
                        "one index vector selects entries of a vector, and this is a {shape} matrix"
                    ),
                    span,
                )
                .with_hint("select columns with X[:, idx] and rows with X[idx, :]"));
            }
            _ => {
                return Err(Diagnostic::new(
                    "index with [i], [i, j], slices such as [0:2, :] or index vectors such as [:, idx]",
                    span,
                ));
            }
        };
        match (rows, cols) {
            (Pick::Run(r), Pick::Run(c)) => self.pool.slice(target, r, c).map_err(at(span)),
            (rows, cols) => self.gather(target, &rows, &cols, span),
        }
    }

    /// One index argument, evaluated.
    fn index_arg(&mut self, arg: &IndexArg) -> Eval<Index> {
        match arg {
            IndexArg::At(e) => {
                let id = self.expr(e)?;
                if self.pool.shape(id).is_scalar() {
                    return Ok(Index::At(self.integer_value(id, e.span)?, e.span));
                }
                Ok(Index::List(self.index_vector(id, e)?, e.span))
            }
            IndexArg::Range { start, end } => {
                let mut bound = |b: &Option<Expr>| b.as_ref().map(|e| self.integer(e)).transpose();
                Ok(Index::Range(bound(start)?, bound(end)?))
            }
        }
    }

    /// An exact integer (or a whole float, as loaded from a file).
    pub(crate) fn integer_value(&mut self, id: ExprId, span: Span) -> Eval<i64> {
        match self.pool.as_num(id) {
            Some(n) if n.is_exact() => n.to_i64(),
            Some(n) => whole(n.to_f64()),
            None => None,
        }
        .ok_or_else(|| Diagnostic::new("expected an integer", span))
    }

    /// The positions of an index vector: a row or column of integers.
    fn index_vector(&mut self, id: ExprId, e: &Expr) -> Eval<Vec<i64>> {
        let shape = self.pool.shape(id);
        if shape.rows != 1 && shape.cols != 1 {
            return Err(Diagnostic::new(
                format!("an index vector must be a row or a column, not a {shape} matrix"),
                e.span,
            ));
        }
        if let Some(&s) = self.pool.free_symbols(id).first() {
            return Err(Diagnostic::new(
                format!(
                    "an index vector must hold numbers, but it contains the symbol {}",
                    self.symbol_name(s)
                ),
                e.span,
            ));
        }
        let (_, numbers) = self.numbers(id, "an index vector", e.span)?;
        let ks: Option<Vec<i64>> = match numbers {
            Numbers::Exact(v) => v.iter().map(Num::to_i64).collect(),
            Numbers::Float(v) => v.into_iter().map(whole).collect(),
        };
        ks.ok_or_else(|| Diagnostic::new("an index vector must hold integers", e.span))
    }

    /// The rows `rows` and columns `cols` of `target`, in the given orders.
    fn gather(&mut self, target: ExprId, rows: &Pick, cols: &Pick, span: Span) -> Eval<ExprId> {
        let (rows, cols) = (rows.positions(), cols.positions());
        let shape = checked_shape(rows.len(), cols.len()).map_err(at(span))?;
        if let Node::Dense(d) = self.pool.node(target) {
            let n = d.shape().cols;
            let cells = rows
                .iter()
                .flat_map(|&i| cols.iter().map(move |&j| i * n + j));
            let data = match d.data() {
                DenseData::Exact(v) => DenseData::Exact(cells.map(|k| v[k].clone()).collect()),
                DenseData::Float(v) => DenseData::Float(cells.map(|k| v[k]).collect()),
            };
            let d = Dense::new(shape, data).map_err(at(span))?;
            return self.pool.dense(d).map_err(at(span));
        }
        // A symbolic matrix: runs of consecutive rows stacked, then columns.
        let all = |len: usize| Span1 { start: 0, end: len };
        let s = self.pool.shape(target);
        let parts = runs(&rows)
            .into_iter()
            .map(|r| self.pool.slice(target, r, all(s.cols)))
            .collect::<symgrad::Result<Vec<_>>>()
            .map_err(at(span))?;
        let picked = self.pool.stack(&parts, true).map_err(at(span))?;
        let parts = runs(&cols)
            .into_iter()
            .map(|c| self.pool.slice(picked, all(rows.len()), c))
            .collect::<symgrad::Result<Vec<_>>>()
            .map_err(at(span))?;
        self.pool.stack(&parts, false).map_err(at(span))
    }

    /// `reshape(A, m, n)`: the entries of A row by row as an m×n matrix.
    pub(crate) fn call_reshape(&mut self, args: &[&Expr], span: Span) -> Eval<Value> {
        check_arity("reshape", args.len(), 3, 3, span)?;
        let a = self.expr(args[0])?;
        let (m, n) = (self.dimension(args[1])?, self.dimension(args[2])?);
        let from = self.pool.shape(a);
        let to = checked_shape(m, n).map_err(at(span))?;
        if from.len() != to.len() {
            return Err(Diagnostic::new(
                format!(
                    "cannot reshape a {from} matrix ({} entries) to {to} ({} entries)",
                    from.len(),
                    to.len()
                ),
                span,
            ));
        }
        let id = match self.pool.node(a).clone() {
            Node::Dense(d) => {
                let d = Dense::new(to, d.data().clone()).map_err(at(span))?;
                self.pool.dense(d)
            }
            _ if from == to => Ok(a),
            _ if to.len() > SYMBOLIC_RESHAPE_LIMIT => {
                return Err(Diagnostic::new(
                    format!(
                        "reshape of a symbolic matrix builds it entry by entry: at most {SYMBOLIC_RESHAPE_LIMIT} entries, not {}",
                        to.len()
                    ),
                    span,
                )
                .with_hint("reshape the numbers instead: reshape(eval(A, …), m, n)"));
            }
            _ => {
                let entries = (0..from.len())
                    .map(|k| {
                        let (i, j) = (k / from.cols, k % from.cols);
                        let one = |x: usize| Span1 {
                            start: x,
                            end: x + 1,
                        };
                        self.pool.slice(a, one(i), one(j))
                    })
                    .collect::<symgrad::Result<Vec<_>>>()
                    .map_err(at(span))?;
                self.pool.matrix(to, entries)
            }
        };
        id.map(Value::Expr).map_err(at(span))
    }
}

/// An index in `0..len`; negative indices count from the end.
fn position(k: i64, len: usize, span: Span) -> Eval<usize> {
    let idx = if k < 0 { k + len as i64 } else { k };
    if idx < 0 || idx >= len as i64 {
        return Err(Diagnostic::new(
            format!("index {k} is out of range 0..{len}"),
            span,
        ));
    }
    Ok(idx as usize)
}

/// What `index` selects of a dimension of length `len`.
fn pick(index: &Index, len: usize) -> Eval<Pick> {
    Ok(match index {
        Index::At(k, span) => {
            let k = position(*k, len, *span)?;
            Pick::Run(Span1 {
                start: k,
                end: k + 1,
            })
        }
        Index::List(ks, span) => Pick::List(
            ks.iter()
                .map(|&k| position(k, len, *span))
                .collect::<Eval<_>>()?,
        ),
        Index::Range(start, end) => {
            // Slice bounds are clamped into 0..=len; negative ones count from the end.
            let bound =
                |b: i64| (if b < 0 { b + len as i64 } else { b }).clamp(0, len as i64) as usize;
            Pick::Run(Span1 {
                start: start.map_or(0, bound),
                end: end.map_or(len, bound),
            })
        }
    })
}

/// A float that is a whole number in range, as an integer.
fn whole(x: f64) -> Option<i64> {
    (x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64)
}

/// The runs of consecutive positions in `ks`, in order.
fn runs(ks: &[usize]) -> Vec<Span1> {
    let mut out: Vec<Span1> = Vec::new();
    for &k in ks {
        match out.last_mut() {
            Some(r) if r.end == k => r.end += 1,
            _ => out.push(Span1 {
                start: k,
                end: k + 1,
            }),
        }
    }
    out
}
