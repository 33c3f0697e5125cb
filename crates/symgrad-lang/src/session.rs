//! The session: bindings, settings, and running statements and commands.

use crate::ast::{Stmt, StmtKind};
use crate::builtins::{BUILTINS, COMMANDS, CONSTANTS};
use crate::diagnostic::Diagnostic;
use crate::eval::{Function, Value};
use crate::functions::FailedCall;
use crate::output::{Forms, Output};
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

impl OutputForm {
    /// The names of the forms, as `:set output` and `--output` take them.
    pub const NAMES: [&'static str; 3] = ["pretty", "text", "latex"];

    /// The form called `name`.
    pub fn from_name(name: &str) -> Option<OutputForm> {
        match name {
            "pretty" => Some(OutputForm::Pretty),
            "text" => Some(OutputForm::Text),
            "latex" => Some(OutputForm::Latex),
            _ => None,
        }
    }
}

/// The narrowest line width accepted (`:set width`, `--width`).
pub const MIN_WIDTH: usize = 10;
/// The widest line width accepted: pictures and plots are sized to it.
pub const MAX_WIDTH: usize = 1000;

/// Display settings (`:set width N`, `:set digits N`, `:set output …`).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Line width for pretty output, in terminal columns.
    pub width: usize,
    /// Significant digits for floats.
    pub digits: usize,
    pub output: OutputForm,
    /// Results shown in the names the user bound (`:set names on|off`).
    pub names: bool,
    /// Threads for compiled evaluation (`:set threads N`); 1 by default.
    pub threads: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            width: 80,
            digits: 10,
            output: OutputForm::Pretty,
            names: true,
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
///
/// Between statements the pool is collected (`collect_garbage`): the bound
/// names are its roots, and every other `ExprId` is invalid afterwards. A
/// field that keeps ids from one statement to the next must be added to the
/// roots there.
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
    /// Remarks on valid but suspicious input (`set_notes`).
    pub(crate) notes: crate::notes::Notes,
    /// What the latest `descend` or `sgd` visited.
    pub(crate) trained: Option<crate::optimise::Record>,
    /// The buffers of the latest `sgd` run's batches, for the next run.
    pub(crate) batch_buffers: crate::batches::BatchBuffers,
    /// The pool's footprint after the latest collection (see `collect_garbage`).
    pub(crate) collected_at: usize,
    /// Set when Ctrl-C stopped a `descend`/`sgd`, which gave the weights
    /// reached: the statement completes (binds them) and then fails with it.
    pub(crate) interrupted: Option<String>,
    /// The forms of output the running statements produce.
    pub(crate) forms: Forms,
}

/// The pool is not collected while its footprint is below this (64 MiB).
const MIN_COLLECTED_BYTES: usize = 64 << 20;

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
    /// is produced, as a terminal shows it. Stops at the first error and
    /// returns it rendered (line, column, caret, hint) without colour;
    /// bindings made before it stay.
    pub fn run(
        &mut self,
        src: &str,
        origin: &str,
        emit: &mut dyn FnMut(&str),
    ) -> Result<Flow, String> {
        self.run_forms(src, origin, Forms::PLAIN, &mut |out| emit(&out.plain))
    }

    /// [`Session::run`] with each result given as an [`Output`] that holds
    /// the `forms` asked for besides the plain text (a notebook asks for all).
    pub fn run_forms(
        &mut self,
        src: &str,
        origin: &str,
        forms: Forms,
        emit: &mut dyn FnMut(Output),
    ) -> Result<Flow, String> {
        self.forms = forms;
        self.run_source(src, emit).map_err(|f| {
            f.rendered
                .unwrap_or_else(|| f.diagnostic.render(src, origin, self.settings.width))
        })
    }

    pub(crate) fn run_source(
        &mut self,
        src: &str,
        emit: &mut dyn FnMut(Output),
    ) -> Result<Flow, Failure> {
        let program = parse(src)?;
        for stmt in &program {
            let flow = self.run_stmt(stmt, src, emit);
            // Between statements the bindings hold every id still in use, and
            // whatever a failed or interrupted statement built is garbage.
            self.collect_garbage();
            if flow? == Flow::Quit {
                return Ok(Flow::Quit);
            }
        }
        Ok(Flow::Continue)
    }

    /// Frees the expressions no binding reaches once the pool has doubled
    /// since the latest collection (and holds at least
    /// [`MIN_COLLECTED_BYTES`]), so rebinding a name to new data does not
    /// grow the session, and the work stays proportional to what is built.
    pub(crate) fn collect_garbage(&mut self) {
        let size = self.pool.footprint();
        if size < MIN_COLLECTED_BYTES || size < self.collected_at.saturating_mul(2) {
            return;
        }
        self.pool.collect(self.vars.values_mut());
        // Ids are renumbered, so the programs found by them go too.
        self.programs = Default::default();
        self.collected_at = self.pool.footprint();
    }

    /// The estimated bytes held by the session's expressions (for tests and
    /// the README's memory figures).
    pub fn memory_footprint(&self) -> usize {
        self.pool.footprint()
    }

    pub(crate) fn run_stmt(
        &mut self,
        stmt: &Stmt,
        src: &str,
        emit: &mut dyn FnMut(Output),
    ) -> Result<Flow, Failure> {
        self.interrupted = None;
        let flow = self.run_stmt_here(stmt, src, emit)?;
        let Some(note) = self.interrupted.take() else {
            return Ok(flow);
        };
        let outcome = match &stmt.kind {
            StmtKind::Assign { name, .. } => format!("{} holds the weights reached", name.name),
            _ => "the result is the weights reached".to_string(),
        };
        Err(Diagnostic::new(format!("{note}: {outcome}"), stmt.span).into())
    }

    fn run_stmt_here(
        &mut self,
        stmt: &Stmt,
        src: &str,
        emit: &mut dyn FnMut(Output),
    ) -> Result<Flow, Failure> {
        match &stmt.kind {
            StmtKind::Expr { expr, silent } => {
                let value = self.eval(expr)?;
                if !silent && !matches!(value, Value::Nothing) {
                    let forms = self.forms;
                    emit(
                        self.output(&value, forms)
                            .map_err(|e| Diagnostic::new(e.to_string(), expr.span))?,
                    );
                }
            }
            StmtKind::Assign { name, value } => {
                // The name is checked first: `E = …` fails before the work.
                self.check_bindable(&name.name, name.span)?;
                let v = self.eval(value)?;
                let Value::Expr(id) = v else {
                    return Err(Diagnostic::new(
                        "only expressions can be bound to a name",
                        value.span,
                    )
                    .into());
                };
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
    pub(crate) fn check_bindable(&self, name: &str, span: Span) -> Result<(), Diagnostic> {
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
        emit: &mut dyn FnMut(Output),
    ) -> Result<Flow, Failure> {
        let src = std::fs::File::open(path)
            .map_err(|e| e.to_string())
            .and_then(crate::input::read_script)
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
                    .unwrap_or_else(|| f.diagnostic.render(&src, path, self.settings.width)),
            ),
            diagnostic: f.diagnostic,
        })
    }
}
