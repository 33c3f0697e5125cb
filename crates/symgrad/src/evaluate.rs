//! Numeric evaluation: the value of an expression in f64, given values for
//! its symbols. Nodes are computed bottom-up in id order (a topological
//! order), without recursion, so the deepest expressions are safe.

pub(crate) mod kernels;
pub(crate) mod linalg;
mod precise;
#[cfg(test)]
mod tests;

use crate::{
    Constant, DenseData, Error, ExprId, MAX_ELEMENTS, Node, Num, Pool, Result, Shape, fold_f64,
};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashMap;

/// The largest k for which `A⁻ᵏ⋅B` is evaluated by k LU solves rather
/// than through the inverse's power.
pub(crate) const SOLVE_POWER_LIMIT: i64 = 8;

/// A dense f64 value, row-major; a scalar is 1×1.
#[derive(Clone, Debug, PartialEq)]
pub struct Values {
    pub shape: Shape,
    pub data: Vec<f64>,
}

impl Values {
    /// A 1×1 value.
    pub fn scalar(x: f64) -> Values {
        Values {
            shape: Shape::SCALAR,
            data: vec![x],
        }
    }

    /// A value of `shape` from row-major `data`, which must fill it exactly
    /// (and not be empty).
    pub fn new(shape: Shape, data: Vec<f64>) -> Result<Values> {
        if shape.rows.checked_mul(shape.cols) != Some(data.len()) || data.is_empty() {
            return Err(Error::Invalid(format!(
                "{} numbers do not fill a {}×{} matrix",
                data.len(),
                shape.rows,
                shape.cols
            )));
        }
        Ok(Values { shape, data })
    }

    /// The element at row `i`, column `j`; NaN when out of range.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if i >= self.shape.rows || j >= self.shape.cols {
            return f64::NAN;
        }
        i.checked_mul(self.shape.cols)
            .and_then(|k| k.checked_add(j))
            .and_then(|k| self.data.get(k).copied())
            .unwrap_or(f64::NAN)
    }

    /// The number of a 1×1 value.
    pub fn as_scalar(&self) -> Option<f64> {
        match self.data.as_slice() {
            [x] if self.shape.is_scalar() => Some(*x),
            _ => None,
        }
    }

    /// True when `data` fills `shape` exactly (always so for computed values).
    fn is_consistent(&self) -> bool {
        self.shape.rows.checked_mul(self.shape.cols) == Some(self.data.len())
    }

    /// The value of `shape` whose (i, j) element is `f(i, j)`.
    pub(crate) fn from_fn(shape: Shape, mut f: impl FnMut(usize, usize) -> f64) -> Result<Values> {
        let mut data = alloc(shape)?;
        for i in 0..shape.rows {
            for j in 0..shape.cols {
                data.push(f(i, j));
            }
        }
        Ok(Values { shape, data })
    }

    /// `f` applied to every element.
    pub(crate) fn map(&self, f: impl Fn(f64) -> f64) -> Result<Values> {
        let mut data = alloc(self.shape)?;
        data.extend(self.data.iter().map(|&x| f(x)));
        Ok(Values {
            shape: self.shape,
            data,
        })
    }
}

/// An empty vector with room for the elements of `shape`, or `TooLarge`.
pub(crate) fn alloc(shape: Shape) -> Result<Vec<f64>> {
    let too_large = || {
        Error::TooLarge(format!(
            "a {}×{} matrix is too large to evaluate",
            shape.rows, shape.cols
        ))
    };
    let len = shape
        .rows
        .checked_mul(shape.cols)
        .filter(|&n| n <= MAX_ELEMENTS)
        .ok_or_else(too_large)?;
    let mut data = Vec::new();
    data.try_reserve_exact(len).map_err(|_| too_large())?;
    Ok(data)
}

/// The values computed so far, one slot per reachable node (in id order);
/// a slot is emptied once every parent of its node has been computed.
struct Memo {
    order: Vec<ExprId>,
    values: Vec<Option<Values>>,
}

impl Memo {
    fn position(&self, id: ExprId) -> Result<usize> {
        self.order
            .binary_search(&id)
            .map_err(|_| internal("a child was not collected"))
    }

