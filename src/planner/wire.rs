//! A planned request as it goes on the wire: method, path with query, JSON body — the form
//! [`FederationRequest::parse`] reads back, so the network log and the contract checks see
//! exactly what was sent.

use serde::Serialize;

use super::plan::PlannedRequest;
use crate::federation::FederationRequest;

/// Percent-encodes a path segment or query value: everything but RFC 3986's unreserved
/// characters.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl PlannedRequest {
    /// `GET` or `POST`.
    pub fn method(&self) -> &'static str {
        match self.request {
            FederationRequest::GetMissingEvents(_) => "POST",
            _ => "GET",
        }
    }

    /// The path and query: `/_matrix/federation/v1/backfill/{roomId}?v=…&limit=…`,
    /// `/_matrix/federation/v1/get_missing_events/{roomId}`, or the forwards fill path
    /// on the form the request names ([`ForwardsFillPath`](crate::federation::request::ForwardsFillPath)),
    /// `/timestamp_to_event/{roomId}?ts=…&dir=…` or MSC4370 `/extremities/{roomId}`.
    pub fn path(&self) -> String {
        let room = percent_encode(self.request.room_id());
        let query = |key: &str, ids: &[String], limit: u64| {
            let mut q: Vec<String> = ids
                .iter()
                .map(|id| format!("{key}={}", percent_encode(id)))
                .collect();
            q.push(format!("limit={limit}"));
            q.join("&")
        };
        match &self.request {
            FederationRequest::Backfill(r) => format!(
                "/_matrix/federation/v1/backfill/{room}?{}",
                query("v", &r.v, r.limit)
            ),
            FederationRequest::GetMissingEvents(_) => {
                format!("/_matrix/federation/v1/get_missing_events/{room}")
            }
            FederationRequest::ForwardsFill(r) => format!(
                "/_matrix/federation/{}/forwards_fill/{room}?{}",
                r.path.prefix(),
                query("from_event_id", &r.from_event_id, r.limit)
            ),
            FederationRequest::TimestampToEvent(r) => format!(
                "/_matrix/federation/{}/timestamp_to_event/{room}?ts={}&dir={}",
                r.path.prefix(),
                r.ts,
                r.dir.as_str()
            ),
            FederationRequest::Extremities(_) => {
                format!("/_matrix/federation/unstable/org.matrix.msc4370/extremities/{room}")
            }
        }
    }

    /// The JSON body: `/get_missing_events` only, its keys in sorted order.
    pub fn body(&self) -> Option<String> {
        #[derive(Serialize)]
        struct Body<'a> {
            earliest_events: &'a [String],
            latest_events: &'a [String],
            limit: u64,
            min_depth: i64,
        }
        match &self.request {
            FederationRequest::GetMissingEvents(r) => serde_json::to_string(&Body {
                earliest_events: &r.earliest_events,
                latest_events: &r.latest_events,
                limit: r.limit,
                min_depth: r.min_depth,
            })
            .ok(),
            _ => None,
        }
    }

    /// The request line as a log shows it: `GET /_matrix/federation/v1/backfill/…`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method(), self.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::federation::request::GetMissingEventsRequest;
    use crate::planner::plan::Probe;

    #[test]
    fn the_get_missing_events_body_is_the_json_object_with_sorted_keys() {
        let r = GetMissingEventsRequest {
            room_id: "!r:x".to_owned(),
            earliest_events: vec!["$a".to_owned(), "$\"b\u{1}é".to_owned()],
            latest_events: vec![],
            limit: u64::MAX,
            min_depth: i64::MIN,
        };
        let expected = serde_json::json!({
            "earliest_events": r.earliest_events,
            "latest_events": r.latest_events,
            "limit": r.limit,
            "min_depth": r.min_depth,
        })
        .to_string();
        let planned = PlannedRequest {
            server: "x".to_owned(),
            server_index: 0,
            request: FederationRequest::GetMissingEvents(r),
            gaps: vec![],
            probe: Probe::FromChildren,
            from: vec![],
        };
        assert_eq!(planned.body(), Some(expected));
    }
}
