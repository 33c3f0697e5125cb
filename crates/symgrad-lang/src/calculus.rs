//! Calls of the calculus, rewriting, substitution and evaluation built-ins:
//! `diff`, `grad`, `jacobian`, `hessian`, `simplify`, `expand`, `subs`, `eval`.

use crate::ast::{Arg, Expr, ExprKind};
use crate::calls::{check_arity, usage_hint};
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at, positional};
use crate::session::Session;
use crate::span::Span;
use symgrad::{Dense, Error, ExprId, Node, Values};

/// The built-ins this module answers.
pub(crate) const CALCULUS: &[&str] = &[
    "diff", "grad", "jacobian", "hessian", "simplify", "expand", "subs", "eval",
];

/// The highest order `diff(f, x, n)` accepts.
const MAX_ORDER: i64 = 20;

/// The most arguments `diff(f, x, n, y, m, …)` takes.
const MAX_DIFF_ARGS: usize = 41;

impl Session {
    pub(crate) fn call_calculus(&mut self, name: &str, args: &[Arg], span: Span) -> Eval<Value> {
        if matches!(name, "subs" | "eval") {
            return self.call_substitution(name, args, span);
        }
        let args: Vec<&Expr> = args.iter().map(positional).collect::<Eval<_>>()?;
        let (lo, hi) = match name {
            "diff" => (2, MAX_DIFF_ARGS),
            "grad" | "jacobian" | "hessian" => (2, 2),
            _ => (1, 1),
        };
        check_arity(name, args.len(), lo, hi, span)?;
        let f = self.expr(args[0])?;
        let r = match name {
            "diff" => return self.call_diff(f, &args, span),
            "grad" => {
                let w = self.expr(args[1])?;
                if let Err(e) = self.pool.check_gradient_variable(w) {
                    return Err(self.with_variable_hint(at(args[1].span)(e), w, args[1]));
                }
                self.note_if_independent(f, w, &args);
                self.pool.grad(f, w)
            }
            "jacobian" | "hessian" => {
                let v = self.expr(args[1])?;
                let vars = match self.pool.variables(v) {
                    Ok(vars) => vars,
                    Err(e) => return Err(self.with_list_hint(at(args[1].span)(e), args[1])),
                };
                if name == "jacobian" {
                    self.pool.jacobian(f, &vars)
                } else {
                    self.pool.hessian(f, &vars)
                }
            }
            "simplify" => self.pool.simplify(f),
            _ => self.pool.expand(f),
        };
        r.map(Value::Expr).map_err(at(span))
    }

    /// `diff(f, x [, n], y [, m], …)`: by `x` n times, then by `y` m times,
    /// as SymPy's `diff(f, x, 2, y)`; by a matrix symbol it is `grad(f, W)`.
    fn call_diff(&mut self, f: ExprId, args: &[&Expr], span: Span) -> Eval<Value> {
        let rest = &args[1..];
        let ids = rest
            .iter()
            .map(|a| self.expr(a))
            .collect::<Eval<Vec<_>>>()?;
        let x = ids[0];
        // Not of a variable that is none (a name bound to a number).
        if matches!(self.pool.node(x), Node::Symbol { .. }) || self.pool.check_variable(x).is_ok() {
            self.note_if_independent(f, x, args);
        }
        if matches!(self.pool.node(x), Node::Symbol { shape, .. } if !shape.is_scalar()) {
            if let Some(n) = args.get(2) {
                return Err(Diagnostic::new(
                    "a gradient by a matrix symbol has no order or second variable",
                    n.span,
                ));
            }
            // An error names the function the user called.
            let named = |e| match e {
                Error::BadShape {
                    op: "grad",
                    shape,
                    expected,
                } => Error::BadShape {
                    op: "diff",
                    shape,
                    expected,
                },
                e => e,
            };
            return self
                .pool
                .grad(f, x)
                .map(Value::Expr)
                .map_err(|e| at(span)(named(e)));
        }
        // After each variable, a number is how many times.
        let mut d = f;
        let mut total = 0;
        let mut k = 0;
        while k < ids.len() {
            let x = ids[k];
            if let Err(e) = self.pool.check_variable(x) {
                return Err(self.with_variable_hint(at(rest[k].span)(e), x, rest[k]));
            }
            let order = match ids.get(k + 1) {
                Some(&n) if self.pool.as_num(n).is_some() => {
                    k += 1;
                    self.order(n, rest[k].span)?
                }
                _ => 1,
            };
            total += order;
            if total > MAX_ORDER {
                return Err(Diagnostic::new(
                    format!("at most {MAX_ORDER} derivatives in all"),
                    rest[k].span,
                ));
            }
            for _ in 0..order {
                d = self.pool.diff(d, x).map_err(at(span))?;
            }
            k += 1;
        }
        Ok(Value::Expr(d))
    }

