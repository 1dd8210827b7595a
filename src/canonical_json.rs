//! Canonical JSON: the byte form that event IDs, content hashes and signatures are
//! computed over, and the strictness rules room versions impose on it.
//!
//! Spec: [Appendices § Canonical JSON](https://spec.matrix.org/v1.16/appendices/#canonical-json):
//! object keys sorted lexicographically by Unicode code point, no insignificant whitespace,
//! UTF-8, strings with the shortest escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other
//! control characters as `\u00xx` in lowercase hex, everything else literal), and numbers
//! as integers in ±(2^53−1) — the last rule enforced from room version 6
//! ([v6](https://spec.matrix.org/v1.16/rooms/v6/#canonical-json)).
//!
//! Parsing ([`from_str`]) builds a [`Value`] and reports, rather than hides, what canonical
//! JSON cannot hold: duplicate keys, lone surrogates and invalid escapes, and nesting deeper
//! than [`MAX_DEPTH`] (a clear error, never a stack overflow). Floats and out-of-range
//! integers parse, and [`check_numbers`] reports them with their JSON paths. Integers of any
//! size are kept exact ([`Value::BigInt`]) and encoded with the digits they were written
//! with, as Synapse's canonical JSON does for room versions 1–5.

mod numbers;
mod value;

pub use value::{Object, Value};

use crate::problem::Problem;

/// The deepest nesting of arrays/objects accepted at parse time (serde_json's recursion
/// limit of 128 allows 127 levels). Real events nest a handful of levels; the limit keeps a
/// hostile 100,000-deep input from exhausting the (small, wasm) stack.
pub const MAX_DEPTH: usize = 127;

/// The largest integer canonical JSON allows from room version 6: 2^53−1.
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// Problem codes raised by this module.
pub mod codes {
    /// The text is not JSON (a syntax error).
    pub const JSON_SYNTAX: &str = "json_syntax";
    /// The text ends in the middle of a JSON value.
    pub const JSON_TRUNCATED: &str = "json_truncated";
    /// Arrays/objects nest deeper than `canonical_json::MAX_DEPTH`.
    pub const JSON_TOO_DEEP: &str = "json_too_deep";
    /// An invalid `\` escape, a lone UTF-16 surrogate, or invalid UTF-8 in a string.
    pub const JSON_INVALID_STRING: &str = "json_invalid_string";
    /// An object repeats a key: canonical JSON has no single meaning for it.
    pub const JSON_DUPLICATE_KEY: &str = "json_duplicate_key";
    /// A number too large to represent at all (e.g. `1e400`).
    pub const JSON_NUMBER_OUT_OF_RANGE: &str = "json_number_out_of_range";
    /// A number with a fraction or exponent (error from room version 6, warning before).
    pub const FLOAT_NOT_ALLOWED: &str = "float_not_allowed";
    /// An integer outside ±(2^53−1) (error from room version 6).
    pub const INTEGER_OUT_OF_RANGE: &str = "integer_out_of_range";
}

/// Why a text could not be parsed into a [`Value`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// One of the `json_*` [`codes`].
    pub code: &'static str,
    /// What went wrong, with the line and column.
    pub message: String,
    /// 1-based line of the error (0 when unknown).
    pub line: usize,
    /// 1-based column of the error (0 when unknown).
    pub column: usize,
}

impl ParseError {
    /// This error as a problem at `path`, `what` naming the thing being parsed.
    pub fn to_problem(&self, path: &str, what: &str) -> Problem {
        Problem::error(
            self.code,
            path,
            format!("{what} is not usable JSON: {}", self.message),
        )
    }
}

/// Parses JSON text into a [`Value`], refusing duplicate keys, invalid strings and nesting
/// deeper than [`MAX_DEPTH`]; integers beyond 64 bits are kept exact.
pub fn from_str(text: &str) -> Result<Value, ParseError> {
    if numbers::may_hold_big_integer(text) {
        return numbers::from_str_exact(text);
    }
    serde_json::from_str::<Value>(text).map_err(|e| classify(&e))
}

/// Whether `literal` is a JSON integer (`-?(0|[1-9][0-9]*)`) outside `i64` (negative) or
/// `u64` (positive).
fn is_big_integer(literal: &str) -> bool {
    let digits = literal.strip_prefix('-').unwrap_or(literal);
    let grammar = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    let fits = match literal.starts_with('-') {
        true => literal.parse::<i64>().is_ok(),
        false => literal.parse::<u64>().is_ok(),
    };
    grammar && !fits
}

