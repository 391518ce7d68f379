//! `gate inbox`: for the on-call human. Shows each request waiting for them as it arrives and asks, on the
//! terminal: approve, deny with a reason, or skip. Runs until Ctrl-C.

use crate::clock::{Clock as _, SystemClock};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use super::CliError;
use super::context::open_desk;
use crate::approval::State;
use crate::ui;

/// Answer requests as they arrive, until Ctrl-C
#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args, policy: Option<&Path>) -> super::Outcome {
    if !ui::prompt::has_terminal() {
        return Err(CliError::Usage {
            message: "gate inbox needs a terminal to ask on".into(),
            hint: "use `gate pending` and `gate approve ID` in scripts".into(),
        }
        .into());
    }
    let mut desk = open_desk(policy)?;
    let me = desk.runtime.block_on(desk.approvals.me())?;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    ui::say(
        "note",
        &format!("watching for requests {me} may approve; Ctrl-C to stop"),
    );
    loop {
        let now = SystemClock.now();
        let waiting: Vec<_> = desk
            .runtime
            .block_on(desk.approvals.list(&[State::Pending]))?
            .into_iter()
            .filter(|r| now < r.expires_at && !seen.contains(&r.id))
            .filter(|r| r.eligibility(&me).is_ok() && !r.votes.iter().any(|v| v.by == me))
            .collect();
        for request in waiting {
            seen.insert(request.id.clone());
            eprintln!("\n{}", super::show::render(&request, now));
            match ui::prompt::choose(
                &format!("Request {}", request.id),
                &["approve", "deny", "skip"],
            ) {
                Some(0) => {
                    if let Err(e) = super::vote::cast(&request.id, true, None, "inbox", policy) {
                        report(&e);
                    }
                }
                Some(1) => {
                    let reason =
                        ui::prompt::input("Reason (the requester reads this)").unwrap_or_default();
                    if let Err(e) =
                        super::vote::cast(&request.id, false, Some(reason), "inbox", policy)
                    {
                        report(&e);
                    }
                }
                _ => ui::say("note", &format!("skipped {}", request.id)),
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn report(e: &super::Failure) {
    ui::report_error(&*e.0, e.0.hint().as_deref());
}
