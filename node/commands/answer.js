// `mxdag answer --dag FILE... --request "GET …" [--body FILE] [--order synapse|bfs]`: prints
// the reference answer a correct server holding that DAG gives: a transaction for /backfill
// and forwards fill, `{events}` for /get_missing_events.
// Exit codes: 0 answered, 2 unusable input or arguments.
import { runCommand, UsageError, withRequestLine } from "../args.js";
import { readText } from "../input.js";
import { release, SESSION_OPTIONS } from "../session.js";
import { loadSession } from "./dag.js";

export const summary = "the reference answer to /backfill, /get_missing_events or forwards fill";

export const usage = `Usage: mxdag answer --dag FILE... --request "GET /_matrix/federation/v1/backfill/…" [--body FILE] [--order synapse|bfs] [--origin NAME]

Prints what a correct server holding the events of the --dag files answers:
  /backfill             the v events and their ancestors, at most limit, newest first;
                        --order synapse (default: priority queue on depth, as Synapse) or
                        bfs (breadth-first, as Dendrite); unknown v events are skipped
  /get_missing_events   breadth-first over prev_events from latest_events, earliest_events
                        blocking, neither returned, oldest first; min_depth honoured
                        (servers ignore it)
  forwards_fill         MSC4000 (any of its three paths): successors breadth-first over
                        children, the given events excluded, oldest first

Options:
  --dag FILE           events the server holds (any shape mxdag dag reads); repeatable
  --request LINE       the request as logged: method, path and query
  --body FILE          the JSON body of POST /get_missing_events
  --order ORDER        synapse or bfs (/backfill only)
  --origin NAME        the transaction's origin (default: mxdag.invalid)
  --room-version V     the room version (1–12); default: from an m.room.create event
  -h, --help           this help
`;

const OPTIONS = {
  ...SESSION_OPTIONS,
  dag: { type: "string", multiple: true },
  request: { type: "string" },
  body: { type: "string" },
  order: { type: "string" },
  origin: { type: "string" },
};

/** Builds the response body for `endpoint` around the PDUs (JSON texts). */
export function responseText(endpoint, pdus, origin, now = Date.now()) {
  const list = `[${pdus.join(",")}]`;
  if (endpoint === "get_missing_events") return `{"events":${list}}`;
  return `{"origin":${JSON.stringify(origin)},"origin_server_ts":${now},"pdus":${list}}`;
}

/** Runs `mxdag answer`. */
export async function run(args, io) {
  return runCommand({ name: "answer", usage, options: OPTIONS, allowPositionals: false }, args, io, async (values) => {
    if (!values.dag?.length) throw new UsageError("answer needs at least one --dag FILE");
    if (!values.request) throw new UsageError("answer needs --request");
    if (values.order !== undefined && !["synapse", "bfs"].includes(values.order)) {
      throw new UsageError(`--order must be synapse or bfs, not ${JSON.stringify(values.order)}`);
    }
    const { mxdag } = await import("../wasm.js");
    const body = values.body === undefined ? undefined : readText(values.body);
    const { session } = await loadSession(mxdag, values.dag, [], values, io);
    try {
      const answer = withRequestLine(() => session.referenceAnswer(values.request, body, values.order));
      if (!session.summaries().some((s) => s.room_id === answer.room_id)) {
        io.stderr.write(`mxdag answer: the --dag files hold no event of room ${answer.room_id}; the answer is empty\n`);
        answer.event_ids = [];
      }
      const pdus = session.pickEvents(answer.event_ids);
      io.stdout.write(responseText(answer.endpoint, pdus, values.origin ?? "mxdag.invalid") + "\n");
      return 0;
    } finally {
      release(session, io);
    }
  });
}
