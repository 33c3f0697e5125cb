//! Square-matrix linear algebra on f64 values through faer: an LU
//! factorisation with partial pivoting gives the solution of `A⋅X = B`
//! (by triangular solves, never forming `A⁻¹`), the inverse, the
//! determinant and `log |det|` (the sum of the logs of the pivots, so it
//! stays finite where the determinant itself would overflow or underflow).

use super::{Values, kernels::filled};
use crate::{Error, Result};
use faer::linalg::solvers::{DenseSolveCore, PartialPivLu, Solve};
use faer::{Mat, Par};

/// Runs the factorisations on `n` threads. faer takes this from a
/// process-wide setting, which is otherwise all of rayon's threads: on two
/// cores, `evalpoints` of a gradient through a 3×3 `solve` and `logdet` at
/// 20 000 points took 1.2 s waking threads, against 0.08 s on one.
pub(crate) fn use_threads(n: usize) {
    faer::set_global_parallelism(if n > 1 { Par::rayon(n) } else { Par::Seq });
}

/// The square matrix `a` as a faer matrix, or an error naming `op`.
fn square(a: &Values, op: &'static str) -> Result<Mat<f64>> {
    let n = a.shape.rows;
    if a.shape.cols != n {
        return Err(Error::BadShape {
            op,
            shape: a.shape,
            expected: "a square matrix",
        });
    }
    Ok(Mat::from_fn(n, n, |i, j| a.get(i, j)))
}

/// The LU factors of `a`, or `None` when a pivot is no larger than
/// n⋅ε⋅max|a| (the matrix is singular to working precision).
fn factor(a: &Mat<f64>) -> (PartialPivLu<f64>, bool) {
    let n = a.nrows();
    let lu = a.partial_piv_lu();
    let largest = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .fold(0.0_f64, |m, (i, j)| m.max(a[(i, j)].abs()));
    let tolerance = n as f64 * f64::EPSILON * largest;
    let u = lu.U();
    let singular = (0..n).any(|k| u[(k, k)].abs() <= tolerance);
    (lu, singular)
}

/// The inverse of a square matrix. A (numerically) singular matrix is a
/// domain error; non-finite input gives NaN.
pub(crate) fn inverse(a: &Values) -> Result<Values> {
    let m = square(a, "inv")?;
    if a.data.iter().any(|x| !x.is_finite()) {
        return Values::from_fn(a.shape, |_, _| f64::NAN);
    }
    let (lu, singular) = factor(&m);
    if singular {
        return Err(Error::Domain(
            "the matrix is singular, so it has no inverse".into(),
        ));
    }
    let inv = lu.inverse();
    Values::from_fn(a.shape, |i, j| inv[(i, j)])
}

/// `a⁻ᵏ⋅b` for k = `times` ≥ 1: the solution of `a⋅x = b` (repeated k
/// times) from one LU factorisation of `a`, more accurate than multiplying
/// by the inverse when `a` is ill-conditioned. A (numerically) singular
/// `a` is a domain error; non-finite input gives NaN.
pub(crate) fn solve(a: &Values, b: &Values, times: u64) -> Result<Values> {
    let m = square(a, "solve")?;
    let n = m.nrows();
    if b.shape.rows != n {
        return Err(Error::ShapeMismatch {
            op: "solve",
            left: a.shape,
            right: b.shape,
        });
    }
    if a.data.iter().chain(&b.data).any(|x| !x.is_finite()) {
        return Values::from_fn(b.shape, |_, _| f64::NAN);
    }
    let (lu, singular) = factor(&m);
    if singular {
        return Err(Error::Domain(
            "the matrix of solve(A, B) is singular (to working precision): A⋅X = B has no unique solution".into(),
        ));
    }
    let mut x = Mat::from_fn(n, b.shape.cols, |i, j| b.get(i, j));
    for _ in 0..times {
        lu.solve_in_place(x.as_mut());
    }
    Values::from_fn(b.shape, |i, j| x[(i, j)])
}

/// The determinant of a square matrix (faer's LU with partial pivoting:
/// the product of the pivots, signed by the row swaps), as a 1×1 value.
pub(crate) fn det(a: &Values) -> Result<Values> {
    let m = square(a, "det")?;
    filled(crate::Shape::SCALAR, [m.determinant()])
}

/// `log |det a|` of a square matrix, as a 1×1 value: −∞ for a singular one.
pub(crate) fn logdet(a: &Values) -> Result<Values> {
    let m = square(a, "logdet")?;
    let u = m.partial_piv_lu();
    let u = u.U();
    let total = (0..m.nrows()).map(|k| u[(k, k)].abs().ln()).sum::<f64>();
    filled(crate::Shape::SCALAR, [total])
}
