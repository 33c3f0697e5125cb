//! N1: numeric softmax regression (X is N×784 from a seeded randn, 10
//! classes, one-hot labels from a seeded randint): build, gradient, loss +
//! gradient per call with samples as rows and as columns (the seeds'
//! layout), the same through `eval` in a language Session (the script path),
//! an `sgd` epoch at batch 128, and the one-read bound (summing X once).
//! Every result is checked against a plain loop first.

use crate::engine::Evaluator;
use crate::measure::{self, Plan, median, show};
use crate::workload::check;
use crate::{Bench, Res};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;
use std::path::Path;
use symgrad::{Axis, Dense, ExprId, Func, Pool, Shape, Values};
use symgrad_lang::Session;

const FEATURES: usize = 784;
const CLASSES: usize = 10;
/// Bytes in a MiB (`/proc` counts in KiB).
const MIB: f64 = 1024.0 * 1024.0;

/// The batch size of the `sgd` epoch.
const BATCH: usize = 128;
/// The learning rate of the `sgd` runs.
const LR: f64 = 0.1;

/// Phase names, shared with `bench/peers.py`.
const ROWS: &str = "loss + gradient per call, samples as rows";
const COLUMNS: &str = "loss + gradient per call, as columns";
const THREADS: &str = "loss + gradient per call, as columns, 2 threads";
const GRADIENT: &str = "gradient only per call, as columns";
const SCRIPT: &str = "g = eval(G, W = W0); in a script, per call";
const SGD: &str = "sgd epoch, batch 128, in a script";
const ONE_READ: &str = "read X once (sum): the one-read bound";
const COMPUTE: &str = "the products at peak: the compute bound";

/// Where the samples are in X.
#[derive(Clone, Copy, PartialEq)]
enum Layout {
    /// X is N×784 (`X⋅Wᵀ`, softmax along rows).
    Rows,
    /// X is 784×N (`W⋅X`, softmax down columns), as in the seed notebooks.
    Columns,
}

/// The sample counts of a full run and of `--quick`.
pub const SIZES: [usize; 3] = [1_000, 10_000, 60_000];
pub const QUICK_SIZES: [usize; 1] = [200];

struct Data {
    n: usize,
    /// N×784, row-major.
    x: Vec<f64>,
    labels: Vec<usize>,
    /// The evaluation point, 10×784.
    w: Vec<f64>,
}

fn data(n: usize) -> Data {
    let mut rng = Pcg64Mcg::seed_from_u64(1);
    let x = (0..n * FEATURES)
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    let labels = (0..n).map(|_| rng.random_range(0..CLASSES)).collect();
    let w = (0..CLASSES * FEATURES)
        .map(|_| 0.01 * Distribution::<f64>::sample(&StandardNormal, &mut rng))
        .collect();
    Data { n, x, labels, w }
}

impl Data {
    /// The one-hot labels, N×10 (`Rows`) or 10×N (`Columns`).
    fn onehot(&self, layout: Layout) -> Vec<f64> {
        let mut y = vec![0.0; self.n * CLASSES];
        for (i, &c) in self.labels.iter().enumerate() {
            match layout {
                Layout::Rows => y[i * CLASSES + c] = 1.0,
                Layout::Columns => y[c * self.n + i] = 1.0,
            }
        }
        y
    }

