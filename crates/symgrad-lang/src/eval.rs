//! Evaluation of expressions: names, literals, operators, indexing and calls.

use crate::ast::{Arg, BinOp, Expr, ExprKind, IndexArg};
use crate::diagnostic::Diagnostic;
use crate::session::Session;
use crate::span::Span;
use crate::suggest::did_you_mean;
use num_bigint::BigInt;
use symgrad::{Constant, Error, ExprId, Num, Shape, Span1, checked_shape};

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
    move |e| Diagnostic::new(e.to_string(), span)
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
                self.binary(*op, a, b).map_err(at(*op_span))
            }
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

    fn binary(&mut self, op: BinOp, a: ExprId, b: ExprId) -> symgrad::Result<ExprId> {
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
            _ => self.pool.symbol(name, Shape::SCALAR),
        };
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

    /// `A[i, j]`, `A[i]` (flat, row-major) and slices `A[0:2, :]`.
    fn index(&mut self, target: ExprId, indices: &[IndexArg], span: Span) -> Eval<ExprId> {
        let shape = self.pool.shape(target);
        let (rows, cols) = match indices {
            [IndexArg::At(k)] => {
                let k = self.position(k, shape.len())?;
                (
                    Span1 {
                        start: k / shape.cols,
                        end: k / shape.cols + 1,
                    },
                    Span1 {
                        start: k % shape.cols,
                        end: k % shape.cols + 1,
                    },
                )
            }
            [IndexArg::Range { .. }] if shape.cols == 1 => (
                self.range(&indices[0], shape.rows)?,
                Span1 { start: 0, end: 1 },
            ),
            [IndexArg::Range { .. }] if shape.rows == 1 => (
                Span1 { start: 0, end: 1 },
                self.range(&indices[0], shape.cols)?,
            ),
            [r, c] => (self.range(r, shape.rows)?, self.range(c, shape.cols)?),
            _ => {
                return Err(Diagnostic::new(
                    "index with [i], [i, j] or slices such as [0:2, :]",
                    span,
                ));
            }
        };
        self.pool.slice(target, rows, cols).map_err(at(span))
    }

    /// One index or slice of a dimension of length `len`.
    fn range(&mut self, arg: &IndexArg, len: usize) -> Eval<Span1> {
        match arg {
            IndexArg::At(k) => {
                let k = self.position(k, len)?;
                Ok(Span1 {
                    start: k,
                    end: k + 1,
                })
            }
            IndexArg::Range { start, end } => {
                let start = match start {
                    Some(s) => self.bound(s, len)?,
                    None => 0,
                };
                let end = match end {
                    Some(e) => self.bound(e, len)?,
                    None => len,
                };
                Ok(Span1 { start, end })
            }
        }
    }

    /// An index in `0..len`; negative indices count from the end.
    fn position(&mut self, e: &Expr, len: usize) -> Eval<usize> {
        let k = self.integer(e)?;
        let idx = if k < 0 { k + len as i64 } else { k };
        if idx < 0 || idx >= len as i64 {
            return Err(Diagnostic::new(
                format!("index {k} is out of range 0..{len}"),
                e.span,
            ));
        }
        Ok(idx as usize)
    }

    /// A slice bound in `0..=len`; negative bounds count from the end.
    fn bound(&mut self, e: &Expr, len: usize) -> Eval<usize> {
        let k = self.integer(e)?;
        let idx = if k < 0 { k + len as i64 } else { k };
        Ok(idx.clamp(0, len as i64) as usize)
    }

    /// An expression that must be an exact integer.
    pub(crate) fn integer(&mut self, e: &Expr) -> Eval<i64> {
        let id = self.expr(e)?;
        self.pool
            .as_num(id)
            .and_then(Num::to_i64)
            .ok_or_else(|| Diagnostic::new("expected an integer", e.span))
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
        if let Some(s) = did_you_mean(name, known) {
            d = d.with_hint(format!("did you mean '{s}'?"));
        }
        Err(d)
    }
}

/// The expression of a positional argument; a named one is an error here.
pub(crate) fn positional(a: &Arg) -> Eval<&Expr> {
    match a {
        Arg::Positional(e) => Ok(e),
        Arg::Named { name, .. } => Err(Diagnostic::new(
            format!("unexpected named argument '{}'", name.name),
            name.span,
        )),
    }
}
