//! The tokens of REPL input (`grammar/tokens.pest`), shared by the
//! highlighter, the bracket validator and completion. Splitting never fails:
//! every byte of the input belongs to exactly one token, so tokens can be
//! re-joined into the input.

use std::ops::Range;

use pest::Parser;

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

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/tokens.pest"]
struct Scanner;

/// Splits `input` into tokens covering all of it.
pub fn tokens(input: &str) -> Vec<Token> {
    let Ok(pairs) = Scanner::parse(Rule::tokens, input) else {
        // Unreachable: `other` takes any character.
        return vec![Token {
            kind: Kind::Other,
            span: 0..input.len(),
        }];
    };
    let mut out = Vec::new();
    let mut at_statement_start = true;
    for pair in pairs {
        let (start, end) = (pair.as_span().start(), pair.as_span().end());
        let first = pair.as_str().chars().next().unwrap_or(' ');
        let kind = match pair.as_rule() {
            Rule::EOI => continue,
            Rule::space => Kind::Space,
            Rule::comment => Kind::Comment,
            Rule::closed_string => Kind::Str { closed: true },
            Rule::open_string => Kind::Str { closed: false },
            Rule::number => Kind::Number,
            Rule::command if at_statement_start => Kind::Command,
            Rule::command => {
                // `X[:n]`: the operator `:` and a name.
                out.push(Token {
                    kind: Kind::Operator,
                    span: start..start + 1,
                });
                out.push(Token {
                    kind: Kind::Ident,
                    span: start + 1..end,
                });
                at_statement_start = false;
                continue;
            }
            Rule::ident => Kind::Ident,
            Rule::operator => Kind::Operator,
            Rule::open => Kind::Open(first),
            Rule::close => Kind::Close(first),
            _ => Kind::Other,
        };
        match kind {
            Kind::Space => at_statement_start |= pair.as_str().contains('\n'),
            Kind::Comment => {}
            Kind::Operator => at_statement_start = first == ';',
            _ => at_statement_start = false,
        }
        out.push(Token {
            kind,
            span: start..end,
        });
    }
    out
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
