// `mxdag state FILE... [--at EVENT_ID]... [--json]`: the room state as a server computes it
// (state resolution v1, v2 or v2.1 by room version): without --at, the current state (the
// resolution of the states after the forward extremities); with --at, each event's result
// of the authorization rules (checks 4–6 on receipt) and the states before and after it.
// Exit codes: 0 when every asked event is held, 2 when one is not (or on unusable input).
import { runCommand, UsageError } from "../args.js";
import { release, SESSION_HELP, SESSION_OPTIONS } from "../session.js";
import { loadSession } from "./dag.js";

export const summary = "the room state: current, or before and after given events";

export const usage = `Usage: mxdag state FILE... [--at EVENT_ID]... [--json] [--room-version V] [--keys FILE]...

Loads the events of the files (anything mxdag dag reads) into one session and prints the
room's current state: the resolution of the states after its forward extremities (state
resolution of room version 1, of versions 2–11, or v2.1 of version 12). With --at, for each
event: whether it passes the authorization rules (against its auth events, the state before
it, and the current state: allowed, rejected, soft_failed, or unknown when an event needed
is not held) and the rule it failed, and the states before and after it; at a merge whose
states conflicted, each conflicted pair with its candidates in the order state resolution
took them, why each was kept or not, and the state resets found there. A state that needs
events not held is not guessed: the events missing are named.

Options:
  --at EVENT_ID        an event to show; repeatable
  --json               print {room_version, current: [entry], at: [{event_id, auth, rule,
                       state_before: [entry], state_after: [entry]}]} with entry =
                       {type, state_key, event_id}, sorted by type then state key; a
                       state not known is null, with the IDs of the events missing
                       in "missing_before" / "missing_after" (and "missing_current")
                       and why in "why_before" / "why_after" / "why_current";
                       at a merge with conflicted state, "merge": {conflicted: [{type,
                       state_key, candidates, resolved, outcomes, decided_by}], resets}
${SESSION_HELP}  -h, --help           this help

Exit status: 0 when every event asked for is held; 2 when one is not, or on unusable input
or arguments.
`;

const OPTIONS = {
  ...SESSION_OPTIONS,
  json: { type: "boolean" },
  at: { type: "string", multiple: true },
};

/** A state, or null with the events missing (their IDs) and why it is not known. */
function stateOrMissing(get) {
  try {
    return { state: get(), missing: null, why: null };
  } catch (error) {
    if (error.code !== "auth_unknown") throw error;
    return { state: null, missing: error.missing ?? [], why: error.message };
  }
}

/** The current state; not known when no event of the room's timeline is held (only outliers, or nothing). */
function currentOf(session) {
  if (session.linearOrder().length === 0) {
    return { state: null, missing: [], why: "no event of the room's timeline is held (the inputs hold only events apart from the DAG, or none)" };
  }
  return stateOrMissing(() => session.currentState());
}

/** The result of checks 4–6 of a held event: [auth, rule]. */
function verdictOf(details) {
  const auth = details.auth ?? { status: "not_checked" };
  const state = details.state ?? { status: "not_checked" };
  if (auth.status === "rejected") return ["rejected", auth.problem.code];
  if (state.status === "rejected") return ["rejected", state.problem.code];
  if (state.status === "soft_failed") return ["soft_failed", state.problem.code];
  if (auth.status === "allowed" && state.status === "allowed") return ["allowed", null];
  return ["unknown", null];
}

function entryLine(e) {
  const key = e.state_key === "" ? "" : ` [${e.state_key}]`;
  return `    ${e.type}${key}: ${e.event_id}`;
}

function stateLines(title, { state, why }) {
  if (state === null) return [`  ${title}: not known — ${why}`];
  return [`  ${title}: ${state.length} entr${state.length === 1 ? "y" : "ies"}`, ...state.map(entryLine)];
}

/** What state resolution did at a merge (`EventDetails.merge`): each conflicted pair, its
 *  candidates in the order they were taken and why, and the state resets. */
function mergeLines(merge) {
  if (!merge) return [];
  const lines = [`  conflicted state at this merge: ${merge.conflicted.length} pair(s)`];
  for (const c of merge.conflicted) {
    lines.push(`    ${c.type}${c.state_key === "" ? "" : ` [${c.state_key}]`}: ${c.decided_by ?? (c.resolved ? `${c.resolved} kept` : "none kept")}`);
    for (const o of c.outcomes) lines.push(`      ${o.event_id}: ${o.why}`);
  }
  for (const p of merge.resets) lines.push(`  warning: ${p.code}: ${p.message}`);
  return lines;
}

/** Runs `mxdag state`. */
export async function run(args, io) {
  return runCommand({ name: "state", usage, options: OPTIONS }, args, io, async (values, positionals) => {
    if (positionals.length === 0) throw new UsageError("state needs at least one FILE");
    const { mxdag } = await import("../wasm.js");
    const { session } = await loadSession(mxdag, positionals, [], values);
    try {
      const current = currentOf(session);
      const at = [];
      const notHeld = [];
      for (const id of values.at ?? []) {
        const details = session.details(id);
        if (details === undefined || !details.held) {
          notHeld.push(id);
          continue;
        }
        const [auth, rule] = verdictOf(details);
        const before = stateOrMissing(() => session.stateAt(id, "before"));
        const after = stateOrMissing(() => session.stateAt(id, "after"));
        at.push({ event_id: id, auth, rule, before, after, merge: details.merge });
      }
      for (const id of notHeld) io.stderr.write(`mxdag state: ${id} is not held by the inputs\n`);
      if (values.json) {
        const out = {
          room_version: session.roomVersion ?? null,
          current: current.state,
          ...(current.missing === null ? {} : { missing_current: current.missing, why_current: current.why }),
          at: at.map((a) => ({
            event_id: a.event_id,
            auth: a.auth,
            rule: a.rule,
            state_before: a.before.state,
            state_after: a.after.state,
            ...(a.before.missing === null ? {} : { missing_before: a.before.missing, why_before: a.before.why }),
            ...(a.after.missing === null ? {} : { missing_after: a.after.missing, why_after: a.after.why }),
            ...(a.merge ? { merge: a.merge } : {}),
          })),
        };
        io.stdout.write(JSON.stringify(out, null, 2) + "\n");
      } else {
        const lines = [`room version ${session.roomVersion ?? "(unknown)"}`];
        if (at.length === 0) lines.push(...stateLines("current state", current));
        for (const a of at) {
          lines.push(`${a.event_id}: ${a.auth}${a.rule ? ` (${a.rule})` : ""}`);
          lines.push(...mergeLines(a.merge), ...stateLines("state before", a.before), ...stateLines("state after", a.after));
        }
        io.stdout.write(lines.join("\n") + "\n");
      }
      return notHeld.length > 0 ? 2 : 0;
    } finally {
      release(session, io);
    }
  });
}
