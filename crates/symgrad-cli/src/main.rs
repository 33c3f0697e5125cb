//! `symgrad`: the REPL, script runner and `-e` evaluator.

/// Building expressions allocates many small nodes; mimalloc makes that
/// markedly cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod complete;
mod helper;
mod highlight;
mod history;
mod lex;
mod repl;
mod run;
mod style;
mod validate;

use std::io::IsTerminal;
use std::process::ExitCode;

use args::{Input, Options};
use clap::Parser;
use symgrad_lang::Session;

/// Deep expressions recurse deeply; give the interpreter room.
const STACK_SIZE: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let options = match Options::try_parse() {
        Ok(options) => options,
        // --help and --version (to stdout, code 0) or a bad argument (to stderr, code 2).
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let worker = std::thread::Builder::new()
        .name("session".into())
        .stack_size(STACK_SIZE)
        .spawn(move || run(options));
    match worker.map(|handle| handle.join()) {
        Ok(Ok(code)) => code,
        // The panic message has already been printed.
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("symgrad: cannot start the interpreter thread: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs what `options` asks for; returns the exit code.
fn run(options: Options) -> ExitCode {
    let mut session = Session::new();
    configure(&mut session, &options);
    session.set_progress(Box::new(run::print_progress));
    let outcome = match options.input() {
        Input::Auto if std::io::stdin().is_terminal() => {
            repl::repl(&mut session, options.width.is_some())
        }
        Input::Auto | Input::Stdin => {
            run::read_stdin().and_then(|src| run_script(&mut session, src, "<stdin>"))
        }
        Input::File(path) => run::read_script(&path)
            .and_then(|src| run_script(&mut session, src, &path.display().to_string())),
        Input::Statements(chunks) => {
            run::run_all(&mut session, &chunks, "<-e>").map_err(|_| String::new())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("symgrad: {message}");
            }
            ExitCode::FAILURE
        }
    }
}

fn run_script(session: &mut Session, src: String, origin: &str) -> Result<(), String> {
    run::run_all(session, &[src], origin).map_err(|_| String::new())
}

fn configure(session: &mut Session, options: &Options) {
    let settings = session.settings_mut();
    settings.width = options.width.unwrap_or_else(terminal_width);
    if let Some(digits) = options.digits {
        settings.digits = digits;
    }
    if let Some(output) = options.output {
        settings.output = output;
    }
    if let Some(threads) = options.threads {
        settings.threads = threads;
    }
}

/// The width of the terminal on stdout, or 80 when stdout is not a terminal.
pub fn terminal_width() -> usize {
    match terminal_size::terminal_size_of(std::io::stdout()) {
        Some((terminal_size::Width(w), _)) if w > 0 => {
            usize::from(w).clamp(symgrad_lang::MIN_WIDTH, symgrad_lang::MAX_WIDTH)
        }
        _ => 80,
    }
}
