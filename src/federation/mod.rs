//! The federation endpoints that walk a room's DAG: requests as they appear in a log,
//! reference answers a correct server gives, contract checks of real answers, and the error
//! bodies servers send instead.
//!
//! - [`/backfill`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid):
//!   [`backfill`];
//! - [`/get_missing_events`](https://spec.matrix.org/v1.16/server-server-api/#post_matrixfederationv1get_missing_eventsroomid):
//!   [`get_missing_events`];
//! - MSC4000 forwards fill (`/v1/forwards_fill` and the unstable
//!   `/org.matrix.msc4000/forwards_fill` and `/unstable/org.matrix.msc4000/forwards_fill`,
//!   [`request::ForwardsFillPath`]): [`forwards_fill`];
//! - [`/timestamp_to_event`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1timestamp_to_eventroomid)
//!   (and MSC3030's unstable path): [`timestamp_to_event`];
//! - MSC4370 `/unstable/org.matrix.msc4370/extremities`: [`extremities`] (these two answer
//!   with event IDs, not PDUs: [`FederationRequest::names_events`]);
//! - parsing a request line (and body) into a [`FederationRequest`]: [`request`];
//! - error bodies (`M_UNRECOGNIZED`, `M_INVALID_PARAM`, a 400 without `errcode`, a 404 with an
//!   empty body): [`error_body`];
//! - the contract check shared by all: [`contract`].
//!
//! The contract checks judge an answer against what the endpoint promises, not against one
//! server's habits: Synapse, Dendrite and the conduwuit family order and cap their answers
//! differently, and each of those is accepted; which one an answer matches is reported as
//! information.

pub(crate) mod answer;
pub mod backfill;
pub mod contract;
pub mod error_body;
pub mod extremities;
pub mod forwards_fill;
pub mod get_missing_events;
mod ordering;
pub mod request;
mod request_line;
pub mod response;
pub mod timestamp_to_event;

pub use contract::{check_response, reference_answer, ContractVerdict, ResponseBody};
pub use ordering::AnswerOrdering;
pub use request::{FederationRequest, ForwardsFillPath, TimestampToEventPath};
pub use response::{check_named_text, check_response_text, parse_response, ParsedResponse};

/// Problem codes raised by the federation module.
pub mod codes {
    /// The request line could not be read (no `/_matrix/federation/` path, bad escapes).
    pub const REQUEST_UNPARSABLE: &str = "request_unparsable";
    /// The path is a federation endpoint mxdag does not walk.
    pub const REQUEST_UNKNOWN_ENDPOINT: &str = "request_unknown_endpoint";
    /// A required parameter is missing or malformed (`v`, `limit`, `from_event_id`, the body
    /// of `/get_missing_events` as a whole).
    pub const REQUEST_BAD_PARAM: &str = "request_bad_param";
    /// The `/get_missing_events` body is not JSON, or its fields have the wrong types.
    pub const REQUEST_BAD_BODY: &str = "request_bad_body";
    /// The response is neither the endpoint's success shape nor an error body.
    pub const RESPONSE_SHAPE: &str = "response_shape";
    /// The answer has more events than `limit`.
    pub const OVER_LIMIT: &str = "contract_over_limit";
    /// The answer has the same event twice.
    pub const DUPLICATE_EVENT: &str = "contract_duplicate_event";
    /// An answered event belongs to another room.
    pub const WRONG_ROOM: &str = "contract_wrong_room";
    /// A backfill or get_missing_events event is provably not an ancestor of the events
    /// asked about.
    pub const NOT_AN_ANCESTOR: &str = "contract_not_an_ancestor";
    /// Whether an event is an ancestor cannot be proved from the answer plus the DAG held.
    pub const ANCESTRY_UNPROVEN: &str = "contract_ancestry_unproven";
    /// A forwards fill event is provably not a successor of `from_event_id`.
    pub const NOT_A_SUCCESSOR: &str = "contract_not_a_successor";
    /// Whether a forwards fill event is a successor cannot be proved.
    pub const SUCCESSION_UNPROVEN: &str = "contract_succession_unproven";
    /// Whether the events asked about (`v`, `from_event_id`) are part of the answer.
    pub const GIVEN_EVENTS: &str = "contract_given_events";
    /// get_missing_events returned an event of `earliest_events`.
    pub const EARLIEST_RETURNED: &str = "contract_earliest_event_returned";
    /// get_missing_events returned an event of `latest_events`.
    pub const LATEST_RETURNED: &str = "contract_latest_event_returned";
    /// get_missing_events returned events below `min_depth` (every known server ignores it).
    pub const BELOW_MIN_DEPTH: &str = "contract_below_min_depth";
    /// The answer is smaller than asked, and matches a real server's cap.
    pub const SERVER_CAP: &str = "contract_server_cap";
    /// The answer is smaller than a server holding the known DAG would give.
    pub const SHORTER_THAN_REFERENCE: &str = "contract_shorter_than_reference";
    /// Which known ordering the answer matches.
    pub const ORDERING: &str = "contract_ordering";
    /// `404 M_UNRECOGNIZED`: the server does not implement the endpoint.
    pub const ERROR_UNRECOGNIZED: &str = "error_unrecognized";
    /// `400 M_INVALID_PARAM`: the server rejected a parameter.
    pub const ERROR_INVALID_PARAM: &str = "error_invalid_param";
    /// An error status without a Matrix `errcode` in the body.
    pub const ERROR_NO_ERRCODE: &str = "error_no_errcode";
    /// A 404 with an empty body: usually a server or proxy without the endpoint.
    pub const ERROR_EMPTY_NOT_FOUND: &str = "error_empty_not_found";
    /// A `/timestamp_to_event` answer's `origin_server_ts` is on the wrong side of `ts` for
    /// `dir`.
    pub const WRONG_SIDE_OF_TS: &str = "contract_wrong_side_of_ts";
    /// A `/timestamp_to_event` answer's `origin_server_ts` differs from the held event's.
    pub const TS_MISMATCH: &str = "contract_ts_mismatch";
    /// A held event is closer to `ts` than the `/timestamp_to_event` answer (the server may
    /// not hold it).
    pub const NOT_NEAREST: &str = "contract_not_nearest";
    /// `/timestamp_to_event` answered `404 M_NOT_FOUND`: no event on that side of `ts`.
    pub const NO_EVENT_FOUND: &str = "contract_no_event_found";
    /// An event the answer names is not held: fetch it (`/event`) to check it.
    pub const EVENT_NOT_HELD: &str = "contract_event_not_held";
    /// MSC4370 `/extremities` named no event: a room has at least one forward extremity.
    pub const NO_EXTREMITIES: &str = "contract_no_extremities";
    /// An event MSC4370 `/extremities` named is listed in `prev_events` by a held event, in
    /// a DAG held without gaps: it is not a forward extremity.
    pub const NOT_AN_EXTREMITY: &str = "contract_not_an_extremity";
    /// An event MSC4370 `/extremities` named is listed in `prev_events` by a held event, but
    /// the DAG held has gaps: the server may not hold that successor.
    pub const EXTREMITY_UNPROVEN: &str = "contract_extremity_unproven";
    /// Forward extremities of the DAG held that MSC4370 `/extremities` did not name.
    pub const EXTREMITY_NOT_NAMED: &str = "contract_extremity_not_named";
    /// Any other Matrix error (`M_FORBIDDEN`, `M_NOT_FOUND`, `M_LIMIT_EXCEEDED`, ...).
    pub const ERROR_OTHER: &str = "error_other";
}
