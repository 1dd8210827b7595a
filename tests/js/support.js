// Helpers shared by the Node tests (not a test file itself: node --test runs *.test.js).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A fresh temporary folder named after `prefix`; returns `file(name, content)`, which writes
 * `content` (a string as is, anything else as JSON) there and returns the file's path.
 */
export function scratchFiles(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `mxdag-${prefix}-`));
  return (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === "string" || content instanceof Uint8Array ? content : JSON.stringify(content));
    return path;
  };
}
