//! Numbers: exact rationals with big integers, and f64 floats.
//!
//! Arithmetic stays exact while both operands are exact; a float operand
//! makes the result a float.

pub use crate::rat::Rat;
use crate::{Error, Result};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A number: exact rational or float.
#[derive(Clone, Debug)]
pub enum Num {
    Rat(Rat),
    Float(f64),
}

/// Exponents larger than this are not computed exactly (the result would be huge).
const MAX_EXACT_EXPONENT: u64 = 100_000;

/// The largest exact number kept, in bits of its numerator or denominator
/// (2¹³¹⁰⁷², about 39 000 decimal digits). Every exact number in the pool is
/// within it, so one operation on two of them (a product, a gcd when a
/// rational is reduced) stays bounded in time and memory — well under a
/// second — even though big-integer arithmetic cannot be interrupted.
pub const MAX_EXACT_BITS: u64 = 1 << 17;

/// The error for an exact result of about `bits` bits, over [`MAX_EXACT_BITS`].
pub(crate) fn too_many_bits(bits: u64) -> Error {
    Error::TooLarge(format!(
        "an exact number of about {bits} bits is too large (the limit is {MAX_EXACT_BITS} bits); \
         use floats instead (write 2.0 for 2; floats reach about 1e308)"
    ))
}

/// `Err` when the exact number `n` is larger than [`MAX_EXACT_BITS`].
pub(crate) fn check_exact_size(n: &Num) -> Result<()> {
    match n {
        Num::Rat(r) if !r.is_small() && r.bits() > MAX_EXACT_BITS => Err(too_many_bits(r.bits())),
        _ => Ok(()),
    }
}

/// `a⋅b`, refused before it is computed when the exact product is
/// certainly over [`MAX_EXACT_BITS`]: cancelling a fraction divides the
/// numerator only by parts of the denominators, so the product keeps at
/// least the numerator bits less the denominator bits (and the other way
/// round).
pub(crate) fn bounded_product(a: &Num, b: &Num) -> Result<Num> {
    if let (Num::Rat(x), Num::Rat(y)) = (a, b)
        && !(x.is_small() && y.is_small())
    {
        let ((xn, xd), (yn, yd)) = (x.part_bits(), y.part_bits());
        let at_least = |n1: u64, n2: u64, d1: u64, d2: u64| (n1 + n2).saturating_sub(d1 + d2 + 1);
        let bits = at_least(xn, yn, xd, yd).max(at_least(xd, yd, xn, yn));
        if bits > MAX_EXACT_BITS {
            return Err(too_many_bits(bits));
        }
    }
    Ok(a.mul(b))
}

impl Num {
    pub fn int(n: i64) -> Num {
        Num::Rat(Rat::int(n))
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

    /// True for a float or an exact number whose parts fit a machine word
    /// (see [`Rat::is_small`]).
    pub fn is_small(&self) -> bool {
        match self {
            Num::Rat(r) => r.is_small(),
            Num::Float(_) => true,
        }
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
            Num::Rat(r) => r.to_f64(),
            Num::Float(x) => *x,
        }
    }

