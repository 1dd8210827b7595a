#!/usr/bin/env node
// The `mxdag` command: dispatches `mxdag <command> …` to node/commands/<command>.js, whose
// `run(args, io)` returns the exit code. Commands are found by file, so adding one needs
// no change here.
import { existsSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

const commandsDir = new URL("./commands/", import.meta.url);

function commandNames() {
  return readdirSync(commandsDir)
    .filter((name) => name.endsWith(".js"))
    .map((name) => name.slice(0, -3))
    .sort();
}

async function help(io) {
  const lines = ["Usage: mxdag <command> [options]", "", "Commands:"];
  for (const name of commandNames()) {
    const { summary = "" } = await import(new URL(`${name}.js`, commandsDir).href);
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  lines.push("", "Run `mxdag <command> --help` for a command's options; `mxdag --version` for the version.", "");
  io.stdout.write(lines.join("\n"));
  return 0;
}

/** Prints the package version and the wasm the CLI loads (pkg/package.json sits next to it). */
async function version(io) {
  const { wasmPath } = await import("./wasm.js");
  const pkg = JSON.parse(readFileSync(new URL("package.json", pathToFileURL(wasmPath)), "utf8"));
  io.stdout.write(`mxdag ${pkg.version}\nwasm: ${wasmPath}\n`);
  return 0;
}

/**
 * Runs the CLI on `argv` (without node and the script) and returns the exit code. `io`:
 * `{stdout, stderr, exiting}`, `exiting` when the process ends as the command returns (then
 * commands leave their sessions to the exit rather than free them).
 */
export async function main(argv, io = { stdout: process.stdout, stderr: process.stderr }) {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    return help(io);
  }
  if (command === "--version" || command === "-V") return version(io);
  const file = new URL(`${command}.js`, commandsDir);
  if (!/^[a-z][a-z0-9-]*$/.test(command) || !existsSync(file)) {
    io.stderr.write(`mxdag: unknown command ${JSON.stringify(command)}; commands: ${commandNames().join(", ")}\n`);
    return 2;
  }
  const { run } = await import(file.href);
  return run(rest, io);
}

const invokedAs = process.argv[1] && existsSync(process.argv[1]) ? realpathSync(process.argv[1]) : "";
if (import.meta.url === pathToFileURL(invokedAs).href) {
  // The process ends as soon as what was written is out, not when its event loop empties:
  // the judging workers' teardown took another 85 ms after a report of 100,000 events.
  const end = (code) => process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, exiting: true }).then(end, (error) => {
    process.stderr.write(`mxdag: ${error.stack ?? error}\n`);
    end(2);
  });
}
