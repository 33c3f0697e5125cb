//! Which dimensions of the data parameters an expression ties together: a
//! union-find over the dimensions of every node, where a dimension is
//! either free (the size of a data parameter) or fixed (a size written in
//! the expression, such as a symbol's).

use crate::{Axis, ExprId, Node, Pool};
use std::collections::HashMap;

/// The dimensions of every node, grouped into classes of equal size.
pub(super) struct Dims {
    parent: Vec<usize>,
    /// For a class root: the size it is fixed to, if any.
    fixed: Vec<Option<usize>>,
    /// Rows and columns of each node.
    of: HashMap<ExprId, [usize; 2]>,
    /// Rows and columns of each data parameter.
    params: Vec<[usize; 2]>,
}

/// Where one dimension of a data parameter stands.
#[derive(Debug, PartialEq)]
pub(super) enum Tie {
    /// Fixed to this size by the expression.
    Fixed(usize),
    /// Equal to an earlier dimension (given by its index in the query order).
    Same(usize),
    /// Free: any size works.
    Free,
}

impl Dims {
    /// The dimensions of the nodes of `order` (children first) and of
    /// `params` data parameters; `data` gives, for the nodes that are data
    /// parameters, which one and whether it is used transposed.
    pub(super) fn new(
        pool: &Pool,
        order: &[ExprId],
        params: usize,
        data: &HashMap<ExprId, (usize, bool)>,
    ) -> Dims {
        let mut d = Dims {
            parent: Vec::new(),
            fixed: Vec::new(),
            of: HashMap::new(),
            params: Vec::new(),
        };
        for _ in 0..params {
            let dims = [d.fresh(), d.fresh()];
            d.params.push(dims);
        }
        for &id in order {
            let s = pool.shape(id);
            let dims = match data.get(&id) {
                Some(&(k, false)) => d.params[k],
                Some(&(k, true)) => [d.params[k][1], d.params[k][0]],
                None => [d.fresh(), d.fresh()],
            };
            d.of.insert(id, dims);
            if s.is_scalar() {
                // A 1×1 value is a scalar in the generated code.
                d.fix(dims[0], 1);
                d.fix(dims[1], 1);
            }
            d.relate(pool, id, dims, data);
        }
        d
    }

    fn fresh(&mut self) -> usize {
        self.parent.push(self.parent.len());
        self.fixed.push(None);
        self.parent.len() - 1
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[b] = a;
            self.fixed[a] = self.fixed[a].or(self.fixed[b]);
        }
    }

    fn fix(&mut self, x: usize, size: usize) {
        let r = self.find(x);
        self.fixed[r] = Some(size);
    }

    /// Ties the dimensions `dims` of node `id` to those of its children.
    fn relate(
        &mut self,
        pool: &Pool,
        id: ExprId,
        dims: [usize; 2],
        data: &HashMap<ExprId, (usize, bool)>,
    ) {
        let s = pool.shape(id);
        let child = |d: &Dims, c: ExprId| d.of[&c];
        match pool.node(id) {
            Node::Dense(_) if data.contains_key(&id) => {}
            Node::Num(_)
            | Node::Const(_)
            | Node::Symbol { .. }
            | Node::Element { .. }
            | Node::Matrix { .. }
            | Node::Dense(_)
            | Node::Slice { .. } => {
                self.fix(dims[0], s.rows);
                self.fix(dims[1], s.cols);
                if let Node::Slice { arg, .. } = pool.node(id) {
                    // Fixed bounds: the sliced matrix keeps its size.
                    let [r, c] = child(self, *arg);
                    let a = pool.shape(*arg);
                    self.fix(r, a.rows);
                    self.fix(c, a.cols);
                }
            }
            Node::Add(xs) | Node::Mul(xs) => {
                for &x in xs {
                    self.broadcast(pool, x, id);
                }
            }
            Node::Pow(b, e) => {
                self.broadcast(pool, *b, id);
                self.broadcast(pool, *e, id);
            }
            Node::MatMul(a, b) => {
                let ([ar, ac], [br, bc]) = (child(self, *a), child(self, *b));
                self.union(ac, br);
                self.union(dims[0], ar);
                self.union(dims[1], bc);
            }
            Node::Transpose(a) => {
                let [r, c] = child(self, *a);
                self.union(dims[0], c);
                self.union(dims[1], r);
            }
            Node::MatPow(a, _) | Node::Apply(_, a) | Node::Softmax(_, a) => {
                let [r, c] = child(self, *a);
                self.union(dims[0], r);
                self.union(dims[1], c);
                if matches!(pool.node(id), Node::MatPow(..)) {
                    self.union(r, c);
                }
            }
            Node::Reduce(_, axis, a) => {
                let [r, c] = child(self, *a);
                match axis {
                    Axis::All => {}
                    Axis::Cols => self.union(dims[1], c),
                    Axis::Rows => self.union(dims[0], r),
                }
            }
            Node::Trace(a) => {
                let [r, c] = child(self, *a);
                self.union(r, c);
            }
            Node::Diag(a) => {
                let [r, c] = child(self, *a);
                let sa = pool.shape(*a);
                if s.cols == 1 && sa.rows == sa.cols {
                    self.union(r, c);
                    self.union(dims[0], r);
                } else if sa.cols == 1 {
                    self.fix(c, 1);
                    self.union(dims[0], r);
                    self.union(dims[1], r);
                } else {
                    self.fix(r, 1);
                    self.union(dims[0], c);
                    self.union(dims[1], c);
                }
            }
        }
    }

    /// Ties an operand `x` broadcast to the shape of `to`: a dimension of
    /// the same size is the same, a 1 stretched over more must stay 1.
    fn broadcast(&mut self, pool: &Pool, x: ExprId, to: ExprId) {
        let (sx, st) = (pool.shape(x), pool.shape(to));
        let (dx, dt) = (self.of[&x], self.of[&to]);
        for (k, (a, b)) in [(sx.rows, st.rows), (sx.cols, st.cols)]
            .into_iter()
            .enumerate()
        {
            if a == b {
                self.union(dx[k], dt[k]);
            } else {
                self.fix(dx[k], 1);
            }
        }
    }

    /// The ties of the dimensions of the data parameters (each rows then
    /// columns, in parameter order).
    pub(super) fn ties(&mut self) -> Vec<Tie> {
        let mut seen: HashMap<usize, usize> = HashMap::new();
        let mut out = Vec::new();
        for dims in self.params.clone() {
            for x in dims {
                let r = self.find(x);
                out.push(match (self.fixed[r], seen.get(&r)) {
                    (Some(n), _) => Tie::Fixed(n),
                    (None, Some(&k)) => Tie::Same(k),
                    (None, None) => {
                        seen.insert(r, out.len());
                        Tie::Free
                    }
                });
            }
        }
        out
    }
}
