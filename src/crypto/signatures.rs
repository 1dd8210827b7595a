//! Verifying many ed25519 signatures at once.
//!
//! Spec: [Appendices § Checking for a signature](https://spec.matrix.org/v1.16/appendices/#checking-for-a-signature).
//! Signatures are checked in batches ([`super::batch::verify_batch`], which also shares the
//! work of signatures by the same key). A failed batch is split (into batches of
//! [`SPLIT_TO`], then in halves), each checked again as a batch, down to [`SINGLE_BELOW`]
//! signatures, which are checked one by one with
//! `verify_strict`: a few bad signatures among many cost a few extra batches, not a
//! one-by-one pass over everything.
//! Weak (small-order) and non-canonically encoded public keys never reach here: the key
//! ring refuses them. An `R` with a small-order component is found for all signatures at
//! once ([`super::torsion`]) and its signature judged alone with `verify_strict`; a batch
//! holding a non-canonical or small-order `R`, or a key with a torsion component, fails
//! ([`super::batch`]) and its signatures end up judged alone too: the outcome is
//! libsodium's (Synapse's) for every signature.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use ed25519_dalek::{Signature, VerifyingKey};

/// Signatures per batch. Multiscalar multiplication gets cheaper per point as batches grow
/// (dalek switches to Pippenger's method near 190 points): 256 signatures ran about 20%
/// faster in wasm than batches of 64, and a file of 20,000 events validated 8–13% faster
/// with batches of 1,024–4,096 than of 256 (2026-12-06). 2,048 is the slice a worker judges
/// (`www/judge-pool.js`).
pub const BATCH_SIZE: usize = 2048;

/// A failed batch larger than this is split into batches of this size (smaller ones in
/// halves): a bad signature then costs about what it did with batches of 256, and a batch
/// of bad signatures is not halved through every size above it.
pub const SPLIT_TO: usize = 256;

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

/// Checks every signature; returns whether each verifies, in order. First, whether every
/// `R` is torsion-free ([`super::torsion::all_torsion_free`], which the batch equation cannot
/// see); when some is not, those signatures are judged alone with `verify_strict`. Each `R`
/// is decoded once, for the torsion test and the batches.
pub fn verify_all(messages: &[&[u8]], checks: &[SignatureCheck]) -> Vec<bool> {
    let (rs, clean) = super::torsion::decode_all(checks.iter().map(|c| c.signature.r_bytes()));
    if clean {
        return verify_batched(messages, checks, &rs);
    }
    let torsioned = |i: &usize| rs[*i].is_some_and(|r| !super::torsion::is_torsion_free(&r));
    let (alone, batched): (Vec<usize>, Vec<usize>) = (0..checks.len()).partition(torsioned);
    let mut result = vec![false; checks.len()];
    for i in alone {
        result[i] = strict(messages, &checks[i]);
    }
    let subset: Vec<SignatureCheck> = batched.iter().map(|&i| checks[i]).collect();
    let subset_rs: Vec<Option<EdwardsPoint>> = batched.iter().map(|&i| rs[i]).collect();
    for (ok, i) in verify_batched(messages, &subset, &subset_rs)
        .into_iter()
        .zip(batched)
    {
        result[i] = ok;
    }
    result
}

/// libsodium's judgement of one signature: `verify_strict`.
fn strict(messages: &[&[u8]], check: &SignatureCheck) -> bool {
    check
        .key
        .verify_strict(messages[check.message], &check.signature)
        .is_ok()
}

/// [`verify_all`] for signatures whose `R` (decoded in `rs`) are torsion-free: batches,
/// bisected on failure.
fn verify_batched(
    messages: &[&[u8]],
    checks: &[SignatureCheck],
    rs: &[Option<EdwardsPoint>],
) -> Vec<bool> {
    let mut result = vec![false; checks.len()];
    let batches = checks.chunks(BATCH_SIZE).zip(rs.chunks(BATCH_SIZE));
    for ((chunk, rs), out) in batches.zip(result.chunks_mut(BATCH_SIZE)) {
        verify_into(messages, chunk, rs, out);
    }
    result
}

/// Verifies `checks` (their `R` decoded in `rs`) as one batch, bisecting on failure;
/// writes the outcomes to `out`.
fn verify_into(
    messages: &[&[u8]],
    checks: &[SignatureCheck],
    rs: &[Option<EdwardsPoint>],
    out: &mut [bool],
) {
    if checks.len() < SINGLE_BELOW {
        for (check, ok) in checks.iter().zip(out.iter_mut()) {
            *ok = strict(messages, check);
        }
        return;
    }
    let msgs: Vec<&[u8]> = checks.iter().map(|c| messages[c.message]).collect();
    let sigs: Vec<Signature> = checks.iter().map(|c| c.signature).collect();
    let keys: Vec<VerifyingKey> = checks.iter().map(|c| c.key).collect();
    if super::batch::verify_decoded_batch(&msgs, &sigs, &keys, rs) {
        out.fill(true);
        return;
    }
    let part = match checks.len() {
        n if n > SPLIT_TO => SPLIT_TO,
        n => n.div_ceil(2),
    };
    let parts = checks.chunks(part).zip(rs.chunks(part));
    for ((chunk, rs), out) in parts.zip(out.chunks_mut(part)) {
        verify_into(messages, chunk, rs, out);
    }
}

/// Why libsodium (Synapse's PyNaCl) refuses `check`'s signature before its equation, in
/// words for a message, or `None` when only the equation can say (RFC 8032 §5.1.7 as
/// `crypto_sign_verify_detached` applies it: `s < ℓ`, `R` canonical and not of small order;
/// an `R` with a small-order component can never equal `[s]B − [k]A` for a torsion-free key).
pub fn refusal_reason(check: &SignatureCheck) -> Option<&'static str> {
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
