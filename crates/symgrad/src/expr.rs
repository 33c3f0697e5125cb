//! The expression DAG: hash-consed nodes in a pool, children before parents.

use crate::{Buffer, Error, Num, Result, Shape};
use indexmap::IndexMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A handle to a node in a [`Pool`]. Children always have smaller ids than
/// their parents, so id order is a topological order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExprId(pub(crate) u32);

impl ExprId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Mathematical constants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Constant {
    E,
    Pi,
}

/// Elementwise functions of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Func {
    Exp,
    Log,
    Abs,
    Tanh,
    Sigmoid,
    Softplus,
    Relu,
    /// The sign: −1, 0 or 1 (the derivative of `abs`).
    Sign,
    /// The Heaviside step: 1 for a positive argument, else 0 (the derivative of `relu`).
    Step,
    Sin,
    Cos,
    /// `log(1 + x)`, accurate for small x.
    Log1p,
    /// `exp(x) − 1`, accurate for small x.
    Expm1,
    /// The error function `2/√π ∫₀ˣ e^(−t²) dt`.
    Erf,
    Tan,
    /// The inverse tangent, in (−π/2, π/2).
    Atan,
    /// The inverse sine, in [−π/2, π/2] (real on [−1, 1]).
    Asin,
    /// The inverse cosine, in [0, π] (real on [−1, 1]).
    Acos,
    Sinh,
    Cosh,
}

impl Func {
    pub const ALL: [Func; 20] = [
        Func::Exp,
        Func::Log,
        Func::Abs,
        Func::Tanh,
        Func::Sigmoid,
        Func::Softplus,
        Func::Relu,
        Func::Sign,
        Func::Step,
        Func::Sin,
        Func::Cos,
        Func::Log1p,
        Func::Expm1,
        Func::Erf,
        Func::Tan,
        Func::Atan,
        Func::Asin,
        Func::Acos,
        Func::Sinh,
        Func::Cosh,
    ];

    /// True for sin, cos, tan and their hyperbolic kin: a power of one
    /// prints as `sin²(x)`.
    pub fn is_trigonometric(self) -> bool {
        matches!(
            self,
            Func::Sin | Func::Cos | Func::Tan | Func::Tanh | Func::Sinh | Func::Cosh
        )
    }

    /// The name used in the input language.
    pub fn name(self) -> &'static str {
        match self {
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Abs => "abs",
            Func::Tanh => "tanh",
            Func::Sigmoid => "sigmoid",
            Func::Softplus => "softplus",
            Func::Relu => "relu",
            Func::Sign => "sign",
            Func::Step => "step",
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Log1p => "log1p",
            Func::Expm1 => "expm1",
            Func::Erf => "erf",
            Func::Tan => "tan",
            Func::Atan => "atan",
            Func::Asin => "asin",
            Func::Acos => "acos",
            Func::Sinh => "sinh",
            Func::Cosh => "cosh",
        }
    }
}

/// The direction of a reduction or of softmax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Axis {
    /// Over every element: the result is a scalar.
    All,
    /// Down each column (dimension 1): an m×n argument gives 1×n.
    Cols,
    /// Along each row (dimension 2): an m×n argument gives m×1.
    Rows,
}

impl Axis {
    /// The shape of reducing `shape` along this axis.
    pub fn reduced(self, shape: Shape) -> Shape {
        match self {
            Axis::All => Shape::SCALAR,
            Axis::Cols => Shape::new(1, shape.cols),
            Axis::Rows => Shape::new(shape.rows, 1),
        }
    }

    /// The dimension number used in the language (`sum(A, 1)`), if any.
    pub fn dim(self) -> Option<usize> {
        match self {
            Axis::All => None,
            Axis::Cols => Some(1),
            Axis::Rows => Some(2),
        }
    }
}

/// Reductions of a matrix along an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reduction {
    Sum,
    LogSumExp,
}

/// The numbers of a dense numeric matrix, row-major.
#[derive(Clone, Debug, PartialEq)]
pub enum DenseData {
    Exact(Vec<Num>),
    /// Floats, owned or shared with a host (a NumPy array) without a copy.
    Float(Buffer),
}

