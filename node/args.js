// Shared argument parsing for the mxdag commands, on top of node:util's parseArgs.
import { parseArgs as nodeParseArgs } from "node:util";

/** A usage error: the command prints it with its usage and exits with 2. */
export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = "UsageError";
    this.code = "usage";
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
 * Runs a command body, turning a UsageError into its message plus `usage` on stderr and
 * exit code 2.
 */
export async function withUsage(io, usage, body) {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`mxdag: ${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
}
