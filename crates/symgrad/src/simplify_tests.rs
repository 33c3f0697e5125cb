//! `simplify`, `expand`, the order of terms and one-hot labels, checked
//! against hand-written forms and against the original expressions'
//! values computed in plain f64 (not by the engine).

use crate::{Axis, ExprId, Func, Pool, PrintOptions, Shape, Values, text};
use std::collections::HashMap;

struct T {
    pool: Pool,
    values: HashMap<ExprId, Values>,
}

impl T {
    fn new() -> T {
        T {
            pool: Pool::new(),
            values: HashMap::new(),
        }
    }

    fn sym(&mut self, name: &str) -> ExprId {
        self.pool.symbol(name, Shape::SCALAR).unwrap()
    }

    fn text(&self, e: ExprId) -> String {
        text(&self.pool, e, &PrintOptions::default())
    }

    fn int(&mut self, n: i64) -> ExprId {
        self.pool.int(n).unwrap()
    }

    /// The value of `e` with `xs` bound to `at`.
    fn value(&mut self, e: ExprId, xs: &[ExprId], at: &[f64]) -> f64 {
        for (&x, &v) in xs.iter().zip(at) {
            self.values.insert(x, Values::scalar(v));
        }
        self.pool.evaluate(e, &self.values).unwrap().data[0]
    }

    /// Simplifies `e`, checks the size does not grow, the printed form is
    /// `expected`, and the value at each point is `oracle` of the point.
    #[track_caller]
    fn check(&mut self, e: ExprId, xs: &[ExprId], expected: &str, oracle: impl Fn(&[f64]) -> f64) {
        let s = self.pool.simplify(e).unwrap();
        assert!(self.pool.size(s) <= self.pool.size(e), "{}", self.text(s));
        assert_eq!(self.text(s), expected);
        for at in [[0.3, -1.7, 2.2], [1.9, 0.4, -0.6], [-2.5, 3.1, 0.8]] {
            let (got, want) = (self.value(s, xs, &at), oracle(&at));
            assert!(
                (got - want).abs() <= 1e-12 * (1.0 + want.abs()),
                "{got} vs {want}"
            );
        }
    }
}

#[test]
fn rational_functions_cancel() {
    let mut t = T::new();
    let (x, y) = (t.sym("x"), t.sym("y"));
    let (one, two) = (t.int(1), t.int(2));
    let x2 = t.pool.pow(x, two).unwrap();
    let num = t.pool.sub(x2, one).unwrap();
    let den = t.pool.sub(x, one).unwrap();
    let q = t.pool.div(num, den).unwrap();
    t.check(q, &[x], "x + 1", |v| (v[0] * v[0] - 1.0) / (v[0] - 1.0));

    let s = t.pool.add(&[x, y]).unwrap();
    let (a, b) = (t.pool.div(x, s).unwrap(), t.pool.div(y, s).unwrap());
    let total = t.pool.add(&[a, b]).unwrap();
    t.check(total, &[x, y], "1", |v| {
        v[0] / (v[0] + v[1]) + v[1] / (v[0] + v[1])
    });

    // (x² − 1)/(x² + 2x + 1): the gcd x + 1 is not a factor as written.
    let twox = t.pool.mul(&[two, x]).unwrap();
    let sq = t.pool.add(&[x2, twox, one]).unwrap();
    let r = t.pool.div(num, sq).unwrap();
    t.check(r, &[x], "(x - 1)/(x + 1)", |v| {
        (v[0] * v[0] - 1.0) / (v[0] * v[0] + 2.0 * v[0] + 1.0)
    });

    // (x² − y²)/(x + y) in two variables.
    let y2 = t.pool.pow(y, two).unwrap();
    let d = t.pool.sub(x2, y2).unwrap();
    let r = t.pool.div(d, s).unwrap();
    t.check(r, &[x, y], "x - y", |v| {
        (v[0] * v[0] - v[1] * v[1]) / (v[0] + v[1])
    });

    // A monomial shared with a multivariate factor: x²⋅y/(x⋅y + x)² is
    // y/(y + 1)², as SymPy's simplify gives.
    let xy = t.pool.mul(&[x, y]).unwrap();
    let xy_x = t.pool.add(&[xy, x]).unwrap();
    let sq = t.pool.pow(xy_x, two).unwrap();
    let x2y = t.pool.mul(&[x2, y]).unwrap();
    let r = t.pool.div(x2y, sq).unwrap();
    t.check(r, &[x, y], "y/(y + 1)^2", |v| {
        v[0] * v[0] * v[1] / (v[0] * v[1] + v[0]).powi(2)
    });

    // The numerator dividing a factor: (x + y)/(x² − y²) is 1/(x − y).
    let r = t.pool.div(s, d).unwrap();
    t.check(r, &[x, y], "1/(x - y)", |v| {
        (v[0] + v[1]) / (v[0] * v[0] - v[1] * v[1])
    });

    // Fractions over coprime denominators, with the denominator multiplied
    // out where that is smaller (SymPy's simplify: 2/(x**2 - 1)); kept in
    // factors where that is: 1/(x + 1)² stays.
    let xp1 = t.pool.add(&[x, one]).unwrap();
    let (a, b) = (t.pool.div(one, den).unwrap(), t.pool.div(one, xp1).unwrap());
    let r = t.pool.sub(a, b).unwrap();
    t.check(r, &[x], "2/(x^2 - 1)", |v| {
        1.0 / (v[0] - 1.0) - 1.0 / (v[0] + 1.0)
    });
    let sq = t.pool.pow(xp1, two).unwrap();
    let r = t.pool.div(x, sq).unwrap();
    t.check(r, &[x], "x/(x + 1)^2", |v| v[0] / (v[0] + 1.0).powi(2));
}