    /// `d` with a hint when the variable `x` (written `arg`) is not a symbol
    /// but holds one (`W[0, :]`, `W'`, `2*x`): what to differentiate by
    /// instead; or when it is a name bound to a value (`x = 3`).
    fn with_variable_hint(&self, d: Diagnostic, x: ExprId, arg: &Expr) -> Diagnostic {
        let [s] = self.pool.free_symbols(x)[..] else {
            return match &arg.kind {
                ExprKind::Name(name) => d.with_hint(self.symbol_hint(name)),
                _ => d,
            };
        };
        let name = self.symbol_name(s);
        if self.pool.shape(s).is_scalar() {
            return d.with_hint(format!("differentiate by {name} itself"));
        }
        d.with_hint(format!(
            "take the part you need from grad(f, {name}), e.g. grad(f, {name})[0, :]"
        ))
    }

    /// `d` with a hint when a name in the variables `vars` of `jacobian` or
    /// `hessian` (`[x, y]`) is bound to a value.
    fn with_list_hint(&self, d: Diagnostic, vars: &Expr) -> Diagnostic {
        let names: Vec<&Expr> = match &vars.kind {
            ExprKind::Vector(entries) => entries.iter().collect(),
            ExprKind::Matrix(rows) => rows.iter().flatten().collect(),
            _ => vec![vars],
        };
        let bound = names.into_iter().find_map(|e| match &e.kind {
            ExprKind::Name(name)
                if self.vars.get(name).is_some_and(|&id| {
                    !matches!(
                        self.pool.node(id),
                        Node::Symbol { .. } | Node::Element { .. }
                    )
                }) =>
            {
                Some(name)
            }
            _ => None,
        });
        match bound {
            Some(name) => d.with_hint(self.symbol_hint(name)),
            None => d,
        }
    }

    /// The order `n` of `diff(f, x, n)`: an integer from 0 (f itself) to [`MAX_ORDER`].
    fn order(&mut self, n: ExprId, span: Span) -> Eval<i64> {
        let k = self.integer_value(n, span)?;
        if !(0..=MAX_ORDER).contains(&k) {
            return Err(Diagnostic::new(
                format!("the order must be an integer from 0 to {MAX_ORDER}, not {k}"),
                span,
            ));
        }
        Ok(k)
    }

    /// Notes when `f` (the first of `args`) does not contain the variable
    /// `x` (the second), naming both as written.
    fn note_if_independent(&mut self, f: ExprId, x: ExprId, args: &[&Expr]) {
        let x_name = match self.pool.node(x) {
            Node::Symbol { name, .. } => name.to_string(),
            _ => symgrad::text(&self.pool, x, &symgrad::PrintOptions::default()),
        };
        self.note_independent(f, x, &written(args[0], "the function"), &x_name);
    }

    /// `subs(e, W = value, …)` and `eval(e, W = value, …)`.
    fn call_substitution(&mut self, name: &str, args: &[Arg], span: Span) -> Eval<Value> {
        let Some((Arg::Positional(first), rest)) = args.split_first() else {
            return Err(
                Diagnostic::new(format!("{name} needs an expression first"), span)
                    .with_hint(usage_hint(name)),
            );
        };
        let e = self.expr(first)?;
        let pairs = self.bindings(name, rest, e)?;
        let e_name = written(first, "the expression");
        for &(symbol, _) in &pairs {
            self.note_unused_binding(e, symbol, &e_name);
        }
        if name == "subs" {
            return self.pool.subs(e, &pairs).map(Value::Expr).map_err(at(span));
        }
        self.evaluate(e, &pairs, span).map(Value::Expr)
    }

    /// The bindings `W = value, …` of `subs`, `eval` and `explain` on `e`:
    /// each a symbol, given once, with its value. A name is the symbol of
    /// that name in `e`, also when an assignment has bound the name to a
    /// value since (`W = randn(2, 2)`) or `symbol` to another shape.
    pub(crate) fn bindings(
        &mut self,
        name: &str,
        rest: &[Arg],
        e: ExprId,
    ) -> Eval<Vec<(ExprId, ExprId)>> {
        let mut pairs = Vec::with_capacity(rest.len());
        for a in rest {
            let Arg::Named { name: sym, value } = a else {
                let e = positional(a)?;
                return Err(
                    Diagnostic::new("expected a binding such as W = value", e.span)
                        .with_hint(usage_hint(name)),
                );
            };
            let symbol = match self.symbol_named(e, &sym.name) {
                Some(id) => id,
                None => match self.name(&sym.name, sym.span) {
                    Ok(id) if matches!(self.pool.node(id), Node::Symbol { .. }) => id,
                    _ => {
                        return Err(Diagnostic::new(
                            format!("'{}' is not a symbol", sym.name),
                            sym.span,
                        )
                        .with_hint(self.symbol_hint(&sym.name)));
                    }
                },
            };
            if pairs.iter().any(|&(s, _)| s == symbol) {
                return Err(Diagnostic::new(
                    format!("'{}' is given twice", sym.name),
                    sym.span,
                ));
            }
            let v = self.expr(value)?;
            pairs.push((symbol, v));
        }
        Ok(pairs)
    }
}

