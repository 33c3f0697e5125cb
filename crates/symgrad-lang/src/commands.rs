//! Displaying results, symbol declarations and the `:` commands.

use crate::ast::SymbolDecl;
use crate::builtins::{BUILTINS, COMMANDS, CONSTANTS, builtin};
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, at};
use crate::output::Output;
use crate::session::{Failure, Flow, MAX_WIDTH, MIN_WIDTH, OutputForm, Session};
use crate::span::Span;
use crate::suggest::did_you_mean;
use symgrad::{Axis, ExprId, Node, Num, Shape, checked_shape};

/// `:vars` aligns the kinds after names up to this long (longer names push them right).
const MAX_NAME_COLUMN: usize = 40;

/// A scalar result is shown element by element when its matrix parts hold
/// at most this many elements in all (as SymPy shows a small loss).
const EXPAND_FOR_DISPLAY: usize = 1_000;

/// Results with more subexpressions than this are not searched for sums
/// that hold a named score.
const REGROUP_LIMIT: usize = 20_000;

/// Bound matrices of up to this many elements name their elements inside
/// a result shown element by element.
const ELEMENT_NAMES: usize = 64;

/// A scalar written out element by element is shown so only up to this
/// many operations (about a screenful); beyond, in matrix form.
const READABLE_OPS: u64 = 400;

/// ... and whose text form is at most this long (15 lines of 80): `sum(C)`
/// of a 20×20 symbol is 399 additions, 38 lines written out.
const READABLE_CHARS: usize = 1_200;

/// A float matrix is shown as a multiple `c⋅Y` of named float data when each
/// entry is within this many units in the last place of `c` times Y's (and
/// a float as a fraction `c` when it is so near it).
const MULTIPLE_ULPS: f64 = 4.0;

/// How a matrix that may be a multiple of named data `Y` is made from it.
#[derive(Clone, Copy)]
enum FromData {
    /// `Y`
    Itself,
    /// `Yᵀ`
    Transposed,
    /// `sum(Y, axis)`
    Summed(Axis),
    /// `1 − Y`, transposed when `true` (of labels of 0 and 1)
    Complement(bool),
}

/// True when `a` is within [`MULTIPLE_ULPS`] units in the last place of `b`.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= MULTIPLE_ULPS * f64::EPSILON * b.abs()
}

/// The simplest fraction (denominator up to 2⁴⁰) [`close`] to `x`.
fn fraction_near(x: f64) -> Option<symgrad::Rat> {
    let c = symgrad::Rat::near(x, 1e-12, 1 << 40)?;
    close(x, c.to_f64()).then_some(c)
}

/// A term of a sum: its exact number and its other factors.
type Term = (Num, Vec<ExprId>);

/// An exact `c` and the positions of the terms of a sum, `by_factors` (not
/// `taken`), that are `c` times the terms of `score`, one each.
fn scaled_score(
    by_factors: &std::collections::HashMap<Vec<ExprId>, (Num, usize)>,
    taken: &[bool],
    score: &[Term],
) -> Option<(Num, Vec<usize>)> {
    let (c0, factors0) = score.first()?;
    let (c1, _) = by_factors.get(factors0)?;
    let c = c1.mul(&c0.recip().ok()?);
    if !c.is_exact() {
        return None;
    }
    let held = score
        .iter()
        .map(|(ct, factors)| {
            let (cx, k) = by_factors.get(factors)?;
            (!taken[*k] && *cx == c.mul(ct)).then_some(*k)
        })
        .collect::<Option<Vec<usize>>>()?;
    Some((c, held))
}

impl Session {
    /// `e` printed by the named printer, in its display form: pretty and
    /// LaTeX in the names the user bound (unless `:set names off`), text
    /// self-contained so that it reads back anywhere. A closed float
    /// expression whose value is not finite is printed as written
    /// (`pretty(exp(1000.0))`); as a statement's result it is an error.
    pub(crate) fn render(&mut self, e: ExprId, printer: &str) -> symgrad::Result<String> {
        self.render_shown(e, printer, false)
    }

    /// `e` printed as [`Session::render`] does; with `value_must_be_finite`,
    /// a closed float expression whose value is not finite is an error
    /// naming the operation, as for a statement's result.
    pub(crate) fn render_shown(
        &mut self,
        e: ExprId,
        printer: &str,
        value_must_be_finite: bool,
    ) -> symgrad::Result<String> {
        let e = self.display_form(e, value_must_be_finite)?;
        let opts = self.settings.print_options();
        let named = match (printer, self.settings.names) {
            ("text", _) | (_, false) => e,
            // Naming is a courtesy: a binding whose forms cannot be built
            // (`log(hstack(w, 0))` has no element (0, 1)) leaves the result
            // as it is rather than failing it.
            _ => self.named_form(e).ok().flatten().unwrap_or(e),
        };
        Ok(match printer {
            "text" => symgrad::wrap_text_form(&symgrad::text(&self.pool, e, &opts), opts.width),
            "latex" => symgrad::latex(&self.pool, named, &opts),
            _ => symgrad::pretty(&self.pool, named, &opts),
        })
    }

