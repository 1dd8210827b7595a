//! Where each event of an input lies, so that a host can judge the events of one large input
//! on several cores (`crate::session::parallel`) without parsing anything twice to split it:
//! the scanner ([`super::scan`]) finds the events' byte ranges, and [`read_spans`] reads the
//! events of some ranges exactly as [`super::recognise`] reads them in the whole input.
//!
//! Only the shapes whose events are items of one list are split: NDJSON, a JSON array, a
//! transaction's `pdus` and a `/get_missing_events` answer's `events`. Client-API answers,
//! tardis scenarios, tab-separated rows, broken inputs (a list broken between its items
//! included) and single events are judged whole.

use super::keys::{self, KeyInput};
use super::scan::{is_one_value, skip_ws, split_array, split_object};
use super::{classify, first_line_is_value, parse_item, parse_line, tardis, Item, Origin};
use super::{Input, InputEvent, InputShape, MAX_EVENTS_PER_INPUT};
use crate::canonical_json::{self, Value};

/// How the items of an input are read, which decides how one event is parsed and where it
/// comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    /// NDJSON: one item per line.
    Lines,
    /// A JSON array of items.
    List,
    /// A federation answer's `pdus` or `events`: items judged as PDUs
    /// ([`Origin::Federation`]).
    FieldList,
}

impl SpanKind {
    /// The kind as one byte, for the blobs of `crate::session::parallel`.
    pub fn to_byte(self) -> u8 {
        match self {
            SpanKind::Lines => 1,
            SpanKind::List => 2,
            SpanKind::FieldList => 3,
        }
    }

    /// The kind of [`SpanKind::to_byte`]'s byte.
    pub fn from_byte(byte: u8) -> Option<SpanKind> {
        match byte {
            1 => Some(SpanKind::Lines),
            2 => Some(SpanKind::List),
            3 => Some(SpanKind::FieldList),
            _ => None,
        }
    }
}

/// The items of an input: how they are read and the byte range of each in the text given
/// to [`event_spans`] (a leading byte-order mark included in the offsets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSpans {
    /// How the items are read.
    pub kind: SpanKind,
    /// `(start, end)` of each item, end exclusive, in input order.
    pub spans: Vec<(usize, usize)>,
}

/// The byte range of each item of `text` when its shape is a list of items (see the
/// [module documentation](self)), else `None`. Only brackets and strings are scanned; no
/// item is parsed. Each item becomes one event of [`super::recognise`]'s, unless it holds
/// keys or an unreadable key row (the session checks that before it uses spans).
pub fn event_spans(text: &str) -> Option<EventSpans> {
    let bom = text.len() - text.strip_prefix('\u{feff}').unwrap_or(text).len();
    let body = &text[bom..];
    let b = body.as_bytes();
    let start = skip_ws(b, 0);
    let offset = |item: &str| item.as_ptr() as usize - text.as_ptr() as usize;
    let (kind, spans) = match b.get(start)? {
        b'[' if is_one_value(body) => {
            // A list broken between its items is judged whole, where the break is a problem.
            let (items, None) = split_array(body, start) else {
                return None;
            };
            let spans = items.iter().map(|i| (offset(i), offset(i) + i.len()));
            (SpanKind::List, spans.collect())
        }
        b'{' if is_one_value(body) => {
            let object = split_object(body, start);
            // A repeated key is a problem of the whole input: it is read whole.
            if tardis::is_scenario(&object) || object.repeated_key().is_some() {
                return None;
            }
            let list = object.field("pdus").or_else(|| object.field("events"))?;
            if !list.starts_with('[') {
                return None;
            }
            let (items, None) = split_array(list, 0) else {
                return None;
            };
            let spans = items.iter().map(|i| (offset(i), offset(i) + i.len()));
            (SpanKind::FieldList, spans.collect())
        }
        b'[' | b'{' if first_line_is_value(body, start) => {
            let spans = body
                .lines()
                .filter(|line| !line.trim().is_empty())
                .map(|line| (offset(line), offset(line) + line.len()));
            (SpanKind::Lines, spans.collect())
        }
        _ => return None,
    };
    let spans: Vec<(usize, usize)> = spans;
    (spans.len() <= MAX_EVENTS_PER_INPUT).then_some(EventSpans { kind, spans })
}

