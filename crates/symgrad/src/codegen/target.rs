//! How each target library spells the operations: NumPy, JAX and PyTorch.

use crate::{Axis, Func};

/// The library the generated Python code runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    NumPy,
    Jax,
    Torch,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::NumPy, Target::Jax, Target::Torch];

    /// The name used in `code(e, "numpy")`.
    pub fn name(self) -> &'static str {
        match self {
            Target::NumPy => "numpy",
            Target::Jax => "jax",
            Target::Torch => "torch",
        }
    }

    /// The target called `name`, if any.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The import lines at the top of the module.
    pub(super) fn imports(self) -> &'static str {
        match self {
            Target::NumPy => "import numpy as np\n",
            Target::Jax => "import jax\nimport jax.numpy as jnp\n",
            Target::Torch => "import torch\n",
        }
    }

    /// The array namespace: `np`, `jnp` or `torch`.
    pub(super) fn ns(self) -> &'static str {
        match self {
            Target::NumPy => "np",
            Target::Jax => "jnp",
            Target::Torch => "torch",
        }
    }

    /// The call of `f` on `x`, computed stably.
    pub(super) fn func(self, f: Func, x: &str) -> String {
        let ns = self.ns();
        match (self, f) {
            (
                _,
                Func::Exp
                | Func::Log
                | Func::Abs
                | Func::Tanh
                | Func::Sign
                | Func::Sin
                | Func::Cos
                | Func::Log1p
                | Func::Expm1
                | Func::Tan
                | Func::Sinh
                | Func::Cosh,
            )
            | (Target::Torch, Func::Atan | Func::Asin | Func::Acos) => {
                format!("{ns}.{}({x})", f.name())
            }
            // NumPy's names for the inverse functions.
            (Target::NumPy | Target::Jax, Func::Atan | Func::Asin | Func::Acos) => {
                format!("{ns}.arc{}({x})", &f.name()[1..])
            }
            (Target::NumPy, Func::Erf) => format!("_erf({x})"),
            (Target::Jax, Func::Erf) => format!("jax.scipy.special.erf({x})"),
            (Target::Torch, Func::Erf) => format!("torch.special.erf({x})"),
            (Target::NumPy, Func::Sigmoid) => format!("np.exp(-np.logaddexp(0.0, {}))", negated(x)),
            (Target::NumPy, Func::Softplus) => format!("np.logaddexp(0.0, {x})"),
            (Target::NumPy, Func::Relu) => format!("np.maximum({x}, 0.0)"),
            (Target::NumPy | Target::Jax, Func::Step) => format!("{ns}.heaviside({x}, 0.0)"),
            (Target::Jax, Func::Sigmoid | Func::Softplus | Func::Relu) => {
                format!("jax.nn.{}({x})", f.name())
            }
            (Target::Torch, Func::Sigmoid | Func::Relu) => format!("torch.{}({x})", f.name()),
            // Past 40, softplus(x) is x to double precision.
            (Target::Torch, Func::Softplus) => {
                format!("torch.nn.functional.softplus({x}, threshold=40.0)")
            }
            (Target::Torch, Func::Step) => {
                format!("torch.heaviside({x}, torch.zeros((), dtype=torch.float64))")
            }
        }
    }

    /// The keyword naming an axis: `axis=0` or `dim=0`.
    fn axis(self, axis: Axis) -> String {
        let k = if self == Target::Torch { "dim" } else { "axis" };
        match axis {
            Axis::Cols => format!("{k}=0"),
            Axis::Rows => format!("{k}=1"),
            Axis::All => format!("{k}=(0, 1)"),
        }
    }

    /// The sum of `x` along `axis`, keeping two dimensions (to a scalar
    /// for `Axis::All`).
    pub(super) fn sum(self, axis: Axis, x: &str) -> String {
        let ns = self.ns();
        let keep = if self == Target::Torch {
            "keepdim"
        } else {
            "keepdims"
        };
        match axis {
            Axis::All => format!("{ns}.sum({x})"),
            _ => format!("{ns}.sum({x}, {}, {keep}=True)", self.axis(axis)),
        }
    }

    /// `log(sum(exp(x)))` along `axis`, shifted by the maximum.
    pub(super) fn logsumexp(self, axis: Axis, x: &str) -> String {
        match (self, axis) {
            (Target::NumPy, Axis::All) => format!("_logsumexp({x}, None)"),
            (Target::NumPy, _) => format!("_logsumexp({x}, {})", self.axis(axis)),
            (Target::Jax, Axis::All) => format!("jax.scipy.special.logsumexp({x})"),
            (Target::Jax, _) => format!(
                "jax.scipy.special.logsumexp({x}, {}, keepdims=True)",
                self.axis(axis)
            ),
            (Target::Torch, Axis::All) => format!("torch.logsumexp({x}, {})", self.axis(axis)),
            (Target::Torch, _) => {
                format!("torch.logsumexp({x}, {}, keepdim=True)", self.axis(axis))
            }
        }
    }

    /// Softmax of `x` down columns or along rows (or over everything).
    pub(super) fn softmax(self, axis: Axis, x: &str) -> String {
        match (self, axis) {
            (Target::NumPy, Axis::All) => format!("_softmax({x}, None)"),
            (Target::NumPy, _) => format!("_softmax({x}, {})", self.axis(axis)),
            (Target::Jax, _) => format!("jax.nn.softmax({x}, {})", self.axis(axis)),
            (Target::Torch, Axis::All) => {
                format!("torch.softmax(({x}).reshape(-1), dim=0).reshape(({x}).shape)")
            }
            (Target::Torch, _) => format!("torch.softmax({x}, {})", self.axis(axis)),
        }
    }

    /// The integer power `a^n` of a square matrix (the inverse's for n < 0).
    pub(super) fn matrix_power(self, x: &str, n: i64) -> String {
        match self {
            Target::NumPy => format!("np.linalg.matrix_power({x}, {n})"),
            Target::Jax => format!("jnp.linalg.matrix_power({x}, {n})"),
            Target::Torch => format!("torch.linalg.matrix_power({x}, {n})"),
        }
    }

    /// A literal matrix from rows of scalar expressions.
    pub(super) fn array(self, rows: &str) -> String {
        match self {
            Target::Torch => format!("_matrix({rows})"),
            _ => self.numbers(rows),
        }
    }

    /// A literal matrix from rows of numbers.
    pub(super) fn numbers(self, rows: &str) -> String {
        match self {
            Target::NumPy => format!("np.array({rows}, dtype=np.float64)"),
            Target::Jax => format!("jnp.array({rows}, dtype=float)"),
            Target::Torch => format!("torch.tensor({rows}, dtype=torch.float64)"),
        }
    }

    /// An m×n matrix of the number `x`.
    pub(super) fn full(self, m: usize, n: usize, x: &str) -> String {
        match self {
            Target::NumPy => format!("np.full(({m}, {n}), {x})"),
            Target::Jax => format!("jnp.full(({m}, {n}), {x}, dtype=float)"),
            Target::Torch => format!("torch.full(({m}, {n}), {x}, dtype=torch.float64)"),
        }
    }

    /// A Python number `x` as a float of the target's dtype, for passing to
    /// a library function (`jax.nn.sigmoid(2)` is an error: 2 is an integer).
    pub(super) fn float_scalar(self, x: &str) -> String {
        match self {
            Target::NumPy => format!("np.float64({x})"),
            Target::Jax => format!("jnp.asarray({x}, dtype=float)"),
            Target::Torch => format!("torch.tensor({x}, dtype=torch.float64)"),
        }
    }

    /// How many numbers the parameter `x` holds.
    pub(super) fn size(self, x: &str) -> String {
        match self {
            Target::NumPy => format!("np.size({x})"),
            Target::Jax => format!("jnp.size({x})"),
            Target::Torch => format!("torch.as_tensor({x}).numel()"),
        }
    }

    /// The parameter `x`, one number, as a scalar of the target (for
    /// PyTorch, a Python number stays one).
    pub(super) fn as_scalar(self, x: &str) -> String {
        match self {
            Target::NumPy => format!("np.reshape({x}, ())"),
            Target::Jax => format!("jnp.reshape({x}, ())"),
            Target::Torch => format!("{x}.reshape(()) if torch.is_tensor({x}) else {x}"),
        }
    }

    /// The shape of the parameter `x`, as a tuple.
    pub(super) fn shape_of(self, x: &str) -> String {
        match self {
            Target::NumPy => format!("np.shape({x})"),
            Target::Jax => format!("jnp.shape({x})"),
            Target::Torch => format!("tuple(torch.as_tensor({x}).shape)"),
        }
    }

    /// The source of the helper function `name` the generated code calls.
    pub(super) fn helper(self, name: &str) -> Option<&'static str> {
        Some(match (self, name) {
            (Target::NumPy, "_logsumexp") => NUMPY_LOGSUMEXP,
            (Target::NumPy, "_softmax") => NUMPY_SOFTMAX,
            (Target::Torch, "_matrix") => TORCH_MATRIX,
            (Target::NumPy, "_erf") => NUMPY_ERF,
            _ => return None,
        })
    }
}

