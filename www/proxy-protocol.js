// What the page and the signing proxy (node/server/proxy.js, node/server/index.js) agree on:
// where the proxy listens, and how it marks the answers it gives itself.

/** Where the signing proxy's paths start: `/_mxdag/proxy/{destination}/…`. */
export const PROXY_PATHS = "/_mxdag/proxy/";

/**
 * The header on the proxy's own refusals (a request it does not forward, a destination not
 * allowed, no identity to sign with, a peer unreachable or its answer over the cap), never
 * on what a destination answered, which is passed on without it.
 */
export const PROXY_REFUSAL_HEADER = "x-mxdag-proxy-refusal";
