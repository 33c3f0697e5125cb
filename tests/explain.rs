//! `explain(L, W [, bindings])`: the adjoint values of seed 003's network
//! against an independent NumPy back-propagation (the correct one, not the
//! notebook's), and the printed steps of seed 001's softmax classifier and
//! seed 003's network snapshotted.
//!
//! python3 with NumPy is required (CI installs it).

use expect_test::expect;

mod support;
use support::{assert_close, check, run_in, session};

/// Seed 003's network with every intermediate named, and its weights.
const NETWORK: &str = "
X = [[1, 2, 4], [-2, -5, -8]]
Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
symbol W1[2, 2], b1[2], W2[3, 2], b2[3]
Z1 = W1 * X + b1
A1 = tanh(Z1)
Z2 = W2 * A1 + b2
A2 = softmax(Z2)
L = -sum(Y .* log(A2)) / 3
w1 = [[0.5, 0.5], [0.5, -0.5]]
v1 = [0.5, 0.5]
w2 = [[-1, 1], [1, -1], [-2, 1]]
v2 = [-0.1, -0.1, -0.1]
";

/// Back-propagation of seed 003's network written out in NumPy, the
/// textbook way (dZ2 = (A2 − Y)/n, not the notebook's slip): the adjoints
/// dA2, dZ2, dA1, dZ1, dW1 and db1, each flattened row by row.
const NUMPY_BACKPROP: &str = r#"
import json
import numpy as np
X = np.array([[1, 2, 4], [-2, -5, -8]], dtype=float)
Y = np.eye(3)
W1 = np.array([[0.5, 0.5], [0.5, -0.5]]); b1 = np.array([[0.5], [0.5]])
W2 = np.array([[-1, 1], [1, -1], [-2, 1]], dtype=float); b2 = np.full((3, 1), -0.1)
n = X.shape[1]
Z1 = W1 @ X + b1; A1 = np.tanh(Z1)
Z2 = W2 @ A1 + b2
A2 = np.exp(Z2) / np.exp(Z2).sum(axis=0, keepdims=True)
dA2 = -Y / A2 / n
# the softmax Jacobian applied column by column: dZ = J^T dA
dZ2 = np.zeros_like(Z2)
for j in range(n):
    a = A2[:, j]
    J = np.diag(a) - np.outer(a, a)
    dZ2[:, j] = J.T @ dA2[:, j]
dA1 = W2.T @ dZ2
dZ1 = dA1 * (1 - A1 ** 2)
dW1 = dZ1 @ X.T
db1 = dZ1.sum(axis=1, keepdims=True)
print(json.dumps([m.reshape(-1).tolist() for m in (dA2, dZ2, dA1, dZ1, dW1, db1)]))
"#;

fn numpy_adjoints() -> Vec<Vec<f64>> {
    support::python(NUMPY_BACKPROP)
        .trim()
        .trim_start_matches("[[")
        .trim_end_matches("]]")
        .split("], [")
        .map(|r| r.split(',').map(|x| x.trim().parse().unwrap()).collect())
        .collect()
}

/// The value of each step of an `explain` printed in text form: the last
/// line of each step, `= [[…]]`, as numbers, by the step's adjoint name.
fn step_values(out: &str) -> Vec<(String, Vec<f64>)> {
    let mut values = Vec::new();
    let mut name = String::new();
    let mut last = String::new();
    let flush = |name: &str, last: &str, values: &mut Vec<(String, Vec<f64>)>| {
        if !name.is_empty() {
            let nums = last
                .trim()
                .trim_start_matches('=')
                .replace(['[', ']'], " ")
                .split(',')
                .map(|t| t.trim().parse::<f64>().unwrap_or_else(|_| panic!("{last}")))
                .collect();
            values.push((name.to_string(), nums));
        }
    };
    for line in out.lines() {
        if let Some(rest) = line.strip_prefix("step ") {
            flush(&name, &last, &mut values);
            name = rest.split(' ').nth(1).unwrap().to_string();
        } else if !line.starts_with(' ') {
            continue;
        }
        last = line.to_string();
    }
    flush(&name, &last, &mut values);
    values
}

