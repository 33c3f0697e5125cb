//! `plot`: the curve of a scalar expression against a scalar symbol, or a
//! vector against its index, drawn in the terminal or written as SVG.
//!
//! This module turns the arguments into a [`Figure`] (numbers only); the
//! drawing lives in `plot/terminal.rs` and `plot/svg.rs`.

mod animate;
mod contour;
mod svg;
mod terminal;

use crate::ast::{Arg, Expr, ExprKind};
use crate::calls::{check_arity, usage_hint};
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::session::Session;
use crate::span::Span;
use symgrad::{ExprId, Node, Values};

/// Points at which a curve is evaluated (an odd number puts one at the
/// middle of the range).
const SAMPLES: usize = 301;

/// `figure` drawn in characters, `width` columns wide.
pub(crate) fn draw(figure: &Figure, width: usize) -> String {
    terminal::draw(figure, width)
}

/// The SVG picture of `figure`.
pub(crate) fn svg(figure: &Figure) -> symgrad::Result<String> {
    svg::render(figure).map_err(|e| symgrad::Error::Invalid(format!("cannot draw the plot: {e}")))
}

/// What is drawn: finite points only, all inside `x_range`.
#[derive(Clone, Debug)]
pub(crate) struct Figure {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    /// The curve, joined by a line.
    pub curve: Vec<(f64, f64)>,
    /// Visited points drawn on the curve (start and end marked); may be empty.
    pub path: Vec<(f64, f64)>,
    /// The slope of the curve at each path point (an animation's
    /// tangents); empty when not animated.
    pub slopes: Vec<f64>,
    /// Path points left out: outside the x range or not finite there.
    pub path_skipped: usize,
}

/// Where `v` lies in the range `lo..hi` as a fraction, 0 at `lo` and 1 at
/// `hi` (halves taken first, so that a range near the largest floats does
/// not overflow).
pub(crate) fn fraction(v: f64, (lo, hi): (f64, f64)) -> f64 {
    (v / 2.0 - lo / 2.0) / (hi / 2.0 - lo / 2.0)
}

/// Labels of `values` by `label(v, digits)`, with the fewest digits from
/// `least` up to 15 at which neighbours that differ read differently
/// (contour levels a millionth apart read `2.000001` and `2.000002`, not
/// `2` and `2`).
pub(crate) fn distinct_labels(
    values: &[f64],
    least: usize,
    label: impl Fn(f64, usize) -> String,
) -> Vec<String> {
    let at = |digits| {
        values
            .iter()
            .map(|&v| label(v, digits))
            .collect::<Vec<String>>()
    };
    let apart = |labels: &Vec<String>| {
        (labels.windows(2).zip(values.windows(2))).all(|(l, v)| v[0] == v[1] || l[0] != l[1])
    };
    (least..=15).map(at).find(apart).unwrap_or_else(|| at(15))
}

/// `v` as typed when that is short (`2`, `0.5`), else in exponent form
/// (`1e308`, not 309 digits).
pub(crate) fn number(v: f64) -> String {
    let typed = v.to_string();
    if typed.len() <= 17 {
        typed
    } else {
        format!("{v:?}")
    }
}

/// `Err` unless `lo < hi` and the range of `what` can be drawn.
pub(crate) fn check_bounds(what: &str, (lo, hi): (f64, f64)) -> Result<(), String> {
    if lo >= hi {
        return Err(format!(
            "plot needs lo < hi for {what}, not lo = {} and hi = {}",
            number(lo),
            number(hi)
        ));
    }
    check_range(what, (lo, hi))
}

/// `Err` when the range `lo..hi` of `what` cannot be drawn (see
/// [`Figure::check_ranges`]).
pub(crate) fn check_range(what: &str, (lo, hi): (f64, f64)) -> Result<(), String> {
    let width = hi - lo;
    let scale = lo.abs().max(hi.abs());
    if !width.is_finite() || width <= scale * 1e-12 {
        return Err(format!(
            "cannot draw {} from {} to {}: the range is too {} for floats",
            what,
            number(lo),
            number(hi),
            if width.is_finite() { "narrow" } else { "wide" }
        ));
    }
    Ok(())
}

