// The archive viewer: a room of the demo peer as a readable timeline, with the gaps where
// history is missing (click one to fill it) and a jump to a date. It uses the npm package's
// public API only: RoomSession, Timeline (`mxdag`) and fillGap (`mxdag/timeline-fill`).
import init, { RoomSession, Timeline } from "mxdag";
import { fillGap } from "mxdag/timeline-fill";

const PAGE = 30;
const $ = (id) => document.getElementById(id);

/** The transport: the demo peer answers federation requests on this origin (serve.mjs). */
async function send(request) {
  const res = await fetch(request.path, { method: request.method, body: request.body ?? undefined, headers: request.body ? { "content-type": "application/json" } : {} });
  return { status: res.status, body: await res.text() };
}

/** Keys for the servers whose signatures the session cannot check yet (the peer as notary). */
async function fetchKeys(session) {
  const missing = session.missingKeys();
  if (missing.length === 0) return;
  const server_keys = {};
  for (const k of missing) (server_keys[k.server_name] ??= {})[k.key_id] = {};
  const answer = await send({ method: "POST", path: "/_matrix/key/v2/query", body: JSON.stringify({ server_keys }) });
  if (answer.status === 200) session.addKeys(answer.body);
}

function row(event) {
  const li = document.createElement("li");
  const when = document.createElement("time");
  when.textContent = new Date(event.origin_server_ts).toLocaleString();
  const who = document.createElement("span");
  who.className = "sender";
  who.textContent = event.sender;
  const what = document.createElement("span");
  what.className = event.verdict ?? "";
  what.textContent = event.summary || event.type;
  li.append(when, who, what);
  return li;
}

function gapRow(gap, onFill) {
  const li = document.createElement("li");
  li.className = "gap";
  const button = document.createElement("button");
  button.textContent = `History missing here: about ${gap.estimated_missing} event(s) — click to fetch`;
  button.onclick = () => onFill(gap, button);
  li.append(button);
  return li;
}

async function main() {
  await init();
  const info = await (await fetch("/_mxdag/demo")).json();
  const room = info.rooms[0];
  const session = new RoomSession(room.room_id, room.room_version);
  const own = await send({ method: "GET", path: "/_matrix/key/v2/server" });
  session.addKeys(own.body);
  // Start from the newest events: one backfill from the room's forward extremities.
  const v = room.latest_events.map((id) => `v=${encodeURIComponent(id)}`).join("&");
  const path = `/_matrix/federation/v1/backfill/${encodeURIComponent(room.room_id)}?${v}&limit=${PAGE}`;
  const answer = await send({ method: "GET", path });
  session.ingest(answer.body, { request: `GET ${path}`, status: answer.status, source: "backfill" });
  await fetchKeys(session);
  const timeline = new Timeline(session, room.room_id);
  const servers = [info.server_name];
  let page = timeline.page({ dir: "b", limit: PAGE });

  /** Shows `p` in time order, a gap row before each event whose history is missing. */
  const show = (p) => {
    page = p;
    const events = p.dir === "b" ? [...p.chunk].reverse() : p.chunk;
    const gaps = new Map(p.gaps.map((g) => [g.event_id, g]));
    const list = $("timeline");
    list.replaceChildren();
    for (const event of events) {
      const gap = gaps.get(event.event_id);
      if (gap) list.append(gapRow(gap, fill));
      list.append(row(event));
    }
    $("status").textContent = `${room.room_id}: ${timeline.length} events held, ${p.gaps.length} gap(s) on this page`;
  };
  /** The page edges in time order: where older and newer pages start. */
  const edges = () => (page.dir === "b" ? { older: page.end, newer: page.start } : { older: page.start, newer: page.end });
  const fill = async (gap, button) => {
    button.disabled = true;
    button.textContent = "Fetching…";
    const result = await fillGap(timeline, gap, send, { servers, limit: PAGE });
    await fetchKeys(session);
    show(result.page);
  };
  /** Shows `p` unless it is empty (the end of what is held: the current page stays). */
  const move = (p) => (p.chunk.length > 0 ? show(p) : ($("status").textContent = "Nothing more is held that way."));
  $("older").onclick = () => move(timeline.page({ from: edges().older, dir: "b", limit: PAGE }));
  $("newer").onclick = () => move(timeline.page({ from: edges().newer, dir: "f", limit: PAGE }));
  $("jump").onclick = () => {
    const ts = new Date($("date").value).getTime();
    if (Number.isFinite(ts)) show(timeline.page({ ts, dir: "f", limit: PAGE }));
  };
  show(page);
}

main().catch((error) => {
  $("status").textContent = `Failed: ${error.message}`;
});
