// Reading input files for the mxdag commands: federation answers, bare PDUs, arrays and
// NDJSON, split into the raw JSON text of each PDU so that the core parses every event
// itself (duplicate keys, big numbers and deep nesting are the core's to judge, and one
// broken event does not hide the others).
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

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipWhitespace(text, i) {
  while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  return i;
}

/** The index after the string starting at `i` (a `"`), or -1 if it never ends. */
function skipString(text, i) {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/**
 * The index after the JSON value starting at `i`, or -1 when the text ends inside it.
 * Only boundaries are found here (iteratively, so any nesting depth is fine); whether the
 * value is valid JSON is for the parser to say.
 */
export function skipValue(text, i) {
  const first = text.charCodeAt(i);
  if (first === 0x22) return skipString(text, i);
  if (first !== 0x7b && first !== 0x5b) {
    while (i < text.length && !/[\s,\]}]/.test(text[i])) i++;
    return i;
  }
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const end = skipString(text, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The members of the object or elements of the array at `start`: `{items: [{key, start,
 * end}], complete}`; `complete` is false when the text ends (or breaks) inside it, and
 * `items` then holds what came before, the broken last item included.
 */
export function children(text, start) {
  const isObject = text[start] === "{";
  const items = [];
  let i = skipWhitespace(text, start + 1);
  if (text[i] === (isObject ? "}" : "]")) return { items, complete: true, end: i + 1 };
  while (i < text.length) {
    let key;
    if (isObject) {
      const keyEnd = text[i] === '"' ? skipString(text, i) : -1;
      if (keyEnd < 0) break;
      try {
        key = JSON.parse(text.slice(i, keyEnd));
      } catch {
        break;
      }
      i = skipWhitespace(text, keyEnd);
      if (text[i] !== ":") break;
      i = skipWhitespace(text, i + 1);
    }
    const end = skipValue(text, i);
    items.push({ key, start: i, end: end < 0 ? text.length : end });
    if (end < 0) break;
    i = skipWhitespace(text, end);
    if (text[i] === ",") i = skipWhitespace(text, i + 1);
    else if (text[i] === (isObject ? "}" : "]")) return { items, complete: true, end: i + 1 };
    else break;
  }
  return { items, complete: false, end: text.length };
}

/** A function giving the line number (1-based) of offsets asked for in increasing order. */
function lineCounter(text) {
  let line = 1;
  let at = 0;
  return (i) => {
    for (let k = text.indexOf("\n", at); k >= 0 && k < i; k = text.indexOf("\n", k + 1)) line++;
    at = Math.max(at, i);
    return line;
  };
}

function decode(file, bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw new InputError(file, "is not UTF-8 text");
  }
}

/** Splits NDJSON (one JSON value per line; blank lines skipped) into `{raw, line}`. */
function ndjson(text) {
  return text
    .split("\n")
    .map((raw, index) => ({ raw: raw.trim(), line: index + 1 }))
    .filter(({ raw }) => raw !== "");
}

/**
 * Finds the PDUs in one file's text. Returns `{shape, pdus: [{raw, file, index, line}],
 * problems: [{code, message}]}`. Shapes: `transaction` (`{origin, origin_server_ts, pdus}`
 * of /backfill, /forwards_fill and /event), `get_missing_events` (`{events}`), `pdu` (one
 * bare PDU), `array` (a JSON array of PDUs) and `ndjson` (one PDU per line). Throws an
 * InputError when nothing usable is there.
 */
export function splitPdus(file, text) {
  const start = skipWhitespace(text, 0);
  if (start >= text.length) throw new InputError(file, "is empty");
  const problems = [];
  const end = skipValue(text, start);
  const rest = end < 0 ? text.length : skipWhitespace(text, end);
  if (end > 0 && rest < text.length) {
    const lines = ndjson(text);
    return { shape: "ndjson", pdus: lines.map((l, index) => ({ raw: l.raw, file, index, line: l.line })), problems };
  }
  const list = (shape, from, label) => {
    const { items, complete } = children(text, from);
    if (!complete) {
      problems.push({
        code: "truncated_input",
        message: `${file}: ${label} breaks off after ${items.length} item(s) (the last one may be cut short); each is still checked`,
      });
    }
    const lineOf = lineCounter(text);
    const pdus = items.map((item, index) => ({
      raw: text.slice(item.start, item.end),
      file,
      index,
      line: lineOf(item.start),
    }));
    return { shape, pdus, problems };
  };
  if (text[start] === "[") return list("array", start, "the array");
  if (text[start] !== "{") throw new InputError(file, `is not JSON: it starts with ${JSON.stringify(text.slice(start, start + 12))}`);
  const { items } = children(text, start);
  const member = (key) => items.find((item) => item.key === key && text[item.start] === "[");
  const pdus = member("pdus");
  if (pdus) return list("transaction", pdus.start, "`pdus`");
  const events = member("events");
  if (events) return list("get_missing_events", events.start, "`events`");
  if (items.some((item) => item.key === "verify_keys" || item.key === "server_keys")) {
    throw new InputError(file, "is a server key response, not events: pass it with --keys");
  }
  if (items.some((item) => item.key === "type") || end < 0) {
    const raw = text.slice(start, end < 0 ? text.length : end);
    return { shape: "pdu", pdus: [{ raw, file, index: 0, line: lineCounter(text)(start) }], problems };
  }
  throw new InputError(file, "is JSON but neither a transaction ({pdus}), a /get_missing_events answer ({events}), a PDU, an array of PDUs nor NDJSON");
}

/** Reads and splits one events file (see `splitPdus`). */
export function readPdus(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(file, `cannot be read (${error.code ?? error.message})`);
  }
  return splitPdus(file, decode(file, bytes));
}

/**
 * Reads a keys file: one `/_matrix/key/v2/server` response, a notary answer
 * (`{server_keys: […]}`), an array of responses, or NDJSON of them. Returns the raw JSON
 * text of each response or notary answer.
 */
export function readKeyResponses(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(file, `cannot be read (${error.code ?? error.message})`);
  }
  const text = decode(file, bytes);
  const start = skipWhitespace(text, 0);
  if (start >= text.length) throw new InputError(file, "is empty");
  const end = skipValue(text, start);
  if (end < 0) throw new InputError(file, "ends in the middle of a JSON value");
  if (skipWhitespace(text, end) < text.length) return ndjson(text).map((l) => l.raw);
  if (text[start] === "[") {
    const { items, complete } = children(text, start);
    if (!complete) throw new InputError(file, "is not a well-formed JSON array");
    return items.map((item) => text.slice(item.start, item.end));
  }
  if (text[start] !== "{") throw new InputError(file, "is not a JSON object, array or NDJSON");
  return [text.slice(start, end)];
}

/**
 * The room version the input declares: `content.room_version` of an `m.room.create`
 * among the PDUs ("1" when the create event has none, as the spec says), or undefined.
 */
export function roomVersionOf(pdus) {
  for (const { raw } of pdus) {
    if (!raw.includes("m.room.create")) continue;
    let event;
    try {
      event = JSON.parse(raw);
    } catch {
      continue;
    }
    if (event?.type === "m.room.create" && event.state_key === "") {
      const version = event.content?.room_version;
      return typeof version === "string" ? version : "1";
    }
  }
  return undefined;
}
