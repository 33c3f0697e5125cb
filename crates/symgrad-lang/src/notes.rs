//! Notes: remarks on input that is valid but often not what was meant —
//! a name that silently becomes a new scalar symbol, `^` of a square matrix
//! inside `sum` (the matrix power, not NumPy's elementwise `**`), a
//! derivative by a symbol the function does not contain, a value given in
//! `subs` or `eval` for a symbol the expression does not contain. Each note
//! is given once per session (until `:reset`) to the sink set by
//! [`Session::set_notes`]; the REPL prints them, scripts get none.

use crate::session::Session;
use std::collections::HashSet;
use symgrad::{ExprId, Node};

/// A receiver of note lines.
type Sink = Box<dyn FnMut(&str)>;

/// Where notes go, what was already said, and whether an elementwise
/// reduction (`sum`, `mean`) is being evaluated.
#[derive(Default)]
pub(crate) struct Notes {
    sink: Option<Sink>,
    said: HashSet<String>,
    pub(crate) in_reduction: usize,
}

impl Notes {
    /// The same sink with nothing said yet (for `:reset`).
    pub(crate) fn restarted(self) -> Notes {
        Notes {
            sink: self.sink,
            ..Notes::default()
        }
    }
}

impl Session {
    /// Sends notes (one line each, without the `note: ` prefix) to `sink`.
    /// Without a sink, notes are not made.
    pub fn set_notes(&mut self, sink: Box<dyn FnMut(&str)>) {
        self.notes.sink = Some(sink);
    }

    /// Gives the note `text()` unless the note `key` was given before.
    pub(crate) fn note_once(&mut self, key: &str, text: impl FnOnce() -> String) {
        let notes = &mut self.notes;
        let Some(sink) = notes.sink.as_mut() else {
            return;
        };
        if notes.said.insert(key.to_string()) {
            sink(&text());
        }
    }

    /// Notes that `name`, neither declared nor bound, is a new scalar symbol.
    pub(crate) fn note_new_symbol(&mut self, name: &str) {
        let near = crate::suggest::did_you_mean(name, self.vars.keys().map(String::as_str))
            .map(str::to_string);
        self.note_once(&format!("symbol {name}"), || {
            let mut text = format!("{name} is a new scalar symbol");
            if let Some(near) = near {
                text.push_str(&format!(" (did you mean {near}?)"));
            }
            text
        });
    }

    /// Notes that `^` of a square matrix inside `sum` or `mean` is the
    /// matrix power, where NumPy's `**` would square each element.
    pub(crate) fn note_matrix_power(&mut self, base: ExprId) {
        let s = self.pool.shape(base);
        if self.notes.in_reduction == 0 || s.is_scalar() || s.rows != s.cols {
            return;
        }
        self.note_once("matrix power", || {
            "^ of a square matrix is the matrix power (W^2 = W⋅W); elementwise: W .^ 2".to_string()
        });
    }

    /// Notes that `e` (named `e_name` as written) does not contain the
    /// `symbol` given a value in `subs` or `eval`, which then changes
    /// nothing: often a misspelt name (SymPy says nothing).
    pub(crate) fn note_unused_binding(&mut self, e: ExprId, symbol: ExprId, e_name: &str) {
        if self.pool.free_symbols(e).contains(&symbol) {
            return;
        }
        let name = self.symbol_name(symbol);
        self.note_once(&format!("unused {e_name} {name}"), || {
            format!("{e_name} does not contain {name}, so its value changes nothing")
        });
    }

    /// Notes that `f` does not depend on the variable `x` of `diff`/`grad`
    /// (so the derivative is 0); `f_name` and `x_name` are as written.
    pub(crate) fn note_independent(&mut self, f: ExprId, x: ExprId, f_name: &str, x_name: &str) {
        let symbol = match self.pool.node(x) {
            Node::Element { symbol, .. } => *symbol,
            _ => x,
        };
        if self.pool.free_symbols(f).contains(&symbol) {
            return;
        }
        self.note_once(&format!("independent {f_name} {x_name}"), || {
            format!("{f_name} does not depend on {x_name}, so its derivative is 0")
        });
    }
}
