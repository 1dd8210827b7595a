// Asking the page from the worker: every network request goes through the page (its source,
// its network log), so the worker asks for what it needs — a planned request sent, or keys
// fetched — and waits for the reply. Messages out: {seq, ask: {n, ...}}; in: {reply: n, ...}.

let asks = 0;
const waiting = new Map();

/** A reply from the page to one of our asks. */
export function answerAsk(m) {
  waiting.get(m.reply)?.(m);
  waiting.delete(m.reply);
}

/** Asks the page (`post` sends a message for the current operation); resolves to the reply. */
export function ask(post, payload) {
  const n = ++asks;
  return new Promise((resolve) => {
    waiting.set(n, resolve);
    post({ ask: { n, ...payload } });
  });
}