    /// `e` with its subexpressions that are bound to names (intermediate
    /// results such as `A1 = tanh(W1 * X + b1)`, data such as `X`, or their
    /// transposes) shown as those names; `None` when it has none. Names for
    /// a symbol rearranged (`w = W'`, `x = W[0, :]`) are not used: a result
    /// in `W` stays in `W`.
    pub(crate) fn named_form(&mut self, e: ExprId) -> symgrad::Result<Option<ExprId>> {
        // Names are looked for in the form printed, with softmax derivatives
        // written as their formulas (whose softmax may be named).
        let given = e;
        let e = self.pool.written_as_formulas(e)?;
        // A float matrix of one repeated fraction scaling what fills its
        // shape (the ⅓⋅sum(Y, 1) of one-hot float labels) is shown as that
        // fraction: `softmax(W⋅X)/3`.
        let mut fractions = std::collections::HashMap::new();
        let mut reached = self.pool.reachable(e);
        for &id in &reached {
            if let Some(shown) = self.fraction_scaled(id)? {
                fractions.insert(id, shown);
            }
        }
        let e = if fractions.is_empty() {
            e
        } else {
            let replaced = self.pool.replace(e, &fractions)?;
            reached = self.pool.reachable(replaced);
            replaced
        };
        let inside = |id: &ExprId| reached.binary_search(id).is_ok();
        let mut names = std::collections::HashMap::new();
        let bound: Vec<(String, ExprId)> = self.vars.iter().map(|(n, &v)| (n.clone(), v)).collect();
        for (name, value) in bound {
            if value == given || self.only_rearranges_symbols(value) {
                continue;
            }
            let value = self.pool.written_as_formulas(value)?;
            if value == e {
                continue;
            }
            let shape = self.pool.shape(value);
            if inside(&value) {
                let symbol = self.pool.symbol(&name, shape)?;
                names.insert(value, symbol);
            }
            // A 1×1 value names its element as written out too: after
            // `f = sigmoid(w'*x)`, `diff(f, w[0])` reads `f⋅x₀⋅(1 − f)`.
            if shape.is_scalar()
                && let Ok(element) = self.pool.element_of(value, 0, 0)
                && element != value
                && element != e
                && inside(&element)
                && !matches!(
                    self.pool.node(element),
                    Node::Num(_) | Node::Const(_) | Node::Symbol { .. } | Node::Element { .. }
                )
            {
                let symbol = self.pool.symbol(&name, shape)?;
                names.entry(element).or_insert(symbol);
            }
            if !shape.is_scalar()
                && let Ok(transposed) = self.pool.transpose(value)
                && inside(&transposed)
                && transposed != e
                && transposed != value
            {
                let symbol = self.pool.symbol(&name, shape)?;
                let shown = self.pool.transpose(symbol)?;
                names.insert(transposed, shown);
            }
        }
        // Elements of small named matrices of scores (sums of products, as
        // `z0 = W*x + b`): `exp(z0[0])` as the user wrote it, not the sum it
        // stands for.
        let entries: Vec<ExprId> = match self.pool.node(e) {
            Node::Matrix { entries, .. } => entries.clone(),
            _ => Vec::new(),
        };
        // Score sums by the element naming them, to find them inside longer sums.
        let mut scores: Vec<(Vec<ExprId>, ExprId)> = Vec::new();
        let named_matrices: Vec<(String, ExprId)> = self
            .vars
            .iter()
            .filter(|(_, v)| {
                let shape = self.pool.shape(**v);
                !shape.is_scalar() && shape.len() <= ELEMENT_NAMES
            })
            .map(|(n, &v)| (n.clone(), v))
            .collect();
        for (name, value) in named_matrices {
            if value == e || self.only_rearranges_symbols(value) {
                continue;
            }
            if matches!(self.pool.node(value), Node::Dense(_) | Node::Matrix { .. }) {
                continue;
            }
            let shape = self.pool.shape(value);
            let mut elements = Vec::new();
            for i in 0..shape.rows {
                for j in 0..shape.cols {
                    let Ok(element) = self.pool.element_of(value, i, j) else {
                        continue;
                    };
                    let trivial = matches!(
                        self.pool.node(element),
                        Node::Num(_) | Node::Symbol { .. } | Node::Element { .. } | Node::Const(_)
                    );
                    let scores = self.pool.reachable(element).iter().all(|&x| {
                        matches!(
                            self.pool.node(x),
                            Node::Add(_)
                                | Node::Mul(_)
                                | Node::Num(_)
                                | Node::Element { .. }
                                | Node::Symbol { .. }
                        )
                    });
                    let shown_itself = element == e;
                    if trivial || shown_itself || !scores {
                        continue;
                    }
                    elements.push((element, i, j));
                }
            }
            // A result that is these very elements (`elements(g)`) shows them.
            if !entries.is_empty() && entries.iter().all(|x| elements.iter().any(|el| el.0 == *x)) {
                continue;
            }
            let symbol = self.pool.symbol(&name, shape)?;
            // The matrix of all its elements (`softmax([z0₀; z0₁; z0₂])` from
            // simplify) is the named matrix.
            let all: symgrad::Result<Vec<ExprId>> = (0..shape.len())
                .map(|k| self.pool.element_of(value, k / shape.cols, k % shape.cols))
                .collect();
            if let Ok(whole) = all.and_then(|all| self.pool.matrix(shape, all))
                && whole != e
                && inside(&whole)
                && !names.contains_key(&whole)
            {
                names.insert(whole, symbol);
            }
            for (element, i, j) in elements {
                let shown = self.pool.element(symbol, i, j)?;
                if inside(&element) && !names.contains_key(&element) {
                    names.insert(element, shown);
                }
                // Its negation too, as a logistic loss has it: `ℯ^(−z₀₀)`.
                let negated = self.pool.neg(element)?;
                if inside(&negated) && !names.contains_key(&negated) {
                    let minus = self.pool.neg(shown)?;
                    names.insert(negated, minus);
                }
                if let Node::Add(terms) = self.pool.node(element) {
                    scores.push((terms.clone(), shown));
                }
            }
        }
        // Numeric matrices inside `e` that are a multiple of named data, of
        // its transpose, of its sums along rows or columns or of the
        // complement of labels (the −Y/n of a mean's gradient, the
        // −sum(Y, 2)/n of a bias's): shown as that multiple of the name.
        let mut data: Vec<(ExprId, String, Shape, FromData)> = Vec::new();
        for (name, &value) in &self.vars {
            let Node::Dense(d) = self.pool.node(value) else {
                continue;
            };
            let shape = d.shape();
            let small = shape.len() <= 10_000 && !shape.is_scalar();
            let binary = small && d.nums().iter().all(|n| n.is_zero() || n.is_one());
            data.push((value, name.clone(), shape, FromData::Itself));
            if !small {
                continue;
            }
            if let Ok(t) = self.pool.transpose(value)
                && t != value
            {
                data.push((t, name.clone(), shape, FromData::Transposed));
            }
            // Binary labels' complement, as a cross-entropy written out
            // leaves it: `−(1 − y)ᵀ/n`.
            if binary {
                let (one, minus) = (self.pool.int(1)?, self.pool.neg(value)?);
                let complement = self.pool.add(&[one, minus])?;
                let transposed = self.pool.transpose(complement)?;
                data.push((complement, name.clone(), shape, FromData::Complement(false)));
                data.push((transposed, name.clone(), shape, FromData::Complement(true)));
            }
            if shape.rows > 1 && shape.cols > 1 {
                for axis in [Axis::Cols, Axis::Rows] {
                    // Sums too large to hold exactly are not looked for.
                    if let Ok(summed) = self.pool.sum(value, axis) {
                        data.push((summed, name.clone(), shape, FromData::Summed(axis)));
                    }
                }
            }
        }
        for &id in &reached {
            if names.contains_key(&id) || id == e {
                continue;
            }
            for &(value, ref name, shape, from) in &data {
                let c = match (id == value, from) {
                    (true, FromData::Itself) => None,
                    (true, _) => Some(Num::one()),
                    (false, _) => self.multiple_of(id, value),
                };
                if let Some(c) = c {
                    let symbol = self.pool.symbol(name, shape)?;
                    let named = match from {
                        FromData::Itself => symbol,
                        FromData::Transposed => self.pool.transpose(symbol)?,
                        FromData::Summed(axis) => self.pool.sum(symbol, axis)?,
                        FromData::Complement(transposed) => {
                            let y = match transposed {
                                true => self.pool.transpose(symbol)?,
                                false => symbol,
                            };
                            let (one, minus) = (self.pool.int(1)?, self.pool.neg(y)?);
                            self.pool.add(&[one, minus])?
                        }
                    };
                    let c = self.pool.num(c)?;
                    let shown = self.pool.mul(&[c, named])?;
                    names.insert(id, shown);
                    break;
                }
            }
        }
        let named = if names.is_empty() {
            e
        } else {
            self.pool.replace(e, &names)?
        };
        let regrouped = self.regroup_scores(named, &scores)?;
        Ok((regrouped != given).then_some(regrouped))
    }

