// The room the validation benchmarks generate (benches/node/validate.mjs,
// bad-signatures.mjs): the same as `cargo bench --bench validate`, v12, 5 servers.

/** `tools.generateRoom` options for a room of `events` events. */
export function validationRoom(events) {
  return { roomVersion: "12", events, servers: 5, usersPerServer: 4, seed: 2024, concurrency: 0.4 };
}
