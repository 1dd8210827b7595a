//! The verdict on each event: format, then signatures, then the content hash.
//!
//! Spec: [Server-Server API § Checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu)
//! steps 1–3, [§ Validating hashes and signatures on received events](https://spec.matrix.org/v1.16/server-server-api/#validating-hashes-and-signatures-on-received-events).
//!
//! Required signatures: the server of `sender`; in room versions 1–2 also the server of the
//! `event_id`; from room version 8 also the server of
//! `content.join_authorised_via_users_server` on a join. A required server is satisfied when
//! at least one of its signatures verifies with a key the [`KeyRing`] holds and that was
//! valid at the event's `origin_server_ts` (validity enforced from v5).
//!
//! A missing key is reported as `signing_key_unknown` (not `signature_invalid`) and the
//! event is `dropped`, as a server that cannot fetch the key drops it; the report's
//! `missing_keys` lists what to fetch before validating again.

use super::format::server_of;
use super::pdu::{self, Plain, Prepared};
use super::received::{Form, Received};
use super::report::{Counts, EventReport, MissingKey, ProblemBudget, Report, Verdict};
use super::{codes, redaction, Pdu};
use crate::canonical_json::{path_key, Object, Value};
use crate::crypto::codes as sig_codes;
use crate::crypto::keys::{parse_signature, KeyLookup, KeyRing};
use crate::crypto::signatures::{refusal_reason, verify_all, SignatureCheck};
use crate::input::{self, InputEvent, InputShape};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// Options of a validation run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValidateOptions {
    /// The events arrived by backfill: the 20 `prev_events` / 10 `auth_events` limits are
    /// reported as warnings (the spec forbids enforcing them there).
    pub via_backfill: bool,
}

/// A report and the events it judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// The report.
    pub report: Report,
    /// For each event of `report.events`, what it is as judged.
    pub events: Vec<Judged>,
    /// For each PDU of a session's input, its canonical JSON and fingerprint (the JSON
    /// empty where its digests were given); empty outside a session.
    pub canonical: Vec<Option<(String, u64)>>,
}

/// What another core computed of one event (`crate::session::parallel`), for the session not
/// to compute it again: the outcome of each of its signature checks (in the order
/// [`validate_events`] makes them) and, for a PDU, its digests.
#[derive(Debug, Default, PartialEq)]
pub struct Known {
    /// The outcome of each signature check.
    pub outcomes: Vec<bool>,
    /// Its digests, when it was a PDU.
    pub digests: Option<pdu::Digests>,
    /// Where the input holds the event's canonical JSON byte for byte, when it does.
    pub canonical_at: Option<(usize, usize)>,
    /// The event read whole when nothing about it needs its text again ([`Plain`]).
    pub plain: Option<Box<Plain>>,
}

/// One event as judged: what a server would go on with, and what places it in a DAG.
#[derive(Clone, Debug, PartialEq)]
pub enum Judged {
    /// A PDU whose format is valid, whatever its verdict, as received (without the keys
    /// that are not part of it). See [`Validation::accepted`] for what a server goes on with.
    Pdu(Box<Pdu>),
    /// An event that is no PDU (client format, tardis scenario), under the ID the input
    /// gives it.
    Written {
        /// The ID the input gives.
        event_id: String,
        /// The event as the input carried it.
        event: Object,
    },
    /// Nothing usable: unreadable, not an object, or a broken format.
    Unusable,
}

impl Validation {
    /// The PDU of event `i` when a server would go on with it (not dropped, unchecked or
    /// rejected): the redacted form for a `redacted` one.
    pub fn accepted(&self, i: usize) -> Option<Pdu> {
        accepted(self.events.get(i)?, self.report.events.get(i)?.verdict)
    }
}

/// The PDU a server goes on with for an event judged `verdict`: the event itself when
/// valid, its redacted form when redacted, nothing otherwise.
pub fn accepted(judged: &Judged, verdict: Verdict) -> Option<Pdu> {
    match judged {
        Judged::Pdu(_) => into_accepted(judged.clone(), verdict),
        _ => None,
    }
}

