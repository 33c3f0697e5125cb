//! S1: the first seed notebook's BCE loss of three images (X is 3×5, W is
//! 1×5), phase by phase, and the whole example script as a process.

use crate::engine::{Evaluator, PointEvaluator};
use crate::measure::{Plan, median, show};
use crate::workload::{self, check};
use crate::{Bench, Res};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;
use std::path::{Path, PathBuf};
use std::process::Command;
use symgrad::{Axis, Dense, DenseData, ExprId, Func, Num, Pool, PrintOptions, Shape, Values};
use symgrad_lang::Session;

/// Number of random weight vectors of the per-point phases.
const POINTS: usize = 10_000;

/// The workload: data, labels, the fixed W and the reference values there.
struct S1 {
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    w_fixed: Vec<f64>,
    loss: f64,
    grad: Vec<f64>,
}

fn read() -> Res<S1> {
    let v = workload::load("s1.json")?;
    let (_, d, data) = workload::matrix(&v["X"])?;
    let x = data.chunks(d.max(1)).map(<[f64]>::to_vec).collect();
    let reference = &v["reference_at_W_fixed"];
    Ok(S1 {
        x,
        y: workload::row(&v["y"])?,
        w_fixed: workload::row(&v["W_fixed"])?,
        loss: workload::number(reference, "loss")?,
        grad: workload::row(&reference["grad"])?,
    })
}

impl S1 {
    /// The notebook's lines in the language, building `L` from the workload.
    fn script(&self) -> String {
        let rows: Vec<String> = self.x.iter().map(|r| format!("[{}]", join(r))).collect();
        format!(
            "X = [{}]\nsymbol W[1, {}]\nz = X * W'\ny = [{}]\np = 1 / (1 + exp(z))\n\
             L = (1/{}) * sum(-y .* log(p) - (1 - y) .* log(1 - p))\n",
            rows.join(", "),
            self.x[0].len(),
            join(&self.y),
            self.x.len()
        )
    }

    /// The same loss through the core API: the pool, `L` and `W`.
    fn build(&self) -> symgrad::Result<(Pool, ExprId, ExprId)> {
        let (n, d) = (self.x.len(), self.x[0].len());
        let mut p = Pool::new();
        let x = p.dense(exact(Shape::new(n, d), self.x.concat()))?;
        let w = p.symbol("W", Shape::new(1, d))?;
        let wt = p.transpose(w)?;
        let z = p.product(x, wt)?;
        let y = p.dense(exact(Shape::new(n, 1), self.y.clone()))?;
        let one = p.int(1)?;
        let ez = p.apply(Func::Exp, z)?;
        let den = p.add(&[one, ez])?;
        let prob = p.div(one, den)?;
        let log_p = p.apply(Func::Log, prob)?;
        let minus_y = p.neg(y)?;
        let first = p.mul(&[minus_y, log_p])?;
        let one_minus_y = p.sub(one, y)?;
        let one_minus_p = p.sub(one, prob)?;
        let log_q = p.apply(Func::Log, one_minus_p)?;
        let second = p.mul(&[one_minus_y, log_q])?;
        let terms = p.sub(first, second)?;
        let total = p.sum(terms, Axis::All)?;
        let mean = p.rational(1, n as i64)?;
        let loss = p.product(mean, total)?;
        Ok((p, loss, w))
    }

    /// Loss and gradient at `w` by a plain loop, independent of symgrad:
    /// `mean(y⋅softplus(z) + (1 − y)⋅softplus(−z))`, gradient
    /// `mean((σ(z) − (1 − y))⋅x)`, with `z = x⋅w`.
    fn oracle(&self, w: &[f64], out: &mut [f64]) {
        let n = self.x.len() as f64;
        out.iter_mut().for_each(|o| *o = 0.0);
        for (xi, &yi) in self.x.iter().zip(&self.y) {
            let z: f64 = xi.iter().zip(w).map(|(a, b)| a * b).sum();
            let softplus = |t: f64| t.max(0.0) + (-t.abs()).exp().ln_1p();
            out[0] += (yi * softplus(z) + (1.0 - yi) * softplus(-z)) / n;
            let s = 1.0 / (1.0 + (-z).exp());
            for (o, &xij) in out[1..].iter_mut().zip(xi) {
                *o += (s - (1.0 - yi)) * xij / n;
            }
        }
    }
}

