// The room session the commands share: one `RoomSession` (src/session) per run, its room
// version, and the keys given by --keys, --trusted-key and --trusted-keys.
import { UsageError } from "./args.js";
import { InputError, readInput } from "./input.js";
import { ingestParallel } from "./parallel.js";
import { progressBar } from "./progress.js";

/** The options every command that judges events takes. */
export const SESSION_OPTIONS = {
  "room-version": { type: "string" },
  keys: { type: "string", multiple: true },
  "trusted-key": { type: "string", multiple: true },
  "trusted-keys": { type: "string", multiple: true },
};

/** Their help text. */
export const SESSION_HELP = `  --room-version V     the room version (1–12) of every event; default: each room's
                       own, as its m.room.create event (or a tardis scenario) in the
                       inputs names it; one given that contradicts an input's own is
                       used, with a room_version_mismatch warning
  --keys FILE          server keys: /_matrix/key/v2/server responses, notary answers,
                       or rows of Synapse's server_keys_json / server_signature_keys
                       tables (JSON, arrays, NDJSON, tab-separated); repeatable
  --trusted-key "SERVER_NAME KEY_ID BASE64"
                       trust this public key as given (e.g. "example.org ed25519:auto
                       <unpadded base64>"); repeatable
  --trusted-keys FILE  trust the keys of Synapse's trusted_key_servers list (YAML or
                       JSON: the homeserver.yaml, or [{server_name, verify_keys}]);
                       repeatable. Keys trusted so are marked in every report
`;

/** Codes of an input that cannot be read at all (src/input, src/canonical_json). */
const UNUSABLE = new Set(["input_empty", "input_not_json", "input_shape_unknown", "json_syntax"]);

/** The shapes of src/input in words, for messages. */
const SHAPE_WORDS = {
  transaction: "a transaction",
  get_missing_events: "a /get_missing_events answer",
  error_response: "an error answer",
  pdu: "a PDU",
  array: "a JSON array",
  ndjson: "NDJSON",
  synapse_event_json: "event_json rows",
  client_context: "a client-API /context answer",
  client_messages: "a client-API /messages answer",
  client_state: "a client-API state answer",
  client_sync: "a client-API /sync answer",
  element_export: "an Element chat export",
  tardis_scenario: "a tardis scenario",
  server_keys: "server keys",
  trusted_keys: "trusted keys",
  synapse_keys: "key-table rows",
};

/**
 * The InputError of a file that gave no event: the core's reasons, else the shape it was
 * read as (`holds no events mxdag can read. The input is a transaction with no events.`).
 */
export function noEvents(file, report) {
  const why = report.problems.map((p) => p.message).join(" ") || `The input is ${SHAPE_WORDS[report.input] ?? report.input} with no events.`;
  return new InputError(file, `holds no events mxdag can read. ${why}`);
}

/**
 * How many of an input's events wait for a room version: none was known to compute their
 * IDs (`IngestReport.waiting`). They are `unchecked`, each with an `unknown_room_version`
 * warning.
 */
export function waitingForRoomVersion(report) {
  return report.room_version === null ? report.waiting : 0;
}

/** What to do about `count` events that wait for a room version, in words. */
export function roomVersionAdvice(count) {
  return `${count} event(s) wait for a room version: no m.room.create event in the inputs names it; pass --room-version V (1–12)`;
}

/**
 * Whether an input tells something that needs no room version: a problem of the input as a
 * whole (a truncated list, a refused key), or an event judged without one (dropped for not
 * being an object, client format).
 */
function toldWithoutRoomVersion(report) {
  const inputProblem = report.problems.some((p) => p.code !== "unknown_room_version") || report.keys.problems.length > 0;
  return inputProblem || report.findings.length > 0 || report.events.length > report.waiting;
}

/**
 * The `{file, report}` whose events wait for a room version when waiting events are all
 * that `reports` tell: the room-version error (noRoomVersion) is then the whole answer.
 * Undefined when no event waits, or when an input tells more: the reports are then given,
 * with the waiting events counted (roomVersionAdvice).
 */
export function onlyWaitingForRoomVersion(reports) {
  if (reports.some(({ report }) => toldWithoutRoomVersion(report))) return undefined;
  return reports.find(({ report }) => waitingForRoomVersion(report) > 0);
}

