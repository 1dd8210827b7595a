// The room the benchmarks of large room files use: the demo room's seed and servers (keys
// depend only on them, so the demo peer's notary holds this room's keys), in a shape of its
// own. A file written natively with
//   cargo run --release --example write_room -- '<DEMO_ROOM with "events": N, as JSON>' ROOM.ndjson
// holds events of these servers, signed with the keys the demo peer serves
// (`buildDemoRooms(…).serverKeys`, node/server/demo-rooms.js).
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

