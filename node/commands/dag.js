// `mxdag dag FILE... [--json] [--room-version V] [--outliers FILE]...`: loads responses,
// NDJSON, exports and client answers through one RoomSession into one DAG per room and
// prints, per room, counts, forward and backward extremities, outliers, forks, the depth
// range and consistency findings. Exit codes: 0 no refusal and no error-level finding, 1
// any (or events waiting for a room version), 2 unusable input or arguments (or only events
// that need a room version nobody names).
import { runCommand, UsageError } from "../args.js";
import { readInput } from "../input.js";
import {
  SESSION_HELP,
  SESSION_OPTIONS,
  ingestInput,
  noEvents,
  noRoomVersion,
  onlyWaitingForRoomVersion,
  openSession,
  roomVersionAdvice,
  waitingForRoomVersion,
} from "../session.js";

export const summary = "walk a room's DAG: extremities, gaps, outliers, forks, findings";

export const usage = `Usage: mxdag dag FILE... [--json] [--room-version V] [--outliers FILE]... [--keys FILE]...

Loads every event of the files into one DAG per room and prints, per room: counts, the
depth range, forward extremities (tips), backward extremities (gaps: missing events with
the events that reference them), outliers, forks and consistency findings (prev_events
cycles, depths that do not increase, event IDs reused with other content, IDs an input
wrote that the content contradicts, events of other rooms). FILE may be anything mxdag
check reads: a /backfill or /forwards_fill transaction, a /get_missing_events answer, a
JSON array, NDJSON (one event per line), a bare PDU, rows of Synapse's event_json table
({event_id, json} objects, or tab-separated rows from sqlite3 -tabs or PostgreSQL COPY),
a client-API /context, /messages or /sync answer (its state as outliers), or a tardis
scenario. Event IDs of room version 3+ PDUs are computed, as check computes them; an
event_id an export wrote is compared with it.

Options:
  --json               print {inputs: [{file, shape, room_version, added, refused,
                       problems, waiting_for_room_version}], rooms: [{room_id, room_version,
                       counts, depth_range,
                       forward_extremities, backward_extremities: [{event_id,
                       referenced_by, ...}], outliers, forks: [{event_id, children}],
                       findings}]}: one input per file, one room object per room
  --outliers FILE      events to hold as outliers (state, auth chains); repeatable
${SESSION_HELP}  -h, --help           this help

Exit status: 0 when every event was placed and no room has an error-level finding; 1 when
events were refused (unreadable or of another room: the inputs' problems say why), events
wait for a room version (waiting_for_room_version: they are not placed), or a room has an
error-level finding; 2 on unusable input or arguments, or when all the inputs hold is
events that need a room version that no m.room.create names (pass --room-version).
`;

const OPTIONS = {
  ...SESSION_OPTIONS,
  json: { type: "boolean" },
  outliers: { type: "string", multiple: true },
};

const SHOWN = 20;

function list(lines, title, items, show) {
  lines.push(`  ${title}: ${items.length}`);
  for (const item of items.slice(0, SHOWN)) lines.push(`    ${show(item)}`);
  if (items.length > SHOWN) lines.push(`    … and ${items.length - SHOWN} more (see --json)`);
}

/** The human-readable report of one room's summary. */
export function formatRoom(s) {
  const c = s.counts;
  const depths = s.depth_range ? `, depths ${s.depth_range[0]}–${s.depth_range[1]}` : "";
  const version = s.room_version ? ` (room version ${s.room_version})` : "";
  const lines = [`room ${s.room_id ?? "(unknown)"}${version}: ${c.timeline} timeline event(s), ${c.outliers} outlier(s)${depths}, ${c.merges} merge(s)`];
  list(lines, "forward extremities", s.forward_extremities, (id) => id);
  list(lines, "backward extremities (gaps)", s.backward_extremities, (g) => {
    const hole = g.depth_below === null ? `nothing held below` : `held again at depth ${g.depth_below}`;
    const outlier = g.held_as_outlier ? " (held as an outlier)" : "";
    return `${g.event_id}${outlier}: referenced by ${g.referenced_by.join(", ")}; depth ≈${g.estimated_depth}, ${hole}, ~${g.missing_depths} depth(s) missing`;
  });
  list(lines, "outliers", s.outliers, (id) => id);
  list(lines, "forks", s.forks, (f) => `${f.event_id} → ${f.children.join(", ")}`);
  list(lines, "findings", s.findings, (p) => `${p.severity}: ${p.code} at ${p.path}: ${p.message}`);
  return lines.join("\n");
}

