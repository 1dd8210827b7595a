//! The shape of a generated room: which server sends which event at which tick, with which
//! `prev_events` and `auth_events` — everything but the JSON.
//!
//! The room is simulated as a federation of servers, one event per tick. Each server holds
//! its own view of the room: the events delivered to it and its own forward extremities
//! (Server-Server API, "Forward extremities"), from which the `prev_events` of the events it
//! sends are taken. An event reaches the other servers one tick later, or a few ticks later
//! with probability `concurrency` — so servers that have not yet seen each other's events
//! fork the DAG, and the next event that sees both merges it. During a partition, a minority
//! of servers sees nothing of the others until the rejoin, which merges the two histories.
//!
//! Delivery is causal: an event arrives no earlier than its `prev_events` and `auth_events`,
//! so every server's view is closed under ancestry, as a real server's timeline is.
//! The shape needs no hashing or signing, so it scales to millions of events (the planner's
//! simulator uses it directly, with events named by their index).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::prng::SplitMix64;
use super::ShapeOptions;

/// A membership change, as `content.membership` of `m.room.member` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Membership {
    /// `join`: the sender joins (or rejoins) the room.
    Join,
    /// `leave`: the sender leaves the room.
    Leave,
}

/// What an event is, as far as the shape is concerned (the content is chosen when rendering).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// `m.room.create`, the root of the room.
    Create,
    /// `m.room.member` about the sender itself.
    Member(Membership),
    /// `m.room.power_levels`.
    PowerLevels,
    /// `m.room.join_rules`.
    JoinRules,
    /// `m.room.history_visibility`.
    HistoryVisibility,
    /// `m.room.name`.
    Name,
    /// `m.room.topic`.
    Topic,
    /// `m.room.message` (not state).
    Message,
    /// `m.room.redaction` of the event with the given index.
    Redaction(u32),
}

impl EventKind {
    /// Whether the event is a state event (has a `state_key`).
    pub fn is_state(self) -> bool {
        !matches!(self, EventKind::Message | EventKind::Redaction(_))
    }
}

/// A user of the room: a localpart on one of the servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeUser {
    /// Index into [`RoomShape::servers`].
    pub server: u16,
    /// The user ID's localpart.
    pub localpart: String,
}

/// One event of the shape. Other events are referred to by their index in
/// [`RoomShape::events`], which is a topological order (parents come first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeEvent {
    /// The sending server, an index into [`RoomShape::servers`].
    pub server: u16,
    /// The sender, an index into [`RoomShape::users`].
    pub sender: u32,
    /// What the event is.
    pub kind: EventKind,
    /// `prev_events`: the sending server's forward extremities when it sent the event.
    pub prev_events: Vec<u32>,
    /// `auth_events`: create, power levels, the sender's membership and, for joins, the
    /// join rules, as the sending server knew them.
    pub auth_events: Vec<u32>,
    /// `depth`: one more than the deepest of `prev_events` (the create event has depth 1).
    pub depth: u64,
}

/// A partition: from `start` (inclusive) to `end` (exclusive), the `minority` servers and
/// the others see nothing of each other's new events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition {
    /// First tick of the partition.
    pub start: u32,
    /// First tick after the rejoin.
    pub end: u32,
    /// Servers cut off from the rest.
    pub minority: Vec<u16>,
}

/// A generated room's shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomShape {
    /// Server names.
    pub servers: Vec<String>,
    /// Users; user 0 (on server 0) created the room.
    pub users: Vec<ShapeUser>,
    /// The events in topological order (event `i` was sent at tick `i`).
    pub events: Vec<ShapeEvent>,
    /// Events that no event lists in `prev_events`: the room's forward extremities.
    pub forward_extremities: Vec<u32>,
    /// The partitions that happened.
    pub partitions: Vec<Partition>,
    /// Users given power level 50 (besides the creator's 100).
    pub moderators: Vec<u32>,
}

const SERVER_NAMES: [&str; 8] = [
    "matrix.example.org",
    "chat.example.net",
    "hs.example.com",
    "talk.example.io",
    "home.example.de",
    "parlons.example.fr",
    "praat.example.nl",
    "prata.example.se",
];

const LOCALPARTS: [&str; 16] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil",
];

/// The state events that open every room, sent by the creator in this order.
const OPENING: [EventKind; 7] = [
    EventKind::Create,
    EventKind::Member(Membership::Join),
    EventKind::PowerLevels,
    EventKind::JoinRules,
    EventKind::HistoryVisibility,
    EventKind::Name,
    EventKind::Topic,
];

