//! `eval` keeps the compiled programs of recent calls and reuses them: the
//! values of repeated calls (at the same and at other points, with other
//! threads, after data is rebound, after `:reset`) are checked against a
//! softmax regression written out by hand below, independently of symgrad.
//! `sgd` gathers its batches from the data where the pool keeps it: checked
//! against hand-written descent on data drawn by `randn`.

use symgrad_lang::Session;

mod support;
use support::{assert_close, matrix_literal, numbers, run_in, session};

/// Features, classes and samples of the test data.
const F: usize = 3;
const K: usize = 2;
const N: usize = 5;

/// Deterministic data: X (F×N), one-hot Y (K×N) and a point W (K×F), row-major.
fn data(seed: f64, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let x = (0..F * n)
        .map(|k| ((k as f64 + 1.0) * 0.37 * seed).sin())
        .collect();
    let mut y = vec![0.0; K * n];
    for j in 0..n {
        y[((j * 7 + 1) % K) * n + j] = 1.0;
    }
    let w = (0..K * F)
        .map(|k| ((k as f64 + 2.0) * 0.61 * seed).cos() * 0.5)
        .collect();
    (x, y, w)
}

/// Loss `−mean_j log softmax(W⋅x_j)[y_j]` and its gradient by W, by plain loops.
fn oracle(x: &[f64], y: &[f64], w: &[f64], n: usize) -> (f64, Vec<f64>) {
    let mut loss = 0.0;
    let mut grad = [0.0; K * F];
    for j in 0..n {
        let z: Vec<f64> = (0..K)
            .map(|k| (0..F).map(|f| w[k * F + f] * x[f * n + j]).sum())
            .collect();
        let total: f64 = z.iter().map(|t| t.exp()).sum();
        for k in 0..K {
            let p = z[k].exp() / total;
            loss -= y[k * n + j] * p.ln();
            for f in 0..F {
                grad[k * F + f] += (p - y[k * n + j]) * x[f * n + j];
            }
        }
    }
    let n = n as f64;
    (loss / n, grad.iter().map(|g| g / n).collect())
}

/// A matrix literal of the language, `rows`×`data.len() / rows`.
fn literal(data: &[f64], rows: usize) -> String {
    matrix_literal(data, data.len() / rows)
}

/// Binds X, Y (with `n` samples) and W0, and defines the loss and gradient.
fn bind(s: &mut Session, seed: f64, n: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (x, y, w) = data(seed, n);
    let src = format!(
        "X = {}\nY = {}\nW0 = {}\nL = -mean(sum(Y .* log(softmax(W * X)), 1))\nG = grad(L, W)",
        literal(&x, F),
        literal(&y, K),
        literal(&w, K)
    );
    let out = run_in(s, &src);
    assert!(!out.contains("error"), "{out}");
    (x, y, w)
}

#[test]
fn repeated_eval_gives_the_oracle_values_each_time() {
    let mut s = session(&format!("symbol W[{K}, {F}]"));
    let (x, y, w) = bind(&mut s, 1.0, N);
    let (loss, grad) = oracle(&x, &y, &w, N);
    let other: Vec<f64> = w.iter().map(|v| 1.5 - v).collect();
    let (other_loss, other_grad) = oracle(&x, &y, &other, N);
    let at_other = format!("eval(G, W = {})", literal(&other, K));
    // Alternating points: the same programs, run at other values.
    for _ in 0..3 {
        assert_close(
            "G",
            &numbers(&mut s, "eval(G, W = W0)"),
            &grad,
            1e-13,
            1e-15,
        );
        assert_close(
            "L",
            &numbers(&mut s, "eval(L, W = W0)"),
            &[loss],
            1e-13,
            0.0,
        );
        assert_close("G'", &numbers(&mut s, &at_other), &other_grad, 1e-13, 1e-15);
        let l = numbers(&mut s, &format!("eval(L, W = {})", literal(&other, K)));
        assert_close("L'", &l, &[other_loss], 1e-13, 0.0);
    }
    // Two threads, then one again: same values.
    assert_eq!(run_in(&mut s, ":set threads 2"), "");
    assert_close(
        "G",
        &numbers(&mut s, "eval(G, W = W0)"),
        &grad,
        1e-13,
        1e-15,
    );
    assert_eq!(run_in(&mut s, ":set threads 1"), "");
    assert_close(
        "G",
        &numbers(&mut s, "eval(G, W = W0)"),
        &grad,
        1e-13,
        1e-15,
    );
}

#[test]
fn rebinding_the_data_gives_the_new_values() {
    let mut s = session(&format!("symbol W[{K}, {F}]"));
    bind(&mut s, 1.0, N);
    numbers(&mut s, "eval(G, W = W0)");
    // Other values, then another number of samples, under the same names.
    for (seed, n) in [(2.0, N), (3.0, N + 2)] {
        let (x, y, w) = bind(&mut s, seed, n);
        let (loss, grad) = oracle(&x, &y, &w, n);
        assert_close(
            "G",
            &numbers(&mut s, "eval(G, W = W0)"),
            &grad,
            1e-13,
            1e-15,
        );
        assert_close(
            "L",
            &numbers(&mut s, "eval(L, W = W0)"),
            &[loss],
            1e-13,
            0.0,
        );
    }
}

