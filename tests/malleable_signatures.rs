//! Signatures are judged as libsodium (Synapse's PyNaCl) judges them: a malleated `s + ℓ`, a
//! small-order `R` and an `R` with a small-order component are refused alone and inside
//! batches (whose equation cannot see torsion), with a message that says why.
//! `tests/vectors/malleable_signatures.json` was made with PyNaCl, which records what
//! libsodium answered (`tests/vectors/make_vectors.py`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use mxdag::canonical_json::{from_str, to_string, Value};
use mxdag::crypto::codes::SIGNATURE_INVALID;
use mxdag::crypto::signatures::{verify_all, SignatureCheck, SINGLE_BELOW};
use mxdag::event::Verdict;
use mxdag::room_version::RoomVersion;
use sha2::{Digest, Sha512};

const VECTORS: &str = include_str!("vectors/malleable_signatures.json");

fn b64(text: &str) -> Vec<u8> {
    mxdag::crypto::encoding::decode_base64(text).unwrap()
}

/// The vectors' key, message and (name, signature, whether PyNaCl accepts it).
fn vectors() -> (VerifyingKey, Vec<u8>, Vec<(String, Signature, bool)>) {
    let v = from_str(VECTORS).unwrap();
    let key: [u8; 32] = b64(v.get("public_key").unwrap().as_str().unwrap())
        .try_into()
        .unwrap();
    let message = v
        .get("message")
        .unwrap()
        .as_str()
        .unwrap()
        .as_bytes()
        .to_vec();
    let cases = v
        .get("cases")
        .and_then(Value::as_array)
        .unwrap()
        .iter()
        .map(|c| {
            let sig: [u8; 64] = b64(c.get("signature").unwrap().as_str().unwrap())
                .try_into()
                .unwrap();
            (
                c.get("name").unwrap().as_str().unwrap().to_owned(),
                Signature::from_bytes(&sig),
                c.get("pynacl_accepts") == Some(&Value::Bool(true)),
            )
        })
        .collect();
    (VerifyingKey::from_bytes(&key).unwrap(), message, cases)
}

/// The spec's test-vector seed, whose public key the vectors use.
fn signing_key() -> SigningKey {
    mxdag::crypto::signing_key_from_seed("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1").unwrap()
}

/// Judges `crafted` over `message` inside a batch of `n` good signatures (at position
/// `at`), and returns the outcomes.
fn in_batch(crafted: &[(Signature, &[u8])], n: usize) -> Vec<bool> {
    let key = signing_key();
    let goods: Vec<Vec<u8>> = (0..n)
        .map(|i| format!("message {i}").into_bytes())
        .collect();
    let mut messages: Vec<&[u8]> = goods.iter().map(|m| &m[..]).collect();
    let mut checks: Vec<SignatureCheck> = goods
        .iter()
        .enumerate()
        .map(|(i, m)| SignatureCheck {
            message: i,
            key: key.verifying_key(),
            signature: key.sign(m),
        })
        .collect();
    for (j, (signature, message)) in crafted.iter().enumerate() {
        messages.push(message);
        checks.insert(
            (j * 7) % (checks.len() + 1),
            SignatureCheck {
                message: messages.len() - 1,
                key: key.verifying_key(),
                signature: *signature,
            },
        );
    }
    let ok = verify_all(&messages, &checks);
    let crafted_ok: Vec<bool> = checks
        .iter()
        .zip(&ok)
        .filter(|(c, _)| c.message >= n)
        .map(|(_, ok)| *ok)
        .collect();
    assert_eq!(
        ok.iter().filter(|o| **o).count() - crafted_ok.iter().filter(|o| **o).count(),
        n
    );
    crafted_ok
}

#[test]
fn vectors_are_judged_as_pynacl_judges_them() {
    let (key, message, cases) = vectors();
    assert_eq!(key, signing_key().verifying_key());
    assert_eq!(cases.len(), 5);
    for (name, signature, accepted) in &cases {
        let alone = verify_all(
            &[&message],
            &[SignatureCheck {
                message: 0,
                key,
                signature: *signature,
            }],
        );
        assert_eq!(alone, [*accepted], "{name} alone");
        for n in [SINGLE_BELOW, 40, 300] {
            assert_eq!(
                in_batch(&[(*signature, &message)], n),
                [*accepted],
                "{name} among {n}"
            );
        }
    }
}

/// The crafted signatures are the ones a cofactored or batched check lets through: each
/// satisfies `[8]([s]B − [k]A − R) = 0` with a canonical `s` reduced.
#[test]
fn crafted_signatures_hold_with_the_cofactor() {
    let (key, message, cases) = vectors();
    for (name, signature, _) in cases.iter().filter(|c| c.0 != "valid") {
        let r = CompressedEdwardsY(*signature.r_bytes())
            .decompress()
            .unwrap();
        let s = Scalar::from_bytes_mod_order(*signature.s_bytes());
        let k = Scalar::from_hash(
            Sha512::new()
                .chain_update(signature.r_bytes())
                .chain_update(key.as_bytes())
                .chain_update(&message),
        );
        let d = EdwardsPoint::vartime_double_scalar_mul_basepoint(&-k, &key.to_edwards(), &s) - r;
        assert!(d.mul_by_cofactor().is_identity_point(), "{name}");
    }
}

trait Identity {
    fn is_identity_point(&self) -> bool;
}

impl Identity for EdwardsPoint {
    fn is_identity_point(&self) -> bool {
        use curve25519_dalek::traits::IsIdentity;
        self.is_identity()
    }
}

