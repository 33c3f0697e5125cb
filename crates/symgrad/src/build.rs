//! Constructors of leaves and explicit matrices.

use crate::arith::EXPLICIT_LIMIT;
use crate::{Constant, Dense, DenseData, Error, ExprId, Func, Node, Num, Pool, Result, Shape};
use num_bigint::BigInt;
use std::sync::Arc;

/// Matrices with more elements than this cannot be created by `zeros`, `ones`, `eye`.
pub const MAX_ELEMENTS: usize = 1 << 28;

impl Pool {
    /// A scalar number.
    pub fn num(&mut self, n: Num) -> Result<ExprId> {
        if let Num::Float(x) = n
            && !x.is_finite()
        {
            return Err(Error::Domain(if x.is_nan() {
                "the number is NaN (not a number)".to_string()
            } else {
                format!("overflow: the number is beyond the floats ({x})")
            }));
        }
        crate::num::check_exact_size(&n)?;
        self.intern(Node::Num(n), Shape::SCALAR)
    }

    pub fn int(&mut self, n: i64) -> Result<ExprId> {
        self.num(Num::int(n))
    }

    /// The exact rational `p/q`.
    pub fn rational(&mut self, p: impl Into<BigInt>, q: impl Into<BigInt>) -> Result<ExprId> {
        self.num(Num::ratio(p.into(), q.into())?)
    }

    pub fn float(&mut self, x: f64) -> Result<ExprId> {
        self.num(Num::Float(x))
    }

    pub fn constant(&mut self, c: Constant) -> Result<ExprId> {
        self.intern(Node::Const(c), Shape::SCALAR)
    }

    /// A named symbol of the given shape (a scalar symbol is 1×1).
    pub fn symbol(&mut self, name: &str, shape: Shape) -> Result<ExprId> {
        if shape.is_empty() {
            return Err(Error::Invalid(format!(
                "a symbol needs at least one row and column, not {}×{}",
                shape.rows, shape.cols
            )));
        }
        let shape = checked_shape(shape.rows, shape.cols)?;
        self.intern(
            Node::Symbol {
                name: Arc::from(name),
                shape,
            },
            shape,
        )
    }

    /// The element `W[i, j]` of a matrix symbol (a scalar symbol is its own only element).
    pub fn element(&mut self, symbol: ExprId, i: usize, j: usize) -> Result<ExprId> {
        let shape = self.shape(symbol);
        if i >= shape.rows || j >= shape.cols {
            return Err(Error::IndexOutOfRange {
                index: format!("[{i}, {j}]"),
                shape,
            });
        }
        match self.node(symbol) {
            Node::Symbol { .. } if shape.is_scalar() => Ok(symbol),
            Node::Symbol { .. } => self.intern(
                Node::Element {
                    symbol,
                    row: i,
                    col: j,
                },
                Shape::SCALAR,
            ),
            _ => Err(Error::Invalid(
                "only a matrix symbol has elements W[i, j]".into(),
            )),
        }
    }

    /// An explicit matrix from scalar entries given row by row. All-number
    /// entries make a dense matrix; a 1×1 matrix is its entry.
    pub fn matrix(&mut self, shape: Shape, entries: Vec<ExprId>) -> Result<ExprId> {
        if entries.len() != shape.len() || shape.is_empty() {
            return Err(Error::Invalid(format!(
                "{} entries do not fill a {}×{} matrix",
                entries.len(),
                shape.rows,
                shape.cols
            )));
        }
        if let Some(&bad) = entries.iter().find(|&&e| !self.shape(e).is_scalar()) {
            return Err(Error::BadShape {
                op: "a matrix entry",
                shape: self.shape(bad),
                expected: "a scalar",
            });
        }
        if shape.is_scalar() {
            return Ok(entries[0]);
        }
        let nums: Option<Vec<Num>> = entries.iter().map(|&e| self.as_num(e).cloned()).collect();
        match nums {
            Some(nums) => self.dense(Dense::new(shape, exact_or_float(nums))?),
            None => self.intern(Node::Matrix { shape, entries }, shape),
        }
    }

    /// A numeric data matrix (1×1 becomes a number).
    pub fn dense(&mut self, d: Dense) -> Result<ExprId> {
        if d.shape().is_scalar() {
            return self.num(d.get(0, 0));
        }
        let shape = d.shape();
        self.intern(Node::Dense(d), shape)
    }

    /// The zero of a shape: `0`, or a matrix of zeros.
    pub fn zero(&mut self, shape: Shape) -> Result<ExprId> {
        self.fill(shape, Num::zero())
    }

    /// `zeros(m, n)`.
    pub fn zeros(&mut self, shape: Shape) -> Result<ExprId> {
        self.fill(shape, Num::zero())
    }

    /// `ones(m, n)`.
    pub fn ones(&mut self, shape: Shape) -> Result<ExprId> {
        self.fill(shape, Num::one())
    }

    /// `eye(n)`: the n×n identity.
    pub fn eye(&mut self, n: usize) -> Result<ExprId> {
        let shape = checked_shape(n, n)?;
        let data = (0..n * n)
            .map(|k| {
                if k / n == k % n {
                    Num::one()
                } else {
                    Num::zero()
                }
            })
            .collect();
        self.dense(Dense::new(shape, DenseData::Exact(data))?)
    }

    fn fill(&mut self, shape: Shape, value: Num) -> Result<ExprId> {
        let shape = checked_shape(shape.rows, shape.cols)?;
        if shape.is_scalar() {
            return self.num(value);
        }
        let data = if shape.len() <= EXPLICIT_LIMIT * 100 {
            DenseData::Exact(vec![value; shape.len()])
        } else {
            DenseData::Float(vec![value.to_f64(); shape.len()].into())
        };
        self.dense(Dense::new(shape, data)?)
    }

    /// `sqrt(x)`, as `x^(1/2)`.
    pub fn sqrt(&mut self, x: ExprId) -> Result<ExprId> {
        let half = self.rational(1, 2)?;
        self.pow(x, half)
    }

    /// `log(x, b)`: the logarithm of `x` in base `b`, as `log(x)/log(b)`.
    pub fn log_base(&mut self, x: ExprId, base: ExprId) -> Result<ExprId> {
        if let (Some(Num::Rat(a)), Some(Num::Rat(b))) = (self.as_num(x), self.as_num(base))
            && let Some(r) = crate::radical::exact_log(a, b)
        {
            return self.num(Num::Rat(r));
        }
        let lx = self.apply(Func::Log, x)?;
        let lb = self.apply(Func::Log, base)?;
        self.div(lx, lb)
    }
}

/// An m×n shape if it is non-empty and not absurdly large.
pub fn checked_shape(rows: usize, cols: usize) -> Result<Shape> {
    if rows == 0 || cols == 0 {
        return Err(Error::Invalid(format!(
            "a matrix needs at least one row and column, not {rows}×{cols}"
        )));
    }
    match rows.checked_mul(cols) {
        Some(n) if n <= MAX_ELEMENTS => Ok(Shape::new(rows, cols)),
        _ => Err(Error::TooLarge(format!(
            "a {rows}×{cols} matrix has too many elements (at most {MAX_ELEMENTS})"
        ))),
    }
}

/// Dense data, exact when every number is.
fn exact_or_float(nums: Vec<Num>) -> DenseData {
    if nums.iter().all(Num::is_exact) {
        DenseData::Exact(nums)
    } else {
        DenseData::Float(nums.iter().map(Num::to_f64).collect())
    }
}
