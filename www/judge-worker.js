// A Web Worker of judge-pool.js: its own wasm instance judges slices of a large file.
import init, * as mx from "/pkg/mxdag.js";
import { judgeMessage } from "./judge-pool.js";

const ready = init();
self.onmessage = async (event) => {
  await ready;
  const [reply, transfer] = judgeMessage(mx, event.data);
  self.postMessage(reply, transfer);
};
