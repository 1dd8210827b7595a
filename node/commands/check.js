// `mxdag check FILE... [--keys FILE]... [--room-version V] [--json]`: judges every PDU in
// the files (format, event ID, content hash, signatures) and prints a report.
// Exit codes: 0 every event valid, 1 any event not valid, 2 unusable input or arguments.
import { parseArgs, UsageError, withUsage } from "../args.js";
import { InputError, readKeyResponses, readText } from "../input.js";

export const summary = "validate PDUs from federation answers, PDU files or NDJSON";

export const usage = `Usage: mxdag check FILE... [--keys FILE]... [--room-version V] [--json]

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
  --json               print the report as JSON (see docs/report-schema.md)
  -h, --help           this help

Exit status: 0 when every event is valid, 1 when any is not, 2 on unusable input or
arguments.
`;

const OPTIONS = {
  keys: { type: "string", multiple: true },
  "room-version": { type: "string" },
  backfill: { type: "boolean" },
  json: { type: "boolean" },
};

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
  lines.push(
    `room version ${combined.room_version}: ${c.total} event(s), ${c.valid} valid, ${c.redacted} redacted, ${c.dropped} dropped — ${combined.valid ? "all valid" : "NOT all valid"}`,
  );
  return lines.join("\n") + "\n";
}

/** Runs `mxdag check`. */
export async function run(args, io) {
  return withUsage(io, usage, async () => {
    const { values, positionals } = parseArgs(args, OPTIONS);
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError("check needs at least one FILE");
    const roomVersion = values["room-version"];
    if (roomVersion !== undefined && !/^(?:[1-9]|1[0-2])$/.test(roomVersion)) {
      throw new UsageError(`--room-version must be 1–12, not ${JSON.stringify(roomVersion)}`);
    }
    try {
      const texts = positionals.map((file) => ({ file, text: readText(file) }));
      const { mxdag } = await import("../wasm.js");
      const { ring, loaded } = loadKeys(mxdag, values.keys ?? []);
      const options = { viaBackfill: Boolean(values.backfill) };
      const validated = validateFiles(mxdag, texts, ring, roomVersion, options);
      const combined = combineReports(validated.roomVersion, validated.reports, loaded);
      io.stdout.write(values.json ? JSON.stringify(combined, null, 2) + "\n" : formatHuman(combined));
      return combined.valid ? 0 : 1;
    } catch (error) {
      if (error instanceof InputError) {
        io.stderr.write(`mxdag check: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  });
}