    /// `e` with each sum that holds all the terms of a named score (and
    /// more), or one number times each, written with the score's name:
    /// `z2₀ − log(…)` rather than `12⋅W₀₀ + … + b₀ − log(…)`, and `z₀₀/8`
    /// for the `W₀₀⋅X₀₀/8 + W₀₁⋅X₀₁/8 + …` of a mean.
    fn regroup_scores(
        &mut self,
        e: ExprId,
        scores: &[(Vec<ExprId>, ExprId)],
    ) -> symgrad::Result<ExprId> {
        let reached = self.pool.reachable(e);
        if scores.is_empty() || reached.len() > REGROUP_LIMIT {
            return Ok(e);
        }
        // Longer scores first: `zz₀₀ = z₀₀ + b₀` is named before `z₀₀`.
        let mut scores: Vec<(Vec<Term>, ExprId)> = scores
            .iter()
            .map(|(terms, shown)| (terms.iter().map(|&t| self.term(t)).collect(), *shown))
            .collect();
        scores.sort_by_key(|(terms, _)| std::cmp::Reverse(terms.len()));
        let mut with = std::collections::HashMap::new();
        for id in reached {
            let Node::Add(terms) = self.pool.node(id) else {
                continue;
            };
            let terms = terms.clone();
            // Like terms are collected, so each product of factors is once
            // in the sum.
            let by_factors: std::collections::HashMap<Vec<ExprId>, (Num, usize)> = terms
                .iter()
                .enumerate()
                .map(|(k, &t)| {
                    let (c, factors) = self.term(t);
                    (factors, (c, k))
                })
                .collect();
            let mut taken = vec![false; terms.len()];
            let mut left = terms.len();
            let mut named = Vec::new();
            for (score, shown) in &scores {
                // A sum that is only the score is named as a whole, elsewhere.
                if score.len() > left || (score.len() == left && named.is_empty()) {
                    continue;
                }
                let Some((c, held)) = scaled_score(&by_factors, &taken, score) else {
                    continue;
                };
                for k in held {
                    taken[k] = true;
                    left -= 1;
                }
                let c = self.pool.num(c)?;
                named.push(self.pool.mul(&[c, *shown])?);
            }
            if !named.is_empty() {
                named.extend(
                    terms
                        .iter()
                        .zip(&taken)
                        .filter(|(_, t)| !**t)
                        .map(|(x, _)| *x),
                );
                let grouped = self.pool.add(&named)?;
                with.insert(id, grouped);
            }
        }
        if with.is_empty() {
            return Ok(e);
        }
        self.pool.replace(e, &with)
    }

