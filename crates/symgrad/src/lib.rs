//! symgrad: symbolic algebra and autodiff for machine-learning loss expressions.
//!
//! Expressions live in a [`Pool`]: a hash-consed DAG whose nodes carry shapes
//! checked at construction. Matrix operations stay whole (`X * W'` is one
//! node whatever the size of `X`); the element view is derived on demand.
//!
//! ```
//! use symgrad::{Pool, Shape};
//! let mut pool = Pool::new();
//! let x = pool.symbol("x", Shape::SCALAR).unwrap();
//! let twice = pool.add(&[x, x]).unwrap();
//! let two = pool.int(2).unwrap();
//! assert_eq!(twice, pool.mul(&[two, x]).unwrap());
//! ```

mod arith;
mod buffer;
mod build;
mod codegen;
mod compile;
mod diff;
mod elements;
mod error;
mod evaluate;
mod expr;
mod funcs;
mod grad;
mod linalg;
mod matrix;
mod num;
mod numeric;
mod order;
mod poly;
mod print;
mod radical;
mod rat;
mod rewrite;
mod shape;
mod simplify;
mod stack;
mod subs;
mod trig;

pub use buffer::{Buffer, ForeignFloats};
pub use build::{MAX_ELEMENTS, checked_shape};
pub use codegen::{CodeOptions, Target, code};
pub use compile::{CompileOptions, Program, ScalarProgram};
pub use error::{Error, Result};
pub use evaluate::{NonFinite, Values};
pub use expr::{
    Axis, Constant, Dense, DenseData, ExprId, Func, MAX_DEPTH, Node, Pool, Reduction, Span1,
};
pub use funcs::fold_f64;
pub use num::{MAX_EXACT_BITS, Num, Rat, format_float};
pub use print::{MAX_SHOWN, PrintOptions, latex, pretty, pretty_symbol, text, wrap_text_form};
pub use shape::Shape;
