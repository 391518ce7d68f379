//! `gate audit`: read the audit trail (a table, `--json` lines, or `--follow`), and `gate audit verify`.

use crate::clock::{Clock as _, SystemClock};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;

use super::context::resolve_paths;
use super::{CliError, Failure};
use crate::audit::AuditLog;
use crate::audit::report::{self, Filter, Row};
use crate::classify::Kind;
use crate::policy::Decision;
use crate::ui;

/// Show the audit trail, or verify it
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    action: Option<Action>,

    /// Only requests at or after this time (RFC 3339, a date, or an age such as 2h or 7d)
    #[arg(long, value_parser = parse_time)]
    since: Option<Timestamp>,
    /// Only requests at or before this time (same forms as --since)
    #[arg(long, value_parser = parse_time)]
    until: Option<Timestamp>,
    /// Only requests by this user or agent
    #[arg(long)]
    user: Option<String>,
    /// Only requests with this decision
    #[arg(long, value_parser = parse_decision)]
    decision: Option<Decision>,
    /// Only requests with a finding of this kind
    #[arg(long, value_parser = parse_kind)]
    kind: Option<Kind>,
    /// Only the request with this id (any unique prefix)
    #[arg(long)]
    id: Option<String>,
    /// Only the last N requests
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Print the records as JSON Lines
    #[arg(long)]
    json: bool,
    /// Keep printing records as they are appended
    #[arg(long)]
    follow: bool,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Check the hash chain; exits 1 naming the first bad record on any edit, deletion, reorder or truncation
    Verify,
}

fn parse_time(text: &str) -> Result<Timestamp, String> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    if let Ok(d) = text.parse::<jiff::civil::Date>() {
        return d
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    if let Some(age) = crate::policy::parse_duration(text) {
        let age = jiff::SignedDuration::try_from(age).map_err(|e| e.to_string())?;
        return SystemClock
            .now()
            .checked_sub(age)
            .map_err(|e| e.to_string());
    }
    Err(format!(
        "`{text}` is not a time: use RFC 3339 (2026-11-24T09:00:00Z), a date (2026-11-24) or an age (2h, 7d)"
    ))
}

fn parse_decision(text: &str) -> Result<Decision, String> {
    serde_json::from_value(serde_json::Value::from(text))
        .map_err(|_| format!("`{text}` is not a decision: use allow, confirm, approve or deny"))
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    serde_json::from_value(serde_json::Value::from(text)).map_err(|_| {
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("`{text}` is not a kind: use one of {}", kinds.join(", "))
    })
}

pub fn run(args: Args, policy: Option<&Path>) -> super::Outcome {
    // Reading the trail needs no policy: a broken policy must not hide the history.
    let log = AuditLog::new(resolve_paths(policy)?.audit_file);
    if let Some(Action::Verify) = args.action {
        return verify(&log);
    }
    let filter = Filter {
        since: args.since,
        until: args.until,
        user: args.user,
        decision: args.decision,
        kind: args.kind,
        id: args.id,
        limit: args.limit,
    };
    let (bytes, _) = log.read()?;
    let records = crate::audit::store::parse_records(&bytes);
    let rows = report::rows(&records, &filter);
    print_rows(&rows, args.json, !args.follow);
    if args.follow {
        follow(&log, bytes.len() as u64, &filter, args.json)?;
    }
    Ok(0)
}

fn print_rows(rows: &[Row], json: bool, as_table: bool) {
    let mut out = std::io::stdout().lock();
    if json {
        // A reader that has gone (`| head`) ends the listing quietly, as ripgrep does.
        for row in rows {
            for record in &row.records {
                if writeln!(out, "{record}").is_err() {
                    return;
                }
            }
        }
        return;
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.time.clone(),
                r.id.clone(),
                r.user.clone(),
                r.decision.clone(),
                r.kinds.clone(),
                r.command.clone(),
                r.exit.clone(),
            ]
        })
        .collect();
    if as_table || !cells.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            ui::table::render(
                &["time", "id", "user", "decision", "kinds", "command", "exit"],
                &cells
            )
        );
    }
}

