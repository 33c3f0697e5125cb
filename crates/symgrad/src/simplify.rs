//! Rewriting passes: the sigmoid forms (which are also the numerically
//! stable ones), `expand`, and `simplify`, which keeps the smallest of a few
//! candidate forms.

use crate::{Axis, DenseData, ExprId, Func, Node, Num, Pool, Reduction, Result};
use indexmap::IndexMap;

/// A rewrite of one node: its new form, or `None` to leave it.
type Rule = fn(&mut Pool, ExprId) -> Result<Option<ExprId>>;

/// `expand` multiplies out a product or power only when that gives at most
/// this many terms.
const MAX_EXPANDED_TERMS: usize = 256;

/// How far `expand` goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expansion {
    /// As the user asked: matrix products too, and an error when too large.
    Strict,
    /// Inside `simplify`: elementwise only, leaving alone what is too large.
    Elementwise,
}

/// A term of a sum as `(coefficient, the rest, the term)`: `3⋅x` is
/// `(3, x, 3⋅x)`, `x` is `(1, x, x)`.
type Term = (Num, ExprId, ExprId);

/// Where each rest of [`Term`]s is among the terms of a sum (and each
/// factor `a` of a product `y⋅a` by a data matrix `y`).
type TermIndex = rustc_hash::FxHashMap<ExprId, Vec<usize>>;

/// Sums of more terms than this are left as they are by the numeric
/// form's pair merges (which look at each term once).
const MAX_MERGED_TERMS: usize = 4096;

impl Pool {
    /// The sigmoid forms: `1/(1 + ℯᵃ)` is `σ(−a)`, `ℯᵃ⋅σ(−a)` is `σ(a)`,
    /// `log(σ(a))` is `−softplus(−a)`, `log(1 − σ(a))` is `−softplus(a)`,
    /// `log(1 + ℯᵃ)` is `softplus(a)`, `log(softmax(a))` is
    /// `a − logsumexp(a)` and `log(sum(exp(a)))` is `logsumexp(a)`. The
    /// result means the same and evaluates without overflow.
    pub fn stabilise(&mut self, e: ExprId) -> Result<ExprId> {
        self.rewrite(e, |p, id| p.stable_form(id))
    }

    /// The form numbers are computed from (compiled and register programs,
    /// exported code): [`Pool::stabilise`], and then, in one pass, the forms
    /// that keep their relative accuracy where a difference would cancel:
    /// `1 − σ(a)` as `σ(−a)` and `1 − tanh(a)²` as `4⋅σ(2a)⋅σ(−2a)`
    /// ([`Pool::stable_complement`]), the logistic loss as a sum of
    /// softpluses ([`Pool::logistic_terms`]), and an element of a
    /// log-softmax as one logsumexp ([`Pool::log_softmax_elements`]).
    /// Printed forms keep the textbook `(1 − σ(z))⋅σ(z)`.
    pub fn numeric_form(&mut self, e: ExprId) -> Result<ExprId> {
        let stable = self.stabilise(e)?;
        self.rewrite(stable, |p, id| {
            let mut out = None;
            for rule in [
                Pool::stable_complement,
                Pool::logistic_terms,
                Pool::log_softmax_elements,
            ] {
                if let Some(x) = rule(p, out.unwrap_or(id))? {
                    out = Some(x);
                }
            }
            Ok(out)
        })
    }

    /// `expand(e)`: products and integer powers of sums multiplied out,
    /// matrix products distributed over sums. A product or power that would
    /// give more than [`MAX_EXPANDED_TERMS`] terms is an error saying so.
    pub fn expand(&mut self, e: ExprId) -> Result<ExprId> {
        self.rewrite(e, |p, id| p.expanded_form(id, Expansion::Strict))
    }

    /// `expand` without distributing matrix products, which keeps the
    /// textbook `(σ(z) − y)⋅X` whole, and leaving alone what would be too large.
    fn expand_elementwise(&mut self, e: ExprId) -> Result<ExprId> {
        self.rewrite(e, |p, id| p.expanded_form(id, Expansion::Elementwise))
    }

    /// `simplify(e)`: the smallest (by [`Pool::size`]) of `e` and a few
    /// rewritten forms of it: `tanh` and `softmax` recognised where written
    /// out, `sin² + cos²` as 1, `sin/cos` as `tan`, the double angles,
    /// rational quotients of logarithms, rational functions cancelled, its
    /// sigmoid form, and that form
    /// expanded with `σ(−a)` written `1 − σ(a)`, each with common matrix
    /// factors taken out. Never larger than `e`; each pass is one bounded
    /// bottom-up rewrite.
    pub fn simplify(&mut self, e: ExprId) -> Result<ExprId> {
        let recognised = self.rewrite(e, |p, id| p.recognised_form(id))?;
        let recognised = self.rewrite(recognised, |p, id| {
            let rules: [Rule; 8] = [
                Pool::pythagorean,
                Pool::double_angle,
                Pool::as_tangent,
                Pool::number_into_power,
                Pool::rational_log_quotient,
                Pool::logistic_tanh,
                Pool::hyperbolic_exps,
                Pool::tanh_squared_and_cosh,
            ];
            for rule in rules {
                if let Some(e) = rule(p, id)? {
                    return Ok(Some(e));
                }
            }
            Ok(None)
        })?;
        let cancelled = self.rewrite(recognised, |p, id| p.smaller_cancelled(id))?;
        let stable = self.stabilise(cancelled)?;
        let complemented = self.rewrite(stable, |p, id| p.complement_form(id))?;
        let expanded = self.expand_elementwise(complemented)?;
        let expanded_stable = self.expand_elementwise(stable)?;
        let (mut best, mut best_size) = (e, self.size(e));
        // Most passes change nothing: each distinct form is tried once.
        let (mut tried, mut seen) = (Vec::new(), vec![e]);
        for c in [recognised, cancelled, stable, expanded, expanded_stable] {
            if tried.contains(&c) {
                continue;
            }
            tried.push(c);
            let factored = self.rewrite(c, |p, id| p.factored_form(id))?;
            let combined = self.rewrite(factored, |p, id| p.combined_logs(id))?;
            for c in [c, factored, combined] {
                if seen.contains(&c) {
                    continue;
                }
                seen.push(c);
                let size = self.size(c);
                if size < best_size {
                    (best, best_size) = (c, size);
                }
            }
        }
        Ok(best)
    }

