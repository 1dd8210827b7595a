//! The room generator: deterministic, realistic shapes and PDUs.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::HashSet;

use mxdag::generate::{generate_shape, EventKind, Membership, RoomShape, ShapeOptions};

fn shape(events: u32, seed: u64) -> RoomShape {
    generate_shape(&ShapeOptions {
        events,
        seed,
        ..ShapeOptions::default()
    })
}

/// Every event's parents come before it, depth is one more than the deepest parent, and
/// forward extremities are exactly the events nobody lists as a prev event.
fn assert_well_formed(shape: &RoomShape) {
    let mut referenced = HashSet::new();
    for (i, event) in shape.events.iter().enumerate() {
        assert!(
            event
                .prev_events
                .iter()
                .chain(&event.auth_events)
                .all(|&p| (p as usize) < i),
            "event {i}"
        );
        let deepest = event
            .prev_events
            .iter()
            .map(|&p| shape.events[p as usize].depth)
            .max();
        assert_eq!(
            event.depth,
            deepest.map_or(1, |d| d + 1),
            "depth of event {i}"
        );
        assert_eq!(
            shape.users[event.sender as usize].server, event.server,
            "server of event {i}"
        );
        referenced.extend(event.prev_events.iter().copied());
    }
    let tips: Vec<u32> = (0..shape.events.len() as u32)
        .filter(|e| !referenced.contains(e))
        .collect();
    assert_eq!(shape.forward_extremities, tips);
}

#[test]
fn the_same_seed_gives_the_same_shape_and_another_seed_another() {
    assert_eq!(shape(300, 9), shape(300, 9));
    assert_ne!(shape(300, 9).events, shape(300, 10).events);
}

#[test]
fn a_room_opens_with_create_join_power_levels_and_the_rest() {
    let room = shape(50, 3);
    let kinds: Vec<EventKind> = room.events[..7].iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Create,
            EventKind::Member(Membership::Join),
            EventKind::PowerLevels,
            EventKind::JoinRules,
            EventKind::HistoryVisibility,
            EventKind::Name,
            EventKind::Topic,
        ]
    );
    assert!(room.events[0].prev_events.is_empty() && room.events[0].auth_events.is_empty());
    assert_eq!(room.events[1].prev_events, [0]);
    // The creator's join is authorised by the create event alone (no power levels yet).
    assert_eq!(room.events[1].auth_events, [0]);
    // Power levels: create and the creator's membership.
    assert_eq!(room.events[2].auth_events, [0, 1]);
}

#[test]
fn shapes_are_well_formed_with_forks_merges_and_partitions() {
    let room = generate_shape(&ShapeOptions {
        events: 2000,
        servers: 5,
        concurrency: 0.5,
        partitions: 2,
        partition_length: 60,
        ..ShapeOptions::default()
    });
    assert_well_formed(&room);
    assert_eq!(room.events.len(), 2000);
    assert_eq!(room.partitions.len(), 2);
    let merges = room
        .events
        .iter()
        .filter(|e| e.prev_events.len() > 1)
        .count();
    assert!(merges > 50, "only {merges} merges");
    assert!(room.events.iter().all(|e| e.prev_events.len() <= 3));
    // Every user joined, each server sent something.
    let senders: HashSet<u16> = room.events.iter().map(|e| e.server).collect();
    assert_eq!(senders.len(), 5);
    // During a partition, the minority never references the majority's new events.
    let partition = &room.partitions[0];
    for event in &room.events[partition.start as usize..partition.end as usize] {
        let minority = partition.minority.contains(&event.server);
        for &prev in &event.prev_events {
            let parent = &room.events[prev as usize];
            if prev >= partition.start {
                assert_eq!(partition.minority.contains(&parent.server), minority);
            }
        }
    }
    // The rejoin merges: some event after the partition has parents from both sides.
    let sides = |e: &mxdag::generate::ShapeEvent| -> HashSet<bool> {
        e.prev_events
            .iter()
            .filter(|&&p| (partition.start..partition.end).contains(&p))
            .map(|&p| partition.minority.contains(&room.events[p as usize].server))
            .collect()
    };
    assert!(room.events[partition.end as usize..]
        .iter()
        .any(|e| sides(e).len() == 2));
}

#[test]
fn without_concurrency_the_room_is_a_single_chain() {
    let room = generate_shape(&ShapeOptions {
        events: 500,
        concurrency: 0.0,
        partitions: 0,
        ..ShapeOptions::default()
    });
    assert_well_formed(&room);
    assert!(room.events[1..]
        .iter()
        .enumerate()
        .all(|(i, e)| e.prev_events == [i as u32]));
    assert_eq!(room.forward_extremities, [499]);
}

