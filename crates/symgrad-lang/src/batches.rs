//! The data of `sgd` and its batches: a data set is read where the pool keeps
//! it (never copied whole), and the batches' columns are gathered a window
//! of batches at a time (a seventh of the data) into buffers reused from
//! window to window, and kept by the session for the next run.

use crate::ast::Expr;
use crate::eval::Eval;
use crate::session::Session;
use symgrad::{Dense, DenseData, Node, Shape, Values};

/// A numeric matrix that `sgd` trains on.
pub(crate) struct DataSet {
    pub(crate) shape: Shape,
    numbers: Numbers,
}

/// Where a data set's numbers are.
enum Numbers {
    /// Floats in the pool, shared (the pool's data is immutable).
    Shared(Dense),
    /// Computed for this run (an expression, or exact numbers made floats).
    Owned(Vec<f64>),
}

impl DataSet {
    /// The numbers, row-major.
    pub(crate) fn data(&self) -> &[f64] {
        match &self.numbers {
            Numbers::Shared(d) => match d.data() {
                DenseData::Float(v) => v,
                DenseData::Exact(_) => &[],
            },
            Numbers::Owned(v) => v,
        }
    }

    /// Gathers the columns `window` (in that order) into batches of `size`
    /// columns (the last may be shorter), the first batches of `into`, which
    /// grows as needed and keeps the storage of any further ones (a short
    /// last window does not free what the next epoch needs again).
    /// Each row is read in increasing column order into a line, then dealt
    /// out to the batches, so that a window of many batches reads the data
    /// nearly as one stream instead of a cache line per number (N1's `sgd`
    /// epoch at batch 128, windows of an eighth of the samples: 592 → 383
    /// ms).
    pub(crate) fn gather(&self, window: &[usize], size: usize, into: &mut Vec<Values>) {
        // Batches more than the caches hold are stored past them (see
        // [`deal`]).
        let stream = 8 * self.shape.rows * window.len() > STREAM_BYTES;
        self.gather_storing(window, size, into, stream);
    }

    /// [`DataSet::gather`], storing past the caches when `stream`.
    fn gather_storing(&self, window: &[usize], size: usize, into: &mut Vec<Values>, stream: bool) {
        let (rows, cols) = (self.shape.rows, self.shape.cols);
        let data = self.data();
        let size = size.max(1);
        let count = window.len().div_ceil(size);
        if into.len() < count {
            into.resize_with(count, || Values::scalar(0.0));
        }
        for (b, batch) in into[..count].iter_mut().enumerate() {
            let width = size.min(window.len() - b * size);
            batch.shape = Shape::new(rows, width);
            // Every number is written below: only new room is zeroed.
            batch.data.resize(rows * width, 0.0);
        }
        // The window's columns in increasing order, and where each of the
        // window's places finds its number among them.
        let mut order: Vec<usize> = (0..window.len()).collect();
        order.sort_unstable_by_key(|&k| window[k]);
        let sorted: Vec<usize> = order.iter().map(|&k| window[k]).collect();
        let mut rank = vec![0; window.len()];
        for (s, &k) in order.iter().enumerate() {
            rank[k] = s;
        }
        // Rows are read four at a time, side by side, so that more reads
        // are in flight (N1's epoch at batch 128 in the benchmark: 354 →
        // 326–342 ms); past the last row, the last is read again.
        const ROWS: usize = 4;
        // Each row's number `AHEAD` columns of the window on is asked for
        // ahead: the columns skip about, so the hardware does not guess
        // them (N1's epoch at batch 128 on a Xeon: 0.43 → 0.31 s; the same
        // from 16 to 256 columns on).
        const AHEAD: usize = 64;
        let mut lines: [Vec<f64>; ROWS] = std::array::from_fn(|_| vec![0.0; window.len()]);
        for r0 in (0..rows).step_by(ROWS) {
            let here = ROWS.min(rows - r0);
            let from: [&[f64]; ROWS] =
                std::array::from_fn(|q| &data[(r0 + q.min(here - 1)) * cols..][..cols]);
            for (k, &j) in sorted.iter().enumerate() {
                if let Some(&later) = sorted.get(k + AHEAD) {
                    for row in &from {
                        prefetch(row.as_ptr().wrapping_add(later));
                    }
                }
                for (line, row) in lines.iter_mut().zip(&from) {
                    line[k] = row[j];
                }
            }
            for (r, line) in (r0..).zip(&lines[..here]) {
                for (ranks, batch) in rank.chunks(size).zip(into.iter_mut()) {
                    let width = ranks.len();
                    let out = &mut batch.data[r * width..(r + 1) * width];
                    deal(out, line, ranks, stream);
                }
            }
        }
        finish_dealing();
    }
}

/// A batch's sample indices are shown in full up to this many, and of a
/// larger batch the first five and the last.
const SHOWN_INDICES: usize = 8;

