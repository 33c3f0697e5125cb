//! Shapes of expressions: every value is an m×n matrix, and 1×1 is a scalar.

use std::fmt;

/// The shape of an expression. A scalar is 1×1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shape {
    pub rows: usize,
    pub cols: usize,
}

impl Shape {
    /// The shape of a scalar.
    pub const SCALAR: Shape = Shape { rows: 1, cols: 1 };

    pub const fn new(rows: usize, cols: usize) -> Shape {
        Shape { rows, cols }
    }

    pub fn is_scalar(self) -> bool {
        self == Shape::SCALAR
    }

    /// Number of elements.
    pub fn len(self) -> usize {
        self.rows * self.cols
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    pub fn transposed(self) -> Shape {
        Shape::new(self.cols, self.rows)
    }

    /// The NumPy-style broadcast of two shapes, if they are compatible:
    /// each dimension must be equal or 1 on one side.
    pub fn broadcast(self, other: Shape) -> Option<Shape> {
        fn dim(a: usize, b: usize) -> Option<usize> {
            match (a, b) {
                _ if a == b => Some(a),
                (1, b) => Some(b),
                (a, 1) => Some(a),
                _ => None,
            }
        }
        Some(Shape::new(
            dim(self.rows, other.rows)?,
            dim(self.cols, other.cols)?,
        ))
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_scalar() {
            write!(f, "scalar")
        } else {
            write!(f, "{}×{}", self.rows, self.cols)
        }
    }
}
