// No Synapse outlives the process that started it, even when that process crashes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const PROBE = fileURLToPath(new URL("./lib/crash-probe.mjs", import.meta.url));

/** True while a process with `pid` exists. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code !== "ESRCH";
  }
}

test("a Synapse started by a process that then crashes is killed with it, by PID", { timeout: 15 * 60_000 }, async () => {
  const child = spawn(process.execPath, [PROBE], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { out += d; });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  assert.notEqual(code, 0, "the probe crashed");
  assert.match(out, /deliberate crash/, out);
  const pid = Number(/synapse pid (\d+)/.exec(out)?.[1]);
  assert.ok(pid > 0, `the probe started Synapse first:\n${out}`);
  const deadline = Date.now() + 5_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(pid), false, `Synapse ${pid} outlived the process that started it`);
});
