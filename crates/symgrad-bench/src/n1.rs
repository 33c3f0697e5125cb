//! N1: numeric softmax regression (X is N×784 from a seeded randn, 10
//! classes, one-hot labels from a seeded randint): build, gradient, and loss
//! + gradient per call, checked against a plain loop first.

use crate::engine::Evaluator;
use crate::measure::{self, Plan, median, show};
use crate::workload::check;
use crate::{Bench, Res};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;
use symgrad::{Axis, Dense, ExprId, Func, Pool, Shape, Values};

const FEATURES: usize = 784;
const CLASSES: usize = 10;
/// Bytes in a MiB (`/proc` counts in KiB).
const MIB: f64 = 1024.0 * 1024.0;

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
    fn onehot(&self) -> Vec<f64> {
        let mut y = vec![0.0; self.n * CLASSES];
        for (i, &c) in self.labels.iter().enumerate() {
            y[i * CLASSES + c] = 1.0;
        }
        y
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

    /// `L = -(1/N)⋅sum(Y .* log(softmax(X⋅Wᵀ, 2)))` from a copy `x` of the data.
    fn build(&self, x: Vec<f64>, y: Vec<f64>) -> symgrad::Result<(Pool, ExprId, ExprId)> {
        let mut p = Pool::new();
        let x = p.dense(Dense::from_f64(Shape::new(self.n, FEATURES), x)?)?;
        let y = p.dense(Dense::from_f64(Shape::new(self.n, CLASSES), y)?)?;
        let w = p.symbol("W", Shape::new(CLASSES, FEATURES))?;
        let wt = p.transpose(w)?;
        let z = p.product(x, wt)?;
        let probs = p.softmax(z, Axis::Rows)?;
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
    let y = d.onehot();
    let fresh = || (d.x.clone(), y.clone());
    let t = median(plan, fresh, |(x, y)| d.build(x, y).map(|(p, _, _)| p.len()));
    b.row(
        name,
        "build the loss",
        show(t),
        "core API; includes taking in X as data",
    );
    let built = || {
        let (x, y) = fresh();
        d.build(x, y).expect("the N1 loss builds")
    };
    let t = median(plan, built, |(mut p, l, w)| p.grad(l, w).map(|g| (p, g)));
    b.row(name, "grad(L, W)", show(t), "grad of a 10×784 W");

    // The reference first; then X moves into the pool, so the process holds
    // it once while symgrad evaluates.
    let (loss, grad) = d.oracle();
    let x_mb = (d.x.len() * 8) as f64 / MIB;
    let x = std::mem::take(&mut d.x);
    let (mut p, l, w) = d.build(x, y).map_err(err)?;
    let g = p.grad(l, w).map_err(err)?;
    let w_eval = Values::new(Shape::new(CLASSES, FEATURES), d.w.clone()).map_err(err)?;
    let before = measure::rss_mb();
    measure::reset_peak();
    let mut ev = Evaluator::new(&mut p, &[l, g], &[w])?;
    let out = ev.run(&[&w_eval])?;
    check(&format!("{name} loss"), &out[0].data, &[loss])?;
    check(&format!("{name} gradient"), &out[1].data, &grad)?;
    let t = median(plan, || (), |()| ev.run(&[&w_eval]));
    let peak = measure::peak_rss_mb();
    b.row(
        name,
        "eval loss + gradient (per call)",
        show(t),
        "1 thread; checked against a plain loop",
    );
    let flops = 2.0 * d.n as f64 * FEATURES as f64 * CLASSES as f64 * 2.0;
    b.row(
        name,
        "GFLOP/s",
        format!("{:.2}", flops / t.as_secs_f64() / 1e9),
        "2·N·784·10·2 (the two products) / time per call",
    );
    b.row(
        name,
        "peak memory (VmHWM)",
        peak.map_or("—".into(), |p| format!("{p:.0} MiB")),
        &format!(
            "while evaluating; X is {x_mb:.0} MiB, RSS before {:.0} MiB",
            before.unwrap_or(f64::NAN)
        ),
    );
    Ok(())
}
