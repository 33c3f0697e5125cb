//! Float data that is either owned or borrowed from a foreign owner (a
//! NumPy array), so that a host can bind large data without copying it.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Numbers held by a foreign owner, who must keep them alive and unchanged
/// for as long as the owner lives.
pub trait ForeignFloats: Send + Sync {
    /// The numbers, row-major.
    fn floats(&self) -> &[f64];
}

/// Immutable float data, row-major: an owned `Vec`, or numbers borrowed
/// from a [`ForeignFloats`] owner that the buffer keeps alive. Reads go
/// through `Deref<Target = [f64]>`.
#[derive(Clone)]
pub struct Buffer(Repr);

#[derive(Clone)]
enum Repr {
    Owned(Vec<f64>),
    Foreign(Arc<dyn ForeignFloats>),
}

impl Buffer {
    /// A buffer reading the numbers of `owner` in place.
    pub fn foreign(owner: Arc<dyn ForeignFloats>) -> Buffer {
        Buffer(Repr::Foreign(owner))
    }

    /// Whether the numbers are borrowed from a foreign owner.
    pub fn is_foreign(&self) -> bool {
        matches!(self.0, Repr::Foreign(_))
    }
}

impl Deref for Buffer {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        match &self.0 {
            Repr::Owned(v) => v,
            Repr::Foreign(owner) => owner.floats(),
        }
    }
}

impl From<Vec<f64>> for Buffer {
    fn from(v: Vec<f64>) -> Buffer {
        Buffer(Repr::Owned(v))
    }
}

impl FromIterator<f64> for Buffer {
    fn from_iter<I: IntoIterator<Item = f64>>(iter: I) -> Buffer {
        Buffer(Repr::Owned(iter.into_iter().collect()))
    }
}

impl<'a> IntoIterator for &'a Buffer {
    type Item = &'a f64;
    type IntoIter = std::slice::Iter<'a, f64>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for Buffer {
    fn eq(&self, other: &Buffer) -> bool {
        **self == **other
    }
}

impl fmt::Debug for Buffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Held(Box<[f64]>);

    impl ForeignFloats for Held {
        fn floats(&self) -> &[f64] {
            &self.0
        }
    }

    #[test]
    fn foreign_numbers_are_read_in_place_and_kept_alive() {
        let held = Arc::new(Held(vec![1.5, -2.0, 3.25].into_boxed_slice()));
        let address = held.0.as_ptr();
        let buffer = Buffer::foreign(held.clone());
        assert!(buffer.is_foreign());
        assert_eq!(buffer.as_ptr(), address);
        let copy = buffer.clone();
        drop(buffer);
        assert_eq!(Arc::strong_count(&held), 2);
        assert_eq!(&*copy, &[1.5, -2.0, 3.25]);
        assert_eq!(copy, Buffer::from(vec![1.5, -2.0, 3.25]));
        drop(copy);
        assert_eq!(Arc::strong_count(&held), 1);
    }
}
