//! Matrix operations: products, transposes, reductions, softmax, trace,
//! diagonals and slices. Operations on explicit operands are carried out;
//! on symbolic operands they stay whole, as one node.

use crate::arith::{EXPLICIT_LIMIT, FOLD_LIMIT};
use crate::numeric::Numeric;
use crate::{
    Axis, Dense, DenseData, Error, ExprId, Node, Num, Pool, Reduction, Result, Shape, Span1,
};

/// Exact dense products costlier than this many multiplications stay symbolic.
const MAX_EXACT_PRODUCT: usize = 1 << 22;

impl Pool {
    /// The `*` operator: the matrix product of two non-scalars, scaling otherwise.
    pub fn product(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        if self.shape(a).is_scalar() || self.shape(b).is_scalar() {
            self.mul(&[a, b])
        } else {
            self.matmul(a, b)
        }
    }

    /// The matrix product `a⋅b`.
    pub fn matmul(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let (sa, sb) = (self.shape(a), self.shape(b));
        if sa.cols != sb.rows {
            return Err(Error::ShapeMismatch {
                op: "the matrix product",
                left: sa,
                right: sb,
            });
        }
        let shape = Shape::new(sa.rows, sb.cols);
        if sa.is_scalar() || sb.is_scalar() {
            // A 1×1 factor scales.
            return self.mul(&[a, b]);
        }
        match self.product_folding(a, b) {
            Some(Folding::Dense(x, y)) => return self.dense(dense_product(&x, &y, self)?),
            Some(Folding::Explicit) => return self.explicit_product(a, b, shape),
            None => {}
        }
        if self.numeric(a).is_some_and(|n| n.is_zero())
            || self.numeric(b).is_some_and(|n| n.is_zero())
        {
            return self.zero(shape);
        }
        if self.is_identity(a) {
            return Ok(b);
        }
        if self.is_identity(b) {
            return Ok(a);
        }
        if let Some(product) = self.product_of_scaled(a, b)? {
            return Ok(product);
        }
        if let Some(product) = self.product_without_zero_blocks(a, b)? {
            return Ok(product);
        }
        if let Some(product) = self.product_with_filled_vector(a, b)? {
            return Ok(product);
        }
        let ((x, m), (y, n)) = (self.base_power(a), self.base_power(b));
        if x == y {
            // Powers of one square matrix collect: A⋅A² = A³.
            let k = self.int(m + n)?;
            return self.power(x, k);
        }
        self.intern(Node::MatMul(a, b), shape)
    }

    /// `(c⋅A)⋅(d⋅B)` as `c⋅d⋅(A⋅B)`: the scalar factors of either side
    /// taken out, so that `Xᵀ²⋅(c⋅Xᵀ⁻⁵)⋅Xᵀ²` collects to `c⋅Xᵀ⁻¹` and
    /// like terms of a gradient merge. `None` when neither side has one.
    fn product_of_scaled(&mut self, a: ExprId, b: ExprId) -> Result<Option<ExprId>> {
        let (mut scalars, mut sides) = (Vec::new(), [a, b]);
        for side in &mut sides {
            if let Some((scale, rest)) = self.scalar_factors(*side) {
                scalars.extend(scale);
                *side = self.mul(&rest)?;
            }
        }
        if scalars.is_empty() {
            return Ok(None);
        }
        scalars.push(self.matmul(sides[0], sides[1])?);
        self.mul(&scalars).map(Some)
    }

    /// The scalar factors of a product of scalars and matrices, and the
    /// matrices; `None` unless it has both.
    fn scalar_factors(&self, x: ExprId) -> Option<(Vec<ExprId>, Vec<ExprId>)> {
        let Node::Mul(fs) = self.node(x) else {
            return None;
        };
        let scalar = |f: &&ExprId| self.shape(**f).is_scalar();
        if !fs.iter().any(|f| scalar(&f)) || fs.iter().all(|f| scalar(&f)) {
            return None;
        }
        Some(fs.iter().partition(scalar))
    }