    /// The value as an i64 if it is an exact integer that fits.
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Num::Rat(r) => r.to_i64(),
            _ => None,
        }
    }

    pub fn neg(&self) -> Num {
        match self {
            Num::Rat(r) => Num::Rat(r.neg()),
            Num::Float(x) => Num::Float(-x),
        }
    }

    pub fn add(&self, other: &Num) -> Num {
        match (self, other) {
            (Num::Rat(a), Num::Rat(b)) => Num::Rat(a.add(b)),
            _ => Num::Float(self.to_f64() + other.to_f64()),
        }
    }

    pub fn mul(&self, other: &Num) -> Num {
        match (self, other) {
            (Num::Rat(a), Num::Rat(b)) => Num::Rat(a.mul(b)),
            _ => Num::Float(self.to_f64() * other.to_f64()),
        }
    }

    /// `1/self`; division by an exact or float zero is an error.
    pub fn recip(&self) -> Result<Num> {
        match self {
            Num::Rat(r) => r.recip().map(Num::Rat),
            Num::Float(x) if *x == 0.0 => Err(Error::DivisionByZero),
            Num::Float(x) => Ok(Num::Float(1.0 / x)),
        }
    }

    /// `self^exp` when it can be computed: exactly for an exact base and an
    /// integer exponent (or a rational exponent with an exact root), in floats
    /// when either is a float. `None` means "leave it symbolic" (as for
    /// `2^(1/2)`); a negative base to a fractional power is an error.
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
                        "({self})^({exp}) is not a real number"
                    )));
                }
                Ok(Some(Num::Float(b.powf(e))))
            }
        }
    }

    /// Total order used for canonical sorting (floats after equal rationals).
    pub fn total_cmp(&self, other: &Num) -> Ordering {
        match (self, other) {
            (Num::Rat(a), Num::Rat(b)) => a.cmp(b),
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

fn exact_pow(base: &Rat, exp: &Rat) -> Result<Option<Num>> {
    if exp.is_integer() {
        let e = exp.numer();
        let Some(n) = e
            .abs()
            .to_u32()
            .filter(|&n| u64::from(n) <= MAX_EXACT_EXPONENT)
        else {
            return Ok(None);
        };
        // The result has about n times the bits of the base: refuse before
        // computing it.
        let bits = base.bits().saturating_sub(1).saturating_mul(u64::from(n));
        if bits > MAX_EXACT_BITS {
            return Err(too_many_bits(bits));
        }
        let p = base.powi(n);
        return Ok(Some(Num::Rat(if e.is_negative() { p.recip()? } else { p })));
    }
    // As in floats (NumPy, JAX): not real, even for an odd root.
    if base.is_negative() {
        return Err(Error::Domain(format!(
            "({})^({}) is not a real number",
            Num::Rat(base.clone()),
            Num::Rat(exp.clone())
        )));
    }
    // A rational exponent p/q: exact when base is a perfect q-th power.
    let (p, q) = (exp.numer(), exp.denom());
    let Some(q) = q.to_u32().filter(|&q| q <= 64) else {
        return Ok(None);
    };
    let (Some(n), Some(d)) = (exact_root(&base.numer(), q), exact_root(&base.denom(), q)) else {
        return Ok(None);
    };
    exact_pow(&Rat::new(n, d), &Rat::from_integer(p))
}

/// The exact non-negative q-th root of `x`, if there is one.
fn exact_root(x: &BigInt, q: u32) -> Option<BigInt> {
    let r = x.nth_root(q);
    (r.pow(q) == *x).then_some(r)
}

/// As messages show a number: a float in 15 digits (`-2.97`), an exact
/// number as it is when its parts fit a machine word (`-1/6`), else
/// rounded (`≈1.6e60`).
impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Rat(r) if r.is_small() => write!(f, "{r}"),
            Num::Rat(r) => write!(f, "≈{}", format_float(r.to_f64(), 15)),
            Num::Float(x) => f.write_str(&format_float(*x, 15)),
        }
    }
}

impl PartialEq for Num {
    fn eq(&self, other: &Num) -> bool {
        match (self, other) {
            (Num::Rat(a), Num::Rat(b)) => a == b,
            (Num::Float(a), Num::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl Eq for Num {}

impl Hash for Num {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            // Rationals are canonical, so their hash is by value.
            Num::Rat(r) => {
                0u8.hash(state);
                r.hash(state);
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
    // Positional while the digits reach the units (16.3 at 2 digits is
    // `16`: no false `.0`); beyond, scientific (1234.5 at 2 is `1.2e3`).
    if (-5..16).contains(&exp10) && exp10 < digits as i32 {
        let decimals = (digits as i32 - 1 - exp10).max(0) as usize;
        let mut s = format!("{x:.decimals$}");
        if s.contains('.') {
            s = s.trim_end_matches('0').to_string();
            if s.ends_with('.') {
                s.push('0');
            }
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

    /// A product certainly over the limit is refused (before it is
    /// computed); one that cancels to a small number is not.
    #[test]
    fn products_beyond_the_exact_limit_are_refused() {
        let big = |k: u32| Num::Rat(Rat::from_integer(BigInt::from(2).pow(k)));
        let tiny = Num::Rat(Rat::new(BigInt::from(1), BigInt::from(2).pow(70_000u32)));
        assert!(matches!(
            bounded_product(&big(70_000), &big(70_000)),
            Err(Error::TooLarge(_))
        ));
        assert_eq!(bounded_product(&big(70_000), &tiny).unwrap(), Num::int(1));
        assert_eq!(
            bounded_product(&big(60_000), &big(60_000)).unwrap(),
            big(120_000)
        );
    }

    #[test]
    fn floats_format_with_significant_digits() {
        assert_eq!(format_float(0.1 + 0.2, 10), "0.3");
        assert_eq!(format_float(2.0, 10), "2.0");
        assert_eq!(format_float(-1234.56789, 6), "-1234.57");
        assert_eq!(format_float(1.5e-7, 10), "1.5e-7");
        assert_eq!(format_float(6.02e23, 3), "6.02e23");
    }
}
