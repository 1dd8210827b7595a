// `mxdag check FILE... [--keys FILE]... [--room-version V] [--json]`: judges every PDU in
// the files (format, event ID, content hash, signatures) and prints a report. With
// `--request "GET /_matrix/federation/v1/backfill/…"` it also judges the one RESPONSE file
// against that endpoint's contract, given the events already held (`--dag FILE…`).
// Exit codes: 0 every event valid, 1 any event not valid, 2 unusable input or arguments.
import { runCommand, UsageError, withRequestLine } from "../args.js";
import { InputError, ROOM_VERSION_MISMATCH, readKeyResponses, readText, roomVersionMismatch } from "../input.js";
import { loadDags, noRoomVersion } from "./dag.js";

export const summary = "validate PDUs from federation answers, PDU files or NDJSON";

export const usage = `Usage: mxdag check FILE... [--keys FILE]... [--room-version V] [--backfill] [--json]
       mxdag check --request "GET /_matrix/federation/v1/backfill/…" RESPONSE [--body FILE]
                   [--status N] [--dag FILE]... [--keys FILE]... [--room-version V]
                   [--backfill] [--json]

Judges each PDU as a homeserver does on receipt: format for the room version, event ID,
signatures (against the keys given), content hash. FILE may be a /backfill, /forwards_fill
or /event transaction ({origin, origin_server_ts, pdus}), a /get_missing_events answer
({events}), a PDU, a JSON array of PDUs, or NDJSON (one PDU per line).

Options:
  --keys FILE          GET /_matrix/key/v2/server responses or notary answers (JSON, an
                       array of them, or NDJSON); repeatable
  --room-version V     the room version (1–12); default: from an m.room.create event in
                       the input or the --dag events; one that contradicts the input's
                       m.room.create is used, with a warning naming both
  --backfill           the events came by /backfill: the 20 prev_events / 10 auth_events
                       limits are warnings, as the spec asks
  --request LINE       the request RESPONSE answered, as logged (method, path, query):
                       /backfill, /get_missing_events or forwards fill (stable or
                       unstable); adds the contract verdict: ok, ordering, problems
  --body FILE          the JSON body of POST /get_missing_events
  --status N           the HTTP status of RESPONSE (default 200; error bodies such as
                       404 M_UNRECOGNIZED are understood: an error answer holds no PDUs,
                       so only its contract is judged and no room version is needed)
  --dag FILE           events already held, to prove ancestry; repeatable
  --json               print the report as JSON (see docs/report-schema.md)
  -h, --help           this help

Exit status: 0 when every event is valid (and the contract kept), 1 when any is not (or
the contract is broken), 2 on unusable input or arguments.
`;

const OPTIONS = {
  keys: { type: "string", multiple: true },
  "room-version": { type: "string" },
  backfill: { type: "boolean" },
  json: { type: "boolean" },
  request: { type: "string" },
  body: { type: "string" },
  status: { type: "string" },
  dag: { type: "string", multiple: true },
};

/** The room ID in a logged federation request line, if it names one. */
function requestRoomId(line) {
  const match = line.match(/\/_matrix\/federation\/[^/]+\/(?:backfill|get_missing_events|forwards_fill)\/([^/?\s]+)/);
  return match ? decodeURIComponent(match[1]) : undefined;
}

/** Reads --status: `undefined` when not given, else an HTTP status. */
function statusOption(values) {
  if (values.status === undefined) return undefined;
  const status = Number(values.status);
  if (!(/^\d+$/.test(values.status) && status >= 100 && status <= 599)) {
    throw new UsageError(`--status must be an HTTP status, not ${JSON.stringify(values.status)}`);
  }
  return status;
}

/** Whether a response is an error answer: a status outside 2xx, or a body `{errcode, …}`. */
function isErrorAnswer(text, status) {
  if (status !== undefined && (status < 200 || status > 299)) return true;
  if (text.length > 65536) return false;
  try {
    const body = JSON.parse(text);
    return body !== null && typeof body === "object" && typeof body.errcode === "string";
  } catch {
    return false;
  }
}

/** The input report of an error answer: it holds no PDUs to judge, only a contract verdict. */
function errorAnswerReport() {
  const counts = { total: 0, valid: 0, redacted: 0, dropped: 0 };
  return { input: "error_response", counts, events: [], problems: [], missing_keys: [] };
}

/**
 * With --request: the contract verdict of the one RESPONSE file, `{endpoint, room_id, ok,
 * ordering, problems}`, with ancestry proven through the response and the --dag events.
 */
function checkContract(mxdag, request, body, status, response, rooms, roomVersion) {
  const roomId = requestRoomId(request);
  const held = rooms.find((r) => r.roomId === roomId) ?? new mxdag.RoomDag(undefined, roomVersion);
  try {
    return withRequestLine(() => held.checkContract(request, body, response, status));
  } finally {
    for (const room of new Set([...rooms, held])) room.free();
  }
}

