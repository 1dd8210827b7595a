//! # mxdag
//!
//! Validate Matrix federation responses and walk a room's event graph.
//!
//! The crate is a pure Rust core that knows nothing of JavaScript; the binding layer in
//! `js` (`src/js/`, built only for `wasm32`) exposes it to browsers and Node. Data flows one way:
//!
//! ```text
//! bytes → parse → per-event verdict (format, event ID, content hash, signatures)
//!       → RoomDag (extremities, gaps, outliers, order, findings)
//!       → endpoint contract checks → layout → drawing (www/)
//! ```
//!
//! Spec references are to the Matrix specification v1.16
//! (<https://spec.matrix.org/v1.16/>) and MSC4000 (forwards fill).

/// The allocator of the browsers' download build (feature `small-alloc`): talc instead of
/// Rust's default dlmalloc, a smaller module.
#[cfg(all(
    feature = "small-alloc",
    target_arch = "wasm32",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// The allocator of the other wasm builds: Rust's default, growing the memory a quarter at
/// a time ([`wasm_heap`]).
#[cfg(all(target_arch = "wasm32", not(feature = "small-alloc")))]
#[global_allocator]
static ALLOCATOR: wasm_heap::GrowingHeap = wasm_heap::GrowingHeap::new();

#[cfg(all(target_arch = "wasm32", not(feature = "small-alloc")))]
mod wasm_heap;

pub mod auth;
pub mod canonical_json;
pub mod crypto;
pub mod dag;
pub mod event;
pub mod federation;
pub mod generate;
pub mod input;
pub mod layout;
pub mod planner;
pub mod problem;
pub mod room_version;
pub mod session;
// Read by the JS bindings only; compiled everywhere so that its tests run natively.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod json_fields;
mod sort;
pub mod state_res;
pub mod timeline;
pub(crate) mod utf8;

#[cfg(target_arch = "wasm32")]
pub mod js;
