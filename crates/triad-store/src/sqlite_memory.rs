//! Where SQLite takes its memory from: the process's own allocator (jemalloc in the server),
//! not the C library's `malloc`.
//!
//! SQLite allocates for every row it reads or writes, and sqlx copies every value of a row it
//! hands over (`sqlite3_value_dup`). With the C library's allocator, `malloc`, `free` and
//! their arenas' consolidation took 15-20 % of the connections' threads on a list page and on
//! the writer; jemalloc serves small blocks from per-thread caches.
//!
//! The one module of Triad with `unsafe` code (the workspace denies it everywhere else): SQLite
//! takes its allocator as C functions over raw pointers.
//!
//! SQLite takes its allocator only before it first starts, once per process: [`configure`]
//! runs before the first connection is opened. Anything SQLite allocated before then would be
//! freed by the allocator that made it, so a process where SQLite has already started keeps
//! SQLite's own (SQLite refuses the change, and nothing else happens).
#![allow(unsafe_code)]

use libsqlite3_sys as ffi;
use std::alloc::{alloc, dealloc, realloc, Layout};
use std::ffi::{c_int, c_void};
use std::sync::OnceLock;

/// Each block starts with its size, as the C library's does, for `free` and `xSize`; 16 bytes
/// keep what follows aligned for any type SQLite stores.
const HEADER: usize = 16;
const ALIGN: usize = 16;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, ALIGN).ok()
}

/// The start of the block `p` (a pointer SQLite was given) and the size SQLite asked for.
///
/// # Safety
/// `p` was returned by [`allocate`] or [`reallocate`] and not freed.
unsafe fn block_of(p: *mut c_void) -> (*mut u8, usize) {
    // SAFETY: `p` is HEADER bytes into a block this module allocated, whose first bytes hold
    // the size; the block is aligned to 16, so the read is aligned.
    unsafe {
        let block = p.cast::<u8>().sub(HEADER);
        (block, block.cast::<usize>().read())
    }
}

/// # Safety
/// `block` is a fresh allocation of at least HEADER + `size` bytes, aligned to 16.
unsafe fn hand_over(block: *mut u8, size: usize) -> *mut c_void {
    if block.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: the block is HEADER + size bytes long and aligned for a usize.
    unsafe {
        block.cast::<usize>().write(size);
        block.add(HEADER).cast()
    }
}

unsafe extern "C" fn allocate(n: c_int) -> *mut c_void {
    let Some(layout) = usize::try_from(n).ok().and_then(layout) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the layout's size is at least HEADER, never zero.
    unsafe { hand_over(alloc(layout), layout.size() - HEADER) }
}

unsafe extern "C" fn free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: SQLite frees only what this module gave it, once.
    unsafe {
        let (block, size) = block_of(p);
        if let Some(layout) = layout(size) {
            dealloc(block, layout);
        }
    }
}

unsafe extern "C" fn reallocate(p: *mut c_void, n: c_int) -> *mut c_void {
    let Ok(new_size) = usize::try_from(n) else {
        return std::ptr::null_mut();
    };
    if p.is_null() {
        // SAFETY: as `allocate`.
        return unsafe { allocate(n) };
    }
    // SAFETY: SQLite resizes only what this module gave it; the old layout is the one it was
    // allocated with, and the new size is checked as any other.
    unsafe {
        let (block, old_size) = block_of(p);
        let (Some(old), Some(new)) = (layout(old_size), layout(new_size)) else {
            return std::ptr::null_mut();
        };
        hand_over(realloc(block, old, new.size()), new_size)
    }
}

unsafe extern "C" fn size_of(p: *mut c_void) -> c_int {
    if p.is_null() {
        return 0;
    }
    // SAFETY: SQLite asks the size of what this module gave it.
    let (_, size) = unsafe { block_of(p) };
    c_int::try_from(size).unwrap_or(c_int::MAX)
}

unsafe extern "C" fn round_up(n: c_int) -> c_int {
    n.saturating_add(7) & !7
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}

/// Hands SQLite the process's allocator; whether it took it (false: it had already started
/// and keeps its own). Runs once; later calls give the first answer. [`crate::Db::connect`]
/// calls it before opening SQLite; code that opens SQLite another way calls it first.
pub fn configure() -> bool {
    static TAKEN: OnceLock<bool> = OnceLock::new();
    *TAKEN.get_or_init(|| {
        let methods = ffi::sqlite3_mem_methods {
            xMalloc: Some(allocate),
            xFree: Some(free),
            xRealloc: Some(reallocate),
            xSize: Some(size_of),
            xRoundup: Some(round_up),
            xInit: Some(init),
            xShutdown: Some(shutdown),
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: runs once, before this process opens its first connection; SQLite copies
        // `methods` before returning. It fails harmlessly (SQLITE_MISUSE) if SQLite has
        // already started.
        unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &methods) == ffi::SQLITE_OK }
    })
}
