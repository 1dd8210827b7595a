// Installs the pinned Synapse into a venv under the git-ignored `.cache/` at the repo root,
// and reuses it when it is already there. A failure throws: the suite fails loudly, never skips.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

/** The Synapse release the suite is pinned to (PyPI `matrix-synapse`). */
export const SYNAPSE_VERSION = "1.163.2";

/** The repository root (two folders above this file's folder). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** Where the venv lives; `.cache` is git-ignored. */
export const VENV = join(ROOT, ".cache", "synapse-venv");

/** The venv's Python interpreter. */
export const PYTHON = join(VENV, "bin", "python");

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 15 * 60_000 });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.split("\n").slice(-40).join("\n");
    throw new Error(`${what} failed (${cmd} ${args.join(" ")}; status ${r.status}, ${r.error ?? ""}):\n${tail}`);
  }
  return r.stdout;
}

/** The Synapse version installed in the venv, or null when there is none usable. */
export function installedVersion() {
  if (!existsSync(PYTHON)) return null;
  const r = spawnSync(PYTHON, ["-c", "import importlib.metadata as m, synapse; print(m.version('matrix-synapse'))"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Makes sure `.cache/synapse-venv` holds Synapse `SYNAPSE_VERSION`; returns
 * `{ python, version, installed, seconds }` (`installed` false when the venv was reused).
 */
export function ensureSynapse() {
  const started = Date.now();
  if (installedVersion() === SYNAPSE_VERSION) {
    return { python: PYTHON, version: SYNAPSE_VERSION, installed: false, seconds: 0 };
  }
  mkdirSync(dirname(VENV), { recursive: true });
  // A venv with another version, or one that no longer works (moved, Python changed): anew.
  run("python3", ["-m", "venv", "--clear", VENV], "creating the Synapse venv");
  run(PYTHON, ["-m", "pip", "install", "--quiet", `matrix-synapse==${SYNAPSE_VERSION}`], "pip install matrix-synapse");
  const version = installedVersion();
  if (version !== SYNAPSE_VERSION) {
    throw new Error(`after pip install the venv has Synapse ${version}, expected ${SYNAPSE_VERSION}`);
  }
  return { python: PYTHON, version, installed: true, seconds: (Date.now() - started) / 1000 };
}

// `node tests/homeserver/lib/venv.mjs` installs (or checks) the venv on its own.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = ensureSynapse();
  console.log(JSON.stringify(r));
}
