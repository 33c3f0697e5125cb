//! Fused elementwise kernels: a small register program run over chunks of
//! lanes (elements of a matrix, or points), each instruction over the whole
//! chunk so the loops vectorise and no temporary outlives a chunk.

use super::lanemath::{MulAdd, exp, exp_neg_abs, lanes_fn, ln_1p_unit};
use crate::evaluate::kernels::{logsumexp, power};
use crate::funcs::gated;
use crate::{Func, fold_f64};
use rustc_hash::FxHashMap;

/// The most lanes a kernel runs at once (its registers hold this many):
/// many, as each chunk of lanes costs a call per argument and instruction
/// (N1's loss terms: 1.5 → 0.9 ms per call with 512 lanes instead of 128).
pub(crate) const LANES: usize = 512;

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
    /// `exp(−|a|)`: the one exponential that softplus and sigmoid share.
    ExpNegAbs(usize),
    /// `log(1 + a)` for a in [0, 1].
    Ln1pUnit(usize),
    /// `1/a`.
    Recip(usize),
    /// `x` where `c > 0`, else `y`.
    IfPositive(usize, usize, usize),
    /// The product of the factors gated by `g` ([`crate::funcs::gated`]).
    Gated(usize, Vec<usize>),
}

impl Op {
    fn operands(&self) -> Vec<usize> {
        match self {
            Op::Arg(_) | Op::Imm(_) => vec![],
            Op::Add(a, b) | Op::Mul(a, b) | Op::Pow(a, b) => vec![*a, *b],
            Op::Apply(_, a) | Op::ExpNegAbs(a) | Op::Ln1pUnit(a) | Op::Recip(a) => vec![*a],
            Op::LogSumExp(xs) => xs.clone(),
            Op::Gated(g, xs) => [*g].into_iter().chain(xs.iter().copied()).collect(),
            Op::IfPositive(c, x, y) => vec![*c, *x, *y],
        }
    }

    /// The op with its operands renamed by `f`.
    fn renamed(&self, f: impl Fn(usize) -> usize) -> Op {
        match self {
            Op::Arg(a) => Op::Arg(*a),
            Op::Imm(x) => Op::Imm(*x),
            Op::Add(a, b) => Op::Add(f(*a), f(*b)),
            Op::Mul(a, b) => Op::Mul(f(*a), f(*b)),
            Op::Pow(a, b) => Op::Pow(f(*a), f(*b)),
            Op::Apply(g, a) => Op::Apply(*g, f(*a)),
            Op::LogSumExp(xs) => Op::LogSumExp(xs.iter().map(|&x| f(x)).collect()),
            Op::ExpNegAbs(a) => Op::ExpNegAbs(f(*a)),
            Op::Ln1pUnit(a) => Op::Ln1pUnit(f(*a)),
            Op::Recip(a) => Op::Recip(f(*a)),
            Op::IfPositive(c, x, y) => Op::IfPositive(f(*c), f(*x), f(*y)),
            Op::Gated(g, xs) => Op::Gated(f(*g), xs.iter().map(|&x| f(x)).collect()),
        }
    }

    /// A key equal for equal ops (immediates compared by their bits).
    fn key(&self) -> String {
        match self {
            Op::Imm(x) => format!("Imm({:#x})", x.to_bits()),
            op => format!("{op:?}"),
        }
    }
}

/// Builds a kernel in SSA form: each pushed op is a value, named by its
/// index; an op pushed twice is one value (common subexpressions shared).
#[derive(Default)]
pub(crate) struct Builder {
    ops: Vec<Op>,
    seen: FxHashMap<String, usize>,
}

impl Builder {
    pub(crate) fn push(&mut self, op: Op) -> usize {
        let key = op.key();
        if let Some(&k) = self.seen.get(&key) {
            return k;
        }
        self.ops.push(op);
        self.seen.insert(key, self.ops.len() - 1);
        self.ops.len() - 1
    }

    /// `f(a)`; softplus and sigmoid in their stable forms over one shared
    /// `e = exp(−|a|)` (also shared by `f(−a)`):
    /// softplus(a) = relu(a) + log(1 + e), σ(a) = (a > 0 ? 1 : e)/(1 + e).
    pub(crate) fn apply(&mut self, f: Func, a: usize) -> usize {
        match f {
            Func::Softplus => {
                let e = self.exp_neg_abs(a);
                let relu = self.push(Op::Apply(Func::Relu, a));
                let log = self.push(Op::Ln1pUnit(e));
                self.push(Op::Add(relu, log))
            }
            Func::Sigmoid => {
                let e = self.exp_neg_abs(a);
                let one = self.push(Op::Imm(1.0));
                let num = self.push(Op::IfPositive(a, one, e));
                let den = self.push(Op::Add(one, e));
                let inv = self.push(Op::Recip(den));
                self.push(Op::Mul(num, inv))
            }
            _ => self.push(Op::Apply(f, a)),
        }
    }

