//! Verdicts on hand-built events of every room version: valid, redacted (pruned by the
//! sender or tampered), dropped (bad or missing signatures, unknown or expired keys).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use mxdag::canonical_json::Value;
use mxdag::crypto::KeyRing;
use mxdag::event::redaction::redact;
use mxdag::event::{validate_values, EventReport, ValidateOptions, Validation, Verdict};
use mxdag::room_version::RoomVersion;

fn judge(events: Vec<Value>, version: &RoomVersion, keys: &KeyRing) -> Validation {
    validate_values(
        events.into_iter().map(Ok).collect(),
        version,
        keys,
        &ValidateOptions::default(),
    )
}

fn one(event: Value, version: &RoomVersion, keys: &KeyRing) -> EventReport {
    judge(vec![event], version, keys).report.events.remove(0)
}

fn codes(report: &EventReport) -> Vec<&'static str> {
    report.problems.iter().map(|p| p.code).collect()
}

#[test]
fn signed_messages_are_valid_in_every_version() {
    let keys = ring(&["origin.test"]);
    for version in versions() {
        let mut event = unsigned_event(
            version,
            "origin.test",
            "m.room.message",
            None,
            json(r#"{"body":"hi"}"#),
        );
        let id = mxdag::event::sign_event(
            &mut event,
            version,
            "origin.test",
            KEY_ID,
            &key_of("origin.test"),
        )
        .unwrap();
        let validation = judge(vec![event], version, &keys);
        let report = &validation.report.events[0];
        assert_eq!(
            report.verdict,
            Verdict::Valid,
            "v{version}: {:?}",
            report.problems
        );
        assert!(
            report.problems.is_empty(),
            "v{version}: {:?}",
            report.problems
        );
        assert_eq!(report.event_id, id, "v{version}");
        let id = id.unwrap();
        match version.id {
            "1" | "2" => assert_eq!(id, "$ev1:origin.test"),
            "3" => assert!(id.len() == 44 && !id.contains(['-', '_']), "{id}"),
            _ => assert!(id.len() == 44 && !id.contains(['+', '/']), "{id}"),
        }
        let pdu = validation.accepted(0).unwrap();
        assert_eq!(pdu.event_id, id);
        assert_eq!(pdu.content().get("body"), Some(&Value::from("hi")));
        assert_eq!(validation.report.counts.valid, 1);
    }
}

#[test]
fn tampered_content_is_redacted_not_pruned() {
    let keys = ring(&["origin.test"]);
    for version in versions() {
        let mut event = message(version, "original");
        set(&mut event, &["content", "body"], Value::from("altered"));
        let validation = judge(vec![event], version, &keys);
        let report = &validation.report.events[0];
        assert_eq!(report.verdict, Verdict::Redacted, "v{version}");
        assert_eq!(report.pruned_by_sender, Some(false));
        assert_eq!(codes(report), ["content_hash_mismatch"]);
        assert!(report.problems[0].is_error());
        // The server goes on with the redacted form.
        assert_eq!(validation.accepted(0).unwrap().content().get("body"), None);
    }
}

#[test]
fn events_pruned_by_the_sender_are_redacted_and_say_so() {
    let keys = ring(&["origin.test"]);
    for version in versions() {
        let event = message(version, "secret");
        let mut pruned = Value::Object(redact(event.as_object().unwrap(), version).event);
        set(&mut pruned, &["unsigned"], json(r#"{"age_ts":9}"#));
        let report = one(pruned, version, &keys);
        assert_eq!(report.verdict, Verdict::Redacted, "v{version}");
        assert_eq!(report.pruned_by_sender, Some(true), "v{version}");
        assert_eq!(codes(&report), ["content_hash_mismatch"]);
        assert!(
            !report.problems[0].is_error(),
            "pruning is what servers do: a warning"
        );
    }
}

#[test]
fn errors_come_before_warnings() {
    let keys = ring(&["origin.test"]);
    let version = RoomVersion::V5;
    let mut event = unsigned_event(&version, "origin.test", "m.room.message", None, json("{}"));
    set(&mut event, &["content", "n"], Value::Float(0.5));
    let mut event = signed(event, &version, "origin.test");
    set(&mut event, &["depth"], Value::Int(3));
    let report = one(event, &version, &keys);
    assert_eq!(codes(&report), ["signature_invalid", "float_not_allowed"]);
}

#[test]
fn an_extra_top_level_key_is_tampering_not_pruning() {
    let keys = ring(&["origin.test"]);
    let version = RoomVersion::V11;
    let event = message(&version, "x");
    let mut pruned = Value::Object(redact(event.as_object().unwrap(), &version).event);
    set(&mut pruned, &["injected"], Value::Int(1));
    let report = one(pruned, &version, &keys);
    assert_eq!(report.verdict, Verdict::Redacted);
    assert_eq!(report.pruned_by_sender, Some(false));
}

#[test]
fn a_bad_signature_drops_the_event() {
    let keys = ring(&["origin.test"]);
    for version in versions() {
        let mut event = message(version, "hi");
        // Re-sign with another server's key under the same key ID.
        let mut forged = message(version, "hi");
        mxdag::event::sign_event(
            &mut forged,
            version,
            "origin.test",
            KEY_ID,
            &key_of("evil.test"),
        )
        .unwrap();
        let forged_sig = forged.get("signatures").unwrap().clone();
        set(&mut event, &["signatures"], forged_sig);
        let report = one(event, version, &keys);
        assert_eq!(report.verdict, Verdict::Dropped, "v{version}");
        assert_eq!(codes(&report), ["signature_invalid"]);
        assert_eq!(
            report.problems[0].path,
            "$.signatures[\"origin.test\"][\"ed25519:k1\"]"
        );
    }
}

#[test]
fn changing_a_redaction_kept_field_breaks_the_signature() {
    let keys = ring(&["origin.test"]);
    let version = RoomVersion::V10;
    let mut event = message(&version, "hi");
    set(&mut event, &["depth"], Value::Int(13));
    let report = one(event, &version, &keys);
    assert_eq!(report.verdict, Verdict::Dropped);
    assert_eq!(codes(&report), ["signature_invalid"]);
}

#[test]
fn unknown_keys_are_their_own_problem_and_listed() {
    let version = RoomVersion::V10;
    let validation = judge(
        vec![message(&version, "a"), message(&version, "b")],
        &version,
        &KeyRing::new(),
    );
    for report in &validation.report.events {
        assert_eq!(report.verdict, Verdict::Unchecked);
        assert_eq!(codes(report), ["signing_key_unknown"]);
    }
    let missing = &validation.report.missing_keys;
    assert_eq!(missing.len(), 1);
    assert_eq!(
        (missing[0].server_name.as_str(), missing[0].key_id.as_str()),
        ("origin.test", KEY_ID)
    );
}

#[test]
fn missing_signature_is_reported() {
    let keys = ring(&["origin.test"]);
    let version = RoomVersion::V6;
    let mut event = message(&version, "a");
    set(
        &mut event,
        &["signatures"],
        json(r#"{"other.test":{"ed25519:k1":"AAAA"}}"#),
    );
    let report = one(event, &version, &keys);
    assert_eq!(report.verdict, Verdict::Dropped);
    assert_eq!(codes(&report), ["signature_missing"]);
}

#[test]
fn malformed_signature_is_reported() {
    let keys = ring(&["origin.test"]);
    let version = RoomVersion::V6;
    let mut event = message(&version, "a");
    set(
        &mut event,
        &["signatures"],
        json(r#"{"origin.test":{"ed25519:k1":"not base64!"}}"#),
    );
    let report = one(event, &version, &keys);
    assert_eq!(report.verdict, Verdict::Dropped);
    assert_eq!(codes(&report), ["signature_malformed"]);
}

#[test]
fn key_validity_is_enforced_from_version_5() {
    let mut keys = KeyRing::new();
    // valid_until_ts one millisecond before the events' origin_server_ts.
    keys.add_response(&key_response("origin.test", 1_700_000_000_000 - 1));
    for version in versions() {
        let report = one(message(version, "a"), version, &keys);
        if version.enforce_key_validity {
            assert_eq!(report.verdict, Verdict::Dropped, "v{version}");
            assert_eq!(codes(&report), ["signing_key_expired"]);
        } else {
            assert_eq!(report.verdict, Verdict::Valid, "v{version}");
        }
    }
    let mut keys = KeyRing::new();
    keys.add_response(&key_response("origin.test", 1_700_000_000_000));
    assert_eq!(
        one(message(&RoomVersion::V5, "a"), &RoomVersion::V5, &keys).verdict,
        Verdict::Valid
    );
}

#[test]
fn versions_1_and_2_need_the_event_id_server_too() {
    let keys = ring(&["origin.test", "other.test"]);
    for version in &versions()[..2] {
        let mut event = unsigned_event(version, "origin.test", "m.room.message", None, json("{}"));
        set(&mut event, &["event_id"], Value::from("$abc:other.test"));
        let only_sender = signed(event.clone(), version, "origin.test");
        let report = one(only_sender.clone(), version, &keys);
        assert_eq!(report.verdict, Verdict::Dropped, "v{version}");
        assert_eq!(codes(&report), ["signature_missing"]);
        assert_eq!(report.problems[0].path, "$.signatures[\"other.test\"]");
        let both = signed(only_sender, version, "other.test");
        assert_eq!(
            one(both, version, &keys).verdict,
            Verdict::Valid,
            "v{version}"
        );
    }
}

/// An invite made from a third-party invite may be sent by the invitee's server, so the
/// sender's server signature is not required (spec: "Checking for a signature").
#[test]
fn third_party_invites_need_no_signature_from_the_senders_server() {
    let keys = ring(&["origin.test", "invitee.test"]);
    for version in versions().iter().filter(|v| !v.event_id_in_event()) {
        let invite = |third_party: bool| {
            let content = if third_party {
                r#"{"membership":"invite","third_party_invite":{"display_name":"bob","signed":{"mxid":"@bob:invitee.test","token":"t","signatures":{}}}}"#
            } else {
                r#"{"membership":"invite"}"#
            };
            let event = unsigned_event(
                version,
                "origin.test",
                "m.room.member",
                Some("@bob:invitee.test"),
                json(content),
            );
            one(signed(event, version, "invitee.test"), version, &keys)
        };
        let from_3pid = invite(true);
        assert_eq!(
            from_3pid.verdict,
            Verdict::Valid,
            "v{version}: {:?}",
            from_3pid.problems
        );
        let plain = invite(false);
        assert_eq!(plain.verdict, Verdict::Dropped, "v{version}");
        assert_eq!(codes(&plain), ["signature_missing"]);
    }
}

#[test]
fn restricted_joins_need_the_authorising_server_from_version_8() {
    let keys = ring(&["origin.test", "auth.test"]);
    for version in versions() {
        let content =
            json(r#"{"membership":"join","join_authorised_via_users_server":"@admin:auth.test"}"#);
        let event = unsigned_event(
            version,
            "origin.test",
            "m.room.member",
            Some("@alice:origin.test"),
            content,
        );
        let report = one(
            signed(event.clone(), version, "origin.test"),
            version,
            &keys,
        );
        if version.restricted_join_signature {
            assert_eq!(report.verdict, Verdict::Dropped, "v{version}");
            assert_eq!(codes(&report), ["signature_missing"]);
            let both = signed(signed(event, version, "origin.test"), version, "auth.test");
            assert_eq!(
                one(both, version, &keys).verdict,
                Verdict::Valid,
                "v{version}"
            );
        } else {
            assert_eq!(
                report.verdict,
                Verdict::Valid,
                "v{version}: {:?}",
                report.problems
            );
        }
    }
}

/// Judges `count` messages of `version`, those at `bad` carrying another event's
/// signatures; returns the validation and the indices of the dropped events.
fn judge_with_bad_signatures(
    version: RoomVersion,
    count: usize,
    bad: &[usize],
) -> (Validation, Vec<usize>) {
    let keys = ring(&["origin.test"]);
    let mut events: Vec<Value> = (0..count)
        .map(|i| message(&version, &format!("m{i}")))
        .collect();
    let wrong = message(&version, "other")
        .get("signatures")
        .unwrap()
        .clone();
    for &i in bad {
        set(&mut events[i], &["signatures"], wrong.clone());
    }
    let validation = judge(events, &version, &keys);
    let dropped = validation
        .report
        .events
        .iter()
        .filter(|e| e.verdict == Verdict::Dropped)
        .map(|e| e.index)
        .collect();
    (validation, dropped)
}

#[test]
fn one_bad_signature_in_a_batch_is_found() {
    let (validation, dropped) = judge_with_bad_signatures(RoomVersion::V12, 150, &[77]);
    assert_eq!(dropped, [77]);
    assert_eq!(validation.report.counts.valid, 149);
}

#[test]
fn version_12_create_event_defines_the_room_id() {
    let keys = ring(&["origin.test"]);
    let version = RoomVersion::V12;
    let mut create = unsigned_event(
        &version,
        "origin.test",
        "m.room.create",
        Some(""),
        json(r#"{"room_version":"12"}"#),
    );
    remove(&mut create, "room_id");
    set(&mut create, &["auth_events"], json("[]"));
    set(&mut create, &["prev_events"], json("[]"));
    let create = signed(create, &version, "origin.test");
    let validation = judge(vec![create.clone()], &version, &keys);
    let pdu = validation.accepted(0).expect("a valid create event");
    let room_id = pdu.create_room_id().unwrap();
    assert_eq!(room_id[1..], pdu.event_id[1..]);
    assert_eq!(
        room_id,
        mxdag::event::hashes::room_id_from_create_event(create.as_object().unwrap(), &version)
    );

    // A create event with a room_id is malformed in v12.
    let mut with_room = create.clone();
    set(&mut with_room, &["room_id"], Value::from(room_id.clone()));
    assert_eq!(
        codes(&one(with_room, &version, &keys)),
        ["create_event_has_room_id"]
    );

    // Other events must not list the create event in auth_events.
    let mut member = unsigned_event(
        &version,
        "origin.test",
        "m.room.member",
        Some("@alice:origin.test"),
        json(r#"{"membership":"join"}"#),
    );
    set(&mut member, &["room_id"], Value::from(room_id.clone()));
    set(
        &mut member,
        &["auth_events"],
        Value::Array(vec![Value::from(pdu.event_id.clone())]),
    );
    let report = one(signed(member, &version, "origin.test"), &version, &keys);
    assert_eq!(report.verdict, Verdict::Dropped);
    assert_eq!(codes(&report), ["create_event_in_auth_events"]);
    assert_eq!(report.problems[0].path, "$.auth_events[0]");
}

#[test]
fn redaction_events_expose_what_they_redact() {
    let keys = ring(&["origin.test"]);
    for version in [RoomVersion::V10, RoomVersion::V11] {
        let target = "$".to_owned() + &"T".repeat(43);
        let mut event = unsigned_event(
            &version,
            "origin.test",
            "m.room.redaction",
            None,
            json(&format!(r#"{{"redacts":"{target}"}}"#)),
        );
        set(&mut event, &["redacts"], Value::from(target.clone()));
        let validation = judge(
            vec![signed(event, &version, "origin.test")],
            &version,
            &keys,
        );
        assert_eq!(
            validation
                .accepted(0)
                .as_ref()
                .unwrap()
                .fields
                .redacts
                .as_deref(),
            Some(target.as_str())
        );
    }
}

#[test]
fn report_serialises_to_the_documented_shape() {
    let keys = ring(&["origin.test"]);
    let version = RoomVersion::V11;
    let mut tampered = message(&version, "a");
    set(&mut tampered, &["content", "body"], Value::from("b"));
    let validation = judge(vec![message(&version, "ok"), tampered], &version, &keys);
    let json = serde_json::to_value(&validation.report).unwrap();
    assert_eq!(json["room_version"], "11");
    assert_eq!(
        json["counts"],
        serde_json::json!({"total": 2, "valid": 1, "redacted": 1, "rejected": 0, "soft_failed": 0, "unchecked": 0, "dropped": 0})
    );
    assert_eq!(json["events"][0]["verdict"], "valid");
    assert!(json["events"][0].get("pruned_by_sender").is_none());
    assert_eq!(json["events"][1]["verdict"], "redacted");
    assert_eq!(json["events"][1]["pruned_by_sender"], false);
    assert_eq!(
        json["events"][1]["problems"][0]["code"],
        "content_hash_mismatch"
    );
    assert_eq!(json["events"][1]["problems"][0]["severity"], "error");
    assert_eq!(json["events"][1]["problems"][0]["path"], "$.hashes.sha256");
}

#[test]
fn many_bad_signatures_among_many_events_are_all_found() {
    let bad = [0, 1, 2, 130, 255, 256, 257, 299];
    let (_, dropped) = judge_with_bad_signatures(RoomVersion::V4, 300, &bad);
    assert_eq!(dropped, bad);
}
