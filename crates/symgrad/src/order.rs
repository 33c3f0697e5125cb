//! The canonical order of the arguments of sums and products.
//!
//! Products list their numeric coefficient first, then factors ordered by
//! base; sums order terms by their non-numeric part, higher powers first and
//! the constant last, so `26⋅W₀₀ + 100⋅W₀₁ + W₀₄` and `x² + x + 1` print as a
//! textbook would.

use crate::{ExprId, Node, Pool};
use std::cmp::Ordering;
use std::sync::Mutex;

/// Pairs of nodes at least this deep have their order remembered: in an
/// expression built step by step (a descent written out over data) the same
/// deep pairs are compared again at every step.
const MEMO_DEPTH: u32 = 6;

/// The orders of deep pairs already compared by [`cmp_expr`]. Nodes never
/// change, so an order stays true until the pool is collected (which
/// empties it); a clone starts empty.
#[derive(Default, Debug)]
pub(crate) struct OrderMemo(Mutex<rustc_hash::FxHashMap<(ExprId, ExprId), Ordering>>);

impl Clone for OrderMemo {
    fn clone(&self) -> OrderMemo {
        OrderMemo::default()
    }
}

impl OrderMemo {
    fn get(&self, a: ExprId, b: ExprId) -> Option<Ordering> {
        self.0.lock().ok()?.get(&(a, b)).copied()
    }

    fn insert(&self, a: ExprId, b: ExprId, order: Ordering) {
        if let Ok(mut memo) = self.0.lock() {
            memo.insert((a, b), order);
        }
    }

    pub(crate) fn clear(&mut self) {
        if let Ok(memo) = self.0.get_mut() {
            memo.clear();
        }
    }
}

/// Rank of a node kind: smaller sorts first.
fn rank(node: &Node) -> u8 {
    match node {
        Node::Num(_) => 0,
        Node::Const(_) => 1,
        Node::Symbol { .. } | Node::Element { .. } => 2,
        Node::Dense(_) => 3,
        Node::Matrix { .. } => 4,
        Node::Pow(..) => 5,
        Node::Mul(_) => 6,
        Node::Add(_) => 7,
        Node::Apply(..) => 8,
        Node::MatMul(..) => 9,
        Node::Transpose(_) => 10,
        Node::Reduce(..) => 11,
        Node::Softmax(..) => 12,
        Node::Trace(_) => 13,
        Node::Diag(_) => 14,
        Node::Slice { .. } => 15,
        Node::MatPow(..) => 16,
        Node::Det(_) => 17,
        Node::LogDet(_) => 18,
        Node::Stack { .. } => 19,
        Node::SoftmaxJvp(..) => 20,
    }
}

/// Splits a power into base and numeric-or-symbolic exponent (`x` is `x¹`).
fn base_exp(pool: &Pool, id: ExprId) -> (ExprId, Option<ExprId>) {
    match pool.node(id) {
        Node::Pow(b, e) => (*b, Some(*e)),
        _ => (id, None),
    }
}

/// The factors of a product without its numeric coefficient.
fn factors(pool: &Pool, id: ExprId) -> Vec<ExprId> {
    match pool.node(id) {
        Node::Mul(fs) => fs
            .iter()
            .copied()
            .filter(|&f| pool.as_num(f).is_none())
            .collect(),
        _ => vec![id],
    }
}

/// Order of terms in a sum: by their factors, higher powers first, numbers
/// and numeric matrices last.
pub(crate) fn cmp_terms(pool: &Pool, a: ExprId, b: ExprId) -> Ordering {
    let (na, nb) = (pool.numeric(a).is_some(), pool.numeric(b).is_some());
    if na || nb {
        return na.cmp(&nb).then_with(|| cmp_expr(pool, a, b));
    }
    let (fa, fb) = (factors(pool, a), factors(pool, b));
    for (&x, &y) in fa.iter().zip(&fb) {
        let ((bx, ex), (by, ey)) = (base_exp(pool, x), base_exp(pool, y));
        let ord = cmp_expr(pool, bx, by).then_with(|| cmp_exponents(pool, ey, ex));
        if ord != Ordering::Equal {
            return ord;
        }
    }
    fa.len().cmp(&fb.len()).then_with(|| cmp_expr(pool, a, b))
}