    /// `a⋅b` where `a` is a row of one number `c` (`b` a column of one
    /// number), as `c⋅sum(b, 1)` (`c⋅sum(a, 2)`); and where `a` ends with
    /// such a row (`b` starts with such a column), with that product taken
    /// first. So the broadcast `v⋅[1 … 1]` of a gradient, met by `Xᵀ`, is
    /// `v⋅sum(Xᵀ, 1)`, not an outer product over the samples. `None` when
    /// neither is.
    fn product_with_filled_vector(&mut self, a: ExprId, b: ExprId) -> Result<Option<ExprId>> {
        let filled = |p: &Pool, id: ExprId, row: bool| {
            let s = p.shape(id);
            let vector = if row { s.rows == 1 } else { s.cols == 1 };
            match p.node(id) {
                Node::Dense(d) if vector && s.len() > 1 => d.constant(),
                _ => None,
            }
        };
        if let Some(c) = filled(self, a, true) {
            let (c, total) = (self.num(c)?, self.sum(b, Axis::Cols)?);
            return self.mul(&[c, total]).map(Some);
        }
        if let Some(c) = filled(self, b, false) {
            let (c, total) = (self.num(c)?, self.sum(a, Axis::Rows)?);
            return self.mul(&[c, total]).map(Some);
        }
        if let Node::MatMul(t, row) = *self.node(a)
            && filled(self, row, true).is_some()
        {
            let rest = self.matmul(row, b)?;
            return self.matmul(t, rest).map(Some);
        }
        if let Node::MatMul(column, t) = *self.node(b)
            && filled(self, column, false).is_some()
        {
            let first = self.matmul(a, column)?;
            return self.matmul(first, t).map(Some);
        }
        Ok(None)
    }

    /// `a⋅b` without the blocks of zeros of a stack, so that the adjoint of
    /// a slice (the slice between zeros) multiplies as the slice it is:
    /// blocks of `a` stacked left to right meet only the rows of `b` they
    /// line up with (blocks of `b` stacked top to bottom, the columns of
    /// `a`), and blocks stacked the other way multiply one by one. `None`
    /// when neither is a stack with a block of zeros.
    fn product_without_zero_blocks(&mut self, a: ExprId, b: ExprId) -> Result<Option<ExprId>> {
        let is_zero = |p: &Pool, id: ExprId| match p.node(id) {
            Node::Num(n) => n.is_zero(),
            Node::Dense(d) => d.is_zero(),
            _ => false,
        };
        let (stacked, on_left) = match (self.node(a), self.node(b)) {
            (Node::Stack { .. }, _) => (a, true),
            (_, Node::Stack { .. }) => (b, false),
            _ => return Ok(None),
        };
        let Node::Stack { vertical, parts } = self.node(stacked).clone() else {
            return Ok(None);
        };
        if !parts.iter().any(|&p| is_zero(self, p)) {
            return Ok(None);
        }
        let (sa, sb) = (self.shape(a), self.shape(b));
        if vertical == on_left {
            // [A₁; A₂]⋅b = [A₁⋅b; A₂⋅b], and a⋅[B₁, B₂] = [a⋅B₁, a⋅B₂].
            let mut blocks = Vec::with_capacity(parts.len());
            for &part in &parts {
                let s = self.shape(part);
                blocks.push(match (is_zero(self, part), on_left) {
                    (true, true) => self.zeros(Shape::new(s.rows, sb.cols))?,
                    (true, false) => self.zeros(Shape::new(sa.rows, s.cols))?,
                    (false, true) => self.matmul(part, b)?,
                    (false, false) => self.matmul(a, part)?,
                });
            }
            return self.stack(&blocks, vertical).map(Some);
        }
        // [A₁, 0]⋅b = A₁⋅b[rows of A₁], and a⋅[B₁; 0] = a[columns of B₁]⋅B₁.
        let whole = |n: usize| Span1 { start: 0, end: n };
        let mut terms = Vec::with_capacity(parts.len());
        for (&part, span) in parts.iter().zip(self.stack_spans(&parts, vertical)) {
            if is_zero(self, part) {
                continue;
            }
            terms.push(if on_left {
                let rows = self.slice(b, span, whole(sb.cols))?;
                self.matmul(part, rows)?
            } else {
                let cols = self.slice(a, whole(sa.rows), span)?;
                self.matmul(cols, part)?
            });
        }
        match terms.is_empty() {
            true => self.zero(Shape::new(sa.rows, sb.cols)).map(Some),
            false => self.add(&terms).map(Some),
        }
    }

