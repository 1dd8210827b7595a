//! Batch verification of ed25519 signatures that shares work between signatures by the same
//! key.
//!
//! The batch equation (as in `ed25519_dalek::verify_batch`, RFC 8032 §5.1.7 checked for many
//! signatures at once with random weights `zᵢ`):
//!
//! ```text
//! [−Σ zᵢ·sᵢ]B + Σ [zᵢ]Rᵢ + Σ [zᵢ·kᵢ]Aᵢ = 0,   kᵢ = SHA-512(Rᵢ ‖ Aᵢ ‖ Mᵢ) mod ℓ
//! ```
//!
//! Federation events come from a handful of servers, so most `Aᵢ` repeat: the terms of one
//! key are summed into one scalar (`[Σ zᵢ·kᵢ]A`), which leaves one point per signature plus
//! one per key instead of two per signature: the multiscalar multiplication, most of the
//! cost, shrinks by almost half.
//!
//! The weights `zᵢ` are 128-bit and derived from a SHA-512 of every signature's `kᵢ` and
//! `sᵢ`, like ed25519-dalek's deterministic transcript: a signer cannot choose signatures
//! after seeing the weights. A batch that fails says only that some signature is bad; the
//! caller finds which ([`super::signatures`]).
//!
//! Like every batch equation without a cofactor, it cannot see a small-order component
//! `T` added to some `Rᵢ` or `Aᵢ`: the sum keeps `Σ zᵢ·T`, which vanishes whenever the
//! weights kill it (an even `zᵢ` for `T` of order 2, or two signatures whose components
//! cancel), and a signer who knows how the weights are derived can retry until they do.
//! libsodium (Synapse's PyNaCl) refuses such signatures: it requires a canonical `s`,
//! canonical encodings of `R` and `A`, neither of small order, and `R = [s]B − [k]A`
//! exactly. So that the `R` are torsion-free is established for all signatures at once by
//! [`super::torsion`] before batching ([`super::signatures::verify_all`]), every `R` is
//! checked here to be canonically encoded and not the identity (the one torsion-free point
//! of small order), and every distinct `A` to be canonical and torsion-free
//! ([`is_plain_point`]); a batch holding one that is not fails, and the bisection in
//! [`super::signatures`] judges it alone with `verify_strict` — libsodium's rules. With
//! every point torsion-free, the batch equation is exact up to the 2⁻¹²⁸ chance of its
//! weights.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};

/// Whether every `signatures[i]` by `keys[i]` over `messages[i]` satisfies the batch
/// equation. `false` also for a non-canonical `s`, an `R` that is not a canonically encoded
/// curve point or is not torsion-free, and a key that is not a canonically encoded
/// torsion-free point ([`is_plain_point`]): those are for `verify_strict` to judge alone.
pub fn verify_batch(messages: &[&[u8]], signatures: &[Signature], keys: &[VerifyingKey]) -> bool {
    let (rs, clean) = super::torsion::decode_all(signatures.iter().map(Signature::r_bytes));
    clean && verify_decoded_batch(messages, signatures, keys, &rs)
}

/// [`verify_batch`] with each signature's `R` already decoded (`None`: not a point) and,
/// where it is a point, known to be torsion-free ([`super::torsion`]): a caller who decoded
/// them for the torsion test does not decode them again, and a torsion-free `R` is of small
/// order only when it is the identity, which is all that is checked of its order here.
pub fn verify_decoded_batch(
    messages: &[&[u8]],
    signatures: &[Signature],
    keys: &[VerifyingKey],
    rs: &[Option<EdwardsPoint>],
) -> bool {
    let n = signatures.len();
    if messages.len() != n || keys.len() != n || rs.len() != n {
        return false;
    }
    let mut seed = Sha512::new();
    seed.update(b"mxdag batch verification");
    let mut ks = Vec::with_capacity(n);
    let mut ss = Vec::with_capacity(n);
    let mut points: Vec<EdwardsPoint> = Vec::with_capacity(n + 1);
    for (((sig, key), message), r) in signatures.iter().zip(keys).zip(messages).zip(rs) {
        let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*sig.s_bytes())) else {
            return false;
        };
        let Some(r) = r.filter(|r| below_p(sig.r_bytes()) && !r.is_identity()) else {
            return false;
        };
        let hram: [u8; 64] = Sha512::new()
            .chain_update(sig.r_bytes())
            .chain_update(key.as_bytes())
            .chain_update(message)
            .finalize()
            .into();
        seed.update(hram);
        seed.update(sig.s_bytes());
        ks.push(Scalar::from_bytes_mod_order_wide(&hram));
        ss.push(s);
        points.push(r);
    }
    let seed: [u8; 64] = seed.finalize().into();
    let zs = weights(&seed, n);

    // One scalar per distinct key: Σ zᵢ·kᵢ over its signatures, found as runs of the
    // signatures sorted by key (the sum's terms may come in any order).
    let mut by_key: Vec<usize> = (0..n).collect();
    crate::sort::sort_by_key(&mut by_key, |&i| keys[i].as_bytes());
    let mut key_points: Vec<EdwardsPoint> = Vec::new();
    let mut key_scalars: Vec<Scalar> = Vec::new();
    for run in by_key.chunk_by(|&a, &b| keys[a] == keys[b]) {
        let key = &keys[run[0]];
        let point = key.to_edwards();
        if !is_plain_point(&point, key.as_bytes()) {
            return false;
        }
        key_points.push(point);
        key_scalars.push(run.iter().map(|&i| zs[i] * ks[i]).sum());
    }
    let b_scalar: Scalar = -zs.iter().zip(&ss).map(|(z, s)| z * s).sum::<Scalar>();
    points.push(ED25519_BASEPOINT_POINT);
    points.extend(key_points);
    let scalars = zs
        .iter()
        .copied()
        .chain(std::iter::once(b_scalar))
        .chain(key_scalars);
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