/// Order of factors in a product: numbers first, then by base, lower powers first.
pub(crate) fn cmp_factors(pool: &Pool, a: ExprId, b: ExprId) -> Ordering {
    let ((ba, ea), (bb, eb)) = (base_exp(pool, a), base_exp(pool, b));
    if ba == bb {
        return cmp_exponents(pool, ea, eb);
    }
    cmp_expr(pool, ba, bb)
}

fn cmp_exponents(pool: &Pool, a: Option<ExprId>, b: Option<ExprId>) -> Ordering {
    let num = |e: Option<ExprId>| e.map_or(Some(crate::Num::one()), |e| pool.as_num(e).cloned());
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => cmp_expr(pool, a.unwrap_or(ExprId(0)), b.unwrap_or(ExprId(0))),
    }
}

/// A total structural order on expressions; `Equal` only for the same node.
pub(crate) fn cmp_expr(pool: &Pool, a: ExprId, b: ExprId) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if pool.depth(a).min(pool.depth(b)) < MEMO_DEPTH {
        return cmp_nodes(pool, a, b);
    }
    let memo = pool.order_memo();
    if let Some(order) = memo.get(a, b) {
        return order;
    }
    let order = cmp_nodes(pool, a, b);
    memo.insert(a, b, order);
    order
}

/// [`cmp_expr`] of two different nodes, by kind, then what each holds,
/// then their children.
fn cmp_nodes(pool: &Pool, a: ExprId, b: ExprId) -> Ordering {
    let (x, y) = (pool.node(a), pool.node(b));
    let by_kind = rank(x).cmp(&rank(y));
    if by_kind != Ordering::Equal {
        return by_kind;
    }
    let local = match (x, y) {
        (Node::Num(p), Node::Num(q)) => p.total_cmp(q),
        (Node::Const(p), Node::Const(q)) => p.cmp(q),
        (Node::Symbol { name: p, shape: s }, Node::Symbol { name: q, shape: t }) => {
            p.cmp(q).then(s.cmp(t))
        }
        (Node::Symbol { name, .. }, Node::Element { symbol, .. }) => {
            cmp_name(pool, name, *symbol).then(Ordering::Less)
        }
        (Node::Element { symbol, .. }, Node::Symbol { name, .. }) => cmp_name(pool, name, *symbol)
            .reverse()
            .then(Ordering::Greater),
        (
            Node::Element {
                symbol: s,
                row: i,
                col: j,
            },
            Node::Element {
                symbol: t,
                row: k,
                col: l,
            },
        ) => cmp_expr(pool, *s, *t).then((i, j).cmp(&(k, l))),
        (Node::Dense(p), Node::Dense(q)) => p
            .shape()
            .cmp(&q.shape())
            .then(p.fingerprint().cmp(&q.fingerprint())),
        (Node::Apply(f, _), Node::Apply(g, _)) => f.cmp(g),
        (Node::Reduce(r, a, _), Node::Reduce(s, b, _)) => (r, a).cmp(&(s, b)),
        (Node::Softmax(a, _), Node::Softmax(b, _))
        | (Node::SoftmaxJvp(a, ..), Node::SoftmaxJvp(b, ..)) => a.cmp(b),
        (Node::MatPow(_, m), Node::MatPow(_, n)) => m.cmp(n),
        (
            Node::Slice {
                rows: r1, cols: c1, ..
            },
            Node::Slice {
                rows: r2, cols: c2, ..
            },
        ) => (r1.start, r1.end, c1.start, c1.end).cmp(&(r2.start, r2.end, c2.start, c2.end)),
        (Node::Matrix { shape: s, .. }, Node::Matrix { shape: t, .. }) => s.cmp(t),
        (Node::Pow(b1, e1), Node::Pow(b2, e2)) => {
            cmp_expr(pool, *b1, *b2).then_with(|| cmp_exponents(pool, Some(*e1), Some(*e2)))
        }
        _ => Ordering::Equal,
    };
    local.then_with(|| cmp_children(pool, &x.children(), &y.children()))
}

fn cmp_name(pool: &Pool, name: &str, symbol: ExprId) -> Ordering {
    match pool.node(symbol) {
        Node::Symbol { name: other, .. } => name.cmp(other),
        _ => Ordering::Equal,
    }
}

fn cmp_children(pool: &Pool, a: &[ExprId], b: &[ExprId]) -> Ordering {
    for (&x, &y) in a.iter().zip(b) {
        let ord = cmp_expr(pool, x, y);
        if ord != Ordering::Equal {
            return ord;
        }
    }
    a.len().cmp(&b.len())
}
