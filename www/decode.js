// Decoding the text formats the core does not read itself into JSON: JSON5 (tardis scenario
// files) and YAML (Synapse's homeserver.yaml with its `trusted_key_servers`). The core reads
// JSON, NDJSON, tab-separated rows and key lines; these two are decoded first with
// well-kept libraries (json5, yaml), loaded only when a file needs them. No DOM: the CLI,
// the server and the page's worker share this module.
//
//   const { text, from } = await decodeText(text, name, load)
//     name   the file name, when known (`.json5`, `.yaml`, `.yml` decide at once)
//     load   async (module) => the module "json5" or "yaml" (Node: (m) => import(m); the
//            page's worker: the copies mxdag serve hands out under /_mxdag/vendor/)
//     from   "json5", "yaml", or null when the text was left as it is
//
// Parsing through a JS object loses what canonical JSON checks look at (duplicate keys, 1
// vs 1.0); neither tardis scenarios (no hashes, no signatures) nor key lists carry signed
// content whose bytes matter, so nothing is lost that is judged.

/** Inputs larger than this are never decoded: no scenario or key list is this big. */
export const MAX_DECODED = 16 * 1024 * 1024;

/** Which decoder `text` (named `name`) needs: "json5", "yaml", or null. */
export function decoderFor(text, name = "") {
  if (text.length > MAX_DECODED) return null;
  const lower = name.toLowerCase();
  if (lower.endsWith(".json5")) return "json5";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (isJson(text)) return null;
  if (/^\s*trusted_key_servers\s*:/m.test(text)) return "yaml";
  if (/^\s*(\/\/|\/\*|\{)/.test(text) && /tardis_version|calculate_event_ids/.test(text)) return "json5";
  return null;
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
  const from = decoderFor(text, name);
  if (from === null) return { text, from };
  const module = await load(from);
  const decoder = module.default ?? module;
  let value;
  try {
    value = from === "json5" ? decoder.parse(text) : decoder.parse(text, { maxAliasCount: 100 });
  } catch (error) {
    const what = from === "json5" ? "JSON5 (a tardis scenario)" : "YAML";
    throw Object.assign(new Error(`${name || "the input"} is not usable ${what}: ${error.message}`), { code: "input_not_json" });
  }
  return { text: JSON.stringify(value ?? null), from };
}