/// The events at `spans` of `text` (each range within `text`), read as [`super::recognise`]
/// reads the items of an input of `kind` (labels aside: they are `Event #i`); `None` when an
/// item is not an event (keys, an unreadable key row), since the spans then do not map one
/// to one onto the input's events.
pub fn read_spans(text: &str, spans: &[(usize, usize)], kind: SpanKind) -> Option<Vec<InputEvent>> {
    let mut events = Vec::with_capacity(spans.len());
    for (i, &(start, end)) in spans.iter().enumerate() {
        let item = text.get(start..end)?;
        let label = format!("Event #{i}");
        let value = match kind {
            SpanKind::Lines => {
                canonical_json::from_str(item).map_err(|e| e.to_problem("$", &label))
            }
            SpanKind::List | SpanKind::FieldList => parse_item(item, label.clone()),
        };
        match classify(value, label) {
            Item::Event(mut event) => {
                if kind == SpanKind::FieldList {
                    event.origin = Origin::Federation;
                }
                events.push(*event);
            }
            Item::Keys(_) | Item::Problem(_) => return None,
        }
    }
    Some(events)
}

/// What of `text` can name its room version: the whole input recognised, but for a list of
/// events only the items that can be an `m.room.create` (those whose text holds
/// `m.room.create` or an escape), up to the first that is one unless the text names
/// `m.room.create` again after it (a file of several rooms, whose versions may differ), so that
/// [`super::Input::room_version_named`] (which reads the first) says what it says of the
/// whole input without a 100,000-event file being parsed for it.
pub fn version_candidates(text: &str) -> super::Input {
    match event_spans(text) {
        Some(found) => version_candidates_in(text, &found),
        None => super::recognise(text),
    }
}

/// [`version_candidates`] of a list of events whose items were found already (`found`, as
/// [`event_spans`] gives them for `text`).
pub fn version_candidates_in(text: &str, found: &EventSpans) -> super::Input {
    let mut events = Vec::new();
    let mut several = None;
    for span in candidate_spans(text, &found.spans) {
        let Some(event) = read_spans(text, &[span], found.kind).and_then(|mut e| e.pop()) else {
            continue;
        };
        let create = event.value.as_ref().is_ok_and(super::is_room_create);
        events.push(event);
        // At the first create event: read on only when the text names another after it.
        if create && !*several.get_or_insert_with(|| crate::utf8::contains(&text[span.1..], CREATE))
        {
            break;
        }
    }
    super::Input {
        events,
        ..super::Input::default()
    }
}

const CREATE: &str = "m.room.create";

/// The spans of `spans` (in order, apart) whose text holds [`CREATE`] or a backslash, found
/// in one pass over `text` for each rather than a search per item (a 97 MB file: 100,000
/// searches took a quarter of a second in wasm before the workers could start). The needle
/// cannot overlap itself, so no match in the text hides one within an item.
fn candidate_spans<'a>(
    text: &'a str,
    spans: &'a [(usize, usize)],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut creates = crate::utf8::find_all(text, CREATE).peekable();
    let mut escapes = crate::utf8::find_all(text, "\\").peekable();
    spans.iter().copied().filter(move |&(start, end)| {
        while creates.next_if(|&at| at < start).is_some() {}
        while escapes.next_if(|&at| at < start).is_some() {}
        let create = creates.peek().is_some_and(|&at| at + CREATE.len() <= end);
        create || escapes.peek().is_some_and(|&at| at < end)
    })
}

/// A list of events read a part at a time, each part exactly as [`super::recognise`] reads
/// those items of the whole input (the same labels, problems, origins, keys), so that a
/// session can take a large input holding the parsed events of one part at a time. It
/// keeps where it is in the text; each call is given the text it was made for.
#[derive(Debug)]
pub struct InputParts {
    found: EventSpans,
    /// The shape a `pdus` or `events` field gives; `None` for the plain lists.
    field_shape: Option<InputShape>,
    /// A transaction's `origin`.
    origin: Option<String>,
    /// The next item to read.
    next: usize,
    /// NDJSON: the lines before byte `counted_to` (the line of the next item counts from it).
    lines: usize,
    counted_to: usize,
    /// Whether an event read so far was a database row (`event_json`).
    rows: bool,
    /// Whether any item read so far was an event.
    events: bool,
    /// The keys read so far (they decide the shape of an input of keys only).
    keys: Vec<KeyInput>,
}

