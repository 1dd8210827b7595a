// The side panel: the selected event's verdict, problems, prev and next events and JSON,
// or a network log entry's request and contract verdict. Only ever textContent, hidden
// characters made visible (text.js).
import { el } from "./dom.js";
import { readable } from "./text.js";

const VERDICT_TEXT = {
  valid: "valid",
  redacted: "redacted",
  rejected: "rejected",
  soft_failed: "soft-failed (fails against the current state)",
  dropped: "dropped",
  missing: "missing (backward extremity)",
  unchecked: "unchecked",
};

function problemList(problems) {
  if (!problems.length) return el("p", "muted", "No problems.");
  const ul = el("ul", "problems");
  for (const p of problems) {
    const li = el("li", `sev-${p.severity ?? "error"}`);
    li.append(el("code", "code", p.code ?? "?"), el("span", "path", ` ${p.path ?? ""} `), el("span", "msg", readable(p.message ?? "")));
    ul.append(li);
  }
  return ul;
}

export class Panel {
  /** `actions`: `{select(id), backfill(id), getMissing(id), forwardsFill(id)}`. */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
  }

  clear(text = "Click an event, a gap or a forward extremity.") {
    this.root.replaceChildren(el("p", "muted", readable(text)));
  }

  /**
   * Under the hint: the events of a file that are not drawn (unreadable, or with no place
   * in the DAG), each with its problems; `total` how many there were in all.
   */
  showNotDrawn(events, total) {
    if (!total) return;
    const box = el("div", "not-drawn");
    box.append(el("h3", null, `Not drawn (${total})`));
    for (const e of events) {
      const item = el("div", "not-drawn-event");
      item.dataset.label = e.label;
      item.append(el("p", "muted", `${e.label}: ${e.verdict}`), problemList(e.problems));
      box.append(item);
    }
    if (total > events.length) box.append(el("p", "muted", `and ${total - events.length} more`));
    this.root.append(box);
  }

  /**
   * The events held apart from the drawing (outliers), each a link to its details: a file
   * of client-format events is all outliers, so it is listed here rather than drawn empty.
   */
  showApart(events, total) {
    if (!total) return;
    const box = el("div", "links apart");
    box.append(el("h3", null, `Held apart from the DAG (${total})`));
    box.append(el("p", "muted", "Outliers: events with no place in the DAG (the client format carries no prev_events; state listed beside an answer is held without one). Select one for its details."));
    for (const e of events) {
      const b = el("button", "link held", `${e.label}: ${e.summary || e.event_id}`);
      b.title = `${e.event_id} (${e.verdict})`;
      b.addEventListener("click", () => this.actions.select(e.event_id));
      box.append(b);
    }
    if (total > events.length) box.append(el("p", "muted", `and ${total - events.length} more`));
    this.root.append(box);
  }

  /** With nothing selected: the DAG's consistency findings under the hint. */
  showFindings(findings) {
    if (this.root.querySelector(".head")) return;
    const old = this.root.querySelector(".findings");
    const box = el("div", "findings");
    box.append(el("h3", null, `DAG findings (${findings.length})`), problemList(findings.slice(0, 100)));
    if (findings.length > 100) box.append(el("p", "muted", `and ${findings.length - 100} more`));
    if (old) old.replaceWith(box);
    else this.root.append(box);
  }

  links(title, list) {
    const box = el("div", "links");
    box.append(el("h3", null, `${title} (${list.length})`));
    if (!list.length) box.append(el("p", "muted", "none"));
    for (const { id, state } of list) {
      const b = el("button", `link ${state}`, id);
      b.title = state === "missing" ? "missing: not held" : "held";
      b.addEventListener("click", () => this.actions.select(id));
      box.append(b);
    }
    return box;
  }

  /**
   * Shows a node's details (from the worker) and the actions it offers; `offline` says why
   * they cannot fetch (the room came from a file), or is null.
   */
  showEvent(d, { forward, offline }) {
    const head = el("div", "head");
    const badge = el("span", `badge v-${d.verdict}${d.pruned ? " pruned" : ""}`, VERDICT_TEXT[d.verdict] ?? d.verdict);
    head.append(badge);
    if (d.pruned) head.append(el("span", "badge pruned", "pruned by the sending server"));
    if (forward) head.append(el("span", "badge forward", "forward extremity"));
    const id = el("div", "event-id", d.id);
    const actions = el("div", "actions");
    const button = (text, fn, cls) => {
      const b = el("button", cls, text);
      b.addEventListener("click", fn);
      if (offline) {
        b.disabled = true;
        b.title = offline;
      }
      actions.append(b);
    };
    if (!d.held) {
      button("Backfill from here", () => this.actions.backfill(d.id), "primary");
      button("get_missing_events", () => this.actions.getMissing(d.id));
    }
    if (forward) button("Forwards fill", () => this.actions.forwardsFill(d.id), "primary");
    const parts = [head, id];
    if (actions.childElementCount) parts.push(actions);
    if (actions.childElementCount && offline) parts.push(el("p", "warn small", offline));
    if (d.summary) parts.push(el("p", "small", d.summary));
    if (d.annotation) parts.push(el("p", "note", d.annotation));
    if (d.source) parts.push(el("p", "muted small", `from ${d.source}`));
    if (d.gap) {
      const held = d.gap.outlier ? " It is held, but only as an outlier." : "";
      parts.push(el("p", "muted", `Not held: estimated depth ${d.gap.depth}; about ${d.gap.missingDepths} depth level(s) missing below it, as far as depths tell.${held}`));
    }
    parts.push(el("h3", null, "Problems"), problemList(d.problems));
    parts.push(this.links("prev_events", d.prev), this.links(d.held ? "next (children)" : "referenced by", d.next));
    if (d.json) {
      parts.push(el("h3", null, "Event JSON"));
      parts.push(el("pre", "json", d.json));
    }
    this.root.replaceChildren(...parts);
  }

  /** Shows a network log entry. */
  showRequest(entry) {
    const c = entry.contract;
    const parts = [
      el("div", "head", `${entry.method} · HTTP ${entry.status}${entry.ms !== undefined ? ` · ${entry.ms.toFixed(0)} ms` : ""}`),
      el("div", "event-id", entry.path),
    ];
    if (entry.error) parts.push(el("p", "bad", entry.error));
    if (entry.byProxy) parts.push(el("p", "bad", `Refused by the local signing proxy (mxdag serve), not ${entry.destination}: ${readable(entry.explanation ?? "no explanation given")}`));
    else if (entry.explanation) parts.push(el("p", "bad", `${entry.destination ?? "The server"} answered: ${readable(entry.explanation)}`));
    if (entry.errcode) parts.push(el("p", "muted", `errcode ${entry.errcode}`));
    if (entry.events !== undefined) {
      parts.push(el("p", null, c?.keys ? `${entry.events} key(s) added` : `${entry.events} events received, ${entry.added ?? 0} new, ${entry.bad ?? 0} not valid`));
    }
    if (c?.notFound?.length) parts.push(el("p", c.noKeys ? null : "warn", `No keys found for ${readable(c.notFound.join(", "))}: the notary answered without them.`));
    if (c?.unsupported) parts.push(el("p", "warn", "The server does not implement this endpoint (M_UNRECOGNIZED)."));
    else if (c) {
      parts.push(el("h3", null, c.keys ? "Keys" : `Contract: ${c.ok ? "kept" : "broken"}`));
      if (c.ordering) parts.push(el("p", "muted", `ordering: ${c.ordering}`));
      parts.push(problemList(c.problems ?? []));
    }
    this.root.replaceChildren(...parts);
  }
}
