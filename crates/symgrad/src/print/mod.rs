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
/// large to print give a notice instead.
fn with_stack(pool: &Pool, id: ExprId, print: impl Fn() -> String + Sync) -> String {
    if let Some(notice) = too_large(pool, id) {
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
pub(crate) const MAX_OPS: u64 = 1_000_000;

/// The notice printed for an expression too large to show, if it is.
fn too_large(pool: &Pool, id: ExprId) -> Option<String> {
    let ops = pool.size(id);
    (ops > MAX_OPS).then(|| format!("<an expression of {ops} operations, too large to print>"))
}