    /// How the product `a⋅b` is carried out now, if it is: on dense numbers,
    /// or entry by entry; `None` when it stays one symbolic node. `power`
    /// multiplies out only products that fold, so the two never call each
    /// other without end.
    fn product_folding(&self, a: ExprId, b: ExprId) -> Option<Folding> {
        let (sa, sb) = (self.shape(a), self.shape(b));
        let cost = sa.rows.saturating_mul(sa.cols).saturating_mul(sb.cols);
        if let (Some(Numeric::Matrix(x)), Some(Numeric::Matrix(y))) =
            (self.numeric(a), self.numeric(b))
            && (!(x.is_exact() && y.is_exact()) || cost <= MAX_EXACT_PRODUCT)
        {
            return Some(Folding::Dense(x, y));
        }
        (self.is_explicit(a) && self.is_explicit(b) && cost <= EXPLICIT_LIMIT)
            .then_some(Folding::Explicit)
    }

    fn explicit_product(&mut self, a: ExprId, b: ExprId, shape: Shape) -> Result<ExprId> {
        let inner = self.shape(a).cols;
        let mut entries = Vec::with_capacity(shape.len());
        for i in 0..shape.rows {
            for j in 0..shape.cols {
                let mut terms = Vec::with_capacity(inner);
                for k in 0..inner {
                    let (x, y) = (self.entry(a, i, k)?, self.entry(b, k, j)?);
                    terms.push(self.mul(&[x, y])?);
                }
                entries.push(self.add(&terms)?);
            }
        }
        self.matrix(shape, entries)
    }

    /// True for an exact identity matrix.
    pub(crate) fn is_identity(&self, x: ExprId) -> bool {
        matches!(self.node(x), Node::Dense(d) if identity_multiple(d).is_some_and(|c| c.is_one()))
    }

    /// `(A, n)` for `Aⁿ`, else `(x, 1)`.
    fn base_power(&self, x: ExprId) -> (ExprId, i64) {
        match self.node(x) {
            Node::MatPow(a, n) => (*a, *n),
            _ => (x, 1),
        }
    }

    /// True for an explicit matrix (of numbers or expressions).
    pub(crate) fn is_explicit(&self, x: ExprId) -> bool {
        matches!(self.node(x), Node::Matrix { .. } | Node::Dense(_))
    }

    /// The `^` operator: a power of a scalar, or an integer power of a square matrix.
    pub fn power(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let sa = self.shape(a);
        if sa.is_scalar() {
            return self.pow(a, b);
        }
        if sa.rows != sa.cols {
            return Err(Error::BadShape {
                op: "^",
                shape: sa,
                expected: "a scalar or a square matrix (use .^ for elementwise powers)",
            });
        }
        let n = self.as_num(b).and_then(Num::to_i64).ok_or_else(|| {
            Error::Invalid(
                "a matrix power needs an integer exponent (use .^ for elementwise powers)".into(),
            )
        })?;
        if n < 0 {
            return self.inverse_power(a, n);
        }
        match n {
            0 => self.eye(sa.rows),
            1 => Ok(a),
            _ if n <= 64 && self.product_folding(a, a).is_some() => {
                let mut acc = a;
                for _ in 1..n {
                    acc = self.matmul(acc, a)?;
                }
                Ok(acc)
            }
            _ => self.intern(Node::MatPow(a, n), sa),
        }
    }

