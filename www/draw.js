// Canvas drawing of a laid-out DAG, with pan and zoom. Only what is on screen is drawn;
// far out, nodes collapse to one mark per lane and pixel row. Canvas text is never HTML.
import { FLAG, VERDICT } from "./model.js";
import { shortId, visible } from "./text.js";

const LANE_W = 18;
const ROW_H = 22;
const R = 5;
const PAD = 28;
const MIN_LANE_SCALE = 0.8;
/** Rows at least this tall (CSS pixels) carry labels. */
const LABEL_ROW_PX = 11;

/** Colours: by verdict first, then by kind for valid events. */
export const COLOURS = {
  message: "#4fa3f7",
  state: "#b48ef0",
  other: "#8c9bb0",
  outlier: "#6c7686",
  pruned: "#e0b042",
  tampered: "#ff8a3d",
  dropped: "#f25f5c",
  rejected: "#c2417f",
  soft_failed: "#d08770",
  unchecked: "#5c6470",
  gap: "#ff6fa3",
  forward: "#4fd18b",
  edge: "#3b4454",
  back: "#f25f5c",
  label: "#9aa5b4",
  select: "#ffffff",
  authChain: "#f2c14e",
  conflicted: "#e5c07b",
  reset: "#ff4d4d",
};

/** The colour name of node `i`. */
function colourOf(s, i) {
  const v = s.verdict[i];
  if (v === VERDICT.gap) return "gap";
  if (v === VERDICT.dropped) return "dropped";
  if (v === VERDICT.rejected) return "rejected";
  if (v === VERDICT.soft_failed) return "soft_failed";
  if (v === VERDICT.redacted) return s.flags[i] & FLAG.pruned ? "pruned" : "tampered";
  if (v === VERDICT.unchecked) return "unchecked";
  return ["message", "state", "other", "gap", "outlier"][s.kind[i]];
}

