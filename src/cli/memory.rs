//! The process's allocator: mimalloc for small blocks; large ones on recycled huge pages.
//!
//! - **mimalloc.** Loading a large model makes millions of small allocations, which the system
//!   allocator serves far more slowly. Its own regions stay on 4 KiB pages (its `no_thp` build
//!   option): a huge page there would make every touched byte of a small model cost a zeroed
//!   2 MiB.
//! - **Large blocks on huge pages.** A block of [`LARGE`] bytes or more (the links, nodes, id
//!   index and file texts of a load, the sweep's rows) gets its own mapping on a 2 MiB
//!   boundary. Its whole huge pages are advised `MADV_HUGEPAGE`, so the kernel maps them 2 MiB
//!   at a time instead of faulting each 4 KiB page in; its last part is left on 4 KiB pages
//!   (unless kept pages moved there bring their advice), faulted in only as far as it is
//!   written. At a million people this took `sweep` from about 518k page faults and 1.1 s of
//!   system time to about 162k and 0.6 s (then mimalloc's blocks; with the kept pages below,
//!   about 71k).
//! - **Freed pages kept, in the sweep.** A million-person sweep makes about 130 large blocks,
//!   1.9 GB in all, while at most about 600 MB of them live at once, and the kernel faults in
//!   and zeroes every fresh page: a fifth of the sweep's CPU samples (perf) were that zeroing.
//!   After [`keep_freed_pages`], a freed large block's pages are kept in a [`pages::Pool`], and
//!   a later large block is made of them, moved into place by `mremap` (page tables move;
//!   nothing is copied, and only what must read as zero is cleared). A growing list moves the
//!   same way into a larger block. The sweep's huge-page faults fall from about 700 to 300.
//!
//!   The price is memory. A block takes kept pages before any fresh one, so kept and live
//!   large blocks together never span more than the most that were live at once; but kept
//!   pages stay resident beside the small blocks mimalloc maps later. Commands whose large
//!   blocks are freed at the end of the load and not made again would only hold them:
//!   `validate` peaked at 691 MiB against 468, `diff` at 1.44 GiB against 0.95. So only the
//!   sweep keeps freed pages, and it lets go of what the load left ([`release_kept_pages`])
//!   once the graph is built, before the condensation, where it peaks: 670 MiB at a million
//!   people, against 617 with nothing kept and 685 when the load's pages stay. It lets go again
//!   after the passes, before the ranking: a CSV sweep's entries, one per node, then peak at
//!   665 MiB, against 695 beside the passes' pages. Elsewhere a freed large block is unmapped
//!   at once.
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

/// mimalloc, with blocks of [`LARGE`] bytes or more in mappings of their own on huge pages,
/// made of recycled pages where there are some.
pub struct HugeForLarge;

/// Whether a block of this layout is large. It depends on the layout alone, so a block is
/// always freed the way it was made.
fn is_large(layout: Layout) -> bool {
    cfg!(target_os = "linux") && layout.size() >= LARGE && layout.align() <= HUGE_PAGE
}

#[cfg(target_os = "linux")]
pub mod pages {
    //! Large blocks: mappings of whole huge pages, and the pool of freed ones they are made of.

    use super::HUGE_PAGE;
    use std::sync::{Mutex, PoisonError};

    /// How many freed spans a pool can keep; a span freed when all are taken is unmapped. A
    /// million-person sweep has at most a few dozen large blocks live at once.
    const SPANS: usize = 256;

    /// The pool every large block of the process comes from. It keeps nothing until
    /// [`keep_freed_pages`] says so.
    static POOL: Mutex<Pool> = Mutex::new(Pool::new(0));

    /// From now on, freed large blocks' pages are kept to make later ones of (see the module
    /// docs of `memory` for when that pays).
    pub fn keep_freed_pages() {
        with_pool(|pool| pool.slots = SPANS);
    }

