//! One-line text in the input language, so that the parser reads it back as
//! the same expression: `2*x + 3*y`, `x/3`, `X * W'`, `A .* B`, `W[0, 1]`.

use super::PrintOptions;
use super::form::{self, Part, Product, Quotient, Term};
use super::names;
use super::prec::{FACTOR, POSTFIX_ARG, POW_BASE, POW_EXP, Prec, TERM};
use crate::{Axis, Constant, Dense, ExprId, Node, Num, Pool, Shape, format_float};
use num_traits::One;

/// One line of text in the input language (SymPy `str` style):
/// `-log(1 - 1/(exp(z) + 1))/3`.
pub fn text(pool: &Pool, id: ExprId, opts: &PrintOptions) -> String {
    let printer = Text {
        pool,
        digits: opts.digits,
    };
    super::with_stack(pool, id, true, || printer.expr(id).s)
}

/// A printed form with the binding of its outer operator.
struct Out {
    s: String,
    prec: Prec,
}

impl Out {
    fn new(s: impl Into<String>, prec: Prec) -> Out {
        Out { s: s.into(), prec }
    }

    /// The text, in parentheses when it binds more weakly than `min`.
    fn at(self, min: Prec) -> String {
        if self.prec.needs_parens(min) {
            format!("({})", self.s)
        } else {
            self.s
        }
    }
}

struct Text<'a> {
    pool: &'a Pool,
    digits: usize,
}

