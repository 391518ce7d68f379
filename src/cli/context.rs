//! What every subcommand that judges or records commands needs: the paths, the config and the policies in
//! force, loaded once and failing closed.

use std::path::Path;

use crate::approvers::{Approvals, Local, Remote};
use crate::config::Config;
use crate::paths::{self, PathEnv, Paths};
use crate::policy::{PolicyError, PolicySet, parse};

pub struct Context {
    pub paths: Paths,
    pub config: Config,
    pub policies: PolicySet,
}

/// Reads one policy file.
pub fn load_policy(path: &Path) -> Result<crate::policy::Policy, PolicyError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
        origin: origin.clone(),
        source,
    })?;
    parse::parse(&text, &origin)
}

/// The paths of this process.
pub fn resolve_paths(policy_flag: Option<&Path>) -> Result<Paths, super::Failure> {
    Ok(paths::resolve(
        Path::new("/"),
        &PathEnv::from_process(),
        policy_flag,
    )?)
}

impl Context {
    pub fn load(policy_flag: Option<&Path>) -> Result<Context, super::Failure> {
        let paths = resolve_paths(policy_flag)?;
        let config = Config::load(&paths.config_file)?;
        let mut policies = Vec::new();
        for path in paths.system_policy.iter().chain(paths.user_policy.iter()) {
            policies.push(load_policy(path)?);
        }
        let policies = if policies.is_empty() {
            crate::ui::say(
                "note",
                &format!(
                    "no policy file found; using the built-in strict starter policy (`gate init` writes it to {})",
                    paths.default_policy.display()
                ),
            );
            PolicySet::built_in()
        } else {
            PolicySet::new(policies)
        };
        Ok(Context {
            paths,
            config,
            policies,
        })
    }
}

/// The audit record of a request as judged: who, why, what, where, and the digest it is bound to.
pub fn requested_event(
    id: &str,
    request: &crate::request::Request,
    assessment: &crate::assess::Assessment,
    policies: &PolicySet,
    session: Option<String>,
) -> crate::audit::Event {
    crate::audit::Event::Requested {
        id: id.to_string(),
        user: request.requester.user.clone(),
        agent: request.requester.agent.clone(),
        reason: request.reason.clone(),
        cwd: request.cwd.clone(),
        command: assessment.classification.command.clone(),
        kinds: assessment.kinds(),
        risk: assessment.risk(),
        environment: assessment.verdict.environment.clone(),
        target: assessment.classification.primary_target().clone(),
        digest: assessment.digest.clone(),
        stdin: assessment.stdin_digest.clone(),
        session,
        policy: policies.digest(),
    }
}

/// Reads the request's environment: the variables that matter, from gate's own environment.
pub fn relevant_env() -> std::collections::BTreeMap<String, String> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| crate::request::is_relevant_env(k))
        .collect()
}

/// Builds the request for a command: the account from the real uid, the working directory, the environment.
pub fn build_request(
    argv: Vec<String>,
    reason: Option<String>,
    agent: Option<String>,
) -> Result<crate::request::Request, super::Failure> {
    let cwd = std::env::current_dir().map_err(|source| super::CliError::Internal {
        message: "cannot read the current directory".into(),
        hint: "cd to a directory that still exists".into(),
        source: Some(source),
    })?;
    Ok(crate::request::Request {
        argv,
        cwd: cwd.display().to_string(),
        env: relevant_env(),
        requester: crate::request::Requester {
            user: crate::identity::current_user(),
            agent: agent.filter(|a| !a.is_empty()),
        },
        reason: reason.filter(|r| !r.trim().is_empty()),
    })
}

/// The approval backend with the runtime that drives it.
pub struct Desk {
    pub runtime: tokio::runtime::Runtime,
    pub approvals: Box<dyn Approvals>,
    /// Whether this is a broker, whose central audit gets a copy of every local record.
    pub remote: bool,
}

/// A runtime for this thread; everything the CLI awaits runs on it.
pub fn runtime() -> Result<tokio::runtime::Runtime, super::Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| {
            super::CliError::Internal {
                message: "cannot start the async runtime".into(),
                hint: "nothing ran".into(),
                source: Some(source),
            }
            .into()
        })
}

