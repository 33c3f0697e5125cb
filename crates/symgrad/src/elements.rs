//! The element view: the scalar expression of each element of a matrix
//! expression, derived on demand; and `size`, the operation count.

use crate::arith::EXPLICIT_LIMIT;
use crate::{Axis, Error, ExprId, Func, Node, Pool, Reduction, Result, Shape, Span1};
use rustc_hash::{FxHashMap, FxHashSet};

/// The largest |n| of a matrix power `Aⁿ` written out element by element.
const MAX_ELEMENT_POWER: u64 = 64;

/// The element view builds at most this many new nodes per call.
const ELEMENT_BUDGET: usize = 4_000_000;

/// The largest n of an n×n inverse or determinant that [`Pool::element_of`]
/// writes out by cofactors (as stable as an LU factorisation there). Larger
/// ones stay whole, as `(A⁻¹)ᵢⱼ` and `det(A)`, and are evaluated by LU: by
/// cofactors, `A = d⋅dᵀ + I` (4×4, entries of d near 10³) lost every digit
/// of its Hessian.
const WRITTEN_OUT_ORDER: usize = 2;

/// Memo and budget of one element-view computation, and whether everything
/// is written out: inverses and determinants of any size by cofactors,
/// softmax derivatives as their formulas.
struct ElementView {
    memo: FxHashMap<(ExprId, usize, usize), ExprId>,
    budget: usize,
    written_out: bool,
}

impl ElementView {
    fn new(written_out: bool) -> ElementView {
        ElementView {
            memo: FxHashMap::default(),
            budget: ELEMENT_BUDGET,
            written_out,
        }
    }
}

impl Pool {
    /// The scalar expression of element (i, j) of `a` (which must be in
    /// range), with inverses and determinants of more than
    /// [`WRITTEN_OUT_ORDER`] rows kept whole.
    pub fn element_of(&mut self, a: ExprId, i: usize, j: usize) -> Result<ExprId> {
        self.element_in(&mut ElementView::new(false), a, i, j)
    }

    /// [`Pool::element_of`] with every inverse and determinant written out
    /// by cofactors (up to 4×4) and every softmax derivative as its formula,
    /// so that only numbers and scalar operations remain: for the scalar
    /// register programs.
    pub(crate) fn element_written_out(&mut self, a: ExprId, i: usize, j: usize) -> Result<ExprId> {
        self.element_in(&mut ElementView::new(true), a, i, j)
    }

    /// `elements(a)`: the explicit matrix of the element expressions of `a`.
    pub fn elements(&mut self, a: ExprId) -> Result<ExprId> {
        let s = self.shape(a);
        if s.len() > EXPLICIT_LIMIT {
            return Err(Error::TooLarge(format!(
                "a {}×{} matrix is too large to show element by element",
                s.rows, s.cols
            )));
        }
        let mut view = ElementView::new(true);
        let mut entries = Vec::with_capacity(s.len());
        for i in 0..s.rows {
            for j in 0..s.cols {
                entries.push(self.element_in(&mut view, a, i, j)?);
            }
        }
        self.matrix(s, entries)
    }

    fn element_in(
        &mut self,
        view: &mut ElementView,
        a: ExprId,
        i: usize,
        j: usize,
    ) -> Result<ExprId> {
        let s = self.shape(a);
        let (i, j) = (
            if s.rows == 1 { 0 } else { i },
            if s.cols == 1 { 0 } else { j },
        );
        if let Some(&e) = view.memo.get(&(a, i, j)) {
            return Ok(e);
        }
        if view.budget == 0 {
            return Err(Error::TooLarge(
                "the element view of this expression is too large".into(),
            ));
        }
        view.budget -= 1;
        let e = self.element_uncached(view, a, i, j)?;
        view.memo.insert((a, i, j), e);
        Ok(e)
    }