impl Figure {
    /// `Err` when a range cannot be drawn: its width overflows f64 (values
    /// near ±1e308) or is lost in rounding. The plotting crates loop without
    /// end on such ranges, so they are refused before drawing.
    pub fn check_ranges(&self) -> Result<(), String> {
        check_range("w", self.x_range)?;
        check_range("the values", self.y_range())
    }

    /// The range of the drawn values, widened when they are all equal.
    pub fn y_range(&self) -> (f64, f64) {
        let ys = self.curve.iter().chain(&self.path).map(|p| p.1);
        let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
        // Equal values, or equal but for rounding: a range around them.
        if hi - lo > lo.abs().max(hi.abs()) * 1e-12 {
            (lo, hi)
        } else {
            let pad = if lo == 0.0 { 1.0 } else { lo.abs() / 10.0 };
            (lo - pad, hi + pad)
        }
    }
}

impl Session {
    /// `plot(f, w, lo, hi [, "file.svg"] [, path = P] [, animate = true])`
    /// and `plot(v [, "file.svg"])`; with a 2-vector symbol `v` and 2-vectors
    /// `lo`, `hi`, the contour lines of `f` (`plot/contour.rs`).
    pub(crate) fn call_plot(&mut self, args: &[Arg], span: Span) -> Eval<Value> {
        let mut positional = Vec::new();
        let mut path = None;
        let mut animate = None;
        for a in args {
            match a {
                Arg::Positional(e) => positional.push(e),
                Arg::Named { name, value } if name.name == "path" => {
                    if path.replace((value, name.span)).is_some() {
                        return Err(Diagnostic::new("path is given twice", name.span));
                    }
                }
                Arg::Named { name, value } if name.name == "animate" => {
                    let on = self.switch(value)?;
                    if animate.replace((on, name.span)).is_some() {
                        return Err(Diagnostic::new("animate is given twice", name.span));
                    }
                }
                Arg::Named { name, .. } => {
                    return Err(Diagnostic::new(
                        format!("plot has no option '{}'", name.name),
                        name.span,
                    )
                    .with_hint(
                        "the options are path = P, the visited values of w, and animate = true",
                    ));
                }
            }
        }
        check_arity("plot", positional.len(), 1, 5, span)?;
        let animated = match animate {
            Some((true, at)) => {
                if positional.len() != 5 || path.is_none() {
                    return Err(Diagnostic::new(
                        "animate = true draws a descent into an SVG file: plot(f, w, lo, hi, \"f.svg\", path = P, animate = true)",
                        at,
                    ));
                }
                true
            }
            _ => false,
        };
        if positional.len() >= 4 && self.is_plane_symbol(positional[1])? {
            let figure = self.contour_figure(&positional[..4], path.map(|p| p.0), span)?;
            return match positional.get(4) {
                None => Ok(Value::Text(terminal::draw_contours(
                    &figure,
                    self.settings.width,
                ))),
                Some(f) => {
                    let name = self.svg_name(f)?;
                    let svg = animate::contours(&figure, animated).map_err(|e| {
                        Diagnostic::new(format!("cannot draw the plot: {e}"), f.span)
                    })?;
                    svg::save(&svg, &name).map_err(|e| Diagnostic::new(e, f.span))?;
                    Ok(Value::Text(format!("wrote {name}")))
                }
            };
        }
        let (figure, file) = match positional.len() {
            1 | 2 => {
                if let Some((_, at)) = path {
                    return Err(Diagnostic::new(
                        "path = … goes with a curve: plot(f, w, lo, hi, path = P)",
                        at,
                    ));
                }
                (self.vector_figure(positional[0])?, positional.get(1))
            }
            4 | 5 => (
                self.curve_figure(&positional[..4], path.map(|p| p.0), animated, span)?,
                positional.get(4),
            ),
            _ => {
                return Err(Diagnostic::new(
                    "plot takes 1 or 2 arguments (a vector) or 4 or 5 (a curve), got 3",
                    span,
                )
                .with_hint(usage_hint("plot")));
            }
        };
        figure
            .check_ranges()
            .map_err(|e| Diagnostic::new(e, span))?;
        match file {
            None => Ok(Value::Plot(Box::new(figure))),
            Some(f) => {
                let name = self.svg_name(f)?;
                if animated {
                    let svg = animate::descent(&figure).map_err(|e| {
                        Diagnostic::new(format!("cannot draw the plot: {e}"), f.span)
                    })?;
                    svg::save(&svg, &name).map_err(|e| Diagnostic::new(e, f.span))?;
                } else {
                    svg::write(&figure, &name).map_err(|e| Diagnostic::new(e, f.span))?;
                }
                Ok(Value::Text(format!("wrote {name}")))
            }
        }
    }