/// [`accepted`], the judged event given up: its PDU is moved, not copied.
pub fn into_accepted(judged: Judged, verdict: Verdict) -> Option<Pdu> {
    match (judged, verdict) {
        (Judged::Pdu(pdu), Verdict::Valid) => Some(*pdu),
        (Judged::Pdu(pdu), Verdict::Redacted) => Some(Pdu {
            event: redaction::redact(&pdu.event, &pdu.room_version).event,
            ..*pdu
        }),
        _ => None,
    }
}

/// One required server of one event, and what was found for it.
struct Required {
    event: usize,
    server: String,
    /// `(key ID, index into the check list, the key is trusted as given)` of each signature
    /// sent for verification.
    checks: Vec<(String, usize, bool)>,
    expired: Vec<String>,
    unknown: Vec<String>,
    malformed: Vec<String>,
}

/// The servers whose signatures `pdu` needs
/// ([spec: Checking for a signature](https://spec.matrix.org/v1.16/server-server-api/#validating-hashes-and-signatures-on-received-events)):
/// the sender's server, except on an invite made from a third-party invite (the server
/// that sends it may be another one); in v1/v2 the event ID's server; in v8+ the server
/// that authorised a restricted join.
pub fn required_servers(pdu: &Pdu) -> Vec<String> {
    let third_party_invite = pdu.fields.event_type == "m.room.member"
        && pdu.membership() == Some("invite")
        && pdu.content().contains_key("third_party_invite");
    let mut servers = Vec::new();
    if !third_party_invite {
        servers.push(pdu.sender_server().to_owned());
    }
    let mut add = |id: Option<&str>| {
        if let Some(server) = id.and_then(server_of) {
            if !servers.iter().any(|s| s == server) {
                servers.push(server.to_owned());
            }
        }
    };
    if pdu.room_version.event_id_in_event() {
        add(Some(&pdu.event_id));
    }
    if pdu.room_version.restricted_join_signature
        && pdu.fields.event_type == "m.room.member"
        && pdu.membership() == Some("join")
    {
        add(pdu
            .content()
            .get("join_authorised_via_users_server")
            .and_then(Value::as_str));
    }
    servers
}

/// Looks up every signature a required server made, queueing the verifiable ones.
fn gather(
    event: usize,
    p: &Pdu,
    keys: &KeyRing,
    checks: &mut Vec<SignatureCheck>,
) -> Vec<Required> {
    let signatures = p.event.get("signatures");
    let enforce = p.room_version.enforce_key_validity;
    let mut out = Vec::new();
    for server in required_servers(p) {
        let mut req = Required {
            event,
            server,
            checks: Vec::new(),
            expired: Vec::new(),
            unknown: Vec::new(),
            malformed: Vec::new(),
        };
        let by_key = signatures
            .and_then(|s| s.get(&req.server))
            .and_then(Value::as_object);
        for (key_id, sig) in by_key
            .into_iter()
            .flat_map(|o| o.iter())
            .filter(|(k, _)| k.starts_with("ed25519:"))
        {
            let Some(signature) = sig.as_str().and_then(parse_signature) else {
                req.malformed.push(key_id.to_owned());
                continue;
            };
            match keys.lookup(&req.server, key_id, p.fields.origin_server_ts, enforce) {
                KeyLookup::Valid(k) => {
                    req.checks
                        .push((key_id.to_owned(), checks.len(), k.trusted.is_some()));
                    checks.push(SignatureCheck {
                        message: event,
                        key: k.key,
                        signature,
                    });
                }
                KeyLookup::Expired(_) => req.expired.push(key_id.to_owned()),
                KeyLookup::Unknown => req.unknown.push(key_id.to_owned()),
            }
        }
        out.push(req);
    }
    out
}

/// Whether [`judge`] finds `req` met and says nothing of it: its server signed with a key
/// fetched from it (not only trusted as given), and every signature of it that was checked
/// verified.
fn says_nothing(req: &Required, ok: &[bool]) -> bool {
    let verified = req.checks.iter().all(|(_, i, _)| ok[*i]);
    verified && req.checks.iter().any(|(_, _, trusted)| !trusted)
}

