//! A figure as a braille chart for the terminal (textplots).

use super::contour::{ContourFigure, Polyline};
use super::{Figure, distinct_labels, fraction};
use textplots::{Chart, LabelBuilder, LabelFormat, Plot, Shape};

/// The marks of a path's first and last points.
pub(crate) const START: char = '●';
pub(crate) const END: char = '■';

/// `figure` drawn in `width` terminal columns: a title line, the chart with
/// the value range on the right, the x range and label below, and for a path
/// a line naming its marks.
pub(crate) fn draw(figure: &Figure, width: usize) -> String {
    let ranges = (figure.x_range, figure.y_range());
    let curve = points(&figure.curve, ranges);
    let path = points(&figure.path, ranges);
    let shapes = [Shape::Lines(&curve), Shape::Lines(&path)];
    let rows = (width / 5).clamp(6, 24);
    let title = if figure.y_label == figure.title {
        figure.title.clone()
    } else {
        format!("{} = {}", figure.y_label, figure.title)
    };
    let mut out = chart(
        &shapes,
        &title,
        ranges,
        &figure.x_label,
        (width, rows),
        &figure.path,
    );
    if let (Some(first), Some(last)) = (figure.path.first(), figure.path.last()) {
        let x = &figure.x_label;
        let points = format!("path: {}", count(figure.path.len(), "point"));
        let ends = format!(
            "{START} start {x} = {}, {END} end {x} = {}",
            tick(first.0),
            tick(last.0)
        );
        // On one line when it fits the width, else on two.
        let sep = if points.chars().count() + 2 + ends.chars().count() <= width {
            ", "
        } else {
            ",\n"
        };
        out.push_str(&format!("\n{points}{sep}{ends}"));
    }
    if figure.path_skipped > 0 {
        let (x_lo, x_hi) = range_ticks(figure.x_range);
        out.push_str(&format!(
            "\n({} outside [{}, {}] or not finite left out)",
            count(figure.path_skipped, "path point"),
            x_lo,
            x_hi
        ));
    }
    out
}

/// The contour lines of `figure` as a braille chart in `width` columns:
/// the title, the chart with the second coordinate's range on the right,
/// the first's below, the levels (every other one of the SVG's), and for a
/// path a line naming its marks.
pub(crate) fn draw_contours(figure: &ContourFigure, width: usize) -> String {
    // Every other level: braille cells are too coarse for all of them.
    let shown: Vec<&(f64, Vec<Polyline>)> = figure.lines.iter().skip(1).step_by(2).collect();
    let ranges = (figure.x_range, figure.y_range);
    let pieces: Vec<Vec<(f32, f32)>> = shown
        .iter()
        .flat_map(|(_, pieces)| pieces.iter().map(|p| points(p, ranges)))
        .collect();
    let path = points(&figure.path, ranges);
    let mut shapes: Vec<Shape> = pieces.iter().map(|p| Shape::Lines(p)).collect();
    shapes.push(Shape::Lines(&path));
    let rows = (width / 4).clamp(8, 30);
    let mut out = chart(
        &shapes,
        &figure.title,
        ranges,
        &figure.x_label,
        (width, rows),
        &figure.path,
    );
    let values: Vec<f64> = shown.iter().map(|(l, _)| *l).collect();
    let levels = distinct_labels(&values, 4, tick_digits);
    out.push_str(&format!(
        "\n{}, {} on the right",
        clip(
            &format!("levels {}", levels.join(", ")),
            width.saturating_sub(20)
        ),
        figure.y_label
    ));
    if let (Some(first), Some(last)) = (figure.path.first(), figure.path.last()) {
        out.push_str(&format!(
            "\npath: {}, {START} start [{}, {}], {END} end [{}, {}]",
            count(figure.path.len(), "point"),
            tick(first.0),
            tick(first.1),
            tick(last.0),
            tick(last.1)
        ));
    }
    if figure.path_skipped > 0 {
        out.push_str(&format!(
            "\n({} outside the box left out)",
            count(figure.path_skipped, "path point")
        ));
    }
    out
}

/// Points as textplots takes them (f32), on the axes of the ranges `(x,
/// y)` (see [`Axis`]).
fn points(ps: &[(f64, f64)], (x, y): ((f64, f64), (f64, f64))) -> Vec<(f32, f32)> {
    let (x, y) = (Axis::of(x), Axis::of(y));
    ps.iter().map(|&(px, py)| (x.at(px), y.at(py))).collect()
}

/// A range as textplots draws it, in f32: divided by its width, with 0
/// where it was when the range holds 0 (textplots draws its axis lines at
/// 0), else from 1 to 2 (or −2 to −1), away from 0 as the range is. Values
/// past f32's range, or closer together than its precision, still draw:
/// `exp` on [0, 800] reaches 10³⁰⁷, and 1000 + w/1000 on [0, 1] spans 16
/// steps of f32.
#[derive(Clone, Copy)]
struct Axis {
    range: (f64, f64),
    /// Where the range's low end is drawn.
    start: f64,
}

impl Axis {
    fn of((lo, hi): (f64, f64)) -> Axis {
        let start = if lo > 0.0 {
            1.0
        } else if hi < 0.0 {
            -2.0
        } else {
            -fraction(0.0, (lo, hi))
        };
        Axis {
            range: (lo, hi),
            start,
        }
    }