#[test]
fn a_redaction_targets_an_earlier_message() {
    let room = shape(600, 5);
    let redactions: Vec<(usize, u32)> = room
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e.kind {
            EventKind::Redaction(target) => Some((i, target)),
            _ => None,
        })
        .collect();
    assert_eq!(redactions.len(), 1);
    let (at, target) = redactions[0];
    assert!((target as usize) < at);
    assert_eq!(room.events[target as usize].kind, EventKind::Message);
}

#[test]
fn final_forks_leave_one_forward_extremity_per_sending_server() {
    let room = generate_shape(&ShapeOptions {
        events: 400,
        servers: 4,
        final_forks: 12,
        ..ShapeOptions::default()
    });
    assert_well_formed(&room);
    let last_senders: HashSet<u16> = room.events[388..].iter().map(|e| e.server).collect();
    assert_eq!(room.forward_extremities.len(), last_senders.len());
    assert!(room.forward_extremities.len() > 1);
}

mod signed_rooms {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use ed25519_dalek::{Signature, Verifier};
    use mxdag::canonical_json::{self, Object, Value};
    use mxdag::crypto::encoding::{base64_unpadded, decode_base64};
    use mxdag::crypto::KeyRing;
    use mxdag::event::hashes::{content_hash, event_id, reference_hash, signing_bytes};
    use mxdag::event::redaction::redact;
    use mxdag::event::{validate_values, ValidateOptions, Verdict};
    use mxdag::generate::{generate_room, Damage, GenerateOptions, GeneratedRoom, ShapeOptions};
    use mxdag::room_version::RoomVersion;

    fn room(version: &str, events: u32, damage: Damage) -> GeneratedRoom {
        let options = GenerateOptions {
            room_version: version.into(),
            shape: ShapeOptions {
                events,
                servers: 3,
                seed: 77,
                ..ShapeOptions::default()
            },
            damage,
            ..GenerateOptions::default()
        };
        generate_room(&options).unwrap()
    }

    fn object(value: &Value) -> &Object {
        value.as_object().unwrap()
    }