    /// A term of a sum as its exact number and its other factors.
    fn term(&self, id: ExprId) -> Term {
        if let Node::Mul(fs) = self.pool.node(id)
            && let Some((first, rest)) = fs.split_first()
            && let Node::Num(c) = self.pool.node(*first)
            && c.is_exact()
        {
            return (c.clone(), rest.to_vec());
        }
        match self.pool.node(id) {
            Node::Mul(fs) => (Num::one(), fs.clone()),
            _ => (Num::one(), vec![id]),
        }
    }

    /// True for a number, a symbol, or a symbol transposed, sliced or indexed:
    /// values whose name would hide the symbol a result is written in.
    fn only_rearranges_symbols(&self, value: ExprId) -> bool {
        match self.pool.node(value) {
            Node::Symbol { .. } | Node::Num(_) | Node::Const(_) | Node::Element { .. } => true,
            Node::Transpose(a) | Node::Slice { arg: a, .. } => self.only_rearranges_symbols(*a),
            _ => false,
        }
    }

    /// `c` when the numeric matrix `x` is `c` times the numeric matrix `v`
    /// (of the same shape, not all zero), with `c` a number not 0 or 1:
    /// exactly for exact matrices; for float ones, `c` a fraction (the
    /// simplest near the ratio of their largest entries) and every entry
    /// of `x` within [`MULTIPLE_ULPS`] units in the last place of `c⋅v`, as
    /// folding `c⋅v` (in one step or a few) leaves it.
    fn multiple_of(&self, x: ExprId, v: ExprId) -> Option<Num> {
        let (Node::Dense(dx), Node::Dense(dv)) = (self.pool.node(x), self.pool.node(v)) else {
            return None;
        };
        if dx.shape() != dv.shape() || x == v || dx.shape().len() > 10_000 {
            return None;
        }
        let (xs, vs) = (dx.nums(), dv.nums());
        let c = match (dx.is_exact(), dv.is_exact()) {
            (true, true) => {
                let k = vs.iter().position(|n| !n.is_zero())?;
                let c = xs[k].mul(&vs[k].recip().ok()?);
                xs.iter()
                    .zip(&vs)
                    .all(|(a, b)| *a == c.mul(b))
                    .then_some(c)?
            }
            (false, false) => {
                let (xs, vs): (Vec<f64>, Vec<f64>) = (
                    xs.iter().map(Num::to_f64).collect(),
                    vs.iter().map(Num::to_f64).collect(),
                );
                let k = (0..vs.len()).max_by(|&i, &j| vs[i].abs().total_cmp(&vs[j].abs()))?;
                let c = fraction_near(xs[k] / vs[k])?;
                let cf = c.to_f64();
                xs.iter()
                    .zip(&vs)
                    .all(|(&a, &b)| close(a, cf * b))
                    .then_some(Num::Rat(c))?
            }
            _ => return None,
        };
        (!c.is_zero() && !c.is_one()).then_some(c)
    }

