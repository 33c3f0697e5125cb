//! A figure as an SVG file (plotters for the chart): title, labelled axes,
//! the curve in blue, a path in red with its points as dots, its start as a
//! green disc and its end as a black square.

use super::Figure;
use super::terminal::clip;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::fmt::Write;
use std::hash::{Hash, Hasher};
use symgrad::format_float;

/// The longest title and axis label shown, in characters (longer ones are
/// cut with `…`).
const TITLE_WIDTH: usize = 60;
const LABEL_WIDTH: usize = 40;

/// The picture's size in pixels.
pub(crate) const SIZE: (u32, u32) = (800, 600);

/// Writes `figure` to the SVG file `name`; the error names the file.
pub(crate) fn write(figure: &Figure, name: &str) -> Result<(), String> {
    let svg = render(figure).map_err(|e| format!("cannot draw the plot: {e}"))?;
    save(&svg, name)
}

/// Writes the SVG text `svg` to the file `name`; the error names the file.
pub(crate) fn save(svg: &str, name: &str) -> Result<(), String> {
    std::fs::write(name, svg).map_err(|e| format!("cannot write {name}: {e}"))
}

/// A chart of `figure`'s axes on `root`: white, titled, the axes labelled.
pub(crate) type Chart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The chart on `root` with title, ranges and axis labels (no data yet).
pub(crate) fn chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    (x_label, y_label): (&str, &str),
    (xlo, xhi): (f64, f64),
    (ylo, yhi): (f64, f64),
) -> Result<Chart<'a, 'b>, Box<dyn std::error::Error + 'b>> {
    root.fill(&WHITE)?;
    let (x_tick, y_tick) = (tick_label((xlo, xhi)), tick_label((ylo, yhi)));
    // Room for the longest tick label on the y axis (about 8 pixels a
    // character at 14 pixels) beside the axis's name, so they do not
    // overlap, and on the right for half the last x label, centred on the
    // axis's end.
    let widest = |tick: &dyn Fn(&f64) -> String, (lo, hi): (f64, f64)| {
        [lo, lo / 2.0 + hi / 2.0, hi]
            .iter()
            .map(|v| tick(v).chars().count() as u32)
            .max()
            .unwrap_or(0)
    };
    let mut chart = ChartBuilder::on(root)
        .caption(clip(title, TITLE_WIDTH), ("sans-serif", 22))
        .margin(15)
        .margin_right((4 * widest(&x_tick, (xlo, xhi)) + 4).clamp(15, 60))
        .x_label_area_size(55)
        .y_label_area_size((40 + 8 * widest(&y_tick, (ylo, yhi))).clamp(80, 200))
        .build_cartesian_2d(xlo..xhi, ylo..yhi)?;
    chart
        .configure_mesh()
        .x_label_formatter(&x_tick)
        .y_label_formatter(&y_tick)
        .x_desc(clip(x_label, LABEL_WIDTH))
        .y_desc(clip(y_label, LABEL_WIDTH))
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 14))
        .draw()?;
    Ok(chart)
}

/// The labels of ticks on an axis over `(lo, hi)`. Between 10⁻⁴ and 10⁶,
/// positional with one number of decimals for the whole axis, enough for
/// ticks a tenth of the range apart (`200`, `1000`, `1200`; `1000.0001`,
/// `1000.0002`); past them, in exponent form with the digits that tell such
/// ticks apart (`2e307`). plotters' own labels keep five decimals at most,
/// so ticks 10⁻⁶ apart all read `0.0`, and print 10³⁰⁰ in 300 digits. A
/// tick a rounding error from 0 is 0, not `-0.0`.
fn tick_label((lo, hi): (f64, f64)) -> impl Fn(&f64) -> String {
    let spacing = (hi / 10.0 - lo / 10.0).abs();
    let top = lo.abs().max(hi.abs());
    let positional = (1e-4..1e6).contains(&top);
    let decimals = (-spacing.log10()).ceil().clamp(0.0, 15.0) as usize;
    let digits =
        (top.log10().ceil() - (spacing / 2.0).log10().floor() + 1.0).clamp(1.0, 15.0) as usize;
    move |&v: &f64| {
        let v = if v.abs() <= spacing * 1e-6 { 0.0 } else { v };
        if positional {
            format!("{v:.decimals$}")
        } else {
            format_float(v, digits)
        }
    }
}

