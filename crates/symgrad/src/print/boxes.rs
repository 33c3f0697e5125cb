//! Two-dimensional text boxes for the pretty printer, after SymPy's `stringPict`.
//!
//! A [`Pict`] is a rectangle of equal-width lines with a baseline: the row
//! that horizontal joins align on (the bar of a fraction, the middle row of a
//! matrix). Widths are terminal columns, not bytes or chars.

use super::prec::Prec;
use std::rc::Rc;

/// A rectangle of text with a baseline and the binding of its outer operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pict {
    /// Shared, so that a picture drawn once and shown in several places
    /// (or kept for the layout's later rounds) is not copied.
    lines: Rc<Vec<String>>,
    width: usize,
    baseline: usize,
    /// How tightly the outermost operator binds, to decide on brackets.
    pub prec: Prec,
}

/// The shapes of brackets that grow with their content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bracket {
    Round,
    Square,
    Bar,
}

impl Bracket {
    /// Left and right glyphs (top, middle, bottom) for a given height.
    fn glyphs(self, height: usize) -> [[char; 3]; 2] {
        match (self, height) {
            (Bracket::Round, 1) => [['('; 3], [')'; 3]],
            (Bracket::Square, 1) => [['['; 3], [']'; 3]],
            (Bracket::Bar, 1) => [['|'; 3], ['|'; 3]],
            (Bracket::Round, _) => [['⎛', '⎜', '⎝'], ['⎞', '⎟', '⎠']],
            (Bracket::Square, _) => [['⎡', '⎢', '⎣'], ['⎤', '⎥', '⎦']],
            (Bracket::Bar, _) => [['│'; 3], ['│'; 3]],
        }
    }
}

/// The number of terminal columns a character occupies (Unicode's East
/// Asian width, as the line editor counts them): 0 for control characters
/// and combining marks, 2 for wide and fullwidth forms, else 1.
pub(crate) fn char_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The width of a string in terminal columns.
pub(crate) fn str_width(s: &str) -> usize {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s.len();
    }
    s.chars().map(char_width).sum()
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// Appends `n` spaces.
fn pad(line: &mut String, mut n: usize) {
    const BLANK: &str = "                                                                ";
    while n > 0 {
        let k = n.min(BLANK.len());
        line.push_str(&BLANK[..k]);
        n -= k;
    }
}

impl Pict {
    /// A one-line picture of `s`.
    pub fn text(s: &str, prec: Prec) -> Pict {
        Pict::from_lines(vec![s.to_string()], 0, prec)
    }

    /// A one-line atom.
    pub fn atom(s: &str) -> Pict {
        Pict::text(s, Prec::Atom)
    }

    /// A picture of the given lines, padded on the right to equal width.
    fn from_lines(mut lines: Vec<String>, baseline: usize, prec: Prec) -> Pict {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let widths: Vec<usize> = lines.iter().map(|l| str_width(l)).collect();
        let width = widths.iter().copied().max().unwrap_or(0);
        for (line, w) in lines.iter_mut().zip(widths) {
            pad(line, width - w);
        }
        let baseline = baseline.min(lines.len() - 1);
        Pict {
            lines: Rc::new(lines),
            width,
            baseline,
            prec,
        }
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.lines.len()
    }

    /// Pictures side by side, their baselines on one row.
    pub fn row(parts: &[Pict], prec: Prec) -> Pict {
        let above = parts.iter().map(|p| p.baseline).max().unwrap_or(0);
        let below = parts
            .iter()
            .map(|p| p.height() - p.baseline)
            .max()
            .unwrap_or(1);
        // Each line's bytes: at most every part's longest line.
        let bytes = parts.iter().map(Pict::longest).sum();
        let mut lines: Vec<String> = (0..above + below)
            .map(|_| String::with_capacity(bytes))
            .collect();
        for p in parts {
            let top = above - p.baseline;
            for (i, line) in lines.iter_mut().enumerate() {
                match i.checked_sub(top).and_then(|k| p.lines.get(k)) {
                    Some(l) => line.push_str(l),
                    None => pad(line, p.width),
                }
            }
        }
        // Every line is as wide as the parts together.
        let width = parts.iter().map(|p| p.width).sum();
        Pict::padded(lines, width, above, prec)
    }

    /// The length in bytes of the longest line.
    fn longest(&self) -> usize {
        self.lines.iter().map(String::len).max().unwrap_or(0)
    }

