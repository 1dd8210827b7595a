// The worker's side of "Fill all gaps": runs the planner's driver (fill.js, `fillAllGaps`)
// with a GapPlanner on the room session, asks the page to send each planned request (so
// every request goes through the page's source and into its network log); the planner takes
// each answer into the session, which judges it like any other.
import { buildSnapshot, transferables } from "./model.js";
import { ask } from "./ask.js";

const SNAPSHOT_EVERY_MS = 400;

/**
 * Runs the driver. `m.servers`: who may be asked; `m.post(data, transfer)` talks to the page;
 * `summarise(report)` turns the session's report on an answer into what the network log
 * shows (fetching keys it needs). Resolves to `{result, snapshot}` once the planner has
 * nothing left to ask.
 */
export async function fill(engine, m, summarise) {
  const { fillAllGaps } = await import("./fill.js");
  const planner = engine.makePlanner(m.servers);
  const sentAs = new Map();
  let lastSnapshot = 0;
  const send = async (request) => {
    const reply = await ask(m.post, { request });
    sentAs.set(request.id, reply.reply);
    return { status: reply.status, body: reply.body, via: reply.via };
  };
  const onAnswer = async (request, recorded) => {
    if (!recorded.report) return;
    const judged = await summarise(recorded.report);
    m.post({ judged: { n: sentAs.get(request.id) ?? 0, ...judged } });
    if (performance.now() - lastSnapshot > SNAPSHOT_EVERY_MS) {
      lastSnapshot = performance.now();
      const snapshot = buildSnapshot(engine);
      m.post({ snapshot }, transferables(snapshot));
    }
  };
  try {
    const result = await fillAllGaps({
      planner,
      fetch: send,
      onAnswer,
      onProgress: (p) => m.post({ fill: { round_trips: p.round_trips, gaps: p.gaps, received: p.received, new_events: p.new_events } }),
    });
    return { result, snapshot: buildSnapshot(engine) };
  } finally {
    planner.free();
  }
}
