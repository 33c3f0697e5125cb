//! Normalising constructors for sums, products and powers (elementwise,
//! broadcasting): flatten, fold constants exactly, collect like terms and
//! powers, order arguments canonically.

use crate::numeric::{Numeric, map_dense};
use crate::order::cmp_factors;
use crate::{
    Axis, Dense, DenseData, Error, ExprId, Func, Node, Num, Pool, Reduction, Result, Shape,
};
use indexmap::IndexMap;

/// An insertion-ordered map with the fast hash of small keys.
type FxIndexMap<K, V> = IndexMap<K, V, rustc_hash::FxBuildHasher>;

/// Results with more elements than this are not expanded into explicit matrices.
pub(crate) const EXPLICIT_LIMIT: usize = 10_000;

/// Arithmetic on numeric matrices folds into a new matrix only up to this
/// many elements; on larger data it stays an operation (evaluated when the
/// expression is), so building an expression never copies a data set.
pub(crate) const FOLD_LIMIT: usize = 10_000;

impl Pool {
    /// `a + b + …`, elementwise with broadcasting.
    pub fn add(&mut self, terms: &[ExprId]) -> Result<ExprId> {
        let shape = self.broadcast_all("+", terms)?;
        let flat = self.flatten_sums(terms);
        if let Some(e) = self.explicit_elementwise(shape, &flat, |p, xs| p.add(xs))? {
            return Ok(e);
        }
        let flat = self.group_explicit(flat, |p, xs| p.add(xs))?;
        let mut constant: Option<Numeric> = None;
        // Where the first number came among the monomials (a constant
        // written first stays first).
        let mut constant_at = 0;
        // Each monomial with its summed coefficient, and the term itself
        // while only one term has contributed (it is already normal), in
        // the order the terms came.
        let mut like: FxIndexMap<ExprId, (Numeric, Option<ExprId>)> =
            FxIndexMap::with_capacity_and_hasher(flat.len(), Default::default());
        for t in flat {
            if let Some(n) = self.numeric(t) {
                constant = Some(match constant {
                    Some(c) => c.add(&n, self)?,
                    None => {
                        constant_at = like.len();
                        n
                    }
                });
                continue;
            }
            let (c, m) = self.split_coefficient(t)?;
            match like.get_mut(&m) {
                Some(entry) => *entry = (entry.0.add(&c, self)?, None),
                None => {
                    like.insert(m, (c, Some(t)));
                }
            }
        }
        let mut out = Vec::new();
        let mut constant_index = None;
        for (k, (m, (c, single))) in like.into_iter().enumerate() {
            if k == constant_at {
                constant_index = Some(out.len());
            }
            match single {
                Some(t) => out.push(t),
                None if !c.is_zero() => out.push(self.scaled(c, m)?),
                None => {}
            }
        }
        let covered = self.broadcast_all("+", &out).unwrap_or(shape);
        let constant = match constant {
            Some(c) if covered != shape => Some(c.add(&self.zeros_numeric(shape), self)?),
            Some(c) if c.is_zero() && !out.is_empty() => None,
            None if covered != shape => Some(self.zeros_numeric(shape)),
            // A matrix of one repeated exact number, added to terms that
            // fill the shape, is that number.
            Some(Numeric::Matrix(d)) => match d.data() {
                DenseData::Exact(v) if v.iter().all(|x| *x == v[0]) && !out.is_empty() => {
                    Some(Numeric::Scalar(v[0].clone())).filter(|c| !c.is_zero())
                }
                _ => Some(Numeric::Matrix(d)),
            },
            other => other,
        };
        if let Some(c) = constant {
            // A number written first stays first (`1 − σ(z)`); otherwise the
            // constant, and always a numeric matrix, goes last.
            let at = match c {
                Numeric::Scalar(_) if constant_index == Some(0) => 0,
                _ => out.len(),
            };
            let c = self.numeric_expr(c)?;
            out.insert(at, c);
        }
        match out.len() {
            0 => self.zero(shape),
            1 => Ok(out[0]),
            _ => self.intern_sum(out, shape),
        }
    }

