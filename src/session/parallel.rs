//! Validation on several cores: the signatures of one large input checked by other wasm
//! instances (Node `worker_threads`, Web Workers), the rest judged and placed once, here.
//!
//! Checking signatures is most of the cost of judging an event (see the README's
//! figures): format, event ID and content hash are cheap beside it. So a host
//!
//! 1. asks the session for a [judge context](RoomSession::judge_context): the room version,
//!    how the events came (by backfill or not), the key ring and the session's secret, as
//!    bytes;
//! 2. finds where the input's events lie ([`crate::input::event_spans`]) and hands slices of
//!    the input's bytes, with the context, to workers, each with its own wasm instance, which
//!    [judge](judge_slice) them: every event parsed, reduced and format-checked as the
//!    session would, and returned in a *judgement*, authenticated with the secret: the
//!    outcome of each of its signature checks and its digests (reference hash, content
//!    hash, canonical size, DAG fingerprint, whether it was already redacted, whether its
//!    text is its canonical JSON);
//! 3. gives the input and the judgements to [`RoomSession::ingest_judged`], which takes the
//!    input exactly as [`RoomSession::ingest`] does (recognition, format, event ID, content
//!    hash, problems, contract, placing, check 4), but uses the judgements' outcomes and
//!    digests instead of verifying those signatures and hashing those events again (the
//!    event ID is the reference hash carried, the content hash is compared as carried, the
//!    canonical JSON kept is the event's text when the judgement says it is). Its report is
//!    the same, byte for byte.
//!
//! A judgement cannot bring an unvalidated event in: it is refused (and its events' signatures
//! verified here) unless its tag, a SipHash-2-4 keyed with the session's 128-bit secret, covers
//! the very bytes and event boundaries of the input being taken, the room version and
//! backfill flag in use, and the key ring as it is when the input's events are judged.
//! A judgement made for another input, another session, another version or before keys
//! changed is thus ignored, not trusted. The secret is in the context, so code that holds
//! a context can make judgements: a host must give contexts only to its own workers (an npm
//! consumer who forges judgements from a context it holds only fools its own session). What
//! a judgement says of an event is only what the same code computes from the same bytes
//! (signature outcomes, hashes, sizes): every other check runs in the session.

use std::hash::Hasher;

use super::RoomSession;
use crate::crypto::keys::{parse_public_key, KeyRing, ServerKey};
use crate::event::format::PduFields;
use crate::event::pdu::Digests;
use crate::event::{judge_apart, Known, Plain, ValidateOptions};
use crate::input::{event_spans, read_spans, SpanKind};
use crate::room_version::RoomVersion;

const CONTEXT_MAGIC: &[u8; 4] = b"MXJC";
/// Version 3: each event's digests besides its signature outcomes, and what was read of
/// the events found plain.
const JUDGEMENT_MAGIC: &[u8; 4] = b"MXJ3";

/// SipHash-2-4 keyed with `key`: the tag of judgements, and with a fixed key the key ring's
/// fingerprint.
#[allow(deprecated)] // std's SipHasher is SipHash-2-4; it is deprecated only as a HashMap hasher.
fn siphash(key: (u64, u64)) -> std::hash::SipHasher {
    std::hash::SipHasher::new_with_keys(key.0, key.1)
}

/// A fingerprint of the keys `ring` holds and their validity: judgements made with another
/// ring are refused.
fn fingerprint(ring: &KeyRing) -> u64 {
    let mut h = siphash((0, 0));
    for key in ring.keys() {
        for field in [&key.server_name, &key.key_id, &key.key] {
            h.write_usize(field.len());
            h.write(field.as_bytes());
        }
        h.write_i64(key.valid_until_ts.unwrap_or(i64::MIN));
        h.write_i64(key.expired_ts.unwrap_or(i64::MIN));
    }
    h.finish()
}

/// What a worker needs to judge slices of an input: see [`RoomSession::judge_context`].
#[derive(Clone, Debug)]
pub struct JudgeContext {
    version: RoomVersion,
    via_backfill: bool,
    keys: KeyRing,
    fingerprint: u64,
    secret: (u64, u64),
}

