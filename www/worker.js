// The Web Worker: parsing, validation, the DAG and the layout run here, so the page never
// freezes. Messages in: {seq, op, ...}; out: {seq, ok, ...} and {seq, progress: [done, total]}.
import { Engine } from "./engine.js";
import { buildSnapshot, transferables } from "./model.js";
import { signingKeysOf } from "./parse.js";
import { answerAsk, fill } from "./fill-worker.js";

const ready = Engine.create();
/** The file read by `readFile`, waiting for `ingestFile`. */
let pendingFile = null;
/** The file the room was loaded from (`{parsed, name}`), judged again when keys or its version change. */
let loadedFile = null;
/**
 * The events of every answer judged since the room began (`{pdus, source, viaBackfill}`,
 * the PDUs as received, without the `event_id` added for the DAG, so their hashes stay
 * theirs): judged again with the file when keys come, so nothing fetched is lost.
 */
let fetched = [];

/** Children of `id` among held events (one pass). */
function childrenOf(engine, id) {
  const out = [];
  for (const [cid, e] of engine.events) if (engine.prevIds(cid).includes(id)) out.push(cid);
  return out;
}

function details(engine, id) {
  const e = engine.events.get(id);
  const gap = e ? null : engine.gaps().find((g) => g.eventId === id);
  const state = (x) => (engine.events.has(x) ? "held" : "missing");
  return {
    id,
    held: Boolean(e),
    json: e ? JSON.stringify(e.pdu, null, 2) : null,
    verdict: e?.verdict ?? (gap ? "missing" : "unknown"),
    pruned: e?.pruned ?? false,
    problems: e?.problems ?? [],
    source: e?.source ?? null,
    gap: gap ? { depth: gap.depth, missingDepths: gap.missingDepths, outlier: gap.outlier } : null,
    prev: (e ? engine.prevIds(id) : []).map((x) => ({ id: x, state: state(x) })),
    next: (gap ? gap.referencedBy : childrenOf(engine, id)).map((x) => ({ id: x, state: state(x) })),
  };
}

/** Events of a federation answer: a transaction's `pdus` or get_missing_events' `events`. */
function answerPdus(json) {
  const list = json?.pdus ?? json?.events;
  return Array.isArray(list) ? list.filter((p) => p && typeof p === "object" && !Array.isArray(p)) : null;
}

/**
 * One federation answer (`{request: {method, path, body}, text, status, check}`): validate
 * its events, judge it against its request's contract with the DAG as it was, then add them.
 */
function judge(engine, m, progress) {
  let json;
  try {
    json = JSON.parse(m.text);
  } catch (e) {
    const problem = { code: "answer_not_json", path: "$", message: `the answer is not JSON: ${e.message}`, severity: "error" };
    return { contract: { ok: false, problems: [problem] }, added: 0 };
  }
  const pdus = answerPdus(json) ?? [];
  const viaBackfill = /\/backfill\//.test(m.request.path);
  const results = engine.validate(pdus, [], viaBackfill, progress);
  const withIds = Engine.withIds(pdus, results);
  const contract = m.check ? engine.checkContract(m.request, json, withIds, m.status) : null;
  const r = engine.add(withIds, results, m.request.path);
  fetched.push({ pdus, source: m.request.path, viaBackfill });
  const bad = results.filter((x) => x.verdict !== "valid").length;
  return { contract, added: r.added, known: r.known, received: pdus.length, bad };
}

/** Judges the events of the answers in `fetched` again and adds them; counts added and unchecked. */
function replayFetched(engine, progress) {
  let added = 0;
  let unchecked = 0;
  const missing = new Map();
  for (const f of fetched) {
    const results = engine.validate(f.pdus, [], f.viaBackfill, progress);
    for (const k of engine.missingKeys) missing.set(`${k.server_name} ${k.key_id}`, k);
    added += engine.add(Engine.withIds(f.pdus, results), results, f.source).added;
    unchecked += results.filter((x) => x.verdict === "unchecked").length;
  }
  return { added, unchecked, missing };
}

/**
 * Judges a parsed file's events as a new room; the file becomes the one loaded. With
 * `keepFetched`, the events fetched since it was loaded are judged again and kept too.
 */
