//! Reading input bytes as text, and finding a string in a large text, at the speed the
//! build allows.
//!
//! An input of 100,000 events is 97 MB: checking that it is UTF-8 and finding every
//! `m.room.create` in it are passes over all of it, made before any worker can start. The
//! speed build (wasm with SIMD, `scripts/build`) does both with 16 bytes at a time
//! (`simdutf8`, `memchr`'s `memmem`); the browsers' download build and native builds use the
//! standard library's loops, which give the same answers.

use std::str::Utf8Error;
use std::string::FromUtf8Error;

/// `bytes` as text, when they are UTF-8 (the error of `std::str::from_utf8` otherwise).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub fn str_of(bytes: &[u8]) -> Result<&str, Utf8Error> {
    #[cfg(target_feature = "simd128")]
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(text);
    }
    std::str::from_utf8(bytes)
}

/// `bytes` as a `String`, when they are UTF-8 (the error of `String::from_utf8` otherwise).
pub fn string_of(bytes: Vec<u8>) -> Result<String, FromUtf8Error> {
    #[cfg(target_feature = "simd128")]
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: the bytes were just found to be UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes)
}

/// Where `needle` starts in `text`, each match after the end of the one before (as
/// `str::match_indices` finds them).
pub fn find_all<'a>(text: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    #[cfg(target_feature = "simd128")]
    let found = memchr::memmem::find_iter(text.as_bytes(), needle.as_bytes());
    #[cfg(not(target_feature = "simd128"))]
    let found = text.match_indices(needle).map(|(at, _)| at);
    found
}

/// Whether `needle` occurs in `text`.
pub fn contains(text: &str, needle: &str) -> bool {
    find_all(text, needle).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_strings_are_those_of_the_standard_library() {
        let cases: [&[u8]; 6] = [
            b"",
            b"plain ascii",
            "caf\u{e9} \u{1f600}".as_bytes(),
            b"\xff",
            b"ok until \xc3",
            b"\xed\xa0\x80 a lone surrogate",
        ];
        for bytes in cases {
            assert_eq!(str_of(bytes), std::str::from_utf8(bytes));
            assert_eq!(
                string_of(bytes.to_vec()).map_err(|e| e.utf8_error()),
                String::from_utf8(bytes.to_vec()).map_err(|e| e.utf8_error())
            );
        }
    }

    #[test]
    fn matches_are_those_of_match_indices() {
        let text = "m.room.create,x m.room.createm.room.create \u{e9}m.room.create";
        let found: Vec<usize> = find_all(text, "m.room.create").collect();
        let expected: Vec<usize> = text
            .match_indices("m.room.create")
            .map(|(at, _)| at)
            .collect();
        assert_eq!(found, expected);
        assert_eq!(find_all("aaaa", "aa").collect::<Vec<_>>(), vec![0, 2]);
        assert!(contains(text, "create"));
        assert!(!contains(text, "m.room.member"));
    }
}