    /// A product of a number `c` and `bᵏ⁺ᵉ`, `b` a positive integer and `k`
    /// an integer (|k| ≤ 64), written `(c⋅bᵏ)⋅bᵉ`: `2^(x + 2)/4` is `2ˣ`,
    /// as SymPy's simplify gives.
    fn number_into_power(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let Node::Mul(fs) = self.node(id) else {
            return Ok(None);
        };
        let fs = fs.clone();
        let Some(c) = fs.iter().position(|&f| self.as_num(f).is_some()) else {
            return Ok(None);
        };
        let small_integer = |n: &Num| n.is_integer() && n.is_small() && n.to_f64().abs() <= 64.0;
        for (i, &f) in fs.iter().enumerate() {
            let Node::Pow(b, e) = *self.node(f) else {
                continue;
            };
            let (Some(base), Node::Add(ts)) = (self.as_num(b), self.node(e)) else {
                continue;
            };
            // Not 0: 0^(x + 2) is not 0⋅0^x where x + 2 < 0.
            if !base.is_integer() || base.is_negative() || base.is_zero() || !base.is_small() {
                continue;
            }
            let ts = ts.clone();
            let Some(k) = ts
                .iter()
                .position(|&t| self.as_num(t).is_some_and(small_integer))
            else {
                continue;
            };
            let rest = self.add(&without(&ts, k))?;
            let bk = self.pow(b, ts[k])?;
            let mut factors = fs.clone();
            factors[c] = self.mul(&[fs[c], bk])?;
            factors[i] = self.pow(b, rest)?;
            return self.mul(&factors).map(Some);
        }
        Ok(None)
    }

    /// A product with factors `log(a)` and `1/log(b)` of numbers whose
    /// quotient is rational, that number: `log(9)/log(3)` is 2, as SymPy's
    /// simplify gives (`log(9, 3)` is 2 as it is built).
    fn rational_log_quotient(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let Node::Mul(fs) = self.node(id) else {
            return Ok(None);
        };
        let fs = fs.clone();
        let log_of = |p: &Pool, f: ExprId| match *p.node(f) {
            Node::Apply(Func::Log, a) => match p.as_num(a) {
                Some(Num::Rat(r)) => Some(r.clone()),
                _ => None,
            },
            _ => None,
        };
        for (i, &n) in fs.iter().enumerate() {
            let Some(a) = log_of(self, n) else {
                continue;
            };
            for (j, &d) in fs.iter().enumerate() {
                let Node::Pow(l, e) = *self.node(d) else {
                    continue;
                };
                let Some(b) = log_of(self, l).filter(|_| self.is_int(e, -1)) else {
                    continue;
                };
                if let Some(r) = crate::radical::exact_log(&a, &b) {
                    let r = self.num(Num::Rat(r))?;
                    return self.mul(&merge_pair(&fs, (i, j), r)).map(Some);
                }
            }
        }
        Ok(None)
    }

    /// A scalar rational function with its common factors cancelled, when
    /// that is smaller.
    fn smaller_cancelled(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        if !matches!(self.node(id), Node::Add(_) | Node::Mul(_)) {
            return Ok(None);
        }
        Ok(self
            .cancelled(id)?
            .filter(|&c| self.size(c) < self.size(id)))
    }

    /// `tanh` and `softmax` where they are written out:
    /// `(ℯᵃ − ℯ⁻ᵃ)/(ℯᵃ + ℯ⁻ᵃ)` and `(ℯ²ᵃ − 1)/(ℯ²ᵃ + 1)` are `tanh(a)`,
    /// `ℯᶻ/sum(ℯᶻ)` is `softmax(z)`.
    fn recognised_form(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        if let Node::Reduce(Reduction::Sum, _, m) = *self.node(id) {
            return self.inner_product(id, m);
        }
        if let Node::Apply(Func::Exp, arg) = *self.node(id) {
            return self.stable_softmax_element(arg);
        }
        let Node::Mul(fs) = self.node(id).clone() else {
            return Ok(None);
        };
        for (j, &d) in fs.iter().enumerate() {
            let Node::Pow(den, m) = *self.node(d) else {
                continue;
            };
            if !self.is_int(m, -1) {
                continue;
            }
            for (i, &n) in fs.iter().enumerate() {
                if i == j {
                    continue;
                }
                let Some(r) = self.quotient_form(n, den)? else {
                    continue;
                };
                return self.mul(&merge_pair(&fs, (i, j), r)).map(Some);
            }
        }
        Ok(None)
    }

    /// A scalar `sum(u∘v)` of two vectors of one shape as the matrix
    /// product `vᵀ⋅u` (of their columns): `sum(cᵀ∘yᵀ, 2)` is `yᵀ⋅c`. Not
    /// where u or v is a gate, which a matrix product would not keep.
    fn inner_product(&mut self, id: ExprId, m: ExprId) -> Result<Option<ExprId>> {
        let Node::Mul(fs) = self.node(m).clone() else {
            return Ok(None);
        };
        let shape = self.shape(m);
        let vector = (shape.rows == 1) != (shape.cols == 1);
        if !self.shape(id).is_scalar()
            || !vector
            || fs.len() != 2
            || fs
                .iter()
                .any(|&f| self.shape(f) != shape || self.is_gate(f))
        {
            return Ok(None);
        }
        let (mut u, mut v) = (fs[0], fs[1]);
        if shape.rows == 1 {
            (u, v) = (self.transpose(u)?, self.transpose(v)?);
        }
        let vt = self.transpose(v)?;
        self.matmul(vt, u).map(Some)
    }

    /// A single element of a softmax written out: `exp(z[i])/sum(exp(z))`
    /// is `softmax(z)[i]`, and `ℯ^aᵢ/(ℯ^a₀ + … + ℯ^aₘ)` of scalars is
    /// `softmax(a)[i]`, `a` the column of the `aₖ` in the order the sum
    /// shows them (as typed).
    fn softmax_element(&mut self, n: ExprId, d: ExprId) -> Result<Option<ExprId>> {
        let Node::Apply(Func::Exp, own) = *self.node(n) else {
            return Ok(None);
        };
        if !self.shape(n).is_scalar() {
            return Ok(None);
        }
        // ℯ^vᵢⱼ/sum(ℯ^v) over all of a matrix `v` (or along a vector).
        if let Node::Reduce(Reduction::Sum, Axis::All, s) = *self.node(d)
            && let Node::Apply(Func::Exp, v) = *self.node(s)
        {
            return self.element_of_softmax(v, own);
        }
        if !matches!(self.node(d), Node::Add(_)) {
            return Ok(None);
        }
        let terms = self.terms_as_shown(d);
        let Some(i) = terms.iter().position(|&t| t == n) else {
            return Ok(None);
        };
        let args: Option<Vec<ExprId>> = terms
            .iter()
            .map(|&t| match self.node(t) {
                Node::Apply(Func::Exp, a) => Some(*a),
                _ => None,
            })
            .collect();
        let Some(args) = args else {
            return Ok(None);
        };
        let shape = crate::Shape::new(args.len(), 1);
        let column = match self.symbol_of_elements(shape, &args) {
            Some(v) => v,
            None => self.matrix(shape, args)?,
        };
        let softmax = self.softmax(column, Axis::Cols)?;
        self.element_of(softmax, i, 0).map(Some)
    }

