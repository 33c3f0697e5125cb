//! Is the input complete, or is a bracket still open?

use crate::lex::{Kind, tokens};

/// The state of the brackets in some input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Brackets {
    /// Every bracket is closed: the input can run.
    Balanced,
    /// A bracket is still open: keep reading lines.
    Open,
    /// A closing bracket has no partner. The input runs anyway, so the
    /// interpreter reports the error with its position.
    Mismatched,
}

/// Counts brackets, ignoring those inside strings and comments.
pub fn brackets(input: &str) -> Brackets {
    let mut open = Vec::new();
    for token in tokens(input) {
        match token.kind {
            Kind::Open(c) => open.push(partner(c)),
            Kind::Close(c) if open.last() == Some(&c) => {
                open.pop();
            }
            Kind::Close(_) => return Brackets::Mismatched,
            _ => {}
        }
    }
    if open.is_empty() {
        Brackets::Balanced
    } else {
        Brackets::Open
    }
}

fn partner(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_brackets_ask_for_more() {
        assert_eq!(brackets("exp(a +"), Brackets::Open);
        assert_eq!(brackets("[[1, 2],\n [3, 4]"), Brackets::Open);
        assert_eq!(brackets("f(x"), Brackets::Open);
    }

    #[test]
    fn closed_brackets_are_balanced() {
        assert_eq!(brackets(""), Brackets::Balanced);
        assert_eq!(brackets("exp(a +\n b)"), Brackets::Balanced);
        assert_eq!(brackets("[[1, 2], [3, 4]] * {x}"), Brackets::Balanced);
    }

    #[test]
    fn brackets_in_strings_and_comments_are_ignored() {
        assert_eq!(brackets("load(\"a(.csv\")"), Brackets::Balanced);
        assert_eq!(brackets("x + 1 # (unclosed"), Brackets::Balanced);
        assert_eq!(brackets("f(x, # )\n y)"), Brackets::Balanced);
        assert_eq!(brackets("f(\"(\" # )"), Brackets::Open);
    }

    #[test]
    fn stray_closers_are_left_to_the_interpreter() {
        assert_eq!(brackets("x)"), Brackets::Mismatched);
        assert_eq!(brackets("(x]"), Brackets::Mismatched);
        assert_eq!(brackets(")("), Brackets::Mismatched);
    }
}
