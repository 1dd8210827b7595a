//! JS arguments read from their JSON text into structs by one visitor that a table of the
//! struct's fields drives, instead of a `#[derive(Deserialize)]` visitor compiled for each
//! struct (nine of them were about a twentieth of the library wasm). The reading is the
//! derive's, step for step, so what is taken and every error message (with its line and
//! column) are the same: a map's keys are matched by name (unknown ones skipped, or refused
//! where the struct denies them), a key given twice is refused before its value is read, a
//! struct may also come as an array of its fields in order, and each value is read by the
//! field type's own `Deserialize` through the same serde_json calls.

use serde::de::{
    self, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use std::fmt;

pub(crate) mod shapes;

/// A field's type.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Str,
    OptStr,
    VecStr,
    OptU64,
    OptUsize,
    OptF64,
    I64,
    U16,
    VecJson,
    /// `Option<Vec<S>>` for the struct `S` of the shape.
    OptList(&'static Shape),
}

/// A struct as its derive would read it.
pub(crate) struct Shape {
    /// The struct's name: its derive expects `struct Options`, or as an array `struct
    /// Options with 6 elements`.
    pub name: &'static str,
    /// Field names as read (after any renaming), in declaration order.
    pub names: &'static [&'static str],
    /// Their types.
    pub kinds: &'static [Kind],
    /// Bit `i` set: field `i` has no default, so it must be given.
    pub required: u32,
    /// `#[serde(deny_unknown_fields)]`.
    pub deny_unknown: bool,
}

/// A field's value.
pub(crate) enum Slot {
    Str(String),
    OptStr(Option<String>),
    VecStr(Vec<String>),
    OptU64(Option<u64>),
    OptUsize(Option<usize>),
    OptF64(Option<f64>),
    I64(i64),
    U16(u16),
    VecJson(Vec<serde_json::Value>),
    OptList(Option<Vec<Fields>>),
}

/// A struct's values, one per field of its shape, in order.
pub(crate) struct Fields(std::vec::IntoIter<Slot>);

impl Fields {
    fn next(&mut self) -> Option<Slot> {
        self.0.next()
    }

    /// The next field as a string (each reader below takes the field of its kind).
    pub fn string(&mut self) -> String {
        match self.next() {
            Some(Slot::Str(v)) => v,
            _ => String::new(),
        }
    }

    pub fn opt_string(&mut self) -> Option<String> {
        match self.next() {
            Some(Slot::OptStr(v)) => v,
            _ => None,
        }
    }

    pub fn strings(&mut self) -> Vec<String> {
        match self.next() {
            Some(Slot::VecStr(v)) => v,
            _ => Vec::new(),
        }
    }

    pub fn opt_u64(&mut self) -> Option<u64> {
        match self.next() {
            Some(Slot::OptU64(v)) => v,
            _ => None,
        }
    }

    pub fn opt_usize(&mut self) -> Option<usize> {
        match self.next() {
            Some(Slot::OptUsize(v)) => v,
            _ => None,
        }
    }

    pub fn opt_f64(&mut self) -> Option<f64> {
        match self.next() {
            Some(Slot::OptF64(v)) => v,
            _ => None,
        }
    }

