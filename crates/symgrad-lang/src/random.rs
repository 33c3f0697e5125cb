//! Reproducible random values: `seed(n)`, `randn`, `rand` and `randint`
//! (and the shuffles of `sgd`, drawn from the same generator).
//!
//! The generator is PCG64 MCG (`rand_pcg::Pcg64Mcg`, 128-bit state), seeded
//! with `seed_from_u64`; uniforms come from `rand`'s `random::<f64>()` (53
//! random bits, in [0, 1)), integers from `random_range(lo..hi)`, normals from
//! `rand_distr::StandardNormal` (ziggurat). A session starts (and `:reset`
//! restarts) as if `seed(DEFAULT_SEED)` had been run, so scripts are
//! reproducible without a seed. Matrices are filled row by row; arguments are
//! checked before anything is drawn, so an error does not advance the stream.
//!
//! The uniform and integer streams are integer arithmetic and identical on
//! every platform. The normals also call `exp` and `ln` in the ziggurat's rare
//! edge cases, where a platform's maths library could in principle differ in
//! the last bit. The rand crates keep their value streams within a minor
//! version (locked in Cargo.lock); the golden test of `seed(1); randn(2, 2)`
//! notices a change.

use crate::ast::Expr;
use crate::batches::SHOWN_BATCHES;
use crate::calls::check_arity;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::session::Session;
use crate::span::Span;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;
use symgrad::{Dense, DenseData, Num, Shape, checked_shape};

/// The seed a session starts from, stated in `:help seed` and the README.
pub(crate) const DEFAULT_SEED: u64 = 0;

/// `randint` results up to this many elements are exact integers; larger ones
/// are floats (as `ones`/`zeros` do), to bound memory.
pub(crate) const EXACT_LIMIT: usize = 1_000_000;

/// The session's random generator.
#[derive(Clone, Debug)]
pub(crate) struct Generator(Pcg64Mcg);

impl Generator {
    pub(crate) fn seeded(seed: u64) -> Generator {
        Generator(Pcg64Mcg::seed_from_u64(seed))
    }

    /// `n` standard normal floats, as `randn` draws them.
    pub(crate) fn normals(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| StandardNormal.sample(&mut self.0)).collect()
    }

    /// The numbers `0..n` in a random order (Fisher–Yates, `rand`'s
    /// `shuffle`): the order of an `sgd` epoch and of `permutation(n)`.
    pub(crate) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut self.0);
        order
    }

    /// The samples `0..n` in the order an `sgd` epoch takes them in
    /// batches of `size`: shuffled when `shuffle`, except that one batch of
    /// every sample takes them in order (the data read in place); the
    /// shuffle is drawn all the same, so the generator goes on alike.
    pub(crate) fn epoch(&mut self, n: usize, size: usize, shuffle: bool) -> Vec<usize> {
        match shuffle.then(|| self.permutation(n)) {
            Some(shuffled) if size < n => shuffled,
            _ => (0..n).collect(),
        }
    }
}

impl Default for Generator {
    fn default() -> Generator {
        Generator::seeded(DEFAULT_SEED)
    }
}

