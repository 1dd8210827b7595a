//! Rule 5.4.1: an invite made from a third-party invite
//! ([v12](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules), rule 4.3.1 before
//! v12; the token and signatures as in
//! [`m.room.member`'s `third_party_invite`](https://spec.matrix.org/v1.16/client-server-api/#mroommember)).

use super::{codes, Ctx};
use crate::canonical_json::{self, Object, Value};
use crate::crypto::keys::{parse_public_key, parse_signature};
use crate::problem::Problem;
use ed25519_dalek::Verifier;

/// Rules 5.4.1.1–5.4.1.8: the target is not banned; `content.third_party_invite.signed`
/// has `mxid` (the target) and `token`; the `m.room.third_party_invite` of that token is
/// held and was sent by this event's sender; a signature in `signed` verifies with one of
/// its public keys.
pub fn check(ctx: &Ctx, target: &str) -> Result<(), Problem> {
    let fail = |rule: &str, why: &str, against| {
        Err(ctx.reject(
            codes::THIRD_PARTY_INVITE_INVALID,
            "$.content.third_party_invite",
            rule,
            why,
            against,
        ))
    };
    let (current, member) = ctx.membership(target);
    if current == "ban" {
        return fail("5.4.1.1", "the invited user is banned", member);
    }
    let content = ctx.event.content();
    let Some(signed) = content
        .get("third_party_invite")
        .and_then(|t| t.get("signed"))
        .and_then(Value::as_object)
    else {
        return fail("5.4.1.2", "third_party_invite has no signed object", None);
    };
    let text = |key| signed.get(key).and_then(Value::as_str);
    let (Some(mxid), Some(token)) = (text("mxid"), text("token")) else {
        return fail("5.4.1.3", "signed lacks mxid or token", None);
    };
    if mxid != target {
        return fail(
            "5.4.1.4",
            &format!("signed.mxid {mxid} is not the state_key {target}"),
            None,
        );
    }
    let Some(invite) = ctx.state("m.room.third_party_invite", token) else {
        return fail(
            "5.4.1.5",
            &format!("no m.room.third_party_invite with state_key {token:?} among the auth events"),
            None,
        );
    };
    if invite.fields.sender != ctx.event.fields.sender {
        return fail(
            "5.4.1.6",
            "the sender is not the sender of the m.room.third_party_invite",
            Some(invite),
        );
    }
    if signed_by_any(signed, invite.content()) {
        return Ok(());
    }
    fail(
        "5.4.1.8",
        "no signature in signed verifies with a public key of the m.room.third_party_invite",
        Some(invite),
    )
}

/// Rule 5.4.1.7: whether any ed25519 signature in `signed.signatures` verifies, over
/// `signed` as canonical JSON without `signatures` (and `unsigned`), with `public_key` or
/// one of `public_keys[].public_key` of the invite.
fn signed_by_any(signed: &Object, invite: &Object) -> bool {
    let mut keys: Vec<&str> = invite
        .get("public_key")
        .and_then(Value::as_str)
        .into_iter()
        .collect();
    let listed = invite.get("public_keys").and_then(Value::as_array);
    keys.extend(
        listed
            .into_iter()
            .flatten()
            .filter_map(|k| k.get("public_key").and_then(Value::as_str)),
    );
    let keys: Vec<_> = keys.into_iter().filter_map(parse_public_key).collect();
    if keys.is_empty() {
        return false;
    }
    let mut bytes = Vec::with_capacity(256);
    canonical_json::write_object_except(signed, &["signatures", "unsigned"], &mut bytes);
    let signatures = signed.get("signatures").and_then(Value::as_object);
    signatures
        .into_iter()
        .flat_map(|by_server| by_server.iter())
        .filter_map(|(_, by_key)| by_key.as_object())
        .flat_map(|by_key| by_key.iter())
        .filter(|(key_id, _)| key_id.starts_with("ed25519:"))
        .filter_map(|(_, sig)| sig.as_str().and_then(parse_signature))
        .any(|sig| keys.iter().any(|key| key.verify(&bytes, &sig).is_ok()))
}