#[test]
fn tanh_and_softmax_written_out_are_recognised() {
    let mut t = T::new();
    let x = t.sym("x");
    let ex = t.pool.apply(Func::Exp, x).unwrap();
    let nx = t.pool.neg(x).unwrap();
    let enx = t.pool.apply(Func::Exp, nx).unwrap();
    let num = t.pool.sub(ex, enx).unwrap();
    let den = t.pool.add(&[ex, enx]).unwrap();
    let q = t.pool.div(num, den).unwrap();
    t.check(q, &[x], "tanh(x)", |v| v[0].tanh());

    let (one, two) = (t.int(1), t.int(2));
    let x2 = t.pool.mul(&[two, x]).unwrap();
    let e2 = t.pool.apply(Func::Exp, x2).unwrap();
    let num = t.pool.sub(e2, one).unwrap();
    let den = t.pool.add(&[e2, one]).unwrap();
    let q = t.pool.div(num, den).unwrap();
    t.check(q, &[x], "tanh(x)", |v| v[0].tanh());

    let z = t.pool.symbol("z", Shape::new(3, 1)).unwrap();
    let ez = t.pool.apply(Func::Exp, z).unwrap();
    let total = t.pool.sum(ez, Axis::All).unwrap();
    let q = t.pool.div(ez, total).unwrap();
    let s = t.pool.simplify(q).unwrap();
    assert_eq!(t.text(s), "softmax(z)");
    let zs = [0.5, -1.0, 2.0];
    t.values
        .insert(z, Values::new(Shape::new(3, 1), zs.to_vec()).unwrap());
    let got = t.pool.evaluate(s, &t.values).unwrap().data;
    let norm: f64 = zs.iter().map(|v| v.exp()).sum();
    for (g, v) in got.iter().zip(zs) {
        assert!((g - v.exp() / norm).abs() < 1e-14);
    }
}

#[test]
fn an_element_of_a_softmax_written_out_is_recognised() {
    let mut t = T::new();
    // Scalars: ℯᵛ/(ℯᵘ + ℯᵛ + ℯʷ) is the second entry of softmax([u; v; w]).
    let (u, v, w) = (t.sym("u"), t.sym("v"), t.sym("w"));
    let exps: Vec<ExprId> = [u, v, w]
        .iter()
        .map(|&a| t.pool.apply(Func::Exp, a).unwrap())
        .collect();
    let den = t.pool.add(&exps).unwrap();
    let q = t.pool.div(exps[1], den).unwrap();
    t.check(q, &[u, v, w], "softmax([u, v, w])[1]", |x| {
        x[1].exp() / (x[0].exp() + x[1].exp() + x[2].exp())
    });

    // The derivative's form ℯ^(u − log(ℯᵘ + ℯᵛ + ℯʷ)) is the same element.
    let lse = t.pool.apply(Func::Log, den).unwrap();
    let shifted = t.pool.sub(u, lse).unwrap();
    let stable = t.pool.apply(Func::Exp, shifted).unwrap();
    t.check(stable, &[u, v, w], "softmax([u, v, w])[0]", |x| {
        x[0].exp() / (x[0].exp() + x[1].exp() + x[2].exp())
    });
    // diff(−log softmax(z)[0], z[0]) of a vector symbol z is softmax(z)[0] − 1.
    let z = t.pool.symbol("z", Shape::new(3, 1)).unwrap();
    let ez = t.pool.apply(Func::Exp, z).unwrap();
    let total = t.pool.sum(ez, Axis::All).unwrap();
    let z0 = t.pool.element_of(z, 0, 0).unwrap();
    let e0 = t.pool.apply(Func::Exp, z0).unwrap();
    let q = t.pool.div(e0, total).unwrap();
    let l = t.pool.apply(Func::Log, q).unwrap();
    let l = t.pool.neg(l).unwrap();
    let d = t.pool.diff(l, z0).unwrap();
    assert_eq!(t.text(d), "softmax(z)[0] - 1");

    // An element of a vector expression over the sum of all its
    // exponentials, as seed 004 writes its loss: exp(z[2])/sum(exp(z)) with
    // z = W⋅x + b is softmax(z)[2].
    let wm = t.pool.symbol("W", Shape::new(3, 2)).unwrap();
    let x = t.pool.symbol("x", Shape::new(2, 1)).unwrap();
    let b = t.pool.symbol("b", Shape::new(3, 1)).unwrap();
    let wx = t.pool.matmul(wm, x).unwrap();
    let z = t.pool.add(&[wx, b]).unwrap();
    let ez = t.pool.apply(Func::Exp, z).unwrap();
    let total = t.pool.sum(ez, Axis::All).unwrap();
    let z2 = t.pool.element_of(z, 2, 0).unwrap();
    let e2 = t.pool.apply(Func::Exp, z2).unwrap();
    let q = t.pool.div(e2, total).unwrap();
    let loss = t.pool.apply(Func::Log, q).unwrap();
    let loss = t.pool.neg(loss).unwrap();
    let s = t.pool.simplify(loss).unwrap();
    assert_eq!(t.text(s), "-log(softmax(W * x + b)[2])");
    // The value against f64 arithmetic written here.
    let (wv, xv, bv) = (
        [0.3, -1.2, 0.8, 0.5, -0.7, 1.9],
        [1.5, -0.4],
        [0.1, -0.2, 0.3],
    );
    t.values
        .insert(wm, Values::new(Shape::new(3, 2), wv.to_vec()).unwrap());
    t.values
        .insert(x, Values::new(Shape::new(2, 1), xv.to_vec()).unwrap());
    t.values
        .insert(b, Values::new(Shape::new(3, 1), bv.to_vec()).unwrap());
    let zs: Vec<f64> = (0..3)
        .map(|i| wv[2 * i] * xv[0] + wv[2 * i + 1] * xv[1] + bv[i])
        .collect();
    let want = -(zs[2].exp() / zs.iter().map(|v| v.exp()).sum::<f64>()).ln();
    let got = t.pool.evaluate(s, &t.values).unwrap().data[0];
    assert!((got - want).abs() < 1e-13, "{got} vs {want}");
}

