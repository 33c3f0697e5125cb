//! Scalar values right to the last bit, as SymPy's `evalf` gives them. In
//! f64 a difference of close values loses its digits (`exp(1/10^20) − 1`
//! is 0, `tanh(20) − 1` is 0, `355/113 − π` keeps 9 of 16). Here an
//! expression of numbers, ℯ, π, scalar symbols with values, sums,
//! products, powers and elementwise functions is computed in multiple
//! precision (astro-float), each value with a bound on its error (carried
//! through to first order, as SymPy's `evalf` carries one), at rising
//! precision until every result is known to the last bit of an f64.

use super::Values;
use crate::{Constant, ExprId, Func, Node, Num, Pool};
use astro_float::{BigFloat, Consts, Radix, RoundingMode};
use rustc_hash::FxHashMap;
use std::collections::HashMap;

/// The first precision tried, in bits; each next one is twice the last.
const FIRST_BITS: usize = 128;
/// The last precision tried: a result not settled by then keeps f64's.
const MOST_BITS: usize = 4096;
/// The right bits a result needs: f64's 53 and a margin for its rounding.
const NEEDED_BITS: f64 = 80.0;
/// log₂ of a size below which a value and its error round to an f64 0
/// (half the least subnormal is 2^−1075).
const ZERO_IN_F64: f64 = -1080.0;
/// The most nodes computed this way; a larger expression keeps f64.
const MOST_NODES: usize = 2_000;
/// The most bits of an exact number taken in.
const MOST_NUMBER_BITS: u64 = 1 << 16;

const ROUNDING: RoundingMode = RoundingMode::ToEven;

/// A value and log₂ of a bound on its absolute error (−∞ when exact).
struct Approx {
    value: BigFloat,
    error: f64,
}

impl Approx {
    /// log₂ of a bound on the true value's size: value and error.
    fn reach(&self) -> f64 {
        log2_sum([magnitude(&self.value), self.error].into_iter())
    }

    /// Its f64 when the error cannot change it: right to [`NEEDED_BITS`],
    /// or value and error both below f64's least subnormal (then 0).
    fn settled(&self, cc: &mut Consts) -> Option<f64> {
        let size = magnitude(&self.value);
        if self.error == f64::NEG_INFINITY && self.value.is_zero() {
            return Some(0.0);
        }
        if size.max(self.error) < ZERO_IN_F64 {
            return Some(0.0);
        }
        if size - self.error >= NEEDED_BITS {
            return to_f64(&self.value, cc);
        }
        None
    }
}

impl Pool {
    /// The value of `e` (a scalar, or an explicit matrix of scalars) rounded
    /// to f64 from multiple precision, the symbols of `bindings` taken as
    /// exact binary numbers. `None` where this cannot vouch for the last
    /// bit: a matrix operation or `erf` in `e`, more than [`MOST_NODES`]
    /// nodes, a value outside f64's range or not real, an error still too
    /// large at [`MOST_BITS`], or an interrupt. A value 0 to more digits
    /// than f64 holds (`log(6) − log(2) − log(3)`) is 0.
    pub fn evaluate_precisely(
        &self,
        e: ExprId,
        bindings: &HashMap<ExprId, Values>,
    ) -> Option<Values> {
        let shape = self.shape(e);
        let outputs = match self.node(e) {
            Node::Matrix { entries, .. } => entries.clone(),
            _ if shape.is_scalar() => vec![e],
            _ => return None,
        };
        let mut order = self.reachable(e);
        order.retain(|&x| x != e || outputs == [e]);
        // Scalars, and matrix symbols with values (read by their elements).
        let supported = |x: ExprId| match self.node(x) {
            Node::Symbol { .. } => bindings.contains_key(&x),
            node => {
                self.shape(x).is_scalar()
                    && match node {
                        Node::Num(n) => !matches!(n, Num::Rat(r) if r.bits() > MOST_NUMBER_BITS),
                        Node::Element { symbol, row, col } => bindings
                            .get(symbol)
                            .is_some_and(|v| *row < v.shape.rows && *col < v.shape.cols),
                        Node::Apply(f, _) => *f != Func::Erf,
                        Node::Const(_) | Node::Add(_) | Node::Mul(_) | Node::Pow(..) => true,
                        _ => false,
                    }
            }
        };
        if order.len() > MOST_NODES || !order.iter().all(|&x| supported(x)) {
            return None;
        }
        let mut consts = Consts::new().ok()?;
        let mut bits = FIRST_BITS;
        while bits <= MOST_BITS {
            self.check_interrupt().ok()?;
            let values = match self.at_precision(&order, bindings, bits, &mut consts) {
                Ok(values) => values,
                Err(Failed::Unsure) => {
                    bits *= 2;
                    continue;
                }
                Err(Failed::Surely) => return None,
            };
            let settled = outputs
                .iter()
                .map(|x| values.get(x)?.settled(&mut consts))
                .collect::<Option<Vec<f64>>>();
            if let Some(data) = settled {
                return Values::new(shape, data).ok();
            }
            bits *= 2;
        }
        None
    }

