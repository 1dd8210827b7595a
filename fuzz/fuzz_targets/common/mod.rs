//! Small event records built from fuzz bytes, shared by the DAG, contract and planner targets.
//! IDs come from a small pool so that records name each other (forks, merges, cycles,
//! duplicates with other content, gaps) far more often than random strings would.
#![allow(dead_code)]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use mxdag::dag::{DagEvent, Placement, RoomDag};

/// The room of the records (and of the held DAGs).
pub const ROOM: &str = "!fuzz:example.org";

/// `$e<n>:example.org`, `n` from a pool of 24 (a few odd IDs among them).
pub fn event_id(u: &mut Unstructured) -> Result<String> {
    let n: u8 = u.int_in_range(0..=23)?;
    Ok(match n {
        20 => String::new(),
        21 => "$".to_owned(),
        22 => "not an event id".to_owned(),
        23 => format!("$e{}\u{0}:example.org", u.int_in_range(0..=3u8)?),
        n => format!("$e{n}:example.org"),
    })
}

/// One record: mostly of [`ROOM`], sometimes of another room or of none.
pub fn record(u: &mut Unstructured) -> Result<DagEvent> {
    let room_id = match u.int_in_range(0..=9u8)? {
        0 => None,
        1 => Some("!other:example.org".to_owned()),
        _ => Some(ROOM.to_owned()),
    };
    let prevs = u.int_in_range(0..=4u8)?;
    let auths = u.int_in_range(0..=2u8)?;
    Ok(DagEvent {
        event_id: event_id(u)?,
        room_id,
        prev_events: (0..prevs).map(|_| event_id(u)).collect::<Result<_>>()?,
        auth_events: (0..auths).map(|_| event_id(u)).collect::<Result<_>>()?,
        depth: small_or_any(u)?,
        origin_server_ts: small_or_any(u)?,
        sender: "@fuzz:example.org".to_owned(),
        event_type: if u.arbitrary()? {
            "m.room.message".to_owned()
        } else {
            "m.room.member".to_owned()
        },
        state_key: if u.arbitrary()? {
            Some(String::new())
        } else {
            None
        },
        content_fingerprint: u.int_in_range(0..=2u64)?,
    })
}

/// Up to `max` records.
pub fn records(u: &mut Unstructured, max: usize) -> Result<Vec<DagEvent>> {
    let n = u.int_in_range(0..=max)?;
    (0..n).map(|_| record(u)).collect()
}

/// A DAG of up to `max` records, each a timeline event or an outlier.
pub fn dag(u: &mut Unstructured, max: usize) -> Result<RoomDag> {
    let mut dag = if u.arbitrary()? {
        RoomDag::for_room(ROOM)
    } else {
        RoomDag::new()
    };
    for event in records(u, max)? {
        let placement = if u.ratio(1u8, 5u8)? {
            Placement::Outlier
        } else {
            Placement::Timeline
        };
        dag.insert(&event, placement);
    }
    Ok(dag)
}

/// Mostly a small number, sometimes any `i64` (the extremes included).
fn small_or_any(u: &mut Unstructured) -> Result<i64> {
    if u.ratio(1u8, 8u8)? {
        u.arbitrary()
    } else {
        u.int_in_range(-2..=40)
    }
}
