//! Rational functions of scalar expressions, for `simplify`: a scalar
//! built from `+`, `⋅` and integer powers is read as a polynomial numerator
//! over a product of polynomial factors, in "atoms" (every other
//! subexpression: symbols, elements, `log(x)`, …) with exact rational
//! coefficients. Sums are put over a common denominator and every
//! denominator factor that divides the numerator (exactly, through a
//! univariate gcd, or a monomial both share) is cancelled, so `(x² −
//! 1)/(x − 1)` is `x + 1`, `x/(x⋅y + x)` is `1/(y + 1)` and `x/(x + y) +
//! y/(x + y)` is 1. Every step is bounded by [`MAX_TERMS`].

use crate::{ExprId, Node, Num, Pool, Rat, Result};
use std::collections::BTreeMap;

/// No polynomial met while simplifying may have more terms than this.
pub(crate) const MAX_TERMS: usize = 200;

/// The largest exponent of an atom or a power of a sum that is multiplied out.
const MAX_DEGREE: u32 = 16;

/// A monomial: the exponent of each atom.
type Mono = Vec<u32>;

/// A polynomial: nonzero coefficients by monomial. The last key in the
/// (lexicographic) order is the leading term.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Poly {
    terms: BTreeMap<Mono, Rat>,
}

impl Poly {
    fn zero() -> Poly {
        Poly {
            terms: BTreeMap::new(),
        }
    }

    fn constant(c: Rat, n: usize) -> Poly {
        let mut p = Poly::zero();
        if !c.is_zero() {
            p.terms.insert(vec![0; n], c);
        }
        p
    }

    fn atom(k: usize, n: usize) -> Poly {
        let mut m = vec![0; n];
        m[k] = 1;
        let mut p = Poly::zero();
        p.terms.insert(m, Rat::int(1));
        p
    }

    /// How many atoms its monomials have room for.
    fn width(&self) -> usize {
        self.terms.keys().next().map_or(0, Vec::len)
    }

    fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// The constant value, for a polynomial without atoms.
    fn as_constant(&self) -> Option<Rat> {
        match self.terms.iter().next() {
            None => Some(Rat::int(0)),
            Some((m, c)) if self.terms.len() == 1 && m.iter().all(|&e| e == 0) => Some(c.clone()),
            _ => None,
        }
    }

    fn leading(&self) -> Option<(&Mono, &Rat)> {
        self.terms.iter().next_back()
    }

    fn checked(self) -> Option<Poly> {
        (self.terms.len() <= MAX_TERMS).then_some(self)
    }

    fn add(&self, other: &Poly) -> Option<Poly> {
        let mut out = self.clone();
        for (m, c) in &other.terms {
            let sum = match out.terms.get(m) {
                Some(d) => d.add(c),
                None => c.clone(),
            };
            if sum.is_zero() {
                out.terms.remove(m);
            } else {
                out.terms.insert(m.clone(), sum);
            }
        }
        out.checked()
    }

    fn scale(&self, c: &Rat) -> Poly {
        let terms = if c.is_zero() {
            BTreeMap::new()
        } else {
            self.terms
                .iter()
                .map(|(m, d)| (m.clone(), d.mul(c)))
                .collect()
        };
        Poly { terms }
    }

    fn mul(&self, other: &Poly) -> Option<Poly> {
        if self.terms.len().saturating_mul(other.terms.len()) > MAX_TERMS * MAX_TERMS {
            return None;
        }
        let mut terms: BTreeMap<Mono, Rat> = BTreeMap::new();
        for (m, c) in &self.terms {
            for (n, d) in &other.terms {
                let mono: Mono = m.iter().zip(n).map(|(a, b)| a + b).collect();
                if mono.iter().any(|&e| e > MAX_DEGREE * 4) {
                    return None;
                }
                let cd = c.mul(d);
                match terms.get_mut(&mono) {
                    Some(x) => *x = x.add(&cd),
                    None => {
                        terms.insert(mono, cd);
                    }
                }
            }
        }
        terms.retain(|_, c| !c.is_zero());
        Poly { terms }.checked()
    }

