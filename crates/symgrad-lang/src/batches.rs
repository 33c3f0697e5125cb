//! The data of `sgd` and its batches: a data set is read where the pool keeps
//! it (never copied whole), and each batch's columns are gathered into
//! buffers reused from step to step.

use crate::ast::Expr;
use crate::eval::Eval;
use crate::session::Session;
use symgrad::{Dense, DenseData, Node, Shape, Values};

/// A numeric matrix that `sgd` trains on.
pub(crate) struct DataSet {
    pub(crate) shape: Shape,
    numbers: Numbers,
}

/// Where a data set's numbers are.
enum Numbers {
    /// Floats in the pool, shared (the pool's data is immutable).
    Shared(Dense),
    /// Computed for this run (an expression, or exact numbers made floats).
    Owned(Vec<f64>),
}

impl DataSet {
    /// The numbers, row-major.
    pub(crate) fn data(&self) -> &[f64] {
        match &self.numbers {
            Numbers::Shared(d) => match d.data() {
                DenseData::Float(v) => v,
                DenseData::Exact(_) => &[],
            },
            Numbers::Owned(v) => v,
        }
    }

    /// Gathers the columns `columns` (in that order) into `into`, whose
    /// storage is reused.
    pub(crate) fn gather(&self, columns: &[usize], into: &mut Values) {
        let (rows, cols) = (self.shape.rows, self.shape.cols);
        let data = self.data();
        into.shape = Shape::new(rows, columns.len());
        into.data.clear();
        into.data.reserve(rows * columns.len());
        for row in data.chunks_exact(cols).take(rows) {
            into.data.extend(columns.iter().map(|&j| row[j]));
        }
    }
}

impl Session {
    /// The value of `e` as a data set (`what` names it in errors): the
    /// pool's floats when `e` is data, otherwise its computed value.
    pub(crate) fn data_set(&mut self, e: &Expr, what: &str) -> Eval<DataSet> {
        let id = self.expr(e)?;
        if let Node::Dense(d) = self.pool.node(id)
            && matches!(d.data(), DenseData::Float(_))
        {
            return Ok(DataSet {
                shape: d.shape(),
                numbers: Numbers::Shared(d.clone()),
            });
        }
        let v = self.numeric_id(id, e.span, what)?;
        Ok(DataSet {
            shape: v.shape,
            numbers: Numbers::Owned(v.data),
        })
    }
}