#[test]
fn a_symbol_redeclared_with_another_shape_is_another_program() {
    let mut s = session("symbol a\nsymbol W[1, 2]\nf = sum(W .* W) + a");
    assert_close(
        "f",
        &numbers(&mut s, "eval(f, W = [[1, 2]], a = 1)"),
        &[6.0],
        0.0,
        0.0,
    );
    run_in(&mut s, "symbol W[1, 3]\nf = sum(W .* W) + a");
    let v = numbers(&mut s, "eval(f, W = [[1, 2, 3]], a = 1)");
    assert_close("f", &v, &[15.0], 0.0, 0.0);
    // A value of the old shape is refused.
    let out = run_in(&mut s, "eval(f, a = 1, W = [[1, 2]])");
    assert!(out.contains("error"), "a 1×2 value for a 1×3 W: {out}");
}

#[test]
fn reset_forgets_the_programs_with_the_pool() {
    let mut s = session(&format!("symbol W[{K}, {F}]"));
    bind(&mut s, 1.0, N);
    numbers(&mut s, "eval(G, W = W0)");
    // After :reset the same names are rebuilt in a new pool, where the old
    // ids may name other expressions.
    run_in(
        &mut s,
        &format!(":reset\n:set digits 17\nsymbol W[{K}, {F}]"),
    );
    let (x, y, w) = bind(&mut s, 4.0, N + 1);
    let (_, grad) = oracle(&x, &y, &w, N + 1);
    assert_close(
        "G",
        &numbers(&mut s, "eval(G, W = W0)"),
        &grad,
        1e-13,
        1e-15,
    );
}

#[test]
fn unbound_symbols_are_still_reported_after_a_cached_call() {
    let mut s = session("symbol a\nsymbol b\nf = a + b");
    assert_close(
        "f",
        &numbers(&mut s, "eval(f, a = 1, b = 2)"),
        &[3.0],
        0.0,
        0.0,
    );
    let out = run_in(&mut s, "eval(f, a = 1)");
    assert!(out.contains("unbound: b"), "{out}");
}

/// Random float data in the pool (`randn`), read back as numbers.
fn random_data(s: &mut Session, n: usize) -> (Vec<f64>, Vec<f64>) {
    let out = run_in(
        s,
        &format!("seed(3)\nX = randn({F}, {n})\nlabels = randint(0, {K}, 1, {n})"),
    );
    assert!(!out.contains("error"), "{out}");
    let x = numbers(s, "X");
    let labels = numbers(s, "labels");
    let mut y = vec![0.0; K * n];
    for (j, &c) in labels.iter().enumerate() {
        y[c as usize * n + j] = 1.0;
    }
    let out = run_in(s, &format!("Y = {}", literal(&y, K)));
    assert!(!out.contains("error"), "{out}");
    (x, y)
}

#[test]
fn sgd_batches_pair_the_columns_of_x_and_y() {
    // A loss linear in V, summed over the batch: the gradient of
    // sum((V * Xb) .* Yb[0, :]) is Σ y₀ⱼ⋅xⱼᵀ over the batch's columns, so after
    // e epochs V = −lr⋅e⋅Σⱼ y₀ⱼ⋅xⱼᵀ whatever the order and the batching, if
    // each column of X goes with its own column of Y, once per epoch.
    let n = 11;
    let mut s = session(&format!("symbol V[1, {F}]"));
    let (x, y) = random_data(&mut s, n);
    assert_eq!(run_in(&mut s, "S(Xb, Yb) = sum((V * Xb) .* Yb[0, :])"), "");
    let (lr, epochs) = (0.1, 3);
    let want: Vec<f64> = (0..F)
        .map(|f| -lr * epochs as f64 * (0..n).map(|j| y[j] * x[f * n + j]).sum::<f64>())
        .collect();
    for batch in [1, 4, n] {
        let v = numbers(&mut s, &format!("sgd(S, V, X, Y, {lr}, {epochs}, {batch})"));
        assert_close(&format!("V, batch {batch}"), &v, &want, 1e-12, 1e-14);
    }
}

#[test]
fn full_batch_sgd_on_random_data_is_hand_descent() {
    let n = 9;
    let mut s = session(&format!("symbol W[{K}, {F}]"));
    let (x, y) = random_data(&mut s, n);
    assert_eq!(
        run_in(
            &mut s,
            "Lb(Xb, Yb) = -mean(sum(Yb .* log(softmax(W * Xb)), 1))"
        ),
        ""
    );
    let (lr, epochs) = (0.5, 6);
    let mut w = vec![0.0; K * F];
    for _ in 0..epochs {
        let (_, g) = oracle(&x, &y, &w, n);
        w.iter_mut().zip(&g).for_each(|(w, g)| *w -= lr * g);
    }
    let got = numbers(&mut s, &format!("sgd(Lb, W, X, Y, {lr}, {epochs}, {n})"));
    assert_close("W", &got, &w, 1e-12, 1e-14);
}
