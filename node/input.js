// Reading input files for the mxdag commands: bytes → UTF-8 text, JSON5 and YAML decoded
// into JSON (www/decode.js). What the text holds — events, answers, exports, keys — is
// recognised by the core (src/input), not here.
import { readFileSync } from "node:fs";
import { decodeText } from "../www/decode.js";
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

/**
 * Reads a file as text the core reads: `{file, text}`, JSON5 (tardis scenarios) and YAML
 * (trusted_key_servers) decoded into JSON.
 */
export async function readInput(file) {
  const raw = readText(file);
  try {
    const { text } = await decodeText(raw, file, (name) => import(name));
    return { file, text };
  } catch (error) {
    throw new InputError(file, error.message.replace(`${file} `, ""));
  }
}
