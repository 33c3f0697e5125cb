//! Branch-free `exp` (of every float, and of −|x| for the stable forms) and
//! `log1p` (on [0, 1]), written so that a loop over lanes vectorises (libm's
//! calls do not). Both are accurate to a few units in the last place.

/// Defines a function whose body is compiled three times, plainly, for AVX2
/// with FMA and for AVX-512, running the widest one the CPU has, so that its
/// loops over lanes run 4 or 8 at a time. The body is generic over
/// `M: MulAdd`, which it passes on to the lane functions (`exp::<M>`): fused
/// where the variant has FMA, else a product and a sum.
macro_rules! lanes_fn {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block) => {
        $(#[$doc])*
        fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body<M: $crate::compile::lanemath::MulAdd>($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx512f") {
                #[target_feature(enable = "avx512f")]
                fn avx512($($arg: $ty),*) $(-> $ret)? {
                    body::<$crate::compile::lanemath::Fused>($($arg),*)
                }
                // SAFETY: the CPU has just been found to support AVX-512.
                return unsafe { avx512($($arg),*) };
            }
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                #[target_feature(enable = "avx2,fma")]
                fn avx2($($arg: $ty),*) $(-> $ret)? {
                    body::<$crate::compile::lanemath::Fused>($($arg),*)
                }
                // SAFETY: the CPU has just been found to support AVX2 and FMA.
                return unsafe { avx2($($arg),*) };
            }
            body::<$crate::compile::lanemath::Plain>($($arg),*)
        }
    };
}
pub(crate) use lanes_fn;

/// How the lane functions compute `a⋅b + c`.
pub(crate) trait MulAdd {
    fn mul_add(a: f64, b: f64, c: f64) -> f64;
}

/// With one rounding, one FMA instruction (`exp` 1.4 times as fast as
/// unfused: 2 400 of them on a Xeon with AVX-512, 2.7 → 1.9 µs).
pub(crate) struct Fused;

/// As a product and a sum: without FMA, `f64::mul_add` is a call to libm
/// (`exp` in a plain x86-64 build: 32 ns with those calls, 3.3 ns unfused,
/// libm's own 3.7–4.0 ns).
pub(crate) struct Unfused;

