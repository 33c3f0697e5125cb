//! Wrapping one-line source forms (text in the input language, LaTeX) at
//! the line width, at spaces where a line break means the same.

use super::boxes::str_width;

/// Text in the input language in lines of at most `width` columns where it
/// can be: a longer text is put in brackets, inside which the language reads
/// a newline as a space, and broken at spaces or, where a product is wider
/// than the line, after a `*`. It reads back as the same expression. A
/// single token wider than the line stays whole. A notice in its place
/// (`<… too large to print>`) is broken at spaces as prose.
pub fn wrap_text_form(s: &str, width: usize) -> String {
    if str_width(s) <= width || !s.contains([' ', '*']) {
        return s.to_string();
    }
    if s.starts_with('<') {
        return break_at_spaces(s, width, false);
    }
    break_at_spaces(&format!("({s})"), width, true)
}

/// LaTeX source in lines of at most `width` columns where it can be: each
/// line broken at spaces (a newline is a space in math mode).
pub(crate) fn wrap_latex(s: &str, width: usize) -> String {
    s.lines()
        .map(|line| break_at_spaces(line, width, false))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `line` broken at spaces into lines of at most `width` columns,
/// continuation lines indented by two: each line ends at the last space
/// that fits, or with `shallow` the one least deep in brackets (the last of
/// them on a tie), so that `a*(b + c) + d` breaks around its `+`. With
/// `shallow`, a line may also end just after a `*`, where no space as
/// shallow fits (the space is dropped at a break, the `*` kept).
fn break_at_spaces(line: &str, width: usize, shallow: bool) -> String {
    let indent = "  ";
    let chars: Vec<char> = line.chars().collect();
    // Where a line may end (a space, or just after a `*`), the bracket
    // depth there, and whether it is after a `*`.
    let mut depth = 0i32;
    let mut breaks: Vec<(usize, i32, bool)> = Vec::new();
    for (k, &c) in chars.iter().enumerate() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ' ' => breaks.push((k, depth, false)),
            '*' if shallow && chars.get(k + 1).is_some_and(|&n| n != ' ' && n != '*') => {
                breaks.push((k + 1, depth, true))
            }
            _ => {}
        }
    }
    // Columns before each character.
    let mut before = Vec::with_capacity(chars.len() + 1);
    let mut total = 0;
    for &c in &chars {
        before.push(total);
        total += super::boxes::char_width(c);
    }
    before.push(total);
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut lead = "";
    let mut next_break = 0;
    loop {
        let room = width.saturating_sub(str_width(lead));
        if before[chars.len()] - before[start] <= room {
            lines.push(format!("{lead}{}", text(start, chars.len())));
            break;
        }
        while next_break < breaks.len() && breaks[next_break].0 <= start {
            next_break += 1;
        }
        let fitting = breaks[next_break..]
            .iter()
            .take_while(|&&(k, _, _)| before[k] - before[start] <= room);
        let chosen = fitting
            .min_by_key(|&&(k, d, star)| (if shallow { d } else { 0 }, star, std::cmp::Reverse(k)))
            .or_else(|| breaks.get(next_break));
        let Some(&(k, _, star)) = chosen else {
            lines.push(format!("{lead}{}", text(start, chars.len())));
            break;
        };
        lines.push(format!("{lead}{}", text(start, k)));
        start = if star { k } else { k + 1 };
        lead = indent;
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_breaks_inside_brackets_and_latex_at_spaces() {
        assert_eq!(wrap_text_form("a + b", 10), "a + b");
        assert_eq!(
            wrap_text_form("alpha + beta + gamma*delta", 12),
            "(alpha +\n  beta +\n  gamma*\n  delta)"
        );
        assert_eq!(wrap_latex("x + y + z", 5), "x + y\n  + z");
        assert_eq!(wrap_text_form("abcdefghijklmnop", 5), "abcdefghijklmnop");
        // A product wider than the line breaks after a `*`, a space first.
        assert_eq!(
            wrap_text_form("exp(alpha*beta*gamma) + delta", 14),
            "(exp(alpha*\n  beta*gamma)\n  + delta)"
        );
        assert_eq!(wrap_text_form("a**bcdefgh*c", 6), "(a**\n  bcdefgh*\n  c)");
        assert_eq!(
            wrap_text_form("<an expression too large>", 14),
            "<an expression\n  too large>"
        );
    }
}