/// The y range a figure's chart shows: its values with a margin (halves
/// taken first, so that values near the largest float do not overflow).
pub(crate) fn shown_y_range(figure: &Figure) -> (f64, f64) {
    let (ylo, yhi) = figure.y_range();
    let margin = (yhi / 2.0 - ylo / 2.0) / 10.0;
    ((ylo - margin).max(f64::MIN), (yhi + margin).min(f64::MAX))
}

/// The SVG text of `figure`.
pub(crate) fn render(figure: &Figure) -> Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let chart = chart(
            &root,
            &figure.title,
            (&figure.x_label, &figure.y_label),
            figure.x_range,
            shown_y_range(figure),
        )
        .map_err(|e| e.to_string())?;
        let canvas = Canvas::of(&chart);
        let mut drawn = Overlay::on(&canvas);
        drawn.push(canvas.polyline(&figure.curve, "#0000FF", 2));
        path(&canvas, &figure.path, &mut drawn);
        root.present()?;
        drawn
    };
    Ok(drawn.insert_into(svg))
}

/// A path drawn still: a red line through red dots, the start a green
/// disc, the end a black square.
pub(crate) fn path(canvas: &Canvas, path: &[(f64, f64)], drawn: &mut Overlay) {
    let (Some(&first), Some(&last)) = (path.first(), path.last()) else {
        return;
    };
    drawn.push(canvas.polyline(path, "#FF0000", 2));
    for &p in path {
        drawn.push(canvas.dot(p, 3, "#FF0000"));
    }
    drawn.push(canvas.end_mark(last));
    drawn.push(canvas.dot(first, 7, "#00FF00"));
}

/// Where a chart puts its values, to a hundredth of a pixel: plotters
/// rounds the points of its own lines to whole pixels, which shows as
/// steps along a smooth curve.
pub(crate) struct Canvas {
    /// The axis ranges and the pixels they span: left to right, bottom to
    /// top.
    x: ((f64, f64), (f64, f64)),
    y: ((f64, f64), (f64, f64)),
    /// The plotting area in pixels: x, y, width, height.
    pub(crate) area: (i32, i32, i32, i32),
}

impl Canvas {
    /// The pixels of `chart`'s plotting area, mapped as plotters maps them.
    pub(crate) fn of(chart: &Chart<'_, '_>) -> Canvas {
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        let (xr, yr) = (chart.x_range(), chart.y_range());
        let (left, right) = (f64::from(xs.start), f64::from(xs.end - 1));
        let (top, bottom) = (f64::from(ys.start), f64::from(ys.end - 1));
        Canvas {
            x: ((xr.start, xr.end), (left, right)),
            y: ((yr.start, yr.end), (bottom, top)),
            area: (xs.start, ys.start, xs.end - xs.start, ys.end - ys.start),
        }
    }

    /// The pixel of the point `(x, y)`.
    pub(crate) fn at(&self, (x, y): (f64, f64)) -> (f64, f64) {
        let map = |(range, (from, to)): ((f64, f64), (f64, f64)), v: f64| {
            from + (to - from) * super::fraction(v, range)
        };
        (map(self.x, x), map(self.y, y))
    }