/// Builds the shape of a room; the same options always give the same shape.
pub fn generate_shape(options: &ShapeOptions) -> RoomShape {
    Simulation::new(options).run()
}

/// `(type, state_key)` of a state event, with the user index as the state key of members.
type StateKey = (u8, u32);

fn state_key(kind: EventKind, sender: u32) -> Option<StateKey> {
    let slot = match kind {
        EventKind::Create => 0,
        EventKind::Member(_) => return Some((1, sender)),
        EventKind::PowerLevels => 2,
        EventKind::JoinRules => 3,
        EventKind::HistoryVisibility => 4,
        EventKind::Name => 5,
        EventKind::Topic => 6,
        EventKind::Message | EventKind::Redaction(_) => return None,
    };
    Some((slot, u32::MAX))
}

/// One server's view of the room.
struct ServerView {
    /// Events delivered so far, as a bit set over event indices.
    delivered: Vec<u64>,
    /// Its forward extremities.
    extremities: Vec<u32>,
    /// Events on their way to it: `(arrival tick, index)`.
    in_flight: BinaryHeap<Reverse<(u32, u32)>>,
}

impl ServerView {
    fn knows(&self, event: u32) -> bool {
        self.delivered[(event / 64) as usize] & (1 << (event % 64)) != 0
    }

    fn deliver(&mut self, event: u32, prev_events: &[u32]) {
        self.delivered[(event / 64) as usize] |= 1 << (event % 64);
        self.extremities.retain(|e| !prev_events.contains(e));
        self.extremities.push(event);
    }
}

struct Simulation<'a> {
    options: &'a ShapeOptions,
    rng: SplitMix64,
    shape: RoomShape,
    views: Vec<ServerView>,
    /// Per event, the tick it reaches servers of group 0 and of group 1.
    arrival: Vec<[u32; 2]>,
    /// Per server, its group in the current (or last) partition.
    group: Vec<u8>,
    /// Per state key, the events that set it, in order.
    state: HashMap<StateKey, Vec<u32>>,
    joined: Vec<u32>,
    left: Vec<u32>,
    unjoined: Vec<u32>,
    redaction_tick: Option<u32>,
}

impl<'a> Simulation<'a> {
    fn new(options: &'a ShapeOptions) -> Self {
        let events = options.events.max(OPENING.len() as u32);
        let servers = options.servers.max(1);
        let mut rng = SplitMix64::derive(options.seed, 1);
        let names = (0..servers)
            .map(|k| match options.server_names.get(usize::from(k)) {
                Some(name) => name.clone(),
                None if usize::from(k) < SERVER_NAMES.len() => SERVER_NAMES[usize::from(k)].into(),
                None => format!("hs{k}.example.org"),
            })
            .collect();
        let per_server = options.users_per_server.max(1);
        let users: Vec<ShapeUser> = (0..servers)
            .flat_map(|server| (0..per_server).map(move |u| (server, u)))
            .map(|(server, u)| {
                let base = LOCALPARTS[(usize::from(server) * 5 + u as usize) % LOCALPARTS.len()];
                let localpart = if u as usize >= LOCALPARTS.len() {
                    format!("{base}{u}")
                } else {
                    base.into()
                };
                ShapeUser { server, localpart }
            })
            .collect();
        let moderators = (1..servers).map(|s| u32::from(s) * per_server).collect();
        let mut unjoined: Vec<u32> = (1..users.len() as u32).collect();
        // Shuffle so that servers join in an interleaved order.
        for i in (1..unjoined.len()).rev() {
            unjoined.swap(i, rng.index(i + 1));
        }
        let words = (events as usize).div_ceil(64);
        let views = (0..servers)
            .map(|_| ServerView {
                delivered: vec![0; words],
                extremities: Vec::new(),
                in_flight: BinaryHeap::new(),
            })
            .collect();
        let redaction_tick = options
            .redaction
            .then_some(events / 3 * 2)
            .filter(|t| *t > OPENING.len() as u32);
        Self {
            options,
            shape: RoomShape {
                servers: names,
                users,
                events: Vec::with_capacity(events as usize),
                forward_extremities: Vec::new(),
                partitions: plan_partitions(options, events, servers, &mut rng),
                moderators,
            },
            rng,
            views,
            arrival: Vec::with_capacity(events as usize),
            group: vec![0; usize::from(servers)],
            state: HashMap::new(),
            joined: vec![0],
            left: Vec::new(),
            unjoined,
            redaction_tick,
        }
    }

