// A Web Worker of judge-pool.js: its own wasm instance judges slices of a large file.
import * as mx from "/pkg/mxdag.js";
import { judgeMessage } from "./judge-pool.js";
import { loadWasm } from "./wasm.js";

const ready = loadWasm();
self.onmessage = async (event) => {
  await ready;
  const [reply, transfer] = judgeMessage(mx, event.data);
  self.postMessage(reply, transfer);
};
