//! LaTeX: `\frac{a}{b}`, `e^{x}`, `\mathbf{W}^\top`, `W_{0,1}`, `\odot`,
//! `\begin{bmatrix}…\end{bmatrix}`.

use super::PrintOptions;
use super::boxes::str_width;
use super::form::{self, Divided, Part, Product, Quotient, Term};
use super::layout::{Fitted, column_split, columns_heading};
use super::names;
use super::prec::{FACTOR, POSTFIX_ARG, POW_BASE, Prec, TERM};
use super::pretty::shown;
use crate::{Axis, Constant, Dense, ExprId, Node, Num, Pool, Rat, Shape, format_float};
use rustc_hash::FxHashMap;

/// LaTeX for an expression (math mode, without delimiters). A sum whose
/// pretty form is wider than `opts.width` breaks between terms into lines
/// of an `aligned` environment, by the same rule as the pretty printer;
/// what the pretty form names to fit (`where u₀ = …`) is named here too, its
/// definitions on the lines below (`\text{where } u_{0} = …`). Source lines
/// are broken at spaces to fit the width.
pub fn latex(pool: &Pool, id: ExprId, opts: &PrintOptions) -> String {
    let no_names = FxHashMap::default();
    let plain = Latex {
        pool,
        digits: opts.digits,
        names: &no_names,
        defining: None,
    };
    let source = super::with_stack(pool, id, false, || {
        if pool.depth(id) > 100 {
            return plain.expr(id).s;
        }
        // `3000 \times 12\ \text{matrix, rows 4–2995 not shown}` first.
        let caption = |blocks| {
            super::pretty::elided(pool, id, blocks).map(|(shape, hidden)| {
                let (m, n) = (shape.rows, shape.cols);
                format!("{m} \\times {n}\\ \\text{{matrix, {hidden} not shown}}")
            })
        };
        let pretty = super::pretty::Pretty::new(pool, opts.digits, &no_names, None);
        if pretty.expr(id).width() <= opts.width {
            let whole = plain.expr(id).s;
            return match caption(false) {
                Some(c) => aligned(&[c, whole]),
                None => whole,
            };
        }
        let fitted = Fitted::new(pool, id, opts);
        let mut lines: Vec<String> = caption(true).into_iter().collect();
        if fitted.defs.is_empty() {
            lines.extend(plain.lines(id, opts, &no_names));
            return aligned(&lines);
        }
        let names: FxHashMap<ExprId, String> = fitted
            .names
            .iter()
            .map(|(&e, n)| (e, latex_name(n)))
            .collect();
        let named = |defining| Latex {
            pool,
            digits: opts.digits,
            names: &names,
            defining,
        };
        lines.extend(named(None).lines(id, opts, &fitted.names));
        for (k, def) in fitted.defs.iter().enumerate() {
            let room = PrintOptions {
                width: opts.width.saturating_sub(str_width(&def.prefix)),
                ..*opts
            };
            let lead = if k == 0 {
                "\\text{where } "
            } else {
                "\\phantom{\\text{where }} "
            };
            let body = named(Some(def.id)).lines(def.id, &room, &fitted.names);
            for (i, line) in body.into_iter().enumerate() {
                lines.push(match i {
                    0 => format!("{lead}{} = {line}", names[&def.id]),
                    _ => format!("\\qquad {line}"),
                });
            }
        }
        aligned(&lines)
    });
    super::wrap::wrap_latex(&source, opts.width)
}

/// Lines in an `aligned` environment, each aligned at its start.
fn aligned(lines: &[String]) -> String {
    if let [one] = lines {
        return one.clone();
    }
    let lines: Vec<String> = lines.iter().map(|l| format!("&{l}")).collect();
    format!(
        "\\begin{{aligned}}{}\\end{{aligned}}",
        lines.join(" \\\\\n")
    )
}

