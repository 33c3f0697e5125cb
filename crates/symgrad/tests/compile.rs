//! Compiled evaluation against the interpreter (`Pool::evaluate`, the
//! oracle), against finite differences for gradients, the blocked form
//! against whole matrices, register programs, threads and errors.

use std::collections::HashMap;
use symgrad::{
    Axis, CompileOptions, Dense, DenseData, ExprId, Func, Num, Pool, Reduction, Shape, Span1,
    Values,
};

mod support;
use support::Rng;

fn sh(r: usize, c: usize) -> Shape {
    Shape::new(r, c)
}

type R = symgrad::Result<ExprId>;

/// Random expressions over a 3×2 symbol W, a 2×4 symbol V, a scalar s and
/// data, using every kind of node.
struct Gen<'a> {
    p: &'a mut Pool,
    rng: &'a mut Rng,
    syms: Vec<ExprId>,
}

impl Gen<'_> {
    fn data(&mut self, shape: Shape) -> R {
        if self.rng.below(3) == 0 {
            let v = (0..shape.len())
                .map(|_| Num::int(self.rng.below(7) as i64 - 3))
                .collect();
            self.p.dense(Dense::new(shape, DenseData::Exact(v))?)
        } else {
            let v = (0..shape.len())
                .map(|_| self.rng.uniform(-1.0, 1.0))
                .collect();
            self.p.dense(Dense::from_f64(shape, v)?)
        }
    }

    fn leaf(&mut self, shape: Shape) -> R {
        loop {
            match self.rng.below(5) {
                0 => return self.data(shape),
                1 if shape.is_scalar() => return Ok(self.syms[2]),
                2 => {
                    // A slice of a symbol, or of its transpose.
                    let k = self.rng.below(2);
                    let mut w = self.syms[k];
                    if self.rng.below(2) == 0 {
                        w = self.p.transpose(w)?;
                    }
                    let ws = self.p.shape(w);
                    if shape.rows <= ws.rows && shape.cols <= ws.cols {
                        let r0 = self.rng.below(ws.rows - shape.rows + 1);
                        let c0 = self.rng.below(ws.cols - shape.cols + 1);
                        return self.p.slice(
                            w,
                            Span1 {
                                start: r0,
                                end: r0 + shape.rows,
                            },
                            Span1 {
                                start: c0,
                                end: c0 + shape.cols,
                            },
                        );
                    }
                }
                3 if shape.is_scalar() => {
                    let i = self.rng.below(3);
                    let j = self.rng.below(2);
                    return self.p.element(self.syms[0], i, j);
                }
                4 if shape == sh(3, 2) => return Ok(self.syms[0]),
                _ => {}
            }
        }
    }

    /// `1 + a.^2`, positive.
    fn positive(&mut self, a: ExprId) -> R {
        let (one, two) = (self.p.int(1)?, self.p.int(2)?);
        let sq = self.p.pow(a, two)?;
        self.p.add(&[one, sq])
    }

    fn expr(&mut self, shape: Shape, depth: u32) -> R {
        if depth == 0 || self.rng.below(7) == 0 {
            return self.leaf(shape);
        }
        let d = depth - 1;
        let (m, n) = (shape.rows, shape.cols);
        loop {
            match self.rng.below(20) {
                0 => {
                    let f = Func::ALL[self.rng.below(Func::ALL.len())];
                    let a = self.expr(shape, d)?;
                    let a = if f == Func::Log { self.positive(a)? } else { a };
                    return self.p.apply(f, a);
                }
                1 => {
                    let (a, b) = (self.expr(shape, d)?, self.expr(shape, d)?);
                    return self.p.add(&[a, b]);
                }
                2 => {
                    let (a, b) = (self.expr(shape, d)?, self.expr(shape, d)?);
                    return self.p.mul(&[a, b]);
                }
                3 => {
                    let (a, b) = (self.expr(shape, d)?, self.expr(shape, d)?);
                    let b = self.positive(b)?;
                    return self.p.div(a, b);
                }
                4 => {
                    let a = self.expr(shape, d)?;
                    let a = self.positive(a)?;
                    let e = [self.p.float(0.7)?, self.p.rational(-3, 2)?, self.p.int(3)?]
                        [self.rng.below(3)];
                    return self.p.pow(a, e);
                }
                5 if m > 1 || n > 1 => {
                    let col = self.expr(sh(m, 1), d)?;
                    let row = self.expr(sh(1, n), d)?;
                    let a = self.expr(shape, d)?;
                    return self.p.add(&[a, col, row]);
                }
                6 => {
                    let k = 1 + self.rng.below(3);
                    let (a, b) = (self.expr(sh(m, k), d)?, self.expr(sh(k, n), d)?);
                    return self.p.product(a, b);
                }
                7 => {
                    let a = self.expr(shape.transposed(), d)?;
                    return self.p.transpose(a);
                }
                8 => {
                    let (from, axis) = if shape.is_scalar() {
                        (sh(1 + self.rng.below(3), 1 + self.rng.below(3)), Axis::All)
                    } else if m == 1 {
                        (sh(2 + self.rng.below(2), n), Axis::Cols)
                    } else if n == 1 {
                        (sh(m, 2 + self.rng.below(2)), Axis::Rows)
                    } else {
                        continue;
                    };
                    let a = self.expr(from, d)?;
                    return match self.rng.below(3) {
                        0 => self.p.sum(a, axis),
                        1 => self.p.mean(a, axis),
                        _ => self.p.logsumexp(a, axis),
                    };
                }
                9 if m > 1 || n > 1 => {
                    let axis = if m > 1 && (n == 1 || self.rng.below(2) == 0) {
                        Axis::Cols
                    } else {
                        Axis::Rows
                    };
                    let a = self.expr(shape, d)?;
                    let sm = self.p.softmax(a, axis)?;
                    if self.rng.below(2) == 0 {
                        return Ok(sm);
                    }
                    return self.p.apply(Func::Log, sm);
                }
                10 if shape.is_scalar() => {
                    let k = 2 + self.rng.below(2);
                    let a = self.expr(sh(k, k), d)?;
                    return self.p.trace(a);
                }
                11 if m >= 2 && (n == 1 || n == m) => {
                    let from = if n == 1 { sh(m, m) } else { sh(m, 1) };
                    let a = self.expr(from, d)?;
                    return self.p.diag(a);
                }
                12 if m < 3 || n < 3 => {
                    let big = sh(
                        m + self.rng.below(4 - m.min(3)),
                        n + self.rng.below(4 - n.min(3)),
                    );
                    let a = self.expr(big, d)?;
                    let r0 = self.rng.below(big.rows - m + 1);
                    let c0 = self.rng.below(big.cols - n + 1);
                    return self.p.slice(
                        a,
                        Span1 {
                            start: r0,
                            end: r0 + m,
                        },
                        Span1 {
                            start: c0,
                            end: c0 + n,
                        },
                    );
                }
                13 if m == n && m > 1 => {
                    let a = self.expr(shape, d)?;
                    let k = self.p.int(2 + self.rng.below(2) as i64)?;
                    return self.p.power(a, k);
                }
                14 if !shape.is_scalar() && shape.len() <= 4 => {
                    let entries = (0..shape.len())
                        .map(|_| self.expr(Shape::SCALAR, d.saturating_sub(1)))
                        .collect::<symgrad::Result<Vec<_>>>()?;
                    return self.p.matrix(shape, entries);
                }
                15 if shape.is_scalar() => {
                    let big = sh(1 + self.rng.below(3), 1 + self.rng.below(3));
                    let a = self.expr(big, d)?;
                    let (i, j) = (self.rng.below(big.rows), self.rng.below(big.cols));
                    return self.p.element_of(a, i, j);
                }
                16 => {
                    let a = self.expr(shape, d)?;
                    return self.p.neg(a);
                }
                17 => {
                    let c = [self.p.constant(symgrad::Constant::Pi)?, self.p.float(0.25)?]
                        [self.rng.below(2)];
                    let a = self.expr(shape, d)?;
                    return self.p.mul(&[c, a]);
                }
                _ => {}
            }
        }
    }
}

