// The timeline pane: the room's events in linear order (src/timeline, asked of the worker's
// Timeline by message: timeline-worker.js), a gap row wherever history is missing (click to
// fill it), a date field to jump, older and newer pages as the reader scrolls or clicks,
// and the selection kept in step with the DAG's. Only ever textContent, hidden characters
// made visible (dom.js, text.js).
import { el } from "./dom.js";
import { shortId, visible } from "./text.js";

/** Events per page asked for. */
const PAGE = 40;
/** Most events the pane asks for at once when it shows its window again. */
const MOST = 10_000;
/** Pixels from an edge at which scrolling asks for the next page. */
const EDGE = 24;

/** A time as the date field and the rows show it (UTC, to the second). */
const when = (ts) => (Number.isFinite(ts) ? new Date(ts).toISOString().replace("T", " ").slice(0, 19) : "");

export class TimelinePane {
  /**
   * `root`: the pane's element. `actions`: `{call(op, payload) → Promise (the worker),
   * select(id) (an event chosen in the pane), fillGap(eventId) → Promise (fill the gap
   * before it), fetchNewer() → Promise (forwards fill at the newest end)}`.
   */
  constructor(root, actions) {
    this.root = root;
    this.actions = actions;
    this.head = el("form", "tl-head");
    this.date = el("input");
    this.date.type = "datetime-local";
    this.date.step = "1";
    this.date.name = "date";
    this.date.title = "Jump to the first event at or after this time (UTC)";
    this.head.append(el("span", "tl-title", "Timeline"), this.date, el("button", null, "Jump"));
    this.head.addEventListener("submit", (e) => {
      e.preventDefault();
      this.jumpTo(this.date.value);
    });
    this.olderButton = el("button", "tl-more", "Older events");
    this.olderButton.addEventListener("click", () => this.older());
    this.newerButton = el("button", "tl-more", "Newer events");
    this.newerButton.addEventListener("click", () => this.newer());
    this.list = el("ol", "tl-list");
    this.scroller = el("div", "tl-scroll");
    this.scroller.append(this.olderButton, this.list, this.newerButton);
    this.scroller.addEventListener("scroll", () => this.onScroll());
    this.status = el("div", "tl-status muted small");
    root.replaceChildren(this.head, this.scroller, this.status);
    /** The events shown, oldest first, and the gap entries by event ID. */
    this.events = [];
    this.gaps = new Map();
    /** The token before the first event shown; whether more is held each way. */
    this.edges = { older: null, moreOlder: false, moreNewer: false };
    this.length = 0;
    this.selected = null;
    /** One request of the pane at a time. */
    this.queue = Promise.resolve();
  }

  /** Runs `task` after the pane's earlier ones. */
  enqueue(task) {
    this.queue = this.queue.then(task).catch((e) => this.say(`Timeline: ${e.message}`));
    return this.queue;
  }

  say(text) {
    this.status.textContent = text;
  }

  page(options) {
    return this.actions.call("timelinePage", { options });
  }

  /**
   * A new room: the newest page, following the newest end while the room starts (until the
   * reader or the DAG's selection moves the pane).
   */
  reset() {
    this.events = [];
    this.gaps.clear();
    this.selected = null;
    this.following = true;
    return this.enqueue(() => this.newest());
  }

