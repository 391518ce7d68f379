//! The exit-code contract (DESIGN §6). Every failure maps to exactly one of these, so that a pipeline can tell
//! "denied" from "try later" from "the wrapped tool failed".

/// Exit statuses that gate itself produces. A command that ran passes its own status through instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// A check found a problem: a policy test mismatched, or the audit file failed verification.
    Failed = 1,
    /// Bad flags or arguments.
    Usage = 64,
    /// A bug or an environment gate cannot work in (for example an audit file it cannot write).
    Internal = 70,
    /// Expired, timed out, or no reviewer reachable: retry later.
    Unavailable = 75,
    /// Denied by policy or by a reviewer.
    Denied = 77,
    /// The policy or the configuration is invalid.
    Config = 78,
    /// The command exists but could not be executed.
    CannotRun = 126,
    /// The command was not found.
    NotFound = 127,
    /// Cancelled by Ctrl-C or SIGTERM.
    Cancelled = 130,
}

impl Exit {
    /// Every status, for the documentation and its tests.
    pub const ALL: [Exit; 9] = [
        Exit::Failed,
        Exit::Usage,
        Exit::Internal,
        Exit::Unavailable,
        Exit::Denied,
        Exit::Config,
        Exit::CannotRun,
        Exit::NotFound,
        Exit::Cancelled,
    ];

    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Whether `gate run` itself can end with this status (the others belong to `gate test` and `audit verify`).
    pub const fn from_run(self) -> bool {
        !matches!(self, Exit::Failed)
    }
}

/// What every module error tells the top level: which exit status it means, and what the user can do next.
pub trait Diagnostic: std::error::Error {
    fn exit(&self) -> Exit;
    fn hint(&self) -> Option<String>;
    /// Whether the audit already holds this outcome (a reviewer's denial, an expiry), so that it is not
    /// recorded a second time as an error.
    fn audited(&self) -> bool {
        false
    }
    /// The approval request this outcome is about, when there is one (for feedback an agent can act on).
    fn request(&self) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn all_lists_every_status_once() {
        // An exhaustive match: a new status does not compile until it has a place here and in ALL.
        let place = |e: Exit| match e {
            Exit::Failed => 0,
            Exit::Usage => 1,
            Exit::Internal => 2,
            Exit::Unavailable => 3,
            Exit::Denied => 4,
            Exit::Config => 5,
            Exit::CannotRun => 6,
            Exit::NotFound => 7,
            Exit::Cancelled => 8,
        };
        for (i, e) in Exit::ALL.iter().enumerate() {
            assert_eq!(place(*e), i, "{e:?}");
        }
    }
}
