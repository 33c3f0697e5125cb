//! Every numeric evaluation of the benchmarks goes through this module, so
//! the evaluator behind the table is chosen here and nowhere else: symgrad's
//! compiled programs (`Pool::compile`, and `Pool::compile_scalar` for the
//! per-point phases).

use crate::Res;
use symgrad::{ExprId, Node, Pool, Program, ScalarProgram, Values};

/// The name of the evaluator, printed as the table's column heading.
pub const ENGINE: &str = "symgrad";

/// Matrix-level outputs (a loss, its gradient) as functions of input symbols.
pub struct Evaluator {
    program: Program,
}

impl Evaluator {
    /// Compiles `outputs` for evaluation at values of the symbols `inputs`.
    pub fn new(pool: &mut Pool, outputs: &[ExprId], inputs: &[ExprId]) -> Res<Evaluator> {
        let program = pool.compile(outputs, inputs).map_err(|e| e.to_string())?;
        Ok(Evaluator { program })
    }

    /// Runs on `n` threads from now on.
    pub fn set_threads(&mut self, n: usize) {
        self.program.set_threads(n);
    }

    /// The value of every output, the inputs bound to `values` (in order).
    pub fn run(&mut self, values: &[&Values]) -> Res<Vec<Values>> {
        self.program.run(values).map_err(|e| e.to_string())
    }
}

/// Scalar outputs as functions of scalar variables (elements such as
/// `W[0, 1]`, or scalar symbols), evaluated at many points.
pub struct PointEvaluator {
    program: ScalarProgram,
    /// Where each variable of a point goes in the program's point layout
    /// (the elements of its symbols, row-major, symbol after symbol).
    places: Vec<usize>,
    /// A point in the program's layout, and many of them.
    point: Vec<f64>,
    points: Vec<f64>,
}

impl PointEvaluator {
    pub fn new(pool: &mut Pool, outputs: &[ExprId], vars: &[ExprId]) -> Res<PointEvaluator> {
        let mut symbols: Vec<ExprId> = Vec::new();
        let mut located = Vec::with_capacity(vars.len());
        for &v in vars {
            let (symbol, row, col) = match pool.node(v) {
                Node::Element { symbol, row, col } => (*symbol, *row, *col),
                Node::Symbol { .. } => (v, 0, 0),
                _ => return Err("a point variable must be a symbol or an element".into()),
            };
            if !symbols.contains(&symbol) {
                symbols.push(symbol);
            }
            located.push((symbol, row * pool.shape(symbol).cols + col));
        }
        let offsets: Vec<usize> = symbols
            .iter()
            .scan(0, |at, &s| {
                let here = *at;
                *at += pool.shape(s).len();
                Some(here)
            })
            .collect();
        let places = located
            .iter()
            .map(|(s, k)| offsets[symbols.iter().position(|x| x == s).unwrap_or(0)] + k)
            .collect();
        let program = pool
            .compile_scalar(outputs, &symbols)
            .map_err(|e| e.to_string())?;
        Ok(PointEvaluator {
            point: vec![0.0; program.vars()],
            points: Vec::new(),
            program,
            places,
        })
    }

    /// The outputs at the point `x` (one number per variable) into `out`.
    pub fn eval_point(&mut self, x: &[f64], out: &mut [f64]) -> Res<()> {
        for (&p, &xk) in self.places.iter().zip(x) {
            self.point[p] = xk;
        }
        self.program
            .eval_point(&self.point, out)
            .map_err(|e| e.to_string())
    }

    /// The outputs at many points: `xs` holds the points one after another,
    /// `out` receives their outputs one after another.
    pub fn eval_points(&mut self, xs: &[f64], out: &mut [f64]) -> Res<()> {
        let (nv, width) = (self.places.len().max(1), self.point.len());
        if nv == width && self.places.iter().enumerate().all(|(k, &p)| k == p) {
            return self.program.eval_points(xs, out).map_err(|e| e.to_string());
        }
        self.points.clear();
        self.points.resize(xs.len() / nv * width, 0.0);
        for (x, p) in xs.chunks(nv).zip(self.points.chunks_mut(width)) {
            for (&k, &xk) in self.places.iter().zip(x) {
                p[k] = xk;
            }
        }
        self.program
            .eval_points(&self.points, out)
            .map_err(|e| e.to_string())
    }
}
