//! The binding layer: the only code that knows JavaScript. One file per JS class or
//! function group, each a thin wrapper over the pure core. Results cross as plain JS
//! objects (serialised to JSON and parsed by JS: one serialiser in the wasm, not two) or
//! typed arrays, never as many small wasm-owned objects.

mod answer;
#[cfg(feature = "tools")]
mod bench;
mod errors;
#[cfg(feature = "tools")]
mod generate;
mod key_ring;
mod layout;
mod parallel;
mod parts;
mod planner;
mod room_dag;
mod session;
mod timeline;
mod validate;

pub use errors::to_js_error;

/// Heap reserved per byte of an input before it is read: about what judging it holds at
/// once (a 16,000-event NDJSON file of 14.7 MB grew the memory to 89 MB).
const HEAP_PER_INPUT_BYTE: usize = 6;

/// Grows the wasm heap in one step to hold what reading `input_bytes` of input needs, by
/// allocating that much and freeing it (the allocator keeps the memory for what follows).
///
/// Measured in Node 20: growing the memory page by page as the allocator asks (one
/// `memory.grow` per request) made a whole 20,000-event file validate at half the rate of
/// the same events in transactions of 100, a cost that grows faster than the input; grown
/// once, a whole file is faster than transactions. Nothing is reserved when the heap
/// already has the room, and nothing at all below 1 MiB.
pub(crate) fn reserve_heap(input_bytes: usize) {
    let bytes = input_bytes.saturating_mul(HEAP_PER_INPUT_BYTE).min(1 << 31);
    if bytes < 1 << 20 {
        return;
    }
    let mut block: Vec<u8> = Vec::new();
    if block.try_reserve_exact(bytes).is_ok() {
        std::hint::black_box(&mut block);
    }
}

/// Runs when the module is instantiated: seeds the room DAG's ID tables with randomness from
/// JS (wasm has no other source), so that nobody can choose event IDs that collide in them.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
fn start() {
    let word = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    crate::dag::ids::set_hash_seed((word() << 32) | word());
}
