// A list of strings as one string and where each starts. A snapshot's event IDs and labels
// cross from the worker to the page this way: two objects instead of a string per event.
// At 1,000,000 events, a million-string array took 0.75 s to arrive on the page's thread
// and indexing it 0.77 s more, while the page stood still (Node's v8.deserialize and a Map,
// 2026-12-06). The index is a hash table of positions in a typed array, not a Map of
// strings: a million IDs sliced out for a Map's keys would be a million objects for the
// garbage collector to walk.

/** `strings` packed to post: `{text, offsets}`, `offsets[i]` where string `i` starts in `text`. */
export function packStrings(strings) {
  const offsets = new Uint32Array(strings.length + 1);
  let at = 0;
  for (let i = 0; i < strings.length; i++) {
    offsets[i] = at;
    at += strings[i].length;
  }
  offsets[strings.length] = at;
  return { text: strings.join(""), offsets };
}

/** Strings per task while the index is built: a few tens of milliseconds each. */
const INDEX_SLICE = 50_000;

/** FNV-1a over the UTF-16 code units of `value`. */
function hashOf(value) {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Strings packed by `packStrings`, read one at a time and found by value. */
export class PackedStrings {
  constructor({ text, offsets }) {
    this.text = text;
    this.offsets = offsets;
    /**
     * Once `buildIndex` has gone through every string: an open-addressing hash table
     * (linear probing) of positions + 1 (0: an empty slot), each string at its first
     * position.
     */
    this.index = null;
    this.building = false;
    this.stopped = false;
  }

  get length() {
    return this.offsets.length - 1;
  }

  /** String `i` (from the end when negative). */
  at(i) {
    const k = i < 0 ? i + this.length : i;
    if (!(k >= 0 && k < this.length)) return undefined;
    return this.text.slice(this.offsets[k], this.offsets[k + 1]);
  }

  /** Whether string `i` is `value` (nothing allocated). */
  holds(i, value) {
    const start = this.offsets[i];
    return this.offsets[i + 1] - start === value.length && this.text.startsWith(value, start);
  }

  /** The first position of `value`, or -1. */
  indexOf(value) {
    const { index } = this;
    if (index) {
      const mask = index.length - 1;
      for (let slot = hashOf(value) & mask; index[slot] !== 0; slot = (slot + 1) & mask) {
        if (this.holds(index[slot] - 1, value)) return index[slot] - 1;
      }
      return -1;
    }
    // Until the index is built: a scan comparing lengths first, allocating nothing.
    for (let i = 0; i < this.length; i++) if (this.holds(i, value)) return i;
    return -1;
  }

  /**
   * Builds the index in slices of `INDEX_SLICE` strings, one task each, so the page keeps
   * drawing; `stop()` ends a build no longer wanted. Once built or while building, it does
   * nothing (but resume a build asked to stop).
   */
  buildIndex() {
    this.stopped = false;
    if (this.index || this.building) return;
    this.building = true;
    let size = 2;
    while (size < this.length * 2) size *= 2;
    const table = new Uint32Array(size);
    const mask = size - 1;
    let next = 0;
    const step = () => {
      if (this.stopped) {
        this.building = false;
        return;
      }
      const end = Math.min(this.length, next + INDEX_SLICE);
      for (; next < end; next++) {
        // The string is let go at once: the table keeps only its position.
        const value = this.at(next);
        let slot = hashOf(value) & mask;
        while (table[slot] !== 0 && !this.holds(table[slot] - 1, value)) slot = (slot + 1) & mask;
        if (table[slot] === 0) table[slot] = next + 1;
      }
      if (next < this.length) setTimeout(step, 0);
      else {
        this.index = table;
        this.building = false;
      }
    };
    step();
  }

  /** Ends an index build in progress (a newer snapshot replaced this one). */
  stop() {
    this.stopped = true;
  }

  /** Every string, as an array. */
  toArray() {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}
