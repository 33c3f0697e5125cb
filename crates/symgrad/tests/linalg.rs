//! The functions sin, cos, log1p, expm1, erf and the matrix functions inv,
//! `A^-1`, solve, det and logdet, checked against independent oracles:
//! central finite differences, hand-computed Matrix Cookbook gradients at
//! exact matrices, known inverses and determinants (Hilbert matrices),
//! reference values of erf, and agreement between the interpreter, the
//! compiled program and the register program.

mod support;

use std::collections::HashMap;
use support::Rng;
use symgrad::{Axis, Dense, DenseData, Error, ExprId, Func, Num, Pool, Shape, Values};

type Point = HashMap<ExprId, Values>;

fn sh(rows: usize, cols: usize) -> Shape {
    Shape::new(rows, cols)
}

fn exact(pool: &mut Pool, rows: usize, cols: usize, v: &[(i64, i64)]) -> ExprId {
    let nums = v
        .iter()
        .map(|&(p, q)| Num::ratio(p.into(), q.into()).unwrap())
        .collect();
    pool.dense(Dense::new(sh(rows, cols), DenseData::Exact(nums)).unwrap())
        .unwrap()
}

fn ints(pool: &mut Pool, rows: usize, cols: usize, v: &[i64]) -> ExprId {
    let v: Vec<(i64, i64)> = v.iter().map(|&x| (x, 1)).collect();
    exact(pool, rows, cols, &v)
}

fn floats(pool: &mut Pool, rows: usize, cols: usize, v: Vec<f64>) -> ExprId {
    pool.dense(Dense::from_f64(sh(rows, cols), v).unwrap())
        .unwrap()
}

fn random(pool: &mut Pool, rows: usize, cols: usize, rng: &mut Rng) -> ExprId {
    let v = (0..rows * cols).map(|_| rng.uniform(-1.0, 1.0)).collect();
    floats(pool, rows, cols, v)
}

