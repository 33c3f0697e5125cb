//! Register programs for the element view: scalar expressions of the
//! elements of some symbols, with common subexpressions shared, run at one
//! point or over many points at once (each instruction over a chunk of
//! points, so the loops vectorise).

use super::fused::{Builder, Kernel, LANES, Op};
use crate::{Axis, Error, ExprId, Func, Node, Pool, Reduction, Result};
use rustc_hash::FxHashMap;

/// A compiled scalar program: see [`Pool::compile_scalar`].
#[derive(Clone, Debug)]
pub struct ScalarProgram {
    kernel: Kernel,
    vars: usize,
    outputs: usize,
    regs: Vec<f64>,
    /// The first point of the last run at which a value was infinite or NaN.
    non_finite: Option<usize>,
}

impl Pool {
    /// Compiles every element of each of `outputs` (row-major, output after
    /// output) as a function of the elements of the symbols `vars` (a point
    /// is their elements, row-major, symbol after symbol). Each output is
    /// put in numeric form ([`Pool::numeric_form`]), expanded to its
    /// elements, and put in numeric form again.
    pub fn compile_scalar(&mut self, outputs: &[ExprId], vars: &[ExprId]) -> Result<ScalarProgram> {
        let mut offset = FxHashMap::default();
        let mut width = 0usize;
        for &v in vars {
            if v.index() >= self.len() {
                return Err(Error::Invalid("a variable is not in this pool".into()));
            }
            let Node::Symbol { shape, .. } = self.node(v) else {
                return Err(Error::Invalid("the variables must be symbols".into()));
            };
            offset.insert(v, width);
            width += shape.len();
        }
        let mut roots = Vec::new();
        for &e in outputs {
            if e.index() >= self.len() {
                return Err(Error::Invalid("an output is not in this pool".into()));
            }
            let stable = self.numeric_form(e)?;
            let s = self.shape(stable);
            for i in 0..s.rows {
                for j in 0..s.cols {
                    let el = self.element_written_out(stable, i, j)?;
                    let el = self.rewrite(el, |p, id| p.scalar_form(id))?;
                    roots.push(self.numeric_form(el)?);
                }
            }
        }
        let mut b = Builder::default();
        let mut reg: FxHashMap<ExprId, usize> = FxHashMap::default();
        let mut order: Vec<ExprId> = roots.iter().flat_map(|&r| self.reachable(r)).collect();
        order.sort_unstable();
        order.dedup();
        for id in order {
            self.check_interrupt()?;
            let get = |c: &ExprId| reg.get(c).copied();
            let kids: Vec<usize> = self.node(id).children().iter().filter_map(get).collect();
            let elementwise = matches!(
                self.node(id),
                Node::Add(_) | Node::Mul(_) | Node::Pow(..) | Node::Apply(..)
            );
            if elementwise && kids.len() != self.node(id).children().len() {
                return Err(not_scalar());
            }
            let op = match self.node(id) {
                Node::Num(n) => Op::Imm(n.to_f64()),
                Node::Const(crate::Constant::E) => Op::Imm(std::f64::consts::E),
                Node::Const(crate::Constant::Pi) => Op::Imm(std::f64::consts::PI),
                Node::Symbol { name, shape } => {
                    let Some(&o) = offset.get(&id) else {
                        return Err(Error::Invalid(format!("{name} is not a variable")));
                    };
                    if shape.is_scalar() {
                        Op::Arg(o)
                    } else {
                        continue; // only its elements are read
                    }
                }
                Node::Element { symbol, row, col } => {
                    let Some(&o) = offset.get(symbol) else {
                        return Err(Error::Invalid(
                            "an element of a symbol that is not a variable".into(),
                        ));
                    };
                    let cols = self.shape(*symbol).cols;
                    Op::Arg(o + row * cols + col)
                }
                Node::Add(_) => {
                    reg.insert(id, b.fold(&kids, Op::Add));
                    continue;
                }
                Node::Mul(fs) => {
                    reg.insert(id, b.product(&kids, |k| self.is_gate(fs[k])));
                    continue;
                }
                Node::Pow(..) => Op::Pow(kids[0], kids[1]),
                Node::Apply(f, _) => {
                    reg.insert(id, b.apply(*f, kids[0]));
                    continue;
                }
                // Read by a reduction below.
                Node::Matrix { .. } | Node::Dense(_) => continue,
                Node::Reduce(r, _, m) if self.shape(id).is_scalar() => {
                    let xs: Vec<usize> = match self.node(*m) {
                        Node::Matrix { entries, .. } => entries.iter().filter_map(get).collect(),
                        Node::Dense(d) => {
                            let xs: Vec<f64> = d.nums().iter().map(|n| n.to_f64()).collect();
                            xs.into_iter().map(|x| b.push(Op::Imm(x))).collect()
                        }
                        _ => return Err(not_scalar()),
                    };
                    match r {
                        Reduction::Sum => {
                            reg.insert(id, b.fold(&xs, Op::Add));
                            continue;
                        }
                        Reduction::LogSumExp => Op::LogSumExp(xs),
                    }
                }
                _ => return Err(not_scalar()),
            };
            reg.insert(id, b.push(op));
        }
        let results: Vec<usize> = roots.iter().map(|r| reg[r]).collect();
        let kernel = b.finish(&results, true);
        Ok(ScalarProgram {
            regs: kernel.registers(),
            kernel,
            vars: width,
            outputs: results.len(),
            non_finite: None,
        })
    }
}

