//! User functions `f(x, y) = body`: definition, calls and `:help f`.
//!
//! A call evaluates its arguments, binds them to the parameters and evaluates
//! the body. The language has no conditionals, so a function that calls
//! itself, directly or through others, would never stop: such a definition
//! is refused. Errors inside a body point at the call, naming the function,
//! since the body may come from another input or from the prelude.

use crate::ast::{Arg, Expr, ExprKind, Ident, IndexArg};
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Function, positional};
use crate::session::Session;
use crate::span::Span;
use indexmap::IndexMap;
use symgrad::{ExprId, Shape};

/// User-function calls may nest at most this deep. (Recursion is refused
/// when a function is defined, so only a long chain of functions reaches it.)
const MAX_CALL_DEPTH: usize = 1_000;

impl Session {
    /// Defines `name(params) = body`, replacing an earlier definition; a
    /// body that would call `name` again is refused.
    pub(crate) fn define(
        &mut self,
        name: &Ident,
        params: &[Ident],
        body: &Expr,
        source: String,
    ) -> Eval<()> {
        for call in calls_in(body) {
            if *call.name == name.name {
                return Err(recursion_error(name, call, &[]));
            }
            if let Some(path) = self.path_to(call.name, &name.name) {
                return Err(recursion_error(name, call, &path));
            }
        }
        let function = Function {
            params: params.iter().map(|p| p.name.clone()).collect(),
            body: body.clone(),
            source,
            prelude: false,
        };
        self.functions.insert(name.name.clone(), function);
        Ok(())
    }

    /// The chain of user functions `from → … → to` by which `from` calls
    /// `to`, if it does (`to` itself left out).
    fn path_to(&self, from: &str, to: &str) -> Option<Vec<String>> {
        // Each function reached, with the one that calls it.
        let mut reached: IndexMap<&str, &str> = IndexMap::from([(from, from)]);
        let mut todo = vec![from];
        while let Some(caller) = todo.pop() {
            let Some(f) = self.functions.get(caller) else {
                continue;
            };
            for call in calls_in(&f.body) {
                if *call.name == to {
                    let mut path = vec![caller.to_string()];
                    let mut at = caller;
                    while at != from {
                        at = reached[at];
                        path.push(at.to_string());
                    }
                    path.reverse();
                    return Some(path);
                }
                if !reached.contains_key(call.name.as_str()) {
                    reached.insert(call.name, caller);
                    todo.push(call.name);
                }
            }
        }
        None
    }

    /// Calls the user function `name` at `span`.
    pub(crate) fn call_user(
        &mut self,
        name: &str,
        f: &Function,
        args: &[Arg],
        span: Span,
    ) -> Eval<ExprId> {
        if args.len() != f.params.len() {
            return Err(Diagnostic::new(
                format!(
                    "{name} takes {} argument(s), got {}",
                    f.params.len(),
                    args.len()
                ),
                span,
            )
            .with_hint(format!("usage: {}", signature(name, f))));
        }
        if self.call_depth >= MAX_CALL_DEPTH {
            return Err(Diagnostic::new(
                format!("function calls nested more than {MAX_CALL_DEPTH} deep"),
                span,
            ));
        }
        if self.call_depth == 0 {
            self.failed_calls.clear();
        }
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(self.expr(positional(a)?)?);
        }
        self.apply_user(name, f, values, span)
    }

    /// The body of the user function `name` with its parameters bound to
    /// `values` (one each), for a call at `span`.
    pub(crate) fn apply_user(
        &mut self,
        name: &str,
        f: &Function,
        values: Vec<ExprId>,
        span: Span,
    ) -> Eval<ExprId> {
        let saved: Vec<_> = f
            .params
            .iter()
            .map(|p| (p.clone(), self.vars.get(p).copied()))
            .collect();
        for (p, v) in f.params.iter().zip(values) {
            self.vars.insert(p.clone(), v);
        }
        self.call_depth += 1;
        let result = self.expr(&f.body);
        self.call_depth -= 1;
        for (p, old) in saved {
            match old {
                Some(v) => self.vars.insert(p, v),
                None => self.vars.shift_remove(&p),
            };
        }
        result.map_err(|d| self.failed_in(name, f, d, span, self.call_depth == 0))
    }

    /// The error `d` from the body of `name`, called at `span`: inner calls
    /// note where it happened; the outermost call, which the user wrote,
    /// points at itself and names the chain of functions.
    fn failed_in(
        &mut self,
        name: &str,
        f: &Function,
        d: Diagnostic,
        span: Span,
        outermost: bool,
    ) -> Diagnostic {
        self.failed_calls.push(FailedCall {
            signature: signature(name, f),
            definition: (!f.prelude).then(|| format!("{name} is defined as {}", f.source.trim())),
        });
        if !outermost {
            return d;
        }
        let mut chain = std::mem::take(&mut self.failed_calls);
        chain.reverse();
        // The `.*` hint is about an operator in a body the caller does not
        // see: the definition says more.
        let definition = chain.iter().rev().find_map(|c| c.definition.clone());
        let hint = match d.hint {
            Some(h) if h == crate::eval::PRODUCT_HINT && definition.is_some() => definition,
            h => h.or(definition),
        };
        let mut names: Vec<&str> = chain.iter().map(|c| c.signature.as_str()).collect();
        if names.len() > 4 {
            names.splice(2..names.len() - 1, ["…"]);
        }
        let mut error = Diagnostic::new(format!("in {}: {}", names.join(" → "), d.message), span);
        error.hint = hint;
        error
    }

    /// `:help f` for a user function: its definition as written, what it
    /// is, and its body in 2-D with the parameters as symbols.
    pub(crate) fn function_help(&self, name: &str) -> Option<String> {
        let f = self.functions.get(name)?;
        let what = match crate::prelude::summary(name).filter(|_| f.prelude) {
            Some(summary) => format!(
                "{}\n  from the prelude; a definition of your own replaces it until :reset",
                crate::commands::wrap_words(summary, 2, crate::commands::HELP_WIDTH)
            ),
            None => "a function defined in this session".to_string(),
        };
        let mut text = format!("{}\n  {what}", f.source.trim());
        if let Some(body) = self.body_form(f) {
            text.push_str("\n\n");
            text.push_str(&body);
        }
        Some(text)
    }

    /// The body of `f` printed in 2-D, in a scratch session so that this
    /// one is untouched: the names it uses are symbols of the shapes of
    /// their values here, and its parameters are symbols of the shapes of
    /// the same names here (not for the prelude's functions), else 2×2 (or,
    /// when the body needs that, 1×1).
    fn body_form(&self, f: &Function) -> Option<String> {
        let form = |fallback: Shape| {
            let mut scratch = Session {
                functions: self.functions.clone(),
                settings: self.settings.clone(),
                ..Session::default()
            };
            for (name, &value) in &self.vars {
                let symbol = scratch.pool.symbol(name, self.pool.shape(value)).ok()?;
                scratch.vars.insert(name.clone(), symbol);
            }
            for p in &f.params {
                let here = self.vars.get(p).filter(|_| !f.prelude);
                let shape = here.map_or(fallback, |&v| self.pool.shape(v));
                let symbol = scratch.pool.symbol(p, shape).ok()?;
                scratch.vars.insert(p.clone(), symbol);
            }
            let body = scratch.expr(&f.body).ok()?;
            let opts = scratch.settings.print_options();
            Some(symgrad::pretty(&scratch.pool, body, &opts))
        };
        form(Shape::new(2, 2)).or_else(|| form(Shape::SCALAR))
    }
}

