//! `gate cancel ID`: the requester withdraws a request before it runs.

use std::path::Path;

use jiff::Timestamp;

use super::context::{audit_log, open_store};
use crate::audit::Event;

/// Cancel your own request
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The request id (any unique prefix)
    id: String,
}

pub fn run(args: &Args, policy: Option<&Path>) -> super::Outcome {
    let mut store = open_store(policy)?;
    let me = crate::identity::current_user();
    let id = store.resolve(&args.id)?;
    let now = Timestamp::now();
    store.update(&id, |r| r.cancel(&me, now).map(Some))?;
    audit_log(policy)?.append(
        now,
        &[Event::Cancelled {
            id: id.clone(),
            by: me,
        }],
    )?;
    println!("cancelled {id}");
    Ok(0)
}
