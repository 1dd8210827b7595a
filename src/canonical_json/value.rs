//! The JSON tree this crate works on: objects keep their keys sorted by code point and unique,
//! numbers keep whether they were integers, so canonical encoding is a straight walk.

use std::cell::Cell;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A JSON value as parsed from a PDU.
///
/// Unlike `serde_json::Value` it refuses duplicate keys when parsed, and keeps integers and
/// floats apart (`Int`/`UInt`/`BigInt` vs `Float`) so the canonical JSON rules can be
/// checked. Integers of any size stay exact, as in Synapse's canonical JSON (Python's
/// integers), which room versions 1–5 allow.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A non-negative integer above `i64::MAX` (fits in `u64`).
    UInt(u64),
    /// An integer below `i64::MIN` or above `u64::MAX`, kept as the decimal digits it was
    /// written with (`-?[1-9][0-9]*`, which is its canonical form). Legal in room versions
    /// 1–5; from room version 6 `check_numbers` reports it as out of range.
    BigInt(String),
    /// A number written with a fraction or exponent.
    Float(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Object),
}

/// A JSON object: entries sorted by key (Unicode code point order, which is UTF-8 byte
/// order), keys unique.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    entries: Vec<(Key, Value)>,
}

/// An object's key: the keys PDUs are made of are held without an allocation of their
/// own (an event has a dozen or more, parsed, cloned and dropped for every event taken),
/// any other key in a string of its own.
#[derive(Clone, Debug)]
enum Key {
    Common(&'static str),
    Other(String),
}

impl Key {
    fn new(key: &str) -> Key {
        match common_key(key) {
            Some(common) => Key::Common(common),
            None => Key::Other(key.into()),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Key::Common(k) => k,
            Key::Other(k) => k,
        }
    }
}

impl From<String> for Key {
    fn from(key: String) -> Key {
        match common_key(&key) {
            Some(common) => Key::Common(common),
            None => Key::Other(key),
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.as_str() == other.as_str()
    }
}

/// The keys every PDU has, and those of the contents most events hold: the keys [`Key`]
/// holds without allocating, most frequent first.
const COMMON_KEYS: [&str; 20] = [
    "type",
    "sender",
    "content",
    "room_id",
    "depth",
    "hashes",
    "sha256",
    "signatures",
    "prev_events",
    "auth_events",
    "origin_server_ts",
    "unsigned",
    "state_key",
    "body",
    "msgtype",
    "membership",
    "displayname",
    "event_id",
    "origin",
    "redacts",
];

fn common_key(key: &str) -> Option<&'static str> {
    COMMON_KEYS
        .iter()
        .copied()
        .find(|k| k.len() == key.len() && *k == key)
}

impl Object {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Where `key` is among the entries; only lookups (an insert needs the position, so
    /// it binary-searches). An event's objects hold a dozen keys or fewer: a scan that
    /// compares lengths before bytes does one byte comparison where a binary search does
    /// four (in wasm, `memcmp` is a plain byte loop).
    fn position(&self, key: &str) -> Option<usize> {
        const SCANNED: usize = 16;
        if self.entries.len() > SCANNED {
            return self.find(key).ok();
        }
        let key = key.as_bytes();
        self.entries
            .iter()
            .position(|(k, _)| k.as_str().len() == key.len() && k.as_str().as_bytes() == key)
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        let key = key.as_bytes();
        self.entries.binary_search_by(|(k, _)| {
            let k = k.as_str().as_bytes();
            // The first bytes decide most comparisons (an event's keys mostly start with
            // different letters) without comparing whole strings: the same order as `cmp`.
            match (k.first(), key.first()) {
                (Some(a), Some(b)) if a != b => a.cmp(b),
                _ => k.cmp(key),
            }
        })
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.position(key).map(|i| &self.entries[i].1)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.position(key).map(|i| &mut self.entries[i].1)
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        let key = Key::from(key.into());
        match self.find(key.as_str()) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.position(key).map(|i| self.entries.remove(i).1)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the object has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Builds an object from entries in any order; a later duplicate key replaces an earlier
    /// one. Also returns the first key that was repeated, if any.
    fn from_entries(mut entries: Vec<(Key, Value)>) -> (Self, Option<String>) {
        entries.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) else {
            return (Self { entries }, None);
        };
        let duplicate = w[0].0.as_str().to_owned();
        // Keep the last occurrence of each key (the stable sort kept input order).
        let mut out: Vec<(Key, Value)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        (Self { entries: out }, Some(duplicate))
    }
}

impl FromIterator<(String, Value)> for Object {
    /// Collects entries; a later duplicate key replaces an earlier one.
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self::from_entries(iter.into_iter().map(|(k, v)| (Key::from(k), v)).collect()).0
    }
}

impl Value {
    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The object, mutably, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an integer that fits in `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// `self[key]` when this is an object holding `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.get(key))
    }

    /// The JSON type name, for messages: `object`, `array`, `string`, `integer`, …
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::UInt(_) | Value::BigInt(_) => "integer",
            Value::Float(_) => "float",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

