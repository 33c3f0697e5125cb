//! The loss library end to end through `Session::run`: the prelude's losses
//! (value and gradient), `one_hot`, `:help` of prelude and user functions,
//! and the errors of user functions (recursion, shapes at the call).
//!
//! Golden numbers were computed independently with NumPy 2.4.6 (the code is
//! in the comment next to each, after `import numpy as np`) or by hand.

use expect_test::expect;
use symgrad_lang::Session;

mod support;
use support::{assert_close, check, numbers, run, run_in, session};

const RTOL: f64 = 1e-12;

/// Checks `eval(loss)` and `eval(grad(loss, wrt))` at `at` against the
/// expected value and gradient (row by row).
#[track_caller]
fn check_loss(setup: &str, loss: &str, wrt: &str, at: &str, value: f64, gradient: &[f64]) {
    let mut s = session(setup);
    let got = numbers(&mut s, &format!("eval({loss}, {at})"));
    assert_close(loss, &got, &[value], RTOL, 0.0);
    let got = numbers(&mut s, &format!("eval(grad({loss}, {wrt}), {at})"));
    assert_close(&format!("grad({loss}, {wrt})"), &got, gradient, RTOL, 1e-15);
}

// ---------------------------------------------------------------------------
// The losses: value and gradient
// ---------------------------------------------------------------------------

#[test]
fn bce_value_and_gradient() {
    // y = np.array([1, 0, 1, 1.]); p = np.array([0.9, 0.2, 0.6, 0.3])
    // -np.mean(y*np.log(p) + (1-y)*np.log(1-p))  # 0.5108256237659907
    // (p - y) / (p*(1 - p)) / 4
    check_loss(
        "y = [1, 0, 1, 1]\nsymbol p[4]",
        "bce(y, p)",
        "p",
        "p = [0.9, 0.2, 0.6, 0.3]",
        0.5108256237659907,
        &[
            -0.2777777777777778,
            0.31249999999999994,
            -0.4166666666666667,
            -0.8333333333333333,
        ],
    );
}

#[test]
fn bce_logits_value_and_gradient() {
    // y = np.array([1, 0, 1, 1.]); z = np.array([2.0, -1.5, 0.5, -3.0])
    // np.mean(np.logaddexp(0, z) - y*z)  # 0.9627514061948934
    // (1/(1 + np.exp(-z)) - y) / 4
    check_loss(
        "y = [1, 0, 1, 1]\nsymbol z[4]",
        "bce_logits(y, z)",
        "z",
        "z = [2.0, -1.5, 0.5, -3.0]",
        0.9627514061948934,
        &[
            -0.02980073050552942,
            0.04560638095158909,
            -0.09438516719953635,
            -0.2381435317056083,
        ],
    );
    // The same loss from probabilities: bce(y, σ(z)) equals bce_logits(y, z).
    check_loss(
        "y = [1, 0, 1, 1]\nsymbol z[4]",
        "bce(y, sigmoid(z))",
        "z",
        "z = [2.0, -1.5, 0.5, -3.0]",
        0.9627514061948934,
        &[
            -0.02980073050552942,
            0.04560638095158909,
            -0.09438516719953635,
            -0.2381435317056083,
        ],
    );
}

#[test]
fn bce_logits_at_logits_of_1000_is_finite_and_right() {
    // By hand: the per-sample losses are softplus(z) - y z = 0, 0, 1000,
    // 1000 (the last two are wrong by 1000 logits), so the mean is 500; the
    // gradient (σ(z) - y)/4 is 0, 0, 1/4, -1/4.
    let setup = "y = [1, 0, 0, 1]\nsymbol z[4]";
    let at = "z = [1000, -1000, 1000, -1000]";
    check_loss(
        setup,
        "bce_logits(y, z)",
        "z",
        at,
        500.0,
        &[0.0, 0.0, 0.25, -0.25],
    );
    // The probability form, stabilised by eval, agrees.
    check_loss(
        setup,
        "bce(y, sigmoid(z))",
        "z",
        at,
        500.0,
        &[0.0, 0.0, 0.25, -0.25],
    );
}

