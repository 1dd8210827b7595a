//! Taking one input: recognise, judge, check the contract, place. Events that need a room
//! version nobody has named yet wait for one ([`super::version`]).

use super::held::{Held, Meta};
use super::report::{IngestReport, VersionFrom};
use super::room_versions::{NamedVersions, VersionId};
use super::{Auth, StateAuth};
use super::{Ingest, RoomSession};
use crate::canonical_json::Value;
use crate::crypto::keys::KeysAdded;
use crate::dag::{DagEvent, NodeIndex, Placeable, Placement};
use crate::event::codes as event_codes;
use crate::event::report::{Counts, Outcome, ProblemBudget};
use crate::event::verdict::{into_accepted, validate_part};
use crate::event::{EventReport, Judged, Known, ValidateOptions, Validation, Verdict};
use crate::federation::FederationRequest;
use crate::input::{self, read_spans, InputEvent, InputShape, Section, SpanKind};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// How a list of events is taken: from which input, as outliers, by backfill.
#[derive(Clone, Copy)]
pub(super) struct Taking<'a> {
    pub source: u32,
    pub outliers: bool,
    pub via_backfill: bool,
    pub request: Option<&'a FederationRequest>,
    pub status: Option<u16>,
    /// Whether events dropped under `version` are kept to be read again as another version
    /// (the version was given or chosen, not named by the input's own `m.room.create`).
    pub keep_dropped: bool,
    /// The input's text, for an answer's error body (and for judgements).
    pub text: &'a str,
    /// Judgements of the input's signatures made on other cores ([`super::parallel`]).
    pub judgements: &'a [Vec<u8>],
    /// What they say of the events taken, when the caller read them for a whole input
    /// taken in parts ([`super::parts`]); else read here from `judgements`.
    pub known: Option<&'a [Option<Known>]>,
    /// Where the events taken lie in `text` and how they are read, when the caller knows
    /// (a part of an input taken in parts): those dropped are read again from there to be
    /// kept, instead of every event's JSON being written beforehand.
    pub items: Option<(&'a [(usize, usize)], SpanKind)>,
    /// The room versions the input's create events name, for rooms of other versions
    /// than the session's ([`super::room_versions`]).
    pub named: &'a NamedVersions,
}

/// One judged event on its way into the DAG.
struct ToPlace {
    report: EventReport,
    /// Its DAG record, or why it has none.
    dag_event: Placeable,
    /// What the input said of it.
    meta: Meta,
    /// Its canonical JSON, kept when it is placed.
    json: String,
    /// The event as judged.
    judged: Judged,
}

/// What placing the parts of one input leaves for the end of it: check 4 runs once the
/// input's events are all placed, as does the summary of problems left out.
#[derive(Default)]
pub(super) struct Placing {
    /// By room slot: the nodes check 4 left waiting for auth events (those still waiting
    /// at the input's end are counted then).
    pub waited: Vec<(usize, Vec<NodeIndex>)>,
    /// By event of the report: its room slot and node, when it was placed.
    pub placed_at: Vec<Option<(usize, NodeIndex)>>,
    /// Caps the problems listed in the input's report.
    budget: ProblemBudget,
}

impl RoomSession {
    /// Takes one input (see [`Ingest`]): keys it carries join the ring first, then its
    /// events are judged, an answer's contract is checked against the DAG as held before
    /// it, and its events are placed. Nothing held is changed by an input that fails.
    pub fn ingest(&mut self, text: &str, how: &Ingest) -> IngestReport {
        self.ingest_with(text, how, &[])
    }

    /// [`Self::ingest`], with judgements made on other cores (see [`super::parallel`]).
    pub(super) fn ingest_with(
        &mut self,
        text: &str,
        how: &Ingest,
        judgements: &[Vec<u8>],
    ) -> IngestReport {
        match self.ingest_parts(text, how, judgements) {
            Some(report) => report,
            None => self.ingest_whole(text, how, judgements),
        }
    }

