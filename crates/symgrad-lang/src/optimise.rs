//! Training: `descend` (gradient descent on a loss over one symbol) and `sgd`
//! (mini-batch stochastic gradient descent over the columns of a data set),
//! with progress lines sent to the session's progress sink as the run goes,
//! and the record that `last_losses()` and `last_path()` read.
//!
//! The gradient is built symbolically once per run (once per batch size for
//! `sgd`) and evaluated numerically at every step by [`Objective`].

use crate::ast::{Arg, Expr, ExprKind, Ident};
use crate::batches::DataSet;
use crate::calls::{check_arity, usage_hint};
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at};
use crate::session::Session;
use crate::span::Span;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use symgrad::{Dense, Error, ExprId, Node, Pool, Program, Shape, Values, format_float};

/// The built-ins this module answers.
pub(crate) const OPTIMISE: &[&str] = &["descend", "sgd", "last_losses", "last_path"];

/// Progress numbers show at most this many significant digits (fewer when
/// `:set digits` asks for fewer).
const PROGRESS_DIGITS: usize = 6;

/// Where progress lines go (`Session::set_progress`); discarded by default.
pub(crate) struct Progress(pub(crate) Box<dyn FnMut(&str)>);

impl Default for Progress {
    fn default() -> Progress {
        Progress(Box::new(|_| {}))
    }
}

/// `descend` keeps the points it visits (for `last_path()`) only when they
/// hold at most this many numbers (32 MB); the losses are always kept.
const MAX_PATH_NUMBERS: usize = 1 << 22;

/// What the latest training run visited, for `last_losses()` and `last_path()`.
pub(crate) struct Record {
    run: &'static str,
    /// `descend`: the loss at each point visited; `sgd`: the mean batch loss of each epoch.
    losses: Vec<f64>,
    /// `descend`: the values of W visited, flattened row by row, one after
    /// another; `None` for `sgd`, or when the path grew too large to keep.
    path: Option<Vec<f64>>,
}

/// A scalar loss and its gradient by the symbol `w`, built symbolically once,
/// compiled once (on first use) and run at each step with values for `w`
/// and the data symbols. All numeric evaluation of a training run goes
/// through here.
struct Objective {
    w: ExprId,
    data: Vec<ExprId>,
    loss: ExprId,
    grad: ExprId,
    program: Option<Program>,
    threads: usize,
}

impl Objective {
    fn new(
        pool: &mut Pool,
        loss: ExprId,
        w: ExprId,
        data: Vec<ExprId>,
        threads: usize,
    ) -> symgrad::Result<Self> {
        let grad = pool.grad(loss, w)?;
        Ok(Objective {
            w,
            data,
            loss,
            grad,
            program: None,
            threads,
        })
    }

    /// The symbols other than `w` and the data that the loss or gradient depend on.
    fn unbound(&self, pool: &Pool) -> Vec<ExprId> {
        let mut free = pool.free_symbols(self.loss);
        free.extend(pool.free_symbols(self.grad));
        free.sort();
        free.dedup();
        free.retain(|s| *s != self.w && !self.data.contains(s));
        free
    }

    /// The program, compiled on first use.
    fn program(&mut self, pool: &mut Pool) -> symgrad::Result<&mut Program> {
        let program = match self.program.take() {
            Some(p) => p,
            None => {
                let inputs: Vec<ExprId> =
                    std::iter::once(self.w).chain(self.data.clone()).collect();
                let mut p = pool.compile(&[self.loss, self.grad], &inputs)?;
                p.set_threads(self.threads);
                p
            }
        };
        Ok(self.program.insert(program))
    }

    /// True when the program can pick a batch of `size` samples from the
    /// data sets given whole, in any order: it runs in blocks of those
    /// samples, which only the data holds (not `w`, nor a constant). False
    /// when it does not compile ([`Objective::value_and_grad`] says why).
    fn picks_batches(&mut self, pool: &mut Pool, size: usize) -> bool {
        let sampled = self.program(pool).ok().and_then(|p| p.sampled_inputs());
        sampled.is_some_and(|(samples, by)| samples == size && !by[0])
    }

