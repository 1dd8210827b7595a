// The synthetic room of the Node benchmarks (benches/node/dag.mjs, timeline.mjs).
import { createHash } from "node:crypto";

// The same shape as src/dag/synthetic.rs: prev events among the forward extremities and the
// last eight events, 70% one, 20% two, 10% three. Returns the input as encoded chunks only,
// so that the generator's million strings are garbage before the timed part. With
// `leaveOut: k`, every k-th event is left out of the input (its children then show a gap);
// with `keepIds`, the event IDs and timestamps are returned too.
export function generate(n, { leaveOut = 0, keepIds = false } = {}) {
  let state = 7n;
  const rand = (k) => {
    state ^= (state << 13n) & 0xffffffffffffffffn;
    state ^= state >> 7n;
    state ^= (state << 17n) & 0xffffffffffffffffn;
    return Number(state % BigInt(Math.max(k, 1)));
  };
  const ids = new Array(n);
  const prevIds = [];
  const prevCounts = new Uint8Array(n);
  const depths = new Float64Array(n);
  const timestamps = new Float64Array(n);
  let tips = [];
  for (let i = 0; i < n; i++) {
    const r = rand(10);
    const wanted = Math.min(r <= 6 ? 1 : r <= 8 ? 2 : 3, i);
    const prevs = [];
    while (prevs.length < wanted) {
      const pick = tips.length && rand(4) !== 0 ? tips[rand(tips.length)] : i - 1 - rand(Math.min(8, i));
      if (!prevs.includes(pick)) prevs.push(pick);
    }
    tips = tips.filter((t) => !prevs.includes(t));
    tips.push(i);
    ids[i] = "$" + createHash("sha256").update(`${i}`).digest("base64url");
    let depth = 0;
    for (const p of prevs) {
      prevIds.push(ids[p]);
      depth = Math.max(depth, depths[p]);
    }
    prevCounts[i] = prevs.length;
    depths[i] = depth + 1;
    timestamps[i] = 1_700_000_000_000 + i * 1000 + rand(1500);
  }
  // Fed in chunks, as responses arrive: each chunk's input is copied into wasm memory, used
  // and freed, so the allocator reuses the space instead of growing memory for all of it.
  const CHUNK = 100_000;
  const encoder = new TextEncoder();
  const chunks = [];
  const kept = (i) => leaveOut === 0 || i % leaveOut !== leaveOut - 1;
  for (let start = 0, prevAt = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const rows = [];
    const prevs = [];
    for (let i = start; i < end; i++) {
      if (kept(i)) rows.push(i);
      for (let p = prevAt; p < prevAt + prevCounts[i]; p++) if (kept(i)) prevs.push(prevIds[p]);
      prevAt += prevCounts[i];
    }
    chunks.push({
      ids: encoder.encode(rows.map((i) => ids[i]).join("\n")),
      prevs: encoder.encode(prevs.join("\n")),
      counts: Uint8Array.from(rows, (i) => prevCounts[i]),
      depths: Float64Array.from(rows, (i) => depths[i]),
      timestamps: Float64Array.from(rows, (i) => timestamps[i]),
    });
  }
  const out = { chunks, prevEach: prevIds.length / n };
  return keepIds ? { ...out, ids, timestamps } : out;
}

