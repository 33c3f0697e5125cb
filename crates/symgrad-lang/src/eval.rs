//! Evaluation of expressions: names, literals, operators, indexing and calls.

use crate::ast::{Arg, BinOp, Expr, ExprKind, Link};
use crate::diagnostic::Diagnostic;
use crate::session::Session;
use crate::span::Span;
use crate::suggest::did_you_mean;
use num_bigint::BigInt;
use symgrad::{Constant, Error, ExprId, Num, Shape, checked_shape};

/// The value of an expression: a symbolic expression, text (from `text(e)`,
/// …), a plot, or nothing (from `seed(n)`: the statement shows nothing).
#[derive(Clone, Debug)]
pub enum Value {
    Expr(ExprId),
    Text(String),
    Plot(Box<crate::plot::Figure>),
    Nothing,
}

/// A user-defined function `f(x, y) = body`.
#[derive(Clone, Debug)]
pub struct Function {
    pub params: Vec<String>,
    pub body: Expr,
    /// The definition as written, for `:help f`.
    pub source: String,
    /// Whether it comes from the prelude (the loss library).
    pub prelude: bool,
}

pub(crate) type Eval<T> = Result<T, Diagnostic>;

/// Evaluation moves to a new stack segment of `STACK_SEGMENT` bytes when
/// less than `STACK_RED_ZONE` is left, so that deep expressions and nested
/// function calls never overflow the stack.
const STACK_RED_ZONE: usize = 256 * 1024;
const STACK_SEGMENT: usize = 4 * 1024 * 1024;

/// Attaches a span to a core error.
pub(crate) fn at(span: Span) -> impl FnOnce(Error) -> Diagnostic {
    move |e| {
        let d = Diagnostic::new(e.to_string(), span);
        match numpy_hint(&e) {
            Some(hint) => d.with_hint(hint),
            None => d,
        }
    }
}

/// The hint for `*` of shapes that only an elementwise product fits.
pub(crate) const PRODUCT_HINT: &str = "* is the matrix product; use .* for the elementwise product";

/// A hint for an error that NumPy habits lead to: `*` of two vectors (or
/// matrices) that an elementwise product fits (equal shapes, or one that
/// broadcasts over the other).
fn numpy_hint(e: &Error) -> Option<&'static str> {
    let fits =
        |a: Shape, b: Shape| (a.rows == b.rows || a.rows == 1) && (a.cols == b.cols || a.cols == 1);
    match e {
        Error::ShapeMismatch {
            op: "the matrix product",
            left,
            right,
        } if fits(*left, *right) || fits(*right, *left) => Some(PRODUCT_HINT),
        _ => None,
    }
}

impl Session {
    /// Evaluates an expression to a value.
    pub(crate) fn eval(&mut self, e: &Expr) -> Eval<Value> {
        match &e.kind {
            ExprKind::Str(s) => Ok(Value::Text(s.clone())),
            ExprKind::Call { func, args } => self.call(&func.name, func.span, args, e.span),
            _ => self.expr(e).map(Value::Expr),
        }
    }

