//! The instructions of a compiled program and how each one runs.

use super::fused::{Kernel, LANES, all_finite};
use super::picks::Picks;
use super::{Const, kernels};
use crate::evaluate::kernels as interp;
use crate::{Axis, Error, MAX_ELEMENTS, Reduction, Result, Shape, Span1, Values};
use faer::Par;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where a value lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Loc {
    Input(usize),
    Const(usize),
    Slot(usize),
}

/// Which dimension of a value runs over the samples of the current block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    Whole,
    Cols,
    Rows,
}

/// A value used by a step: where it is, its full shape, its sample side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Operand {
    pub loc: Loc,
    pub shape: Shape,
    pub side: Side,
}

/// An argument of a fused kernel.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arg {
    /// A value broadcast to the kernel's shape.
    Value(Operand),
    /// Element `k` (row-major) of a value, broadcast everywhere.
    Element(Operand, usize),
}

/// The rare operations, run by the interpreter's kernels on copies.
#[derive(Clone, Debug)]
pub(crate) enum Other {
    MatPow(i64),
    Trace,
    Diag,
    Slice(Span1, Span1),
    Det,
    LogDet,
}

/// One instruction. `out` is a slot; `acc` adds into it (a reduction over
/// the samples, accumulated block by block).
#[derive(Clone, Debug)]
pub(crate) enum Step {
    Fused {
        out: Operand,
        kernel: Kernel,
        args: Vec<Arg>,
    },
    Gemm {
        out: Operand,
        a: Operand,
        ta: bool,
        b: Operand,
        tb: bool,
        acc: bool,
    },
    Reduce {
        out: Operand,
        r: Reduction,
        axis: Axis,
        arg: Operand,
        acc: bool,
    },
    /// `softmax(arg)`, or with `log` its logarithm `arg − logsumexp(arg)`.
    Softmax {
        out: Operand,
        axis: Axis,
        arg: Operand,
        log: bool,
    },
    /// The derivative of `softmax(arg)` applied to `v` ([`Node::SoftmaxJvp`]).
    SoftmaxJvp {
        out: Operand,
        axis: Axis,
        arg: Operand,
        v: Operand,
    },
    Transpose {
        out: Operand,
        arg: Operand,
    },
    /// An explicit matrix of scalars.
    Gather {
        out: Operand,
        entries: Vec<Operand>,
    },
    /// Whole matrices stacked top to bottom (`vertical`) or left to right.
    Stack {
        out: Operand,
        parts: Vec<Operand>,
        vertical: bool,
    },
    Other {
        out: Operand,
        op: Other,
        arg: Operand,
    },
    /// `a⁻ᵏ⋅b` by LU solves (k = `times`), never forming the inverse.
    Solve {
        out: Operand,
        a: Operand,
        b: Operand,
        times: u64,
    },
}

impl Step {
    pub(crate) fn out(&self) -> Operand {
        match self {
            Step::Fused { out, .. }
            | Step::Gemm { out, .. }
            | Step::Reduce { out, .. }
            | Step::Softmax { out, .. }
            | Step::SoftmaxJvp { out, .. }
            | Step::Transpose { out, .. }
            | Step::Gather { out, .. }
            | Step::Stack { out, .. }
            | Step::Other { out, .. }
            | Step::Solve { out, .. } => *out,
        }
    }

    pub(crate) fn out_mut(&mut self) -> &mut Operand {
        match self {
            Step::Fused { out, .. }
            | Step::Gemm { out, .. }
            | Step::Reduce { out, .. }
            | Step::Softmax { out, .. }
            | Step::SoftmaxJvp { out, .. }
            | Step::Transpose { out, .. }
            | Step::Gather { out, .. }
            | Step::Stack { out, .. }
            | Step::Other { out, .. }
            | Step::Solve { out, .. } => out,
        }
    }

    /// True for a step that adds into its output.
    pub(crate) fn accumulates(&self) -> bool {
        matches!(
            self,
            Step::Gemm { acc: true, .. } | Step::Reduce { acc: true, .. }
        )
    }

