//! The room version table and each version's redaction algorithm.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::json;
use mxdag::canonical_json::{to_string, Value};
use mxdag::event::redaction::redact;
use mxdag::room_version::{EventFormat, RoomIdFormat, RoomVersion, ALL};

#[test]
fn versions_by_id() {
    for (i, v) in ALL.iter().enumerate() {
        assert_eq!(v.id, (i + 1).to_string());
        assert_eq!(RoomVersion::from_id(v.id), Some(*v));
    }
    assert_eq!(RoomVersion::from_id("13"), None);
    assert_eq!(RoomVersion::from_id(""), None);
    assert_eq!(
        RoomVersion::from_create_content(None),
        Some(RoomVersion::V1)
    );
    assert_eq!(RoomVersion::V12.to_string(), "12");
}

#[test]
fn rules_change_where_the_spec_says() {
    let since = |rule: fn(&RoomVersion) -> bool| ALL.iter().position(rule).map(|i| i + 1);
    assert_eq!(since(|v| v.event_format == EventFormat::V3), Some(3));
    assert_eq!(since(|v| v.event_format == EventFormat::V4), Some(4));
    assert_eq!(since(|v| v.enforce_key_validity), Some(5));
    assert_eq!(since(|v| v.strict_canonical_json), Some(6));
    assert_eq!(since(|v| !v.redaction.keep_aliases), Some(6));
    assert_eq!(since(|v| v.knocking), Some(7));
    assert_eq!(since(|v| v.redaction.keep_join_rules_allow), Some(8));
    assert_eq!(since(|v| v.restricted_join_signature), Some(8));
    assert_eq!(
        since(|v| v.redaction.keep_join_authorised_via_users_server),
        Some(9)
    );
    assert_eq!(since(|v| v.integer_power_levels), Some(10));
    assert_eq!(since(|v| v.redaction.v11), Some(11));
    assert_eq!(
        since(|v| v.room_id_format == RoomIdFormat::CreateEventHash),
        Some(12)
    );
    // Every rule, once introduced, stays.
    for pair in ALL.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(
            b.enforce_key_validity >= a.enforce_key_validity
                && b.strict_canonical_json >= a.strict_canonical_json
        );
        assert!(
            b.redaction.v11 >= a.redaction.v11
                && b.redaction.keep_join_rules_allow >= a.redaction.keep_join_rules_allow
        );
    }
}

fn redacted(version: &RoomVersion, event_type: &str, content: &str) -> String {
    let event = json(&format!(
        r#"{{"type":"{event_type}","state_key":"","content":{content},"sender":"@a:x","room_id":"!r:x","origin":"x","membership":"join","prev_state":[],"depth":1,"origin_server_ts":2,"hashes":{{"sha256":"h"}},"signatures":{{"x":{{}}}},"prev_events":[],"auth_events":[],"unsigned":{{"age":1}},"extra":true}}"#
    ));
    let out = Value::Object(redact(event.as_object().unwrap(), version).event);
    to_string(out.get("content").unwrap())
}

/// The content kept for `content` of `event_type`, for versions 1..=12 in order.
fn kept(event_type: &str, content: &str) -> Vec<String> {
    ALL.iter()
        .map(|v| redacted(v, event_type, content))
        .collect()
}

fn expect(event_type: &str, content: &str, changes: &[(usize, &str)]) {
    let got = kept(event_type, content);
    let mut want = Vec::new();
    let mut current = "";
    for version in 1..=12 {
        if let Some((_, c)) = changes.iter().find(|(v, _)| *v == version) {
            current = c;
        }
        want.push(current.to_owned());
    }
    assert_eq!(got, want, "{event_type}");
}

#[test]
fn top_level_keys_per_version() {
    let event = json(
        r#"{"type":"m.room.message","content":{"body":"b"},"sender":"@a:x","room_id":"!r:x","origin":"x","membership":"join","prev_state":[],"event_id":"$e:x","depth":1,"origin_server_ts":2,"hashes":{},"signatures":{},"prev_events":[],"auth_events":[],"unsigned":{},"extra":1,"state_key":"s"}"#,
    );
    let keys = |v: &RoomVersion| {
        let out = redact(event.as_object().unwrap(), v);
        assert!(!out.was_already_redacted);
        out.event
            .iter()
            .map(|(k, _)| k.to_owned())
            .collect::<Vec<_>>()
            .join(",")
    };
    let before_11 = "auth_events,content,depth,event_id,hashes,membership,origin,origin_server_ts,prev_events,prev_state,room_id,sender,signatures,state_key,type";
    let from_11 = "auth_events,content,depth,event_id,hashes,origin_server_ts,prev_events,room_id,sender,signatures,state_key,type";
    for v in &ALL[..10] {
        assert_eq!(keys(v), before_11, "v{v}");
    }
    for v in &ALL[10..] {
        assert_eq!(keys(v), from_11, "v{v}");
    }
}

