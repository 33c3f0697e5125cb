//! The one error type of every phase, and its plain-text rendering.

use std::fmt;

use crate::span::Span;

/// An error at a place in the source: what is wrong, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// One line saying what is wrong, e.g. `unexpected ')'`.
    pub message: String,
    /// The offending text.
    pub span: Span,
    /// Text shown after the carets, e.g. `expected an expression`.
    pub label: Option<String>,
    /// A suggestion shown below the source line.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with a message and a span, no label or hint.
    pub fn new(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span,
            label: None,
            hint: None,
        }
    }

    /// Sets the text under the caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// Sets the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Renders the diagnostic as plain text (no colour), rustc style:
    ///
    /// ```text
    /// error: unexpected ')'
    ///  --> <input>:1:8
    ///   |
    /// 1 | x + (y))
    ///   |        ^ expected an operator, or the end of the statement
    /// ```
    ///
    /// `origin` names the source (a file name or `<input>`). Lines and columns
    /// are 1-based, columns counted in characters; the line shown is the one
    /// where the span starts.
    pub fn render(&self, src: &str, origin: &str) -> String {
        let at = Location::find(src, self.span.start);
        let number = at.line.to_string();
        let pad = " ".repeat(number.len());
        let (text, indent, carets) = at.window(at.caret_count(src, self.span));
        let mut marker = format!("{indent}{}", "^".repeat(carets));
        if let Some(label) = &self.label {
            marker = format!("{marker} {label}");
        }
        let mut lines = vec![
            format!("error: {}", self.message),
            format!("{pad}--> {origin}:{}:{}", at.line, at.column),
            format!("{pad} |"),
            format!("{number} | {}", printable(&text)),
            format!("{pad} | {marker}"),
        ];
        if let Some(hint) = &self.hint {
            lines.push(format!("{pad} = hint: {hint}"));
        }
        let trimmed: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
        trimmed.join("\n") + "\n"
    }
}

/// The line with control characters other than tab shown as `�`, one
/// character each so that the caret stays aligned.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// The 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let at = Location::find(src, offset);
    (at.line, at.column)
}

/// A source line longer than this many characters is shown in part.
const SNIPPET_CHARS: usize = 120;

/// Where a byte offset falls: its line and column, and the line's text.
struct Location<'a> {
    /// 1-based line number.
    line: usize,
    /// 1-based column, in characters.
    column: usize,
    /// Byte offset of the (clamped) position.
    offset: usize,
    /// Byte offset where the line ends (before `\n` or `\r\n`).
    line_end: usize,
    /// The line's text.
    text: &'a str,
    /// Whitespace as wide as the text before the column (tabs kept).
    indent: String,
}

impl<'a> Location<'a> {
    /// Locates `offset` in `src`, clamped to the source and to a char boundary.
    fn find(src: &'a str, offset: usize) -> Location<'a> {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = src.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let rest = src.get(line_start..).unwrap_or("");
        let line_len = rest.find('\n').unwrap_or(rest.len());
        let text = rest.get(..line_len).unwrap_or("").trim_end_matches('\r');
        let prefix = src.get(line_start..offset).unwrap_or("");
        let indent = prefix
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        Location {
            line: before.matches('\n').count() + 1,
            column: prefix.chars().count() + 1,
            offset,
            line_end: line_start + text.len(),
            text,
            indent,
        }
    }

    /// The part of the line shown, the indent before the carets and how many
    /// carets, for `carets` marking from the column: the whole line when it
    /// is short, else [`SNIPPET_CHARS`] characters around the column, with
    /// `…` where the line goes on.
    fn window(&self, carets: usize) -> (String, String, usize) {
        let total = self.text.chars().count();
        if total <= SNIPPET_CHARS {
            return (self.text.to_string(), self.indent.clone(), carets);
        }
        let col = self.column - 1;
        let start = col.saturating_sub(SNIPPET_CHARS / 3);
        let end = (start + SNIPPET_CHARS).min(total);
        let lead = if start > 0 { "…" } else { "" };
        let tail = if end < total { "…" } else { "" };
        let shown: String = self.text.chars().skip(start).take(end - start).collect();
        let indent: String = self.indent.chars().skip(start).collect();
        let indent = if start > 0 {
            format!(" {indent}")
        } else {
            indent
        };
        let carets = carets.min(end.saturating_sub(col)).max(1);
        (format!("{lead}{shown}{tail}"), indent, carets)
    }

    /// How many carets mark `span` on this line: its characters up to the
    /// line's end, at least one.
    fn caret_count(&self, src: &str, span: Span) -> usize {
        let end = span.end.min(self.line_end);
        let covered = src.get(self.offset..end).map_or(0, |s| s.chars().count());
        covered.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn render(src: &str, start: usize, end: usize) -> String {
        Diagnostic::new("oops", Span::new(start, end))
            .with_label("here")
            .render(src, "t.sg")
    }

    #[test]
    fn renders_the_example_from_the_contract() {
        let d = Diagnostic::new("unexpected ')'", Span::new(7, 8))
            .with_label("expected an operator, or the end of the statement");
        expect![[r#"
            error: unexpected ')'
             --> <input>:1:8
              |
            1 | x + (y))
              |        ^ expected an operator, or the end of the statement
        "#]]
        .assert_eq(&d.render("x + (y))", "<input>"));
    }

    #[test]
    fn carets_span_the_whole_span_on_the_start_line() {
        expect![[r#"
            error: oops
             --> t.sg:2:4
              |
            2 | a sigmod(x)
              |    ^^^^^^ here
              = hint: did you mean 'sigmoid'?
        "#]]
        .assert_eq(
            &Diagnostic::new("oops", Span::new(6, 12))
                .with_label("here")
                .with_hint("did you mean 'sigmoid'?")
                .render("x\r\na sigmod(x)\n", "t.sg"),
        );
        expect![[r#"
            error: oops
             --> t.sg:1:3
              |
            1 | (a
              |   ^ here
        "#]]
        .assert_eq(&render("(a\n+ b", 2, 6));
    }

    #[test]
    fn handles_end_of_input_and_odd_offsets() {
        expect![[r#"
            error: oops
             --> t.sg:1:4
              |
            1 | x +
              |    ^ here
        "#]]
        .assert_eq(&render("x +", 3, 3));
        expect![[r#"
            error: oops
             --> t.sg:1:1
              |
            1 |
              | ^ here
        "#]]
        .assert_eq(&render("", 5, 9));
        // Inside a multi-byte character: clamped back to its start.
        expect![[r#"
            error: oops
             --> t.sg:1:2
              |
            1 | σσ
              |  ^ here
        "#]]
        .assert_eq(&render("σσ", 3, 4));
    }

    #[test]
    fn keeps_tabs_so_the_caret_lines_up() {
        expect![[r#"
            error: oops
              --> t.sg:10:3
               |
            10 | 	 y
               | 	 ^ here
        "#]]
        .assert_eq(&render("\n\n\n\n\n\n\n\n\n\t y", 11, 12));
    }
}
