// The drawing model: the DAG's rows in linear order as typed arrays, with what the room
// session knows of each event (`RoomSession.rows()`), and their layout from the wasm. One
// pass here counts gaps' references and the totals.
import { packStrings } from "./strings.js";

/** Verdict codes of a snapshot (as `RoomSession.rows()` gives them). */
export const VERDICT = { valid: 0, redacted: 1, dropped: 2, unchecked: 3, gap: 4, rejected: 5, soft_failed: 6 };
/** Kinds of node, as drawn. */
export const KIND = { message: 0, state: 1, other: 2, gap: 3, outlier: 4 };
/** Flag bits of a node. */
export const FLAG = { forward: 1, gap: 2, problems: 4, pruned: 8, annotated: 16, conflicted: 32, reset: 64 };

/** Row flag bits (src/dag/rows.rs) and mark bits (src/session/rows.rs). */
const ROW = { forward: 1, gap: 2 };
const MARK = { problems: 1, pruned: 2, annotated: 4, conflicted: 8, reset: 16 };

/**
 * Builds `{n, ids, labels, kind, verdict, flags, refs, layout, counts}` from the session's
 * rows (timeline events in linear order, each gap just before its first child, so it is
 * drawn right under the events pointing at it). `rows` when the caller already asked for
 * them (it costs ~0.2 s at 100,000 events).
 */
export function buildSnapshot(engine, rows = engine.rows()) {
  const start = performance.now();
  const { ids, offsets, parents, depths, labels } = rows;
  const n = ids.length;
  const flags = new Uint8Array(n);
  const refs = new Uint32Array(n);
  let problems = 0;
  let forward = 0;
  let backward = 0;
  for (let i = 0; i < n; i++) {
    const row = rows.flags[i];
    const mark = rows.marks[i];
    if (row & ROW.gap) {
      backward++;
      flags[i] = FLAG.gap;
      continue;
    }
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      if (rows.flags[parents[k]] & ROW.gap) refs[parents[k]]++;
    }
    if (row & ROW.forward) {
      flags[i] |= FLAG.forward;
      forward++;
    }
    if (mark & MARK.problems) {
      flags[i] |= FLAG.problems;
      problems++;
    }
    if (mark & MARK.pruned) flags[i] |= FLAG.pruned;
    if (mark & MARK.annotated) flags[i] |= FLAG.annotated;
    if (mark & MARK.conflicted) flags[i] |= FLAG.conflicted;
    if (mark & MARK.reset) flags[i] |= FLAG.reset;
  }
  // A gap's label: how many events point at it.
  for (let i = 0; i < n; i++) {
    if (flags[i] & FLAG.gap) labels[i] = `missing · ${refs[i] === 1 ? "1 event points" : `${refs[i]} events point`} here`;
  }
  const t0 = performance.now();
  const layout = engine.layout(offsets, parents, depths);
  const layoutMs = performance.now() - t0;
  return {
    n,
    // Packed (strings.js): one string each instead of one per event to post to the page.
    ids: packStrings(ids),
    labels: packStrings(labels),
    kind: rows.kinds,
    verdict: rows.verdicts,
    flags,
    refs,
    layout,
    layoutMs,
    modelMs: t0 - start,
    counts: {
      events: rows.held,
      forward,
      backward,
      outliers: rows.outliers,
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
  return [s.ids.offsets, s.labels.offsets, s.kind, s.verdict, s.flags, s.refs, l.x, l.y, l.lane, l.edges, l.backEdges, l.runs].map((a) => a.buffer);
}