    /// Every node of `order` (children first) in `p` bits of precision,
    /// with its error bound, or why not.
    fn at_precision(
        &self,
        order: &[ExprId],
        bindings: &HashMap<ExprId, Values>,
        p: usize,
        cc: &mut Consts,
    ) -> Result<FxHashMap<ExprId, Approx>, Failed> {
        let exact = f64::NEG_INFINITY;
        let mut values: FxHashMap<ExprId, Approx> = FxHashMap::default();
        for &x in order {
            let arg = |a: &ExprId| values.get(a).ok_or(Failed::Surely);
            // The error of each operand, times what the result moves by
            // with it (log₂ of a bound on the derivative).
            let (value, errors): (BigFloat, Vec<f64>) = match self.node(x) {
                Node::Num(Num::Float(f)) => (BigFloat::from_f64(*f, p), vec![]),
                Node::Num(Num::Rat(r)) => {
                    let parse = |n: num_bigint::BigInt, cc: &mut Consts| {
                        BigFloat::parse(&n.to_string(), Radix::Dec, p, ROUNDING, cc)
                    };
                    if r.is_integer() && r.bits() < p as u64 {
                        (parse(r.numer(), cc), vec![])
                    } else {
                        // Rounded to p bits (whether or not astro-float says so).
                        let q = parse(r.numer(), cc).div(&parse(r.denom(), cc), p, ROUNDING);
                        let rounding = half_ulp(&q, p);
                        (q, vec![rounding])
                    }
                }
                Node::Const(c) => {
                    let v = match c {
                        Constant::E => cc.e(p, ROUNDING),
                        Constant::Pi => cc.pi(p, ROUNDING),
                    };
                    let rounding = half_ulp(&v, p);
                    (v, vec![rounding])
                }
                Node::Symbol { .. } => match bindings.get(&x).ok_or(Failed::Surely)?.as_scalar() {
                    Some(v) => (BigFloat::from_f64(v, p), vec![]),
                    None => continue,
                },
                Node::Element { symbol, row, col } => {
                    let v = bindings.get(symbol).ok_or(Failed::Surely)?.get(*row, *col);
                    (BigFloat::from_f64(v, p), vec![])
                }
                Node::Add(ts) => {
                    let terms = ts.iter().map(arg).collect::<Result<Vec<&Approx>, _>>()?;
                    let mut errors: Vec<f64> = terms.iter().map(|t| t.error).collect();
                    let mut total = terms[0].value.clone();
                    for t in &terms[1..] {
                        total = total.add(&t.value, p, ROUNDING);
                        // Each partial sum rounded (a large term's ulp
                        // stays when it cancels later).
                        if total.inexact() {
                            errors.push(half_ulp(&total, p));
                        }
                    }
                    (total, errors)
                }
                Node::Mul(fs) => {
                    let factors = fs.iter().map(arg).collect::<Result<Vec<&Approx>, _>>()?;
                    // Each factor at most its value and error (so two
                    // uncertain 0s are not 0).
                    let sizes: Vec<f64> = factors.iter().map(|f| f.reach()).collect();
                    let mut product = factors[0].value.clone();
                    let mut roundings = Vec::new();
                    for (k, f) in factors.iter().enumerate().skip(1) {
                        product = product.mul(&f.value, p, ROUNDING);
                        // Each partial product rounded, times the factors
                        // still to come.
                        if product.inexact() && !product.is_zero() {
                            let later: f64 = sizes[k + 1..].iter().sum();
                            roundings.push(half_ulp(&product, p) + later);
                        }
                    }
                    // Each factor's error times the others.
                    let errors = factors.iter().enumerate().map(|(i, f)| {
                        let others: f64 = (sizes.iter().enumerate())
                            .filter(|&(j, _)| j != i)
                            .map(|(_, s)| s)
                            .sum();
                        f.error + others
                    });
                    (product, errors.chain(roundings).collect())
                }
                Node::Pow(b, e) => {
                    let (b, e_approx) = (arg(b)?, arg(e)?);
                    let v = power(&b.value, e_approx, self.as_num(*e), p, cc);
                    let errors = if b.value.is_zero() {
                        // 0 to a power surely positive is exactly 0.
                        let sure = b.error == exact && sign_is_sure(e_approx);
                        vec![if sure { exact } else { f64::INFINITY }]
                    } else {
                        // ∂/∂b = e⋅bᵉ/b, ∂/∂e = bᵉ⋅log b (|log b| < |log₂ b| + 1).
                        let (size, b_size) = (magnitude(&v), magnitude(&b.value));
                        let by_base = b.error + magnitude(&e_approx.value) + 1.0 + size - b_size;
                        let by_exponent = e_approx.error + size + (b_size.abs() + 1.0).log2();
                        vec![by_base, by_exponent]
                    };
                    (v, errors)
                }
                Node::Apply(f, a) => {
                    let a = arg(a)?;
                    let v = apply(*f, &a.value, p, cc);
                    let moved = match f {
                        // Exact once the sign of a is sure.
                        Func::Sign | Func::Step if sign_is_sure(a) => exact,
                        Func::Sign | Func::Step => f64::INFINITY,
                        _ if a.error == exact => exact,
                        _ => a.error + slope(*f, &a.value, &v),
                    };
                    (v, vec![moved])
                }
                _ => return Err(Failed::Surely),
            };
            // Not real, or past astro-float's largest number (exp(10^30)):
            // more bits may tell where an operand is not yet settled (the
            // sign of tan(10^65) at 128 bits), else left to f64.
            if value.is_nan() || value.is_inf() {
                let unsettled = |c: &ExprId| {
                    values
                        .get(c)
                        .is_some_and(|a| magnitude(&a.value) - a.error < NEEDED_BITS)
                };
                let children = self.node(x).children();
                return Err(if children.iter().any(unsettled) {
                    Failed::Unsure
                } else {
                    Failed::Surely
                });
            }
            // Where the result itself was rounded, half an ulp of p bits; a
            // 0 where a function or product underflowed (exp(−10^30)) is
            // off by at most astro-float's least number.
            let underflow = value.is_zero()
                && value.inexact()
                && matches!(self.node(x), Node::Apply(..) | Node::Mul(_) | Node::Pow(..));
            let rounding = if underflow {
                f64::from(astro_float::EXPONENT_MIN)
            } else if value.inexact() {
                half_ulp(&value, p)
            } else {
                exact
            };
            let error = log2_sum(errors.into_iter().chain([rounding]));
            values.insert(x, Approx { value, error });
        }
        Ok(values)
    }
}

