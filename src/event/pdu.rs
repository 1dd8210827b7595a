//! [`Pdu`]: the parsed, format-checked view of one event that the rest of the crate uses.
//!
//! Spec: [Server-Server API § PDUs](https://spec.matrix.org/v1.16/server-server-api/#pdus).

use super::format::{self, PduFields};
use super::received::{id_mismatch, Form, Received};
use super::{hashes, redaction};
use crate::canonical_json::{self, Object, Value};
use crate::input::Origin;
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// One PDU whose format is valid for its room version, with its event ID.
#[derive(Clone, Debug, PartialEq)]
pub struct Pdu {
    /// The event ID: carried in the event for v1/v2, the reference hash from v3.
    pub event_id: String,
    /// The fields the format checks read, typed.
    pub fields: PduFields,
    /// The room version the event was read with.
    pub room_version: RoomVersion,
    /// The whole event as received (a JSON object); empty for an event that is no state
    /// event taken as another core read it ([`Plain`]: nothing reads the
    /// tree of such an event, and its text is held as its canonical JSON).
    pub event: Object,
}

impl Pdu {
    /// `content` (always an object for a format-valid PDU).
    pub fn content(&self) -> &Object {
        static EMPTY: std::sync::OnceLock<Object> = std::sync::OnceLock::new();
        self.event
            .get("content")
            .and_then(Value::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(Object::new))
    }

    /// Whether this is a state event (it has a `state_key`).
    pub fn is_state(&self) -> bool {
        self.fields.state_key.is_some()
    }

    /// `content.membership` of an `m.room.member` event.
    pub fn membership(&self) -> Option<&str> {
        self.content().get("membership").and_then(Value::as_str)
    }

    /// The server part of `sender`.
    pub fn sender_server(&self) -> &str {
        format::server_of(&self.fields.sender).unwrap_or("")
    }

    /// Whether this is the room's `m.room.create` event.
    pub fn is_create(&self) -> bool {
        self.fields.event_type == "m.room.create" && self.fields.state_key.as_deref() == Some("")
    }

    /// The room ID a v12 create event defines (`!` + its reference hash); `None` for any
    /// other event or version.
    pub fn create_room_id(&self) -> Option<String> {
        (self.is_create() && self.room_version.room_id_from_create_event())
            .then(|| format!("!{}", self.event_id.trim_start_matches('$')))
    }

    /// The event as canonical JSON.
    pub fn to_canonical_json(&self) -> String {
        let mut out = Vec::with_capacity(1024);
        canonical_json::write_object_except(&self.event, &[], &mut out);
        // Canonical JSON of an object whose strings are UTF-8 is UTF-8.
        crate::utf8::string_of(out).unwrap_or_default()
    }
}

/// What another core read of an event it found *plain*: a PDU that is no state event,
/// whose text is its canonical JSON, with its content hash right, every signature it needs
/// verified and not one problem, so `valid` whatever the session does but check 4 on. The
/// session takes it from this without reading its text again (most of a large file's
/// events: the second reading, its tree and dropping it were two fifths of the session's
/// pass over 100,000 events judged on other cores).
#[derive(Debug, PartialEq)]
pub struct Plain {
    /// Its event ID.
    pub event_id: String,
    /// Its fields, as the format checks read them.
    pub fields: PduFields,
    /// How the session describes it in one line (`crate::session::held`), written on the
    /// core that read it.
    pub summary: String,
}

/// Everything computed about one event on the way to its verdict, before signatures.
pub(crate) struct Prepared {
    /// The format-valid view, or `None` when the format is broken or the event is no PDU.
    pub pdu: Option<Box<Pdu>>,
    /// The event ID when it could be determined (even for a broken format): computed from
    /// v3, else the one the event carries; the written one for events that are no PDU.
    pub event_id: Option<String>,
    /// The bytes signatures cover (redacted form without `signatures`, `unsigned`).
    pub signing_bytes: Vec<u8>,
    /// `Some(true)` when `hashes.sha256` matches, `Some(false)` when not, `None` when absent
    /// or malformed.
    pub content_hash_ok: Option<bool>,
    /// Whether the event was already exactly its redacted form.
    pub was_already_redacted: bool,
    /// Its digests, once computed (or given).
    pub digests: Option<Digests>,
    /// Its canonical JSON, when written here (empty when its digests were given).
    pub json: String,
    /// The only errors are ones servers persist the event for, as rejected (lenient size
    /// limits, room versions 1–10).
    pub rejected: bool,
    /// What kind of event it was.
    pub form: Form,
    /// The event as reduced: kept for events that are no PDU (their DAG fields).
    pub event: Option<Object>,
    /// Every problem found so far.
    pub problems: Vec<Problem>,
    /// Taken as another core read it ([`Plain`]): its signatures need no
    /// check, and its [`Pdu::event`] is empty.
    pub plain: bool,
}

