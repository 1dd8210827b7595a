// One real Synapse homeserver on 127.0.0.1: its config folder (signing key, self-signed TLS
// certificate, SQLite database, log) under tests/artifacts/homeserver/<name>/, start, stop by
// PID (SIGTERM, then SIGKILL), and a wait until it answers on both listeners.
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { mkdirSync, rmSync, writeFileSync, readFileSync, existsSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { ROOT, PYTHON } from "./venv.mjs";
import { federationGet, send } from "./http.mjs";

/** Where every server's folder and log go (git-ignored through /tests/artifacts). */
export const ARTIFACTS = join(ROOT, "tests", "artifacts", "homeserver");

// Every child process the suite started (Synapses, mxdag servers), by PID.
const running = new Set();
function killAllSync() {
  for (const pid of running) {
    try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
  }
}

/** Registers a child process so that it is killed by PID if this process exits first. */
export function track(child) {
  running.add(child.pid);
  child.once("exit", () => running.delete(child.pid));
}
// Whatever way this process ends, no Synapse outlives it.
process.on("exit", killAllSync);
for (const [sig, num] of [["SIGINT", 2], ["SIGTERM", 15], ["SIGHUP", 1]]) {
  process.on(sig, () => { killAllSync(); process.exit(128 + num); });
}

/** A TCP port on 127.0.0.1 that is free right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Synapse's default `ip_range_blacklist`, read from the installed Synapse, minus 127.0.0.0/8. */
export function loopbackAllowingBlocklist() {
  const r = spawnSync(PYTHON, ["-c",
    "import json; from synapse.config.server import DEFAULT_IP_RANGE_BLOCKLIST as B; print(json.dumps(B))"],
    { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`reading Synapse's default IP blocklist failed: ${r.stderr}`);
  const list = JSON.parse(r.stdout);
  if (!list.includes("127.0.0.0/8")) throw new Error("Synapse's default blocklist no longer lists 127.0.0.0/8");
  return list.filter((range) => range !== "127.0.0.0/8");
}

/** A self-signed certificate for 127.0.0.1 (shared by both servers), written with openssl. */
export function selfSignedCertificate(dir) {
  const cert = join(dir, "tls.crt");
  const key = join(dir, "tls.key");
  if (!existsSync(cert)) {
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
      "-nodes", "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl could not make the test certificate: ${r.stderr}`);
  }
  return { cert, key };
}

/** A fresh ed25519 signing key in Synapse's `signing.key` format: `ed25519 <id> <seed>`. */
function newSigningKey(keyId) {
  const { privateKey } = generateKeyPairSync("ed25519");
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  const seed = der.subarray(der.length - 32).toString("base64").replace(/=+$/, "");
  return `ed25519 ${keyId} ${seed}\n`;
}

const relaxed = { per_second: 1000, burst_count: 1000 };

/** The homeserver.yaml of one server, as an object (written as JSON, which YAML reads). */
function config(hs, tls, blocklist) {
  return {
    server_name: hs.serverName,
    pid_file: join(hs.dir, "homeserver.pid"),
    report_stats: false,
    listeners: [
      { port: hs.federationPort, bind_addresses: ["127.0.0.1"], type: "http", tls: true,
        x_forwarded: false, resources: [{ names: ["federation", "keys"], compress: false }] },
      { port: hs.clientPort, bind_addresses: ["127.0.0.1"], type: "http", tls: false,
        x_forwarded: false, resources: [{ names: ["client"], compress: false }] },
    ],
    database: { name: "sqlite3", args: { database: hs.database } },
    log_config: join(hs.dir, "log.config"),
    media_store_path: join(hs.dir, "media_store"),
    signing_key_path: hs.signingKeyPath,
    tls_certificate_path: tls.cert,
    tls_private_key_path: tls.key,
    federation_verify_certificates: false,
    trusted_key_servers: [],
    suppress_key_server_warning: true,
    ip_range_blacklist: blocklist,
    registration_shared_secret: hs.sharedSecret,
    enable_registration: false,
    presence: { enabled: false },
    enable_metrics: false,
    url_preview_enabled: false,
    // MSC4370 /extremities (Synapse's FederationUnstableGetExtremitiesServlet) is served only
    // when enabled: A serves it, B answers M_UNRECOGNIZED as a server without it does.
    experimental_features: { msc4370_enabled: hs.msc4370 },
    federation: hs.backoff
      ? { destination_min_retry_interval: "2h", destination_retry_multiplier: 1, destination_max_retry_interval: "2h",
        max_long_retries: 0, max_short_retries: 0, client_timeout: "20s" }
      : { destination_min_retry_interval: 500, destination_retry_multiplier: 1, destination_max_retry_interval: 1000,
        max_long_retries: 3, max_short_retries: 2, max_long_retry_delay: 2000, max_short_retry_delay: 500,
        client_timeout: "20s" },
    rc_message: relaxed,
    rc_registration: relaxed,
    rc_room_creation: relaxed,
    rc_joins: { local: relaxed, remote: relaxed },
    rc_joins_per_room: relaxed,
    rc_invites: { per_room: relaxed, per_user: relaxed, per_issuer: relaxed },
    rc_login: { address: relaxed, account: relaxed, failed_attempts: relaxed },
    rc_admin_redaction: relaxed,
    rc_federation: { window_size: 1000, sleep_limit: 1000, sleep_delay: 1, reject_limit: 10000, concurrent: 100 },
  };
}

function logConfig(logFile) {
  return {
    version: 1,
    formatters: { precise: { format: "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s" } },
    handlers: { file: { class: "logging.FileHandler", formatter: "precise", filename: logFile, encoding: "utf8" } },
    loggers: { "synapse.storage.SQL": { level: "WARNING" }, "twisted": { level: "WARNING" } },
    root: { level: "INFO", handlers: ["file"] },
    disable_existing_loggers: false,
  };
}

/** One Synapse homeserver on loopback. */
export class Homeserver {
  /**
   * `name` names its folder; the ports are its federation (TLS) and client (plain) ports.
   * `backoff: true` makes it a sender that gives up on a failed destination at once and waits
   * two hours before retrying it: over an hour puts Synapse in catch-up mode, where it drops
   * its queue for that destination and later sends only the latest event of each room.
   * `msc4370: true` enables MSC4370 `/extremities` (`experimental_features.msc4370_enabled`).
   */
  constructor(name, federationPort, clientPort, { backoff = false, msc4370 = false } = {}) {
    this.backoff = backoff;
    this.msc4370 = msc4370;
    this.name = name;
    this.federationPort = federationPort;
    this.clientPort = clientPort;
    this.serverName = `127.0.0.1:${federationPort}`;
    this.clientUrl = `http://127.0.0.1:${clientPort}`;
    this.dir = join(ARTIFACTS, name);
    this.database = join(this.dir, "homeserver.db");
    this.signingKeyPath = join(this.dir, "signing.key");
    this.logFile = join(this.dir, "homeserver.log");
    this.stdoutFile = join(this.dir, "stdout.log");
    this.sharedSecret = randomBytes(16).toString("hex");
    this.child = null;
  }

  /** Writes a fresh config folder (wiping any earlier run's). */
  prepare(tls, blocklist) {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(join(this.dir, "media_store"), { recursive: true });
    writeFileSync(this.signingKeyPath, newSigningKey(`a_${this.name}`));
    writeFileSync(join(this.dir, "log.config"), JSON.stringify(logConfig(this.logFile), null, 1));
    writeFileSync(join(this.dir, "homeserver.yaml"), JSON.stringify(config(this, tls, blocklist), null, 1));
  }

  /** `{ keyId, seed }` of the server's signing key, from its `signing.key`. */
  signingKey() {
    const [alg, version, seed] = readFileSync(this.signingKeyPath, "utf8").trim().split(/\s+/);
    return { keyId: `${alg}:${version}`, seed };
  }

  /** Starts Synapse and resolves once both listeners answer (rejects after `timeoutMs`). */
  async start(timeoutMs = 120_000) {
    if (this.child) throw new Error(`${this.name} is already running`);
    const out = openSync(this.stdoutFile, "a");
    this.child = spawn(PYTHON, ["-m", "synapse.app.homeserver", "--config-path", join(this.dir, "homeserver.yaml")],
      { cwd: this.dir, stdio: ["ignore", out, out] });
    closeSync(out);
    track(this.child);
    let exited = null;
    this.child.once("exit", (code, signal) => { exited = { code, signal }; });
    this.exited = new Promise((resolve) => this.child.once("exit", resolve));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`${this.name} exited during startup (${JSON.stringify(exited)})\n${this.tail()}`);
      if (await this.answers()) return;
      await sleep(200);
    }
    throw new Error(`${this.name} did not answer within ${timeoutMs} ms\n${this.tail()}`);
  }

  /** True when the client API and the federation key endpoint both answer. */
  async answers() {
    try {
      const r = await send(`${this.clientUrl}/_matrix/client/versions`, "GET");
      if (r.status !== 200) return false;
      const key = await federationGet(this.serverName, "/_matrix/key/v2/server");
      return key.status === 200;
    } catch {
      return false;
    }
  }

  /** Stops the server by PID: SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  async stop(graceMs = 10_000) {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => { try { child.kill("SIGKILL"); } catch { /* gone */ } }, graceMs);
      await this.exited;
      clearTimeout(timer);
    }
  }

  /** The last lines of the server's log and stdout, for failure messages. */
  tail(lines = 40) {
    const part = (file) => existsSync(file)
      ? readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "(no file)";
    return `--- ${this.name} ${this.logFile} (tail) ---\n${part(this.logFile)}\n` +
      `--- ${this.name} ${this.stdoutFile} (tail) ---\n${part(this.stdoutFile)}`;
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function until(what, fn, timeoutMs = 60_000, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
