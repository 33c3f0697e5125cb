//! The one error type of every phase, and its plain-text rendering.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic::Label;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, Chars, Config};
use unicode_width::UnicodeWidthChar;

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

    /// Renders the diagnostic as plain text (no colour), rustc style, with
    /// `codespan-reporting`:
    ///
    /// ```text
    /// error: unexpected ')'
    ///   --> <input>:1:8
    ///   |
    /// 1 | x + (y))
    ///   |        ^ expected an operator, or the end of the statement
    /// ```
    ///
    /// `origin` names the source (a file name or `<input>`). Lines and columns
    /// are 1-based, columns counted in characters; the line shown is the one
    /// where the span starts, in part when it is wider than `width`. The
    /// message and the hint are wrapped at spaces to lines of at most `width`
    /// columns.
    pub fn render(&self, src: &str, origin: &str, width: usize) -> String {
        let excerpt = Excerpt::new(src, origin, self.span, width);
        let gutter = gutter(excerpt.line);
        let room = width.saturating_sub(gutter);
        let mut label = Label::primary((), excerpt.marked.clone());
        let mut notes = Vec::new();
        // After the carets where it fits, else below them, wrapped.
        match &self.label {
            Some(text) if excerpt.caret_end() + 1 + str_columns(text) <= room => {
                label = label.with_message(text);
            }
            Some(text) => notes.push(wrap("", text, room)),
            None => {}
        }
        if let Some(hint) = &self.hint {
            notes.push(wrap("hint: ", hint, room));
        }
        let header = wrap("error: ", &self.message, width);
        let diagnostic = codespan_reporting::diagnostic::Diagnostic::error()
            .with_message(&header["error: ".len()..])
            .with_labels(vec![label])
            .with_notes(notes);
        let config = Config {
            chars: Chars::ascii(),
            ..Config::default()
        };
        let text = term::emit_into_string(&config, &excerpt, &diagnostic).unwrap_or_else(|_| {
            format!(
                "{header}\n  --> {origin}:{}:{}\n",
                excerpt.line, excerpt.column
            )
        });
        let lines: Vec<&str> = text.trim_end().lines().map(str::trim_end).collect();
        lines.join("\n") + "\n"
    }
}

/// `lead` followed by `text` broken at spaces into lines of at most `width`
/// columns (a word longer than that keeps its own line), lines after the
/// first indented as far as `text` starts. Code in backticks or brackets
/// (`symbol W[2, 3]`, `grad(f, W)`) stays on one line when it is at most
/// half the width.
fn wrap(lead: &str, text: &str, width: usize) -> String {
    let indent = " ".repeat(lead.chars().count());
    let text = &keep_code_whole(text, width / 2);
    let options = textwrap::Options::new(width.max(indent.len() + 1))
        .initial_indent(&indent)
        .subsequent_indent(&indent)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .break_words(false);
    let filled = textwrap::fill(text, options).replace(KEPT_SPACE, " ");
    format!("{lead}{}", filled.strip_prefix(&indent).unwrap_or(&filled))
}

/// A space that wrapping does not break at (no-break space).
const KEPT_SPACE: char = '\u{a0}';

/// `text` with the spaces inside its backticks and brackets made
/// [`KEPT_SPACE`] where the code holding them is at most `most` columns.
fn keep_code_whole(text: &str, most: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let mut k = 0;
    while k < chars.len() {
        let end = match chars[k] {
            '`' => chars[k + 1..]
                .iter()
                .position(|&c| c == '`')
                .map(|n| k + 1 + n),
            '(' | '[' | '{' => closing(&chars, k),
            _ => None,
        };
        match end {
            Some(end) if str_columns(&chars[k..=end].iter().collect::<String>()) <= most => {
                for c in &mut out[k..=end] {
                    if *c == ' ' {
                        *c = KEPT_SPACE;
                    }
                }
                k = end + 1;
            }
            _ => k += 1,
        }
    }
    out.into_iter().collect()
}

