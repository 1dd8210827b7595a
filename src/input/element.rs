//! A chat exported by Element (Element Web and Desktop: "Export chat", format JSON):
//! `{room_name, room_creator, topic, export_date, exported_by, messages: [...]}`, the events
//! in timeline order as the client holds them — the client format of the client-server API
//! ([spec](https://spec.matrix.org/v1.16/client-server-api/#room-event-format)), with no
//! `hashes`, `signatures` nor `prev_events`. An encrypted event is exported as the client
//! decrypted it: its ID and sender, with the type and content it decrypted to.
//!
//! Such events can be neither checked nor placed after one another: they are held under
//! the IDs the export gives, `unchecked`, as the client API's `/context` answer is. An
//! object is read as an export when it has `messages` (no other input has it).

use super::scan::SplitObject;
use super::{client, Input, InputShape, Section};

/// Reads an Element export; `false` when `object` is not one.
pub(super) fn read(object: &SplitObject, input: &mut Input) -> bool {
    let Some(messages) = object.field("messages") else {
        return false;
    };
    input.shaped(InputShape::ElementExport);
    input.title = object
        .field("room_name")
        .and_then(|v| serde_json::from_str::<String>(v).ok())
        .filter(|name| !name.is_empty());
    client::read_list(messages, "messages", input, |input, value, label| {
        client::push(value, label, Section::Timeline, input)
    });
    true
}
