//! Rooms of several room versions in one session or input (a server's whole `event_json`
//! table holds every room it knows): each event is judged with the version of its own room,
//! which the room's `m.room.create` names
//! ([spec: Room versions](https://spec.matrix.org/v1.16/rooms/)), in the input or as held.
//! The session's version (given, or named first) judges the events of rooms no create
//! event names; a version given by the user judges every event.

use super::{Room, RoomSession};
use crate::canonical_json::Value;
use crate::input::{is_room_create, InputEvent};
use crate::room_version::RoomVersion;

/// A room version by its identifier (`"1"` … `"12"`).
pub(super) type VersionId = Option<&'static str>;

/// The room versions the `m.room.create` events of an input name, by room.
#[derive(Clone, Debug, Default)]
pub(crate) struct NamedVersions {
    /// Rooms whose create event carries their ID (room versions 1–11), sorted by room.
    by_room: Vec<(String, &'static str)>,
    /// The version named by create events without a `room_id` (from room version 12 the
    /// room ID is the create event's reference hash, and has no server name).
    hashed: VersionId,
}

impl NamedVersions {
    /// What the create events among `events` name.
    pub fn of(events: &[InputEvent]) -> Self {
        let mut named = NamedVersions::default();
        for value in events.iter().filter_map(|e| e.value.as_ref().ok()) {
            let Some(version) = named_by_create(value) else {
                continue;
            };
            match value.get("room_id").and_then(Value::as_str) {
                Some(room) => named.by_room.push((room.to_owned(), version)),
                None => named.hashed = Some(version),
            }
        }
        crate::sort::sort(&mut named.by_room);
        named
    }

    /// The version named for `room_id`.
    fn get(&self, room_id: &str) -> VersionId {
        match self
            .by_room
            .binary_search_by(|(room, _)| room.as_str().cmp(room_id))
        {
            Ok(at) => Some(self.by_room[at].1),
            Err(_) => self.hashed.filter(|_| !room_id.contains(':')),
        }
    }
}

/// The version a create event names (`content.room_version`, "1" when absent), when mxdag
/// knows it; `None` for any other event.
fn named_by_create(value: &Value) -> VersionId {
    if !is_room_create(value) {
        return None;
    }
    let named = match value.get("content").and_then(|c| c.get("room_version")) {
        None => None,
        Some(id) => Some(id.as_str()?),
    };
    RoomVersion::from_create_content(named).map(|v| v.id)
}

impl Room {
    /// The version this room's events are judged with: its own, else `default`.
    pub(crate) fn version_or(&self, default: Option<RoomVersion>) -> Option<RoomVersion> {
        self.version.or(default)
    }
}

impl RoomSession {
    /// The rooms `named` names a version for that the session holds with another: each
    /// room, the version named and the one held.
    pub(super) fn held_otherwise(
        &self,
        named: &NamedVersions,
    ) -> Vec<(String, &'static str, &'static str)> {
        named
            .by_room
            .iter()
            .filter_map(|(room, id)| {
                let held = self.rooms[*self.by_room.get(room)?].version?.id;
                (held != *id).then(|| (room.clone(), *id, held))
            })
            .collect()
    }

    /// Whether every event of an input takes `version`: the input names no other and no
    /// room held has another (the common case, decided without a look at each event).
    pub(super) fn all_take(&self, named: &NamedVersions, version: Option<RoomVersion>) -> bool {
        let default = version.map(|v| v.id);
        let named_alike = named
            .by_room
            .iter()
            .map(|(_, v)| Some(*v))
            .chain([named.hashed]);
        let held_alike = self
            .rooms
            .iter()
            .all(|r| r.version.is_none_or(|v| Some(v.id) == default));
        self.version_given || (named_alike.flatten().all(|v| Some(v) == default) && held_alike)
    }

    /// The version each of `events` is judged with, when they are not all judged with
    /// `version`: a create event with the one it names, another event with its room's
    /// (named in the input, else as held), else `version`. `None` when all take `version`.
    pub(super) fn versions_of(
        &self,
        events: &[InputEvent],
        named: &NamedVersions,
        version: Option<RoomVersion>,
    ) -> Option<Vec<VersionId>> {
        let default = version.map(|v| v.id);
        if self.all_take(named, version) {
            return None;
        }
        let held = |room: &str| Some(self.rooms[*self.by_room.get(room)?].version?.id);
        let own = |value: &Value| {
            named_by_create(value).or_else(|| {
                let room = value.get("room_id")?.as_str()?;
                named.get(room).or_else(|| held(room))
            })
        };
        let versions: Vec<VersionId> = events
            .iter()
            .map(|e| e.value.as_ref().ok().and_then(own).or(default))
            .collect();
        versions.iter().any(|v| *v != default).then_some(versions)
    }
}
