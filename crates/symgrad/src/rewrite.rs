//! Rebuilding expressions bottom-up through the normalising constructors:
//! the engine of substitution and of the rewriting passes.

use crate::{Error, ExprId, Node, Num, Pool, Result};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashMap;

impl Pool {
    /// Builds `node` through the constructor of its kind, so that it is
    /// normalised (folded, ordered, collected) as if the user had built it.
    pub(crate) fn make(&mut self, node: Node) -> Result<ExprId> {
        match node {
            Node::Num(n) => self.num(n),
            Node::Const(c) => self.constant(c),
            Node::Symbol { name, shape } => self.symbol(&name, shape),
            Node::Element { symbol, row, col } => self.element_of(symbol, row, col),
            Node::Matrix { shape, entries } => self.matrix(shape, entries),
            Node::Dense(d) => self.dense(d),
            Node::Add(xs) => self.add(&xs),
            Node::Mul(xs) => self.mul(&xs),
            Node::Pow(a, b) => self.pow(a, b),
            Node::MatMul(a, b) => self.matmul(a, b),
            Node::MatPow(a, n) => {
                let n = self.int(n)?;
                self.power(a, n)
            }
            Node::Transpose(a) => self.transpose(a),
            Node::Apply(f, a) => self.apply(f, a),
            Node::Reduce(r, axis, a) => self.reduce(r, a, axis),
            Node::Softmax(axis, a) => self.softmax(a, axis),
            Node::SoftmaxJvp(axis, a, v) => self.softmax_jvp(a, v, axis),
            Node::Trace(a) => self.trace(a),
            Node::Diag(a) => self.diag(a),
            Node::Det(a) => self.det(a),
            Node::LogDet(a) => self.logdet(a),
            Node::Slice { arg, rows, cols } => self.slice(arg, rows, cols),
            Node::Stack { vertical, parts } => self.stack(&parts, vertical),
        }
    }

    /// `e` with each node kept whole for evaluation replaced by its formula
    /// ([`Pool::formula`]): the form the exporters write, and the form to
    /// rename parts of for display.
    pub fn written_as_formulas(&mut self, e: ExprId) -> Result<ExprId> {
        self.rewrite(e, |p, x| {
            let f = p.formula(x);
            Ok((f != x).then_some(f))
        })
    }

    /// The nodes reachable from `e` (itself included), in increasing id
    /// order: children before parents.
    pub fn reachable(&self, e: ExprId) -> Vec<ExprId> {
        let mut seen = FxHashSet::with_capacity_and_hasher(64, Default::default());
        seen.insert(e);
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            self.node(x).for_each_child(|c| {
                if seen.insert(c) {
                    stack.push(c);
                }
            });
        }
        let mut out: Vec<ExprId> = seen.into_iter().collect();
        out.sort_unstable();
        out
    }

    /// Rewrites `e` bottom-up: each node reachable from `e`, children first,
    /// is rebuilt from its rewritten children and then offered to `rule`,
    /// which may return a replacement.
    pub(crate) fn rewrite(
        &mut self,
        e: ExprId,
        rule: impl FnMut(&mut Pool, ExprId) -> Result<Option<ExprId>>,
    ) -> Result<ExprId> {
        self.rebuild(e, &HashMap::new(), rule)
    }

    /// `e` with every occurrence of a key of `with` replaced by its value;
    /// the outermost occurrence wins (a replaced node is not looked into).
    pub fn replace(&mut self, e: ExprId, with: &HashMap<ExprId, ExprId>) -> Result<ExprId> {
        self.rebuild(e, with, |_, _| Ok(None))
    }

    /// The engine of [`Pool::rewrite`] and [`Pool::replace`]: nodes found in
    /// `fixed` become their value as they are, the others are rebuilt from
    /// their children and offered to `rule`. A node that fails fails the
    /// nodes above it, but for a division by zero in a product with a gate
    /// that became 0, which is 0 ([`crate::funcs::gated`]: `step(x)/√relu(x)`
    /// at x = −1).
    fn rebuild(
        &mut self,
        e: ExprId,
        fixed: &HashMap<ExprId, ExprId>,
        mut rule: impl FnMut(&mut Pool, ExprId) -> Result<Option<ExprId>>,
    ) -> Result<ExprId> {
        let nodes = self.reachable(e);
        let mut done = FxHashMap::with_capacity_and_hasher(nodes.len(), Default::default());
        let mut failed: FxHashMap<ExprId, Error> = FxHashMap::default();
        for id in nodes {
            if let Some(&r) = fixed.get(&id) {
                done.insert(id, r);
                continue;
            }
            let node = self.node(id);
            if !failed.is_empty() {
                let mut error = None;
                node.for_each_child(|c| {
                    if error.is_none() {
                        error = failed.get(&c).cloned();
                    }
                });
                if let Some(err) = error {
                    if err == Error::DivisionByZero && self.has_zero_gate(id, &done) {
                        done.insert(id, self.zero(self.shape(id))?);
                    } else {
                        failed.insert(id, err);
                    }
                    continue;
                }
            }
            let mut changed = false;
            node.for_each_child(|c| changed |= done.get(&c).is_some_and(|&r| r != c));
            let built = if changed {
                let rebuilt = match node {
                    // A sum keeps the order its terms were written in.
                    Node::Add(_) => Node::Add(
                        self.terms_as_shown(id)
                            .iter()
                            .map(|c| done.get(c).copied().unwrap_or(*c))
                            .collect(),
                    ),
                    _ => node.map_children(|c| done.get(&c).copied().unwrap_or(c)),
                };
                self.make(rebuilt)
            } else {
                Ok(id)
            };
            match built.and_then(|b| Ok(rule(self, b)?.unwrap_or(b))) {
                Ok(out) => {
                    done.insert(id, out);
                }
                Err(Error::Interrupted) => return Err(Error::Interrupted),
                Err(err) => {
                    failed.insert(id, err);
                }
            }
        }
        match failed.remove(&e) {
            Some(err) => Err(err),
            None => Ok(done.get(&e).copied().unwrap_or(e)),
        }
    }

    /// True when `id` is a product with a gate rebuilt as 0 in `done`.
    fn has_zero_gate(&self, id: ExprId, done: &FxHashMap<ExprId, ExprId>) -> bool {
        let Node::Mul(fs) = self.node(id) else {
            return false;
        };
        fs.iter().any(|&f| {
            self.is_gate(f)
                && done
                    .get(&f)
                    .is_some_and(|&r| self.as_num(r).is_some_and(Num::is_zero))
        })
    }
}