    /// The transpose. Transposes are pushed down to symbols and large data,
    /// so `(X⋅Wᵀ)ᵀ` is `W⋅Xᵀ`. Each node's transpose is remembered, so a
    /// subexpression shared many times is transposed once.
    pub fn transpose(&mut self, a: ExprId) -> Result<ExprId> {
        if let Some(t) = self.transposed(a) {
            return Ok(t);
        }
        let t = self.pushed_transpose(a)?;
        self.remember_transpose(a, t);
        Ok(t)
    }

    /// The transpose of `a`, pushed down one level.
    fn pushed_transpose(&mut self, a: ExprId) -> Result<ExprId> {
        let shape = self.shape(a).transposed();
        if shape.is_scalar() {
            return Ok(a);
        }
        match self.node(a).clone() {
            Node::Transpose(x) => Ok(x),
            // A matrix of one number (the ones of a gradient) at any size.
            Node::Dense(d) if d.shape().len() <= FOLD_LIMIT || d.constant().is_some() => {
                self.dense(transpose_dense(&d)?)
            }
            Node::Matrix { shape: s, entries } => {
                let t = (0..s.cols).flat_map(|j| (0..s.rows).map(move |i| (i, j)));
                let entries = t.map(|(i, j)| entries[i * s.cols + j]).collect();
                self.matrix(shape, entries)
            }
            Node::MatMul(x, y) => {
                let (yt, xt) = (self.transpose(y)?, self.transpose(x)?);
                self.matmul(yt, xt)
            }
            Node::Add(_) => {
                let ts = self
                    .terms_as_shown(a)
                    .iter()
                    .map(|&x| self.transpose(x))
                    .collect::<Result<Vec<_>>>()?;
                self.add(&ts)
            }
            Node::Mul(xs) => {
                let ts = xs
                    .iter()
                    .map(|&x| self.transpose(x))
                    .collect::<Result<Vec<_>>>()?;
                self.mul(&ts)
            }
            Node::Pow(x, e) => {
                let (xt, et) = (self.transpose(x)?, self.transpose(e)?);
                self.pow(xt, et)
            }
            Node::Apply(f, x) => {
                let xt = self.transpose(x)?;
                self.apply(f, xt)
            }
            Node::Softmax(axis, x) => {
                let xt = self.transpose(x)?;
                self.softmax(xt, flip(axis))
            }
            Node::SoftmaxJvp(axis, x, v) => {
                let (xt, vt) = (self.transpose(x)?, self.transpose(v)?);
                self.softmax_jvp(xt, vt, flip(axis))
            }
            Node::MatPow(x, n) => {
                let (xt, n) = (self.transpose(x)?, self.int(n)?);
                self.power(xt, n)
            }
            Node::Reduce(r, axis, x) => {
                let xt = self.transpose(x)?;
                self.reduce(r, xt, flip(axis))
            }
            _ => self.intern(Node::Transpose(a), shape),
        }
    }

    /// `sum(a)` over all elements or along an axis.
    pub fn sum(&mut self, a: ExprId, axis: Axis) -> Result<ExprId> {
        self.reduce(Reduction::Sum, a, axis)
    }

    /// `mean(a)` over all elements or along an axis.
    pub fn mean(&mut self, a: ExprId, axis: Axis) -> Result<ExprId> {
        let s = self.shape(a);
        let count = match axis {
            Axis::All => s.len(),
            Axis::Cols => s.rows,
            Axis::Rows => s.cols,
        };
        let total = self.sum(a, axis)?;
        let inv = self.rational(1, count as i64)?;
        self.mul(&[inv, total])
    }

    /// `logsumexp(a)` over all elements or along an axis.
    pub fn logsumexp(&mut self, a: ExprId, axis: Axis) -> Result<ExprId> {
        self.reduce(Reduction::LogSumExp, a, axis)
    }

