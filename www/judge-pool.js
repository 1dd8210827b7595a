// Validation on every core, for the page (Web Workers) and Node (worker_threads, through
// node/parallel.js): one large input's events are split into slices, each judged by a
// worker with its own wasm instance (`judgeSlice`: every event parsed and its signatures
// checked, the expensive part), the judgements merged in input order, and the session takes
// the input once with them (`RoomSession.ingestJudged`), placing its events in its DAG. A
// list the session takes in parts (`beginParts`: more than 4,096 events, version known) is
// taken part by part as the judgements come (`takeJudgedParts`), so this thread places one
// part while the workers judge the next, and `finishParts` gives the report. The
// session accepts a judgement only when it was made with its own secret for these very
// bytes (src/session/parallel.rs), so nothing unvalidated gets in; the report is the one
// `session.ingest` gives, byte for byte. Small inputs, answers with a request (their
// contract is judged) and shapes that are not a list of events are taken by
// `session.ingest` directly.

/** Below this many events an input is judged on one core: starting workers costs more. */
export const PARALLEL_MIN_EVENTS = 2_000;

/**
 * Fewer bytes than a PDU takes (its hashes, a signature, IDs and keys alone come to about
 * 300): an input shorter than `minEvents` of these starts no worker before its events are
 * counted, and a longer one that holds fewer stops the workers it started.
 */
const MIN_EVENT_BYTES = 256;

/**
 * Events per slice a worker judges: enough to batch signatures, small enough to balance.
 * The session takes judged events in parts of 256 (JUDGED_PART_EVENTS in
 * src/session/parts.rs), so each judgement lets it place eight parts at once.
 */
export const SLICE_EVENTS = 2_048;

/**
 * Takes `input` (text or UTF-8 bytes) into `session` as `session.ingest(input, options)`
 * does, on `threads` workers made by `spawn()` (`{post(message, transfer), onMessage(fn),
 * onError(fn), terminate()}`), in slices of `sliceEvents` events, when it holds at least
 * `minEvents`. `onProgress(done, total)` is called as slices are judged. Resolves to the
 * IngestReport.
 */
export async function ingestOnWorkers(mx, session, input, options, { spawn, threads, onProgress, minEvents = PARALLEL_MIN_EVENTS, sliceEvents = SLICE_EVENTS }) {
  const whole = () => session.ingest(input, options);
  if (!(threads >= 2) || options?.request !== undefined) return whole();
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  // An input that may hold enough events starts its workers first: they load their wasm
  // while this thread reads it.
  const large = bytes.length >= minEvents * MIN_EVENT_BYTES;
  const pool = large ? Array.from({ length: threads }, spawn) : [];
  const release = (keep = 0) => {
    for (const worker of pool.splice(keep)) worker.terminate();
  };
  // The parts, begun first, find the room version the input is judged with (the one it
  // names, else the session's) and where its events lie, in one pass. (Judging first with
  // the session's version was no faster, and wasted every judgement of a file naming
  // another version: one room per file, rooms of several versions.)
  const backfill = Boolean(options?.viaBackfill);
  let taking, found, context;
  try {
    if (large) taking = session.beginParts(bytes, options);
    found = taking?.spans ?? mx.eventSpans(bytes);
  } catch (error) {
    release();
    throw error;
  }
  const total = found ? found.spans.length / 2 : 0;
  if (total < minEvents) {
    release();
    return taking === undefined ? whole() : session.finishParts(taking);
  }
  const workers = Math.min(threads, Math.ceil(total / sliceEvents));
  release(workers);
  while (pool.length < workers) pool.push(spawn());
  try {
    // Not begun in parts (a list too short for parts), the input is judged with the room
    // version it names (only its create event is parsed), else the session's; a version
    // given to the session wins over both (`judgeContext`).
    context = session.judgeContext(taking?.roomVersion ?? versionNamed(mx, input), backfill);
  } catch (error) {
    release();
    throw error;
  }
  if (context === undefined) {
    release();
    return taking === undefined ? whole() : session.finishParts(taking);
  }
  const slices = [];
  for (let first = 0; first < total; first += sliceEvents) {
    const spans = found.spans.slice(first * 2, Math.min(total, first + sliceEvents) * 2);
    slices.push({ first, spans, start: spans[0], end: spans[spans.length - 1] });
  }
  // Judgements come as messages, so never before this thread has begun the parts below.
  // Taken in parts, each is used as it comes and then let go (see judgeAll).
  const onJudgement = taking && ((judgement) => session.takeJudgedParts(taking, [judgement]));
  const jobs = { context, bytes, kind: found.kind, total, onProgress, onJudgement };
  const judging = judgeAll(slices, pool, jobs);
  if (taking === undefined) {
    const judgements = await judging;
    return judgements === undefined ? whole() : session.ingestJudged(input, options, judgements);
  }
  // Begun, the input is finished whatever the workers did: what no judgement covered is
  // verified here.
  await judging.catch(() => undefined);
  return session.finishParts(taking);
}

