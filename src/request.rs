//! A request is everything gate knows about one command before it decides: the exact argv, where it runs, who
//! asked and why. It is built once from values the caller supplies (no I/O here), and its binding digest is what an
//! approval is bound to.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// Environment variables that change what a wrapped command does, and so belong to the request, its digest and
/// what the classifier sees. `PATH` and the loader variables decide which binary runs; the tools' own variables
/// name targets, credentials and the startup files they read (`PSQLRC`, `BASH_ENV`, `ENV`, exported
/// `BASH_FUNC_*%%` functions); the pager and editor variables name programs a client may start.
const RELEVANT_PREFIXES: &[&str] = &[
    "PG",
    "PSQL",
    "MYSQL",
    "MARIADB",
    "REDISCLI_",
    "MONGO",
    "AWS_",
    "KUBE",
    "TF_",
    "CLICKHOUSE_",
    "SQLITE",
    "DOCKER_",
    "SUDO_",
    "BASH_",
    "LD_",
    "LC_",
    "LESS",
    "PERL",
    "LIBMYSQL_",
    "NODE_",
];
const RELEVANT_NAMES: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "CDPATH",
    "GLOBIGNORE",
    "PAGER",
    "EDITOR",
    "VISUAL",
    "XDG_CONFIG_HOME",
    "GCONV_PATH",
    "LOCPATH",
    "NLSPATH",
    "HOSTALIASES",
    "POSIXLY_CORRECT",
    "LANG",
];

/// Whether a variable of the caller's environment is part of the request.
pub fn is_relevant_env(name: &str) -> bool {
    RELEVANT_NAMES.contains(&name) || RELEVANT_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// The person (and, optionally, the agent acting for them) who asked for a command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    /// The OS account, resolved from the real uid. Never taken from a flag or a variable.
    pub user: String,
    /// The agent acting for `user`, from `--agent` or `GATE_AGENT`.
    pub agent: Option<String>,
}

impl std::fmt::Display for Requester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.agent {
            Some(agent) => write!(f, "agent {agent} for user {}", self.user),
            None => f.write_str(&self.user),
        }
    }
}

/// One command that gate has been asked to run.
#[derive(Clone, Debug)]
pub struct Request {
    pub argv: Vec<String>,
    pub cwd: String,
    /// Only the variables for which [`is_relevant_env`] holds, sorted by name.
    pub env: BTreeMap<String, String>,
    pub requester: Requester,
    pub reason: Option<String>,
}

impl Request {
    /// The program's base name, as a policy's `tools` match sees it.
    pub fn program(&self) -> &str {
        self.argv
            .first()
            .map_or("", |p| p.rsplit('/').next().unwrap_or(p))
    }
}

/// A file's identity: what changes when the file is replaced, rewritten or made writable by others. Small files
/// (scripts, most client binaries) also carry a digest of their content, which an owner who keeps the size and
/// resets the mtime cannot forge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileIdentity {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime: i64,
    pub mtime_nsec: i64,
    pub mode: u32,
    pub uid: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sha256: Option<String>,
}

/// Where one program name led when gate looked it up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Located {
    /// An executable file. `path` is where the name led (what gate executes), `canonical` the file itself after
    /// every symbolic link.
    Found {
        path: String,
        canonical: String,
        trusted: bool,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        why: Option<String>,
        identity: FileIdentity,
    },
    /// Something is there, but it cannot be executed.
    NotExecutable { path: String, why: String },
    /// Nothing by that name.
    Missing { why: String },
}

/// One program lookup: the name, the `PATH` and directory it was looked up with, and what it led to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramSeen {
    pub name: String,
    pub search_path: Option<String>,
    pub cwd: String,
    pub located: Located,
}

/// What one file gate looked for was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InputState {
    Found { sha256: String },
    Absent,
    Unreadable { why: String },
}

impl InputState {
    /// Whether a later look saw the same thing. Unreadable files match on being unreadable, whatever the words.
    pub fn same_as(&self, other: &InputState) -> bool {
        match (self, other) {
            (InputState::Unreadable { .. }, InputState::Unreadable { .. }) => true,
            _ => self == other,
        }
    }
}

/// One file gate looked for, by its absolute path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSeen {
    pub path: String,
    #[serde(flatten)]
    pub state: InputState,
}

/// Everything gate looked at outside the request while judging it: the programs its names led to (the command's
/// own first) and the files it read or looked for, in order. It is bound into the digest, and checked again
/// just before the command runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub programs: Vec<ProgramSeen>,
    pub inputs: Vec<InputSeen>,
}

/// The canonical form that the binding digest is taken over. Field order is fixed by the struct, and maps are
/// sorted, so the same request always encodes to the same bytes.
#[derive(Serialize)]
struct Binding<'a> {
    v: u8,
    argv: &'a [String],
    cwd: &'a str,
    env: &'a BTreeMap<String, String>,
    stdin: Option<&'a str>,
    user: &'a str,
    agent: Option<&'a str>,
    target: &'a serde_json::Value,
    policy: &'a str,
    evidence: &'a Evidence,
}

