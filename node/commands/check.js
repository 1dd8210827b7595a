// `mxdag check FILE... [--keys FILE]... [--trusted-key K]... [--room-version V] [--json]`:
// judges every event in the files as a homeserver does on receipt (format, event ID,
// content hash, signatures) and prints a report. With `--request "GET …"` it also judges
// the one RESPONSE file against that endpoint's contract, given the events already held
// (`--dag FILE…`). Every file goes through one RoomSession (src/session).
// Exit codes: 0 every event valid, 1 anything invalid (or the contract broken), 2 unusable
// input or arguments (or only events waiting for a room version), 3 nothing invalid but
// some events unchecked (keys not held, events that are no PDU, or waiting for a version).
// The JSON report: docs/report-schema.md.
import { runCommand, UsageError, withRequestLine } from "../args.js";
import { readInput, readText } from "../input.js";
import {
  SESSION_HELP,
  SESSION_OPTIONS,
  formatKeys,
  ingestInput,
  noEvents,
  noRoomVersion,
  onlyWaitingForRoomVersion,
  openSession,
  release,
  roomVersionAdvice,
  waitingForRoomVersion,
} from "../session.js";

export const summary = "validate events: federation answers, PDU files, exports, client-API answers";

/** Events listed one by one per input in the human-readable report, unless `--all`. */
export const MAX_LISTED = 1000;

export const usage = `Usage: mxdag check FILE... [--keys FILE]... [--trusted-key K]... [--room-version V] [--backfill] [--json]
       mxdag check --request "GET /_matrix/federation/v1/backfill/…" RESPONSE [--body FILE]
                   [--status N] [--dag FILE]... [--keys FILE]... [--room-version V]
                   [--backfill] [--json]

Judges each event as a homeserver does on receipt: format for the room version, event ID,
signatures (against the keys given), content hash. FILE may be a /backfill, /forwards_fill
or /event transaction, a /get_missing_events answer, a PDU, a JSON array or NDJSON of
events, rows of Synapse's event_json table, a client-API /context, /messages or /sync
answer (event_format: federation), or a tardis scenario (.json5). Exports that add
event_id (or the client API's age, user_id…) to room version 3+ PDUs are judged without
those keys, and the written ID is compared with the computed one. Key files may be given
as FILE too.

Options:
${SESSION_HELP}  --backfill           the events came by /backfill: the 20 prev_events / 10 auth_events
                       limits are warnings, as the spec asks
  --request LINE       the request RESPONSE answered, as logged (method, path, query):
                       /backfill, /get_missing_events, forwards fill (MSC4000, any of
                       its three paths), /timestamp_to_event (or MSC3030's unstable
                       path) or MSC4370 /extremities; adds the contract verdict: ok,
                       ordering, problems
  --body FILE          the JSON body of POST /get_missing_events
  --status N           the HTTP status of RESPONSE (default 200; error bodies such as
                       404 M_UNRECOGNIZED are understood: an error answer holds no events,
                       so only its contract is judged and no room version is needed)
  --dag FILE           events already held, to prove ancestry; repeatable
  --json               print the report as JSON (see docs/report-schema.md)
  --all                list every invalid event one by one (by default the first
                       ${MAX_LISTED} of each input, the rest counted and their problems
                       summed up)
  -h, --help           this help

Verdicts: valid; redacted (content hash broken, signatures hold: pruned by the sender or
tampered); rejected (persisted as rejected by servers: over-long fields in room versions
1–10, or the authorization rules fail against the event's auth events or the state before
it); soft_failed (fails them only against the current state of the room held); unchecked
(a signing key is not held: pass it with --keys or --trusted-key; the event is no PDU:
client format, tardis scenario; or no room version is known to compute its ID: pass
--room-version); dropped. Events whose auth events are not held keep the verdict of checks
1–3: the line "check 4 (authorization rules)" counts them and names the auth events missing.

Exit status: 0 when every event is valid (and the contract kept), 1 when anything is
invalid (a key given refused, or the contract broken), 2 on unusable input or arguments (or only events that
wait for a room version), 3 when nothing is invalid but some events are unchecked.
`;

