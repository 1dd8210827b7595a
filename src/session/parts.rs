//! Taking one large list of events in parts: the events of [`PART_EVENTS`] items at a time
//! are parsed, judged, placed and checked against their auth events, so that the session
//! never holds the parsed events of the whole input at once (a 100 MB file parsed whole
//! costs several times its size in memory). The states run once all parts are placed, the
//! problems of the whole input share one budget, and each part reads its items exactly as
//! [`crate::input::recognise`] reads them in the whole input: the report is the one taking
//! the input whole gives.
//!
//! A host that judges signatures on other cores ([`super::parallel`]) hands each judgement
//! over as it comes ([`RoomSession::take_judged_parts`]): the parts it completes are taken
//! at once, while the other cores judge the next, and [`RoomSession::finish_parts`] takes
//! what is left (verifying here whatever no judgement covered).

use super::ingest::{Placing, Taking};
use super::parallel::Judging;
use super::report::{IngestReport, Rejudged, VersionFrom};
use super::room_versions::NamedVersions;
use super::{Ingest, RoomSession};
use crate::crypto::keys::KeysAdded;
use crate::event::Known;
use crate::federation::FederationRequest;
use crate::input::{self, InputParts};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// Items per part: enough that a part's signatures are checked in one batch, few enough
/// that its parsed events stay a few megabytes.
pub const PART_EVENTS: usize = 4096;

/// Items per part when judgements on other cores cover them (no signatures to batch here):
/// few enough that a part's parsed events stay in the processor's cache between reading,
/// checking and placing them. With parts of 4,096 every step read its events back from
/// memory: the session's pass over 100,000 judged events took 3.1–3.3 s natively against
/// 1.8–2.4 s with parts of 64–256 (`examples/judged_ingest`, `MXDAG_PART_EVENTS`).
pub const JUDGED_PART_EVENTS: usize = 256;

/// Events between two passes over the states while an input is taken in parts
/// (`Room::compute_state`): the states of the events placed since the last pass are computed
/// while other cores still judge the rest, instead of all at the input's end, when they
/// are the only work left (0.46 s of the 1.1 s `mxdag check` spent on one core after the
/// workers were done, 100,000 events). A multiple of both part sizes, so that a pass falls
/// at the same events whether judgements came or not (the reports stay the same).
pub const STATE_PASS_EVENTS: usize = 16_384;

/// An input being taken in parts: begun by [`RoomSession::begin_parts`], fed judgements by
/// [`RoomSession::take_judged_parts`], ended by [`RoomSession::finish_parts`]. It holds the
/// input's text and what taking it has done so far.
pub struct PartsTaking {
    text: String,
    parts: InputParts,
    source: u32,
    source_name: String,
    status: Option<u16>,
    outliers: bool,
    via_backfill: bool,
    version: RoomVersion,
    version_from: Option<VersionFrom>,
    /// What judgements said of each item.
    known: Vec<Option<Known>>,
    /// Whether every item read so far was an event (judgements are by item: they fit the
    /// events only then).
    aligned: bool,
    out: IngestReport,
    placing: Placing,
    input_problems: Vec<Problem>,
    version_problems: Vec<Problem>,
    keys: KeysAdded,
    rejudged: Option<Rejudged>,
    /// How many events of `placing.placed_at` the states were computed for between parts.
    states_from: usize,
    /// The room versions the input's create events name.
    named: NamedVersions,
}

impl PartsTaking {
    /// How its parts are taken, with what judgements said of the next one's items (`known`)
    /// and, when they are its events, where they lie (`items`).
    fn taking<'a>(
        &'a self,
        known: Option<&'a [Option<Known>]>,
        items: std::ops::Range<usize>,
    ) -> Taking<'a> {
        let spans = self.parts.spans();
        Taking {
            source: self.source,
            outliers: self.outliers,
            via_backfill: self.via_backfill,
            request: None,
            status: self.status,
            keep_dropped: self.version_from != Some(VersionFrom::Input),
            text: &self.text,
            judgements: &[],
            known,
            items: self.aligned.then(|| (&spans.spans[items], spans.kind)),
            named: &self.named,
        }
    }

    /// How many items the input holds.
    pub fn items(&self) -> usize {
        self.parts.len()
    }

    /// How many of them were taken so far.
    pub fn taken(&self) -> usize {
        self.parts.position()
    }

    /// Where its items lie ([`crate::input::event_spans`] of its text).
    pub fn spans(&self) -> &input::EventSpans {
        self.parts.spans()
    }

    /// The room version its events are judged with (the input's own, else the session's).
    pub fn room_version(&self) -> RoomVersion {
        self.version
    }
}

