//! Element-level differentiation: `∂f/∂x` for a scalar variable `x` (a
//! scalar symbol or an element `W[i, j]`), by the textbook rules, one arm
//! per operation. Matrix operations are differentiated whole (forward mode),
//! so `f` may be any expression; the derivative has the shape of `f`.

use crate::simplify::softmax_any;
use crate::{
    Axis, Dense, DenseData, Error, ExprId, Func, Node, Num, Pool, Reduction, Result, Shape,
};
use rustc_hash::FxHashMap;

/// `diff` works on the element view of a scalar whose matrix parts hold at
/// most this many elements, and on the matrix form otherwise.
const MAX_ELEMENT_FORM: usize = 1_000;

impl Pool {
    /// `diff(f, x)`: the derivative of `f` by the scalar variable `x`, in the
    /// sigmoid forms and simplified. A scalar `f` built from matrices is
    /// differentiated through its element view when that is small.
    pub fn diff(&mut self, f: ExprId, x: ExprId) -> Result<ExprId> {
        self.check_variable(x)?;
        let f = self.element_form(f)?;
        let f = self.stabilise(f)?;
        let d = self.derivative(f, x)?;
        self.simplify(d)
    }

    /// `f` as one scalar expression of elements, when it is a scalar whose
    /// element view is small and can be built; otherwise `f` itself.
    fn element_form(&mut self, f: ExprId) -> Result<ExprId> {
        if !self.shape(f).is_scalar()
            || self.matrix_elements(f, MAX_ELEMENT_FORM) > MAX_ELEMENT_FORM
        {
            return Ok(f);
        }
        match self.element_of(f, 0, 0) {
            Err(Error::Interrupted) => Err(Error::Interrupted),
            r => Ok(r.unwrap_or(f)),
        }
    }

    /// `jacobian(F, v)`: the m×n matrix of `∂Fᵢ/∂vⱼ` for a vector (or scalar)
    /// `F` of m elements and n scalar variables.
    pub fn jacobian(&mut self, f: ExprId, vars: &[ExprId]) -> Result<ExprId> {
        let s = self.shape(f);
        if s.rows != 1 && s.cols != 1 {
            return Err(Error::BadShape {
                op: "jacobian",
                shape: s,
                expected: "a vector function (use grad for a scalar by a matrix)",
            });
        }
        let shape = crate::checked_shape(s.len(), vars.len())?;
        explicit_size("jacobian", shape)?;
        let mut entries = Vec::with_capacity(shape.len());
        for k in 0..s.len() {
            let fk = self.element_of(f, k / s.cols, k % s.cols)?;
            for &v in vars {
                entries.push(self.diff(fk, v)?);
            }
        }
        // All of a symbol's elements in place are that symbol (or its
        // transpose): `jacobian(A*x, x)` is `A`, which `− A` cancels.
        if let Some(a) = self.symbol_of_elements(shape, &entries) {
            return Ok(a);
        }
        let flipped = Shape::new(shape.cols, shape.rows);
        let read_down: Vec<ExprId> = (0..entries.len())
            .map(|k| entries[(k % shape.rows) * shape.cols + k / shape.rows])
            .collect();
        if let Some(a) = self.symbol_of_elements(flipped, &read_down) {
            return self.transpose(a);
        }
        self.matrix(shape, entries)
    }

    /// `hessian(f, v)`: the n×n matrix of `∂²f/∂vᵢ∂vⱼ` for a scalar `f`.
    pub fn hessian(&mut self, f: ExprId, vars: &[ExprId]) -> Result<ExprId> {
        let s = self.shape(f);
        if !s.is_scalar() {
            return Err(Error::BadShape {
                op: "hessian",
                shape: s,
                expected: "a scalar function",
            });
        }
        explicit_size("hessian", Shape::new(vars.len(), vars.len()))?;
        let grads = vars
            .iter()
            .map(|&v| self.diff(f, v))
            .collect::<Result<Vec<_>>>()?;
        let column = self.matrix(Shape::new(vars.len(), 1), grads)?;
        self.jacobian(column, vars)
    }

