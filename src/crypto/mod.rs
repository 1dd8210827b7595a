//! Signatures and keys: the key ring of server keys, batch signature verification, and
//! signing (what a homeserver does before sending an event).
//!
//! Spec: [Appendices § Signing JSON](https://spec.matrix.org/v1.16/appendices/#signing-json),
//! [Server-Server API § Retrieving server keys](https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys),
//! [§ Signing events](https://spec.matrix.org/v1.16/server-server-api/#signing-events).

pub mod batch;
pub mod codes;
pub mod keys;
pub mod signatures;
pub mod signing;
pub mod torsion;
pub use keys::{KeyLookup, KeyRing, ServerKey};
pub use signing::{
    parse_signing_key_file, sign_event, sign_json, signing_key_from_seed, SigningKey,
};
