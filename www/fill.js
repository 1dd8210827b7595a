// fill.js — "fill all gaps": drives a GapPlanner (mxdag's wasm) against any federation
// transport, in the browser or in Node. No DOM, no globals.
//
// CONTRACT
//
//   const result = await fillAllGaps({ planner, fetch, onAnswer, onProgress, signal, roundMs });
//
//   planner     a GapPlanner from mxdag's wasm, built with the room and the servers believed
//               to be in it. On a RoomSession it plans from the events the session holds and
//               takes every answer into the session (judged, contract-checked, placed):
//                 const planner = GapPlanner.onSession({ room_id, servers,
//                                                        strategy: "cover", limit: 100 }, session);
//               Without one (a simulated federation) it keeps records of its own:
//                 const planner = new GapPlanner({ room_id, servers });
//                 planner.addEvents(records)
//   fetch       async (request) => ({ status, body })   — sends one planned request:
//                 request = { id, server, endpoint, method, path, body, limit, gaps }
//                 `path` is the full federation path with query, `body` a JSON string (POST
//                 /get_missing_events) or null; `gaps` the event IDs it aims to close.
//                 Return the HTTP status and the response text (a string) or parsed JSON;
//                 through mxdag's signing proxy, also `via`: its x-mxdag-forwards-fill
//                 header (the proxy tried the forwards fill paths itself).
//                 Demo peer:  r => fetch(r.path, { method: r.method, body: r.body })
//                 Proxy:      r => fetch(`/_mxdag/proxy/${r.server}${r.path}`, …)
//                 Simulator:  r => federation.answer(r.server, r)   (SimulatedFederation)
//                 Throwing counts as a failure of that server (it backs off).
//   onAnswer    optional: async (request, recorded) — called after every successful answer
//               was recorded; `recorded` is `{ received, new, report }`, `report` the
//               session's IngestReport on the answer (a planner on a session). Awaited.
//   onProgress  optional: called after every answer with { round, round_trips, gaps,
//               received, new_events, request, status }.
//   signal      optional AbortSignal: stops after the answers in flight; result.stopped is
//               "aborted".
//   roundMs     optional: simulated milliseconds per round (default 250). Backoffs (2h, 4h,
//               … 256h after failures) run on the planner's simulated clock: the driver
//               jumps the clock instead of sleeping.
//
//   result = { stopped: "done" | "aborted" | "limit", rounds, round_trips, received,
//              new_events, gaps_left, open_gaps: [{ event_id, reason, message }],
//              servers: [{ name, round_trips, forwards_fill, backfill_cap, … }] }
//
// Forwards fill is sent on the stable path; `M_UNRECOGNIZED` there is retried on the two
// unstable paths in turn (forwards-fill.js) before the server is marked as not supporting it
// (the planner never asks it again). `fetch` sees each path's request.

import { errcodeOf, forwardsFill } from "./forwards-fill.js";

function asText(body) {
  if (body === undefined || body === null) return "";
  return typeof body === "string" ? body : JSON.stringify(body);
}

async function send(fetch, request) {
  try {
    const answer = await fetch(request);
    return { status: Number(answer?.status ?? 0), text: asText(answer?.body), via: answer?.via ?? undefined };
  } catch (error) {
    return { status: 0, text: "", error: String(error?.message ?? error) };
  }
}

/** Sends one request; forwards fill on each of its paths until one is recognised. */
async function exchange(fetch, request) {
  if (request.endpoint !== "forwards_fill") return send(fetch, request);
  const { answer } = await forwardsFill(request.path, (path) => send(fetch, path === request.path ? request : { ...request, path }));
  return answer;
}

/** Runs the planner until no server can help; see the contract at the top of the file. */
export async function fillAllGaps({ planner, fetch, onAnswer, onProgress, signal, roundMs = 250, maxRounds = 1_000_000 }) {
  if (!planner || typeof fetch !== "function") {
    throw new TypeError("fillAllGaps needs { planner, fetch }");
  }
  const totals = { rounds: 0, received: 0, new_events: 0 };
  let stopped = "done";
  for (;;) {
    if (signal?.aborted) {
      stopped = "aborted";
      break;
    }
    if (totals.rounds >= maxRounds) {
      stopped = "limit";
      break;
    }
    const requests = planner.next();
    if (requests.length === 0) {
      const wake = planner.nextWakeup();
      if (wake === null || wake === undefined) break;
      planner.setNow(wake);
      continue;
    }
    totals.rounds += 1;
    const answers = await Promise.all(requests.map((r) => exchange(fetch, r)));
    for (const [i, request] of requests.entries()) {
      const { status, text } = answers[i];
      const ok = status >= 200 && status < 300;
      const counts = planner.record(request.id, { status, text, errcode: ok ? undefined : errcodeOf(text) });
      if (ok && onAnswer) await onAnswer(request, counts);
      totals.received += counts.received;
      totals.new_events += counts.new;
      onProgress?.({
        round: totals.rounds,
        round_trips: planner.roundTrips(),
        gaps: planner.gapCount(),
        received: totals.received,
        new_events: totals.new_events,
        request,
        status,
      });
    }
    planner.setNow(planner.now() + roundMs);
  }
  const open = planner.openGaps();
  return {
    stopped,
    rounds: totals.rounds,
    round_trips: planner.roundTrips(),
    received: totals.received,
    new_events: totals.new_events,
    gaps_left: open.length,
    open_gaps: open,
    servers: planner.servers(),
  };
}