/**
 * The InputError of events whose IDs need a room version that neither the inputs nor an
 * option names: the core's reason when the input names one it does not know.
 */
export function noRoomVersion(file, report) {
  const unknown = report.problems.find((p) => p.code === "unknown_room_version");
  if (unknown !== undefined) return new InputError(file, unknown.message);
  return new InputError(file, roomVersionAdvice(waitingForRoomVersion(report)));
}

/** `--room-version` checked, or undefined. */
export function roomVersionOption(values) {
  const version = values["room-version"];
  if (version !== undefined && !/^(?:[1-9]|1[0-2])$/.test(version)) {
    throw new UsageError(`--room-version must be 1–12, not ${JSON.stringify(version)}`);
  }
  return version;
}

/** The room version the first input naming one names (its m.room.create, or a scenario's). */
export function roomVersionNamed(mxdag, inputs) {
  for (const { file, input } of inputs) {
    if (!input.includes("m.room.create") && !input.includes("tardis_version")) continue;
    try {
      const version = mxdag.roomVersionOf(input);
      if (version !== undefined) return version;
    } catch (error) {
      throw new InputError(file, error.message);
    }
  }
  return undefined;
}

/**
 * A session for the run: the room version given, else the one `inputs` name; the keys of
 * the key options added. Returns `{session, keys}`, `keys` one `{file, added, keys,
 * problems}` per key source. Of several inputs, the first that names a version names it
 * for inputs that name none (so it is read before any is taken), while each room is
 * judged with the version its own `m.room.create` names; a single input names its own as
 * the session takes it (a pass over it beforehand cost a 97 MB file a fifth of a second
 * before any worker could start).
 */
export async function openSession(mxdag, values, inputs) {
  const given = roomVersionOption(values);
  const named = given === undefined && inputs.length > 1 ? roomVersionNamed(mxdag, inputs) : undefined;
  const session = new mxdag.RoomSession(undefined, given);
  if (named !== undefined) session.nameRoomVersion(named);
  const keys = [];
  const add = (file, text) => {
    const report = session.addKeys(text);
    if (report.added === 0 && report.problems.some((p) => UNUSABLE.has(p.code))) {
      session.free();
      throw new InputError(file, `holds no keys mxdag can read. ${report.problems.map((p) => p.message).join(" ")}`);
    }
    keys.push({ file, added: report.added, keys: report.keys, problems: [...report.problems] });
  };
  for (const file of values.keys ?? []) add(file, (await readInput(file)).input);
  for (const line of values["trusted-key"] ?? []) add("--trusted-key", line);
  for (const file of values["trusted-keys"] ?? []) add(file, (await readInput(file)).input);
  return { session, keys };
}

/** One line per key source: what was added (trusted ones marked) and why anything was refused. */
export function formatKeys(keys) {
  const lines = [];
  for (const k of keys) {
    const names = k.keys.map((key) => `${key.server_name} ${key.key_id}${key.trusted ? ` (trusted: ${key.trusted})` : ""}`);
    const added = k.added ? `${k.added} key(s) added: ${names.join(", ")}` : "no key added";
    lines.push(`${k.file}: ${added}${k.problems.length ? `; ${k.problems.length} refused` : ""}`);
    for (const p of k.problems) lines.push(`      ${p.severity}: ${p.code}: ${p.message}`);
  }
  return lines;
}

/**
 * Takes one input into the session (`session.ingest`), a large one judged on every core
 * (node/parallel.js), with a progress bar on `io.stderr` when it is a terminal.
 */
export async function ingestInput(mxdag, session, input, options, io) {
  const bar = progressBar(io?.stderr, `mxdag: judging ${options.source ?? "input"}`);
  try {
    return await ingestParallel(mxdag, session, input, options, { onProgress: bar.update });
  } finally {
    bar.end();
  }
}

/**
 * Frees `session`'s wasm memory, unless the process ends when the command returns
 * (`io.exiting`, set by the CLI): dropping a session of 100,000 events allocation by
 * allocation took 60 ms that ending the process does at once.
 */
export function release(session, io) {
  if (!io?.exiting) session.free();
}