impl Pool {
    /// The forms the register program reads: a softmax element written out
    /// ([`Pool::softmax_element_form`]), a reduction to one number of a
    /// matrix that is not explicit (`sum(x .* σ(v), 2)` of a row) over the
    /// explicit matrix of its elements, and any other matrix operation with
    /// one number as its value (the product `σ(w⋅X)⋅c` of a row and a
    /// column, a trace) as its element.
    fn scalar_form(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        if !self.shape(id).is_scalar() {
            return Ok(None);
        }
        match *self.node(id) {
            Node::Reduce(r, _, m)
                if !matches!(self.node(m), Node::Matrix { .. } | Node::Dense(_)) =>
            {
                let explicit = self.elements(m)?;
                let explicit = self.rewrite(explicit, |p, x| p.softmax_element_form(x))?;
                self.reduce(r, explicit, Axis::All).map(Some)
            }
            Node::MatMul(..)
            | Node::MatPow(..)
            | Node::Transpose(_)
            | Node::Trace(_)
            | Node::Diag(_)
            | Node::Det(_)
            | Node::LogDet(_)
            | Node::SoftmaxJvp(..) => self.written_out_form(id).map(Some),
            Node::Slice { arg, .. } if matches!(self.node(arg), Node::SoftmaxJvp(..)) => {
                self.written_out_form(id).map(Some)
            }
            _ => self.softmax_element_form(id),
        }
    }

    /// The one element of `id` written out, in the forms the register
    /// program reads.
    fn written_out_form(&mut self, id: ExprId) -> Result<ExprId> {
        let element = self.element_written_out(id, 0, 0)?;
        self.rewrite(element, |p, x| p.scalar_form(x))
    }

    /// An element `softmax(a)[i, j]` written out as `ℯ^(aᵢⱼ − logsumexp)`
    /// over the elements of its column (or row), so the register program
    /// computes it with a max shift. The elements of `a` are written out in
    /// turn (a softmax of a softmax, as the gradient of `cce(Y,
    /// softmax(softmax(Z)))` holds).
    fn softmax_element_form(&mut self, id: ExprId) -> Result<Option<ExprId>> {
        let Node::Slice { arg, rows, cols } = *self.node(id) else {
            return Ok(None);
        };
        let Node::Softmax(axis, a) = *self.node(arg) else {
            return Ok(None);
        };
        if !self.shape(id).is_scalar() {
            return Ok(None);
        }
        let (i, j) = (rows.start, cols.start);
        let s = self.shape(a);
        let cells: Vec<(usize, usize)> = match axis {
            Axis::Rows => (0..s.cols).map(|k| (i, k)).collect(),
            _ => (0..s.rows).map(|k| (k, j)).collect(),
        };
        let line = cells
            .iter()
            .map(|&(p, q)| self.element_written_out(a, p, q))
            .collect::<Result<Vec<_>>>()?;
        let column = self.matrix(crate::checked_shape(line.len(), 1)?, line)?;
        let lse = self.logsumexp(column, Axis::All)?;
        let own = self.element_written_out(a, i, j)?;
        let shifted = self.sub(own, lse)?;
        let element = self.apply(Func::Exp, shifted)?;
        self.rewrite(element, |p, x| p.scalar_form(x)).map(Some)
    }
}