impl Text<'_> {
    fn expr(&self, id: ExprId) -> Out {
        match form::term(self.pool, id) {
            (neg, Term::Num(n)) => self.signed(neg, self.number(&n)),
            (neg, Term::Product(p)) => self.product(neg, &p),
            (_, Term::Other) => self.node(id),
        }
    }

    fn node(&self, id: ExprId) -> Out {
        let pool = self.pool;
        match pool.node(id) {
            Node::Num(n) => self.number(n),
            Node::Const(Constant::E) => Out::new("E", Prec::Atom),
            Node::Const(Constant::Pi) => Out::new("pi", Prec::Atom),
            Node::Symbol { name, .. } => Out::new(name.as_ref(), Prec::Atom),
            Node::Element { symbol, row, col } => Out::new(
                format!("{}[{row}, {col}]", self.expr(*symbol).s),
                Prec::Atom,
            ),
            Node::Matrix { shape, entries } => {
                let cells: Vec<String> = entries.iter().map(|&e| self.expr(e).s).collect();
                Out::new(matrix_literal(*shape, &cells), Prec::Atom)
            }
            Node::Dense(d) => self.dense(d),
            Node::Add(_) => self.sum(&self.pool.terms_as_shown(id)),
            Node::Mul(_) => self.expr(id),
            Node::Pow(b, e) => self.power(*b, *e),
            Node::MatMul(a, b) => self.matmul(*a, *b),
            Node::MatPow(a, n) => {
                let prec = if *n < 0 { Prec::Neg } else { Prec::Atom };
                pow(self.expr(*a), Out::new(n.to_string(), prec), "^")
            }
            Node::Transpose(a) => {
                Out::new(format!("{}'", self.expr(*a).at(POSTFIX_ARG)), Prec::Postfix)
            }
            Node::Apply(f, a) => self.call(f.name(), &[self.expr(*a).s]),
            Node::Reduce(r, axis, a) => {
                self.call(names::reduction(*r), &self.axis_args(*a, *axis, None))
            }
            Node::Softmax(axis, a) => {
                self.call("softmax", &self.axis_args(*a, *axis, Some(Axis::Cols)))
            }
            Node::SoftmaxJvp(..) => self.expr(pool.formula(id)),
            Node::Trace(a) => self.call("trace", &[self.expr(*a).s]),
            Node::Diag(a) => self.call("diag", &[self.expr(*a).s]),
            Node::Det(a) => self.call("det", &[self.expr(*a).s]),
            Node::LogDet(a) => self.call("logdet", &[self.expr(*a).s]),
            Node::Stack { vertical, parts } => {
                let parts: Vec<String> = parts.iter().map(|&p| self.expr(p).s).collect();
                self.call(if *vertical { "vstack" } else { "hstack" }, &parts)
            }
            Node::Slice { arg, rows, cols } => {
                let index = form::index(*rows, *cols, pool.shape(*arg));
                Out::new(
                    format!("{}[{index}]", self.expr(*arg).at(POSTFIX_ARG)),
                    Prec::Postfix,
                )
            }
        }
    }

    /// A number ≥ 0 or negative: `3`, `-3`, `1/3`, `0.25`.
    fn number(&self, n: &Num) -> Out {
        let s = match n {
            Num::Rat(r) => r.to_string(),
            Num::Float(x) => float_literal(*x, self.digits),
        };
        let prec = match n {
            Num::Rat(r) if !r.is_integer() => Prec::Mul,
            _ if n.is_negative() => Prec::Neg,
            _ => Prec::Atom,
        };
        Out::new(s, prec)
    }

    /// `-` before a number or a scalar product when `neg`: `-2`, `-2*x/3`.
    fn signed(&self, neg: bool, out: Out) -> Out {
        match (neg, out.prec) {
            (false, _) => out,
            (true, Prec::Mul) => Out::new(format!("-{}", out.s), Prec::Mul),
            (true, _) => Out::new(format!("-{}", out.at(FACTOR)), Prec::Neg),
        }
    }

    fn sum(&self, terms: &[ExprId]) -> Out {
        let mut s = String::new();
        for (i, t) in form::sum_order(self.pool, terms).into_iter().enumerate() {
            if i == 0 {
                s.push_str(&self.expr(t).at(Prec::Add));
                continue;
            }
            let (neg, term) = form::term(self.pool, t);
            let sign = if neg { " - " } else { " + " };
            s.push_str(sign);
            s.push_str(&self.term(&term, t).at(TERM));
        }
        Out::new(s, Prec::Add)
    }

    /// A term without its sign.
    fn term(&self, term: &Term, id: ExprId) -> Out {
        match term {
            Term::Num(n) => self.number(n),
            Term::Product(p) => self.product(false, p),
            Term::Other => self.node(id),
        }
    }

    fn product(&self, neg: bool, p: &Product) -> Out {
        if let Some((axis, a)) = p.mean(self.pool) {
            return self.signed(neg, self.call("mean", &self.axis_args(a, axis, None)));
        }
        if self.leading_coefficient_distributes(neg, p) {
            // `2*(a + b)*c` would read back as `(2*a + 2*b)*c`, and `-(a + b)/c`
            // as `(-a - b)/c`: group the rest.
            let rest = Product {
                coeff: Num::one(),
                factors: p.factors.clone(),
            };
            let rest = self.product(false, &rest).s;
            let shown = match (neg, p.coeff.is_exact() && p.coeff.is_one()) {
                (true, true) => format!("-({rest})"),
                (true, false) => format!("-{}*({rest})", self.number(&p.coeff).at(FACTOR)),
                (false, _) => format!("{}*({rest})", self.number(&p.coeff).at(FACTOR)),
            };
            return Out::new(shown, if neg { Prec::Neg } else { Prec::Mul });
        }
        let Quotient { num, den } = p.quotient(self.pool);
        let top = match (num.as_slice(), den.is_empty()) {
            ([], _) => Out::new("1", Prec::Atom),
            ([one], true) if !neg => return self.part(one),
            ([one], true) => Out::new(self.part(one).at(FACTOR), Prec::Atom),
            _ => Out::new(self.factors(&num), Prec::Mul),
        };
        if den.is_empty() {
            return self.signed(neg, top);
        }
        let matrix = den.iter().any(|d| d.is_matrix(self.pool));
        let bottom = match den.as_slice() {
            [one] => self.part(one).at(FACTOR),
            _ => format!("({})", self.factors(&den)),
        };
        let op = if matrix { " ./ " } else { "/" };
        self.signed(
            neg,
            Out::new(format!("{}{op}{bottom}", top.at(Prec::Mul)), Prec::Mul),
        )
    }

    /// True when the coefficient is written in front of a sum that is not the
    /// only factor: reading `c*(a + b)` alone distributes `c`, which the
    /// stored product did not.
    fn leading_coefficient_distributes(&self, neg: bool, p: &Product) -> bool {
        let in_front = neg
            || match &p.coeff {
                Num::Rat(r) => !r.numer().is_one(),
                // A float coefficient is always shown, even 1.0.
                Num::Float(_) => true,
            };
        let pool = self.pool;
        let sum = |f: ExprId| matches!(pool.node(f), Node::Add(_));
        let over_sum = |f: ExprId| matches!(pool.node(f), Node::Pow(b, e) if sum(*b) && pool.as_num(*e).is_some_and(Num::is_negative));
        let split = matches!(&p.coeff, Num::Rat(r) if !r.denom().is_one());
        (in_front && p.factors.len() > 1 && p.factors.iter().any(|&f| sum(f)))
            || (split && p.factors.iter().any(|&f| over_sum(f)))
    }

    /// Factors joined by `*` (scaling) or ` .* ` (elementwise, between matrices).
    fn factors(&self, parts: &[Part]) -> String {
        let is_sum =
            |p: &Part| matches!(p, Part::Expr(e) if matches!(self.pool.node(*e), Node::Add(_)));
        if let [first @ (Part::Int(_) | Part::Float(_)), rest @ ..] = parts
            && rest.len() > 1
            && rest.iter().any(is_sum)
        {
            // As in `product`: keep a number in front from distributing over a sum.
            return format!("{}*({})", self.part(first).at(FACTOR), self.factors(rest));
        }
        let marks = form::hadamard_marks(self.pool, parts);
        let mut s = String::new();
        for (i, (p, elementwise)) in parts.iter().zip(marks).enumerate() {
            if i > 0 {
                s.push_str(if elementwise { " .* " } else { "*" });
            }
            s.push_str(&self.part(p).at(FACTOR));
        }
        s
    }

    fn part(&self, p: &Part) -> Out {
        match p {
            Part::Int(n) => Out::new(n.to_string(), Prec::Atom),
            Part::Float(x) => self.number(&Num::Float(*x)),
            Part::Expr(e) => self.expr(*e),
            Part::Root(e) => self.call("sqrt", &[self.expr(*e).s]),
            Part::Power(b, e) => pow(self.expr(*b), self.number(e), self.pow_op(*b)),
        }
    }

    fn pow_op(&self, base: ExprId) -> &'static str {
        if self.pool.shape(base).is_scalar() {
            "^"
        } else {
            ".^"
        }
    }

    fn power(&self, b: ExprId, e: ExprId) -> Out {
        match self.pool.as_num(e) {
            Some(n) if form::is_half(n) => self.call("sqrt", &[self.expr(b).s]),
            _ => pow(self.expr(b), self.expr(e), self.pow_op(b)),
        }
    }

    fn matmul(&self, a: ExprId, b: ExprId) -> Out {
        let side = |id: ExprId, min: Prec| match self.pool.node(id) {
            Node::Mul(_) => format!("({})", self.expr(id).s),
            _ => self.expr(id).at(min),
        };
        Out::new(
            format!("{} * {}", side(a, Prec::Mul), side(b, FACTOR)),
            Prec::Mul,
        )
    }

    fn call(&self, name: &str, args: &[String]) -> Out {
        Out::new(format!("{name}({})", args.join(", ")), Prec::Atom)
    }

    /// The argument and, unless it is `default`, the dimension of an axis.
    fn axis_args(&self, a: ExprId, axis: Axis, default: Option<Axis>) -> Vec<String> {
        let mut args = vec![self.expr(a).s];
        if Some(axis) != default
            && let Some(d) = axis.dim()
        {
            args.push(d.to_string());
        }
        args
    }

    fn dense(&self, d: &Dense) -> Out {
        let cells: Vec<String> = d.nums().iter().map(|n| self.number(n).s).collect();
        Out::new(matrix_literal(d.shape(), &cells), Prec::Atom)
    }
}