    /// The scalar variables of `v`: a scalar symbol, the elements of a
    /// matrix symbol (row by row), or the entries of a list of variables.
    pub fn variables(&mut self, v: ExprId) -> Result<Vec<ExprId>> {
        let s = self.shape(v);
        match self.node(v).clone() {
            Node::Symbol { .. } => (0..s.len())
                .map(|k| self.element(v, k / s.cols, k % s.cols))
                .collect(),
            Node::Element { .. } => Ok(vec![v]),
            Node::Matrix { entries, .. } if s.rows == 1 || s.cols == 1 => {
                for &e in &entries {
                    self.check_variable(e)?;
                }
                Ok(entries)
            }
            _ => Err(Error::Invalid(
                "the variables must be a symbol or a list of symbols such as [x, y]".into(),
            )),
        }
    }

    /// A scalar symbol or a matrix element, else an error.
    pub fn check_variable(&self, x: ExprId) -> Result<()> {
        match self.node(x) {
            Node::Symbol { shape, .. } if shape.is_scalar() => Ok(()),
            Node::Element { .. } => Ok(()),
            Node::Symbol { .. } => Err(Error::Invalid(
                "diff by a matrix symbol is its gradient: use grad(f, W)".into(),
            )),
            _ => Err(Error::Invalid(
                "can only differentiate by a symbol or an element W[i, j]".into(),
            )),
        }
    }

    /// The raw derivative of `f` by `x` (forward mode over the DAG).
    pub(crate) fn derivative(&mut self, f: ExprId, x: ExprId) -> Result<ExprId> {
        let mut tangent: FxHashMap<ExprId, ExprId> = FxHashMap::default();
        for id in self.reachable(f) {
            if let Some(t) = self.tangent(id, x, &tangent)? {
                tangent.insert(id, t);
            }
        }
        match tangent.get(&f) {
            Some(&t) => Ok(t),
            None => self.zero(self.shape(f)),
        }
    }