/// A batch's sample indices as `sgd`'s progress lines and `batches` show
/// them: `[4 0 6]`, or `[4 0 6 1 9 … 3] (128 samples)` past
/// [`SHOWN_INDICES`].
pub(crate) fn indices(batch: &[usize]) -> String {
    let text = |ks: &[usize]| {
        ks.iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    };
    match batch {
        [first @ .., last] if batch.len() > SHOWN_INDICES => {
            format!("[{} … {last}] ({} samples)", text(&first[..5]), batch.len())
        }
        _ => format!("[{}]", text(batch)),
    }
}

/// `batches(n, size)` lists up to this many batches, and of more the first
/// ten and the last.
pub(crate) const SHOWN_BATCHES: usize = 20;

/// The buffers of a window's batches of X and of Y, kept by the session
/// from one `sgd` run to the next: memory new to the process is zeroed by
/// the system, page by page, on first use (N1's window at batch 128, a
/// seventh of X, 54 MB: 6–184 ms on a 2-core Zen 3 machine; the whole
/// gather of a window takes 21 ms).
#[derive(Default)]
pub(crate) struct BatchBuffers {
    pub(crate) x: Vec<Values>,
    pub(crate) y: Vec<Values>,
}

impl BatchBuffers {
    /// The buffers, when they hold at most a fifth of what the data sets
    /// `x` and `y` hold (windows of many batches), and none otherwise (a
    /// batch of half the samples is half a copy of them).
    pub(crate) fn kept_for(self, x: &DataSet, y: &DataSet) -> BatchBuffers {
        let held: usize = self
            .x
            .iter()
            .chain(&self.y)
            .map(|v| v.data.capacity())
            .sum();
        if 5 * held <= x.data().len() + y.data().len() {
            self
        } else {
            BatchBuffers::default()
        }
    }
}

/// The size of a window's batches past which [`deal`] stores them past
/// the caches. N1's `sgd` at batch 128 on Zen 3 (32 MiB level-3 cache),
/// windows of a seventh, X 784×N, seconds for many epochs, plain stores
/// against stores past the caches: N = 2 000 (windows of 1.8 MB), 300
/// epochs, 1.70–1.75 against 1.82–1.84; N = 10 000 (9 MB), 30 epochs, the
/// same within the noise; N = 20 000 (18 MB), 3.50–3.67 against 3.02–3.72.
const STREAM_BYTES: usize = 16 << 20;

/// `out[i] = line[ranks[i]]`, with `stream` stored past the caches: a
/// window's batches that are more than the caches hold are read only
/// later, so a plain store, which first reads the line it writes, reads
/// memory for nothing (N1's `sgd` epoch at batch 128 on Zen 3, N = 60 000:
/// 6 epochs in a script, median of 8 alternating runs, 2.29 → 1.97 s; a
/// model of the gather alone, 65–73 → 34–38 ms of dealing an epoch). The
/// numbers are stored two at a time where they can be (the same epoch,
/// 6 epochs in a script, median of 6 alternating runs: 1.75 → 1.61 s with
/// the program's results copied by rows).
#[inline]
fn deal(out: &mut [f64], line: &[f64], ranks: &[usize], stream: bool) {
    #[cfg(target_arch = "x86_64")]
    if stream {
        use std::arch::x86_64::{_mm_set_pd, _mm_stream_pd, _mm_stream_si64};
        // One number alone up to a 16-byte boundary, then pairs.
        let skip = out.as_ptr().align_offset(16).min(out.len());
        let (head, rest) = out.split_at_mut(skip);
        let (head_ranks, rest_ranks) = ranks.split_at(head.len());
        let mut pairs = rest.chunks_exact_mut(2);
        let mut pair_ranks = rest_ranks.chunks_exact(2);
        for (o, s) in (&mut pairs).zip(&mut pair_ranks) {
            // SAFETY: `o` is two f64 on a 16-byte boundary; MOVNTPD is SSE2,
            // part of x86-64. `finish_dealing` orders these stores before
            // later loads.
            unsafe { _mm_stream_pd(o.as_mut_ptr(), _mm_set_pd(line[s[1]], line[s[0]])) }
        }
        let singles = head.iter_mut().zip(head_ranks);
        let last = pairs
            .into_remainder()
            .iter_mut()
            .zip(pair_ranks.remainder());
        for (o, &s) in singles.chain(last) {
            // SAFETY: as above, MOVNTI is SSE2.
            unsafe { _mm_stream_si64((o as *mut f64).cast(), line[s].to_bits() as i64) }
        }
        return;
    }
    let _ = stream;
    for (o, &s) in out.iter_mut().zip(ranks) {
        *o = line[s];
    }
}

/// Makes the stores of [`deal`] visible to every later load.
fn finish_dealing() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SFENCE is SSE, part of x86-64.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    }
}