/// The central difference of every element of `f` by element k of `sym`.
fn central(pool: &Pool, f: ExprId, at: &Point, sym: ExprId, k: usize, h: f64) -> Vec<f64> {
    let value = |d: f64| {
        let mut p = at.clone();
        p.get_mut(&sym).unwrap().data[k] += d;
        pool.evaluate(f, &p).unwrap().data
    };
    let (plus, minus) = (value(h), value(-h));
    plus.iter()
        .zip(&minus)
        .map(|(a, b)| (a - b) / (2.0 * h))
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

/// Checks `grad(f, w)` and each `diff(f, w[i, j])` of the scalar `f`
/// against central finite differences at `at`, and the interpreter against
/// the compiled program for f and its gradient.
fn check_derivatives(pool: &mut Pool, name: &str, f: ExprId, w: ExprId, at: &Point) {
    let g = pool
        .grad(f, w)
        .unwrap_or_else(|e| panic!("{name}: grad: {e}"));
    let gv = pool.evaluate(g, at).unwrap();
    let s = pool.shape(w);
    for i in 0..s.rows {
        for j in 0..s.cols {
            let k = i * s.cols + j;
            let fd = central(pool, f, at, w, k, 1e-6)[0];
            assert!(
                close(gv.data[k], fd, 1e-6),
                "{name}: grad[{i}, {j}] = {} but finite differences give {fd}",
                gv.data[k]
            );
            let x = pool.element(w, i, j).unwrap();
            let d = pool
                .diff(f, x)
                .unwrap_or_else(|e| panic!("{name}: diff: {e}"));
            let dv = pool.evaluate(d, at).unwrap().data[0];
            assert!(
                close(dv, fd, 1e-6),
                "{name}: diff by element ({i}, {j}) = {dv} but finite differences give {fd}"
            );
        }
    }
    // The compiled program computes the same numbers as the interpreter.
    let inputs: Vec<ExprId> = pool.free_symbols(g).into_iter().collect();
    let mut inputs_f = pool.free_symbols(f);
    for x in &inputs {
        if !inputs_f.contains(x) {
            inputs_f.push(*x);
        }
    }
    let mut program = pool.compile(&[f, g], &inputs_f).unwrap();
    let values: Vec<&Values> = inputs_f.iter().map(|x| &at[x]).collect();
    let out = program.run(&values).unwrap();
    let fv = pool.evaluate(f, at).unwrap();
    assert!(
        close(out[0].data[0], fv.data[0], 1e-12),
        "{name}: compiled value"
    );
    for (a, b) in out[1].data.iter().zip(&gv.data) {
        assert!(close(*a, *b, 1e-10), "{name}: compiled gradient {a} vs {b}");
    }
}

#[test]
fn elementwise_functions_match_finite_differences_and_the_compiled_program() {
    let mut rng = Rng::new(12);
    for f in Func::ALL {
        let mut pool = Pool::new();
        let w = pool.symbol("W", sh(2, 3)).unwrap();
        let x = random(&mut pool, 3, 4, &mut rng);
        let c = random(&mut pool, 2, 4, &mut rng);
        // f(W⋅X) weighted: log needs arguments above 0, log1p above −1,
        // asin and acos inside (−1, 1), tan inside (−π/2, π/2) (|W⋅X| < 3
        // here).
        let z = pool.matmul(w, x).unwrap();
        let z = match f {
            Func::Log | Func::Log1p => {
                let sq = pool.mul(&[z, z]).unwrap();
                let (h, q) = (pool.rational(1, 2).unwrap(), pool.rational(1, 4).unwrap());
                let half_sq = pool.mul(&[h, sq]).unwrap();
                pool.add(&[half_sq, q]).unwrap()
            }
            Func::Tan | Func::Asin | Func::Acos => {
                let q = pool.rational(1, 4).unwrap();
                pool.mul(&[q, z]).unwrap()
            }
            _ => z,
        };
        let fz = pool.apply(f, z).unwrap();
        let weighted = pool.mul(&[c, fz]).unwrap();
        let loss = pool.sum(weighted, Axis::All).unwrap();
        let v = (0..6).map(|_| rng.uniform(-1.0, 1.0)).collect();
        let at: Point = [(w, Values::new(sh(2, 3), v).unwrap())].into();
        check_derivatives(&mut pool, f.name(), loss, w, &at);
    }
}

#[test]
fn gelu_written_with_erf_has_the_derivative_of_its_closed_form() {
    // gelu(x) = x⋅(1 + erf(x/√2))/2; gelu′(x) = Φ(x) + x⋅φ(x).
    let mut pool = Pool::new();
    let x = pool.symbol("x", Shape::SCALAR).unwrap();
    let two = pool.int(2).unwrap();
    let r2 = pool.sqrt(two).unwrap();
    let inv = pool.int(-1).unwrap();
    let r2i = pool.pow(r2, inv).unwrap();
    let arg = pool.mul(&[x, r2i]).unwrap();
    let e = pool.apply(Func::Erf, arg).unwrap();
    let one = pool.int(1).unwrap();
    let s = pool.add(&[one, e]).unwrap();
    let h = pool.rational(1, 2).unwrap();
    let gelu = pool.mul(&[h, x, s]).unwrap();
    let d = pool.diff(gelu, x).unwrap();
    for v in [-2.0, -0.3, 0.0, 0.8, 3.0_f64] {
        let at: Point = [(x, Values::scalar(v))].into();
        let phi = (-v * v / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let cdf = 0.5 * (1.0 + libm_free_erf(v / 2f64.sqrt()));
        let got = pool.evaluate(d, &at).unwrap().data[0];
        assert!(close(got, cdf + v * phi, 1e-12), "gelu′({v}) = {got}");
    }
}

/// erf by its Maclaurin series (independent of the library under test),
/// converging fast for |x| ≤ 3.
fn libm_free_erf(x: f64) -> f64 {
    let mut term = x;
    let mut sum = x;
    for n in 1..200 {
        term *= -x * x / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    2.0 / std::f64::consts::PI.sqrt() * sum
}

#[test]
fn the_functions_evaluate_accurately_where_the_naive_forms_fail() {
    let mut pool = Pool::new();
    let x = pool.symbol("x", Shape::SCALAR).unwrap();
    let cases = [
        (Func::Log1p, 1e-20, 1e-20),
        (Func::Expm1, 1e-20, 1e-20),
        (Func::Expm1, 1e-10, 1.00000000005e-10),
        (Func::Erf, 0.5, 0.520_499_877_813_046_5),
        (Func::Erf, -1.5, -libm_free_erf(1.5)),
        (Func::Sin, std::f64::consts::FRAC_PI_6, 0.5),
        (Func::Cos, std::f64::consts::FRAC_PI_3, 0.5),
        (Func::Tan, std::f64::consts::FRAC_PI_4, 1.0),
        (Func::Atan, 1.0, std::f64::consts::FRAC_PI_4),
        (Func::Asin, 0.5, std::f64::consts::FRAC_PI_6),
        (Func::Acos, 0.5, std::f64::consts::FRAC_PI_3),
        (Func::Acos, -1.0, std::f64::consts::PI),
        // (ℯ − 1/ℯ)/2 and (ℯ + 1/ℯ)/2.
        (Func::Sinh, 1.0, 1.175_201_193_643_801_4),
        (Func::Cosh, 1.0, 1.543_080_634_815_243_7),
        (Func::Sinh, 1e-20, 1e-20),
    ];
    for (f, v, expected) in cases {
        let e = pool.apply(f, x).unwrap();
        let at: Point = [(x, Values::scalar(v))].into();
        let got = pool.evaluate(e, &at).unwrap().data[0];
        assert!(close(got, expected, 1e-14), "{}({v}) = {got}", f.name());
        let mut program = pool.compile(&[e], &[x]).unwrap();
        let c = program.run(&[&Values::scalar(v)]).unwrap()[0].data[0];
        assert!(
            close(c, expected, 1e-14),
            "compiled {}({v}) = {c}",
            f.name()
        );
        let mut scalar = pool.compile_scalar(&[e], &[x]).unwrap();
        let mut out = [0.0];
        scalar.eval_point(&[v], &mut out).unwrap();
        assert!(close(out[0], expected, 1e-14), "register {}({v})", f.name());
    }
    // Exact folds and identities.
    let zero = pool.int(0).unwrap();
    for (f, v) in [
        (Func::Sin, 0),
        (Func::Cos, 1),
        (Func::Log1p, 0),
        (Func::Expm1, 0),
        (Func::Erf, 0),
        (Func::Tan, 0),
        (Func::Atan, 0),
        (Func::Asin, 0),
        (Func::Sinh, 0),
        (Func::Cosh, 1),
    ] {
        let e = pool.apply(f, zero).unwrap();
        assert_eq!(e, pool.int(v).unwrap(), "{}(0)", f.name());
    }
    let m = pool.apply(Func::Expm1, x).unwrap();
    assert_eq!(pool.apply(Func::Log1p, m).unwrap(), x);
    let minus_one = pool.int(-1).unwrap();
    assert!(matches!(
        pool.apply(Func::Log1p, minus_one),
        Err(Error::Domain(_))
    ));
    let three_halves = pool.rational(3, 2).unwrap();
    for f in [Func::Asin, Func::Acos] {
        assert!(matches!(pool.apply(f, three_halves), Err(Error::Domain(_))));
    }
    let a = pool.apply(Func::Atan, x).unwrap();
    assert_eq!(pool.apply(Func::Tan, a).unwrap(), x);
}

/// W + 3⋅I for a 3×3 symbol W: invertible near the random points used.
fn shifted(pool: &mut Pool, w: ExprId) -> ExprId {
    let n = pool.shape(w).rows;
    let eye = pool.eye(n).unwrap();
    let three = pool.int(3).unwrap();
    let s = pool.mul(&[three, eye]).unwrap();
    pool.add(&[w, s]).unwrap()
}

#[test]
fn matrix_functions_match_finite_differences_and_the_compiled_program() {
    let mut rng = Rng::new(3);
    type Build = fn(&mut Pool, ExprId, ExprId, ExprId, ExprId) -> ExprId;
    let cases: [(&str, Build); 8] = [
        ("logdet(M)", |p, m, _, _, _| p.logdet(m).unwrap()),
        ("det(M)", |p, m, _, _, _| p.det(m).unwrap()),
        ("trace(A * inv(M))", |p, m, a, _, _| {
            let i = p.inv(m).unwrap();
            let ai = p.matmul(a, i).unwrap();
            p.trace(ai).unwrap()
        }),
        ("x' * M^-1 * x", |p, m, _, x, _| {
            let k = p.int(-1).unwrap();
            let i = p.power(m, k).unwrap();
            let xt = p.transpose(x).unwrap();
            let l = p.matmul(xt, i).unwrap();
            p.matmul(l, x).unwrap()
        }),
        ("sum(C .* solve(M, B))", |p, m, _, _, c| {
            let b = p.ones(sh(3, 2)).unwrap();
            let s = p.solve(m, b).unwrap();
            let cs = p.mul(&[c, s]).unwrap();
            p.sum(cs, Axis::All).unwrap()
        }),
        ("sum(C' .* M^-2 [:, 0:2])", |p, m, _, _, c| {
            let k = p.int(-2).unwrap();
            let i = p.power(m, k).unwrap();
            let b = p.ones(sh(3, 2)).unwrap();
            let s = p.matmul(i, b).unwrap();
            let cs = p.mul(&[c, s]).unwrap();
            p.sum(cs, Axis::All).unwrap()
        }),
        ("logdet(M' * M) - 2 logdet(M)", |p, m, _, _, _| {
            let t = p.transpose(m).unwrap();
            let mm = p.matmul(t, m).unwrap();
            let l = p.logdet(mm).unwrap();
            let l2 = p.logdet(m).unwrap();
            let two = p.int(-2).unwrap();
            let t2 = p.mul(&[two, l2]).unwrap();
            p.add(&[l, t2]).unwrap()
        }),
        ("det(M) * logdet(2 M)", |p, m, _, _, _| {
            let d = p.det(m).unwrap();
            let two = p.int(2).unwrap();
            let m2 = p.mul(&[two, m]).unwrap();
            let l = p.logdet(m2).unwrap();
            p.mul(&[d, l]).unwrap()
        }),
    ];
    for (name, build) in cases {
        let mut pool = Pool::new();
        let w = pool.symbol("W", sh(3, 3)).unwrap();
        let m = shifted(&mut pool, w);
        let a = random(&mut pool, 3, 3, &mut rng);
        let x = random(&mut pool, 3, 1, &mut rng);
        let c = random(&mut pool, 3, 2, &mut rng);
        let f = build(&mut pool, m, a, x, c);
        for _ in 0..3 {
            let v = (0..9).map(|_| rng.uniform(-1.0, 1.0)).collect();
            let at: Point = [(w, Values::new(sh(3, 3), v).unwrap())].into();
            check_derivatives(&mut pool, name, f, w, &at);
        }
    }
}

#[test]
fn the_cookbook_gradients_at_exact_matrices_are_the_hand_computed_ones() {
    let mut pool = Pool::new();
    let w = pool.symbol("W", sh(2, 2)).unwrap();
    // W0 = [[2, 1], [1, 1]], W0⁻¹ = [[1, −1], [−1, 2]] (by hand: det 1).
    let w0 = ints(&mut pool, 2, 2, &[2, 1, 1, 1]);
    let a = ints(&mut pool, 2, 2, &[1, 2, 3, 4]);
    let x = ints(&mut pool, 2, 1, &[1, 2]);
    let at = |pool: &mut Pool, f: ExprId, w0: ExprId| {
        let g = pool.grad(f, w).unwrap();
        pool.subs(g, &[(w, w0)]).unwrap()
    };
    // ∂ logdet(W) = W⁻ᵀ.
    let l = pool.logdet(w).unwrap();
    assert_eq!(at(&mut pool, l, w0), ints(&mut pool, 2, 2, &[1, -1, -1, 2]));
    // ∂ tr(A⋅W⁻¹) = −(W⁻¹⋅A⋅W⁻¹)ᵀ = [[0, 1], [2, −7]].
    let i = pool.inv(w).unwrap();
    let ai = pool.matmul(a, i).unwrap();
    let t = pool.trace(ai).unwrap();
    assert_eq!(at(&mut pool, t, w0), ints(&mut pool, 2, 2, &[0, 1, 2, -7]));
    // ∂ xᵀ⋅W⁻¹⋅x = −W⁻ᵀ⋅x⋅xᵀ⋅W⁻ᵀ = −[−1, 3]⋅[−1, 3]ᵀ.
    let xt = pool.transpose(x).unwrap();
    let q = pool.matmul(xt, i).unwrap();
    let q = pool.matmul(q, x).unwrap();
    assert_eq!(at(&mut pool, q, w0), ints(&mut pool, 2, 2, &[-1, 3, 3, -9]));
    // ∂ det(W) = det(W)⋅W⁻ᵀ: at [[3, 1], [1, 2]] (det 5) it is [[2, −1], [−1, 3]].
    let w1 = ints(&mut pool, 2, 2, &[3, 1, 1, 2]);
    let d = pool.det(w).unwrap();
    assert_eq!(at(&mut pool, d, w1), ints(&mut pool, 2, 2, &[2, -1, -1, 3]));
}

#[test]
fn exact_inverses_and_determinants_are_the_known_ones() {
    let mut pool = Pool::new();
    // The 3×3 Hilbert matrix and its known integer inverse.
    let h3: Vec<(i64, i64)> = (0..9).map(|k| (1, (k / 3 + k % 3 + 1) as i64)).collect();
    let h = exact(&mut pool, 3, 3, &h3);
    let hinv = ints(
        &mut pool,
        3,
        3,
        &[9, -36, 30, -36, 192, -180, 30, -180, 180],
    );
    assert_eq!(pool.inv(h).unwrap(), hinv);
    let m1 = pool.int(-1).unwrap();
    assert_eq!(pool.power(h, m1).unwrap(), hinv);
    // det(H₄) = 1/6048000.
    let h4: Vec<(i64, i64)> = (0..16).map(|k| (1, (k / 4 + k % 4 + 1) as i64)).collect();
    let h = exact(&mut pool, 4, 4, &h4);
    assert_eq!(pool.det(h).unwrap(), pool.rational(1, 6_048_000).unwrap());
    // A permutation with a row swap: det −1; singular: det 0 and no inverse.
    let p = ints(&mut pool, 3, 3, &[0, 1, 0, 1, 0, 0, 0, 0, 1]);
    assert_eq!(pool.det(p).unwrap(), pool.int(-1).unwrap());
    let s = ints(&mut pool, 2, 2, &[1, 2, 2, 4]);
    assert_eq!(pool.det(s).unwrap(), pool.int(0).unwrap());
    assert!(matches!(pool.inv(s), Err(Error::Domain(_))));
    // solve([[2, 0], [0, 4]], [1, 1]) = [1/2, 1/4].
    let a = ints(&mut pool, 2, 2, &[2, 0, 0, 4]);
    let b = ints(&mut pool, 2, 1, &[1, 1]);
    assert_eq!(
        pool.solve(a, b).unwrap(),
        exact(&mut pool, 2, 1, &[(1, 2), (1, 4)])
    );
    // Explicit symbolic matrices by cofactors: det [[a, b], [c, d]] = a⋅d − b⋅c.
    let syms: Vec<ExprId> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| pool.symbol(n, Shape::SCALAR).unwrap())
        .collect();
    let m = pool.matrix(sh(2, 2), syms.clone()).unwrap();
    let ad = pool.mul(&[syms[0], syms[3]]).unwrap();
    let bc = pool.mul(&[syms[1], syms[2]]).unwrap();
    let expected = pool.sub(ad, bc).unwrap();
    assert_eq!(pool.det(m).unwrap(), expected);
    // Shapes: a non-square matrix is an error.
    let r = ints(&mut pool, 2, 3, &[1, 2, 3, 4, 5, 6]);
    assert!(matches!(pool.det(r), Err(Error::BadShape { .. })));
    assert!(pool.inv(r).is_err());
}

#[test]
fn float_determinants_agree_with_the_exact_ones_and_logdet_does_not_overflow() {
    let mut rng = Rng::new(5);
    let mut pool = Pool::new();
    for n in [2, 3, 5, 8] {
        let v: Vec<i64> = (0..n * n).map(|_| rng.int(-9, 9)).collect();
        let e = ints(&mut pool, n, n, &v);
        let f = floats(&mut pool, n, n, v.iter().map(|&x| x as f64).collect());
        let de = pool.det(e).unwrap();
        let de = pool.as_num(de).unwrap().to_f64();
        let df = pool.det(f).unwrap();
        let df = pool.as_num(df).unwrap().to_f64();
        assert!(close(df, de, 1e-10), "{n}×{n}: {df} vs exact {de}");
        // And at a symbol, evaluated by the interpreter and the program.
        let w = pool.symbol("W", sh(n, n)).unwrap();
        let (d, l) = (pool.det(w).unwrap(), pool.logdet(w).unwrap());
        let at = Values::new(sh(n, n), v.iter().map(|&x| x as f64).collect()).unwrap();
        let point: Point = [(w, at.clone())].into();
        let mut program = pool.compile(&[d, l], &[w]).unwrap();
        let out = program.run(&[&at]).unwrap();
        for got in [pool.evaluate(d, &point).unwrap().data[0], out[0].data[0]] {
            assert!(close(got, de, 1e-10), "{n}×{n}: det {got} vs {de}");
        }
        if de != 0.0 {
            let got = pool.evaluate(l, &point).unwrap().data[0];
            assert!(close(got, de.abs().ln(), 1e-10));
            assert!(close(out[1].data[0], de.abs().ln(), 1e-10));
        }
    }
    // det(1e200⋅I₃) overflows; log |det| is 600⋅ln 10.
    let big: Vec<f64> = (0..9)
        .map(|k| if k % 4 == 0 { 1e200 } else { 0.0 })
        .collect();
    let b = floats(&mut pool, 3, 3, big);
    let l = pool.logdet(b).unwrap();
    let got = pool.as_num(l).unwrap().to_f64();
    assert!(close(got, 600.0 * 10f64.ln(), 1e-14), "{got}");
}

#[test]
fn a_large_inverse_is_evaluated_through_the_matrix_form() {
    // 6×6: too large for cofactors, so grad and the element derivative use
    // the matrix rules; grad(logdet(W), W)⋅Wᵀ must be the identity.
    let mut rng = Rng::new(9);
    let mut pool = Pool::new();
    let n = 6;
    let w = pool.symbol("W", sh(n, n)).unwrap();
    let l = pool.logdet(w).unwrap();
    let g = pool.grad(l, w).unwrap();
    let v: Vec<f64> = (0..n * n)
        .map(|k| rng.uniform(-1.0, 1.0) + if k % (n + 1) == 0 { 4.0 } else { 0.0 })
        .collect();
    let at = Values::new(sh(n, n), v.clone()).unwrap();
    let mut program = pool.compile(&[g], &[w]).unwrap();
    let gv = program.run(&[&at]).unwrap().remove(0);
    for i in 0..n {
        for j in 0..n {
            // (G⋅Wᵀ)ᵢⱼ = Σₖ Gᵢₖ⋅Wⱼₖ.
            let s: f64 = (0..n).map(|k| gv.data[i * n + k] * v[j * n + k]).sum();
            let expected = if i == j { 1.0 } else { 0.0 };
            assert!((s - expected).abs() < 1e-12, "(G⋅Wᵀ)[{i}, {j}] = {s}");
        }
    }
    let x = pool.element(w, 2, 3).unwrap();
    let d = pool.diff(l, x).unwrap();
    let point: Point = [(w, at)].into();
    let dv = pool.evaluate(d, &point).unwrap().data[0];
    assert!(close(dv, gv.data[2 * n + 3], 1e-12));
}

#[test]
fn huge_matrix_powers_are_errors_in_the_element_view_not_crashes() {
    let mut pool = Pool::new();
    let w = pool.symbol("W", sh(2, 2)).unwrap();
    for n in [-100_000, 100_000] {
        let k = pool.int(n).unwrap();
        let p = pool.power(w, k).unwrap();
        assert!(matches!(pool.elements(p), Err(Error::TooLarge(_))), "W^{n}");
    }
    // A 2×2 inverse's element view is the adjugate over the determinant:
    // at [[2, 1], [1, 1]] it is [[1, −1], [−1, 2]].
    let inv = pool.inv(w).unwrap();
    let e = pool.elements(inv).unwrap();
    let w0 = ints(&mut pool, 2, 2, &[2, 1, 1, 1]);
    let at = pool.subs(e, &[(w, w0)]).unwrap();
    assert_eq!(at, ints(&mut pool, 2, 2, &[1, -1, -1, 2]));
}

#[test]
fn the_inverse_of_a_small_explicit_matrix_is_written_out() {
    // inv([[a, b], [c, d]]) = [[d, −b], [−c, a]]/(a⋅d − b⋅c), checked at
    // a = 2, b = 1, c = 1, d = 1 (inverse [[1, −1], [−1, 2]]) and at a
    // 3×3 point against the exact inverse of the numbers.
    let mut pool = Pool::new();
    let names = ["a", "b", "c", "d"];
    let syms: Vec<ExprId> = names
        .iter()
        .map(|n| pool.symbol(n, Shape::SCALAR).unwrap())
        .collect();
    let m = pool.matrix(sh(2, 2), syms.clone()).unwrap();
    let inv = pool.inv(m).unwrap();
    assert!(matches!(pool.node(inv), symgrad::Node::Matrix { .. }));
    let values: Vec<ExprId> = [2, 1, 1, 1].iter().map(|&v| pool.int(v).unwrap()).collect();
    let pairs: Vec<(ExprId, ExprId)> = syms.iter().copied().zip(values).collect();
    let at = pool.subs(inv, &pairs).unwrap();
    let at = pool.elements(at).unwrap();
    let expected = ints(&mut pool, 2, 2, &[1, -1, -1, 2]);
    let expected = pool.elements(expected).unwrap();
    assert_eq!(at, expected);
    let v = [2, 1, 0, 1, 3, 1, 0, 1, 4];
    let entries: Vec<ExprId> = (0..9)
        .map(|k| pool.symbol(&format!("m{k}"), Shape::SCALAR).unwrap())
        .collect();
    let m3 = pool.matrix(sh(3, 3), entries.clone()).unwrap();
    let inv3 = pool.inv(m3).unwrap();
    let vals: Vec<ExprId> = v.iter().map(|&x| pool.int(x).unwrap()).collect();
    let pairs: Vec<(ExprId, ExprId)> = entries.iter().copied().zip(vals).collect();
    let got = pool.subs(inv3, &pairs).unwrap();
    let got = pool.elements(got).unwrap();
    let numbers = ints(&mut pool, 3, 3, &v);
    let exact = pool.inv(numbers).unwrap();
    let exact = pool.elements(exact).unwrap();
    assert_eq!(got, exact);
}