impl RoomSession {
    /// The context workers judge slices of the next input with ([`judge_slice`]), as
    /// bytes: the room version given to the session, else `version` (the one the input is
    /// judged with: [`super::parts::PartsTaking::room_version`], or the one it names), else
    /// the session's (`None` when none is known; judgements of another version than the
    /// input's are not used), whether
    /// the events come by backfill (as [`super::Ingest::via_backfill`] or a `/backfill`
    /// request will say), the key ring, and the session's secret, drawn from `entropy` the
    /// first time (give 16 random bytes). Keep it within the host: whoever holds it can
    /// make judgements this session accepts.
    pub fn judge_context(
        &mut self,
        version: Option<RoomVersion>,
        via_backfill: bool,
        entropy: [u8; 16],
    ) -> Option<Vec<u8>> {
        let version = match self.version_given {
            true => self.version,
            false => version.or(self.version),
        }?;
        let secret = *self.judge_secret.get_or_insert_with(|| {
            let (a, b) = entropy.split_at(8);
            (
                u64::from_le_bytes(a.try_into().unwrap_or_default()),
                u64::from_le_bytes(b.try_into().unwrap_or_default()),
            )
        });
        let mut out = Writer(Vec::with_capacity(256));
        out.0.extend_from_slice(CONTEXT_MAGIC);
        out.str(version.id);
        out.0.push(u8::from(via_backfill));
        out.u64(secret.0);
        out.u64(secret.1);
        let keys = self.keys.keys();
        out.u64(keys.len() as u64);
        for key in keys {
            out.str(&key.server_name);
            out.str(&key.key_id);
            out.str(&key.key);
            out.opt_i64(key.valid_until_ts);
            out.opt_i64(key.expired_ts);
        }
        Some(out.0)
    }

    /// [`Self::ingest`], with the signature outcomes of `judgements` ([`judge_slice`]) used
    /// instead of verifying those signatures again when each is authentic and made for this
    /// input as it is taken (see the [module documentation](self)); the rest is judged
    /// here. The report is the one [`Self::ingest`] gives.
    pub fn ingest_judged(
        &mut self,
        text: &str,
        how: &super::Ingest,
        judgements: &[Vec<u8>],
    ) -> super::IngestReport {
        self.ingest_with(text, how, judgements)
    }

    /// What `judgements` say of the events of `text` they cover (signature outcomes,
    /// digests), by event index, for `events` events judged as `version` with the session's
    /// key ring; `None` for events no authentic judgement covers.
    pub fn judged_outcomes(
        &self,
        text: &str,
        judgements: &[Vec<u8>],
        version: &RoomVersion,
        via_backfill: bool,
        events: usize,
    ) -> Vec<Option<Known>> {
        if self.judge_secret.is_none() || judgements.is_empty() {
            return Vec::new();
        }
        let Some(spans) = event_spans(text).filter(|s| s.spans.len() == events) else {
            return Vec::new();
        };
        let mut known: Vec<Option<Known>> = std::iter::repeat_with(|| None).take(events).collect();
        let judging = Judging {
            text,
            spans: &spans,
            version,
            via_backfill,
        };
        for judgement in judgements {
            self.read_judgement(&judging, judgement, &mut known);
        }
        known
    }

    /// Sets what `judgement` says of the events it covers in `known` (by event index) when
    /// it is authentic and made for `judging`; returns whether it was.
    pub(super) fn read_judgement(
        &self,
        judging: &Judging,
        judgement: &[u8],
        known: &mut [Option<Known>],
    ) -> bool {
        let (Some(secret), Some(read)) = (self.judge_secret, Judgement::read(judgement)) else {
            return false;
        };
        let spans = judging.spans;
        let events = spans.spans.len().min(known.len());
        let fits = read.version == judging.version.id
            && read.via_backfill == judging.via_backfill
            && read.kind == spans.kind
            && read.fingerprint == fingerprint(&self.keys)
            && read.first + read.events.len() <= events
            && !read.events.is_empty();
        if !fits {
            return false;
        }
        let mine = &spans.spans[read.first..read.first + read.events.len()];
        let (start, end) = (mine[0].0, mine[mine.len() - 1].1);
        let Some(slice) = judging.text.get(start..end) else {
            return false;
        };
        if tag(secret, read.signed, slice, start, mine) != read.tag {
            return false;
        }
        for (i, (mut event, canonical)) in read.events.into_iter().enumerate() {
            event.canonical_at = canonical.then_some(mine[i]);
            known[read.first + i] = Some(event);
        }
        true
    }
}

