//! Code export: Python source of a function computing an expression (and
//! optionally its gradient) with NumPy, JAX or PyTorch.
//!
//! The function is written over the matrix DAG in topological order: every
//! node used more than once (or nested too deep to read) becomes one
//! temporary, so common subexpressions are computed once and deep
//! expressions need no recursion. The numeric form of the expression
//! ([`Pool::numeric_form`]) is emitted, with softplus, sigmoid, logsumexp and
//! softmax spelled with the library's stable functions.
//!
//! Values keep symgrad's shapes: every matrix is 2-D, and a 1×1 value is a
//! scalar (a Python number or a 0-d array), so a scalar loss is returned as
//! a scalar. The parameters are the free symbols, sorted by name, each
//! checked by an `assert` of its shape on entry. Numeric data is written
//! into the code: numbers computed from it while the expression was built
//! (the `1/n` of a mean, sums of labels) are constants, so only a symbol
//! can stand for data that changes.

mod python;
mod target;

pub use target::Target;

use crate::{Error, ExprId, Node, Pool, Result};
use python::{Emitter, py_name};

/// What to generate around the expression.
#[derive(Clone, Copy, Debug)]
pub struct CodeOptions<'a> {
    /// The name of the Python function.
    pub name: &'a str,
    /// A symbol: the function then returns the value and the gradient by it.
    pub wrt: Option<ExprId>,
}

/// A parameter of the generated function: a symbol.
struct Param {
    name: String,
    shape: crate::Shape,
}

/// Python source of a function computing `e` (and its gradient by
/// `options.wrt`) with `target`.
pub fn code(pool: &mut Pool, e: ExprId, target: Target, options: &CodeOptions) -> Result<String> {
    let value = pool.numeric_form(e)?;
    let value = pool.written_as_formulas(value)?;
    let mut roots = vec![(value, "value".to_string())];
    if let Some(w) = options.wrt {
        let Node::Symbol { name, .. } = pool.node(w) else {
            return Err(Error::Invalid(
                "the gradient is taken by a symbol, such as W".into(),
            ));
        };
        let name = format!("grad_{}", py_name(name));
        let g = pool.grad(e, w)?;
        let g = pool.numeric_form(g)?;
        roots.push((pool.written_as_formulas(g)?, name));
    }
    let mut order: Vec<ExprId> = roots.iter().flat_map(|&(r, _)| pool.reachable(r)).collect();
    order.sort_unstable();
    order.dedup();

    let params = parameters(pool, &order);
    let mut emitter = Emitter::new(pool, target, &order, &roots, &params)?;
    for &id in &order {
        emitter.node(id)?;
    }
    let body = emitter.finish(&roots);
    Ok(module(target, options, &params, body))
}

/// The parameters: the free symbols, sorted by name.
fn parameters(pool: &Pool, order: &[ExprId]) -> Vec<Param> {
    let mut params: Vec<Param> = order
        .iter()
        .filter_map(|&id| match pool.node(id) {
            Node::Symbol { name, shape } => Some(Param {
                name: py_name(name),
                shape: *shape,
            }),
            _ => None,
        })
        .collect();
    params.sort_by(|a, b| a.name.cmp(&b.name));
    params
}

/// The whole module: imports, helpers, the function with its asserts.
fn module(target: Target, options: &CodeOptions, params: &[Param], body: python::Body) -> String {
    let mut out = String::from(target.imports());
    match target {
        Target::Jax => out.push_str(
            "\n# For float64 results like symgrad's: jax.config.update(\"jax_enable_x64\", True)\n",
        ),
        Target::Torch => out.push_str("\n# Pass float64 tensors for results like symgrad's.\n"),
        Target::NumPy => {}
    }
    for h in &body.helpers {
        out.push_str("\n\n");
        out.push_str(h);
    }
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    let name = py_name(options.name);
    out.push_str(&format!("\n\ndef {name}({}):\n", names.join(", ")));
    let doc = match options.wrt {
        Some(_) => "The value and the gradient",
        None => "The value",
    };
    out.push_str(&format!("    \"\"\"{doc}, from symgrad.\"\"\"\n"));
    for line in asserts(target, params) {
        out.push_str(&format!("    {line}\n"));
    }
    for line in &body.lines {
        out.push_str(&format!("    {line}\n"));
    }
    out.push_str(&format!("    return {}\n", body.result));
    out
}

/// The shape checks on entry. A scalar (symgrad's 1×1 too, as `symbol
/// b[1]`) may come as any array of one number, and is made a scalar.
fn asserts(target: Target, params: &[Param]) -> Vec<String> {
    let mut lines = Vec::with_capacity(params.len());
    for p in params {
        let (x, s) = (&p.name, p.shape);
        if s.is_scalar() {
            lines.push(format!(
                "assert {} == 1, f\"{x}: expected a scalar, got shape {{{}}}\"",
                target.size(x),
                target.shape_of(x)
            ));
            lines.push(format!("{x} = {}", target.as_scalar(x)));
        } else {
            lines.push(format!(
                "assert {x}.shape == ({}, {}), f\"{x}: expected shape ({}, {}), got {{tuple({x}.shape)}}\"",
                s.rows, s.cols, s.rows, s.cols
            ));
        }
    }
    lines
}