/// Where the bracket at `open` closes, if it does.
fn closing(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
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

/// The columns before the source text: the line number and ` | `.
fn gutter(line: usize) -> usize {
    line.to_string().len() + 3
}

/// The fewest columns of a long source line shown, however narrow the width.
const MIN_SNIPPET_COLUMNS: usize = 10;

/// The one source line a diagnostic shows, as a file for `codespan-reporting`:
/// the line where the span starts, in part when wider than the width, with control
/// characters other than tab shown as `�`.
struct Excerpt<'a> {
    origin: &'a str,
    /// 1-based line number in the source.
    line: usize,
    /// 1-based column of the span's start in the source, in characters.
    column: usize,
    /// The text shown.
    text: String,
    /// Byte range of `text` the carets mark.
    marked: Range<usize>,
}

impl<'a> Excerpt<'a> {
    fn new(src: &str, origin: &'a str, span: Span, width: usize) -> Excerpt<'a> {
        let at = Location::find(src, span.start);
        let room = width
            .saturating_sub(gutter(at.line))
            .max(MIN_SNIPPET_COLUMNS);
        let chars: Vec<char> = at
            .text
            .chars()
            .map(|c| match c.is_control() && c != '\t' {
                true => '\u{FFFD}',
                false => c,
            })
            .collect();
        let col = at.column - 1;
        // A caret past the line's end (`the input ends here`) takes a column.
        let room = room - usize::from(col >= chars.len() && room > MIN_SNIPPET_COLUMNS);
        let shown = window(&chars, col, room);
        let lead = if shown.start > 0 { "…" } else { "" };
        let tail = if shown.end < chars.len() { "…" } else { "" };
        let middle: String = chars[shown.clone()].iter().collect();
        let text = format!("{lead}{middle}{tail}");
        let first = col - shown.start + lead.chars().count();
        let carets = at
            .caret_count(src, span)
            .min(shown.end.saturating_sub(col))
            .max(1);
        let byte = |chars: usize| {
            text.char_indices()
                .nth(chars)
                .map_or(text.len(), |(i, _)| i)
        };
        let marked = byte(first)..byte(first + carets);
        Excerpt {
            origin,
            line: at.line,
            column: at.column,
            text,
            marked,
        }
    }
}

impl Excerpt<'_> {
    /// The columns the shown text takes up to the end of the carets.
    fn caret_end(&self) -> usize {
        str_columns(&self.text[..self.marked.end])
    }
}

/// The columns a text takes on a line.
fn str_columns(s: &str) -> usize {
    s.chars().map(columns).sum()
}

/// The columns a character of a source line takes: a tab at most 4 (to the
/// next tab stop), others as wide as they are.
fn columns(c: char) -> usize {
    match c {
        '\t' => 4,
        _ => c.width().unwrap_or(1),
    }
}

/// Which characters of a line to show so that they take at most `room`
/// columns: all when they fit, else a third of the room before `col` and
/// the rest after it, leaving two columns for the `…` marks.
fn window(chars: &[char], col: usize, room: usize) -> Range<usize> {
    let wide: Vec<usize> = chars.iter().map(|&c| columns(c)).collect();
    if wide.iter().sum::<usize>() <= room {
        return 0..chars.len();
    }
    let keep = room - 2;
    let (mut start, mut used) = (col.min(chars.len()), 0);
    while start > 0 && used + wide[start - 1] <= keep / 3 {
        start -= 1;
        used += wide[start];
    }
    let (mut end, mut used) = (start, 0);
    while end < chars.len() && used + wide[end] <= keep {
        used += wide[end];
        end += 1;
    }
    // Near the line's end, the room left goes before the column.
    while start > 0 && used + wide[start - 1] <= keep {
        start -= 1;
        used += wide[start];
    }
    start..end
}

