//! No input makes the validator panic: arbitrary text, every truncation and every
//! single-byte corruption of a real transaction (native only: uses proptest).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use mxdag::canonical_json::to_string;
use mxdag::crypto::KeyRing;
use mxdag::event::{validate_input, ValidateOptions};
use mxdag::room_version::RoomVersion;
use proptest::prelude::*;

fn transaction() -> String {
    let v = RoomVersion::V11;
    let pdus: Vec<String> = (0..3)
        .map(|i| to_string(&message(&v, &format!("é \\\" {i}"))))
        .collect();
    format!(
        r#"{{"origin":"origin.test","origin_server_ts":1,"pdus":[{}]}}"#,
        pdus.join(",")
    )
}

fn judge(text: &str) -> usize {
    let v = RoomVersion::V11;
    match validate_input(text, Some(&v), &KeyRing::new(), &ValidateOptions::default()) {
        Ok(validation) => validation.report.counts.total,
        Err(_) => 0,
    }
}

#[test]
fn every_truncation_is_handled() {
    let text = transaction();
    let list_start = text.find('[').unwrap();
    let mut last = 0;
    for cut in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
        let total = judge(&text[..cut]);
        if cut <= list_start {
            assert_eq!(total, 0, "cut {cut}");
        } else {
            // Events read before the cut are kept: the count never shrinks.
            assert!(total >= last, "cut {cut}: {total} < {last}");
        }
        last = total;
    }
    assert_eq!(judge(&text), 3);
}

#[test]
fn every_byte_corruption_is_handled() {
    let text = transaction();
    for i in 0..text.len() {
        for b in [b'{', b'}', b'[', b']', b'"', b'\\', b',', b':', b'0', b' '] {
            let mut bytes = text.clone().into_bytes();
            bytes[i] = b;
            if let Ok(corrupt) = String::from_utf8(bytes) {
                judge(&corrupt);
            }
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        judge(&text);
    }

    #[test]
    fn json_like_text_never_panics(text in r#"[\[\]{}",:0-9a-z\\ \n-]{0,300}"#) {
        judge(&text);
    }
}
