//! Problem codes about signatures, signing keys and key responses.

/// A server whose signature the event needs has not signed it.
pub const SIGNATURE_MISSING: &str = "signature_missing";
/// No key is known for any of the key IDs a required server signed with. Kept apart from
/// [`SIGNATURE_INVALID`]: the signature may be fine, the verifier lacks the key.
pub const SIGNING_KEY_UNKNOWN: &str = "signing_key_unknown";
/// The key is known but was not valid when the event was sent (room version 5+:
/// `origin_server_ts` after the key's `valid_until_ts`, or after an old key's `expired_ts`).
pub const SIGNING_KEY_EXPIRED: &str = "signing_key_expired";
/// A required server's signature verifies only with a key trusted as given (information:
/// `trusted_key_servers`, a key line, a homeserver's key table), not one fetched from it.
pub const SIGNED_WITH_TRUSTED_KEY: &str = "signed_with_trusted_key";
/// A signature does not verify with the known key.
pub const SIGNATURE_INVALID: &str = "signature_invalid";
/// A signature is not unpadded base64 of 64 bytes, or `signatures` has the wrong shape.
pub const SIGNATURE_MALFORMED: &str = "signature_malformed";
/// A key response is not a server keys object (`server_name`, `verify_keys`, …).
pub const KEY_RESPONSE_INVALID: &str = "key_response_invalid";
/// A key response is not signed by its own server with one of the keys it lists.
pub const KEY_SELF_SIGNATURE_INVALID: &str = "key_self_signature_invalid";
/// A key is not unpadded base64 of a 32-byte ed25519 public key.
pub const KEY_MALFORMED: &str = "key_malformed";
/// A signing key seed or `signing.key` line cannot be read.
pub const SIGNING_KEY_MALFORMED: &str = "signing_key_malformed";
/// The value to sign is not a JSON object.
pub const NOT_AN_OBJECT: &str = "not_an_object";
