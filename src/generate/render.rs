//! Rendering a [`RoomShape`] as the signed PDUs of a room version.
//!
//! Each event is built as its origin server would send it over federation (Server-Server
//! API, "PDUs", and the "Event format" of each room version): v1/v2 events carry an
//! `event_id` and refer to others as `[id, {"sha256": reference hash}]`; from v3 the ID is
//! the reference hash and references are plain IDs; v11 drops `origin` and moves `redacts`
//! into the content; v12 derives the room ID from the create event, which has no `room_id`
//! and is left out of `auth_events`. Then the content hash is set and the server signs the
//! redacted event (Server-Server API, "Signing events"), in topological order, so every
//! reference is to a final event ID.

use serde::Deserialize;

use super::content::{self, object, string};
use super::damage::{apply_damage, Damage, DamageReport};
use super::keys::{server_key_response, ServerSigningKey};
use super::prng::SplitMix64;
use super::shape::{generate_shape, EventKind, Membership, RoomShape};
use super::{codes, ShapeOptions};
use crate::canonical_json::{Object, Value};
use crate::crypto::encoding::base64_unpadded;
use crate::crypto::keys::parse_signature;
use crate::crypto::signatures::SignatureCheck;
use crate::event::hashes::{reference_hash, room_id_from_create_event};
use crate::event::sign_event;
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// Options for a generated room: its shape, room version, message sizes and damage.
/// Field names are camelCase when read from JS; every field has a default.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct GenerateOptions {
    /// The DAG's shape (seed, events, servers, concurrency, partitions, …).
    #[serde(flatten)]
    pub shape: ShapeOptions,
    /// The room version, `"1"` … `"12"`.
    pub room_version: String,
    /// Mean size of message bodies in bytes (the default, 220, gives v12 PDUs of about 900
    /// bytes on average).
    pub mean_body_bytes: usize,
    /// `origin_server_ts` of the create event, in milliseconds since the epoch.
    pub start_ts: u64,
    /// Events to damage after signing.
    pub damage: Damage,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            shape: ShapeOptions::default(),
            room_version: "12".into(),
            mean_body_bytes: 220,
            start_ts: 1_700_000_000_000,
            damage: Damage::default(),
        }
    }
}

/// A generated room: PDUs in topological order and everything needed to check them.
#[derive(Clone, Debug)]
pub struct GeneratedRoom {
    /// The room ID.
    pub room_id: String,
    /// The room version.
    pub room_version: RoomVersion,
    /// The PDUs as servers send them (damaged ones as damaged), parents first.
    pub pdus: Vec<Value>,
    /// The event ID of each PDU (as computed before any damage).
    pub event_ids: Vec<String>,
    /// One self-signed `GET /_matrix/key/v2/server` response per server.
    pub server_keys: Vec<Value>,
    /// The forward extremities' event IDs.
    pub forward_extremities: Vec<String>,
    /// Each server's signing key.
    pub signing_keys: Vec<ServerSigningKey>,
    /// Which events were damaged, and how.
    pub damage: DamageReport,
    /// The shape the PDUs were rendered from.
    pub shape: RoomShape,
}

impl GeneratedRoom {
    /// The check of PDU `index`'s signature by its sending server's key, as the PDU carries
    /// it; `None` when that signature is missing or not base64 of 64 bytes.
    pub fn sender_signature(&self, index: usize) -> Option<SignatureCheck> {
        let key = &self.signing_keys[usize::from(self.shape.events[index].server)];
        let signature = self.pdus[index]
            .get("signatures")
            .and_then(|s| s.get(&key.server_name))
            .and_then(|s| s.get(&key.key_id))
            .and_then(Value::as_str)
            .and_then(parse_signature)?;
        Some(SignatureCheck {
            message: index,
            key: key.key.verifying_key(),
            signature,
        })
    }
}

