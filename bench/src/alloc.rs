//! A counting global allocator: live heap bytes and their high-water mark,
//! for "peak memory" figures that do not depend on the kernel's RSS
//! accounting. Threads that run the benchmark's own loopback servers opt out
//! with [`exclude_this_thread`], so the figures are the client's alone.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

pub struct Counting;

// Signed: a block allocated on a counted thread may be freed on an
// excluded one (or the reverse) without wrapping the counter.
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    // `const` and `Copy`: no lazy initialisation and no destructor, so
    // touching it from inside the allocator cannot allocate.
    static EXCLUDED: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    !EXCLUDED.try_with(Cell::get).unwrap_or(true)
}

fn add(n: usize) {
    let n = n as isize;
    let live = LIVE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn sub(n: usize) {
    LIVE.fetch_sub(n as isize, Ordering::Relaxed);
}

// SAFETY-free wrapper: every call forwards to `System` unchanged; the
// counters only observe sizes. (`unsafe impl` is required by the trait.)
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && counted() {
            add(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if counted() {
            sub(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() && counted() {
            add(new_size);
            sub(layout.size());
        }
        p
    }
}

/// Allocations made by this thread are not counted (loopback servers).
pub fn exclude_this_thread() {
    EXCLUDED.with(|e| e.set(true));
}

/// Live bytes now (of the threads counted).
pub fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Starts a measurement: returns the live bytes now and resets the peak.
pub fn start() -> isize {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live
}

/// Peak live bytes above `baseline` since [`start`].
pub fn peak_above(baseline: isize) -> f64 {
    (PEAK.load(Ordering::Relaxed) - baseline).max(0) as f64
}