/// A numeric data matrix, stored densely and shared.
#[derive(Clone, Debug)]
pub struct Dense {
    shape: Shape,
    data: Arc<DenseData>,
    hash: u64,
}

impl Dense {
    /// A dense matrix; `data` must hold `shape.len()` numbers.
    pub fn new(shape: Shape, data: DenseData) -> Result<Dense> {
        let len = match &data {
            DenseData::Exact(v) => v.len(),
            DenseData::Float(v) => v.len(),
        };
        if len != shape.len() {
            return Err(Error::Invalid(format!(
                "{len} numbers do not fill a {shape} matrix"
            )));
        }
        if let DenseData::Exact(v) = &data {
            v.iter().try_for_each(crate::num::check_exact_size)?;
        }
        let mut h = rustc_hash::FxHasher::default();
        shape.hash(&mut h);
        match &data {
            DenseData::Exact(v) => v.iter().for_each(|x| x.hash(&mut h)),
            DenseData::Float(v) => h.write_u64(hash_floats(v)),
        }
        Ok(Dense {
            shape,
            data: Arc::new(data),
            hash: h.finish(),
        })
    }

    /// A dense matrix of floats.
    pub fn from_f64(shape: Shape, data: Vec<f64>) -> Result<Dense> {
        Dense::from_buffer(shape, data.into())
    }

    /// A dense matrix of floats that may be shared with a host.
    pub fn from_buffer(shape: Shape, data: Buffer) -> Result<Dense> {
        Dense::new(shape, DenseData::Float(data))
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    pub fn data(&self) -> &DenseData {
        &self.data
    }

    /// The shared numbers themselves, for holding on to them without a copy.
    pub(crate) fn shared(&self) -> Arc<DenseData> {
        Arc::clone(&self.data)
    }

    /// Whether some element is 0.
    pub(crate) fn has_zero(&self) -> bool {
        match &*self.data {
            DenseData::Exact(v) => v.iter().any(Num::is_zero),
            DenseData::Float(v) => v.contains(&0.0),
        }
    }

    /// True when every element is zero.
    pub(crate) fn is_zero(&self) -> bool {
        match &*self.data {
            DenseData::Exact(v) => v.iter().all(Num::is_zero),
            DenseData::Float(v) => v.iter().all(|&x| x == 0.0),
        }
    }

    /// The one number every element is, if they are all equal.
    pub(crate) fn constant(&self) -> Option<Num> {
        match &*self.data {
            DenseData::Exact(v) => v.iter().all(|x| *x == v[0]).then(|| v[0].clone()),
            DenseData::Float(v) => v.iter().all(|&x| x == v[0]).then(|| Num::Float(v[0])),
        }
    }

    /// The element at row `i`, column `j` (which must be in range).
    pub fn get(&self, i: usize, j: usize) -> Num {
        let k = i * self.shape.cols + j;
        match &*self.data {
            DenseData::Exact(v) => v[k].clone(),
            DenseData::Float(v) => Num::Float(v[k]),
        }
    }

    /// All elements, row-major.
    pub fn nums(&self) -> Vec<Num> {
        match &*self.data {
            DenseData::Exact(v) => v.clone(),
            DenseData::Float(v) => v.iter().map(|&x| Num::Float(x)).collect(),
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(&*self.data, DenseData::Exact(_))
    }

    /// A hash of shape and contents, for cheap ordering of distinct matrices.
    pub fn fingerprint(&self) -> u64 {
        self.hash
    }
}

/// A fast hash of float data (a data set can hold hundreds of millions of
/// numbers): four independent multiply-rotate lanes, then combined.
fn hash_floats(v: &[f64]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, x: f64| (h ^ x.to_bits()).wrapping_mul(K).rotate_left(29);
    let mut lanes = [v.len() as u64, 1, 2, 3];
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l = mix(*l, x);
        }
    }
    for (l, &x) in lanes.iter_mut().zip(rest) {
        *l = mix(*l, x);
    }
    lanes.iter().fold(0, |h, &l| mix(h, f64::from_bits(l)))
}