impl MulAdd for Fused {
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

impl MulAdd for Unfused {
    #[inline(always)]
    fn mul_add(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// The plain variant's: fused where the build targets FMA (every aarch64).
#[cfg(any(target_arch = "aarch64", target_feature = "fma"))]
pub(crate) type Plain = Fused;
/// The plain variant's: fused where the build targets FMA (every aarch64).
#[cfg(not(any(target_arch = "aarch64", target_feature = "fma")))]
pub(crate) type Plain = Unfused;

/// `exp(−|x|)`, in (0, 1]; NaN stays NaN (as fast as a version of its own:
/// 2 400 of them 1.87 µs either way on a Xeon with AVX-512).
#[inline(always)]
pub(crate) fn exp_neg_abs<M: MulAdd>(x: f64) -> f64 {
    exp::<M>(-x.abs())
}

/// `exp(x)` of every float, lane by lane: 0 below −745.2, ∞ above
/// 709.78, NaN for NaN (a fused step of N1 as columns, `exp` of 10 × 60 000
/// numbers among others: 4.5 ms a call by libm, 2.1 by this).
#[inline(always)]
pub(crate) fn exp<M: MulAdd>(x: f64) -> f64 {
    let e = exp_reduced::<M>(x.clamp(-746.0, 710.0));
    if x < -745.2 {
        0.0
    } else if x > 709.8 {
        f64::INFINITY
    } else if x.is_nan() {
        x
    } else {
        e
    }
}

/// `exp(t)` for `t` in [−746, 710], from `exp(r)` with `t = k⋅ln 2 + r`.
#[inline(always)]
fn exp_reduced<M: MulAdd>(t: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Adding and subtracting 1.5·2⁵² rounds to the nearest integer.
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    let shifted = M::mul_add(t, LOG2E, SHIFTER);
    let k = shifted - SHIFTER;
    let r = M::mul_add(-k, LN2_LO, M::mul_add(-k, LN2_HI, t));
    // exp(r) for |r| ≤ ln2/2 by its Taylor series to r¹³ (error < 1e-17),
    // summed by Estrin's scheme: pairs, then pairs of pairs, so the chain of
    // dependent operations is 4 deep instead of Horner's 13 (N1 as columns,
    // whose softmax takes 1.2 million of them a call: 79.4 → 77.9 ms).
    const C: [f64; 14] = [
        1.0,
        1.0,
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let (r2, r4) = (r * r, r * r * (r * r));
    let pair = |i: usize| M::mul_add(C[i + 1], r, C[i]);
    let low = M::mul_add(pair(2), r2, pair(0)) + M::mul_add(pair(6), r2, pair(4)) * r4;
    let high = M::mul_add(pair(12), r4, M::mul_add(pair(10), r2, pair(8)));
    let p = M::mul_add(high, r4 * r4, low);
    // 2ᵏ as two normal powers of two, so results down to the subnormals
    // and up to the largest float hold.
    let k = (shifted.to_bits() as i64).wrapping_sub(SHIFTER.to_bits() as i64);
    let k1 = k >> 1;
    let k2 = k - k1;
    let two_k1 = f64::from_bits(((k1 + 1023) << 52) as u64);
    let two_k2 = f64::from_bits(((k2 + 1023) << 52) as u64);
    p * two_k1 * two_k2
}

/// `log(1 + u)` for u in [0, 1] (as `exp_neg_abs` gives); NaN stays NaN.
#[inline(always)]
pub(crate) fn ln_1p_unit(u: f64) -> f64 {
    const LN2: f64 = std::f64::consts::LN_2;
    const SQRT2_M1: f64 = std::f64::consts::SQRT_2 - 1.0;
    // log(1 + u) = log(m) (+ ln 2 when 1 + u = 2m), m in [0.70, 1.42];
    // log(m) = 2·atanh(s) with s = (m − 1)/(m + 1), |s| ≤ 0.172.
    let high = u > SQRT2_M1;
    let (num, den, base) = if high {
        (u - 1.0, u + 3.0, LN2)
    } else {
        (u, u + 2.0, 0.0)
    };
    let s = num / den;
    // 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + …), to s²² (error < 1e-17), by
    // Estrin's scheme in t = s² as for `exp_neg_abs` (S1's loss and partials
    // per point, vectorised: 71.9 → 67.5 ns).
    let t = s * s;
    let (t2, t4) = (t * t, t * t * (t * t));
    let pair = |i: u32| 1.0 / f64::from(4 * i + 1) + (1.0 / f64::from(4 * i + 3)) * t;
    let low = (pair(0) + pair(1) * t2) + (pair(2) + pair(3) * t2) * t4;
    let q = low + (pair(4) + pair(5) * t2) * (t4 * t4);
    base + 2.0 * s * q
}

#[cfg(test)]
mod tests {
    use super::*;

    /// True when `got` is `exp(x)` to within 8e-16 of it (or both are
    /// below the normal floats, or equal, as the infinities are).
    fn close(x: f64, got: f64) -> bool {
        let want = x.exp();
        (got - want).abs() <= 8e-16 * want || (got - want).abs() < 1e-320 || got == want
    }

    /// `exp` and `exp(−|x|)` with `a⋅b + c` summed as `M` sums it.
    fn check_exps<M: MulAdd>() {
        let mut x: f64 = -800.0;
        while x < 800.0 {
            assert!(close(x, exp::<M>(x)), "{x}: {}", exp::<M>(x));
            assert!(close(-x.abs(), exp_neg_abs::<M>(x)), "{x}");
            x += 0.0137;
        }
        for x in [709.7, 709.78, 709.782, -708.4, -744.0, 1e-300, -1e-300] {
            assert!(close(x, exp::<M>(x)), "{x}: {}", exp::<M>(x));
        }
        assert_eq!(exp::<M>(0.0), 1.0);
        assert_eq!(exp::<M>(709.79), f64::INFINITY);
        assert_eq!(exp::<M>(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp::<M>(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp::<M>(-1e6), 0.0);
        assert!(exp::<M>(f64::NAN).is_nan());
        assert_eq!(exp_neg_abs::<M>(0.0), 1.0);
        assert_eq!(exp_neg_abs::<M>(-1e6), 0.0);
        assert!(exp_neg_abs::<M>(f64::NAN).is_nan());
        assert_eq!(exp_neg_abs::<M>(f64::INFINITY), 0.0);
    }

    #[test]
    fn exps_match_libm_fused_or_not() {
        check_exps::<Fused>();
        check_exps::<Unfused>();
    }

    lanes_fn! {
        /// `exp` of every lane, as the fused loops take it (with AVX-512 or
        /// AVX2 and FMA where the CPU has them).
        fn exps(out: &mut [f64], xs: &[f64]) {
            for (o, &x) in out.iter_mut().zip(xs) {
                *o = exp::<M>(x);
            }
        }
    }

    #[test]
    fn exp_by_lanes_matches_libm() {
        let xs: Vec<f64> = (0..100_003).map(|k| -760.0 + k as f64 * 0.0147).collect();
        let mut out = vec![0.0; xs.len()];
        exps(&mut out, &xs);
        for (&x, &got) in xs.iter().zip(&out) {
            assert!(close(x, got), "{x}: {got}");
        }
    }

    #[test]
    fn ln_1p_unit_matches_libm() {
        for k in 0..=100_000 {
            let u = k as f64 / 100_000.0;
            let want = u.ln_1p();
            let got = ln_1p_unit(u);
            assert!(
                (got - want).abs() <= 8e-16 * want.max(1e-300),
                "{u}: {got} vs {want}"
            );
        }
        for u in [1e-300, 1e-20, 1e-10] {
            assert!((ln_1p_unit(u) - u.ln_1p()).abs() <= 4e-16 * u, "{u}");
        }
        assert!(ln_1p_unit(f64::NAN).is_nan());
    }
}