    /// Where `v` is drawn.
    fn at(self, v: f64) -> f32 {
        (self.start + fraction(v, self.range)) as f32
    }

    /// Where the ends of the range are drawn.
    fn ends(self) -> (f32, f32) {
        (self.at(self.range.0), self.at(self.range.1))
    }
}

/// `shapes` drawn over the ranges `(x, y)` in `(width, rows)` of the
/// terminal: the title line (clipped to the width), the chart with the y
/// range on the right, marks on the cells holding the first and last points
/// of `path`, and the x range with `x_label` below.
fn chart(
    shapes: &[Shape],
    title: &str,
    (x_range, y_range): ((f64, f64), (f64, f64)),
    x_label: &str,
    (width, rows): (usize, usize),
    path: &[(f64, f64)],
) -> String {
    let (y_lo, y_hi) = range_ticks(y_range);
    let label_len = y_lo.chars().count().max(y_hi.chars().count());
    // A canvas `dots` wide is dots/2 + 1 characters, then a space and a label.
    let columns = width.saturating_sub(label_len + 2).max(17);
    let dots_x = 2 * (columns - 1);
    let dots_y = 4 * (rows - 1);
    // The points are on the axes of the ranges (see [`points`]); textplots
    // labels the ends of the y range.
    let ((x0, x1), (y0, y1)) = (Axis::of(x_range).ends(), Axis::of(y_range).ends());
    let mut canvas = Chart::new_with_y_range(dots_x as u32, dots_y as u32, x0, x1, y0, y1);
    let mut canvas = canvas
        .x_label_format(LabelFormat::None)
        .y_label_format(LabelFormat::Custom(Box::new(move |v| {
            if v > (y0 + y1) / 2.0 {
                y_hi.clone()
            } else {
                y_lo.clone()
            }
        })));
    for shape in shapes {
        canvas = canvas.lineplot(shape);
    }
    canvas.axis();
    canvas.figures();
    let mut lines: Vec<Vec<char>> = canvas
        .to_string()
        .lines()
        .map(|l| l.chars().collect())
        .collect();
    lines.pop(); // textplots' x labels, replaced below

    let cell = |(x, y): (f64, f64)| {
        let i = (fraction(x, x_range) * dots_x as f64).round() as usize;
        let j = (fraction(y, y_range) * dots_y as f64).round() as usize;
        ((dots_y - j.min(dots_y)) / 4, i.min(dots_x) / 2)
    };
    if let (Some(&first), Some(&last)) = (path.first(), path.last()) {
        for (p, mark) in [(first, START), (last, END)] {
            let (row, col) = cell(p);
            if let Some(c) = lines.get_mut(row).and_then(|l| l.get_mut(col)) {
                *c = mark;
            }
        }
    }
    let mut out = clip(title, width);
    out.push('\n');
    for l in &lines {
        out.extend(l.iter());
        out.push('\n');
    }
    let (x_lo, x_hi) = range_ticks(x_range);
    out.push_str(&x_axis_line(&x_lo, x_label, &x_hi, columns));
    out
}

/// `n thing` or `n things`.
fn count(n: usize, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

/// `lo` at the left, `label` in the middle and `hi` at the right of `columns`.
fn x_axis_line(lo: &str, label: &str, hi: &str, columns: usize) -> String {
    let len = |s: &str| s.chars().count();
    let room = columns.saturating_sub(len(lo) + len(label) + len(hi));
    let left = (columns / 2)
        .saturating_sub(len(lo) + len(label) / 2)
        .min(room);
    format!(
        "{lo}{}{label}{}{hi}",
        " ".repeat(left.max(1)),
        " ".repeat((room - left).max(1))
    )
}

/// `s` cut to `width` characters, with `…` when cut.
pub(crate) fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A short axis label: up to 4 significant digits, exponent form when large
/// or small.
pub(crate) fn tick(v: f64) -> String {
    tick_digits(v, 4)
}

/// The labels of the ends of a range: [`tick`]'s, or with more digits where
/// those read alike (`1000` and `1000.001`, not `1000` and `1000`).
fn range_ticks((lo, hi): (f64, f64)) -> (String, String) {
    let labels = distinct_labels(&[lo, hi], 4, tick_digits);
    (labels[0].clone(), labels[1].clone())
}

/// `v` with up to `digits` significant digits (at least 3), in exponent
/// form when large or small.
fn tick_digits(v: f64, digits: usize) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let magnitude = v.abs().log10().floor();
    if !(-3.0..5.0).contains(&magnitude) {
        return format!("{v:.*e}", digits.max(3) - 2);
    }
    let decimals = (digits as f64 - 1.0 - magnitude).max(0.0) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" { "0".into() } else { s.into() }
}

#[cfg(test)]
mod tests {
    use super::{clip, tick};

    #[test]
    fn ticks_are_short() {
        let got: Vec<String> = [
            0.0, 4.0, -2.5, 0.1234567, 1234.5678, 123456.0, 1e-5, -0.00004,
        ]
        .iter()
        .map(|&v| tick(v))
        .collect();
        assert_eq!(
            got,
            [
                "0", "4", "-2.5", "0.1235", "1235", "1.23e5", "1.00e-5", "-4.00e-5"
            ]
        );
    }

    #[test]
    fn long_titles_are_cut() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
