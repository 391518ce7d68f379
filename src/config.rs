//! `config.yaml`: what is not policy. Where the shared store lives, which broker to use, and which directories
//! besides the system ones hold tools gate may recognise by name. Unknown keys are errors here too.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::policy::parse::{PolicyError, from_yaml};

#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// A directory for the local approval store, for a store shared by several accounts.
    pub store: Option<PathBuf>,
    /// Use a `gate serve` broker instead of the local store.
    pub backend: Option<Backend>,
    /// What to call when a request waits past its rule's `escalate_after`.
    pub escalation: Option<Escalation>,
    /// Directories, besides the system ones, whose programs gate recognises by name (`/opt/pg/bin`, or
    /// `/opt/*/bin` with `*` for one component). Their files must still be root-owned and not writable by others.
    #[serde(default)]
    pub trusted_paths: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// A program and its arguments; it gets the request as JSON on stdin.
    pub command: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    pub url: String,
    pub token_file: PathBuf,
    /// How long a waiting `gate run` keeps trying a broker it cannot reach before it fails closed (default 10s).
    pub retry_for: Option<String>,
}

impl Backend {
    pub fn retry_for(&self) -> std::time::Duration {
        self.retry_for
            .as_deref()
            .and_then(crate::policy::parse_duration)
            .unwrap_or(std::time::Duration::from_secs(10))
    }
}

impl Config {
    /// Loads the config file; a missing file is the empty config.
    pub fn load(path: &Path) -> Result<Config, PolicyError> {
        match std::fs::read_to_string(path) {
            Ok(text) if text.trim().is_empty() => Ok(Config::default()),
            Ok(text) => {
                let origin = path.display().to_string();
                let config: Config = from_yaml(&text, &origin)?;
                if let Some(b) = &config.backend {
                    let retry = b.retry_for.as_deref().unwrap_or("10s");
                    if crate::policy::parse_duration(retry).is_none() {
                        return Err(PolicyError::Invalid {
                            line: text
                                .lines()
                                .position(|l| l.contains("retry_for"))
                                .map_or(1, |i| i as u64 + 1),
                            column: 1,
                            origin,
                            message: format!(
                                "`retry_for: {retry}` is not a duration like 10s or 1m"
                            ),
                            hint: Some("e.g. retry_for: 30s".into()),
                        });
                    }
                }
                for dir in &config.trusted_paths {
                    if let Some(problem) = trusted_path_problem(dir) {
                        return Err(PolicyError::Invalid {
                            line: line_of_entry(&text, dir),
                            column: 1,
                            origin,
                            message: format!("trusted_paths: `{dir}` {problem}"),
                            hint: Some(
                                "list absolute directories, e.g. trusted_paths: [/opt/postgresql/16/bin, \"/opt/*/bin\"]"
                                    .into(),
                            ),
                        });
                    }
                }
                Ok(config)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(PolicyError::Read {
                origin: path.display().to_string(),
                source,
            }),
        }
    }
}

/// The line of `trusted_paths` entry `dir`: the first line from the key on that holds it.
fn line_of_entry(text: &str, dir: &str) -> u64 {
    let lines: Vec<&str> = text.lines().collect();
    let key = lines
        .iter()
        .position(|l| l.contains("trusted_paths"))
        .unwrap_or(0);
    lines[key..]
        .iter()
        .position(|l| l.contains(dir))
        .map_or(key as u64 + 1, |i| (key + i) as u64 + 1)
}

/// What is wrong with a `trusted_paths` entry, if anything. An entry says exactly where: absolute, no `.`, `..`
/// or empty components (they would make the text mean a directory other than the one a reader sees), and a `*`
/// only as a whole component. `/` itself is refused: it would trust every directory.
fn trusted_path_problem(dir: &str) -> Option<&'static str> {
    let Some(rest) = dir.strip_prefix('/') else {
        return Some("is not an absolute path");
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Some("would trust every directory");
    }
    for component in rest.split('/') {
        match component {
            "" => return Some("has an empty component (`//`)"),
            "." | ".." => return Some("has a `.` or `..` component"),
            c if c != "*" && c.contains(['*', '?', '[', ']']) => {
                return Some("has a pattern other than a whole-component `*`");
            }
            _ => {}
        }
    }
    None
}

/// The config `gate init` writes.
pub const STARTER: &str = "\
# gate configuration: what is not policy. Unknown keys are errors.
#
# store: /srv/gate/store          # a directory for the local approval store shared by several accounts
# escalation:                     # run this with the request as JSON on stdin when it waits past escalate_after
#   command: [/usr/local/bin/page-oncall, --team, dba]
# backend:                        # send requests to a `gate serve` broker instead of the local store
#   url: https://gate.example.com
#   token_file: /home/me/.config/gate/token   # the requester or reviewer token `gate serve token create` printed
#   retry_for: 10s                # how long a waiting run retries an unreachable broker before exiting 75
# trusted_paths:                  # directories besides /usr/bin, /usr/local/bin, ... whose tools gate recognises
#   - /opt/postgresql/16/bin      # by name; `*` is one component; files there must be root-owned, not writable
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Diagnostic as _;

    #[test]
    fn loads_strictly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        assert_eq!(Config::load(&path).unwrap(), Config::default());
        std::fs::write(&path, STARTER).unwrap();
        assert_eq!(Config::load(&path).unwrap(), Config::default());
        std::fs::write(
            &path,
            "store: /srv/gate\nbackend: {url: 'http://x', token_file: /t}\n",
        )
        .unwrap();
        let c = Config::load(&path).unwrap();
        assert_eq!(c.store.as_deref(), Some(Path::new("/srv/gate")));
        std::fs::write(
            &path,
            "backend:\n  url: 'http://x'\n  token_file: /t\n  retry_for: soon\n",
        )
        .unwrap();
        let e = Config::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("config.yaml:4:1: `retry_for: soon` is not a duration"),
            "{e}"
        );
        std::fs::write(&path, "trusted_paths: [/opt/pg/bin, \"/opt/*/bin\"]\n").unwrap();
        assert_eq!(
            Config::load(&path).unwrap().trusted_paths,
            ["/opt/pg/bin", "/opt/*/bin"]
        );
        for bad in ["opt/bin", "/", "/opt/../tmp", "/opt//bin", "/opt/b*n"] {
            std::fs::write(&path, format!("store: /s\ntrusted_paths:\n  - \"{bad}\"\n")).unwrap();
            let e = Config::load(&path).unwrap_err();
            assert!(
                e.to_string()
                    .contains(&format!("config.yaml:3:1: trusted_paths: `{bad}`")),
                "{bad}: {e}"
            );
            assert_eq!(e.exit(), crate::exit::Exit::Config);
        }
        std::fs::write(&path, "stor: /srv/gate\n").unwrap();
        let e = Config::load(&path).unwrap_err().to_string();
        assert!(e.contains("config.yaml:1:1: unknown field `stor`"), "{e}");
    }
}