    /// Runs `f` on the process's pool.
    pub fn with_pool<T>(f: impl FnOnce(&mut Pool) -> T) -> T {
        f(&mut POOL.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The whole huge pages a block of `size` bytes spans.
    fn span(size: usize) -> usize {
        size.next_multiple_of(HUGE_PAGE)
    }

    /// The whole huge pages inside a block of `size` bytes: only they are advised, so the last
    /// part of a fresh block is faulted in 4 KiB at a time, as far as it is written. (`mremap`
    /// moves pages with their advice: a block made of kept pages is advised again, and its
    /// last part has whatever advice the pages moved there had.)
    fn whole(size: usize) -> usize {
        size & !(HUGE_PAGE - 1)
    }

    /// Freed mappings, each a run of whole huge pages on a huge-page boundary, with whatever
    /// pages of them the kernel holds, to make later blocks of. It holds no more than was
    /// freed, and a block takes from it before mapping anything new: kept and live blocks
    /// together never exceed the most that were live at once.
    pub struct Pool {
        /// Address and length of each kept span: `spans[..count]`.
        spans: [(usize, usize); SPANS],
        count: usize,
        /// Spans it may keep, at most [`SPANS`].
        slots: usize,
        /// Bytes kept.
        bytes: usize,
    }

    impl Pool {
        /// An empty pool that keeps up to `slots` freed spans (at most [`SPANS`]).
        pub const fn new(slots: usize) -> Pool {
            Pool {
                spans: [(0, 0); SPANS],
                count: 0,
                slots: if slots < SPANS { slots } else { SPANS },
                bytes: 0,
            }
        }

        /// Unmaps every kept span.
        pub fn release(&mut self) {
            for &(addr, len) in &self.spans[..self.count] {
                unmap(addr, len);
            }
            self.count = 0;
            self.bytes = 0;
        }

        /// Bytes of freed spans kept.
        #[cfg(test)]
        pub fn kept(&self) -> usize {
            self.bytes
        }

        /// A block of `size` bytes on a huge-page boundary, made of kept spans first and fresh
        /// (zero) pages for the rest; null when the system has no memory for it. `zeroed`
        /// clears what came from kept spans.
        ///
        /// # Safety
        /// The block is freed only through [`Pool::give`] or resized through
        /// [`Pool::resize`], with this `size`.
        pub unsafe fn take(&mut self, size: usize, zeroed: bool) -> *mut u8 {
            let len = span(size);
            let Some(block) = reserve(len, whole(size)) else {
                return std::ptr::null_mut();
            };
            let reused = self.fill(block, len);
            if reused > 0 {
                // Moved pages bring their own advice (a kept block's last part had none).
                advise_huge(block, whole(size));
                if zeroed {
                    std::ptr::write_bytes(block as *mut u8, 0, reused.min(size));
                }
            }
            block as *mut u8
        }

        /// Takes back the block at `ptr` made for `size` bytes.
        ///
        /// # Safety
        /// `ptr` came from this pool's [`Pool::take`] or [`Pool::resize`] with `size`, and is
        /// not used again.
        pub unsafe fn give(&mut self, ptr: *mut u8, size: usize) {
            self.keep(ptr as usize, span(size));
        }

        /// The block at `ptr`, made for `old` bytes, resized to `new` (both large): in place
        /// when it spans the same pages or shrinks, otherwise moved by its page tables (not
        /// copied) into a larger block whose rest comes from kept spans. Null, with the block
        /// left as it was, when the system has no room for the larger block.
        ///
        /// # Safety
        /// As for [`Pool::give`]; on success the old pointer is no longer used.
        pub unsafe fn resize(&mut self, ptr: *mut u8, old: usize, new: usize) -> *mut u8 {
            let (from, to) = (span(old), span(new));
            let at = ptr as usize;
            if to <= from {
                if to < from {
                    self.keep(at + to, from - to);
                }
                return ptr;
            }
            let Some(block) = reserve(to, whole(new)) else {
                return std::ptr::null_mut();
            };
            move_pages(at, from, block);
            self.fill(block + from, to - from);
            // The moved pages brought their own advice (the old block's last part had none).
            advise_huge(block, whole(new));
            block as *mut u8
        }

        /// Moves kept spans into the fresh mapping at `dest` of `len` bytes, from its start,
        /// until it is full or none is kept; returns the bytes moved in. A span that fits whole
        /// is taken before part of a larger one.
        fn fill(&mut self, dest: usize, len: usize) -> usize {
            let mut filled = 0;
            while filled < len && self.count > 0 {
                let need = len - filled;
                let spans = &self.spans[..self.count];
                let fitting = (0..spans.len())
                    .filter(|&i| spans[i].1 >= need)
                    .min_by_key(|&i| spans[i].1);
                let i = fitting
                    .unwrap_or_else(|| (0..spans.len()).max_by_key(|&i| spans[i].1).unwrap_or(0));
                let (addr, have) = self.spans[i];
                let moved = have.min(need);
                move_pages(addr, moved, dest + filled);
                if moved == have {
                    self.count -= 1;
                    self.spans[i] = self.spans[self.count];
                } else {
                    self.spans[i] = (addr + moved, have - moved);
                }
                self.bytes -= moved;
                filled += moved;
            }
            filled
        }

        /// Keeps the freed span at `addr` of `len` bytes, or unmaps it when the pool is full.
        fn keep(&mut self, addr: usize, len: usize) {
            if self.count == self.slots {
                unmap(addr, len);
                return;
            }
            self.spans[self.count] = (addr, len);
            self.count += 1;
            self.bytes += len;
        }
    }

    /// A fresh mapping of `len` bytes (whole huge pages) on a huge-page boundary, its first
    /// `huge` bytes (whole huge pages) advised `MADV_HUGEPAGE`.
    fn reserve(len: usize, huge: usize) -> Option<usize> {
        let over = len.checked_add(HUGE_PAGE)?;
        // SAFETY: a new private anonymous mapping; nothing else refers to it.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                over,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return None;
        }
        let raw = raw as usize;
        let start = raw.next_multiple_of(HUGE_PAGE);
        if start > raw {
            unmap(raw, start - raw);
        }
        if raw + over > start + len {
            unmap(start + len, raw + over - (start + len));
        }
        advise_huge(start, huge);
        Some(start)
    }

    /// Advises the `len` bytes at `start` (whole huge pages of a block) `MADV_HUGEPAGE`.
    fn advise_huge(start: usize, len: usize) {
        // SAFETY: the range is inside a mapping of this module; the advice changes how its
        // pages are mapped, not their contents. A failure only loses the hint.
        unsafe { libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
    }

    /// Moves the pages of `len` bytes (whole huge pages) at `from` to `to`, replacing what was
    /// mapped there (part of a fresh reservation); the range at `from` is unmapped. Both ranges
    /// are inside mappings this module made.
    ///
    /// One huge page at a time. A block is several mappings (its advised part and its last
    /// part; each kept span it was made of), all starting and ending on huge-page boundaries,
    /// and before Linux 6.17 `mremap` fails on a range that spans two mappings, after older
    /// kernels have already unmapped the destination. Within one mapping a step fails only for
    /// want of memory; the block would then have a hole another mapping could take, so that
    /// aborts, as running out of memory does anyway.
    fn move_pages(from: usize, len: usize, to: usize) {
        for step in (0..len).step_by(HUGE_PAGE) {
            // SAFETY: both ranges are one huge page, aligned, inside one mapping of this
            // module; MREMAP_FIXED replaces the destination page with the moved one.
            let moved = unsafe {
                libc::mremap(
                    (from + step) as *mut libc::c_void,
                    HUGE_PAGE,
                    HUGE_PAGE,
                    libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                    (to + step) as *mut libc::c_void,
                )
            };
            if moved == libc::MAP_FAILED {
                out_of_memory();
            }
        }
    }

    /// Ends the process, as an allocation failure does, with a line on standard error (which
    /// takes no memory to write).
    fn out_of_memory() -> ! {
        let line = b"blastradius: out of memory while moving pages\n";
        // SAFETY: writes a static buffer to standard error.
        unsafe { libc::write(2, line.as_ptr() as *const libc::c_void, line.len()) };
        std::process::abort()
    }

    fn unmap(addr: usize, len: usize) {
        // SAFETY: the range belongs to this module and is not used again.
        unsafe { libc::munmap(addr as *mut libc::c_void, len) };
    }
}

// SAFETY: small blocks are mimalloc's; a large block (which depends on the layout alone) is
// made, resized and freed by the pool with the size it was made for; a block that changes
// between small and large is moved, with the lesser size copied.
unsafe impl GlobalAlloc for HugeForLarge {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        #[cfg(target_os = "linux")]
        if is_large(layout) {
            return pages::with_pool(|pool| pool.take(layout.size(), false));
        }
        MiMalloc.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        #[cfg(target_os = "linux")]
        if is_large(layout) {
            return pages::with_pool(|pool| pool.take(layout.size(), true));
        }
        MiMalloc.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        #[cfg(target_os = "linux")]
        if is_large(layout) {
            return pages::with_pool(|pool| pool.give(ptr, layout.size()));
        }
        MiMalloc.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        match (is_large(layout), is_large(new_layout)) {
            (false, false) => MiMalloc.realloc(ptr, layout, new_size),
            #[cfg(target_os = "linux")]
            (true, true) => pages::with_pool(|pool| pool.resize(ptr, layout.size(), new_size)),
            _ => {
                let moved = self.alloc(new_layout);
                if !moved.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                moved
            }
        }
    }
}

/// From now on, freed large blocks' pages make later large blocks (see the module docs for
/// when that pays). Does nothing but on Linux.
pub fn keep_freed_pages() {
    #[cfg(target_os = "linux")]
    pages::keep_freed_pages();
}

/// Unmaps the pages kept so far (they still make later blocks until then).
pub fn release_kept_pages() {
    #[cfg(target_os = "linux")]
    pages::with_pool(|pool| pool.release());
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

    /// Whether this kernel has transparent huge pages; says the test is skipped when not.
    #[cfg(target_os = "linux")]
    fn has_huge_pages() -> bool {
        let has = std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists();
        if !has {
            eprintln!("skipped: this kernel has no transparent huge pages");
        }
        has
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn large_blocks_are_advised_onto_huge_pages_and_small_ones_left_alone() {
        if !has_huge_pages() {
            return;
        }
        let large = vec![1u8; 3 * HUGE_PAGE];
        assert!(
            has_flag(large.as_ptr() as usize + HUGE_PAGE, "hg"),
            "a large block is advised MADV_HUGEPAGE"
        );
        let partial = vec![1u8; 2 * HUGE_PAGE + 4096];
        let at = partial.as_ptr() as usize;
        assert!(has_flag(at + HUGE_PAGE, "hg"));
        assert!(
            !has_flag(at + 2 * HUGE_PAGE, "hg"),
            "the last part of a block, short of a huge page, is not advised"
        );
        let small = vec![1u8; LARGE - 1];
        let inner = (small.as_ptr() as usize).next_multiple_of(4096);
        assert!(!has_flag(inner, "hg"), "a small block is left alone");
    }

    /// Writes `byte` over the `len` bytes at `ptr`.
    #[cfg(target_os = "linux")]
    fn paint(ptr: *mut u8, len: usize, byte: u8) {
        // SAFETY: the callers pass blocks of at least `len` bytes they hold.
        unsafe { std::ptr::write_bytes(ptr, byte, len) };
    }

    #[cfg(target_os = "linux")]
    fn all(ptr: *const u8, len: usize, byte: u8) -> bool {
        // SAFETY: as for `paint`.
        unsafe { std::slice::from_raw_parts(ptr, len) }
            .iter()
            .all(|&b| b == byte)
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn freed_pages_make_the_next_block_and_are_cleared_when_it_must_be_zero() {
        use pages::Pool;
        let mut pool = Pool::new(8);
        // SAFETY: every block is taken, used within its size and given back with it.
        unsafe {
            let a = pool.take(3 * HUGE_PAGE, false);
            assert_eq!(a as usize % HUGE_PAGE, 0, "a block starts a huge page");
            paint(a, 3 * HUGE_PAGE, 7);
            pool.give(a, 3 * HUGE_PAGE);
            assert_eq!(pool.kept(), 3 * HUGE_PAGE);
            // The next block is made of those pages, moved: it holds what they held.
            let b = pool.take(2 * HUGE_PAGE + 1, false);
            assert_eq!(pool.kept(), 0, "a block takes kept pages first");
            assert!(
                all(b, 2 * HUGE_PAGE + 1, 7),
                "kept pages are moved, not remade"
            );
            pool.give(b, 2 * HUGE_PAGE + 1);
            // A zeroed block made of them is zero.
            let z = pool.take(3 * HUGE_PAGE, true);
            assert!(all(z, 3 * HUGE_PAGE, 0));
            // Larger than all that is kept: kept pages first, fresh ones after.
            paint(z, 3 * HUGE_PAGE, 9);
            pool.give(z, 3 * HUGE_PAGE);
            let big = pool.take(5 * HUGE_PAGE, true);
            assert_eq!(pool.kept(), 0);
            assert!(all(big, 5 * HUGE_PAGE, 0));
            pool.give(big, 5 * HUGE_PAGE);
            assert_eq!(pool.kept(), 5 * HUGE_PAGE);
            pool.release();
            assert_eq!(pool.kept(), 0);
            let fresh = pool.take(HUGE_PAGE, false);
            assert!(
                all(fresh, HUGE_PAGE, 0),
                "released pages are gone: fresh ones are zero"
            );
            pool.give(fresh, HUGE_PAGE);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_block_is_made_of_several_kept_spans_in_turn() {
        use pages::Pool;
        let mut pool = Pool::new(8);
        // SAFETY: as above.
        unsafe {
            let (a, b) = (pool.take(HUGE_PAGE, false), pool.take(HUGE_PAGE, false));
            paint(a, HUGE_PAGE, 1);
            paint(b, HUGE_PAGE, 2);
            pool.give(a, HUGE_PAGE);
            pool.give(b, HUGE_PAGE);
            let c = pool.take(3 * HUGE_PAGE, false);
            assert_eq!(pool.kept(), 0);
            let first = *c;
            let second = *c.add(HUGE_PAGE);
            assert!(
                (first, second) == (1, 2) || (first, second) == (2, 1),
                "both spans moved in: {first} {second}"
            );
            assert!(all(c, HUGE_PAGE, first) && all(c.add(HUGE_PAGE), HUGE_PAGE, second));
            assert!(all(c.add(2 * HUGE_PAGE), HUGE_PAGE, 0), "then fresh pages");
            // A span that fits whole is taken before part of a larger one.
            paint(c, 3 * HUGE_PAGE, 3);
            let d = pool.take(HUGE_PAGE, false);
            paint(d, HUGE_PAGE, 4);
            pool.give(c, 3 * HUGE_PAGE);
            pool.give(d, HUGE_PAGE);
            let e = pool.take(HUGE_PAGE, false);
            assert!(
                all(e, HUGE_PAGE, 4),
                "the span of one page, not part of the larger"
            );
            assert_eq!(pool.kept(), 3 * HUGE_PAGE);
            let f = pool.take(2 * HUGE_PAGE, false);
            assert!(all(f, 2 * HUGE_PAGE, 3), "part of the larger span");
            assert_eq!(pool.kept(), HUGE_PAGE);
            pool.give(e, HUGE_PAGE);
            pool.give(f, 2 * HUGE_PAGE);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_resized_block_keeps_its_contents_and_gives_back_what_it_drops() {
        use pages::Pool;
        let mut pool = Pool::new(8);
        // SAFETY: as above; a resized block is used only through the pointer returned.
        unsafe {
            let a = pool.take(HUGE_PAGE + 10, false);
            for i in 0..HUGE_PAGE + 10 {
                *a.add(i) = (i % 251) as u8;
            }
            let x = pool.take(HUGE_PAGE, false);
            paint(x, HUGE_PAGE, 6);
            pool.give(x, HUGE_PAGE);
            let grown = pool.resize(a, HUGE_PAGE + 10, 4 * HUGE_PAGE);
            assert!(!grown.is_null());
            assert_eq!(grown as usize % HUGE_PAGE, 0);
            assert!((0..HUGE_PAGE + 10).all(|i| *grown.add(i) == (i % 251) as u8));
            assert_eq!(pool.kept(), 0, "its new pages come from the pool first");
            assert!(all(grown.add(2 * HUGE_PAGE), HUGE_PAGE, 6));
            paint(grown.add(HUGE_PAGE + 10), 3 * HUGE_PAGE - 10, 5);
            let same = pool.resize(grown, 4 * HUGE_PAGE, 4 * HUGE_PAGE - 1);
            assert_eq!(same, grown, "the same pages: resized in place");
            let shrunk = pool.resize(grown, 4 * HUGE_PAGE - 1, HUGE_PAGE + 1);
            assert_eq!(shrunk, grown, "shrunk in place");
            assert_eq!(pool.kept(), 2 * HUGE_PAGE, "the pages it dropped are kept");
            assert!((0..HUGE_PAGE + 1).all(|i| *shrunk.add(i) == (i % 251) as u8));
            pool.give(shrunk, HUGE_PAGE + 1);
            assert_eq!(pool.kept(), 4 * HUGE_PAGE);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_block_made_of_kept_pages_is_advised_again() {
        if !has_huge_pages() {
            return;
        }
        use pages::Pool;
        let mut pool = Pool::new(8);
        // SAFETY: as above.
        unsafe {
            // Its last part (a huge page's worth, short of one) is not advised.
            let a = pool.take(HUGE_PAGE + 4096, false);
            assert!(!has_flag(a as usize + HUGE_PAGE, "hg"));
            pool.give(a, HUGE_PAGE + 4096);
            // Moved into the whole pages of a larger block, that part is advised.
            let b = pool.take(2 * HUGE_PAGE + 4096, false);
            assert_eq!(pool.kept(), 0);
            assert!(has_flag(b as usize + HUGE_PAGE, "hg"));
            // The same when a block grows over it.
            pool.give(b, 2 * HUGE_PAGE + 4096);
            let c = pool.take(HUGE_PAGE, false);
            let grown = pool.resize(c, HUGE_PAGE, 3 * HUGE_PAGE + 4096);
            assert!((1..3).all(|k| has_flag(grown as usize + k * HUGE_PAGE, "hg")));
            pool.give(grown, 3 * HUGE_PAGE + 4096);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_pool_unmaps_what_is_freed() {
        use pages::Pool;
        let mut pool = Pool::new(1);
        // SAFETY: as above.
        unsafe {
            let (a, b) = (pool.take(HUGE_PAGE, false), pool.take(2 * HUGE_PAGE, false));
            paint(b, 2 * HUGE_PAGE, 3);
            pool.give(a, HUGE_PAGE);
            pool.give(b, 2 * HUGE_PAGE);
            assert_eq!(pool.kept(), HUGE_PAGE, "one span kept, the other unmapped");
        }
    }
}
