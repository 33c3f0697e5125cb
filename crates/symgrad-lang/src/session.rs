//! The session: bindings, settings, and running statements and commands.

use crate::ast::{Stmt, StmtKind};
use crate::builtins::{BUILTINS, COMMANDS, CONSTANTS};
use crate::diagnostic::Diagnostic;
use crate::eval::{Function, Value};
use crate::functions::FailedCall;
use crate::parse::parse;
use crate::span::Span;
use indexmap::IndexMap;
use symgrad::{ExprId, Pool, PrintOptions};

/// How results are displayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputForm {
    Pretty,
    Text,
    Latex,
}

/// Display settings (`:set width N`, `:set digits N`, `:set output …`).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Line width for pretty output, in terminal columns.
    pub width: usize,
    /// Significant digits for floats.
    pub digits: usize,
    pub output: OutputForm,
    /// Threads for compiled evaluation (`:set threads N`); 1 by default.
    pub threads: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            width: 80,
            digits: 10,
            output: OutputForm::Pretty,
            threads: 1,
        }
    }
}

impl Settings {
    pub(crate) fn print_options(&self) -> PrintOptions {
        PrintOptions {
            width: self.width,
            digits: self.digits,
        }
    }
}

/// What the caller should do after a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// `:quit` was run.
    Quit,
}

/// An interpreter session: the expression pool, bindings, functions and settings.
#[derive(Default)]
pub struct Session {
    pub(crate) pool: Pool,
    /// Bound names (assignments and declared symbols), in binding order.
    pub(crate) vars: IndexMap<String, ExprId>,
    pub(crate) functions: IndexMap<String, Function>,
    pub(crate) settings: Settings,
    /// The compiled programs of recent `eval` calls, for reuse.
    pub(crate) programs: crate::compiled::ProgramCache,
    /// Nesting of user-function calls in progress.
    pub(crate) call_depth: usize,
    /// The user functions an error is unwinding through, innermost first.
    pub(crate) failed_calls: Vec<FailedCall>,
    /// The files being run by `:load`, outermost first.
    pub(crate) loading: Vec<String>,
    /// The generator of `randn`, `rand`, `randint`; reseeded by `seed(n)`.
    pub(crate) rng: crate::random::Generator,
    /// Where `descend` and `sgd` report progress (`set_progress`).
    pub(crate) progress: crate::optimise::Progress,
    /// What the latest `descend` or `sgd` visited.
    pub(crate) trained: Option<crate::optimise::Record>,
}

/// `:load` may run files that load files at most this deep.
const MAX_LOAD_DEPTH: usize = 32;

/// A failure while running: the diagnostic and the source it points into.
pub(crate) struct Failure {
    pub diagnostic: Diagnostic,
    /// Set when the error is in another file (`:load`): its rendered text.
    pub rendered: Option<String>,
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Failure {
        Failure {
            diagnostic,
            rendered: None,
        }
    }
}

impl Session {
    /// A session with the prelude (the loss library) loaded.
    pub fn new() -> Session {
        let mut session = Session::default();
        session.load_prelude();
        session
    }

