//! The syntax tree of the language, with byte spans into the source.
//!
//! `Display` prints a node as an S-expression, e.g. `(neg (^ 2 2))`; tests use
//! it to check the structure.

use std::fmt;

use crate::span::Span;

/// A parsed source: its statements in order.
pub type Program = Vec<Stmt>;

/// A name with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    /// The statement, without its terminating newline or `;`.
    pub span: Span,
}

/// The kinds of statement.
#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `expr`, or `expr;` when `silent`.
    Expr { expr: Expr, silent: bool },
    /// `name = value`.
    Assign { name: Ident, value: Expr },
    /// `f(x, y) = body`.
    FuncDef {
        name: Ident,
        params: Vec<Ident>,
        body: Expr,
    },
    /// `symbol a, W[3, 4], b[3]`.
    Symbols(Vec<SymbolDecl>),
    /// `:name args`: `args` is the raw rest of the line, trimmed.
    Command {
        name: Ident,
        args: String,
        args_span: Span,
    },
}

/// One symbol of a `symbol` statement.
#[derive(Clone, Debug, PartialEq)]
pub struct SymbolDecl {
    pub name: Ident,
    /// `[]` for a scalar, `[m]` for m×1, `[m, n]` for m×n.
    pub dims: Vec<Expr>,
    /// Declared `onehot`: every column holds a single 1 and zeros.
    pub one_hot: bool,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal's digits (any size).
    Int(String),
    /// A float literal.
    Float(f64),
    /// A string literal, escapes decoded.
    Str(String),
    /// A name: a variable, symbol or constant.
    Name(String),
    /// `f(args)`.
    Call { func: Ident, args: Vec<Arg> },
    /// `A[i, j]`, `X[:, 0]`.
    Index {
        target: Box<Expr>,
        indices: Vec<IndexArg>,
    },
    /// `A'` or `A.T`.
    Transpose(Box<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `lhs op rhs`.
    Binary {
        op: BinOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `a + b - c …` or `a * b / c …`: three or more operands joined by
    /// operators of one precedence level, applied left to right. Kept flat so
    /// that a long sum is neither deep nor slow.
    Chain { first: Box<Expr>, rest: Vec<Link> },
    /// `[[1, 2], [3, 4]]`: rows of equal length.
    Matrix(Vec<Vec<Expr>>),
    /// `[1, 0, 0]`: a column vector.
    Vector(Vec<Expr>),
}

/// One `op operand` of a [`ExprKind::Chain`].
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub op: BinOp,
    pub op_span: Span,
    pub rhs: Expr,
}

/// An argument of a call.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Positional(Expr),
    /// `name = value`, as in `subs(e, W = M)`.
    Named {
        name: Ident,
        value: Expr,
    },
}

/// One index inside `[ ]`.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexArg {
    /// A single position.
    At(Expr),
    /// `a:b`, `:b`, `a:` or `:`.
    Range {
        start: Option<Expr>,
        end: Option<Expr>,
    },
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    ElemMul,
    ElemDiv,
    ElemPow,
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`: elementwise comparisons giving 0/1.
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    /// The precedence level of a left-associative operator (1: `+ -`,
    /// 2: `* / .* ./`); `None` for the right-associative powers.
    pub fn chain_level(self) -> Option<u8> {
        match self {
            BinOp::Add | BinOp::Sub => Some(1),
            BinOp::Mul | BinOp::Div | BinOp::ElemMul | BinOp::ElemDiv => Some(2),
            BinOp::Pow | BinOp::ElemPow => None,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => None,
        }
    }

    /// Whether this is one of the comparisons `==` … `>=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }

    /// The operator as written (`^` for both `^` and `**`).
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::ElemMul => ".*",
            BinOp::ElemDiv => "./",
            BinOp::ElemPow => ".^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        }
    }
}

impl fmt::Display for Stmt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StmtKind::Expr {
                expr,
                silent: false,
            } => write!(f, "{expr}"),
            StmtKind::Expr { expr, silent: true } => write!(f, "(silent {expr})"),
            StmtKind::Assign { name, value } => write!(f, "(= {} {value})", name.name),
            StmtKind::FuncDef { name, params, body } => {
                let params: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
                write!(f, "(def {} ({}) {body})", name.name, params.join(" "))
            }
            StmtKind::Symbols(decls) => {
                write!(f, "(symbol")?;
                for d in decls {
                    write!(f, " {}", d.name.name)?;
                    if !d.dims.is_empty() {
                        write!(f, "[{}]", spaced(&d.dims))?;
                    }
                    if d.one_hot {
                        write!(f, " onehot")?;
                    }
                }
                write!(f, ")")
            }
            StmtKind::Command { name, args, .. } => write!(f, "(:{} {args:?})", name.name),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Int(digits) => write!(f, "{digits}"),
            ExprKind::Float(x) => write!(f, "{x:?}"),
            ExprKind::Str(s) => write!(f, "{s:?}"),
            ExprKind::Name(n) => write!(f, "{n}"),
            ExprKind::Call { func, args } => {
                write!(f, "({}", func.name)?;
                args.iter().try_for_each(|a| write!(f, " {a}"))?;
                write!(f, ")")
            }
            ExprKind::Index { target, indices } => {
                write!(f, "(index {target} {})", spaced(indices))
            }
            ExprKind::Transpose(e) => write!(f, "(' {e})"),
            ExprKind::Neg(e) => write!(f, "(neg {e})"),
            ExprKind::Binary { op, lhs, rhs, .. } => write!(f, "({} {lhs} {rhs})", op.symbol()),
            // Written as the nested binary operations it stands for.
            ExprKind::Chain { first, rest } => {
                rest.iter()
                    .rev()
                    .try_for_each(|l| write!(f, "({} ", l.op.symbol()))?;
                write!(f, "{first}")?;
                rest.iter().try_for_each(|l| write!(f, " {})", l.rhs))
            }
            ExprKind::Vector(items) => write!(f, "[{}]", spaced(items)),
            ExprKind::Matrix(rows) => {
                let rows: Vec<String> = rows.iter().map(|r| format!("[{}]", spaced(r))).collect();
                write!(f, "[{}]", rows.join(" "))
            }
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Positional(e) => write!(f, "{e}"),
            Arg::Named { name, value } => write!(f, "{}={value}", name.name),
        }
    }
}

impl fmt::Display for IndexArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let end = |e: &Option<Expr>| e.as_ref().map_or(String::new(), Expr::to_string);
        match self {
            IndexArg::At(e) => write!(f, "{e}"),
            IndexArg::Range { start, end: stop } => write!(f, "{}:{}", end(start), end(stop)),
        }
    }
}

/// The items printed with a space between each.
fn spaced<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(T::to_string).collect::<Vec<_>>().join(" ")
}
