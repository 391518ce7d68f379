//! `gate cancel ID`: the requester withdraws a request before it runs.

use crate::clock::{Clock as _, SystemClock};
use std::path::Path;

use super::context::{audit_log, open_desk, ship_audit};
use crate::audit::Event;

/// Cancel your own request
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The request id (any unique prefix)
    id: String,
}

pub fn run(args: &Args, policy: Option<&Path>) -> super::Outcome {
    let mut desk = open_desk(policy)?;
    let log = audit_log(policy)?;
    let me = desk.runtime.block_on(desk.approvals.me())?;
    let cancelled = desk.runtime.block_on(desk.approvals.cancel(&args.id))?;
    let id = cancelled.id;
    log.append(
        SystemClock.now(),
        &[Event::Cancelled {
            id: id.clone(),
            by: me,
        }],
    )?;
    ship_audit(&mut desk, &log);
    println!("cancelled {id}");
    Ok(0)
}