    fn str_at<'a>(value: &'a Value, key: &str) -> &'a str {
        value.get(key).and_then(Value::as_str).unwrap()
    }

    fn hash_ok(event: &Object) -> bool {
        let claimed = event
            .get("hashes")
            .and_then(|h| h.get("sha256"))
            .and_then(Value::as_str);
        claimed == Some(base64_unpadded(&content_hash(event)).as_str())
    }

    /// Whether the sending server's signature on `event` (PDU `index`) verifies.
    fn signature_ok(room: &GeneratedRoom, index: usize, event: &Object) -> bool {
        let check = room.sender_signature(index).unwrap();
        let bytes = signing_bytes(&redact(event, &room.room_version).event);
        check.key.verify(&bytes, &check.signature).is_ok()
    }

    #[test]
    fn every_version_gives_hashed_signed_events_with_their_ids() {
        for version in 1..=12 {
            let room = room(&version.to_string(), 50, Damage::default());
            let v = room.room_version;
            assert_eq!(v, RoomVersion::from_id(&version.to_string()).unwrap());
            for (i, pdu) in room.pdus.iter().enumerate() {
                let event = object(pdu);
                assert_eq!(
                    event_id(event, &v).as_deref(),
                    Some(room.event_ids[i].as_str()),
                    "v{version} event {i}"
                );
                // The redacted message is sent in its redacted form, as servers do.
                let redacted = room.damage.redacted == Some(i as u32);
                assert_eq!(
                    hash_ok(event),
                    !redacted,
                    "v{version} event {i} content hash"
                );
                assert!(
                    signature_ok(&room, i, event),
                    "v{version} event {i} signature"
                );
                let first_prev = pdu
                    .get("prev_events")
                    .and_then(Value::as_array)
                    .and_then(|a| a.first());
                if let Some(prev) = first_prev {
                    let prev_index = room.shape.events[i].prev_events[0] as usize;
                    if v.event_id_in_event() {
                        let pair = prev.as_array().unwrap();
                        assert_eq!(pair[0].as_str(), Some(room.event_ids[prev_index].as_str()));
                        let hash =
                            base64_unpadded(&reference_hash(object(&room.pdus[prev_index]), &v));
                        assert_eq!(
                            pair[1].get("sha256").and_then(Value::as_str),
                            Some(hash.as_str())
                        );
                    } else {
                        assert_eq!(prev.as_str(), Some(room.event_ids[prev_index].as_str()));
                    }
                }
            }
            let create = &room.pdus[0];
            assert_eq!(str_at(create, "type"), "m.room.create");
            assert_eq!(
                str_at(create.get("content").unwrap(), "room_version"),
                version.to_string()
            );
            if version == 12 {
                assert!(create.get("room_id").is_none());
                assert_eq!(room.room_id, format!("!{}", &room.event_ids[0][1..]));
                let create_listed = room.pdus.iter().any(|p| {
                    p.get("auth_events")
                        .and_then(Value::as_array)
                        .unwrap()
                        .iter()
                        .any(|a| a.as_str() == Some(&room.event_ids[0]))
                });
                assert!(
                    !create_listed,
                    "v12 events must not list the create event in auth_events"
                );
            } else {
                assert_eq!(str_at(create, "room_id"), room.room_id);
                assert!(room.room_id.ends_with(":matrix.example.org"));
            }
            assert!(room.pdus[1..]
                .iter()
                .all(|p| str_at(p, "room_id") == room.room_id));
        }
    }

    #[test]
    fn the_same_options_give_the_same_signed_room() {
        let a = room(
            "10",
            120,
            Damage {
                pruned: 2,
                tampered: true,
                bad_signature: true,
            },
        );
        let b = room(
            "10",
            120,
            Damage {
                pruned: 2,
                tampered: true,
                bad_signature: true,
            },
        );
        assert_eq!(a.pdus, b.pdus);
        assert_eq!(a.server_keys, b.server_keys);
        assert_eq!(a.damage, b.damage);
    }

    #[test]
    fn damaged_events_fail_exactly_the_check_they_should() {
        for version in ["3", "11", "12"] {
            let room = room(
                version,
                200,
                Damage {
                    pruned: 3,
                    tampered: true,
                    bad_signature: true,
                },
            );
            let v = room.room_version;
            let damage = &room.damage;
            assert_eq!(damage.pruned.len(), 3);
            let redacted = damage.redacted.expect("the room has a redaction") as usize;
            let tampered = damage.tampered.unwrap() as usize;
            let bad_signature = damage.bad_signature.unwrap() as usize;
            for (i, pdu) in room.pdus.iter().enumerate() {
                let event = object(pdu);
                let pruned = damage.pruned.contains(&(i as u32)) || i == redacted;
                let already_redacted = redact(event, &v).was_already_redacted;
                assert_eq!(
                    hash_ok(event),
                    !pruned && i != tampered,
                    "v{version} event {i} content hash"
                );
                assert_eq!(
                    signature_ok(&room, i, event),
                    i != bad_signature,
                    "v{version} event {i} signature"
                );
                assert_eq!(
                    already_redacted && str_at(pdu, "type") == "m.room.message",
                    pruned,
                    "v{version} event {i}"
                );
                // Damage never changes an event's ID, which covers the redacted form only.
                if i != tampered {
                    assert_eq!(
                        event_id(event, &v).as_deref(),
                        Some(room.event_ids[i].as_str())
                    );
                }
            }
        }
    }

    #[test]
    fn server_key_responses_are_self_signed() {
        let room = room("12", 20, Damage::default());
        assert_eq!(room.server_keys.len(), 3);
        for (response, key) in room.server_keys.iter().zip(&room.signing_keys) {
            assert_eq!(str_at(response, "server_name"), key.server_name);
            let listed = response
                .get("verify_keys")
                .and_then(|k| k.get(&key.key_id))
                .unwrap();
            assert_eq!(str_at(listed, "key"), key.public_key_base64());
            let until = response
                .get("valid_until_ts")
                .and_then(Value::as_i64)
                .unwrap();
            let last_ts = room
                .pdus
                .last()
                .and_then(|p| p.get("origin_server_ts"))
                .and_then(Value::as_i64)
                .unwrap();
            assert!(until > last_ts);
            let mut unsigned = object(response).clone();
            let signature = unsigned.remove("signatures").unwrap();
            let signature = signature
                .get(&key.server_name)
                .and_then(|s| s.get(&key.key_id))
                .and_then(Value::as_str)
                .unwrap();
            let signature = Signature::from_slice(&decode_base64(signature).unwrap()).unwrap();
            let bytes = canonical_json::to_vec(&Value::Object(unsigned));
            assert!(key.key.verifying_key().verify(&bytes, &signature).is_ok());
        }
    }

    #[test]
    fn realistic_pdus_average_about_900_bytes() {
        let room = room("12", 1000, Damage::default());
        let total: usize = room
            .pdus
            .iter()
            .map(|p| canonical_json::to_vec(p).len())
            .sum();
        let mean = total / room.pdus.len();
        assert!((800..=1000).contains(&mean), "mean PDU size {mean} bytes");
        let prev_counts = room.pdus.iter().map(|p| {
            p.get("prev_events")
                .and_then(Value::as_array)
                .unwrap()
                .len()
        });
        assert!(prev_counts.clone().skip(1).all(|n| (1..=3).contains(&n)));
    }

    #[test]
    fn an_unknown_room_version_is_a_problem_not_a_panic() {
        let options = GenerateOptions {
            room_version: "13".into(),
            ..GenerateOptions::default()
        };
        let problem = generate_room(&options).unwrap_err();
        assert_eq!(problem.code, mxdag::generate::codes::UNKNOWN_ROOM_VERSION);
        assert_eq!(problem.path, "$.roomVersion");
        let huge = GenerateOptions {
            shape: ShapeOptions {
                events: u32::MAX,
                ..ShapeOptions::default()
            },
            ..GenerateOptions::default()
        };
        let problem = generate_room(&huge).unwrap_err();
        assert_eq!(
            (problem.code, problem.path.as_str()),
            (mxdag::generate::codes::BAD_OPTIONS, "$.events")
        );
    }

    #[test]
    fn the_core_judges_generated_rooms_valid_except_the_damage() {
        for version in ["1", "2", "5", "9", "12"] {
            let room = room(
                version,
                150,
                Damage {
                    pruned: 2,
                    tampered: true,
                    bad_signature: true,
                },
            );
            let mut ring = KeyRing::new();
            for response in &room.server_keys {
                let added = ring.add_response(response);
                assert_eq!(
                    (added.added, added.problems.len()),
                    (1, 0),
                    "v{version} key response"
                );
            }
            let events = room.pdus.iter().cloned().map(Ok).collect();
            let validation = validate_values(
                events,
                &room.room_version,
                &ring,
                &ValidateOptions::default(),
            );
            let damage = &room.damage;
            for (i, event) in validation.report.events.iter().enumerate() {
                let at = Some(i as u32);
                let (verdict, pruned) = if at == damage.bad_signature {
                    (Verdict::Dropped, None)
                } else if at == damage.tampered {
                    (Verdict::Redacted, Some(false))
                } else if at == damage.redacted || damage.pruned.contains(&(i as u32)) {
                    (Verdict::Redacted, Some(true))
                } else {
                    (Verdict::Valid, None)
                };
                assert_eq!(
                    (event.verdict, event.pruned_by_sender),
                    (verdict, pruned),
                    "v{version} event {i}: {:?}",
                    event.problems
                );
                assert_eq!(event.event_id.as_deref(), Some(room.event_ids[i].as_str()));
            }
            assert_eq!(
                validation.report.counts.valid,
                room.pdus.len() - 5,
                "v{version}"
            );
            assert!(validation.report.missing_keys.is_empty());
        }
    }
}

