// A list of strings as one string and where each starts. A snapshot's event IDs and labels
// cross from the worker to the page this way: two objects instead of a string per event.
// At 1,000,000 events, a million-string array took 0.75 s to arrive on the page's thread
// and indexing it 0.77 s more, while the page stood still (Node's v8.deserialize and a Map,
// 2026-12-06).

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

/** Strings packed by `packStrings`, read one at a time and found by value. */
export class PackedStrings {
  constructor({ text, offsets }) {
    this.text = text;
    this.offsets = offsets;
    /** Value → first position, once `buildIndex` has gone through every string. */
    this.index = null;
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

  /** The first position of `value`, or -1. */
  indexOf(value) {
    if (this.index) return this.index.get(value) ?? -1;
    // Until the index is built: a scan comparing lengths first, allocating nothing.
    const { text, offsets } = this;
    for (let i = 0; i < this.length; i++) {
      if (offsets[i + 1] - offsets[i] === value.length && text.startsWith(value, offsets[i])) return i;
    }
    return -1;
  }

  /** Builds the index in slices of `INDEX_SLICE` strings, one task each, so the page keeps drawing. */
  buildIndex() {
    const map = new Map();
    let next = 0;
    const step = () => {
      const end = Math.min(this.length, next + INDEX_SLICE);
      for (; next < end; next++) {
        const value = this.at(next);
        if (!map.has(value)) map.set(value, next);
      }
      if (next < this.length) setTimeout(step, 0);
      else this.index = map;
    };
    step();
  }

  /** Every string, as an array. */
  toArray() {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}
