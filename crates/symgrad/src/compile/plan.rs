//! The blocked form: finding a sample axis and splitting a program into
//! phases that run before, per block of samples, and after.
//!
//! A value is *column-local* (class `Cols`) when it has the N samples as its
//! columns and column j depends only on column j of other such values (and
//! on values independent of N): data with N columns, elementwise operations,
//! `A⋅C` with A independent of N, softmax and reductions down columns. The
//! transposes of these (`Rows`) are row-local. A reduction over the samples
//! — a sum over everything or along rows, or a product `C⋅R` contracting N —
//! is *accumulated* block by block. When every output is independent of N or
//! accumulated, the program can run over blocks of samples, reading each
//! data matrix once.

use super::lower::Lowered;
use super::step::Side;
use crate::{Axis, ExprId, Node, Pool, Reduction};
use rustc_hash::FxHashMap;

/// When a node is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Before the blocks (independent of the samples).
    Pre,
    /// In every block (sample-local values and accumulations).
    Block,
    /// After the blocks (from the accumulated values).
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Independent of the samples; `post` when computed from accumulations.
    Fixed {
        post: bool,
    },
    Local(Side),
    Accumulated,
}

/// The blocked plan of a program.
pub(crate) struct Plan {
    pub samples: usize,
    class: FxHashMap<ExprId, Class>,
}

impl Plan {
    pub(crate) fn phase(&self, id: ExprId) -> Phase {
        match self.class.get(&id) {
            Some(Class::Fixed { post: false }) | None => Phase::Pre,
            Some(Class::Fixed { post: true }) => Phase::Post,
            Some(Class::Local(_) | Class::Accumulated) => Phase::Block,
        }
    }

    pub(crate) fn side(&self, id: ExprId) -> Side {
        match self.class.get(&id) {
            Some(Class::Local(s)) => *s,
            _ => Side::Whole,
        }
    }

    pub(crate) fn accumulated(&self, id: ExprId) -> bool {
        self.class.get(&id) == Some(&Class::Accumulated)
    }
}

/// A blocked plan for `outputs`, trying each large leaf dimension as the
/// sample count, largest first; `None` when none works.
pub(crate) fn plan(
    pool: &Pool,
    outputs: &[ExprId],
    _inputs: &[ExprId],
    min_samples: usize,
) -> Option<Plan> {
    let order = reachable(pool, outputs);
    let mut dims: Vec<usize> = order
        .iter()
        .filter(|&&id| matches!(pool.node(id), Node::Symbol { .. } | Node::Dense(_)))
        .flat_map(|&id| {
            let s = pool.shape(id);
            [s.rows, s.cols]
        })
        .filter(|&n| n >= min_samples.max(2))
        .collect();
    dims.sort_unstable_by(|a, b| b.cmp(a));
    dims.dedup();
    dims.into_iter()
        .find_map(|n| classify(pool, &order, outputs, n))
}

fn reachable(pool: &Pool, outputs: &[ExprId]) -> Vec<ExprId> {
    let mut all: Vec<ExprId> = outputs.iter().flat_map(|&e| pool.reachable(e)).collect();
    all.sort_unstable();
    all.dedup();
    all
}

