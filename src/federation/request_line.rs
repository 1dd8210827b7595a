//! The pieces of a request line every endpoint's parser shares: percent-decoding a path
//! segment or query component, and the problem a bad one gets.
//!
//! Spec: [Server-Server API § API standards](https://spec.matrix.org/v1.16/server-server-api/#api-standards)
//! (path parameters are percent-encoded).

use super::codes;
use crate::problem::Problem;

/// A problem with the request line `code`, at `$`.
pub(super) fn bad(code: &'static str, message: String) -> Problem {
    Problem::error(code, "$", message)
}

/// Percent-decodes one path segment or query component.
pub(super) fn decode(text: &str) -> Result<String, Problem> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    bad(
                        codes::REQUEST_UNPARSABLE,
                        format!("Bad percent-escape at byte {i} of {text:?}."),
                    )
                })?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| {
        bad(
            codes::REQUEST_UNPARSABLE,
            format!("{text:?} does not decode to UTF-8."),
        )
    })
}
