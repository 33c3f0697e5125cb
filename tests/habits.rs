//! NumPy and SymPy habits get help, not silence: the errors for `*` of two
//! vectors, `A.shape`, `np.…`, `A.sum()`, `@`, `axis=`, SymPy's `N`,
//! `pprint`, `Matrix`, `e.subs(…)` and `solve(f, x)` name symgrad's spelling,
//! and the notes (given once, to the sink the REPL sets) for a name that
//! becomes a new scalar symbol, `^` of a square matrix inside `sum`, and a
//! derivative by a symbol the function does not contain.

use expect_test::{Expect, expect};
use std::cell::RefCell;
use std::rc::Rc;
use symgrad_lang::Session;

mod support;
use support::{check, run_in};

/// Runs `src` in a session with notes on; the output has each note as a
/// `note: …` line where it was made.
fn with_notes(src: &str) -> String {
    let mut s = Session::new();
    let lines = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = Rc::clone(&lines);
    s.set_notes(Box::new(move |n| {
        sink.borrow_mut().push(format!("note: {n}"))
    }));
    let mut out = Vec::new();
    for stmt in src.lines() {
        let result = run_in(&mut s, stmt);
        out.append(&mut lines.borrow_mut());
        if !result.is_empty() {
            out.push(result);
        }
    }
    out.join("\n")
}

#[track_caller]
fn check_notes(src: &str, expected: Expect) {
    expected.assert_eq(&with_notes(src));
}

