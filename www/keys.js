// Keys on the page: the "Keys…" form (key lines, a trusted_key_servers section, key
// responses pasted as text), the keys `mxdag serve --trusted-key(s)` hands the page, and the
// notice that says what a key input did. The worker's session holds the keys.
import { readable } from "./text.js";

/** What a key input did: the keys added (trusted ones named so), refused ones and why. */
export function keyNotice(name, r) {
  const trusted = r.keys.filter((k) => k.trusted).length;
  const servers = [...new Set(r.keys.map((k) => k.server_name))];
  const added = r.added ? `${r.added} key(s) of ${servers.join(", ")} added${trusted ? ` (${trusted} trusted as given)` : ""}` : "no key added";
  const refused = r.problems.length ? `; ${r.problems.length} refused: ${r.problems[0].message}` : "";
  const judged = r.rejudged.judged ? `; ${r.rejudged.judged} unchecked events judged again, ${r.rejudged.checked} now checked` : "";
  return `${name}: ${added}${refused}${judged}`;
}

/**
 * The keys `mxdag serve` was given with --trusted-key / --trusted-keys, added to the
 * worker's session; resolves to the notices of what they did (none when the page is served
 * by something else, or no key was given).
 */
export async function addServedKeys(worker) {
  const answer = await fetch("/_mxdag/trusted-keys").catch(() => null);
  if (!answer?.ok) return [];
  const { inputs } = await answer.json();
  const notices = [];
  for (const { source, text } of inputs ?? []) {
    const r = await worker.call("keys", { text, name: source });
    notices.push(keyNotice(source, r));
  }
  return notices;
}

/**
 * Wires the "Keys…" form: the text pasted joins the session (`worker` op `keys`), `show`
 * gets the notice and the worker's answer (with the snapshot of the room judged again).
 * When no key was added the text stays and the form stays open, saying why (`why`).
 */
export function wireKeysForm(form, worker, run, show, why) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = String(new FormData(form).get("keys")).trim();
    if (!text) return;
    run(async () => {
      const r = await worker.call("keys", { text, name: "" });
      const said = keyNotice("keys pasted", r);
      show(said, r);
      why.hidden = r.added > 0;
      why.textContent = r.added ? "" : readable(said);
      if (!r.added) return;
      form.reset();
      form.closest("details").open = false;
    });
  });
}