    /// [`Self::ingest_judged`](super::parallel) of a text the caller gives up: a large list
    /// taken in parts keeps it without copying it.
    pub fn ingest_owned(
        &mut self,
        text: String,
        how: &Ingest,
        judgements: &[Vec<u8>],
    ) -> IngestReport {
        match self.begin_parts(text, how) {
            Ok(mut taking) => {
                self.take_judged_parts(&mut taking, judgements);
                self.finish_parts(taking)
            }
            Err(text) => self.ingest_whole(&text, how, judgements),
        }
    }

    /// [`Self::ingest_with`], the input read whole.
    fn ingest_whole(&mut self, text: &str, how: &Ingest, judgements: &[Vec<u8>]) -> IngestReport {
        // An answer that names events (`/timestamp_to_event`, MSC4370 `/extremities`) carries
        // none to take: only its contract is checked.
        let input = match how.request {
            Some(request) if request.names_events() => input::event_ids(text),
            _ => input::recognise(text),
        };
        let source = self.sources.len() as u32;
        self.sources.push(how.source.to_owned());
        let mut keys = KeysAdded::default();
        for key in &input.keys {
            keys.extend(self.keys.add(key));
        }
        let rejudged = (keys.added > 0).then(|| self.rejudge());
        let mut problems = input.problems.clone();
        let named = NamedVersions::of(&input.events);
        let (version, version_from) = self.version_for(&input, &named, &mut problems);
        let shape = input.shape();
        let title = input.title.clone();
        let taking = Taking {
            source,
            outliers: how.outliers,
            via_backfill: how.via_backfill
                || matches!(how.request, Some(FederationRequest::Backfill(_))),
            request: how.request,
            status: how.status,
            keep_dropped: version.is_some() && version_from != Some(VersionFrom::Input),
            text,
            judgements,
            known: None,
            items: None,
            named: &named,
        };
        let mut out = self.take(input.events, version, shape, &taking);
        out.source = how.source.to_owned();
        out.version_from = version_from;
        out.title = title;
        out.keys = keys;
        out.rejudged = rejudged;
        out.problems.splice(0..0, problems);
        out.outcome = outcome_of(&out);
        out
    }

    /// Judges `events` (with `version`, else they wait for one), checks an answer's
    /// contract, and places them.
    pub(super) fn take(
        &mut self,
        events: Vec<InputEvent>,
        version: Option<RoomVersion>,
        shape: InputShape,
        taking: &Taking,
    ) -> IngestReport {
        let mut placing = Placing::default();
        let mut out = self.take_in_runs(events, version, shape, taking, &mut placing);
        self.finish_taking(&mut out, placing, taking);
        out
    }

    /// Takes `events` as [`Self::take_part`] does, each run of consecutive events of one
    /// room version ([`super::room_versions`]) with its version. Judgements made on other
    /// cores (with `version`) count only for the runs of `version`. An answer to a request
    /// is judged whole (its contract is of the whole answer), with the version of its
    /// first event's room.
    pub(super) fn take_in_runs(
        &mut self,
        events: Vec<InputEvent>,
        version: Option<RoomVersion>,
        shape: InputShape,
        taking: &Taking,
        placing: &mut Placing,
    ) -> IngestReport {
        let Some(versions) = self.versions_of(&events, taking.named, version) else {
            return self.take_part(events, version, shape, taking, placing);
        };
        let of = |id: VersionId| id.and_then(RoomVersion::from_id);
        if taking.request.is_some() {
            return self.take_part(events, of(versions[0]), shape, taking, placing);
        }
        let mut out = IngestReport::empty();
        let mut events = events.into_iter();
        let mut start = 0;
        for run in versions.chunk_by(|a, b| a == b) {
            let end = start + run.len();
            let judged = run[0] == version.map(|v| v.id);
            let part = Taking {
                judgements: &[],
                known: taking
                    .known
                    .filter(|_| judged)
                    .and_then(|k| k.get(start..end)),
                items: taking
                    .items
                    .and_then(|(spans, kind)| Some((spans.get(start..end)?, kind))),
                ..*taking
            };
            let run_events = events.by_ref().take(run.len()).collect();
            out.merge(self.take_part(run_events, of(run[0]), shape, &part, placing));
            start = end;
        }
        out.input = shape;
        out.room_version = version.map(|v| v.id.to_owned());
        out
    }

