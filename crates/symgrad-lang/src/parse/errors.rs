//! pest's errors in plain words: what was expected, what was found, and a
//! hint for the common mistakes. No pest rule name reaches the user.

use std::collections::BTreeSet;

use pest::error::{Error, ErrorVariant, InputLocation};

use super::{Rule, scan};
use crate::diagnostic::{Diagnostic, line_column};
use crate::span::Span;

/// Turns a pest error into a diagnostic.
pub(super) fn describe(src: &str, err: &Error<Rule>) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let positives = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.as_slice(),
        ErrorVariant::CustomError { .. } => &[],
    };
    if positives.is_empty() {
        // pest ran out of stack or call budget.
        return Diagnostic::new("the input is nested too deeply to parse", Span::at(pos));
    }
    if let Some(span) = scan::unterminated_string(src, pos) {
        return Diagnostic::new("unterminated string", span)
            .with_label("this string has no closing '\"'")
            .with_hint("a string must end on the line where it starts");
    }
    let expected = Expected::from_rules(positives);
    let found = Found::at(src, pos);
    bracket_error(src, &found, &expected)
        .or_else(|| unknown_character(&found, &expected))
        .unwrap_or_else(|| unexpected(src, &found, &expected))
}

// ------------------------------------------------------------ what was wanted

/// The kinds of thing the parser can want next, in the order they are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Want {
    Expression,
    Name,
    CommandName,
    Operator,
    Comma,
    Colon,
    CloseParen,
    CloseBracket,
    Equals,
    End,
}

/// What the parser wanted where it failed.
struct Expected(BTreeSet<Want>);

impl Expected {
    /// Groups pest's expected rules into plain categories.
    fn from_rules(rules: &[Rule]) -> Expected {
        let mut wants: BTreeSet<Want> = rules.iter().filter_map(|&r| want(r)).collect();
        if wants.contains(&Want::Expression) {
            wants.remove(&Want::Name);
        }
        if wants.contains(&Want::Operator) {
            wants.remove(&Want::Equals);
        }
        if wants.contains(&Want::Expression) {
            // At the start of a statement: an empty statement is possible too.
            wants.remove(&Want::End);
        }
        Expected(wants)
    }

    fn has(&self, want: Want) -> bool {
        self.0.contains(&want)
    }

    /// E.g. "an operator, ',', or ')'".
    fn words(&self) -> String {
        let words: Vec<&str> = self.0.iter().map(|&w| word(w)).collect();
        match words.split_last() {
            None => "something else".to_owned(),
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{}, or {last}", rest.join(", ")),
        }
    }
}

/// The category of a grammar rule, if it is worth naming.
fn want(rule: Rule) -> Option<Want> {
    Some(match rule {
        Rule::program
        | Rule::expr
        | Rule::int
        | Rule::float
        | Rule::string
        | Rule::call
        | Rule::paren => Want::Expression,
        Rule::matrix | Rule::neg | Rule::lparen | Rule::matrix_open | Rule::index_arg => {
            Want::Expression
        }
        Rule::name => Want::Name,
        Rule::command_name => Want::CommandName,
        Rule::add | Rule::sub | Rule::mul | Rule::div | Rule::pow => Want::Operator,
        Rule::elem_mul | Rule::elem_div | Rule::elem_pow => Want::Operator,
        Rule::eq | Rule::ne | Rule::lt | Rule::le | Rule::gt | Rule::ge => Want::Operator,
        Rule::transpose | Rule::index | Rule::index_open => Want::Operator,
        Rule::comma => Want::Comma,
        Rule::colon => Want::Colon,
        Rule::rparen => Want::CloseParen,
        Rule::rbracket => Want::CloseBracket,
        Rule::assign_op => Want::Equals,
        Rule::line_end | Rule::semi | Rule::EOI => Want::End,
        _ => return None,
    })
}

/// A category in words.
fn word(want: Want) -> &'static str {
    match want {
        Want::Expression => "an expression",
        Want::Name => "a name",
        Want::CommandName => "a command name",
        Want::Operator => "an operator",
        Want::Comma => "','",
        Want::Colon => "':'",
        Want::CloseParen => "')'",
        Want::CloseBracket => "']'",
        Want::Equals => "'='",
        Want::End => "the end of the statement",
    }
}

// ----------------------------------------------------------- what was found

/// The kinds of text found where the parser failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FoundKind {
    EndOfInput,
    EndOfLine,
    Name,
    Number,
    Other,
}

/// The token found where the parser failed.
struct Found<'a> {
    kind: FoundKind,
    text: &'a str,
    span: Span,
}