    /// The derivative of node `id`, given those of its children (absent
    /// means zero); `None` when it is zero.
    fn tangent(
        &mut self,
        id: ExprId,
        x: ExprId,
        tangent: &FxHashMap<ExprId, ExprId>,
    ) -> Result<Option<ExprId>> {
        if id == x {
            return self.int(1).map(Some);
        }
        let node = self.node(id).clone();
        if node.children().iter().all(|c| !tangent.contains_key(c))
            && !matches!(node, Node::Symbol { .. })
        {
            return Ok(None);
        }
        // A child without a tangent has derivative zero; a node of one child
        // only gets here when that child has one.
        let d = |c: ExprId| tangent.get(&c).copied();
        let shape = self.shape(id);
        let out = match node {
            Node::Num(_) | Node::Const(_) | Node::Dense(_) | Node::Element { .. } => {
                return Ok(None);
            }
            Node::Symbol { .. } => match self.node(x).clone() {
                Node::Element { symbol, row, col } if symbol == id => {
                    self.dense(unit(shape, row, col)?)?
                }
                _ => return Ok(None),
            },
            Node::Matrix { shape, entries } => {
                let zero = self.int(0)?;
                let ds = entries.iter().map(|&e| d(e).unwrap_or(zero)).collect();
                self.matrix(shape, ds)?
            }
            Node::Add(_) => {
                let ds: Vec<ExprId> = self
                    .terms_as_shown(id)
                    .iter()
                    .filter_map(|&t| d(t))
                    .collect();
                self.add(&ds)?
            }
            Node::Mul(fs) => {
                let mut terms = Vec::new();
                for (k, &f) in fs.iter().enumerate() {
                    if let Some(df) = d(f) {
                        let mut rest: Vec<ExprId> = fs.clone();
                        rest[k] = df;
                        terms.push(self.mul(&rest)?);
                    }
                }
                self.add(&terms)?
            }
            Node::Pow(b, e) => self.pow_tangent(id, b, e, d(b), d(e))?,
            Node::MatMul(a, b) => {
                let mut terms = Vec::new();
                if let Some(da) = d(a) {
                    terms.push(self.matmul(da, b)?);
                }
                if let Some(db) = d(b) {
                    terms.push(self.matmul(a, db)?);
                }
                self.add(&terms)?
            }
            Node::MatPow(a, n) => self.matpow_tangent(a, n, d(a).unwrap_or(a))?,
            Node::Transpose(a) => self.transpose(d(a).unwrap_or(a))?,
            Node::Apply(f, a) => {
                let fd = self.func_derivative(f, a)?;
                self.mul(&[fd, d(a).unwrap_or(a)])?
            }
            Node::Reduce(Reduction::Sum, axis, a) => self.sum(d(a).unwrap_or(a), axis)?,
            Node::Reduce(Reduction::LogSumExp, axis, a) => {
                let s = softmax_any(self, a, axis)?;
                let w = self.mul(&[s, d(a).unwrap_or(a)])?;
                self.sum(w, axis)?
            }
            Node::Softmax(axis, a) => self.softmax_jvp(a, d(a).unwrap_or(a), axis)?,
            // T = J(a)⋅v: dT = J(a)⋅dv + dS∘c − S∘Σ(v∘dS), where dS = J(a)⋅da
            // and c = v − Σ v∘S.
            Node::SoftmaxJvp(axis, a, v) => {
                let mut terms = Vec::new();
                if let Some(dv) = d(v) {
                    terms.push(self.softmax_jvp(a, dv, axis)?);
                }
                if let Some(da) = d(a) {
                    let ds = self.softmax_jvp(a, da, axis)?;
                    let (s, c) = self.softmax_centred(a, v, axis)?;
                    terms.push(self.mul(&[ds, c])?);
                    let vds = self.mul(&[v, ds])?;
                    let total = self.sum(vds, axis)?;
                    let t = self.mul(&[s, total])?;
                    terms.push(self.neg(t)?);
                }
                self.add(&terms)?
            }
            Node::Trace(a) => self.trace(d(a).unwrap_or(a))?,
            Node::Diag(a) => self.diag(d(a).unwrap_or(a))?,
            Node::Slice { arg, rows, cols } => self.slice(d(arg).unwrap_or(arg), rows, cols)?,
            Node::Stack { vertical, parts } => {
                let ds = parts
                    .iter()
                    .map(|&p| match d(p) {
                        Some(dp) => Ok(dp),
                        None => self.zero(self.shape(p)),
                    })
                    .collect::<Result<Vec<_>>>()?;
                self.stack(&ds, vertical)?
            }
            // d det(A) = det(A)⋅tr(A⁻¹⋅dA), d log|det A| = tr(A⁻¹⋅dA).
            Node::Det(a) | Node::LogDet(a) => {
                let inv = self.inv(a)?;
                let p = self.product(inv, d(a).unwrap_or(a))?;
                let t = self.trace(p)?;
                if matches!(self.node(id), Node::Det(_)) {
                    self.mul(&[id, t])?
                } else {
                    t
                }
            }
        };
        self.broadcast_to(out, shape).map(Some)
    }

    fn pow_tangent(
        &mut self,
        id: ExprId,
        b: ExprId,
        e: ExprId,
        db: Option<ExprId>,
        de: Option<ExprId>,
    ) -> Result<ExprId> {
        let mut terms = Vec::new();
        if let Some(db) = db {
            // d(bᵉ) = e⋅bᵉ⁻¹⋅db
            let one = self.int(1)?;
            let e1 = self.sub(e, one)?;
            let p = self.pow(b, e1)?;
            terms.push(self.mul(&[e, p, db])?);
        }
        if let Some(de) = de
            && let Some(lb) = self.log_of_power_base(b)?
        {
            // d(bᵉ) = bᵉ⋅log(b)⋅de
            terms.push(self.mul(&[id, lb, de])?);
        }
        self.add(&terms)
    }

