//! The binding layer: the only code that knows JavaScript. One file per JS class or
//! function group, each a thin wrapper over the pure core. Results cross as plain JS
//! objects (serde-wasm-bindgen) or typed arrays, never as many small wasm-owned objects.

mod answer;
#[cfg(feature = "tools")]
mod bench;
mod errors;
#[cfg(feature = "tools")]
mod generate;
mod key_ring;
mod layout;
mod parallel;
mod planner;
mod room_dag;
mod session;
mod validate;

pub use errors::to_js_error;

/// Runs when the module is instantiated: seeds the room DAG's ID tables with randomness from
/// JS (wasm has no other source), so that nobody can choose event IDs that collide in them.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
fn start() {
    let word = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    crate::dag::ids::set_hash_seed((word() << 32) | word());
}
