//! Error bodies servers send instead of an answer
//! ([spec: API standards, "Standard error response"](https://spec.matrix.org/v1.16/client-server-api/#standard-error-response),
//! [MSC3743](https://github.com/matrix-org/matrix-spec-proposals/pull/3743) for
//! `404 M_UNRECOGNIZED` on unknown endpoints).
//!
//! MSC4000 asks clients to try forwards fill on the stable path, then the unstable one, and to
//! read `404 M_UNRECOGNIZED` as "not supported" before trying another server; two unstable
//! forms are in use ([`super::request::ForwardsFillPath`]), so mxdag tries three paths. Real servers
//! also answer unknown paths with a `404` and an empty body (a proxy, or a framework default)
//! or a `400` without `errcode`; both are told apart here.

use serde_json::Value;

use super::codes;
use crate::problem::{Problem, Severity};

/// What kind of error a response is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `M_UNRECOGNIZED`: the endpoint is not implemented.
    Unrecognized,
    /// `M_INVALID_PARAM`: a parameter was rejected.
    InvalidParam,
    /// Another Matrix `errcode`.
    Other(String),
    /// An error status whose body has no `errcode`.
    NoErrcode,
    /// A 404 with an empty body.
    EmptyNotFound,
}

/// An error response: status (when known), `errcode`, `error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The HTTP status, when the caller knows it.
    pub status: Option<u16>,
    /// The `errcode` field.
    pub errcode: Option<String>,
    /// The `error` field, a human message.
    pub error: Option<String>,
    /// The classification.
    pub kind: ErrorKind,
}

impl ErrorResponse {
    /// Classifies a response as an error, or returns `None` when it is not one: a status
    /// below 400 (or none) with a body that is not an `errcode` object. An empty body counts
    /// as an error only with an error status.
    pub fn classify(status: Option<u16>, body: &str) -> Option<Self> {
        let is_error_status = status.is_some_and(|s| s >= 400);
        let trimmed = body.trim();
        if trimmed.is_empty() {
            if !is_error_status {
                return None;
            }
            let kind = if status == Some(404) {
                ErrorKind::EmptyNotFound
            } else {
                ErrorKind::NoErrcode
            };
            return Some(Self {
                status,
                errcode: None,
                error: None,
                kind,
            });
        }
        let value: Option<Value> = serde_json::from_str(trimmed).ok();
        let field = |k: &str| {
            value
                .as_ref()
                .and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let errcode = field("errcode");
        let error = field("error");
        let kind = match errcode.as_deref() {
            Some("M_UNRECOGNIZED") => ErrorKind::Unrecognized,
            Some("M_INVALID_PARAM") => ErrorKind::InvalidParam,
            Some(other) => ErrorKind::Other(other.to_owned()),
            None if is_error_status => ErrorKind::NoErrcode,
            None => return None,
        };
        Some(Self {
            status,
            errcode,
            error,
            kind,
        })
    }

    /// The finding for this error, for a request to `endpoint` (`optional`: an MSC or an
    /// unstable path, see [`FederationRequest::is_optional`](super::FederationRequest::is_optional)).
    /// `M_UNRECOGNIZED` for an optional endpoint and an empty 404 are information (the server
    /// lacks the endpoint; try another path or server); the rest are warnings (the server
    /// refused to answer).
    pub fn to_problem(&self, endpoint: &str, optional: bool) -> Problem {
        let status = self.status.map(|s| format!("{s} ")).unwrap_or_default();
        let said = self
            .error
            .as_deref()
            .map(|e| format!(" (\"{e}\")"))
            .unwrap_or_default();
        let (severity, code, message) = match &self.kind {
            // Forwards fill (MSC4000) is optional and has three paths; backfill and
            // get_missing_events are part of federation itself.
            ErrorKind::Unrecognized if endpoint == "forwards_fill" && optional => (
                Severity::Info,
                codes::ERROR_UNRECOGNIZED,
                format!("{status}M_UNRECOGNIZED: the server does not implement /{endpoint}{said}; try its other paths (MSC4000 has three: v1, org.matrix.msc4000, unstable/org.matrix.msc4000), then another server."),
            ),
            ErrorKind::Unrecognized if optional => (
                Severity::Info,
                codes::ERROR_UNRECOGNIZED,
                format!("{status}M_UNRECOGNIZED: the server does not implement /{endpoint}{said} (an MSC or unstable path, which servers may lack)."),
            ),
            ErrorKind::Unrecognized => (
                Severity::Warning,
                codes::ERROR_UNRECOGNIZED,
                format!("{status}M_UNRECOGNIZED: the server does not implement /{endpoint}{said}, which every federating server must; ask another server."),
            ),
            ErrorKind::EmptyNotFound => (
                Severity::Info,
                codes::ERROR_EMPTY_NOT_FOUND,
                format!("404 with an empty body: /{endpoint} is probably not routed on this server (no Matrix errcode)."),
            ),
            ErrorKind::InvalidParam => (
                Severity::Warning,
                codes::ERROR_INVALID_PARAM,
                format!("{status}M_INVALID_PARAM: the server rejected a parameter of /{endpoint}{said}."),
            ),
            ErrorKind::NoErrcode => (
                Severity::Warning,
                codes::ERROR_NO_ERRCODE,
                format!("{status}error without a Matrix errcode for /{endpoint}{said}."),
            ),
            ErrorKind::Other(errcode) => (
                Severity::Warning,
                codes::ERROR_OTHER,
                format!("{status}{errcode}: the server refused /{endpoint}{said}."),
            ),
        };
        Problem::new(severity, code, "$", message)
    }
}