    /// The element of `softmax(v)` (over all of `v`) at the place where
    /// `v` holds `own`, if it does (small `v` only).
    fn element_of_softmax(&mut self, v: ExprId, own: ExprId) -> Result<Option<ExprId>> {
        let shape = self.shape(v);
        let v = match self.node(v) {
            Node::Matrix { entries, .. } => self
                .symbol_of_elements(shape, &entries.clone())
                .unwrap_or(v),
            _ => v,
        };
        if shape.len() > MAX_EXPANDED_TERMS {
            return Ok(None);
        }
        for i in 0..shape.rows {
            for j in 0..shape.cols {
                if self.element_of(v, i, j)? == own {
                    let axis = match shape {
                        _ if shape.cols == 1 => Axis::Cols,
                        _ if shape.rows == 1 => Axis::Rows,
                        _ => Axis::All,
                    };
                    let softmax = softmax_any(self, v, axis)?;
                    return self.element_of(softmax, i, j).map(Some);
                }
            }
        }
        Ok(None)
    }

    /// The matrix symbol whose elements, row by row, are `entries`, if
    /// there is one: `[z₀; z₁; z₂]` is `z`.
    pub(crate) fn symbol_of_elements(
        &self,
        shape: crate::Shape,
        entries: &[ExprId],
    ) -> Option<ExprId> {
        let Node::Element { symbol, .. } = *self.node(*entries.first()?) else {
            return None;
        };
        let same = self.shape(symbol) == shape
            && entries.iter().enumerate().all(|(k, &e)| {
                *self.node(e)
                    == Node::Element {
                        symbol,
                        row: k / shape.cols,
                        col: k % shape.cols,
                    }
            });
        same.then_some(symbol)
    }

    /// `ℯ^(aᵢ − log(ℯ^a₀ + … + ℯ^aₘ))` and `ℯ^(vᵢⱼ − logsumexp(v))`, the
    /// forms a derivative of `log(softmax(a)[i])` takes, are elements of a
    /// softmax (the sum is positive, so the quotient is the same).
    fn stable_softmax_element(&mut self, arg: ExprId) -> Result<Option<ExprId>> {
        let Node::Add(ts) = self.node(arg).clone() else {
            return Ok(None);
        };
        for (k, &t) in ts.iter().enumerate() {
            let Node::Mul(fs) = self.node(t).clone() else {
                continue;
            };
            let [c, l] = fs.as_slice() else {
                continue;
            };
            if !self.is_int(*c, -1) {
                continue;
            }
            let own = self.add(&without(&ts, k))?;
            let element = match *self.node(*l) {
                Node::Apply(Func::Log, total) => {
                    let numerator = self.apply(Func::Exp, own)?;
                    self.softmax_element(numerator, total)?
                }
                Node::Reduce(Reduction::LogSumExp, Axis::All, v) => {
                    self.element_of_softmax(v, own)?
                }
                _ => None,
            };
            if element.is_some() {
                return Ok(element);
            }
        }
        Ok(None)
    }

    /// The named function that `n/d` is, if it is one.
    fn quotient_form(&mut self, n: ExprId, d: ExprId) -> Result<Option<ExprId>> {
        // ℯᶻ/sum(ℯᶻ, axis) is a softmax.
        if let (&Node::Apply(Func::Exp, a), &Node::Reduce(Reduction::Sum, axis, s)) =
            (self.node(n), self.node(d))
            && s == n
        {
            let shape = self.shape(a);
            let axis = match axis {
                Axis::All if shape.cols == 1 => Axis::Cols,
                Axis::All if shape.rows == 1 => Axis::Rows,
                other => other,
            };
            return softmax_any(self, a, axis).map(Some);
        }
        if let Some(element) = self.softmax_element(n, d)? {
            return Ok(Some(element));
        }
        let (Node::Add(ns), Node::Add(ds)) = (self.node(n).clone(), self.node(d).clone()) else {
            return Ok(None);
        };
        if ns.len() != 2 || ds.len() != 2 {
            return Ok(None);
        }
        // The argument a of tanh(a) and the numerator that gives it, from
        // the denominator ℯᵖ + ℯ⁻ᵖ (a = p) or ℯᵇ + 1 (a = b/2).
        let exp_arg = |p: &Pool, x: ExprId| match p.node(x) {
            Node::Apply(Func::Exp, a) => Some(*a),
            _ => None,
        };
        let (a, plus, minus) = match (exp_arg(self, ds[0]), exp_arg(self, ds[1])) {
            (Some(p), Some(q)) => {
                let np = self.neg(p)?;
                if np != q {
                    return Ok(None);
                }
                (p, ds[0], ds[1])
            }
            (Some(b), None) | (None, Some(b)) => {
                let e = if exp_arg(self, ds[0]).is_some() {
                    ds[0]
                } else {
                    ds[1]
                };
                let other = if e == ds[0] { ds[1] } else { ds[0] };
                if !self.is_int(other, 1) {
                    return Ok(None);
                }
                let half = self.rational(1, 2)?;
                (self.mul(&[half, b])?, e, other)
            }
            (None, None) => return Ok(None),
        };
        let difference = self.sub(plus, minus)?;
        let t = self.apply(Func::Tanh, a)?;
        if difference == n {
            return Ok(Some(t));
        }
        let negated = self.neg(difference)?;
        if negated == n {
            return self.neg(t).map(Some);
        }
        Ok(None)
    }

    /// Logarithms in a sum combined: `c⋅log(a) + d⋅log(b)` is
    /// `log(aᶜ⋅bᵈ)` for rational `c` and `d` (where the logarithms are
    /// defined, `a` and `b` are positive, so the two are equal there).
    fn combined_logs(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let Node::Add(_) = self.node(id) else {
            return Ok(None);
        };
        let mut logs = Vec::new();
        let mut rest = Vec::new();
        for t in self.terms_as_shown(id) {
            match self.log_term(t) {
                Some((c, a)) => logs.push((c, a)),
                None => rest.push(t),
            }
        }
        if logs.len() < 2 {
            return Ok(None);
        }
        // One coefficient for all stays outside: `−(log a + log b)/3` is
        // `−log(a⋅b)/3`, not `log(1/(a^(1/3)⋅b^(1/3)))`.
        let common = logs[0].0;
        let shared = logs.iter().all(|&(c, _)| c == common);
        let mut factors = Vec::with_capacity(logs.len());
        for (c, a) in logs {
            factors.push(if shared { a } else { self.pow(a, c)? });
        }
        let product = self.mul(&factors)?;
        let log = self.apply(Func::Log, product)?;
        let log = if shared {
            self.mul(&[common, log])?
        } else {
            log
        };
        rest.insert(0, log);
        self.add(&rest).map(Some)
    }

