//! A chat exported by Element (Element Web and Desktop: "Export chat", format JSON):
//! `{room_name, room_creator, topic, export_date, exported_by, messages: [...]}`, the events
//! in timeline order as the client holds them — the client format of the client-server API
//! ([spec](https://spec.matrix.org/v1.16/client-server-api/#room-event-format)), with no
//! `hashes`, `signatures` nor `prev_events`. An encrypted event is exported as
//! `{decrypted, encrypted}`: what the client decrypted and the `m.room.encrypted` event as
//! sent; the decrypted one is read (it is what the room's readers saw), noted as such.
//!
//! Such events can be neither checked nor placed after one another: they are held under
//! the IDs the export gives, `unchecked`, as the client API's `/context` answer is.

use super::scan::SplitObject;
use super::{classify, client, Input, InputShape, Item, Section};
use crate::canonical_json::Value;

/// Fields of the export besides `messages`; one of them with `messages` makes the shape.
const EXPORT_FIELDS: [&str; 5] = [
    "room_name",
    "room_creator",
    "topic",
    "export_date",
    "exported_by",
];

/// What an encrypted event read from its `decrypted` form is annotated with.
const DECRYPTED: &str = "decrypted by the exporting client (sent as m.room.encrypted)";

/// Reads an Element export; `false` when `object` is not one.
pub(super) fn read(object: &SplitObject, input: &mut Input) -> bool {
    let Some(messages) = object.field("messages") else {
        return false;
    };
    if !EXPORT_FIELDS.iter().any(|f| object.has(f)) {
        return false;
    }
    input.shaped(InputShape::ElementExport);
    input.title = object
        .field("room_name")
        .and_then(|v| serde_json::from_str::<String>(v).ok())
        .filter(|name| !name.is_empty());
    client::read_list(messages, "messages", input, |input, value, label| {
        let (value, decrypted) = match value {
            Ok(Value::Object(mut o)) if o.contains_key("decrypted") && !o.contains_key("type") => {
                (Ok(o.remove("decrypted").unwrap_or(Value::Null)), true)
            }
            other => (other, false),
        };
        match classify(value, label) {
            Item::Event(mut e) => {
                e.section = Section::Timeline;
                if decrypted {
                    e.annotation = Some(DECRYPTED.to_owned());
                }
                input.add_event(*e);
            }
            other => input.push(other),
        }
    });
    true
}