#[test]
fn logarithms_with_one_coefficient_keep_it_outside() {
    let mut t = T::new();
    let (x, y) = (t.sym("x"), t.sym("y"));
    let lx = t.pool.apply(Func::Log, x).unwrap();
    let ly = t.pool.apply(Func::Log, y).unwrap();
    let s = t.pool.add(&[lx, ly]).unwrap();
    let third = t.pool.rational(-1, 3).unwrap();
    let e = t.pool.mul(&[third, s]).unwrap();
    let simplified = t.pool.simplify(e).unwrap();
    assert_eq!(t.text(simplified), "-log(x*y)/3");
    let v = t.value(simplified, &[x, y], &[0.3, 2.5]);
    assert!((v + (0.3f64.ln() + 2.5f64.ln()) / 3.0).abs() < 1e-14);
}

#[test]
fn logarithms_combine() {
    let mut t = T::new();
    let (x, y, a) = (t.sym("x"), t.sym("y"), t.sym("a"));
    let lx = t.pool.apply(Func::Log, x).unwrap();
    let ly = t.pool.apply(Func::Log, y).unwrap();
    let la = t.pool.apply(Func::Log, a).unwrap();
    let two = t.int(2);
    let la2 = t.pool.mul(&[two, la]).unwrap();
    let s = t.pool.add(&[lx, ly]).unwrap();
    let e = t.pool.sub(s, la2).unwrap();
    let simplified = t.pool.simplify(e).unwrap();
    assert_eq!(t.text(simplified), "log(x*y/a^2)");
    let v = t.value(simplified, &[x, y, a], &[0.3, 2.5, 1.7]);
    assert!((v - (0.3f64.ln() + 2.5f64.ln() - 2.0 * 1.7f64.ln())).abs() < 1e-14);
}

#[test]
fn expand_multiplies_out_any_power_or_says_why_not() {
    let mut t = T::new();
    let (a, b) = (t.sym("a"), t.sym("b"));
    let s = t.pool.add(&[a, b]).unwrap();
    let five = t.int(5);
    let p = t.pool.pow(s, five).unwrap();
    let e = t.pool.expand(p).unwrap();
    assert_eq!(
        t.text(e),
        "a^5 + 5*a^4*b + 10*a^3*b^2 + 10*a^2*b^3 + 5*a*b^4 + b^5"
    );
    let (va, vb) = (0.7, -1.3);
    assert!((t.value(e, &[a, b], &[va, vb]) - f64::powi(va + vb, 5)).abs() < 1e-12);
    let big = t.int(300);
    let p = t.pool.pow(s, big).unwrap();
    let err = t.pool.expand(p).unwrap_err().to_string();
    assert!(err.contains("over the limit of 256 terms"), "{err}");
}

#[test]
fn sums_print_in_the_order_written_and_stay_equal() {
    let mut t = T::new();
    let (a, b, c) = (t.sym("a"), t.sym("b"), t.sym("c"));
    let one = t.int(1);
    let cab = t.pool.add(&[c, a, b]).unwrap();
    assert_eq!(t.text(cab), "c + a + b");
    assert_eq!(cab, t.pool.add(&[a, b, c]).unwrap());
    let first = t.pool.add(&[one, c]).unwrap();
    assert_eq!(t.text(first), "1 + c");
    let last = t.pool.add(&[c, one]).unwrap();
    assert_eq!(t.text(last), "1 + c", "the form first built is kept");
    let two = t.int(2);
    let scaled = t.pool.mul(&[two, cab]).unwrap();
    assert_eq!(t.text(scaled), "2*c + 2*a + 2*b");
}

