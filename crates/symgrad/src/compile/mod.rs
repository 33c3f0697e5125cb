//! Compiled evaluation: expressions lowered once to a flat program of dense
//! kernels over f64 buffers (matrix products through faer, fused
//! elementwise loops, stable reductions), then run many times.
//!
//! When a program's large data has a sample axis that every operation keeps
//! column-local until a reduction consumes it (as in a loss and its
//! gradient over a data set), the program also has a *blocked* form that
//! runs over blocks of samples, accumulating the reductions, so the data is
//! read once and stays in cache. See [`plan`].

mod cache;
mod fused;
mod kernels;
mod lanemath;
mod lower;
mod picks;
mod plan;
mod scalar;
mod skinny;
mod step;
#[cfg(test)]
mod tests;

pub use scalar::ScalarProgram;

use crate::{DenseData, Error, ExprId, Pool, Result, Shape, Values};
use faer::Par;
use lower::Lowered;
use std::sync::Arc;
use step::Side;

/// Options of [`Pool::compile_with`].
#[derive(Clone, Copy, Debug)]
pub struct CompileOptions {
    /// The smallest sample count for which a blocked form is built.
    pub min_samples: usize,
}

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions { min_samples: 2048 }
    }
}

/// A compiled program: see [`Pool::compile`].
#[derive(Debug)]
pub struct Program {
    inputs: Vec<(String, Shape)>,
    whole: Lowered,
    blocked: Option<Blocked>,
    /// The samples per block, or `None` to run whole matrices.
    block: Option<usize>,
    /// The threads: blocks of samples are shared among them, and matrix
    /// products of whole matrices use them.
    threads: usize,
    par: Par,
}

/// The blocked form of a program.
#[derive(Debug)]
struct Blocked {
    program: Lowered,
    /// The number of samples.
    samples: usize,
}

/// A constant operand: dense data shared with the pool, or numbers
/// converted to floats at compile time.
#[derive(Clone, Debug)]
pub(crate) enum Const {
    Shared(Arc<DenseData>),
    Owned(Vec<f64>),
}

impl Const {
    pub(crate) fn data(&self) -> &[f64] {
        match self {
            Const::Shared(d) => match &**d {
                DenseData::Float(v) => v,
                DenseData::Exact(_) => &[],
            },
            Const::Owned(v) => v,
        }
    }
}

impl Pool {
    /// Compiles `outputs` as functions of the symbols `inputs` (their values
    /// are given at run time), from their numeric forms ([`Pool::numeric_form`],
    /// as `eval` uses).
    /// Dense data is captured by reference, never copied.
    pub fn compile(&mut self, outputs: &[ExprId], inputs: &[ExprId]) -> Result<Program> {
        self.compile_with(outputs, inputs, &CompileOptions::default())
    }

    /// [`Pool::compile`] with explicit options.
    pub fn compile_with(
        &mut self,
        outputs: &[ExprId],
        inputs: &[ExprId],
        options: &CompileOptions,
    ) -> Result<Program> {
        for &e in outputs.iter().chain(inputs) {
            if e.index() >= self.len() {
                return Err(Error::Invalid(format!(
                    "expression #{} is not in this pool",
                    e.index()
                )));
            }
        }
        let stable = outputs
            .iter()
            .map(|&e| self.numeric_form(e))
            .collect::<Result<Vec<_>>>()?;
        self.compile_stable(&stable, inputs, options)
    }

    /// Compiles expressions already in stable form.
    fn compile_stable(
        &self,
        outputs: &[ExprId],
        inputs: &[ExprId],
        options: &CompileOptions,
    ) -> Result<Program> {
        let mut names = Vec::with_capacity(inputs.len());
        for &s in inputs {
            match self.node(s) {
                crate::Node::Symbol { name, shape } => names.push((name.to_string(), *shape)),
                _ => {
                    return Err(Error::Invalid(
                        "the inputs of a compiled program must be symbols".into(),
                    ));
                }
            }
        }
        let whole = lower::lower(self, outputs, inputs, None)?;
        let blocked = match plan::plan(self, outputs, inputs, options.min_samples) {
            Some(p) => {
                let samples = p.samples;
                Some(Blocked {
                    program: lower::lower(self, outputs, inputs, Some(&p))?,
                    samples,
                })
            }
            None => None,
        };
        let block = blocked
            .as_ref()
            .map(|b| plan::default_block(&b.program, b.samples));
        Ok(Program {
            inputs: names,
            whole,
            blocked,
            block,
            threads: 1,
            par: Par::Seq,
        })
    }
}

