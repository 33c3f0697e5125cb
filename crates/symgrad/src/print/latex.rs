//! LaTeX: `\frac{a}{b}`, `e^{x}`, `\mathbf{W}^\top`, `W_{0,1}`, `\odot`,
//! `\begin{bmatrix}…\end{bmatrix}`.

use super::PrintOptions;
use super::form::{self, Part, Product, Quotient, Term};
use super::names;
use super::prec::{FACTOR, POSTFIX_ARG, POW_BASE, Prec, TERM};
use crate::{Axis, Constant, ExprId, Node, Num, Pool, Shape, format_float};

/// LaTeX for an expression (math mode, without delimiters). A sum whose
/// pretty form is wider than `opts.width` breaks between terms into lines
/// of an `aligned` environment, by the same rule as the pretty printer, and
/// source lines are broken at spaces to fit the width.
pub fn latex(pool: &Pool, id: ExprId, opts: &PrintOptions) -> String {
    let printer = Latex {
        pool,
        digits: opts.digits,
    };
    let source = super::with_stack(pool, id, || match pool.node(id) {
        Node::Add(_) if pool.depth(id) <= 100 => {
            printer.aligned_sum(&pool.terms_as_shown(id), opts)
        }
        _ => printer.expr(id).s,
    });
    super::wrap::wrap_latex(&source, opts.width)
}

/// LaTeX with the binding of its outer operator. A superscripted form
/// (`e^{x}`, `\mathbf{W}^\top`) binds as a power, so that it is bracketed
/// before another superscript.
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
}

