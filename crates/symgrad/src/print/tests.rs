//! Printer tests: exact pretty pictures (as SymPy's own tests do), each
//! followed by the text and LaTeX forms of the same expression.

use super::test_nodes::B;
use super::{PrintOptions, latex, pretty, text};
use crate::{Axis, ExprId, Func, Reduction, Shape};
use expect_test::{Expect, expect};

/// Pretty form, a blank line, then text and LaTeX.
#[track_caller]
fn check(b: &B, id: ExprId, expected: Expect) {
    let o = PrintOptions::default();
    let (p, t, l) = (
        pretty(&b.pool, id, &o),
        text(&b.pool, id, &o),
        latex(&b.pool, id, &o),
    );
    expected.assert_eq(&format!("{p}\n\n{t}\n{l}"));
}

/// The pretty form at a given width.
fn pretty_at(b: &B, id: ExprId, width: usize) -> String {
    pretty(
        &b.pool,
        id,
        &PrintOptions {
            width,
            ..PrintOptions::default()
        },
    )
}

/// The seed's data matrix X (3 images × 5 features).
fn seed_x(b: &mut B) -> ExprId {
    b.dense(&[
        &[26, 100, 90, 80, 1],
        &[2, 60, 20, 50, 1],
        &[80, 10, 4, 60, 1],
    ])
}

/// The seed's score of one image: `Σⱼ x[j]·W[0, j]`.
fn seed_score(b: &mut B, w: ExprId, x: &[i64]) -> ExprId {
    let terms: Vec<ExprId> = x
        .iter()
        .enumerate()
        .map(|(j, &c)| {
            let e = b.el(w, 0, j);
            if c == 1 {
                e
            } else {
                let c = b.int(c);
                b.mul(&[c, e])
            }
        })
        .collect();
    b.add(&terms)
}

/// `1/(exp(z) + 1)`.
fn logistic_of_neg(b: &mut B, z: ExprId) -> ExprId {
    let (ez, one) = (b.f(Func::Exp, z), b.int(1));
    let den = b.add(&[ez, one]);
    b.recip(den)
}

