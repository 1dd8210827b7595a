// mxdag serve: the inspector page on the embedded demo peer, and the signing proxy.
import { spawn } from "node:child_process";
import { startServer } from "../server/index.js";
import { readSigningKeyFile } from "../server/xmatrix.js";
import { isLoopback } from "../server/access.js";
import { DestinationPolicy } from "../server/destinations.js";
import { DEFAULT_MAX_ANSWER_BYTES } from "../server/proxy.js";
import { readInput } from "../input.js";
import { formatKeys } from "../session.js";

/** One line for `mxdag --help`. */
export const summary = "serve the inspector page, the demo peer and the signing proxy";

export const usage = `mxdag serve [--host 127.0.0.1] [--port N] [--open] [--require-auth]
            [--order synapse|bfs] [--cap N]
            [--no-forwards-fill | --unstable-only-forwards-fill | --synapse-only-forwards-fill]
            [--no-extremities]
            [--faulty] [--server-name S --signing-key FILE] [--insecure-tls]
            [--allow-destination SERVER]... [--max-answer-bytes N] [--secret-in-url]
            [--trusted-key "SERVER_NAME KEY_ID BASE64"]... [--trusted-keys FILE]...

Serves the inspector page and an embedded demo peer (a generated room, answering /backfill,
/get_missing_events, /forwards_fill, /event, /timestamp_to_event, MSC4370 /extremities and
key requests), and a signing proxy to real
homeservers under /_mxdag/proxy/{destination}/… (needs --server-name and --signing-key, a
Synapse signing.key file). Listens on loopback unless --host says otherwise.

The demo peer answers MSC4000 forwards fill on its three paths (/v1/, /org.matrix.msc4000/
and /unstable/org.matrix.msc4000/forwards_fill); --unstable-only-forwards-fill drops the
stable one, --synapse-only-forwards-fill keeps only the unstable/ one, --no-forwards-fill
answers 404 M_UNRECOGNIZED on all three. --no-extremities answers 404 M_UNRECOGNIZED on
MSC4370 /extremities, as a server without it does.

The proxy answers only this server's own page (same origin, with a secret of this run it
hands the page as a cookie), forwards only read-only federation requests, and only to the
servers named by --allow-destination (repeatable) or added by the page (POST
/_mxdag/destinations); never to link-local, metadata or unspecified addresses. Answers over
--max-answer-bytes (default ${DEFAULT_MAX_ANSWER_BYTES}) are refused. --secret-in-url hands
the cookie only to the address printed, which carries the secret: for machines shared with
other users; implied when --host is not a loopback address and a signing key is given.

--trusted-key and --trusted-keys (Synapse's trusted_key_servers list, YAML or JSON) give the
page public keys to trust as given, as mxdag check takes them: the page adds them to every
room it shows and names them trusted.`;

/** Parses the options; throws an Error with `exitCode` 2 on bad arguments. */
export function parseServeArgs(args) {
  const bad = (message) => Object.assign(new Error(`${message}\n\n${usage}`), { exitCode: 2 });
  const o = { host: "127.0.0.1", port: 8008, open: false, requireAuth: false, order: "synapse", cap: 100,
    forwardsFill: "all", extremities: true, faulty: false, serverName: null, signingKey: null, insecureTls: false,
    allowDestinations: [], maxAnswerBytes: DEFAULT_MAX_ANSWER_BYTES, secretInUrl: false,
    trustedKeys: [], trustedKeyFiles: [] };
  const value = (i) => {
    if (i + 1 >= args.length) throw bad(`${args[i]} needs a value`);
    return args[i + 1];
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    switch (a) {
      case "--host": o.host = value(i++); break;
      case "--port": o.port = Number(value(i++)); if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw bad("--port must be 0–65535"); break;
      case "--open": o.open = true; break;
      case "--require-auth": o.requireAuth = true; break;
      case "--order": o.order = value(i++); if (!["synapse", "bfs"].includes(o.order)) throw bad("--order is synapse or bfs"); break;
      case "--cap": o.cap = Number(value(i++)); if (!Number.isInteger(o.cap) || o.cap < 1) throw bad("--cap must be a positive integer"); break;
      case "--no-forwards-fill": o.forwardsFill = "none"; break;
      case "--unstable-only-forwards-fill": o.forwardsFill = "unstable"; break;
      case "--synapse-only-forwards-fill": o.forwardsFill = "synapse"; break;
      case "--no-extremities": o.extremities = false; break;
      case "--faulty": o.faulty = true; break;
      case "--server-name": o.serverName = value(i++); break;
      case "--signing-key": o.signingKey = value(i++); break;
      case "--insecure-tls": o.insecureTls = true; break;
      case "--allow-destination": o.allowDestinations.push(value(i++)); break;
      case "--max-answer-bytes": o.maxAnswerBytes = Number(value(i++)); if (!Number.isSafeInteger(o.maxAnswerBytes) || o.maxAnswerBytes < 1) throw bad("--max-answer-bytes must be a positive integer"); break;
      case "--secret-in-url": o.secretInUrl = true; break;
      case "--trusted-key": o.trustedKeys.push(value(i++)); break;
      case "--trusted-keys": o.trustedKeyFiles.push(value(i++)); break;
      case "-h": case "--help": throw Object.assign(new Error(usage), { exitCode: 0 });
      default: throw bad(`unknown option ${a}`);
    }
  }
  if ((o.serverName === null) !== (o.signingKey === null)) throw bad("--server-name and --signing-key go together");
  try {
    new DestinationPolicy(o.allowDestinations);
  } catch (e) {
    throw bad(`--allow-destination: ${e.message}`);
  }
  if (o.signingKey !== null && !isLoopback(o.host)) o.secretInUrl = true;
  return o;
}