impl Session {
    /// `seed(n)`, `randn([m [, n]])`, `rand([m [, n]])`, `randint(lo, hi [, m [, n]])`.
    pub(crate) fn call_random(&mut self, name: &str, args: &[&Expr], span: Span) -> Eval<Value> {
        let (lo, hi) = match name {
            "seed" | "permutation" => (1, 1),
            "batches" => (2, 2),
            "randint" => (2, 4),
            _ => (0, 2),
        };
        check_arity(name, args.len(), lo, hi, span)?;
        match name {
            "seed" => {
                let seed = self.seed_value(args[0])?;
                self.rng = Generator::seeded(seed);
                Ok(Value::Nothing)
            }
            "randn" => {
                let shape = self.random_shape(args, span)?;
                let rng = &mut self.rng.0;
                let data = (0..shape.len())
                    .map(|_| StandardNormal.sample(rng))
                    .collect();
                self.float_matrix(shape, data, span)
            }
            "rand" => {
                let shape = self.random_shape(args, span)?;
                let rng = &mut self.rng.0;
                let data = (0..shape.len()).map(|_| rng.random::<f64>()).collect();
                self.float_matrix(shape, data, span)
            }
            "randint" => {
                let (low, high) = (self.integer(args[0])?, self.integer(args[1])?);
                if low >= high {
                    return Err(Diagnostic::new(
                        format!("randint needs lo < hi, not lo = {low} and hi = {high}"),
                        args[0].span.to(args[1].span),
                    )
                    .with_hint("hi is excluded: randint(0, 2) draws 0 or 1"));
                }
                let shape = self.random_shape(&args[2..], span)?;
                let rng = &mut self.rng.0;
                let draws = (0..shape.len()).map(|_| rng.random_range(low..high));
                let data = if shape.len() <= EXACT_LIMIT {
                    DenseData::Exact(draws.map(Num::int).collect())
                } else {
                    DenseData::Float(draws.map(|k| k as f64).collect())
                };
                let d = Dense::new(shape, data).map_err(at(span))?;
                self.pool.dense(d).map(Value::Expr).map_err(at(span))
            }
            "permutation" => {
                let n = self.dimension(args[0])?;
                let shape = checked_shape(1, n).map_err(at(span))?;
                let order = self.rng.permutation(n);
                let data = if n <= EXACT_LIMIT {
                    DenseData::Exact(order.iter().map(|&k| Num::int(k as i64)).collect())
                } else {
                    DenseData::Float(order.iter().map(|&k| k as f64).collect())
                };
                let d = Dense::new(shape, data).map_err(at(span))?;
                self.pool.dense(d).map(Value::Expr).map_err(at(span))
            }
            "batches" => {
                let n = self.dimension(args[0])?;
                let size = self.dimension(args[1])?;
                checked_shape(1, n).map_err(at(span))?;
                let order = self.rng.epoch(n, size, true);
                let count = n.div_ceil(size);
                let line = |b: usize| {
                    let batch = &order[b * size..((b + 1) * size).min(n)];
                    format!("batch {}: {}", b + 1, crate::batches::indices(batch))
                };
                let lines: Vec<String> = if count > SHOWN_BATCHES {
                    let mut lines: Vec<String> = (0..10).map(line).collect();
                    lines.push(format!("⋮ ({count} batches in all)"));
                    lines.push(line(count - 1));
                    lines
                } else {
                    (0..count).map(line).collect()
                };
                Ok(Value::Text(lines.join("\n")))
            }
            _ => Err(Diagnostic::new(
                format!("'{name}' is not a random function"),
                span,
            )),
        }
    }

    /// The shape of `()` (a scalar), `(m)` (m×1) or `(m, n)`.
    fn random_shape(&mut self, args: &[&Expr], span: Span) -> Eval<Shape> {
        let rows = match args.first() {
            Some(m) => self.dimension(m)?,
            None => return Ok(Shape::SCALAR),
        };
        let cols = match args.get(1) {
            Some(n) => self.dimension(n)?,
            None => 1,
        };
        checked_shape(rows, cols).map_err(at(span))
    }

    /// A seed: an exact integer in 0..2^64.
    fn seed_value(&mut self, e: &Expr) -> Eval<u64> {
        let id = self.expr(e)?;
        let seed = match self.pool.as_num(id) {
            Some(Num::Rat(r)) if r.is_integer() => u64::try_from(r.numer()).ok(),
            _ => None,
        };
        seed.ok_or_else(|| {
            Diagnostic::new(
                "a seed must be an integer from 0 to 2^64 - 1 (18446744073709551615)",
                e.span,
            )
        })
    }

    fn float_matrix(&mut self, shape: Shape, data: Vec<f64>, span: Span) -> Eval<Value> {
        let d = Dense::from_f64(shape, data).map_err(at(span))?;
        self.pool.dense(d).map(Value::Expr).map_err(at(span))
    }
}

#[cfg(test)]
mod tests {
    use crate::session::Session;
    use symgrad::{Node, Num};

