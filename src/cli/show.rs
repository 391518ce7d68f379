//! `gate show ID`: everything a reviewer needs to judge one request.

use std::path::Path;

use jiff::Timestamp;

use super::context::open_store;
use crate::approval::Request;
use crate::assess::describe_target;

/// Show one request: the command, where it runs, what it does, who asked and why, and its votes
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The request id (any unique prefix)
    id: String,
    /// Print the request as JSON
    #[arg(long)]
    json: bool,
}

/// The request as a reviewer reads it.
pub fn render(r: &Request, now: Timestamp) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "request      {} ({})", r.id, r.state);
    let _ = writeln!(out, "command      {}", r.command);
    let _ = writeln!(
        out,
        "runs on      {} in {}",
        describe_target(&r.target),
        r.environment
    );
    let kinds: Vec<&str> = r.kinds.iter().map(|k| k.as_str()).collect();
    let _ = writeln!(out, "does         {} ({} risk)", kinds.join(", "), r.risk);
    for f in &r.findings {
        let _ = writeln!(out, "             - {f}");
    }
    if !r.objects.is_empty() {
        let _ = writeln!(out, "objects      {}", r.objects.join(", "));
    }
    let _ = writeln!(out, "asked by     {}", r.requester);
    let _ = writeln!(
        out,
        "reason       {}",
        r.reason.as_deref().unwrap_or("(none given)")
    );
    let _ = writeln!(out, "cwd          {}", r.cwd);
    let _ = writeln!(out, "rule         {}", r.rules.join(", "));
    let needs: Vec<String> = r
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
    let _ = writeln!(out, "needs        {}", needs.join(" and "));
    for v in &r.votes {
        let verb = if v.approve { "approved" } else { "denied" };
        let why = v
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "vote         {} {verb} at {} via {}{why}",
            v.by,
            v.at.strftime("%Y-%m-%d %H:%M:%SZ"),
            v.channel
        );
    }
    let left = r.expires_at.duration_since(now);
    let expiry = if left.is_positive() {
        format!("in {}m", left.as_secs() / 60)
    } else {
        "passed".into()
    };
    let _ = writeln!(
        out,
        "expires      {} ({expiry})",
        r.expires_at.strftime("%Y-%m-%d %H:%M:%SZ")
    );
    let _ = writeln!(out, "digest       {}", r.digest);
    out
}

pub fn run(args: &Args, policy: Option<&Path>) -> super::Outcome {
    let store = open_store(policy)?;
    let request = store.get(&args.id)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&request).expect("requests serialise")
        );
    } else {
        print!("{}", render(&request, Timestamp::now()));
    }
    Ok(0)
}