impl PartialEq for Dense {
    fn eq(&self, other: &Dense) -> bool {
        self.hash == other.hash
            && self.shape == other.shape
            && (Arc::ptr_eq(&self.data, &other.data)
                || match (&*self.data, &*other.data) {
                    (DenseData::Exact(a), DenseData::Exact(b)) => a == b,
                    (DenseData::Float(a), DenseData::Float(b)) => {
                        a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
                    }
                    _ => false,
                })
    }
}

impl Eq for Dense {}

impl Hash for Dense {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.hash.hash(state);
    }
}

/// A range of rows or columns `start..end` (end exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span1 {
    pub start: usize,
    pub end: usize,
}

/// One node of the DAG. Build nodes through the [`Pool`] constructors, which
/// normalise and check shapes; matching on nodes is how passes read them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// A scalar number.
    Num(Num),
    /// ℯ or π.
    Const(Constant),
    /// A named scalar or matrix symbol.
    Symbol {
        name: Arc<str>,
        shape: Shape,
    },
    /// The element `W[row, col]` of the matrix symbol `symbol`: a scalar.
    Element {
        symbol: ExprId,
        row: usize,
        col: usize,
    },
    /// An explicit matrix of scalar expressions, row-major.
    Matrix {
        shape: Shape,
        entries: Vec<ExprId>,
    },
    /// A numeric data matrix.
    Dense(Dense),
    /// Elementwise sum of two or more terms, broadcasting.
    Add(Vec<ExprId>),
    /// Elementwise product of two or more factors, broadcasting (scalars scale).
    Mul(Vec<ExprId>),
    /// Elementwise power `base^exponent`; the exponent is a scalar.
    Pow(ExprId, ExprId),
    /// Matrix product.
    MatMul(ExprId, ExprId),
    /// Integer power of a square matrix (`A^n` with n ≥ 2 or n ≤ -1).
    MatPow(ExprId, i64),
    Transpose(ExprId),
    /// An elementwise function.
    Apply(Func, ExprId),
    /// A reduction along an axis.
    Reduce(Reduction, Axis, ExprId),
    /// Softmax down each column (`Axis::Cols`) or along each row (`Axis::Rows`).
    Softmax(Axis, ExprId),
    /// The derivative of `softmax(a)` along the axis applied to `v`, shaped
    /// like `a`: `S ∘ (v − Σ v∘S)` with `S = softmax(a)`. The Jacobian is
    /// symmetric, so this is both the tangent and the adjoint. Kept whole
    /// to be evaluated from the logits: near a one-hot `S` the formula
    /// cancels at the peak (`1 − S`), the node does not. It shows, exports
    /// and writes out as its formula ([`Pool::formula`]).
    SoftmaxJvp(Axis, ExprId, ExprId),
    Trace(ExprId),
    /// The diagonal of a square matrix as a column, or a diagonal matrix from a vector.
    Diag(ExprId),
    /// The determinant of a square matrix.
    Det(ExprId),
    /// `log |det A|` of a square matrix (as NumPy's `slogdet`).
    LogDet(ExprId),
    /// The submatrix `arg[rows, cols]` of a matrix that is not explicit.
    Slice {
        arg: ExprId,
        rows: Span1,
        cols: Span1,
    },
    /// Matrices stacked top to bottom (`vertical`, `vstack`) or left to
    /// right (`hstack`), kept as blocks when a part is symbolic.
    Stack {
        vertical: bool,
        parts: Vec<ExprId>,
    },
}