/// A signature of `message` whose `R` is `[r]B + torsion`, `s = r + k·a`: wrong by exactly
/// `torsion` without the cofactor.
fn with_torsion(message: &[u8], torsion: &EdwardsPoint, nonce: u64) -> Signature {
    let key = signing_key();
    let h: [u8; 64] = Sha512::digest(key.to_bytes()).into();
    let mut a = [0u8; 32];
    a.copy_from_slice(&h[..32]);
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    let a = Scalar::from_bytes_mod_order(a);
    let r = Scalar::from(nonce + 1);
    let big_r = (r * ED25519_BASEPOINT_POINT + torsion).compress();
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(key.verifying_key().as_bytes())
            .chain_update(message),
    );
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(big_r.as_bytes());
    bytes[32..].copy_from_slice((r + k * a).as_bytes());
    Signature::from_bytes(&bytes)
}

/// Two signatures whose torsion components cancel in any batch with odd weights (each
/// `R` carries the point of order 2) are both refused, whatever the batch's weights.
#[test]
fn torsion_that_cancels_in_a_batch_is_refused() {
    let order_2 = CompressedEdwardsY(
        b64("7P///////////////////////////////////////38")
            .try_into()
            .unwrap(),
    )
    .decompress()
    .unwrap();
    assert!(order_2.is_small_order() && !order_2.is_identity_point());
    let messages: Vec<Vec<u8>> = (0..24)
        .map(|i| format!("crafted {i}").into_bytes())
        .collect();
    for pair in messages.chunks(2) {
        let crafted: Vec<(Signature, &[u8])> = pair
            .iter()
            .enumerate()
            .map(|(i, m)| (with_torsion(m, &order_2, i as u64), &m[..]))
            .collect();
        // Below and above the size where the `R` are tested as a group.
        for n in [30, 300] {
            assert_eq!(in_batch(&crafted, n), [false, false], "among {n}");
        }
    }
    // Without torsion the same construction is a valid signature.
    let m = b"plain".as_slice();
    assert_eq!(
        in_batch(&[(with_torsion(m, &EdwardsPoint::default(), 3), m)], 30),
        [true]
    );
}

/// In an event: the malleated signature and the small-order `R` are refused with a
/// message that says why.
#[test]
fn malleated_event_signatures_say_why() {
    let version = &RoomVersion::V10;
    let keys = ring(&["origin.test"]);
    let event = message(version, "malleable");
    let sig_b64 = event
        .get("signatures")
        .and_then(|s| s.get("origin.test"))
        .and_then(|s| s.get(KEY_ID))
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    let sig = b64(&sig_b64);
    // s + ℓ, little-endian.
    let ell = b64("7dP1XBpjEljWnPei3vneFAAAAAAAAAAAAAAAAAAAABA");
    let mut s_plus_l = sig.clone();
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = u16::from(sig[32 + i]) + u16::from(ell[i]) + carry;
        s_plus_l[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    let mut small_r = sig.clone();
    small_r[..32].copy_from_slice(&[
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ]);
    for (bad, why) in [(s_plus_l, "malleated"), (small_r, "small order")] {
        let text =
            to_string(&event).replace(&sig_b64, &mxdag::crypto::encoding::base64_unpadded(&bad));
        let report = &judge_one(&text, version, &keys);
        assert_eq!(report.verdict, Verdict::Dropped, "{why}");
        let problem = report
            .problems
            .iter()
            .find(|p| p.code == SIGNATURE_INVALID)
            .unwrap();
        assert!(problem.message.contains(why), "{}", problem.message);
    }
}

/// Keys whose encoding is not canonical (`y ≥ p`) are refused, as libsodium refuses them.
#[test]
fn non_canonical_keys_are_refused() {
    let mut refused = 0;
    for y0 in 2u8..19 {
        // p + y0, little-endian: p = 2^255 − 19.
        let mut bytes = [0xffu8; 32];
        bytes[31] = 0x7f;
        bytes[0] = 0xed + y0;
        let Ok(key) = VerifyingKey::from_bytes(&bytes) else {
            continue;
        };
        if key.is_weak() {
            continue;
        }
        let text = mxdag::crypto::encoding::base64_unpadded(&bytes);
        assert!(
            mxdag::crypto::keys::parse_public_key(&text).is_none(),
            "y = p + {y0}"
        );
        refused += 1;
    }
    assert!(refused > 0, "some y = p + y0 is a point of large order");
    let good = mxdag::crypto::encoding::base64_unpadded(signing_key().verifying_key().as_bytes());
    assert!(mxdag::crypto::keys::parse_public_key(&good).is_some());
}

/// The group test of torsion: many torsion-free `R` pass, one `R` with a small-order
/// component of any order among them fails, wherever it is.
#[test]
fn torsion_group_test_finds_one_bad_point() {
    use mxdag::crypto::torsion::{all_torsion_free, TORSION_TESTS};
    let n = 3 * TORSION_TESTS;
    let good: Vec<[u8; 32]> = (0..n as u64)
        .map(|i| {
            (Scalar::from(i + 7) * ED25519_BASEPOINT_POINT)
                .compress()
                .to_bytes()
        })
        .collect();
    assert!(all_torsion_free(good.iter()));
    for (k, torsion) in curve25519_dalek::constants::EIGHT_TORSION
        .iter()
        .enumerate()
        .skip(1)
    {
        for at in [0, n / 2, n - 1] {
            let mut points = good.clone();
            let bad = CompressedEdwardsY(points[at]).decompress().unwrap() + torsion;
            points[at] = bad.compress().to_bytes();
            assert!(!all_torsion_free(points.iter()), "torsion {k} at {at}");
        }
    }
}
