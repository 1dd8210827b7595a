//! Integers beyond 64 bits, kept exact.
//!
//! JSON puts no bound on integers, nor did canonical JSON before room version 6
//! ([v6](https://spec.matrix.org/v1.16/rooms/v6/#canonical-json) bounds them to ±(2^53−1)).
//! Synapse's canonical JSON (Python integers) prints `18446744073709551616` as it was
//! written, so a room version 1–5 event carrying it is hashed and signed over those digits.
//! serde_json reads such an integer as a float (or refuses it past 1e308), so a text that
//! may hold one is read here: its number literals are listed in document order, each
//! integer beyond 64 bits is blanked to `0` (padded with spaces, so error positions do not
//! move), and the parser's visitor takes the digits back from the list.

use super::value::{Literals, Seed};
use super::{classify, is_big_integer, ParseError, Value};
use serde::de::DeserializeSeed;

/// How many digits an integer outside `i64`/`u64` has at least (`-9223372036854775809`).
const BIG_INTEGER_DIGITS: usize = 19;

/// Whether `text` may hold an integer beyond 64 bits: it has a run of 19 digits (cheap, and
/// false for nearly every event: a millisecond timestamp has 13).
///
/// It reads the last byte of each window of 19 first: a non-digit there rules out every run
/// starting in the window, so most of the text is skipped 19 bytes at a time. Otherwise it
/// counts the digits back from that byte; a non-digit among them rules out every start up
/// to it. No run of 19 digits starts before `start`, throughout.
pub(super) fn may_hold_big_integer(text: &str) -> bool {
    let b = text.as_bytes();
    let mut start = 0;
    while start + BIG_INTEGER_DIGITS <= b.len() {
        let last = start + BIG_INTEGER_DIGITS - 1;
        match (start..=last).rev().find(|&i| !b[i].is_ascii_digit()) {
            None => return true,
            Some(non_digit) => start = non_digit + 1,
        }
    }
    false
}

/// The number literals of `text` (outside strings) in document order, and the text with
/// each integer beyond 64 bits replaced by `0` and spaces.
fn scan(text: &str) -> (Vec<&str>, String) {
    let b = text.as_bytes();
    let mut literals = Vec::new();
    let mut blanked = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                // A string: its end is the next quote that no backslash escapes.
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                blanked.extend_from_slice(&b[start..i]);
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                let literal = &text[start..i];
                literals.push(literal);
                if is_big_integer(literal) {
                    blanked.push(b'0');
                    blanked.resize(blanked.len() + literal.len() - 1, b' ');
                } else {
                    blanked.extend_from_slice(literal.as_bytes());
                }
            }
            c => {
                blanked.push(c);
                i += 1;
            }
        }
    }
    // Only ASCII digits and signs were replaced, by ASCII: still the UTF-8 it was.
    (literals, String::from_utf8(blanked).unwrap_or_default())
}

/// Parses `text` keeping integers beyond 64 bits exact ([`Value::BigInt`]).
pub(super) fn from_str_exact(text: &str) -> Result<Value, ParseError> {
    let (literals, blanked) = scan(text);
    let literals = Literals::new(literals);
    let mut de = serde_json::Deserializer::from_str(&blanked);
    let value = Seed {
        literals: Some(&literals),
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v))
    .map_err(|e| classify(&e))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The skipping scan agrees with counting every run, on texts around the boundary.
    #[test]
    fn may_hold_big_integer_finds_every_run_of_19_digits() {
        let counted = |t: &str| {
            let mut run = 0;
            t.bytes().any(|b| {
                run = if b.is_ascii_digit() { run + 1 } else { 0 };
                run >= BIG_INTEGER_DIGITS
            })
        };
        let mut texts = vec![String::new(), "1".repeat(18), "1".repeat(19)];
        for digits in 17..=21 {
            for before in 0..22 {
                for after in [0, 1, 5] {
                    let mut t = "x".repeat(before);
                    t.push_str(&"7".repeat(digits));
                    t.push_str(&"y".repeat(after));
                    texts.push(t.clone());
                    texts.push(format!("{t}12345678901234567x{t}"));
                }
            }
        }
        texts.push(r#"{"origin_server_ts":1700000000000,"depth":12345678901234567890}"#.into());
        for t in &texts {
            assert_eq!(may_hold_big_integer(t), counted(t), "{t}");
        }
    }
}
