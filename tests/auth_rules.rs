//! The authorization rules (check 4 on receipt of a PDU), rule by rule and version by
//! version, on hand-built rooms: each test asserts the exact problem code of the rule.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod auth_support;
mod common;

use auth_support::{code, v, Room, ALICE, BOB, CAROL, DAVE};
use mxdag::auth::codes as c;
use mxdag::auth::{authorize, selection, AuthEvent, AuthEvents};
use mxdag::crypto::signing::{public_key_base64, sign_json, SigningKey};
use mxdag::event::Pdu;
use mxdag::problem::Problem;
use mxdag::room_version::{RoomVersion, ALL};

fn all() -> impl Iterator<Item = RoomVersion> {
    ALL.iter().copied()
}

fn upto(n: usize) -> impl Iterator<Item = RoomVersion> {
    ALL[..n].iter().copied()
}

/// Asserts that `result` fails with the rule `expected`, or passes for `None`, in `version`.
#[track_caller]
fn expect_rule(result: &Result<(), Problem>, expected: Option<&str>, version: RoomVersion) {
    assert_eq!(code(result), expected, "v{version}: {result:?}");
}

/// Shorthands for alice's state changes and hand-made messages in these tests.
trait RoomExt {
    /// Alice sets the power levels to `content`, or the test fails.
    fn set_levels(&mut self, content: &str);
    /// Alice sets the join rule, or the test fails.
    fn set_join_rule(&mut self, rule: &str);
    /// A message from bob after the last event, with `auth` as its auth events.
    fn message_with_auth(&mut self, auth: &[usize]) -> Pdu;
}

impl RoomExt for Room {
    fn set_levels(&mut self, content: &str) {
        self.ok("m.room.power_levels", Some(""), ALICE, content);
    }

