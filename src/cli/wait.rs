//! The requester's side of an approval: create (or join) the request bound to this exact command, say how to
//! approve it, and wait, with a spinner on a terminal and a plain line every 30 s otherwise. An approval given
//! earlier for the identical command is used at once. Ctrl-C or SIGTERM cancels the request.

use std::time::Duration;

use jiff::Timestamp;

use super::Failure;
use super::context::Desk;
use crate::approval::{Request as Approval, Requirement, State};
use crate::approvers::Approvals;
use crate::assess::Assessment;
use crate::audit::{AuditLog, Event};
use crate::clock::Clock;
use crate::exit::{Diagnostic, Exit};
use crate::notify::{CommandNotifier, Notifier};
use crate::policy::PolicySet;
use crate::request::Request;
use crate::ui;

/// Everything the wait needs from the run.
pub struct Pending<'a> {
    pub id: &'a str,
    pub request: &'a Request,
    pub assessment: &'a Assessment,
    pub policies: &'a PolicySet,
    pub escalation: Option<Vec<String>>,
    pub log: &'a AuditLog,
    pub clock: &'a dyn Clock,
    pub no_wait: bool,
    pub json: bool,
    /// Give up waiting at this instant, as if `no_wait` (a hook has a time limit).
    pub deadline: Option<std::time::Instant>,
}

/// How a wait ended, when it did not end in an approval.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("request {id} was denied by {by}: {reason}")]
    Denied {
        id: String,
        by: String,
        reason: String,
    },
    #[error("request {id} expired before enough people approved it")]
    Expired { id: String },
    #[error("request {id} was cancelled")]
    Cancelled { id: String },
    #[error("request {id} is waiting for approval")]
    NotWaiting { id: String, command: String },
}

impl Diagnostic for WaitError {
    fn audited(&self) -> bool {
        true
    }

    fn request(&self) -> Option<String> {
        match self {
            WaitError::Denied { id, .. }
            | WaitError::Expired { id }
            | WaitError::Cancelled { id }
            | WaitError::NotWaiting { id, .. } => Some(id.clone()),
        }
    }

    fn exit(&self) -> Exit {
        match self {
            WaitError::Denied { .. } => Exit::Denied,
            WaitError::Expired { .. } | WaitError::NotWaiting { .. } => Exit::Unavailable,
            WaitError::Cancelled { .. } => Exit::Cancelled,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            WaitError::Denied { .. } => {
                "nothing ran; change the command, or talk to the reviewer".into()
            }
            WaitError::Expired { .. } => "nothing ran; run it again to ask again".into(),
            WaitError::Cancelled { .. } => "nothing ran".into(),
            WaitError::NotWaiting { id, command } => {
                format!(
                    "nothing ran yet; a reviewer approves with `gate approve {id}`, then run `{command}` again"
                )
            }
        })
    }
}

fn plus(t: Timestamp, d: Duration) -> Timestamp {
    t.saturating_add(jiff::SignedDuration::from_secs(
        i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
    ))
    .unwrap_or(t)
}

/// Builds the approval request for this run.
fn new_request(p: &Pending<'_>, now: Timestamp) -> Approval {
    let v = &p.assessment.verdict;
    let mut requirements: Vec<Requirement> = v
        .requirements
        .iter()
        .map(|r| Requirement {
            rule: r.rule.clone(),
            group: r.approvals.from.clone(),
            members: r
                .approvals
                .from
                .as_deref()
                .and_then(|g| p.policies.members(g)),
            count: r.approvals.count,
            allow_requester: r.approvals.allow_requester,
            widen_to: r
                .approvals
                .escalate_to
                .as_deref()
                .map(|g| crate::approval::Widening {
                    group: g.to_string(),
                    members: p.policies.members(g).unwrap_or_default(),
                }),
        })
        .collect();
    if requirements.is_empty() {
        // A default or `confirm` decision with no terminal: one other person.
        requirements.push(Requirement {
            rule: p.assessment.deciding_rules().join(", "),
            group: None,
            members: None,
            count: 1,
            allow_requester: false,
            widen_to: None,
        });
    }
    let c = &p.assessment.classification;
    Approval {
        id: p.id.to_string(),
        state: State::Pending,
        digest: p.assessment.digest.clone(),
        requester: p.request.requester.clone(),
        reason: p.request.reason.clone(),
        command: c.command.clone(),
        cwd: p.request.cwd.clone(),
        environment: v.environment.clone(),
        target: c.primary_target().clone(),
        kinds: c.kinds(),
        risk: c.risk(),
        objects: c
            .findings
            .iter()
            .flat_map(|f| f.objects.iter().cloned())
            .collect(),
        findings: c
            .findings
            .iter()
            .map(|f| format!("{} ({}): {}", f.kind, f.risk, f.detail))
            .collect(),
        rules: p.assessment.deciding_rules(),
        requirements,
        votes: Vec::new(),
        created_at: now,
        expires_at: plus(now, v.expires),
        valid_for_secs: v.valid_for.as_secs(),
        approved_at: None,
        escalate_after_secs: v.escalate_after.map(|d| d.as_secs()),
        notify: {
            let mut channels: Vec<String> = v
                .requirements
                .iter()
                .flat_map(|r| r.notify.clone())
                .collect();
            channels.sort();
            channels.dedup();
            channels
        },
        escalate: v.requirements.iter().find_map(|r| r.escalate.clone()),
        deliveries: Vec::new(),
        escalated: false,
        finished_at: None,
    }
}

