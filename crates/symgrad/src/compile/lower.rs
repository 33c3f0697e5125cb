//! Lowering a DAG to a flat list of steps over slots, and running it.

use super::Const;
use super::fused::{Builder, Op};
use super::picks::Picks;
use super::plan::{Phase, Plan};
use super::step::{Arg, Frame, Loc, Operand, Other, Side, Step};
use crate::{Axis, DenseData, Error, ExprId, Node, Num, Pool, Reduction, Result, Shape, Values};
use faer::Par;
use rustc_hash::{FxHashMap, FxHashSet};

/// A lowered program: steps in phases, with its constants and slots.
#[derive(Debug)]
pub(crate) struct Lowered {
    steps: Vec<Step>,
    consts: Vec<Const>,
    outputs: Vec<Operand>,
    /// The end of the steps before the blocks, and of the block's steps.
    pre_end: usize,
    block_end: usize,
    slots: Vec<Vec<f64>>,
    regs: Vec<f64>,
    /// Each input's block of picked samples (see [`Picks`]).
    gathered: Vec<Vec<f64>>,
    /// Whether each step's value is checked for being finite (see
    /// [`checked_steps`]).
    checked: Vec<bool>,
    /// False after a run in which some value was infinite or NaN.
    pub(crate) finite: bool,
    /// The pool's Ctrl-C flag, checked before each step.
    interrupt: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The buffers of the other threads running blocks.
    helpers: Vec<Work>,
}

struct Lower<'p> {
    pool: &'p Pool,
    plan: Option<&'p Plan>,
    inputs: FxHashMap<ExprId, usize>,
    inlined: FxHashSet<ExprId>,
    /// `a − logsumexp(a)` nodes computed as one log-softmax step, with the
    /// logsumexp and its negation read by nothing else (so not computed).
    log_softmax: FxHashMap<ExprId, (ExprId, Axis)>,
    unused: FxHashSet<ExprId>,
    gemm_only: FxHashSet<ExprId>,
    /// Inverse powers `A⁻ᵏ` only read as the left factor of products that
    /// are computed whole: those products are LU solves, `A⁻ᵏ` is never made.
    solved: FxHashSet<ExprId>,
    values: FxHashMap<ExprId, Operand>,
    /// The products computed (not accumulated), by their factors.
    products: FxHashMap<Factors, Operand>,
    /// Steps to run first after the blocks (transposing accumulations).
    deferred: Vec<Step>,
    consts: Vec<Const>,
    steps: Vec<Step>,
    slots: usize,
}

/// The factors of a product `op(a)⋅op(b)`: where each is, and whether it is
/// read transposed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Factors(Loc, bool, Loc, bool);

impl Factors {
    /// The factors of the transposed product, `op(b)ᵀ⋅op(a)ᵀ`.
    fn flipped(self) -> Factors {
        Factors(self.2, !self.3, self.0, !self.1)
    }
}

