//! Syntax highlighting of REPL input with plain ANSI escapes. The result
//! holds exactly the input's characters plus escapes, so its display width
//! is the input's.

use crate::lex::{Kind, Token, tokens};
use crate::style;

/// Words of the language itself.
const KEYWORDS: &[&str] = &["symbol"];
/// Constants, shown like numbers.
const CONSTANTS: &[&str] = &["pi", "E"];

/// Highlights `line`; `is_known` says whether a name is bound or a function.
pub fn highlight(line: &str, is_known: &dyn Fn(&str) -> bool) -> String {
    let tokens = tokens(line);
    let mut out = String::with_capacity(line.len() * 2);
    for (i, token) in tokens.iter().enumerate() {
        let text = &line[token.span.clone()];
        match style_of(token, text, &tokens[i + 1..], line, is_known) {
            Some(sgr) => style::push_styled(&mut out, sgr, text),
            None => out.push_str(text),
        }
    }
    out
}

fn style_of(
    token: &Token,
    text: &str,
    after: &[Token],
    line: &str,
    is_known: &dyn Fn(&str) -> bool,
) -> Option<&'static str> {
    match token.kind {
        Kind::Number => Some(style::NUMBER),
        Kind::Ident if KEYWORDS.contains(&text) => Some(style::KEYWORD),
        Kind::Ident if CONSTANTS.contains(&text) => Some(style::NUMBER),
        Kind::Ident if is_known(text) || is_call(after, line) => Some(style::NAME),
        Kind::Str { .. } => Some(style::STRING),
        Kind::Comment => Some(style::COMMENT),
        Kind::Command => Some(style::COMMAND),
        Kind::Operator => Some(style::OPERATOR),
        Kind::Open(_) | Kind::Close(_) => Some(style::BRACKET),
        Kind::Ident | Kind::Space | Kind::Other => None,
    }
}

/// Whether the next non-space token is `(`: the name is called.
fn is_call(after: &[Token], line: &str) -> bool {
    let next = after
        .iter()
        .find(|t| t.kind != Kind::Space || line[t.span.clone()].contains('\n'));
    next.is_some_and(|t| t.kind == Kind::Open('('))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Removes `ESC[…m` sequences.
    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                chars.by_ref().find(|&c| c == 'm');
            } else {
                out.push(c);
            }
        }
        out
    }

    fn known(name: &str) -> bool {
        ["exp", "L"].contains(&name)
    }

    #[test]
    fn highlighting_keeps_the_text_and_so_the_width() {
        let inputs = [
            "L = (1/3) * sum(-y .* log(p) - (1 - y) .* log(1 - p))",
            ":set width 60",
            "symbol W[3, 4]; z = W' * [1, 0, 0]  # comment (",
            "plot(f, w, -1, 1, \"out.svg\")",
            "\"unterminated ( string",
            "αβ₀ ⅓ ∂ \t 1e-3 x.^2 \u{1F600}",
            "[[1, 2],\n [3, 4]]",
        ];
        for input in inputs {
            let highlighted = highlight(input, &known);
            assert_eq!(strip_ansi(&highlighted), input);
        }
    }

    #[test]
    fn styles_follow_the_token_kinds() {
        let h = highlight("exp(x) + 2", &known);
        assert!(h.starts_with("\x1b[36mexp\x1b[0m\x1b[1;34m(\x1b[0mx"));
        assert!(h.ends_with("\x1b[33m2\x1b[0m"));
        assert!(highlight("foo (1)", &known).starts_with("\x1b[36mfoo"));
        assert!(highlight("foo + 1", &known).starts_with("foo"));
        assert!(highlight("# (x)", &known).starts_with("\x1b[2m# (x)"));
        assert!(highlight(":vars", &known).starts_with("\x1b[35m:vars"));
    }
}
