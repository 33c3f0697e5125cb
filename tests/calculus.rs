//! Calculus end to end through `Session::run`: the losses of the seed
//! notebooks, their values and gradients against golden numbers, numeric
//! stability, `seed`, `subs`/`eval` and the printed forms of derivatives.
//!
//! Every golden number below was computed independently with NumPy 2.x
//! (2.4.6), not with symgrad; the NumPy code that gives it is in the comment
//! next to it and can be pasted into `python3` after `import numpy as np`.

use expect_test::expect;

mod support;
use support::{assert_close, check, check_in, numbers, run, run_in, session};

/// Values computed the same way (closed forms in f64) agree to this.
const RTOL: f64 = 1e-9;

// ---------------------------------------------------------------------------
// Seed 000: the binary cross-entropy loss of three images
// ---------------------------------------------------------------------------

/// `examples/bce_three_images.sg`, which is seed notebook 000.
const BCE_000: &str = "
X = [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]
symbol W[1, 5]
z = X * W'
y = [1, 0, 0]
p = 1 / (1 + exp(z))
L = (1/3) * sum(-y .* log(p) - (1 - y) .* log(1 - p))
G = grad(L, W)
";

#[test]
fn bce_loss_and_gradient_of_seed_000() {
    let mut s = session(BCE_000);
    let at = "W = [[0.01, -0.02, 0.03, 0.001, 0.5]]";
    // X = np.array([[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]], float)
    // y = np.array([1, 0, 0], float)
    // z = X @ np.array([0.01, -0.02, 0.03, 0.001, 0.5])
    // p = 1 / (1 + np.exp(z))
    // np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))
    let loss = [0.895939927975348];
    assert_close(
        "L",
        &numbers(&mut s, &format!("eval(L, {at})")),
        &loss,
        RTOL,
        0.0,
    );
    // -log(p) = softplus(z) and -log(1 - p) = softplus(-z), so
    // dL/dz = (sigmoid(z) - (1 - y))/3 and dL/dW = dL/dz @ X:
    // ((1 / (1 + np.exp(-z)) - (1 - y)) / 3) @ X
    // (central differences with h = 1e-6 agree to 1e-9)
    let gradient = [
        0.9970220314969076,
        16.57366801109408,
        21.030545208186513,
        9.1497309085088,
        0.032805021364458495,
    ];
    assert_close(
        "grad(L, W)",
        &numbers(&mut s, &format!("eval(G, {at})")),
        &gradient,
        RTOL,
        0.0,
    );
    // diff by each element agrees with the gradient.
    for (j, g) in gradient.iter().enumerate() {
        assert_close(
            &format!("diff(L, W[0, {j}])"),
            &numbers(&mut s, &format!("eval(diff(L, W[0, {j}]), {at})")),
            &[*g],
            RTOL,
            0.0,
        );
    }
}

#[test]
fn bce_loss_at_large_logits_is_finite() {
    let mut s = session(BCE_000);
    let at = "W = [[10, 10, 10, 10, 0]]";
    // The logits are z = [2960, 1320, 1540]: exp(z) overflows, the loss
    // does not. With z as above and W = [10, 10, 10, 10, 0]:
    // np.mean(y * np.logaddexp(0, z) + (1 - y) * np.logaddexp(0, -z))  # 986.6666666666666 = 2960/3
    assert_close(
        "L",
        &numbers(&mut s, &format!("eval(L, {at})")),
        &[986.6666666666666],
        RTOL,
        0.0,
    );
    // Checked in the language itself: the loss minus 2960/3 is tiny.
    let diff = numbers(&mut s, &format!("eval(L, {at}) - 2960/3"))[0];
    assert!(diff.abs() < 1e-9, "L - 2960/3 = {diff}");
    // ((1 / (1 + np.exp(-z)) - (1 - y)) / 3) @ X  # = X[0]/3
    let gradient = [
        8.666666666666666,
        33.33333333333333,
        30.0,
        26.666666666666664,
        0.3333333333333333,
    ];
    assert_close(
        "grad(L, W)",
        &numbers(&mut s, &format!("eval(G, {at})")),
        &gradient,
        RTOL,
        0.0,
    );
}

// ---------------------------------------------------------------------------
// Seed 004: the softmax loss with a bias over three images
// ---------------------------------------------------------------------------

/// Seed notebook 004 (lines 26–90) with matrix operations: the images are
/// the columns of X, the labels 0, 1, 2 are the columns of Y.
const SOFTMAX_004: &str = "
X = [[26, 37, 12], [100, 58, 30], [90, 120, 46], [80, 96, 54]]
symbol W[3, 4]
symbol b[3]
Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
L = -(1/3)*sum(Y .* log(softmax(W*X + b)))
GW = grad(L, W)
Gb = grad(L, b)
";

/// Fixed weights for seed 004 (the notebook draws random ones).
const AT_004: &str = "W = [[0.01, -0.02, 0.03, -0.01], [0.02, 0.01, -0.01, 0.0], [-0.01, 0.03, 0.0, 0.01]], b = [0.1, -0.2, 0.3]";

#[test]
fn softmax_loss_with_bias_of_seed_004() {
    let mut s = session(SOFTMAX_004);
    // X = np.array([[26, 37, 12], [100, 58, 30], [90, 120, 46], [80, 96, 54]], float)
    // W = np.array([[0.01, -0.02, 0.03, -0.01], [0.02, 0.01, -0.01, 0.0], [-0.01, 0.03, 0.0, 0.01]])
    // b = np.array([[0.1], [-0.2], [0.3]])
    // Y = np.eye(3)
    // Z = W @ X + b
    // A = np.exp(Z - Z.max(0)) / np.exp(Z - Z.max(0)).sum(0)
    // -np.sum(Y * np.log(A)) / 3
    assert_close(
        "L",
        &numbers(&mut s, &format!("eval(L, {AT_004})")),
        &[2.400005054776205],
        RTOL,
        0.0,
    );
    // dZ = (A - Y) / 3
    // dZ @ X.T
    assert_close(
        "grad(L, W)",
        &numbers(&mut s, &format!("eval(GW, {AT_004})")),
        &[
            -3.624928184441779,
            -24.12579861230928,
            -13.101755090502152,
            -11.870921757983234,
            -11.072870991229665,
            -16.308729061549887,
            -35.575427706635026,
            -27.70226126205274,
            14.697799175671445,
            40.434527673859165,
            48.677182797137185,
            39.57318302003598,
        ],
        RTOL,
        0.0,
    );
    // dZ.sum(1)
    assert_close(
        "grad(L, b)",
        &numbers(&mut s, &format!("eval(Gb, {AT_004})")),
        &[
            -0.1470479676235943,
            -0.26966121259462933,
            0.41670918021822356,
        ],
        RTOL,
        0.0,
    );
    assert_close(
        "diff(L, W[2, 1])",
        &numbers(&mut s, &format!("eval(diff(L, W[2, 1]), {AT_004})")),
        &[40.434527673859165],
        RTOL,
        0.0,
    );
}

/// Ten times the identity rows as weights: scores up to 1200.
const AT_004_LARGE: &str = "W = 10*[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], b = [0, 0, 0]";