/// Turns what was found for one required server into problems; returns whether it is
/// satisfied.
fn judge(
    req: &Required,
    ok: &[bool],
    checks: &[SignatureCheck],
    label: &str,
    problems: &mut Vec<Problem>,
    missing: &mut Vec<MissingKey>,
) -> bool {
    let server = &req.server;
    let path = path_key("$.signatures", server);
    let satisfied = req.checks.iter().any(|(_, i, _)| ok[*i]);
    let by_self_signed = req.checks.iter().any(|(_, i, trusted)| ok[*i] && !trusted);
    if satisfied && !by_self_signed {
        let keys: Vec<&str> = req
            .checks
            .iter()
            .filter(|(_, i, _)| ok[*i])
            .map(|(k, _, _)| k.as_str())
            .collect();
        problems.push(Problem::info(
            sig_codes::SIGNED_WITH_TRUSTED_KEY,
            path.clone(),
            format!("{label}: {server}'s signature verifies with {}, a key trusted as given rather than fetched from {server}.", keys.join(", ")),
        ));
    }
    for (key_id, i, _) in req.checks.iter().filter(|(_, i, _)| !ok[*i]) {
        let message = match refusal_reason(&checks[*i]) {
            Some(reason) => format!("{label}: the signature of {server} with {key_id} is refused as libsodium refuses it: {reason}."),
            None => format!("{label}: the signature of {server} with {key_id} does not verify over the redacted event."),
        };
        let path = path_key(&path, key_id);
        problems.push(match satisfied {
            true => Problem::warning(sig_codes::SIGNATURE_INVALID, path, message),
            false => Problem::error(sig_codes::SIGNATURE_INVALID, path, message),
        });
    }
    if satisfied || !req.checks.is_empty() {
        return satisfied;
    }
    for key_id in &req.malformed {
        let message = format!(
            "{label}: the signature of {server} with {key_id} is not unpadded base64 of 64 bytes."
        );
        problems.push(Problem::error(
            sig_codes::SIGNATURE_MALFORMED,
            path_key(&path, key_id),
            message,
        ));
    }
    for key_id in &req.expired {
        let message = format!("{label}: {server}'s key {key_id} was no longer valid at the event's `origin_server_ts` (room version 5+ enforces key validity).");
        problems.push(Problem::error(
            sig_codes::SIGNING_KEY_EXPIRED,
            path_key(&path, key_id),
            message,
        ));
    }
    for key_id in &req.unknown {
        let message = format!("{label}: {server}'s key {key_id} is not in the key ring, so its signature cannot be checked; fetch {server}'s keys.");
        problems.push(Problem::error(
            sig_codes::SIGNING_KEY_UNKNOWN,
            path_key(&path, key_id),
            message,
        ));
        let key = MissingKey {
            server_name: server.clone(),
            key_id: key_id.clone(),
        };
        // Sorted and deduplicated at the end; most repeats come in a row.
        if missing.last() != Some(&key) {
            missing.push(key);
        }
    }
    if req.malformed.is_empty() && req.expired.is_empty() && req.unknown.is_empty() {
        let message =
            format!("{label}: has no ed25519 signature from {server}, whose signature it needs.");
        problems.push(Problem::error(sig_codes::SIGNATURE_MISSING, path, message));
    }
    false
}

/// Judges parsed events (or their parse errors) for `version`; they are named `Event #0`,
/// `Event #1`, … in messages.
pub fn validate_values(
    events: Vec<Result<Value, Problem>>,
    version: &RoomVersion,
    keys: &KeyRing,
    options: &ValidateOptions,
) -> Validation {
    let events = events
        .into_iter()
        .enumerate()
        .map(|(i, value)| InputEvent::plain(format!("Event #{i}"), value))
        .collect();
    validate_events(events, version, keys, options)
}

/// Reduces and format-checks one input event (see [`Received`], [`pdu::prepare`]).
fn prepare_event(
    event: InputEvent,
    label: &str,
    version: &RoomVersion,
    via_backfill: bool,
    known: Option<&pdu::Digests>,
) -> Prepared {
    let InputEvent {
        value,
        row_id,
        origin,
        ..
    } = event;
    let object = match value {
        Ok(Value::Object(object)) => object,
        Ok(other) => {
            return Prepared::unusable(vec![pdu::not_object(&other, label)], None, Form::Pdu)
        }
        Err(problem) => return Prepared::unusable(vec![problem], None, Form::Pdu),
    };
    let received = Received::reduce(object, version, row_id, origin, label);
    pdu::prepare(received, version, via_backfill, label, known)
}

