//! `gate pending`: the requests waiting for me (or for anyone, with `--all`).

use crate::clock::{Clock as _, SystemClock};
use std::path::Path;

use super::context::open_desk;
use crate::approval::State;
use crate::ui;

/// List requests waiting for your approval
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Every pending request, not only those you may approve
    #[arg(long)]
    all: bool,
    /// Print one JSON object per request
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args, policy: Option<&Path>) -> super::Outcome {
    let mut desk = open_desk(policy)?;
    let me = desk.runtime.block_on(desk.approvals.me())?;
    let now = SystemClock.now();
    let requests: Vec<_> = desk
        .runtime
        .block_on(desk.approvals.list(&[State::Pending]))?
        .into_iter()
        .filter(|r| now < r.expires_at)
        .filter(|r| args.all || (r.eligibility(&me).is_ok() && !r.votes.iter().any(|v| v.by == me)))
        .collect();
    if args.json {
        for r in &requests {
            println!("{}", serde_json::to_string(r).expect("requests serialise"));
        }
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = requests
        .iter()
        .map(|r| {
            let kinds: Vec<&str> = r.kinds.iter().map(|k| k.as_str()).collect();
            let needs: Vec<String> = r
                .outstanding()
                .iter()
                .map(|(g, n)| format!("{n} from {g}"))
                .collect();
            vec![
                r.id.clone(),
                r.requester.to_string(),
                r.environment.clone(),
                format!("{} ({})", kinds.join(","), r.risk),
                r.command.clone(),
                needs.join(", "),
                format!("{}m", r.expires_at.duration_since(now).as_secs() / 60),
            ]
        })
        .collect();
    if rows.is_empty() {
        ui::say(
            "note",
            if args.all {
                "nothing is pending"
            } else {
                "nothing is waiting for you (`--all` shows every request)"
            },
        );
        return Ok(0);
    }
    println!(
        "{}",
        ui::table::render(
            &[
                "id",
                "requester",
                "environment",
                "kinds",
                "command",
                "needs",
                "expires"
            ],
            &rows
        )
    );
    Ok(0)
}
