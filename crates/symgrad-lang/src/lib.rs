//! The symgrad input language: parser, diagnostics and the [`Session`] interpreter.
//!
//! Every entry point (REPL line, script, `-e`, stdin, tests) goes through [`Session::run`];
//! notebooks (the Python package, the Jupyter kernel) through [`Session::run_forms`], which
//! gives each result as an [`Output`] in every form, from the same formatter.
//!
//! ```
//! use symgrad_lang::{Session, StmtKind, parse};
//!
//! let program = parse("symbol W[1, 5]\nz = X * W'").unwrap();
//! assert!(matches!(program[0].kind, StmtKind::Symbols(_)));
//! assert_eq!(program[1].to_string(), "(= z (* X (' W)))");
//!
//! let error = parse("x + (y))").unwrap_err();
//! assert!(error.render("x + (y))", "<input>", 80).starts_with("error: unexpected ')'"));
//!
//! let mut session = Session::new();
//! let mut out = Vec::new();
//! session.run("x + x", "<doc>", &mut |s| out.push(s.to_string())).unwrap();
//! assert_eq!(out, ["2⋅x"]);
//! ```

pub mod ast;
mod batches;
mod builtins;
mod calculus;
mod calls;
mod codegen;
mod commands;
mod compiled;
mod data;
mod diagnostic;
mod eval;
mod explain;
mod functions;
mod gradcheck;
mod host;
pub mod input;
mod optimise;
mod output;
mod parse;
mod plot;
mod predict;
mod prelude;
mod random;
mod select;
mod session;
mod span;
mod suggest;
// The notes channel and the generated language reference (issue 12).
mod notes;
mod reference;

pub use ast::{
    Arg, BinOp, Expr, ExprKind, Ident, IndexArg, Link, Program, Stmt, StmtKind, SymbolDecl,
};
pub use builtins::{BUILTINS, COMMANDS};
pub use diagnostic::Diagnostic;
pub use output::{Forms, Output, colour_error};
pub use parse::{MAX_EXPR_DEPTH, MAX_NESTING, is_incomplete, parse};
pub use session::{Flow, MAX_WIDTH, MIN_WIDTH, OutputForm, Session, Settings};
pub use span::Span;
pub use suggest::did_you_mean;
// The language reference generated from `:help` (docs/language.md).
pub use reference::help_reference;

#[cfg(test)]
mod roundtrip_tests;
