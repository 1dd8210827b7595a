// timeline-fill.js — fills one gap of a timeline: asks mxdag's planner for the requests
// that fill it, sends them with a transport the caller passes in (as fill.js does), takes
// the answers into the session and returns the new page. No DOM, no globals; exported by
// the npm package as `mxdag/timeline-fill`.
//
// CONTRACT
//
//   const result = await fillGap(timeline, gap, fetch, { servers, strategy, limit, pageLimit });
//
//   timeline    a Timeline from mxdag's wasm: new Timeline(session)
//   gap         a gap entry of one of its pages (TimelineGap), or its event_id
//   fetch       async (request) => ({ status, body })   — sends one planned request:
//                 request = { id, server, endpoint, method, path, body, limit, gaps }
//               as fill.js's transport (demo peer, signing proxy, a simulated federation).
//               Throwing counts as a failed request.
//   servers     the servers believed to be in the room (required)
//   strategy    optional planner strategy ("cover" by default), limit the `limit` per request
//   pageLimit   events in the returned page (default 50)
//
//   result = { requests, answered, failed: [{ request, status, errcode, error }],
//              inserted: TimelineInsertion[], reports: IngestReport[], page: TimelinePage }
//
// One round: the requests the planner proposes for this gap are sent at once and every
// answer is taken; call again while the page still shows the gap (a deep hole takes
// several rounds, each bringing the history right before the gap's event). `page` is the
// page (in time order) that ends with the gap's event, where the filled history goes.
// Forwards fill requests go through forwards-fill.js: stable path first, then the two
// unstable forms, and the answer is taken under the path that answered.

import { errcodeOf, forwardsFill } from "./forwards-fill.js";

function asText(body) {
  if (body === undefined || body === null) return "";
  return typeof body === "string" ? body : JSON.stringify(body);
}

/** Sends `request` on `path`; a throw becomes status 0. */
async function send(fetch, request, path) {
  try {
    const answer = await fetch(path === request.path ? request : { ...request, path });
    return { status: Number(answer?.status ?? 0), text: asText(answer?.body), via: answer?.via ?? undefined };
  } catch (error) {
    return { status: 0, text: "", error: String(error?.message ?? error) };
  }
}

/** Sends one request: `{ answer, request }`, the request as answered (its forwards fill path). */
async function exchange(fetch, request) {
  if (request.endpoint !== "forwards_fill") return { answer: await send(fetch, request, request.path), request };
  const { answer, uri } = await forwardsFill(request.path, (path) => send(fetch, request, path));
  return { answer, request: { ...request, path: uri } };
}

/** Fills one gap of `timeline`; see the contract at the top of the file. */
export async function fillGap(timeline, gap, fetch, { servers, strategy, limit, pageLimit = 50 } = {}) {
  if (!timeline || typeof fetch !== "function" || !Array.isArray(servers)) {
    throw new TypeError("fillGap needs (timeline, gap, fetch, { servers })");
  }
  const eventId = typeof gap === "string" ? gap : gap?.event_id;
  const options = { servers };
  if (strategy !== undefined) options.strategy = strategy;
  if (limit !== undefined) options.limit = limit;
  const requests = timeline.fillRequests(eventId, options);
  const exchanges = await Promise.all(requests.map((r) => exchange(fetch, r)));
  const inserted = [];
  const reports = [];
  const failed = [];
  for (const { answer, request } of exchanges) {
    const { status, text } = answer;
    if (status < 200 || status >= 300) {
      failed.push({ request, status, errcode: errcodeOf(text), error: answer.error });
      continue;
    }
    const taken = timeline.takeAnswer(request, { status, text });
    reports.push(taken.report);
    inserted.push(...taken.inserted);
  }
  // The page that ends at the gap's event, in time order: what came in lies right before it.
  const back = timeline.page({ eventId, dir: "b", limit: pageLimit });
  const page = timeline.page({ from: back.end, dir: "f", limit: back.chunk.length });
  return { requests, answered: reports.length, failed, inserted, reports, page };
}