#[test]
fn softmax_loss_at_large_scores_is_finite() {
    let mut s = session(SOFTMAX_004);
    // W = 10 * np.eye(3, 4); b = np.zeros((3, 1)); Z = W @ X + b
    // lse = Z.max(0) + np.log(np.exp(Z - Z.max(0)).sum(0))
    // np.mean(lse - (Y * Z).sum(0))  # 453.3333333333333 = 1360/3
    assert_close(
        "L",
        &numbers(&mut s, &format!("eval(L, {AT_004_LARGE})")),
        &[453.3333333333333],
        RTOL,
        0.0,
    );
    // dZ = (np.exp(Z - lse) - Y) / 3
    // dZ @ X.T
    assert_close(
        "grad(L, W)",
        &numbers(&mut s, &format!("eval(GW, {AT_004_LARGE})")),
        &[
            -8.666666666666666,
            -33.33333333333333,
            -30.0,
            -26.666666666666664,
            -3.6666666666666665,
            13.999999999999996,
            -9.999999999999998,
            -5.333333333333334,
            12.333333333333332,
            19.333333333333332,
            40.0,
            32.0,
        ],
        RTOL,
        1e-12,
    );
    // dZ.sum(1)  # the middle entry is 1.0858295107358403e-70
    assert_close(
        "grad(L, b)",
        &numbers(&mut s, &format!("eval(Gb, {AT_004_LARGE})")),
        &[
            -0.3333333333333333,
            1.0858295107358403e-70,
            0.3333333333333333,
        ],
        RTOL,
        1e-15,
    );
}

#[test]
fn element_diff_of_the_softmax_loss_at_large_scores_is_finite() {
    let mut s = session(SOFTMAX_004);
    // The (0, 0) entry of dZ @ X.T above.
    assert_close(
        "diff(L, W[0, 0])",
        &numbers(&mut s, &format!("eval(diff(L, W[0, 0]), {AT_004_LARGE})")),
        &[-8.666666666666666],
        RTOL,
        0.0,
    );
}

// ---------------------------------------------------------------------------
// Seed 003: a two-layer tanh/softmax network
// ---------------------------------------------------------------------------

const NET_003: &str = "
X = [[1, 2, 4], [-2, -5, -8]]
Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
symbol W1[2, 2]
symbol b1[2]
symbol W2[3, 2]
symbol b2
A1 = tanh(W1*X + b1)
A2 = softmax(W2*A1 + b2)
L = -(1/3)*sum(Y .* log(A2))
";

/// The parameters of the notebook (b2 is a scalar there).
const AT_003: &str =
    "W1 = [[0.5, 0.5], [0.5, -0.5]], b1 = [0.5, 0.5], W2 = [[-1, 1], [1, -1], [-2, 1]], b2 = -0.1";

#[test]
fn two_layer_network_of_seed_003() {
    let mut s = session(NET_003);
    // X = np.array([[1, 2, 4], [-2, -5, -8]], float); Y = np.eye(3)
    // W1 = np.array([[0.5, 0.5], [0.5, -0.5]]); b1 = np.array([[0.5], [0.5]])
    // W2 = np.array([[-1, 1], [1, -1], [-2, 1]], float); b2 = -0.1
    // A1 = np.tanh(W1 @ X + b1)
    // Z2 = W2 @ A1 + b2
    // A2 = np.exp(Z2) / np.exp(Z2).sum(0, keepdims=True)
    // -np.sum(Y * np.log(A2)) / 3
    assert_close(
        "L",
        &numbers(&mut s, &format!("eval(L, {AT_003})")),
        &[1.9284441759885886],
        RTOL,
        0.0,
    );
    // The notebook's own back-propagation of the softmax is wrong (its
    // dLossdZ2 subtracts A2*A2*sum(...)); the right one is (A2 - Y)/n:
    // dZ2 = (A2 - Y) / 3
    // dZ1 = (W2.T @ dZ2) * (1 - A1**2)
    // dZ1 @ X.T
    assert_close(
        "grad(L, W1)",
        &numbers(&mut s, &format!("eval(grad(L, W1), {AT_003})")),
        &[
            -0.78048284709192,
            1.93288316434736,
            -0.0014216467354133669,
            0.0019576550020921463,
        ],
        RTOL,
        0.0,
    );
    // dZ1.sum(1, keepdims=True)
    assert_close(
        "grad(L, b1)",
        &numbers(&mut s, &format!("eval(grad(L, b1), {AT_003})")),
        &[-0.46371302397150505, -0.002307170627708877],
        RTOL,
        0.0,
    );
    // dZ2 @ A1.T
    assert_close(
        "grad(L, W2)",
        &numbers(&mut s, &format!("eval(grad(L, W2), {AT_003})")),
        &[
            -0.16639413271814063,
            0.02886772584497306,
            0.24958782268100865,
            -0.3061116432091489,
            -0.08319368996286804,
            0.2772439173641759,
        ],
        RTOL,
        0.0,
    );
    // dZ2.sum()  # 5.551115123125783e-17: the columns of A2 and Y both sum to 1
    assert_close(
        "grad(L, b2)",
        &numbers(&mut s, &format!("eval(grad(L, b2), {AT_003})")),
        &[0.0],
        0.0,
        1e-12,
    );
}

// ---------------------------------------------------------------------------
// Numeric stability
// ---------------------------------------------------------------------------

#[test]
fn stable_forms_evaluate_without_overflow() {
    let mut s = session("symbol z\nsymbol v[2]");
    // -np.logaddexp(0, 1000): log(1/(1 + e^1000)) = -softplus(1000)
    let cases: &[(&str, &[f64])] = &[
        ("eval(log(1/(1 + exp(z))), z = 1000)", &[-1000.0]),
        // -np.logaddexp(0, 1000): log(1 - 1/(1 + e^z)) = log(sigmoid(z))
        ("eval(log(1 - 1/(1 + exp(z))), z = -1000)", &[-1000.0]),
        // -np.logaddexp(0, 1000)
        ("eval(log(sigmoid(z)), z = -1000)", &[-1000.0]),
        // np.logaddexp(1000, 1000)
        (
            "eval(logsumexp(v), v = [1000, 1000])",
            &[1000.6931471805599],
        ),
        // v = np.array([1000.0, -1000.0]); v - np.logaddexp.reduce(v)
        ("eval(log(softmax(v)), v = [1000, -1000])", &[0.0, -2000.0]),
        (
            "eval(log(softmax(v, 1)), v = [1000, -1000])",
            &[0.0, -2000.0],
        ),
        // The derivatives: -sigmoid(z), sigmoid(-z), sigmoid(-z) and the softmax.
        // -1 / (1 + np.exp(-1000.0))
        ("eval(diff(log(1/(1 + exp(z))), z), z = 1000)", &[-1.0]),
        // -1 / (1 + np.exp(1000.0))  (overflow warning, value -0.0)
        ("eval(diff(log(1/(1 + exp(z))), z), z = -1000)", &[0.0]),
        // 1 / (1 + np.exp(-1000.0))
        ("eval(diff(log(1 - 1/(1 + exp(z))), z), z = -1000)", &[1.0]),
        ("eval(diff(log(sigmoid(z)), z), z = -1000)", &[1.0]),
        ("eval(diff(log(sigmoid(z)), z), z = 1000)", &[0.0]),
        // np.exp(v - np.logaddexp.reduce(v)) with v = [1000, 1000]
        ("eval(grad(logsumexp(v), v), v = [1000, 1000])", &[0.5, 0.5]),
        // [1, 0] - np.exp(v - np.logaddexp.reduce(v)) with v = [1000, -1000]
        (
            "eval(grad(sum([1, 0] .* log(softmax(v))), v), v = [1000, -1000])",
            &[0.0, 0.0],
        ),
        // [0, 1] - softmax(v)
        (
            "eval(grad(sum([0, 1] .* log(softmax(v))), v), v = [1000, -1000])",
            &[-1.0, 1.0],
        ),
        // d/dz logsumexp([z, 0]) = sigmoid(z): 1 / (1 + np.exp(-1000.0))
        ("eval(diff(logsumexp([z, 0]), z), z = 1000)", &[1.0]),
    ];
    for (expr, want) in cases {
        // Relative 1e-12: grad(logsumexp) is exp(v - logsumexp(v)), which
        // loses a few digits at 1000 (0.5 comes out as 0.50000000000002753).
        assert_close(expr, &numbers(&mut s, expr), want, 1e-12, 1e-300);
    }
}

