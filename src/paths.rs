//! Where gate keeps its files (DESIGN §3). System mode (an `/etc/gate/config.yaml` exists) fixes the policy, the
//! audit file and the store, and nothing a user sets can move them. Otherwise `$GATE_HOME` holds everything, or
//! the platform's user directories do.

use std::path::{Path, PathBuf};

/// How the paths were chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `/etc/gate/config.yaml` exists: an administrator set gate up for every account on this host.
    System,
    /// `$GATE_HOME` names one directory for everything.
    Home,
    /// The account's own config and state directories.
    User,
}

/// The inputs that choose the paths, read by the caller from the process environment.
#[derive(Clone, Debug, Default)]
pub struct PathEnv {
    pub gate_home: Option<PathBuf>,
    pub gate_policy: Option<PathBuf>,
    /// The platform's per-user config directory for gate (e.g. `~/.config/gate`).
    pub user_config_dir: Option<PathBuf>,
    /// The platform's per-user state directory for gate (e.g. `~/.local/state/gate`).
    pub user_state_dir: Option<PathBuf>,
}

impl PathEnv {
    /// Reads `GATE_HOME`, `GATE_POLICY` and the platform's user directories.
    pub fn from_process() -> Self {
        let dirs = directories::ProjectDirs::from("", "", "gate");
        PathEnv {
            gate_home: std::env::var_os("GATE_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            gate_policy: std::env::var_os("GATE_POLICY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            user_config_dir: dirs.as_ref().map(|d| d.config_dir().to_path_buf()),
            user_state_dir: dirs.as_ref().map(|d| {
                d.state_dir()
                    .unwrap_or_else(|| d.data_local_dir())
                    .to_path_buf()
            }),
        }
    }
}

/// Every path gate uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub mode: Mode,
    pub config_dir: PathBuf,
    pub config_file: PathBuf,
    pub state_dir: PathBuf,
    pub audit_file: PathBuf,
    /// The system policy, when one exists. It is always in force and can only be made stricter.
    pub system_policy: Option<PathBuf>,
    /// The policy the user chose (`--policy`, `$GATE_POLICY`), or the one in their config directory.
    pub user_policy: Option<PathBuf>,
    /// Where `gate init` writes the starter policy.
    pub default_policy: PathBuf,
}

/// Why the paths could not be worked out.
#[derive(Debug, thiserror::Error)]
#[error("cannot tell where gate's files go: no GATE_HOME and no home directory")]
pub struct PathsError;

impl crate::exit::Diagnostic for PathsError {
    fn exit(&self) -> crate::exit::Exit {
        crate::exit::Exit::Config
    }

    fn hint(&self) -> Option<String> {
        Some("set GATE_HOME to a directory gate may use".into())
    }
}

/// Works out the paths. `system_root` is `/` in production; tests pass a temporary directory.
/// `policy_flag` is `--policy FILE`, which outranks `$GATE_POLICY`.
pub fn resolve(
    system_root: &Path,
    env: &PathEnv,
    policy_flag: Option<&Path>,
) -> Result<Paths, PathsError> {
    let etc = system_root.join("etc/gate");
    let system_policy = Some(etc.join("policy.yaml")).filter(|p| p.is_file());
    let chosen = policy_flag
        .map(Path::to_path_buf)
        .or_else(|| env.gate_policy.clone());
    if etc.join("config.yaml").is_file() {
        let state_dir = system_root.join("var/lib/gate");
        return Ok(Paths {
            mode: Mode::System,
            config_file: etc.join("config.yaml"),
            audit_file: state_dir.join("audit.jsonl"),
            state_dir,
            default_policy: etc.join("policy.yaml"),
            system_policy,
            user_policy: chosen,
            config_dir: etc,
        });
    }
    let (mode, config_dir, state_dir) =
        match (&env.gate_home, &env.user_config_dir, &env.user_state_dir) {
            (Some(home), _, _) => (Mode::Home, home.clone(), home.clone()),
            (None, Some(config), Some(state)) => (Mode::User, config.clone(), state.clone()),
            _ => return Err(PathsError),
        };
    let default_policy = config_dir.join("policy.yaml");
    let user_policy = chosen.or_else(|| Some(default_policy.clone()).filter(|p| p.is_file()));
    Ok(Paths {
        mode,
        config_file: config_dir.join("config.yaml"),
        audit_file: state_dir.join("audit.jsonl"),
        state_dir,
        default_policy,
        system_policy,
        user_policy,
        config_dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "version: 1\n").unwrap();
    }

    #[test]
    fn gate_home_holds_everything() {
        let root = tempfile::tempdir().unwrap();
        let home = root.path().join("home");
        let env = PathEnv {
            gate_home: Some(home.clone()),
            ..PathEnv::default()
        };
        let p = resolve(root.path(), &env, None).unwrap();
        assert_eq!(p.mode, Mode::Home);
        assert_eq!(p.audit_file, home.join("audit.jsonl"));
        assert_eq!(p.user_policy, None, "no policy file yet");
        write(&home.join("policy.yaml"));
        let p = resolve(root.path(), &env, None).unwrap();
        assert_eq!(p.user_policy, Some(home.join("policy.yaml")));
    }

    #[test]
    fn flag_outranks_variable_outranks_config_dir() {
        let root = tempfile::tempdir().unwrap();
        let env = PathEnv {
            user_config_dir: Some(root.path().join("cfg")),
            user_state_dir: Some(root.path().join("state")),
            gate_policy: Some("/from/env.yaml".into()),
            ..PathEnv::default()
        };
        write(&root.path().join("cfg/policy.yaml"));
        let p = resolve(root.path(), &env, Some(Path::new("/from/flag.yaml"))).unwrap();
        assert_eq!(p.mode, Mode::User);
        assert_eq!(p.user_policy.as_deref(), Some(Path::new("/from/flag.yaml")));
        let p = resolve(root.path(), &env, None).unwrap();
        assert_eq!(p.user_policy.as_deref(), Some(Path::new("/from/env.yaml")));
        assert_eq!(p.audit_file, root.path().join("state/audit.jsonl"));
    }

    #[test]
    fn system_mode_fixes_audit_and_keeps_the_system_policy() {
        let root = tempfile::tempdir().unwrap();
        write(&root.path().join("etc/gate/config.yaml"));
        write(&root.path().join("etc/gate/policy.yaml"));
        let env = PathEnv {
            gate_home: Some(root.path().join("elsewhere")),
            ..PathEnv::default()
        };
        let p = resolve(root.path(), &env, Some(Path::new("/tmp/mine.yaml"))).unwrap();
        assert_eq!(p.mode, Mode::System);
        assert_eq!(
            p.audit_file,
            root.path().join("var/lib/gate/audit.jsonl"),
            "GATE_HOME cannot move it"
        );
        assert_eq!(
            p.system_policy,
            Some(root.path().join("etc/gate/policy.yaml"))
        );
        assert_eq!(
            p.user_policy.as_deref(),
            Some(Path::new("/tmp/mine.yaml")),
            "kept, but only to add strictness"
        );
    }

    #[test]
    fn nowhere_to_go_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        assert!(resolve(root.path(), &PathEnv::default(), None).is_err());
    }
}
