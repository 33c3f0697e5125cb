//! Breaking a term wider than the line inside itself, as one writes a long
//! formula on paper: a sum in a function's argument or in a fraction on
//! several lines (continuations aligned under the first, led by `+ ` or
//! `- `), a long product at its `⋅` (continuations led by `⋅`). The result
//! is one 2-D picture. Exponents, matrices and sums of tall terms are not
//! broken: naming a part of them below the picture reads better.

use super::boxes::{Bracket, Pict, str_width};
use super::form::{self, Part, Product, Quotient, Term};
use super::names;
use super::prec::{FACTOR, Prec, TERM};
use super::pretty::{Pretty, call, sign_mark, signed};
use crate::{Axis, ExprId, Func, Node};

/// A broken sum or product has at most this many lines; a longer one is
/// better named.
const MAX_LINES: usize = 6;

impl Pretty<'_> {
    /// The picture of `id` in at most `width` columns, broken inside where
    /// it must be, or `None` when breaking cannot make it fit.
    pub(crate) fn broken(&self, id: ExprId, width: usize) -> Option<Pict> {
        let whole = self.expr(id);
        if whole.width() <= width {
            return Some(whole);
        }
        let p = match form::term(self.pool, id) {
            (neg, Term::Product(p)) => self.broken_product(neg, &p, width)?,
            (_, Term::Num(_)) => return None,
            (_, Term::Other) => self.broken_node(id, width)?,
        };
        (p.width() <= width).then_some(p)
    }

    /// A term of a sum, its sign pulled out (as [`Pretty::terms`] shows it),
    /// broken to fit `width`.
    pub(crate) fn broken_term(&self, t: ExprId, width: usize) -> Option<Pict> {
        let p = match form::term(self.pool, t) {
            (_, Term::Product(p)) => self.broken_product(false, &p, width)?,
            (_, Term::Num(_)) => return None,
            (_, Term::Other) => self.broken(t, width)?,
        };
        let p = if p.prec.needs_parens(TERM) {
            self.broken(t, width.checked_sub(2)?)?
                .bracketed(Bracket::Round)
        } else {
            p
        };
        (p.width() <= width).then_some(p)
    }

    fn broken_node(&self, id: ExprId, width: usize) -> Option<Pict> {
        match self.pool.node(id) {
            Node::Add(_) => self.broken_sum(&self.pool.terms_as_shown(id), width),
            // `ℯˣ` keeps its exponent whole.
            Node::Apply(Func::Exp, a) if self.pool.shape(*a).is_scalar() => None,
            Node::Pow(b, e)
                if self.pool.shape(*b).is_scalar()
                    && self.pool.as_num(*e).is_some_and(form::is_half) =>
            {
                // The radical's sign widens with the height of what it covers.
                let mut room = width.checked_sub(4)?;
                for _ in 0..4 {
                    let p = self.broken(*b, room)?.sqrt();
                    if p.width() <= width {
                        return Some(p);
                    }
                    room = room.checked_sub(p.width() - width)?;
                }
                None
            }
            Node::Apply(Func::Abs, a) => Some(
                self.broken(*a, width.checked_sub(2)?)?
                    .bracketed(Bracket::Bar),
            ),
            Node::Apply(f, a) => self.broken_call(names::pretty_func(*f), *a, None, width),
            Node::Reduce(crate::Reduction::Sum, axis, a)
                if form::inner_product(self.pool, *axis, *a).is_some() =>
            {
                None
            }
            Node::Reduce(r, axis, a) => {
                self.broken_call(names::reduction(*r), *a, axis.dim(), width)
            }
            Node::Softmax(axis, a) => {
                let dim = (*axis != Axis::Cols).then(|| axis.dim()).flatten();
                self.broken_call("softmax", *a, dim, width)
            }
            Node::SoftmaxJvp(..) => self.broken(self.pool.formula(id), width),
            _ => None,
        }
    }

    /// `name(a)` or `name(a, dim)` with `a` broken inside the brackets.
    fn broken_call(&self, name: &str, a: ExprId, dim: Option<usize>, width: usize) -> Option<Pict> {
        let dim = dim.map(|d| Pict::atom(&d.to_string()));
        let extra = dim.as_ref().map_or(0, |d| d.width() + 2);
        let room = width.checked_sub(str_width(name) + 2 + extra)?;
        let mut args = vec![self.broken(a, room)?];
        args.extend(dim);
        Some(call(name, args))
    }

    /// A sum on lines of at most `width` columns, or `None` when one line
    /// does not do and a term holds a sum or is itself broken (that sum is
    /// better named first, as a person names the scores in `ℯ^(26⋅W₀₀ + …)`).
    fn broken_sum(&self, terms: &[ExprId], width: usize) -> Option<Pict> {
        let shown = self.terms(terms);
        let mut lines: Vec<Vec<Pict>> = Vec::new();
        let mut used = 0;
        let mut nested = false;
        for (i, (t, neg, p)) in shown.into_iter().enumerate() {
            nested |= self.has_sum_inside(t);
            let p = if 2 + p.width() > width {
                nested = true;
                self.broken_term(t, width.checked_sub(2)?)?
            } else {
                p
            };
            let mark = sign_mark(i == 0, neg, &p);
            match lines.last_mut() {
                Some(line) if used + str_width(mark) + p.width() <= width => {
                    line.extend([Pict::atom(mark), p]);
                }
                Some(_) => lines.push(vec![Pict::atom(if neg { "- " } else { "+ " }), p]),
                None => lines.push(vec![Pict::atom(mark), p]),
            }
            used = lines.last().map_or(0, |l| l.iter().map(Pict::width).sum());
        }
        if lines.len() > MAX_LINES || (lines.len() > 1 && nested) {
            return None;
        }
        let rows: Vec<Pict> = lines.iter().map(|l| Pict::row(l, Prec::Add)).collect();
        Some(Pict::lines(&rows, Prec::Add))
    }

    /// A product or quotient broken to fit: a fraction with its numerator
    /// and denominator broken, or factors on lines led by `⋅`.
    fn broken_product(&self, neg: bool, p: &Product, width: usize) -> Option<Pict> {
        if p.mean(self.pool).is_some() {
            return None;
        }
        let room = width.checked_sub(usize::from(neg))?;
        let Quotient { num, den } = p.quotient(self.pool);
        let top = |room: usize| match num.as_slice() {
            [] => Some(Pict::atom("1")),
            _ => self.broken_factors(&num, room),
        };
        let pict = if den.is_empty() {
            top(room)?
        } else if den.iter().any(|d| d.is_matrix(self.pool)) {
            return None;
        } else {
            Pict::fraction(&top(room)?, &self.broken_factors(&den, room)?)
        };
        Some(signed(neg, pict))
    }

    /// Factors joined by `⋅` (`∘` between matrices) on lines of at most
    /// `width` columns, continuation lines led by the operator.
    fn broken_factors(&self, parts: &[Part], width: usize) -> Option<Pict> {
        if let [one] = parts {
            return self.broken_part(one, width);
        }
        // `26⋅W₀₀` on two lines reads worse than a name.
        if parts.len() < 3 {
            return None;
        }
        let marks = form::hadamard_marks(self.pool, parts);
        let mut lines: Vec<Vec<Pict>> = Vec::new();
        let mut used = 0;
        for (i, (part, elementwise)) in parts.iter().zip(marks).enumerate() {
            let mut p = self.part(part).parens_below(FACTOR);
            if 1 + p.width() > width {
                let inner = self.broken_part(part, width.checked_sub(3)?)?;
                p = inner.parens_below(FACTOR);
            }
            let mark = if elementwise { "∘" } else { "⋅" };
            match lines.last_mut() {
                Some(line) if used + 1 + p.width() <= width => {
                    line.extend([Pict::atom(mark), p]);
                }
                Some(_) => lines.push(vec![Pict::atom(mark), p]),
                None if i == 0 => lines.push(vec![p]),
                None => return None,
            }
            used = lines.last().map_or(0, |l| l.iter().map(Pict::width).sum());
        }
        if lines.len() > MAX_LINES {
            return None;
        }
        let rows: Vec<Pict> = lines.iter().map(|l| Pict::row(l, Prec::Mul)).collect();
        Some(Pict::lines(&rows, Prec::Mul))
    }

    /// Whether a sum is among the descendants of `t` (names not looked into).
    fn has_sum_inside(&self, t: ExprId) -> bool {
        let mut found = false;
        let mut stack = vec![t];
        let mut seen = rustc_hash::FxHashSet::default();
        while let Some(e) = stack.pop() {
            if found || !seen.insert(e) || (e != t && self.name_of(e).is_some()) {
                continue;
            }
            found = e != t && matches!(self.pool.node(e), Node::Add(_));
            self.pool.node(e).for_each_child(|c| stack.push(c));
        }
        found
    }

    fn broken_part(&self, part: &Part, width: usize) -> Option<Pict> {
        match part {
            Part::Expr(e) => self.broken(*e, width),
            _ => Some(self.part(part)).filter(|p| p.width() <= width),
        }
    }
}
