//! Test helpers: nodes built directly in normalised form, without the
//! normalising constructors, so that printer tests pin the exact layout.

use crate::{
    Axis, Constant, Dense, DenseData, ExprId, Func, Node, Num, Pool, Reduction, Shape, Span1,
};

/// A pool with terse constructors for already-normalised nodes.
#[derive(Default)]
pub(crate) struct B {
    pub pool: Pool,
}

impl B {
    pub fn new() -> B {
        B::default()
    }

    fn put(&mut self, node: Node, shape: Shape) -> ExprId {
        self.pool.intern(node, shape).expect("test node")
    }

    fn shape(&self, id: ExprId) -> Shape {
        self.pool.shape(id)
    }

    /// The broadcast shape of several operands.
    fn broadcast(&self, xs: &[ExprId]) -> Shape {
        xs.iter()
            .map(|&x| self.shape(x))
            .fold(Shape::SCALAR, |a, b| a.broadcast(b).expect("broadcastable"))
    }

    pub fn sym(&mut self, name: &str) -> ExprId {
        self.put(
            Node::Symbol {
                name: name.into(),
                shape: Shape::SCALAR,
            },
            Shape::SCALAR,
        )
    }

    pub fn mat(&mut self, name: &str, rows: usize, cols: usize) -> ExprId {
        let shape = Shape::new(rows, cols);
        self.put(
            Node::Symbol {
                name: name.into(),
                shape,
            },
            shape,
        )
    }

    pub fn el(&mut self, symbol: ExprId, row: usize, col: usize) -> ExprId {
        self.put(Node::Element { symbol, row, col }, Shape::SCALAR)
    }

    pub fn int(&mut self, n: i64) -> ExprId {
        self.put(Node::Num(Num::int(n)), Shape::SCALAR)
    }

    pub fn rat(&mut self, p: i64, q: i64) -> ExprId {
        self.put(
            Node::Num(Num::ratio(p.into(), q.into()).expect("q ≠ 0")),
            Shape::SCALAR,
        )
    }

    pub fn float(&mut self, x: f64) -> ExprId {
        self.put(Node::Num(Num::Float(x)), Shape::SCALAR)
    }

    pub fn e(&mut self) -> ExprId {
        self.put(Node::Const(Constant::E), Shape::SCALAR)
    }

    pub fn pi(&mut self) -> ExprId {
        self.put(Node::Const(Constant::Pi), Shape::SCALAR)
    }

    pub fn add(&mut self, xs: &[ExprId]) -> ExprId {
        let shape = self.broadcast(xs);
        self.put(Node::Add(xs.to_vec()), shape)
    }

    pub fn mul(&mut self, xs: &[ExprId]) -> ExprId {
        let shape = self.broadcast(xs);
        self.put(Node::Mul(xs.to_vec()), shape)
    }

    /// `-x` in normal form: `Mul([-1, x])`.
    pub fn neg(&mut self, x: ExprId) -> ExprId {
        let m1 = self.int(-1);
        self.mul(&[m1, x])
    }

    pub fn pow(&mut self, b: ExprId, e: ExprId) -> ExprId {
        let shape = self.shape(b);
        self.put(Node::Pow(b, e), shape)
    }

    /// `1/x` in normal form: `Pow(x, -1)`.
    pub fn recip(&mut self, x: ExprId) -> ExprId {
        let m1 = self.int(-1);
        self.pow(x, m1)
    }

    pub fn matmul(&mut self, a: ExprId, b: ExprId) -> ExprId {
        let shape = Shape::new(self.shape(a).rows, self.shape(b).cols);
        self.put(Node::MatMul(a, b), shape)
    }

    pub fn matpow(&mut self, a: ExprId, n: i64) -> ExprId {
        let shape = self.shape(a);
        self.put(Node::MatPow(a, n), shape)
    }

    pub fn t(&mut self, a: ExprId) -> ExprId {
        let shape = self.shape(a).transposed();
        self.put(Node::Transpose(a), shape)
    }

    pub fn f(&mut self, f: Func, a: ExprId) -> ExprId {
        let shape = self.shape(a);
        self.put(Node::Apply(f, a), shape)
    }

    pub fn reduce(&mut self, r: Reduction, axis: Axis, a: ExprId) -> ExprId {
        let shape = axis.reduced(self.shape(a));
        self.put(Node::Reduce(r, axis, a), shape)
    }

    pub fn softmax(&mut self, axis: Axis, a: ExprId) -> ExprId {
        let shape = self.shape(a);
        self.put(Node::Softmax(axis, a), shape)
    }

    pub fn trace(&mut self, a: ExprId) -> ExprId {
        self.put(Node::Trace(a), Shape::SCALAR)
    }

    pub fn diag(&mut self, a: ExprId) -> ExprId {
        let n = self.shape(a).rows;
        self.put(Node::Diag(a), Shape::new(n, 1))
    }

    pub fn slice(&mut self, arg: ExprId, rows: (usize, usize), cols: (usize, usize)) -> ExprId {
        let (rows, cols) = (
            Span1 {
                start: rows.0,
                end: rows.1,
            },
            Span1 {
                start: cols.0,
                end: cols.1,
            },
        );
        let shape = Shape::new(rows.end - rows.start, cols.end - cols.start);
        self.put(Node::Slice { arg, rows, cols }, shape)
    }

    /// An exact dense matrix from integer rows.
    pub fn dense(&mut self, rows: &[&[i64]]) -> ExprId {
        let shape = Shape::new(rows.len(), rows.first().map_or(0, |r| r.len()));
        let data = rows
            .iter()
            .flat_map(|r| r.iter().map(|&x| Num::int(x)))
            .collect();
        let d = Dense::new(shape, DenseData::Exact(data)).expect("rectangular");
        self.put(Node::Dense(d), shape)
    }

    /// A float dense matrix.
    pub fn dense_f64(&mut self, shape: Shape, data: Vec<f64>) -> ExprId {
        let d = Dense::from_f64(shape, data).expect("rectangular");
        self.put(Node::Dense(d), shape)
    }

    pub fn matrix(&mut self, shape: Shape, entries: &[ExprId]) -> ExprId {
        self.put(
            Node::Matrix {
                shape,
                entries: entries.to_vec(),
            },
            shape,
        )
    }
}