    /// The factors with each pair `exp(a)`, `sum(exp(a), dim)⁻¹` (a
    /// softmax written out) as `softmax(a, dim)`: evaluated with a max
    /// shift, where the quotient overflows at logits past 709, and
    /// differentiated in its textbook form. A sum over everything is
    /// taken along the vector `a`; of a matrix, it is `ℯ^(a − logsumexp(a))`.
    fn softmax_quotients(&mut self, mut factors: Vec<ExprId>) -> Result<Vec<ExprId>> {
        let mut k = 0;
        while k < factors.len() {
            if let Node::Pow(s, e) = *self.node(factors[k])
                && self.is_int(e, -1)
                && let Node::Reduce(Reduction::Sum, axis, x) = *self.node(s)
                && let Node::Apply(Func::Exp, a) = *self.node(x)
                && let Some(i) = factors.iter().position(|&f| f == x)
            {
                let sa = self.shape(a);
                let axis = match axis {
                    Axis::All if sa.cols == 1 => Axis::Cols,
                    Axis::All if sa.rows == 1 => Axis::Rows,
                    along => along,
                };
                factors[k] = crate::simplify::softmax_any(self, a, axis)?;
                factors.remove(i);
            } else {
                k += 1;
            }
        }
        Ok(factors)
    }

    /// `a .* b .* …`: the elementwise (Hadamard) product, broadcasting; a
    /// scalar factor scales.
    pub fn mul(&mut self, factors: &[ExprId]) -> Result<ExprId> {
        let shape = self.broadcast_all(".*", factors)?;
        let flat = self.flatten(factors, |n| matches!(n, Node::Mul(_)));
        if let Some(e) = self.explicit_elementwise(shape, &flat, |p, xs| p.mul(xs))? {
            return Ok(e);
        }
        let flat = self.group_explicit(flat, |p, xs| p.mul(xs))?;
        let flat = self.softmax_quotients(flat)?;
        let mut coeff = Numeric::Scalar(Num::one());
        // The factors of each base (`b` and `b^e` share the base `b`), and
        // the factors `exp(a)`: a base met once keeps its factor as it is.
        let mut powers: FxIndexMap<ExprId, Vec<(ExprId, Option<ExprId>)>> =
            FxIndexMap::with_capacity_and_hasher(flat.len(), Default::default());
        let mut exps = Vec::new();
        // Powers of numbers: only with two of them can roots be shared.
        let mut number_powers = 0;
        for f in flat {
            if let Some(n) = self.numeric(f) {
                coeff = coeff.mul(&n, self)?;
            } else {
                match *self.node(f) {
                    Node::Apply(Func::Exp, a) => exps.push((f, a)),
                    Node::Pow(b, e) => {
                        number_powers += usize::from(self.as_num(b).is_some());
                        powers.entry(b).or_default().push((f, Some(e)));
                    }
                    _ => powers.entry(f).or_default().push((f, None)),
                }
            }
        }
        if coeff.is_zero() {
            return self.zero(shape);
        }
        let mut out = Vec::new();
        if number_powers >= 2 {
            for root in self.shared_roots(&mut powers)? {
                self.push_factor(root, &mut coeff, &mut out)?;
            }
        }
        for (b, fs) in powers {
            let p = match fs.as_slice() {
                [(f, _)] => *f,
                _ => {
                    let es = fs
                        .iter()
                        .map(|&(_, e)| e.map_or_else(|| self.int(1), Ok))
                        .collect::<Result<Vec<_>>>()?;
                    let e = self.add(&es)?;
                    self.pow(b, e)?
                }
            };
            self.push_factor(p, &mut coeff, &mut out)?;
        }
        match exps.as_slice() {
            [] => {}
            [(f, _)] => out.push(*f),
            _ => {
                let args: Vec<ExprId> = exps.iter().map(|&(_, a)| a).collect();
                let sum = self.add(&args)?;
                let e = self.apply(Func::Exp, sum)?;
                self.push_factor(e, &mut coeff, &mut out)?;
            }
        }
        self.finish_product(shape, coeff, out)
    }

