//! Every numeric evaluation of the benchmarks goes through this module, so
//! the evaluator behind the table is chosen here and nowhere else.
//!
//! Now: the f64 interpreter (`Pool::stabilise` + `Pool::evaluate`), one
//! evaluation per output. The "compiled per point" phases are a plain loop
//! over the interpreter, one point at a time. When the compiled evaluator
//! lands, `Evaluator` wraps `Pool::compile` / `Program::run` and
//! `PointEvaluator` wraps `Pool::compile_scalar` / `ScalarProgram`: only the
//! bodies marked `SWAP` below change (and [`ENGINE`]).

use crate::Res;
use std::collections::HashMap;
use symgrad::{ExprId, Node, Pool, Shape, Values};

/// The name of the evaluator, printed as the table's column heading.
pub const ENGINE: &str = "symgrad (interpreter)";

/// Matrix-level outputs (a loss, its gradient) as functions of input symbols.
pub struct Evaluator<'p> {
    // SWAP: `program: symgrad::Program` replaces these three fields.
    pool: &'p Pool,
    outputs: Vec<ExprId>,
    inputs: Vec<ExprId>,
}

impl<'p> Evaluator<'p> {
    /// Prepares `outputs` for evaluation at values of the symbols `inputs`.
    pub fn new(pool: &'p mut Pool, outputs: &[ExprId], inputs: &[ExprId]) -> Res<Evaluator<'p>> {
        // SWAP: `let program = pool.compile(outputs, inputs)?;`
        let outputs = outputs
            .iter()
            .map(|&e| pool.stabilise(e))
            .collect::<symgrad::Result<Vec<_>>>()
            .map_err(|e| e.to_string())?;
        Ok(Evaluator {
            pool,
            outputs,
            inputs: inputs.to_vec(),
        })
    }

    /// The value of every output, the inputs bound to `values` (in order).
    pub fn run(&mut self, values: &[&Values]) -> Res<Vec<Values>> {
        // SWAP: `self.program.run(values)`
        let bindings: HashMap<ExprId, Values> = self
            .inputs
            .iter()
            .zip(values)
            .map(|(&s, &v)| (s, v.clone()))
            .collect();
        self.outputs
            .iter()
            .map(|&e| self.pool.evaluate(e, &bindings).map_err(|e| e.to_string()))
            .collect()
    }
}

/// Scalar outputs as functions of scalar variables (elements such as
/// `W[0, 1]`, or scalar symbols), evaluated at many points.
pub struct PointEvaluator<'p> {
    // SWAP: `program: symgrad::ScalarProgram` replaces these fields.
    pool: &'p Pool,
    /// All outputs as one 1×n row, so shared parts are computed once.
    row: ExprId,
    /// Each variable's symbol and position in it.
    places: Vec<(ExprId, usize, usize)>,
    /// One value per symbol, overwritten point by point.
    bindings: HashMap<ExprId, Values>,
    outputs: usize,
}

impl<'p> PointEvaluator<'p> {
    pub fn new(pool: &'p mut Pool, outputs: &[ExprId], vars: &[ExprId]) -> Res<PointEvaluator<'p>> {
        // SWAP: `let program = pool.compile_scalar(outputs, vars)?;`
        let err = |e: symgrad::Error| e.to_string();
        let row = pool
            .matrix(Shape::new(1, outputs.len()), outputs.to_vec())
            .map_err(err)?;
        let row = pool.stabilise(row).map_err(err)?;
        let mut places = Vec::with_capacity(vars.len());
        let mut bindings = HashMap::new();
        for &v in vars {
            let place = match pool.node(v) {
                Node::Element { symbol, row, col } => (*symbol, *row, *col),
                Node::Symbol { .. } => (v, 0, 0),
                _ => return Err("a point variable must be a symbol or an element".into()),
            };
            let shape = pool.shape(place.0);
            bindings.entry(place.0).or_insert_with(|| Values {
                shape,
                data: vec![0.0; shape.len()],
            });
            places.push(place);
        }
        Ok(PointEvaluator {
            pool,
            row,
            places,
            bindings,
            outputs: outputs.len(),
        })
    }

    /// The outputs at the point `x` (one number per variable) into `out`.
    pub fn eval_point(&mut self, x: &[f64], out: &mut [f64]) -> Res<()> {
        // SWAP: `self.program.eval_point(x, out); Ok(())`
        for (&(s, i, j), &xk) in self.places.iter().zip(x) {
            let v = self.bindings.get_mut(&s).ok_or("unbound variable")?;
            let cols = v.shape.cols;
            v.data[i * cols + j] = xk;
        }
        let v = self
            .pool
            .evaluate(self.row, &self.bindings)
            .map_err(|e| e.to_string())?;
        out.copy_from_slice(&v.data);
        Ok(())
    }

    /// The outputs at many points: `xs` holds the points one after another,
    /// `out` receives their outputs one after another.
    pub fn eval_points(&mut self, xs: &[f64], out: &mut [f64]) -> Res<()> {
        // SWAP: `self.program.eval_points(xs, out); Ok(())`
        let (nv, no) = (self.places.len().max(1), self.outputs);
        for (x, o) in xs.chunks(nv).zip(out.chunks_mut(no)) {
            self.eval_point(x, o)?;
        }
        Ok(())
    }
}
