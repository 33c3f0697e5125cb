//! Matrix-level differentiation: `grad(f, W)` by reverse mode over the DAG.
//! Each node's adjoint is built as new nodes from the adjoint of its parents
//! (`C = A⋅B` gives `Ā += C̄⋅Bᵀ` and `B̄ += Aᵀ⋅C̄`), so the gradient of a loss
//! over a whole data set is a small matrix expression in closed form.

use crate::simplify::softmax_any;
use crate::{Axis, Error, ExprId, Node, Pool, Reduction, Result, Shape, Span1};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashMap;

impl Pool {
    /// `Err` unless `w` is a symbol, as `grad(f, w)` needs.
    pub fn check_gradient_variable(&self, w: ExprId) -> Result<()> {
        match self.node(w) {
            Node::Symbol { .. } => Ok(()),
            _ => Err(Error::Invalid(
                "grad needs a symbol to differentiate by".into(),
            )),
        }
    }

    /// `grad(f, w)`: the matrix shaped like the symbol `w` whose (i, j)
    /// entry is `∂f/∂wᵢⱼ`, for a scalar `f`, in the sigmoid forms and
    /// simplified.
    pub fn grad(&mut self, f: ExprId, w: ExprId) -> Result<ExprId> {
        self.check_gradient_variable(w)?;
        let fs = self.shape(f);
        if !fs.is_scalar() {
            return Err(Error::BadShape {
                op: "grad",
                shape: fs,
                expected: "a scalar function (use jacobian for a vector)",
            });
        }
        let f = self.stabilise(f)?;
        let g = self.adjoint(f, w)?;
        self.simplify(g)
    }

    /// The raw gradient of the scalar `f` by the symbol `w`.
    pub(crate) fn adjoint(&mut self, f: ExprId, w: ExprId) -> Result<ExprId> {
        self.sweep(f, w, &HashMap::new(), &mut Vec::new())
    }

    /// The chain rule step by step, for `explain`: `cuts` maps nodes of the
    /// scalar `f` to symbols of their shapes that stand for their adjoints.
    /// Gives the adjoint of each cut that depends on `w`, in the order of
    /// the reverse sweep (from `f` down to `w`), as an expression in the
    /// symbols of the cuts above it (one chain-rule step each), and last
    /// the adjoint of `w` likewise. `f` is taken as it is (not in its stable
    /// form) and nothing is simplified.
    pub fn chain_steps(
        &mut self,
        f: ExprId,
        w: ExprId,
        cuts: &HashMap<ExprId, ExprId>,
    ) -> Result<Vec<(ExprId, ExprId)>> {
        if !matches!(self.node(w), Node::Symbol { .. }) {
            return Err(Error::Invalid(
                "the chain rule needs a symbol to differentiate by".into(),
            ));
        }
        if !self.shape(f).is_scalar() {
            return Err(Error::BadShape {
                op: "the chain rule",
                shape: self.shape(f),
                expected: "a scalar function",
            });
        }
        let mut steps = Vec::new();
        let last = self.sweep(f, w, cuts, &mut steps)?;
        steps.push((w, last));
        Ok(steps)
    }

    /// The reverse sweep of [`Pool::adjoint`]; a node of `cuts` records its
    /// adjoint in `reached` and passes its symbol on instead.
    fn sweep(
        &mut self,
        f: ExprId,
        w: ExprId,
        cuts: &HashMap<ExprId, ExprId>,
        reached: &mut Vec<(ExprId, ExprId)>,
    ) -> Result<ExprId> {
        let nodes = self.reachable(f);
        let live = self.depending_on(&nodes, w);
        let mut adj: FxHashMap<ExprId, Vec<ExprId>> = FxHashMap::default();
        let mut elements: FxHashMap<(usize, usize), Vec<ExprId>> = FxHashMap::default();
        adj.insert(f, vec![self.int(1)?]);
        for &id in nodes.iter().rev() {
            if !live.contains(&id) {
                continue;
            }
            let Some(parts) = adj.remove(&id) else {
                continue;
            };
            let total = self.add(&parts)?;
            // Elementwise pullbacks take an adjoint that broadcasts to the
            // node's shape (a scalar, a row or a column) as it is, so the
            // gradient of a mean over a data set never builds a matrix of 1/n.
            let mut bar = if id != w && self.pulls_back_broadcast(id) && !cuts.contains_key(&id) {
                total
            } else {
                self.broadcast_to(total, self.shape(id))?
            };
            if let Some(&symbol) = cuts.get(&id).filter(|_| id != w && id != f) {
                reached.push((id, bar));
                bar = symbol;
            }
            if id == w {
                adj.insert(w, vec![bar]);
                break;
            }
            if let Node::Element { row, col, .. } = *self.node(id) {
                elements.entry((row, col)).or_default().push(bar);
                continue;
            }
            for (child, contribution) in self.pullback(id, bar, &live)? {
                adj.entry(child).or_default().push(contribution);
            }
        }
        let shape = self.shape(w);
        let whole = match adj.remove(&w) {
            Some(parts) => self.add(&parts)?,
            None => self.zero(shape)?,
        };
        if elements.is_empty() {
            return Ok(whole);
        }
        let mut entries = Vec::with_capacity(shape.len());
        for i in 0..shape.rows {
            for j in 0..shape.cols {
                let parts = elements.remove(&(i, j)).unwrap_or_default();
                entries.push(self.add(&parts)?);
            }
        }
        let explicit = self.matrix(shape, entries)?;
        self.add(&[whole, explicit])
    }