    /// Lets `flag` (set by a Ctrl-C handler) stop the statement running:
    /// it fails with "interrupted" and the session keeps its bindings.
    pub fn set_interrupt(&mut self, flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
        self.pool.set_interrupt(flag);
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// Runs the statements in `src` (named `origin` in error messages, e.g. a
    /// file name or `<input>`), passing each displayed result to `emit` as it
    /// is produced. Stops at the first error and returns it rendered (line,
    /// column, caret, hint) without colour; bindings made before it stay.
    pub fn run(
        &mut self,
        src: &str,
        origin: &str,
        emit: &mut dyn FnMut(&str),
    ) -> Result<Flow, String> {
        self.run_source(src, emit).map_err(|f| {
            f.rendered
                .unwrap_or_else(|| f.diagnostic.render(src, origin))
        })
    }

    pub(crate) fn run_source(
        &mut self,
        src: &str,
        emit: &mut dyn FnMut(&str),
    ) -> Result<Flow, Failure> {
        let program = parse(src)?;
        for stmt in &program {
            if self.run_stmt(stmt, src, emit)? == Flow::Quit {
                return Ok(Flow::Quit);
            }
        }
        Ok(Flow::Continue)
    }

    pub(crate) fn run_stmt(
        &mut self,
        stmt: &Stmt,
        src: &str,
        emit: &mut dyn FnMut(&str),
    ) -> Result<Flow, Failure> {
        match &stmt.kind {
            StmtKind::Expr { expr, silent } => {
                let value = self.eval(expr)?;
                if !silent && !matches!(value, Value::Nothing) {
                    emit(
                        &self
                            .display(&value)
                            .map_err(|e| Diagnostic::new(e.to_string(), expr.span))?,
                    );
                }
            }
            StmtKind::Assign { name, value } => {
                let v = self.eval(value)?;
                let Value::Expr(id) = v else {
                    return Err(Diagnostic::new(
                        "only expressions can be bound to a name",
                        value.span,
                    )
                    .into());
                };
                self.check_bindable(&name.name, name.span)?;
                self.vars.insert(name.name.clone(), id);
            }
            StmtKind::FuncDef { name, params, body } => {
                self.check_bindable(&name.name, name.span)?;
                let source = stmt.span.text(src).unwrap_or_default().to_string();
                self.define(name, params, body, source)?;
            }
            StmtKind::Symbols(decls) => {
                for decl in decls {
                    self.declare(decl)?;
                }
            }
            StmtKind::Command {
                name,
                args,
                args_span,
            } => {
                return self.command(&name.name, args.trim(), *args_span, name.span, emit);
            }
        }
        Ok(Flow::Continue)
    }

    /// Built-in functions and constants cannot be rebound.
    fn check_bindable(&self, name: &str, span: Span) -> Result<(), Diagnostic> {
        if BUILTINS.iter().any(|b| b.name == name) || CONSTANTS.iter().any(|(c, _)| *c == name) {
            return Err(Diagnostic::new(
                format!("'{name}' is a built-in name and cannot be rebound"),
                span,
            ));
        }
        Ok(())
    }

    /// Names to offer in tab completion: bound names, functions, `:` commands.
    pub fn completions(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .vars
            .keys()
            .chain(self.functions.keys())
            .cloned()
            .collect();
        names.extend(BUILTINS.iter().map(|b| b.name.to_string()));
        names.extend(CONSTANTS.iter().map(|(c, _)| c.to_string()));
        names.extend(COMMANDS.iter().map(|c| c.name.to_string()));
        names.push("symbol".into());
        names
    }

    /// Runs a script file inside this session (`:load`).
    pub(crate) fn load(
        &mut self,
        path: &str,
        span: Span,
        emit: &mut dyn FnMut(&str),
    ) -> Result<Flow, Failure> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::new(format!("cannot read '{path}': {e}"), span))?;
        if self.loading.iter().any(|p| p == path) {
            let chain = [self.loading.as_slice(), &[path.to_string()]].concat();
            return Err(Diagnostic::new(
                format!("'{path}' loads itself: {}", chain.join(" → ")),
                span,
            )
            .into());
        }
        if self.loading.len() >= MAX_LOAD_DEPTH {
            return Err(Diagnostic::new(
                format!(":load is nested more than {MAX_LOAD_DEPTH} files deep"),
                span,
            )
            .into());
        }
        self.loading.push(path.to_string());
        let result = self.run_source(&src, emit);
        self.loading.pop();
        result.map_err(|f| Failure {
            rendered: Some(
                f.rendered
                    .unwrap_or_else(|| f.diagnostic.render(&src, path)),
            ),
            diagnostic: f.diagnostic,
        })
    }
}
