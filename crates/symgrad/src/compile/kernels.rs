//! Dense kernels on row-major views: matrix products through faer,
//! reductions and softmax with the maximum shift.

use super::lanemath::{exp_neg_abs, lanes_fn};
use super::step::View;
use crate::evaluate::kernels::{SoftmaxLine, logsumexp};
use crate::{Axis, Reduction, Shape};
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};

fn mat<'a>(v: View<'a>) -> MatRef<'a, f64> {
    let s = v.shape;
    let needed = (s.rows - 1) * v.stride + s.cols;
    MatRef::from_row_major_slice_with_stride(&v.data[..needed], s.rows, s.cols, v.stride)
}

/// `out (+)= op(a)⋅op(b)`, op transposing when asked (a strided view, no
/// copy): by the skinny kernels when one side has few rows, else by faer.
/// A large product runs in pieces of rows of `out`, calling `stop` (the
/// Ctrl-C check) before each.
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm(
    out: &mut [f64],
    shape: Shape,
    a: View,
    ta: bool,
    b: View,
    tb: bool,
    acc: bool,
    par: Par,
    stop: &dyn Fn() -> crate::Result<()>,
) -> crate::Result<()> {
    if super::skinny::gemm(out, shape, a, ta, b, tb, acc) {
        return Ok(());
    }
    let (a, b) = (mat(a), mat(b));
    let a = if ta { a.transpose() } else { a };
    let b = if tb { b.transpose() } else { b };
    let beta = if acc { Accum::Add } else { Accum::Replace };
    let (m, n) = (shape.rows, shape.cols);
    let piece = piece_rows(m, a.ncols(), n);
    for (i0, chunk) in out.chunks_mut(piece * n.max(1)).enumerate() {
        stop()?;
        let i0 = i0 * piece;
        let rows = chunk.len() / n.max(1);
        let dst = MatMut::from_row_major_slice_mut(chunk, rows, n);
        matmul(dst, beta, a.subrows(i0, rows), b, 1.0, par);
    }
    Ok(())
}

/// The rows of an m×n product over k per piece: about 2²⁴ multiply-adds
/// (a few milliseconds), so Ctrl-C is seen soon.
pub(crate) fn piece_rows(m: usize, k: usize, n: usize) -> usize {
    (((1usize << 24) / k.max(1)) / n.max(1)).clamp(1, m.max(1))
}

/// `a^e` for a square matrix (n×n, row-major) and e ≥ 1, by squaring,
/// each product in pieces calling `stop` before each.
pub(crate) fn matpow(
    a: &[f64],
    n: usize,
    mut e: u64,
    par: Par,
    stop: &dyn Fn() -> crate::Result<()>,
) -> crate::Result<Vec<f64>> {
    let shape = Shape::new(n, n);
    // out = x⋅y
    let product = |out: &mut [f64], x: &[f64], y: &[f64]| {
        let (x, y) = (View::contiguous(x, shape), View::contiguous(y, shape));
        gemm(out, shape, x, false, y, false, false, par, stop)
    };
    let mut base = a.to_vec();
    let mut acc: Option<Vec<f64>> = None;
    let mut out = vec![0.0; n * n];
    loop {
        if e & 1 == 1 {
            acc = Some(match acc {
                None => base.clone(),
                Some(x) => {
                    product(&mut out, &x, &base)?;
                    std::mem::replace(&mut out, x)
                }
            });
        }
        e >>= 1;
        if e == 0 {
            break;
        }
        product(&mut out, &base, &base)?;
        std::mem::swap(&mut out, &mut base);
    }
    Ok(acc.unwrap_or(base))
}