    /// The nodes among `nodes` (in id order) that depend on `w`.
    fn depending_on(&self, nodes: &[ExprId], w: ExprId) -> FxHashSet<ExprId> {
        let mut live = FxHashSet::default();
        for &id in nodes {
            if id == w || self.node(id).children().iter().any(|c| live.contains(c)) {
                live.insert(id);
            }
        }
        live
    }

    /// The contribution of the adjoint `bar` of node `id` to the adjoint of
    /// each child in `live` (of the child's shape, or broadcasting to it).
    fn pullback(
        &mut self,
        id: ExprId,
        bar: ExprId,
        live: &FxHashSet<ExprId>,
    ) -> Result<Vec<(ExprId, ExprId)>> {
        let node = self.node(id).clone();
        let full = self.shape(id);
        let wanted = |c: &ExprId| live.contains(c);
        let out = match node {
            Node::Num(_)
            | Node::Const(_)
            | Node::Symbol { .. }
            | Node::Dense(_)
            | Node::Element { .. } => vec![],
            Node::Matrix { shape, entries } => {
                let mut out = Vec::new();
                for (k, &e) in entries.iter().enumerate().filter(|(_, e)| wanted(e)) {
                    out.push((e, self.element_of(bar, k / shape.cols, k % shape.cols)?));
                }
                out
            }
            Node::Add(ts) => {
                let mut out = Vec::new();
                for &t in ts.iter().filter(|t| wanted(t)) {
                    out.push((t, self.unbroadcast(bar, self.shape(t), full)?));
                }
                out
            }
            Node::Mul(fs) => {
                let mut out = Vec::new();
                for k in (0..fs.len()).filter(|&k| wanted(&fs[k])) {
                    let mut factors = fs.clone();
                    factors[k] = bar;
                    let c = self.mul(&factors)?;
                    out.push((fs[k], self.unbroadcast(c, self.shape(fs[k]), full)?));
                }
                out
            }
            Node::Pow(b, e) => {
                let mut out = Vec::new();
                if wanted(&b) {
                    let one = self.int(1)?;
                    let e1 = self.sub(e, one)?;
                    let p = self.pow(b, e1)?;
                    let db = self.mul(&[bar, e, p])?;
                    out.push((b, self.unbroadcast(db, self.shape(b), full)?));
                }
                if wanted(&e) {
                    let de = match self.log_of_power_base(b)? {
                        Some(lb) => self.mul(&[bar, id, lb])?,
                        None => self.zeros(self.shape(id))?,
                    };
                    out.push((e, self.unbroadcast(de, self.shape(e), full)?));
                }
                out
            }
            Node::MatMul(a, b) => {
                let mut out = Vec::new();
                if wanted(&a) {
                    let bt = self.transpose(b)?;
                    out.push((a, self.product(bar, bt)?));
                }
                if wanted(&b) {
                    let at = self.transpose(a)?;
                    out.push((b, self.product(at, bar)?));
                }
                out
            }
            Node::MatPow(a, n) => {
                // Ā = Σₖ (Aᵏ)ᵀ⋅C̄⋅(Aⁿ⁻¹⁻ᵏ)ᵀ: the tangent rule on Aᵀ.
                let at = self.transpose(a)?;
                vec![(a, self.matpow_tangent(at, n, bar)?)]
            }
            Node::Transpose(a) => vec![(a, self.transpose(bar)?)],
            Node::Apply(f, a) => {
                let fd = self.func_derivative(f, a)?;
                vec![(a, self.mul(&[bar, fd])?)]
            }
            Node::Reduce(Reduction::Sum, _, a) => vec![(a, bar)],
            Node::Reduce(Reduction::LogSumExp, axis, a) => {
                let s = softmax_any(self, a, axis)?;
                vec![(a, self.mul(&[bar, s])?)]
            }
            Node::Softmax(axis, a) => vec![(a, self.softmax_jvp(a, bar, axis)?)],
            // T = J(a)⋅v with J symmetric: v̄ = J(a)⋅T̄, and ā = J(a)⋅S̄ with
            // S̄ = T̄∘c − v∘Σ(T̄∘S), c = v − Σ v∘S.
            Node::SoftmaxJvp(axis, a, v) => {
                let mut out = Vec::new();
                if wanted(&v) {
                    out.push((v, self.softmax_jvp(a, bar, axis)?));
                }
                if wanted(&a) {
                    let (s, c) = self.softmax_centred(a, v, axis)?;
                    let bar_c = self.mul(&[bar, c])?;
                    let bar_s = self.mul(&[bar, s])?;
                    let total = self.sum(bar_s, axis)?;
                    let v_total = self.mul(&[v, total])?;
                    let s_bar = self.sub(bar_c, v_total)?;
                    out.push((a, self.softmax_jvp(a, s_bar, axis)?));
                }
                out
            }
            Node::Trace(a) => {
                let eye = self.eye(self.shape(a).rows)?;
                vec![(a, self.mul(&[bar, eye])?)]
            }
            Node::Diag(a) => {
                let d = self.diag(bar)?;
                let d = if self.shape(a).rows == 1 {
                    self.transpose(d)?
                } else {
                    d
                };
                vec![(a, d)]
            }
            Node::Det(a) => {
                // Ā = C̄⋅det(A)⋅A⁻ᵀ (Matrix Cookbook (49)).
                let it = self.inverse_transpose(a)?;
                vec![(a, self.mul(&[bar, id, it])?)]
            }
            Node::LogDet(a) => {
                // Ā = C̄⋅A⁻ᵀ (Matrix Cookbook (57)).
                let it = self.inverse_transpose(a)?;
                vec![(a, self.mul(&[bar, it])?)]
            }
            Node::Stack { vertical, parts } => {
                let blocks = self.stack_blocks(bar, &parts, vertical)?;
                parts
                    .into_iter()
                    .zip(blocks)
                    .filter(|(p, _)| wanted(p))
                    .collect()
            }
            Node::Slice { arg, rows, cols } => {
                let s = self.shape(arg);
                vec![(arg, self.zero_padded(bar, s, rows, cols)?)]
            }
        };
        Ok(out)
    }

