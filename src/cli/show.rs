//! `gate show ID`: everything a reviewer needs to judge one request.

use crate::clock::{Clock as _, SystemClock};
use std::path::Path;

use jiff::Timestamp;

use super::context::open_desk;
use crate::approval::Request;

/// Show one request: the command, where it runs, what it does, who asked and why, and its votes
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The request id (any unique prefix)
    id: String,
    /// Print the request as JSON
    #[arg(long)]
    json: bool,
}

/// The request as a reviewer reads it: the same lines the web page shows.
pub fn render(r: &Request, now: Timestamp) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut last = "";
    for (label, value) in r.summary(now) {
        // A label repeated (findings) prints once, like a list under it.
        let shown = if label == last && label == "does" {
            ""
        } else {
            label
        };
        let value = if shown.is_empty() {
            format!("- {value}")
        } else {
            value
        };
        let _ = writeln!(out, "{shown:<12} {value}");
        last = label;
    }
    out
}

pub fn run(args: &Args, policy: Option<&Path>) -> super::Outcome {
    let mut desk = open_desk(policy)?;
    let request = desk.runtime.block_on(desk.approvals.get(&args.id))?.request;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&request).expect("requests serialise")
        );
    } else {
        print!("{}", render(&request, SystemClock.now()));
    }
    Ok(0)
}
