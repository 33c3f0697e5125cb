//! The language end to end through `Session::run`: statements in, text out.

use expect_test::expect;
use symgrad_lang::{Flow, Session};

mod support;
use support::{assert_close, check, check_in, numbers, run, run_in, session};

#[test]
fn arithmetic_is_exact_and_normalised() {
    check(
        "1/3",
        expect![[r#"
        1
        ─
        3"#]],
    );
    check(
        "1/3 + 1/6",
        expect![[r#"
        1
        ─
        2"#]],
    );
    check("x + x", expect!["2⋅x"]);
    check(
        "x*x",
        expect![[r#"
         2
        x"#]],
    );
    check("x - x", expect!["0"]);
    check("exp(log(x))", expect!["x"]);
    check("-2^2", expect!["-4"]);
    check(
        "2^-1",
        expect![[r#"
        1
        ─
        2"#]],
    );
    check("0.1 + 0.2", expect!["0.3"]);
    check("2**10", expect!["1024"]);
    check("sqrt(8)", expect!["2⋅√2"]);
    check("log(8, 2)", expect!["3"]);
}

#[test]
fn powers_and_logs_of_exact_numbers_take_their_simplest_form() {
    // The forms SymPy gives (sqrt(8) is 2*sqrt(2), log(8, 2) is 3).
    for (input, sympy) in [
        ("sqrt(12)", "2*sqrt(3)"),
        ("sqrt(72)", "6*sqrt(2)"),
        ("sqrt(1/8)", "sqrt(2)/4"),
        ("sqrt(3/4)", "sqrt(3)/2"),
        ("1/sqrt(2)", "sqrt(2)/2"),
        ("2^(3/2)", "2*sqrt(2)"),
        ("4^(1/4)", "sqrt(2)"),
        ("8^(2/3)", "4"),
        ("sqrt(2) * sqrt(8)", "4"),
        ("12^(1/3)", "12^(1/3)"),
        ("3^(7/3)", "9*3^(1/3)"),
        ("log(1/8, 2)", "-3"),
        ("log(4, 8)", "2/3"),
        ("log(3, 2)", "log(3)/log(2)"),
    ] {
        assert_eq!(run(&format!("text({input})")), sympy, "{input}");
    }
    // The value is kept: b^(p/q) against f64's powf for many b and p/q.
    let mut s = session(":set digits 17");
    for b in [
        2,
        3,
        8,
        12,
        18,
        50,
        96,
        1000,
        1024,
        3 * 49,
        2 * 3 * 5 * 7 * 11,
    ] {
        for (p, q) in [
            (1, 2),
            (3, 2),
            (-1, 2),
            (1, 3),
            (2, 3),
            (-5, 3),
            (1, 4),
            (5, 6),
        ] {
            for base in [format!("{b}"), format!("(1/{b})"), format!("({b}/7)")] {
                let e = format!("{base}^({p}/{q})");
                let b = numbers(&mut s, &format!("eval({base})"))[0];
                let want = b.powf(f64::from(p) / f64::from(q));
                let got = numbers(&mut s, &format!("eval({e})"));
                assert_close(&e, &got, &[want], 1e-14, 0.0);
            }
        }
    }
}

/// The denominator of p/q in lowest terms (q > 0).
fn denominator(p: i32, q: i32) -> i32 {
    let (mut a, mut b) = (p.abs(), q);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    q / a
}

#[test]
fn a_power_of_a_product_keeps_its_value_where_a_factor_is_zero() {
    // relu(x)⋅x is 0 on all of x < 0, so its 3/2 power is too; written as
    // relu(x)^(3/2)⋅x^(3/2) it would need x^(3/2), not real there.
    let mut s = session("");
    // For x > 0 it is x³, with slope 3x².
    for (x, want, slope) in [(-1.5, 0.0, 0.0), (-0.25, 0.0, 0.0), (2.0, 8.0, 12.0)] {
        let value = numbers(&mut s, &format!("eval((relu(x)*x)^(3/2), x = {x})"));
        let derivative = numbers(
            &mut s,
            &format!("eval(diff((relu(x)*x)^(3/2), x), x = {x})"),
        );
        assert_eq!((value[0], derivative[0]), (want, slope), "at {x}");
    }
    let value = numbers(&mut s, "eval(sqrt(step(x)*y), x = -1, y = -2)");
    assert_eq!(value, [0.0]);
    // −x² is 0 at x = 0, so (−x²)^(1/3) stays whole there: split, it would
    // hold (−1)^(1/3), not real anywhere.
    for root in ["(-x^2)^(1/3)", "sqrt(-4*x^2)"] {
        let value = numbers(&mut s, &format!("eval({root}, x = 0)"));
        assert_eq!(value, [0.0], "{root}");
    }
}

#[test]
fn functions_take_sympys_values_and_identities() {
    // The forms SymPy gives on construction, for real symbols.
    for (input, sympy) in [
        ("sin(pi)", "0"),
        ("cos(pi)", "-1"),
        ("sin(pi/6)", "1/2"),
        ("cos(pi/4)", "sqrt(2)/2"),
        ("cos(2*pi/3)", "-1/2"),
        ("sin(-pi/2)", "-1"),
        ("cos(pi/5)", "1/4 + sqrt(5)/4"),
        ("sin(pi/5)", "sqrt(5/8 - sqrt(5)/8)"),
        ("cos(pi/8)", "sqrt(1/2 + sqrt(2)/4)"),
        ("sin(-x)", "-sin(x)"),
        ("sin(-x - y)", "-sin(x + y)"),
        ("sin(y - x)", "-sin(x - y)"),
        ("sin(x - y) + sin(y - x)", "0"),
        ("tanh(1 - x - y)", "-tanh(x + y - 1)"),
        ("cos(1 - x)", "cos(x - 1)"),
        ("abs(y - x) - abs(x - y)", "0"),
        ("sin(1 - x + y)", "sin(1 - x + y)"),
        ("cos(-x)", "cos(x)"),
        ("tanh(-2*x)", "-tanh(2*x)"),
        ("erf(-x)", "-erf(x)"),
        ("abs(-2*x)", "2*abs(x)"),
        ("sqrt(x^2)", "abs(x)"),
        ("sqrt(4*x^2)", "2*abs(x)"),
        ("sqrt(x/4)", "sqrt(x)/2"),
        ("sqrt(2*x)", "sqrt(2)*sqrt(x)"),
        ("sqrt(x^4)", "x^2"),
        ("sqrt(x^2*y^2)", "abs(x)*abs(y)"),
        ("sqrt(x^2*y)", "sqrt(y)*abs(x)"),
        ("sqrt(exp(x)*y)", "sqrt(y)*exp(x/2)"),
        ("(x^2)^(3/2)", "abs(x)^3"),
        ("abs(x)^2", "x^2"),
        ("abs(x^2)", "x^2"),
        ("abs(exp(x))", "exp(x)"),
        ("exp(2*log(x))", "x^2"),
        ("exp(-log(x))", "1/x"),
        ("exp(log(x)/2)", "sqrt(x)"),
        ("exp(x + log(y))", "y*exp(x)"),
        ("exp(log(x) + log(y))", "x*y"),
        ("softplus(0)", "log(2)"),
        ("sqrt(2)*sqrt(3)", "sqrt(6)"),
        ("sqrt(6)/sqrt(2)", "sqrt(3)"),
        ("sqrt(2)/sqrt(3)", "sqrt(6)/3"),
        ("2^(1/3)*3^(1/3)", "6^(1/3)"),
    ] {
        assert_eq!(run(&format!("text({input})")), sympy, "{input}");
    }
    // sin and cos of k⋅π/d against libm: exact (no sin or cos left) where
    // SymPy gives the value in square roots, that is where the angle as
    // cos(q⋅π) has q's denominator 1, 2, 3, 4, 5, 6, 8, 10 or 12.
    let has_roots = |q: i32| [1, 2, 3, 4, 5, 6, 8, 10, 12].contains(&q);
    let mut s = session(":set digits 17");
    for d in [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 24] {
        for k in -25..=25 {
            // sin(k⋅π/d) = cos((d − 2k)⋅π/(2d)).
            let sin_exact = has_roots(denominator(d - 2 * k, 2 * d));
            let cos_exact = has_roots(denominator(k, d));
            for (f, exact) in [("sin", sin_exact), ("cos", cos_exact)] {
                let e = format!("{f}({k}*pi/{d})");
                let x = f64::from(k) * std::f64::consts::PI / f64::from(d);
                let want = if f == "sin" { x.sin() } else { x.cos() };
                let got = numbers(&mut s, &format!("eval({e})"));
                assert_close(&e, &got, &[want], 0.0, 1e-14);
                let form = run_in(&mut s, &format!("text({e})"));
                assert_eq!(!form.contains(f), exact, "{e} is {form}");
            }
        }
    }
    // The identities keep the values, at negative points too.
    type Of = fn(f64) -> f64;
    let cases: [(&str, Of); 16] = [
        ("sqrt(4*x^2)", |x| (4.0 * x * x).sqrt()),
        ("sqrt(x^2*(x^2 + 1))", |x| (x * x * (x * x + 1.0)).sqrt()),
        ("(x^4*exp(x))^(3/2)", |x| (x.powi(4) * x.exp()).powf(1.5)),
        ("sin(1 - x)", |x| (1.0 - x).sin()),
        ("abs(2 - x)*cos(1 - x)", |x| {
            (2.0 - x).abs() * (1.0 - x).cos()
        }),
        ("erf(1/2 - x)", |x| libm::erf(0.5 - x)),
        ("exp(x + 2*log(x^2))", |x| x.exp() * x.powi(4)),
        ("sin(-x)", |x| (-x).sin()),
        ("tanh(-3*x)", |x| (-3.0 * x).tanh()),
        ("abs(-2*x)", |x| (2.0 * x).abs()),
        ("sqrt(x^2)", |x| (x * x).sqrt()),
        ("(x^2)^(3/2)", |x| (x * x).powf(1.5)),
        ("abs(x)^4", |x| x.abs().powi(4)),
        ("abs(x^2)*cos(-x)", |x| (x * x).abs() * x.cos()),
        ("exp(3*log(x^2))", |x| (x * x).powi(3)),
        ("exp(log(x^2)/2)", |x| x.abs()),
    ];
    for (e, f) in cases {
        for x in [-2.5, -0.3, 0.7, 4.0] {
            let got = numbers(&mut s, &format!("eval({e}, x = {x})"));
            assert_close(e, &got, &[f(x)], 1e-14, 0.0);
        }
    }
}

#[test]
fn tan_the_inverse_and_the_hyperbolic_functions_take_sympys_values() {
    // The forms SymPy 1.14 gives, for real symbols.
    for (input, sympy) in [
        ("tan(pi/12)", "2 - sqrt(3)"),
        ("tan(3*pi/8)", "1 + sqrt(2)"),
        ("tan(-pi/6)", "-sqrt(3)/3"),
        ("tan(3*pi/10)", "sqrt(1 + 2*sqrt(5)/5)"),
        ("asin(sqrt(5/8 - sqrt(5)/8))", "pi/5"),
        ("asin(sqrt(3)/2)", "pi/3"),
        ("asin(1/4 - sqrt(5)/4)", "-pi/10"),
        ("acos(-sqrt(2)/2)", "3*pi/4"),
        ("acos(1/4 + sqrt(5)/4)", "pi/5"),
        ("acos(-1)", "pi"),
        ("atan(2 - sqrt(3))", "pi/12"),
        ("atan(sqrt(2) - 1)", "pi/8"),
        ("atan(-1)", "-pi/4"),
        ("acos(-x)", "acos(-x)"),
        ("asin(1 - x)", "-asin(x - 1)"),
        ("atan(-1/3)", "-atan(1/3)"),
        ("sinh(-x)", "-sinh(x)"),
        ("cosh(-x)", "cosh(x)"),
        ("cosh(0)", "1"),
        ("abs(cosh(x))", "cosh(x)"),
        ("tan(atan(x))", "x"),
        ("sin(asin(x))", "x"),
        ("cos(acos(x))", "x"),
        ("tan(asin(x))", "x/sqrt(1 - x^2)"),
        ("sin(acos(x))", "sqrt(1 - x^2)"),
        ("cos(asin(x))", "sqrt(1 - x^2)"),
        ("cos(atan(x))", "1/sqrt(1 + x^2)"),
        ("sin(atan(x))", "x/sqrt(1 + x^2)"),
        ("tan(acos(x))", "sqrt(1 - x^2)/x"),
        ("diff(tan(x), x)", "1 + tan(x)^2"),
        ("diff(atan(x), x)", "1/(1 + x^2)"),
        ("diff(asin(x), x)", "1/sqrt(1 - x^2)"),
        ("diff(acos(x), x)", "-1/sqrt(1 - x^2)"),
        ("diff(sinh(x), x)", "cosh(x)"),
        ("diff(cosh(x), x)", "sinh(x)"),
    ] {
        assert_eq!(run(&format!("text({input})")), sympy, "{input}");
    }
    // tan(k⋅π/d) against libm: exact where q = k/d mod 1 has denominator 1,
    // 3, 4, 5, 6, 8, 10 or 12, and an error where cos is 0. And the inverses of
    // every exact value of sin, cos and tan give back their angle (asin
    // and atan in [−π/2, π/2], acos in [0, π]), and stay unevaluated
    // where the value is not exact.
    let mut s = session(":set digits 17");
    for d in [1, 2, 3, 4, 5, 6, 7, 8, 10, 12] {
        for k in -2 * d..=2 * d {
            let x = f64::from(k) * std::f64::consts::PI / f64::from(d);
            let tan = format!("tan({k}*pi/{d})");
            if denominator(k, d) == 2 {
                assert!(run_in(&mut s, &tan).contains("undefined"), "{tan}");
                continue;
            }
            let got = numbers(&mut s, &format!("eval({tan})"));
            assert_close(&tan, &got, &[x.tan()], 1e-14, 1e-15);
            let exact = [1, 3, 4, 5, 6, 8, 10, 12].contains(&denominator(k, d));
            let form = run_in(&mut s, &format!("text({tan})"));
            assert_eq!(!form.contains("tan"), exact, "{tan} is {form}");
            for (f, g, want) in [
                ("asin", "sin", x.sin().asin()),
                ("acos", "cos", x.cos().acos()),
                ("atan", "tan", x.tan().atan()),
            ] {
                let e = format!("{f}({g}({k}*pi/{d}))");
                let got = numbers(&mut s, &format!("eval({e})"));
                assert_close(&e, &got, &[want], 1e-14, 1e-15);
                let inner = run_in(&mut s, &format!("text({g}({k}*pi/{d}))"));
                let form = run_in(&mut s, &format!("text({e})"));
                assert_eq!(form.contains(f), inner.contains(g), "{e} is {form}");
            }
        }
    }
    // Values and identities at points, against the standard library.
    type Of = fn(f64) -> f64;
    let cases: [(&str, Of); 10] = [
        ("tan(1 - x)", |x| (1.0 - x).tan()),
        ("tan(asin(x/5)) + cos(atan(x))", |x| {
            (x / 5.0).asin().tan() + x.atan().cos()
        }),
        ("sin(acos(x/5))*tan(acos(x/5))", |x| {
            (x / 5.0).acos().sin() * (x / 5.0).acos().tan()
        }),
        ("atan(2*x) + asin(x/5)", |x| {
            (2.0 * x).atan() + (x / 5.0).asin()
        }),
        ("acos(-x/5)", |x| (-x / 5.0).acos()),
        ("sinh(1 - x)*cosh(-x)", |x| (1.0 - x).sinh() * x.cosh()),
        ("cosh(x)^2 - sinh(x)^2", |_| 1.0),
        ("tan(atan(x))", |x| x),
        ("diff(atan(x^2), x)", |x| 2.0 * x / (1.0 + x.powi(4))),
        ("diff(acos(x/5), x)", |x| -1.0 / (25.0 - x * x).sqrt()),
    ];
    for (e, f) in cases {
        for x in [-2.5, -0.3, 0.7, 4.0] {
            let got = numbers(&mut s, &format!("eval({e}, x = {x})"));
            assert_close(e, &got, &[f(x)], 1e-13, 1e-15);
        }
    }
    // Outside the real domain: an error, not NaN.
    for e in ["asin(2)", "acos(-3/2)", "eval(asin(x), x = 1.5)"] {
        assert!(run_in(&mut s, e).starts_with("error"), "{e}");
    }
}

#[test]
fn text_form_of_common_expressions() {
    check("text(3*x^2 - y/3 + 1)", expect!["3*x^2 - y/3 + 1"]);
    check("text(1/(1 + exp(-z)))", expect!["1/(1 + exp(-z))"]);
    check(
        "symbol W[2, 3]; text(W[0, 1] + W[1, 2])",
        expect!["W[0, 1] + W[1, 2]"],
    );
}

#[test]
fn matrices_and_shapes() {
    check(
        "[[1, 2], [3, 4]] * [[1, 2], [3, 4]]",
        expect![[r#"
            ⎡ 7  10⎤
            ⎢      ⎥
            ⎣15  22⎦"#]],
    );
    check(
        "[1, 0, 0]",
        expect![[r#"
        ⎡1⎤
        ⎢ ⎥
        ⎢0⎥
        ⎢ ⎥
        ⎣0⎦"#]],
    );
    check(
        "1 - [1, 0, 0]",
        expect![[r#"
        ⎡0⎤
        ⎢ ⎥
        ⎢1⎥
        ⎢ ⎥
        ⎣1⎦"#]],
    );
    check("shape([[1, 2, 3]])", expect!["[1  3]"]);
    check(
        "symbol W[3, 4]; symbol b[3]; shape(W + b)",
        expect!["[3  4]"],
    );
    check("sum([[1, 2], [3, 4]], 1)", expect!["[4  6]"]);
    check(
        "mean([[1, 2], [3, 4]])",
        expect![[r#"
        5
        ─
        2"#]],
    );
    check("trace(eye(3))", expect!["3"]);
    check(
        "X = [[1, 2, 3], [4, 5, 6]]; X[:, 0]",
        expect![[r#"
        ⎡1⎤
        ⎢ ⎥
        ⎣4⎦"#]],
    );
    check("X = [[1, 2, 3], [4, 5, 6]]; X[1]", expect!["2"]);
    check("X = [[1, 2, 3], [4, 5, 6]]; X[-1, -1]", expect!["6"]);
}

#[test]
fn the_seed_session_prints_as_expected() {
    let src = "X = [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]
symbol W[1, 5]
z = X * W'
z
z[0]
y = [1, 0, 0]
p = 1 / (1 + exp(z))
L = (1/3) * sum(-y .* log(p) - (1 - y) .* log(1 - p))
L";
    check(
        src,
        expect![[r#"
            X⋅Wᵀ
            26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + W₀₄
                 ⎛   1   ⎞      ⎛       1   ⎞      ⎛       1   ⎞
              log⎜───────⎟   log⎜1 - ───────⎟   log⎜1 - ───────⎟
                 ⎜     z₀⎟      ⎜         z₁⎟      ⎜         z₂⎟
                 ⎝1 + ℯ  ⎠      ⎝    1 + ℯ  ⎠      ⎝    1 + ℯ  ⎠
            - ──────────── - ──────────────── - ────────────────
                   3                3                  3"#]],
    );
}

#[test]
fn errors_point_at_the_problem() {
    check(
        "[[1,2,3]] * [[1,2,3]]",
        expect![[r#"
            error: shape mismatch in the matrix product: 1×3 and 1×3
              --> <test>:1:11
              |
            1 | [[1,2,3]] * [[1,2,3]]
              |           ^
              |
              = hint: * is the matrix product; use .* for the elementwise product
        "#]],
    );
    check(
        "sigmod(x)",
        expect![[r#"
            error: unknown function 'sigmod'
              --> <test>:1:1
              |
            1 | sigmod(x)
              | ^^^^^^
              |
              = hint: did you mean 'sigmoid'?
        "#]],
    );
    check(
        "1/0",
        expect![[r#"
            error: division by zero
              --> <test>:1:2
              |
            1 | 1/0
              |  ^
        "#]],
    );
    check(
        "x +",
        expect![[r#"
            error: expected an expression
              --> <test>:1:4
              |
            1 | x +
              |    ^ the input ends here
        "#]],
    );
    // A number outside a function's domain is shown as written, exactly
    // when it is exact and short, and a negative base in brackets.
    for (e, message) in [
        ("log(-1/6)", "log of a negative number (-1/6) is not real"),
        ("(-2.97)^(1/3)", "(-2.97)^(1/3) is not a real number"),
        ("(-4)^(1/2)", "(-4)^(1/2) is not a real number"),
        // An odd root too, as `eval` and NumPy give NaN there.
        ("(-8)^(1/3)", "(-8)^(1/3) is not a real number"),
        (
            "subs((-8*x)^(2/3), x = 1)",
            "(-8)^(2/3) is not a real number",
        ),
        ("asin(5/2)", "asin is real only on [−1, 1] (got 5/2)"),
        // 2³⁰⁰ = 2.0370359763344860…e90: too long to write, so rounded.
        (
            "log(-2^300)",
            "log of a negative number (≈-2.03703597633449e90) is not real",
        ),
    ] {
        let out = run(e);
        assert!(
            out.starts_with(&format!("error: {message}\n")),
            "{e}: {out}"
        );
    }
    check(
        "log(0)",
        expect![[r#"
            error: log(0) is undefined (it is −∞)
              --> <test>:1:1
              |
            1 | log(0)
              | ^^^^^^
        "#]],
    );
    check(
        "symbol W[2, 2]; W[2, 0]",
        expect![[r#"
            error: index 2 is out of range 0..2
              --> <test>:1:19
              |
            1 | symbol W[2, 2]; W[2, 0]
              |                   ^
        "#]],
    );
    check(
        "sum(x, 3)",
        expect![[r#"
            error: the dimension must be 1 (down columns) or 2 (along rows)
              --> <test>:1:8
              |
            1 | sum(x, 3)
              |        ^
        "#]],
    );
    check(
        "exp(1, 2)",
        expect![[r#"
            error: wrong number of arguments: exp(x) takes 1 argument, got 2
              --> <test>:1:1
              |
            1 | exp(1, 2)
              | ^^^^^^^^^
              |
              = hint: usage: exp(x)
        "#]],
    );
    check(
        "[[1, 2], [3]]",
        expect![[r#"
            error: matrix rows differ in length
              --> <test>:1:10
              |
            1 | [[1, 2], [3]]
              |          ^^^ row 2 has 1 entry, row 1 has 2 entries
        "#]],
    );
    check(
        ":sett width 3",
        expect![[r#"
            error: unknown command ':sett'
              --> <test>:1:2
              |
            1 | :sett width 3
              |  ^^^^
              |
              = hint: did you mean ':set'?
        "#]],
    );
    check(
        "ones(100000, 100000)",
        expect![[r#"
            error: a 100000×100000 matrix has too many elements (at most 268435456)
              --> <test>:1:1
              |
            1 | ones(100000, 100000)
              | ^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn an_error_keeps_the_bindings() {
    let mut s = Session::new();
    let err = run_in(&mut s, "a = 2\nb = a / 0");
    assert!(
        err.starts_with("error: division by zero\n  --> <test>:2:7"),
        "{err}"
    );
    assert_eq!(run_in(&mut s, "a^2"), "4");
    assert!(
        run_in(&mut s, "b").contains('b'),
        "b stays an unbound symbol"
    );
}

#[test]
fn deep_input_is_an_error_not_a_crash() {
    let deep = format!("{}x{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(run(&deep).contains("error"));
    let long_chain = vec!["tanh("; 5000].concat() + "x" + &")".repeat(5000);
    assert!(run(&long_chain).contains("error"));
}

#[test]
fn commands_work() {
    let mut s = Session::new();
    assert_eq!(
        run_in(&mut s, "symbol W[2, 3]\nz = W * [1, 2, 3]\n:vars"),
        "W  2×3 matrix symbol\nz  2×1 matrix"
    );
    assert!(run_in(&mut s, ":help sigmoid").contains("sigmoid(x)"));
    assert!(run_in(&mut s, ":help").contains(":vars"));
    run_in(&mut s, ":set output text");
    assert_eq!(run_in(&mut s, "x/3"), "x/3");
    run_in(&mut s, ":reset");
    assert_eq!(run_in(&mut s, ":vars"), "no names are bound");
    let mut flow = Flow::Continue;
    s.run(":quit", "<test>", &mut |_| {})
        .map(|f| flow = f)
        .unwrap();
    assert_eq!(flow, Flow::Quit);
}

#[test]
fn user_functions_substitute_their_arguments() {
    check("f(a, b) = a^2 + b; f(3, 1)", expect!["10"]);
    check(
        "g(n) = g(n); g(1)",
        expect![[r#"
            error: g calls itself
              --> <test>:1:8
              |
            1 | g(n) = g(n); g(1)
              |        ^^^^ this call would never return
              |
              = hint: the language has no conditionals, so recursion could never stop
        "#]],
    );
}

#[test]
fn seeded_random_matrices_are_reproducible() {
    // Golden values: a change of generator or distribution shows here.
    check(
        "seed(1); randn(2, 2)",
        expect![[r#"
            ⎡ 1.080887045   -1.117874864 ⎤
            ⎢                            ⎥
            ⎣-0.1349790566   0.9000693584⎦"#]],
    );
    check(
        ":set output text\n:set digits 17\nseed(1); randn(2, 2)\nseed(1); rand(3)\nseed(1); randint(0, 100, 2, 3)",
        expect![[r#"
            ([[1.0808870447563368, -1.117874864158608],
              [-0.1349790566227887, 0.90006935837317148]])
            [0.85671713270033623, 0.13755448539738502, 0.4704615263479589]
            [[85, 13, 47], [72, 36, 55]]"#]],
    );
    let draw = "seed(42)\nrandn(3, 2)\nrand(1, 4)\nrandint(-5, 5, 2, 2)";
    let once = run(draw);
    assert_eq!(run(draw), once, "the same in two sessions");
    let mut s = Session::new();
    assert_eq!(run_in(&mut s, draw), once);
    assert_eq!(run_in(&mut s, draw), once, "the same twice in one session");
    assert_ne!(run("seed(43)\nrandn(3, 2)"), run("seed(42)\nrandn(3, 2)"));
    assert_ne!(
        run("seed(42)\nrandn(3, 2)\nrandn(3, 2)")
            .lines()
            .take(5)
            .collect::<Vec<_>>(),
        run("seed(42)\nrandn(3, 2)\nrandn(3, 2)")
            .lines()
            .skip(5)
            .collect::<Vec<_>>(),
        "the stream moves on"
    );
    // Without a seed a session starts from seed 0.
    assert_eq!(run("randn(2, 2)"), run("seed(0)\nrandn(2, 2)"));
    assert_eq!(run("x = rand(2)\n:reset\nrandn(2, 2)"), run("randn(2, 2)"));
}

#[test]
fn random_shapes_follow_ones_and_zeros() {
    check("seed(42)", expect![""]);
    check("shape(randn(3))", expect!["[3  1]"]);
    check("shape(rand(2, 5))", expect!["[2  5]"]);
    check("shape(randint(0, 2, 4))", expect!["[4  1]"]);
    check("shape(randint(0, 2, 1, 4))", expect!["[1  4]"]);
    check("shape(randn())", expect!["[1  1]"]);
    check("randint(7, 8)", expect!["7"]);
    // randint gives exact integers, usable as indices and sizes.
    check("X = [10, 20, 30]; X[randint(1, 2)]", expect!["20"]);
    check("shape(ones(randint(2, 3), 1))", expect!["[2  1]"]);
    assert!(run(":help randint").contains("hi is excluded"));
    assert!(run(":help seed").contains("seed 0"));
}

#[test]
fn random_errors_point_at_the_argument() {
    check(
        "randn(-2, 3)",
        expect![[r#"
            error: a size must be a positive integer, not -2
              --> <test>:1:7
              |
            1 | randn(-2, 3)
              |       ^^
        "#]],
    );
    check(
        "rand(2, 1.5)",
        expect![[r#"
            error: expected an integer
              --> <test>:1:9
              |
            1 | rand(2, 1.5)
              |         ^^^
        "#]],
    );
    check(
        "randint(5, 5)",
        expect![[r#"
            error: randint needs lo < hi, not lo = 5 and hi = 5
              --> <test>:1:9
              |
            1 | randint(5, 5)
              |         ^^^^
              |
              = hint: hi is excluded: randint(0, 2) draws 0 or 1
        "#]],
    );
    check(
        "seed(-1)",
        expect![[r#"
            error: a seed must be an integer from 0 to 2^64 - 1 (18446744073709551615)
              --> <test>:1:6
              |
            1 | seed(-1)
              |      ^^
        "#]],
    );
    check(
        "seed(2^64)",
        expect![[r#"
            error: a seed must be an integer from 0 to 2^64 - 1 (18446744073709551615)
              --> <test>:1:6
              |
            1 | seed(2^64)
              |      ^^^^
        "#]],
    );
    check(
        "seed(0.5)",
        expect![[r#"
            error: a seed must be an integer from 0 to 2^64 - 1 (18446744073709551615)
              --> <test>:1:6
              |
            1 | seed(0.5)
              |      ^^^
        "#]],
    );
    check(
        "randn(100000, 100000)",
        expect![[r#"
            error: a 100000×100000 matrix has too many elements (at most 268435456)
              --> <test>:1:1
              |
            1 | randn(100000, 100000)
              | ^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "randint(1)",
        expect![[r#"
            error: wrong number of arguments: randint(lo, hi [, m [, n]]) takes 2 to 4
                   arguments, got 1
              --> <test>:1:1
              |
            1 | randint(1)
              | ^^^^^^^^^^
              |
              = hint: usage: randint(lo, hi [, m [, n]])
        "#]],
    );
    check(
        "seed(1) + 1",
        expect![[r#"
            error: seed(…) gives no value
              --> <test>:1:1
              |
            1 | seed(1) + 1
              | ^^^^^^^
        "#]],
    );
    check(
        "s = seed(1)",
        expect![[r#"
            error: only expressions can be bound to a name
              --> <test>:1:5
              |
            1 | s = seed(1)
              |     ^^^^^^^
        "#]],
    );
    check(
        "randm(2)",
        expect![[r#"
            error: unknown function 'randm'
              --> <test>:1:1
              |
            1 | randm(2)
              | ^^^^^
              |
              = hint: did you mean 'rand'?
        "#]],
    );
}

#[test]
fn matrix_products_collect_powers_and_drop_identities() {
    check("symbol A[2, 2]; text(A*A*A)", expect!["A^3"]);
    check("symbol A[2, 2]; text((A*A)')", expect!["A'^2"]);
    check("symbol A[2, 2]; text(eye(2)*A*eye(2))", expect!["A"]);
    check(
        "symbol W[2, 2]; text(grad(trace(W^3), W))",
        expect!["3*W'^2"],
    );
}

#[test]
fn substitution_and_evaluation_take_unbound_names_as_symbols() {
    check("eval(x*y, x = 2, y = 3)", expect!["6.0"]);
    check("text(subs(x^2 + y, x = 1/3))", expect!["1/9 + y"]);
    check(
        "eval(1/x, x = 0)",
        expect![[r#"
            error: 1/x gives inf: division by zero
              --> <test>:1:1
              |
            1 | eval(1/x, x = 0)
              | ^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "symbol W[2, 2]; text(hessian(sum(W .* W) + W[0, 1]*W[1, 0], W))",
        expect!["[[2, 0, 0, 0], [0, 2, 1, 0], [0, 1, 2, 0], [0, 0, 0, 2]]"],
    );
}

#[test]
fn element_view_of_a_matrix_power_is_scalar() {
    // By hand: (C³)₀₁ = Σₖ (C²)₀ₖ⋅Cₖ₁ with C² = C⋅C.
    check(
        "symbol C[2, 2]; text(elements(C^3)[0, 1])",
        expect![[r#"
            (C[0, 1]*(C[0, 0]^2 + C[0, 1]*C[1, 0]) +
              C[1, 1]*(C[0, 0]*C[0, 1] + C[0, 1]*C[1, 1]))"#]],
    );
}

#[test]
fn softmax_columns_sum_to_one() {
    check("symbol A[3, 4]; sum(softmax(A))", expect!["4"]);
    check(
        "symbol A[3, 4]; text(sum(softmax(A, 2), 2))",
        expect!["[1, 1, 1]"],
    );
    check(
        "symbol A[3, 4]; text(sum(softmax(A), 2))",
        expect!["sum(softmax(A), 2)"],
    );
}

#[test]
fn a_result_too_wide_for_the_line_is_shown_with_the_names_bound_to_its_parts() {
    let net = "X = [[1, 2, 4], [-2, -5, -8]]; Y = eye(3)
               symbol W1[2, 2], W2[3, 2]
               A1 = tanh(W1 * X); A2 = softmax(W2 * A1)
               L = -sum(Y .* log(A2)) / 3";
    let mut session = Session::new();
    run_in(&mut session, net);
    // Narrow enough: shown in full.
    check_in(&mut session, "A1", expect!["tanh(W₁⋅X)"]);
    // Too wide in full: A1, A2 and Xᵀ stand for their values.
    check_in(
        &mut session,
        "grad(L, W1)",
        expect![[r#"
            ⎛⎛      ∘2⎞               ⎞
            ⎝⎝1 - A₁  ⎠∘(W₂ᵀ⋅(A₂ - Y))⎠⋅Xᵀ
            ──────────────────────────────
                          3"#]],
    );
}

#[test]
fn the_softmax_jacobian_reads_a_i_times_delta_ij_minus_a_j() {
    check(
        "symbol z[3]; a = softmax(z); jacobian(a, z)",
        expect![[r#"
            ⎡a₀⋅(1 - a₀)    -a₀⋅a₁       -a₀⋅a₂   ⎤
            ⎢                                     ⎥
            ⎢  -a₀⋅a₁     a₁⋅(1 - a₁)    -a₁⋅a₂   ⎥
            ⎢                                     ⎥
            ⎣  -a₀⋅a₂       -a₁⋅a₂     a₂⋅(1 - a₂)⎦"#]],
    );
    // The elements stay whole, and their logs evaluate stably.
    check(
        "symbol z[3]; text(diff(log(softmax(z)[1]), z[0]))",
        expect!["-softmax(z)[0]"],
    );
    check(
        "symbol z[3]; eval(log(softmax(z)[1]), z = [1000, 0, -1000])",
        expect!["-1000.0"],
    );
}

#[test]
fn stacking_adds_rows_and_columns() {
    check(
        "vstack([[1, 2], [3, 4]], ones(1, 2))",
        expect![[r#"
            ⎡1  2⎤
            ⎢    ⎥
            ⎢3  4⎥
            ⎢    ⎥
            ⎣1  1⎦"#]],
    );
    check(
        "hstack([[1, 2], [3, 4]], [0.5, 0.25])",
        expect![[r#"
        ⎡1.0  2.0  0.5 ⎤
        ⎢              ⎥
        ⎣3.0  4.0  0.25⎦"#]],
    );
    check(
        "symbol W[1, 2]; vstack(W, [[1, 2]])",
        expect!["vstack(W, [1  2])"],
    );
    check(
        "shape(vstack(randn(784, 600), ones(1, 600)))",
        expect!["[785  600]"],
    );
    check(
        "vstack([[1, 2]], ones(1, 3))",
        expect![[r#"
            error: shape mismatch in vstack: 1×2 and 1×3
              --> <test>:1:1
              |
            1 | vstack([[1, 2]], ones(1, 3))
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "hstack()",
        expect![[r#"
            error: wrong number of arguments: hstack(A, B, …) takes at least 1 argument, got
                   0
              --> <test>:1:1
              |
            1 | hstack()
              | ^^^^^^^^
              |
              = hint: usage: hstack(A, B, …)
        "#]],
    );
}

#[test]
fn a_script_that_loads_itself_is_an_error() {
    let dir = std::env::temp_dir().join(format!("symgrad-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let a = dir.join("a.sg");
    let b = dir.join("b.sg");
    std::fs::write(&a, format!("x = 1\n:load {}\n", b.display())).expect("write a.sg");
    std::fs::write(&b, format!("y = 2\n:load {}\n", a.display())).expect("write b.sg");
    let mut session = Session::new();
    let out = run_in(&mut session, &format!(":load {}", a.display()));
    let _ = std::fs::remove_dir_all(&dir);
    // The message is wrapped at the width, so read it as one line.
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(out.contains("loads itself"), "{out}");
    assert!(out.contains("a.sg → ") && out.contains("b.sg → "), "{out}");
    // What ran before the error stays bound.
    expect!["3"].assert_eq(&run_in(&mut session, "x + y"));
}

#[test]
fn a_numeric_matrix_too_wide_for_the_line_is_shown_in_blocks_of_columns() {
    let mut session = Session::new();
    run_in(&mut session, ":set width 40");
    check_in(
        &mut session,
        "[[1/3, 2/3, 1, 4/3, 5/3, 2, 7/3, 8/3], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]]",
        expect![[r#"
            columns 0–2
            ⎡0.3333333333  0.6666666667  1.0⎤
            ⎢                               ⎥
            ⎣0.5           1.5           2.5⎦

            columns 3–5
            ⎡1.333333333  1.666666667  2.0⎤
            ⎢                             ⎥
            ⎣3.5          4.5          5.5⎦

            columns 6–7
            ⎡2.333333333  2.666666667⎤
            ⎢                        ⎥
            ⎣6.5          7.5        ⎦"#]],
    );
}

#[test]
fn a_multiple_of_named_data_is_shown_by_its_name() {
    check(
        "X = [[1, 2, 4, 0, 1, 3, 2, 5, 1, 0], [-2, -5, -8, 1, 0, 2, 1, 0, 3, 1]]
         Y = one_hot([0, 1, 2, 1, 0, 2, 1, 0, 2, 1], 3)
         symbol W[3, 2]; A = softmax(W * X)
         grad(softmax_cce(Y, W * X), W)",
        expect![[r#"
            (A - Y)⋅Xᵀ
            ──────────
                10"#]],
    );
}

/// Float labels (as NumPy and `load` give them) are shown by their names
/// too: `−Y/3` folded to floats is `Y` scaled, and the row ⅓⋅sum(Y, 1) of
/// one-hot float labels is ⅓, so the gradients read as with exact labels.
/// Floats that are no such multiple stay numbers.
#[test]
fn float_data_and_its_multiples_are_shown_by_name() {
    let setup = "X = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]]
         Y = [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
         symbol W[2, 2]";
    check(
        &format!("{setup}\ngrad(softmax_cce(Y, W * X), W)\ngrad(mse(Y, W * X), W)"),
        expect![[r#"
            (softmax(W⋅X) - Y)⋅Xᵀ
            ─────────────────────
                      3
            (W⋅X - Y)⋅Xᵀ
            ────────────
                 3"#]],
    );
    // Vector labels: the data part is a multiple of yᵀ, and the float row
    // of one repeated ⅓ (from y + (1 − y)) is ⅓.
    check(
        "X = [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]
         y = [1.0, 0.0, 0.0]
         symbol W[1, 5]; z = X * W'
         grad(bce(y, sigmoid(z)), W)
         grad(mean((z - y).^2), W)",
        expect![[r#"
            (σ(zᵀ) - yᵀ)⋅X
            ──────────────
                  3
            2⋅(zᵀ - yᵀ)⋅X
            ─────────────
                  3"#]],
    );
    // Not a multiple of Y (one entry off by more than rounding): numbers.
    check(
        &format!("{setup}\ngrad(mse(Y + [[0.0, 0.0, 0.0], [0.0, 0.0, 1e-9]], W * X), W)"),
        expect![[r#"
            ⎛W⋅X   ⎡-0.3333333333   0.0           -0.3333333333   ⎤⎞
            ⎜─── + ⎢                                              ⎥⎟⋅Xᵀ
            ⎝ 3    ⎣ 0.0           -0.3333333333  -3.333333333e-10⎦⎠"#]],
    );
}

/// Labels of 0 and 1 lend their complement: the cross-entropy written out
/// by hand leaves `−(1 − y)ᵀ/3`, shown in `y` for exact and float labels.
/// Data of other numbers lends none.
#[test]
fn binary_labels_lend_their_complement() {
    let loss = "X = [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]
         symbol W[1, 5]; z = X * W'
         p = 1 / (1 + exp(z))
         grad((1/3) * sum(-y .* log(p) - (1 - y) .* log(1 - p)), W)";
    check(
        &format!("y = [1, 0, 0]\n{loss}\ny = [1.0, 0.0, 0.0]\n{loss}"),
        expect![[r#"
            (σ(zᵀ) + yᵀ - 1)⋅X
            ──────────────────
                    3
            (σ(zᵀ) + yᵀ - 1)⋅X
            ──────────────────
                    3"#]],
    );
    check(
        &format!("y = [2, 0, 0]\n{loss}"),
        expect![[r#"
            (σ(zᵀ) + [1  -1  -1])⋅X
            ───────────────────────
                       3"#]],
    );
}

/// The data part of a bias's gradient, `−sum(Y, 2)/n` folded to numbers, is
/// shown as the mean of the named labels, exact or float.
#[test]
fn a_bias_gradient_shows_the_mean_of_the_named_labels() {
    let setup = "X = [[1, 2, 4, 0, 1, 3], [-2, -5, -8, 1, 0, 2]]
         Y = one_hot([0, 1, 2, 1, 0, 0], 3)
         F = 1.0 * Y
         symbol W[3, 2], b[3]";
    check(
        &format!(
            "{setup}\ngrad(softmax_cce(Y, W * X + b), b)\ngrad(softmax_cce(F, W * X + b), b)\n\
             -sum(Y, 2)/6"
        ),
        expect![[r#"
            mean(softmax(W⋅X + b), 2) - mean(Y, 2)
            mean(softmax(W⋅X + b), 2) - mean(F, 2)
            ⎡-1/2⎤
            ⎢    ⎥
            ⎢-1/3⎥
            ⎢    ⎥
            ⎣-1/6⎦"#]],
    );
}

#[test]
fn a_matrix_with_more_columns_than_blocks_show_is_elided_and_fits() {
    let out = run("seed(1); X = randn(50, 400); X");
    assert!(out.contains('⋯'), "{out}");
    assert!(out.lines().all(|l| l.chars().count() <= 80), "{out}");
}