const OPTIONS = {
  ...SESSION_OPTIONS,
  backfill: { type: "boolean" },
  json: { type: "boolean" },
  all: { type: "boolean" },
  request: { type: "string" },
  body: { type: "string" },
  status: { type: "string" },
  dag: { type: "string", multiple: true },
};

/** Exit status of each outcome. */
export const EXIT = { valid: 0, invalid: 1, unchecked: 3 };

/** Reads --status: `undefined` when not given, else an HTTP status. */
function statusOption(values) {
  if (values.status === undefined) return undefined;
  const status = Number(values.status);
  if (!(/^\d+$/.test(values.status) && status >= 100 && status <= 599)) {
    throw new UsageError(`--status must be an HTTP status, not ${JSON.stringify(values.status)}`);
  }
  return status;
}

/** Whether an input holds keys and no events. */
function onlyKeys(mxdag, { input }) {
  return mxdag.RoomSession.holdsOnlyKeys(input);
}

/** Throws an InputError when a file gave nothing to judge, with the core's reason. */
function requireContent(file, report, answer) {
  if (report.events.length > 0 || report.keys.added > 0 || report.keys.problems.length > 0) return;
  if (answer && report.input !== "unrecognised") return;
  throw noEvents(file, report);
}

/** Auth events not held named one by one in the text report; `--json` lists them all. */
const NOT_HELD_SHOWN = 5;

/** Check 4's outcome in words: the counts, and the auth events not held. */
function authorisationLine({ allowed, rejected, not_run, not_held }) {
  let line = `check 4 (authorization rules): ${allowed} allowed, ${rejected} rejected, ${not_run} not run`;
  if (not_held.length > 0) {
    const more = not_held.length > NOT_HELD_SHOWN ? ` (and ${not_held.length - NOT_HELD_SHOWN} more)` : "";
    line += ` — auth events not held: ${not_held.slice(0, NOT_HELD_SHOWN).join(", ")}${more}`;
  }
  return line;
}

/** The keys a key source (`{added, keys, problems}`) had refused: errors of the input. */
const refusedKeys = (keys) => keys.problems.filter((p) => p.severity === "error").length;

/** The key sources of a combined report: the key options, then key files given as FILE. */
const keySources = (combined) => [...combined.keys, ...combined.inputs.map((i) => i.keys).filter(Boolean)];

/**
 * The report as `--json` prints it (docs/report-schema.md). Its outcome is the worst of the
 * inputs', and `invalid` when a key given (by a key option or as FILE) was refused.
 */
export function combineReports(roomVersion, reports, keys, auth) {
  const counts = { total: 0, valid: 0, redacted: 0, rejected: 0, soft_failed: 0, unchecked: 0, dropped: 0 };
  const missing = new Map();
  const inputs = [];
  const events = [];
  const rank = { valid: 0, unchecked: 1, invalid: 2 };
  let outcome = "valid";
  for (const { file, report } of reports) {
    for (const key of Object.keys(counts)) counts[key] += report.counts[key];
    for (const m of report.missing_keys) missing.set(`${m.server_name} ${m.key_id}`, m);
    const input = { file, input: report.input, counts: report.counts, problems: report.problems, findings: report.findings };
    if (report.title) input.title = report.title;
    const waiting = waitingForRoomVersion(report);
    if (waiting > 0) input.waiting_for_room_version = waiting;
    if (report.keys.added || report.keys.problems.length) input.keys = report.keys;
    inputs.push(input);
    for (const event of report.events) events.push({ file, ...event });
    if (rank[report.outcome] > rank[outcome]) outcome = report.outcome;
  }
  if (keySources({ keys, inputs }).some(refusedKeys)) outcome = "invalid";
  return { room_version: roomVersion, valid: outcome === "valid", outcome, counts, auth, inputs, keys, missing_keys: [...missing.values()], events };
}

const MARK = { valid: "ok", redacted: "REDACTED", rejected: "REJECTED", soft_failed: "SOFT-FAILED", unchecked: "UNCHECKED", dropped: "DROPPED" };