/// What judgements are read against: the input, where its events lie, and how they are
/// judged.
pub(super) struct Judging<'a> {
    pub text: &'a str,
    pub spans: &'a crate::input::EventSpans,
    pub version: &'a RoomVersion,
    pub via_backfill: bool,
}

/// The tag of a judgement: its bytes before the tag, the event boundaries (relative to the
/// slice) and the slice's bytes, keyed with the session's secret.
fn tag(
    secret: (u64, u64),
    signed: &[u8],
    slice: &str,
    start: usize,
    spans: &[(usize, usize)],
) -> u64 {
    let mut h = siphash(secret);
    h.write(signed);
    for &(s, e) in spans {
        h.write_u64((s - start) as u64);
        h.write_u64((e - start) as u64);
    }
    h.write(slice.as_bytes());
    h.finish()
}

impl JudgeContext {
    /// Reads the bytes of [`RoomSession::judge_context`].
    pub fn from_bytes(bytes: &[u8]) -> Option<JudgeContext> {
        let mut r = Reader(bytes);
        if r.take(4)? != CONTEXT_MAGIC {
            return None;
        }
        let version = RoomVersion::from_id(r.str()?)?;
        let via_backfill = r.take(1)?[0] == 1;
        let secret = (r.u64()?, r.u64()?);
        let mut keys = KeyRing::new();
        for _ in 0..r.u64()? {
            let (server_name, key_id, key) = (r.str()?, r.str()?, r.str()?);
            keys.insert(ServerKey {
                server_name: server_name.to_owned(),
                key_id: key_id.to_owned(),
                key: parse_public_key(key)?,
                valid_until_ts: r.opt_i64()?,
                expired_ts: r.opt_i64()?,
                trusted: None,
            });
        }
        let fingerprint = fingerprint(&keys);
        Some(JudgeContext {
            version,
            via_backfill,
            keys,
            fingerprint,
            secret,
        })
    }
}

/// Judges the events of one slice of an input in a worker: `slice` is the input's text from
/// byte `start`, `spans` the absolute byte ranges of its events (from
/// [`crate::input::event_spans`] of the whole input, all within the slice), `first` the
/// index of the first of them in the input, `kind` how the input's items are read. Returns
/// the judgement to give to [`RoomSession::ingest_judged`], or `None` when the context is
/// not one, a span lies outside the slice, or an item is not an event (keys: the input is
/// then judged whole).
pub fn judge_slice(
    context: &JudgeContext,
    slice: &str,
    start: usize,
    first: usize,
    spans: &[(usize, usize)],
    kind: SpanKind,
) -> Option<Vec<u8>> {
    let relative: Vec<(usize, usize)> = spans
        .iter()
        .map(|&(s, e)| Some((s.checked_sub(start)?, e.checked_sub(start)?)))
        .collect::<Option<_>>()?;
    let (slice_start, slice_end) = (relative.first()?.0, relative.last()?.1);
    let covered = slice.get(slice_start..slice_end)?;
    let events = read_spans(slice, &relative, kind)?;
    let options = ValidateOptions {
        via_backfill: context.via_backfill,
    };
    // What the session would say of each event beside its verdict: nothing but its
    // summary, for a plain one (no ID written beside it, no note, in the timeline, no
    // state event).
    let summaries: Vec<Option<String>> = events
        .iter()
        .map(|e| {
            let bare = e.row_id.is_none() && e.annotation.is_none();
            let bare = bare && e.section == crate::input::Section::Timeline;
            let value = e
                .value
                .as_ref()
                .ok()
                .filter(|v| bare && v.get("state_key").is_none());
            value.map(|v| super::held::describe(v).1)
        })
        .collect();
    let judged = judge_apart(events, &context.version, &context.keys, &options);
    let mut out = Writer(Vec::with_capacity(64 + judged.len() * 96));
    out.0.extend_from_slice(JUDGEMENT_MAGIC);
    out.str(context.version.id);
    out.0.push(u8::from(context.via_backfill));
    out.0.push(kind.to_byte());
    out.u64(context.fingerprint);
    out.u64(first as u64);
    out.u64(judged.len() as u64);
    for (((known, json), &(s, e)), summary) in judged.iter().zip(&relative).zip(summaries) {
        out.u64(known.outcomes.len() as u64);
        out.0.extend(known.outcomes.iter().map(|&ok| u8::from(ok)));
        // Whether the event's canonical JSON is its text in the input, byte for byte.
        let canonical = !json.is_empty()
            && slice
                .get(s..e)
                .is_some_and(|text| same_bytes(text.as_bytes(), json.as_bytes()));
        let Some(d) = &known.digests else {
            out.0.push(0);
            continue;
        };
        let plain = known.plain.as_deref().zip(summary).filter(|_| canonical);
        out.0.push(
            1 | u8::from(d.was_already_redacted) << 1
                | u8::from(canonical) << 2
                | u8::from(plain.is_some()) << 3,
        );
        out.0.extend_from_slice(&d.reference);
        out.0.extend_from_slice(&d.content);
        out.u64(d.size as u64);
        out.u64(d.fingerprint);
        if let Some((plain, summary)) = plain {
            out.plain(plain, &summary);
        }
    }
    let tag = tag(context.secret, &out.0, covered, start + slice_start, spans);
    out.u64(tag);
    Some(out.0)
}