/// `-x`, with parentheses unless `x` is a name or number (`-(-z)` is `z`).
fn negated(x: &str) -> String {
    let simple = |x: &str| {
        x.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    };
    match x.strip_prefix('-') {
        Some(rest) if simple(rest) => rest.to_string(),
        _ if simple(x) => format!("-{x}"),
        _ => format!("-({x})"),
    }
}

const NUMPY_LOGSUMEXP: &str = "\
def _logsumexp(x, axis):
    \"\"\"log(sum(exp(x))) along axis (everything for None), shifted by the maximum.\"\"\"
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    s = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return s if axis is not None else s.reshape(())
";

const NUMPY_SOFTMAX: &str = "\
def _softmax(x, axis):
    \"\"\"exp(x) / sum(exp(x)) along axis (everything for None), shifted by the maximum.\"\"\"
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
";

const TORCH_MATRIX: &str = "\
def _matrix(rows):
    \"\"\"A matrix from rows of scalars (numbers or 0-d tensors).\"\"\"
    return torch.stack([torch.stack([torch.as_tensor(x, dtype=torch.float64) for x in row]) for row in rows])
";

const NUMPY_ERF: &str = "\
def _erf(x):
    \"\"\"The error function, elementwise (NumPy has none: math.erf on each element).\"\"\"
    import math
    return np.vectorize(math.erf, otypes=[np.float64])(x)
";
