//! Exact rationals that stay inline while they are small.
//!
//! Almost every number in a loss expression is a small integer or a small
//! fraction (`-1`, `1/3`, `2`), so a rational is held as two i64 parts and
//! only becomes a big rational when a part outgrows them. The form is
//! canonical (lowest terms, positive denominator, inline whenever it fits),
//! so equal values have equal representations and derived equality and
//! hashing are by value.

use crate::{Error, Result};
use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// An exact rational number in lowest terms.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Rat(Repr);

/// Equality and hashing compare the parts: the form is canonical, and
/// num-rational's own (by continued fractions) is slow and recursive on big
/// parts.
#[derive(Clone, Debug)]
enum Repr {
    /// `n/d` with `d > 0`, `gcd(n, d) = 1` and `n ≠ i64::MIN` (so `-n` fits).
    Small(i64, i64),
    /// A value whose parts do not fit [`Repr::Small`].
    Big(Box<BigRational>),
}

impl PartialEq for Repr {
    fn eq(&self, other: &Repr) -> bool {
        match (self, other) {
            (Repr::Small(p, q), Repr::Small(r, s)) => (p, q) == (r, s),
            (Repr::Big(a), Repr::Big(b)) => a.denom() == b.denom() && a.numer() == b.numer(),
            _ => false,
        }
    }
}

impl Eq for Repr {}

impl Hash for Repr {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Repr::Small(n, d) => (0u8, n, d).hash(state),
            Repr::Big(r) => (1u8, r.numer(), r.denom()).hash(state),
        }
    }
}

impl Rat {
    /// The integer `n`.
    pub fn int(n: i64) -> Rat {
        Rat::reduced(n.into(), 1)
    }

    /// `p/q` in lowest terms; `q` must not be zero.
    pub fn new(p: BigInt, q: BigInt) -> Rat {
        Rat::from_big(BigRational::new(p, q))
    }

    /// The integer `n`.
    pub fn from_integer(n: BigInt) -> Rat {
        Rat::from_big(BigRational::from_integer(n))
    }