    /// Roots of positive numbers with the same exponent taken out of
    /// `powers` and multiplied under one root, as in SymPy: `√2⋅√3 = √6`,
    /// `√6⋅√2 = 2⋅√3`.
    fn shared_roots(
        &mut self,
        powers: &mut FxIndexMap<ExprId, Vec<(ExprId, Option<ExprId>)>>,
    ) -> Result<Vec<ExprId>> {
        let root = |b: ExprId, fs: &[(ExprId, Option<ExprId>)]| match fs {
            [(_, Some(e))]
                if self
                    .as_num(b)
                    .is_some_and(|n| n.is_exact() && !n.is_negative())
                    && self
                        .as_num(*e)
                        .is_some_and(|n| n.is_exact() && !n.is_integer()) =>
            {
                Some(*e)
            }
            _ => None,
        };
        let mut by_exponent: FxIndexMap<ExprId, Vec<ExprId>> = FxIndexMap::default();
        for (&b, fs) in powers.iter() {
            if let Some(e) = root(b, fs) {
                by_exponent.entry(e).or_default().push(b);
            }
        }
        let mut roots = Vec::new();
        for (e, bases) in by_exponent {
            if bases.len() < 2 {
                continue;
            }
            let mut product = Num::one();
            for b in &bases {
                powers.shift_remove(b);
                let b = self.as_num(*b).expect("a number base").clone();
                product = crate::num::bounded_product(&product, &b)?;
            }
            let product = self.num(product)?;
            roots.push(self.pow(product, e)?);
        }
        Ok(roots)
    }

    /// Adds a rebuilt factor to a product under construction, folding numbers
    /// into the coefficient and splicing nested products.
    fn push_factor(&mut self, f: ExprId, coeff: &mut Numeric, out: &mut Vec<ExprId>) -> Result<()> {
        if let Some(n) = self.numeric(f) {
            *coeff = coeff.mul(&n, self)?;
        } else if let Node::Mul(fs) = self.node(f) {
            for g in fs.clone() {
                self.push_factor(g, coeff, out)?;
            }
        } else {
            out.push(f);
        }
        Ok(())
    }

    fn finish_product(
        &mut self,
        shape: Shape,
        coeff: Numeric,
        mut out: Vec<ExprId>,
    ) -> Result<ExprId> {
        if coeff.is_zero() {
            return self.zero(shape);
        }
        out.sort_by(|&a, &b| cmp_factors(self, a, b));
        // A matrix coefficient of one repeated exact number, over factors that
        // already fill the shape, is that number.
        let coeff = match coeff {
            Numeric::Matrix(d) if self.broadcast_all(".*", &out).is_ok_and(|s| s == shape) => {
                match d.data() {
                    DenseData::Exact(v) if v.iter().all(|x| *x == v[0]) => {
                        Numeric::Scalar(v[0].clone())
                    }
                    _ => Numeric::Matrix(d),
                }
            }
            c => c,
        };
        // An exact multiple `c⋅I` of the identity beside other factors is `c`
        // and `I`: the gradient of `tr(A)²` is `2⋅tr(A)⋅I`, not `tr(A)` times
        // a matrix of 2s and 0s.
        let coeff = match coeff {
            Numeric::Matrix(d) if !out.is_empty() => match crate::matrix::identity_multiple(&d)
                .filter(|c| d.shape().rows >= 2 && !c.is_zero() && !c.is_one())
            {
                Some(c) => {
                    out.push(self.eye(d.shape().rows)?);
                    out.sort_by(|&a, &b| cmp_factors(self, a, b));
                    Numeric::Scalar(c)
                }
                None => Numeric::Matrix(d),
            },
            c => c,
        };
        // Only an exact 1 disappears: `1.0⋅x` keeps its float coefficient.
        let scalar_one = matches!(&coeff, Numeric::Scalar(n) if n.is_exact() && n.is_one());
        if let (Numeric::Scalar(c), [single]) = (&coeff, out.as_slice())
            && matches!(self.node(*single), Node::Add(_))
        {
            // A number times a sum distributes, as in SymPy: 2⋅(x + y) = 2⋅x + 2⋅y.
            let (c, terms) = (c.clone(), self.terms_as_shown(*single));
            let c = self.num(c)?;
            let scaled = terms
                .iter()
                .map(|&t| self.mul(&[c, t]))
                .collect::<Result<Vec<_>>>()?;
            return self.add(&scaled);
        }
        if !scalar_one || out.is_empty() {
            out.insert(0, self.numeric_expr(coeff)?);
        }
        match out.len() {
            1 if self.shape(out[0]) == shape => Ok(out[0]),
            1 => {
                let ones = self.ones(shape)?;
                self.mul(&[ones, out[0]])
            }
            _ => self.intern(Node::Mul(out), shape),
        }
    }

