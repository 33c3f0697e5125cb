//! Fused elementwise kernels: a small register program run over chunks of
//! lanes (elements of a matrix, or points), each instruction over the whole
//! chunk so the loops vectorise and no temporary outlives a chunk.

use crate::evaluate::kernels::{logsumexp, power};
use crate::{Func, fold_f64};

/// The number of lanes a kernel runs at once (its registers hold this many).
pub(crate) const LANES: usize = 128;

/// One instruction; operands are the indices of earlier instructions.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Op {
    /// The lanes of argument `k`, given by the caller's loader.
    Arg(usize),
    Imm(f64),
    Add(usize, usize),
    Mul(usize, usize),
    Pow(usize, usize),
    Apply(Func, usize),
    /// `log Σ exp` over several values, lane by lane.
    LogSumExp(Vec<usize>),
}

impl Op {
    fn operands(&self) -> Vec<usize> {
        match self {
            Op::Arg(_) | Op::Imm(_) => vec![],
            Op::Add(a, b) | Op::Mul(a, b) | Op::Pow(a, b) => vec![*a, *b],
            Op::Apply(_, a) => vec![*a],
            Op::LogSumExp(xs) => xs.clone(),
        }
    }
}

/// Builds a kernel in SSA form: each pushed op is a value, named by its index.
#[derive(Default)]
pub(crate) struct Builder {
    ops: Vec<Op>,
}

impl Builder {
    pub(crate) fn push(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// A left fold of `xs` with a binary op (the order the interpreter uses).
    pub(crate) fn fold(&mut self, xs: &[usize], op: fn(usize, usize) -> Op) -> usize {
        let mut acc = xs[0];
        for &x in &xs[1..] {
            acc = self.push(op(acc, x));
        }
        acc
    }

    /// The kernel computing the values `results`, with registers reused
    /// once a value is dead.
    pub(crate) fn finish(self, results: &[usize]) -> Kernel {
        let n = self.ops.len();
        let mut last = vec![0usize; n];
        for (k, op) in self.ops.iter().enumerate() {
            for a in op.operands() {
                last[a] = k;
            }
        }
        for &r in results {
            last[r] = usize::MAX;
        }
        let mut reg_of = vec![0usize; n];
        let mut free: Vec<usize> = Vec::new();
        let mut regs = 0;
        let mut code = Vec::with_capacity(n);
        for (k, op) in self.ops.into_iter().enumerate() {
            let dest = free.pop().unwrap_or_else(|| {
                regs += 1;
                regs - 1
            });
            reg_of[k] = dest;
            let renamed = match op {
                Op::Arg(a) => Op::Arg(a),
                Op::Imm(x) => Op::Imm(x),
                Op::Add(a, b) => Op::Add(reg_of[a], reg_of[b]),
                Op::Mul(a, b) => Op::Mul(reg_of[a], reg_of[b]),
                Op::Pow(a, b) => Op::Pow(reg_of[a], reg_of[b]),
                Op::Apply(f, a) => Op::Apply(f, reg_of[a]),
                Op::LogSumExp(ref xs) => Op::LogSumExp(xs.iter().map(|&x| reg_of[x]).collect()),
            };
            let mut operands = op.operands();
            operands.sort_unstable();
            operands.dedup();
            for a in operands {
                if last[a] == k {
                    free.push(reg_of[a]);
                }
            }
            code.push((renamed, dest));
        }
        Kernel {
            code,
            results: results.iter().map(|&r| reg_of[r]).collect(),
            regs: regs.max(1),
        }
    }
}

/// A register program: `(op, destination register)` in order.
#[derive(Clone, Debug)]
pub(crate) struct Kernel {
    code: Vec<(Op, usize)>,
    results: Vec<usize>,
    regs: usize,
}

impl Kernel {
    /// Register memory for this kernel.
    pub(crate) fn registers(&self) -> Vec<f64> {
        vec![0.0; self.regs * LANES]
    }

    /// Runs over `len ≤ LANES` lanes; `load(k, lanes)` fills argument `k`.
    pub(crate) fn run(
        &self,
        regs: &mut [f64],
        len: usize,
        load: &mut impl FnMut(usize, &mut [f64]),
    ) {
        for (op, d) in &self.code {
            let (before, rest) = regs.split_at_mut(d * LANES);
            let (dest, after) = rest.split_at_mut(LANES);
            let dest = &mut dest[..len];
            let reg = |r: usize| -> &[f64] {
                if r < *d {
                    &before[r * LANES..r * LANES + len]
                } else {
                    let o = (r - d - 1) * LANES;
                    &after[o..o + len]
                }
            };
            match op {
                Op::Arg(k) => load(*k, dest),
                Op::Imm(x) => dest.fill(*x),
                Op::Add(a, b) => zip2(dest, reg(*a), reg(*b), |x, y| x + y),
                Op::Mul(a, b) => zip2(dest, reg(*a), reg(*b), |x, y| x * y),
                Op::Pow(a, b) => zip2(dest, reg(*a), reg(*b), power),
                Op::Apply(f, a) => apply(*f, dest, reg(*a)),
                Op::LogSumExp(xs) => {
                    let mut line = vec![0.0; xs.len()];
                    for (t, out) in dest.iter_mut().enumerate() {
                        for (v, &x) in line.iter_mut().zip(xs) {
                            *v = reg(x)[t];
                        }
                        *out = logsumexp(&line);
                    }
                }
            }
        }
    }

    /// The lanes of result `k` after [`Kernel::run`].
    pub(crate) fn result<'r>(&self, regs: &'r [f64], k: usize, len: usize) -> &'r [f64] {
        let r = self.results[k];
        &regs[r * LANES..r * LANES + len]
    }
}

fn zip2(dest: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) {
    for ((d, &x), &y) in dest.iter_mut().zip(a).zip(b) {
        *d = f(x, y);
    }
}

fn apply(f: Func, dest: &mut [f64], a: &[f64]) {
    match f {
        Func::Exp => dest.iter_mut().zip(a).for_each(|(d, x)| *d = x.exp()),
        Func::Log => dest.iter_mut().zip(a).for_each(|(d, x)| *d = x.ln()),
        _ => dest
            .iter_mut()
            .zip(a)
            .for_each(|(d, &x)| *d = fold_f64(f, x)),
    }
}
