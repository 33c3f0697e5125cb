//! NumPy arrays bound without a copy: the session reads a read-only,
//! C-contiguous float64 array in place and keeps the array alive.

use numpy::{
    PyArrayDescrMethods, PyArrayDyn, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use std::sync::Arc;
use symgrad::{Buffer, ForeignFloats};

/// The numbers of a NumPy array that nobody may write to, held by a
/// reference to the array.
struct NumpyFloats {
    /// Keeps the memory alive. Dropped without the GIL on the session's
    /// thread, PyO3 defers the decref to the next time the GIL is held.
    _array: Py<PyAny>,
    data: *const f64,
    len: usize,
}

// SAFETY: `data` points to `len` aligned f64 owned by `_array`, which stays
// alive as long as this value, and `Py` is Send + Sync. The array and every
// NumPy array it views were read-only when it was bound (see `share`), so
// the numbers are not written while they are read from any thread.
unsafe impl Send for NumpyFloats {}
unsafe impl Sync for NumpyFloats {}

impl ForeignFloats for NumpyFloats {
    fn floats(&self) -> &[f64] {
        // SAFETY: as for Send and Sync above; `share` checked non-empty,
        // aligned and contiguous.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }
}

/// The numbers of `value` shared without a copy, when it is a non-empty,
/// aligned, C-contiguous, native float64 array that is read-only together
/// with every array it views; None otherwise (the caller copies).
pub fn share(value: &Bound<'_, PyAny>) -> PyResult<Option<Buffer>> {
    let Ok(array) = value.cast::<PyArrayDyn<f64>>() else {
        return Ok(None);
    };
    let untyped: &Bound<'_, PyUntypedArray> = array.as_untyped();
    let len = untyped.len();
    let data = array.data().cast_const();
    if len == 0
        || !untyped.is_c_contiguous()
        || !untyped.is_aligned()
        || !untyped.dtype().is_native_byteorder().unwrap_or(false)
        || !read_only_throughout(value)?
    {
        return Ok(None);
    }
    Ok(Some(Buffer::foreign(Arc::new(NumpyFloats {
        _array: value.clone().unbind(),
        data,
        len,
    }))))
}

/// Whether `array` and each NumPy array along its chain of `base`s is
/// read-only (a writeable base could change the numbers under the view).
fn read_only_throughout(array: &Bound<'_, PyAny>) -> PyResult<bool> {
    let mut current = array.clone();
    while current.cast::<PyUntypedArray>().is_ok() {
        if current
            .getattr("flags")?
            .getattr("writeable")?
            .is_truthy()?
        {
            return Ok(false);
        }
        current = current.getattr("base")?;
    }
    Ok(true)
}
