// The problem-code registry (docs/problem-codes.md) matches the codes in the source.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

test("docs/problem-codes.md lists exactly the codes declared in src/", () => {
  const run = spawnSync(process.execPath, ["scripts/problem-codes.mjs", "--check"], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
});
