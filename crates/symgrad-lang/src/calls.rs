//! Calls of built-in functions.

use crate::ast::{Arg, Expr};
use crate::builtins::builtin;
use crate::calculus::CALCULUS;
use crate::diagnostic::Diagnostic;
use crate::eval::{Eval, Value, at, positional};
use crate::optimise::OPTIMISE;
use crate::predict::PREDICT;
use crate::session::Session;
use crate::span::Span;
use symgrad::{Axis, Dense, DenseData, ExprId, Func, Node, Num, Shape, checked_shape};

impl Session {
    pub(crate) fn call_builtin(&mut self, name: &str, args: &[Arg], span: Span) -> Eval<Value> {
        if CALCULUS.contains(&name) {
            return self.call_calculus(name, args, span);
        }
        if OPTIMISE.contains(&name) {
            return self.call_optimise(name, args, span);
        }
        if name == "plot" {
            return self.call_plot(args, span);
        }
        if name == "explain" {
            return self.call_explain(args, span);
        }
        if name == "gradcheck" {
            return self.call_gradcheck(args, span);
        }
        let args: Vec<&Expr> = args.iter().map(positional).collect::<Eval<_>>()?;
        let arity = |lo: usize, hi: usize| check_arity(name, args.len(), lo, hi, span);
        let func = match name {
            "exp" => Some(Func::Exp),
            "abs" => Some(Func::Abs),
            "tanh" => Some(Func::Tanh),
            "sigmoid" => Some(Func::Sigmoid),
            "softplus" => Some(Func::Softplus),
            "relu" => Some(Func::Relu),
            "sign" => Some(Func::Sign),
            "step" => Some(Func::Step),
            "log" if args.len() == 1 => Some(Func::Log),
            "sin" => Some(Func::Sin),
            "cos" => Some(Func::Cos),
            "log1p" => Some(Func::Log1p),
            "expm1" => Some(Func::Expm1),
            "erf" => Some(Func::Erf),
            "tan" => Some(Func::Tan),
            "atan" => Some(Func::Atan),
            "asin" => Some(Func::Asin),
            "acos" => Some(Func::Acos),
            "sinh" => Some(Func::Sinh),
            "cosh" => Some(Func::Cosh),
            _ => None,
        };
        if let Some(f) = func {
            arity(1, 1)?;
            let x = self.expr(args[0])?;
            return value(self.pool.apply(f, x), span);
        }
        match name {
            "log" => {
                arity(1, 2)?;
                let (x, b) = (self.expr(args[0])?, self.expr(args[1])?);
                value(self.pool.log_base(x, b), span)
            }
            "sqrt" => {
                arity(1, 1)?;
                let x = self.expr(args[0])?;
                value(self.pool.sqrt(x), span)
            }
            "sum" | "mean" | "logsumexp" | "softmax" => {
                arity(1, 2)?;
                self.notes.in_reduction += 1;
                let a = self.expr(args[0]);
                self.notes.in_reduction -= 1;
                let a = a?;
                let default = if name == "softmax" {
                    Axis::Cols
                } else {
                    Axis::All
                };
                let axis = match args.get(1) {
                    Some(d) => self.axis(d)?,
                    None => default,
                };
                let p = &mut self.pool;
                let r = match name {
                    "sum" => p.sum(a, axis),
                    "mean" => p.mean(a, axis),
                    "logsumexp" => p.logsumexp(a, axis),
                    _ => p.softmax(a, axis),
                };
                value(r, span)
            }
            "transpose" | "trace" | "diag" | "elements" => {
                arity(1, 1)?;
                let a = self.expr(args[0])?;
                let p = &mut self.pool;
                let r = match name {
                    "transpose" => p.transpose(a),
                    "trace" => p.trace(a),
                    "diag" => p.diag(a),
                    _ => p.elements(a),
                };
                value(r, span)
            }
            "inv" | "det" | "logdet" => {
                arity(1, 1)?;
                let a = self.expr(args[0])?;
                let p = &mut self.pool;
                let r = match name {
                    "inv" => p.inv(a),
                    "det" => p.det(a),
                    _ => p.logdet(a),
                };
                value(r, span)
            }
            "dot" => {
                arity(2, 2)?;
                let (a, b) = (self.expr(args[0])?, self.expr(args[1])?);
                // NumPy's dot: the inner product of two vectors of one
                // length, the matrix product otherwise.
                let (sa, sb) = (self.pool.shape(a), self.pool.shape(b));
                let vectors = sa.cols == 1 && sb.cols == 1 && sa.rows > 1 && sb.rows > 1;
                if vectors && sa.rows != sb.rows {
                    return Err(Diagnostic::new(
                        format!(
                            "dot of vectors of different lengths, {} and {}",
                            sa.rows, sb.rows
                        ),
                        span,
                    ));
                }
                let p = &mut self.pool;
                let r = if vectors {
                    p.mul(&[a, b]).and_then(|ab| p.sum(ab, Axis::All))
                } else {
                    p.product(a, b)
                };
                value(r, span)
            }
            "solve" => {
                arity(2, 2)?;
                let (a, b) = (self.expr(args[0])?, self.expr(args[1])?);
                // SymPy's solve(f, x) finds roots; a linear solve would give
                // x/f, silently something else. A square matrix over a
                // matrix symbol of as many rows is a linear system even when
                // it holds the symbol (`solve(W⋅Wᵀ + I, W)`).
                let by_own_symbol = matches!(self.pool.node(b), Node::Symbol { .. })
                    && self.pool.free_symbols(a).contains(&b);
                let (sa, sb) = (self.pool.shape(a), self.pool.shape(b));
                let system = sa.rows == sa.cols && sb.rows == sa.rows && !sb.is_scalar();
                if by_own_symbol && !system {
                    return Err(Diagnostic::new(
                        "solve(A, b) solves A⋅X = b; it does not find where an expression is 0",
                        span,
                    )
                    .with_hint(
                        "descend(f, x, lr, steps) minimises f; eval(e, x = 2) evaluates e",
                    ));
                }
                value(self.pool.solve(a, b), span)
            }
            "ones" | "zeros" => {
                arity(1, 2)?;
                let shape = self.shape_args(&args, span)?;
                let r = if name == "ones" {
                    self.pool.ones(shape)
                } else {
                    self.pool.zeros(shape)
                };
                value(r, span)
            }
            "vstack" | "hstack" => {
                arity(1, usize::MAX)?;
                let parts = args
                    .iter()
                    .map(|a| self.expr(a))
                    .collect::<Eval<Vec<_>>>()?;
                value(self.pool.stack(&parts, name == "vstack"), span)
            }
            "eye" => {
                arity(1, 1)?;
                let n = self.dimension(args[0])?;
                value(self.pool.eye(n), span)
            }
            "shape" => {
                arity(1, 1)?;
                let a = self.expr(args[0])?;
                let s = self.pool.shape(a);
                let data = DenseData::Exact(vec![Num::int(s.rows as i64), Num::int(s.cols as i64)]);
                let d = Dense::new(Shape::new(1, 2), data).map_err(at(span))?;
                value(self.pool.dense(d), span)
            }
            "size" => {
                arity(1, 1)?;
                let e = self.expr(args[0])?;
                let n = self.pool.size(e);
                if n == u64::MAX {
                    return Err(Diagnostic::new(
                        "size counts the expression written out as a tree: that is over \
                         18446744073709551614 operations here (it shares subexpressions, \
                         as one built step by step does)",
                        span,
                    ));
                }
                value(
                    self.pool.num(Num::Rat(num_bigint::BigInt::from(n).into())),
                    span,
                )
            }
            "pretty" | "text" | "latex" => {
                arity(1, 1)?;
                let e = self.expr(args[0])?;
                let text = self.render(e, name).map_err(at(span))?;
                Ok(Value::Text(text))
            }
            "seed" | "randn" | "rand" | "randint" => self.call_random(name, &args, span),
            "code" => self.call_code(&args, span),
            "one_hot" => self.call_one_hot(&args, span),
            "load" => self.call_load(&args, span),
            "evalpoints" => self.call_evalpoints(&args, span),
            "reshape" => self.call_reshape(&args, span),
            "save" => self.call_save(&args, span),
            "permutation" | "batches" => self.call_random(name, &args, span),
            _ if PREDICT.contains(&name) => self.call_predict(name, &args, span),
            _ => Err(Diagnostic::new(
                format!("'{name}' is not implemented yet"),
                span,
            )),
        }
    }