#[test]
fn stable_forms_of_explicit_vectors() {
    let mut s = session("symbol z");
    // np.logaddexp(1000, 1000)
    assert_close(
        "logsumexp([1000, 1000])",
        &numbers(&mut s, "eval(logsumexp([1000, 1000]))"),
        &[1000.6931471805599],
        1e-12,
        0.0,
    );
    assert_close(
        "logsumexp([z, z])",
        &numbers(&mut s, "eval(logsumexp([z, z]), z = 1000)"),
        &[1000.6931471805599],
        1e-12,
        0.0,
    );
    // v = np.array([1000.0, -1000.0]); v - np.logaddexp.reduce(v)
    assert_close(
        "log(softmax([1000, -1000]))",
        &numbers(&mut s, "eval(log(softmax([1000, -1000])))"),
        &[0.0, -2000.0],
        1e-12,
        0.0,
    );
    assert_close(
        "log(softmax([z, -z]))",
        &numbers(&mut s, "eval(log(softmax([z, -z])), z = 1000)"),
        &[0.0, -2000.0],
        1e-12,
        0.0,
    );
    // d/dz of [z, -z] - logsumexp: [1, -1] - 2*softmax([z, -z])[0] = [0, -2]
    assert_close(
        "diff(log(softmax([z, -z])), z)",
        &numbers(&mut s, "eval(diff(log(softmax([z, -z])), z), z = 1000)"),
        &[0.0, -2.0],
        1e-12,
        0.0,
    );
}

#[test]
fn element_diff_of_logsumexp_and_softmax_is_stable() {
    let mut s = session("symbol v[2]");
    // 1 / (1 + np.exp(-2000.0)): the softmax of [1000, -1000] at 0
    assert_close(
        "diff(logsumexp(v), v[0, 0])",
        &numbers(
            &mut s,
            "eval(diff(logsumexp(v), v[0, 0]), v = [1000, -1000])",
        ),
        &[1.0],
        1e-12,
        0.0,
    );
    // d/dv0 of sum(v - logsumexp(v)) = 1 - 2*softmax(v)[0]
    assert_close(
        "diff(sum(log(softmax(v))), v[0, 0])",
        &numbers(
            &mut s,
            "eval(diff(sum(log(softmax(v))), v[0, 0]), v = [1000, -1000])",
        ),
        &[-1.0],
        1e-12,
        0.0,
    );
}

#[test]
fn eval_binds_an_undeclared_scalar_symbol() {
    // LANGUAGE.md: "an unbound name is a scalar symbol".
    let mut s = session("");
    assert_close(
        "undeclared z",
        &numbers(&mut s, "eval(log(1/(1 + exp(z))), z = 1000)"),
        &[-1000.0],
        1e-12,
        0.0,
    );
    check("subs(x + 1, x = 2)", expect!["3"]);
}

// ---------------------------------------------------------------------------
// seed, subs and eval
// ---------------------------------------------------------------------------

#[test]
fn seed_makes_randn_reproducible() {
    check(
        ":set output text\nseed(3); a = randn(2, 2); seed(3); b = randn(2, 2); eval(a - b)",
        expect!["[[0.0, 0.0], [0.0, 0.0]]"],
    );
    let mut s = session("seed(3); a = randn(2, 2); b = randn(2, 2)");
    let diff = numbers(&mut s, "eval(a - b)");
    assert!(diff.iter().any(|&x| x != 0.0), "the stream moves on");
}

/// `subs` reaches a matrix symbol wherever it occurs; afterwards `eval` with
/// no bindings succeeds, which it would not with a symbol left.
#[test]
fn subs_reaches_transposes_elements_and_slices() {
    let setup = "symbol W[2, 3]\nM = [[1, 2, 3], [4, 5, 6]]\n:set output text\n";
    let cases = [
        ("W' * [1, 2]", "[9, 12, 15]"),
        ("W[0, 1] * W[1, 2]", "12"),
        ("W[1, 0] + W'[2, 0]", "7"),
        ("W[:, 0]", "[1, 4]"),
        ("sum(W[:, 0])", "5"),
        ("W[0:2, 1:3]", "[[2, 3], [5, 6]]"),
        ("trace(W * W')", "91"),
        ("exp(W[0, 0] - 1) * sum(W' .* W', 1)", "[[14, 77]]"),
        ("grad(sum(W .* W), W)", "[[2, 4, 6], [8, 10, 12]]"),
    ];
    for (e, want) in cases {
        let out = run(&format!("{setup}r = subs({e}, W = M)\nr\neval(r)"));
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some(want), "subs({e}, W = M):\n{out}");
        assert!(
            lines.next().is_some_and(|l| !l.contains("error")),
            "eval(subs({e}, W = M)) still has a symbol:\n{out}"
        );
    }
}

