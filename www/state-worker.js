// The worker's side of the state panel (state-panel.js): the state before or after an
// event, its auth chain, and the diff of the states at two events, from the session's
// `stateAt` and `authChain` (src/js/session.rs). An event whose state is not known (not
// held, or a gap under it: `auth_unknown`) gives `{error, code}` rather than a guess.

/** `fn()`'s value, or `{error, code}` from the session's error. */
function attempt(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: String(e?.message ?? e), code: e?.code ?? null };
  }
}

/** `type` and `state_key` as one key. */
const keyOf = (e) => JSON.stringify([e.type, e.state_key]);

/**
 * The state `at` ("before" | "after") event `id`, and its auth chain as event IDs (the
 * page maps them to node indices once, into a bitset the canvas reads per visible row).
 */
export function stateOf(engine, id, at) {
  const state = attempt(() => engine.session.stateAt(id, at));
  const chain = attempt(() => engine.session.authChain(id));
  return {
    id,
    at,
    entries: state.value ?? null,
    error: state.error ?? null,
    code: state.code ?? null,
    authChain: chain.value ?? [],
  };
}

/**
 * The state `at` event `b` against the state `at` event `a`: entries `added` (in b only),
 * `removed` (in a only) and `changed` (same type and state key, another event), each list
 * sorted by type then state key as the session sorts.
 */
export function stateDiff(engine, a, b, at) {
  const sa = attempt(() => engine.session.stateAt(a, at));
  const sb = attempt(() => engine.session.stateAt(b, at));
  const failed = sa.error ? { ...sa, of: a } : sb.error ? { ...sb, of: b } : null;
  if (failed) return { a, b, at, error: failed.error, code: failed.code, of: failed.of };
  const before = new Map(sa.value.map((e) => [keyOf(e), e]));
  const added = [];
  const changed = [];
  for (const e of sb.value) {
    const old = before.get(keyOf(e));
    if (!old) added.push(e);
    else if (old.event_id !== e.event_id) changed.push({ type: e.type, state_key: e.state_key, from: old.event_id, to: e.event_id });
    before.delete(keyOf(e));
  }
  return { a, b, at, added, removed: [...before.values()], changed, error: null };
}