/// Generates a signed room; the same options always give the same room.
pub fn generate_room(options: &GenerateOptions) -> Result<GeneratedRoom, Problem> {
    check_limits(&options.shape)?;
    let version = RoomVersion::from_id(&options.room_version).ok_or_else(|| {
        Problem::error(
            codes::UNKNOWN_ROOM_VERSION,
            "$.roomVersion",
            format!(
                "Room version {:?} is not one of 1–12.",
                options.room_version
            ),
        )
    })?;
    let shape = generate_shape(&options.shape);
    let mut rng = SplitMix64::derive(options.shape.seed, 2);
    let signing_keys: Vec<ServerSigningKey> = shape
        .servers
        .iter()
        .map(|name| ServerSigningKey::derive(options.shape.seed, name))
        .collect();
    let mut renderer = Renderer::new(options, version, &shape, &mut rng);
    let mut pdus = Vec::with_capacity(shape.events.len());
    for index in 0..shape.events.len() {
        let mut pdu = renderer.event(index);
        let key = &signing_keys[usize::from(shape.events[index].server)];
        let id = sign_event(&mut pdu, &version, &key.server_name, &key.key_id, &key.key)?;
        renderer.record(index, &pdu, id);
        pdus.push(pdu);
    }
    let last_ts = renderer.ts;
    let event_ids = renderer.ids;
    let damage = apply_damage(
        &mut pdus,
        &shape,
        &version,
        &options.damage,
        &signing_keys,
        options.shape.seed,
    );
    let valid_until = last_ts + 365 * 24 * 3600 * 1000;
    Ok(GeneratedRoom {
        room_id: renderer.room_id,
        room_version: version,
        server_keys: signing_keys
            .iter()
            .map(|k| server_key_response(k, valid_until))
            .collect::<Result<_, _>>()?,
        forward_extremities: shape
            .forward_extremities
            .iter()
            .map(|&e| event_ids[e as usize].clone())
            .collect(),
        pdus,
        event_ids,
        signing_keys,
        damage,
        shape,
    })
}

/// Signed rooms are held whole in memory (a wasm module has at most 4 GiB): beyond these
/// limits the options are refused rather than exhausting memory.
const MAX_EVENTS: u32 = 2_000_000;
const MAX_SERVERS: u16 = 1_000;
const MAX_USERS: u64 = 100_000;

fn check_limits(shape: &ShapeOptions) -> Result<(), Problem> {
    let users = u64::from(shape.servers) * u64::from(shape.users_per_server);
    let refuse = |field: &str, what: String| {
        Err(Problem::error(
            codes::BAD_OPTIONS,
            format!("$.{field}"),
            what,
        ))
    };
    if shape.events > MAX_EVENTS {
        return refuse(
            "events",
            format!(
                "A generated room has at most {MAX_EVENTS} signed events, not {}.",
                shape.events
            ),
        );
    }
    if shape.servers > MAX_SERVERS {
        return refuse(
            "servers",
            format!(
                "A generated room has at most {MAX_SERVERS} servers, not {}.",
                shape.servers
            ),
        );
    }
    if users > MAX_USERS {
        return refuse(
            "usersPerServer",
            format!("A generated room has at most {MAX_USERS} users, not {users}."),
        );
    }
    Ok(())
}

/// Builds events one after the other, remembering the IDs and hashes of those before.
struct Renderer<'a> {
    options: &'a GenerateOptions,
    version: RoomVersion,
    shape: &'a RoomShape,
    rng: &'a mut SplitMix64,
    room_id: String,
    ids: Vec<String>,
    /// Reference hashes, kept for the v1/v2 reference format only.
    reference_hashes: Vec<String>,
    user_ids: Vec<String>,
    ts: u64,
    history_visibility_set: bool,
}

impl<'a> Renderer<'a> {
    fn new(
        options: &'a GenerateOptions,
        version: RoomVersion,
        shape: &'a RoomShape,
        rng: &'a mut SplitMix64,
    ) -> Self {
        let user_ids = shape
            .users
            .iter()
            .map(|u| format!("@{}:{}", u.localpart, shape.servers[usize::from(u.server)]))
            .collect();
        // v1–v11: the creating server picks an opaque room ID; v12 derives it later.
        let room_id = format!("!{}:{}", opaque(rng, 18), shape.servers[0]);
        Self {
            options,
            version,
            shape,
            rng,
            room_id,
            ids: Vec::with_capacity(shape.events.len()),
            reference_hashes: Vec::new(),
            user_ids,
            ts: options.start_ts,
            history_visibility_set: false,
        }
    }

    /// A reference to event `index`, in the version's format.
    fn reference(&self, index: u32) -> Value {
        let id = Value::String(self.ids[index as usize].clone());
        if !self.version.event_id_in_event() {
            return id;
        }
        let hash = Value::Object(
            [(
                "sha256".to_owned(),
                self.reference_hashes[index as usize].clone().into(),
            )]
            .into_iter()
            .collect(),
        );
        Value::Array(vec![id, hash])
    }

    fn references(&self, indices: &[u32]) -> Value {
        Value::Array(indices.iter().map(|&i| self.reference(i)).collect())
    }

