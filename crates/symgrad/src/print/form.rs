//! How sums and products read, shared by every printer: the sign of a term,
//! a product split into numerator and denominator, `mean` recognised.

use super::prec::{FACTOR, Prec};
use super::pretty::MAX_SHOWN;
use crate::{Axis, Dense, DenseData, ExprId, Node, Num, Pool, Rat, Reduction};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

/// A product without its sign: `coeff · factors`, with `coeff` ≥ 0.
#[derive(Clone, Debug)]
pub(crate) struct Product {
    pub coeff: Num,
    pub factors: Vec<ExprId>,
}

/// What a term shows once its sign is pulled out.
#[derive(Clone, Debug)]
pub(crate) enum Term {
    /// A number ≥ 0.
    Num(Num),
    /// A product or quotient.
    Product(Product),
    /// Any other expression, shown as it is.
    Other,
}

/// A factor of a numerator or a denominator.
#[derive(Clone, Debug)]
pub(crate) enum Part {
    /// A positive integer (from a rational coefficient).
    Int(BigInt),
    /// A float coefficient ≥ 0.
    Float(f64),
    /// An expression shown as it is.
    Expr(ExprId),
    /// The square root of an expression.
    Root(ExprId),
    /// An expression raised to a positive number.
    Power(ExprId, Num),
}

/// A product as `num / den`; an empty `den` means no fraction.
#[derive(Clone, Debug)]
pub(crate) struct Quotient {
    pub num: Vec<Part>,
    pub den: Vec<Part>,
}

/// Splits an expression into its sign and what follows the sign: a negative
/// number, a product with a negative coefficient, or else positive as it is.
/// Products and powers to a negative number come back as [`Term::Product`].
pub(crate) fn term(pool: &Pool, id: ExprId) -> (bool, Term) {
    match pool.node(id) {
        Node::Num(n) => (n.is_negative(), Term::Num(abs(n))),
        Node::Mul(factors) => {
            let (coeff, rest) = match factors.split_first() {
                Some((&first, rest)) if pool.as_num(first).is_some() => {
                    (pool.as_num(first).cloned().unwrap_or_else(Num::one), rest)
                }
                _ => (Num::one(), &factors[..]),
            };
            let product = Product {
                coeff: abs(&coeff),
                factors: rest.to_vec(),
            };
            (coeff.is_negative(), Term::Product(product))
        }
        Node::Pow(..) if reciprocal(pool, id).is_some() => (
            false,
            Term::Product(Product {
                coeff: Num::one(),
                factors: vec![id],
            }),
        ),
        _ => (false, Term::Other),
    }
}

/// The number `c` a matrix product shows outside a sum on either side, so
/// that `(W⋅X/3 − Y/3)⋅Xᵀ` reads `(W⋅X − Y)⋅Xᵀ/3`, as one writes
/// `(1/N)⋅(P − Y)⋅Xᵀ`. A term's exact coefficients are its number, the
/// entries of a small dense matrix, or 1 (a term shown by its `name`).
/// When every term has a fraction among them, `c` is the gcd of their
/// numerators over the lcm of their denominators; when they are all
/// integers, their gcd. It is negative when every term is, and `None`
/// when it would be 1.
fn shared_factor(pool: &Pool, terms: &[ExprId], named: impl Fn(ExprId) -> bool) -> Option<Rat> {
    let (mut gcd, mut lcm) = (BigInt::zero(), BigInt::one());
    let (mut every_fractional, mut all_integers, mut all_negative) = (true, true, true);
    for &t in terms {
        let (neg, shown) = if named(t) {
            (false, Term::Other)
        } else {
            term(pool, t)
        };
        all_negative &= neg;
        let coefficients: Vec<Rat> = match (&shown, pool.node(t)) {
            (Term::Num(Num::Rat(r)), _) => vec![r.clone()],
            (
                Term::Product(Product {
                    coeff: Num::Rat(r), ..
                }),
                _,
            ) => vec![r.clone()],
            (Term::Other, Node::Dense(d)) if !named(t) => {
                let shape = d.shape();
                if shape.rows > MAX_SHOWN || shape.cols > MAX_SHOWN {
                    return None;
                }
                let entries = d.nums().into_iter().map(|n| match n {
                    Num::Rat(r) => Some(r),
                    Num::Float(_) => None,
                });
                entries.collect::<Option<_>>()?
            }
            (Term::Other, _) => vec![Rat::int(1)],
            (Term::Num(Num::Float(_)) | Term::Product(_), _) => return None,
        };
        let mut fractional = false;
        for r in coefficients.iter().filter(|r| !r.is_zero()) {
            gcd = gcd.gcd(&r.numer());
            lcm = lcm.lcm(&r.denom());
            fractional |= !r.is_integer();
        }
        every_fractional &= fractional;
        all_integers &= !fractional;
    }
    let c = match (every_fractional, all_integers) {
        _ if gcd.is_zero() => return None,
        (true, _) => Rat::new(gcd, lcm),
        (_, true) => Rat::from_integer(gcd),
        _ => return None,
    };
    let c = if all_negative { c.neg() } else { c };
    (!c.is_one()).then_some(c)
}

