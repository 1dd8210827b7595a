//! Batch verification that sums the terms of one key agrees with ed25519-dalek's own batch
//! verification and with one-by-one verification.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use mxdag::crypto::batch::verify_batch;
use mxdag::crypto::signatures::{verify_all, SignatureCheck};

fn keys(n: u8) -> Vec<SigningKey> {
    (0..n)
        .map(|i| SigningKey::from_bytes(&[i.wrapping_mul(37).wrapping_add(1); 32]))
        .collect()
}

struct Set {
    messages: Vec<Vec<u8>>,
    signatures: Vec<Signature>,
    keys: Vec<VerifyingKey>,
}

/// `n` signatures by `k` keys, round robin.
fn set(n: usize, k: u8) -> Set {
    let signers = keys(k);
    let messages: Vec<Vec<u8>> = (0..n)
        .map(|i| format!("message {i}").into_bytes())
        .collect();
    let signatures = messages
        .iter()
        .enumerate()
        .map(|(i, m)| signers[i % k as usize].sign(m))
        .collect();
    let keys = (0..n)
        .map(|i| signers[i % k as usize].verifying_key())
        .collect();
    Set {
        messages,
        signatures,
        keys,
    }
}

fn ours(s: &Set) -> bool {
    let messages: Vec<&[u8]> = s.messages.iter().map(|m| &m[..]).collect();
    verify_batch(&messages, &s.signatures, &s.keys)
}

fn dalek(s: &Set) -> bool {
    let messages: Vec<&[u8]> = s.messages.iter().map(|m| &m[..]).collect();
    ed25519_dalek::verify_batch(&messages, &s.signatures, &s.keys).is_ok()
}

#[test]
fn good_batches_verify() {
    for (n, k) in [(1, 1), (2, 1), (7, 3), (64, 5), (100, 1), (257, 9)] {
        let s = set(n, k);
        assert!(ours(&s), "{n} signatures by {k} keys");
        assert!(dalek(&s));
    }
    assert!(ours(&Set {
        messages: vec![],
        signatures: vec![],
        keys: vec![]
    }));
}

#[test]
fn any_bad_signature_fails_the_batch() {
    let base = set(40, 3);
    // A signature over another message.
    let mut s = set(40, 3);
    s.messages[17] = b"other".to_vec();
    assert!(!ours(&s) && !dalek(&s));
    // A signature by another key of the batch (the key sums must not hide it).
    let mut s = set(40, 3);
    s.keys[5] = base.keys[6];
    assert!(!ours(&s) && !dalek(&s));
    // Two signatures swapped between messages of the same key.
    let mut s = set(40, 3);
    s.signatures.swap(0, 3);
    assert!(!ours(&s) && !dalek(&s));
    // A non-canonical s (s + ℓ).
    let mut s = set(40, 3);
    let mut bytes = s.signatures[9].to_bytes();
    let l: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for i in 0..32 {
        let sum = bytes[32 + i] as u16 + l[i] as u16 + carry;
        bytes[32 + i] = sum as u8;
        carry = sum >> 8;
    }
    s.signatures[9] = Signature::from_bytes(&bytes);
    assert!(!ours(&s));
    // An R that is not a point.
    let mut s = set(40, 3);
    let mut bytes = s.signatures[2].to_bytes();
    bytes[..32].copy_from_slice(&[0xff; 32]);
    s.signatures[2] = Signature::from_bytes(&bytes);
    assert!(!ours(&s));
    // Mismatched lengths.
    let s = set(3, 1);
    assert!(!verify_batch(&[b"a"], &s.signatures, &s.keys));
}

#[test]
fn verify_all_finds_exactly_the_bad_ones() {
    let mut s = set(300, 4);
    let bad = [0, 7, 8, 150, 255, 256, 299];
    for &i in &bad {
        s.messages[i] = b"tampered".to_vec();
    }
    let messages: Vec<&[u8]> = s.messages.iter().map(|m| &m[..]).collect();
    let checks: Vec<SignatureCheck> = (0..300)
        .map(|i| SignatureCheck {
            message: i,
            key: s.keys[i],
            signature: s.signatures[i],
        })
        .collect();
    let ok = verify_all(&messages, &checks);
    let failed: Vec<usize> = ok
        .iter()
        .enumerate()
        .filter(|(_, ok)| !**ok)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(failed, bad);
}
