//! `code(e, target [, W])`: the emitted code is run with python3 for every
//! target — NumPy always, JAX and PyTorch where they are installed (a test
//! says on stderr which target it skipped) — and compared with symgrad's
//! `eval` of the expression and of its gradient; the code for the seed-000
//! BCE loss is snapshotted for every target.
//!
//! python3 with NumPy is required (CI installs it, and JAX when it can):
//! without NumPy these tests fail with a message saying so.

use expect_test::{Expect, expect};
use std::io::Write;
use std::process::Command;
use symgrad::Target;
use symgrad_lang::Session;

mod support;
use support::{matrix_literal, numbers, run_in, session};

/// How the driver turns a Python literal into an argument of `target`,
/// and the lines it runs first.
fn driver_parts(target: Target) -> (&'static str, &'static str) {
    match target {
        Target::NumPy => ("", "np.array({}, dtype=np.float64)"),
        Target::Jax => (
            "import jax\njax.config.update(\"jax_enable_x64\", True)\nimport jax.numpy as jnp\n",
            "jnp.array({}, dtype=jnp.float64)",
        ),
        Target::Torch => ("import torch\n", "torch.tensor({}, dtype=torch.float64)"),
    }
}

/// Runs `module` (generated Python for `target`) with python3: calls `func`
/// with its parameters taken from `args` (name, Python literal) and returns
/// each result flattened row by row; `None` (and a note on stderr) when the
/// target's library is not installed (NumPy must be).
#[track_caller]
fn run_target(
    target: Target,
    module: &str,
    func: &str,
    args: &[(&str, &str)],
) -> Option<Vec<Vec<f64>>> {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "symgrad-codegen-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("generated.py"), module).unwrap();
    let def = format!("def {func}(");
    let params = module
        .lines()
        .find_map(|l| l.strip_prefix(&def))
        .unwrap_or_else(|| panic!("no {def} in\n{module}"))
        .trim_end_matches("):");
    let (setup, convert) = driver_parts(target);
    let args: Vec<String> = params
        .split(", ")
        .map(|p| {
            let (_, a) = args
                .iter()
                .find(|(n, _)| *n == p)
                .unwrap_or_else(|| panic!("no value for {p}"));
            convert.replace("{}", a)
        })
        .collect();
    let driver = format!(
        "import json, sys\nimport numpy as np\n{setup}sys.path.insert(0, {dir:?})\n\
         from generated import {func}\n\
         out = {func}({})\n\
         out = out if isinstance(out, tuple) else (out,)\n\
         print(json.dumps([np.asarray(o, dtype=np.float64).reshape(-1).tolist() for o in out]))\n",
        args.join(", "),
        dir = dir.to_str().unwrap()
    );
    let output = Command::new("python3")
        .arg("-c")
        .arg(&driver)
        .output()
        .expect("python3 is needed to run the generated code: install python3 and numpy (python3 -m pip install numpy)");
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("No module named 'numpy'"),
        "numpy is needed to run the generated code: python3 -m pip install numpy"
    );
    for (t, module_name) in [(Target::Jax, "jax"), (Target::Torch, "torch")] {
        if target == t && stderr.contains(&format!("No module named '{module_name}'")) {
            // Straight to stderr, past the test harness's capture, so the
            // skip shows in every run.
            let _ = writeln!(
                std::io::stderr(),
                "skipped running the {module_name} code of {func}: {module_name} is not installed"
            );
            return None;
        }
    }
    assert!(
        output.status.success(),
        "the generated {} code failed:\n{stderr}\n{module}",
        target.name()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    Some(
        stdout
            .trim()
            .trim_start_matches("[[")
            .trim_end_matches("]]")
            .split("], [")
            .map(|r| {
                r.split(',')
                    .map(|x| x.trim().parse().unwrap_or_else(|_| panic!("{stdout}")))
                    .collect()
            })
            .collect(),
    )
}

/// [`run_target`] for NumPy, which is always there.
#[track_caller]
fn run_python(module: &str, func: &str, args: &[(&str, &str)]) -> Vec<Vec<f64>> {
    run_target(Target::NumPy, module, func, args).expect("numpy is installed")
}