/// Maps a serde_json error to a stable code.
pub(crate) fn classify(e: &serde_json::Error) -> ParseError {
    let text = e.to_string();
    let code = if e.is_eof() {
        codes::JSON_TRUNCATED
    } else if text.starts_with(value::DUPLICATE_KEY_PREFIX) {
        codes::JSON_DUPLICATE_KEY
    } else if text.contains("recursion limit") {
        codes::JSON_TOO_DEEP
    } else if text.contains("surrogate")
        || text.contains("escape")
        || text.contains("unicode code point")
        || text.contains("control character")
        || text.contains("UTF-8")
    {
        codes::JSON_INVALID_STRING
    } else if text.contains("number out of range") {
        codes::JSON_NUMBER_OUT_OF_RANGE
    } else {
        codes::JSON_SYNTAX
    };
    ParseError {
        code,
        message: text,
        line: e.line(),
        column: e.column(),
    }
}

/// Encodes `value` as canonical JSON.
pub fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write(value, &mut out);
    out
}

/// Encodes `value` as canonical JSON text.
pub fn to_string(value: &Value) -> String {
    // Canonical JSON of a `Value` (whose strings are valid UTF-8) is valid UTF-8.
    crate::utf8::string_of(to_vec(value)).unwrap_or_default()
}

/// Appends the canonical JSON of `value` to `out`.
pub fn write(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(i) => {
            if *i < 0 {
                out.push(b'-');
            }
            write_u64(i.unsigned_abs(), out);
        }
        Value::UInt(u) => write_u64(*u, out),
        Value::BigInt(digits) => out.extend_from_slice(digits.as_bytes()),
        // Not canonical JSON: kept only for room versions 1–5, which did not forbid floats;
        // serde_json's shortest round-trip form is used.
        Value::Float(f) => out.extend_from_slice(float_text(*f).as_bytes()),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        Value::Object(o) => write_object_except(o, &[], out),
    }
}

/// Appends the canonical JSON of `object` without the top-level keys in `skip` (how the
/// content hash leaves out `hashes`, `signatures` and `unsigned`).
pub fn write_object_except(object: &Object, skip: &[&str], out: &mut Vec<u8>) {
    out.push(b'{');
    let mut first = true;
    for (k, v) in object.iter().filter(|(k, _)| !skip.contains(k)) {
        if !first {
            out.push(b',');
        }
        first = false;
        write_str(k, out);
        out.push(b':');
        write(v, out);
    }
    out.push(b'}');
}

/// How many decimal digits `n` has.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Appends the decimal digits of `n`.
fn write_u64(mut n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Appends `s` as a canonical JSON string.
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    // Eight bytes at a time up to the first that may need an escape: most strings of an
    // event (IDs, hashes, signatures, bodies) need none.
    let clean = clean_prefix(bytes);
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate().skip(clean) {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ],
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// How many bytes of `bytes`, from its start, certainly need no escape in a JSON string
/// (a multiple of eight): each word of eight bytes is tested at once for a
/// byte below 0x20, a `"` or a `\\` (exact where it says none; the bytes of a word it flags
/// are looked at one by one).
fn clean_prefix(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // A high bit for each byte below `n` (`n` ≤ 0x80), and maybe for bytes after one.
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS;
    let mut done = 0;
    for chunk in bytes.chunks_exact(8) {
        let w = u64::from_ne_bytes(chunk.try_into().unwrap_or_default());
        let flagged = below(w, 0x20)
            | below(w ^ (ONES * u64::from(b'"')), 1)
            | below(w ^ (ONES * u64::from(b'\\')), 1);
        if flagged != 0 {
            return done;
        }
        done += 8;
    }
    done
}

/// The length in bytes of the canonical JSON of `value`, without building it.
pub fn encoded_len(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Int(i) => usize::from(*i < 0) + digits(i.unsigned_abs()),
        Value::UInt(u) => digits(*u),
        Value::BigInt(digits) => digits.len(),
        Value::Float(_) => {
            let mut out = Vec::new();
            write(value, &mut out);
            out.len()
        }
        Value::String(s) => str_encoded_len(s),
        Value::Array(items) => {
            2 + items.len().saturating_sub(1) + items.iter().map(encoded_len).sum::<usize>()
        }
        Value::Object(o) => object_encoded_len(o),
    }
}

/// The length in bytes of the canonical JSON of `object`, without building it.
pub fn object_encoded_len(object: &Object) -> usize {
    2 + object.len().saturating_sub(1)
        + object
            .iter()
            .map(|(k, v)| entry_encoded_len(k, v))
            .sum::<usize>()
}

