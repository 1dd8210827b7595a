// Who may use `mxdag serve`: requests must name one of the addresses it listens on in `Host`
// (a page on another name that DNS rebinding pointed here is refused), and the signing proxy
// answers only its own page: same-origin requests carrying the secret of this run, which the
// page receives as an HttpOnly, SameSite=Strict cookie.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { hostname, networkInterfaces } from "node:os";

/** The query parameter that carries the secret in the address `serve` prints (`--secret-in-url`). */
export const SECRET_PARAM = "secret";

/** Whether `host` (a listening address) is loopback, reachable only from this machine. */
export const isLoopback = (host) => host === "localhost" || /^127\./.test(host) || host === "::1";
const bracket = (host) => (isIP(host) === 6 ? `[${host}]` : host);

/**
 * The `Host` values that name this server when it listens on `host`:`port`: the address
 * itself, `localhost` for loopback (and the loopback addresses for `localhost`), and for a
 * wildcard address (`0.0.0.0`, `::`) every interface's address and the machine's name.
 * Lower case; port 80 also without the port.
 */
export function hostHeaders(host, port) {
  const hosts = new Set([host]);
  if (isLoopback(host)) hosts.add("localhost");
  if (host === "localhost") for (const h of ["127.0.0.1", "::1"]) hosts.add(h);
  if (host === "0.0.0.0" || host === "::") {
    for (const h of ["localhost", hostname()]) hosts.add(h);
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) hosts.add(a.address.replace(/%.*$/, ""));
  }
  const values = new Set();
  for (const h of hosts) {
    const name = bracket(h.toLowerCase());
    values.add(`${name}:${port}`);
    if (port === 80) values.add(name);
  }
  return values;
}

/** Parses a `Cookie` header into the values of `name` (a name may appear more than once). */
function cookieValues(header, name) {
  return (header ?? "").split(";").map((c) => c.trim()).filter((c) => c.startsWith(`${name}=`)).map((c) => c.slice(name.length + 1));
}

/** Compares secrets in constant time. */
function sameSecret(given, secret) {
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class AccessGuard {
  /**
   * `hosts`: the accepted `Host` values (`hostHeaders`); `port`: names the cookie, as cookies
   * do not tell ports apart; `secretInUrl`: the page gets the cookie only from an address
   * carrying the secret (the one `serve` prints) rather than whenever it is served.
   */
  constructor({ hosts, port, secretInUrl = false, secret = randomBytes(32).toString("base64url") }) {
    this.hosts = hosts;
    this.secret = secret;
    this.secretInUrl = secretInUrl;
    this.cookieName = `mxdag_proxy_${port}`;
  }

  /** Whether the request's `Host` names this server. */
  hostAllowed(req) {
    const host = req.headers.host;
    return typeof host === "string" && this.hosts.has(host.toLowerCase());
  }

  /**
   * Why a request to the proxy (or to `/_mxdag/destinations`) is refused, or null when it
   * comes from this server's own page: `Sec-Fetch-Site` (when the browser sends it) says
   * same-origin, `Origin` (when sent; required when `originRequired`) is this server, and
   * the cookie carries this run's secret.
   */
  refusal(req, { originRequired = false } = {}) {
    const site = req.headers["sec-fetch-site"];
    if (site !== undefined && site !== "same-origin" && site !== "none") return "the proxy answers only its own page (Sec-Fetch-Site)";
    const origin = req.headers.origin;
    if (origin === undefined ? originRequired : origin.toLowerCase() !== `http://${req.headers.host.toLowerCase()}`) {
      return "the proxy answers only its own page (Origin)";
    }
    if (!cookieValues(req.headers.cookie, this.cookieName).some((v) => sameSecret(v, this.secret))) {
      return `the proxy needs this run's secret: open the page at the address mxdag serve printed`;
    }
    return null;
  }

  /** The `Set-Cookie` value that hands the page this run's secret. */
  cookie() {
    return `${this.cookieName}=${this.secret}; Path=/_mxdag/; HttpOnly; SameSite=Strict`;
  }

  /**
   * What serving the page at `url` adds: `{headers}` with the cookie, or with
   * `--secret-in-url` `{redirect, headers}` for an address that carries the secret (the
   * page is reloaded without it, so it stays out of the history) and `{headers: {}}` for
   * one that does not.
   */
  page(url) {
    if (!this.secretInUrl) return { headers: { "set-cookie": this.cookie() } };
    const given = url.searchParams.get(SECRET_PARAM);
    if (given === null || !sameSecret(given, this.secret)) return { headers: {} };
    const clean = new URL(url);
    clean.searchParams.delete(SECRET_PARAM);
    return { redirect: clean.pathname + clean.search, headers: { "set-cookie": this.cookie() } };
  }

  /** The address to print for the page served at `base` (with the secret under `--secret-in-url`). */
  pageUrl(base) {
    return this.secretInUrl ? `${base}?${SECRET_PARAM}=${this.secret}` : base;
  }
}