    fn get(&self, id: ExprId) -> Result<&Values> {
        let k = self.position(id)?;
        self.values
            .get(k)
            .and_then(Option::as_ref)
            .ok_or_else(|| internal("a child was not computed before its parent"))
    }
}

/// An error for a broken invariant of the pool (never expected).
fn internal(what: &str) -> Error {
    Error::Invalid(format!("internal error in evaluation: {what}"))
}

/// Where a value first is infinite or NaN: see [`Pool::first_non_finite`].
#[derive(Clone, Debug)]
pub struct NonFinite {
    /// The node whose value it is (its operands are finite).
    pub node: ExprId,
    /// The first value that is not finite.
    value: f64,
    /// Its row and column, when the node is a matrix.
    place: Option<(usize, usize)>,
    /// Why, as the operation goes (`log of a negative number`).
    reason: &'static str,
}

impl NonFinite {
    /// The message, with the node shown as `shown`:
    /// `log(x) gives NaN at [0, 1]: log of a negative number`.
    pub fn message(&self, shown: &str) -> String {
        let value = if self.value.is_nan() {
            "NaN"
        } else if self.value > 0.0 {
            "inf"
        } else {
            "-inf"
        };
        let place = match self.place {
            Some((i, j)) => format!(" at [{i}, {j}]"),
            None => String::new(),
        };
        format!("{shown} gives {value}{place}: {}", self.reason)
    }
}

impl Pool {
    /// The value of `e` in f64, with `bindings` giving the value of each
    /// Symbol node (keyed by the symbol's id; shapes must match the symbol's
    /// shape, else `Error::ShapeMismatch`). An unbound symbol is an error.
    pub fn evaluate(&self, e: ExprId, bindings: &HashMap<ExprId, Values>) -> Result<Values> {
        self.evaluate_inspecting(e, bindings, |_, _, _| Ok(()))
    }

    /// Where the value of `e` first becomes infinite or NaN, as a message
    /// naming the operation (`1/x gives inf: division by zero`), or `None`
    /// when every value on the way is finite.
    pub fn non_finite(
        &self,
        e: ExprId,
        bindings: &HashMap<ExprId, Values>,
    ) -> Result<Option<String>> {
        let found = self.first_non_finite(e, bindings)?;
        Ok(found.map(|f| f.message(&self.shown_briefly(f.node))))
    }

    /// Where the value of `e` first becomes infinite or NaN, or `None` when
    /// every value on the way is finite. Nodes are computed children first,
    /// so the node found is one whose operands are all finite. Passed over:
    /// a node read only as a factor of gated products, which may drop its
    /// infinities (a product with a `step` of 0 is 0); such a product that
    /// does not is found, and named by that factor.
    pub fn first_non_finite(
        &self,
        e: ExprId,
        bindings: &HashMap<ExprId, Values>,
    ) -> Result<Option<NonFinite>> {
        let gated = self.read_only_gated(e);
        let mut passed: FxHashMap<ExprId, NonFinite> = FxHashMap::default();
        let mut found = None;
        let run = self.evaluate_inspecting(e, bindings, |id, v, memo| {
            match v.data.iter().position(|x| !x.is_finite()) {
                Some(k) if gated.contains(&id) => {
                    passed.insert(id, self.describe_non_finite(id, v, k, memo));
                    Ok(())
                }
                Some(k) => {
                    // A gated product found: named by its factor that was
                    // passed over, if any (`1/x gives inf`).
                    let factor = self.node(id).children().into_iter();
                    found = factor
                        .filter_map(|c| passed.get(&c).cloned())
                        .next()
                        .or_else(|| Some(self.describe_non_finite(id, v, k, memo)));
                    // Stops the evaluation.
                    Err(Error::Domain(String::new()))
                }
                None => Ok(()),
            }
        });
        match (run, found) {
            (_, Some(f)) => Ok(Some(f)),
            (Ok(_), None) => Ok(None),
            (Err(e), None) => Err(e),
        }
    }

