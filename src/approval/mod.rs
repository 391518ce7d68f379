//! Approval requests: a command whose decision is `approve` waits until other people have approved exactly that
//! command (DESIGN §4). This module is the state machine, and it is pure: every transition is a function of the
//! request, the actor and `now`, so it can be tested exhaustively and shared by the local store and the broker.
//!
//! ```text
//! pending ─► approved ─► executed
//!    ├─────► denied
//!    ├─────► expired
//!    └─────► cancelled      (approved ─► cancelled too, before it runs)
//! ```

pub mod store;

use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::classify::{Kind, Risk, Target};
use crate::request::Requester;

/// Where a request is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    Approved,
    Denied,
    Expired,
    Cancelled,
    Executed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Approved => "approved",
            State::Denied => "denied",
            State::Expired => "expired",
            State::Cancelled => "cancelled",
            State::Executed => "executed",
        }
    }

    /// Whether nothing can happen to the request any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::Denied | State::Expired | State::Cancelled | State::Executed
        )
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who must approve for one rule: `count` distinct people, drawn from `members` (or anyone when `None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    pub rule: String,
    pub group: Option<String>,
    pub members: Option<Vec<String>>,
    pub count: u32,
    pub allow_requester: bool,
    /// A second group whose members may also approve once the request is escalated (`escalate_to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widen_to: Option<Widening>,
}

/// The reviewers an escalation adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Widening {
    pub group: String,
    pub members: Vec<String>,
}

impl Requirement {
    fn admits(&self, person: &str) -> bool {
        self.members
            .as_ref()
            .is_none_or(|m| m.iter().any(|x| x == person))
    }
}

/// One person's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub by: String,
    pub approve: bool,
    pub reason: Option<String>,
    pub channel: String,
    pub at: Timestamp,
}

/// What the reviewer sees, and what the request is bound to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: String,
    pub state: State,
    /// The binding digest: an approval is good for exactly this command, once.
    pub digest: String,
    pub requester: Requester,
    pub reason: Option<String>,
    /// The redacted command line.
    pub command: String,
    pub cwd: String,
    pub environment: String,
    pub target: Target,
    pub kinds: Vec<Kind>,
    pub risk: Risk,
    pub objects: Vec<String>,
    pub findings: Vec<String>,
    pub rules: Vec<String>,
    pub requirements: Vec<Requirement>,
    pub votes: Vec<Vote>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// How long an approval may wait to be used.
    pub valid_for_secs: u64,
    pub approved_at: Option<Timestamp>,
    pub escalate_after_secs: Option<u64>,
    pub escalated: bool,
    pub finished_at: Option<Timestamp>,
    /// Where the request is announced (`webhook:soar`, `slack:#db`, `teams`), from the rules that asked.
    #[serde(default)]
    pub notify: Vec<String>,
    /// Who is paged when it waits too long (`pagerduty`).
    #[serde(default)]
    pub escalate: Option<String>,
    /// How each announcement and page went.
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
}

/// One outbound message about a request, and how it went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The channel (`webhook:soar`), or the page (`pagerduty:trigger`, `pagerduty:resolve`).
    pub channel: String,
    pub delivered: bool,
    pub attempts: u32,
    /// Why the last attempt failed.
    pub error: Option<String>,
    pub at: Timestamp,
    /// What the channel calls the message, to update it later (Slack: `channel/ts`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// Why a transition was refused. Each names what was wrong with the request as it stands.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{by} asked for request {id}; nobody approves their own request")]
    OwnRequest { id: String, by: String },
    #[error("{by} is not among the reviewers request {id} needs ({groups})")]
    NotEligible {
        id: String,
        by: String,
        groups: String,
    },
    #[error("{by} has already voted on request {id}")]
    AlreadyVoted { id: String, by: String },
    #[error("request {id} is {state}, not pending")]
    NotPending { id: String, state: State },
    #[error("request {id} expired at {at}")]
    Expired { id: String, at: Timestamp },
    #[error("request {id} is {state}; only an approved request runs")]
    NotApproved { id: String, state: State },
    #[error("request {id} was approved for a different command")]
    DigestMismatch { id: String },
    #[error("the approval of request {id} lapsed at {at} before it was used")]
    ApprovalLapsed { id: String, at: Timestamp },
    #[error("request {id} already ran; an approval covers one run")]
    AlreadyExecuted { id: String },
    #[error("only {requester} may cancel request {id}")]
    NotRequester { id: String, requester: String },
    #[error("a deny needs a reason")]
    ReasonRequired,
}

