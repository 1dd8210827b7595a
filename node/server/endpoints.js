// The federation endpoints the signing proxy forwards: only reads, each with its one method.
// Anything else (sending transactions or EDUs, joins, invites, key claims, media, admin APIs)
// is refused before it is signed or sent. Paths from the Server-Server API,
// https://spec.matrix.org/v1.16/server-server-api/, and the MSCs named below.

import { FORWARDS_FILL_PATHS } from "../../www/forwards-fill.js";

/** One path segment: a percent-encoded parameter (see `plainSegments` for what it may not be). */
const SEGMENT = "[^/]+";
const FED = "/_matrix/federation";

/** `[name, method, path pattern]`, `{}` standing for one path segment. */
const ENDPOINTS = [
  // "Backfilling and retrieving missing events".
  ["backfill", "GET", `${FED}/v1/backfill/{}`],
  ["get_missing_events", "POST", `${FED}/v1/get_missing_events/{}`],
  // MSC4000 forwards fill: the stable path and both unstable forms in use (www/forwards-fill.js).
  ...FORWARDS_FILL_PATHS.map(({ prefix }) => ["forwards_fill", "GET", `${prefix}{}`]),
  // "Retrieving events".
  ["event", "GET", `${FED}/v1/event/{}`],
  ["state", "GET", `${FED}/v1/state/{}`],
  ["state_ids", "GET", `${FED}/v1/state_ids/{}`],
  ["event_auth", "GET", `${FED}/v1/event_auth/{}/{}`],
  // "Room lookup by timestamp" (/timestamp_to_event).
  ["timestamp_to_event", "GET", `${FED}/v1/timestamp_to_event/{}`],
  // MSC3030's unstable path for it, which Synapse served before the spec took it.
  ["timestamp_to_event", "GET", `${FED}/unstable/org.matrix.msc3030/timestamp_to_event/{}`],
  // MSC4370: a room's forward extremities as the server holds them.
  ["extremities", "GET", `${FED}/unstable/org.matrix.msc4370/extremities/{}`],
  // "Retrieving server keys": the server's own keys and the notary query.
  ["server_keys", "GET", "/_matrix/key/v2/server"],
  ["key_query", "POST", "/_matrix/key/v2/query"],
  ["key_query", "GET", "/_matrix/key/v2/query/{}"],
  // "Server implementation".
  ["version", "GET", `${FED}/v1/version`],
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const COMPILED = ENDPOINTS.map(([name, method, pattern]) => ({
  name,
  method,
  re: new RegExp(`^${pattern.split("{}").map(escape).join(SEGMENT)}$`),
}));

/**
 * The name of the read-only endpoint `method path` is (`path` still percent-encoded, without
 * the query), or null when the proxy must not forward it.
 */
export function readOnlyEndpoint(method, path) {
  if (!plainSegments(path)) return null;
  return COMPILED.find((e) => e.method === method && e.re.test(path))?.name ?? null;
}

/**
 * Whether every segment of `path` decodes, and none is `.` or `..` (which a server or a
 * reverse proxy in front of it could resolve to another endpoint).
 */
function plainSegments(path) {
  try {
    return path.split("/").every((s) => {
      const decoded = decodeURIComponent(s);
      return decoded !== "." && decoded !== "..";
    });
  } catch {
    return false;
  }
}

/** The endpoints as `METHOD path` lines, for messages and documentation. */
export const READ_ONLY_ENDPOINTS = ENDPOINTS.map(([, method, pattern]) => `${method} ${pattern.replaceAll("{}", "{…}")}`);
