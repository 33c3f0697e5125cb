//! Derivatives checked against numbers.
//!
//! * Every derivative rule, element-level (`Pool::diff(f, W[i, j])`) and
//!   matrix-level (`Pool::grad(sum(weights .* f), W)`), against central
//!   finite differences of `Pool::evaluate` at random points.
//! * `grad` against element-level `diff` in exact rationals: substituted,
//!   the two must be the very same numbers.
//! * A property test over thousands of random losses built from every
//!   operation: grad = element diff = finite differences.
//!
//! Random numbers come from a tiny splitmix64 generator with fixed seeds, so
//! every run checks the same cases.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;
use symgrad::{
    Axis, Dense, DenseData, Error, ExprId, Func, Node, Num, Pool, PrintOptions, Shape, Span1,
    Values, text,
};

// ---------------------------------------------------------------------------
// Deterministic random numbers
// ---------------------------------------------------------------------------

mod support;
use support::Rng;

/// Where the values of the symbols are drawn from.
#[derive(Clone, Copy, Debug)]
enum Domain {
    /// [-1.5, 1.5].
    Any,
    /// [0.3, 2]: for log, sqrt and fractional powers.
    Positive,
    /// ±[0.2, 1.5]: for abs, relu, sign, step and reciprocals.
    AwayFromZero,
}