    /// The loss and the gradient (shaped like `w`) at `w`, the data symbols
    /// taking the values `data` (in order: shape and row-major numbers,
    /// read in place), or, with `samples`, the samples `samples` of the
    /// data sets `data` (see [`Objective::picks_batches`]); or what is not
    /// finite, when the loss, the gradient or a value on the way is not.
    fn value_and_grad(
        &mut self,
        pool: &mut Pool,
        w: &Values,
        data: &[(Shape, &[f64])],
        samples: Option<&[usize]>,
    ) -> symgrad::Result<Result<(f64, Values), NotFinite>> {
        let program = self.program(pool)?;
        let inputs: Vec<(Shape, &[f64])> = std::iter::once((w.shape, &w.data[..]))
            .chain(data.iter().copied())
            .collect();
        let out = match samples {
            Some(samples) => {
                let picked: Vec<bool> = (0..inputs.len()).map(|k| k > 0).collect();
                program.run_on_samples(&inputs, &picked, samples)?
            }
            None => program.run_on(&inputs)?,
        };
        let finite = program.all_finite();
        let mut out = out.into_iter();
        let loss = out.next().and_then(|v| v.as_scalar()).unwrap_or(f64::NAN);
        let grad = out.next().unwrap_or_else(|| Values::scalar(0.0));
        // A loss that does not depend on `w` has the gradient 0, a scalar.
        let grad = match grad.as_scalar() {
            Some(g) if !w.shape.is_scalar() => Values::new(w.shape, vec![g; w.data.len()])?,
            _ => grad,
        };
        let what = if !loss.is_finite() {
            format!("the loss is {}", format_float(loss, 6))
        } else if grad.data.iter().any(|g| !g.is_finite()) {
            "the gradient is not finite".to_string()
        } else if !finite {
            // Hidden in the result, as `relu(NaN)` is 0.
            "a value on the way to the loss or its gradient is not finite".to_string()
        } else {
            return Ok(Ok((loss, grad)));
        };
        // Where it first is, found by evaluating node by node.
        let values = inputs.iter().enumerate().map(|(k, &(shape, numbers))| {
            match samples.filter(|_| k > 0) {
                Some(samples) => pick_columns(shape, numbers, samples),
                None => Values {
                    shape,
                    data: numbers.to_vec(),
                },
            }
        });
        let bindings = std::iter::once(self.w)
            .chain(self.data.iter().copied())
            .zip(values)
            .collect();
        let mut why = None;
        for e in [self.loss, self.grad] {
            // Found where it can be: an evaluation too large to make leaves
            // the error without it.
            match pool
                .stabilise(e)
                .and_then(|s| pool.first_non_finite(s, &bindings))
            {
                Ok(None) => continue,
                Ok(found @ Some(_)) => why = found,
                Err(Error::Interrupted) => return Err(Error::Interrupted),
                Err(_) => {}
            }
            break;
        }
        Ok(Err(NotFinite { what, why }))
    }
}

/// A loss, gradient or value on the way that is not finite at a step.
struct NotFinite {
    /// What is not finite (`the loss is nan`).
    what: String,
    /// Where a value first is not finite, when found.
    why: Option<symgrad::NonFinite>,
}

impl Session {
    /// The error for `not_finite` at `place` of a run (`step 3`), with `hint`.
    fn not_finite_error(
        &mut self,
        not_finite: NotFinite,
        place: &str,
        hint: &str,
        span: Span,
    ) -> Diagnostic {
        let why = match &not_finite.why {
            Some(found) => format!(": {}", self.non_finite_message(found)),
            None => String::new(),
        };
        Diagnostic::new(format!("{} at {place}{why}", not_finite.what), span).with_hint(hint)
    }
}

/// The hint for a loss that is not finite after some steps.
const DIVERGED: &str = "the steps may diverge: try a smaller learning rate";

/// The columns `samples` of a matrix (row-major numbers), in that order.
fn pick_columns(shape: Shape, numbers: &[f64], samples: &[usize]) -> Values {
    let data = numbers
        .chunks_exact(shape.cols.max(1))
        .flat_map(|row| samples.iter().map(|&j| row[j]))
        .collect();
    Values {
        shape: Shape::new(shape.rows, samples.len()),
        data,
    }
}

/// `show = "w"` prints W on every progress line when it has at most this many entries.
const SHOW_W_MAX: usize = 10;

/// The named options of a training call.
#[derive(Default)]
struct Options {
    /// Stop once the gradient norm is at most this (`descend` only).
    tol: Option<f64>,
    /// Report every this many steps.
    every: Option<usize>,
    /// Whether `sgd` shuffles the samples each epoch (`shuffle = false`: in order).
    shuffle: Option<bool>,
    /// What the progress lines show besides the loss.
    show: Show,
}

