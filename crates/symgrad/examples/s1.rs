//! S1 of the benchmarks, compiled part: the first seed notebook's loss and
//! its 5 partials as one register program, per point in a loop and over
//! 10 000 points in one call. Checks the reference values first.
//! `cargo run --release -p symgrad --example s1`

use std::time::Instant;
use symgrad::{Axis, Dense, DenseData, Func, Num, Pool, Shape};

fn main() {
    let mut p = Pool::new();
    let xs = [26, 100, 90, 80, 1, 2, 60, 20, 50, 1, 80, 10, 4, 60, 1];
    let x = Dense::new(
        Shape::new(3, 5),
        DenseData::Exact(xs.iter().map(|&v| Num::int(v)).collect()),
    )
    .unwrap();
    let x = p.dense(x).unwrap();
    let y = Dense::new(
        Shape::new(3, 1),
        DenseData::Exact([1, 0, 0].iter().map(|&v| Num::int(v)).collect()),
    )
    .unwrap();
    let y = p.dense(y).unwrap();
    let w = p.symbol("W", Shape::new(1, 5)).unwrap();
    let wt = p.transpose(w).unwrap();
    let z = p.product(x, wt).unwrap();
    let one = p.int(1).unwrap();
    let ez = p.apply(Func::Exp, z).unwrap();
    let den = p.add(&[one, ez]).unwrap();
    let prob = p.div(one, den).unwrap();
    let lp = p.apply(Func::Log, prob).unwrap();
    let q = p.sub(one, prob).unwrap();
    let lq = p.apply(Func::Log, q).unwrap();
    let ny = p.neg(y).unwrap();
    let a = p.mul(&[ny, lp]).unwrap();
    let omy = p.sub(one, y).unwrap();
    let b = p.mul(&[omy, lq]).unwrap();
    let d = p.sub(a, b).unwrap();
    let s = p.sum(d, Axis::All).unwrap();
    let third = p.rational(1, 3).unwrap();
    let loss = p.mul(&[third, s]).unwrap();
    let g = p.grad(loss, w).unwrap();
    let t = Instant::now();
    let mut prog = p.compile_scalar(&[loss, g], &[w]).unwrap();
    let compile = t.elapsed();
    let mut out = [0.0; 6];
    prog.eval_point(&[0.01, -0.02, 0.005, 0.01, 0.1], &mut out)
        .unwrap();
    let want = [
        0.5718246519892123,
        -2.5347698031582504,
        0.39955821646293543,
        7.7121087979977085,
        -3.7463690969567676,
        -0.14161628918126132,
    ];
    for (a, b) in out.iter().zip(want) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
    }
    let n = 10_000;
    let mut seed = 7u64;
    let pts: Vec<f64> = (0..n * 5)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.02
        })
        .collect();
    let mut all = vec![0.0; n * 6];
    let mut best_loop = f64::INFINITY;
    let mut best_vec = f64::INFINITY;
    for _ in 0..20 {
        let t = Instant::now();
        for k in 0..n {
            prog.eval_point(&pts[k * 5..k * 5 + 5], &mut all[k * 6..k * 6 + 6])
                .unwrap();
        }
        best_loop = best_loop.min(t.elapsed().as_secs_f64() / n as f64);
        let t = Instant::now();
        prog.eval_points(&pts, &mut all).unwrap();
        best_vec = best_vec.min(t.elapsed().as_secs_f64() / n as f64);
    }
    println!(
        "S1 compiled loss + 5 partials: compile {:.1} µs; per point in a loop {:.0} ns; vectorised over {n} points {:.1} ns per point",
        compile.as_secs_f64() * 1e6,
        best_loop * 1e9,
        best_vec * 1e9
    );
}
