//! Errors raised while building or transforming expressions.

use crate::Shape;
use std::fmt;

/// Something that cannot be built or computed. Carries no source position:
/// the interpreter attaches the span of the offending input.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// Two operands whose shapes do not fit the operation.
    ShapeMismatch {
        op: &'static str,
        left: Shape,
        right: Shape,
    },
    /// An operand of the wrong shape for a one-argument operation.
    BadShape {
        op: &'static str,
        shape: Shape,
        expected: &'static str,
    },
    /// An index or slice outside the matrix.
    IndexOutOfRange {
        index: String,
        shape: Shape,
    },
    DivisionByZero,
    /// A value outside the domain of a function, such as `log(0)`.
    Domain(String),
    /// A result that would be too large to build.
    TooLarge(String),
    /// An expression nested deeper than the engine allows.
    TooDeep,
    /// Any other invalid argument.
    Invalid(String),
    /// Stopped by the user (Ctrl-C).
    Interrupted,
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ShapeMismatch { op, left, right } => {
                write!(f, "shape mismatch in {op}: {left} and {right}")
            }
            Error::BadShape {
                op,
                shape,
                expected,
            } => {
                write!(f, "{op} needs {expected}, got {shape}")
            }
            Error::IndexOutOfRange { index, shape } => {
                write!(f, "index {index} is out of range for a {shape} matrix")
            }
            Error::DivisionByZero => write!(f, "division by zero"),
            Error::Domain(msg) | Error::TooLarge(msg) | Error::Invalid(msg) => write!(f, "{msg}"),
            Error::TooDeep => write!(f, "expression nested too deeply"),
            Error::Interrupted => write!(f, "interrupted"),
        }
    }
}

impl std::error::Error for Error {}