    /// X with samples as columns (784×N), row by row.
    fn columns(&self) -> impl Iterator<Item = f64> + '_ {
        (0..FEATURES).flat_map(move |f| (0..self.n).map(move |i| self.x[i * FEATURES + f]))
    }

    /// Loss and gradient (10×784) at `self.w` by plain loops, written
    /// independently of symgrad: per sample, `z = W⋅xᵢ`, loss
    /// `logsumexp(z) − z[yᵢ]`, gradient `(softmax(z) − e_yᵢ)⋅xᵢᵀ`; means over i.
    fn oracle(&self) -> (f64, Vec<f64>) {
        let mut loss = 0.0;
        let mut grad = vec![0.0; CLASSES * FEATURES];
        for (xi, &yi) in self.x.chunks(FEATURES).zip(&self.labels) {
            let z: Vec<f64> = self
                .w
                .chunks(FEATURES)
                .map(|wk| wk.iter().zip(xi).map(|(a, b)| a * b).sum())
                .collect();
            let m = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let total: f64 = z.iter().map(|&t| (t - m).exp()).sum();
            loss += m + total.ln() - z[yi];
            for (k, gk) in grad.chunks_mut(FEATURES).enumerate() {
                let coef = (z[k] - m).exp() / total - if k == yi { 1.0 } else { 0.0 };
                for (g, &x) in gk.iter_mut().zip(xi) {
                    *g += coef * x;
                }
            }
        }
        let n = self.n as f64;
        grad.iter_mut().for_each(|g| *g /= n);
        (loss / n, grad)
    }

    /// `L = -(1/N)⋅sum(Y .* log(softmax(X⋅Wᵀ, 2)))` (rows) or
    /// `-(1/N)⋅sum(Y .* log(softmax(W⋅X)))` (columns) from data `x`, `y` in
    /// that layout.
    fn build(
        &self,
        layout: Layout,
        x: Vec<f64>,
        y: Vec<f64>,
    ) -> symgrad::Result<(Pool, ExprId, ExprId)> {
        let mut p = Pool::new();
        let (xs, ys) = match layout {
            Layout::Rows => (Shape::new(self.n, FEATURES), Shape::new(self.n, CLASSES)),
            Layout::Columns => (Shape::new(FEATURES, self.n), Shape::new(CLASSES, self.n)),
        };
        let x = p.dense(Dense::from_f64(xs, x)?)?;
        let y = p.dense(Dense::from_f64(ys, y)?)?;
        let w = p.symbol("W", Shape::new(CLASSES, FEATURES))?;
        let probs = if layout == Layout::Rows {
            let wt = p.transpose(w)?;
            let z = p.product(x, wt)?;
            p.softmax(z, Axis::Rows)?
        } else {
            let z = p.product(w, x)?;
            p.softmax(z, Axis::Cols)?
        };
        let logs = p.apply(Func::Log, probs)?;
        let picked = p.mul(&[y, logs])?;
        let total = p.sum(picked, Axis::All)?;
        let scale = p.rational(-1, self.n as i64)?;
        let loss = p.product(scale, total)?;
        Ok((p, loss, w))
    }
}

pub fn run(b: &Bench) -> Res<()> {
    let sizes: &[usize] = if b.quick { &QUICK_SIZES } else { &SIZES };
    for &n in sizes {
        one(b, data(n))?;
    }
    Ok(())
}