/// The benchmark stages run the real checks: on an undamaged room every stage accepts every
/// event, a warm-up covers a tenth, and a tampered room is caught by the stages that check.
#[test]
fn bench_stages_accept_an_undamaged_room_and_catch_damage() {
    use mxdag::generate::bench::{Stage, ValidationBench};
    use mxdag::generate::{generate_room, Damage, GenerateOptions};
    let options = |damage: Damage| GenerateOptions {
        room_version: "11".into(),
        shape: ShapeOptions {
            events: 120,
            seed: 7,
            ..ShapeOptions::default()
        },
        damage,
        ..GenerateOptions::default()
    };
    let room = generate_room(&options(Damage::default())).expect("v11 exists");
    let bench = ValidationBench::new(&room);
    assert_eq!(bench.texts().len(), 120);
    assert_eq!(bench.transactions().len(), 2);
    for stage in Stage::ALL {
        assert_eq!(Stage::from_name(stage.name()), Some(stage));
        assert_eq!(bench.run(stage, false), 120, "{}", stage.name());
        // A tenth of the inputs: 12 of 120 events, or 1 of 2 transactions of 100.
        let warm_up = if stage == Stage::Full { 100 } else { 12 };
        assert_eq!(bench.run(stage, true), warm_up, "{} warm-up", stage.name());
    }
    assert_eq!(Stage::from_name("everything"), None);

    let damaged = generate_room(&options(Damage {
        bad_signature: true,
        ..Damage::default()
    }))
    .expect("v11 exists");
    let bench = ValidationBench::new(&damaged);
    assert_eq!(bench.run(Stage::SignatureSingle, false), 119);
    assert_eq!(bench.run(Stage::SignatureBatch, false), 119);
    assert_eq!(bench.run(Stage::SignatureSlice, false), 119);
    assert_eq!(bench.run(Stage::Full, false), 119);
}
