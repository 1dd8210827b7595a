// Files made the way real tools make them, from the real Synapses: the client API's answers
// (`/messages` and the admin API's in the federation event format, `/context`, `/sync`), a
// chat as Element exports it (client-format events from `/messages`), a
// database export that adds `event_id` to each event (as the tardis README's psql query
// does), `sqlite3 -json` and `sqlite3 -tabs` exports of `event_json`, and `sqlite3 -json`
// exports of the key tables. Written under tests/artifacts/homeserver/exports/.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { User } from "./client.mjs";
import { ARTIFACTS } from "./homeserver.mjs";
import { storedRoom } from "./synapse.mjs";

/** Where the files are written. */
export const EXPORTS = join(ARTIFACTS, "exports");

/** Messages in the linear room (one sender: no forks). */
export const LINEAR_MESSAGES = 8;

const enc = encodeURIComponent;
const FEDERATION_FORMAT = enc(JSON.stringify({ event_format: "federation" }));

/** Runs the sqlite3 command-line shell on `database` (read-only); returns its output. */
export function sqlite3(database, args, sql) {
  const r = spawnSync("sqlite3", ["-readonly", ...args, database, sql], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`sqlite3 ${args.join(" ")} failed (status ${r.status}, ${r.error ?? ""}): ${r.stderr}`);
  return r.stdout;
}

/** SQL string literal. */
const quote = (s) => `'${s.replaceAll("'", "''")}'`;

/**
 * Builds a linear room on A (alice alone: every event has one prev event) and writes every
 * export of it; returns `{ linear: {roomId, version, stored}, files }`, `files` by name.
 */
export async function buildExports(world) {
  const { a, b, alice } = world;
  mkdirSync(EXPORTS, { recursive: true });
  const roomId = await alice.createRoom({ room_version: "10", name: "mxdag linear" });
  for (let i = 0; i < LINEAR_MESSAGES; i++) await alice.say(roomId, `linear ${i}`);
  const middle = await alice.say(roomId, "the middle of the room");
  await alice.state(roomId, "m.room.topic", { topic: "a linear room" });
  await alice.say(roomId, "the last message");
  const admin = await User.register(a, "admin", true);
  const files = {};
  const write = (name, text) => {
    files[name] = join(EXPORTS, name);
    writeFileSync(files[name], text);
  };
  const room = `/rooms/${enc(roomId)}`;
  write("messages-federation.json", await alice.apiText("GET", `${room}/messages?dir=b&limit=100&filter=${FEDERATION_FORMAT}`));
  write("admin-messages-federation.json", await admin.apiText("GET", `/rooms/${enc(roomId)}/messages?dir=b&limit=100&filter=${FEDERATION_FORMAT}`, "/_synapse/admin/v1"));
  write("context.json", await alice.apiText("GET", `${room}/context/${enc(middle)}?limit=6`));
  // As Element (Web, Desktop) exports a chat, "Export chat" as JSON (its JSONExport.ts): the
  // events as the client got them from /messages, in the client format, oldest first.
  const clientChunk = JSON.parse(await alice.apiText("GET", `${room}/messages?dir=b&limit=100`)).chunk.reverse();
  const element = { room_name: "mxdag linear", room_creator: alice.userId, topic: "a linear room", export_date: "Dec 07 2026", exported_by: alice.userId, messages: clientChunk };
  write("element-export.json", JSON.stringify(element, null, 2));
  const syncFilter = enc(JSON.stringify({ event_format: "federation", room: { rooms: [roomId], timeline: { limit: 100 } } }));
  write("sync-federation.json", await alice.apiText("GET", `/sync?filter=${syncFilter}`));
  const stored = storedRoom(a, roomId);
  // As the tardis README's query exports a room: each event_json row with event_id added.
  write("export-with-event-id.ndjson", stored.timeline.map((e) => JSON.stringify({ event_id: e.event_id, ...e.json })).join("\n") + "\n");
  const inRoom = `FROM event_json WHERE room_id = ${quote(roomId)}`;
  write("event_json.sqlite-json.json", sqlite3(a.database, ["-json"], `SELECT event_id, json ${inRoom}`));
  write("event_json.sqlite-tabs.tsv", sqlite3(a.database, ["-tabs"], `SELECT event_id, room_id, json ${inRoom}`));
  // The whole table, as a user dumps it without a WHERE: every room A holds, of several
  // room versions (lib/rooms.mjs), each row beside its room ID.
  write("event_json.all-rooms.sqlite-json.json", sqlite3(a.database, ["-json"], "SELECT event_id, room_id, json FROM event_json ORDER BY rowid"));
  // A holds B's keys (for the dump above); B holds A's, as fetched and as verified.
  write("A.server_keys_json.json", sqlite3(a.database, ["-json"], "SELECT * FROM server_keys_json"));
  write("B.server_keys_json.json", sqlite3(b.database, ["-json"], "SELECT * FROM server_keys_json"));
  write("B.server_signature_keys.json", sqlite3(b.database, ["-json"],
    "SELECT server_name, key_id, from_server, ts_added_ms, ts_valid_until_ms, hex(verify_key) AS verify_key FROM server_signature_keys"));
  return { linear: { roomId, version: "10", stored }, files };
}