#[test]
fn member_content() {
    let content = r#"{"membership":"join","displayname":"A","join_authorised_via_users_server":"@b:y","third_party_invite":{"signed":{"token":"t"},"display_name":"d"}}"#;
    expect(
        "m.room.member",
        content,
        &[
            (1, r#"{"membership":"join"}"#),
            (
                9,
                r#"{"join_authorised_via_users_server":"@b:y","membership":"join"}"#,
            ),
            (
                11,
                r#"{"join_authorised_via_users_server":"@b:y","membership":"join","third_party_invite":{"signed":{"token":"t"}}}"#,
            ),
        ],
    );
    // Without `signed`, v11 keeps an empty `third_party_invite`; a non-object is dropped.
    assert_eq!(
        redacted(
            &RoomVersion::V11,
            "m.room.member",
            r#"{"third_party_invite":{"x":1}}"#
        ),
        r#"{"third_party_invite":{}}"#
    );
    assert_eq!(
        redacted(
            &RoomVersion::V11,
            "m.room.member",
            r#"{"third_party_invite":"x"}"#
        ),
        "{}"
    );
}

#[test]
fn create_content() {
    let content = r#"{"creator":"@a:x","room_version":"5","m.federate":false}"#;
    expect(
        "m.room.create",
        content,
        &[
            (1, r#"{"creator":"@a:x"}"#),
            (
                11,
                r#"{"creator":"@a:x","m.federate":false,"room_version":"5"}"#,
            ),
        ],
    );
}

#[test]
fn join_rules_content() {
    let content = r#"{"join_rule":"restricted","allow":[{"type":"m.room_membership","room_id":"!s:x"}],"x":1}"#;
    expect(
        "m.room.join_rules",
        content,
        &[
            (1, r#"{"join_rule":"restricted"}"#),
            (
                8,
                r#"{"allow":[{"room_id":"!s:x","type":"m.room_membership"}],"join_rule":"restricted"}"#,
            ),
        ],
    );
}

#[test]
fn power_levels_content() {
    let content = r#"{"ban":1,"events":{},"events_default":2,"kick":3,"redact":4,"state_default":5,"users":{},"users_default":6,"invite":7,"notifications":{"room":8}}"#;
    let before = r#"{"ban":1,"events":{},"events_default":2,"kick":3,"redact":4,"state_default":5,"users":{},"users_default":6}"#;
    let after = r#"{"ban":1,"events":{},"events_default":2,"invite":7,"kick":3,"redact":4,"state_default":5,"users":{},"users_default":6}"#;
    expect("m.room.power_levels", content, &[(1, before), (11, after)]);
}

#[test]
fn aliases_history_visibility_and_redaction_content() {
    expect(
        "m.room.aliases",
        r##"{"aliases":["#a:x"],"x":1}"##,
        &[(1, r##"{"aliases":["#a:x"]}"##), (6, "{}")],
    );
    expect(
        "m.room.history_visibility",
        r#"{"history_visibility":"shared","x":1}"#,
        &[(1, r#"{"history_visibility":"shared"}"#)],
    );
    expect(
        "m.room.redaction",
        r#"{"redacts":"$e","reason":"r"}"#,
        &[(1, "{}"), (11, r#"{"redacts":"$e"}"#)],
    );
    expect("m.room.message", r#"{"body":"b"}"#, &[(1, "{}")]);
    expect("m.room.name", r#"{"name":"n"}"#, &[(1, "{}")]);
}

#[test]
fn redacting_twice_changes_nothing_and_is_recognised() {
    for v in &ALL {
        let event = json(
            r#"{"type":"m.room.member","state_key":"@a:x","content":{"membership":"join","avatar_url":"u"},"sender":"@a:x","room_id":"!r:x","depth":1,"origin_server_ts":2,"hashes":{},"signatures":{},"prev_events":[],"auth_events":[],"unsigned":{"age":1}}"#,
        );
        let once = redact(event.as_object().unwrap(), v);
        assert!(!once.was_already_redacted);
        let twice = redact(&once.event, v);
        assert!(twice.was_already_redacted, "v{v}");
        assert_eq!(twice.event, once.event);
    }
}

#[test]
fn content_that_is_not_an_object_becomes_empty() {
    assert_eq!(redacted(&RoomVersion::V10, "m.room.member", "5"), "{}");
}

/// The fast path that writes the signed bytes without copying the event gives the same
/// bytes as encoding the redacted event.
#[test]
fn signing_bytes_without_copying_match_the_redacted_event() {
    use mxdag::event::hashes::signing_bytes;
    use mxdag::event::redaction::write_signing_bytes;
    let events = [
        r#"{"type":"m.room.member","content":{"membership":"join","x":1},"auth_events":[],"a":1,"signatures":{"s":{}},"unsigned":{}}"#,
        r#"{"type":"m.room.message","auth_events":[1],"depth":1}"#,
        r#"{"auth_events":[],"content":5,"zzz":{}}"#,
        r#"{"type":"m.room.create","content":{"creator":"@a:x","room_version":"11"},"sender":"@a:x","hashes":{"sha256":"x"}}"#,
        "{}",
    ];
    for v in &ALL {
        for text in events {
            let event = json(text);
            let event = event.as_object().unwrap();
            let redacted = redact(event, v);
            let mut fast = Vec::new();
            let unchanged = write_signing_bytes(event, v, &mut fast);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                String::from_utf8(signing_bytes(&redacted.event)).unwrap(),
                "v{v} {text}"
            );
            assert_eq!(unchanged, redacted.was_already_redacted);
        }
    }
}
