//! `explain(L, W [, X = value, …])`: the gradient of a scalar by a symbol,
//! derived step by step along the names of its intermediate results.
//!
//! The stages are the subexpressions of `L` that depend on `W` and are bound
//! to names (`A1 = tanh(W1 * X + b1)`), and, where none is, the layers found
//! in the expression (activations `A1, A2, …` and their arguments `Z1, Z2,
//! …`). One reverse sweep of the core ([`symgrad::Pool::chain_steps`]) gives
//! each stage's adjoint as one chain-rule step in the adjoints above it;
//! putting those in gives its closed form, and with bindings its value.

mod rules;
mod show;

use crate::ast::Arg;
use crate::calls::usage_hint;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at, positional};
use crate::session::Session;
use crate::span::Span;
use std::collections::HashMap;
use symgrad::{ExprId, Func, Node};

/// An intermediate result the derivation passes through.
struct Stage {
    node: ExprId,
    name: String,
    /// True for a name made up here (not bound by the user).
    fresh: bool,
}

/// One step of the derivation, ready to print.
struct Step {
    /// The name of what is differentiated by (`Z2`, or `W1` last).
    name: String,
    /// The name of its adjoint (`dZ2`).
    adjoint: String,
    shape: symgrad::Shape,
    rule: String,
    /// The chain-rule step, in the adjoints above (`dA1∘(1 − A1²)`);
    /// `None` for the first step, which is in none.
    step: Option<ExprId>,
    /// The same with everything put in and simplified.
    closed: ExprId,
    /// Said after the closed form (a constant matrix shown as its number).
    note: String,
    value: Option<ExprId>,
}

impl Session {
    /// `explain(L, W [, X = value, …])`.
    pub(crate) fn call_explain(&mut self, args: &[Arg], span: Span) -> Eval<Value> {
        let count = args
            .iter()
            .take_while(|a| matches!(a, Arg::Positional(_)))
            .count();
        if count != 2 {
            return Err(Diagnostic::new(
                "explain takes a scalar and a symbol, then bindings such as W = value",
                span,
            )
            .with_hint(usage_hint("explain")));
        }
        let f_arg = positional(&args[0])?;
        let w_arg = positional(&args[1])?;
        let f = self.expr(f_arg)?;
        let w = self.expr(w_arg)?;
        if !matches!(self.pool.node(w), Node::Symbol { .. }) {
            return Err(Diagnostic::new(
                "explain differentiates by a symbol, such as W",
                w_arg.span,
            )
            .with_hint(self.not_a_symbol_hint(w_arg, usage_hint("explain"))));
        }
        let shape = self.pool.shape(f);
        if !shape.is_scalar() {
            return Err(Diagnostic::new(
                format!("explain needs a scalar, such as a loss, not a {shape} matrix"),
                f_arg.span,
            ));
        }
        let free = self.pool.free_symbols(f);
        if !free.contains(&w) {
            return Err(Diagnostic::new(
                format!("this does not depend on {}", self.symbol_name(w)),
                f_arg.span,
            ));
        }
        let pairs = self.bindings("explain", &args[2..], f)?;
        let unbound: Vec<String> = free
            .iter()
            .filter(|s| !pairs.iter().any(|(b, _)| b == *s))
            .map(|&s| self.symbol_name(s))
            .collect();
        if !pairs.is_empty() && !unbound.is_empty() {
            return Err(Diagnostic::new(
                format!(
                    "explain shows values when every symbol has one; unbound: {}",
                    unbound.join(", ")
                ),
                span,
            )
            .with_hint(format!(
                "give them as explain(L, {}, {} = …), or give none",
                self.symbol_name(w),
                unbound[0]
            )));
        }
        let steps = self.derive(f, w, &pairs, span)?;
        let w_name = self.symbol_name(w);
        let f_name = match &f_arg.kind {
            crate::ast::ExprKind::Name(n) => n.clone(),
            _ => "L".to_string(),
        };
        Ok(Value::Text(
            self.show_steps(&f_name, &w_name, &steps, span)?,
        ))
    }

