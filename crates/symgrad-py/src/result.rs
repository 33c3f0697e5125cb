//! `symgrad.Result`: one displayed result, with the forms a notebook shows.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use symgrad_lang::Output;

/// A result of a statement: `str()` gives its text form, `repr()` its 2-D
/// form, and notebooks show it through `_repr_mimebundle_` (LaTeX for an
/// expression, SVG for a plot).
#[pyclass(frozen, name = "Result", module = "symgrad")]
pub struct PyOutput {
    pub output: Output,
}

#[pymethods]
impl PyOutput {
    /// What the REPL prints: the 2-D form of an expression, a plot in
    /// characters, or text.
    #[getter]
    fn plain(&self) -> &str {
        &self.output.plain
    }

    /// The one-line text form (the plain text for help and messages).
    #[getter]
    fn text(&self) -> &str {
        self.output.text_form()
    }

    /// The LaTeX of an expression, without `$` around it; None otherwise.
    #[getter]
    fn latex(&self) -> Option<&str> {
        self.output.latex.as_deref()
    }

    /// The SVG picture of a plot; None otherwise.
    #[getter]
    fn svg(&self) -> Option<&str> {
        self.output.svg.as_deref()
    }

    fn __str__(&self) -> &str {
        self.output.text_form()
    }

    fn __repr__(&self) -> &str {
        &self.output.plain
    }

    /// The MIME bundle IPython and Jupyter display: `text/plain`,
    /// `text/latex` and `image/svg+xml`, each when the result has it,
    /// restricted to `include` and without `exclude` when given.
    #[pyo3(signature = (include=None, exclude=None))]
    fn _repr_mimebundle_<'py>(
        &self,
        py: Python<'py>,
        include: Option<&Bound<'py, PyAny>>,
        exclude: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let bundle = PyDict::new(py);
        for (mime, data) in self.output.mime_bundle() {
            if let Some(include) = include
                && !include.contains(mime)?
            {
                continue;
            }
            if let Some(exclude) = exclude
                && exclude.contains(mime)?
            {
                continue;
            }
            bundle.set_item(mime, data)?;
        }
        Ok(bundle)
    }
}
