//! The compute bound of N1: how fast one core multiplies and adds, measured
//! with independent fused multiply-adds in registers (the widest vectors the
//! CPU has), so that a time per call can be set against what the products'
//! flops need at best, as the one-read bound sets it against memory.

use std::time::Instant;

/// Multiply-adds per measurement, per accumulator lane.
const ROUNDS: u64 = 20_000_000;

/// This core's peak in GFLOP/s (two flops a multiply-add), the best of a
/// few runs; `None` without AVX2 and FMA.
pub fn gflops() -> Option<f64> {
    let run = kernel()?;
    (0..5)
        .map(|_| {
            let t = Instant::now();
            let (lanes, check) = run(ROUNDS);
            let secs = t.elapsed().as_secs_f64();
            // The sum keeps the work from being dropped; it is always finite.
            std::hint::black_box(check);
            2.0 * (ROUNDS * lanes) as f64 / secs / 1e9
        })
        .reduce(f64::max)
}

/// The widest kernel the CPU runs: `rounds` steps of 12 accumulators,
/// returning the multiply-adds per step and a sum of the results.
fn kernel() -> Option<fn(u64) -> (u64, f64)> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512.
            return Some(|r| unsafe { x86::fmas_avx512(r) });
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX2 and FMA.
            return Some(|r| unsafe { x86::fmas_avx2(r) });
        }
    }
    None
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f")]
    pub(super) fn fmas_avx512(rounds: u64) -> (u64, f64) {
        let (b, c) = (_mm512_set1_pd(0.999_999_9), _mm512_set1_pd(1e-9));
        let mut acc = [_mm512_set1_pd(1.0); 12];
        for _ in 0..rounds {
            for a in &mut acc {
                *a = _mm512_fmadd_pd(*a, b, c);
            }
        }
        (12 * 8, acc.iter().map(|&a| _mm512_reduce_add_pd(a)).sum())
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn fmas_avx2(rounds: u64) -> (u64, f64) {
        let (b, c) = (_mm256_set1_pd(0.999_999_9), _mm256_set1_pd(1e-9));
        let mut acc = [_mm256_set1_pd(1.0); 12];
        for _ in 0..rounds {
            for a in &mut acc {
                *a = _mm256_fmadd_pd(*a, b, c);
            }
        }
        let mut sum = 0.0;
        for a in acc {
            let mut lanes = [0.0; 4];
            // SAFETY: `lanes` holds four floats.
            unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), a) };
            sum += lanes.iter().sum::<f64>();
        }
        (12 * 4, sum)
    }
}