    /// The nodes under `e` read only as factors (not gates) of products
    /// with a gate.
    fn read_only_gated(&self, e: ExprId) -> FxHashSet<ExprId> {
        let mut gated = FxHashSet::default();
        let mut other = FxHashSet::default();
        for id in self.reachable(e) {
            let node = self.node(id);
            let has_gate = matches!(node, Node::Mul(fs) if fs.iter().any(|&f| self.is_gate(f)));
            for c in node.children() {
                if has_gate && !self.is_gate(c) {
                    gated.insert(c);
                } else {
                    other.insert(c);
                }
            }
        }
        gated.retain(|c| !other.contains(c));
        gated
    }

    /// The text of `id` on one line of at most 60 characters, cut with `…`.
    pub fn shown_briefly(&self, id: ExprId) -> String {
        const SHOWN: usize = 60;
        let what = crate::text(self, id, &crate::PrintOptions::default());
        if what.chars().count() > SHOWN {
            what.chars().take(SHOWN - 1).collect::<String>() + "…"
        } else {
            what
        }
    }

    /// Why node `id`, whose value `v` has its first non-finite element at
    /// `k`, is not finite.
    fn describe_non_finite(&self, id: ExprId, v: &Values, k: usize, memo: &Memo) -> NonFinite {
        let x = v.data[k];
        let operand = |c: ExprId| memo.get(c).ok();
        let has_zero = |c: ExprId| operand(c).is_some_and(|v| v.data.contains(&0.0));
        let reason = match self.node(id) {
            Node::Pow(b, e) if x.is_infinite() && has_zero(*b) => {
                let negative = operand(*e).is_some_and(|v| v.data.iter().any(|&n| n < 0.0));
                if negative {
                    "division by zero"
                } else {
                    "overflow"
                }
            }
            Node::Pow(..) if x.is_nan() => "a negative number to a fractional power is not real",
            Node::Apply(crate::Func::Log, _) if x.is_nan() => "log of a negative number",
            Node::Apply(crate::Func::Log, _) => "log(0) is −∞",
            Node::LogDet(_) if x == f64::NEG_INFINITY => "the matrix is singular (det 0)",
            _ if x.is_infinite() => "overflow",
            _ => "the operation leaves its domain",
        };
        NonFinite {
            node: id,
            value: x,
            place: (!v.shape.is_scalar()).then_some((k / v.shape.cols, k % v.shape.cols)),
            reason,
        }
    }

    /// [`Pool::evaluate`], calling `inspect` on each node's value as soon
    /// as it is computed (its operands' values still in the memo); an error
    /// from `inspect` stops the evaluation.
    fn evaluate_inspecting(
        &self,
        e: ExprId,
        bindings: &HashMap<ExprId, Values>,
        mut inspect: impl FnMut(ExprId, &Values, &Memo) -> Result<()>,
    ) -> Result<Values> {
        if e.index() >= self.len() {
            return Err(Error::Invalid(format!(
                "expression #{} is not in this pool",
                e.index()
            )));
        }
        let order = self.reachable(e);
        let solved = self.solved_inverses(&order, e);
        let reads = |id: ExprId| -> Vec<ExprId> {
            match self.solve_operands(id, &solved) {
                Some((a, _, b)) => vec![a, b],
                None if solved.contains(&id) => Vec::new(),
                None => self.node(id).children(),
            }
        };
        let mut memo = Memo {
            values: vec![None; order.len()],
            order,
        };
        let mut uses = vec![0usize; memo.order.len()];
        for &id in &memo.order {
            for c in reads(id) {
                uses[memo.position(c)?] += 1;
            }
        }
        for k in 0..memo.order.len() {
            self.check_interrupt()?;
            let id = memo.order[k];
            let value = match self.solve_operands(id, &solved) {
                Some((a, times, b)) => linalg::solve(memo.get(a)?, memo.get(b)?, times)?,
                None if solved.contains(&id) => continue,
                None => self.evaluate_node(id, bindings, &memo)?,
            };
            inspect(id, &value, &memo)?;
            for c in reads(id) {
                let p = memo.position(c)?;
                uses[p] = uses[p].saturating_sub(1);
                if uses[p] == 0 {
                    memo.values[p] = None;
                }
            }
            memo.values[k] = Some(value);
        }
        // `e` has the largest id of the nodes it reaches, so it comes last.
        memo.values
            .pop()
            .flatten()
            .ok_or_else(|| internal("the root was not computed"))
    }

