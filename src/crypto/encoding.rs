//! The encodings signatures are made over and written in: the bytes that are signed, and
//! unpadded base64.
//!
//! Spec: [Appendices § Signing JSON](https://spec.matrix.org/v1.16/appendices/#signing-json),
//! [§ Unpadded Base64](https://spec.matrix.org/v1.16/appendices/#unpadded-base64).

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Top-level keys left out of the bytes that are signed and reference-hashed.
pub const SIGNING_SKIPPED: [&str; 2] = ["signatures", "unsigned"];

/// Unpadded standard base64, the encoding of hashes, keys and signatures.
pub fn base64_unpadded(bytes: &[u8]) -> String {
    STANDARD_NO_PAD.encode(bytes)
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_allow_trailing_bits(true)
    .with_decode_padding_mode(DecodePaddingMode::Indifferent);
const LENIENT_STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const LENIENT_URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Decodes base64 the way the spec asks receivers to
/// ([Appendices § Unpadded Base64](https://spec.matrix.org/v1.16/appendices/#unpadded-base64)):
/// unpadded standard base64, also accepting padding, the URL-safe alphabet, and non-zero
/// trailing bits (the spec's own test seed has them, and Python decoders accept them).
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    LENIENT_STANDARD
        .decode(text)
        .or_else(|_| LENIENT_URL_SAFE.decode(text))
        .ok()
}