    /// `log(b)` in the derivative of `bᵉ` by its exponent, `bᵉ⋅log(b)`, with
    /// 0 in the numbers of `b` read as 1: where `b` is 0, `bᵉ` is 0 for
    /// `e > 0` and so is the derivative (JAX's convention too), and for
    /// `e ≤ 0` `bᵉ` itself is not finite. `None` when `b` is the number 0.
    pub(crate) fn log_of_power_base(&mut self, b: ExprId) -> Result<Option<ExprId>> {
        let base = match self.node(b) {
            Node::Num(n) if n.is_zero() => return Ok(None),
            Node::Dense(d) if d.has_zero() => {
                let d = d.clone();
                let ones_for_zeros = crate::numeric::map_dense(&d, self, |x| {
                    Ok(if x.is_zero() { Num::one() } else { x.clone() })
                })?;
                self.dense(ones_for_zeros)?
            }
            _ => b,
        };
        self.apply(Func::Log, base).map(Some)
    }

    /// d(Aⁿ) = Σₖ Aᵏ⋅dA⋅Aⁿ⁻¹⁻ᵏ; for n = −m < 0, d(A⁻ᵐ) = −Σₖ A⁻⁽ᵏ⁺¹⁾⋅dA⋅A⁻⁽ᵐ⁻ᵏ⁾
    /// (from d(A⁻¹) = −A⁻¹⋅dA⋅A⁻¹).
    pub(crate) fn matpow_tangent(&mut self, a: ExprId, n: i64, da: ExprId) -> Result<ExprId> {
        let mut terms = Vec::new();
        if n < 0 {
            let m = -n;
            for k in 0..m {
                let (left, right) = (self.int(-(k + 1))?, self.int(-(m - k))?);
                let (l, r) = (self.power(a, left)?, self.power(a, right)?);
                let ld = self.product(l, da)?;
                let t = self.product(ld, r)?;
                terms.push(self.neg(t)?);
            }
            return self.add(&terms);
        }
        for k in 0..n {
            let (left, right) = (self.int(k)?, self.int(n - 1 - k)?);
            let (l, r) = (self.power(a, left)?, self.power(a, right)?);
            let ld = self.product(l, da)?;
            terms.push(self.product(ld, r)?);
        }
        self.add(&terms)
    }