/// A term of a sum divided by the sum's shared factor.
pub(crate) enum Divided {
    /// A number ≥ 0 and its sign.
    Num(bool, Num),
    /// A product and its sign, as [`term`] splits it.
    Product(bool, Product),
    /// A dense matrix with every entry divided.
    Dense(Dense),
}

/// A sum, unless it is `named`, as its shared factor `c` (see
/// [`shared_factor`]) and its terms in print order divided by it; `None`
/// when `c` would be 1.
pub(crate) fn factored(
    pool: &Pool,
    id: ExprId,
    named: impl Fn(ExprId) -> bool,
) -> Option<(Rat, Vec<Divided>)> {
    if !matches!(pool.node(id), Node::Add(_)) || named(id) {
        return None;
    }
    let terms = pool.terms_as_shown(id);
    let c = shared_factor(pool, &terms, &named)?;
    let divided = sum_order(pool, &terms)
        .into_iter()
        .map(|t| divided(pool, t, &c, named(t)))
        .collect::<Option<_>>()?;
    Some((c, divided))
}

/// A matrix sum whose every term has a fraction, as [`factored`] splits
/// it, so that `A₂/3 − Y/3` reads `(A₂ − Y)/3`, as one writes
/// `(1/N)⋅(P − Y)`. A scalar sum shows its terms as SymPy does (`x/3 +
/// y/3`), a shared integer stays with each term, and a sum with a mean
/// among its terms shows it (`mean(A, 2) − 1/3`).
pub(crate) fn over_denominator(
    pool: &Pool,
    id: ExprId,
    named: impl Fn(ExprId) -> bool,
) -> Option<(Rat, Vec<Divided>)> {
    let a_mean = |t: &ExprId| match term(pool, *t) {
        (_, Term::Product(p)) => !named(*t) && p.mean(pool).is_some(),
        _ => false,
    };
    if pool.shape(id).is_scalar() || pool.terms_as_shown(id).iter().any(a_mean) {
        return None;
    }
    factored(pool, id, named).filter(|(c, _)| !c.is_integer())
}

/// The term `t` (`named` when it is shown by its name) divided by `c`.
fn divided(pool: &Pool, t: ExprId, c: &Rat, named: bool) -> Option<Divided> {
    let inverse = c.recip().ok()?;
    // The term's signed coefficient over `c`.
    let over_c = |neg: bool, r: &Rat| {
        let q = r.mul(&inverse);
        if neg { q.neg() } else { q }
    };
    let (neg, shown) = if named {
        (false, Term::Other)
    } else {
        term(pool, t)
    };
    let divided = match (shown, pool.node(t)) {
        (Term::Num(Num::Rat(r)), _) => {
            let q = Num::Rat(over_c(neg, &r));
            Divided::Num(q.is_negative(), abs(&q))
        }
        (
            Term::Product(Product {
                coeff: Num::Rat(r),
                factors,
            }),
            _,
        ) => {
            let (p, neg) = scaled(&over_c(neg, &r), factors);
            Divided::Product(neg, p)
        }
        (Term::Other, Node::Dense(d)) if !named => {
            let entries = d.nums().into_iter().map(|n| match n {
                Num::Rat(r) => Some(Num::Rat(r.mul(&inverse))),
                Num::Float(_) => None,
            });
            let entries = entries.collect::<Option<_>>()?;
            Divided::Dense(Dense::new(d.shape(), DenseData::Exact(entries)).ok()?)
        }
        (Term::Other, _) => {
            let (p, neg) = scaled(&inverse, vec![t]);
            Divided::Product(neg, p)
        }
        // Floats have no shared factor.
        (Term::Num(Num::Float(_)) | Term::Product(_), _) => return None,
    };
    Some(divided)
}