impl RoomSession {
    /// Begins taking `text` in parts when it is a list of more than [`PART_EVENTS`] items
    /// (see [`crate::input::InputParts`]), not an answer to a request (its contract is
    /// judged on the whole answer), and its room version is known; else gives `text` back,
    /// to be taken whole.
    pub fn begin_parts(&mut self, text: String, how: &Ingest) -> Result<PartsTaking, String> {
        match self.parts_of(&text, how) {
            Some(parts) => self.begin_with(text, parts, how),
            None => Err(text),
        }
    }

    /// The parts of `text` when it is to be taken in parts (see [`Self::begin_parts`]).
    fn parts_of(&self, text: &str, how: &Ingest) -> Option<InputParts> {
        let size = self.part_size(false);
        match how.request {
            None => InputParts::new(text).filter(|p| p.len() > size),
            Some(_) => None,
        }
    }

    /// [`Self::begin_parts`] with the parts of `text` found.
    fn begin_with(
        &mut self,
        text: String,
        parts: InputParts,
        how: &Ingest,
    ) -> Result<PartsTaking, String> {
        // The items were found with the parts: only those that can name the version are read.
        // With no version held or named, the input is taken whole (`version_for` leaves the
        // session as it was).
        let candidates = input::version_candidates_in(&text, parts.spans());
        let mut version_problems = Vec::new();
        let named = NamedVersions::of(&candidates.events);
        let (version, version_from) = self.version_for(&candidates, &named, &mut version_problems);
        drop(candidates);
        let Some(version) = version else {
            return Err(text);
        };
        let source = self.sources.len() as u32;
        self.sources.push(how.source.to_owned());
        let via_backfill =
            how.via_backfill || matches!(how.request, Some(FederationRequest::Backfill(_)));
        Ok(PartsTaking {
            known: std::iter::repeat_with(|| None).take(parts.len()).collect(),
            text,
            parts,
            source,
            source_name: how.source.to_owned(),
            status: how.status,
            outliers: how.outliers,
            via_backfill,
            version,
            version_from,
            aligned: true,
            out: IngestReport::empty(),
            placing: Placing::default(),
            input_problems: Vec::new(),
            version_problems,
            keys: KeysAdded::default(),
            rejudged: None,
            states_from: 0,
            named,
        })
    }

    /// Reads `judgements` ([`super::parallel::judge_slice`]) of the input `taking` holds
    /// (those not made for it are ignored) and takes, in order, each part whose items are
    /// all judged now.
    pub fn take_judged_parts(&mut self, taking: &mut PartsTaking, judgements: &[Vec<u8>]) {
        let judging = Judging {
            text: &taking.text,
            spans: taking.parts.spans(),
            version: &taking.version,
            via_backfill: taking.via_backfill,
        };
        for judgement in judgements {
            self.read_judgement(&judging, judgement, &mut taking.known);
        }
        while !taking.parts.done() && self.next_part_judged(taking) {
            self.take_next_part(taking, self.part_size(true));
        }
    }

    /// Takes the parts left (their signatures verified here where no judgement covered
    /// them), computes the states, and gives the input's report.
    pub fn finish_parts(&mut self, mut taking: PartsTaking) -> IngestReport {
        while !taking.parts.done() {
            let size = self.part_size(self.next_part_judged(&taking));
            self.take_next_part(&mut taking, size);
        }
        let t = &mut taking;
        let placing = std::mem::take(&mut t.placing);
        let mut out = std::mem::replace(&mut t.out, IngestReport::empty());
        self.finish_taking(&mut out, placing, &t.taking(None, 0..0));
        let mut problems = std::mem::take(&mut t.input_problems);
        problems.append(&mut t.version_problems);
        out.problems.splice(0..0, problems);
        out.source = std::mem::take(&mut t.source_name);
        out.input = t.parts.shape();
        out.room_version = Some(t.version.id.to_owned());
        out.version_from = t.version_from;
        out.keys = std::mem::take(&mut t.keys);
        out.rejudged = t.rejudged.take();
        out.outcome = super::ingest::outcome_of(&out);
        out
    }

