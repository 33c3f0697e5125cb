//! `gradcheck(L, W [, at] [, grad = G] [, X = value, …])`: a gradient,
//! symbolic or given, held against two numeric estimates at a point.
//!
//! The first estimate is the central difference `(L(w + h) − L(w − h))/2h`
//! with `h = ε^⅓⋅max(1, |w|)`, through the compiled program `eval` uses;
//! the second is Richardson's extrapolation `(4⋅D(h/2) − D(h))/3` of central
//! differences with a larger `h = 10⁻³⋅max(1, |w|)` (error O(h⁴)), through
//! the core's f64 interpreter: different steps, different error terms and a
//! different evaluator (unless the interpreter is slow on the loss). The report goes where `descend`'s progress goes; the
//! value is the largest relative error against the estimate that agrees
//! better.

use crate::ast::{Arg, Expr};
use crate::calls::usage_hint;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::session::Session;
use crate::span::Span;
use std::collections::HashMap;
use symgrad::{ExprId, Node, Values, format_float};

/// An interpreted evaluation of the loss slower than this sends Richardson's
/// estimate through the compiled program too.
const SLOW_EVALUATION: std::time::Duration = std::time::Duration::from_millis(25);

/// At most this many entries are checked (chosen at random from larger
/// gradients): each costs six evaluations of the loss.
const MAX_CHECKED: usize = 100;

/// The errors of one numeric estimate against the gradient.
struct Errors {
    estimate: Vec<f64>,
    abs: f64,
    rel: f64,
    /// The checked entry (flat index) with the largest relative error.
    worst: usize,
}

