// Wiring: the source (demo peer, or a homeserver through the signing proxy, or files), the
// worker, the canvas, the panel and the network log.
//   /                                          the demo peer, its first room, latest events
//   /?demo=middle[&room=!id][&date=2026-01-01T12:00Z]   the demo peer, entered at a date
//                                              (the middle of its history by default)
//   /?room=!id&event=$a&event=$b               the demo peer, starting from given events
//   /?proxy=host:port&room=!id[&version=10][&event=$a]   a homeserver through the proxy; without
//                                              events, its forward extremities (MSC4370)
import { DagView } from "./draw.js";
import { Fetcher, WorkerClient, sourceFor } from "./load.js";
import { addServedKeys, keyNotice, wireKeysForm } from "./keys.js";
import { readable, visible } from "./text.js";
import { FLAG } from "./model.js";
import { PackedStrings } from "./strings.js";
import { FORWARDS_FILL_HEADER, isUnrecognized } from "./forwards-fill.js";
import { NetLog } from "./netlog.js";
import { Panel } from "./panels.js";
import { TimelinePane } from "./timeline-pane.js";
import { stateDiffPanel, statePanel } from "./state-panel.js";

const LIMIT = 20;
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

const worker = new WorkerClient(new URL("./worker.js", import.meta.url));

/**
 * The worker asks for keys its events need: the peer is asked as a notary (the answer joins
 * the worker's session and the events are judged again); with nothing to fetch from, none.
 */
async function askedKeys({ keys }) {
  if (state.fetcher) await state.fetcher.keysFor(keys);
  return { status: 204, body: "" };
}
worker.onAsk = askedKeys;
/**
 * `start`: how the current room began (a demo or proxied room, or `{file}`); `files`: the
 * files loaded, by name, to return to; `rooms`: the room IDs the current source holds;
 * `offline`: why nothing can be fetched for the room shown (null when it can).
 */
const state = { snapshot: null, fetcher: null, start: null, queue: Promise.resolve(), busy: 0, files: new Map(), rooms: new Set(), offline: null };

/** Runs a fetch for the room shown, or says why the room has nothing to fetch from. */
const fetching = (task) => (state.offline ? notice(state.offline) : run(task));

const panel = new Panel($("panel"), {
  select: (id) => selectId(id, true),
  backfill: (id) => fetching(() => state.fetcher.backfill([id], LIMIT)),
  getMissing: (id) => fetching(() => getMissing(id)),
  forwardsFill: (id) => fetching(() => state.fetcher.forwardsFill([id], LIMIT)),
});
const pane = new TimelinePane($("timeline-pane"), {
  call: (op, payload) => worker.call(op, payload),
  select: (id) => selectId(id, true),
  fillGap: (id) => fetching(() => fillTimelineGap(id)),
  fetchNewer: () => fetching(() => (forwardExtremities().length ? state.fetcher.forwardsFill(forwardExtremities(), LIMIT) : notice("No forward extremity is held to fetch newer events from."))),
});
const netlog = new NetLog($("netlog-body"), $("netlog-count"), (entry) => panel.showRequest(entry));
const view = new DagView($("dag"), {
  onClick: (i, e) => onNodeClick(i, e),
  onHover: (i) => {
    const s = state.snapshot;
    $("hover").textContent = i >= 0 && s ? readable(`${s.ids.at(i)}  ${s.labels.at(i)}`) : "";
  },
});

let noticeTimer;
function notice(text) {
  const n = $("notice");
  n.textContent = readable(text);
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
  if (!(s.ids instanceof PackedStrings)) {
    s.ids = new PackedStrings(s.ids);
    s.labels = new PackedStrings(s.labels);
  }
  if (state.snapshot && state.snapshot !== s) state.snapshot.ids.stop();
  s.ids.buildIndex();
  state.snapshot = s;
  $("count-events").textContent = String(s.counts.events);
  $("count-forward").textContent = String(s.counts.forward);
  $("count-backward").textContent = String(s.counts.backward);
  $("count-outliers").textContent = String(s.counts.outliers);
  $("room-version").textContent = s.roomVersion ? `v${s.roomVersion}` : "";
  view.setSnapshot(s);
  pane.refresh();
  $("timing").textContent = `${s.n} nodes · ${s.counts.lanes} lanes · model ${s.modelMs.toFixed(0)} ms · layout ${s.layoutMs.toFixed(1)} ms (wasm)`;
  if (state.selectedId) showDetails(state.selectedId);
  else worker.call("findings").then((r) => !state.selectedId && panel.showFindings(r.findings));
}

