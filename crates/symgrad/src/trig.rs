//! The Pythagorean identity for `simplify`: `c⋅sin²(a) + c⋅cos²(a)` is `c`.

use crate::error::Result;
use crate::expr::{ExprId, Func, Node, Pool};
use crate::simplify::merge_pair;

impl Pool {
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
