//! Taking one input: recognise, judge, check the contract, place; and judging held events
//! again when keys arrive.

use super::held::{Held, Meta};
use super::report::{Contract, EventDetails, IngestReport, Neighbour, Rejudged, VersionFrom};
use super::{Ingest, RoomSession};
use crate::canonical_json::Value;
use crate::crypto::codes as key_codes;
use crate::crypto::keys::KeysAdded;
use crate::dag::walk::Children;
use crate::dag::{DagEvent, Placement, RoomDag};
use crate::event::codes as event_codes;
use crate::event::report::{Counts, Outcome, Report};
use crate::event::verdict::room_version_named;
use crate::event::{validate_events, EventReport, Judged, ValidateOptions, Validation, Verdict};
use crate::federation::contract::{check_readable, check_response, ResponseBody, Returned};
use crate::federation::error_body::ErrorResponse;
use crate::federation::{codes as fed_codes, AnswerOrdering, ContractVerdict, FederationRequest};
use crate::input::{self, Input, InputEvent, InputShape, Section};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// What [`RoomSession::place`] needs of an input besides its reports.
struct Placing<'a> {
    /// Each event as judged.
    events: &'a [Judged],
    /// The input's index among the session's sources.
    source: u32,
    /// Hold the events as outliers.
    outliers: bool,
}

impl RoomSession {
    /// Takes one input (see [`Ingest`]): keys it carries join the ring first, then its
    /// events are judged, an answer's contract is checked against the DAG as held before
    /// it, and its events are placed. Nothing held is changed by an input that fails.
    pub fn ingest(&mut self, text: &str, how: &Ingest) -> IngestReport {
        let input = input::recognise(text);
        let source = self.sources.len() as u32;
        self.sources.push(how.source.to_owned());
        let mut keys = KeysAdded::default();
        for key in &input.keys {
            keys.extend(self.keys.add(key));
        }
        let rejudged = (keys.added > 0).then(|| self.rejudge());
        let mut problems = input.problems.clone();
        let (version, version_from) = self.version_for(&input, &mut problems);
        let shape = input.shape();
        let title = input.title.clone();
        let via_backfill =
            how.via_backfill || matches!(how.request, Some(FederationRequest::Backfill(_)));
        let metas: Vec<Meta> = input.events.iter().map(Meta::of).collect();
        let validation = match &version {
            Some(v) => validate_events(
                input.events,
                v,
                &self.keys,
                &ValidateOptions { via_backfill },
            ),
            None => unversioned(input.events),
        };
        let Validation { report, events } = validation;
        for key in &report.missing_keys {
            self.missing_keys.insert(key.clone());
        }
        let placed: Vec<Option<Result<DagEvent, Problem>>> =
            events.iter().map(DagEvent::of_judged).collect();
        let contract = how
            .request
            .map(|request| self.contract(request, how.status, shape, text, &placed, &report));
        let mut out = IngestReport {
            source: how.source.to_owned(),
            input: shape,
            room_version: version.map(|v| v.id.to_owned()),
            version_from,
            title,
            counts: report.counts,
            events: Vec::new(),
            problems,
            keys,
            rejudged,
            missing_keys: report.missing_keys.clone(),
            added: 0,
            known: 0,
            refused: 0,
            findings: Vec::new(),
            contract,
            outcome: Outcome::Valid,
        };
        let placing = Placing {
            events: &events,
            source,
            outliers: how.outliers,
        };
        self.place(&mut out, report.events, placed, metas, &placing);
        out.outcome = Report {
            room_version: String::new(),
            input: shape,
            counts: out.counts,
            events: out.events.clone(),
            problems: out.problems.clone(),
            missing_keys: Vec::new(),
        }
        .outcome();
        if out.contract.as_ref().is_some_and(|c| !c.verdict.ok) {
            out.outcome = Outcome::Invalid;
        }
        out
    }

