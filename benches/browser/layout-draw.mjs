// Benchmark: a 100,000-event room (synthetic braid of concurrent senders, 1 % gaps) in headless Chromium — layout in wasm, the whole
// path from a RoomDag to coordinates and the page's model (target ≤ 300 ms), and pan/zoom frame time of the canvas (target ≤ 16 ms). Not a test: it prints figures.
//   node benches/browser/layout-draw.mjs [--events N]
// Needs pkg/ (scripts/build). Starts its own `mxdag serve` and stops it.
import { launch, open, serve } from "../../tests/e2e/harness.js";

const arg = process.argv.indexOf("--events");
const N = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;

const server = await serve();
const browser = await launch();
try {
  const page = await open(browser, server.url);
  const result = await page.evaluate(async (n) => {
    const mx = await import("/pkg/mxdag.js");
    await mx.default();
    // A braid of concurrent senders: 1-3 prev events among the 6 previous, 1 % gaps.
    let seed = 12345;
    const rnd = (m) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % m);
    const offsets = new Uint32Array(n + 1);
    const parents = [];
    const depths = new Float64Array(n);
    const flags = new Uint8Array(n);
    const kind = new Uint8Array(n);
    const verdict = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (i > 0 && rnd(100) !== 0) {
        const k = 1 + rnd(3);
        let d = 0;
        for (let j = 0; j < k; j++) {
          const p = i - 1 - rnd(Math.min(i, 6));
          parents.push(p);
          d = Math.max(d, depths[p] + 1);
        }
        depths[i] = d;
      } else if (i > 0) {
        flags[i] = 2;
        verdict[i] = 4;
        kind[i] = 3;
      }
      kind[i] ||= rnd(10) === 0 ? 1 : 0;
      offsets[i + 1] = parents.length;
    }
    const parentArray = new Uint32Array(parents);
    const runs = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      mx.layoutDag(offsets, parentArray, depths);
      runs.push(performance.now() - t0);
    }
    const layout = mx.layoutDag(offsets, parentArray, depths);
    // The page's whole path from a RoomDag: its linear order, the CSR by event ID, the layout.
    const ids0 = Array.from({ length: n }, (_, i) => `$e${i}`);
    const prevCounts = new Uint8Array(n);
    const prevIds = [];
    for (let i = 0; i < n; i++) {
      prevCounts[i] = offsets[i + 1] - offsets[i];
      for (let k = offsets[i]; k < offsets[i + 1]; k++) prevIds.push(ids0[parentArray[k]]);
    }
    const dag = new mx.RoomDag();
    const utf8 = (list) => new TextEncoder().encode(list.join("\n"));
    dag.addColumns(utf8(ids0), utf8(prevIds), prevCounts, depths, new Float64Array(n));
    const t1 = performance.now();
    const order = dag.linearOrder();
    const t2 = performance.now();
    const index = new Map(order.map((id, i) => [id, i]));
    const offs = new Uint32Array(n + 1);
    const par = [];
    const dep = new Float64Array(n);
    order.forEach((id, i) => {
      const j = Number(id.slice(2));
      for (let k = offsets[j]; k < offsets[j + 1]; k++) par.push(index.get(ids0[parentArray[k]]));
      dep[i] = depths[j];
      offs[i + 1] = par.length;
    });
    mx.layoutDag(offs, new Uint32Array(par), dep);
    const t3 = performance.now();
    const pipeline = { order: t2 - t1, csrAndLayout: t3 - t2, total: t3 - t1 };
    // The same with the rows as typed arrays from the wasm (RoomDag.layoutInput).
    const rowRuns = [];
    for (let r = 0; r < 3; r++) {
      const t4 = performance.now();
      const rows = dag.layoutInput();
      const t5 = performance.now();
      mx.layoutDag(rows.offsets, rows.parents, rows.depths);
      rowRuns.push({ rows: t5 - t4, layout: performance.now() - t5, total: performance.now() - t4 });
    }
    rowRuns.sort((a, b) => a.total - b.total);
    pipeline.typed = rowRuns[1];
    // The page's whole model (www/model.js buildSnapshot) over these rows, as the worker's
    // engine gives them (`RoomSession.rows()`: the DAG's layout rows with each event's
    // verdict, kind, marks and label; a session's rows cost ~0.2 s more at 100,000 events).
    const { buildSnapshot } = await import("/model.js");
    const engine = {
      rows: () => {
        const rows = dag.layoutInput();
        const count = rows.ids.length;
        const label = "m.room.message · @user:bench.test";
        const zeros = () => new Uint8Array(count);
        return { ...rows, verdicts: zeros(), kinds: zeros(), marks: zeros(), labels: Array.from({ length: count }, () => label), held: n };
      },
      layout: (o, p, d) => mx.layoutDag(o, p, d),
      roomId: "!bench:bench.test",
      roomVersion: "10",
    };
    const snapRuns = [];
    for (let r = 0; r < 3; r++) {
      const t6 = performance.now();
      buildSnapshot(engine);
      snapRuns.push(performance.now() - t6);
    }
    snapRuns.sort((a, b) => a - b);
    pipeline.snapshot = { median: snapRuns[1], best: snapRuns[0], worst: snapRuns[2] };
    for (let i = n - 20; i < n; i++) flags[i] |= 1;
    const ids = Array.from({ length: n }, (_, i) => `$event${i}:bench.test`);
    const labels = Array.from({ length: n }, (_, i) => (flags[i] & 2 ? "missing · 1 event points here" : "m.room.message · @user:bench.test"));
    const view = window.mxdag.view;
    view.setSnapshot({ n, ids, labels, kind, verdict, flags, refs: new Uint32Array(n), layout, counts: {} });
    // Frames: zoomed in (labels), middle, and the whole room on screen; pan at each zoom.
    const frames = {};
    for (const [name, scale] of [["close", 1], ["middle", 0.1], ["whole room", (view.h - 60) / (n * 22)]]) {
      view.scale = scale;
      view.ox = 28;
      view.oy = -((n / 2) * 22 * scale);
      const times = [];
      for (let k = 0; k < 60; k++) {
        view.oy += 37;
        if (k % 10 === 0) view.zoomAt(k % 20 === 0 ? 1.1 : 1 / 1.1, 300, 300);
        // Reading a pixel back forces the canvas to rasterise: the time is the whole frame.
        const t0 = performance.now();
        view.draw();
        view.ctx.getImageData(0, 0, 1, 1);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      frames[name] = { median: times[30], p95: times[56], max: times[59] };
    }
    runs.sort((a, b) => a - b);
    return { n, edges: parents.length, lanes: layout.lanes, layoutMs: { median: runs[2], best: runs[0], worst: runs[4] }, pipeline, frames };
  }, N);
  const f = (x) => x.toFixed(1);
  console.log(`${result.n} events, ${result.edges} edges, ${result.lanes} lanes`);
  console.log(`layoutDag (wasm, headless Chromium): median ${f(result.layoutMs.median)} ms, best ${f(result.layoutMs.best)}, worst ${f(result.layoutMs.worst)}  (target ≤ 300 ms)`);
  const p = result.pipeline;
  console.log(`RoomDag.linearOrder ${f(p.order)} ms + CSR in JS and layoutDag ${f(p.csrAndLayout)} ms = ${f(p.total)} ms from DAG to coordinates`);
  const t = p.typed;
  console.log(`RoomDag.layoutInput ${f(t.rows)} ms + layoutDag ${f(t.layout)} ms = ${f(t.total)} ms from DAG to coordinates (median of 3)`);
  const s = p.snapshot;
  console.log(`page model (www/model.js buildSnapshot), DAG to snapshot: median ${f(s.median)} ms, best ${f(s.best)}, worst ${f(s.worst)}  (target ≤ 300 ms)`);
  for (const [name, t] of Object.entries(result.frames)) {
    console.log(`frame, ${name}: median ${f(t.median)} ms, p95 ${f(t.p95)} ms, max ${f(t.max)} ms  (target ≤ 16 ms)`);
  }
} finally {
  await browser.close();
  await server.stop();
}
