//! The session's one entry point: any text, with or without a room version, as an input and
//! as keys; then everything an inspector asks of the session afterwards. With bit 5 of the
//! first byte, the text is also taken by a session that takes lists in parts of one item:
//! its report must be the one taking it whole gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mxdag::room_version::ALL;
use mxdag::session::{Ingest, RoomSession};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    // The low bits pick the room version (or none), bit 7 whether the events are outliers.
    let version = ALL.get(usize::from(selector & 0x0f)).copied();
    let outliers = selector & 0x80 != 0;
    let mut session = RoomSession::new(None, version);
    let how = Ingest {
        source: "fuzz",
        outliers,
        via_backfill: selector & 0x40 != 0,
        ..Ingest::default()
    };
    let report = session.ingest(&text, &how);
    if selector & 0x20 != 0 {
        let mut parts = RoomSession::new(None, version);
        parts.set_part_events(1);
        let mut in_parts = parts.ingest(&text, &how);
        let mut whole = report.clone();
        // Keys among the events are added as their part comes: the events before them are
        // judged again then, which only the count of events judged again says.
        in_parts.rejudged = None;
        whole.rejudged = None;
        assert_eq!(in_parts, whole, "taken in parts, the report is the one taken whole");
        assert!(parts.rows() == session.rows());
    }
    session.add_keys(&text);
    // The same text again: everything is now known or a duplicate.
    session.ingest(&text, &how);
    for event in report.events.iter().take(8) {
        if let Some(id) = &event.event_id {
            let _ = session.details(id);
        }
    }
    let _ = session.rows();
    let _ = session.summaries();
    let _ = session.missing_keys();
    if version.is_none() {
        // The version named late: events waiting for it are judged now.
        let _ = session.set_room_version(ALL[usize::from(selector >> 4) % ALL.len()]);
    }
});
