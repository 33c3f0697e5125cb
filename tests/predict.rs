//! Prediction, batches and data in and out: `argmax`/`argmin`/`max`/`min`,
//! comparisons, `accuracy`, index vectors, `reshape`, `permutation`,
//! `batches`, `sgd(…, shuffle = false, show = …)`, Ctrl-C during training,
//! `save`, `.npz` and gzip files, and the digits data set.
//!
//! Oracles: values worked out by hand or by loops written here, seed 003's
//! printed prediction, and NumPy (python3, as CI installs it) for the files
//! and the training runs.

mod support;

use expect_test::expect;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use support::{assert_close, check, error_line, numbers, run, run_in, session};
use symgrad_lang::Session;

/// A fresh directory for one test's files, under the build's `target/tmp`.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("predict-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs a Python program with NumPy; its standard output.
fn numpy(program: &str) -> String {
    support::python(&format!("import numpy as np, json, gzip\n{program}"))
}

/// The numbers of a JSON list of numbers printed by Python.
fn json_numbers(s: &str) -> Vec<f64> {
    s.trim()
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|x| x.trim().trim_matches(|c| c == '[' || c == ']'))
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.parse()
                .unwrap_or_else(|_| panic!("not a number: {x} in {s}"))
        })
        .collect()
}

const A: &str = "[[3, 7, 1, 7], [9, 2, 1, 0], [9, 5, 4, -1]]";

