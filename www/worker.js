// The Web Worker: the room session (engine.js), the drawing model and the gap planner run
// here, so the page never freezes. Messages in: {seq, op, ...}; out: {seq, ok, ...},
// {seq, progress: [done, total]}, and asks ({seq, ask}) the page answers (ask.js).
import { Engine, KEY_SHAPES, keyName } from "./engine.js";
import { buildSnapshot, transferables } from "./model.js";
import { ask, answerAsk } from "./ask.js";
import { fill } from "./fill-worker.js";
import { timelineOps } from "./timeline-worker.js";
import { stateDiff, stateOf } from "./state-worker.js";

const ready = Engine.create();

/** Pretty JSON from compact JSON text, without parsing it (no number loses a digit). */
function pretty(text) {
  let out = "";
  let depth = 0;
  let inString = false;
  const pad = () => "\n" + "  ".repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "{" || c === "[") {
      const empty = text[i + 1] === (c === "{" ? "}" : "]");
      out += empty ? c + text[++i] : c + ((depth++, pad()));
    } else if (c === "}" || c === "]") out += ((depth--, pad())) + c;
    else if (c === ",") out += "," + pad();
    else if (c === ":") out += ": ";
    else out += c;
  }
  return out;
}

/** The panel's view of an event: held, or a gap. */
function details(engine, id) {
  const d = engine.details(id);
  if (!d) return { id, held: false, json: null, verdict: "unknown", pruned: false, problems: [], source: null, gap: null, prev: [], next: [] };
  const gap = d.held ? null : engine.gaps().find((g) => g.event_id === id);
  const neighbour = (n) => ({ id: n.event_id, state: n.held ? "held" : "missing" });
  return {
    id,
    held: d.held,
    json: d.json === null ? null : pretty(d.json),
    verdict: d.verdict ?? (gap ? "missing" : "unknown"),
    pruned: d.pruned_by_sender,
    problems: d.problems,
    source: d.source,
    annotation: d.annotation,
    summary: d.summary,
    auth: d.auth ?? null,
    stateAuth: d.state ?? null,
    merge: d.merge ?? null,
    gap: gap ? { depth: gap.estimated_depth, missingDepths: gap.missing_depths, outlier: gap.held_as_outlier } : null,
    prev: d.prev.map(neighbour),
    next: d.next.map(neighbour),
  };
}

/**
 * Asks the page to fetch `keys` (`{server_name, key_id}`) the session lacks; adds what
 * comes (held events waiting for them are judged again). Returns the key report, or null
 * when nothing could be fetched.
 */
async function fetchKeys(engine, m, keys) {
  const wanted = keys.length ? engine.keysNotHeld(keys) : [];
  if (!wanted.length) return null;
  const reply = await ask(m.post, { keys: wanted });
  if (reply.status !== 200 || !reply.body) return null;
  return engine.addKeys(reply.body);
}

/**
 * One federation answer (`{request: {method, path, body}, text, status, check}`): the
 * session judges its events, checks it against its request's contract with the DAG as it
 * was (when `check`), and places them; keys its events need are fetched and they are judged
 * again. Returns what the network log shows.
 */
async function judge(engine, m) {
  const line = `${m.request.method} ${m.request.path}`;
  const body = m.request.body === undefined ? undefined : JSON.stringify(m.request.body);
  const options = m.check ? { source: line, request: line, body, status: m.status } : { source: line, status: m.status };
  const report = engine.ingest(m.text, options);
  return summarise(engine, m, report);
}

/** What the network log shows of an answer's report, keys fetched for it first. */
async function summarise(engine, m, report) {
  await fetchKeys(engine, m, report.missing_keys);
  const ids = report.events.map((e) => e.event_id).filter(Boolean);
  const counts = engine.session.verdictCounts(ids);
  return { contract: report.contract ?? null, added: report.added, known: report.known, received: report.counts.total, bad: counts.total - counts.valid, unchecked: counts.unchecked };
}