fn join(xs: &[f64]) -> String {
    xs.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
}

/// A dense matrix of exact numbers (the workload's data are integers).
fn exact(shape: Shape, v: Vec<f64>) -> Dense {
    let nums = v.iter().map(|&x| Num::int(x as i64)).collect();
    Dense::new(shape, DenseData::Exact(nums)).expect("shape filled by construction")
}

/// The random weight vectors: NumPy's `default_rng(0).standard_normal((10000,
/// 5))*0.01` when `bench/peers.py` has written them, else our own seeded ones.
fn points(d: usize) -> (Vec<f64>, &'static str) {
    let path = workload::dir().join("../out/s1_points.f64");
    if let Ok(bytes) = std::fs::read(&path)
        && bytes.len() == POINTS * d * 8
    {
        let xs = bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect();
        return (xs, "NumPy default_rng(0) points (from peers.py)");
    }
    let mut rng = Pcg64Mcg::seed_from_u64(0);
    let xs = (0..POINTS * d)
        .map(|_| 0.01 * Distribution::<f64>::sample(&StandardNormal, &mut rng))
        .collect();
    (xs, "own seeded points (run peers.py for NumPy's)")
}

pub fn run(b: &Bench) -> Res<()> {
    let s1 = read()?;
    let d = s1.x[0].len();
    let plan = b.plan;
    let err = |e: symgrad::Error| e.to_string();
    let built = || s1.build().expect("the S1 loss builds");
    built_check(&s1)?;

    let script = s1.script();
    let t = median(
        plan,
        || (),
        |()| {
            let mut session = Session::new();
            session.run(&script, "<s1>", &mut |_| {})
        },
    );
    b.row(
        "S1",
        "build the loss (language)",
        show(t),
        "fresh Session running the notebook's 6 lines",
    );
    let t = median(plan, || (), |()| s1.build().map(|(p, _, _)| p.len()));
    b.row(
        "S1",
        "build the loss",
        show(t),
        "core API (Pool), as peers build it",
    );

    let opts = PrintOptions::default();
    let t = median(plan, built, |(mut p, l, _)| {
        let shown = p.element_of(l, 0, 0)?;
        symgrad::Result::Ok(symgrad::pretty(&p, shown, &opts))
    });
    b.row(
        "S1",
        "print it (2-D)",
        show(t),
        "element form + pretty at width 80, as the REPL shows it",
    );

    let t = median(plan, built, |(mut p, l, w)| p.grad(l, w).map(|g| (p, g)));
    b.row("S1", "grad(L, W)", show(t), "matrix-level reverse mode");
    let t = median(plan, built, |(mut p, l, w)| {
        let g = p.grad(l, w)?;
        p.elements(g)
    });
    b.row("S1", "the 5 partials", show(t), "elements(grad(L, W))");

    // Loss and gradient once at W_fixed: prepare + one evaluation, checked.
    let (mut p, l, w) = built();
    let g = p.grad(l, w).map_err(err)?;
    let w_fixed = Values::new(Shape::new(1, d), s1.w_fixed.clone()).map_err(err)?;
    let mut ev = Evaluator::new(&mut p, &[l, g], &[w])?;
    let out = ev.run(&[&w_fixed])?;
    check("S1 loss at W_fixed", &out[0].data, &[s1.loss])?;
    check("S1 gradient at W_fixed", &out[1].data, &s1.grad)?;
    let t = median(
        plan,
        || {
            let (mut p, l, w) = built();
            let g = p.grad(l, w).expect("the S1 gradient");
            (p, l, g, w)
        },
        |(mut p, l, g, w)| Evaluator::new(&mut p, &[l, g], &[w])?.run(&[&w_fixed]),
    );
    b.row(
        "S1",
        "eval loss + gradient",
        show(t),
        "prepare + evaluate once at W_fixed; checked",
    );

    // Compiled loss + gradient over many points.
    let (mut p, l, w) = built();
    let g = p.grad(l, w).map_err(err)?;
    let mut outputs = vec![l];
    let mut vars = Vec::with_capacity(d);
    for j in 0..d {
        outputs.push(p.element_of(g, 0, j).map_err(err)?);
        vars.push(p.element(w, 0, j).map_err(err)?);
    }
    let (xs, source) = points(d);
    let n = xs.len() / d;
    let mut pe = PointEvaluator::new(&mut p, &outputs, &vars)?;
    let mut out = vec![0.0; n * (d + 1)];
    pe.eval_points(&xs, &mut out)?;
    let mut want = vec![0.0; d + 1];
    for (x, o) in xs.chunks(d).zip(out.chunks(d + 1)) {
        s1.oracle(x, &mut want);
        check("S1 loss and gradient at a random point", o, &want)?;
    }
    let mut one = vec![0.0; d + 1];
    let t = median(
        plan,
        || (),
        |()| {
            for x in xs.chunks(d) {
                pe.eval_point(x, &mut one)?;
            }
            Res::Ok(())
        },
    );
    b.row(
        "S1",
        "per point, loop of 10 000 calls",
        show(t / n as u32),
        &format!("register program, one call per point; {source}; checked"),
    );
    let t = median(plan, || (), |()| pe.eval_points(&xs, &mut out));
    b.row(
        "S1",
        "per point, vectorised over 10 000",
        show(t / n as u32),
        "register program, one call over all points",
    );

    process(b)
}