impl InputParts {
    /// `text` in parts when it is a list of items ([`event_spans`]), else `None`.
    pub fn new(text: &str) -> Option<Self> {
        let found = event_spans(text)?;
        let (mut field_shape, mut origin) = (None, None);
        if found.kind == SpanKind::FieldList {
            let body = text.strip_prefix('\u{feff}').unwrap_or(text);
            let object = split_object(body, skip_ws(body.as_bytes(), 0));
            origin = object
                .field("origin")
                .and_then(|o| serde_json::from_str(o).ok());
            field_shape = Some(match object.field("pdus") {
                Some(_) => InputShape::Transaction,
                None => InputShape::GetMissingEvents,
            });
        }
        Some(InputParts {
            found,
            field_shape,
            origin,
            next: 0,
            lines: 0,
            counted_to: 0,
            rows: false,
            events: false,
            keys: Vec::new(),
        })
    }

    /// How many items the input holds.
    pub fn len(&self) -> usize {
        self.found.spans.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.found.spans.is_empty()
    }

    /// Whether every item was read.
    pub fn done(&self) -> bool {
        self.next >= self.len()
    }

    /// The index of the next item to read.
    pub fn position(&self) -> usize {
        self.next
    }

    /// Where the items lie in the text.
    pub fn spans(&self) -> &EventSpans {
        &self.found
    }

    /// The next `n` items of `text` (fewer at the end): their events, keys and problems,
    /// with the whole input's origin. Its shape is left to [`Self::shape`], known once all
    /// are read. The items `known(i)` says were read whole elsewhere (another core found
    /// them plain events: `crate::event::Plain`) are not parsed: each is an event of the
    /// timeline, with its label and a `null` value that nothing reads.
    pub fn read_but(&mut self, text: &str, n: usize, known: &dyn Fn(usize) -> bool) -> Input {
        let end = self.next.saturating_add(n).min(self.len());
        let mut input = Input {
            origin: self.origin.clone(),
            ..Input::default()
        };
        input.events.reserve_exact(end - self.next);
        for i in self.next..end {
            let (start, stop) = self.found.spans[i];
            let item = &text[start..stop];
            let label = match self.found.kind {
                SpanKind::Lines => format!("Line {}", self.line_of(text, start, stop) + 1),
                SpanKind::List | SpanKind::FieldList => format!("Event #{i}"),
            };
            let read = match (known(i), self.found.kind) {
                (true, _) => Item::Event(Box::new(InputEvent::plain(label, Ok(Value::Null)))),
                (false, SpanKind::Lines) => classify(parse_line(item, &label), label),
                (false, _) => classify(parse_item(item, label.clone()), label),
            };
            match read {
                Item::Event(mut event) => {
                    if self.found.kind == SpanKind::FieldList {
                        event.origin = Origin::Federation;
                    }
                    self.rows |= event.row_id.is_some();
                    self.events = true;
                    input.events.push(*event);
                }
                Item::Keys(keys) => {
                    self.keys.extend(keys.iter().cloned());
                    input.keys.extend(keys);
                }
                Item::Problem(problem) => input.problems.push(problem),
            }
        }
        self.next = end;
        input
    }

    /// The line (from 0) of the item at `start..stop` of `text`, counting the line breaks
    /// from the end of the last item on: an item of a list of lines holds none.
    fn line_of(&mut self, text: &str, start: usize, stop: usize) -> usize {
        let skipped = &text.as_bytes()[self.counted_to..start];
        self.lines += skipped.iter().filter(|&&b| b == b'\n').count();
        self.counted_to = stop;
        self.lines
    }

    /// The input's shape as [`super::recognise`] names it, from the items read so far.
    pub fn shape(&self) -> InputShape {
        if let Some(shape) = self.field_shape {
            return shape;
        }
        if !self.events && !self.keys.is_empty() {
            return keys::shape_of(&self.keys);
        }
        match (self.rows, self.found.kind) {
            (true, _) => InputShape::SynapseEventJson,
            (false, SpanKind::Lines) => InputShape::Ndjson,
            (false, _) => InputShape::Array,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn candidates_are_the_items_a_search_of_each_finds() {
        let text = "{\"type\":\"m.room.create\"}\n{\"a\":\"b\"}\n{\"a\":\"\\u00e9\"}\n\
                    {\"type\":\"m.room.creat\"}\n{\"x\":\"m.room.create m.room.create\"}\n{}";
        let found = super::event_spans(text).expect("a list");
        let each: Vec<(usize, usize)> = found
            .spans
            .iter()
            .copied()
            .filter(|&(s, e)| text[s..e].contains(super::CREATE) || text[s..e].contains('\\'))
            .collect();
        let once: Vec<(usize, usize)> = super::candidate_spans(text, &found.spans).collect();
        assert_eq!(once, each);
        assert_eq!(once.len(), 3);
    }
}