    /// `(c, a)` for a term `c⋅log(a)` with an exact number `c` (1 if none).
    fn log_term(&mut self, t: ExprId) -> Option<(ExprId, ExprId)> {
        match self.log_of_term(t)? {
            (None, a) => Some((self.int(1).ok()?, a)),
            (Some(c), a) => self.as_num(c)?.is_exact().then_some((c, a)),
        }
    }

    /// A sum of matrix products sharing a right (or else a left) factor,
    /// with that factor taken out: `A⋅X + B⋅X` is `(A + B)⋅X`.
    fn factored_form(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let Node::Add(ts) = self.node(id).clone() else {
            return Ok(None);
        };
        for right in [true, false] {
            let mut groups: IndexMap<ExprId, Vec<(ExprId, ExprId)>> = IndexMap::new();
            let mut rest = Vec::new();
            for &t in &ts {
                match self.product_parts(t, right)? {
                    Some((common, other)) => groups.entry(common).or_default().push((other, t)),
                    None => rest.push(t),
                }
            }
            if groups.values().all(|g| g.len() < 2) {
                continue;
            }
            for (common, group) in groups {
                if let [(_, t)] = group.as_slice() {
                    rest.push(*t);
                    continue;
                }
                let others: Vec<ExprId> = group.iter().map(|&(o, _)| o).collect();
                let sum = self.add(&others)?;
                rest.push(if right {
                    self.matmul(sum, common)?
                } else {
                    self.matmul(common, sum)?
                });
            }
            return self.add(&rest).map(Some);
        }
        Ok(None)
    }

    /// For a term `c⋅(A⋅B)`: `(B, c⋅A)` when `right`, else `(A, c⋅B)`.
    fn product_parts(&mut self, t: ExprId, right: bool) -> Result<Option<(ExprId, ExprId)>> {
        let (c, m) = match self.node(t) {
            Node::Mul(fs) if fs.len() == 2 && self.as_num(fs[0]).is_some() => (Some(fs[0]), fs[1]),
            _ => (None, t),
        };
        let Node::MatMul(a, b) = *self.node(m) else {
            return Ok(None);
        };
        let (common, other) = if right { (b, a) } else { (a, b) };
        let other = match c {
            Some(c) => self.mul(&[c, other])?,
            None => other,
        };
        Ok(Some((common, other)))
    }

    fn stable_form(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        match self.node(id).clone() {
            Node::Pow(b, e) if self.is_int(e, -1) => {
                if let Some(a) = self.exp_plus_one(b) {
                    return self.sigmoid_of_neg(a).map(Some);
                }
                match self.sum_of_exps(b)? {
                    // 1/(ℯᵃ + ℯᵇ + …) = ℯ^(−logsumexp(a, b, …)), so that
                    // ℯᵃ/(ℯᵃ + ℯᵇ) becomes ℯ^(a − logsumexp(a, b)).
                    Some(lse) => {
                        let n = self.neg(lse)?;
                        self.apply(Func::Exp, n).map(Some)
                    }
                    None => Ok(None),
                }
            }
            Node::Mul(fs) => self.sigmoid_in_product(&fs),
            Node::Apply(Func::Log, x) => self.stable_log(x),
            _ => Ok(None),
        }
    }

    /// `log(x)` in a stable form, when `x` has one.
    fn stable_log(&mut self, x: ExprId) -> Result<Option<ExprId>> {
        let out = match self.node(x).clone() {
            Node::Apply(Func::Sigmoid, a) => {
                let na = self.neg(a)?;
                let sp = self.apply(Func::Softplus, na)?;
                self.neg(sp)?
            }
            Node::Apply(Func::Exp, a) => a,
            Node::Add(_) => match (self.exp_plus_one(x), self.one_minus_sigmoid(x)) {
                (Some(a), _) => self.apply(Func::Softplus, a)?,
                (None, Some(a)) => {
                    let sp = self.apply(Func::Softplus, a)?;
                    self.neg(sp)?
                }
                (None, None) => match self.sum_of_exps(x)? {
                    Some(lse) => lse,
                    None => return Ok(None),
                },
            },
            Node::Softmax(axis, a) => {
                let lse = self.logsumexp(a, axis)?;
                self.sub(a, lse)?
            }
            // log(softmax(a)[i, j]) = aᵢⱼ − logsumexp(a)[i or j], the
            // logsumexp kept whole; a block of a softmax likewise, with the
            // logsumexp of its columns (or rows) broadcast.
            Node::Slice { arg, rows, cols } => {
                let Node::Softmax(axis, a) = *self.node(arg) else {
                    return Ok(None);
                };
                let lse = self.logsumexp(a, axis)?;
                if self.shape(x).is_scalar() {
                    let (i, j) = (rows.start, cols.start);
                    let own = self.element_of(a, i, j)?;
                    let (li, lj) = match axis {
                        Axis::Cols => (0, j),
                        Axis::Rows => (i, 0),
                        Axis::All => (0, 0),
                    };
                    let total = self.element_slice(lse, li, lj)?;
                    self.sub(own, total)?
                } else {
                    let whole = |n: usize| crate::Span1 { start: 0, end: n };
                    let own = self.slice(a, rows, cols)?;
                    let total = match axis {
                        Axis::Rows => self.slice(lse, rows, whole(1))?,
                        _ => self.slice(lse, whole(1), cols)?,
                    };
                    self.sub(own, total)?
                }
            }
            Node::Reduce(Reduction::Sum, axis, s) => match self.node(s).clone() {
                Node::Apply(Func::Exp, a) => self.logsumexp(a, axis)?,
                Node::Mul(fs) => match self.one_hot_pick(axis, s, &fs)? {
                    Some(e) => e,
                    None => return Ok(None),
                },
                _ => return Ok(None),
            },
            Node::Pow(b, n) if self.as_num(n).is_some() => match self.stable_log(b)? {
                Some(l) => self.mul(&[n, l])?,
                None => return Ok(None),
            },
            Node::Mul(fs) => {
                // log(ℯᵃ⋅(Σℯᵃ)⁻¹) = a − logsumexp(a), when every factor has a
                // stable log (a positive number keeps its plain log).
                let mut logs = Vec::with_capacity(fs.len());
                for f in fs {
                    match (self.stable_log(f)?, self.as_num(f)) {
                        (Some(l), _) => logs.push(l),
                        (None, Some(c)) if !c.is_negative() => logs.push(self.apply(Func::Log, f)?),
                        _ => return Ok(None),
                    }
                }
                self.add(&logs)?
            }
            _ => return Ok(None),
        };
        Ok(Some(out))
    }

