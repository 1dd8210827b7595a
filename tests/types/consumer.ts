// A TypeScript consumer of the built package (pkg/), compiled by tests/js/types.test.js with
// `tsc --strict --noEmit`: it uses every public class and function of `mxdag`, `mxdag/node`
// and `mxdag/tools`, and `typed(...)` fails to compile wherever a result is `any`.
import init, {
  GapPlanner,
  KeyRing,
  PartsTaking,
  RoomDag,
  RoomSession,
  Timeline,
  eventSpans,
  judgeSlice,
  layoutDag,
  roomVersionOf,
  validateEvents,
} from "mxdag";
import type {
  AuthSummary,
  BackfillOrder,
  Contract,
  Endpoint,
  EventDetails,
  GapSummary,
  IngestReport,
  KeyInfo,
  Layout,
  LayoutRows,
  OpenGap,
  Pdu,
  PlannedRequest,
  Problem,
  RecordedAnswer,
  ServerKeys,
  SessionRows,
  StateAuth,
  StateEntry,
  TimelineAnswer,
  TimelineEvent,
  TimelineGap,
  TimelineInsertion,
  TimelinePage,
  TimelineRefresh,
  ValidationReport,
  EventSpans,
  Verdict,
} from "mxdag";
import nodeDefault, { ingestParallel, loadTools, mxdag, wasmPath } from "mxdag/node";
import type { GeneratedRoom, SimulatedAnswer, SimulationReport } from "mxdag/tools";
import { fillGap } from "mxdag/timeline-fill";
import type { FillGapResult } from "mxdag/timeline-fill";

/** True when `T` is `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/** Returns `value`; a second argument of type `never` is demanded when `value` is `any`. */
function typed<T>(value: T, ..._notAny: IsAny<T> extends true ? [never] : []): T {
  return value;
}

// The browser entry point: init() first.
await init();

// Keys: a key server's response, as an object or as text.
const ring = new KeyRing();
const response: ServerKeys = {
  server_name: "a.example",
  valid_until_ts: 1_700_000_000_000,
  verify_keys: { "ed25519:1": { key: "l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ" } },
  signatures: { "a.example": { "ed25519:1": "sig" } },
};
const added = typed(ring.addResponse(response));
const refused: Problem[] = added.problems;
typed(ring.addResponse({ server_keys: [response] }));
typed(ring.addResponse(JSON.stringify([response])));
ring.addKey("b.example", "ed25519:b", "l8Hft5qXKn1vfHrg3p4+W8gELQVo8N13JkluMfmn2sQ", undefined);
const held: KeyInfo[] = typed(ring.keys());
const size: number = ring.size;

// Validation of PDUs given as objects or text.
const create: Pdu = {
  type: "m.room.create",
  state_key: "",
  room_id: "!r:a.example",
  sender: "@u:a.example",
  content: { room_version: "12" },
  depth: 1,
  prev_events: [],
  auth_events: [],
  origin_server_ts: 1,
  hashes: { sha256: "x" },
  signatures: {},
};
const version: string | undefined = roomVersionOf(JSON.stringify([create]));
const report: ValidationReport = typed(validateEvents([create], version, ring, { viaBackfill: true }));
const verdicts: Verdict[] = report.events.map((e) => e.verdict);
const missing: string[] = report.missing_keys.map((k) => `${k.server_name} ${k.key_id}`);
typed(validateEvents(new TextEncoder().encode(JSON.stringify(create)), "12", ring));