/// The LaTeX of a name given by the pretty layout: `u₀` → `u_{0}`, `U₀` →
/// `\mathbf{U}_{0}`.
fn latex_name(pretty: &str) -> String {
    let subscript = |c: &char| ('₀'..='₉').contains(c);
    let digits: String = pretty
        .chars()
        .filter(subscript)
        .filter_map(|c| char::from_digit(c as u32 - '₀' as u32, 10))
        .collect();
    let base: String = pretty
        .chars()
        .filter(|c| !('₀'..='₉').contains(c))
        .collect();
    let letter = match base.as_str() {
        "ζ" => "\\zeta".to_string(),
        "ξ" => "\\xi".to_string(),
        "Ξ" => "\\mathbf{\\Xi}".to_string(),
        "Ψ" => "\\mathbf{\\Psi}".to_string(),
        b if b.chars().all(|c| c.is_ascii_uppercase()) => format!("\\mathbf{{{b}}}"),
        b => b.to_string(),
    };
    format!("{letter}_{{{digits}}}")
}

/// LaTeX with the binding of its outer operator. A superscripted form
/// (`e^{x}`, `\mathbf{W}^\top`) binds as a power, so that it is bracketed
/// before another superscript.
#[derive(Clone)]
struct Out {
    s: String,
    prec: Prec,
}

impl Out {
    fn new(s: impl Into<String>, prec: Prec) -> Out {
        Out { s: s.into(), prec }
    }

    fn at(self, min: Prec) -> String {
        if self.prec.needs_parens(min) {
            format!("\\left({}\\right)", self.s)
        } else {
            self.s
        }
    }
}

struct Latex<'a> {
    pool: &'a Pool,
    digits: usize,
    /// Subexpressions shown by a name defined below.
    names: &'a FxHashMap<ExprId, String>,
    /// The expression being defined: never shown by its own name.
    defining: Option<ExprId>,
}

