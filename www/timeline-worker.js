// The worker's side of the timeline pane: one `Timeline` (src/timeline, the JS class of
// src/js/timeline.rs) over the worker's room session, asked for pages, date jumps and gap
// fills by message (the ops below join worker.js's). Filling a gap goes through fillGap
// (timeline-fill.js): each request it plans is sent by the page, as for "Fill all gaps"
// (fill-worker.js), so it goes through the page's source and into its network log.
import { ask } from "./ask.js";
import { buildSnapshot } from "./model.js";
import { fillGap } from "./timeline-fill.js";

/** The timeline of the session the engine holds now (a new room gets a new timeline). */
function timelineOf(engine) {
  if (engine.timelineHold?.session !== engine.session) {
    engine.timelineHold?.timeline.free();
    engine.timelineHold = { session: engine.session, timeline: engine.makeTimeline() };
  }
  return engine.timelineHold.timeline;
}

/**
 * The timeline ops. `summarise(engine, m, report)`: what the network log shows of an answer's
 * report, keys its events need fetched first (worker.js).
 */
export function timelineOps(summarise) {
  return {
    /** A page (`m.options`: Timeline.page's options) and the timeline's length. */
    timelinePage(engine, m) {
      const timeline = timelineOf(engine);
      return { page: timeline.page(m.options ?? {}), length: timeline.length };
    },
    /** The held event nearest `m.ts` in `m.dir` (Timeline.jump), or null. */
    timelineJump(engine, m) {
      return { eventId: timelineOf(engine).jump(m.ts, m.dir ?? "f") ?? null };
    },
    /**
     * Fills the gap before `m.eventId`: one round of the planner's requests for it, each
     * sent by the page (`ask` with `request`), the answers taken into the session.
     */
    async timelineFill(engine, m) {
      const timeline = timelineOf(engine);
      const sentAs = new Map();
      const send = async (request) => {
        const reply = await ask(m.post, { request });
        sentAs.set(request.id, reply.reply);
        return { status: reply.status, body: reply.body, via: reply.via };
      };
      const result = await fillGap(timeline, m.eventId, send, { servers: m.servers, limit: m.limit });
      // fillGap takes the answers in the order of its requests, failures left out.
      const failed = new Set(result.failed.map((f) => f.request.id));
      const answered = result.requests.filter((r) => !failed.has(r.id));
      for (const [i, report] of result.reports.entries()) {
        const judged = await summarise(engine, m, report);
        m.post({ judged: { n: sentAs.get(answered[i]?.id) ?? 0, ...judged } });
      }
      return {
        requests: result.requests.length,
        answered: result.answered,
        failed: result.failed.map((f) => ({ path: f.request.path, status: f.status, errcode: f.errcode ?? null })),
        inserted: result.inserted.reduce((n, r) => n + r.event_ids.length, 0),
        length: timeline.length,
        snapshot: buildSnapshot(engine),
      };
    },
  };
}
