//! Matrix products with one side of at most [`SMALL`] rows (a loss over
//! many samples and few classes: `W⋅X`, `D⋅Xᵀ`, `X⋅Wᵀ`, `Dᵀ⋅X`), where a
//! general GEMM spends its time packing. Two loop nests keep every partial
//! result in registers: *dots*, `out[i, j] = a[i, :]⋅b[j, :]`, and *axpys*,
//! `out[i, :] = Σₚ op(a)[i, p]⋅b[p, :]`. Each is compiled for AVX-512, for
//! AVX2 with FMA, and plainly, running the widest the CPU has.

use super::step::View;
use crate::Shape;

/// The most rows the small side may have.
pub(crate) const SMALL: usize = 16;

/// `out (+)= op(a)⋅op(b)` when the shapes suit these kernels, the CPU has
/// AVX2 or AVX-512, and
/// - `b` is a block of columns of wider data (a block of samples stored as
///   columns, which faer reads slowly: 1.3–1.5× the time on N1),
/// - or `out` has at most [`SMALL`] rows and `b` is taken as stored (`W⋅X`
///   for a batch of `sgd`: N1's epoch 494 → 470 ms),
/// - or, with AVX-512, `a` is such a block that fits in the level-2 cache
///   (N1's gradient `X⋅Dᵀ` per block of 240 samples from that cache: 16.5
///   ms a call against faer's 19.7; from the level-3 cache, per block of
///   480, the dots are slower, 29.6 against 21.5),
/// - or, with AVX-512, `out = a⋅bᵀ` with `b` of at most [`SMALL`] rows
///   (`X⋅Wᵀ` for samples as rows: see [`dots`]);
///
/// false (and `out` untouched) when not, for faer.
pub(crate) fn gemm(
    out: &mut [f64],
    shape: Shape,
    a: View,
    ta: bool,
    b: View,
    tb: bool,
    acc: bool,
) -> bool {
    let isa = isa();
    let block_in_level2 = |v: View| {
        let bytes = 8 * v.shape.rows * v.shape.cols;
        v.stride > v.shape.cols && super::cache::level2_bytes().is_some_and(|l2| bytes <= l2)
    };
    let suits = b.stride > b.shape.cols
        || (!tb && shape.rows <= SMALL)
        || (isa.eight_lanes() && (block_in_level2(a) || (!ta && tb && shape.cols <= SMALL)));
    suits && b.shape.rows > 1 && gemm_with(isa, out, shape, a, ta, b, tb, acc)
}

#[allow(clippy::too_many_arguments)]
fn gemm_with(
    isa: Isa,
    out: &mut [f64],
    shape: Shape,
    a: View,
    ta: bool,
    b: View,
    tb: bool,
    acc: bool,
) -> bool {
    let (m, n) = (shape.rows, shape.cols);
    let k = if ta { a.shape.rows } else { a.shape.cols };
    if isa == Isa::Plain || m == 0 || n == 0 || k < 32 {
        return false;
    }
    if !ta && tb && (m <= SMALL || n <= SMALL) {
        dots(isa, out, shape, a, b, acc);
        true
    } else if !tb && m <= SMALL && n >= 16 {
        axpys(isa, out, shape, a, ta, b, acc);
        true
    } else {
        false
    }
}

/// Which instruction set the kernels run with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Isa {
    Avx512,
    Avx2,
    /// The AVX-512 loops over 8 plain lanes, so that tests check them on
    /// any CPU.
    #[cfg(test)]
    Lanes8,
    Plain,
}

impl Isa {
    /// True when the kernels run 8 lanes wide (AVX-512's tiles).
    fn eight_lanes(self) -> bool {
        #[cfg(test)]
        if self == Isa::Lanes8 {
            return true;
        }
        self == Isa::Avx512
    }
}

/// True when a product reading a block of columns that the level-2 cache
/// holds runs in the dots kernel (with AVX-512; see [`gemm`]): only then
/// are blocks sized to that cache worth their shorter rows.
pub(crate) fn reads_level2_blocks() -> bool {
    isa().eight_lanes()
}

fn isa() -> Isa {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return Isa::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            return Isa::Avx2;
        }
    }
    Isa::Plain
}

/// Calls `$f::<T, ...>` with the const `T` equal to the runtime `$t`
/// (1 to [`SMALL`]).
macro_rules! with_tile {
    ($t:expr, $f:ident::<_ $(, $c:literal)*>($($arg:expr),*)) => {
        match $t {
            1 => $f::<1 $(, $c)*>($($arg),*),
            2 => $f::<2 $(, $c)*>($($arg),*),
            3 => $f::<3 $(, $c)*>($($arg),*),
            4 => $f::<4 $(, $c)*>($($arg),*),
            5 => $f::<5 $(, $c)*>($($arg),*),
            6 => $f::<6 $(, $c)*>($($arg),*),
            7 => $f::<7 $(, $c)*>($($arg),*),
            8 => $f::<8 $(, $c)*>($($arg),*),
            9 => $f::<9 $(, $c)*>($($arg),*),
            10 => $f::<10 $(, $c)*>($($arg),*),
            11 => $f::<11 $(, $c)*>($($arg),*),
            _ => $f::<12 $(, $c)*>($($arg),*),
        }
    };
}