/// What `judgement` says of each event it covers, read back without its tag checked, or
/// `None` when it is no judgement (for tests, which look inside judgements).
#[doc(hidden)]
pub fn read_back(judgement: &[u8]) -> Option<Vec<Known>> {
    let read = Judgement::read(judgement)?;
    Some(read.events.into_iter().map(|(known, _)| known).collect())
}

/// Whether `a` and `b` are the same bytes, compared eight at a time: wasm's `memcmp`
/// compares one byte at a time, and comparing each event's text with its canonical JSON
/// took 64 ms of each worker's 3.7 s over 100,000 events (Node's profile, 2026-12-08).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    a8.remainder() == b8.remainder() && a8.zip(b8).all(|(x, y)| word(x) == word(y))
}

/// A judgement read back.
struct Judgement<'a> {
    version: &'a str,
    via_backfill: bool,
    kind: SpanKind,
    fingerprint: u64,
    first: usize,
    /// What it says of each event, and whether the event's canonical JSON is its text.
    events: Vec<(Known, bool)>,
    /// The bytes the tag covers (all but the tag).
    signed: &'a [u8],
    tag: u64,
}

impl<'a> Judgement<'a> {
    fn read(bytes: &'a [u8]) -> Option<Judgement<'a>> {
        let signed = bytes.get(..bytes.len().checked_sub(8)?)?;
        let mut r = Reader(signed);
        if r.take(4)? != JUDGEMENT_MAGIC {
            return None;
        }
        let version = r.str()?;
        let via_backfill = r.take(1)?[0] == 1;
        let kind = SpanKind::from_byte(r.take(1)?[0])?;
        let fingerprint = r.u64()?;
        let first = usize::try_from(r.u64()?).ok()?;
        let count = usize::try_from(r.u64()?).ok()?;
        // Each event takes at least 9 bytes: a count that does not fit is refused before
        // anything is allocated for it.
        if count > r.0.len() / 9 {
            return None;
        }
        let mut events = Vec::with_capacity(count);
        for _ in 0..count {
            let n = usize::try_from(r.u64()?).ok()?;
            let outcomes = r.take(n)?.iter().map(|&b| b == 1).collect();
            let flags = r.take(1)?[0];
            let digests = match flags & 1 {
                0 => None,
                _ => Some(Digests {
                    reference: r.take(32)?.try_into().ok()?,
                    content: r.take(32)?.try_into().ok()?,
                    size: usize::try_from(r.u64()?).ok()?,
                    fingerprint: r.u64()?,
                    was_already_redacted: flags & 2 != 0,
                }),
            };
            let plain = match flags & 8 {
                0 => None,
                _ => Some(Box::new(r.plain()?)),
            };
            let known = Known {
                outcomes,
                digests,
                canonical_at: None,
                plain,
            };
            events.push((known, flags & 4 != 0));
        }
        if !r.0.is_empty() {
            return None;
        }
        let tag = u64::from_le_bytes(bytes[signed.len()..].try_into().ok()?);
        Some(Judgement {
            version,
            via_backfill,
            kind,
            fingerprint,
            first,
            events,
            signed,
            tag,
        })
    }
}

/// Writes the little binary format of contexts and judgements.
struct Writer(Vec<u8>);

impl Writer {
    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn opt_i64(&mut self, n: Option<i64>) {
        self.0.push(u8::from(n.is_some()));
        self.u64(n.unwrap_or(0) as u64);
    }