impl Latex<'_> {
    /// The name `id` is shown by, if it is not the expression being defined.
    fn name_of(&self, id: ExprId) -> Option<&str> {
        (self.defining != Some(id))
            .then(|| self.names.get(&id).map(String::as_str))
            .flatten()
    }

    fn expr(&self, id: ExprId) -> Out {
        if let Some(name) = self.name_of(id) {
            return Out::new(name, Prec::Atom);
        }
        match form::term(self.pool, id) {
            (neg, Term::Num(n)) => signed(neg, self.number(&n)),
            (neg, Term::Product(p)) => self.product(neg, &p),
            (_, Term::Other) => self.node(id),
        }
    }

    fn node(&self, id: ExprId) -> Out {
        match self.pool.node(id) {
            Node::Num(n) => self.number(n),
            Node::Const(Constant::E) => Out::new("e", Prec::Atom),
            Node::Const(Constant::Pi) => Out::new("\\pi", Prec::Atom),
            Node::Symbol { name, shape } if shape.is_scalar() => {
                Out::new(names::latex_symbol(name), Prec::Atom)
            }
            // Bold for a matrix: a long name's `\mathit` would undo the
            // bold (MathJax), and the bold already groups its letters.
            Node::Symbol { name, .. } => Out::new(
                format!(
                    "\\mathbf{{{}}}",
                    names::latex_symbol(name).replace("\\mathit{", "{")
                ),
                Prec::Atom,
            ),
            Node::Element { symbol, row, col } => self.element(*symbol, *row, *col),
            Node::Matrix { .. } | Node::Dense(_) if form::is_identity(self.pool, id) => {
                Out::new("I", Prec::Atom)
            }
            Node::Matrix { .. } if form::diagonal_of(self.pool, id).is_some() => {
                let v = form::diagonal_of(self.pool, id).unwrap_or(id);
                call("\\operatorname{diag}", &[self.expr(v).s])
            }
            Node::Matrix { shape, .. } => Out::new(self.matrix(id, &shown(shape.cols)), Prec::Atom),
            Node::Dense(d) => Out::new(self.matrix(id, &shown(d.shape().cols)), Prec::Atom),
            Node::Add(_) => {
                let named = |t: ExprId| self.name_of(t).is_some();
                match form::over_denominator(self.pool, id, named) {
                    Some((c, terms)) => self.scaled_sum(id, &c, &terms),
                    None => self.sum(&self.pool.terms_as_shown(id)),
                }
            }
            Node::Mul(_) => self.expr(id),
            Node::Pow(b, e) => self.power(*b, *e),
            Node::MatMul(a, b) => self.matmul(id, *a, *b),
            Node::MatPow(a, n) => pow(self.expr(*a), &n.to_string()),
            Node::Transpose(a) => Out::new(
                format!("{}^\\top", self.expr(*a).at(POSTFIX_ARG)),
                Prec::Pow,
            ),
            Node::Apply(f, a) => self.apply(*f, *a),
            Node::Reduce(crate::Reduction::Sum, axis, a)
                if let Some((x, y, first)) = form::inner_product(self.pool, *axis, *a) =>
            {
                let transposed = |id: ExprId| match self.pool.node(id) {
                    Node::Transpose(inner) if self.name_of(id).is_none() => {
                        self.expr(*inner).at(POSTFIX_ARG)
                    }
                    _ => format!("{}^\\top", self.expr(id).at(POSTFIX_ARG)),
                };
                let plain = |id: ExprId| self.expr(id).at(FACTOR);
                let (l, r) = if first {
                    (transposed(x), plain(y))
                } else {
                    (plain(x), transposed(y))
                };
                Out::new(format!("{l} {r}"), Prec::Mul)
            }
            Node::Reduce(crate::Reduction::Sum, axis, a)
                if let Some((c, inner)) = self.number_inside(*a) =>
            {
                let (p, neg) = form::scaled(&c, vec![id]);
                if let Some((axis, _)) = p.mean(self.pool) {
                    return signed(neg, self.op_of("mean", inner.s, axis, None));
                }
                let shown = self.op_of("sum", inner.s, *axis, None);
                self.quotient(neg, &p, Some(&(id, shown)))
            }
            Node::Reduce(r, axis, a) => self.op(names::reduction(*r), *a, *axis, None),
            Node::Softmax(axis, a) => self.op("softmax", *a, *axis, Some(Axis::Cols)),
            Node::SoftmaxJvp(..) => self.expr(self.pool.formula(id)),
            Node::Trace(a) => call("\\operatorname{tr}", &[self.expr(*a).s]),
            Node::Diag(a) => call("\\operatorname{diag}", &[self.expr(*a).s]),
            Node::Det(a) => call("\\det", &[self.expr(*a).s]),
            Node::LogDet(a) => call("\\operatorname{logdet}", &[self.expr(*a).s]),
            Node::Stack { vertical, parts } => {
                let parts: Vec<String> = parts.iter().map(|&p| self.expr(p).s).collect();
                let op = if *vertical { "vstack" } else { "hstack" };
                call(&format!("\\operatorname{{{op}}}"), &parts)
            }
            Node::Slice { arg, rows, cols } => {
                let index = form::index(*rows, *cols, self.pool.shape(*arg));
                let base = self.expr(*arg).at(POSTFIX_ARG);
                Out::new(format!("{base}\\left[{index}\\right]"), Prec::Postfix)
            }
        }
    }

    /// `W_{0,1}`; a name that has a subscript of its own is braced first.
    fn element(&self, symbol: ExprId, row: usize, col: usize) -> Out {
        let name = match self.pool.node(symbol) {
            Node::Symbol { name, .. } if self.name_of(symbol).is_none() => {
                names::latex_symbol(name)
            }
            _ => self.expr(symbol).s,
        };
        let name = if name.contains('_') {
            format!("{{{name}}}")
        } else {
            name
        };
        if self.pool.shape(symbol).cols == 1 {
            return Out::new(format!("{name}_{{{row}}}"), Prec::Atom);
        }
        Out::new(format!("{name}_{{{row},{col}}}"), Prec::Atom)
    }

    /// `3`, `\frac{1}{3}`, `0.25`, `1.5 \cdot 10^{-7}` (signed as given).
    fn number(&self, n: &Num) -> Out {
        let sign = if n.is_negative() { "-" } else { "" };
        let prec = if n.is_negative() {
            Prec::Neg
        } else {
            Prec::Atom
        };
        match n {
            Num::Rat(r) if r.is_integer() => Out::new(r.to_string(), prec),
            Num::Rat(r) => {
                let frac = format!("\\frac{{{}}}{{{}}}", r.numer().magnitude(), r.denom());
                Out::new(format!("{sign}{frac}"), Prec::Mul)
            }
            Num::Float(x) => float(&format_float(*x, self.digits), prec),
        }
    }

    /// The lines showing `id`: a sum in lines of whole terms where its
    /// pretty form (with the pretty `names`) would be wider than the width,
    /// anything else on one line.
    fn lines(
        &self,
        id: ExprId,
        opts: &PrintOptions,
        names: &FxHashMap<ExprId, String>,
    ) -> Vec<String> {
        if self.name_of(id).is_some() {
            return vec![self.expr(id).s];
        }
        if let Some(blocks) = self.column_blocks(id, opts, names) {
            return blocks;
        }
        let terms = match self.pool.node(id) {
            Node::Add(_) => self.pool.terms_as_shown(id),
            Node::Mul(_) => vec![id],
            _ => return vec![self.expr(id).s],
        };
        let pretty = super::pretty::Pretty::new(self.pool, opts.digits, names, self.defining);
        let mut lines: Vec<Vec<(ExprId, usize)>> = vec![Vec::new()];
        let mut used = 0;
        for (t, _, p) in pretty.terms(&terms) {
            let w = p.width() + 3;
            if used + w > opts.width && !lines[lines.len() - 1].is_empty() {
                lines.push(Vec::new());
                used = 0;
            }
            used += w;
            if let Some(line) = lines.last_mut() {
                line.push((t, w));
            }
        }
        let mut out = Vec::new();
        for (k, line) in lines.iter().enumerate() {
            let mut s = String::new();
            for (i, &(t, w)) in line.iter().enumerate() {
                let first = k == 0 && i == 0;
                // A product wider than the width is alone on its line:
                // its factors go on lines of their own.
                if w > opts.width
                    && self.name_of(t).is_none()
                    && let (neg, Term::Product(p)) = form::term(self.pool, t)
                    && let Some(rows) = self.factor_lines(&p, &pretty, opts.width)
                {
                    let sign = match (first, neg) {
                        (true, false) => "",
                        (true, true) => "-",
                        (false, true) => "- ",
                        (false, false) => "+ ",
                    };
                    out.push(format!("{sign}{}", rows[0]));
                    out.extend(rows[1..].iter().map(|r| format!("\\quad {r}")));
                    continue;
                }
                let (neg, shown) = self.term(t);
                match (first, neg) {
                    (true, _) => s.push_str(&signed(neg, shown).at(Prec::Add)),
                    (false, true) => s.push_str(&format!(" - {}", shown.at(TERM))),
                    (false, false) => s.push_str(&format!(" + {}", shown.at(TERM))),
                }
            }
            if !s.is_empty() {
                out.push(s.trim_start().to_string());
            }
        }
        out
    }

    /// A matrix whose pretty form is wider than the width in blocks of
    /// columns as the pretty printer splits it, each under its heading
    /// (`columns 0–3`); None for anything else.
    fn column_blocks(
        &self,
        id: ExprId,
        opts: &PrintOptions,
        names: &FxHashMap<ExprId, String>,
    ) -> Option<Vec<String>> {
        let (Node::Matrix { .. } | Node::Dense(_)) = self.pool.node(id) else {
            return None;
        };
        let pretty = super::pretty::Pretty::new(self.pool, opts.digits, names, self.defining);
        if pretty.expr(id).width() <= opts.width {
            return None;
        }
        let n = self.pool.shape(id).cols;
        let blocks = column_split(&pretty, n, id, opts.width).ok()?;
        let mut lines = Vec::new();
        for cols in blocks {
            lines.push(format!("\\text{{{}}}", columns_heading(&cols)));
            lines.push(self.matrix(id, &cols));
        }
        Some(lines)
    }

    /// A matrix literal or numeric matrix with the given columns (`None`
    /// marks elided ones); more than [`MAX_SHOWN`](super::pretty::MAX_SHOWN)
    /// rows show their first and last around `\vdots`, as in the pretty form.
    fn matrix(&self, id: ExprId, cols: &[Option<usize>]) -> String {
        let shape = self.pool.shape(id);
        match self.pool.node(id) {
            Node::Matrix { entries, .. } => grid(shape, cols, |i, j| {
                entries
                    .get(i * shape.cols + j)
                    .map_or_else(String::new, |&e| self.expr(e).s)
            }),
            Node::Dense(d) => self.dense_matrix(d, cols),
            _ => String::new(),
        }
    }

    /// The given columns of a numeric matrix.
    fn dense_matrix(&self, d: &Dense, cols: &[Option<usize>]) -> String {
        grid(d.shape(), cols, |i, j| self.number(&d.get(i, j)).s)
    }

    /// The factors of a product (without a denominator) in lines whose
    /// pretty forms fit `width`, continuations led by `\cdot` (or `\odot`
    /// for an elementwise product); None for one factor or a quotient.
    fn factor_lines(
        &self,
        p: &Product,
        pretty: &super::pretty::Pretty,
        width: usize,
    ) -> Option<Vec<String>> {
        if p.mean(self.pool).is_some() {
            return None;
        }
        let Quotient { num, den } = p.quotient(self.pool);
        if !den.is_empty() || num.len() < 2 {
            return None;
        }
        let marks = form::hadamard_marks(self.pool, &num);
        let mut rows = vec![String::new()];
        let mut used = 0;
        for (i, (part, elementwise)) in num.iter().zip(marks).enumerate() {
            let w = match part {
                Part::Int(n) => n.to_string().len(),
                Part::Float(x) => format_float(*x, self.digits).len(),
                Part::Expr(e) | Part::Root(e) => pretty.expr(*e).width() + 2,
                Part::Power(b, _) => pretty.expr(*b).width() + 4,
            };
            if i > 0 && used + w > width {
                rows.push(String::new());
                used = 0;
            }
            used += w;
            let f = self.part(part).at(form::factor_prec(self.pool, &num, i));
            let row = rows.last_mut()?;
            let sep = match (i, elementwise) {
                (0, _) => "",
                (_, true) => "\\odot ",
                _ if row.is_empty() || f.starts_with(|c: char| c.is_ascii_digit()) => "\\cdot ",
                _ => "",
            };
            if !row.is_empty() {
                row.push(' ');
            }
            row.push_str(sep);
            row.push_str(&f);
        }
        Some(rows)
    }

    /// A term of a sum with its sign pulled out.
    fn term(&self, t: ExprId) -> (bool, Out) {
        if let Some(name) = self.name_of(t) {
            return (false, Out::new(name, Prec::Atom));
        }
        let (neg, term) = form::term(self.pool, t);
        let shown = match &term {
            Term::Num(n) => self.number(n),
            Term::Product(p) => self.product(false, p),
            Term::Other => self.node(t),
        };
        (neg, shown)
    }

    fn sum(&self, terms: &[ExprId]) -> Out {
        sum_of(
            form::sum_order(self.pool, terms)
                .into_iter()
                .map(|t| self.term(t)),
        )
    }

    /// A sum whose terms are divided by their shared factor.
    fn divided_sum(&self, terms: &[Divided]) -> Out {
        sum_of(terms.iter().map(|d| match d {
            Divided::Num(neg, n) => (*neg, self.number(n)),
            Divided::Product(neg, p) => (*neg, self.product(false, p)),
            Divided::Dense(d) => {
                let m = self.dense_matrix(d, &shown(d.shape().cols));
                (false, Out::new(m, Prec::Atom))
            }
        }))
    }

    /// The sum `id` as `c` times its `terms` (divided by `c`).
    fn scaled_sum(&self, id: ExprId, c: &Rat, terms: &[Divided]) -> Out {
        let (p, neg) = form::scaled(c, vec![id]);
        self.quotient(neg, &p, Some(&(id, self.divided_sum(terms))))
    }

    fn product(&self, neg: bool, p: &Product) -> Out {
        if let Some((axis, a)) = p.mean(self.pool) {
            return signed(neg, self.op("mean", a, axis, None));
        }
        match self.absorbed(p) {
            Some((p, flip, inner)) => self.quotient(neg != flip, &p, Some(&inner)),
            None => self.quotient(neg, p, None),
        }
    }

    /// A product as a fraction, its factor `inner.0` shown as `inner.1`.
    fn quotient(&self, neg: bool, p: &Product, inner: Option<&(ExprId, Out)>) -> Out {
        let shown = |p: &Part| match (p, inner) {
            (Part::Expr(e), Some((f, s))) if e == f => s.clone(),
            _ => self.part(p),
        };
        let plain = |p: &Part| self.part(p);
        let Quotient { num, den } = p.quotient(self.pool);
        let out = match (num.as_slice(), den.is_empty()) {
            ([one], true) => shown(one),
            (_, true) => Out::new(self.factors(&num, &shown), Prec::Mul),
            _ if den.iter().any(|d| d.is_matrix(self.pool)) => {
                // Elementwise division: `A \oslash B`, not a fraction.
                let top = match num.as_slice() {
                    [] => "1".to_string(),
                    [one] => shown(one).at(Prec::Mul),
                    _ => self.factors(&num, &shown),
                };
                let bottom = match den.as_slice() {
                    [one] => self.part(one).at(FACTOR),
                    _ => format!("\\left({}\\right)", self.factors(&den, &plain)),
                };
                Out::new(format!("{top} \\oslash {bottom}"), Prec::Mul)
            }
            ([], false) => {
                let den = self.factors(&den, &plain);
                Out::new(format!("\\frac{{1}}{{{den}}}"), Prec::Mul)
            }
            _ => {
                let (num, den) = (self.factors(&num, &shown), self.factors(&den, &plain));
                Out::new(format!("\\frac{{{num}}}{{{den}}}"), Prec::Mul)
            }
        };
        signed(neg, out)
    }

    /// Factors side by side (`2 x`), `\cdot` before a digit, `\odot` between
    /// matrices, each as `shown` gives it. A single factor needs no
    /// brackets (`\frac{x + 1}{2}`).
    fn factors(&self, parts: &[Part], shown: &dyn Fn(&Part) -> Out) -> String {
        if let [one] = parts {
            return shown(one).s;
        }
        let marks = form::hadamard_marks(self.pool, parts);
        let mut s = String::new();
        for (i, (p, elementwise)) in parts.iter().zip(marks).enumerate() {
            let f = shown(p).at(form::factor_prec(self.pool, parts, i));
            if i > 0 {
                s.push_str(match elementwise {
                    true => " \\odot ",
                    false if f.starts_with(|c: char| c.is_ascii_digit()) => " \\cdot ",
                    false => " ",
                });
            }
            s.push_str(&f);
        }
        s
    }

    fn part(&self, p: &Part) -> Out {
        match p {
            Part::Int(n) => Out::new(n.to_string(), Prec::Atom),
            Part::Float(x) => self.number(&Num::Float(*x)),
            Part::Expr(e) => self.expr(*e),
            Part::Root(e) => Out::new(format!("\\sqrt{{{}}}", self.expr(*e).s), Prec::Atom),
            Part::Power(b, e) => self.raised(*b, &self.number(e).s),
        }
    }

    fn power(&self, b: ExprId, e: ExprId) -> Out {
        match self.pool.as_num(e) {
            Some(n) if form::is_half(n) && self.pool.shape(b).is_scalar() => {
                Out::new(format!("\\sqrt{{{}}}", self.expr(b).s), Prec::Atom)
            }
            _ => self.raised(b, &self.expr(e).s),
        }
    }

    /// `b^{e}`: `\mathbf{A}^{\circ 2}` (Hadamard power) for a matrix,
    /// `\tanh^{2}\left(z\right)` for a trigonometric function to a
    /// positive integer.
    fn raised(&self, b: ExprId, exp: &str) -> Out {
        if !self.pool.shape(b).is_scalar() {
            return pow(self.expr(b), &format!("\\circ {exp}"));
        }
        if let Node::Apply(f, a) = self.pool.node(b)
            && f.is_trigonometric()
            && exp.chars().all(|c| c.is_ascii_digit())
        {
            let name = format!("{}^{{{exp}}}", names::latex_func(*f));
            return call(&name, &[self.expr(*a).s]);
        }
        pow(self.expr(b), exp)
    }

    /// `\mathbf{A} \mathbf{B}`, an elementwise product on either side in
    /// brackets (the pool takes scalar factors out of products); a sum's
    /// shared factor outside, as the pretty form shows it.
    fn matmul(&self, id: ExprId, a: ExprId, b: ExprId) -> Out {
        let (outside, product) = self.matmul_sides(a, b);
        if outside.is_one() {
            return Out::new(product, Prec::Mul);
        }
        let (p, neg) = form::scaled(&outside, vec![id]);
        self.quotient(neg, &p, Some(&(id, Out::new(product, Prec::Mul))))
    }

    /// The factor a product `a⋅b` shows outside (a sum's shared factor, see
    /// [`form::factored`]) and the product without it.
    fn matmul_sides(&self, a: ExprId, b: ExprId) -> (Rat, String) {
        let mut outside = Rat::int(1);
        let mut side = |id: ExprId, min: Prec| {
            if let Some((c, terms)) = self.factored(id) {
                outside = outside.mul(&c);
                return format!("\\left({}\\right)", self.divided_sum(&terms).s);
            }
            match *self.pool.node(id) {
                // A product whose sides show a factor gives it up too.
                Node::MatMul(x, y) if self.name_of(id).is_none() => {
                    let (c, inner) = self.matmul_sides(x, y);
                    outside = outside.mul(&c);
                    Out::new(inner, Prec::Mul).at(min)
                }
                Node::Mul(_) => {
                    let (c, out) = self.hadamard_sides(id);
                    outside = outside.mul(&c);
                    format!("\\left({}\\right)", out.s)
                }
                _ => self.expr(id).at(min),
            }
        };
        let (a, b) = (side(a, Prec::Mul), side(b, FACTOR));
        (outside, format!("{a} {b}"))
    }

    /// The number a sum's argument shows, when it is not 1, and the
    /// argument without it (as the pretty form shows it).
    fn number_inside(&self, a: ExprId) -> Option<(Rat, Out)> {
        let named = |t: ExprId| self.name_of(t).is_some();
        let (c, inner) = match self.pool.node(a) {
            Node::Add(_) => {
                let (c, terms) = form::over_denominator(self.pool, a, named)?;
                (c, self.divided_sum(&terms))
            }
            Node::Mul(_) => self.hadamard_sides(a),
            _ => return None,
        };
        (!c.is_one()).then_some((c, inner))
    }

    /// An elementwise product beside a matrix product, and the factor
    /// its own matrix product shows (see [`form::hadamard_matmul`]) taken
    /// out: that factor and the product without it.
    fn hadamard_sides(&self, id: ExprId) -> (Rat, Out) {
        let named = |t: ExprId| self.name_of(t).is_some();
        if let Some((neg, p, f, a, b)) = form::hadamard_matmul(self.pool, id, named) {
            let (c, inner) = self.matmul_sides(a, b);
            if !c.is_one() {
                let inner = Out::new(inner, Prec::Mul);
                return (c, self.quotient(neg, &p, Some(&(f, inner))));
            }
        }
        (Rat::int(1), self.expr(id))
    }

    /// A matrix product scaled by an exact coefficient and scalars with
    /// the factor its sides show taken in (see [`form::scaled_matmul`]):
    /// the product, its sign, and the matrix product without the factor.
    fn absorbed(&self, p: &Product) -> Option<(Product, bool, (ExprId, Out))> {
        let named = |t: ExprId| self.name_of(t).is_some();
        let (coeff, f, a, b) = form::scaled_matmul(self.pool, p, named)?;
        let (outside, inner) = self.matmul_sides(a, b);
        let (p, flip) = form::scaled(&coeff.mul(&outside), p.factors.clone());
        Some((p, flip, (f, Out::new(inner, Prec::Mul))))
    }

    /// A sum's shared factor and its terms divided by it (see
    /// [`form::factored`]).
    fn factored(&self, id: ExprId) -> Option<(Rat, Vec<Divided>)> {
        form::factored(self.pool, id, |t| self.name_of(t).is_some())
    }

    fn apply(&self, f: crate::Func, a: ExprId) -> Out {
        let arg = self.expr(a).s;
        match f {
            crate::Func::Exp if !self.pool.shape(a).is_scalar() => {
                call(names::latex_func(f), &[arg])
            }
            crate::Func::Exp if arg == "1" => Out::new("e", Prec::Atom),
            crate::Func::Exp => Out::new(format!("e^{{{arg}}}"), Prec::Pow),
            crate::Func::Abs => Out::new(format!("\\left|{arg}\\right|"), Prec::Atom),
            _ => call(names::latex_func(f), &[arg]),
        }
    }

    /// `\operatorname{sum}\left(\mathbf{A}, 1\right)`: the dimension unless it is `default`.
    fn op(&self, name: &str, a: ExprId, axis: Axis, default: Option<Axis>) -> Out {
        self.op_of(name, self.expr(a).s, axis, default)
    }

    /// `\operatorname{name}(a, dim)`, its argument written as `a`.
    fn op_of(&self, name: &str, a: String, axis: Axis, default: Option<Axis>) -> Out {
        let mut args = vec![a];
        if Some(axis) != default
            && let Some(d) = axis.dim()
        {
            args.push(d.to_string());
        }
        call(&format!("\\operatorname{{{name}}}"), &args)
    }
}

