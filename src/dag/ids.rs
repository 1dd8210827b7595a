//! The event ID store: every event ID the DAG has heard of, stored once, addressed by a
//! `u32` index.
//!
//! Room versions 3 and later derive the event ID from the event's reference hash
//! ([spec: room version 3, "Event IDs"](https://spec.matrix.org/v1.16/rooms/v3/#event-ids);
//! version 4 switches to the URL-safe alphabet,
//! [spec: room version 4](https://spec.matrix.org/v1.16/rooms/v4/#event-ids)): `$` followed by
//! 43 characters of unpadded base64. Such IDs are kept as their 32 raw bytes (plus one bit for
//! the alphabet), which also makes a perfect hash key. Every other ID (room versions 1 and 2
//! use `$opaque:server`, and unverified input may carry anything) is kept as its UTF-8 bytes.
//!
//! Lookup is an open-addressing table of `u32` indices (linear probing, at most half full),
//! so the index costs 4 bytes per slot on top of the stored bytes. IDs named in
//! `prev_events` are never verified, so anyone can send IDs chosen to collide: the table's
//! hash is keyed with a secret seed ([`set_hash_seed`]) and mixes every stored byte, so that
//! such IDs cannot be chosen without knowing it.

use std::cmp::Ordering;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

/// Sentinel for an empty table slot.
const EMPTY: u32 = u32::MAX;
/// Length of a hash-derived event ID after the sigil: 43 unpadded base64 characters.
const HASH_ID_CHARS: usize = 43;
/// Standard base64 alphabet (room version 3 event IDs).
const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/// URL-safe base64 alphabet (room version 4 and later event IDs).
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// How an ID is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// As its UTF-8 bytes.
    Text,
    /// As 32 raw hash bytes; `url_safe` says which alphabet renders it back.
    Hash { url_safe: bool },
}

/// The seed of stores created from now on (0: not chosen yet).
static HASH_SEED: AtomicU64 = AtomicU64::new(0);

/// Sets the secret seed of the ID tables of [`IdStore`]s created from now on. Natively the
/// seed comes from the standard library's random hash keys; wasm has no such source, so the
/// binding layer calls this once at start with randomness from JS.
pub fn set_hash_seed(seed: u64) {
    HASH_SEED.store(seed | 1, AtomicOrdering::Relaxed);
}

/// The secret seed of one store, fixed at its creation.
#[derive(Clone, Copy, Debug)]
struct Seed(u64);

impl Default for Seed {
    fn default() -> Self {
        let mut seed = HASH_SEED.load(AtomicOrdering::Relaxed);
        if seed == 0 {
            seed =
                std::collections::hash_map::RandomState::new().hash_one(0x006d_7864_6167_u64) | 1;
            HASH_SEED.store(seed, AtomicOrdering::Relaxed);
        }
        Seed(seed)
    }
}

/// Every event ID a [`RoomDag`](super::RoomDag) has seen, each stored once.
#[derive(Clone, Debug, Default)]
pub struct IdStore {
    /// The key of the table's hash.
    seed: Seed,
    /// The stored forms, back to back.
    bytes: Vec<u8>,
    /// Number of IDs stored.
    count: usize,
    /// End offset of each ID in `bytes`; empty while every ID is a 32-byte hash (the usual
    /// case from room version 3 on), whose offsets are implied.
    ends: Vec<u32>,
    /// One bit per ID: stored as a 32-byte hash.
    hash_form: Vec<u64>,
    /// One bit per ID: a hash-form ID rendered with the URL-safe alphabet.
    url_safe: Vec<u64>,
    /// Open-addressing table of indices, `EMPTY` where free; its length is a power of two.
    table: Vec<u32>,
    /// Recently used IDs, direct-mapped by hash: `(hash, index + 1)`. `prev_events` mostly
    /// name recent events, whose lookups then skip the (cache-cold) table.
    recent: Vec<(u64, u32)>,
}

/// Entries of [`IdStore::recent`].
const RECENT: usize = 1024;

/// An ID in its stored form, for lookups: hash bytes are decoded onto the stack.
struct Key<'a> {
    form: Form,
    hash: [u8; 32],
    text: &'a [u8],
}