/// Asks for the cache line holding `p` (no fault if it is not memory).
#[inline(always)]
fn prefetch(p: *const f64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and cannot fault (SSE is part of
    // x86-64).
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>())
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

impl Session {
    /// The value of `e` as a data set (`what` names it in errors): the
    /// pool's floats when `e` is data, otherwise its computed value.
    pub(crate) fn data_set(&mut self, e: &Expr, what: &str) -> Eval<DataSet> {
        let id = self.expr(e)?;
        if let Node::Dense(d) = self.pool.node(id)
            && matches!(d.data(), DenseData::Float(_))
        {
            return Ok(DataSet {
                shape: d.shape(),
                numbers: Numbers::Shared(d.clone()),
            });
        }
        let v = self.numeric_id(id, e.span, what)?;
        Ok(DataSet {
            shape: v.shape,
            numbers: Numbers::Owned(v.data),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_gathered_into_its_batches_in_order() {
        // 2×10, element (r, j) = 100⋅r + j.
        let data = (0..2).flat_map(|r| (0..10).map(move |j| (100 * r + j) as f64));
        let set = DataSet {
            shape: Shape::new(2, 10),
            numbers: Numbers::Owned(data.collect()),
        };
        let mut batches = vec![Values::scalar(7.0); 5];
        set.gather(&[5, 0, 3, 9, 1], 2, &mut batches);
        let got: Vec<(Shape, Vec<f64>)> =
            batches.iter().map(|b| (b.shape, b.data.clone())).collect();
        assert_eq!(
            got,
            [
                (Shape::new(2, 2), vec![5.0, 0.0, 105.0, 100.0]),
                (Shape::new(2, 2), vec![3.0, 9.0, 103.0, 109.0]),
                (Shape::new(2, 1), vec![1.0, 101.0]),
                // Storage kept for later windows, untouched.
                (Shape::new(1, 1), vec![7.0]),
                (Shape::new(1, 1), vec![7.0]),
            ]
        );
    }

    #[test]
    fn numbers_dealt_past_the_caches_land_where_plain_stores_put_them() {
        // From every offset to a 16-byte boundary and of every length, so
        // that the single numbers before and after the pairs are written.
        let line: Vec<f64> = (0..9).map(|k| k as f64 + 0.5).collect();
        let ranks = [4, 0, 8, 2, 7, 1, 6, 3, 5];
        for skip in 0..3 {
            for len in 0..=ranks.len() {
                let mut out = vec![-1.0; 12];
                deal(&mut out[skip..skip + len], &line, &ranks[..len], true);
                finish_dealing();
                let mut want = vec![-1.0; 12];
                for (o, &s) in want[skip..skip + len].iter_mut().zip(&ranks) {
                    *o = line[s];
                }
                assert_eq!(out, want, "from {skip}, {len} long");
            }
        }
    }

    #[test]
    fn buffers_are_kept_for_windows_of_many_batches_only() {
        let set = |cols: usize| DataSet {
            shape: Shape::new(3, cols),
            numbers: Numbers::Owned(vec![1.0; 3 * cols]),
        };
        let (x, y) = (set(70), set(70));
        // A seventh of the samples in batches of 2, then half in one batch.
        for (window, batch, kept) in [(10, 2, true), (35, 35, false)] {
            let mut buffers = BatchBuffers::default();
            let columns: Vec<usize> = (0..window).collect();
            x.gather(&columns, batch, &mut buffers.x);
            y.gather(&columns, batch, &mut buffers.y);
            let held = buffers.kept_for(&x, &y);
            assert_eq!(
                !held.x.is_empty() && !held.y.is_empty(),
                kept,
                "window {window}"
            );
        }
    }

    #[test]
    fn rows_past_a_whole_group_are_gathered() {
        // 7×40 (rows read four at a time: a group and three more), element
        // (r, j) = 100⋅r + j, against a plain loop.
        let (rows, cols) = (7, 40);
        let data = (0..rows).flat_map(|r| (0..cols).map(move |j| (100 * r + j) as f64));
        let set = DataSet {
            shape: Shape::new(rows, cols),
            numbers: Numbers::Owned(data.collect()),
        };
        let window = [31, 2, 17, 39, 0, 8, 25, 13, 36, 5, 22];
        // Stored plainly and past the caches.
        for stream in [false, true] {
            let mut batches = Vec::new();
            set.gather_storing(&window, 4, &mut batches, stream);
            assert_eq!(batches.len(), 3);
            for (b, batch) in batches.iter().enumerate() {
                let cols = &window[4 * b..(4 * b + 4).min(window.len())];
                let want: Vec<f64> = (0..rows)
                    .flat_map(|r| cols.iter().map(move |&j| (100 * r + j) as f64))
                    .collect();
                assert_eq!(batch.shape, Shape::new(rows, cols.len()), "stream {stream}");
                assert_eq!(batch.data, want, "stream {stream}");
            }
        }
    }
}