    /// `exp(−|a|)`, the same value for `a` and `−a`.
    fn exp_neg_abs(&mut self, a: usize) -> usize {
        let base = match &self.ops[a] {
            Op::Mul(x, m) | Op::Mul(m, x) if self.ops[*m] == Op::Imm(-1.0) => *x,
            _ => a,
        };
        self.push(Op::ExpNegAbs(base))
    }

    /// The product of `factors`, `gate(k)` telling whether factor k is a
    /// gate ([`crate::Pool::is_gate`]): that of the others gated by that of
    /// the gates (as the interpreter computes it).
    pub(crate) fn product(&mut self, factors: &[usize], gate: impl Fn(usize) -> bool) -> usize {
        if !(0..factors.len()).any(&gate) {
            return self.fold(factors, Op::Mul);
        }
        let (gates, others): (Vec<usize>, Vec<usize>) = (0..factors.len()).partition(|&k| gate(k));
        let pick = |ks: Vec<usize>| -> Vec<usize> { ks.into_iter().map(|k| factors[k]).collect() };
        let (gates, others) = (pick(gates), pick(others));
        let g = self.fold(&gates, Op::Mul);
        if others.is_empty() {
            return g;
        }
        self.push(Op::Gated(g, others))
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
    /// once a value is dead; with `check_results`, [`Kernel::run`] also
    /// says whether the results were finite (else its caller checks them
    /// where that matters).
    pub(crate) fn finish(self, results: &[usize], check_results: bool) -> Kernel {
        let n = self.ops.len();
        let mut last = vec![0usize; n];
        for (k, op) in self.ops.iter().enumerate() {
            for a in op.operands() {
                last[a] = k;
            }
        }
        // A value that is not finite stays so through sums and products,
        // so it is enough to check the results and the operands of the
        // other ops (which can lose one: exp(−∞) = 0, relu(NaN) = 0). A
        // gate of 0 loses an infinity on purpose.
        let mut checked = vec![false; n];
        for op in &self.ops {
            if !matches!(op, Op::Add(..) | Op::Mul(..) | Op::Gated(..)) {
                op.operands().into_iter().for_each(|a| checked[a] = true);
            }
        }
        for &r in results {
            last[r] = usize::MAX;
            checked[r] |= check_results;
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
            let renamed = op.renamed(|a| reg_of[a]);
            let mut operands = op.operands();
            operands.sort_unstable();
            operands.dedup();
            for a in operands {
                if last[a] == k {
                    free.push(reg_of[a]);
                }
            }
            code.push((renamed, dest, checked[k]));
        }
        Kernel {
            code,
            results: results.iter().map(|&r| reg_of[r]).collect(),
            regs: regs.max(1),
        }
    }
}

/// A register program: `(op, destination register, checked)` in order;
/// the values checked for being finite are enough to tell whether all were.
#[derive(Clone, Debug)]
pub(crate) struct Kernel {
    code: Vec<(Op, usize, bool)>,
    results: Vec<usize>,
    regs: usize,
}

impl Kernel {
    /// Register memory for this kernel.
    pub(crate) fn registers(&self) -> Vec<f64> {
        vec![0.0; self.regs * LANES]
    }

