//! Training end to end through `Session::run`: `descend` against the closed
//! forms of gradient descent on quadratics (seed notebook 004), a softmax
//! regression against a NumPy loop, `sgd` (seed notebooks 001 and 004:
//! batch sizes 1 and 3, shuffled columns), the progress lines, the record
//! read by `last_losses()`/`last_path()`, interrupts and errors.
//!
//! NumPy references were computed with NumPy 2.x; the code is in the
//! comment next to each value and can be pasted into `python3` after
//! `import numpy as np`.

use expect_test::{Expect, expect};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use symgrad_lang::Session;

mod support;
use support::{assert_close, matrix_literal, numbers, run_in};

/// A session with 17 significant digits whose progress lines are collected.
fn session() -> (Session, Rc<RefCell<Vec<String>>>) {
    let mut s = Session::new();
    let lines = Rc::new(RefCell::new(Vec::new()));
    let sink = lines.clone();
    s.set_progress(Box::new(move |line| sink.borrow_mut().push(line.into())));
    assert_eq!(run_in(&mut s, ":set digits 17"), "");
    (s, lines)
}

/// Runs `src`, which must succeed.
#[track_caller]
fn ok(s: &mut Session, src: &str) {
    let out = run_in(s, src);
    assert!(!out.contains("error"), "{src} failed:\n{out}");
}

/// The 1-D loss of seed 004, `L(w) = (w + 2)² + 3`, from `w₀ = 2`: each step
/// multiplies `w + 2` by `1 − 2⋅lr`, so `w_k = −2 + 4⋅(1 − 2⋅lr)^k` and
/// `L(w_k) = 3 + 16⋅(1 − 2⋅lr)^(2k)`.
fn closed_form_1d(lr: f64, k: usize) -> (f64, f64) {
    let r = (1.0 - 2.0 * lr).powi(k as i32);
    (-2.0 + 4.0 * r, 3.0 + 16.0 * r * r)
}

#[test]
fn descent_in_1d_follows_the_closed_form() {
    // lr 0.95 overshoots: w oscillates around −2 and still converges.
    for (lr, steps) in [(0.1, 40), (0.95, 30)] {
        let (mut s, lines) = session();
        let w = numbers(
            &mut s,
            &format!("descend((w + 2)^2 + 3, w, {lr}, {steps}, 2)"),
        );
        let (path, losses): (Vec<f64>, Vec<f64>) =
            (0..=steps).map(|k| closed_form_1d(lr, k)).unzip();
        assert_close("final w", &w, &path[steps..], 1e-12, 1e-12);
        // Exactly `steps` steps: steps + 1 points visited.
        assert_close("path", &numbers(&mut s, "last_path()"), &path, 1e-12, 1e-12);
        let got = numbers(&mut s, "last_losses()");
        assert_close("losses", &got, &losses, 1e-12, 1e-12);
        // About ten progress lines, the first and last included.
        let lines = lines.borrow();
        assert_eq!(lines.len(), 11, "{lines:?}");
        assert!(lines[0].starts_with("step 0: loss 19.0, |grad| 8.0"));
        assert!(lines[10].starts_with(&format!("step {steps}: ")));
    }
}

