//! Descents as SVG pictures (plotters for the chart), animated with SMIL:
//! each step shows at its moment (no script), the points visited so far
//! staying, the current step's tangent (1-D) and caption only during it;
//! the animation repeats. Contour plots (2-D) are drawn here too, still
//! or animated.

use super::Figure;
use super::contour::ContourFigure;
use super::svg::{Chart, chart, shown_y_range};
use plotters::prelude::*;
use std::fmt::Write;
use symgrad::format_float;

/// The whole animation takes about this long, in seconds ...
const DURATION: f64 = 12.0;
/// ... with each step shown at least and at most this long.
const STEP_TIME: (f64, f64) = (0.15, 0.8);
/// The last frame is held for this many steps' time before it repeats.
const HOLD: usize = 3;
/// Steps drawn at most: longer paths are thinned evenly (first and last kept).
const MAX_FRAMES: usize = 200;

type Drawn = Result<String, Box<dyn std::error::Error>>;

/// The descent of `figure` (its path, with the slope at each point) as an
/// animated SVG: the curve, and at step k the point, the tangent line there
/// and a caption `step k: w = …, f = …, f′ = …`.
pub(crate) fn descent(figure: &Figure) -> Drawn {
    let mut svg = String::new();
    let mut frames = Frames::new(figure.path.len());
    {
        let root = SVGBackend::with_string(&mut svg, super::svg::SIZE).into_drawing_area();
        let chart = chart(
            &root,
            &figure.title,
            (&figure.x_label, &figure.y_label),
            figure.x_range,
            shown_y_range(figure),
        )
        .map_err(|e| e.to_string())?;
        let mut chart = chart;
        chart.draw_series(LineSeries::new(
            figure.curve.iter().copied(),
            BLUE.stroke_width(2),
        ))?;
        let area = plot_area(&chart);
        frames.clip = Some(area);
        let (xlo, xhi) = figure.x_range;
        let reach = (xhi - xlo) / 8.0;
        let w = &figure.x_label;
        for (k, &at) in frames.shown.clone().iter().enumerate() {
            let (x, y) = figure.path[at];
            let slope = figure.slopes.get(at).copied().unwrap_or(f64::NAN);
            let p = chart.backend_coord(&(x, y));
            if k > 0 {
                let (px, py) = figure.path[frames.shown[k - 1]];
                let q = chart.backend_coord(&(px, py));
                frames.from(
                    k,
                    &format!(
                        r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#FF0000" stroke-width="2"/>"##,
                        q.0, q.1, p.0, p.1
                    ),
                );
            }
            frames.from(k, &dot(p, 4, "#FF0000"));
            if slope.is_finite() {
                let a = chart.backend_coord(&(x - reach, y - slope * reach));
                let b = chart.backend_coord(&(x + reach, y + slope * reach));
                frames.during(
                    k,
                    &format!(
                        r##"<line class="tangent" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#FF8C00" stroke-width="3"/>"##,
                        a.0, a.1, b.0, b.1
                    ),
                );
            }
            frames.during(
                k,
                &caption(
                    &format!(
                        "step {at}: {w} = {}, f = {}, f′ = {}",
                        format_float(x, 5),
                        format_float(y, 5),
                        format_float(slope, 4)
                    ),
                    area,
                ),
            );
        }
        if let (Some(&first), Some(&last)) = (figure.path.first(), figure.path.last()) {
            let last_frame = frames.shown.len() - 1;
            let p = chart.backend_coord(&first);
            frames.from(0, &dot(p, 7, "#00FF00"));
            let q = chart.backend_coord(&last);
            frames.from(
                last_frame,
                &format!(
                    r##"<rect x="{}" y="{}" width="12" height="12" fill="#000000"/>"##,
                    q.0 - 6,
                    q.1 - 6
                ),
            );
        }
        root.present()?;
    }
    Ok(frames.insert_into(svg))
}

/// The contour lines of `figure`, each level in its own colour (blue for
/// the lowest to red for the highest) and labelled with its value, and the
/// path on them: all at once, or step by step when `animated`.
pub(crate) fn contours(figure: &ContourFigure, animated: bool) -> Drawn {
    let mut svg = String::new();
    let mut frames = Frames::new(if animated { figure.path.len() } else { 0 });
    {
        let root = SVGBackend::with_string(&mut svg, super::svg::SIZE).into_drawing_area();
        let mut chart = chart(
            &root,
            &figure.title,
            (&figure.x_label, &figure.y_label),
            figure.x_range,
            figure.y_range,
        )
        .map_err(|e| e.to_string())?;
        let n = figure.lines.len().max(2) - 1;
        for (k, (level, pieces)) in figure.lines.iter().enumerate() {
            let colour = HSLColor(0.66 * (1.0 - k as f64 / n as f64), 0.85, 0.42);
            for piece in pieces {
                chart.draw_series(LineSeries::new(
                    piece.iter().copied(),
                    colour.stroke_width(1),
                ))?;
            }
            // The label at the middle of the level's longest line.
            if let Some(longest) = pieces.iter().max_by_key(|p| p.len()) {
                let at = longest[longest.len() / 2];
                let style = ("sans-serif", 12).into_font().color(&colour);
                chart.draw_series([Text::new(format_float(*level, 3), at, style)])?;
            }
        }
        if !animated {
            draw_path(&mut chart, &figure.path)?;
        } else {
            let area = plot_area(&chart);
            frames.clip = Some(area);
            let name = figure.x_label.trim_end_matches("[0]");
            for (k, &at) in frames.shown.clone().iter().enumerate() {
                let (x, y) = figure.path[at];
                let p = chart.backend_coord(&(x, y));
                if k > 0 {
                    let q = chart.backend_coord(&figure.path[frames.shown[k - 1]]);
                    frames.from(
                        k,
                        &format!(
                            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#FF0000" stroke-width="2"/>"##,
                            q.0, q.1, p.0, p.1
                        ),
                    );
                }
                frames.from(k, &dot(p, 3, "#FF0000"));
                frames.during(k, &dot(p, 6, "#FF8C00"));
                frames.during(
                    k,
                    &caption(
                        &format!(
                            "step {at}: {name} = [{}, {}]",
                            format_float(x, 5),
                            format_float(y, 5)
                        ),
                        area,
                    ),
                );
            }
            if let Some(&first) = figure.path.first() {
                frames.from(0, &dot(chart.backend_coord(&first), 7, "#00FF00"));
            }
        }
        root.present()?;
    }
    Ok(frames.insert_into(svg))
}