function ingest(engine, parsed, name, progress, keepFetched = false) {
  engine.reset(parsed.roomId, parsed.roomVersion);
  loadedFile = { parsed, name };
  if (!keepFetched) fetched = [];
  const results = engine.validate(parsed.pdus, parsed.knownIds, true, progress, parsed.wheres);
  const missing = new Map(engine.missingKeys.map((k) => [`${k.server_name} ${k.key_id}`, k]));
  const r = engine.add(Engine.withIds(parsed.pdus, results), results, `file ${name}`);
  const again = replayFetched(engine, progress);
  for (const [k, v] of again.missing) missing.set(k, v);
  engine.missingKeys = [...missing.values()];
  const unchecked = results.filter((x) => x.verdict === "unchecked").length + again.unchecked;
  return {
    shape: parsed.shape,
    errors: parsed.errors,
    added: r.added,
    fetched: again.added,
    known: r.known,
    unchecked,
    missingKeys: engine.missingKeys,
    roomId: parsed.roomId,
    roomVersion: parsed.roomVersion,
    versionFrom: parsed.versionFrom,
    snapshot: buildSnapshot(engine),
  };
}

/** Judges every event fetched for the room shown (no file) again: a fresh DAG, the same answers. */
function recheck(engine, progress) {
  const before = [...engine.events.values()].filter((e) => e.verdict === "unchecked").length;
  engine.reset(engine.roomId, engine.roomVersion);
  const r = replayFetched(engine, progress);
  engine.missingKeys = [...r.missing.values()];
  return { before, unchecked: r.unchecked, added: r.added, missingKeys: engine.missingKeys, snapshot: buildSnapshot(engine) };
}

const ops = {
  init(engine, m) {
    loadedFile = null;
    fetched = [];
    engine.reset(m.roomId, m.roomVersion);
    return { snapshot: buildSnapshot(engine), canPlan: Engine.canPlan };
  },
  fill(engine, m, progress) {
    return fill(engine, m, (request, text) => judge(engine, { request, text, status: 200, check: true }, progress));
  },
  keys(engine, m) {
    return { problems: engine.addKeys(m.responses), servers: [...engine.keyServers] };
  },
  knownServers(engine) {
    return { servers: [...engine.keyServers] };
  },
  /** Of `keys` (`{server_name, key_id}`), those not held. */
  missingKeys(engine, m) {
    return { keys: engine.missing(m.keys) };
  },
  answer(engine, m, progress) {
    return { ...judge(engine, m, progress), snapshot: buildSnapshot(engine) };
  },
  /**
   * Reads and splits a file (a `File`, read here so the page's thread never holds or copies
   * its text). Key server responses in it join the key ring at once, and the file loaded
   * before is judged again with them (`rejudged`); its events wait for `ingestFile`, and
   * `need` says which of the keys they were signed with are not held.
   */
  async readFile(engine, m, progress) {
    const parsed = engine.parseFile(await m.file.text(), m.current, m.version);
    const out = { count: parsed.pdus.length, keys: parsed.keys.length, servers: parsed.keys.map((k) => k.server_name), errors: parsed.errors, shape: parsed.shape };
    if (parsed.keys.length) {
      out.keyProblems = engine.addKeys(parsed.keys);
      if (loadedFile && !parsed.pdus.length) out.rejudged = ingest(engine, loadedFile.parsed, loadedFile.name, progress, true);
      else if (!parsed.pdus.length && fetched.length) out.rechecked = recheck(engine, progress);
    }
    pendingFile = parsed.pdus.length ? parsed : null;
    out.need = pendingFile ? engine.missing(signingKeysOf(parsed.pdus)) : [];
    return out;
  },
  ingestFile(engine, m, progress) {
    const parsed = pendingFile;
    pendingFile = null;
    if (!parsed) throw new Error("no file read");
    return ingest(engine, parsed, m.name, progress);
  },
  /** Judges the loaded file again as room version `version` (a file without `m.room.create`). */
  rejudgeFile(engine, m, progress) {
    if (!loadedFile) throw new Error("no file loaded");
    const parsed = { ...loadedFile.parsed, roomVersion: String(m.version), versionFrom: "chosen" };
    return ingest(engine, parsed, loadedFile.name, progress, true);
  },
  details(engine, m) {
    return details(engine, m.id);
  },
  /** The DAG's consistency findings (depth not increasing, cycles, reused IDs...). */
  findings(engine) {
    return { findings: engine.dag.findings() };
  },
};

self.onmessage = async (event) => {
  const m = event.data;
  if (m.reply !== undefined) return answerAsk(m);
  try {
    const engine = await ready;
    const progress = (done, total) => self.postMessage({ seq: m.seq, progress: [done, total] });
    const result = await ops[m.op](engine, { ...m, post: (data, transfer) => self.postMessage({ seq: m.seq, ...data }, transfer) }, progress);
    self.postMessage({ seq: m.seq, ok: true, ...result }, result.snapshot ? transferables(result.snapshot) : []);
  } catch (e) {
    self.postMessage({ seq: m.seq, ok: false, error: String(e?.message ?? e), code: e?.code ?? null });
  }
};
