//! `parse_pdu`: the format-checked view other modules build on.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use mxdag::canonical_json::{to_string, Value};
use mxdag::event::{parse_pdu, parse_pdu_value, pdu_from_value};
use mxdag::room_version::RoomVersion;

#[test]
fn version_1_references_are_reduced_to_ids() {
    let v = RoomVersion::V1;
    let mut event = unsigned_event(
        &v,
        "origin.test",
        "m.room.member",
        Some("@alice:origin.test"),
        json(r#"{"membership":"join"}"#),
    );
    set(
        &mut event,
        &["auth_events"],
        json(r#"[["$a:origin.test",{"sha256":"x"}],["$b:other.test",{}]]"#),
    );
    let pdu = parse_pdu(&to_string(&event), &v).unwrap();
    assert_eq!(pdu.event_id, "$ev1:origin.test");
    assert_eq!(pdu.fields.prev_events, ["$prev1:origin.test"]);
    assert_eq!(pdu.fields.auth_events, ["$a:origin.test", "$b:other.test"]);
    assert_eq!(pdu.fields.room_id.as_deref(), Some("!room:origin.test"));
    assert_eq!(pdu.fields.sender, "@alice:origin.test");
    assert_eq!(pdu.sender_server(), "origin.test");
    assert_eq!(pdu.fields.event_type, "m.room.member");
    assert_eq!(pdu.fields.state_key.as_deref(), Some("@alice:origin.test"));
    assert!(pdu.is_state() && !pdu.is_create());
    assert_eq!(pdu.membership(), Some("join"));
    assert_eq!(
        (pdu.fields.depth, pdu.fields.origin_server_ts),
        (12, 1_700_000_000_000)
    );
    assert_eq!(pdu.fields.redacts, None);
    assert_eq!(pdu.room_version, v);
}

#[test]
fn later_versions_compute_the_id_and_ignore_signatures() {
    for v in &versions()[2..] {
        let signed_event = message(v, "hello");
        let pdu = parse_pdu(&to_string(&signed_event), v).unwrap();
        let mut unsigned = signed_event.clone();
        set(&mut unsigned, &["signatures"], json("{}"));
        set(&mut unsigned, &["unsigned"], json(r#"{"age":1}"#));
        // Signatures and unsigned are not part of the reference hash.
        assert_eq!(
            parse_pdu(&to_string(&unsigned), v).unwrap().event_id,
            pdu.event_id,
            "v{v}"
        );
        // The content is not either (it is redacted away) for a message …
        set(&mut unsigned, &["content", "body"], Value::from("changed"));
        assert_eq!(
            parse_pdu(&to_string(&unsigned), v).unwrap().event_id,
            pdu.event_id
        );
        // … but the depth is.
        set(&mut unsigned, &["depth"], Value::Int(99));
        assert_ne!(
            parse_pdu(&to_string(&unsigned), v).unwrap().event_id,
            pdu.event_id
        );
        assert_eq!(pdu.content().get("body"), Some(&Value::from("hello")));
        assert_eq!(
            pdu.event_id,
            mxdag::event::hashes::event_id(&pdu.event, v).unwrap()
        );
    }
}

#[test]
fn the_same_from_serde_json_and_from_a_value() {
    let v = RoomVersion::V11;
    let text = to_string(&message(&v, "x"));
    let from_text = parse_pdu(&text, &v).unwrap();
    let from_serde = parse_pdu_value(serde_json::from_str(&text).unwrap(), &v).unwrap();
    let from_value = pdu_from_value(json(&text), &v).unwrap();
    assert_eq!(from_text, from_serde);
    assert_eq!(from_text, from_value);
    assert_eq!(from_text.to_canonical_json(), text);
}

#[test]
fn problems_come_back_when_the_format_is_broken() {
    let v = RoomVersion::V9;
    let problems = parse_pdu(r#"{"type":5}"#, &v).unwrap_err();
    let codes: Vec<_> = problems.iter().map(|p| (p.code, p.path.as_str())).collect();
    assert_eq!(codes[0], ("field_wrong_type", "$.type"));
    // The missing fields in one problem, each named.
    let missing = problems.iter().find(|p| p.code == "field_missing").unwrap();
    assert_eq!(missing.path, "$");
    assert!(missing.message.contains("`sender`") && missing.message.contains("`room_id`"));
    assert_eq!(parse_pdu("[1", &v).unwrap_err()[0].code, "json_truncated");
    assert_eq!(parse_pdu("[]", &v).unwrap_err()[0].code, "event_not_object");
}
