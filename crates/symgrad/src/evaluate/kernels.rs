//! The numeric kernels of evaluation, on dense row-major f64 values whose
//! data fills their shape. Each checks the shapes it relies on.

use faer::{Accum, MatMut, MatRef, Par};

use super::{Values, alloc, internal};
use crate::{Axis, Error, Reduction, Result, Shape, Span1};

/// A value of `shape` holding the numbers of `src`, which must fill it.
pub(crate) fn filled(shape: Shape, src: impl IntoIterator<Item = f64>) -> Result<Values> {
    let mut data = alloc(shape)?;
    data.extend(src);
    if shape.rows.checked_mul(shape.cols) != Some(data.len()) {
        return Err(internal("data does not fill its shape"));
    }
    Ok(Values { shape, data })
}

/// True when a value of shape `x` broadcasts to shape `to`.
fn fits(x: Shape, to: Shape) -> bool {
    (x.rows == to.rows || x.rows == 1) && (x.cols == to.cols || x.cols == 1)
}

fn check_fits(op: &'static str, x: Shape, to: Shape) -> Result<()> {
    if fits(x, to) {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            op,
            left: to,
            right: x,
        })
    }
}

/// Element (i, j) of `v` broadcast over a larger shape.
fn at(v: &Values, i: usize, j: usize) -> f64 {
    let s = v.shape;
    v.get(
        if s.rows == 1 { 0 } else { i },
        if s.cols == 1 { 0 } else { j },
    )
}

/// `acc[i, j] = op(acc[i, j], x[i, j])` with `x` broadcast to `acc`'s shape.
pub(crate) fn combine_into(
    acc: &mut Values,
    x: &Values,
    op: &impl Fn(f64, f64) -> f64,
) -> Result<()> {
    let shape = acc.shape;
    check_fits("an elementwise operation", x.shape, shape)?;
    if x.shape == shape {
        for (a, &b) in acc.data.iter_mut().zip(&x.data) {
            *a = op(*a, b);
        }
    } else if let Some(b) = x.as_scalar() {
        for a in &mut acc.data {
            *a = op(*a, b);
        }
    } else if shape.cols > 0 {
        for (i, row) in acc.data.chunks_mut(shape.cols).enumerate() {
            for (j, a) in row.iter_mut().enumerate() {
                *a = op(*a, at(x, i, j));
            }
        }
    }
    Ok(())
}

/// `base .^ exponent` elementwise, both broadcast to `shape`.
pub(crate) fn pow(shape: Shape, base: &Values, exponent: &Values) -> Result<Values> {
    check_fits(".^", base.shape, shape)?;
    check_fits(".^", exponent.shape, shape)?;
    Values::from_fn(shape, |i, j| power(at(base, i, j), at(exponent, i, j)))
}

/// `b^e`, by repeated multiplication when `e` is a small integer.
pub(crate) fn power(b: f64, e: f64) -> f64 {
    if e.fract() == 0.0 && e.abs() <= f64::from(i32::MAX) {
        b.powi(e as i32)
    } else {
        b.powf(e)
    }
}

/// The matrix product, by faer on one thread.
pub(crate) fn matmul(a: &Values, b: &Values) -> Result<Values> {
    let (m, k, n) = (a.shape.rows, a.shape.cols, b.shape.cols);
    if k != b.shape.rows {
        return Err(Error::ShapeMismatch {
            op: "the matrix product",
            left: a.shape,
            right: b.shape,
        });
    }
    let shape = Shape::new(m, n);
    let mut out = alloc(shape)?;
    out.resize(m.saturating_mul(n), 0.0);
    if m == 0 || k == 0 || n == 0 {
        return filled(shape, out);
    }
    let a = MatRef::from_row_major_slice(&a.data, m, k);
    let b = MatRef::from_row_major_slice(&b.data, k, n);
    let c = MatMut::from_row_major_slice_mut(&mut out, m, n);
    faer::linalg::matmul::matmul(c, Accum::Replace, a, b, 1.0, Par::Seq);
    filled(shape, out)
}

/// The n×n identity.
fn identity(n: usize) -> Result<Values> {
    Values::from_fn(Shape::new(n, n), |i, j| if i == j { 1.0 } else { 0.0 })
}

/// `a^n` for a square matrix: the inverse's power for negative `n`, the
/// identity for 0; computed by repeated squaring.
pub(crate) fn matpow(a: &Values, n: i64) -> Result<Values> {
    if a.shape.rows != a.shape.cols {
        return Err(Error::BadShape {
            op: "a matrix power",
            shape: a.shape,
            expected: "a square matrix",
        });
    }
    let base = if n < 0 {
        super::linalg::inverse(a)?
    } else {
        filled(a.shape, a.data.iter().copied())?
    };
    power_by_squaring(base, n.unsigned_abs())
}

