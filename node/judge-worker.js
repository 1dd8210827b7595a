// A worker thread of node/parallel.js: its own wasm instance judges slices of an input.
import { parentPort } from "node:worker_threads";
import { judgeMessage } from "../www/judge-pool.js";
import { mxdag } from "./wasm.js";

parentPort.on("message", (message) => parentPort.postMessage(...judgeMessage(mxdag, message)));