/// Why a pass at one precision gave no values.
enum Failed {
    /// A value is not real or too large from operands known well enough,
    /// or an operand has no value here: more bits would not help.
    Surely,
    /// A value is not real or too large from an operand whose error could
    /// change that: more bits may.
    Unsure,
}

/// `b^e`: by repeated multiplication for a small exact integer exponent,
/// `sqrt` for 1/2, else `exp(e⋅log|b|)` with the bits `exp` magnifies in
/// hand, negative for a negative base to an odd exact integer. Never
/// astro-float's `pow`, which does not return where the power is exact
/// (`0.25^−0.5`).
fn power(b: &BigFloat, e: &Approx, exact: Option<&Num>, p: usize, cc: &mut Consts) -> BigFloat {
    let half = exact.is_some_and(|n| *n == Num::Rat(crate::Rat::new(1.into(), 2.into())));
    let (e_exact, e) = (e.error == f64::NEG_INFINITY, &e.value);
    let integer = e_exact && e.is_int();
    // An exact integer exponent, written (2^3) or computed (2^y at y = 3).
    let small = match exact {
        Some(Num::Rat(r)) if r.is_integer() => r.to_i64(),
        _ if integer && magnitude(e) <= 33.0 => to_f64(e, cc).map(|n| n as i64),
        _ => None,
    }
    .filter(|n| n.unsigned_abs() <= 1 << 32);
    match small {
        Some(n) if n >= 0 => b.powi(n as usize, p, ROUNDING),
        Some(n) => b
            .powi(n.unsigned_abs() as usize, p, ROUNDING)
            .reciprocal(p, ROUNDING),
        // 0 to a positive power is 0; to a negative one, not a number.
        None if b.is_zero() && e.is_positive() && !e.is_zero() => BigFloat::new(p),
        None if b.is_zero() => astro_float::NAN,
        None if half => b.sqrt(p, ROUNDING),
        None if b.is_negative() && !integer => astro_float::NAN,
        None => {
            // exp(y) turns y's absolute error into its relative error.
            let y_size = magnitude(e) + (magnitude(b).abs() + 1.0).log2();
            let more = p + y_size.max(0.0) as usize + 8;
            let y = b.abs().ln(more, ROUNDING, cc).mul(e, more, ROUNDING);
            let mut v = y.exp(more, ROUNDING, cc);
            let two = BigFloat::from_word(2, 64);
            if b.is_negative() && !e.div(&two, more, ROUNDING).is_int() {
                v.inv_sign();
            }
            v.set_inexact(true);
            v.set_precision(p, ROUNDING)
                .map_or(astro_float::NAN, |()| v)
        }
    }
}