    fn run(mut self) -> RoomShape {
        let events = self.options.events.max(OPENING.len() as u32);
        for tick in 0..events {
            self.start_partition_at(tick);
            for view in &mut self.views {
                while let Some(Reverse((at, event))) = view.in_flight.peek().copied() {
                    if at > tick {
                        break;
                    }
                    view.in_flight.pop();
                    view.deliver(event, &self.shape.events[event as usize].prev_events);
                }
            }
            let (sender, kind) = self.choose_event(tick, events);
            self.send(tick, sender, kind);
        }
        let mut has_child = vec![false; self.shape.events.len()];
        for event in &self.shape.events {
            for &prev in &event.prev_events {
                has_child[prev as usize] = true;
            }
        }
        self.shape.forward_extremities = (0..events).filter(|&e| !has_child[e as usize]).collect();
        self.shape
    }

    fn start_partition_at(&mut self, tick: u32) {
        if let Some(partition) = self.shape.partitions.iter().find(|p| p.start == tick) {
            self.group.iter_mut().for_each(|g| *g = 0);
            for &server in &partition.minority {
                self.group[usize::from(server)] = 1;
            }
        }
    }

    /// Who sends what at `tick`.
    fn choose_event(&mut self, tick: u32, events: u32) -> (u32, EventKind) {
        if let Some(&kind) = OPENING.get(tick as usize) {
            return (0, kind);
        }
        let remaining = u64::from(events - tick);
        if !self.unjoined.is_empty() && self.rng.below(remaining) < self.unjoined.len() as u64 * 5 {
            let user = self
                .unjoined
                .swap_remove(self.rng.index(self.unjoined.len()));
            return self.join(user);
        }
        if self.redaction_tick.is_some_and(|t| tick >= t) {
            if let Some(choice) = self.redaction() {
                self.redaction_tick = None;
                return choice;
            }
        }
        if self.rng.chance(self.options.state_changes) {
            return self.state_change();
        }
        (*self.rng.pick(&self.joined), EventKind::Message)
    }

    fn join(&mut self, user: u32) -> (u32, EventKind) {
        self.left.retain(|&u| u != user);
        self.joined.push(user);
        (user, EventKind::Member(Membership::Join))
    }

    fn state_change(&mut self) -> (u32, EventKind) {
        let roll = self.rng.below(10);
        if roll < 2 && !self.left.is_empty() {
            let user = self.left[self.rng.index(self.left.len())];
            return self.join(user);
        }
        if roll < 4 && self.joined.len() > 1 {
            // Anyone but the creator (index 0 of `joined`) may leave.
            let user = self
                .joined
                .remove(1 + self.rng.index(self.joined.len() - 1));
            self.left.push(user);
            return (user, EventKind::Member(Membership::Leave));
        }
        let kinds = [
            EventKind::Name,
            EventKind::Topic,
            EventKind::PowerLevels,
            EventKind::HistoryVisibility,
        ];
        let kind = *self.rng.pick(&kinds);
        // The power levels give moderators (50) the name and topic; the power levels and
        // the history visibility need 100, which only the creator has.
        let creator_only = matches!(kind, EventKind::PowerLevels | EventKind::HistoryVisibility);
        let moderators: Vec<u32> = self
            .joined
            .iter()
            .copied()
            .filter(|u| *u == 0 || (!creator_only && self.shape.moderators.contains(u)))
            .collect();
        (*self.rng.pick(&moderators), kind)
    }

    /// A redaction of a message the sender sent, or of one its server sent.
    fn redaction(&mut self) -> Option<(u32, EventKind)> {
        let sender = *self.rng.pick(&self.joined);
        let server = self.shape.users[sender as usize].server;
        let mut fallback = None;
        for (index, event) in self.shape.events.iter().enumerate().rev().take(5000) {
            if event.kind == EventKind::Message && event.server == server {
                if event.sender == sender {
                    return Some((sender, EventKind::Redaction(index as u32)));
                }
                fallback.get_or_insert(index as u32);
            }
        }
        fallback.map(|target| (sender, EventKind::Redaction(target)))
    }