/// A sum or log-sum-exp of `a` along `axis` into `out` (added when `acc`).
pub(crate) fn reduce(out: &mut [f64], r: Reduction, axis: Axis, a: View, acc: bool) {
    let s = a.shape;
    let mut put = |k: usize, x: f64| {
        if acc {
            out[k] += x;
        } else {
            out[k] = x;
        }
    };
    match (r, axis) {
        (Reduction::Sum, Axis::All) => {
            let total = (0..s.rows).map(|i| a.row(i).iter().sum::<f64>()).sum();
            put(0, total);
        }
        (Reduction::Sum, Axis::Rows) => {
            for i in 0..s.rows {
                put(i, a.row(i).iter().sum());
            }
        }
        (Reduction::Sum, Axis::Cols) => {
            let mut sums = a.row(0).to_vec();
            for i in 1..s.rows {
                sums.iter_mut().zip(a.row(i)).for_each(|(t, x)| *t += x);
            }
            sums.into_iter().enumerate().for_each(|(k, x)| put(k, x));
        }
        (Reduction::LogSumExp, Axis::Cols) => {
            let (max, log) = column_logs(a);
            for j in 0..s.cols {
                let lse = max[j] + log[j];
                put(
                    j,
                    if lse.is_finite() {
                        lse
                    } else {
                        logsumexp(&column(a, j))
                    },
                );
            }
        }
        (Reduction::LogSumExp, Axis::Rows) => {
            for_row_tiles(a, |i0, t| {
                let (max, log) = column_logs(t);
                for (k, (m, l)) in max.iter().zip(&log).enumerate() {
                    let lse = m + l;
                    let i = i0 + k;
                    put(
                        i,
                        if lse.is_finite() {
                            lse
                        } else {
                            logsumexp(a.row(i))
                        },
                    );
                }
            });
        }
        (Reduction::LogSumExp, Axis::All) => {
            let all: Vec<f64> = (0..s.rows).flat_map(|i| a.row(i).to_vec()).collect();
            put(0, logsumexp(&all));
        }
    }
}

lanes_fn! {
    /// `total[j] += exp(row[j] − max[j])`, each `row[j] ≤ max[j]`.
    fn add_exps(total: &mut [f64], row: &[f64], max: &[f64]) {
        for ((t, &x), &m) in total.iter_mut().zip(row).zip(max) {
            *t += exp_neg_abs::<M>(x - m);
        }
    }
}

lanes_fn! {
    /// `max[j] = max(max[j], row[j])`.
    fn max_into(max: &mut [f64], row: &[f64]) {
        for (m, &x) in max.iter_mut().zip(row) {
            *m = m.max(x);
        }
    }
}

lanes_fn! {
    /// `out[j] = exp(row[j] − max[j])`, added to `total[j]`; each
    /// `row[j] ≤ max[j]`.
    fn kept_exps(out: &mut [f64], total: &mut [f64], row: &[f64], max: &[f64]) {
        for (((o, t), &x), &m) in out.iter_mut().zip(total.iter_mut()).zip(row).zip(max) {
            *o = exp_neg_abs::<M>(x - m);
            *t += *o;
        }
    }
}

lanes_fn! {
    /// `row[j] *= scale[j]`.
    fn scale_by(row: &mut [f64], scale: &[f64]) {
        for (x, &c) in row.iter_mut().zip(scale) {
            *x *= c;
        }
    }
}

lanes_fn! {
    /// `out[j] = exp(row[j] − shift)⋅scale`, each `row[j] ≤ shift`.
    fn row_exps(out: &mut [f64], row: &[f64], shift: f64, scale: f64) {
        for (o, &x) in out.iter_mut().zip(row) {
            *o = exp_neg_abs::<M>(x - shift) * scale;
        }
    }
}

/// The maximum and shifted total of every row; `None` for a row that is
/// not all finite, which the exact per-line rules handle. Computed as the
/// columns of transposed tiles of rows, so the loops run across rows and
/// vectorise however short the rows are.
fn row_lines(a: View) -> Vec<Option<SoftmaxLine>> {
    let mut lines = Vec::with_capacity(a.shape.rows);
    for_row_tiles(a, |_, t| lines.extend(column_lines(t, None)));
    lines
}

