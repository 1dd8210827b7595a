#!/usr/bin/env python3
"""Makes the vectors in this folder with the libraries Synapse uses: canonicaljson, signedjson
and PyNaCl (libsodium). Run: python3 -m venv v && v/bin/pip install pynacl signedjson
canonicaljson && v/bin/python tests/vectors/make_vectors.py

- big_integers.json: a room version 5 event whose content holds 18446744073709551616 and
  -9223372036854775809, hashed, signed and given its event ID as Synapse does (content hash
  over the whole event, signature and reference hash over the redacted event), and the key
  response of its server.
- malleable_signatures.json: signatures libsodium refuses: S+L (non-canonical S), a
  small-order R, and R plus a point of order 2 (mixed order), each with what PyNaCl says.
"""
import base64
import hashlib
import json
import os

import nacl.bindings
import nacl.exceptions
import nacl.signing
from canonicaljson import encode_canonical_json
from signedjson.key import decode_signing_key_base64, encode_verify_key_base64
from signedjson.sign import sign_json

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = "big.test"
KEY_VERSION = "v1"
SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"  # the spec's test vector seed
KEY = decode_signing_key_base64("ed25519", KEY_VERSION, SEED)


def b64(data, urlsafe=False):
    text = base64.urlsafe_b64encode(data) if urlsafe else base64.b64encode(data)
    return text.decode().rstrip("=")


def redact_v1_to_v5(event):
    """The redaction algorithm of room versions 1-5."""
    keep = {"event_id", "type", "room_id", "sender", "state_key", "content", "hashes",
            "signatures", "depth", "prev_events", "prev_state", "auth_events", "origin",
            "origin_server_ts", "membership"}
    out = {k: v for k, v in event.items() if k in keep}
    content_keep = {
        "m.room.power_levels": {"ban", "events", "events_default", "kick", "redact",
                                "state_default", "users", "users_default"},
    }.get(event["type"], set())
    out["content"] = {k: v for k, v in event["content"].items() if k in content_keep}
    return out


def big_integer_event():
    event = {
        "type": "m.room.power_levels",
        "state_key": "",
        "sender": "@alice:big.test",
        "room_id": "!room:big.test",
        "origin": SERVER,
        "origin_server_ts": 1700000000000,
        "depth": 4,
        "prev_events": ["$" + "A" * 43],
        "auth_events": ["$" + "B" * 43],
        "content": {
            "users_default": 18446744073709551616,
            "events_default": -9223372036854775809,
            "events": {"m.room.name": 340282366920938463463374607431768211456},
            "note": 18446744073709551617,
        },
        "hashes": {},
        "signatures": {},
        "unsigned": {"age_ts": 1700000000000},
    }
    hashed = {k: v for k, v in event.items() if k not in ("hashes", "signatures", "unsigned")}
    event["hashes"] = {"sha256": b64(hashlib.sha256(encode_canonical_json(hashed)).digest())}
    redacted = redact_v1_to_v5(event)
    signed = sign_json(dict(redacted), SERVER, KEY)
    event["signatures"] = signed["signatures"]
    reference = {k: v for k, v in redacted.items() if k not in ("signatures", "unsigned")}
    event_id = "$" + b64(hashlib.sha256(encode_canonical_json(reference)).digest(), urlsafe=True)
    response = sign_json({
        "server_name": SERVER,
        "valid_until_ts": 4102444800000,
        "verify_keys": {"ed25519:" + KEY_VERSION: {"key": encode_verify_key_base64(KEY.verify_key)}},
        "old_verify_keys": {},
    }, SERVER, KEY)
    return {
        "room_version": "5",
        # The text as Synapse would send it: canonical JSON, exact digits.
        "event": encode_canonical_json(event).decode(),
        "event_id": event_id,
        "content_hash": event["hashes"]["sha256"],
        "key_response": encode_canonical_json(response).decode(),
    }


# The order of the group, and a point of order 2 (x = 0, y = -1) and the identity (order 1).
L = 2**252 + 27742317777372353535851937790883648493
ORDER_2 = (2**255 - 19 - 1).to_bytes(32, "little")
IDENTITY = (1).to_bytes(32, "little")


P = 2**255 - 19
D = (-121665 * pow(121666, P - 2, P)) % P


def decode_point(data):
    y = int.from_bytes(data, "little") & (2**255 - 1)
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * pow(2, (P - 1) // 4, P) % P
    if x % 2 != data[31] >> 7:
        x = P - x
    return x % P, y


def edwards_add(a, b):
    """The sum of two encoded points (the twisted Edwards addition law, a = -1)."""
    (x1, y1), (x2, y2) = decode_point(a), decode_point(b)
    t = D * x1 * x2 * y1 * y2 % P
    x3 = (x1 * y2 + x2 * y1) * pow(1 + t, P - 2, P) % P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, P - 2, P) % P
    return (y3 | ((x3 & 1) << 255)).to_bytes(32, "little")


def pynacl_accepts(public, message, signature):
    try:
        nacl.bindings.crypto_sign_open(signature + message, public)
        return True
    except nacl.exceptions.BadSignatureError:
        return False


def scalar(data):
    return int.from_bytes(data, "little")


def hram(r, public, message):
    return scalar(hashlib.sha512(r + public + message).digest()) % L


def malleable_signatures():
    sk = nacl.signing.SigningKey(base64.b64decode(SEED + "="))
    public = bytes(sk.verify_key)
    # The expanded secret scalar a (clamped first half of SHA-512 of the seed).
    h = hashlib.sha512(bytes(sk)).digest()
    a = bytearray(h[:32])
    a[0] &= 248
    a[31] &= 127
    a[31] |= 64
    a = scalar(bytes(a))
    message = b'{"mxdag":"malleable signature vectors"}'
    good = sk.sign(message).signature
    r_bytes, s = good[:32], scalar(good[32:])
    cases = [("valid", good)]
    # S + L: the same equation, a non-canonical S.
    cases.append(("s_plus_l", r_bytes + (s + L).to_bytes(32, "little")))
    # R = the identity (small order): S = k*a makes [S]B = [k]A, so R + [k]A = [S]B holds
    # with the cofactor and without it (R is the identity).
    k = hram(IDENTITY, public, message)
    cases.append(("small_order_r", IDENTITY + ((k * a) % L).to_bytes(32, "little")))
    # R = the point of order 2: [S]B = [k]A, so the cofactorless equation misses R.
    k = hram(ORDER_2, public, message)
    cases.append(("order_2_r", ORDER_2 + ((k * a) % L).to_bytes(32, "little")))
    # R = [r]B + the point of order 2 (mixed order), S = r + k*a: the equation without the
    # cofactor misses R by exactly that point; a batch whose weights are even misses it.
    r = scalar(hashlib.sha512(h[32:] + message).digest()) % L
    honest_r = nacl.bindings.crypto_scalarmult_ed25519_base_noclamp(r.to_bytes(32, "little"))
    mixed_r = edwards_add(honest_r, ORDER_2)
    k = hram(mixed_r, public, message)
    cases.append(("mixed_order_r", mixed_r + ((r + k * a) % L).to_bytes(32, "little")))
    out = []
    for name, sig in cases:
        out.append({
            "name": name,
            "signature": b64(sig),
            "pynacl_accepts": pynacl_accepts(public, message, sig),
        })
    return {
        "public_key": b64(public),
        "message": message.decode(),
        "cases": out,
    }


def write(name, data):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    write("big_integers.json", big_integer_event())
    write("malleable_signatures.json", malleable_signatures())