/// The core-API loss is the one the language builds: the same 2-D print.
fn built_check(s1: &S1) -> Res<()> {
    let mut session = Session::new();
    let mut shown = Vec::new();
    // Written out, as the core API has no names for the parts.
    session.run(
        &format!(":set names off\n{}L", s1.script()),
        "<s1>",
        &mut |s| shown.push(s.to_string()),
    )?;
    let (mut p, l, _) = s1.build().map_err(|e| e.to_string())?;
    let shown_form = p.element_of(l, 0, 0).map_err(|e| e.to_string())?;
    if shown != [symgrad::pretty(&p, shown_form, &PrintOptions::default())] {
        return Err("S1: the core-API loss prints differently from the language's".into());
    }
    Ok(())
}

/// The whole `examples/bce_three_images.sg` as a process of the `symgrad`
/// binary, its output checked against the example's snapshot.
fn process(b: &Bench) -> Res<()> {
    let phase = "whole script as a process";
    let Some(bin) = symgrad_binary(b) else {
        b.row(
            "S1",
            phase,
            "—".into(),
            "skipped: no symgrad binary (pass --symgrad PATH)",
        );
        return Ok(());
    };
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let script = examples.join("bce_three_images.sg");
    let want = std::fs::read_to_string(examples.join("bce_three_images.out"))
        .map_err(|e| format!("examples/bce_three_images.out: {e}"))?;
    let run = || {
        Command::new(&bin)
            .args(["--width", "80"])
            .arg(&script)
            .env("NO_COLOR", "1")
            .output()
    };
    let out = run().map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() || String::from_utf8_lossy(&out.stdout) != want {
        return Err(format!(
            "MISMATCH: {} {} does not print examples/bce_three_images.out",
            bin.display(),
            script.display()
        ));
    }
    let plan = Plan {
        min_runs: b.plan.min_runs.max(if b.quick { 1 } else { 9 }),
        ..b.plan
    };
    let t = median(plan, || (), |()| run());
    let profile = if bin.components().any(|c| c.as_os_str() == "release") {
        "release"
    } else {
        "not a release build"
    };
    b.row(
        "S1",
        phase,
        show(t),
        &format!("examples/bce_three_images.sg, {profile} binary; output checked"),
    );
    Ok(())
}

/// The `symgrad` binary: `--symgrad PATH`, else the one built (by `cargo`,
/// when the benchmark runs under `cargo run`) next to this executable.
fn symgrad_binary(b: &Bench) -> Option<PathBuf> {
    if let Some(p) = &b.symgrad {
        return Some(p.clone());
    }
    if let Some(cargo) = std::env::var_os("CARGO") {
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "-p", "symgrad-cli"])
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let _ = cmd.status();
    }
    let bin = std::env::current_exe().ok()?.with_file_name("symgrad");
    bin.exists().then_some(bin)
}
