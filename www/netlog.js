// The network log: one row per request, with its time, status, events and contract verdict.
// Everything from the network is written with textContent, hidden characters made visible.
import { el } from "./dom.js";
import { visible } from "./text.js";

/** Shortens a federation path for the log: the endpoint and its parameters. */
function shortPath(path) {
  // Unstable MSC paths keep their form: `msc4000/…` (the MSC's), `unstable/msc4000/…` (Synapse's).
  let short = path.replace(/^\/_matrix\/federation\/v1\//, "").replace(/^\/_matrix\/federation\/(unstable\/)?org\.matrix\.(msc\d+)\//, "$1$2/");
  short = short.replace(/^\/_matrix\/key\/v2\//, "key/");
  try {
    return decodeURIComponent(short);
  } catch {
    return short;
  }
}

function verdictOf(entry) {
  const c = entry.contract;
  if (entry.status === "…") return ["pending", "…"];
  if (entry.error || entry.status === "failed") return ["bad", "failed"];
  if (c?.unsupported) return ["warn", "not supported"];
  if (typeof entry.status === "number" && entry.status >= 400) return ["bad", `${entry.byProxy ? "proxy: " : ""}${entry.errcode ?? `HTTP ${entry.status}`}`];
  if (!c) return ["muted", "—"];
  const errors = (c.problems ?? []).filter((p) => p.severity === "error").length;
  const warnings = (c.problems ?? []).filter((p) => p.severity === "warning").length;
  if (!c.ok || errors) return ["bad", `contract broken (${errors || c.problems.length})`];
  if (c.noKeys) return ["ok", "ok · no keys"];
  if (entry.bad) return ["warn", `${entry.bad} bad event${entry.bad === 1 ? "" : "s"}`];
  if (warnings) return ["warn", `ok, ${warnings} warning${warnings === 1 ? "" : "s"}`];
  return ["ok", c.ordering ? `ok · ${c.ordering}` : "ok"];
}

export class NetLog {
  constructor(tbody, counter, onSelect) {
    this.tbody = tbody;
    this.counter = counter;
    this.onSelect = onSelect;
    this.entries = [];
    this.t0 = performance.now();
  }

  /** Adds a row; returns the entry, whose `update(fields)` refreshes the row. */
  add(fields) {
    const entry = { n: this.entries.length + 1, at: performance.now() - this.t0, ...fields };
    const row = el("tr");
    row.tabIndex = 0;
    row.addEventListener("click", () => this.onSelect(entry));
    // Focused, Enter or Space shows the request, as a click does (not the DAG's Enter).
    row.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      e.stopPropagation();
      this.onSelect(entry);
    });
    entry.update = (more) => {
      Object.assign(entry, more);
      this.render(entry, row);
    };
    this.entries.push(entry);
    this.render(entry, row);
    this.tbody.prepend(row);
    this.counter.textContent = String(this.entries.length);
    return entry;
  }

  render(entry, row) {
    const [cls, text] = verdictOf(entry);
    row.replaceChildren(
      el("td", "num", String(entry.n)),
      el("td", "num", `${(entry.at / 1000).toFixed(2)}s`),
      el("td", "method", entry.method),
      el("td", "path", shortPath(entry.path)),
      el("td", `num status ${typeof entry.status === "number" && entry.status >= 400 ? "bad" : ""}`, String(entry.status)),
      el("td", "num", entry.ms === undefined ? "" : `${entry.ms.toFixed(0)} ms`),
      el("td", "num", entry.events === undefined ? "" : `${entry.events}${entry.added !== undefined ? ` (+${entry.added})` : ""}`),
      el("td", `verdict ${cls}`, text),
    );
    row.dataset.verdict = cls;
    row.title = visible(entry.path);
  }
}
