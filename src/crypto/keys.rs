//! The key ring: servers' public signing keys, taken from key server responses.
//!
//! Spec: [Server-Server API § Retrieving server keys](https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys):
//! `GET /_matrix/key/v2/server` answers one server's keys object (`server_name`,
//! `verify_keys`, `old_verify_keys` with `expired_ts`, `valid_until_ts`, `signatures`); a
//! notary's `POST /_matrix/key/v2/query` answers `{"server_keys": [keys object, …]}`. Each
//! keys object must be signed by its own server with one of the keys it lists.
//! Key validity: [room version 5](https://spec.matrix.org/v1.16/rooms/v5/#signing-key-validity-period).

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, VerifyingKey};
use serde::Serialize;

use super::codes;
use super::encoding::{base64_unpadded, decode_base64, SIGNING_SKIPPED};
use crate::canonical_json::{self, Object, Value};
use crate::input::keys::{KeyInput, TrustSource, TrustedKey};
use crate::problem::Problem;

/// One public signing key of a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerKey {
    /// The server the key belongs to.
    pub server_name: String,
    /// The key ID, e.g. `ed25519:abc`.
    pub key_id: String,
    /// The ed25519 public key.
    pub key: VerifyingKey,
    /// For a current key (`verify_keys`): the response's `valid_until_ts`.
    pub valid_until_ts: Option<i64>,
    /// For an old key (`old_verify_keys`): when it expired.
    pub expired_ts: Option<i64>,
    /// Where the key comes from: `None` for a self-signed key response, else why it is
    /// trusted as given.
    pub trusted: Option<TrustSource>,
}

impl ServerKey {
    /// The key as listed to callers.
    pub fn info(&self) -> KeyInfo {
        KeyInfo {
            server_name: self.server_name.clone(),
            key_id: self.key_id.clone(),
            key: base64_unpadded(self.key.as_bytes()),
            valid_until_ts: self.valid_until_ts,
            expired_ts: self.expired_ts,
            trusted: self.trusted,
        }
    }

    /// The last `origin_server_ts` the key may sign at, if limited.
    pub fn valid_until(&self) -> Option<i64> {
        match (self.valid_until_ts, self.expired_ts) {
            (_, Some(expired)) => Some(expired),
            (until, None) => until,
        }
    }
}

/// A key as listed to callers (and to JS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    /// The server the key belongs to.
    pub server_name: String,
    /// The key ID.
    pub key_id: String,
    /// The public key, unpadded base64.
    pub key: String,
    /// `valid_until_ts` of a current key.
    pub valid_until_ts: Option<i64>,
    /// `expired_ts` of an old key.
    pub expired_ts: Option<i64>,
    /// Why the key is trusted as given (absent for keys from self-signed responses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted: Option<TrustSource>,
}

/// What the ring knows of one key at one time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyLookup<'a> {
    /// The key is known and valid at that time.
    Valid(&'a ServerKey),
    /// The key is known but was no longer valid then (room version 5+).
    Expired(&'a ServerKey),
    /// The key is not known.
    Unknown,
}

/// What adding keys did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct KeysAdded {
    /// How many keys were added or updated.
    pub added: usize,
    /// The keys added or updated.
    pub keys: Vec<KeyInfo>,
    /// Why (parts of) the input were refused, one problem per refusal.
    pub problems: Vec<Problem>,
}

impl KeysAdded {
    /// Adds what another addition did.
    pub fn extend(&mut self, other: KeysAdded) {
        self.added += other.added;
        self.keys.extend(other.keys);
        self.problems.extend(other.problems);
    }
}

/// Public keys of servers, by server name and key ID.
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    /// Server name → key ID → key (nested so lookups need no allocation).
    keys: BTreeMap<String, BTreeMap<String, ServerKey>>,
}

/// Parses an unpadded base64 ed25519 public key, refusing weak (small-order) keys and
/// non-canonical encodings (a `y` of `p` or more), as libsodium does
/// (`crypto_sign_verify_detached`: `ge25519_is_canonical`, `ge25519_has_small_order`).
pub fn parse_public_key(key_base64: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = decode_base64(key_base64)?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes)
        .ok()
        .filter(|k| !k.is_weak() && k.to_edwards().compress().to_bytes() == bytes)
}