    /// The value of an on/off option: `true`, `false`, 1 or 0.
    fn switch(&mut self, e: &Expr) -> Eval<bool> {
        match &e.kind {
            ExprKind::Name(n) if n == "true" => return Ok(true),
            ExprKind::Name(n) if n == "false" => return Ok(false),
            _ => {}
        }
        match self.integer(e) {
            Ok(1) => Ok(true),
            Ok(0) => Ok(false),
            _ => Err(Diagnostic::new("expected true or false", e.span)),
        }
    }

    /// The scalar expression `e` that a plot draws.
    pub(super) fn plotted(&mut self, e: &Expr) -> Eval<ExprId> {
        let f = self.expr(e)?;
        let shape = self.pool.shape(f);
        if !shape.is_scalar() {
            return Err(Diagnostic::new(
                format!("plot draws a scalar expression, not a {shape} matrix"),
                e.span,
            ));
        }
        Ok(f)
    }

    /// The curve of `f` against `w` on `[lo, hi]`, with the visited `path`.
    fn curve_figure(
        &mut self,
        args: &[&Expr],
        path: Option<&Expr>,
        slopes: bool,
        span: Span,
    ) -> Eval<Figure> {
        let f = self.plotted(args[0])?;
        let w = self.expr(args[1])?;
        if !matches!(self.pool.node(w), Node::Symbol { shape, .. } if shape.is_scalar()) {
            return Err(Diagnostic::new(
                "plot draws against a scalar symbol such as w, or contours over a symbol of two elements",
                args[1].span,
            )
            .with_hint(usage_hint("plot")));
        }
        let (lo, hi) = (self.real(args[2])?, self.real(args[3])?);
        check_bounds(&self.symbol_name(w), (lo, hi))
            .map_err(|e| Diagnostic::new(e, args[2].span.to(args[3].span)))?;
        let visited: Vec<f64> = match path {
            Some(p) => {
                let Values {
                    data: values,
                    shape,
                } = self.numeric(p, "the path")?;
                values.into_iter().step_by(shape.cols).collect()
            }
            None => Vec::new(),
        };
        let stable = self.pool.stabilise(f).map_err(at(span))?;
        let unbound: Vec<String> = self
            .pool
            .free_symbols(stable)
            .into_iter()
            .filter(|&s| s != w)
            .map(|s| self.symbol_name(s))
            .collect();
        if !unbound.is_empty() {
            let w_name = self.symbol_name(w);
            return Err(Diagnostic::new(
                format!(
                    "plot needs a value for every symbol but {w_name}; unbound: {}",
                    unbound.join(", ")
                ),
                args[0].span,
            )
            .with_hint(format!(
                "substitute them first: plot(subs(f, {} = …), {w_name}, lo, hi)",
                unbound[0]
            )));
        }
        let mut program = self.pool.compile(&[stable], &[w]).map_err(at(span))?;
        let mut at_w = |x: f64| -> Eval<f64> {
            let v = program.run(&[&Values::scalar(x)]).map_err(at(span))?;
            Ok(v.first().and_then(Values::as_scalar).unwrap_or(f64::NAN))
        };
        let mut curve = Vec::with_capacity(SAMPLES);
        for k in 0..SAMPLES {
            // The fraction first: (hi − lo)⋅k overflows for a range past
            // 10³⁰⁶.
            let x = lo + (hi - lo) * (k as f64 / (SAMPLES - 1) as f64);
            let y = at_w(x)?;
            if y.is_finite() {
                curve.push((x, y));
            }
        }
        if curve.is_empty() {
            return Err(Diagnostic::new(
                format!("the expression has no finite value on [{lo}, {hi}]"),
                args[0].span,
            ));
        }
        let mut path = Vec::with_capacity(visited.len());
        for &x in &visited {
            let y = if (lo..=hi).contains(&x) {
                at_w(x)?
            } else {
                f64::NAN
            };
            if y.is_finite() {
                path.push((x, y));
            }
        }
        // The slope f′(w) at each path point, for the tangents of an animation.
        let slopes = if slopes {
            let d = self.pool.diff(f, w).map_err(at(span))?;
            let d = self.pool.stabilise(d).map_err(at(span))?;
            let mut program = self.pool.compile(&[d], &[w]).map_err(at(span))?;
            let mut out = Vec::with_capacity(path.len());
            for &(x, _) in &path {
                let v = program.run(&[&Values::scalar(x)]).map_err(at(span))?;
                out.push(v.first().and_then(Values::as_scalar).unwrap_or(f64::NAN));
            }
            out
        } else {
            Vec::new()
        };
        let title = self.render(f, "text").map_err(at(span))?;
        Ok(Figure {
            slopes,
            y_label: name_or(args[0], &title),
            title,
            x_label: self.symbol_name(w),
            x_range: (lo, hi),
            curve,
            path_skipped: visited.len() - path.len(),
            path,
        })
    }

