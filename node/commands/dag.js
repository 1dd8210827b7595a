// `mxdag dag FILE... [--json] [--room-version V] [--outliers FILE]...`: loads responses,
// NDJSON or Synapse event_json exports into one room DAG per room and prints counts,
// forward and backward extremities, outliers, forks, the depth range and consistency
// findings. Exit codes: 0 no refusal and no error-level finding, 1 any, 2 unusable input or
// arguments (or no room version known for events that need one).
import { runCommand, UsageError } from "../args.js";
import { InputError, ROOM_VERSION_MISMATCH, readText, roomVersionMismatch } from "../input.js";

export const summary = "walk a room's DAG: extremities, gaps, outliers, forks, findings";

export const usage = `Usage: mxdag dag FILE... [--json] [--room-version V] [--outliers FILE]... [--keys FILE]...

Loads every event of the files into one DAG per room and prints, per room: counts, the
depth range, forward extremities (tips), backward extremities (gaps: missing events with
the events that reference them), outliers, forks and consistency findings (prev_events
cycles, depths that do not increase, event IDs reused with other content, events of
other rooms). FILE may be a /backfill or /forwards_fill transaction, a
/get_missing_events answer, a JSON array, NDJSON (one event per line, as tardis writes),
a bare PDU, or rows of Synapse's event_json table: {event_id, json} objects (sqlite3
-json) or tab-separated rows (sqlite3 -tabs, PostgreSQL COPY ... TO STDOUT).

Options:
  --json               print {inputs: [{file, shape, room_version, added, refused,
                       problems}], rooms: [{room_id, counts, depth_range,
                       forward_extremities, backward_extremities: [{event_id,
                       referenced_by, ...}], outliers, forks: [{event_id, children}],
                       findings}]}: one input per file, one room object per room
  --room-version V     the room version (1–12), to compute event IDs of v3+ PDUs;
                       default: from an m.room.create event in the input
  --outliers FILE      events to hold as outliers (state, auth chains); repeatable
  --keys FILE          accepted for symmetry with check; the DAG does not verify signatures
  -h, --help           this help

Exit status: 0 when every event was added and no room has an error-level finding; 1 when
events were refused (unreadable, malformed or of another room version: the inputs'
problems say why) or a room has an error-level finding; 2 on unusable input or arguments,
or when the events need a room version that no m.room.create names (pass --room-version).
`;

const OPTIONS = {
  json: { type: "boolean" },
  "room-version": { type: "string" },
  outliers: { type: "string", multiple: true },
  keys: { type: "string", multiple: true },
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
  const lines = [`room ${s.room_id ?? "(unknown)"}: ${c.timeline} timeline event(s), ${c.outliers} outlier(s)${depths}, ${c.merges} merge(s)`];
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

/** The InputError of events whose IDs need a room version that neither the input nor an option names. */
export function noRoomVersion(file) {
  return new InputError(file, "no m.room.create event in the input names the room version: pass --room-version V (1–12)");
}

/** Whether an input's events were refused because no room version was known to compute their IDs. */
function neededRoomVersion(input) {
  return input.room_version === null && input.problems.some((p) => p.code === "dag_unreadable_event" && p.path.endsWith(".event_id"));
}

/** Loads `files` (and `outlierFiles`) into one RoomDag per room; returns the rooms and inputs. */
export function loadDags(mxdag, files, outlierFiles = [], roomVersion = undefined) {
  const texts = files.map((file) => ({ file, text: readText(file) }));
  const outlierTexts = outlierFiles.map((file) => ({ file, text: readText(file) }));
  let loaded;
  try {
    loaded = mxdag.RoomDag.loadRooms(texts.map((t) => t.text), roomVersion);
  } catch (error) {
    if (error.code === "unknown_room_version") throw new UsageError(error.message);
    throw error;
  }
  const inputs = loaded.inputs.map((input, i) => {
    const mismatch = roomVersionMismatch(mxdag, texts[i], roomVersion, "given by --room-version");
    if (mismatch) input.problems.unshift(mismatch);
    return { file: texts[i].file, ...input };
  });
  for (const { file, text } of outlierTexts) {
    // Outliers join the room they name; one room is the usual case.
    const report = loaded.rooms[0]?.addInput(text, true);
    if (report) inputs.push({ file, ...report });
  }
  if (roomVersion === undefined) {
    const unversioned = inputs.find(neededRoomVersion);
    if (unversioned !== undefined) throw noRoomVersion(unversioned.file);
  }
  for (const input of inputs) {
    if (input.added === 0 && input.refused === 0) {
      const why = input.problems.map((p) => p.message).join(" ");
      throw new InputError(input.file, `holds no events mxdag can read. ${why}`.trim());
    }
  }
  return { rooms: loaded.rooms, inputs };
}

/** Runs `mxdag dag`. */
export async function run(args, io) {
  return runCommand({ name: "dag", usage, options: OPTIONS }, args, io, async (values, positionals) => {
    if (positionals.length === 0) throw new UsageError("dag needs at least one FILE");
    const { mxdag } = await import("../wasm.js");
    const { rooms, inputs } = loadDags(mxdag, positionals, values.outliers ?? [], values["room-version"]);
    const summaries = rooms.map((room) => room.summary());
    rooms.forEach((room) => room.free());
    for (const i of inputs) {
      for (const p of i.problems) if (p.code === ROOM_VERSION_MISMATCH) io.stderr.write(`mxdag dag: warning: ${p.message}\n`);
    }
    if (values.json) {
      io.stdout.write(JSON.stringify({ inputs, rooms: summaries }, null, 2) + "\n");
    } else {
      const lines = inputs.map((i) => {
        const errors = i.problems.filter((p) => p.severity === "error").length;
        return `${i.file}: ${i.shape}, ${i.added} event(s) added, ${i.refused} refused${errors ? ` (${errors} error(s); mxdag check tells why)` : ""}`;
      });
      io.stdout.write([...lines, ...summaries.map(formatRoom)].join("\n") + "\n");
    }
    const refused = inputs.some((i) => i.refused > 0);
    const failed = summaries.some((s) => s.findings.some((p) => p.severity === "error"));
    return refused || failed ? 1 : 0;
  });
}