fn secs(d: Duration) -> jiff::SignedDuration {
    jiff::SignedDuration::from_secs(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Request {
    /// When an approved request stops being usable.
    pub fn valid_until(&self) -> Option<Timestamp> {
        self.approved_at.map(|at| {
            at.saturating_add(secs(Duration::from_secs(self.valid_for_secs)))
                .unwrap_or(at)
        })
    }

    /// Whether `person` is the requester, or (for an agent's request) the user it acts for.
    fn is_requester(&self, person: &str) -> bool {
        self.requester.user == person || self.requester.agent.as_deref() == Some(person)
    }

    /// May `person` vote at all? Never on their own request; the user an agent acts for only when every rule says
    /// `allow_requester: true`; otherwise they must be admitted by at least one requirement.
    pub fn eligibility(&self, person: &str) -> Result<(), TransitionError> {
        if self.is_requester(person) {
            let agent_user = self.requester.agent.is_some() && self.requester.user == person;
            let allowed = agent_user
                && !self.requirements.is_empty()
                && self.requirements.iter().all(|r| r.allow_requester);
            if !allowed {
                return Err(TransitionError::OwnRequest {
                    id: self.id.clone(),
                    by: person.to_string(),
                });
            }
        }
        if self.requirements.iter().any(|r| r.admits(person)) {
            Ok(())
        } else {
            let groups: Vec<&str> = self
                .requirements
                .iter()
                .filter_map(|r| r.group.as_deref())
                .collect();
            Err(TransitionError::NotEligible {
                id: self.id.clone(),
                by: person.to_string(),
                groups: groups.join(", "),
            })
        }
    }

    /// Whether every requirement has enough distinct approvers.
    pub fn satisfied(&self) -> bool {
        self.requirements.iter().all(|r| {
            let approvers = self
                .votes
                .iter()
                .filter(|v| v.approve && r.admits(&v.by))
                .count();
            approvers >= r.count as usize
        })
    }

    /// How many more approvals each rule needs, for people.
    pub fn outstanding(&self) -> Vec<(String, u32)> {
        self.requirements
            .iter()
            .filter_map(|r| {
                let have = self
                    .votes
                    .iter()
                    .filter(|v| v.approve && r.admits(&v.by))
                    .count();
                let need = (r.count as usize).saturating_sub(have);
                (need > 0).then(|| {
                    (
                        r.group.clone().unwrap_or_else(|| "anyone else".into()),
                        u32::try_from(need).unwrap_or(u32::MAX),
                    )
                })
            })
            .collect()
    }

    fn check_pending(&self, now: Timestamp) -> Result<(), TransitionError> {
        if self.state != State::Pending {
            return Err(TransitionError::NotPending {
                id: self.id.clone(),
                state: self.state,
            });
        }
        if now >= self.expires_at {
            return Err(TransitionError::Expired {
                id: self.id.clone(),
                at: self.expires_at,
            });
        }
        Ok(())
    }

    /// A vote. The first deny ends the request; the approval that meets every requirement approves it.
    pub fn vote(
        &self,
        by: &str,
        approve: bool,
        reason: Option<String>,
        channel: &str,
        now: Timestamp,
    ) -> Result<Request, TransitionError> {
        self.check_pending(now)?;
        self.eligibility(by)?;
        if self.votes.iter().any(|v| v.by == by) {
            return Err(TransitionError::AlreadyVoted {
                id: self.id.clone(),
                by: by.to_string(),
            });
        }
        if !approve && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(TransitionError::ReasonRequired);
        }
        let mut next = self.clone();
        next.votes.push(Vote {
            by: by.to_string(),
            approve,
            reason,
            channel: channel.to_string(),
            at: now,
        });
        if !approve {
            next.state = State::Denied;
            next.finished_at = Some(now);
        } else if next.satisfied() {
            next.state = State::Approved;
            next.approved_at = Some(now);
        }
        Ok(next)
    }

    /// A pending request past its expiry becomes expired. `None` when nothing changes.
    pub fn expire(&self, now: Timestamp) -> Option<Request> {
        let lapsed = match self.state {
            State::Pending => now >= self.expires_at,
            _ => false,
        };
        lapsed.then(|| {
            let mut next = self.clone();
            next.state = State::Expired;
            next.finished_at = Some(now);
            next
        })
    }

    /// The requester withdraws a request that has not run.
    pub fn cancel(&self, by: &str, now: Timestamp) -> Result<Request, TransitionError> {
        if !self.is_requester(by) {
            return Err(TransitionError::NotRequester {
                id: self.id.clone(),
                requester: self.requester.to_string(),
            });
        }
        if !matches!(self.state, State::Pending | State::Approved) {
            return Err(TransitionError::NotPending {
                id: self.id.clone(),
                state: self.state,
            });
        }
        let mut next = self.clone();
        next.state = State::Cancelled;
        next.finished_at = Some(now);
        Ok(next)
    }

    /// Uses the approval to run the command bound to `digest`: once, before the approval lapses.
    pub fn execute(&self, digest: &str, now: Timestamp) -> Result<Request, TransitionError> {
        match self.state {
            State::Approved => {}
            State::Executed => {
                return Err(TransitionError::AlreadyExecuted {
                    id: self.id.clone(),
                });
            }
            state => {
                return Err(TransitionError::NotApproved {
                    id: self.id.clone(),
                    state,
                });
            }
        }
        if self.digest != digest {
            return Err(TransitionError::DigestMismatch {
                id: self.id.clone(),
            });
        }
        if let Some(until) = self.valid_until()
            && now >= until
        {
            return Err(TransitionError::ApprovalLapsed {
                id: self.id.clone(),
                at: until,
            });
        }
        let mut next = self.clone();
        next.state = State::Executed;
        next.finished_at = Some(now);
        Ok(next)
    }

    /// What a reviewer reads, as labelled lines in order: `gate show` prints them, the web page lays them out.
    /// Each finding is a further `does` line after the first.
    pub fn summary(&self, now: Timestamp) -> Vec<(&'static str, String)> {
        let time = |t: Timestamp| t.strftime("%Y-%m-%d %H:%M:%SZ").to_string();
        let mut lines = vec![
            ("request", format!("{} ({})", self.id, self.state)),
            ("command", self.command.clone()),
            (
                "runs on",
                format!(
                    "{} in {}",
                    crate::assess::describe_target(&self.target),
                    self.environment
                ),
            ),
        ];
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.as_str()).collect();
        lines.push(("does", format!("{} ({} risk)", kinds.join(", "), self.risk)));
        lines.extend(self.findings.iter().map(|f| ("does", f.clone())));
        if !self.objects.is_empty() {
            lines.push(("objects", self.objects.join(", ")));
        }
        lines.push(("asked by", self.requester.to_string()));
        lines.push((
            "reason",
            self.reason.clone().unwrap_or_else(|| "(none given)".into()),
        ));
        lines.push(("cwd", self.cwd.clone()));
        lines.push(("rule", self.rules.join(", ")));
        let needs: Vec<String> = self
            .requirements
            .iter()
            .map(|q| {
                format!(
                    "{} from {}",
                    q.count,
                    q.group.as_deref().unwrap_or("anyone else")
                )
            })
            .collect();
        lines.push(("needs", needs.join(" and ")));
        for v in &self.votes {
            let verb = if v.approve { "approved" } else { "denied" };
            let why = v
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            lines.push((
                "vote",
                format!("{} {verb} at {} via {}{why}", v.by, time(v.at), v.channel),
            ));
        }
        let left = self.expires_at.duration_since(now);
        let expiry = if left.is_positive() {
            format!("in {}m", left.as_secs() / 60)
        } else {
            "passed".into()
        };
        lines.push(("expires", format!("{} ({expiry})", time(self.expires_at))));
        for d in &self.deliveries {
            let outcome = if d.delivered {
                "delivered".to_string()
            } else {
                format!("failed: {}", d.error.as_deref().unwrap_or("unknown error"))
            };
            let tries = if d.attempts == 1 {
                "attempt"
            } else {
                "attempts"
            };
            lines.push((
                "notified",
                format!(
                    "{} {outcome} ({} {tries}, {})",
                    d.channel,
                    d.attempts,
                    time(d.at)
                ),
            ));
        }
        lines.push(("digest", self.digest.clone()));
        lines
    }

    /// Records how a delivery went, replacing any earlier record for the same channel. `None` when that is
    /// already what the request says.
    pub fn record_delivery(&self, delivery: Delivery) -> Option<Request> {
        if self.deliveries.contains(&delivery) {
            return None;
        }
        let mut next = self.clone();
        next.deliveries.retain(|d| d.channel != delivery.channel);
        next.deliveries.push(delivery);
        Some(next)
    }

    /// Marks a pending request escalated once `escalate_after` has passed. `None` when nothing changes.
    pub fn escalate(&self, now: Timestamp) -> Option<Request> {
        let after = self.escalate_after_secs?;
        let due = self
            .created_at
            .saturating_add(secs(Duration::from_secs(after)))
            .unwrap_or(self.created_at);
        if now < due {
            return None;
        }
        self.escalate_now()
    }

    /// Escalates a pending request at once (someone pressed Escalate): marks it, and lets the second group of
    /// each rule that names one approve too. `None` when it is not pending or already escalated.
    pub fn escalate_now(&self) -> Option<Request> {
        (self.state == State::Pending && !self.escalated).then(|| {
            let mut next = self.clone();
            next.escalated = true;
            for r in &mut next.requirements {
                if let (Some(widen), Some(members)) = (&r.widen_to, &mut r.members) {
                    for m in &widen.members {
                        if !members.contains(m) {
                            members.push(m.clone());
                        }
                    }
                    r.group = Some(format!(
                        "{} or {}",
                        r.group.as_deref().unwrap_or("anyone"),
                        widen.group
                    ));
                }
            }
            next
        })
    }
}

