//! Source text → [`Program`]: pest for tokens and structure, a Pratt parser
//! for operator precedence. pest's parse tree never leaves this module.

#[cfg(test)]
mod error_tests;
mod errors;
mod scan;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use pest::Parser as _;
use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use crate::ast::{
    Arg, BinOp, Expr, ExprKind, Ident, IndexArg, Link, Program, Stmt, StmtKind, SymbolDecl,
};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// The most brackets that may be open at once.
pub const MAX_NESTING: usize = 200;

/// The deepest expression tree accepted (operators nested in operators).
pub const MAX_EXPR_DEPTH: usize = 500;

/// The most operands of one flat sum or product (`a + b + …`).
pub const MAX_CHAIN_OPERANDS: usize = 1_000_000;

#[derive(pest_derive::Parser)]
#[grammar = "../../grammar/symgrad.pest"]
struct Grammar;

/// Operator precedence, lowest first (see LANGUAGE.md).
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left)
            | Op::infix(Rule::div, Assoc::Left)
            | Op::infix(Rule::elem_mul, Assoc::Left)
            | Op::infix(Rule::elem_div, Assoc::Left))
        .op(Op::prefix(Rule::neg))
        .op(Op::infix(Rule::pow, Assoc::Right) | Op::infix(Rule::elem_pow, Assoc::Right))
        .op(Op::postfix(Rule::index) | Op::postfix(Rule::transpose))
});

/// Parses a whole source (a REPL entry, a script) into its statements.
///
/// Empty input and blank or comment-only lines give no statements. Errors
/// say what was expected in words and point at the offending text.
///
/// ```
/// let program = symgrad_lang::parse("y = -2^2; y").unwrap();
/// assert_eq!(program[0].to_string(), "(= y (neg (^ 2 2)))");
/// ```
pub fn parse(src: &str) -> Result<Program, Diagnostic> {
    scan::check(src)?;
    let mut pairs = Grammar::parse(Rule::program, src).map_err(|e| errors::describe(src, &e))?;
    let program = pairs.next().ok_or_else(|| internal(Span::at(0)))?;
    build_program(program)
}

/// Whether `src` ends with a bracket still open (outside strings and
/// comments): a REPL should then read another line and parse them together.
///
/// ```
/// assert!(symgrad_lang::is_incomplete("f(x,"));
/// assert!(!symgrad_lang::is_incomplete("f(x) # ("));
/// ```
pub fn is_incomplete(src: &str) -> bool {
    !scan::open_brackets(src, src.len()).is_empty()
}

/// The span of a pair.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    Span::new(pair.as_span().start(), pair.as_span().end())
}

/// An error for a parse tree the builder does not expect (a bug, not a user error).
fn internal(span: Span) -> Diagnostic {
    Diagnostic::new(
        "internal error: the parser produced an unexpected tree",
        span,
    )
}

/// Whether a pair is punctuation the builders skip.
fn is_punctuation(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::comma
            | Rule::lparen
            | Rule::call_open
            | Rule::rparen
            | Rule::index_open
            | Rule::matrix_open
            | Rule::rbracket
            | Rule::assign_op
            | Rule::kw_symbol
    )
}

/// The children of a pair without punctuation.
fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| !is_punctuation(p.as_rule()))
}

// ---------------------------------------------------------------- statements

/// Builds the statements; a `;` right after an expression silences it.
fn build_program(program: Pair<'_, Rule>) -> Result<Program, Diagnostic> {
    let mut stmts: Program = Vec::new();
    let mut after_stmt = false;
    for pair in program.into_inner() {
        match pair.as_rule() {
            Rule::semi => {
                if after_stmt {
                    silence(stmts.last_mut());
                }
                after_stmt = false;
            }
            Rule::line_end | Rule::EOI => after_stmt = false,
            _ => {
                stmts.push(build_stmt(pair)?);
                after_stmt = true;
            }
        }
    }
    Ok(stmts)
}

