//! Stacking matrices: `vstack` (top to bottom) and `hstack` (left to right),
//! as the notebooks add a row of ones for the bias with `np.vstack`.

use crate::arith::EXPLICIT_LIMIT;
use crate::{Dense, DenseData, Error, ExprId, Node, Num, Pool, Result, Shape, checked_shape};

impl Pool {
    /// The matrices of `parts` stacked top to bottom (`vertical`) or left to
    /// right. Numeric parts give a numeric matrix of any size; symbolic
    /// parts an explicit matrix of their elements (when that is small).
    pub fn stack(&mut self, parts: &[ExprId], vertical: bool) -> Result<ExprId> {
        let op = if vertical { "vstack" } else { "hstack" };
        let Some(&first) = parts.first() else {
            return Err(Error::Invalid(format!("{op} needs at least one matrix")));
        };
        // Stacking left to right is stacking the transposes top to bottom.
        let orient = |s: Shape| {
            if vertical {
                s
            } else {
                Shape::new(s.cols, s.rows)
            }
        };
        let width = orient(self.shape(first)).cols;
        let mut height = 0usize;
        for &p in parts {
            let s = orient(self.shape(p));
            if s.cols != width {
                let (left, right) = (self.shape(first), self.shape(p));
                return Err(Error::ShapeMismatch { op, left, right });
            }
            height = height.saturating_add(s.rows);
        }
        let shape = if vertical {
            checked_shape(height, width)?
        } else {
            checked_shape(width, height)?
        };
        if parts
            .iter()
            .all(|&p| self.as_num(p).is_some() || self.is_dense(p))
        {
            return self.stack_numeric(parts, shape, vertical);
        }
        if shape.len() > EXPLICIT_LIMIT {
            return Err(Error::TooLarge(format!(
                "{op} of symbolic matrices gives a {shape} matrix, too large to hold element by element"
            )));
        }
        let mut entries = vec![None; shape.len()];
        let mut offset = 0;
        for &p in parts {
            let s = self.shape(p);
            for i in 0..s.rows {
                for j in 0..s.cols {
                    let (r, c) = if vertical {
                        (offset + i, j)
                    } else {
                        (i, offset + j)
                    };
                    entries[r * shape.cols + c] = Some(self.element_of(p, i, j)?);
                }
            }
            offset += if vertical { s.rows } else { s.cols };
        }
        let entries = entries.into_iter().flatten().collect();
        self.matrix(shape, entries)
    }

    fn is_dense(&self, p: ExprId) -> bool {
        matches!(self.node(p), Node::Dense(_))
    }

    /// Stacks numbers and numeric matrices into one numeric matrix: exact
    /// when every part is exact, else floats. Built row by row: the rows of
    /// each part in turn (`vertical`), or row i of every part side by side.
    fn stack_numeric(&mut self, parts: &[ExprId], shape: Shape, vertical: bool) -> Result<ExprId> {
        let exact = parts.iter().all(|&p| match self.node(p) {
            Node::Num(n) => n.is_exact(),
            Node::Dense(d) => d.is_exact(),
            _ => false,
        });
        let mut rows = Rows {
            exact,
            nums: Vec::new(),
            floats: Vec::new(),
        };
        rows.reserve(shape.len())?;
        if vertical {
            for &p in parts {
                for i in 0..self.shape(p).rows {
                    rows.push(self.node(p), i);
                }
            }
        } else {
            for i in 0..shape.rows {
                for &p in parts {
                    rows.push(self.node(p), i);
                }
            }
        }
        let data = if exact {
            DenseData::Exact(rows.nums)
        } else {
            DenseData::Float(rows.floats.into())
        };
        self.dense(Dense::new(shape, data)?)
    }
}

/// The numbers of a stacked matrix, exact or floats, as they are appended.
struct Rows {
    exact: bool,
    nums: Vec<Num>,
    floats: Vec<f64>,
}

impl Rows {
    fn reserve(&mut self, n: usize) -> Result<()> {
        let too_large = || Error::TooLarge("the stacked matrix is too large to hold".into());
        if self.exact {
            self.nums.try_reserve_exact(n).map_err(|_| too_large())
        } else {
            self.floats.try_reserve_exact(n).map_err(|_| too_large())
        }
    }

    /// Appends row `i` of a number or numeric matrix.
    fn push(&mut self, node: &Node, i: usize) {
        match (node, self.exact) {
            (Node::Dense(d), _) => {
                let cols = d.shape().cols;
                match d.data() {
                    DenseData::Float(v) => self.floats.extend_from_slice(&v[i * cols..][..cols]),
                    DenseData::Exact(v) if self.exact => {
                        self.nums.extend_from_slice(&v[i * cols..][..cols])
                    }
                    DenseData::Exact(v) => self
                        .floats
                        .extend(v[i * cols..][..cols].iter().map(Num::to_f64)),
                }
            }
            (Node::Num(n), true) => self.nums.push(n.clone()),
            (Node::Num(n), false) => self.floats.push(n.to_f64()),
            _ => {}
        }
    }
}
