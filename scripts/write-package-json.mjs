// Writes pkg/package.json: wasm-bindgen writes none, and the package needs exports and a bin.
import { readFileSync, writeFileSync } from "node:fs";

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
// The decoders of JSON5 and YAML inputs (www/decode.js) are the package's only dependencies.
const { dependencies } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const field = (name) => cargo.match(new RegExp(`^${name} = "([^"]*)"`, "m"))[1];

const pkg = {
  name: "mxdag",
  version: field("version"),
  description: field("description"),
  license: field("license"),
  type: "module",
  main: "./mxdag.js",
  types: "./mxdag.d.ts",
  exports: {
    ".": { types: "./mxdag.d.ts", default: "./mxdag.js" },
    "./node": { types: "./node/wasm.d.ts", default: "./node/wasm.js" },
    "./mxdag_bg.wasm": "./mxdag_bg.wasm",
    "./mxdag_speed_bg.wasm": "./mxdag_speed_bg.wasm",
    "./tools": { types: "./tools/mxdag_tools.d.ts", default: "./tools/mxdag_tools.js" },
    "./timeline-fill": { types: "./www/timeline-fill.d.ts", default: "./www/timeline-fill.js" },
  },
  bin: { mxdag: "./node/cli.js" },
  files: ["mxdag.js", "mxdag.d.ts", "mxdag_bg.wasm", "mxdag_speed_bg.wasm", "mxdag_bg.wasm.d.ts", "tools/", "node/", "www/", "README.md"],
  dependencies,
  engines: { node: ">=20" },
  sideEffects: false,
};
writeFileSync(new URL("../pkg/package.json", import.meta.url), JSON.stringify(pkg, null, 2) + "\n");