    /// The operands read.
    pub(crate) fn reads(&self) -> Vec<Operand> {
        match self {
            Step::Fused { args, .. } => args
                .iter()
                .map(|a| match a {
                    Arg::Value(o) | Arg::Element(o, _) => *o,
                })
                .collect(),
            Step::Gemm { a, b, .. } | Step::Solve { a, b, .. } => vec![*a, *b],
            Step::SoftmaxJvp { arg, v, .. } => vec![*arg, *v],
            Step::Reduce { arg, .. }
            | Step::Softmax { arg, .. }
            | Step::Transpose { arg, .. }
            | Step::Other { arg, .. } => vec![*arg],
            Step::Gather { entries, .. } | Step::Stack { parts: entries, .. } => entries.clone(),
        }
    }

    /// The operands read, mutably (for renaming slots).
    pub(crate) fn reads_mut(&mut self) -> Vec<&mut Operand> {
        match self {
            Step::Fused { args, .. } => args
                .iter_mut()
                .map(|a| match a {
                    Arg::Value(o) | Arg::Element(o, _) => o,
                })
                .collect(),
            Step::Gemm { a, b, .. } | Step::Solve { a, b, .. } => vec![a, b],
            Step::SoftmaxJvp { arg, v, .. } => vec![arg, v],
            Step::Reduce { arg, .. }
            | Step::Softmax { arg, .. }
            | Step::Transpose { arg, .. }
            | Step::Other { arg, .. } => vec![arg],
            Step::Gather { entries, .. } | Step::Stack { parts: entries, .. } => {
                entries.iter_mut().collect()
            }
        }
    }
}

/// What a running step sees: the inputs, constants, slots, and the block.
pub(crate) struct Frame<'a> {
    pub inputs: &'a [&'a [f64]],
    pub consts: &'a [Const],
    pub slots: &'a [Vec<f64>],
    /// The first sample of the current block and its width.
    pub start: usize,
    pub width: usize,
    /// The inputs given whole whose samples the run picks, and, for each
    /// input, its block's samples gathered (see [`Picks`]).
    pub picks: Option<Picks<'a>>,
    pub gathered: &'a [Vec<f64>],
}

/// A row-major view: data from its first element, shape, row stride.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub data: &'a [f64],
    pub shape: Shape,
    pub stride: usize,
}

impl<'a> View<'a> {
    /// The whole of `data`, rows one after another.
    pub(crate) fn contiguous(data: &'a [f64], shape: Shape) -> View<'a> {
        View {
            data,
            shape,
            stride: shape.cols,
        }
    }

    pub(crate) fn at(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.stride + j]
    }

    /// Columns `first..first + count` (those that exist).
    pub(crate) fn columns(&self, first: usize, count: usize) -> View<'a> {
        let first = first.min(self.shape.cols);
        View {
            data: &self.data[first.min(self.data.len())..],
            shape: Shape::new(self.shape.rows, count.min(self.shape.cols - first)),
            stride: self.stride,
        }
    }

    pub(crate) fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.stride..i * self.stride + self.shape.cols]
    }

    pub(crate) fn is_contiguous(&self) -> bool {
        self.stride == self.shape.cols || self.shape.rows == 1
    }

    /// The numbers as a matrix of their own, copied a row at a time: a
    /// program's results are made so at every step of `sgd` (4 500 steps
    /// of N1 at batch 128 from the cache, median of 6 runs: copied number
    /// by number, 1.61 s; by rows, 1.46 s).
    pub(crate) fn to_values(self) -> Result<Values> {
        let mut data = crate::evaluate::alloc(self.shape)?;
        for i in 0..self.shape.rows {
            data.extend_from_slice(self.row(i));
        }
        Ok(Values {
            shape: self.shape,
            data,
        })
    }
}