/// Parses an unpadded base64 ed25519 signature.
pub fn parse_signature(signature_base64: &str) -> Option<Signature> {
    let bytes: [u8; 64] = decode_base64(signature_base64)?.try_into().ok()?;
    Some(Signature::from_bytes(&bytes))
}

fn invalid(path: &str, message: String) -> Problem {
    Problem::error(codes::KEY_RESPONSE_INVALID, path, message)
}

impl KeyRing {
    /// An empty key ring.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many keys the ring holds.
    pub fn len(&self) -> usize {
        self.keys.values().map(BTreeMap::len).sum()
    }

    /// Whether the ring holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether the ring holds `server_name`'s key `key_id` (valid or not).
    pub fn has(&self, server_name: &str, key_id: &str) -> bool {
        self.keys
            .get(server_name)
            .is_some_and(|keys| keys.contains_key(key_id))
    }

    /// Every key, sorted by server then key ID.
    pub fn keys(&self) -> Vec<KeyInfo> {
        self.keys
            .values()
            .flat_map(BTreeMap::values)
            .map(ServerKey::info)
            .collect()
    }

    /// Adds the keys of one key input: a key response (used only when self-signed) or a
    /// key trusted as given.
    pub fn add(&mut self, input: &KeyInput) -> KeysAdded {
        match input {
            KeyInput::Response { label, response } => {
                let mut added = KeysAdded::default();
                self.add_server_keys(response, "$", &mut added);
                for p in &mut added.problems {
                    p.message = format!("{label}: {}", p.message);
                }
                added
            }
            KeyInput::Trusted(key) => self.add_trusted(key),
        }
    }

    /// Adds a key trusted as given, marked with its source.
    pub fn add_trusted(&mut self, trusted: &TrustedKey) -> KeysAdded {
        let Some(key) = parse_public_key(&trusted.key) else {
            return KeysAdded {
                problems: vec![Problem::error(
                    codes::KEY_MALFORMED,
                    "$",
                    format!(
                        "{}'s key {} from {} is not unpadded base64 of a usable ed25519 public key: refused.",
                        trusted.server_name,
                        trusted.key_id,
                        trusted.source.describe()
                    ),
                )],
                ..KeysAdded::default()
            };
        };
        let key = ServerKey {
            server_name: trusted.server_name.clone(),
            key_id: trusted.key_id.clone(),
            key,
            valid_until_ts: trusted.valid_until_ts,
            expired_ts: None,
            trusted: Some(trusted.source),
        };
        let info = key.info();
        self.insert(key);
        KeysAdded {
            added: 1,
            keys: vec![info],
            problems: Vec::new(),
        }
    }

