//! Signatures and keys: the key ring of server keys, batch signature verification, and
//! signing JSON. Nothing here knows events: `crate::event` sits above it.
//!
//! Spec: [Appendices § Signing JSON](https://spec.matrix.org/v1.16/appendices/#signing-json),
//! [Server-Server API § Retrieving server keys](https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys),
//! [Appendices § Unpadded Base64](https://spec.matrix.org/v1.16/appendices/#unpadded-base64).

pub mod batch;
pub mod codes;
pub mod encoding;
pub mod keys;
pub mod signatures;
pub mod signing;
pub mod torsion;
pub use keys::{KeyLookup, KeyRing, ServerKey};
pub use signing::{parse_signing_key_file, sign_json, signing_key_from_seed, SigningKey};
