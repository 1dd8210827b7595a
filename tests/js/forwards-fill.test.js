// www/forwards-fill.js, the one place that knows MSC4000's three forwards fill paths: their
// order, what counts as "not there", and the fallback — from the built pkg/ (where node/
// imports it as ../../www/) and from the repository.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as built from "../../pkg/www/forwards-fill.js";
import * as source from "../../www/forwards-fill.js";
import { readOnlyEndpoint } from "../../pkg/node/server/endpoints.js";

const { FORWARDS_FILL_PATHS, UNSUPPORTED, forwardsFill, forwardsFillPathOf, isUnrecognized } = built;
const REST = "!r%3Ax?from_event_id=%24a&limit=5";
const UNRECOGNIZED = JSON.stringify({ errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });

test("three paths in order: stable, the MSC's unstable prefix, Synapse's unstable/ form", () => {
  const expected = [
    ["stable", "/_matrix/federation/v1/forwards_fill/"],
    ["msc4000", "/_matrix/federation/org.matrix.msc4000/forwards_fill/"],
    ["unstable", "/_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/"],
  ];
  for (const paths of [built.FORWARDS_FILL_PATHS, source.FORWARDS_FILL_PATHS]) {
    assert.deepEqual(paths.map((f) => [f.name, f.prefix]), expected);
  }
  for (const form of FORWARDS_FILL_PATHS) {
    assert.deepEqual(forwardsFillPathOf(form.prefix + REST), { form, rest: REST });
    // The proxy forwards each of them, and only as GET.
    assert.equal(readOnlyEndpoint("GET", form.prefix + "!r%3Ax"), "forwards_fill");
    assert.equal(readOnlyEndpoint("POST", form.prefix + "!r%3Ax"), null);
  }
  assert.equal(forwardsFillPathOf(`/_matrix/federation/v1/backfill/${REST}`), null);
  assert.equal(forwardsFillPathOf(`/_matrix/federation/v2/forwards_fill/${REST}`), null);
});

test("M_UNRECOGNIZED with 404, 405 or 400 means the path is not there; nothing else does", () => {
  for (const status of [404, 405, 400, "404"]) assert.equal(isUnrecognized(status, UNRECOGNIZED), true, String(status));
  assert.equal(isUnrecognized(404, { errcode: "M_UNRECOGNIZED" }), true);
  for (const [status, body] of [
    [200, UNRECOGNIZED],
    [500, UNRECOGNIZED],
    [404, JSON.stringify({ errcode: "M_NOT_FOUND" })],
    [404, ""],
    [404, "<html>Not Found</html>"],
    [400, { errcode: "M_INVALID_PARAM" }],
  ]) {
    assert.equal(isUnrecognized(status, body), false, `${status} ${JSON.stringify(body)}`);
  }
});

/** A `send` whose answers come from `answers` (path name → [status, text]), recording each URI. */
function peer(answers) {
  const sent = [];
  const send = async (uri, form) => {
    sent.push(uri);
    const [status, text] = answers[form.name] ?? [404, UNRECOGNIZED];
    return { status, text };
  };
  return { sent, send };
}

test("the fallback stops at the first path that is there, and calls a server unsupported only after all three", async () => {
  const stable = FORWARDS_FILL_PATHS[0].prefix + REST;
  const all = FORWARDS_FILL_PATHS.map((f) => f.prefix + REST);
  for (const [answers, which, count] of [
    [{ stable: [200, "{}"] }, "stable", 1],
    [{ msc4000: [200, "{}"] }, "msc4000", 2],
    [{ unstable: [200, "{}"] }, "unstable", 3],
    [{}, UNSUPPORTED, 3],
    [{ stable: [405, UNRECOGNIZED], msc4000: [400, UNRECOGNIZED] }, UNSUPPORTED, 3],
    // A room the server does not know, or an empty 404, is an answer: no other path is tried.
    [{ stable: [404, JSON.stringify({ errcode: "M_NOT_FOUND" })] }, "stable", 1],
    [{ msc4000: [404, ""] }, "msc4000", 2],
  ]) {
    const { sent, send } = peer(answers);
    const result = await forwardsFill(stable, send);
    assert.deepEqual(sent, all.slice(0, count), JSON.stringify(answers));
    assert.equal(result.which, which, JSON.stringify(answers));
    assert.deepEqual(result.tried, sent);
    assert.equal(result.uri, sent.at(-1));
    // The answer is the last path's.
    assert.equal(result.answer.status, (answers[FORWARDS_FILL_PATHS[count - 1].name] ?? [404])[0]);
  }
});