    fn element_uncached(
        &mut self,
        view: &mut ElementView,
        a: ExprId,
        i: usize,
        j: usize,
    ) -> Result<ExprId> {
        let s = self.shape(a);
        if let Some(x) = self.node(a).factored_matrix()
            && !view.written_out
            && self.shape(x).rows > WRITTEN_OUT_ORDER
        {
            return self.element_slice(a, i, j);
        }
        let written_out = view.written_out;
        let mut at = |p: &mut Pool, x: ExprId, i: usize, j: usize| p.element_in(view, x, i, j);
        match self.node(a).clone() {
            Node::Num(_) | Node::Const(_) | Node::Element { .. } => Ok(a),
            Node::Symbol { .. } => self.element(a, i, j),
            Node::Matrix { .. } | Node::Dense(_) => self.entry(a, i, j),
            Node::Add(_) => {
                let es = self
                    .terms_as_shown(a)
                    .iter()
                    .map(|&x| at(self, x, i, j))
                    .collect::<Result<Vec<_>>>()?;
                self.add(&es)
            }
            Node::Mul(xs) => {
                let es = xs
                    .iter()
                    .map(|&x| at(self, x, i, j))
                    .collect::<Result<Vec<_>>>()?;
                self.mul(&es)
            }
            Node::Pow(b, e) => {
                let (b, e) = (at(self, b, i, j)?, at(self, e, i, j)?);
                self.pow(b, e)
            }
            Node::MatMul(x, y) => self.product_element(view, x, y, i, j),
            // Each power is one level of recursion here.
            Node::MatPow(_, n) if n.unsigned_abs() > MAX_ELEMENT_POWER => Err(Error::TooLarge(
                format!("the element view of a matrix power above {MAX_ELEMENT_POWER}"),
            )),
            Node::MatPow(x, -1) => {
                let entries = self.explicit_entries(x, &mut at)?;
                self.inverse_entry(self.shape(x).rows, &entries, i, j)
            }
            Node::MatPow(x, n) if n < 0 => {
                // A⁻ⁿ = A⁻⁽ⁿ⁻¹⁾⋅A⁻¹.
                let (k, m) = (self.int(n + 1)?, self.int(-1)?);
                let (lower, inv) = (self.power(x, k)?, self.power(x, m)?);
                self.product_element(view, lower, inv, i, j)
            }
            Node::MatPow(x, n) => {
                // Aⁿ = Aⁿ⁻¹⋅A.
                let k = self.int(n - 1)?;
                let lower = self.power(x, k)?;
                self.product_element(view, lower, x, i, j)
            }
            Node::Transpose(x) => at(self, x, j, i),
            Node::Apply(f, x) => {
                let e = at(self, x, i, j)?;
                self.apply(f, e)
            }
            Node::Reduce(r, axis, x) => {
                let xs = self.shape(x);
                let cells = reduced_cells(axis, xs, i, j);
                let mut terms = Vec::with_capacity(cells.len());
                for (p, q) in cells {
                    let e = at(self, x, p, q)?;
                    terms.push(if r == Reduction::Sum {
                        e
                    } else {
                        self.apply(Func::Exp, e)?
                    });
                }
                let total = self.add(&terms)?;
                if r == Reduction::Sum {
                    Ok(total)
                } else {
                    self.apply(Func::Log, total)
                }
            }
            // An element of a softmax stays one: `softmax(z)[i, j]`, so that
            // its derivatives read aᵢ⋅(δᵢⱼ − aⱼ) rather than in exponentials.
            Node::Softmax(..) => self.element_slice(a, i, j),
            // A softmax derivative stays whole too (it is evaluated from the
            // logits), and writes out as its formula.
            Node::SoftmaxJvp(..) if written_out => {
                let formula = self.formula(a);
                at(self, formula, i, j)
            }
            Node::SoftmaxJvp(..) => self.element_slice(a, i, j),
            Node::Trace(x) => {
                let n = self.shape(x).rows;
                let diag = (0..n)
                    .map(|k| at(self, x, k, k))
                    .collect::<Result<Vec<_>>>()?;
                self.add(&diag)
            }
            Node::Diag(x) => {
                let xs = self.shape(x);
                match (s.cols == 1 && xs.rows == xs.cols, i == j) {
                    (true, _) => at(self, x, i, i),
                    (false, true) => at(self, x, i.min(xs.rows - 1), i.min(xs.cols - 1)),
                    (false, false) => self.int(0),
                }
            }
            Node::Slice { arg, rows, cols } => at(self, arg, rows.start + i, cols.start + j),
            Node::Stack { vertical, parts } => {
                let (p, i, j) = self.stack_element_at(&parts, vertical, i, j);
                at(self, p, i, j)
            }
            Node::Det(x) | Node::LogDet(x) => {
                let entries = self.explicit_entries(x, &mut at)?;
                let det = self.laplace_det(self.shape(x).rows, &entries)?;
                if matches!(self.node(a), Node::Det(_)) {
                    Ok(det)
                } else {
                    let abs = self.apply(Func::Abs, det)?;
                    self.apply(Func::Log, abs)
                }
            }
        }
    }