/// Marks an expression statement silent (`expr;`).
fn silence(stmt: Option<&mut Stmt>) {
    if let Some(StmtKind::Expr { silent, .. }) = stmt.map(|s| &mut s.kind) {
        *silent = true;
    }
}

/// Builds one statement.
fn build_stmt(pair: Pair<'_, Rule>) -> Result<Stmt, Diagnostic> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::command => build_command(pair)?,
        Rule::symbols => {
            StmtKind::Symbols(children(pair).map(build_symbol).collect::<Result<_, _>>()?)
        }
        Rule::func_def => build_func_def(pair)?,
        Rule::assign => {
            let mut parts = children(pair);
            let name = parts.next().map(ident).ok_or_else(|| internal(span))?;
            let value = parts
                .next()
                .map(build_expr)
                .ok_or_else(|| internal(span))??;
            StmtKind::Assign { name, value }
        }
        Rule::expr => StmtKind::Expr {
            expr: build_expr(pair)?,
            silent: false,
        },
        _ => return Err(internal(span)),
    };
    Ok(Stmt { kind, span })
}

/// An identifier from a `name` or `command_name` pair.
fn ident(pair: Pair<'_, Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_owned(),
        span: span_of(&pair),
    }
}

/// `:name args`: the arguments are kept raw, trimmed of surrounding blanks.
fn build_command(pair: Pair<'_, Rule>) -> Result<StmtKind, Diagnostic> {
    let span = span_of(&pair);
    let mut parts = pair.into_inner();
    let name = parts.next().map(ident).ok_or_else(|| internal(span))?;
    let raw = parts.next().ok_or_else(|| internal(span))?;
    let text = raw.as_str();
    let start = raw.as_span().start() + (text.len() - text.trim_start().len());
    let args = text.trim().to_owned();
    let args_span = Span::new(start, start + args.len());
    Ok(StmtKind::Command {
        name,
        args,
        args_span,
    })
}

/// `W[3, 4]` in a `symbol` statement.
fn build_symbol(pair: Pair<'_, Rule>) -> Result<SymbolDecl, Diagnostic> {
    let span = span_of(&pair);
    let mut parts = children(pair);
    let name = parts.next().map(ident).ok_or_else(|| internal(span))?;
    let mut one_hot = false;
    let mut dims = Vec::new();
    for part in parts {
        match part.as_rule() {
            Rule::kw_onehot => one_hot = true,
            _ => dims.push(build_expr(part)?),
        }
    }
    Ok(SymbolDecl {
        name,
        dims,
        one_hot,
    })
}

/// `f(x, y) = body`; a parameter may not appear twice.
fn build_func_def(pair: Pair<'_, Rule>) -> Result<StmtKind, Diagnostic> {
    let span = span_of(&pair);
    let mut params: Vec<Ident> = Vec::new();
    let mut name = None;
    let mut body = None;
    for part in children(pair) {
        match part.as_rule() {
            Rule::name if name.is_none() => name = Some(ident(part)),
            Rule::name => params.push(unique_param(&params, ident(part))?),
            _ => body = Some(build_expr(part)?),
        }
    }
    match (name, body) {
        (Some(name), Some(body)) => Ok(StmtKind::FuncDef { name, params, body }),
        _ => Err(internal(span)),
    }
}

/// `param`, or an error if an earlier parameter has the same name.
fn unique_param(params: &[Ident], param: Ident) -> Result<Ident, Diagnostic> {
    match params.iter().find(|p| p.name == param.name) {
        Some(_) => Err(Diagnostic::new(
            format!("parameter '{}' appears twice", param.name),
            param.span,
        )
        .with_label("already a parameter of this function")),
        None => Ok(param),
    }
}

// --------------------------------------------------------------- expressions

/// An expression with the height of its tree, to bound nesting.
struct Node {
    expr: Expr,
    height: usize,
}