/// A user function an error came through.
#[derive(Debug)]
pub(crate) struct FailedCall {
    signature: String,
    /// `f is defined as …`, for the user's own functions.
    definition: Option<String>,
}

/// `f(x, y)`: how a user function is called.
fn signature(name: &str, f: &Function) -> String {
    format!("{name}({})", f.params.join(", "))
}

/// A call found in a body.
struct Call<'a> {
    name: &'a String,
    span: Span,
}

/// The refusal of `f(…) = … g(…) …` when `g` leads back to `f` by `path`.
fn recursion_error(name: &Ident, call: Call, path: &[String]) -> Diagnostic {
    let f = &name.name;
    let message = if path.is_empty() {
        format!("{f} calls itself")
    } else {
        format!("{f} calls itself through {f} → {} → {f}", path.join(" → "))
    };
    Diagnostic::new(message, call.span)
        .with_label("this call would never return")
        .with_hint("the language has no conditionals, so recursion could never stop")
}

/// The calls in `e`: the name called and the span of the call, in order
/// of appearance.
fn calls_in(e: &Expr) -> Vec<Call<'_>> {
    let mut calls = Vec::new();
    let mut todo = vec![e];
    while let Some(e) = todo.pop() {
        if let ExprKind::Call { func, .. } = &e.kind {
            calls.push(Call {
                name: &func.name,
                span: e.span,
            });
        }
        let mut kids = children(e);
        kids.reverse();
        todo.extend(kids);
    }
    calls
}

/// The subexpressions directly inside `e`.
fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Str(_) | ExprKind::Name(_) => vec![],
        ExprKind::Call { args, .. } => args
            .iter()
            .map(|a| match a {
                Arg::Positional(e) | Arg::Named { value: e, .. } => e,
            })
            .collect(),
        ExprKind::Index { target, indices } => {
            let mut kids = vec![target.as_ref()];
            for i in indices {
                match i {
                    IndexArg::At(e) => kids.push(e),
                    IndexArg::Range { start, end } => kids.extend(start.iter().chain(end)),
                }
            }
            kids
        }
        ExprKind::Transpose(a) | ExprKind::Neg(a) => vec![a],
        ExprKind::Binary { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::Chain { first, rest } => std::iter::once(first.as_ref())
            .chain(rest.iter().map(|l| &l.rhs))
            .collect(),
        ExprKind::Matrix(rows) => rows.iter().flatten().collect(),
        ExprKind::Vector(items) => items.iter().collect(),
    }
}