    /// The inverse powers `A⁻ᵏ` (1 ≤ k ≤ [`SOLVE_POWER_LIMIT`]) among
    /// `order` that are only ever the left factor of a matrix product: each
    /// such product `A⁻ᵏ⋅B` is computed by LU solves, and `A⁻ᵏ` itself never.
    fn solved_inverses(&self, order: &[ExprId], root: ExprId) -> FxHashSet<ExprId> {
        let mut other_use: FxHashSet<ExprId> = [root].into_iter().collect();
        for &id in order {
            match self.node(id) {
                Node::MatMul(_, b) => {
                    other_use.insert(*b);
                }
                node => other_use.extend(node.children()),
            }
        }
        order
            .iter()
            .copied()
            .filter(|id| {
                matches!(self.node(*id), Node::MatPow(_, n) if (-SOLVE_POWER_LIMIT..0).contains(n))
                    && !other_use.contains(id)
            })
            .collect()
    }

    /// `(A, k, B)` when `id` is the product `A⁻ᵏ⋅B` of a solved inverse.
    fn solve_operands(
        &self,
        id: ExprId,
        solved: &FxHashSet<ExprId>,
    ) -> Option<(ExprId, u64, ExprId)> {
        match self.node(id) {
            Node::MatMul(p, b) if solved.contains(p) => match self.node(*p) {
                Node::MatPow(a, n) => Some((*a, n.unsigned_abs(), *b)),
                _ => None,
            },
            _ => None,
        }
    }

    /// True when `e` holds a float: a float number or float data.
    pub fn holds_float(&self, e: ExprId) -> bool {
        e.index() < self.len()
            && self.reachable(e).into_iter().any(|id| match self.node(id) {
                Node::Num(n) => !n.is_exact(),
                Node::Dense(d) => !d.is_exact(),
                _ => false,
            })
    }

    /// The Symbol nodes `e` depends on (an Element node's child is its
    /// symbol), in id order. Empty for an id not in this pool.
    pub fn free_symbols(&self, e: ExprId) -> Vec<ExprId> {
        if e.index() >= self.len() {
            return Vec::new();
        }
        let mut symbols = self.reachable(e);
        symbols.retain(|&id| matches!(self.node(id), Node::Symbol { .. }));
        symbols
    }