fn symbols(p: &mut Pool) -> Vec<ExprId> {
    vec![
        p.symbol("W", sh(3, 2)).unwrap(),
        p.symbol("V", sh(2, 4)).unwrap(),
        p.symbol("s", Shape::SCALAR).unwrap(),
    ]
}

fn random_values(rng: &mut Rng, shape: Shape) -> Values {
    Values::new(
        shape,
        (0..shape.len()).map(|_| rng.uniform(-1.5, 1.5)).collect(),
    )
    .unwrap()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

/// `x` and `y` have one shape and every pair of elements is [`close`].
#[track_caller]
fn assert_values_close(x: &Values, y: &Values, tol: f64, what: &str) {
    assert_eq!(x.shape, y.shape, "{what}");
    for (a, b) in x.data.iter().zip(&y.data) {
        assert!(close(*a, *b, tol), "{what}: {a} vs {b}");
    }
}

/// The interpreter's value of the stable form of `e`.
fn oracle(p: &mut Pool, e: ExprId, bind: &HashMap<ExprId, Values>) -> symgrad::Result<Values> {
    let s = p.stabilise(e)?;
    p.evaluate(s, bind)
}

#[test]
fn compiled_programs_match_the_interpreter_on_random_expressions() {
    let mut rng = Rng::new(0xC0FF_EE00);
    let (mut compared, mut errors) = (0, 0);
    for case in 0..600 {
        let mut p = Pool::new();
        let syms = symbols(&mut p);
        let shapes = [
            sh(1, 1),
            sh(3, 2),
            sh(2, 3),
            sh(1, 3),
            sh(3, 1),
            sh(2, 2),
            sh(4, 3),
        ];
        let shape = shapes[rng.below(shapes.len())];
        let e = {
            let mut g = Gen {
                p: &mut p,
                rng: &mut rng,
                syms: syms.clone(),
            };
            match g.expr(shape, 4) {
                Ok(e) => e,
                Err(_) => continue,
            }
        };
        let vals: Vec<Values> = syms
            .iter()
            .map(|&s| random_values(&mut rng, p.shape(s)))
            .collect();
        let bind: HashMap<ExprId, Values> =
            syms.iter().copied().zip(vals.iter().cloned()).collect();
        let expected = oracle(&mut p, e, &bind);
        let mut prog = p.compile(&[e], &syms).unwrap();
        let got = prog.run(&vals.iter().collect::<Vec<_>>());
        match (expected, got) {
            (Ok(x), Ok(y)) => {
                assert_values_close(&x, &y[0], 1e-12, &format!("case {case}"));
                // Runs again on the same buffers.
                let again = prog.run(&vals.iter().collect::<Vec<_>>()).unwrap();
                assert_eq!(
                    again[0]
                        .data
                        .iter()
                        .map(|x| x.to_bits())
                        .collect::<Vec<_>>(),
                    y[0].data.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                );
                compared += 1;
            }
            (Err(_), Err(_)) => errors += 1,
            (x, y) => panic!("case {case}: interpreter {x:?}, compiled {y:?}"),
        }
    }
    assert!(
        compared > 450,
        "only {compared} cases compared ({errors} errors)"
    );
}

/// Where the samples of softmax regression's data are.
#[derive(Clone, Copy, Debug)]
enum Layout {
    /// X is D×N: `softmax(W⋅X, 1)`.
    Cols,
    /// X is N×D: `softmax(W⋅Xᵀ, 1)`.
    RowsTransposed,
    /// X is N×D and Y N×K: `softmax(X⋅Wᵀ, 2)`, as the benchmark N1 builds it.
    Rows,
}

/// Softmax regression: the loss `−sum(Y .* log(softmax(Z)))/N` and its
/// gradient, with the scores `Z` from W and data X laid out as `layout` says.
fn softmax_regression(
    p: &mut Pool,
    rng: &mut Rng,
    n: usize,
    layout: Layout,
) -> (ExprId, ExprId, ExprId) {
    // 40 features: enough for the skinny kernels of samples as columns.
    let (d, k) = (40, 3);
    let w = p.symbol("W", sh(k, d)).unwrap();
    let xs: Vec<f64> = (0..d * n).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let mut y = vec![0.0; k * n];
    for j in 0..n {
        y[rng.below(k) * n + j] = 1.0;
    }
    let yd = p.dense(Dense::from_f64(sh(k, n), y).unwrap()).unwrap();
    let (sm, yd) = match layout {
        Layout::Cols => {
            let x = p.dense(Dense::from_f64(sh(d, n), xs).unwrap()).unwrap();
            let z = p.product(w, x).unwrap();
            (p.softmax(z, Axis::Cols).unwrap(), yd)
        }
        Layout::RowsTransposed => {
            let x = p.dense(Dense::from_f64(sh(n, d), xs).unwrap()).unwrap();
            let xt = p.transpose(x).unwrap();
            let z = p.product(w, xt).unwrap();
            (p.softmax(z, Axis::Cols).unwrap(), yd)
        }
        Layout::Rows => {
            let x = p.dense(Dense::from_f64(sh(n, d), xs).unwrap()).unwrap();
            let wt = p.transpose(w).unwrap();
            let z = p.product(x, wt).unwrap();
            (p.softmax(z, Axis::Rows).unwrap(), p.transpose(yd).unwrap())
        }
    };
    let log = p.apply(Func::Log, sm).unwrap();
    let prod = p.mul(&[yd, log]).unwrap();
    let total = p.sum(prod, Axis::All).unwrap();
    let scale = p.rational(-1, n as i64).unwrap();
    let loss = p.mul(&[scale, total]).unwrap();
    let g = p.grad(loss, w).unwrap();
    (loss, g, w)
}

#[test]
fn blocked_runs_match_whole_runs_and_the_interpreter() {
    let mut rng = Rng::new(17);
    for layout in [Layout::Cols, Layout::RowsTransposed, Layout::Rows] {
        let mut p = Pool::new();
        let (loss, g, w) = softmax_regression(&mut p, &mut rng, 300, layout);
        let opts = CompileOptions { min_samples: 100 };
        let mut prog = p.compile_with(&[loss, g], &[w], &opts).unwrap();
        assert!(
            prog.block().is_some(),
            "a blocked form is found ({layout:?})"
        );
        let wv = random_values(&mut rng, p.shape(w));
        let bind = HashMap::from([(w, wv.clone())]);
        let want = [
            oracle(&mut p, loss, &bind).unwrap(),
            oracle(&mut p, g, &bind).unwrap(),
        ];
        for block in [None, Some(7), Some(64), Some(300), Some(1000)] {
            for threads in [1, 2, 3] {
                prog.set_block(block);
                prog.set_threads(threads);
                let got = prog.run(&[&wv]).unwrap();
                for (x, y) in want.iter().zip(&got) {
                    assert_eq!(x.shape, y.shape);
                    for (a, b) in x.data.iter().zip(&y.data) {
                        assert!(
                            close(*a, *b, 1e-12),
                            "{layout:?}, block {block:?}: {a} vs {b}"
                        );
                    }
                }
            }
        }
    }
}

/// Softmax and log-sum-exp along rows and columns of a matrix taller than
/// the kernels' tiles, with rows and columns that are not all finite (the
/// exact per-line rules), against the interpreter.
#[test]
fn softmax_and_logsumexp_along_each_axis_match_the_interpreter() {
    let mut rng = Rng::new(5);
    let mut p = Pool::new();
    let w = p.symbol("W", sh(70, 3)).unwrap();
    let outs: Vec<ExprId> = [Axis::Rows, Axis::Cols]
        .into_iter()
        .flat_map(|axis| {
            let l = p.logsumexp(w, axis).unwrap();
            let s = p.softmax(w, axis).unwrap();
            [l, s]
        })
        .collect();
    let mut data: Vec<f64> = (0..70 * 3).map(|_| rng.uniform(-40.0, 40.0)).collect();
    // Row 2 has −∞, row 65 +∞ (column 0), row 66 NaN (column 2).
    data[2 * 3 + 1] = f64::NEG_INFINITY;
    data[65 * 3] = f64::INFINITY;
    data[66 * 3 + 2] = f64::NAN;
    let wv = Values::new(sh(70, 3), data).unwrap();
    let mut prog = p.compile(&outs, &[w]).unwrap();
    let got = prog.run(&[&wv]).unwrap();
    let bind = HashMap::from([(w, wv.clone())]);
    for (k, (&e, y)) in outs.iter().zip(&got).enumerate() {
        let x = oracle(&mut p, e, &bind).unwrap();
        assert_values_close(&x, y, 1e-13, &format!("output {k}"));
    }
}

/// A sum over blocks that overflows only when two blocks' finite parts
/// meet is reported as not finite, with any blocks and threads.
#[test]
fn a_sum_over_blocks_that_overflows_is_reported() {
    let mut p = Pool::new();
    let w = p.symbol("W", sh(1, 3)).unwrap();
    let mut xs = vec![0.5; 3 * 500];
    xs[10] = 1.5e308;
    xs[400] = 1.5e308;
    let x = p.dense(Dense::from_f64(sh(3, 500), xs).unwrap()).unwrap();
    let z = p.product(w, x).unwrap();
    let s = p.sum(z, Axis::All).unwrap();
    let opts = CompileOptions { min_samples: 100 };
    let mut prog = p.compile_with(&[s], &[w], &opts).unwrap();
    assert!(prog.block().is_some());
    let ones = Values::new(sh(1, 3), vec![1.0, 0.0, 0.0]).unwrap();
    let small = Values::new(sh(1, 3), vec![1e-10, 0.0, 0.0]).unwrap();
    for block in [Some(64), Some(128), Some(500)] {
        for threads in [1, 2] {
            prog.set_block(block);
            prog.set_threads(threads);
            let out = prog.run(&[&ones]).unwrap();
            assert!(out[0].data[0].is_infinite(), "{block:?} {threads}");
            assert!(!prog.all_finite(), "{block:?} {threads}");
            let out = prog.run(&[&small]).unwrap();
            assert!(out[0].data[0].is_finite());
            assert!(prog.all_finite(), "{block:?} {threads}");
        }
    }
}

#[test]
fn programs_that_do_not_reduce_the_samples_run_whole() {
    let mut p = Pool::new();
    let w = p.symbol("W", sh(2, 3)).unwrap();
    let x = p
        .dense(Dense::from_f64(sh(3, 500), vec![0.5; 1500]).unwrap())
        .unwrap();
    let z = p.product(w, x).unwrap();
    let opts = CompileOptions { min_samples: 100 };
    assert_eq!(p.compile_with(&[z], &[w], &opts).unwrap().block(), None);
    // A logsumexp over all samples is not accumulated block by block.
    let l = p.logsumexp(z, Axis::All).unwrap();
    assert_eq!(p.compile_with(&[l], &[w], &opts).unwrap().block(), None);
    let s = p.sum(z, Axis::All).unwrap();
    assert!(p.compile_with(&[s], &[w], &opts).unwrap().block().is_some());
}

#[test]
fn inputs_read_in_place_are_checked_and_give_what_owned_ones_give() {
    let mut p = Pool::new();
    let w = p.symbol("W", sh(1, 3)).unwrap();
    let x = p.symbol("X", sh(3, 4)).unwrap();
    let z = p.product(w, x).unwrap();
    let l = p.sum(z, Axis::All).unwrap();
    let mut prog = p.compile(&[l], &[w, x]).unwrap();
    let numbers: Vec<f64> = (0..12).map(|k| k as f64 / 4.0).collect();
    let wv = Values::new(sh(1, 3), vec![1.0, -2.0, 0.5]).unwrap();
    let xv = Values::new(sh(3, 4), numbers.clone()).unwrap();
    // Σⱼ (W⋅X)ⱼ = Σᵢ Wᵢ⋅(row sum i of X) = 1⋅1.5 − 2⋅5.5 + 0.5⋅9.5.
    let want = 1.5 - 11.0 + 4.75;
    let owned = prog.run(&[&wv, &xv]).unwrap();
    let borrowed = prog
        .run_on(&[(wv.shape, &wv.data[..]), (sh(3, 4), &numbers[..])])
        .unwrap();
    assert_eq!(owned[0].data, [want]);
    assert_eq!(borrowed[0].data, [want]);
    let short = prog.run_on(&[(wv.shape, &wv.data[..]), (sh(3, 4), &numbers[..11])]);
    let wrong = prog.run_on(&[(wv.shape, &wv.data[..]), (sh(4, 3), &numbers[..])]);
    let few = prog.run_on(&[(wv.shape, &wv.data[..])]);
    let message = |r: symgrad::Result<Vec<Values>>| r.unwrap_err().to_string();
    assert!(message(short).contains("is 3×4 but holds 11 numbers"));
    assert!(message(wrong).contains("must be 3×4, not 4×3"));
    assert!(message(few).contains("takes 2 inputs, not 1"));
}

/// Softmax regression on a batch of `m` samples picked from data given
/// whole (`run_on_samples`), samples as columns and as rows, in ragged
/// blocks on one and two threads, against the interpreter on the batch
/// gathered by a plain loop, and against a run on that gathered batch.
#[test]
fn picked_samples_give_what_the_gathered_batch_gives() {
    let mut rng = Rng::new(23);
    let (d, k, m, n) = (40, 3, 150, 400);
    for rows in [false, true] {
        // Shapes with the samples as columns, or as rows.
        let by = |a: usize, b: usize| if rows { sh(b, a) } else { sh(a, b) };
        let mut p = Pool::new();
        let w = p.symbol("W", sh(k, d)).unwrap();
        let xb = p.symbol("X batch", by(d, m)).unwrap();
        let yb = p.symbol("Y batch", by(k, m)).unwrap();
        let (z, axis) = if rows {
            let wt = p.transpose(w).unwrap();
            (p.product(xb, wt).unwrap(), Axis::Rows)
        } else {
            (p.product(w, xb).unwrap(), Axis::Cols)
        };
        let sm = p.softmax(z, axis).unwrap();
        let log = p.apply(Func::Log, sm).unwrap();
        let prod = p.mul(&[yb, log]).unwrap();
        let total = p.sum(prod, Axis::All).unwrap();
        let scale = p.rational(-1, m as i64).unwrap();
        let loss = p.mul(&[scale, total]).unwrap();
        let g = p.grad(loss, w).unwrap();
        let opts = CompileOptions { min_samples: 50 };
        let mut prog = p.compile_with(&[loss, g], &[w, xb, yb], &opts).unwrap();
        assert_eq!(prog.sampled_inputs(), Some((m, vec![false, true, true])));
        let x = random_values(&mut rng, by(d, n));
        let y = random_values(&mut rng, by(k, n));
        let wv = random_values(&mut rng, sh(k, d));
        // Distinct samples in no order, and one twice.
        let mut samples: Vec<usize> = (0..m).map(|j| (j * 7919 + 13) % n).collect();
        samples[5] = samples[100];
        // The batch by a plain loop: sample q of the batch is sample
        // samples[q] of the data.
        let gather = |v: &Values, size: usize| {
            let mut out = vec![0.0; size * m];
            for (q, &j) in samples.iter().enumerate() {
                for r in 0..size {
                    if rows {
                        out[q * size + r] = v.data[j * size + r];
                    } else {
                        out[r * m + q] = v.data[r * n + j];
                    }
                }
            }
            Values::new(by(size, m), out).unwrap()
        };
        let (xg, yg) = (gather(&x, d), gather(&y, k));
        let bind = HashMap::from([(w, wv.clone()), (xb, xg.clone()), (yb, yg.clone())]);
        let want = [
            oracle(&mut p, loss, &bind).unwrap(),
            oracle(&mut p, g, &bind).unwrap(),
        ];
        let whole = [
            (wv.shape, &wv.data[..]),
            (x.shape, &x.data[..]),
            (y.shape, &y.data[..]),
        ];
        let picked = [false, true, true];
        for block in [Some(7), Some(64)] {
            for threads in [1, 2] {
                prog.set_block(block);
                prog.set_threads(threads);
                let got = prog.run_on_samples(&whole, &picked, &samples).unwrap();
                let what = format!("rows {rows}, {block:?}, {threads} threads");
                for (x, y) in want.iter().zip(&got) {
                    assert_values_close(x, y, 1e-12, &what);
                }
                // The same as the batch gathered first, but for rounding:
                // a block of picked samples is gathered into a buffer of its
                // own, where a block of the batch is a view of its wider
                // rows, and the product kernels sum rows in chunks sized by
                // that stride (with AVX-512, 32 rows of a contiguous block,
                // 16 of a view).
                let batch = prog.run(&[&wv, &xg, &yg]).unwrap();
                for (x, y) in batch.iter().zip(&got) {
                    assert_values_close(x, y, 1e-13, &what);
                }
            }
        }
        let message = |r: symgrad::Result<Vec<Values>>| r.unwrap_err().to_string();
        let past = [n].repeat(m);
        assert!(
            message(prog.run_on_samples(&whole, &picked, &past))
                .contains(&format!("sample {n} of X batch is past its {n} samples"))
        );
        assert!(
            message(prog.run_on_samples(&whole, &picked, &samples[1..]))
                .contains(&format!("runs on {m} samples, not {}", m - 1))
        );
        assert!(
            message(prog.run_on_samples(&whole, &[true, true, true], &samples))
                .contains("reads W whole")
        );
        let cut = [whole[0], (x.shape, &x.data[1..]), whole[2]];
        assert!(message(prog.run_on_samples(&cut, &picked, &samples)).contains("but holds"));
        // Without blocks, nothing is picked.
        let mut plain = p.compile(&[loss, g], &[w, xb, yb]).unwrap();
        assert_eq!(plain.sampled_inputs(), None);
        assert!(
            message(plain.run_on_samples(&whole, &picked, &samples))
                .contains("does not run in blocks")
        );
    }
}

/// A program in which a constant holds samples depends on their order.
#[test]
fn samples_held_by_a_constant_are_not_only_in_the_inputs() {
    let mut p = Pool::new();
    let (d, m) = (4, 100);
    let w = p.symbol("W", sh(1, d)).unwrap();
    let xb = p.symbol("X batch", sh(d, m)).unwrap();
    let weights: Vec<f64> = (0..m).map(|j| j as f64).collect();
    let c = p
        .dense(Dense::from_f64(sh(1, m), weights).unwrap())
        .unwrap();
    let z = p.product(w, xb).unwrap();
    let weighted = p.mul(&[c, z]).unwrap();
    let l = p.sum(weighted, Axis::All).unwrap();
    let opts = CompileOptions { min_samples: 50 };
    let prog = p.compile_with(&[l], &[w, xb], &opts).unwrap();
    assert!(prog.block().is_some());
    assert_eq!(prog.sampled_inputs(), None);
}

#[test]
fn compiled_gradients_match_finite_differences() {
    let mut rng = Rng::new(99);
    let mut p = Pool::new();
    let (loss, g, w) = softmax_regression(&mut p, &mut rng, 40, Layout::Cols);
    let mut lp = p.compile(&[loss], &[w]).unwrap();
    let mut gp = p.compile(&[g], &[w]).unwrap();
    let wv = random_values(&mut rng, p.shape(w));
    let grad = gp.run(&[&wv]).unwrap().remove(0);
    let h = 1e-6;
    for k in 0..wv.data.len() {
        let (mut a, mut b) = (wv.clone(), wv.clone());
        a.data[k] += h;
        b.data[k] -= h;
        let fa = lp.run(&[&a]).unwrap()[0].data[0];
        let fb = lp.run(&[&b]).unwrap()[0].data[0];
        let fd = (fa - fb) / (2.0 * h);
        assert!(
            (fd - grad.data[k]).abs() < 1e-7,
            "{k}: {fd} vs {}",
            grad.data[k]
        );
    }
}

#[test]
fn register_programs_match_the_interpreter() {
    let mut rng = Rng::new(5);
    let mut compared = 0;
    for case in 0..200 {
        let mut p = Pool::new();
        let syms = symbols(&mut p);
        let e = {
            let mut g = Gen {
                p: &mut p,
                rng: &mut rng,
                syms: syms.clone(),
            };
            match g.expr(Shape::SCALAR, 3) {
                Ok(e) => e,
                Err(_) => continue,
            }
        };
        let Ok(mut prog) = p.compile_scalar(&[e], &syms) else {
            continue;
        };
        let points = 3;
        let mut xs = Vec::new();
        let mut want = Vec::new();
        for _ in 0..points {
            let vals: Vec<Values> = syms
                .iter()
                .map(|&s| random_values(&mut rng, p.shape(s)))
                .collect();
            xs.extend(vals.iter().flat_map(|v| v.data.clone()));
            let bind = syms.iter().copied().zip(vals).collect();
            want.push(
                oracle(&mut p, e, &bind)
                    .map(|v| v.data[0])
                    .unwrap_or(f64::NAN),
            );
        }
        let mut all = vec![0.0; points];
        prog.eval_points(&xs, &mut all).unwrap();
        for (t, &x) in want.iter().enumerate() {
            let mut one = [0.0];
            prog.eval_point(&xs[t * prog.vars()..(t + 1) * prog.vars()], &mut one)
                .unwrap();
            assert!(close(x, one[0], 1e-10), "case {case}: {x} vs {}", one[0]);
            assert_eq!(one[0].to_bits(), all[t].to_bits(), "case {case}");
        }
        compared += 1;
    }
    assert!(compared > 150, "only {compared}");
}

#[test]
fn one_point_runs_as_many_points_do_through_every_kind_of_instruction() -> symgrad::Result<()> {
    // Softmax and logsumexp (log Σ exp), stable sigmoid, softplus and
    // log σ (exp(−|x|), log(1 + u), a choice on the sign), powers,
    // reciprocals and the other functions, all in one program.
    let mut p = Pool::new();
    let x = p.symbol("x", sh(3, 1))?;
    let soft = p.softmax(x, Axis::Cols)?;
    let lse = p.logsumexp(x, Axis::All)?;
    let mut outputs = vec![p.element_of(soft, 1, 0)?, lse];
    let (x0, x1, x2) = (
        p.element(x, 0, 0)?,
        p.element(x, 1, 0)?,
        p.element(x, 2, 0)?,
    );
    let sig = p.apply(Func::Sigmoid, x0)?;
    outputs.push(p.apply(Func::Log, sig)?);
    outputs.push(p.apply(Func::Softplus, x1)?);
    outputs.push(sig);
    let three = p.int(3)?;
    outputs.push(p.pow(x2, three)?);
    let minus_one = p.int(-1)?;
    outputs.push(p.pow(x1, minus_one)?);
    for f in [
        Func::Tanh,
        Func::Erf,
        Func::Relu,
        Func::Abs,
        Func::Sin,
        Func::Expm1,
        Func::Atan,
        Func::Tan,
        Func::Sinh,
    ] {
        outputs.push(p.apply(f, x2)?);
    }
    let mut prog = p.compile_scalar(&outputs, &[x])?;
    let mut rng = Rng::new(11);
    let points = 64;
    let xs: Vec<f64> = (0..points * 3).map(|_| rng.uniform(-20.0, 20.0)).collect();
    let mut all = vec![0.0; points * outputs.len()];
    prog.eval_points(&xs, &mut all)?;
    let mut one = vec![0.0; outputs.len()];
    for (t, point) in xs.chunks(3).enumerate() {
        prog.eval_point(point, &mut one)?;
        let many = &all[t * outputs.len()..(t + 1) * outputs.len()];
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one), bits(many), "point {point:?}");
    }
    // And the oracle: softmax's middle entry and log σ at one point.
    prog.eval_point(&[1.0, 2.0, -0.5], &mut one)?;
    let e = [1.0f64.exp(), 2.0f64.exp(), (-0.5f64).exp()];
    assert!((one[0] - e[1] / e.iter().sum::<f64>()).abs() < 1e-15);
    assert!((one[2] + (1.0 + (-1.0f64).exp()).ln()).abs() < 1e-15);
    Ok(())
}