#[test]
fn cce_value_and_gradient() {
    // Y = np.eye(3)[:, [0, 2, 1]]
    // P = np.array([[0.7, 0.1, 0.2], [0.2, 0.3, 0.5], [0.1, 0.6, 0.3]])
    // -np.sum(Y*np.log(P))/3  # 0.5202159160882228
    // -Y/P/3
    check_loss(
        "Y = one_hot([0, 2, 1], 3)\nsymbol P[3, 3]",
        "cce(Y, P)",
        "P",
        "P = [[0.7, 0.1, 0.2], [0.2, 0.3, 0.5], [0.1, 0.6, 0.3]]",
        0.5202159160882228,
        &[
            -0.4761904761904762,
            0.0,
            0.0,
            0.0,
            0.0,
            -0.6666666666666666,
            0.0,
            -0.5555555555555556,
            0.0,
        ],
    );
}

const SOFTMAX_DATA: &str = "
Y = one_hot([0, 2, 1, 2], 3)
X = [[1.0, 2.0, -1.0, 0.5], [0.0, 1.0, 2.0, -2.0]]
symbol W[3, 2]
";

#[test]
fn softmax_cce_value_and_gradient() {
    // Y = np.eye(3)[:, [0, 2, 1, 2]]
    // W = np.array([[0.5, -1.0], [0.25, 0.75], [-0.5, 0.0]])
    // X = np.array([[1.0, 2.0, -1.0, 0.5], [0.0, 1.0, 2.0, -2.0]])
    // Z = W@X; S = np.exp(Z - Z.max(0)); S /= S.sum(0)
    // -np.sum(Y*np.log(S))/4  # 1.5876329057374021
    // (S - Y) @ X.T / 4
    check_loss(
        SOFTMAX_DATA,
        "softmax_cce(Y, W*X)",
        "W",
        "W = [[0.5, -1.0], [0.25, 0.75], [-0.5, 0.0]]",
        1.5876329057374021,
        &[
            0.07818797400984978,
            -0.3916447869142372,
            0.5357976726157206,
            0.0018427316659383,
            -0.6139856466255704,
            0.38980205524829886,
        ],
    );
}

#[test]
fn softmax_cce_at_large_scores_is_finite_and_right() {
    // The scores W X are in the thousands. By hand: the columns of W X are
    // [500, 250, -500], [0, 1250, -1000], [-2500, 1250, 500],
    // [2250, -1375, -250]; the loss of a column is its largest score minus
    // the labelled one (up to e⁻²⁵⁰): 0, 2250, 0, 2500, mean 1187.5. The
    // softmax is one-hot at each column's largest score, so the gradient is
    // ((e₁ - e₂) x₁ᵀ + (e₀ - e₂) x₃ᵀ)/4 with x₁ = [2, 1], x₃ = [0.5, -2].
    check_loss(
        SOFTMAX_DATA,
        "softmax_cce(Y, W*X)",
        "W",
        "W = [[500, -1000], [250, 750], [-500, 0]]",
        1187.5,
        &[0.125, -0.5, 0.5, 0.25, -0.625, 0.25],
    );
}

#[test]
fn mse_value_and_gradient() {
    // y = np.array([1.0, -2.0, 0.5, 3.0]); w = np.array([0.5, -1.5])
    // X = np.array([[1.0, 2.0, -1.0, 0.5], [0.0, 1.0, 2.0, -2.0]])
    // r = X.T@w - y; np.mean(r**2)  # 4.640625
    // 2*X@r/4  # [3.3125, -3.5]
    check_loss(
        "y = [1.0, -2.0, 0.5, 3.0]\nX = [[1.0, 2.0, -1.0, 0.5], [0.0, 1.0, 2.0, -2.0]]\nsymbol w[2]",
        "mse(y, X'*w)",
        "w",
        "w = [0.5, -1.5]",
        4.640625,
        &[3.3125, -3.5],
    );
}

