//! Square-matrix functions: the inverse (`inv(A)`, `A^-1`), `solve(A, b)`,
//! `det(A)` and `logdet(A)` = log |det A|. Exact matrices fold exactly (by
//! Gaussian elimination over the rationals), float data through faer's LU
//! with partial pivoting (`solve` by triangular solves, not the inverse), small
//! explicit matrices of expressions by cofactor expansion; anything else
//! stays one node, differentiated by the Matrix Cookbook's rules.

use crate::arith::FOLD_LIMIT;
use crate::evaluate::{Values, linalg};
use crate::{Dense, DenseData, Error, ExprId, Func, Node, Num, Pool, Result, Shape};

/// The largest matrix whose determinant or inverse is written out element
/// by element (cofactor expansion: 24 terms at 4×4).
pub(crate) const COFACTOR_LIMIT: usize = 4;

/// The largest exact matrix whose inverse or determinant is folded exactly.
const EXACT_LIMIT: usize = 64;

impl Pool {
    /// The inverse `A⁻¹` of a square matrix; `A^-1` is the same.
    pub fn inv(&mut self, a: ExprId) -> Result<ExprId> {
        let m = self.int(-1)?;
        self.power(a, m)
    }

    /// `solve(A, B)`: the `X` with `A⋅X = B`, that is `A⁻¹⋅B`. Float data
    /// folds at once by an LU factorisation of `A` and triangular solves
    /// (never through the inverse: more accurate when `A` is
    /// ill-conditioned); otherwise the product `A⁻¹⋅B`, which evaluation
    /// computes by the same solves.
    pub fn solve(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let (sa, sb) = (self.shape(a), self.shape(b));
        self.square(a, "solve")?;
        if sb.rows != sa.rows {
            return Err(Error::ShapeMismatch {
                op: "solve",
                left: sa,
                right: sb,
            });
        }
        if let (Node::Dense(da), Node::Dense(db)) = (self.node(a), self.node(b))
            && !(da.is_exact() && db.is_exact())
            && sa.len() <= FOLD_LIMIT
            && sb.len() <= FOLD_LIMIT
        {
            let x = linalg::solve(&float_values(da)?, &float_values(db)?, 1)?;
            return self.dense(Dense::from_f64(sb, x.data)?);
        }
        let inv = self.inv(a)?;
        self.matmul(inv, b)
    }

    /// The determinant of a square matrix.
    pub fn det(&mut self, a: ExprId) -> Result<ExprId> {
        let n = self.square(a, "det")?;
        if n == 1 {
            return Ok(a);
        }
        match self.node(a).clone() {
            Node::Dense(d) if d.is_exact() && n <= EXACT_LIMIT => self.num(exact_det(n, d.nums())),
            Node::Dense(d) if !d.is_exact() && d.shape().len() <= FOLD_LIMIT => {
                let v = linalg::det(&float_values(&d)?)?;
                self.float(v.data[0])
            }
            Node::Matrix { entries, .. } if n <= COFACTOR_LIMIT => self.laplace_det(n, &entries),
            _ => self.intern(Node::Det(a), Shape::SCALAR),
        }
    }

    /// `logdet(A)` = log |det A| of a square matrix (as NumPy's `slogdet`).
    pub fn logdet(&mut self, a: ExprId) -> Result<ExprId> {
        let n = self.square(a, "logdet")?;
        match self.node(a).clone() {
            Node::Dense(d) if !d.is_exact() && d.shape().len() <= FOLD_LIMIT => {
                let v = linalg::logdet(&float_values(&d)?)?.data[0];
                if v == f64::NEG_INFINITY {
                    return Err(Error::Domain(
                        "logdet of a singular matrix (det 0) is −∞".into(),
                    ));
                }
                self.float(v)
            }
            _ if n == 1 || self.is_explicit(a) && n <= COFACTOR_LIMIT => {
                let det = self.det(a)?;
                let abs = self.apply(Func::Abs, det)?;
                self.apply(Func::Log, abs)
            }
            Node::Dense(_) if n <= EXACT_LIMIT => {
                let det = self.det(a)?;
                let abs = self.apply(Func::Abs, det)?;
                self.apply(Func::Log, abs)
            }
            _ => self.intern(Node::LogDet(a), Shape::SCALAR),
        }
    }

    /// `A⁻ᵀ`, the gradient of log |det A|.
    pub(crate) fn inverse_transpose(&mut self, a: ExprId) -> Result<ExprId> {
        let inv = self.inv(a)?;
        self.transpose(inv)
    }