/// Splits `rows` into tiles of at most `most`, as even as can be.
fn tiles(rows: usize, most: usize) -> impl Iterator<Item = (usize, usize)> {
    let count = rows.div_ceil(most).max(1);
    let size = rows.div_ceil(count);
    (0..count).map(move |t| (t * size, size.min(rows - t * size)))
}

/// `out[i, j] (+)= a[i, :]⋅b[j, :]` with `a` or `b` of at most [`SMALL`]
/// rows: each pair of rows of the large side meets a tile of the small side.
fn dots(isa: Isa, out: &mut [f64], shape: Shape, a: View, b: View, acc: bool) {
    let (m, n) = (shape.rows, shape.cols);
    let small_is_b = n <= SMALL && (m > SMALL || n <= m);
    let (big, small) = if small_is_b { (a, b) } else { (b, a) };
    // Where dot (r, s) of a big row and a small row goes.
    let (big_step, small_step) = if small_is_b { (n, 1) } else { (1, n) };
    let most = if isa.eight_lanes() { 12 } else { 6 };
    // The dots in pieces of columns small enough that a tile of the small
    // side stays in the level-1 cache (24 KiB, half of today's), each
    // piece added to the last: for each row of the big side the tile is
    // read whole (N1 as rows on a Xeon with AVX-512, `X⋅Wᵀ` with W 10×784:
    // 67 ms a call in one piece, 61 in pieces of 264 columns, 63 in pieces
    // of 200 or 392).
    let k = a.shape.cols;
    let fits = (24 << 10) / (8 * small.shape.rows.clamp(1, most));
    let piece = k.div_ceil(k.div_ceil(fits.max(8))).next_multiple_of(8);
    let mut lines = Vec::new();
    for p0 in (0..k).step_by(piece) {
        let big = big.columns(p0, piece);
        let small = on_lines(small.columns(p0, piece), &mut lines);
        let acc = acc || p0 > 0;
        for (s0, t) in tiles(small.shape.rows, most) {
            let to = Out {
                data: &mut *out,
                big_step,
                small_step,
                first: s0 * small_step,
                acc,
            };
            match isa {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the CPU has AVX-512.
                Isa::Avx512 => unsafe { with_tile!(t, dots_avx512::<_>(big, small, s0, to)) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the CPU has AVX2 and FMA.
                Isa::Avx2 => unsafe { with_tile!(t, dots_avx2::<_>(big, small, s0, to)) },
                #[cfg(all(test, target_arch = "x86_64"))]
                Isa::Lanes8 => with_tile!(t, dots_lanes8::<_>(big, small, s0, to)),
                _ => {}
            }
        }
    }
}

/// `v`, or its rows copied into `buf` so that each starts on a 64-byte
/// line when they do not: a vector load across two lines costs two, and
/// the small side is loaded once for every two numbers of the big side (N1
/// as rows on a Xeon with AVX-512, W 48 bytes off a line: `X⋅Wᵀ` with one
/// block hot in cache, 20.8 → 16.9 ms a call; the whole call, 68.3 →
/// 64.6).
fn on_lines<'a>(v: View<'a>, buf: &'a mut Vec<f64>) -> View<'a> {
    let on_line = |p: *const f64| (p as usize).is_multiple_of(64);
    if on_line(v.data.as_ptr()) && (v.shape.rows == 1 || v.stride.is_multiple_of(8)) {
        return v;
    }
    let stride = v.shape.cols.next_multiple_of(8);
    buf.clear();
    buf.resize(v.shape.rows * stride + 8, 0.0);
    let first = buf.as_ptr().align_offset(64).min(8);
    let data = &mut buf[first..];
    for i in 0..v.shape.rows {
        data[i * stride..][..v.shape.cols].copy_from_slice(v.row(i));
    }
    View {
        data,
        shape: v.shape,
        stride,
    }
}

/// Where the dots of a tile go: dot (r, s) at `first + r⋅big_step +
/// s⋅small_step`, added when `acc`.
struct Out<'a> {
    data: &'a mut [f64],
    big_step: usize,
    small_step: usize,
    first: usize,
    acc: bool,
}