    /// A reduction; over a single element it is that element (`logsumexp(x) = x`).
    pub fn reduce(&mut self, r: Reduction, a: ExprId, axis: Axis) -> Result<ExprId> {
        let s = self.shape(a);
        let shape = axis.reduced(s);
        if shape == s {
            return Ok(a);
        }
        // A logsumexp stays whole, of data too: it is evaluated with a max
        // shift, and `log(softmax(A))` of float data keeps its stable form.
        if r == Reduction::Sum && self.is_explicit(a) && s.len() <= EXPLICIT_LIMIT {
            return self.explicit_sum(a, axis, shape);
        }
        if r == Reduction::Sum
            && let Node::Softmax(s_axis, _) = *self.node(a)
            && (axis == s_axis || axis == Axis::All)
        {
            // Each softmax column (or row) sums to 1.
            let n = if axis == Axis::All {
                s.len() / if s_axis == Axis::Cols { s.rows } else { s.cols }
            } else {
                1
            };
            let ones = self.ones(shape)?;
            let n = self.int(n as i64)?;
            return self.mul(&[n, ones]);
        }
        if r == Reduction::Sum {
            // Each column of a one-hot matrix sums to 1 (each row of its transpose).
            let columns = match (axis, self.node(a)) {
                (Axis::Cols | Axis::All, _) if self.is_one_hot(a) => Some(s.cols),
                (Axis::Rows | Axis::All, Node::Transpose(y)) if self.is_one_hot(*y) => Some(s.rows),
                _ => None,
            };
            if let Some(columns) = columns {
                let n = if axis == Axis::All { columns } else { 1 };
                let ones = self.ones(shape)?;
                let n = self.int(n as i64)?;
                return self.mul(&[n, ones]);
            }
        }
        if r == Reduction::Sum
            && let Some(sums) = self.product_of_sums(a, axis)?
        {
            return Ok(sums);
        }
        if r == Reduction::Sum
            && let Node::Mul(fs) = self.node(a).clone()
        {
            // Factors constant along the summed direction move out:
            // sum(c⋅A) = c⋅sum(A), and sum(A∘q, 1) = sum(A, 1)∘q for a row q.
            let constant = |f: Shape| match axis {
                Axis::All => f.is_scalar(),
                Axis::Cols => f.rows == 1,
                Axis::Rows => f.cols == 1,
            };
            let (outside, inside): (Vec<ExprId>, Vec<ExprId>) =
                fs.iter().partition(|&&f| constant(self.shape(f)));
            if !outside.is_empty() && !inside.is_empty() {
                let rest = self.mul(&inside)?;
                let mut factors = outside;
                factors.push(self.reduce(r, rest, axis)?);
                return self.mul(&factors);
            }
        }
        self.intern(Node::Reduce(r, axis, a), shape)
    }

    /// A sum of an explicit matrix, carried out entry by entry.
    fn explicit_sum(&mut self, a: ExprId, axis: Axis, shape: Shape) -> Result<ExprId> {
        let s = self.shape(a);
        let mut entries = Vec::with_capacity(shape.len());
        for i in 0..shape.rows {
            for j in 0..shape.cols {
                let cells: Vec<(usize, usize)> = match axis {
                    Axis::All => (0..s.rows)
                        .flat_map(|i| (0..s.cols).map(move |j| (i, j)))
                        .collect(),
                    Axis::Cols => (0..s.rows).map(|k| (k, j)).collect(),
                    Axis::Rows => (0..s.cols).map(|k| (i, k)).collect(),
                };
                let terms = cells
                    .into_iter()
                    .map(|(p, q)| self.entry(a, p, q))
                    .collect::<Result<Vec<_>>>()?;
                entries.push(self.add(&terms)?);
            }
        }
        self.matrix(shape, entries)
    }

    /// `softmax(a)` down each column (`Axis::Cols`) or along each row.
    pub fn softmax(&mut self, a: ExprId, axis: Axis) -> Result<ExprId> {
        let s = self.shape(a);
        if axis == Axis::All {
            return Err(Error::Invalid(
                "softmax goes down columns (1) or along rows (2)".into(),
            ));
        }
        if axis.reduced(s) == s {
            return self.ones(s);
        }
        // A softmax stays whole, of explicit matrices and data too: written
        // out as ℯᵃ/Σℯᵃ it overflows at logits of ±1000 and cancels after
        // `exp(log(…))` folds, while the node is evaluated with a max shift.
        self.intern(Node::Softmax(axis, a), s)
    }