/**
 * Loads `files` (and `outlierFiles`) into a RoomSession with the session options `values`;
 * returns `{session, inputs}`, one input `{file, shape, room_version, added, refused,
 * problems, …}` per file. Events waiting for a room version are counted in
 * `waiting_for_room_version`; when they are all the inputs hold, the room-version error is
 * thrown.
 */
export async function loadSession(mxdag, files, outlierFiles, values, io) {
  const texts = await Promise.all(files.map(readInput));
  const outliers = await Promise.all(outlierFiles.map(readInput));
  const { session } = await openSession(mxdag, values, [...texts, ...outliers]);
  const reports = [];
  const take = async ({ file, input }, asOutliers) => {
    const r = await ingestInput(mxdag, session, input, { source: file, outliers: asOutliers }, io);
    reports.push({ file, report: r });
    // The events' errors; a key not held (the event is unchecked) is no error of the input.
    const isError = (p) => p.severity === "error" && p.code !== "signing_key_unknown";
    const problems = [...r.problems, ...r.events.flatMap((e) => e.problems.filter(isError).map((p) => ({ ...p, path: `$[${e.index}]${p.path.slice(1)}` })))];
    const taken = { file, shape: r.input, room_version: r.room_version, added: r.added + r.known, refused: r.refused, counts: r.counts, problems, findings: r.findings };
    const waiting = waitingForRoomVersion(r);
    if (waiting > 0) taken.waiting_for_room_version = waiting;
    return taken;
  };
  const inputs = [];
  for (const t of texts) inputs.push(await take(t, false));
  for (const t of outliers) inputs.push(await take(t, true));
  // A file that holds nothing is named first, then events no room version was known for.
  const empty = reports.find(({ report: r }) => r.added + r.known + r.refused === 0 && r.counts.total === 0);
  const unversioned = onlyWaitingForRoomVersion(reports);
  if (empty !== undefined || unversioned !== undefined) {
    session.free();
    if (empty !== undefined) throw noEvents(empty.file, empty.report);
    throw noRoomVersion(unversioned.file, unversioned.report);
  }
  return { session, inputs };
}

/** Runs `mxdag dag`. */
export async function run(args, io) {
  return runCommand({ name: "dag", usage, options: OPTIONS }, args, io, async (values, positionals) => {
    if (positionals.length === 0) throw new UsageError("dag needs at least one FILE");
    const { mxdag } = await import("../wasm.js");
    const { session, inputs } = await loadSession(mxdag, positionals, values.outliers ?? [], values, io);
    const summaries = session.summaries();
    session.free();
    for (const i of inputs) {
      for (const p of i.problems) if (p.code === "room_version_mismatch") io.stderr.write(`mxdag dag: warning: ${i.file}: ${p.message}\n`);
    }
    if (values.json) {
      io.stdout.write(JSON.stringify({ inputs, rooms: summaries }, null, 2) + "\n");
    } else {
      const lines = inputs.map((i) => {
        const errors = i.problems.filter((p) => p.severity === "error").length;
        const waiting = i.waiting_for_room_version ? `; ${roomVersionAdvice(i.waiting_for_room_version)}` : "";
        return `${i.file}: ${i.shape}, ${i.added} event(s) placed, ${i.refused} refused${errors ? ` (${errors} error(s); mxdag check tells more)` : ""}${waiting}`;
      });
      io.stdout.write([...lines, ...summaries.map(formatRoom)].join("\n") + "\n");
    }
    const unplaced = inputs.some((i) => i.refused > 0 || i.waiting_for_room_version);
    const failed = summaries.some((s) => s.findings.some((p) => p.severity === "error"));
    return unplaced || failed ? 1 : 0;
  });
}