impl IdStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of IDs stored.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no ID is stored.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Whether some ID is stored as text, so that offsets are kept in `ends`.
    fn has_text(&self) -> bool {
        !self.ends.is_empty()
    }

    /// Makes room for `additional` more IDs of about `bytes_each` stored bytes.
    pub fn reserve(&mut self, additional: usize, bytes_each: usize) {
        self.bytes.reserve(additional.saturating_mul(bytes_each));
        if self.has_text() {
            self.ends.reserve(additional);
        }
        let words = (self.len() + additional).div_ceil(64);
        self.hash_form
            .reserve(words.saturating_sub(self.hash_form.len()));
        self.url_safe
            .reserve(words.saturating_sub(self.url_safe.len()));
        self.grow_table_for(self.len() + additional);
    }

    /// The index of `id`, if stored.
    pub fn get(&self, id: &str) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let key = Key::of(id);
        self.find(&key, key.hash(self.seed.0)).ok()
    }

    /// The index of `id`, storing it first if new. Returns `(index, newly_stored)`.
    pub fn intern(&mut self, id: &str) -> (u32, bool) {
        self.grow_table_for(self.len() + 1);
        let key = Key::of(id);
        let hash = key.hash(self.seed.0);
        if self.recent.is_empty() {
            self.recent = vec![(0, 0); RECENT];
        }
        let r = (hash >> 24) as usize & (RECENT - 1);
        let (seen, plus_one) = self.recent[r];
        if seen == hash && plus_one != 0 && self.matches(plus_one - 1, &key) {
            return (plus_one - 1, false);
        }
        let slot = match self.find(&key, hash) {
            Ok(index) => {
                self.recent[r] = (hash, index + 1);
                return (index, false);
            }
            Err(slot) => slot,
        };
        let index = self.count as u32;
        if key.form == Form::Text && !self.has_text() {
            // The first text ID: from now on offsets are explicit.
            self.ends = (1..=self.count).map(|i| (i * 32) as u32).collect();
        }
        self.bytes.extend_from_slice(key.bytes());
        if self.has_text() || key.form == Form::Text {
            self.ends.push(self.bytes.len() as u32);
        }
        self.count += 1;
        let (word, bit) = (index as usize / 64, 1u64 << (index % 64));
        if word == self.hash_form.len() {
            self.hash_form.push(0);
            self.url_safe.push(0);
        }
        if let Form::Hash { url_safe } = key.form {
            self.hash_form[word] |= bit;
            if url_safe {
                self.url_safe[word] |= bit;
            }
        }
        self.table[slot] = self.pack(index, hash);
        self.recent[r] = (hash, index + 1);
        (index, true)
    }

    /// The ID at `index` as a string. Panics if `index` was not returned by this store.
    pub fn id(&self, index: u32) -> String {
        let mut out = String::with_capacity(44);
        self.write_id(index, &mut out);
        out
    }

    /// Appends the ID at `index` to `out`.
    pub fn write_id(&self, index: u32, out: &mut String) {
        let bytes = self.stored(index);
        match self.form(index) {
            Form::Text => out.push_str(std::str::from_utf8(bytes).unwrap_or("")),
            Form::Hash { url_safe } => {
                let mut buf = [0u8; 1 + HASH_ID_CHARS];
                encode_hash_id(bytes, url_safe, &mut buf);
                out.push_str(std::str::from_utf8(&buf).unwrap_or(""));
            }
        }
    }

    /// The 32-byte reference hash behind a hash-form ID (room version 3 and later).
    pub fn hash(&self, index: u32) -> Option<&[u8; 32]> {
        match self.form(index) {
            Form::Hash { .. } => self.stored(index).try_into().ok(),
            Form::Text => None,
        }
    }

    /// Compares two stored IDs as strings (byte order of their UTF-8 text).
    pub fn cmp_ids(&self, a: u32, b: u32) -> Ordering {
        let mut buf_a = [0u8; 1 + HASH_ID_CHARS];
        let mut buf_b = [0u8; 1 + HASH_ID_CHARS];
        self.text(a, &mut buf_a).cmp(self.text(b, &mut buf_b))
    }

    /// Bytes of heap memory held (allocated capacity, not length).
    pub fn heap_bytes(&self) -> usize {
        self.bytes.capacity()
            + 4 * self.ends.capacity()
            + 8 * (self.hash_form.capacity() + self.url_safe.capacity())
            + 4 * self.table.capacity()
            + std::mem::size_of::<(u64, u32)>() * self.recent.capacity()
    }

    /// The ID's text, rendered into `buf` when stored as a hash.
    fn text<'a>(&'a self, index: u32, buf: &'a mut [u8; 1 + HASH_ID_CHARS]) -> &'a [u8] {
        match self.form(index) {
            Form::Text => self.stored(index),
            Form::Hash { url_safe } => {
                encode_hash_id(self.stored(index), url_safe, buf);
                &buf[..]
            }
        }
    }

    fn stored(&self, index: u32) -> &[u8] {
        let i = index as usize;
        if !self.has_text() {
            return &self.bytes[i * 32..i * 32 + 32];
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    fn form(&self, index: u32) -> Form {
        let (word, bit) = (index as usize / 64, 1u64 << (index % 64));
        if self.has_text() && self.hash_form[word] & bit == 0 {
            Form::Text
        } else {
            Form::Hash {
                url_safe: self.url_safe[word] & bit != 0,
            }
        }
    }

    /// The stored index of `key` (whose hash is `hash`), or the free slot where it belongs. Each slot packs the
    /// index in its low bits and, in the bits the index does not need, a tag from the hash,
    /// so that probing past other IDs rarely touches their stored bytes.
    fn find(&self, key: &Key, hash: u64) -> Result<u32, usize> {
        let mask = self.table.len() - 1;
        let index_bits = self.table.len().trailing_zeros();
        let index_mask = (1u64 << index_bits).wrapping_sub(1) as u32;
        let tag = self.pack(0, hash);
        let mut slot = hash as usize & mask;
        loop {
            let entry = self.table[slot];
            if entry == EMPTY {
                return Err(slot);
            }
            if entry & !index_mask == tag && self.matches(entry & index_mask, key) {
                return Ok(entry & index_mask);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// A table entry: `index` plus the tag of `hash` in the high bits. The table has at least
    /// twice as many slots as IDs, so an index never fills its bits and no entry equals EMPTY.
    fn pack(&self, index: u32, hash: u64) -> u32 {
        let index_bits = self.table.len().trailing_zeros();
        let tag = ((hash >> 32) as u32).checked_shl(index_bits).unwrap_or(0);
        tag | index
    }

    fn matches(&self, index: u32, key: &Key) -> bool {
        let same_form = match (self.form(index), key.form) {
            (Form::Text, Form::Text) => true,
            (Form::Hash { url_safe: a }, Form::Hash { url_safe: b }) => a == b,
            _ => false,
        };
        same_form && same_bytes(self.stored(index), key.bytes())
    }

    /// Grows the table so that `count` IDs keep it at most half full.
    fn grow_table_for(&mut self, count: usize) {
        if count * 2 <= self.table.len() {
            return;
        }
        let size = (count * 2).next_power_of_two().max(16);
        let old = std::mem::replace(&mut self.table, vec![EMPTY; size]);
        drop(old);
        let mask = size - 1;
        for index in 0..self.count as u32 {
            let key = Key {
                form: self.form(index),
                hash: [0; 32],
                text: self.stored(index),
            };
            let hash = key.hash(self.seed.0);
            let mut slot = hash as usize & mask;
            while self.table[slot] != EMPTY {
                slot = (slot + 1) & mask;
            }
            self.table[slot] = self.pack(index, hash);
        }
    }
}

impl<'a> Key<'a> {
    fn of(id: &'a str) -> Self {
        match decode_hash_id(id.as_bytes()) {
            Some((hash, url_safe)) => Key {
                form: Form::Hash { url_safe },
                hash,
                text: &[],
            },
            None => Key {
                form: Form::Text,
                hash: [0; 32],
                text: id.as_bytes(),
            },
        }
    }

    /// The stored bytes: the decoded hash, or `text` (which also carries stored hash bytes
    /// when the table is rebuilt).
    fn bytes(&self) -> &[u8] {
        if self.text.is_empty() && matches!(self.form, Form::Hash { .. }) {
            &self.hash
        } else {
            self.text
        }
    }

    /// The table hash of the stored bytes, keyed with `seed`: 16 bytes at a time through a
    /// folded 64×64→128-bit multiply (as foldhash does), so that which IDs collide depends
    /// on the seed.
    #[inline(always)]
    fn hash(&self, seed: u64) -> u64 {
        let bytes = self.bytes();
        let url_safe = matches!(self.form, Form::Hash { url_safe: true });
        let key = seed.rotate_left(29) ^ 0x243f_6a88_85a3_08d3;
        let mut h = seed ^ ((bytes.len() as u64) << 1) ^ url_safe as u64;
        if let Ok(hash) = <&[u8; 32]>::try_from(bytes) {
            // The usual case, unrolled: a 32-byte reference hash.
            h = folded_multiply(word(&hash[..8]) ^ h, word(&hash[8..16]) ^ key);
            return folded_multiply(word(&hash[16..24]) ^ h, word(&hash[24..]) ^ key);
        }
        let mut blocks = bytes.chunks_exact(16);
        for block in &mut blocks {
            h = folded_multiply(word(&block[..8]) ^ h, word(&block[8..]) ^ key);
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            let mut block = [0u8; 16];
            block[..rest.len()].copy_from_slice(rest);
            h = folded_multiply(word(&block[..8]) ^ h, word(&block[8..]) ^ key);
        }
        h
    }
}

/// The little-endian `u64` of 8 bytes.
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes);
    u64::from_le_bytes(word)
}

/// The high and low halves of the full 128-bit product of `a` and `b`, xored. Built from
/// four 32×32-bit products, which wasm multiplies natively (a `u128` product would call a
/// generic 128-bit multiply there).
#[inline(always)]
fn folded_multiply(a: u64, b: u64) -> u64 {
    const LOW: u64 = 0xffff_ffff;
    let (a0, a1, b0, b1) = (a & LOW, a >> 32, b & LOW, b >> 32);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let middle = (p00 >> 32) + (p01 & LOW) + (p10 & LOW);
    let low = (p00 & LOW) | (middle << 32);
    let high = p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32);
    low ^ high
}

/// Marks a character specific to the standard alphabet (`+`, `/`) in [`SEXTETS`].
const STANDARD_ONLY: u8 = 0x40;
/// Marks a character specific to the URL-safe alphabet (`-`, `_`) in [`SEXTETS`].
const URL_ONLY: u8 = 0x80;
/// Not a base64 character.
const INVALID: u8 = 0xff;

/// Value of each byte as a base64 character of either alphabet, with the alphabet marks.
const SEXTETS: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        if i < 62 {
            table[STANDARD[i] as usize] = i as u8;
        }
        i += 1;
    }
    table[b'+' as usize] = 62 | STANDARD_ONLY;
    table[b'/' as usize] = 63 | STANDARD_ONLY;
    table[b'-' as usize] = 62 | URL_ONLY;
    table[b'_' as usize] = 63 | URL_ONLY;
    table
};