/// Extra items on progress lines (`show = "grad w batch"`).
#[derive(Clone, Copy, Default)]
struct Show {
    /// The gradient norm (`descend` always shows it).
    grad: bool,
    /// The weights, flattened row by row.
    w: bool,
    /// The sample indices of the batch (`sgd` step lines).
    batch: bool,
}

/// The settings of one `descend` run.
struct Descent {
    lr: f64,
    steps: usize,
    tol: Option<f64>,
    every: usize,
    show: Show,
}

/// The settings of one `sgd` run.
struct Sgd {
    lr: f64,
    epochs: usize,
    batch: usize,
    every: Option<usize>,
    shuffle: bool,
    show: Show,
}

impl Session {
    /// Sends progress lines to `sink` (the CLI prints them as they come);
    /// by default they are discarded.
    pub fn set_progress(&mut self, sink: Box<dyn FnMut(&str)>) {
        self.progress = Progress(sink);
    }

    pub(crate) fn call_optimise(&mut self, name: &str, args: &[Arg], span: Span) -> Eval<Value> {
        let allowed: &[&str] = match name {
            "descend" => &["tol", "every", "show"],
            "sgd" => &["every", "shuffle", "show"],
            _ => &[],
        };
        let (args, options) = self.split_options(name, args, allowed)?;
        match name {
            "descend" => self.descend(&args, options, span),
            "sgd" => self.sgd(&args, options, span),
            "last_losses" => {
                check_arity(name, args.len(), 0, 0, span)?;
                let losses = self.record(name, span)?.losses.clone();
                let shape = Shape::new(losses.len(), 1);
                self.numeric_value(Values::new(shape, losses).map_err(at(span))?, span)
            }
            _ => {
                check_arity(name, args.len(), 0, 0, span)?;
                let record = self.record(name, span)?;
                let path = match (&record.path, record.run) {
                    (Some(path), _) => path.clone(),
                    (None, "descend") => {
                        return Err(Diagnostic::new(
                            format!(
                                "the path of the latest descend was too large to keep \
                                 (more than {MAX_PATH_NUMBERS} numbers: steps + 1 times the elements of W)"
                            ),
                            span,
                        )
                        .with_hint("last_losses() has the loss at every step"));
                    }
                    (None, run) => {
                        return Err(Diagnostic::new(
                            format!("last_path() follows descend; the latest run was {run}"),
                            span,
                        ));
                    }
                };
                let shape = Shape::new(record.losses.len(), path.len() / record.losses.len());
                self.numeric_value(Values::new(shape, path).map_err(at(span))?, span)
            }
        }
    }

    /// `descend(f, W, lr, steps [, init], tol = …, every = …)`.
    fn descend(&mut self, args: &[&Expr], options: Options, span: Span) -> Eval<Value> {
        check_arity("descend", args.len(), 4, 5, span)?;
        let f = self.expr(args[0])?;
        let shape = self.pool.shape(f);
        if !shape.is_scalar() {
            return Err(Diagnostic::new(
                format!("descend needs a scalar loss, not a {shape} matrix"),
                args[0].span,
            )
            .with_hint("sum or mean it, e.g. descend(sum(E), W, 0.1, 100)"));
        }
        let w = self.symbol_arg(args[1])?;
        let lr = self.learning_rate(args[2])?;
        let steps = self.count(args[3], "steps")?;
        let start = self.start(w, args.get(4), span)?;
        let threads = self.settings.threads;
        let mut objective =
            Objective::new(&mut self.pool, f, w, Vec::new(), threads).map_err(at(span))?;
        self.check_bound("descend", &objective, args[0].span)?;
        let run = Descent {
            lr,
            steps,
            tol: options.tol,
            every: options.every.unwrap_or((steps / 10).max(1)),
            show: options.show,
        };
        check_show(options.show, start.data.len(), args[1].span)?;
        let keep_path =
            steps.saturating_add(1).saturating_mul(start.data.len()) <= MAX_PATH_NUMBERS;
        let mut record = Record {
            run: "descend",
            losses: Vec::new(),
            path: keep_path.then(Vec::new),
        };
        let result = self.run_descent(&mut objective, &run, start, &mut record, span);
        if result.is_ok() {
            self.report_divergence(&record.losses, lr, "step");
        }
        self.trained = Some(record);
        self.numeric_value(result?, span)
    }