    fn set_join_rule(&mut self, rule: &str) {
        let content = format!(r#"{{"join_rule":"{rule}"}}"#);
        self.ok("m.room.join_rules", Some(""), ALICE, &content);
    }

    fn message_with_auth(&mut self, auth: &[usize]) -> Pdu {
        let last = self.last;
        self.event(
            "m.room.message",
            None,
            BOB,
            v(r#"{"body":"x"}"#),
            &[last],
            auth,
        )
    }
}

/// A public room where bob (and carol) joined.
fn public_with(version: RoomVersion, users: &[&str]) -> Room {
    let mut room = Room::standard(version, "public");
    for u in users {
        room.join(u);
    }
    room
}

// Rule 1: m.room.create.

#[test]
fn a_create_event_with_prev_events_is_rejected() {
    for version in all() {
        let mut room = Room::new(version, ALICE, "{}");
        let content = room.create().content().clone();
        let bad = room.event("m.room.create", Some(""), ALICE, content.into(), &[0], &[]);
        expect_rule(
            &room.authorize(&bad),
            Some(c::CREATE_HAS_PREV_EVENTS),
            version,
        );
        expect_rule(&room.authorize(&room.create().clone()), None, version);
    }
}

#[test]
fn a_create_event_of_another_domain_is_rejected_before_v12() {
    for version in upto(11) {
        let mut room = Room::new(version, ALICE, "{}");
        room.room_id = "!room:elsewhere.test".into();
        let content = room.create().content().clone();
        let bad = room.event("m.room.create", Some(""), ALICE, content.into(), &[], &[]);
        expect_rule(
            &room.authorize(&bad),
            Some(c::CREATE_ROOM_ID_DOMAIN),
            version,
        );
    }
}

#[test]
fn a_create_event_naming_an_unknown_version_is_rejected() {
    for version in all() {
        let mut room = Room::new(version, ALICE, "{}");
        let bad = room.event(
            "m.room.create",
            Some(""),
            ALICE,
            v(r#"{"room_version":"99","creator":"@alice:a.test"}"#),
            &[],
            &[],
        );
        expect_rule(
            &room.authorize(&bad),
            Some(c::CREATE_UNKNOWN_ROOM_VERSION),
            version,
        );
    }
}

#[test]
fn the_creator_field_is_required_up_to_v10_only() {
    for version in all() {
        let mut room = Room::new(version, ALICE, "{}");
        let content = v(&format!(r#"{{"room_version":"{}"}}"#, version.id));
        let create = room.event("m.room.create", Some(""), ALICE, content, &[], &[]);
        let expected = version
            .auth
            .creator_in_content
            .then_some(c::CREATE_NO_CREATOR);
        expect_rule(&room.authorize(&create), expected, version);
    }
}

#[test]
fn additional_creators_must_be_user_ids_in_v12() {
    for (extra, expected) in [
        (r#"{"additional_creators":["@bob:b.test"]}"#, None),
        (
            r#"{"additional_creators":["bob"]}"#,
            Some(c::CREATE_BAD_ADDITIONAL_CREATORS),
        ),
        (
            r#"{"additional_creators":"@bob:b.test"}"#,
            Some(c::CREATE_BAD_ADDITIONAL_CREATORS),
        ),
    ] {
        let room = Room::new(RoomVersion::V12, ALICE, extra);
        assert_eq!(
            code(&room.authorize(&room.create().clone())),
            expected,
            "{extra}"
        );
        // Before v12 the field means nothing.
        let room = Room::new(RoomVersion::V11, ALICE, extra);
        assert_eq!(
            code(&room.authorize(&room.create().clone())),
            None,
            "{extra}"
        );
    }
}

// Rules 2 and 3: the auth events.

#[test]
fn duplicate_auth_events_are_rejected() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        let first_pl = room.current("m.room.power_levels", "").unwrap();
        room.set_levels(&room_levels(version, BOB, 0));
        let second_pl = room.current("m.room.power_levels", "").unwrap();
        let mut auth = room.selection("m.room.message", None, BOB, &v("{}"));
        auth.push(first_pl);
        assert!(auth.contains(&second_pl));
        let bad = room.message_with_auth(&auth);
        expect_rule(
            &room.authorize(&bad),
            Some(c::AUTH_EVENTS_DUPLICATE),
            version,
        );
    }
}

/// Power levels content giving `user` `level` (and alice 100 before v12).
fn room_levels(version: RoomVersion, user: &str, level: i64) -> String {
    match version.auth.privileged_creators {
        true => format!(r#"{{"users":{{"{user}":{level}}}}}"#),
        false => format!(r#"{{"users":{{"{ALICE}":100,"{user}":{level}}}}}"#),
    }
}

#[test]
fn auth_events_the_selection_does_not_pick_are_rejected() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        let mut auth = room.selection("m.room.message", None, BOB, &v("{}"));
        auth.push(room.current("m.room.join_rules", "").unwrap());
        let bad = room.message_with_auth(&auth);
        expect_rule(
            &room.authorize(&bad),
            Some(c::AUTH_EVENTS_UNEXPECTED),
            version,
        );
        // A message is authorised by the selection itself.
        let good = room.draft("m.room.message", None, BOB, r#"{"body":"y"}"#);
        expect_rule(&room.authorize(&good), None, version);
    }
}

#[test]
fn a_rejected_auth_event_rejects_the_event() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        let bob = room.current("m.room.member", BOB).unwrap();
        room.rejected[bob] = true;
        let event = room.draft("m.room.message", None, BOB, r#"{"body":"x"}"#);
        expect_rule(
            &room.authorize(&event),
            Some(c::AUTH_EVENT_REJECTED),
            version,
        );
    }
}

#[test]
fn without_the_create_event_in_auth_events_the_event_is_rejected_before_v12() {
    for version in upto(11) {
        let mut room = public_with(version, &[BOB]);
        let auth: Vec<usize> = room
            .selection("m.room.message", None, BOB, &v("{}"))
            .into_iter()
            .filter(|&i| i != 0)
            .collect();
        let bad = room.message_with_auth(&auth);
        expect_rule(
            &room.authorize(&bad),
            Some(c::AUTH_EVENTS_NO_CREATE),
            version,
        );
    }
}

#[test]
fn in_v12_the_room_id_must_name_an_accepted_create_event() {
    let mut room = public_with(RoomVersion::V12, &[BOB]);
    let event = room.draft("m.room.message", None, BOB, r#"{"body":"x"}"#);
    let entries: Vec<AuthEvent> = event
        .fields
        .auth_events
        .iter()
        .map(|id| AuthEvent {
            pdu: room.events.iter().find(|e| e.event_id == *id).unwrap(),
            rejected: false,
        })
        .collect();
    let create = room.create().clone();
    for (given, expected) in [
        (
            Some(AuthEvent {
                pdu: &create,
                rejected: false,
            }),
            None,
        ),
        (
            Some(AuthEvent {
                pdu: &create,
                rejected: true,
            }),
            Some(c::ROOM_ID_NOT_ACCEPTED_CREATE),
        ),
        (None, Some(c::ROOM_ID_NOT_ACCEPTED_CREATE)),
    ] {
        let result = authorize(
            &event,
            &AuthEvents {
                entries: &entries,
                create: given,
            },
        );
        assert_eq!(code(&result), expected);
    }
    // Another room's create event is not this room's.
    let other = Room::new(RoomVersion::V12, CAROL, "{}");
    let result = authorize(
        &event,
        &AuthEvents {
            entries: &entries,
            create: Some(AuthEvent {
                pdu: other.create(),
                rejected: false,
            }),
        },
    );
    assert_eq!(code(&result), Some(c::ROOM_ID_NOT_ACCEPTED_CREATE));
}

#[test]
fn an_auth_event_of_another_room_is_rejected() {
    for version in upto(11) {
        let mut room = public_with(version, &[BOB]);
        let mut other = room.clone();
        other.room_id = "!other:a.test".into();
        let last = other.last;
        let foreign = other.event(
            "m.room.join_rules",
            Some(""),
            ALICE,
            v(r#"{"join_rule":"public"}"#),
            &[last],
            &[0],
        );
        room.push(foreign, false);
        let event = room.draft(
            "m.room.member",
            Some(CAROL),
            CAROL,
            r#"{"membership":"join"}"#,
        );
        expect_rule(
            &room.authorize(&event),
            Some(c::AUTH_EVENT_OTHER_ROOM),
            version,
        );
    }
}

#[test]
fn a_selected_pair_missing_though_the_room_had_it_is_a_warning() {
    let mut room = public_with(RoomVersion::V10, &[BOB]);
    let auth: Vec<usize> = room
        .selection("m.room.message", None, BOB, &v("{}"))
        .into_iter()
        .filter(|&i| room.events[i].fields.event_type != "m.room.power_levels")
        .collect();
    let last = room.last;
    let event = room.event(
        "m.room.message",
        None,
        BOB,
        v(r#"{"body":"x"}"#),
        &[last],
        &auth,
    );
    let entries: Vec<&mxdag::event::Pdu> = auth.iter().map(|&i| &room.events[i]).collect();
    // Bob's join lists the power levels: the room had them.
    let bob_join = &room.events[room.current("m.room.member", BOB).unwrap()];
    let earlier: Vec<&mxdag::event::Pdu> = bob_join
        .fields
        .auth_events
        .iter()
        .map(|id| room.events.iter().find(|e| e.event_id == *id).unwrap())
        .collect();
    let warnings = selection::missing(&event, &entries, &earlier);
    assert_eq!(
        warnings.iter().map(|p| p.code).collect::<Vec<_>>(),
        [c::AUTH_EVENTS_MISSING_SELECTED]
    );
    assert!(
        warnings[0].message.contains("m.room.power_levels"),
        "{}",
        warnings[0].message
    );
    // Listing everything the selection picks leaves nothing missing.
    let earlier: Vec<mxdag::event::Pdu> = earlier.into_iter().cloned().collect();
    let earlier: Vec<&mxdag::event::Pdu> = earlier.iter().collect();
    let full = room
        .clone()
        .draft("m.room.message", None, BOB, r#"{"body":"y"}"#);
    let entries: Vec<&mxdag::event::Pdu> = full
        .fields
        .auth_events
        .iter()
        .map(|id| room.events.iter().find(|e| e.event_id == *id).unwrap())
        .collect();
    assert!(selection::missing(&full, &entries, &earlier).is_empty());
}

// Rule 4: m.federate.

#[test]
fn an_unfederated_room_rejects_other_servers() {
    for version in all() {
        let mut room = Room::new(version, ALICE, r#"{"m.federate":false}"#);
        room.join(ALICE);
        room.set_join_rule("public");
        expect_rule(
            &room.member(BOB, BOB, "join"),
            Some(c::NOT_FEDERATED),
            version,
        );
        room.ok(
            "m.room.member",
            Some("@eve:a.test"),
            "@eve:a.test",
            r#"{"membership":"join"}"#,
        );
    }
}

// v1–v5: m.room.aliases.

#[test]
fn aliases_need_the_senders_server_as_state_key_up_to_v5() {
    for version in all() {
        let mut room = public_with(version, &[]);
        let result = room.send("m.room.aliases", Some("b.test"), ALICE, r#"{"aliases":[]}"#);
        let expected = version
            .auth
            .special_case_aliases
            .then_some(c::ALIASES_STATE_KEY);
        expect_rule(&result, expected, version);
        assert_eq!(
            code(&room.send("m.room.aliases", Some("a.test"), ALICE, r#"{"aliases":[]}"#)),
            None
        );
    }
}

// Rule 5: m.room.member.

#[test]
fn a_member_event_without_membership_is_rejected() {
    for version in all() {
        let mut room = public_with(version, &[]);
        let result = room.send("m.room.member", Some(BOB), BOB, r#"{"displayname":"b"}"#);
        expect_rule(&result, Some(c::MEMBER_MALFORMED), version);
    }
}

#[test]
fn only_the_creator_joins_right_after_the_create_event() {
    for version in all() {
        let mut room = Room::new(version, ALICE, "{}");
        let bob = room.draft("m.room.member", Some(BOB), BOB, r#"{"membership":"join"}"#);
        // No join rules yet: the room is read as invite-only.
        expect_rule(&room.authorize(&bob), Some(c::JOIN_NOT_ALLOWED), version);
        room.join(ALICE);
    }
}

#[test]
fn before_v11_the_creator_is_content_creator_and_from_v11_the_sender() {
    for version in all() {
        // Alice sends the create event naming Bob as creator (read only up to v10).
        let mut room = Room::new(version, ALICE, r#"{"creator":"@bob:b.test"}"#);
        let bob = room.draft("m.room.member", Some(BOB), BOB, r#"{"membership":"join"}"#);
        let alice = room.draft(
            "m.room.member",
            Some(ALICE),
            ALICE,
            r#"{"membership":"join"}"#,
        );
        let (bob_ok, alice_ok) = (room.authorize(&bob).is_ok(), room.authorize(&alice).is_ok());
        assert_eq!(
            (bob_ok, alice_ok),
            (
                version.auth.creator_in_content,
                !version.auth.creator_in_content
            ),
            "v{version}"
        );
    }
}

#[test]
fn a_join_for_someone_else_is_rejected() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        expect_rule(
            &room.member(BOB, CAROL, "join"),
            Some(c::JOIN_SENDER_NOT_TARGET),
            version,
        );
    }
}

#[test]
fn a_banned_user_cannot_join() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        room.member(ALICE, BOB, "ban").unwrap();
        expect_rule(
            &room.member(BOB, BOB, "join"),
            Some(c::JOIN_BANNED),
            version,
        );
    }
}

#[test]
fn invite_only_rooms_take_the_invited() {
    for version in all() {
        let mut room = Room::standard(version, "invite");
        expect_rule(
            &room.member(BOB, BOB, "join"),
            Some(c::JOIN_NOT_ALLOWED),
            version,
        );
        room.member(ALICE, BOB, "invite").unwrap();
        room.join(BOB);
        // Joined users may join again (a profile change).
        room.join(BOB);
    }
}

#[test]
fn the_knock_join_rule_takes_the_invited_from_v7() {
    for version in all() {
        let mut room = Room::standard(version, "knock");
        room.member(ALICE, BOB, "invite").unwrap();
        let expected = (!version.knocking).then_some(c::JOIN_NOT_ALLOWED);
        expect_rule(&room.member(BOB, BOB, "join"), expected, version);
    }
}

#[test]
fn restricted_joins_need_an_authorising_member_with_the_invite_level_from_v8() {
    for version in all() {
        for rule in ["restricted", "knock_restricted"] {
            let mut room = Room::standard(version, "invite");
            room.member(ALICE, BOB, "invite").unwrap();
            room.join(BOB);
            room.ok(
                "m.room.join_rules",
                Some(""),
                ALICE,
                &format!(r#"{{"join_rule":"{rule}","allow":[]}}"#),
            );
            room.set_levels(&room_levels_with(version, r#""invite":50"#));
            let known = match rule {
                "restricted" => version.auth.restricted_join_rule,
                _ => version.auth.knock_restricted_join_rule,
            };
            let join = |via: &str| {
                format!(r#"{{"membership":"join","join_authorised_via_users_server":"{via}"}}"#)
            };
            let result = room.send(
                "m.room.member",
                Some(CAROL),
                CAROL,
                r#"{"membership":"join"}"#,
            );
            let expected = if known {
                c::JOIN_RESTRICTED_NOT_AUTHORISED
            } else {
                c::JOIN_NOT_ALLOWED
            };
            assert_eq!(
                code(&result),
                Some(expected),
                "v{version} {rule}: no authorising user"
            );
            // Bob is joined but below the invite level.
            let result = room.send("m.room.member", Some(CAROL), CAROL, &join(BOB));
            assert_eq!(code(&result), Some(expected), "v{version} {rule}: bob");
            // Dave is not joined.
            let result = room.send("m.room.member", Some(CAROL), CAROL, &join(DAVE));
            assert_eq!(code(&result), Some(expected), "v{version} {rule}: dave");
            let result = room.send("m.room.member", Some(CAROL), CAROL, &join(ALICE));
            assert_eq!(
                code(&result),
                (!known).then_some(c::JOIN_NOT_ALLOWED),
                "v{version} {rule}: alice"
            );
            // The invited join a restricted room without an authorising user.
            if known {
                room.member(ALICE, DAVE, "invite").unwrap();
                room.join(DAVE);
            }
        }
    }
}

/// Power levels with alice at 100 (before v12) and `extra` fields.
fn room_levels_with(version: RoomVersion, extra: &str) -> String {
    match version.auth.privileged_creators {
        true => format!(r#"{{"users":{{}},{extra}}}"#),
        false => format!(r#"{{"users":{{"{ALICE}":100}},{extra}}}"#),
    }
}

#[test]
fn invites_need_a_joined_sender_with_the_invite_level_and_a_target_not_joined_or_banned() {
    for version in all() {
        let mut room = Room::standard(version, "invite");
        expect_rule(
            &room.member(BOB, CAROL, "invite"),
            Some(c::SENDER_NOT_JOINED),
            version,
        );
        room.member(ALICE, BOB, "invite").unwrap();
        room.join(BOB);
        expect_rule(
            &room.member(ALICE, BOB, "invite"),
            Some(c::INVITE_TARGET_JOINED_OR_BANNED),
            version,
        );
        room.member(BOB, CAROL, "invite").unwrap();
        room.set_levels(&room_levels_with(version, r#""invite":50"#));
        expect_rule(
            &room.member(BOB, DAVE, "invite"),
            Some(c::INVITE_LEVEL),
            version,
        );
        room.member(ALICE, DAVE, "ban").unwrap();
        expect_rule(
            &room.member(ALICE, DAVE, "invite"),
            Some(c::INVITE_TARGET_JOINED_OR_BANNED),
            version,
        );
    }
}

/// A third-party invite in `room` by alice for `mxid`, signed with `key` (the invite
/// event holds `invite_key`'s public key).
fn third_party_invite(
    room: &mut Room,
    mxid: &str,
    key: &SigningKey,
    invite_key: &SigningKey,
) -> mxdag::event::Pdu {
    let public = public_key_base64(invite_key);
    room.ok(
        "m.room.third_party_invite",
        Some("tok"),
        ALICE,
        &format!(r#"{{"display_name":"b","key_validity_url":"https://id.test/v","public_key":"{public}","public_keys":[{{"public_key":"{public}"}}]}}"#),
    );
    let mut signed = v(&format!(
        r#"{{"mxid":"{mxid}","token":"tok","sender":"{ALICE}"}}"#
    ));
    sign_json(&mut signed, "id.test", "ed25519:0", key).unwrap();
    let content = format!(
        r#"{{"membership":"invite","third_party_invite":{{"display_name":"b","signed":{}}}}}"#,
        mxdag::canonical_json::to_string(&signed)
    );
    room.draft("m.room.member", Some(BOB), ALICE, &content)
}

#[test]
fn third_party_invites_need_a_signature_of_the_invites_key() {
    let key = SigningKey::from_bytes(&[9; 32]);
    let other = SigningKey::from_bytes(&[8; 32]);
    for version in all() {
        let mut room = Room::standard(version, "invite");
        let good = third_party_invite(&mut room, BOB, &key, &key);
        expect_rule(&room.authorize(&good), None, version);
        let forged = third_party_invite(&mut room, BOB, &other, &key);
        expect_rule(
            &room.authorize(&forged),
            Some(c::THIRD_PARTY_INVITE_INVALID),
            version,
        );
        let wrong_mxid = third_party_invite(&mut room, CAROL, &key, &key);
        expect_rule(
            &room.authorize(&wrong_mxid),
            Some(c::THIRD_PARTY_INVITE_INVALID),
            version,
        );
    }
}

#[test]
fn third_party_invite_events_need_the_invite_level() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        room.set_levels(&room_levels_with(version, r#""invite":50"#));
        let result = room.send(
            "m.room.third_party_invite",
            Some("t"),
            BOB,
            r#"{"public_key":"x"}"#,
        );
        expect_rule(&result, Some(c::INVITE_LEVEL), version);
    }
}

#[test]
fn leaving_needs_a_membership_and_kicking_needs_the_kick_level_over_the_target() {
    for version in all() {
        let mut room = public_with(version, &[BOB, CAROL]);
        expect_rule(
            &room.member(DAVE, DAVE, "leave"),
            Some(c::LEAVE_NOT_MEMBER),
            version,
        );
        expect_rule(
            &room.member(DAVE, BOB, "leave"),
            Some(c::SENDER_NOT_JOINED),
            version,
        );
        expect_rule(
            &room.member(BOB, CAROL, "leave"),
            Some(c::KICK_LEVEL),
            version,
        );
        room.set_levels(&format!(
            r#"{{{},"kick":0}}"#,
            users_json(version, &[(CAROL, 0)])
        ));
        // Equal levels: bob (0) cannot kick carol (0).
        expect_rule(
            &room.member(BOB, CAROL, "leave"),
            Some(c::KICK_LEVEL),
            version,
        );
        room.member(ALICE, CAROL, "leave").unwrap();
        room.member(BOB, BOB, "leave").unwrap();
    }
}

/// `users` of a power levels content: alice at 100 (before v12) and `more`.
fn users_json(version: RoomVersion, more: &[(&str, i64)]) -> String {
    let mut entries: Vec<String> = more.iter().map(|(u, l)| format!(r#""{u}":{l}"#)).collect();
    if !version.auth.privileged_creators {
        entries.insert(0, format!(r#""{ALICE}":100"#));
    }
    format!(r#""users":{{{}}}"#, entries.join(","))
}

#[test]
fn unbanning_needs_the_ban_level() {
    for version in all() {
        let mut room = public_with(version, &[BOB, CAROL]);
        room.member(ALICE, CAROL, "ban").unwrap();
        room.set_levels(&format!(
            r#"{{{},"kick":10,"ban":60}}"#,
            users_json(version, &[(BOB, 50)])
        ));
        expect_rule(
            &room.member(BOB, CAROL, "leave"),
            Some(c::UNBAN_LEVEL),
            version,
        );
        room.member(ALICE, CAROL, "leave").unwrap();
    }
}

#[test]
fn banning_needs_the_ban_level_over_the_target() {
    for version in all() {
        let mut room = public_with(version, &[BOB, CAROL]);
        expect_rule(&room.member(BOB, CAROL, "ban"), Some(c::BAN_LEVEL), version);
        expect_rule(
            &room.member(DAVE, CAROL, "ban"),
            Some(c::SENDER_NOT_JOINED),
            version,
        );
        room.set_levels(&format!(
            r#"{{{}}}"#,
            users_json(version, &[(BOB, 50), (CAROL, 50)])
        ));
        expect_rule(&room.member(BOB, CAROL, "ban"), Some(c::BAN_LEVEL), version);
        expect_rule(&room.member(BOB, ALICE, "ban"), Some(c::BAN_LEVEL), version);
        room.member(ALICE, CAROL, "ban").unwrap();
        room.member(BOB, DAVE, "ban").unwrap();
    }
}

#[test]
fn knocking_exists_from_v7_and_knock_restricted_from_v10() {
    for version in all() {
        for rule in ["knock", "knock_restricted", "public"] {
            let mut room = Room::standard(version, rule);
            let result = room.member(BOB, BOB, "knock");
            let allowed = match rule {
                "knock" => version.knocking,
                "knock_restricted" => version.auth.knock_restricted_join_rule,
                _ => false,
            };
            let expected = match (version.knocking, allowed) {
                (false, _) => Some(c::MEMBERSHIP_UNKNOWN),
                (true, true) => None,
                (true, false) => Some(c::KNOCK_NOT_ALLOWED),
            };
            assert_eq!(code(&result), expected, "v{version} {rule}");
            if allowed {
                // A knocking user may withdraw (leave), and may not knock for someone else.
                assert_eq!(
                    code(&room.member(CAROL, DAVE, "knock")),
                    Some(c::KNOCK_SENDER_NOT_TARGET)
                );
                room.member(BOB, BOB, "leave").unwrap();
                assert_eq!(
                    code(&room.member(ALICE, ALICE, "knock")),
                    Some(c::KNOCK_MEMBERSHIP)
                );
            }
        }
    }
}

#[test]
fn an_unknown_membership_is_rejected() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        expect_rule(
            &room.member(BOB, BOB, "dance"),
            Some(c::MEMBERSHIP_UNKNOWN),
            version,
        );
    }
}

// Rules 6–9.

#[test]
fn senders_who_are_not_joined_cannot_send() {
    for version in all() {
        let mut room = public_with(version, &[]);
        let result = room.send("m.room.message", None, BOB, r#"{"body":"hi"}"#);
        expect_rule(&result, Some(c::SENDER_NOT_JOINED), version);
        room.join(BOB);
        room.member(BOB, BOB, "leave").unwrap();
        let result = room.send("m.room.message", None, BOB, r#"{"body":"hi"}"#);
        expect_rule(&result, Some(c::SENDER_NOT_JOINED), version);
    }
}

#[test]
fn events_need_the_level_their_type_requires() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        // state_default 50 with a power levels event.
        expect_rule(
            &room.send("m.room.name", Some(""), BOB, r#"{"name":"n"}"#),
            Some(c::EVENT_LEVEL),
            version,
        );
        room.set_levels(&format!(
            r#"{{{},"events":{{"m.room.name":0}},"events_default":10}}"#,
            users_json(version, &[])
        ));
        room.ok("m.room.name", Some(""), BOB, r#"{"name":"n"}"#);
        expect_rule(
            &room.send("m.room.message", None, BOB, r#"{"body":"x"}"#),
            Some(c::EVENT_LEVEL),
            version,
        );
    }
}

#[test]
fn without_power_levels_the_creator_has_100_and_state_default_is_50() {
    for version in all() {
        let mut room = Room::new(version, ALICE, "{}");
        room.join(ALICE);
        room.set_join_rule("public");
        room.join(BOB);
        // No power levels: state_default is 50, so bob (0) may not set the name, alice may …
        let result = room.send("m.room.name", Some(""), BOB, r#"{"name":"n"}"#);
        expect_rule(&result, Some(c::EVENT_LEVEL), version);
        room.ok("m.room.name", Some(""), ALICE, r#"{"name":"n"}"#);
        room.send(
            "m.room.message",
            None,
            BOB,
            r#"{"body":"events_default is 0"}"#,
        )
        .unwrap();
        // … and bob cannot ban alice (100, or infinite in v12).
        expect_rule(&room.member(BOB, ALICE, "ban"), Some(c::BAN_LEVEL), version);
        room.member(ALICE, BOB, "ban").unwrap();
    }
}

#[test]
fn a_state_key_naming_another_user_is_rejected() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        room.set_levels(&format!(
            r#"{{{},"state_default":0}}"#,
            users_json(version, &[])
        ));
        expect_rule(
            &room.send("org.example.x", Some(CAROL), BOB, "{}"),
            Some(c::STATE_KEY_OTHER_USER),
            version,
        );
        room.ok("org.example.x", Some(BOB), BOB, "{}");
    }
}

// Rule 10: m.room.power_levels.

#[test]
fn power_levels_are_integers_from_v10_strings_before_and_floats_up_to_v5() {
    for version in all() {
        let mut room = public_with(version, &[]);
        let stringy = format!(r#"{{{},"ban":" +050 "}}"#, users_json(version, &[]));
        let expected = (!version.auth.string_power_levels).then_some(c::POWER_LEVELS_INVALID);
        expect_rule(
            &room.send("m.room.power_levels", Some(""), ALICE, &stringy),
            expected,
            version,
        );
        let bad = format!(r#"{{{},"kick":"5x"}}"#, users_json(version, &[]));
        expect_rule(
            &room.send("m.room.power_levels", Some(""), ALICE, &bad),
            Some(c::POWER_LEVELS_INVALID),
            version,
        );
        let bad_user = r#"{"users":{"bob":10}}"#;
        expect_rule(
            &room.send("m.room.power_levels", Some(""), ALICE, bad_user),
            Some(c::POWER_LEVELS_INVALID),
            version,
        );
        let events = format!(r#"{{{},"events":[]}}"#, users_json(version, &[]));
        expect_rule(
            &room.send("m.room.power_levels", Some(""), ALICE, &events),
            Some(c::POWER_LEVELS_INVALID),
            version,
        );
    }
    for version in upto(5) {
        let mut room = public_with(version, &[]);
        let floaty = format!(r#"{{{},"ban":5.114698E1}}"#, users_json(version, &[]));
        room.set_levels(&floaty);
    }
}

#[test]
fn power_level_changes_stay_within_the_senders_level() {
    for version in all() {
        let mut room = public_with(version, &[BOB, CAROL, DAVE]);
        room.set_levels(&format!(
            r#"{{{},"ban":50}}"#,
            users_json(version, &[(BOB, 50), (CAROL, 50), (DAVE, 10)])
        ));
        let with = |users: &[(&str, i64)], extra: &str| {
            format!(r#"{{{}{extra}}}"#, users_json(version, users))
        };
        let base = [(BOB, 50), (CAROL, 50), (DAVE, 10)];
        let cases: [(String, &str); 7] = [
            (with(&base, r#","ban":60"#), "10.6 new value above"),
            (with(&base, r#","ban":50,"kick":40"#), "allowed"),
            (
                with(&[(BOB, 50), (CAROL, 40), (DAVE, 10)], r#","ban":50"#),
                "10.9 equal level",
            ),
            (
                with(&[(BOB, 50), (CAROL, 50), (DAVE, 60)], r#","ban":50"#),
                "10.10 above",
            ),
            (
                with(&[(BOB, 50), (CAROL, 50), (DAVE, 20)], r#","ban":50"#),
                "allowed",
            ),
            (
                with(&base, r#","ban":50,"events":{"m.room.name":70}"#),
                "10.8 events above",
            ),
            (
                with(&[(BOB, 40), (CAROL, 50), (DAVE, 10)], r#","ban":50"#),
                "allowed: own level lowered",
            ),
        ];
        for (content, why) in cases {
            let result = room.draft("m.room.power_levels", Some(""), BOB, &content);
            let expected = (!why.starts_with("allowed")).then_some(c::POWER_LEVELS_CHANGE);
            assert_eq!(
                code(&room.authorize(&result)),
                expected,
                "v{version}: {why}"
            );
        }
        // Raising what is already above the sender (10.6 current value above).
        room.set_levels(&format!(
            r#"{{{},"ban":50,"redact":80}}"#,
            users_json(version, &base)
        ));
        let lower = room.draft(
            "m.room.power_levels",
            Some(""),
            BOB,
            &with(&base, r#","ban":50,"redact":40"#),
        );
        assert_eq!(
            code(&room.authorize(&lower)),
            Some(c::POWER_LEVELS_CHANGE),
            "v{version}: 10.6 current above"
        );
    }
}

#[test]
fn notification_levels_are_limited_from_v6() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        room.set_levels(&format!(
            r#"{{{},"state_default":0}}"#,
            users_json(version, &[(BOB, 20)])
        ));
        let content = format!(
            r#"{{{},"state_default":0,"notifications":{{"room":90}}}}"#,
            users_json(version, &[(BOB, 20)])
        );
        let expected = version
            .auth
            .limit_notifications
            .then_some(c::POWER_LEVELS_CHANGE);
        expect_rule(
            &room.send("m.room.power_levels", Some(""), BOB, &content),
            expected,
            version,
        );
    }
}

#[test]
fn v12_creators_have_infinite_power_and_are_not_in_users() {
    let mut room = Room::new(
        RoomVersion::V12,
        ALICE,
        r#"{"additional_creators":["@carol:c.test"]}"#,
    );
    room.join(ALICE);
    assert_eq!(
        code(&room.send(
            "m.room.power_levels",
            Some(""),
            ALICE,
            r#"{"users":{"@alice:a.test":100}}"#
        )),
        Some(c::POWER_LEVELS_NAMES_CREATOR)
    );
    assert_eq!(
        code(&room.send(
            "m.room.power_levels",
            Some(""),
            ALICE,
            r#"{"users":{"@carol:c.test":100}}"#
        )),
        Some(c::POWER_LEVELS_NAMES_CREATOR)
    );
    room.set_levels(r#"{"users":{"@bob:b.test":1000000}}"#);
    room.set_join_rule("public");
    room.join(BOB);
    room.join(CAROL);
    // Bob (a million) cannot ban a creator; a creator can ban bob; creators cannot ban each other.
    assert_eq!(code(&room.member(BOB, CAROL, "ban")), Some(c::BAN_LEVEL));
    assert_eq!(code(&room.member(CAROL, ALICE, "ban")), Some(c::BAN_LEVEL));
    room.member(CAROL, BOB, "ban").unwrap();
    // The same room in v11: carol is no creator and alice's 100 is below bob's million.
    let mut room = Room::new(
        RoomVersion::V11,
        ALICE,
        r#"{"additional_creators":["@carol:c.test"]}"#,
    );
    room.join(ALICE);
    room.set_levels(r#"{"users":{"@alice:a.test":100,"@bob:b.test":100}}"#);
    room.set_join_rule("public");
    room.join(BOB);
    room.join(CAROL);
    assert_eq!(code(&room.member(CAROL, BOB, "ban")), Some(c::BAN_LEVEL));
    assert_eq!(code(&room.member(ALICE, BOB, "ban")), Some(c::BAN_LEVEL));
}

// v1–v2: m.room.redaction.

#[test]
fn redactions_need_the_redact_level_or_the_same_server_in_v1_and_v2() {
    for version in all() {
        let mut room = public_with(version, &[BOB]);
        let alice_event = room.ok("m.room.message", None, ALICE, r#"{"body":"a"}"#);
        let bob_event = room.ok("m.room.message", None, BOB, r#"{"body":"b"}"#);
        for (target, own) in [(alice_event, false), (bob_event, true)] {
            let redacts = room.events[target].event_id.clone();
            let content = format!(r#"{{"redacts":"{redacts}"}}"#);
            let pdu = room.draft("m.room.redaction", None, BOB, &content);
            assert_eq!(pdu.fields.redacts, Some(redacts));
            let expected =
                (version.auth.special_case_redaction && !own).then_some(c::REDACTION_NOT_ALLOWED);
            assert_eq!(
                code(&room.authorize(&pdu)),
                expected,
                "v{version} own: {own}"
            );
        }
    }
}

#[test]
fn every_rejection_names_the_event_the_rule_and_the_auth_event() {
    let mut room = public_with(RoomVersion::V10, &[BOB, CAROL]);
    let ban = room.draft("m.room.member", Some(CAROL), BOB, r#"{"membership":"ban"}"#);
    let problem = room.authorize(&ban).unwrap_err();
    let pl = &room.events[room.current("m.room.power_levels", "").unwrap()];
    assert!(
        problem.message.contains(&ban.event_id),
        "{}",
        problem.message
    );
    assert!(
        problem.message.contains("rule 5.6.2"),
        "{}",
        problem.message
    );
    assert!(
        problem.message.contains(&pl.event_id),
        "{}",
        problem.message
    );
    assert_eq!(problem.path, "$.sender");
}
