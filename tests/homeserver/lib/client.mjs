// The Matrix client-server API of a loopback homeserver, over plain HTTP:
// just what the suite needs to build rooms (register, create, invite, join, send, redact).
import { createHmac } from "node:crypto";
import { send } from "./http.mjs";

let txn = 0;

/** A user logged in on one homeserver. */
export class User {
  constructor(hs, userId, accessToken) {
    this.hs = hs;
    this.userId = userId;
    this.accessToken = accessToken;
  }

  /** Registers `localpart` through Synapse's shared-secret admin registration (a server admin when `admin`). */
  static async register(hs, localpart, admin = false) {
    const url = `${hs.clientUrl}/_synapse/admin/v1/register`;
    const { nonce } = await call("GET", url);
    const password = `pw-${localpart}`;
    const mac = createHmac("sha1", hs.sharedSecret)
      .update(`${nonce}\0${localpart}\0${password}\0${admin ? "admin" : "notadmin"}`).digest("hex");
    const r = await call("POST", url, { body: { nonce, username: localpart, password, admin, mac } });
    return new User(hs, r.user_id, r.access_token);
  }

  /** A client API request as this user; throws on a non-2xx answer. */
  api(method, path, body) {
    return call(method, `${this.hs.clientUrl}/_matrix/client/v3${path}`, { body, token: this.accessToken });
  }

  /** The same request, returning the answer's body as received (text). */
  async apiText(method, path, prefix = "/_matrix/client/v3") {
    const r = await send(`${this.hs.clientUrl}${prefix}${path}`, method, { headers: { Authorization: `Bearer ${this.accessToken}` } });
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path} → ${r.status} ${r.body.slice(0, 300)}`);
    return r.body;
  }

  /** Creates a room; `options` go into the createRoom body. Returns the room ID. */
  async createRoom(options = {}) {
    const { room_id: roomId } = await this.api("POST", "/createRoom", { preset: "private_chat", ...options });
    return roomId;
  }

  /** Invites `userId`. */
  invite(roomId, userId) {
    return this.api("POST", `/rooms/${enc(roomId)}/invite`, { user_id: userId });
  }

  /** Joins `roomId` through `via` (server names; needed for v12 room IDs without a server part). */
  join(roomId, via) {
    const q = via.map((s) => `server_name=${enc(s)}`).join("&");
    return this.api("POST", `/join/${enc(roomId)}?${q}`, {});
  }

  /** Sends an `m.room.message` text; returns its event ID. */
  async say(roomId, text) {
    const { event_id: id } = await this.api("PUT",
      `/rooms/${enc(roomId)}/send/m.room.message/t${process.pid}-${++txn}`, { msgtype: "m.text", body: text });
    return id;
  }

  /** Sets a state event; returns its event ID. */
  async state(roomId, type, content, stateKey = "") {
    const { event_id: id } = await this.api("PUT", `/rooms/${enc(roomId)}/state/${enc(type)}/${enc(stateKey)}`, content);
    return id;
  }

  /** Redacts `eventId`; returns the redaction's event ID. */
  async redact(roomId, eventId, reason) {
    const { event_id: id } = await this.api("PUT",
      `/rooms/${enc(roomId)}/redact/${enc(eventId)}/r${process.pid}-${++txn}`, { reason });
    return id;
  }

  /** The room's timeline as this user sees it, newest first (`/messages?dir=b`). */
  async messages(roomId, limit = 100) {
    const r = await this.api("GET", `/rooms/${enc(roomId)}/messages?dir=b&limit=${limit}`);
    return r.chunk;
  }

  /** True once this user's server knows `eventId` and lets this user fetch it. */
  async sees(roomId, eventId) {
    try {
      await this.api("GET", `/rooms/${enc(roomId)}/event/${enc(eventId)}`);
      return true;
    } catch {
      return false;
    }
  }

  /** The rooms this user is joined to. */
  async joinedRooms() {
    return (await this.api("GET", "/joined_rooms")).joined_rooms;
  }
}

function enc(s) {
  return encodeURIComponent(s);
}

async function call(method, url, { body, token } = {}) {
  const r = await send(url, method, { content: body, headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (r.status < 200 || r.status > 299) {
    const err = new Error(`${method} ${url} → ${r.status} ${r.body.slice(0, 300)}`);
    err.status = r.status;
    throw err;
  }
  return r.json ?? {};
}
