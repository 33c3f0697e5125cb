//! Square-matrix functions: the inverse (`inv(A)`, `A^-1`), `solve(A, b)`,
//! `det(A)` and `logdet(A)` = log |det A|. Exact matrices fold exactly (by
//! Gaussian elimination over the rationals), float data through faer, small
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

    /// `solve(A, B)`: the `X` with `A⋅X = B`, that is `A⁻¹⋅B`.
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
                let v = linalg::logdet(&float_values(&d)?)?;
                self.float(v.data[0])
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
                "the determinant or inverse of a {n}×{n} matrix element by element \
                 (as evalpoints needs; at most {COFACTOR_LIMIT}×{COFACTOR_LIMIT}): use eval"
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