    /// `base .^ exponent`, elementwise.
    pub fn pow(&mut self, base: ExprId, exponent: ExprId) -> Result<ExprId> {
        let shape = self.broadcast_all(".^", &[base, exponent])?;
        if let Some(e) =
            self.explicit_elementwise(shape, &[base, exponent], |p, xs| p.pow(xs[0], xs[1]))?
        {
            return Ok(e);
        }
        if let Some(n) = self.as_num(exponent).cloned() {
            if n.is_zero() {
                return self.ones(shape);
            }
            if n.is_one() {
                return Ok(base);
            }
            if let Some(e) = self.pow_by_number(base, &n)? {
                return Ok(e);
            }
        }
        if self.as_num(base).is_some_and(Num::is_one) {
            return self.ones(shape);
        }
        if let Node::Const(crate::Constant::E) = self.node(base) {
            return self.apply(Func::Exp, exponent);
        }
        self.intern(Node::Pow(base, exponent), shape)
    }

    /// Simplifications of `base^n` for a number `n` (not 0 or 1).
    fn pow_by_number(&mut self, base: ExprId, n: &Num) -> Result<Option<ExprId>> {
        match self.node(base).clone() {
            Node::Num(b) => match (b.pow(n)?, &b, n) {
                (Some(v), _, _) => self.num(v).map(Some),
                (None, Num::Rat(b), Num::Rat(e)) => match crate::radical::simplest(b, e)? {
                    // c⋅r^f, with r^f in its simplest form already.
                    Some((c, r, f)) => {
                        let (c, r, f) = (
                            self.num(c)?,
                            self.num(Num::Rat(r.into()))?,
                            self.num(Num::Rat(f))?,
                        );
                        let root = self.intern(Node::Pow(r, f), Shape::SCALAR)?;
                        self.mul(&[c, root]).map(Some)
                    }
                    None => Ok(None),
                },
                (None, ..) => Ok(None),
            },
            Node::Dense(d) if d.shape().len() <= FOLD_LIMIT => {
                let folded =
                    map_dense(&d, self, |x| x.pow(n)?.ok_or(Error::Invalid(String::new())));
                match folded {
                    Ok(d) => self.dense(d).map(Some),
                    Err(Error::Invalid(_)) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            Node::Apply(Func::Exp, a) => {
                let n = self.num(n.clone())?;
                let arg = self.mul(&[n, a])?;
                self.apply(Func::Exp, arg).map(Some)
            }
            Node::Pow(b, e) if n.is_integer() => {
                let n = self.num(n.clone())?;
                let e = self.mul(&[e, n])?;
                self.pow(b, e).map(Some)
            }
            // (b^(2k))^n = |b|^(2k⋅n) for real b: √(x²) = |x|.
            Node::Pow(b, e) if self.as_num(e).is_some_and(is_even) => {
                let (n, abs_b) = (self.num(n.clone())?, self.apply(Func::Abs, b)?);
                let e = self.mul(&[e, n])?;
                self.pow(abs_b, e).map(Some)
            }
            // step(u) is 0 or 1, so step(u)ⁿ = step(u) for n > 0.
            Node::Apply(Func::Step, _) if !n.is_negative() && !n.is_zero() => Ok(Some(base)),
            Node::Apply(Func::Abs, a) if is_even(n) => {
                let n = self.num(n.clone())?;
                self.pow(a, n).map(Some)
            }
            // (a⋅b)^n = aⁿ⋅bⁿ for factors a never negative (b real), as
            // SymPy: √(4⋅x) = 2⋅√x, √(x²⋅y) = |x|⋅√y. Not for `relu` and `step`
            // beside a factor that may be negative: (relu(x)⋅x)^(3/2) is 0 on
            // all of x < 0, where x^(3/2) is not real.
            Node::Mul(fs) if !n.is_integer() => {
                let signs: Vec<bool> = fs.iter().map(|&f| self.never_negative(f)).collect();
                let all = signs.iter().all(|&s| s);
                let (mut sure, mut rest) = (Vec::new(), Vec::new());
                for (&f, sign) in fs.iter().zip(signs) {
                    if sign && (all || !self.zero_on_intervals(f)) {
                        sure.push(f);
                    } else {
                        rest.push(f);
                    }
                }
                if sure.is_empty() {
                    return Ok(None);
                }
                let n = self.num(n.clone())?;
                let mut parts = Vec::with_capacity(sure.len() + 1);
                for f in sure {
                    parts.push(self.pow(f, n)?);
                }
                if !rest.is_empty() {
                    // (−x²)^(1/3) stays whole: (−1)^(1/3) alone is not real.
                    let rest = self.mul(&rest)?;
                    match self.pow(rest, n) {
                        Ok(p) => parts.push(p),
                        Err(Error::Domain(_)) => return Ok(None),
                        Err(e) => return Err(e),
                    }
                }
                self.mul(&parts).map(Some)
            }
            Node::Mul(fs) if n.is_integer() => {
                let n = self.num(n.clone())?;
                let fs = fs
                    .iter()
                    .map(|&f| self.pow(f, n))
                    .collect::<Result<Vec<_>>>()?;
                self.mul(&fs).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// `-a`.
    pub fn neg(&mut self, a: ExprId) -> Result<ExprId> {
        let m = self.int(-1)?;
        self.mul(&[m, a])
    }

    /// `a - b`, elementwise.
    pub fn sub(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        let nb = self.neg(b)?;
        self.add(&[a, nb])
    }

    /// `a / b`: elementwise division with broadcasting. Division by an exact
    /// or float zero is an error.
    pub fn div(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        if self.numeric(b).is_some_and(|n| n.has_zero()) {
            return Err(Error::DivisionByZero);
        }
        let m = self.int(-1)?;
        let inv = self.pow(b, m)?;
        self.mul(&[a, inv])
    }

    /// The broadcast shape of all operands, or a shape-mismatch error naming
    /// the first pair that does not fit.
    pub(crate) fn broadcast_all(&self, op: &'static str, xs: &[ExprId]) -> Result<Shape> {
        let mut shape = Shape::SCALAR;
        for &x in xs {
            let s = self.shape(x);
            shape = shape.broadcast(s).ok_or(Error::ShapeMismatch {
                op,
                left: shape,
                right: s,
            })?;
        }
        Ok(shape)
    }

    /// The terms with nested sums spliced in, in the order they were written.
    fn flatten_sums(&self, xs: &[ExprId]) -> Vec<ExprId> {
        let mut out = Vec::with_capacity(xs.len());
        for &x in xs {
            if matches!(self.node(x), Node::Add(_)) {
                out.extend(self.terms_as_shown(x));
            } else {
                out.push(x);
            }
        }
        out
    }

    /// The arguments with nested nodes of the same kind spliced in.
    fn flatten(&self, xs: &[ExprId], same: impl Fn(&Node) -> bool) -> Vec<ExprId> {
        let mut out = Vec::with_capacity(xs.len());
        for &x in xs {
            let node = self.node(x);
            if same(node) {
                out.extend(node.children());
            } else {
                out.push(x);
            }
        }
        out
    }

    /// Applies a scalar operation entry by entry when every matrix operand is
    /// explicit and at least one is an explicit matrix of expressions.
    fn explicit_elementwise(
        &mut self,
        shape: Shape,
        operands: &[ExprId],
        op: impl Fn(&mut Pool, &[ExprId]) -> Result<ExprId>,
    ) -> Result<Option<ExprId>> {
        let explicit =
            |p: &Pool, x: ExprId| matches!(p.node(x), Node::Matrix { .. } | Node::Dense(_));
        if shape.is_scalar()
            || shape.len() > EXPLICIT_LIMIT
            || !operands
                .iter()
                .any(|&x| matches!(self.node(x), Node::Matrix { .. }))
            || !operands
                .iter()
                .all(|&x| self.shape(x).is_scalar() || explicit(self, x))
        {
            return Ok(None);
        }
        let mut entries = Vec::with_capacity(shape.len());
        for i in 0..shape.rows {
            for j in 0..shape.cols {
                let args = operands
                    .iter()
                    .map(|&x| self.entry(x, i, j))
                    .collect::<Result<Vec<_>>>()?;
                entries.push(op(self, &args)?);
            }
        }
        self.matrix(shape, entries).map(Some)
    }

    /// Combines the explicit matrices and scalars among `xs` into one
    /// explicit matrix when there is an explicit matrix of expressions, so
    /// the result does not depend on how the user grouped the operands.
    /// When they are all of `xs` (too large to write out, or `op` would
    /// have), they stay as they are.
    fn group_explicit(
        &mut self,
        xs: Vec<ExprId>,
        op: impl Fn(&mut Pool, &[ExprId]) -> Result<ExprId>,
    ) -> Result<Vec<ExprId>> {
        if !xs
            .iter()
            .any(|&x| matches!(self.node(x), Node::Matrix { .. }))
        {
            return Ok(xs);
        }
        let (group, mut rest): (Vec<ExprId>, Vec<ExprId>) = xs
            .into_iter()
            .partition(|&x| self.is_explicit(x) || self.shape(x).is_scalar());
        if group.len() < 2 || rest.is_empty() {
            rest.extend(group);
            return Ok(rest);
        }
        rest.push(op(self, &group)?);
        Ok(rest)
    }

    /// The entry (i, j) of a scalar or explicit matrix, broadcasting.
    pub(crate) fn entry(&mut self, x: ExprId, i: usize, j: usize) -> Result<ExprId> {
        let s = self.shape(x);
        let (i, j) = (
            if s.rows == 1 { 0 } else { i },
            if s.cols == 1 { 0 } else { j },
        );
        match self.node(x).clone() {
            Node::Matrix { entries, .. } => Ok(entries[i * s.cols + j]),
            Node::Dense(d) => self.num(d.get(i, j)),
            _ => Ok(x),
        }
    }

    /// The constant value of a number or dense node.
    pub(crate) fn numeric(&self, x: ExprId) -> Option<Numeric> {
        match self.node(x) {
            Node::Num(n) => Some(Numeric::Scalar(n.clone())),
            Node::Dense(d) if d.shape().len() <= FOLD_LIMIT => Some(Numeric::Matrix(d.clone())),
            _ => None,
        }
    }

    pub(crate) fn numeric_expr(&mut self, n: Numeric) -> Result<ExprId> {
        match n {
            Numeric::Scalar(n) => self.num(n),
            Numeric::Matrix(d) => self.dense(d),
        }
    }

    /// Splits a term into its numeric coefficient and the rest.
    fn split_coefficient(&mut self, t: ExprId) -> Result<(Numeric, ExprId)> {
        if let Node::Mul(fs) = self.node(t)
            && let Some(c) = self.numeric(fs[0])
        {
            let rest = fs[1..].to_vec();
            let m = match rest.as_slice() {
                [single] => *single,
                _ => {
                    let shape = self.broadcast_all(".*", &rest)?;
                    self.intern(Node::Mul(rest), shape)?
                }
            };
            return Ok((c, m));
        }
        Ok((Numeric::Scalar(Num::one()), t))
    }

    /// `c ⋅ m` for a coefficient and a monomial that are already normal.
    fn scaled(&mut self, c: Numeric, m: ExprId) -> Result<ExprId> {
        if matches!(&c, Numeric::Scalar(n) if n.is_exact() && n.is_one()) {
            return Ok(m);
        }
        let c = self.numeric_expr(c)?;
        self.mul(&[c, m])
    }

    fn zeros_numeric(&self, shape: Shape) -> Numeric {
        if shape.is_scalar() {
            return Numeric::Scalar(Num::zero());
        }
        let data = DenseData::Exact(vec![Num::zero(); shape.len()]);
        Numeric::Matrix(Dense::new(shape, data).expect("zeros fill their shape"))
    }
}

impl Numeric {
    /// True when some element is zero (a divisor that would fail).
    pub(crate) fn has_zero(&self) -> bool {
        match self {
            Numeric::Scalar(n) => n.is_zero(),
            Numeric::Matrix(d) => d.has_zero(),
        }
    }
}

/// True for an exact even integer.
pub(crate) fn is_even(n: &Num) -> bool {
    matches!(n, Num::Rat(r) if r.is_integer() && num_integer::Integer::is_even(&r.numer()))
}