// A room session: ingest, keys, details, gaps, rows, reference answers.
const session = new RoomSession("!r:a.example");
const backfill = "GET /_matrix/federation/v1/backfill/!r:a.example?v=$e&limit=5";
const ingested: IngestReport = typed(session.ingest(JSON.stringify({ pdus: [create] }), { request: backfill, status: 200, source: "backfill" }));
const contract: Contract | undefined = ingested.contract;
const endpoint: Endpoint | undefined = contract?.endpoint;
const outcome: "valid" | "unchecked" | "invalid" = ingested.outcome;
const keysReport = typed(session.addKeys(JSON.stringify(response)));
const rejudged: number = keysReport.rejudged.judged + typed(session.rejudge()).checked;
const gaps: GapSummary[] = typed(session.gaps());
const firstGap: string | undefined = gaps[0]?.event_id;
const details: EventDetails | undefined = typed(session.details(firstGap ?? "$e"));
const detailLines: string[] = details ? [details.event_id, details.verdict ?? "missing", ...details.prev.map((n) => n.event_id)] : [];
const rows: SessionRows = typed(session.rows());
const labels: string[] = rows.labels;
const order: BackfillOrder = "bfs";
const answer = typed(session.referenceAnswer(backfill, undefined, order));
const picked: string[] = session.pickEvents(answer.event_ids);
const summaries = typed(session.summaries());
const counts = typed(session.verdictCounts(session.linearOrder()));
const notHeld = typed(session.keysNotHeld(typed(session.missingKeys())));
typed(session.keys());
typed(session.reread("11"));
typed(session.setRoomVersion("11"));
typed(new RoomSession().nameRoomVersion("10"));
const onlyKeys: boolean = RoomSession.holdsOnlyKeys(JSON.stringify(response));
// State resolution: the states around an event, its auth chain, the current state.
const stateBefore: StateEntry[] = typed(session.stateAt("$e", "before"));
const stateKeys: string[] = typed(session.stateAt("$e", "after")).map((e) => `${e.type} ${e.state_key} ${e.event_id}`);
const authChain: string[] = typed(session.authChain("$e"));
const currentState: StateEntry[] = typed(session.currentState());
const stateAuth: StateAuth | null | undefined = details?.state;
const conflicted: string[] = (details?.merge?.conflicted ?? []).map((c) => `${c.type} ${c.state_key} ${c.candidates.join(" ")} ${c.resolved ?? "none"}`);
const resets: string[] = (details?.merge?.resets ?? []).map((p) => p.code);
const softFailed: number = counts.soft_failed;
const sessionRoom: string | undefined = session.roomId ?? session.roomVersion;
const roomVersions: string[] = session.roomVersions();
const extremities: string[] = [...session.forwardExtremities(), ...session.outliers()];
const heldKeys: string[] = session.heldKeys().map((k) => `${k.server_name} ${k.key_id} ${k.key} ${k.valid_until_ts ?? "no expiry"}`);
const heap: number = session.heapBytes();
const authSummary: AuthSummary = session.authSummary();
const notRun: string = `${authSummary.allowed} ${authSummary.rejected} ${authSummary.not_run} ${authSummary.not_held.join(" ")}`;

// A gap planner on the session: next, record.
const planner = GapPlanner.onSession({ room_id: "!r:a.example", servers: ["a.example"], strategy: "cover" }, session);
const requests: PlannedRequest[] = typed(planner.next());
for (const request of requests) {
  const recorded: RecordedAnswer = typed(planner.record(request.id, { status: 200, text: "{\"pdus\":[]}" }));
  const reportOfAnswer: IngestReport | undefined = recorded.report;
  if (reportOfAnswer) console.log(reportOfAnswer.added, recorded.new);
}
const openGaps: OpenGap[] = typed(planner.openGaps());
const servers = typed(planner.servers());
const wakeup: number | undefined = planner.nextWakeup();
planner.setNow(planner.now() + 1000);
const plannerState: number = planner.gapCount() + planner.roundTrips();

// The session's timeline: pages with gap entries, a date jump, one gap filled.
const timeline = new Timeline(session, undefined);
const lastPage: TimelinePage = typed(timeline.page({ dir: "b", limit: 20 }));
const earlier: TimelinePage = typed(timeline.page({ from: lastPage.end, dir: "b" }));
const newestEvent: TimelineEvent | undefined = lastPage.chunk[0];
const gapEntries: TimelineGap[] = [...lastPage.gaps, ...earlier.gaps];
const jumped: string | undefined = typed(timeline.jump(1_700_000_000_000, "f"));
const refreshed: TimelineRefresh = typed(timeline.refresh());
const insertions: TimelineInsertion[] = refreshed.inserted;
for (const gap of gapEntries) {
  const fills: PlannedRequest[] = typed(timeline.fillRequests(gap, { servers: ["a.example"], limit: 20 }));
  for (const request of fills) {
    const taken: TimelineAnswer = typed(timeline.takeAnswer(request, { status: 200, text: "{\"pdus\":[]}" }));
    console.log(taken.report.added, taken.inserted.length);
  }
  const filled: FillGapResult = typed(await fillGap(timeline, gap, async () => ({ status: 200, body: { pdus: [] } }), { servers: ["a.example"] }));
  console.log(filled.page.chunk.length, filled.inserted, filled.failed);
}
const timelineSize: number = timeline.length;
console.log(newestEvent?.summary, jumped, insertions, timelineSize);
timeline.free();