fn power_by_squaring(mut base: Values, mut e: u64) -> Result<Values> {
    let mut acc: Option<Values> = None;
    loop {
        if e & 1 == 1 {
            acc = Some(match acc {
                None => filled(base.shape, base.data.iter().copied())?,
                Some(x) => matmul(&x, &base)?,
            });
        }
        e >>= 1;
        if e == 0 {
            break;
        }
        base = matmul(&base, &base)?;
    }
    match acc {
        Some(v) => Ok(v),
        None => identity(base.shape.rows),
    }
}

pub(crate) fn transpose(a: &Values) -> Result<Values> {
    Values::from_fn(a.shape.transposed(), |i, j| a.get(j, i))
}

/// The number of lines a reduction along `axis` runs over.
fn line_count(axis: Axis, s: Shape) -> usize {
    match axis {
        Axis::All => 1,
        Axis::Cols => s.cols,
        Axis::Rows => s.rows,
    }
}

/// The elements of line `l` (everything, column `l` or row `l`), borrowed
/// when they are contiguous and gathered into `buf` otherwise.
fn line<'a>(a: &'a Values, axis: Axis, l: usize, buf: &'a mut Vec<f64>) -> &'a [f64] {
    let cols = a.shape.cols;
    match axis {
        Axis::All => &a.data,
        Axis::Rows => a.data.get(l * cols..(l + 1) * cols).unwrap_or(&[]),
        Axis::Cols => {
            buf.clear();
            buf.extend((0..a.shape.rows).map(|i| a.get(i, l)));
            buf
        }
    }
}

/// A sum or log-sum-exp over everything, down each column (1×n) or along
/// each row (m×1).
pub(crate) fn reduce(r: Reduction, axis: Axis, a: &Values) -> Result<Values> {
    let mut buf = Vec::new();
    let mut out = alloc(axis.reduced(a.shape))?;
    for l in 0..line_count(axis, a.shape) {
        let xs = line(a, axis, l, &mut buf);
        out.push(match r {
            Reduction::Sum => xs.iter().sum(),
            Reduction::LogSumExp => logsumexp(xs),
        });
    }
    filled(axis.reduced(a.shape), out)
}

/// `log(Σ exp(x))`, shifted by the maximum so nothing overflows: all −∞
/// gives −∞, any +∞ gives +∞, any NaN gives NaN. The maximum's own term
/// (exactly 1) is left out of the sum and added by `log1p`, so a total just
/// above 1 keeps its digits: `logsumexp(0, −30)` is 9.357622968839737e-14.
pub(crate) fn logsumexp(xs: &[f64]) -> f64 {
    if xs.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let Some(top) = (0..xs.len()).max_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(b.cmp(&a))) else {
        return f64::NEG_INFINITY;
    };
    let max = xs[top];
    if max.is_infinite() {
        return max;
    }
    let rest: f64 = xs
        .iter()
        .enumerate()
        .filter(|&(k, _)| k != top)
        .map(|(_, &x)| (x - max).exp())
        .sum();
    max + rest.ln_1p()
}

/// What softmax needs of one line: its maximum and the shifted total
/// (when the maximum is +∞: the number of +∞ entries, which share the mass).
pub(crate) struct SoftmaxLine {
    pub(crate) max: f64,
    pub(crate) total: f64,
}

impl SoftmaxLine {
    pub(crate) fn of(xs: &[f64]) -> SoftmaxLine {
        let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total = if xs.iter().any(|x| x.is_nan()) {
            f64::NAN
        } else if max == f64::INFINITY {
            xs.iter().filter(|&&x| x == f64::INFINITY).count() as f64
        } else {
            xs.iter().map(|&x| (x - max).exp()).sum()
        };
        SoftmaxLine { max, total }
    }

    pub(crate) fn value(&self, x: f64) -> f64 {
        match (self.max == f64::INFINITY, x == f64::INFINITY) {
            _ if self.total.is_nan() => f64::NAN,
            (true, true) => 1.0 / self.total,
            (true, false) => 0.0,
            // An all −∞ line is undefined: exp(−∞ + ∞) is NaN, as in NumPy.
            (false, _) => (x - self.max).exp() / self.total,
        }
    }
}