#[test]
fn one_hot_labels_give_a_minus_y() {
    let mut t = T::new();
    let z = t.pool.symbol("z", Shape::new(3, 1)).unwrap();
    let y = t.pool.symbol("y", Shape::new(3, 1)).unwrap();
    t.pool.set_one_hot(y, true);
    let s = t.pool.softmax(z, Axis::Cols).unwrap();
    // The notebook's form: −log(sum(y∘softmax(z), 1)).
    let picked = t.pool.mul(&[y, s]).unwrap();
    let total = t.pool.sum(picked, Axis::Cols).unwrap();
    let l = t.pool.apply(Func::Log, total).unwrap();
    let loss = t.pool.neg(l).unwrap();
    let g = t.pool.grad(loss, z).unwrap();
    assert_eq!(t.text(g), "softmax(z) - y");
    let zs = [0.2, -0.4, 1.1];
    t.values
        .insert(z, Values::new(Shape::new(3, 1), zs.to_vec()).unwrap());
    t.values.insert(
        y,
        Values::new(Shape::new(3, 1), vec![0.0, 1.0, 0.0]).unwrap(),
    );
    let got = t.pool.evaluate(g, &t.values).unwrap().data;
    let norm: f64 = zs.iter().map(|v| v.exp()).sum();
    for (k, (g, v)) in got.iter().zip(zs).enumerate() {
        let want = v.exp() / norm - f64::from(k == 1);
        assert!((g - want).abs() < 1e-14, "{g} vs {want}");
    }
}

#[test]
fn inner_products_become_matrix_products() {
    let mut t = T::new();
    let c = t.pool.symbol("c", Shape::new(4, 1)).unwrap();
    let y = t.pool.symbol("y", Shape::new(4, 1)).unwrap();
    let (ct, yt) = (t.pool.transpose(c).unwrap(), t.pool.transpose(y).unwrap());
    let m = t.pool.mul(&[ct, yt]).unwrap();
    let s = t.pool.sum(m, Axis::Rows).unwrap();
    let simplified = t.pool.simplify(s).unwrap();
    assert!(t.pool.size(simplified) < t.pool.size(s));
    assert_eq!(t.text(simplified), "y' * c");
    let (cs, ys) = ([1.0, -2.0, 0.5, 3.0], [0.25, 4.0, -1.0, 2.0]);
    t.values
        .insert(c, Values::new(Shape::new(4, 1), cs.to_vec()).unwrap());
    t.values
        .insert(y, Values::new(Shape::new(4, 1), ys.to_vec()).unwrap());
    let got = t.pool.evaluate(simplified, &t.values).unwrap().data[0];
    let want: f64 = cs.iter().zip(ys).map(|(a, b)| a * b).sum();
    assert!((got - want).abs() < 1e-14);
}

/// `size` against SymPy 1.14's `count_ops` (numbers hard-coded from
/// `sympy.count_ops(e)` with `x, y, z = sympy.symbols('x y z')`): equal
/// where no subtraction or division is involved; `x − y` and `x/y` count
/// the negation and the reciprocal too, as the README says.
#[test]
fn size_against_sympy_count_ops() {
    let mut t = T::new();
    let (x, y, z) = (t.sym("x"), t.sym("y"), t.sym("z"));
    let (one, two, three) = (t.int(1), t.int(2), t.int(3));
    let p = &mut t.pool;
    let x_plus_y = p.add(&[x, y]).unwrap(); // count_ops(x + y) = 1
    let xyz = p.mul(&[x, y, z]).unwrap(); // count_ops(x*y*z) = 2
    let twice = p.mul(&[two, x]).unwrap(); // count_ops(2*x) = 1
    let square = p.pow(x, two).unwrap(); // count_ops(x**2) = 1
    let ex = p.apply(Func::Exp, x).unwrap(); // count_ops(exp(x)) = 1
    let x1 = p.add(&[x, one]).unwrap();
    let log1 = p.apply(Func::Log, x1).unwrap(); // count_ops(log(x + 1)) = 2
    let inv = p.div(one, x).unwrap(); // count_ops(1/x) = 1
    let neg = p.neg(x).unwrap(); // count_ops(-x) = 1
    let third = p.div(x, three).unwrap(); // count_ops(x/3) = 1
    let th = p.apply(Func::Tanh, x).unwrap();
    let th2 = p.pow(th, two).unwrap(); // count_ops(tanh(x)**2) = 2
    let y2 = p.pow(y, two).unwrap();
    let xy2 = p.mul(&[two, x, y]).unwrap();
    let poly = p.add(&[square, xy2, y2]).unwrap(); // count_ops(x**2 + 2*x*y + y**2) = 6
    let exy = p.mul(&[x, y]).unwrap();
    let exy = p.apply(Func::Exp, exy).unwrap();
    let lz = p.apply(Func::Log, z).unwrap();
    let mixed = p.add(&[exy, lz]).unwrap(); // count_ops(exp(x*y) + log(z)) = 4
    let diff = p.sub(x, y).unwrap(); // count_ops(x - y) = 1
    let quot = p.div(x, y).unwrap(); // count_ops(x/y) = 1
    let one_minus = p.sub(one, th2).unwrap(); // count_ops(1 - tanh(x)**2) = 3
    let agree = [
        (x_plus_y, 1),
        (xyz, 2),
        (twice, 1),
        (square, 1),
        (ex, 1),
        (log1, 2),
        (inv, 1),
        (neg, 1),
        (third, 1),
        (th2, 2),
        (poly, 6),
        (mixed, 4),
    ];
    for (e, sympy) in agree {
        assert_eq!(p.size(e), sympy, "{}", t.text(e));
    }
    // One more than SymPy for each subtraction and division.
    for (e, sympy) in [(diff, 1), (quot, 1), (one_minus, 3)] {
        assert_eq!(t.pool.size(e), sympy + 1, "{}", t.text(e));
    }
}