    /// The room version for `input`, and where it came from; a version the input names
    /// that contradicts the one in use is a warning, and one mxdag does not know an error.
    fn version_for(
        &mut self,
        input: &Input,
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
            (Some(held), named) => {
                let from = match self.version_given {
                    true => VersionFrom::Given,
                    false => VersionFrom::Session,
                };
                if let Some(named) = named.filter(|n| *n != held) {
                    problems.push(Problem::warning(
                        event_codes::ROOM_VERSION_MISMATCH,
                        "$",
                        format!("The input names room version {named}, but its events are judged as room version {held} ({}).", match from {
                            VersionFrom::Given => "the version given",
                            _ => "named by an earlier input",
                        }),
                    ));
                }
                (Some(held), Some(from))
            }
        }
    }

    /// Places judged events in the DAG of their rooms and keeps their records.
    fn place(
        &mut self,
        out: &mut IngestReport,
        reports: Vec<EventReport>,
        placed: Vec<Option<Result<DagEvent, Problem>>>,
        metas: Vec<Meta>,
        placing: &Placing,
    ) {
        for (i, ((mut report, dag_event), meta)) in
            reports.into_iter().zip(placed).zip(metas).enumerate()
        {
            let event = match dag_event {
                Some(Ok(event)) => event,
                Some(Err(problem)) => {
                    report.problems.push(problem);
                    out.refused += 1;
                    out.events.push(report);
                    continue;
                }
                None => {
                    out.refused += 1;
                    out.events.push(report);
                    continue;
                }
            };
            let placement = match placing.outliers || meta.section == Section::State {
                true => Placement::Outlier,
                false => Placement::Timeline,
            };
            let slot = self.room_slot(event.room_id.as_deref());
            let room = &mut self.rooms[slot];
            let was_held = room
                .dag
                .index_of(&event.event_id)
                .is_some_and(|n| room.dag.is_held(n));
            let findings_before = room.dag.ingest_findings().len();
            match room.dag.insert(&event, placement) {
                Some(_) if was_held => out.known += 1,
                Some(node) => {
                    out.added += 1;
                    let json = match &placing.events[i] {
                        Judged::Pdu(pdu) => pdu.to_canonical_json(),
                        Judged::Written { event, .. } => {
                            crate::canonical_json::to_string(&Value::Object(event.clone()))
                        }
                        Judged::Unusable => String::new(),
                    };
                    let index = node as usize;
                    if room.held.len() <= index {
                        room.held.resize(index + 1, None);
                    }
                    room.held[index] = Some(Held {
                        json,
                        verdict: report.verdict,
                        pruned_by_sender: report.pruned_by_sender == Some(true),
                        problems: report.problems.clone(),
                        source: placing.source,
                        meta,
                    });
                    let clash = report
                        .problems
                        .iter()
                        .find(|p| p.code == event_codes::EVENT_ID_MISMATCH);
                    if let Some(clash) = clash {
                        let finding =
                            Problem::error(clash.code, "$.event_id", clash.message.clone());
                        room.findings.push(finding.clone());
                        out.findings.push(finding);
                    }
                }
                None => out.refused += 1,
            }
            out.findings
                .extend_from_slice(&room.dag.ingest_findings()[findings_before..]);
            out.events.push(report);
        }
    }

    /// The contract verdict of an answer to `request`, against the DAG of its room as held
    /// before the answer.
    fn contract(
        &self,
        request: &FederationRequest,
        status: Option<u16>,
        shape: InputShape,
        text: &str,
        placed: &[Option<Result<DagEvent, Problem>>],
        report: &Report,
    ) -> Contract {
        let empty;
        let dag = match self
            .dag_of(request.room_id())
            .or(self.fixed_dag(request.room_id()))
        {
            Some(dag) => dag,
            None => {
                empty = RoomDag::for_room(request.room_id());
                &empty
            }
        };
        let verdict = answer_verdict(dag, request, status, shape, text, placed, report);
        Contract {
            endpoint: request.endpoint(),
            room_id: request.room_id().to_owned(),
            verdict,
        }
    }

    /// The fixed room's DAG when it is `room_id`.
    fn fixed_dag(&self, room_id: &str) -> Option<&RoomDag> {
        (self.fixed_room.as_deref() == Some(room_id))
            .then(|| self.dag())
            .flatten()
    }

    /// Judges held events that are unchecked for want of keys again, with the keys held now.
    pub fn rejudge(&mut self) -> Rejudged {
        let Some(version) = self.version else {
            return Rejudged::default();
        };
        let mut out = Rejudged::default();
        self.missing_keys.clear();
        for room in &mut self.rooms {
            let waiting: Vec<usize> = room
                .held
                .iter()
                .enumerate()
                .filter_map(|(i, h)| h.as_ref().filter(|h| waits_for_keys(h)).map(|_| i))
                .collect();
            if waiting.is_empty() {
                continue;
            }
            let events: Vec<InputEvent> = waiting
                .iter()
                .filter_map(|&i| room.held[i].as_ref().map(Held::to_input_event))
                .collect();
            let validation = validate_events(
                events,
                &version,
                &self.keys,
                &ValidateOptions { via_backfill: true },
            );
            self.missing_keys
                .extend(validation.report.missing_keys.iter().cloned());
            for (&i, report) in waiting.iter().zip(validation.report.events) {
                let Some(held) = room.held[i].as_mut() else {
                    continue;
                };
                out.judged += 1;
                if report.verdict == Verdict::Unchecked {
                    out.still_unchecked += 1;
                } else {
                    out.checked += 1;
                }
                held.verdict = report.verdict;
                held.pruned_by_sender = report.pruned_by_sender == Some(true);
                let set_aside = held
                    .problems
                    .iter()
                    .filter(|p| p.code == event_codes::NON_PDU_KEYS_SET_ASIDE)
                    .cloned();
                let mut problems: Vec<Problem> = report.problems;
                problems.extend(set_aside);
                problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
                held.problems = problems;
            }
        }
        out
    }

    /// Details of `event_id` in the session's rooms: held, or only referenced (a gap).
    pub fn details(&self, event_id: &str) -> Option<EventDetails> {
        let room = self
            .rooms
            .iter()
            .find(|r| r.dag.index_of(event_id).is_some())?;
        let dag = &room.dag;
        let node = dag.index_of(event_id)?;
        let held = room.held(node);
        let neighbour = |n| Neighbour {
            event_id: dag.event_id(n),
            held: dag.is_held(n),
        };
        let children = Children::build(dag, true);
        Some(EventDetails {
            event_id: event_id.to_owned(),
            held: dag.is_held(node),
            outlier: dag.is_outlier(node),
            json: held.map(|h| h.json.clone()),
            verdict: held.map(|h| h.verdict),
            pruned_by_sender: held.is_some_and(|h| h.pruned_by_sender),
            problems: held.map(|h| h.problems.clone()).unwrap_or_default(),
            source: held.map(|h| format!("{}, {}", self.source_name(h.source), h.meta.label)),
            annotation: held.and_then(|h| h.meta.annotation.clone()),
            origin: held.map(|h| h.meta.origin),
            summary: held.map(|h| h.meta.summary.clone()),
            prev: dag
                .prev_events(node)
                .iter()
                .map(|&n| neighbour(n))
                .collect(),
            next: children.of(node).iter().map(|&n| neighbour(n)).collect(),
        })
    }
}

