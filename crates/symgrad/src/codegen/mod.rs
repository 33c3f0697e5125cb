//! Code export: Python source of a function computing an expression (and
//! optionally its gradient) with NumPy, JAX or PyTorch.
//!
//! The function is written over the matrix DAG in topological order: every
//! node used more than once (or nested too deep to read) becomes one
//! temporary, so common subexpressions are computed once and deep
//! expressions need no recursion. The stable form of the expression
//! ([`Pool::stabilise`]) is emitted, with softplus, sigmoid, logsumexp and
//! softmax spelled with the library's stable functions.
//!
//! Values keep symgrad's shapes: every matrix is 2-D, and a 1×1 value is a
//! scalar (a Python number or a 0-d array), so a scalar loss is returned as
//! a scalar. Parameters are the free symbols, sorted by name, then the named
//! data matrices, sorted by name, each checked by an `assert` on entry.

mod dims;
mod python;
mod target;

pub use target::Target;

use crate::{Error, ExprId, Node, Pool, Result};
use dims::{Dims, Tie};
use python::{Emitter, py_name};
use std::collections::HashMap;

/// What to generate around the expression.
#[derive(Clone, Copy, Debug)]
pub struct CodeOptions<'a> {
    /// The name of the Python function.
    pub name: &'a str,
    /// A symbol: the function then returns the value and the gradient by it.
    pub wrt: Option<ExprId>,
    /// Names of data matrices: a numeric matrix named here becomes a
    /// parameter of that name (used whole or transposed) instead of a
    /// literal, so the function runs on data of another size.
    pub data: &'a HashMap<ExprId, String>,
}

/// A use of a data parameter: `X`, `-X` or `1 - X`, maybe transposed.
pub(super) struct DataUse {
    name: String,
    transposed: bool,
    form: Form,
}

#[derive(Clone, Copy)]
enum Form {
    Plain,
    Neg,
    OneMinus,
}

/// A parameter of the generated function.
struct Param {
    name: String,
    kind: ParamKind,
}

enum ParamKind {
    /// A symbol of this shape.
    Symbol(crate::Shape),
    /// A data matrix; its index among the data parameters.
    Data(usize),
}

/// Python source of a function computing `e` (and its gradient by
/// `options.wrt`) with `target`.
pub fn code(pool: &mut Pool, e: ExprId, target: Target, options: &CodeOptions) -> Result<String> {
    let value = pool.stabilise(e)?;
    let mut roots = vec![(value, "value".to_string())];
    if let Some(w) = options.wrt {
        let Node::Symbol { name, .. } = pool.node(w) else {
            return Err(Error::Invalid(
                "the gradient is taken by a symbol, such as W".into(),
            ));
        };
        let name = format!("grad_{}", py_name(name));
        let g = pool.grad(e, w)?;
        roots.push((pool.stabilise(g)?, name));
    }
    let mut order: Vec<ExprId> = roots.iter().flat_map(|&(r, _)| pool.reachable(r)).collect();
    order.sort_unstable();
    order.dedup();

    // Data matrices by node: whole, negated or subtracted from 1 (forms
    // that fold into new matrices as an expression is built), each also
    // transposed.
    let mut named: Vec<(&String, ExprId)> = options.data.iter().map(|(&id, n)| (n, id)).collect();
    named.sort();
    let mut data_of: HashMap<ExprId, DataUse> = HashMap::new();
    for (name, id) in named {
        if !matches!(pool.node(id), Node::Dense(_)) || pool.shape(id).is_scalar() {
            continue;
        }
        let one = pool.int(1)?;
        let forms = [
            (Form::Plain, id),
            (Form::Neg, pool.neg(id)?),
            (Form::OneMinus, pool.sub(one, id)?),
        ];
        for (form, x) in forms {
            let t = pool.transpose(x)?;
            for (node, transposed) in [(x, false), (t, true)] {
                if matches!(pool.node(node), Node::Dense(_)) {
                    data_of.entry(node).or_insert(DataUse {
                        name: py_name(name),
                        transposed,
                        form,
                    });
                }
            }
        }
    }

    // A data matrix whose shape the expression fixes entirely (it is tied
    // to literals, which may well be computed from it, such as `1 - y`) is
    // written as a literal when small: a parameter would invite new values
    // that the literals do not follow.
    let (mut params, mut ties) = ties(pool, &order, &data_of);
    let fixed: Vec<String> = params
        .iter()
        .filter_map(|p| match p.kind {
            ParamKind::Data(k)
                if matches!(ties[2 * k..2 * k + 2], [Tie::Fixed(m), Tie::Fixed(n)] if m * n <= python::MAX_LITERAL) =>
            {
                Some(p.name.clone())
            }
            _ => None,
        })
        .collect();
    if !fixed.is_empty() {
        data_of.retain(|_, d| !fixed.contains(&d.name));
        (params, ties) = self::ties(pool, &order, &data_of);
    }
    let mut emitter = Emitter::new(pool, target, &order, &roots, &data_of, &params)?;
    for &id in &order {
        emitter.node(id)?;
    }
    let body = emitter.finish(&roots);
    Ok(module(target, options, &params, &ties, body))
}

