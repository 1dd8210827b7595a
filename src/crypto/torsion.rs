//! Whether the `R` of many signatures are all torsion-free, for about the cost of a few
//! point additions each.
//!
//! libsodium (Synapse's PyNaCl) accepts a signature only when `R = [s]B − [k]A` exactly, so
//! with a torsion-free key an `R` carrying a small-order component `T` is always refused;
//! the batch equation (`super::batch`) cannot see `T` (its random weights kill it half the
//! time, and a signer can retry until they do). Testing each `R` alone (`[ℓ]R = 0`) costs a
//! scalar multiplication, about a whole signature check.
//!
//! The group test: the torsion of Ed25519 is cyclic of order 8, so for any subset `S` of
//! the signatures, the torsion of `Σ_{i∈S} Rᵢ` is the sum of theirs. If some `Rᵢ` has
//! torsion, at most half of all subsets have a torsion-free sum (flipping `i` in or out
//! changes the sum's torsion by `Tᵢ ≠ 0`, so at most one of the two is zero). So
//! [`TORSION_TESTS`] subsets drawn from a hash of every `R` (a signer cannot choose the
//! `R` after the subsets) all come out torsion-free with probability at most
//! 2^−[`TORSION_TESTS`] unless every `Rᵢ` is torsion-free: `n · TORSION_TESTS / 2` point
//! additions and [`TORSION_TESTS`] multiplications by `ℓ`, instead of `n` multiplications.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity};
use sha2::{Digest, Sha512};

/// Subsets tested: a set holding a torsioned `R` passes with probability ≤ 2^−32.
///
/// The subsets are fixed by a hash of every `R`, so a signer who wants a malleated
/// signature of their own to pass must grind about 2^32 hashes; all it would win is mxdag
/// calling valid one event of theirs that libsodium refuses. Each test costs a
/// multiplication by `ℓ` per call and an addition per signature, so 32 rather than 128
/// keeps a transaction of 100 events at about half the batch's own cost instead of more
/// than all of it (see `cargo bench --bench validate`).
pub const TORSION_TESTS: usize = 32;

/// Whether `point` is torsion-free (`[ℓ]P = 0`, computed as `[ℓ−1]P + P` with a
/// variable-time multiplication: the points are public).
pub fn is_torsion_free(point: &EdwardsPoint) -> bool {
    let minus_one = -Scalar::ONE; // ℓ − 1
    let l_minus_one_p =
        EdwardsPoint::vartime_double_scalar_mul_basepoint(&minus_one, point, &Scalar::ZERO);
    (l_minus_one_p + point).is_identity()
}

/// Whether every point decoded from `encodings` is torsion-free (those that do not decode
/// are left out: they fail elsewhere). Up to 4/3 · [`TORSION_TESTS`] points each is tested
/// alone; above, by the group test of this module.
pub fn all_torsion_free<'a>(encodings: impl Iterator<Item = &'a [u8; 32]>) -> bool {
    let points: Vec<(&[u8; 32], EdwardsPoint)> = encodings
        .filter_map(|e| CompressedEdwardsY(*e).decompress().map(|p| (e, p)))
        .collect();
    all_decoded_torsion_free(&points)
}

/// [`all_torsion_free`] for points already decoded, each beside its encoding.
pub fn all_decoded_torsion_free(points: &[(&[u8; 32], EdwardsPoint)]) -> bool {
    // The group test costs TORSION_TESTS multiplications and about a quarter of one per
    // point in additions: below 4/3 · TORSION_TESTS points, testing each is cheaper.
    if points.len() * 3 <= TORSION_TESTS * 4 {
        return points.iter().all(|(_, p)| is_torsion_free(p));
    }
    let mut seed = Sha512::new();
    seed.update(b"mxdag torsion group test");
    for (e, _) in points {
        seed.update(e);
    }
    let seed: [u8; 64] = seed.finalize().into();
    let mut sums = [EdwardsPoint::identity(); TORSION_TESTS];
    for (i, (_, point)) in points.iter().enumerate() {
        let bits: [u8; 64] = Sha512::new()
            .chain_update(seed)
            .chain_update((i as u64).to_le_bytes())
            .finalize()
            .into();
        for (j, sum) in sums.iter_mut().enumerate() {
            if bits[j / 8] >> (j % 8) & 1 == 1 {
                *sum += point;
            }
        }
    }
    sums.iter().all(is_torsion_free)
}
