//! Constant folding over numbers and dense matrices, with broadcasting.

use crate::num::{bounded_product, check_exact_size};
use crate::{Dense, DenseData, Error, Num, Pool, Result, Shape};

/// A folded constant: a scalar number or a dense matrix.
#[derive(Clone, Debug)]
pub(crate) enum Numeric {
    Scalar(Num),
    Matrix(Dense),
}

/// Dense results larger than this are not folded element by element in exact arithmetic.
const MAX_EXACT_FOLD: usize = 1 << 20;

impl Numeric {
    pub fn shape(&self) -> Shape {
        match self {
            Numeric::Scalar(_) => Shape::SCALAR,
            Numeric::Matrix(d) => d.shape(),
        }
    }

    /// The exact numbers, row-major (one for a scalar); `None` for floats.
    fn exact_nums(&self) -> Option<&[Num]> {
        match self {
            Numeric::Scalar(n) => n.is_exact().then_some(std::slice::from_ref(n)),
            Numeric::Matrix(d) => match d.data() {
                DenseData::Exact(v) => Some(v),
                DenseData::Float(_) => None,
            },
        }
    }

    fn at_f64(&self, i: usize, j: usize) -> f64 {
        match self {
            Numeric::Scalar(n) => n.to_f64(),
            Numeric::Matrix(d) => {
                let k = broadcast_index(d.shape(), i, j);
                match d.data() {
                    DenseData::Float(v) => v[k],
                    DenseData::Exact(v) => v[k].to_f64(),
                }
            }
        }
    }

    /// Combines two operands elementwise with broadcasting: exactly when both
    /// are exact, in f64 otherwise. An exact operation on a big number first
    /// checks the interrupt of `pool` (big numbers are slow), and an exact
    /// result over [`crate::MAX_EXACT_BITS`] is an error at once, so a fold
    /// of many big numbers stays bounded and stops at Ctrl-C.
    pub fn zip(
        &self,
        other: &Numeric,
        op: &'static str,
        pool: &Pool,
        exact: impl Fn(&Num, &Num) -> Result<Num>,
        float: impl Fn(f64, f64) -> f64,
    ) -> Result<Numeric> {
        // Numbers that fit machine words are quick to combine and far below
        // the limit: they need no size check, and the interrupt only every
        // few thousand.
        let small_ops = std::cell::Cell::new(0u32);
        let exact = |a: &Num, b: &Num| {
            if a.is_small() && b.is_small() {
                small_ops.set(small_ops.get().wrapping_add(1));
                if small_ops.get().is_multiple_of(4096) {
                    pool.check_interrupt()?;
                }
                return exact(a, b);
            }
            pool.check_interrupt()?;
            let n = exact(a, b)?;
            check_exact_size(&n)?;
            Ok(n)
        };
        let shape = self
            .shape()
            .broadcast(other.shape())
            .ok_or(Error::ShapeMismatch {
                op,
                left: self.shape(),
                right: other.shape(),
            })?;
        if let (Numeric::Scalar(a), Numeric::Scalar(b)) = (self, other) {
            return Ok(Numeric::Scalar(if a.is_exact() && b.is_exact() {
                exact(a, b)?
            } else {
                Num::Float(float(a.to_f64(), b.to_f64()))
            }));
        }
        let data = match (self.exact_nums(), other.exact_nums()) {
            (Some(a), Some(b)) if shape.len() <= MAX_EXACT_FOLD => {
                let (sa, sb) = (self.shape(), other.shape());
                // Where element k of the result lies in an operand of shape
                // `s` broadcast to it.
                let at = |s: Shape, k: usize| broadcast_index(s, k / shape.cols, k % shape.cols);
                let data = (0..shape.len()).map(|k| {
                    let x = if sa == shape { &a[k] } else { &a[at(sa, k)] };
                    let y = if sb == shape { &b[k] } else { &b[at(sb, k)] };
                    exact(x, y)
                });
                DenseData::Exact(data.collect::<Result<_>>()?)
            }
            _ => {
                let cells = (0..shape.rows).flat_map(|i| (0..shape.cols).map(move |j| (i, j)));
                DenseData::Float(
                    cells
                        .map(|(i, j)| float(self.at_f64(i, j), other.at_f64(i, j)))
                        .collect(),
                )
            }
        };
        Ok(Numeric::Matrix(Dense::new(shape, data)?))
    }

    pub fn add(&self, other: &Numeric, pool: &Pool) -> Result<Numeric> {
        self.zip(other, "+", pool, |a, b| Ok(a.add(b)), |a, b| a + b)
    }

    pub fn mul(&self, other: &Numeric, pool: &Pool) -> Result<Numeric> {
        self.zip(other, ".*", pool, bounded_product, |a, b| a * b)
    }

    /// True when every element is zero.
    pub fn is_zero(&self) -> bool {
        match self {
            Numeric::Scalar(n) => n.is_zero(),
            Numeric::Matrix(d) => d.is_zero(),
        }
    }
}

/// Where element (i, j) of a broadcast result lies in a row-major operand
/// of shape `s`: in its one row or column, or at its one number.
fn broadcast_index(s: Shape, i: usize, j: usize) -> usize {
    let (i, j) = (
        if s.rows == 1 { 0 } else { i },
        if s.cols == 1 { 0 } else { j },
    );
    i * s.cols + j
}

/// Applies `f` to every element of a dense matrix, exactly when it is exact
/// (checking the interrupt of `pool` before each exact element).
pub(crate) fn map_dense(d: &Dense, pool: &Pool, f: impl Fn(&Num) -> Result<Num>) -> Result<Dense> {
    let data = match d.data() {
        DenseData::Exact(v) => {
            let out: Vec<Num> = v
                .iter()
                .map(|n| pool.check_interrupt().and_then(|()| f(n)))
                .collect::<Result<_>>()?;
            if out.iter().all(Num::is_exact) {
                DenseData::Exact(out)
            } else {
                DenseData::Float(out.iter().map(Num::to_f64).collect())
            }
        }
        DenseData::Float(v) => DenseData::Float(
            v.iter()
                .map(|&x| f(&Num::Float(x)).map(|n| n.to_f64()))
                .collect::<Result<_>>()?,
        ),
    };
    Dense::new(d.shape(), data)
}