#[test]
fn the_adjoints_of_seed_003_agree_with_numpy_backpropagation() {
    let want = numpy_adjoints();
    let mut s = session(NETWORK);
    run_in(&mut s, ":set output text");
    let by_w1 = run_in(&mut s, "explain(L, W1, W1 = w1, b1 = v1, W2 = w2, b2 = v2)");
    let got = step_values(&by_w1);
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["dA2", "dZ2", "dA1", "dZ1", "dW1"], "{by_w1}");
    for (k, (name, values)) in got.iter().enumerate() {
        assert_close(name, values, &want[k], 1e-12, 1e-15);
    }
    let by_b1 = run_in(&mut s, "explain(L, b1, W1 = w1, b1 = v1, W2 = w2, b2 = v2)");
    let got = step_values(&by_b1);
    assert_eq!(got.last().unwrap().0, "db1", "{by_b1}");
    assert_close("db1", &got.last().unwrap().1, &want[5], 1e-12, 1e-15);
}

#[test]
fn the_notebook_s_hand_written_dz2_is_not_the_adjoint() {
    // Seed 003 computes dLossdZ2 = A2∘dA2 − A2∘(A2∘sum(A2∘dA2, 1)), whose
    // first entry it prints as -2.60914798e-01; the adjoint is (A2 − Y)/3,
    // -0.17796437939 there.
    let mut s = session(NETWORK);
    run_in(&mut s, ":set output text");
    let out = run_in(&mut s, "explain(L, W1, W1 = w1, b1 = v1, W2 = w2, b2 = v2)");
    let dz2 = &step_values(&out)[1].1;
    assert!((dz2[0] - (0.46610686 - 1.0) / 3.0).abs() < 1e-8, "{dz2:?}");
    assert!((dz2[0] - -2.60914798e-01).abs() > 0.05);
}