    /// Evaluates an expression that must be symbolic (not text).
    pub(crate) fn expr(&mut self, e: &Expr) -> Eval<ExprId> {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_SEGMENT, || self.expr_here(e))
    }

    /// [`Session::expr`] on the current stack.
    fn expr_here(&mut self, e: &Expr) -> Eval<ExprId> {
        let span = e.span;
        match &e.kind {
            ExprKind::Int(digits) => {
                let n: BigInt = digits
                    .parse()
                    .map_err(|_| Diagnostic::new("not an integer", span))?;
                self.pool.num(Num::Rat(n.into())).map_err(at(span))
            }
            ExprKind::Float(x) => self.pool.float(*x).map_err(at(span)),
            ExprKind::Str(_) => Err(Diagnostic::new(
                "a string cannot be used in an expression",
                span,
            )),
            ExprKind::Name(name) => self.name(name, span),
            ExprKind::Call { func, args } => match self.call(&func.name, func.span, args, span)? {
                Value::Expr(id) => Ok(id),
                Value::Text(_) => Err(Diagnostic::new(
                    format!("{}(…) gives text, not an expression", func.name),
                    span,
                )),
                Value::Plot(_) => Err(Diagnostic::new(
                    format!("{}(…) gives a picture, not an expression", func.name),
                    span,
                )),
                Value::Nothing => Err(Diagnostic::new(
                    format!("{}(…) gives no value", func.name),
                    span,
                )),
            },
            ExprKind::Neg(a) => {
                let a = self.expr(a)?;
                self.pool.neg(a).map_err(at(span))
            }
            ExprKind::Transpose(a) => {
                let a = self.expr(a)?;
                self.pool.transpose(a).map_err(at(span))
            }
            ExprKind::Binary {
                op,
                op_span,
                lhs,
                rhs,
            } => {
                let (a, b) = (self.expr(lhs)?, self.expr(rhs)?);
                if op.is_comparison() {
                    return self.compare(*op, a, b, *op_span);
                }
                self.binary(*op, a, b).map_err(at(*op_span))
            }
            ExprKind::Chain { first, rest } => self.chain(first, rest),
            ExprKind::Index { target, indices } => {
                let t = self.expr(target)?;
                self.index(t, indices, span)
            }
            ExprKind::Matrix(rows) => self.matrix_literal(rows, span),
            ExprKind::Vector(items) => {
                let entries = items
                    .iter()
                    .map(|x| self.scalar_entry(x))
                    .collect::<Eval<Vec<_>>>()?;
                let shape = checked_shape(entries.len(), 1).map_err(at(span))?;
                self.pool.matrix(shape, entries).map_err(at(span))
            }
        }
    }

    /// A chain, left to right; a run of `+` and `-` is one sum (one
    /// normalisation instead of one per term; if it fails, the operations
    /// are redone one by one to point at the operator that fails).
    fn chain(&mut self, first: &Expr, rest: &[Link]) -> Eval<ExprId> {
        let mut acc = self.expr(first)?;
        let operands = rest
            .iter()
            .map(|l| self.expr(&l.rhs))
            .collect::<Eval<Vec<_>>>()?;
        if rest.iter().all(|l| l.op.chain_level() == Some(1)) {
            let mut terms = vec![acc];
            for (l, &t) in rest.iter().zip(&operands) {
                match l.op {
                    BinOp::Sub => match self.pool.neg(t) {
                        Ok(t) => terms.push(t),
                        Err(_) => break,
                    },
                    _ => terms.push(t),
                }
            }
            if terms.len() == operands.len() + 1
                && let Ok(sum) = self.pool.add(&terms)
            {
                return Ok(sum);
            }
        }
        for (l, &b) in rest.iter().zip(&operands) {
            acc = self.binary(l.op, acc, b).map_err(at(l.op_span))?;
        }
        Ok(acc)
    }

    fn binary(&mut self, op: BinOp, a: ExprId, b: ExprId) -> symgrad::Result<ExprId> {
        if op == BinOp::Pow {
            self.note_matrix_power(a);
        }
        let p = &mut self.pool;
        match op {
            BinOp::Add => p.add(&[a, b]),
            BinOp::Sub => p.sub(a, b),
            BinOp::Mul => p.product(a, b),
            BinOp::Div => p.div(a, b),
            BinOp::Pow => p.power(a, b),
            BinOp::ElemMul => p.mul(&[a, b]),
            BinOp::ElemDiv => p.div(a, b),
            BinOp::ElemPow => p.pow(a, b),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                Err(Error::Invalid("a comparison is not arithmetic".into()))
            }
        }
    }

    /// A bound name, a constant, or else a new scalar symbol.
    pub(crate) fn name(&mut self, name: &str, span: Span) -> Eval<ExprId> {
        if let Some(&id) = self.vars.get(name) {
            return Ok(id);
        }
        let made = match name {
            "E" => self.pool.constant(Constant::E),
            "pi" => self.pool.constant(Constant::Pi),
            _ if crate::builtins::builtin(name).is_some() || self.functions.contains_key(name) => {
                return Err(Diagnostic::new(
                    format!("'{name}' is a function: call it as {name}(…)"),
                    span,
                ));
            }
            _ if is_non_finite_name(name) => {
                return Err(Diagnostic::new(
                    format!("'{name}' is not a number here: symgrad has no infinity or NaN"),
                    span,
                )
                .with_hint(format!(
                    "for a large number write 1e300; for a symbol named {name}, declare it: symbol {name}"
                )));
            }
            _ => self.pool.symbol(name, Shape::SCALAR),
        };
        if !matches!(name, "E" | "pi") {
            self.note_new_symbol(name);
        }
        made.map_err(at(span))
    }

    fn scalar_entry(&mut self, e: &Expr) -> Eval<ExprId> {
        let id = self.expr(e)?;
        let shape = self.pool.shape(id);
        if !shape.is_scalar() {
            return Err(Diagnostic::new(
                format!("a matrix entry must be a scalar, not {shape}"),
                e.span,
            ));
        }
        Ok(id)
    }

    fn matrix_literal(&mut self, rows: &[Vec<Expr>], span: Span) -> Eval<ExprId> {
        let width = rows.first().map_or(0, Vec::len);
        let mut entries = Vec::with_capacity(rows.len() * width);
        for row in rows {
            if row.len() != width {
                let row_span = row
                    .first()
                    .map_or(span, |f| f.span.to(row.last().map_or(f.span, |l| l.span)));
                return Err(Diagnostic::new(
                    format!("rows have different lengths ({width} and {})", row.len()),
                    row_span,
                )
                .with_hint("every row of a matrix needs the same number of entries"));
            }
            for x in row {
                entries.push(self.scalar_entry(x)?);
            }
        }
        let shape = checked_shape(rows.len(), width).map_err(at(span))?;
        self.pool.matrix(shape, entries).map_err(at(span))
    }

    /// An expression that must be an exact integer.
    pub(crate) fn integer(&mut self, e: &Expr) -> Eval<i64> {
        let id = self.expr(e)?;
        match self.pool.as_num(id) {
            Some(n) if n.is_integer() => n.to_i64().ok_or_else(|| {
                Diagnostic::new(
                    format!(
                        "this integer is too large: it must be between {} and {}",
                        i64::MIN,
                        i64::MAX
                    ),
                    e.span,
                )
            }),
            _ => Err(Diagnostic::new("expected an integer", e.span)),
        }
    }

    /// A call of a user function or a built-in.
    fn call(&mut self, name: &str, name_span: Span, args: &[Arg], span: Span) -> Eval<Value> {
        if let Some(f) = self.functions.get(name).cloned() {
            return self.call_user(name, &f, args, span).map(Value::Expr);
        }
        if crate::builtins::builtin(name).is_some() {
            return self.call_builtin(name, args, span);
        }
        let known = crate::builtins::BUILTINS
            .iter()
            .map(|b| b.name)
            .chain(self.functions.keys().map(String::as_str));
        let mut d = Diagnostic::new(format!("unknown function '{name}'"), name_span);
        if let Some(hint) = crate::suggest::foreign_spelling(name) {
            d = d.with_hint(hint);
        } else if let Some(s) = did_you_mean(name, known) {
            d = d.with_hint(format!("did you mean '{s}'?"));
        }
        Err(d)
    }
}

/// `inf`, `nan`, `infinity` in any case: names a user may take for the
/// float constants of other languages.
fn is_non_finite_name(name: &str) -> bool {
    ["inf", "nan", "infinity"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n))
}

/// The expression of a positional argument; a named one is an error here.
pub(crate) fn positional(a: &Arg) -> Eval<&Expr> {
    match a {
        Arg::Positional(e) => Ok(e),
        Arg::Named { name, .. } => {
            let d = Diagnostic::new(
                format!("unexpected named argument '{}'", name.name),
                name.span,
            );
            Err(match name.name.as_str() {
                "axis" | "dim" | "keepdims" | "keepdim" => d.with_hint(
                    "give the dimension as the second argument: sum(A, 1) down each column \
                     (NumPy's axis=0), sum(A, 2) along each row (axis=1); results keep two dimensions",
                ),
                _ => d,
            })
        }
    }
}
