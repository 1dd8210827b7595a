// Reading input files for the mxdag commands. Event files go to the core as text (it
// recognises transactions, /get_missing_events answers, PDUs, arrays and NDJSON, and judges
// every event's JSON itself); key files are split here into the responses they hold.
import { readFileSync } from "node:fs";

/** Input that cannot be used at all (exit code 2). */
export class InputError extends Error {
  constructor(file, message) {
    super(`${file}: ${message}`);
    this.name = "InputError";
    this.code = "unusable_input";
    this.file = file;
  }
}

/** Reads a file as UTF-8 text (a leading byte order mark is dropped). */
export function readText(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(file, `cannot be read (${error.code ?? error.message})`);
  }
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(file, "is not UTF-8 text");
  }
  text = text.replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new InputError(file, "is empty");
  return text;
}

/** Splits NDJSON text into its non-blank lines, with their 1-based line numbers. */
export function ndjsonLines(text) {
  return text
    .split("\n")
    .map((raw, index) => ({ raw: raw.trim(), line: index + 1 }))
    .filter(({ raw }) => raw !== "");
}

/**
 * Reads a keys file: one `GET /_matrix/key/v2/server` response, a notary answer
 * (`{server_keys: […]}`), a JSON array of either, or NDJSON of them. Returns each one as
 * JSON text, for `KeyRing.addResponse`.
 */
export function readKeyResponses(file) {
  const text = readText(file);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    const lines = ndjsonLines(text);
    for (const { raw, line } of lines) {
      try {
        JSON.parse(raw);
      } catch (error) {
        throw new InputError(file, `is neither JSON nor NDJSON (line ${line}: ${error.message})`);
      }
    }
    return lines.map(({ raw }) => raw);
  }
  if (Array.isArray(value)) return value.map((response) => JSON.stringify(response));
  if (value === null || typeof value !== "object") {
    throw new InputError(file, "holds no key response (a JSON object, an array of them, or NDJSON)");
  }
  return [text];
}

/** The code of the input problem that warns of a room version contradicting the input's own. */
export const ROOM_VERSION_MISMATCH = "room_version_mismatch";

/**
 * The warning for an input `{file, text}` whose m.room.create names another room version than
 * `roomVersion` (given by `source`, e.g. "--room-version"); `undefined` when they agree, when
 * no version is given, or when the input holds no create event of a known version.
 */
export function roomVersionMismatch(mxdag, { file, text }, roomVersion, source) {
  if (roomVersion === undefined || !text.includes('"m.room.create"')) return undefined;
  let own;
  try {
    own = mxdag.roomVersionOf(text);
  } catch {
    return undefined; // a create event naming an unknown version: the given one stands
  }
  if (own === undefined || own === roomVersion) return undefined;
  return {
    code: ROOM_VERSION_MISMATCH,
    path: "$",
    message: `Room version ${roomVersion} (${source}) contradicts the m.room.create event in ${file}, which names room version ${own}: the events are judged as room version ${roomVersion}.`,
    severity: "warning",
  };
}