    /// The derivative of `softmax(a)` along `axis` applied to `v`:
    /// `S ∘ (v − Σ v∘S)` with `S = softmax(a)`, kept whole
    /// ([`Node::SoftmaxJvp`]) while the formula stays that product, and
    /// that formula otherwise (zero, say, for a `v` constant along the
    /// axis). Numbers `v` on symbolic logits (the unit directions of a
    /// Jacobian) take the formula too: its elements read `aᵢ⋅(δᵢⱼ − aⱼ)`.
    pub fn softmax_jvp(&mut self, a: ExprId, v: ExprId, axis: Axis) -> Result<ExprId> {
        let (s, centred) = self.softmax_centred(a, v, axis)?;
        let formula = self.mul(&[s, centred])?;
        let whole = self.shape(v) == self.shape(a)
            && (self.is_explicit(a) || !self.is_explicit(v))
            && matches!(self.node(s), Node::Softmax(..))
            && matches!(self.node(formula), Node::Mul(fs) if fs.contains(&s));
        if !whole {
            return Ok(formula);
        }
        let shape = self.shape(a);
        self.intern_with_formula(Node::SoftmaxJvp(axis, a, v), shape, formula)
    }

    /// `trace(a)` of a square matrix.
    pub fn trace(&mut self, a: ExprId) -> Result<ExprId> {
        let s = self.shape(a);
        if s.rows != s.cols {
            return Err(Error::BadShape {
                op: "trace",
                shape: s,
                expected: "a square matrix",
            });
        }
        if self.is_explicit(a) || s.is_scalar() {
            let diag = (0..s.rows)
                .map(|k| self.entry(a, k, k))
                .collect::<Result<Vec<_>>>()?;
            return self.add(&diag);
        }
        if let Some(terms) = self.diagonal_terms(a)? {
            return self.sum(terms, Axis::All);
        }
        if let Some((mut factors, rest)) = self.scalar_factors(a) {
            // tr(c⋅A) = c⋅tr(A).
            let rest = self.mul(&rest)?;
            factors.push(self.trace(rest)?);
            return self.mul(&factors);
        }
        self.intern(Node::Trace(a), Shape::SCALAR)
    }

    /// For a square product `a = X⋅Y` larger than 10 000 elements and than
    /// its factors, `X∘Yᵀ`, whose rows sum to the diagonal of `a`: so the
    /// trace and the diagonal of `(W⋅X)ᵀ⋅(W⋅X)` over N samples are sums of
    /// `(W⋅X)∘(W⋅X)`, without the N×N product.
    fn diagonal_terms(&mut self, a: ExprId) -> Result<Option<ExprId>> {
        let Some((x, y)) = self.large_product(a) else {
            return Ok(None);
        };
        let yt = self.transpose(y)?;
        self.mul(&[x, yt]).map(Some)
    }

    /// The factors of `a` when it is a product `X⋅Y` of more than 10 000
    /// elements, larger than either factor (a product over many samples
    /// that [`Pool::diagonal_terms`] and [`Pool::product_of_sums`] avoid
    /// forming).
    fn large_product(&self, a: ExprId) -> Option<(ExprId, ExprId)> {
        let Node::MatMul(x, y) = *self.node(a) else {
            return None;
        };
        let len = self.shape(a).len();
        let factors = self.shape(x).len().max(self.shape(y).len());
        (len > EXPLICIT_LIMIT && len > factors).then_some((x, y))
    }

