//! `gate run`: judge a command, record the decision, then run it, ask, or refuse. Fails closed: nothing runs
//! unless the decision was reached and recorded, and nothing runs if the program or a file gate judged is not
//! what it was when gate judged it. A command that does not exist is an error before anything is asked.

use std::path::Path;

use super::context::{Context, Desk, build_request, ship_after};
use super::{CliError, EXIT_CODES};
use crate::assess::{Assessment, assess};
use crate::audit::{AuditLog, Event};
use crate::clock::{Clock, SystemClock};
use crate::exec::{ExecError, Trust};
use crate::exit::{Diagnostic, Exit};
use crate::policy::Decision;
use crate::request::{Located, Request};
use crate::stdin::{ChildStdin, ProcessSources};
use crate::ui;

/// Run a command if the policy allows it
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXIT_CODES, after_help = EXIT_CODES, override_usage = "gate run [OPTIONS] -- <COMMAND>...")]
pub struct Args {
    /// Why this command is being run (shown to reviewers and kept in the audit)
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,

    /// The agent running this command on a person's behalf
    #[arg(long, env = "GATE_AGENT", value_name = "NAME")]
    agent: Option<String>,

    /// When approval is needed, print the request id and exit 75 instead of waiting; a later identical run uses
    /// the approval
    #[arg(long)]
    no_wait: bool,

    /// Print one JSON line per state change on stderr, for agents
    #[arg(long)]
    json: bool,

    /// The command to run, after `--`
    #[arg(required = true, num_args = 1.., last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

impl Args {
    /// `gate run -- COMMAND…` as a shim runs it: the agent from `GATE_AGENT`, waiting for approval.
    pub(super) fn for_command(command: Vec<String>) -> Args {
        Args {
            reason: None,
            agent: std::env::var("GATE_AGENT").ok().filter(|a| !a.is_empty()),
            no_wait: false,
            json: false,
            command,
        }
    }
}

/// Why gate refused or could not run a command after deciding on it.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("denied by {by}: {message}")]
    Denied {
        by: String,
        message: String,
        hint: String,
    },
    #[error("{rules} requires a reason for this command")]
    ReasonRequired { rules: String },
}

impl Diagnostic for RunError {
    fn exit(&self) -> Exit {
        match self {
            RunError::Denied { .. } => Exit::Denied,
            RunError::ReasonRequired { .. } => Exit::Usage,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            RunError::Denied { hint, .. } => hint.clone(),
            RunError::ReasonRequired { .. } => {
                "say why with --reason \"TICKET-123 what and why\"".into()
            }
        })
    }
}