/// Whether whoever reads our stdout has gone (`gate audit --follow | head -1`, once head has its line). The
/// write end of a pipe or socket whose reader closed polls as an error, so a follower idling on a quiet audit
/// still notices and ends, as `tail -f` does.
fn reader_gone() -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd as _;
    let stdout = std::io::stdout();
    let mut fds = [PollFd::new(stdout.as_fd(), PollFlags::POLLOUT)];
    poll(&mut fds, PollTimeout::ZERO).is_ok()
        && fds[0]
            .revents()
            .is_some_and(|r| r.intersects(PollFlags::POLLERR | PollFlags::POLLHUP))
}

/// Tails the file: prints each new record as it lands, until interrupted or until its reader goes away.
fn follow(log: &AuditLog, mut offset: u64, filter: &Filter, json: bool) -> Result<(), Failure> {
    let mut pending = Vec::new();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        if reader_gone() {
            return Ok(());
        }
        let Ok(mut file) = std::fs::File::open(log.path()) else {
            continue;
        };
        let len = file.metadata().map_or(0, |m| m.len());
        if len < offset {
            offset = 0; // the file was replaced
        }
        if len == offset {
            continue;
        }
        file.seek(std::io::SeekFrom::Start(offset))
            .map_err(|e| io_failure(log, e))?;
        let mut chunk = Vec::new();
        file.read_to_end(&mut chunk)
            .map_err(|e| io_failure(log, e))?;
        offset += chunk.len() as u64;
        pending.extend_from_slice(&chunk);
        let Some(end) = pending.iter().rposition(|&b| b == b'\n') else {
            continue;
        };
        let complete: Vec<u8> = pending.drain(..=end).collect();
        let records = crate::audit::store::parse_records(&complete);
        let mut out = std::io::stdout().lock();
        for record in &records {
            // Filters that need the whole request (kind, decision) apply to each record's own fields here.
            let rows = report::rows(
                std::slice::from_ref(record),
                &Filter {
                    limit: None,
                    kind: None,
                    decision: None,
                    ..filter.clone()
                },
            );
            if rows.is_empty() {
                continue;
            }
            if json {
                let _ = writeln!(out, "{record}");
            } else {
                let field = |k: &str| {
                    record
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or("-")
                        .to_string()
                };
                let _ = writeln!(
                    out,
                    "{}  {}  {}  {}",
                    field("time"),
                    field("id"),
                    field("event"),
                    match field("event").as_str() {
                        "requested" => format!("{} {}", field("user"), field("command")),
                        "decided" => format!("{} by {}", field("decision"), field("by")),
                        "exited" => format!(
                            "exit {}",
                            record.get("exit").map_or("-".into(), ToString::to_string)
                        ),
                        _ => field("message"),
                    }
                );
            }
        }
        let _ = out.flush();
    }
}

fn io_failure(log: &AuditLog, source: std::io::Error) -> Failure {
    CliError::Internal {
        message: format!("cannot read the audit file {}", log.path().display()),
        hint: "check the file's permissions".into(),
        source: Some(source),
    }
    .into()
}

fn verify(log: &AuditLog) -> super::Outcome {
    match log.verify() {
        Ok(v) => {
            for (line, seq) in &v.sealed {
                ui::say(
                    "warning",
                    &format!("line {line} was torn by a crash and sealed by record seq {seq}"),
                );
            }
            match &v.last {
                Some(last) => println!(
                    "{}: ok, {} records, chain intact through seq {} ({})",
                    log.path().display(),
                    v.records,
                    last.seq,
                    last.hash
                ),
                None => println!("{}: ok, empty", log.path().display()),
            }
            Ok(0)
        }
        Err(
            e @ (crate::audit::AuditError::Chain { .. }
            | crate::audit::AuditError::HeadMissing { .. }),
        ) => {
            use crate::exit::Diagnostic as _;
            ui::report_error(&e, e.hint().as_deref());
            Ok(crate::exit::Exit::Failed.code())
        }
        Err(e) => Err(e.into()),
    }
}