#[test]
fn register_programs_give_the_loss_and_its_partials() {
    // f = log(1 + exp(w1 x)) with partial x·σ(w1 x), at w = (0.3, -2), x = 2.
    let mut p = Pool::new();
    let w = p.symbol("w", sh(1, 2)).unwrap();
    let x = p
        .dense(Dense::from_f64(sh(2, 1), vec![2.0, 0.0]).unwrap())
        .unwrap();
    let z = p.product(w, x).unwrap();
    let e = p.apply(Func::Exp, z).unwrap();
    let one = p.int(1).unwrap();
    let s = p.add(&[one, e]).unwrap();
    let f = p.apply(Func::Log, s).unwrap();
    let g = p.grad(f, w).unwrap();
    let mut prog = p.compile_scalar(&[f, g], &[w]).unwrap();
    assert_eq!((prog.vars(), prog.outputs()), (2, 3));
    let mut out = [0.0; 3];
    prog.eval_point(&[0.3, -2.0], &mut out).unwrap();
    let z = 0.6f64;
    let want = [(1.0 + z.exp()).ln(), 2.0 / (1.0 + (-z).exp()), 0.0];
    for (a, b) in out.iter().zip(want) {
        assert!((a - b).abs() < 1e-15, "{a} vs {b}");
    }
    // Wrong sizes are errors.
    assert!(prog.eval_point(&[0.3], &mut out).is_err());
    assert!(prog.eval_points(&[0.3, 1.0, 2.0], &mut [0.0; 3]).is_err());
}