/// A run whose loss rose at every step (or epoch) ends with a line saying
/// the learning rate is too large; one that comes down, even overshooting
/// its minimum, or that stays level, does not.
#[test]
fn a_loss_rising_at_every_step_is_called_too_large_a_rate() {
    // The last progress line after `src`, its wrapped lines joined.
    let last_line = |src: &str| {
        let (mut s, lines) = session();
        ok(&mut s, src);
        let last = lines.borrow().last().cloned().unwrap_or_default();
        last.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    // L = w₁² + w₂² from (1, 1) with lr 10: w ← −19⋅w, so the loss is
    // 2⋅361ᵏ at step k.
    let line = last_line("symbol W[1, 2]\ndescend(sum(W .^ 2), W, 10, 5, [[1, 1]])");
    let rest = line
        .strip_prefix("the loss rose at every step, from 2.0 to ")
        .unwrap_or_else(|| panic!("{line}"));
    let (to, rest) = rest.split_once(':').unwrap();
    // Progress lines show 6 significant digits.
    let want = 2.0 * 361f64.powi(5);
    assert!(
        (to.parse::<f64>().unwrap() / want - 1.0).abs() < 1e-5,
        "{to}"
    );
    assert_eq!(
        rest,
        " the learning rate 10.0 is too large for this loss; try a smaller one"
    );
    // lr 0.95 overshoots -2 at every step, and the loss still comes down;
    // lr 1 flips w about -2, and the loss stays 19.
    for lr in ["0.95", "1"] {
        let line = last_line(&format!("descend((w + 2)^2 + 3, w, {lr}, 5, 2)"));
        assert!(line.starts_with("step 5: "), "lr {lr}: {line}");
    }
    // sgd over one batch of three samples, lr 3: the mean loss per epoch
    // rises.
    let line = last_line(
        "symbol W[1, 2]\nL(Xb, Yb) = mean((W*Xb - Yb).^2)\n\
         sgd(L, W, [[1, 2, 3], [1, 0, 1]], [[1, 2, 4]], 3, 4, 3, [[0.5, 0.5]])",
    );
    assert!(
        line.starts_with("the loss rose at every epoch, from "),
        "{line}"
    );
}

#[test]
fn tol_stops_descent_at_the_step_the_closed_form_predicts() {
    for lr in [0.1f64, 0.95] {
        // The gradient at w_k is 2⋅(w_k + 2) = 8⋅(1 − 2⋅lr)^k; the loop of
        // seed 004 stops at the first k where its size is ≤ tol.
        let stop = (0..)
            .find(|&k| 8.0 * (1.0 - 2.0 * lr).abs().powi(k) <= 1e-5)
            .unwrap() as usize;
        let (mut s, lines) = session();
        let w = numbers(
            &mut s,
            &format!("descend((w + 2)^2 + 3, w, {lr}, 1000, 2, tol = 1e-5)"),
        );
        assert_close("w", &w, &[closed_form_1d(lr, stop).0], 1e-12, 1e-12);
        assert_eq!(numbers(&mut s, "last_losses()").len(), stop + 1);
        let last = lines.borrow().last().cloned().unwrap();
        assert!(
            last.starts_with(&format!("stopped at step {stop}: loss 3.0, |grad| "))
                && last.ends_with(" ≤ tol"),
            "{last}"
        );
        // Without tol it takes every step.
        ok(&mut s, "descend((w + 2)^2 + 3, w, 0.1, 1000, 2)");
        assert_eq!(numbers(&mut s, "last_losses()").len(), 1001);
    }
}

#[test]
fn descent_in_2d_follows_the_closed_form() {
    // L = (w₁ − 2)² + (w₂ + 3)² from (1, 1) with lr 10⁻²: each step
    // multiplies w − (2, −3) by 0.98.
    let (mut s, _) = session();
    ok(&mut s, "symbol w[2]\nf = (w[0] - 2)^2 + (w[1] + 3)^2");
    let at = |k: usize| {
        let r = 0.98f64.powi(k as i32);
        [2.0 - r, -3.0 + 4.0 * r]
    };
    let w = numbers(&mut s, "descend(f, w, 1e-2, 100, [1, 1])");
    assert_close("w", &w, &at(100), 1e-12, 1e-12);
    let path: Vec<f64> = (0..=100).flat_map(at).collect();
    assert_close("path", &numbers(&mut s, "last_path()"), &path, 1e-12, 1e-12);
    // The 2-D loop of seed 004 stops when ‖∇L‖ = 2⋅√17⋅0.98^k ≤ 10⁻⁵.
    let stop = (0..)
        .find(|&k| 2.0 * 17f64.sqrt() * 0.98f64.powi(k) <= 1e-5)
        .unwrap() as usize;
    let w = numbers(&mut s, "descend(f, w, 1e-2, 1000, [1, 1], tol = 1e-5)");
    assert_close("w at tol", &w, &at(stop), 1e-12, 1e-12);
    assert_eq!(numbers(&mut s, "last_path()").len(), 2 * (stop + 1));
}

/// A toy softmax regression: 2 features and a bias row of ones, 4 samples
/// (columns), 3 classes.
const SOFTMAX: &str = "
X = [[1, 2, 0, 3], [0, 1, 2, 1], [1, 1, 1, 1]]
Y = [[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]]
symbol W[3, 3]
L = -mean(sum(Y .* log(softmax(W * X)), 1))
W0 = [[0.1, -0.2, 0.0], [0.0, 0.3, -0.1], [0.2, 0.0, 0.1]]
";

// X = np.array([[1., 2, 0, 3], [0, 1, 2, 1], [1, 1, 1, 1]])
// Y = np.array([[1., 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]])
// W0 = np.array([[0.1, -0.2, 0.0], [0.0, 0.3, -0.1], [0.2, 0.0, 0.1]])
// def sm(Z): e = np.exp(Z - Z.max(0)); return e / e.sum(0)
// def loss(W): return -np.mean(np.sum(Y * np.log(sm(W @ X)), 0))
// def grad(W): return (sm(W @ X) - Y) @ X.T / X.shape[1]

#[test]
fn softmax_regression_step_matches_numpy() {
    let (mut s, _) = session();
    ok(&mut s, SOFTMAX);
    let w1 = numbers(&mut s, "descend(L, W, 0.5, 1, W0)");
    // (W0 - 0.5 * grad(W0)).ravel()
    let want = [
        0.3988002737834567,
        -0.18806699933365165,
        0.12028624881411461,
        0.031909087757317676,
        0.23000196086703262,
        -0.14347532429862875,
        -0.13070936154077434,
        0.05806503846661905,
        0.023189075484514154,
    ];
    assert_close("W after one step", &w1, &want, 1e-12, 1e-15);
    // loss(W0)
    let l0 = numbers(&mut s, "last_losses()")[0];
    assert_close("loss at W0", &[l0], &[1.191002244420391], 1e-12, 0.0);
    // W = W0.copy(); Ls = []
    // for k in range(50): Ls.append(loss(W)); W = W - 0.5 * grad(W)
    // Ls.append(loss(W)); W.ravel(), Ls[-1]
    let w50 = numbers(&mut s, "descend(L, W, 0.5, 50, W0)");
    let want = [
        1.3944523400738802,
        -1.9500369485607123,
        0.3528075875528443,
        0.5457831115145266,
        0.5009225370884722,
        -0.4214038352308256,
        -1.6402354515884068,
        1.5491144114722395,
        0.06859624767798136,
    ];
    assert_close("W after 50 steps", &w50, &want, 1e-10, 1e-12);
    let losses = numbers(&mut s, "last_losses()");
    assert_close(
        "final loss",
        &losses[50..],
        &[0.341962722390043],
        1e-10,
        0.0,
    );
    assert!(losses.windows(2).all(|p| p[1] < p[0]), "{losses:?}");
    // The path is (steps + 1) × 9, W flattened row by row.
    let path = numbers(&mut s, "last_path()");
    assert_eq!(path.len(), 51 * 9);
    assert_close("last row", &path[50 * 9..], &w50, 0.0, 0.0);
    assert_eq!(numbers(&mut s, "shape(last_path())"), [51.0, 9.0]);
}

/// Seven samples of 2 features plus a bias row, 2 classes one-hot, and the
/// softmax loss of a batch of columns.
const DATA: &str = "
X = [[1, 2, 0, 1, 3, 0, 2], [0, 1, 1, 2, 0, 3, 1], [1, 1, 1, 1, 1, 1, 1]]
Y = [[1, 0, 0, 1, 1, 0, 0], [0, 1, 1, 0, 0, 1, 1]]
symbol W[2, 3]
L(Xb, Yb) = -mean(sum(Yb .* log(softmax(W * Xb)), 1))
";

#[test]
fn sgd_is_reproducible_with_a_seed() {
    for batch in [1, 3] {
        let (mut s, _) = session();
        ok(&mut s, DATA);
        let train = format!("sgd(L, W, X, Y, 0.5, 3, {batch})");
        ok(&mut s, "seed(4)");
        let a = numbers(&mut s, &train);
        // Without a new seed the generator goes on: the next run shuffles anew.
        let next = numbers(&mut s, &train);
        assert_ne!(a, next);
        ok(&mut s, "seed(4)");
        let again = numbers(&mut s, &train);
        assert_eq!(a, again, "batch {batch}: same seed, same result");
        ok(&mut s, "seed(5)");
        let other = numbers(&mut s, &train);
        assert_ne!(a, other, "batch {batch}: another seed, another order");
    }
}

#[test]
fn sgd_uses_every_column_once_per_epoch() {
    // A loss linear in V: the gradient of sum(V * Xb) is the sum of the
    // columns of the batch (transposed), whatever V is, so after e epochs
    // V = −lr⋅e⋅(row sums of X)ᵀ whatever the order and the batching, if
    // each column is used once per epoch (batches of 3 are 3, 3 and 1).
    // Row sums of X: 9, 8, 7.
    for batch in [1, 2, 3, 7, 10] {
        let (mut s, lines) = session();
        ok(&mut s, DATA);
        ok(&mut s, "symbol V[1, 3]\nS(Xb, Yb) = sum(V * Xb)");
        let v = numbers(&mut s, &format!("sgd(S, V, X, Y, 0.1, 4, {batch})"));
        assert_close("V", &v, &[-3.6, -3.2, -2.8], 1e-12, 1e-12);
        assert_eq!(lines.borrow().len(), 4, "one line per epoch");
        assert_eq!(numbers(&mut s, "last_losses()").len(), 4);
    }
}

#[test]
fn sgd_over_windows_of_many_batches_matches_a_plain_loop() {
    // 64 samples in batches of 3 are gathered 4 batches at a time (a
    // seventh of the 22 batches, rounded up), the last window a batch of 3
    // and one of 1; in order (shuffle = false) the steps are those of this
    // loop on L = sum((v⋅x − y)²) over each batch.
    let (n, batch, lr) = (64, 3, 0.01);
    let x: Vec<f64> = (0..n).map(|j| ((j * 7) % 11) as f64 / 10.0).collect();
    let y: Vec<f64> = (0..n).map(|j| ((j * 5) % 13) as f64 / 10.0 - 0.3).collect();
    let mut v = 0.5;
    for _ in 0..2 {
        for b0 in (0..n).step_by(batch) {
            let g: f64 = (b0..(b0 + batch).min(n))
                .map(|j| 2.0 * (v * x[j] - y[j]) * x[j])
                .sum();
            v -= lr * g;
        }
    }
    let (mut s, _) = session();
    ok(
        &mut s,
        &format!(
            "X = {}\nY = {}\nsymbol V[1, 1]\nQ(Xb, Yb) = sum((V * Xb - Yb) .^ 2)",
            matrix_literal(&x, n),
            matrix_literal(&y, n)
        ),
    );
    let got = numbers(
        &mut s,
        &format!("sgd(Q, V, X, Y, {lr}, 2, {batch}, [[0.5]], shuffle = false)"),
    );
    assert_close("V", &got, &[v], 1e-12, 1e-14);
}

#[test]
fn sgd_runs_one_after_another_reuse_their_buffers_correctly() {
    // The session keeps a run's batch buffers for the next: runs of other
    // shapes (features, samples, batch sizes) in one session each match
    // this loop on L = sum((v⋅X − y)²) over each batch, in order.
    fn plain_loop(x: &[f64], y: &[f64], rows: usize, batch: usize, lr: f64) -> Vec<f64> {
        let n = y.len();
        let mut v = vec![0.5; rows];
        for _ in 0..2 {
            for b0 in (0..n).step_by(batch) {
                let mut g = vec![0.0; rows];
                for j in b0..(b0 + batch).min(n) {
                    let r: f64 = (0..rows).map(|i| v[i] * x[i * n + j]).sum::<f64>() - y[j];
                    for (i, gi) in g.iter_mut().enumerate() {
                        *gi += 2.0 * r * x[i * n + j];
                    }
                }
                for (vi, gi) in v.iter_mut().zip(&g) {
                    *vi -= lr * gi;
                }
            }
        }
        v
    }
    let (mut s, _) = session();
    for (rows, n, batch) in [(1, 64, 3), (3, 70, 4), (2, 50, 2), (1, 64, 3)] {
        let x: Vec<f64> = (0..rows * n)
            .map(|k| ((k * 7 + rows) % 11) as f64 / 10.0)
            .collect();
        let y: Vec<f64> = (0..n).map(|j| ((j * 5) % 13) as f64 / 10.0 - 0.3).collect();
        let lr = 0.01;
        ok(
            &mut s,
            &format!(
                "X = {}\nY = {}\nsymbol V[1, {rows}]\nQ(Xb, Yb) = sum((V * Xb - Yb) .^ 2)",
                matrix_literal(&x, n),
                matrix_literal(&y, n)
            ),
        );
        let start = matrix_literal(&vec![0.5; rows], rows);
        let got = numbers(
            &mut s,
            &format!("sgd(Q, V, X, Y, {lr}, 2, {batch}, {start}, shuffle = false)"),
        );
        let want = plain_loop(&x, &y, rows, batch, lr);
        assert_close(
            &format!("V, {rows}×{n} by {batch}"),
            &got,
            &want,
            1e-12,
            1e-14,
        );
    }
}

#[test]
fn sgd_takes_large_batches_from_the_data_in_place() {
    // 6 000 samples in batches of 2 500 (more than a fifth of the samples:
    // each block of the program gathers its own) and a last one of 1 000
    // (gathered whole), shuffled: the steps are those of this loop on
    // L = mean((v⋅X − y)²) over each batch, in the order drawn.
    let (rows, n, batch, lr) = (3, 6000, 2500, 0.1);
    let (mut s, _) = session();
    ok(
        &mut s,
        &format!(
            "seed(1); X = randn({rows}, {n}); Y = rand(1, {n})\n\
             symbol V[1, {rows}]\nQ(Xb, Yb) = mean((V * Xb - Yb) .^ 2)"
        ),
    );
    let x = numbers(&mut s, "X");
    let y = numbers(&mut s, "Y");
    ok(
        &mut s,
        &format!("seed(7); P1 = permutation({n}); P2 = permutation({n})"),
    );
    let orders = [numbers(&mut s, "P1"), numbers(&mut s, "P2")];
    let mut v = vec![0.5; rows];
    for order in &orders {
        for samples in order.chunks(batch) {
            let mut g = vec![0.0; rows];
            for j in samples.iter().map(|&j| j as usize) {
                let r: f64 = (0..rows).map(|i| v[i] * x[i * n + j]).sum::<f64>() - y[j];
                for (i, gi) in g.iter_mut().enumerate() {
                    *gi += 2.0 * r * x[i * n + j] / samples.len() as f64;
                }
            }
            for (vi, gi) in v.iter_mut().zip(&g) {
                *vi -= lr * gi;
            }
        }
    }
    let start = matrix_literal(&[0.5; 3], rows);
    ok(&mut s, "seed(7)");
    let got = numbers(
        &mut s,
        &format!("sgd(Q, V, X, Y, {lr}, 2, {batch}, {start})"),
    );
    assert_close("V", &got, &v, 1e-12, 1e-14);
}

#[test]
fn full_batch_sgd_is_descent() {
    let (mut s, _) = session();
    ok(&mut s, DATA);
    let a = numbers(&mut s, "sgd(L, W, X, Y, 0.5, 20, 7)");
    let sgd_losses = numbers(&mut s, "last_losses()");
    let b = numbers(&mut s, "descend(L(X, Y), W, 0.5, 20)");
    let descend_losses = numbers(&mut s, "last_losses()");
    // Equal but for the order of the columns in the sums.
    assert_close("W", &a, &b, 1e-12, 1e-14);
    assert_close("losses", &sgd_losses, &descend_losses[..20], 1e-12, 0.0);
    // A batch of every sample (or more) is the data in place, in its order,
    // as with shuffle = false: the same numbers whatever the seed.
    for (seed, batch) in [(1, 7), (2, 7), (3, 100)] {
        ok(&mut s, &format!("seed({seed})"));
        let c = numbers(&mut s, &format!("sgd(L, W, X, Y, 0.5, 20, {batch})"));
        assert_eq!(a.len(), c.len());
        assert!(a.iter().zip(&c).all(|(p, q)| p.to_bits() == q.to_bits()));
    }
    let d = numbers(&mut s, "sgd(L, W, X, Y, 0.5, 20, 7, shuffle = false)");
    assert!(a.iter().zip(&d).all(|(p, q)| p.to_bits() == q.to_bits()));
    // Floats (the pool's data, read where the session keeps it) as exact numbers.
    ok(&mut s, "X = X + 0.0\nY = Y + 0.0");
    let e = numbers(&mut s, "sgd(L, W, X, Y, 0.5, 20, 7)");
    assert_close("W from floats", &e, &a, 1e-15, 0.0);
}

#[test]
fn progress_lines() {
    let (mut s, lines) = session();
    ok(
        &mut s,
        ":set digits 4\ndescend((w + 2)^2 + 3, w, 0.1, 100, 2, tol = 1e-5, every = 20)",
    );
    ok(&mut s, "descend((w + 2)^2 + 3, w, 0.3, 3, 2)");
    ok(&mut s, &format!("{DATA}\nsgd(L, W, X, Y, 0.5, 2, 3)"));
    ok(&mut s, "sgd(L, W, X, Y, 0.5, 2, 3, every = 2)");
    expect![[r#"
        step 0: loss 19.0, |grad| 8.0
        step 20: loss 3.002, |grad| 0.09223
        step 40: loss 3.0, |grad| 0.001063
        step 60: loss 3.0, |grad| 0.00001226
        stopped at step 61: loss 3.0, |grad| 9.808e-6 ≤ tol
        step 0: loss 19.0, |grad| 8.0
        step 1: loss 5.56, |grad| 3.2
        step 2: loss 3.41, |grad| 1.28
        step 3: loss 3.066, |grad| 0.512
        epoch 1: mean loss 0.7937
        epoch 2: mean loss 0.7787
        epoch 1, step 2: loss 2.286
        epoch 2, step 4: loss 0.04926
        epoch 2, step 6: loss 0.4988
    "#]]
    .assert_eq(&(lines.borrow().join("\n") + "\n"));
}

#[test]
fn reset_keeps_the_progress_sink_and_forgets_the_record() {
    let (mut s, lines) = session();
    ok(
        &mut s,
        "descend(w^2, w, 0.1, 1, 1)\n:reset\ndescend(w^2, w, 0.1, 1, 1)",
    );
    assert_eq!(lines.borrow().len(), 4);
    let out = run_in(&mut s, ":reset\nlast_losses()");
    assert!(
        out.starts_with("error: last_losses() needs a descend or sgd run first"),
        "{out}"
    );
}

#[test]
fn an_interrupt_stops_training_and_keeps_the_session() {
    let (mut s, _) = session();
    let flag = Arc::new(AtomicBool::new(false));
    s.set_interrupt(flag.clone());
    // Ctrl-C pressed while step 2 is reported: the run stops before step 3.
    let set = flag.clone();
    s.set_progress(Box::new(move |line| {
        if line.starts_with("step 2:") {
            set.store(true, Ordering::Relaxed);
        }
    }));
    ok(&mut s, "f = (w + 2)^2 + 3");
    let out = run_in(&mut s, "w1 = descend(f, w, 0.1, 1000000, 2, every = 1)");
    assert!(
        out.starts_with("error: interrupted at step 3 of 1000000: w1 holds the weights reached"),
        "{out}"
    );
    // The points reached are recorded: w₀, w₁, w₂.
    let reached: Vec<f64> = (0..3).map(|k| closed_form_1d(0.1, k).0).collect();
    flag.store(false, Ordering::Relaxed);
    assert_close(
        "path",
        &numbers(&mut s, "last_path()"),
        &reached,
        1e-12,
        0.0,
    );
    // w1 holds the point step 2 moved to, w₃, as the note says.
    assert_close(
        "w1",
        &numbers(&mut s, "w1"),
        &[closed_form_1d(0.1, 3).0],
        1e-12,
        0.0,
    );
    assert_eq!(numbers(&mut s, "descend(f, w, 0.5, 1, 2)"), [-2.0]);
}

#[test]
fn a_run_that_fails_at_its_start_records_nothing() {
    let (mut s, _) = session();
    let out = run_in(&mut s, "descend(log(w), w, 1, 10)");
    assert!(
        out.starts_with("error: the loss is -inf at step 0"),
        "{out}"
    );
    for record in ["last_losses()", "last_path()"] {
        let out = run_in(&mut s, record);
        assert!(
            out.starts_with("error: the latest descend recorded no losses"),
            "{out}"
        );
    }
}

#[track_caller]
fn check(src: &str, expected: Expect) {
    let (mut s, _) = session();
    expected.assert_eq(&run_in(&mut s, src));
}

#[test]
fn descend_errors() {
    check(
        "descend(w^2, w, 0, 10)",
        expect![[r#"
            error: the learning rate must be a positive number, not 0
              --> <test>:1:17
              |
            1 | descend(w^2, w, 0, 10)
              |                 ^
        "#]],
    );
    check(
        "descend(w^2 + b, w, 0.1, -1)",
        expect![[r#"
            error: steps must be an integer ≥ 0, not -1
              --> <test>:1:26
              |
            1 | descend(w^2 + b, w, 0.1, -1)
              |                          ^^
        "#]],
    );
    check(
        "descend(w^2 + b*w, w, 0.1, 10)",
        expect![[r#"
            error: descend needs a value for every symbol but the one it trains; unbound: b
              --> <test>:1:9
              |
            1 | descend(w^2 + b*w, w, 0.1, 10)
              |         ^^^^^^^^^
              |
              = hint: put values in first: subs(f, b = …)
        "#]],
    );
    check(
        "symbol W[2, 2]\ndescend(W, W, 0.1, 10)",
        expect![[r#"
            error: descend needs a scalar loss, not a 2×2 matrix
              --> <test>:2:9
              |
            2 | descend(W, W, 0.1, 10)
              |         ^
              |
              = hint: sum or mean it, e.g. descend(sum(E), W, 0.1, 100)
        "#]],
    );
    check(
        "descend(w^2, 2*w, 0.1, 10)",
        expect![[r#"
            error: the second argument must be the symbol to train
              --> <test>:1:14
              |
            1 | descend(w^2, 2*w, 0.1, 10)
              |              ^^^
              |
              = hint: declare it first: symbol W[m, n]
        "#]],
    );
    check(
        "symbol W[2, 2]\ndescend(sum(W), W, 0.1, 10, [1, 2])",
        expect![[r#"
            error: W is 2×2 but the value given for it is 2×1
              --> <test>:2:29
              |
            2 | descend(sum(W), W, 0.1, 10, [1, 2])
              |                             ^^^^^^
        "#]],
    );
    check(
        "descend(w^2, w, 0.1, 10, tol = -1)",
        expect![[r#"
            error: tol must be a number ≥ 0, not -1
              --> <test>:1:32
              |
            1 | descend(w^2, w, 0.1, 10, tol = -1)
              |                                ^^
        "#]],
    );
    check(
        "descend(w^2, w, 0.1, 10, every = 0)",
        expect![[r#"
            error: every must be a positive integer, not 0
              --> <test>:1:34
              |
            1 | descend(w^2, w, 0.1, 10, every = 0)
              |                                  ^
        "#]],
    );
    check(
        "descend(w^2, w, 0.1, 10, step = 0)",
        expect![[r#"
            error: unknown option 'step': descend takes the options tol, every and show
              --> <test>:1:26
              |
            1 | descend(w^2, w, 0.1, 10, step = 0)
              |                          ^^^^
              |
              = hint: usage: descend(f, W, lr, steps [, init] [, tol = t] [, every = k]
                      [, show = "w"])
        "#]],
    );
    check(
        "descend(w^2, w, 0.1)",
        expect![[r#"
            error: wrong number of arguments: descend(f, W, lr, steps [, init] [, tol = t]
                   [, every = k] [, show = "w"]) takes 4 to 5 arguments, got 3
              --> <test>:1:1
              |
            1 | descend(w^2, w, 0.1)
              | ^^^^^^^^^^^^^^^^^^^^
              |
              = hint: usage: descend(f, W, lr, steps [, init] [, tol = t] [, every = k]
                      [, show = "w"])
        "#]],
    );
    check(
        "descend(log(w), w, 1, 10, 1)",
        expect![[r#"
            error: the loss is -inf at step 1: log(w) gives -inf: log(0) is −∞
              --> <test>:1:1
              |
            1 | descend(log(w), w, 1, 10, 1)
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: the steps may diverge: try a smaller learning rate, or check the
                      loss's domain
        "#]],
    );
    check(
        "descend(log(w), w, 1, 10)",
        expect![[r#"
            error: the loss is -inf at step 0: log(w) gives -inf: log(0) is −∞
              --> <test>:1:1
              |
            1 | descend(log(w), w, 1, 10)
              | ^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: this is before any step: start where the loss is defined
                      (descend's fifth argument)
        "#]],
    );
    check(
        "last_path()",
        expect![[r#"
            error: last_path() needs a descend or sgd run first
              --> <test>:1:1
              |
            1 | last_path()
              | ^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn sgd_errors() {
    let with_data = |src: &str| format!("{DATA}{src}");
    // A loss that is not finite names where; before any step, the starting
    // point or the batch is at fault, not the steps. The third sample
    // makes log(V⋅Xb) NaN at V = 1 in the second batch, and at V = −1 in
    // the first (the others).
    let log_loss = |v: i32| {
        format!(
            "X = [[1, 2, -3, 4, 5, 6]]\nY = zeros(1, 6)\nsymbol V[1, 1]\n\
             Q(Xb, Yb) = mean(log(V * Xb))\n\
             sgd(Q, V, X, Y, 0.01, 2, 2, [[{v}]], shuffle = false)"
        )
    };
    check(
        &log_loss(1),
        expect![[r#"
            error: the loss is nan at epoch 1, step 2: log(V*Xb) gives NaN at [0, 0]: log of
                   a negative number
              --> <test>:5:1
              |
            5 | sgd(Q, V, X, Y, 0.01, 2, 2, [[1]], shuffle = false)
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: the steps may diverge: try a smaller learning rate, or check the data
                      of this batch: samples [2 3]
        "#]],
    );
    check(
        &log_loss(-1),
        expect![[r#"
            error: the loss is nan at epoch 1, step 1: log(V*Xb) gives NaN at [0, 0]: log of
                   a negative number
              --> <test>:5:1
              |
            5 | sgd(Q, V, X, Y, 0.01, 2, 2, [[-1]], shuffle = false)
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: this is before any step: start where the loss is defined
                      (sgd's eighth argument), or check the data of this batch: samples
                      [0 1]
        "#]],
    );
    check(
        &with_data("sgd(L, W, X, Y, -0.5, 2, 3)"),
        expect![[r#"
            error: the learning rate must be a positive number, not -0.5
              --> <test>:6:17
              |
            6 | sgd(L, W, X, Y, -0.5, 2, 3)
              |                 ^^^^
        "#]],
    );
    check(
        &with_data("sgd(M, W, X, Y, 0.5, 2, 3)"),
        expect![[r#"
            error: 'M' is not a function
              --> <test>:6:5
              |
            6 | sgd(M, W, X, Y, 0.5, 2, 3)
              |     ^
              |
              = hint: define the loss of a batch first, e.g. L(Xb, Yb) =
                      mean((W*Xb - Yb).^2), then sgd(L, W, …)
        "#]],
    );
    check(
        &with_data("sgd(L(X, Y), W, X, Y, 0.5, 2, 3)"),
        expect![[r#"
            error: sgd needs the name of a loss function, not an expression
              --> <test>:6:5
              |
            6 | sgd(L(X, Y), W, X, Y, 0.5, 2, 3)
              |     ^^^^^^^
              |
              = hint: define the loss of a batch first, e.g. L(Xb, Yb) =
                      mean((W*Xb - Yb).^2), then sgd(L, W, …)
        "#]],
    );
    check(
        &with_data("K(Xb) = sum(W * Xb)\nsgd(K, W, X, Y, 0.5, 2, 3)"),
        expect![[r#"
            error: K takes 1 argument(s); sgd needs a function of two: a batch of columns of
                   X and the same columns of Y
              --> <test>:7:5
              |
            7 | sgd(K, W, X, Y, 0.5, 2, 3)
              |     ^
              |
              = hint: define the loss of a batch first, e.g. L(Xb, Yb) =
                      mean((W*Xb - Yb).^2), then sgd(L, W, …)
        "#]],
    );
    check(
        &with_data("sgd(L, W, X, Y, 0.5, 2, 0)"),
        expect![[r#"
            error: the batch size must be a positive integer, not 0
              --> <test>:6:25
              |
            6 | sgd(L, W, X, Y, 0.5, 2, 0)
              |                         ^
        "#]],
    );
    check(
        &with_data("sgd(L, W, X, Y, 0.5, 2, -3)"),
        expect![[r#"
            error: the batch size must be a positive integer, not -3
              --> <test>:6:25
              |
            6 | sgd(L, W, X, Y, 0.5, 2, -3)
              |                         ^^
        "#]],
    );
    check(
        &with_data("sgd(L, W, X, Y[:, 0:6], 0.5, 2, 3)"),
        expect![[r#"
            error: X has 7 columns and Y has 6: sgd needs one column of Y per column
                   (sample) of X
              --> <test>:6:11
              |
            6 | sgd(L, W, X, Y[:, 0:6], 0.5, 2, 3)
              |           ^^^^^^^^^^^^
        "#]],
    );
    check(
        &with_data(
            "M(Xb, Yb) = -mean(sum(Yb .* log(softmax(W * Xb + c)), 1))\nsgd(M, W, X, Y, 0.5, 2, 3)",
        ),
        expect![[r#"
            error: sgd needs a value for every symbol but the one it trains; unbound: c
              --> <test>:7:5
              |
            7 | sgd(M, W, X, Y, 0.5, 2, 3)
              |     ^
              |
              = hint: give it a value before training: c = …
        "#]],
    );
    check(
        &with_data("M(Xb, Yb) = Yb .* log(softmax(W * Xb))\nsgd(M, W, X, Y, 0.5, 2, 3)"),
        expect![[r#"
            error: M(Xb, Yb) must be a scalar loss, not a 2×3 matrix
              --> <test>:7:5
              |
            7 | sgd(M, W, X, Y, 0.5, 2, 3)
              |     ^
              |
              = hint: sum or mean it over the batch
        "#]],
    );
    check(
        &with_data("M(Xb, Yb) = sum(W * Xb')\nsgd(M, W, X, Y, 0.5, 2, 3)"),
        expect![[r#"
            error: M(Xb, Yb) fails on a batch of 1 column: in M(Xb, Yb): shape mismatch in
                   the matrix product: 2×3 and 1×3
              --> <test>:7:5
              |
            7 | sgd(M, W, X, Y, 0.5, 2, 3)
              |     ^
        "#]],
    );
    check(
        &with_data("sgd(L, W, X, Y, 0.5, 2, 3, tol = 1)"),
        expect![[r#"
            error: unknown option 'tol': sgd takes the options every, shuffle and show
              --> <test>:6:28
              |
            6 | sgd(L, W, X, Y, 0.5, 2, 3, tol = 1)
              |                            ^^^
              |
              = hint: usage: sgd(L, W, X, Y, lr, epochs, batch [, init] [, every = k]
                      [, shuffle = false] [, show = "grad w batch"])
        "#]],
    );
    check(
        &with_data("sgd(L, W, X, Y, 0.5, 0, 3)\nlast_losses()"),
        expect![[r#"
            ⎡0.0  0.0  0.0⎤
            ⎢             ⎥
            ⎣0.0  0.0  0.0⎦
            error: the latest sgd recorded no losses
              --> <test>:7:1
              |
            7 | last_losses()
              | ^^^^^^^^^^^^^
        "#]],
    );
    check(
        &with_data("sgd(L, W, X, Y, 0.5, 1, 3);\nlast_path()"),
        expect![[r#"
            error: last_path() follows descend; the latest run was sgd
              --> <test>:7:1
              |
            7 | last_path()
              | ^^^^^^^^^^^
        "#]],
    );
}

/// Gradient descent written out as statements over float data (seed 001's
/// loop): each new `W` holds the previous one, so the expression shares
/// subexpressions many times; 40 steps must stay quick (transposes were
/// once pushed down without memory, exponential in the steps) and agree
/// with the same loop in plain f64 here.
#[test]
fn a_descent_written_out_in_statements_stays_linear() {
    let x = [0.5, -1.25, 2.0];
    let y = [0.0, 1.0, 0.0];
    let mut w = [[0.1, -0.2, 0.3], [0.4, 0.0, -0.5], [-0.6, 0.7, 0.2]];
    let mut s = support::session("");
    let step = "a = softmax(W * X); g = ((eye(3) - a') .* a) * (-Y ./ a) * X'; W = W - 0.1 * g";
    let mut src = String::from(
        "X = [0.5, -1.25, 2.0]; Y = [0, 1, 0]\nW = [[0.1, -0.2, 0.3], [0.4, 0, -0.5], [-0.6, 0.7, 0.2]]\n",
    );
    for _ in 0..40 {
        src.push_str(step);
        src.push('\n');
        // a = softmax(W⋅x); J = diag(a) − a⋅aᵀ (symmetric); g = J⋅(−y/a)⋅xᵀ.
        let z: Vec<f64> = w
            .iter()
            .map(|r| r.iter().zip(&x).map(|(a, b)| a * b).sum())
            .collect();
        let m = z.iter().cloned().fold(f64::MIN, f64::max);
        let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
        let a: Vec<f64> = e.iter().map(|v| v / e.iter().sum::<f64>()).collect();
        let u: Vec<f64> = (0..3).map(|j| -y[j] / a[j]).collect();
        for i in 0..3 {
            let ju: f64 = (0..3)
                .map(|j| a[i] * (f64::from(u8::from(i == j)) - a[j]) * u[j])
                .sum();
            for k in 0..3 {
                w[i][k] -= 0.1 * ju * x[k];
            }
        }
    }
    let out = run_in(&mut s, &src);
    assert!(!out.contains("error"), "{out}");
    let want: Vec<f64> = w.iter().flatten().copied().collect();
    assert_close(
        "W after 40 steps",
        &numbers(&mut s, "W"),
        &want,
        1e-12,
        1e-14,
    );
}

/// A scalar iteration written out over floats: 60 steps (each term of a
/// step refers to the last `w` three times) agree with plain f64, and
/// `size`, which counts the tree written out, says it is too large to count
/// rather than printing a saturated number.
#[test]
fn a_scalar_iteration_written_out_stays_quick_and_exact() {
    let mut w = 0.5f64;
    let mut src = String::from("w = 0.5\n");
    for _ in 0..60 {
        w -= 0.01 * ((0.1 * w).exp() - 2.0 * w + (1.0 + w * w).ln());
        src.push_str("w = w - 0.01*(exp(0.1*w) - 2*w + log(1 + w^2))\n");
    }
    let mut s = support::session("");
    let out = run_in(&mut s, &src);
    assert!(!out.contains("error"), "{out}");
    assert_close("w after 60 steps", &numbers(&mut s, "w"), &[w], 1e-12, 0.0);
    let size = run_in(&mut s, "size(w)");
    assert!(
        size.contains("error: size counts the expression written out as a tree"),
        "{size}"
    );
}