/// The elementwise function `f` of `a` (not `erf`: NaN).
fn apply(f: Func, a: &BigFloat, p: usize, cc: &mut Consts) -> BigFloat {
    let one = BigFloat::from_word(1, p);
    let zero = BigFloat::new(p);
    let positive = a.is_positive() && !a.is_zero();
    match f {
        Func::Exp => a.exp(p, ROUNDING, cc),
        Func::Log if positive => a.ln(p, ROUNDING, cc),
        Func::Abs => a.abs(),
        Func::Tanh => a.tanh(p, ROUNDING, cc),
        Func::Sigmoid => one
            .add(&a.neg().exp(p, ROUNDING, cc), p, ROUNDING)
            .reciprocal(p, ROUNDING),
        // a + log(1 + e^(−a)) for a > 0: no overflow.
        Func::Softplus if positive => {
            a.add(&log1p(&a.neg().exp(p, ROUNDING, cc), p, cc), p, ROUNDING)
        }
        Func::Softplus => log1p(&a.exp(p, ROUNDING, cc), p, cc),
        Func::Relu if positive => a.clone(),
        Func::Relu => zero,
        Func::Sign if a.is_zero() => zero,
        Func::Sign if positive => one,
        Func::Sign => one.neg(),
        Func::Step if positive => one,
        Func::Step => zero,
        Func::Sin => a.sin(p, ROUNDING, cc),
        Func::Cos => a.cos(p, ROUNDING, cc),
        Func::Log1p => log1p(a, p, cc),
        // The subtraction cancels log₂(1/|a|) bits where a is small: exp
        // has them in hand; below 2^−2p, expm1(a) is a to p bits.
        Func::Expm1 if magnitude(a) < -2.0 * p as f64 => a.clone(),
        Func::Expm1 => {
            let more = p + (-magnitude(a)).max(0.0) as usize + 2;
            a.exp(more, ROUNDING, cc).sub(&one, p, ROUNDING)
        }
        Func::Tan => a.tan(p, ROUNDING, cc),
        Func::Atan => a.atan(p, ROUNDING, cc),
        Func::Sinh => a.sinh(p, ROUNDING, cc),
        Func::Cosh => a.cosh(p, ROUNDING, cc),
        Func::Asin | Func::Acos if a.abs() > one => astro_float::NAN,
        // At ±1 by hand: ±π/2, and 0 or π.
        Func::Asin if a.abs() == one => {
            let half_pi = cc
                .pi(p, ROUNDING)
                .div(&BigFloat::from_word(2, 64), p, ROUNDING);
            if positive { half_pi } else { half_pi.neg() }
        }
        Func::Acos if a.abs() == one => {
            if positive {
                zero
            } else {
                cc.pi(p, ROUNDING)
            }
        }
        Func::Asin => a.asin(p, ROUNDING, cc),
        Func::Acos => a.acos(p, ROUNDING, cc),
        Func::Log | Func::Erf => astro_float::NAN,
    }
}

