// The state panel under the selected event's details: the room state before (or after)
// the event, each entry naming the event that set it (a button that selects it), and the
// diff of the state between the selected event and a second one (shift-click). Text only
// through el() (dom.js), so nothing from the network is parsed as HTML.
import { el } from "./dom.js";

/** A button naming event `id` that selects it. */
function eventLink(id, select) {
  const b = el("button", "link held state-link", id);
  b.dataset.eventId = id;
  b.addEventListener("click", () => select(id));
  return b;
}

/** One table row: type, state key, and the cells after them. */
function row(entry, cells) {
  const tr = el("tr");
  tr.dataset.type = entry.type;
  tr.dataset.stateKey = entry.state_key;
  tr.append(el("td", "type", entry.type), el("td", "skey", entry.state_key), ...cells);
  return tr;
}

/** A message for a state the session does not know, with the session's reason. */
const unknown = (r) => el("p", "warn small", `State not known: ${r.error}${r.code ? ` (${r.code})` : ""}`);

/** What a check's result (`Auth` / `StateAuth`, src/js/session.rs) says, in a line. */
function checkLine(name, result) {
  const rule = result.problem ? `: ${result.problem.code} ${result.problem.message ?? ""}` : "";
  const missing = result.missing?.length ? ` (missing ${result.missing.join(", ")})` : "";
  const p = el("p", `small check v-${result.status}`, `${name}: ${result.status.replace("_", " ")}${rule}${missing}`);
  p.dataset.check = result.status;
  return p;
}

/**
 * The state panel for `r` (the worker's `state` op: `{id, at, entries, error, code}`),
 * under the event's checks 4 (`d.auth`) and 5–6 (`d.stateAuth`) from its details.
 * `actions`: `{select(id), toggle(at)}`.
 */
export function statePanel(r, actions, d) {
  const box = el("div", "state-panel");
  box.dataset.at = r.at;
  const head = el("div", "state-head");
  head.append(el("h3", null, `State ${r.at} this event${r.entries ? ` (${r.entries.length})` : ""}`));
  const other = r.at === "before" ? "after" : "before";
  const toggle = el("button", "state-toggle", `show ${other}`);
  toggle.addEventListener("click", () => actions.toggle(other));
  head.append(toggle);
  box.append(head);
  if (d?.auth) box.append(checkLine("auth events (check 4)", d.auth));
  if (d?.stateAuth) box.append(checkLine("state before, current state (checks 5, 6)", d.stateAuth));
  if (d?.merge) box.append(mergePanel(d.merge, actions.select));
  if (!r.entries) {
    box.append(unknown(r));
    return box;
  }
  const table = el("table", "state-table");
  for (const e of r.entries) {
    const td = el("td", "set-by");
    td.append(eventLink(e.event_id, actions.select));
    table.append(row(e, [td]));
  }
  box.append(table);
  if (r.authChain) box.append(el("p", "muted small", `Auth chain: ${r.authChain.length} event(s), outlined on the canvas.`));
  box.append(el("p", "muted small", "Shift-click another event to diff its state against this one."));
  return box;
}

/**
 * What state resolution did at a merge (`EventDetails.merge`): each conflicted pair with
 * the events the merged states held and the one kept, then the state resets found there.
 */
function mergePanel(merge, select) {
  const box = el("div", "merge-panel");
  box.append(el("h3", null, `Conflicted state at this merge (${merge.conflicted.length})`));
  const table = el("table", "state-table");
  const reasons = el("ul", "merge-why small");
  for (const c of merge.conflicted) {
    const td = el("td", "set-by");
    const why = new Map(c.outcomes.map((o) => [o.event_id, o.why]));
    for (const id of c.candidates) {
      const link = eventLink(id, select);
      if (id === c.resolved) link.classList.add("won");
      if (why.has(id)) link.title = why.get(id);
      td.append(link, el("span", "muted", id === c.resolved ? " kept " : " "));
    }
    if (c.resolved === null) td.append(el("span", "warn", "none kept"));
    table.append(row(c, [td]));
    // Each candidate in the order resolution took it, and why it was kept or not.
    for (const o of c.outcomes) {
      const li = el("li", o.event_id === c.resolved ? "kept" : null, `${c.type} ${c.state_key}: ${o.event_id} — ${o.why}`);
      li.dataset.eventId = o.event_id;
      reasons.append(li);
    }
  }
  box.append(table);
  if (reasons.childElementCount) box.append(el("p", "muted small", "In the order state resolution took them:"), reasons);
  for (const p of merge.resets) {
    const line = el("p", "warn small reset", `${p.code}: ${p.message}`);
    line.dataset.code = p.code;
    box.append(line);
  }
  return box;
}

/**
 * The diff (the worker's `stateDiff` op): entries added, removed and changed from the
 * state at `a` to the state at `b`. `actions`: `{select(id), close()}`.
 */
export function stateDiffPanel(d, actions) {
  const box = el("div", "state-diff");
  const head = el("div", "state-head");
  head.append(el("h3", null, `State diff (${d.at})`));
  const close = el("button", "state-close", "close");
  close.addEventListener("click", () => actions.close());
  head.append(close);
  box.append(head);
  const ends = el("p", "small");
  ends.append(el("span", "muted", "from "), eventLink(d.a, actions.select), el("span", "muted", " to "), eventLink(d.b, actions.select));
  box.append(ends);
  if (d.error) {
    box.append(unknown({ error: `${d.of}: ${d.error}`, code: d.code }));
    return box;
  }
  if (!d.added.length && !d.removed.length && !d.changed.length) box.append(el("p", "muted", "The same state."));
  const table = el("table", "state-table");
  const cell = (id) => {
    const td = el("td", "set-by");
    td.append(eventLink(id, actions.select));
    return td;
  };
  for (const e of d.added) table.append(Object.assign(row(e, [el("td", "diff-kind", "added"), cell(e.event_id)]), { className: "added" }));
  for (const e of d.removed) table.append(Object.assign(row(e, [el("td", "diff-kind", "removed"), cell(e.event_id)]), { className: "removed" }));
  for (const e of d.changed) {
    const td = el("td", "set-by");
    td.append(eventLink(e.from, actions.select), el("span", "muted", " → "), eventLink(e.to, actions.select));
    table.append(Object.assign(row(e, [el("td", "diff-kind", "changed"), td]), { className: "changed" }));
  }
  box.append(table);
  return box;
}