/// The length of one object entry `"key":value` as canonical JSON.
pub fn entry_encoded_len(key: &str, value: &Value) -> usize {
    str_encoded_len(key) + 1 + encoded_len(value)
}

fn str_encoded_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x0c | b'\n' | b'\r' | b'\t' => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// Appends `.key` (or `["key"]` when the key is not a plain identifier) to a JSON path.
pub fn push_path_key(path: &mut String, key: &str) {
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        path.push('.');
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&serde_json::to_string(key).unwrap_or_default());
        path.push(']');
    }
}

/// `path` + `.key`, as a new string.
pub fn path_key(path: &str, key: &str) -> String {
    let mut p = path.to_owned();
    push_path_key(&mut p, key);
    p
}

/// Reports every float and every integer outside ±(2^53−1) in `value`, whose JSON path is
/// `path`. With `strict` (room version 6+) they are errors; before that floats are
/// warnings (their hash depends on how the sender printed them) and large integers, of any
/// size, fine.
pub fn check_numbers(
    value: &Value,
    path: &str,
    strict: bool,
    what: &str,
    problems: &mut Vec<Problem>,
) {
    let mut p = path.to_owned();
    walk_numbers(value, &mut p, strict, what, problems);
}

/// A float as serde_json writes it (the shortest form that reads back the same, `1.0` for
/// one): the one way floats are written, in JSON and in messages.
fn float_text(f: f64) -> String {
    serde_json::Number::from_f64(f)
        .map(|n| n.to_string())
        .unwrap_or_default()
}

fn walk_numbers(
    value: &Value,
    path: &mut String,
    strict: bool,
    what: &str,
    problems: &mut Vec<Problem>,
) {
    let len = path.len();
    match value {
        Value::Float(f) => {
            let f = float_text(*f);
            let message =
                format!("{what} has the number {f} at {path}: canonical JSON allows integers only");
            problems.push(if strict {
                Problem::error(
                    codes::FLOAT_NOT_ALLOWED,
                    path.clone(),
                    message + " (room version 6+)",
                )
            } else {
                Problem::warning(
                    codes::FLOAT_NOT_ALLOWED,
                    path.clone(),
                    message + "; its hash depends on how the sender printed it",
                )
            });
        }
        Value::Int(i) if strict && !(-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(i) => {
            problems.push(out_of_range(path, what, &i.to_string()));
        }
        Value::UInt(u) if strict => problems.push(out_of_range(path, what, &u.to_string())),
        Value::BigInt(digits) if strict => problems.push(out_of_range(path, what, digits)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                walk_numbers(item, path, strict, what, problems);
                path.truncate(len);
            }
        }
        Value::Object(o) => walk_object_numbers(o, path, strict, what, problems),
        _ => {}
    }
}

/// [`check_numbers`] for a whole event object, whose path is `$`.
pub fn check_numbers_in_object(
    object: &Object,
    strict: bool,
    what: &str,
    problems: &mut Vec<Problem>,
) {
    // Paths are built only for an event that has something to report.
    if object.iter().all(|(_, v)| numbers_fine(v, strict)) {
        return;
    }
    walk_object_numbers(object, &mut String::from("$"), strict, what, problems);
}

/// Whether `value` holds no number [`check_numbers`] would report.
fn numbers_fine(value: &Value, strict: bool) -> bool {
    match value {
        Value::Float(_) => false,
        Value::Int(i) => !strict || (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(i),
        Value::UInt(_) | Value::BigInt(_) => !strict,
        Value::Array(items) => items.iter().all(|v| numbers_fine(v, strict)),
        Value::Object(o) => o.iter().all(|(_, v)| numbers_fine(v, strict)),
        _ => true,
    }
}

fn walk_object_numbers(
    object: &Object,
    path: &mut String,
    strict: bool,
    what: &str,
    problems: &mut Vec<Problem>,
) {
    let len = path.len();
    for (k, v) in object.iter() {
        push_path_key(path, k);
        walk_numbers(v, path, strict, what, problems);
        path.truncate(len);
    }
}

fn out_of_range(path: &str, what: &str, n: &str) -> Problem {
    Problem::error(
        codes::INTEGER_OUT_OF_RANGE,
        path,
        format!("{what} has the integer {n} at {path}, outside ±(2^53−1) that canonical JSON allows (room version 6+)"),
    )
}