/// `(coefficient, f, a, b)` when `p` is a matrix product `f = a⋅b` scaled
/// by an exact coefficient and scalars, and a side shows a shared factor
/// (see [`factored`]): the product then takes that factor in, so that
/// `x⋅(A − B)⋅C/3` is one fraction.
pub(crate) fn scaled_matmul(
    pool: &Pool,
    p: &Product,
    named: impl Fn(ExprId) -> bool,
) -> Option<(Rat, ExprId, ExprId, ExprId)> {
    let Num::Rat(coeff) = &p.coeff else {
        return None;
    };
    let mut matrices = p.factors.iter().filter(|&&f| !pool.shape(f).is_scalar());
    let (Some(&f), None) = (matrices.next(), matrices.next()) else {
        return None;
    };
    let Node::MatMul(a, b) = *pool.node(f) else {
        return None;
    };
    let shows_factor = [a, b].iter().any(|&s| factored(pool, s, &named).is_some());
    (!named(f) && shows_factor).then(|| (coeff.clone(), f, a, b))
}

/// An elementwise product with one matrix product among its factors that
/// is not `named`, as its sign, its product and that factor with its sides:
/// the factor the sides show can go outside the elementwise product too
/// (`((1 − A₁∘²)∘(W₂ᵀ⋅(A₂ − Y)))⋅Xᵀ/3`, as back-propagation writes it).
pub(crate) fn hadamard_matmul(
    pool: &Pool,
    id: ExprId,
    named: impl Fn(ExprId) -> bool,
) -> Option<(bool, Product, ExprId, ExprId, ExprId)> {
    let (neg, Term::Product(p)) = term(pool, id) else {
        return None;
    };
    if named(id) {
        return None;
    }
    let mut products = p.factors.iter().filter_map(|&f| match *pool.node(f) {
        Node::MatMul(a, b) if !named(f) => Some((f, a, b)),
        _ => None,
    });
    let (Some((f, a, b)), None) = (products.next(), products.next()) else {
        return None;
    };
    Some((neg, p, f, a, b))
}

/// The product `|c|⋅factors` and whether `c` is negative.
pub(crate) fn scaled(c: &Rat, factors: Vec<ExprId>) -> (Product, bool) {
    let coeff = abs(&Num::Rat(c.clone()));
    (Product { coeff, factors }, c.is_negative())
}

/// The order to print the terms of a sum: as written, except that a sum
/// that would start with a minus starts with its first positive term
/// (`1 - x` rather than `-x + 1`, `a - y` rather than `-y + a`, as SymPy
/// prints them), a negative number written first going last.
pub(crate) fn sum_order(pool: &Pool, terms: &[ExprId]) -> Vec<ExprId> {
    let mut order = terms.to_vec();
    let leads_negative = terms.first().is_some_and(|&t| term(pool, t).0);
    let some_positive = terms.iter().any(|&t| !term(pool, t).0);
    if leads_negative && some_positive && pool.as_num(terms[0]).is_some() {
        // `−1 + σ(z)` is `σ(z) − 1`.
        order.rotate_left(1);
    } else if leads_negative && let Some(k) = terms.iter().position(|&t| !term(pool, t).0) {
        let first = order.remove(k);
        order.insert(0, first);
    }
    order
}

