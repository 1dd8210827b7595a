//! A small iterative scanner over JSON text that only matches brackets and strings, so that
//! an input can be split into its events before any of them is parsed: one broken event
//! (duplicate keys, invalid escapes, 100,000-deep nesting) spoils only itself, and a
//! truncated array keeps the events before the cut.

use crate::canonical_json::codes as json_codes;
use crate::problem::Problem;

/// Where a scan stopped, for messages.
pub(super) struct ScanError {
    pub code: &'static str,
    pub at: usize,
    pub what: &'static str,
}

impl ScanError {
    fn truncated(at: usize, what: &'static str) -> Self {
        Self {
            code: json_codes::JSON_TRUNCATED,
            at,
            what,
        }
    }

    fn syntax(at: usize, what: &'static str) -> Self {
        Self {
            code: json_codes::JSON_SYNTAX,
            at,
            what,
        }
    }

    /// This error as a problem of `text`, `what` naming the part being scanned.
    pub fn to_problem(&self, text: &str, what: &str) -> Problem {
        let before = &text.as_bytes()[..self.at.min(text.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        Problem::error(
            self.code,
            "$",
            format!(
                "{what} is not usable JSON: {} (line {line}, byte {}).",
                self.what, self.at
            ),
        )
    }
}

/// The first index at or after `i` that is not JSON whitespace.
pub(super) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// Returns the end (exclusive) of the JSON value starting at `start`. Matches brackets with
/// a heap stack, so any nesting depth is fine; scalars are not validated here.
pub(super) fn scan_value(b: &[u8], start: usize) -> Result<usize, ScanError> {
    let mut stack: Vec<u8> = Vec::new();
    let mut i = start;
    loop {
        let Some(&c) = b.get(i) else {
            return Err(ScanError::truncated(i, "the text ends inside a value"));
        };
        match c {
            b'"' => {
                i += 1;
                loop {
                    match b.get(i) {
                        None => {
                            return Err(ScanError::truncated(i, "the text ends inside a string"))
                        }
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
            }
            b'{' | b'[' => {
                stack.push(if c == b'{' { b'}' } else { b']' });
                i += 1;
            }
            b'}' | b']' => {
                if stack.pop() != Some(c) {
                    return Err(ScanError::syntax(i, "a bracket does not match"));
                }
                i += 1;
            }
            _ if stack.is_empty() => {
                // A number or literal at the top: it ends at the next delimiter.
                let delimiter =
                    |c: &u8| matches!(c, b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r');
                return Ok(i + b[i..].iter().position(delimiter).unwrap_or(b.len() - i));
            }
            _ => i += 1,
        }
        if stack.is_empty() {
            return Ok(i);
        }
    }
}

/// Whether `text` is exactly one JSON value (by brackets), with only whitespace around it.
pub(super) fn is_one_value(text: &str) -> bool {
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    scan_value(b, start).is_ok_and(|end| skip_ws(b, end) == b.len())
}

/// Splits the JSON array at `start` into its element texts. On a broken array the
/// elements before the break are returned with the error.
pub(super) fn split_array(text: &str, start: usize) -> (Vec<&str>, Option<ScanError>) {
    let b = text.as_bytes();
    let mut items = Vec::new();
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b']') {
        return (items, None);
    }
    loop {
        let item_start = skip_ws(b, i);
        let end = match scan_value(b, item_start) {
            Ok(end) => end,
            Err(e) => return (items, Some(e)),
        };
        items.push(&text[item_start..end]);
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b']') => return (items, None),
            None => {
                return (
                    items,
                    Some(ScanError::truncated(i, "the array is not closed")),
                )
            }
            Some(_) => return (items, Some(ScanError::syntax(i, "expected `,` or `]`"))),
        }
    }
}

/// A JSON object split into (key, value text) fields.
pub(super) struct SplitObject<'a> {
    /// The fields read, in order.
    pub fields: Vec<(String, &'a str)>,
    /// End of the object (exclusive) when it is complete.
    pub end: Option<usize>,
    /// When the text ends or breaks inside the value of a field: its key and where the
    /// value starts.
    pub cut: Option<(String, usize)>,
}

impl<'a> SplitObject<'a> {
    /// The value text of `key`, if the object has it; the last one when the key repeats,
    /// as Synapse (Python's `json`) and Dendrite (Go's `encoding/json`) read it
    /// ([`Self::repeated_key`]).
    pub fn field(&self, key: &str) -> Option<&'a str> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| *v)
    }

    /// The first key the object holds more than once, if any.
    pub fn repeated_key(&self) -> Option<&str> {
        let mut keys: Vec<&str> = self.fields.iter().map(|(k, _)| k.as_str()).collect();
        crate::sort::sort(&mut keys);
        let repeated = keys.windows(2).find(|w| w[0] == w[1])?[0];
        self.fields
            .iter()
            .map(|(k, _)| k.as_str())
            .find(|k| *k == repeated)
    }

    /// Whether the object has `key`.
    pub fn has(&self, key: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == key)
    }
}

/// Splits the JSON object at `start` into its fields, as far as it goes.
pub(super) fn split_object(text: &str, start: usize) -> SplitObject<'_> {
    let b = text.as_bytes();
    let mut out = SplitObject {
        fields: Vec::new(),
        end: None,
        cut: None,
    };
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b'}') {
        out.end = Some(i + 1);
        return out;
    }
    loop {
        let key_start = skip_ws(b, i);
        let Ok(key_end) = scan_value(b, key_start) else {
            return out;
        };
        let Ok(key) = serde_json::from_str::<String>(&text[key_start..key_end]) else {
            return out;
        };
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return out;
        }
        let value_start = skip_ws(b, i + 1);
        let Ok(value_end) = scan_value(b, value_start) else {
            out.cut = Some((key, value_start));
            return out;
        };
        out.fields.push((key, &text[value_start..value_end]));
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {
                out.end = Some(i + 1);
                return out;
            }
            _ => return out,
        }
    }
}
