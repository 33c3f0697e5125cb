//! Numbers: exact rationals with big integers, and f64 floats.
//!
//! Arithmetic stays exact while both operands are exact; a float operand
//! makes the result a float.

use crate::{Error, Result};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// An exact rational number.
pub type Rat = BigRational;

/// A number: exact rational or float.
#[derive(Clone, Debug)]
pub enum Num {
    Rat(Rat),
    Float(f64),
}

/// Exponents larger than this are not computed exactly (the result would be huge).
const MAX_EXACT_EXPONENT: u64 = 100_000;

impl Num {
    pub fn int(n: i64) -> Num {
        Num::Rat(Rat::from_integer(BigInt::from(n)))
    }

    /// The exact rational `p/q`; an error when `q` is zero.
    pub fn ratio(p: BigInt, q: BigInt) -> Result<Num> {
        if q.is_zero() {
            return Err(Error::DivisionByZero);
        }
        Ok(Num::Rat(Rat::new(p, q)))
    }

    pub fn zero() -> Num {
        Num::int(0)
    }

    pub fn one() -> Num {
        Num::int(1)
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Num::Rat(r) => r.is_zero(),
            Num::Float(x) => *x == 0.0,
        }
    }

    pub fn is_one(&self) -> bool {
        match self {
            Num::Rat(r) => r.is_one(),
            Num::Float(x) => *x == 1.0,
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Num::Rat(_))
    }

    /// True for an exact integer.
    pub fn is_integer(&self) -> bool {
        matches!(self, Num::Rat(r) if r.is_integer())
    }

    pub fn is_negative(&self) -> bool {
        match self {
            Num::Rat(r) => r.is_negative(),
            Num::Float(x) => *x < 0.0,
        }
    }

    /// The value as an f64 (rationals rounded; huge ones become ±inf).
    pub fn to_f64(&self) -> f64 {
        match self {
            Num::Rat(r) => rat_to_f64(r),
            Num::Float(x) => *x,
        }
    }

    /// The value as an i64 if it is an exact integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Num::Rat(r) if r.is_integer() => r.to_integer().to_i64(),
            _ => None,
        }
    }

    pub fn neg(&self) -> Num {
        match self {
            Num::Rat(r) => Num::Rat(-r),
            Num::Float(x) => Num::Float(-x),
        }
    }

    pub fn add(&self, other: &Num) -> Num {
        match (self, other) {
            (Num::Rat(a), Num::Rat(b)) => match (small(a), small(b)) {
                // a/b + c/d = (ad + cb)/bd, without big-integer division.
                (Some((p, q)), Some((r, s))) => Num::Rat(reduced(p * s + r * q, q * s)),
                _ => Num::Rat(a + b),
            },
            _ => Num::Float(self.to_f64() + other.to_f64()),
        }
    }

    pub fn mul(&self, other: &Num) -> Num {
        match (self, other) {
            (Num::Rat(a), Num::Rat(b)) => match (small(a), small(b)) {
                (Some((p, q)), Some((r, s))) => Num::Rat(reduced(p * r, q * s)),
                _ => Num::Rat(a * b),
            },
            _ => Num::Float(self.to_f64() * other.to_f64()),
        }
    }

    /// `1/self`; division by an exact or float zero is an error.
    pub fn recip(&self) -> Result<Num> {
        if self.is_zero() {
            return Err(Error::DivisionByZero);
        }
        Ok(match self {
            Num::Rat(r) => Num::Rat(r.recip()),
            Num::Float(x) => Num::Float(1.0 / x),
        })
    }

    /// `self^exp` when it can be computed: exactly for an exact base and an
    /// integer exponent (or a rational exponent with an exact root), in floats
    /// when either is a float. `None` means "leave it symbolic" (as for `2^(1/2)`).
    pub fn pow(&self, exp: &Num) -> Result<Option<Num>> {
        if self.is_zero() && exp.is_negative() {
            return Err(Error::DivisionByZero);
        }
        match (self, exp) {
            (Num::Rat(b), Num::Rat(e)) => exact_pow(b, e),
            _ => {
                let (b, e) = (self.to_f64(), exp.to_f64());
                if b < 0.0 && e.fract() != 0.0 {
                    return Err(Error::Domain(format!(
                        "{b}^{e} is not a real number (negative base, fractional exponent)"
                    )));
                }
                Ok(Some(Num::Float(b.powf(e))))
            }
        }
    }

    /// Total order used for canonical sorting (floats after equal rationals).
    pub fn total_cmp(&self, other: &Num) -> Ordering {
        match (self, other) {
            (Num::Rat(a), Num::Rat(b)) => match (small(a), small(b)) {
                (Some((p, q)), Some((r, s))) => (p * s).cmp(&(r * q)),
                _ => a.cmp(b),
            },
            (Num::Float(a), Num::Float(b)) => a.total_cmp(b),
            (Num::Rat(_), Num::Float(_)) => self
                .to_f64()
                .total_cmp(&other.to_f64())
                .then(Ordering::Less),
            (Num::Float(_), Num::Rat(_)) => self
                .to_f64()
                .total_cmp(&other.to_f64())
                .then(Ordering::Greater),
        }
    }
}