const ops = {
  /** For benchmarks: this worker's wasm memory, after a garbage collection where the browser allows one (`--js-flags=--expose-gc`). */
  memory() {
    globalThis.gc?.();
    return { wasmBytes: Engine.wasmBytes() };
  },
  init(engine, m) {
    engine.reset(m.roomId, m.roomVersion);
    engine.lastFile = null;
    return { snapshot: buildSnapshot(engine), canPlan: Engine.canPlan };
  },
  async answer(engine, m) {
    return { ...(await judge(engine, m)), snapshot: buildSnapshot(engine) };
  },
  fill(engine, m, progress) {
    return fill(engine, m, (report) => summarise(engine, m, report), progress);
  },
  /** Keys (any key input text; YAML decoded) join the session; held events are judged again. */
  async keys(engine, m) {
    const r = engine.addKeys(await engine.decode(m.text, m.name ?? ""));
    return { added: r.added, keys: r.keys, problems: r.problems, rejudged: r.rejudged, snapshot: buildSnapshot(engine) };
  },
  /**
   * Reads a file (a `File`, read here so the page's thread never holds its text). A key
   * file joins the session and the room shown is judged again; a file of events becomes
   * the room shown; a file that yields no event is refused (`kind: "refused"`, its problems)
   * and the room shown stays. A file that names no room version takes the room shown's (`current`,
   * when it is of that room) or the chosen one (`version`).
   */
  async loadFile(engine, m, progress) {
    const name = m.file.name;
    const text = await engine.read(m.file);
    if (engine.holdsOnlyKeys(text)) {
      const r = engine.addKeys(text);
      // Only its first item was looked at: keys followed by events are a file of events.
      if (KEY_SHAPES.has(r.input)) return { kind: "keys", name, added: r.added, keys: r.keys, problems: r.problems, rejudged: r.rejudged, snapshot: buildSnapshot(engine) };
    }
    // The room shown stays until the file is known to hold events.
    const holdsEvents = (report) => report.counts.total > 0 || report.waiting > 0;
    const report = await engine.inNewSession(() => engine.ingestOnCores(text, { source: `file ${name}`, viaBackfill: true }, progress), holdsEvents);
    if (!holdsEvents(report)) return { kind: "refused", name, shape: report.input, problems: report.problems };
    engine.fileShape = report.input;
    let versionFrom = report.room_version === null ? null : "create";
    if (report.room_version === null && report.waiting > 0) {
      const ofRoom = m.current?.roomVersion && m.current.roomId === report.room_id;
      const version = ofRoom ? m.current.roomVersion : (m.version ?? "10");
      versionFrom = ofRoom ? "room" : "chosen";
      const waited = engine.setRoomVersion(version);
      if (waited) {
        report.added += waited.added;
        report.refused += waited.refused;
        report.counts = waited.counts;
        report.missing_keys = waited.missing_keys;
      }
    }
    const keys = await fetchKeys(engine, m, engine.session.missingKeys());
    return keepFile(engine, fileResult(engine, name, report, versionFrom, keys), report);
  },
  /**
   * Shows another room of the file loaded last (one holding several rooms, as a server's
   * database does): the session's room becomes `roomId`, and the page gets what a file's
   * load gives for it.
   */
  showRoom(engine, m) {
    const last = engine.lastFile;
    if (!last || !engine.session.showRoom(m.roomId)) throw new Error(`${m.roomId} is no room of the file loaded last.`);
    return fileResult(engine, last.name, last.report, last.versionFrom, null);
  },
  /** The room shown as a file (Engine.roomFile): its parts as UTF-8 bytes, a name from its room ID. */
  save(engine) {
    const saved = engine.roomFile();
    const room = (engine.roomId ?? "").replace(/^!/, "").replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "") || "room";
    return { file: { name: `${room}.ndjson`, ...saved } };
  },
  /** Reads the room again as the room version chosen (a file with no m.room.create). */
  async reread(engine, m) {
    const report = { ...engine.reread(m.version), input: engine.fileShape ?? "file" };
    const keys = await fetchKeys(engine, m, engine.session.missingKeys());
    return keepFile(engine, fileResult(engine, m.name, report, "chosen", keys), report);
  },
  details(engine, m) {
    return details(engine, m.id);
  },
  /** The state panel: the state before or after `id` (`at`) and its auth chain. */
  state(engine, m) {
    return stateOf(engine, m.id, m.at);
  },
  /** The state at `b` against the state at `a` (`at`: "before" | "after"). */
  stateDiff(engine, m) {
    return stateDiff(engine, m.a, m.b, m.at);
  },
  /** The DAG's consistency findings (depth not increasing, cycles, reused IDs, wrong written IDs...). */
  findings(engine) {
    return { findings: engine.findings() };
  },
  // The timeline pane: timelinePage, timelineJump, timelineFill (timeline-worker.js).
  ...timelineOps(summarise),
};

/** How many events the panel lists that are not drawn. */
const NOT_DRAWN_SHOWN = 100;

/**
 * The events of a report that the DAG does not hold (the first ones, and how many). Only
 * events with an error can have been refused, so only those are looked up: a file of
 * 100,000 valid events costs no call into the session.
 */
function notDrawn(engine, events) {
  const suspect = (e) => e.verdict === "dropped" || e.problems.some((p) => p.severity === "error");
  const missing = events.filter((e) => suspect(e) && !(e.event_id && engine.details(e.event_id)?.held));
  const shown = missing.slice(0, NOT_DRAWN_SHOWN).map((e) => ({ label: e.label, event_id: e.event_id, verdict: e.verdict, problems: e.problems }));
  return { notDrawn: shown, notDrawnTotal: missing.length };
}

