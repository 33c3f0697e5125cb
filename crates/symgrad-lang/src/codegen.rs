//! `code(e, "numpy" [, W])`: Python source of a function of the symbols of
//! `e` computing `e` (and its gradient by the symbol W).

use crate::ast::{Expr, ExprKind};
use crate::calls::{check_arity, usage_hint};
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::session::Session;
use crate::span::Span;
use symgrad::{CodeOptions, Node, Target};

impl Session {
    pub(crate) fn call_code(&mut self, args: &[&Expr], span: Span) -> Eval<Value> {
        check_arity("code", args.len(), 2, 3, span)?;
        let e = self.expr(args[0])?;
        let target = match self.eval(args[1])? {
            Value::Text(t) => Target::from_name(&t).ok_or_else(|| {
                Diagnostic::new(format!("unknown target \"{t}\""), args[1].span)
                    .with_hint(targets())
            })?,
            _ => {
                return Err(
                    Diagnostic::new("the target is a string", args[1].span).with_hint(targets())
                );
            }
        };
        let wrt = match args.get(2) {
            Some(w) => {
                let id = self.expr(w)?;
                if !matches!(self.pool.node(id), Node::Symbol { .. }) {
                    return Err(Diagnostic::new(
                        "the gradient is taken by a symbol, such as W",
                        w.span,
                    )
                    .with_hint(usage_hint("code")));
                }
                Some(id)
            }
            None => None,
        };
        let base = match &args[0].kind {
            ExprKind::Name(n) => n.as_str(),
            _ => "f",
        };
        let name = match wrt {
            Some(_) => format!("{base}_and_grad"),
            None => base.to_string(),
        };
        let options = CodeOptions { name: &name, wrt };
        symgrad::code(&mut self.pool, e, target, &options)
            .map(Value::Text)
            .map_err(at(span))
    }
}

/// The hint listing the targets.
fn targets() -> String {
    let names: Vec<String> = Target::ALL
        .iter()
        .map(|t| format!("\"{}\"", t.name()))
        .collect();
    format!("the targets are {}", names.join(", "))
}
