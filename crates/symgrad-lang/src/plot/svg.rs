//! A figure as an SVG file (plotters): title, labelled axes, the curve in
//! blue, a path in red with its points as dots, its start as a green disc and
//! its end as a black square.

use super::Figure;
use super::terminal::clip;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

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
    let mut chart = ChartBuilder::on(root)
        .caption(clip(title, TITLE_WIDTH), ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(55)
        .y_label_area_size(80)
        .build_cartesian_2d(xlo..xhi, ylo..yhi)?;
    chart
        .configure_mesh()
        .x_desc(clip(x_label, LABEL_WIDTH))
        .y_desc(clip(y_label, LABEL_WIDTH))
        .axis_desc_style(("sans-serif", 18))
        .label_style(("sans-serif", 14))
        .draw()?;
    Ok(chart)
}

/// The y range a figure's chart shows: its values with a margin.
pub(crate) fn shown_y_range(figure: &Figure) -> (f64, f64) {
    let (ylo, yhi) = figure.y_range();
    let margin = (yhi - ylo) / 20.0;
    (ylo - margin, yhi + margin)
}

/// The SVG text of `figure`.
pub(crate) fn render(figure: &Figure) -> Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        let mut chart = chart(
            &root,
            &figure.title,
            (&figure.x_label, &figure.y_label),
            figure.x_range,
            shown_y_range(figure),
        )
        .map_err(|e| e.to_string())?;
        chart.draw_series(LineSeries::new(
            figure.curve.iter().copied(),
            BLUE.stroke_width(2),
        ))?;
        if let (Some(&first), Some(&last)) = (figure.path.first(), figure.path.last()) {
            chart.draw_series(LineSeries::new(
                figure.path.iter().copied(),
                RED.stroke_width(2),
            ))?;
            chart.draw_series(figure.path.iter().map(|&p| Circle::new(p, 3, RED.filled())))?;
            chart.draw_series([
                EmptyElement::at(last) + Rectangle::new([(-6, -6), (6, 6)], BLACK.filled())
            ])?;
            chart.draw_series([Circle::new(first, 7, GREEN.filled())])?;
        }
        root.present()?;
    }
    Ok(svg)
}
