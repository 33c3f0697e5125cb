//! N1 of the benchmarks: softmax regression, loss and gradient in one
//! compiled program, 10 classes, X with samples as columns (784×N) or, with
//! `rows`, as rows (N×784, the loss built as the benchmark builds it).
//! With `forward`, only `sum(exp(Z))`: the first product with its `exp`
//! and sum; with `gradient`, only the gradient's product, `V⋅Xᵀ` for data V
//! shaped as Z (or `Vᵀ⋅X` as rows), the gradient by W of `sum(V .* Z)`.
//! `cargo run --release -p symgrad --example n1 -- [N] [reps] [threads] [block|whole|-] [cols|rows] [all|forward|gradient]`

use std::time::Instant;
use symgrad::{Axis, Dense, Func, Pool, Shape, Values};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60_000);
    let reps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let threads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mode = args.get(4).cloned().unwrap_or_default();
    let rows = args.get(5).is_some_and(|s| s == "rows");
    let part = args.get(6).map_or("all", String::as_str);
    let (d, k) = (784, 10);
    let mut seed = 1u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    };
    let mut pool = Pool::new();
    let x: Vec<f64> = (0..d * n).map(|_| rnd()).collect();
    let labels: Vec<usize> = (0..n)
        .map(|_| ((rnd() + 0.5) * k as f64) as usize % k)
        .collect();
    let w = pool.symbol("W", Shape::new(k, d)).unwrap();
    let scale = pool.rational(-1, n as i64).unwrap();
    // L = -(1/N)⋅sum(Y .* log(softmax(Z))): with samples as rows, X is N×784
    // and Z = X⋅Wᵀ (softmax along rows); as columns, X is 784×N and Z = W⋅X.
    let (x_shape, y_shape, axis) = if rows {
        (Shape::new(n, d), Shape::new(n, k), Axis::Rows)
    } else {
        (Shape::new(d, n), Shape::new(k, n), Axis::Cols)
    };
    let mut y = vec![0.0; n * k];
    for (i, &c) in labels.iter().enumerate() {
        y[if rows { i * k + c } else { c * n + i }] = 1.0;
    }
    let x = pool.dense(Dense::from_f64(x_shape, x).unwrap()).unwrap();
    let y = pool.dense(Dense::from_f64(y_shape, y).unwrap()).unwrap();
    let z = if rows {
        let wt = pool.transpose(w).unwrap();
        pool.product(x, wt).unwrap()
    } else {
        pool.product(w, x).unwrap()
    };
    let sm = pool.softmax(z, axis).unwrap();
    let log = pool.apply(Func::Log, sm).unwrap();
    let prod = pool.mul(&[y, log]).unwrap();
    let total = pool.sum(prod, Axis::All).unwrap();
    let loss = pool.mul(&[scale, total]).unwrap();
    let grad = pool.grad(loss, w).unwrap();
    let (outputs, products) = match part {
        "forward" => {
            let e = pool.apply(Func::Exp, z).unwrap();
            (vec![pool.sum(e, Axis::All).unwrap()], 1)
        }
        "gradient" => {
            let v = (0..n * k).map(|_| rnd()).collect();
            let v = pool.dense(Dense::from_f64(y_shape, v).unwrap()).unwrap();
            let vz = pool.mul(&[v, z]).unwrap();
            let total = pool.sum(vz, Axis::All).unwrap();
            (vec![pool.grad(total, w).unwrap()], 1)
        }
        _ => (vec![loss, grad], 2),
    };
    let t = Instant::now();
    let mut prog = pool.compile(&outputs, &[w]).unwrap();
    let compile = t.elapsed();
    prog.set_threads(threads);
    if mode == "whole" {
        prog.set_block(None);
    } else if let Ok(b) = mode.parse::<usize>() {
        prog.set_block(Some(b));
    }
    let wv = Values::new(Shape::new(k, d), (0..k * d).map(|_| 0.01 * rnd()).collect()).unwrap();
    let first = prog.run(&[&wv]).unwrap();
    let mut times = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let r = prog.run(&[&wv]).unwrap();
        times.push(t.elapsed().as_secs_f64());
        assert_eq!(r[0].data[0].to_bits(), first[0].data[0].to_bits());
    }
    times.sort_by(f64::total_cmp);
    let med = times[times.len() / 2];
    let flops = (2 * products * k * d * n) as f64;
    println!(
        "N1 {} {part} N={n} threads={threads} block={:?}: compile {:.2} ms, median {:.2} ms/call (min {:.2}), {:.1} GFLOP/s, first result {:.6}",
        if rows { "rows" } else { "cols" },
        prog.block(),
        compile.as_secs_f64() * 1e3,
        med * 1e3,
        times[0] * 1e3,
        flops / med / 1e9,
        first[0].data[0]
    );
}
