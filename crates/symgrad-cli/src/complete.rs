//! Which part of the line tab completion replaces, and with what.

use crate::lex::{Kind, tokens};

/// What is being completed at the cursor.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A name (or, when it starts with `:`, a command) starting at this byte.
    Word { start: usize },
    /// A file path: after `:load ` or inside an open string.
    Path,
}

/// Finds what to complete in `line` before the byte offset `pos`.
pub fn target(line: &str, pos: usize) -> Target {
    let before = line.get(..pos).unwrap_or(line);
    let statement = statement_before(before);
    let last = tokens(before).pop();
    let in_open_string = last
        .as_ref()
        .is_some_and(|t| t.kind == Kind::Str { closed: false });
    if in_open_string || statement.trim_start().starts_with(":load ") {
        return Target::Path;
    }
    // The name (or command) the cursor ends, as the grammar reads them.
    let start = match last {
        Some(t) if matches!(t.kind, Kind::Ident | Kind::Command) => t.span.start,
        _ => before.len(),
    };
    let word_start = match before[..start].strip_suffix(':') {
        Some(head) if statement_before(head).trim().is_empty() => start - 1,
        _ => start,
    };
    Target::Word { start: word_start }
}

/// The text of the statement the cursor is in, up to the cursor.
fn statement_before(before: &str) -> &str {
    before
        .rfind([';', '\n'])
        .map_or(before, |i| &before[i + 1..])
}

/// The candidates among `names` for `word`: commands only for a word
/// starting with `:`, names otherwise. Sorted and without duplicates.
pub fn candidates<'a>(names: &'a [String], word: &str) -> Vec<&'a str> {
    let wants_command = word.starts_with(':');
    let mut found: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| n.starts_with(':') == wants_command && n.starts_with(word))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(line: &str) -> &str {
        match target(line, line.len()) {
            Target::Word { start } => &line[start..],
            Target::Path => panic!("expected a word in {line:?}"),
        }
    }

    #[test]
    fn the_word_is_the_identifier_before_the_cursor() {
        assert_eq!(word("exp(sig"), "sig");
        assert_eq!(word("a + b_1"), "b_1");
        assert_eq!(word("x + "), "");
        assert_eq!(word("αβ"), "αβ");
        assert_eq!(word("W'"), "");
        // A number is not part of the name after it, as the grammar reads it.
        assert_eq!(word("2x"), "x");
        assert_eq!(word("1e3W"), "W");
    }

    #[test]
    fn a_colon_starts_a_command_only_at_statement_start() {
        assert_eq!(word(":he"), ":he");
        assert_eq!(word("  :"), ":");
        assert_eq!(word("x = 1; :va"), ":va");
        assert_eq!(word("X[:n"), "n");
        assert_eq!(word("X[0:n"), "n");
    }

    #[test]
    fn the_cursor_may_be_mid_line() {
        assert_eq!(target("exp(x) + y", 3), Target::Word { start: 0 });
    }

    #[test]
    fn paths_after_load_and_in_strings() {
        assert_eq!(target(":load da", 8), Target::Path);
        assert_eq!(target("A = load(\"da", 12), Target::Path);
        assert_eq!(
            target("load(\"a.csv\") + ex", 19),
            Target::Word { start: 16 }
        );
    }

    #[test]
    fn candidates_separate_commands_from_names() {
        let names: Vec<String> = ["exp", "eye", ":help", "exp", "log"]
            .map(String::from)
            .into();
        assert_eq!(candidates(&names, "e"), ["exp", "eye"]);
        assert_eq!(candidates(&names, ":"), [":help"]);
        assert_eq!(candidates(&names, ""), ["exp", "eye", "log"]);
    }
}
