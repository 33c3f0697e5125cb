//! Descents as SVG pictures (plotters for the chart), animated with SMIL:
//! each step shows at its moment (no script), the points visited so far
//! staying, the current step's tangent (1-D) and caption only during it;
//! the animation repeats. Contour plots (2-D) are drawn here too, still
//! or animated.

use super::Figure;
use super::contour::ContourFigure;
use super::svg::{Canvas, Overlay, chart, shown_y_range};
use plotters::prelude::*;
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
    let frames = {
        let root = SVGBackend::with_string(&mut svg, super::svg::SIZE).into_drawing_area();
        let chart = chart(
            &root,
            &figure.title,
            (&figure.x_label, &figure.y_label),
            figure.x_range,
            shown_y_range(figure),
        )
        .map_err(|e| e.to_string())?;
        let canvas = Canvas::of(&chart);
        let area = canvas.area;
        let mut frames = Frames::new(figure.path.len(), Overlay::on(&canvas));
        frames.from(0, &canvas.polyline(&figure.curve, "#0000FF", 2));
        let (xlo, xhi) = figure.x_range;
        let reach = (xhi - xlo) / 8.0;
        let w = &figure.x_label;
        for (k, &at) in frames.shown.clone().iter().enumerate() {
            let (x, y) = figure.path[at];
            let slope = figure.slopes.get(at).copied().unwrap_or(f64::NAN);
            if k > 0 {
                let before = figure.path[frames.shown[k - 1]];
                frames.from(k, &canvas.line(before, (x, y), "#FF0000", 2));
            }
            frames.from(k, &canvas.dot((x, y), 4, "#FF0000"));
            if slope.is_finite() {
                let (a, b) = (
                    (x - reach, y - slope * reach),
                    (x + reach, y + slope * reach),
                );
                let tangent = canvas.line(a, b, "#FF8C00", 3);
                frames.during(k, &tangent.replacen("<line", r#"<line class="tangent""#, 1));
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
            frames.from(0, &canvas.dot(first, 7, "#00FF00"));
            frames.from(last_frame, &canvas.end_mark(last));
        }
        root.present()?;
        frames
    };
    Ok(frames.insert_into(svg))
}

/// The contour lines of `figure`, each level in its own colour (blue for
/// the lowest to red for the highest) and labelled with its value, and the
/// path on them: all at once, or step by step when `animated`.
pub(crate) fn contours(figure: &ContourFigure, animated: bool) -> Drawn {
    let mut svg = String::new();
    let frames = {
        let root = SVGBackend::with_string(&mut svg, super::svg::SIZE).into_drawing_area();
        let chart = chart(
            &root,
            &figure.title,
            (&figure.x_label, &figure.y_label),
            figure.x_range,
            figure.y_range,
        )
        .map_err(|e| e.to_string())?;
        let canvas = Canvas::of(&chart);
        let area = canvas.area;
        let points = if animated { figure.path.len() } else { 0 };
        let mut frames = Frames::new(points, Overlay::on(&canvas));
        let n = figure.lines.len().max(2) - 1;
        let levels: Vec<f64> = figure.lines.iter().map(|(level, _)| *level).collect();
        let labels = super::distinct_labels(&levels, 3, format_float);
        for (k, ((_, pieces), label)) in figure.lines.iter().zip(&labels).enumerate() {
            let RGBAColor(r, g, b, _) =
                HSLColor(0.66 * (1.0 - k as f64 / n as f64), 0.85, 0.42).to_rgba();
            let colour = format!("#{r:02X}{g:02X}{b:02X}");
            for piece in pieces {
                frames.drawn.push(canvas.polyline(piece, &colour, 1));
            }
            // The label at the middle of the level's longest line.
            if let Some(longest) = pieces.iter().max_by_key(|p| p.len()) {
                let (x, y) = canvas.at(longest[longest.len() / 2]);
                frames.drawn.push(format!(
                    r#"<text x="{x:.2}" y="{y:.2}" dy="0.76em" font-family="sans-serif" font-size="12" fill="{colour}">{}</text>"#,
                    escape(label)
                ));
            }
        }
        if !animated {
            super::svg::path(&canvas, &figure.path, &mut frames.drawn);
        } else {
            let name = figure.x_label.trim_end_matches("[0]");
            for (k, &at) in frames.shown.clone().iter().enumerate() {
                let (x, y) = figure.path[at];
                if k > 0 {
                    let before = figure.path[frames.shown[k - 1]];
                    frames.from(k, &canvas.line(before, (x, y), "#FF0000", 2));
                }
                frames.from(k, &canvas.dot((x, y), 3, "#FF0000"));
                frames.during(k, &canvas.dot((x, y), 6, "#FF8C00"));
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
                frames.from(0, &canvas.dot(first, 7, "#00FF00"));
            }
        }
        root.present()?;
        frames
    };
    Ok(frames.insert_into(svg))
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
    /// The chart's data, the animated elements included.
    drawn: Overlay,
}

impl Frames {
    /// The frames of a path of `points` points, drawn into `drawn`.
    fn new(points: usize, drawn: Overlay) -> Frames {
        let shown: Vec<usize> = if points <= MAX_FRAMES {
            (0..points).collect()
        } else {
            (0..MAX_FRAMES)
                .map(|k| k * (points - 1) / (MAX_FRAMES - 1))
                .collect()
        };
        let step = (DURATION / shown.len().max(1) as f64).clamp(STEP_TIME.0, STEP_TIME.1);
        Frames { shown, step, drawn }
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
            self.drawn.push(element);
            return;
        }
        self.group(element, "hidden;visible", &format!("0;{:.6}", self.time(k)));
    }

    /// `element`, shown during frame `k` only (the last frame: to the end).
    fn during(&mut self, k: usize, element: &str) {
        let last = k + 1 == self.shown.len();
        let (values, times) = match (k, last) {
            (0, true) => {
                self.drawn.push(element);
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
        self.drawn.push(format!(
            r#"<g visibility="hidden"><animate attributeName="visibility" calcMode="discrete" values="{values}" keyTimes="{times}" dur="{:.3}s" repeatCount="indefinite"/>{element}</g>"#,
            self.cycle()
        ));
    }

    /// `svg` with the chart's data added last (drawn on top), clipped to
    /// the plotting area.
    fn insert_into(self, svg: String) -> String {
        self.drawn.insert_into(svg)
    }
}
