//! Trigonometry: exact values at rational multiples of π on construction
//! (`sin(π) = 0`, `cos(π/6) = √3/2`, as SymPy gives them), and the
//! Pythagorean identity for `simplify`: `c⋅sin²(a) + c⋅cos²(a)` is `c`.

use crate::error::Result;
use crate::expr::{Constant, ExprId, Func, Node, Pool};
use crate::rat::Rat;
use crate::simplify::merge_pair;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::ToPrimitive;

/// A term `(p, q, n)` of an exact value: `(p/q)⋅√n` (`n = 1`: rational).
type RootTerm = (i64, i64, i64);

/// `cos(a⋅π/b)` for `a/b` in [0, ½] where it is a sum of square roots, as
/// `(a, b)` and its terms.
const COS_AT_PI: [((i64, i64), &[RootTerm]); 9] = [
    ((0, 1), &[(1, 1, 1)]),
    ((1, 12), &[(1, 4, 6), (1, 4, 2)]),
    ((1, 6), &[(1, 2, 3)]),
    ((1, 5), &[(1, 4, 1), (1, 4, 5)]),
    ((1, 4), &[(1, 2, 2)]),
    ((1, 3), &[(1, 2, 1)]),
    ((2, 5), &[(-1, 4, 1), (1, 4, 5)]),
    ((5, 12), &[(1, 4, 6), (-1, 4, 2)]),
    ((1, 2), &[]),
];

impl Pool {
    /// `sin(x)` or `cos(x)` for `x` a rational multiple of π whose value is
    /// in [`COS_AT_PI`] (reduced by the symmetries of cos, and `sin(x) =
    /// cos(π/2 − x)`); `None` for any other function or argument.
    pub(crate) fn trig_at_pi(&mut self, f: Func, x: ExprId) -> Result<Option<ExprId>> {
        let q = match self.node(x) {
            Node::Const(Constant::Pi) => Rat::int(1),
            Node::Mul(fs) if fs.len() == 2 && *self.node(fs[1]) == Node::Const(Constant::Pi) => {
                match self.as_num(fs[0]) {
                    Some(crate::Num::Rat(q)) => q.clone(),
                    _ => return Ok(None),
                }
            }
            _ => return Ok(None),
        };
        let q = match f {
            Func::Cos => q,
            Func::Sin => Rat::new(BigInt::from(1), BigInt::from(2)).add(&q.neg()),
            _ => return Ok(None),
        };
        // cos(q⋅π) with q = n/d: periodic in 2, even, and cos(π − y) = −cos(y).
        let (n, d) = (q.numer(), q.denom());
        let mut n = n.mod_floor(&(&d * 2));
        if n > d {
            n = &d * 2 - n;
        }
        let negate = &n * 2 > d;
        if negate {
            n = &d - n;
        }
        let g = n.gcd(&d);
        let key = ((&n / &g).to_i64(), (&d / &g).to_i64());
        let Some((_, terms)) = COS_AT_PI
            .iter()
            .find(|((a, b), _)| key == (Some(*a), Some(*b)))
        else {
            return Ok(None);
        };
        let half = self.rational(1, 2)?;
        let mut parts = Vec::with_capacity(terms.len());
        for &(p, q, r) in terms.iter() {
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
            [] => self.int(0).map(Some),
            _ => self.add(&parts).map(Some),
        }
    }

    /// A sum with a pair of terms `c⋅sin²(a)` and `c⋅cos²(a)` (the same
    /// factors `c`, possibly none) replaced by `c`.
    pub(crate) fn pythagorean(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let Node::Add(_) = self.node(id) else {
            return Ok(None);
        };
        let terms = self.terms_as_shown(id);
        let split: Vec<_> = terms.iter().map(|&t| self.squared_trig(t)).collect();
        for (i, sin) in split.iter().enumerate() {
            let Some((Func::Sin, a, c)) = sin else {
                continue;
            };
            let cos = split
                .iter()
                .position(|t| matches!(t, Some((Func::Cos, b, d)) if b == a && d == c));
            let Some(j) = cos else {
                continue;
            };
            let c = if c.is_empty() {
                self.int(1)?
            } else {
                self.mul(c)?
            };
            // sin²(A) + cos²(A) of a matrix A is a matrix of ones, not 1.
            if self.shape(c) != self.shape(terms[i]) {
                continue;
            }
            return self.add(&merge_pair(&terms, (i, j), c)).map(Some);
        }
        Ok(None)
    }

    /// `(sin or cos, a, c)` for a term `c⋅sin²(a)` or `c⋅cos²(a)`, with the
    /// factors `c` in a canonical order.
    fn squared_trig(&self, t: ExprId) -> Option<(Func, ExprId, Vec<ExprId>)> {
        let factors = match self.node(t) {
            Node::Mul(fs) => fs.clone(),
            _ => vec![t],
        };
        factors.iter().enumerate().find_map(|(k, &f)| {
            let Node::Pow(b, e) = *self.node(f) else {
                return None;
            };
            let Node::Apply(func @ (Func::Sin | Func::Cos), a) = *self.node(b) else {
                return None;
            };
            if !self.is_int(e, 2) {
                return None;
            }
            let mut c = factors.clone();
            c.remove(k);
            c.sort();
            Some((func, a, c))
        })
    }
}
