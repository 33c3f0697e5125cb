//! Evaluation checked against hand computations and closed forms.

use super::Values;
use crate::{
    Axis, Constant, Dense, DenseData, Error, ExprId, Func, MAX_DEPTH, Node, Num, Pool, Shape, Span1,
};
use std::collections::HashMap;
use std::f64::consts::{E, LN_2, PI};

/// A pool with values bound to its symbols.
#[derive(Default)]
struct Env {
    pool: Pool,
    bindings: HashMap<ExprId, Values>,
}

impl Env {
    /// A symbol of `rows`×`cols` bound to `data` (row-major).
    fn sym(&mut self, name: &str, rows: usize, cols: usize, data: &[f64]) -> ExprId {
        let shape = Shape::new(rows, cols);
        let s = self.pool.symbol(name, shape).unwrap();
        self.bindings
            .insert(s, Values::new(shape, data.to_vec()).unwrap());
        s
    }

    fn eval(&self, e: ExprId) -> Values {
        self.pool.evaluate(e, &self.bindings).unwrap()
    }

    fn eval_err(&self, e: ExprId) -> Error {
        self.pool.evaluate(e, &self.bindings).unwrap_err()
    }
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

#[track_caller]
fn check(v: &Values, rows: usize, cols: usize, expected: &[f64]) {
    assert_eq!(v.shape, Shape::new(rows, cols), "shape of {v:?}");
    assert_eq!(v.data.len(), expected.len(), "length of {v:?}");
    for (k, (&x, &y)) in v.data.iter().zip(expected).enumerate() {
        assert!(close(x, y), "element {k}: got {x}, expected {y} in {v:?}");
    }
}

#[track_caller]
fn check_scalar(v: &Values, expected: f64) {
    check(v, 1, 1, &[expected]);
}

#[test]
fn numbers_and_constants() {
    let mut env = Env::default();
    let quarter = env.pool.rational(1, 4).unwrap();
    let neg = env.pool.int(-3).unwrap();
    let float = env.pool.float(1.5).unwrap();
    let e = env.pool.constant(Constant::E).unwrap();
    let pi = env.pool.constant(Constant::Pi).unwrap();
    check_scalar(&env.eval(quarter), 0.25);
    check_scalar(&env.eval(neg), -3.0);
    check_scalar(&env.eval(float), 1.5);
    check_scalar(&env.eval(e), E);
    check_scalar(&env.eval(pi), PI);
}

#[test]
fn symbols_and_elements() {
    let mut env = Env::default();
    let w = env.sym("W", 2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let x = env.sym("x", 1, 1, &[7.0]);
    check(&env.eval(w), 2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    check_scalar(&env.eval(x), 7.0);
    let w12 = env.pool.element(w, 1, 2).unwrap();
    assert!(matches!(env.pool.node(w12), Node::Element { .. }));
    check_scalar(&env.eval(w12), 6.0);
    let w01 = env.pool.element(w, 0, 1).unwrap();
    let sum = env.pool.add(&[w01, x]).unwrap();
    check_scalar(&env.eval(sum), 9.0);
    assert_eq!(env.pool.free_symbols(w12), vec![w]);
    assert_eq!(env.pool.free_symbols(sum), vec![w, x]);
    let five = env.pool.int(5).unwrap();
    assert!(env.pool.free_symbols(five).is_empty());
}

#[test]
fn explicit_and_dense_matrices() {
    let mut env = Env::default();
    let x = env.sym("x", 1, 1, &[2.0]);
    let y = env.sym("y", 1, 1, &[3.0]);
    let xy = env.pool.mul(&[x, y]).unwrap();
    let one = env.pool.int(1).unwrap();
    let m = env
        .pool
        .matrix(Shape::new(2, 2), vec![x, y, xy, one])
        .unwrap();
    assert!(matches!(env.pool.node(m), Node::Matrix { .. }));
    check(&env.eval(m), 2, 2, &[2.0, 3.0, 6.0, 1.0]);

    let third = Num::ratio(1.into(), 3.into()).unwrap();
    let half5 = Num::ratio(5.into(), 2.into()).unwrap();
    let exact = Dense::new(
        Shape::new(2, 2),
        DenseData::Exact(vec![third, Num::int(-2), half5, Num::int(0)]),
    )
    .unwrap();
    let d = env.pool.dense(exact).unwrap();
    check(&env.eval(d), 2, 2, &[1.0 / 3.0, -2.0, 2.5, 0.0]);
    let floats = Dense::from_f64(Shape::new(1, 3), vec![0.5, -1.25, 1e300]).unwrap();
    let f = env.pool.dense(floats).unwrap();
    check(&env.eval(f), 1, 3, &[0.5, -1.25, 1e300]);
}

#[test]
fn sums_and_products_broadcast() {
    let mut env = Env::default();
    let a = env.sym("A", 2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let c = env.sym("c", 2, 1, &[10.0, 20.0]);
    let r = env.sym("r", 1, 3, &[100.0, 200.0, 300.0]);
    let s = env.sym("s", 1, 1, &[1000.0]);
    let ac = env.pool.add(&[a, c]).unwrap();
    check(&env.eval(ac), 2, 3, &[11.0, 12.0, 13.0, 24.0, 25.0, 26.0]);
    let ar = env.pool.add(&[a, r]).unwrap();
    check(
        &env.eval(ar),
        2,
        3,
        &[101.0, 202.0, 303.0, 104.0, 205.0, 306.0],
    );
    let cr = env.pool.add(&[c, r]).unwrap();
    let outer = [110.0, 210.0, 310.0, 120.0, 220.0, 320.0];
    check(&env.eval(cr), 2, 3, &outer);
    let as_ = env.pool.add(&[s, a]).unwrap();
    check(
        &env.eval(as_),
        2,
        3,
        &[1001.0, 1002.0, 1003.0, 1004.0, 1005.0, 1006.0],
    );
    let all = env.pool.add(&[a, c, r, s]).unwrap();
    check(
        &env.eval(all),
        2,
        3,
        &[1111.0, 1212.0, 1313.0, 1124.0, 1225.0, 1326.0],
    );

    let mc = env.pool.mul(&[a, c]).unwrap();
    check(&env.eval(mc), 2, 3, &[10.0, 20.0, 30.0, 80.0, 100.0, 120.0]);
    let mr = env.pool.mul(&[r, a]).unwrap();
    check(
        &env.eval(mr),
        2,
        3,
        &[100.0, 400.0, 900.0, 400.0, 1000.0, 1800.0],
    );
    let ms = env.pool.product(s, a).unwrap();
    check(
        &env.eval(ms),
        2,
        3,
        &[1000.0, 2000.0, 3000.0, 4000.0, 5000.0, 6000.0],
    );
    let diff = env.pool.sub(a, r).unwrap();
    check(
        &env.eval(diff),
        2,
        3,
        &[-99.0, -198.0, -297.0, -96.0, -195.0, -294.0],
    );
}

#[test]
fn elementwise_powers() {
    let mut env = Env::default();
    let x = env.sym("x", 1, 1, &[2.0]);
    let y = env.sym("y", 1, 1, &[0.5]);
    let a = env.sym("A", 2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let three = env.pool.int(3).unwrap();
    let cube = env.pool.pow(x, three).unwrap();
    check_scalar(&env.eval(cube), 8.0);
    let half = env.pool.rational(1, 2).unwrap();
    let root = env.pool.pow(x, half).unwrap();
    check_scalar(&env.eval(root), 2f64.sqrt());
    let recip = env.pool.div(three, x).unwrap();
    check_scalar(&env.eval(recip), 1.5);
    let symbolic = env.pool.pow(x, y).unwrap();
    check_scalar(&env.eval(symbolic), 2f64.sqrt());
    let two = env.pool.int(2).unwrap();
    let squares = env.pool.pow(a, two).unwrap();
    check(&env.eval(squares), 2, 3, &[1.0, 4.0, 9.0, 16.0, 25.0, 36.0]);
    // The constructor also accepts a matrix exponent, broadcast like a sum.
    let powers_of_two = env.pool.pow(two, a).unwrap();
    check(
        &env.eval(powers_of_two),
        2,
        3,
        &[2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
    );
}

#[test]
fn matrix_products_and_transposes() {
    let mut env = Env::default();
    let a = env.sym("A", 2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let b = env.sym("B", 3, 2, &[7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
    let ab = env.pool.product(a, b).unwrap();
    assert!(matches!(env.pool.node(ab), Node::MatMul(..)));
    check(&env.eval(ab), 2, 2, &[58.0, 64.0, 139.0, 154.0]);
    let at = env.pool.transpose(a).unwrap();
    assert!(matches!(env.pool.node(at), Node::Transpose(_)));
    check(&env.eval(at), 3, 2, &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    // Xᵀ⋅v with data on the right: [1 4; 2 5; 3 6]⋅[1; -1] = [-3; -3; -3].
    let v = Dense::from_f64(Shape::new(2, 1), vec![1.0, -1.0]).unwrap();
    let v = env.pool.dense(v).unwrap();
    let atv = env.pool.product(at, v).unwrap();
    check(&env.eval(atv), 3, 1, &[-3.0, -3.0, -3.0]);
}

#[test]
fn matrix_products_agree_with_a_plain_loop() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
    for _ in 0..200 {
        let [m, k, n] = [0; 3].map(|_| rng.random_range(1..40usize));
        let a: Vec<f64> = (0..m * k).map(|_| rng.random_range(-2.0..2.0)).collect();
        let b: Vec<f64> = (0..k * n).map(|_| rng.random_range(-2.0..2.0)).collect();
        let mut want = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                want[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        let a = Values::new(Shape::new(m, k), a).unwrap();
        let b = Values::new(Shape::new(k, n), b).unwrap();
        let got = super::kernels::matmul(&a, &b).unwrap();
        assert_eq!(got.shape, Shape::new(m, n));
        for (g, w) in got.data.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-12 * (1.0 + w.abs()),
                "{m}×{k}×{n}: {g} vs {w}"
            );
        }
    }
}

#[test]
fn positive_matrix_powers_give_fibonacci_numbers() {
    let mut env = Env::default();
    let f = env.sym("F", 2, 2, &[1.0, 1.0, 1.0, 0.0]);
    let cases = [
        (2, [2.0, 1.0, 1.0, 1.0]),
        (3, [3.0, 2.0, 2.0, 1.0]),
        (5, [8.0, 5.0, 5.0, 3.0]),
        (10, [89.0, 55.0, 55.0, 34.0]),
    ];
    for (n, expected) in cases {
        let n = env.pool.int(n).unwrap();
        let p = env.pool.power(f, n).unwrap();
        assert!(matches!(env.pool.node(p), Node::MatPow(..)));
        check(&env.eval(p), 2, 2, &expected);
    }
}

#[test]
fn inverse_multiplies_back_to_the_identity() {
    let mut env = Env::default();
    let a = env.sym("A", 2, 2, &[4.0, 7.0, 2.0, 6.0]);
    let inv = env
        .pool
        .intern(Node::MatPow(a, -1), Shape::new(2, 2))
        .unwrap();
    // [4 7; 2 6]⁻¹ = [6 −7; −2 4] / 10.
    check(&env.eval(inv), 2, 2, &[0.6, -0.7, -0.2, 0.4]);
    let back = env.pool.matmul(inv, a).unwrap();
    let v = env.eval(back);
    for (k, &x) in v.data.iter().enumerate() {
        let id = if k % 3 == 0 { 1.0 } else { 0.0 };
        assert!((x - id).abs() < 1e-14, "{v:?}");
    }
    let inv2 = env
        .pool
        .intern(Node::MatPow(a, -2), Shape::new(2, 2))
        .unwrap();
    check(&env.eval(inv2), 2, 2, &[0.5, -0.7, -0.2, 0.3]);
}

#[test]
fn inverse_pivots_past_a_zero() {
    let mut env = Env::default();
    let data = [0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0];
    let p = env.sym("P", 3, 3, &data);
    let inv = env
        .pool
        .intern(Node::MatPow(p, -1), Shape::new(3, 3))
        .unwrap();
    check(
        &env.eval(inv),
        3,
        3,
        &[0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.5],
    );
}

#[test]
fn singular_matrix_has_no_inverse() {
    let mut env = Env::default();
    let s = env.sym("S", 2, 2, &[1.0, 2.0, 2.0, 4.0]);
    let z = env.sym("Z", 2, 2, &[0.0; 4]);
    for m in [s, z] {
        let inv = env
            .pool
            .intern(Node::MatPow(m, -1), Shape::new(2, 2))
            .unwrap();
        match env.eval_err(inv) {
            Error::Domain(msg) => assert!(msg.contains("singular"), "{msg}"),
            other => panic!("expected a domain error, got {other:?}"),
        }
    }
}

#[test]
fn elementwise_functions_match_closed_forms() {
    let mut env = Env::default();
    let x = env.sym("x", 1, 1, &[0.5]);
    let cases = [
        (Func::Exp, 0.5f64.exp()),
        (Func::Log, -LN_2),
        (Func::Abs, 0.5),
        (Func::Tanh, (E - 1.0) / (E + 1.0)),
        (Func::Sigmoid, 1.0 / (1.0 + (-0.5f64).exp())),
        (Func::Softplus, (1.0 + 0.5f64.exp()).ln()),
        (Func::Relu, 0.5),
    ];
    for (f, expected) in cases {
        let fx = env.pool.apply(f, x).unwrap();
        check_scalar(&env.eval(fx), expected);
    }
    let a = env.sym("A", 1, 3, &[-2.0, 0.0, 3.0]);
    let relu = env.pool.apply(Func::Relu, a).unwrap();
    check(&env.eval(relu), 1, 3, &[0.0, 0.0, 3.0]);
    let abs = env.pool.apply(Func::Abs, a).unwrap();
    check(&env.eval(abs), 1, 3, &[2.0, 0.0, 3.0]);
    let sig = env.pool.apply(Func::Sigmoid, a).unwrap();
    check(
        &env.eval(sig),
        1,
        3,
        &[1.0 / (1.0 + E * E), 0.5, 1.0 / (1.0 + (-3f64).exp())],
    );
}

#[test]
fn sigmoid_and_softplus_stay_finite_at_extremes() {
    let mut env = Env::default();
    let x = env.sym("x", 1, 2, &[1000.0, -1000.0]);
    let sig = env.pool.apply(Func::Sigmoid, x).unwrap();
    check(&env.eval(sig), 1, 2, &[1.0, 0.0]);
    let sp = env.pool.apply(Func::Softplus, x).unwrap();
    check(&env.eval(sp), 1, 2, &[1000.0, 0.0]);
}

#[test]
fn sums_along_each_axis() {
    let mut env = Env::default();
    let a = env.sym("A", 2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let all = env.pool.sum(a, Axis::All).unwrap();
    check_scalar(&env.eval(all), 21.0);
    let down = env.pool.sum(a, Axis::Cols).unwrap();
    check(&env.eval(down), 1, 3, &[5.0, 7.0, 9.0]);
    let along = env.pool.sum(a, Axis::Rows).unwrap();
    check(&env.eval(along), 2, 1, &[6.0, 15.0]);
    let mean = env.pool.mean(a, Axis::Cols).unwrap();
    check(&env.eval(mean), 1, 3, &[2.5, 3.5, 4.5]);
}

#[test]
fn logsumexp_is_stable() {
    let mut env = Env::default();
    let big = env.sym("big", 1, 2, &[1000.0, 1000.0]);
    let small = env.sym("small", 1, 2, &[-1000.0, -1000.0]);
    let lb = env.pool.logsumexp(big, Axis::All).unwrap();
    check_scalar(&env.eval(lb), 1000.0 + LN_2);
    let ls = env.pool.logsumexp(small, Axis::Rows).unwrap();
    check_scalar(&env.eval(ls), -1000.0 + LN_2);
    // Along rows and down columns: log(1 + 3) and 1000 + log 2.
    let m = env.sym("M", 2, 2, &[0.0, 3f64.ln(), 1000.0, 1000.0]);
    let mt = env.sym("Mt", 2, 2, &[0.0, 1000.0, 3f64.ln(), 1000.0]);
    let rows = env.pool.logsumexp(m, Axis::Rows).unwrap();
    let cols = env.pool.logsumexp(mt, Axis::Cols).unwrap();
    check(&env.eval(rows), 2, 1, &[4f64.ln(), 1000.0 + LN_2]);
    check(&env.eval(cols), 1, 2, &[4f64.ln(), 1000.0 + LN_2]);
}

#[test]
fn logsumexp_of_infinities_has_no_nan() {
    let mut env = Env::default();
    let inf = f64::INFINITY;
    let neg = env.sym("n", 1, 2, &[-inf, -inf]);
    let pos = env.sym("p", 1, 2, &[inf, 0.0]);
    let mixed = env.sym("m", 1, 2, &[-inf, 2.0]);
    let n = env.pool.logsumexp(neg, Axis::All).unwrap();
    let p = env.pool.logsumexp(pos, Axis::All).unwrap();
    let m = env.pool.logsumexp(mixed, Axis::All).unwrap();
    assert_eq!(env.eval(n).data, vec![-inf]);
    assert_eq!(env.eval(p).data, vec![inf]);
    check_scalar(&env.eval(m), 2.0);
}

#[test]
fn softmax_is_stable() {
    let mut env = Env::default();
    let v = env.sym("v", 1, 2, &[1000.0, 0.0]);
    let s = env.pool.softmax(v, Axis::Rows).unwrap();
    let out = env.eval(s);
    assert!(out.data.iter().all(|x| !x.is_nan()), "{out:?}");
    // e^-1000 underflows to 0.
    check(&out, 1, 2, &[1.0, 0.0]);
    // Down columns: [1, 3]/4 and [1, 1]/2.
    let m = env.sym("M", 2, 2, &[0.0, 1000.0, 3f64.ln(), 1000.0]);
    let cols = env.pool.softmax(m, Axis::Cols).unwrap();
    check(&env.eval(cols), 2, 2, &[0.25, 0.5, 0.75, 0.5]);
    let rows = env.pool.softmax(m, Axis::Rows).unwrap();
    let e1000 = (-1000f64).exp();
    check(&env.eval(rows), 2, 2, &[e1000, 1.0, 0.0, 1.0]);
    // Over everything (no constructor builds this; the evaluator supports it).
    let shape = Shape::new(2, 2);
    let all = env.pool.intern(Node::Softmax(Axis::All, m), shape).unwrap();
    check(&env.eval(all), 2, 2, &[0.0, 0.5, 0.0, 0.5]);
    let q = env.sym("Q", 2, 2, &[0.0, 3f64.ln(), 0.0, 4f64.ln()]);
    let all = env.pool.intern(Node::Softmax(Axis::All, q), shape).unwrap();
    check(
        &env.eval(all),
        2,
        2,
        &[1.0 / 9.0, 3.0 / 9.0, 1.0 / 9.0, 4.0 / 9.0],
    );
}

#[test]
fn softmax_with_infinite_entries() {
    let mut env = Env::default();
    let inf = f64::INFINITY;
    let v = env.sym("v", 1, 3, &[inf, 0.0, inf]);
    let s = env.pool.softmax(v, Axis::Rows).unwrap();
    check(&env.eval(s), 1, 3, &[0.5, 0.0, 0.5]);
}

#[test]
fn trace_diag_and_slice() {
    let mut env = Env::default();
    let data: Vec<f64> = (1..=9).map(f64::from).collect();
    let s = env.sym("S", 3, 3, &data);
    let t = env.pool.trace(s).unwrap();
    assert!(matches!(env.pool.node(t), Node::Trace(_)));
    check_scalar(&env.eval(t), 15.0);
    let d = env.pool.diag(s).unwrap();
    assert!(matches!(env.pool.node(d), Node::Diag(_)));
    check(&env.eval(d), 3, 1, &[1.0, 5.0, 9.0]);
    let diagonal = [1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 3.0];
    let col = env.sym("c", 3, 1, &[1.0, 2.0, 3.0]);
    let dc = env.pool.diag(col).unwrap();
    check(&env.eval(dc), 3, 3, &diagonal);
    let row = env.sym("r", 1, 3, &[1.0, 2.0, 3.0]);
    let dr = env.pool.diag(row).unwrap();
    check(&env.eval(dr), 3, 3, &diagonal);
    let sl = env
        .pool
        .slice(s, Span1 { start: 0, end: 2 }, Span1 { start: 1, end: 3 })
        .unwrap();
    assert!(matches!(env.pool.node(sl), Node::Slice { .. }));
    check(&env.eval(sl), 2, 2, &[2.0, 3.0, 5.0, 6.0]);
}

#[test]
fn shared_subexpressions_are_kept_until_last_use() {
    let mut env = Env::default();
    let a = env.sym("A", 1, 2, &[0.0, 1.0]);
    let c = env.sym("c", 1, 1, &[3.0]);
    let ea = env.pool.apply(Func::Exp, a).unwrap();
    let tanh_ea = env.pool.apply(Func::Tanh, ea).unwrap();
    let scaled = env.pool.mul(&[c, ea]).unwrap();
    let e = env.pool.add(&[tanh_ea, scaled, ea]).unwrap();
    let expected = [1f64.tanh() + 4.0, E.tanh() + 4.0 * E];
    check(&env.eval(e), 1, 2, &expected);
}

#[test]
fn a_deep_chain_does_not_overflow_the_stack() {
    let mut env = Env::default();
    let x = env.sym("x", 1, 1, &[0.25]);
    let one = env.pool.int(1).unwrap();
    let (mut e, mut expected, mut step) = (x, 0.25f64, 0);
    while env.pool.depth(e) < MAX_DEPTH {
        if step % 2 == 0 {
            e = env.pool.add(&[e, one]).unwrap();
            expected += 1.0;
        } else {
            e = env.pool.apply(Func::Tanh, e).unwrap();
            expected = expected.tanh();
        }
        step += 1;
    }
    assert_eq!(env.pool.depth(e), MAX_DEPTH);
    // Evaluate on a small stack: a recursive evaluator would overflow it.
    let value = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn_scoped(scope, || env.pool.evaluate(e, &env.bindings))
            .unwrap()
            .join()
            .unwrap()
    });
    check_scalar(&value.unwrap(), expected);
    assert_eq!(env.pool.free_symbols(e), vec![x]);
}

#[test]
fn unbound_symbols_are_named() {
    let mut env = Env::default();
    let w = env.pool.symbol("W", Shape::new(2, 2)).unwrap();
    let x = env.sym("x", 1, 1, &[1.0]);
    let e = env.pool.product(x, w).unwrap();
    assert_eq!(env.eval_err(e), Error::Invalid("W is unbound".into()));
    assert_eq!(env.eval_err(e).to_string(), "W is unbound");
}

#[test]
fn bindings_must_match_their_symbols() {
    let mut env = Env::default();
    let w = env.pool.symbol("W", Shape::new(2, 2)).unwrap();
    let wrong = Values::new(Shape::new(2, 3), vec![0.0; 6]).unwrap();
    env.bindings.insert(w, wrong);
    assert!(matches!(
        env.eval_err(w),
        Error::ShapeMismatch { left, right, .. }
            if left == Shape::new(2, 2) && right == Shape::new(2, 3)
    ));
    // Public fields can disagree; that is an error, not a panic.
    let short = Values {
        shape: Shape::new(2, 2),
        data: vec![1.0; 3],
    };
    env.bindings.insert(w, short);
    assert!(matches!(env.eval_err(w), Error::Invalid(_)));
}

#[test]
fn ids_from_elsewhere_are_errors() {
    let env = Env::default();
    let stray = ExprId(7);
    assert!(matches!(env.eval_err(stray), Error::Invalid(_)));
    assert!(env.pool.free_symbols(stray).is_empty());
}

#[test]
fn results_too_large_to_allocate_are_errors() {
    let mut env = Env::default();
    let n = 1 << 15;
    let col = env.sym("c", n, 1, &vec![1.0; n]);
    let row = env.sym("r", 1, n, &vec![1.0; n]);
    let outer = env.pool.matmul(col, row).unwrap();
    assert!(matches!(env.eval_err(outer), Error::TooLarge(_)));
}

#[test]
fn values_accessors() {
    let v = Values::new(Shape::new(2, 2), vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    assert_eq!(v.get(1, 0), 3.0);
    assert!(v.get(2, 0).is_nan() && v.get(0, 2).is_nan());
    assert_eq!(v.as_scalar(), None);
    assert_eq!(Values::scalar(2.5).as_scalar(), Some(2.5));
    assert!(Values::new(Shape::new(2, 2), vec![1.0; 3]).is_err());
}
