// Text from events and servers, made safe to show: bidirectional controls and invisible
// characters become visible marks (so "evil" written with a right-to-left override shows
// as such, not as "live"), and very long tokens (a 10 KB event ID) are shortened in
// messages. Everything on the page that shows such text goes through here; the page only
// ever sets textContent.

/**
 * Characters that reorder or hide text: the bidirectional embeddings, overrides and
 * isolates, the directional marks, zero-width characters, invisible operators, the byte
 * order mark and the soft hyphen.
 */
const HIDDEN = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** `text` with every hidden character shown as `⟨U+XXXX⟩`. */
export function visible(text) {
  return String(text).replace(HIDDEN, (c) => `⟨U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}⟩`);
}

/** Whether `text` holds a character `visible` marks. */
export function hasHidden(text) {
  HIDDEN.lastIndex = 0;
  return HIDDEN.test(String(text));
}

/** `visible(text)` with tokens over 120 characters shortened to their ends and length. */
export function readable(text) {
  return visible(text).replace(/\S{121,}/g, (t) => `${t.slice(0, 48)}…${t.slice(-16)} (${t.length} characters)`);
}

/** The first and last characters of a long ID, for labels. */
export function shortId(id, keep = 12) {
  const shown = visible(id);
  return shown.length > keep + 2 ? `${shown.slice(0, keep)}…` : shown;
}