/// The error of picking samples for a program that does not run in blocks.
fn not_blocked() -> Error {
    Error::Invalid("a program that does not run in blocks of samples cannot pick samples".into())
}

impl Program {
    /// Runs the program; `inputs[k]` holds the value of the k-th input
    /// symbol (row-major, shape checked). Buffers are reused between runs.
    pub fn run(&mut self, inputs: &[&Values]) -> Result<Vec<Values>> {
        let inputs: Vec<(Shape, &[f64])> = inputs.iter().map(|v| (v.shape, &v.data[..])).collect();
        self.run_on(&inputs)
    }

    /// [`Program::run`] on numbers held anywhere: `inputs[k]` is the shape
    /// and the row-major numbers of the k-th input, read in place.
    pub fn run_on(&mut self, inputs: &[(Shape, &[f64])]) -> Result<Vec<Values>> {
        self.check_count(inputs)?;
        for (k, &input) in inputs.iter().enumerate() {
            self.check_input(k, input, self.inputs[k].1)?;
        }
        let data: Vec<&[f64]> = inputs.iter().map(|(_, numbers)| *numbers).collect();
        match (&mut self.blocked, self.block) {
            (Some(b), Some(width)) => {
                b.program
                    .run_blocked(&data, None, b.samples, width, self.threads, self.par)
            }
            _ => self.whole.run_whole(&data, self.par),
        }
    }

    /// [`Program::run_on`] on some of the samples of data given whole: the
    /// inputs marked in `picked` hold more samples than the program
    /// declares, and it runs on their samples `samples` (in that order, as
    /// many as it declares). Each block of samples gathers its own, so they
    /// are never copied all together (`sgd`'s large batches). An error
    /// when the program does not run in blocks, or reads a picked input
    /// other than by its samples.
    pub fn run_on_samples(
        &mut self,
        inputs: &[(Shape, &[f64])],
        picked: &[bool],
        samples: &[usize],
    ) -> Result<Vec<Values>> {
        let sides = self.picked_sides(inputs, picked, samples)?;
        let shapes: Vec<Shape> = inputs.iter().map(|&(shape, _)| shape).collect();
        let picks = picks::Picks {
            samples,
            sides: &sides,
            shapes: &shapes,
        };
        let data: Vec<&[f64]> = inputs.iter().map(|(_, numbers)| *numbers).collect();
        match (&mut self.blocked, self.block) {
            (Some(b), Some(width)) => {
                b.program
                    .run_blocked(&data, Some(picks), b.samples, width, self.threads, self.par)
            }
            _ => Err(not_blocked()),
        }
    }

    /// Checks the inputs of [`Program::run_on_samples`]; for each, the side
    /// its samples are on when it is picked (`None` when it is not, or is
    /// not read).
    fn picked_sides(
        &self,
        inputs: &[(Shape, &[f64])],
        picked: &[bool],
        samples: &[usize],
    ) -> Result<Vec<Option<Side>>> {
        self.check_count(inputs)?;
        let Some(b) = self.in_blocks() else {
            return Err(not_blocked());
        };
        if samples.len() != b.samples {
            return Err(Error::Invalid(format!(
                "the program runs on {} samples, not {}",
                b.samples,
                samples.len()
            )));
        }
        let read = b.program.input_sides(inputs.len());
        let mut sides = vec![None; inputs.len()];
        for (k, &input @ (given, _)) in inputs.iter().enumerate() {
            let (name, declared) = &self.inputs[k];
            if !picked.get(k).copied().unwrap_or(false) {
                self.check_input(k, input, *declared)?;
                continue;
            }
            // Every sample is one of the `n` given.
            let within = |n: usize| match samples.iter().find(|&&j| j >= n) {
                Some(j) => Err(Error::Invalid(format!(
                    "sample {j} of {name} is past its {n} samples"
                ))),
                None => Ok(()),
            };
            // The declared shape with the samples given.
            let expected = match read[k] {
                Some(Side::Cols) => {
                    within(given.cols)?;
                    Shape::new(declared.rows, given.cols)
                }
                Some(Side::Rows) => {
                    within(given.rows)?;
                    Shape::new(given.rows, declared.cols)
                }
                None => given,
                Some(Side::Whole) => {
                    return Err(Error::Invalid(format!(
                        "the program reads {name} whole: its samples cannot be picked"
                    )));
                }
            };
            self.check_input(k, input, expected)?;
            sides[k] = read[k];
        }
        Ok(sides)
    }