#[test]
fn differentiating_by_a_part_of_a_symbol_says_what_to_do_instead() {
    check(
        "symbol W[2, 3]\ngrad(sum(W .^ 2), W[0, :])",
        expect![[r#"
            error: grad needs a symbol to differentiate by
              --> <test>:2:19
              |
            2 | grad(sum(W .^ 2), W[0, :])
              |                   ^^^^^^^
              |
              = hint: take the part you need from grad(f, W), e.g. grad(f, W)[0, :]
        "#]],
    );
    check(
        "diff(x^2, 2*x)",
        expect![[r#"
            error: can only differentiate by a symbol or an element W[i, j]
              --> <test>:1:11
              |
            1 | diff(x^2, 2*x)
              |           ^^^
              |
              = hint: differentiate by x itself
        "#]],
    );
    // A vector by a vector: the error names `diff`, as the user wrote it.
    check(
        "symbol x[3]\ndiff(2*x, x)",
        expect![[r#"
            error: diff needs a scalar function (use jacobian for a vector), got 3×1
              --> <test>:2:1
              |
            2 | diff(2*x, x)
              | ^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn a_symbols_name_bound_to_a_value_since_still_names_it_in_a_binding() {
    // As after SymPy's `W = np.random.randn(2, 2)`: L keeps the symbol W.
    let setup = "symbol W[2, 2]\nL = sum(W .* W)\nW = [[1, 2], [3, 4]]\n";
    // 1 + 4 + 9 + 16 and 1 + 1, by hand.
    assert_eq!(run(&format!("{setup}subs(L, W = W)")), "30");
    assert_eq!(run(&format!("{setup}eval(L, W = eye(2))")), "2.0");
    // Or declared again with another shape: L's W is the one given.
    let reshaped = "symbol W[2, 2]\nL = sum(W)\nsymbol W[3, 3]\n";
    assert_eq!(run(&format!("{reshaped}eval(L, W = eye(2))")), "2.0");
    // Where the name cannot be a symbol, the hint says how to make it one.
    check(
        &format!("{setup}grad(L, W)"),
        expect![[r#"
            error: grad needs a symbol to differentiate by
              --> <test>:4:9
              |
            4 | grad(L, W)
              |         ^
              |
              = hint: W was bound to a value by an assignment; `symbol W[2, 2]` makes it a
                      symbol again
        "#]],
    );
    for call in [
        "descend(L, W, 0.1, 3)",
        "gradcheck(L, W, eye(2))",
        "explain(L, W)",
    ] {
        let out = run(&format!("{setup}{call}"));
        assert!(out.contains("`symbol W[2, 2]` makes it a"), "{call}: {out}");
    }
    let out = run("x = 3\njacobian([x^2, y], [x, y])");
    assert!(out.contains("`symbol x` makes it a symbol"), "{out}");
    check(
        "x = 3\neval(x^2 + y, x = 5, y = 1)",
        expect![[r#"
            error: 'x' is not a symbol
              --> <test>:2:15
              |
            2 | eval(x^2 + y, x = 5, y = 1)
              |               ^
              |
              = hint: x was bound to a value by an assignment; `symbol x` makes it a symbol
                      again
        "#]],
    );
}

#[test]
fn substitution_errors_are_rendered() {
    check(
        "symbol W[2, 3]\nsubs(W' * [1, 2], W = [[1, 2], [3, 4]])",
        expect![[r#"
            error: W is 2×3 but the value given for it is 2×2
              --> <test>:2:1
              |
            2 | subs(W' * [1, 2], W = [[1, 2], [3, 4]])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "symbol W[2, 3]\neval(W[0, 1], W = [1, 2])",
        expect![[r#"
            error: W is 2×3 but the value given for it is 2×1
              --> <test>:2:1
              |
            2 | eval(W[0, 1], W = [1, 2])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "symbol W[2, 2], x, y\neval(W * x + y, W = eye(2))",
        expect![[r#"
            error: eval needs a value for every symbol; unbound: x, y
              --> <test>:2:1
              |
            2 | eval(W * x + y, W = eye(2))
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: give them as eval(e, x = …)
        "#]],
    );
    check(
        "symbol W[1, 2], q\neval(sum(W), W = [[q, 1]])",
        expect![[r#"
            error: the value for W is not numeric: it contains the symbol q
              --> <test>:2:1
              |
            2 | eval(sum(W), W = [[q, 1]])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn diff_by_several_variables_takes_them_in_turn() {
    // SymPy's `diff(f, x, 2, y)`: by x twice, then by y. The oracle: the
    // partial derivatives worked out by hand, at a point.
    let (x, y) = (1.3_f64, -0.7_f64);
    let mut s = session("symbol x, y");
    let at = |d: &str| format!("eval({d}, x = {x}, y = {y})");
    let cases: [(&str, f64); 6] = [
        ("diff(x^2 * y^3, x, y)", 6.0 * x * y * y),
        ("diff(x^2 * y^3, x, 2, y, 2)", 12.0 * y),
        ("diff(x^3 * y, x, 2, y)", 6.0 * x),
        ("diff(x^3 * y, y, x, 2)", 6.0 * x),
        ("diff(exp(x * y), x, y)", (1.0 + x * y) * (x * y).exp()),
        ("diff(x^3 * y, x, 0)", x.powi(3) * y),
    ];
    for (d, want) in cases {
        assert_close(d, &numbers(&mut s, &at(d)), &[want], 1e-13, 0.0);
    }
    check_in(
        &mut s,
        "diff(x^3, x, 15, y, 15)",
        expect![[r#"
            error: at most 20 derivatives in all
              --> <test>:1:21
              |
            1 | diff(x^3, x, 15, y, 15)
              |                     ^^
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Printed forms
// ---------------------------------------------------------------------------

#[test]
fn printed_derivatives_of_scalar_functions() {
    check("symbol z\ndiff(sigmoid(z), z)", expect!["(1 - σ(z))⋅σ(z)"]);
    check(
        "symbol z\ndiff(tanh(z), z)",
        expect![[r#"
                    2
            1 - tanh (z)"#]],
    );
    check("symbol z\ndiff(log(1/(1 + exp(z))), z)", expect!["-σ(z)"]);
    // The BCE term by its logit: σ(z) − 1 + y.
    let bce = "symbol z, y\nd = diff(-y*log(1/(1 + exp(z))) - (1 - y)*log(1 - 1/(1 + exp(z))), z)";
    check(&format!("{bce}\nd"), expect!["σ(z) + y - 1"]);
    check(&format!("{bce}\ntext(d)"), expect!["sigmoid(z) + y - 1"]);
}

#[test]
fn printed_gradient_of_the_bce_loss_of_seed_000() {
    // (1/3)(σ(z) − (1 − y))ᵀ X: the constant row is −(x₂ + x₃)/3.
    check(
        &format!("{BCE_000}\nG\nsize(G)"),
        expect![[r#"
            (σ(zᵀ) + yᵀ - 1)⋅X
            ──────────────────
                    3
            5"#]],
    );
}

#[test]
fn printed_gradients_of_the_softmax_loss_of_seed_004() {
    // (softmax(W X + b) − Y)/3 ⋅ Xᵀ and the row means of softmax minus 1/3.
    check(
        &format!("{SOFTMAX_004}\nGW\nsize(GW)\nGb\nsize(Gb)"),
        expect![[r#"
            (softmax(W⋅X + b) - Y)⋅Xᵀ
            ─────────────────────────
                        3
            6
                                        1
            mean(softmax(W⋅X + b), 2) - ─
                                        3
            6"#]],
    );
}

#[test]
fn printed_sizes_of_the_network_gradients_of_seed_003() {
    check(
        &format!(
            "{NET_003}\nsize(L)\nsize(grad(L, W1))\nsize(grad(L, b1))\nsize(grad(L, W2))\nsize(grad(L, b2))"
        ),
        expect![[r#"
            10
            18
            18
            14
            0"#]],
    );
}

/// The gradient of a loss over a data set stays one small matrix expression
/// whatever the number of samples: the 1/n of the mean is a number, not a
/// matrix of 1/n, and no data matrix is copied or transposed into a new one.
#[test]
fn the_gradient_over_a_large_data_set_is_small_and_correct() {
    let mut s = session(
        "X = randn(40, 30000)\nY = one_hot(randint(0, 10, 30000), 10)\nsymbol W[10, 40]\n\
         L = softmax_cce(Y, W*X)\ng = grad(L, W)\nW0 = randn(10, 40) / 10",
    );
    check_in(&mut s, "size(g)", expect!["8"]);
    // Against the closed form (softmax(W⋅X) − Y)⋅Xᵀ / n, written out by hand.
    let got = numbers(&mut s, "eval(g, W = W0)");
    run_in(&mut s, "P = eval(softmax(W*X), W = W0)");
    let want = numbers(&mut s, "eval((P - Y) * X' / 30000)");
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-12 * w.abs().max(1e-3), "{g} vs {w}");
    }
}

/// Labels declared `onehot` give the textbook gradients, the loss written as
/// seed 002 does included; values that are not one-hot are refused. The
/// value below is softmax([1, 2, 3]) − [0, 1, 0]:
/// `e = np.exp([1, 2, 3]); e / e.sum() - [0, 1, 0]`.
#[test]
fn one_hot_labels_give_textbook_gradients() {
    let decl = "symbol z[3], y[3] onehot, W[3, 4], X[4, 5], Y[3, 5] onehot";
    check(
        &format!("{decl}\ngrad(cce(y, softmax(z)), z)"),
        expect!["softmax(z) - y"],
    );
    check(
        &format!("{decl}\ngrad(-mean(log(sum(Y .* softmax(W*X), 1))), W)"),
        expect![[r#"
            (softmax(W⋅X) - Y)⋅Xᵀ
            ─────────────────────
                      5"#]],
    );
    let mut s = session(decl);
    let values = numbers(
        &mut s,
        "eval(grad(cce(y, softmax(z)), z), z = [1, 2, 3], y = [0, 1, 0])",
    );
    assert_close(
        "softmax(z) - y",
        &values,
        &[0.09003057317038046, -0.7552715289452023, 0.6652409557748219],
        RTOL,
        0.0,
    );
    let refused = run(&format!(
        "{decl}\neval(grad(cce(y, softmax(z)), z), z = [1, 2, 3], y = [0.5, 0.5, 0])"
    ));
    assert!(refused.contains("y is declared onehot"), "{refused}");
}

/// Seed 002's loss `−mean(log(sum(Y∘softmax(W⋅X), 1)))` with labels not known
/// one-hot is another function than `softmax_cce` (the log of a sum, not a
/// sum of logs), so its gradient is not `(softmax(W⋅X)∘sum(Y, 1) − Y)⋅Xᵀ/n`:
/// with every label 1/2 the loss is the constant log 2 (the softmax sums to
/// 1), and its gradient is 0, where softmax_cce's is not.
#[test]
fn the_seed_002_loss_with_general_labels_keeps_its_own_gradient() {
    let mut s = session(
        "symbol W[3, 4], X[4, 5], Y[3, 5]\n\
         g = grad(-mean(log(sum(Y .* softmax(W*X), 1))), W)\n\
         seed(1)\nW0 = randn(3, 4)\nX0 = randn(4, 5)\nY0 = ones(3, 5) / 2",
    );
    let got = numbers(&mut s, "eval(g, W = W0, X = X0, Y = Y0)");
    assert_eq!(got.len(), 12);
    assert!(got.iter().all(|g| g.abs() < 1e-14), "{got:?}");
    let cce = numbers(
        &mut s,
        "eval(grad(softmax_cce(Y, W*X), W), W = W0, X = X0, Y = Y0)",
    );
    assert!(cce.iter().any(|g| g.abs() > 0.01), "{cce:?}");
}

#[test]
fn derivatives_through_a_4x4_inverse_keep_their_digits() {
    // The Jacobian of the gradient of logdet(A), A = v⋅vᵀ + I and v =
    // diag((W⋅Wᵀ)⋅(W⋅Wᵀ)ᵀ + I), against mpmath at 50 digits: central
    // differences of log(1 + |v|²) (the matrix determinant lemma). At these
    // points A has condition 10⁵ and 10⁶, so float64 keeps about 8 and 5
    // digits of a second derivative (JAX the same). Written out by
    // cofactors, element by element, the 4×4 inverse in the gradient lost
    // them: 2.9e-6 and 0.065 relative errors.
    if !support::have_mpmath() {
        return;
    }
    let mut s = session(
        "symbol W[4, 2]\nv = diag((W * W') * (W * W')' + eye(4))\nA = v * v' + eye(4)\n\
         J = jacobian(grad(logdet(A), W)[:, 0], W)",
    );
    let base = [2.5, -2.5, 1.8, 3.4, 3.9, -5.2, -2.2, 1.4];
    for (scale, rtol) in [(0.5, 1e-7), (0.75, 1e-4)] {
        let w = base.map(|x| x * scale);
        let oracle = format!(
            "import mpmath as mp\nmp.mp.dps = 50\n\
             def F(x):\n    W = mp.matrix(4, 2)\n    for k in range(8): W[k // 2, k % 2] = x[k]\n    \
             M = (W * W.T) * (W * W.T).T\n    return mp.log(1 + sum((M[i, i] + 1) ** 2 for i in range(4)))\n\
             x0 = [mp.mpf(t) for t in {w:?}]\nh = mp.mpf('1e-18')\n\
             def at(k, l, a, b):\n    x = list(x0); x[k] += a; x[l] += b; return F(x)\n\
             for k in (0, 2, 4, 6):\n    for l in range(8):\n        \
             print(float((at(k, l, h, h) - at(k, l, h, -h) - at(k, l, -h, h) + at(k, l, -h, -h)) / (4 * h * h)))"
        );
        let want: Vec<f64> = support::python(&oracle)
            .lines()
            .map(|l| l.parse().expect("a number"))
            .collect();
        let rows: Vec<String> = w.chunks(2).map(|r| format!("{}, {}", r[0], r[1])).collect();
        let got = numbers(&mut s, &format!("eval(J, W = [[{}]])", rows.join("], [")));
        let largest = want.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        let error = got
            .iter()
            .zip(&want)
            .fold(0.0_f64, |m, (g, x)| m.max((g - x).abs()));
        assert!(
            error <= rtol * largest,
            "scale {scale}: error {error} over {largest}\n  got {got:?}\n want {want:?}"
        );
    }
}

#[test]
fn second_derivatives_through_a_softmax_derivative_match_differences() {
    // The gradient of l2(softmax(Z, 2)) holds the softmax's derivative as
    // one node; its own derivatives (forward for hessian, reverse for the
    // gradient of a product with C) against mpmath's central second
    // differences at 60 digits.
    if !support::have_mpmath() {
        return;
    }
    let w = [0.53, 0.89, -1.28, -0.07, 0.51, 0.68];
    let c = [1.0, -2.0, 0.5, 3.0, -1.5, 2.5];
    let mut s = session(&format!(
        "symbol W[3, 2]\nL = l2(softmax((W * W') .^ 2, 2))\nG = grad(L, W)\n\
         W0 = {}\nC = {}",
        support::matrix_literal(&w, 2),
        support::matrix_literal(&c, 2)
    ));
    let oracle = format!(
        "{}\nx0 = [mp.mpf(t) for t in {w:?}]\nh = mp.mpf('1e-18')\n\
         def at(k, l, a, b):\n    x = list(x0); x[k] += a; x[l] += b; return F(x)\n\
         for k in range(6):\n    for l in range(6):\n        \
         print(mp.nstr((at(k, l, h, h) - at(k, l, h, -h) - at(k, l, -h, h) + at(k, l, -h, -h)) / (4 * h * h), 20))",
        support::MPMATH_L2_SOFTMAX
    );
    let hessian: Vec<f64> = support::python(&oracle)
        .lines()
        .map(|l| l.parse().expect("a number"))
        .collect();
    let along_c: Vec<f64> = hessian
        .chunks(6)
        .map(|row| row.iter().zip(&c).map(|(h, c)| h * c).sum())
        .collect();
    let got = numbers(&mut s, "eval(hessian(L, W), W = W0)");
    assert_close("hessian", &got, &hessian, 1e-9, 1e-12);
    let got = numbers(&mut s, "eval(grad(sum(G .* C), W), W = W0)");
    assert_close("grad of G .* C", &got, &along_c, 1e-9, 1e-12);
}

#[test]
fn a_power_of_data_with_zeros_has_a_derivative_by_its_exponent() {
    // d/dw Σ xᵢ^w = Σ xᵢ^w⋅log(xᵢ), where a 0 adds 0 for w > 0 (0^w = 0),
    // as JAX gives, instead of log(0).
    let mut s =
        session("X = [0, 1.5, 2, 0]; Z = hstack(zeros(1, 6000), 2*ones(1, 6000)); symbol w");
    let w = 2.5f64;
    let want = 1.5f64.powf(w) * 1.5f64.ln() + 2f64.powf(w) * 2f64.ln();
    for e in ["diff(sum(X .^ w), w)", "grad(sum(X .^ w), w)"] {
        let got = numbers(&mut s, &format!("eval({e}, w = {w})"));
        assert_close(e, &got, &[want], 1e-14, 0.0);
    }
    let got = numbers(&mut s, &format!("eval(grad(sum(Z .^ w), w), w = {w})"));
    assert_close(
        "large data",
        &got,
        &[6000.0 * 2f64.powf(w) * 2f64.ln()],
        1e-12,
        0.0,
    );
    // And against central differences of the function itself.
    let h = 1e-6;
    let at = |s: &mut symgrad_lang::Session, w: f64| {
        numbers(s, &format!("eval(sum(X .^ w), w = {w})"))[0]
    };
    let central = (at(&mut s, w + h) - at(&mut s, w - h)) / (2.0 * h);
    assert_close("central differences", &[want], &[central], 1e-8, 0.0);
}

#[test]
fn the_derivative_through_a_flat_relu_is_zero_even_under_a_root() {
    // d/dx √relu(x) = step(x)/(2⋅√relu(x)): where relu is flat the function
    // is constant and its derivative 0, as JAX gives it, though the root's
    // slope 1/(2⋅√relu(x)) is infinite there (it was an error, "gives inf").
    // By hand, for x > 0: 1/(2⋅√x), and −1/(4⋅x^(3/2)) for the second.
    let mut s = session("d = diff(sqrt(relu(x)), x)\nd2 = diff(d, x)");
    for (x, want, want2) in [(-1.0, 0.0, 0.0), (0.0, 0.0, 0.0), (4.0, 0.25, -1.0 / 32.0)] {
        for (e, want) in [("d", want), ("d2", want2)] {
            let got = numbers(&mut s, &format!("eval({e}, x = {x})"));
            assert_close(&format!("{e} at {x}"), &got, &[want], 1e-15, 0.0);
            let got = numbers(&mut s, &format!("subs({e}, x = {x})"));
            assert_close(&format!("subs {e} at {x}"), &got, &[want], 1e-15, 0.0);
        }
    }
    let got = numbers(&mut s, "evalpoints(d, x, [[-1], [4], [0]])");
    assert_close("evalpoints", &got, &[0.0, 0.25, 0.0], 1e-15, 0.0);
    // A small gradient by a matrix, by hand: W⋅X = [[0, −1.5], [−1.95, 4.6]]
    // is flat but for its last entry, so the gradient is 0 but for its row
    // 1, xᵀ/(2⋅√4.6) with x = [−2, 1, 3] the last sample. `subs` with exact
    // values divides by zero where relu is flat: it gives eval's floats.
    let mut s = session(
        "symbol W[2, 3]\nX = [[1, -2], [0.5, 1], [-1, 3]]\nG = grad(sum(sqrt(relu(W*X))), W)",
    );
    let k = 1.0 / (2.0 * 4.6f64.sqrt());
    for e in [
        "eval(G, W = [[1, -1, 0.5], [-2, 0.3, 0.1]])",
        "subs(G, W = [[1, -1, 1/2], [-2, 3/10, 1/10]])",
    ] {
        let want = [0.0, 0.0, 0.0, -2.0 * k, k, 3.0 * k];
        assert_close(e, &numbers(&mut s, e), &want, 1e-15, 0.0);
    }
    // A gradient by a matrix, W⋅X on both sides of 0: against a loop over
    // the samples and central differences.
    let mut s = session(
        "seed(7)\nX = randn(3, 4000)\nsymbol W[2, 3]\nW0 = randn(2, 3)\n\
         L = sum(sqrt(relu(W*X)))",
    );
    let got = numbers(&mut s, "eval(grad(L, W), W = W0)");
    let (x, w) = (numbers(&mut s, "X"), numbers(&mut s, "W0"));
    let mut want = vec![0.0; 6];
    let mut flat = 0;
    for n in 0..4000 {
        for i in 0..2 {
            let z: f64 = (0..3).map(|k| w[i * 3 + k] * x[k * 4000 + n]).sum();
            if z > 0.0 {
                for k in 0..3 {
                    want[i * 3 + k] += x[k * 4000 + n] / (2.0 * z.sqrt());
                }
            } else {
                flat += 1;
            }
        }
    }
    assert!(flat > 1000, "{flat} samples where relu is flat");
    assert_close("gradient", &got, &want, 1e-12, 0.0);
    let h = 1e-6;
    let at = |s: &mut symgrad_lang::Session, dw: f64| {
        numbers(s, &format!("eval(L, W = W0 + [[0, 0, 0], [0, {dw}, 0]])"))[0]
    };
    let central = (at(&mut s, h) - at(&mut s, -h)) / (2.0 * h);
    assert_close("central differences", &[got[4]], &[central], 1e-6, 0.0);
}

#[test]
fn a_flat_relu_gates_its_products_through_sums_slices_and_zero_residuals() {
    // x = [1, −2, 4] at b = 1: relu(b⋅x) = [1, 0, 4], flat at x₁. By hand:
    // d/db Σ√relu(b⋅x) = Σ over b⋅xᵢ > 0 of xᵢ/(2⋅√(b⋅xᵢ)) = 1/2 + 4/4.
    // Summed as a scalar (no longer an inner product with the gate) and
    // through a slice that leaves out −b⋅x, whose relu is flat at x₀, x₂.
    let mut s = session("x = [[1, -2, 4]]\ny = [[1, 1, 1]]");
    for loss in [
        "sum(sqrt(relu(b*x)))",
        "sum(sqrt(relu(hstack(b*x, -b*x)))[:, 0:3])",
    ] {
        let got = numbers(&mut s, &format!("eval(diff({loss}, b), b = 1)"));
        assert_close(loss, &got, &[1.5], 1e-15, 0.0);
    }
    // mse(y, p) with p = exp(−√relu(b⋅x)): at x₁ the residual p − y is 0,
    // times the root's infinite slope, times step(b⋅x₁) = 0. By hand, with
    // dpᵢ/db = −pᵢ⋅xᵢ/(2⋅√(b⋅xᵢ)): (2/3)⋅Σ (pᵢ − 1)⋅dpᵢ/db over i = 0, 2.
    let (p0, p2) = ((-1f64).exp(), (-2f64).exp());
    let want = 2.0 / 3.0 * ((p0 - 1.0) * (-p0 / 2.0) + (p2 - 1.0) * (-p2));
    let got = numbers(
        &mut s,
        "eval(diff(mse(y, exp(-sqrt(relu(b*x)))), b), b = 1)",
    );
    assert_close("zero residual", &got, &[want], 1e-15, 0.0);
    // A NaN or infinity the gate does not drop is still an error, named
    // by its own operation.
    let out = run_in(&mut s, "eval(step(u)*(1/u) + log(v), u = 0, v = -1)");
    assert!(out.contains("log(v) gives NaN"), "{out}");
    let out = run_in(&mut s, "eval(step(u + 1)*(1/u), u = 0)");
    assert!(out.contains("1/u gives inf: division by zero"), "{out}");
}

#[test]
fn a_gradient_through_a_slice_multiplies_only_the_slice() {
    // The adjoint of a slice is the slice between zeros, and a product with
    // it takes only the rows (or columns) of data the slice covers: the
    // gradient of Σ tanh((W⋅X)[:, 1:3]) is (1 − tanh²)⋅X[:, 1:3]ᵀ, no
    // product with a 4×2 matrix of zeros and ones.
    check(
        "symbol W[2, 3]\nX = [[1, 2, 3, 4], [0, 1, 0, 1], [2, 0, 1, 1]]\n\
         text(grad(sum(tanh((W*X)[:, 1:3])), W))\n\
         text(grad(sum(tanh((X'*W')[2:4, :])), W))\n\
         text(grad(sum(tanh((W*X)[1, 1:3])), W))",
        expect![[r#"
            ((1 - tanh((W * [[1, 2, 3, 4], [0, 1, 0, 1], [2, 0, 1, 1]])[:, 1:3]).^2) *
              [[2, 1, 0], [3, 0, 1]])
            ((1 - tanh(([[1, 0, 2], [2, 1, 0], [3, 0, 1], [4, 1, 1]] * W')[2:4, :]').^2) *
              [[3, 0, 1], [4, 1, 1]])
            (vstack([[0, 0, 0]],
              (1 - tanh((W * [[1, 2, 3, 4], [0, 1, 0, 1], [2, 0, 1, 1]])[1, 1:3]).^2) *
              [[2, 1, 0], [3, 0, 1]]))"#]],
    );
    // A slice of many samples: as a product with a selection matrix, the
    // 60 000 × 40 000 one of zeros and ones took 19 GB. The values against
    // the gradient by hand, 2⋅Zₛ⋅Xₛᵀ with Zₛ = (W⋅X)ₛ, and central
    // differences, samples as columns and as rows.
    let mut s = session("seed(4)\nX = randn(3, 60000)\nsymbol W[2, 3]\nW0 = randn(2, 3)");
    for (loss, by_hand) in [
        (
            "sum(((W*X)[:, 10000:50000]) .^ 2)",
            "2*(W0*X[:, 10000:50000])*X[:, 10000:50000]'",
        ),
        (
            "sum(((X'*W')[10000:50000, :]) .^ 2)",
            "2*(W0*X[:, 10000:50000])*X[:, 10000:50000]'",
        ),
    ] {
        let got = numbers(&mut s, &format!("eval(grad({loss}, W), W = W0)"));
        let want = numbers(&mut s, by_hand);
        assert_close(loss, &got, &want, 1e-12, 0.0);
        let h = 1e-5;
        let at = |s: &mut symgrad_lang::Session, dw: f64| {
            let shifted = format!("W0 + [[0, {dw}, 0], [0, 0, 0]]");
            numbers(s, &format!("eval({loss}, W = {shifted})"))[0]
        };
        let central = (at(&mut s, h) - at(&mut s, -h)) / (2.0 * h);
        assert_close("central differences", &[got[1]], &[central], 1e-7, 0.0);
    }
}

#[test]
fn a_product_with_a_row_or_column_of_one_number_is_a_sum() {
    // c⋅[1 … 1]⋅W is c⋅sum(W, 1), and an outer product with such a row or
    // column, met by another factor, takes that product first. Values
    // against loops over W0's numbers.
    let mut s =
        session("seed(8)\nsymbol W[4, 3]\nsymbol v[2, 1]\nW0 = randn(4, 3)\nv0 = randn(2, 1)");
    let w = numbers(&mut s, "W0");
    let v = numbers(&mut s, "v0");
    let column_sums: Vec<f64> = (0..3).map(|j| (0..4).map(|i| w[i * 3 + j]).sum()).collect();
    let outer = |c: &[f64]| -> Vec<f64> {
        v.iter()
            .flat_map(|x| c.iter().map(move |y| x * y))
            .collect()
    };
    let cases: [(&str, &str, Vec<f64>); 4] = [
        (
            "3*ones(1, 4)*W",
            "3⋅sum(W, 1)",
            column_sums.iter().map(|x| 3.0 * x).collect(),
        ),
        (
            "W'*(2*ones(4, 1))",
            "2⋅sum(Wᵀ, 2)",
            column_sums.iter().map(|x| 2.0 * x).collect(),
        ),
        ("(v*ones(1, 4))*W", "v⋅sum(W, 1)", outer(&column_sums)),
        ("W'*(ones(4, 1)*v')", "sum(Wᵀ, 2)⋅vᵀ", {
            let t = outer(&column_sums);
            (0..3)
                .flat_map(|j| (0..2).map(move |i| (i, j)))
                .map(|(i, j)| t[i * 3 + j])
                .collect()
        }),
    ];
    for (product, shown, want) in cases {
        assert_eq!(run_in(&mut s, product).trim(), shown);
        let got = numbers(&mut s, &format!("eval({product}, W = W0, v = v0)"));
        assert_close(product, &got, &want, 1e-14, 0.0);
    }
}

#[test]
fn a_sum_of_a_product_over_many_samples_is_a_product_of_sums() {
    // sum((W⋅X)ᵀ⋅(W⋅X)) over 20 000 samples, whole, down the columns and
    // along the rows, goes through the sums of the factors: the 20 000 ×
    // 20 000 product (past the element limit) is never formed, for the
    // values or the gradient. Against the forms by hand.
    let mut s = session("seed(6)\nX = randn(3, 20000)\nsymbol W[2, 3]\nW0 = randn(2, 3)");
    run_in(&mut s, "P = (W*X)'*(W*X)");
    // The gradient's broadcast over the samples, `v⋅[1 … 1]`, meets Xᵀ as
    // a sum of X.
    check_in(
        &mut s,
        "grad(sum(P), W)",
        expect!["2⋅sum(W⋅X, 2)⋅sum(Xᵀ, 1)"],
    );
    assert_by_hand(
        &mut s,
        &[
            ("eval(sum(P), W = W0)", "sum(sum(W0*X, 2) .^ 2)"),
            ("eval(grad(sum(P), W), W = W0)", "2*sum(W0*X, 2)*sum(X, 2)'"),
            ("eval(sum(P, 1), W = W0)", "sum(W0*X, 2)' * (W0*X)"),
            ("eval(sum(P, 2), W = W0)", "(W0*X)' * sum(W0*X, 2)"),
        ],
    );
    // At 120 samples (a product of 14 400 elements, which is rewritten too)
    // against a loop over the elements of the product.
    let mut s = session("seed(7)\nX = randn(3, 120)\nsymbol W[2, 3]\nW0 = randn(2, 3)");
    run_in(&mut s, "P = (W*X)'*(W*X)");
    let z = numbers(&mut s, "eval(W0*X)");
    let n = 120;
    let p = |i: usize, j: usize| (0..2).map(|r| z[r * n + i] * z[r * n + j]).sum::<f64>();
    let columns: Vec<f64> = (0..n).map(|j| (0..n).map(|i| p(i, j)).sum()).collect();
    let rows: Vec<f64> = (0..n).map(|i| (0..n).map(|j| p(i, j)).sum()).collect();
    let all = [columns.iter().sum::<f64>()];
    for (sum, want) in [
        ("sum(P)", &all[..]),
        ("sum(P, 1)", &columns),
        ("sum(P, 2)", &rows),
    ] {
        let got = numbers(&mut s, &format!("eval({sum}, W = W0)"));
        assert_close(sum, &got, want, 1e-12, 1e-12 * largest(want));
    }
}

/// The largest magnitude among `xs`.
fn largest(xs: &[f64]) -> f64 {
    xs.iter().fold(0.0, |m, x| m.max(x.abs()))
}

#[test]
fn a_trace_or_diagonal_of_a_product_over_many_samples_is_a_sum() {
    // tr((W⋅X)ᵀ⋅(W⋅X)) over 20 000 samples is Σ (W⋅X)∘(W⋅X) and its diagonal
    // the sums of the columns: the 20 000 × 20 000 product (past the element
    // limit) is never formed, for the values or the gradient 2⋅W⋅X⋅Xᵀ. All
    // against the forms by hand.
    let mut s = session("seed(5)\nX = randn(3, 20000)\nsymbol W[2, 3]\nW0 = randn(2, 3)");
    run_in(&mut s, "L = trace((W*X)'*(W*X))\nd = diag((W*X)'*(W*X))");
    assert_by_hand(
        &mut s,
        &[
            ("eval(L, W = W0)", "sum((W0*X) .^ 2)"),
            ("eval(grad(L, W), W = W0)", "2*W0*X*X'"),
            ("eval(d, W = W0)", "sum((W0*X) .^ 2, 1)'"),
            ("eval(grad(sum(d), W), W = W0)", "2*W0*X*X'"),
        ],
    );
}

/// For each `(got, by_hand)`, the numbers of `got` against those of
/// `eval(by_hand)`, to 1e-12 of the largest.
fn assert_by_hand(s: &mut symgrad_lang::Session, cases: &[(&str, &str)]) {
    for (got, by_hand) in cases {
        let want = numbers(s, &format!("eval({by_hand})"));
        let got = numbers(s, got);
        assert_close(by_hand, &got, &want, 1e-12, 1e-12 * largest(&want));
    }
}

#[test]
fn scalars_come_out_of_matrix_products_so_the_terms_of_a_gradient_merge() {
    let mut s = session(
        "seed(8)\nsymbol A[3, 3]\nsymbol B[3, 3]\nsymbol Y[3, 3]\nsymbol X[3, 3]\n\
         X0 = randn(3, 3) + 3 * eye(3)\nA0 = randn(3, 3)",
    );
    check_in(&mut s, "(2*A)*(3*B)", expect!["6⋅A⋅B"]);
    check_in(&mut s, "text((x*A)*B)", expect!["x*(A * B)"]);
    // Out of an elementwise product too, which stays bracketed.
    check_in(
        &mut s,
        "(x*(A .* B))*(Y/2)",
        expect![[r#"
        x⋅(A∘B)⋅Y
        ─────────
            2"#]],
    );
    // Xᵀᵏ⋅(c⋅Xᵀ⁻⁵)⋅Xᵀ⁴⁻ᵏ for k = 0…4 are one term, as in the Matrix
    // Cookbook: d det(X⁵) = 5⋅det(X)⁵⋅X⁻ᵀ.
    check_in(
        &mut s,
        "grad(det(X^5), X)",
        expect![[r#"
                 ⎛ 5⎞   -1
            5⋅det⎝X ⎠⋅Xᵀ"#]],
    );
    // d tr(tr(A)⋅A) = 2⋅tr(A)⋅tr(dA): the sum(I∘A) of the chain rule is
    // tr(A), and tr(c⋅A) is c⋅tr(A), so tr(tr(tr(A)⋅A)⋅A) is tr(A)³.
    // The multiple of the identity shows its number in front, with `I`.
    check_in(&mut s, "grad(trace(trace(A)*A), A)", expect!["2⋅tr(A)⋅I"]);
    check_in(
        &mut s,
        "text(grad(trace(trace(A)*A), A))",
        expect!["2*trace(A)*[[1, 0, 0], [0, 1, 0], [0, 0, 1]]"],
    );
    check_in(
        &mut s,
        "grad(trace(trace(trace(A)*A)*A), A)",
        expect![[r#"
                   2
            3⋅tr(A) ⋅I"#]],
    );
    assert_by_hand(
        &mut s,
        &[
            ("eval(grad(det(X^5), X), X = X0)", "5*det(X0)^5*inv(X0)'"),
            (
                "eval(grad(trace(trace(A)*A), A), A = A0)",
                "2*trace(A0)*eye(3)",
            ),
            (
                "eval(grad(trace(X*(X' + A)/3), X), X = X0, A = A0)",
                "(2*X0 + A0')/3",
            ),
        ],
    );
}

/// The Jacobian of a linear map by its vector is the map's matrix, whole:
/// all of a symbol's elements in place are the symbol, so `− A` cancels it.
#[test]
fn the_jacobian_of_a_linear_map_is_its_matrix() {
    let setup = "symbol A[2, 2], B[2, 3], x[2], b[2]\n";
    for (statement, shown) in [
        ("jacobian(A*x, x)", "A"),
        ("jacobian(A*x + b, x)", "A"),
        ("jacobian(B'*x, x)", "Bᵀ"),
        ("jacobian(x'*A, x)", "Aᵀ"),
        ("jacobian(x, x)", "I"),
        ("text(jacobian(A*x, x) - A)", "[[0, 0], [0, 0]]"),
    ] {
        let out = run(&format!("{setup}{statement}"));
        assert_eq!(out.trim(), shown, "{statement}");
    }
    // Not all the elements in place: written out.
    check(
        &format!("{setup}text(jacobian(A*x + 2*x, x))"),
        expect!["[[A[0, 0] + 2, A[0, 1]], [A[1, 0], A[1, 1] + 2]]"],
    );
    check(
        &format!("{setup}text(jacobian([x[1], x[0]], x))"),
        expect!["[[0, 1], [1, 0]]"],
    );
    // By hand: the Jacobian of x ↦ Bᵀx at B = [1 2 3; 4 5 6] is Bᵀ.
    check(
        &format!("{setup}eval(jacobian(B'*x, x), B = [[1, 2, 3], [4, 5, 6]])"),
        expect![[r#"
            ⎡1.0  4.0⎤
            ⎢        ⎥
            ⎢2.0  5.0⎥
            ⎢        ⎥
            ⎣3.0  6.0⎦"#]],
    );
}
