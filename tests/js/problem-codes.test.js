// The problem-code registry (docs/problem-codes.md) matches the codes in the source.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

test("docs/problem-codes.md lists exactly the codes declared in src/ and node/codes.js", () => {
  const run = spawnSync(process.execPath, ["scripts/problem-codes.mjs", "--check"], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
});

/** Every file under `dir` whose name ends with `ext`. */
function filesUnder(dir, ext) {
  return readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));
}

test("every code thrown to JS callers is one listed in docs/problem-codes.md", () => {
  const listed = new Set([...readFileSync("docs/problem-codes.md", "utf8").matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
  // In the core, a thrown error's code is a named constant, never a literal.
  const literals = filesUnder("src/js", ".rs").flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/to_js_error\(\s*"([^"]*)"/g)].map((m) => `${file}: "${m[1]}"`));
  assert.deepEqual(literals, [], "to_js_error with a literal code instead of a codes constant");
  // On the Node side and in the page, every `code` set on an error is listed (Node's own
  // system codes such as ENOTFOUND, which the proxy's resolver imitates, excepted).
  const thrown = [...filesUnder("node", ".js"), ...filesUnder("www", ".js")].flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/\bcode(?: =|:) "([^"]+)"/g)].map((m) => ({ file, code: m[1] })));
  assert.ok(thrown.length > 0, "the scan finds the page's thrown codes");
  const unlisted = thrown.filter(({ code }) => !listed.has(code) && !/^E[A-Z]+$/.test(code));
  assert.deepEqual(unlisted, []);
});