impl Session {
    /// `gradcheck(L, W [, at] [, grad = G] [, X = value, …])`.
    pub(crate) fn call_gradcheck(&mut self, args: &[Arg], span: Span) -> Eval<Value> {
        let mut positional: Vec<&Expr> = Vec::new();
        let mut given = None;
        let mut rest = Vec::new();
        for a in args {
            match a {
                Arg::Positional(e) if rest.is_empty() && given.is_none() => positional.push(e),
                Arg::Positional(e) => {
                    return Err(Diagnostic::new(
                        "positional arguments come before the named ones",
                        e.span,
                    )
                    .with_hint(usage_hint("gradcheck")));
                }
                Arg::Named { name, value } if name.name == "grad" => {
                    if given.replace(value).is_some() {
                        return Err(Diagnostic::new("grad is given twice", name.span));
                    }
                }
                Arg::Named { .. } => rest.push(a.clone()),
            }
        }
        if !(2..=3).contains(&positional.len()) {
            return Err(Diagnostic::new(
                "gradcheck takes a scalar, a symbol and optionally a point, then named arguments",
                span,
            )
            .with_hint(usage_hint("gradcheck")));
        }
        let f = self.expr(positional[0])?;
        let w = self.expr(positional[1])?;
        let w_shape = match self.pool.node(w) {
            Node::Symbol { shape, .. } => *shape,
            _ => {
                return Err(Diagnostic::new(
                    "gradcheck differentiates by a symbol, such as W",
                    positional[1].span,
                )
                .with_hint(self.not_a_symbol_hint(positional[1], usage_hint("gradcheck"))));
            }
        };
        if !self.pool.shape(f).is_scalar() {
            return Err(Diagnostic::new(
                format!(
                    "gradcheck needs a scalar, such as a loss, not a {} matrix",
                    self.pool.shape(f)
                ),
                positional[0].span,
            ));
        }
        let point = match positional.get(2) {
            Some(p) => {
                let v = self.numeric(p, "the point")?;
                if v.shape != w_shape {
                    return Err(Diagnostic::new(
                        format!(
                            "the point must have the shape of {}, {w_shape}, not {}",
                            self.symbol_name(w),
                            v.shape
                        ),
                        p.span,
                    ));
                }
                v
            }
            None => {
                let data = self.rng.normals(w_shape.len());
                Values::new(w_shape, data).map_err(at(span))?
            }
        };
        let g = match given {
            Some(e) => {
                let g = self.expr(e)?;
                if self.pool.shape(g) != w_shape {
                    return Err(Diagnostic::new(
                        format!(
                            "the gradient must have the shape of {}, {w_shape}, not {}",
                            self.symbol_name(w),
                            self.pool.shape(g)
                        ),
                        e.span,
                    ));
                }
                g
            }
            None => self.pool.grad(f, w).map_err(at(span))?,
        };
        let pairs = self.bindings("gradcheck", &rest, f)?;
        if pairs.iter().any(|(s, _)| *s == w) {
            return Err(Diagnostic::new(
                format!(
                    "the point is the third argument: gradcheck(L, {0}, value), not {0} = value",
                    self.symbol_name(w)
                ),
                span,
            ));
        }
        let mut bindings = vec![(w, point.clone())];
        for &(s, v) in &pairs {
            self.pool.check_binding(s, v).map_err(at(span))?;
            let value = self.compute(v, &[]).map_err(at(span))?;
            bindings.push((s, value));
        }
        let stable_f = self.pool.stabilise(f).map_err(at(span))?;
        let stable_g = self.pool.stabilise(g).map_err(at(span))?;
        let mut free = self.pool.free_symbols(stable_f);
        free.extend(self.pool.free_symbols(stable_g));
        free.sort_unstable();
        free.dedup();
        let unbound: Vec<String> = free
            .into_iter()
            .filter(|s| !bindings.iter().any(|(b, _)| b == s))
            .map(|s| self.symbol_name(s))
            .collect();
        if let Some(first) = unbound.first() {
            return Err(Diagnostic::new(
                format!(
                    "gradcheck needs a value for every symbol but {}; unbound: {}",
                    self.symbol_name(w),
                    unbound.join(", ")
                ),
                span,
            )
            .with_hint(format!("give them as gradcheck(L, W, {first} = …)")));
        }
        let symbolic = self.compute(stable_g, &bindings).map_err(at(span))?;
        let entries = self.checked_entries(w_shape.len());
        // The loss at a value of W: through the compiled program, and
        // through the interpreter unless that is slow on this loss (large
        // data), when Richardson's estimate takes the compiled one too.
        let symbols: Vec<ExprId> = bindings.iter().map(|(s, _)| *s).collect();
        let mut program = self.pool.compile(&[stable_f], &symbols).map_err(at(span))?;
        program.set_threads(self.settings.threads);
        let others: Vec<Values> = bindings[1..].iter().map(|(_, v)| v.clone()).collect();
        let mut compiled = |w: &Values| -> Eval<f64> {
            let inputs: Vec<&Values> = std::iter::once(w).chain(&others).collect();
            let out = program.run(&inputs).map_err(at(span))?;
            Ok(out.first().and_then(Values::as_scalar).unwrap_or(f64::NAN))
        };
        let mut values: HashMap<ExprId, Values> = bindings.iter().cloned().collect();
        let pool = &self.pool;
        let mut interpreted = |v: &Values| -> Eval<f64> {
            values.insert(w, v.clone());
            let out = pool.evaluate(stable_f, &values).map_err(at(span))?;
            Ok(out.as_scalar().unwrap_or(f64::NAN))
        };
        let central = central_differences(&mut compiled, &point, &entries)?;
        let started = std::time::Instant::now();
        interpreted(&point)?;
        let interpreter = started.elapsed() <= SLOW_EVALUATION;
        let richardson = if interpreter {
            richardson(&mut interpreted, &point, &entries)?
        } else {
            richardson(&mut compiled, &point, &entries)?
        };
        let central = errors(&symbolic.data, central, &entries);
        let richardson = errors(&symbolic.data, richardson, &entries);
        let report = self.gradcheck_report(
            w,
            &point,
            &symbolic,
            &entries,
            &central,
            &richardson,
            positional.len() == 3,
        );
        for line in report.lines() {
            if line.chars().count() <= self.settings.width {
                (self.progress.0)(line);
            } else {
                self.report(line);
            }
        }
        let value = central.rel.min(richardson.rel);
        self.pool.float(value).map(Value::Expr).map_err(at(span))
    }

    /// The flat indices checked: all, or `MAX_CHECKED` chosen at random.
    fn checked_entries(&mut self, n: usize) -> Vec<usize> {
        if n <= MAX_CHECKED {
            return (0..n).collect();
        }
        let mut chosen = self.rng.permutation(n);
        chosen.truncate(MAX_CHECKED);
        chosen.sort_unstable();
        chosen
    }