/** Loads every keys file into a new KeyRing; returns the ring and what each file added. */
function loadKeys(mxdag, files) {
  const ring = new mxdag.KeyRing();
  const loaded = files.map((file) => {
    const result = { file, added: 0, problems: [] };
    for (const response of readKeyResponses(file)) {
      const { added, problems } = ring.addResponse(response);
      result.added += added;
      result.problems.push(...problems);
    }
    return result;
  });
  return { ring, loaded };
}

/** Validates one file; `undefined` when no room version is given and the input names none. */
function validateText(mxdag, { file, text }, roomVersion, ring, options) {
  try {
    return mxdag.validateEvents(text, roomVersion, ring, options);
  } catch (error) {
    if (error.code === "unknown_room_version" && roomVersion === undefined) return undefined;
    throw new InputError(file, `${error.message}${error.code ? ` (${error.code})` : ""}`);
  }
}

/**
 * Validates one file with `roomVersion` (from `source`) when given. When the file's own
 * m.room.create names another version, the file is judged with the given one and its report
 * carries a `room_version_mismatch` warning naming both.
 */
function validateFile(mxdag, input, given, ring, options) {
  const report = validateText(mxdag, input, given.roomVersion, ring, options);
  const mismatch = roomVersionMismatch(mxdag, input, given.roomVersion, given.source);
  if (mismatch) report.problems.unshift(mismatch);
  return report;
}

/** Throws an InputError when a file's report holds no event, with the core's reason. */
function requireEvents(file, report) {
  if (report.events.length > 0) return;
  const why = report.problems.map((p) => p.message).join(" ") || `The ${report.input} is empty.`;
  throw new InputError(file, `holds no PDUs mxdag can read. ${why}`);
}

/**
 * Validates each file; a file that names no room version is judged with the version
 * another file's m.room.create gave. A file with no event, or unusable JSON, is an
 * InputError (also when no version is known: its shape is read with any version). Returns
 * `{roomVersion, reports: [{file, report}]}`.
 */
function validateFiles(mxdag, texts, ring, given, options) {
  let { roomVersion } = given;
  const sourceOf = (version) => (version === given.roomVersion ? given.source : "named by another file's m.room.create");
  const reports = texts.map((input) => {
    const report = validateFile(mxdag, input, { roomVersion, source: sourceOf(roomVersion) }, ring, options);
    roomVersion ??= report?.room_version;
    return report;
  });
  // Any version reads a file's shape; an empty answer (with --request) needs none at all.
  const usable = (report) => report.events.length > 0 || (options.allowEmpty && report.input !== "unrecognised");
  if (roomVersion === undefined && reports.includes(undefined)) {
    const probe = new mxdag.KeyRing();
    let needsVersion;
    try {
      texts.forEach((input, i) => {
        if (reports[i] !== undefined) return;
        const shape = validateText(mxdag, input, "12", probe, options);
        if (!usable(shape)) requireEvents(input.file, shape);
        if (shape.events.length > 0) needsVersion ??= input.file;
        else reports[i] = { ...shape, room_version: null };
      });
    } finally {
      probe.free();
    }
    if (needsVersion !== undefined) throw noRoomVersion(needsVersion);
  }
  texts.forEach((input, i) => {
    reports[i] ??= validateFile(mxdag, input, { roomVersion, source: sourceOf(roomVersion) }, ring, options);
    if (!usable(reports[i])) requireEvents(input.file, reports[i]);
  });
  return { roomVersion: roomVersion ?? null, reports: reports.map((report, i) => ({ file: texts[i].file, report })) };
}

/** The report as `--json` prints it (docs/report-schema.md). */
export function combineReports(roomVersion, reports, keys) {
  const counts = { total: 0, valid: 0, redacted: 0, dropped: 0 };
  const missing = new Map();
  const inputs = [];
  const events = [];
  for (const { file, report } of reports) {
    for (const key of Object.keys(counts)) counts[key] += report.counts[key];
    for (const m of report.missing_keys) missing.set(`${m.server_name} ${m.key_id}`, m);
    inputs.push({ file, input: report.input, counts: report.counts, problems: report.problems });
    for (const event of report.events) events.push({ file, ...event });
  }
  const inputErrors = inputs.some((i) => i.problems.some((p) => p.severity === "error"));
  return {
    room_version: roomVersion,
    valid: counts.valid === counts.total && !inputErrors,
    counts,
    inputs,
    keys,
    missing_keys: [...missing.values()],
    events,
  };
}

const MARK = { valid: "ok", redacted: "REDACTED", dropped: "DROPPED" };

function formatProblem(p) {
  return `      ${p.severity === "error" ? "error" : p.severity}: ${p.code} at ${p.path}: ${p.message}`;
}

