//! Problems: the one shape every finding takes, `{code, path, message, severity}`.
//!
//! Codes are stable machine-readable strings (documented in `docs/problem-codes.md`); the
//! path is a JSON path into the offending event or response (`$.prev_events[3]`), and the
//! message is one human sentence naming the event, the field and the rule.

use serde::Serialize;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, breaks no rule.
    Info,
    /// Breaks a recommendation, or a rule the spec forbids enforcing in this context.
    Warning,
    /// Breaks a rule: the event or answer is not acceptable as it stands.
    Error,
}

/// One finding about an event, a response or a DAG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable machine code, e.g. `content_hash_mismatch`.
    pub code: &'static str,
    /// JSON path of the offending field, `$` for the whole value.
    pub path: String,
    /// One human sentence: which event, which field, which rule.
    pub message: String,
    /// How bad it is.
    pub severity: Severity,
}

/// Orders `problems` most severe first, keeping the order within a severity. Every caller
/// goes through this one function.
pub fn most_severe_first(problems: &mut [Problem]) {
    crate::sort::sort_by_key(problems, |p| std::cmp::Reverse(p.severity));
}

impl Problem {
    /// An error-level problem.
    pub fn error(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, path, message)
    }

    /// A warning-level problem.
    pub fn warning(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, code, path, message)
    }

    /// An informational finding.
    pub fn info(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, path, message)
    }

    /// A problem of the given severity.
    pub fn new(
        severity: Severity,
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            path: path.into(),
            message: message.into(),
            severity,
        }
    }

    /// Whether this problem is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