fn json_line(p: &Pending<'_>, state: &str, request: &str, extra: serde_json::Value) {
    if p.json {
        let mut line = serde_json::json!({"event": state, "id": p.id, "request": request, "approve_with": format!("gate approve {request}")});
        if let (Some(obj), serde_json::Value::Object(more)) = (line.as_object_mut(), extra) {
            obj.extend(more);
        }
        eprintln!("{line}");
    }
}

/// Gets an approval for this command: uses one given earlier, or creates (joins) a request and waits for it.
/// Returns the approval id once this run may execute.
pub fn approval(p: &Pending<'_>, desk: &mut Desk) -> Result<String, Failure> {
    let now = p.clock.now();
    let me = &p.request.requester;
    let Desk {
        runtime,
        approvals,
        remote,
    } = desk;

    // An approval granted for exactly this command, not yet used: use it now, once.
    let open = runtime.block_on(approvals.open_for(&p.assessment.digest))?;
    for existing in open.iter().filter(|r| r.state == State::Approved) {
        if let Ok(claimed) = runtime.block_on(approvals.claim(&existing.id, &p.assessment.digest)) {
            record_execution(p, &claimed)?;
            return Ok(claimed.id);
        }
    }
    let signals = listen(runtime);
    let joined = open
        .into_iter()
        .find(|r| r.state == State::Pending && r.requester == *me && now < r.expires_at);
    let stored = match joined {
        Some(r) => runtime.block_on(approvals.get(&r.id))?,
        None => runtime.block_on(approvals.create(&new_request(p, now)))?,
    };
    let request = &stored.request;
    let id = request.id.clone();
    let needs: Vec<String> = request
        .outstanding()
        .iter()
        .map(|(g, n)| format!("{n} from {g}"))
        .collect();
    ui::say(
        "note",
        &format!(
            "request {id} needs approval ({}) by {}",
            needs.join(", "),
            request.expires_at.strftime("%Y-%m-%d %H:%M:%SZ")
        ),
    );
    eprintln!("  gate approve {id}");
    json_line(
        p,
        "pending",
        &id,
        serde_json::json!({"needs": needs, "expires_at": request.expires_at.to_string()}),
    );
    if p.no_wait {
        return Err(WaitError::NotWaiting {
            id,
            command: format!("gate run -- {}", p.assessment.classification.command),
        }
        .into());
    }
    // A broker answers a long poll the moment the request changes; the local store is read on a short timer,
    // and escalation is checked between reads.
    let patience = if *remote {
        Duration::from_secs(25)
    } else {
        Duration::from_secs(1)
    };
    wait(
        p,
        runtime,
        approvals.as_mut(),
        &id,
        stored.version,
        patience,
        signals,
    )
}

fn record_execution(p: &Pending<'_>, claimed: &Approval) -> Result<(), Failure> {
    p.log.append(
        p.clock.now(),
        &[Event::Executed {
            id: p.id.to_string(),
            request: claimed.id.clone(),
            digest: claimed.digest.clone(),
        }],
    )?;
    json_line(p, "approved", &claimed.id, serde_json::json!({}));
    Ok(())
}

/// SIGINT and SIGTERM, caught before the request is stored, so that a Ctrl-C at any moment after it exists
/// cancels it rather than leaving it pending.
struct Signals {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
}

