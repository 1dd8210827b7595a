//! Taking one large list of events in parts: the events of [`PART_EVENTS`] items at a time
//! are parsed, judged and placed, so that the session never holds the parsed events of the
//! whole input at once (a 100 MB file parsed whole costs several times its size in memory).
//! Check 4 and the states run once all parts are placed, the problems of the whole input
//! share one budget, and each part reads its items exactly as [`crate::input::recognise`]
//! reads them in the whole input: the report is the one taking the input whole gives.

use super::ingest::{Placing, Taking};
use super::report::{IngestReport, Rejudged};
use super::{Ingest, RoomSession};
use crate::crypto::keys::KeysAdded;
use crate::event::verdict::room_version_named;
use crate::federation::FederationRequest;
use crate::input::{self, InputParts};

/// Items per part: enough that a part's signatures are checked in one batch, few enough
/// that its parsed events stay a few megabytes.
pub const PART_EVENTS: usize = 4096;

impl RoomSession {
    /// Takes `text` in parts when it is a list of more than [`PART_EVENTS`] items (see
    /// [`crate::input::InputParts`]), not an answer to a request (its contract is judged on
    /// the whole answer), and its room version is known; `None` when it is to be taken
    /// whole.
    pub(super) fn ingest_parts(
        &mut self,
        text: &str,
        how: &Ingest,
        judgements: &[Vec<u8>],
    ) -> Option<IngestReport> {
        if how.request.is_some() {
            return None;
        }
        let size = self.part_size();
        let mut parts = InputParts::new(text).filter(|p| p.len() > size)?;
        let candidates = input::version_candidates(text);
        if self.version.is_none() && !matches!(room_version_named(&candidates), Ok(Some(_))) {
            return None;
        }
        let source = self.sources.len() as u32;
        self.sources.push(how.source.to_owned());
        let mut version_problems = Vec::new();
        let (version, version_from) = self.version_for(&candidates, &mut version_problems);
        drop(candidates);
        let version = version?;
        let via_backfill =
            how.via_backfill || matches!(how.request, Some(FederationRequest::Backfill(_)));
        let known = self.judged_outcomes(text, judgements, &version, via_backfill, parts.len());
        let mut taking = Taking {
            source,
            outliers: how.outliers,
            via_backfill,
            request: None,
            status: how.status,
            keep_dropped: version_from != Some(super::report::VersionFrom::Input),
            text,
            judgements,
            known: None,
        };
        let mut out = IngestReport::empty();
        let mut placing = Placing::default();
        let mut input_problems = Vec::new();
        let mut keys = KeysAdded::default();
        let mut rejudged: Option<Rejudged> = None;
        // The judgements' outcomes are by item: they fit the events only while every item
        // read was an event.
        let mut aligned = true;
        while !parts.done() {
            let first = parts.position();
            let part = parts.read(size);
            aligned &= part.keys.is_empty() && part.problems.is_empty();
            input_problems.extend(part.problems);
            if !part.keys.is_empty() {
                // Keys in a list of events: the states of what is placed are computed
                // first, then the keys join the ring and held events waiting for them are judged again, as
                // an input of its own would.
                let waited = std::mem::take(&mut placing.waited);
                self.settle(&mut out, waited, &placing.placed_at);
                let mut added = KeysAdded::default();
                for key in &part.keys {
                    added.extend(self.keys.add(key));
                }
                if added.added > 0 {
                    let again = self.rejudge();
                    rejudged = Some(match rejudged {
                        None => again,
                        Some(sum) => sum.plus(again),
                    });
                }
                keys.extend(added);
            }
            let fits = aligned && known.len() == parts.len();
            taking.known = Some(if fits {
                &known[first..parts.position()]
            } else {
                &[]
            });
            let shape = parts.shape();
            let report = self.take_part(part.events, Some(version), shape, &taking, &mut placing);
            out.merge(report);
        }
        self.finish_taking(&mut out, placing, &taking);
        input_problems.extend(version_problems);
        out.problems.splice(0..0, input_problems);
        out.source = how.source.to_owned();
        out.input = parts.shape();
        out.room_version = Some(version.id.to_owned());
        out.version_from = version_from;
        out.keys = keys;
        out.rejudged = rejudged;
        out.outcome = super::ingest::outcome_of(&out);
        Some(out)
    }

    /// Sets how many items a part holds (tests take small inputs in parts with it).
    #[doc(hidden)]
    pub fn set_part_events(&mut self, items: usize) {
        self.part_events = items.max(1);
    }

    /// Items per part: [`PART_EVENTS`] unless set.
    fn part_size(&self) -> usize {
        match self.part_events {
            0 => PART_EVENTS,
            n => n,
        }
    }
}
