//! What the session keeps of each held event: its JSON as the input carried it, its verdict
//! and problems, where it came from, and a one-line description for drawings and lists.

use serde::Serialize;

use super::{Auth, StateAuth};
use crate::canonical_json::Value;
use crate::event::{Plain, Verdict};
use crate::input::{InputEvent, Origin, Section};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// How an event is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum EventKind {
    /// `m.room.message`.
    Message = 0,
    /// A state event (it has a `state_key`).
    State = 1,
    /// Anything else.
    Other = 2,
}

impl EventKind {
    /// The kind of an event of `event_type`, a state event or not.
    fn of(event_type: &str, is_state: bool) -> Self {
        match (is_state, event_type) {
            (true, _) => EventKind::State,
            (false, "m.room.message") => EventKind::Message,
            _ => EventKind::Other,
        }
    }
}

/// One held event.
#[derive(Clone, Debug, PartialEq)]
pub struct Held {
    /// The event as canonical JSON: a PDU as received without the keys that are not part
    /// of it (see [`crate::event::received`]), any other event as the input carried it.
    pub json: String,
    /// The verdict.
    pub verdict: Verdict,
    /// A `redacted` event that arrived exactly in its redacted form.
    pub pruned_by_sender: bool,
    /// Every problem found, errors first.
    pub problems: Vec<Problem>,
    /// Check 4: the authorization rules against its own auth events.
    pub auth: Auth,
    /// Checks 5 and 6: the rules against the state before it and the current state.
    pub state: StateAuth,
    /// The input it came from (an index into the session's sources).
    pub source: u32,
    /// What the input said of the event besides its JSON.
    pub meta: Meta,
}

/// What an input says of an event besides its JSON, and how it is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    /// Where it was in its input (`Line 7`).
    pub label: String,
    /// The ID the input wrote for it, in the event or beside it.
    pub written_id: Option<String>,
    /// Plain, federation or a scenario's.
    pub origin: Origin,
    /// Timeline or state.
    pub section: Section,
    /// A note the input attached to it.
    pub annotation: Option<String>,
    /// How it is drawn.
    pub kind: EventKind,
    /// One line: type, state key, sender and the start of a body.
    pub summary: String,
}

impl Meta {
    /// The event of `json` as an input event again, with what its input said of it: the
    /// ID the input wrote goes beside it, to be compared again.
    pub fn input_event(&self, json: &str) -> InputEvent {
        let value =
            crate::canonical_json::from_str(json).map_err(|e| e.to_problem("$", &self.label));
        InputEvent {
            row_id: self.written_id.clone(),
            origin: self.origin,
            section: self.section,
            annotation: self.annotation.clone(),
            ..InputEvent::plain(self.label.clone(), value)
        }
    }

    /// What its input says of an event another core read whole (`plain`, judged as
    /// `version`): its label and place as read here, the rest as read there.
    pub fn of_plain(event: &InputEvent, plain: &Plain, version: &RoomVersion) -> Self {
        let kind = EventKind::of(&plain.fields.event_type, false);
        Meta {
            label: event.label.clone(),
            // Its text is its canonical JSON: it holds an ID only where the PDU does.
            written_id: version.event_id_in_event().then(|| plain.event_id.clone()),
            origin: event.origin,
            section: event.section,
            annotation: None,
            kind,
            summary: plain.summary.clone(),
        }
    }

    /// What `event` says besides its JSON.
    pub fn of(event: &InputEvent) -> Self {
        let value = event.value.as_ref().ok();
        let (kind, summary) = value.map_or((EventKind::Other, String::new()), describe);
        let own_id = value
            .and_then(|v| v.get("event_id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        Meta {
            label: event.label.clone(),
            written_id: own_id.or_else(|| event.row_id.clone()),
            origin: event.origin,
            section: event.section,
            annotation: event.annotation.clone(),
            kind,
            summary,
        }
    }
}

impl Held {
    /// The event again as an input event, to judge it anew: the ID the input wrote goes
    /// beside it, to be compared again.
    pub fn to_input_event(&self) -> InputEvent {
        self.meta.input_event(&self.json)
    }
}

/// Longest body excerpt in a summary, in characters.
const BODY_EXCERPT: usize = 48;

/// An event's kind and one-line summary: `type [state_key] · sender · “body”`, written
/// into one buffer (it runs for every event taken).
pub(super) fn describe(value: &Value) -> (EventKind, String) {
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    let state_key = text("state_key");
    let event_type = text("type").unwrap_or("");
    let kind = EventKind::of(event_type, state_key.is_some());
    let sender = text("sender").unwrap_or("");
    let mut line = String::with_capacity(event_type.len() + sender.len() + 80);
    line.push_str(event_type);
    if let Some(key) = state_key.filter(|k| !k.is_empty()) {
        line.push_str(" [");
        line.push_str(key);
        line.push(']');
    }
    line.push_str(" · ");
    line.push_str(sender);
    let body = value
        .get("content")
        .and_then(|c| c.get("body"))
        .and_then(Value::as_str);
    if let Some(body) = body.filter(|b| !b.trim().is_empty()) {
        // The words joined by single spaces, cut at BODY_EXCERPT characters, reading no
        // further into a long body than that.
        line.push_str(" · “");
        let mut left = BODY_EXCERPT;
        for (n, word) in body.split_whitespace().enumerate() {
            if left == 0 {
                break;
            }
            if n > 0 {
                line.push(' ');
                left -= 1;
            }
            for c in word.chars().take(left) {
                line.push(c);
                left -= 1;
            }
        }
        line.push('”');
    }
    // Line breaks can only come from the type, state key or sender (the excerpt has none).
    if line.bytes().any(|b| b == b'\n' || b == b'\r') {
        line = line.replace(['\n', '\r'], " ");
    }
    (kind, line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The excerpt is the body's words joined by single spaces, cut at BODY_EXCERPT
    /// characters, whatever the body's length and spacing.
    #[test]
    fn the_summary_excerpt_is_the_first_characters_of_the_joined_words() {
        let long = "word ".repeat(10_000);
        let bodies = [
            "hello",
            "  many   spaces\tand\nlines  ",
            "exactlyfortyeightcharacterssssssssssssssssssss x",
            "ünïcödé ✓ words that go past the limit of forty-eight characters",
            long.as_str(),
        ];
        for body in bodies {
            let value = crate::canonical_json::from_str(&format!(
                r#"{{"type":"m.room.message","sender":"@a:b","content":{{"body":{}}}}}"#,
                serde_json::to_string(body).unwrap()
            ))
            .unwrap();
            let words: Vec<&str> = body.split_whitespace().collect();
            let expected: String = words.join(" ").chars().take(BODY_EXCERPT).collect();
            let (_, line) = describe(&value);
            assert_eq!(line, format!("m.room.message · @a:b · “{expected}”"));
        }
    }
}

#[cfg(test)]
mod size {
    /// A session holds one record per event: the rare outcomes (problems of check 4, 5 or 6)
    /// are boxed so that the common one costs little.
    #[test]
    fn a_held_record_stays_small() {
        let bytes = std::mem::size_of::<Option<super::Held>>();
        assert!(bytes <= 224, "{bytes} bytes");
    }
}
