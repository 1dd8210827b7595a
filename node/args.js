// Shared argument parsing for the mxdag commands, on top of node:util's parseArgs.
import { parseArgs as nodeParseArgs } from "node:util";
import { InputError } from "./input.js";
import { USAGE } from "./codes.js";

/** A usage error: the command prints it with its usage and exits with 2. */
export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
    this.code = USAGE;
  }
}

/**
 * Parses `args` with `options` in node:util's format (`{name: {type, multiple, short,
 * default}}`), always accepting `--help`/`-h`. Returns `{values, positionals}`; unknown
 * options, missing values and bad types throw a UsageError.
 */
export function parseArgs(args, options, { allowPositionals = true } = {}) {
  try {
    return nodeParseArgs({
      args,
      options: { help: { type: "boolean", short: "h" }, ...options },
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error.message.replace(/\. To specify a positional.*$/s, "."));
  }
}

/** Reads an integer option: `undefined` stays `undefined`, anything else must be an integer in range. */
export function integerOption(values, name, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/**
 * Returns `call()`; an error of the request line (code `request_…`) becomes a UsageError,
 * and one of the `--body` file's contents (`request_bad_body`) an InputError.
 */
export function withRequestLine(call) {
  try {
    return call();
  } catch (error) {
    if (error.code === "request_bad_body") throw new InputError("--body", error.message);
    if (String(error.code).startsWith("request_")) throw new UsageError(`--request: ${error.message}`);
    throw error;
  }
}

/**
 * Runs one subcommand the way every command runs: parses `args` against `options`, answers
 * `--help` with `usage` (exit 0), and turns a UsageError (the message, then the usage) or an
 * InputError (`mxdag NAME: message`) into exit status 2. `body(values, positionals)` does
 * the work and returns the exit status.
 */
export async function runCommand({ name, usage, options, allowPositionals = true }, args, io, body) {
  try {
    const { values, positionals } = parseArgs(args, options, { allowPositionals });
    if (values.help) {
      io.stdout.write(usage);
      return 0;
    }
    return await body(values, positionals);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mxdag: ${error.message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof InputError) {
      io.stderr.write(`mxdag ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