/// SHA-256 over the unredacted request, the digest of the stdin gate read (if any), the target it resolved, the
/// digest of the policy that judged it, and what gate saw: the programs it resolved (path and file identity) and
/// every file it read (path and digest) or found absent. Change one byte of any of them and an approval no longer
/// applies.
pub fn binding_digest(
    request: &Request,
    stdin_digest: Option<&str>,
    target: &serde_json::Value,
    policy_digest: &str,
    evidence: &Evidence,
) -> String {
    let binding = Binding {
        v: 2,
        argv: &request.argv,
        cwd: &request.cwd,
        env: &request.env,
        stdin: stdin_digest,
        user: &request.requester.user,
        agent: request.requester.agent.as_deref(),
        target,
        policy: policy_digest,
        evidence,
    };
    let bytes = serde_json::to_vec(&binding).expect("a binding always serialises");
    sha256_tagged(&bytes)
}

/// `sha256:<hex>` of some bytes: the one digest notation gate prints and stores.
pub fn sha256_tagged(bytes: &[u8]) -> String {
    sha256_tagged_parts(&[bytes])
}

/// [`sha256_tagged`] of the parts one after another, without joining them first.
pub fn sha256_tagged_parts(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    format!("sha256:{}", hex(&hasher.finalize()))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(argv: &[&str]) -> Request {
        Request {
            argv: argv.iter().map(ToString::to_string).collect(),
            cwd: "/srv".into(),
            env: BTreeMap::from([("PGHOST".to_string(), "db".to_string())]),
            requester: Requester {
                user: "alice".into(),
                agent: None,
            },
            reason: None,
        }
    }

    #[test]
    fn digest_changes_with_every_bound_field() {
        let target = serde_json::json!({"host": "db"});
        let none = Evidence::default();
        let base = request(&["psql", "-c", "SELECT 1"]);
        let d0 = binding_digest(&base, None, &target, "p1", &none);
        assert_eq!(
            d0,
            binding_digest(&base.clone(), None, &target, "p1", &none),
            "deterministic"
        );
        assert!(d0.starts_with("sha256:") && d0.len() == 7 + 64);

        let mut changed = base.clone();
        changed.argv[2] = "SELECT 2".into();
        assert_ne!(d0, binding_digest(&changed, None, &target, "p1", &none));
        let mut changed = base.clone();
        changed.cwd = "/tmp".into();
        assert_ne!(d0, binding_digest(&changed, None, &target, "p1", &none));
        let mut changed = base.clone();
        changed.env.insert("PGPORT".into(), "6432".into());
        assert_ne!(d0, binding_digest(&changed, None, &target, "p1", &none));
        let mut changed = base.clone();
        changed.requester.agent = Some("claude".into());
        assert_ne!(d0, binding_digest(&changed, None, &target, "p1", &none));
        assert_ne!(
            d0,
            binding_digest(&base, Some("sha256:00"), &target, "p1", &none)
        );
        assert_ne!(d0, binding_digest(&base, None, &target, "p2", &none));
        // The reason is what a person says about the command, not the command: it does not bind.
        let mut changed = base.clone();
        changed.reason = Some("INC-1".into());
        assert_eq!(d0, binding_digest(&changed, None, &target, "p1", &none));

        // What gate saw binds too: a script's content, a startup file appearing, the program's file.
        let script = |state: InputState| Evidence {
            inputs: vec![InputSeen {
                path: "/srv/a.sql".into(),
                state,
            }],
            ..Evidence::default()
        };
        let found = |digest: &str| {
            script(InputState::Found {
                sha256: digest.into(),
            })
        };
        let d1 = binding_digest(&base, None, &target, "p1", &found("sha256:aa"));
        assert_ne!(d0, d1);
        assert_ne!(
            d1,
            binding_digest(&base, None, &target, "p1", &found("sha256:ab"))
        );
        assert_ne!(
            binding_digest(&base, None, &target, "p1", &script(InputState::Absent)),
            d1
        );
        let program = |ino: u64| Evidence {
            programs: vec![ProgramSeen {
                name: "psql".into(),
                search_path: Some("/usr/bin".into()),
                cwd: "/srv".into(),
                located: Located::Found {
                    path: "/usr/bin/psql".into(),
                    canonical: "/usr/bin/psql".into(),
                    trusted: true,
                    why: None,
                    identity: FileIdentity {
                        dev: 1,
                        ino,
                        size: 10,
                        mtime: 0,
                        mtime_nsec: 0,
                        mode: 0o100_755,
                        uid: 0,
                        sha256: None,
                    },
                },
            }],
            ..Evidence::default()
        };
        assert_ne!(
            binding_digest(&base, None, &target, "p1", &program(1)),
            binding_digest(&base, None, &target, "p1", &program(2))
        );
    }

    #[test]
    fn relevant_env_covers_targets_credentials_and_binary_lookup() {
        for name in [
            "PGHOST",
            "PGPASSWORD",
            "MYSQL_PWD",
            "PATH",
            "LD_PRELOAD",
            "LD_AUDIT",
            "AWS_PROFILE",
            "PSQLRC",
            "BASH_ENV",
            "ENV",
            "BASH_FUNC_psql%%",
            "PAGER",
            "PERL5OPT",
            "LESSOPEN",
            "LC_ALL",
            "POSIXLY_CORRECT",
            "NODE_OPTIONS",
        ] {
            assert!(is_relevant_env(name), "{name}");
        }
        for name in ["TERM", "SHELL", "GATE_HOME"] {
            assert!(!is_relevant_env(name), "{name}");
        }
    }
}