    /// The product `id` with a factor that is a float matrix of one
    /// repeated value, within [`MULTIPLE_ULPS`] of a simple fraction `c`,
    /// as `c` times the other factors when they fill its shape.
    fn fraction_scaled(&mut self, id: ExprId) -> symgrad::Result<Option<ExprId>> {
        let Node::Mul(factors) = self.pool.node(id) else {
            return Ok(None);
        };
        let (factors, shape) = (factors.clone(), self.pool.shape(id));
        let found = factors.iter().enumerate().find_map(|(k, &f)| {
            let Node::Dense(d) = self.pool.node(f) else {
                return None;
            };
            if d.is_exact() || d.shape().len() > 10_000 {
                return None;
            }
            let values = d.nums();
            let first = values.first()?.to_f64();
            let c = fraction_near(first)?;
            let repeated = values.iter().all(|v| v.to_f64() == first);
            (repeated && !c.is_zero()).then_some((k, c))
        });
        let Some((k, c)) = found else {
            return Ok(None);
        };
        let mut parts = factors;
        parts[k] = self.pool.num(Num::Rat(c))?;
        let shown = self.pool.mul(&parts)?;
        Ok((self.pool.shape(shown) == shape).then_some(shown))
    }

    /// The form in which `e` is shown: a closed expression holding a float
    /// by its value; a scalar built from small matrices (such as a loss over
    /// a few samples) element by element while that stays readable (at most
    /// [`READABLE_OPS`] operations and [`READABLE_CHARS`] characters of
    /// text); everything else as it is, matrix operations whole (`vᵀ⋅A⋅v`).
    fn display_form(&mut self, e: ExprId, value_must_be_finite: bool) -> symgrad::Result<ExprId> {
        match self.closed_float_value(e) {
            Ok(Some(value)) => return Ok(value),
            Err(symgrad::Error::Domain(_)) if !value_must_be_finite => return Ok(e),
            Err(err) => return Err(err),
            Ok(None) => {}
        }
        let parts = self.pool.matrix_elements(e, EXPAND_FOR_DISPLAY);
        if !self.pool.shape(e).is_scalar() || parts == 0 || parts > EXPAND_FOR_DISPLAY {
            return Ok(e);
        }
        // An element form that cannot be built (log(0) in one element) is
        // not shown; the matrix form is.
        let Ok(elements) = self.pool.element_of(e, 0, 0) else {
            return Ok(e);
        };
        let readable = self.pool.size(elements) <= READABLE_OPS && {
            let opts = self.settings.print_options();
            let text = symgrad::text(&self.pool, elements, &opts);
            text.chars().count() <= READABLE_CHARS
        };
        Ok(if readable { elements } else { e })
    }

    /// `symbol W[3, 4]`: declares a symbol and binds its name.
    pub(crate) fn declare(&mut self, decl: &SymbolDecl) -> Eval<()> {
        let dims = decl
            .dims
            .iter()
            .map(|d| self.dimension(d))
            .collect::<Eval<Vec<_>>>()?;
        let shape = match dims.as_slice() {
            [] => Shape::SCALAR,
            [m] => checked_shape(*m, 1).map_err(at(decl.name.span))?,
            [m, n] => checked_shape(*m, *n).map_err(at(decl.name.span))?,
            _ => {
                return Err(Diagnostic::new(
                    "a symbol has at most two dimensions: symbol W[m, n]",
                    decl.name.span,
                ));
            }
        };
        let name = &decl.name.name;
        if builtin(name).is_some() || CONSTANTS.iter().any(|(c, _)| c == name) {
            return Err(Diagnostic::new(
                format!("'{name}' is a built-in name and cannot be a symbol"),
                decl.name.span,
            ));
        }
        let id = self.pool.symbol(name, shape).map_err(at(decl.name.span))?;
        self.pool.set_one_hot(id, decl.one_hot);
        self.vars.insert(name.clone(), id);
        Ok(())
    }