fn abs(n: &Num) -> Num {
    if n.is_negative() { n.neg() } else { n.clone() }
}

/// `(b, e)` for a power `b^(-e)` whose exponent is a negative number.
fn reciprocal(pool: &Pool, id: ExprId) -> Option<(ExprId, Num)> {
    match pool.node(id) {
        Node::Pow(b, e) => pool
            .as_num(*e)
            .filter(|e| e.is_negative())
            .map(|e| (*b, e.neg())),
        _ => None,
    }
}

/// True for the exact number ½.
pub(crate) fn is_half(n: &Num) -> bool {
    matches!(n, Num::Rat(r) if *r == Rat::new(1.into(), 2.into()))
}

/// The part showing `b^e` for a positive number `e`.
fn power_part(b: ExprId, e: Num) -> Part {
    if e.is_one() && e.is_exact() {
        Part::Expr(b)
    } else if is_half(&e) {
        Part::Root(b)
    } else {
        Part::Power(b, e)
    }
}

impl Product {
    /// The numerator and denominator: a rational coefficient `p/q` puts `p`
    /// above and `q` below, powers to negative numbers go below; scalar
    /// factors come before matrices.
    pub(crate) fn quotient(&self, pool: &Pool) -> Quotient {
        let (mut num, mut den) = (Vec::new(), Vec::new());
        match &self.coeff {
            Num::Rat(r) => {
                if !r.numer().is_one() {
                    num.push(Part::Int(r.numer().abs()));
                }
                if !r.denom().is_one() {
                    den.push(Part::Int(r.denom().clone()));
                }
            }
            Num::Float(x) => num.push(Part::Float(*x)),
        }
        for &f in &self.factors {
            match reciprocal(pool, f) {
                Some((b, e)) => den.push(power_part(b, e)),
                None => num.push(Part::Expr(f)),
            }
        }
        // Scalars before matrices (`α⋅B`, not `B⋅α`), each in stored order.
        num.sort_by_key(|p| p.is_matrix(pool));
        den.sort_by_key(|p| p.is_matrix(pool));
        Quotient { num, den }
    }

    /// `(axis, A)` when this product is `mean(A)`: `sum(A)` over its count.
    pub(crate) fn mean(&self, pool: &Pool) -> Option<(Axis, ExprId)> {
        let [f] = self.factors[..] else { return None };
        let Node::Reduce(Reduction::Sum, axis, a) = pool.node(f) else {
            return None;
        };
        let shape = pool.shape(*a);
        let count = match axis {
            Axis::All => shape.len(),
            Axis::Cols => shape.rows,
            Axis::Rows => shape.cols,
        };
        let n = Rat::new(1.into(), BigInt::from(count.max(1)));
        (count >= 2 && matches!(&self.coeff, Num::Rat(r) if *r == n)).then_some((*axis, *a))
    }
}

impl Part {
    /// True when the part is a matrix (its products are elementwise).
    pub(crate) fn is_matrix(&self, pool: &Pool) -> bool {
        match self {
            Part::Int(_) | Part::Float(_) => false,
            Part::Expr(e) | Part::Root(e) | Part::Power(e, _) => !pool.shape(*e).is_scalar(),
        }
    }
}

/// The weakest form the factor `parts[i]` may take: a matrix product
/// scaled by numbers and scalars stays unbracketed (`x⋅A⋅B`, as the
/// product is associative), any other factor is a [`FACTOR`].
pub(crate) fn factor_prec(pool: &Pool, parts: &[Part], i: usize) -> Prec {
    let lone_matrix = parts.iter().filter(|p| p.is_matrix(pool)).count() == 1;
    match parts[i] {
        Part::Expr(e) if lone_matrix && matches!(pool.node(e), Node::MatMul(..)) => Prec::Mul,
        _ => FACTOR,
    }
}

/// Separators of a product: between two matrices the product is elementwise
/// (Hadamard); a scalar on either side scales. `true` marks elementwise.
pub(crate) fn hadamard_marks(pool: &Pool, parts: &[Part]) -> Vec<bool> {
    let mut seen_matrix = false;
    parts
        .iter()
        .map(|p| {
            let m = p.is_matrix(pool);
            let mark = m && seen_matrix;
            seen_matrix |= m;
            mark
        })
        .collect()
}

