//! Float data keeps the stable forms, and no NaN or infinity passes
//! silently: each example of issue 10, against values computed here by
//! hand in f64 (softplus and logsumexp written out with a max shift), and
//! the errors that name the operation.

use expect_test::expect;

mod support;
use support::{assert_close, check, check_in, numbers, python, session};

/// `log(1 + eˣ)` without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

fn logsumexp(xs: &[f64]) -> f64 {
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

#[test]
fn float_arguments_keep_the_stable_forms() {
    let mut s = session("symbol w, v[2]");
    // bce(0, σ(z)) = −log(1 − σ(z)) = softplus(z).
    for (expr, want) in [
        ("eval(bce(0, sigmoid(30.5)))", vec![softplus(30.5)]),
        ("bce(0, sigmoid(30.5))", vec![softplus(30.5)]),
        ("log(1 - sigmoid(40.5))", vec![-softplus(40.5)]),
        ("log(softmax([800.5, 0]))", vec![0.0, -800.5]),
        ("softmax_cce([1, 0], [-1000.0, 0])", vec![1000.0]),
        ("log(sigmoid(-1000.0))", vec![-1000.0]),
        ("log(1 + exp(1000.0))", vec![1000.0]),
        (
            "eval(subs(bce(0, sigmoid(w)), w = 30.5))",
            vec![softplus(30.5)],
        ),
        ("eval(bce(0, sigmoid(w)), w = 30.5)", vec![softplus(30.5)]),
        ("subs(bce(0, sigmoid(w)), w = 30.5)", vec![softplus(30.5)]),
        ("eval(softmax([1000, 0]))", vec![1.0, (-1000f64).exp()]),
        (
            "eval(log(exp(1000) + 2*exp(1001)))",
            vec![logsumexp(&[1000.0, 1001.0, 1001.0])],
        ),
        (
            "eval(logsumexp([1000, 1001, 1001]))",
            vec![logsumexp(&[1000.0, 1001.0, 1001.0])],
        ),
    ] {
        assert_close(expr, &numbers(&mut s, expr), &want, 1e-15, 0.0);
    }
    assert_close(
        "log(1 - sigmoid(40.5))",
        &numbers(&mut s, "log(1 - sigmoid(40.5))"),
        &[-40.5],
        1e-15,
        0.0,
    );
    // The stacked softmax: column 0 is softmax([1, 2]); column 1 is the
    // softmax of log(1 − σ(w)) = −softplus(w) at w = [130, 370].
    let (a, b) = (-softplus(130.0), -softplus(370.0));
    let want = [
        (1.0 - logsumexp(&[1.0, 2.0])).exp(),
        (a - logsumexp(&[a, b])).exp(),
        (2.0 - logsumexp(&[1.0, 2.0])).exp(),
        (b - logsumexp(&[a, b])).exp(),
    ];
    assert_close(
        "stacked softmax",
        &numbers(
            &mut s,
            "eval(softmax(hstack([1, 2], log(1 - sigmoid(v)))), v = [130, 370])",
        ),
        &want,
        1e-14,
        0.0,
    );
    assert!((want[3] - 5.879e-105).abs() < 1e-108, "{want:?}");
}

#[test]
fn derivatives_of_saturated_units_keep_their_relative_accuracy() {
    // tanh′ = 1 − tanh² and σ′ = σ⋅(1 − σ) print so, but are computed as
    // 4⋅σ(2x)⋅σ(−2x) and σ(x)⋅σ(−x): at x = 20, 1 − tanh(20)² in floats is
    // 0 (or one rounding of 1), the derivative 1.7⋅10⁻¹⁷. By hand:
    // sech²(x) = 4e^(−2x)/(1 + e^(−2x))², σ′(x) = e^(−x)/(1 + e^(−x))².
    let sech2 = |x: f64| 4.0 * (-2.0 * x).exp() / (1.0 + (-2.0 * x).exp()).powi(2);
    let dsigma = |x: f64| (-x).exp() / (1.0 + (-x).exp()).powi(2);
    let mut s = session("symbol x, W[1, 2]\nX = [[20, 41], [-3, 0.5]]");
    let at = |x: f64| format!("x = {x}");
    for x in [0.0, 0.5, -3.0, 20.0, 300.0] {
        let got = numbers(&mut s, &format!("eval(diff(tanh(x), x), {})", at(x)));
        assert_close("tanh′", &got, &[sech2(x.abs())], 1e-14, 0.0);
        let got = numbers(&mut s, &format!("eval(diff(sigmoid(x), x), {})", at(x)));
        assert_close("σ′", &got, &[dsigma(x.abs())], 1e-14, 0.0);
    }
    // A gradient through saturated units, z = W⋅X = [20, 41]:
    // ∂/∂W sum(tanh(z) + σ(z)) = (tanh′(z) + σ′(z))⋅Xᵀ.
    let g = numbers(
        &mut s,
        "eval(grad(sum(tanh(W * X) + sigmoid(W * X)), W), W = [[1, 0]])",
    );
    let d: Vec<f64> = [20.0, 41.0].iter().map(|&z| sech2(z) + dsigma(z)).collect();
    let want = [d[0] * 20.0 + d[1] * 41.0, d[0] * -3.0 + d[1] * 0.5];
    assert_close("gradient", &g, &want, 1e-14, 0.0);
    // The printed derivatives keep the textbook forms.
    check("symbol z\ndiff(sigmoid(z), z)", expect!["(1 - σ(z))⋅σ(z)"]);
}

#[test]
fn logistic_losses_near_zero_keep_their_relative_accuracy() {
    // bce_logits(y, z) = mean(softplus(z) − y⋅z) prints so, but is computed
    // as y⋅softplus(−z) + (1 − y)⋅softplus(z), and its derivative σ(z) − 1
    // at y = 1 as −σ(−z): at z = 30 the difference softplus(30) − 30 kept
    // two digits of its 9.36⋅10⁻¹⁴. By hand: softplus(−z) = log1p(e^(−z)),
    // σ(−z) = e^(−z)/(1 + e^(−z)).
    let sigmoid_neg = |z: f64| (-z).exp() / (1.0 + (-z).exp());
    let mut s = session(":set digits 17\nsymbol z, W[1, 2]");
    for z in [0.5, 5.0, 20.0, 30.0, 36.0] {
        let want = [softplus(-z)];
        for e in [
            format!("eval(bce_logits(1, z), z = {z})"),
            format!("eval(bce_logits(0, z), z = {})", -z),
            format!("evalpoints(bce_logits(1, z), z, [{z}])"),
        ] {
            assert_close(&e, &numbers(&mut s, &e), &want, 1e-14, 0.0);
        }
        let e = format!("eval(diff(bce_logits(1, z), z), z = {z})");
        assert_close(&e, &numbers(&mut s, &e), &[-sigmoid_neg(z)], 1e-14, 0.0);
    }
    // Labels as data, z = W⋅X = [30, 25, −28] at W = [1, 0].
    support::run_in(
        &mut s,
        "X = [[30, 25, -28.0], [1, 2, 3]]\ny = [[1, 1, 0]]\nL = bce_logits(y, W * X)",
    );
    let want = [(softplus(-30.0) + softplus(-25.0) + softplus(-28.0)) / 3.0];
    for e in ["eval(L, W = [[1, 0]])", "evalpoints(L, W, [[1, 0]])"] {
        assert_close(e, &numbers(&mut s, e), &want, 1e-14, 0.0);
    }
    check("symbol z\nbce_logits(1, z)", expect!["softplus(z) - z"]);
}

#[test]
fn softmax_losses_near_zero_keep_their_relative_accuracy() {
    // −log(softmax(z)ᵢ) = logsumexp(z − zᵢ): where zᵢ is the largest that is
    // log1p of the others' exponentials, 1.4⋅10⁻¹¹ at a margin of 25; as
    // logsumexp(z) − zᵢ it kept four digits. By hand, for each sample the
    // loss log1p(Σⱼ≠ᵢ e^(zⱼ − zᵢ)).
    let loss = |z: &[f64], i: usize| {
        let others: f64 = (0..z.len())
            .filter(|&j| j != i)
            .map(|j| (z[j] - z[i]).exp())
            .sum();
        others.ln_1p()
    };
    let mut s = session(":set digits 17\nsymbol z[2], Z[3, 3], Yr[3, 3]");
    for (z, zs) in [([25.0, 0.0], "[25, 0]"), ([25.3, 0.1], "[25.3, 0.1]")] {
        let want = [loss(&z, 0)];
        for e in [
            format!("eval(softmax_cce([1, 0], z), z = {zs})"),
            format!("eval(-log(softmax(z)[0]), z = {zs})"),
            format!("evalpoints(softmax_cce([1, 0], z), z, {zs}')"),
            format!("eval(logsumexp({zs} - {}))", z[0]),
        ] {
            assert_close(&e, &numbers(&mut s, &e), &want, 1e-14, 0.0);
        }
    }
    // Three samples of three classes, labels 0, 2, 1; columns are samples.
    let cols = [[25.3, 0.2, -3.0], [0.1, 1.0, 24.0], [2.0, 30.0, 1.0]];
    let want = [(loss(&cols[0], 0) + loss(&cols[1], 2) + loss(&cols[2], 1)) / 3.0];
    let z = "[[25.3, 0.1, 2], [0.2, 1, 30], [-3, 24, 1]]";
    let y = "[[1, 0, 0], [0, 0, 1], [0, 1, 0]]";
    for e in [
        format!("eval(softmax_cce({y}, Z), Z = {z})"),
        format!("evalpoints(softmax_cce({y}, Z), Z, reshape({z}, 1, 9))"),
        // Samples as rows, the softmax along them; labels as a symbol.
        format!("eval(-sum(Yr .* log(softmax(Z, 2))) / 3, Z = ({z})', Yr = ({y})')"),
    ] {
        assert_close(&e, &numbers(&mut s, &e), &want, 1e-14, 0.0);
    }
    // logsumexp down columns and along rows, one line with a sure largest
    // entry: 0 + log1p(e⁻³⁰ + e⁻³¹) by hand (as max + ln(total) it was 2e-4
    // off).
    let z = "[[0, 25.3], [-30, 0.1], [-31, 2]]";
    let tiny = ((-30f64).exp() + (-31f64).exp()).ln_1p();
    let big = 25.3 + ((0.1f64 - 25.3).exp() + (2.0f64 - 25.3).exp()).ln_1p();
    let mut s = session(":set digits 17\nsymbol Zc[3, 2]");
    for e in [
        format!("eval(logsumexp(Zc, 1), Zc = {z})"),
        format!("eval(logsumexp(Zc', 2), Zc = {z})"),
        format!("eval(logsumexp({z}, 1))"),
    ] {
        assert_close(&e, &numbers(&mut s, &e), &[tiny, big], 1e-14, 0.0);
    }
}

#[test]
fn the_text_of_a_logsumexp_reads_back_to_its_value() {
    let mut s = session("");
    let text = support::run_in(&mut s, "text(logsumexp([1000, 1001, 1001]))");
    assert_close(
        "read back",
        &numbers(&mut s, &format!("eval({text})")),
        &[logsumexp(&[1000.0, 1001.0, 1001.0])],
        1e-15,
        0.0,
    );
}

#[test]
fn a_value_that_is_not_finite_on_the_way_is_an_error_naming_the_operation() {
    check(
        "eval(sigmoid(1/x), x = 0)",
        expect![[r#"
            error: 1/x gives inf: division by zero
              --> <test>:1:1
              |
            1 | eval(sigmoid(1/x), x = 0)
              | ^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "eval(relu(sqrt(x)), x = -0.8)",
        expect![[r#"
            error: sqrt(x) gives NaN: a negative number to a fractional power is not real
              --> <test>:1:1
              |
            1 | eval(relu(sqrt(x)), x = -0.8)
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "symbol v[2]; eval(exp(v), v = [1, 1000])",
        expect![[r#"
            error: exp(v) gives inf at [1, 0]: overflow
              --> <test>:1:14
              |
            1 | symbol v[2]; eval(exp(v), v = [1, 1000])
              |              ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    // Data and intermediate results are named as bound, not written out.
    check(
        "X = [[1, 2, -3, 4]]\nsymbol W[1, 1]\nz = W * X\neval(sum(log(z)), W = [[1]])",
        expect![[r#"
            error: log(z) gives NaN at [0, 2]: log of a negative number
              --> <test>:4:1
              |
            4 | eval(sum(log(z)), W = [[1]])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "X = [[1, 2, -3, 4]]\nsymbol W[1, 1]\neval(sum(log(W * X)), W = [[1]])",
        expect![[r#"
            error: log(W*X) gives NaN at [0, 2]: log of a negative number
              --> <test>:3:1
              |
            3 | eval(sum(log(W * X)), W = [[1]])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "exp(1000.0)",
        expect![[r#"
            error: exp(1000.0) gives inf: overflow
              --> <test>:1:1
              |
            1 | exp(1000.0)
              | ^^^^^^^^^^^
        "#]],
    );
    check(
        "10.0^400",
        expect![[r#"
            error: overflow: the number is beyond the floats (inf)
              --> <test>:1:5
              |
            1 | 10.0^400
              |     ^
        "#]],
    );
}

/// Printing never fails: a closed float expression whose value is not
/// finite is shown as written by `pretty`, `text` and `latex` (and the text
/// reads back), while the same expression as a statement's result is an
/// error.
#[test]
fn printing_a_value_that_is_not_finite_shows_it_as_written() {
    check(
        "latex(exp(1000.0) - exp(999.0))",
        expect!["e^{1000.0} - e^{999.0}"],
    );
    let mut s = session("e = exp(1000.0)");
    let text = support::run_in(&mut s, "text(e)");
    assert_eq!(text.trim(), "exp(1000.0)");
    // Read back, the text is the same (still non-finite) expression.
    let again = support::run_in(&mut s, &format!("text({})", text.trim()));
    assert_eq!(again, text);
    assert!(support::run_in(&mut s, "e").contains("gives inf: overflow"));
    assert!(support::run_in(&mut s, "pretty(e)").contains("1000.0"));
    assert!(support::run_in(&mut s, "exp(1000.0) - exp(999.0)").starts_with("error:"));
}

#[test]
fn evalpoints_follows_the_rule_of_eval() {
    check(
        "evalpoints(log(x), x, [2, -1, 0])",
        expect![[r#"
            error: at point 1 (row 1 of the points): log(x) gives NaN: log of a negative
                   number
              --> <test>:1:1
              |
            1 | evalpoints(log(x), x, [2, -1, 0])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "evalpoints(relu(sqrt(x)), x, [1, -0.8])",
        expect![[r#"
            error: at point 1 (row 1 of the points): sqrt(x) gives NaN: a negative number to
                   a fractional power is not real
              --> <test>:1:1
              |
            1 | evalpoints(relu(sqrt(x)), x, [1, -0.8])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn logdet_of_a_singular_matrix_says_so() {
    // Not "overflow": log |det| of a singular matrix is −∞.
    check(
        "symbol W[2, 2]\neval(logdet(W), W = [[1, 2], [2, 4]])",
        expect![[r#"
            error: logdet(W) gives -inf: the matrix is singular (det 0)
              --> <test>:2:1
              |
            2 | eval(logdet(W), W = [[1, 2], [2, 4]])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
    check(
        "logdet([[1.0, 2], [2, 4]])",
        expect![[r#"
            error: logdet of a singular matrix (det 0) is −∞
              --> <test>:1:1
              |
            1 | logdet([[1.0, 2], [2, 4]])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^
        "#]],
    );
}

#[test]
fn evalpoints_covers_softmax_logsumexp_and_every_prelude_loss() {
    // Each value and gradient at two points, against eval at each point
    // (eval's compiled program is checked against NumPy, JAX and mpmath
    // elsewhere; here evalpoints must agree with it).
    let mut s = session(
        "symbol W[2, 3]\nX = [[1.5, -2.0], [0.25, 3.0], [-1.0, 0.5]]\nY = [[1, 0], [0, 1]]\n\
         y = [[1, 0]]\nP1 = [[1, 2, 3, 4, 5, 6]]\nP2 = [[400, -300, 2, -500, 250, 1]]\n\
         W1 = [[1, 2, 3], [4, 5, 6]]\nW2 = [[400, -300, 2], [-500, 250, 1]]\n",
    );
    for loss in [
        "softmax_cce(Y, W*X)",
        "cce(Y, softmax(W*X))",
        "bce(y, sigmoid(W[0, :]*X))",
        "bce_logits(y, W[1, :]*X)",
        "mse(Y, W*X)",
        "l2(W)",
        "sum(logsumexp(W*X, 1))",
        "sum(softmax(W*X, 2) .* Y)",
    ] {
        for f in [loss.to_string(), format!("grad({loss}, W)")] {
            let both = numbers(&mut s, &format!("evalpoints({f}, W, vstack(P1, P2))"));
            let mut want = numbers(&mut s, &format!("eval({f}, W = W1)"));
            want.extend(numbers(&mut s, &format!("eval({f}, W = W2)")));
            assert_close(&f, &both, &want, 1e-12, 1e-12);
        }
    }
}

#[test]
fn evalpoints_of_an_ill_conditioned_inverse_keeps_its_digits() {
    // v⋅vᵀ + I for v = diag(M), M = (W⋅Wᵀ)⋅(W⋅Wᵀ)ᵀ + I, at a W that puts v
    // near 10³: condition 10⁷, so an LU solve keeps about 8 digits (JAX the
    // same). Inverted by cofactors, element by element, the gradient was
    // 287 % off. Against eval at the point (eval's LU programs are checked
    // against NumPy, JAX and mpmath elsewhere).
    let mut s = session(
        "symbol W[4, 2]\nv = diag((W * W') * (W * W')' + eye(4))\n\
         L = sum(solve(v * v' + eye(4), [1, 2, 3, 4] * [[1, -1, 2, 1]]))\n\
         W0 = [[2.5, -2.5], [1.8, 3.4], [3.9, -5.2], [-2.2, 1.4]]\n\
         P = [[2.5, -2.5, 1.8, 3.4, 3.9, -5.2, -2.2, 1.4]]",
    );
    for f in ["L", "grad(L, W)"] {
        let got = numbers(&mut s, &format!("evalpoints({f}, W, P)"));
        let want = numbers(&mut s, &format!("eval({f}, W = W0)"));
        assert_close(f, &got, &want, 1e-8, 0.0);
    }
}

#[test]
fn the_gradient_through_a_nearly_one_hot_softmax_keeps_its_digits() {
    // l2(softmax((W⋅Wᵀ).^2, 2)) at points where each row's peak leads the
    // others by 25 to 370, so 1 − S at the peak is 1e-11 or less, and the
    // gradient as small. The formula S∘(Ḡ − Σ Ḡ∘S) cancels at the peak and
    // leaves rounding of the size of S: through eval, evalpoints and the
    // element view the gradient was 5e-6 relative off at the first point and
    // 1.3 at the second (JAX: 2e-15). Against mpmath at 60 digits (central
    // differences).
    if !support::have_mpmath() {
        return;
    }
    let mut s = session("symbol W[3, 2]\nL = l2(softmax((W * W') .^ 2, 2))\nG = grad(L, W)");
    let base = [1.0531, 1.7765, -2.5533, -0.138, 1.0137, 1.3521];
    for scale in [1.6, 1.8] {
        let w = base.map(|x| x * scale);
        let oracle = format!(
            "{}\nx0 = [mp.mpf(t) for t in {w:?}]\nh = mp.mpf('1e-25')\n\
             for k in range(6):\n    \
             a = list(x0); a[k] += h; b = list(x0); b[k] -= h\n    \
             print(mp.nstr((F(a) - F(b)) / (2 * h), 20))",
            support::MPMATH_L2_SOFTMAX
        );
        let want: Vec<f64> = python(&oracle)
            .lines()
            .map(|l| l.parse().expect("a number"))
            .collect();
        let point = support::matrix_literal(&w, 2);
        let row = support::matrix_literal(&w, 6);
        let by_elements: Vec<f64> = (0..6)
            .flat_map(|k| {
                numbers(
                    &mut s,
                    &format!("eval(diff(L, W[{}, {}]), W = {point})", k / 2, k % 2),
                )
            })
            .collect();
        let largest = want.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        for (how, got) in [
            ("eval", numbers(&mut s, &format!("eval(G, W = {point})"))),
            (
                "evalpoints",
                numbers(&mut s, &format!("evalpoints(G, W, {row})")),
            ),
            ("diff by elements", by_elements),
        ] {
            assert_close(
                &format!("{how} at scale {scale}"),
                &got,
                &want,
                0.0,
                1e-10 * largest,
            );
        }
    }
}

#[test]
fn a_softmax_written_out_is_a_softmax() {
    // exp(Z) ./ sum(exp(Z), 1) overflowed at logits past 709 ("exp(Z) gives
    // inf"); as softmax(Z) it is evaluated with a max shift. Against the
    // shifted quotient computed here.
    let mut s = session("symbol Z[3, 2]\nsymbol z[3]");
    check_in(
        &mut s,
        "text(exp(Z) ./ sum(exp(Z), 1))\ntext(2*exp(Z) ./ sum(exp(Z), 2))\ntext(exp(z) / sum(exp(z)))\n\
         text(exp(Z) / sum(exp(Z)))",
        expect![[r#"
            softmax(Z)
            2*softmax(Z, 2)
            softmax(z)
            exp(Z - logsumexp(Z))"#]],
    );
    let logits = [[1000.0, -3.0], [998.5, 0.5], [-20.0, 700.0]];
    let point = support::matrix_literal(logits.as_flattened(), 2);
    let got = numbers(
        &mut s,
        &format!("eval(exp(Z) ./ sum(exp(Z), 1), Z = {point})"),
    );
    let mut want = vec![0.0; 6];
    for j in 0..2 {
        let top = (0..3)
            .map(|i| logits[i][j])
            .fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = (0..3).map(|i| (logits[i][j] - top).exp()).sum();
        for i in 0..3 {
            want[i * 2 + j] = (logits[i][j] - top).exp() / total;
        }
    }
    assert_close("exp(Z) ./ sum(exp(Z), 1)", &got, &want, 1e-15, 0.0);
    // Over everything, as ℯ^(Z − logsumexp(Z)): the logsumexp rounds at the
    // size of 1000 (1e-13), and the exponential keeps that as relative error.
    let got = numbers(&mut s, &format!("eval(exp(Z) / sum(exp(Z)), Z = {point})"));
    let top = 1000.0_f64;
    let total: f64 = logits.as_flattened().iter().map(|x| (x - top).exp()).sum();
    let want: Vec<f64> = logits
        .as_flattened()
        .iter()
        .map(|x| (x - top).exp() / total)
        .collect();
    assert_close("exp(Z) / sum(exp(Z))", &got, &want, 1e-12, 0.0);
}

#[test]
fn eval_of_scalars_keeps_the_digits_floats_cancel() {
    // Where f64 arithmetic cancels every digit (exp(1/10^20) − 1 is 0 in
    // floats), eval gives the f64 nearest the true value, as SymPy's evalf
    // does: each case against mpmath at 100 digits, to the last bit. A float
    // (1e-12) is the same binary number on both sides.
    if !support::have_mpmath() {
        return;
    }
    let mut cases: Vec<(String, String)> = [
        ("exp(1/10^20) - 1", "exp(mpf(1)/10**20) - 1"),
        ("sqrt(10^20 + 1) - 10^10", "sqrt(mpf(10)**20 + 1) - 10**10"),
        ("1 - cos(1/10^10)", "1 - cos(mpf(1)/10**10)"),
        ("tanh(20) - 1", "tanh(20) - 1"),
        ("355/113 - pi", "mpf(355)/113 - pi"),
        (
            "exp(pi*sqrt(163)) - 640320^3 - 744",
            "exp(pi*sqrt(163)) - 640320**3 - 744",
        ),
        ("(1 + 1/10^20)^(10^20)", "(1 + mpf(1)/10**20)**(10**20)"),
        ("log(1 + 1/10^30)", "log(1 + mpf(1)/10**30)"),
        ("sigmoid(40) - 1", "1/(1 + exp(-40)) - 1"),
        ("softplus(-100)", "log1p(exp(-100))"),
        ("expm1(1e-12) - 1e-12", "expm1(mpf(1e-12)) - mpf(1e-12)"),
        ("log1p(1e-12) - 1e-12", "log1p(mpf(1e-12)) - mpf(1e-12)"),
        ("sin(10^22)", "sin(10**22)"),
        (
            "(1 - sigmoid(300))*sigmoid(300)",
            "exp(-300)/(1 + exp(-300))**2",
        ),
        // 0 exactly: to more digits than f64 holds, so its f64 is 0.
        ("log(6) - log(2) - log(3)", "mpf(0)"),
        // Past a float's range inside; a large term's ulp that cancels
        // later; an exact power (0.25^−0.5); a negative base to an integer.
        ("softplus(10^20)", "mpf(10)**20"),
        (
            "abs(pi + y + 1) + softplus(3^50) - softplus(y) - (3^50 - 2 - exp(y)), y = -1/2",
            "abs(pi + mpf(1)/2) - log1p(exp(-mpf(1)/2)) + 2 + exp(-mpf(1)/2)",
        ),
        ("(y*y)^y + 1, y = -0.5", "mpf(3)"),
        ("x^x, x = -3", "mpf(-1)/27"),
        // The inverse and hyperbolic functions near where they cancel.
        ("acos(1 - 1/10^30)", "acos(1 - mpf(1)/10**30)"),
        ("pi/2 - asin(1 - 1/10^30)", "pi/2 - asin(1 - mpf(1)/10**30)"),
        ("asin(1/3) + acos(1/3) - pi/2", "mpf(0)"),
        ("atan(10^30) - pi/2", "atan(mpf(10)**30) - pi/2"),
        ("cosh(1/10^10) - 1", "cosh(mpf(1)/10**10) - 1"),
        ("sinh(1/10^20)", "sinh(mpf(1)/10**20)"),
        ("tan(10^20)", "tan(mpf(10)**20)"),
        ("tan(355/226)", "tan(mpf(355)/226)"),
        // At 128 bits the sign of tan(a) is not yet known: sqrt waits for more.
        (
            "sqrt(tan((3^50 - 7/5)^E))",
            "sqrt(tan((mpf(3)**50 - mpf(7)/5)**e))",
        ),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    // Difference quotients (f(a + h) − f(a))/h: log₂(1/h) bits cancel.
    let functions = [
        ("exp", "exp"),
        ("sin", "sin"),
        ("cos", "cos"),
        ("tanh", "tanh"),
        ("sigmoid", "(lambda t: 1/(1 + exp(-t)))"),
        ("softplus", "(lambda t: log(1 + exp(t)))"),
        ("log1p", "log1p"),
        ("sqrt", "sqrt"),
        ("tan", "tan"),
        ("atan", "atan"),
        ("sinh", "sinh"),
        ("cosh", "cosh"),
    ];
    for k in [5, 10, 20] {
        for (f, m) in functions {
            for (a, ma) in [
                ("1/3", "mpf(1)/3"),
                ("7/5", "mpf(7)/5"),
                ("5/2", "mpf(5)/2"),
            ] {
                cases.push((
                    format!("({f}({a} + 1/10^{k}) - {f}({a}))*10^{k}"),
                    format!("({m}({ma} + mpf(1)/10**{k}) - {m}({ma}))*10**{k}"),
                ));
            }
        }
    }
    for k in [3, 7, 12, 17, 25] {
        let x = format!("1/10^{k}");
        let m = format!("mpf(1)/10**{k}");
        cases.push((format!("exp({x}) - 1 - {x}"), format!("exp({m}) - 1 - {m}")));
        cases.push((format!("sqrt(1 + {x}) - 1"), format!("sqrt(1 + {m}) - 1")));
        cases.push((format!("{x} - sin({x})"), format!("{m} - sin({m})")));
        cases.push((format!("tanh({k}) - 1"), format!("tanh({k}) - 1")));
    }
    let program = format!(
        "from mpmath import *\nmp.dps = 100\nfor v in [{}]:\n    print(repr(float(v)))",
        cases
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let wants: Vec<f64> = python(&program)
        .lines()
        .map(|l| l.parse().expect("a float"))
        .collect();
    assert_eq!(wants.len(), cases.len());
    let mut s = session("");
    for ((e, _), want) in cases.iter().zip(wants) {
        let got = numbers(&mut s, &format!("eval({e})"));
        assert_eq!(got, [want], "{e}");
    }
    // With a float bound to a symbol, and in an explicit matrix.
    let got = numbers(
        &mut s,
        "eval([exp(x) - 1, tanh(-y) + 1], x = 1e-20, y = 30)",
    );
    let want = numbers(&mut s, "eval([expm1(1e-20), 2*sigmoid(-60)])");
    assert_close("bound symbols", &got, &want, 4.5e-16, 0.0);
}