    /// Check 4 for what an input's parts placed, the summary of the problems left out, and
    /// the input's outcome.
    pub(super) fn finish_taking(
        &mut self,
        out: &mut IngestReport,
        placing: Placing,
        taking: &Taking,
    ) {
        let Placing {
            waited,
            placed_at,
            budget,
        } = placing;
        self.settle(out, waited, &placed_at);
        if let Some((first, summary)) = budget.summary() {
            out.events[first].problems.push(summary);
        }
        out.waiting = self
            .waiting
            .iter()
            .filter(|w| w.source == taking.source)
            .count();
        out.outcome = outcome_of(out);
    }

    /// [`Self::take`] but for check 4: judges `events`, the input's events from
    /// `placing.placed_at.len()` on, checks an answer's contract and places them.
    pub(super) fn take_part(
        &mut self,
        events: Vec<InputEvent>,
        version: Option<RoomVersion>,
        shape: InputShape,
        taking: &Taking,
        placing: &mut Placing,
    ) -> IngestReport {
        let plain = |i: usize| taking.known?.get(i)?.as_ref()?.plain.as_deref();
        let metas: Vec<Meta> = events
            .iter()
            .enumerate()
            .map(|(i, event)| match (plain(i), &version) {
                (Some(plain), Some(v)) => Meta::of_plain(event, plain, v),
                _ => Meta::of(event),
            })
            .collect();
        let items = taking
            .items
            .filter(|(spans, _)| spans.len() == events.len());
        let mut kept: Vec<Option<String>> = match taking.keep_dropped && items.is_none() {
            true => events.iter().map(kept_json).collect(),
            false => Vec::new(),
        };
        let room_id = events
            .iter()
            .enumerate()
            .find_map(|(i, e)| match plain(i) {
                Some(plain) => plain.fields.room_id.as_deref(),
                None => e.value.as_ref().ok()?.get("room_id")?.as_str(),
            })
            .map(str::to_owned);
        let read;
        let (validation, known) = match &version {
            Some(v) => {
                let known = match taking.known {
                    Some(known) => known,
                    None => {
                        read = self.judged_outcomes(
                            taking.text,
                            taking.judgements,
                            v,
                            taking.via_backfill,
                            events.len(),
                        );
                        &read
                    }
                };
                let options = ValidateOptions {
                    via_backfill: taking.via_backfill,
                };
                let offset = placing.placed_at.len();
                let budget = &mut placing.budget;
                let validation =
                    validate_part(events, v, &self.keys, &options, Some(known), budget, offset);
                (validation, known)
            }
            None => (self.unversioned(events, taking), &[][..]),
        };
        let Validation {
            report,
            events,
            mut canonical,
        } = validation;
        // Only the events dropped are kept: read again from the input when it is at hand.
        if let (true, Some((spans, kind))) = (taking.keep_dropped, items) {
            let again = |(event, &span): (&EventReport, &(usize, usize))| {
                let dropped = event.verdict == Verdict::Dropped;
                let mut read = dropped.then(|| read_spans(taking.text, &[span], kind))??;
                kept_json(&read.pop()?)
            };
            kept = report.events.iter().zip(spans).map(again).collect();
        }
        super::note_missing_keys(&mut self.missing_keys, &report.missing_keys);
        // The canonical JSON of an event the input holds as such is its text, when a
        // judgement says so.
        canonical.resize(events.len(), None);
        for (written, known) in canonical.iter_mut().zip(known) {
            if let (Some((json, _)), Some(Some((s, e)))) =
                (written, known.as_ref().map(|k| k.canonical_at))
            {
                if json.is_empty() {
                    taking.text.get(s..e).unwrap_or_default().clone_into(json);
                }
            }
        }
        let (placed, jsons): (Vec<Placeable>, Vec<String>) = events
            .iter()
            .zip(canonical)
            .map(|(event, canonical)| DagEvent::of_judged(event, canonical))
            .unzip();
        let contract = taking.request.map(|request| {
            self.contract(request, taking.status, shape, taking.text, &placed, &report)
        });
        let mut out = IngestReport {
            source: String::new(),
            input: shape,
            room_id,
            room_version: version.map(|v| v.id.to_owned()),
            version_from: None,
            title: None,
            counts: report.counts,
            events: Vec::new(),
            problems: Vec::new(),
            keys: KeysAdded::default(),
            rejudged: None,
            missing_keys: report.missing_keys.clone(),
            added: 0,
            known: 0,
            refused: 0,
            waiting: 0,
            findings: Vec::new(),
            contract,
            auth: Default::default(),
            outcome: Outcome::Valid,
        };
        let kept_metas: Vec<Option<Meta>> = kept
            .iter()
            .zip(&metas)
            .map(|(json, meta)| json.as_ref().map(|_| meta.clone()))
            .collect();
        let items = report.events.into_iter().zip(placed).zip(metas).zip(jsons);
        let items = items.zip(events);
        let items = items.map(|((((report, dag_event), meta), json), judged)| ToPlace {
            report,
            dag_event,
            meta,
            json,
            judged,
        });
        let items = items.collect();
        self.place(&mut out, items, version, taking, placing);
        self.keep_dropped(&out.events, kept, kept_metas, taking);
        out
    }