    pub fn i64(&mut self) -> i64 {
        match self.next() {
            Some(Slot::I64(v)) => v,
            _ => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        match self.next() {
            Some(Slot::U16(v)) => v,
            _ => 0,
        }
    }

    pub fn json_values(&mut self) -> Vec<serde_json::Value> {
        match self.next() {
            Some(Slot::VecJson(v)) => v,
            _ => Vec::new(),
        }
    }

    pub fn opt_list(&mut self) -> Option<Vec<Fields>> {
        match self.next() {
            Some(Slot::OptList(v)) => v,
            _ => None,
        }
    }
}

impl Kind {
    /// A defaulted field's value when it is not given.
    fn default_slot(self) -> Slot {
        match self {
            Kind::Str => Slot::Str(String::new()),
            Kind::OptStr => Slot::OptStr(None),
            Kind::VecStr => Slot::VecStr(Vec::new()),
            Kind::OptU64 => Slot::OptU64(None),
            Kind::OptUsize => Slot::OptUsize(None),
            Kind::OptF64 => Slot::OptF64(None),
            Kind::I64 => Slot::I64(0),
            Kind::U16 => Slot::U16(0),
            Kind::VecJson => Slot::VecJson(Vec::new()),
            Kind::OptList(_) => Slot::OptList(None),
        }
    }
}

/// Reads `text` as the struct `shape` describes, as `serde_json::from_str` would read it.
pub(crate) fn struct_from_str(text: &str, shape: &'static Shape) -> serde_json::Result<Fields> {
    let mut de = serde_json::Deserializer::from_str(text);
    let fields = StructSeed(shape).deserialize(&mut de)?;
    de.end()?;
    Ok(fields)
}

/// Reads `text` as a list of such structs (`Vec<S>`).
pub(crate) fn list_from_str(text: &str, shape: &'static Shape) -> serde_json::Result<Vec<Fields>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let list = (&mut de).deserialize_seq(ListVisitor(shape))?;
    de.end()?;
    Ok(list)
}

/// A value of a kind: the field type's `Deserialize`.
struct KindSeed(Kind);

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = Slot;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Slot, D::Error> {
        Ok(match self.0 {
            Kind::Str => Slot::Str(String::deserialize(d)?),
            Kind::OptStr => Slot::OptStr(Option::deserialize(d)?),
            Kind::VecStr => Slot::VecStr(Vec::deserialize(d)?),
            Kind::OptU64 => Slot::OptU64(Option::deserialize(d)?),
            Kind::OptUsize => Slot::OptUsize(Option::deserialize(d)?),
            Kind::OptF64 => Slot::OptF64(Option::deserialize(d)?),
            Kind::I64 => Slot::I64(i64::deserialize(d)?),
            Kind::U16 => Slot::U16(u16::deserialize(d)?),
            Kind::VecJson => Slot::VecJson(Vec::deserialize(d)?),
            Kind::OptList(shape) => Slot::OptList(d.deserialize_option(OptListVisitor(shape))?),
        })
    }
}

/// `Option<Vec<S>>`, as serde's `Option` visitor reads it.
struct OptListVisitor(&'static Shape);

impl<'de> Visitor<'de> for OptListVisitor {
    type Value = Option<Vec<Fields>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("option")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(ListVisitor(self.0)).map(Some)
    }
}

/// `Vec<S>`, as serde's `Vec` visitor reads it.
struct ListVisitor(&'static Shape);

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<Fields>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(fields) = seq.next_element_seed(StructSeed(self.0))? {
            out.push(fields);
        }
        Ok(out)
    }
}