impl Node {
    /// A node over children of the given greatest height.
    fn new(kind: ExprKind, span: Span, child_height: usize) -> Result<Node, Diagnostic> {
        let height = child_height + 1;
        if height > MAX_EXPR_DEPTH {
            return Err(Diagnostic::new("expression nested too deeply", span)
                .with_label(format!("more than {MAX_EXPR_DEPTH} levels of operators"))
                .with_hint("split it into several assignments"));
        }
        Ok(Node {
            expr: Expr { kind, span },
            height,
        })
    }

    /// A leaf.
    fn leaf(kind: ExprKind, span: Span) -> Node {
        Node {
            expr: Expr { kind, span },
            height: 1,
        }
    }
}

/// The greatest height among nodes.
fn max_height<'a>(nodes: impl IntoIterator<Item = &'a Node>) -> usize {
    nodes.into_iter().map(|n| n.height).max().unwrap_or(0)
}

/// Builds an `expr` pair.
fn build_expr(pair: Pair<'_, Rule>) -> Result<Expr, Diagnostic> {
    build_node(pair).map(|n| n.expr)
}

/// Builds an `expr` pair with the Pratt parser.
fn build_node(pair: Pair<'_, Rule>) -> Result<Node, Diagnostic> {
    check_chain_length(&pair)?;
    PRATT
        .map_primary(build_primary)
        .map_prefix(|op, rhs| {
            let rhs = rhs?;
            let span = span_of(&op).to(rhs.expr.span);
            Node::new(ExprKind::Neg(Box::new(rhs.expr)), span, rhs.height)
        })
        .map_postfix(|lhs, op| build_postfix(lhs?, op))
        .map_infix(|lhs, op, rhs| build_binary(lhs?, &op, rhs?))
        .parse(pair.into_inner())
}

/// Rejects long runs of `-` and `^` before the Pratt parser recurses on them.
fn check_chain_length(pair: &Pair<'_, Rule>) -> Result<(), Diagnostic> {
    let recursive =
        |p: &Pair<'_, Rule>| matches!(p.as_rule(), Rule::neg | Rule::pow | Rule::elem_pow);
    match pair
        .clone()
        .into_inner()
        .filter(recursive)
        .nth(MAX_EXPR_DEPTH)
    {
        Some(op) => Err(
            Diagnostic::new("expression nested too deeply", span_of(&op)).with_label(format!(
                "more than {MAX_EXPR_DEPTH} '-' and '^' in one expression"
            )),
        ),
        None => Ok(()),
    }
}

/// `lhs op rhs`.
fn build_binary(lhs: Node, op: &Pair<'_, Rule>, rhs: Node) -> Result<Node, Diagnostic> {
    let op_span = span_of(op);
    let op = match op.as_rule() {
        Rule::add => BinOp::Add,
        Rule::sub => BinOp::Sub,
        Rule::mul => BinOp::Mul,
        Rule::div => BinOp::Div,
        Rule::pow => BinOp::Pow,
        Rule::elem_mul => BinOp::ElemMul,
        Rule::elem_div => BinOp::ElemDiv,
        Rule::elem_pow => BinOp::ElemPow,
        Rule::eq => BinOp::Eq,
        Rule::ne => BinOp::Ne,
        Rule::lt => BinOp::Lt,
        Rule::le => BinOp::Le,
        Rule::gt => BinOp::Gt,
        Rule::ge => BinOp::Ge,
        _ => return Err(internal(op_span)),
    };
    let span = lhs.expr.span.to(rhs.expr.span);
    let height = lhs.height.max(rhs.height);
    if let Some(level) = op.chain_level() {
        // Joined to a chain on the left, the operands sit one level below it.
        let joined = lhs.height.saturating_sub(1).max(rhs.height);
        let link = Link {
            op,
            op_span,
            rhs: rhs.expr,
        };
        return chain(lhs, link, level, span, height, joined);
    }
    let kind = ExprKind::Binary {
        op,
        op_span,
        lhs: Box::new(lhs.expr),
        rhs: Box::new(rhs.expr),
    };
    Node::new(kind, span, height)
}