/// Whether `point`, decoded from `encoding`, is encoded canonically (libsodium compares
/// encodings: a `y` of `p` or more never matches) and lies in the prime-order subgroup
/// (no torsion component, so in particular not of small order, and not the identity).
pub fn is_plain_point(point: &EdwardsPoint, encoding: &[u8; 32]) -> bool {
    point.compress().as_bytes() == encoding
        && super::torsion::is_torsion_free(point)
        && !point.is_identity()
}

/// Whether the `y` of a point's encoding (its low 255 bits, little-endian) is below
/// `p = 2²⁵⁵ − 19`. For a point that decoded and is not of small order this is what
/// libsodium's canonical-encoding check asks, without encoding the point again (an
/// inversion, as costly as decoding it): decoding reduces `y` modulo `p`, and the only
/// other encodings that do not come back, `x = 0` with the sign bit set, are those of
/// `(0, ±1)`, of small order.
fn below_p(encoding: &[u8; 32]) -> bool {
    let top = encoding[31] & 0x7f;
    !(top == 0x7f && encoding[1..31].iter().all(|&b| b == 0xff) && encoding[0] >= 0xed)
}

/// `n` 128-bit weights from a counter-mode SHA-512 of `seed` (four per hash).
fn weights(seed: &[u8; 64], n: usize) -> Vec<Scalar> {
    let mut zs = Vec::with_capacity(n);
    let mut counter = 0u64;
    while zs.len() < n {
        let block: [u8; 64] = Sha512::new()
            .chain_update(seed)
            .chain_update(counter.to_le_bytes())
            .finalize()
            .into();
        counter += 1;
        for chunk in block.chunks_exact(16).take(n - zs.len()) {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(chunk);
            zs.push(Scalar::from(u128::from_le_bytes(bytes)));
        }
    }
    zs
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::edwards::CompressedEdwardsY;

    /// `below_p` agrees with encoding the point again, for every encoding of a `y` at or
    /// above `p`, both signs, the small-order points and ordinary points.
    #[test]
    fn below_p_is_the_canonical_encoding_check() {
        let mut encodings: Vec<[u8; 32]> = Vec::new();
        for low in 0xe0..=0xff_u8 {
            for sign in [0, 0x80] {
                let mut e = [0xff; 32];
                e[0] = low;
                e[31] = 0x7f | sign;
                encodings.push(e);
            }
        }
        for n in 0..64u64 {
            let point = ED25519_BASEPOINT_POINT * Scalar::from(n + 1);
            let mut e = point.compress().to_bytes();
            encodings.push(e);
            e[31] ^= 0x80;
            encodings.push(e);
        }
        for y in [0u8, 1] {
            for sign in [0, 0x80] {
                let mut e = [0; 32];
                e[0] = y;
                e[31] = sign;
                encodings.push(e);
            }
        }
        let mut seen_non_canonical = 0;
        for e in &encodings {
            let Some(point) = CompressedEdwardsY(*e).decompress() else {
                continue;
            };
            if point.is_small_order() {
                continue;
            }
            let canonical = point.compress().as_bytes() == e;
            seen_non_canonical += usize::from(!canonical);
            assert_eq!(below_p(e), canonical, "{e:?}");
        }
        assert!(
            seen_non_canonical > 0,
            "some encoding at or above p decodes"
        );
    }
}