impl Out<'_> {
    #[inline(always)]
    fn put(&mut self, r: usize, s: usize, x: f64) {
        let o = &mut self.data[self.first + r * self.big_step + s * self.small_step];
        *o = if self.acc { *o + x } else { x };
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn dots_avx512<const T: usize>(big: View, small: View, s0: usize, out: Out) {
    dots_tile::<simd::V8, T>(big, small, s0, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dots_avx2<const T: usize>(big: View, small: View, s0: usize, out: Out) {
    dots_tile::<simd::V4, T>(big, small, s0, out)
}

#[cfg(all(test, target_arch = "x86_64"))]
fn dots_lanes8<const T: usize>(big: View, small: View, s0: usize, out: Out) {
    dots_tile::<simd::Lanes8, T>(big, small, s0, out)
}

/// The dots of every row of `big` with rows `s0..s0 + T` of `small`, two
/// rows of `big` at a time, into `out`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn dots_tile<V: simd::Vector, const T: usize>(big: View, small: View, s0: usize, mut out: Out) {
    let k = big.shape.cols;
    let srows: [&[f64]; T] = std::array::from_fn(|s| &small.row(s0 + s)[..k]);
    let body = k - k % V::LANES;
    let mut r = 0;
    while r < big.shape.rows {
        let pair = (big.shape.rows - r).min(2);
        let b0 = &big.row(r)[..k];
        let b1 = &big.row(r + pair - 1)[..k];
        let mut acc0 = [unsafe { V::zero() }; T];
        let mut acc1 = [unsafe { V::zero() }; T];
        // The next pair of rows, asked for while this one is summed.
        let next = (r + 2).min(big.shape.rows - 1);
        let n0 = big.data.as_ptr().wrapping_add(next * big.stride);
        let n1 = n0.wrapping_add(if next + 1 < big.shape.rows {
            big.stride
        } else {
            0
        });
        let mut o = 0;
        while o < body {
            // SAFETY: o + LANES ≤ k, the length of every row read.
            unsafe {
                if o % 8 == 0 {
                    simd::prefetch(n0.wrapping_add(o));
                    simd::prefetch(n1.wrapping_add(o));
                }
                let x0 = V::load(b0.as_ptr().add(o));
                let x1 = V::load(b1.as_ptr().add(o));
                for s in 0..T {
                    let y = V::load(srows[s].as_ptr().add(o));
                    acc0[s] = V::fma(x0, y, acc0[s]);
                    acc1[s] = V::fma(x1, y, acc1[s]);
                }
            }
            o += V::LANES;
        }
        for (q, (x, sums)) in [(b0, acc0), (b1, acc1)].into_iter().enumerate().take(pair) {
            let mut totals = [0.0; T];
            for (vs, to) in sums.chunks(8).zip(totals.chunks_mut(8)) {
                // SAFETY: the features V needs are enabled by the caller.
                unsafe { V::sums(vs, to) }
            }
            for (s, y) in srows.iter().enumerate() {
                let mut total = totals[s];
                for p in body..k {
                    total = x[p].mul_add(y[p], total);
                }
                out.put(r + q, s, total);
            }
        }
        r += pair;
    }
}

/// `out[i, :] (+)= Σₚ op(a)[i, p]⋅b[p, :]` with `out` of at most [`SMALL`]
/// rows: a tile of rows of `out` by a strip of columns stays in registers
/// while the rows of `b` stream by.
fn axpys(isa: Isa, out: &mut [f64], shape: Shape, a: View, ta: bool, b: View, acc: bool) {
    let (m, n) = (shape.rows, shape.cols);
    for (i0, t) in tiles(m, 12) {
        let coefs = Coefs::of(a, ta).past_rows(i0);
        let rows = &mut out[i0 * n..(i0 + t) * n];
        match isa {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU has AVX-512.
            Isa::Avx512 => unsafe { with_tile!(t, axpys_avx512::<_>(rows, n, coefs, b, acc)) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU has AVX2 and FMA.
            Isa::Avx2 => unsafe { with_halves!(t, axpys_avx2(rows, n, coefs, b, acc)) },
            #[cfg(all(test, target_arch = "x86_64"))]
            Isa::Lanes8 => with_tile!(t, axpys_lanes8::<_>(rows, n, coefs, b, acc)),
            _ => {}
        }
    }
}

/// The coefficients `op(a)[i, p]`, read in place: `a`'s own numbers, `i`
/// and `p` each a fixed step apart (copying W's 7 840 into p-major order
/// for every block of N1 as columns took a tenth of `W⋅X`).
#[derive(Clone, Copy)]
struct Coefs<'a> {
    data: &'a [f64],
    p_step: usize,
    i_step: usize,
}

impl<'a> Coefs<'a> {
    fn of(a: View<'a>, ta: bool) -> Coefs<'a> {
        let (p_step, i_step) = if ta { (a.stride, 1) } else { (1, a.stride) };
        Coefs {
            data: a.data,
            p_step,
            i_step,
        }
    }

    fn at(&self, p: usize, i: usize) -> f64 {
        self.data[p * self.p_step + i * self.i_step]
    }

    /// The coefficients of rows `i..` of `op(a)`.
    fn past_rows(self, i: usize) -> Coefs<'a> {
        Coefs {
            data: &self.data[(i * self.i_step).min(self.data.len())..],
            ..self
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn axpys_avx512<const T: usize>(out: &mut [f64], n: usize, coefs: Coefs, b: View, acc: bool) {
    axpys_tile::<simd::V8, T, 0, 2>(out, n, coefs, b, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn axpys_avx2<const A: usize, const B: usize>(
    out: &mut [f64],
    n: usize,
    coefs: Coefs,
    b: View,
    acc: bool,
) {
    axpys_tile::<simd::V4, A, B, 2>(out, n, coefs, b, acc)
}

#[cfg(all(test, target_arch = "x86_64"))]
fn axpys_lanes8<const T: usize>(out: &mut [f64], n: usize, coefs: Coefs, b: View, acc: bool) {
    axpys_tile::<simd::Lanes8, T, 0, 2>(out, n, coefs, b, acc)
}

/// Calls `$f::<A, B>` for a tile of `$t` rows (1 to 12) split in two of at
/// most 6 (AVX2's 16 registers hold 6 rows by 2 vectors).
macro_rules! with_halves {
    ($t:expr, $f:ident($($arg:expr),*)) => {
        match $t {
            1 => $f::<1, 0>($($arg),*),
            2 => $f::<2, 0>($($arg),*),
            3 => $f::<3, 0>($($arg),*),
            4 => $f::<4, 0>($($arg),*),
            5 => $f::<5, 0>($($arg),*),
            6 => $f::<6, 0>($($arg),*),
            7 => $f::<4, 3>($($arg),*),
            8 => $f::<4, 4>($($arg),*),
            9 => $f::<5, 4>($($arg),*),
            10 => $f::<5, 5>($($arg),*),
            11 => $f::<6, 5>($($arg),*),
            _ => $f::<6, 6>($($arg),*),
        }
    };
}
use with_halves;

/// The `A + B` rows of `out` (each `n` long) from `coefs` and
/// `b`, in strips of `U` vectors (the columns past the last strip one by
/// one). Rows `0..A` and `A..A + B` are two tiles over each strip: the
/// second reads the strip from the level-1 cache.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn axpys_tile<V: simd::Vector, const A: usize, const B: usize, const U: usize>(
    out: &mut [f64],
    n: usize,
    coefs: Coefs,
    b: View,
    acc: bool,
) {
    let k = b.shape.rows;
    let t = A + B;
    assert!(k == 0 || (k - 1) * b.stride + n <= b.data.len());
    assert!(out.len() >= t * n);
    assert!(k == 0 || (k - 1) * coefs.p_step + (t - 1) * coefs.i_step < coefs.data.len());
    let strip = U * V::LANES;
    let body = n - n % strip;
    // Past the strips, single vectors (the rows of a product with 20
    // columns in strips of 8: one vector, not four numbers one by one).
    let vectors = n - n % V::LANES;
    // Rows of `b` in chunks, so that a strip walks a few rows (a few
    // pages) at a time; the sums go through `out` between chunks. Rows far
    // apart share few sets of the level-1 cache (which repeat every 4 KiB):
    // 16 rows (and their pieces asked for ahead) stay in it where 32 did
    // not, and 8 where rows lie a multiple of 4 KiB apart, all in one set
    // (streaming N1's X as columns on Zen 2, `W⋅X` alone: 29.5 ms a call
    // in chunks of 16 against 44–65 in chunks of 32; N = 65 536, the whole
    // call: 75.7 ms in chunks of 8 against 79.5 in chunks of 16). Rows
    // that follow each other (a block of samples as rows) take 32 at a
    // time with AVX-512, half the trips of the sums through `out` (N1 as
    // rows on a Xeon, the gradient `Dᵀ⋅X`: 15.6–17.0 ms a call in chunks
    // of 16, 13.9–15.0 in chunks of 32, 14.2–14.8 in chunks of 64).
    let chunk = match b.stride {
        s if s.is_multiple_of(512) => 8,
        s if s == n && V::LANES == 8 => 32,
        _ => 16,
    };
    let out = out.as_mut_ptr();
    for p0 in (0..k).step_by(chunk) {
        let rows = p0..k.min(p0 + chunk);
        let add = acc || p0 > 0;
        // SAFETY: every strip and vector ends by column n, rows < k, and
        // the bounds asserted above.
        unsafe {
            for c in (0..body).step_by(strip) {
                tiles_at::<V, A, B, U>(out, n, coefs, b, rows.clone(), c, add);
            }
            for c in (body..vectors).step_by(V::LANES) {
                tiles_at::<V, A, B, 1>(out, n, coefs, b, rows.clone(), c, add);
            }
        }
    }
    for c in vectors..n {
        for i in 0..t {
            let mut total = 0.0f64;
            for p in 0..k {
                total = coefs.at(p, i).mul_add(b.data[p * b.stride + c], total);
            }
            // SAFETY: i < t and c < n, inside `out` as asserted above.
            let o = unsafe { &mut *out.add(i * n + c) };
            *o = if acc { *o + total } else { total };
        }
    }
}

/// Both tiles of [`axpys_tile`] at columns `c..c + U⋅LANES` over `rows`.
///
/// # Safety
/// As for [`strip_tile`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn tiles_at<V: simd::Vector, const A: usize, const B: usize, const U: usize>(
    out: *mut f64,
    n: usize,
    coefs: Coefs,
    b: View,
    rows: std::ops::Range<usize>,
    c: usize,
    add: bool,
) {
    // Prefetches a chunk on only where `b` is a block of columns of wider
    // rows, with AVX-512 (see [`strip_tile`]).
    let far = b.stride > n && V::LANES == 8;
    unsafe {
        if far {
            strip_tile::<V, A, U, true, true>(out, n, coefs, b, rows.clone(), c, add);
        } else {
            strip_tile::<V, A, U, true, false>(out, n, coefs, b, rows.clone(), c, add);
        }
        if B > 0 {
            let (out, coefs) = (out.add(A * n), coefs.past_rows(A));
            strip_tile::<V, B, U, false, false>(out, n, coefs, b, rows, c, add);
        }
    }
}

/// Rows `0..R` of `out` (each `n` long) at columns `c..c + U⋅LANES`, from
/// rows `rows` of `b` and `coefs`, added to `out` when `add`. With `NEAR`,
/// asks for the piece of each row of `b` a few strips on; with `FAR`, also
/// for the same columns of the row a chunk on.
///
/// # Safety
/// The rows and columns read and written lie inside `out`, `coefs` and `b`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn strip_tile<
    V: simd::Vector,
    const R: usize,
    const U: usize,
    const NEAR: bool,
    const FAR: bool,
>(
    out: *mut f64,
    n: usize,
    coefs: Coefs,
    b: View,
    rows: std::ops::Range<usize>,
    c: usize,
    add: bool,
) {
    // How far along each row to prefetch: two strips, and at least three
    // cache lines (streaming N1's X as columns on Zen 2, where a strip is
    // a line, `W⋅X` alone: two lines on, 30.2 ms a call; three or four,
    // 29.5).
    let ahead = (2 * U * V::LANES).max(24);
    // Where `b` is a block of columns of wider rows (samples stored as
    // columns), the piece of the row this strip reads one chunk on: past
    // the last row, the first rows of the next block (the next `n`
    // columns, as the blocks follow each other). Asked for into the
    // level-2 cache while the chunk before it is summed, so the memory
    // works while the core does (N1 as columns on a Xeon with AVX-512: 66
    // → 60 ms a call; into the level-1 cache, the same). With AVX-512
    // only: on Zen 2 (AVX2) farther prefetches were measured to slow the
    // call (a second one four times as far along the row: 67 → 77–80 ms).
    let (span, k) = (rows.len(), b.shape.rows);
    let chunk_on = |p: usize| match p + span {
        q if q < k => q * b.stride + c,
        q => (q - k) * b.stride + c + n,
    };
    // SAFETY (all blocks below): the caller keeps every row and column
    // read and written inside `out`, `coefs` and `b`; a prefetch reads
    // nothing.
    let mut sums = [[unsafe { V::zero() }; U]; R];
    for p in rows {
        unsafe {
            let row = b.data.as_ptr().add(p * b.stride + c);
            if NEAR {
                // The rows are far apart: ask for this row's piece `ahead`
                // numbers on now (and for the row a chunk on).
                for u in 0..U {
                    simd::prefetch(row.wrapping_add(ahead + u * V::LANES));
                }
                if FAR {
                    let later = b.data.as_ptr().wrapping_add(chunk_on(p));
                    for u in 0..U {
                        simd::prefetch_far(later.wrapping_add(u * V::LANES));
                    }
                }
            }
            let xs: [V; U] = std::array::from_fn(|u| V::load(row.add(u * V::LANES)));
            let cs = coefs.data.as_ptr().add(p * coefs.p_step);
            for (i, row) in sums.iter_mut().enumerate() {
                let w = V::splat(*cs.add(i * coefs.i_step));
                for (sum, &x) in row.iter_mut().zip(&xs) {
                    *sum = V::fma(w, x, *sum);
                }
            }
        }
    }
    for (i, row) in sums.iter().enumerate() {
        for (u, v) in row.iter().enumerate() {
            unsafe {
                let o = out.add(i * n + u * V::LANES + c);
                let v = if add { V::add(V::load(o), *v) } else { *v };
                v.store(o);
            }
        }
    }
}

/// The vectors the kernels are written with.
#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    /// A vector of f64 lanes. The methods need the CPU features of their
    /// type, enabled in the function they are inlined into.
    pub(super) trait Vector: Copy {
        const LANES: usize;
        unsafe fn zero() -> Self;
        unsafe fn load(p: *const f64) -> Self;
        unsafe fn store(self, p: *mut f64);
        unsafe fn splat(x: f64) -> Self;
        /// `a⋅b + c`, rounded once.
        unsafe fn fma(a: Self, b: Self, c: Self) -> Self;
        unsafe fn add(a: Self, b: Self) -> Self;
        /// The sum of the lanes.
        unsafe fn sum(self) -> f64;
        /// `to[i]` = the sum of the lanes of `vs[i]`, for up to 8 vectors.
        #[inline(always)]
        unsafe fn sums(vs: &[Self], to: &mut [f64]) {
            for (t, v) in to.iter_mut().zip(vs) {
                *t = unsafe { v.sum() };
            }
        }
    }

    /// Asks for the cache line holding `p` (no fault if it is not memory).
    #[inline(always)]
    pub(super) fn prefetch(p: *const f64) {
        // SAFETY: a prefetch reads nothing and cannot fault (SSE is part of
        // x86-64).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>()) }
    }

    /// Asks for the cache line holding `p` into the level-2 cache only.
    #[inline(always)]
    pub(super) fn prefetch_far(p: *const f64) {
        // SAFETY: as for `prefetch`.
        unsafe { _mm_prefetch::<_MM_HINT_T1>(p.cast::<i8>()) }
    }

    /// 8 lanes (AVX-512).
    #[derive(Clone, Copy)]
    pub(super) struct V8(__m512d);

    impl Vector for V8 {
        const LANES: usize = 8;
        #[inline(always)]
        unsafe fn zero() -> Self {
            unsafe { V8(_mm512_setzero_pd()) }
        }
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            unsafe { V8(_mm512_loadu_pd(p)) }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) {
            unsafe { _mm512_storeu_pd(p, self.0) }
        }
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            unsafe { V8(_mm512_set1_pd(x)) }
        }
        #[inline(always)]
        unsafe fn fma(a: Self, b: Self, c: Self) -> Self {
            unsafe { V8(_mm512_fmadd_pd(a.0, b.0, c.0)) }
        }
        #[inline(always)]
        unsafe fn add(a: Self, b: Self) -> Self {
            unsafe { V8(_mm512_add_pd(a.0, b.0)) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f64 {
            unsafe { _mm512_reduce_add_pd(self.0) }
        }
        /// Eight vectors at once by a tree of shuffles: 21 instructions
        /// where eight `sum`s take 48, on the ports the products need (N1
        /// as columns, the gradient in dots of 240 samples: 63.2 → 61.5 ms
        /// a call).
        #[inline(always)]
        unsafe fn sums(vs: &[Self], to: &mut [f64]) {
            let ([a, b, c, d, e, f, g, h], 8) = (vs, to.len()) else {
                for (t, v) in to.iter_mut().zip(vs) {
                    *t = unsafe { v.sum() };
                }
                return;
            };
            unsafe {
                // Lane j of 128 bits holds (x₂ⱼ + x₂ⱼ₊₁, y₂ⱼ + y₂ⱼ₊₁).
                let pair = |x: &V8, y: &V8| {
                    _mm512_add_pd(_mm512_unpacklo_pd(x.0, y.0), _mm512_unpackhi_pd(x.0, y.0))
                };
                // Adds 128-bit lanes 0 + 1 and 2 + 3 of x, then of y.
                let halve = |x: __m512d, y: __m512d| {
                    _mm512_add_pd(
                        _mm512_shuffle_f64x2::<0x88>(x, y),
                        _mm512_shuffle_f64x2::<0xDD>(x, y),
                    )
                };
                let abcd = halve(pair(a, b), pair(c, d));
                let efgh = halve(pair(e, f), pair(g, h));
                _mm512_storeu_pd(to.as_mut_ptr(), halve(abcd, efgh));
            }
        }
    }

    /// 8 plain lanes, for tests of the AVX-512 loops on any CPU.
    #[cfg(test)]
    #[derive(Clone, Copy)]
    pub(super) struct Lanes8([f64; 8]);

    #[cfg(test)]
    impl Vector for Lanes8 {
        const LANES: usize = 8;
        unsafe fn zero() -> Self {
            Lanes8([0.0; 8])
        }
        unsafe fn load(p: *const f64) -> Self {
            // SAFETY: the caller reads 8 numbers at `p`.
            Lanes8(std::array::from_fn(|i| unsafe { *p.add(i) }))
        }
        unsafe fn store(self, p: *mut f64) {
            for (i, x) in self.0.into_iter().enumerate() {
                // SAFETY: the caller writes 8 numbers at `p`.
                unsafe { *p.add(i) = x }
            }
        }
        unsafe fn splat(x: f64) -> Self {
            Lanes8([x; 8])
        }
        unsafe fn fma(a: Self, b: Self, c: Self) -> Self {
            Lanes8(std::array::from_fn(|i| a.0[i].mul_add(b.0[i], c.0[i])))
        }
        unsafe fn add(a: Self, b: Self) -> Self {
            Lanes8(std::array::from_fn(|i| a.0[i] + b.0[i]))
        }
        unsafe fn sum(self) -> f64 {
            self.0.iter().sum()
        }
    }

    /// 4 lanes (AVX2 with FMA).
    #[derive(Clone, Copy)]
    pub(super) struct V4(__m256d);

    impl Vector for V4 {
        const LANES: usize = 4;
        #[inline(always)]
        unsafe fn zero() -> Self {
            unsafe { V4(_mm256_setzero_pd()) }
        }
        #[inline(always)]
        unsafe fn load(p: *const f64) -> Self {
            unsafe { V4(_mm256_loadu_pd(p)) }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut f64) {
            unsafe { _mm256_storeu_pd(p, self.0) }
        }
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            unsafe { V4(_mm256_set1_pd(x)) }
        }
        #[inline(always)]
        unsafe fn fma(a: Self, b: Self, c: Self) -> Self {
            unsafe { V4(_mm256_fmadd_pd(a.0, b.0, c.0)) }
        }
        #[inline(always)]
        unsafe fn add(a: Self, b: Self) -> Self {
            unsafe { V4(_mm256_add_pd(a.0, b.0)) }
        }
        #[inline(always)]
        unsafe fn sum(self) -> f64 {
            unsafe {
                let pair = _mm_add_pd(
                    _mm256_castpd256_pd128(self.0),
                    _mm256_extractf128_pd(self.0, 1),
                );
                _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::linalg::matmul::matmul;
    use faer::{Accum, MatMut, MatRef, Par};

    /// `len` seeded pseudo-random numbers in [-1, 1).
    fn numbers(seed: u64, len: usize) -> Vec<f64> {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
        (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
    }

    /// `op(a)⋅op(b)` by the definition.
    fn plain(m: usize, n: usize, k: usize, a: &[f64], ta: bool, b: &[f64], tb: bool) -> Vec<f64> {
        let (ac, bc) = (if ta { m } else { k }, if tb { k } else { n });
        let at = |i: usize, p: usize| if ta { a[p * ac + i] } else { a[i * ac + p] };
        let bt = |p: usize, j: usize| if tb { b[j * bc + p] } else { b[p * bc + j] };
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|p| at(i, p) * bt(p, j)).sum();
            }
        }
        out
    }

    fn by_faer(m: usize, n: usize, k: usize, a: &[f64], ta: bool, b: &[f64], tb: bool) -> Vec<f64> {
        let a = if ta {
            MatRef::from_row_major_slice(a, k, m).transpose()
        } else {
            MatRef::from_row_major_slice(a, m, k)
        };
        let b = if tb {
            MatRef::from_row_major_slice(b, n, k).transpose()
        } else {
            MatRef::from_row_major_slice(b, k, n)
        };
        let mut out = vec![0.0; m * n];
        let dst = MatMut::from_row_major_slice_mut(&mut out, m, n);
        matmul(dst, Accum::Replace, a, b, 1.0, Par::Seq);
        out
    }

    fn view(data: &[f64], rows: usize, cols: usize) -> View<'_> {
        View::contiguous(data, Shape::new(rows, cols))
    }

    /// The instruction sets this CPU can run the kernels with, and the
    /// AVX-512 loops over plain lanes.
    fn isas() -> Vec<Isa> {
        let mut all = vec![Isa::Plain];
        #[cfg(target_arch = "x86_64")]
        all.push(Isa::Lanes8);
        if isa() == Isa::Avx512 {
            all.push(Isa::Avx512);
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            all.push(Isa::Avx2);
        }
        all
    }

    fn close(x: &[f64], y: &[f64], k: usize) -> bool {
        x.iter()
            .zip(y)
            .all(|(x, y)| (x - y).abs() <= 1e-13 * (k as f64) * (1.0 + y.abs()))
    }

    #[test]
    fn skinny_products_equal_faer_and_the_definition() {
        let mut cases = 0;
        for (seed, (m, n, k)) in [
            (10, 128, 784),
            (10, 131, 784),
            (10, 784, 128),
            (10, 784, 131),
            (131, 10, 784),
            (784, 10, 37),
            (1, 50, 33),
            (16, 17, 64),
            (13, 200, 40),
            (3, 16, 32),
            (9, 24, 64),
            (11, 33, 40),
            (12, 40, 50),
            (10, 512, 37),
            (10, 20, 100),
            (16, 16, 100),
            // Dots in pieces of columns, the last ragged.
            (10, 40, 1003),
            (40, 10, 1003),
        ]
        .into_iter()
        .enumerate()
        {
            for (ta, tb) in [(false, false), (true, false), (false, true)] {
                let a = numbers(seed as u64, m * k);
                let b = numbers(seed as u64 + 100, k * n);
                let av = if ta { view(&a, k, m) } else { view(&a, m, k) };
                let bv = if tb { view(&b, n, k) } else { view(&b, k, n) };
                let start = numbers(seed as u64 + 200, m * n);
                for isa in isas() {
                    let mut out = start.clone();
                    if !gemm_with(isa, &mut out, Shape::new(m, n), av, ta, bv, tb, true) {
                        assert!(isa == Isa::Plain || m > SMALL, "{m}×{n}×{k} {ta} {tb}");
                        continue;
                    }
                    cases += 1;
                    let want = plain(m, n, k, &a, ta, &b, tb);
                    let want: Vec<f64> = want.iter().zip(&start).map(|(x, s)| x + s).collect();
                    let fa = by_faer(m, n, k, &a, ta, &b, tb);
                    let fa: Vec<f64> = fa.iter().zip(&start).map(|(x, s)| x + s).collect();
                    assert!(close(&out, &want, k), "{m}×{n}×{k} {ta} {tb}");
                    assert!(close(&out, &fa, k), "{m}×{n}×{k} {ta} {tb} (faer)");
                    let mut replaced = start.clone();
                    gemm_with(isa, &mut replaced, Shape::new(m, n), av, ta, bv, tb, false);
                    let plain_only = plain(m, n, k, &a, ta, &b, tb);
                    assert!(close(&replaced, &plain_only, k));
                }
            }
        }
        assert!(cases >= 15, "only {cases} cases ran the skinny kernels");
    }

    /// Random shapes with one side of at most [`SMALL`] rows, operands
    /// stored as contiguous or strided views (blocks of wider matrices),
    /// against the definition, for every kernel the CPU can run.
    #[test]
    fn random_skinny_products_equal_the_definition() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(14);
        // A rows×cols view of fresh numbers, strided inside a wider matrix
        // at a column offset when `wide`, and its numbers contiguous.
        let operand = |seed: u64, rows: usize, cols: usize, wide: bool| {
            let (offset, stride) = if wide { (3, cols + 5) } else { (0, cols) };
            let data = numbers(seed, offset + rows * stride);
            let dense: Vec<f64> = (0..rows)
                .flat_map(|i| data[offset + i * stride..][..cols].to_vec())
                .collect();
            (data, offset, stride, dense)
        };
        let mut ran = 0;
        for case in 0..120u64 {
            let small = rng.random_range(1..=SMALL);
            let big = rng.random_range(1..300);
            let k = rng.random_range(32..700);
            let (m, n) = if rng.random_bool(0.5) {
                (small, big)
            } else {
                (big, small)
            };
            let (ta, tb) = [(false, false), (true, false), (false, true)][case as usize % 3];
            let (ar, ac) = if ta { (k, m) } else { (m, k) };
            let (br, bc) = if tb { (n, k) } else { (k, n) };
            let (ad, ao, astr, a) = operand(2 * case, ar, ac, rng.random_bool(0.5));
            let (bd, bo, bstr, b) = operand(2 * case + 1, br, bc, rng.random_bool(0.5));
            let av = View {
                data: &ad[ao..],
                shape: Shape::new(ar, ac),
                stride: astr,
            };
            let bv = View {
                data: &bd[bo..],
                shape: Shape::new(br, bc),
                stride: bstr,
            };
            let want = plain(m, n, k, &a, ta, &b, tb);
            for isa in isas() {
                let mut out = vec![0.0; m * n];
                if gemm_with(isa, &mut out, Shape::new(m, n), av, ta, bv, tb, false) {
                    ran += 1;
                    assert!(close(&out, &want, k), "{m}×{n}×{k} {ta} {tb}");
                }
            }
        }
        assert!(ran >= 100, "only {ran} products ran the skinny kernels");
    }

    /// Rows at any offset and stride come back on 64-byte lines, each
    /// equal to the row it copies.
    #[test]
    fn small_sides_are_put_on_lines() {
        let data = numbers(9, 400);
        for offset in 0..8 {
            for (rows, cols, stride) in [(3, 20, 20), (5, 13, 29), (1, 7, 7), (4, 16, 24)] {
                let v = View {
                    data: &data[offset..],
                    shape: Shape::new(rows, cols),
                    stride,
                };
                let mut buf = Vec::new();
                let lined = on_lines(v, &mut buf);
                for i in 0..rows {
                    assert_eq!(lined.row(i), v.row(i));
                    assert_eq!(lined.row(i).as_ptr() as usize % 64, 0, "{offset} {i}");
                }
            }
        }
    }

    #[test]
    fn strided_views_read_only_their_columns() {
        // A block of 40 columns out of a 64-column matrix, as the blocked
        // program reads data with samples as columns.
        let (k, cols, m) = (50, 64, 10);
        let x = numbers(7, k * cols);
        let w = numbers(8, m * k);
        let block = View {
            data: &x[12..],
            shape: Shape::new(k, 40),
            stride: cols,
        };
        let wv = view(&w, m, k);
        for isa in isas().into_iter().filter(|&i| i != Isa::Plain) {
            let mut out = vec![0.0; m * 40];
            assert!(gemm_with(
                isa,
                &mut out,
                Shape::new(m, 40),
                wv,
                false,
                block,
                false,
                false
            ));
            for i in 0..m {
                for j in 0..40 {
                    let want: f64 = (0..k).map(|p| w[i * k + p] * x[p * cols + 12 + j]).sum();
                    assert!((out[i * 40 + j] - want).abs() < 1e-12);
                }
            }
        }
    }

    /// Times the kernels against faer on N1's products, as columns, per
    /// block of samples, streaming X from memory and with one block kept hot
    /// in cache (run with `cargo test --release -p symgrad --lib
    /// time_against_faer -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn time_against_faer() {
        let (d, k, total) = (784, 10, 60_000);
        let x = numbers(1, d * total);
        let w = numbers(2, k * d);
        let best = |f: &mut dyn FnMut()| {
            (0..5)
                .map(|_| {
                    let t = std::time::Instant::now();
                    f();
                    t.elapsed().as_secs_f64() * 1e3
                })
                .fold(f64::INFINITY, f64::min)
        };
        let strided = |s: usize, block: usize| {
            MatRef::from_row_major_slice_with_stride(
                &x[s..s + (d - 1) * total + block],
                d,
                block,
                total,
            )
        };
        for block in [240, 480] {
            for hot in [false, true] {
                for (part, use_faer) in [("z", false), ("z", true), ("g", false), ("g", true)] {
                    let mut z = numbers(3, k * block);
                    let mut g = vec![0.0; k * d];
                    let ms = best(&mut || {
                        for s in (0..total - block + 1).step_by(block) {
                            let s = if hot { 0 } else { s };
                            let xb = View {
                                data: &x[s..],
                                shape: Shape::new(d, block),
                                stride: total,
                            };
                            let zs = Shape::new(k, block);
                            match (part, use_faer) {
                                ("z", true) => matmul(
                                    MatMut::from_row_major_slice_mut(&mut z, k, block),
                                    Accum::Replace,
                                    MatRef::from_row_major_slice(&w, k, d),
                                    strided(s, block),
                                    1.0,
                                    Par::Seq,
                                ),
                                ("z", false) => assert!(gemm(
                                    &mut z,
                                    zs,
                                    view(&w, k, d),
                                    false,
                                    xb,
                                    false,
                                    false
                                )),
                                (_, true) => matmul(
                                    MatMut::from_row_major_slice_mut(&mut g, d, k),
                                    Accum::Add,
                                    strided(s, block),
                                    MatRef::from_row_major_slice(&z, k, block).transpose(),
                                    1.0,
                                    Par::Seq,
                                ),
                                _ => assert!(gemm_with(
                                    isa(),
                                    &mut g,
                                    Shape::new(d, k),
                                    xb,
                                    false,
                                    view(&z, k, block),
                                    true,
                                    true
                                )),
                            }
                        }
                    });
                    let gflops = 2.0 * (d * k * (total - total % block)) as f64 / ms / 1e6;
                    println!(
                        "block {block:3} {} {part} {:6}: {ms:5.1} ms {gflops:4.1} GFLOP/s",
                        if hot { "hot   " } else { "stream" },
                        if use_faer { "faer" } else { "skinny" }
                    );
                }
            }
        }
    }
}
