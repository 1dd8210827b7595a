// The room the benchmarks of large room files use: the demo room's seed and servers (keys
// depend only on them, so the demo peer's notary holds this room's keys), in a shape of its
// own. A file written natively with
//   cargo run --release --example write_room -- '<DEMO_ROOM with "events": N, as JSON>' ROOM.ndjson
// holds events of these servers, whose keys the generator gives for the same seed whatever
// the number of events (`demoRoomKeys`).
import { DEMO_SERVERS } from "../pkg/node/server/demo-rooms.js";

/** The room's seed, servers and shape; `events` is what the caller asks. */
export const DEMO_ROOM = {
  seed: 4000,
  servers: 4,
  serverNames: DEMO_SERVERS,
  roomVersion: "10",
  concurrency: 0.35,
  maxPrevEvents: 4,
  partitions: 2,
};

/** The demo room's servers' key responses (`/_matrix/key/v2/server`), from `tools`. */
export function demoRoomKeys(tools) {
  return tools.generateRoom({ ...DEMO_ROOM, events: 10 }).serverKeys;
}
