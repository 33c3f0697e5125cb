//! The loss library: the prelude (`prelude.sg`, losses written in the
//! language itself and built into the binary) and the built-in `one_hot`.

use crate::ast::{Expr, Stmt};
use crate::calls::check_arity;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::parse::parse;
use crate::session::Session;
use crate::span::Span;
use std::sync::OnceLock;
use symgrad::{Dense, DenseData, Node, Num, checked_shape};

/// The source of the prelude.
pub(crate) const PRELUDE: &str = include_str!("prelude.sg");

impl Session {
    /// Runs the prelude; its functions are marked as the prelude's (`:vars`
    /// leaves them out; a session may redefine them).
    pub(crate) fn load_prelude(&mut self) {
        // Parsed once per process: every session (and `:reset`) runs it.
        static PROGRAM: OnceLock<Vec<Stmt>> = OnceLock::new();
        let program = PROGRAM.get_or_init(|| parse(PRELUDE).unwrap_or_default());
        debug_assert!(!program.is_empty(), "the prelude fails to parse");
        for stmt in program {
            let ran = self.run_stmt(stmt, PRELUDE, &mut |_| {});
            debug_assert!(ran.is_ok(), "the prelude fails to run");
        }
        for f in self.functions.values_mut() {
            f.prelude = true;
        }
    }

    /// `one_hot(labels, K)`: the K×n matrix whose column j is 1 in row
    /// `labels[j]` and 0 elsewhere.
    pub(crate) fn call_one_hot(&mut self, args: &[&Expr], span: Span) -> Eval<Value> {
        check_arity("one_hot", args.len(), 2, 2, span)?;
        let labels = self.expr(args[0])?;
        let k = self.integer(args[1])?;
        let classes = usize::try_from(k).ok().filter(|&k| k > 0).ok_or_else(|| {
            Diagnostic::new(
                format!("the number of classes K must be a positive integer, not {k}"),
                args[1].span,
            )
        })?;
        let shape = self.pool.shape(labels);
        let not_labels = |what: String| {
            Diagnostic::new(what, args[0].span)
                .with_hint("labels are a vector of integers 0, 1, …, K-1, e.g. [2, 0, 1]")
        };
        if shape.rows != 1 && shape.cols != 1 {
            return Err(not_labels(format!(
                "labels must be a vector (n×1 or 1×n), not {shape}"
            )));
        }
        let nums = match self.pool.node(labels) {
            Node::Num(n) => vec![n.clone()],
            Node::Dense(d) => d.nums(),
            _ => return Err(not_labels("labels must be numbers".into())),
        };
        let out = checked_shape(classes, nums.len()).map_err(at(span))?;
        let mut data = vec![Num::int(0); out.len()];
        for (j, n) in nums.iter().enumerate() {
            let whole = match n {
                Num::Rat(r) => r.is_integer(),
                Num::Float(x) => x.fract() == 0.0,
            };
            if !whole {
                return Err(not_labels(format!(
                    "the label at position {j} is {}, not an integer",
                    show(n)
                )));
            }
            let row = match n {
                Num::Rat(_) => n.to_i64().and_then(|r| usize::try_from(r).ok()),
                Num::Float(x) => (*x >= 0.0).then_some(*x as usize),
            }
            .filter(|&r| r < classes)
            .ok_or_else(|| {
                not_labels(format!(
                    "the label at position {j} is {}, outside 0…{} for K = {classes}",
                    show(n),
                    classes - 1
                ))
            })?;
            data[row * out.cols + j] = Num::int(1);
        }
        let d = Dense::new(out, DenseData::Exact(data)).map_err(at(span))?;
        self.pool.dense(d).map(Value::Expr).map_err(at(span))
    }
}

/// A label as the user wrote it.
fn show(n: &Num) -> String {
    match n {
        Num::Rat(r) => r.to_string(),
        Num::Float(x) => x.to_string(),
    }
}

/// The prelude's functions in order: `(name, usage, summary)`, the summary
/// being the comment line directly above the definition.
pub(crate) fn entries() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut entries = Vec::new();
    let mut comment = "";
    for line in PRELUDE.lines() {
        if let Some(text) = line.strip_prefix('#') {
            comment = text.trim();
        } else if let Some((usage, _)) = line.split_once(" = ") {
            let name = usage.split('(').next().unwrap_or(usage);
            entries.push((name, usage, comment));
            comment = "";
        } else {
            comment = "";
        }
    }
    entries
}

/// The summary of the prelude function `name`.
pub(crate) fn summary(name: &str) -> Option<&'static str> {
    entries()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, s)| s)
}