impl<'a> Found<'a> {
    /// The token at `pos`; at the end of the input, the span sits just after
    /// the last non-blank character.
    fn at(src: &'a str, pos: usize) -> Found<'a> {
        let rest = src.get(pos..).unwrap_or("");
        let Some(c) = rest.chars().next().filter(|_| !rest.trim().is_empty()) else {
            let end = src.trim_end().len().min(pos);
            return Found {
                kind: FoundKind::EndOfInput,
                text: "",
                span: Span::at(end),
            };
        };
        let len = match c {
            '\n' | '\r' => 0,
            _ if c.is_alphanumeric() || c == '_' => word_len(rest),
            _ => operator_len(rest),
        };
        let kind = match c {
            '\n' | '\r' => FoundKind::EndOfLine,
            _ if c.is_ascii_digit() => FoundKind::Number,
            _ if c.is_alphabetic() || c == '_' => FoundKind::Name,
            _ => FoundKind::Other,
        };
        Found {
            kind,
            text: rest.get(..len).unwrap_or(""),
            span: Span::new(pos, pos + len),
        }
    }

    fn is_end(&self) -> bool {
        matches!(self.kind, FoundKind::EndOfInput | FoundKind::EndOfLine)
    }

    /// "the end of the line", "the end of the input".
    fn end_words(&self) -> &'static str {
        match self.kind {
            FoundKind::EndOfInput => "the input ends here",
            _ => "the line ends here",
        }
    }
}

/// The length of the name or number at the start of `rest`.
fn word_len(rest: &str) -> usize {
    rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(rest.len())
}

/// The length of the operator or character at the start of `rest`.
fn operator_len(rest: &str) -> usize {
    const PAIRS: [&str; 9] = ["**", ".*", "./", ".^", "==", "!=", "<=", ">=", "&&"];
    match PAIRS.iter().find(|p| rest.starts_with(*p)) {
        Some(p) => p.len(),
        None => rest.chars().next().map_or(0, char::len_utf8),
    }
}

// ---------------------------------------------------------------- messages

/// For two operands side by side: a missing ',' in a list, unless it looks
/// like `2x`.
fn missing_operator_hint(before: &str, found: &Found<'_>, expected: &Expected) -> &'static str {
    let glued_number =
        found.kind == FoundKind::Name && before.ends_with(|c: char| c.is_ascii_digit());
    if expected.has(Want::Comma) && !glued_number {
        "separate the items of a list with ','"
    } else {
        "write '*' to multiply: there is no implicit multiplication"
    }
}

/// Whether `before` ends with one of `words` as a whole word.
fn ends_with_word(before: &str, words: &[&str]) -> bool {
    let last = before
        .trim_end()
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next();
    last.is_some_and(|w| words.contains(&w))
}

/// Whether the text `before` a token puts it first on a line after the first.
fn starts_line(before: &str) -> bool {
    before
        .rsplit_once('\n')
        .is_some_and(|(_, line)| line.trim().is_empty())
}

/// Brackets: a closer with nothing to close, a mismatched closer, or the
/// input ending while a bracket is open.
fn bracket_error(src: &str, found: &Found<'_>, expected: &Expected) -> Option<Diagnostic> {
    let open = scan::open_brackets(src, found.span.start);
    let innermost = open.last().copied();
    match (found.text, innermost) {
        (")" | "]", None) => Some(
            Diagnostic::new(format!("unexpected '{}'", found.text), found.span)
                .with_label(format!("expected {}", expected.words()))
                .with_hint(format!(
                    "there is no '{}' for it to close",
                    opener(found.text)
                )),
        ),
        (")" | "]", Some((o, at))) if closer(o) != found.text => Some(
            Diagnostic::new(format!("mismatched '{}'", found.text), found.span).with_label(
                format!(
                    "expected '{}' to close the '{o}' opened at {}",
                    closer(o),
                    place(src, at)
                ),
            ),
        ),
        (_, Some((o, at))) if found.kind == FoundKind::EndOfInput => {
            Some(unclosed(src, found, expected, o, at))
        }
        _ => None,
    }
}

/// The input ended with the bracket `o` (at `at`) still open.
fn unclosed(src: &str, found: &Found<'_>, expected: &Expected, o: char, at: Span) -> Diagnostic {
    let close = closer(o);
    let wants_close = expected.has(Want::CloseParen) || expected.has(Want::CloseBracket);
    let opened = format!("the '{o}' opened at {}", place(src, at));
    if wants_close {
        Diagnostic::new(format!("expected '{close}' to close {opened}"), found.span)
            .with_label(format!("expected {}", expected.words()))
    } else {
        Diagnostic::new(format!("expected {}", expected.words()), found.span)
            .with_label(found.end_words())
            .with_hint(format!("{opened} is still open"))
    }
}

/// The closing bracket for an opening one.
fn closer(open: char) -> &'static str {
    if open == '[' { "]" } else { ")" }
}

/// The opening bracket for a closing one.
fn opener(close: &str) -> &'static str {
    if close == "]" { "[" } else { "(" }
}

/// "line:column" of a span's start.
fn place(src: &str, span: Span) -> String {
    let (line, column) = line_column(src, span.start);
    format!("{line}:{column}")
}

