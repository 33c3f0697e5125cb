//! 2-D Unicode output after SymPy's `pprint`: stacked fractions, raised
//! exponents, growing brackets, matrix grids; long sums break between terms.

use super::PrintOptions;
use super::boxes::{Bracket, Pict};
use super::form::{self, Divided, Part, Product, Quotient, Term};
use super::names;
use super::prec::{FACTOR, POSTFIX_ARG, POW_BASE, Prec, TERM};
use crate::{Axis, Constant, Dense, ExprId, Node, Num, Pool, Rat, Shape, format_float};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// Rows or columns beyond this are elided (`⋮`, `⋯`) in a printed matrix.
pub const MAX_SHOWN: usize = 12;
/// Matrices with up to this many columns print them all, in blocks of
/// columns when they are wider than the line; wider ones are elided.
pub(crate) const MAX_BLOCK_COLUMNS: usize = 24;
/// How many rows or columns are kept at each end of an elided matrix.
const EDGE: usize = 4;
/// Deeper expressions print as one-line text: their pictures would be
/// unreadable and costly (every level copies the picture below it).
const MAX_DEPTH: u32 = 100;

/// The 2-D picture of an expression, lines joined by newlines, no trailing
/// spaces, no line wider than `opts.width` (see [`layout`](super::layout)).
///
/// Expressions nested deeper than a picture can usefully show print as
/// one-line [`text`](super::text), wrapped at the width.
pub fn pretty(pool: &Pool, id: ExprId, opts: &PrintOptions) -> String {
    if pool.depth(id) > MAX_DEPTH {
        return super::layout::wrap_text(&super::text(pool, id, opts), opts.width);
    }
    super::with_stack(pool, id, false, || super::layout::fit(pool, id, opts))
}

/// The pretty printer: pictures of subexpressions, those in `names` shown
/// by their name, each picture computed once.
pub(crate) struct Pretty<'a> {
    pub(super) pool: &'a Pool,
    digits: usize,
    /// Subexpressions shown by a name (`z₀`) defined below the picture.
    names: &'a FxHashMap<ExprId, String>,
    /// The expression being defined: never shown by its own name.
    defining: Option<ExprId>,
    /// The pictures drawn so far, with how many times each was used.
    drawn: RefCell<FxHashMap<ExprId, (Pict, usize)>>,
    /// Terms of sums drawn so far, their sign pulled out.
    terms_drawn: RefCell<FxHashMap<ExprId, (bool, Pict)>>,
}

impl<'a> Pretty<'a> {
    pub(crate) fn new(
        pool: &'a Pool,
        digits: usize,
        names: &'a FxHashMap<ExprId, String>,
        defining: Option<ExprId>,
    ) -> Pretty<'a> {
        Pretty {
            pool,
            digits,
            names,
            defining,
            drawn: RefCell::new(FxHashMap::default()),
            terms_drawn: RefCell::new(FxHashMap::default()),
        }
    }

    /// Every subexpression drawn so far: its picture width and uses.
    pub(crate) fn drawn(&self) -> Vec<(ExprId, usize, usize)> {
        self.drawn
            .borrow()
            .iter()
            .map(|(&id, (p, uses))| (id, p.width(), *uses))
            .collect()
    }

    /// The name `id` is shown by, if it is not the expression being defined.
    pub(super) fn name_of(&self, id: ExprId) -> Option<&str> {
        (self.defining != Some(id))
            .then(|| self.names.get(&id).map(String::as_str))
            .flatten()
    }
}