/// Lowers `outputs` (functions of the symbols `inputs`), blocked by `plan`
/// when given.
pub(crate) fn lower(
    pool: &Pool,
    outputs: &[ExprId],
    inputs: &[ExprId],
    plan: Option<&Plan>,
) -> Result<Lowered> {
    let mut order: Vec<ExprId> = outputs.iter().flat_map(|&e| pool.reachable(e)).collect();
    order.sort_unstable();
    order.dedup();
    let mut l = Lower {
        pool,
        plan,
        inputs: inputs.iter().enumerate().map(|(k, &s)| (s, k)).collect(),
        inlined: FxHashSet::default(),
        log_softmax: FxHashMap::default(),
        unused: FxHashSet::default(),
        gemm_only: FxHashSet::default(),
        solved: FxHashSet::default(),
        values: FxHashMap::default(),
        products: FxHashMap::default(),
        deferred: Vec::new(),
        consts: Vec::new(),
        steps: Vec::new(),
        slots: 0,
    };
    l.analyse(&order, outputs);
    let mut ends = [0; 3];
    for (k, phase) in [Phase::Pre, Phase::Block, Phase::Post]
        .into_iter()
        .enumerate()
    {
        if phase == Phase::Post {
            l.steps.append(&mut l.deferred);
        }
        for &id in &order {
            if l.phase(id) == phase {
                pool.check_interrupt()?;
                l.lower_node(id)?;
            }
        }
        ends[k] = l.steps.len();
    }
    let outs = outputs
        .iter()
        .map(|&e| l.operand(e))
        .collect::<Result<Vec<_>>>()?;
    let mut lowered = Lowered {
        regs: Vec::new(),
        checked: checked_steps(&l.steps, &outs),
        steps: l.steps,
        consts: l.consts,
        outputs: outs,
        pre_end: ends[0],
        block_end: ends[1],
        slots: Vec::new(),
        gathered: Vec::new(),
        finite: true,
        interrupt: pool.interrupt_flag(),
        helpers: Vec::new(),
    };
    lowered.allocate_slots(l.slots);
    let regs = lowered
        .steps
        .iter()
        .map(|s| match s {
            Step::Fused { kernel, .. } => kernel.registers().len(),
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    lowered.regs = vec![0.0; regs];
    Ok(lowered)
}

/// Whether each step's value is checked for being infinite or NaN: where
/// it is an output, or read by a step that could lose such a value (a
/// softmax turns −∞ into 0). Not where it is read only by fused kernels,
/// which check the operands of their ops that could lose one and let a
/// gate of 0 drop an infinity ([`crate::funcs::gated`]), or by steps that
/// move values (a transpose, gather, stack, slice or diagonal), whose own
/// values are judged so in turn. Slots are still one per step here.
fn checked_steps(steps: &[Step], outputs: &[Operand]) -> Vec<bool> {
    let mut read_unsafely = FxHashSet::default();
    let slots = |os: &[Operand]| -> Vec<usize> {
        os.iter()
            .filter_map(|o| match o.loc {
                Loc::Slot(v) => Some(v),
                _ => None,
            })
            .collect()
    };
    read_unsafely.extend(slots(outputs));
    for step in steps {
        let keeps = matches!(
            step,
            Step::Fused { .. }
                | Step::Transpose { .. }
                | Step::Gather { .. }
                | Step::Stack { .. }
                | Step::Other {
                    op: Other::Slice(..) | Other::Diag,
                    ..
                }
        );
        if !keeps {
            read_unsafely.extend(slots(&step.reads()));
        }
    }
    steps
        .iter()
        .map(|s| matches!(s.out().loc, Loc::Slot(v) if read_unsafely.contains(&v)))
        .collect()
}

fn elementwise(n: &Node) -> bool {
    matches!(
        n,
        Node::Add(_) | Node::Mul(_) | Node::Pow(..) | Node::Apply(..)
    )
}

impl Lower<'_> {
    fn phase(&self, id: ExprId) -> Phase {
        self.plan.map_or(Phase::Pre, |p| p.phase(id))
    }

    fn side(&self, id: ExprId) -> Side {
        self.plan.map_or(Side::Whole, |p| p.side(id))
    }

    /// Decides which elementwise nodes are fused into their (only) parent
    /// and which transposes are only read by matrix products.
    fn analyse(&mut self, order: &[ExprId], outputs: &[ExprId]) {
        let mut uses: FxHashMap<ExprId, usize> = FxHashMap::default();
        let mut other_use: FxHashSet<ExprId> = outputs.iter().copied().collect();
        let mut not_solved = other_use.clone();
        for &id in order {
            let node = self.pool.node(id);
            for c in node.children() {
                *uses.entry(c).or_default() += 1;
                if !matches!(node, Node::MatMul(..)) {
                    other_use.insert(c);
                }
            }
            match node {
                Node::MatMul(a, b) if self.solvable(id, *a, *b) => {
                    not_solved.insert(*b);
                }
                node => not_solved.extend(node.children()),
            }
        }
        for &id in order {
            if matches!(self.pool.node(id), Node::MatPow(..)) && !not_solved.contains(&id) {
                self.solved.insert(id);
                // The right factor of the solve is read as it is.
                other_use.extend(order.iter().filter_map(|&m| match self.pool.node(m) {
                    Node::MatMul(a, b) if *a == id => Some(*b),
                    _ => None,
                }));
            }
        }
        // Not in the blocks of a program blocked over samples: there the
        // separate step made N1 7 % slower than `a − logsumexp` fused into
        // its consumer, so large data sets keep that.
        for &id in order {
            if let Some((a, axis, negated, lse)) = self.log_softmax_parts(id)
                && self.phase(id) != Phase::Block
            {
                self.log_softmax.insert(id, (a, axis));
                let only_here = |x: &ExprId| uses[x] == 1 && !outputs.contains(x);
                if only_here(&negated) && only_here(&lse) {
                    self.unused.extend([negated, lse]);
                }
            }
        }
        for &id in order {
            let node = self.pool.node(id);
            if matches!(node, Node::Transpose(_)) && !other_use.contains(&id) {
                self.gemm_only.insert(id);
            }
            if !elementwise(node) || self.log_softmax.contains_key(&id) {
                continue;
            }
            for c in node.children() {
                if elementwise(self.pool.node(c))
                    && !self.log_softmax.contains_key(&c)
                    && uses[&c] == 1
                    && !outputs.contains(&c)
                    && self.pool.shape(c) == self.pool.shape(id)
                    && self.side(c) == self.side(id)
                    && self.phase(c) == self.phase(id)
                {
                    self.inlined.insert(c);
                }
            }
        }
    }

    /// `(a, axis, −logsumexp(a), logsumexp(a))` when `id` is `a − logsumexp(a,
    /// axis)` of the shape of `a` (the numeric form of `log(softmax(a))`).
    fn log_softmax_parts(&self, id: ExprId) -> Option<(ExprId, Axis, ExprId, ExprId)> {
        let pool = self.pool;
        let Node::Add(ts) = pool.node(id) else {
            return None;
        };
        let &[x, y] = ts.as_slice() else {
            return None;
        };
        let is_negated = |t: ExprId| match pool.node(t) {
            Node::Mul(fs) if fs.len() == 2 && pool.is_int(fs[0], -1) => Some(fs[1]),
            _ => None,
        };
        let (a, negated, lse) = match (is_negated(x), is_negated(y)) {
            (_, Some(l)) => (x, y, l),
            (Some(l), None) => (y, x, l),
            (None, None) => return None,
        };
        match *pool.node(lse) {
            Node::Reduce(Reduction::LogSumExp, axis, b)
                if b == a && pool.shape(id) == pool.shape(a) =>
            {
                Some((a, axis, negated, lse))
            }
            _ => None,
        }
    }

    /// True when the product `id` = `a⋅b` can be computed by LU solves: `a`
    /// is `A⁻ᵏ` (k ≤ `SOLVE_POWER_LIMIT`) of a value that is the same for every sample, and
    /// the product is not accumulated over samples.
    fn solvable(&self, id: ExprId, a: ExprId, b: ExprId) -> bool {
        matches!(self.pool.node(a), Node::MatPow(x, n)
            if (-crate::evaluate::SOLVE_POWER_LIMIT..0).contains(n) && self.side(*x) == Side::Whole)
            && self.side(a) == Side::Whole
            && self.side(b) != Side::Rows
            && !self.plan.is_some_and(|p| p.accumulated(id))
    }

    /// A new slot for the value of `id`.
    fn out(&mut self, id: ExprId) -> Operand {
        self.slots += 1;
        Operand {
            loc: Loc::Slot(self.slots - 1),
            shape: self.pool.shape(id),
            side: self.side(id),
        }
    }

    fn constant(&mut self, c: Const, shape: Shape) -> Operand {
        self.consts.push(c);
        Operand {
            loc: Loc::Const(self.consts.len() - 1),
            shape,
            side: Side::Whole,
        }
    }

    /// The operand holding the value of `id`; numbers and elements are
    /// made on first use.
    fn operand(&mut self, id: ExprId) -> Result<Operand> {
        if let Some(o) = self.values.get(&id) {
            return Ok(*o);
        }
        let o = match self.pool.node(id) {
            Node::Num(_) | Node::Const(_) => {
                let x = self.number(id).unwrap_or(f64::NAN);
                self.constant(Const::Owned(vec![x]), Shape::SCALAR)
            }
            Node::Element { .. } => {
                let (arg, builder) = (self.element(id)?, Builder::default());
                let mut b = builder;
                let r = b.push(Op::Arg(0));
                let out = self.out(id);
                self.steps.push(Step::Fused {
                    out,
                    kernel: b.finish(&[r], false),
                    args: vec![arg],
                });
                out
            }
            _ => {
                return Err(Error::Invalid(
                    "internal error in compilation: a child was not lowered".into(),
                ));
            }
        };
        self.values.insert(id, o);
        Ok(o)
    }

    fn number(&self, id: ExprId) -> Option<f64> {
        match self.pool.node(id) {
            Node::Num(n) => Some(n.to_f64()),
            Node::Const(crate::Constant::E) => Some(std::f64::consts::E),
            Node::Const(crate::Constant::Pi) => Some(std::f64::consts::PI),
            _ => None,
        }
    }

    /// The argument reading element `W[i, j]` of a symbol.
    fn element(&mut self, id: ExprId) -> Result<Arg> {
        let Node::Element { symbol, row, col } = self.pool.node(id) else {
            return Err(Error::Invalid("internal error: not an element".into()));
        };
        let (row, col) = (*row, *col);
        let o = self.operand(*symbol)?;
        if row >= o.shape.rows || col >= o.shape.cols {
            return Err(Error::IndexOutOfRange {
                index: format!("[{row}, {col}]"),
                shape: o.shape,
            });
        }
        Ok(Arg::Element(o, row * o.shape.cols + col))
    }

    /// An operand of a matrix product: a transpose read as a strided view.
    fn gemm_operand(&mut self, x: ExprId) -> Result<(Operand, bool)> {
        match self.pool.node(x) {
            Node::Transpose(inner) if self.gemm_only.contains(&x) => {
                Ok((self.operand(*inner)?, true))
            }
            _ => Ok((self.operand(x)?, false)),
        }
    }

    fn lower_node(&mut self, id: ExprId) -> Result<()> {
        let pool = self.pool;
        let node = pool.node(id);
        let shape = pool.shape(id);
        let acc = self.plan.is_some_and(|p| p.accumulated(id));
        let step = match node {
            Node::Num(_) | Node::Const(_) | Node::Element { .. } => return Ok(()),
            Node::Symbol { name, .. } => {
                let k = *self
                    .inputs
                    .get(&id)
                    .ok_or_else(|| Error::Invalid(format!("{name} is unbound")))?;
                let o = Operand {
                    loc: Loc::Input(k),
                    shape,
                    side: self.side(id),
                };
                self.values.insert(id, o);
                return Ok(());
            }
            Node::Dense(d) => {
                let c = match d.data() {
                    DenseData::Float(_) => Const::Shared(d.shared()),
                    DenseData::Exact(v) => Const::Owned(v.iter().map(Num::to_f64).collect()),
                };
                let mut o = self.constant(c, shape);
                o.side = self.side(id);
                self.values.insert(id, o);
                return Ok(());
            }
            _ if self.unused.contains(&id) => return Ok(()),
            _ if self.log_softmax.contains_key(&id) => {
                let (a, axis) = self.log_softmax[&id];
                Step::Softmax {
                    arg: self.operand(a)?,
                    out: self.out(id),
                    axis,
                    log: true,
                }
            }
            _ if elementwise(node) => {
                if self.inlined.contains(&id) {
                    return Ok(());
                }
                self.fused(id)?
            }
            Node::Transpose(a) => {
                if self.gemm_only.contains(&id) {
                    return Ok(());
                }
                Step::Transpose {
                    arg: self.operand(*a)?,
                    out: self.out(id),
                }
            }
            Node::MatPow(..) if self.solved.contains(&id) => return Ok(()),
            Node::MatMul(a, b) if self.solved.contains(a) => {
                let Node::MatPow(x, n) = pool.node(*a) else {
                    return Err(Error::Invalid("internal error: a solve".into()));
                };
                Step::Solve {
                    a: self.operand(*x)?,
                    b: self.operand(*b)?,
                    out: self.out(id),
                    times: n.unsigned_abs(),
                }
            }
            Node::MatMul(a, b) => {
                let ((a, ta), (b, tb)) = (self.gemm_operand(*a)?, self.gemm_operand(*b)?);
                return self.product(id, (a, ta), (b, tb), acc);
            }
            Node::Reduce(r, axis, a) => Step::Reduce {
                arg: self.operand(*a)?,
                out: self.out(id),
                r: *r,
                axis: *axis,
                acc,
            },
            Node::Softmax(axis, a) => Step::Softmax {
                arg: self.operand(*a)?,
                out: self.out(id),
                axis: *axis,
                log: false,
            },
            Node::SoftmaxJvp(axis, a, v) => Step::SoftmaxJvp {
                arg: self.operand(*a)?,
                v: self.operand(*v)?,
                out: self.out(id),
                axis: *axis,
            },
            Node::Matrix { entries, .. } => Step::Gather {
                entries: entries
                    .iter()
                    .map(|&e| self.operand(e))
                    .collect::<Result<_>>()?,
                out: self.out(id),
            },
            Node::MatPow(a, n) => self.other(id, *a, Other::MatPow(*n))?,
            Node::Trace(a) => self.other(id, *a, Other::Trace)?,
            Node::Diag(a) => self.other(id, *a, Other::Diag)?,
            Node::Det(a) => self.other(id, *a, Other::Det)?,
            Node::LogDet(a) => self.other(id, *a, Other::LogDet)?,
            Node::Slice { arg, rows, cols } => self.other(id, *arg, Other::Slice(*rows, *cols))?,
            Node::Stack { vertical, parts } => Step::Stack {
                parts: parts
                    .iter()
                    .map(|&p| self.operand(p))
                    .collect::<Result<_>>()?,
                out: self.out(id),
                vertical: *vertical,
            },
            _ => return Err(Error::Invalid("internal error: an unknown node".into())),
        };
        self.values.insert(id, step.out());
        self.steps.push(step);
        Ok(())
    }

    /// Lowers the product `op(a)⋅op(b)` of `id`, as the transpose of a
    /// product already computed, or directly, or as the transpose of
    /// `op(b)ᵀ⋅op(a)ᵀ` when that one is faster (see [`transpose_faster`]);
    /// an accumulation is then kept transposed and transposed once after the
    /// blocks.
    fn product(
        &mut self,
        id: ExprId,
        (a, ta): (Operand, bool),
        (b, tb): (Operand, bool),
        acc: bool,
    ) -> Result<()> {
        let factors = Factors(a.loc, ta, b.loc, tb);
        let known = if acc {
            None
        } else {
            self.products.get(&factors.flipped()).copied()
        };
        let direct = known.is_none() && !transpose_faster((a, ta), (b, tb));
        let out = self.out(id);
        let arg = match known {
            Some(t) => t,
            None if direct => {
                self.steps.push(Step::Gemm {
                    out,
                    a,
                    ta,
                    b,
                    tb,
                    acc,
                });
                if !acc {
                    self.products.insert(factors, out);
                }
                self.values.insert(id, out);
                return Ok(());
            }
            None => {
                self.slots += 1;
                let t = Operand {
                    loc: Loc::Slot(self.slots - 1),
                    shape: Shape::new(out.shape.cols, out.shape.rows),
                    side: match out.side {
                        Side::Cols => Side::Rows,
                        Side::Rows => Side::Cols,
                        Side::Whole => Side::Whole,
                    },
                };
                self.steps.push(Step::Gemm {
                    out: t,
                    a: b,
                    ta: !tb,
                    b: a,
                    tb: !ta,
                    acc,
                });
                if !acc {
                    self.products.insert(factors.flipped(), t);
                }
                t
            }
        };
        let step = Step::Transpose { out, arg };
        if acc {
            self.deferred.push(step);
        } else {
            self.steps.push(step);
        }
        self.values.insert(id, out);
        Ok(())
    }

    fn other(&mut self, id: ExprId, a: ExprId, op: Other) -> Result<Step> {
        Ok(Step::Other {
            arg: self.operand(a)?,
            out: self.out(id),
            op,
        })
    }

    /// One fused kernel for `id` and the elementwise nodes inlined into it.
    fn fused(&mut self, id: ExprId) -> Result<Step> {
        let pool = self.pool;
        let mut members = vec![id];
        let mut stack = vec![id];
        while let Some(x) = stack.pop() {
            for c in pool.node(x).children() {
                if self.inlined.contains(&c) && !members.contains(&c) {
                    members.push(c);
                    stack.push(c);
                }
            }
        }
        members.sort_unstable();
        let mut b = Builder::default();
        let mut reg: FxHashMap<ExprId, usize> = FxHashMap::default();
        let mut args: Vec<Arg> = Vec::new();
        for &m in &members {
            let node = pool.node(m);
            let mut rs = Vec::new();
            for c in node.children() {
                let r = match reg.get(&c) {
                    Some(&r) => r,
                    None => {
                        let r = if let Some(x) = self.number(c) {
                            b.push(Op::Imm(x))
                        } else {
                            let arg = match pool.node(c) {
                                Node::Element { .. } => self.element(c)?,
                                _ => Arg::Value(self.operand(c)?),
                            };
                            args.push(arg);
                            b.push(Op::Arg(args.len() - 1))
                        };
                        reg.insert(c, r);
                        r
                    }
                };
                rs.push(r);
            }
            let r = match node {
                Node::Add(_) => b.fold(&rs, Op::Add),
                Node::Mul(fs) => b.product(&rs, |k| pool.is_gate(fs[k])),
                Node::Pow(..) => b.push(Op::Pow(rs[0], rs[1])),
                Node::Apply(f, _) => b.apply(*f, rs[0]),
                _ => return Err(Error::Invalid("internal error: not elementwise".into())),
            };
            reg.insert(m, r);
        }
        Ok(Step::Fused {
            kernel: b.finish(&[reg[&id]], false),
            args,
            out: self.out(id),
        })
    }
}

/// True when `op(a)⋅op(b)` (a row-major result) is faster computed as the
/// transpose of `op(b)ᵀ⋅op(a)ᵀ`. faer's kernel runs down the columns of a
/// column-major result, so for a row-major one it streams `op(b)ᵀ`, first
/// copying (packing) it when its columns are not contiguous, that is when
/// `b` is read transposed; computed the other way, it streams `op(a)`,
/// packed unless `a` is read transposed. The other way is faster when it
/// packs a smaller factor or none: when the result is thin (10 classes), a
/// copy of the large factor costs about as much as the product itself (N1
/// with samples as columns: the gradient's product 21 → 16 ms per call).
fn transpose_faster((a, ta): (Operand, bool), (b, tb): (Operand, bool)) -> bool {
    let thin = |o: Operand| o.shape.rows == 1 || o.shape.cols == 1;
    tb && !thin(a) && !thin(b) && (ta || a.shape.len() < b.shape.len())
}

impl Lowered {
    /// Maps the virtual slots (one per step) to as few buffers as liveness
    /// allows. Values made before the blocks and read in them live through
    /// all the blocks; accumulators get their buffers before the blocks.
    fn allocate_slots(&mut self, virtuals: usize) {
        let n = self.steps.len();
        let mut def = vec![usize::MAX; virtuals];
        let mut last = vec![0usize; virtuals];
        let mut accumulator = vec![false; virtuals];
        for (k, s) in self.steps.iter().enumerate() {
            if let Loc::Slot(v) = s.out().loc {
                def[v] = k;
                accumulator[v] = s.accumulates();
            }
            for o in s.reads() {
                if let Loc::Slot(v) = o.loc {
                    last[v] = last[v].max(k);
                }
            }
        }
        for o in &self.outputs {
            if let Loc::Slot(v) = o.loc {
                last[v] = usize::MAX;
            }
        }
        for v in 0..virtuals {
            if def[v] < self.pre_end && (self.pre_end..self.block_end).contains(&last[v]) {
                last[v] = self.block_end.max(1) - 1;
            }
        }
        let mut phys = vec![usize::MAX; virtuals];
        let mut free: Vec<usize> = Vec::new();
        let mut count = 0;
        let mut take = |free: &mut Vec<usize>| {
            free.pop().unwrap_or_else(|| {
                count += 1;
                count - 1
            })
        };
        for k in 0..n {
            if k == self.pre_end {
                for v in (0..virtuals).filter(|&v| accumulator[v]) {
                    phys[v] = take(&mut free);
                }
            }
            let step = &mut self.steps[k];
            let out = step.out_mut();
            if let Loc::Slot(v) = out.loc {
                if phys[v] == usize::MAX {
                    phys[v] = take(&mut free);
                }
                out.loc = Loc::Slot(phys[v]);
            }
            let mut dead = Vec::new();
            for o in step.reads_mut() {
                if let Loc::Slot(v) = o.loc {
                    o.loc = Loc::Slot(phys[v]);
                    if last[v] == k {
                        dead.push(v);
                    }
                }
            }
            // Pre values read in the blocks are freed once the blocks end.
            if k + 1 == self.block_end {
                dead.extend(
                    (0..virtuals).filter(|&v| {
                        def[v] < self.pre_end && last[v] == k && phys[v] != usize::MAX
                    }),
                );
            }
            dead.sort_unstable();
            dead.dedup();
            free.extend(dead.into_iter().map(|v| phys[v]));
        }
        for o in &mut self.outputs {
            if let Loc::Slot(v) = o.loc {
                o.loc = Loc::Slot(phys[v]);
            }
        }
        self.slots = vec![Vec::new(); count];
    }

    /// The bytes of sample-sliced operands per sample of a block.
    pub(crate) fn sliced_bytes_per_sample(&self) -> usize {
        let mut seen = FxHashSet::default();
        let mut total = 0;
        for s in &self.steps {
            for o in s.reads().into_iter().chain([s.out()]) {
                let per = match o.side {
                    Side::Whole => continue,
                    Side::Cols => o.shape.rows,
                    Side::Rows => o.shape.cols,
                };
                if seen.insert(o.loc) {
                    total += 8 * per;
                }
            }
        }
        total
    }

    /// True when a step reads a block of data (an input or constant) that
    /// holds its samples as columns: the block is then one piece of each
    /// row of that data.
    pub(crate) fn reads_column_blocks(&self) -> bool {
        let data_by_columns = |o: &Operand| {
            o.side == Side::Cols && o.shape.rows > 1 && !matches!(o.loc, Loc::Slot(_))
        };
        self.steps
            .iter()
            .any(|s| s.reads().iter().any(data_by_columns))
    }

    #[allow(clippy::too_many_arguments)]
    fn run_steps(
        &mut self,
        range: std::ops::Range<usize>,
        inputs: &[&[f64]],
        picks: Option<Picks>,
        start: usize,
        width: usize,
        par: Par,
    ) -> Result<()> {
        let mut work = Work {
            slots: std::mem::take(&mut self.slots),
            regs: std::mem::take(&mut self.regs),
            gathered: std::mem::take(&mut self.gathered),
            finite: self.finite,
        };
        let r = self
            .runner(inputs, picks)
            .run(&mut work, range, start, width, par);
        self.slots = work.slots;
        self.regs = work.regs;
        self.gathered = work.gathered;
        self.finite = work.finite;
        r
    }

    fn runner<'a>(&'a self, inputs: &'a [&'a [f64]], picks: Option<Picks<'a>>) -> Runner<'a> {
        Runner {
            steps: &self.steps,
            checked: &self.checked,
            consts: &self.consts,
            interrupt: self.interrupt.as_deref(),
            inputs,
            picks,
        }
    }

    fn results(&self, inputs: &[&[f64]]) -> Result<Vec<Values>> {
        let frame = Frame {
            inputs,
            consts: &self.consts,
            slots: &self.slots,
            start: 0,
            width: 0,
            picks: None,
            gathered: &[],
        };
        self.outputs
            .iter()
            .map(|o| frame.view(o).to_values())
            .collect()
    }

    /// The numbers held in working buffers (grown by runs, kept between them).
    pub(crate) fn buffer_len(&self) -> usize {
        let held = |v: &Vec<Vec<f64>>| v.iter().map(Vec::capacity).sum::<usize>();
        held(&self.slots) + held(&self.gathered) + self.regs.capacity()
    }

    /// How each of `count` inputs is read: `None` when no step reads it,
    /// else the side of its samples (`Side::Whole` when any read is whole).
    pub(crate) fn input_sides(&self, count: usize) -> Vec<Option<Side>> {
        let mut sides = vec![None; count];
        let reads = self.steps.iter().flat_map(Step::reads);
        for o in reads.chain(self.outputs.iter().copied()) {
            if let Loc::Input(k) = o.loc {
                sides[k] = match sides[k] {
                    Some(side) if side != o.side => Some(Side::Whole),
                    _ => Some(o.side),
                };
            }
        }
        sides
    }

    /// True when every operand read by samples is an input (no constant
    /// has the sample axis).
    pub(crate) fn samples_only_in_inputs(&self) -> bool {
        let reads = self.steps.iter().flat_map(Step::reads);
        reads
            .filter(|o| o.side != Side::Whole)
            .all(|o| !matches!(o.loc, Loc::Const(_)))
    }

    /// Runs every step on whole matrices.
    pub(crate) fn run_whole(&mut self, inputs: &[&[f64]], par: Par) -> Result<Vec<Values>> {
        self.finite = true;
        self.run_steps(0..self.steps.len(), inputs, None, 0, 0, par)?;
        self.results(inputs)
    }

    /// Runs the steps before the blocks, the block's steps over each block
    /// of `width` samples (of `picks`, when given), then the rest.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn run_blocked(
        &mut self,
        inputs: &[&[f64]],
        picks: Option<Picks>,
        samples: usize,
        width: usize,
        threads: usize,
        par: Par,
    ) -> Result<Vec<Values>> {
        self.finite = true;
        self.run_steps(0..self.pre_end, inputs, None, 0, 0, par)?;
        let sums = self.sums();
        for &(s, len) in &sums {
            self.slots[s].clear();
            self.slots[s].resize(len, 0.0);
        }
        // Whole blocks per thread, as many to each as can be.
        let blocks = samples.div_ceil(width);
        let threads = threads.clamp(1, blocks.max(1));
        let per = blocks.div_ceil(threads) * width;
        let range = self.pre_end..self.block_end;
        if threads == 1 {
            let mut start = 0;
            while start < samples {
                let w = width.min(samples - start);
                self.run_steps(range.clone(), inputs, picks, start, w, par)?;
                start += w;
            }
        } else {
            self.run_threads(range, inputs, picks, &sums, samples, per, width)?;
        }
        // The sums over blocks, checked once here rather than after every
        // block (N1's gradient is 7 840 numbers, summed over 250 blocks a
        // call as columns: 63.3 → 62.2 ms).
        for &(s, _) in &sums {
            self.finite &= super::fused::all_finite(&self.slots[s]);
        }
        self.run_steps(self.block_end..self.steps.len(), inputs, None, 0, 0, par)?;
        self.results(inputs)
    }

    /// The sums over blocks: the slot and length of the output of each
    /// step that accumulates.
    fn sums(&self) -> Vec<(usize, usize)> {
        self.steps[self.pre_end..self.block_end]
            .iter()
            .filter(|s| s.accumulates())
            .filter_map(|s| match s.out().loc {
                Loc::Slot(o) => Some((o, s.out().shape.len())),
                _ => None,
            })
            .collect()
    }

    /// Runs the blocks on several threads, each over `per` samples with its
    /// own buffers (copies of the values computed before the blocks, its
    /// `sums` from zero), then adds the sums of the others into this one's,
    /// in thread order.
    #[allow(clippy::too_many_arguments)]
    fn run_threads(
        &mut self,
        steps: std::ops::Range<usize>,
        inputs: &[&[f64]],
        picks: Option<Picks>,
        sums: &[(usize, usize)],
        samples: usize,
        per: usize,
        width: usize,
    ) -> Result<()> {
        let helpers = samples.div_ceil(per) - 1;
        self.helpers.resize_with(helpers, Work::default);
        for w in &mut self.helpers {
            w.slots.clone_from(&self.slots);
            w.regs.clone_from(&self.regs);
            w.finite = true;
            for &(o, _) in sums {
                w.slots[o].fill(0.0);
            }
        }
        let mut helpers = std::mem::take(&mut self.helpers);
        let mut mine = Work {
            slots: std::mem::take(&mut self.slots),
            regs: std::mem::take(&mut self.regs),
            gathered: std::mem::take(&mut self.gathered),
            finite: self.finite,
        };
        let runner = self.runner(inputs, picks);
        let results: Vec<Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = helpers
                .iter_mut()
                .enumerate()
                .map(|(t, w)| {
                    let runner = &runner;
                    let steps = steps.clone();
                    scope.spawn(move || {
                        let first = (t + 1) * per;
                        runner.blocks(w, steps, first..samples.min(first + per), width)
                    })
                })
                .collect();
            let own = runner.blocks(&mut mine, steps.clone(), 0..per.min(samples), width);
            std::iter::once(own)
                .chain(handles.into_iter().map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(Error::Invalid("internal error: a thread failed".into()))
                    })
                }))
                .collect()
        });
        for w in &helpers {
            for &(o, _) in sums {
                for (t, x) in mine.slots[o].iter_mut().zip(&w.slots[o]) {
                    *t += x;
                }
            }
            mine.finite &= w.finite;
        }
        self.slots = mine.slots;
        self.regs = mine.regs;
        self.gathered = mine.gathered;
        self.finite = mine.finite;
        self.helpers = helpers;
        results.into_iter().collect()
    }
}