impl Desk {
    /// The backend the config names: a broker (`backend:`), else the local store (`store:`, else the state
    /// directory) acting as this OS account.
    pub fn open(config: &Config, paths: &Paths) -> Result<Desk, super::Failure> {
        let (approvals, remote): (Box<dyn Approvals>, bool) = match &config.backend {
            Some(b) => {
                let client = crate::broker::client::Client::new(
                    &b.url,
                    &paths.config_dir.join(&b.token_file),
                )?;
                (Box::new(Remote::new(client, b.retry_for())), true)
            }
            None => {
                let dir = config
                    .store
                    .clone()
                    .unwrap_or_else(|| paths.state_dir.clone());
                (
                    Box::new(Local::open(&dir, crate::identity::current_user())?),
                    false,
                )
            }
        };
        Ok(Desk {
            runtime: runtime()?,
            approvals,
            remote,
        })
    }
}

/// The approval backend for reviewer commands. They need no policy, so a broken policy never stops anyone from
/// answering a request.
pub fn open_desk(policy_flag: Option<&Path>) -> Result<Desk, super::Failure> {
    let paths = resolve_paths(policy_flag)?;
    let config = Config::load(&paths.config_file)?;
    Desk::open(&config, &paths)
}

/// After a run or a hook with a broker configured, whatever happened: sends its records to the central audit, on
/// the desk it already opened or on a new one. A broker that cannot be reached leaves them queued.
pub fn ship_after(ctx: &Context, log: &crate::audit::AuditLog, desk: Option<Desk>) {
    if ctx.config.backend.is_none() {
        return;
    }
    match desk.map_or_else(|| Desk::open(&ctx.config, &ctx.paths), Ok) {
        Ok(mut desk) => {
            ship_audit(&mut desk, log);
        }
        Err(e) => crate::ui::say(
            "note",
            &format!("the audit records stay local for now: {}", e.0),
        ),
    }
}

/// Copies the audit records the broker has not had yet to its central audit. The local audit file is the queue
/// and `<audit>.shipped` the cursor, so a record that cannot be sent now is sent by a later gate command, never
/// dropped. Returns how many records still wait, and says so when any do.
pub fn ship_audit(desk: &mut Desk, log: &crate::audit::AuditLog) -> usize {
    if !desk.remote {
        return 0;
    }
    let cursor_path = {
        let mut p = log.path().as_os_str().to_owned();
        p.push(".shipped");
        std::path::PathBuf::from(p)
    };
    // The cursor is "<last seq sent> <byte offset after it>".
    let cursor = std::fs::read_to_string(&cursor_path).unwrap_or_default();
    let mut fields = cursor
        .split_whitespace()
        .map(|f| f.parse::<u64>().unwrap_or(0));
    let (shipped, offset) = (fields.next().unwrap_or(0), fields.next().unwrap_or(0));
    let Ok((bytes, end)) = log.read_from(offset) else {
        return 0;
    };
    let seq = |r: &serde_json::Value| {
        r.get("seq")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    };
    let mut waiting: Vec<serde_json::Value> = crate::audit::store::parse_records(&bytes);
    waiting.retain(|r| seq(r) > shipped);
    if waiting.is_empty() {
        return 0;
    }
    let host = nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "localhost".into());
    let stream = format!("{host}:{}", log.path().display());
    let mut left = waiting.len();
    let batches: Vec<&[serde_json::Value]> = waiting.chunks(500).collect();
    let count = batches.len();
    for (i, batch) in batches.into_iter().enumerate() {
        let last = batch.iter().map(seq).max().unwrap_or(shipped);
        let sent = desk.runtime.block_on(async {
            tokio::time::timeout(
                // Short: an allowed command has already run, and a broker that does not answer must not hold
                // gate up; the records are sent by a later command.
                std::time::Duration::from_secs(2),
                desk.approvals.ship_audit(&stream, batch.to_vec()),
            )
            .await
        });
        if !matches!(sent, Ok(Ok(_))) {
            break;
        }
        left -= batch.len();
        // The offset is only known to be past everything once the last batch is in.
        let at = if i + 1 == count { end } else { offset };
        let tmp = cursor_path.with_extension("shipped.tmp");
        if std::fs::write(&tmp, format!("{last} {at}\n"))
            .and_then(|()| std::fs::rename(&tmp, &cursor_path))
            .is_err()
        {
            break;
        }
    }
    if left > 0 {
        crate::ui::say(
            "note",
            &format!(
                "{left} audit records wait to be sent to the broker; a later gate command sends them"
            ),
        );
    }
    left
}

/// The audit log of this account.
pub fn audit_log(policy_flag: Option<&Path>) -> Result<crate::audit::AuditLog, super::Failure> {
    Ok(crate::audit::AuditLog::new(
        resolve_paths(policy_flag)?.audit_file,
    ))
}
