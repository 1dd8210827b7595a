//! What `RoomDag` and `RoomSession` share at the JS edge: reading a request line and its
//! body, the reference answer to it, and event IDs crossing into JS in one string.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::errors::{optional_string_arg, string_arg, to_js_error};
use super::key_ring::to_plain;
use crate::dag::{NodeIndex, RoomDag};
use crate::federation::backfill::BackfillOrder;
use crate::federation::{reference_answer, FederationRequest};

/// Reads the `request` line and optional `body` arguments.
pub(crate) fn parse_request(
    request: &JsValue,
    body: &JsValue,
) -> Result<FederationRequest, JsValue> {
    let request = string_arg(request, "request")?;
    let body = optional_string_arg(body, "body")?;
    FederationRequest::parse(&request, body.as_deref()).map_err(|p| to_js_error(p.code, &p.message))
}

/// The reference answer a correct server holding `dag` gives to `request`, `{endpoint,
/// room_id, event_ids}`; `order` is `"synapse"` (default) or `"bfs"` for `/backfill`.
pub(crate) fn reference_answer_js(
    dag: &RoomDag,
    request: &FederationRequest,
    order: &JsValue,
) -> Result<JsValue, JsValue> {
    let order = match optional_string_arg(order, "order")?.as_deref() {
        None | Some("synapse") => BackfillOrder::Synapse,
        Some("bfs") => BackfillOrder::BreadthFirst,
        Some(other) => {
            return Err(to_js_error(
                crate::federation::codes::REQUEST_BAD_PARAM,
                &format!("Unknown order {other:?}: use synapse or bfs."),
            ))
        }
    };
    #[derive(Serialize)]
    struct Answer<'a> {
        endpoint: &'a str,
        room_id: &'a str,
        event_ids: Vec<String>,
    }
    let nodes = reference_answer(dag, request, order);
    to_plain(&Answer {
        endpoint: request.endpoint(),
        room_id: request.room_id(),
        event_ids: dag.event_ids(&nodes),
    })
}

/// Strings as a JS array, decoded from one `\n`-joined string (one crossing into JS instead
/// of one per string). Strings holding a newline themselves are copied one by one instead.
pub(crate) fn string_array<'a>(
    items: impl ExactSizeIterator<Item = &'a str> + Clone,
) -> js_sys::Array {
    let n = items.len();
    let mut joined = String::with_capacity(n * 45);
    let mut lines = 0;
    for (i, item) in items.clone().enumerate() {
        if i > 0 {
            joined.push('\n');
        }
        joined.push_str(item);
        lines += 1 + item.bytes().filter(|&b| b == b'\n').count();
    }
    if n == 0 || lines != n {
        return items.map(JsValue::from).collect();
    }
    js_sys::JsString::from(joined).split("\n")
}

/// The event IDs of `nodes` as a JS array of strings, written straight into one joined
/// string (no string per ID on the wasm side); IDs holding a newline (room versions 1 and 2
/// take any string) are copied one by one instead.
pub(crate) fn id_array(dag: &RoomDag, nodes: &[NodeIndex]) -> js_sys::Array {
    let mut joined = String::with_capacity(nodes.len() * 45);
    for (i, &node) in nodes.iter().enumerate() {
        if i > 0 {
            joined.push('\n');
        }
        dag.ids().write_id(node, &mut joined);
    }
    if nodes.is_empty() || joined.bytes().filter(|&b| b == b'\n').count() + 1 != nodes.len() {
        return nodes
            .iter()
            .map(|&node| JsValue::from(dag.event_id(node)))
            .collect();
    }
    js_sys::JsString::from(joined).split("\n")
}