test("started on an unstable path, only the paths after it are tried", async () => {
  const { sent, send } = peer({});
  const result = await forwardsFill(FORWARDS_FILL_PATHS[1].prefix + REST, send);
  assert.deepEqual(sent, FORWARDS_FILL_PATHS.slice(1).map((f) => f.prefix + REST));
  assert.equal(result.which, UNSUPPORTED);
  await assert.rejects(forwardsFill(`/_matrix/federation/v1/backfill/${REST}`, send), /is not a forwards fill path/);
});

test("a proxy's word (via) ends the fallback: it tried the paths itself", async () => {
  for (const via of ["unstable", UNSUPPORTED]) {
    const sent = [];
    const result = await forwardsFill(FORWARDS_FILL_PATHS[0].prefix + REST, async (uri) => {
      sent.push(uri);
      return { status: via === UNSUPPORTED ? 404 : 200, text: via === UNSUPPORTED ? UNRECOGNIZED : "{}", via };
    });
    assert.equal(sent.length, 1);
    assert.equal(result.which, via);
    // The URI the answer came from, as the proxy says, for judging the answer against.
    assert.equal(result.uri, via === UNSUPPORTED ? sent[0] : FORWARDS_FILL_PATHS[2].prefix + REST);
  }
});

test("an async unrecognized() is awaited (the proxy reads a small body to decide)", async () => {
  const { sent, send } = peer({ unstable: [200, "{}"] });
  const result = await forwardsFill(FORWARDS_FILL_PATHS[0].prefix + REST, send, async (a) => isUnrecognized(a.status, a.text));
  assert.equal(result.which, "unstable");
  assert.equal(sent.length, 3);
});

/**
 * A planner with one forwards fill request to `server` and nothing after it: what
 * fillAllGaps needs of a GapPlanner, recording what it is told.
 */
function onePlanner(path) {
  const recorded = [];
  let sent = false;
  let now = 0;
  return {
    recorded,
    next: () => (sent ? [] : ((sent = true), [{ id: 1, server: "hs.example", endpoint: "forwards_fill", method: "GET", path, body: null, limit: 5, gaps: [] }])),
    record: (id, answer) => (recorded.push({ id, ...answer }), { received: 0, new: 0 }),
    nextWakeup: () => null,
    setNow: (t) => (now = t),
    now: () => now,
    roundTrips: () => recorded.length,
    gapCount: () => 0,
    openGaps: () => [],
    servers: () => [],
  };
}

test("fillAllGaps sends forwards fill on the three paths in order and records the last answer", async () => {
  const { fillAllGaps } = await import("../../pkg/www/fill.js");
  const stable = FORWARDS_FILL_PATHS[0].prefix + REST;
  for (const [serves, count, status] of [["stable", 1, 200], ["msc4000", 2, 200], ["unstable", 3, 200], [null, 3, 404]]) {
    const planner = onePlanner(stable);
    const asked = [];
    await fillAllGaps({
      planner,
      fetch: async (r) => {
        asked.push(r.path);
        const name = forwardsFillPathOf(r.path).form.name;
        return name === serves ? { status: 200, body: { origin: "hs.example", origin_server_ts: 1, pdus: [] } } : { status: 404, body: UNRECOGNIZED };
      },
    });
    assert.deepEqual(asked, FORWARDS_FILL_PATHS.slice(0, count).map((f) => f.prefix + REST), String(serves));
    // The planner hears one answer: the path that answered, or M_UNRECOGNIZED after all three.
    assert.deepEqual(planner.recorded.map((r) => [r.id, r.status, r.errcode]), [[1, status, status === 200 ? undefined : "M_UNRECOGNIZED"]]);
  }
  // Through the proxy (`via`), one request: the proxy tried the paths itself.
  const planner = onePlanner(stable);
  const asked = [];
  await fillAllGaps({ planner, fetch: async (r) => (asked.push(r.path), { status: 404, body: UNRECOGNIZED, via: UNSUPPORTED }) });
  assert.deepEqual(asked, [stable]);
  assert.equal(planner.recorded[0].errcode, "M_UNRECOGNIZED");
});
