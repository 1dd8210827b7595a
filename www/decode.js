// Decoding the text formats the core does not read itself into JSON: JSON5 (tardis scenario
// files), YAML (Synapse's homeserver.yaml with its `trusted_key_servers`) and JSON in the
// fenced code blocks of a Markdown text (a chat message: Conduit, conduwuit, continuwuity and
// tuwunel answer `!admin debug get-pdu` with "PDU found in our database" and the PDU in a
// ```json block). The core reads JSON, NDJSON, tab-separated rows and key lines; JSON5 and
// YAML are decoded first with well-kept libraries (json5, yaml), loaded only when a file
// needs them, and code blocks are cut out as written. No DOM: the CLI, the server and the
// page's worker share this module.
//
//   const { text, from } = await decodeText(text, name, load)
//     name   the file name, when known (`.json5`, `.yaml`, `.yml` decide at once)
//     load   async (module) => the module "json5" or "yaml" (Node: (m) => import(m); the
//            page's worker: the copies mxdag serve hands out under /_mxdag/vendor/)
//     from   "json5", "yaml", "markdown", or null when the text was left as it is
//
// Parsing through a JS object loses what canonical JSON checks look at (duplicate keys, 1
// vs 1.0); neither tardis scenarios (no hashes, no signatures) nor key lists carry signed
// content whose bytes matter, so nothing is lost that is judged. Code blocks may hold signed
// events, so they are never parsed here: one block is the text, several a JSON array of
// their texts.

/** Inputs larger than this are never decoded: no scenario or key list is this big. */
export const MAX_DECODED = 16 * 1024 * 1024;

/**
 * A fence line of Markdown (CommonMark): up to three spaces, then three or more backticks
 * (with no backtick after them: "```a``` b" is inline code) or tildes.
 */
const FENCE = /^ {0,3}(`{3,}(?=[^`]*$)|~{3,})/;

/**
 * The texts of the fenced code blocks of `text` that hold JSON (an object or an array),
 * found line by line (a block is closed by a fence of its character at least as long as
 * the one that opened it, or by the end of the text), so any text takes linear time.
 */
export function jsonBlocks(text) {
  const blocks = [];
  let open = null;
  let lines = [];
  const close = () => {
    const block = lines.join("\n").trim();
    if (/^[[{]/.test(block)) blocks.push(block);
  };
  for (const line of text.split("\n")) {
    const fence = FENCE.exec(line)?.[1];
    if (open === null) {
      if (fence) [open, lines] = [fence, []];
    } else if (fence && fence[0] === open[0] && fence.length >= open.length && line.trim() === fence) {
      close();
      open = null;
    } else {
      lines.push(line);
    }
  }
  if (open !== null) close();
  return blocks;
}

/** Which decoder `text` (named `name`) needs: "json5", "yaml", "markdown", or null. */
export function decoderFor(text, name = "") {
  return detect(text, name).from;
}

/** `{from}` as `decoderFor` says, with the JSON code blocks (`blocks`) when it is "markdown". */
function detect(text, name) {
  if (text.length > MAX_DECODED) return { from: null };
  const lower = name.toLowerCase();
  if (lower.endsWith(".json5")) return { from: "json5" };
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return { from: "yaml" };
  if (isJson(text)) return { from: null };
  const blocks = /^ {0,3}(```|~~~)/m.test(text) ? jsonBlocks(text) : [];
  if (blocks.length > 0) return { from: "markdown", blocks };
  if (/^\s*trusted_key_servers\s*:/m.test(text)) return { from: "yaml" };
  if (/^\s*(\/\/|\/\*|\{)/.test(text) && /tardis_version|calculate_event_ids/.test(text)) return { from: "json5" };
  return { from: null };
}

function isJson(text) {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * `text` as JSON when it needs decoding (see `decoderFor`), else as it is. A decoding error
 * is thrown with `code: "input_not_json"` and the decoder's message.
 */
export async function decodeText(text, name, load) {
  const { from, blocks } = detect(text, name);
  if (from === null) return { text, from };
  if (from === "markdown") {
    return { text: blocks.length === 1 ? blocks[0] : `[${blocks.join(",\n")}]`, from };
  }
  const what = from === "json5" ? "JSON5 (a tardis scenario)" : "YAML";
  const module = await load(from).catch((error) => {
    throw Object.assign(new Error(`${name || "the input"} is ${what}, and its decoder (the npm package ${from}, a dependency of mxdag) could not be loaded: install mxdag's dependencies (npm install), or convert the file to JSON (${error.message})`), { code: "input_not_json" });
  });
  const decoder = module.default ?? module;
  let value;
  try {
    value = from === "json5" ? decoder.parse(text) : decoder.parse(text, { maxAliasCount: 100 });
  } catch (error) {
    throw Object.assign(new Error(`${name || "the input"} is not usable ${what}: ${error.message}`), { code: "input_not_json" });
  }
  return { text: JSON.stringify(value ?? null), from };
}