    fn run_descent(
        &mut self,
        objective: &mut Objective,
        run: &Descent,
        mut w: Values,
        record: &mut Record,
        span: Span,
    ) -> Eval<Values> {
        let interrupt = self.pool.interrupt_flag();
        for k in 0..=run.steps {
            let stopped = format!("at step {k} of {}", run.steps);
            if self.stop_on_interrupt(&interrupt, &stopped) {
                break;
            }
            let (loss, grad) = match objective.value_and_grad(&mut self.pool, &w, &[], None) {
                Ok(Ok(r)) => r,
                Ok(Err(not_finite)) => {
                    let hint = match k {
                        0 => "this is before any step: start where the loss is defined \
                              (descend's fifth argument)"
                            .to_string(),
                        _ => format!("{DIVERGED}, or check the loss's domain"),
                    };
                    let place = format!("step {k}");
                    return Err(self.not_finite_error(not_finite, &place, &hint, span));
                }
                Err(Error::Interrupted) if self.stop_on_interrupt(&interrupt, &stopped) => break,
                Err(e) => return Err(at(span)(e)),
            };
            record.losses.push(loss);
            if let Some(path) = &mut record.path {
                path.extend_from_slice(&w.data);
            }
            let norm = grad.data.iter().map(|g| g * g).sum::<f64>().sqrt();
            let mut at_step = format!(
                "loss {}, |grad| {}",
                self.progress_number(loss),
                self.progress_number(norm)
            );
            if run.show.w {
                at_step += &format!(", w {}", self.progress_vector(&w.data));
            }
            if run.tol.is_some_and(|tol| norm <= tol) {
                self.report(&format!("stopped at step {k}: {at_step} ≤ tol"));
                break;
            }
            if k == run.steps || k % run.every == 0 {
                self.report(&format!("step {k}: {at_step}"));
            }
            if k < run.steps {
                for (x, g) in w.data.iter_mut().zip(&grad.data) {
                    *x -= run.lr * g;
                }
            }
        }
        Ok(w)
    }

    /// `sgd(L, W, X, Y, lr, epochs, batch [, init], every = …)`.
    fn sgd(&mut self, args: &[&Expr], options: Options, span: Span) -> Eval<Value> {
        check_arity("sgd", args.len(), 7, 8, span)?;
        let (name, f) = self.loss_function(args[0])?;
        let w = self.symbol_arg(args[1])?;
        let x = self.data_set(args[2], "X")?;
        let y = self.data_set(args[3], "Y")?;
        if x.shape.cols != y.shape.cols {
            return Err(Diagnostic::new(
                format!(
                    "X has {} columns and Y has {}: sgd needs one column of Y per column (sample) of X",
                    x.shape.cols, y.shape.cols
                ),
                args[2].span.to(args[3].span),
            ));
        }
        let run = Sgd {
            lr: self.learning_rate(args[4])?,
            epochs: self.count(args[5], "epochs")?,
            batch: self.positive(args[6], "the batch size")?,
            every: options.every,
            shuffle: options.shuffle.unwrap_or(true),
            show: options.show,
        };
        let start = self.start(w, args.get(7), span)?;
        check_show(run.show, start.data.len(), args[1].span)?;
        // One objective per batch size: the full batches and a smaller last one.
        let n = x.shape.cols;
        let mut objectives = HashMap::new();
        for size in [run.batch.min(n), n % run.batch] {
            if size == 0 || objectives.contains_key(&size) {
                continue;
            }
            let objective = self.batch_objective(&name, &f, w, (&x, &y), size, args[0].span)?;
            objectives.insert(size, objective);
        }
        let mut record = Record {
            run: "sgd",
            losses: Vec::new(),
            path: None,
        };
        let result = self.run_sgd(&mut objectives, &run, (&x, &y), start, &mut record, span);
        if result.is_ok() {
            self.report_divergence(&record.losses, run.lr, "epoch");
        }
        self.batch_buffers = std::mem::take(&mut self.batch_buffers).kept_for(&x, &y);
        self.trained = Some(record);
        self.numeric_value(result?, span)
    }