#[test]
fn seed_003_steps() {
    check(
        &format!("{NETWORK}\nexplain(L, W1)"),
        expect![[r#"
            ∂L/∂W₁ by the chain rule along A₂, Z₂, A₁, Z₁; dN stands for ∂L/∂N
              A₂ = softmax(Z₂)
              Z₂ = W₂⋅A₁ + b₂
              A₁ = tanh(Z₁)
              Z₁ = W₁⋅X + b₁
            step 1: dA₂ = ∂L/∂A₂, 3×3, by scaling; sum: every entry gets dS;
                elementwise product: dA = dC∘B; log′(x) = 1/x
              dA₂ = -Y ⊘ (3⋅A₂)
            step 2: dZ₂ = ∂L/∂Z₂, 3×3, by softmax: dZ = A∘(dA − sum(dA∘A, 1));
                one-hot labels: the 1/A of log′ cancels, dZ = (A − Y)/n
              dZ₂ = A₂∘(dA₂ - sum(A₂∘dA₂, 1))
                    A₂ - Y
                  = ──────
                      3
            step 3: dA₁ = ∂L/∂A₁, 2×3, by product: dB = Aᵀ⋅dC
              dA₁ = W₂ᵀ⋅dZ₂
                    W₂ᵀ⋅(A₂ - Y)
                  = ────────────
                         3
            step 4: dZ₁ = ∂L/∂Z₁, 2×3, by tanh′ = 1 − tanh²
                        ⎛      ∘2⎞
              dZ₁ = dA₁∘⎝1 - A₁  ⎠
                    ⎛      ∘2⎞ ⎛W₂ᵀ⋅(A₂ - Y)⎞
                  = ⎝1 - A₁  ⎠∘⎜────────────⎟
                               ⎝     3      ⎠
            step 5: dW₁ = ∂L/∂W₁, 2×2, by product: dA = dC⋅Bᵀ
              dW₁ = dZ₁⋅Xᵀ
                    ⎛⎛      ∘2⎞               ⎞
                    ⎝⎝1 - A₁  ⎠∘(W₂ᵀ⋅(A₂ - Y))⎠⋅Xᵀ
                  = ──────────────────────────────
                                  3"#]],
    );
}

#[test]
fn seed_001_steps_with_fresh_names() {
    // No intermediate is bound: the softmax and its argument are named here.
    check(
        "
        seed(1)
        X = vstack(randint(3, 10, 5, 10), ones(1, 10))
        Y = one_hot(randint(0, 3, 10), 3)
        symbol W[3, 6]
        L = softmax_cce(Y, W*X)
        explain(L, W)
        :set output text
        explain(L, W)
        :set output latex
        explain(L, W)",
        expect![[r#"
            ∂L/∂W by the chain rule along A₁, Z₁; dN stands for ∂L/∂N
              A₁ = softmax(Z₁)  (named here)
              Z₁ = W⋅X  (named here)
            step 1: dA₁ = ∂L/∂A₁, 3×10, by scaling; sum: every entry gets dS;
                elementwise product: dA = dC∘B; log′(x) = 1/x
              dA₁ = -Y ⊘ (10⋅A₁)
            step 2: dZ₁ = ∂L/∂Z₁, 3×10, by softmax: dZ = A∘(dA − sum(dA∘A, 1));
                one-hot labels: the 1/A of log′ cancels, dZ = (A − Y)/n
              dZ₁ = A₁∘(dA₁ - sum(A₁∘dA₁, 1))
                    A₁ - Y
                  = ──────
                      10
            step 3: dW = ∂L/∂W, 3×6, by product: dA = dC⋅Bᵀ
              dW = dZ₁⋅Xᵀ
                   (A₁ - Y)⋅Xᵀ
                 = ───────────
                       10
            ∂L/∂W by the chain rule along A1, Z1; dN stands for ∂L/∂N
              A1 = softmax(Z1)  (named here)
              Z1 = W * X  (named here)
            step 1: dA1 = ∂L/∂A1, 3×10, by scaling; sum: every entry gets dS;
                elementwise product: dA = dC∘B; log′(x) = 1/x
              dA1 = -Y ./ (10*A1)
            step 2: dZ1 = ∂L/∂Z1, 3×10, by softmax: dZ = A∘(dA − sum(dA∘A, 1));
                one-hot labels: the 1/A of log′ cancels, dZ = (A − Y)/n
              dZ1 = A1 .* (dA1 - sum(A1 .* dA1, 1))
                  = A1/10 - Y/10
            step 3: dW = ∂L/∂W, 3×6, by product: dA = dC⋅Bᵀ
              dW = dZ1 * X'
                 = (A1/10 - Y/10) * X'
            % ∂L/∂W by the chain rule along A1, Z1; dN stands for ∂L/∂N
            \begin{aligned}
            \mathbf{A_{1}} &= \operatorname{softmax}\left(\mathbf{Z_{1}}\right) \\ % (named here)
            \mathbf{Z_{1}} &= \mathbf{W} \mathbf{X} \\ % (named here)
            % step 1: dA1 = ∂L/∂A1, 3×10, by scaling; sum: every entry gets dS;
            %     elementwise product: dA = dC∘B; log′(x) = 1/x
            \mathbf{{dA}_{1}} &= -\mathbf{Y} \oslash \left(10 \mathbf{A_{1}}\right) \\
            % step 2: dZ1 = ∂L/∂Z1, 3×10, by softmax: dZ = A∘(dA − sum(dA∘A, 1));
            %     one-hot labels: the 1/A of log′ cancels, dZ = (A − Y)/n
            \mathbf{{dZ}_{1}} &= \mathbf{A_{1}} \odot \left(\mathbf{{dA}_{1}} -
              \operatorname{sum}\left(\mathbf{A_{1}} \odot \mathbf{{dA}_{1}},
              1\right)\right) \\
             &= \frac{\mathbf{A_{1}} - \mathbf{Y}}{10} \\
            % step 3: dW = ∂L/∂W, 3×6, by product: dA = dC⋅Bᵀ
            \mathbf{{dW}} &= \mathbf{{dZ}_{1}} \mathbf{X}^\top \\
             &= \frac{\left(\mathbf{A_{1}} - \mathbf{Y}\right) \mathbf{X}^\top}{10} \\
            \end{aligned}"#]],
    );
}

#[test]
fn explain_fits_the_line_and_checks_its_arguments() {
    let mut s = session(NETWORK);
    let out = run_in(
        &mut s,
        ":set width 60\n:set digits 10\nexplain(L, W1, W1 = w1, b1 = v1, W2 = w2, b2 = v2)",
    );
    assert!(
        out.lines().all(|l| l.chars().count() <= 60),
        "wider than 60:\n{out}"
    );
    check(
        "symbol W[2, 2]\nexplain(W, W)",
        expect![[r#"
            error: explain needs a scalar, such as a loss, not a 2×2 matrix
              --> <test>:2:9
              |
            2 | explain(W, W)
              |         ^
        "#]],
    );
    check(
        "symbol W[2, 2]\nexplain(sum(W), A)",
        expect![[r#"
            error: this does not depend on A
              --> <test>:2:9
              |
            2 | explain(sum(W), A)
              |         ^^^^^^
        "#]],
    );
    check(
        "symbol W[2, 2]\nexplain(sum(W))",
        expect![[r#"
            error: explain takes a scalar and a symbol, then bindings such as W = value
              --> <test>:2:1
              |
            2 | explain(sum(W))
              | ^^^^^^^^^^^^^^^
              |
              = hint: usage: explain(L, W [, X = value, …])
        "#]],
    );
    check(
        "symbol W[2, 2]\nexplain(sum(W .^ 2), W, V = 1)",
        expect![[r#"
            error: explain shows values when every symbol has one; unbound: W
              --> <test>:2:1
              |
            2 | explain(sum(W .^ 2), W, V = 1)
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: give them as explain(L, W, W = …), or give none
        "#]],
    );
    check(
        "symbol W[2, 2], V[2, 2]\nexplain(sum(W .* V), W, W = eye(2))",
        expect![[r#"
            error: explain shows values when every symbol has one; unbound: V
              --> <test>:2:1
              |
            2 | explain(sum(W .* V), W, W = eye(2))
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: give them as explain(L, W, V = …), or give none
        "#]],
    );
}

/// Runs `src` in `s`; gives the progress lines (the gradcheck report) and
/// the displayed output.
fn with_report(s: &mut symgrad_lang::Session, src: &str) -> (String, String) {
    let lines = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let sink = lines.clone();
    s.set_progress(Box::new(move |l| sink.borrow_mut().push(l.to_string())));
    let out = run_in(s, src);
    let report = lines.borrow().join("\n");
    (report, out)
}

const WEIGHTS: &str = "w1, b1 = v1, W2 = w2, b2 = v2";

#[test]
fn gradcheck_passes_the_symbolic_gradients_of_seed_003() {
    let mut s = session(NETWORK);
    for (w, at) in [("W1", "w1"), ("b1", "v1"), ("W2", "w2"), ("b2", "v2")] {
        let others: Vec<String> = [("W1", "w1"), ("b1", "v1"), ("W2", "w2"), ("b2", "v2")]
            .iter()
            .filter(|(n, _)| *n != w)
            .map(|(n, v)| format!("{n} = {v}"))
            .collect();
        let (report, out) = with_report(
            &mut s,
            &format!("e = gradcheck(L, {w}, {at}, {})\ne", others.join(", ")),
        );
        let e: f64 = out
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{out}\n{report}"));
        assert!(e < 1e-7, "{w}: {e}\n{report}");
        assert!(report.contains(&format!("by {w} ")), "{report}");
        assert!(report.contains("worst entry"), "{report}");
    }
}

#[test]
fn gradcheck_catches_the_notebook_s_hand_written_gradient() {
    // Seed 003's back-propagation, step by step as the notebook writes it
    // (dLossdZ2 = prod2 − A2∘sumprod). The notebook prints its dLossdW1 as
    // [[-0.22463172, 0.73086196], [-0.01204015, 0.02338504]]: the same
    // slip, reproduced here, against the true [[-0.78048285, 1.93288316],
    // [-0.00142165, 0.00195766]] of the NumPy back-propagation.
    let mut s = session(&format!(
        "{NETWORK}
        dA2 = -Y ./ A2 / 3
        prod2 = A2 .* dA2
        dZ2 = prod2 - A2 .* (A2 .* sum(prod2, 1))
        G = ((1 - A1 .^ 2) .* (W2' * dZ2)) * X'"
    ));
    let notebook = support::numbers(&mut s, "eval(G, W1 = w1, b1 = v1, W2 = w2, b2 = v2)");
    assert_close(
        "the notebook's dLossdW1",
        &notebook,
        &[-0.22463172, 0.73086196, -0.01204015, 0.02338504],
        1e-6,
        0.0,
    );
    let (report, out) = with_report(&mut s, &format!("gradcheck(L, W1, grad = G, {WEIGHTS})"));
    // Positional after named is refused; the point comes third.
    assert!(
        out.contains("error: positional arguments come before"),
        "{out}"
    );
    let (report2, out) = with_report(&mut s, &format!("gradcheck(L, W1, {WEIGHTS}, grad = G)"));
    let e: f64 = out
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{out}\n{report}"));
    assert!(e > 0.5, "{e}\n{report2}");
    // Its worst entry is [1, 1]: 0.02338504 where the loss changes by 0.00195766.
    assert!(
        report2.contains("worst entry [1, 1]: gradient 0.02338503"),
        "{report2}"
    );
    assert!(report2.contains("central 0.0019576550"), "{report2}");
}

#[test]
fn gradcheck_of_hand_derived_gradients() {
    // d/dW sum(W^3) = 3 W^2, at random weights: right, and a wrong 2 W.
    let mut s = session("symbol W[3, 4]\nf = sum(W .^ 3)\nseed(3)");
    let (_, out) = with_report(&mut s, "gradcheck(f, W, grad = 3 * W .^ 2)");
    let right: f64 = out.trim().parse().unwrap();
    assert!(right < 1e-8, "{right}");
    let (report, out) = with_report(&mut s, "gradcheck(f, W, grad = 2 * W)");
    let wrong: f64 = out.trim().parse().unwrap();
    assert!(wrong > 0.1, "{wrong}\n{report}");
    assert!(
        report.contains("at random normal weights, 12 entries"),
        "{report}"
    );
    // A large W: 100 entries checked, chosen at random.
    let mut s = session("symbol V[20, 30]");
    let (report, out) = with_report(&mut s, "gradcheck(sum(tanh(V * ones(30, 1))), V)");
    assert!(out.trim().parse::<f64>().unwrap() < 1e-6, "{out}\n{report}");
    assert!(
        report.contains("100 of 600 entries, chosen at random"),
        "{report}"
    );
}

#[test]
fn gradcheck_errors() {
    check(
        "symbol W[2, 2]\ngradcheck(sum(W), W, [1, 2])",
        expect![[r#"
            error: the point must have the shape of W, 2×2, not 2×1
              --> <test>:2:22
              |
            2 | gradcheck(sum(W), W, [1, 2])
              |                      ^^^^^^
        "#]],
    );
    check(
        "symbol W[2, 2]\ngradcheck(sum(W), W, grad = W[0, 0])",
        expect![[r#"
            error: the gradient must have the shape of W, 2×2, not scalar
              --> <test>:2:29
              |
            2 | gradcheck(sum(W), W, grad = W[0, 0])
              |                             ^^^^^^^
        "#]],
    );
    check(
        "symbol W[2, 2], V[2, 2]\ngradcheck(sum(W .* V), W)",
        expect![[r#"
            error: gradcheck needs a value for every symbol but W; unbound: V
              --> <test>:2:1
              |
            2 | gradcheck(sum(W .* V), W)
              | ^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: give them as gradcheck(L, W, V = …)
        "#]],
    );
    check(
        "gradcheck(x^2)",
        expect![[r#"
            error: gradcheck takes a scalar, a symbol and optionally a point, then named
                   arguments
              --> <test>:1:1
              |
            1 | gradcheck(x^2)
              | ^^^^^^^^^^^^^^
              |
              = hint: usage: gradcheck(L, W [, at] [, grad = G] [, X = value, …])
        "#]],
    );
}

#[test]
fn unnamed_layers_get_fresh_names_and_their_rules() {
    // The network as examples/tanh_softmax_network.sg writes it: only A1
    // and A2 bound, so the products under them are named here (Z1, Z2).
    check(
        "
        X = [[1, 2, 4], [-2, -5, -8]]
        Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        symbol W1[2, 2], b1[2], W2[3, 2], b2[3]
        A1 = tanh(W1 * X + b1)
        A2 = softmax(W2 * A1 + b2)
        L = -sum(Y .* log(A2)) / 3
        explain(L, b1)",
        expect![[r#"
            ∂L/∂b₁ by the chain rule along A₂, Z₂, A₁, Z₁; dN stands for ∂L/∂N
              A₂ = softmax(Z₂)
              Z₂ = W₂⋅A₁ + b₂  (named here)
              A₁ = tanh(Z₁)
              Z₁ = W₁⋅X + b₁  (named here)
            step 1: dA₂ = ∂L/∂A₂, 3×3, by scaling; sum: every entry gets dS;
                elementwise product: dA = dC∘B; log′(x) = 1/x
              dA₂ = -Y ⊘ (3⋅A₂)
            step 2: dZ₂ = ∂L/∂Z₂, 3×3, by softmax: dZ = A∘(dA − sum(dA∘A, 1));
                one-hot labels: the 1/A of log′ cancels, dZ = (A − Y)/n
              dZ₂ = A₂∘(dA₂ - sum(A₂∘dA₂, 1))
                    A₂ - Y
                  = ──────
                      3
            step 3: dA₁ = ∂L/∂A₁, 2×3, by product: dB = Aᵀ⋅dC
              dA₁ = W₂ᵀ⋅dZ₂
                    W₂ᵀ⋅(A₂ - Y)
                  = ────────────
                         3
            step 4: dZ₁ = ∂L/∂Z₁, 2×3, by tanh′ = 1 − tanh²
                        ⎛      ∘2⎞
              dZ₁ = dA₁∘⎝1 - A₁  ⎠
                    ⎛      ∘2⎞ ⎛W₂ᵀ⋅(A₂ - Y)⎞
                  = ⎝1 - A₁  ⎠∘⎜────────────⎟
                               ⎝     3      ⎠
            step 5: db₁ = ∂L/∂b₁, 2×1, by bias: dC summed over the samples
              db₁ = sum(dZ₁, 2)
                        ⎛⎛      ∘2⎞                  ⎞
                  = mean⎝⎝1 - A₁  ⎠∘(W₂ᵀ⋅(A₂ - Y)), 2⎠"#]],
    );
    // relu and sigmoid layers; a sum's adjoint is 1 in every entry.
    check(
        "
        symbol V[2, 3]
        X = [[1, 2], [0, 1], [-1, 1]]
        H = relu(V*X)
        L = sum(H .* H) / 2 + sum(sigmoid(V))
        explain(L, V)",
        expect![[r#"
            ∂L/∂V by the chain rule along A₁, H, Z₁; dN stands for ∂L/∂N
              A₁ = σ(V)  (named here)
              H = relu(Z₁)
              Z₁ = V⋅X  (named here)
            step 1: dA₁ = ∂L/∂A₁, 2×3, by sum: every entry gets dS
              dA₁ = 1  (every entry of the 2×3 matrix)
            step 2: dH = ∂L/∂H, 2×2, by scaling; sum: every entry gets dS;
                power rule: (xⁿ)′ = n⋅xⁿ⁻¹
              dH = H
            step 3: dZ₁ = ∂L/∂Z₁, 2×2, by relu′ = step
              dZ₁ = dH∘step(Z₁)
                  = H∘step(Z₁)
            step 4: dV = ∂L/∂V, 2×3, by σ′ = σ(1 − σ); product: dA = dC⋅Bᵀ
              dV = A₁∘dA₁∘(1 - A₁) + dZ₁⋅Xᵀ
                 = A₁∘(1 - A₁) + (H∘step(Z₁))⋅Xᵀ"#]],
    );
}