    /// Runs a `:` command.
    pub(crate) fn command(
        &mut self,
        name: &str,
        args: &str,
        args_span: Span,
        span: Span,
        emit: &mut dyn FnMut(Output),
    ) -> Result<Flow, Failure> {
        match name {
            "help" => emit(Output::plain(self.help(args, args_span)?)),
            "vars" => emit(Output::plain(self.vars_listing())),
            "load" => return self.load(args.trim_matches('"'), args_span, emit),
            "reset" => {
                let settings = self.settings.clone();
                let interrupt = self.pool.interrupt_flag();
                let progress = std::mem::take(&mut self.progress);
                let notes = std::mem::take(&mut self.notes).restarted();
                *self = Session::new();
                self.notes = notes;
                self.settings = settings;
                self.progress = progress;
                if let Some(flag) = interrupt {
                    self.pool.set_interrupt(flag);
                }
            }
            "set" => self.set(args, args_span)?,
            "quit" | "q" | "exit" => return Ok(Flow::Quit),
            _ => {
                let mut d = Diagnostic::new(format!("unknown command ':{name}'"), span);
                let names = COMMANDS.iter().map(|c| &c.name[1..]);
                if let Some(s) = did_you_mean(name, names) {
                    d = d.with_hint(format!("did you mean ':{s}'?"));
                } else {
                    d = d.with_hint(":help lists the commands");
                }
                return Err(d.into());
            }
        }
        Ok(Flow::Continue)
    }

    fn set(&mut self, args: &str, span: Span) -> Eval<()> {
        let mut words = args.split_whitespace();
        let (key, value) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        let number = || value.parse::<usize>().ok().filter(|&n| n > 0);
        match (key, value) {
            ("width", _) => {
                self.settings.width = number()
                    .filter(|n| (MIN_WIDTH..=MAX_WIDTH).contains(n))
                    .ok_or_else(|| {
                        Diagnostic::new(
                            format!(
                                "width must be a whole number of columns from {MIN_WIDTH} to {MAX_WIDTH}"
                            ),
                            span,
                        )
                    })?
            }
            ("digits", _) => {
                self.settings.digits = number().filter(|&n| n <= 17).ok_or_else(|| {
                    Diagnostic::new("digits must be a whole number from 1 to 17", span)
                })?
            }
            ("threads", _) => {
                self.settings.threads = number().filter(|&n| n <= 256).ok_or_else(|| {
                    Diagnostic::new("threads must be a whole number from 1 to 256", span)
                })?
            }
            ("names", "on") => self.settings.names = true,
            ("names", "off") => self.settings.names = false,
            ("names", _) => return Err(Diagnostic::new("names is on or off", span)),
            ("output", form) => {
                self.settings.output = OutputForm::from_name(form).ok_or_else(|| {
                    let names = OutputForm::NAMES.join(", ");
                    Diagnostic::new(format!("output is one of {names}"), span)
                })?
            }
            _ => {
                return Err(Diagnostic::new(
                    "usage: :set width N | digits N | names on|off | output pretty|text|latex | threads N",
                    span,
                ));
            }
        }
        Ok(())
    }