impl Frame<'_> {
    /// The shape of `o` in the current block.
    pub(crate) fn shape(&self, o: &Operand) -> Shape {
        match o.side {
            Side::Whole => o.shape,
            Side::Cols => Shape::new(o.shape.rows, self.width),
            Side::Rows => Shape::new(self.width, o.shape.cols),
        }
    }

    /// The data of `o` in the current block: a leaf is sliced to the block,
    /// a slot holds only the block.
    pub(crate) fn view(&self, o: &Operand) -> View<'_> {
        let shape = self.shape(o);
        let full = match o.loc {
            Loc::Input(k) if self.picks.is_some_and(|p| p.picks(k)) => {
                return View::contiguous(&self.gathered[k], shape);
            }
            Loc::Input(k) => self.inputs[k],
            Loc::Const(k) => self.consts[k].data(),
            Loc::Slot(k) => return View::contiguous(&self.slots[k], shape),
        };
        let (offset, stride) = match o.side {
            Side::Whole => (0, o.shape.cols),
            Side::Cols => (self.start, o.shape.cols),
            Side::Rows => (self.start * o.shape.cols, o.shape.cols),
        };
        View {
            data: &full[offset..],
            shape,
            stride,
        }
    }
}

impl Step {
    /// Runs this step, writing into `out` (taken out of the slots). False
    /// when an intermediate value of a fused kernel that could be lost is
    /// infinite or NaN, or, with `check`, a value of `out`. A sum over
    /// blocks is left to be checked after the last block: once not finite,
    /// it stays so.
    pub(crate) fn run(
        &self,
        f: &Frame,
        out: &mut Vec<f64>,
        regs: &mut [f64],
        par: Par,
        interrupt: Option<&AtomicBool>,
        check: bool,
    ) -> Result<bool> {
        let stop = || match interrupt {
            Some(flag) if flag.load(Ordering::Relaxed) => Err(Error::Interrupted),
            _ => Ok(()),
        };
        let shape = f.shape(&self.out());
        let len = shape.len();
        if !self.accumulates() {
            let too_large = || {
                Error::TooLarge(format!(
                    "a {}×{} matrix is too large to evaluate",
                    shape.rows, shape.cols
                ))
            };
            if len > MAX_ELEMENTS {
                return Err(too_large());
            }
            out.clear();
            out.try_reserve_exact(len).map_err(|_| too_large())?;
            out.resize(len, 0.0);
        } else if out.len() != len {
            return Err(Error::Invalid(
                "internal error: an accumulator was not set up".into(),
            ));
        }
        let mut finite = true;
        match self {
            Step::Fused { kernel, args, .. } => finite = fused(f, shape, kernel, args, out, regs),
            Step::Gemm {
                a, ta, b, tb, acc, ..
            } => kernels::gemm(out, shape, f.view(a), *ta, f.view(b), *tb, *acc, par, &stop)?,
            Step::Reduce {
                r, axis, arg, acc, ..
            } => kernels::reduce(out, *r, *axis, f.view(arg), *acc),
            Step::Softmax { axis, arg, log, .. } => {
                let softmax = if *log {
                    kernels::log_softmax
                } else {
                    kernels::softmax
                };
                softmax(out, *axis, f.view(arg));
            }
            Step::SoftmaxJvp { axis, arg, v, .. } => {
                let (a, v) = (f.view(arg).to_values()?, f.view(v).to_values()?);
                out.copy_from_slice(&interp::softmax_jvp(*axis, &a, &v)?.data);
            }
            Step::Transpose { arg, .. } => {
                let v = f.view(arg);
                for i in 0..v.shape.rows {
                    for (j, &x) in v.row(i).iter().enumerate() {
                        out[j * v.shape.rows + i] = x;
                    }
                }
            }
            Step::Gather { entries, .. } => {
                for (o, e) in out.iter_mut().zip(entries) {
                    *o = f.view(e).at(0, 0);
                }
            }
            Step::Stack {
                parts, vertical, ..
            } => {
                let mut offset = 0;
                for p in parts {
                    let v = f.view(p);
                    for i in 0..v.shape.rows {
                        let at = match vertical {
                            true => (offset + i) * shape.cols,
                            false => i * shape.cols + offset,
                        };
                        out[at..][..v.shape.cols].copy_from_slice(v.row(i));
                    }
                    offset += if *vertical {
                        v.shape.rows
                    } else {
                        v.shape.cols
                    };
                }
            }
            Step::Other {
                op: Other::MatPow(e),
                arg,
                ..
            } if *e > 0 => {
                let v = f.view(arg);
                let a: Vec<f64> = (0..v.shape.rows).flat_map(|i| v.row(i).to_vec()).collect();
                let p = kernels::matpow(&a, v.shape.rows, e.unsigned_abs(), par, &stop)?;
                out.copy_from_slice(&p);
            }
            Step::Other { op, arg, .. } => {
                let a = f.view(arg).to_values()?;
                let v = match op {
                    Other::MatPow(n) => interp::matpow(&a, *n)?,
                    Other::Trace => interp::trace(&a)?,
                    Other::Diag => interp::diag(shape, &a)?,
                    Other::Slice(rows, cols) => interp::slice(&a, *rows, *cols)?,
                    Other::Det => crate::evaluate::linalg::det(&a)?,
                    Other::LogDet => crate::evaluate::linalg::logdet(&a)?,
                };
                if v.data.len() != len {
                    return Err(Error::Invalid("internal error: a step's shape".into()));
                }
                out.copy_from_slice(&v.data);
            }
            Step::Solve { a, b, times, .. } => {
                let (a, b) = (f.view(a).to_values()?, f.view(b).to_values()?);
                let v = crate::evaluate::linalg::solve(&a, &b, *times)?;
                if v.data.len() != len {
                    return Err(Error::Invalid("internal error: a step's shape".into()));
                }
                out.copy_from_slice(&v.data);
            }
        }
        Ok(finite && (self.accumulates() || !check || all_finite(out)))
    }
}