impl Domain {
    fn sample(self, rng: &mut Rng) -> f64 {
        match self {
            Domain::Any => rng.uniform(-1.5, 1.5),
            Domain::Positive => rng.uniform(0.3, 2.0),
            Domain::AwayFromZero => {
                let m = rng.uniform(0.2, 1.5);
                if rng.chance(0.5) { m } else { -m }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn sh(rows: usize, cols: usize) -> Shape {
    Shape::new(rows, cols)
}

fn show(pool: &Pool, e: ExprId) -> String {
    text(pool, e, &PrintOptions::default())
}

/// Values for symbols, keyed by the symbol's id.
type Point = HashMap<ExprId, Values>;

/// A random point for the free symbols of `e`.
fn random_point(pool: &Pool, e: ExprId, domain: Domain, rng: &mut Rng) -> Point {
    pool.free_symbols(e)
        .into_iter()
        .map(|s| {
            let shape = pool.shape(s);
            let data = (0..shape.len()).map(|_| domain.sample(rng)).collect();
            (s, Values::new(shape, data).unwrap())
        })
        .collect()
}

/// A dense float matrix (a number when 1×1) with entries in [lo, hi].
fn data(pool: &mut Pool, shape: Shape, rng: &mut Rng, lo: f64, hi: f64) -> ExprId {
    let v = (0..shape.len()).map(|_| rng.uniform(lo, hi)).collect();
    pool.dense(Dense::from_f64(shape, v).unwrap()).unwrap()
}

/// A dense exact integer matrix (a number when 1×1) with entries in lo..=hi.
fn ints(pool: &mut Pool, shape: Shape, rng: &mut Rng, lo: i64, hi: i64) -> ExprId {
    let v = (0..shape.len())
        .map(|_| Num::int(rng.int(lo, hi)))
        .collect();
    pool.dense(Dense::new(shape, DenseData::Exact(v)).unwrap())
        .unwrap()
}

/// Central differences of every element of `f` by element (i, j) of the
/// symbol `sym`, with step `h`: the actual (representable) step is used.
fn central(
    pool: &Pool,
    f: ExprId,
    at: &Point,
    sym: ExprId,
    (i, j): (usize, usize),
    h: f64,
) -> Option<Vec<f64>> {
    let k = i * pool.shape(sym).cols + j;
    let x = at[&sym].data[k];
    let (xp, xm) = (x + h, x - h);
    let eval_at = |v: f64| {
        let mut p = at.clone();
        p.get_mut(&sym).unwrap().data[k] = v;
        pool.evaluate(f, &p).ok()
    };
    let (plus, minus) = (eval_at(xp)?, eval_at(xm)?);
    Some(
        plus.data
            .iter()
            .zip(&minus.data)
            .map(|(a, b)| (a - b) / (xp - xm))
            .collect(),
    )
}

/// A finite-difference derivative of each element of `f` with an estimate of
/// its own error (the change from step h to step 2h).
struct Fd {
    value: Vec<f64>,
    error: Vec<f64>,
}

const H: f64 = 1e-6;

fn finite_difference(
    pool: &Pool,
    f: ExprId,
    at: &Point,
    sym: ExprId,
    ij: (usize, usize),
) -> Option<Fd> {
    let d1 = central(pool, f, at, sym, ij, H)?;
    let d2 = central(pool, f, at, sym, ij, 2.0 * H)?;
    let error = d1.iter().zip(&d2).map(|(a, b)| (a - b).abs()).collect();
    Some(Fd { value: d1, error })
}

/// An analytic derivative agrees with a finite difference: relative 1e-6,
/// an absolute floor of 1e-6, plus twice the finite difference's own error.
fn agrees_with_fd(exact: f64, fd: f64, fd_error: f64) -> bool {
    (exact - fd).abs() <= 1e-6 * exact.abs().max(fd.abs()) + 1e-6 + 2.0 * fd_error
}

fn all_finite(v: &Values) -> bool {
    v.data.iter().all(|x| x.is_finite())
}

// ---------------------------------------------------------------------------
// The derivative rules, one by one
// ---------------------------------------------------------------------------

/// The symbols the rule cases are built from.
struct Syms {
    /// 2×3.
    w: ExprId,
    /// A scalar.
    s: ExprId,
    /// 2×1 (broadcasts over the columns of W).
    c: ExprId,
    /// 1×3 (broadcasts over the rows of W).
    r: ExprId,
    /// 2×2 (square).
    q: ExprId,
    /// Data: 3×2, 2×2, 2×3 away from zero, 3×3, 1×2.
    d32: ExprId,
    d22: ExprId,
    d23: ExprId,
    d33: ExprId,
}

fn syms(pool: &mut Pool) -> Syms {
    let mut rng = Rng::new(7);
    let d23 = {
        let v = (0..6)
            .map(|_| Domain::AwayFromZero.sample(&mut rng))
            .collect();
        pool.dense(Dense::from_f64(sh(2, 3), v).unwrap()).unwrap()
    };
    Syms {
        w: pool.symbol("W", sh(2, 3)).unwrap(),
        s: pool.symbol("s", Shape::SCALAR).unwrap(),
        c: pool.symbol("c", sh(2, 1)).unwrap(),
        r: pool.symbol("r", sh(1, 3)).unwrap(),
        q: pool.symbol("Q", sh(2, 2)).unwrap(),
        d32: data(pool, sh(3, 2), &mut rng, -1.0, 1.0),
        d22: data(pool, sh(2, 2), &mut rng, -1.0, 1.0),
        d23,
        d33: data(pool, sh(3, 3), &mut rng, -1.0, 1.0),
    }
}

type Build = fn(&mut Pool, &Syms) -> symgrad::Result<ExprId>;

struct Case {
    name: &'static str,
    domain: Domain,
    build: Build,
}

const fn case(name: &'static str, domain: Domain, build: Build) -> Case {
    Case {
        name,
        domain,
        build,
    }
}

/// Checks every case at a few random points: the element derivatives of f
/// by each element of each of its symbols, and the gradient of a random
/// weighting of f, against finite differences. Panics listing every failure.
fn check_cases(cases: &[Case], seed: u64) {
    let mut rng = Rng::new(seed);
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases {
        let mut pool = Pool::new();
        let s = syms(&mut pool);
        let f = (case.build)(&mut pool, &s)
            .unwrap_or_else(|e| panic!("{}: building the expression failed: {e}", case.name));
        for _ in 0..4 {
            let at = random_point(&pool, f, case.domain, &mut rng);
            checked += check_at(&mut pool, f, &at, &mut rng, case.name, &mut failures);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} derivatives disagree with finite differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One point of [`check_cases`]; returns the number of derivatives checked.
fn check_at(
    pool: &mut Pool,
    f: ExprId,
    at: &Point,
    rng: &mut Rng,
    name: &str,
    failures: &mut Vec<String>,
) -> usize {
    let fshape = pool.shape(f);
    let f0 = pool.evaluate(f, at).unwrap();
    assert!(all_finite(&f0), "{name}: f is not finite at the point");
    let weights = data(pool, fshape, rng, -1.0, 1.0);
    let weighted = pool.mul(&[weights, f]).unwrap();
    let loss = pool.sum(weighted, Axis::All).unwrap();
    let wv = pool.evaluate(weights, &HashMap::new()).unwrap();
    let mut checked = 0;
    for sym in pool.free_symbols(f) {
        let sshape = pool.shape(sym);
        let sname = show(pool, sym);
        let g = match pool.grad(loss, sym) {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{name}: grad by {sname} failed: {e}"));
                continue;
            }
        };
        let gv = pool.evaluate(g, at).unwrap();
        assert_eq!(
            gv.shape, sshape,
            "{name}: grad by {sname} has the wrong shape"
        );
        for i in 0..sshape.rows {
            for j in 0..sshape.cols {
                let x = pool.element(sym, i, j).unwrap();
                let xname = show(pool, x);
                let fd = finite_difference(pool, f, at, sym, (i, j)).unwrap();
                let d = match pool.diff(f, x) {
                    Ok(d) => d,
                    Err(e) => {
                        failures.push(format!("{name}: diff by {xname} failed: {e}"));
                        continue;
                    }
                };
                let dv = pool.evaluate(d, at).unwrap();
                assert_eq!(
                    dv.shape, fshape,
                    "{name}: diff by {xname} has the wrong shape"
                );
                for k in 0..fshape.len() {
                    checked += 1;
                    if !agrees_with_fd(dv.data[k], fd.value[k], fd.error[k]) {
                        failures.push(format!(
                            "{name}: element {k} of diff(f, {xname}) = {} but finite differences give {} (f = {}, diff = {})",
                            dv.data[k],
                            fd.value[k],
                            show(pool, f),
                            show(pool, d)
                        ));
                    }
                }
                let fd_loss: f64 = wv.data.iter().zip(&fd.value).map(|(w, d)| w * d).sum();
                let fd_err: f64 = wv
                    .data
                    .iter()
                    .zip(&fd.error)
                    .map(|(w, e)| w.abs() * e)
                    .sum();
                checked += 1;
                if !agrees_with_fd(gv.get(i, j), fd_loss, fd_err) {
                    failures.push(format!(
                        "{name}: grad(sum(weights .* f), {sname})[{i}, {j}] = {} but finite differences give {fd_loss} (f = {}, grad = {})",
                        gv.get(i, j),
                        show(pool, f),
                        show(pool, g)
                    ));
                }
            }
        }
    }
    checked
}

fn half(p: &mut Pool) -> symgrad::Result<ExprId> {
    p.rational(1, 2)
}

fn one_plus_square(p: &mut Pool, x: ExprId) -> symgrad::Result<ExprId> {
    let two = p.int(2)?;
    let sq = p.pow(x, two)?;
    let one = p.int(1)?;
    p.add(&[one, sq])
}

#[test]
fn elementwise_functions_match_finite_differences() {
    use Domain::*;
    let cases = [
        case("exp", Any, |p, s| p.apply(Func::Exp, s.w)),
        case("log", Positive, |p, s| p.apply(Func::Log, s.w)),
        case("abs", AwayFromZero, |p, s| p.apply(Func::Abs, s.w)),
        case("tanh", Any, |p, s| p.apply(Func::Tanh, s.w)),
        case("sigmoid", Any, |p, s| p.apply(Func::Sigmoid, s.w)),
        case("softplus", Any, |p, s| p.apply(Func::Softplus, s.w)),
        case("relu", AwayFromZero, |p, s| p.apply(Func::Relu, s.w)),
        case("sign", AwayFromZero, |p, s| {
            let g = p.apply(Func::Sign, s.w)?;
            p.mul(&[g, s.w])
        }),
        case("step", AwayFromZero, |p, s| {
            let g = p.apply(Func::Step, s.w)?;
            p.mul(&[g, s.w])
        }),
        case("sqrt", Positive, |p, s| p.sqrt(s.w)),
        case("log of a scalar", Positive, |p, s| p.apply(Func::Log, s.s)),
        case("tanh of a scalar times W", Any, |p, s| {
            let x = p.mul(&[s.s, s.w])?;
            p.apply(Func::Tanh, x)
        }),
        case("composition", Any, |p, s| {
            let t = p.apply(Func::Tanh, s.w)?;
            let e = p.apply(Func::Exp, t)?;
            let sp = p.apply(Func::Softplus, e)?;
            p.apply(Func::Sigmoid, sp)
        }),
        case("log(1 + exp(W))", Any, |p, s| {
            let e = p.apply(Func::Exp, s.w)?;
            let one = p.int(1)?;
            let a = p.add(&[one, e])?;
            p.apply(Func::Log, a)
        }),
        case("1/(1 + exp(W))", Any, |p, s| {
            let e = p.apply(Func::Exp, s.w)?;
            let one = p.int(1)?;
            let a = p.add(&[one, e])?;
            p.div(one, a)
        }),
        case("log(1 - sigmoid(W))", Any, |p, s| {
            let sg = p.apply(Func::Sigmoid, s.w)?;
            let one = p.int(1)?;
            let a = p.sub(one, sg)?;
            p.apply(Func::Log, a)
        }),
        case("log(sigmoid(W))", Any, |p, s| {
            let sg = p.apply(Func::Sigmoid, s.w)?;
            p.apply(Func::Log, sg)
        }),
    ];
    check_cases(&cases, 1);
}

#[test]
fn powers_and_quotients_match_finite_differences() {
    use Domain::*;
    let cases = [
        case("W.^2", Any, |p, s| {
            let n = p.int(2)?;
            p.pow(s.w, n)
        }),
        case("W.^3", Any, |p, s| {
            let n = p.int(3)?;
            p.pow(s.w, n)
        }),
        case("W.^-1", AwayFromZero, |p, s| {
            let n = p.int(-1)?;
            p.pow(s.w, n)
        }),
        case("W.^-2", AwayFromZero, |p, s| {
            let n = p.int(-2)?;
            p.pow(s.w, n)
        }),
        case("W.^(1/2)", Positive, |p, s| {
            let n = half(p)?;
            p.pow(s.w, n)
        }),
        case("W.^(3/2)", Positive, |p, s| {
            let n = p.rational(3, 2)?;
            p.pow(s.w, n)
        }),
        case("W.^(-1/3)", Positive, |p, s| {
            let n = p.rational(-1, 3)?;
            p.pow(s.w, n)
        }),
        case("W.^0.7", Positive, |p, s| {
            let n = p.float(0.7)?;
            p.pow(s.w, n)
        }),
        case("W.^s (variable exponent)", Positive, |p, s| p.pow(s.w, s.s)),
        case("s^s", Positive, |p, s| p.pow(s.s, s.s)),
        case("2^s", Any, |p, s| {
            let two = p.int(2)?;
            p.pow(two, s.s)
        }),
        case("W ./ data", Any, |p, s| p.div(s.w, s.d23)),
        case("data ./ W", AwayFromZero, |p, s| p.div(s.d23, s.w)),
        case("W / s", AwayFromZero, |p, s| p.div(s.w, s.s)),
        case("s / W", AwayFromZero, |p, s| p.div(s.s, s.w)),
        case("exp(W) ./ (1 + W.^2)", Any, |p, s| {
            let e = p.apply(Func::Exp, s.w)?;
            let d = one_plus_square(p, s.w)?;
            p.div(e, d)
        }),
        case("(W + data)^2 ./ W", AwayFromZero, |p, s| {
            let a = p.add(&[s.w, s.d23])?;
            let two = p.int(2)?;
            let a2 = p.pow(a, two)?;
            p.div(a2, s.w)
        }),
    ];
    check_cases(&cases, 2);
}

#[test]
fn sums_and_products_match_finite_differences() {
    use Domain::*;
    let cases = [
        case("W + data", Any, |p, s| p.add(&[s.w, s.d23])),
        case("W - W.*W", Any, |p, s| {
            let sq = p.mul(&[s.w, s.w])?;
            p.sub(s.w, sq)
        }),
        case("W .* data", Any, |p, s| p.mul(&[s.w, s.d23])),
        case("s * W", Any, |p, s| p.mul(&[s.s, s.w])),
        case("s .* W .* exp(W) .* data", Any, |p, s| {
            let e = p.apply(Func::Exp, s.w)?;
            p.mul(&[s.s, s.w, e, s.d23])
        }),
        case("W + s - 3", Any, |p, s| {
            let three = p.int(3)?;
            let a = p.add(&[s.w, s.s])?;
            p.sub(a, three)
        }),
        case("(W + s) .* (W - s)", Any, |p, s| {
            let a = p.add(&[s.w, s.s])?;
            let b = p.sub(s.w, s.s)?;
            p.mul(&[a, b])
        }),
        case("-W", Any, |p, s| p.neg(s.w)),
    ];
    check_cases(&cases, 3);
}

#[test]
fn matrix_products_and_transposes_match_finite_differences() {
    use Domain::*;
    let cases = [
        case("W * data (2×2)", Any, |p, s| p.matmul(s.w, s.d32)),
        case("data * W (2×3)", Any, |p, s| p.matmul(s.d22, s.w)),
        case("W * W'", Any, |p, s| {
            let t = p.transpose(s.w)?;
            p.matmul(s.w, t)
        }),
        case("W' * W", Any, |p, s| {
            let t = p.transpose(s.w)?;
            p.matmul(t, s.w)
        }),
        case("W * data * W", Any, |p, s| {
            let a = p.matmul(s.w, s.d32)?;
            p.matmul(a, s.w)
        }),
        case("W * data33 * W'", Any, |p, s| {
            let a = p.matmul(s.w, s.d33)?;
            let t = p.transpose(s.w)?;
            p.matmul(a, t)
        }),
        case("W'", Any, |p, s| p.transpose(s.w)),
        case("(W .* W)'", Any, |p, s| {
            let a = p.mul(&[s.w, s.w])?;
            p.transpose(a)
        }),
        case("tanh(W)' * c", Any, |p, s| {
            let a = p.apply(Func::Tanh, s.w)?;
            let t = p.transpose(a)?;
            p.matmul(t, s.c)
        }),
        case("Q^2", Any, |p, s| {
            let n = p.int(2)?;
            p.power(s.q, n)
        }),
        case("Q^3", Any, |p, s| {
            let n = p.int(3)?;
            p.power(s.q, n)
        }),
        case("(W * W')^2", Any, |p, s| {
            let t = p.transpose(s.w)?;
            let a = p.matmul(s.w, t)?;
            let n = p.int(2)?;
            p.power(a, n)
        }),
        case("Q * Q'", Any, |p, s| {
            let t = p.transpose(s.q)?;
            p.matmul(s.q, t)
        }),
    ];
    check_cases(&cases, 4);
}

#[test]
fn reductions_softmax_and_logsumexp_match_finite_differences() {
    use Domain::*;
    let cases = [
        case("sum(W .* W)", Any, |p, s| {
            let a = p.mul(&[s.w, s.w])?;
            p.sum(a, Axis::All)
        }),
        case("sum(exp(W), 1)", Any, |p, s| {
            let a = p.apply(Func::Exp, s.w)?;
            p.sum(a, Axis::Cols)
        }),
        case("sum(exp(W), 2)", Any, |p, s| {
            let a = p.apply(Func::Exp, s.w)?;
            p.sum(a, Axis::Rows)
        }),
        case("mean(W.^3)", Any, |p, s| {
            let n = p.int(3)?;
            let a = p.pow(s.w, n)?;
            p.mean(a, Axis::All)
        }),
        case("mean(tanh(W), 1)", Any, |p, s| {
            let a = p.apply(Func::Tanh, s.w)?;
            p.mean(a, Axis::Cols)
        }),
        case("mean(tanh(W), 2)", Any, |p, s| {
            let a = p.apply(Func::Tanh, s.w)?;
            p.mean(a, Axis::Rows)
        }),
        case("softmax(W, 1)", Any, |p, s| p.softmax(s.w, Axis::Cols)),
        case("softmax(W, 2)", Any, |p, s| p.softmax(s.w, Axis::Rows)),
        case("softmax(W * data + c)", Any, |p, s| {
            let a = p.matmul(s.w, s.d32)?;
            let b = p.add(&[a, s.c])?;
            p.softmax(b, Axis::Cols)
        }),
        case("log(softmax(W, 1))", Any, |p, s| {
            let a = p.softmax(s.w, Axis::Cols)?;
            p.apply(Func::Log, a)
        }),
        case("log(softmax(W, 2))", Any, |p, s| {
            let a = p.softmax(s.w, Axis::Rows)?;
            p.apply(Func::Log, a)
        }),
        case("logsumexp(W)", Any, |p, s| p.logsumexp(s.w, Axis::All)),
        case("logsumexp(W, 1)", Any, |p, s| p.logsumexp(s.w, Axis::Cols)),
        case("logsumexp(W, 2)", Any, |p, s| p.logsumexp(s.w, Axis::Rows)),
        case("logsumexp(s * W .* data, 1)", Any, |p, s| {
            let a = p.mul(&[s.s, s.w, s.d23])?;
            p.logsumexp(a, Axis::Cols)
        }),
        case("log(sum(exp(W)))", Any, |p, s| {
            let a = p.apply(Func::Exp, s.w)?;
            let b = p.sum(a, Axis::All)?;
            p.apply(Func::Log, b)
        }),
    ];
    check_cases(&cases, 5);
}

#[test]
fn trace_diag_and_slices_match_finite_differences() {
    use Domain::*;
    let cases = [
        case("trace(W * W')", Any, |p, s| {
            let t = p.transpose(s.w)?;
            let a = p.matmul(s.w, t)?;
            p.trace(a)
        }),
        case("trace(W' * W)", Any, |p, s| {
            let t = p.transpose(s.w)?;
            let a = p.matmul(t, s.w)?;
            p.trace(a)
        }),
        case("trace(Q)", Any, |p, s| p.trace(s.q)),
        case("trace(exp(Q) * data)", Any, |p, s| {
            let e = p.apply(Func::Exp, s.q)?;
            let a = p.matmul(e, s.d22)?;
            p.trace(a)
        }),
        case("diag(W * W') (square to column)", Any, |p, s| {
            let t = p.transpose(s.w)?;
            let a = p.matmul(s.w, t)?;
            p.diag(a)
        }),
        case("diag(Q)", Any, |p, s| p.diag(s.q)),
        case("diag(c) (column to square)", Any, |p, s| p.diag(s.c)),
        case("diag(r) (row to square)", Any, |p, s| p.diag(s.r)),
        case("diag(sum(W, 1)) * data33", Any, |p, s| {
            let a = p.sum(s.w, Axis::Cols)?;
            let d = p.diag(a)?;
            p.matmul(d, s.d33)
        }),
        case("diag(tanh(W * data))", Any, |p, s| {
            let a = p.matmul(s.w, s.d32)?;
            let t = p.apply(Func::Tanh, a)?;
            p.diag(t)
        }),
        case("W[:, 0]", Any, |p, s| {
            p.slice(s.w, Span1 { start: 0, end: 2 }, Span1 { start: 0, end: 1 })
        }),
        case("W[1, :]", Any, |p, s| {
            p.slice(s.w, Span1 { start: 1, end: 2 }, Span1 { start: 0, end: 3 })
        }),
        case("W[:, 1:3] .* W[:, 0:2]", Any, |p, s| {
            let rows = Span1 { start: 0, end: 2 };
            let a = p.slice(s.w, rows, Span1 { start: 1, end: 3 })?;
            let b = p.slice(s.w, rows, Span1 { start: 0, end: 2 })?;
            p.mul(&[a, b])
        }),
        case("(W' * W)[1:3, 0:2]", Any, |p, s| {
            let t = p.transpose(s.w)?;
            let a = p.matmul(t, s.w)?;
            p.slice(a, Span1 { start: 1, end: 3 }, Span1 { start: 0, end: 2 })
        }),
        case(
            "tanh(W)[0, 2] (an element of an expression)",
            Any,
            |p, s| {
                let t = p.apply(Func::Tanh, s.w)?;
                p.slice(t, Span1 { start: 0, end: 1 }, Span1 { start: 2, end: 3 })
            },
        ),
        case("W[0, 1] * W[1, 2] (elements)", Any, |p, s| {
            let a = p.element(s.w, 0, 1)?;
            let b = p.element(s.w, 1, 2)?;
            p.mul(&[a, b])
        }),
    ];
    check_cases(&cases, 6);
}

#[test]
fn broadcasting_matches_finite_differences() {
    use Domain::*;
    let cases = [
        case("W + c (m×1 over columns)", Any, |p, s| p.add(&[s.w, s.c])),
        case("W + r (1×n over rows)", Any, |p, s| p.add(&[s.w, s.r])),
        case("c + r (outer sum)", Any, |p, s| p.add(&[s.c, s.r])),
        case("W .* c", Any, |p, s| p.mul(&[s.w, s.c])),
        case("W .* r", Any, |p, s| p.mul(&[s.w, s.r])),
        case("c .* r (outer product)", Any, |p, s| p.mul(&[s.c, s.r])),
        case("W ./ c", AwayFromZero, |p, s| p.div(s.w, s.c)),
        case("r ./ W", AwayFromZero, |p, s| p.div(s.r, s.w)),
        case("exp(W + c + r + s)", Any, |p, s| {
            let a = p.add(&[s.w, s.c, s.r, s.s])?;
            p.apply(Func::Exp, a)
        }),
        case("tanh(W * data + c)", Any, |p, s| {
            let a = p.matmul(s.w, s.d32)?;
            let b = p.add(&[a, s.c])?;
            p.apply(Func::Tanh, b)
        }),
        case("c.^r", Positive, |p, s| p.pow(s.c, s.r)),
        case("s - W", Any, |p, s| p.sub(s.s, s.w)),
    ];
    check_cases(&cases, 7);
}

#[test]
fn explicit_matrices_match_finite_differences() {
    use Domain::*;
    let cases = [
        case("[[W00 * W01, s], [exp(W12), 1]]", Any, |p, s| {
            let (a, b, c) = (
                p.element(s.w, 0, 0)?,
                p.element(s.w, 0, 1)?,
                p.element(s.w, 1, 2)?,
            );
            let ab = p.mul(&[a, b])?;
            let ec = p.apply(Func::Exp, c)?;
            let one = p.int(1)?;
            p.matrix(sh(2, 2), vec![ab, s.s, ec, one])
        }),
        case("[[W00, W11]] * W", Any, |p, s| {
            let (a, b) = (p.element(s.w, 0, 0)?, p.element(s.w, 1, 1)?);
            let m = p.matrix(sh(1, 2), vec![a, b])?;
            p.matmul(m, s.w)
        }),
        case("softmax([W00, s, W12])", Any, |p, s| {
            let (a, b) = (p.element(s.w, 0, 0)?, p.element(s.w, 1, 2)?);
            let m = p.matrix(sh(3, 1), vec![a, s.s, b])?;
            p.softmax(m, Axis::Cols)
        }),
        case("logsumexp([W00, s, W12])", Any, |p, s| {
            let (a, b) = (p.element(s.w, 0, 0)?, p.element(s.w, 1, 2)?);
            let m = p.matrix(sh(3, 1), vec![a, s.s, b])?;
            p.logsumexp(m, Axis::All)
        }),
    ];
    check_cases(&cases, 8);
}

/// With more than 1000 matrix elements `diff` works on the matrix form
/// (forward mode over whole matrices) instead of the element view.
#[test]
fn large_data_uses_the_matrix_form_and_still_matches() {
    let mut pool = Pool::new();
    let mut rng = Rng::new(9);
    let x = data(&mut pool, sh(40, 30), &mut rng, -0.3, 0.3);
    let w = pool.symbol("W", sh(1, 30)).unwrap();
    let b = pool.symbol("b", Shape::SCALAR).unwrap();
    let wt = pool.transpose(w).unwrap();
    let z = pool.matmul(x, wt).unwrap();
    let zb = pool.add(&[z, b]).unwrap();
    let t = pool.apply(Func::Tanh, zb).unwrap();
    let sm = pool.softmax(t, Axis::Cols).unwrap();
    let l = pool.apply(Func::Log, sm).unwrap();
    let f = pool.sum(l, Axis::All).unwrap();
    let mut failures = Vec::new();
    let at = random_point(&pool, f, Domain::Any, &mut rng);
    let g = pool.grad(f, w).unwrap();
    let gv = pool.evaluate(g, &at).unwrap();
    for j in [0, 7, 29] {
        let x = pool.element(w, 0, j).unwrap();
        let d = pool.diff(f, x).unwrap();
        let dv = pool.evaluate(d, &at).unwrap().data[0];
        let fd = finite_difference(&pool, f, &at, w, (0, j)).unwrap();
        if !agrees_with_fd(dv, fd.value[0], fd.error[0]) {
            failures.push(format!("diff by W[0, {j}]: {dv} vs {}", fd.value[0]));
        }
        if !agrees_with_fd(gv.get(0, j), fd.value[0], fd.error[0]) {
            failures.push(format!("grad[0, {j}]: {} vs {}", gv.get(0, j), fd.value[0]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn jacobian_and_hessian_match_finite_differences() {
    let mut pool = Pool::new();
    let x = pool.symbol("x", Shape::SCALAR).unwrap();
    let y = pool.symbol("y", Shape::SCALAR).unwrap();
    // F = [x²⋅y, exp(x)⋅tanh(y)] and f = x³⋅y + x⋅log(1 + y²).
    let two = pool.int(2).unwrap();
    let x2 = pool.pow(x, two).unwrap();
    let f0 = pool.mul(&[x2, y]).unwrap();
    let ex = pool.apply(Func::Exp, x).unwrap();
    let ty = pool.apply(Func::Tanh, y).unwrap();
    let f1 = pool.mul(&[ex, ty]).unwrap();
    let big_f = pool.matrix(sh(2, 1), vec![f0, f1]).unwrap();
    let vars = [x, y];
    let jac = pool.jacobian(big_f, &vars).unwrap();
    assert_eq!(pool.shape(jac), sh(2, 2));
    let three = pool.int(3).unwrap();
    let x3 = pool.pow(x, three).unwrap();
    let a = pool.mul(&[x3, y]).unwrap();
    let oy = one_plus_square(&mut pool, y).unwrap();
    let loy = pool.apply(Func::Log, oy).unwrap();
    let b = pool.mul(&[loy, x]).unwrap();
    let f = pool.add(&[a, b]).unwrap();
    let hes = pool.hessian(f, &vars).unwrap();
    assert_eq!(pool.shape(hes), sh(2, 2));
    let grad_col = {
        let gx = pool.diff(f, x).unwrap();
        let gy = pool.diff(f, y).unwrap();
        pool.matrix(sh(2, 1), vec![gx, gy]).unwrap()
    };
    let mut rng = Rng::new(10);
    for _ in 0..5 {
        let at: Point = [x, y]
            .iter()
            .map(|&s| (s, Values::scalar(rng.uniform(-1.0, 1.0))))
            .collect();
        for (m, of) in [(jac, big_f), (hes, grad_col)] {
            let mv = pool.evaluate(m, &at).unwrap();
            for (j, &v) in vars.iter().enumerate() {
                let fd = finite_difference(&pool, of, &at, v, (0, 0)).unwrap();
                for i in 0..2 {
                    assert!(
                        agrees_with_fd(mv.get(i, j), fd.value[i], fd.error[i]),
                        "{}[{i}, {j}] = {} but finite differences give {}",
                        show(&pool, m),
                        mv.get(i, j),
                        fd.value[i]
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// No operation lacks a derivative rule; bad variables are named errors
// ---------------------------------------------------------------------------

/// Every node kind has a forward and a reverse rule (diff.rs, grad.rs), so
/// there is no "no derivative rule" error to provoke. Every elementwise
/// function differentiates; `sign` and `step` have derivative 0 away from 0,
/// and `abs`, `relu` give `sign`, `step`.
#[test]
fn every_function_has_a_derivative() {
    let mut pool = Pool::new();
    let x = pool.symbol("x", Shape::SCALAR).unwrap();
    for f in Func::ALL {
        let fx = pool.apply(f, x).unwrap();
        let d = pool
            .diff(fx, x)
            .unwrap_or_else(|e| panic!("diff({}(x), x) failed: {e}", f.name()));
        let g = pool
            .grad(fx, x)
            .unwrap_or_else(|e| panic!("grad({}(x), x) failed: {e}", f.name()));
        for v in [-0.7, 0.4, 1.3] {
            let real = match f {
                Func::Log => v > 0.0,
                Func::Asin | Func::Acos => v < 1.0,
                _ => true,
            };
            if !real {
                continue;
            }
            let at: Point = [(x, Values::scalar(v))].into_iter().collect();
            let fd = finite_difference(&pool, fx, &at, x, (0, 0)).unwrap();
            for e in [d, g] {
                let got = pool.evaluate(e, &at).unwrap().data[0];
                assert!(
                    agrees_with_fd(got, fd.value[0], fd.error[0]),
                    "d/dx {}(x) at {v}: {} = {got}, finite differences {}",
                    f.name(),
                    show(&pool, e),
                    fd.value[0]
                );
            }
        }
    }
    let zero = pool.int(0).unwrap();
    for (f, df) in [
        (Func::Sign, None),
        (Func::Step, None),
        (Func::Abs, Some(Func::Sign)),
        (Func::Relu, Some(Func::Step)),
    ] {
        let fx = pool.apply(f, x).unwrap();
        let expected = match df {
            Some(g) => pool.apply(g, x).unwrap(),
            None => zero,
        };
        assert_eq!(pool.diff(fx, x).unwrap(), expected, "d/dx {}(x)", f.name());
    }
}

#[test]
fn differentiating_by_a_non_variable_is_a_named_error() {
    let mut pool = Pool::new();
    let x = pool.symbol("x", Shape::SCALAR).unwrap();
    let w = pool.symbol("W", sh(2, 3)).unwrap();
    let ww = pool.mul(&[w, w]).unwrap();
    let f = pool.sum(ww, Axis::All).unwrap();
    let one = pool.int(1).unwrap();
    let x1 = pool.add(&[x, one]).unwrap();
    let msg = |r: symgrad::Result<ExprId>| r.unwrap_err().to_string();
    assert_eq!(
        msg(pool.diff(f, w)),
        "diff by a matrix symbol is its gradient: use grad(f, W)"
    );
    assert_eq!(
        msg(pool.diff(f, x1)),
        "can only differentiate by a symbol or an element W[i, j]"
    );
    assert_eq!(
        msg(pool.grad(f, x1)),
        "grad needs a symbol to differentiate by"
    );
    assert_eq!(
        msg(pool.grad(ww, w)),
        "grad needs a scalar function (use jacobian for a vector), got 2×3"
    );
    assert!(matches!(pool.grad(ww, w), Err(Error::BadShape { .. })));
    // A symbol the expression does not contain gives a zero of its shape.
    let g = pool.grad(f, x).unwrap();
    assert_eq!(g, pool.int(0).unwrap());
    let v = pool.symbol("V", sh(3, 2)).unwrap();
    let g = pool.grad(f, v).unwrap();
    assert_eq!(g, pool.zeros(sh(3, 2)).unwrap());
}

// ---------------------------------------------------------------------------
// Random expressions
// ---------------------------------------------------------------------------

/// Builds random expressions of a requested shape from a 2×3 symbol W, a
/// scalar symbol s, data matrices and every operation. In exact mode only
/// rational operations are used and data is exact, so that substituting an
/// exact W folds the expression to exact numbers.
struct Gen<'a> {
    p: &'a mut Pool,
    rng: &'a mut Rng,
    w: ExprId,
    s: ExprId,
    exact: bool,
    used: &'a mut BTreeMap<&'static str, usize>,
}

type R = symgrad::Result<ExprId>;

impl Gen<'_> {
    fn note(&mut self, op: &'static str) {
        *self.used.entry(op).or_default() += 1;
    }

    fn data(&mut self, shape: Shape) -> R {
        if self.exact || self.rng.chance(0.3) {
            Ok(ints(self.p, shape, self.rng, -3, 3))
        } else {
            Ok(data(self.p, shape, self.rng, -1.0, 1.0))
        }
    }

    fn span(&mut self, len: usize, total: usize) -> Span1 {
        let start = self.rng.below(total - len + 1);
        Span1 {
            start,
            end: start + len,
        }
    }

    fn leaf(&mut self, shape: Shape) -> R {
        let (m, n) = (shape.rows, shape.cols);
        let ws = self.p.shape(self.w);
        loop {
            match self.rng.below(6) {
                0 => {
                    self.note("data");
                    return self.data(shape);
                }
                1 | 2 if m <= ws.rows && n <= ws.cols => {
                    self.note("W or a slice of W");
                    let (rows, cols) = (self.span(m, ws.rows), self.span(n, ws.cols));
                    return self.p.slice(self.w, rows, cols);
                }
                3 if m <= ws.cols && n <= ws.rows => {
                    self.note("W' or a slice of W'");
                    let wt = self.p.transpose(self.w)?;
                    let (rows, cols) = (self.span(m, ws.cols), self.span(n, ws.rows));
                    return self.p.slice(wt, rows, cols);
                }
                4 => {
                    self.note("s");
                    if shape.is_scalar() {
                        return Ok(self.s);
                    }
                    let d = self.data(shape)?;
                    return self.p.mul(&[self.s, d]);
                }
                5 if shape.is_scalar() => {
                    self.note("W[i, j]");
                    let (i, j) = (self.rng.below(ws.rows), self.rng.below(ws.cols));
                    return self.p.element(self.w, i, j);
                }
                _ => {}
            }
        }
    }

    /// An expression of `shape` with at most `depth` levels of operations.
    fn expr(&mut self, shape: Shape, depth: u32) -> R {
        if depth == 0 || self.rng.chance(0.15) {
            return self.leaf(shape);
        }
        let d = depth - 1;
        let (m, n) = (shape.rows, shape.cols);
        loop {
            let op = self.rng.below(24);
            let float_only = matches!(op, 0 | 1 | 2 | 13 | 14 | 15 | 21);
            if self.exact && float_only {
                continue;
            }
            match op {
                0 => {
                    const FUNCS: [Func; 6] = [
                        Func::Exp,
                        Func::Tanh,
                        Func::Sigmoid,
                        Func::Softplus,
                        Func::Abs,
                        Func::Relu,
                    ];
                    let f = FUNCS[self.rng.below(FUNCS.len())];
                    self.note(f.name());
                    let a = self.expr(shape, d)?;
                    return self.p.apply(f, a);
                }
                1 => {
                    let a = self.expr(shape, d)?;
                    let one = self.p.int(1)?;
                    return match self.rng.below(6) {
                        0 => {
                            self.note("log(1 + a.^2)");
                            let b = one_plus_square(self.p, a)?;
                            self.p.apply(Func::Log, b)
                        }
                        1 => {
                            self.note("log(sigmoid(a))");
                            let b = self.p.apply(Func::Sigmoid, a)?;
                            self.p.apply(Func::Log, b)
                        }
                        2 => {
                            self.note("log(1 - sigmoid(a))");
                            let b = self.p.apply(Func::Sigmoid, a)?;
                            let c = self.p.sub(one, b)?;
                            self.p.apply(Func::Log, c)
                        }
                        3 => {
                            self.note("log(1 + exp(a))");
                            let b = self.p.apply(Func::Exp, a)?;
                            let c = self.p.add(&[one, b])?;
                            self.p.apply(Func::Log, c)
                        }
                        4 => {
                            self.note("1/(1 + exp(a))");
                            let b = self.p.apply(Func::Exp, a)?;
                            let c = self.p.add(&[one, b])?;
                            self.p.div(one, c)
                        }
                        _ => {
                            self.note("log(softplus(a))");
                            let b = self.p.apply(Func::Softplus, a)?;
                            self.p.apply(Func::Log, b)
                        }
                    };
                }
                2 => {
                    let a = self.expr(shape, d)?;
                    let b = one_plus_square(self.p, a)?;
                    let e = match self.rng.below(3) {
                        0 => {
                            self.note("sqrt");
                            half(self.p)?
                        }
                        1 => {
                            self.note("power -3/2");
                            self.p.rational(-3, 2)?
                        }
                        _ => {
                            self.note("power 0.7");
                            self.p.float(0.7)?
                        }
                    };
                    return self.p.pow(b, e);
                }
                3 => {
                    self.note("+");
                    let (a, b) = (self.expr(shape, d)?, self.expr(shape, d)?);
                    return self.p.add(&[a, b]);
                }
                4 => {
                    self.note("-");
                    let (a, b) = (self.expr(shape, d)?, self.expr(shape, d)?);
                    return self.p.sub(a, b);
                }
                5 => {
                    self.note(".*");
                    let (a, b) = (self.expr(shape, d)?, self.expr(shape, d)?);
                    return self.p.mul(&[a, b]);
                }
                6 if !shape.is_scalar() => {
                    self.note("scalar * matrix");
                    let (a, b) = (self.expr(Shape::SCALAR, d)?, self.expr(shape, d)?);
                    return self.p.product(a, b);
                }
                7 => {
                    self.note("./");
                    let (a, b) = (self.expr(shape, d)?, self.expr(shape, d)?);
                    let den = one_plus_square(self.p, b)?;
                    return self.p.div(a, den);
                }
                8 => {
                    let a = self.expr(shape, d)?;
                    let k = [2, 3, -1, -2][self.rng.below(4)];
                    self.note(if k > 0 {
                        "integer power"
                    } else {
                        "negative power"
                    });
                    let base = if k > 0 {
                        a
                    } else {
                        one_plus_square(self.p, a)?
                    };
                    let k = self.p.int(k)?;
                    return self.p.pow(base, k);
                }
                9 if m > 1 || n > 1 => {
                    self.note("broadcast");
                    let col = self.expr(Shape::new(m, 1), d)?;
                    let row = self.expr(Shape::new(1, n), d)?;
                    return match self.rng.below(3) {
                        0 => {
                            let a = self.expr(shape, d)?;
                            self.p.add(&[a, col, row])
                        }
                        1 => {
                            let a = self.expr(shape, d)?;
                            self.p.mul(&[a, col])
                        }
                        _ => {
                            let a = self.p.add(&[col, row])?;
                            let b = self.p.mul(&[col, row])?;
                            self.p.sub(a, b)
                        }
                    };
                }
                10 => {
                    self.note("matrix product");
                    let k = 1 + self.rng.below(3);
                    let a = self.expr(Shape::new(m, k), d)?;
                    let b = self.expr(Shape::new(k, n), d)?;
                    // `product` is the language's `*`. `matmul` of two 1×1
                    // operands makes a MatMul node that never folds (see
                    // `matmul_of_two_scalars_is_their_product`).
                    return self.p.product(a, b);
                }
                11 => {
                    self.note("transpose");
                    let a = self.expr(shape.transposed(), d)?;
                    return self.p.transpose(a);
                }
                12 | 13 => {
                    // 12: sum or mean, 13: logsumexp.
                    let r = if op == 13 {
                        "logsumexp"
                    } else if self.rng.chance(0.5) {
                        "sum"
                    } else {
                        "mean"
                    };
                    let (from, axis) = if shape.is_scalar() {
                        let s = Shape::new(1 + self.rng.below(3), 1 + self.rng.below(3));
                        (s, Axis::All)
                    } else if m == 1 {
                        (Shape::new(2 + self.rng.below(2), n), Axis::Cols)
                    } else if n == 1 {
                        (Shape::new(m, 2 + self.rng.below(2)), Axis::Rows)
                    } else {
                        continue;
                    };
                    self.note(r);
                    let a = self.expr(from, d)?;
                    return match r {
                        "sum" => self.p.sum(a, axis),
                        "mean" => self.p.mean(a, axis),
                        _ => self.p.logsumexp(a, axis),
                    };
                }
                14 | 15 if m > 1 || n > 1 => {
                    let axis = if m > 1 && (n == 1 || self.rng.chance(0.5)) {
                        Axis::Cols
                    } else {
                        Axis::Rows
                    };
                    let a = self.expr(shape, d)?;
                    let sm = self.p.softmax(a, axis)?;
                    if op == 14 {
                        self.note("softmax");
                        return Ok(sm);
                    }
                    self.note("log(softmax)");
                    return self.p.apply(Func::Log, sm);
                }
                16 if shape.is_scalar() => {
                    self.note("trace");
                    let k = 2 + self.rng.below(2);
                    let a = self.expr(Shape::new(k, k), d)?;
                    return self.p.trace(a);
                }
                17 if shape.is_scalar() || (m >= 2 && (n == 1 || n == m)) => {
                    if shape.is_scalar() {
                        self.note("diag of a square");
                        let k = 2 + self.rng.below(2);
                        let a = self.expr(Shape::new(k, k), d)?;
                        let dg = self.p.diag(a)?;
                        let i = self.rng.below(k);
                        return self.p.element_of(dg, i, 0);
                    }
                    if n == 1 {
                        self.note("diag of a square");
                        let a = self.expr(Shape::new(m, m), d)?;
                        return self.p.diag(a);
                    }
                    self.note("diag of a vector");
                    let v = if self.rng.chance(0.5) {
                        Shape::new(m, 1)
                    } else {
                        Shape::new(1, m)
                    };
                    let a = self.expr(v, d)?;
                    return self.p.diag(a);
                }
                18 if m < 3 || n < 3 => {
                    self.note("slice");
                    let big = Shape::new(m + self.rng.below(4 - m), n + self.rng.below(4 - n));
                    let a = self.expr(big, d)?;
                    let (rows, cols) = (self.span(m, big.rows), self.span(n, big.cols));
                    return self.p.slice(a, rows, cols);
                }
                19 if m == n && m > 1 => {
                    self.note("matrix power");
                    let a = self.expr(shape, d)?;
                    let k = self.p.int(2 + self.rng.below(2) as i64)?;
                    return self.p.power(a, k);
                }
                20 if !shape.is_scalar() && shape.len() <= 4 => {
                    self.note("explicit matrix");
                    let entries = (0..shape.len())
                        .map(|_| self.expr(Shape::SCALAR, d.saturating_sub(1)))
                        .collect::<symgrad::Result<Vec<_>>>()?;
                    return self.p.matrix(shape, entries);
                }
                21 => {
                    let f = if self.rng.chance(0.5) {
                        Func::Sign
                    } else {
                        Func::Step
                    };
                    self.note(f.name());
                    let (a, b) = (self.expr(shape, d)?, self.expr(shape, d)?);
                    let k = self.p.apply(f, a)?;
                    return self.p.mul(&[k, b]);
                }
                22 => {
                    self.note("negation");
                    let a = self.expr(shape, d)?;
                    return self.p.neg(a);
                }
                23 if shape.is_scalar() => {
                    self.note("element of an expression");
                    let big = Shape::new(1 + self.rng.below(3), 1 + self.rng.below(3));
                    let a = self.expr(big, d)?;
                    let (i, j) = (self.rng.below(big.rows), self.rng.below(big.cols));
                    return self.p.element_of(a, i, j);
                }
                _ => {}
            }
        }
    }
}

/// How a random case ended.
#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    /// Gradient entries checked against finite differences.
    checked_grad: usize,
    /// Of those, also checked against an element diff.
    checked_diff: usize,
    skipped_nonfinite: usize,
    skipped_no_w: usize,
    /// Expressions drawn again because W did not occur in them.
    regenerated: usize,
    fd_unreliable: usize,
    failures: Vec<String>,
}

/// grad vs element diff: they are computed by different routes (reverse
/// mode over matrices, forward mode over elements), so rounding differs.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-8 * (1.0 + a.abs().max(b.abs()))
}

/// One random case of the property test.
fn property_case(seed: u64, tally: &mut Tally, used: &mut BTreeMap<&'static str, usize>) {
    let mut rng = Rng::new(seed);
    let mut pool = Pool::new();
    let w = pool.symbol("W", sh(2, 3)).unwrap();
    let s = pool.symbol("s", Shape::SCALAR).unwrap();
    // Depth 2 to 4, mostly 3: the deepest cases dominate the run time.
    let depth = [2, 3, 3, 3, 3, 4][rng.below(6)];
    let mut generator = Gen {
        p: &mut pool,
        rng: &mut rng,
        w,
        s,
        exact: false,
        used,
    };
    let mut tries = 0;
    let f = loop {
        tries += 1;
        match generator.expr(Shape::SCALAR, depth) {
            Ok(f) if generator.p.free_symbols(f).contains(&w) => break f,
            Ok(_) if tries < 10 => tally.regenerated += 1,
            Ok(_) => {
                tally.skipped_no_w += 1;
                return;
            }
            Err(e) => {
                tally
                    .failures
                    .push(format!("case {seed}: building failed: {e}"));
                return;
            }
        }
    };
    tally.cases += 1;
    let syms = pool.free_symbols(f);
    let at = random_point(&pool, f, Domain::Any, &mut rng);
    let f0 = pool.evaluate(f, &at).unwrap();
    if !all_finite(&f0) {
        tally.skipped_nonfinite += 1;
        return;
    }
    let mut checks = Vec::new();
    for &sym in &syms {
        let sshape = pool.shape(sym);
        let g = match pool.grad(f, sym) {
            Ok(g) => g,
            Err(e) => {
                tally.failures.push(format!(
                    "case {seed}: grad failed: {e}\n  f = {}",
                    show(&pool, f)
                ));
                return;
            }
        };
        let gv = pool.evaluate(g, &at).unwrap();
        // Element diffs are the slow part: every element of the scalar s
        // and a random half of the elements of W (all of them over the run).
        let mut with_diff = vec![true; sshape.len()];
        if sshape.len() > 1 {
            for _ in 0..sshape.len() / 2 {
                let k = rng.below(sshape.len());
                with_diff[k] = false;
            }
        }
        for i in 0..sshape.rows {
            for j in 0..sshape.cols {
                let x = pool.element(sym, i, j).unwrap();
                let diff = if with_diff[i * sshape.cols + j] {
                    let d = match pool.diff(f, x) {
                        Ok(d) => d,
                        Err(e) => {
                            tally.failures.push(format!(
                                "case {seed}: diff by {} failed: {e}\n  f = {}",
                                show(&pool, x),
                                show(&pool, f)
                            ));
                            return;
                        }
                    };
                    Some((d, pool.evaluate(d, &at).unwrap().data[0]))
                } else {
                    None
                };
                let Some(fd) = finite_difference(&pool, f, &at, sym, (i, j)) else {
                    tally.skipped_nonfinite += 1;
                    return;
                };
                checks.push(Check {
                    x,
                    grad: gv.get(i, j),
                    diff,
                    fd: fd.value[0],
                    fd_error: fd.error[0],
                });
            }
        }
    }
    let finite = |c: &Check| {
        c.grad.is_finite() && c.fd.is_finite() && c.diff.is_none_or(|(_, v)| v.is_finite())
    };
    if !checks.iter().all(finite) {
        tally.skipped_nonfinite += 1;
        return;
    }
    for c in checks {
        let xname = show(&pool, c.x);
        let dtext = |pool: &Pool| {
            c.diff
                .map_or("(not computed)".into(), |(d, _)| show(pool, d))
        };
        tally.checked_grad += 1;
        if let Some((_, dv)) = c.diff {
            tally.checked_diff += 1;
            if !close(c.grad, dv) {
                tally.failures.push(format!(
                    "case {seed}: grad gives {} but diff by {xname} gives {dv} (finite differences {})\n  f = {}\n  diff = {}",
                    c.grad,
                    c.fd,
                    show(&pool, f),
                    dtext(&pool)
                ));
                continue;
            }
        }
        if !agrees_with_fd(c.grad, c.fd, c.fd_error) {
            // Finite differences are unreliable near a kink or a pole: then
            // a step 10× smaller gives a visibly different answer.
            let small = finite_difference_at(&pool, f, &at, c.x, H / 10.0);
            if small.is_some_and(|s| (s - c.fd).abs() > 1e-4 * (1.0 + c.fd.abs())) {
                tally.fd_unreliable += 1;
                continue;
            }
            tally.failures.push(format!(
                "case {seed}: grad by {xname} gives {} but finite differences give {} (±{})\n  f = {}\n  diff = {}",
                c.grad,
                c.fd,
                c.fd_error,
                show(&pool, f),
                dtext(&pool)
            ));
        }
    }
}

/// One derivative of a random case, computed three ways.
struct Check {
    x: ExprId,
    grad: f64,
    diff: Option<(ExprId, f64)>,
    fd: f64,
    fd_error: f64,
}

/// The central difference of the scalar `f` by the element `x` (a scalar
/// symbol or W[i, j]) with step `h`.
fn finite_difference_at(pool: &Pool, f: ExprId, at: &Point, x: ExprId, h: f64) -> Option<f64> {
    let (sym, ij) = match pool.node(x) {
        Node::Element { symbol, row, col } => (*symbol, (*row, *col)),
        _ => (x, (0, 0)),
    };
    central(pool, f, at, sym, ij, h).map(|v| v[0])
}

/// Runs the random cases `seeds` and checks the tally. The cases are split
/// over two tests so that they run on two threads.
fn property_test(seeds: std::ops::Range<u64>) {
    let start = Instant::now();
    let mut tally = Tally::default();
    let mut used = BTreeMap::new();
    for seed in seeds.clone() {
        property_case(0x5EED_0000 + seed, &mut tally, &mut used);
    }
    let elapsed = start.elapsed();
    eprintln!(
        "seeds {seeds:?}: {} random losses, {} gradient entries checked against finite differences, \
         {} of them also against element diffs, \
         {} skipped as non-finite, {} drawn again for lack of W, {} skipped for lack of W, \
         {} where finite differences were unreliable, in {elapsed:.2?}",
        tally.cases,
        tally.checked_grad,
        tally.checked_diff,
        tally.skipped_nonfinite,
        tally.regenerated,
        tally.skipped_no_w,
        tally.fd_unreliable
    );
    eprintln!("operations used: {used:?}");
    assert!(
        tally.failures.is_empty(),
        "{} disagreements:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    let n = seeds.end - seeds.start;
    assert!(
        tally.cases as u64 * 100 >= n * 99,
        "too few cases: {tally:?}"
    );
    assert!(
        tally.skipped_nonfinite * 20 < tally.cases,
        "too many non-finite cases: {tally:?}"
    );
    assert!(
        tally.fd_unreliable * 100 < tally.checked_grad,
        "finite differences too often unreliable: {tally:?}"
    );
    for (op, &count) in &used {
        assert!(count >= 10, "operation {op} was used only {count} times");
    }
}

#[test]
fn random_losses_grad_diff_and_finite_differences_agree_part_1() {
    property_test(0..1_000);
}

#[test]
fn random_losses_grad_diff_and_finite_differences_agree_part_2() {
    property_test(1_000..2_000);
}

// ---------------------------------------------------------------------------
// grad = element diff, exactly
// ---------------------------------------------------------------------------

/// A random exact rational matrix with nonzero entries p/q, |p| ≤ 5, q ≤ 4.
fn exact_point(pool: &mut Pool, shape: Shape, rng: &mut Rng) -> ExprId {
    let v = (0..shape.len())
        .map(|_| {
            let mut p = rng.int(-5, 5);
            if p == 0 {
                p = 1;
            }
            Num::ratio(p.into(), rng.int(1, 4).into()).unwrap()
        })
        .collect();
    pool.dense(Dense::new(shape, DenseData::Exact(v)).unwrap())
        .unwrap()
}

/// Checks that grad(f, W) substituted equals diff(f, W[i, j]) substituted,
/// as exact numbers, for every (i, j). Returns a failure message.
fn exact_agreement(pool: &mut Pool, f: ExprId, w: ExprId, m: ExprId) -> Result<(), String> {
    let shape = pool.shape(w);
    let g = pool.grad(f, w).map_err(|e| format!("grad failed: {e}"))?;
    let gs = pool
        .subs(g, &[(w, m)])
        .map_err(|e| format!("subs in grad failed: {e}"))?;
    let entry = |pool: &Pool, i, j| -> Option<Num> {
        match pool.node(gs) {
            Node::Dense(d) if d.is_exact() => Some(d.get(i, j)),
            Node::Num(n) if n.is_exact() => Some(n.clone()),
            _ => None,
        }
    };
    if shape.len() > 1 && !matches!(pool.node(gs), Node::Dense(d) if d.is_exact()) {
        return Err(format!(
            "grad substituted is not an exact matrix: {}",
            show(pool, gs)
        ));
    }
    for i in 0..shape.rows {
        for j in 0..shape.cols {
            let x = pool.element(w, i, j).unwrap();
            let d = pool
                .diff(f, x)
                .map_err(|e| format!("diff by W[{i}, {j}] failed: {e}"))?;
            let ds = pool
                .subs(d, &[(w, m)])
                .map_err(|e| format!("subs in diff failed: {e}"))?;
            let dn = match pool.as_num(ds) {
                Some(n) if n.is_exact() => n.clone(),
                _ => {
                    return Err(format!(
                        "diff by W[{i}, {j}] substituted is not an exact number: {}",
                        show(pool, ds)
                    ));
                }
            };
            let gn = entry(pool, i, j).unwrap();
            if gn != dn {
                return Err(format!(
                    "at W = {}: grad[{i}, {j}] = {} but diff by W[{i}, {j}] = {}\n  grad = {}\n  diff = {}",
                    show(pool, m),
                    show_num(&gn),
                    show_num(&dn),
                    show(pool, g),
                    show(pool, d)
                ));
            }
        }
    }
    Ok(())
}

fn show_num(n: &Num) -> String {
    match n {
        Num::Rat(r) => r.to_string(),
        Num::Float(x) => x.to_string(),
    }
}

#[test]
fn grad_equals_element_diff_exactly_on_fixed_expressions() {
    type ExactBuild = fn(&mut Pool, ExprId, ExprId) -> symgrad::Result<ExprId>;
    // (name, builder of f from W and an exact data matrix D of W's shape)
    let cases: [(&str, ExactBuild); 12] = [
        ("sum(W .* W)", |p, w, _| {
            let a = p.mul(&[w, w])?;
            p.sum(a, Axis::All)
        }),
        ("sum(W ./ (1 + W.*W))", |p, w, _| {
            let d = one_plus_square(p, w)?;
            let a = p.div(w, d)?;
            p.sum(a, Axis::All)
        }),
        ("trace(W * W')", |p, w, _| {
            let t = p.transpose(w)?;
            let a = p.matmul(w, t)?;
            p.trace(a)
        }),
        ("sum(D .* (W * W' * W))", |p, w, d| {
            let t = p.transpose(w)?;
            let a = p.matmul(w, t)?;
            let b = p.matmul(a, w)?;
            let c = p.mul(&[d, b])?;
            p.sum(c, Axis::All)
        }),
        (
            "mean(W.^3) - sum(sum(W, 1).^2) + mean(sum(W, 2).^3)",
            |p, w, _| {
                let three = p.int(3)?;
                let a = p.pow(w, three)?;
                let m = p.mean(a, Axis::All)?;
                let c = p.sum(w, Axis::Cols)?;
                let r = p.sum(w, Axis::Rows)?;
                let cc = p.mul(&[c, c])?;
                let sc = p.sum(cc, Axis::All)?;
                let rr = p.pow(r, three)?;
                let sr = p.mean(rr, Axis::All)?;
                let x = p.sub(m, sc)?;
                p.add(&[x, sr])
            },
        ),
        ("sum(W.^-1) (entries are nonzero)", |p, w, _| {
            let m1 = p.int(-1)?;
            let a = p.pow(w, m1)?;
            p.sum(a, Axis::All)
        }),
        ("W[0, 1] * sum(W) / (1 + W[1, 1]^2)", |p, w, _| {
            let a = p.element(w, 0, 1)?;
            let b = p.element(w, 1, 1)?;
            let s = p.sum(w, Axis::All)?;
            let num = p.mul(&[a, s])?;
            let den = one_plus_square(p, b)?;
            p.div(num, den)
        }),
        ("sum(W[:, 0:2] .* W[:, 1:])", |p, w, _| {
            let cols = p.shape(w).cols;
            let rows = Span1 { start: 0, end: 2 };
            let a = p.slice(
                w,
                rows,
                Span1 {
                    start: 0,
                    end: cols - 1,
                },
            )?;
            let b = p.slice(
                w,
                rows,
                Span1 {
                    start: 1,
                    end: cols,
                },
            )?;
            let c = p.mul(&[a, b])?;
            p.sum(c, Axis::All)
        }),
        ("trace((W * D')^2)", |p, w, d| {
            let t = p.transpose(d)?;
            let a = p.matmul(w, t)?;
            let two = p.int(2)?;
            let b = p.power(a, two)?;
            p.trace(b)
        }),
        ("sum(diag(W * W') ./ (1 + sum(W, 2).^2))", |p, w, _| {
            let t = p.transpose(w)?;
            let a = p.matmul(w, t)?;
            let dg = p.diag(a)?;
            let r = p.sum(w, Axis::Rows)?;
            let den = one_plus_square(p, r)?;
            let q = p.div(dg, den)?;
            p.sum(q, Axis::All)
        }),
        ("1/(1 + trace(W' * W))", |p, w, _| {
            let t = p.transpose(w)?;
            let a = p.matmul(t, w)?;
            let tr = p.trace(a)?;
            let one = p.int(1)?;
            let den = p.add(&[one, tr])?;
            p.div(one, den)
        }),
        ("sum((W + D)' * (W - D)) * mean(W)", |p, w, d| {
            let a = p.add(&[w, d])?;
            let b = p.sub(w, d)?;
            let at = p.transpose(a)?;
            let c = p.matmul(at, b)?;
            let s = p.sum(c, Axis::All)?;
            let m = p.mean(w, Axis::All)?;
            p.mul(&[s, m])
        }),
    ];
    let mut rng = Rng::new(11);
    let mut failures = Vec::new();
    for shape in [sh(2, 2), sh(2, 3)] {
        for (name, build) in cases {
            let mut pool = Pool::new();
            let w = pool.symbol("W", shape).unwrap();
            let d = ints(&mut pool, shape, &mut rng, -3, 3);
            let f = build(&mut pool, w, d).unwrap();
            for _ in 0..3 {
                let m = exact_point(&mut pool, shape, &mut rng);
                if let Err(e) = exact_agreement(&mut pool, f, w, m) {
                    failures.push(format!("{name} ({shape}): {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn grad_equals_element_diff_exactly_on_random_rational_expressions() {
    const CASES: u64 = 400;
    let mut failures = Vec::new();
    let mut used = BTreeMap::new();
    let mut regenerated = 0;
    for seed in 0..CASES {
        let mut rng = Rng::new(0xE8AC_0000 + seed);
        let mut pool = Pool::new();
        let shape = if seed % 2 == 0 { sh(2, 2) } else { sh(2, 3) };
        let w = pool.symbol("W", shape).unwrap();
        let s = pool.symbol("s", Shape::SCALAR).unwrap();
        let three_halves = pool.rational(3, 2).unwrap();
        let depth = 2 + rng.below(2) as u32;
        let mut generator = Gen {
            p: &mut pool,
            rng: &mut rng,
            w,
            s,
            exact: true,
            used: &mut used,
        };
        let f = loop {
            let f = generator
                .expr(Shape::SCALAR, depth)
                .and_then(|f| generator.p.subs(f, &[(s, three_halves)]));
            match f {
                // s is given a number so that only W is left.
                Ok(f) if generator.p.free_symbols(f).contains(&w) => break Ok(f),
                Ok(_) => regenerated += 1,
                Err(e) => break Err(e),
            }
        };
        let f = match f {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("case {seed}: building failed: {e}"));
                continue;
            }
        };
        let m = exact_point(&mut pool, shape, &mut rng);
        if let Err(e) = exact_agreement(&mut pool, f, w, m) {
            failures.push(format!("case {seed}: {e}\n  f = {}", show(&pool, f)));
        }
    }
    eprintln!(
        "{CASES} random rational losses ({regenerated} drawn again for lack of W); operations used: {used:?}"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    for (op, &count) in &used {
        assert!(count >= 5, "operation {op} was used only {count} times");
    }
}

/// The matrix product of two 1×1 operands is their product; with numbers it
/// must fold, as every other operation on numbers does, also after `subs`.
#[test]
fn matmul_of_two_scalars_is_their_product() {
    let mut pool = Pool::new();
    let two = pool.int(2).unwrap();
    let three = pool.int(3).unwrap();
    let six = pool.matmul(two, three).unwrap();
    assert_eq!(show(&pool, six), "6");
    let x = pool.symbol("x", Shape::SCALAR).unwrap();
    let y = pool.symbol("y", Shape::SCALAR).unwrap();
    let xy = pool.matmul(x, y).unwrap();
    assert_eq!(xy, pool.mul(&[x, y]).unwrap());
    let folded = pool.subs(xy, &[(x, two), (y, three)]).unwrap();
    assert_eq!(pool.as_num(folded), Some(&Num::int(6)));
}

/// Losses over a 2×1 vector v whose derivatives by v[0] at v = [1000, -1000]
/// are finite and known: logsumexp(v) → 1, sum(log(softmax(v))) → −1,
/// sum(softmax(v) .* [1, 2]) → 0.
fn large_argument_cases(pool: &mut Pool) -> (ExprId, Point, Vec<(ExprId, f64)>) {
    let v = pool.symbol("v", sh(2, 1)).unwrap();
    let lse = pool.logsumexp(v, Axis::All).unwrap();
    let sm = pool.softmax(v, Axis::Cols).unwrap();
    let lsm = pool.apply(Func::Log, sm).unwrap();
    let sum_lsm = pool.sum(lsm, Axis::All).unwrap();
    let w12 = pool
        .dense(Dense::new(sh(2, 1), DenseData::Exact(vec![Num::int(1), Num::int(2)])).unwrap())
        .unwrap();
    let weighted = pool.mul(&[sm, w12]).unwrap();
    let sum_w = pool.sum(weighted, Axis::All).unwrap();
    let at: Point = [(v, Values::new(sh(2, 1), vec![1000.0, -1000.0]).unwrap())]
        .into_iter()
        .collect();
    (v, at, vec![(lse, 1.0), (sum_lsm, -1.0), (sum_w, 0.0)])
}

/// Evaluates as the language's eval does: in the stable (sigmoid) forms.
fn stable_value(pool: &mut Pool, e: ExprId, at: &Point) -> f64 {
    let stable = pool.stabilise(e).unwrap();
    pool.evaluate(stable, at).unwrap().data[0]
}

#[test]
fn grad_of_logsumexp_and_softmax_is_stable_at_large_arguments() {
    let mut pool = Pool::new();
    let (v, at, cases) = large_argument_cases(&mut pool);
    for (f, expected) in cases {
        let g = pool.grad(f, v).unwrap();
        let stable = pool.stabilise(g).unwrap();
        let got = pool.evaluate(stable, &at).unwrap().data[0];
        assert!(
            (got - expected).abs() < 1e-12,
            "grad({}, v)[0] at [1000, -1000] = {got}, expected {expected}",
            show(&pool, f)
        );
    }
}

#[test]
fn element_diff_of_logsumexp_and_softmax_is_stable_at_large_arguments() {
    let mut pool = Pool::new();
    let (v, at, cases) = large_argument_cases(&mut pool);
    let v0 = pool.element(v, 0, 0).unwrap();
    let mut failures = Vec::new();
    for (f, expected) in cases {
        let d = pool.diff(f, v0).unwrap();
        let got = stable_value(&mut pool, d, &at);
        // NaN must fail too.
        if got.is_nan() || (got - expected).abs() >= 1e-12 {
            failures.push(format!(
                "diff({}, v[0, 0]) at [1000, -1000] = {got}, expected {expected} (diff = {})",
                show(&pool, f),
                show(&pool, d)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `simplify` never returns a larger expression, and neither it nor
/// `expand` changes the value: each is checked against the value of the
/// expression as built, on random expressions of every operation.
#[test]
fn simplify_and_expand_keep_the_value_and_simplify_never_grows() {
    let mut used = BTreeMap::new();
    let (mut checked, mut failures) = (0, Vec::new());
    for seed in 0..400u64 {
        let mut rng = Rng::new(0x5151_0000 + seed);
        let mut pool = Pool::new();
        let w = pool.symbol("W", sh(2, 3)).unwrap();
        let s = pool.symbol("s", Shape::SCALAR).unwrap();
        let mut generator = Gen {
            p: &mut pool,
            rng: &mut rng,
            w,
            s,
            exact: false,
            used: &mut used,
        };
        let Ok(e) = generator.expr(Shape::SCALAR, 3) else {
            continue;
        };
        let at = random_point(&pool, e, Domain::Any, &mut rng);
        let Ok(v) = pool.evaluate(e, &at) else {
            continue;
        };
        if !all_finite(&v) {
            continue;
        }
        let simple = pool.simplify(e).unwrap();
        let expanded = pool.expand(e).unwrap();
        if pool.size(simple) > pool.size(e) {
            failures.push(format!("seed {seed}: simplify grew {}", show(&pool, e)));
        }
        for (name, r) in [("simplify", simple), ("expand", expanded)] {
            let got = pool.evaluate(r, &at).unwrap().data[0];
            if !close(got, v.data[0]) {
                failures.push(format!(
                    "seed {seed}: {name} changed the value {} to {got}: {}",
                    v.data[0],
                    show(&pool, e)
                ));
            }
        }
        checked += 1;
    }
    assert!(checked > 300, "only {checked} expressions checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
