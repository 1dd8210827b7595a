// Must NOT compile (tests/js/types.test.js checks that tsc reports exactly this): a misspelt
// field of a typed result, which type-checked while the API returned `any`.
import { RoomSession } from "mxdag";

const session = new RoomSession("!r:a.example", "12");
const gaps = session.gaps();
export const first: string | undefined = gaps[0]?.evnt_id;