#[test]
fn data_matrix_prints_as_a_grid() {
    let mut b = B::new();
    let x = seed_x(&mut b);
    check(
        &b,
        x,
        expect![[r#"
            ⎡26  100  90  80  1⎤
            ⎢                  ⎥
            ⎢ 2   60  20  50  1⎥
            ⎢                  ⎥
            ⎣80   10   4  60  1⎦

            [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]]
            \begin{bmatrix}26 & 100 & 90 & 80 & 1 \\ 2 & 60 & 20 & 50 & 1 \\ 80 & 10 & 4 &
              60 & 1\end{bmatrix}"#]],
    );
}

#[test]
fn column_of_elements_like_sympy() {
    let mut b = B::new();
    let w = b.mat("W", 1, 5);
    let els: Vec<ExprId> = (0..5).map(|j| b.el(w, 0, j)).collect();
    let col = b.matrix(Shape::new(5, 1), &els);
    check(
        &b,
        col,
        expect![[r#"
        ⎡W₀₀⎤
        ⎢   ⎥
        ⎢W₀₁⎥
        ⎢   ⎥
        ⎢W₀₂⎥
        ⎢   ⎥
        ⎢W₀₃⎥
        ⎢   ⎥
        ⎣W₀₄⎦

        [W[0, 0], W[0, 1], W[0, 2], W[0, 3], W[0, 4]]
        \begin{bmatrix}W_{0,0} \\ W_{0,1} \\ W_{0,2} \\ W_{0,3} \\ W_{0,4}\end{bmatrix}"#]],
    );
}

#[test]
fn data_matrix_times_transposed_weights() {
    let mut b = B::new();
    let (x, w) = (seed_x(&mut b), b.mat("W", 1, 5));
    let wt = b.t(w);
    let z = b.matmul(x, wt);
    check(
        &b,
        z,
        expect![[r#"
            ⎡26  100  90  80  1⎤
            ⎢                  ⎥
            ⎢ 2   60  20  50  1⎥⋅Wᵀ
            ⎢                  ⎥
            ⎣80   10   4  60  1⎦

            [[26, 100, 90, 80, 1], [2, 60, 20, 50, 1], [80, 10, 4, 60, 1]] * W'
            \begin{bmatrix}26 & 100 & 90 & 80 & 1 \\ 2 & 60 & 20 & 50 & 1 \\ 80 & 10 & 4 &
              60 & 1\end{bmatrix} \mathbf{W}^\top"#]],
    );
}

#[test]
fn score_of_one_image_is_a_flat_sum() {
    let mut b = B::new();
    let w = b.mat("W", 1, 5);
    let z = seed_score(&mut b, w, &[26, 100, 90, 80, 1]);
    check(
        &b,
        z,
        expect![[r#"
        26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + W₀₄

        26*W[0, 0] + 100*W[0, 1] + 90*W[0, 2] + 80*W[0, 3] + W[0, 4]
        26 W_{0,0} + 100 W_{0,1} + 90 W_{0,2} + 80 W_{0,3} + W_{0,4}"#]],
    );
}

#[test]
fn logistic_stacks_a_fraction_over_a_raised_exponent() {
    let mut b = B::new();
    let z = b.sym("z");
    let p = logistic_of_neg(&mut b, z);
    let one = b.int(1);
    let np = b.neg(p);
    let q = b.add(&[one, np]);
    let l = b.f(Func::Log, q);
    check(
        &b,
        l,
        expect![[r#"
           ⎛      1   ⎞
        log⎜1 - ──────⎟
           ⎜     z    ⎟
           ⎝    ℯ  + 1⎠

        log(1 - 1/(exp(z) + 1))
        \log\left(1 - \frac{1}{e^{z} + 1}\right)"#]],
    );
}

/// The seed's mean binary cross-entropy over three images, term by term:
/// `-log(1 - 1/(exp(z₁) + 1))/3 - log(1 - 1/(exp(z₂) + 1))/3 - log(1/(exp(z₀) + 1))/3`.
fn seed_loss(b: &mut B) -> ExprId {
    let w = b.mat("W", 1, 5);
    let images: [&[i64]; 3] = [
        &[2, 60, 20, 50, 1],
        &[80, 10, 4, 60, 1],
        &[26, 100, 90, 80, 1],
    ];
    let third = b.rat(-1, 3);
    let mut terms = Vec::new();
    for (k, x) in images.iter().enumerate() {
        let z = seed_score(b, w, x);
        let p = logistic_of_neg(b, z);
        let arg = if k < 2 {
            let (one, np) = (b.int(1), b.neg(p));
            b.add(&[one, np])
        } else {
            p
        };
        let l = b.f(Func::Log, arg);
        terms.push(b.mul(&[third, l]));
    }
    b.add(&terms)
}

#[test]
fn long_loss_breaks_between_whole_terms() {
    let mut b = B::new();
    let loss = seed_loss(&mut b);
    let shown = pretty_at(&b, loss, 80);
    assert!(
        shown
            .lines()
            .all(|l| super::boxes::str_width(l) <= 80 && !l.ends_with(' '))
    );
    expect![[r#"
             ⎛                         1                     ⎞
          log⎜1 - ───────────────────────────────────────────⎟
             ⎜     2⋅W₀₀ + 60⋅W₀₁ + 20⋅W₀₂ + 50⋅W₀₃ + W₀₄    ⎟
             ⎝    ℯ                                       + 1⎠
        - ────────────────────────────────────────────────────
                                   3

             ⎛                         1                     ⎞
          log⎜1 - ───────────────────────────────────────────⎟
             ⎜     80⋅W₀₀ + 10⋅W₀₁ + 4⋅W₀₂ + 60⋅W₀₃ + W₀₄    ⎟
             ⎝    ℯ                                       + 1⎠
        - ────────────────────────────────────────────────────
                                   3

             ⎛                      1                      ⎞
          log⎜─────────────────────────────────────────────⎟
             ⎜ 26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + W₀₄    ⎟
             ⎝ℯ                                         + 1⎠
        - ──────────────────────────────────────────────────
                                  3"#]]
    .assert_eq(&shown);
    let o = PrintOptions::default();
    expect!["-log(1 - 1/(exp(2*W[0, 0] + 60*W[0, 1] + 20*W[0, 2] + 50*W[0, 3] + W[0, 4]) + 1))/3 - log(1 - 1/(exp(80*W[0, 0] + 10*W[0, 1] + 4*W[0, 2] + 60*W[0, 3] + W[0, 4]) + 1))/3 - log(1/(exp(26*W[0, 0] + 100*W[0, 1] + 90*W[0, 2] + 80*W[0, 3] + W[0, 4]) + 1))/3"].assert_eq(&text(&b.pool, loss, &o));
    expect![[r#"
        \begin{aligned}&-\frac{\log\left(1 - \frac{1}{e^{2 W_{0,0} + 60 W_{0,1} + 20
          W_{0,2} + 50 W_{0,3} + W_{0,4}} + 1}\right)}{3} \\
        &- \frac{\log\left(1 - \frac{1}{e^{80 W_{0,0} + 10 W_{0,1} + 4 W_{0,2} + 60
          W_{0,3} + W_{0,4}} + 1}\right)}{3} \\
        &- \frac{\log\left(\frac{1}{e^{26 W_{0,0} + 100 W_{0,1} + 90 W_{0,2} + 80
          W_{0,3} + W_{0,4}} + 1}\right)}{3}\end{aligned}"#]]
    .assert_eq(&latex(&b.pool, loss, &o));
}

#[test]
fn wide_sum_breaks_with_operators_leading_continuations() {
    let mut b = B::new();
    let w = b.mat("W", 1, 12);
    let z = seed_score(&mut b, w, &[26, 100, 90, 80, 1, 7, 3, 5, 11, 13, 17, 19]);
    let last = b.el(w, 0, 11);
    let m3 = b.int(-3);
    let neg = b.mul(&[m3, last]);
    let Some(crate::Node::Add(ts)) = Some(b.pool.node(z).clone()) else {
        unreachable!()
    };
    let mut ts = ts;
    ts.push(neg);
    let s = b.add(&ts);
    expect![[r#"
        26⋅W₀₀ + 100⋅W₀₁ + 90⋅W₀₂ + 80⋅W₀₃ + W₀₄
        + 7⋅W₀₅ + 3⋅W₀₆ + 5⋅W₀₇ + 11⋅W₀₈
        + 13⋅W₀₉ + 17⋅W₀,₁₀ + 19⋅W₀,₁₁ - 3⋅W₀,₁₁"#]]
    .assert_eq(&pretty_at(&b, s, 40));
}

#[test]
fn a_term_wider_than_the_line_breaks_inside() {
    let mut b = B::new();
    let w = b.mat("W", 1, 5);
    let z = seed_score(&mut b, w, &[26, 100, 90, 80, 1]);
    let l = b.f(Func::Log, z);
    let x = b.sym("x");
    let s = b.add(&[l, x]);
    expect![[r#"
        log⎛26⋅W₀₀   ⎞ + x
           ⎜+ 100⋅W₀₁⎟
           ⎜+ 90⋅W₀₂ ⎟
           ⎜+ 80⋅W₀₃ ⎟
           ⎝+ W₀₄    ⎠"#]]
    .assert_eq(&pretty_at(&b, s, 20));
}

#[test]
fn rational_coefficients_stack() {
    let mut b = B::new();
    let (x, y) = (b.sym("x"), b.sym("y"));
    let (third, m_two_thirds) = (b.rat(1, 3), b.rat(-2, 3));
    let a = b.mul(&[third, x]);
    let c = b.mul(&[m_two_thirds, x, y]);
    let s = b.add(&[a, c]);
    check(
        &b,
        s,
        expect![[r#"
        x   2⋅x⋅y
        ─ - ─────
        3     3

        x/3 - 2*x*y/3
        \frac{x}{3} - \frac{2 x y}{3}"#]],
    );
    let r = b.rat(-1, 3);
    check(
        &b,
        r,
        expect![[r#"
         1
        -─
         3

        -1/3
        -\frac{1}{3}"#]],
    );
}

#[test]
fn subtraction_and_leading_minus() {
    let mut b = B::new();
    let (a, c) = (b.sym("a"), b.sym("b"));
    let (na, m2) = (b.neg(a), b.int(-2));
    let two_b = b.mul(&[m2, c]);
    let s = b.add(&[na, two_b]);
    check(
        &b,
        s,
        expect![[r#"
        -a - 2⋅b

        -a - 2*b
        -a - 2 b"#]],
    );
    let m7 = b.int(-7);
    let s = b.add(&[a, m7]);
    check(
        &b,
        s,
        expect![[r#"
        a - 7

        a - 7
        a - 7"#]],
    );
}

#[test]
fn powers_bracket_their_base_and_nest_right() {
    let mut b = B::new();
    let (x, y, z) = (b.sym("x"), b.sym("y"), b.sym("z"));
    let (one, two) = (b.int(1), b.int(2));
    let x1 = b.add(&[x, one]);
    let sq = b.pow(x1, two);
    check(
        &b,
        sq,
        expect![[r#"
               2
        (x + 1)

        (x + 1)^2
        \left(x + 1\right)^{2}"#]],
    );
    let yz = b.pow(y, z);
    let tower = b.pow(x, yz);
    check(
        &b,
        tower,
        expect![[r#"
          z
         y
        x

        x^y^z
        x^{y^{z}}"#]],
    );
    let xy = b.pow(x, y);
    let left = b.pow(xy, z);
    check(
        &b,
        left,
        expect![[r#"
            z
        ⎛ y⎞
        ⎝x ⎠

        (x^y)^z
        \left(x^{y}\right)^{z}"#]],
    );
    let tt = b.rat(2, 3);
    let root = b.pow(x, tt);
    check(
        &b,
        root,
        expect![[r#"
         2/3
        x

        x^(2/3)
        x^{\frac{2}{3}}"#]],
    );
}

#[test]
fn negative_numbers_and_powers() {
    let mut b = B::new();
    let (m2, two) = (b.int(-2), b.int(2));
    let neg_base = b.pow(m2, two);
    check(
        &b,
        neg_base,
        expect![[r#"
            2
        (-2)

        (-2)^2
        \left(-2\right)^{2}"#]],
    );
    let p = b.pow(two, two);
    let minus_p = b.neg(p);
    check(
        &b,
        minus_p,
        expect![[r#"
          2
        -2

        -2^2
        -2^{2}"#]],
    );
    let x = b.sym("x");
    let inv2 = b.pow(x, m2);
    check(
        &b,
        inv2,
        expect![[r#"
        1
        ──
         2
        x

        1/x^2
        \frac{1}{x^{2}}"#]],
    );
    let y = b.sym("y");
    let q = b.mul(&[y, inv2]);
    check(
        &b,
        q,
        expect![[r#"
        y
        ──
         2
        x

        y/x^2
        \frac{y}{x^{2}}"#]],
    );
}

#[test]
fn square_roots() {
    let mut b = B::new();
    let (x, half, mhalf, one) = (b.sym("x"), b.rat(1, 2), b.rat(-1, 2), b.int(1));
    let r = b.pow(x, half);
    check(
        &b,
        r,
        expect![[r#"
        √x

        sqrt(x)
        \sqrt{x}"#]],
    );
    let x1 = b.add(&[x, one]);
    let r1 = b.pow(x1, half);
    check(
        &b,
        r1,
        expect![[r#"
          _______
        ╲╱ x + 1

        sqrt(x + 1)
        \sqrt{x + 1}"#]],
    );
    let inv = b.pow(x, mhalf);
    check(
        &b,
        inv,
        expect![[r#"
        1
        ──
        √x

        1/sqrt(x)
        \frac{1}{\sqrt{x}}"#]],
    );
}

#[test]
fn elementwise_functions() {
    let mut b = B::new();
    let z = b.sym("z");
    let fs: Vec<ExprId> = [
        Func::Exp,
        Func::Sigmoid,
        Func::Abs,
        Func::Tanh,
        Func::Softplus,
        Func::Relu,
    ]
    .iter()
    .map(|&f| b.f(f, z))
    .collect();
    let s = b.add(&fs);
    check(
        &b,
        s,
        expect![[r#"
             z
            ℯ  + σ(z) + |z| + tanh(z) + softplus(z) + relu(z)

            exp(z) + sigmoid(z) + abs(z) + tanh(z) + softplus(z) + relu(z)
            e^{z} + \sigma\left(z\right) + \left|z\right| + \tanh\left(z\right) +
              \operatorname{softplus}\left(z\right) + \operatorname{relu}\left(z\right)"#]],
    );
}

#[test]
fn functions_of_fractions_grow_their_brackets() {
    let mut b = B::new();
    let (x, y) = (b.sym("x"), b.sym("y"));
    let iy = b.recip(y);
    let q = b.mul(&[x, iy]);
    let a = b.f(Func::Abs, q);
    let s = b.f(Func::Sigmoid, q);
    let sum = b.add(&[a, s]);
    check(
        &b,
        sum,
        expect![[r#"
        │x│    ⎛x⎞
        │─│ + σ⎜─⎟
        │y│    ⎝y⎠

        abs(x/y) + sigmoid(x/y)
        \left|\frac{x}{y}\right| + \sigma\left(\frac{x}{y}\right)"#]],
    );
}

#[test]
fn transposes() {
    let mut b = B::new();
    let (x, w) = (b.mat("X", 3, 5), b.mat("W", 5, 2));
    let xw = b.matmul(x, w);
    let t = b.t(xw);
    check(
        &b,
        t,
        expect![[r#"
        (X⋅W)ᵀ

        (X * W)'
        \left(\mathbf{X} \mathbf{W}\right)^\top"#]],
    );
    let (wt, xt) = (b.t(w), b.t(x));
    let wtx = b.matmul(wt, xt);
    check(
        &b,
        wtx,
        expect![[r#"
        Wᵀ⋅Xᵀ

        W' * X'
        \mathbf{W}^\top \mathbf{X}^\top"#]],
    );
}

#[test]
fn hadamard_products_quotients_and_powers() {
    let mut b = B::new();
    let (a, c, x) = (b.mat("A", 2, 2), b.mat("B", 2, 2), b.sym("x"));
    let two = b.int(2);
    let had = b.mul(&[two, x, a, c]);
    check(
        &b,
        had,
        expect![[r#"
        2⋅x⋅A∘B

        2*x*A .* B
        2 x \mathbf{A} \odot \mathbf{B}"#]],
    );
    let ic = b.recip(c);
    let quo = b.mul(&[a, ic]);
    check(
        &b,
        quo,
        expect![[r#"
            A ⊘ B

            A ./ B
            \mathbf{A} \oslash \mathbf{B}"#]],
    );
    let sq = b.pow(a, two);
    check(
        &b,
        sq,
        expect![[r#"
             ∘2
            A

            A.^2
            \mathbf{A}^{\circ 2}"#]],
    );
    let ab = b.matmul(a, c);
    let mixed = b.mul(&[ab, c]);
    check(
        &b,
        mixed,
        expect![[r#"
        (A⋅B)∘B

        (A * B) .* B
        \left(\mathbf{A} \mathbf{B}\right) \odot \mathbf{B}"#]],
    );
}

#[test]
fn reductions_softmax_trace_and_diag() {
    let mut b = B::new();
    let a = b.mat("A", 3, 4);
    let s_all = b.reduce(Reduction::Sum, Axis::All, a);
    let s_cols = b.reduce(Reduction::Sum, Axis::Cols, a);
    let lse = b.reduce(Reduction::LogSumExp, Axis::Rows, a);
    let sm = b.softmax(Axis::Rows, a);
    let sm1 = b.softmax(Axis::Cols, a);
    let shown: Vec<ExprId> = vec![s_all, s_cols, lse, sm, sm1];
    let all: Vec<String> = shown
        .iter()
        .map(|&e| {
            let o = PrintOptions::default();
            format!(
                "{} | {} | {}",
                pretty(&b.pool, e, &o),
                text(&b.pool, e, &o),
                latex(&b.pool, e, &o)
            )
        })
        .collect();
    expect![[r#"
        sum(A) | sum(A) | \operatorname{sum}\left(\mathbf{A}\right)
        sum(A, 1) | sum(A, 1) | \operatorname{sum}\left(\mathbf{A}, 1\right)
        logsumexp(A, 2) | logsumexp(A, 2) | \operatorname{logsumexp}\left(\mathbf{A}, 2\right)
        softmax(A, 2) | softmax(A, 2) | \operatorname{softmax}\left(\mathbf{A}, 2\right)
        softmax(A) | softmax(A) | \operatorname{softmax}\left(\mathbf{A}\right)"#]]
    .assert_eq(&all.join("\n"));
    let sq = b.mat("S", 3, 3);
    let (tr, dg) = (b.trace(sq), b.diag(sq));
    check(
        &b,
        tr,
        expect![[r#"
        tr(S)

        trace(S)
        \operatorname{tr}\left(\mathbf{S}\right)"#]],
    );
    check(
        &b,
        dg,
        expect![[r#"
        diag(S)

        diag(S)
        \operatorname{diag}\left(\mathbf{S}\right)"#]],
    );
}

#[test]
fn mean_is_recognised() {
    let mut b = B::new();
    let a = b.mat("A", 3, 4);
    let s = b.reduce(Reduction::Sum, Axis::All, a);
    let n = b.rat(1, 12);
    let mean = b.mul(&[n, s]);
    check(
        &b,
        mean,
        expect![[r#"
        mean(A)

        mean(A)
        \operatorname{mean}\left(\mathbf{A}\right)"#]],
    );
    let sc = b.reduce(Reduction::Sum, Axis::Cols, a);
    let m3 = b.rat(-1, 3);
    let mean_cols = b.mul(&[m3, sc]);
    check(
        &b,
        mean_cols,
        expect![[r#"
        -mean(A, 1)

        -mean(A, 1)
        -\operatorname{mean}\left(\mathbf{A}, 1\right)"#]],
    );
}

#[test]
fn slices() {
    let mut b = B::new();
    let x = b.mat("X", 3, 5);
    let top = b.slice(x, (0, 2), (0, 5));
    check(
        &b,
        top,
        expect![[r#"
        X[0:2, :]

        X[0:2, :]
        \mathbf{X}\left[0:2, :\right]"#]],
    );
    let w = b.mat("W", 5, 1);
    let xw = b.matmul(x, w);
    let first = b.slice(xw, (0, 1), (0, 1));
    check(
        &b,
        first,
        expect![[r#"
            (X⋅W)[0]

            (X * W)[0]
            \left(\mathbf{X} \mathbf{W}\right)\left[0\right]"#]],
    );
}

#[test]
fn multi_digit_subscripts_stay_unambiguous() {
    let mut b = B::new();
    let w = b.mat("W", 11, 11);
    let els: Vec<ExprId> = [(0, 0), (0, 10), (10, 0), (1, 1)]
        .iter()
        .map(|&(i, j)| b.el(w, i, j))
        .collect();
    let m = b.matrix(Shape::new(2, 2), &els);
    check(
        &b,
        m,
        expect![[r#"
        ⎡ W₀₀   W₀,₁₀⎤
        ⎢            ⎥
        ⎣W₁₀,₀   W₁₁ ⎦

        [[W[0, 0], W[0, 10]], [W[10, 0], W[1, 1]]]
        \begin{bmatrix}W_{0,0} & W_{0,10} \\ W_{10,0} & W_{1,1}\end{bmatrix}"#]],
    );
}

#[test]
fn floats_use_the_digits_setting() {
    let mut b = B::new();
    let x = b.sym("x");
    let c = b.float(-1.0 / 3.0);
    let t = b.mul(&[c, x]);
    let small = b.float(1.5e-7);
    let s = b.add(&[small, t]);
    check(
        &b,
        s,
        expect![[r#"
        1.5e-7 - 0.3333333333⋅x

        1.5e-7 - 0.3333333333*x
        1.5 \cdot 10^{-7} - 0.3333333333 x"#]],
    );
    let o = PrintOptions {
        digits: 3,
        ..PrintOptions::default()
    };
    assert_eq!(text(&b.pool, s, &o), "1.5e-7 - 0.333*x");
}

#[test]
fn constants_and_greek_names() {
    let mut b = B::new();
    let (e, pi, alpha, lr) = (b.e(), b.pi(), b.sym("alpha"), b.sym("lr"));
    let s = b.add(&[e, pi, alpha, lr]);
    check(
        &b,
        s,
        expect![[r#"
        ℯ + π + α + lr

        E + pi + alpha + lr
        e + \pi + \alpha + \mathit{lr}"#]],
    );
}

#[test]
fn matrix_powers() {
    let mut b = B::new();
    let a = b.mat("A", 2, 2);
    let (a3, ainv) = (b.matpow(a, 3), b.matpow(a, -1));
    let s = b.matmul(a3, ainv);
    check(
        &b,
        s,
        expect![[r#"
         3  -1
        A ⋅A

        A^3 * A^(-1)
        \mathbf{A}^{3} \mathbf{A}^{-1}"#]],
    );
}

#[test]
fn column_vectors_and_mixed_dense_entries() {
    let mut b = B::new();
    let y = b.dense(&[&[1], &[0], &[0]]);
    check(
        &b,
        y,
        expect![[r#"
        ⎡1⎤
        ⎢ ⎥
        ⎢0⎥
        ⎢ ⎥
        ⎣0⎦

        [1, 0, 0]
        \begin{bmatrix}1 \\ 0 \\ 0\end{bmatrix}"#]],
    );
    let f = b.dense_f64(Shape::new(2, 2), vec![-0.5, 1.25, 3.0, -1e-8]);
    check(
        &b,
        f,
        expect![[r#"
            ⎡-0.5   1.25⎤
            ⎢           ⎥
            ⎣ 3.0  -1e-8⎦

            [[-0.5, 1.25], [3.0, -1e-8]]
            \begin{bmatrix}-0.5 & 1.25 \\ 3.0 & -1 \cdot 10^{-8}\end{bmatrix}"#]],
    );
    let x = b.sym("x");
    let (h, one) = (b.rat(1, 2), b.int(1));
    let hx = b.mul(&[h, x]);
    let x1 = b.add(&[x, one]);
    let m = b.matrix(Shape::new(1, 2), &[hx, x1]);
    check(
        &b,
        m,
        expect![[r#"
        ⎡x       ⎤
        ⎢─  x + 1⎥
        ⎣2       ⎦

        [[x/2, x + 1]]
        \begin{bmatrix}\frac{x}{2} & x + 1\end{bmatrix}"#]],
    );
}

#[test]
fn large_matrices_are_elided_in_pretty_form() {
    let mut b = B::new();
    let data: Vec<f64> = (0..20 * 30).map(f64::from).collect();
    let d = b.dense_f64(Shape::new(20, 30), data);
    expect![[r#"
        20×30 matrix, rows 4–15 and columns 4–25 not shown
        ⎡  0.0    1.0    2.0    3.0  ⋯   26.0   27.0   28.0   29.0⎤
        ⎢                                                         ⎥
        ⎢ 30.0   31.0   32.0   33.0  ⋯   56.0   57.0   58.0   59.0⎥
        ⎢                                                         ⎥
        ⎢ 60.0   61.0   62.0   63.0  ⋯   86.0   87.0   88.0   89.0⎥
        ⎢                                                         ⎥
        ⎢ 90.0   91.0   92.0   93.0  ⋯  116.0  117.0  118.0  119.0⎥
        ⎢                                                         ⎥
        ⎢  ⋮      ⋮      ⋮      ⋮    ⋱    ⋮      ⋮      ⋮      ⋮  ⎥
        ⎢                                                         ⎥
        ⎢480.0  481.0  482.0  483.0  ⋯  506.0  507.0  508.0  509.0⎥
        ⎢                                                         ⎥
        ⎢510.0  511.0  512.0  513.0  ⋯  536.0  537.0  538.0  539.0⎥
        ⎢                                                         ⎥
        ⎢540.0  541.0  542.0  543.0  ⋯  566.0  567.0  568.0  569.0⎥
        ⎢                                                         ⎥
        ⎣570.0  571.0  572.0  573.0  ⋯  596.0  597.0  598.0  599.0⎦"#]]
    .assert_eq(&pretty(&b.pool, d, &PrintOptions::default()));
}

/// The first seed notebook, built with the normalising constructors.
fn seed_session(pool: &mut crate::Pool) -> crate::Result<(ExprId, ExprId)> {
    use crate::{Dense, DenseData, Num};
    let xs = [26, 100, 90, 80, 1, 2, 60, 20, 50, 1, 80, 10, 4, 60, 1];
    let xd = Dense::new(
        Shape::new(3, 5),
        DenseData::Exact(xs.iter().map(|&v| Num::int(v)).collect()),
    )?;
    let x = pool.dense(xd)?;
    let w = pool.symbol("W", Shape::new(1, 5))?;
    let wt = pool.transpose(w)?;
    let z = pool.product(x, wt)?;
    let yd = Dense::new(
        Shape::new(3, 1),
        DenseData::Exact([1, 0, 0].iter().map(|&v| Num::int(v)).collect()),
    )?;
    let y = pool.dense(yd)?;
    let one = pool.int(1)?;
    let ez = pool.apply(Func::Exp, z)?;
    let den = pool.add(&[one, ez])?;
    let p = pool.div(one, den)?;
    let (lp, q) = (pool.apply(Func::Log, p)?, pool.sub(one, p)?);
    let lq = pool.apply(Func::Log, q)?;
    let ny = pool.neg(y)?;
    let a = pool.mul(&[ny, lp])?;
    let omy = pool.sub(one, y)?;
    let c = pool.mul(&[omy, lq])?;
    let inner = pool.sub(a, c)?;
    let s = pool.sum(inner, Axis::All)?;
    let third = pool.rational(1, 3)?;
    let loss = pool.mul(&[third, s])?;
    let elements = pool.elements(loss)?;
    Ok((loss, elements))
}

#[test]
fn seed_session_prints_within_the_width() {
    let mut pool = crate::Pool::new();
    let (loss, elements) = seed_session(&mut pool).expect("seed builds");
    let o = PrintOptions::default();
    let shown = pretty(&pool, elements, &o);
    assert!(
        shown
            .lines()
            .all(|l| super::boxes::str_width(l) <= 80 && !l.ends_with(' '))
    );
    assert_eq!(
        shown.split("\n\n").count(),
        3,
        "one term per line:\n{shown}"
    );
    let matrix_form = pretty(&pool, loss, &o);
    assert!(
        matrix_form.contains("mean⎜") && matrix_form.contains("where U₀ = 1 + exp"),
        "mean of named parts:\n{matrix_form}"
    );
    assert!(text(&pool, loss, &o).starts_with("mean("));
    assert!(text(&pool, elements, &o).contains(
        "log(1 - 1/(1 + exp(2*W[0, 0] + 60*W[0, 1] + 20*W[0, 2] + 50*W[0, 3] + W[0, 4])))"
    ));
}

/// `log(2*prev + 1)` nested until the pool's depth limit.
fn deep_chain(b: &mut B) -> ExprId {
    let (two, one) = (b.int(2), b.int(1));
    let mut e = b.sym("x");
    while b.pool.depth(e) + 3 <= crate::MAX_DEPTH {
        let m = b.mul(&[two, e]);
        let a = b.add(&[m, one]);
        e = b.f(Func::Log, a);
    }
    e
}

#[test]
fn deepest_expressions_print_on_a_small_stack() {
    let mut b = B::new();
    let e = deep_chain(&mut b);
    let o = PrintOptions::default();
    let t = text(&b.pool, e, &o);
    assert!(t.starts_with("log(2*log(2*log("));
    assert!(latex(&b.pool, e, &o).starts_with("\\log\\left(2 \\log\\left(2"));
    let p = pretty(&b.pool, e, &o);
    assert!(p.lines().all(|l| l.chars().count() <= 80));
    assert_eq!(
        p.replace('\n', ""),
        t,
        "too deep for a picture: text, wrapped"
    );
}

#[test]
fn exponentially_shared_expressions_print_a_notice() {
    let mut b = B::new();
    let (mut e, one) = (b.sym("x"), b.int(1));
    for _ in 0..40 {
        let a = b.add(&[e, one]);
        e = b.mul(&[e, a]);
    }
    let o = PrintOptions::default();
    let notice = "<an expression of 2199023255550 operations, too large to print>";
    assert_eq!(text(&b.pool, e, &o), notice);
    assert_eq!(latex(&b.pool, e, &o), notice);
    assert_eq!(pretty(&b.pool, e, &o), notice);
}

#[test]
fn text_of_more_numbers_than_the_bound_prints_a_notice() {
    // Text writes every entry of a data matrix: 10⁶ numbers in all print
    // (2 of them outside the matrix), one more is a notice; pretty and
    // LaTeX elide the matrix.
    let o = PrintOptions::default();
    for (cols, shown) in [(499_999, true), (500_000, false)] {
        let mut b = B::new();
        let m = b.dense_f64(Shape::new(2, cols), vec![0.5; 2 * cols]);
        let (x, two) = (b.sym("x"), b.float(2.0));
        let e = b.mul(&[x, two, m]);
        let t = text(&b.pool, e, &o);
        if shown {
            assert!(t.starts_with("x*2.0*[[0.5, 0.5") && t.len() > 2_000_000);
        } else {
            assert_eq!(
                t,
                "<an expression holding 1000000 numbers, too large to print as text (at most \
                 1000000 numbers and operations); the pretty form elides large matrices>"
            );
        }
        assert!(pretty(&b.pool, e, &o).contains('⋯'));
        assert!(latex(&b.pool, e, &o).contains("\\cdots"));
    }
}

#[test]
fn brackets_only_where_precedence_needs_them() {
    let mut b = B::new();
    let (x, y, z) = (b.sym("x"), b.sym("y"), b.sym("z"));
    let (one, two) = (b.int(1), b.int(2));
    let (x1, y1) = (b.add(&[x, one]), b.add(&[y, one]));
    let neg_sum = b.neg(x1);
    let s = b.add(&[z, neg_sum]);
    check(
        &b,
        s,
        expect![[r#"
        z - (x + 1)

        z - (x + 1)
        z - \left(x + 1\right)"#]],
    );
    check(
        &b,
        neg_sum,
        expect![[r#"
        -(x + 1)

        -(x + 1)
        -\left(x + 1\right)"#]],
    );
    let iy1 = b.recip(y1);
    let q = b.mul(&[x1, iy1]);
    check(
        &b,
        q,
        expect![[r#"
        x + 1
        ─────
        y + 1

        (x + 1)/(y + 1)
        \frac{x + 1}{y + 1}"#]],
    );
    let (half, iz) = (b.rat(1, 2), b.recip(z));
    let q2 = b.mul(&[half, x, y, iz]);
    check(
        &b,
        q2,
        expect![[r#"
        x⋅y
        ───
        2⋅z

        x*y/(2*z)
        \frac{x y}{2 z}"#]],
    );
    let scaled = b.mul(&[two, x1]);
    check(
        &b,
        scaled,
        expect![[r#"
        2⋅(x + 1)

        2*(x + 1)
        2 \left(x + 1\right)"#]],
    );
    let (a, c) = (b.mat("A", 2, 2), b.mat("B", 2, 2));
    let ab = b.matmul(a, c);
    let nab = b.neg(ab);
    check(
        &b,
        nab,
        expect![[r#"
        -A⋅B

        -(A * B)
        -\mathbf{A} \mathbf{B}"#]],
    );
    let bc = b.matmul(c, a);
    let right = b.matmul(a, bc);
    check(
        &b,
        right,
        expect![[r#"
        A⋅(B⋅A)

        A * (B * A)
        \mathbf{A} \left(\mathbf{B} \mathbf{A}\right)"#]],
    );
}

#[test]
fn wide_and_combining_characters_keep_columns_aligned() {
    let mut b = B::new();
    let (wide, comb) = (b.sym("数"), b.sym("e\u{301}"));
    let iw = b.recip(wide);
    let q = b.mul(&[comb, iw]);
    let one = b.int(1);
    let s = b.add(&[q, one]);
    expect![[r#"
        é
        ── + 1
        数"#]]
    .assert_eq(&pretty(&b.pool, s, &PrintOptions::default()));
}

#[test]
fn a_trailing_number_leads_a_sum_that_would_start_with_a_minus() {
    let mut b = B::new();
    let (x, one) = (b.sym("x"), b.int(1));
    let nx = b.neg(x);
    let s = b.add(&[nx, one]);
    check(
        &b,
        s,
        expect![[r#"
        1 - x

        1 - x
        1 - x"#]],
    );
    let m1 = b.int(-1);
    let kept = b.add(&[nx, m1]);
    check(
        &b,
        kept,
        expect![[r#"
        -x - 1

        -x - 1
        -x - 1"#]],
    );
}
