//! The interactive loop.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Editor, Result as RlResult};
use symgrad_lang::{Flow, Session};

use crate::helper::LangHelper;
use crate::history::history_path;
use crate::{run, style, terminal_width};

const PROMPT: &str = "» ";
const ORIGIN: &str = "<input>";

type LangEditor = Editor<LangHelper, DefaultHistory>;

/// Runs the REPL until Ctrl-D or `:quit`. `fixed_width` is true when
/// `--width` was given; otherwise the width follows the terminal.
pub fn repl(session: &mut Session, fixed_width: bool) -> Result<(), String> {
    let colour = style::stdout_colour();
    let mut editor = editor(colour).map_err(|e| format!("cannot start the line editor: {e}"))?;
    let mut helper = LangHelper::new(colour);
    helper.set_names(session.completions());
    editor.set_helper(Some(helper));
    let history = history_path(|name| std::env::var(name).ok())
        .filter(|path| load_history(&mut editor, path));
    let interrupt = interrupt_on_ctrl_c();
    session.set_interrupt(interrupt.clone());
    session.set_notes(Box::new(|line| println!("note: {line}")));
    println!("{}", banner());
    let mut history_saved = true;
    let mut auto_width = session.settings().width;
    loop {
        let line = match editor.readline(PROMPT) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(format!("cannot read input: {e}")),
        };
        if line.trim().is_empty() {
            continue;
        }
        if let Some(path) = &history {
            history_saved &= save_history(&mut editor, path, history_saved);
        }
        if !fixed_width {
            auto_width = follow_terminal_width(session, auto_width);
        }
        interrupt.store(false, Ordering::Relaxed);
        let flow = run::run_source(session, &line, ORIGIN, colour);
        if let Some(helper) = editor.helper_mut() {
            helper.set_names(session.completions());
        }
        if flow == Ok(Flow::Quit) {
            break;
        }
    }
    Ok(())
}

/// A flag that Ctrl-C sets while a statement runs (while a line is being
/// typed, the line editor reads Ctrl-C itself). A second Ctrl-C before the
/// statement notices the first ends the program.
fn interrupt_on_ctrl_c() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = flag.clone();
    let installed = ctrlc::set_handler(move || {
        if handler_flag.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    });
    if let Err(e) = installed {
        eprintln!("symgrad: warning: Ctrl-C will not interrupt computations: {e}");
    }
    flag
}

fn editor(colour: bool) -> RlResult<LangEditor> {
    let config = Config::builder()
        .auto_add_history(true)
        .max_history_size(10_000)?
        .history_ignore_dups(true)?
        .history_ignore_space(true)
        .completion_type(CompletionType::List)
        .color_mode(if colour {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .build();
    Editor::with_config(config)
}

fn banner() -> String {
    let version = env!("CARGO_PKG_VERSION");
    // Two lines, each well within an 80-column terminal.
    format!(
        "symgrad {version} — symbolic algebra and gradients.\nType :help for help, Ctrl-D to quit."
    )
}

/// Loads history; a missing file is normal, other failures only warn. A file
/// that is not a regular file (`/dev/null`, an endless device) or is larger
/// than [`MAX_HISTORY_BYTES`] is neither read nor written: returns whether
/// the history file is used.
fn load_history(editor: &mut LangEditor, path: &Path) -> bool {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::metadata(path) {
        // A device (`/dev/null` to keep no history): nothing to read.
        Ok(meta) if !meta.is_file() => return false,
        Ok(meta) if meta.len() > MAX_HISTORY_BYTES => {
            eprintln!(
                "symgrad: warning: history {} is larger than {} MiB; not used",
                path.display(),
                MAX_HISTORY_BYTES >> 20
            );
            return false;
        }
        _ => {}
    }
    match editor.load_history(path) {
        Ok(()) => {}
        Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => eprintln!(
            "symgrad: warning: cannot read history {}: {e}",
            path.display()
        ),
    }
    true
}

/// The largest history file read (10 000 entries of normal lines fit easily).
const MAX_HISTORY_BYTES: u64 = 64 << 20;

/// Appends the new entry to the history file, so that it survives a crash.
/// Warns once (when `warn`); returns whether saving worked.
fn save_history(editor: &mut LangEditor, path: &PathBuf, warn: bool) -> bool {
    match editor.append_history(path) {
        Ok(()) => true,
        Err(e) => {
            if warn {
                eprintln!(
                    "symgrad: warning: cannot save history to {}: {e}",
                    path.display()
                );
            }
            false
        }
    }
}

/// Sets the session's width to the terminal's if the user has not changed it
/// with `:set width`; returns the width now managed automatically.
fn follow_terminal_width(session: &mut Session, auto_width: usize) -> usize {
    let width = &mut session.settings_mut().width;
    if *width != auto_width {
        return auto_width;
    }
    *width = terminal_width();
    *width
}