    /// A picture of lines that are all `width` columns wide already.
    fn padded(lines: Vec<String>, width: usize, baseline: usize, prec: Prec) -> Pict {
        debug_assert!(lines.iter().all(|l| str_width(l) == width));
        let baseline = baseline.min(lines.len().saturating_sub(1));
        Pict {
            lines: Rc::new(lines),
            width,
            baseline,
            prec,
        }
    }

    /// Pictures one above the other, each centred; the baseline is row
    /// `baseline` of the result.
    fn stack(parts: &[&Pict], baseline: usize, prec: Prec) -> Pict {
        let width = parts.iter().map(|p| p.width).max().unwrap_or(0);
        let mut lines = Vec::with_capacity(parts.iter().map(|p| p.height()).sum());
        for p in parts {
            let left = (width - p.width) / 2;
            for l in p.lines.iter() {
                let mut line = String::with_capacity(l.len() + width - p.width);
                pad(&mut line, left);
                line.push_str(l);
                pad(&mut line, width - p.width - left);
                lines.push(line);
            }
        }
        Pict::padded(lines, width, baseline, prec)
    }

    /// Pictures one above the other, left-aligned; the baseline is the top row.
    pub fn column(parts: &[&Pict]) -> Pict {
        let lines = parts.iter().flat_map(|p| p.lines.iter().cloned()).collect();
        Pict::from_lines(lines, 0, Prec::Atom)
    }

    /// Pictures one above the other, left-aligned; the baseline is that of
    /// the first (a formula broken into lines reads on from its first line).
    pub fn lines(parts: &[Pict], prec: Prec) -> Pict {
        let baseline = parts.first().map_or(0, |p| p.baseline);
        let lines = parts.iter().flat_map(|p| p.lines.iter().cloned()).collect();
        Pict::from_lines(lines, baseline, prec)
    }

    /// A fraction: `num` over a bar over `den`, the bar on the baseline.
    pub fn fraction(num: &Pict, den: &Pict) -> Pict {
        let bar = Pict::atom(&"─".repeat(num.width.max(den.width)));
        Pict::stack(&[num, &bar, den], num.height(), Prec::Mul)
    }

    /// A power: `exp` raised to the top right of `base`.
    pub fn power(base: &Pict, exp: &Pict) -> Pict {
        let above = exp.lines.iter().map(|l| (base.width, l.as_str(), 0));
        let beside = base.lines.iter().map(|l| (0, l.as_str(), exp.width));
        let lines = above
            .chain(beside)
            .map(|(left, l, right)| {
                let mut line = String::with_capacity(left + l.len() + right);
                pad(&mut line, left);
                line.push_str(l);
                pad(&mut line, right);
                line
            })
            .collect();
        Pict::padded(
            lines,
            base.width + exp.width,
            exp.height() + base.baseline,
            Prec::Pow,
        )
    }

    /// A mark such as `ᵀ` appended to the top line, the other lines padded.
    pub fn top_right(&self, mark: &str, prec: Prec) -> Pict {
        let mut lines = self.lines.to_vec();
        if let Some(first) = lines.first_mut() {
            first.push_str(mark);
        }
        Pict::from_lines(lines, self.baseline, prec)
    }

    /// A mark such as `√` or `-` to the left, on the baseline.
    pub fn prefixed(&self, mark: &str, prec: Prec) -> Pict {
        Pict::row(&[Pict::atom(mark), self.clone()], prec)
    }

    /// This picture inside brackets as tall as it is.
    pub fn bracketed(&self, kind: Bracket) -> Pict {
        let h = self.height();
        let [l, r] = kind.glyphs(h);
        let column = |g: [char; 3]| {
            let lines = (0..h)
                .map(|i| match i {
                    0 => g[0],
                    _ if i + 1 == h => g[2],
                    _ => g[1],
                })
                .map(String::from)
                .collect();
            Pict::from_lines(lines, self.baseline, Prec::Atom)
        };
        Pict::row(&[column(l), self.clone(), column(r)], Prec::Atom)
    }

    /// In round brackets when its binding is weaker than `min`.
    pub fn parens_below(self, min: Prec) -> Pict {
        if self.prec.needs_parens(min) {
            self.bracketed(Bracket::Round)
        } else {
            self
        }
    }

    /// A radical over this picture: `√x` for a one-column line, else an
    /// overlined form whose diagonal spans the full height (SymPy's layout).
    pub fn sqrt(&self) -> Pict {
        if self.height() == 1 && self.width <= 1 {
            return self.prefixed("√", Prec::Atom);
        }
        let h = self.height();
        let bar = Pict::atom(&"_".repeat(self.width + 2));
        let body = Pict::stack(&[&bar, self], self.baseline + 1, Prec::Atom);
        let mut sign: Vec<String> = vec![String::new()];
        sign.extend((1..h).map(|i| format!("{}╱{}", spaces(h + 1 - i), spaces(i - 1))));
        sign.push(format!("╲╱{}", spaces(h - 1)));
        let sign = Pict::from_lines(sign, self.baseline + 1, Prec::Atom);
        Pict::row(&[sign, body], Prec::Atom)
    }