    /// `t` placed at `rows` and `cols` of a zero matrix of `shape` (the
    /// adjoint of that slice): `t` stacked between blocks of zeros, so
    /// that it stays the size of the slice in products (see `Pool::matmul`).
    fn zero_padded(&mut self, t: ExprId, shape: Shape, rows: Span1, cols: Span1) -> Result<ExprId> {
        let band = self.between_zeros(t, cols.start, shape.cols - cols.end, false)?;
        self.between_zeros(band, rows.start, shape.rows - rows.end, true)
    }

    /// `t` with `before` and `after` rows (`vertical`) or columns of zeros
    /// stacked around it.
    fn between_zeros(
        &mut self,
        t: ExprId,
        before: usize,
        after: usize,
        vertical: bool,
    ) -> Result<ExprId> {
        let s = self.shape(t);
        let block = |n: usize| match vertical {
            true => Shape::new(n, s.cols),
            false => Shape::new(s.rows, n),
        };
        let mut parts = Vec::with_capacity(3);
        if before > 0 {
            parts.push(self.zeros(block(before))?);
        }
        parts.push(t);
        if after > 0 {
            parts.push(self.zeros(block(after))?);
        }
        self.stack(&parts, vertical)
    }

    /// True for a node whose pullback works on an adjoint of any shape that
    /// broadcasts to its own (elementwise operations, reductions, softmax,
    /// transposes).
    fn pulls_back_broadcast(&self, id: ExprId) -> bool {
        matches!(
            self.node(id),
            Node::Add(_)
                | Node::Mul(_)
                | Node::Pow(..)
                | Node::Apply(..)
                | Node::Reduce(..)
                | Node::Softmax(..)
                | Node::SoftmaxJvp(..)
                | Node::Transpose(_)
        )
    }

    /// `sum(t)`, and `tr(A)` for `t = I∘A`: the adjoint of a scalar factor
    /// `s` of `tr(s⋅A)`, whose own adjoint is the identity.
    fn total(&mut self, t: ExprId) -> Result<ExprId> {
        if let Node::Mul(fs) = self.node(t)
            && let Some(k) = fs.iter().position(|&f| self.is_identity(f))
        {
            let rest = [&fs[..k], &fs[k + 1..]].concat();
            let rest = self.mul(&rest)?;
            if self.shape(rest) == self.shape(t) {
                return self.trace(rest);
            }
        }
        self.sum(t, Axis::All)
    }