    /// The objective `L(Xb, Yb)` over `w`, with `Xb` and `Yb` symbols for a
    /// batch of `size` columns of `X` and `Y`.
    fn batch_objective(
        &mut self,
        name: &str,
        f: &crate::eval::Function,
        w: ExprId,
        (x, y): (&DataSet, &DataSet),
        size: usize,
        span: Span,
    ) -> Eval<Objective> {
        // Named as the parameters, as messages then show them (`log(W⋅Xb)`),
        // unless one is named as W itself.
        let w_name = self.symbol_name(w);
        let batch_symbol = |s: &mut Session, k: usize, fallback: &str, rows: usize| {
            let name = f.params.get(k).filter(|&p| *p != w_name);
            let name = name.map_or(fallback, String::as_str);
            s.pool
                .symbol(name, Shape::new(rows, size))
                .map_err(at(span))
        };
        let xb = batch_symbol(self, 0, "X batch", x.shape.rows)?;
        let yb = batch_symbol(self, 1, "Y batch", y.shape.rows)?;
        let loss = self.apply_user(name, f, vec![xb, yb], span).map_err(|d| {
            Diagnostic::new(
                format!(
                    "{name}(Xb, Yb) fails on a batch of {size} column{}: {}",
                    if size == 1 { "" } else { "s" },
                    d.message
                ),
                span,
            )
        })?;
        let shape = self.pool.shape(loss);
        if !shape.is_scalar() {
            return Err(Diagnostic::new(
                format!("{name}(Xb, Yb) must be a scalar loss, not a {shape} matrix"),
                span,
            )
            .with_hint("sum or mean it over the batch"));
        }
        let threads = self.settings.threads;
        let objective =
            Objective::new(&mut self.pool, loss, w, vec![xb, yb], threads).map_err(at(span))?;
        self.check_bound("sgd", &objective, span)?;
        Ok(objective)
    }