    /// The lines `gradcheck` reports.
    #[allow(clippy::too_many_arguments)]
    fn gradcheck_report(
        &self,
        w: ExprId,
        point: &Values,
        symbolic: &Values,
        entries: &[usize],
        central: &Errors,
        richardson: &Errors,
        given_point: bool,
    ) -> String {
        let digits = self.settings.digits;
        let e = |x: f64| format_float(x, 3);
        let v = |x: f64| format_float(x, digits);
        let shape = point.shape;
        let place = |k: usize| {
            if shape.is_scalar() {
                String::new()
            } else {
                format!(" [{}, {}]", k / shape.cols, k % shape.cols)
            }
        };
        let name = self.symbol_name(w);
        let at = if given_point {
            "at the given point"
        } else {
            "at random normal weights"
        };
        let which = if entries.len() == 1 {
            " 1 entry".to_string()
        } else if entries.len() == shape.len() {
            format!(" {} entries", entries.len())
        } else {
            format!(
                "\n  {} of {} entries, chosen at random",
                entries.len(),
                shape.len()
            )
        };
        let worst = if central.rel <= richardson.rel {
            richardson.worst
        } else {
            central.worst
        };
        let slot = entries.iter().position(|&k| k == worst).unwrap_or(0);
        [
            format!("gradcheck of the gradient by {name} ({shape}) {at},{which}:"),
            format!(
                "  central differences:      largest error {} absolute, {} relative",
                e(central.abs),
                e(central.rel)
            ),
            format!(
                "  Richardson extrapolation: largest error {} absolute, {} relative",
                e(richardson.abs),
                e(richardson.rel)
            ),
            format!(
                "  worst entry{}: gradient {},",
                place(worst),
                v(symbolic.data[worst])
            ),
            format!(
                "    central {}, Richardson {}",
                v(central.estimate[slot]),
                v(richardson.estimate[slot])
            ),
        ]
        .join("\n")
    }
}

/// Central differences `(L(w + h) − L(w − h))/2h` at `h = ε^⅓⋅max(1, |w|)`
/// for each entry of `entries`.
fn central_differences(
    loss: &mut dyn FnMut(&Values) -> Eval<f64>,
    base: &Values,
    entries: &[usize],
) -> Eval<Vec<f64>> {
    let mut w = base.clone();
    let mut out = Vec::with_capacity(entries.len());
    for &k in entries {
        let x = base.data[k];
        let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
        w.data[k] = x + h;
        let up = loss(&w)?;
        w.data[k] = x - h;
        let down = loss(&w)?;
        w.data[k] = x;
        out.push((up - down) / (2.0 * h));
    }
    Ok(out)
}

/// Richardson's extrapolation `(4⋅D(h/2) − D(h))/3` of central differences
/// `D` at `h = 10⁻³⋅max(1, |w|)`, for each entry of `entries`.
fn richardson(
    loss: &mut dyn FnMut(&Values) -> Eval<f64>,
    base: &Values,
    entries: &[usize],
) -> Eval<Vec<f64>> {
    let mut w = base.clone();
    let mut out = Vec::with_capacity(entries.len());
    for &k in entries {
        let x = base.data[k];
        let h = 1e-3 * x.abs().max(1.0);
        let mut diff = |step: f64| -> Eval<f64> {
            w.data[k] = x + step;
            let up = loss(&w)?;
            w.data[k] = x - step;
            let down = loss(&w)?;
            w.data[k] = x;
            Ok((up - down) / (2.0 * step))
        };
        let coarse = diff(h)?;
        let fine = diff(h / 2.0)?;
        out.push((4.0 * fine - coarse) / 3.0);
    }
    Ok(out)
}

/// The errors of `estimate` (one value per checked entry) against the
/// gradient `g`: relative to the larger of the two values, and to at least
/// 10⁻⁸ of the gradient's largest entry, so that entries near zero compare
/// on the gradient's scale.
fn errors(g: &[f64], estimate: Vec<f64>, entries: &[usize]) -> Errors {
    let scale = entries.iter().map(|&k| g[k].abs()).fold(0.0, f64::max);
    let floor = 1e-8 * scale.max(f64::MIN_POSITIVE);
    let (mut abs, mut rel, mut worst) = (0.0_f64, 0.0_f64, entries.first().copied().unwrap_or(0));
    for (slot, &k) in entries.iter().enumerate() {
        let d = (g[k] - estimate[slot]).abs();
        let r = d / g[k].abs().max(estimate[slot].abs()).max(floor);
        // A value that is not finite counts as the worst.
        let (d, r) = if r.is_nan() {
            (f64::INFINITY, f64::INFINITY)
        } else {
            (d, r)
        };
        if d > abs {
            abs = d;
        }
        if r > rel {
            rel = r;
            worst = k;
        }
    }
    Errors {
        estimate,
        abs,
        rel,
        worst,
    }
}