/// Calls `f(i0, t)` for each tile of up to 64 rows of `a` from row `i0`,
/// transposed (`t` is cols × rows), so that loops down its columns run
/// across the rows of `a`.
fn for_row_tiles(a: View, mut f: impl FnMut(usize, View)) {
    const TILE: usize = 64;
    let s = a.shape;
    let mut t = Vec::new();
    for i0 in (0..s.rows).step_by(TILE) {
        let h = TILE.min(s.rows - i0);
        t.clear();
        t.resize(h * s.cols, 0.0);
        for i in 0..h {
            for (j, &x) in a.row(i0 + i).iter().enumerate() {
                t[j * h + i] = x;
            }
        }
        f(i0, View::contiguous(&t, Shape::new(s.cols, h)));
    }
}

/// The largest entry of each column (NaNs passed over).
fn column_max(a: View) -> Vec<f64> {
    let mut max = a.row(0).to_vec();
    for i in 1..a.shape.rows {
        max_into(&mut max, a.row(i));
    }
    max
}

fn column(a: View, j: usize) -> Vec<f64> {
    (0..a.shape.rows).map(|i| a.at(i, j)).collect()
}

/// The maximum and shifted total of every column, computed row by row (so
/// the loops run along memory); `None` for a column that is not all finite,
/// which the exact per-line rules handle. With `exps`, each shifted
/// exponential `exp(a[i, j] − max[j])` is also kept there (row-major).
fn column_lines(a: View, mut exps: Option<&mut [f64]>) -> Vec<Option<SoftmaxLine>> {
    let s = a.shape;
    let max = column_max(a);
    let mut total = vec![0.0; s.cols];
    for i in 0..s.rows {
        match exps.as_deref_mut() {
            Some(e) => kept_exps(
                &mut e[i * s.cols..(i + 1) * s.cols],
                &mut total,
                a.row(i),
                &max,
            ),
            None => add_exps(&mut total, a.row(i), &max),
        }
    }
    max.into_iter()
        .zip(total)
        .map(|(max, total)| {
            (max.is_finite() && total.is_finite()).then_some(SoftmaxLine { max, total })
        })
        .collect()
}

lanes_fn! {
    /// `rest[j] += exp(row[j] − max[j])` for the entries below their
    /// column's maximum, `count[j] += 1` for those at it.
    fn add_exps_below_max(rest: &mut [f64], count: &mut [f64], row: &[f64], max: &[f64]) {
        for (((r, c), &x), &m) in rest.iter_mut().zip(count.iter_mut()).zip(row).zip(max) {
            let at_max = x == m;
            let e = exp_neg_abs::<M>(x - m);
            *r += if at_max { 0.0 } else { e };
            *c += if at_max { 1.0 } else { 0.0 };
        }
    }
}

lanes_fn! {
    /// `out[j] = (row[j] − max[j]) − log[j]`.
    fn shifted_less(out: &mut [f64], row: &[f64], max: &[f64], log: &[f64]) {
        for (((o, &x), &m), &l) in out.iter_mut().zip(row).zip(max).zip(log) {
            *o = (x - m) - l;
        }
    }
}

/// `log(softmax(a))` along `axis` into `out`, as `(a − max) − log(total)`
/// with the total's terms at the maximum counted apart: where one entry is
/// the largest, `log(total)` is `log1p` of the others' exponentials, so the
/// log-probability of a sure class keeps its digits (`a − logsumexp(a)`
/// rounds at the size of the maximum: −1.38876e-11 for −1.3887944e-11 at
/// a margin of 25).
pub(crate) fn log_softmax(out: &mut [f64], axis: Axis, a: View) {
    let s = a.shape;
    match axis {
        Axis::Cols => log_softmax_columns(out, a),
        Axis::Rows => {
            let mut u = Vec::new();
            for_row_tiles(a, |i0, t| {
                let h = t.shape.cols;
                u.resize(t.shape.len(), 0.0);
                log_softmax_columns(&mut u, t);
                for i in 0..h {
                    for j in 0..s.cols {
                        out[(i0 + i) * s.cols + j] = u[j * h + i];
                    }
                }
            });
        }
        Axis::All => {
            let all: Vec<f64> = (0..s.rows).flat_map(|i| a.row(i).to_vec()).collect();
            log_softmax_columns(out, View::contiguous(&all, Shape::new(all.len(), 1)));
        }
    }
}