fn one(b: &Bench, mut d: Data) -> Res<()> {
    let err = |e: symgrad::Error| e.to_string();
    let name = format!("N1 N = {}", d.n);
    let name = name.as_str();
    let plan = if b.quick || d.n < 10_000 {
        b.plan
    } else {
        Plan::SLOW
    };
    let y = d.onehot(Layout::Rows);
    let fresh = || (d.x.clone(), y.clone());
    let t = median(plan, fresh, |(x, y)| {
        d.build(Layout::Rows, x, y).map(|(p, _, _)| p.len())
    });
    b.row(
        name,
        "build the loss",
        show(t),
        "core API; includes taking in X as data",
    );
    let built = || {
        let (x, y) = fresh();
        d.build(Layout::Rows, x, y).expect("the N1 loss builds")
    };
    let t = median(plan, built, |(mut p, l, w)| p.grad(l, w).map(|g| (p, g)));
    b.row(name, "grad(L, W)", show(t), "grad of a 10×784 W");

    let (loss, grad) = d.oracle();
    let x_mb = (d.x.len() * 8) as f64 / MIB;
    one_read(b, name, &d.x)?;
    compute_bound(b, name, d.n);

    // The core API in both layouts (and the script in between); X moves
    // into the pool for the rows, so the process holds it once while
    // symgrad evaluates.
    let w_eval = Values::new(Shape::new(CLASSES, FEATURES), d.w.clone()).map_err(err)?;
    let (mut p, l, w) = d
        .build(
            Layout::Columns,
            d.columns().collect(),
            d.onehot(Layout::Columns),
        )
        .map_err(err)?;
    let t = evaluate(name, plan, &mut p, (l, w), &w_eval, (loss, &grad), 1)?;
    b.row(
        name,
        COLUMNS,
        show(t),
        "1 thread; checked against a plain loop",
    );
    let t2 = evaluate(name, plan, &mut p, (l, w), &w_eval, (loss, &grad), 2)?;
    b.row(
        name,
        THREADS,
        show(t2),
        &format!(
            "{:.2}× faster than 1 thread (`--threads 2`)",
            t.as_secs_f64() / t2.as_secs_f64()
        ),
    );
    let t_grad = gradient_only(name, plan, &mut p, (l, w), &w_eval, &grad)?;
    drop(p);
    b.row(
        name,
        GRADIENT,
        show(t_grad),
        "1 thread; what the script path runs",
    );
    let t_script = script(b, name, &d, (loss, &grad))?;
    b.row(
        name,
        "script overhead over the compiled call",
        format!(
            "{:+.1} %",
            (t_script.as_secs_f64() / t_grad.as_secs_f64() - 1.0) * 100.0
        ),
        "(script path − gradient only) / gradient only",
    );

    let x = std::mem::take(&mut d.x);
    let (mut p, l, w) = d.build(Layout::Rows, x, y).map_err(err)?;
    let before = measure::rss_mb();
    measure::reset_peak();
    let t = evaluate(name, plan, &mut p, (l, w), &w_eval, (loss, &grad), 1)?;
    let peak = measure::peak_rss_mb();
    b.row(
        name,
        ROWS,
        show(t),
        "1 thread; checked against a plain loop",
    );
    let flops = product_flops(d.n);
    b.row(
        name,
        "GFLOP/s",
        format!("{:.2}", flops / t.as_secs_f64() / 1e9),
        "2·N·784·10·2 (the two products) / time per call, rows",
    );
    b.row(
        name,
        "peak memory (VmHWM)",
        peak.map_or("—".into(), |p| format!("{p:.0} MiB")),
        &format!(
            "while evaluating (rows); X is {x_mb:.0} MiB, RSS before {:.0} MiB",
            before.unwrap_or(f64::NAN)
        ),
    );
    Ok(())
}

/// The time per call of loss + gradient compiled from the pool `p`, on
/// `threads` threads, checked against `(loss, grad)` first.
fn evaluate(
    name: &str,
    plan: Plan,
    p: &mut Pool,
    (l, w): (ExprId, ExprId),
    w_eval: &Values,
    (loss, grad): (f64, &[f64]),
    threads: usize,
) -> Res<std::time::Duration> {
    let g = p.grad(l, w).map_err(|e| e.to_string())?;
    let mut ev = Evaluator::new(p, &[l, g], &[w])?;
    ev.set_threads(threads);
    let out = ev.run(&[w_eval])?;
    check(&format!("{name} loss"), &out[0].data, &[loss])?;
    check(&format!("{name} gradient"), &out[1].data, grad)?;
    Ok(median(plan, || (), |()| ev.run(&[w_eval])))
}

/// The time per call of the gradient alone compiled from the pool `p`,
/// checked against `grad` first.
fn gradient_only(
    name: &str,
    plan: Plan,
    p: &mut Pool,
    (l, w): (ExprId, ExprId),
    w_eval: &Values,
    grad: &[f64],
) -> Res<std::time::Duration> {
    let g = p.grad(l, w).map_err(|e| e.to_string())?;
    let mut ev = Evaluator::new(p, &[g], &[w])?;
    let out = ev.run(&[w_eval])?;
    check(&format!("{name} gradient alone"), &out[0].data, grad)?;
    Ok(median(plan, || (), |()| ev.run(&[w_eval])))
}

