//! What the audit trail records. Each event is one state change of one request; the field names are what
//! `gate audit --json` prints and what other tools may read, so they only ever grow.

use serde::{Deserialize, Serialize};

use crate::classify::{Kind, Risk, Target};
use crate::policy::Decision;

/// One state change. A handful are built per run and each is serialised once, so the size of the largest
/// variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A command was asked for. Everything here is already redacted.
    Requested {
        id: String,
        user: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        agent: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reason: Option<String>,
        cwd: String,
        command: String,
        kinds: Vec<Kind>,
        risk: Risk,
        environment: String,
        target: Target,
        digest: String,
        /// `sha256:…` of the stdin gate read and handed on, when it read any.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        stdin: Option<String>,
        /// The agent's session (a Claude Code `session_id`), when a hook asked.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        session: Option<String>,
        policy: String,
    },
    /// A decision was reached: by the policy, or by a person.
    Decided {
        id: String,
        decision: Decision,
        /// `policy`, or the account of the person who decided.
        by: String,
        /// Where the decision came from: `policy`, `terminal`, …
        channel: String,
        rules: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        message: Option<String>,
    },
    /// The command ran and ended.
    Exited {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        status: Option<i32>,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        signal: Option<i32>,
        /// What gate itself exited with.
        exit: u8,
        duration_ms: u64,
    },
    /// Something failed; the command did not run (or its end could not be observed).
    Error {
        #[serde(skip_serializing_if = "Option::is_none", default)]
        id: Option<String>,
        exit: u8,
        message: String,
    },
    /// A request was cancelled before it ran.
    Cancelled { id: String, by: String },
    /// A reviewer voted on a request.
    Voted {
        id: String,
        by: String,
        approve: bool,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        reason: Option<String>,
        channel: String,
        digest: String,
    },
    /// An approval was used: the run `id` executes approved request `request`.
    Executed {
        id: String,
        request: String,
        digest: String,
    },
    /// A pending request ran out of time.
    Expired { id: String },
    /// A request waited past `escalate_after` and the escalation notifier was called.
    Escalated {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        error: Option<String>,
    },
    /// A crash left a partial line; this record seals it into the chain so it is never silently lost.
    Sealed {
        torn_bytes: u64,
        torn_digest: String,
    },
}

impl Event {
    pub fn id(&self) -> Option<&str> {
        match self {
            Event::Requested { id, .. }
            | Event::Decided { id, .. }
            | Event::Exited { id, .. }
            | Event::Cancelled { id, .. }
            | Event::Voted { id, .. }
            | Event::Executed { id, .. }
            | Event::Expired { id }
            | Event::Escalated { id, .. } => Some(id),
            Event::Error { id, .. } => id.as_deref(),
            Event::Sealed { .. } => None,
        }
    }
}