    /// For a program that runs in blocks of samples, when no value it
    /// reads holds samples but its inputs (no constant): the number of
    /// samples, and which inputs it reads by samples. Its results then do
    /// not depend on the order of the samples, up to rounding, since each
    /// is computed alone and then summed.
    pub fn sampled_inputs(&self) -> Option<(usize, Vec<bool>)> {
        let b = self.in_blocks()?;
        if !b.program.samples_only_in_inputs() {
            return None;
        }
        let sides = b.program.input_sides(self.inputs.len());
        let sampled = sides
            .iter()
            .map(|s| matches!(s, Some(Side::Cols | Side::Rows)))
            .collect();
        Some((b.samples, sampled))
    }

    fn check_count(&self, inputs: &[(Shape, &[f64])]) -> Result<()> {
        if inputs.len() != self.inputs.len() {
            return Err(Error::Invalid(format!(
                "the program takes {} inputs, not {}",
                self.inputs.len(),
                inputs.len()
            )));
        }
        Ok(())
    }

    /// Checks that input `k` is shaped `expected` and holds its numbers.
    fn check_input(
        &self,
        k: usize,
        (given, numbers): (Shape, &[f64]),
        expected: Shape,
    ) -> Result<()> {
        let name = &self.inputs[k].0;
        if given != expected {
            return Err(Error::Invalid(format!(
                "the value for {name} must be {}×{}, not {}×{}",
                expected.rows, expected.cols, given.rows, given.cols
            )));
        }
        if given.rows.checked_mul(given.cols) != Some(numbers.len()) {
            return Err(Error::Invalid(format!(
                "the value for {name} is {}×{} but holds {} numbers",
                given.rows,
                given.cols,
                numbers.len()
            )));
        }
        Ok(())
    }

    /// True when every value the last [`Program::run`] computed that could
    /// be lost on the way to its results, the intermediate ones of fused
    /// loops included, was finite (not those that a product with a `step`
    /// of 0 drops, or a slice leaves out). A false here with a
    /// finite result means a NaN or infinity was lost on the way (as
    /// `relu(NaN)` gives 0): [`Pool::non_finite`] names where.
    pub fn all_finite(&self) -> bool {
        match self.in_blocks() {
            Some(b) => b.program.finite,
            None => self.whole.finite,
        }
    }

    /// The number of threads (1 by default): a blocked program shares its
    /// blocks of samples among them (each thread summing its own, added in
    /// thread order), a program on whole matrices runs its matrix products
    /// and LU factorisations on them.
    pub fn set_threads(&mut self, n: usize) {
        crate::evaluate::linalg::use_threads(n);
        self.threads = n.max(1);
        self.par = if n > 1 { Par::rayon(n) } else { Par::Seq };
    }

    /// Runs blocks of `width` samples (when the program has a blocked form),
    /// or whole matrices with `None`.
    pub fn set_block(&mut self, width: Option<usize>) {
        self.block = width.map(|w| w.max(1));
    }

    /// The bytes of the working buffers the program keeps between runs
    /// (its inputs and the pool's data it reads are not counted).
    pub fn buffer_bytes(&self) -> usize {
        let blocked = self.blocked.as_ref().map_or(0, |b| b.program.buffer_len());
        (self.whole.buffer_len() + blocked) * std::mem::size_of::<f64>()
    }

    /// The samples per block, when the program runs blocked.
    pub fn block(&self) -> Option<usize> {
        self.blocked.as_ref().and(self.block)
    }

    /// The blocked form, when the program runs blocked.
    fn in_blocks(&self) -> Option<&Blocked> {
        self.blocked.as_ref().filter(|_| self.block.is_some())
    }
}
