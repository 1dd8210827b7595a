// Where the signing proxy may send: only the server names the user allowed, and never an
// address a server on this machine or network should not be asked for by name: link-local
// (cloud metadata services live there), other metadata addresses, unspecified, multicast or
// broadcast addresses. Names are resolved and every address checked before connecting.
import { BlockList, isIP } from "node:net";
import { lookup as dnsLookup } from "node:dns";
import { FORBIDDEN_DESTINATION } from "../codes.js";

/** Addresses the proxy never connects to, whatever name led there. */
const FORBIDDEN = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], // "this network", unspecified (RFC 6890)
  ["169.254.0.0", 16], // link-local, and the metadata service of AWS, GCP, Azure, OpenStack (169.254.169.254)
  ["100.100.100.200", 32], // Alibaba Cloud's metadata service
  ["224.0.0.0", 4], // multicast
  ["255.255.255.255", 32], // broadcast
]) FORBIDDEN.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128], // unspecified
  ["fe80::", 10], // link-local
  ["fd00:ec2::254", 128], // AWS's metadata service over IPv6
  ["ff00::", 8], // multicast
  ["64:ff9b::a9fe:0", 112], // NAT64 of 169.254.0.0/16
]) FORBIDDEN.addSubnet(net, bits, "ipv6");

/** Names of metadata services that must not be reached even through a resolver that knows them. */
const FORBIDDEN_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]);

/** The error of a destination the proxy refuses to contact (a 403, not an unreachable peer). */
export class ForbiddenDestination extends Error {
  constructor(message) {
    super(message);
    this.code = FORBIDDEN_DESTINATION;
  }
}

/** Whether the proxy must never connect to the IP address `ip`. */
export function isForbiddenAddress(ip) {
  const family = isIP(ip);
  return family !== 0 && FORBIDDEN.check(ip, family === 6 ? "ipv6" : "ipv4");
}

/** Whether `host` (a name or an IP literal) is one the proxy never contacts. */
export function isForbiddenHost(host) {
  return isForbiddenAddress(host) || FORBIDDEN_NAMES.has(host.toLowerCase().replace(/\.$/, ""));
}

/**
 * Parses a server name (spec: Appendices → "Server Name": `hostname [":" port]`, the
 * hostname an IPv4 literal, a bracketed IPv6 literal or a DNS name) into `{host, port}`
 * (port undefined when absent), or null when it is not one.
 */
export function parseServerName(name) {
  if (typeof name !== "string" || name.length > 255 + 7) return null;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9A-Za-z.-]+))(?::(\d{1,5}))?$/.exec(name);
  if (!m) return null;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? { host: m[1], port } : null;
  if (m[2].length > 255 || m[2].startsWith(".") || m[2].includes("..")) return null;
  return { host: m[2], port };
}

/**
 * A `lookup` for `net`/`https` requests (same signature as `dns.lookup`) that resolves with
 * `resolve` and refuses, with a ForbiddenDestination, a name any of whose addresses is
 * forbidden — so a name cannot lead the proxy to the metadata service or a link-local peer.
 */
export function guardedLookup(resolve = dnsLookup) {
  return (hostname, options, callback) => {
    const opts = typeof options === "function" ? {} : typeof options === "number" ? { family: options } : options ?? {};
    const cb = typeof options === "function" ? options : callback;
    if (isForbiddenHost(hostname)) return cb(new ForbiddenDestination(`${hostname} is a metadata service's name`));
    resolve(hostname, { ...opts, all: true }, (err, addresses) => {
      if (err) return cb(err);
      const bad = addresses.find((a) => isForbiddenAddress(a.address));
      if (bad) return cb(new ForbiddenDestination(`${hostname} resolves to ${bad.address}, an address the proxy never contacts`));
      if (addresses.length === 0) return cb(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }));
      if (opts.all) return cb(null, addresses);
      cb(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * The destinations the proxy may send to: those given with `--allow-destination` or added
 * by the page on the user's request, and the in-process demo peer. Names compare exactly,
 * the host part without case (`example.org` is not `example.org:8448`).
 */
export class DestinationPolicy {
  /** `allowed`: server names; `local`: the demo peer's name (always allowed: it is in-process). */
  constructor(allowed = [], local = null) {
    this.local = local;
    this.allowed = new Set();
    for (const name of allowed) this.add(name);
  }

  /** Normalised form of a server name: the host part in lower case. */
  static normalise(name) {
    const parts = parseServerName(name);
    if (!parts) return null;
    const host = parts.host.toLowerCase();
    const shown = isIP(host) === 6 ? `[${host}]` : host;
    return parts.port === undefined ? shown : `${shown}:${parts.port}`;
  }

  /**
   * Adds a server name; throws a ForbiddenDestination for a name that is not a server name
   * or that names a forbidden address or a metadata service.
   */
  add(name) {
    const normal = DestinationPolicy.normalise(name);
    if (!normal) throw new ForbiddenDestination(`${JSON.stringify(name)} is not a server name (host or host:port)`);
    if (isForbiddenHost(parseServerName(normal).host)) {
      throw new ForbiddenDestination(`${name} is a link-local, metadata, unspecified or multicast address, which the proxy never contacts`);
    }
    this.allowed.add(normal);
  }

  /** Whether requests may go to `name`. */
  allows(name) {
    if (name === this.local) return true;
    const normal = DestinationPolicy.normalise(name);
    return normal !== null && this.allowed.has(normal);
  }

  /** The allowed names, sorted (the demo peer not included). */
  list() {
    return [...this.allowed].sort();
  }
}
