//! `symgrad.Session`: statements in, results out, NumPy arrays both ways.

use numpy::{
    AllowTypeChange, IntoPyArray, PyArrayLikeDyn, PyArrayMethods, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyComplex, PyDict, PyFloat};
use symgrad::{Buffer, Shape, Values, checked_shape};
use symgrad_lang::{Forms, Output};

use crate::Error;
use crate::result::PyOutput;
use crate::shared;
use crate::worker::{Event, Worker};

/// A symgrad session: its names, functions and settings, as in the REPL.
///
/// `run` runs statements; `s["X"] = array` binds data, `s["W"]` reads a
/// numeric value back, `s.eval("L", W=array)` evaluates an expression at
/// given values. Long computations release the GIL, and Ctrl-C (a Jupyter
/// interrupt) stops them with the session kept.
#[pyclass(frozen, name = "Session", module = "symgrad")]
pub struct PySession {
    worker: Worker,
}

#[pymethods]
impl PySession {
    #[new]
    fn new() -> PyResult<PySession> {
        Ok(PySession {
            worker: Worker::start()?,
        })
    }

    /// Runs the statements in `source` and returns the result of the last
    /// one (None when it shows nothing). `on_result`, when given, is called
    /// with every result as it is produced. An error raises `symgrad.Error`
    /// with the message the REPL prints (`origin` names the source in it).
    #[pyo3(signature = (source, *, origin = "<input>".to_string(), on_result = None))]
    fn run(
        &self,
        py: Python<'_>,
        source: String,
        origin: String,
        on_result: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Option<PyOutput>> {
        let shows = last_statement_shows(&source);
        let mut last = None;
        let ran = self.worker.call(
            py,
            move |session, events| {
                session.run_forms(&source, &origin, Forms::ALL, &mut |out| {
                    let _ = events.send(Event::Output(out));
                })
            },
            |py, out: Output| {
                if let Some(callback) = &on_result {
                    callback.call1((PyOutput {
                        output: out.clone(),
                    },))?;
                }
                let _ = py;
                last = Some(out);
                Ok(())
            },
        )?;
        ran.map_err(crate::error)?;
        Ok(last.filter(|_| shows).map(|output| PyOutput { output }))
    }

    /// Binds `name` to numbers: a float, or an array of at most two
    /// dimensions (a 1-D array of n numbers is an n×1 column, as
    /// `symbol b[n]` is). A read-only, C-contiguous float64 array is shared
    /// with the session without a copy; other numbers are copied in.
    fn __setitem__(&self, py: Python<'_>, name: String, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let (shape, data) = match shared::share(value)? {
            Some(data) => (shape_of(value.cast::<PyUntypedArray>()?.shape())?, data),
            None => {
                let Values { shape, data } = values_from(value)?;
                (shape, Buffer::from(data))
            }
        };
        let bound = self.worker.call(
            py,
            move |s, _| s.bind_floats(&name, shape, data),
            |_, _| Ok(()),
        )?;
        bound.map_err(crate::error)
    }

    /// The numeric value bound to `name`: a float, or a 2-D array.
    fn __getitem__<'py>(&self, py: Python<'py>, name: String) -> PyResult<Bound<'py, PyAny>> {
        let key = name.clone();
        let found = self.worker.call(
            py,
            move |s, _| s.is_bound(&key).then(|| s.values_of(&key)),
            |_, _| Ok(()),
        )?;
        match found {
            None => Err(PyKeyError::new_err(name)),
            Some(values) => values_to_py(py, values.map_err(crate::error)?),
        }
    }

    fn __contains__(&self, py: Python<'_>, name: String) -> PyResult<bool> {
        self.worker
            .call(py, move |s, _| s.is_bound(&name), |_, _| Ok(()))
    }

    /// The value of `expression` in floats with the symbols given as
    /// keyword arguments set to numbers (arrays of the symbols' shapes):
    /// a float, or a 2-D array.
    #[pyo3(signature = (expression, **inputs))]
    fn eval<'py>(
        &self,
        py: Python<'py>,
        expression: String,
        inputs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut given = Vec::new();
        if let Some(inputs) = inputs {
            for (name, value) in inputs.iter() {
                given.push((name.extract::<String>()?, values_from(&value)?));
            }
        }
        let value = self.worker.call(
            py,
            move |s, _| s.evaluate_with(&expression, given),
            |_, _| Ok(()),
        )?;
        values_to_py(py, value.map_err(crate::error)?)
    }

    /// Names to complete: bound names, functions, built-ins, `:` commands.
    fn completions(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.worker.call(py, |s, _| s.completions(), |_, _| Ok(()))
    }

    /// Whether `source` is complete: False while a bracket is open, when
    /// a front end should read another line.
    #[staticmethod]
    fn is_complete(source: &str) -> bool {
        !symgrad_lang::is_incomplete(source)
    }

    /// Stops the statement running now (from another thread), as Ctrl-C.
    fn interrupt(&self) {
        self.worker.interrupt();
    }
}

/// Whether the last statement of `source` displays a result: an expression
/// not ended by `;`, or a `:help`/`:vars` command. Unparsable source is
/// taken to show (its error is raised anyway).
fn last_statement_shows(source: &str) -> bool {
    use symgrad_lang::StmtKind;
    let Ok(program) = symgrad_lang::parse(source) else {
        return true;
    };
    match program.last().map(|s| &s.kind) {
        Some(StmtKind::Expr { silent, .. }) => !silent,
        Some(StmtKind::Command { name, .. }) => {
            matches!(name.name.as_str(), "help" | "vars" | "load")
        }
        _ => false,
    }
}

/// Numbers from a Python float, list or array (converted to float64).
fn values_from(value: &Bound<'_, PyAny>) -> PyResult<Values> {
    refuse_complex(value)?;
    let array: PyArrayLikeDyn<'_, f64, AllowTypeChange> = value.extract()?;
    let view = array.as_array();
    let shape = shape_of(view.shape())?;
    let data = match view.as_slice() {
        Some(contiguous) => contiguous.to_vec(),
        None => view.iter().copied().collect(),
    };
    Ok(Values { shape, data })
}

/// An error for complex numbers, whose imaginary part float64 would drop.
fn refuse_complex(value: &Bound<'_, PyAny>) -> PyResult<()> {
    let complex = match value.getattr("dtype") {
        Ok(dtype) => dtype.getattr("kind")?.extract::<String>()? == "c",
        Err(_) => value.is_instance_of::<PyComplex>(),
    };
    if complex {
        return Err(Error::new_err(
            "symgrad computes with real numbers: complex ones cannot be bound",
        ));
    }
    Ok(())
}

/// The shape symgrad gives an array of dimensions `dims`: a 1-D array of
/// n numbers is an n×1 column.
fn shape_of(dims: &[usize]) -> PyResult<Shape> {
    let (rows, cols) = match *dims {
        [] => (1, 1),
        [n] => (n, 1),
        [m, n] => (m, n),
        _ => {
            return Err(Error::new_err(format!(
                "symgrad holds matrices: an array of {} dimensions cannot be bound",
                dims.len()
            )));
        }
    };
    checked_shape(rows, cols).map_err(|e| Error::new_err(e.to_string()))
}

/// A float for a 1×1 value, else a 2-D float64 array.
fn values_to_py<'py>(py: Python<'py>, values: Values) -> PyResult<Bound<'py, PyAny>> {
    if let Some(x) = values.as_scalar() {
        return Ok(PyFloat::new(py, x).into_any());
    }
    let Shape { rows, cols } = values.shape;
    let array = values.data.into_pyarray(py).reshape([rows, cols])?;
    Ok(array.into_any())
}