/// Decodes `$` + 43 base64 characters into 32 bytes, if the ID has exactly that shape, one
/// alphabet, and canonical trailing bits (so that encoding gives the same text back).
fn decode_hash_id(id: &[u8]) -> Option<([u8; 32], bool)> {
    let id: &[u8; 1 + HASH_ID_CHARS] = id.try_into().ok()?;
    if id[0] != b'$' {
        return None;
    }
    let mut out = [0u8; 32];
    let mut marks = 0u8;
    let sextet = |c: u8| SEXTETS[c as usize];
    // 10 groups of 4 characters give 30 bytes; the last 3 characters give 2 bytes + 2 bits.
    // Fixed-size arrays and constant bounds let the compiler drop every bounds check.
    for group in 0..10 {
        let at = 1 + group * 4;
        let (a, b, c, d) = (
            sextet(id[at]),
            sextet(id[at + 1]),
            sextet(id[at + 2]),
            sextet(id[at + 3]),
        );
        marks |= a | b | c | d;
        let word = ((a & 63) as u32) << 18
            | ((b & 63) as u32) << 12
            | ((c & 63) as u32) << 6
            | (d & 63) as u32;
        out[group * 3] = (word >> 16) as u8;
        out[group * 3 + 1] = (word >> 8) as u8;
        out[group * 3 + 2] = word as u8;
    }
    let (a, b, c) = (sextet(id[41]), sextet(id[42]), sextet(id[43]));
    marks |= a | b | c;
    let tail = ((a & 63) as u32) << 12 | ((b & 63) as u32) << 6 | (c & 63) as u32;
    out[30] = (tail >> 10) as u8;
    out[31] = (tail >> 2) as u8;
    // An invalid character sets every mark bit, so the two-alphabet test catches it too.
    let invalid = marks & (STANDARD_ONLY | URL_ONLY) == STANDARD_ONLY | URL_ONLY;
    (!invalid && tail & 3 == 0).then_some((out, marks & URL_ONLY != 0))
}

