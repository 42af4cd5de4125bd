//! Zero-on-free heap: in the wasm build every deallocation is wiped, so copies of secrets made
//! inside dependencies (aws-sigv4 formats `"AWS4" + secret` into a `String` it never wipes,
//! `serde` and `http` buffers, ...) do not outlive their owner in linear memory.
//!
//! The wrapper is 1Password's `zeroizing-alloc`; `realloc` goes through the trait's default
//! (allocate, copy, free), so a moved buffer's old copy is wiped as well.

pub use zeroizing_alloc::ZeroAlloc;

#[cfg(test)]
mod tests {
    use super::ZeroAlloc;
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::RefCell;

    thread_local! {
        /// Contents of each block at the moment the inner allocator received it back.
        static FREED: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
    }

    /// An inner allocator that records what a block held when it was handed back.
    struct Recording;

    unsafe impl GlobalAlloc for Recording {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let seen = unsafe { std::slice::from_raw_parts(ptr, layout.size()) }.to_vec();
            FREED.with(|f| f.borrow_mut().push(seen));
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    fn take_freed() -> Vec<Vec<u8>> {
        FREED.with(|f| std::mem::take(&mut *f.borrow_mut()))
    }

    #[test]
    fn freed_blocks_are_wiped_before_the_inner_allocator_sees_them() {
        let alloc = ZeroAlloc(Recording);
        let layout = Layout::from_size_align(64, 8).unwrap();
        take_freed();
        unsafe {
            let p = alloc.alloc(layout);
            assert!(!p.is_null());
            std::ptr::copy_nonoverlapping(
                b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".as_ptr(),
                p,
                44,
            );
            alloc.dealloc(p, layout);
        }
        let freed = take_freed();
        assert_eq!(freed.len(), 1);
        assert_eq!(freed[0].len(), 64);
        assert!(
            freed[0].iter().all(|&b| b == 0),
            "block not wiped: {:?}",
            freed[0]
        );
    }

    #[test]
    fn the_recording_allocator_alone_does_not_wipe() {
        // Control: proves the test above can fail.
        let layout = Layout::from_size_align(16, 8).unwrap();
        take_freed();
        unsafe {
            let p = Recording.alloc(layout);
            std::ptr::write_bytes(p, 0xAB, 16);
            Recording.dealloc(p, layout);
        }
        let freed = take_freed();
        assert!(freed[0].iter().all(|&b| b == 0xAB));
    }

    #[test]
    fn realloc_wipes_the_old_block() {
        let alloc = ZeroAlloc(Recording);
        let small = Layout::from_size_align(8, 8).unwrap();
        take_freed();
        unsafe {
            let p = alloc.alloc(small);
            std::ptr::write_bytes(p, 0x5A, 8);
            let q = alloc.realloc(p, small, 4096);
            assert!(!q.is_null());
            // The data moved intact ...
            assert!(std::slice::from_raw_parts(q, 8).iter().all(|&b| b == 0x5A));
            let freed = take_freed();
            // ... and the old block went back wiped.
            assert_eq!(freed.len(), 1);
            assert!(freed[0].iter().all(|&b| b == 0));
            alloc.dealloc(q, Layout::from_size_align(4096, 8).unwrap());
        }
        assert!(take_freed()[0].iter().all(|&b| b == 0));
    }
}
