//! Trigonometry: exact values at rational multiples of π on construction
//! (`sin(π) = 0`, `cos(π/6) = √3/2`, `tan(π/12) = 2 − √3`, as SymPy gives
//! them), the inverse functions at those values (`asin(√2/2) = π/4`), and
//! the Pythagorean identities for `simplify`: `c⋅sin²(a) + c⋅cos²(a)` and
//! `c⋅cosh²(a) − c⋅sinh²(a)` are `c`.

use crate::error::Result;
use crate::expr::{Constant, ExprId, Func, Node, Pool};
use crate::num::Num;
use crate::rat::Rat;
use crate::simplify::merge_pair;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::ToPrimitive;

/// A term `(p, q, n)` of an exact value: `(p/q)⋅√n` (`n = 1`: rational).
type RootTerm = (i64, i64, i64);

/// An exact value: a sum of [`RootTerm`]s, or the square root of one
/// (`cos(π/8) = √(1/2 + √2/4)`).
#[derive(Clone, Copy)]
enum Exact {
    Sum(&'static [RootTerm]),
    Root(&'static [RootTerm]),
}
use Exact::{Root, Sum};

/// Exact values at `a⋅π/b`, as `(a, b)` and the value.
type Table = [((i64, i64), Exact)];

/// `cos(a⋅π/b)` for `a/b` in [0, ½] where SymPy gives it in square roots.
const COS_AT_PI: &Table = &[
    ((0, 1), Sum(&[(1, 1, 1)])),
    ((1, 12), Sum(&[(1, 4, 6), (1, 4, 2)])),
    ((1, 10), Root(&[(5, 8, 1), (1, 8, 5)])),
    ((1, 8), Root(&[(1, 2, 1), (1, 4, 2)])),
    ((1, 6), Sum(&[(1, 2, 3)])),
    ((1, 5), Sum(&[(1, 4, 1), (1, 4, 5)])),
    ((1, 4), Sum(&[(1, 2, 2)])),
    ((3, 10), Root(&[(5, 8, 1), (-1, 8, 5)])),
    ((1, 3), Sum(&[(1, 2, 1)])),
    ((3, 8), Root(&[(1, 2, 1), (-1, 4, 2)])),
    ((2, 5), Sum(&[(-1, 4, 1), (1, 4, 5)])),
    ((5, 12), Sum(&[(1, 4, 6), (-1, 4, 2)])),
    ((1, 2), Sum(&[])),
];

/// `tan(a⋅π/b)` for `a/b` in [0, ½) where SymPy gives it in square roots.
const TAN_AT_PI: &Table = &[
    ((0, 1), Sum(&[])),
    ((1, 12), Sum(&[(2, 1, 1), (-1, 1, 3)])),
    ((1, 10), Root(&[(1, 1, 1), (-2, 5, 5)])),
    ((1, 8), Sum(&[(-1, 1, 1), (1, 1, 2)])),
    ((1, 6), Sum(&[(1, 3, 3)])),
    ((1, 5), Root(&[(5, 1, 1), (-2, 1, 5)])),
    ((1, 4), Sum(&[(1, 1, 1)])),
    ((3, 10), Root(&[(1, 1, 1), (2, 5, 5)])),
    ((1, 3), Sum(&[(1, 1, 3)])),
    ((3, 8), Sum(&[(1, 1, 1), (1, 1, 2)])),
    ((2, 5), Root(&[(5, 1, 1), (2, 1, 5)])),
    ((5, 12), Sum(&[(2, 1, 1), (1, 1, 3)])),
];

impl Pool {
    /// `sin(x)`, `cos(x)` or `tan(x)` for `x` a rational multiple of π
    /// whose value is in [`COS_AT_PI`] or [`TAN_AT_PI`] (reduced by their
    /// symmetries, and `sin(x) = cos(π/2 − x)`); `None` for any other
    /// function or argument; an error for `tan` where cos is 0.
    pub(crate) fn trig_at_pi(&mut self, f: Func, x: ExprId) -> Result<Option<ExprId>> {
        let q = match self.node(x) {
            Node::Const(Constant::Pi) => Rat::int(1),
            Node::Mul(fs) if fs.len() == 2 && *self.node(fs[1]) == Node::Const(Constant::Pi) => {
                match self.as_num(fs[0]) {
                    Some(Num::Rat(q)) => q.clone(),
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        let (n, d) = match f {
            Func::Cos => (q.numer(), q.denom()),
            Func::Sin => {
                let q = Rat::new(BigInt::from(1), BigInt::from(2)).add(&q.neg());
                (q.numer(), q.denom())
            }
            // tan(q⋅π) with q = n/d: periodic in 1, and odd.
            Func::Tan => {
                let (n, d) = (q.numer().mod_floor(&q.denom()), q.denom());
                if &n * 2 == d {
                    return Err(crate::Error::Domain(
                        "tan is undefined at odd multiples of π/2 (cos is 0 there)".into(),
                    ));
                }
                let negate = &n * 2 > d;
                let n = if negate { &d - n } else { n };
                return self.value_at(TAN_AT_PI, &n, &d, negate);
            }
            _ => return Ok(None),
        };
        // cos(q⋅π) with q = n/d: periodic in 2, even, and cos(π − y) = −cos(y).
        let mut n = n.mod_floor(&(&d * 2));
        if n > d {
            n = &d * 2 - n;
        }
        let negate = &n * 2 > d;
        if negate {
            n = &d - n;
        }
        self.value_at(COS_AT_PI, &n, &d, negate)
    }

    /// The value in `table` at `(n/d)⋅π`, negated when `negate`.
    fn value_at(
        &mut self,
        table: &Table,
        n: &BigInt,
        d: &BigInt,
        negate: bool,
    ) -> Result<Option<ExprId>> {
        let g = n.gcd(d);
        let key = ((n / &g).to_i64(), (d / &g).to_i64());
        match table.iter().find(|((a, b), _)| key == (Some(*a), Some(*b))) {
            Some(&(_, value)) => self.exact(value, negate).map(Some),
            None => Ok(None),
        }
    }

    /// `value`, negated when `negate`.
    fn exact(&mut self, value: Exact, negate: bool) -> Result<ExprId> {
        match value {
            Sum(terms) => self.root_sum(terms, negate),
            Root(terms) => {
                let (inside, half) = (self.root_sum(terms, false)?, self.rational(1, 2)?);
                let root = self.pow(inside, half)?;
                if negate { self.neg(root) } else { Ok(root) }
            }
        }
    }

    /// The sum of `terms`, negated when `negate`.
    fn root_sum(&mut self, terms: &[RootTerm], negate: bool) -> Result<ExprId> {
        let half = self.rational(1, 2)?;
        let mut parts = Vec::with_capacity(terms.len());
        for &(p, q, r) in terms {
            let p = if negate { -p } else { p };
            let c = self.rational(p, q)?;
            let root = match r {
                1 => self.int(1)?,
                _ => {
                    let r = self.int(r)?;
                    self.pow(r, half)?
                }
            };
            parts.push(self.mul(&[c, root])?);
        }
        match parts.as_slice() {
            [] => self.int(0),
            _ => self.add(&parts),
        }
    }

    /// `asin(x)`, `acos(x)` or `atan(x)` where `x` is, up to its sign, an
    /// exact value of sin, cos or tan in the tables: `asin(√3/2) = π/3`,
    /// `acos(−½) = 2π/3`, `atan(2 − √3) = π/12`. `None` otherwise.
    pub(crate) fn inverse_trig_at(&mut self, f: Func, x: ExprId) -> Result<Option<ExprId>> {
        if !self.is_root_number(x, 6) {
            return Ok(None);
        }
        let table = if f == Func::Atan {
            TAN_AT_PI
        } else {
            COS_AT_PI
        };
        for &((a, b), value) in table {
            for negate in [false, true] {
                if self.exact(value, negate)? != x {
                    continue;
                }
                // The angle as a multiple of π: cos(rπ) = sin((½ − r)π),
                // asin and atan are odd, and acos(−y) = π − acos(y).
                let r = Rat::new(BigInt::from(a), BigInt::from(b));
                let half = Rat::new(BigInt::from(1), BigInt::from(2));
                let q = match (f, negate) {
                    (Func::Acos, false) => r,
                    (Func::Acos, true) => Rat::int(1).add(&r.neg()),
                    (Func::Asin, false) => half.add(&r.neg()),
                    (Func::Asin, true) => r.add(&half.neg()),
                    (_, false) => r,
                    (_, true) => r.neg(),
                };
                let (pi, q) = (self.constant(Constant::Pi)?, self.num(Num::Rat(q))?);
                return self.mul(&[q, pi]).map(Some);
            }
        }
        Ok(None)
    }

    /// True for a number written with rationals and powers of them, in
    /// sums and products at most `depth` deep (`2 − √3`, `√6/4`).
    fn is_root_number(&self, x: ExprId, depth: usize) -> bool {
        match self.node(x) {
            Node::Num(n) => n.is_exact(),
            Node::Pow(b, e) => {
                depth > 0 && self.is_root_number(*b, depth - 1) && self.as_num(*e).is_some()
            }
            Node::Add(xs) | Node::Mul(xs) => {
                depth > 0 && xs.iter().all(|&y| self.is_root_number(y, depth - 1))
            }
            _ => false,
        }
    }

    /// A sum with a pair of terms `c⋅sin²(a)` and `c⋅cos²(a)` (the same
    /// factors `c`, possibly none), or `c⋅cosh²(a)` and `−c⋅sinh²(a)`,
    /// replaced by `c`.
    pub(crate) fn pythagorean(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let pairs = [
            (Func::Sin, Func::Cos, false),
            (Func::Cosh, Func::Sinh, true),
        ];
        // sin²(A) + cos²(A) of a matrix A is a matrix of ones, not 1.
        let whole = |p: &Pool, c: ExprId, t: ExprId| p.shape(c) == p.shape(t);
        let Some((terms, pair, _, c)) = self.powered_pair(id, 2, &pairs, whole)? else {
            return Ok(None);
        };
        self.add(&merge_pair(&terms, pair, c)).map(Some)
    }

    /// The double angles: a product with factors `sin(a)` and `cos(a)` as
    /// `sin(2⋅a)/2`, and a sum with terms `c⋅cos²(a)` and `−c⋅sin²(a)`, or
    /// `c⋅cos⁴(a)` and `−c⋅sin⁴(a)`, as `c⋅cos(2⋅a)`: `2⋅sin(x)⋅cos(x)` is
    /// `sin(2⋅x)` and `sin⁴(x) − cos⁴(x)` is `−cos(2⋅x)`, as SymPy's
    /// simplify gives.
    pub(crate) fn double_angle(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        if let Node::Mul(fs) = self.node(id) {
            let fs = fs.clone();
            let arg = |p: &Pool, f: ExprId, g: Func| match *p.node(f) {
                Node::Apply(h, a) if h == g => Some(a),
                _ => None,
            };
            for (i, &s) in fs.iter().enumerate() {
                let Some(a) = arg(self, s, Func::Sin) else {
                    continue;
                };
                let Some(j) = fs.iter().position(|&c| arg(self, c, Func::Cos) == Some(a)) else {
                    continue;
                };
                let sine = self.of_double(Func::Sin, a)?;
                let half = self.rational(1, 2)?;
                let rest = merge_pair(&fs, (i, j), sine);
                return self.mul(&[&rest[..], &[half]].concat()).map(Some);
            }
            return Ok(None);
        }
        // cos⁴(a) − sin⁴(a) is (cos²(a) − sin²(a))⋅(cos²(a) + sin²(a)), the
        // same double angle (elementwise on matrices too).
        let any = |_: &Pool, _: ExprId, _: ExprId| true;
        let pairs = [(Func::Cos, Func::Sin, true)];
        let mut found = None;
        for n in [2, 4] {
            found = self.powered_pair(id, n, &pairs, any)?;
            if found.is_some() {
                break;
            }
        }
        let Some((terms, pair, a, c)) = found else {
            return Ok(None);
        };
        let cosine = self.of_double(Func::Cos, a)?;
        let term = self.mul(&[c, cosine])?;
        self.add(&merge_pair(&terms, pair, term)).map(Some)
    }

    /// In a sum, the first pair of terms `c⋅fⁿ(a)` and `±c⋅gⁿ(a)` for one
    /// `(f, g, opposite)` of `pairs` (`−` when `opposite`), with
    /// `whole(c, term)`: the terms, the pair's places, `a` and `c`.
    #[allow(clippy::type_complexity)]
    fn powered_pair(
        &mut self,
        id: ExprId,
        n: i64,
        pairs: &[(Func, Func, bool)],
        whole: impl Fn(&Pool, ExprId, ExprId) -> bool,
    ) -> Result<Option<(Vec<ExprId>, (usize, usize), ExprId, ExprId)>> {
        let Node::Add(_) = self.node(id) else {
            return Ok(None);
        };
        let terms = self.terms_as_shown(id);
        let split: Vec<_> = terms.iter().map(|&t| self.powered_trig(t, n)).collect();
        for (i, first) in split.iter().enumerate() {
            let Some((h, a, c)) = first else {
                continue;
            };
            let Some(&(_, g, opposite)) = pairs.iter().find(|(f, ..)| f == h) else {
                continue;
            };
            let c = self.product_or_one(c)?;
            if !whole(self, c, terms[i]) {
                continue;
            }
            for (j, second) in split.iter().enumerate() {
                let Some((k, b, d)) = second else {
                    continue;
                };
                if *k != g || b != a {
                    continue;
                }
                let d = self.product_or_one(d)?;
                let d = if opposite { self.neg(d)? } else { d };
                if d == c {
                    return Ok(Some((terms, (i, j), *a, c)));
                }
            }
        }
        Ok(None)
    }

    /// `f(2⋅a)`.
    fn of_double(&mut self, f: Func, a: ExprId) -> Result<ExprId> {
        let two = self.int(2)?;
        let two_a = self.mul(&[two, a])?;
        self.apply(f, two_a)
    }

    /// A product with factors `sin(a)^p` and `cos(a)^−p` (`p` an integer)
    /// written `tan(a)^p`, or `sinh(a)^p` and `cosh(a)^−p` written
    /// `tanh(a)^p`: `sin(x)/cos(x)` is `tan(x)`, as SymPy's simplify gives.
    pub(crate) fn as_tangent(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let Node::Mul(fs) = self.node(id) else {
            return Ok(None);
        };
        let fs = fs.clone();
        // (function, argument, exponent) of each factor.
        let powers: Vec<_> = fs
            .iter()
            .map(|&f| match *self.node(f) {
                Node::Apply(g, a) => Some((g, a, None)),
                Node::Pow(b, e) => match *self.node(b) {
                    Node::Apply(g, a) if self.as_num(e).is_some_and(Num::is_integer) => {
                        Some((g, a, Some(e)))
                    }
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for (i, first) in powers.iter().enumerate() {
            let Some((f @ (Func::Sin | Func::Sinh), a, p)) = *first else {
                continue;
            };
            let (over, tan) = match f {
                Func::Sin => (Func::Cos, Func::Tan),
                _ => (Func::Cosh, Func::Tanh),
            };
            let p = match p {
                Some(p) => p,
                None => self.int(1)?,
            };
            let minus_p = self.neg(p)?;
            let j = powers.iter().position(|second| {
                matches!(*second, Some((g, b, Some(q))) if g == over && b == a && q == minus_p)
            });
            let Some(j) = j else {
                continue;
            };
            let t = self.apply(tan, a)?;
            let t = self.pow(t, p)?;
            // And the other pairs (one fewer factor each time).
            let e = self.mul(&merge_pair(&fs, (i, j), t))?;
            return Ok(Some(self.as_tangent(e)?.unwrap_or(e)));
        }
        Ok(None)
    }

    /// The product of `factors`, 1 for none.
    fn product_or_one(&mut self, factors: &[ExprId]) -> Result<ExprId> {
        if factors.is_empty() {
            self.int(1)
        } else {
            self.mul(factors)
        }
    }

    /// `(f, a, c)` for a term `c⋅fⁿ(a)` with `f` sin, cos, sinh or cosh,
    /// with the factors `c` in a canonical order.
    fn powered_trig(&self, t: ExprId, n: i64) -> Option<(Func, ExprId, Vec<ExprId>)> {
        let factors = match self.node(t) {
            Node::Mul(fs) => fs.clone(),
            _ => vec![t],
        };
        factors.iter().enumerate().find_map(|(k, &f)| {
            let Node::Pow(b, e) = *self.node(f) else {
                return None;
            };
            let Node::Apply(func @ (Func::Sin | Func::Cos | Func::Sinh | Func::Cosh), a) =
                *self.node(b)
            else {
                return None;
            };
            if !self.is_int(e, n) {
                return None;
            }
            let mut c = factors.clone();
            c.remove(k);
            c.sort();
            Some((func, a, c))
        })
    }
}