    /// The epochs of `run`, its batches gathered into the session's
    /// buffers.
    fn run_sgd(
        &mut self,
        objectives: &mut HashMap<usize, Objective>,
        run: &Sgd,
        (x, y): (&DataSet, &DataSet),
        mut w: Values,
        record: &mut Record,
        span: Span,
    ) -> Eval<Values> {
        let interrupt = self.pool.interrupt_flag();
        let n = x.shape.cols;
        // The batches of X and of Y, gathered a window of them at a time
        // (a seventh of the batches) into the same buffers each window: the
        // fewer windows, the fewer times X is read (each window reads most
        // of its cache lines), but a window is memory held beside X (N1's
        // epoch at batch 128 in the benchmark, windows of an eighth:
        // 326–342 ms, +51–53 MiB for a 359 MiB X; a seventh: 304–318 ms,
        // +57–59 MiB; a sixth: 316 ms, +68 MiB).
        let per_window = n.div_ceil(run.batch).div_ceil(7).max(1);
        let batches = n.div_ceil(run.batch);
        // A batch of every sample is the data itself, read in place in its
        // order: the gradient of a loss that treats the samples alike does
        // not depend on their order, and a copy would hold the data twice.
        let whole = batches == 1;
        // A batch of more than a fifth of the samples is not gathered (a
        // window of it would be more than a fifth of the data beside it)
        // when its program runs in blocks: each block of the program
        // gathers its own samples. They are taken in increasing order, so
        // that the data is read nearly as a stream; the program treats
        // them alike, so their order changes only the rounding. (Such a
        // batch is a window of its own: `per_window` is 1.)
        let pick = !whole && 5 * run.batch > n;
        let mut sorted = Vec::new();
        let last = run.epochs.saturating_mul(batches);
        let mut step = 0;
        let mut norm = 0.0;
        'epochs: for epoch in 1..=run.epochs {
            let order = self.rng.epoch(n, run.batch, run.shuffle);
            let mut total = 0.0;
            let windows = order.chunks(run.batch * per_window);
            let steps = windows.flat_map(|window| {
                window
                    .chunks(run.batch)
                    .enumerate()
                    .map(move |(b, c)| (window, b, c))
            });
            for (window, b, columns) in steps {
                let stopped = format!("in epoch {epoch} of {}, after step {step}", run.epochs);
                if self.stop_on_interrupt(&interrupt, &stopped) {
                    break 'epochs;
                }
                step += 1;
                let objective = objectives.get_mut(&columns.len()).ok_or_else(|| {
                    Diagnostic::new("internal error: no objective for a batch", span)
                })?;
                let picked = pick && objective.picks_batches(&mut self.pool, columns.len());
                let whole_data = [(x.shape, x.data()), (y.shape, y.data())];
                let (batch, samples) = if whole {
                    (whole_data, None)
                } else if picked {
                    sorted.clear();
                    sorted.extend_from_slice(columns);
                    sorted.sort_unstable();
                    (whole_data, Some(&sorted[..]))
                } else {
                    if b == 0 {
                        x.gather(window, run.batch, &mut self.batch_buffers.x);
                        y.gather(window, run.batch, &mut self.batch_buffers.y);
                    }
                    let (xb, yb) = (&self.batch_buffers.x[b], &self.batch_buffers.y[b]);
                    ([(xb.shape, &xb.data[..]), (yb.shape, &yb.data[..])], None)
                };
                let step_result = objective.value_and_grad(&mut self.pool, &w, &batch, samples);
                let (loss, grad) = match step_result {
                    Ok(Ok(r)) => r,
                    Ok(Err(not_finite)) => {
                        let data = format!(
                            "check the data of this batch: samples {}",
                            crate::batches::indices(columns)
                        );
                        let hint = match step {
                            1 => format!(
                                "this is before any step: start where the loss is defined \
                                 (sgd's eighth argument), or {data}"
                            ),
                            _ => format!("{DIVERGED}, or {data}"),
                        };
                        let place = format!("epoch {epoch}, step {step}");
                        return Err(self.not_finite_error(not_finite, &place, &hint, span));
                    }
                    Err(Error::Interrupted) if self.stop_on_interrupt(&interrupt, &stopped) => {
                        break 'epochs;
                    }
                    Err(e) => return Err(at(span)(e)),
                };
                total += loss;
                norm = grad.data.iter().map(|g| g * g).sum::<f64>().sqrt();
                if run.every.is_some_and(|k| step % k == 0 || step == last) {
                    let mut line = format!("epoch {epoch}, step {step}: ");
                    if run.show.batch {
                        line += &format!("batch {}, ", crate::batches::indices(columns));
                    }
                    line += &format!("loss {}", self.progress_number(loss));
                    if run.show.grad {
                        line += &format!(", |grad| {}", self.progress_number(norm));
                    }
                    if run.show.w {
                        line += &format!(", w {}", self.progress_vector(&w.data));
                    }
                    self.report(&line);
                }
                for (v, g) in w.data.iter_mut().zip(&grad.data) {
                    *v -= run.lr * g;
                }
            }
            let mean = total / batches as f64;
            record.losses.push(mean);
            if run.every.is_none() {
                let mut line = format!("epoch {epoch}: mean loss {}", self.progress_number(mean));
                if run.show.grad {
                    line += &format!(", last |grad| {}", self.progress_number(norm));
                }
                if run.show.w {
                    line += &format!(", w {}", self.progress_vector(&w.data));
                }
                self.report(&line);
            }
        }
        Ok(w)
    }

    /// Splits `args` into positional arguments and the named options in `allowed`.
    fn split_options<'a>(
        &mut self,
        name: &str,
        args: &'a [Arg],
        allowed: &[&str],
    ) -> Eval<(Vec<&'a Expr>, Options)> {
        let mut positional = Vec::with_capacity(args.len());
        let mut options = Options::default();
        for a in args {
            match a {
                Arg::Positional(e) => positional.push(e),
                Arg::Named { name: key, value } => {
                    if !allowed.contains(&key.name.as_str()) {
                        return Err(unknown_option(name, key, allowed));
                    }
                    if key.name == "shuffle" {
                        options.shuffle = Some(self.flag(value)?);
                    } else if key.name == "show" {
                        options.show = self.show(name, value)?;
                    } else if key.name == "tol" {
                        let tol = self.number(value)?;
                        if !(tol >= 0.0 && tol.is_finite()) {
                            return Err(Diagnostic::new(
                                format!("tol must be a number ≥ 0, not {tol}"),
                                value.span,
                            ));
                        }
                        options.tol = Some(tol);
                    } else {
                        options.every = Some(self.positive(value, "every")?);
                    }
                }
            }
        }
        Ok((positional, options))
    }

    /// The training record, or an error naming `name` when nothing was recorded.
    fn record(&self, name: &str, span: Span) -> Eval<&Record> {
        match &self.trained {
            None => Err(Diagnostic::new(
                format!("{name}() needs a descend or sgd run first"),
                span,
            )),
            Some(r) if r.losses.is_empty() => Err(Diagnostic::new(
                format!("the latest {} recorded no losses", r.run),
                span,
            )),
            Some(r) => Ok(r),
        }
    }

    /// The symbol to train: `W` after `symbol W[m, n]`, or a scalar name.
    fn symbol_arg(&mut self, e: &Expr) -> Eval<ExprId> {
        let w = self.expr(e)?;
        if !matches!(self.pool.node(w), Node::Symbol { .. }) {
            let hint = self.not_a_symbol_hint(e, "declare it first: symbol W[m, n]".into());
            return Err(
                Diagnostic::new("the second argument must be the symbol to train", e.span)
                    .with_hint(hint),
            );
        }
        Ok(w)
    }

    /// The user function named by `e`, for `sgd`: a function of two arguments.
    fn loss_function(&mut self, e: &Expr) -> Eval<(String, crate::eval::Function)> {
        let hint = "define the loss of a batch first, e.g. L(Xb, Yb) = mean((W*Xb - Yb).^2), then sgd(L, W, …)";
        let ExprKind::Name(name) = &e.kind else {
            return Err(Diagnostic::new(
                "sgd needs the name of a loss function, not an expression",
                e.span,
            )
            .with_hint(hint));
        };
        let Some(f) = self.functions.get(name) else {
            return Err(
                Diagnostic::new(format!("'{name}' is not a function"), e.span).with_hint(hint),
            );
        };
        if f.params.len() != 2 {
            return Err(Diagnostic::new(
                format!(
                    "{name} takes {} argument(s); sgd needs a function of two: a batch of columns of X and the same columns of Y",
                    f.params.len()
                ),
                e.span,
            )
            .with_hint(hint));
        }
        Ok((name.clone(), f.clone()))
    }

    /// A positive learning rate.
    fn learning_rate(&mut self, e: &Expr) -> Eval<f64> {
        let lr = self.number(e)?;
        if !(lr > 0.0 && lr.is_finite()) {
            return Err(Diagnostic::new(
                format!("the learning rate must be a positive number, not {lr}"),
                e.span,
            ));
        }
        Ok(lr)
    }

    /// A number of steps or epochs: an integer ≥ 0.
    fn count(&mut self, e: &Expr, what: &str) -> Eval<usize> {
        self.integer_at_least(e, 0, &format!("{what} must be an integer ≥ 0"))
    }

    /// A batch size or a reporting interval: an integer ≥ 1.
    fn positive(&mut self, e: &Expr, what: &str) -> Eval<usize> {
        self.integer_at_least(e, 1, &format!("{what} must be a positive integer"))
    }

    fn integer_at_least(&mut self, e: &Expr, least: usize, message: &str) -> Eval<usize> {
        let id = self.expr(e)?;
        let n = self.pool.as_num(id).and_then(symgrad::Num::to_i64);
        match n.map(usize::try_from) {
            Some(Ok(n)) if n >= least => Ok(n),
            Some(_) => Err(Diagnostic::new(
                format!("{message}, not {}", n.unwrap_or_default()),
                e.span,
            )),
            None => Err(Diagnostic::new(message, e.span)),
        }
    }

    /// The value of an expression that must be a number.
    fn number(&mut self, e: &Expr) -> Eval<f64> {
        let v = self.numeric(e, "this")?;
        v.as_scalar().ok_or_else(|| {
            Diagnostic::new(
                format!("expected a number, not a {} matrix", v.shape),
                e.span,
            )
        })
    }

    /// The starting value of `w`: `init`, or zeros.
    fn start(&mut self, w: ExprId, init: Option<&&Expr>, span: Span) -> Eval<Values> {
        let shape = self.pool.shape(w);
        let Some(init) = init else {
            return Values::new(shape, vec![0.0; shape.len()]).map_err(at(span));
        };
        let id = self.expr(init)?;
        self.pool.check_binding(w, id).map_err(at(init.span))?;
        self.numeric(init, "the starting value")
    }

    /// Errors unless the objective depends on no symbol but W and the data.
    fn check_bound(&self, name: &str, objective: &Objective, span: Span) -> Eval<()> {
        let unbound: Vec<String> = objective
            .unbound(&self.pool)
            .into_iter()
            .map(|s| self.symbol_name(s))
            .collect();
        let Some(first) = unbound.first() else {
            return Ok(());
        };
        Err(Diagnostic::new(
            format!(
                "{name} needs a value for every symbol but the one it trains; unbound: {}",
                unbound.join(", ")
            ),
            span,
        )
        .with_hint(if name == "sgd" {
            format!("give it a value before training: {first} = …")
        } else {
            format!("put values in first: subs(f, {first} = …)")
        }))
    }

    /// A finished run's numbers as a value: a float, or a matrix of floats.
    fn numeric_value(&mut self, v: Values, span: Span) -> Eval<Value> {
        let id = match v.as_scalar() {
            Some(x) => self.pool.float(x),
            None => Dense::from_f64(v.shape, v.data).and_then(|d| self.pool.dense(d)),
        };
        id.map(Value::Expr).map_err(at(span))
    }

    fn progress_number(&self, x: f64) -> String {
        format_float(x, self.settings.digits.min(PROGRESS_DIGITS))
    }

    /// Numbers in brackets, as progress shows W.
    fn progress_vector(&self, xs: &[f64]) -> String {
        let parts: Vec<String> = xs.iter().map(|&x| self.progress_number(x)).collect();
        format!("[{}]", parts.join(" "))
    }

    /// After Ctrl-C: true, with the flag cleared (so that the weights
    /// reached can still be made a value) and a note for the statement,
    /// which binds its result and then stops with it.
    fn stop_on_interrupt(&mut self, flag: &Option<Arc<AtomicBool>>, at: &str) -> bool {
        let Some(flag) = flag else {
            return false;
        };
        if !flag.swap(false, Ordering::Relaxed) {
            return false;
        }
        self.interrupted = Some(format!("interrupted {at}"));
        true
    }

    /// `true`/`false` (or 1/0) for a yes-or-no option.
    fn flag(&mut self, e: &Expr) -> Eval<bool> {
        if let ExprKind::Name(n) = &e.kind {
            match n.as_str() {
                "true" => return Ok(true),
                "false" => return Ok(false),
                _ => {}
            }
        }
        match self.integer(e) {
            Ok(0) => Ok(false),
            Ok(1) => Ok(true),
            _ => Err(Diagnostic::new("expected true or false", e.span)),
        }
    }

    /// `show = "grad w batch"`: the items progress lines show.
    fn show(&mut self, name: &str, e: &Expr) -> Eval<Show> {
        let words = match &e.kind {
            ExprKind::Str(s) => s.clone(),
            _ => String::new(),
        };
        let allowed: &[&str] = if name == "sgd" {
            &["grad", "w", "batch"]
        } else {
            &["grad", "w"]
        };
        let mut show = Show::default();
        let items: Vec<&str> = words
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        if items.is_empty() {
            return Err(Diagnostic::new(
                format!("show takes a string of {}", allowed.join(", ")),
                e.span,
            )
            .with_hint("e.g. show = \"grad w\""));
        }
        for item in items {
            match item {
                "grad" => show.grad = true,
                "w" => show.w = true,
                "batch" if name == "sgd" => show.batch = true,
                other => {
                    return Err(Diagnostic::new(
                        format!(
                            "show cannot show '{other}'; {name} shows {}",
                            allowed.join(", ")
                        ),
                        e.span,
                    ));
                }
            }
        }
        Ok(show)
    }

    /// A progress line saying so when the loss rose at every `what` (step
    /// or epoch), over three losses or more: the learning rate is too large
    /// for this loss, which numbers growing line by line do not say.
    fn report_divergence(&mut self, losses: &[f64], lr: f64, what: &str) {
        if let [first, .., last] = losses
            && losses.len() >= 3
            && losses.windows(2).all(|w| w[1] > w[0])
        {
            self.report(&format!(
                "the loss rose at every {what}, from {} to {}: the learning rate {} is too large for this loss; try a smaller one",
                self.progress_number(*first),
                self.progress_number(*last),
                self.progress_number(lr)
            ));
        }
    }

    /// A progress line, wrapped at words to the width setting.
    pub(crate) fn report(&mut self, line: &str) {
        let wrapped = crate::commands::wrap_words(line, 2, self.settings.width);
        (self.progress.0)(&wrapped);
    }
}

/// The error for a named option that `name` does not take.
fn unknown_option(name: &str, key: &Ident, allowed: &[&str]) -> Diagnostic {
    let takes = match allowed {
        [] => format!("{name} takes no options"),
        [one] => format!("{name} takes the option {one}"),
        [rest @ .., last] => format!("{name} takes the options {} and {last}", rest.join(", ")),
    };
    Diagnostic::new(format!("unknown option '{}': {takes}", key.name), key.span)
        .with_hint(usage_hint(name))
}

/// Errors when `show = "w"` asks for more weights than a line can hold.
fn check_show(show: Show, len: usize, span: Span) -> Eval<()> {
    if show.w && len > SHOW_W_MAX {
        return Err(Diagnostic::new(
            format!(
                "show = \"w\" prints W on every line, which needs at most {SHOW_W_MAX} entries; this one has {len}"
            ),
            span,
        ));
    }
    Ok(())
}