    /// `Aⁿ` for n < 0: folded for numeric matrices, else a power node.
    pub(crate) fn inverse_power(&mut self, a: ExprId, n: i64) -> Result<ExprId> {
        let rows = self.shape(a).rows;
        let inverse = match self.node(a).clone() {
            Node::Dense(d) if d.is_exact() && rows <= EXACT_LIMIT => {
                let inv = exact_inverse(rows, d.nums())?;
                Some(self.dense(Dense::new(d.shape(), DenseData::Exact(inv))?)?)
            }
            Node::Dense(d) if !d.is_exact() && d.shape().len() <= FOLD_LIMIT => {
                let inv = linalg::inverse(&float_values(&d)?)?;
                Some(self.dense(Dense::from_f64(d.shape(), inv.data)?)?)
            }
            Node::Matrix { shape, entries } if rows <= COFACTOR_LIMIT => {
                let mut inv = Vec::with_capacity(entries.len());
                for i in 0..rows {
                    for j in 0..rows {
                        inv.push(self.inverse_entry(rows, &entries, i, j)?);
                    }
                }
                Some(self.matrix(shape, inv)?)
            }
            Node::MatPow(x, k) => {
                let kn = k.checked_mul(n).ok_or_else(|| {
                    Error::TooLarge("the exponent of a matrix power is too large".into())
                })?;
                let kn = self.int(kn)?;
                return self.power(x, kn);
            }
            _ => None,
        };
        match inverse {
            Some(inv) => {
                let m = self.int(-n)?;
                self.power(inv, m)
            }
            None => self.intern(Node::MatPow(a, n), self.shape(a)),
        }
    }

    /// n for an n×n matrix, else an error naming `op`.
    fn square(&self, a: ExprId, op: &'static str) -> Result<usize> {
        let s = self.shape(a);
        if s.rows != s.cols {
            return Err(Error::BadShape {
                op,
                shape: s,
                expected: "a square matrix",
            });
        }
        Ok(s.rows)
    }

    /// The n×n entries (row-major) of the element view of `x`, for the
    /// cofactor formulas; an error past [`COFACTOR_LIMIT`].
    pub(crate) fn explicit_entries(
        &mut self,
        x: ExprId,
        at: &mut impl FnMut(&mut Pool, ExprId, usize, usize) -> Result<ExprId>,
    ) -> Result<Vec<ExprId>> {
        let n = self.shape(x).rows;
        if n > COFACTOR_LIMIT {
            return Err(Error::TooLarge(format!(
                "the determinant or inverse of a {n}×{n} matrix is too large to write \
                 element by element (at most {COFACTOR_LIMIT}×{COFACTOR_LIMIT}): eval computes it in numbers"
            )));
        }
        let mut entries = Vec::with_capacity(n * n);
        for i in 0..n {
            for j in 0..n {
                entries.push(at(self, x, i, j)?);
            }
        }
        Ok(entries)
    }

    /// The determinant of the n×n matrix of scalar `entries`, by cofactor
    /// expansion along the first row.
    pub(crate) fn laplace_det(&mut self, n: usize, entries: &[ExprId]) -> Result<ExprId> {
        if n == 1 {
            return Ok(entries[0]);
        }
        let mut terms = Vec::with_capacity(n);
        for j in 0..n {
            let c = self.cofactor(n, entries, 0, j)?;
            terms.push(self.mul(&[entries[j], c])?);
        }
        self.add(&terms)
    }

    /// The cofactor (−1)ⁱ⁺ʲ⋅det(minor without row i and column j).
    fn cofactor(&mut self, n: usize, entries: &[ExprId], i: usize, j: usize) -> Result<ExprId> {
        let minor: Vec<ExprId> = (0..n)
            .filter(|&r| r != i)
            .flat_map(|r| (0..n).filter(move |&c| c != j).map(move |c| (r, c)))
            .map(|(r, c)| entries[r * n + c])
            .collect();
        let d = self.laplace_det(n - 1, &minor)?;
        if (i + j) % 2 == 1 { self.neg(d) } else { Ok(d) }
    }

    /// Element (i, j) of the inverse of the n×n matrix of `entries`:
    /// the cofactor (j, i) over the determinant.
    pub(crate) fn inverse_entry(
        &mut self,
        n: usize,
        entries: &[ExprId],
        i: usize,
        j: usize,
    ) -> Result<ExprId> {
        let det = self.laplace_det(n, entries)?;
        let c = if n == 1 {
            self.int(1)?
        } else {
            self.cofactor(n, entries, j, i)?
        };
        let m = self.int(-1)?;
        let r = self.pow(det, m)?;
        self.mul(&[c, r])
    }
}

