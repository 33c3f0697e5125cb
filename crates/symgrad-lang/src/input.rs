//! Reading files and streams within size limits, so that an endless or huge
//! input (`/dev/zero`, a multi-gigabyte line) is an error, not a session
//! that hangs or runs out of memory.

use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The largest script read (`:load`, a script file, standard input): 16 MiB.
pub const MAX_SCRIPT_BYTES: u64 = 16 << 20;
/// The largest data file `load` reads: 4 GiB.
pub const MAX_DATA_BYTES: u64 = 4 << 30;
/// The longest line of a CSV file: 64 MiB.
pub const MAX_CSV_LINE_BYTES: u64 = 64 << 20;

/// All of `reader` as UTF-8 text of at most [`MAX_SCRIPT_BYTES`]. The error
/// says what went wrong without naming the source (the caller does): too
/// large, or not UTF-8 (with the line and byte of the first bad byte).
pub fn read_script(reader: impl Read) -> Result<String, String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_SCRIPT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_SCRIPT_BYTES {
        return Err(format!(
            "it is larger than {} MiB, the limit for a script",
            MAX_SCRIPT_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let byte = at
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        format!("it is not UTF-8 text (line {line}, byte {byte})")
    })
}

/// A reader that fails once more than `max_total` bytes are read, or a line
/// grows longer than `max_line` bytes, or the interrupt flag is set.
pub(crate) struct Bounded<R> {
    inner: R,
    total: u64,
    line: u64,
    max_total: u64,
    max_line: u64,
    interrupt: Option<Arc<AtomicBool>>,
}

impl<R: Read> Bounded<R> {
    pub(crate) fn new(
        inner: R,
        max_total: u64,
        max_line: u64,
        interrupt: Option<Arc<AtomicBool>>,
    ) -> Bounded<R> {
        Bounded {
            inner,
            total: 0,
            line: 0,
            max_total,
            max_line,
            interrupt,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self
            .interrupt
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
        {
            // Not `ErrorKind::Interrupted`: readers retry those.
            return Err(io::Error::other("interrupted"));
        }
        let n = self.inner.read(buf)?;
        self.total += n as u64;
        if self.total > self.max_total {
            return Err(io::Error::other(format!(
                "the file is larger than {} MiB, the limit for load",
                self.max_total >> 20
            )));
        }
        match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(p) => self.line = (n - p - 1) as u64,
            None => self.line += n as u64,
        }
        if self.line > self.max_line {
            return Err(io::Error::other(format!(
                "a line is longer than {} MiB",
                self.max_line >> 20
            )));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_input_is_cut_off() {
        let e = read_script(io::repeat(b'x')).unwrap_err();
        assert!(e.contains("larger than 16 MiB"), "{e}");
        let mut sink = Vec::new();
        let e = Bounded::new(io::repeat(0), 1 << 30, 1 << 20, None)
            .read_to_end(&mut sink)
            .unwrap_err();
        assert!(e.to_string().contains("line is longer than 1 MiB"), "{e}");
        assert!(sink.len() < 4 << 20);
    }

    #[test]
    fn short_lines_pass_up_to_the_total() {
        let lines = io::repeat(b'\n').take(3000);
        let mut out = Vec::new();
        Bounded::new(lines, 3000, 1, None)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 3000);
        let e = Bounded::new(io::repeat(b'\n'), 3000, 1, None)
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
    }

    #[test]
    fn the_interrupt_stops_reading() {
        let flag = Arc::new(AtomicBool::new(true));
        let e = Bounded::new(io::repeat(b'\n'), u64::MAX, 10, Some(flag))
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(e.to_string(), "interrupted");
    }

    #[test]
    fn bad_utf8_is_located() {
        let e = read_script(&b"x = 1\ny = \xff\n"[..]).unwrap_err();
        assert_eq!(e, "it is not UTF-8 text (line 2, byte 5)");
    }
}
