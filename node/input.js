// Reading input files for the mxdag commands: bytes (gzip decompressed, www/compressed.js)
// → UTF-8 text, JSON5 and YAML decoded into JSON (www/decode.js). What the text holds — events, answers, exports, keys — is
// recognised by the core (src/input), not here. A file too large for either decoder is
// handed to the core as the bytes read: decoding 100 MB into a JS string only for the core
// to encode it again cost a second of a single core before any event was judged.
import { isUtf8 } from "node:buffer";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { MAX_DECOMPRESSED, TOO_LARGE, brokenGzip, compressionOf, refusal, withoutSuffix } from "../www/compressed.js";
import { MAX_DECODED, decodeText } from "../www/decode.js";
import { UNUSABLE_INPUT } from "./codes.js";

/** Input that cannot be used at all (exit code 2). */
export class InputError extends Error {
  constructor(file, message) {
    super(`${file}: ${message}`);
    this.name = "InputError";
    this.code = UNUSABLE_INPUT;
    this.file = file;
  }
}

/**
 * Reads a file's bytes, gzip decompressed, checked to be UTF-8 and not blank, a leading
 * byte order mark dropped.
 */
function readBytes(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new InputError(file, `cannot be read (${error.code ?? error.message})`);
  }
  bytes = decompressed(file, bytes);
  if (!isUtf8(bytes)) throw new InputError(file, "is not UTF-8 text");
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  if (bytes.every(isBlank)) throw new InputError(file, "is empty");
  return bytes;
}

/**
 * `bytes` decompressed when they are gzip (at most `max` bytes of it); an InputError for
 * the other compressions and for tar archives, saying what to run.
 */
export function decompressed(file, bytes, max = MAX_DECOMPRESSED) {
  const refuse = (plain) => {
    const why = refusal(plain);
    if (why) throw new InputError(file, why);
    return plain;
  };
  if (compressionOf(refuse(bytes)) !== "gzip") return bytes;
  try {
    return refuse(gunzipSync(bytes, { maxOutputLength: max }));
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error.code === "ERR_BUFFER_TOO_LARGE") throw new InputError(file, TOO_LARGE);
    throw new InputError(file, brokenGzip(error.message));
  }
}

/** Whether a byte is JSON whitespace (stops `every` at the first other byte). */
function isBlank(byte) {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Reads a file as UTF-8 text (a leading byte order mark is dropped). */
export function readText(file) {
  return readBytes(file).toString("utf8");
}

/**
 * Reads a file as the core reads it: `{file, input}`, `input` the text with JSON5 (tardis
 * scenarios) and YAML (trusted_key_servers) decoded into JSON, or for a file over
 * `MAX_DECODED` bytes (which no decoder takes) its UTF-8 bytes as read.
 */
export async function readInput(file) {
  const bytes = readBytes(file);
  if (bytes.length > MAX_DECODED) return { file, input: bytes };
  try {
    const { text } = await decodeText(bytes.toString("utf8"), withoutSuffix(file), (name) => import(name));
    return { file, input: text };
  } catch (error) {
    throw new InputError(file, error.message.replace(`${file} `, ""));
  }
}