impl Pretty<'_> {
    pub(crate) fn expr(&self, id: ExprId) -> Pict {
        if let Some(name) = self.name_of(id) {
            return Pict::atom(name);
        }
        if let Some((p, uses)) = self.drawn.borrow_mut().get_mut(&id) {
            *uses += 1;
            return p.clone();
        }
        let p = match form::term(self.pool, id) {
            (neg, Term::Num(n)) => signed(neg, self.number(&n)),
            (neg, Term::Product(p)) => self.product(neg, &p),
            (_, Term::Other) => self.node(id),
        };
        self.drawn.borrow_mut().insert(id, (p.clone(), 1));
        p
    }

    fn node(&self, id: ExprId) -> Pict {
        match self.pool.node(id) {
            Node::Num(n) => self.number(n),
            Node::Const(Constant::E) => Pict::atom("ℯ"),
            Node::Const(Constant::Pi) => Pict::atom("π"),
            Node::Symbol { name, .. } => Pict::atom(&names::pretty_symbol(name)),
            Node::Element { symbol, row, col } => {
                // An element of a column vector by its one index: `a₀`.
                let sub = if self.pool.shape(*symbol).cols == 1 {
                    names::subscript(*row)
                } else {
                    names::element_subscript(*row, *col)
                };
                // A name ending in digits keeps them (`z0₁`, not `z₀₁`).
                let base = match self.pool.node(*symbol) {
                    Node::Symbol { name, .. } if self.name_of(*symbol).is_none() => {
                        Pict::atom(&names::element_base(name))
                    }
                    _ => self.expr(*symbol),
                };
                Pict::row(&[base, Pict::atom(&sub)], Prec::Atom)
            }
            Node::Matrix { .. } | Node::Dense(_) if form::is_identity(self.pool, id) => {
                Pict::atom("I")
            }
            Node::Matrix { .. } if form::diagonal_of(self.pool, id).is_some() => {
                let v = form::diagonal_of(self.pool, id).unwrap_or(id);
                call("diag", vec![self.expr(v)])
            }
            Node::Matrix { .. } | Node::Dense(_) => {
                let cols = shown(self.pool.shape(id).cols);
                self.matrix_columns(id, &cols)
            }
            Node::Add(_) => {
                let named = |t: ExprId| self.name_of(t).is_some();
                match form::over_denominator(self.pool, id, named) {
                    Some((c, terms)) => self.scaled_sum(id, &c, &terms),
                    None => self.sum(&self.pool.terms_as_shown(id)),
                }
            }
            Node::Mul(_) => self.expr(id),
            Node::Pow(b, e) => self.power(*b, *e),
            Node::MatMul(a, b) => self.matmul(id, *a, *b),
            Node::MatPow(a, n) => Pict::power(
                &self.expr(*a).parens_below(POW_BASE),
                &Pict::atom(&n.to_string()),
            ),
            Node::Transpose(a) => self
                .expr(*a)
                .parens_below(POSTFIX_ARG)
                .top_right("ᵀ", Prec::Postfix),
            Node::Apply(f, a) => self.apply(*f, *a),
            Node::Reduce(crate::Reduction::Sum, axis, a)
                if let Some((x, y, first)) = form::inner_product(self.pool, *axis, *a) =>
            {
                self.inner_product(x, y, first)
            }
            Node::Reduce(crate::Reduction::Sum, axis, a)
                if let Some((c, inner)) = self.number_inside(*a) =>
            {
                let (p, neg) = form::scaled(&c, vec![id]);
                if let Some((axis, _)) = p.mean(self.pool) {
                    return signed(neg, self.op_of("mean", inner, axis, None));
                }
                let shown = self.op_of("sum", inner, *axis, None);
                self.quotient(neg, &p, Some(&(id, shown)))
            }
            Node::Reduce(r, axis, a) => self.op(names::reduction(*r), *a, *axis, None),
            Node::Softmax(axis, a) => self.op("softmax", *a, *axis, Some(Axis::Cols)),
            Node::SoftmaxJvp(..) => self.expr(self.pool.formula(id)),
            Node::Trace(a) => call("tr", vec![self.expr(*a)]),
            Node::Diag(a) => call("diag", vec![self.expr(*a)]),
            Node::Det(a) => call("det", vec![self.expr(*a)]),
            Node::LogDet(a) => call("logdet", vec![self.expr(*a)]),
            Node::Stack { vertical, parts } => call(
                if *vertical { "vstack" } else { "hstack" },
                parts.iter().map(|&p| self.expr(p)).collect(),
            ),
            Node::Slice { arg, rows, cols } => {
                let index = format!("[{}]", form::index(*rows, *cols, self.pool.shape(*arg)));
                let base = self.expr(*arg).parens_below(POSTFIX_ARG);
                Pict::row(&[base, Pict::atom(&index)], Prec::Postfix)
            }
        }
    }

    /// An integer, a stacked fraction or a float, signed as given.
    fn number(&self, n: &Num) -> Pict {
        match n {
            Num::Rat(r) if r.is_integer() => Pict::text(&r.to_string(), neg_or_atom(n)),
            Num::Rat(r) => {
                let frac = Pict::fraction(
                    &Pict::atom(&r.numer().magnitude().to_string()),
                    &Pict::atom(&r.denom().to_string()),
                );
                signed(n.is_negative(), frac)
            }
            Num::Float(x) => Pict::text(&format_float(*x, self.digits), neg_or_atom(n)),
        }
    }

    /// A number as an exponent: rationals stay on one line (`x^(2/3)` shows `2/3`).
    fn exponent_number(&self, n: &Num) -> Pict {
        match n {
            Num::Rat(r) => Pict::text(&r.to_string(), neg_or_atom(n)),
            Num::Float(x) => Pict::text(&format_float(*x, self.digits), neg_or_atom(n)),
        }
    }

    /// The terms of a sum in print order, each with its sign pulled out.
    pub(crate) fn terms(&self, terms: &[ExprId]) -> Vec<(ExprId, bool, Pict)> {
        form::sum_order(self.pool, terms)
            .into_iter()
            .map(|t| {
                if let Some(name) = self.name_of(t) {
                    return (t, false, Pict::atom(name));
                }
                if let Some((neg, pict)) = self.terms_drawn.borrow().get(&t) {
                    return (t, *neg, pict.clone());
                }
                let (neg, term) = form::term(self.pool, t);
                let pict = match &term {
                    Term::Num(n) => self.number(n),
                    Term::Product(p) => self.product(false, p),
                    Term::Other => self.expr(t),
                };
                let pict = pict.parens_below(TERM);
                self.terms_drawn.borrow_mut().insert(t, (neg, pict.clone()));
                (t, neg, pict)
            })
            .collect()
    }

    fn sum(&self, terms: &[ExprId]) -> Pict {
        sum_row(self.terms(terms).into_iter().map(|(_, neg, t)| (neg, t)))
    }

    /// A sum whose terms are divided by their shared factor.
    fn divided_sum(&self, terms: &[Divided]) -> Pict {
        sum_row(terms.iter().map(|d| {
            let (neg, p) = match d {
                Divided::Num(neg, n) => (*neg, self.number(n)),
                Divided::Product(neg, p) => (*neg, self.product(false, p)),
                Divided::Dense(d) => (false, self.dense_columns(d, &shown(d.shape().cols))),
            };
            (neg, p.parens_below(TERM))
        }))
    }

    /// The sum `id` as `c` times its `terms` (divided by `c`).
    fn scaled_sum(&self, id: ExprId, c: &Rat, terms: &[Divided]) -> Pict {
        let (p, neg) = form::scaled(c, vec![id]);
        self.quotient(neg, &p, Some(&(id, self.divided_sum(terms))))
    }

    fn product(&self, neg: bool, p: &Product) -> Pict {
        if let Some((axis, a)) = p.mean(self.pool) {
            return signed(neg, self.op("mean", a, axis, None));
        }
        match self.absorbed(p) {
            Some((p, flip, inner)) => self.quotient(neg != flip, &p, Some(&inner)),
            None => self.quotient(neg, p, None),
        }
    }

    /// A product as a fraction, its factor `inner.0` shown as `inner.1`.
    fn quotient(&self, neg: bool, p: &Product, inner: Option<&(ExprId, Pict)>) -> Pict {
        let Quotient { num, den } = p.quotient(self.pool);
        let top = match num.as_slice() {
            [] => Pict::atom("1"),
            _ => self.factors(&num, inner),
        };
        if den.is_empty() {
            return signed(neg, top);
        }
        if den.iter().any(|d| d.is_matrix(self.pool)) {
            // Elementwise division: `A ⊘ B`, not a fraction read as A⋅B⁻¹.
            let bottom = self.factors(&den, None).parens_below(FACTOR);
            let top = top.parens_below(Prec::Mul);
            return signed(neg, Pict::row(&[top, Pict::atom(" ⊘ "), bottom], Prec::Mul));
        }
        signed(neg, Pict::fraction(&top, &self.factors(&den, None)))
    }

    /// Factors joined by `⋅`, or `∘` between matrices; a lone factor
    /// unbracketed; the factor `shown.0` shown as `shown.1`.
    fn factors(&self, parts: &[Part], shown: Option<&(ExprId, Pict)>) -> Pict {
        let part = |p: &Part| match (p, shown) {
            (Part::Expr(e), Some((f, pict))) if e == f => pict.clone(),
            _ => self.part(p),
        };
        if let [one] = parts {
            return part(one);
        }
        let marks = form::hadamard_marks(self.pool, parts);
        let mut row = Vec::new();
        for (i, (p, elementwise)) in parts.iter().zip(marks).enumerate() {
            if i > 0 {
                row.push(Pict::atom(if elementwise { "∘" } else { "⋅" }));
            }
            row.push(part(p).parens_below(form::factor_prec(self.pool, parts, i)));
        }
        Pict::row(&row, Prec::Mul)
    }

    pub(super) fn part(&self, p: &Part) -> Pict {
        match p {
            Part::Int(n) => Pict::atom(&n.to_string()),
            Part::Float(x) => self.number(&Num::Float(*x)),
            Part::Expr(e) => self.expr(*e),
            Part::Root(e) => self.expr(*e).sqrt(),
            Part::Power(b, e) => self.raised(*b, self.exponent_number(e)),
        }
    }

    fn power(&self, b: ExprId, e: ExprId) -> Pict {
        let exp = match self.pool.as_num(e) {
            Some(n) if form::is_half(n) && self.pool.shape(b).is_scalar() => {
                return self.expr(b).sqrt();
            }
            Some(n) => self.exponent_number(n),
            None => self.expr(e),
        };
        self.raised(b, exp)
    }

    /// `b` raised to `exp`: the Hadamard power `A∘²` for a matrix, `tanh²(z)`
    /// for a trigonometric function to a positive integer, else `xⁿ`.
    fn raised(&self, b: ExprId, exp: Pict) -> Pict {
        if !self.pool.shape(b).is_scalar() {
            let exp = Pict::row(&[Pict::atom("∘"), exp], Prec::Atom);
            return Pict::power(&self.expr(b).parens_below(POW_BASE), &exp);
        }
        if let Node::Apply(f, a) = self.pool.node(b)
            && f.is_trigonometric()
            && self.name_of(b).is_none()
            && exp.height() == 1
            && exp.prec == Prec::Atom
        {
            let name = Pict::power(&Pict::atom(names::pretty_func(*f)), &exp);
            let arg = self.expr(*a).bracketed(Bracket::Round);
            return Pict::row(&[name, arg], Prec::Atom);
        }
        Pict::power(&self.expr(b).parens_below(POW_BASE), &exp)
    }

    /// `A⋅B`, an elementwise product on either side in brackets. The pool
    /// takes scalar factors out of products, so `α⋅B⋅c` is a scaled product.
    /// A sum's shared factor goes outside: `(W⋅X − Y)⋅Xᵀ/3`.
    fn matmul(&self, id: ExprId, a: ExprId, b: ExprId) -> Pict {
        let (outside, product) = self.matmul_sides(a, b);
        if outside.is_one() {
            return product;
        }
        let (p, neg) = form::scaled(&outside, vec![id]);
        self.quotient(neg, &p, Some(&(id, product)))
    }

    /// The factor a product `a⋅b` shows outside (see [`Pretty::factored`])
    /// and the product without it.
    fn matmul_sides(&self, a: ExprId, b: ExprId) -> (Rat, Pict) {
        let mut outside = Rat::int(1);
        let mut side = |id: ExprId, min: Prec| {
            if let Some((c, terms)) = self.factored(id) {
                outside = outside.mul(&c);
                return self.divided_sum(&terms).bracketed(Bracket::Round);
            }
            match *self.pool.node(id) {
                // A product whose sides show a factor gives it up too.
                Node::MatMul(x, y) if self.name_of(id).is_none() => {
                    let (c, inner) = self.matmul_sides(x, y);
                    outside = outside.mul(&c);
                    inner.parens_below(min)
                }
                Node::Mul(_) => {
                    let (c, pict) = self.hadamard_sides(id);
                    outside = outside.mul(&c);
                    pict.bracketed(Bracket::Round)
                }
                _ => self.expr(id).parens_below(min),
            }
        };
        let (a, b) = (side(a, Prec::Mul), side(b, FACTOR));
        (outside, Pict::row(&[a, Pict::atom("⋅"), b], Prec::Mul))
    }

    /// The number a sum's argument shows, when it is not 1, and the
    /// argument without it: `sum(A∘(W₂ᵀ⋅(A₂ − Y)), 2)/10`, not
    /// `sum(A∘(W₂ᵀ⋅(A₂ − Y))/10, 2)`.
    fn number_inside(&self, a: ExprId) -> Option<(Rat, Pict)> {
        let named = |t: ExprId| self.name_of(t).is_some();
        let (c, inner) = match self.pool.node(a) {
            Node::Add(_) => {
                let (c, terms) = form::over_denominator(self.pool, a, named)?;
                (c, self.divided_sum(&terms))
            }
            Node::Mul(_) => self.hadamard_sides(a),
            _ => return None,
        };
        (!c.is_one()).then_some((c, inner))
    }

    /// An elementwise product beside a matrix product, and the factor
    /// its own matrix product shows (see [`form::hadamard_matmul`]) taken
    /// out: that factor and the product without it.
    fn hadamard_sides(&self, id: ExprId) -> (Rat, Pict) {
        let named = |t: ExprId| self.name_of(t).is_some();
        if let Some((neg, p, f, a, b)) = form::hadamard_matmul(self.pool, id, named) {
            let (c, inner) = self.matmul_sides(a, b);
            if !c.is_one() {
                return (c, self.quotient(neg, &p, Some(&(f, inner))));
            }
        }
        (Rat::int(1), self.expr(id))
    }

    /// A matrix product scaled by an exact coefficient and scalars with
    /// the factor its sides show taken in (see [`form::scaled_matmul`]):
    /// the product, its sign, and the matrix product without the factor.
    /// Its sides are drawn here only then, as drawing counts their uses.
    fn absorbed(&self, p: &Product) -> Option<(Product, bool, (ExprId, Pict))> {
        let named = |t: ExprId| self.name_of(t).is_some();
        let (coeff, f, a, b) = form::scaled_matmul(self.pool, p, named)?;
        let (outside, inner) = self.matmul_sides(a, b);
        let (p, flip) = form::scaled(&coeff.mul(&outside), p.factors.clone());
        Some((p, flip, (f, inner)))
    }

    /// A sum's shared factor and its terms divided by it (see
    /// [`form::factored`]).
    fn factored(&self, id: ExprId) -> Option<(Rat, Vec<Divided>)> {
        form::factored(self.pool, id, |t| self.name_of(t).is_some())
    }

    /// `xᵀ⋅y` (`first`) or `x⋅yᵀ`: a sum of an elementwise product of two
    /// vectors, a transpose of a transpose shown as the vector itself.
    fn inner_product(&self, x: ExprId, y: ExprId, first: bool) -> Pict {
        let transposed = |id: ExprId| match self.pool.node(id) {
            Node::Transpose(inner) if self.name_of(id).is_none() => {
                self.expr(*inner).parens_below(POSTFIX_ARG)
            }
            _ => self
                .expr(id)
                .parens_below(POSTFIX_ARG)
                .top_right("ᵀ", Prec::Postfix),
        };
        let plain = |id: ExprId| self.expr(id).parens_below(FACTOR);
        let (left, right) = if first {
            (transposed(x), plain(y))
        } else {
            (plain(x), transposed(y))
        };
        Pict::row(&[left, Pict::atom("⋅"), right], Prec::Mul)
    }

    /// `(negative, scalar factors, matrix)` for a product of scalars (numbers
    /// included) and one matrix, none of them divided by.
    fn apply(&self, f: crate::Func, a: ExprId) -> Pict {
        match f {
            // A matrix argument: elementwise, not the matrix exponential.
            crate::Func::Exp if !self.pool.shape(a).is_scalar() => {
                call(names::pretty_func(f), vec![self.expr(a)])
            }
            crate::Func::Exp
                if self
                    .pool
                    .as_num(a)
                    .is_some_and(|n| n.is_one() && n.is_exact()) =>
            {
                Pict::atom("ℯ")
            }
            crate::Func::Exp => Pict::power(&Pict::atom("ℯ"), &self.expr(a)),
            crate::Func::Abs => self.expr(a).bracketed(Bracket::Bar),
            _ => call(names::pretty_func(f), vec![self.expr(a)]),
        }
    }

    /// `sum(A, 1)`: the dimension unless it is `default`.
    fn op(&self, name: &str, a: ExprId, axis: Axis, default: Option<Axis>) -> Pict {
        self.op_of(name, self.expr(a), axis, default)
    }

    /// `name(a, dim)`, its argument drawn as `a`.
    fn op_of(&self, name: &str, a: Pict, axis: Axis, default: Option<Axis>) -> Pict {
        let mut args = vec![a];
        if Some(axis) != default
            && let Some(d) = axis.dim()
        {
            args.push(Pict::atom(&d.to_string()));
        }
        call(name, args)
    }

    /// A matrix literal or numeric matrix as a bracketed grid of the given
    /// columns (`None` marks elided ones, `⋯`); more than [`MAX_SHOWN`] rows
    /// show their first and last around `⋮`. Numbers in a column align on
    /// their decimal point.
    pub(crate) fn matrix_columns(&self, id: ExprId, cols: &[Option<usize>]) -> Pict {
        let shape = self.pool.shape(id);
        match self.pool.node(id) {
            Node::Matrix { entries, .. } => grid(shape, cols, |i, j| {
                entries
                    .get(i * shape.cols + j)
                    .map_or_else(|| Pict::atom("?"), |&e| self.expr(e))
            }),
            Node::Dense(d) => self.dense_columns(d, cols),
            _ => self.expr(id),
        }
    }

    /// The given columns of a numeric matrix, numbers aligned on their
    /// decimal points.
    fn dense_columns(&self, d: &Dense, cols: &[Option<usize>]) -> Pict {
        let rows = shown(d.shape().rows);
        let texts: Vec<Vec<String>> = cols
            .iter()
            .map(|&j| {
                let column: Vec<String> = rows
                    .iter()
                    .flatten()
                    .filter_map(|&i| j.map(|j| self.number_text(&d.get(i, j))))
                    .collect();
                align_decimal_points(&column)
            })
            .collect();
        let row_of = |i: usize| rows.iter().flatten().position(|&r| r == i);
        grid(d.shape(), cols, |i, j| {
            let k = cols.iter().position(|&c| c == Some(j));
            match (k, row_of(i)) {
                (Some(k), Some(r)) => Pict::text(&texts[k][r], Prec::Atom),
                _ => Pict::atom("?"),
            }
        })
    }

    /// A number as one line of text, as in a matrix: `-3`, `1/3`, `0.25`.
    fn number_text(&self, n: &Num) -> String {
        match n {
            Num::Rat(r) => r.to_string(),
            Num::Float(x) => format_float(*x, self.digits),
        }
    }
}