    fn pow(&self, k: u32) -> Option<Poly> {
        let Some(n) = self.terms.keys().next().map(Vec::len) else {
            return Some(Poly::zero());
        };
        let mut out = Poly::constant(Rat::int(1), n);
        for _ in 0..k {
            out = out.mul(self)?;
        }
        Some(out)
    }

    /// `self / d` when `d` divides `self` exactly (lexicographic division).
    fn exact_div(&self, d: &Poly) -> Option<Poly> {
        let (ld, lc) = d.leading()?;
        let mut rest = self.clone();
        let mut quotient = Poly::zero();
        for _ in 0..=MAX_TERMS {
            let Some((lr, rc)) = rest.leading() else {
                return Some(quotient);
            };
            if lr.iter().zip(ld).any(|(a, b)| a < b) {
                return None;
            }
            let mono: Mono = lr.iter().zip(ld).map(|(a, b)| a - b).collect();
            let t = Poly {
                terms: BTreeMap::from([(mono, rc.mul(&lc.recip().ok()?))]),
            };
            rest = rest.add(&t.mul(d)?.scale(&Rat::int(-1)))?;
            quotient = quotient.add(&t)?;
        }
        None
    }

    /// The largest monomial dividing every term (none for zero).
    fn content(&self) -> Option<Mono> {
        let mut monos = self.terms.keys();
        let first = monos.next()?.clone();
        Some(monos.fold(first, |c, m| {
            c.iter().zip(m).map(|(a, b)| *a.min(b)).collect()
        }))
    }

    /// This polynomial divided by `m`, a monomial dividing every term.
    fn div_mono(&self, m: &[u32]) -> Poly {
        let terms = self.terms.iter().map(|(t, c)| {
            let t = t.iter().zip(m).map(|(a, b)| a - b).collect();
            (t, c.clone())
        });
        Poly {
            terms: terms.collect(),
        }
    }

    /// The one atom this polynomial depends on, if it depends on exactly one.
    fn single_atom(&self) -> Option<usize> {
        let mut found = None;
        for m in self.terms.keys() {
            for (k, &e) in m.iter().enumerate() {
                if e > 0 {
                    match found {
                        None => found = Some(k),
                        Some(j) if j == k => {}
                        Some(_) => return None,
                    }
                }
            }
        }
        found
    }

    /// This polynomial divided by its leading coefficient.
    fn monic(&self) -> Option<Poly> {
        let (_, c) = self.leading()?;
        Some(self.scale(&c.recip().ok()?))
    }

    /// The monic gcd of two polynomials in the same single atom (Euclid).
    fn univariate_gcd(&self, other: &Poly) -> Option<Poly> {
        let k = self.single_atom()?;
        if other.single_atom()? != k {
            return None;
        }
        let (mut a, mut b) = (self.monic()?, other.monic()?);
        for _ in 0..=MAX_DEGREE * 4 {
            if b.is_zero() {
                return a.monic();
            }
            let r = a.remainder(&b, k)?;
            (a, b) = (b, r);
        }
        None
    }

    /// The remainder of dividing by `d`, both in the single atom `k`.
    fn remainder(&self, d: &Poly, k: usize) -> Option<Poly> {
        let deg = |p: &Poly| p.leading().map(|(m, _)| m[k]);
        let (dd, dc) = {
            let (m, c) = d.leading()?;
            (m[k], c.clone())
        };
        let mut r = self.clone();
        for _ in 0..=MAX_DEGREE * 4 {
            match deg(&r) {
                Some(dr) if dr >= dd => {
                    let (m, c) = r.leading()?;
                    let mut mono = m.clone();
                    mono[k] -= dd;
                    let t = Poly {
                        terms: BTreeMap::from([(mono, c.mul(&dc.recip().ok()?))]),
                    };
                    r = r.add(&t.mul(d)?.scale(&Rat::int(-1)))?;
                }
                _ => return Some(r),
            }
        }
        None
    }
}