impl Node {
    /// Calls `f` on each child, in order, without collecting them.
    pub fn for_each_child(&self, mut f: impl FnMut(ExprId)) {
        match self {
            Node::Num(_) | Node::Const(_) | Node::Symbol { .. } | Node::Dense(_) => {}
            Node::Element { symbol, .. } => f(*symbol),
            Node::Matrix { entries: xs, .. }
            | Node::Add(xs)
            | Node::Mul(xs)
            | Node::Stack { parts: xs, .. } => xs.iter().for_each(|&x| f(x)),
            Node::Pow(a, b) | Node::MatMul(a, b) | Node::SoftmaxJvp(_, a, b) => {
                f(*a);
                f(*b);
            }
            Node::MatPow(a, _)
            | Node::Transpose(a)
            | Node::Apply(_, a)
            | Node::Reduce(_, _, a)
            | Node::Softmax(_, a)
            | Node::Trace(a)
            | Node::Diag(a)
            | Node::Det(a)
            | Node::LogDet(a)
            | Node::Slice { arg: a, .. } => f(*a),
        }
    }

    /// The matrix that this node factors (by LU, when evaluated): `A` of an
    /// inverse or negative power `A⁻ⁿ`, of `det(A)` or of `logdet(A)`.
    pub fn factored_matrix(&self) -> Option<ExprId> {
        match *self {
            Node::MatPow(a, ..0) | Node::Det(a) | Node::LogDet(a) => Some(a),
            _ => None,
        }
    }

    /// The children of this node, in order.
    pub fn children(&self) -> Vec<ExprId> {
        let mut out = Vec::new();
        self.for_each_child(|c| out.push(c));
        out
    }

    /// This node with each child replaced by `f(child)`.
    pub fn map_children(&self, mut f: impl FnMut(ExprId) -> ExprId) -> Node {
        match self {
            Node::Num(_) | Node::Const(_) | Node::Symbol { .. } | Node::Dense(_) => self.clone(),
            Node::Element { symbol, row, col } => Node::Element {
                symbol: f(*symbol),
                row: *row,
                col: *col,
            },
            Node::Matrix { shape, entries } => Node::Matrix {
                shape: *shape,
                entries: entries.iter().map(|&e| f(e)).collect(),
            },
            Node::Add(xs) => Node::Add(xs.iter().map(|&x| f(x)).collect()),
            Node::Mul(xs) => Node::Mul(xs.iter().map(|&x| f(x)).collect()),
            Node::Pow(a, b) => Node::Pow(f(*a), f(*b)),
            Node::MatMul(a, b) => Node::MatMul(f(*a), f(*b)),
            Node::MatPow(a, n) => Node::MatPow(f(*a), *n),
            Node::Transpose(a) => Node::Transpose(f(*a)),
            Node::Apply(g, a) => Node::Apply(*g, f(*a)),
            Node::Reduce(r, axis, a) => Node::Reduce(*r, *axis, f(*a)),
            Node::Softmax(axis, a) => Node::Softmax(*axis, f(*a)),
            Node::SoftmaxJvp(axis, a, v) => Node::SoftmaxJvp(*axis, f(*a), f(*v)),
            Node::Trace(a) => Node::Trace(f(*a)),
            Node::Diag(a) => Node::Diag(f(*a)),
            Node::Det(a) => Node::Det(f(*a)),
            Node::LogDet(a) => Node::LogDet(f(*a)),
            Node::Slice { arg, rows, cols } => Node::Slice {
                arg: f(*arg),
                rows: *rows,
                cols: *cols,
            },
            Node::Stack { vertical, parts } => Node::Stack {
                vertical: *vertical,
                parts: parts.iter().map(|&x| f(x)).collect(),
            },
        }
    }
}

/// The bytes a node holds, for [`Pool::footprint`]: its slot and what it
/// owns on the heap.
fn node_bytes(node: &Node) -> usize {
    let slot = std::mem::size_of::<Node>() + std::mem::size_of::<Info>() + 16;
    let owned = match node {
        Node::Matrix { entries: xs, .. }
        | Node::Add(xs)
        | Node::Mul(xs)
        | Node::Stack { parts: xs, .. } => xs.len() * std::mem::size_of::<ExprId>(),
        Node::Dense(d) => match d.data() {
            DenseData::Exact(v) => v.len() * std::mem::size_of::<Num>(),
            DenseData::Float(v) => v.len() * std::mem::size_of::<f64>(),
        },
        Node::Symbol { name, .. } => name.len(),
        _ => 0,
    };
    slot + owned
}