async function showDetails(id) {
  const d = await worker.call("details", { id });
  const i = state.snapshot.ids.indexOf(id);
  panel.showEvent(d, { forward: i >= 0 && Boolean(state.snapshot.flags[i] & FLAG.forward), offline: state.offline });
  if (d.held) await showState(id, d);
}

/**
 * The state panel of held event `id` (details `d`; state-panel.js), its auth chain outlined on the
 * canvas, and the diff against `state.diffWith` when a second event was shift-clicked.
 */
async function showState(id, d) {
  const at = state.stateAt ?? "before";
  const r = await worker.call("state", { id, at });
  if (state.selectedId !== id) return;
  view.setAuthChain(Uint32Array.from(r.authChain, (e) => {
    const i = state.snapshot.ids.indexOf(e);
    return i < 0 ? 0xffffffff : i;
  }));
  const actions = { select: (e) => selectId(e, true), toggle: (next) => ((state.stateAt = next), showDetails(id)) };
  for (const old of $("panel").querySelectorAll(".state-panel, .state-diff")) old.remove();
  const parts = [statePanel(r, actions, d)];
  if (state.diffWith && state.diffWith !== id) {
    const d = await worker.call("stateDiff", { a: id, b: state.diffWith, at });
    if (state.selectedId !== id) return;
    parts.unshift(stateDiffPanel(d, { select: actions.select, close: () => ((state.diffWith = null), showDetails(id)) }));
  }
  const links = $("panel").querySelectorAll(".links");
  if (links.length) links[links.length - 1].after(...parts);
  else $("panel").append(...parts);
}

function selectId(id, focus) {
  state.selectedId = id;
  const i = state.snapshot?.ids.indexOf(id) ?? -1;
  view.select(i);
  if (focus) view.focus(i);
  pane.select(id);
  return showDetails(id);
}

/**
 * A gap backfills; a forward extremity asks forwards fill; anything else is selected.
 * Shift-click on an event with one selected diffs their states (state-panel.js).
 */
function onNodeClick(i, e) {
  const s = state.snapshot;
  if (!s || i < 0) return;
  if (e?.shiftKey && state.selectedId && s.ids.at(i) !== state.selectedId) {
    state.diffWith = s.ids.at(i);
    showDetails(state.selectedId);
    return;
  }
  selectId(s.ids.at(i), false);
  act(i);
}

/** The fetch a node offers: backfill from a gap, forwards fill from a forward extremity. */
function act(i) {
  const s = state.snapshot;
  const id = s.ids.at(i);
  if (!state.fetcher) return;
  if (s.flags[i] & FLAG.gap) fetching(() => state.fetcher.backfill([id], LIMIT));
  else if (s.flags[i] & FLAG.forward) fetching(() => state.fetcher.forwardsFill([id], LIMIT));
}

/** Fits the DAG to the window (a new room starts fitted: nothing carries over from the last). */
function fit() {
  const n = state.snapshot?.n ?? 0;
  view.scale = n ? Math.min(1.5, Math.max(0.0005, (view.h - 60) / (n * 22))) : 1;
  view.ox = 28;
  view.oy = 28;
  view.changed();
}

/** Whether a key press belongs to the element it was typed in (a field, or Enter/Space on a button). */
function typedIn(e) {
  if (e.target.closest?.("input, select, textarea, [contenteditable]")) return true;
  return Boolean(e.target.closest?.("button, summary, .button, a")) && (e.key === "Enter" || e.key === " ");
}

// Escape closes the toolbar's open popup (Keys…, Homeserver…), the focus back on its summary,
// before it would clear the selection.
addEventListener("keydown", (e) => {
  const popup = e.key === "Escape" && document.querySelector("header.top details[open]");
  if (!popup) return;
  popup.open = false;
  popup.querySelector("summary").focus();
  e.preventDefault();
  e.stopImmediatePropagation();
});

