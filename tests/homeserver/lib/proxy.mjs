// mxdag's signing proxy (`mxdag serve --server-name … --signing-key … --insecure-tls`),
// acting as one of the two homeservers with that server's own signing key. Requests go to
// `/_mxdag/proxy/{destination}/…` with the proxy's cookie (as its own page gets it); the
// proxy signs them with X-Matrix and forwards them to the servers it is allowed to reach.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { PKG } from "./mxdag.mjs";
import { track } from "./homeserver.mjs";
import { send } from "./http.mjs";

/**
 * Starts `mxdag serve` as `hs` (its server name and signing.key), allowed to reach the
 * server names `peers`; resolves to `{ url, transport, stop }` once it prints its URL.
 * `transport(destination, method, uri, content)` resolves `{ status, body, json, headers }`.
 */
export function startProxy(hs, peers) {
  const cli = join(PKG, "node", "cli.js");
  const args = [cli, "serve", "--port", "0", "--server-name", hs.serverName, "--signing-key", hs.signingKeyPath,
    "--insecure-tls", ...peers.flatMap((p) => ["--allow-destination", p])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    track(child);
    let out = "";
    const fail = (why) => reject(new Error(`mxdag serve as ${hs.serverName}: ${why}\n${out}`));
    const timer = setTimeout(() => { child.kill("SIGKILL"); fail("no URL within 30 s"); }, 30_000);
    child.stderr.on("data", (d) => { out += d; });
    child.once("exit", (code) => { clearTimeout(timer); fail(`exited with ${code}`); });
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(http:\/\/\S+?)\/?(\s|$)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      const url = m[1];
      let cookie; // the proxy's secret, as serving its page hands it out
      const transport = async (destination, method, uri, content) => {
        try {
          cookie ??= (await send(`${url}/`, "GET")).headers["set-cookie"][0].split(";")[0];
          const headers = { cookie };
          return await send(`${url}/_mxdag/proxy/${encodeURIComponent(destination)}${uri}`, method, { content, headers });
        } catch (e) {
          throw new Error(`${method} ${uri} through the proxy to ${destination} failed: ${e.message}\n${out}`);
        }
      };
      const stop = () => new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => { clearTimeout(kill); done(); });
        child.kill("SIGTERM");
      });
      resolve({ url, transport, stop, output: () => out });
    });
  });
}