#[test]
fn register_programs_read_products_and_traces_inside_matrix_entries() -> symgrad::Result<()> {
    // The entries of [σ(w₀₀⋅x)⋅c, tr(w⋅wᵀ)], x a row and c a column, as the
    // gradient of a logistic loss holds them: a matrix product whose value
    // is one number, and a trace, both computed by hand below.
    let mut p = Pool::new();
    let w = p.symbol("w", sh(2, 1))?;
    let w00 = p.element(w, 0, 0)?;
    let x = p.dense(Dense::from_f64(sh(1, 2), vec![-1.5, 0.75])?)?;
    let c = p.dense(Dense::from_f64(sh(2, 1), vec![0.5, -2.0])?)?;
    let z = p.mul(&[w00, x])?;
    let s = p.apply(Func::Sigmoid, z)?;
    let dot = p.product(s, c)?;
    let wt = p.transpose(w)?;
    let outer = p.product(w, wt)?;
    let trace = p.trace(outer)?;
    let m = p.matrix(sh(2, 1), vec![dot, trace])?;
    let mut prog = p.compile_scalar(&[m], &[w])?;
    let points = [0.27, -0.007, -0.3, -0.58];
    let mut out = [0.0; 4];
    prog.eval_points(&points, &mut out)?;
    let sig = |t: f64| 1.0 / (1.0 + (-t).exp());
    for (k, pt) in points.chunks(2).enumerate() {
        let dot = 0.5 * sig(-1.5 * pt[0]) - 2.0 * sig(0.75 * pt[0]);
        let trace = pt[0] * pt[0] + pt[1] * pt[1];
        assert!(close(out[2 * k], dot, 1e-14), "{} vs {dot}", out[2 * k]);
        assert!(
            close(out[2 * k + 1], trace, 1e-14),
            "{} vs {trace}",
            out[2 * k + 1]
        );
    }
    Ok(())
}

