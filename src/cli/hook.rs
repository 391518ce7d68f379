//! `gate hook claude-code`: a Claude Code `PreToolUse` hook for the Bash tool, and `gate hook install` to set it
//! up. The hook judges the whole shell command with the same engine as `gate run` (every simple command in it,
//! the strictest part deciding) and answers `allow`, `deny`, or `ask`; for `approve` it waits for the approval
//! within its time limit or denies with the request id and the `gate approve` command.
//!
//! Claude Code lets a command through when a hook fails in any way but exit status 2, so this hook fails closed
//! on purpose: a malformed input, any internal error, a timeout and a panic all end in exit 2 with the reason on
//! stderr.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Value, json};

use super::context::{Context, Desk, relevant_env, ship_after};
use super::{CliError, Failure};
use crate::assess::assess;
use crate::audit::{AuditLog, Event};
use crate::clock::{Clock, SystemClock};
use crate::exit::Exit;
use crate::policy::Decision;
use crate::request::{Request, Requester};
use crate::stdin::FilesOnly;

/// The most hook input read; Claude Code's tool calls are far smaller.
const MAX_INPUT: u64 = 1024 * 1024;
/// Time kept back from the hook's limit for answering.
const MARGIN: Duration = Duration::from_secs(5);
/// Where Claude Code reads managed (enterprise) settings on Linux.
const MANAGED_SETTINGS: &str = "/etc/claude-code/managed-settings.json";

/// Guard AI agents: the Claude Code hook and its installation
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// The PreToolUse hook: reads Claude Code's JSON on stdin and answers on stdout; exits 2 on any failure
    ClaudeCode {
        /// How long to wait for an approval before denying with the request id (0: never wait)
        #[arg(long, value_name = "SECS", default_value_t = 50)]
        wait: u64,
    },
    /// Write the hook into Claude Code's settings and print what was written
    Install {
        /// The agent (only claude-code so far)
        #[arg(value_parser = ["claude-code"])]
        agent: String,
        /// Write the managed settings every user on this machine gets (/etc/claude-code/managed-settings.json)
        #[arg(long, conflicts_with = "settings")]
        managed: bool,
        /// The settings file to write (default: .claude/settings.json in this directory)
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        /// The hook's time limit in seconds, written into the settings; the hook waits this less 10 s
        #[arg(long, value_name = "SECS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(15..))]
        timeout: u64,
    },
}

pub fn run(args: Args, policy: Option<&Path>) -> super::Outcome {
    match args.action {
        Action::ClaudeCode { wait } => Ok(claude_code(wait, policy)),
        Action::Install {
            managed,
            settings,
            timeout,
            ..
        } => install(managed, settings, timeout),
    }
}

#[derive(Deserialize)]
struct HookInput {
    session_id: Option<String>,
    cwd: Option<String>,
    tool_name: String,
    #[serde(default)]
    tool_input: Value,
}

fn fail(message: impl Into<String>, hint: &str) -> Failure {
    CliError::Usage {
        message: message.into(),
        hint: hint.into(),
    }
    .into()
}

/// Runs the hook and turns every way it can go wrong into exit 2.
fn claude_code(wait: u64, policy: Option<&Path>) -> u8 {
    let limit = Duration::from_secs(wait) + MARGIN;
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!(
            "gate: the hook ran out of time after {} s; the command is blocked",
            limit.as_secs()
        );
        std::process::exit(2);
    });
    match std::panic::catch_unwind(|| decide(wait, policy)) {
        Ok(Ok(Some(answer))) => {
            // An answer that cannot be delivered must block too: exit 2, never a panic's 70.
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{answer}").and_then(|()| out.flush()) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("gate: cannot write the hook's answer ({e}); the command is blocked");
                    2
                }
            }
        }
        Ok(Ok(None)) => 0,
        Ok(Err(Failure(e))) => {
            let hint = e.hint().map(|h| format!(" ({h})")).unwrap_or_default();
            eprintln!("gate: {e}{hint}; the command is blocked");
            2
        }
        Err(_) => {
            eprintln!("gate: internal error in the hook; the command is blocked");
            2
        }
    }
}