fn classify(pool: &Pool, order: &[ExprId], outputs: &[ExprId], n: usize) -> Option<Plan> {
    use Class::*;
    let mut class: FxHashMap<ExprId, Class> =
        FxHashMap::with_capacity_and_hasher(order.len(), Default::default());
    let fixed = Fixed { post: false };
    for &id in order {
        let s = pool.shape(id);
        let node = pool.node(id);
        let kids: Vec<(ExprId, Class)> = node.children().iter().map(|c| (*c, class[c])).collect();
        let local = kids.iter().find_map(|(_, c)| match c {
            Local(side) => Some(*side),
            _ => None,
        });
        let post = kids
            .iter()
            .any(|(_, c)| matches!(c, Fixed { post: true } | Accumulated));
        let c = match node {
            Node::Symbol { .. } | Node::Dense(_) => match (s.rows == n, s.cols == n) {
                (true, true) => return None,
                (false, true) => Local(Side::Cols),
                (true, false) => Local(Side::Rows),
                (false, false) => fixed,
            },
            _ if local.is_none() => Fixed { post },
            Node::Add(_) | Node::Mul(_) | Node::Pow(..) | Node::Apply(..) => {
                let side = local?;
                for (k, c) in &kids {
                    let ks = pool.shape(*k);
                    let ok = match c {
                        Local(s2) => *s2 == side,
                        Fixed { post: false } => match side {
                            Side::Cols => ks.cols == 1,
                            _ => ks.rows == 1,
                        },
                        _ => false,
                    };
                    if !ok {
                        return None;
                    }
                }
                Local(side)
            }
            Node::MatMul(..) => match (kids[0].1, kids[1].1) {
                (Fixed { post: false }, Local(Side::Cols)) => Local(Side::Cols),
                (Local(Side::Rows), Fixed { post: false }) => Local(Side::Rows),
                (Local(Side::Cols), Local(Side::Rows)) => Accumulated,
                _ => return None,
            },
            Node::Transpose(_) => match local? {
                Side::Cols => Local(Side::Rows),
                _ => Local(Side::Cols),
            },
            Node::Reduce(r, axis, _) => match (local?, axis, r) {
                (Side::Cols, Axis::Cols, _) => Local(Side::Cols),
                (Side::Rows, Axis::Rows, _) => Local(Side::Rows),
                (Side::Cols, Axis::Rows | Axis::All, Reduction::Sum)
                | (Side::Rows, Axis::Cols | Axis::All, Reduction::Sum) => Accumulated,
                _ => return None,
            },
            Node::SoftmaxJvp(..) if kids.iter().any(|(_, c)| Some(*c) != local.map(Local)) => {
                return None;
            }
            Node::Softmax(axis, _) | Node::SoftmaxJvp(axis, ..) => match (local?, axis) {
                (Side::Cols, Axis::Cols) => Local(Side::Cols),
                (Side::Rows, Axis::Rows) => Local(Side::Rows),
                _ => return None,
            },
            _ => return None,
        };
        class.insert(id, c);
    }
    let mut accumulates = false;
    for e in outputs {
        match class[e] {
            Local(_) => return None,
            Accumulated => accumulates = true,
            Fixed { post } => accumulates |= post,
        }
    }
    accumulates.then_some(Plan { samples: n, class })
}

/// The block width: as many samples as keep the block's data in about
/// 1 MiB (near the level-2 cache), between 16 and 1024.
///
/// When a block is a piece of each row of some data (samples as columns),
/// longer pieces read faster, but the block must stay in cache for the
/// second product: three quarters of the level-2 cache where that holds
/// 240 samples or more and the dots kernel reads such blocks (AVX-512),
/// else up to 3 MiB (the level-3 cache); at most 480 either way, since 512
/// samples put the rows of each block buffer 4 KiB apart, on the same cache
/// sets, and whole strips of the kernels' vectors (a multiple of 16). N1
/// with samples as columns, X 784×N, ms a call for blocks of 120, 240, 360,
/// 480, 512, 600 and 960 on Zen 2 (512 KiB level 2): 79.6, 68.1, 70.6,
/// 65.2, 78.6, 68.5 and 65.7; on a Xeon with AVX-512 (2 MiB level 2,
/// blocks of 240): 240 and 320, 59–62; 480, 65–71; the same Xeon with the
/// AVX2 kernels, where faer takes the gradient's product: 82.1 in blocks of
/// 240, 76.0 in blocks of 480.
pub(crate) fn default_block(program: &Lowered, samples: usize) -> usize {
    const MIB: usize = 1024 * 1024;
    let per_sample = program.sliced_bytes_per_sample().max(1);
    let least = if program.reads_column_blocks() {
        let level2 = if super::skinny::reads_level2_blocks() {
            super::cache::level2_bytes().unwrap_or(0) * 3 / 4 / per_sample
        } else {
            0
        };
        let columns = if level2 >= 240 {
            level2
        } else {
            3 * MIB / per_sample
        };
        columns.min(480) / 16 * 16
    } else {
        0
    };
    (MIB / per_sample).max(least).clamp(16, 1024).min(samples)
}
