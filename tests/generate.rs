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