/// Judges the events of an input for `version`: format, event ID, signatures (batched),
/// content hash.
pub fn validate_events(
    events: Vec<InputEvent>,
    version: &RoomVersion,
    keys: &KeyRing,
    options: &ValidateOptions,
) -> Validation {
    let mut budget = ProblemBudget::new();
    let mut validation = validate_part(events, version, keys, options, None, &mut budget, 0);
    if let Some((first, summary)) = budget.summary() {
        validation.report.events[first].problems.push(summary);
    }
    validation
}

/// What judging `events` on another core gives the session ([`Known`]: the outcome of every
/// signature check of each event and its digests), with each event's canonical JSON (empty
/// when it is no PDU), for the host to compare with its text (see
/// `crate::session::parallel`).
pub fn judge_apart(
    events: Vec<InputEvent>,
    version: &RoomVersion,
    keys: &KeyRing,
    options: &ValidateOptions,
) -> Vec<(Known, String)> {
    let mut prepared: Vec<Prepared> = events
        .into_iter()
        .map(|e| prepare_event(e, "", version, options.via_backfill, None))
        .collect();
    let (checks, required) = gather_all(&prepared, keys);
    let messages: Vec<&[u8]> = prepared.iter().map(|p| &p.signing_bytes[..]).collect();
    let ok = verify_all(&messages, &checks);
    // Whether each event's signatures hold with nothing to say about them.
    let mut signed = vec![true; prepared.len()];
    for req in &required {
        signed[req.event] &= says_nothing(req, &ok);
    }
    let mut out: Vec<(Known, String)> = prepared
        .iter_mut()
        .zip(signed)
        .map(|(p, signed)| {
            let digests = p.digests.take().filter(|_| p.pdu.is_some());
            let plain = signed.then(|| plain_of(p)).flatten();
            let known = Known {
                digests,
                plain,
                ..Known::default()
            };
            (known, std::mem::take(&mut p.json))
        })
        .collect();
    for (check, ok) in checks.iter().zip(ok) {
        out[check.message].0.outcomes.push(ok);
    }
    out
}

/// `p` as [`Plain`] when, its signatures holding, it is one: a PDU that is no state event,
/// with its content hash right and no problem (whether its text is its canonical JSON is
/// for the caller, who holds the text, to say). Its PDU is taken: `p` is done with.
fn plain_of(p: &mut Prepared) -> Option<Box<Plain>> {
    let plain = p.form == Form::Pdu
        && p.problems.is_empty()
        && p.content_hash_ok == Some(true)
        && !p.rejected
        && p.pdu.as_ref().is_some_and(|pdu| {
            let f = &pdu.fields;
            !pdu.is_state() && f.room_id.is_some() && f.redacts.as_deref() != Some("")
        });
    let pdu = p.pdu.take().filter(|_| plain)?;
    Some(Box::new(Plain {
        event_id: pdu.event_id,
        fields: pdu.fields,
        summary: String::new(),
    }))
}

/// Every signature check of `prepared` (`SignatureCheck::message` is the event's index)
/// and what each required server of each event has.
fn gather_all(prepared: &[Prepared], keys: &KeyRing) -> (Vec<SignatureCheck>, Vec<Required>) {
    let mut checks = Vec::new();
    let mut required = Vec::new();
    for (i, p) in prepared.iter().enumerate() {
        match &p.pdu {
            Some(pdu) if !p.plain => required.extend(gather(i, pdu, keys, &mut checks)),
            _ => {}
        }
    }
    (checks, required)
}

