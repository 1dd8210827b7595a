// Compressed inputs. Large exports travel compressed (a room of 100,000 events is about
// 100 MB of NDJSON and a tenth of that gzipped), so a file may come as it was sent. It is
// recognised by its first bytes, not its name: gzip is decompressed by the host (Node's
// zlib in node/input.js, the browser's DecompressionStream in the page's worker) and the
// text inside is read as any other file; the other formats are named with the command
// that decompresses them. No DOM: Node and the page's worker share this module.

/**
 * The most bytes a decompressed input may hold: as much as Node reads of a plain file
 * (2 GiB), which is more than the most events an input may hold take (src/input).
 */
export const MAX_DECOMPRESSED = 2 ** 31 - 1;

/** First bytes of each format: none of them can begin UTF-8 text that is JSON or rows. */
const MAGIC = [
  ["gzip", [0x1f, 0x8b]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  // "BZh", the block size 1–9, then the first block's magic (π's digits).
  ["bzip2", [0x42, 0x5a, 0x68, null, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59]],
  ["zip", [0x50, 0x4b, 0x03, 0x04]],
  ["7z", [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
];

/** How many first bytes `compressionOf` needs to see. */
export const MAGIC_BYTES = Math.max(...MAGIC.map(([, magic]) => magic.length));

/**
 * The compression `head` (the first bytes of a file, at least `MAGIC_BYTES` when it has
 * them) starts, or null for none of those mxdag knows.
 */
export function compressionOf(head) {
  const matches = (magic) => magic.every((byte, i) => (byte === null ? head[i] >= 0x31 && head[i] <= 0x39 : head[i] === byte));
  return MAGIC.find(([, magic]) => head.length >= magic.length && matches(magic))?.[0] ?? null;
}

const HOW = {
  zstd: "zstd -d FILE",
  xz: "xz -dk FILE",
  bzip2: "bunzip2 -k FILE",
  "7z": "7z x FILE",
};

/** Why a file compressed as `kind` (other than gzip) is not read, and what to run. */
function notDecompressed(kind) {
  if (kind === "zip") return "is a zip archive: unzip it and give the files inside (mxdag reads plain and gzip-compressed files)";
  return `is compressed with ${kind}: decompress it first (${HOW[kind]}); mxdag reads plain and gzip-compressed files`;
}

/** Why a gzip file could not be decompressed (`reason`: the decompressor's words). */
export function brokenGzip(reason) {
  return `is gzip-compressed, but does not decompress: ${reason} (a file cut short, several gzip files joined, which browsers do not read, or not gzip after all: try gunzip -c FILE > PLAIN and give PLAIN)`;
}

/** Whether `bytes` (decompressed or not) are a tar archive: "ustar" at byte 257. */
function isTar(bytes) {
  return bytes.length > 262 && String.fromCharCode(...bytes.subarray(257, 262)) === "ustar";
}

/**
 * Why bytes that start with `head` (their first 512 at least, when there are as many) are
 * not read as they stand — another compression than gzip, or a tar archive — else null.
 * Asked of a file as read, and again of what a gzip held.
 */
export function refusal(head) {
  const kind = compressionOf(head.subarray(0, MAGIC_BYTES));
  if (kind !== null && kind !== "gzip") return notDecompressed(kind);
  return isTar(head) ? "is a tar archive: extract it (tar xf FILE) and give the files inside" : null;
}

/** Why a gzip file that decompresses past `MAX_DECOMPRESSED` is not read. */
export const TOO_LARGE = `decompresses to more than 2 GiB, more than mxdag reads of one input: split it (for NDJSON, zcat FILE | split -l 500000)`;

/** The name of a file without a compression's suffix (`scenario.json5.gz` → `scenario.json5`). */
export function withoutSuffix(name) {
  return name.replace(/\.(gz|gzip)$/i, "");
}

/**
 * The bytes a gzip `stream` (a ReadableStream of bytes: a File's or a Response's) holds,
 * through DecompressionStream, gathered once (no second copy of them), at most `max`;
 * throws an Error whose message says why (too large, broken).
 */
export async function gunzipStream(stream, max = MAX_DECOMPRESSED) {
  let length = 0;
  let tooLarge = false;
  const counted = new TransformStream({
    transform(chunk, controller) {
      length += chunk.length;
      if (length > max) {
        tooLarge = true;
        controller.error(new Error(TOO_LARGE));
      } else {
        controller.enqueue(chunk);
      }
    },
  });
  try {
    const plain = stream.pipeThrough(new DecompressionStream("gzip")).pipeThrough(counted);
    return new Uint8Array(await new Response(plain).arrayBuffer());
  } catch (error) {
    throw new Error(tooLarge ? TOO_LARGE : brokenGzip(error.message));
  }
}