/// True when `a`'s error cannot change its sign.
fn sign_is_sure(a: &Approx) -> bool {
    magnitude(&a.value) > a.error + 1.0
}

/// log₂ of a bound on the error of rounding `x` to `p` bits: half an ulp,
/// with a bit to spare for [`magnitude`] being within a bit.
fn half_ulp(x: &BigFloat, p: usize) -> f64 {
    magnitude(x) + 2.0 - p as f64
}

/// log₂|x| to within a bit (−∞ for 0).
fn magnitude(x: &BigFloat) -> f64 {
    match x.exponent() {
        Some(e) if !x.is_zero() => f64::from(e),
        _ => f64::NEG_INFINITY,
    }
}

/// log₂ of the sum of 2^xᵢ, without overflow (−∞ for none, NaN as +∞).
fn log2_sum(xs: impl Iterator<Item = f64>) -> f64 {
    let xs: Vec<f64> = xs
        .map(|x| if x.is_nan() { f64::INFINITY } else { x })
        .collect();
    let top = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + xs.iter().map(|x| (x - top).exp2()).sum::<f64>().log2()
}

/// log₂ of a bound on |f′| between `a` and the points its error reaches
/// (`fa` is f(a)), with a bit to spare for the bounds being within a bit.
fn slope(f: Func, a: &BigFloat, fa: &BigFloat) -> f64 {
    let out = magnitude(fa);
    1.0 + match f {
        // exp′ = exp; σ′ = σ(1 − σ) ≤ σ.
        Func::Exp | Func::Sigmoid => out,
        // softplus′ = σ ≤ min(1, 2⋅softplus).
        Func::Softplus => (out + 1.0).min(0.0),
        // expm1′ = expm1 + 1.
        Func::Expm1 => out.max(0.0) + 1.0,
        Func::Log => -magnitude(a),
        Func::Log1p => -magnitude(&BigFloat::from_word(1, 64).add(a, 64, ROUNDING)),
        Func::Tanh | Func::Sin | Func::Cos | Func::Abs | Func::Relu | Func::Atan => 0.0,
        // tan′ = 1 + tan²; sinh′ = cosh ≤ 1 + |sinh|; cosh′ = sinh ≤ cosh.
        Func::Tan => 2.0 * out.max(0.0) + 1.0,
        Func::Sinh => out.max(0.0) + 1.0,
        Func::Cosh => out,
        // asin′ = −acos′ = 1/√(1 − a²) ≤ 1/√(1 − |a|).
        Func::Asin | Func::Acos => {
            let one = BigFloat::from_word(1, 64);
            -0.5 * magnitude(&one.sub(&a.abs(), 128, ROUNDING)) + 1.0
        }
        Func::Sign | Func::Step | Func::Erf => f64::INFINITY,
    }
}

