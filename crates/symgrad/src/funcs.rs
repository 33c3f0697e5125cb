//! Elementwise functions: constant folding and the identities applied on
//! construction (`exp(log(x)) = x`, `log(exp(x)) = x`, `log(ℯ) = 1`,
//! `sin(−x) = −sin(x)`, `exp(2⋅log(x)) = x²`, …).
//!
//! Floats are folded only through the functions that are exact on them
//! (`abs`, `relu`, `sign`, `step`). `exp`, `log`, `tanh`, `σ` and `softplus`
//! of a float stay operations, so that a later rewrite can still take the
//! stable form (`log(1 − σ(40.5))` is `−softplus(40.5)`, not `log(0)`); they
//! are computed when the expression is evaluated or shown.

use crate::arith::FOLD_LIMIT;
use crate::numeric::map_dense;
use crate::{Constant, Error, ExprId, Func, Node, Num, Pool, Result};

impl Pool {
    /// `f(x)`, elementwise on a matrix.
    pub fn apply(&mut self, f: Func, x: ExprId) -> Result<ExprId> {
        let shape = self.shape(x);
        match self.node(x).clone() {
            Node::Num(n) => {
                if let Some(v) = fold(f, &n)? {
                    return self.num(v);
                }
            }
            Node::Dense(d) if d.shape().len() <= FOLD_LIMIT => {
                match map_dense(&d, self, |n| {
                    fold(f, n)?.ok_or(Error::Invalid(String::new()))
                }) {
                    Ok(folded) => return self.dense(folded),
                    Err(Error::Invalid(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Node::Matrix { entries, .. } => {
                let entries = entries
                    .iter()
                    .map(|&e| self.apply(f, e))
                    .collect::<Result<Vec<_>>>()?;
                return self.matrix(shape, entries);
            }
            Node::Const(Constant::E) if f == Func::Log => return self.int(1),
            Node::Apply(Func::Log, a) if f == Func::Exp => return Ok(a),
            Node::Apply(Func::Exp, a) if f == Func::Log => return Ok(a),
            Node::Apply(Func::Exp, _) if f == Func::Abs => return Ok(x),
            Node::Apply(Func::Expm1, a) if f == Func::Log1p => return Ok(a),
            Node::Apply(Func::Log1p, a) if f == Func::Expm1 => return Ok(a),
            Node::Apply(Func::Atan, a) if f == Func::Tan => return Ok(a),
            Node::Apply(Func::Asin, a) if f == Func::Sin => return Ok(a),
            Node::Apply(Func::Acos, a) if f == Func::Cos => return Ok(a),
            Node::Apply(g, _)
                if g == f && matches!(f, Func::Abs | Func::Relu | Func::Sign | Func::Step) =>
            {
                return Ok(x);
            }
            _ => {}
        }
        if let Some(e) = self.identity(f, x)? {
            return Ok(e);
        }
        self.intern(Node::Apply(f, x), shape)
    }

    /// The identities SymPy applies on construction besides the inverse
    /// pairs: odd and even functions of a negated argument (`sin(−x) =
    /// −sin(x)`, `cos(1 − x) = cos(x − 1)`, `|−2⋅x| = 2⋅|x|`), `|a| = a`
    /// for an `a` never negative, `exp(c⋅log(a)) = a^c` for a number `c`,
    /// `softplus(0) = log(2)`, the trigonometric functions at rational
    /// multiples of π and their inverses there, and sin, cos and tan of
    /// each other's inverses (`cos(asin(a)) = √(1 − a²)`).
    /// Kept out of line: inlined into `apply`, it made writing out S2's
    /// gradients (`elements`) 3–4 % slower, against 1–2 % so.
    #[inline(never)]
    fn identity(&mut self, f: Func, x: ExprId) -> Result<Option<ExprId>> {
        let odd = matches!(
            f,
            Func::Sin | Func::Tanh | Func::Erf | Func::Tan | Func::Atan | Func::Asin | Func::Sinh
        );
        let even = matches!(f, Func::Cos | Func::Abs | Func::Cosh);
        if (odd || even) && self.takes_minus_out(x) {
            let minus_x = self.neg(x)?;
            let fx = self.apply(f, minus_x)?;
            return if odd { self.neg(fx) } else { Ok(fx) }.map(Some);
        }
        match (f, self.node(x)) {
            (Func::Abs, Node::Mul(fs)) if self.as_num(fs[0]).is_some() => {
                let (c, fs) = (fs[0], fs[1..].to_vec());
                let rest = self.mul(&fs)?;
                let abs_rest = self.apply(Func::Abs, rest)?;
                self.mul(&[c, abs_rest]).map(Some)
            }
            (Func::Abs, _) if self.never_negative(x) => Ok(Some(x)),
            (Func::Exp, Node::Add(ts)) if ts.iter().any(|&t| self.log_of_term(t).is_some()) => {
                let ts = ts.clone();
                self.exp_of_sum(&ts).map(Some)
            }
            (Func::Exp, Node::Mul(_)) => match self.log_of_term(x) {
                Some((Some(c), a)) => self.pow(a, c).map(Some),
                _ => Ok(None),
            },
            (Func::Softplus, Node::Num(n)) if n.is_exact() && n.is_zero() => {
                let two = self.int(2)?;
                self.apply(Func::Log, two).map(Some)
            }
            (
                Func::Sin | Func::Cos | Func::Tan,
                &Node::Apply(g @ (Func::Asin | Func::Acos | Func::Atan), a),
            ) if self.shape(a).is_scalar() => self.of_inverse(f, g, a),
            (Func::Sin | Func::Cos | Func::Tan, _) => self.trig_at_pi(f, x),
            (Func::Asin | Func::Acos | Func::Atan, _) => self.inverse_trig_at(f, x),
            _ => Ok(None),
        }
    }

    /// `f(g(a))` for `f` sin, cos or tan and `g` another one's inverse, in
    /// SymPy's forms: `cos(asin(a)) = √(1 − a²)`, `tan(asin(a)) = a/√(1 −
    /// a²)`, `sin(atan(a)) = a/√(1 + a²)`, … (`f`'s own inverse is undone
    /// in [`Pool::apply`]).
    fn of_inverse(&mut self, f: Func, g: Func, a: ExprId) -> Result<Option<ExprId>> {
        let (one, two, half) = (self.int(1)?, self.int(2)?, self.rational(1, 2)?);
        let a2 = self.pow(a, two)?;
        // √(1 − a²) for asin and acos, √(1 + a²) for atan.
        let inside = if g == Func::Atan {
            self.add(&[one, a2])?
        } else {
            self.sub(one, a2)?
        };
        let root = self.pow(inside, half)?;
        match (f, g) {
            (Func::Sin, Func::Acos) | (Func::Cos, Func::Asin) => Ok(Some(root)),
            (Func::Tan, Func::Asin) | (Func::Sin, Func::Atan) => self.div(a, root).map(Some),
            (Func::Tan, Func::Acos) => self.div(root, a).map(Some),
            (Func::Cos, Func::Atan) => self.div(one, root).map(Some),
            _ => Ok(None),
        }
    }

    /// True when `x` has a minus sign to take out, as SymPy's
    /// `could_extract_minus_sign`: a negative number or coefficient, or a
    /// sum with more negative terms than positive, or as many and the first
    /// (in the sum's own order, which ignores signs) negative. So of `a` and
    /// `−a` at most one has it, and `sin(y − x)` is `−sin(x − y)`. A sum of
    /// matrices keeps the sign its terms are written with (`tanh(b − W⋅X)`),
    /// unless all are negative.
    fn takes_minus_out(&self, x: ExprId) -> bool {
        match self.node(x) {
            Node::Add(ts) if self.shape(x).is_scalar() => {
                let negative = ts.iter().filter(|&&t| self.looks_negative(t)).count();
                2 * negative > ts.len() || (2 * negative == ts.len() && self.looks_negative(ts[0]))
            }
            _ => self.looks_negative(x),
        }
    }

    /// `(None, a)` for `log(a)` and `(Some(c), a)` for `c⋅log(a)` with a
    /// number `c`: the terms whose `exp` is a power of `a`.
    pub(crate) fn log_of_term(&self, t: ExprId) -> Option<(Option<ExprId>, ExprId)> {
        let log_of = |l: ExprId| match *self.node(l) {
            Node::Apply(Func::Log, a) => Some(a),
            _ => None,
        };
        match self.node(t) {
            Node::Mul(fs) => match (fs.as_slice(), self.as_num(fs[0])) {
                (&[c, l], Some(_)) => log_of(l).map(|a| (Some(c), a)),
                _ => None,
            },
            _ => log_of(t).map(|a| (None, a)),
        }
    }

    /// `exp(a + b + …)` with its logarithm terms ([`Pool::log_of_term`])
    /// multiplied out, as SymPy does: `exp(x + log(y))` is `y⋅exp(x)`, and
    /// `exp(x + 2⋅log(y))` is `y²⋅exp(x)`.
    fn exp_of_sum(&mut self, terms: &[ExprId]) -> Result<ExprId> {
        let (logs, rest): (Vec<ExprId>, Vec<ExprId>) =
            terms.iter().partition(|&&t| self.log_of_term(t).is_some());
        let mut factors = logs
            .iter()
            .map(|&t| self.apply(Func::Exp, t))
            .collect::<Result<Vec<_>>>()?;
        if !rest.is_empty() {
            let sum = self.add(&rest)?;
            factors.push(self.apply(Func::Exp, sum)?);
        }
        self.mul(&factors)
    }

    /// True for `relu` and `step` of anything and their powers: never
    /// negative, and 0 on whole intervals, not only at points as `x²` or `|x|`.
    pub(crate) fn zero_on_intervals(&self, x: ExprId) -> bool {
        match self.node(x) {
            Node::Apply(g, _) => matches!(g, Func::Relu | Func::Step),
            Node::Pow(b, _) => self.zero_on_intervals(*b),
            _ => false,
        }
    }

    /// True for a gate of a product, a `step(u)` factor (see [`gated`]).
    pub(crate) fn is_gate(&self, x: ExprId) -> bool {
        matches!(self.node(x), Node::Apply(Func::Step, _))
    }

    /// The factors of a product split into the others and its gates, each
    /// in its order.
    pub(crate) fn split_gates(&self, factors: &[ExprId]) -> (Vec<ExprId>, Vec<ExprId>) {
        factors.iter().partition(|&&f| !self.is_gate(f))
    }

    /// True for an expression that is never negative wherever it is real:
    /// numbers at least 0, ℯ and π, `exp`, `σ`, `softplus`, `relu`,
    /// `abs`, `cosh` and `acos` of anything, and powers with an even integer
    /// or a fractional exact exponent.
    pub(crate) fn never_negative(&self, x: ExprId) -> bool {
        match self.node(x) {
            Node::Num(n) => !n.is_negative(),
            Node::Const(_) => true,
            Node::Apply(g, _) => matches!(
                g,
                Func::Exp
                    | Func::Sigmoid
                    | Func::Softplus
                    | Func::Relu
                    | Func::Abs
                    | Func::Step
                    | Func::Cosh
                    | Func::Acos
            ),
            Node::Pow(_, e) => self
                .as_num(*e)
                .is_some_and(|n| n.is_exact() && (!n.is_integer() || crate::arith::is_even(n))),
            _ => false,
        }
    }
}

/// The value of `f(n)` when it is a number and the result is exact: for
/// exact input (`exp(0) = 1`, `|−⅓| = ⅓`), and for floats through the
/// functions exact on them ([`keeps_floats`]). Values outside the domain are
/// errors.
pub(crate) fn fold(f: Func, n: &Num) -> Result<Option<Num>> {
    if f == Func::Log && !n.is_negative() && n.is_zero() {
        return Err(Error::Domain("log(0) is undefined (it is −∞)".into()));
    }
    if f == Func::Log && n.is_negative() {
        return Err(Error::Domain(format!(
            "log of a negative number ({n}) is not real"
        )));
    }
    if f == Func::Log1p && n.to_f64() <= -1.0 && !matches!(n, Num::Float(_)) {
        return Err(Error::Domain(format!(
            "log1p is real only above −1 (got {n})"
        )));
    }
    let past_one = |r: &crate::Rat| r.numer().magnitude() > r.denom().magnitude();
    if matches!((f, n), (Func::Asin | Func::Acos, Num::Rat(r)) if past_one(r)) {
        return Err(Error::Domain(format!(
            "{} is real only on [−1, 1] (got {n})",
            f.name()
        )));
    }
    let exact = match n {
        Num::Float(x) if keeps_floats(f) => return Ok(Some(Num::Float(fold_f64(f, *x)))),
        Num::Float(_) => return Ok(None),
        Num::Rat(_) => n,
    };
    Ok(match f {
        Func::Exp | Func::Tanh if exact.is_zero() => Some(if f == Func::Exp {
            Num::one()
        } else {
            Num::zero()
        }),
        Func::Log if exact.is_one() => Some(Num::zero()),
        Func::Sin
        | Func::Log1p
        | Func::Expm1
        | Func::Erf
        | Func::Tan
        | Func::Atan
        | Func::Asin
        | Func::Sinh
            if exact.is_zero() =>
        {
            Some(Num::zero())
        }
        Func::Cos | Func::Cosh if exact.is_zero() => Some(Num::one()),
        Func::Acos if exact.is_one() => Some(Num::zero()),
        Func::Sigmoid if exact.is_zero() => Num::ratio(1.into(), 2.into()).ok(),
        Func::Abs => Some(if exact.is_negative() {
            exact.neg()
        } else {
            exact.clone()
        }),
        Func::Relu => Some(if exact.is_negative() {
            Num::zero()
        } else {
            exact.clone()
        }),
        Func::Sign => Some(Num::int(match (exact.is_zero(), exact.is_negative()) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        })),
        Func::Step => Some(Num::int(i64::from(
            !exact.is_zero() && !exact.is_negative(),
        ))),
        _ => None,
    })
}

/// True for the functions whose value at a float is exact (a sign, a
/// maximum): those fold floats on construction.
pub(crate) fn keeps_floats(f: Func) -> bool {
    matches!(f, Func::Abs | Func::Relu | Func::Sign | Func::Step)
}

/// A gated product, `gate⋅product`, where `gate` is the product of the
/// gates `step(u)` of a product and `product` that of its other factors: a
/// gate of 0 makes it 0 whatever the others are (infinite, or 0 times
/// infinite), since it is a derivative through a `relu` that is flat there
/// (`diff(sqrt(relu(u)), u)` is `step(u)/(2⋅√relu(u))`, 0 for u ≤ 0, as
/// JAX's `where` gives it), unless one of them is NaN itself (`any_nan`).
pub(crate) fn gated(product: f64, gate: f64, any_nan: bool) -> f64 {
    if gate == 0.0 && !any_nan {
        0.0
    } else {
        product * gate
    }
}

/// `f(x)` in floating point, computed stably.
pub fn fold_f64(f: Func, x: f64) -> f64 {
    match f {
        Func::Exp => x.exp(),
        Func::Log => x.ln(),
        Func::Abs => x.abs(),
        Func::Tanh => x.tanh(),
        Func::Sigmoid => {
            if x >= 0.0 {
                1.0 / (1.0 + (-x).exp())
            } else {
                let e = x.exp();
                e / (1.0 + e)
            }
        }
        Func::Softplus => x.max(0.0) + (-x.abs()).exp().ln_1p(),
        Func::Relu => x.max(0.0),
        Func::Sign if x.is_nan() => x,
        Func::Sign if x == 0.0 => 0.0,
        Func::Sign => x.signum(),
        Func::Step if x.is_nan() => x,
        Func::Step => f64::from(u8::from(x > 0.0)),
        Func::Sin => x.sin(),
        Func::Cos => x.cos(),
        Func::Log1p => x.ln_1p(),
        Func::Expm1 => x.exp_m1(),
        Func::Erf => libm::erf(x),
        Func::Tan => x.tan(),
        Func::Atan => x.atan(),
        Func::Asin => x.asin(),
        Func::Acos => x.acos(),
        Func::Sinh => x.sinh(),
        Func::Cosh => x.cosh(),
    }
}
