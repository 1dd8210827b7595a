// Wiring: the source (demo peer, or a homeserver through the signing proxy, or files), the
// worker, the canvas, the panel and the network log.
//   /                                          the demo peer, its first room, latest events
//   /?room=!id&event=$a&event=$b               the demo peer, starting from given events
//   /?proxy=host:port&room=!id&version=10&event=$a   a homeserver through the proxy
import { DagView } from "./draw.js";
import { Fetcher, WorkerClient, sourceFor } from "./load.js";
import { FLAG } from "./model.js";
import { NetLog } from "./netlog.js";
import { Panel } from "./panels.js";

const LIMIT = 20;
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const worker = new WorkerClient(new URL("./worker.js", import.meta.url));
const state = { snapshot: null, fetcher: null, start: null, index: new Map(), queue: Promise.resolve(), busy: 0 };

const panel = new Panel($("panel"), {
  select: (id) => selectId(id, true),
  backfill: (id) => run(() => state.fetcher.backfill([id], LIMIT)),
  getMissing: (id) => run(() => getMissing(id)),
  forwardsFill: (id) => run(() => state.fetcher.forwardsFill([id], LIMIT)),
});
const netlog = new NetLog($("netlog-body"), $("netlog-count"), (entry) => panel.showRequest(entry));
const view = new DagView($("dag"), {
  onClick: (i) => onNodeClick(i),
  onHover: (i) => {
    const s = state.snapshot;
    $("hover").textContent = i >= 0 && s ? `${s.ids[i]}  ${s.labels[i]}` : "";
  },
});

let noticeTimer;
function notice(text) {
  const n = $("notice");
  n.textContent = text;
  n.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (n.hidden = true), 6000);
}

function progress(done, total) {
  const p = $("progress");
  p.hidden = done >= total;
  p.querySelector(".fill").style.width = `${((100 * done) / Math.max(1, total)).toFixed(1)}%`;
  p.querySelector(".text").textContent = `validating ${done} / ${total} events`;
}

/** Runs fetches one at a time; `data-busy` on <body> says whether any is under way. */
function run(task) {
  state.busy++;
  document.body.dataset.busy = "1";
  state.queue = state.queue
    .then(task)
    .catch((e) => notice(`${e.message}`))
    .finally(() => {
      state.busy--;
      if (!state.busy) document.body.dataset.busy = "0";
    });
  return state.queue;
}

function applySnapshot(s) {
  state.snapshot = s;
  state.index = new Map(s.ids.map((id, i) => [id, i]));
  $("count-events").textContent = String(s.counts.events);
  $("count-forward").textContent = String(s.counts.forward);
  $("count-backward").textContent = String(s.counts.backward);
  $("count-outliers").textContent = String(s.counts.outliers);
  $("count-lanes").textContent = String(s.counts.lanes);
  $("room-version").textContent = s.roomVersion ? `v${s.roomVersion}` : "";
  view.setSnapshot(s);
  if (state.selectedId) showDetails(state.selectedId);
}

async function showDetails(id) {
  const d = await worker.call("details", { id });
  const i = state.index.get(id);
  panel.showEvent(d, { forward: i !== undefined && Boolean(state.snapshot.flags[i] & FLAG.forward) });
}

function selectId(id, focus) {
  state.selectedId = id;
  const i = state.index.get(id) ?? -1;
  view.select(i);
  if (focus) view.focus(i);
  return showDetails(id);
}

/** A gap backfills; a forward extremity asks forwards fill; anything else is selected. */
function onNodeClick(i) {
  const s = state.snapshot;
  if (!s || i < 0) return;
  const id = s.ids[i];
  selectId(id, false);
  if (!state.fetcher) return;
  if (s.flags[i] & FLAG.gap) run(() => state.fetcher.backfill([id], LIMIT));
  else if (s.flags[i] & FLAG.forward) run(() => state.fetcher.forwardsFill([id], LIMIT));
}

/**
 * get_missing_events for a gap: `latest_events` are the held events that point at it,
 * `earliest_events` the 20 held events just older than it, so the walk stops at what is held.
 */
async function getMissing(gapId) {
  const d = await worker.call("details", { id: gapId });
  const s = state.snapshot;
  const earliest = [];
  for (let i = (state.index.get(gapId) ?? 0) - 1; i >= 0 && earliest.length < 20; i--) {
    if (!(s.flags[i] & FLAG.gap)) earliest.push(s.ids[i]);
  }
  return state.fetcher.getMissingEvents(earliest, d.next.map((x) => x.id), LIMIT);
}