    /// For a product `a = X⋅Y` larger than 10 000 elements and than its
    /// factors, its sum along `axis` from sums of the factors: `sum(X, 1)⋅Y`
    /// down the columns, `X⋅sum(Y, 2)` along the rows, `sum(X, 1)⋅sum(Y, 2)`
    /// over all; so a sum of `(W⋅X)ᵀ⋅(W⋅X)` over N samples, or its gradient,
    /// never forms the N×N product.
    fn product_of_sums(&mut self, a: ExprId, axis: Axis) -> Result<Option<ExprId>> {
        let Some((x, y)) = self.large_product(a) else {
            return Ok(None);
        };
        let x = match axis {
            Axis::Rows => x,
            Axis::Cols | Axis::All => self.sum(x, Axis::Cols)?,
        };
        let y = match axis {
            Axis::Cols => y,
            Axis::Rows | Axis::All => self.sum(y, Axis::Rows)?,
        };
        self.matmul(x, y).map(Some)
    }

    /// `diag(a)`: the diagonal of a square matrix as a column, or the
    /// diagonal matrix of a vector.
    pub fn diag(&mut self, a: ExprId) -> Result<ExprId> {
        let s = self.shape(a);
        let shape = if s.rows == 1 || s.cols == 1 {
            crate::build::checked_shape(s.len(), s.len())?
        } else if s.rows == s.cols {
            Shape::new(s.rows, 1)
        } else {
            return Err(Error::BadShape {
                op: "diag",
                shape: s,
                expected: "a square matrix or a vector",
            });
        };
        if s.is_scalar() {
            return Ok(a);
        }
        if self.is_explicit(a) && shape.len() <= EXPLICIT_LIMIT {
            let zero = self.int(0)?;
            let mut entries = Vec::with_capacity(shape.len());
            for i in 0..shape.rows {
                for j in 0..shape.cols {
                    entries.push(match (shape.cols == 1, i == j) {
                        (true, _) => self.entry(a, i, i)?,
                        (false, true) => self.entry(a, i.min(s.rows - 1), i.min(s.cols - 1))?,
                        (false, false) => zero,
                    });
                }
            }
            return self.matrix(shape, entries);
        }
        if shape.cols == 1
            && let Some(terms) = self.diagonal_terms(a)?
        {
            return self.sum(terms, Axis::Rows);
        }
        self.intern(Node::Diag(a), shape)
    }

    /// `a[rows, cols]`: a single element (the element view of `a`) or a submatrix.
    pub fn slice(&mut self, a: ExprId, rows: Span1, cols: Span1) -> Result<ExprId> {
        let s = self.shape(a);
        if rows.start >= rows.end || cols.start >= cols.end {
            return Err(Error::Invalid(format!(
                "the slice [{}:{}, {}:{}] of a {s} matrix is empty (a matrix has at least one row and one column)",
                rows.start, rows.end, cols.start, cols.end
            )));
        }
        if rows.end > s.rows || cols.end > s.cols {
            let index = format!("[{}:{}, {}:{}]", rows.start, rows.end, cols.start, cols.end);
            return Err(Error::IndexOutOfRange { index, shape: s });
        }
        let shape = Shape::new(rows.end - rows.start, cols.end - cols.start);
        if shape == s {
            return Ok(a);
        }
        if shape.is_scalar() {
            return self.element_of(a, rows.start, cols.start);
        }
        if let Some(part) = self.stack_part(a, rows, cols) {
            return Ok(part);
        }
        match self.node(a).clone() {
            Node::Dense(d) => self.dense(slice_dense(&d, rows, cols)?),
            // A slice of data's transpose is the transpose of data's slice.
            Node::Transpose(x) if self.is_dense(x) => {
                let part = self.slice(x, cols, rows)?;
                self.transpose(part)
            }
            Node::Matrix { .. } => {
                let mut entries = Vec::with_capacity(shape.len());
                for i in rows.start..rows.end {
                    for j in cols.start..cols.end {
                        entries.push(self.entry(a, i, j)?);
                    }
                }
                self.matrix(shape, entries)
            }
            _ => self.intern(Node::Slice { arg: a, rows, cols }, shape),
        }
    }
}

/// How a matrix product folds (see `Pool::product_folding`).
enum Folding {
    Dense(Dense, Dense),
    Explicit,
}

