// The signing proxy: forwards the page's requests under `/_mxdag/proxy/{destination}/…` to a
// real homeserver with an X-Matrix Authorization header (spec: Server-Server API →
// "Request Authentication"), resolving the destination as "Resolving server names" says.
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { resolveSrv } from "node:dns/promises";
import { answer, matrixError } from "./http.js";
import { authorizationHeader } from "./xmatrix.js";

const STABLE_FF = "/_matrix/federation/v1/forwards_fill/";
const UNSTABLE_FF = "/_matrix/federation/org.matrix.msc4000/forwards_fill/";
const TIMEOUT_MS = 30_000;

/** Splits `host`, `[v6]:port` or `host:port` into `{host, port}` (port may be undefined). */
export function splitServerName(name) {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(name);
  if (v6) return { host: v6[1], port: v6[2] && Number(v6[2]) };
  const m = /^([^:]+)(?::(\d+))?$/.exec(name);
  return m ? { host: m[1], port: m[2] && Number(m[2]) } : null;
}

export class SigningProxy {
  /**
   * `identity`: `{serverName, key}` or null; `insecureTls`: accept self-signed certificates;
   * `local`: `{serverName, handle(request)}` answered in-process (the demo peer).
   */
  constructor({ identity, insecureTls = false, local = null }) {
    this.identity = identity;
    this.insecureTls = insecureTls;
    this.local = local;
  }

  /** Sends one HTTPS request; resolves to `{status, text}`. */
  send({ host, port, hostHeader, method, uri, headers, body }) {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host,
          port,
          method,
          path: uri,
          servername: isIP(host) ? undefined : host,
          rejectUnauthorized: !this.insecureTls,
          headers: { host: hostHeader, accept: "application/json", ...headers },
          timeout: TIMEOUT_MS,
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer from ${hostHeader} in ${TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  /**
   * Where to send requests for a server name (spec: "Resolving server names"): IP literals
   * and explicit ports directly; else `/.well-known/matrix/server`, then SRV, then 8448.
   */
  async resolve(serverName) {
    const parts = splitServerName(serverName);
    if (!parts) throw new Error(`${serverName} is not a server name`);
    if (isIP(parts.host) || parts.port) return { host: parts.host, port: parts.port ?? 8448, hostHeader: serverName };
    try {
      const wk = await this.send({ host: parts.host, port: 443, hostHeader: parts.host, method: "GET", uri: "/.well-known/matrix/server" });
      const delegated = wk.status === 200 ? JSON.parse(wk.text)["m.server"] : undefined;
      const d = typeof delegated === "string" ? splitServerName(delegated) : null;
      if (d) {
        if (isIP(d.host) || d.port) return { host: d.host, port: d.port ?? 8448, hostHeader: delegated };
        return (await this.srv(d.host, delegated)) ?? { host: d.host, port: 8448, hostHeader: delegated };
      }
    } catch {
      // No usable well-known: fall through to SRV and the default port.
    }
    return (await this.srv(parts.host, serverName)) ?? { host: parts.host, port: 8448, hostHeader: serverName };
  }

  async srv(host, hostHeader) {
    for (const service of ["_matrix-fed._tcp", "_matrix._tcp"]) {
      try {
        const [first] = await resolveSrv(`${service}.${host}`);
        if (first) return { host: first.name, port: first.port, hostHeader };
      } catch {
        // No such record.
      }
    }
    return null;
  }

  /** Forwards one request `{destination, method, uri, body}`; returns an answer. */
  async forward({ destination, method, uri, body }) {
    const content = body === undefined ? undefined : body;
    const headers = { "content-type": "application/json" };
    if (this.identity) {
      headers.authorization = authorizationHeader(
        { method, uri, origin: this.identity.serverName, destination, content },
        this.identity.key,
      );
    }
    const payload = content === undefined ? undefined : JSON.stringify(content);
    let result;
    if (this.local && destination === this.local.serverName) {
      result = await this.local.send({ method, uri, body: content, authorization: headers.authorization });
    } else {
      if (!this.identity) {
        return answer(503, matrixError("M_UNKNOWN", "the proxy has no identity: start mxdag serve with --server-name and --signing-key"));
      }
      const target = await this.resolve(destination);
      result = await this.send({ ...target, method, uri, headers, body: payload });
    }
    let json;
    try {
      json = result.text === "" ? undefined : JSON.parse(result.text);
    } catch {
      json = undefined;
    }
    return { status: result.status, text: result.text, json };
  }

  /**
   * Handles `/_mxdag/proxy/{destination}{rest}`. Forwards fill tries the stable path, then
   * the unstable one; `x-mxdag-forwards-fill` says which answered, or `unsupported` when
   * both said `404 M_UNRECOGNIZED`.
   */
  async handle({ method, rest, search, body }) {
    const slash = rest.indexOf("/");
    if (slash <= 0) return answer(400, matrixError("M_INVALID_PARAM", "expected /_mxdag/proxy/{destination}/…"));
    let destination;
    try {
      destination = decodeURIComponent(rest.slice(0, slash));
    } catch {
      return answer(400, matrixError("M_INVALID_PARAM", "bad percent-encoding in the destination"));
    }
    const path = rest.slice(slash);
    const headers = { "x-mxdag-destination": destination };
    try {
      if (!path.startsWith(STABLE_FF)) {
        const r = await this.forward({ destination, method, uri: path + search, body });
        return { ...r, headers };
      }
      const stable = await this.forward({ destination, method, uri: path + search, body });
      if (!isUnrecognized(stable)) return { ...stable, headers: { ...headers, "x-mxdag-forwards-fill": "stable" } };
      const unstablePath = UNSTABLE_FF + path.slice(STABLE_FF.length);
      const unstable = await this.forward({ destination, method, uri: unstablePath + search, body });
      const which = isUnrecognized(unstable) ? "unsupported" : "unstable";
      return { ...unstable, headers: { ...headers, "x-mxdag-forwards-fill": which } };
    } catch (e) {
      return answer(502, matrixError("M_UNKNOWN", `proxy could not reach ${destination}: ${e.message}`), headers);
    }
  }
}

/** A `404` whose body says `M_UNRECOGNIZED`: the endpoint is not implemented there. */
export const isUnrecognized = (r) => r.status === 404 && r.json?.errcode === "M_UNRECOGNIZED";
