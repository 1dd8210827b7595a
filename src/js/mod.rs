//! The binding layer: the only code that knows JavaScript. One file per JS class or
//! function group, each a thin wrapper over the pure core. Results cross as plain JS
//! objects (serde-wasm-bindgen) or typed arrays, never as many small wasm-owned objects.

#[cfg(feature = "tools")]
mod bench;
mod errors;
#[cfg(feature = "tools")]
mod generate;
mod key_ring;
mod layout;
mod planner;
mod room_dag;
mod validate;

pub use errors::to_js_error;