    /// `n/d` (`d > 0`) in lowest terms, in 64-bit arithmetic when the
    /// parts fit (128-bit division is several times slower).
    fn reduced(n: i128, d: i128) -> Rat {
        if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d))
            && n != i64::MIN
        {
            if d == 1 {
                return Rat(Repr::Small(n, 1));
            }
            let g = n.unsigned_abs().gcd(&d.unsigned_abs()).max(1) as i64;
            return Rat(Repr::Small(n / g, d / g));
        }
        let g = n.unsigned_abs().gcd(&d.unsigned_abs()).max(1) as i128;
        let (n, d) = (n / g, d / g);
        match (i64::try_from(n), i64::try_from(d)) {
            (Ok(n), Ok(d)) if n != i64::MIN => Rat(Repr::Small(n, d)),
            _ => Rat(Repr::Big(Box::new(BigRational::new_raw(
                n.into(),
                d.into(),
            )))),
        }
    }

    /// A big rational (already in lowest terms), inline when it fits.
    fn from_big(r: BigRational) -> Rat {
        match (r.numer().to_i64(), r.denom().to_i64()) {
            (Some(n), Some(d)) if n != i64::MIN => Rat(Repr::Small(n, d)),
            _ => Rat(Repr::Big(Box::new(r))),
        }
    }

    fn to_big(&self) -> BigRational {
        match &self.0 {
            Repr::Small(n, d) => BigRational::new_raw((*n).into(), (*d).into()),
            Repr::Big(r) => (**r).clone(),
        }
    }

    /// The numerator (it carries the sign).
    pub fn numer(&self) -> BigInt {
        match &self.0 {
            Repr::Small(n, _) => (*n).into(),
            Repr::Big(r) => r.numer().clone(),
        }
    }

    /// The denominator, positive.
    pub fn denom(&self) -> BigInt {
        match &self.0 {
            Repr::Small(_, d) => (*d).into(),
            Repr::Big(r) => r.denom().clone(),
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Small(0, _))
    }

    pub fn is_one(&self) -> bool {
        matches!(self.0, Repr::Small(1, 1))
    }

    /// True when both parts fit a machine word: a sum or product of two
    /// such numbers is fast and far below any size limit.
    pub fn is_small(&self) -> bool {
        matches!(self.0, Repr::Small(..))
    }

    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Small(_, d) => *d == 1,
            Repr::Big(r) => r.is_integer(),
        }
    }

    pub fn is_negative(&self) -> bool {
        match &self.0 {
            Repr::Small(n, _) => *n < 0,
            Repr::Big(r) => r.is_negative(),
        }
    }

    /// The value as an i64 if it is an integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Small(n, 1) => Some(*n),
            _ => None,
        }
    }

    /// The simplest fraction with a denominator of at most `max_denominator`
    /// within `tolerance` (relative) of `x`, by continued fractions: `1/3`
    /// for the f64 nearest ⅓. `None` for a non-finite `x` or when no such
    /// fraction is found.
    pub fn near(x: f64, tolerance: f64, max_denominator: i64) -> Option<Rat> {
        if !x.is_finite() {
            return None;
        }
        // Convergents h/k of the continued fraction of |x|.
        let (mut h, mut h_prev, mut k, mut k_prev) = (1i128, 0i128, 0i128, 1i128);
        let mut y = x.abs();
        for _ in 0..64 {
            let a = y.floor();
            if a > 1e15 {
                return None;
            }
            let a = a as i128;
            (h, h_prev) = (a * h + h_prev, h);
            (k, k_prev) = (a * k + k_prev, k);
            if k > i128::from(max_denominator) {
                return None;
            }
            let value = h as f64 / k as f64;
            if (value - x.abs()).abs() <= tolerance * x.abs() {
                let sign = if x < 0.0 { -1 } else { 1 };
                return Some(Rat::new(BigInt::from(sign * h), BigInt::from(k)));
            }
            let rest = y - y.floor();
            if rest == 0.0 {
                return None;
            }
            y = 1.0 / rest;
        }
        None
    }

    /// The value as an f64 (huge values become ±inf).
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            Repr::Small(n, d) => *n as f64 / *d as f64,
            Repr::Big(r) => big_to_f64(r),
        }
    }

    pub fn neg(&self) -> Rat {
        match &self.0 {
            Repr::Small(n, d) => Rat(Repr::Small(-n, *d)),
            Repr::Big(r) => Rat::from_big(-(**r).clone()),
        }
    }

    pub fn add(&self, other: &Rat) -> Rat {
        match (&self.0, &other.0) {
            (&Repr::Small(p, 1), &Repr::Small(r, 1)) => Rat::reduced(p as i128 + r as i128, 1),
            (&Repr::Small(p, q), &Repr::Small(r, s)) => {
                let (p, q, r, s) = (p as i128, q as i128, r as i128, s as i128);
                Rat::reduced(p * s + r * q, q * s)
            }
            _ => Rat::from_big(big_sum(&self.to_big(), &other.to_big())),
        }
    }

    pub fn mul(&self, other: &Rat) -> Rat {
        match (&self.0, &other.0) {
            (&Repr::Small(p, q), &Repr::Small(r, s)) => {
                Rat::reduced(p as i128 * r as i128, q as i128 * s as i128)
            }
            _ => Rat::from_big(big_product(&self.to_big(), &other.to_big())),
        }
    }

    /// The size in bits of the larger of numerator and denominator.
    pub fn bits(&self) -> u64 {
        match &self.0 {
            Repr::Small(n, d) => {
                u64::from(64 - n.unsigned_abs().max(d.unsigned_abs()).leading_zeros())
            }
            Repr::Big(r) => r.numer().bits().max(r.denom().bits()),
        }
    }

    /// The sizes in bits of the numerator and the denominator.
    pub fn part_bits(&self) -> (u64, u64) {
        let bits = |x: u64| u64::from(64 - x.leading_zeros());
        match &self.0 {
            Repr::Small(n, d) => (bits(n.unsigned_abs()), bits(d.unsigned_abs())),
            Repr::Big(r) => (r.numer().bits(), r.denom().bits()),
        }
    }

    /// `1/self`; an error for zero.
    pub fn recip(&self) -> Result<Rat> {
        match &self.0 {
            Repr::Small(0, _) => Err(Error::DivisionByZero),
            &Repr::Small(n, d) => Ok(Rat(Repr::Small(d * n.signum(), n.abs()))),
            Repr::Big(r) => Ok(Rat::from_big(r.recip())),
        }
    }

    /// `self^n`.
    pub fn powi(&self, n: u32) -> Rat {
        if let Repr::Small(b, d) = self.0
            && let (Some(p), Some(q)) = (b.checked_pow(n), d.checked_pow(n))
        {
            return Rat::reduced(p.into(), q.into());
        }
        let r = self.to_big();
        Rat::from_big(BigRational::new_raw(r.numer().pow(n), r.denom().pow(n)))
    }
}