/// The working buffers of one thread running a program.
#[derive(Debug, Default)]
pub(crate) struct Work {
    slots: Vec<Vec<f64>>,
    regs: Vec<f64>,
    /// Each input's block of picked samples (see [`Picks`]).
    gathered: Vec<Vec<f64>>,
    finite: bool,
}

/// What every thread running a program shares.
struct Runner<'a> {
    steps: &'a [Step],
    checked: &'a [bool],
    consts: &'a [Const],
    interrupt: Option<&'a std::sync::atomic::AtomicBool>,
    inputs: &'a [&'a [f64]],
    picks: Option<Picks<'a>>,
}

impl Runner<'_> {
    /// Runs the steps `range` on the block of `width` samples from `start`.
    fn run(
        &self,
        work: &mut Work,
        range: std::ops::Range<usize>,
        start: usize,
        width: usize,
        par: Par,
    ) -> Result<()> {
        if let Some(picks) = self.picks.filter(|_| width > 0) {
            work.gathered.resize_with(self.inputs.len(), Vec::new);
            for (k, (data, into)) in self.inputs.iter().zip(&mut work.gathered).enumerate() {
                if picks.picks(k) {
                    picks.gather(k, data, start, width, into);
                }
            }
        }
        for k in range {
            if self
                .interrupt
                .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
            {
                return Err(Error::Interrupted);
            }
            let step = &self.steps[k];
            let Loc::Slot(o) = step.out().loc else {
                return Err(Error::Invalid(
                    "internal error: a step writes no slot".into(),
                ));
            };
            let mut out = std::mem::take(&mut work.slots[o]);
            let frame = Frame {
                inputs: self.inputs,
                consts: self.consts,
                slots: &work.slots,
                start,
                width,
                picks: self.picks,
                gathered: &work.gathered,
            };
            let check = self.checked[k];
            let r = step.run(&frame, &mut out, &mut work.regs, par, self.interrupt, check);
            work.slots[o] = out;
            work.finite &= r?;
        }
        Ok(())
    }

    /// Runs the steps `range` over the blocks of `width` samples in `samples`.
    fn blocks(
        &self,
        work: &mut Work,
        range: std::ops::Range<usize>,
        samples: std::ops::Range<usize>,
        width: usize,
    ) -> Result<()> {
        let mut start = samples.start;
        while start < samples.end {
            let w = width.min(samples.end - start);
            self.run(work, range.clone(), start, w, Par::Seq)?;
            start += w;
        }
        Ok(())
    }
}