/// A bracketed grid of the given columns of a matrix of `shape` (`None`
/// marks elided ones, `⋯`); more than [`MAX_SHOWN`] rows show their first
/// and last around `⋮`.
fn grid(shape: Shape, cols: &[Option<usize>], cell: impl Fn(usize, usize) -> Pict) -> Pict {
    let grid: Vec<Vec<Pict>> = shown(shape.rows)
        .iter()
        .map(|&i| {
            cols.iter()
                .map(|&j| match (i, j) {
                    (None, None) => Pict::atom("⋱"),
                    (None, _) => Pict::atom("⋮"),
                    (_, None) => Pict::atom("⋯"),
                    (Some(i), Some(j)) => cell(i, j),
                })
                .collect()
        })
        .collect();
    Pict::grid(&grid).bracketed(Bracket::Square)
}

/// `−`, ` + ` or ` - ` between terms given with their signs pulled out.
fn sum_row(terms: impl Iterator<Item = (bool, Pict)>) -> Pict {
    let mut parts = Vec::new();
    for (i, (neg, t)) in terms.enumerate() {
        parts.push(Pict::atom(sign_mark(i == 0, neg, &t)));
        parts.push(t);
    }
    Pict::row(&parts, Prec::Add)
}

/// Numbers padded to one width with their decimal points (or their ends,
/// for integers) in one column.
fn align_decimal_points(column: &[String]) -> Vec<String> {
    let point = |s: &str| s.find(['.', '/', 'e']).unwrap_or(s.len());
    let left = column.iter().map(|s| point(s)).max().unwrap_or(0);
    let right = column.iter().map(|s| s.len() - point(s)).max().unwrap_or(0);
    column
        .iter()
        .map(|s| {
            format!(
                "{:>l$}{:<r$}",
                &s[..point(s)],
                &s[point(s)..],
                l = left,
                r = right
            )
        })
        .collect()
}