#[test]
fn register_programs_write_out_a_softmax_of_a_softmax() -> symgrad::Result<()> {
    // f(w) = Σ log(softmax(softmax(w⋅x))) down the columns, w 2×1, x 1×2,
    // and its gradient (which holds a softmax of a softmax too), against
    // the definition computed by hand and central differences.
    let mut p = Pool::new();
    let w = p.symbol("w", sh(2, 1))?;
    let x = p.dense(Dense::from_f64(sh(1, 2), vec![1.5, -0.5])?)?;
    let z = p.product(w, x)?;
    let inner = p.softmax(z, Axis::Cols)?;
    let outer = p.softmax(inner, Axis::Cols)?;
    let log = p.apply(Func::Log, outer)?;
    let f = p.reduce(Reduction::Sum, log, Axis::All)?;
    let g = p.grad(f, w)?;
    let mut prog = p.compile_scalar(&[f, g], &[w])?;
    let by_hand = |w: [f64; 2]| {
        let soft = |a: f64, b: f64| {
            let m = a.max(b);
            let (ea, eb) = ((a - m).exp(), (b - m).exp());
            (ea / (ea + eb), eb / (ea + eb))
        };
        [1.5, -0.5]
            .iter()
            .map(|&xj| {
                let (s0, s1) = soft(w[0] * xj, w[1] * xj);
                let (t0, t1) = soft(s0, s1);
                t0.ln() + t1.ln()
            })
            .sum::<f64>()
    };
    let pt = [0.8, -1.1];
    let mut out = [0.0; 3];
    prog.eval_point(&pt, &mut out)?;
    assert!(
        close(out[0], by_hand(pt), 1e-14),
        "{} vs {}",
        out[0],
        by_hand(pt)
    );
    let h = 1e-6;
    for k in 0..2 {
        let (mut up, mut down) = (pt, pt);
        up[k] += h;
        down[k] -= h;
        let fd = (by_hand(up) - by_hand(down)) / (2.0 * h);
        assert!(close(out[1 + k], fd, 1e-8), "∂{k}: {} vs {fd}", out[1 + k]);
    }
    Ok(())
}