    /// The value of one node, its children's values being in `memo`.
    fn evaluate_node(
        &self,
        id: ExprId,
        bindings: &HashMap<ExprId, Values>,
        memo: &Memo,
    ) -> Result<Values> {
        let shape = self.shape(id);
        match self.node(id) {
            Node::Num(n) => Ok(Values::scalar(n.to_f64())),
            Node::Const(Constant::E) => Ok(Values::scalar(std::f64::consts::E)),
            Node::Const(Constant::Pi) => Ok(Values::scalar(std::f64::consts::PI)),
            Node::Symbol { name, shape } => bound_value(name, *shape, bindings.get(&id)),
            Node::Element { symbol, row, col } => element(memo.get(*symbol)?, *row, *col),
            Node::Matrix { shape, entries } => {
                let scalars = entries
                    .iter()
                    .map(|&x| memo.get(x).map(scalar_entry)?)
                    .collect::<Result<Vec<f64>>>()?;
                kernels::filled(*shape, scalars)
            }
            Node::Dense(d) => match d.data() {
                DenseData::Exact(v) => kernels::filled(d.shape(), v.iter().map(Num::to_f64)),
                DenseData::Float(v) => kernels::filled(d.shape(), v.iter().copied()),
            },
            Node::Add(xs) => self.elementwise(shape, xs, memo, 0.0, |a, b| a + b),
            Node::Mul(xs) if !xs.iter().any(|&x| self.is_gate(x)) => {
                self.elementwise(shape, xs, memo, 1.0, |a, b| a * b)
            }
            Node::Mul(xs) => {
                let (others, gates) = self.split_gates(xs);
                let mut product = self.elementwise(shape, &others, memo, 1.0, |a, b| a * b)?;
                let gate = self.elementwise(shape, &gates, memo, 1.0, |a, b| a * b)?;
                let nan = |a: f64, b: f64| if b.is_nan() { b } else { a };
                let nans = self.elementwise(shape, &others, memo, 0.0, nan)?;
                for ((p, &g), n) in product.data.iter_mut().zip(&gate.data).zip(&nans.data) {
                    *p = crate::funcs::gated(*p, g, n.is_nan());
                }
                Ok(product)
            }
            Node::Pow(b, x) => kernels::pow(shape, memo.get(*b)?, memo.get(*x)?),
            Node::MatMul(a, b) => kernels::matmul(memo.get(*a)?, memo.get(*b)?),
            Node::MatPow(a, n) => kernels::matpow(memo.get(*a)?, *n),
            Node::Transpose(a) => kernels::transpose(memo.get(*a)?),
            Node::Apply(f, a) => memo.get(*a)?.map(|x| fold_f64(*f, x)),
            Node::Reduce(r, axis, a) => kernels::reduce(*r, *axis, memo.get(*a)?),
            Node::Softmax(axis, a) => kernels::softmax(*axis, memo.get(*a)?),
            Node::SoftmaxJvp(axis, a, v) => {
                kernels::softmax_jvp(*axis, memo.get(*a)?, memo.get(*v)?)
            }
            Node::Trace(a) => kernels::trace(memo.get(*a)?),
            Node::Diag(a) => kernels::diag(shape, memo.get(*a)?),
            Node::Slice { arg, rows, cols } => kernels::slice(memo.get(*arg)?, *rows, *cols),
            Node::Stack { vertical, parts } => {
                let values = parts
                    .iter()
                    .map(|&p| memo.get(p).map(|v| (p, v)))
                    .collect::<Result<FxHashMap<ExprId, &Values>>>()?;
                Values::from_fn(shape, |i, j| {
                    let (p, i, j) = self.stack_element_at(parts, *vertical, i, j);
                    values[&p].get(i, j)
                })
            }
            Node::Det(a) => linalg::det(memo.get(*a)?),
            Node::LogDet(a) => linalg::logdet(memo.get(*a)?),
        }
    }

    /// Folds the operands `xs`, each broadcast to `shape`, with `op`.
    fn elementwise(
        &self,
        shape: Shape,
        xs: &[ExprId],
        memo: &Memo,
        identity: f64,
        op: impl Fn(f64, f64) -> f64,
    ) -> Result<Values> {
        let mut acc = Values::from_fn(shape, |_, _| identity)?;
        for &x in xs {
            kernels::combine_into(&mut acc, memo.get(x)?, &op)?;
        }
        Ok(acc)
    }
}

/// The bound value of a symbol, checked against its shape.
fn bound_value(name: &str, shape: Shape, value: Option<&Values>) -> Result<Values> {
    let v = value.ok_or_else(|| Error::Invalid(format!("{name} is unbound")))?;
    if v.shape != shape {
        return Err(Error::ShapeMismatch {
            op: "the binding of a symbol",
            left: shape,
            right: v.shape,
        });
    }
    if !v.is_consistent() {
        return Err(Error::Invalid(format!(
            "the value bound to {name} has {} numbers for a {}×{} matrix",
            v.data.len(),
            shape.rows,
            shape.cols
        )));
    }
    kernels::filled(shape, v.data.iter().copied())
}

/// Element (row, col) of a symbol's value.
fn element(v: &Values, row: usize, col: usize) -> Result<Values> {
    if row >= v.shape.rows || col >= v.shape.cols {
        return Err(Error::IndexOutOfRange {
            index: format!("[{row}, {col}]"),
            shape: v.shape,
        });
    }
    Ok(Values::scalar(v.get(row, col)))
}

/// The number of a scalar matrix entry.
fn scalar_entry(v: &Values) -> Result<f64> {
    v.as_scalar().ok_or(Error::BadShape {
        op: "a matrix entry",
        shape: v.shape,
        expected: "a scalar",
    })
}
