// A progress bar on stderr while a large input is judged, drawn only when stderr is a
// terminal (nothing is written otherwise, so logs and pipes stay clean).

/**
 * `{update(done, total), end()}` drawing `label [#####-----] 42% 42,000/100,000 events`
 * on `stream` when it is a TTY, at most every 100 ms; both do nothing otherwise.
 */
export function progressBar(stream, label) {
  if (!stream?.isTTY) return { update() {}, end() {} };
  let last = 0;
  let drawn = false;
  const width = 30;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const filled = Math.round((done / total) * width);
      const percent = Math.floor((done / total) * 100);
      stream.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}% ${done.toLocaleString("en")}/${total.toLocaleString("en")} events`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write("\r\x1b[K");
      drawn = false;
    },
  };
}