fn rules_phrase(a: &Assessment) -> String {
    let rules = a.deciding_rules();
    if rules == ["default"] {
        "the policy default".to_string()
    } else {
        format!(
            "rule {}",
            rules
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

pub fn run(args: Args, policy: Option<&Path>) -> super::Outcome {
    let ctx = Context::load(policy)?;
    let log = AuditLog::new(&ctx.paths.audit_file);
    // An agent (or a pipeline asking for --json) gets the refusal as one JSON object it can act on.
    let feedback = args.json || args.agent.as_deref().is_some_and(|a| !a.is_empty());
    let mut rules = Vec::new();
    let mut desk = None;
    let outcome = judge(args, &ctx, &log, &mut rules, &mut desk);
    if feedback && let Err(e) = &outcome {
        eprintln!("{}", refusal_json(&*e.0, &rules));
    }
    // Whatever happened, the team's central audit gets this run's records (now, or with a later command).
    ship_after(&ctx, &log, desk);
    outcome
}

/// The refusal as an agent reads it: what was decided, by which rule, why, and how to get it approved.
fn refusal_json(e: &dyn Diagnostic, rules: &[String]) -> serde_json::Value {
    let decision = match e.exit() {
        Exit::Denied => "deny",
        Exit::Unavailable if e.request().is_some() => "approve",
        Exit::Unavailable => "unavailable",
        Exit::Cancelled => "cancelled",
        _ => "error",
    };
    let request = e.request();
    serde_json::json!({
        "event": "refused",
        "decision": decision,
        "exit": e.exit().code(),
        "rule": rules,
        "message": e.to_string(),
        "hint": e.hint(),
        "request": request,
        "approve_with": request.as_ref().map(|id| format!("gate approve {id}")),
    })
}

/// Judges and runs the command; `desk` keeps the approval backend it opened, for shipping the records after.
fn judge(
    args: Args,
    ctx: &Context,
    log: &AuditLog,
    rules: &mut Vec<String>,
    desk: &mut Option<Desk>,
) -> super::Outcome {
    let (no_wait, json) = (args.no_wait, args.json);
    let request = build_request(args.command, args.reason, args.agent)?;
    let clock = SystemClock;
    let id = crate::ids::request_id(clock.now());
    let trust = Trust::new(&ctx.config.trusted_paths);
    let sources = ProcessSources::new(&request, trust.clone());
    // A program that is not there (or cannot run) is an error now, before anyone is asked to approve it.
    if let Some(error) = unrunnable(&request.argv[0], sources.program()) {
        log.append(clock.now(), &[error_event(&id, &error)])?;
        return Err(error.into());
    }
    let assessment = assess(&request, &ctx.policies, &sources);
    rules.clone_from(&assessment.deciding_rules());
    let stdin = sources.into_child_stdin();
    let run = Run {
        request: &request,
        assessment: &assessment,
        trust: &trust,
        log,
        clock: &clock,
        id: &id,
    };

    let requested =
        super::context::requested_event(&id, &request, &assessment, &ctx.policies, None);
    let decided =
        |decision: Decision, by: &str, channel: &str, message: Option<String>| Event::Decided {
            id: id.clone(),
            decision,
            by: by.to_string(),
            channel: channel.to_string(),
            rules: assessment.deciding_rules(),
            message,
        };

    let decision = assessment.decision();
    if decision >= Decision::Confirm
        && decision < Decision::Deny
        && assessment.verdict.reason_required
        && request.reason.is_none()
    {
        let error = RunError::ReasonRequired {
            rules: rules_phrase(&assessment),
        };
        // If even the refusal cannot be recorded, that is the error to report.
        log.append(clock.now(), &[requested, error_event(&id, &error)])?;
        return Err(error.into());
    }

    let message = assessment.verdict.messages.first().cloned();
    log.append(
        clock.now(),
        &[
            requested,
            decided(decision, "policy", "policy", message.clone()),
        ],
    )?;

    match decision {
        Decision::Allow => execute(&run, stdin),
        Decision::Deny => Err(RunError::Denied {
            by: rules_phrase(&assessment),
            message: message
                .unwrap_or_else(|| format!("{} is not allowed here", describe_kinds(&assessment))),
            hint: format!(
                "nothing ran; `gate explain -- {}` shows how the policy judged it",
                assessment.classification.command
            ),
        }
        .into()),
        Decision::Confirm | Decision::Approve => {
            let pending = super::wait::Pending {
                id: &id,
                request: &request,
                assessment: &assessment,
                policies: &ctx.policies,
                escalation: ctx.config.escalation.as_ref().map(|e| e.command.clone()),
                log,
                clock: &clock,
                no_wait,
                json,
                deadline: None,
            };
            if decision == Decision::Confirm && ui::prompt::has_terminal() {
                return confirm(&run, stdin);
            }
            let mut wait = || {
                if desk.is_none() {
                    *desk = Some(Desk::open(&ctx.config, &ctx.paths)?);
                }
                super::wait::approval(&pending, desk.as_mut().expect("opened above"))
            };
            let waited = wait();
            if let Err(e) = waited {
                // Denials, expiry and cancellation are already in the audit; a failure to reach the backend is not.
                if !e.0.audited() {
                    let _ = log.append(clock.now(), &[error_event(&id, &*e.0)]);
                }
                return Err(e);
            }
            execute(&run, stdin)
        }
    }
}

/// Why the command's program cannot be run at all, if it cannot.
fn unrunnable(program: &str, located: Option<Located>) -> Option<ExecError> {
    match located? {
        Located::Found { .. } => None,
        Located::Missing { .. } => Some(ExecError::NotFound {
            program: program.to_string(),
        }),
        Located::NotExecutable { path, why } => Some(ExecError::CannotRun {
            program: path,
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, why),
        }),
    }
}

/// A judged request on its way to running.
struct Run<'a> {
    request: &'a Request,
    assessment: &'a Assessment,
    trust: &'a Trust,
    log: &'a AuditLog,
    clock: &'a dyn Clock,
    id: &'a str,
}

fn describe_kinds(a: &Assessment) -> String {
    let kinds: Vec<&str> = a.kinds().iter().map(|k| k.as_str()).collect();
    format!("{} in {}", kinds.join(", "), a.verdict.environment)
}

/// `confirm`: the person at this terminal decides, like sudo's prompt. With no terminal it needs approval.
fn confirm(run: &Run<'_>, stdin: ChildStdin) -> super::Outcome {
    let (request, a, log, clock, id) = (run.request, run.assessment, run.log, run.clock, run.id);
    ui::say(
        "note",
        &format!(
            "{} wants confirmation: {}",
            rules_phrase(a),
            describe_kinds(a)
        ),
    );
    let question = format!("Run `{}`?", a.classification.command);
    match ui::prompt::confirm(&question) {
        None => Err(RunError::Denied {
            by: request.requester.user.clone(),
            message: "the terminal went away before the question was answered".into(),
            hint: "nothing ran".into(),
        }
        .into()),
        Some(yes) => {
            let decision = if yes { Decision::Allow } else { Decision::Deny };
            let event = Event::Decided {
                id: id.to_string(),
                decision,
                by: request.requester.user.clone(),
                channel: "terminal".into(),
                rules: a.deciding_rules(),
                message: None,
            };
            log.append(clock.now(), &[event])?;
            if yes {
                execute(run, stdin)
            } else {
                Err(RunError::Denied {
                    by: request.requester.user.clone(),
                    message: "not confirmed at the terminal".into(),
                    hint: "nothing ran".into(),
                }
                .into())
            }
        }
    }
}

fn error_event(id: &str, error: &dyn Diagnostic) -> Event {
    Event::Error {
        id: Some(id.to_string()),
        exit: error.exit().code(),
        message: error.to_string(),
    }
}

/// Runs the command and records how it ended. Its status is gate's status. Just before it starts, the program
/// and every file gate judged are looked at again: after an approval wait, a swapped script needs a new approval.
fn execute(run: &Run<'_>, stdin: ChildStdin) -> super::Outcome {
    let (request, log, clock, id) = (run.request, run.log, run.clock, run.id);
    let program = match run.assessment.evidence.programs.first().map(|p| &p.located) {
        Some(Located::Found { path, .. }) => std::path::PathBuf::from(path),
        _ => std::path::PathBuf::from(&request.argv[0]),
    };
    let started = crate::exec::recheck(&run.assessment.evidence, run.trust)
        .and_then(|()| crate::exec::run(&program, &request.argv, &request.env, stdin));
    match started {
        Ok(outcome) => {
            let event = Event::Exited {
                id: id.to_string(),
                status: outcome.status,
                signal: outcome.signal,
                exit: outcome.exit_code(),
                duration_ms: u64::try_from(outcome.duration.as_millis()).unwrap_or(u64::MAX),
            };
            if let Err(e) = log.append(clock.now(), &[event]) {
                // The command ran; its end could not be recorded. Say so loudly and do not pretend success.
                return Err(CliError::Internal {
                    message: format!(
                        "the command ran and exited with {}, but its end could not be recorded: {e}",
                        outcome.exit_code()
                    ),
                    hint: e.hint().unwrap_or_default(),
                    source: None,
                }
                .into());
            }
            Ok(outcome.exit_code())
        }
        Err(e) => {
            // Best effort: the spawn failure is the error to show even if the record fails too.
            let _ = log.append(clock.now(), &[error_event(id, &e)]);
            Err(e.into())
        }
    }
}