impl<'a> Files<'a> for Excerpt<'a> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(self.origin)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), _: usize) -> Result<usize, files::Error> {
        Ok(0)
    }

    fn line_number(&'a self, (): (), _: usize) -> Result<usize, files::Error> {
        Ok(self.line)
    }

    fn column_number(&'a self, (): (), _: usize, _: usize) -> Result<usize, files::Error> {
        Ok(self.column)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        match line_index {
            0 => Ok(0..self.text.len()),
            given => Err(files::Error::LineTooLarge { given, max: 0 }),
        }
    }
}

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
        Location {
            line: before.matches('\n').count() + 1,
            column: prefix.chars().count() + 1,
            offset,
            line_end: line_start + text.len(),
            text,
        }
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
            .render(src, "t.sg", 80)
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
        .assert_eq(&d.render("x + (y))", "<input>", 80));
    }

    #[test]
    fn carets_span_the_whole_span_on_the_start_line() {
        expect![[r#"
            error: oops
              --> t.sg:2:4
              |
            2 | a sigmod(x)
              |    ^^^^^^ here
              |
              = hint: did you mean 'sigmoid'?
        "#]]
        .assert_eq(
            &Diagnostic::new("oops", Span::new(6, 12))
                .with_label("here")
                .with_hint("did you mean 'sigmoid'?")
                .render("x\r\na sigmod(x)\n", "t.sg", 80),
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
            10 |      y
               |      ^ here
        "#]]
        .assert_eq(&render("\n\n\n\n\n\n\n\n\n\t y", 11, 12));
    }

    #[test]
    fn a_long_line_is_shown_around_the_span() {
        let src = format!("{}bad{}", "a + ".repeat(75), " + b".repeat(75));
        let text = render(&src, 300, 303);
        expect![[r#"
            error: oops
              --> t.sg:1:301
              |
            1 | …a + a + a + a + a + a + bad + b + b + b + b + b + b + b + b + b + b + b + …
              |                          ^^^ here
        "#]]
        .assert_eq(&text); // At any width and place, the line shown fits and the carets are under the span.
        for width in [20, 40, 80, 200] {
            for before in [0, 3, 40, 150] {
                let src = format!(
                    "{}bad{}",
                    "a + ".repeat(before),
                    " + b".repeat(150 - before)
                );
                let at = 4 * before;
                let d = Diagnostic::new("oops", Span::new(at, at + 3));
                let text = d.render(&src, "t.sg", width);
                let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
                let (shown, marks) = (&lines[3], &lines[4]);
                assert!(shown.len() <= width, "{text}");
                let first = marks.iter().position(|&c| c == '^').unwrap();
                let under: String = shown[first..first + 3].iter().collect();
                assert_eq!(under, "bad", "width {width}:\n{text}");
            }
        }
    }

    #[test]
    fn a_label_too_wide_after_the_carets_goes_below_them() {
        // The caret at the input's end of a line as wide as the width.
        let src = format!("{} = 1 +", "a".repeat(70));
        let d = Diagnostic::new("expected an expression", Span::new(src.len(), src.len()))
            .with_label("the input ends here")
            .with_hint("finish the sum");
        expect![[r#"
            error: expected an expression
              --> t.sg:1:77
              |
            1 | …aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = 1 +
              |                                                                           ^
              |
              = the input ends here
              = hint: finish the sum
        "#]]
        .assert_eq(&d.render(&src, "t.sg", 80));
        // At any width, no line is wider than it.
        for width in [20, 40, 60, 80] {
            let text = d.render(&src, "t.sg", width);
            let widest = text.lines().map(str_columns).max().unwrap_or(0);
            assert!(widest <= width, "width {width}:\n{text}");
        }
    }

    #[test]
    fn code_in_a_hint_stays_on_one_line_when_it_fits_half_of_it() {
        let hint = "W was bound to a value; `symbol W[2, 3]` makes it a symbol";
        let d = Diagnostic::new("oops", Span::new(0, 1)).with_hint(hint);
        expect![[r#"
            error: oops
              --> t.sg:1:1
              |
            1 | W
              | ^
              |
              = hint: W was bound to a value;
                      `symbol W[2, 3]` makes it a
                      symbol
        "#]]
        .assert_eq(&d.render("W", "t.sg", 38));
        // Longer code than half the line breaks at its spaces as other text.
        let long = format!("take it from grad(f, {}), e.g. here", "V".repeat(20));
        let text = Diagnostic::new("oops", Span::new(0, 1))
            .with_hint(long)
            .render("W", "t.sg", 40);
        assert!(text.lines().all(|l| str_columns(l) <= 40), "{text}");
        assert!(text.contains("grad(f,\n"), "{text}");
    }

    #[test]
    fn control_characters_are_shown_one_column_each() {
        expect![[r#"
            error: oops
              --> t.sg:1:4
              |
            1 | a��b
              |    ^ here
        "#]]
        .assert_eq(&render("a\u{7}\u{1b}b", 3, 4));
    }

    #[test]
    fn the_message_and_hint_are_wrapped_to_the_width() {
        let message = "the loss is -inf at step 0: log(w) gives -inf: log(0) is −∞";
        let hint = "this is before any step: start where the loss is defined \
                    (descend's fifth argument), or check the data";
        let d = Diagnostic::new(message, Span::new(0, 3)).with_hint(hint);
        let text = d.render("log(w)", "<input>", 40);
        expect![[r#"
            error: the loss is -inf at step 0:
                   log(w) gives -inf: log(0) is −∞
              --> <input>:1:1
              |
            1 | log(w)
              | ^^^
              |
              = hint: this is before any step: start
                      where the loss is defined
                      (descend's fifth argument), or
                      check the data
        "#]]
        .assert_eq(&text);
        for line in text.lines() {
            assert!(line.chars().count() <= 40, "{line}");
        }
        // Wide enough, each stays one line; a word longer than the width is kept whole.
        assert_eq!(d.render("log(w)", "<input>", 200).lines().count(), 7);
        let empty = Diagnostic::new("", Span::new(0, 1)).with_hint("");
        assert!(empty.render("x", "<input>", 80).starts_with("error:\n"));
        let long = Diagnostic::new("a-name-longer-than-the-width is unbound", Span::new(0, 1));
        assert!(
            long.render("x", "<input>", 20)
                .starts_with("error: a-name-longer-than-the-width\n")
        );
    }

    #[test]
    fn any_line_and_span_render_within_the_width() {
        use rand::{RngExt, SeedableRng};
        use unicode_width::UnicodeWidthStr;
        const PIECES: &[&str] = &[
            "x", " + ", "\t", "\r", "\n", "\r\n", "\u{7}", "σ", "漢字", "e\u{301}", "⋅", "(", ")",
            "…", "\u{200b}",
        ];
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        for _ in 0..3000 {
            let len = rng.random_range(0..300);
            let src: String = (0..len)
                .map(|_| PIECES[rng.random_range(0..PIECES.len())])
                .collect();
            let start = rng.random_range(0..=src.len() + 2);
            let end = rng.random_range(0..=src.len() + 2);
            let width = rng.random_range(20..=200);
            let text = Diagnostic::new("a message of a few words", Span::new(start, end))
                .with_label("here")
                .with_hint("a hint of a few words too")
                .render(&src, "<input>", width);
            assert!(text.starts_with("error: "), "{text}");
            // The source line and the carets under it fit the width.
            let locus = text
                .lines()
                .position(|l| l.contains("--> <input>:"))
                .unwrap();
            for line in text.lines().skip(locus + 2).take(2) {
                let shown = line.split(" here").next().unwrap_or(line);
                assert!(shown.width() <= width, "{width}: {line:?} of {src:?}");
            }
        }
    }
}
