//! The size of this core's level-2 cache, which decides whether a block of
//! samples can stay in it between the two products that read the block.

use std::sync::OnceLock;

/// Bytes of level-2 cache per core, or `None` where the CPU does not say.
pub(crate) fn level2_bytes() -> Option<usize> {
    static BYTES: OnceLock<Option<usize>> = OnceLock::new();
    *BYTES.get_or_init(read_level2)
}

/// CPUID leaf 0x8000_0006, which Intel and AMD both fill: ECX bits 16–31
/// give the level-2 cache in KiB.
#[cfg(target_arch = "x86_64")]
#[allow(unused_unsafe)] // `__cpuid` is safe in recent Rust, unsafe in older.
fn read_level2() -> Option<usize> {
    use std::arch::x86_64::__cpuid;
    // SAFETY: every x86-64 CPU has CPUID, and a leaf past the highest one
    // is never asked for.
    let highest = unsafe { __cpuid(0x8000_0000) }.eax;
    if highest < 0x8000_0006 {
        return None;
    }
    // SAFETY: as above.
    let kib = unsafe { __cpuid(0x8000_0006) }.ecx >> 16;
    (kib > 0).then_some(kib as usize * 1024)
}

#[cfg(not(target_arch = "x86_64"))]
fn read_level2() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    /// A level-2 cache, where the CPU reports one, is 128 KiB to 64 MiB
    /// (bits read from the wrong place give 0 or sizes far outside that).
    #[test]
    fn the_level2_cache_is_read() {
        if let Some(bytes) = super::level2_bytes() {
            assert!((128 << 10..=64 << 20).contains(&bytes), "{bytes} bytes");
        }
    }
}
