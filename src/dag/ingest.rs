//! Turning judged events into [`DagEvent`]s: a format-checked [`Pdu`] under its computed ID,
//! or an event that is no PDU under the ID the input gives it. The one path every input
//! takes to the DAG is the room session ([`crate::session`]).

use super::event::DagEvent;
use super::json::dag_event_with_fingerprint;
use crate::event::{Judged, Pdu};
use crate::problem::Problem;

impl From<&Pdu> for DagEvent {
    /// The DAG fields of a format-checked PDU. The room of a room version 12 create event is
    /// the one it defines; see [`DagEvent::fingerprint_of_event`] for the fingerprint.
    fn from(pdu: &Pdu) -> Self {
        DagEvent::of_pdu(pdu, DagEvent::fingerprint_of_event(&pdu.event))
    }
}

impl DagEvent {
    /// [`DagEvent::from`] a PDU whose fingerprint is known.
    fn of_pdu(pdu: &Pdu, content_fingerprint: u64) -> Self {
        DagEvent {
            event_id: pdu.event_id.clone(),
            room_id: pdu.fields.room_id.clone().or_else(|| pdu.create_room_id()),
            prev_events: pdu.fields.prev_events.clone(),
            auth_events: pdu.fields.auth_events.clone(),
            depth: pdu.fields.depth,
            origin_server_ts: pdu.fields.origin_server_ts,
            sender: pdu.fields.sender.clone(),
            event_type: pdu.fields.event_type.clone(),
            state_key: pdu.fields.state_key.clone(),
            content_fingerprint,
        }
    }
}

/// The DAG fields of one judged event of an input, or the problem that keeps it out of
/// the DAG (`None`: nothing to place). Boxed: an input holds one per event, most of them
/// placed only later, and a large input must not hold hundreds of bytes per event for it.
pub type Placeable = Option<Result<Box<DagEvent>, Box<Problem>>>;

impl DagEvent {
    /// The DAG fields of a judged event, or the problem that keeps it out of the DAG, and
    /// its canonical JSON (empty when it is unusable), written once for both unless a PDU's
    /// are `canonical` (its JSON and fingerprint, when not empty).
    pub fn of_judged(judged: &Judged, canonical: Option<(String, u64)>) -> (Placeable, String) {
        match judged {
            Judged::Pdu(pdu) => {
                let (json, fingerprint) = canonical
                    .filter(|(json, _)| !json.is_empty())
                    .unwrap_or_else(|| DagEvent::canonical_and_fingerprint(&pdu.event));
                (Some(Ok(Box::new(DagEvent::of_pdu(pdu, fingerprint)))), json)
            }
            Judged::Written { event_id, event } => {
                let (json, fingerprint) = DagEvent::canonical_and_fingerprint(event);
                let placeable = dag_event_with_fingerprint(event_id, event, fingerprint)
                    .map(Box::new)
                    .map_err(Box::new);
                (Some(placeable), json)
            }
            Judged::Unusable => (None, String::new()),
        }
    }
}