/// Numerator and denominator of `r` when both fit in an i64, widened so
/// that sums of products cannot overflow.
fn small(r: &Rat) -> Option<(i128, i128)> {
    Some((r.numer().to_i64()?.into(), r.denom().to_i64()?.into()))
}

/// `n/d` in lowest terms (d > 0 and |n|, d < 2¹²⁷), as a rational.
fn reduced(n: i128, d: i128) -> Rat {
    let (mut a, mut b) = (n.unsigned_abs(), d.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let g = a.max(1) as i128;
    Rat::new_raw(BigInt::from(n / g), BigInt::from(d / g))
}

fn rat_to_f64(r: &Rat) -> f64 {
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

fn exact_pow(base: &Rat, exp: &Rat) -> Result<Option<Num>> {
    if exp.is_integer() {
        let e = exp.to_integer();
        let Some(n) = e.abs().to_u64().filter(|&n| n <= MAX_EXACT_EXPONENT) else {
            return Ok(None);
        };
        let p = Rat::new(base.numer().pow(n as u32), base.denom().pow(n as u32));
        return Ok(Some(Num::Rat(if e.is_negative() { p.recip() } else { p })));
    }
    // A rational exponent p/q: exact when base is a perfect q-th power.
    let (p, q) = (exp.numer(), exp.denom());
    let Some(q) = q.to_u32().filter(|&q| q <= 64) else {
        return Ok(None);
    };
    if base.is_negative() {
        if q % 2 == 0 {
            return Err(Error::Domain(format!(
                "({base})^({exp}) is not a real number"
            )));
        }
        return Ok(None);
    }
    let (Some(n), Some(d)) = (exact_root(base.numer(), q), exact_root(base.denom(), q)) else {
        return Ok(None);
    };
    exact_pow(&Rat::new(n, d), &Rat::from_integer(p.clone()))
}

/// The exact non-negative q-th root of `x`, if there is one.
fn exact_root(x: &BigInt, q: u32) -> Option<BigInt> {
    let r = x.nth_root(q);
    (r.pow(q) == *x).then_some(r)
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        match (self, other) {
            // In lowest terms, equal values have equal parts.
            (Num::Rat(a), Num::Rat(b)) => a.numer() == b.numer() && a.denom() == b.denom(),
            (Num::Float(a), Num::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl Eq for Num {}

impl Hash for Num {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            // Rationals are kept in lowest terms (every constructor reduces),
            // so numerator and denominator identify the value; hashing them is
            // much cheaper than `Ratio`'s own hash.
            Num::Rat(r) => {
                0u8.hash(state);
                r.numer().hash(state);
                r.denom().hash(state);
            }
            Num::Float(x) => {
                1u8.hash(state);
                x.to_bits().hash(state);
            }
        }
    }
}

/// Formats a float with at most `digits` significant digits, without
/// trailing zeros; always readable back as a float (`2.0`, `1.5e-7`).
pub fn format_float(x: f64, digits: usize) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0.0".into();
    }
    let digits = digits.clamp(1, 17);
    let exp10 = x.abs().log10().floor() as i32;
    if (-5..16).contains(&exp10) {
        let decimals = (digits as i32 - 1 - exp10).max(0) as usize;
        let mut s = format!("{x:.decimals$}");
        if s.contains('.') {
            s = s.trim_end_matches('0').to_string();
            if s.ends_with('.') {
                s.push('0');
            }
        } else {
            s.push_str(".0");
        }
        s
    } else {
        let s = format!("{x:.*e}", digits - 1);
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.trim_end_matches('0').trim_end_matches('.')
        } else {
            mantissa
        };
        format!("{mantissa}e{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(p: i64, d: i64) -> Num {
        Num::ratio(p.into(), d.into()).unwrap()
    }

    #[test]
    fn exact_arithmetic_stays_exact() {
        assert_eq!(q(1, 3).add(&q(1, 6)), q(1, 2));
        assert_eq!(q(2, 3).mul(&q(3, 4)), q(1, 2));
        assert_eq!(q(1, 3).add(&Num::Float(0.5)), Num::Float(1.0 / 3.0 + 0.5));
    }

    #[test]
    fn powers_fold_exactly_or_stay_symbolic() {
        assert_eq!(q(2, 3).pow(&Num::int(-2)).unwrap(), Some(q(9, 4)));
        assert_eq!(q(4, 9).pow(&q(1, 2)).unwrap(), Some(q(2, 3)));
        assert_eq!(q(8, 1).pow(&q(2, 3)).unwrap(), Some(q(4, 1)));
        assert_eq!(Num::int(2).pow(&q(1, 2)).unwrap(), None);
        assert_eq!(Num::int(0).pow(&Num::int(-1)), Err(Error::DivisionByZero));
        assert!(Num::int(-4).pow(&q(1, 2)).is_err());
    }

    #[test]
    fn floats_format_with_significant_digits() {
        assert_eq!(format_float(0.1 + 0.2, 10), "0.3");
        assert_eq!(format_float(2.0, 10), "2.0");
        assert_eq!(format_float(-1234.56789, 6), "-1234.57");
        assert_eq!(format_float(1.5e-7, 10), "1.5e-7");
        assert_eq!(format_float(6.02e23, 3), "6.02e23");
    }

    #[test]
    fn huge_rationals_convert_to_float() {
        let big = Num::Rat(Rat::from_integer(BigInt::from(10).pow(400)));
        let r = Num::ratio(
            BigInt::from(10).pow(400),
            BigInt::from(3) * BigInt::from(10).pow(400),
        );
        assert_eq!(big.to_f64(), f64::INFINITY);
        assert!((r.unwrap().to_f64() - 1.0 / 3.0).abs() < 1e-15);
    }

    /// The small-number fast paths of `add`, `mul`, equality, hashing and
    /// ordering agree with big-rational arithmetic, up to the i64 limits.
    #[test]
    fn small_rationals_agree_with_big_rational_arithmetic() {
        let parts = [
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
        let nums: Vec<Rat> = parts
            .iter()
            .flat_map(|&p| {
                [1, 2, 3, 9, 1 << 31, i64::MAX]
                    .iter()
                    .map(move |&q| Rat::new(BigInt::from(p), BigInt::from(q)))
            })
            .collect();
        let hash = |n: &Num| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            n.hash(&mut h);
            h.finish()
        };
        for a in &nums {
            for b in &nums {
                let (x, y) = (Num::Rat(a.clone()), Num::Rat(b.clone()));
                assert_eq!(x.add(&y), Num::Rat(a + b), "{a} + {b}");
                assert_eq!(x.mul(&y), Num::Rat(a * b), "{a} * {b}");
                assert_eq!(x.total_cmp(&y), a.cmp(b), "{a} vs {b}");
                assert_eq!(x == y, a == b);
                if x == y {
                    assert_eq!(hash(&x), hash(&y));
                }
                // Results are in lowest terms, so equal values hash alike.
                let sum = x.add(&y);
                assert_eq!(hash(&sum), hash(&Num::Rat(a + b)));
            }
        }
    }
}
