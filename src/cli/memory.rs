//! The process's allocator: mimalloc, with large blocks on transparent huge pages.
//!
//! - **mimalloc.** Loading a large model makes millions of small allocations, which the system
//!   allocator serves far more slowly. Its own regions stay on 4 KiB pages (its `no_thp` build
//!   option): a huge page there would make every touched byte of a small model cost a zeroed
//!   2 MiB.
//! - **Huge pages for large blocks.** A block of [`LARGE`] bytes or more (the links, nodes,
//!   id index and file texts of a load, the sweep's rows) is placed on a 2 MiB boundary and
//!   advised `MADV_HUGEPAGE`, so the kernel maps it 2 MiB at a time instead of faulting each
//!   4 KiB page in. At a million people this took `sweep` from about 518k page faults and 1.1 s
//!   of system time to about 162k and 0.6 s, at the same peak memory (the blocks are written
//!   whole; only their full 2 MiB pages are advised, never memory outside a block). When the
//!   system has huge pages off ("never"), the advice does nothing.
//! - **Freed at once.** mimalloc returns freed pages to the system only after a delay, which
//!   leaves a large model's load-time scratch resident while the analysis runs: it purges at
//!   once instead ([`tune`]).

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;

/// Blocks at least this large go on huge pages.
pub const LARGE: usize = 2 << 20;

/// The size of a transparent huge page on x86-64 and (with 4 KiB base pages) arm64.
pub const HUGE_PAGE: usize = 2 << 20;

/// mimalloc's `mi_option_purge_delay` (its place in mimalloc v3's option list; the test below
/// checks it against the option's documented default).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// mimalloc, with blocks of [`LARGE`] bytes or more aligned to and advised onto huge pages.
/// Whether a block is large depends on its size alone, so a block is freed with the layout
/// it was made with.
pub struct HugeForLarge;

/// The layout a block is made with: a large one starts on a huge-page boundary, so that all
/// of it but its last part lies in whole huge pages.
fn placed(layout: Layout) -> Layout {
    if layout.size() < LARGE {
        return layout;
    }
    Layout::from_size_align(layout.size(), layout.align().max(HUGE_PAGE)).unwrap_or(layout)
}

/// Gives the kernel `advice` for the whole huge pages inside the block at `ptr` of `size`
/// bytes (never for memory outside it). A failure only loses the hint.
fn advise(ptr: *mut u8, size: usize, huge: bool) {
    #[cfg(target_os = "linux")]
    {
        let start = (ptr as usize).next_multiple_of(HUGE_PAGE);
        let end = (ptr as usize + size) & !(HUGE_PAGE - 1);
        if end > start {
            let advice = if huge {
                libc::MADV_HUGEPAGE
            } else {
                libc::MADV_NOHUGEPAGE
            };
            // SAFETY: the range is page-aligned and inside a block this allocator handed out
            // and still holds; the advice changes how its pages are mapped, not its contents.
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, advice) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, size, huge);
}