    /// Element (i, j) of `a` kept whole, as the 1×1 slice `a[i, j]`.
    pub(crate) fn element_slice(&mut self, a: ExprId, i: usize, j: usize) -> Result<ExprId> {
        if self.shape(a).is_scalar() {
            return Ok(a);
        }
        let (rows, cols) = (
            Span1 {
                start: i,
                end: i + 1,
            },
            Span1 {
                start: j,
                end: j + 1,
            },
        );
        self.intern(Node::Slice { arg: a, rows, cols }, Shape::SCALAR)
    }

    /// Element (i, j) of the matrix product `x⋅y`: Σₖ xᵢₖ⋅yₖⱼ.
    fn product_element(
        &mut self,
        view: &mut ElementView,
        x: ExprId,
        y: ExprId,
        i: usize,
        j: usize,
    ) -> Result<ExprId> {
        let inner = self.shape(x).cols;
        let mut terms = Vec::with_capacity(inner);
        for k in 0..inner {
            let (p, q) = (
                self.element_in(view, x, i, k)?,
                self.element_in(view, y, k, j)?,
            );
            terms.push(self.mul(&[p, q])?);
        }
        self.add(&terms)
    }

    /// The number of elements in the matrix parts of `e` (each distinct node
    /// once), counted only until it exceeds `limit`.
    pub fn matrix_elements(&self, e: ExprId, limit: usize) -> usize {
        let mut seen = FxHashSet::default();
        let mut stack = vec![e];
        let mut total = 0usize;
        while let Some(x) = stack.pop() {
            if total > limit || !seen.insert(x) {
                continue;
            }
            let s = self.shape(x);
            if !s.is_scalar() {
                total = total.saturating_add(s.len());
            }
            stack.extend(self.node(x).children());
        }
        total
    }

    /// `size(e)`: the number of operations, counted over the expression as a
    /// tree (as SymPy's `count_ops`): an operation of n arguments counts n − 1.
    pub fn size(&self, e: ExprId) -> u64 {
        let mut counts: FxHashMap<ExprId, u64> = FxHashMap::default();
        self.size_in(e, false, &mut counts)
    }

    /// What writing `e` out in full takes: [`Pool::size`] plus the entries
    /// of its data matrices, both counted over the expression as a tree.
    pub fn written_size(&self, e: ExprId) -> u64 {
        let mut counts: FxHashMap<ExprId, u64> = FxHashMap::default();
        self.size_in(e, true, &mut counts)
    }

    fn size_in(&self, e: ExprId, data: bool, counts: &mut FxHashMap<ExprId, u64>) -> u64 {
        if let Some(&c) = counts.get(&e) {
            return c;
        }
        let node = self.node(e);
        let own = match node {
            Node::Dense(d) if data => d.shape().len() as u64,
            Node::Num(_)
            | Node::Const(_)
            | Node::Symbol { .. }
            | Node::Element { .. }
            | Node::Dense(_)
            | Node::Matrix { .. } => 0,
            Node::Add(xs) | Node::Mul(xs) => xs.len() as u64 - 1,
            _ => 1,
        };
        let total = node.children().iter().fold(own, |acc, &c| {
            acc.saturating_add(self.size_in(c, data, counts))
        });
        counts.insert(e, total);
        total
    }
}

/// The cells of an argument of shape `s` that reduce into output (i, j).
fn reduced_cells(axis: Axis, s: Shape, i: usize, j: usize) -> Vec<(usize, usize)> {
    match axis {
        Axis::All => (0..s.rows)
            .flat_map(|p| (0..s.cols).map(move |q| (p, q)))
            .collect(),
        Axis::Cols => (0..s.rows).map(|p| (p, j)).collect(),
        Axis::Rows => (0..s.cols).map(|q| (i, q)).collect(),
    }
}
