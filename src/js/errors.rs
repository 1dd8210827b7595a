//! Errors as JS sees them: an `Error` whose `code` property is the stable problem code; and
//! the checks of string arguments, which wasm-bindgen passes on unchecked (a number where a
//! string belongs would otherwise trap inside the wasm instead of throwing).

use wasm_bindgen::JsValue;

/// Codes of errors about how the JS API was called.
pub mod codes {
    /// An argument that must be a string (or absent, where optional) is of another type.
    pub const INVALID_ARGUMENT: &str = "invalid_argument";
    /// The columns given to `RoomDag.addColumns` disagree (lengths, UTF-8, counts).
    pub const DAG_COLUMNS: &str = "dag_columns";
    /// A result could not be turned into a JS value (a bug in mxdag: please report it).
    pub const RESULT_NOT_SERIALIZABLE: &str = "result_not_serializable";
    /// The host has no `crypto.getRandomValues`, which the secret of a session's judgements
    /// (validation on other cores) needs.
    pub const NO_RANDOM_SOURCE: &str = "no_random_source";
}

/// Builds a JS `Error` with `message` and a `code` property.
pub fn to_js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}

/// The string argument `name`; an `Error` with `code` `invalid_argument` for anything else.
pub fn string_arg(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value
        .as_string()
        .ok_or_else(|| wrong_type(value, name, "a string"))
}

/// The optional string argument `name`: `None` for `undefined` or `null`; an `Error` with
/// `code` `invalid_argument` for anything but a string.
pub fn optional_string_arg(value: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| wrong_type(value, name, "a string or undefined"))
}

fn wrong_type(value: &JsValue, name: &str, want: &str) -> JsValue {
    let found = match value.js_typeof().as_string().as_deref() {
        _ if value.is_null() => "null".to_owned(),
        Some("undefined") | None => "undefined".to_owned(),
        Some("object") => "an object".to_owned(),
        Some(other) => format!("a {other}"),
    };
    let example = if name == "roomVersion" {
        " such as \"12\""
    } else {
        ""
    };
    to_js_error(
        codes::INVALID_ARGUMENT,
        &format!("`{name}` must be {want}{example}, not {found}."),
    )
}