impl Ord for Rat {
    fn cmp(&self, other: &Rat) -> Ordering {
        match (&self.0, &other.0) {
            (&Repr::Small(p, q), &Repr::Small(r, s)) => {
                (p as i128 * s as i128).cmp(&(r as i128 * q as i128))
            }
            // Positive denominators: p/q < r/s exactly when p⋅s < r⋅q.
            _ => (self.numer() * other.denom()).cmp(&(other.numer() * self.denom())),
        }
    }
}

impl PartialOrd for Rat {
    fn partial_cmp(&self, other: &Rat) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<BigInt> for Rat {
    fn from(n: BigInt) -> Rat {
        Rat::from_integer(n)
    }
}

impl fmt::Display for Rat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Repr::Small(n, 1) => write!(f, "{n}"),
            Repr::Small(n, d) => write!(f, "{n}/{d}"),
            Repr::Big(r) => write!(f, "{r}"),
        }
    }
}

// Sums and products of big rationals in lowest terms, without the gcd that
// num-rational's operators compute on every result: its binary gcd is
// quadratic in the bits even against 1, which made adding or multiplying two
// big integers take seconds.

/// `a + b`: an integer part keeps the other denominator (`p/q + n` is in
/// lowest terms), and only two fractions need a gcd.
fn big_sum(a: &BigRational, b: &BigRational) -> BigRational {
    match (a.is_integer(), b.is_integer()) {
        (true, true) => BigRational::from_integer(a.numer() + b.numer()),
        (false, true) => BigRational::new_raw(a.numer() + b.numer() * a.denom(), a.denom().clone()),
        (true, false) => big_sum(b, a),
        (false, false) => a + b,
    }
}

/// `a⋅b` by cross-cancelling: `(p/q)⋅(r/s)` divides `p` and `s` by their
/// gcd and `r` and `q` by theirs, which leaves the product in lowest terms.
fn big_product(a: &BigRational, b: &BigRational) -> BigRational {
    if a.numer().is_zero() || b.numer().is_zero() {
        return BigRational::from_integer(BigInt::zero());
    }
    let (g1, g2) = (gcd(a.numer(), b.denom()), gcd(b.numer(), a.denom()));
    BigRational::new_raw(
        (a.numer() / &g1) * (b.numer() / &g2),
        (a.denom() / &g2) * (b.denom() / &g1),
    )
}

/// The gcd, at once when a part is one and by one remainder when it fits a
/// machine word.
fn gcd(a: &BigInt, b: &BigInt) -> BigInt {
    if a.is_one() || b.is_one() {
        return BigInt::one();
    }
    match (a.magnitude().to_u64(), b.magnitude().to_u64()) {
        (_, Some(w)) if w != 0 => (a.magnitude() % w).gcd(&BigUint::from(w)).into(),
        (Some(w), _) if w != 0 => (b.magnitude() % w).gcd(&BigUint::from(w)).into(),
        _ => a.gcd(b),
    }
}

