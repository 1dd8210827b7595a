//! Each generated server's signing key and its `GET /_matrix/key/v2/server` response.
//!
//! Spec: Server-Server API, "Publishing Keys" (`/_matrix/key/v2/server`): the response
//! lists `verify_keys` and `old_verify_keys`, says until when it may be cached
//! (`valid_until_ts`) and is signed by the server's own key.

use super::content::{object, string};
use super::prng::SplitMix64;
use crate::canonical_json::{Object, Value};
use crate::crypto::encoding::base64_unpadded;
use crate::crypto::signing::{public_key_base64, sign_json, SigningKey};
use crate::problem::Problem;

/// A generated server's ed25519 signing key, derived from the room's seed and the server
/// name (test keys: anyone with the seed can sign as these servers).
#[derive(Clone, Debug)]
pub struct ServerSigningKey {
    /// The server name.
    pub server_name: String,
    /// The key ID, `ed25519:a_` + four letters, as Synapse names its keys.
    pub key_id: String,
    /// The signing key.
    pub key: SigningKey,
}

impl ServerSigningKey {
    /// The key of `server_name` for rooms generated from `seed`.
    pub fn derive(seed: u64, server_name: &str) -> Self {
        // FNV-1a of the name picks the sub-stream, so keys do not depend on server order.
        let name_hash = server_name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        let mut rng = SplitMix64::derive(seed, name_hash);
        const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let version: String = (0..4)
            .map(|_| char::from(LETTERS[rng.index(LETTERS.len())]))
            .collect();
        Self {
            server_name: server_name.to_owned(),
            key_id: format!("ed25519:a_{version}"),
            key: SigningKey::from_bytes(&rng.bytes32()),
        }
    }

    /// The 32-byte seed in unpadded base64, as in Synapse's `signing.key` file.
    pub fn seed_base64(&self) -> String {
        base64_unpadded(self.key.as_bytes())
    }

    /// The public key in unpadded base64, as `verify_keys` lists it.
    pub fn public_key_base64(&self) -> String {
        public_key_base64(&self.key)
    }
}

/// The server's self-signed `/_matrix/key/v2/server` response, valid until `valid_until_ts`.
pub fn server_key_response(key: &ServerSigningKey, valid_until_ts: u64) -> Result<Value, Problem> {
    let mut listed = Object::new();
    listed.insert(
        key.key_id.clone(),
        object([("key", string(key.public_key_base64()))]),
    );
    let mut response = object([
        ("old_verify_keys", object([])),
        ("server_name", string(key.server_name.clone())),
        (
            "valid_until_ts",
            Value::Int(i64::try_from(valid_until_ts).unwrap_or(i64::MAX)),
        ),
        ("verify_keys", Value::Object(listed)),
    ]);
    sign_json(&mut response, &key.server_name, &key.key_id, &key.key)?;
    Ok(response)
}