/// What the pool records about each node besides the node itself.
#[derive(Clone, Copy, Debug)]
struct Info {
    shape: Shape,
    depth: u32,
    /// A power with a negative number as exponent among the node's sums
    /// and products (see [`Pool::has_denominator`]).
    denominator: bool,
}

/// The deepest nesting the pool accepts; recursive passes stay within it.
pub const MAX_DEPTH: u32 = 2_000;

/// The arena that owns every expression. Equal nodes are stored once.
#[derive(Debug, Clone)]
pub struct Pool {
    /// Hashed with FxHash: interning is the hottest path of building.
    nodes: IndexMap<Node, Info, rustc_hash::FxBuildHasher>,
    /// When set (by Ctrl-C), building and evaluating stop with `Error::Interrupted`.
    interrupt: Option<Arc<AtomicBool>>,
    /// An estimate of the memory the nodes hold, in bytes (see [`Pool::footprint`]).
    bytes: usize,
    /// The terms of a sum in the order they were first written, where that
    /// differs from the canonical order the node stores (see [`Pool::terms_as_shown`]).
    shown: rustc_hash::FxHashMap<ExprId, Box<[ExprId]>>,
    /// The formula each node kept whole for evaluation shows as (see
    /// [`Pool::formula`]); it has a lower id than the node.
    formulas: rustc_hash::FxHashMap<ExprId, ExprId>,
    /// Matrix symbols declared one-hot: every column holds one 1, the rest 0.
    one_hot: rustc_hash::FxHashSet<ExprId>,
    /// Transposes already pushed down (see [`Pool::transpose`]), both ways.
    transposes: rustc_hash::FxHashMap<ExprId, ExprId>,
    /// The canonical order of deep pairs of nodes already compared.
    order_memo: crate::order::OrderMemo,
}

impl Default for Pool {
    /// An empty pool. Matrices are factored on one thread until a program
    /// is set to run on more ([`crate::Program::set_threads`]).
    fn default() -> Pool {
        crate::evaluate::linalg::use_threads(1);
        Pool {
            // Room for a small loss and its derivatives without regrowing.
            nodes: IndexMap::with_capacity_and_hasher(64, Default::default()),
            interrupt: None,
            bytes: 0,
            shown: Default::default(),
            formulas: Default::default(),
            one_hot: Default::default(),
            transposes: Default::default(),
            order_memo: Default::default(),
        }
    }
}

impl Pool {
    pub fn new() -> Pool {
        Pool::default()
    }

    /// The node behind an id.
    pub fn node(&self, id: ExprId) -> &Node {
        self.nodes
            .get_index(id.index())
            .map(|(n, _)| n)
            .expect("ExprId from this pool")
    }

    /// The shape of an expression.
    pub fn shape(&self, id: ExprId) -> Shape {
        self.info(id).shape
    }

    /// The nesting depth of an expression (a leaf has depth 1).
    pub fn depth(&self, id: ExprId) -> u32 {
        self.info(id).depth
    }

    /// True when `id` has a power with a negative number as exponent among
    /// its sums and products, kept with each node: a walk at each node of a
    /// bottom-up pass took time growing exponentially with the depth of a
    /// chain rule's shared sums.
    pub(crate) fn has_denominator(&self, id: ExprId) -> bool {
        self.info(id).denominator
    }

    fn info(&self, id: ExprId) -> Info {
        *self
            .nodes
            .get_index(id.index())
            .map(|(_, i)| i)
            .expect("ExprId from this pool")
    }

    /// Number of nodes in the pool.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Lets `flag` stop long computations: once it is set, building a new
    /// node or evaluating fails with [`Error::Interrupted`].
    pub fn set_interrupt(&mut self, flag: Arc<AtomicBool>) {
        self.interrupt = Some(flag);
    }

    /// The flag given to [`Pool::set_interrupt`], if any.
    pub fn interrupt_flag(&self) -> Option<Arc<AtomicBool>> {
        self.interrupt.clone()
    }

