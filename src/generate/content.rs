//! Event contents: realistic message bodies and the state contents of a room.
//!
//! Bodies mix short chat lines, paragraphs and long pastes, some with an HTML
//! `formatted_body` (Client-Server API, "m.room.message" msgtypes `m.text`, `m.notice`,
//! `m.emote`), and some non-ASCII text, so canonical JSON's UTF-8 handling is exercised.

use serde_json::{json, Map, Value};

use super::prng::SplitMix64;

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
    let mut content = Map::new();
    if rng.below(4) == 0 {
        content.insert("format".into(), json!("org.matrix.custom.html"));
        content.insert(
            "formatted_body".into(),
            json!(format!("<p>{}</p>", html_escape(&body))),
        );
    }
    content.insert("body".into(), Value::String(body));
    content.insert("msgtype".into(), json!(msgtype));
    Value::Object(content)
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
    json!({ "name": name })
}

/// A room topic (`m.room.topic`).
pub fn topic(rng: &mut SplitMix64) -> Value {
    let words = 5 + rng.index(10);
    json!({ "topic": sentence(rng, words) })
}

/// `m.room.history_visibility`: `shared` at first, then chosen among the four values.
pub fn history_visibility(rng: &mut SplitMix64, first: bool) -> Value {
    let value = if first {
        "shared"
    } else {
        *rng.pick(&["shared", "joined", "invited", "world_readable"])
    };
    json!({ "history_visibility": value })
}

/// `m.room.power_levels`: the creator at 100 (unless the room version gives creators
/// unlimited power and forbids listing them — v12), the moderators at 50.
pub fn power_levels(creator: Option<&str>, moderators: &[String]) -> Value {
    let mut users = Map::new();
    if let Some(creator) = creator {
        users.insert(creator.into(), json!(100));
    }
    for moderator in moderators {
        users.insert(moderator.clone(), json!(50));
    }
    json!({
        "ban": 50,
        "events": {
            "m.room.avatar": 50,
            "m.room.canonical_alias": 50,
            "m.room.history_visibility": 100,
            "m.room.name": 50,
            "m.room.power_levels": 100,
            "m.room.topic": 50,
        },
        "events_default": 0,
        "invite": 0,
        "kick": 50,
        "redact": 50,
        "state_default": 50,
        "users": users,
        "users_default": 0,
    })
}

/// `m.room.member` content for the sender itself.
pub fn member(membership: &str, displayname: &str) -> Value {
    if membership == "join" {
        json!({ "membership": "join", "displayname": displayname })
    } else {
        json!({ "membership": membership })
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
            .map(|_| message(&mut rng, 300)["body"].as_str().unwrap().len())
            .sum();
        let mean = total / n;
        assert!((250..=400).contains(&mean), "mean body {mean} bytes");
    }

    #[test]
    fn html_bodies_are_escaped() {
        assert_eq!(html_escape("a<b>&c"), "a&lt;b&gt;&amp;c");
    }
}