/** The human-readable report: only events that are not valid or have problems are listed. */
export function formatHuman(combined) {
  const lines = [];
  for (const key of combined.keys) {
    lines.push(`${key.file}: ${key.added} key(s) added`);
    for (const p of key.problems) lines.push(formatProblem(p));
  }
  for (const input of combined.inputs) {
    const c = input.counts;
    lines.push(`${input.file}: ${input.input}, ${c.total} event(s): ${c.valid} valid, ${c.redacted} redacted, ${c.dropped} dropped`);
    for (const p of input.problems) lines.push(formatProblem(p));
    for (const event of combined.events) {
      if (event.file !== input.file || (event.verdict === "valid" && event.problems.length === 0)) continue;
      const how = event.verdict === "redacted" ? (event.pruned_by_sender ? " (pruned by the sending server)" : " (tampered)") : "";
      lines.push(`  #${event.index} ${event.event_id ?? "(no event ID)"}: ${MARK[event.verdict] ?? event.verdict}${how}`);
      for (const p of event.problems) lines.push(formatProblem(p));
    }
  }
  for (const m of combined.missing_keys) {
    lines.push(`missing key ${m.key_id} of ${m.server_name}: pass its /_matrix/key/v2/server response with --keys`);
  }
  const c = combined.counts;
  if (combined.contract) {
    const k = combined.contract;
    lines.push(`contract of ${k.endpoint}: ${k.ok ? "kept" : "BROKEN"} (ordering: ${k.ordering})`);
    for (const p of k.problems) lines.push(formatProblem(p));
  }
  const version = combined.room_version === null ? "no room version needed" : `room version ${combined.room_version}`;
  lines.push(
    `${version}: ${c.total} event(s), ${c.valid} valid, ${c.redacted} redacted, ${c.dropped} dropped — ${combined.valid ? "all valid" : "NOT all valid"}`,
  );
  return lines.join("\n") + "\n";
}

/** Runs `mxdag check`. */
export async function run(args, io) {
  return runCommand({ name: "check", usage, options: OPTIONS }, args, io, async (values, positionals) => {
    if (positionals.length === 0) throw new UsageError("check needs at least one FILE");
    const roomVersion = values["room-version"];
    if (roomVersion !== undefined && !/^(?:[1-9]|1[0-2])$/.test(roomVersion)) {
      throw new UsageError(`--room-version must be 1–12, not ${JSON.stringify(roomVersion)}`);
    }
    if (values.request !== undefined && positionals.length !== 1) {
      throw new UsageError("with --request, check takes exactly one RESPONSE file");
    }
    const status = statusOption(values);
    const texts = positionals.map((file) => ({ file, text: readText(file) }));
    const { mxdag } = await import("../wasm.js");
    const { ring, loaded } = loadKeys(mxdag, values.keys ?? []);
    const contract = values.request !== undefined;
    const body = values.body === undefined ? undefined : readText(values.body);
    if (contract) {
      // A bad request line is an argument mistake, told before any file is judged.
      const empty = new mxdag.RoomDag();
      try {
        withRequestLine(() => empty.referenceAnswer(values.request, body));
      } finally {
        empty.free();
      }
    }
    // The events already held; their m.room.create may name the room version.
    const { rooms, inputs: held } = values.dag?.length ? loadDags(mxdag, values.dag, [], roomVersion) : { rooms: [], inputs: [] };
    for (const input of held.filter((i) => i.refused > 0)) {
      const first = input.problems.find((p) => p.severity === "error");
      const why = first ? `${first.path}: ${first.message}` : "";
      io.stderr.write(`mxdag check: warning: --dag ${input.file}: ${input.refused} event(s) refused, so they prove nothing. ${why}`.trim() + "\n");
    }
    const heldVersion = roomVersion ?? rooms.find((r) => r.roomVersion)?.roomVersion;
    const given = { roomVersion: heldVersion, source: roomVersion ? "given by --room-version" : "named by the --dag events' m.room.create" };
    const validated = contract && isErrorAnswer(texts[0].text, status)
      ? { roomVersion: heldVersion ?? null, reports: [{ file: texts[0].file, report: errorAnswerReport() }] }
      : validateFiles(mxdag, texts, ring, given, { viaBackfill: Boolean(values.backfill), allowEmpty: contract });
    const combined = combineReports(validated.roomVersion, validated.reports, loaded);
    for (const input of combined.inputs) {
      for (const p of input.problems) if (p.code === ROOM_VERSION_MISMATCH) io.stderr.write(`mxdag check: warning: ${p.message}\n`);
    }
    if (contract) {
      combined.contract = checkContract(mxdag, values.request, body, status, texts[0].text, rooms, validated.roomVersion ?? undefined);
    }
    io.stdout.write(values.json ? JSON.stringify(combined, null, 2) + "\n" : formatHuman(combined));
    return combined.valid && (combined.contract?.ok ?? true) ? 0 : 1;
  });
}
