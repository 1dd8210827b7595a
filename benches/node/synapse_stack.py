"""Synapse's stack on the same PDUs as the wasm benchmark: what Synapse runs on each PDU it
receives over federation, with the libraries Synapse uses (canonicaljson, signedjson,
PyNaCl), one core:

  - parse: json.loads of the PDU;
  - reference hash (the v3+ event ID): prune (redact) the event, drop `signatures` and
    `unsigned`, canonical JSON, SHA-256 (synapse.crypto.event_signing.compute_event_reference_hash);
  - content hash: the event without `hashes`, `signatures`, `unsigned`, canonical JSON,
    SHA-256, compared with `hashes.sha256` (check_event_content_hash);
  - signature: signedjson.sign.verify_signed_json on the pruned event with the sender's
    server key (synapse.federation.federation_base._check_sigs_on_pdu).

Usage: synapse_stack.py PDUS.ndjson KEYS.json  — prints one JSON object: per stage, the
CPU and wall-clock seconds it took over all events; `events`; `valid`.
The pruning below follows the redaction algorithm of room versions 11 and 12 (the
benchmark's events are v12), as Synapse's prune_event_dict does for them.
"""

import base64
import hashlib
import json
import sys
import time

from canonicaljson import encode_canonical_json
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import verify_signed_json

TOP_LEVEL = {
    "event_id", "type", "room_id", "sender", "state_key", "content", "hashes",
    "signatures", "depth", "prev_events", "auth_events", "origin_server_ts",
}
CONTENT = {
    "m.room.member": {"membership", "join_authorised_via_users_server"},
    "m.room.join_rules": {"join_rule", "allow"},
    "m.room.power_levels": {"ban", "events", "events_default", "invite", "kick", "redact",
                            "state_default", "users", "users_default"},
    "m.room.history_visibility": {"history_visibility"},
    "m.room.redaction": {"redacts"},
}


def prune(event):
    pruned = {k: v for k, v in event.items() if k in TOP_LEVEL}
    content = event.get("content", {})
    kind = event.get("type")
    if kind == "m.room.create":
        kept = dict(content)
    else:
        kept = {k: v for k, v in content.items() if k in CONTENT.get(kind, ())}
        signed = content.get("third_party_invite", {}).get("signed") if kind == "m.room.member" else None
        if signed is not None:
            kept["third_party_invite"] = {"signed": signed}
    pruned["content"] = kept
    return pruned


def reference_hash(event):
    pruned = prune(event)
    pruned.pop("signatures", None)
    pruned.pop("unsigned", None)
    digest = hashlib.sha256(encode_canonical_json(pruned)).digest()
    return "$" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def content_hash_ok(event):
    stripped = {k: v for k, v in event.items() if k not in ("hashes", "signatures", "unsigned")}
    digest = hashlib.sha256(encode_canonical_json(stripped)).digest()
    claimed = event.get("hashes", {}).get("sha256", "")
    return base64.b64encode(digest).decode().rstrip("=") == claimed


def signature_ok(event, keys):
    server = event["sender"].split(":", 1)[1]
    pruned = prune(event)
    for key_id in pruned.get("signatures", {}).get(server, {}):
        key = keys.get((server, key_id))
        if key is not None:
            try:
                verify_signed_json(pruned, server, key)
                return True
            except Exception:
                return False
    return False


def timed(name, fn, items, counts):
    """Runs fn over items; returns (name, {cpu, wall}) in seconds (CPU: this process's)."""
    cpu, wall = time.process_time(), time.perf_counter()
    true = 0
    for item in items:
        if fn(item):
            true += 1
    counts[name] = true
    return name, {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}


def main():
    pdus_path, keys_path = sys.argv[1], sys.argv[2]
    with open(pdus_path, encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    with open(keys_path, encoding="utf-8") as f:
        responses = json.load(f)
    keys = {}
    for response in responses:
        for key_id, entry in response["verify_keys"].items():
            raw = base64.b64decode(entry["key"] + "=" * (-len(entry["key"]) % 4))
            keys[(response["server_name"], key_id)] = decode_verify_key_bytes(key_id, raw)
    events = [json.loads(line) for line in lines]

    def full(line):
        event = json.loads(line)
        reference_hash(event)
        return signature_ok(event, keys) and content_hash_ok(event)

    counts = {}
    results = dict([
        timed("parse", json.loads, lines, counts),
        timed("reference_hash", reference_hash, events, counts),
        timed("content_hash", content_hash_ok, events, counts),
        timed("signature", lambda e: signature_ok(e, keys), events, counts),
        timed("full", full, lines, counts),
    ])
    results["events"] = len(lines)
    results["valid"] = counts["full"]
    print(json.dumps(results))


if __name__ == "__main__":
    main()