/// The index text of a slice of a matrix of `shape`, as typed between the
/// brackets: `i, j`, `0:2, :`, or `k` for one element of a vector.
pub(crate) fn index(rows: crate::Span1, cols: crate::Span1, shape: crate::Shape) -> String {
    let one = |s: crate::Span1| s.end == s.start + 1;
    match (one(rows) && one(cols), shape.cols == 1, shape.rows == 1) {
        (true, true, _) => rows.start.to_string(),
        (true, false, true) => cols.start.to_string(),
        _ => format!("{}, {}", span(rows, shape.rows), span(cols, shape.cols)),
    }
}

/// The index text of a span of `n` rows or columns: `:`, `i` or `a:b`.
fn span(s: crate::Span1, n: usize) -> String {
    if s.start == 0 && s.end == n {
        ":".into()
    } else if s.end == s.start + 1 {
        s.start.to_string()
    } else {
        format!("{}:{}", s.start, s.end)
    }
}

/// The entry `(i, j)` of a numeric or literal matrix, as a number if it is one.
fn entry_num(pool: &Pool, id: ExprId, i: usize, j: usize) -> Option<Num> {
    match pool.node(id) {
        Node::Dense(d) => Some(d.get(i, j)),
        Node::Matrix { shape, entries } => pool.as_num(entries[i * shape.cols + j]).cloned(),
        _ => None,
    }
}

/// True for an exact identity matrix of size 2 or more (shown `I`).
pub(crate) fn is_identity(pool: &Pool, id: ExprId) -> bool {
    let shape = pool.shape(id);
    if shape.rows != shape.cols || shape.rows < 2 || shape.len() > 10_000 {
        return false;
    }
    (0..shape.rows).all(|i| {
        (0..shape.cols).all(|j| {
            entry_num(pool, id, i, j)
                .is_some_and(|n| n.is_exact() && if i == j { n.is_one() } else { n.is_zero() })
        })
    })
}

/// The column symbol `v` when a literal matrix is `diag(v)`: its diagonal
/// holds `v₀, v₁, …` in order and every other entry is 0.
pub(crate) fn diagonal_of(pool: &Pool, id: ExprId) -> Option<ExprId> {
    let Node::Matrix { shape, entries } = pool.node(id) else {
        return None;
    };
    if shape.rows != shape.cols || shape.rows < 2 {
        return None;
    }
    let mut vector = None;
    for i in 0..shape.rows {
        for j in 0..shape.cols {
            let e = entries[i * shape.cols + j];
            if i != j {
                if !pool.as_num(e).is_some_and(|n| n.is_zero() && n.is_exact()) {
                    return None;
                }
                continue;
            }
            let Node::Element { symbol, row, col } = pool.node(e) else {
                return None;
            };
            let fits = *row == i && *col == 0 && pool.shape(*symbol).rows == shape.rows;
            if !fits || vector.replace(*symbol).is_some_and(|v| v != *symbol) {
                return None;
            }
        }
    }
    vector
}

/// `(x, y, transposed_first)` when `sum(a, axis)` is an inner product of two
/// vectors: `a = x∘y` with both 1×n summed along rows (shown `y⋅xᵀ`) or both
/// m×1 summed down columns (shown `xᵀ⋅y`), or either summed over all.
pub(crate) fn inner_product(pool: &Pool, axis: Axis, a: ExprId) -> Option<(ExprId, ExprId, bool)> {
    let Node::Mul(factors) = pool.node(a) else {
        return None;
    };
    let [x, y] = factors[..] else {
        return None;
    };
    let (sx, sy) = (pool.shape(x), pool.shape(y));
    if sx != sy || sx.is_scalar() {
        return None;
    }
    match axis {
        Axis::Rows | Axis::All if sx.rows == 1 => Some((y, x, false)),
        Axis::Cols | Axis::All if sx.cols == 1 => Some((x, y, true)),
        _ => None,
    }
}
