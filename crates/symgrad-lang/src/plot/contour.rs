//! `plot(f, v, lo, hi, …)` for a symbol `v` of two elements: the contour
//! lines of `f` over the box `[lo, hi]`, with a descent path on them.
//!
//! `f` is evaluated on a grid through a register program (as `evalpoints`);
//! the lines are found by marching squares (the `contour` crate, with
//! linear interpolation between grid points).

use super::number;
use crate::ast::Expr;
use crate::calls::usage_hint;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, at};
use crate::session::Session;
use crate::span::Span;
use contour::ContourBuilder;
use symgrad::{Node, Values};

/// Grid points along each axis (odd: one on each middle line).
const GRID: usize = 121;
/// The number of contour levels drawn, at evenly spaced quantiles of the
/// values on the grid (so steep walls do not take every line).
const LEVELS: usize = 12;

/// A line drawn as the points it joins.
pub(crate) type Polyline = Vec<(f64, f64)>;

/// What a contour plot draws: finite numbers only.
#[derive(Clone, Debug)]
pub(crate) struct ContourFigure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    /// Each level with its lines, each a list of points inside the box.
    pub lines: Vec<(f64, Vec<Polyline>)>,
    /// The visited points (inside the box), the start first.
    pub path: Vec<(f64, f64)>,
    /// Path points left out: outside the box.
    pub path_skipped: usize,
}

impl Session {
    /// True when `e` is a symbol of two elements (2×1 or 1×2).
    pub(super) fn is_plane_symbol(&mut self, e: &Expr) -> Eval<bool> {
        let id = self.expr(e)?;
        Ok(matches!(self.pool.node(id), Node::Symbol { shape, .. } if shape.len() == 2))
    }

    /// The contour lines of `f` over `v` in the box from `lo` to `hi`, with
    /// the visited `path` (one point a row).
    pub(super) fn contour_figure(
        &mut self,
        args: &[&Expr],
        path: Option<&Expr>,
        span: Span,
    ) -> Eval<ContourFigure> {
        let f = self.plotted(args[0])?;
        let v = self.expr(args[1])?;
        let (lo, hi) = (self.corner(args[2])?, self.corner(args[3])?);
        let name = self.symbol_name(v);
        for k in 0..2 {
            super::check_bounds(&format!("{name}[{k}]"), (lo[k], hi[k]))
                .map_err(|e| Diagnostic::new(e, args[2].span.to(args[3].span)))?;
        }
        let stable = self.pool.stabilise(f).map_err(at(span))?;
        let unbound: Vec<String> = self
            .pool
            .free_symbols(stable)
            .into_iter()
            .filter(|&s| s != v)
            .map(|s| self.symbol_name(s))
            .collect();
        if let Some(first) = unbound.first() {
            return Err(Diagnostic::new(
                format!(
                    "plot needs a value for every symbol but {name}; unbound: {}",
                    unbound.join(", ")
                ),
                args[0].span,
            )
            .with_hint(format!(
                "substitute them first: plot(subs(f, {first} = …), {name}, lo, hi)"
            )));
        }
        let step = [
            (hi[0] - lo[0]) / (GRID - 1) as f64,
            (hi[1] - lo[1]) / (GRID - 1) as f64,
        ];
        let mut points = Vec::with_capacity(2 * GRID * GRID);
        for j in 0..GRID {
            for i in 0..GRID {
                points.push(lo[0] + i as f64 * step[0]);
                points.push(lo[1] + j as f64 * step[1]);
            }
        }
        let mut program = self
            .pool
            .compile_scalar(&[stable], &[v])
            .map_err(at(span))?;
        let mut values = vec![0.0; GRID * GRID];
        program
            .eval_points(&points, &mut values)
            .map_err(at(span))?;
        let levels = levels(&values);
        if levels.is_empty() {
            return Err(Diagnostic::new(
                format!(
                    "the expression has no finite, varying values in the box [{}, {}] × [{}, {}]",
                    number(lo[0]),
                    number(hi[0]),
                    number(lo[1]),
                    number(hi[1])
                ),
                args[0].span,
            ));
        }
        // A value of the grid is the centre of its cell for the builder.
        let builder = ContourBuilder::new(GRID, GRID, true)
            .x_origin(lo[0] - step[0] / 2.0)
            .y_origin(lo[1] - step[1] / 2.0)
            .x_step(step[0])
            .y_step(step[1]);
        let found = builder
            .lines(&values, &levels)
            .map_err(|e| Diagnostic::new(format!("cannot trace the contour lines: {e}"), span))?;
        let inside = |(x, y): (f64, f64)| {
            let tol = [step[0] * 1e-6, step[1] * 1e-6];
            x >= lo[0] - tol[0] && x <= hi[0] + tol[0] && y >= lo[1] - tol[1] && y <= hi[1] + tol[1]
        };
        let lines = found
            .into_iter()
            .map(|line| {
                let level = line.threshold();
                let mut pieces = Vec::new();
                for string in line.geometry().0.iter() {
                    // The builder closes lines around the grid's border,
                    // half a cell outside the box: those parts are cut off.
                    let mut piece: Vec<(f64, f64)> = Vec::new();
                    for c in string.0.iter() {
                        let p = (c.x, c.y);
                        if inside(p) {
                            piece.push(p);
                        } else if piece.len() > 1 {
                            pieces.push(std::mem::take(&mut piece));
                        } else {
                            piece.clear();
                        }
                    }
                    if piece.len() > 1 {
                        pieces.push(piece);
                    }
                }
                (level, pieces)
            })
            .filter(|(_, pieces)| !pieces.is_empty())
            .collect();
        let visited: Vec<(f64, f64)> = match path {
            Some(p) => {
                let Values { data, shape } = self.numeric(p, "the path")?;
                if shape.cols != 2 {
                    return Err(Diagnostic::new(
                        format!(
                            "the path of a 2-D plot has one point a row, [{name}[0], {name}[1]]: a k×2 matrix, not {shape}"
                        ),
                        p.span,
                    )
                    .with_hint("last_path() after descend(f, v, …) is one"));
                }
                data.chunks(2).map(|c| (c[0], c[1])).collect()
            }
            None => Vec::new(),
        };
        let path: Vec<(f64, f64)> = visited.iter().copied().filter(|&p| inside(p)).collect();
        let title = self.render(f, "text").map_err(at(span))?;
        Ok(ContourFigure {
            title,
            x_label: format!("{name}[0]"),
            y_label: format!("{name}[1]"),
            x_range: (lo[0], hi[0]),
            y_range: (lo[1], hi[1]),
            lines,
            path_skipped: visited.len() - path.len(),
            path,
        })
    }

    /// A corner of the box: a numeric vector of two finite numbers.
    fn corner(&mut self, e: &Expr) -> Eval<[f64; 2]> {
        let Values { data, .. } = self.numeric(e, "a corner of the plot")?;
        match data.as_slice() {
            [x, y] if x.is_finite() && y.is_finite() => Ok([*x, *y]),
            _ => Err(Diagnostic::new(
                "a 2-D plot needs two numbers for lo and hi, such as [-1, -1]",
                e.span,
            )
            .with_hint(usage_hint("plot"))),
        }
    }
}

/// `LEVELS` levels at evenly spaced quantiles of the finite values, each
/// strictly between the smallest and the largest, without repeats.
fn levels(values: &[f64]) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    let mut out: Vec<f64> = Vec::new();
    for k in 1..=LEVELS {
        let q = sorted[k * (sorted.len() - 1) / (LEVELS + 1)];
        if q > min && q < max && out.last() != Some(&q) {
            out.push(q);
        }
    }
    out
}
