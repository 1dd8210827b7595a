//! Canonical JSON: any bytes parse or fail cleanly; what parses round-trips. Its canonical
//! text parses back to the same value, encodes to the same text, and `encoded_len` is that
//! text's length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mxdag::canonical_json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = canonical_json::from_str(text) else {
        return;
    };
    let canonical = canonical_json::to_string(&value);
    let again = canonical_json::from_str(&canonical)
        .unwrap_or_else(|e| panic!("canonical text {canonical:?} does not parse back: {e:?}"));
    assert_eq!(
        again, value,
        "round trip through {canonical:?} changed the value"
    );
    assert_eq!(canonical_json::to_string(&again), canonical);
    assert_eq!(canonical_json::encoded_len(&value), canonical.len());
});