/// A rational function: a numerator over a product of factors, each with
/// its multiplicity.
#[derive(Clone, Debug)]
struct Fraction {
    num: Poly,
    den: Vec<(Poly, u32)>,
}

/// Reads expressions into rational functions over a growing list of atoms.
struct Reader<'a> {
    pool: &'a Pool,
    atoms: Vec<ExprId>,
    width: usize,
}

impl Reader<'_> {
    fn atom_index(&mut self, e: ExprId) -> Option<usize> {
        match self.atoms.iter().position(|&a| a == e) {
            Some(k) => Some(k),
            None if self.atoms.len() < self.width => {
                self.atoms.push(e);
                Some(self.atoms.len() - 1)
            }
            None => None,
        }
    }

    fn read(&mut self, e: ExprId) -> Option<Fraction> {
        let n = self.width;
        let whole = |num| Fraction { num, den: vec![] };
        match self.pool.node(e) {
            Node::Num(Num::Rat(r)) => Some(whole(Poly::constant(r.clone(), n))),
            Node::Num(Num::Float(_)) => None,
            Node::Add(ts) => {
                let mut acc = whole(Poly::zero());
                for &t in ts {
                    let f = self.read(t)?;
                    acc = add_fractions(&acc, &f)?;
                }
                Some(acc)
            }
            Node::Mul(fs) => {
                let mut acc = whole(Poly::constant(Rat::int(1), n));
                for &f in fs {
                    let g = self.read(f)?;
                    acc = Fraction {
                        num: acc.num.mul(&g.num)?,
                        den: merge_factors(&acc.den, &g.den, true),
                    };
                }
                Some(acc)
            }
            Node::Pow(b, x) => {
                let k = self.pool.as_num(*x).and_then(Num::to_i64);
                let base = *b;
                match k {
                    Some(k) if k != 0 && k.unsigned_abs() <= MAX_DEGREE as u64 => {
                        let f = self.read(base)?;
                        let k32 = k.unsigned_abs() as u32;
                        if k > 0 {
                            let num = f.num.pow(k32)?;
                            let den = f.den.iter().map(|(p, m)| (p.clone(), m * k32)).collect();
                            Some(Fraction { num, den })
                        } else {
                            // 1/f = den/num: the numerator becomes one factor.
                            let mut num = Poly::constant(Rat::int(1), n);
                            for (p, m) in &f.den {
                                num = num.mul(&p.pow(m * k32)?)?;
                            }
                            let (c, rest) = split_constant(&f.num)?;
                            let num = num.scale(&c.recip().ok()?.powi(k32));
                            let den = match rest {
                                Some(p) => vec![(p, k32)],
                                None => vec![],
                            };
                            Some(Fraction { num, den })
                        }
                    }
                    _ => Some(whole(Poly::atom(self.atom_index(e)?, n))),
                }
            }
            _ => Some(whole(Poly::atom(self.atom_index(e)?, n))),
        }
    }
}

/// A polynomial as its leading coefficient times a monic polynomial (none
/// when it is a constant). Zero has no such form.
fn split_constant(p: &Poly) -> Option<(Rat, Option<Poly>)> {
    if let Some(c) = p.as_constant() {
        return (!c.is_zero()).then_some((c, None));
    }
    let (_, c) = p.leading()?;
    Some((c.clone(), Some(p.monic()?)))
}

/// The factors of `a` and `b` together: multiplied (`sum` true: the
/// multiplicities add) or their least common multiple (the larger one).
fn merge_factors(a: &[(Poly, u32)], b: &[(Poly, u32)], sum: bool) -> Vec<(Poly, u32)> {
    let mut out = a.to_vec();
    for (p, m) in b {
        match out.iter_mut().find(|(q, _)| q == p) {
            Some((_, k)) if sum => *k += m,
            Some((_, k)) => *k = (*k).max(*m),
            None => out.push((p.clone(), *m)),
        }
    }
    out
}