    fn strs(&mut self, list: &[String]) {
        self.u64(list.len() as u64);
        for s in list {
            self.str(s);
        }
    }

    /// What was read of a plain event: no state event, so no `state_key`, and a
    /// `room_id` (only a room version 12 create event has none); no `redacts` is written
    /// as an empty one (a plain event's is an event ID).
    fn plain(&mut self, plain: &Plain, summary: &str) {
        let f = &plain.fields;
        self.str(&plain.event_id);
        self.str(f.room_id.as_deref().unwrap_or_default());
        self.str(&f.sender);
        self.str(&f.event_type);
        self.strs(&f.prev_events);
        self.strs(&f.auth_events);
        self.u64(f.depth as u64);
        self.u64(f.origin_server_ts as u64);
        self.str(f.redacts.as_deref().unwrap_or_default());
        self.str(summary);
    }
}

/// Reads what [`Writer`] wrote; `None` past the end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.u64()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn opt_i64(&mut self) -> Option<Option<i64>> {
        let present = self.take(1)?[0] == 1;
        let n = self.u64()? as i64;
        Some(present.then_some(n))
    }

    fn strs(&mut self) -> Option<Vec<&'a str>> {
        let n = usize::try_from(self.u64()?).ok()?;
        // Each takes at least its 8-byte length: a count that does not fit is refused
        // before anything is allocated for it.
        if n > self.0.len() / 8 {
            return None;
        }
        (0..n).map(|_| self.str()).collect()
    }

    /// What [`Writer::plain`] wrote, read whole before anything is copied out of it.
    fn plain(&mut self) -> Option<Plain> {
        let (event_id, room_id, sender) = (self.str()?, self.str()?, self.str()?);
        let (event_type, prev_events, auth_events) = (self.str()?, self.strs()?, self.strs()?);
        let (depth, origin_server_ts) = (self.u64()? as i64, self.u64()? as i64);
        let (redacts, summary) = (self.str()?, self.str()?);
        let owned = |list: Vec<&str>| list.into_iter().map(str::to_owned).collect();
        let fields = PduFields {
            room_id: Some(room_id.to_owned()),
            sender: sender.to_owned(),
            event_type: event_type.to_owned(),
            state_key: None,
            prev_events: owned(prev_events),
            auth_events: owned(auth_events),
            depth,
            origin_server_ts,
            redacts: (!redacts.is_empty()).then(|| redacts.to_owned()),
        };
        Some(Plain {
            event_id: event_id.to_owned(),
            fields,
            summary: summary.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `same_bytes` is `==`: for every length up to three chunks, and a difference at
    /// every position.
    #[test]
    fn same_bytes_is_equality() {
        for len in 0..=24usize {
            let a: Vec<u8> = (0..len as u8).collect();
            assert!(same_bytes(&a, &a.clone()));
            assert!(!same_bytes(&a, &a[..len.saturating_sub(1)]) || len == 0);
            for i in 0..len {
                let mut b = a.clone();
                b[i] ^= 0x20;
                assert!(!same_bytes(&a, &b), "{len} {i}");
            }
        }
    }
}