impl Session {
    /// `eval`: the value of `e` in floats, with the symbols of `pairs` bound
    /// to numeric values (see [`Session::evaluate_precisely`]).
    pub(crate) fn evaluate(
        &mut self,
        e: ExprId,
        pairs: &[(ExprId, ExprId)],
        span: Span,
    ) -> Eval<ExprId> {
        let mut bindings = Vec::with_capacity(pairs.len());
        for &(symbol, value) in pairs {
            if let Some(&free) = self.pool.free_symbols(value).first() {
                return Err(Diagnostic::new(
                    format!(
                        "the value for {} is not numeric: it contains the symbol {}",
                        self.symbol_name(symbol),
                        self.symbol_name(free)
                    ),
                    span,
                ));
            }
            self.pool.check_binding(symbol, value).map_err(at(span))?;
            let v = self.compute(value, &[]).map_err(at(span))?;
            bindings.push((symbol, v));
        }
        let v = self.evaluate_precisely(e, bindings, span)?;
        let d = Dense::from_f64(v.shape, v.data).map_err(at(span))?;
        if d.shape().is_scalar() {
            return self.pool.float(d.get(0, 0).to_f64()).map_err(at(span));
        }
        self.pool.dense(d).map_err(at(span))
    }

    /// The value of `e` in floats, as [`Session::evaluate_values`] gives it;
    /// a scalar expression (or an explicit matrix of them) is then computed
    /// again in multiple precision, so that its digits are right where f64
    /// loses them (as SymPy's `evalf`).
    pub(crate) fn evaluate_precisely(
        &mut self,
        e: ExprId,
        bindings: Vec<(ExprId, Values)>,
        span: Span,
    ) -> Eval<Values> {
        let v = self.evaluate_values(e, &bindings, span)?;
        let bound = bindings.into_iter().collect();
        Ok(self.pool.evaluate_precisely(e, &bound).unwrap_or(v))
    }

    /// The value of `e` in floats, with the symbols of `bindings` given,
    /// computed from the stable form of `e` by a program compiled once and
    /// reused by later calls; an error names the unbound symbols, or the
    /// operation where a value is not finite.
    pub(crate) fn evaluate_values(
        &mut self,
        e: ExprId,
        bindings: &[(ExprId, Values)],
        span: Span,
    ) -> Eval<Values> {
        let stable = |session: &mut Session, bound: &[ExprId]| {
            let stable = session.pool.stabilise(e).map_err(at(span))?;
            session.check_all_bound(stable, bound, span)?;
            Ok(stable)
        };
        self.compute_cached(e, stable, bindings, span)
    }

    /// Errors unless every symbol of `stable` is among `bound`.
    fn check_all_bound(&self, stable: ExprId, bound: &[ExprId], span: Span) -> Eval<()> {
        let unbound: Vec<String> = self
            .pool
            .free_symbols(stable)
            .into_iter()
            .filter(|s| !bound.contains(s))
            .map(|s| self.symbol_name(s))
            .collect();
        if !unbound.is_empty() {
            let list = unbound.join(", ");
            return Err(Diagnostic::new(
                format!("eval needs a value for every symbol; unbound: {list}"),
                span,
            )
            .with_hint(format!("give them as eval(e, {} = …)", unbound[0])));
        }
        Ok(())
    }

    /// The hint for the name of a symbol that is not one: declare it, or
    /// declare it again when an assignment bound it to a value (`W =
    /// randn(2, 2)` after `symbol W[2, 2]`).
    pub(crate) fn symbol_hint(&self, name: &str) -> String {
        let Some(&value) = self.vars.get(name) else {
            return "declare it first: symbol W[m, n]".into();
        };
        let s = self.pool.shape(value);
        let declare = if s.is_scalar() {
            format!("symbol {name}")
        } else {
            format!("symbol {name}[{}, {}]", s.rows, s.cols)
        };
        format!("{name} was bound to a value by an assignment; `{declare}` makes it a symbol again")
    }

    /// The hint for an argument `arg` that must be a symbol and is not:
    /// [`Session::symbol_hint`] for a name bound to a value, else `other`.
    pub(crate) fn not_a_symbol_hint(&self, arg: &Expr, other: String) -> String {
        match &arg.kind {
            ExprKind::Name(name) if self.vars.contains_key(name) => self.symbol_hint(name),
            _ => other,
        }
    }

    /// The one symbol of `e` called `name`, if there is exactly one.
    pub(crate) fn symbol_named(&self, e: ExprId, name: &str) -> Option<ExprId> {
        let free = self.pool.free_symbols(e);
        let mut named = free.into_iter().filter(|&s| self.symbol_name(s) == name);
        named.next().filter(|_| named.next().is_none())
    }

    pub(crate) fn symbol_name(&self, s: ExprId) -> String {
        match self.pool.node(s) {
            Node::Symbol { name, .. } => name.to_string(),
            _ => "?".into(),
        }
    }
}

/// The name `e` is, as written, or `other` when it is not a name (for notes).
fn written(e: &Expr, other: &str) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        _ => other.to_string(),
    }
}
