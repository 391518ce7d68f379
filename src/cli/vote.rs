//! `gate approve ID` and `gate deny ID --reason`: a reviewer's vote, as the OS account that runs it.

use crate::clock::{Clock as _, SystemClock};
use std::path::Path;

use super::context::{Desk, audit_log, open_desk, ship_audit};
use crate::approval::State;
use crate::audit::Event;
use crate::policy::Decision;

/// Approve a request
#[derive(clap::Args, Debug)]
pub struct ApproveArgs {
    /// The request id (any unique prefix)
    id: String,
    /// Why (kept in the audit)
    #[arg(long)]
    reason: Option<String>,
}

/// Deny a request; the requester sees your reason
#[derive(clap::Args, Debug)]
pub struct DenyArgs {
    /// The request id (any unique prefix)
    id: String,
    /// Why: the requester, person or agent, reads this
    #[arg(long, required = true)]
    reason: String,
}

pub fn approve(args: &ApproveArgs, policy: Option<&Path>) -> super::Outcome {
    cast(&args.id, true, args.reason.clone(), "terminal", policy)
}

pub fn deny(args: &DenyArgs, policy: Option<&Path>) -> super::Outcome {
    cast(
        &args.id,
        false,
        Some(args.reason.clone()),
        "terminal",
        policy,
    )
}

/// Records one vote (as the OS account locally, as the token's reviewer through a broker), and audits it.
pub fn cast(
    id: &str,
    approve: bool,
    reason: Option<String>,
    channel: &str,
    policy: Option<&Path>,
) -> super::Outcome {
    let mut desk = open_desk(policy)?;
    let log = audit_log(policy)?;
    let result = record_vote(&mut desk, &log, id, approve, reason, channel);
    ship_audit(&mut desk, &log);
    result
}

fn record_vote(
    desk: &mut Desk,
    log: &crate::audit::AuditLog,
    id: &str,
    approve: bool,
    reason: Option<String>,
    channel: &str,
) -> super::Outcome {
    let me = desk.runtime.block_on(desk.approvals.me())?;
    let after = desk
        .runtime
        .block_on(desk.approvals.vote(id, approve, reason.clone(), channel))?;
    let id = after.id.clone();
    let now = SystemClock.now();
    let mut events = vec![Event::Voted {
        id: id.clone(),
        by: me,
        approve,
        reason: reason.clone(),
        channel: channel.into(),
        digest: after.digest.clone(),
    }];
    if after.state != State::Pending {
        events.push(Event::Decided {
            id: id.clone(),
            decision: if after.state == State::Approved {
                Decision::Allow
            } else {
                Decision::Deny
            },
            by: after
                .votes
                .iter()
                .map(|v| v.by.clone())
                .collect::<Vec<_>>()
                .join(","),
            channel: channel.into(),
            rules: after.rules.clone(),
            message: reason,
        });
    }
    log.append(now, &events)?;
    match after.state {
        State::Approved => println!(
            "approved {id}: it runs when {}'s gate picks it up",
            after.requester
        ),
        State::Denied => println!("denied {id}"),
        _ => {
            let needs: Vec<String> = after
                .outstanding()
                .iter()
                .map(|(g, n)| format!("{n} from {g}"))
                .collect();
            println!(
                "recorded your approval of {id}; it still needs {}",
                needs.join(", ")
            );
        }
    }
    Ok(0)
}
