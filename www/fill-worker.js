// The worker's side of "Fill all gaps": runs the planner's driver (fill.js, `fillAllGaps`)
// with a GapPlanner built from the events held, asks the page to send each planned request
// (so every request goes through the page's source and into its network log), and judges
// each answer here like any other before its events join the DAG.
import { buildSnapshot, transferables } from "./model.js";

const SNAPSHOT_EVERY_MS = 400;
let asks = 0;
const waiting = new Map();

/** A reply from the page to one of our asks: `{reply: n, status, body}`. */
export function answerAsk(m) {
  waiting.get(m.reply)?.(m);
  waiting.delete(m.reply);
}

/**
 * Runs the driver. `m.servers`: who may be asked; `m.post(data, transfer)` talks to the page;
 * `judge(request, text)` validates, checks and adds one answer. Resolves to `{result,
 * snapshot}` once the planner has nothing left to ask.
 */
export async function fill(engine, m, judge) {
  const { fillAllGaps } = await import("./fill.js");
  const planner = engine.makePlanner(m.servers);
  const sentAs = new Map();
  let lastSnapshot = 0;
  const ask = (request) => {
    const n = ++asks;
    sentAs.set(request.id, { n, path: request.path }); // a retry on the unstable path replaces it
    return new Promise((resolve) => {
      waiting.set(n, resolve);
      m.post({ ask: { n, request } });
    }).then((reply) => ({ status: reply.status, body: reply.body }));
  };
  const dag = {
    add(request, text) {
      // The driver reports the planned request; the page may have sent it on the unstable
      // forwards fill path: judge the answer against the path actually used.
      const { n, path } = sentAs.get(request.id) ?? { n: 0, path: request.path };
      const body = request.body ? JSON.parse(request.body) : undefined;
      const judged = judge({ method: request.method, path, body }, text);
      m.post({ judged: { n, ...judged } });
      if (performance.now() - lastSnapshot > SNAPSHOT_EVERY_MS) {
        lastSnapshot = performance.now();
        const snapshot = buildSnapshot(engine);
        m.post({ snapshot }, transferables(snapshot));
      }
    },
  };
  try {
    const result = await fillAllGaps({
      planner,
      fetch: ask,
      dag,
      onProgress: (p) => m.post({ fill: { round_trips: p.round_trips, gaps: p.gaps, received: p.received, new_events: p.new_events } }),
    });
    return { result, snapshot: buildSnapshot(engine) };
  } finally {
    planner.free();
  }
}
