// The codes of the errors the Node side throws: the `mxdag` CLI, `mxdag/node` and the
// server. scripts/problem-codes.mjs lists them with the core's codes in
// docs/problem-codes.md; tests/js/problem-codes.test.js fails when a thrown code is not listed.

/** A command was called with an unknown option, a missing value or a value of the wrong type (exit status 2). */
export const USAGE = "usage";
/** An input file cannot be read or decoded at all: unreadable, not UTF-8, not JSON, JSON5 or YAML (exit status 2). */
export const UNUSABLE_INPUT = "unusable_input";
/** `mxdag_bg.wasm` is missing from the package: run `scripts/build`. */
export const WASM_NOT_BUILT = "wasm_not_built";
/** The signing proxy refuses to contact a destination (link-local, metadata service, not allowed): answered with 403. */
export const FORBIDDEN_DESTINATION = "forbidden_destination";