/// Softmax down each column, along each row, or over everything,
/// shifted by each line's maximum.
pub(crate) fn softmax(axis: Axis, a: &Values) -> Result<Values> {
    let mut buf = Vec::new();
    let lines: Vec<SoftmaxLine> = (0..line_count(axis, a.shape))
        .map(|l| SoftmaxLine::of(line(a, axis, l, &mut buf)))
        .collect();
    Values::from_fn(a.shape, |i, j| {
        let l = match axis {
            Axis::All => 0,
            Axis::Cols => j,
            Axis::Rows => i,
        };
        lines.get(l).map_or(f64::NAN, |s| s.value(a.get(i, j)))
    })
}

/// The derivative of softmax along one line of logits `xs` applied to `vs`,
/// into `out`: `Sᵢ⋅(vᵢ − Σⱼ vⱼ⋅Sⱼ)`. It is computed from `d = v − v_p`,
/// `p` the line's peak, as `Sᵢ⋅(dᵢ − Σⱼ dⱼ⋅Sⱼ)`: the peak's own term is 0,
/// so where `S` is nearly one-hot its entry adds up only the small terms of
/// the others instead of cancelling `v_p − v_p⋅S_p` (which loses the
/// digits of `1 − S_p`, and all of them once `S_p` rounds to 1).
fn softmax_jvp_line(xs: &[f64], vs: &[f64], out: &mut [f64]) {
    let line = SoftmaxLine::of(xs);
    let peak = (0..xs.len()).max_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(b.cmp(&a)));
    let base = match peak {
        Some(p) if line.max.is_finite() && line.total.is_finite() => vs[p],
        _ => 0.0,
    };
    let mut total = 0.0;
    for ((o, &x), &v) in out.iter_mut().zip(xs).zip(vs) {
        *o = line.value(x);
        total += (v - base) * *o;
    }
    for (o, &v) in out.iter_mut().zip(vs) {
        *o *= (v - base) - total;
    }
}

/// [`softmax_jvp_line`] down each column, along each row, or over everything.
pub(crate) fn softmax_jvp(axis: Axis, a: &Values, v: &Values) -> Result<Values> {
    if a.shape != v.shape {
        return Err(Error::Invalid(
            "internal error: a softmax derivative's shapes".into(),
        ));
    }
    // The lines one after another, then back in place.
    let mut lines = alloc(a.shape)?;
    lines.resize(a.shape.len(), 0.0);
    let (mut xs, mut vs) = (Vec::new(), Vec::new());
    let count = line_count(axis, a.shape);
    let len = a.shape.len() / count.max(1);
    for (l, out) in lines.chunks_exact_mut(len.max(1)).enumerate() {
        softmax_jvp_line(line(a, axis, l, &mut xs), line(v, axis, l, &mut vs), out);
    }
    Values::from_fn(a.shape, |i, j| match axis {
        Axis::All => lines[i * a.shape.cols + j],
        Axis::Cols => lines[j * len + i],
        Axis::Rows => lines[i * len + j],
    })
}

pub(crate) fn trace(a: &Values) -> Result<Values> {
    if a.shape.rows != a.shape.cols {
        return Err(Error::BadShape {
            op: "trace",
            shape: a.shape,
            expected: "a square matrix",
        });
    }
    Ok(Values::scalar((0..a.shape.rows).map(|k| a.get(k, k)).sum()))
}

/// `diag`: the diagonal of a square matrix as an n×1 column, or the n×n
/// diagonal matrix of an n×1 or 1×n vector; `shape` is the node's.
pub(crate) fn diag(shape: Shape, a: &Values) -> Result<Values> {
    let s = a.shape;
    let bad = Error::BadShape {
        op: "diag",
        shape: s,
        expected: "a square matrix or a vector",
    };
    if shape.cols == 1 && s.rows == s.cols {
        if shape.rows != s.rows {
            return Err(bad);
        }
        Values::from_fn(shape, |i, _| a.get(i, i))
    } else if s.rows == 1 || s.cols == 1 {
        let n = a.data.len();
        if shape != Shape::new(n, n) {
            return Err(bad);
        }
        Values::from_fn(shape, |i, j| {
            if i == j {
                a.data.get(i).copied().unwrap_or(f64::NAN)
            } else {
                0.0
            }
        })
    } else {
        Err(bad)
    }
}

/// The submatrix `a[rows, cols]`.
pub(crate) fn slice(a: &Values, rows: Span1, cols: Span1) -> Result<Values> {
    let s = a.shape;
    if rows.start >= rows.end || cols.start >= cols.end || rows.end > s.rows || cols.end > s.cols {
        return Err(Error::IndexOutOfRange {
            index: format!("[{}:{}, {}:{}]", rows.start, rows.end, cols.start, cols.end),
            shape: s,
        });
    }
    let shape = Shape::new(rows.end - rows.start, cols.end - cols.start);
    Values::from_fn(shape, |i, j| a.get(rows.start + i, cols.start + j))
}