    /// A numeric vector against its index 1…n.
    fn vector_figure(&mut self, v: &Expr) -> Eval<Figure> {
        let Values {
            data: values,
            shape,
        } = self.numeric(v, "the vector")?;
        if shape.rows != 1 && shape.cols != 1 {
            return Err(Diagnostic::new(
                format!("plot(v) draws a vector (n×1 or 1×n), not a {shape} matrix"),
                v.span,
            )
            .with_hint("plot one column with plot(A[:, 0])"));
        }
        let curve: Vec<(f64, f64)> = (1..)
            .zip(&values)
            .filter(|(_, y)| y.is_finite())
            .map(|(i, &y)| (f64::from(i), y))
            .collect();
        if curve.is_empty() {
            return Err(Diagnostic::new("the vector has no finite value", v.span));
        }
        let n = values.len() as f64;
        let name = name_or(v, "value");
        Ok(Figure {
            title: name.clone(),
            x_label: "index".into(),
            y_label: name,
            x_range: if n > 1.0 { (1.0, n) } else { (0.0, 2.0) },
            curve,
            path: Vec::new(),
            slopes: Vec::new(),
            path_skipped: 0,
        })
    }

    /// A finite real number such as the `lo` of a plot (`-pi`, `1/3`, `2.5`).
    fn real(&mut self, e: &Expr) -> Eval<f64> {
        let Values {
            data: values,
            shape,
        } = self.numeric(e, "a bound of the plot")?;
        match values.as_slice() {
            [x] if shape.is_scalar() && x.is_finite() => Ok(*x),
            _ => Err(Diagnostic::new("expected a finite number", e.span)),
        }
    }

    /// The name of an SVG file argument.
    fn svg_name(&mut self, e: &Expr) -> Eval<String> {
        let name = match self.eval(e)? {
            Value::Text(t) => t,
            _ => {
                return Err(Diagnostic::new(
                    "the file name must be a string, such as \"plot.svg\"",
                    e.span,
                ));
            }
        };
        if !name.to_lowercase().ends_with(".svg") {
            return Err(Diagnostic::new(
                format!("plot writes SVG: the file name must end in .svg, not \"{name}\""),
                e.span,
            ));
        }
        Ok(name)
    }
}

/// The name written for an argument: a bound name as written, else `other`.
fn name_or(e: &Expr, other: &str) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        _ => other.to_string(),
    }
}