    /// The latest event setting `key` that `server` knows.
    fn current(&self, server: u16, key: StateKey) -> Option<u32> {
        let view = &self.views[usize::from(server)];
        self.state
            .get(&key)?
            .iter()
            .rev()
            .copied()
            .find(|&e| view.knows(e))
    }

    fn send(&mut self, tick: u32, sender: u32, kind: EventKind) {
        let server = self.shape.users[sender as usize].server;
        let prev_events = self.choose_prev_events(server);
        let mut auth_events = Vec::with_capacity(4);
        if kind != EventKind::Create {
            auth_events.extend(self.current(server, (0, u32::MAX)));
            auth_events.extend(self.current(server, (2, u32::MAX)));
            auth_events.extend(self.current(server, (1, sender)));
            if kind == EventKind::Member(Membership::Join) {
                auth_events.extend(self.current(server, (3, u32::MAX)));
            }
        }
        let depth = prev_events
            .iter()
            .map(|&p| self.shape.events[p as usize].depth)
            .max()
            .map_or(1, |d| d + 1);
        let arrival = self.arrival_of(tick, server, &prev_events, &auth_events);
        self.arrival.push(arrival);
        if let Some(key) = state_key(kind, sender) {
            self.state.entry(key).or_default().push(tick);
        }
        for (other, view) in self.views.iter_mut().enumerate() {
            if other == usize::from(server) {
                view.deliver(tick, &prev_events);
            } else {
                view.in_flight
                    .push(Reverse((arrival[usize::from(self.group[other])], tick)));
            }
        }
        self.shape.events.push(ShapeEvent {
            server,
            sender,
            kind,
            prev_events,
            auth_events,
            depth,
        });
    }

    /// The server's forward extremities, at most `max_prev_events` of them: the newest, and
    /// the oldest so that stale branches get merged too.
    fn choose_prev_events(&self, server: u16) -> Vec<u32> {
        let mut tips = self.views[usize::from(server)].extremities.clone();
        tips.sort_unstable();
        let max = self.options.max_prev_events.clamp(1, 20);
        if tips.len() > max {
            let oldest = tips[0];
            tips.drain(..tips.len() - max);
            if max > 1 {
                tips[0] = oldest;
            }
        }
        tips
    }

    fn arrival_of(&mut self, tick: u32, server: u16, prev: &[u32], auth: &[u32]) -> [u32; 2] {
        let events = self.options.events.max(OPENING.len() as u32);
        if tick >= events.saturating_sub(self.options.final_forks) {
            return [u32::MAX; 2];
        }
        let mut base = tick + 1;
        if self.rng.chance(self.options.concurrency) {
            let delay = self.rng.range(1, u64::from(self.options.max_delay.max(1)));
            base = base.saturating_add(delay as u32);
        }
        let partition = self
            .shape
            .partitions
            .iter()
            .find(|p| (p.start..p.end).contains(&tick));
        let own_group = self.group[usize::from(server)];
        let mut arrival = [base; 2];
        for (group, at) in arrival.iter_mut().enumerate() {
            if let Some(p) = partition.filter(|_| group != usize::from(own_group)) {
                *at =
                    (*at).max(p.end.saturating_add(
                        self.rng.below(u64::from(self.options.max_delay) + 1) as u32,
                    ));
            }
            for &parent in prev.iter().chain(auth) {
                *at = (*at).max(self.arrival[parent as usize][group]);
            }
        }
        arrival
    }
}

/// Spreads the partitions over the middle of the room, far enough apart that every event
/// of one has reached everyone before the next begins.
fn plan_partitions(
    options: &ShapeOptions,
    events: u32,
    servers: u16,
    rng: &mut SplitMix64,
) -> Vec<Partition> {
    if servers < 2 || options.partitions == 0 {
        return Vec::new();
    }
    let slot = events / (options.partitions + 2);
    let length = options.partition_length.min(slot / 2);
    let spacing = options.max_delay.saturating_mul(2) + 2;
    if length == 0 || slot < length + spacing {
        return Vec::new();
    }
    (1..=options.partitions)
        .map(|k| {
            let size = 1 + rng.below(u64::from(servers / 2)) as u16;
            let mut minority: Vec<u16> = (1..servers).collect();
            for i in (1..minority.len()).rev() {
                minority.swap(i, rng.index(i + 1));
            }
            minority.truncate(usize::from(size));
            minority.sort_unstable();
            let start = k * slot;
            Partition {
                start,
                end: start + length,
                minority,
            }
        })
        .collect()
}
