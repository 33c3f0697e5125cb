//! A quick pass over the raw text, outside strings, comments and command
//! lines: brackets and unterminated strings. It runs before pest, to
//! refuse input nested too deeply to parse safely, and after a pest error, to
//! find which bracket is still open.

use crate::diagnostic::Diagnostic;
use crate::span::Span;

use super::MAX_NESTING;

/// What the scanner reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Event {
    /// `(` or `[`.
    Open(char),
    /// `)` or `]`.
    Close(char),
    /// A `"` with no closing `"` on its line.
    UnterminatedString,
}

/// Calls `on` with each event and its span, in order, until it returns false.
pub(super) fn scan(src: &str, mut on: impl FnMut(Event, Span) -> bool) {
    let mut chars = src.char_indices().peekable();
    let mut depth = 0usize;
    let mut at_statement_start = true;
    while let Some((i, c)) = chars.next() {
        let event = match c {
            '#' => skip_line(&mut chars, &['\n']),
            ':' if at_statement_start && depth == 0 => skip_line(&mut chars, &['\n', ';', '#']),
            '"' => skip_string(&mut chars).map(|_| Event::UnterminatedString),
            '(' | '[' => Some(Event::Open(c)),
            ')' | ']' => Some(Event::Close(c)),
            _ => None,
        };
        match event {
            Some(Event::Open(_)) => depth += 1,
            Some(Event::Close(_)) => depth = depth.saturating_sub(1),
            _ => {}
        }
        at_statement_start = match c {
            '\n' | ';' => depth == 0,
            ' ' | '\t' | '\r' => at_statement_start,
            _ => false,
        };
        let end = match event {
            Some(Event::UnterminatedString) => chars.peek().map_or(src.len(), |&(j, _)| j),
            _ => i + c.len_utf8(),
        };
        if let Some(event) = event
            && !on(event, Span::new(i, end))
        {
            return;
        }
    }
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// Skips to just before the next of `stops` (a comment or command line).
fn skip_line(chars: &mut Chars<'_>, stops: &[char]) -> Option<Event> {
    while chars.next_if(|&(_, c)| !stops.contains(&c)).is_some() {}
    None
}

/// Skips a string after its opening quote; `Some(())` if it is unterminated.
fn skip_string(chars: &mut Chars<'_>) -> Option<()> {
    while let Some((_, c)) = chars.next_if(|&(_, c)| c != '\n' && c != '\r') {
        match c {
            '"' => return None,
            '\\' => {
                chars.next_if(|&(_, c)| c != '\n' && c != '\r');
            }
            _ => {}
        }
    }
    Some(())
}

/// Refuses brackets nested deeper than [`MAX_NESTING`].
pub(super) fn check(src: &str) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    let mut error = None;
    scan(src, |event, span| {
        match event {
            Event::Open(_) => depth += 1,
            Event::Close(_) => depth = depth.saturating_sub(1),
            Event::UnterminatedString => {}
        }
        if depth > MAX_NESTING {
            error = Some(too_deep(span));
        }
        error.is_none()
    });
    error.map_or(Ok(()), Err)
}

/// The error for the first bracket beyond the nesting limit.
fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::new("brackets nested too deeply", span)
        .with_label(format!("more than {MAX_NESTING} brackets open here"))
        .with_hint("split the expression into several assignments")
}

/// The brackets still open at `offset`, outermost first, with their spans.
/// A closing bracket closes the innermost open one, matching or not.
pub(super) fn open_brackets(src: &str, offset: usize) -> Vec<(char, Span)> {
    let mut open = Vec::new();
    scan(src, |event, span| {
        if span.start >= offset {
            return false;
        }
        match event {
            Event::Open(c) => open.push((c, span)),
            Event::Close(_) => {
                open.pop();
            }
            _ => {}
        }
        true
    });
    open
}

/// The first unterminated string starting at or before `offset`.
pub(super) fn unterminated_string(src: &str, offset: usize) -> Option<Span> {
    let mut found = None;
    scan(src, |event, span| {
        if event == Event::UnterminatedString && span.start <= offset {
            found = Some(span);
        }
        found.is_none() && span.start <= offset
    });
    found
}