/// A float as a literal that reads back as a float: `16` (all the digits
/// asked for) is written `1.6e1`.
fn float_literal(x: f64, digits: usize) -> String {
    let s = format_float(x, digits);
    if s.contains(['.', 'e', 'n']) {
        return s;
    }
    let sci = format!("{x:.*e}", digits.clamp(1, 17) - 1);
    match sci.split_once('e') {
        Some((m, e)) if m.contains('.') => {
            let m = m.trim_end_matches('0').trim_end_matches('.');
            format!("{m}e{e}")
        }
        _ => sci,
    }
}

/// `base^exp` (or `.^`), bracketing each side as the table requires.
fn pow(base: Out, exp: Out, op: &str) -> Out {
    Out::new(
        format!("{}{op}{}", base.at(POW_BASE), exp.at(POW_EXP)),
        Prec::Pow,
    )
}

/// A matrix literal: `[1, 0, 0]` for a column, else rows `[[1, 2], [3, 4]]`.
fn matrix_literal(shape: Shape, cells: &[String]) -> String {
    if shape.cols == 1 && shape.rows > 1 {
        return format!("[{}]", cells.join(", "));
    }
    let rows: Vec<String> = cells
        .chunks(shape.cols.max(1))
        .map(|r| format!("[{}]", r.join(", ")))
        .collect();
    format!("[{}]", rows.join(", "))
}
