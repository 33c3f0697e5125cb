//! Stacking matrices: `vstack` (top to bottom) and `hstack` (left to right),
//! as the notebooks add a row of ones for the bias with `np.vstack`.

use crate::arith::EXPLICIT_LIMIT;
use crate::{
    Dense, DenseData, Error, ExprId, Node, Num, Pool, Result, Shape, Span1, checked_shape,
};

impl Pool {
    /// The matrices of `parts` stacked top to bottom (`vertical`) or left to
    /// right. Numeric parts give a numeric matrix of any size; symbolic
    /// parts an explicit matrix of their elements (when that is small).
    pub fn stack(&mut self, parts: &[ExprId], vertical: bool) -> Result<ExprId> {
        let op = if vertical { "vstack" } else { "hstack" };
        let Some(&first) = parts.first() else {
            return Err(Error::Invalid(format!("{op} needs at least one matrix")));
        };
        if parts.len() == 1 {
            return Ok(first);
        }
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
        if shape.len() > EXPLICIT_LIMIT || !parts.iter().all(|&p| self.is_explicit(p)) {
            // Symbolic blocks stay blocks: evaluated by stacking their
            // values, differentiated block by block.
            let parts = parts.to_vec();
            return self.intern(Node::Stack { vertical, parts }, shape);
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

    /// The rows (`vertical`) or columns each part of a stack covers, in order.
    pub(crate) fn stack_spans(&self, parts: &[ExprId], vertical: bool) -> Vec<Span1> {
        let mut start = 0;
        parts
            .iter()
            .map(|&p| {
                let s = self.shape(p);
                let end = start + if vertical { s.rows } else { s.cols };
                let span = Span1 { start, end };
                start = end;
                span
            })
            .collect()
    }

    /// The block of `x` (a matrix of the stack's shape) that lines up with
    /// each part of a stack: the adjoint of a part is its block of the
    /// stack's adjoint.
    pub(crate) fn stack_blocks(
        &mut self,
        x: ExprId,
        parts: &[ExprId],
        vertical: bool,
    ) -> Result<Vec<ExprId>> {
        let s = self.shape(x);
        let spans = self.stack_spans(parts, vertical);
        spans
            .into_iter()
            .map(|span| {
                let (rows, cols) = if vertical {
                    (
                        span,
                        Span1 {
                            start: 0,
                            end: s.cols,
                        },
                    )
                } else {
                    (
                        Span1 {
                            start: 0,
                            end: s.rows,
                        },
                        span,
                    )
                };
                match self.stack_block_of(x, rows, cols)? {
                    Some(block) => Ok(block),
                    None => self.slice(x, rows, cols),
                }
            })
            .collect()
    }

    /// The part of a stack holding its element (i, j), and where it is in it.
    pub(crate) fn stack_element_at(
        &self,
        parts: &[ExprId],
        vertical: bool,
        i: usize,
        j: usize,
    ) -> (ExprId, usize, usize) {
        let at = if vertical { i } else { j };
        let spans = self.stack_spans(parts, vertical);
        let k = spans
            .iter()
            .position(|s| at < s.end)
            .unwrap_or(parts.len() - 1);
        let offset = spans[k].start;
        match vertical {
            true => (parts[k], i - offset, j),
            false => (parts[k], i, j - offset),
        }
    }

    /// The block `rows × cols` of `a` when it is one part of a stack, also
    /// through elementwise operations (`(2⋅vstack(W, V))[0:2, :]` is `2⋅W`),
    /// so that the gradient of a part is in terms of that part. Only the
    /// pullback of a stack asks (a plain slice looks at a stack only).
    fn stack_block_of(&mut self, a: ExprId, rows: Span1, cols: Span1) -> Result<Option<ExprId>> {
        if let Some(part) = self.stack_part(a, rows, cols) {
            return Ok(Some(part));
        }
        let s = self.shape(a);
        let node = self.node(a).clone();
        let operands = match &node {
            Node::Add(xs) | Node::Mul(xs) => xs.clone(),
            Node::Apply(_, x) => vec![*x],
            _ => return Ok(None),
        };
        let through = |p: &Pool, x: ExprId| {
            let sx = p.shape(x);
            sx == s
                && matches!(
                    p.node(x),
                    Node::Stack { .. } | Node::Add(_) | Node::Mul(_) | Node::Apply(..)
                )
        };
        if !operands.iter().any(|&x| through(self, x))
            || !operands
                .iter()
                .all(|&x| self.shape(x).is_scalar() || self.shape(x) == s)
        {
            return Ok(None);
        }
        let mut blocks = Vec::with_capacity(operands.len());
        let mut found = false;
        for &x in &operands {
            if self.shape(x).is_scalar() {
                blocks.push(x);
                continue;
            }
            match self.stack_block_of(x, rows, cols)? {
                Some(b) => {
                    found = true;
                    blocks.push(b);
                }
                None => blocks.push(self.slice(x, rows, cols)?),
            }
        }
        if !found {
            return Ok(None);
        }
        match node {
            Node::Add(_) => self.add(&blocks).map(Some),
            Node::Mul(_) => self.mul(&blocks).map(Some),
            Node::Apply(f, _) => self.apply(f, blocks[0]).map(Some),
            _ => Ok(None),
        }
    }

    /// The block `rows × cols` of a stack when it is exactly one of its
    /// parts (`vstack(W, V)[0:2, :]` is `W`).
    pub(crate) fn stack_part(&self, a: ExprId, rows: Span1, cols: Span1) -> Option<ExprId> {
        let Node::Stack { vertical, parts } = self.node(a) else {
            return None;
        };
        let s = self.shape(a);
        let (along, across, full) = match vertical {
            true => (rows, cols, s.cols),
            false => (cols, rows, s.rows),
        };
        if across.start != 0 || across.end != full {
            return None;
        }
        let spans = self.stack_spans(parts, *vertical);
        spans.iter().position(|&sp| sp == along).map(|k| parts[k])
    }

    pub(crate) fn is_dense(&self, p: ExprId) -> bool {
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