#[test]
fn a_matrix_product_of_two_vectors_suggests_the_elementwise_product() {
    check(
        "y = [1, 0, 1]\np = [0.5, 0.25, 0.5]\ny * log(p)",
        expect![[r#"
            error: shape mismatch in the matrix product: 3×1 and 3×1
              --> <test>:3:3
              |
            3 | y * log(p)
              |   ^
              |
              = hint: * is the matrix product; use .* for the elementwise product
        "#]],
    );
    // A row times a matrix it broadcasts over: the same hint.
    check(
        "[[1, 2, 3]] * [[1, 2, 3], [4, 5, 6]]",
        expect![[r#"
            error: shape mismatch in the matrix product: 1×3 and 2×3
              --> <test>:1:13
              |
            1 | [[1, 2, 3]] * [[1, 2, 3], [4, 5, 6]]
              |             ^
              |
              = hint: * is the matrix product; use .* for the elementwise product
        "#]],
    );
    // Shapes no product fits: no hint.
    check(
        "[[1, 2, 3]] * [[1, 2], [4, 5]]",
        expect![[r#"
            error: shape mismatch in the matrix product: 1×3 and 2×2
              --> <test>:1:13
              |
            1 | [[1, 2, 3]] * [[1, 2], [4, 5]]
              |             ^
        "#]],
    );
}

#[test]
fn numpy_spellings_get_errors_naming_symgrads() {
    check(
        "A = [[1, 2], [3, 4]]\nA.shape",
        expect![[r#"
            error: unexpected '.'
              --> <test>:2:2
              |
            2 | A.shape
              |  ^ expected an operator, or the end of the statement
              |
              = hint: the shape is a function here: shape(A)
        "#]],
    );
    check(
        "np.sum(A)",
        expect![[r#"
            error: unexpected '.'
              --> <test>:1:3
              |
            1 | np.sum(A)
              |   ^ expected an operator, or the end of the statement
              |
              = hint: functions have no module prefix: write exp(x), sum(A, 1), eye(3)
        "#]],
    );
    check(
        "A.sum()",
        expect![[r#"
            error: unexpected '.'
              --> <test>:1:2
              |
            1 | A.sum()
              |  ^ expected an operator, or the end of the statement
              |
              = hint: write f(A, …) for A.f(…): sum(A), subs(e, x = 2); A' is the transpose
        "#]],
    );
    check(
        "A = [[1, 2], [3, 4]]\nA @ A",
        expect![[r#"
            error: unknown operator '@'
              --> <test>:2:3
              |
            2 | A @ A
              |   ^ expected an operator, or the end of the statement
              |
              = hint: the matrix product is A * B (and A .* B the elementwise product)
        "#]],
    );
    check(
        "A = [[1, 2], [3, 4]]\nsum(A, axis=0)",
        expect![[r#"
            error: unexpected named argument 'axis'
              --> <test>:2:8
              |
            2 | sum(A, axis=0)
              |        ^^^^
              |
              = hint: give the dimension as the second argument: sum(A, 1) down each column
                      (NumPy's axis=0), sum(A, 2) along each row (axis=1); results keep two
                      dimensions
        "#]],
    );
}

#[test]
fn numpys_dot_and_norm_compute_what_numpy_does() {
    let mut s = support::session("A = [[1, 2], [3, 4]]; symbol W[2, 3]");
    // Hand values: 1⋅3 + 2⋅4; A⋅[1, 1]; 2⋅3; √(3² + 4²); √(1 + 4 + 9 + 16).
    for (e, want) in [
        ("dot([1, 2], [3, 4])", vec![11.0]),
        ("dot(A, [1, 1])", vec![3.0, 7.0]),
        ("dot(A, A)", vec![7.0, 10.0, 15.0, 22.0]),
        ("dot(2, 3)", vec![6.0]),
        ("norm([3, 4])", vec![5.0]),
        ("norm(A)", vec![30f64.sqrt()]),
    ] {
        let got = support::numbers(&mut s, &format!("eval({e})"));
        support::assert_close(e, &got, &want, 1e-15, 0.0);
    }
    // Symbolic: the gradient of the norm is W/‖W‖, checked at a point.
    let w = [0.5, -1.25, 2.0, 0.75, -0.5, 3.0];
    let length = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    let got = support::numbers(
        &mut s,
        "eval(grad(norm(W), W), W = [[0.5, -1.25, 2], [0.75, -0.5, 3]])",
    );
    let want: Vec<f64> = w.iter().map(|v| v / length).collect();
    support::assert_close("grad(norm(W), W)", &got, &want, 1e-15, 0.0);
    check(
        "text(dot(W, [1, 2, 3]))\ndot([1, 2], [1, 2, 3])",
        expect![[r#"
            W*[1, 2, 3]
            error: dot of vectors of different lengths, 2 and 3
              --> <test>:2:1
              |
            2 | dot([1, 2], [1, 2, 3])
              | ^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn sympy_and_numpy_spellings_get_errors_naming_symgrads() {
    // Each SymPy (or NumPy) call fails with a hint that names symgrad's way.
    for (call, spelling) in [
        ("N(pi)", "eval(e"),
        ("evalf(pi)", "eval(e"),
        ("pprint(x^2)", "2-D"),
        ("Matrix([[1, 2]])", "[[1, 2], [3, 4]]"),
        ("Rational(1, 3)", "1/3"),
        ("MatrixSymbol(W, 3, 4)", "symbol W[3, 4]"),
        ("lambdify(x, x^2)", "code(e, \"numpy\")"),
        ("symbols(1)", "symbol x, y"),
        ("log10(x)", "log(x, 10)"),
        ("integrate(x, x)", "no integrals"),
        ("factor(x^2 - 1)", "simplify(e)"),
        ("Abs(x)", "did you mean 'abs'?"),
        ("x.subs(x, 2)", "subs(e, x = 2)"),
        ("sp.exp(x)", "no module prefix"),
        ("solve(x^2 - 1, x)", "descend(f, x, lr, steps)"),
        // NumPy's names, and names a near spelling would mislead on.
        ("matmul(x, x)", "A * B"),
        ("identity(3)", "eye(n)"),
        ("arctan(x)", "inverse tangent is atan(x)"),
        ("np.arcsin(x)", "module prefix"),
        ("atan2(y, x)", "atan(y/x)"),
        ("std(x)", "mean((x - mean(x)) .^ 2)"),
        ("mae(x, x)", "mean(abs(y - yhat))"),
        ("log_softmax(x)", "log(softmax(Z))"),
        ("rank(x)", "det(A)"),
        ("maximum(x, 0)", "relu(x)"),
        ("linspace(0, 1, 5)", "plot(f, w, lo, hi)"),
    ] {
        let out = with_notes(call);
        assert!(
            out.lines().any(|l| l.starts_with("error: ")),
            "{call}: {out}"
        );
        let hint = out.lines().find(|l| l.contains("= hint: ")).unwrap_or("");
        assert!(hint.contains(spelling), "{call}: {out}");
        // An 80-column terminal shows each line whole.
        assert!(
            out.lines().all(|l| l.chars().count() <= 80),
            "{call}: {out}"
        );
    }
    // A linear solve still solves: the guard is only for solve(f, x) with
    // x in f, and not for a square system in the symbol it solves for.
    check_notes(
        "text(solve(2, x))\ntext(solve([[2, 0], [0, 4]], [1, 1]))\n\
         symbol W[2, 3]\ntext(solve(W * W' + eye(2), W))\n\
         symbol w[1, 3]\ntext(solve(w * w' + 1, w))",
        expect![[r#"
            note: x is a new scalar symbol
            x/2
            [1/2, 1/4]
            (W * W' + [[1, 0], [0, 1]])^(-1) * W
            w/(w * w' + 1)"#]],
    );
    // The table of spellings fits an 80-column terminal.
    let table = with_notes(":help sympy");
    assert!(table.lines().count() > 10, "{table}");
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
}

#[test]
fn a_new_scalar_symbol_is_noted_once_with_a_near_name() {
    check_notes(
        "theta = [[1, 2]]\nthetta + 1\nthetta * 2\nsymbol v\nv + 1\nt = 3\nt + 1",
        expect![[r#"
            note: thetta is a new scalar symbol (did you mean theta?)
            thetta + 1
            2⋅thetta
            v + 1
            4"#]],
    );
    check_notes(
        "diff(sin(q), q)",
        expect![[r#"
            note: q is a new scalar symbol
            cos(q)"#]],
    );
    // Without a sink (scripts, tests), there are no notes.
    check("diff(sin(q), q)", expect!["cos(q)"]);
}

#[test]
fn a_matrix_power_inside_sum_is_noted_once() {
    check_notes(
        "symbol W[2, 2]\nsum(W^2)\nsum(W^2)\nsum(W .^ 2)",
        expect![[r#"
            note: ^ of a square matrix is the matrix power (W^2 = W⋅W); elementwise: W .^ 2
               2                                                          2
            W₀₀  + 2⋅W₀₁⋅W₁₀ + W₀₀⋅W₀₁ + W₀₁⋅W₁₁ + W₀₀⋅W₁₀ + W₁₀⋅W₁₁ + W₁₁
               2                                                          2
            W₀₀  + 2⋅W₀₁⋅W₁₀ + W₀₀⋅W₀₁ + W₀₁⋅W₁₁ + W₀₀⋅W₁₀ + W₁₀⋅W₁₁ + W₁₁
               2      2      2      2
            W₀₀  + W₀₁  + W₁₀  + W₁₁"#]],
    );
    // Outside a reduction, and for scalars, no note.
    check_notes(
        "symbol W[2, 2], s\nW^2;\nsum(s^2 * W)",
        expect![[r#"
             2
            s ⋅(W₀₀ + W₀₁ + W₁₀ + W₁₁)"#]],
    );
}

#[test]
fn a_derivative_by_a_symbol_the_function_lacks_is_noted() {
    check_notes(
        "symbol w[2], v[2]\nL = sum(v .^ 2)\ngrad(L, w)\ndiff(L, w[0])\ngrad(L, v)",
        expect![[r#"
            note: L does not depend on w, so its derivative is 0
            ⎡0⎤
            ⎢ ⎥
            ⎣0⎦
            note: L does not depend on w[0, 0], so its derivative is 0
            0
            2⋅v"#]],
    );
    // Not by a name bound to a number: that is an error, without a note
    // that the function "does not depend on 3" first.
    let out = with_notes("x = 3\ndiff(x^2, x)");
    assert!(
        out.starts_with("error: can only differentiate by a symbol"),
        "{out}"
    );
}

#[test]
fn a_value_for_a_symbol_the_expression_lacks_is_noted() {
    // A misspelt name substitutes nothing, silently in SymPy.
    check_notes(
        "symbol W[2, 2], v\nL = sum(W) + v\ntext(subs(L, w = 1))\neval(L, W = eye(2), v = 1)\ntext(subs(L, v = 2))",
        expect![[r#"
            note: w is a new scalar symbol (did you mean W?)
            note: L does not contain w, so its value changes nothing
            W[0, 0] + W[0, 1] + W[1, 0] + W[1, 1] + v
            3.0
            W[0, 0] + W[0, 1] + W[1, 0] + W[1, 1] + 2"#]],
    );
}