    /// The steps of `∂f/∂w`, with their values at `pairs` when given.
    fn derive(
        &mut self,
        f: ExprId,
        w: ExprId,
        pairs: &[(ExprId, ExprId)],
        span: Span,
    ) -> Eval<(Vec<Step>, Vec<Stage>)> {
        let stages = self.stages(f, w).map_err(at(span))?;
        // Symbols of `f` keep their names: an adjoint named like one
        // would be that symbol.
        let taken: Vec<String> = self
            .pool
            .free_symbols(f)
            .into_iter()
            .map(|s| self.symbol_name(s))
            .collect();
        let adjoint_name = |name: &str| {
            let mut d = format!("d{name}");
            while taken.contains(&d) {
                d = format!("d{d}");
            }
            d
        };
        let mut cuts = HashMap::new();
        for s in &stages {
            let symbol = self
                .pool
                .symbol(&adjoint_name(&s.name), self.pool.shape(s.node))
                .map_err(at(span))?;
            cuts.insert(s.node, symbol);
        }
        let raw = self.pool.chain_steps(f, w, &cuts).map_err(at(span))?;
        let names = self.stage_names(&stages).map_err(at(span))?;
        let mut closed_by_node: HashMap<ExprId, ExprId> = HashMap::new();
        let mut steps = Vec::with_capacity(raw.len());
        for (node, step) in raw {
            let closed = self.closed_adjoint(f, w, node).map_err(at(span))?;
            closed_by_node.insert(node, closed);
            let value = if pairs.is_empty() {
                None
            } else {
                Some(self.evaluate(closed, pairs, span)?)
            };
            let rule = self.rule(f, node, &cuts, &closed_by_node);
            let name = match stages.iter().find(|s| s.node == node) {
                Some(s) => s.name.clone(),
                None => self.symbol_name(w),
            };
            let adjoint = adjoint_name(&name);
            // A step in no adjoint above (the first) is the closed form.
            let chained = self
                .pool
                .free_symbols(step)
                .iter()
                .any(|s| cuts.values().any(|c| c == s));
            let step = if chained {
                let simple = self.pool.simplify(step).map_err(at(span))?;
                let simple = self.pool.written_as_formulas(simple).map_err(at(span))?;
                Some(self.pool.replace(simple, &names).map_err(at(span))?)
            } else {
                None
            };
            let closed = self.pool.written_as_formulas(closed).map_err(at(span))?;
            let closed = self.pool.replace(closed, &names).map_err(at(span))?;
            // A matrix of one number (the adjoint of a sum) as that number.
            let (closed, note) = match self.pool.node(closed) {
                Node::Dense(d)
                    if d.shape().len() > 1 && d.nums().windows(2).all(|p| p[0] == p[1]) =>
                {
                    let c = d.get(0, 0);
                    let shape = d.shape();
                    let c = self.pool.num(c).map_err(at(span))?;
                    (c, format!("  (every entry of the {shape} matrix)"))
                }
                _ => (closed, String::new()),
            };
            steps.push(Step {
                name,
                adjoint,
                shape: self.pool.shape(node),
                rule,
                step,
                closed,
                note,
                value,
            });
        }
        Ok((steps, stages))
    }

    /// `∂f/∂node` in closed form, as `grad` gives it: `node` is replaced by
    /// a symbol in `f` (its stable form), differentiated by it and put back.
    fn closed_adjoint(&mut self, f: ExprId, w: ExprId, node: ExprId) -> symgrad::Result<ExprId> {
        if node == w {
            return self.pool.grad(f, w);
        }
        let stand_in = self.pool.symbol("explain′stage", self.pool.shape(node))?;
        let f_of = self.pool.replace(f, &HashMap::from([(node, stand_in)]))?;
        let g = self.pool.grad(f_of, stand_in)?;
        self.pool.replace(g, &HashMap::from([(stand_in, node)]))
    }