/// The numbers of float data as an f64 value.
fn float_values(d: &Dense) -> Result<Values> {
    let data = match d.data() {
        DenseData::Float(v) => v.to_vec(),
        DenseData::Exact(v) => v.iter().map(Num::to_f64).collect(),
    };
    Values::new(d.shape(), data)
}

fn sub(a: &Num, b: &Num) -> Num {
    a.add(&b.neg())
}

/// The determinant of an exact n×n matrix (row-major), by Gaussian
/// elimination over the rationals (exact, so any non-zero pivot will do).
pub(crate) fn exact_det(n: usize, mut m: Vec<Num>) -> Num {
    let mut det = Num::one();
    for col in 0..n {
        let Some(p) = (col..n).find(|&r| !m[r * n + col].is_zero()) else {
            return Num::zero();
        };
        if p != col {
            swap_rows(&mut m, n, p, col);
            det = det.neg();
        }
        let pivot = m[col * n + col].clone();
        det = det.mul(&pivot);
        let inv = pivot.recip().unwrap_or_else(|_| Num::zero());
        for r in col + 1..n {
            let f = m[r * n + col].mul(&inv);
            if f.is_zero() {
                continue;
            }
            for c in col..n {
                m[r * n + c] = sub(&m[r * n + c], &f.mul(&m[col * n + c]));
            }
        }
    }
    det
}

/// The inverse of an exact n×n matrix by Gauss–Jordan elimination over the
/// rationals; a singular matrix is a domain error.
pub(crate) fn exact_inverse(n: usize, mut m: Vec<Num>) -> Result<Vec<Num>> {
    let mut inv: Vec<Num> = (0..n * n)
        .map(|k| {
            if k / n == k % n {
                Num::one()
            } else {
                Num::zero()
            }
        })
        .collect();
    for col in 0..n {
        let p = (col..n)
            .find(|&r| !m[r * n + col].is_zero())
            .ok_or_else(|| Error::Domain("the matrix is singular, so it has no inverse".into()))?;
        swap_rows(&mut m, n, p, col);
        swap_rows(&mut inv, n, p, col);
        let r = m[col * n + col].recip()?;
        for c in 0..n {
            m[col * n + c] = m[col * n + c].mul(&r);
            inv[col * n + c] = inv[col * n + c].mul(&r);
        }
        for row in (0..n).filter(|&row| row != col) {
            let f = m[row * n + col].clone();
            if f.is_zero() {
                continue;
            }
            for c in 0..n {
                m[row * n + c] = sub(&m[row * n + c], &f.mul(&m[col * n + c]));
                inv[row * n + c] = sub(&inv[row * n + c], &f.mul(&inv[col * n + c]));
            }
        }
    }
    Ok(inv)
}

