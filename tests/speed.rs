//! Compiled evaluation through the language: `eval` with threads,
//! `evalpoints`, and their errors. Golden numbers come from NumPy 2.4.6
//! (the code is next to each), not from symgrad.

use expect_test::expect;

mod support;
use support::{check, run};

const SETUP: &str =
    ":set output text\nsymbol W[1, 2]\nX = [[1, 2], [3, 4]]\nL = sum(log(1 + exp(W*X)))\n";

#[test]
fn evalpoints_gives_one_value_per_point() {
    // X = np.array([[1, 2], [3, 4.]])
    // [np.log1p(np.exp(np.array(w) @ X)).sum() for w in [[0.1, -0.2], [0, 0], [1, 1]]]
    // → 0.9115649346659922, 1.3862943611198906, 10.02062561305554
    check(
        &format!("{SETUP}evalpoints(L, W, [[0.1, -0.2], [0, 0], [1, 1]])"),
        expect!["[0.9115649347, 1.386294361, 10.02062561]"],
    );
}

#[test]
fn evalpoints_of_a_gradient_gives_a_row_per_point() {
    // s = 1/(1 + np.exp(-(np.array([0.1, -0.2]) @ X))); X @ s → [1.0862280563, 2.5499967812]
    // at W = 0: X @ [0.5, 0.5] → [1.5, 3.5]
    check(
        &format!("{SETUP}evalpoints(grad(L, W), W, [[0.1, -0.2], [0, 0]])"),
        expect!["[[1.086228056, 2.549996781], [1.5, 3.5]]"],
    );
}

#[test]
fn eval_gives_the_same_numbers_with_two_threads() {
    let one = run(&format!("{SETUP}eval(grad(L, W), W = [[0.1, -0.2]])"));
    let two = run(&format!(
        "{SETUP}:set threads 2\neval(grad(L, W), W = [[0.1, -0.2]])"
    ));
    assert_eq!(one, two);
    assert_eq!(one, "[[1.086228056, 2.549996781]]");
}

#[test]
fn bad_points_and_settings_are_errors() {
    check(
        &format!("{SETUP}evalpoints(L, W, [[1, 2, 3]])"),
        expect![[r#"
            error: each row of the points must hold the 2 elements of a 1×2 value, not 3
              --> <test>:5:18
              |
            5 | evalpoints(L, W, [[1, 2, 3]])
              |                  ^^^^^^^^^^^
        "#]],
    );
    check(
        &format!("{SETUP}symbol b\nevalpoints(L + b, W, [[1, 2]])"),
        expect![[r#"
            error: evalpoints needs f to depend on W only; it contains b
              --> <test>:6:1
              |
            6 | evalpoints(L + b, W, [[1, 2]])
              | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
              |
              = hint: substitute the other symbols first: subs(f, x = …)
        "#]],
    );
    check(
        ":set threads 0",
        expect![[r#"
            error: threads must be a whole number from 1 to 256
              --> <test>:1:6
              |
            1 | :set threads 0
              |      ^^^^^^^^^
        "#]],
    );
}