/** First `t` in `[lo, hi)` with `key(t) >= value`, for `key` ascending (binary search). */
function firstAtLeast(lo, hi, key, value) {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(mid) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Once per layout: where each lane's runs start (runs are sorted by lane), the back edges,
 * and the nodes drawn even far out (gaps, forward extremities, events not valid), by row.
 */
function indexEdges(s) {
  const l = s.layout;
  const laneRuns = new Uint32Array(l.lanes + 1);
  for (let k = 0; k < l.runs.length; k += 3) laneRuns[l.runs[k] + 1]++;
  for (let lane = 0; lane < l.lanes; lane++) laneRuns[lane + 1] += laneRuns[lane];
  const back = [];
  for (let m = 0; m < l.backEdges.length; m++) if (l.backEdges[m]) back.push(m);
  const special = [];
  for (let i = s.n - 1; i >= 0; i--) {
    if (s.flags[i] & (FLAG.gap | FLAG.forward) || s.verdict[i] !== VERDICT.valid) special.push(i);
  }
  return { laneRuns, back, special };
}


export class DagView {
  constructor(canvas, { onClick, onHover }) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.onClick = onClick;
    this.onHover = onHover;
    this.snap = null;
    this.scale = 1;
    this.ox = PAD;
    this.oy = PAD;
    this.selected = -1;
    /** The selected event's auth chain: one byte per node (1: in the chain), or null. */
    this.chain = null;
    this.pending = false;
    this.lastFrameMs = 0;
    this.attach();
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  get rowPx() {
    return ROW_H * this.scale;
  }

  get lanePx() {
    return LANE_W * Math.max(this.scale, MIN_LANE_SCALE);
  }

  resize() {
    const dpr = window.devicePixelRatio || 1;
    const { width, height } = this.canvas.getBoundingClientRect();
    this.w = width;
    this.h = height;
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    this.dpr = dpr;
    this.request();
  }

  setSnapshot(s) {
    const keep = this.snap && this.selected >= 0 ? this.snap.ids.at(this.selected) : null;
    this.snap = s;
    this.edgeIndex = indexEdges(s);
    this.selected = keep ? s.ids.indexOf(keep) : -1;
    this.chain = null;
    // What is under the pointer may have changed (a gap filled): say so again.
    this.onHover(this.pointer ? this.hit(this.pointer.x, this.pointer.y) : -1);
    this.request();
  }

  /** Redraws after the offset or scale changed, and says again what is under a still pointer. */
  changed() {
    if (this.pointer && this.snap) this.onHover(this.hit(this.pointer.x, this.pointer.y));
    this.request();
  }

  select(i) {
    this.selected = i;
    this.chain = null;
    this.request();
  }

  /**
   * Outlines the nodes whose index is in `indices` (a `Uint32Array`: the selected event's
   * auth chain). Kept as a bitset, so drawing reads one byte per visible row.
   */
  setAuthChain(indices) {
    if (!this.snap) return;
    const bits = new Uint8Array(this.snap.n);
    for (const i of indices) if (i < bits.length) bits[i] = 1;
    this.chain = bits;
    this.request();
  }

  /** Scrolls so node `i` is in view. */
  focus(i) {
    if (!this.snap || i < 0) return;
    const { x, y } = this.screenOf(i);
    if (y < PAD || y > this.h - PAD) this.oy += this.h / 3 - y;
    if (x < PAD || x > this.w - PAD) this.ox += PAD * 2 - x;
    this.changed();
  }

  /** Where node `i` is on the canvas, in CSS pixels. */
  screenOf(i) {
    const l = this.snap.layout;
    return { x: l.x[i] * this.lanePx + this.ox, y: l.y[i] * this.rowPx + this.oy };
  }

  /** Where labels start, in CSS pixels: right of every lane. */
  get labelX() {
    return Math.max(this.snap?.layout.lanes ?? 1, 1) * this.lanePx + this.ox + 10;
  }

  /** The node under canvas point (px, py), or -1: its mark, or its label when labels are drawn. */
  hit(px, py) {
    const s = this.snap;
    if (!s || !s.n) return -1;
    const row = Math.round((py - this.oy) / this.rowPx);
    if (row < 0 || row >= s.n) return -1;
    const i = s.n - 1 - row;
    const { x, y } = this.screenOf(i);
    const r = Math.max(R * Math.min(this.scale, 1.5), 4) + 3;
    if (Math.abs(py - y) > Math.max(r, this.rowPx / 2)) return -1;
    if (Math.abs(px - x) <= r) return i;
    return this.rowPx >= LABEL_ROW_PX && px >= this.labelX - 4 ? i : -1;
  }

  zoomAt(factor, px, py) {
    const next = Math.min(4, Math.max(0.0005, this.scale * factor));
    const laneBefore = this.lanePx;
    const rowBefore = this.rowPx;
    this.scale = next;
    this.oy = py - ((py - this.oy) * this.rowPx) / rowBefore;
    this.ox = px - ((px - this.ox) * this.lanePx) / laneBefore;
    this.changed();
  }

  attach() {
    const c = this.canvas;
    let drag = null;
    c.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY, ox: this.ox, oy: this.oy, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      const rect = c.getBoundingClientRect();
      if (drag) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        if (drag.moved) {
          this.ox = drag.ox + dx;
          this.oy = drag.oy + dy;
          this.request();
        }
      } else {
        this.pointer = { x: e.clientX - rect.left, y: e.clientY - rect.top };
        this.onHover(this.hit(this.pointer.x, this.pointer.y));
      }
    });
    c.addEventListener("pointerleave", () => {
      this.pointer = null;
      this.onHover(-1);
    });
    c.addEventListener("pointerup", (e) => {
      const rect = c.getBoundingClientRect();
      if (drag && !drag.moved) this.onClick(this.hit(e.clientX - rect.left, e.clientY - rect.top), e);
      drag = null;
    });
    c.addEventListener("wheel", (e) => {
      e.preventDefault();
      const rect = c.getBoundingClientRect();
      if (e.ctrlKey || e.metaKey || !e.shiftKey) this.zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top);
      else {
        this.ox -= e.deltaY;
        this.changed();
      }
    }, { passive: false });
  }

  request() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  /** Draws one frame; returns the time it took in ms. */
  draw() {
    const t0 = performance.now();
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = "#0e1116";
    ctx.fillRect(0, 0, this.w, this.h);
    const s = this.snap;
    if (s && s.n) {
      const rowPx = this.rowPx;
      const r0 = Math.max(0, Math.floor(-this.oy / rowPx) - 1);
      const r1 = Math.min(s.n - 1, Math.ceil((this.h - this.oy) / rowPx) + 1);
      if (r0 <= r1) {
        this.drawEdges(s, r0, r1);
        if (rowPx >= 3) this.drawNodes(s, r0, r1);
        else this.drawDense(s, r0, r1);
        if (rowPx >= LABEL_ROW_PX) this.drawLabels(s, r0, r1);
      }
    }
    this.lastFrameMs = performance.now() - t0;
    return this.lastFrameMs;
  }

  drawEdges(s, r0, r1) {
    const ctx = this.ctx;
    const l = s.layout;
    const ix = this.edgeIndex;
    const { rowPx, lanePx, ox, oy } = this;
    ctx.lineWidth = Math.min(2, Math.max(1, this.scale * 1.5));
    ctx.strokeStyle = COLOURS.edge;
    ctx.beginPath();
    // Runs come sorted by lane and row: per lane, a binary search finds the first visible
    // one, and neighbours less than a pixel apart merge into one segment, so far out a lane
    // costs a few segments however many events it holds.
    const runs = l.runs;
    for (let lane = 0; lane < l.lanes; lane++) {
      const x = lane * lanePx + ox;
      let k = firstAtLeast(ix.laneRuns[lane], ix.laneRuns[lane + 1], (t) => runs[3 * t + 2], r0 - 1);
      let top = 0;
      let bottom = -Infinity;
      for (; k < ix.laneRuns[lane + 1] && runs[3 * k + 1] <= r1 + 1; k++) {
        const a = runs[3 * k + 1];
        const b = runs[3 * k + 2];
        if (a === b) continue;
        const y0 = Math.max(a, r0 - 1) * rowPx + oy;
        const y1 = Math.min(b, r1 + 1) * rowPx + oy;
        if (y0 <= bottom + 1) {
          bottom = Math.max(bottom, y1);
          continue;
        }
        if (bottom > top) {
          ctx.moveTo(x, top);
          ctx.lineTo(x, bottom);
        }
        top = y0;
        bottom = y1;
      }
      if (bottom > top) {
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
      }
    }
    // Connectors: edges come sorted by their child's row, so only the visible ones are read.
    if (rowPx >= 1.5) {
      const e = l.edges;
      const m0 = firstAtLeast(0, e.length / 2, (m) => l.y[e[2 * m]], r0 - 1);
      for (let m = m0; m < e.length / 2; m++) {
        const c = e[2 * m];
        const p = e[2 * m + 1];
        const rc = l.y[c];
        if (rc > r1) break;
        if (l.backEdges[m] || l.lane[c] === l.lane[p]) continue;
        const x0 = l.x[c] * lanePx + ox;
        const x1 = l.x[p] * lanePx + ox;
        const y0 = rc * rowPx + oy;
        const y1 = y0 + rowPx;
        ctx.moveTo(x0, y0);
        ctx.bezierCurveTo(x0, y0 + rowPx * 0.6, x1, y1 - rowPx * 0.6, x1, y1);
      }
    }
    ctx.stroke();
    // Back edges (cycles, wrong order): straight dashed lines, always drawn.
    if (!ix.back.length) return;
    ctx.strokeStyle = COLOURS.back;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    for (const m of ix.back) {
      const c = l.edges[2 * m];
      const p = l.edges[2 * m + 1];
      ctx.moveTo(l.x[c] * lanePx + ox, l.y[c] * rowPx + oy);
      ctx.lineTo(l.x[p] * lanePx + ox, l.y[p] * rowPx + oy);
    }
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /**
   * A diamond right of each merge whose states conflicted: outlined, or filled red where
   * the resolution reset some state.
   */
  drawMergeMarks(s, merges, r) {
    if (!merges.length) return;
    const ctx = this.ctx;
    const l = s.layout;
    const { rowPx, lanePx, ox, oy } = this;
    const d = Math.max(2.5, r * 0.8);
    for (const reset of [false, true]) {
      ctx.beginPath();
      for (const i of merges) {
        if (Boolean(s.flags[i] & FLAG.reset) !== reset) continue;
        const x = l.x[i] * lanePx + ox + r + 3 + d;
        const y = l.y[i] * rowPx + oy;
        ctx.moveTo(x, y - d);
        ctx.lineTo(x + d, y);
        ctx.lineTo(x, y + d);
        ctx.lineTo(x - d, y);
        ctx.closePath();
      }
      if (reset) {
        ctx.fillStyle = COLOURS.reset;
        ctx.fill();
      } else {
        ctx.strokeStyle = COLOURS.conflicted;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
    }
  }

  drawNodes(s, r0, r1) {
    const ctx = this.ctx;
    const l = s.layout;
    const { rowPx, lanePx, ox, oy } = this;
    const r = Math.max(1.5, Math.min(R * this.scale, R * 1.4, rowPx * 0.32));
    const buckets = new Map();
    const rings = [];
    const merges = [];
    for (let row = r0; row <= r1; row++) {
      const i = s.n - 1 - row;
      const name = colourOf(s, i);
      let b = buckets.get(name);
      if (!b) buckets.set(name, (b = []));
      b.push(i);
      if (s.flags[i] & FLAG.forward) rings.push(i);
      if (s.flags[i] & FLAG.conflicted) merges.push(i);
    }
    for (const [name, list] of buckets) {
      const gap = name === "gap";
      ctx.beginPath();
      for (const i of list) {
        const x = l.x[i] * lanePx + ox;
        const y = l.y[i] * rowPx + oy;
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, Math.PI * 2);
      }
      if (gap || name === "outlier") {
        ctx.fillStyle = "#0e1116";
        ctx.fill();
        ctx.strokeStyle = COLOURS[name];
        ctx.lineWidth = 1.5;
        if (gap) ctx.setLineDash([2.5, 2]);
        ctx.stroke();
        ctx.setLineDash([]);
      } else {
        ctx.fillStyle = COLOURS[name];
        ctx.fill();
      }
      if (name === "dropped" && r >= 3) {
        ctx.strokeStyle = "#0e1116";
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        for (const i of list) {
          const x = l.x[i] * lanePx + ox;
          const y = l.y[i] * rowPx + oy;
          ctx.moveTo(x - r * 0.55, y - r * 0.55);
          ctx.lineTo(x + r * 0.55, y + r * 0.55);
          ctx.moveTo(x + r * 0.55, y - r * 0.55);
          ctx.lineTo(x - r * 0.55, y + r * 0.55);
        }
        ctx.stroke();
      }
    }
    ctx.strokeStyle = COLOURS.forward;
    ctx.lineWidth = 2;
    ctx.beginPath();
    for (const i of rings) {
      const x = l.x[i] * lanePx + ox;
      const y = l.y[i] * rowPx + oy;
      ctx.moveTo(x + r + 3.5, y);
      ctx.arc(x, y, r + 3.5, 0, Math.PI * 2);
    }
    ctx.stroke();
    this.drawMergeMarks(s, merges, r);
    if (this.chain) {
      ctx.strokeStyle = COLOURS.authChain;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      for (let row = r0; row <= r1; row++) {
        const i = s.n - 1 - row;
        if (!this.chain[i]) continue;
        const x = l.x[i] * lanePx + ox;
        const y = l.y[i] * rowPx + oy;
        ctx.moveTo(x + r + 2.5, y);
        ctx.arc(x, y, r + 2.5, 0, Math.PI * 2);
      }
      ctx.stroke();
    }
    if (this.selected >= 0 && this.selected < s.n) {
      const i = this.selected;
      ctx.strokeStyle = COLOURS.select;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(l.x[i] * lanePx + ox, l.y[i] * rowPx + oy, r + 6, 0, Math.PI * 2);
      ctx.stroke();
    }
  }

  /**
   * Far out: at most one square per lane and pixel row. With many rows to a pixel the rows
   * are sampled (the lane runs already show every branch), and the nodes that matter —
   * gaps, forward extremities, events that are not valid — are always drawn, from a list
   * made once per layout; the cost follows the canvas height, not the room's size.
   */
  drawDense(s, r0, r1) {
    const ctx = this.ctx;
    const l = s.layout;
    const { rowPx, lanePx, ox, oy } = this;
    const last = new Int32Array(Math.max(1, l.lanes)).fill(-1);
    const size = Math.max(2, Math.min(4, lanePx * 0.3));
    const step = Math.max(1, Math.floor(1 / (rowPx * Math.max(1, l.lanes))));
    let current = "";
    const mark = (i, k) => {
      const name = s.flags[i] & FLAG.forward ? "forward" : colourOf(s, i);
      if (name !== current) ctx.fillStyle = COLOURS[(current = name)];
      ctx.fillRect(l.x[i] * lanePx + ox - k / 2, Math.floor(l.y[i] * rowPx + oy) - k / 2, k, k);
    };
    for (let row = r0; row <= r1; row += step) {
      const i = s.n - 1 - row;
      const py = Math.floor(row * rowPx + oy);
      const lane = l.lane[i];
      if (last[lane] === py) continue;
      last[lane] = py;
      mark(i, size);
    }
    const special = this.edgeIndex.special;
    const from = firstAtLeast(0, special.length, (t) => l.y[special[t]], r0);
    for (let t = from; t < special.length && l.y[special[t]] <= r1; t++) mark(special[t], size + 2);
  }

  drawLabels(s, r0, r1) {
    const ctx = this.ctx;
    const { rowPx, oy } = this;
    const x = this.labelX;
    ctx.font = `${Math.min(12, Math.round(rowPx * 0.55))}px ui-monospace, "DejaVu Sans Mono", monospace`;
    ctx.textBaseline = "middle";
    for (let row = r0; row <= r1; row++) {
      const i = s.n - 1 - row;
      const y = row * rowPx + oy;
      const gap = s.flags[i] & FLAG.gap;
      ctx.fillStyle = gap ? COLOURS.gap : s.flags[i] & FLAG.forward ? COLOURS.forward : COLOURS.label;
      const mark = gap ? "? " : s.flags[i] & FLAG.forward ? "▲ " : "  ";
      ctx.fillText(`${mark}${shortId(s.ids.at(i))}  ${visible(s.labels.at(i)).slice(0, 90)}`, x, y);
    }
  }
}