fn flip(axis: Axis) -> Axis {
    match axis {
        Axis::All => Axis::All,
        Axis::Cols => Axis::Rows,
        Axis::Rows => Axis::Cols,
    }
}

/// The product of two dense matrices: exact when both are.
/// Exact products check the interrupt of `pool` every row of products, and refuse
/// entries whose products would be larger than exact numbers may be.
fn dense_product(x: &Dense, y: &Dense, pool: &Pool) -> Result<Dense> {
    let (m, k, n) = (x.shape().rows, x.shape().cols, y.shape().cols);
    let shape = Shape::new(m, n);
    match (x.data(), y.data()) {
        (DenseData::Exact(a), DenseData::Exact(b)) => {
            let bits = |v: &[Num]| {
                v.iter()
                    .map(|e| match e {
                        Num::Rat(r) => r.bits(),
                        Num::Float(_) => 0,
                    })
                    .max()
                    .unwrap_or(0)
            };
            let product_bits = bits(a) + bits(b);
            if product_bits > crate::num::MAX_EXACT_BITS {
                return Err(crate::num::too_many_bits(product_bits));
            }
            let mut out = vec![Num::zero(); m * n];
            for i in 0..m {
                for p in 0..k {
                    let aip = &a[i * k + p];
                    if aip.is_zero() {
                        continue;
                    }
                    pool.check_interrupt()?;
                    for j in 0..n {
                        out[i * n + j] = out[i * n + j].add(&aip.mul(&b[p * n + j]));
                    }
                }
            }
            Dense::new(shape, DenseData::Exact(out))
        }
        _ => {
            let (a, b) = (floats(x), floats(y));
            let mut out = vec![0.0; m * n];
            for i in 0..m {
                for p in 0..k {
                    let aip = a[i * k + p];
                    for j in 0..n {
                        out[i * n + j] += aip * b[p * n + j];
                    }
                }
            }
            Dense::from_f64(shape, out)
        }
    }
}

/// The elements of a dense matrix as floats.
pub(crate) fn floats(d: &Dense) -> Vec<f64> {
    match d.data() {
        DenseData::Float(v) => v.to_vec(),
        DenseData::Exact(v) => v.iter().map(Num::to_f64).collect(),
    }
}

fn transpose_dense(d: &Dense) -> Result<Dense> {
    let s = d.shape();
    slice_or_permute(d, s.transposed(), |i, j| (j, i))
}

fn slice_dense(d: &Dense, rows: Span1, cols: Span1) -> Result<Dense> {
    let shape = Shape::new(rows.end - rows.start, cols.end - cols.start);
    slice_or_permute(d, shape, |i, j| (rows.start + i, cols.start + j))
}

/// A dense matrix of `shape` whose (i, j) element is `d` at `source(i, j)`.
fn slice_or_permute(
    d: &Dense,
    shape: Shape,
    source: impl Fn(usize, usize) -> (usize, usize),
) -> Result<Dense> {
    let cols = d.shape().cols;
    let at = |i, j| {
        let (p, q) = source(i, j);
        p * cols + q
    };
    let cells = (0..shape.rows).flat_map(|i| (0..shape.cols).map(move |j| (i, j)));
    let data = match d.data() {
        DenseData::Exact(v) => DenseData::Exact(cells.map(|(i, j)| v[at(i, j)].clone()).collect()),
        DenseData::Float(v) => DenseData::Float(cells.map(|(i, j)| v[at(i, j)]).collect()),
    };
    Dense::new(shape, data)
}

/// `c` when the exact square matrix `d` is `c⋅I`.
pub(crate) fn identity_multiple(d: &Dense) -> Option<Num> {
    let n = d.shape().rows;
    let DenseData::Exact(v) = d.data() else {
        return None;
    };
    let c = v.first()?;
    let fits = d.shape().cols == n
        && v.iter()
            .enumerate()
            .all(|(k, x)| if k / n == k % n { x == c } else { x.is_zero() });
    fits.then(|| c.clone())
}
