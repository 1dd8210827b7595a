//! Verifying many ed25519 signatures at once.
//!
//! Spec: [Appendices § Checking for a signature](https://spec.matrix.org/v1.16/appendices/#checking-for-a-signature).
//! Signatures are checked in batches ([`super::batch::verify_batch`], which also shares the
//! work of signatures by the same key). A failed batch is split in halves, each checked
//! again as a batch, down to [`SINGLE_BELOW`] signatures, which are checked one by one with
//! `verify_strict`: a few bad signatures among many cost a few extra batches, not a
//! one-by-one pass over everything.
//! Weak (small-order) public keys never reach here: the key ring refuses them.

use ed25519_dalek::{Signature, VerifyingKey};

/// Signatures per batch. Multiscalar multiplication gets cheaper per point as batches grow
/// (dalek switches to Pippenger's method near 190 points); 256 signatures (513 points) ran
/// about 20% faster in wasm than batches of 64.
pub const BATCH_SIZE: usize = 256;

/// A failed batch smaller than this is re-checked one signature at a time.
pub const SINGLE_BELOW: usize = 8;

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
    let mut result = vec![false; checks.len()];
    for (n, chunk) in checks.chunks(BATCH_SIZE).enumerate() {
        verify_into(
            messages,
            chunk,
            &mut result[n * BATCH_SIZE..n * BATCH_SIZE + chunk.len()],
        );
    }
    result
}

/// Verifies `checks` as one batch, bisecting on failure; writes the outcomes to `out`.
fn verify_into(messages: &[&[u8]], checks: &[SignatureCheck], out: &mut [bool]) {
    if checks.len() < SINGLE_BELOW {
        for (check, ok) in checks.iter().zip(out.iter_mut()) {
            *ok = check
                .key
                .verify_strict(messages[check.message], &check.signature)
                .is_ok();
        }
        return;
    }
    let msgs: Vec<&[u8]> = checks.iter().map(|c| messages[c.message]).collect();
    let sigs: Vec<Signature> = checks.iter().map(|c| c.signature).collect();
    let keys: Vec<VerifyingKey> = checks.iter().map(|c| c.key).collect();
    if super::batch::verify_batch(&msgs, &sigs, &keys) {
        out.fill(true);
        return;
    }
    let half = checks.len() / 2;
    let (left, right) = out.split_at_mut(half);
    verify_into(messages, &checks[..half], left);
    verify_into(messages, &checks[half..], right);
}