    /// `log(sum(Y∘P, 1))` for a one-hot `Y` picks one entry of each column
    /// of `P`, so it is `sum(Y∘log(P), 1)`, with `log(P)` in its stable form
    /// (`log(softmax(Z))` is `Z − logsumexp(Z)`).
    fn one_hot_pick(&mut self, axis: Axis, s: ExprId, fs: &[ExprId]) -> Result<Option<ExprId>> {
        let single_column = self.shape(s).cols == 1;
        if !(axis == Axis::Cols || axis == Axis::All && single_column) {
            return Ok(None);
        }
        let Some(k) = fs.iter().position(|&f| self.is_one_hot(f)) else {
            return Ok(None);
        };
        let p = self.mul(&without(fs, k))?;
        if self.shape(p) != self.shape(s) {
            return Ok(None);
        }
        let Some(log_p) = self.stable_log(p)? else {
            return Ok(None);
        };
        let picked = self.mul(&[fs[k], log_p])?;
        self.sum(picked, axis).map(Some)
    }

    /// `ℯᵃ⋅σ(−a)` in a product becomes `σ(a)`.
    fn sigmoid_in_product(&mut self, fs: &[ExprId]) -> Result<Option<ExprId>> {
        for (i, &f) in fs.iter().enumerate() {
            let Node::Apply(Func::Exp, a) = *self.node(f) else {
                continue;
            };
            let na = self.neg(a)?;
            let s = self.apply(Func::Sigmoid, na)?;
            if let Some(j) = fs.iter().position(|&g| g == s) {
                let mut rest: Vec<ExprId> = fs
                    .iter()
                    .enumerate()
                    .filter(|&(k, _)| k != i && k != j)
                    .map(|(_, &g)| g)
                    .collect();
                rest.push(self.apply(Func::Sigmoid, a)?);
                return self.mul(&rest).map(Some);
            }
        }
        Ok(None)
    }

    /// `σ(a)` with `a` negated in form (a negative coefficient) becomes
    /// `1 − σ(−a)`, so that terms in `σ(−a)` can collect.
    fn complement_form(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let Node::Apply(Func::Sigmoid, a) = *self.node(id) else {
            return Ok(None);
        };
        if !self.looks_negative(a) {
            return Ok(None);
        }
        let one = self.int(1)?;
        let s = self.sigmoid_of_neg(a)?;
        self.sub(one, s).map(Some)
    }

    fn expanded_form(&mut self, id: ExprId, how: Expansion) -> Result<Option<ExprId>> {
        match self.node(id).clone() {
            Node::Mul(fs) => self.distribute(&fs, how),
            Node::Pow(b, n) if matches!(self.node(b), Node::Add(_)) => {
                match self.as_num(n).and_then(Num::to_i64) {
                    Some(k) if k >= 2 => self.expanded_power(b, k, how),
                    _ => Ok(None),
                }
            }
            Node::MatMul(a, b) if how == Expansion::Strict => self.distribute_product(a, b),
            _ => Ok(None),
        }
    }

    /// `(a + b + …)^k` multiplied out one factor at a time, like terms
    /// collected at each step, within the term budget.
    fn expanded_power(&mut self, b: ExprId, k: i64, how: Expansion) -> Result<Option<ExprId>> {
        let mut acc = b;
        for _ in 1..k {
            match self.distribute(&[acc, b], how)? {
                Some(next) => acc = next,
                None => return Ok(None),
            }
            let terms = match self.node(acc) {
                Node::Add(ts) => ts.len(),
                _ => 1,
            };
            if terms > MAX_EXPANDED_TERMS {
                return self.too_many_terms(how, terms, "terms or more");
            }
        }
        Ok(Some(acc))
    }

    /// The answer when multiplying out would give `terms` terms, over the budget.
    fn too_many_terms(&self, how: Expansion, terms: usize, what: &str) -> Result<Option<ExprId>> {
        match how {
            Expansion::Strict => Err(crate::Error::TooLarge(format!(
                "expand: multiplying out gives {terms} {what}, over the limit of {MAX_EXPANDED_TERMS} terms"
            ))),
            Expansion::Elementwise => Ok(None),
        }
    }

    /// A product of sums multiplied out, within the term budget.
    fn distribute(&mut self, fs: &[ExprId], how: Expansion) -> Result<Option<ExprId>> {
        let terms_of = |p: &Pool, f: ExprId| match p.node(f) {
            Node::Add(_) => p.terms_as_shown(f),
            _ => vec![f],
        };
        if !fs.iter().any(|&f| matches!(self.node(f), Node::Add(_))) {
            return Ok(None);
        }
        let count = fs
            .iter()
            .try_fold(1usize, |n, &f| n.checked_mul(terms_of(self, f).len()));
        match count {
            Some(n) if n <= MAX_EXPANDED_TERMS => {}
            n => return self.too_many_terms(how, n.unwrap_or(usize::MAX), "products"),
        }
        let mut products: Vec<Vec<ExprId>> = vec![vec![]];
        for &f in fs {
            let ts = terms_of(self, f);
            products = products
                .iter()
                .flat_map(|p| {
                    ts.iter().map(move |&t| {
                        let mut q = p.clone();
                        q.push(t);
                        q
                    })
                })
                .collect();
        }
        let terms = products
            .iter()
            .map(|p| {
                let m = self.mul(p)?;
                self.expanded_form(m, Expansion::Elementwise)
                    .map(|e| e.unwrap_or(m))
            })
            .collect::<Result<Vec<_>>>()?;
        self.add(&terms).map(Some)
    }

