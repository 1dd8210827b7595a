// `mxdag check FILE... [--keys FILE]... [--room-version V] [--json]`: judges every PDU in
// the files (format, event ID, content hash, signatures) and prints a report. With
// `--request "GET /_matrix/federation/v1/backfill/…"` it also judges the one RESPONSE file
// against that endpoint's contract, given the events already held (`--dag FILE…`).
// Exit codes: 0 every event valid, 1 any event not valid, 2 unusable input or arguments.
import { runCommand, UsageError } from "../args.js";
import { InputError, readKeyResponses, readText } from "../input.js";
import { loadDags } from "./dag.js";

export const summary = "validate PDUs from federation answers, PDU files or NDJSON";

export const usage = `Usage: mxdag check FILE... [--keys FILE]... [--room-version V] [--json]
       mxdag check --request "GET /_matrix/federation/v1/backfill/…" RESPONSE [--body FILE]
                   [--status N] [--dag FILE]... [--keys FILE]... [--json]

Judges each PDU as a homeserver does on receipt: format for the room version, event ID,
signatures (against the keys given), content hash. FILE may be a /backfill, /forwards_fill
or /event transaction ({origin, origin_server_ts, pdus}), a /get_missing_events answer
({events}), a PDU, a JSON array of PDUs, or NDJSON (one PDU per line).

Options:
  --keys FILE          GET /_matrix/key/v2/server responses or notary answers (JSON, an
                       array of them, or NDJSON); repeatable
  --room-version V     the room version (1–12); default: from an m.room.create event in
                       the input
  --backfill           the events came by /backfill: the 20 prev_events / 10 auth_events
                       limits are warnings, as the spec asks
  --request LINE       the request RESPONSE answered, as logged (method, path, query):
                       /backfill, /get_missing_events or forwards fill (stable or
                       unstable); adds the contract verdict: ok, ordering, problems
  --body FILE          the JSON body of POST /get_missing_events
  --status N           the HTTP status of RESPONSE (default 200; error bodies such as
                       404 M_UNRECOGNIZED are understood)
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

/**
 * With --request: the contract verdict of the one RESPONSE file, `{endpoint, room_id, ok,
 * ordering, problems}`, with ancestry proven through the response and the --dag events.
 */
function checkContract(mxdag, values, texts, rooms, roomVersion) {
  const status = values.status === undefined ? undefined : Number(values.status);
  if (status !== undefined && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
    throw new UsageError(`--status must be an HTTP status, not ${JSON.stringify(values.status)}`);
  }
  const body = values.body === undefined ? undefined : readText(values.body);
  const roomId = requestRoomId(values.request);
  const held = rooms.find((r) => r.roomId === roomId) ?? new mxdag.RoomDag(undefined, roomVersion);
  try {
    return held.checkContract(values.request, body, texts[0].text, status);
  } catch (error) {
    if (String(error.code).startsWith("request_")) throw new UsageError(`--request: ${error.message}`);
    throw error;
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

/**
 * Validates each file; a file that names no room version is judged with the version
 * another file's m.room.create gave. Returns `{roomVersion, reports: [{file, report}]}`.
 */
function validateFiles(mxdag, texts, ring, roomVersion, options) {
  const reports = new Array(texts.length);
  const waiting = [];
  texts.forEach(({ file, text }, i) => {
    try {
      reports[i] = { file, report: mxdag.validateEvents(text, roomVersion, ring, options) };
      roomVersion ??= reports[i].report.room_version;
    } catch (error) {
      if (error.code !== "unknown_room_version" || roomVersion !== undefined) throw inputError(file, error);
      waiting.push(i);
    }
  });
  if (waiting.length > 0 && roomVersion === undefined) {
    throw new UsageError(
      "no m.room.create event in the input names the room version: pass --room-version V (1–12)",
    );
  }
  for (const i of waiting) {
    const { file, text } = texts[i];
    try {
      reports[i] = { file, report: mxdag.validateEvents(text, roomVersion, ring, options) };
    } catch (error) {
      throw inputError(file, error);
    }
  }
  for (const { file, report } of reports) {
    if (report.input === "unrecognised" && report.events.length === 0) {
      const why = report.problems.map((p) => p.message).join(" ");
      throw new InputError(file, `holds no PDUs mxdag can read. ${why}`.trim());
    }
  }
  return { roomVersion, reports };
}

function inputError(file, error) {
  if (error.code === "unknown_room_version") return new UsageError(error.message);
  return new InputError(file, `${error.message}${error.code ? ` (${error.code})` : ""}`);
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
  lines.push(
    `room version ${combined.room_version}: ${c.total} event(s), ${c.valid} valid, ${c.redacted} redacted, ${c.dropped} dropped — ${combined.valid ? "all valid" : "NOT all valid"}`,
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
    const texts = positionals.map((file) => ({ file, text: readText(file) }));
    const { mxdag } = await import("../wasm.js");
    const { ring, loaded } = loadKeys(mxdag, values.keys ?? []);
    const options = { viaBackfill: Boolean(values.backfill) };
    if (values.request !== undefined && texts.length !== 1) {
      throw new UsageError("with --request, check takes exactly one RESPONSE file");
    }
    // The events already held; their m.room.create may name the room version.
    const { rooms } = values.dag?.length ? loadDags(mxdag, values.dag, [], roomVersion) : { rooms: [] };
    const heldVersion = roomVersion ?? rooms.find((r) => r.roomVersion)?.roomVersion;
    const validated = validateFiles(mxdag, texts, ring, heldVersion, options);
    const combined = combineReports(validated.roomVersion, validated.reports, loaded);
    if (values.request !== undefined) {
      combined.contract = checkContract(mxdag, values, texts, rooms, validated.roomVersion);
    }
    io.stdout.write(values.json ? JSON.stringify(combined, null, 2) + "\n" : formatHuman(combined));
    return combined.valid && (combined.contract?.ok ?? true) ? 0 : 1;
  });
}