    /// `f′(a)` for an elementwise function, in the textbook form.
    pub(crate) fn func_derivative(&mut self, f: Func, a: ExprId) -> Result<ExprId> {
        let one = self.int(1)?;
        match f {
            Func::Exp => self.apply(Func::Exp, a),
            Func::Log => {
                let m = self.int(-1)?;
                self.pow(a, m)
            }
            Func::Abs => self.apply(Func::Sign, a),
            Func::Tanh => {
                let t = self.apply(Func::Tanh, a)?;
                let two = self.int(2)?;
                let t2 = self.pow(t, two)?;
                self.sub(one, t2)
            }
            Func::Sigmoid => {
                let s = self.apply(Func::Sigmoid, a)?;
                let c = self.sub(one, s)?;
                self.mul(&[s, c])
            }
            Func::Softplus => self.apply(Func::Sigmoid, a),
            Func::Relu => self.apply(Func::Step, a),
            Func::Sin => self.apply(Func::Cos, a),
            Func::Cos => {
                let s = self.apply(Func::Sin, a)?;
                self.neg(s)
            }
            Func::Log1p => {
                let (m, b) = (self.int(-1)?, self.add(&[one, a])?);
                self.pow(b, m)
            }
            Func::Expm1 => self.apply(Func::Exp, a),
            Func::Erf => {
                // erf′(a) = 2/√π ⋅ exp(−a²)
                let (two, half) = (self.int(2)?, self.rational(-1, 2)?);
                let pi = self.constant(crate::Constant::Pi)?;
                let c = self.pow(pi, half)?;
                let a2 = self.pow(a, two)?;
                let na2 = self.neg(a2)?;
                let e = self.apply(Func::Exp, na2)?;
                self.mul(&[two, c, e])
            }
            // tan′ = 1 + tan², as SymPy writes it.
            Func::Tan => {
                let (t, two) = (self.apply(Func::Tan, a)?, self.int(2)?);
                let t2 = self.pow(t, two)?;
                self.add(&[one, t2])
            }
            // atan′(a) = 1/(1 + a²)
            Func::Atan => {
                let (two, m) = (self.int(2)?, self.int(-1)?);
                let a2 = self.pow(a, two)?;
                let b = self.add(&[one, a2])?;
                self.pow(b, m)
            }
            // asin′(a) = 1/√(1 − a²), acos′ = −asin′
            Func::Asin | Func::Acos => {
                let (two, m) = (self.int(2)?, self.rational(-1, 2)?);
                let a2 = self.pow(a, two)?;
                let b = self.sub(one, a2)?;
                let d = self.pow(b, m)?;
                if f == Func::Asin { Ok(d) } else { self.neg(d) }
            }
            Func::Sinh => self.apply(Func::Cosh, a),
            Func::Cosh => self.apply(Func::Sinh, a),
            // Zero wherever they are differentiable (everywhere but 0).
            Func::Sign | Func::Step => self.zero(self.shape(a)),
        }
    }

    /// `t` broadcast to `shape` (as NumPy would), built from products with
    /// ones so that no large matrix is stored for a scalar or a vector.
    pub(crate) fn broadcast_to(&mut self, t: ExprId, shape: Shape) -> Result<ExprId> {
        let s = self.shape(t);
        if s == shape {
            return Ok(t);
        }
        if s.is_scalar() {
            let ones = self.ones(shape)?;
            return self.mul(&[t, ones]);
        }
        if s.rows == shape.rows && s.cols == 1 {
            let ones = self.ones(Shape::new(1, shape.cols))?;
            return self.matmul(t, ones);
        }
        if s.cols == shape.cols && s.rows == 1 {
            let ones = self.ones(Shape::new(shape.rows, 1))?;
            return self.matmul(ones, t);
        }
        Err(Error::ShapeMismatch {
            op: "broadcasting",
            left: s,
            right: shape,
        })
    }
}

impl Pool {
    /// `S = softmax(a)` and `c = v − Σ v∘S` along `axis`: the factors of
    /// the formula of [`Node::SoftmaxJvp`], `S ∘ c`, and the parts of its
    /// derivative by the logits.
    pub(crate) fn softmax_centred(
        &mut self,
        a: ExprId,
        v: ExprId,
        axis: Axis,
    ) -> Result<(ExprId, ExprId)> {
        let s = self.softmax(a, axis)?;
        let vs = self.mul(&[v, s])?;
        let total = self.sum(vs, axis)?;
        Ok((s, self.sub(v, total)?))
    }
}

/// The matrix of `shape` with a 1 at (row, col) and zeros elsewhere.
pub(crate) fn unit(shape: Shape, row: usize, col: usize) -> Result<Dense> {
    let mut data = vec![Num::zero(); shape.len()];
    data[row * shape.cols + col] = Num::one();
    Dense::new(shape, DenseData::Exact(data))
}

/// `Err` when a `shape` result of `op`, built element by element, would be
/// larger than `elements` allows.
fn explicit_size(op: &str, shape: Shape) -> Result<()> {
    if shape.len() > crate::arith::EXPLICIT_LIMIT {
        return Err(Error::TooLarge(format!(
            "the {op} would be a {shape} matrix of {} element expressions, more than the {} allowed; \
             use grad for a matrix form",
            shape.len(),
            crate::arith::EXPLICIT_LIMIT
        )));
    }
    Ok(())
}
