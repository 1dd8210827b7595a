// Shared by the end-to-end tests: start `mxdag serve` on a free port, open the page in
// headless Chromium (Debian's, through playwright-core), wait for it to be quiet, click nodes.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const CLI = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

/**
 * Starts `mxdag serve --port 0 …args` (the CLI of `pkg/`, or `cli`: another build's, for
 * benchmarks against it); resolves to `{url, stop()}` once it prints its URL.
 */
export function serve(args = [], { cli = CLI } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const fail = (why) => reject(new Error(`mxdag serve ${args.join(" ")}: ${why}\n${out}${err}`));
    const timer = setTimeout(() => fail("no URL within 30 s"), 30_000);
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => fail(`exited with ${code}`));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve({
        url: m[1],
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** Runs `fn(server)` with its own `mxdag serve …args` (`options` as `serve` takes them), stopping it afterwards. */
export async function withServer(args, fn, options) {
  const server = await serve(args, options);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** Launches Chromium; `args` are added to its command line (benchmarks: `--js-flags=--expose-gc`). */
export function launch({ args = [] } = {}) {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", ...args],
  });
}

/** Waits until the page has no fetch or file load under way (benchmarks of large rooms pass a longer `timeout`). */
export async function idle(page, { timeout = 30_000 } = {}) {
  await page.waitForFunction(() => document.body.dataset.busy === "0", null, { timeout });
}

/** Opens `url`, failing the test on any page error; returns the page once quiet. */
export async function open(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(url);
  await idle(page);
  return page;
}

/** The snapshot's flag bits (www/model.js FLAG). */
export const FLAG = { forward: 1, gap: 2 };

/** Index of the newest node with `flag`, or -1. */
export const newestWith = (page, flag) =>
  page.evaluate((f) => {
    const s = window.mxdag.snapshot;
    for (let i = s.n - 1; i >= 0; i--) if (s.flags[i] & f) return i;
    return -1;
  }, flag);

/** Scrolls node `i` into view and clicks it with the mouse, then waits for quiet. */
export async function clickNode(page, i) {
  await page.evaluate((k) => window.mxdag.view.focus(k), i);
  await page.waitForTimeout(50);
  const p = await page.evaluate((k) => window.mxdag.view.screenOf(k), i);
  const box = await page.locator("#dag").boundingBox();
  await page.mouse.click(box.x + p.x, box.y + p.y);
  await page.waitForTimeout(50);
  await idle(page);
}

/** The network log rows, oldest first: `{path, status, verdict, cls}`. */
export const netlog = (page) =>
  page.$$eval("#netlog-body tr", (rows) =>
    rows.reverse().map((r) => ({
      path: r.children[3].textContent,
      status: r.children[4].textContent,
      verdict: r.children[7].textContent,
      cls: r.dataset.verdict,
    })),
  );

/** The last logged request whose path starts with `prefix` (answers may be followed by key queries). */
export const lastRequest = async (page, prefix) => (await netlog(page)).filter((r) => r.path.startsWith(prefix)).at(-1);

export const count = async (page, what) => Number(await page.textContent(`#count-${what}`));

/** Picks `file` with the page's file input and waits for quiet. */
export async function loadFile(page, file) {
  await page.setInputFiles("#file-input", file);
  await page.waitForTimeout(50);
  await idle(page);
}

/** How many nodes have each verdict code (www/model.js VERDICT: 0 valid, 2 dropped, 3 unchecked, 4 gap). */
export const verdictCounts = (page) =>
  page.evaluate(() => {
    const s = window.mxdag.snapshot;
    const c = {};
    for (let i = 0; i < s.n; i++) c[s.verdict[i]] = (c[s.verdict[i]] ?? 0) + 1;
    return c;
  });