/// `lhs op rhs` for a left-associative `op` of precedence `level`: a
/// [`ExprKind::Chain`] continued when `lhs` is one of the same level, so a
/// long flat sum stays one node (no deeper than its deepest term).
fn chain(
    lhs: Node,
    link: Link,
    level: u8,
    span: Span,
    height: usize,
    joined: usize,
) -> Result<Node, Diagnostic> {
    let same = |op: BinOp| op.chain_level() == Some(level);
    let (first, rest) = match lhs.expr.kind {
        ExprKind::Chain { first, mut rest } if rest.first().is_some_and(|l| same(l.op)) => {
            if rest.len() >= MAX_CHAIN_OPERANDS {
                return Err(Diagnostic::new(
                    format!("more than {MAX_CHAIN_OPERANDS} terms in one expression"),
                    link.op_span,
                )
                .with_hint("split it into several assignments"));
            }
            rest.push(link);
            (first, rest)
        }
        ExprKind::Binary {
            op,
            op_span,
            lhs: first,
            rhs,
        } if same(op) => (
            first,
            vec![
                Link {
                    op,
                    op_span,
                    rhs: *rhs,
                },
                link,
            ],
        ),
        kind => {
            let kind = ExprKind::Binary {
                op: link.op,
                op_span: link.op_span,
                lhs: Box::new(Expr {
                    kind,
                    span: lhs.expr.span,
                }),
                rhs: Box::new(link.rhs),
            };
            return Node::new(kind, span, height);
        }
    };
    // The chain adds one level over its deepest operand.
    Node::new(ExprKind::Chain { first, rest }, span, joined)
}

/// `target[…]` or `target'`.
fn build_postfix(target: Node, op: Pair<'_, Rule>) -> Result<Node, Diagnostic> {
    let span = target.expr.span.to(span_of(&op));
    if op.as_rule() == Rule::transpose {
        return Node::new(
            ExprKind::Transpose(Box::new(target.expr)),
            span,
            target.height,
        );
    }
    let mut height = target.height;
    let mut indices = Vec::new();
    for arg in children(op) {
        let (index, h) = build_index_arg(arg)?;
        height = height.max(h);
        indices.push(index);
    }
    Node::new(
        ExprKind::Index {
            target: Box::new(target.expr),
            indices,
        },
        span,
        height,
    )
}

/// `i`, `a:b`, `:b`, `a:` or `:`, with the height of its expressions.
fn build_index_arg(pair: Pair<'_, Rule>) -> Result<(IndexArg, usize), Diagnostic> {
    let mut start = None;
    let mut end = None;
    let mut is_range = false;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::colon => is_range = true,
            _ if is_range => end = Some(build_node(part)?),
            _ => start = Some(build_node(part)?),
        }
    }
    let height = max_height(start.iter().chain(end.iter()));
    let (start, end) = (start.map(|n| n.expr), end.map(|n| n.expr));
    match (is_range, start) {
        (true, start) => Ok((IndexArg::Range { start, end }, height)),
        (false, Some(at)) => Ok((IndexArg::At(at), height)),
        (false, None) => Err(internal(Span::at(0))),
    }
}

/// An operand: a literal, name, call, group or matrix.
fn build_primary(pair: Pair<'_, Rule>) -> Result<Node, Diagnostic> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::int => Ok(Node::leaf(ExprKind::Int(pair.as_str().to_owned()), span)),
        Rule::float => build_float(pair.as_str(), span),
        Rule::string => Ok(Node::leaf(ExprKind::Str(unescape(pair.as_str())), span)),
        Rule::name => Ok(Node::leaf(ExprKind::Name(pair.as_str().to_owned()), span)),
        Rule::call => build_call(pair),
        Rule::paren => {
            let inner = children(pair).next().ok_or_else(|| internal(span))?;
            let node = build_node(inner)?;
            Ok(Node {
                expr: Expr {
                    kind: node.expr.kind,
                    span,
                },
                height: node.height,
            })
        }
        Rule::matrix => build_matrix(pair),
        _ => Err(internal(span)),
    }
}

