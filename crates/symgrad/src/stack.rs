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
    /// when every part is exact, else floats.
    fn stack_numeric(&mut self, parts: &[ExprId], shape: Shape, vertical: bool) -> Result<ExprId> {
        let exact = parts.iter().all(|&p| match self.node(p) {
            Node::Num(n) => n.is_exact(),
            Node::Dense(d) => d.is_exact(),
            _ => false,
        });
        // Row-major data of the vertical stack of each part (transposed for hstack).
        let mut nums: Vec<Num> = Vec::new();
        let mut floats: Vec<f64> = Vec::new();
        let reserve = shape.len();
        if exact {
            nums.try_reserve_exact(reserve)
                .map_err(|_| too_large(shape))?;
        } else {
            floats
                .try_reserve_exact(reserve)
                .map_err(|_| too_large(shape))?;
        }
        if vertical {
            for &p in parts {
                self.append_rows(p, exact, &mut nums, &mut floats);
            }
        } else {
            let mut offset = 0;
            floats.resize(if exact { 0 } else { reserve }, 0.0);
            nums.resize(if exact { reserve } else { 0 }, Num::int(0));
            for &p in parts {
                let s = self.shape(p);
                for i in 0..s.rows {
                    for j in 0..s.cols {
                        let k = i * shape.cols + offset + j;
                        let x = self.number_at(p, i, j);
                        if exact {
                            nums[k] = x;
                        } else {
                            floats[k] = x.to_f64();
                        }
                    }
                }
                offset += s.cols;
            }
        }
        let data = if exact {
            DenseData::Exact(nums)
        } else {
            DenseData::Float(floats)
        };
        self.dense(Dense::new(shape, data)?)
    }

    /// Appends the rows of the numeric `p` to `nums` (exact) or `floats`.
    fn append_rows(&self, p: ExprId, exact: bool, nums: &mut Vec<Num>, floats: &mut Vec<f64>) {
        match (self.node(p), exact) {
            (Node::Dense(d), false) => match d.data() {
                DenseData::Float(v) => floats.extend_from_slice(v),
                DenseData::Exact(v) => floats.extend(v.iter().map(Num::to_f64)),
            },
            (Node::Dense(d), true) => nums.extend(d.nums()),
            (Node::Num(n), false) => floats.push(n.to_f64()),
            (Node::Num(n), true) => nums.push(n.clone()),
            _ => {}
        }
    }

    /// Element (i, j) of a number or numeric matrix.
    fn number_at(&self, p: ExprId, i: usize, j: usize) -> Num {
        match self.node(p) {
            Node::Dense(d) => d.get(i, j),
            Node::Num(n) => n.clone(),
            _ => Num::int(0),
        }
    }
}

fn too_large(shape: Shape) -> Error {
    Error::TooLarge(format!("a {shape} matrix is too large to hold"))
}
