// Keys a user already trusts, on the page: pasted in the "Keys…" form, or given to
// `mxdag serve --trusted-key`. Events whose keys were missing become checked.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { idle, launch, loadFile, netlog, open, verdictCounts, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());
const example = (name) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
/** The public keys of examples/keys.json as `SERVER KEY_ID BASE64` lines. */
const keyLines = JSON.parse(readFileSync(example("keys.json"), "utf8")).flatMap((r) =>
  Object.entries(r.verify_keys).map(([id, k]) => `${r.server_name} ${id} ${k.key}`),
);

const loadBackfill = (page) => loadFile(page, example("backfill.json"));
const verdicts = verdictCounts;

test("keys pasted in the Keys… form are trusted as given and check the unchecked events", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await loadBackfill(page);
    assert.deepEqual(await verdicts(page), { 3: 60 });
    await page.click("#keys summary");
    await page.fill("#keys-form textarea", keyLines.join("\n"));
    await page.click("#keys-form button");
    await page.waitForTimeout(50);
    await idle(page);
    assert.deepEqual(await verdicts(page), { 0: 60 });
    const notice = await page.textContent("#notice");
    assert.match(notice, new RegExp(`keys pasted: ${keyLines.length} key\\(s\\) of .* added \\(${keyLines.length} trusted as given\\); 60 unchecked events judged again, 60 now checked`), notice);
    // Lines that are no keys are refused with a reason, and nothing held changes.
    await page.click("#keys summary");
    await page.fill("#keys-form textarea", "example.org ed25519:x not-base64!");
    await page.click("#keys-form button");
    await page.waitForTimeout(50);
    await idle(page);
    assert.match(await page.textContent("#notice"), /keys pasted: no key added; 1 refused: /);
    assert.deepEqual(await verdicts(page), { 0: 60 });
    // The refused text stays in the open form, which says why, to be mended.
    assert.equal(await page.inputValue("#keys-form textarea"), "example.org ed25519:x not-base64!");
    assert.equal(await page.evaluate(() => document.querySelector("#keys").open), true);
    assert.match(await page.textContent("#keys-why"), /no key added; 1 refused: /);
    // Mended, the keys are added, and the form closes empty.
    await page.fill("#keys-form textarea", keyLines[0]);
    await page.click("#keys-form button");
    await page.waitForTimeout(50);
    await idle(page);
    assert.equal(await page.evaluate(() => document.querySelector("#keys").open), false);
    assert.equal(await page.inputValue("#keys-form textarea"), "");
    assert.equal(await page.isVisible("#keys-why"), false);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("mxdag serve --trusted-key hands the page keys it trusts in every room", async () => {
  const args = keyLines.flatMap((line) => ["--trusted-key", line]);
  await withServer(args, async (server) => {
    const page = await open(await browserReady, server.url);
    assert.match(await page.textContent("#notice"), /--trusted-key: 1 key\(s\) of .* added \(1 trusted as given\)/);
    await loadBackfill(page);
    assert.deepEqual(await verdicts(page), { 0: 60 }, "checked with the keys serve was given");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a notary answer with no keys ({server_keys: []}) is a valid answer naming the servers whose keys were not found", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await loadFile(page, fileURLToPath(new URL("../fixtures/synapse/messages-federation.json", import.meta.url)));
    const row = (await netlog(page)).findLast((r) => r.path === "key/query");
    assert.equal(row.status, "200");
    assert.equal(row.cls, "ok", row.verdict);
    assert.match(row.verdict, /no keys/);
    await page.locator("#netlog-body tr", { hasText: "key/query" }).first().click();
    const detail = await page.textContent("#panel");
    assert.match(detail, /No keys found for \S+: the notary answered without them/, detail);
    assert.doesNotMatch(detail, /events received|contract broken|holds no keys/i, detail);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