/// [`validate_events`] for one part of an input whose first event is the input's event
/// `offset`: the problems are capped by `budget`, shared by the input's parts, and the
/// summary of what it left out is the caller's to add (at the end of the input).
///
/// A session (`known` given) gets each event's canonical JSON in
/// [`Validation::canonical`], and may know what other cores computed of some events: the
/// digests of `known[i]` are used instead of hashing event `i` again, and its outcomes,
/// when there is one per check of the event, instead of verifying its signatures again.
/// Only the session gives them, from judgements it authenticated
/// (`crate::session::parallel`); everything else is judged here, so the report is the same
/// as [`validate_events`]'s.
pub(crate) fn validate_part(
    events: Vec<InputEvent>,
    version: &RoomVersion,
    keys: &KeyRing,
    options: &ValidateOptions,
    known: Option<&[Option<Known>]>,
    budget: &mut ProblemBudget,
    offset: usize,
) -> Validation {
    // Events that are unusable have their verdict now: their problems are capped at once,
    // so a flood of broken events never holds all its problems.
    let mut labels = Vec::with_capacity(events.len());
    let mut capped = Vec::with_capacity(events.len());
    let mut prepared = Vec::with_capacity(events.len());
    let keep = known.is_some();
    let known = known.unwrap_or_default();
    for (index, mut event) in events.into_iter().enumerate() {
        let label = std::mem::take(&mut event.label);
        let known = known.get(index).and_then(Option::as_ref);
        let digests = known.and_then(|k| k.digests.as_ref());
        let plain = known.and_then(|k| k.plain.as_deref());
        let mut p = match (plain, digests) {
            (Some(plain), Some(digests)) => Prepared::of_plain(plain, digests, version),
            _ => prepare_event(event, &label, version, options.via_backfill, digests),
        };
        if !keep {
            p.json = String::new();
        }
        let unusable = p.pdu.is_none() && p.form == Form::Pdu;
        if unusable {
            budget.apply(offset + index, &label, &mut p.problems);
        }
        capped.push(unusable);
        labels.push(label);
        prepared.push(p);
    }
    let (checks, required) = gather_all(&prepared, keys);
    let ok = verify_unknown(&mut prepared, version, &checks, known);

    let mut missing = Vec::new();
    let mut reports = Vec::with_capacity(prepared.len());
    let mut judged = Vec::with_capacity(prepared.len());
    let mut canonical = Vec::with_capacity(if keep { prepared.len() } else { 0 });
    let mut required = required.into_iter().peekable();
    for (index, (mut p, label)) in prepared.into_iter().zip(labels).enumerate() {
        if keep {
            let fingerprint = p.digests.as_ref().filter(|_| p.pdu.is_some());
            canonical.push(fingerprint.map(|d| (std::mem::take(&mut p.json), d.fingerprint)));
        }
        let mut signed = true;
        while let Some(req) = required.next_if(|r| r.event == index) {
            signed &= judge(&req, &ok, &checks, &label, &mut p.problems, &mut missing);
        }
        let verdict = verdict_of(&p, signed);
        let pruned = (verdict == Verdict::Redacted).then_some(p.was_already_redacted);
        let event = match (p.pdu.take(), p.event.take(), &p.event_id) {
            (Some(pdu), _, _) => {
                if let Some(pruned) = pruned {
                    p.problems
                        .push(hash_mismatch(&label, pruned, p.content_hash_ok.is_some()));
                }
                Judged::Pdu(pdu)
            }
            (None, Some(event), Some(id)) => Judged::Written {
                event_id: id.clone(),
                event,
            },
            _ => Judged::Unusable,
        };
        // Most important first; the checks' order within one severity.
        if !capped[index] {
            budget.apply(offset + index, &label, &mut p.problems);
        }
        reports.push(EventReport {
            index,
            label,
            event_id: p.event_id,
            verdict,
            pruned_by_sender: pruned,
            problems: p.problems,
        });
        judged.push(event);
    }
    crate::sort::sort_dedup(&mut missing);
    let report = Report {
        room_version: version.id.to_owned(),
        input: InputShape::Array,
        counts: Counts::of(&reports),
        events: reports,
        problems: Vec::new(),
        missing_keys: missing,
    };
    Validation {
        report,
        events: judged,
        canonical,
    }
}

/// [`verify_all`] for the checks whose event has no usable outcomes in `known` (their
/// signing bytes written first where the event's digests were given).
fn verify_unknown(
    prepared: &mut [Prepared],
    version: &RoomVersion,
    checks: &[SignatureCheck],
    known: &[Option<Known>],
) -> Vec<bool> {
    let mut per_event = vec![0usize; prepared.len()];
    for check in checks {
        per_event[check.message] += 1;
    }
    let usable = |event: usize| {
        let known = known.get(event)?.as_ref()?;
        Some(&known.outcomes).filter(|bits| bits.len() == per_event[event])
    };
    for (i, p) in prepared.iter_mut().enumerate() {
        if let (Some(pdu), true) = (&p.pdu, p.signing_bytes.is_empty() && usable(i).is_none()) {
            redaction::write_signing_bytes(&pdu.event, version, &mut p.signing_bytes);
        }
    }
    let messages: Vec<&[u8]> = prepared.iter().map(|p| &p.signing_bytes[..]).collect();
    let unknown: Vec<SignatureCheck> = checks
        .iter()
        .filter(|c| usable(c.message).is_none())
        .copied()
        .collect();
    let mut verified = verify_all(&messages, &unknown).into_iter();
    let mut seen = vec![0usize; messages.len()];
    checks
        .iter()
        .map(|c| {
            let nth = seen[c.message];
            seen[c.message] += 1;
            match usable(c.message) {
                Some(bits) => bits[nth],
                None => verified.next().unwrap_or(false),
            }
        })
        .collect()
}