    /// `Err(Error::Interrupted)` once the interrupt flag is set.
    pub(crate) fn check_interrupt(&self) -> Result<()> {
        match &self.interrupt {
            Some(flag) if flag.load(Ordering::Relaxed) => Err(Error::Interrupted),
            _ => Ok(()),
        }
    }

    /// Stores `node` (already normalised and shape-checked) with its shape,
    /// or returns the id of the equal node stored before.
    pub(crate) fn intern(&mut self, node: Node, shape: Shape) -> Result<ExprId> {
        self.check_interrupt()?;
        let mut depth = 1;
        node.for_each_child(|c| depth = depth.max(1 + self.depth(c)));
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep);
        }
        if self.nodes.len() > u32::MAX as usize {
            return Err(Error::TooLarge("the expression pool is full".into()));
        }
        let denominator = match &node {
            Node::Pow(_, x) => self.as_num(*x).is_some_and(Num::is_negative),
            Node::Add(xs) | Node::Mul(xs) => xs.iter().any(|&x| self.info(x).denominator),
            _ => false,
        };
        // One hash and probe: a node stored before keeps its index (and its
        // info, which is the same).
        let size = node_bytes(&node);
        let info = Info {
            shape,
            depth,
            denominator,
        };
        let (i, new) = self.nodes.insert_full(node, info);
        if new.is_none() {
            self.bytes += size;
        }
        Ok(ExprId(i as u32))
    }

    /// An estimate of the memory held by the nodes, in bytes: the nodes
    /// themselves and what they own (entries, data, names).
    pub fn footprint(&self) -> usize {
        self.bytes
    }

    /// Frees every node that no root reaches, keeping the others in their
    /// order (children still before parents), and rewrites each root to its
    /// new id. Every id not passed as a root is invalid afterwards: call it
    /// only where the roots are all the ids anyone holds (a session between
    /// statements). Equal nodes stay stored once.
    pub fn collect<'a>(&mut self, roots: impl IntoIterator<Item = &'a mut ExprId>) {
        let roots: Vec<&mut ExprId> = roots.into_iter().collect();
        let n = self.nodes.len();
        let mut live = vec![false; n];
        for r in &roots {
            live[r.index()] = true;
        }
        // Parents come after their children: one sweep down marks them all.
        for i in (0..n).rev() {
            if live[i]
                && let Some((node, _)) = self.nodes.get_index(i)
            {
                node.for_each_child(|c| live[c.index()] = true);
                if let Some(f) = self.formulas.get(&ExprId(i as u32)) {
                    live[f.index()] = true;
                }
            }
        }
        let old = std::mem::take(&mut self.nodes);
        let mut new_id = vec![u32::MAX; n];
        self.nodes.reserve(live.iter().filter(|&&l| l).count());
        self.bytes = 0;
        for (i, (node, info)) in old.into_iter().enumerate() {
            if !live[i] {
                continue;
            }
            let node = node.map_children(|c| ExprId(new_id[c.index()]));
            self.bytes += node_bytes(&node);
            let (k, _) = self.nodes.insert_full(node, info);
            new_id[i] = k as u32;
        }
        for r in roots {
            *r = ExprId(new_id[r.index()]);
        }
        let remap = |id: &ExprId| ExprId(new_id[id.index()]);
        let kept = |id: &ExprId| new_id[id.index()] != u32::MAX;
        self.shown = std::mem::take(&mut self.shown)
            .into_iter()
            .filter(|(id, _)| kept(id))
            .map(|(id, terms)| (remap(&id), terms.iter().map(remap).collect()))
            .collect();
        self.formulas = std::mem::take(&mut self.formulas)
            .into_iter()
            .filter(|(id, _)| kept(id))
            .map(|(id, f)| (remap(&id), remap(&f)))
            .collect();
        self.one_hot = std::mem::take(&mut self.one_hot)
            .iter()
            .filter(|id| kept(id))
            .map(remap)
            .collect();
        self.order_memo.clear();
        self.transposes = std::mem::take(&mut self.transposes)
            .into_iter()
            .filter(|(a, t)| kept(a) && kept(t))
            .map(|(a, t)| (remap(&a), remap(&t)))
            .collect();
    }

    /// The orders of deep pairs of nodes already compared.
    pub(crate) fn order_memo(&self) -> &crate::order::OrderMemo {
        &self.order_memo
    }

    /// The remembered transpose of `a`, if any.
    pub(crate) fn transposed(&self, a: ExprId) -> Option<ExprId> {
        self.transposes.get(&a).copied()
    }

    /// Remembers that `t` is the transpose of `a` (and `a` that of `t`).
    pub(crate) fn remember_transpose(&mut self, a: ExprId, t: ExprId) {
        self.transposes.insert(a, t);
        self.transposes.entry(t).or_insert(a);
    }

    /// Stores a sum with its terms in canonical order; the first time it is
    /// stored, the order `typed` is remembered for printing.
    pub(crate) fn intern_sum(&mut self, typed: Vec<ExprId>, shape: Shape) -> Result<ExprId> {
        let mut canonical = typed.clone();
        canonical.sort_by(|&a, &b| crate::order::cmp_terms(self, a, b));
        let before = self.nodes.len();
        let same = canonical == typed;
        let id = self.intern(Node::Add(canonical), shape)?;
        if self.nodes.len() > before && !same {
            self.shown.insert(id, typed.into_boxed_slice());
        }
        Ok(id)
    }

    /// The terms of the sum `id` in the order they were first written (the
    /// canonical order for a sum built only by the engine); the children of
    /// any other node.
    pub fn terms_as_shown(&self, id: ExprId) -> Vec<ExprId> {
        match self.shown.get(&id) {
            Some(ts) => ts.to_vec(),
            None => self.node(id).children(),
        }
    }

    /// Stores `node`, which shows as `formula` (an expression of lower id
    /// equal to it): the printers, the exporters and the element view take
    /// the formula, evaluation takes the node.
    pub(crate) fn intern_with_formula(
        &mut self,
        node: Node,
        shape: Shape,
        formula: ExprId,
    ) -> Result<ExprId> {
        let id = self.intern(node, shape)?;
        self.formulas.entry(id).or_insert(formula);
        Ok(id)
    }

    /// The formula `id` shows as, for a node kept whole for evaluation
    /// (a [`Node::SoftmaxJvp`]); `id` itself for any other.
    pub fn formula(&self, id: ExprId) -> ExprId {
        self.formulas.get(&id).copied().unwrap_or(id)
    }

    /// Declares the matrix symbol `w` one-hot (each column holds a single
    /// 1 and zeros) or, with `on` false, not.
    pub fn set_one_hot(&mut self, w: ExprId, on: bool) {
        if on {
            self.one_hot.insert(w);
        } else {
            self.one_hot.remove(&w);
        }
    }

    /// True when every column of `x` is known to hold a single 1 and zeros:
    /// a symbol declared one-hot, a numeric matrix of such columns, or
    /// columns of either.
    pub fn is_one_hot(&self, x: ExprId) -> bool {
        match self.node(x) {
            Node::Symbol { .. } => self.one_hot.contains(&x),
            Node::Slice { arg, rows, .. } => {
                rows.start == 0 && rows.end == self.shape(*arg).rows && self.is_one_hot(*arg)
            }
            Node::Dense(d) if d.shape().len() <= 1 << 22 => {
                let s = d.shape();
                (0..s.cols).all(|j| {
                    let mut ones = 0;
                    (0..s.rows).all(|i| {
                        let v = d.get(i, j);
                        ones += usize::from(v.is_one());
                        v.is_one() || v.is_zero()
                    }) && ones == 1
                })
            }
            _ => false,
        }
    }

    /// The number held by a scalar number node.
    pub fn as_num(&self, id: ExprId) -> Option<&Num> {
        match self.node(id) {
            Node::Num(n) => Some(n),
            _ => None,
        }
    }
}