    /// Adds one key the caller trusts without a signed response (e.g. its own). A key
    /// already held is replaced when the new one is valid for at least as long.
    pub fn insert(&mut self, key: ServerKey) {
        let server = self.keys.entry(key.server_name.clone()).or_default();
        let longer = |old: &ServerKey| match (old.valid_until(), key.valid_until()) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => b >= a,
        };
        if server.get(&key.key_id).is_none_or(longer) {
            server.insert(key.key_id.clone(), key);
        }
    }

    /// Looks up `server_name`'s key `key_id` for an event sent at `origin_server_ts`;
    /// validity periods count only when `enforce_validity` (room version 5+).
    pub fn lookup(
        &self,
        server_name: &str,
        key_id: &str,
        origin_server_ts: i64,
        enforce_validity: bool,
    ) -> KeyLookup<'_> {
        match self.keys.get(server_name).and_then(|keys| keys.get(key_id)) {
            None => KeyLookup::Unknown,
            Some(k)
                if enforce_validity
                    && k.valid_until()
                        .is_some_and(|until| origin_server_ts > until) =>
            {
                KeyLookup::Expired(k)
            }
            Some(k) => KeyLookup::Valid(k),
        }
    }

    /// Adds the keys of a `/_matrix/key/v2/server` response or a notary's
    /// `/_matrix/key/v2/query` answer given as JSON text.
    pub fn add_response_json(&mut self, json: &str) -> KeysAdded {
        match canonical_json::from_str(json) {
            Ok(value) => self.add_response(&value),
            Err(e) => KeysAdded {
                problems: vec![e.to_problem("$", "The key response")],
                ..KeysAdded::default()
            },
        }
    }

    /// Adds the keys of a server keys object, or of each object of a notary answer's
    /// `server_keys`. A keys object whose self-signature does not verify adds nothing; the
    /// others still count.
    pub fn add_response(&mut self, response: &Value) -> KeysAdded {
        let mut result = KeysAdded::default();
        if let Value::Array(list) = response {
            // Several `/key/v2/server` responses side by side (as a keys file holds them).
            for (i, item) in list.iter().enumerate() {
                self.add_server_keys(item, &format!("$[{i}]"), &mut result);
            }
            return result;
        }
        match response.get("server_keys") {
            Some(Value::Array(list)) => {
                for (i, item) in list.iter().enumerate() {
                    self.add_server_keys(item, &format!("$.server_keys[{i}]"), &mut result);
                }
            }
            Some(other) => result.problems.push(invalid(
                "$.server_keys",
                format!(
                    "The notary answer's `server_keys` must be an array, found {}.",
                    other.type_name()
                ),
            )),
            None => self.add_server_keys(response, "$", &mut result),
        }
        result
    }

    fn add_server_keys(&mut self, value: &Value, path: &str, result: &mut KeysAdded) {
        let Some(object) = value.as_object() else {
            let message = format!(
                "A server keys object must be a JSON object, found {}.",
                value.type_name()
            );
            return result.problems.push(invalid(path, message));
        };
        let Some(server) = object.get("server_name").and_then(Value::as_str) else {
            return result.problems.push(invalid(
                path,
                "The server keys object has no string `server_name`.".into(),
            ));
        };
        let valid_until_ts = object.get("valid_until_ts").and_then(Value::as_i64);
        let mut keys = Vec::new();
        for (field, current) in [("verify_keys", true), ("old_verify_keys", false)] {
            let Some(listed) = object.get(field).and_then(Value::as_object) else {
                continue;
            };
            for (key_id, entry) in listed.iter() {
                let key_path =
                    canonical_json::path_key(&canonical_json::path_key(path, field), key_id);
                let Some(key) = entry
                    .get("key")
                    .and_then(Value::as_str)
                    .and_then(parse_public_key)
                else {
                    result.problems.push(Problem::error(
                        codes::KEY_MALFORMED,
                        key_path,
                        format!("{server}'s key {key_id} is not unpadded base64 of a usable ed25519 public key."),
                    ));
                    continue;
                };
                let expired_ts = entry.get("expired_ts").and_then(Value::as_i64);
                keys.push((
                    current,
                    ServerKey {
                        server_name: server.to_owned(),
                        key_id: key_id.to_owned(),
                        key,
                        valid_until_ts: if current { valid_until_ts } else { None },
                        expired_ts: if current {
                            None
                        } else {
                            expired_ts.or(Some(0))
                        },
                        trusted: None,
                    },
                ));
            }
        }
        if !self_signed(object, server, &keys) {
            return result.problems.push(Problem::error(
                codes::KEY_SELF_SIGNATURE_INVALID,
                canonical_json::path_key(&canonical_json::path_key(path, "signatures"), server),
                format!("The keys of {server} are not signed by {server} with one of its `verify_keys`; none of them are used."),
            ));
        }
        result.added += keys.len();
        for (_, key) in keys {
            result.keys.push(key.info());
            self.insert(key);
        }
    }
}

/// Whether `object` carries a valid signature by `server` with one of its current keys.
fn self_signed(object: &Object, server: &str, keys: &[(bool, ServerKey)]) -> bool {
    let Some(signatures) = object
        .get("signatures")
        .and_then(|s| s.get(server))
        .and_then(Value::as_object)
    else {
        return false;
    };
    let mut bytes = Vec::with_capacity(512);
    canonical_json::write_object_except(object, &SIGNING_SKIPPED, &mut bytes);
    keys.iter().filter(|(current, _)| *current).any(|(_, k)| {
        signatures
            .get(&k.key_id)
            .and_then(Value::as_str)
            .and_then(parse_signature)
            .is_some_and(|sig| k.key.verify_strict(&bytes, &sig).is_ok())
    })
}