fn not_scalar() -> Error {
    Error::Invalid("this expression has no scalar register program".into())
}

impl ScalarProgram {
    /// The number of coordinates of a point.
    pub fn vars(&self) -> usize {
        self.vars
    }

    /// The number of values computed at each point.
    pub fn outputs(&self) -> usize {
        self.outputs
    }

    fn check(&self, xs: usize, out: usize, points: usize) -> Result<()> {
        if xs != points * self.vars || out != points * self.outputs {
            return Err(Error::Invalid(format!(
                "{points} points need {} coordinates and room for {} values, not {xs} and {out}",
                points * self.vars,
                points * self.outputs
            )));
        }
        Ok(())
    }

    /// The values at one point `x`, into `out`.
    pub fn eval_point(&mut self, x: &[f64], out: &mut [f64]) -> Result<()> {
        self.check(x.len(), out.len(), 1)?;
        let finite = self.kernel.run_point(&mut self.regs, x);
        self.non_finite = (!finite).then_some(0);
        for (o, slot) in out.iter_mut().enumerate() {
            *slot = self.kernel.result(&self.regs, 1, o, 1)[0];
        }
        Ok(())
    }

    /// The values at many points: `xs` holds one point per row (points ×
    /// vars, row-major), `out` gets one row of values per point.
    pub fn eval_points(&mut self, xs: &[f64], out: &mut [f64]) -> Result<()> {
        let (nv, no) = (self.vars.max(1), self.outputs);
        let points = if self.vars == 0 {
            out.len() / no.max(1)
        } else {
            xs.len() / nv
        };
        self.check(xs.len(), out.len(), points)?;
        self.non_finite = None;
        let mut p0 = 0;
        while p0 < points {
            let len = LANES.min(points - p0);
            let finite = self
                .kernel
                .run(&mut self.regs, LANES, len, &mut |k, dest: &mut [f64]| {
                    for (t, d) in dest.iter_mut().enumerate() {
                        *d = xs[(p0 + t) * nv + k];
                    }
                });
            if !finite && self.non_finite.is_none() {
                self.non_finite = self.first_non_finite(xs, p0, len);
            }
            for o in 0..no {
                let r = self.kernel.result(&self.regs, LANES, o, len);
                for (t, &x) in r.iter().enumerate() {
                    out[(p0 + t) * no + o] = x;
                }
            }
            p0 += len;
        }
        Ok(())
    }

    /// The first point of the last [`ScalarProgram::eval_points`] or
    /// [`ScalarProgram::eval_point`] at which some value, an intermediate
    /// one included, was infinite or NaN.
    pub fn non_finite_point(&self) -> Option<usize> {
        self.non_finite
    }

    /// The first of the points `p0..p0 + len` at which the kernel meets a
    /// value that is not finite, found by running them one at a time.
    fn first_non_finite(&self, xs: &[f64], p0: usize, len: usize) -> Option<usize> {
        let nv = self.vars.max(1);
        let mut regs = self.kernel.registers();
        let point = |p: usize| xs.get(p * nv..p * nv + self.vars).unwrap_or(&[]);
        (p0..p0 + len).find(|&p| !self.kernel.run_point(&mut regs, point(p)))
    }
}