/// The largest entry of each column and the log of its shifted total,
/// `log Σᵢ exp(a[i, j] − max[j])`, with the terms at the maximum counted
/// apart: where one entry is the largest, the log is `log1p` of the others'
/// exponentials, so that `max + log` (a log-sum-exp) and `a − max − log` (a
/// log-softmax) keep their digits near 0 (`max + ln(total)` rounds at the
/// size of 1: logsumexp(0, −30) = 9.3576e-14 came out 2e-4 off).
fn column_logs(a: View) -> (Vec<f64>, Vec<f64>) {
    let s = a.shape;
    let max = column_max(a);
    let (mut rest, mut count) = (vec![0.0; s.cols], vec![0.0; s.cols]);
    for i in 0..s.rows {
        add_exps_below_max(&mut rest, &mut count, a.row(i), &max);
    }
    let log = rest
        .iter()
        .zip(&count)
        .map(|(&r, &c)| if c == 1.0 { r.ln_1p() } else { (c + r).ln() })
        .collect();
    (max, log)
}

/// [`log_softmax`] down each column.
fn log_softmax_columns(out: &mut [f64], a: View) {
    let s = a.shape;
    let (max, log) = column_logs(a);
    for (i, o) in out.chunks_exact_mut(s.cols).enumerate() {
        shifted_less(o, a.row(i), &max, &log);
    }
    // Columns that are not all finite: x − logsumexp, by its exact rules.
    for j in 0..s.cols {
        if !(max[j].is_finite() && log[j].is_finite()) {
            let c = column(a, j);
            let l = logsumexp(&c);
            for (i, x) in c.into_iter().enumerate() {
                out[i * s.cols + j] = x - l;
            }
        }
    }
}

/// Softmax of `a` along `axis` into `out`.
pub(crate) fn softmax(out: &mut [f64], axis: Axis, a: View) {
    let s = a.shape;
    match axis {
        Axis::Cols => {
            // The shifted exponentials, then each column times 1/total.
            let lines = column_lines(a, Some(out));
            let scale: Vec<f64> = lines
                .iter()
                .map(|l| l.as_ref().map_or(0.0, |l| 1.0 / l.total))
                .collect();
            for row in out.chunks_exact_mut(s.cols) {
                scale_by(row, &scale);
            }
            // Columns that are not all finite, by the exact per-line rules.
            for (j, l) in lines.iter().enumerate() {
                if l.is_none() {
                    let exact = SoftmaxLine::of(&column(a, j));
                    for i in 0..s.rows {
                        out[i * s.cols + j] = exact.value(a.at(i, j));
                    }
                }
            }
        }
        Axis::Rows => {
            for (i, l) in row_lines(a).into_iter().enumerate() {
                let row = &mut out[i * s.cols..(i + 1) * s.cols];
                let l = l.unwrap_or_else(|| SoftmaxLine::of(a.row(i)));
                if l.max.is_finite() && l.total.is_finite() {
                    row_exps(row, a.row(i), l.max, 1.0 / l.total);
                } else {
                    row.iter_mut()
                        .zip(a.row(i))
                        .for_each(|(o, &x)| *o = l.value(x));
                }
            }
        }
        Axis::All => {
            let all: Vec<f64> = (0..s.rows).flat_map(|i| a.row(i).to_vec()).collect();
            let l = SoftmaxLine::of(&all);
            out.iter_mut().zip(&all).for_each(|(o, &x)| *o = l.value(x));
        }
    }
}