/// What a matrix printed with rows or columns elided leaves out, as its
/// caption says it (`3000×12 matrix, rows 4–2995 not shown`): its shape
/// and `rows 4–2995`. `blocks` says it is printed in blocks of columns,
/// which show up to [`MAX_BLOCK_COLUMNS`] of them.
pub(crate) fn elided(pool: &Pool, id: ExprId, blocks: bool) -> Option<(Shape, String)> {
    let (Node::Matrix { .. } | Node::Dense(_)) = pool.node(id) else {
        return None;
    };
    if form::is_identity(pool, id) || form::diagonal_of(pool, id).is_some() {
        return None;
    }
    let shape = pool.shape(id);
    let most_columns = if blocks { MAX_BLOCK_COLUMNS } else { MAX_SHOWN };
    let hidden = |n: usize, most: usize, what: &str| {
        (n > most).then(|| format!("{what} {}–{}", EDGE, n - EDGE - 1))
    };
    let parts: Vec<String> = [
        hidden(shape.rows, MAX_SHOWN, "rows"),
        hidden(shape.cols, most_columns, "columns"),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| (shape, parts.join(" and ")))
}

/// The indices shown along a dimension of `n`; `None` marks the elision.
pub(crate) fn shown(n: usize) -> Vec<Option<usize>> {
    if n <= MAX_SHOWN {
        return (0..n).map(Some).collect();
    }
    let head = (0..EDGE).map(Some);
    let tail = (n - EDGE..n).map(Some);
    head.chain([None]).chain(tail).collect()
}