/// What hashing one event gives: computed by [`prepare`], or computed from the same bytes
/// by the same code on another core and carried in a judgement (`crate::session::parallel`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Digests {
    /// The reference hash: SHA-256 of the signing bytes (the event ID from room version 3).
    pub reference: [u8; 32],
    /// The content hash: SHA-256 of the canonical JSON without `hashes`, `signatures` and
    /// `unsigned`.
    pub content: [u8; 32],
    /// The size of the whole event as canonical JSON.
    pub size: usize,
    /// Its [fingerprint](super::fingerprint::of_event).
    pub fingerprint: u64,
    /// Whether the event was already exactly its redacted form.
    pub was_already_redacted: bool,
}

/// The digests of `event`, its canonical JSON written once to `json` for the content hash,
/// the fingerprint and the size, its signing bytes to `signing`.
fn digests_of(
    event: &Object,
    version: &RoomVersion,
    json: &mut String,
    signing: &mut Vec<u8>,
) -> Digests {
    use sha2::Digest;
    let mut content = sha2::Sha256::new();
    let fingerprint;
    (*json, fingerprint) = super::fingerprint::canonical_and_fingerprint(event, Some(&mut content));
    signing.clear();
    let was_already_redacted = redaction::write_signing_bytes(event, version, signing);
    Digests {
        reference: hashes::sha256(signing),
        content: content.finalize().into(),
        size: json.len(),
        fingerprint,
        was_already_redacted,
    }
}

/// Errors that make a server persist the event as rejected rather than drop it.
pub(crate) const REJECTING: [&str; 1] = [super::codes::FIELD_OVER_BYTE_LIMIT];

impl Prepared {
    pub(crate) fn unusable(problems: Vec<Problem>, event_id: Option<String>, form: Form) -> Self {
        Prepared {
            pdu: None,
            event_id,
            signing_bytes: Vec::new(),
            content_hash_ok: None,
            was_already_redacted: false,
            digests: None,
            json: String::new(),
            rejected: false,
            form,
            event: None,
            problems,
            plain: false,
        }
    }

    /// An event another core found plain, with its digests: `valid` but for check 4. Its
    /// PDU holds its fields and no tree (nothing reads one of an event that is no state
    /// event); its text is kept as its canonical JSON.
    pub(crate) fn of_plain(plain: &Plain, digests: &Digests, version: &RoomVersion) -> Self {
        Prepared {
            pdu: Some(Box::new(Pdu {
                event_id: plain.event_id.clone(),
                fields: plain.fields.clone(),
                room_version: *version,
                event: Object::new(),
            })),
            event_id: Some(plain.event_id.clone()),
            signing_bytes: Vec::new(),
            content_hash_ok: Some(true),
            was_already_redacted: digests.was_already_redacted,
            digests: Some(digests.clone()),
            json: String::new(),
            rejected: false,
            form: Form::Pdu,
            event: None,
            problems: Vec::new(),
            plain: true,
        }
    }
}

/// [`prepare`] for an event given as a bare value (no ID beside it, not a scenario's).
pub(crate) fn prepare_value(
    value: Value,
    version: &RoomVersion,
    via_backfill: bool,
    label: &str,
) -> Prepared {
    let Value::Object(event) = value else {
        return Prepared::unusable(vec![not_object(&value, label)], None, Form::Pdu);
    };
    let received = Received::reduce(event, version, None, Origin::Plain, label);
    prepare(received, version, via_backfill, label, None)
}

/// The problem of an event that is not a JSON object.
pub(crate) fn not_object(value: &Value, label: &str) -> Problem {
    Problem::error(
        super::codes::EVENT_NOT_OBJECT,
        "$",
        format!(
            "{label}: an event must be a JSON object, found {}.",
            value.type_name()
        ),
    )
}