    fn vars_listing(&self) -> String {
        let functions: Vec<_> = self.functions.iter().filter(|(_, f)| !f.prelude).collect();
        if self.vars.is_empty() && functions.is_empty() {
            return "no names are bound".into();
        }
        let width = self
            .vars
            .keys()
            .chain(functions.iter().map(|(k, _)| *k))
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0)
            .min(MAX_NAME_COLUMN);
        // Padded by hand: a format width is limited to 65 535.
        let pad = |name: &str| {
            let n = name.chars().count();
            format!("{name}{}", " ".repeat(width.saturating_sub(n)))
        };
        let mut lines = Vec::new();
        for (name, &id) in &self.vars {
            let shape = self.pool.shape(id);
            let kind = match self.pool.node(id) {
                Node::Symbol { .. } if shape.is_scalar() => "scalar symbol".to_string(),
                Node::Symbol { .. } => format!("{}×{} matrix symbol", shape.rows, shape.cols),
                _ if shape.is_scalar() => "scalar".to_string(),
                _ => format!("{}×{} matrix", shape.rows, shape.cols),
            };
            lines.push(format!("{}  {kind}", pad(name)));
        }
        for (name, f) in functions {
            lines.push(format!(
                "{}  function of {}",
                pad(name),
                f.params.join(", ")
            ));
        }
        lines.join("\n")
    }

    fn help(&self, topic: &str, span: Span) -> Eval<String> {
        let topic = topic.trim();
        if topic.is_empty() {
            return Ok(self.help_index());
        }
        if let Some(text) = self.function_help(topic) {
            return Ok(text);
        }
        if let Some(b) = builtin(topic) {
            return Ok(format!(
                "{}\n  {}\n{}",
                wrap_usage(b.usage, 0),
                wrap_words(b.summary, 2, HELP_WIDTH),
                example_line(b.example)
            ));
        }
        let as_command = if topic.starts_with(':') {
            topic.to_string()
        } else {
            format!(":{topic}")
        };
        if let Some(c) = COMMANDS.iter().find(|c| c.name == as_command) {
            return Ok(format!(
                "{}\n  {}",
                wrap_usage(c.usage, 0),
                wrap_words(c.summary, 2, HELP_WIDTH)
            ));
        }
        if let Some((c, what)) = CONSTANTS.iter().find(|(c, _)| *c == topic) {
            return Ok(format!("{c}: the constant {what}"));
        }
        if let Some(text) = TOPICS
            .iter()
            .find(|(t, _)| *t == topic)
            .map(|(_, text)| *text)
        {
            return Ok(text.to_string());
        }
        let names = BUILTINS
            .iter()
            .map(|b| b.name)
            .chain(self.functions.keys().map(String::as_str))
            .chain(TOPICS.iter().map(|(t, _)| *t));
        let mut d = Diagnostic::new(format!("no help on '{topic}'"), span);
        if let Some(s) = did_you_mean(topic, names) {
            d = d.with_hint(format!("did you mean '{s}'?"));
        }
        Err(d)
    }
}

/// Help topics that are not single functions.
pub(crate) const TOPICS: &[(&str, &str)] = &[
    (
        "symbol",
        "symbol a, b        declare scalar symbols (an unbound name is one anyway)\nsymbol W[3, 4]     declare a 3×4 matrix symbol; its elements print W₀₀, W₀₁, …\nsymbol b[3]        a 3×1 column symbol\nsymbol Y[3, 5] onehot  labels: each column one 1, the rest 0 (sum(Y, 1) is 1)",
    ),
    (
        "operators",
        "A * B   matrix product of two matrices; scaling when one side is a scalar\nA .* B  elementwise product (∘)   A ./ B  elementwise division (⊘)\nA .^ n  elementwise power (A∘ⁿ)   exp(A), log(A), …  elementwise functions\nA / c   division (by a scalar, or elementwise with broadcasting)\nA ^ n   power of a scalar, or integer power of a square matrix\nA'  A.T transpose    A[i, j]  A[i]  A[0:2, :]  indexing and slicing (0-based)\nX[:, idx]  X[idx, :]  v[idx]  the columns, rows, entries at the positions in idx\n+ - .* ./ broadcast as NumPy does: scalars, m×1 columns, 1×n rows\nA == B  A != B  A < B  A <= B  A > B  A >= B  compare numbers elementwise:\n        exact 1 where it holds, else 0; below arithmetic (1 + 1 == 2 is 1);\n        no derivative",
    ),
    (
        "literals",
        "42, -7, 1/3   exact rationals    0.25, 1e-3   floats    E, pi   constants\n[1, 0, 0]     a 3×1 column vector    [[1, 2], [3, 4]]   a matrix given by rows",
    ),
    (
        "sympy",
        "SymPy                            symgrad\nsymbols('x y')                   symbol x, y   (or just use x and y)\nMatrixSymbol('W', 3, 4)          symbol W[3, 4]\nMatrix([[1, 2], [3, 4]])         [[1, 2], [3, 4]]\nRational(1, 3)                   1/3   (exact)\npprint(e), str(e), latex(e)      e (2-D), text(e), latex(e)\ne.diff(x), diff(f, x, 2)         diff(e, x), diff(f, x, 2)\ndiff(f, W) by a MatrixSymbol     grad(f, W)   (also diff(f, W))\ne.subs(x, 2), e.subs({W: V})     subs(e, x = 2), subs(e, W = V)\ne.evalf(subs={W: V}), N(e)       eval(e, W = V), eval(e)\nlambdify(W, e, 'numpy')          code(e, \"numpy\")   (also \"jax\", \"torch\")\nsp.exp, sp.log, sp.sqrt, Abs     exp, log, sqrt, abs",
    ),
    (
        "numpy",
        "NumPy                          symgrad\nA @ B                          A * B\na * b (elementwise)            a .* b\nW ** 2 (elementwise)           W .^ 2   (W^2 of a square matrix is W⋅W)\nA.T, A.shape, A.sum()          A' or A.T, shape(A), sum(A)\nnp.sum(A, axis=0), axis=1      sum(A, 1) down columns, sum(A, 2) along rows\nnp.linalg.inv, solve, det      inv(A) or A^-1, solve(A, b), det(A)\nnp.linalg.slogdet(A)[1]        logdet(A)\nnp.dot(a, b), np.linalg.norm   dot(a, b), norm(A)\nnp.eye(n), np.identity(n)      eye(n)\nnp.log1p, np.expm1, erf        log1p, expm1, erf\nnp.arcsin, arccos, arctan      asin, acos, atan",
    ),
];

