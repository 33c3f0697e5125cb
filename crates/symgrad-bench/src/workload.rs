//! The workload files (`bench/workloads/*.json`, shared with `bench/peers.py`)
//! and the checks of computed values against their references.

use crate::Res;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The directory of the workload files.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/workloads")
}

/// The parsed JSON of `bench/workloads/NAME`.
pub fn load(name: &str) -> Res<Value> {
    let path = dir().join(name);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The number under `key`.
pub fn number(v: &Value, key: &str) -> Res<f64> {
    v[key]
        .as_f64()
        .ok_or_else(|| format!("workload field {key:?} is not a number"))
}

/// A list of numbers.
pub fn row(v: &Value) -> Res<Vec<f64>> {
    v.as_array()
        .ok_or("a workload field is not a list")?
        .iter()
        .map(|x| {
            x.as_f64()
                .ok_or_else(|| "a list entry is not a number".into())
        })
        .collect()
}

/// A list of equal-length lists of numbers: (rows, columns, row-major data).
pub fn matrix(v: &Value) -> Res<(usize, usize, Vec<f64>)> {
    let rows = v.as_array().ok_or("a workload matrix is not a list")?;
    let mut data = Vec::new();
    let mut cols = None;
    for r in rows {
        let r = row(r)?;
        if *cols.get_or_insert(r.len()) != r.len() {
            return Err("a workload matrix has rows of different lengths".into());
        }
        data.extend(r);
    }
    Ok((rows.len(), cols.unwrap_or(0), data))
}

/// The largest relative error allowed against a reference.
pub const TOLERANCE: f64 = 1e-9;

/// Checks `got` against `want` element by element (relative error, with the
/// largest reference magnitude as the floor of the scale); an error names
/// `what` and the worst element.
pub fn check(what: &str, got: &[f64], want: &[f64]) -> Res<()> {
    if got.len() != want.len() {
        return Err(format!(
            "{what}: {} values computed, {} expected",
            got.len(),
            want.len()
        ));
    }
    let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
    for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
        let err = (g - w).abs() / w.abs().max(scale * 1e-3);
        if err.is_nan() || err > TOLERANCE {
            return Err(format!(
                "MISMATCH in {what} at element {k}: computed {g:e}, reference {w:e} (relative error {err:.2e} > {TOLERANCE:e})"
            ));
        }
    }
    Ok(())
}