/// Checks one event reduced to its PDU: canonical JSON numbers, format, size; computes the
/// redacted signing bytes, the event ID and the content hash (or takes `known`, its digests
/// computed on another core: then it writes no signing bytes), and compares the ID with the
/// one the input wrote. An event that is no PDU (client format, scenario) only says why it
/// cannot be checked.
pub(crate) fn prepare(
    received: Received,
    version: &RoomVersion,
    via_backfill: bool,
    label: &str,
    known: Option<&Digests>,
) -> Prepared {
    let mut problems = received.problems.clone();
    if let Some(why) = received.not_checkable(label) {
        problems.push(why);
        let mut out = Prepared::unusable(problems, received.written_id.clone(), received.form);
        out.event = Some(received.event);
        return out;
    }
    let Received {
        mut event,
        client_keys,
        written_id,
        ..
    } = received;
    canonical_json::check_numbers_in_object(
        &event,
        version.strict_canonical_json,
        label,
        &mut problems,
    );
    let fields = format::check(&event, version, via_backfill, label, &mut problems);
    let (mut json, mut signing_bytes) = (String::new(), Vec::new());
    // Keys set aside may be put back below: their event's digests are computed here.
    let mut digests = match known.filter(|_| client_keys.is_empty()) {
        Some(known) => known.clone(),
        None => digests_of(&event, version, &mut json, &mut signing_bytes),
    };
    let mut content_hash_ok = check_content_hash(&event, &digests.content, label, &mut problems);
    if content_hash_ok == Some(false)
        && restore_if_signed_with(&mut event, client_keys, &mut problems, label)
    {
        digests = digests_of(&event, version, &mut json, &mut signing_bytes);
        content_hash_ok = Some(true);
    }
    format::check_size(digests.size, label, &mut problems);

    let event_id = match version.event_id_in_event() {
        true => event
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        false => hashes::event_id_from_reference_hash(&digests.reference, version),
    };
    if let (Some(id), false) = (&event_id, version.event_id_in_event()) {
        problems.extend(id_mismatch(written_id.as_deref(), id, label));
    }
    // An ID the input wrote wrongly says nothing of the event itself.
    let errors = problems
        .iter()
        .filter(|p| p.is_error() && p.code != super::codes::EVENT_ID_MISMATCH);
    let rejected =
        errors.clone().count() > 0 && errors.clone().all(|p| REJECTING.contains(&p.code));
    let usable = rejected || errors.clone().next().is_none();
    let pdu = match (fields, &event_id) {
        (Some(fields), Some(id)) if usable => Some(Box::new(Pdu {
            event_id: id.clone(),
            fields,
            room_version: *version,
            event,
        })),
        _ => None,
    };
    // Only a PDU's signatures are checked: a broken event keeps no bytes (a flood of them
    // would hold 512 bytes each for nothing).
    if pdu.is_none() {
        signing_bytes = Vec::new();
        json = String::new();
    }
    Prepared {
        pdu,
        event_id,
        signing_bytes,
        content_hash_ok,
        was_already_redacted: digests.was_already_redacted,
        digests: Some(digests),
        json,
        rejected,
        form: Form::Pdu,
        event: None,
        problems,
        plain: false,
    }
}

/// Puts the client keys set aside back into `event` when the content hash matches only with
/// them: a very old event that was signed with such a key at the top level. Returns whether
/// it did.
fn restore_if_signed_with(
    event: &mut Object,
    client_keys: Vec<(String, Value)>,
    problems: &mut Vec<Problem>,
    label: &str,
) -> bool {
    if client_keys.is_empty() {
        return false;
    }
    let mut with_keys = event.clone();
    for (key, value) in &client_keys {
        with_keys.insert(key.clone(), value.clone());
    }
    let hash = hashes::content_hash(&with_keys);
    if check_content_hash(&with_keys, &hash, label, &mut Vec::new()) != Some(true) {
        return false;
    }
    *event = with_keys;
    let names: Vec<String> = client_keys.iter().map(|(k, _)| format!("`{k}`")).collect();
    problems.push(Problem::info(
        super::codes::NON_PDU_KEYS_SET_ASIDE,
        "$",
        format!("{label}: {} were kept after all: the content hash matches only with them (an old event signed with them).", names.join(", ")),
    ));
    true
}

/// Compares `hashes.sha256` with the computed content hash.
fn check_content_hash(
    event: &Object,
    content_hash: &[u8; 32],
    label: &str,
    problems: &mut Vec<Problem>,
) -> Option<bool> {
    let given = event.get("hashes").and_then(|h| h.get("sha256"));
    let decoded = given
        .and_then(Value::as_str)
        .and_then(crate::crypto::encoding::decode_base64)
        .filter(|b| b.len() == 32);
    let Some(given) = decoded else {
        // A missing `hashes` object is already a format error.
        if event.get("hashes").and_then(Value::as_object).is_some() {
            problems.push(Problem::warning(
                super::codes::CONTENT_HASH_MALFORMED,
                "$.hashes.sha256",
                format!("{label}: `hashes.sha256` is not unpadded base64 of a SHA-256 hash, so the content hash cannot match."),
            ));
        }
        return None;
    };
    Some(given[..] == content_hash[..])
}