// Keys: ↑/↓ (or k/j) move to the newer/older event, Enter fetches what the event offers,
// F fits the DAG to the window, Escape clears the selection. Not while typing in a field.
addEventListener("keydown", (e) => {
  const s = state.snapshot;
  if (!s?.n || typedIn(e) || e.ctrlKey || e.metaKey || e.altKey) return;
  const i = state.selectedId === null || state.selectedId === undefined ? -1 : s.ids.indexOf(state.selectedId);
  const move = { ArrowUp: 1, k: 1, ArrowDown: -1, j: -1 }[e.key];
  if (move !== undefined) {
    const next = i < 0 ? s.n - 1 : Math.min(s.n - 1, Math.max(0, i + move));
    selectId(s.ids.at(next), true);
  } else if (e.key === "Enter" && i >= 0) act(i);
  else if (e.key === "f" || e.key === "F") fit();
  else if (e.key === "Escape") {
    state.selectedId = null;
    view.select(-1);
    pane.mark(null, false);
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
  for (let i = Math.max(0, s.ids.indexOf(gapId)) - 1; i >= 0 && earliest.length < 20; i--) {
    if (!(s.flags[i] & FLAG.gap)) earliest.push(s.ids.at(i));
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
  const entries = sendPlanned();
  const bar = $("progress");
  const show = (f) => {
    bar.hidden = false;
    bar.querySelector(".fill").style.width = "100%";
    bar.querySelector(".text").textContent = `filling gaps: ${f.round_trips} requests, ${f.new_events} new events, ${f.gaps} gaps left`;
  };
  const servers = [source.destination ?? state.peerName];
  try {
    const judged = judgedInto(entries);
    const done = await worker.call("fill", { servers }, progress, (d) => {
      judged(d);
      if (d.snapshot) applySnapshot(d.snapshot);
      if (d.fill) show(d.fill);
    });
    applySnapshot(done.snapshot);
    const r = done.result;
    const open = r.open_gaps.slice(0, 3).map((g) => `${g.event_id} (${g.reason})`).join(", ");
    notice(r.gaps_left ? `${r.round_trips} requests; ${r.gaps_left} gap(s) stay open: ${open}` : `${r.round_trips} requests closed every gap (${r.new_events} new events)`);
  } finally {
    bar.hidden = true;
    worker.onAsk = askedKeys;
  }
}

/**
 * While the worker's planner runs (fill-worker.js, timeline-worker.js), it asks the page to
 * send each request it plans: through the current source, into the network log. Returns
 * the log entries by ask number, for the worker's word on each answer (`judged`).
 */
function sendPlanned() {
  const source = state.start.source;
  const entries = new Map();
  worker.onAsk = async (ask) => {
    if (ask.keys) return askedKeys(ask);
    const { n, request } = ask;
    const body = request.body ? JSON.parse(request.body) : undefined;
    const base = source.destination ? `/_mxdag/proxy/${encodeURIComponent(request.server)}` : "";
    const r = await state.fetcher.request(request.method, request.path, body, `${request.endpoint} (planner)`, base);
    entries.set(n, r.entry);
    if (isUnrecognized(r.status, r.json)) r.entry.update({ contract: { ok: true, problems: [], unsupported: true } });
    // Through the proxy, which tries every forwards fill path itself, its word on which answered.
    return { status: r.status, body: r.text, via: r.headers.get(FORWARDS_FILL_HEADER) ?? undefined };
  };
  return entries;
}

/** Judged answers update their network log entries. */
const judgedInto = (entries) => (d) => {
  if (d.judged) entries.get(d.judged.n)?.update({ events: d.judged.received, added: d.judged.added, bad: d.judged.bad, contract: d.judged.contract });
};

/**
 * Fills the gap the timeline pane shows before `eventId`: one round of the planner's
 * requests for it (timeline-worker.js, fillGap), sent by the page like "Fill all gaps"'s.
 */
async function fillTimelineGap(eventId) {
  if (!state.fetcher) return;
  const source = state.start.source;
  const entries = sendPlanned();
  try {
    const r = await worker.call("timelineFill", { eventId, servers: [source.destination ?? state.peerName], limit: LIMIT }, progress, judgedInto(entries));
    applySnapshot(r.snapshot);
    const failed = r.failed.length ? `; ${r.failed.length} failed (${r.failed.map((f) => f.errcode ?? `HTTP ${f.status}`).join(", ")})` : "";
    notice(r.requests ? `${r.requests} request(s) for the gap: ${r.inserted} event(s) inserted${failed}` : "The planner has no request left for this gap.");
  } finally {
    worker.onAsk = askedKeys;
  }
}

/** The forward extremities shown: where forwards fill starts. */
function forwardExtremities() {
  const s = state.snapshot;
  const ids = [];
  for (let i = 0; s && i < s.n; i++) if (s.flags[i] & FLAG.forward) ids.push(s.ids.at(i));
  return ids;
}

/**
 * The room select: an option per demo room from its latest events (`demo:k`) and from the
 * middle of its history (`middle:k`), proxied room, and file (`file:name`).
 */
function option(value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = visible(text);
  return o;
}

/** Says whether the room shown can be fetched from; the fetch actions say why not. */
function setOffline(why) {
  state.offline = why;
  const fill = $("fill");
  fill.classList.toggle("offline", Boolean(why));
  fill.title = why ?? "Let the gap planner close every gap, request by request";
}

/** Shows the room version and where it came from; the version select when it was chosen. */
function showVersion(version, from) {
  const pill = $("room-version");
  pill.title = { create: "from the room's m.room.create", room: "the room's version (the file has no m.room.create)", chosen: "chosen: the file has no m.room.create" }[from] ?? "";
  state.versionFrom = from;
  const pick = $("version-select");
  pick.hidden = from !== "chosen";
  if (from === "chosen") pick.value = version;
}

/** Names the source shown; also as the room select's tooltip, for windows too narrow to show the name. */
function showSource(label) {
  $("source-name").textContent = readable(label);
  $("room-select").title = `Shown: ${readable(label)}`;
}

/**
 * Starts on a room: a fresh DAG, the peer's key, then the starting events one by one.
 * Returns what went wrong with them, as notes for a notice (the events the server did not give).
 */
async function startRoom(start) {
  const { source, roomId, roomVersion, events, label, value } = start;
  state.start = start;
  state.selectedId = null;
  panel.clear();
  showSource(label);
  $("room-select").value = value;
  setOffline(null);
  showVersion(roomVersion, null);
  const r = await worker.call("init", { roomId, roomVersion });
  $("fill").hidden = !r.canPlan;
  pane.reset();
  applySnapshot(r.snapshot);
  fit();
  const hooks = { log: (e) => netlog.add(e), snapshot: applySnapshot, progress, notice };
  state.fetcher = new Fetcher({ source, worker, roomId, hooks });
  await state.fetcher.ownKey();
  // A room entered at a date asks the server which event that is (`start.at`).
  const ids = start.at ? await enterAt(start.at) : events;
  const notGiven = [];
  for (const id of ids) {
    const r = await state.fetcher.event(id);
    if (!r.received) notGiven.push(`${id} (HTTP ${r.status}${r.errcode ? ` ${r.errcode}` : ""})`);
  }
  if (start.at && ids.length) {
    await state.fetcher.backfill(ids, LIMIT);
    await state.fetcher.forwardsFill(ids, LIMIT);
    pane.select(ids[0]);
  }
  fit();
  return notGiven.length ? [`The server gave no event for ${notGiven.join(", ")}: nothing starts from it.`] : [];
}

/**
 * The event to enter a room at: `/timestamp_to_event` at `at` (ms) — or, for "middle",
 * at the time halfway between the room's first and last events, as the server finds them.
 */
async function enterAt(at) {
  const f = state.fetcher;
  let ts = at;
  if (at === "middle") {
    const first = await f.timestampToEvent(0, "f");
    const last = await f.timestampToEvent(8.64e15, "b");
    if (!first || !last) {
      notice("The server named no first or last event (/timestamp_to_event): nothing to enter the room at.");
      return [];
    }
    ts = Math.floor((first.ts + last.ts) / 2);
  }
  const found = (await f.timestampToEvent(ts, "f")) ?? (await f.timestampToEvent(ts, "b"));
  if (!found) notice(`The server named no event at ${new Date(ts).toISOString()} (/timestamp_to_event).`);
  return found ? [found.eventId] : [];
}

async function startDemo() {
  const info = await (await fetch("/_mxdag/demo")).json();
  state.peerName = info.server_name;
  state.rooms = new Set(info.rooms.map((r) => r.room_id));
  const select = $("room-select");
  const latest = info.rooms.map((r, k) => option(`demo:${k}`, `${r.room_id} (v${r.room_version})`));
  const middle = info.rooms.map((r, k) => option(`middle:${k}`, `${r.room_id} (v${r.room_version}) from the middle of its history`));
  select.replaceChildren(...latest, ...middle);
  // `at`: a time (ms) or "middle" to enter the room at (by /timestamp_to_event), else its latest events.
  const demoRoom = (k, events, at) => {
    const r = info.rooms[k];
    const source = sourceFor(null);
    const value = at === undefined ? `demo:${k}` : `middle:${k}`;
    const where = at === undefined ? "" : at === "middle" ? ", entered in the middle" : `, entered at ${new Date(at).toISOString()}`;
    return { source, roomId: r.room_id, roomVersion: r.room_version, events: events ?? r.latest_events, at, label: `demo peer ${info.server_name}${where}`, value };
  };
  select.onchange = () => {
    const [kind, key] = [select.value.slice(0, select.value.indexOf(":")), select.value.slice(select.value.indexOf(":") + 1)];
    if (choseFileRoom(select.value)) return;
    if (kind === "file") run(() => loadFile(state.files.get(key).file));
    else run(() => startRoom(demoRoom(Number(key), undefined, kind === "middle" ? "middle" : undefined)));
  };
  // URL parameters that cannot be used are named in the notice, with what is done instead.
  const notes = [];
  const wanted = params.get("room");
  let k = info.rooms.findIndex((r) => r.room_id === wanted);
  if (k < 0) {
    if (wanted !== null) notes.push(`?room=${wanted} is no room of the demo peer: its first room, ${info.rooms[0].room_id}, is opened instead.`);
    k = 0;
  }
  const events = params.getAll("event");
  const date = params.get("date") === null ? NaN : Date.parse(params.get("date"));
  if (params.get("date") !== null && !Number.isFinite(date)) notes.push(`?date=${params.get("date")} is not a date: give one as 2026-01-01T12:00Z (ISO 8601); not used.`);
  const at = Number.isFinite(date) ? date : params.get("demo") === "middle" ? "middle" : undefined;
  return [...notes, ...(await startRoom(demoRoom(k, events.length ? events : undefined, at)))];
}

async function startProxy(destination) {
  const roomId = params.get("room");
  $("room-select").replaceChildren(option("proxy", roomId ?? "(no room given)"));
  $("room-select").onchange = () => choseFileRoom($("room-select").value) || run(() => (state.start?.file ? loadFile(state.start.file) : startRoom(state.start)));
  if (!roomId) {
    notice("Through the proxy, give ?proxy=server&room=!id (and optionally &version=N&event=$id).");
    return;
  }
  state.rooms = new Set([roomId]);
  const label = `${destination} via the signing proxy`;
  let events = params.getAll("event");
  let roomVersion = params.get("version");
  if (!events.length || !roomVersion) {
    // A fresh session for the room while its version is not known: the answers asked here
    // are checked against it (the network log shows their contracts).
    await worker.call("init", { roomId, roomVersion: roomVersion ?? undefined });
    const hooks = { log: (e) => netlog.add(e), snapshot: applySnapshot, progress, notice };
    const probe = new Fetcher({ source: sourceFor(destination), worker, roomId, hooks });
    // The proxy's own refusal (no identity, a destination not allowed) is its word, not the server's.
    const refusedByProxy = () => probe.proxyRefusal && askForEvents(destination, roomId, roomVersion, probe.proxyRefusal, events.length ? "version" : "event");
    if (!events.length) {
      const ext = await probe.extremities();
      if (probe.proxyRefusal) return refusedByProxy();
      if (ext.unsupported) return askForEvents(destination, roomId, roomVersion, `${destination} does not support MSC4370 /extremities (M_UNRECOGNIZED): give an event ID of the room to start from.`);
      if (ext.error || !ext.prevEvents.length) return askForEvents(destination, roomId, roomVersion, `${destination} named no forward extremity of ${roomId} (${ext.error ?? "an empty list"}): give an event ID to start from.`);
      events = ext.prevEvents;
    }
    roomVersion ??= await probe.roomVersionFrom(events[0]);
    if (!roomVersion && probe.proxyRefusal) return refusedByProxy();
    if (!roomVersion) return askForEvents(destination, roomId, null, `The room version of ${roomId} could not be read from its m.room.create: give it.`, "version");
  }
  return startRoom({ source: sourceFor(destination), roomId, roomVersion, events, label, value: "proxy" });
}

/** Opens the Homeserver form again, filled in, saying `why` more is needed; `field` gets the focus. */
function askForEvents(destination, roomId, roomVersion, why, field = "event") {
  notice(why);
  const form = $("connect-form");
  form.elements.proxy.value = destination;
  form.elements.room.value = roomId;
  if (roomVersion) form.elements.version.value = roomVersion;
  const p = $("connect-why");
  p.textContent = readable(why);
  p.hidden = false;
  $("connect").open = true;
  form.elements[field].focus();
}

const VERSION_FROM = { create: "its m.room.create", room: "the room's version", chosen: "chosen under Version: the file has no m.room.create" };

/** Names missing keys: `server (key_id, key_id)`, servers in order. */
function keyList(keys) {
  const by = new Map();
  for (const k of keys) by.set(k.server_name, [...(by.get(k.server_name) ?? []), k.key_id]);
  return [...by].map(([server, ids]) => `${server} (${ids.join(", ")})`).join(", ");
}

/** Says that a file holds events of rooms other than the one shown (`{roomId, events}` each), which are not shown; "" when none. */
function otherRoomsNote(rooms) {
  if (!rooms.length) return "";
  const events = rooms.reduce((sum, r) => sum + r.events, 0);
  const named = rooms.slice(0, 3).map((r) => `${r.roomId} (${r.events})`).join(", ");
  const more = rooms.length > 3 ? ` and ${rooms.length - 3} more` : "";
  return `The file also holds ${events} events of ${rooms.length} other room(s), each listed under the room select to be shown: ${named}${more}.`;
}

/**
 * Shows a file's room once the worker judged it: the select's entry, notices (after `lead`,
 * what came before in the same step), the snapshot. The file's entry remembers the version
 * it was judged with, so choosing it again judges it the same way.
 */
function showFileRoom(name, r, lead = "") {
  const select = $("room-select");
  const value = `file:${name}`;
  const memo = state.files.get(name);
  if (memo) Object.assign(memo, { roomId: r.roomId, roomVersion: r.roomVersion, versionFrom: r.versionFrom });
  select.querySelector(`option[value="${CSS.escape(value)}"]`)?.remove();
  // The file's other rooms (a file of several rooms), each shown when chosen.
  for (const o of [...select.options]) if (o.value.startsWith(FILE_ROOM)) o.remove();
  const rooms = r.otherRooms.map((o) => option(`${FILE_ROOM}${o.roomId}`, `${name} — ${o.roomId} (${o.events} events)`));
  select.prepend(option(value, `${name} — ${r.roomId ?? "unknown room"}`), ...rooms);
  select.value = value;
  state.fetcher && state.rooms.has(r.roomId) && (state.fetcher.roomId = r.roomId);
  setOffline(state.fetcher && state.rooms.has(r.roomId) ? null : `${r.roomId ?? "This room"} comes from the file ${name} and is not on ${state.start?.source?.destination ?? "the demo peer"}: there is nothing to fetch it from.`);
  showVersion(r.roomVersion, r.versionFrom);
  state.selectedId = null;
  const unchecked = r.unchecked ? `, ${r.unchecked} unchecked` : "";
  const title = r.title ? ` “${r.title.split("\n")[0]}”` : "";
  const judged = r.roomVersion === null ? "no room version needed (none of its events can be checked)" : `judged as room version ${r.roomVersion} (${VERSION_FROM[r.versionFrom] ?? "given"})`;
  const others = otherRoomsNote(r.otherRooms);
  const loaded = `Loaded ${name}${title}: ${r.added} events (${r.shape})${r.refused ? `, ${r.refused} refused` : ""}${unchecked}; ${judged}.`;
  const missing = r.missingKeys.length ? ` No keys for ${keyList(r.missingKeys)}.` : "";
  panel.clear(`${loaded}${missing}${others ? ` ${others}` : ""}`);
  const notes = [];
  if (others) notes.push(others);
  if (r.versionFrom !== "create" && r.roomVersion !== null) notes.push(judged);
  if (r.missingKeys.length) notes.push(`no keys for ${keyList(r.missingKeys)}: ${r.unchecked} events are unchecked; load those servers' keys as a file (key responses, trusted_key_servers, or key lines)`);
  else if (r.unchecked) notes.push(`${r.unchecked} events are unchecked: they are no PDUs (client format or a scenario), see each event`);
  const first = [...r.problems, ...r.findings].find((p) => p.severity === "error") ?? r.firstRefusal;
  if (first) notes.push(first.message);
  // Every load replaces the notice, so none stays from the file before.
  notice([lead, notes.length ? `${name}: ${notes.join("; ")}` : loaded].filter(Boolean).join(" — "));
  panel.showNotDrawn(r.notDrawn, r.notDrawnTotal);
  panel.showApart(r.apart, r.apartTotal);
  showSource(`file ${name} (room ${r.roomId ?? "unknown"})`);
  applySnapshot(r.snapshot);
  fit();
}

/** Downloads the room shown as one file that opens here and in the CLI (Engine.roomFile). */
async function saveRoom() {
  const { file } = await worker.call("save");
  if (file.apart) return notice(`Not saved: the room shown holds ${file.apart} events apart from its DAG (state listed beside an answer), which a saved file would place in it. Share the file they came from instead.`);
  if (!file.events) return notice("Nothing to save: the room shown holds no event.");
  const url = URL.createObjectURL(new Blob(file.parts, { type: "application/x-ndjson" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: file.name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  const version = file.version ? ` --room-version ${file.version}` : "";
  const unnamed = file.version ? ` It holds no m.room.create: give room version ${file.version} when opening it.` : "";
  notice(`Saved ${file.events} events and ${file.keys} keys as ${file.name}: open it here with Load file…, or run mxdag check ${file.name}${version}.${unnamed}`);
}

/**
 * Loads a file. A key file's keys join the session and the room shown is judged again with
 * them; a file of events becomes the room shown (the peer is asked, by key ID, for the keys
 * its events were signed with).
 */
async function loadFile(file) {
  // A file loaded before is judged as it was then: `room` again from the room it was judged
  // with, `chosen` with the version chosen for it.
  const memo = state.files.get(file.name)?.file === file ? state.files.get(file.name) : null;
  // The room shown lends its version to a file of its events, unless that version was itself a choice.
  const shown = state.snapshot && state.versionFrom !== "chosen" ? { roomId: state.snapshot.roomId, roomVersion: state.snapshot.roomVersion } : null;
  const current = memo ? (memo.versionFrom === "room" ? { roomId: memo.roomId, roomVersion: memo.roomVersion } : null) : shown;
  const version = memo?.versionFrom === "chosen" ? memo.roomVersion : $("version-select").value;
  // A file that cannot be read (not text, another compression) leaves the room shown as it was.
  const r = await worker.call("loadFile", { file, current, version }, progress).catch((error) => {
    throw new Error(`${error.message} — not loaded; the room shown is kept.`);
  });
  progress(1, 1);
  if (r.kind === "keys") {
    notice(keyNotice(file.name, r));
    panel.clear(keyNotice(file.name, r));
    applySnapshot(r.snapshot);
    return;
  }
  if (r.kind === "refused") return notice(refusedFile(r));
  state.files.set(file.name, { file });
  state.start = { ...state.start, file };
  showFileRoom(file.name, r);
}

/** Why a file that yields no event was not loaded: its first problems, the room shown kept. */
function refusedFile(r) {
  const why = r.problems.slice(0, 2).map((p) => p.message);
  const more = r.problems.length > 2 ? ` (and ${r.problems.length - 2} more problems)` : "";
  const reason = why.length ? `${why.join(" ")}${more}` : `it holds no event (read as ${r.shape}).`;
  return `${r.name} not loaded: ${reason} The room shown is kept.`;
}

/** The room select's entries for the other rooms of the file shown: this, then the room ID. */
const FILE_ROOM = "fileroom:";

/**
 * Shows the room a room select entry `value` names when it is another room of the file
 * loaded last (one holding several rooms); false for any other entry.
 */
function choseFileRoom(value) {
  if (!value.startsWith(FILE_ROOM)) return false;
  run(async () => showFileRoom(state.start.file.name, await worker.call("showRoom", { roomId: value.slice(FILE_ROOM.length) })));
  return true;
}

/** Judges the loaded file again as the room version chosen. */
async function rejudgeFile() {
  const r = await worker.call("reread", { version: $("version-select").value, name: state.start.file.name }, progress);
  progress(1, 1);
  showFileRoom(state.start.file.name, r);
}

$("load-file").addEventListener("click", () => $("file-input").click());
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
wireKeysForm(
  $("keys-form"),
  worker,
  run,
  (text, r) => {
    notice(text);
    panel.clear(text);
    applySnapshot(r.snapshot);
  },
  $("keys-why"),
);
$("connect-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const q = new URLSearchParams();
  for (const name of ["proxy", "room", "version"]) {
    const value = String(f.get(name) ?? "").trim();
    if (value) q.set(name, value);
  }
  for (const id of String(f.get("event")).split(/[\s,]+/).filter(Boolean)) q.append("event", id);
  // The signing proxy sends only to destinations its own page names (a link cannot).
  const allowed = await fetch("/_mxdag/destinations", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ destination: q.get("proxy") }) });
  if (!allowed.ok) return notice(`The signing proxy refused ${q.get("proxy")}: ${(await allowed.json().catch(() => ({}))).error ?? `HTTP ${allowed.status}`}`);
  location.search = q.toString();
});
$("reset").addEventListener("click", () => state.start && run(() => (state.start.file ? loadFile(state.start.file) : startRoom(state.start))));
$("fit").addEventListener("click", fit);
$("save").addEventListener("click", () => run(saveRoom));
$("fill").addEventListener("click", () => fetching(fillAllGaps));
$("version-select").addEventListener("change", () => state.start?.file && run(rejudgeFile));
// A room or version chosen, focus leaves the select, so ↑/↓ move through the DAG rather
// than switch rooms.
for (const id of ["room-select", "version-select"]) $(id).addEventListener("change", (e) => e.target.blur());
// A toolbar button clicked with the pointer gives the focus back, so Enter and Space go to
// the DAG (fetching for the selected event) instead of pressing the button again. A button
// pressed from the keyboard (click with `detail` 0) keeps it.
document.querySelector("header.top").addEventListener("click", (e) => {
  const b = e.target.closest?.("button, summary");
  if (b && e.detail > 0) b.blur();
});

// For tests and benchmarks: the current snapshot (its IDs and labels as arrays), the view,
// and a promise of quiet.
window.mxdag = {
  get snapshot() {
    const s = state.snapshot;
    return s && { ...s, ids: s.ids.toArray(), labels: s.labels.toArray() };
  },
  view,
  worker,
  idle: () => state.queue,
  select: (id) => selectId(id, true),
  pane,
};

// On a short window the legend starts folded, leaving the DAG the room.
if (innerHeight < 800) $("legend").open = false;
const proxy = params.get("proxy");
run(async () => {
  const served = await addServedKeys(worker);
  const notes = (await (proxy ? startProxy(proxy) : startDemo())) ?? [];
  if (served.length || notes.length) notice([...notes, ...served].join(" — "));
});
