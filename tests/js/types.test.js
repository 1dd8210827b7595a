// The typed JS API: a TypeScript consumer of the built package (tests/types/consumer.ts) that
// uses every public class compiles with `tsc --strict`, and one reading a misspelt field
// (tests/types/misspelt.ts) does not. Each is compiled once, as a consumer would: in a
// folder of its own whose node_modules/mxdag is pkg/, so `mxdag`, `mxdag/node` and
// `mxdag/tools` resolve through the package's `exports` (run `scripts/build` first; tsc is
// the `typescript` devDependency).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = new URL("../../", import.meta.url);
const pkg = fileURLToPath(new URL("pkg/", root));
const tsc = fileURLToPath(new URL("node_modules/typescript/bin/tsc", root));

/** Compiles tests/types/`name` against pkg/ with `tsc --strict --noEmit` and TypeScript's
 *  libraries `lib`: its exit status and output. */
function compile(name, lib = "esnext,dom") {
  assert.ok(existsSync(new URL("mxdag.d.ts", `file://${pkg}`)), "pkg/ is built (scripts/build)");
  assert.ok(existsSync(tsc), "typescript is installed (npm install)");
  const dir = mkdtempSync(join(tmpdir(), "mxdag-types-"));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(pkg, join(dir, "node_modules", "mxdag"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true, type: "module" }));
  copyFileSync(fileURLToPath(new URL(`tests/types/${name}`, root)), join(dir, name));
  const options = ["--strict", "--noEmit", "--target", "esnext", "--module", "nodenext", "--lib", lib];
  const run = spawnSync(process.execPath, [tsc, ...options, name], { cwd: dir, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

test("a strict TypeScript consumer of every public class compiles, and no result it uses is any", () => {
  const { status, output } = compile("consumer.ts");
  assert.equal(output, "");
  assert.equal(status, 0);
});

test("the consumer compiles in a project that targets es2022 (the classes' Symbol.dispose brings its own library)", () => {
  const { status, output } = compile("consumer.ts", "es2022,dom");
  assert.equal(output, "");
  assert.equal(status, 0);
});

test("a misspelt field of a result fails to compile, and nothing else does", () => {
  const { status, output } = compile("misspelt.ts");
  assert.notEqual(status, 0);
  const errors = output.split("\n").filter((line) => /error TS\d+/.test(line));
  assert.equal(errors.length, 1, output);
  assert.match(errors[0], /^misspelt\.ts\(7,\d+\): error TS\d+: Property 'evnt_id' does not exist on type 'GapSummary'/);
});

/** The declarations of a wasm-bindgen types file before its `InitOutput` (the wasm's own
 *  export table), comments left out. */
function publicSurface(file) {
  const text = readFileSync(new URL(file, `file://${pkg}`), "utf8");
  const end = text.indexOf("export interface InitOutput");
  return text
    .slice(0, end < 0 ? text.length : end)
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
}

test("the public surface says neither any nor object, and the consumer uses every class and function", () => {
  const consumer = readFileSync(new URL("tests/types/consumer.ts", root), "utf8");
  for (const file of ["mxdag.d.ts", "tools/mxdag_tools.d.ts", "node/wasm.d.ts"]) {
    const surface = publicSurface(file);
    assert.doesNotMatch(surface, /\b(any|object)\b/, file);
    const names = [...surface.matchAll(/^export (?:declare )?(?:class|function|const) (\w+)/gm)].map((m) => m[1]);
    assert.ok(names.length > 0, file);
    for (const name of names.filter((n) => !["initSync", "start"].includes(n))) {
      assert.match(consumer, new RegExp(`\\b${name}\\b`), `${file}: consumer.ts uses ${name}`);
    }
  }
});
