// forwards-fill.js — the one place that knows MSC4000's three forwards fill paths and the
// order to try them in. No DOM, no globals: the page (load.js, fill.js) and the signing proxy
// (node/server/proxy.js) import it.
//
// MSC4000 (https://github.com/matrix-org/matrix-spec-proposals/pull/4000) asks clients to try
// the stable path first and to read `404 M_UNRECOGNIZED` as "not supported". Its text names
// one unstable path, and Synapse names unstable federation endpoints another way, so three
// paths are in use (the core's `ForwardsFillPath` in src/federation/request.rs):
//
//   stable    /_matrix/federation/v1/forwards_fill/{roomId}                      MSC4000, for the spec
//   msc4000   /_matrix/federation/org.matrix.msc4000/forwards_fill/{roomId}      MSC4000's unstable prefix
//   unstable  /_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/{roomId}
//                                         Synapse's form (as for MSC3030 and MSC4370)
//
// A server is called unsupported only after every path answered M_UNRECOGNIZED (with 404, or
// the 405 or 400 some servers send for paths they do not route).

const FED = "/_matrix/federation/";

/**
 * The forwards fill paths, in the order they are tried: `{name, segments, prefix}`;
 * `segments` sit between `/_matrix/federation/` and `/forwards_fill/`, `prefix` is the path up
 * to the room ID.
 */
export const FORWARDS_FILL_PATHS = Object.freeze(
  [
    ["stable", "v1"],
    ["msc4000", "org.matrix.msc4000"],
    ["unstable", "unstable/org.matrix.msc4000"],
  ].map(([name, segments]) => Object.freeze({ name, segments, prefix: `${FED}${segments}/forwards_fill/` })),
);

/** The proxy's answer header naming the path that answered, or `unsupported`. */
export const FORWARDS_FILL_HEADER = "x-mxdag-forwards-fill";

/** What the header (and `forwardsFill`'s `which`) says when no path was recognised. */
export const UNSUPPORTED = "unsupported";

/**
 * Which forwards fill path `path` (a federation path, with or without its query) is on:
 * `{form, rest}` (`form` one of FORWARDS_FILL_PATHS, `rest` the room ID and query after the
 * prefix), or null when it is no forwards fill path.
 */
export function forwardsFillPathOf(path) {
  const form = FORWARDS_FILL_PATHS.find((f) => path.startsWith(f.prefix));
  return form ? { form, rest: path.slice(form.prefix.length) } : null;
}

/** The errcode of an error body (text or parsed), when it has one. */
export function errcodeOf(body) {
  if (body && typeof body === "object") return typeof body.errcode === "string" ? body.errcode : undefined;
  if (typeof body !== "string" || body.length > 65536) return undefined;
  try {
    const value = JSON.parse(body);
    return value && typeof value.errcode === "string" ? value.errcode : undefined;
  } catch {
    return undefined;
  }
}

/** The statuses servers send with `M_UNRECOGNIZED` for a path they do not route. */
export const UNRECOGNIZED_STATUSES = Object.freeze([404, 405, 400]);

/** Whether an answer says the path is not there: `M_UNRECOGNIZED` with a 404, 405 or 400. */
export function isUnrecognized(status, body) {
  return UNRECOGNIZED_STATUSES.includes(Number(status)) && errcodeOf(body) === "M_UNRECOGNIZED";
}

/**
 * Sends a forwards fill request on `path` (any of the three forms, usually the stable one)
 * and, while the answer is not recognised, on the paths after it in FORWARDS_FILL_PATHS.
 *
 *   send(uri, form)     async → an answer the caller understands; `answer.via`, when set,
 *                       is a proxy's FORWARDS_FILL_HEADER (the proxy tried the paths itself,
 *                       so no other is tried here)
 *   unrecognized(answer) (async) → whether the answer says the path is not there; by
 *                       default isUnrecognized(answer.status, answer.text)
 *
 * Resolves to `{answer, which, uri, tried}`: the last answer, the name of the path that
 * answered (or UNSUPPORTED), the URI that answer came from, and every URI sent.
 */
export async function forwardsFill(path, send, unrecognized = (a) => isUnrecognized(a.status, a.text)) {
  const start = forwardsFillPathOf(path);
  if (!start) throw new TypeError(`${path} is not a forwards fill path`);
  const tried = [];
  let answer;
  let uri;
  for (const form of FORWARDS_FILL_PATHS.slice(FORWARDS_FILL_PATHS.indexOf(start.form))) {
    uri = form.prefix + start.rest;
    tried.push(uri);
    answer = await send(uri, form);
    const via = answer?.via;
    if (via) {
      const answered = FORWARDS_FILL_PATHS.find((f) => f.name === via);
      return { answer, which: answered ? via : UNSUPPORTED, uri: answered ? answered.prefix + start.rest : uri, tried };
    }
    if (!(await unrecognized(answer))) return { answer, which: form.name, uri, tried };
  }
  return { answer, which: UNSUPPORTED, uri, tried };
}
