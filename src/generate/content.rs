//! Event contents: realistic message bodies and the state contents of a room.
//!
//! Bodies mix short chat lines, paragraphs and long pastes, some with an HTML
//! `formatted_body` (Client-Server API, "m.room.message" msgtypes `m.text`, `m.notice`,
//! `m.emote`), and some non-ASCII text, so canonical JSON's UTF-8 handling is exercised.

use crate::canonical_json::Value;

use super::prng::SplitMix64;

/// A JSON object from `(key, value)` pairs in any order.
pub fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// A JSON string.
pub fn string(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

const WORDS: [&str; 64] = [
    "the",
    "room",
    "server",
    "event",
    "graph",
    "federation",
    "backfill",
    "state",
    "join",
    "message",
    "we",
    "should",
    "could",
    "maybe",
    "really",
    "think",
    "about",
    "this",
    "that",
    "with",
    "from",
    "into",
    "over",
    "again",
    "later",
    "today",
    "tomorrow",
    "deploy",
    "release",
    "build",
    "test",
    "bug",
    "fix",
    "branch",
    "merge",
    "fork",
    "gap",
    "missing",
    "history",
    "key",
    "signature",
    "hash",
    "version",
    "upgrade",
    "works",
    "broken",
    "fast",
    "slow",
    "coffee",
    "meeting",
    "notes",
    "link",
    "thanks",
    "sure",
    "yes",
    "no",
    "café",
    "naïve",
    "Grüße",
    "日本語",
    "🎉",
    "👍",
    "ok",
    "and",
];

/// A sentence of `words` words, capitalised and punctuated.
fn sentence(rng: &mut SplitMix64, words: usize) -> String {
    let mut out = String::new();
    for i in 0..words.max(1) {
        let word = rng.pick(&WORDS);
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push(*rng.pick(&['.', '.', '!', '?']));
    out
}

/// Text of about `bytes` bytes, in sentences.
fn text(rng: &mut SplitMix64, bytes: usize) -> String {
    let mut out = String::new();
    while out.len() < bytes {
        if !out.is_empty() {
            out.push(' ');
        }
        let words = 3 + rng.index(12);
        out.push_str(&sentence(rng, words));
    }
    out
}

/// The content of an `m.room.message`, with a body of about `mean_body` bytes on average:
/// 60% short lines, 30% paragraphs, 10% long pastes; a quarter also carry HTML.
pub fn message(rng: &mut SplitMix64, mean_body: usize) -> Value {
    // The three classes average 317 bytes; scale them to the requested mean.
    let scale = |n: u64| (n as usize * mean_body).div_ceil(317).max(1) as u64;
    let roll = rng.below(10);
    let bytes = match roll {
        0..=5 => rng.range(scale(20), scale(120)),
        6..=8 => rng.range(scale(200), scale(700)),
        _ => rng.range(scale(800), scale(2000)),
    } as usize;
    let body = text(rng, bytes);
    let msgtype = *rng.pick(&[
        "m.text", "m.text", "m.text", "m.text", "m.notice", "m.emote",
    ]);
    let body = string(body);
    let msgtype = string(msgtype);
    if rng.below(4) == 0 {
        let html = string(format!(
            "<p>{}</p>",
            html_escape(body.as_str().unwrap_or_default())
        ));
        object([
            ("body", body),
            ("format", string("org.matrix.custom.html")),
            ("formatted_body", html),
            ("msgtype", msgtype),
        ])
    } else {
        object([("body", body), ("msgtype", msgtype)])
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A room name (`m.room.name`).
pub fn room_name(rng: &mut SplitMix64) -> Value {
    let words = 1 + rng.index(3);
    let mut name = sentence(rng, words);
    name.pop();
    object([("name", string(name))])
}

/// A room topic (`m.room.topic`).
pub fn topic(rng: &mut SplitMix64) -> Value {
    let words = 5 + rng.index(10);
    object([("topic", string(sentence(rng, words)))])
}

/// `m.room.history_visibility`: `shared` at first, then chosen among the four values.
pub fn history_visibility(rng: &mut SplitMix64, first: bool) -> Value {
    let value = if first {
        "shared"
    } else {
        *rng.pick(&["shared", "joined", "invited", "world_readable"])
    };
    object([("history_visibility", string(value))])
}

/// `m.room.power_levels`: the creator at 100 (unless the room version gives creators
/// unlimited power and forbids listing them — v12), the moderators at 50.
pub fn power_levels(creator: Option<&str>, moderators: &[String]) -> Value {
    let fifty = || Value::Int(50);
    let users = creator
        .map(|c| (c.to_owned(), Value::Int(100)))
        .into_iter()
        .chain(moderators.iter().map(|m| (m.clone(), fifty())))
        .collect();
    let events = object([
        ("m.room.avatar", fifty()),
        ("m.room.canonical_alias", fifty()),
        ("m.room.history_visibility", Value::Int(100)),
        ("m.room.name", fifty()),
        ("m.room.power_levels", Value::Int(100)),
        ("m.room.topic", fifty()),
    ]);
    object([
        ("ban", fifty()),
        ("events", events),
        ("events_default", Value::Int(0)),
        ("invite", Value::Int(0)),
        ("kick", fifty()),
        ("redact", fifty()),
        ("state_default", fifty()),
        ("users", Value::Object(users)),
        ("users_default", Value::Int(0)),
    ])
}

/// `m.room.member` content for the sender itself.
pub fn member(membership: &str, displayname: &str) -> Value {
    if membership == "join" {
        object([
            ("displayname", string(displayname)),
            ("membership", string("join")),
        ])
    } else {
        object([("membership", string(membership))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_bodies_average_near_the_requested_size() {
        let mut rng = SplitMix64::new(42);
        let n = 4000;
        let total: usize = (0..n)
            .map(|_| {
                message(&mut rng, 300)
                    .get("body")
                    .and_then(Value::as_str)
                    .unwrap()
                    .len()
            })
            .sum();
        let mean = total / n;
        assert!((250..=400).contains(&mean), "mean body {mean} bytes");
    }

    #[test]
    fn html_bodies_are_escaped() {
        assert_eq!(html_escape("a<b>&c"), "a&lt;b&gt;&amp;c");
    }
}