    /// The unsigned event `index`.
    fn event(&mut self, index: usize) -> Value {
        let event = &self.shape.events[index];
        let v11 = self.version.redaction.v11;
        let sender = self.user_ids[event.sender as usize].clone();
        let server = self.shape.servers[usize::from(event.server)].clone();
        let mut object = Object::new();
        let (event_type, content) = self.content(event.kind, &sender);
        if let EventKind::Redaction(target) = event.kind {
            if !v11 {
                object.insert("redacts", self.ids[target as usize].clone().into());
            }
        }
        if event.kind.is_state() {
            let state_key = if matches!(event.kind, EventKind::Member(_)) {
                sender.clone()
            } else {
                String::new()
            };
            object.insert("state_key", state_key.into());
        }
        let v12 = self.version.room_id_from_create_event();
        let auth: Vec<u32> = event
            .auth_events
            .iter()
            .copied()
            .filter(|&a| !(v12 && a == 0))
            .collect();
        object.insert("auth_events", self.references(&auth));
        object.insert("prev_events", self.references(&event.prev_events));
        object.insert("content", content);
        object.insert("depth", Value::Int(event.depth as i64));
        if !v11 {
            object.insert("origin", server.clone().into());
        }
        self.ts += self.rng.range(200, 30_000);
        object.insert("origin_server_ts", Value::Int(self.ts as i64));
        if !(v12 && event.kind == EventKind::Create) {
            object.insert("room_id", self.room_id.clone().into());
        }
        object.insert("sender", sender.into());
        object.insert("type", event_type.into());
        if self.version.event_id_in_event() {
            object.insert(
                "event_id",
                format!("${}:{}", opaque(self.rng, 18), server).into(),
            );
        }
        Value::Object(object)
    }

    /// The event's `type` and `content`.
    fn content(&mut self, kind: EventKind, sender: &str) -> (&'static str, Value) {
        let v11 = self.version.redaction.v11;
        let (event_type, content) = match kind {
            EventKind::Create if v11 => (
                "m.room.create",
                object([("room_version", string(self.version.id))]),
            ),
            EventKind::Create => (
                "m.room.create",
                object([
                    ("creator", string(sender)),
                    ("room_version", string(self.version.id)),
                ]),
            ),
            EventKind::Member(membership) => {
                let localpart = sender[1..].split(':').next().unwrap_or_default();
                let m = if membership == Membership::Join {
                    "join"
                } else {
                    "leave"
                };
                ("m.room.member", content::member(m, localpart))
            }
            EventKind::PowerLevels => {
                // v12 gives creators unlimited power and forbids listing them in `users`.
                let creator =
                    (!self.version.room_id_from_create_event()).then(|| self.user_ids[0].as_str());
                let moderators: Vec<String> = self
                    .shape
                    .moderators
                    .iter()
                    .map(|&m| self.user_ids[m as usize].clone())
                    .collect();
                (
                    "m.room.power_levels",
                    content::power_levels(creator, &moderators),
                )
            }
            EventKind::JoinRules => (
                "m.room.join_rules",
                object([("join_rule", string("public"))]),
            ),
            EventKind::HistoryVisibility => {
                let first = !std::mem::replace(&mut self.history_visibility_set, true);
                (
                    "m.room.history_visibility",
                    content::history_visibility(self.rng, first),
                )
            }
            EventKind::Name => ("m.room.name", content::room_name(self.rng)),
            EventKind::Topic => ("m.room.topic", content::topic(self.rng)),
            EventKind::Message => (
                "m.room.message",
                content::message(self.rng, self.options.mean_body_bytes),
            ),
            EventKind::Redaction(target) if v11 => (
                "m.room.redaction",
                object([
                    ("reason", string("spam")),
                    ("redacts", string(self.ids[target as usize].clone())),
                ]),
            ),
            EventKind::Redaction(_) => ("m.room.redaction", object([("reason", string("spam"))])),
        };
        (event_type, content)
    }

    /// Remembers the signed event `index`: its ID, its reference hash (v1/v2), and for a v12
    /// create event the room ID it defines.
    fn record(&mut self, index: usize, pdu: &Value, id: Option<String>) {
        if let Value::Object(object) = pdu {
            if self.version.event_id_in_event() {
                self.reference_hashes
                    .push(base64_unpadded(&reference_hash(object, &self.version)));
            }
            if index == 0 && self.version.room_id_from_create_event() {
                self.room_id = room_id_from_create_event(object, &self.version);
            }
        }
        self.ids.push(id.unwrap_or_default());
    }
}

/// `len` random ASCII letters, for opaque room and v1/v2 event ID localparts.
fn opaque(rng: &mut SplitMix64, len: usize) -> String {
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..len)
        .map(|_| char::from(LETTERS[rng.index(LETTERS.len())]))
        .collect()
}