fn swap_rows(d: &mut [Num], n: usize, r: usize, s: usize) {
    if r != s {
        for j in 0..n {
            d.swap(r * n + j, s * n + j);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Error, ExprId, Pool, Shape, Values};
    use std::collections::HashMap;

    /// The n×n Hilbert matrix 1/(i + j + 1), condition number ≈ 1.6e13 at
    /// n = 10, in floats.
    fn hilbert(n: usize) -> Values {
        Values::from_fn(Shape::new(n, n), |i, j| 1.0 / (i + j + 1) as f64).unwrap()
    }

    /// max |A⋅x − b|, in f64.
    fn residual(a: &Values, x: &Values, b: &Values) -> f64 {
        let n = a.shape.rows;
        (0..n)
            .map(|i| ((0..n).map(|k| a.get(i, k) * x.get(k, 0)).sum::<f64>() - b.get(i, 0)).abs())
            .fold(0.0, f64::max)
    }

    /// `solve(M, v)` with M and v symbols, evaluated at `a`, `b` by the
    /// interpreter and by a compiled program; both are returned.
    fn solve_both_ways(a: &Values, b: &Values) -> [Result<Values, Error>; 2] {
        let mut pool = Pool::new();
        let m = pool.symbol("M", a.shape).unwrap();
        let v = pool.symbol("v", b.shape).unwrap();
        let x = pool.solve(m, v).unwrap();
        let bindings: HashMap<ExprId, Values> = [(m, a.clone()), (v, b.clone())].into();
        let interpreted = pool.evaluate(x, &bindings);
        let compiled = pool
            .compile(&[x], &[m, v])
            .and_then(|mut p| p.run(&[a, b]))
            .map(|mut out| out.remove(0));
        [interpreted, compiled]
    }

    #[test]
    fn solve_matches_a_hand_solved_system() {
        // [2 1 1; 4 −6 0; −2 7 2]⋅x = [5; −2; 9] has x = [1; 1; 2] (by hand:
        // 2 + 1 + 2 = 5, 4 − 6 = −2, −2 + 7 + 4 = 9); the first pivot step
        // swaps rows.
        let a = Values::new(
            Shape::new(3, 3),
            vec![2.0, 1.0, 1.0, 4.0, -6.0, 0.0, -2.0, 7.0, 2.0],
        )
        .unwrap();
        let b = Values::new(Shape::new(3, 1), vec![5.0, -2.0, 9.0]).unwrap();
        for x in solve_both_ways(&a, &b) {
            let x = x.unwrap();
            for (g, w) in x.data.iter().zip([1.0, 1.0, 2.0]) {
                assert!((g - w).abs() < 1e-14, "{x:?}");
            }
        }
    }

    #[test]
    fn solve_is_more_accurate_than_the_inverse_on_an_ill_conditioned_matrix() {
        let n = 10;
        let a = hilbert(n);
        // b = H⋅1, so the exact solution is all ones.
        let b = Values::from_fn(Shape::new(n, 1), |i, _| {
            (0..n).map(|k| a.get(i, k)).sum::<f64>()
        })
        .unwrap();
        let inverse = super::linalg::inverse(&a).unwrap();
        let by_inverse = Values::from_fn(Shape::new(n, 1), |i, _| {
            (0..n).map(|k| inverse.get(i, k) * b.get(k, 0)).sum::<f64>()
        })
        .unwrap();
        let r_inverse = residual(&a, &by_inverse, &b);
        for x in solve_both_ways(&a, &b) {
            let r_solve = residual(&a, &x.unwrap(), &b);
            // Backward stable: a residual of a few ulps of ‖b‖ (≈ 2.9);
            // NumPy's inv(H) @ b leaves about 1e-4 here.
            assert!(r_solve < 1e-14, "solve leaves a residual of {r_solve:e}");
            assert!(
                r_inverse > 1e3 * r_solve,
                "inv-then-multiply leaves {r_inverse:e}, solve {r_solve:e}"
            );
        }
    }

    #[test]
    fn solve_folds_float_data_by_lu() {
        let mut pool = Pool::new();
        let a = hilbert(10);
        let b = Values::from_fn(Shape::new(10, 1), |i, _| {
            (0..10).map(|k| a.get(i, k)).sum::<f64>()
        })
        .unwrap();
        let da = pool
            .dense(crate::Dense::from_f64(a.shape, a.data.clone()).unwrap())
            .unwrap();
        let db = pool
            .dense(crate::Dense::from_f64(b.shape, b.data.clone()).unwrap())
            .unwrap();
        let x = pool.solve(da, db).unwrap();
        assert!(matches!(pool.node(x), crate::Node::Dense(_)));
        let x = pool.evaluate(x, &HashMap::new()).unwrap();
        assert!(residual(&a, &x, &b) < 1e-14);
    }

    #[test]
    fn solve_with_a_singular_matrix_is_a_clear_error() {
        let a = Values::new(Shape::new(2, 2), vec![1.0, 2.0, 2.0, 4.0]).unwrap();
        let b = Values::new(Shape::new(2, 1), vec![1.0, 2.0]).unwrap();
        for x in solve_both_ways(&a, &b) {
            match x {
                Err(Error::Domain(msg)) => {
                    assert!(msg.contains("singular") && msg.contains("solve"), "{msg}")
                }
                other => panic!("expected a domain error, got {other:?}"),
            }
        }
    }

    #[test]
    fn inverse_powers_times_a_matrix_are_repeated_solves() {
        // [4 7; 2 6]⁻² = [0.5 −0.7; −0.2 0.3] (by hand: the inverse is
        // [0.6 −0.7; −0.2 0.4], squared), times [1; 1] = [−0.2; 0.1].
        let a = Values::new(Shape::new(2, 2), vec![4.0, 7.0, 2.0, 6.0]).unwrap();
        let b = Values::new(Shape::new(2, 1), vec![1.0, 1.0]).unwrap();
        let mut pool = Pool::new();
        let m = pool.symbol("M", a.shape).unwrap();
        let v = pool.symbol("v", b.shape).unwrap();
        let k = pool.int(-2).unwrap();
        let p = pool.power(m, k).unwrap();
        let x = pool.matmul(p, v).unwrap();
        let bindings: HashMap<ExprId, Values> = [(m, a.clone()), (v, b.clone())].into();
        let interpreted = pool.evaluate(x, &bindings).unwrap();
        let compiled = pool.compile(&[x], &[m, v]).unwrap().run(&[&a, &b]).unwrap();
        for got in [&interpreted, &compiled[0]] {
            for (g, w) in got.data.iter().zip([-0.2, 0.1]) {
                assert!((g - w).abs() < 1e-14, "{got:?}");
            }
        }
    }
}
