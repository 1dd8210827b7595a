//! Verifying many ed25519 signatures at once.
//!
//! Spec: [Appendices § Checking for a signature](https://spec.matrix.org/v1.16/appendices/#checking-for-a-signature).
//! Signatures are checked in batches ([`super::batch::verify_batch`], which also shares the
//! work of signatures by the same key). A failed batch is split in halves, each checked
//! again as a batch, down to [`SINGLE_BELOW`] signatures, which are checked one by one with
//! `verify_strict`: a few bad signatures among many cost a few extra batches, not a
//! one-by-one pass over everything.
//! Weak (small-order) and non-canonically encoded public keys never reach here: the key
//! ring refuses them. A batch holding an `R` or a key with a torsion component fails
//! ([`super::batch::is_plain_point`]), so such signatures are judged one by one with
//! `verify_strict`: the outcome is libsodium's (Synapse's) for every signature.

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

/// Why libsodium (Synapse's PyNaCl) refuses `check`'s signature before its equation, in
/// words for a message, or `None` when only the equation can say (RFC 8032 §5.1.7 as
/// `crypto_sign_verify_detached` applies it: `s < ℓ`, `R` canonical and not of small order;
/// an `R` with a small-order component can never equal `[s]B − [k]A` for a torsion-free key).
pub fn refusal_reason(check: &SignatureCheck) -> Option<&'static str> {
    use curve25519_dalek::edwards::CompressedEdwardsY;
    use curve25519_dalek::scalar::Scalar;
    let sig = &check.signature;
    if Option::<Scalar>::from(Scalar::from_canonical_bytes(*sig.s_bytes())).is_none() {
        return Some("its s is not below the group order ℓ (a malleated copy of a signature)");
    }
    let Some(r) = CompressedEdwardsY(*sig.r_bytes()).decompress() else {
        return Some("its R is not a point of the curve");
    };
    if r.compress().as_bytes() != sig.r_bytes() {
        return Some("its R is not canonically encoded");
    }
    if r.is_small_order() {
        return Some("its R is a point of small order");
    }
    let key = check.key.to_edwards();
    if !super::batch::is_plain_point(&r, sig.r_bytes())
        && super::batch::is_plain_point(&key, check.key.as_bytes())
    {
        return Some("its R has a small-order component");
    }
    None
}