/// `f` over the common denominator `den`: its numerator times the factors
/// of `den` it lacks.
fn raise(f: &Fraction, den: &[(Poly, u32)]) -> Option<Poly> {
    let mut num = f.num.clone();
    for (p, m) in den {
        let own = f.den.iter().find(|(q, _)| q == p).map_or(0, |(_, k)| *k);
        num = num.mul(&p.pow(m - own)?)?;
    }
    Some(num)
}

/// The product of the factors, each to its multiplicity (over `width`
/// atoms), within the term bound.
fn multiplied(factors: &[(Poly, u32)], width: usize) -> Option<Poly> {
    factors
        .iter()
        .try_fold(Poly::constant(Rat::int(1), width), |acc, (p, m)| {
            acc.mul(&p.pow(*m)?)
        })
}

fn add_fractions(a: &Fraction, b: &Fraction) -> Option<Fraction> {
    let den = merge_factors(&a.den, &b.den, false);
    let num = raise(a, &den)?.add(&raise(b, &den)?)?;
    Some(Fraction { num, den })
}

/// Cancels the monomial the numerator shares with each denominator factor,
/// every factor that divides the numerator, the numerator where it divides
/// a factor, and the univariate gcd of the numerator with each remaining
/// factor.
fn cancel(mut f: Fraction) -> Option<Fraction> {
    if f.num.is_zero() {
        f.den.clear();
        return Some(f);
    }
    let mut den = Vec::new();
    for (mut p, mut m) in std::mem::take(&mut f.den) {
        // A monomial the numerator shares with the factor: x/(x⋅y + x) is
        // 1/(y + 1). What the numerator lacks of the factor's stays as
        // powers of atoms.
        if let (Some(cn), Some(cp)) = (f.num.content(), p.content()) {
            let shared: Mono = cn.iter().zip(&cp).map(|(a, b)| (*a).min(b * m)).collect();
            if shared.iter().any(|&e| e > 0) {
                f.num = f.num.div_mono(&shared);
                p = p.div_mono(&cp);
                for (k, (c, g)) in cp.iter().zip(&shared).enumerate() {
                    if c * m > *g {
                        den = merge_factors(&den, &[(Poly::atom(k, cp.len()), c * m - g)], true);
                    }
                }
            }
        }
        while m > 0 {
            match f.num.exact_div(&p) {
                Some(q) => {
                    f.num = q;
                    m -= 1;
                }
                None => break,
            }
        }
        if m == 0 {
            continue;
        }
        // The numerator dividing the factor: (x + y)/(x² − y²) is 1/(x − y).
        if m == 1
            && f.num.as_constant().is_none()
            && let Some(q) = p.exact_div(&f.num)
        {
            f.num = Poly::constant(Rat::int(1), p.width());
            p = q;
        }
        if let Some(g) = f.num.univariate_gcd(&p)
            && g.as_constant().is_none()
        {
            f.num = f.num.exact_div(&g)?;
            let rest = p.exact_div(&g)?;
            // The rest of this factor keeps multiplicity 1 of the gcd removed.
            if m > 1 {
                den.push((p.clone(), m - 1));
            }
            p = rest;
            m = 1;
        }
        match split_constant(&p)? {
            (c, None) => f.num = f.num.scale(&c.recip().ok()?.powi(m)),
            (c, Some(q)) => {
                f.num = f.num.scale(&c.recip().ok()?.powi(m));
                den.push((q, m));
            }
        }
    }
    f.den = den;
    Some(f)
}

