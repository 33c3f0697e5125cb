//! A forgiving scanner for REPL input, shared by the highlighter, the
//! bracket validator and completion. It never fails: every byte of the input
//! belongs to exactly one token, so tokens can be re-joined into the input.

use std::ops::Range;

/// What a run of input is, as far as the editor cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Space,
    Number,
    Ident,
    /// `"…"`; `closed` is false when the line ends first.
    Str {
        closed: bool,
    },
    /// `# …` up to the end of the line.
    Comment,
    /// `:help` and friends, at the start of a statement.
    Command,
    Operator,
    Open(char),
    Close(char),
    Other,
}

/// One token: its kind and its byte range in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub span: Range<usize>,
}

const OPERATOR_CHARS: &str = "+-*/^'=,;:.<>!|&%~@\\";

/// Splits `input` into tokens covering all of it.
pub fn tokens(input: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut at_statement_start = true;
    let mut pos = 0;
    while let Some(c) = input[pos..].chars().next() {
        let rest = &input[pos..];
        let (kind, len) = scan(rest, c, at_statement_start);
        let len = len.max(c.len_utf8());
        match kind {
            Kind::Space => at_statement_start |= rest[..len].contains('\n'),
            Kind::Comment => {}
            Kind::Operator => at_statement_start = rest.starts_with(';'),
            _ => at_statement_start = false,
        }
        out.push(Token {
            kind,
            span: pos..pos + len,
        });
        pos += len;
    }
    out
}

/// The kind and byte length of the token at the start of `rest` (which starts with `c`).
fn scan(rest: &str, c: char, at_statement_start: bool) -> (Kind, usize) {
    match c {
        c if c.is_whitespace() => (Kind::Space, prefix_len(rest, char::is_whitespace)),
        '#' => (Kind::Comment, rest.find('\n').unwrap_or(rest.len())),
        '"' => scan_string(rest),
        '(' | '[' | '{' => (Kind::Open(c), 1),
        ')' | ']' | '}' => (Kind::Close(c), 1),
        ':' if at_statement_start && rest[1..].starts_with(is_ident_start) => {
            (Kind::Command, 1 + prefix_len(&rest[1..], is_ident_char))
        }
        c if c.is_ascii_digit() => (Kind::Number, number_len(rest)),
        '.' if rest[1..].starts_with(|d: char| d.is_ascii_digit()) => {
            (Kind::Number, number_len(rest))
        }
        c if is_ident_start(c) => (Kind::Ident, prefix_len(rest, is_ident_char)),
        c if OPERATOR_CHARS.contains(c) => (Kind::Operator, operator_len(rest)),
        _ => (Kind::Other, c.len_utf8()),
    }
}

pub fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Byte length of the longest prefix of `s` whose chars all satisfy `pred`.
fn prefix_len(s: &str, pred: impl Fn(char) -> bool) -> usize {
    s.find(|c: char| !pred(c)).unwrap_or(s.len())
}

fn scan_string(rest: &str) -> (Kind, usize) {
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            '\n' => return (Kind::Str { closed: false }, i),
            '"' if !escaped => return (Kind::Str { closed: true }, i + 1),
            _ => escaped = c == '\\' && !escaped,
        }
    }
    (Kind::Str { closed: false }, rest.len())
}

/// `12`, `0.25`, `.5`, `1e-3`, `2.5E+10`. A `.` only belongs to the number
/// when a digit follows, so `2.*x` stays `2 .* x`.
fn number_len(s: &str) -> usize {
    let digits = |from: usize| from + prefix_len(&s[from..], |c| c.is_ascii_digit());
    let mut end = digits(0);
    if s[end..].starts_with('.') && s[end + 1..].starts_with(|c: char| c.is_ascii_digit()) {
        end = digits(end + 1);
    }
    if s[end..].starts_with(['e', 'E']) {
        let sign = usize::from(s[end + 1..].starts_with(['+', '-']));
        if s[end + 1 + sign..].starts_with(|c: char| c.is_ascii_digit()) {
            end = digits(end + 1 + sign);
        }
    }
    end
}

/// Two-character operators (`.*`, `**`, …) are one token; otherwise one char.
fn operator_len(s: &str) -> usize {
    const PAIRS: [&str; 9] = [".^", ".*", "./", "**", "==", "!=", "<=", ">=", "->"];
    if PAIRS.iter().any(|p| s.starts_with(p)) {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<(Kind, &str)> {
        tokens(input)
            .into_iter()
            .map(|t| (t.kind, &input[t.span]))
            .collect()
    }

    #[test]
    fn tokens_cover_the_input() {
        for input in [
            "",
            "exp(x) + 1e-3 .* W[0, 1]'",
            "\"ab\\\"c\" # é (",
            "αβ₀ = ⅓",
            "\"open\nx",
        ] {
            let joined: String = tokens(input)
                .iter()
                .map(|t| &input[t.span.clone()])
                .collect();
            assert_eq!(joined, input);
        }
    }

    #[test]
    fn numbers_names_and_operators() {
        assert_eq!(
            kinds("2.*x1e3"),
            [
                (Kind::Number, "2"),
                (Kind::Operator, ".*"),
                (Kind::Ident, "x1e3")
            ]
        );
        assert_eq!(kinds("1.5e-3")[0], (Kind::Number, "1.5e-3"));
        assert_eq!(kinds("2e")[0], (Kind::Number, "2"));
    }

    #[test]
    fn commands_only_at_statement_start() {
        assert_eq!(kinds(" :vars")[1], (Kind::Command, ":vars"));
        assert_eq!(kinds("a; :help")[3], (Kind::Command, ":help"));
        assert!(kinds("X[:n]").iter().all(|(k, _)| *k != Kind::Command));
    }

    #[test]
    fn strings_and_comments_end_at_newline() {
        let k = kinds("\"a(\n# (\n)");
        assert_eq!(k[0], (Kind::Str { closed: false }, "\"a("));
        assert_eq!(k[2], (Kind::Comment, "# ("));
        assert_eq!(k[4], (Kind::Close(')'), ")"));
    }
}