#[test]
fn bad_inputs_are_errors() {
    let mut p = Pool::new();
    let w = p.symbol("W", sh(2, 2)).unwrap();
    let v = p.symbol("V", sh(2, 2)).unwrap();
    let e = p.product(w, v).unwrap();
    let mut prog = p.compile(&[e], &[w, v]).unwrap();
    let ok = Values::new(sh(2, 2), vec![1.0; 4]).unwrap();
    let bad = Values::new(sh(1, 4), vec![1.0; 4]).unwrap();
    assert!(prog.run(&[&ok]).is_err());
    assert!(prog.run(&[&ok, &bad]).is_err());
    let inconsistent = Values {
        shape: sh(2, 2),
        data: vec![1.0; 3],
    };
    assert!(prog.run(&[&ok, &inconsistent]).is_err());
    assert!(prog.run(&[&ok, &ok]).is_ok());
    // An unbound symbol, and an input that is not a symbol.
    assert!(p.compile(&[e], &[w]).is_err());
    assert!(p.compile(&[e], &[e]).is_err());
}

#[test]
fn a_value_that_is_not_finite_on_the_way_is_reported_and_named() -> symgrad::Result<()> {
    // relu(sqrt(x)) hides the NaN of sqrt(−0.8) (relu(NaN) is 0): the
    // program's result is finite, but `all_finite` says it was not, and
    // `non_finite` names the operation.
    let mut p = Pool::new();
    let x = p.symbol("x", Shape::SCALAR)?;
    let half = p.rational(1, 2)?;
    let root = p.pow(x, half)?;
    let e = p.apply(Func::Relu, root)?;
    let mut program = p.compile(&[e], &[x])?;
    let out = program.run(&[&Values::scalar(-0.8)])?;
    assert!(out[0].data.iter().all(|v| v.is_finite()));
    assert!(!program.all_finite());
    program.run(&[&Values::scalar(0.8)])?;
    assert!(program.all_finite());
    let at = HashMap::from([(x, Values::scalar(-0.8))]);
    let msg = p.non_finite(e, &at)?.expect("a NaN on the way");
    assert!(msg.starts_with("sqrt(x) gives NaN"), "{msg}");
    assert_eq!(
        p.non_finite(e, &HashMap::from([(x, Values::scalar(4.0))]))?,
        None
    );
    // The register program: the first bad point of many.
    let mut scalar = p.compile_scalar(&[e], &[x])?;
    let mut out = vec![0.0; 3];
    scalar.eval_points(&[1.0, 4.0, -0.5], &mut out)?;
    assert_eq!(out, vec![1.0, 2.0, 0.0]);
    assert_eq!(scalar.non_finite_point(), Some(2));
    scalar.eval_points(&[1.0, 4.0, 9.0], &mut out)?;
    assert_eq!(scalar.non_finite_point(), None);
    // One point at a time.
    scalar.eval_point(&[-0.5], &mut out[..1])?;
    assert_eq!((out[0], scalar.non_finite_point()), (0.0, Some(0)));
    scalar.eval_point(&[4.0], &mut out[..1])?;
    assert_eq!((out[0], scalar.non_finite_point()), (2.0, None));
    Ok(())
}

