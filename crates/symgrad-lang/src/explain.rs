//! `explain(L, W [, X = value, …])`: the gradient of a scalar by a symbol,
//! derived step by step along the names of its intermediate results.
//!
//! The stages are the subexpressions of `L` that depend on `W` and are bound
//! to names (`A1 = tanh(W1 * X + b1)`), and, where none is, the layers found
//! in the expression (activations `A1, A2, …` and their arguments `Z1, Z2,
//! …`). One reverse sweep of the core ([`symgrad::Pool::chain_steps`]) gives
//! each stage's adjoint as one chain-rule step in the adjoints above it;
//! putting those in gives its closed form, and with bindings its value.

use crate::ast::Arg;
use crate::calls::usage_hint;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at, positional};
use crate::session::{OutputForm, Session};
use crate::span::Span;
use std::collections::HashMap;
use symgrad::{Axis, ExprId, Func, Node, Reduction};

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
            .with_hint(usage_hint("explain")));
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
        let pairs = self.bindings("explain", &args[2..])?;
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
                Some(self.pool.replace(simple, &names).map_err(at(span))?)
            } else {
                None
            };
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

    /// The rules used to get the adjoint of `node` from those above it:
    /// the operations on the way from the stages above (or `f`) down to it.
    fn rule(
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

    /// The derivation as text in the session's output form: a heading,
    /// the definitions of the stages, then each step with its rule; in
    /// LaTeX the equations form one `aligned` block, the rest comments.
    fn show_steps(
        &mut self,
        f_name: &str,
        w_name: &str,
        (steps, stages): &(Vec<Step>, Vec<Stage>),
        span: Span,
    ) -> Eval<String> {
        let latex = self.settings.output == OutputForm::Latex;
        let comment = if latex { "% " } else { "" };
        let width = self.settings.width;
        let mut out = Vec::new();
        let along: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        let head = if along.is_empty() {
            format!("∂{f_name}/∂{w_name} by the chain rule")
        } else {
            format!(
                "∂{f_name}/∂{w_name} by the chain rule along {}; dN stands for ∂{f_name}/∂N",
                along.join(", ")
            )
        };
        out.push(wrap(&head, width, comment));
        if latex {
            out.push("\\begin{aligned}".into());
        }
        let names = self.stage_names(stages).map_err(at(span))?;
        let mut indent = 0;
        for s in stages {
            let mut without = names.clone();
            without.remove(&s.node);
            if let Ok(t) = self.pool.transpose(s.node) {
                without.remove(&t);
            }
            let shown = self.pool.replace(s.node, &without).map_err(at(span))?;
            let note = if s.fresh { "  (named here)" } else { "" };
            let lhs = names[&s.node];
            out.push(self.labelled(Some(lhs), shown, note, &mut indent, span)?);
        }
        for (k, step) in steps.iter().enumerate() {
            let heading = format!(
                "step {}: {} = ∂{f_name}/∂{}, {}, by {}",
                k + 1,
                step.adjoint,
                step.name,
                step.shape,
                keep_together(&step.rule, width * 3 / 4)
            );
            out.push(wrap(&heading, width, comment).replace(GLUE, " "));
            let lhs = self
                .pool
                .symbol(&step.adjoint, step.shape)
                .map_err(at(span))?;
            match step.step {
                Some(chained) => {
                    out.push(self.labelled(Some(lhs), chained, "", &mut indent, span)?);
                    out.push(self.labelled(None, step.closed, &step.note, &mut indent, span)?);
                }
                None => out.push(self.labelled(
                    Some(lhs),
                    step.closed,
                    &step.note,
                    &mut indent,
                    span,
                )?),
            }
            if let Some(v) = step.value {
                out.push(self.labelled(None, v, "", &mut indent, span)?);
            }
        }
        if latex {
            out.push("\\end{aligned}".into());
        }
        Ok(out.join("\n"))
    }

    /// `lhs = e` (or `= e` under the previous line without `lhs`) in the
    /// session's output form: in 2-D the label on the middle line of the
    /// picture, which gets the rest of the line's width; in LaTeX one row
    /// of an `aligned` block. `note` follows on the same line.
    fn labelled(
        &mut self,
        lhs: Option<ExprId>,
        e: ExprId,
        note: &str,
        indent: &mut usize,
        span: Span,
    ) -> Eval<String> {
        let form = self.settings.output;
        let opts = self.settings.print_options();
        let print = |pool: &symgrad::Pool, x: ExprId, opts: &symgrad::PrintOptions| match form {
            OutputForm::Pretty => symgrad::pretty(pool, x, opts),
            OutputForm::Text => symgrad::text(pool, x, opts),
            OutputForm::Latex => symgrad::latex(pool, x, opts),
        };
        let name = lhs.map(|l| print(&self.pool, l, &opts));
        let shown = self.named_form(e).map_err(at(span))?.unwrap_or(e);
        if form == OutputForm::Latex {
            let text = print(&self.pool, shown, &opts);
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" % {}", note.trim())
            };
            return Ok(format!("{} &= {text} \\\\{note}", name.unwrap_or_default()));
        }
        // `  dZ2 = ` or the same width of blanks and `= ` (a continuation).
        let label = match &name {
            Some(n) => format!("  {n} = "),
            None => String::new(),
        };
        if !label.is_empty() {
            *indent = label.chars().count();
        }
        let indent = (*indent).max(2);
        let label = if label.is_empty() {
            format!("{:w$}= ", "", w = indent - 2)
        } else {
            label
        };
        let narrow = symgrad::PrintOptions {
            width: opts.width.saturating_sub(indent).max(20),
            ..opts
        };
        let text = print(&self.pool, shown, &narrow);
        if form == OutputForm::Pretty && text.lines().any(|l| l.chars().count() > narrow.width) {
            // Too wide beside the label: below it, at the full width, in
            // the form results too wide for the line take.
            let whole = self.render(e, "pretty").map_err(at(span))?;
            return Ok(format!("{}{note}\n{whole}", label.trim_end()));
        }
        let lines: Vec<&str> = text.lines().collect();
        let middle = lines.len() / 2;
        let blank = " ".repeat(indent);
        let mut out = Vec::with_capacity(lines.len());
        for (k, line) in lines.iter().enumerate() {
            let prefix = if k == middle {
                label.as_str()
            } else {
                blank.as_str()
            };
            let suffix = if k == middle { note } else { "" };
            out.push(format!("{prefix}{line}{suffix}").trim_end().to_string());
        }
        Ok(out.join("\n"))
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
        #[allow(unreachable_patterns)]
        _ => return format!("{0}′: dX = dC∘{0}′(X)", f.name()),
    };
    rule.to_string()
}

/// Stands for a space that [`wrap`] must not break at.
const GLUE: char = '\u{a0}';

/// The rules `a; b; c` with the spaces inside each rule shorter than `max`
/// glued, so that lines break between rules where they can.
fn keep_together(rules: &str, max: usize) -> String {
    rules
        .split("; ")
        .map(|r| {
            if r.chars().count() < max {
                r.replace(' ', &GLUE.to_string())
            } else {
                r.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `text` broken between words into lines of at most `width` characters
/// (a longer word stays whole), each starting with `lead`, the later ones
/// indented by 4 more.
fn wrap(text: &str, width: usize, lead: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if line.is_empty() {
            line = format!("{lead}{word}");
        } else if line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, format!("{lead}    {word}")));
        } else {
            line.push(' ');
            line.push_str(word);
        }
    }
    lines.push(line);
    lines.join("\n")
}
