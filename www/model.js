// The drawing model: the DAG's nodes (held events and gaps) in linear order as typed arrays,
// and their layout from the wasm. One pass over the events and their prev_events.

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

/**
 * Builds `{n, ids, labels, kind, verdict, flags, refs, layout, counts}`. Each gap sits just
 * before its first child in the order, so it is drawn right under the events pointing at it.
 */
export function buildSnapshot(engine) {
  const start = performance.now();
  const gapList = engine.gaps();
  const gaps = new Map(gapList.map((g) => [g.eventId, g]));
  const forward = new Set(engine.forwardExtremities());
  const outliers = engine.outliers();
  const index = new Map();
  const ids = [];
  for (const id of engine.order()) {
    for (const p of engine.prevIds(id)) {
      if (gaps.has(p) && !index.has(p)) {
        index.set(p, ids.length);
        ids.push(p);
      }
    }
    index.set(id, ids.length);
    ids.push(id);
  }
  const n = ids.length;
  const offsets = new Uint32Array(n + 1);
  const parents = [];
  const depths = new Float64Array(n);
  const kind = new Uint8Array(n);
  const verdict = new Uint8Array(n);
  const flags = new Uint8Array(n);
  const refs = new Uint32Array(n);
  const labels = new Array(n);
  let problems = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    const gap = gaps.get(id);
    if (gap) {
      kind[i] = KIND.gap;
      verdict[i] = VERDICT.gap;
      flags[i] = FLAG.gap;
      refs[i] = gap.referencedBy.length;
      labels[i] = `missing · ${gap.referencedBy.length === 1 ? "1 event points" : `${gap.referencedBy.length} events point`} here`;
    } else {
      const e = engine.events.get(id) ?? UNKNOWN;
      for (const p of e.prevs) {
        const pi = index.get(p);
        if (pi !== undefined) parents.push(pi);
      }
      depths[i] = Number.isFinite(e.pdu?.depth) ? e.pdu.depth : 0;
      kind[i] = outliers.has(id) ? KIND.outlier : e.kind;
      verdict[i] = VERDICT[e.verdict] ?? VERDICT.unchecked;
      if (forward.has(id)) flags[i] |= FLAG.forward;
      if (e.problems.length) {
        flags[i] |= FLAG.problems;
        problems++;
      }
      if (e.pruned) flags[i] |= FLAG.pruned;
      labels[i] = e.label;
    }
    offsets[i + 1] = parents.length;
  }
  // A gap's depth: as estimated by the DAG, else one less than its shallowest child.
  for (let i = 0; i < n; i++) {
    if (kind[i] !== KIND.gap) continue;
    const g = gaps.get(ids[i]);
    depths[i] = Number.isFinite(g.depth) ? g.depth : Math.max(0, Math.min(...g.referencedBy.map((c) => depths[index.get(c)] ?? 1)) - 1);
  }
  const t0 = performance.now();
  const layout = engine.layout(offsets, new Uint32Array(parents), depths);
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
      forward: forward.size,
      backward: gapList.length,
      outliers: outliers.size,
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