/// The one-read bound: summing X once, checked against a sum in another order.
fn one_read(b: &Bench, name: &str, x: &[f64]) -> Res<()> {
    let by_columns: f64 = (0..FEATURES)
        .map(|f| x.iter().skip(f).step_by(FEATURES).sum::<f64>())
        .sum();
    let total = sum_once(x);
    let scale: f64 = x.iter().map(|v| v.abs()).sum();
    if (total - by_columns).abs() > 1e-12 * scale {
        return Err(format!(
            "{name}: the sum of X differs by order: {total} vs {by_columns}"
        ));
    }
    let t = median(b.plan, || (), |()| sum_once(x));
    b.row(
        name,
        ONE_READ,
        show(t),
        "a sum over X's floats, 8 accumulators",
    );
    Ok(())
}

/// The flops of one call's two products over `n` samples, 2·N·784·10·2.
fn product_flops(n: usize) -> f64 {
    2.0 * n as f64 * FEATURES as f64 * CLASSES as f64 * 2.0
}

/// The compute bound: the two products' flops at this core's peak (no row
/// without AVX2 and FMA).
fn compute_bound(b: &Bench, name: &str, n: usize) {
    if let Some(peak) = crate::peak::gflops() {
        let flops = product_flops(n);
        b.row(
            name,
            COMPUTE,
            show(std::time::Duration::from_secs_f64(flops / peak / 1e9)),
            &format!(
                "the two products' flops at this core's peak, {peak:.1} GFLOP/s (register FMAs)"
            ),
        );
    }
}

/// The sum of `x`, read once, with eight accumulators so that the
/// additions keep up with memory (as NumPy's pairwise sum does).
fn sum_once(x: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let chunks = x.chunks_exact(8);
    let rest: f64 = chunks.remainder().iter().sum();
    for c in chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    acc.iter().sum::<f64>() + rest
}

/// Runs `src` in `session`; the lines it prints.
fn run_in(session: &mut Session, src: &str) -> Res<Vec<String>> {
    let mut out = Vec::new();
    session.run(src, "<n1>", &mut |s| out.push(s.to_string()))?;
    Ok(out)
}

/// The one number `src` prints.
fn number(session: &mut Session, src: &str) -> Res<f64> {
    let out = run_in(session, src)?;
    out.first()
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| format!("{src} printed {out:?}, not a number"))
}