#[test]
fn argmax_and_max_match_loops_over_the_matrix() {
    // The oracle: loops over A, the first index of the largest (smallest)
    // entry winning, as NumPy's argmax.
    let a = [
        [3.0, 7.0, 1.0, 7.0],
        [9.0, 2.0, 1.0, 0.0],
        [9.0, 5.0, 4.0, -1.0],
    ];
    let first_best = |xs: &[f64], largest: bool| {
        let mut k = 0;
        for (i, &x) in xs.iter().enumerate() {
            if (largest && x > xs[k]) || (!largest && x < xs[k]) {
                k = i;
            }
        }
        k
    };
    let columns: Vec<Vec<f64>> = (0..4).map(|j| a.iter().map(|r| r[j]).collect()).collect();
    let flat: Vec<f64> = a.iter().flatten().copied().collect();
    let mut s = session(&format!("A = {A}"));
    for largest in [true, false] {
        let (arg, val) = if largest {
            ("argmax", "max")
        } else {
            ("argmin", "min")
        };
        let down: Vec<f64> = columns
            .iter()
            .map(|c| first_best(c, largest) as f64)
            .collect();
        let along: Vec<f64> = a.iter().map(|r| first_best(r, largest) as f64).collect();
        assert_eq!(numbers(&mut s, &format!("{arg}(A, 1)")), down);
        assert_eq!(numbers(&mut s, &format!("{arg}(A, 2)")), along);
        assert_eq!(
            numbers(&mut s, &format!("{arg}(A)")),
            [first_best(&flat, largest) as f64]
        );
        let down_v: Vec<f64> = columns.iter().map(|c| c[first_best(c, largest)]).collect();
        let along_v: Vec<f64> = a.iter().map(|r| r[first_best(r, largest)]).collect();
        assert_eq!(numbers(&mut s, &format!("{val}(A, 1)")), down_v);
        assert_eq!(numbers(&mut s, &format!("{val}(A, 2)")), along_v);
        assert_eq!(
            numbers(&mut s, &format!("{val}(A)")),
            [flat[first_best(&flat, largest)]]
        );
    }
    // Shapes: dim 1 a row, dim 2 a column, none a number.
    check(
        &format!("A = {A}\nshape(argmax(A, 1))\nshape(argmin(A, 2))\nshape(max(A))"),
        expect![[r#"
            [1  4]
            [3  1]
            [1  1]"#]],
    );
    // Exact input stays exact.
    check("max([1/3, 1/2, 1/4])", expect!["1\n─\n2"]);
}

#[test]
fn max_and_min_of_two_numbers_pick_one_of_them() {
    // Reducing a number along a dimension would give it back unchanged, so
    // `min(3, 2)` was 3; of two numbers it is the smaller, as in Python.
    let mut s = session("");
    for (a, b) in [(3.0_f64, 2.0), (2.0, 3.0), (-1.5, 0.25), (7.0, 7.0)] {
        assert_eq!(numbers(&mut s, &format!("max({a}, {b})")), [a.max(b)]);
        assert_eq!(numbers(&mut s, &format!("min({a}, {b})")), [a.min(b)]);
    }
    check("min(3, 2)\nmax(1/3, 1/4)", expect!["2\n1\n─\n3"]);
    check(
        "min(3, [1, 2])",
        expect![[r#"
            error: min(a, b) of a number a compares it with a number b, but b is 2×1
              --> <test>:1:8
              |
            1 | min(3, [1, 2])
              |        ^^^^^^
              |
              = hint: min(A, dim) reduces a matrix A down columns (1) or along rows (2)
        "#]],
    );
    check(
        "max(x, 0)",
        expect![[r#"
            error: max works on numbers and has no derivative, but its argument contains the
                   symbol x
              --> <test>:1:5
              |
            1 | max(x, 0)
              |     ^
              |
              = hint: put numbers in first with eval(e, W = …); max cannot be part of a loss
                      to differentiate
        "#]],
    );
}

#[test]
fn seed_003_prediction_cell() {
    // Seed 003: A2 = the softmax output of its network (columns are samples);
    // `P = np.argmax(A2, axis=0)` prints [0 2 2].
    check(
        "A2 = [[0.4, 0.2, 0.1], [0.35, 0.3, 0.2], [0.25, 0.5, 0.7]]\nargmax(A2, 1)",
        expect!["[0  2  2]"],
    );
    // And through eval of a symbolic network, as the issue spells it.
    check(
        "symbol W[3, 2]\nX = [[1, 0, 1], [0, 1, 1]]\nA2 = softmax(W * X)\n\
         argmax(eval(A2, W = [[2, 0], [0, 1], [1, 3]]), 1)",
        // Scores W⋅X: column 0 (2, 0, 1), column 1 (0, 1, 3), column 2 (2, 1, 4).
        expect!["[0  2  2]"],
    );
}

#[test]
fn comparisons_give_exact_zeros_and_ones() {
    check(
        "[1, 2, 3] == [1, 0, 3]\n[1, 2, 3] != [1, 0, 3]\n[1, 2, 3] < 2\n[1, 2, 3] <= 2\n\
         [1, 2, 3] > 2\n[1, 2, 3] >= 2",
        expect![[r#"
            ⎡1⎤
            ⎢ ⎥
            ⎢0⎥
            ⎢ ⎥
            ⎣1⎦
            ⎡0⎤
            ⎢ ⎥
            ⎢1⎥
            ⎢ ⎥
            ⎣0⎦
            ⎡1⎤
            ⎢ ⎥
            ⎢0⎥
            ⎢ ⎥
            ⎣0⎦
            ⎡1⎤
            ⎢ ⎥
            ⎢1⎥
            ⎢ ⎥
            ⎣0⎦
            ⎡0⎤
            ⎢ ⎥
            ⎢0⎥
            ⎢ ⎥
            ⎣1⎦
            ⎡0⎤
            ⎢ ⎥
            ⎢1⎥
            ⎢ ⎥
            ⎣1⎦"#]],
    );
    // Below arithmetic: 1 + 1 == 2 is (1 + 1) == 2; exact rationals compare
    // exactly (1/3 is not the float 0.3333333333333333).
    check(
        "1 + 1 == 2\n2 * 3 > 5\n1/3 == 1/3\n1/3 == 0.3333333333333333\n1/3 < 0.3333333333333333 + 1e-17",
        expect![[r#"
            1
            1
            1
            1
            0"#]],
    );
    // Broadcasting as +: a row against a column.
    check(
        "[[1, 2, 3]] >= [2, 3]",
        expect![[r#"
            ⎡0  1  1⎤
            ⎢       ⎥
            ⎣0  0  1⎦"#]],
    );
}

#[test]
fn prediction_is_not_differentiable_and_says_so() {
    check(
        "symbol W[2, 2]\ngrad(sum(argmax(W, 1)), W)",
        expect![[r#"
            error: argmax works on numbers and has no derivative, but its argument contains
                   the symbol W
              --> <test>:2:17
              |
            2 | grad(sum(argmax(W, 1)), W)
              |                 ^
              |
              = hint: put numbers in first with eval(e, W = …); argmax cannot be part of a
                      loss to differentiate
        "#]],
    );
    check(
        "symbol w\ndiff(w > 0, w)",
        expect![[r#"
            error: the comparison > works on numbers and has no derivative, but its argument
                   contains the symbol w
              --> <test>:2:8
              |
            2 | diff(w > 0, w)
              |        ^
              |
              = hint: put numbers in first with eval(e, W = …); the comparison > cannot be
                      part of a loss to differentiate
        "#]],
    );
    check(
        "[1, 2] == [1, 2, 3]",
        expect![[r#"
            error: shape mismatch in the comparison ==: 2×1 and 3×1
              --> <test>:1:8
              |
            1 | [1, 2] == [1, 2, 3]
              |        ^^
        "#]],
    );
}

#[test]
fn accuracy_counts_the_columns_whose_argmax_is_the_label() {
    // Labels 0, 2, 1, 1; the scores' argmax per column 0, 2, 2, 1: 3 of 4.
    check(
        "Y = one_hot([0, 2, 1, 1], 3)\n\
         P = [[0.7, 0.1, 0.2, 0.1], [0.2, 0.2, 0.3, 0.6], [0.1, 0.7, 0.5, 0.3]]\n\
         accuracy(Y, P)",
        expect!["0.75"],
    );
}

#[test]
fn index_vectors_pick_rows_and_columns_in_their_order() {
    let x = [
        [1.0, 2.0, 3.0, 4.0],
        [5.0, 6.0, 7.0, 8.0],
        [9.0, 10.0, 11.0, 12.0],
    ];
    let cols = [3usize, 0, 3];
    let rows = [2usize, 0];
    let mut s = session("X = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]");
    let want: Vec<f64> = (0..3)
        .flat_map(|i| cols.iter().map(move |&j| x[i][j]))
        .collect();
    assert_eq!(numbers(&mut s, "X[:, [3, 0, -1]]"), want);
    let want: Vec<f64> = rows
        .iter()
        .flat_map(|&i| cols.iter().map(move |&j| x[i][j]))
        .collect();
    assert_eq!(numbers(&mut s, "X[[2, 0], [3, 0, 3]]"), want);
    assert_eq!(numbers(&mut s, "X[[2, 0], 1:3]"), [10.0, 11.0, 2.0, 3.0]);
    assert_eq!(numbers(&mut s, "[5, 6, 7][[2, 2, 0]]"), [7.0, 7.0, 5.0]);
    // A symbol's columns, picked symbolically.
    check(
        ":set output text\nsymbol W[2, 3]\nW[:, [2, 0]]\nsum(W[:, [2, 0]], 1)",
        expect![[r#"
            hstack(W[:, 2], W[:, 0])
            sum(hstack(W[:, 2], W[:, 0]), 1)"#]],
    );
    check(
        "X = ones(2, 3)\nX[:, [0, 3]]",
        expect![[r#"
            error: index 3 is out of range 0..3
              --> <test>:2:6
              |
            2 | X[:, [0, 3]]
              |      ^^^^^^
        "#]],
    );
}

#[test]
fn reshape_reads_row_by_row_as_numpy() {
    // np.arange(6).reshape(2, 3).reshape(3, 2) is [[0, 1], [2, 3], [4, 5]].
    check(
        ":set output text\nreshape([[0, 1, 2], [3, 4, 5]], 3, 2)\nreshape([0, 1, 2, 3], 1, 4)\n\
         symbol W[2, 2]\nreshape(W, 1, 4)\nreshape(W, 3, 1)",
        expect![[r#"
            [[0, 1], [2, 3], [4, 5]]
            [[0, 1, 2, 3]]
            [[W[0, 0], W[0, 1], W[1, 0], W[1, 1]]]
            error: cannot reshape a 2×2 matrix (4 entries) to 3×1 (3 entries)
              --> <test>:6:1
              |
            6 | reshape(W, 3, 1)
              | ^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn reshape_of_large_matrices() {
    // Numbers reshape at any size; a symbolic matrix only up to 10 000 entries.
    let mut s = session("A = reshape(randint(0, 9, 300, 200), 200, 300)");
    assert_eq!(numbers(&mut s, "shape(A)"), [200.0, 300.0]);
    let out = run("symbol B[200, 100]\nreshape(B, 100, 200)");
    assert!(
        error_line(&out).starts_with("error: reshape of a symbolic matrix builds it entry by entry: at most 10000 entries, not 20000"),
        "{out}"
    );
}

#[test]
fn permutation_and_batches_are_the_order_sgd_uses() {
    let mut s = session("");
    let p = numbers(&mut s, "permutation(11)");
    let mut sorted = p.clone();
    sorted.sort_by(f64::total_cmp);
    assert_eq!(sorted, (0..11).map(f64::from).collect::<Vec<_>>());
    // The same seed gives the same order to permutation, batches and sgd.
    let mut s = Session::new();
    run_in(&mut s, "seed(5)");
    let perm = numbers(&mut s, "permutation(7)");
    let batches = run_in(&mut s, "seed(5); batches(7, 3)");
    let order: Vec<String> = perm.iter().map(|k| k.to_string()).collect();
    assert_eq!(
        batches,
        format!(
            "batch 1: [{}]\nbatch 2: [{}]\nbatch 3: [{}]",
            order[0..3].join(" "),
            order[3..6].join(" "),
            order[6..7].join(" ")
        )
    );
    let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    s.set_progress(Box::new(move |l| sink.lock().unwrap().push(l.to_string())));
    run_in(
        &mut s,
        "X = ones(1, 7)\nY = zeros(1, 7)\nsymbol w\nL(Xb, Yb) = mean((w * Xb - Yb).^2)\n\
         seed(5); sgd(L, w, X, Y, 0.1, 1, 3, every = 1, show = \"batch\")",
    );
    let got: Vec<String> = lines.lock().unwrap().clone();
    assert!(got[0].starts_with(&format!(
        "epoch 1, step 1: batch [{}], loss",
        order[0..3].join(" ")
    )));
    assert!(got[2].starts_with(&format!("epoch 1, step 3: batch [{}], loss", order[6])));
    // One batch of every sample takes them in order (the data read in
    // place), and the shuffle is drawn all the same: the generator goes on
    // alike, in batches and in sgd.
    run_in(&mut s, "seed(5); permutation(7);");
    let after = numbers(&mut s, "permutation(7)");
    let whole = run_in(&mut s, "seed(5); batches(7, 9)");
    assert_eq!(whole, "batch 1: [0 1 2 3 4 5 6]");
    assert_eq!(numbers(&mut s, "permutation(7)"), after);
    lines.lock().unwrap().clear();
    run_in(
        &mut s,
        "seed(5); sgd(L, w, X, Y, 0.1, 1, 7, every = 1, show = \"batch\")",
    );
    let got = lines.lock().unwrap()[0].clone();
    assert!(
        got.starts_with("epoch 1, step 1: batch [0 1 2 3 4 5 6], loss"),
        "{got}"
    );
    assert_eq!(numbers(&mut s, "permutation(7)"), after);
    // A batch of more than 8 shows its first five indices and its last.
    run_in(&mut s, "seed(6)");
    let perm = numbers(&mut s, "permutation(12)");
    let order: Vec<String> = perm.iter().map(|k| k.to_string()).collect();
    lines.lock().unwrap().clear();
    run_in(
        &mut s,
        "X = ones(1, 12)\nY = zeros(1, 12)\n\
         seed(6); sgd(L, w, X, Y, 0.1, 1, 9, every = 1, show = \"batch\")",
    );
    let got = lines.lock().unwrap().clone();
    let want = format!(
        "batch [{} … {}] (9 samples), loss",
        order[..5].join(" "),
        order[8]
    );
    assert!(got[0].contains(&want), "{got:?}");
    let want = format!("batch [{}], loss", order[9..].join(" "));
    assert!(got[1].contains(&want), "{got:?}");
    // More than 20 batches: the first ten and the last; more than 8
    // samples in a batch: the first five and the last.
    run_in(&mut s, "seed(5)");
    let perm: Vec<String> = numbers(&mut s, "permutation(30)")
        .iter()
        .map(|k| k.to_string())
        .collect();
    let mut want: Vec<String> = (0..10)
        .map(|b| format!("batch {}: [{}]", b + 1, perm[b]))
        .collect();
    want.push("⋮ (30 batches in all)".into());
    want.push(format!("batch 30: [{}]", perm[29]));
    assert_eq!(run_in(&mut s, "seed(5); batches(30, 1)"), want.join("\n"));
    let two = format!(
        "batch 1: [{} … {}] (15 samples)\nbatch 2: [{} … {}] (15 samples)",
        perm[..5].join(" "),
        perm[14],
        perm[15..20].join(" "),
        perm[29]
    );
    assert_eq!(run_in(&mut s, "seed(5); batches(30, 15)"), two);
}

/// Progress lines of `src` run in a fresh session.
fn progress(src: &str) -> (Vec<String>, String) {
    let mut s = Session::new();
    let lines = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&lines);
    s.set_progress(Box::new(move |l| sink.lock().unwrap().push(l.to_string())));
    let out = run_in(&mut s, src);
    let got = lines.lock().unwrap().clone();
    (got, out)
}

#[test]
fn progress_shows_the_gradient_norm_and_the_weights() {
    // descend on (w - 1)^2 from 0 with lr 0.25: w = 0, 0.5, 0.75; the
    // gradient 2(w - 1) = -2, -1, -0.5.
    let (lines, _) = progress("descend((w - 1)^2, w, 0.25, 2, every = 1, show = \"w\")");
    assert_eq!(
        lines,
        [
            "step 0: loss 1.0, |grad| 2.0, w [0.0]",
            "step 1: loss 0.25, |grad| 1.0, w [0.5]",
            "step 2: loss 0.0625, |grad| 0.5, w [0.75]",
        ]
    );
    // sgd in order (shuffle = false), batches of one sample: seed 001's
    // loop. L = (v·x - y)², x = (1, 2) then (1, 0), y = 1 then 0, lr 0.1,
    // from v = 0: step 1 grad 2(0 - 1)(1, 2) = (-2, -4), |grad| √20, v
    // becomes (0.2, 0.4); step 2 prediction 0.2, grad 2(0.2)(1, 0) = (0.4, 0).
    let (lines, out) = progress(
        "symbol v[1, 2]\nX = [[1, 1], [2, 0]]\nY = [[1, 0]]\nL(Xb, Yb) = sum((v * Xb - Yb).^2)\n\
         sgd(L, v, X, Y, 0.1, 1, 1, every = 1, shuffle = false, show = \"grad w\")",
    );
    assert_eq!(
        lines,
        [
            "epoch 1, step 1: loss 1.0, |grad| 4.47214, w [0.0 0.0]",
            "epoch 1, step 2: loss 0.04, |grad| 0.4, w [0.2 0.4]",
        ]
    );
    assert_eq!(out, "[0.16  0.4]");
    // Per-epoch lines: the mean loss (1 + 0.04)/2, the last batch's |grad|,
    // the weights after the epoch.
    let (lines, _) = progress(
        "symbol v[1, 2]\nX = [[1, 1], [2, 0]]\nY = [[1, 0]]\nL(Xb, Yb) = sum((v * Xb - Yb).^2)\n\
         sgd(L, v, X, Y, 0.1, 1, 1, shuffle = false, show = \"grad w\")",
    );
    assert_eq!(
        lines,
        ["epoch 1: mean loss 0.52, last |grad| 0.4, w [0.16 0.4]"]
    );
    check(
        "symbol W[3, 4]\ndescend(sum(W.^2), W, 0.1, 3, show = \"w\")",
        expect![[r#"
            error: show = "w" prints W on every line, which needs at most 10 entries; this
                   one has 12
              --> <test>:2:20
              |
            2 | descend(sum(W.^2), W, 0.1, 3, show = "w")
              |                    ^
        "#]],
    );
    check(
        "descend(w^2, w, 0.1, 3, show = \"batch\")",
        expect![[r#"
            error: show cannot show 'batch'; descend shows grad, w
              --> <test>:1:32
              |
            1 | descend(w^2, w, 0.1, 3, show = "batch")
              |                                ^^^^^^^
        "#]],
    );
}

#[test]
fn sgd_in_order_matches_a_numpy_loop() {
    // Softmax regression, mini-batches of 2 taken in order, 3 epochs.
    let setup = "X = [[1, 2, 0, 1, 3], [0, 1, 1, 2, 0], [1, 1, 1, 1, 1]]\n\
                 Y = one_hot([0, 1, 1, 0, 0], 2)\nsymbol W[2, 3]\n\
                 L(Xb, Yb) = softmax_cce(Yb, W * Xb)\n\
                 W1 = sgd(L, W, X, Y, 0.5, 3, 2, 0.1 * [[1, -1, 0], [0, 1, 1]], shuffle = false)";
    let mut s = session(setup);
    let got = numbers(&mut s, "W1");
    let want = json_numbers(&numpy(
        "X = np.array([[1, 2, 0, 1, 3], [0, 1, 1, 2, 0], [1, 1, 1, 1, 1]], float)\n\
         Y = np.eye(2)[:, [0, 1, 1, 0, 0]]\n\
         W = 0.1 * np.array([[1, -1, 0], [0, 1, 1]], float)\n\
         for epoch in range(3):\n\
         \x20   for start in range(0, 5, 2):\n\
         \x20       Xb, Yb = X[:, start:start + 2], Y[:, start:start + 2]\n\
         \x20       Z = W @ Xb\n\
         \x20       P = np.exp(Z - Z.max(axis=0)); P /= P.sum(axis=0)\n\
         \x20       W = W - 0.5 * (P - Yb) @ Xb.T / Xb.shape[1]\n\
         print(json.dumps(W.reshape(-1).tolist()))",
    ));
    assert_close("W after sgd", &got, &want, 1e-12, 1e-14);
}

#[test]
fn ctrl_c_keeps_the_weights_reached() {
    // The flag is set while epoch 2 reports (as Ctrl-C would): the run stops
    // before epoch 3, W1 is bound to the weights after 2 epochs, which a run
    // of 2 epochs from the same seed reproduces.
    let setup = "X = [[1, 2, 0, 1, 3, 2], [1, 1, 1, 1, 1, 1]]\nY = [[1, 2, 0, 1, 3, 1]]\n\
                 symbol v[1, 2]\nL(Xb, Yb) = mean((v * Xb - Yb).^2)\n";
    let mut s = Session::new();
    let flag = Arc::new(AtomicBool::new(false));
    s.set_interrupt(Arc::clone(&flag));
    let setter = Arc::clone(&flag);
    s.set_progress(Box::new(move |l| {
        if l.starts_with("epoch 2") {
            setter.store(true, Ordering::Relaxed);
        }
    }));
    let out = run_in(
        &mut s,
        &format!("{setup}seed(3)\nW1 = sgd(L, v, X, Y, 0.05, 50, 2)\n"),
    );
    expect![[r#"
        error: interrupted in epoch 3 of 50, after step 6: W1 holds the weights reached
          --> <test>:6:1
          |
        6 | W1 = sgd(L, v, X, Y, 0.05, 50, 2)
          | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
    "#]]
    .assert_eq(&out);
    let reached = numbers(&mut s, "W1");
    let mut fresh = session(&format!("{setup}seed(3)\nW2 = sgd(L, v, X, Y, 0.05, 2, 2)"));
    assert_eq!(reached, numbers(&mut fresh, "W2"));
    assert_eq!(numbers(&mut s, "last_losses()").len(), 2);
    // The session goes on: the flag was cleared.
    assert_eq!(run_in(&mut s, "1 + 1"), "2");

    // descend: stopped while step 3 reports, before step 4's point.
    let mut s = Session::new();
    let flag = Arc::new(AtomicBool::new(false));
    s.set_interrupt(Arc::clone(&flag));
    let setter = Arc::clone(&flag);
    s.set_progress(Box::new(move |l| {
        if l.starts_with("step 3") {
            setter.store(true, Ordering::Relaxed);
        }
    }));
    let out = run_in(&mut s, "w1 = descend((w - 1)^2, w, 0.25, 100, every = 1)");
    assert!(
        out.starts_with("error: interrupted at step 4 of 100: w1 holds the weights reached"),
        "{out}"
    );
    // w_k = 1 - 0.5^k: 0.9375 after 4 steps.
    assert_eq!(numbers(&mut s, "w1"), [0.9375]);
}

#[test]
fn save_writes_files_numpy_reads() {
    let dir = scratch("save");
    let d = dir.display();
    let out = run(&format!(
        "save(\"{d}/a.npy\", [[1, 2, 3], [4, 5, -6]])\n\
         save(\"{d}/b.npy\", [[0.5, 1e-300], [1/3, -2]])\n\
         save(\"{d}/c.csv\", [[0.1, 2], [3, 1/3]])\n\
         save(\"{d}/d.npy.gz\", [1.5, 2.5])\n\
         save(\"{d}/e.csv.gz\", [[1, 2], [3, 4]])"
    ));
    assert_eq!(out.lines().count(), 5, "{out}");
    assert!(out.starts_with(&format!("wrote {d}/a.npy")));
    let got = numpy(&format!(
        "d = {d:?}\n\
         a = np.load(d + '/a.npy'); b = np.load(d + '/b.npy')\n\
         c = np.loadtxt(d + '/c.csv', delimiter=',')\n\
         g = np.load(gzip.open(d + '/d.npy.gz'))\n\
         e = np.loadtxt(gzip.open(d + '/e.csv.gz'), delimiter=',')\n\
         print(json.dumps([str(a.dtype), a.shape, str(b.dtype), g.shape]))\n\
         print(json.dumps(a.reshape(-1).tolist() + b.reshape(-1).tolist() + c.reshape(-1).tolist() + g.reshape(-1).tolist() + e.reshape(-1).tolist()))"
    ));
    let mut lines = got.lines();
    assert_eq!(
        lines.next().unwrap(),
        r#"["int64", [2, 3], "float64", [2, 1]]"#
    );
    let values = json_numbers(lines.next().unwrap());
    let third = 1.0 / 3.0;
    let want = [
        1.0, 2.0, 3.0, 4.0, 5.0, -6.0, 0.5, 1e-300, third, -2.0, 0.1, 2.0, 3.0, third, 1.5, 2.5,
        1.0, 2.0, 3.0, 4.0,
    ];
    assert_eq!(values, want);
    // And symgrad reads its own files back.
    let mut s = session("");
    assert_eq!(
        numbers(&mut s, &format!("load(\"{d}/b.npy\")")),
        [0.5, 1e-300, third, -2.0]
    );
    assert_eq!(
        numbers(&mut s, &format!("load(\"{d}/e.csv.gz\")")),
        [1.0, 2.0, 3.0, 4.0]
    );
    let out = run(&format!("symbol W[2, 2]\nsave(\"{d}/w.npy\", W)"));
    assert!(
        error_line(&out).starts_with("error: save works on numbers and has no derivative, but its argument contains the symbol W"),
        "{out}"
    );
}

#[test]
fn npz_and_gzip_files_from_numpy_load() {
    let dir = scratch("npz");
    let d = dir.display();
    numpy(&format!(
        "d = {d:?}\n\
         np.savez(d + '/s.npz', X=np.arange(6.0).reshape(2, 3) / 4, y=np.array([1, 0, 2]))\n\
         np.savez_compressed(d + '/c.npz', W=np.array([[1.5, -2.0]]))\n\
         f = gzip.open(d + '/m.npy.gz', 'wb'); np.save(f, np.array([[0.25, 0.5], [1, 2]], order='F')); f.close()\n\
         f = gzip.open(d + '/t.csv.gz', 'wt'); f.write('a,b\\n1,2.5\\n3,4\\n'); f.close()"
    ));
    let mut s = session("");
    assert_eq!(
        numbers(&mut s, &format!("load(\"{d}/s.npz\", \"X\")")),
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]
    );
    assert_eq!(
        numbers(&mut s, &format!("load(\"{d}/s.npz\", \"y\")")),
        [1.0, 0.0, 2.0]
    );
    assert_eq!(
        numbers(&mut s, &format!("load(\"{d}/c.npz\", \"W\")")),
        [1.5, -2.0]
    );
    assert_eq!(
        numbers(&mut s, &format!("load(\"{d}/m.npy.gz\")")),
        [0.25, 0.5, 1.0, 2.0]
    );
    assert_eq!(
        numbers(&mut s, &format!("load(\"{d}/t.csv.gz\")")),
        [1.0, 2.5, 3.0, 4.0]
    );
    let first = |src: String| error_line(&run(&src)).replace(&d.to_string(), "$");
    assert_eq!(
        first(format!("load(\"{d}/s.npz\", \"Z\")")),
        "error: $/s.npz has no array \"Z\"; it holds: X, y"
    );
    assert_eq!(
        first(format!("load(\"{d}/s.npz\")")),
        "error: $/s.npz is an archive of arrays: name one, as in load(\"$/s.npz\", \"X\")"
    );
    assert_eq!(
        first(format!("load(\"{d}/t.csv.gz\", \"X\")")),
        "error: only a .npz archive holds named arrays; $/t.csv.gz is one matrix (drop \"X\")"
    );
}

/// The repository's root (the digits data set is under examples/data).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn digits_softmax_regression_reaches_95_percent_held_out() {
    // The first half of examples/digits.sg, then the weights and the test
    // set saved and scored by NumPy: accuracy and confusion matrix by loops.
    let dir = scratch("digits");
    let d = dir.display();
    let data = root().join("examples/data/digits.csv.gz");
    let mut s = session(&format!(
        "D = load(\"{}\")\nX = vstack(eval(D[:, 0:64]' / 16), ones(1, 1797))\n\
         Y = one_hot(D[:, 64], 10)\nseed(0)\norder = permutation(1797)\n\
         Xtr = X[:, order[0:1347]]; Ytr = Y[:, order[0:1347]]\n\
         Xte = X[:, order[1347:1797]]; Yte = Y[:, order[1347:1797]]\n\
         symbol W[10, 65]\nL(Xb, Yb) = softmax_cce(Yb, W * Xb)\n\
         W1 = sgd(L, W, Xtr, Ytr, 0.5, 20, 32)\n\
         save(\"{d}/W1.npy\", W1); save(\"{d}/Xte.npy\", Xte); save(\"{d}/Yte.npy\", Yte)\n\
         save(\"{d}/order.npy\", order)",
        data.display()
    ));
    let accuracy = numbers(&mut s, "accuracy(Yte, W1 * Xte)")[0];
    let confusion = numbers(&mut s, "Yte * one_hot(argmax(W1 * Xte, 1), 10)'");
    let oracle = numpy(&format!(
        "d = {d:?}\n\
         W = np.load(d + '/W1.npy'); X = np.load(d + '/Xte.npy'); Y = np.load(d + '/Yte.npy')\n\
         raw = np.loadtxt(gzip.open({data:?}), delimiter=',')\n\
         order = np.load(d + '/order.npy').reshape(-1)\n\
         assert sorted(order.tolist()) == list(range(1797))\n\
         assert np.array_equal(X[:64], raw[order[1347:], :64].T / 16)\n\
         S = W @ X\n\
         C = np.zeros((10, 10))\n\
         right = 0\n\
         for j in range(S.shape[1]):\n\
         \x20   t = int(np.argmax(Y[:, j])); p = int(np.argmax(S[:, j]))\n\
         \x20   assert t == int(raw[order[1347 + j], 64])\n\
         \x20   C[t, p] += 1; right += t == p\n\
         print(json.dumps([right / S.shape[1]] + C.reshape(-1).tolist()))",
        data = data.display().to_string()
    ));
    let oracle = json_numbers(&oracle);
    assert_eq!(accuracy, oracle[0]);
    assert_eq!(confusion, oracle[1..]);
    assert!(accuracy >= 0.95, "held-out accuracy {accuracy}");
}