/// The parameters and the ties of the data parameters' dimensions.
fn ties(
    pool: &Pool,
    order: &[ExprId],
    data_of: &HashMap<ExprId, DataUse>,
) -> (Vec<Param>, Vec<Tie>) {
    let params = parameters(pool, order, data_of);
    let index: HashMap<ExprId, (usize, bool)> = data_of
        .iter()
        .filter_map(|(id, d)| {
            params
                .iter()
                .find(|p| p.name == d.name)
                .and_then(|p| match p.kind {
                    ParamKind::Data(k) => Some((*id, (k, d.transposed))),
                    ParamKind::Symbol(_) => None,
                })
        })
        .collect();
    let count = params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Data(_)))
        .count();
    let ties = Dims::new(pool, order, count, &index).ties();
    (params, ties)
}

/// The parameters: the free symbols sorted by name, then the data matrices
/// used, sorted by name.
fn parameters(pool: &Pool, order: &[ExprId], data_of: &HashMap<ExprId, DataUse>) -> Vec<Param> {
    let mut symbols: Vec<Param> = order
        .iter()
        .filter_map(|&id| match pool.node(id) {
            Node::Symbol { name, shape } => Some(Param {
                name: py_name(name),
                kind: ParamKind::Symbol(*shape),
            }),
            _ => None,
        })
        .collect();
    symbols.sort_by(|a, b| a.name.cmp(&b.name));
    let mut data: Vec<String> = order
        .iter()
        .filter_map(|id| data_of.get(id).map(|d| d.name.clone()))
        .collect();
    data.sort();
    data.dedup();
    symbols.extend(data.into_iter().enumerate().map(|(k, name)| Param {
        name,
        kind: ParamKind::Data(k),
    }));
    symbols
}

/// The whole module: imports, helpers, the function with its asserts.
fn module(
    target: Target,
    options: &CodeOptions,
    params: &[Param],
    ties: &[Tie],
    body: python::Body,
) -> String {
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
    for line in asserts(target, params, ties) {
        out.push_str(&format!("    {line}\n"));
    }
    for line in &body.lines {
        out.push_str(&format!("    {line}\n"));
    }
    out.push_str(&format!("    return {}\n", body.result));
    out
}

/// The shape checks on entry.
fn asserts(target: Target, params: &[Param], ties: &[Tie]) -> Vec<String> {
    let data: Vec<&str> = params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Data(_)))
        .map(|p| p.name.as_str())
        .collect();
    let mut out = Vec::new();
    for p in params {
        let x = &p.name;
        match p.kind {
            ParamKind::Symbol(s) if s.is_scalar() => out.push(format!(
                "assert {} == 0, f\"{x}: expected a scalar, got shape {{{}}}\"",
                target.ndim(x),
                target.shape_of(x)
            )),
            ParamKind::Symbol(s) => out.push(format!(
                "assert {x}.shape == ({}, {}), f\"{x}: expected shape ({}, {}), got {{tuple({x}.shape)}}\"",
                s.rows, s.cols, s.rows, s.cols
            )),
            ParamKind::Data(k) => {
                out.push(format!(
                    "assert {x}.ndim == 2, f\"{x}: expected a matrix, got {{{x}.ndim}} dimensions\""
                ));
                if let [Tie::Fixed(m), Tie::Fixed(n)] = &ties[2 * k..2 * k + 2] {
                    out.push(format!(
                        "assert {x}.shape == ({m}, {n}), f\"{x}: expected shape ({m}, {n}), got {{tuple({x}.shape)}}\""
                    ));
                    continue;
                }
                for d in 0..2 {
                    let what = ["rows", "columns"][d];
                    let got = format!("{x}.shape[{d}]");
                    match ties[2 * k + d] {
                        Tie::Fixed(n) => {
                            let what = if n == 1 { &what[..what.len() - 1] } else { what };
                            out.push(format!(
                                "assert {got} == {n}, f\"{x}: expected {n} {what}, got {{{got}}}\""
                            ))
                        }
                        Tie::Same(j) => {
                            let other = format!("{}.shape[{}]", data[j / 2], j % 2);
                            let theirs = ["rows", "columns"][j % 2];
                            out.push(format!(
                                "assert {got} == {other}, f\"{x}: expected as many {what} as {} has {theirs} ({{{other}}}), got {{{got}}}\"",
                                data[j / 2]
                            ));
                        }
                        Tie::Free => {}
                    }
                }
            }
        }
    }
    out
}
