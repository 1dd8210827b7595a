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
//! 2^−[`TORSION_TESTS`] unless every `Rᵢ` is torsion-free: [`TORSION_TESTS`]
//! multiplications by `ℓ` instead of `n`, and point additions to form the sums, about 5 per
//! point for large `n` (the subsets are summed eight at a time through buckets,
//! [`subset_sums`]) where summing each subset alone would take 16.

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
    decode_all(encodings).1
}

/// Each of `encodings` decoded (`None`: not a point), and whether every point among them is
/// torsion-free ([`all_torsion_free`]): for callers that go on to use the points.
pub fn decode_all<'a>(
    encodings: impl Iterator<Item = &'a [u8; 32]>,
) -> (Vec<Option<EdwardsPoint>>, bool) {
    let encodings: Vec<&[u8; 32]> = encodings.collect();
    let points: Vec<Option<EdwardsPoint>> = encodings
        .iter()
        .map(|e| CompressedEdwardsY(**e).decompress())
        .collect();
    let decoded: Vec<(&[u8; 32], EdwardsPoint)> = encodings
        .iter()
        .zip(&points)
        .filter_map(|(e, p)| p.map(|p| (*e, p)))
        .collect();
    let clean = all_decoded_torsion_free(&decoded);
    (points, clean)
}

/// [`all_torsion_free`] for points already decoded, each beside its encoding.
pub fn all_decoded_torsion_free(points: &[(&[u8; 32], EdwardsPoint)]) -> bool {
    // The group test costs TORSION_TESTS multiplications and some additions per point:
    // below 4/3 · TORSION_TESTS points, testing each is cheaper.
    if points.len() * 3 <= TORSION_TESTS * 4 {
        return points.iter().all(|(_, p)| is_torsion_free(p));
    }
    let memberships = memberships(points);
    let width = bucket_width(points.len());
    let mut sums = Vec::with_capacity(TORSION_TESTS);
    for first in (0..TORSION_TESTS).step_by(width) {
        sums.extend(subset_sums(points, &memberships, first, width));
    }
    sums.iter().all(is_torsion_free)
}

/// Which of the [`TORSION_TESTS`] subsets each point is in (bit `j`: subset `j`), drawn
/// from a SHA-512 of every encoding: sixteen points' memberships per counter-mode block.
fn memberships(points: &[(&[u8; 32], EdwardsPoint)]) -> Vec<u32> {
    const _: () = assert!(TORSION_TESTS == 32, "a membership is one u32");
    let mut seed = Sha512::new();
    seed.update(b"mxdag torsion group test");
    for (e, _) in points {
        seed.update(e);
    }
    let seed: [u8; 64] = seed.finalize().into();
    let mut out = Vec::with_capacity(points.len() + 15);
    for block in 0..points.len().div_ceil(16) as u64 {
        let bits: [u8; 64] = Sha512::new()
            .chain_update(seed)
            .chain_update(block.to_le_bytes())
            .finalize()
            .into();
        out.extend(
            bits.chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
    }
    out.truncate(points.len());
    out
}

/// How many subsets [`subset_sums`] sums at once for `n` points: the width `w` (a divisor
/// of [`TORSION_TESTS`]) with the fewest additions, `TORSION_TESTS / w · (n + 2^(w+1))`
/// (each point added to one of `2^w` buckets, then the buckets folded into `w` sums).
/// Summing each subset alone (`w = 1`) costs `TORSION_TESTS · n / 2`: for 2,048 points,
/// 8 at once does it in a third of the additions.
fn bucket_width(n: usize) -> usize {
    let cost = |w: usize| TORSION_TESTS / w * (n + (2 << w));
    [1, 2, 4, 8]
        .into_iter()
        .min_by_key(|&w| cost(w))
        .unwrap_or(1)
}

/// The sums of the points in subsets `first .. first + width`, found together: each point
/// is added to the bucket of its memberships in those subsets (`width` bits), then, from
/// the highest subset down, subset `j`'s sum is that of the buckets with bit `j` set, and
/// the buckets are folded in half (`B[p] += B[p + 2^j]`) to forget bit `j`.
fn subset_sums(
    points: &[(&[u8; 32], EdwardsPoint)],
    memberships: &[u32],
    first: usize,
    width: usize,
) -> Vec<EdwardsPoint> {
    let mask = (1u32 << width) - 1;
    let mut buckets = vec![EdwardsPoint::identity(); 1 << width];
    for ((_, point), m) in points.iter().zip(memberships) {
        let pattern = (m >> first & mask) as usize;
        if pattern != 0 {
            buckets[pattern] += point;
        }
    }
    let mut sums = vec![EdwardsPoint::identity(); width];
    for bit in (0..width).rev() {
        let half = 1 << bit;
        let (low, high) = buckets[..2 * half].split_at_mut(half);
        sums[bit] = high.iter().sum();
        for (b, h) in low.iter_mut().zip(high.iter()) {
            *b += h;
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};

    fn points(n: usize) -> Vec<([u8; 32], EdwardsPoint)> {
        (0..n as u64)
            .map(|i| {
                let p = ED25519_BASEPOINT_POINT * Scalar::from(i * 7919 + 3);
                (p.compress().to_bytes(), p)
            })
            .collect()
    }

    fn test(points: &[([u8; 32], EdwardsPoint)]) -> bool {
        let refs: Vec<(&[u8; 32], EdwardsPoint)> = points.iter().map(|(e, p)| (e, *p)).collect();
        all_decoded_torsion_free(&refs)
    }

    /// Every size of group test (each bucket width) passes clean points and finds one
    /// torsioned point of each order (2, 4, 8) wherever it sits.
    #[test]
    fn finds_one_torsioned_point_among_many() {
        for n in [10, 43, 100, 600, 2048] {
            let clean = points(n);
            assert!(test(&clean), "{n} clean points");
            for (torsion, at) in [(4, 0), (2, n / 2), (1, n - 1), (6, n / 3)] {
                let mut bad = clean.clone();
                let p = bad[at].1 + EIGHT_TORSION[torsion];
                bad[at] = (p.compress().to_bytes(), p);
                assert!(!test(&bad), "{n} points, torsion {torsion} at {at}");
            }
        }
    }

    /// The sums of the bucket method are those of each subset summed alone.
    #[test]
    fn bucket_sums_are_subset_sums() {
        let pts = points(300);
        let refs: Vec<(&[u8; 32], EdwardsPoint)> = pts.iter().map(|(e, p)| (e, *p)).collect();
        let m = memberships(&refs);
        for width in [1, 2, 4, 8] {
            for first in (0..TORSION_TESTS).step_by(width) {
                let sums = subset_sums(&refs, &m, first, width);
                for (k, sum) in sums.iter().enumerate() {
                    let alone: EdwardsPoint = refs
                        .iter()
                        .zip(&m)
                        .filter(|(_, m)| *m >> (first + k) & 1 == 1)
                        .map(|((_, p), _)| p)
                        .sum();
                    assert_eq!(
                        sum.compress(),
                        alone.compress(),
                        "width {width}, subset {}",
                        first + k
                    );
                }
            }
        }
        assert_eq!(bucket_width(2048), 8);
        assert_eq!(bucket_width(100), 4);
    }
}
