//! Timing (medians after a warm-up), the machine's load and peak memory.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// How long and how often each phase is measured.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Untimed runs first.
    pub warmup: usize,
    /// At least this many timed runs…
    pub min_runs: usize,
    /// …and more, up to `max_runs`, while the timed total is under `budget`.
    pub max_runs: usize,
    pub budget: Duration,
}

impl Plan {
    /// The plan of a full run: ≥ 5 timed runs after one warm-up, up to 1 s.
    pub const FULL: Plan = Plan {
        warmup: 1,
        min_runs: 5,
        max_runs: 1000,
        budget: Duration::from_secs(1),
    };
    /// For phases of a second or more: one warm-up, 3 timed runs.
    pub const SLOW: Plan = Plan {
        warmup: 1,
        min_runs: 3,
        max_runs: 3,
        budget: Duration::ZERO,
    };
    /// `--quick`: every phase once, untimed warm-up skipped.
    pub const QUICK: Plan = Plan {
        warmup: 0,
        min_runs: 1,
        max_runs: 1,
        budget: Duration::ZERO,
    };
}

/// A warm-up longer than this is followed by a single timed run.
const SLOW_RUN: Duration = Duration::from_secs(2);

/// The median time of `run`, each run given a fresh state from the untimed
/// `setup` (one timed run only after a warm-up over [`SLOW_RUN`]).
pub fn median<S, T>(
    plan: Plan,
    mut setup: impl FnMut() -> S,
    mut run: impl FnMut(S) -> T,
) -> Duration {
    let mut plan = plan;
    for _ in 0..plan.warmup {
        let state = setup();
        let start = Instant::now();
        black_box(run(state));
        if start.elapsed() > SLOW_RUN {
            plan.min_runs = 1;
        }
    }
    let mut times = Vec::new();
    let mut total = Duration::ZERO;
    while times.len() < plan.min_runs || (times.len() < plan.max_runs && total < plan.budget) {
        let state = setup();
        let start = Instant::now();
        let out = run(state);
        let t = start.elapsed();
        drop(black_box(out));
        times.push(t);
        total += t;
    }
    times.sort();
    times[times.len() / 2]
}

/// A duration with three significant digits in a fitting unit.
pub fn show(t: Duration) -> String {
    let s = t.as_secs_f64();
    let (v, unit) = if s >= 1.0 {
        (s, "s")
    } else if s >= 1e-3 {
        (s * 1e3, "ms")
    } else if s >= 1e-6 {
        (s * 1e6, "µs")
    } else {
        (s * 1e9, "ns")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {unit}")
}

/// `/proc/loadavg`'s three load averages, or a note that it is unreadable.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Resets the peak resident set size of this process (Linux), so that
/// [`peak_rss_mb`] measures what follows.
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident set size (`VmHWM`) in MB, if the system reports it.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The current resident set size (`VmRSS`) in MB.
pub fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