  async newest() {
    const r = await this.page({ dir: "b", limit: PAGE });
    await this.showWindow(r, r.page);
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /**
   * The room grew (an answer, a fill): the same window again, from its first event to its
   * last (to the newest, when it showed the newest), with what came in between inserted
   * where the timeline puts it; the rows above a filled gap stay put.
   */
  refresh() {
    // Snapshots come fast during a fill: one refresh waiting is enough.
    if (this.refreshing) return this.refreshing;
    this.refreshing = this.enqueue(async () => {
      this.refreshing = null;
      if (!this.events.length || this.following) return this.newest();
      const last = this.events.at(-1).event_id;
      const first = this.events[0].event_id;
      const topGap = this.gaps.has(first) || this.topFilled === first;
      const probe = await this.page({ eventId: last, dir: "f", limit: 1 }).catch(() => null);
      if (!probe) return this.newest();
      const grown = Math.max(0, probe.length - this.length);
      const limit = Math.min(MOST, this.events.length + grown);
      // From the first event shown, so events that came before it (ancestors of the rows
      // shown, which a fill may bring) stay above the window and no row moves; while the
      // gap before the first row fills, from the spot before it, so they show in its place.
      // (A room read again makes earlier tokens stale: then from the first event too.)
      const fromFirst = () => this.page({ eventId: this.events[0].event_id, dir: "f", limit });
      const r = this.fillingTop ? await this.page({ from: this.edges.older, dir: "f", limit }).catch(fromFirst) : await fromFirst();
      // A window at the newest end follows it; any other ends where it ended.
      const end = this.edges.moreNewer ? r.page.chunk.findIndex((e) => e.event_id === last) : -1;
      // The gap above the first row filled above the window: its row stays, as a way to them.
      this.topFilled = topGap && r.page.chunk[0]?.event_id === first ? first : null;
      await this.showWindow(r, r.page, end < 0 ? undefined : end + 1);
    });
    return this.refreshing;
  }

  /**
   * Shows `page` (either direction) as the whole window, cut after `keep` events (time
   * order) when given; then learns the spot before it and whether older events are held.
   */
  async showWindow(r, page, keep) {
    let events = page.dir === "b" ? [...page.chunk].reverse() : page.chunk;
    const cut = keep !== undefined && keep < events.length;
    if (cut) events = events.slice(0, keep);
    this.length = r.length;
    this.events = events;
    this.gaps = new Map(page.gaps.map((g) => [g.event_id, g]));
    this.edges.moreNewer = cut || (page.dir === "f" && page.more);
    await this.learnOlder();
    this.render();
  }

  /**
   * The token of the spot right before the first event shown (after the event before it,
   * so events that later fill a gap there come after it) and whether older events are held.
   */
  async learnOlder() {
    if (!this.events.length) {
      this.edges.older = null;
      this.edges.moreOlder = false;
      return;
    }
    const first = await this.page({ eventId: this.events[0].event_id, dir: "f", limit: 1 });
    this.edges.older = first.page.start;
    const before = await this.page({ from: first.page.start, dir: "b", limit: 1 });
    this.edges.moreOlder = before.page.chunk.length > 0;
  }

  /** Older events before the window, the rows shown kept in place on screen. */
  older() {
    this.following = false;
    return this.enqueue(async () => {
      if (!this.events.length) return;
      const r = await this.page({ eventId: this.events[0].event_id, dir: "b", limit: PAGE + 1 });
      const added = [...r.page.chunk].reverse().slice(0, -1);
      const height = this.scroller.scrollHeight;
      this.length = r.length;
      this.events = [...added, ...this.events];
      for (const g of r.page.gaps) this.gaps.set(g.event_id, g);
      await this.learnOlder();
      this.render();
      this.scroller.scrollTop += this.scroller.scrollHeight - height;
    });
  }

  /** Newer events after the window; at the newest held event, forwards fill. */
  newer() {
    this.following = false;
    return this.enqueue(async () => {
      if (!this.events.length) return;
      const r = await this.page({ eventId: this.events.at(-1).event_id, dir: "f", limit: PAGE + 1 });
      const added = r.page.chunk.slice(1);
      this.length = r.length;
      this.events = [...this.events, ...added];
      for (const g of r.page.gaps) this.gaps.set(g.event_id, g);
      this.edges.moreNewer = r.page.more;
      this.render();
      // At the newest held event: ask the server for newer ones (the window, at the newest
      // end, follows what comes).
      if (!added.length) await this.actions.fetchNewer();
    });
  }

  onScroll() {
    const s = this.scroller;
    if (this.scrolling) return;
    if (s.scrollTop < EDGE && this.edges.moreOlder) this.paged(() => this.older());
    else if (s.scrollHeight - s.scrollTop - s.clientHeight < EDGE && this.edges.moreNewer) this.paged(() => this.newer());
  }

  /** Pages once per scroll to an edge. */
  paged(task) {
    this.scrolling = true;
    task().finally(() => (this.scrolling = false));
  }

  /** Jumps to the first event at or after `value` (the date field's, read as UTC). */
  jumpTo(value) {
    const ts = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
    if (!Number.isFinite(ts)) return this.say("Give a date and time to jump to.");
    this.following = false;
    return this.enqueue(async () => {
      const { eventId } = await this.actions.call("timelineJump", { ts, dir: "f" });
      const found = eventId ?? (await this.actions.call("timelineJump", { ts, dir: "b" })).eventId;
      if (!found) return this.say("No event is held.");
      await this.around(found);
      this.actions.select(found);
    });
  }

  /** Shows a window around `eventId` (held), the event scrolled into view and selected. */
  async around(eventId) {
    const back = await this.page({ eventId, dir: "b", limit: PAGE / 2 });
    const first = back.page.chunk.at(-1)?.event_id ?? eventId;
    const r = await this.page({ eventId: first, dir: "f", limit: PAGE });
    await this.showWindow(r, r.page);
    this.mark(eventId, true);
  }

  /** The DAG selected `id`: the pane follows (a missing event selects its gap row). */
  select(id) {
    this.following = false;
    return this.enqueue(async () => {
      if (this.mark(id, true)) return;
      const details = await this.page({ eventId: id, dir: "f", limit: 1 }).catch(() => null);
      if (details?.page.chunk.length) await this.around(id);
      else this.mark(id, true);
    });
  }

  /** Marks `id`'s row (or the gap row that lacks it) selected; scrolls to it. Whether shown. */
  mark(id, scroll) {
    this.selected = id;
    let found = null;
    for (const row of this.list.children) {
      const on = row.dataset.eventId === id || (row.classList.contains("tl-gap") && row.missing?.includes(id));
      row.classList.toggle("selected", on && !found);
      if (on && !found) found = row;
    }
    if (found && scroll) found.scrollIntoView({ block: "nearest" });
    return Boolean(found);
  }

  render() {
    const rows = [];
    const first = this.events[0]?.event_id;
    if (first !== undefined && this.topFilled === first && !this.gaps.has(first) && this.edges.moreOlder) rows.push(this.filledRow());
    for (const event of this.events) {
      const gap = this.gaps.get(event.event_id);
      if (gap) rows.push(this.gapRow(gap));
      rows.push(this.eventRow(event));
    }
    this.list.replaceChildren(...rows);
    // Always there (disabled at the oldest end), so rows never move when it changes.
    this.olderButton.disabled = !this.edges.moreOlder;
    this.olderButton.textContent = this.edges.moreOlder ? "Older events" : "No older events held";
    this.newerButton.textContent = this.edges.moreNewer ? "Newer events" : "Fetch newer events (forwards fill)";
    if (this.selected) this.mark(this.selected, false);
    this.say(`${this.events.length} of ${this.length} held events shown · ${this.gapsShown()}`);
  }

  /**
   * The gaps among the events shown, counted as the header counts them (missing events, the
   * session's gaps), and the gap rows (the events before which they are missing): several
   * events may miss the same one.
   */
  gapsShown() {
    const missing = new Set();
    let rows = 0;
    for (const event of this.events) {
      const gap = this.gaps.get(event.event_id);
      if (!gap) continue;
      rows++;
      for (const id of gap.missing_event_ids) missing.add(id);
    }
    return `${missing.size} gap(s), missing before ${rows} of them`;
  }

  eventRow(e) {
    const li = el("li", `tl-event v-${e.verdict ?? "unchecked"}${e.state ? " state" : ""}`);
    li.dataset.eventId = e.event_id;
    li.dataset.type = e.type;
    li.title = visible(`${e.event_id} · ${e.type} · ${e.verdict ?? "no verdict"}`);
    li.append(el("time", null, when(e.origin_server_ts)), el("span", "tl-sender", e.sender), el("span", "tl-summary", e.summary || e.type));
    li.addEventListener("click", () => {
      this.mark(e.event_id, false);
      this.actions.select(e.event_id);
    });
    return li;
  }

  /** Where the gap above the first row was: its history is held now, above the window. */
  filledRow() {
    const li = el("li", "tl-filled");
    const button = el("button", null, "History fetched here — show older events");
    button.addEventListener("click", () => this.older());
    li.append(button);
    return li;
  }

  gapRow(gap) {
    const li = el("li", "tl-gap");
    li.dataset.gapBefore = gap.event_id;
    li.missing = gap.missing_event_ids;
    const outlier = gap.held_as_outlier ? " (some held as outliers)" : "";
    const button = el("button", null, `History missing here: about ${gap.estimated_missing} event(s)${outlier} — click to fetch`);
    button.title = `missing prev_events of ${shortId(gap.event_id, 20)}: ${gap.missing_event_ids.map((id) => shortId(id, 20)).join(", ")}`;
    button.addEventListener("click", async () => {
      button.disabled = true;
      button.textContent = "Fetching…";
      this.following = false;
      this.fillingTop = gap.event_id === this.events[0]?.event_id;
      try {
        await this.actions.fillGap(gap.event_id);
      } finally {
        this.fillingTop = false;
      }
    });
    li.append(button);
    return li;
  }
}