/// A character that is no part of the language.
fn unknown_character(found: &Found<'_>, expected: &Expected) -> Option<Diagnostic> {
    let c = found
        .text
        .chars()
        .next()
        .filter(|_| found.kind == FoundKind::Other)?;
    let (message, hint) = match c {
        '%' | '&' | '|' | '!' | '@' | '$' | '~' | '?' | '<' | '>' => (
            format!("unknown operator '{}'", found.text),
            operator_hint(c),
        ),
        '{' | '}' => (
            format!("unexpected '{c}'"),
            Some("use ( ) to group and [ ] for vectors and matrices"),
        ),
        '×' | '·' | '∙' => (
            format!("unknown operator '{c}'"),
            Some("write '*' to multiply"),
        ),
        '÷' => (
            format!("unknown operator '{c}'"),
            Some("write '/' to divide"),
        ),
        '−' | '–' => (
            format!("unknown operator '{c}'"),
            Some("write '-' (the ASCII minus)"),
        ),
        '\'' => (
            "unexpected \"'\"".to_owned(),
            Some("strings use double quotes, as in \"numpy\"; a ' after an operand transposes it"),
        ),
        '`' | '\\' => (format!("unexpected '{c}'"), None),
        _ if c.is_control() => (
            format!("unexpected control character U+{:04X}", u32::from(c)),
            None,
        ),
        _ if c.is_ascii() => return None,
        _ => (format!("unexpected character '{c}'"), None),
    };
    let diagnostic =
        Diagnostic::new(message, found.span).with_label(format!("expected {}", expected.words()));
    Some(match hint {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    })
}

/// A hint for an operator from other languages.
fn operator_hint(c: char) -> Option<&'static str> {
    match c {
        '%' => Some("there is no remainder operator"),
        '&' | '|' | '!' => Some("there are no logical operators"),
        '@' => Some("the matrix product is A * B (and A .* B the elementwise product)"),
        _ => None,
    }
}

/// The general case: "unexpected X, expected Y", with a hint where one helps.
fn unexpected(src: &str, found: &Found<'_>, expected: &Expected) -> Diagnostic {
    let words = expected.words();
    if found.is_end() {
        return Diagnostic::new(format!("expected {words}"), found.span)
            .with_label(found.end_words());
    }
    let diagnostic = Diagnostic::new(format!("unexpected '{}'", found.text), found.span)
        .with_label(format!("expected {words}"));
    match hint(src, found, expected) {
        Some(hint) => diagnostic.with_hint(hint),
        None => diagnostic,
    }
}

/// A hint for a common mistake, judged from the found token and the text before it.
fn hint(src: &str, found: &Found<'_>, expected: &Expected) -> Option<&'static str> {
    let before = src.get(..found.span.start).unwrap_or("");
    let prev = before.trim_end().chars().next_back();
    let after_operand =
        prev.is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | ')' | ']' | '\''));
    let operand_next =
        matches!(found.kind, FoundKind::Name | FoundKind::Number) || found.text == "(";
    match found.text {
        _ if expected.has(Want::Name) && ends_with_word(before, &["symbol", "symbols"]) => {
            Some("declare symbols by name, as in: symbol a, W[3, 4]")
        }
        "=" if expected.has(Want::Operator) => Some(
            "only a name or a function head like f(x, y) can be assigned to; named arguments go inside a call, as in subs(e, x = 2)",
        ),
        ";" if !scan::open_brackets(src, found.span.start).is_empty() => {
            Some("';' ends a statement; write a matrix as a list of rows: [[1, 2], [3, 4]]")
        }
        "." => Some(dot_hint(before, src.get(found.span.end..).unwrap_or(""))),
        ":" => Some(
            "a command such as :help must start the statement; a range such as 0:2 goes inside [ ]",
        ),
        "]" if prev == Some('[') => Some("a vector or matrix needs at least one entry"),
        "+" | "-" | "*" | "/" | "^" | "**" | ".*" | "./" | ".^" if starts_line(before) => {
            Some("a line continues only while a bracket is open: wrap the whole expression in ( )")
        }
        _ if operand_next && after_operand && expected.has(Want::Operator) => {
            Some(missing_operator_hint(before, found, expected))
        }
        _ => None,
    }
}

/// The hint for a '.' that is not part of an operator: NumPy's attributes,
/// methods and module prefixes, spelled as symgrad spells them.
fn dot_hint(before: &str, after: &str) -> &'static str {
    let word: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if ends_with_word(
        before,
        &["np", "numpy", "jnp", "torch", "math", "sp", "sympy"],
    ) {
        return "functions have no module prefix: write exp(x), sum(A, 1), eye(3)";
    }
    const METHODS: &[&str] = &[
        "dot", "reshape", "flatten", "ravel", "copy", "item", "size", "evalf", "doit",
    ];
    match word.as_str() {
        "shape" => "the shape is a function here: shape(A)",
        w if crate::builtins::builtin(w).is_some() || METHODS.contains(&w) => {
            "write f(A, …) for A.f(…): sum(A), subs(e, x = 2); A' is the transpose"
        }
        _ => "'.' only appears in numbers (0.5) and in the operators .*, ./, .^ and .T",
    }
}
