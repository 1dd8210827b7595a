//! Events that need a room version nobody has named yet: they wait for one
//! ([`RoomSession::set_room_version`]); the whole room can be read again as another
//! version ([`RoomSession::reread`]), dropped events included.

use super::held::Meta;
use super::ingest::Taking;
use super::report::{IngestReport, VersionFrom};
use super::room_versions::NamedVersions;
use super::RoomSession;
use crate::canonical_json::Value;
use crate::event::codes as event_codes;
use crate::event::received::{Form, Received};
use crate::event::report::{Counts, Report};
use crate::event::verdict::room_version_named;
use crate::event::{EventReport, Judged, Validation, Verdict};
use crate::input::{Input, InputEvent, InputShape};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// An event waiting for the room version: its JSON as the input carried it and what the
/// input said of it.
#[derive(Clone, Debug)]
pub(crate) struct Waiting {
    pub json: String,
    pub meta: Meta,
    pub source: u32,
    pub outlier: bool,
}

impl RoomSession {
    /// The room version for `input` (its own default: events of rooms no create event
    /// names and the session does not hold are judged with it), and where it came from. A
    /// version given judges every event, and an input naming another is warned about. Else
    /// an input naming a version judges with it (each room still with its own,
    /// [`super::room_versions`]), warned about only where it names for a room held
    /// another version; the first named becomes the session's. One mxdag does not know is
    /// an error.
    pub(super) fn version_for(
        &mut self,
        input: &Input,
        by_room: &NamedVersions,
        problems: &mut Vec<Problem>,
    ) -> (Option<RoomVersion>, Option<VersionFrom>) {
        let named = match room_version_named(input) {
            Ok(named) => named,
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        match (self.version, named) {
            (None, None) => (None, None),
            (None, Some(v)) => {
                self.version = Some(v);
                (Some(v), Some(VersionFrom::Input))
            }
            (Some(held), Some(named)) if named != held && self.version_given => {
                problems.push(Problem::warning(
                    event_codes::ROOM_VERSION_MISMATCH,
                    "$",
                    format!("The input names room version {named}, but its events are judged as room version {held} (the version given)."),
                ));
                (Some(held), Some(VersionFrom::Given))
            }
            (Some(held), Some(named)) if !self.version_given => {
                for (room, named, held) in self.held_otherwise(by_room) {
                    problems.push(Problem::warning(
                        event_codes::ROOM_VERSION_MISMATCH,
                        "$",
                        format!("The input names room version {named} for room {room}, which the session holds as room version {held}; the input's events are judged as room version {named}."),
                    ));
                }
                match named == held {
                    true => (Some(held), Some(VersionFrom::Session)),
                    false => (Some(named), Some(VersionFrom::Input)),
                }
            }
            (Some(held), _) => {
                let from = match self.version_given {
                    true => VersionFrom::Given,
                    false => VersionFrom::Session,
                };
                (Some(held), Some(from))
            }
        }
    }

    /// Sets the room version for events judged from now on, and judges the events that
    /// waited for one; returns what taking them did, when any waited.
    pub fn set_room_version(&mut self, version: RoomVersion) -> Option<IngestReport> {
        self.version = Some(version);
        self.version_given = true;
        self.take_waiting(version)
    }

    /// Names the session's room version ahead of its inputs, as the first of several
    /// inputs that names one does (`mxdag check a.json b.json` reads it before taking any):
    /// events of rooms no create event names are judged with it, as if an input had named
    /// it, while each room keeps the version its own create event names (unlike
    /// [`Self::set_room_version`]). Events that waited for a version are judged; returns
    /// what that did, when any waited. Nothing changes when the session has a version.
    pub fn name_room_version(&mut self, version: RoomVersion) -> Option<IngestReport> {
        if self.version.is_some() {
            return None;
        }
        self.version = Some(version);
        self.take_waiting(version)
    }

    /// Judges the events that waited for a room version with `version`, now the session's.
    fn take_waiting(&mut self, version: RoomVersion) -> Option<IngestReport> {
        if self.waiting.is_empty() {
            return None;
        }
        let waiting = std::mem::take(&mut self.waiting);
        let mut out: Option<IngestReport> = None;
        // In input order, one input at a time (each keeps its source and placement).
        let mut start = 0;
        while start < waiting.len() {
            let group = &waiting[start..];
            let len = group
                .iter()
                .take_while(|w| (w.source, w.outlier) == (group[0].source, group[0].outlier))
                .count();
            let events: Vec<_> = group[..len].iter().map(|w| w.to_input_event()).collect();
            let named = NamedVersions::of(&events);
            let taking = Taking {
                source: group[0].source,
                outliers: group[0].outlier,
                via_backfill: true,
                request: None,
                status: None,
                keep_dropped: true,
                text: "",
                judgements: &[],
                known: None,
                items: None,
                named: &named,
            };
            let report = self.take(events, Some(version), InputShape::Array, &taking);
            out = Some(match out {
                None => report,
                Some(mut all) => {
                    all.merge(report);
                    all
                }
            });
            start += len;
        }
        out.map(|mut report| {
            report.source = "events that waited for the room version".to_owned();
            report.room_version = Some(version.id.to_owned());
            report.version_from = Some(match self.version_given {
                true => VersionFrom::Given,
                false => VersionFrom::Session,
            });
            report
        })
    }

    /// Reads every held and waiting event again as room `version`: a new DAG (event IDs
    /// depend on the version), the same keys, sources and labels. Returns what taking them
    /// did.
    pub fn reread(&mut self, version: RoomVersion) -> IngestReport {
        let mut events: Vec<Waiting> = Vec::new();
        for room in &self.rooms {
            for node in room.dag.nodes() {
                if let Some(held) = room.held(node) {
                    events.push(Waiting {
                        json: held.json.clone(),
                        meta: held.meta.clone(),
                        source: held.source,
                        outlier: room.dag.is_outlier(node),
                    });
                }
            }
        }
        events.extend(std::mem::take(&mut self.dropped));
        crate::sort::sort_by_key(&mut events, |w| w.source);
        events.extend(std::mem::take(&mut self.waiting));
        let mut fresh = RoomSession::new(self.fixed_room.as_deref(), None);
        fresh.keys = std::mem::take(&mut self.keys);
        fresh.sources = std::mem::take(&mut self.sources);
        fresh.waiting = events;
        *self = fresh;
        // The version chosen judges every event, whatever their create events name.
        self.version_given = true;
        self.set_room_version(version)
            .unwrap_or_else(|| IngestReport {
                room_version: Some(version.id.to_owned()),
                ..IngestReport::empty()
            })
    }

    /// Keeps the events of `reports` that were dropped under a version the input did not
    /// name (`kept` holds their JSON as received), so that [`Self::reread`] can judge them
    /// again as another version.
    pub(super) fn keep_dropped(
        &mut self,
        reports: &[EventReport],
        kept: Vec<Option<String>>,
        metas: Vec<Option<Meta>>,
        taking: &Taking,
    ) {
        let start = reports.len().saturating_sub(kept.len());
        for ((report, json), meta) in reports[start..].iter().zip(kept).zip(metas) {
            if let (Verdict::Dropped, Some(json), Some(meta)) = (report.verdict, json, meta) {
                self.dropped.push(Waiting {
                    json,
                    meta,
                    source: taking.source,
                    outlier: taking.outliers,
                });
            }
        }
    }

    /// Events taken with no room version known. Events that are no PDU (client format,
    /// scenarios) are placed under the ID they carry; PDUs wait for the room version (their
    /// IDs cannot be computed without it).
    pub(super) fn unversioned(&mut self, events: Vec<InputEvent>, taking: &Taking) -> Validation {
        let mut reports = Vec::with_capacity(events.len());
        let mut judged = Vec::with_capacity(events.len());
        for (index, event) in events.into_iter().enumerate() {
            let meta = Meta::of(&event);
            let InputEvent {
                label,
                value,
                row_id,
                origin,
                ..
            } = event;
            let (verdict, problem, item) = match value {
                Err(problem) => (Verdict::Dropped, problem, Judged::Unusable),
                Ok(Value::Object(object)) => {
                    let received =
                        Received::reduce(object, &RoomVersion::V1, row_id, origin, &label);
                    match (received.form, received.written_id.clone()) {
                        (Form::Client | Form::Scenario, Some(id)) => {
                            let why = received.not_checkable(&label);
                            (
                                Verdict::Unchecked,
                                why.unwrap_or_else(|| waiting_problem(&label)),
                                Judged::Written {
                                    event_id: id,
                                    event: received.event,
                                },
                            )
                        }
                        _ => {
                            self.waiting.push(Waiting {
                                json: crate::canonical_json::to_string(&Value::Object(
                                    received.event,
                                )),
                                meta,
                                source: taking.source,
                                outlier: taking.outliers,
                            });
                            (
                                Verdict::Unchecked,
                                waiting_problem(&label),
                                Judged::Unusable,
                            )
                        }
                    }
                }
                Ok(other) => (
                    Verdict::Dropped,
                    crate::event::pdu::not_object(&other, &label),
                    Judged::Unusable,
                ),
            };
            reports.push(EventReport {
                index,
                label,
                event_id: match &item {
                    Judged::Written { event_id, .. } => Some(event_id.clone()),
                    _ => None,
                },
                verdict,
                pruned_by_sender: None,
                problems: vec![problem],
            });
            judged.push(item);
        }
        Validation {
            report: Report {
                room_version: String::new(),
                input: InputShape::Array,
                counts: Counts::of(&reports),
                events: reports,
                problems: Vec::new(),
                missing_keys: Vec::new(),
            },
            events: judged,
            canonical: Vec::new(),
        }
    }
}

impl Waiting {
    fn to_input_event(&self) -> InputEvent {
        self.meta.input_event(&self.json)
    }
}

/// The problem of an event waiting for the room version.
fn waiting_problem(label: &str) -> Problem {
    Problem::warning(
        event_codes::UNKNOWN_ROOM_VERSION,
        "$",
        format!("{label}: no room version is known yet (no m.room.create in the inputs, none given), so the event's ID cannot be computed; it waits for the room version."),
    )
}
