//! The wasm builds' heap (Rust's default allocator, dlmalloc), grown a quarter at a time.
//!
//! dlmalloc grows wasm memory by what each allocation it cannot serve needs, a few pages at
//! a time, and V8 answers every growth of a large memory with a full garbage collection of
//! the JS heap ("external memory pressure"). Past the 2 GiB that `reserve_heap` (`src/js/`) reserves for
//! an input, `mxdag check` of 1,000,000 events collected garbage 9,000 times, 33 s of its
//! main thread (`node --trace-gc`, 2026-12-08), and the workers waited for it. So when the
//! allocator has grown the memory, this grows it once more by a quarter of its size (by
//! allocating that much and freeing it at once: dlmalloc keeps freed memory at the top of its
//! heap for what follows), and the next quarter's allocations need no growth.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes of a wasm page.
const PAGE: usize = 1 << 16;

/// The least the memory is grown by at a time.
const MIN_STEP: usize = 16 << 20;

/// The system allocator, growing the memory in steps of a quarter of its size (see the module).
pub struct GrowingHeap {
    /// The memory's size in pages when last looked at.
    pages: AtomicUsize,
}

impl GrowingHeap {
    /// A heap that has not looked at the memory yet.
    pub const fn new() -> Self {
        GrowingHeap {
            pages: AtomicUsize::new(0),
        }
    }

    /// After an allocation: when it grew the memory, grows it by a quarter more.
    fn after_alloc(&self) {
        let pages = core::arch::wasm32::memory_size(0);
        let seen = self.pages.swap(pages, Ordering::Relaxed);
        if seen == 0 || pages == seen {
            return;
        }
        let step = (pages * PAGE / 4).max(MIN_STEP);
        if let Ok(layout) = Layout::from_size_align(step, 1) {
            // SAFETY: a layout of non-zero size; the block is freed as allocated.
            unsafe {
                let block = System.alloc(layout);
                if !block.is_null() {
                    System.dealloc(block, layout);
                }
            }
        }
        self.pages
            .store(core::arch::wasm32::memory_size(0), Ordering::Relaxed);
    }
}

impl Default for GrowingHeap {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: every call is passed to `System` as made; `after_alloc` only allocates and frees a
// block of its own. Not inlined: the allocator's code would be copied into every caller
// (80 KB more of the speed build).
unsafe impl GlobalAlloc for GrowingHeap {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        self.after_alloc();
        ptr
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        self.after_alloc();
        ptr
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let ptr = System.realloc(ptr, layout, new_size);
        self.after_alloc();
        ptr
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[cfg(test)]
mod tests {
    use super::PAGE;
    use core::arch::wasm32::memory_size;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// 256 MiB allocated 64 KiB at a time grows the memory in a few large steps, not page by
    /// page (about 4,000 growths with the allocator alone).
    #[test]
    fn the_memory_grows_in_few_steps() {
        let start = memory_size(0);
        let mut growths = 0;
        let mut last = start;
        let mut blocks = Vec::with_capacity(4096);
        for i in 0..4096u32 {
            blocks.push(vec![i as u8; 64 << 10]);
            let now = memory_size(0);
            growths += usize::from(now != last);
            last = now;
        }
        assert!((last - start) * PAGE >= 256 << 20);
        assert!(growths <= 40, "{growths} growths");
        assert!(blocks
            .iter()
            .enumerate()
            .all(|(i, b)| b[b.len() - 1] == i as u8));
    }
}
