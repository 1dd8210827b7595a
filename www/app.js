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
  $("room-version").textContent = s.roomVersion ? `v${s.roomVersion}` : "";
  view.setSnapshot(s);
  $("timing").textContent = `${s.n} nodes · ${s.counts.lanes} lanes · model ${s.modelMs.toFixed(0)} ms · layout ${s.layoutMs.toFixed(1)} ms (wasm)`;
  if (state.selectedId) showDetails(state.selectedId);
  else worker.call("findings").then((r) => !state.selectedId && panel.showFindings(r.findings));
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
  selectId(s.ids[i], false);
  act(i);
}

/** The fetch a node offers: backfill from a gap, forwards fill from a forward extremity. */
function act(i) {
  const s = state.snapshot;
  const id = s.ids[i];
  if (!state.fetcher) return;
  if (s.flags[i] & FLAG.gap) run(() => state.fetcher.backfill([id], LIMIT));
  else if (s.flags[i] & FLAG.forward) run(() => state.fetcher.forwardsFill([id], LIMIT));
}

function fit() {
  const s = state.snapshot;
  if (!s?.n) return;
  view.scale = Math.min(1.5, Math.max(0.0005, (view.h - 60) / (s.n * 22)));
  view.ox = 28;
  view.oy = 28;
  view.request();
}

// Keys: ↑/↓ (or k/j) move to the newer/older event, Enter fetches what the event offers,
// F fits the DAG to the window, Escape clears the selection.
addEventListener("keydown", (e) => {
  const s = state.snapshot;
  if (!s?.n || e.target.closest?.("input, select, textarea, button, summary") || e.ctrlKey || e.metaKey || e.altKey) return;
  const i = state.selectedId === null || state.selectedId === undefined ? -1 : (state.index.get(state.selectedId) ?? -1);
  const move = { ArrowUp: 1, k: 1, ArrowDown: -1, j: -1 }[e.key];
  if (move !== undefined) {
    const next = i < 0 ? s.n - 1 : Math.min(s.n - 1, Math.max(0, i + move));
    selectId(s.ids[next], true);
  } else if (e.key === "Enter" && i >= 0) act(i);
  else if (e.key === "f" || e.key === "F") fit();
  else if (e.key === "Escape") {
    state.selectedId = null;
    view.select(-1);
    panel.clear();
  } else return;
  e.preventDefault();
});

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

/**
 * "Fill all gaps": the planner's driver runs in the worker (fill-worker.js, fill.js); it asks
 * the page to send each request it plans — through the current source, into the network
 * log, keys fetched as for any answer — and judges every answer before its events join the
 * DAG. Ends when the planner has nothing left to ask, naming the gaps that stay open.
 */
async function fillAllGaps() {
  if (!state.fetcher) return;
  const source = state.start.source;
  const entries = new Map();
  worker.onAsk = async ({ n, request }) => {
    const body = request.body ? JSON.parse(request.body) : undefined;
    const base = source.destination ? `/_mxdag/proxy/${encodeURIComponent(request.server)}` : "";
    const r = await state.fetcher.request(request.method, request.path, body, `${request.endpoint} (planner)`, base);
    entries.set(n, r.entry);
    const pdus = r.json?.pdus ?? r.json?.events;
    if (r.status === 200 && Array.isArray(pdus)) await state.fetcher.ensureKeys(pdus.filter((p) => p && typeof p === "object"));
    if (r.status === 404 && r.json?.errcode === "M_UNRECOGNIZED") r.entry.update({ contract: { ok: true, problems: [], unsupported: true } });
    return { status: r.status, body: r.text };
  };
  const bar = $("progress");
  const show = (f) => {
    bar.hidden = false;
    bar.querySelector(".fill").style.width = "100%";
    bar.querySelector(".text").textContent = `filling gaps: ${f.round_trips} requests, ${f.new_events} new events, ${f.gaps} gaps left`;
  };
  const servers = [source.destination ?? state.peerName];
  try {
    const done = await worker.call("fill", { servers }, progress, (d) => {
      if (d.judged) entries.get(d.judged.n)?.update({ events: d.judged.received, added: d.judged.added, bad: d.judged.bad, contract: d.judged.contract });
      if (d.snapshot) applySnapshot(d.snapshot);
      if (d.fill) show(d.fill);
    });
    applySnapshot(done.snapshot);
    const r = done.result;
    const open = r.open_gaps.slice(0, 3).map((g) => `${g.event_id} (${g.reason})`).join(", ");
    notice(r.gaps_left ? `${r.round_trips} requests; ${r.gaps_left} gap(s) stay open: ${open}` : `${r.round_trips} requests closed every gap (${r.new_events} new events)`);
  } finally {
    bar.hidden = true;
  }
}

/** Starts on a room: a fresh DAG, the peer's key, then the starting events one by one. */
async function startRoom({ source, roomId, roomVersion, events, label }) {
  state.start = { source, roomId, roomVersion, events, label };
  state.selectedId = null;
  panel.clear();
  $("source-name").textContent = label;
  const r = await worker.call("init", { roomId, roomVersion });
  $("fill").hidden = !r.canPlan;
  applySnapshot(r.snapshot);
  const hooks = { log: (e) => netlog.add(e), snapshot: applySnapshot, progress, notice };
  state.fetcher = new Fetcher({ source, worker, roomId, hooks });
  await state.fetcher.ownKey();
  for (const id of events) await state.fetcher.event(id);
}

async function startDemo() {
  const info = await (await fetch("/_mxdag/demo")).json();
  state.peerName = info.server_name;
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

/** Loads a file: the worker reads it, the peer is asked for the keys its events need, then they are judged. */
async function loadFile(file) {
  const read = await worker.call("readFile", { file });
  if (state.fetcher) await state.fetcher.keysFor(read.servers);
  const r = await worker.call("ingestFile", { name: file.name, replace: true }, progress);
  if (r.missingKeys.length) notice(`${file.name}: no keys for ${r.missingKeys.join(", ")}: their events cannot be checked`);
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
$("fit").addEventListener("click", fit);
$("fill").addEventListener("click", () => run(fillAllGaps));

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