    /// Runs `src` in a fresh session and returns the numbers bound to `x`.
    fn numbers(src: &str) -> Vec<Num> {
        let mut s = Session::new();
        s.run(src, "<test>", &mut |_| {}).expect("the script runs");
        let id = s.vars["x"];
        match s.pool.node(id) {
            Node::Dense(d) => d.nums(),
            Node::Num(n) => vec![n.clone()],
            other => panic!("x is not numeric: {other:?}"),
        }
    }

    fn floats(src: &str) -> Vec<f64> {
        numbers(src).iter().map(Num::to_f64).collect()
    }

    fn mean(xs: &[f64]) -> f64 {
        xs.iter().sum::<f64>() / xs.len() as f64
    }

    #[test]
    fn randn_has_mean_zero_and_variance_one() {
        // A fixed seed: the check is deterministic, it cannot flake.
        let xs = floats("seed(2026); x = randn(20000)");
        assert_eq!(xs.len(), 20_000);
        let m = mean(&xs);
        let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        // Standard errors: 0.007 for the mean, 0.01 for the variance.
        assert!(m.abs() < 0.03, "mean {m}");
        assert!((var - 1.0).abs() < 0.04, "variance {var}");
        assert!(xs.iter().any(|&x| x < -3.0) && xs.iter().any(|&x| x > 3.0));
    }

    #[test]
    fn rand_is_uniform_in_the_unit_interval() {
        let xs = floats("seed(7); x = rand(200, 100)");
        assert_eq!(xs.len(), 20_000);
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        let m = mean(&xs);
        assert!((m - 0.5).abs() < 0.01, "mean {m}");
        let below = xs.iter().filter(|&&x| x < 0.1).count();
        assert!((1_800..2_200).contains(&below), "{below} below 0.1");
    }

    #[test]
    fn randint_draws_every_integer_of_the_range_and_no_other() {
        let ns = numbers("seed(3); x = randint(-2, 3, 50, 20)");
        assert_eq!(ns.len(), 1000);
        assert!(ns.iter().all(Num::is_integer), "exact integers");
        let ks: Vec<i64> = ns.iter().map(|n| n.to_i64().unwrap()).collect();
        assert!(ks.iter().all(|k| (-2..3).contains(k)), "hi is excluded");
        for k in -2..3 {
            let count = ks.iter().filter(|&&x| x == k).count();
            assert!((150..250).contains(&count), "{k} drawn {count} times");
        }
        assert_eq!(numbers("x = randint(4, 5, 3)"), vec![Num::int(4); 3]);
        let wide = numbers("x = randint(-9223372036854775807, 9223372036854775807, 10)");
        assert!(wide.iter().all(Num::is_integer));
    }

    #[test]
    fn the_default_seed_is_zero_and_reset_restores_it() {
        let fresh = floats("x = randn(3, 3)");
        assert_eq!(floats("seed(0); x = randn(3, 3)"), fresh);
        assert_ne!(floats("seed(1); x = randn(3, 3)"), fresh);
        assert_eq!(floats("y = rand(5)\n:reset\nx = randn(3, 3)"), fresh);
    }

    #[test]
    fn a_failed_call_draws_nothing() {
        let clean = floats("seed(5); x = rand(4)");
        let after_errors = {
            let mut s = Session::new();
            for bad in [
                "seed(5)\nrand(0)",
                "rand(2, -1)",
                "randint(3, 3, 2)",
                "randn(2.5)",
            ] {
                assert!(s.run(bad, "<test>", &mut |_| {}).is_err(), "{bad}");
            }
            s.run("x = rand(4)", "<test>", &mut |_| {}).unwrap();
            match s.pool.node(s.vars["x"]) {
                Node::Dense(d) => d.nums().iter().map(Num::to_f64).collect::<Vec<_>>(),
                _ => unreachable!(),
            }
        };
        assert_eq!(after_errors, clean);
    }

    #[test]
    fn the_largest_seed_works() {
        let a = floats("seed(18446744073709551615); x = rand(3)");
        let b = floats("seed(2^64 - 1); x = rand(3)");
        assert_eq!(a, b);
        assert_ne!(a, floats("seed(0); x = rand(3)"));
    }
}