/** The room version `input` names, when one it knows (else the session judges it whole). */
function versionNamed(mx, input) {
  try {
    return mx.roomVersionOf(input);
  } catch {
    return undefined;
  }
}

/**
 * Slices each worker holds at once: the one it judges and the next, queued, so that it
 * never waits for this thread, which is busy placing parts between messages (with one, the
 * workers idled 15–25% of a 100,000-event file, 2026-12-07).
 */
const SLICES_IN_FLIGHT = 2;

/**
 * Runs every slice on the workers of `pool` (terminated at the end). With `onJudgement`,
 * calls it with each judgement as it comes (after its worker got its next slice) and keeps
 * none; without, resolves to them all, in slice order. `undefined` when a slice held
 * something else than events.
 *
 * A judgement carries the fields of its plain events (545 bytes an event on the benchmark's
 * 100,000 v12 events): kept to the end, those of a 1,000,000-event file would hold half a
 * gigabyte until the load was over. Used, its memory
 * is given back at once where `ArrayBuffer.prototype.transfer` exists (detaching it frees
 * it; browsers since 2023), else when the garbage collector comes.
 */
function judgeAll(slices, pool, { context, bytes, kind, total, onProgress, onJudgement }) {
  return new Promise((resolve, reject) => {
    const judgements = new Array(slices.length);
    let next = 0;
    let finished = 0;
    let done = 0;
    const stop = (value, error) => {
      for (const worker of pool) worker.terminate();
      pool.length = 0;
      if (error) reject(error);
      else resolve(value);
    };
    const feed = (worker) => {
      if (next >= slices.length) return;
      const i = next++;
      const { first, spans, start, end } = slices[i];
      // A copy, moved to the worker (Node's Buffer#slice would be a view of the input).
      const slice = Uint8Array.prototype.slice.call(bytes, start, end);
      worker.post({ i, context, slice, start, first, spans, kind }, [slice.buffer]);
    };
    for (const worker of pool) {
      worker.onMessage(({ i, judgement, error }) => {
        if (pool.length === 0) return;
        if (error !== undefined) return stop(undefined, new Error(error));
        if (judgement === null) return stop(undefined);
        if (!onJudgement) judgements[i] = judgement;
        done += slices[i].spans.length / 2;
        onProgress?.(done, total);
        const last = ++finished === slices.length;
        if (!last) feed(worker);
        try {
          if (onJudgement) {
            onJudgement(judgement);
            judgement.buffer.transfer?.(0);
          }
        } catch (error) {
          return stop(undefined, error);
        }
        if (last) stop(judgements);
      });
      worker.onError((error) => stop(undefined, error));
    }
    // Round by round, so that the first slices go to different workers.
    for (let round = 0; round < SLICES_IN_FLIGHT; round++) for (const worker of pool) feed(worker);
  });
}

/** What a worker does with one message: judge the slice (null when it holds other than events). */
export function judgeMessage(mx, { i, context, slice, start, first, spans, kind }) {
  try {
    const judgement = mx.judgeSlice(context, slice, start, first, spans, kind) ?? null;
    return [{ i, judgement }, judgement ? [judgement.buffer] : []];
  } catch (error) {
    return [{ i, error: String(error?.message ?? error) }, []];
  }
}
