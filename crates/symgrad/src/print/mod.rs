//! Printers: 2-D Unicode ([`pretty`]), one line in the input language
//! ([`text`]) and LaTeX ([`latex`]).
//!
//! All three read the normalised DAG as it is stored (argument order is print
//! order), share one analysis of signs, coefficients and quotients
//! (`form`) and one precedence table (`prec`).

mod boxes;
mod breaks;
mod form;
mod latex;
mod layout;
mod names;
mod prec;
mod pretty;
mod text;
mod wrap;

#[cfg(test)]
mod test_nodes;
#[cfg(test)]
mod tests;

use crate::{ExprId, Pool};

pub use latex::latex;
pub use names::pretty_symbol;
pub use pretty::{MAX_SHOWN, pretty};
pub use text::text;
pub use wrap::wrap_text_form;

/// Settings shared by the printers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrintOptions {
    /// Line width of pretty output in terminal columns; longer sums break between terms.
    pub width: usize,
    /// Significant digits of floats.
    pub digits: usize,
}

impl Default for PrintOptions {
    fn default() -> PrintOptions {
        PrintOptions {
            width: 80,
            digits: 10,
        }
    }
}

/// Expressions nested deeper than this print on a thread of their own.
const INLINE_DEPTH: u32 = 100;
/// Stack reserved per level of nesting for a deep expression (debug builds
/// use the most); only the pages touched are ever committed.
const STACK_PER_LEVEL: usize = 16 * 1024;

/// Runs a recursive printer over `id`: inline for shallow expressions, on a
/// thread with a stack sized to the depth for deep ones (up to `MAX_DEPTH`),
/// so that printing never overflows the caller's stack. Expressions too
/// large to print give a notice instead (with `writes_data`, the entries
/// of data matrices count towards the bound).
fn with_stack(
    pool: &Pool,
    id: ExprId,
    writes_data: bool,
    print: impl Fn() -> String + Sync,
) -> String {
    if let Some(notice) = too_large(pool, id, writes_data) {
        return notice;
    }
    let depth = pool.depth(id);
    if depth <= INLINE_DEPTH {
        return print();
    }
    let size = (depth as usize + 16) * STACK_PER_LEVEL;
    std::thread::scope(|s| {
        let spawned = std::thread::Builder::new()
            .stack_size(size)
            .spawn_scoped(s, &print);
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            Err(_) => print(),
        }
    })
}

/// Expressions with more operations than this, counted as a tree (shared
/// subexpressions once per use), print as a notice instead.
const MAX_OPS: u64 = 1_000_000;

/// The notice printed for an expression too large to show, if it is. A
/// printer that `writes_data` (text, which reads back) writes every entry
/// of a data matrix, so they count too (a 10⁸×2 matrix as text took
/// minutes and 17 GB).
fn too_large(pool: &Pool, id: ExprId, writes_data: bool) -> Option<String> {
    let ops = pool.size(id);
    if ops > MAX_OPS {
        return Some(format!(
            "<an expression of {ops} operations, too large to print>"
        ));
    }
    let numbers = if writes_data {
        pool.written_size(id) - ops
    } else {
        0
    };
    (ops + numbers > MAX_OPS).then(|| {
        format!(
            "<an expression holding {numbers} numbers, too large to print as text (at most \
             {MAX_OPS} numbers and operations); the pretty form elides large matrices>"
        )
    })
}