/**
 * The events of a report held apart from the drawing (outliers: no place in the DAG, as
 * client-format events, which carry no prev_events, or state listed beside an answer): the
 * first ones, and how many, each once (an answer may list an event in its timeline and its
 * state). Looked for only when the room holds outliers.
 */
function heldApart(engine, events, rows) {
  if (!rows.outliers) return { apart: [], apartTotal: 0 };
  const outliers = new Set(engine.session.outliers());
  const listed = new Set();
  const apart = [];
  for (const e of events) {
    if (!outliers.has(e.event_id) || listed.has(e.event_id)) continue;
    listed.add(e.event_id);
    apart.push(e);
  }
  const shown = apart.slice(0, NOT_DRAWN_SHOWN).map((e) => ({ label: e.label, event_id: e.event_id, verdict: e.verdict, summary: engine.details(e.event_id)?.summary ?? "" }));
  return { apart: shown, apartTotal: apart.length };
}

/** The rooms of the session other than the room shown: `{roomId, events}` each (outliers included). */
function otherRooms(engine) {
  return engine.session
    .summaries()
    .filter((s) => s.room_id !== engine.roomId)
    .map((s) => ({ roomId: s.room_id, events: s.counts.timeline + s.counts.outliers }));
}

/** `{server_name, key_id}` named by a signing_key_unknown problem's path, `$.signatures["server"]["key"]`. */
function keyOfPath(path) {
  const m = /^\$\.signatures\[("(?:[^"\\]|\\.)*")\]\[("(?:[^"\\]|\\.)*")\]$/.exec(path);
  return m && { server_name: JSON.parse(m[1]), key_id: JSON.parse(m[2]) };
}

/**
 * The keys still missing for the room shown: with other rooms in the session, only those
 * that its unchecked events (of `events`, a report's) were signed with.
 */
function missingKeysOfRoom(engine, events, rows, others) {
  const missing = engine.session.missingKeys();
  if (!others.length) return missing;
  const unchecked = new Set(rows.ids.filter((_, i) => rows.verdicts[i] === 3));
  const named = new Set();
  for (const e of events) {
    if (!unchecked.has(e.event_id)) continue;
    for (const p of e.problems) if (p.code === "signing_key_unknown") named.add(keyName(keyOfPath(p.path) ?? {}));
  }
  return missing.filter((k) => named.has(keyName(k)));
}

/**
 * Keeps the report of a file of several rooms, so that its other rooms can be shown
 * (`showRoom`); a file of one room keeps nothing. Returns `result`.
 */
function keepFile(engine, result, report) {
  engine.lastFile = result.otherRooms.length ? { name: result.name, report, versionFrom: result.versionFrom } : null;
  return result;
}

/**
 * What the page shows after a file's events were taken: counts and missing keys of the
 * room shown; `otherRooms` the file's other rooms, which `showRoom` shows.
 */
function fileResult(engine, name, report, versionFrom, keys) {
  const rows = engine.rows();
  let unchecked = 0;
  for (const v of rows.verdicts) unchecked += v === 3 ? 1 : 0;
  const others = otherRooms(engine);
  return {
    kind: "events",
    name,
    shape: report.input,
    title: report.title ?? null,
    added: report.added - others.reduce((sum, r) => sum + r.events, 0),
    otherRooms: others,
    refused: report.refused,
    problems: report.problems,
    findings: report.findings,
    firstRefusal: report.events.find((e) => e.verdict === "dropped")?.problems.find((p) => p.severity === "error") ?? null,
    ...notDrawn(engine, report.events),
    ...heldApart(engine, report.events, rows),
    unchecked,
    keysAdded: keys?.added ?? 0,
    missingKeys: missingKeysOfRoom(engine, report.events, rows, others),
    roomId: engine.roomId,
    roomVersion: engine.roomVersion,
    versionFrom,
    snapshot: buildSnapshot(engine, rows),
  };
}

self.onmessage = async (event) => {
  const m = event.data;
  if (m.reply !== undefined) return answerAsk(m);
  try {
    const engine = await ready;
    const progress = (done, total) => self.postMessage({ seq: m.seq, progress: [done, total] });
    const post = (data, transfer) => self.postMessage({ seq: m.seq, ...data }, transfer);
    const result = await ops[m.op](engine, { ...m, post }, progress);
    const moved = [...(result.snapshot ? transferables(result.snapshot) : []), ...(result.file?.parts ?? []).map((part) => part.buffer)];
    self.postMessage({ seq: m.seq, ok: true, ...result }, moved);
  } catch (e) {
    self.postMessage({ seq: m.seq, ok: false, error: String(e?.message ?? e), code: e?.code ?? null });
  }
};
