//! `generateRoom(options)`: the deterministic room generator for JS (the demo peer, tests,
//! the Node benchmark). A thin wrapper over [`crate::generate::generate_room`].

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::errors::to_js_error;
use crate::canonical_json::Value;
use crate::generate::{self, codes, DamageReport, GenerateOptions};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Options of `generateRoom`; every field is optional. */
export interface GenerateRoomOptions {
  /** The same seed and options give the same room. Default 1. */
  seed?: number;
  /** Room version "1" … "12". Default "12". */
  roomVersion?: string;
  /** Number of events (at least 7). Default 200. */
  events?: number;
  /** Number of servers. Default 3. */
  servers?: number;
  /** Users per server. Default 2. */
  usersPerServer?: number;
  /** Names of the first servers (others get generated names). */
  serverNames?: string[];
  /** Probability that an event reaches the other servers late (forks). Default 0.3. */
  concurrency?: number;
  /** Longest delivery delay, in events. Default 3. */
  maxDelay?: number;
  /** At most this many prev_events per event (1–20). Default 3. */
  maxPrevEvents?: number;
  /** Partitions, each followed by a rejoin. Default 1. */
  partitions?: number;
  /** Length of a partition, in events. Default 20. */
  partitionLength?: number;
  /** Probability that an event is a state change. Default 0.05. */
  stateChanges?: number;
  /** Whether one message is redacted. Default true. */
  redaction?: boolean;
  /** The last N events reach no other server: several forward extremities. Default 0. */
  finalForks?: number;
  /** Mean message body size in bytes. Default 220 (PDUs of about 900 bytes). */
  meanBodyBytes?: number;
  /** origin_server_ts of the create event (ms). Default 1700000000000. */
  startTs?: number;
  /** Damage done after signing. */
  damage?: { pruned?: number; tampered?: boolean; badSignature?: boolean };
}

/** A generated room, PDUs in topological order. */
export interface GeneratedRoom {
  roomId: string;
  roomVersion: string;
  /** The PDUs as servers send them (damaged ones damaged). */
  pdus: Pdu[];
  /** The event ID of each PDU. */
  eventIds: string[];
  /** One self-signed `/_matrix/key/v2/server` response per server. */
  serverKeys: ServerKeys[];
  forwardExtremities: string[];
  /** Each server's signing key (test keys derived from the seed). */
  signingKeys: { serverName: string; keyId: string; seed: string; publicKey: string }[];
  /** Indices into `pdus` of the damaged events. */
  damage: { pruned: number[]; redacted: number | null; tampered: number | null; badSignature: number | null };
}
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsSigningKey {
    server_name: String,
    key_id: String,
    seed: String,
    public_key: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsGeneratedRoom<'a> {
    room_id: &'a str,
    room_version: &'a str,
    pdus: &'a [Value],
    event_ids: &'a [String],
    server_keys: &'a [Value],
    forward_extremities: &'a [String],
    signing_keys: Vec<JsSigningKey>,
    damage: &'a DamageReport,
}

/// Generates a deterministic, signed room (see `GenerateRoomOptions`). Throws an `Error`
/// with `code` `generate_bad_options` or `generate_unknown_room_version`.
#[wasm_bindgen(js_name = generateRoom, unchecked_return_type = "GeneratedRoom")]
pub fn generate_room(
    #[wasm_bindgen(unchecked_param_type = "GenerateRoomOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let room = generate_from(options)?;
    let out = JsGeneratedRoom {
        room_id: &room.room_id,
        room_version: room.room_version.id,
        pdus: &room.pdus,
        event_ids: &room.event_ids,
        server_keys: &room.server_keys,
        forward_extremities: &room.forward_extremities,
        signing_keys: room
            .signing_keys
            .iter()
            .map(|k| JsSigningKey {
                server_name: k.server_name.clone(),
                key_id: k.key_id.clone(),
                seed: k.seed_base64(),
                public_key: k.public_key_base64(),
            })
            .collect(),
        damage: &room.damage,
    };
    out.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| to_js_error(codes::BAD_OPTIONS, &format!("generateRoom result: {e}")))
}

/// Generates the room `options` (`GenerateRoomOptions` or undefined) describe; errors as
/// `generateRoom` throws them.
pub(super) fn generate_from(options: JsValue) -> Result<generate::GeneratedRoom, JsValue> {
    let options: GenerateOptions = if options.is_undefined() || options.is_null() {
        GenerateOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| to_js_error(codes::BAD_OPTIONS, &format!("generateRoom options: {e}")))?
    };
    generate::generate_room(&options).map_err(|p| to_js_error(p.code, &p.message))
}