    /// Places judged events (judged as `version`) in the DAG of their rooms and keeps
    /// their records.
    fn place(
        &mut self,
        out: &mut IngestReport,
        items: Vec<ToPlace>,
        version: Option<RoomVersion>,
        taking: &Taking,
        placing: &mut Placing,
    ) {
        let first = placing.placed_at.len();
        placing.placed_at.resize(first + items.len(), None);
        // By room slot: the nodes to authorise once these are placed.
        let mut to_try: Vec<(usize, Vec<NodeIndex>)> = Vec::new();
        for item in items {
            let ToPlace {
                mut report,
                dag_event,
                meta,
                mut json,
                judged,
            } = item;
            let event = match dag_event {
                Some(Ok(event)) => event,
                Some(Err(problem)) => {
                    report.problems.push(*problem);
                    out.refused += 1;
                    out.events.push(report);
                    continue;
                }
                None => {
                    // Events waiting for the room version are not refused.
                    out.refused += usize::from(report.verdict == Verdict::Dropped);
                    out.events.push(report);
                    continue;
                }
            };
            // An event that is no PDU and names no `prev_events` (the client format of
            // `/context`) has no place in the timeline: it is held as an outlier.
            let placeless = matches!(&judged, Judged::Written { event, .. } if !event.contains_key("prev_events"));
            let placement = match taking.outliers || meta.section == Section::State || placeless {
                true => Placement::Outlier,
                false => Placement::Timeline,
            };
            let slot = self.room_slot(event.room_id.as_deref());
            let room = &mut self.rooms[slot];
            room.version = room.version.or(version);
            let was_held = room
                .dag
                .index_of(&event.event_id)
                .is_some_and(|n| room.dag.is_held(n));
            let findings_before = room.dag.ingest_findings().len();
            match room.dag.insert(&event, placement) {
                Some(_) if was_held => out.known += 1,
                Some(node) => {
                    out.added += 1;
                    // Kept as long as the session: no spare capacity.
                    json.shrink_to_fit();
                    let index = node as usize;
                    if room.held.len() <= index {
                        room.held.resize(index + 1, None);
                    }
                    room.held[index] = Some(Held {
                        json,
                        verdict: report.verdict,
                        pruned_by_sender: report.pruned_by_sender == Some(true),
                        problems: report.problems.clone(),
                        auth: Auth::NotChecked,
                        state: StateAuth::NotChecked,
                        source: taking.source,
                        meta,
                    });
                    let work = room.auth_arrived(node, into_accepted(judged, report.verdict));
                    match to_try.iter_mut().find(|(s, _)| *s == slot) {
                        Some((_, nodes)) => nodes.extend(work),
                        None => to_try.push((slot, work)),
                    }
                    placing.placed_at[first + out.events.len()] = Some((slot, node));
                }
                None => out.refused += 1,
            }
            // A written ID the content contradicts is a finding of the room, also when the
            // computed ID was already held (a forgery that claims an ID of its own).
            let clash = report
                .problems
                .iter()
                .find(|p| p.code == event_codes::EVENT_ID_MISMATCH);
            if let Some(clash) = clash {
                let finding = Problem::error(clash.code, "$.event_id", clash.message.clone());
                room.findings.push(finding.clone());
                out.findings.push(finding);
            }
            out.findings
                .extend_from_slice(&room.dag.ingest_findings()[findings_before..]);
            out.events.push(report);
        }
        // Check 4 for what was placed (and what awaited it): each decided event's PDU is
        // let go at once, so an input taken in parts never holds all of them.
        for (slot, work) in to_try {
            let Some(version) = self.rooms[slot].version_or(self.version) else {
                continue;
            };
            let at = match placing.waited.iter().position(|(s, _)| *s == slot) {
                Some(at) => at,
                None => {
                    placing.waited.push((slot, Vec::new()));
                    placing.waited.len() - 1
                }
            };
            let waited = &mut placing.waited[at].1;
            self.rooms[slot].authorise_noting(&version, work, &mut out.auth, waited);
        }
    }

