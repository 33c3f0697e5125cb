//! The printed result (issue 11): golden 2-D pictures of the seed notebooks'
//! results at widths 40, 80 and 120, each checked independently to stay
//! within its width; unambiguous notation; results in the user's names;
//! and the LaTeX of the golden cases compiled by a real TeX engine when one
//! is installed.

mod support;

use expect_test::{Expect, expect};
use support::run_in;
use symgrad_lang::Session;

/// Seed 000: the BCE loss of three images, as the notebook builds it.
const SEED_000: &str = "X = [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]
symbol W[1, 5]
z = X * W'
y = [1, 0, 0]
p = 1 / (1 + exp(z))
L = (1/3) * sum(-y .* log(p) - (1 - y) .* log(1 - p))";

/// Seed 004: the softmax loss of three images, written per image.
const SEED_004: &str = "X = [[26, 37, 12], [100, 58, 30], [90, 120, 46], [80, 96, 54]]
symbol W[3, 4], b[3]
z0 = W*X[:, 0] + b
z1 = W*X[:, 1] + b
z2 = W*X[:, 2] + b
loss_1 = -log(exp(z0[0])/(exp(z0[0]) + exp(z0[1]) + exp(z0[2])))
loss_2 = -log(exp(z1[1])/(exp(z1[0]) + exp(z1[1]) + exp(z1[2])))
loss_3 = -log(exp(z2[2])/(exp(z2[0]) + exp(z2[1]) + exp(z2[2])))
average_loss = (1/3)*(loss_1 + loss_2 + loss_3)";

/// A session with `setup` run in it.
fn session(setup: &str) -> Session {
    let mut s = Session::new();
    let out = run_in(&mut s, setup);
    assert!(!out.contains("error"), "the setup failed:\n{out}");
    s
}

/// `statement` printed at `width`, after checking that no line is wider.
fn at(s: &mut Session, width: usize, statement: &str) -> String {
    run_in(s, &format!(":set width {width}"));
    let out = run_in(s, statement);
    for line in out.lines() {
        assert!(
            line.chars().count() <= width,
            "{statement} at width {width}: a line of {} columns:\n{out}",
            line.chars().count()
        );
    }
    out
}

#[track_caller]
fn golden(s: &mut Session, width: usize, statement: &str, expected: Expect) {
    expected.assert_eq(&at(s, width, statement));
}