/// A pending request by alice for tests: created at `t(0)`, expiring an hour later.
#[cfg(test)]
pub(crate) fn fixture(requirements: Vec<Requirement>) -> Request {
    Request {
        id: "01TEST".into(),
        state: State::Pending,
        digest: "sha256:a".into(),
        requester: Requester {
            user: "alice".into(),
            agent: None,
        },
        reason: Some("INC-1".into()),
        command: "pg_dump app".into(),
        cwd: "/".into(),
        environment: "production".into(),
        target: Target::default(),
        kinds: vec![Kind::DataExport],
        risk: Risk::High,
        objects: vec![],
        findings: vec![],
        rules: vec!["r".into()],
        requirements,
        votes: vec![],
        created_at: Timestamp::from_second(1_800_000_000).unwrap(),
        expires_at: Timestamp::from_second(1_800_003_600).unwrap(),
        valid_for_secs: 600,
        approved_at: None,
        escalate_after_secs: Some(60),
        escalated: false,
        finished_at: None,
        notify: vec![],
        escalate: None,
        deliveries: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    fn requirement(members: &[&str], count: u32) -> Requirement {
        Requirement {
            rule: "r".into(),
            group: Some("dba".into()),
            members: Some(members.iter().map(ToString::to_string).collect()),
            count,
            allow_requester: false,
            widen_to: None,
        }
    }

    #[test]
    fn two_of_three_needs_two_distinct_approvals() {
        let r = fixture(vec![requirement(&["alice", "bob", "carol", "dave"], 2)]);
        let r = r.vote("bob", true, None, "terminal", t(1)).unwrap();
        assert_eq!(r.state, State::Pending);
        assert_eq!(r.outstanding(), vec![("dba".to_string(), 1)]);
        assert!(matches!(
            r.vote("bob", true, None, "terminal", t(2)),
            Err(TransitionError::AlreadyVoted { .. })
        ));
        let r = r.vote("carol", true, None, "terminal", t(3)).unwrap();
        assert_eq!((r.state, r.approved_at), (State::Approved, Some(t(3))));
        assert!(matches!(
            r.vote("dave", true, None, "terminal", t(4)),
            Err(TransitionError::NotPending { .. })
        ));
    }

    #[test]
    fn nobody_approves_their_own_request() {
        let r = fixture(vec![requirement(&["alice", "bob"], 1)]);
        assert!(matches!(
            r.vote("alice", true, None, "terminal", t(1)),
            Err(TransitionError::OwnRequest { .. })
        ));
        assert!(matches!(
            r.vote("mallory", true, None, "terminal", t(1)),
            Err(TransitionError::NotEligible { .. })
        ));
        // Even allow_requester does not let a person approve their own (non-agent) request.
        let mut open = requirement(&["alice", "bob"], 1);
        open.allow_requester = true;
        let r = fixture(vec![open.clone()]);
        assert!(matches!(
            r.vote("alice", true, None, "terminal", t(1)),
            Err(TransitionError::OwnRequest { .. })
        ));
        // For an agent's request, the user it acts for may approve only when the rule allows it.
        let mut agent = fixture(vec![requirement(&["alice", "bob"], 1)]);
        agent.requester.agent = Some("claude".into());
        assert!(matches!(
            agent.vote("alice", true, None, "terminal", t(1)),
            Err(TransitionError::OwnRequest { .. })
        ));
        assert!(matches!(
            agent.vote("claude", true, None, "terminal", t(1)),
            Err(TransitionError::OwnRequest { .. })
        ));
        let mut agent = fixture(vec![open]);
        agent.requester.agent = Some("claude".into());
        assert_eq!(
            agent
                .vote("alice", true, None, "terminal", t(1))
                .unwrap()
                .state,
            State::Approved
        );
    }

    #[test]
    fn the_first_deny_ends_it_and_needs_a_reason() {
        let r = fixture(vec![requirement(&["bob", "carol"], 2)]);
        let r = r.vote("bob", true, None, "terminal", t(1)).unwrap();
        assert_eq!(
            r.vote("carol", false, None, "terminal", t(2)),
            Err(TransitionError::ReasonRequired)
        );
        let r = r
            .vote("carol", false, Some("not today".into()), "terminal", t(2))
            .unwrap();
        assert_eq!(r.state, State::Denied);
        assert!(r.execute("sha256:a", t(3)).is_err());
    }

    #[test]
    fn every_matching_rule_must_be_met() {
        let mut sec = requirement(&["dana"], 1);
        sec.group = Some("security".into());
        let r = fixture(vec![requirement(&["bob", "carol"], 1), sec]);
        let r = r.vote("bob", true, None, "terminal", t(1)).unwrap();
        assert_eq!(r.state, State::Pending, "security has not approved yet");
        let r = r.vote("dana", true, None, "terminal", t(2)).unwrap();
        assert_eq!(r.state, State::Approved);
    }

    #[test]
    fn expiry_and_execution_windows() {
        let r = fixture(vec![requirement(&["bob"], 1)]);
        assert_eq!(r.expire(t(3599)), None);
        assert_eq!(r.expire(t(3600)).unwrap().state, State::Expired);
        assert!(matches!(
            r.vote("bob", true, None, "terminal", t(3600)),
            Err(TransitionError::Expired { .. })
        ));
        let approved = r.vote("bob", true, None, "terminal", t(10)).unwrap();
        assert_eq!(
            approved.expire(t(5000)),
            None,
            "an approved request does not expire; its approval lapses"
        );
        assert!(matches!(
            approved.execute("sha256:b", t(11)),
            Err(TransitionError::DigestMismatch { .. })
        ));
        assert!(matches!(
            approved.execute("sha256:a", t(610)),
            Err(TransitionError::ApprovalLapsed { .. })
        ));
        let ran = approved.execute("sha256:a", t(609)).unwrap();
        assert_eq!(ran.state, State::Executed);
        assert!(matches!(
            ran.execute("sha256:a", t(609)),
            Err(TransitionError::AlreadyExecuted { .. })
        ));
    }

    #[test]
    fn cancel_and_escalate() {
        let r = fixture(vec![requirement(&["bob"], 1)]);
        assert!(matches!(
            r.cancel("bob", t(1)),
            Err(TransitionError::NotRequester { .. })
        ));
        assert_eq!(r.cancel("alice", t(1)).unwrap().state, State::Cancelled);
        assert!(
            r.cancel("alice", t(1))
                .unwrap()
                .cancel("alice", t(2))
                .is_err()
        );
        assert_eq!(r.escalate(t(59)), None);
        let e = r.escalate(t(60)).unwrap();
        assert!(e.escalated);
        assert_eq!(e.escalate(t(61)), None, "once");
    }

    #[test]
    fn illegal_transitions_from_every_final_state() {
        let base = fixture(vec![requirement(&["bob"], 1)]);
        for state in [
            State::Denied,
            State::Expired,
            State::Cancelled,
            State::Executed,
        ] {
            let mut r = base.clone();
            r.state = state;
            assert!(
                r.vote("bob", true, None, "terminal", t(1)).is_err(),
                "{state}"
            );
            assert!(r.cancel("alice", t(1)).is_err(), "{state}");
            assert!(r.execute("sha256:a", t(1)).is_err(), "{state}");
            assert_eq!(r.expire(t(99_999)), None, "{state}");
            assert_eq!(r.escalate(t(99_999)), None, "{state}");
            assert!(state.is_final());
        }
    }
}