impl Latex<'_> {
    fn expr(&self, id: ExprId) -> Out {
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
            Node::Symbol { name, .. } => Out::new(
                format!("\\mathbf{{{}}}", names::latex_symbol(name)),
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
            Node::Matrix { shape, entries } => {
                let cells: Vec<String> = entries.iter().map(|&e| self.expr(e).s).collect();
                Out::new(bmatrix(*shape, &cells), Prec::Atom)
            }
            Node::Dense(d) => {
                let cells: Vec<String> = d.nums().iter().map(|n| self.number(n).s).collect();
                Out::new(bmatrix(d.shape(), &cells), Prec::Atom)
            }
            Node::Add(_) => self.sum(&self.pool.terms_as_shown(id)),
            Node::Mul(_) => self.expr(id),
            Node::Pow(b, e) => self.power(*b, *e),
            Node::MatMul(a, b) => self.matmul(*a, *b),
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
                    Node::Transpose(inner) => self.expr(*inner).at(POSTFIX_ARG),
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
            Node::Reduce(r, axis, a) => self.op(names::reduction(*r), *a, *axis, None),
            Node::Softmax(axis, a) => self.op("softmax", *a, *axis, Some(Axis::Cols)),
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
            Node::Symbol { name, .. } => names::latex_symbol(name),
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

    /// A sum on one line, or in lines of `aligned` where its pretty form
    /// would be wider than the width.
    fn aligned_sum(&self, terms: &[ExprId], opts: &PrintOptions) -> String {
        let names = std::collections::HashMap::new();
        let pretty = super::pretty::Pretty::new(self.pool, opts.digits, &names, None);
        let mut lines: Vec<Vec<ExprId>> = vec![Vec::new()];
        let mut used = 0;
        for (t, _, p) in pretty.terms(terms) {
            let w = p.width() + 3;
            if used + w > opts.width && !lines[lines.len() - 1].is_empty() {
                lines.push(Vec::new());
                used = 0;
            }
            used += w;
            if let Some(line) = lines.last_mut() {
                line.push(t);
            }
        }
        if lines.len() == 1 {
            return self.sum(terms).s;
        }
        let mut out = Vec::new();
        for (k, line) in lines.iter().enumerate() {
            let mut s = String::new();
            for (i, &t) in line.iter().enumerate() {
                let (neg, term) = form::term(self.pool, t);
                let shown = match &term {
                    Term::Num(n) => self.number(n),
                    Term::Product(p) => self.product(false, p),
                    Term::Other => self.node(t),
                };
                match (k == 0 && i == 0, neg) {
                    (true, _) => s.push_str(&signed(neg, shown).at(Prec::Add)),
                    (false, true) => s.push_str(&format!(" - {}", shown.at(TERM))),
                    (false, false) => s.push_str(&format!(" + {}", shown.at(TERM))),
                }
            }
            out.push(format!("&{}", s.trim_start()));
        }
        format!("\\begin{{aligned}}{}\\end{{aligned}}", out.join(" \\\\\n"))
    }

    fn sum(&self, terms: &[ExprId]) -> Out {
        let mut s = String::new();
        for (i, t) in form::sum_order(self.pool, terms).into_iter().enumerate() {
            let (neg, term) = form::term(self.pool, t);
            let shown = match &term {
                Term::Num(n) => self.number(n),
                Term::Product(p) => self.product(false, p),
                Term::Other => self.node(t),
            };
            match (i, neg) {
                (0, _) => s.push_str(&signed(neg, shown).at(Prec::Add)),
                (_, true) => s.push_str(&format!(" - {}", shown.at(TERM))),
                (_, false) => s.push_str(&format!(" + {}", shown.at(TERM))),
            }
        }
        Out::new(s, Prec::Add)
    }

    fn product(&self, neg: bool, p: &Product) -> Out {
        if let Some((axis, a)) = p.mean(self.pool) {
            return signed(neg, self.op("mean", a, axis, None));
        }
        let Quotient { num, den } = p.quotient(self.pool);
        let out = match (num.as_slice(), den.is_empty()) {
            ([one], true) => self.part(one),
            (_, true) => Out::new(self.factors(&num), Prec::Mul),
            _ if den.iter().any(|d| d.is_matrix(self.pool)) => {
                // Elementwise division: `A \oslash B`, not a fraction.
                let top = match num.as_slice() {
                    [] => "1".to_string(),
                    [one] => self.part(one).at(Prec::Mul),
                    _ => self.factors(&num),
                };
                let bottom = match den.as_slice() {
                    [one] => self.part(one).at(FACTOR),
                    _ => format!("\\left({}\\right)", self.factors(&den)),
                };
                Out::new(format!("{top} \\oslash {bottom}"), Prec::Mul)
            }
            ([], false) => Out::new(format!("\\frac{{1}}{{{}}}", self.factors(&den)), Prec::Mul),
            _ => {
                let frac = format!("\\frac{{{}}}{{{}}}", self.factors(&num), self.factors(&den));
                Out::new(frac, Prec::Mul)
            }
        };
        signed(neg, out)
    }

    /// Factors side by side (`2 x`), `\cdot` before a digit, `\odot` between matrices.
    /// A single factor needs no brackets (`\frac{x + 1}{2}`).
    fn factors(&self, parts: &[Part]) -> String {
        if let [one] = parts {
            return self.part(one).s;
        }
        let marks = form::hadamard_marks(self.pool, parts);
        let mut s = String::new();
        for (i, (p, elementwise)) in parts.iter().zip(marks).enumerate() {
            let f = self.part(p).at(FACTOR);
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
    /// `\tanh^{2}\left(z\right)` for tanh to a positive integer.
    fn raised(&self, b: ExprId, exp: &str) -> Out {
        if !self.pool.shape(b).is_scalar() {
            return pow(self.expr(b), &format!("\\circ {exp}"));
        }
        if let Node::Apply(f @ crate::Func::Tanh, a) = self.pool.node(b)
            && exp.chars().all(|c| c.is_ascii_digit())
        {
            let name = format!("{}^{{{exp}}}", names::latex_func(*f));
            return call(&name, &[self.expr(*a).s]);
        }
        pow(self.expr(b), exp)
    }

    /// `\mathbf{A} \mathbf{B}` with the sign and scalar factors of either
    /// side in front: `-\mathbf{A} \mathbf{B}`, `\alpha \mathbf{B} \mathbf{c}`.
    fn matmul(&self, a: ExprId, b: ExprId) -> Out {
        let mut neg = false;
        let mut front = Vec::new();
        let mut side = |id: ExprId, min: Prec| {
            if let Some((n, scalars, matrix)) = self.scaled_matrix(id) {
                neg ^= n;
                front.extend(scalars);
                return self.expr(matrix).at(min);
            }
            match self.pool.node(id) {
                Node::Mul(_) => format!("\\left({}\\right)", self.expr(id).s),
                _ => self.expr(id).at(min),
            }
        };
        let (left, right) = (side(a, Prec::Mul), side(b, FACTOR));
        front.extend([left, right]);
        signed(neg, Out::new(front.join(" "), Prec::Mul))
    }

    /// As in the pretty printer: the sign, scalar factors and matrix of a
    /// product of scalars and one matrix, none divided by.
    fn scaled_matrix(&self, id: ExprId) -> Option<(bool, Vec<String>, ExprId)> {
        let (neg, parts, m) = form::scaled_matrix(self.pool, id)?;
        Some((
            neg,
            parts.iter().map(|p| self.part(p).at(FACTOR)).collect(),
            m,
        ))
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
        let mut args = vec![self.expr(a).s];
        if Some(axis) != default
            && let Some(d) = axis.dim()
        {
            args.push(d.to_string());
        }
        call(&format!("\\operatorname{{{name}}}"), &args)
    }
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

/// `\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}`; over 10 columns (amsmath's
/// limit for `bmatrix`) a bracketed `array`, which has none.
fn bmatrix(shape: Shape, cells: &[String]) -> String {
    let rows: Vec<String> = cells
        .chunks(shape.cols.max(1))
        .map(|r| r.join(" & "))
        .collect();
    if shape.cols > 10 {
        let spec = "c".repeat(shape.cols);
        return format!(
            "\\left[\\begin{{array}}{{{spec}}}{}\\end{{array}}\\right]",
            rows.join(" \\\\ ")
        );
    }
    format!("\\begin{{bmatrix}}{}\\end{{bmatrix}}", rows.join(" \\\\ "))
}