/// Byte equality, eight bytes at a time (32-byte hashes compare in four steps, without a
/// call to `memcmp`, which is slow in wasm).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tails_equal = a8.remainder() == b8.remainder();
    let word = |bytes: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(bytes);
        u64::from_ne_bytes(w)
    };
    tails_equal && a8.zip(b8).all(|(x, y)| word(x) == word(y))
}

/// Renders 32 hash bytes as `$` + 43 unpadded base64 characters.
fn encode_hash_id(hash: &[u8], url_safe: bool, out: &mut [u8; 1 + HASH_ID_CHARS]) {
    let alphabet = if url_safe { URL_SAFE } else { STANDARD };
    out[0] = b'$';
    let (mut acc, mut bits, mut pos) = (0u32, 0u32, 1usize);
    for &byte in hash {
        acc = (acc << 8) | byte as u32;
        bits += 8;
        while bits >= 6 {
            bits -= 6;
            out[pos] = alphabet[((acc >> bits) & 63) as usize];
            pos += 1;
        }
        acc &= (1 << bits) - 1;
    }
    out[pos] = alphabet[((acc << (6 - bits)) & 63) as usize];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The longest run of slots a lookup walks past before reaching its entry.
    fn longest_probe(store: &IdStore) -> usize {
        let mask = store.table.len() - 1;
        let index_mask = mask as u32;
        (0..store.table.len())
            .filter(|&slot| store.table[slot] != EMPTY)
            .map(|slot| {
                let index = store.table[slot] & index_mask;
                let key = Key {
                    form: store.form(index),
                    hash: [0; 32],
                    text: store.stored(index),
                };
                let home = key.hash(store.seed.0) as usize & mask;
                (slot + store.table.len() - home) & mask
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn folded_multiply_is_the_full_product_folded() {
        for (a, b) in [
            (0u64, 0u64),
            (u64::MAX, u64::MAX),
            (0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321),
            (1 << 63, 3),
        ] {
            let product = u128::from(a) * u128::from(b);
            assert_eq!(
                folded_multiply(a, b),
                (product as u64) ^ ((product >> 64) as u64)
            );
        }
    }

    /// IDs that share their first bytes (anyone can send such IDs in `prev_events`) or are
    /// near-identical text still spread over the table: lookups stay short, not quadratic.
    #[test]
    fn crafted_ids_do_not_pile_up_in_one_slot() {
        let hash_ids: Vec<String> = (0u32..20_000)
            .map(|i| {
                let mut hash = [7u8; 32];
                hash[28..].copy_from_slice(&i.to_le_bytes());
                let mut out = [0u8; 1 + HASH_ID_CHARS];
                encode_hash_id(&hash, true, &mut out);
                String::from_utf8(out.to_vec()).unwrap()
            })
            .collect();
        let text_ids: Vec<String> = (0..20_000)
            .map(|i| format!("$event{i:08}:example.org"))
            .collect();
        for ids in [hash_ids, text_ids] {
            let mut store = IdStore::new();
            for id in &ids {
                store.intern(id);
            }
            assert_eq!(store.len(), ids.len());
            assert!(ids
                .iter()
                .enumerate()
                .all(|(i, id)| store.get(id) == Some(i as u32)));
            // A half-full table with a uniform hash has runs of a few dozen slots at most;
            // the old hash put all 20,000 crafted hash IDs in one run.
            let longest = longest_probe(&store);
            assert!(longest < 200, "longest probe {longest}");
        }
    }

    #[test]
    fn hash_ids_round_trip_in_both_alphabets() {
        let mut store = IdStore::new();
        let v3 = "$++//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw";
        let v4 = "$--__AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw";
        let plain = "$AAAAAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw";
        let (a, _) = store.intern(v3);
        let (b, _) = store.intern(v4);
        assert_ne!(a, b);
        assert_eq!(store.id(a), v3);
        assert_eq!(store.id(b), v4);
        let hash = store.hash(a).expect("stored as a hash");
        assert_eq!(hash[..4], [0xfb, 0xef, 0xff, 0]);
        assert_eq!(store.get(v4), Some(b));
        let (c, _) = store.intern(plain);
        assert_eq!(store.id(c), plain);
        assert!(store.hash(c).is_some());
        // Non-zero trailing bits, a stray character, or a wrong length keep the text form.
        for odd in [
            &plain[..43],
            "$AAAAAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxx",
            "$AAAAAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaG.w",
        ] {
            let (i, _) = store.intern(odd);
            assert_eq!(store.id(i), odd);
            assert!(store.hash(i).is_none(), "{odd}");
        }
    }

    #[test]
    fn text_ids_and_odd_shapes_stay_text() {
        let mut store = IdStore::new();
        for id in [
            "$abc:example.org",
            "$++__AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw",
            "",
            "$é",
        ] {
            let (i, new) = store.intern(id);
            assert!(new);
            assert_eq!(store.id(i), id);
            assert!(store.hash(i).is_none());
            assert_eq!(store.intern(id), (i, false));
        }
        assert_eq!(store.len(), 4);
        assert_eq!(store.get("$missing:x"), None);
    }

    #[test]
    fn many_ids_survive_growth() {
        let mut store = IdStore::new();
        for n in 0..5000 {
            store.intern(&format!("$e{n}:s"));
        }
        for n in 0..5000u32 {
            assert_eq!(store.get(&format!("$e{n}:s")), Some(n));
        }
    }
}