    /// Runs over `len` lanes, in `regs` taken as registers of `width ≥ len`
    /// lanes each (at most [`LANES`]; 1 for a single point, so its registers
    /// are adjacent); `load(k, lanes)` fills argument `k`. False when some
    /// value computed, an intermediate one included, is infinite or NaN.
    pub(crate) fn run(
        &self,
        regs: &mut [f64],
        width: usize,
        len: usize,
        load: &mut dyn FnMut(usize, &mut [f64]),
    ) -> bool {
        let mut finite = true;
        run_kernel(self, regs, width, len, load, &mut finite);
        finite
    }
}

lanes_fn! {
    /// The body of [`Kernel::run`].
    fn run_kernel(kernel: &Kernel, regs: &mut [f64], width: usize, len: usize, load: &mut dyn FnMut(usize, &mut [f64]), finite: &mut bool) {
        for (op, d, checked) in &kernel.code {
            let (before, rest) = regs.split_at_mut(d * width);
            let (dest, after) = rest.split_at_mut(width);
            let dest = &mut dest[..len];
            let reg = |r: usize| -> &[f64] {
                if r < *d {
                    &before[r * width..r * width + len]
                } else {
                    let o = (r - d - 1) * width;
                    &after[o..o + len]
                }
            };
            match op {
                Op::Arg(k) => load(*k, dest),
                Op::Imm(x) => dest.fill(*x),
                Op::Add(a, b) => zip2(dest, reg(*a), reg(*b), |x, y| x + y),
                Op::Mul(a, b) => zip2(dest, reg(*a), reg(*b), |x, y| x * y),
                Op::Gated(g, xs) => {
                    let factors: Vec<&[f64]> = xs.iter().map(|&x| reg(x)).collect();
                    if let [x] = factors[..] {
                        zip2(dest, x, reg(*g), |x, g| gated(x, g, x.is_nan()));
                    } else {
                        for (t, (d, &g)) in dest.iter_mut().zip(reg(*g)).enumerate() {
                            let product = factors.iter().map(|f| f[t]).product();
                            *d = gated(product, g, factors.iter().any(|f| f[t].is_nan()));
                        }
                    }
                }
                Op::Pow(a, b) => zip2(dest, reg(*a), reg(*b), power),
                Op::Apply(f, a) => apply::<M>(*f, dest, reg(*a)),
                Op::ExpNegAbs(a) => map1(dest, reg(*a), exp_neg_abs::<M>),
                Op::Ln1pUnit(a) => map1(dest, reg(*a), ln_1p_unit),
                Op::Recip(a) => map1(dest, reg(*a), |x| 1.0 / x),
                Op::IfPositive(c, x, y) => {
                    let (c, x, y) = (reg(*c), reg(*x), reg(*y));
                    for (k, d) in dest.iter_mut().enumerate() {
                        *d = if c[k] > 0.0 { x[k] } else { y[k] };
                    }
                }
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
            if *checked {
                *finite &= all_finite(dest);
            }
        }
    }
}

impl Kernel {
    /// [`Kernel::run`] at a single point `x` (argument `k` is `x[k]`), one
    /// value per register: the same arithmetic without the loops over
    /// lanes, which at one lane cost more than the values.
    pub(crate) fn run_point(&self, regs: &mut [f64], x: &[f64]) -> bool {
        run_point(self, regs, x)
    }

    /// The lanes of result `k` after [`Kernel::run`] with registers of
    /// `width` lanes.
    pub(crate) fn result<'r>(
        &self,
        regs: &'r [f64],
        width: usize,
        k: usize,
        len: usize,
    ) -> &'r [f64] {
        let r = self.results[k];
        &regs[r * width..r * width + len]
    }
}

lanes_fn! {
    /// The body of [`Kernel::run_point`] (as the lanes are computed: `exp`
    /// by [`exp`], `mul_add` one instruction where the lanes have it).
    fn run_point(kernel: &Kernel, regs: &mut [f64], x: &[f64]) -> bool {
        let mut finite = true;
        for (op, d, checked) in &kernel.code {
            let v = match *op {
                Op::Arg(k) => x[k],
                Op::Imm(c) => c,
                Op::Add(a, b) => regs[a] + regs[b],
                Op::Mul(a, b) => regs[a] * regs[b],
                Op::Gated(g, ref xs) => {
                    let product = xs.iter().map(|&x| regs[x]).product();
                    gated(product, regs[g], xs.iter().any(|&x| regs[x].is_nan()))
                }
                Op::Pow(a, b) => power(regs[a], regs[b]),
                Op::Apply(Func::Exp, a) => exp::<M>(regs[a]),
                Op::Apply(f, a) => fold_f64(f, regs[a]),
                Op::ExpNegAbs(a) => exp_neg_abs::<M>(regs[a]),
                Op::Ln1pUnit(a) => ln_1p_unit(regs[a]),
                Op::Recip(a) => 1.0 / regs[a],
                Op::IfPositive(c, x, y) => {
                    if regs[c] > 0.0 {
                        regs[x]
                    } else {
                        regs[y]
                    }
                }
                Op::LogSumExp(ref xs) => {
                    logsumexp(&xs.iter().map(|&x| regs[x]).collect::<Vec<_>>())
                }
            };
            regs[*d] = v;
            finite &= !checked || v.is_finite();
        }
        finite
    }
}

/// True when no value is infinite or NaN (a branch-free fold, so it vectorises).
#[inline(always)]
pub(crate) fn all_finite(xs: &[f64]) -> bool {
    xs.iter().fold(true, |ok, x| ok & x.is_finite())
}

#[inline(always)]
fn map1(dest: &mut [f64], a: &[f64], f: impl Fn(f64) -> f64) {
    for (d, &x) in dest.iter_mut().zip(a) {
        *d = f(x);
    }
}

#[inline(always)]
fn zip2(dest: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) {
    for ((d, &x), &y) in dest.iter_mut().zip(a).zip(b) {
        *d = f(x, y);
    }
}

#[inline(always)]
fn apply<M: MulAdd>(f: Func, dest: &mut [f64], a: &[f64]) {
    match f {
        Func::Exp => map1(dest, a, exp::<M>),
        Func::Log => dest.iter_mut().zip(a).for_each(|(d, x)| *d = x.ln()),
        _ => dest
            .iter_mut()
            .zip(a)
            .for_each(|(d, &x)| *d = fold_f64(f, x)),
    }
}
