//! What every subcommand that judges or records commands needs: the paths, the config and the policies in
//! force, loaded once and failing closed.

use std::path::Path;

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

/// The local approval store this account uses: `store:` from the config, else the state directory. Reviewer
/// commands need no policy, so a broken policy never stops anyone from answering a request.
pub fn open_store(
    policy_flag: Option<&Path>,
) -> Result<crate::approval::store::SqliteStore, super::Failure> {
    let paths = resolve_paths(policy_flag)?;
    let config = Config::load(&paths.config_file)?;
    let dir = config.store.unwrap_or(paths.state_dir);
    Ok(crate::approval::store::SqliteStore::open(&dir)?)
}

/// The audit log of this account.
pub fn audit_log(policy_flag: Option<&Path>) -> Result<crate::audit::AuditLog, super::Failure> {
    Ok(crate::audit::AuditLog::new(
        resolve_paths(policy_flag)?.audit_file,
    ))
}