/**
 * The --trusted-key lines and --trusted-keys files as key inputs for the page
 * (`[{source, text}]`), each checked here first: one that gives no key is an error naming
 * it and why. `lines` says what each gave, as mxdag check does.
 */
async function trustedKeyInputs(mxdag, o) {
  const inputs = [
    ...o.trustedKeys.map((text) => ({ source: "--trusted-key", text })),
    ...(await Promise.all(o.trustedKeyFiles.map(async (file) => ({ source: file, text: String((await readInput(file)).input) })))),
  ];
  const keys = [];
  for (const input of inputs) {
    const session = new mxdag.RoomSession(undefined, undefined);
    try {
      const report = session.addKeys(input.text);
      keys.push({ file: input.source, added: report.added, keys: report.keys, problems: [...report.problems] });
      if (!report.added) throw new Error(`${input.source}: no key to trust${report.problems.length ? `: ${report.problems[0].message}` : ""}`);
    } finally {
      session.free();
    }
  }
  return { inputs, lines: formatKeys(keys) };
}

/** Tries to open `url` in a browser; reports and carries on when it cannot. */
function openBrowser(url, err) {
  try {
    const child = spawn("xdg-open", [url], { stdio: "ignore", detached: true });
    child.on("error", () => err.write(`could not start xdg-open; open ${url} yourself\n`));
    child.on("exit", (code) => {
      if (code) err.write(`xdg-open could not open a browser (exit ${code}); open ${url} yourself\n`);
    });
    child.unref();
  } catch {
    err.write(`could not start xdg-open; open ${url} yourself\n`);
  }
}

/** Runs until SIGINT/SIGTERM. */
export async function run(args, io = {}) {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  let o;
  try {
    o = parseServeArgs(args);
  } catch (e) {
    if (e.exitCode === 0) out.write(`${e.message}\n`);
    else err.write(`mxdag serve: ${e.message}\n`);
    return e.exitCode ?? 2;
  }
  const wasm = await import("../wasm.js");
  let trusted;
  try {
    trusted = await trustedKeyInputs(wasm.default ?? wasm, o);
  } catch (e) {
    err.write(`mxdag serve: ${e.message}\n`);
    return 2;
  }
  for (const line of trusted.lines) err.write(`${line}\n`);
  const identity = o.serverName ? { serverName: o.serverName, key: readSigningKeyFile(o.signingKey) } : null;
  let running;
  try {
    running = await startServer({ ...o, trustedKeys: trusted.inputs, wasm: wasm.default ?? wasm, identity, log: (line) => err.write(`${line}\n`) });
  } catch (e) {
    if (e.code !== "EADDRINUSE" && e.code !== "EACCES") throw e;
    err.write(`mxdag serve: cannot listen on ${o.host}:${o.port} (${e.code}); pass --port N (0 picks a free port)\n`);
    return 2;
  }
  out.write(`mxdag inspector on the demo peer: ${running.pageUrl}\n`);
  if (identity) {
    const to = o.allowDestinations.length ? o.allowDestinations.join(", ") : "no server yet";
    out.write(`signing proxy as ${identity.serverName}: read-only requests to ${to} (add with --allow-destination)\n`);
  }
  if (o.open) openBrowser(running.pageUrl, err);
  await new Promise((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await running.close();
  return 0;
}