// A planner of its own over records, and a bare DAG laid out.
const own = new GapPlanner({ room_id: "!r:a.example", servers: ["a.example"], limit: 50 });
const newEvents: number = own.addEvents([{ event_id: "$b", prev_events: ["$a"], depth: 2 }]);
const dag = new RoomDag();
const ids = (list: string[]) => new TextEncoder().encode(list.join("\n"));
const addedToDag: number = dag.addColumns(ids(["$a", "$b"]), ids(["$a"]), new Uint8Array([0, 1]), new Float64Array([1, 2]), new Float64Array([1, 2]));
const input: LayoutRows = typed(dag.layoutInput());
const layout: Layout = typed(layoutDag(input.offsets, input.parents, input.depths));
const lanes: number = layout.lanes + layout.x.length + layout.backEdges.length;
typed(dag.gaps());
typed(dag.summary());
typed(dag.findings());
typed(dag.referenceAnswer(backfill));
const dagState: string[] = [...dag.linearOrder(), ...dag.outliers(), ...dag.forwardExtremities(), dag.roomId ?? ""];
const structure = Timeline.ofDag(new RoomDag());
const structurePage: TimelinePage = typed(structure.page());
structure.free();

// Node: mxdag/node's bindings, default export and the tools build.
const nodeSession = new mxdag.RoomSession(undefined, "12");
typed(nodeSession.ingest(JSON.stringify(create)));
// Validation on every core: the spans of a list, a slice judged, the input taken with it.
const list = new TextEncoder().encode(JSON.stringify([create, create]));
const spans: EventSpans | undefined = eventSpans(list);
const context: Uint8Array | undefined = session.judgeContext("12", true);
const judged: Uint8Array | undefined =
  spans && context ? judgeSlice(context, list, 0, 0, spans.spans, spans.kind) : undefined;
typed(session.ingestJudged(list, { viaBackfill: true }, judged ? [judged] : []));
// A large list taken in parts as its judgements come (undefined: this one is too small).
const taking: PartsTaking | undefined = session.beginParts(list, { viaBackfill: true });
if (taking) {
  session.takeJudgedParts(taking, judged ? [judged] : []);
  const progress: number = taking.taken + taking.items;
  const found: EventSpans | undefined = taking.spans;
  const judgedWith: string = taking.roomVersion;
  typed(session.finishParts(taking));
}
const parallel: IngestReport = typed(await ingestParallel(mxdag, nodeSession, list, {}, { workers: 2, minEvents: 1, onProgress: (done: number, total: number) => done + total }));
const same: typeof mxdag = nodeDefault;
const where: string = wasmPath;
const tools = await loadTools();
const room: GeneratedRoom = typed(tools.generateRoom({ seed: 1, events: 50 }));
const toolsRing = new tools.KeyRing();
for (const keys of room.serverKeys) toolsRing.addResponse(keys);
typed(tools.validateEvents(room.pdus, room.roomVersion, toolsRing));
const simulated: SimulationReport[] = typed(tools.simulate({ events: 300, gaps: 10, strategy: "synapse" }));
const federation = new tools.SimulatedFederation({ events: 300, gaps: 10, seed: 2 });
const fedPlanner = new tools.GapPlanner({ room_id: federation.roomId(), servers: federation.servers() });
fedPlanner.addEvents(typed(federation.startingEvents()));
for (const request of fedPlanner.next()) {
  const reply: SimulatedAnswer = typed(federation.answer(request.server, request));
  typed(fedPlanner.record(request.id, { status: reply.status, text: JSON.stringify(reply.body) }));
}
const bench = new tools.ValidationBench({ events: 20 });
const benched: number = bench.run(tools.ValidationBench.stages()[0] ?? "parse", false) + bench.events;
const stateBench = new tools.StateBench(50);
stateBench.resolveAgain();
const stateBenched: number = stateBench.ingest() + stateBench.stateBytes() + stateBench.stateBeforeEvery() + stateBench.merges + stateBench.events;

console.log(refused, held, size, verdicts, missing, outcome, endpoint, rejudged, detailLines, labels, picked);
console.log(summaries, counts, notHeld, onlyKeys, sessionRoom, roomVersions, extremities, heap, openGaps, servers, wakeup);
console.log(plannerState, newEvents, addedToDag, lanes, dagState, same, where, simulated, benched, stateBenched, conflicted, resets);
session.free();