/// The verdict of one prepared event whose required signatures are `signed` or not.
fn verdict_of(p: &Prepared, signed: bool) -> Verdict {
    if p.form != Form::Pdu {
        return match p.event_id {
            Some(_) => Verdict::Unchecked,
            None => Verdict::Dropped,
        };
    }
    if p.pdu.is_none() {
        return Verdict::Dropped;
    }
    if !signed {
        // Unchecked when the only errors are keys the ring lacks (besides an ID the input
        // wrote wrongly, which says nothing of the event itself, and a rejection, which
        // needs the signatures checked first).
        let only_keys_missing = p
            .problems
            .iter()
            .filter(|x| x.is_error() && x.code != codes::EVENT_ID_MISMATCH)
            .filter(|x| !pdu::REJECTING.contains(&x.code))
            .all(|x| x.code == sig_codes::SIGNING_KEY_UNKNOWN);
        return match only_keys_missing {
            true => Verdict::Unchecked,
            false => Verdict::Dropped,
        };
    }
    match (p.rejected, p.content_hash_ok) {
        (true, _) => Verdict::Rejected,
        (false, Some(true)) => Verdict::Valid,
        (false, _) => Verdict::Redacted,
    }
}

fn hash_mismatch(label: &str, pruned: bool, hash_present: bool) -> Problem {
    let why = if hash_present {
        "does not match `hashes.sha256`"
    } else {
        "cannot be compared"
    };
    match pruned {
        true => Problem::warning(
            codes::CONTENT_HASH_MISMATCH,
            "$.hashes.sha256",
            format!("{label}: the content hash {why}, and the event arrived already redacted: the sending server pruned it (as servers do for events the requester may not see)."),
        ),
        false => Problem::error(
            codes::CONTENT_HASH_MISMATCH,
            "$.hashes.sha256",
            format!("{label}: the content hash {why} while the signatures hold: the content was altered after signing (tampered or corrupted); a server uses the redacted form."),
        ),
    }
}

/// The room version an input names (its own, or its `m.room.create`'s), `None` without
/// one; `Err` with `unknown_room_version` when it names a version mxdag does not know.
pub fn room_version_named(input: &input::Input) -> Result<Option<RoomVersion>, Problem> {
    let Some(named) = input.room_version_named() else {
        return Ok(None);
    };
    named
        .ok()
        .and_then(|id| RoomVersion::from_id(&id))
        .map(Some)
        .ok_or_else(|| {
            let name = match input.room_version_named() {
                Some(Ok(id)) => format!("{id:?}"),
                Some(Err(text)) => text,
                None => String::new(),
            };
            Problem::error(
                codes::UNKNOWN_ROOM_VERSION,
                "$",
                format!("The input names room version {name}, which mxdag does not know (it knows 1–12)."),
            )
        })
}

/// Validates a whole input text (any shape [`input::recognise`] reads; keys it carries
/// are not used: see the room session). The room version is `version` if given, else the
/// one the input names; `Err` with `unknown_room_version` when neither says.
pub fn validate_input(
    text: &str,
    version: Option<&RoomVersion>,
    keys: &KeyRing,
    options: &ValidateOptions,
) -> Result<Validation, Problem> {
    let input = input::recognise(text);
    let version = match version {
        Some(v) => *v,
        None => match room_version_named(&input)? {
            Some(v) => v,
            None => {
                return Err(Problem::error(codes::UNKNOWN_ROOM_VERSION, "$", "The room version is not given and the input holds no `m.room.create` event to read it from."));
            }
        },
    };
    let shape = input.shape();
    let mut validation = validate_events(input.events, &version, keys, options);
    validation.report.input = shape;
    validation.report.problems = input.problems;
    Ok(validation)
}