    /// Takes `text` in parts (see [`Self::begin_parts`]) with `judgements` made on other
    /// cores; `None` when it is to be taken whole.
    pub(super) fn ingest_parts(
        &mut self,
        text: &str,
        how: &Ingest,
        judgements: &[Vec<u8>],
    ) -> Option<IngestReport> {
        // Only a list of more items than a part is copied.
        let parts = self.parts_of(text, how)?;
        let mut taking = self.begin_with(text.to_owned(), parts, how).ok()?;
        self.take_judged_parts(&mut taking, judgements);
        Some(self.finish_parts(taking))
    }

    /// Reads, judges and places the next part of `taking`, of `size` items.
    fn take_next_part(&mut self, t: &mut PartsTaking, size: usize) {
        let first = t.parts.position();
        // Items other cores found plain events are not read again, when judgements cover
        // the whole part (so it holds nothing but events) and they are all used (every
        // event of the part takes the version they were made with).
        let end = first.saturating_add(size).min(t.parts.len());
        let covered = t.aligned
            && self.all_take(&t.named, Some(t.version))
            && t.known[first..end].iter().all(Option::is_some);
        let known = &t.known;
        let plain = |i: usize| covered && known[i].as_ref().is_some_and(|k| k.plain.is_some());
        let part = t.parts.read_but(&t.text, size, &plain);
        t.aligned &= part.keys.is_empty() && part.problems.is_empty();
        t.input_problems.extend(part.problems);
        if !part.keys.is_empty() {
            // Keys in a list of events: the states of what is placed are computed first,
            // then the keys join the ring and held events waiting for them are judged
            // again, as an input of its own would.
            let waited = std::mem::take(&mut t.placing.waited);
            self.settle(&mut t.out, waited, &t.placing.placed_at);
            let mut added = KeysAdded::default();
            for key in &part.keys {
                added.extend(self.keys.add(key));
            }
            if added.added > 0 {
                let again = self.rejudge();
                t.rejudged = Some(match t.rejudged.take() {
                    None => again,
                    Some(sum) => sum.plus(again),
                });
            }
            t.keys.extend(added);
        }
        let last = t.parts.position();
        let known: Vec<Option<Known>> = match t.aligned {
            true => t.known[first..last].iter_mut().map(Option::take).collect(),
            false => Vec::new(),
        };
        let (shape, version) = (t.parts.shape(), Some(t.version));
        let mut placing = std::mem::take(&mut t.placing);
        let taking = t.taking(Some(&known), first..last);
        let report = self.take_in_runs(part.events, version, shape, &taking, &mut placing);
        t.placing = placing;
        t.out.merge(report);
        let pass = self.state_pass_size();
        if first / pass != last / pass && !t.parts.done() {
            // The events placed since the last pass, in the order they came.
            let placed = &t.placing.placed_at[t.states_from..];
            t.states_from = t.placing.placed_at.len();
            for &(slot, node) in placed.iter().flatten() {
                let room = &mut self.rooms[slot];
                let version = room.version.unwrap_or(t.version);
                room.compute_state(&version, node);
            }
        }
    }

    /// Sets how many items a part holds (tests take small inputs in parts with it).
    #[doc(hidden)]
    pub fn set_part_events(&mut self, items: usize) {
        self.part_events = items.max(1);
    }

    /// Items per part: [`JUDGED_PART_EVENTS`] when judgements cover them, else
    /// [`PART_EVENTS`], unless set.
    fn part_size(&self, judged: bool) -> usize {
        match (self.part_events, judged) {
            (0, true) => JUDGED_PART_EVENTS,
            (0, false) => PART_EVENTS,
            (n, _) => n,
        }
    }

    /// Events between two passes over the states ([`STATE_PASS_EVENTS`]; four parts when
    /// the part size was set, as tests do to exercise the passes on small inputs).
    fn state_pass_size(&self) -> usize {
        match self.part_events {
            0 => STATE_PASS_EVENTS,
            n => n.saturating_mul(4),
        }
    }

    /// Whether judgements cover every item of the next part of `t` (as judged parts are
    /// cut).
    fn next_part_judged(&self, t: &PartsTaking) -> bool {
        let first = t.parts.position();
        let end = (first + self.part_size(true)).min(t.parts.len());
        first < end && t.known[first..end].iter().all(Option::is_some)
    }
}