fn big_to_f64(r: &BigRational) -> f64 {
    if let (Some(n), Some(d)) = (r.numer().to_f64(), r.denom().to_f64())
        && n.is_finite()
        && d.is_finite()
    {
        return n / d;
    }
    // Huge numerator or denominator: scale both down by the same power of two.
    let shift = r.numer().bits().max(r.denom().bits()).saturating_sub(1000) as usize;
    let n = (r.numer() >> shift).to_f64().unwrap_or(f64::NAN);
    let d = (r.denom() >> shift).to_f64().unwrap_or(f64::NAN);
    n / d
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::Zero;
    use std::hash::{DefaultHasher, Hash, Hasher};

    /// Parts around the i64 limits, where the inline form must hand over to
    /// big integers.
    const PARTS: [i64; 11] = [
        0,
        1,
        -1,
        2,
        3,
        -6,
        7,
        1 << 40,
        -(1 << 62),
        i64::MAX,
        i64::MIN + 1,
    ];
    const DENOMS: [i64; 6] = [1, 2, 3, 9, 1 << 31, i64::MAX];

    fn hash(r: &Rat) -> u64 {
        let mut h = DefaultHasher::new();
        r.hash(&mut h);
        h.finish()
    }

    /// Every operation agrees with num-rational's big rationals, and results
    /// are canonical: equal values are equal and hash alike.
    #[test]
    fn near_finds_the_simplest_fraction_of_a_float() {
        let near = |x: f64| Rat::near(x, 1e-12, 1_000_000_000);
        assert_eq!(near(2.0 / 3.0), Some(Rat::new(2.into(), 3.into())));
        assert_eq!(
            near(-1.0 / 60000.0),
            Some(Rat::new((-1).into(), 60000.into()))
        );
        assert_eq!(near(0.1), Some(Rat::new(1.into(), 10.into())));
        assert_eq!(near(-7.0), Some(Rat::int(-7)));
        assert_eq!(near(0.0), Some(Rat::int(0)));
        // π is 1146408/364913 to 10⁻¹², and no fraction with a denominator up to 10⁵.
        let pi = std::f64::consts::PI;
        assert_eq!(
            Rat::near(pi, 1e-12, 1_000_000),
            Some(Rat::new(1146408.into(), 364913.into()))
        );
        assert_eq!(Rat::near(pi, 1e-12, 100_000), None);
        assert_eq!(near(f64::NAN), None);
        assert_eq!(near(1e300), None);
    }

    #[test]
    fn agrees_with_big_rationals_across_the_i64_limits() {
        let bigs: Vec<BigRational> = PARTS
            .iter()
            .flat_map(|&p| {
                DENOMS
                    .iter()
                    .map(move |&q| BigRational::new(p.into(), q.into()))
            })
            .chain([BigRational::from_integer(BigInt::from(i64::MIN))])
            .chain(beyond_i64())
            .collect();
        let of = |b: &BigRational| Rat::new(b.numer().clone(), b.denom().clone());
        for a in &bigs {
            let x = of(a);
            assert_eq!(x.to_string(), a.to_string());
            assert_eq!(x.neg(), of(&-a), "-({a})");
            assert_eq!(x.powi(3), of(&a.pow(3)), "({a})^3");
            if !a.is_zero() {
                assert_eq!(x.recip().unwrap(), of(&a.recip()), "1/({a})");
            }
            for b in &bigs {
                let y = of(b);
                let (sum, product) = (x.add(&y), x.mul(&y));
                assert_eq!(sum, of(&(a + b)), "{a} + {b}");
                assert_eq!(product, of(&(a * b)), "{a} * {b}");
                assert_eq!(hash(&sum), hash(&of(&(a + b))));
                assert_eq!(x.cmp(&y), a.cmp(b), "{a} vs {b}");
                assert_eq!(x == y, a == b);
            }
        }
    }

    /// Values whose parts are beyond i64: integers, fractions with a big
    /// numerator or denominator, and parts sharing factors.
    fn beyond_i64() -> Vec<BigRational> {
        let two = BigInt::from(2).pow(100u32);
        let three = BigInt::from(3).pow(70u32);
        let six = &two * &three;
        vec![
            BigRational::from_integer(two.clone() + 1),
            BigRational::from_integer(-six.clone()),
            BigRational::new(three.clone(), two.clone()),
            BigRational::new(-BigInt::from(7), six.clone()),
            BigRational::new(two.clone() * 5, three.clone() + 2),
            BigRational::new(BigInt::from(i64::MAX) * 3, BigInt::from(2)),
        ]
    }

    #[test]
    fn zero_has_no_reciprocal() {
        assert_eq!(Rat::int(0).recip(), Err(Error::DivisionByZero));
    }

    #[test]
    fn huge_values_convert_to_float() {
        let big = Rat::from_integer(BigInt::from(10).pow(400));
        let third = Rat::new(
            BigInt::from(10).pow(400),
            BigInt::from(3) * BigInt::from(10).pow(400),
        );
        assert_eq!(big.to_f64(), f64::INFINITY);
        assert!((third.to_f64() - 1.0 / 3.0).abs() < 1e-15);
    }
}