/// A random scalar expression in `xs` of about `depth` levels: sums,
/// differences, products, quotients, small powers, `exp`, `log` and `tanh`.
fn random_expr(p: &mut Pool, rng: &mut rand_pcg::Pcg64Mcg, xs: &[ExprId], depth: u32) -> ExprId {
    use rand::RngExt;
    if depth == 0 || rng.random_range(0..4) == 0 {
        return match rng.random_range(0..4) {
            0 => p.int(rng.random_range(1..4)).unwrap(),
            k => xs[(k as usize - 1) % xs.len()],
        };
    }
    let a = random_expr(p, rng, xs, depth - 1);
    let b = random_expr(p, rng, xs, depth - 1);
    let built = match rng.random_range(0..13) {
        0 => p.add(&[a, b]),
        1 => p.sub(a, b),
        2 => p.mul(&[a, b]),
        3 => p.div(a, b),
        4 => {
            let k = p.int(rng.random_range(2..4)).unwrap();
            p.pow(a, k)
        }
        5 => p.apply(Func::Exp, a),
        7 => {
            // An integer to the power a: 2^(x + 2)/4 and the like.
            let base = p.int(rng.random_range(2..4)).unwrap();
            p.pow(base, a)
        }
        6 => {
            // log of something positive: a² + 1
            let two = p.int(2).unwrap();
            let one = p.int(1).unwrap();
            let sq = p.pow(a, two).unwrap();
            let pos = p.add(&[sq, one]).unwrap();
            p.apply(Func::Log, pos)
        }
        9 => p.apply(Func::Sigmoid, a),
        10 => p.apply(Func::Cosh, a),
        11 => p.apply(Func::Sinh, a),
        12 => {
            // ℯᵃ beside ℯ⁻ᵃ, as cosh and sinh are written out.
            let minus_a = p.neg(a).unwrap();
            let (up, down) = (
                p.apply(Func::Exp, a).unwrap(),
                p.apply(Func::Exp, minus_a).unwrap(),
            );
            p.add(&[up, down])
        }
        _ => p.apply(Func::Tanh, a),
    };
    built.unwrap_or(a)
}

/// `simplify` and `expand` keep the value of random expressions (compared
/// with the original evaluated at random points); `simplify` never grows.
#[test]
fn simplify_and_expand_keep_values_on_random_expressions() {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
    let mut t = T::new();
    let xs = [t.sym("x"), t.sym("y"), t.sym("z")];
    for case in 0..600 {
        let e = random_expr(&mut t.pool, &mut rng, &xs, 4);
        let s = t.pool.simplify(e).unwrap();
        assert!(
            t.pool.size(s) <= t.pool.size(e),
            "case {case}: {}",
            t.text(e)
        );
        let x = t.pool.expand(e).ok();
        for _ in 0..3 {
            let at: Vec<f64> = (0..3).map(|_| rng.random_range(-2.0..2.0)).collect();
            let want = t.value(e, &xs, &at);
            if !want.is_finite() || want.abs() > 1e8 {
                continue;
            }
            let tol = 1e-7 * (1.0 + want.abs());
            let got = t.value(s, &xs, &at);
            assert!(
                (got - want).abs() <= tol,
                "case {case}: simplify({}) = {} gives {got}, not {want}",
                t.text(e),
                t.text(s)
            );
            if let Some(x) = x {
                let got = t.value(x, &xs, &at);
                assert!(
                    (got - want).abs() <= tol,
                    "case {case}: expand({}) = {} gives {got}, not {want}",
                    t.text(e),
                    t.text(x)
                );
            }
        }
    }
}

