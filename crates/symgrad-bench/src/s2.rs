//! S2: the fourth notebook's softmax loss with bias (X has a bias row,
//! one-hot labels, W is K×(D+1)) at the five sizes of the workload files.

use crate::engine::Evaluator;
use crate::measure::{Plan, median, show};
use crate::workload::{self, check};
use crate::{Bench, Res};
use symgrad::{Axis, Dense, DenseData, ExprId, Func, Num, Pool, Shape, Values};

/// The workload files, smallest first; `--quick` runs the first two.
pub const SIZES: [&str; 5] = [
    "s2_3_4_3.json",
    "s2_10_10_3.json",
    "s2_30_10_10.json",
    "s2_100_20_10.json",
    "s2_300_50_10.json",
];

struct S2 {
    name: String,
    /// X with its bias row: (D+1)×N, row-major.
    x: (usize, usize, Vec<f64>),
    y: Vec<usize>,
    k: usize,
    w_eval: (usize, usize, Vec<f64>),
    loss: f64,
    grad: Vec<f64>,
}

fn read(file: &str) -> Res<S2> {
    let v = workload::load(file)?;
    let k = workload::number(&v, "K")? as usize;
    let y = workload::row(&v["y"])?
        .into_iter()
        .map(|c| c as usize)
        .collect::<Vec<_>>();
    if y.iter().any(|&c| c >= k) {
        return Err(format!("{file}: a label is not below K = {k}"));
    }
    let reference = &v["reference"];
    Ok(S2 {
        name: format!(
            "S2 {}, {}, {}",
            workload::number(&v, "N")?,
            workload::number(&v, "D")?,
            k
        ),
        x: workload::matrix(&v["X_with_bias_row"])?,
        y,
        k,
        w_eval: workload::matrix(&v["W_eval"])?,
        loss: workload::number(reference, "loss")?,
        grad: workload::matrix(&reference["grad"])?.2,
    })
}

impl S2 {
    /// `L = -(1/N)⋅sum(Y .* log(softmax(W⋅X)))`: the pool, `L` and `W`.
    fn build(&self) -> symgrad::Result<(Pool, ExprId, ExprId)> {
        let (rows, n, ref data) = self.x;
        let mut p = Pool::new();
        let x = p.dense(exact(Shape::new(rows, n), data))?;
        let mut onehot = vec![0.0; self.k * n];
        for (i, &c) in self.y.iter().enumerate() {
            onehot[c * n + i] = 1.0;
        }
        let y = p.dense(exact(Shape::new(self.k, n), &onehot))?;
        let w = p.symbol("W", Shape::new(self.k, rows))?;
        let z = p.product(w, x)?;
        let probs = p.softmax(z, Axis::Cols)?;
        let logs = p.apply(Func::Log, probs)?;
        let picked = p.mul(&[y, logs])?;
        let total = p.sum(picked, Axis::All)?;
        let scale = p.rational(-1, n as i64)?;
        let loss = p.product(scale, total)?;
        Ok((p, loss, w))
    }
}

/// A dense matrix, exact when every entry is an integer (as the notebook's data).
fn exact(shape: Shape, v: &[f64]) -> Dense {
    let data = if v.iter().all(|x| x.fract() == 0.0 && x.abs() < 1e15) {
        DenseData::Exact(v.iter().map(|&x| Num::int(x as i64)).collect())
    } else {
        DenseData::Float(v.to_vec().into())
    };
    Dense::new(shape, data).expect("shape filled by construction")
}

pub fn run(b: &Bench) -> Res<()> {
    let files = if b.quick { &SIZES[..2] } else { &SIZES[..] };
    for file in files {
        one(b, &read(file)?)?;
    }
    Ok(())
}

fn one(b: &Bench, s: &S2) -> Res<()> {
    let err = |e: symgrad::Error| e.to_string();
    let plan = b.plan;
    let built = || s.build().expect("the S2 loss builds");
    let (wr, wc, ref wd) = s.w_eval;
    let w_eval = Values::new(Shape::new(wr, wc), wd.clone()).map_err(err)?;
    let name = s.name.as_str();

    // Check before timing: loss and gradient, and the explicit partials.
    let (mut p, l, w) = built();
    let g = p.grad(l, w).map_err(err)?;
    let partials = p.elements(g).map_err(err)?;
    let size = p.size(partials);
    let mut ev = Evaluator::new(&mut p, &[l, g, partials], &[w])?;
    let out = ev.run(&[&w_eval])?;
    check(&format!("{name} loss"), &out[0].data, &[s.loss])?;
    check(&format!("{name} gradient"), &out[1].data, &s.grad)?;
    check(&format!("{name} elements(grad)"), &out[2].data, &s.grad)?;

    let t = median(plan, || (), |()| s.build().map(|(p, _, _)| p.len()));
    b.row(
        name,
        "build the loss",
        show(t),
        "core API, X and one-hot Y as data",
    );
    let t_grad = median(plan, built, |(mut p, l, w)| p.grad(l, w).map(|g| (p, g)));
    b.row(
        name,
        "grad(L, W)",
        show(t_grad),
        "all K·(D+1) partials as one matrix",
    );
    let with_grad = || {
        let (mut p, l, w) = built();
        let g = p.grad(l, w).expect("the S2 gradient");
        (p, l, g, w)
    };
    let t_eval = median(plan, with_grad, |(mut p, l, g, w)| {
        Evaluator::new(&mut p, &[l, g], &[w])?.run(&[&w_eval])
    });
    b.row(
        name,
        "eval loss + gradient",
        show(t_eval),
        "prepare + evaluate once at W_eval; checked",
    );
    b.row(
        name,
        "grad + eval together",
        show(t_grad + t_eval),
        "sum of the two medians",
    );
    let slow = Plan {
        min_runs: plan.min_runs.min(3),
        ..plan
    };
    let t = median(slow, built, |(mut p, l, w)| {
        let g = p.grad(l, w)?;
        p.elements(g).map(|e| (p, e))
    });
    b.row(
        name,
        "elements(grad(L, W))",
        show(t),
        "explicit partials; values checked",
    );
    b.row(
        name,
        "gradient size (ops)",
        size.to_string(),
        "size(elements(grad(L, W))), counted as a tree",
    );
    Ok(())
}