#[test]
fn floats_stay_in_transcendental_functions_until_evaluated() -> symgrad::Result<()> {
    // log(1 − σ(40.5)) of a float keeps its stable form −softplus(40.5);
    // folded at build time it would be log(0).
    let mut p = Pool::new();
    let z = p.float(40.5)?;
    let s = p.apply(Func::Sigmoid, z)?;
    let one = p.int(1)?;
    let d = p.sub(one, s)?;
    let l = p.apply(Func::Log, d)?;
    let stable = p.stabilise(l)?;
    let v = p.evaluate(stable, &HashMap::new())?;
    let want = -(40.5 + (-40.5f64).exp().ln_1p());
    assert!((v.data[0] - want).abs() <= 1e-15 * want.abs(), "{v:?}");
    // abs, relu, sign and step are exact on floats and still fold.
    let m = p.float(-2.5)?;
    let r = p.apply(Func::Abs, m)?;
    assert_eq!(p.as_num(r), Some(&Num::Float(2.5)));
    Ok(())
}

/// A large matrix power or product stops soon after Ctrl-C (the flag is
/// checked between pieces of each product), as a power of a symbol (`W^8`)
/// or a product of large data (`A⋅A⋅A`); small powers give the values a
/// plain loop gives.
#[test]
fn large_matrix_products_stop_on_interrupt() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    let mut rng = Rng::new(3);
    // Large enough that a fast core (a Zen 5 at 100 GFLOP/s) is still at
    // it when the flag comes: W⁸ is 94 GFLOP, A⋅A⋅A 62 (at n = 1500, W⁸
    // could finish before the flag).
    let n = 2500;
    let mut p = Pool::new();
    let flag = Arc::new(AtomicBool::new(false));
    p.set_interrupt(flag.clone());
    let w = p.symbol("W", sh(n, n)).unwrap();
    let eight = p.int(8).unwrap();
    let power = p.power(w, eight).unwrap();
    // Runs `run`, setting the flag after 50 ms: it must stop within a
    // second of that, interrupted.
    let stops_soon = |run: &mut dyn FnMut() -> symgrad::Result<Vec<symgrad::Values>>| {
        let setter = {
            let flag = flag.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                flag.store(true, Ordering::Relaxed);
                Instant::now()
            })
        };
        let r = run();
        let done = Instant::now();
        let set = setter.join().unwrap();
        assert!(matches!(r, Err(symgrad::Error::Interrupted)), "{r:?}");
        let late = done.saturating_duration_since(set);
        assert!(
            late < Duration::from_secs(1),
            "stopped {late:?} after the flag"
        );
    };
    let mut prog = p.compile(&[power], &[w]).unwrap();
    let wv = random_values(&mut rng, sh(n, n));
    stops_soon(&mut || prog.run(&[&wv]));

    // A product of data too large to fold as it is built, evaluated.
    flag.store(false, Ordering::Relaxed);
    let a = Dense::from_f64(sh(n, n), wv.data.clone()).unwrap();
    let a = p.dense(a).unwrap();
    let aa = p.matmul(a, a).unwrap();
    let aaa = p.matmul(aa, a).unwrap();
    let mut prog = p.compile(&[aaa], &[]).unwrap();
    stops_soon(&mut || prog.run(&[]));

    // Small powers: the pieces put together give the product.
    flag.store(false, Ordering::Relaxed);
    let m = 7;
    let s = p.symbol("S", sh(m, m)).unwrap();
    let three = p.int(3).unwrap();
    let cube = p.power(s, three).unwrap();
    let five = p.int(5).unwrap();
    let fifth = p.power(s, five).unwrap();
    let mut prog = p.compile(&[cube, fifth], &[s]).unwrap();
    let sv = random_values(&mut rng, sh(m, m));
    let got = prog.run(&[&sv]).unwrap();
    let mul = |x: &[f64], y: &[f64]| -> Vec<f64> {
        (0..m * m)
            .map(|ij| (0..m).map(|q| x[ij / m * m + q] * y[q * m + ij % m]).sum())
            .collect()
    };
    let sq = mul(&sv.data, &sv.data);
    let want3 = mul(&sq, &sv.data);
    let want5 = mul(&mul(&sq, &sq), &sv.data);
    for (got, want) in got.iter().zip([want3, want5]) {
        for (a, b) in got.data.iter().zip(&want) {
            assert!(close(*a, *b, 1e-12), "{a} vs {b}");
        }
    }
}
