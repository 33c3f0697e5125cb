//! Running a blocked program on some of the samples of data given whole:
//! each block gathers its own samples of that data into a buffer of the
//! block's size, so the chosen samples are never copied all together
//! (`sgd`'s large batches; see [`super::Program::run_on_samples`]).

use super::step::Side;
use crate::Shape;

/// The samples a run takes from the inputs given whole.
#[derive(Clone, Copy)]
pub(crate) struct Picks<'a> {
    /// The samples, in the order the program takes them.
    pub samples: &'a [usize],
    /// For each input: the side its samples are on when it is given whole
    /// (its samples picked), `None` when it is given as declared.
    pub sides: &'a [Option<Side>],
    /// The shapes of the inputs as given.
    pub shapes: &'a [Shape],
}

impl Picks<'_> {
    /// True when input `k` is given whole and read through `gather`.
    pub(crate) fn picks(&self, k: usize) -> bool {
        self.sides.get(k).is_some_and(Option::is_some)
    }

    /// Gathers the samples `start..start + width` of the picked ones from
    /// input `k` (`data`, shaped as given), as the program's block of that
    /// input: samples as columns or rows, row-major.
    pub(crate) fn gather(
        &self,
        k: usize,
        data: &[f64],
        start: usize,
        width: usize,
        into: &mut Vec<f64>,
    ) {
        let samples = &self.samples[start..start + width];
        let shape = self.shapes[k];
        into.clear();
        match self.sides[k] {
            Some(Side::Cols) => {
                for row in data.chunks_exact(shape.cols.max(1)) {
                    into.extend(samples.iter().map(|&j| row[j]));
                }
            }
            Some(Side::Rows) => {
                let cols = shape.cols;
                for &j in samples {
                    into.extend_from_slice(&data[j * cols..(j + 1) * cols]);
                }
            }
            _ => {}
        }
    }
}