function formatProblem(p) {
  return `      ${p.severity}: ${p.code} at ${p.path}: ${p.message}`;
}

/** The counts in words. */
function countsLine(c) {
  return `${c.total} event(s): ${c.valid} valid, ${c.redacted} redacted, ${c.rejected} rejected, ${c.soft_failed} soft-failed, ${c.unchecked} unchecked, ${c.dropped} dropped`;
}

/** Whether an event is listed on its own: not valid nor unchecked, or with an error. */
const listed = (event) => !["valid", "unchecked"].includes(event.verdict) || event.problems.some((p) => p.severity === "error");

/**
 * The problems of events not listed on their own, once per severity and code: how many
 * events, and the first message (14 client-format events say so in one line).
 */
function summarised(events, counted = (e) => !listed(e)) {
  const byCode = new Map();
  for (const event of events.filter(counted)) {
    for (const p of event.problems) {
      const key = `${p.severity} ${p.code}`;
      const seen = byCode.get(key) ?? { count: 0, p };
      seen.count++;
      byCode.set(key, seen);
    }
  }
  return [...byCode.values()].map(({ count, p }) => `  ${p.severity}: ${p.code} on ${count} event(s), e.g. ${p.message}`);
}

/**
 * The human-readable report: invalid events one by one (the first `MAX_LISTED` of each
 * input, unless `all`), the rest's problems summed up; `versions`, the room versions of
 * the session's rooms, named in the last line when there are several.
 */
export function formatHuman(combined, { all = false, versions = [] } = {}) {
  const lines = formatKeys(combined.keys);
  for (const input of combined.inputs) {
    lines.push(`${input.file}: ${input.input}${input.title ? ` “${input.title.split("\n")[0]}”` : ""}, ${countsLine(input.counts)}`);
    if (input.keys) lines.push(...formatKeys([{ file: "  keys in the file", ...input.keys }]));
    for (const p of input.problems) lines.push(formatProblem(p));
    // The DAG's findings, but for IDs an input wrote wrongly: those are told with their event.
    for (const p of input.findings.filter((f) => f.code !== "event_id_mismatch")) lines.push(formatProblem(p));
    const own = combined.events.filter((e) => e.file === input.file);
    const shown = own.filter(listed);
    const more = all ? [] : shown.splice(MAX_LISTED);
    for (const event of shown) {
      const how = event.verdict === "redacted" ? (event.pruned_by_sender ? " (pruned by the sending server)" : " (tampered)") : "";
      lines.push(`  ${event.label} ${event.event_id ?? "(no event ID)"}: ${MARK[event.verdict] ?? event.verdict}${how}`);
      for (const p of event.problems.filter((x) => x.severity !== "info")) lines.push(formatProblem(p));
    }
    if (more.length > 0) {
      const verdicts = new Map();
      for (const e of more) verdicts.set(e.verdict, (verdicts.get(e.verdict) ?? 0) + 1);
      const counted = [...verdicts].map(([v, n]) => `${n} ${v}`).join(", ");
      lines.push(`  … ${more.length} more event(s) not listed one by one (${counted}): --all lists them, --json reports every event; their problems:`);
      lines.push(...summarised(more, () => true));
    }
    lines.push(...summarised(own));
    if (input.waiting_for_room_version) lines.push(`  ${roomVersionAdvice(input.waiting_for_room_version)}`);
  }
  for (const m of combined.missing_keys) {
    lines.push(`missing key ${m.key_id} of ${m.server_name}: pass its /_matrix/key/v2/server response with --keys, or --trusted-key "${m.server_name} ${m.key_id} <base64>"`);
  }
  if (combined.contract) {
    const k = combined.contract;
    lines.push(`contract of ${k.endpoint}: ${k.ok ? "kept" : "BROKEN"} (ordering: ${k.ordering})`);
    for (const p of k.problems) lines.push(formatProblem(p));
  }
  const waiting = combined.inputs.some((i) => i.waiting_for_room_version);
  if (combined.auth.allowed + combined.auth.rejected + combined.auth.not_run > 0) lines.push(authorisationLine(combined.auth));
  const version = versions.length > 1 ? `room versions ${versions.join(", ")}` : combined.room_version !== null ? `room version ${combined.room_version}` : waiting ? "no room version known" : "no room version needed";
  const verdict = { valid: "all valid", unchecked: "nothing invalid, but not all checked", invalid: "NOT all valid" }[combined.outcome];
  const refused = keySources(combined).reduce((n, k) => n + refusedKeys(k), 0);
  const notRun = combined.auth.not_run > 0 ? ` (check 4 not run for ${combined.auth.not_run} event(s): see above)` : "";
  const why = refused > 0 ? ` (keys given were refused: ${refused} error(s) above)` : notRun;
  lines.push(`${version}: ${countsLine(combined.counts)} — ${verdict}${why}`);
  return lines.join("\n") + "\n";
}