/// Whether a held event is unchecked only for want of keys.
fn waits_for_keys(held: &Held) -> bool {
    held.verdict == Verdict::Unchecked
        && held
            .problems
            .iter()
            .any(|p| p.code == key_codes::SIGNING_KEY_UNKNOWN)
}

/// Events judged with no room version known: placed under the ID they name, unchecked.
fn unversioned(events: Vec<InputEvent>) -> Validation {
    let mut reports = Vec::with_capacity(events.len());
    let mut judged = Vec::with_capacity(events.len());
    for (index, event) in events.into_iter().enumerate() {
        let label = event.label;
        let (verdict, problem, item) = match event.value {
            Err(problem) => (Verdict::Dropped, problem, Judged::Unusable),
            Ok(Value::Object(object)) => {
                let id = object
                    .get("event_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or(event.row_id);
                match id {
                    Some(id) => (
                        Verdict::Unchecked,
                        Problem::warning(
                            event_codes::UNKNOWN_ROOM_VERSION,
                            "$",
                            format!("{label}: no room version is known (no m.room.create in the inputs, none given), so nothing of the event can be checked; it is placed under the ID it names, {id}."),
                        ),
                        Judged::Written { event_id: id, event: object },
                    ),
                    None => (
                        Verdict::Dropped,
                        Problem::error(
                            event_codes::UNKNOWN_ROOM_VERSION,
                            "$.event_id",
                            format!("{label}: no room version is known to compute the event's ID from (give the room version), and the event names none."),
                        ),
                        Judged::Unusable,
                    ),
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
    }
}

/// The contract verdict of an answer whose events were judged and read for the DAG.
fn answer_verdict(
    dag: &RoomDag,
    request: &FederationRequest,
    status: Option<u16>,
    shape: InputShape,
    text: &str,
    placed: &[Option<Result<DagEvent, Problem>>],
    report: &Report,
) -> ContractVerdict {
    let broken = |message: String| ContractVerdict {
        ok: false,
        ordering: AnswerOrdering::None,
        problems: vec![Problem::error(fed_codes::RESPONSE_SHAPE, "$", message)],
    };
    if let Some(error) = ErrorResponse::classify(status, text) {
        if let Some(ok) = status.filter(|s| (200..300).contains(s)) {
            let errcode = error.errcode.as_deref().unwrap_or("an error");
            return broken(format!("The response has status {ok}, a success, but carries {errcode} instead of the answer's events."));
        }
        return check_response(dag, request, ResponseBody::Error(error));
    }
    let field = match shape {
        InputShape::Transaction => "pdus",
        InputShape::GetMissingEvents => "events",
        other => {
            return broken(format!(
                "The response is {}, not a transaction (`pdus`), an `{{events}}` answer nor an error (`errcode`).",
                other.describe()
            ))
        }
    };
    let mut events = Vec::with_capacity(placed.len());
    let mut positions = Vec::with_capacity(placed.len());
    let mut unreadable = Vec::new();
    for (i, (dag_event, event)) in placed.iter().zip(&report.events).enumerate() {
        let prefix = |p: &Problem| Problem {
            path: format!("$.{field}[{i}]{}", p.path.trim_start_matches('$')),
            ..p.clone()
        };
        if let Some(Ok(e)) = dag_event {
            events.push(e.clone());
            positions.push(i);
            let mismatch = event
                .problems
                .iter()
                .filter(|p| p.code == event_codes::EVENT_ID_MISMATCH);
            unreadable.extend(mismatch.map(prefix));
        } else {
            let errors = event.problems.iter().filter(|p| p.is_error());
            unreadable.extend(errors.map(prefix));
        }
    }
    let returned = Returned {
        positions: &positions,
        total: placed.len(),
    };
    let mut verdict = check_readable(dag, request, ResponseBody::Events(&events), Some(returned));
    if !unreadable.is_empty() {
        verdict.ok &= !unreadable.iter().any(Problem::is_error);
        unreadable.append(&mut verdict.problems);
        verdict.problems = unreadable;
    }
    verdict
}
