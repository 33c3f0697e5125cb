//! The rustyline helper: completion, highlighting and multi-line validation.

use std::borrow::Cow;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use crate::complete::{self, Target};
use crate::highlight::highlight;
use crate::style;
use crate::validate::{Brackets, brackets};

/// Editor support for the symgrad language.
pub struct LangHelper {
    /// Bound names, functions and `:` commands, from the session.
    names: Vec<String>,
    colour: bool,
    files: FilenameCompleter,
}

impl LangHelper {
    pub fn new(colour: bool) -> LangHelper {
        LangHelper {
            names: Vec::new(),
            colour,
            files: FilenameCompleter::new(),
        }
    }

    /// Replaces the names offered for completion and highlighted as known.
    pub fn set_names(&mut self, mut names: Vec<String>) {
        names.sort_unstable();
        names.dedup();
        self.names = names;
    }

    fn is_known(&self, name: &str) -> bool {
        self.names
            .binary_search_by(|n| n.as_str().cmp(name))
            .is_ok()
    }
}

impl Completer for LangHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = match complete::target(line, pos) {
            Target::Path => return self.files.complete(line, pos, ctx),
            Target::Word { start } => start,
        };
        let word = line.get(start..pos).unwrap_or("");
        let pairs = complete::candidates(&self.names, word)
            .into_iter()
            .map(|name| Pair {
                display: name.to_string(),
                replacement: name.to_string(),
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for LangHelper {
    type Hint = String;
}

impl Highlighter for LangHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.colour {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight(line, &|name| self.is_known(name)))
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        if !self.colour {
            return Cow::Borrowed(prompt);
        }
        Cow::Owned(style::styled(style::PROMPT, prompt))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.colour
    }
}

impl Validator for LangHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(match brackets(ctx.input()) {
            Brackets::Open => ValidationResult::Incomplete,
            Brackets::Balanced | Brackets::Mismatched => ValidationResult::Valid(None),
        })
    }
}

impl Helper for LangHelper {}
