// Compressed inputs (www/compressed.js, node/input.js): a gzip file is read as the text
// inside it — the same report as the plain file, keys and JSON5 scenarios included — and
// a file compressed otherwise, a broken gzip or one that decompresses past the limit is
// refused (exit 2) saying what it is and what to run.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { scratchFiles } from "./support.js";

const pkg = (path) => new URL(`../../pkg/${path}`, import.meta.url).href;
const { compressionOf, gunzipStream, withoutSuffix } = await import(pkg("www/compressed.js"));
const { decompressed } = await import(pkg("node/input.js"));
const cli = fileURLToPath(pkg("node/cli.js"));
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const file = scratchFiles("compressed");

function mxdag(...args) {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The `--json` report with the file names left out (they differ by the suffix). */
function report(...args) {
  const run = mxdag("check", ...args, "--json");
  assert.ok(run.stdout, `exit ${run.code}: ${run.stderr}`);
  const out = JSON.parse(run.stdout, (key, value) => (key === "file" ? undefined : value));
  return { code: run.code, out };
}

const EXPORT = fixture("synapse/export-with-event-id.ndjson");
const KEYS = fixture("synapse/B.server_keys_json.json");
const gzipped = (path, name) => file(name, gzipSync(readFileSync(path)));

test("a gzipped Synapse export and key table give the report of the plain files", () => {
  const plain = report(EXPORT, "--keys", KEYS);
  assert.equal(plain.code, 0);
  assert.equal(plain.out.counts.valid, 18);
  const packed = report(gzipped(EXPORT, "export.ndjson.gz"), "--keys", gzipped(KEYS, "keys.json.gz"));
  assert.deepEqual(packed, plain);
  // The name does not matter: gzip is known by its first bytes.
  assert.deepEqual(report(gzipped(EXPORT, "export.ndjson"), "--keys", KEYS), plain);
});

test("a gzipped tardis scenario is decoded as JSON5, as its name says without .gz", () => {
  const scenario = fixture("tardis/linear.json5");
  const plain = report(scenario);
  assert.equal(plain.out.inputs[0].input, "tardis_scenario");
  assert.deepEqual(report(gzipped(scenario, "linear.json5.gz")), plain);
  assert.equal(withoutSuffix("linear.json5.GZ"), "linear.json5");
});

test("other compressions, a gzip cut short and a gzip past the limit exit 2 saying why", () => {
  const cases = [
    ["room.zst", [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0], /room\.zst: is compressed with zstd: decompress it first \(zstd -d FILE\)/],
    ["room.xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 0, 0], /is compressed with xz: decompress it first \(xz -dk FILE\)/],
    ["room.bz2", [...Buffer.from("BZh9"), 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], /is compressed with bzip2: decompress it first \(bunzip2 -k FILE\)/],
    ["room.zip", [0x50, 0x4b, 0x03, 0x04, 0, 0], /is a zip archive: unzip it and give the files inside/],
    ["room.7z", [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4], /is compressed with 7z: decompress it first \(7z x FILE\)/],
    ["cut.gz", [...gzipSync(readFileSync(EXPORT)).subarray(0, 200)], /cut\.gz: is gzip-compressed, but does not decompress: unexpected end of file/],
  ];
  for (const [name, bytes, message] of cases) {
    const run = mxdag("check", file(name, new Uint8Array(bytes)));
    assert.equal(run.code, 2, name);
    assert.match(run.stderr, message, name);
  }
  // A tar archive, compressed or not, is named as one (its text is not a room's).
  const tar = Buffer.alloc(1024);
  tar.write("export.ndjson", 0);
  tar.write("ustar", 257);
  for (const [name, bytes] of [["room.tar", tar], ["room.tar.gz", gzipSync(tar)]]) {
    const run = mxdag("check", file(name, bytes));
    assert.equal(run.code, 2, name);
    assert.match(run.stderr, new RegExp(`${name.replace(".", "\\.")}: is a tar archive: extract it \\(tar xf FILE\\)`), name);
  }
  const big = gzipSync(Buffer.alloc(4096, "a"));
  assert.equal(decompressed("big.gz", big, 4096).length, 4096);
  assert.throws(() => decompressed("big.gz", big, 4095), { code: "unusable_input", message: /^big\.gz: decompresses to more than 2 GiB/ });
});

test("compressions are known by their first bytes only where no JSON, rows or key lines can start so", () => {
  assert.equal(compressionOf(gzipSync(Buffer.from("{}"))), "gzip");
  assert.equal(compressionOf(Buffer.from("[]")), null);
  // A key line of a server named BZh… is no bzip2 stream: that needs a block size and magic.
  assert.equal(compressionOf(Buffer.from("BZh.example.org ed25519:a AAAA")), null);
  assert.equal(compressionOf(Buffer.from("BZh91AY&SY")), "bzip2");
  assert.equal(compressionOf(new Uint8Array([0x1f])), null, "too short to tell");
});

test("the page's gunzip (DecompressionStream) gives the bytes, and says why a broken one fails", async () => {
  const text = readFileSync(EXPORT);
  const stream = (bytes) => new Blob([bytes]).stream();
  assert.deepEqual(Buffer.from(await gunzipStream(stream(gzipSync(text)))), text);
  await assert.rejects(gunzipStream(stream(gzipSync(text).subarray(0, 200))), /^Error: is gzip-compressed, but does not decompress: /);
});