    /// Entries in aligned columns two spaces apart, rows one blank line
    /// apart, each entry centred in its column; the baseline is the middle row.
    pub fn grid(rows: &[Vec<Pict>]) -> Pict {
        let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..cols)
            .map(|j| {
                rows.iter()
                    .filter_map(|r| r.get(j))
                    .map(|p| p.width)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut lines = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                lines.push(String::new());
            }
            lines.extend(Rc::unwrap_or_clone(Pict::grid_row(row, &widths).lines));
        }
        let mid = lines.len() / 2;
        Pict::from_lines(lines, mid, Prec::Atom)
    }

    fn grid_row(row: &[Pict], widths: &[usize]) -> Pict {
        let mut parts = Vec::new();
        for (j, (p, &w)) in row.iter().zip(widths).enumerate() {
            if j > 0 {
                parts.push(Pict::atom("  "));
            }
            let left = (w - p.width) / 2;
            parts.push(Pict::row(
                &[
                    Pict::atom(&spaces(left)),
                    p.clone(),
                    Pict::atom(&spaces(w - p.width - left)),
                ],
                Prec::Atom,
            ));
        }
        Pict::row(&parts, Prec::Atom)
    }

    /// The lines joined by newlines, without trailing spaces.
    pub fn render(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|l| l.trim_end()).collect();
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    fn a(s: &str) -> Pict {
        Pict::atom(s)
    }

    #[test]
    fn fraction_centres_and_puts_the_bar_on_the_baseline() {
        let f = Pict::fraction(&a("1"), &a("x + 1"));
        let p = Pict::row(&[a("y + "), f], Prec::Add);
        expect![[r#"
                  1
            y + ─────
                x + 1"#]]
        .assert_eq(&p.render());
    }

    #[test]
    fn brackets_grow_with_their_content() {
        let f = Pict::fraction(&a("x"), &a("y"));
        expect![[r#"
            ⎛x⎞ ⎡x⎤ │x│
            ⎜─⎟ ⎢─⎥ │─│
            ⎝y⎠ ⎣y⎦ │y│"#]]
        .assert_eq(
            &Pict::row(
                &[
                    f.bracketed(Bracket::Round),
                    a(" "),
                    f.bracketed(Bracket::Square),
                    a(" "),
                    f.bracketed(Bracket::Bar),
                ],
                Prec::Atom,
            )
            .render(),
        );
        assert_eq!(a("x").bracketed(Bracket::Round).render(), "(x)");
    }

    #[test]
    fn powers_sit_above_the_top_right_corner() {
        let p = Pict::power(&a("x").bracketed(Bracket::Round), &a("2"));
        let q = Pict::row(&[a("y⋅"), p], Prec::Mul);
        expect![[r#"
                 2
            y⋅(x)"#]]
        .assert_eq(&q.render());
    }

    #[test]
    fn radicals_overline_wide_or_tall_content() {
        assert_eq!(a("x").sqrt().render(), "√x");
        expect![[r#"
              _______
            ╲╱ x + 1"#]]
        .assert_eq(&a("x + 1").sqrt().render());
        expect![[r#"
                ___
               ╱ x
              ╱  ─
            ╲╱   y"#]]
        .assert_eq(&Pict::fraction(&a("x"), &a("y")).sqrt().render());
    }

    #[test]
    fn grid_aligns_columns_and_centres_entries() {
        let rows = vec![vec![a("26"), a("100")], vec![a("2"), a("6")]];
        expect![[r#"
            ⎡26  100⎤
            ⎢       ⎥
            ⎣2    6 ⎦"#]]
        .assert_eq(&Pict::grid(&rows).bracketed(Bracket::Square).render());
    }

    #[test]
    fn widths_count_terminal_columns() {
        assert_eq!(str_width("W₀₁ᵀ⋅ℯ"), 6);
        assert_eq!(str_width("e\u{301}"), 1);
        assert_eq!(str_width("数x"), 3);
        let p = Pict::row(&[a("数"), Pict::fraction(&a("a"), &a("bcd"))], Prec::Mul);
        assert!(p.lines.iter().all(|l| str_width(l) == p.width()));
    }
}
