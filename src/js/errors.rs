//! Errors as JS sees them: an `Error` whose `code` property is the stable problem code.

use wasm_bindgen::JsValue;

/// Builds a JS `Error` with `message` and a `code` property.
pub fn to_js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}