// SAFETY: every block comes from mimalloc, with a layout at least as aligned as asked; a large
// block is freed with the same `placed` layout it was made with (it depends on the size only),
// and moved (not resized in place) when it grows or shrinks, with the lesser size copied.
unsafe impl GlobalAlloc for HugeForLarge {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = MiMalloc.alloc(placed(layout));
        if layout.size() >= LARGE && !ptr.is_null() {
            advise(ptr, layout.size(), true);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() < LARGE {
            return MiMalloc.alloc_zeroed(layout);
        }
        // Advised first, then zeroed: mimalloc would zero it before the advice could apply.
        let ptr = self.alloc(layout);
        if !ptr.is_null() {
            std::ptr::write_bytes(ptr, 0, layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= LARGE {
            // The freed range may hold small blocks later, which must not fault 2 MiB each.
            advise(ptr, layout.size(), false);
        }
        MiMalloc.dealloc(ptr, placed(layout))
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.size() < LARGE && new_size < LARGE {
            return MiMalloc.realloc(ptr, layout, new_size);
        }
        // A growing list's new block is advised before the old one is copied in (mimalloc's
        // realloc would copy first, faulting the new block in 4 KiB at a time).
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let moved = self.alloc(new_layout);
        if !moved.is_null() {
            std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        moved
    }
}

/// Tunes mimalloc for this process: freed pages go back to the system at once (unless
/// `MIMALLOC_PURGE_DELAY` says otherwise).
pub fn tune() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one of mimalloc's integer options; any value is valid.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_is_the_option_tuned() {
        // mimalloc v3 documents a purge delay of 1000 ms by default; no other option of it
        // defaults to 1000, so a shifted option list fails here.
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reads an option.
            assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 1000);
        }
    }

    /// The flags of the mapping that holds `address` (from /proc/self/smaps), or `None` when
    /// nothing is mapped there.
    #[cfg(target_os = "linux")]
    fn vm_flags(address: usize) -> Option<Vec<String>> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").expect("smaps is readable");
        let mut inside = false;
        for line in smaps.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            if let Some((lo, hi)) = first.split_once('-') {
                if let (Ok(lo), Ok(hi)) =
                    (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
                {
                    inside = (lo..hi).contains(&address);
                    continue;
                }
            }
            if let Some(flags) = line.strip_prefix("VmFlags:") {
                if inside {
                    return Some(flags.split_whitespace().map(str::to_string).collect());
                }
            }
        }
        None
    }

    #[cfg(target_os = "linux")]
    fn has_flag(address: usize, flag: &str) -> bool {
        vm_flags(address).is_some_and(|f| f.iter().any(|x| x == flag))
    }

    #[test]
    fn large_blocks_keep_their_contents_as_they_grow_and_shrink() {
        // Small to large, large to larger, larger to small: every move keeps the bytes.
        let mut v: Vec<u64> = (0..1000).collect();
        for n in [LARGE / 8 + 1, 3 * LARGE / 8, 5 * LARGE / 8 + 12_345] {
            let len = v.len() as u64;
            v.extend(len..n as u64);
            assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
        }
        assert_eq!(
            v.as_ptr() as usize % HUGE_PAGE,
            0,
            "a large block starts a huge page"
        );
        v.truncate(100);
        v.shrink_to_fit();
        assert_eq!(v, (0..100).collect::<Vec<u64>>());
        let zeros = vec![0u8; LARGE + 1];
        assert!(zeros.iter().all(|&b| b == 0));
        assert_eq!(zeros.as_ptr() as usize % HUGE_PAGE, 0);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn large_blocks_are_advised_onto_huge_pages_and_small_ones_left_alone() {
        if !std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists() {
            eprintln!("skipped: this kernel has no transparent huge pages");
            return;
        }
        let layout = Layout::from_size_align(3 * HUGE_PAGE, 8).expect("a layout");
        // SAFETY: a block made, written, checked and freed with the same layout.
        unsafe {
            let block = HugeForLarge.alloc(layout);
            assert!(!block.is_null());
            std::ptr::write_bytes(block, 1, layout.size());
            let inner = block as usize + HUGE_PAGE;
            assert!(
                has_flag(inner, "hg"),
                "a large block is advised MADV_HUGEPAGE"
            );
            // What `dealloc` does before handing the block back.
            advise(block, layout.size(), false);
            assert!(has_flag(inner, "nh") && !has_flag(inner, "hg"));
            HugeForLarge.dealloc(block, layout);
            // mimalloc may unmap it or keep it for later blocks; kept, it is not advised huge.
            assert!(!has_flag(inner, "hg"), "a freed block is not left advised");
        }
        let small = vec![1u8; LARGE - 1];
        let inner = (small.as_ptr() as usize).next_multiple_of(4096);
        assert!(!has_flag(inner, "hg"), "a small block is left alone");
    }
}