    /// A line through `points` (see [`thinned`]).
    pub(crate) fn polyline(&self, points: &[(f64, f64)], colour: &str, width: u32) -> String {
        let pixels: Vec<(f64, f64)> = points.iter().map(|&p| self.at(p)).collect();
        let mut line = format!(
            r#"<polyline fill="none" stroke="{colour}" stroke-width="{width}" stroke-linejoin="round" points=""#
        );
        for (x, y) in thinned(&pixels) {
            let _ = write!(line, "{x:.2},{y:.2} ");
        }
        line.push_str(r#""/>"#);
        line
    }

    /// A straight line from the point `a` to the point `b`.
    pub(crate) fn line(&self, a: (f64, f64), b: (f64, f64), colour: &str, width: u32) -> String {
        let ((x1, y1), (x2, y2)) = (self.at(a), self.at(b));
        format!(
            r#"<line x1="{x1:.2}" y1="{y1:.2}" x2="{x2:.2}" y2="{y2:.2}" stroke="{colour}" stroke-width="{width}"/>"#
        )
    }

    /// The mark of a path's end at the point `p`: a black square.
    pub(crate) fn end_mark(&self, p: (f64, f64)) -> String {
        let (x, y) = self.at(p);
        format!(
            r##"<rect x="{:.2}" y="{:.2}" width="12" height="12" fill="#000000"/>"##,
            x - 6.0,
            y - 6.0
        )
    }

    /// A filled circle of radius `r` pixels at the point `p`.
    pub(crate) fn dot(&self, p: (f64, f64), r: u32, colour: &str) -> String {
        let (x, y) = self.at(p);
        format!(r#"<circle cx="{x:.2}" cy="{y:.2}" r="{r}" fill="{colour}"/>"#)
    }
}

/// A line (in pixels) that runs left to right with more points than four
/// a pixel column on average, cut to the first, lowest, highest and last
/// point of each column, in their order: it covers the same pixels, and
/// the loss of every step of a long `sgd` run is a picture of kilobytes,
/// not megabytes. Other lines (paths, contour lines) are kept whole.
fn thinned(line: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let span = line.last().map_or(0.0, |l| l.0) - line.first().map_or(0.0, |f| f.0);
    let rightward = line.windows(2).all(|w| w[0].0 <= w[1].0);
    if !rightward || (line.len() as f64) <= 4.0 * (span + 1.0) {
        return line.to_vec();
    }
    let mut kept = Vec::new();
    let mut first = 0;
    for column in line.chunk_by(|a, b| a.0.floor() == b.0.floor()) {
        let by_y = |a: &(usize, &(f64, f64)), b: &(usize, &(f64, f64))| a.1.1.total_cmp(&b.1.1);
        let low = column.iter().enumerate().min_by(by_y).map_or(0, |(k, _)| k);
        let high = column.iter().enumerate().max_by(by_y).map_or(0, |(k, _)| k);
        let mut picks = [0, low, high, column.len() - 1];
        picks.sort_unstable();
        let mut previous = None;
        for k in picks {
            if previous != Some(k) {
                kept.push(line[first + k]);
                previous = Some(k);
            }
        }
        first += column.len();
    }
    kept
}

/// SVG elements added after a chart (drawn over it, in order), clipped to
/// its plotting area.
pub(crate) struct Overlay {
    /// The plotting area in pixels: x, y, width, height.
    clip: (i32, i32, i32, i32),
    elements: String,
}

impl Overlay {
    /// No elements yet, over the plotting area of `canvas`.
    pub(crate) fn on(canvas: &Canvas) -> Overlay {
        Overlay {
            clip: canvas.area,
            elements: String::new(),
        }
    }

    pub(crate) fn push(&mut self, element: impl AsRef<str>) {
        self.elements.push_str(element.as_ref());
        self.elements.push('\n');
    }

    /// `svg` with the elements added last. The clip's id is the picture's
    /// own (a hash of its text): pictures shown inline in one page (a
    /// notebook) share one namespace of ids, and one picture's
    /// `url(#id)` must not find another's.
    pub(crate) fn insert_into(self, mut svg: String) -> String {
        let Some(end) = svg.rfind("</svg>").filter(|_| !self.elements.is_empty()) else {
            return svg;
        };
        let (x, y, w, h) = self.clip;
        let mut hasher = std::hash::DefaultHasher::new();
        (&svg, &self.elements).hash(&mut hasher);
        let id = format!("plot-area-{:016x}", hasher.finish());
        let mut block = format!(
            "<defs><clipPath id=\"{id}\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/></clipPath></defs>\n<g class=\"data\" clip-path=\"url(#{id})\">\n"
        );
        block.push_str(&self.elements);
        block.push_str("</g>\n");
        svg.insert_str(end, &block);
        svg
    }
}
