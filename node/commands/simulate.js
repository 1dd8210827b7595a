// `mxdag simulate [--events N] [--gaps N] [--seed S] [--strategy NAME] [--width W] [--limit L] [--json]`:
// runs the gap planner's strategies on a simulated federation (a generated room, five peers
// that hold different parts, cap limits, lack forwards fill or are down) and prints, per
// strategy, the round trips, events transferred, duplicates and gaps left.
// Exit codes: 0 ran, 2 unusable arguments.
import { integerOption, runCommand, UsageError } from "../args.js";

export const summary = "compare gap-filling strategies on a simulated federation";

export const usage = `Usage: mxdag simulate [--events N] [--gaps N] [--seed S] [--strategy NAME] [--width W] [--limit L] [--json]

Generates a room and a federation of five simulated servers answering /backfill,
/get_missing_events and MSC4000 forwards fill with mxdag's reference answers (one holds
everything, one joined late, one lacks a fifth of the room and caps limits at 20, one is
down, one supports forwards fill), punches holes into the requester's copy, and lets each
strategy fill them until no server can help:
  synapse   Synapse's rule: /backfill from the 5 gaps closest to the depth being read, one
            server at a time, failing points backed off 2h, 4h, … 256h
  dfs       /backfill from the gap found last (depth-first)
  bfs       /backfill from the 5 gaps found first (breadth-first)
  cover     mxdag's: batched /get_missing_events with earliest_events, /backfill by ID for
            big holes, forwards fill from below, servers ranked by what they showed

Options:
  --events N       events in the room (default 10000)
  --gaps N         short holes punched into the requester's copy (default 1000)
  --seed S         seed of the room, holes and peers (default 1)
  --strategy NAME  run one strategy: synapse, dfs, bfs or cover (default: all four)
  --width W        a large public room: W servers sending concurrently, requester joined
                   at 60% (default: 0, a room with short forks)
  --limit L        the limit asked for (default 100)
  --json           print [{strategy, round_trips, events_transferred, duplicates,
                   gaps_left, ...}], one object per strategy
  -h, --help       this help
`;

const OPTIONS = {
  events: { type: "string" },
  gaps: { type: "string" },
  seed: { type: "string" },
  strategy: { type: "string" },
  width: { type: "string" },
  limit: { type: "string" },
  json: { type: "boolean" },
};

const STRATEGIES = ["synapse", "dfs", "bfs", "cover"];

const COLUMNS = [
  ["strategy", "strategy"],
  ["round_trips", "round trips"],
  ["rounds", "rounds"],
  ["events_transferred", "events"],
  ["duplicates", "duplicates"],
  ["gaps_at_start", "gaps at start"],
  ["gaps_left", "gaps left"],
  ["closable_gaps_left", "closable left"],
];

/** The human-readable table of the reports. */
export function formatReports(reports) {
  const rows = [COLUMNS.map(([, title]) => title), ...reports.map((r) => COLUMNS.map(([key]) => String(r[key])))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd()).join("\n") + "\n";
}

/** Runs `mxdag simulate`. */
export async function run(args, io) {
  return runCommand({ name: "simulate", usage, options: OPTIONS, allowPositionals: false }, args, io, async (values) => {
    if (values.strategy !== undefined && !STRATEGIES.includes(values.strategy)) {
      throw new UsageError(`--strategy must be one of ${STRATEGIES.join(", ")}, not ${JSON.stringify(values.strategy)}`);
    }
    const options = {
      events: integerOption(values, "events", { min: 2, max: 10_000_000 }),
      gaps: integerOption(values, "gaps", { min: 0, max: 10_000_000 }),
      seed: integerOption(values, "seed", { min: 0 }),
      width: integerOption(values, "width", { min: 0, max: 100_000 }),
      limit: integerOption(values, "limit", { min: 1, max: 10_000 }),
      strategy: values.strategy,
    };
    for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
    const { loadTools } = await import("../wasm.js");
    const reports = (await loadTools()).simulate(options);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    } else {
      io.stdout.write(formatReports(reports));
    }
    return 0;
  });
}