impl From<serde_json::Value> for Value {
    /// Converts a `serde_json::Value` (which cannot hold duplicate keys).
    fn from(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Value::Int(i),
                (None, Some(u)) => Value::UInt(u),
                _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<Object> for Value {
    fn from(o: Object) -> Self {
        Value::Object(o)
    }
}

/// The prefix of the parse error raised for a duplicate key (used to classify the error).
pub(crate) const DUPLICATE_KEY_PREFIX: &str = "duplicate key ";

/// Number literals of a text in document order, for a parse that keeps integers beyond 64
/// bits exact: every number the parser visits takes the next literal.
pub(super) struct Literals<'t> {
    items: Vec<&'t str>,
    next: Cell<usize>,
}

impl<'t> Literals<'t> {
    /// The literals `items`, in the order the parser meets them.
    pub(super) fn new(items: Vec<&'t str>) -> Self {
        Self {
            items,
            next: Cell::new(0),
        }
    }

    fn take(&self) -> Option<&'t str> {
        let i = self.next.get();
        self.next.set(i + 1);
        self.items.get(i).copied()
    }
}

/// Deserializes a [`Value`]; with literals, integers beyond 64 bits become
/// [`Value::BigInt`] with their exact digits.
#[derive(Clone, Copy)]
pub(super) struct Seed<'a, 't> {
    pub literals: Option<&'a Literals<'t>>,
}

impl Seed<'_, '_> {
    /// `parsed`, or the exact integer when the literal this number was read from is one
    /// beyond 64 bits.
    fn number(self, parsed: Value) -> Value {
        match self.literals.and_then(Literals::take) {
            Some(literal) if super::is_big_integer(literal) => Value::BigInt(literal.to_owned()),
            _ => parsed,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(self.number(Value::Int(i)))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(self.number(i64::try_from(u).map(Value::Int).unwrap_or(Value::UInt(u))))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        // serde_json reads `-0` as the float -0.0; JSON parsers that keep integers (Python's,
        // Synapse's) read it as the integer 0, which is what canonical JSON then prints.
        // (`-0.0` is read the same way: serde_json does not tell the two apart.)
        if f == 0.0 && f.is_sign_negative() {
            return Ok(self.number(Value::Int(0)));
        }
        Ok(self.number(Value::Float(f)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(k) = map.next_key_seed(KeySeed)? {
            let v = map.next_value_seed(self)?;
            entries.push((k, v));
        }
        match Object::from_entries(entries) {
            (object, None) => Ok(Value::Object(object)),
            (_, Some(k)) => Err(de::Error::custom(format!("{DUPLICATE_KEY_PREFIX}{k:?}"))),
        }
    }
}

/// Reads an object's key as a [`Key`]: a common key is not copied.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }
    fn visit_str<E>(self, s: &str) -> Result<Key, E> {
        Ok(Key::new(s))
    }
    fn visit_string<E>(self, s: String) -> Result<Key, E> {
        Ok(Key::from(s))
    }
}

impl<'de> Deserialize<'de> for Value {
    /// Deserializes any JSON value; an object with a repeated key is an error. Integers
    /// beyond 64 bits come as floats here: `canonical_json::from_str` keeps them exact.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        Seed { literals: None }.deserialize(d)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::UInt(u) => s.serialize_u64(*u),
            // As a JS number, the nearest double (what `JSON.parse` gives); the exact digits
            // are in `canonical_json::to_string`.
            Value::BigInt(digits) => s.serialize_f64(digits.parse().unwrap_or(f64::NAN)),
            Value::Float(f) => s.serialize_f64(*f),
            Value::String(v) => s.serialize_str(v),
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for item in a {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}
