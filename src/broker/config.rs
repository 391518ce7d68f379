//! `gate serve --config FILE`: where the broker listens, which store it keeps, and how long links and sessions
//! live. Parsed as strictly as the policy: unknown keys are errors with a line number.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::exit::{Diagnostic, Exit};
use crate::policy::parse::{PolicyError, from_yaml};

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// The address to listen on (default 127.0.0.1:8088).
    pub listen: Option<SocketAddr>,
    /// The base of every link the broker hands out, as reviewers reach it (default: `http://<listen>`).
    pub public_url: Option<String>,
    #[serde(default)]
    pub store: StoreConfig,
    /// Run this with the request as JSON on stdin when a request waits past its rule's `escalate_after`.
    pub escalation: Option<crate::config::Escalation>,
    /// How long a signed review link stays usable (default 15m).
    pub link_ttl: Option<String>,
    /// How long a web login lasts (default 12h).
    pub session_ttl: Option<String>,
    /// Where requests are announced and who is paged (DESIGN §4 "Channels").
    #[serde(default)]
    pub channels: ChannelsConfig,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ChannelsConfig {
    /// Signed webhooks by name, for `notify: [webhook:NAME]`.
    #[serde(default)]
    pub webhooks: std::collections::BTreeMap<String, WebhookConfig>,
    /// PagerDuty Events API v2, for `escalate: pagerduty`.
    pub pagerduty: Option<PagerDutyConfig>,
    /// A Slack app, for `notify: ['slack:#channel']`.
    pub slack: Option<SlackConfig>,
    /// Teams Workflows webhooks: one (`notify: [teams]`), or several by name (`notify: ['teams:NAME']`).
    pub teams: Option<TeamsConfig>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// Default `https://slack.com/api`.
    pub api_url: Option<String>,
    pub bot_token_file: PathBuf,
    pub signing_secret_file: PathBuf,
    /// The workspace whose clicks count; any other team's are refused.
    pub team_id: String,
    /// Slack user id → gate identity. Users not listed are looked up with `users.info` and known by their email.
    #[serde(default)]
    pub users: std::collections::BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum TeamsConfig {
    One(TeamsWorkflow),
    Named(std::collections::BTreeMap<String, TeamsWorkflow>),
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TeamsWorkflow {
    /// A file holding the workflow's URL (it carries a signature, so it is a secret).
    pub workflow_url_file: PathBuf,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// A Standard Webhooks secret (`whsec_` and base64).
    pub secret_file: PathBuf,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyConfig {
    /// Default `https://events.pagerduty.com/v2/enqueue`.
    pub events_url: Option<String>,
    pub routing_key_file: PathBuf,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// A directory for the SQLite store (default: gate's state directory).
    pub sqlite: Option<PathBuf>,
    /// A PostgreSQL connection string (`host=… user=… dbname=…` or `postgres://…`).
    pub postgres: Option<String>,
    /// A file holding the connection string, for one that carries a password.
    pub postgres_file: Option<PathBuf>,
}

/// The store the broker will open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreChoice {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum ServeConfigError {
    #[error(transparent)]
    Parse(#[from] PolicyError),
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Diagnostic for ServeConfigError {
    fn exit(&self) -> Exit {
        Exit::Config
    }

    fn hint(&self) -> Option<String> {
        match self {
            ServeConfigError::Parse(e) => e.hint(),
            ServeConfigError::Invalid { .. } => {
                Some("docs/api.md describes the broker's config".into())
            }
            ServeConfigError::Read { .. } => Some("check the path and its permissions".into()),
        }
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8088";

impl ServeConfig {
    /// Reads `path`; `None` is the default config.
    pub fn load(path: Option<&Path>) -> Result<ServeConfig, ServeConfigError> {
        let Some(path) = path else {
            return Ok(ServeConfig::default());
        };
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ServeConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let config: ServeConfig = if text.trim().is_empty() {
            ServeConfig::default()
        } else {
            from_yaml(&text, &origin)?
        };
        config.check(&origin)?;
        Ok(config)
    }

    fn check(&self, origin: &str) -> Result<(), ServeConfigError> {
        let invalid = |message: String| ServeConfigError::Invalid {
            origin: origin.to_string(),
            message,
        };
        let stores = [
            self.store.sqlite.is_some(),
            self.store.postgres.is_some(),
            self.store.postgres_file.is_some(),
        ];
        if stores.iter().filter(|s| **s).count() > 1 {
            return Err(invalid(
                "`store` names more than one of sqlite, postgres and postgres_file".into(),
            ));
        }
        for (key, value) in [
            ("link_ttl", &self.link_ttl),
            ("session_ttl", &self.session_ttl),
        ] {
            if let Some(v) = value
                && crate::policy::parse_duration(v).is_none_or(|d| d.is_zero())
            {
                return Err(invalid(format!(
                    "`{key}: {v}` is not a duration like 15m or 12h"
                )));
            }
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(invalid(format!(
                "`public_url: {url}` must start with http:// or https://"
            )));
        }
        Ok(())
    }

    /// Why a rule's `notify:` channel or `escalate:` target has nowhere to go on this broker, if it does not.
    pub fn channel_problem(&self, channel: &str) -> Option<String> {
        let c = &self.channels;
        let (kind, name) = channel.split_once(':').unwrap_or((channel, ""));
        match kind {
            "slack" => c
                .slack
                .is_none()
                .then(|| "`channels.slack` is not configured".to_string()),
            "webhook" => (!c.webhooks.contains_key(name))
                .then(|| format!("`channels.webhooks` has no `{name}`")),
            "teams" => match &c.teams {
                None => Some("`channels.teams` is not configured".to_string()),
                Some(TeamsConfig::One(_)) if !name.is_empty() => Some(format!(
                    "`channels.teams` is one workflow, not a map with `{name}`"
                )),
                Some(TeamsConfig::Named(m)) if !m.contains_key(name) => Some(format!(
                    "`channels.teams` has no `{}`",
                    if name.is_empty() { "(unnamed)" } else { name }
                )),
                Some(_) => None,
            },
            "pagerduty" => c
                .pagerduty
                .is_none()
                .then(|| "`channels.pagerduty` is not configured".to_string()),
            _ => Some(format!("gate has no channel `{kind}`")),
        }
    }

    /// Which store to open; `state_dir` is the default SQLite directory.
    pub fn store_choice(&self, state_dir: &Path) -> Result<StoreChoice, ServeConfigError> {
        if let Some(url) = &self.store.postgres {
            return Ok(StoreChoice::Postgres(url.clone()));
        }
        if let Some(file) = &self.store.postgres_file {
            let text = std::fs::read_to_string(file).map_err(|source| ServeConfigError::Read {
                path: file.clone(),
                source,
            })?;
            return Ok(StoreChoice::Postgres(text.trim().to_string()));
        }
        Ok(StoreChoice::Sqlite(
            self.store
                .sqlite
                .clone()
                .unwrap_or_else(|| state_dir.join("broker")),
        ))
    }

    pub fn link_ttl(&self) -> Duration {
        duration_or(self.link_ttl.as_deref(), 15 * 60)
    }

    pub fn session_ttl(&self) -> Duration {
        duration_or(self.session_ttl.as_deref(), 12 * 3600)
    }
}

fn duration_or(text: Option<&str>, default_secs: u64) -> Duration {
    text.and_then(crate::policy::parse_duration)
        .unwrap_or(Duration::from_secs(default_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_defaulted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("serve.yaml");
        std::fs::write(
            &path,
            "listen: 127.0.0.1:0\nstore: {postgres: 'host=/tmp dbname=gate'}\n",
        )
        .unwrap();
        let c = ServeConfig::load(Some(&path)).unwrap();
        assert_eq!(
            c.store_choice(dir.path()).unwrap(),
            StoreChoice::Postgres("host=/tmp dbname=gate".into())
        );
        assert_eq!(c.link_ttl(), Duration::from_secs(900));
        std::fs::write(&path, "listen: 127.0.0.1:0\nstor: {}\n").unwrap();
        let e = ServeConfig::load(Some(&path)).unwrap_err().to_string();
        assert!(e.contains("serve.yaml:2:1: unknown field `stor`"), "{e}");
        std::fs::write(
            &path,
            "channels:\n  teams: {workflow_url_file: /t}\n  slack: {bot_token_file: /b, signing_secret_file: /s, team_id: T1}\n",
        )
        .unwrap();
        let c = ServeConfig::load(Some(&path)).unwrap();
        assert!(matches!(c.channels.teams, Some(TeamsConfig::One(_))));
        std::fs::write(
            &path,
            "channels:\n  teams: {ops: {workflow_url_file: /t}, dba: {workflow_url_file: /u}}\n",
        )
        .unwrap();
        let c = ServeConfig::load(Some(&path)).unwrap();
        assert!(matches!(c.channels.teams, Some(TeamsConfig::Named(ref m)) if m.len() == 2));
        std::fs::write(&path, "store: {sqlite: /a, postgres: b}\n").unwrap();
        let e = ServeConfig::load(Some(&path)).unwrap_err().to_string();
        assert!(e.contains("more than one"), "{e}");
        std::fs::write(&path, "link_ttl: soon\n").unwrap();
        let e = ServeConfig::load(Some(&path)).unwrap_err().to_string();
        assert!(e.contains("`link_ttl: soon`"), "{e}");
        assert_eq!(
            ServeConfig::default().store_choice(dir.path()).unwrap(),
            StoreChoice::Sqlite(dir.path().join("broker"))
        );
    }
}
