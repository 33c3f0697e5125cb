//! The rule each step of `explain` uses, named from the operations between
//! a stage and the stages above it.

use crate::session::Session;
use std::collections::HashMap;
use symgrad::{Axis, ExprId, Func, Node, Reduction};

impl Session {
    /// The rules used to get the adjoint of `node` from those above it:
    /// the operations on the way from the stages above (or `f`) down to it.
    pub(super) fn rule(
        &self,
        f: ExprId,
        node: ExprId,
        cuts: &HashMap<ExprId, ExprId>,
        closed: &HashMap<ExprId, ExprId>,
    ) -> String {
        let pool = &self.pool;
        // The nodes with a path down to `node` that passes no other stage:
        // those whose operations this step goes through.
        let mut on_path: std::collections::HashSet<ExprId> = std::collections::HashSet::new();
        let child_on_path = |on_path: &std::collections::HashSet<ExprId>, c: &ExprId| {
            *c == node || (!cuts.contains_key(c) && on_path.contains(c))
        };
        let nodes = pool.reachable(f);
        for &id in &nodes {
            if id == node
                || pool
                    .node(id)
                    .children()
                    .iter()
                    .any(|c| child_on_path(&on_path, c))
            {
                on_path.insert(id);
            }
        }
        let between: Vec<ExprId> = nodes
            .iter()
            .rev()
            .copied()
            .filter(|id| *id != node && on_path.contains(id))
            .collect();
        let mut phrases: Vec<String> = Vec::new();
        let mut push = |p: String| {
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        };
        for &id in &between {
            let child_on_path = |c: &ExprId| child_on_path(&on_path, c);
            match pool.node(id) {
                Node::MatMul(a, b) => {
                    if child_on_path(a) {
                        push("product: dA = dC⋅Bᵀ".into());
                    }
                    if child_on_path(b) {
                        push("product: dB = Aᵀ⋅dC".into());
                    }
                }
                Node::Add(ts) => {
                    let full = pool.shape(id);
                    if ts
                        .iter()
                        .any(|t| child_on_path(t) && pool.shape(*t) != full)
                    {
                        push("bias: dC summed over the samples".into());
                    }
                }
                Node::Mul(fs) => {
                    let scalar = fs.iter().any(|x| pool.shape(*x).is_scalar());
                    if fs.iter().filter(|x| !pool.shape(**x).is_scalar()).count() > 1 {
                        push("elementwise product: dA = dC∘B".into());
                    } else if scalar {
                        push("scaling".into());
                    }
                }
                Node::Pow(..) => push("power rule: (xⁿ)′ = n⋅xⁿ⁻¹".into()),
                Node::Transpose(_) => push("transpose: dA = dCᵀ".into()),
                Node::Apply(func, _) => push(derivative_rule(*func)),
                Node::Reduce(Reduction::Sum, _, _) => push("sum: every entry gets dS".into()),
                Node::Reduce(Reduction::LogSumExp, _, _) => push("logsumexp′ = softmax".into()),
                Node::Softmax(axis, _) => {
                    let dim = if *axis == Axis::Rows { 2 } else { 1 };
                    let cancels = closed
                        .get(&id)
                        .is_some_and(|&above| self.has_reciprocal(above, id))
                        && closed
                            .get(&node)
                            .is_some_and(|&here| !self.has_reciprocal(here, id));
                    push(format!("softmax: dZ = A∘(dA − sum(dA∘A, {dim}))"));
                    if cancels {
                        push("one-hot labels: the 1/A of log′ cancels, dZ = (A − Y)/n".into());
                    }
                }
                Node::MatPow(..) => push("matrix power: dA = Σₖ (Aᵏ)ᵀ⋅dC⋅(Aⁿ⁻¹⁻ᵏ)ᵀ".into()),
                Node::Trace(_) => push("trace: dA = dC⋅I".into()),
                Node::Diag(_) => push("diagonal: dA = diag(dC)".into()),
                Node::Slice { .. } => push("slice: dA is dC put back in place".into()),
                Node::Matrix { .. } => {
                    push("explicit matrix: each entry gets its element of dC".into())
                }
                Node::Element { .. } => push("element: dW has dC at its place".into()),
                _ => {}
            }
        }
        if phrases.is_empty() {
            "sum: the adjoint passes through".into()
        } else {
            phrases.join("; ")
        }
    }

    /// True when `e` contains a negative power of `a` (the `1/A` of `log′`).
    fn has_reciprocal(&self, e: ExprId, a: ExprId) -> bool {
        self.pool.reachable(e).iter().any(|&id| {
            matches!(self.pool.node(id), Node::Pow(b, p) if *b == a
                && matches!(self.pool.node(*p), Node::Num(n) if n.is_negative()))
        })
    }
}

/// The derivative rule of an elementwise function, as a student writes it.
fn derivative_rule(f: Func) -> String {
    let rule = match f {
        Func::Exp => "exp′ = exp",
        Func::Log => "log′(x) = 1/x",
        Func::Abs => "abs′ = sign",
        Func::Tanh => "tanh′ = 1 − tanh²",
        Func::Sigmoid => "σ′ = σ(1 − σ)",
        Func::Softplus => "softplus′ = σ",
        Func::Relu => "relu′ = step",
        Func::Sign | Func::Step => return format!("{}′ = 0", f.name()),
        Func::Sin => "sin′ = cos",
        Func::Cos => "cos′ = −sin",
        Func::Tan => "tan′ = 1 + tan²",
        Func::Asin => "asin′(x) = 1/√(1 − x²)",
        Func::Acos => "acos′(x) = −1/√(1 − x²)",
        Func::Atan => "atan′(x) = 1/(1 + x²)",
        Func::Sinh => "sinh′ = cosh",
        Func::Cosh => "cosh′ = sinh",
        Func::Log1p => "log1p′(x) = 1/(1 + x)",
        Func::Expm1 => "expm1′ = exp",
        Func::Erf => "erf′(x) = 2/√π⋅ℯ^(−x²)",
    };
    rule.to_string()
}