    /// The adjoint of a child of shape `child` from `t`, the contribution
    /// of a node of shape `full` (which `t` broadcasts to): summed over the
    /// dimensions along which the child was broadcast. Where `t` itself is
    /// broadcast along such a dimension, the sum is a multiple of `t`.
    fn unbroadcast(&mut self, t: ExprId, child: Shape, full: Shape) -> Result<ExprId> {
        let s = self.shape(t);
        let mut factor = 1;
        let (mut rows, mut cols) = (false, false);
        if child.rows == 1 && full.rows > 1 {
            if s.rows > 1 {
                rows = true
            } else {
                factor *= full.rows
            }
        }
        if child.cols == 1 && full.cols > 1 {
            if s.cols > 1 {
                cols = true
            } else {
                factor *= full.cols
            }
        }
        let summed = match (rows, cols) {
            (true, true) => self.total(t)?,
            (true, false) => self.sum(t, Axis::Cols)?,
            (false, true) => self.sum(t, Axis::Rows)?,
            (false, false) => t,
        };
        if factor == 1 {
            return Ok(summed);
        }
        let n = self.int(factor as i64)?;
        self.mul(&[n, summed])
    }
}

#[cfg(test)]
mod tests {
    use crate::{Axis, ExprId, Func, Pool, Shape, Values};
    use std::collections::HashMap;

    #[test]
    fn chain_steps_compose_to_the_gradient() {
        // f = sum(softmax(V⋅tanh(W⋅x))∘y): cut at a = tanh(W⋅x) and at
        // s = softmax(V⋅a). Putting each step's adjoint into the steps
        // below must give the gradient; the steps come from f down to W.
        let mut p = Pool::new();
        let w = p.symbol("W", Shape::new(2, 3)).unwrap();
        let v = p.symbol("V", Shape::new(2, 2)).unwrap();
        let x = p.symbol("x", Shape::new(3, 1)).unwrap();
        let y = p.symbol("y", Shape::new(2, 1)).unwrap();
        let wx = p.matmul(w, x).unwrap();
        let a = p.apply(Func::Tanh, wx).unwrap();
        let va = p.matmul(v, a).unwrap();
        let s = p.softmax(va, Axis::Cols).unwrap();
        let sy = p.mul(&[s, y]).unwrap();
        let f = p.sum(sy, Axis::All).unwrap();
        let da = p.symbol("da", Shape::new(2, 1)).unwrap();
        let ds = p.symbol("ds", Shape::new(2, 1)).unwrap();
        let cuts = HashMap::from([(a, da), (s, ds)]);
        let steps = p.chain_steps(f, w, &cuts).unwrap();
        let order: Vec<ExprId> = steps.iter().map(|(n, _)| *n).collect();
        assert_eq!(order, [s, a, w]);
        let mut closed = HashMap::new();
        let mut last = None;
        for (node, step) in &steps {
            let c = p.replace(*step, &closed).unwrap();
            if let Some(&symbol) = cuts.get(node) {
                closed.insert(symbol, c);
            }
            last = Some(c);
        }
        let direct = p.adjoint(f, w).unwrap();
        let values =
            |data: &[f64], rows, cols| Values::new(Shape::new(rows, cols), data.to_vec()).unwrap();
        let bindings = HashMap::from([
            (w, values(&[0.3, -0.2, 0.5, 0.1, 0.4, -0.6], 2, 3)),
            (v, values(&[1.0, -0.5, 0.25, 2.0], 2, 2)),
            (x, values(&[1.0, 2.0, -1.0], 3, 1)),
            (y, values(&[1.0, 0.0], 2, 1)),
        ]);
        let got = p.evaluate(last.unwrap(), &bindings).unwrap();
        let want = p.evaluate(direct, &bindings).unwrap();
        assert_eq!(got.shape, Shape::new(2, 3));
        for (g, d) in got.data.iter().zip(&want.data) {
            assert!(
                (g - d).abs() <= 1e-14 * (1.0 + d.abs()),
                "{got:?} vs {want:?}"
            );
        }
        // The step at a is V's transpose times the adjoint symbol of s,
        // not an expression of the layers above.
        let (_, step_a) = steps[1];
        assert!(p.free_symbols(step_a).contains(&ds));
        assert!(!p.free_symbols(step_a).contains(&y));
    }
}