impl Pool {
    /// The scalar `e` as a rational function with common factors cancelled,
    /// rebuilt as an expression; `None` when `e` is not a scalar built from
    /// exact numbers, sums, products and integer powers within the bounds,
    /// or has no denominator.
    pub(crate) fn cancelled(&mut self, e: ExprId) -> Result<Option<ExprId>> {
        if !self.shape(e).is_scalar() || !self.has_denominator(e) {
            return Ok(None);
        }
        let mut reader = Reader {
            pool: self,
            atoms: Vec::new(),
            width: 12,
        };
        let Some(f) = reader.read(e).and_then(cancel) else {
            return Ok(None);
        };
        let atoms = reader.atoms;
        let num = self.poly_expr(&f.num, &atoms)?;
        let mut factors = vec![num];
        for (p, m) in &f.den {
            let d = self.poly_expr(p, &atoms)?;
            let k = self.int(-i64::from(*m))?;
            factors.push(self.pow(d, k)?);
        }
        let factored = self.mul(&factors)?;
        // The denominator multiplied out, as SymPy's `cancel` writes it,
        // where that is smaller: 2/(x² − 1), not 2/((x − 1)⋅(x + 1)).
        let several = f.den.len() > 1 || f.den.iter().any(|(_, m)| *m > 1);
        let Some(den) = several.then(|| multiplied(&f.den, f.num.width())).flatten() else {
            return Ok(Some(factored));
        };
        let den = self.poly_expr(&den, &atoms)?;
        let over = self.int(-1)?;
        let over = self.pow(den, over)?;
        let whole = self.mul(&[num, over])?;
        Ok(Some(if self.size(whole) < self.size(factored) {
            whole
        } else {
            factored
        }))
    }

    fn poly_expr(&mut self, p: &Poly, atoms: &[ExprId]) -> Result<ExprId> {
        let mut terms = Vec::with_capacity(p.terms.len());
        // Highest terms first, as a textbook writes a polynomial.
        for (m, c) in p.terms.iter().rev() {
            let mut factors = vec![self.num(Num::Rat(c.clone()))?];
            for (k, &e) in m.iter().enumerate() {
                if e > 0 {
                    let x = self.int(i64::from(e))?;
                    factors.push(self.pow(atoms[k], x)?);
                }
            }
            terms.push(self.mul(&factors)?);
        }
        self.add(&terms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(terms: &[(&[u32], i64)]) -> Poly {
        let mut out = Poly::zero();
        for (m, c) in terms {
            let t = Poly {
                terms: BTreeMap::from([(m.to_vec(), Rat::int(*c))]),
            };
            out = out.add(&t).unwrap();
        }
        out
    }

    #[test]
    fn exact_division_by_hand() {
        // (x² − y²) / (x − y) = x + y
        let n = p(&[(&[2, 0], 1), (&[0, 2], -1)]);
        let d = p(&[(&[1, 0], 1), (&[0, 1], -1)]);
        assert_eq!(n.exact_div(&d), Some(p(&[(&[1, 0], 1), (&[0, 1], 1)])));
        // x² + y² is not a multiple of x − y
        let m = p(&[(&[2, 0], 1), (&[0, 2], 1)]);
        assert_eq!(m.exact_div(&d), None);
    }

    #[test]
    fn univariate_gcd_by_hand() {
        // gcd(x² − 1, x² + 2x + 1) = x + 1
        let a = p(&[(&[2], 1), (&[0], -1)]);
        let b = p(&[(&[2], 1), (&[1], 2), (&[0], 1)]);
        assert_eq!(a.univariate_gcd(&b), Some(p(&[(&[1], 1), (&[0], 1)])));
        // gcd(x² + 1, x − 1) = 1
        let c = p(&[(&[2], 1), (&[0], 1)]);
        let d = p(&[(&[1], 1), (&[0], -1)]);
        assert_eq!(c.univariate_gcd(&d), Some(p(&[(&[0], 1)])));
    }

    #[test]
    fn products_stay_within_the_term_bound() {
        // (x + y + 1)^20 has 231 terms: over the bound, so not formed.
        let s = p(&[(&[1, 0], 1), (&[0, 1], 1), (&[0, 0], 1)]);
        assert!(s.pow(20).is_none());
        assert_eq!(s.pow(2).map(|q| q.terms.len()), Some(6));
    }
}