    /// A dimension argument: 1 (down columns) or 2 (along rows).
    pub(crate) fn axis(&mut self, e: &Expr) -> Eval<Axis> {
        match self.integer(e)? {
            1 => Ok(Axis::Cols),
            2 => Ok(Axis::Rows),
            _ => Err(Diagnostic::new(
                "the dimension must be 1 (down columns) or 2 (along rows)",
                e.span,
            )),
        }
    }

    /// A positive size such as the `m` of `ones(m, n)`.
    pub(crate) fn dimension(&mut self, e: &Expr) -> Eval<usize> {
        let n = self.integer(e)?;
        usize::try_from(n).ok().filter(|&n| n > 0).ok_or_else(|| {
            Diagnostic::new(
                format!("a size must be a positive integer, not {n}"),
                e.span,
            )
        })
    }

    /// The shape given by `(m)` (m×1) or `(m, n)`.
    fn shape_args(&mut self, args: &[&Expr], span: Span) -> Eval<Shape> {
        let rows = self.dimension(args[0])?;
        let cols = match args.get(1) {
            Some(c) => self.dimension(c)?,
            None => 1,
        };
        checked_shape(rows, cols).map_err(at(span))
    }
}

/// A core result as a value, with errors pointing at `span`.
fn value(r: symgrad::Result<ExprId>, span: Span) -> Eval<Value> {
    r.map(Value::Expr).map_err(at(span))
}

/// `Ok` when a built-in got from `lo` to `hi` arguments; else the error
/// every built-in gives, with its usage.
pub(crate) fn check_arity(name: &str, got: usize, lo: usize, hi: usize, span: Span) -> Eval<()> {
    if (lo..=hi).contains(&got) {
        return Ok(());
    }
    let usage = builtin(name).map_or(name, |b| b.usage);
    let takes = match (lo == hi, lo == 1) {
        (true, true) => "1 argument".to_string(),
        (true, false) => format!("{lo} arguments"),
        (false, true) if hi == usize::MAX => "at least 1 argument".to_string(),
        (false, _) if hi == usize::MAX => format!("at least {lo} arguments"),
        (false, _) => format!("{lo} to {hi} arguments"),
    };
    Err(Diagnostic::new(
        format!("wrong number of arguments: {usage} takes {takes}, got {got}"),
        span,
    )
    .with_hint(usage_hint(name)))
}

/// The hint `usage: f(x [, n])` of a built-in.
pub(crate) fn usage_hint(name: &str) -> String {
    format!("usage: {}", builtin(name).map_or(name, |b| b.usage))
}