    /// `A⋅(B + C)` as `A⋅B + A⋅C` (and on the left), when no term broadcasts.
    fn distribute_product(&mut self, a: ExprId, b: ExprId) -> Result<Option<ExprId>> {
        for (sum, other, sum_left) in [(a, b, true), (b, a, false)] {
            let Node::Add(ts) = self.node(sum).clone() else {
                continue;
            };
            let shape = self.shape(sum);
            if ts.iter().any(|&t| self.shape(t) != shape) {
                continue;
            }
            let parts = ts
                .iter()
                .map(|&t| {
                    if sum_left {
                        self.matmul(t, other)
                    } else {
                        self.matmul(other, t)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            return self.add(&parts).map(Some);
        }
        Ok(None)
    }

    /// `a` when `x` is `ℯᵃ + 1`.
    fn exp_plus_one(&self, x: ExprId) -> Option<ExprId> {
        let Node::Add(ts) = self.node(x) else {
            return None;
        };
        match ts.as_slice() {
            [e, one] | [one, e] if self.is_int(*one, 1) => match self.node(*e) {
                Node::Apply(Func::Exp, a) => Some(*a),
                _ => None,
            },
            _ => None,
        }
    }

    /// `logsumexp` of the exponents when `x` is a scalar sum `ℯᵃ + ℯᵇ + …` of
    /// two or more exponentials (kept whole, so it evaluates with a max
    /// shift). A positive coefficient moves into its exponent: `2⋅ℯᵇ` is
    /// `ℯ^(b + log 2)`, and a positive number `c` is `ℯ^(log c)`.
    fn sum_of_exps(&mut self, x: ExprId) -> Result<Option<ExprId>> {
        let Node::Add(ts) = self.node(x).clone() else {
            return Ok(None);
        };
        if !self.shape(x).is_scalar() {
            return Ok(None);
        }
        let mut args = Vec::with_capacity(ts.len());
        for t in ts {
            let arg = match self.node(t).clone() {
                Node::Apply(Func::Exp, a) => a,
                // 1 is ℯ⁰: `log(1 + ℯᵃ + ℯᵇ)` is `logsumexp(0, a, b)`.
                Node::Num(c) if !c.is_negative() && !c.is_zero() => self.apply(Func::Log, t)?,
                Node::Mul(fs) => match fs.as_slice() {
                    [c, e]
                        if self
                            .as_num(*c)
                            .is_some_and(|n| !n.is_negative() && !n.is_zero()) =>
                    {
                        let Node::Apply(Func::Exp, a) = *self.node(*e) else {
                            return Ok(None);
                        };
                        let log_c = self.apply(Func::Log, *c)?;
                        self.add(&[a, log_c])?
                    }
                    _ => return Ok(None),
                },
                _ => return Ok(None),
            };
            args.push(arg);
        }
        let shape = crate::checked_shape(args.len(), 1)?;
        let column = self.matrix(shape, args)?;
        self.logsumexp(column, Axis::All).map(Some)
    }

    /// `a` when `x` is `1 − σ(a)`.
    fn one_minus_sigmoid(&self, x: ExprId) -> Option<ExprId> {
        let Node::Add(ts) = self.node(x) else {
            return None;
        };
        let [t, one] = ts.as_slice() else {
            return None;
        };
        let Node::Mul(fs) = self.node(*t) else {
            return None;
        };
        match (fs.as_slice(), self.is_int(*one, 1)) {
            ([m, s], true) if self.is_int(*m, -1) => match self.node(*s) {
                Node::Apply(Func::Sigmoid, a) => Some(*a),
                _ => None,
            },
            _ => None,
        }
    }

    /// In a sum, `c − c⋅σ(a)` is `c⋅σ(−a)` and `c − c⋅tanh(a)²` (tanh′ is
    /// `1 − tanh(a)²`) is `4c⋅σ(2a)⋅σ(−2a)`: accurate where σ(a) or tanh(a)
    /// rounds to 1 (`1 − tanh(20)²` is 1.7⋅10⁻¹⁷, not 0), as the
    /// derivatives of saturated units need; so is `σ(a) − 1`, the logistic
    /// loss's derivative at label 1.
    fn stable_complement(&mut self, x: ExprId) -> Result<Option<ExprId>> {
        let Node::Add(ts) = self.node(x).clone() else {
            return Ok(None);
        };
        let Some((i, c)) = ts
            .iter()
            .enumerate()
            .find_map(|(i, &t)| self.as_num(t).map(|c| (i, c.clone())))
        else {
            return Ok(None);
        };
        for (j, &t) in ts.iter().enumerate() {
            // The term −c⋅f, or f itself when c is −1.
            let f = match self.node(t) {
                Node::Mul(fs) => match fs.as_slice() {
                    &[k, f] if self.as_num(k) == Some(&c.neg()) => f,
                    _ => continue,
                },
                _ if c == Num::int(-1) => t,
                _ => continue,
            };
            let complement = match *self.node(f) {
                Node::Apply(Func::Sigmoid, a) => self.sigmoid_of_neg(a)?,
                Node::Pow(b, n) if self.is_int(n, 2) => {
                    let Node::Apply(Func::Tanh, a) = *self.node(b) else {
                        continue;
                    };
                    let (two, four) = (self.int(2)?, self.int(4)?);
                    let twice = self.mul(&[two, a])?;
                    let up = self.apply(Func::Sigmoid, twice)?;
                    let down = self.sigmoid_of_neg(twice)?;
                    self.mul(&[four, up, down])?
                }
                _ => continue,
            };
            let c = self.num(c)?;
            let mut rest: Vec<ExprId> = (0..ts.len())
                .filter(|&k| k != i && k != j)
                .map(|k| ts[k])
                .collect();
            rest.push(self.mul(&[c, complement])?);
            return self.add(&rest).map(Some);
        }
        Ok(None)
    }

    /// In a sum, `softplus(a) + c⋅a` with every number of `c` in [−1, 0]
    /// (the logistic loss `softplus(z) − y⋅z` of labels y in [0, 1]) as
    /// `(−c)⋅softplus(−a) + (1 + c)⋅softplus(a)`: two terms ≥ 0 instead of a
    /// difference that cancels where the loss is small (`softplus(30) − 30`
    /// is 9.36e-14; the difference kept two digits of it).
    fn logistic_terms(&mut self, x: ExprId) -> Result<Option<ExprId>> {
        self.merge_pairs(x, |p, ts, index, k| {
            let Node::Apply(Func::Softplus, a) = *p.node(ts[k].1) else {
                return Ok(None);
            };
            if !ts[k].0.is_one() {
                return Ok(None);
            }
            // The term c⋅a, c a number or data matrix in [−1, 0].
            let linear = index.get(&a).into_iter().flatten().copied().find(|&m| {
                matches!(p.node(ts[m].2), Node::Mul(fs) if fs.len() == 2
                    && fs[1] == a && p.all_numbers_in(fs[0], -1.0, 0.0))
            });
            let Some(m) = linear else {
                return Ok(None);
            };
            let Node::Mul(fs) = p.node(ts[m].2) else {
                return Ok(None);
            };
            let c = fs[0];
            let (one, neg_c, neg_a) = (p.int(1)?, p.neg(c)?, p.neg(a)?);
            let one_plus_c = p.add(&[one, c])?;
            let down = p.apply(Func::Softplus, neg_a)?;
            let down = p.mul(&[neg_c, down])?;
            let up = p.mul(&[one_plus_c, ts[k].2])?;
            Ok(Some((m, p.add(&[down, up])?)))
        })
    }

    /// In a sum, `c⋅aᵢⱼ − c⋅logsumexp(a)[j]` (an element of `log(softmax(a))`,
    /// as a one-hot loss picks it) as `−c⋅logsumexp(a[:, j] − aᵢⱼ)`: the line
    /// shifted by its own element has a 0 there, so where aᵢⱼ is the largest
    /// the logsumexp is `log1p` of the others and a loss near 0 keeps its
    /// digits (`−log(softmax([25, 0])[0])` is 1.3887943864867583e-11, not
    /// the 1.38876e-11 of 25 − logsumexp).
    fn log_softmax_elements(&mut self, x: ExprId) -> Result<Option<ExprId>> {
        self.merge_pairs(x, |p, ts, index, k| {
            let (c, total) = (&ts[k].0, ts[k].1);
            let one = crate::Span1 { start: 0, end: 1 };
            let (arg, rows, cols) = match *p.node(total) {
                Node::Slice { arg, rows, cols } => (arg, rows, cols),
                Node::Reduce(..) if p.shape(total).is_scalar() => (total, one, one),
                _ => return Ok(None),
            };
            let Node::Reduce(Reduction::LogSumExp, axis, a) = *p.node(arg) else {
                return Ok(None);
            };
            let shape = p.shape(a);
            let whole = |n: usize| crate::Span1 { start: 0, end: n };
            let (line_rows, line_cols) = match axis {
                Axis::Cols => (whole(shape.rows), cols),
                Axis::Rows => (rows, whole(shape.cols)),
                Axis::All => (whole(shape.rows), whole(shape.cols)),
            };
            if (line_rows.end - line_rows.start) * (line_cols.end - line_cols.start)
                > MAX_EXPANDED_TERMS
            {
                return Ok(None);
            }
            let neg_c = c.neg();
            for i in line_rows.start..line_rows.end {
                for j in line_cols.start..line_cols.end {
                    let own = p.element_of(a, i, j)?;
                    let pick = index.get(&own).into_iter().flatten().copied();
                    let Some(m) = pick.into_iter().find(|&m| ts[m].0 == neg_c) else {
                        continue;
                    };
                    let line = p.slice(a, line_rows, line_cols)?;
                    let shifted = p.sub(line, own)?;
                    let lse = p.logsumexp(shifted, Axis::All)?;
                    // (−c)⋅own + c⋅total = c⋅logsumexp(line − own).
                    let c = p.num(c.clone())?;
                    return Ok(Some((m, p.mul(&[c, lse])?)));
                }
            }
            Ok(None)
        })
    }

    /// In a sum, `k⋅tanh(u)` and the number `±k` as `±2k⋅σ(±2u)`, and
    /// `k⋅σ(v)` and the number `−k/2` as `(k/2)⋅tanh(v/2)`, where the new
    /// argument is no larger: σ and tanh are one curve rescaled, so
    /// `tanh(x/2)/2 + 1/2` is `σ(x)` and `2⋅σ(2⋅x) − 1` is `tanh(x)`.
    fn logistic_tanh(&mut self, x: ExprId) -> Result<Option<ExprId>> {
        self.merge_pairs(x, |p, ts, index, k| {
            let Node::Apply(f @ (Func::Tanh | Func::Sigmoid), a) = *p.node(ts[k].1) else {
                return Ok(None);
            };
            let c = ts[k].0.clone();
            let half = Num::Rat(crate::Rat::new(1.into(), 2.into()));
            // Where the number `n` is among the terms.
            let mut number = |n: &Num| -> Result<Option<usize>> {
                let n = p.num(n.clone())?;
                let mut at = index.get(&n).into_iter().flatten().copied();
                Ok(at.find(|&m| ts[m].2 == n))
            };
            // The partner, the new function, its argument's factor and sign,
            // and the new coefficient.
            let (m, g, scale, sign) = match f {
                Func::Tanh => match (number(&c)?, number(&c.neg())?) {
                    (Some(m), _) => (m, Func::Sigmoid, Num::int(2), Num::one()),
                    (_, Some(m)) => (m, Func::Sigmoid, Num::int(2), Num::int(-1)),
                    _ => return Ok(None),
                },
                _ => match number(&c.mul(&half).neg())? {
                    Some(m) => (m, Func::Tanh, half.clone(), Num::one()),
                    None => return Ok(None),
                },
            };
            let factor = p.num(scale.mul(&sign))?;
            let arg = p.mul(&[factor, a])?;
            if p.size(arg) > p.size(a) {
                return Ok(None);
            }
            let coeff = match g {
                Func::Sigmoid => c.mul(&Num::int(2)).mul(&sign),
                _ => c.mul(&half),
            };
            let (coeff, applied) = (p.num(coeff)?, p.apply(g, arg)?);
            Ok(Some((m, p.mul(&[coeff, applied])?)))
        })
    }

    /// In a sum, `k⋅ℯᵘ` and `±k⋅ℯ⁻ᵘ` as `2k⋅cosh(u)` or `2k⋅sinh(u)`, and
    /// `k⋅cosh(u)` and `±k⋅sinh(u)` as `k⋅ℯ^(±u)`: `(ℯˣ + ℯ⁻ˣ)/2` is
    /// `cosh(x)` and `cosh(x) + sinh(x)` is `ℯˣ`, as SymPy's simplify gives.
    fn hyperbolic_exps(&mut self, x: ExprId) -> Result<Option<ExprId>> {
        self.merge_pairs(x, |p, ts, index, k| {
            let (c, f) = (ts[k].0.clone(), ts[k].1);
            let (g, a) = match *p.node(f) {
                Node::Apply(g @ (Func::Exp | Func::Cosh), a) => (g, a),
                _ => return Ok(None),
            };
            // ℯᵘ with u not led by a minus, so that sinh(u) keeps its sign.
            if g == Func::Exp && p.looks_negative(a) {
                return Ok(None);
            }
            let partner = match g {
                Func::Exp => {
                    let minus_a = p.neg(a)?;
                    p.apply(Func::Exp, minus_a)?
                }
                _ => p.apply(Func::Sinh, a)?,
            };
            let mut found = index.get(&partner).into_iter().flatten().copied();
            let Some(m) =
                found.find(|&m| ts[m].1 == partner && (ts[m].0 == c || ts[m].0 == c.neg()))
            else {
                return Ok(None);
            };
            let same = ts[m].0 == c;
            let merged = match (g, same) {
                (Func::Exp, true) => (Num::int(2).mul(&c), p.apply(Func::Cosh, a)?),
                (Func::Exp, false) => (Num::int(2).mul(&c), p.apply(Func::Sinh, a)?),
                (_, true) => (c, p.apply(Func::Exp, a)?),
                (_, false) => {
                    let minus_a = p.neg(a)?;
                    (c, p.apply(Func::Exp, minus_a)?)
                }
            };
            let coeff = p.num(merged.0)?;
            Ok(Some((m, p.mul(&[coeff, merged.1])?)))
        })
    }

    /// In a scalar sum, `c⋅tanh²(a)` and `c/cosh²(a)` as `c`: `1 − tanh²(x)`
    /// less `1/cosh²(x)` is 0.
    fn tanh_squared_and_cosh(&mut self, x: ExprId) -> Result<Option<ExprId>> {
        if !self.shape(x).is_scalar() {
            return Ok(None);
        }
        self.merge_pairs(x, |p, ts, index, k| {
            let Node::Pow(b, e) = *p.node(ts[k].1) else {
                return Ok(None);
            };
            let Node::Apply(Func::Tanh, a) = *p.node(b) else {
                return Ok(None);
            };
            if !p.is_int(e, 2) {
                return Ok(None);
            }
            let (cosh, minus_two) = (p.apply(Func::Cosh, a)?, p.int(-2)?);
            let partner = p.pow(cosh, minus_two)?;
            let mut found = index.get(&partner).into_iter().flatten().copied();
            let Some(m) = found.find(|&m| ts[m].1 == partner && ts[m].0 == ts[k].0) else {
                return Ok(None);
            };
            Ok(Some((m, p.num(ts[k].0.clone())?)))
        })
    }

    /// The sum `x` with pairs of its terms merged: `pair(pool, terms, index,
    /// k)` looks at term `k` (terms as `(coefficient, rest, term)`, `index`
    /// as [`TermIndex`]) and gives the other term of its pair
    /// and the one term that replaces both. One pass over the terms; `None`
    /// when nothing merged, or for a sum of more than [`MAX_MERGED_TERMS`].
    fn merge_pairs(
        &mut self,
        x: ExprId,
        mut pair: impl FnMut(&mut Pool, &[Term], &TermIndex, usize) -> Result<Option<(usize, ExprId)>>,
    ) -> Result<Option<ExprId>> {
        let Node::Add(ts) = self.node(x) else {
            return Ok(None);
        };
        if ts.len() > MAX_MERGED_TERMS {
            return Ok(None);
        }
        let terms: Vec<Term> = ts
            .clone()
            .into_iter()
            .map(|t| match self.node(t) {
                Node::Mul(fs) if fs.len() == 2 && self.as_num(fs[0]).is_some() => (
                    self.as_num(fs[0]).cloned().unwrap_or_else(Num::one),
                    fs[1],
                    t,
                ),
                _ => (Num::one(), t, t),
            })
            .collect();
        let mut index = TermIndex::default();
        for (k, t) in terms.iter().enumerate() {
            index.entry(t.1).or_default().push(k);
            // A product by data, `y⋅a`, under `a` too.
            if let Node::Mul(fs) = self.node(t.2)
                && let &[d, f] = fs.as_slice()
                && matches!(self.node(d), Node::Dense(_))
            {
                index.entry(f).or_default().push(k);
            }
        }
        let mut used = vec![false; terms.len()];
        let mut out = Vec::with_capacity(terms.len());
        for k in 0..terms.len() {
            if used[k] {
                continue;
            }
            match pair(self, &terms, &index, k)? {
                Some((m, merged)) if m != k && !used[m] => {
                    used[k] = true;
                    used[m] = true;
                    out.push(merged);
                }
                _ => {}
            }
        }
        if !used.contains(&true) {
            return Ok(None);
        }
        out.extend((0..terms.len()).filter(|&k| !used[k]).map(|k| terms[k].2));
        self.add(&out).map(Some)
    }

    /// True when `x` is a number or a data matrix whose numbers all lie in
    /// `[lo, hi]`.
    fn all_numbers_in(&self, x: ExprId, lo: f64, hi: f64) -> bool {
        let within = |v: f64| (lo..=hi).contains(&v);
        match self.node(x) {
            Node::Num(n) => within(n.to_f64()),
            Node::Dense(d) => match d.data() {
                DenseData::Exact(v) => v.iter().all(|n| within(n.to_f64())),
                DenseData::Float(v) => v.iter().all(|&v| within(v)),
            },
            _ => false,
        }
    }

    fn sigmoid_of_neg(&mut self, a: ExprId) -> Result<ExprId> {
        let na = self.neg(a)?;
        self.apply(Func::Sigmoid, na)
    }

    /// True for an exact integer node equal to `n`.
    pub(crate) fn is_int(&self, x: ExprId, n: i64) -> bool {
        self.as_num(x)
            .is_some_and(|v| v.is_exact() && v.to_i64() == Some(n))
    }

    /// True when `x` prints with a leading minus: a negative number, or a
    /// product or sum led by one.
    pub(crate) fn looks_negative(&self, x: ExprId) -> bool {
        match self.node(x) {
            Node::Num(n) => n.is_negative(),
            Node::Mul(fs) => self.as_num(fs[0]).is_some_and(Num::is_negative),
            Node::Add(ts) => ts.iter().all(|&t| self.looks_negative(t)),
            _ => false,
        }
    }
}

/// The operands `xs` but the one at `k`.
fn without(xs: &[ExprId], k: usize) -> Vec<ExprId> {
    let kept = xs.iter().enumerate().filter(|&(i, _)| i != k);
    kept.map(|(_, &x)| x).collect()
}

/// The operands `xs` with those at `i` and `j` replaced by one, `merged`
/// (put last): a sum or product after two of its operands combined.
pub(crate) fn merge_pair(xs: &[ExprId], (i, j): (usize, usize), merged: ExprId) -> Vec<ExprId> {
    let kept = xs.iter().enumerate().filter(|&(k, _)| k != i && k != j);
    kept.map(|(_, &x)| x).chain([merged]).collect()
}

/// `softmax(a)` along an axis, also over all elements (`ℯ^(a − logsumexp(a))`).
pub(crate) fn softmax_any(pool: &mut Pool, a: ExprId, axis: Axis) -> Result<ExprId> {
    if axis != Axis::All {
        return pool.softmax(a, axis);
    }
    let lse = pool.logsumexp(a, Axis::All)?;
    let shifted = pool.sub(a, lse)?;
    pool.apply(Func::Exp, shifted)
}

#[cfg(test)]
#[path = "simplify_tests.rs"]
mod tests;