fn neg_or_atom(n: &Num) -> Prec {
    if n.is_negative() {
        Prec::Neg
    } else {
        Prec::Atom
    }
}

/// The operator before a term: none or `-` first (`- ` before a tall term), else ` + ` or ` - `.
pub(crate) fn sign_mark(first: bool, neg: bool, term: &Pict) -> &'static str {
    match (first, neg) {
        (true, false) => "",
        (true, true) if term.height() > 1 => "- ",
        (true, true) => "-",
        (false, true) => " - ",
        (false, false) => " + ",
    }
}

/// `-` before a number or a product when `neg`.
pub(super) fn signed(neg: bool, p: Pict) -> Pict {
    match (neg, p.prec) {
        (false, _) => p,
        (true, Prec::Mul) => p.prefixed("-", Prec::Mul),
        (true, _) => p.parens_below(FACTOR).prefixed("-", Prec::Neg),
    }
}

/// `name(a, b)` with brackets as tall as the arguments.
pub(super) fn call(name: &str, args: Vec<Pict>) -> Pict {
    let mut row = Vec::new();
    for (i, a) in args.into_iter().enumerate() {
        if i > 0 {
            row.push(Pict::atom(", "));
        }
        row.push(a);
    }
    let inner = Pict::row(&row, Prec::Atom).bracketed(Bracket::Round);
    Pict::row(&[Pict::atom(name), inner], Prec::Atom)
}