fn answer(decision: &str, reason: &str) -> Value {
    json!({"hookSpecificOutput": {
        "hookEventName": "PreToolUse",
        "permissionDecision": decision,
        "permissionDecisionReason": reason,
    }})
}

fn decide(wait: u64, policy: Option<&Path>) -> Result<Option<Value>, Failure> {
    let mut input = Vec::new();
    std::io::stdin()
        .take(MAX_INPUT + 1)
        .read_to_end(&mut input)
        .map_err(|e| {
            fail(
                format!("cannot read the hook input: {e}"),
                "Claude Code sends JSON on stdin",
            )
        })?;
    if input.len() as u64 > MAX_INPUT {
        return Err(fail(
            "the hook input is larger than 1 MiB",
            "no tool call is that large; refusing it",
        ));
    }
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(fail(
            "the hook input is empty",
            "Claude Code sends the tool call as JSON on stdin",
        ));
    }
    let hook: HookInput = serde_json::from_slice(&input).map_err(|e| {
        fail(
            format!("the hook input is not a tool call: {e}"),
            "expected Claude Code's PreToolUse JSON",
        )
    })?;
    if hook.tool_name != "Bash" {
        // Not ours to judge: no decision, so Claude Code's own permissions apply.
        return Ok(None);
    }
    let command = hook.tool_input["command"]
        .as_str()
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| {
            fail(
                "the Bash tool call has no command",
                "expected tool_input.command",
            )
        })?
        .to_string();
    let ctx = Context::load(policy)?;
    let cwd = match hook.cwd.filter(|c| !c.is_empty()) {
        Some(c) => c,
        None => std::env::current_dir()
            .map_err(|e| {
                fail(
                    format!("cannot read the current directory: {e}"),
                    "run the hook from the project",
                )
            })?
            .display()
            .to_string(),
    };
    let request = Request {
        argv: vec!["sh".into(), "-c".into(), command],
        cwd: cwd.clone(),
        env: relevant_env(),
        requester: Requester {
            user: crate::identity::current_user(),
            agent: Some("claude-code".into()),
        },
        reason: hook.tool_input["description"]
            .as_str()
            .filter(|d| !d.trim().is_empty())
            .map(str::to_string),
    };
    let sources = FilesOnly::new(cwd, crate::exec::Trust::new(&ctx.config.trusted_paths));
    let assessment = assess(&request, &ctx.policies, &sources);
    let log = AuditLog::new(&ctx.paths.audit_file);
    let clock = SystemClock;
    let id = crate::ids::request_id(clock.now());
    let decision = assessment.decision();
    let rules = assessment.deciding_rules();
    let rule_text = rules
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = assessment.verdict.messages.first().cloned();
    let kinds: Vec<&str> = assessment.kinds().iter().map(|k| k.as_str()).collect();
    log.append(
        clock.now(),
        &[
            super::context::requested_event(
                &id,
                &request,
                &assessment,
                &ctx.policies,
                hook.session_id.clone(),
            ),
            Event::Decided {
                id: id.clone(),
                decision,
                by: "policy".into(),
                channel: "claude-code".into(),
                rules: rules.clone(),
                message: message.clone(),
            },
        ],
    )?;
    let what = format!("{} in {}", kinds.join(", "), assessment.verdict.environment);
    // The verdict, then (whatever it was) this call's records to the central audit when there is a broker.
    let mut desk = None;
    let verdict = || -> Result<Value, Failure> {
        if matches!(decision, Decision::Confirm | Decision::Approve)
            && assessment.verdict.reason_required
            && request.reason.is_none()
        {
            return Ok(answer(
                "deny",
                &format!(
                    "gate: {rule_text} requires a reason; give the Bash call a description saying why, and retry"
                ),
            ));
        }
        Ok(match decision {
            Decision::Allow => answer("allow", &format!("gate: {what} is allowed by {rule_text}")),
            Decision::Deny => answer(
                "deny",
                &format!(
                    "gate: denied by {rule_text}: {}. Do not retry this command; change the approach.",
                    message.unwrap_or_else(|| format!("{what} is not allowed"))
                ),
            ),
            Decision::Confirm => answer(
                "ask",
                &format!("gate: {rule_text} wants a person to confirm {what}"),
            ),
            Decision::Approve => {
                let pending = super::wait::Pending {
                    id: &id,
                    request: &request,
                    assessment: &assessment,
                    policies: &ctx.policies,
                    escalation: ctx.config.escalation.as_ref().map(|e| e.command.clone()),
                    log: &log,
                    clock: &clock,
                    no_wait: wait == 0,
                    json: false,
                    deadline: Some(Instant::now() + Duration::from_secs(wait)),
                };
                let opened = desk.insert(Desk::open(&ctx.config, &ctx.paths)?);
                match super::wait::approval(&pending, opened) {
                    Ok(request) => answer("allow", &format!("gate: approved as request {request}")),
                    Err(Failure(e)) if e.exit() == Exit::Unavailable && e.request().is_some() => {
                        let request = e.request().unwrap_or_default();
                        answer(
                            "deny",
                            &format!(
                                "gate: {what} needs approval by {rule_text}; request {request} is waiting. Ask a reviewer \
                                 to run `gate approve {request}`, then run the same command again."
                            ),
                        )
                    }
                    Err(Failure(e)) if e.exit() == Exit::Denied => answer(
                        "deny",
                        &format!("gate: {e}. Do not retry this command; change the approach."),
                    ),
                    Err(e) => return Err(e),
                }
            }
        })
    };
    let verdict = verdict();
    ship_after(&ctx, &log, desk);
    Ok(Some(verdict?))
}