/** Starts on a room: a fresh DAG, the peer's key, then the starting events one by one. */
async function startRoom({ source, roomId, roomVersion, events, label }) {
  state.start = { source, roomId, roomVersion, events, label };
  state.selectedId = null;
  panel.clear();
  $("source-name").textContent = label;
  const r = await worker.call("init", { roomId, roomVersion });
  applySnapshot(r.snapshot);
  const hooks = { log: (e) => netlog.add(e), snapshot: applySnapshot, progress, notice };
  state.fetcher = new Fetcher({ source, worker, roomId, hooks });
  await state.fetcher.ownKey();
  for (const id of events) await state.fetcher.event(id);
}

async function startDemo() {
  const info = await (await fetch("/_mxdag/demo")).json();
  const select = $("room-select");
  select.replaceChildren(
    ...info.rooms.map((r, k) => {
      const o = document.createElement("option");
      o.value = String(k);
      o.textContent = `${r.room_id} (v${r.room_version})`;
      return o;
    }),
  );
  const wanted = params.get("room");
  const k = Math.max(0, info.rooms.findIndex((r) => r.room_id === wanted));
  select.value = String(k);
  select.onchange = () => {
    const r = info.rooms[Number(select.value)];
    run(() => startRoom({ source: sourceFor(null), roomId: r.room_id, roomVersion: r.room_version, events: r.latest_events, label: `demo peer ${info.server_name}` }));
  };
  const room = info.rooms[k];
  const events = params.getAll("event");
  await startRoom({
    source: sourceFor(null),
    roomId: room.room_id,
    roomVersion: room.room_version,
    events: events.length ? events : room.latest_events,
    label: `demo peer ${info.server_name}`,
  });
}

async function startProxy(destination) {
  const roomId = params.get("room");
  const o = document.createElement("option");
  o.textContent = roomId ?? "(no room given)";
  $("room-select").replaceChildren(o);
  if (!roomId || !params.get("version") || !params.getAll("event").length) {
    notice("Through the proxy, give ?proxy=server&room=!id&version=N&event=$id (one or more events).");
    return;
  }
  await startRoom({ source: sourceFor(destination), roomId, roomVersion: params.get("version"), events: params.getAll("event"), label: `${destination} via the signing proxy` });
}

/** Loads a file; when its events need keys the page lacks, asks the peer for them and loads again. */
async function loadFile(file) {
  const text = await file.text();
  let r = await worker.call("file", { name: file.name, text, replace: true }, progress);
  if (r.missingKeys.length && state.fetcher && (await state.fetcher.keysFor(r.missingKeys))) {
    r = await worker.call("file", { name: file.name, text, replace: true }, progress);
  }
  progress(1, 1);
  const select = $("room-select");
  const option = document.createElement("option");
  option.textContent = `${r.snapshot.roomId ?? "unknown room"} (file)`;
  option.value = "file";
  select.prepend(option);
  select.value = "file";
  if (state.fetcher) state.fetcher.roomId = r.snapshot.roomId ?? state.fetcher.roomId;
  state.selectedId = null;
  panel.clear(`Loaded ${file.name}: ${r.added} events (${r.shape})${r.errors.length ? `, ${r.errors.length} unusable item(s)` : ""}.`);
  if (r.errors.length) notice(`${file.name}: ${r.errors[0].where}: ${r.errors[0].message}`);
  $("source-name").textContent = `file ${file.name}`;
  applySnapshot(r.snapshot);
}

$("file-input").addEventListener("change", (e) => {
  const file = e.target.files?.[0];
  if (file) run(() => loadFile(file));
  e.target.value = "";
});
addEventListener("dragover", (e) => {
  e.preventDefault();
  document.body.classList.add("dragging");
});
addEventListener("dragleave", (e) => {
  if (!e.relatedTarget) document.body.classList.remove("dragging");
});
addEventListener("drop", (e) => {
  e.preventDefault();
  document.body.classList.remove("dragging");
  const file = e.dataTransfer?.files?.[0];
  if (file) run(() => loadFile(file));
});
$("connect-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const q = new URLSearchParams();
  for (const name of ["proxy", "room", "version"]) q.set(name, String(f.get(name)).trim());
  for (const id of String(f.get("event")).split(/[\s,]+/).filter(Boolean)) q.append("event", id);
  location.search = q.toString();
});
$("reset").addEventListener("click", () => state.start && run(() => startRoom(state.start)));
$("fit").addEventListener("click", () => {
  const s = state.snapshot;
  if (!s?.n) return;
  view.scale = Math.min(1.5, Math.max(0.0005, (view.h - 60) / (s.n * 22)));
  view.ox = 28;
  view.oy = 28;
  view.request();
});

// For tests and benchmarks: the current snapshot, the view, and a promise of quiet.
window.mxdag = {
  get snapshot() {
    return state.snapshot;
  },
  view,
  worker,
  idle: () => state.queue,
  select: (id) => selectId(id, true),
};

const proxy = params.get("proxy");
run(() => (proxy ? startProxy(proxy) : startDemo()));