/// The user's path: the data saved as `.npy` files, loaded by a script
/// (samples as columns, as in the seeds), `g = eval(G, W = W0);` repeated,
/// and an `sgd` epoch at batch 128. Returns the time per `eval`.
fn script(
    b: &Bench,
    name: &str,
    d: &Data,
    (loss, grad): (f64, &[f64]),
) -> Res<std::time::Duration> {
    let dir = std::env::temp_dir().join(format!("symgrad-bench-n1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = script_in(b, name, d, (loss, grad), &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn script_in(
    b: &Bench,
    name: &str,
    d: &Data,
    (loss, grad): (f64, &[f64]),
    dir: &Path,
) -> Res<std::time::Duration> {
    let (n, k, f) = (d.n as u64, CLASSES as u64, FEATURES as u64);
    write_npy(&dir.join("x.npy"), [f, n], d.columns())?;
    write_npy(&dir.join("y.npy"), [k, n], d.onehot(Layout::Columns))?;
    write_npy(&dir.join("w0.npy"), [k, f], d.w.iter().copied())?;
    write_npy(&dir.join("g.npy"), [k, f], grad.iter().copied())?;
    let file = |s: &str| dir.join(s).display().to_string();
    let mut session = Session::new();
    run_in(
        &mut session,
        &format!(
            ":set output text\n:set digits 17\nX = load(\"{}\")\nY = load(\"{}\")\nW0 = load(\"{}\")\n\
             Gref = load(\"{}\")\nsymbol W[{CLASSES}, {FEATURES}]\nL = softmax_cce(Y, W * X)\n\
             G = grad(L, W)\nLb(Xb, Yb) = softmax_cce(Yb, W * Xb)",
            file("x.npy"),
            file("y.npy"),
            file("w0.npy"),
            file("g.npy")
        ),
    )?;
    let l = number(&mut session, "eval(L, W = W0)")?;
    check(&format!("{name} script loss"), &[l], &[loss])?;
    // The squared relative error of the gradient, against the plain loop's.
    let e = number(
        &mut session,
        "sum((eval(G, W = W0) - Gref) .^ 2) / sum(Gref .^ 2)",
    )?;
    check_small(&format!("{name} script gradient"), e)?;
    let plan = if b.quick || d.n < 10_000 {
        b.plan
    } else {
        Plan::SLOW
    };
    let t_eval = median(
        plan,
        || (),
        |()| run_in(&mut session, "g = eval(G, W = W0);"),
    );
    b.row(
        name,
        SCRIPT,
        show(t_eval),
        "language Session, program reused; checked against a plain loop",
    );
    // One full-batch step is one step of descent: W0 − lr⋅G.
    let before_full = measure::rss_mb();
    measure::reset_peak();
    let e = number(
        &mut session,
        &format!(
            "W1 = sgd(Lb, W, X, Y, {LR}, 1, {}, W0)\nS = W0 - {LR} * Gref\nsum((W1 - S) .^ 2) / sum(S .^ 2)",
            d.n
        ),
    )?;
    check_small(&format!("{name} full-batch sgd step"), e)?;
    let full = growth(before_full, measure::peak_rss_mb());
    // An epoch of two batches: each block of the program gathers its own
    // samples of X, which is not copied.
    let before_half = measure::rss_mb();
    measure::reset_peak();
    run_in(
        &mut session,
        &format!("sgd(Lb, W, X, Y, {LR}, 1, {}, W0);", d.n.div_ceil(2)),
    )?;
    let half = growth(before_half, measure::peak_rss_mb());
    let epoch = format!("sgd(Lb, W, X, Y, {LR}, 1, {BATCH}, W0);");
    let before = measure::rss_mb();
    measure::reset_peak();
    let t = median(plan, || (), |()| run_in(&mut session, &epoch));
    let peak = measure::peak_rss_mb();
    let x_mb = (d.x.len() * 8) as f64 / MIB;
    b.row(
        name,
        SGD,
        show(t),
        &format!(
            "{} steps; peak RSS {} over the {:.0} MiB before (X is {x_mb:.0} MiB; \
             a full-batch step: {full}; an epoch of two batches: {half})",
            d.n.div_ceil(BATCH),
            growth(before, peak),
            before.unwrap_or(f64::NAN)
        ),
    );
    Ok(t_eval)
}

/// The growth from the resident memory `before` to the `peak`, in MiB.
fn growth(before: Option<f64>, peak: Option<f64>) -> String {
    match (before, peak) {
        (Some(a), Some(p)) => format!("+{:.0} MiB", (p - a).max(0.0)),
        _ => "—".into(),
    }
}

/// Errors unless the squared relative error `e` is within the tolerance.
fn check_small(what: &str, e: f64) -> Res<()> {
    if e.is_nan() || e.sqrt() > crate::workload::TOLERANCE {
        return Err(format!(
            "MISMATCH in {what}: relative error {:.2e}",
            e.sqrt()
        ));
    }
    Ok(())
}

/// Writes a 2-D `.npy` file of floats.
fn write_npy(path: &Path, shape: [u64; 2], data: impl IntoIterator<Item = f64>) -> Res<()> {
    use npyz::WriterBuilder;
    let what = |e: std::io::Error| format!("{}: {e}", path.display());
    let file = std::io::BufWriter::new(std::fs::File::create(path).map_err(what)?);
    let mut w = npyz::WriteOptions::<f64>::new()
        .default_dtype()
        .shape(&shape)
        .writer(file)
        .begin_nd()
        .map_err(what)?;
    w.extend(data).map_err(what)?;
    w.finish().map_err(what)
}