    /// Counts the events check 4 left waiting, computes the states of the rooms an input
    /// placed events in (checks 5 and 6), and brings the verdicts and problems of the
    /// input's own events up to date.
    pub(super) fn settle(
        &mut self,
        out: &mut IngestReport,
        waited: Vec<(usize, Vec<NodeIndex>)>,
        placed_at: &[Option<(usize, NodeIndex)>],
    ) {
        for (slot, waited) in waited {
            let Some(version) = self.rooms[slot].version_or(self.version) else {
                continue;
            };
            out.auth.unknown += self.rooms[slot].still_unknown(waited);
            self.rooms[slot].resolve_states(&version);
            out.findings.extend(self.rooms[slot].take_new_resets());
        }
        for (report, at) in out.events.iter_mut().zip(placed_at) {
            let Some(held) = at.and_then(|(slot, node)| self.rooms[slot].held(node)) else {
                continue;
            };
            if held.verdict != report.verdict || held.problems.len() != report.problems.len() {
                report.verdict = held.verdict;
                report.problems = held.problems.clone();
            }
        }
        out.counts = Counts::of(&out.events);
    }
}

/// The JSON of an event as received, when it is an object (else nothing to judge again).
///
/// An object without `type`, `sender`, `hashes` or `signatures` is dropped in every room
/// version (every version's PDU format requires them): it is not kept, so that an input
/// of a million broken objects does not stay in memory for nothing.
fn kept_json(event: &InputEvent) -> Option<String> {
    const EVERY_VERSION_REQUIRES: [&str; 4] = ["type", "sender", "hashes", "signatures"];
    match &event.value {
        Ok(value @ Value::Object(object))
            if EVERY_VERSION_REQUIRES
                .iter()
                .all(|k| object.get(k).is_some()) =>
        {
            // Kept as long as the session: no spare capacity.
            let mut json = crate::canonical_json::to_string(value);
            json.shrink_to_fit();
            Some(json)
        }
        _ => None,
    }
}

/// The outcome of an input from its counts, problems and contract.
pub(super) fn outcome_of(out: &IngestReport) -> Outcome {
    let problems = out
        .problems
        .iter()
        .chain(&out.findings)
        .chain(out.events.iter().flat_map(|e| &e.problems));
    match out.contract.as_ref().is_some_and(|c| !c.verdict.ok) {
        true => Outcome::Invalid,
        false => Outcome::of(&out.counts, problems),
    }
}
