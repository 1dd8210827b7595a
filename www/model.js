// The drawing model: the DAG's nodes (held events and gaps) in linear order as typed arrays,
// and their layout from the wasm. The rows and their parents come from the wasm as typed
// arrays; one pass here adds what the store knows of each event.

/** Verdict codes used in the typed arrays of a snapshot. */
export const VERDICT = { valid: 0, redacted: 1, dropped: 2, unchecked: 3, gap: 4 };
/** Kinds of node, as drawn. */
export const KIND = { message: 0, state: 1, other: 2, gap: 3, outlier: 4 };
/** Flag bits of a node. */
export const FLAG = { forward: 1, gap: 2, problems: 4, pruned: 8 };

const asText = (v) => (typeof v === "string" ? v : v === undefined ? "" : JSON.stringify(v));

/** An event's kind and one-line label (type, state key, sender, the start of a body; text). */
export function describe(pdu) {
  const kind = typeof pdu?.state_key === "string" ? KIND.state : pdu?.type === "m.room.message" ? KIND.message : KIND.other;
  const sk = typeof pdu?.state_key === "string" && pdu.state_key !== "" ? ` [${pdu.state_key}]` : "";
  const body = pdu?.content?.body;
  const said = typeof body === "string" && body !== "" ? ` · “${body.replace(/\s+/g, " ").slice(0, 48)}”` : "";
  return { kind, label: `${asText(pdu?.type)}${sk} · ${asText(pdu?.sender)}${said}` };
}

/** A node the DAG orders but the store lacks (never expected): drawn as unchecked. */
const UNKNOWN = { pdu: null, prevs: [], kind: KIND.other, label: "", verdict: "unchecked", problems: [], pruned: false };

/** Row flag bits of `RoomDag.layoutInput()` (src/dag/rows.rs). */
const ROW = { forward: 1, gap: 2 };

/**
 * Builds `{n, ids, labels, kind, verdict, flags, refs, layout, counts}` from the DAG's rows
 * (`engine.layoutInput()`: timeline events in linear order, each gap just before its first
 * child, so it is drawn right under the events pointing at it) and the events held.
 */
export function buildSnapshot(engine) {
  const start = performance.now();
  const { ids, offsets, parents, depths, flags: rowFlags, outliers } = engine.layoutInput();
  const n = ids.length;
  const kind = new Uint8Array(n);
  const verdict = new Uint8Array(n);
  const flags = new Uint8Array(n);
  const refs = new Uint32Array(n);
  const labels = new Array(n);
  let problems = 0;
  let forward = 0;
  let backward = 0;
  for (let i = 0; i < n; i++) {
    const row = rowFlags[i];
    if (row & ROW.gap) {
      backward++;
      kind[i] = KIND.gap;
      verdict[i] = VERDICT.gap;
      flags[i] = FLAG.gap;
      continue;
    }
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      if (rowFlags[parents[k]] & ROW.gap) refs[parents[k]]++;
    }
    const e = engine.events.get(ids[i]) ?? UNKNOWN;
    kind[i] = e.kind;
    verdict[i] = VERDICT[e.verdict] ?? VERDICT.unchecked;
    if (row & ROW.forward) {
      flags[i] |= FLAG.forward;
      forward++;
    }
    if (e.problems.length) {
      flags[i] |= FLAG.problems;
      problems++;
    }
    if (e.pruned) flags[i] |= FLAG.pruned;
    labels[i] = e.label;
  }
  // A gap's `refs`: the events that list it (each once), counted above.
  for (let i = 0; i < n; i++) {
    if (kind[i] === KIND.gap) labels[i] = `missing · ${refs[i] === 1 ? "1 event points" : `${refs[i]} events point`} here`;
  }
  const t0 = performance.now();
  const layout = engine.layout(offsets, parents, depths);
  const layoutMs = performance.now() - t0;
  return {
    n,
    ids,
    labels,
    kind,
    verdict,
    flags,
    refs,
    layout,
    layoutMs,
    modelMs: t0 - start,
    counts: {
      events: engine.events.size,
      forward,
      backward,
      outliers,
      problems,
      lanes: layout.lanes,
    },
    roomId: engine.roomId,
    roomVersion: engine.roomVersion,
  };
}

/** The typed arrays of a snapshot, to transfer to the page without copying. */
export function transferables(s) {
  const l = s.layout;
  return [s.kind, s.verdict, s.flags, s.refs, l.x, l.y, l.lane, l.edges, l.backEdges, l.runs].map((a) => a.buffer);
}
