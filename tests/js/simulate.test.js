// `mxdag simulate` through the dispatcher, and the fill-all-gaps driver (www/fill.js) against
// the simulated federation, both on the built pkg/.
import assert from "node:assert/strict";
import { test } from "node:test";

import { main } from "../../node/cli.js";
import { loadTools, mxdag } from "../../node/wasm.js";

const tools = await loadTools();
import { fillAllGaps } from "../../www/fill.js";
import { FORWARDS_FILL_PATHS, forwardsFillPathOf } from "../../www/forwards-fill.js";

function capture() {
  const out = { stdout: "", stderr: "" };
  const io = {
    stdout: { write: (s) => (out.stdout += s) },
    stderr: { write: (s) => (out.stderr += s) },
  };
  return { out, io };
}

test("simulate --json prints one object per strategy, Synapse's rule named synapse", async () => {
  const { out, io } = capture();
  const code = await main(["simulate", "--events", "1500", "--gaps", "120", "--seed", "3", "--json"], io);
  assert.equal(code, 0, out.stderr);
  const reports = JSON.parse(out.stdout);
  assert.deepEqual(reports.map((r) => r.strategy), ["synapse", "dfs", "bfs", "cover"]);
  for (const r of reports) {
    for (const key of ["round_trips", "events_transferred", "duplicates", "gaps_left"]) {
      assert.equal(typeof r[key], "number", `${r.strategy}.${key}`);
    }
    assert.ok(r.gaps_at_start > 100, `${r.gaps_at_start}`);
    assert.equal(r.closable_gaps_left, 0, r.strategy);
    assert.ok(r.duplicates <= r.events_transferred);
  }
  const [synapse, , , cover] = reports;
  assert.ok(cover.round_trips < synapse.round_trips, `${cover.round_trips} vs ${synapse.round_trips}`);
  assert.ok(cover.events_transferred < synapse.events_transferred);
});

test("simulate --strategy runs one strategy; the same seed gives the same numbers", async () => {
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const { out, io } = capture();
    assert.equal(await main(["simulate", "--events", "800", "--gaps", "50", "--strategy", "dfs", "--json"], io), 0);
    runs.push(JSON.parse(out.stdout));
  }
  assert.equal(runs[0].length, 1);
  assert.equal(runs[0][0].strategy, "dfs");
  assert.deepEqual(runs[0], runs[1]);
});

test("simulate prints a table, and rejects unknown strategies with exit 2", async () => {
  const { out, io } = capture();
  assert.equal(await main(["simulate", "--events", "600", "--gaps", "30", "--width", "8"], io), 0);
  const lines = out.stdout.trim().split("\n");
  assert.equal(lines.length, 5);
  assert.match(lines[0], /^strategy\s+round trips/);
  assert.match(lines[1], /^synapse\s+\d+/);
  const bad = capture();
  assert.equal(await main(["simulate", "--strategy", "astar"], bad.io), 2);
  assert.match(bad.out.stderr, /--strategy must be one of synapse, dfs, bfs, cover/);
});

test("fillAllGaps closes every closable gap against the simulated federation", async () => {
  const federation = new tools.SimulatedFederation({ events: 1200, gaps: 80, seed: 2 });
  const planner = new mxdag.GapPlanner({ room_id: federation.roomId(), servers: federation.servers() });
  planner.addEvents(federation.startingEvents());
  const gapsAtStart = planner.gapCount();
  assert.ok(gapsAtStart > 50);
  const seen = [];
  const answered = [];
  const progress = [];
  const result = await fillAllGaps({
    planner,
    fetch: async (request) => {
      seen.push(request);
      return federation.answer(request.server, request);
    },
    onAnswer: async (request, recorded) => answered.push({ request, recorded }),
    onProgress: (p) => progress.push(p),
  });
  assert.equal(result.stopped, "done");
  assert.equal(result.gaps_left, 0);
  assert.deepEqual(result.open_gaps, []);
  assert.equal(result.round_trips, progress.length);
  assert.ok(result.new_events > 0 && result.new_events <= result.received);
  assert.equal(progress.at(-1).gaps, 0);
  // onAnswer sees every answer that was taken: together they are all the events received.
  assert.ok(answered.length > 0 && answered.length <= result.round_trips);
  assert.ok(answered.every(({ request, recorded }) => seen.includes(request) && recorded.new <= recorded.received && recorded.report === undefined));
  assert.equal(answered.reduce((n, { recorded }) => n + recorded.received, 0), result.received);
  assert.equal(answered.reduce((n, { recorded }) => n + recorded.new, 0), result.new_events);
  // Forwards fill, when planned: the stable path first, then the MSC's unstable one and
  // Synapse's unstable/ one, each after M_UNRECOGNIZED on the one before (the simulated
  // servers that lack forwards fill answer it on every path; forwards-fill.test.js drives
  // fillAllGaps through all three).
  const ff = seen.filter((r) => r.endpoint === "forwards_fill");
  const order = FORWARDS_FILL_PATHS.map((f) => f.name);
  const byId = new Map();
  for (const r of ff) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  for (const tries of byId.values()) {
    assert.deepEqual(tries.map((r) => forwardsFillPathOf(r.path).form.name), order.slice(0, tries.length));
  }
  const servers = Object.fromEntries(result.servers.map((s) => [s.name, s]));
  assert.equal(servers["down.example"].events_received, 0);
  assert.ok(servers["down.example"].failures >= 1);
});

test("fillAllGaps stops on abort and reports why gaps stay open", async () => {
  const federation = new tools.SimulatedFederation({ events: 1200, gaps: 80, seed: 2 });
  const planner = new mxdag.GapPlanner({ room_id: federation.roomId(), servers: ["down.example"] });
  planner.addEvents(federation.startingEvents());
  const result = await fillAllGaps({ planner, fetch: (r) => federation.answer(r.server, r) });
  assert.equal(result.stopped, "done");
  assert.equal(result.gaps_left, planner.gapCount());
  assert.ok(result.open_gaps.every((g) => g.reason === "planner_gap_servers_unavailable"));
  assert.match(result.open_gaps[0].message, /stays open: the servers that may hold it are failing/);

  const controller = new AbortController();
  const second = new mxdag.GapPlanner({ room_id: federation.roomId(), servers: federation.servers() });
  second.addEvents(federation.startingEvents());
  const aborted = await fillAllGaps({
    planner: second,
    fetch: (r) => federation.answer(r.server, r),
    signal: controller.signal,
    onProgress: () => controller.abort(),
  });
  assert.equal(aborted.stopped, "aborted");
  assert.equal(aborted.rounds, 1);
  assert.ok(aborted.gaps_left > 0);
  assert.throws(() => new mxdag.GapPlanner({ room_id: "!r:x", servers: [], strategy: "astar" }), (e) => e.code === "planner_unknown_strategy");
});
