//! Powers of exact numbers in their simplest form, as SymPy writes them:
//! `√8 = 2⋅√2`, `√(1/8) = √2/4` (no root in a denominator), `2^(3/2) = 2⋅√2`,
//! `4^(1/4) = √2`; and exact logarithms, `log(8, 2) = 3`.

use crate::Result;
use crate::num::{MAX_EXACT_BITS, Num, Rat};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

/// Trial divisors go up to this: factors of a radicand above it are kept
/// whole unless the rest is a perfect power.
const TRIAL_LIMIT: u32 = 1000;

/// The largest radicand (in bits) that is factored: beyond it a power is
/// left as written.
const RADICAND_BITS: u64 = 4096;

/// `base^exp` for a positive exact `base` and a non-integer exact `exp`
/// whose value is not exact, as `c⋅r^f`: `c` exact, `r` a positive integer
/// with no factor to the power of the root, `0 < f < 1`. `None` when
/// `base^exp` is already in that form (`2^(1/2)`) or too large to factor.
pub(crate) fn simplest(base: &Rat, exp: &Rat) -> Result<Option<(Num, BigInt, Rat)>> {
    let (p, q) = (exp.numer(), exp.denom());
    let Some(q32) = q.to_u32().filter(|&q| (2..=64).contains(&q)) else {
        return Ok(None);
    };
    if base.is_negative() || base.is_zero() {
        return Ok(None);
    }
    // base^(p/q) = base^k ⋅ base^(p'/q) with 0 < p' < q.
    let k = p.div_floor(&q);
    let p_rest = &p - &k * &q;
    let Some(whole) = Num::Rat(base.clone()).pow(&Num::Rat(Rat::from_integer(k)))? else {
        return Ok(None);
    };
    // (u/v)^(p'/q) = (u⋅v^(q−1))^(p'/q) / v^p': the root moves to the numerator.
    let (u, v) = (base.numer(), base.denom());
    if u.bits() + v.bits() * u64::from(q32 - 1) > RADICAND_BITS {
        return Ok(None);
    }
    let radicand = &u * v.pow(q32 - 1);
    let p_rest_u32 = p_rest.to_u32().expect("0 < p' < q ≤ 64");
    let (outside, inside, index) = take_roots(&radicand, q32);
    let f = Rat::new(p_rest.clone() * BigInt::from(index), q.clone());
    let coefficient = Rat::new(outside.pow(p_rest_u32), v.pow(p_rest_u32));
    let c = crate::num::bounded_product(&whole, &Num::Rat(coefficient))?;
    let unchanged = c.is_one() && Rat::from_integer(inside.clone()) == *base && f == *exp;
    if unchanged || inside.is_one() {
        // Already simplest; or exact, which `Num::pow` computes first.
        return Ok(None);
    }
    Ok(Some((c, inside, f)))
}

/// `(a, s, g)` with `n^(1/q) = a ⋅ s^(g/q)`: `a` the factors of `n` that
/// come out of the root, `s` the rest with the root index lowered by `g`
/// where every factor allows (`4^(1/4)`: a = 1, s = 2, g = 2).
fn take_roots(n: &BigInt, q: u32) -> (BigInt, BigInt, u32) {
    let mut rest = n.clone();
    let mut factors: Vec<(BigInt, u32)> = Vec::new();
    let mut d = 2u32;
    while d <= TRIAL_LIMIT && BigInt::from(d) * BigInt::from(d) <= rest {
        let big = BigInt::from(d);
        let mut e = 0;
        while (&rest % &big).is_zero() {
            rest /= &big;
            e += 1;
        }
        if e > 0 {
            factors.push((big, e));
        }
        d += if d == 2 { 1 } else { 2 };
    }
    if !rest.is_one() {
        // What trial division left: a prime, or a perfect q-th power of
        // larger factors, or kept whole.
        let root = rest.nth_root(q);
        if root.pow(q) == rest {
            factors.push((root, q));
        } else {
            factors.push((rest, 1));
        }
    }
    let mut outside = BigInt::one();
    for (f, e) in &mut factors {
        outside *= f.pow(*e / q);
        *e %= q;
    }
    let g = factors
        .iter()
        .fold(q, |g, &(_, e)| if e == 0 { g } else { g.gcd(&e) });
    let inside = factors
        .iter()
        .fold(BigInt::one(), |s, (f, e)| s * f.pow(e / g));
    (outside, inside, g)
}

/// `log(a)/log(b)` when it is rational: `log(8, 2) = 3`, `log(1/8, 2) = −3`,
/// `log(2, 8) = 1/3`, `log(4, 8) = 2/3`. Both must be positive and exact,
/// `b ≠ 1`.
pub(crate) fn exact_log(a: &Rat, b: &Rat) -> Option<Rat> {
    if a.is_negative() || a.is_zero() || b.is_negative() || b.is_zero() || b.is_one() {
        return None;
    }
    if a.is_one() {
        return Some(Rat::int(0));
    }
    if a.bits() > MAX_EXACT_BITS / 8 || b.bits() > MAX_EXACT_BITS / 8 {
        return None;
    }
    // a = c^i and b = c^j for one c: then log(a)/log(b) = i/j. The ratio of
    // the floats' logs gives i/j to try, with a small denominator.
    let ratio = a.to_f64().ln() / b.to_f64().ln();
    if !ratio.is_finite() || ratio.abs() > 1e5 {
        return None;
    }
    (1..=64).find_map(|j: i64| {
        let i = (ratio * j as f64).round();
        if (ratio * j as f64 - i).abs() > 1e-6 {
            return None;
        }
        // a^j = b^i, both sides exact and of about the same size.
        let i = i as i64;
        let side = |x: &Rat, n: i64| Num::Rat(x.clone()).pow(&Num::int(n)).ok().flatten();
        (side(a, j)? == side(b, i)?).then(|| Rat::new(BigInt::from(i), BigInt::from(j)))
    })
}
