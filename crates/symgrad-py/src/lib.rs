//! The Python package `symgrad` (module `symgrad._symgrad`): a thin layer
//! over [`symgrad_lang::Session`], whose one formatter gives the results'
//! text, LaTeX and SVG.

/// As in the CLI: building expressions allocates many small nodes.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod result;
mod session;
mod shared;
mod worker;

use pyo3::prelude::*;

pyo3::create_exception!(
    symgrad,
    Error,
    pyo3::exceptions::PyException,
    "An error in symgrad statements; its message is the one the REPL prints."
);

/// The `symgrad.Error` of a rendered message (without its final newline,
/// as the REPL prints it).
pub(crate) fn error(message: String) -> PyErr {
    Error::new_err(message.trim_end().to_string())
}

#[pymodule]
fn _symgrad(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<session::PySession>()?;
    m.add_class::<result::PyOutput>()?;
    m.add("Error", m.py().get_type::<Error>())?;
    m.add_function(wrap_pyfunction!(colour_error, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// A rendered error message with its word `error` in red (ANSI escapes),
/// as the REPL prints it on a terminal.
#[pyfunction]
fn colour_error(message: &str) -> String {
    symgrad_lang::colour_error(message)
}