fn listen(runtime: &tokio::runtime::Runtime) -> Signals {
    use tokio::signal::unix::{SignalKind, signal};
    let _inside = runtime.enter();
    Signals {
        interrupt: signal(SignalKind::interrupt()).ok(),
        terminate: signal(SignalKind::terminate()).ok(),
    }
}

async fn stopped(signals: &mut Signals) {
    async fn recv(s: Option<&mut tokio::signal::unix::Signal>) {
        match s {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    }
    tokio::select! {
        () = recv(signals.interrupt.as_mut()) => {}
        () = recv(signals.terminate.as_mut()) => {}
    }
}

fn wait(
    p: &Pending<'_>,
    runtime: &tokio::runtime::Runtime,
    approvals: &mut dyn Approvals,
    id: &str,
    mut version: i64,
    patience: Duration,
    mut signals: Signals,
) -> Result<String, Failure> {
    runtime.block_on(async {
        let mut waiting = ui::Waiting::start(&format!("waiting for approval of {id}"));
        let result = loop {
            let patience = match p.deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(std::time::Instant::now());
                    if left.is_zero() {
                        break Err(WaitError::NotWaiting {
                            id: id.to_string(),
                            command: format!("gate run -- {}", p.assessment.classification.command),
                        }
                        .into());
                    }
                    patience.min(left)
                }
                None => patience,
            };
            let changed = tokio::select! {
                changed = approvals.changed(id, version, patience) => Some(changed),
                () = stopped(&mut signals) => None,
            };
            let current = match changed {
                Some(Ok(current)) => current,
                Some(Err(e)) => break Err(e.into()),
                None => {
                    let now = p.clock.now();
                    let _ = approvals.cancel(id).await;
                    let _ = p.log.append(
                        now,
                        &[Event::Cancelled {
                            id: id.to_string(),
                            by: p.request.requester.user.clone(),
                        }],
                    );
                    json_line(p, "cancelled", id, serde_json::json!({}));
                    break Err(WaitError::Cancelled { id: id.to_string() }.into());
                }
            };
            version = current.version;
            let current = current.request;
            let now = p.clock.now();
            match current.state {
                State::Approved => match approvals.claim(id, &p.assessment.digest).await {
                    Ok(claimed) => break record_execution(p, &claimed).map(|()| claimed.id),
                    Err(e) => break Err(e.into()),
                },
                State::Denied => {
                    let vote = current.votes.iter().rev().find(|v| !v.approve);
                    let by = vote.map_or_else(|| "a reviewer".to_string(), |v| v.by.clone());
                    let reason = vote.and_then(|v| v.reason.clone()).unwrap_or_default();
                    json_line(
                        p,
                        "denied",
                        id,
                        serde_json::json!({"by": by, "reason": reason}),
                    );
                    break Err(WaitError::Denied {
                        id: id.to_string(),
                        by,
                        reason,
                    }
                    .into());
                }
                State::Expired => {
                    let _ = p.log.append(now, &[Event::Expired { id: id.to_string() }]);
                    json_line(p, "expired", id, serde_json::json!({}));
                    break Err(WaitError::Expired { id: id.to_string() }.into());
                }
                State::Cancelled | State::Executed => {
                    break Err(WaitError::Cancelled { id: id.to_string() }.into());
                }
                State::Pending => {}
            }
            // Only the process whose transaction marks it escalated calls the notifier: once per request.
            if let Ok(Some(escalated)) = approvals.escalate_due(id, now).await {
                escalate(p, &escalated);
            }
            let needs: Vec<String> = current
                .outstanding()
                .iter()
                .map(|(g, n)| format!("{n} from {g}"))
                .collect();
            waiting.update(&format!(
                "waiting for approval of {id}: needs {}",
                needs.join(", ")
            ));
        };
        waiting.finish();
        result
    })
}

fn escalate(p: &Pending<'_>, request: &Approval) {
    let error = match &p.escalation {
        Some(argv) => CommandNotifier { argv: argv.clone() }
            .escalate(request)
            .err()
            .map(|e| e.to_string()),
        None => Some("no escalation is configured".to_string()),
    };
    let _ = p.log.append(
        p.clock.now(),
        &[Event::Escalated {
            id: request.id.clone(),
            error,
        }],
    );
    json_line(p, "escalated", &request.id, serde_json::json!({}));
}