/// A struct: `deserialize_struct` with the visitor below.
struct StructSeed(&'static Shape);

impl<'de> DeserializeSeed<'de> for StructSeed {
    type Value = Fields;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Fields, D::Error> {
        let shape = self.0;
        d.deserialize_struct(shape.name, shape.names, StructVisitor(shape))
    }
}

struct StructVisitor(&'static Shape);

/// What the derive expects of a struct given as an array: `struct Options with 6 elements`.
struct ArrayOf(&'static Shape);

impl de::Expected for ArrayOf {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let shape = self.0;
        write!(
            f,
            "struct {} with {} elements",
            shape.name,
            shape.names.len()
        )
    }
}

impl StructVisitor {
    fn required(&self, i: usize) -> bool {
        self.0.required & (1 << i) != 0
    }
}

impl<'de> Visitor<'de> for StructVisitor {
    type Value = Fields;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "struct {}", self.0.name)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Fields, A::Error> {
        let shape = self.0;
        let mut out = Vec::with_capacity(shape.kinds.len());
        for (i, &kind) in shape.kinds.iter().enumerate() {
            match seq.next_element_seed(KindSeed(kind))? {
                Some(slot) => out.push(slot),
                None if self.required(i) => {
                    return Err(A::Error::invalid_length(i, &ArrayOf(shape)))
                }
                None => out.push(kind.default_slot()),
            }
        }
        Ok(Fields(out.into_iter()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let shape = self.0;
        let mut slots: Vec<Option<Slot>> = shape.kinds.iter().map(|_| None).collect();
        while let Some(key) = map.next_key_seed(KeySeed(shape))? {
            match key {
                Some(i) => {
                    if slots[i].is_some() {
                        return Err(A::Error::duplicate_field(shape.names[i]));
                    }
                    slots[i] = Some(map.next_value_seed(KindSeed(shape.kinds[i]))?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let mut out = Vec::with_capacity(slots.len());
        for (i, slot) in slots.into_iter().enumerate() {
            out.push(match slot {
                Some(slot) => slot,
                None if self.required(i) => return Err(A::Error::missing_field(shape.names[i])),
                None => shape.kinds[i].default_slot(),
            });
        }
        Ok(Fields(out.into_iter()))
    }
}

/// A key: the index of the field it names, `None` for a key to skip.
struct KeySeed(&'static Shape);

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        match self.0.names.iter().position(|&n| n == key) {
            Some(i) => Ok(Some(i)),
            None if self.0.deny_unknown => Err(E::unknown_field(key, self.0.names)),
            None => Ok(None),
        }
    }
}

// Native only: proptest is a native dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    //! The table-driven reading against `#[derive(Deserialize)]` on the same texts: the same
    //! values, or the same error message (line and column included).
    use super::shapes::{
        ANSWER, FILL_OPTIONS, MISSING_KEY, OUTCOME, PAGE_OPTIONS, PLANNER_OPTIONS, RECORD,
        RECORDS_ANSWER, REQUEST, SIM_OPTIONS,
    };
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    #[derive(Deserialize, Debug, PartialEq)]
    struct Options {
        room_id: String,
        servers: Vec<String>,
        #[serde(default)]
        strategy: Option<String>,
        #[serde(default)]
        limit: Option<u64>,
        #[serde(default)]
        max_round_trips: Option<u64>,
        #[serde(default)]
        parallel: Option<usize>,
    }

    fn options(mut f: Fields) -> Options {
        Options {
            room_id: f.string(),
            servers: f.strings(),
            strategy: f.opt_string(),
            limit: f.opt_u64(),
            max_round_trips: f.opt_u64(),
            parallel: f.opt_usize(),
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct PageOptions {
        #[serde(default)]
        from: Option<String>,
        #[serde(default)]
        event_id: Option<String>,
        #[serde(default)]
        ts: Option<f64>,
        #[serde(default)]
        dir: Option<String>,
        #[serde(default)]
        limit: Option<f64>,
    }

    fn page_options(mut f: Fields) -> PageOptions {
        PageOptions {
            from: f.opt_string(),
            event_id: f.opt_string(),
            ts: f.opt_f64(),
            dir: f.opt_string(),
            limit: f.opt_f64(),
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Record {
        event_id: String,
        #[serde(default)]
        prev_events: Vec<Value>,
        #[serde(default)]
        depth: i64,
        #[serde(default)]
        origin_server_ts: i64,
    }

    fn record(mut f: Fields) -> Record {
        Record {
            event_id: f.string(),
            prev_events: f.json_values(),
            depth: f.i64(),
            origin_server_ts: f.i64(),
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct JsOutcome {
        #[serde(default)]
        status: u16,
        #[serde(default)]
        errcode: Option<String>,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        events: Option<Vec<Record>>,
    }

    fn outcome(mut f: Fields) -> JsOutcome {
        JsOutcome {
            status: f.u16(),
            errcode: f.opt_string(),
            text: f.opt_string(),
            events: f.opt_list().map(|l| l.into_iter().map(record).collect()),
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Answer {
        status: u16,
        #[serde(default)]
        text: Option<String>,
    }

    fn answer(mut f: Fields) -> Answer {
        Answer {
            status: f.u16(),
            text: f.opt_string(),
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct FillOptions {
        servers: Vec<String>,
        #[serde(default)]
        strategy: Option<String>,
        #[serde(default)]
        limit: Option<u64>,
    }

    fn fill_options(mut f: Fields) -> FillOptions {
        FillOptions {
            servers: f.strings(),
            strategy: f.opt_string(),
            limit: f.opt_u64(),
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Request {
        method: String,
        path: String,
        #[serde(default)]
        body: Option<String>,
    }

    fn request(mut f: Fields) -> Request {
        Request {
            method: f.string(),
            path: f.string(),
            body: f.opt_string(),
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct SimOptions {
        #[serde(default)]
        events: Option<usize>,
        #[serde(default)]
        gaps: Option<usize>,
        #[serde(default)]
        seed: Option<u64>,
        #[serde(default)]
        width: Option<usize>,
        #[serde(default)]
        limit: Option<u64>,
        #[serde(default)]
        strategy: Option<String>,
    }

    fn sim_options(mut f: Fields) -> SimOptions {
        SimOptions {
            events: f.opt_usize(),
            gaps: f.opt_usize(),
            seed: f.opt_u64(),
            width: f.opt_usize(),
            limit: f.opt_u64(),
            strategy: f.opt_string(),
        }
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct MissingKey {
        server_name: String,
        key_id: String,
    }

    fn missing_key(mut f: Fields) -> MissingKey {
        MissingKey {
            server_name: f.string(),
            key_id: f.string(),
        }
    }

    /// `RECORDS_ANSWER`, whose struct is also named `Answer` in the messages.
    mod records {
        use super::Record;
        use serde::Deserialize;

        #[derive(Deserialize, Debug, PartialEq)]
        pub struct Answer {
            #[serde(default)]
            pub pdus: Option<Vec<Record>>,
            #[serde(default)]
            pub events: Option<Vec<Record>>,
        }
    }

    fn records_answer(mut f: Fields) -> records::Answer {
        records::Answer {
            pdus: f.opt_list().map(|l| l.into_iter().map(record).collect()),
            events: f.opt_list().map(|l| l.into_iter().map(record).collect()),
        }
    }

    /// Both readings of `text` as `T`: values or messages.
    fn same<T: for<'de> Deserialize<'de> + fmt::Debug + PartialEq>(
        text: &str,
        shape: &'static Shape,
        convert: fn(Fields) -> T,
    ) {
        let derived = serde_json::from_str::<T>(text).map_err(|e| e.to_string());
        let tabled = struct_from_str(text, shape)
            .map(convert)
            .map_err(|e| e.to_string());
        assert_eq!(tabled, derived, "{text}");
        let derived = serde_json::from_str::<Vec<T>>(text).map_err(|e| e.to_string());
        let tabled = list_from_str(text, shape)
            .map(|l| l.into_iter().map(convert).collect::<Vec<_>>())
            .map_err(|e| e.to_string());
        assert_eq!(tabled, derived, "list {text}");
    }

    fn all(text: &str) {
        same(text, &PLANNER_OPTIONS, options);
        same(text, &PAGE_OPTIONS, page_options);
        same(text, &RECORD, record);
        same(text, &OUTCOME, outcome);
        same(text, &ANSWER, answer);
        same(text, &FILL_OPTIONS, fill_options);
        same(text, &REQUEST, request);
        same(text, &SIM_OPTIONS, sim_options);
        same(text, &MISSING_KEY, missing_key);
        same(text, &RECORDS_ANSWER, records_answer);
    }

    #[test]
    fn texts_read_as_derive_reads_them() {
        let texts = [
            r#"{"room_id":"!r:x","servers":["a","b"],"limit":5,"parallel":2}"#,
            r#"{"room_id":"!r:x"}"#,
            r#"{"servers":[]}"#,
            r#"{"room_id":"!r:x","room_id":"!s:x","servers":[]}"#,
            r#"{"room_id":1,"servers":[]}"#,
            r#"{"room_id":"r","servers":[1.5]}"#,
            r#"{"room_id":"r","servers":[],"limit":-1}"#,
            r#"{"room_id":"r","servers":[],"limit":1e300}"#,
            r#"{"room_id":"r","servers":[],"limit":null,"other":{"deep":[1,2,{}]}}"#,
            r#"["r",["a"]]"#,
            r#"["r"]"#,
            r#"["r",["a"],null,3,4,5,6]"#,
            r#"[]"#,
            r#"[[]]"#,
            r#"[{}]"#,
            r#""text""#,
            r#"12"#,
            r#"-0.0"#,
            r#"true"#,
            r#"null"#,
            r#"{"from":"t","eventId":"$e","ts":1.5,"dir":"b","limit":20}"#,
            r#"{"from":"t","event_id":"$e"}"#,
            r#"{"limit":"20"}"#,
            r#"{"ts":18446744073709551616}"#,
            r#"{"event_id":"$e","prev_events":["$a",["$b",{}]],"depth":3}"#,
            r#"{"event_id":"$e","depth":9223372036854775808}"#,
            r#"{"event_id":"$e","depth":2.0}"#,
            r#"{"status":200,"events":[{"event_id":"$a"},{"event_id":"$b","depth":-4}]}"#,
            r#"{"status":200,"events":[{"depth":1}]}"#,
            r#"{"status":200,"events":null}"#,
            r#"{"status":200,"events":{}}"#,
            r#"{"status":70000}"#,
            r#"{"status":"200"}"#,
            r#"{"text":"body"}"#,
            "{\n  \"status\": 404,\n  \"errcode\": 4\n}",
            r#"{"status":200} x"#,
            r#"{"status":200,}"#,
            r#"{"status":200"#,
            r#"{"st\u0061tus":201}"#,
            r#"{"status":200,"text":"\ud800"}"#,
            r#"[{"event_id":"$a"},{"event_id":"$b"}]"#,
            r#"{"servers":["a"],"strategy":"bfs","limit":3}"#,
            r#"{"method":"GET","path":"/x","body":null}"#,
            r#"{"method":"GET","path":"/x","body":"{}","method":"PUT"}"#,
            r#"{"server_name":"s","key_id":"ed25519:a"}"#,
            r#"{"server_name":"s"}"#,
            r#"{"events":10,"gaps":2,"seed":1,"width":3,"limit":-1}"#,
            r#"{"pdus":[{"event_id":"$a"}],"events":[{"depth":1}]}"#,
            r#"[{"status":1},["r",["s"]]]"#,
            "",
            " ",
            "{",
            "[",
        ];
        for text in texts {
            all(text);
        }
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            (0u16..700).prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            "[a-z$!]{0,4}".prop_map(Value::String),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        // Every key a shape reads, and one none does.
        let shapes = [
            &PLANNER_OPTIONS,
            &PAGE_OPTIONS,
            &RECORD,
            &OUTCOME,
            &ANSWER,
            &FILL_OPTIONS,
            &REQUEST,
            &SIM_OPTIONS,
            &MISSING_KEY,
            &RECORDS_ANSWER,
        ];
        let mut names: Vec<&str> = shapes
            .iter()
            .flat_map(|s| s.names.iter().copied())
            .collect();
        names.sort_unstable();
        names.dedup();
        names.push("other");
        let keys = prop::sample::select(names);
        leaf().prop_recursive(4, 24, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((keys.clone(), inner), 0..7).prop_map(|entries| {
                    // Written by hand below, so keys may repeat.
                    Value::Array(
                        entries
                            .into_iter()
                            .map(|(k, v)| json!({ "k": k, "v": v }))
                            .collect(),
                    )
                    .pipe_object()
                }),
            ]
        })
    }

    /// Marks an array of `{k, v}` as an object to write with its keys in order, repeats
    /// kept.
    trait PipeObject {
        fn pipe_object(self) -> Value;
    }

    impl PipeObject for Value {
        fn pipe_object(self) -> Value {
            json!({ "\u{0}object": self })
        }
    }

    /// JSON text of a generated value (objects from their `{k, v}` lists), compact or
    /// spread over lines.
    fn write(value: &Value, pretty: bool, out: &mut String) {
        let nl = |out: &mut String| {
            if pretty {
                out.push_str("\n ");
            }
        };
        match value {
            Value::Object(o) if o.contains_key("\u{0}object") => {
                out.push('{');
                if let Some(Value::Array(entries)) = o.get("\u{0}object") {
                    for (i, e) in entries.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        nl(out);
                        out.push_str(&serde_json::to_string(&e["k"]).unwrap());
                        out.push(':');
                        write(&e["v"], pretty, out);
                    }
                }
                nl(out);
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    nl(out);
                    write(item, pretty, out);
                }
                out.push(']');
            }
            other => out.push_str(&serde_json::to_string(other).unwrap()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn generated_texts_read_as_derive_reads_them(
            value in value(),
            pretty in any::<bool>(),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut text = String::new();
            write(&value, pretty, &mut text);
            all(&text);
            // And cut short, or followed by more.
            let mut end = cut.index(text.len() + 1);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            all(&text[..end]);
            all(&format!("{text} 1"));
        }
    }
}