/// `a - b + c` of terms given with their signs pulled out.
fn sum_of(terms: impl Iterator<Item = (bool, Out)>) -> Out {
    let mut s = String::new();
    for (i, (neg, shown)) in terms.enumerate() {
        match (i, neg) {
            (0, _) => s.push_str(&signed(neg, shown).at(Prec::Add)),
            (_, true) => s.push_str(&format!(" - {}", shown.at(TERM))),
            (_, false) => s.push_str(&format!(" + {}", shown.at(TERM))),
        }
    }
    Out::new(s, Prec::Add)
}

/// `-` before a number or a product when `neg`.
fn signed(neg: bool, out: Out) -> Out {
    match (neg, out.prec) {
        (false, _) => out,
        (true, Prec::Mul) => Out::new(format!("-{}", out.s), Prec::Mul),
        (true, _) => Out::new(format!("-{}", out.at(FACTOR)), Prec::Neg),
    }
}

/// `base^{exp}`, the base bracketed unless it is an atom.
fn pow(base: Out, exp: &str) -> Out {
    Out::new(format!("{}^{{{exp}}}", base.at(POW_BASE)), Prec::Pow)
}

fn call(name: &str, args: &[String]) -> Out {
    Out::new(
        format!("{name}\\left({}\\right)", args.join(", ")),
        Prec::Atom,
    )
}