#[test]
fn l2_value_and_gradient() {
    // By hand: 0.25 + 1 + 0.0625 + 0.5625 + 0.25 + 0 = 2.125; the gradient is 2W.
    check_loss(
        "symbol W[3, 2]",
        "l2(W)",
        "W",
        "W = [[0.5, -1.0], [0.25, 0.75], [-0.5, 0.0]]",
        2.125,
        &[1.0, -2.0, 0.5, 1.5, -1.0, 0.0],
    );
}

/// The prelude's softmax loss differentiates to the same closed form as the
/// loss written by hand.
#[test]
fn printed_gradient_of_softmax_cce_is_the_closed_form() {
    let setup = "symbol W[2, 2]\nY = one_hot([0, 1, 0], 2)\nX = [[1, 2, 3], [4, 5, 6]]";
    let by_hand = run(&format!(
        "{setup}\ngrad(-(1/3)*sum(Y .* log(softmax(W*X))), W)"
    ));
    let prelude = run(&format!("{setup}\ngrad(softmax_cce(Y, W*X), W)"));
    assert_eq!(prelude, by_hand);
    expect![[r#"
        (softmax(W⋅X) - Y)⋅Xᵀ
        ─────────────────────
                  3"#]]
    .assert_eq(&prelude);
}

// ---------------------------------------------------------------------------
// one_hot
// ---------------------------------------------------------------------------

#[test]
fn one_hot_values() {
    check(
        "text(one_hot([2, 0, 1, 2], 3))",
        expect!["[[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 1]]"],
    );
    // A row of labels, whole floats (as loaded from a file), one label.
    check(
        "text(one_hot([[1, 0]], 2))\ntext(one_hot([1.0, 0.0, 3.0], 4))\ntext(one_hot(1, 2))",
        expect![[r#"
            [[0, 1], [1, 0]]
            [[0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 1]]
            [0, 1]"#]],
    );
}

#[test]
fn one_hot_errors() {
    check(
        "one_hot([2, 0, 1.5], 3)",
        expect![[r#"
            error: the label at position 2 is 1.5, not an integer
              --> <test>:1:9
              |
            1 | one_hot([2, 0, 1.5], 3)
              |         ^^^^^^^^^^^
              |
              = hint: labels are a vector of integers 0, 1, …, K-1, e.g. [2, 0, 1]
        "#]],
    );
    check(
        "one_hot([2, 0, 3], 3)",
        expect![[r#"
            error: the label at position 2 is 3, outside 0…2 for K = 3
              --> <test>:1:9
              |
            1 | one_hot([2, 0, 3], 3)
              |         ^^^^^^^^^
              |
              = hint: labels are a vector of integers 0, 1, …, K-1, e.g. [2, 0, 1]
        "#]],
    );
    check(
        "one_hot([-1, 0], 2)",
        expect![[r#"
            error: the label at position 0 is -1, outside 0…1 for K = 2
              --> <test>:1:9
              |
            1 | one_hot([-1, 0], 2)
              |         ^^^^^^^
              |
              = hint: labels are a vector of integers 0, 1, …, K-1, e.g. [2, 0, 1]
        "#]],
    );
    check(
        "one_hot([1, 0], 0)",
        expect![[r#"
            error: the number of classes K must be a positive integer, not 0
              --> <test>:1:17
              |
            1 | one_hot([1, 0], 0)
              |                 ^
        "#]],
    );
    check(
        "one_hot([1, 0], 2.5)",
        expect![[r#"
            error: expected an integer
              --> <test>:1:17
              |
            1 | one_hot([1, 0], 2.5)
              |                 ^^^
        "#]],
    );
    check(
        "one_hot([[1, 0], [0, 1]], 2)",
        expect![[r#"
            error: labels must be a vector (n×1 or 1×n), not 2×2
              --> <test>:1:9
              |
            1 | one_hot([[1, 0], [0, 1]], 2)
              |         ^^^^^^^^^^^^^^^^
              |
              = hint: labels are a vector of integers 0, 1, …, K-1, e.g. [2, 0, 1]
        "#]],
    );
    check(
        "symbol c[2]\none_hot(c, 2)",
        expect![[r#"
            error: labels must be numbers
              --> <test>:2:9
              |
            2 | one_hot(c, 2)
              |         ^
              |
              = hint: labels are a vector of integers 0, 1, …, K-1, e.g. [2, 0, 1]
        "#]],
    );
    check(
        "one_hot([1, 0])",
        expect![[r#"
            error: wrong number of arguments: one_hot(labels, K) takes 2 arguments, got 1
              --> <test>:1:1
              |
            1 | one_hot([1, 0])
              | ^^^^^^^^^^^^^^^
              |
              = hint: usage: one_hot(labels, K)
        "#]],
    );
}

// ---------------------------------------------------------------------------
// :help, :vars, completion, redefinition
// ---------------------------------------------------------------------------

#[test]
fn help_of_a_prelude_loss_shows_its_formula_in_2d() {
    check(
        ":help bce",
        expect![[r#"
            bce(y, p) = -mean(y .* log(p) + (1 - y) .* log(1 - p))
              mean binary cross-entropy of probabilities p against labels y
              from the prelude; a definition of your own replaces it until :reset

            -mean(y∘log(p) + (1 - y)∘log(1 - p))"#]],
    );
    check(
        ":help mse",
        expect![[r#"
            mse(y, yhat) = mean((y - yhat) .^ 2)
              mean squared error
              from the prelude; a definition of your own replaces it until :reset

                ⎛          ∘2⎞
            mean⎝(y - yhat)  ⎠"#]],
    );
    check(
        ":help softmax_cce",
        expect![[r#"
            softmax_cce(Y, Z) = cce(Y, softmax(Z))
              categorical cross-entropy from scores Z (softmax down each column)
              from the prelude; a definition of your own replaces it until :reset

            -mean(sum(Y∘log(softmax(Z)), 1))"#]],
    );
}

/// `:help`, and `:help NAME` of every function, loss, command and topic,
/// fit an 80-column terminal.
#[test]
fn help_fits_80_columns() {
    let mut topics: Vec<String> = vec![String::new()];
    topics.extend(symgrad_lang::BUILTINS.iter().map(|b| b.name.to_string()));
    topics.extend(symgrad_lang::COMMANDS.iter().map(|c| c.name.to_string()));
    topics.extend(
        [
            "bce",
            "softmax_cce",
            "accuracy",
            "symbol",
            "operators",
            "literals",
            "numpy",
            "sympy",
        ]
        .map(String::from),
    );
    for topic in topics {
        let help = run(&format!(":help {topic}"));
        for line in help.lines() {
            assert!(
                line.chars().count() <= 80,
                ":help {topic}: a line of {} columns:\n{line}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn help_lists_the_losses() {
    let help = run(":help");
    let start = help.find("Losses (prelude").expect("a losses section");
    let end = start + help[start..].find("\n\n").expect("the end of the section");
    expect![[r#"
        Losses (prelude, written in symgrad; :help NAME shows the formula):
          bce(y, p)                   mean binary cross-entropy of probabilities p
                                      against labels y
          bce_logits(y, z)            binary cross-entropy from logits z (p = σ(z)),
                                      stable at any z
          cce(Y, P)                   mean categorical cross-entropy: one-hot columns Y,
                                      probability columns P
          softmax_cce(Y, Z)           categorical cross-entropy from scores Z (softmax
                                      down each column)
          mse(y, yhat)                mean squared error
          l2(W)                       sum of squares, for L2 regularisation
          norm(A)                     Euclidean length of a vector, Frobenius norm of a
                                      matrix (NumPy's linalg.norm)
          accuracy(Y, P)              fraction of columns where argmax of the scores P
                                      is that of one-hot Y (on numbers)"#]]
    .assert_eq(&help[start..end]);
    assert!(help.contains("one_hot(labels, K)"));
}

#[test]
fn help_of_a_user_function_shows_its_definition_and_body() {
    check(
        "f(x, w) = sigmoid(w * x) .^ 2   # a comment\n:help f",
        expect![[r#"
            f(x, w) = sigmoid(w * x) .^ 2   # a comment
              a function defined in this session

                  ∘2
            σ(w⋅x)"#]],
    );
    // The names a body uses, and its parameters when the session has them,
    // are shown as symbols of their shapes here; a prelude function's help
    // does not depend on the session.
    let setup = "symbol W[3, 2]\nY = one_hot([0, 2, 1], 3)\nX = [[1, 2, 3], [4, 5, 6]]\ny = [[1, 2, 3]]\np = [[1, 2]]";
    check(
        &format!("{setup}\nloss(W) = softmax_cce(Y, W*X) + 0.01*l2(W)\n:help loss"),
        expect![[r#"
            loss(W) = softmax_cce(Y, W*X) + 0.01*l2(W)
              a function defined in this session

                    ⎛ ∘2⎞
            0.01⋅sum⎝W  ⎠ - mean(sum(Y∘log(softmax(W⋅X)), 1))"#]],
    );
    assert_eq!(run(&format!("{setup}\n:help bce")), run(":help bce"));
    // The user's functions are listed by :help and :vars, the prelude's not by :vars.
    let out = run("f(x) = x + 1\n:vars\n:help");
    assert!(out.starts_with("f  function of x\n"), "{out}");
    assert!(out.contains("Your functions:\n  f(x) = x + 1\n"), "{out}");
    check(":vars", expect!["no names are bound"]);
}

#[test]
fn prelude_functions_complete_and_can_be_redefined_until_reset() {
    let mut s = Session::new();
    let names = s.completions();
    for name in [
        "bce",
        "bce_logits",
        "cce",
        "softmax_cce",
        "mse",
        "l2",
        "one_hot",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} is not completed");
    }
    let out = run_in(
        &mut s,
        "mse(a, b) = sum(abs(a - b))\nmse([1, 2], [2, 4])\n:vars\n:reset\nmse([1, 2], [2, 4])\n:vars",
    );
    expect![[r#"
        3
        mse  function of a, b
        5
        ─
        2
        no names are bound"#]]
    .assert_eq(&out);
}

// ---------------------------------------------------------------------------
// Errors of user functions
// ---------------------------------------------------------------------------

#[test]
fn recursion_is_refused_at_the_definition() {
    check(
        "f(x) = f(x) + 1; f(1)",
        expect![[r#"
            error: f calls itself
              --> <test>:1:8
              |
            1 | f(x) = f(x) + 1; f(1)
              |        ^^^^ this call would never return
              |
              = hint: the language has no conditionals, so recursion could never stop
        "#]],
    );
    check(
        "g(x) = h(x) * 2\nh(x) = k(x) + 1\nk(x) = exp(g(x))",
        expect![[r#"
            error: k calls itself through k → g → h → k
              --> <test>:3:12
              |
            3 | k(x) = exp(g(x))
              |            ^^^^ this call would never return
              |
              = hint: the language has no conditionals, so recursion could never stop
        "#]],
    );
    // The refused definition leaves the earlier one in place.
    check(
        "f(x) = x + 1\ng(x) = f(x)\nf(x) = g(x)\n",
        expect![[r#"
            error: f calls itself through f → g → f
              --> <test>:3:8
              |
            3 | f(x) = g(x)
              |        ^^^^ this call would never return
              |
              = hint: the language has no conditionals, so recursion could never stop
        "#]],
    );
    let mut s = Session::new();
    run_in(&mut s, "f(x) = x + 1\ng(x) = f(x)\nf(x) = g(x)");
    assert_eq!(run_in(&mut s, "g(2)"), "3");
}

/// Deep bodies called inside deep bodies, through a chain of 40 functions,
/// evaluate without overflowing the stack (this test runs on the test
/// harness's small stack, also in debug builds).
#[test]
fn deeply_nested_calls_do_not_overflow_the_stack() {
    let ones = " + 1".repeat(199);
    let mut src = format!("f1(x) = x{ones}\n");
    for k in 2..=40 {
        src.push_str(&format!("f{k}(x) = f{}(x){ones}\n", k - 1));
    }
    // By hand: each function adds 199.
    let out = run(&format!("{src}f1(1)\nf40(1)\nf40(x)"));
    assert_eq!(out, "200\n7961\nx + 7960");
    // The deepest statement the parser accepts, evaluated.
    let deepest = format!("x{}", " + 1".repeat(symgrad_lang::MAX_EXPR_DEPTH - 2));
    assert_eq!(run(&format!("x = 1\n{deepest}")), "499");
}

/// A chain of more than 1000 functions calling each other is an error.
#[test]
fn a_chain_of_over_1000_calls_is_an_error() {
    let mut src = "f0(x) = x\n".to_string();
    for k in 1..=1000 {
        src.push_str(&format!("f{k}(x) = f{}(x) + 1\n", k - 1));
    }
    let mut s = Session::new();
    assert_eq!(run_in(&mut s, &format!("{src}f999(0)")), "999");
    expect![[r#"
        error: in f1000(x) → f999(x) → … → f1(x): function calls nested more than 1000
               deep
          --> <test>:2:1
          |
        2 | f1000(y)
          | ^^^^^^^^
          |
          = hint: f1 is defined as f1(x) = f0(x) + 1
    "#]]
    .assert_eq(&run_in(&mut s, "y = 2\nf1000(y)"));
    assert_eq!(run_in(&mut s, "f2(y)"), "4");
}

#[test]
fn shape_errors_point_at_the_call() {
    check(
        "bce([1, 0], [0.5, 0.2, 0.3])",
        expect![[r#"
            error: in bce(y, p): shape mismatch in .*: 2×1 and 3×1
              --> <test>:1:1
              |
            1 | bce([1, 0], [0.5, 0.2, 0.3])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "symbol W[3, 2]\nL = softmax_cce(one_hot([0, 1, 2], 3), W * [[1, 2], [3, 4]])",
        expect![[r#"
            error: in softmax_cce(Y, Z) → cce(Y, P): shape mismatch in .*: 3×3 and 3×2
              --> <test>:2:5
              |
            2 | L = softmax_cce(one_hot([0, 1, 2], 3), W * [[1, 2], [3, 4]])
              |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    // A user function defined in an earlier input: the error points at the
    // call in this input and shows the definition.
    let mut s = Session::new();
    run_in(&mut s, "f(a, b) = a' * b");
    expect![[r#"
        error: in f(a, b): shape mismatch in the matrix product: 1×2 and 3×1
          --> <test>:2:5
          |
        2 | 1 + f([1, 2], [1, 2, 3])
          |     ^^^^^^^^^^^^^^^^^^^^
          |
          = hint: f is defined as f(a, b) = a' * b
    "#]]
    .assert_eq(&run_in(&mut s, "x = 1\n1 + f([1, 2], [1, 2, 3])"));
    check(
        "f(a) = a\nf(1, 2)",
        expect![[r#"
            error: f takes 1 argument(s), got 2
              --> <test>:2:1
              |
            2 | f(1, 2)
              | ^^^^^^^
              |
              = hint: usage: f(a)
        "#]],
    );
}