impl Session {
    /// `:help` with no topic: every function, loss and command.
    fn help_index(&self) -> String {
        let mut out = String::from("Functions (:help NAME for more):\n");
        for b in BUILTINS {
            out.push_str(&index_line(b.usage, b.summary));
        }
        out.push_str("\nLosses (prelude, written in symgrad; :help NAME shows the formula):\n");
        for (_, usage, summary) in crate::prelude::entries() {
            out.push_str(&index_line(usage, summary));
        }
        let own: Vec<_> = self.functions.values().filter(|f| !f.prelude).collect();
        if !own.is_empty() {
            out.push_str("\nYour functions:\n");
            for f in own {
                out.push_str(&format!("  {}\n", f.source.trim()));
            }
        }
        out.push_str("\nCommands:\n");
        for c in COMMANDS {
            out.push_str(&index_line(c.name, c.summary));
        }
        out.push_str("\nMore topics (:help TOPIC): symbol, operators, literals, numpy, sympy");
        out
    }
}

/// The usage column of the `:help` index is this wide; a longer usage gets
/// a line of its own, with its summary indented below it.
const INDEX_WIDTH: usize = 27;

/// Help text fits a terminal this wide.
pub(crate) const HELP_WIDTH: usize = 80;

/// One entry of the `:help` index: usage, then summary, wrapped at word
/// boundaries to [`HELP_WIDTH`] with the summary's column kept.
fn index_line(usage: &str, summary: &str) -> String {
    let indent = 2 + INDEX_WIDTH + 1;
    let summary = wrap_words(summary, indent, HELP_WIDTH);
    if usage.chars().count() <= INDEX_WIDTH {
        format!("  {usage:INDEX_WIDTH$} {summary}\n")
    } else {
        format!(
            "  {}\n{}{summary}\n",
            wrap_usage(usage, 2),
            " ".repeat(indent)
        )
    }
}

/// A usage line starting at column `indent`, where it is wider than
/// [`HELP_WIDTH`] broken before its alternatives (` | `), then before its
/// optional parts (` [`); continuation lines are indented two more columns.
fn wrap_usage(usage: &str, indent: usize) -> String {
    let room = HELP_WIDTH.saturating_sub(indent + 2);
    let mut lines: Vec<String> = Vec::new();
    for (k, alternative) in usage.split(" | ").enumerate() {
        let mut line = if k == 0 { String::new() } else { "| ".into() };
        let mut rest = alternative;
        while let Some(i) = rest.get(1..).and_then(|r| r.find(" [")).map(|i| i + 1) {
            let (part, tail) = rest.split_at(i);
            if !line.trim().is_empty() && line.chars().count() + part.chars().count() > room {
                lines.push(std::mem::take(&mut line));
                line.push_str(part.trim_start());
            } else {
                line.push_str(part);
            }
            rest = tail;
        }
        if !line.trim().is_empty() && line.chars().count() + rest.chars().count() > room {
            lines.push(std::mem::take(&mut line));
            line.push_str(rest.trim_start());
        } else {
            line.push_str(rest);
        }
        lines.push(line);
    }
    if usage.chars().count() + indent <= HELP_WIDTH {
        return usage.to_string();
    }
    lines.join(&format!("\n{}", " ".repeat(indent + 2)))
}

/// An example line, `  example: …`, broken after the `; ` between its
/// statements where it is wider than [`HELP_WIDTH`].
fn example_line(example: &str) -> String {
    const LEAD: &str = "  example: ";
    if LEAD.len() + example.chars().count() <= HELP_WIDTH {
        return format!("{LEAD}{example}");
    }
    let pad = format!(";\n{}", " ".repeat(LEAD.len()));
    format!(
        "{LEAD}{}",
        example.split("; ").collect::<Vec<_>>().join(&pad)
    )
}

/// `text` wrapped at spaces into lines of at most `width` columns, the
/// first starting at column `indent` and the rest indented to it.
pub(crate) fn wrap_words(text: &str, indent: usize, width: usize) -> String {
    let room = width.saturating_sub(indent).max(1);
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split(' ') {
        let Some(line) = lines.last_mut() else { break };
        let used = line.chars().count();
        if used > 0 && used + 1 + word.chars().count() > room {
            lines.push(word.to_string());
        } else {
            if used > 0 {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join(&format!("\n{}", " ".repeat(indent)))
}
