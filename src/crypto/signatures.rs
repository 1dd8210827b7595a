//! Verifying many ed25519 signatures at once.
//!
//! Spec: [Appendices § Checking for a signature](https://spec.matrix.org/v1.16/appendices/#checking-for-a-signature).
//! Signatures are checked in batches with `ed25519_dalek::verify_batch` (about twice as fast
//! per signature as one by one); when a batch fails, each of its signatures is checked alone
//! with `verify_strict` to find the culprits, so one bad signature costs only its batch.
//! Weak (small-order) public keys never reach here: the key ring refuses them.

use ed25519_dalek::{Signature, VerifyingKey};

/// Signatures per batch: large enough to amortise, small enough that a failed batch is cheap
/// to re-check one by one.
pub const BATCH_SIZE: usize = 64;

/// One signature to check: `signature` by `key` over `messages[message]`.
#[derive(Clone, Copy, Debug)]
pub struct SignatureCheck {
    /// Index of the signed bytes in the `messages` slice given to [`verify_all`].
    pub message: usize,
    /// The public key.
    pub key: VerifyingKey,
    /// The signature.
    pub signature: Signature,
}

/// Checks every signature; returns whether each verifies, in order.
pub fn verify_all(messages: &[&[u8]], checks: &[SignatureCheck]) -> Vec<bool> {
    let mut result = Vec::with_capacity(checks.len());
    for chunk in checks.chunks(BATCH_SIZE) {
        let msgs: Vec<&[u8]> = chunk.iter().map(|c| messages[c.message]).collect();
        let sigs: Vec<Signature> = chunk.iter().map(|c| c.signature).collect();
        let keys: Vec<VerifyingKey> = chunk.iter().map(|c| c.key).collect();
        if ed25519_dalek::verify_batch(&msgs, &sigs, &keys).is_ok() {
            result.extend(std::iter::repeat_n(true, chunk.len()));
        } else {
            result.extend(chunk.iter().map(|c| verify_one(messages[c.message], c)));
        }
    }
    result
}

fn verify_one(message: &[u8], check: &SignatureCheck) -> bool {
    check.key.verify_strict(message, &check.signature).is_ok()
}
