//! Colour: when it is on, and the ANSI styles used.

use std::io::IsTerminal;

/// SGR codes (the part between `ESC[` and `m`).
pub const PROMPT: &str = "1;32";
pub const NUMBER: &str = "33";
pub const NAME: &str = "36";
pub const KEYWORD: &str = "1;35";
pub const COMMAND: &str = "35";
pub const OPERATOR: &str = "1";
pub const BRACKET: &str = "1;34";
pub const STRING: &str = "32";
pub const COMMENT: &str = "2";

/// Whether to colour output written to a stream that is (or is not) a terminal.
pub fn colour_enabled(is_terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    is_terminal && !no_color
}

/// Colour for the REPL and results: off when stdout is not a terminal.
pub fn stdout_colour() -> bool {
    colour_enabled(std::io::stdout().is_terminal())
}

/// Colour for diagnostics on standard error.
pub fn stderr_colour() -> bool {
    colour_enabled(std::io::stderr().is_terminal())
}

/// Appends `text` to `out` wrapped in the style `sgr`.
pub fn push_styled(out: &mut String, sgr: &str, text: &str) {
    out.push_str("\x1b[");
    out.push_str(sgr);
    out.push('m');
    out.push_str(text);
    out.push_str("\x1b[0m");
}

/// `text` wrapped in the style `sgr`.
pub fn styled(sgr: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 12);
    push_styled(&mut out, sgr, text);
    out
}