/// The path drawn still: a red line through red dots, the start a green
/// disc, the end a black square.
fn draw_path(
    chart: &mut Chart<'_, '_>,
    path: &[(f64, f64)],
) -> Result<(), Box<dyn std::error::Error>> {
    let (Some(&first), Some(&last)) = (path.first(), path.last()) else {
        return Ok(());
    };
    chart
        .draw_series(LineSeries::new(path.iter().copied(), RED.stroke_width(2)))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(path.iter().map(|&p| Circle::new(p, 3, RED.filled())))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series([EmptyElement::at(last) + Rectangle::new([(-6, -6), (6, 6)], BLACK.filled())])
        .map_err(|e| e.to_string())?;
    chart
        .draw_series([Circle::new(first, 7, GREEN.filled())])
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The plotting area of `chart` in pixels: x, y, width, height.
fn plot_area(chart: &Chart<'_, '_>) -> (i32, i32, i32, i32) {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    (xs.start, ys.start, xs.end - xs.start, ys.end - ys.start)
}

/// A filled circle.
fn dot((x, y): (i32, i32), r: u32, colour: &str) -> String {
    format!(r#"<circle cx="{x}" cy="{y}" r="{r}" fill="{colour}"/>"#)
}

/// A step's caption, at the top left of the plotting area `(x, y, …)`.
fn caption(text: &str, (x, y, _, _): (i32, i32, i32, i32)) -> String {
    format!(
        r##"<text class="caption" x="{}" y="{}" font-family="sans-serif" font-size="16" fill="#000000">{}</text>"##,
        x + 10,
        y + 22,
        escape(text)
    )
}

/// `text` with the characters XML reserves escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The animated elements of a picture, by step.
struct Frames {
    /// The path indices shown, one per frame (all, or evenly thinned).
    shown: Vec<usize>,
    /// Seconds per frame.
    step: f64,
    /// The plotting area, which clips the animated elements.
    clip: Option<(i32, i32, i32, i32)>,
    out: String,
}

impl Frames {
    fn new(points: usize) -> Frames {
        let shown: Vec<usize> = if points <= MAX_FRAMES {
            (0..points).collect()
        } else {
            (0..MAX_FRAMES)
                .map(|k| k * (points - 1) / (MAX_FRAMES - 1))
                .collect()
        };
        let step = (DURATION / shown.len().max(1) as f64).clamp(STEP_TIME.0, STEP_TIME.1);
        Frames {
            shown,
            step,
            clip: None,
            out: String::new(),
        }
    }

    /// The length of one cycle of the animation, in seconds.
    fn cycle(&self) -> f64 {
        (self.shown.len() + HOLD) as f64 * self.step
    }

    /// The moment frame `k` starts, as a fraction of the cycle.
    fn time(&self, k: usize) -> f64 {
        k as f64 * self.step / self.cycle()
    }

    /// `element`, shown from frame `k` to the end of the cycle.
    fn from(&mut self, k: usize, element: &str) {
        if k == 0 {
            self.out.push_str(element);
            self.out.push('\n');
            return;
        }
        self.group(element, "hidden;visible", &format!("0;{:.6}", self.time(k)));
    }

    /// `element`, shown during frame `k` only (the last frame: to the end).
    fn during(&mut self, k: usize, element: &str) {
        let last = k + 1 == self.shown.len();
        let (values, times) = match (k, last) {
            (0, true) => {
                self.out.push_str(element);
                self.out.push('\n');
                return;
            }
            (0, false) => (
                "visible;hidden".to_string(),
                format!("0;{:.6}", self.time(1)),
            ),
            (_, true) => (
                "hidden;visible".to_string(),
                format!("0;{:.6}", self.time(k)),
            ),
            _ => (
                "hidden;visible;hidden".to_string(),
                format!("0;{:.6};{:.6}", self.time(k), self.time(k + 1)),
            ),
        };
        self.group(element, &values, &times);
    }

    fn group(&mut self, element: &str, values: &str, times: &str) {
        let _ = writeln!(
            self.out,
            r#"<g visibility="hidden"><animate attributeName="visibility" calcMode="discrete" values="{values}" keyTimes="{times}" dur="{:.3}s" repeatCount="indefinite"/>{element}</g>"#,
            self.cycle()
        );
    }

    /// `svg` with the animated elements added last (drawn on top), clipped
    /// to the plotting area.
    fn insert_into(self, mut svg: String) -> String {
        if self.out.is_empty() {
            return svg;
        }
        let Some(end) = svg.rfind("</svg>") else {
            return svg;
        };
        let mut block = String::from("<g class=\"descent\"");
        if let Some((x, y, w, h)) = self.clip {
            block = format!(
                "<defs><clipPath id=\"plot-area\"><rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\"/></clipPath></defs>\n{block} clip-path=\"url(#plot-area)\""
            );
        }
        block.push_str(">\n");
        block.push_str(&self.out);
        block.push_str("</g>\n");
        svg.insert_str(end, &block);
        svg
    }
}