/// `log(1 + x)` to `p` bits: `1 + x` is formed exactly (rounding it first
/// would leave nothing of a small x), and below 2^−2p it is x itself.
fn log1p(x: &BigFloat, p: usize, cc: &mut Consts) -> BigFloat {
    if magnitude(x) < -2.0 * p as f64 {
        return x.clone();
    }
    let sum = BigFloat::from_word(1, p).add_full_prec(x);
    if sum.is_positive() && !sum.is_zero() {
        sum.ln(p, ROUNDING, cc)
    } else {
        astro_float::NAN
    }
}

/// `x` rounded to the nearest f64 (through its decimal digits, which
/// astro-float writes to more than twice f64's precision), or `None`
/// outside f64's range.
fn to_f64(x: &BigFloat, cc: &mut Consts) -> Option<f64> {
    // Far outside, without writing the digits of 2^(10^8).
    if magnitude(x).abs() > 1100.0 {
        return None;
    }
    let text = x.format(Radix::Dec, ROUNDING, cc).ok()?;
    let f = text.parse::<f64>().ok()?;
    let underflowed = f == 0.0 && !x.is_zero();
    (f.is_finite() && !underflowed).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shape;

    #[test]
    fn vouches_only_for_what_it_can() {
        let mut pool = Pool::new();
        let none = HashMap::new();
        let log = |pool: &mut Pool, n: i64| {
            let n = pool.int(n).unwrap();
            pool.apply(Func::Log, n).unwrap()
        };
        // log 6 − log 2 − log 3 is 0 to more digits than f64 holds, but its
        // sign is never sure.
        let (l6, l2, l3) = (log(&mut pool, 6), log(&mut pool, 2), log(&mut pool, 3));
        let (m2, m3) = (pool.neg(l2).unwrap(), pool.neg(l3).unwrap());
        let zero = pool.add(&[l6, m2, m3]).unwrap();
        let got = pool.evaluate_precisely(zero, &none).unwrap();
        assert_eq!(got.data, [0.0]);
        let sign = pool.apply(Func::Sign, zero).unwrap();
        assert_eq!(pool.evaluate_precisely(sign, &none), None);
        // A matrix operation, and erf, are not computed here.
        let w = pool.symbol("W", Shape::new(2, 2)).unwrap();
        let trace = pool.trace(w).unwrap();
        let bound = HashMap::from([(w, Values::new(Shape::new(2, 2), vec![1.0; 4]).unwrap())]);
        assert_eq!(pool.evaluate_precisely(trace, &bound), None);
        let half = pool.rational(1, 2).unwrap();
        let erf = pool.apply(Func::Erf, half).unwrap();
        assert_eq!(pool.evaluate_precisely(erf, &none), None);
        // An element of a bound matrix is its value; relu(−2) is exactly 0.
        let w01 = pool.element(w, 0, 1).unwrap();
        let two = pool.int(-2).unwrap();
        let relu = pool.apply(Func::Relu, two).unwrap();
        let sum = pool.add(&[w01, relu]).unwrap();
        let got = pool.evaluate_precisely(sum, &bound).unwrap();
        assert_eq!(got.data, [1.0]);
    }
}