/// Adds (or replaces) gate's entry under `hooks.PreToolUse` in a Claude Code settings file, keeping the rest.
fn install(managed: bool, settings: Option<PathBuf>, timeout: u64) -> super::Outcome {
    let path = match (managed, settings) {
        (true, _) => PathBuf::from(MANAGED_SETTINGS),
        (false, Some(p)) => p,
        (false, None) => PathBuf::from(".claude/settings.json"),
    };
    let exe = std::env::current_exe().map_err(|e| {
        fail(
            format!("cannot find the gate binary: {e}"),
            "install gate first",
        )
    })?;
    let command = format!("{} hook claude-code --wait {}", exe.display(), timeout - 10);
    let mut root: Value = match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().is_empty() => json!({}),
        Ok(text) => serde_json::from_str(&text).map_err(|e| -> Failure {
            CliError::Config {
                message: format!("{} is not JSON: {e}", path.display()),
                hint: "fix the settings file, then install again".into(),
            }
            .into()
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => json!({}),
        Err(e) => {
            return Err(fail(
                format!("cannot read {}: {e}", path.display()),
                "check its permissions",
            ));
        }
    };
    let entry = json!({"matcher": "Bash", "hooks": [{"type": "command", "command": command, "timeout": timeout}]});
    let not_object = || -> Failure {
        CliError::Config {
            message: format!(
                "{} has a `hooks` that is not what Claude Code expects",
                path.display()
            ),
            hint: "`hooks.PreToolUse` must be a list; fix the file, then install again".into(),
        }
        .into()
    };
    let hooks = root
        .as_object_mut()
        .ok_or_else(not_object)?
        .entry("hooks")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .ok_or_else(not_object)?
        .entry("PreToolUse")
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .ok_or_else(not_object)?;
    hooks.retain(|h| !h.to_string().contains("hook claude-code"));
    hooks.push(entry.clone());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            fail(
                format!("cannot create {}: {e}", dir.display()),
                "check the permissions",
            )
        })?;
    }
    let text = serde_json::to_string_pretty(&root).expect("settings serialise");
    std::fs::write(&path, format!("{text}\n")).map_err(|e| {
        fail(
            format!("cannot write {}: {e}", path.display()),
            "check the permissions",
        )
    })?;
    crate::ui::say(
        "note",
        &format!("wrote gate's PreToolUse hook into {}", path.display()),
    );
    println!(
        "{}",
        serde_json::to_string_pretty(&entry).expect("entries serialise")
    );
    Ok(0)
}