/// A float, with `e-7` as `\cdot 10^{-7}`; infinities and NaN by name.
fn float(s: &str, prec: Prec) -> Out {
    match s {
        "inf" => Out::new("\\infty", Prec::Atom),
        "-inf" => Out::new("-\\infty", Prec::Neg),
        "nan" => Out::new("\\mathrm{NaN}", Prec::Atom),
        _ => match s.split_once('e') {
            Some((m, e)) => Out::new(format!("{m} \\cdot 10^{{{e}}}"), Prec::Mul),
            None => Out::new(s, prec),
        },
    }
}

/// The given columns of a matrix of `shape` (`None` marks elided ones);
/// more than [`MAX_SHOWN`](super::pretty::MAX_SHOWN) rows show their first
/// and last around `\vdots`, as in the pretty form.
fn grid(shape: Shape, cols: &[Option<usize>], cell: impl Fn(usize, usize) -> String) -> String {
    let rows: Vec<String> = shown(shape.rows)
        .iter()
        .map(|&i| {
            let cells: Vec<String> = cols
                .iter()
                .map(|&j| match (i, j) {
                    (None, None) => "\\ddots".to_string(),
                    (None, _) => "\\vdots".to_string(),
                    (_, None) => "\\cdots".to_string(),
                    (Some(i), Some(j)) => cell(i, j),
                })
                .collect();
            cells.join(" & ")
        })
        .collect();
    bmatrix(cols.len(), &rows)
}

/// `\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}` of rows already joined by
/// `&`; over 10 columns (amsmath's limit for `bmatrix`) a bracketed
/// `array`, which has none.
fn bmatrix(cols: usize, rows: &[String]) -> String {
    if cols > 10 {
        let spec = "c".repeat(cols);
        return format!(
            "\\left[\\begin{{array}}{{{spec}}}{}\\end{{array}}\\right]",
            rows.join(" \\\\ ")
        );
    }
    format!("\\begin{{bmatrix}}{}\\end{{bmatrix}}", rows.join(" \\\\ "))
}