#[track_caller]
fn assert_close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-12 * g.abs().max(w.abs()).max(1.0),
            "{what}: {got:?} vs {want:?}"
        );
    }
}

/// The generated code of `code_call` in `s` (its text output).
fn code(s: &mut Session, code_call: &str) -> String {
    run_in(s, code_call)
}

/// Checks that `func` of the NumPy code of `code(L, "numpy", W)` gives
/// what `eval(L, …)` and `eval(grad(L, W), …)` give: `bindings` are the
/// symbol values in symgrad syntax, `args` the function's arguments.
#[track_caller]
fn check_against_eval(s: &mut Session, l: &str, w: &str, bindings: &str, args: &[(&str, &str)]) {
    let value = numbers(s, &format!("eval({l}, {bindings})"));
    let grad = numbers(s, &format!("eval(grad({l}, {w}), {bindings})"));
    for target in Target::ALL {
        let name = target.name();
        let module = code(s, &format!("code({l}, \"{name}\", {w})"));
        let Some(got) = run_target(target, &module, &format!("{l}_and_grad"), args) else {
            continue;
        };
        assert_close(&format!("{name} value"), &got[0], &value);
        assert_close(&format!("{name} gradient"), &got[1], &grad);
    }
    // The value alone (the same code, without the gradient's lines).
    let module = code(s, &format!("code({l}, \"numpy\")"));
    assert_close("value alone", &run_python(&module, l, args)[0], &value);
}

const X: (&str, &str) = (
    "X",
    "[[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]",
);
const Y: (&str, &str) = ("y", "[[1], [0], [0]]");

const BCE: &str = "
X = [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]
symbol W[1, 5]
z = X * W'
y = [1, 0, 0]
p = 1 / (1 + exp(z))
L = (1/3) * sum(-y .* log(p) - (1 - y) .* log(1 - p))
seed(0)
W0 = randn(1, 5)
";

#[test]
fn bce_of_seed_000_runs_in_numpy_like_eval() {
    let mut s = session(BCE);
    let w0 = run_in(&mut s, "text(W0)");
    check_against_eval(&mut s, "L", "W", "W = W0", &[("W", &w0), X, Y]);
    // Logits near 3000: the naive formula overflows, the emitted one does not.
    let big = "[[10, 10, 10, 10, 0]]";
    check_against_eval(&mut s, "L", "W", &format!("W = {big}"), &[("W", big), X, Y]);
    let module = code(&mut s, "code(L, \"numpy\", W)");
    let got = run_python(&module, "L_and_grad", &[("W", big)]);
    // By hand: the logits X⋅W' are 2960, 1320, 1540 and p = 1/(1 + ℯᶻ) = σ(−z),
    // so the terms are softplus(2960) (label 1), softplus(−1320) and
    // softplus(−1540) (labels 0): L = (2960 + 0 + 0) / 3 = 986.666….
    assert_close("BCE at large logits", &got[0], &[2960.0 / 3.0]);
}