    /// The intermediate results of `f` that depend on `w`: those bound to
    /// names, and unnamed layers (activations and their arguments) under
    /// fresh names; ordered from `f` down to `w`.
    fn stages(&mut self, f: ExprId, w: ExprId) -> symgrad::Result<Vec<Stage>> {
        let nodes = self.pool.reachable(f);
        let mut live = std::collections::HashSet::new();
        for &id in &nodes {
            if id == w
                || self
                    .pool
                    .node(id)
                    .children()
                    .iter()
                    .any(|c| live.contains(c))
            {
                live.insert(id);
            }
        }
        let mut named: HashMap<ExprId, String> = HashMap::new();
        for (name, &v) in &self.vars {
            if v != f
                && v != w
                && live.contains(&v)
                && !matches!(self.pool.node(v), Node::Symbol { .. } | Node::Num(_))
            {
                named.entry(v).or_insert_with(|| name.clone());
            }
        }
        let mut stages: Vec<Stage> = named
            .iter()
            .map(|(&node, name)| Stage {
                node,
                name: name.clone(),
                fresh: false,
            })
            .collect();
        // Layers: the number of activations at or under each live node.
        let mut level: HashMap<ExprId, usize> = HashMap::new();
        let mut taken: Vec<String> = self.vars.keys().cloned().collect();
        taken.extend(
            self.pool
                .free_symbols(f)
                .into_iter()
                .map(|s| self.symbol_name(s)),
        );
        for &id in &nodes {
            if !live.contains(&id) {
                continue;
            }
            let below = self
                .pool
                .node(id)
                .children()
                .iter()
                .filter_map(|c| level.get(c))
                .max()
                .copied()
                .unwrap_or(0);
            let activation = is_activation(self.pool.node(id)) && !self.pool.shape(id).is_scalar();
            let here = below + usize::from(activation);
            level.insert(id, here);
            if !activation || id == f {
                continue;
            }
            let mut fresh = |stages: &mut Vec<Stage>, node: ExprId, letter: char| {
                if named.contains_key(&node) || stages.iter().any(|s| s.node == node) {
                    return;
                }
                let mut name = format!("{letter}{here}");
                while taken.contains(&name) {
                    name.push('′');
                }
                taken.push(name.clone());
                stages.push(Stage {
                    node,
                    name,
                    fresh: true,
                });
            };
            fresh(&mut stages, id, 'A');
            let arg = self.pool.node(id).children()[0];
            if arg != w
                && live.contains(&arg)
                && matches!(self.pool.node(arg), Node::Add(_) | Node::MatMul(..))
            {
                fresh(&mut stages, arg, 'Z');
            }
        }
        // Parents have larger ids than their children.
        stages.sort_by_key(|s| std::cmp::Reverse(s.node));
        Ok(stages)
    }

    /// Each stage's node (and its transpose) mapped to a symbol of its name,
    /// for printing.
    fn stage_names(&mut self, stages: &[Stage]) -> symgrad::Result<HashMap<ExprId, ExprId>> {
        let mut names = HashMap::new();
        for s in stages {
            let shape = self.pool.shape(s.node);
            let symbol = self.pool.symbol(&s.name, shape)?;
            names.insert(s.node, symbol);
            if !shape.is_scalar() {
                let t = self.pool.transpose(s.node)?;
                let shown = self.pool.transpose(symbol)?;
                names.insert(t, shown);
            }
        }
        Ok(names)
    }
}

/// An activation: a layer's nonlinearity.
fn is_activation(node: &Node) -> bool {
    matches!(
        node,
        Node::Softmax(..)
            | Node::Apply(Func::Tanh | Func::Sigmoid | Func::Relu | Func::Softplus, _)
    )
}