/// Runs a fused kernel over every element of `shape` (row-major), in chunks
/// of lanes that run across rows, so short rows cost no more than long ones.
fn fused(
    f: &Frame,
    shape: Shape,
    kernel: &Kernel,
    args: &[Arg],
    out: &mut [f64],
    regs: &mut [f64],
) -> bool {
    let mut finite = true;
    let views: Vec<(View, Option<usize>)> = args
        .iter()
        .map(|a| match a {
            Arg::Value(o) => (f.view(o), None),
            Arg::Element(o, k) => (f.view(o), Some(*k)),
        })
        .collect();
    let total = shape.len();
    let mut start = 0;
    while start < total {
        let len = LANES.min(total - start);
        finite &= kernel.run(regs, LANES, len, &mut |k, dest: &mut [f64]| {
            let (v, element) = &views[k];
            if let Some(e) = element {
                dest.fill(v.data[*e]);
            } else if v.shape.is_scalar() {
                dest.fill(v.data[0]);
            } else if v.shape == shape && v.is_contiguous() {
                dest.copy_from_slice(&v.data[start..start + len]);
            } else {
                load_broadcast(dest, v, shape.cols, start);
            }
        });
        out[start..start + len].copy_from_slice(kernel.result(regs, LANES, 0, len));
        start += len;
    }
    finite
}

/// Loads the elements `start..start + dest.len()` (row-major, rows of
/// `cols`) of `v` broadcast to the kernel's shape: `v` is that shape with a
/// row stride, a row, or a column. One copy or fill per row met.
fn load_broadcast(dest: &mut [f64], v: &View, cols: usize, start: usize) {
    let mut done = 0;
    while done < dest.len() {
        let (i, j) = ((start + done) / cols, (start + done) % cols);
        let n = (cols - j).min(dest.len() - done);
        let d = &mut dest[done..done + n];
        if v.shape.cols == cols && v.shape.rows > 1 {
            let o = i * v.stride + j;
            d.copy_from_slice(&v.data[o..o + n]);
        } else if v.shape.rows == 1 {
            d.copy_from_slice(&v.data[j..j + n]);
        } else {
            d.fill(v.data[i * v.stride]);
        }
        done += n;
    }
}
