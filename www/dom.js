// The one way the page makes an element with text: textContent only, hidden characters
// made visible (text.js), so nothing from the network is ever parsed as HTML or reorders
// the page's own text.
import { visible } from "./text.js";

/** A `tag` element of class `cls` holding `text` (when given). */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = visible(text);
  return e;
}