/// A float literal; overflow to infinity is an error.
fn build_float(text: &str, span: Span) -> Result<Node, Diagnostic> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Node::leaf(ExprKind::Float(x), span)),
        _ => Err(Diagnostic::new("number too large", span)
            .with_label("beyond the largest float, about 1.8e308")),
    }
}

/// Decodes a string literal (with its quotes): `\n`, `\t`, `\"`, `\\`;
/// any other escaped character stands for itself.
fn unescape(quoted: &str) -> String {
    let body = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(quoted);
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// `f(a, name = b, …)`.
fn build_call(pair: Pair<'_, Rule>) -> Result<Node, Diagnostic> {
    let span = span_of(&pair);
    let mut parts = children(pair);
    let func = parts.next().map(ident).ok_or_else(|| internal(span))?;
    let mut args = Vec::new();
    let mut height = 0;
    for part in parts {
        let (arg, h) = build_arg(part)?;
        height = height.max(h);
        args.push(arg);
    }
    Node::new(ExprKind::Call { func, args }, span, height)
}

/// A positional or named argument, with the height of its expression.
fn build_arg(pair: Pair<'_, Rule>) -> Result<(Arg, usize), Diagnostic> {
    if pair.as_rule() != Rule::named_arg {
        let node = build_node(pair)?;
        return Ok((Arg::Positional(node.expr), node.height));
    }
    let span = span_of(&pair);
    let mut parts = children(pair);
    let name = parts.next().map(ident).ok_or_else(|| internal(span))?;
    let node = parts
        .next()
        .map(build_node)
        .ok_or_else(|| internal(span))??;
    Ok((
        Arg::Named {
            name,
            value: node.expr,
        },
        node.height,
    ))
}

/// `[1, 0, 0]` is a column vector; `[[1, 2], [3, 4]]`, whose items are all
/// bracketed lists of the same length, is a matrix given by rows.
fn build_matrix(pair: Pair<'_, Rule>) -> Result<Node, Diagnostic> {
    let span = span_of(&pair);
    let items: Vec<Node> = children(pair).map(build_node).collect::<Result<_, _>>()?;
    let height = max_height(&items);
    let rows = items
        .iter()
        .filter(|n| matches!(n.expr.kind, ExprKind::Vector(_)))
        .count();
    if rows == 0 {
        let items = items.into_iter().map(|n| n.expr).collect();
        return Node::new(ExprKind::Vector(items), span, height);
    }
    if let Some(entry) = items
        .iter()
        .find(|n| !matches!(n.expr.kind, ExprKind::Vector(_)))
    {
        return Err(
            Diagnostic::new("a matrix mixes rows and single entries", entry.expr.span)
                .with_label("expected a row like [1, 2]")
                .with_hint(
                    "write a matrix as a list of rows, [[1, 2], [3, 4]], or a vector as [1, 2]",
                ),
        );
    }
    let rows = items.into_iter().filter_map(|n| match n.expr.kind {
        ExprKind::Vector(row) => Some((row, n.expr.span)),
        _ => None,
    });
    let rows = equal_rows(rows.collect())?;
    Node::new(ExprKind::Matrix(rows), span, height)
}

/// The rows, or an error at the first row whose length differs from the first's.
fn equal_rows(rows: Vec<(Vec<Expr>, Span)>) -> Result<Vec<Vec<Expr>>, Diagnostic> {
    let width = rows.first().map_or(0, |(row, _)| row.len());
    if let Some((i, (row, span))) = rows
        .iter()
        .enumerate()
        .find(|(_, (row, _))| row.len() != width)
    {
        let entries = |n: usize| {
            if n == 1 {
                "1 entry".to_owned()
            } else {
                format!("{n} entries")
            }
        };
        let label = format!(
            "row {} has {}, row 1 has {}",
            i + 1,
            entries(row.len()),
            entries(width)
        );
        return Err(Diagnostic::new("matrix rows differ in length", *span).with_label(label));
    }
    Ok(rows.into_iter().map(|(row, _)| row).collect())
}