#[test]
fn bce_code_snapshot() {
    let mut s = session(BCE);
    expect_code(
        &mut s,
        "code(L, \"numpy\")",
        expect![[r#"
            import numpy as np


            def L(W):
                """The value, from symgrad."""
                assert W.shape == (1, 5), f"W: expected shape (1, 5), got {tuple(W.shape)}"
                t1 = np.array([[26.0, 100.0, 90.0, 80.0, 1.0], [2.0, 60.0, 20.0, 50.0, 1.0], [80.0, 10.0, 4.0, 60.0, 1.0]], dtype=np.float64)
                t2 = t1 @ W.T
                t3 = np.array([[1.0], [0.0], [0.0]], dtype=np.float64) * np.logaddexp(0.0, t2)
                t4 = np.array([[0.0], [1.0], [1.0]], dtype=np.float64) * np.logaddexp(0.0, -t2)
                return (1 / 3) * np.sum(t4 + t3)
        "#]],
    );
    expect_code(
        &mut s,
        "code(L, \"numpy\", W)",
        expect![[r#"
            import numpy as np


            def L_and_grad(W):
                """The value and the gradient, from symgrad."""
                assert W.shape == (1, 5), f"W: expected shape (1, 5), got {tuple(W.shape)}"
                t1 = np.array([[26.0, 100.0, 90.0, 80.0, 1.0], [2.0, 60.0, 20.0, 50.0, 1.0], [80.0, 10.0, 4.0, 60.0, 1.0]], dtype=np.float64)
                t2 = t1 @ W.T
                t3 = np.array([[1.0], [0.0], [0.0]], dtype=np.float64) * np.logaddexp(0.0, t2)
                t4 = np.array([[0.0], [1.0], [1.0]], dtype=np.float64) * np.logaddexp(0.0, -t2)
                value = (1 / 3) * np.sum(t4 + t3)
                t5 = np.array([[26.0, 2.0, 80.0], [100.0, 60.0, 10.0], [90.0, 20.0, 4.0], [80.0, 50.0, 60.0], [1.0, 1.0, 1.0]], dtype=np.float64)
                t6 = np.array([[0.0, -0.3333333333333333, -0.3333333333333333]], dtype=np.float64)
                grad_W = ((1 / 3) * np.exp(-np.logaddexp(0.0, -(W @ t5))) + t6) @ t1
                return value, grad_W
        "#]],
    );
    expect_code(
        &mut s,
        "code(L, \"jax\", W)",
        expect![[r#"
            import jax
            import jax.numpy as jnp

            # For float64 results like symgrad's: jax.config.update("jax_enable_x64", True)


            def L_and_grad(W):
                """The value and the gradient, from symgrad."""
                assert W.shape == (1, 5), f"W: expected shape (1, 5), got {tuple(W.shape)}"
                t1 = jnp.array([[26.0, 100.0, 90.0, 80.0, 1.0], [2.0, 60.0, 20.0, 50.0, 1.0], [80.0, 10.0, 4.0, 60.0, 1.0]], dtype=float)
                t2 = t1 @ W.T
                t3 = jnp.array([[0.0], [1.0], [1.0]], dtype=float) * jax.nn.softplus(-t2) + jnp.array([[1.0], [0.0], [0.0]], dtype=float) * jax.nn.softplus(t2)
                value = (1 / 3) * jnp.sum(t3)
                t4 = jnp.array([[26.0, 2.0, 80.0], [100.0, 60.0, 10.0], [90.0, 20.0, 4.0], [80.0, 50.0, 60.0], [1.0, 1.0, 1.0]], dtype=float)
                t5 = jnp.array([[0.0, -0.3333333333333333, -0.3333333333333333]], dtype=float)
                grad_W = ((1 / 3) * jax.nn.sigmoid(W @ t4) + t5) @ t1
                return value, grad_W
        "#]],
    );
    expect_code(
        &mut s,
        "code(L, \"torch\", W)",
        expect![[r#"
            import torch

            # Pass float64 tensors for results like symgrad's.


            def L_and_grad(W):
                """The value and the gradient, from symgrad."""
                assert W.shape == (1, 5), f"W: expected shape (1, 5), got {tuple(W.shape)}"
                t1 = torch.tensor([[26.0, 100.0, 90.0, 80.0, 1.0], [2.0, 60.0, 20.0, 50.0, 1.0], [80.0, 10.0, 4.0, 60.0, 1.0]], dtype=torch.float64)
                t2 = t1 @ W.T
                t3 = torch.tensor([[1.0], [0.0], [0.0]], dtype=torch.float64) * torch.nn.functional.softplus(t2, threshold=40.0)
                t4 = torch.tensor([[0.0], [1.0], [1.0]], dtype=torch.float64) * torch.nn.functional.softplus(-t2, threshold=40.0)
                value = (1 / 3) * torch.sum(t4 + t3)
                t5 = torch.tensor([[26.0, 2.0, 80.0], [100.0, 60.0, 10.0], [90.0, 20.0, 4.0], [80.0, 50.0, 60.0], [1.0, 1.0, 1.0]], dtype=torch.float64)
                t6 = torch.tensor([[0.0, -0.3333333333333333, -0.3333333333333333]], dtype=torch.float64)
                grad_W = ((1 / 3) * torch.sigmoid(W @ t5) + t6) @ t1
                return value, grad_W
        "#]],
    );
}

#[track_caller]
fn expect_code(s: &mut Session, call: &str, expected: Expect) {
    expected.assert_eq(&code(s, call));
}

/// Softmax cross-entropy with a bias, on data symbols X (2×n) and Y (3×n).
fn softmax_setup(n: usize) -> String {
    format!(
        "symbol X[2, {n}], Y[3, {n}], W[3, 2], b[3, 1]\nL = -sum(Y .* log(softmax(W*X + b)))\n\
         W0 = [[0.5, -1], [2, 0.25], [-3, 1.5]]\nb0 = [[0.1], [-0.2], [30]]\n"
    )
}

#[test]
fn data_given_as_symbols_become_parameters() {
    let x3 = "[[1, 2, -1], [0.5, -3, 2]]";
    let y3 = "[[1, 0, 0], [0, 1, 0], [0, 0, 1]]";
    let x5 = "[[1, 2, -1, 4, 0], [0.5, -3, 2, 1, 7]]";
    let y5 = "[[1, 0, 0, 0, 1], [0, 1, 0, 1, 0], [0, 0, 1, 0, 0]]";
    let w0 = "[[0.5, -1], [2, 0.25], [-3, 1.5]]";
    let b0 = "[[0.1], [-0.2], [30]]";
    for (n, x, y) in [(3, x3, y3), (5, x5, y5)] {
        let mut s = session(&softmax_setup(n));
        let module = code(&mut s, "code(L, \"numpy\", W)");
        assert!(module.contains("def L_and_grad(W, X, Y, b):"), "{module}");
        check_against_eval(
            &mut s,
            "L",
            "W",
            &format!("W = W0, b = b0, X = {x}, Y = {y}"),
            &[("W", w0), ("X", x), ("Y", y), ("b", b0)],
        );
        // The data's shape is checked on entry.
        let bad = std::panic::catch_unwind(|| {
            run_python(
                &module,
                "L_and_grad",
                &[("W", w0), ("X", y), ("Y", y), ("b", b0)],
            )
        });
        assert!(bad.is_err());
    }
}

#[test]
fn numeric_data_is_written_into_the_code() {
    // Numbers computed from data while the loss is built (here the 1/3 of
    // the mean and the label sums) stay right because the data is fixed.
    let mut s = session(
        "X = [[1, 2, -1], [0.5, -3, 2]]\nY = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]\n\
         symbol W[3, 2], b[3, 1]\nL = -mean(sum(Y .* log(softmax(W*X + b)), 1))\n\
         W0 = [[0.5, -1], [2, 0.25], [-3, 1.5]]\nb0 = [[0.1], [-0.2], [30]]\n",
    );
    let module = code(&mut s, "code(L, \"numpy\", b)");
    assert!(module.contains("def L_and_grad(W, b):"), "{module}");
    let got = run_python(
        &module,
        "L_and_grad",
        &[
            ("W", "[[0.5, -1], [2, 0.25], [-3, 1.5]]"),
            ("b", "[[0.1], [-0.2], [30]]"),
        ],
    );
    assert_close(
        "value",
        &got[0],
        &numbers(&mut s, "eval(L, W = W0, b = b0)"),
    );
    assert_close(
        "gradient",
        &got[1],
        &numbers(&mut s, "eval(grad(L, b), W = W0, b = b0)"),
    );
    // Data too large to write out asks for a symbol.
    expect![[r#"
        error: a 200×100 data matrix is too large to write into the code; to pass data
               as a parameter, build the expression from a symbol (symbol X[200, 100])
          --> <test>:3:1
          |
        3 | code(sum(V * D), "numpy")
          | ^^^^^^^^^^^^^^^^^^^^^^^^^
    "#]]
    .assert_eq(&run_in(
        &mut s,
        "symbol V[1, 200]\nD = randn(200, 100)\ncode(sum(V * D), \"numpy\")",
    ));
}

#[test]
fn elementwise_matrix_power_trace_slices_run_like_eval() {
    let setup = "symbol A[3, 3], v[3, 1], x
F = trace(A^3) + sum(tanh(A[0:2, :] * v)) + sum(relu(A - 1/2)) + sum(abs(A')) + sigmoid(v' * A * v) + logsumexp(A * v) + x^3*exp(-x) + sum(softplus(diag(A)))
A0 = [[0.5, -1, 2], [0.25, 3, -0.75], [1, 0.1, -2]]
v0 = [[1], [-0.5], [2]]
";
    let mut s = session(setup);
    let a0 = "[[0.5, -1, 2], [0.25, 3, -0.75], [1, 0.1, -2]]";
    let v0 = "[[1], [-0.5], [2]]";
    let bindings = "A = A0, v = v0, x = 1.5";
    check_against_eval(
        &mut s,
        "F",
        "A",
        bindings,
        &[("A", a0), ("v", v0), ("x", "1.5")],
    );
    check_against_eval(
        &mut s,
        "F",
        "x",
        bindings,
        &[("A", a0), ("v", v0), ("x", "1.5")],
    );
    check_against_eval(
        &mut s,
        "F",
        "v",
        bindings,
        &[("A", a0), ("v", v0), ("x", "1.5")],
    );
}

#[test]
fn the_trigonometric_log1p_expm1_erf_and_matrix_functions_run_like_eval() {
    let setup = "symbol A[3, 3], v[3, 1], x
G = sum(sin(A * v) .* cos(v)) + sum(log1p(A .^ 2)) + sum(expm1(-abs(v))) + sum(erf(A / 2)) + x * erf(x / sqrt(2))
G = G + sum(tan(A / 8) * atan(v)) + sum(asin(tanh(A) / 2) + acos(sigmoid(A))) + sum(sinh(v / 2) .* cosh(v)) + atan(x)
M = A + 4 * eye(3)
H = logdet(M) + det(M) / 100 + v' * inv(M) * v + sum(solve(M, v)) + trace(M^-2)
A0 = [[0.5, -1, 2], [0.25, 3, -0.75], [1, 0.1, -2]]
v0 = [[1], [-0.5], [2]]
";
    let mut s = session(setup);
    let a0 = "[[0.5, -1, 2], [0.25, 3, -0.75], [1, 0.1, -2]]";
    let v0 = "[[1], [-0.5], [2]]";
    let bindings = "A = A0, v = v0, x = 1.5";
    let args = [("A", a0), ("v", v0), ("x", "1.5")];
    for (f, w) in [("G", "A"), ("G", "v"), ("G", "x"), ("H", "A"), ("H", "v")] {
        check_against_eval(&mut s, f, w, bindings, &args);
    }
}

#[test]
fn a_one_by_one_symbol_takes_any_array_of_one_number() {
    // `symbol b[1]` is a scalar in symgrad; NumPy users pass b as (1, 1),
    // (1,) or a number, and each runs.
    let mut s = session("X = [[1, -2, 0.5]]\nsymbol b[1], w\nL = sum(log(1 + exp(w * X + b)))\n");
    for b in ["[[0.25]]", "[0.25]", "0.25"] {
        let args = [("b", b), ("w", "[[-1.5]]")];
        check_against_eval(&mut s, "L", "b", "b = 0.25, w = -1.5", &args);
    }
    // Two numbers are still refused, naming the shape.
    let module = code(&mut s, "code(L, \"numpy\", b)");
    let program = format!(
        "import numpy as np\n{module}\ntry:\n    L_and_grad(np.zeros((1, 2)), 1.0)\nexcept AssertionError as e:\n    print(e)\n"
    );
    assert_eq!(
        support::python(&program).trim(),
        "b: expected a scalar, got shape (1, 2)"
    );
}

#[test]
fn bad_targets_and_gradients_are_errors() {
    let mut s = session(BCE);
    let out = run_in(&mut s, "code(L, \"matlab\")");
    assert!(out.contains("unknown target \"matlab\""), "{out}");
    assert!(out.contains("\"numpy\", \"jax\", \"torch\""), "{out}");
    let out = run_in(&mut s, "code(L, \"numpy\", W[0, 1] + 1)");
    assert!(out.contains("the gradient is taken by a symbol"), "{out}");
    let out = run_in(&mut s, "code(L)");
    assert!(out.contains("wrong number of arguments"), "{out}");
}

#[test]
fn constants_reach_library_functions_as_floats_on_every_target() {
    // `jax.nn.sigmoid(2)` is an error in JAX: every number a library
    // function receives is a float of the target's dtype.
    let mut s = session(
        "symbol x, v[2, 1]\n\
         F = sigmoid(2)*x + softplus(-3)*x^2 + tanh(1/2) + exp(1.5)*x + relu(2)*sum(softmax([1, 2]) .* v) + logsumexp([3, x])\n",
    );
    let args = [("x", "0.75"), ("v", "[[1.5], [-2]]")];
    check_against_eval(&mut s, "F", "x", "x = 0.75, v = [[1.5], [-2]]", &args);
    check_against_eval(&mut s, "F", "v", "x = 0.75, v = [[1.5], [-2]]", &args);
}

#[test]
fn stable_forms_at_logits_of_a_thousand_run_on_every_target() {
    // The true values, by hand: softplus(1000.5) = 1000.5, and
    // logsumexp([1000.5, -999.25]) − (−999.25) = 1999.75.
    let mut s = session(
        "X = [[1.0, -1.0], [0.5, 2.0]]\nY = [[0, 1], [1, 0]]\nsymbol W[2, 2], b[2, 1]\n\
         L = softmax_cce(Y, W*X + b) + bce([0, 1], sigmoid(W[0, :]'))\n",
    );
    let w0 = "[[1000.5, 0], [0, -999.25]]";
    let b0 = "[[0], [0.5]]";
    let bindings = format!("W = {w0}, b = {b0}");
    check_against_eval(&mut s, "L", "W", &bindings, &[("W", w0), ("b", b0)]);
    let value = numbers(&mut s, &format!("eval(L, {bindings})"));
    assert!(value[0].is_finite() && value[0] > 1000.0, "{value:?}");
}

#[test]
fn stacked_one_by_one_parts_run_on_every_target() {
    // `W * x` (1×1) and `2` are scalars in the code; stacked, each must be
    // a 1×1 array (NumPy, JAX and PyTorch refuse to stack 0-d with 2-d).
    let mut s = session(
        "symbol W[1, 2]\nx = [0.5, -1.5]\n\
         L = sum(hstack(W * x, W .^ 2) .^ 2) + sum(vstack(2, tanh(W')) .* [1, 2, 3])\n",
    );
    let w0 = "[[0.75, -1.25]]";
    check_against_eval(&mut s, "L", "W", &format!("W = {w0}"), &[("W", w0)]);
}

#[test]
fn a_logsumexp_over_everything_of_a_sum_runs_on_every_target() {
    // PyTorch's code once flattened only the last term, `(W * x)`, so that
    // `b` (2×1) broadcast against it (2,) into a 2×2 sum.
    let mut s = session("symbol W[2, 2], b[2, 1]\nx = [1, 3]\nL = logsumexp(b + W * x)\n");
    let (w0, b0) = ("[[0.5, -1], [2, 0.25]]", "[[0.5], [-1]]");
    let bindings = format!("W = {w0}, b = {b0}");
    check_against_eval(&mut s, "L", "W", &bindings, &[("W", w0), ("b", b0)]);
    // By hand: b + W⋅x = [0.5 + 0.5 − 3, −1 + 2 + 0.75] = [−2, 1.75].
    let value = numbers(&mut s, &format!("eval(L, {bindings})"));
    assert_close("value", &value, &[((-2f64).exp() + 1.75f64.exp()).ln()]);
}

#[test]
fn the_gradient_through_a_slice_of_a_wide_symbol_runs_on_every_target() {
    // The gradient is 2⋅W[:, 1:3] between columns of zeros, 3 × 4 997 of
    // them: more numbers than the code may hold as a literal, written as a
    // fill (it was an error asking for a data symbol where there was none).
    let mut s = session("symbol W[3, 5000]\nL = sum(W[:, 1:3] .^ 2)\n");
    let (w0, values) = literal(3, 5000, |i, j| {
        (i as f64 + 1.0) * ((j % 7) as f64 - 3.0) / 4.0
    });
    check_against_eval(&mut s, "L", "W", &format!("W = {w0}"), &[("W", &w0)]);
    // By hand: the sum of squares of columns 1 and 2, and 2⋅W there.
    let at = |i: usize, j: usize| values[i * 5000 + j];
    let want: f64 = (0..3)
        .flat_map(|i| [at(i, 1), at(i, 2)])
        .map(|x| x * x)
        .sum();
    assert_close(
        "value",
        &numbers(&mut s, &format!("eval(L, W = {w0})")),
        &[want],
    );
    let grad = numbers(&mut s, &format!("eval(grad(L, W), W = {w0})"));
    for (k, g) in grad.iter().enumerate() {
        let (i, j) = (k / 5000, k % 5000);
        let by_hand = if j == 1 || j == 2 {
            2.0 * at(i, j)
        } else {
            0.0
        };
        assert_eq!(*g, by_hand, "entry {i}, {j}");
    }
}

#[test]
fn a_gradient_through_a_flat_relu_under_a_root_is_zero_there_on_every_target() {
    // ∂/∂W Σ √relu(W⋅x) is step(W⋅x)/(2⋅√relu(W⋅x))⋅xᵀ: 0 in the rows where
    // W⋅x < 0, where the root's slope is infinite. The code selects with
    // `where`; a product with `heaviside` was NaN there.
    let mut s = session("symbol W[2, 2]\nx = [[1], [2]]\nL = sum(sqrt(relu(W * x)))\n");
    let w0 = "[[1, 1.5], [-2, 0.5]]";
    check_against_eval(&mut s, "L", "W", &format!("W = {w0}"), &[("W", w0)]);
    // By hand: W⋅x = [4, −1], so the gradient is [1/(2⋅2)⋅xᵀ; 0].
    let grad = numbers(&mut s, &format!("eval(grad(L, W), W = {w0})"));
    assert_close("gradient", &grad, &[0.25, 0.5, 0.0, 0.0]);
}

/// A matrix literal of `rows × cols` values `f(i, j)`, and the values.
fn literal(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> (String, Vec<f64>) {
    let values: Vec<f64> = (0..rows)
        .flat_map(|i| (0..cols).map(move |j| (i, j)))
        .map(|(i, j)| f(i, j))
        .collect();
    (matrix_literal(&values, cols), values)
}

/// `vstack`/`hstack` of symbolic matrices stay blocks: the gradient of a
/// part is its block of the stack's adjoint (against the derivative of
/// `sum(tanh(X) .* C)`, written out by hand), evaluation stacks the blocks,
/// and the NumPy, JAX and PyTorch exports stack them too.
#[test]
fn stacked_symbolic_blocks_differentiate_block_by_block_on_every_target() {
    let (c, cv) = literal(5, 6, |i, j| 0.3 * i as f64 - 0.2 * j as f64 + 0.1);
    let (w0, wv) = literal(3, 4, |i, j| ((i * 4 + j) as f64 * 0.37).sin());
    let (v0, vv) = literal(2, 4, |i, j| ((i * 4 + j) as f64 * 0.71).cos());
    let (u0, uv) = literal(5, 2, |i, j| 0.25 * (i as f64) - 0.5 * (j as f64));
    let mut s = session(&format!(
        "symbol W[3, 4], V[2, 4], U[5, 2]\nC = {c}\nL = sum(tanh(hstack(vstack(W, V), U)) .* C)\n"
    ));
    // The stacked 5×6 matrix by hand, and ∂L/∂X = (1 − tanh²(X)) .* C.
    let x = |i: usize, j: usize| match (i, j) {
        (i, j) if j >= 4 => uv[i * 2 + (j - 4)],
        (i, j) if i < 3 => wv[i * 4 + j],
        (i, j) => vv[(i - 3) * 4 + j],
    };
    let dx = |i: usize, j: usize| (1.0 - x(i, j).tanh().powi(2)) * cv[i * 6 + j];
    let bindings = format!("W = {w0}, V = {v0}, U = {u0}");
    let value = numbers(&mut s, &format!("eval(L, {bindings})"));
    let want: f64 = (0..5)
        .flat_map(|i| (0..6).map(move |j| (i, j)))
        .map(|(i, j)| x(i, j).tanh() * cv[i * 6 + j])
        .sum();
    assert!((value[0] - want).abs() < 1e-12, "{value:?} vs {want}");
    for (w, rows, cols, at) in [
        ("W", 3, 4, (0, 0)),
        ("V", 2, 4, (3, 0)),
        ("U", 5, 2, (0, 4)),
    ] {
        let got = numbers(&mut s, &format!("eval(grad(L, {w}), {bindings})"));
        let want: Vec<f64> = (0..rows)
            .flat_map(|i| (0..cols).map(move |j| (i, j)))
            .map(|(i, j)| dx(at.0 + i, at.1 + j))
            .collect();
        assert_eq!(got.len(), want.len(), "{w}");
        for (g, e) in got.iter().zip(&want) {
            assert!((g - e).abs() < 1e-12, "∂L/∂{w}: {got:?} vs {want:?}");
        }
    }
    let args = [("W", w0.as_str()), ("V", v0.as_str()), ("U", u0.as_str())];
    check_against_eval(&mut s, "L", "W", &bindings, &args);
    check_against_eval(&mut s, "L", "U", &bindings, &args);
    assert!(code(&mut s, "code(L, \"numpy\")").contains("np.vstack([W, V])"));
}

/// Large symbolic stacks are not expanded: the gradient through a
/// 200×200 stack is the part it is, not its 40 000 elements.
#[test]
fn large_symbolic_stacks_stay_whole() {
    let mut s = session("symbol W[100, 200], V[100, 200]\nS = vstack(W, V)\n");
    assert_eq!(run_in(&mut s, "grad(sum(S .* S), W)"), "2⋅W");
    assert_eq!(run_in(&mut s, "text(hstack(W, V)')"), "hstack(W, V)'");
}

/// Through a matrix product: the gradient of a block of `vstack(W, V) ⋅ X`
/// agrees with central differences of the value.
#[test]
fn stacked_blocks_through_a_product_agree_with_finite_differences() {
    let (x, _) = literal(4, 3, |i, j| ((i * 3 + j) as f64 * 0.53).sin());
    let (w0, _) = literal(2, 4, |i, j| 0.3 * i as f64 - 0.1 * j as f64);
    let (_, v0) = literal(3, 4, |i, j| ((i * 4 + j) as f64 * 0.29).cos());
    let mut s = session(&format!(
        "symbol W[2, 4], V[3, 4]\nX = {x}\nL = sum(tanh(vstack(W, V) * X) .^ 2)\n"
    ));
    let at = |v: &[f64]| format!("W = {w0}, V = {}", matrix_literal(v, 4));
    let grad = numbers(&mut s, &format!("eval(grad(L, V), {})", at(&v0)));
    let h = 1e-6;
    for k in 0..v0.len() {
        let (mut up, mut down) = (v0.clone(), v0.clone());
        up[k] += h;
        down[k] -= h;
        let fd = (numbers(&mut s, &format!("eval(L, {})", at(&up)))[0]
            - numbers(&mut s, &format!("eval(L, {})", at(&down)))[0])
            / (2.0 * h);
        assert!(
            (fd - grad[k]).abs() < 1e-7,
            "∂L/∂V[{k}]: {} vs {fd}",
            grad[k]
        );
    }
}