#[test]
fn sine_squared_plus_cosine_squared_is_one_and_so_is_cosh_squared_less_sinh_squared() {
    let mut t = T::new();
    let (x, y, z) = (t.sym("x"), t.sym("y"), t.sym("z"));
    let square = |t: &mut T, f: Func, a: ExprId| {
        let two = t.int(2);
        let fa = t.pool.apply(f, a).unwrap();
        t.pool.pow(fa, two).unwrap()
    };
    let (s, c) = (square(&mut t, Func::Sin, x), square(&mut t, Func::Cos, x));
    let three = t.int(3);
    let (s3, c3) = (
        t.pool.mul(&[three, y, s]).unwrap(),
        t.pool.mul(&[c, y, three]).unwrap(),
    );
    let e = t.pool.add(&[z, s3, c3]).unwrap();
    t.check(e, &[x, y, z], "z + 3*y", |v| {
        v[2] + 3.0 * v[1] * (v[0].sin().powi(2) + v[0].cos().powi(2))
    });
    // Different arguments or factors are left alone.
    let cy = square(&mut t, Func::Cos, y);
    let e = t.pool.add(&[s, cy]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
    // Of a matrix, the sum is a matrix of ones and keeps its shape.
    let a = t.pool.symbol("A", Shape::new(2, 2)).unwrap();
    let (sa, ca) = (square(&mut t, Func::Sin, a), square(&mut t, Func::Cos, a));
    let e = t.pool.add(&[sa, ca]).unwrap();
    let simplified = t.pool.simplify(e).unwrap();
    assert_eq!(t.pool.shape(simplified), Shape::new(2, 2));
    // cosh² − sinh² is 1, times the same factors with opposite signs.
    let (ch, sh) = (square(&mut t, Func::Cosh, x), square(&mut t, Func::Sinh, x));
    let minus_three = t.int(-3);
    let (ch3, sh3) = (
        t.pool.mul(&[three, y, ch]).unwrap(),
        t.pool.mul(&[sh, y, minus_three]).unwrap(),
    );
    let e = t.pool.add(&[z, ch3, sh3]).unwrap();
    t.check(e, &[x, y, z], "z + 3*y", |v| {
        v[2] + 3.0 * v[1] * (v[0].cosh().powi(2) - v[0].sinh().powi(2))
    });
    // cosh² + sinh² is not 1.
    let e = t.pool.add(&[ch, sh]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
}

#[test]
fn sine_over_cosine_is_tangent() {
    let mut t = T::new();
    let (x, y) = (t.sym("x"), t.sym("y"));
    let f = |t: &mut T, f: Func, a: ExprId| t.pool.apply(f, a).unwrap();
    let (s, c) = (f(&mut t, Func::Sin, x), f(&mut t, Func::Cos, x));
    let q = t.pool.div(s, c).unwrap();
    t.check(q, &[x], "tan(x)", |v| v[0].sin() / v[0].cos());
    // Powers, other factors, and the hyperbolic pair.
    let (three, minus_three) = (t.int(3), t.int(-3));
    let (s3, c3) = (
        t.pool.pow(s, three).unwrap(),
        t.pool.pow(c, minus_three).unwrap(),
    );
    let (sh, ch) = (f(&mut t, Func::Sinh, y), f(&mut t, Func::Cosh, y));
    let th = t.pool.div(sh, ch).unwrap();
    let e = t.pool.mul(&[y, s3, c3, th]).unwrap();
    t.check(e, &[x, y], "y*tanh(y)*tan(x)^3", |v| {
        v[1] * (v[0].sin() / v[0].cos()).powi(3) * (v[1].sinh() / v[1].cosh())
    });
    // Different arguments, or a fractional power, are left alone.
    let cy = f(&mut t, Func::Cos, y);
    let e = t.pool.div(s, cy).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
    let (half, minus_half) = (
        t.pool.rational(1, 2).unwrap(),
        t.pool.rational(-1, 2).unwrap(),
    );
    let (rs, rc) = (
        t.pool.pow(s, half).unwrap(),
        t.pool.pow(c, minus_half).unwrap(),
    );
    let roots = t.pool.mul(&[rs, rc]).unwrap();
    assert_eq!(t.pool.simplify(roots).unwrap(), roots);
}

#[test]
fn an_integer_power_of_the_base_moves_into_the_coefficient() {
    let mut t = T::new();
    let (x, y) = (t.sym("x"), t.sym("y"));
    let (two, three, four) = (t.int(2), t.int(3), t.int(4));
    // 2^(x + 2)/4 is 2^x (SymPy's test_simplify), 3⋅2^(x − 1) is (3/2)⋅2^x.
    let e = t.pool.add(&[x, two]).unwrap();
    let p = t.pool.pow(two, e).unwrap();
    let q = t.pool.div(p, four).unwrap();
    t.check(q, &[x], "2^x", |v| 2f64.powf(v[0] + 2.0) / 4.0);
    let minus_one = t.int(-1);
    let e = t.pool.add(&[x, minus_one]).unwrap();
    let p = t.pool.pow(two, e).unwrap();
    let q = t.pool.mul(&[three, p]).unwrap();
    t.check(q, &[x], "3*2^x/2", |v| 3.0 * 2f64.powf(v[0] - 1.0));
    // Alone, with a symbolic base, or with base 0 (0^(x + 2) is not 0 at
    // x = −3), it stays.
    let e = t.pool.add(&[x, two]).unwrap();
    let p = t.pool.pow(two, e).unwrap();
    assert_eq!(t.pool.simplify(p).unwrap(), p);
    for base in [y, t.int(0)] {
        let p = t.pool.pow(base, e).unwrap();
        let q = t.pool.div(p, four).unwrap();
        assert_eq!(t.pool.simplify(q).unwrap(), q);
    }
}

#[test]
fn double_angles_are_folded_as_sympy_does() {
    let mut t = T::new();
    let (x, y) = (t.sym("x"), t.sym("y"));
    let f = |t: &mut T, f: Func, a: ExprId| t.pool.apply(f, a).unwrap();
    let (s, c) = (f(&mut t, Func::Sin, x), f(&mut t, Func::Cos, x));
    let (two, three) = (t.int(2), t.int(3));
    let e = t.pool.mul(&[two, s, c, y]).unwrap();
    t.check(e, &[x, y], "y*sin(2*x)", |v| {
        2.0 * v[0].sin() * v[0].cos() * v[1]
    });
    // 3⋅cos²(x) − 3⋅sin²(x) + y.
    let (s2, c2) = (t.pool.pow(s, two).unwrap(), t.pool.pow(c, two).unwrap());
    let (a, b) = (
        t.pool.mul(&[three, c2]).unwrap(),
        t.pool.mul(&[three, s2]).unwrap(),
    );
    let d = t.pool.sub(a, b).unwrap();
    let e = t.pool.add(&[d, y]).unwrap();
    t.check(e, &[x, y], "y + 3*cos(2*x)", |v| {
        3.0 * v[0].cos().powi(2) - 3.0 * v[0].sin().powi(2) + v[1]
    });
    // Other arguments, or a sum of the squares with one sign, are left to
    // the other rules.
    let cy = f(&mut t, Func::Cos, y);
    let e = t.pool.mul(&[s, cy]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
    let e = t.pool.add(&[a, b, y]).unwrap();
    t.check(e, &[x, y], "y + 3", |v| 3.0 + v[1]);
    // Fourth powers: sin⁴(x) − cos⁴(x) = (sin² − cos²)(sin² + cos²) is
    // −cos(2⋅x), as SymPy's simplify gives; y⋅cos⁴(x) − y⋅sin⁴(x) is
    // y⋅cos(2⋅x). A sum of them stays.
    let four = t.int(4);
    let (s4, c4) = (t.pool.pow(s, four).unwrap(), t.pool.pow(c, four).unwrap());
    let e = t.pool.sub(s4, c4).unwrap();
    t.check(e, &[x], "-cos(2*x)", |v| {
        v[0].sin().powi(4) - v[0].cos().powi(4)
    });
    let (a, b) = (t.pool.mul(&[y, c4]).unwrap(), t.pool.mul(&[y, s4]).unwrap());
    let e = t.pool.sub(a, b).unwrap();
    t.check(e, &[x, y], "y*cos(2*x)", |v| {
        v[1] * (v[0].cos().powi(4) - v[0].sin().powi(4))
    });
    let e = t.pool.add(&[s4, c4]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
}

#[test]
fn a_quotient_of_logarithms_of_numbers_that_is_rational_is_that_number() {
    let mut t = T::new();
    let x = t.sym("x");
    let log = |t: &mut T, n: i64| {
        let n = t.int(n);
        t.pool.apply(Func::Log, n).unwrap()
    };
    let (l9, l3, l10) = (log(&mut t, 9), log(&mut t, 3), log(&mut t, 10));
    let q = t.pool.div(l9, l3).unwrap();
    let e = t.pool.mul(&[x, q]).unwrap();
    t.check(e, &[x], "2*x", |v| v[0] * 9f64.ln() / 3f64.ln());
    let q = t.pool.div(l3, l9).unwrap();
    t.check(q, &[x], "1/2", |_| 0.5);
    // log(10)/log(3) is not rational.
    let q = t.pool.div(l10, l3).unwrap();
    assert_eq!(t.pool.simplify(q).unwrap(), q);
}

#[test]
fn sigmoid_and_tanh_are_one_curve_rescaled() {
    let mut t = T::new();
    let (x, y) = (t.sym("x"), t.sym("y"));
    let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
    let (two, three, half) = (t.int(2), t.int(3), t.pool.rational(1, 2).unwrap());
    // tanh(x/2)/2 + 1/2 is σ(x).
    let x_half = t.pool.mul(&[half, x]).unwrap();
    let th = t.pool.apply(Func::Tanh, x_half).unwrap();
    let scaled = t.pool.mul(&[half, th]).unwrap();
    let e = t.pool.add(&[scaled, half]).unwrap();
    t.check(e, &[x], "sigmoid(x)", |v| (v[0] / 2.0).tanh() / 2.0 + 0.5);
    // 3⋅tanh(x/2) − 3 + y is y − 6⋅σ(−x).
    let scaled = t.pool.mul(&[three, th]).unwrap();
    let minus_three = t.int(-3);
    let e = t.pool.add(&[scaled, minus_three, y]).unwrap();
    t.check(e, &[x, y], "y - 6*sigmoid(-x)", |v| {
        3.0 * (v[0] / 2.0).tanh() - 3.0 + v[1]
    });
    // 2⋅σ(2⋅x) − 1 is tanh(x).
    let two_x = t.pool.mul(&[two, x]).unwrap();
    let s = t.pool.apply(Func::Sigmoid, two_x).unwrap();
    let scaled = t.pool.mul(&[two, s]).unwrap();
    let minus_one = t.int(-1);
    let e = t.pool.add(&[scaled, minus_one]).unwrap();
    t.check(e, &[x], "tanh(x)", |v| 2.0 * sigmoid(2.0 * v[0]) - 1.0);
    // Where the argument would grow (σ(x) − 1/2 as tanh(x/2)/2, 1 + tanh(x)
    // as 2⋅σ(2⋅x)), or the number does not match, the sum stays.
    let s = t.pool.apply(Func::Sigmoid, x).unwrap();
    let minus_half = t.pool.rational(-1, 2).unwrap();
    let e = t.pool.add(&[s, minus_half]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
    let one = t.int(1);
    let tx = t.pool.apply(Func::Tanh, x).unwrap();
    let e = t.pool.add(&[one, tx]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
    let e = t.pool.add(&[scaled, minus_half]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
}

#[test]
fn exponentials_of_opposite_arguments_are_hyperbolic_functions() {
    let mut t = T::new();
    let (x, y) = (t.sym("x"), t.sym("y"));
    let (three, half) = (t.int(3), t.pool.rational(1, 2).unwrap());
    let minus_x = t.pool.neg(x).unwrap();
    let (ex, emx) = (
        t.pool.apply(Func::Exp, x).unwrap(),
        t.pool.apply(Func::Exp, minus_x).unwrap(),
    );
    // (ℯˣ + ℯ⁻ˣ)/2 is cosh(x), ℯ⁻ˣ − ℯˣ is −2⋅sinh(x).
    let sum = t.pool.add(&[ex, emx]).unwrap();
    let e = t.pool.mul(&[half, sum]).unwrap();
    t.check(e, &[x], "cosh(x)", |v| (v[0].exp() + (-v[0]).exp()) / 2.0);
    let e = t.pool.sub(emx, ex).unwrap();
    t.check(e, &[x], "-2*sinh(x)", |v| (-v[0]).exp() - v[0].exp());
    // cosh(x) + sinh(x) is ℯˣ; 3⋅cosh(x) − 3⋅sinh(x) + y is 3⋅ℯ⁻ˣ + y.
    let (ch, sh) = (
        t.pool.apply(Func::Cosh, x).unwrap(),
        t.pool.apply(Func::Sinh, x).unwrap(),
    );
    let e = t.pool.add(&[ch, sh]).unwrap();
    t.check(e, &[x], "exp(x)", |v| v[0].cosh() + v[0].sinh());
    let (a, b) = (
        t.pool.mul(&[three, ch]).unwrap(),
        t.pool.mul(&[three, sh]).unwrap(),
    );
    let d = t.pool.sub(a, b).unwrap();
    let e = t.pool.add(&[d, y]).unwrap();
    t.check(e, &[x, y], "3*exp(-x) + y", |v| {
        3.0 * v[0].cosh() - 3.0 * v[0].sinh() + v[1]
    });
    // Other arguments or coefficients stay.
    let minus_y = t.pool.neg(y).unwrap();
    let emy = t.pool.apply(Func::Exp, minus_y).unwrap();
    let e = t.pool.add(&[ex, emy]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
    let twice = t.pool.mul(&[three, emx]).unwrap();
    let e = t.pool.add(&[ex, twice]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
}

#[test]
fn tanh_squared_plus_one_over_cosh_squared_is_one() {
    let mut t = T::new();
    let (x, y) = (t.sym("x"), t.sym("y"));
    let (two, three, minus_two) = (t.int(2), t.int(3), t.int(-2));
    let th = t.pool.apply(Func::Tanh, x).unwrap();
    let th2 = t.pool.pow(th, two).unwrap();
    let ch = t.pool.apply(Func::Cosh, x).unwrap();
    let sech2 = t.pool.pow(ch, minus_two).unwrap();
    // 3⋅tanh²(x) + 3/cosh²(x) + y is 3 + y.
    let (a, b) = (
        t.pool.mul(&[three, th2]).unwrap(),
        t.pool.mul(&[three, sech2]).unwrap(),
    );
    let e = t.pool.add(&[a, b, y]).unwrap();
    t.check(e, &[x, y], "3 + y", |v| {
        3.0 * v[0].tanh().powi(2) + 3.0 / v[0].cosh().powi(2) + v[1]
    });
    // tanh's derivative less 1/cosh²(x) is 0.
    let d = t.pool.diff(th, x).unwrap();
    let e = t.pool.sub(d, sech2).unwrap();
    t.check(e, &[x], "0", |v| {
        1.0 - v[0].tanh().powi(2) - 1.0 / v[0].cosh().powi(2)
    });
    // Unequal coefficients stay.
    let e = t.pool.add(&[th2, b]).unwrap();
    assert_eq!(t.pool.simplify(e).unwrap(), e);
}
