//! Running statements from a script, `-e` or standard input.

use std::io::{self, Write};
use std::path::Path;

use symgrad_lang::{Flow, Session};

use crate::style;

/// Why a run stopped early.
#[derive(Debug, PartialEq, Eq)]
pub struct Failed;

/// Runs `src`, printing results on stdout and the first error on stderr
/// (coloured when `colour`).
pub fn run_source(
    session: &mut Session,
    src: &str,
    origin: &str,
    colour: bool,
) -> Result<Flow, Failed> {
    let mut stdout = io::stdout().lock();
    // A closed stdout (`symgrad … | head`) must not stop or crash the run.
    let result = session.run(src, origin, &mut |text| {
        let _ = writeln!(stdout, "{text}");
    });
    let _ = stdout.flush();
    drop(stdout);
    result.map_err(|message| {
        let message = if colour {
            symgrad_lang::colour_error(&message)
        } else {
            message
        };
        let _ = writeln!(io::stderr().lock(), "{}", message.trim_end());
        Failed
    })
}

/// Prints a progress line of a long computation (`descend`, `sgd`) at once.
pub fn print_progress(line: &str) {
    let mut stdout = io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// Runs each chunk in order, stopping at the first error or `:quit`.
pub fn run_all(session: &mut Session, chunks: &[String], origin: &str) -> Result<(), Failed> {
    let colour = style::stderr_colour();
    for chunk in chunks {
        if run_source(session, chunk, origin, colour)? == Flow::Quit {
            break;
        }
    }
    Ok(())
}

/// Reads a script file, with an error message naming it.
pub fn read_script(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read '{}': {}", path.display(), describe(&e)))?;
    symgrad_lang::input::read_script(file)
        .map_err(|e| format!("cannot read '{}': {e}", path.display()))
}

/// Reads all of standard input.
pub fn read_stdin() -> Result<String, String> {
    symgrad_lang::input::read_script(io::stdin().lock())
        .map_err(|e| format!("cannot read standard input: {e}"))
}

/// An I/O error in words, without the `(os error N)` suffix.
fn describe(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::InvalidData => "it is not UTF-8 text".to_string(),
        io::ErrorKind::IsADirectory => "it is a directory".to_string(),
        _ => error.to_string(),
    }
}