/** Runs `mxdag check`. */
export async function run(args, io) {
  return runCommand({ name: "check", usage, options: OPTIONS }, args, io, async (values, positionals) => {
    if (positionals.length === 0) throw new UsageError("check needs at least one FILE");
    if (values.request !== undefined && positionals.length !== 1) {
      throw new UsageError("with --request, check takes exactly one RESPONSE file");
    }
    const status = statusOption(values);
    const { mxdag } = await import("../wasm.js");
    const contract = values.request !== undefined;
    const body = values.body === undefined ? undefined : readText(values.body);
    if (contract) {
      // A bad request line is an argument mistake, told before any file is judged.
      const probe = new mxdag.RoomDag();
      try {
        withRequestLine(() => probe.referenceAnswer(values.request, body));
      } finally {
        probe.free();
      }
    }
    const held = await Promise.all((values.dag ?? []).map(readInput));
    const inputs = await Promise.all(positionals.map(readInput));
    const { session, keys } = await openSession(mxdag, values, [...held, ...inputs]);
    try {
      for (const { file, input } of held) {
        const report = await ingestInput(mxdag, session, input, { source: file }, io);
        if (report.refused > 0) {
          const first = report.events.flatMap((e) => e.problems).find((p) => p.severity === "error");
          const why = first ? ` ${first.path}: ${first.message}` : "";
          io.stderr.write(`mxdag check: warning: --dag ${file}: ${report.refused} event(s) refused, so they prove nothing.${why}\n`);
        }
      }
      // Key files given as FILE are taken first, so that every event is judged with them
      // (the reports stay in the order given).
      const keysFirst = [...inputs].sort((a, b) => Number(onlyKeys(mxdag, b)) - Number(onlyKeys(mxdag, a)));
      const taken = new Map();
      for (const input of keysFirst) {
        const options = { source: input.file, viaBackfill: Boolean(values.backfill) };
        const report = contract
          ? withRequestLine(() => session.ingest(input.input, { ...options, request: values.request, body, status }))
          : await ingestInput(mxdag, session, input.input, options, io);
        taken.set(input, report);
      }
      const reports = inputs.map((input) => {
        const report = taken.get(input);
        requireContent(input.file, report, contract);
        return { file: input.file, report };
      });
      // A file that holds nothing is named (above) before events no room version was known for.
      const unversioned = onlyWaitingForRoomVersion(reports);
      if (unversioned !== undefined) throw noRoomVersion(unversioned.file, unversioned.report);
      const combined = combineReports(session.roomVersion ?? null, reports, keys, session.authSummary());
      if (contract) {
        const answered = reports[0].report.contract;
        combined.contract = answered;
        if (!answered.ok) combined.outcome = "invalid";
        combined.valid = combined.outcome === "valid";
      }
      for (const input of combined.inputs) {
        for (const p of input.problems) if (p.code === "room_version_mismatch") io.stderr.write(`mxdag check: warning: ${input.file}: ${p.message}\n`);
      }
      io.stdout.write(values.json ? JSON.stringify(combined, null, 2) + "\n" : formatHuman(combined, { all: values.all, versions: session.roomVersions() }));
      return EXIT[combined.outcome];
    } finally {
      release(session, io);
    }
  });
}
