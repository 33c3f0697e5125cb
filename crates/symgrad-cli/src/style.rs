//! Colour: when it is on, and the ANSI styles used.

use std::io::IsTerminal;

/// SGR codes (the part between `ESC[` and `m`).
pub const PROMPT: &str = "1;32";
pub const ERROR: &str = "1;31";
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

/// A rendered diagnostic with its first whole word `error` coloured.
pub fn colour_diagnostic(message: &str) -> String {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    let found = message.match_indices("error").find(|&(at, word)| {
        let before = message[..at].chars().next_back();
        let after = message[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    });
    let Some((at, word)) = found else {
        return message.to_string();
    };
    let mut out = String::with_capacity(message.len() + 16);
    out.push_str(&message[..at]);
    push_styled(&mut out, ERROR, word);
    out.push_str(&message[at + word.len()..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_colours_the_first_word_error() {
        let coloured = colour_diagnostic("error: bad\n --> x:1:1\nno error here");
        assert_eq!(
            coloured,
            "\x1b[1;31merror\x1b[0m: bad\n --> x:1:1\nno error here"
        );
        let coloured = colour_diagnostic("errors: 1, parse error");
        assert_eq!(coloured, "errors: 1, parse \x1b[1;31merror\x1b[0m");
        assert_eq!(colour_diagnostic("terror"), "terror");
    }
}