#[test]
fn seed_004_loss_at_40_80_120() {
    let mut s = session(SEED_004);
    golden(
        &mut s,
        40,
        "average_loss",
        expect![[r#"
                 ⎛        z0₀       ⎞
                 ⎜       ℯ          ⎟
              log⎜──────────────────⎟
                 ⎜ z0₀    z0₁    z0₂⎟
                 ⎝ℯ    + ℯ    + ℯ   ⎠
            - ───────────────────────
                         3

                 ⎛        z1₁       ⎞
                 ⎜       ℯ          ⎟
              log⎜──────────────────⎟
                 ⎜ z1₀    z1₁    z1₂⎟
                 ⎝ℯ    + ℯ    + ℯ   ⎠
            - ───────────────────────
                         3

                 ⎛        z2₂       ⎞
                 ⎜       ℯ          ⎟
              log⎜──────────────────⎟
                 ⎜ z2₀    z2₁    z2₂⎟
                 ⎝ℯ    + ℯ    + ℯ   ⎠
            - ───────────────────────
                         3"#]],
    );
    golden(
        &mut s,
        80,
        "average_loss",
        expect![[r#"
                 ⎛        z0₀       ⎞      ⎛        z1₁       ⎞      ⎛        z2₂       ⎞
                 ⎜       ℯ          ⎟      ⎜       ℯ          ⎟      ⎜       ℯ          ⎟
              log⎜──────────────────⎟   log⎜──────────────────⎟   log⎜──────────────────⎟
                 ⎜ z0₀    z0₁    z0₂⎟      ⎜ z1₀    z1₁    z1₂⎟      ⎜ z2₀    z2₁    z2₂⎟
                 ⎝ℯ    + ℯ    + ℯ   ⎠      ⎝ℯ    + ℯ    + ℯ   ⎠      ⎝ℯ    + ℯ    + ℯ   ⎠
            - ─────────────────────── - ─────────────────────── - ───────────────────────
                         3                         3                         3"#]],
    );
    golden(
        &mut s,
        120,
        "average_loss",
        expect![[r#"
                 ⎛        z0₀       ⎞      ⎛        z1₁       ⎞      ⎛        z2₂       ⎞
                 ⎜       ℯ          ⎟      ⎜       ℯ          ⎟      ⎜       ℯ          ⎟
              log⎜──────────────────⎟   log⎜──────────────────⎟   log⎜──────────────────⎟
                 ⎜ z0₀    z0₁    z0₂⎟      ⎜ z1₀    z1₁    z1₂⎟      ⎜ z2₀    z2₁    z2₂⎟
                 ⎝ℯ    + ℯ    + ℯ   ⎠      ⎝ℯ    + ℯ    + ℯ   ⎠      ⎝ℯ    + ℯ    + ℯ   ⎠
            - ─────────────────────── - ─────────────────────── - ───────────────────────
                         3                         3                         3"#]],
    );
}

#[test]
fn seed_004_derivative_at_40_80_120() {
    let mut s = session(SEED_004);
    let d = "diff(average_loss, W[0, 0])";
    golden(
        &mut s,
        40,
        d,
        expect![[r#"
            26⋅softmax(z₀)[0]   37⋅softmax(z₁)[0]
            ───────────────── + ─────────────────
                    3                   3

                                 26
            + 4⋅softmax(z₂)[0] - ──
                                 3"#]],
    );
    golden(
        &mut s,
        80,
        d,
        expect![[r#"
            26⋅softmax(z₀)[0]   37⋅softmax(z₁)[0]                      26
            ───────────────── + ───────────────── + 4⋅softmax(z₂)[0] - ──
                    3                   3                              3"#]],
    );
    golden(
        &mut s,
        120,
        d,
        expect![[r#"
            26⋅softmax(z₀)[0]   37⋅softmax(z₁)[0]                      26
            ───────────────── + ───────────────── + 4⋅softmax(z₂)[0] - ──
                    3                   3                              3"#]],
    );
}

#[test]
fn seed_000_loss_and_gradient_at_40() {
    let mut s = session(SEED_000);
    golden(
        &mut s,
        40,
        "L",
        expect![[r#"
                 ⎛   1   ⎞      ⎛       1   ⎞
              log⎜───────⎟   log⎜1 - ───────⎟
                 ⎜     z₀⎟      ⎜         z₁⎟
                 ⎝1 + ℯ  ⎠      ⎝    1 + ℯ  ⎠
            - ──────────── - ────────────────
                   3                3

                 ⎛       1   ⎞
              log⎜1 - ───────⎟
                 ⎜         z₂⎟
                 ⎝    1 + ℯ  ⎠
            - ────────────────
                     3"#]],
    );
    golden(
        &mut s,
        40,
        "grad(L, W)",
        expect![[r#"
        (σ(zᵀ) + yᵀ - 1)⋅X
        ──────────────────
                3"#]],
    );
}

#[test]
fn seed_000_gradient_elements_at_40_80_120() {
    let mut s = session(SEED_000);
    let g = "elements(grad(L, W))";
    golden(
        &mut s,
        40,
        g,
        expect![[r#"
            column 0
            ⎡26⋅σ(z₀)   2⋅σ(z₁)   80⋅σ(z₂)   82⎤
            ⎢──────── + ─────── + ──────── - ──⎥
            ⎣   3          3         3       3 ⎦

            column 1
            ⎡100⋅σ(z₀)              10⋅σ(z₂)   70⎤
            ⎢───────── + 20⋅σ(z₁) + ──────── - ──⎥
            ⎣    3                     3       3 ⎦

            column 2
            ⎡           20⋅σ(z₁)   4⋅σ(z₂)    ⎤
            ⎢30⋅σ(z₀) + ──────── + ─────── - 8⎥
            ⎣              3          3       ⎦

            column 3
            ⎡80⋅σ(z₀)   50⋅σ(z₁)              110⎤
            ⎢──────── + ──────── + 20⋅σ(z₂) - ───⎥
            ⎣   3          3                   3 ⎦

            column 4
            ⎡σ(z₀)   σ(z₁)   σ(z₂)   2⎤
            ⎢───── + ───── + ───── - ─⎥
            ⎣  3       3       3     3⎦"#]],
    );
    golden(
        &mut s,
        80,
        g,
        expect![[r#"
            columns 0–1
            ⎡26⋅σ(z₀)   2⋅σ(z₁)   80⋅σ(z₂)   82  100⋅σ(z₀)              10⋅σ(z₂)   70⎤
            ⎢──────── + ─────── + ──────── - ──  ───────── + 20⋅σ(z₁) + ──────── - ──⎥
            ⎣   3          3         3       3       3                     3       3 ⎦

            columns 2–3
            ⎡           20⋅σ(z₁)   4⋅σ(z₂)      80⋅σ(z₀)   50⋅σ(z₁)              110⎤
            ⎢30⋅σ(z₀) + ──────── + ─────── - 8  ──────── + ──────── + 20⋅σ(z₂) - ───⎥
            ⎣              3          3            3          3                   3 ⎦

            column 4
            ⎡σ(z₀)   σ(z₁)   σ(z₂)   2⎤
            ⎢───── + ───── + ───── - ─⎥
            ⎣  3       3       3     3⎦"#]],
    );
    golden(
        &mut s,
        120,
        g,
        expect![[r#"
            columns 0–2
            ⎡26⋅σ(z₀)   2⋅σ(z₁)   80⋅σ(z₂)   82  100⋅σ(z₀)              10⋅σ(z₂)   70             20⋅σ(z₁)   4⋅σ(z₂)    ⎤
            ⎢──────── + ─────── + ──────── - ──  ───────── + 20⋅σ(z₁) + ──────── - ──  30⋅σ(z₀) + ──────── + ─────── - 8⎥
            ⎣   3          3         3       3       3                     3       3                 3          3       ⎦

            columns 3–4
            ⎡80⋅σ(z₀)   50⋅σ(z₁)              110  σ(z₀)   σ(z₁)   σ(z₂)   2⎤
            ⎢──────── + ──────── + 20⋅σ(z₂) - ───  ───── + ───── + ───── - ─⎥
            ⎣   3          3                   3     3       3       3     3⎦"#]],
    );
}

#[test]
fn softmax_jacobian_of_ten_at_80() {
    let mut s = session("symbol o[10]");
    golden(
        &mut s,
        80,
        "jacobian(softmax(o), o)",
        expect![[r#"
        columns 0–3
        ⎡(1 - U₀[0])⋅U₀[0]    -U₀[0]⋅U₀[1]       -U₀[0]⋅U₀[2]       -U₀[0]⋅U₀[3]   ⎤
        ⎢                                                                          ⎥
        ⎢  -U₀[0]⋅U₀[1]     (1 - U₀[1])⋅U₀[1]    -U₀[1]⋅U₀[2]       -U₀[1]⋅U₀[3]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[0]⋅U₀[2]       -U₀[1]⋅U₀[2]     (1 - U₀[2])⋅U₀[2]    -U₀[2]⋅U₀[3]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[0]⋅U₀[3]       -U₀[1]⋅U₀[3]       -U₀[2]⋅U₀[3]     (1 - U₀[3])⋅U₀[3]⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[0]⋅U₀[4]       -U₀[1]⋅U₀[4]       -U₀[2]⋅U₀[4]       -U₀[3]⋅U₀[4]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[0]⋅U₀[5]       -U₀[1]⋅U₀[5]       -U₀[2]⋅U₀[5]       -U₀[3]⋅U₀[5]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[0]⋅U₀[6]       -U₀[1]⋅U₀[6]       -U₀[2]⋅U₀[6]       -U₀[3]⋅U₀[6]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[0]⋅U₀[7]       -U₀[1]⋅U₀[7]       -U₀[2]⋅U₀[7]       -U₀[3]⋅U₀[7]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[0]⋅U₀[8]       -U₀[1]⋅U₀[8]       -U₀[2]⋅U₀[8]       -U₀[3]⋅U₀[8]   ⎥
        ⎢                                                                          ⎥
        ⎣  -U₀[0]⋅U₀[9]       -U₀[1]⋅U₀[9]       -U₀[2]⋅U₀[9]       -U₀[3]⋅U₀[9]   ⎦

        columns 4–7
        ⎡  -U₀[0]⋅U₀[4]       -U₀[0]⋅U₀[5]       -U₀[0]⋅U₀[6]       -U₀[0]⋅U₀[7]   ⎤
        ⎢                                                                          ⎥
        ⎢  -U₀[1]⋅U₀[4]       -U₀[1]⋅U₀[5]       -U₀[1]⋅U₀[6]       -U₀[1]⋅U₀[7]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[2]⋅U₀[4]       -U₀[2]⋅U₀[5]       -U₀[2]⋅U₀[6]       -U₀[2]⋅U₀[7]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[3]⋅U₀[4]       -U₀[3]⋅U₀[5]       -U₀[3]⋅U₀[6]       -U₀[3]⋅U₀[7]   ⎥
        ⎢                                                                          ⎥
        ⎢(1 - U₀[4])⋅U₀[4]    -U₀[4]⋅U₀[5]       -U₀[4]⋅U₀[6]       -U₀[4]⋅U₀[7]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[4]⋅U₀[5]     (1 - U₀[5])⋅U₀[5]    -U₀[5]⋅U₀[6]       -U₀[5]⋅U₀[7]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[4]⋅U₀[6]       -U₀[5]⋅U₀[6]     (1 - U₀[6])⋅U₀[6]    -U₀[6]⋅U₀[7]   ⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[4]⋅U₀[7]       -U₀[5]⋅U₀[7]       -U₀[6]⋅U₀[7]     (1 - U₀[7])⋅U₀[7]⎥
        ⎢                                                                          ⎥
        ⎢  -U₀[4]⋅U₀[8]       -U₀[5]⋅U₀[8]       -U₀[6]⋅U₀[8]       -U₀[7]⋅U₀[8]   ⎥
        ⎢                                                                          ⎥
        ⎣  -U₀[4]⋅U₀[9]       -U₀[5]⋅U₀[9]       -U₀[6]⋅U₀[9]       -U₀[7]⋅U₀[9]   ⎦

        columns 8–9
        ⎡  -U₀[0]⋅U₀[8]       -U₀[0]⋅U₀[9]   ⎤
        ⎢                                    ⎥
        ⎢  -U₀[1]⋅U₀[8]       -U₀[1]⋅U₀[9]   ⎥
        ⎢                                    ⎥
        ⎢  -U₀[2]⋅U₀[8]       -U₀[2]⋅U₀[9]   ⎥
        ⎢                                    ⎥
        ⎢  -U₀[3]⋅U₀[8]       -U₀[3]⋅U₀[9]   ⎥
        ⎢                                    ⎥
        ⎢  -U₀[4]⋅U₀[8]       -U₀[4]⋅U₀[9]   ⎥
        ⎢                                    ⎥
        ⎢  -U₀[5]⋅U₀[8]       -U₀[5]⋅U₀[9]   ⎥
        ⎢                                    ⎥
        ⎢  -U₀[6]⋅U₀[8]       -U₀[6]⋅U₀[9]   ⎥
        ⎢                                    ⎥
        ⎢  -U₀[7]⋅U₀[8]       -U₀[7]⋅U₀[9]   ⎥
        ⎢                                    ⎥
        ⎢(1 - U₀[8])⋅U₀[8]    -U₀[8]⋅U₀[9]   ⎥
        ⎢                                    ⎥
        ⎣  -U₀[8]⋅U₀[9]     (1 - U₀[9])⋅U₀[9]⎦

        where U₀ = softmax(o)"#]],
    );
    for width in [40, 120] {
        at(&mut s, width, "jacobian(softmax(o), o)");
    }
}

#[test]
fn numeric_matrices_break_into_column_blocks() {
    let mut s = session("seed(0); R = randn(20, 20)\n:set digits 4");
    golden(
        &mut s,
        80,
        "R",
        expect![[r#"
            20×20 matrix, rows 4–15 and columns 4–15 not shown
            ⎡-0.4287   0.6726   -0.7484   0.3388  ⋯  -0.328     0.165    0.2806   -0.6451⎤
            ⎢                                                                            ⎥
            ⎢-0.2711  -0.05643  -0.844   -2.03    ⋯   0.1088   -1.312   -2.02     -1.256 ⎥
            ⎢                                                                            ⎥
            ⎢-0.9885   0.5379    1.114    0.3325  ⋯  -0.2409   -0.3503  -0.1255    1.357 ⎥
            ⎢                                                                            ⎥
            ⎢ 0.9491  -0.9794   -0.1699   1.424   ⋯   0.0832    0.681    0.1069   -1.272 ⎥
            ⎢                                                                            ⎥
            ⎢   ⋮        ⋮         ⋮        ⋮     ⋱     ⋮         ⋮        ⋮         ⋮   ⎥
            ⎢                                                                            ⎥
            ⎢-0.2602  -0.7254   -0.6683   0.7686  ⋯  -1.238    -0.8034  -1.268     0.9443⎥
            ⎢                                                                            ⎥
            ⎢ 2.321    0.9922    0.8628  -1.138   ⋯  -0.789     1.317   -0.02266  -0.3683⎥
            ⎢                                                                            ⎥
            ⎢-1.176   -1.502     1.24    -1.633   ⋯   0.5588    0.2415  -0.2325   -1.228 ⎥
            ⎢                                                                            ⎥
            ⎣-0.4482  -0.3434   -1.198    1.056   ⋯  -0.02393   0.1061  -0.9537   -0.4441⎦"#]],
    );
    for width in [40, 120] {
        at(&mut s, width, "R");
    }
}

#[test]
fn a_quadratic_form_of_25_stays_in_matrix_form() {
    let mut s = session("symbol v[25], A[25, 25]");
    for width in [40, 80, 120] {
        golden(&mut s, width, "v'*A*v", expect![["vᵀ⋅A⋅v"]]);
    }
}

/// A scalar of a small matrix is written out element by element only while
/// that stays short: the sum of a 20×20 symbol's 400 elements would fill 38
/// lines. A 3×3 one is still written out.
#[test]
fn a_sum_of_many_elements_stays_in_matrix_form() {
    let mut s = session("symbol C[20, 20], D[10, 40], B[3, 3]");
    for width in [40, 80, 120] {
        golden(&mut s, width, "sum(C)", expect![["sum(C)"]]);
        golden(
            &mut s,
            width,
            "trace(C) + sum(D)",
            expect![["tr(C) + sum(D)"]],
        );
    }
    golden(
        &mut s,
        80,
        "sum(B)",
        expect![["B₀₀ + B₀₁ + B₀₂ + B₁₀ + B₁₁ + B₁₂ + B₂₀ + B₂₁ + B₂₂"]],
    );
    golden(&mut s, 80, "trace(B)", expect![["B₀₀ + B₁₁ + B₂₂"]]);
    golden(&mut s, 80, "text(sum(C))", expect![["sum(C)"]]);
}

/// The LaTeX of every golden case and of the notation cases, compiled by
/// `pdflatex` (with amsmath only) when it is installed: among them results
/// that name subexpressions (`\text{where } u_{0} = …`).
#[test]
fn latex_of_the_golden_cases_compiles() {
    let Some(engine) = ["pdflatex", "lualatex", "xelatex"].into_iter().find(|e| {
        std::process::Command::new(e)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!("no TeX engine installed (pdflatex): the LaTeX compile test is skipped");
        return;
    };
    let seed_004_written_out = format!("{SEED_004}\n:set names off");
    let seed_000_narrow = format!("{SEED_000}\n:set names off\n:set width 40");
    let cases: [(&str, &[&str]); 11] = [
        (SEED_004, &["average_loss", "diff(average_loss, W[0, 0])"]),
        (
            &seed_004_written_out,
            &["average_loss", "diff(average_loss, W[0, 0])"],
        ),
        (&seed_000_narrow, &["L", "grad(L, W)"]),
        (
            "symbol x, a[10]",
            &[
                "(x - 1)*(x - 2)*(x - 3)*(x - 4)*(x - 5)*(x - 6)*(x - 7)*(x - 8)*(x - 9)*(x - 10)*(x - 11)*(x - 12)",
                "log(exp(a[0]) + exp(a[1]) + exp(a[2]) + exp(a[3]) + exp(a[4]) + exp(a[5]) + exp(a[6]) + exp(a[7]) + exp(a[8]) + exp(a[9]))",
            ],
        ),
        (SEED_000, &["L", "grad(L, W)", "elements(grad(L, W))"]),
        ("symbol o[10]", &["jacobian(softmax(o), o)"]),
        ("seed(0); R = randn(20, 20)", &["R", "randn(3, 11)"]),
        ("symbol v[25], A[25, 25]", &["v'*A*v"]),
        (
            "M = [[1234567, 2345678, 3456789, 4567890, 5678901], [1, 2, 3, 4, 5]]\n:set width 40",
            &["M", "randn(100, 100)"],
        ),
        (
            "symbol A[2, 3], B[2, 3], C[3, 2], M[3, 3], x",
            &[
                "(-A/3 - B/3)*C",
                "(A/4 + [[1, 2, 3], [4, 5, 7]]/2)*C",
                "x*((A/3 - B/3)*C)",
                "A .* ((A/3 - B/3)*M)",
                "-A/3 - B/3",
                "exp(A/4 + [[1, 2, 3], [4, 5, 7]]/2)",
                "((A/3 - B/3)*C)*((A/2 + B/2)*C)",
                "(A .* ((A/3 - B/3)*M))*C",
                "sum(A/2 - B/2, 2)",
                "sum(A/3 - B/3, 2)",
            ],
        ),
        (
            "symbol A[3, 3], B[3, 3], c[3], alpha, omicron, F_beta, Alpha, x_1, z",
            &[
                "A.^2 - A^2",
                "A ./ B",
                "exp(A)",
                "-A*B",
                "alpha*B*c",
                "exp(1)",
                "diff(tanh(z), z)",
                "eye(3) + 0*A",
                "omicron + F_beta + Alpha + x_1",
            ],
        ),
    ];
    let mut body = String::new();
    for (setup, statements) in cases {
        let mut s = session(&format!("{setup}\n:set output latex"));
        for statement in statements {
            let latex = run_in(&mut s, statement);
            assert!(!latex.contains("error"), "{statement}: {latex}");
            body.push_str(&format!("% {statement}\n\\[\n{latex}\n\\]\n"));
        }
    }
    let dir = std::env::temp_dir().join(format!("symgrad-latex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let doc = format!(
        "\\documentclass{{article}}\n\\usepackage{{amsmath}}\n\\begin{{document}}\n{body}\\end{{document}}\n"
    );
    std::fs::write(dir.join("cases.tex"), &doc).expect("the document is written");
    let out = std::process::Command::new(engine)
        .args(["-interaction=nonstopmode", "-halt-on-error", "cases.tex"])
        .current_dir(&dir)
        .output()
        .expect("the TeX engine runs");
    let log = String::from_utf8_lossy(&out.stdout).to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "{engine} failed:\n{log}\n\n{doc}");
}

/// Pretty, text and LaTeX of `statement`, one after the other.
fn three_forms(s: &mut Session, statement: &str) -> String {
    let mut out = Vec::new();
    for form in ["pretty", "text", "latex"] {
        out.push(run_in(s, &format!(":set output {form}\n{statement}")));
    }
    run_in(s, ":set output pretty");
    out.join("\n")
}

#[test]
fn elementwise_and_matrix_operations_read_differently() {
    let mut s = session("symbol A[3, 3], B[3, 3], c[3], alpha, z");
    let cases = [
        (
            "A.^2 - A^2",
            expect![[r#"
             ∘2    2
            A   - A
            A.^2 - A^2
            \mathbf{A}^{\circ 2} - \mathbf{A}^{2}"#]],
        ),
        (
            "A ./ B",
            expect![[r#"
            A ⊘ B
            A ./ B
            \mathbf{A} \oslash \mathbf{B}"#]],
        ),
        (
            "exp(A)",
            expect![[r#"
            exp(A)
            exp(A)
            \exp\left(\mathbf{A}\right)"#]],
        ),
        (
            "-A*B",
            expect![[r#"
                -A⋅B
                -(A * B)
                -\mathbf{A} \mathbf{B}"#]],
        ),
        (
            "alpha*B*c",
            expect![[r#"
                α⋅B⋅c
                alpha*(B * c)
                \alpha \mathbf{B} \mathbf{c}"#]],
        ),
        (
            "exp(1)",
            expect![[r#"
            ℯ
            exp(1)
            e"#]],
        ),
        (
            "diff(tanh(z), z)",
            expect![[r#"
                    2
            1 - tanh (z)
            1 - tanh(z)^2
            1 - \tanh^{2}\left(z\right)"#]],
        ),
        (
            "eye(3) + 0*A",
            expect![[r#"
            I
            [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
            I"#]],
        ),
        (
            "elements(diag(c))",
            expect![[r#"
            diag(c)
            [[c[0, 0], 0, 0], [0, c[1, 0], 0], [0, 0, c[2, 0]]]
            \operatorname{diag}\left(\mathbf{c}\right)"#]],
        ),
        (
            "sum(c' .* B[0, :], 2) * A",
            expect![[r#"
            (B[0, :]⋅c)⋅A
            sum(c' .* B[0, :], 2)*A
            \left(\mathbf{B}\left[0, :\right] \mathbf{c}\right) \mathbf{A}"#]],
        ),
    ];
    for (statement, expected) in cases {
        expected.assert_eq(&three_forms(&mut s, statement));
    }
}

/// A sum beside a matrix product shows the number its terms share outside
/// the product, as one writes `(1/N)⋅(P − Y)⋅Xᵀ`: the lcm of their
/// denominators below, the gcd of their numerators above, a minus when
/// every term has one. The text form stays as the pool holds it (it reads
/// back as the same expression).
#[test]
fn a_sum_beside_a_matrix_product_shows_its_shared_factor_outside() {
    let mut s = session("symbol A[2, 3], B[2, 3], C[3, 2], D[3, 2], M[3, 3], x");
    let cases = [
        (
            "(A/3 - B/3)*C",
            expect![[r#"
            (A - B)⋅C
            ─────────
                3
            (A/3 - B/3) * C
            \frac{\left(\mathbf{A} - \mathbf{B}\right) \mathbf{C}}{3}"#]],
        ),
        (
            "(2*A - 4*B)*C",
            expect![[r#"
            2⋅(A - 2⋅B)⋅C
            (2*A - 4*B) * C
            2 \left(\mathbf{A} - 2 \mathbf{B}\right) \mathbf{C}"#]],
        ),
        (
            "(-A/3 - B/3)*C",
            expect![[r#"
             (A + B)⋅C
            -─────────
                 3
            (-A/3 - B/3) * C
            -\frac{\left(\mathbf{A} + \mathbf{B}\right) \mathbf{C}}{3}"#]],
        ),
        (
            "(A/3 - B/6)*C",
            expect![[r#"
            (2⋅A - B)⋅C
            ───────────
                 6
            (A/3 - B/6) * C
            \frac{\left(2 \mathbf{A} - \mathbf{B}\right) \mathbf{C}}{6}"#]],
        ),
        (
            "(A/2 + B/2)*(C/3 - D/3)",
            expect![[r#"
            (A + B)⋅(C - D)
            ───────────────
                   6
            (A/2 + B/2) * (C/3 - D/3)
            \frac{\left(\mathbf{A} + \mathbf{B}\right) \left(\mathbf{C} -
              \mathbf{D}\right)}{6}"#]],
        ),
        (
            "(A/4 + [[1, 2, 3], [4, 5, 7]]/2)*C",
            expect![[r#"
            ⎛    ⎡2   4   6⎤⎞
            ⎜A + ⎢         ⎥⎟⋅C
            ⎝    ⎣8  10  14⎦⎠
            ───────────────────
                     4
            (A/4 + [[1/2, 1, 3/2], [2, 5/2, 7/2]]) * C
            \frac{\left(\mathbf{A} + \begin{bmatrix}2 & 4 & 6 \\ 8 & 10 &
              14\end{bmatrix}\right) \mathbf{C}}{4}"#]],
        ),
        (
            "x*((A/3 - B/3)*C)",
            expect![[r#"
            x⋅(A - B)⋅C
            ───────────
                 3
            x*((A/3 - B/3) * C)
            \frac{x \left(\mathbf{A} - \mathbf{B}\right) \mathbf{C}}{3}"#]],
        ),
        (
            "(2/5)*((A/3 - B/3)*C)",
            expect![[r#"
            2⋅(A - B)⋅C
            ───────────
                15
            2*((A/3 - B/3) * C)/5
            \frac{2 \left(\mathbf{A} - \mathbf{B}\right) \mathbf{C}}{15}"#]],
        ),
        // A product of such products shows their factors as one.
        (
            "((A/3 - B/3)*C)*((A/2 + B/2)*C)",
            expect![[r#"
            (A - B)⋅C⋅((A + B)⋅C)
            ─────────────────────
                      6
            (A/3 - B/3) * C * ((A/2 + B/2) * C)
            \frac{\left(\mathbf{A} - \mathbf{B}\right) \mathbf{C} \left(\left(\mathbf{A} +
              \mathbf{B}\right) \mathbf{C}\right)}{6}"#]],
        ),
        (
            "((A/3 - B/3)*C)*C'",
            expect![[r#"
            (A - B)⋅C⋅Cᵀ
            ────────────
                 3
            (A/3 - B/3) * C * C'
            \frac{\left(\mathbf{A} - \mathbf{B}\right) \mathbf{C} \mathbf{C}^\top}{3}"#]],
        ),
        // So does an elementwise product beside a matrix product, as
        // back-propagation writes ((1 − A₁∘²)∘(W₂ᵀ⋅(A₂ − Y)))⋅Xᵀ/3.
        (
            "(A .* ((A/3 - B/3)*M))*C",
            expect![[r#"
            (A∘((A - B)⋅M))⋅C
            ─────────────────
                    3
            (A .* ((A/3 - B/3) * M)) * C
            \frac{\left(\mathbf{A} \odot \left(\left(\mathbf{A} - \mathbf{B}\right)
              \mathbf{M}\right)\right) \mathbf{C}}{3}"#]],
        ),
        // Nothing is shared, or a term would grow a coefficient.
        (
            "(A/3 - B)*C",
            expect![[r#"
            ⎛A    ⎞
            ⎜─ - B⎟⋅C
            ⎝3    ⎠
            (A/3 - B) * C
            \left(\frac{\mathbf{A}}{3} - \mathbf{B}\right) \mathbf{C}"#]],
        ),
        (
            "(0.5*A - 0.5*B)*C",
            expect![[r#"
            (0.5⋅A - 0.5⋅B)⋅C
            (0.5*A - 0.5*B) * C
            \left(0.5 \mathbf{A} - 0.5 \mathbf{B}\right) \mathbf{C}"#]],
        ),
        // An elementwise product keeps the fraction by the matrix product.
        (
            "A .* ((A/3 - B/3)*M)",
            expect![[r#"
              ⎛(A - B)⋅M⎞
            A∘⎜─────────⎟
              ⎝    3    ⎠
            A .* ((A/3 - B/3) * M)
            \mathbf{A} \odot \left(\frac{\left(\mathbf{A} - \mathbf{B}\right)
              \mathbf{M}}{3}\right)"#]],
        ),
        // A sum with a name is shown by it.
        (
            "S = A/3 - B/3\nS*C",
            expect![[r#"
            S⋅C
            (A/3 - B/3) * C
            \mathbf{S} \mathbf{C}"#]],
        ),
    ];
    for (statement, expected) in cases {
        expected.assert_eq(&three_forms(&mut s, statement));
    }
}

/// A matrix sum whose terms all have a fraction shows the fraction they
/// share outside (`(1/N)⋅(P − Y)`); scalar sums, integers and means stay
/// with their terms.
#[test]
fn a_matrix_sum_shows_the_fraction_its_terms_share() {
    let mut s = session("symbol A[2, 3], B[2, 3], x");
    let cases = [
        (
            "A/3 - B/3",
            expect![[r#"
            A - B
            ─────
              3
            A/3 - B/3
            \frac{\mathbf{A} - \mathbf{B}}{3}"#]],
        ),
        (
            "-A/3 - B/3",
            expect![[r#"
             A + B
            -─────
               3
            -A/3 - B/3
            -\frac{\mathbf{A} + \mathbf{B}}{3}"#]],
        ),
        (
            "2*A/3 - B/6",
            expect![[r#"
            4⋅A - B
            ───────
               6
            2*A/3 - B/6
            \frac{4 \mathbf{A} - \mathbf{B}}{6}"#]],
        ),
        (
            "x*A/3 + B/3",
            expect![[r#"
            x⋅A + B
            ───────
               3
            x*A/3 + B/3
            \frac{x \mathbf{A} + \mathbf{B}}{3}"#]],
        ),
        (
            "A/4 + [[1, 2, 3], [4, 5, 7]]/2",
            expect![[r#"
                ⎡2   4   6⎤
            A + ⎢         ⎥
                ⎣8  10  14⎦
            ───────────────
                   4
            A/4 + [[1/2, 1, 3/2], [2, 5/2, 7/2]]
            \frac{\mathbf{A} + \begin{bmatrix}2 & 4 & 6 \\ 8 & 10 & 14\end{bmatrix}}{4}"#]],
        ),
        // A sum along an axis shows the number outside, or is a mean.
        (
            "sum(A/2 - B/2, 2)",
            expect![[r#"
            sum(A - B, 2)
            ─────────────
                  2
            sum(A/2 - B/2, 2)
            \frac{\operatorname{sum}\left(\mathbf{A} - \mathbf{B}, 2\right)}{2}"#]],
        ),
        (
            "sum(A/3 - B/3, 2)",
            expect![[r#"
            mean(A - B, 2)
            sum(A/3 - B/3, 2)
            \operatorname{mean}\left(\mathbf{A} - \mathbf{B}, 2\right)"#]],
        ),
        (
            "exp(A/3 - B/3)",
            expect![[r#"
               ⎛A - B⎞
            exp⎜─────⎟
               ⎝  3  ⎠
            exp(A/3 - B/3)
            \exp\left(\frac{\mathbf{A} - \mathbf{B}}{3}\right)"#]],
        ),
        // Nothing is shared, it is an integer, the sum is a scalar, or a
        // term is a mean.
        (
            "A/3 - B",
            expect![[r#"
            A
            ─ - B
            3
            A/3 - B
            \frac{\mathbf{A}}{3} - \mathbf{B}"#]],
        ),
        (
            "2*A - 4*B",
            expect![[r#"
            2⋅A - 4⋅B
            2*A - 4*B
            2 \mathbf{A} - 4 \mathbf{B}"#]],
        ),
        (
            "x/3 + 1/3",
            expect![[r#"
            x   1
            ─ + ─
            3   3
            x/3 + 1/3
            \frac{x}{3} + \frac{1}{3}"#]],
        ),
        (
            "sum(A, 2)/3 - [[1/3], [2/3]]",
            expect![[r#"
                         ⎡-1/3⎤
            mean(A, 2) + ⎢    ⎥
                         ⎣-2/3⎦
            mean(A, 2) + [-1/3, -2/3]
            \operatorname{mean}\left(\mathbf{A}, 2\right) + \begin{bmatrix}-\frac{1}{3} \\
              -\frac{2}{3}\end{bmatrix}"#]],
        ),
    ];
    for (statement, expected) in cases {
        expected.assert_eq(&three_forms(&mut s, statement));
    }
}

/// The network of seed 003 with its data bound to X and Y.
const NETWORK: &str = "X = [[1, 2, 4], [-2, -5, -8]]
Y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
symbol W1[2, 2], b1[2], W2[3, 2], b2[3]
A1 = tanh(W1 * X + b1)
A2 = softmax(W2 * A1 + b2)
L = -sum(Y .* log(A2)) / 3";

/// The scores `z = X*W'` name their elements inside a result written out
/// element by element also where the result holds them negated
/// (`ℯ^(−z₀₀)`, a logistic loss) or scaled (`z₀₀/3`, a mean).
#[test]
fn scores_are_named_negated_and_scaled() {
    let mut s = session("symbol W[2, 3], X[4, 3]\nz = X*W'");
    golden(
        &mut s,
        80,
        "mean(log(1 + exp(-z)))",
        expect![[r#"
               ⎛     -z₀₀⎞      ⎛     -z₀₁⎞      ⎛     -z₁₀⎞      ⎛     -z₁₁⎞
            log⎝1 + ℯ    ⎠   log⎝1 + ℯ    ⎠   log⎝1 + ℯ    ⎠   log⎝1 + ℯ    ⎠
            ────────────── + ────────────── + ────────────── + ──────────────
                  8                8                8                8

                 ⎛     -z₂₀⎞      ⎛     -z₂₁⎞      ⎛     -z₃₀⎞      ⎛     -z₃₁⎞
              log⎝1 + ℯ    ⎠   log⎝1 + ℯ    ⎠   log⎝1 + ℯ    ⎠   log⎝1 + ℯ    ⎠
            + ────────────── + ────────────── + ────────────── + ──────────────
                    8                8                8                8"#]],
    );
    golden(
        &mut s,
        80,
        "sum(z)/3 - 1",
        expect![[r#"
        z₀₀   z₀₁   z₁₀   z₁₁   z₂₀   z₂₁   z₃₀   z₃₁
        ─── + ─── + ─── + ─── + ─── + ─── + ─── + ─── - 1
         3     3     3     3     3     3     3     3"#]],
    );
    golden(
        &mut s,
        80,
        "z[0, 0] - z[0, 1]/2",
        expect![[r#"
              z₀₁
        z₀₀ - ───
               2"#]],
    );
    // Not every term of a score in the sum, or not all by one number:
    // written out.
    golden(
        &mut s,
        80,
        "z[0, 0] - X[0, 0]*W[0, 0]",
        expect!["W₀₁⋅X₀₁ + W₀₂⋅X₀₂"],
    );
    golden(
        &mut s,
        80,
        "2*X[0, 0]*W[0, 0] + X[0, 1]*W[0, 1] + X[0, 2]*W[0, 2] + 1",
        expect!["2⋅W₀₀⋅X₀₀ + W₀₁⋅X₀₁ + W₀₂⋅X₀₂ + 1"],
    );
}

/// A bound value equal to its transpose (`A + Aᵀ`, identity labels) is
/// shown by its name, not as its transpose.
#[test]
fn a_symmetric_bound_value_is_not_shown_transposed() {
    let mut s = session("symbol A[3, 3], B[3, 3], W[3, 3]\nS = A + A'\nY = eye(3)");
    golden(&mut s, 80, "S*B", expect!["S⋅B"]);
    golden(
        &mut s,
        80,
        "grad(sum(Y .* log(softmax(W*B))), W)",
        expect!["(Y - softmax(W⋅B))⋅Bᵀ"],
    );
}

/// A bound 1×1 value (`f = sigmoid(w'*x)`) names its element inside a
/// result written out element by element, as a matrix value names itself;
/// the value shown alone is written out, and a number is never a name.
#[test]
fn a_one_by_one_value_names_its_element() {
    let mut s = session("symbol w[3], x[3]\nf = sigmoid(w'*x)\nc = 3");
    golden(&mut s, 80, "diff(f, w[0])", expect!["f⋅x₀⋅(1 - f)"]);
    golden(&mut s, 80, "grad(f, w)", expect!["f⋅(1 - f)⋅x"]);
    golden(&mut s, 80, "f", expect!["σ(w₀⋅x₀ + w₁⋅x₁ + w₂⋅x₂)"]);
    golden(&mut s, 80, "c*x[0] + 3", expect!["3⋅x₀ + 3"]);
}

/// A multiple of the identity beside other factors shows its number in
/// front and `I`, for a symbol of any size.
#[test]
fn a_multiple_of_the_identity_shows_as_one() {
    let mut s = session("symbol A[2, 2], V[30, 30]");
    golden(&mut s, 80, "grad(trace(A)^2, A)", expect!["2⋅tr(A)⋅I"]);
    golden(&mut s, 80, "grad(trace(V)^2, V)", expect!["2⋅tr(V)⋅I"]);
    golden(&mut s, 80, "x*(2*eye(2))", expect!["2⋅x⋅I"]);
    // Alone it is a matrix of numbers, shown as one.
    golden(
        &mut s,
        80,
        "2*eye(2)",
        expect![[r#"
        ⎡2  0⎤
        ⎢    ⎥
        ⎣0  2⎦"#]],
    );
}

#[test]
fn results_are_shown_in_the_names_the_user_bound() {
    let mut s = session(NETWORK);
    golden(
        &mut s,
        80,
        "grad(L, W2)",
        expect![[r#"
        (A₂ - Y)⋅A₁ᵀ
        ────────────
             3"#]],
    );
    golden(
        &mut s,
        80,
        "grad(L, b2)",
        expect![[r#"
                          1
            mean(A₂, 2) - ─
                          3"#]],
    );
    golden(
        &mut s,
        80,
        "grad(L, b1)",
        expect![[r#"
            ⎛⎛      ∘2⎞                  ⎞
        mean⎝⎝1 - A₁  ⎠∘(W₂ᵀ⋅(A₂ - Y)), 2⎠"#]],
    );
    // A softmax derivative is shown as its formula, with the softmax named.
    let mut s = session("symbol z[3]\nP = softmax(z)");
    golden(
        &mut s,
        80,
        "grad(l2(P), z)",
        expect![[r#"
              ⎛           ⎛ ∘2   ⎞⎞
            P∘⎝2⋅P - 2⋅sum⎝P  , 1⎠⎠"#]],
    );
    // A name for a symbol rearranged is not used: the gradient stays in W.
    let mut s = session("symbol W[2, 3], x[3]\nw = W'");
    golden(
        &mut s,
        80,
        "grad(sum(tanh(W*x)), W)",
        expect![[r#"
        ⎛             ∘2⎞
        ⎝1 - tanh(W⋅x)  ⎠⋅xᵀ"#]],
    );
    // `text` is self-contained; `:set names off` writes everything out.
    let mut s = session("X = [[1, 2], [3, 4]]\nsymbol W[2, 2]");
    golden(&mut s, 80, "W*X", expect!["W⋅X"]);
    golden(&mut s, 80, "text(W*X)", expect!["W * [[1, 2], [3, 4]]"]);
    golden(
        &mut s,
        80,
        ":set names off\nW*X",
        expect![[r#"
          ⎡1  2⎤
        W⋅⎢    ⎥
          ⎣3  4⎦"#]],
    );
}

#[test]
fn symbol_names_and_digits_follow_sympy() {
    let mut s = session("symbol x_1, F_beta, Gamma, Alpha, w2, omicron");
    golden(
        &mut s,
        80,
        "x_1 + F_beta + Gamma + Alpha + w2 + omicron",
        expect!["x₁ + Fᵦ + Γ + Α + w₂ + ο"],
    );
    golden(
        &mut s,
        80,
        ":set output latex\nx_1 + F_beta + Gamma + Alpha + w2 + omicron",
        expect![[r#"x_{1} + F_{\beta} + \Gamma + A + w_{2} + o"#]],
    );
    let mut s = session(":set digits 2");
    golden(&mut s, 80, "16.3", expect!["16"]);
    golden(
        &mut s,
        80,
        "[16.3, 1234.5, -0.5]",
        expect![[r#"
        ⎡16    ⎤
        ⎢      ⎥
        ⎢ 1.2e3⎥
        ⎢      ⎥
        ⎣-0.5  ⎦"#]],
    );
    golden(&mut s, 80, "text(16.3)", expect!["1.6e1"]);
}

/// With `:set names off` the scores are written out, and what does not fit
/// is named below the picture.
#[test]
fn seed_004_loss_written_out_at_40_80_120() {
    let mut s = session(&format!("{SEED_004}\n:set names off"));
    golden(
        &mut s,
        40,
        "average_loss",
        expect![[r#"
                 ⎛       u₀      ⎞
                 ⎜      ℯ        ⎟
              log⎜───────────────⎟
                 ⎜ u₀    u₁    u₂⎟
                 ⎝ℯ   + ℯ   + ℯ  ⎠
            - ────────────────────
                       3

                 ⎛       u₃      ⎞
                 ⎜      ℯ        ⎟
              log⎜───────────────⎟
                 ⎜ u₄    u₃    u₅⎟
                 ⎝ℯ   + ℯ   + ℯ  ⎠
            - ────────────────────
                       3

                 ⎛       u₆      ⎞
                 ⎜      ℯ        ⎟
              log⎜───────────────⎟
                 ⎜ u₇    u₈    u₆⎟
                 ⎝ℯ   + ℯ   + ℯ  ⎠
            - ────────────────────
                       3

            where u₀ = 26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂
                       + 80⋅W₀₃ + b₀
                  u₁ = 26⋅W₁₀ + 100⋅W₁₁ + 90⋅W₁₂
                       + 80⋅W₁₃ + b₁
                  u₂ = 26⋅W₂₀ + 100⋅W₂₁ + 90⋅W₂₂
                       + 80⋅W₂₃ + b₂
                  u₃ = 37⋅W₁₀ + 58⋅W₁₁ + 120⋅W₁₂
                       + 96⋅W₁₃ + b₁
                  u₄ = 37⋅W₀₀ + 58⋅W₀₁ + 120⋅W₀₂
                       + 96⋅W₀₃ + b₀
                  u₅ = 37⋅W₂₀ + 58⋅W₂₁ + 120⋅W₂₂
                       + 96⋅W₂₃ + b₂
                  u₆ = 12⋅W₂₀ + 30⋅W₂₁ + 46⋅W₂₂
                       + 54⋅W₂₃ + b₂
                  u₇ = 12⋅W₀₀ + 30⋅W₀₁ + 46⋅W₀₂
                       + 54⋅W₀₃ + b₀
                  u₈ = 12⋅W₁₀ + 30⋅W₁₁ + 46⋅W₁₂
                       + 54⋅W₁₃ + b₁"#]],
    );
    golden(
        &mut s,
        80,
        "average_loss",
        expect![[r#"
                 ⎛       u₀      ⎞      ⎛       u₂      ⎞      ⎛       u₄      ⎞
                 ⎜      ℯ        ⎟      ⎜      ℯ        ⎟      ⎜      ℯ        ⎟
              log⎜───────────────⎟   log⎜───────────────⎟   log⎜───────────────⎟
                 ⎜ u₀    u₁    u₆⎟      ⎜ u₃    u₂    u₇⎟      ⎜ u₅    u₈    u₄⎟
                 ⎝ℯ   + ℯ   + ℯ  ⎠      ⎝ℯ   + ℯ   + ℯ  ⎠      ⎝ℯ   + ℯ   + ℯ  ⎠
            - ──────────────────── - ──────────────────── - ────────────────────
                       3                      3                      3

            where u₀ = 26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + b₀
                  u₁ = 26⋅W₁₀ + 100⋅W₁₁ + 90⋅W₁₂ + 80⋅W₁₃ + b₁
                  u₂ = 37⋅W₁₀ + 58⋅W₁₁ + 120⋅W₁₂ + 96⋅W₁₃ + b₁
                  u₃ = 37⋅W₀₀ + 58⋅W₀₁ + 120⋅W₀₂ + 96⋅W₀₃ + b₀
                  u₄ = 12⋅W₂₀ + 30⋅W₂₁ + 46⋅W₂₂ + 54⋅W₂₃ + b₂
                  u₅ = 12⋅W₀₀ + 30⋅W₀₁ + 46⋅W₀₂ + 54⋅W₀₃ + b₀
                  u₆ = 26⋅W₂₀ + 100⋅W₂₁ + 90⋅W₂₂ + 80⋅W₂₃ + b₂
                  u₇ = 37⋅W₂₀ + 58⋅W₂₁ + 120⋅W₂₂ + 96⋅W₂₃ + b₂
                  u₈ = 12⋅W₁₀ + 30⋅W₁₁ + 46⋅W₁₂ + 54⋅W₁₃ + b₁"#]],
    );
    golden(
        &mut s,
        120,
        "average_loss",
        expect![[r#"
                 ⎛       u₀      ⎞      ⎛       u₁      ⎞      ⎛       u₂      ⎞
                 ⎜      ℯ        ⎟      ⎜      ℯ        ⎟      ⎜      ℯ        ⎟
              log⎜───────────────⎟   log⎜───────────────⎟   log⎜───────────────⎟
                 ⎜ u₀    u₃    u₄⎟      ⎜ u₅    u₁    u₆⎟      ⎜ u₇    u₈    u₂⎟
                 ⎝ℯ   + ℯ   + ℯ  ⎠      ⎝ℯ   + ℯ   + ℯ  ⎠      ⎝ℯ   + ℯ   + ℯ  ⎠
            - ──────────────────── - ──────────────────── - ────────────────────
                       3                      3                      3

            where u₀ = 26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + b₀
                  u₁ = 37⋅W₁₀ + 58⋅W₁₁ + 120⋅W₁₂ + 96⋅W₁₃ + b₁
                  u₂ = 12⋅W₂₀ + 30⋅W₂₁ + 46⋅W₂₂ + 54⋅W₂₃ + b₂
                  u₃ = 26⋅W₁₀ + 100⋅W₁₁ + 90⋅W₁₂ + 80⋅W₁₃ + b₁
                  u₄ = 26⋅W₂₀ + 100⋅W₂₁ + 90⋅W₂₂ + 80⋅W₂₃ + b₂
                  u₅ = 37⋅W₀₀ + 58⋅W₀₁ + 120⋅W₀₂ + 96⋅W₀₃ + b₀
                  u₆ = 37⋅W₂₀ + 58⋅W₂₁ + 120⋅W₂₂ + 96⋅W₂₃ + b₂
                  u₇ = 12⋅W₀₀ + 30⋅W₀₁ + 46⋅W₀₂ + 54⋅W₀₃ + b₀
                  u₈ = 12⋅W₁₀ + 30⋅W₁₁ + 46⋅W₁₂ + 54⋅W₁₃ + b₁"#]],
    );
    let mut s = session(&format!("{SEED_000}\n:set names off"));
    golden(
        &mut s,
        40,
        "L",
        expect![[r#"
                 ⎛   1   ⎞      ⎛       1   ⎞
              log⎜───────⎟   log⎜1 - ───────⎟
                 ⎜     u₀⎟      ⎜         u₁⎟
                 ⎝1 + ℯ  ⎠      ⎝    1 + ℯ  ⎠
            - ──────────── - ────────────────
                   3                3

                 ⎛       1   ⎞
              log⎜1 - ───────⎟
                 ⎜         u₂⎟
                 ⎝    1 + ℯ  ⎠
            - ────────────────
                     3

            where u₀ = 26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂
                       + 80⋅W₀₃ + W₀₄
                  u₁ = 2⋅W₀₀ + 60⋅W₀₁ + 20⋅W₀₂
                       + 50⋅W₀₃ + W₀₄
                  u₂ = 80⋅W₀₀ + 10⋅W₀₁ + 4⋅W₀₂
                       + 60⋅W₀₃ + W₀₄"#]],
    );
    golden(
        &mut s,
        80,
        "L",
        expect![[r#"
                 ⎛                      1                      ⎞
              log⎜─────────────────────────────────────────────⎟
                 ⎜     26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + W₀₄⎟
                 ⎝1 + ℯ                                        ⎠
            - ──────────────────────────────────────────────────
                                      3

                 ⎛                         1                     ⎞
              log⎜1 - ───────────────────────────────────────────⎟
                 ⎜         2⋅W₀₀ + 60⋅W₀₁ + 20⋅W₀₂ + 50⋅W₀₃ + W₀₄⎟
                 ⎝    1 + ℯ                                      ⎠
            - ────────────────────────────────────────────────────
                                       3

                 ⎛                         1                     ⎞
              log⎜1 - ───────────────────────────────────────────⎟
                 ⎜         80⋅W₀₀ + 10⋅W₀₁ + 4⋅W₀₂ + 60⋅W₀₃ + W₀₄⎟
                 ⎝    1 + ℯ                                      ⎠
            - ────────────────────────────────────────────────────
                                       3"#]],
    );
    golden(
        &mut s,
        120,
        "L",
        expect![[r#"
                 ⎛                      1                      ⎞      ⎛                         1                     ⎞
              log⎜─────────────────────────────────────────────⎟   log⎜1 - ───────────────────────────────────────────⎟
                 ⎜     26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + W₀₄⎟      ⎜         2⋅W₀₀ + 60⋅W₀₁ + 20⋅W₀₂ + 50⋅W₀₃ + W₀₄⎟
                 ⎝1 + ℯ                                        ⎠      ⎝    1 + ℯ                                      ⎠
            - ────────────────────────────────────────────────── - ────────────────────────────────────────────────────
                                      3                                                     3

                 ⎛                         1                     ⎞
              log⎜1 - ───────────────────────────────────────────⎟
                 ⎜         80⋅W₀₀ + 10⋅W₀₁ + 4⋅W₀₂ + 60⋅W₀₃ + W₀₄⎟
                 ⎝    1 + ℯ                                      ⎠
            - ────────────────────────────────────────────────────
                                       3"#]],
    );
}

/// A term wider than the line breaks inside itself: a long product at its
/// `⋅`, a sum in a function's argument or in a fraction on lines aligned
/// under its first, each a single 2-D picture.
#[test]
fn terms_wider_than_the_line_break_inside_at_40_80_120() {
    let mut s = session("symbol x, a[10]");
    let product = (1..=20)
        .map(|k| format!("(x - {k})"))
        .collect::<Vec<_>>()
        .join("*");
    let exps = (0..10)
        .map(|k| format!("exp(a[{k}])"))
        .collect::<Vec<_>>()
        .join(" + ");
    let log_sum = format!("log({exps})");
    let ratio = "(a[0]*x + a[1]*x^2 + a[2]*x^3 + a[3]*x^4 + a[4]*x^5 + a[5]*x^6) \
                 / (1 + a[6]*x + a[7]*x^2 + a[8]*x^3 + a[9]*x^4)";
    golden(
        &mut s,
        40,
        &product,
        expect![[r#"
        (x - 20)⋅(x - 19)⋅(x - 18)⋅(x - 17)
        ⋅(x - 16)⋅(x - 15)⋅(x - 14)⋅(x - 13)
        ⋅(x - 12)⋅(x - 11)⋅(x - 10)⋅(x - 9)
        ⋅(x - 8)⋅(x - 7)⋅(x - 6)⋅(x - 5)⋅(x - 4)
        ⋅(x - 3)⋅(x - 2)⋅(x - 1)"#]],
    );
    golden(
        &mut s,
        80,
        &product,
        expect![[r#"
        (x - 20)⋅(x - 19)⋅(x - 18)⋅(x - 17)⋅(x - 16)⋅(x - 15)⋅(x - 14)⋅(x - 13)⋅(x - 12)
        ⋅(x - 11)⋅(x - 10)⋅(x - 9)⋅(x - 8)⋅(x - 7)⋅(x - 6)⋅(x - 5)⋅(x - 4)⋅(x - 3)
        ⋅(x - 2)⋅(x - 1)"#]],
    );
    golden(
        &mut s,
        120,
        &product,
        expect![[r#"
        (x - 20)⋅(x - 19)⋅(x - 18)⋅(x - 17)⋅(x - 16)⋅(x - 15)⋅(x - 14)⋅(x - 13)⋅(x - 12)⋅(x - 11)⋅(x - 10)⋅(x - 9)⋅(x - 8)
        ⋅(x - 7)⋅(x - 6)⋅(x - 5)⋅(x - 4)⋅(x - 3)⋅(x - 2)⋅(x - 1)"#]],
    );
    golden(
        &mut s,
        40,
        &log_sum,
        expect![[r#"
           ⎛ a₀    a₁    a₂    a₃    a₄    a₅⎞
        log⎜ℯ   + ℯ   + ℯ   + ℯ   + ℯ   + ℯ  ⎟
           ⎜   a₆    a₇    a₈    a₉          ⎟
           ⎝+ ℯ   + ℯ   + ℯ   + ℯ            ⎠"#]],
    );
    golden(
        &mut s,
        80,
        &log_sum,
        expect![[r#"
           ⎛ a₀    a₁    a₂    a₃    a₄    a₅    a₆    a₇    a₈    a₉⎞
        log⎝ℯ   + ℯ   + ℯ   + ℯ   + ℯ   + ℯ   + ℯ   + ℯ   + ℯ   + ℯ  ⎠"#]],
    );
    golden(
        &mut s,
        40,
        ratio,
        expect![[r#"
                   2       3       4       5
        a₀⋅x + a₁⋅x  + a₂⋅x  + a₃⋅x  + a₄⋅x
              6
        + a₅⋅x
        ────────────────────────────────────
                         2       3       4
          1 + a₆⋅x + a₇⋅x  + a₈⋅x  + a₉⋅x"#]],
    );
    golden(
        &mut s,
        80,
        ratio,
        expect![[r#"
                   2       3       4       5       6
        a₀⋅x + a₁⋅x  + a₂⋅x  + a₃⋅x  + a₄⋅x  + a₅⋅x
        ────────────────────────────────────────────
                             2       3       4
              1 + a₆⋅x + a₇⋅x  + a₈⋅x  + a₉⋅x"#]],
    );
    golden(
        &mut s,
        120,
        ratio,
        expect![[r#"
                   2       3       4       5       6
        a₀⋅x + a₁⋅x  + a₂⋅x  + a₃⋅x  + a₄⋅x  + a₅⋅x
        ────────────────────────────────────────────
                             2       3       4
              1 + a₆⋅x + a₇⋅x  + a₈⋅x  + a₉⋅x"#]],
    );
}

/// LaTeX names what the pretty form names, defined on the lines below in
/// the same `aligned` environment (compiled in the test above).
#[test]
fn latex_names_subexpressions_as_the_pretty_form_does() {
    let mut s = session(&format!("{SEED_004}\n:set names off\n:set output latex"));
    golden(
        &mut s,
        80,
        "average_loss",
        expect![[r#"
        \begin{aligned}&-\frac{\log\left(\frac{e^{u_{0}}}{e^{u_{0}} + e^{u_{1}} +
          e^{u_{6}}}\right)}{3} - \frac{\log\left(\frac{e^{u_{2}}}{e^{u_{3}} + e^{u_{2}}
          + e^{u_{7}}}\right)}{3} - \frac{\log\left(\frac{e^{u_{4}}}{e^{u_{5}} +
          e^{u_{8}} + e^{u_{4}}}\right)}{3} \\
        &\text{where } u_{0} = 26 W_{0,0} + 100 W_{0,1} + 90 W_{0,2} + 80 W_{0,3} +
          b_{0} \\
        &\phantom{\text{where }} u_{1} = 26 W_{1,0} + 100 W_{1,1} + 90 W_{1,2} + 80
          W_{1,3} + b_{1} \\
        &\phantom{\text{where }} u_{2} = 37 W_{1,0} + 58 W_{1,1} + 120 W_{1,2} + 96
          W_{1,3} + b_{1} \\
        &\phantom{\text{where }} u_{3} = 37 W_{0,0} + 58 W_{0,1} + 120 W_{0,2} + 96
          W_{0,3} + b_{0} \\
        &\phantom{\text{where }} u_{4} = 12 W_{2,0} + 30 W_{2,1} + 46 W_{2,2} + 54
          W_{2,3} + b_{2} \\
        &\phantom{\text{where }} u_{5} = 12 W_{0,0} + 30 W_{0,1} + 46 W_{0,2} + 54
          W_{0,3} + b_{0} \\
        &\phantom{\text{where }} u_{6} = 26 W_{2,0} + 100 W_{2,1} + 90 W_{2,2} + 80
          W_{2,3} + b_{2} \\
        &\phantom{\text{where }} u_{7} = 37 W_{2,0} + 58 W_{2,1} + 120 W_{2,2} + 96
          W_{2,3} + b_{2} \\
        &\phantom{\text{where }} u_{8} = 12 W_{1,0} + 30 W_{1,1} + 46 W_{1,2} + 54
          W_{1,3} + b_{1}\end{aligned}"#]],
    );
}

/// A matrix too wide for the width is shown in LaTeX as in the pretty form:
/// in blocks of columns under their indices; a large one elided around
/// `\cdots` and `\vdots`, never written out whole.
#[test]
fn latex_matrices_break_into_column_blocks_and_elide() {
    let mut s = session(
        "M = [[1234567, 2345678, 3456789, 4567890, 5678901], [1, 2, 3, 4, 5]]\n:set output latex",
    );
    golden(
        &mut s,
        40,
        "M",
        expect![[r#"
            \begin{aligned}&\text{columns 0–3} \\
            &\begin{bmatrix}1234567 & 2345678 &
              3456789 & 4567890 \\ 1 & 2 & 3 &
              4\end{bmatrix} \\
            &\text{column 4} \\
            &\begin{bmatrix}5678901 \\
              5\end{bmatrix}\end{aligned}"#]],
    );
    let big = at(&mut s, 80, "randn(100, 100)");
    assert!(big.len() < 3000, "{big}");
    assert!(big.contains("\\vdots") && big.contains("\\cdots") && big.contains("\\ddots"));
    // What the elision leaves out is said first, as in the pretty form.
    assert!(
        big.replace("\n  ", " ").starts_with(
            "\\begin{aligned}&100 \\times 100\\ \\text{matrix, rows 4–95 and columns 4–95 not shown}"
        ),
        "{big}"
    );
}

/// Seed 004's derivative with `:set names off`: the softmax of each image's
/// scores written out, named below where the line is too narrow.
#[test]
fn seed_004_derivative_written_out_at_40_80() {
    let mut s = session(&format!("{SEED_004}\n:set names off"));
    let d = "diff(average_loss, W[0, 0])";
    golden(
        &mut s,
        40,
        d,
        expect![[r#"
                  ⎛⎡u₀⎤⎞
                  ⎜⎢  ⎥⎟
        26⋅softmax⎜⎢u₁⎥⎟[0]
                  ⎜⎢  ⎥⎟
                  ⎝⎣u₂⎦⎠
        ───────────────────
                 3

                    ⎛⎡u₄⎤⎞
                    ⎜⎢  ⎥⎟
          37⋅softmax⎜⎢u₃⎥⎟[0]
                    ⎜⎢  ⎥⎟
                    ⎝⎣u₅⎦⎠
        + ───────────────────
                   3

                   ⎛⎡u₇⎤⎞
                   ⎜⎢  ⎥⎟      26
        + 4⋅softmax⎜⎢u₈⎥⎟[0] - ──
                   ⎜⎢  ⎥⎟      3
                   ⎝⎣u₆⎦⎠

        where u₀ = 26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂
                   + 80⋅W₀₃ + b₀
              u₁ = 26⋅W₁₀ + 100⋅W₁₁ + 90⋅W₁₂
                   + 80⋅W₁₃ + b₁
              u₂ = 26⋅W₂₀ + 100⋅W₂₁ + 90⋅W₂₂
                   + 80⋅W₂₃ + b₂
              u₃ = 37⋅W₁₀ + 58⋅W₁₁ + 120⋅W₁₂
                   + 96⋅W₁₃ + b₁
              u₄ = 37⋅W₀₀ + 58⋅W₀₁ + 120⋅W₀₂
                   + 96⋅W₀₃ + b₀
              u₅ = 37⋅W₂₀ + 58⋅W₂₁ + 120⋅W₂₂
                   + 96⋅W₂₃ + b₂
              u₆ = 12⋅W₂₀ + 30⋅W₂₁ + 46⋅W₂₂
                   + 54⋅W₂₃ + b₂
              u₇ = 12⋅W₀₀ + 30⋅W₀₁ + 46⋅W₀₂
                   + 54⋅W₀₃ + b₀
              u₈ = 12⋅W₁₀ + 30⋅W₁₁ + 46⋅W₁₂
                   + 54⋅W₁₃ + b₁"#]],
    );
    golden(
        &mut s,
        80,
        d,
        expect![[r#"
                  ⎛⎡26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + b₀⎤⎞
                  ⎜⎢                                       ⎥⎟
        26⋅softmax⎜⎢26⋅W₁₀ + 100⋅W₁₁ + 90⋅W₁₂ + 80⋅W₁₃ + b₁⎥⎟[0]
                  ⎜⎢                                       ⎥⎟
                  ⎝⎣26⋅W₂₀ + 100⋅W₂₁ + 90⋅W₂₂ + 80⋅W₂₃ + b₂⎦⎠
        ────────────────────────────────────────────────────────
                                   3

                    ⎛⎡37⋅W₀₀ + 58⋅W₀₁ + 120⋅W₀₂ + 96⋅W₀₃ + b₀⎤⎞
                    ⎜⎢                                       ⎥⎟
          37⋅softmax⎜⎢37⋅W₁₀ + 58⋅W₁₁ + 120⋅W₁₂ + 96⋅W₁₃ + b₁⎥⎟[0]
                    ⎜⎢                                       ⎥⎟
                    ⎝⎣37⋅W₂₀ + 58⋅W₂₁ + 120⋅W₂₂ + 96⋅W₂₃ + b₂⎦⎠
        + ────────────────────────────────────────────────────────
                                     3

                   ⎛⎡12⋅W₀₀ + 30⋅W₀₁ + 46⋅W₀₂ + 54⋅W₀₃ + b₀⎤⎞
                   ⎜⎢                                      ⎥⎟      26
        + 4⋅softmax⎜⎢12⋅W₁₀ + 30⋅W₁₁ + 46⋅W₁₂ + 54⋅W₁₃ + b₁⎥⎟[0] - ──
                   ⎜⎢                                      ⎥⎟      3
                   ⎝⎣12⋅W₂₀ + 30⋅W₂₁ + 46⋅W₂₂ + 54⋅W₂₃ + b₂⎦⎠"#]],
    );
}
