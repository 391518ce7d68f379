//! Several OS accounts sharing one gate store, as on a bastion host: a `gatetest` group, accounts `gate-alice`,
//! `gate-bob`, `gate-carol` and `gate-dave` in it, and a setgid directory of that group for config, policy, store and
//! audit. Creating accounts needs root, which CI is.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const GROUP: &str = "gatetest";
pub const USERS: [&str; 4] = ["gate-alice", "gate-bob", "gate-carol", "gate-dave"];

/// A shared gate home and a copy of the binary every account can run.
pub struct Shared {
    pub dir: tempfile::TempDir,
    pub gate: PathBuf,
}

/// Creates the group and accounts once per test process: tests run in parallel threads, and concurrent `useradd`s
/// fight over the lock on /etc/passwd.
fn ensure_accounts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(create_accounts);
}

fn create_accounts() {
    let _ = Command::new("groupadd").args(["-f", GROUP]).status();
    for user in USERS {
        let exists = Command::new("id")
            .arg(user)
            .output()
            .is_ok_and(|o| o.status.success());
        if !exists {
            let status = Command::new("useradd")
                .args(["-M", "-N", "-g", GROUP, "-s", "/bin/sh", user])
                .status()
                .expect("useradd");
            assert!(status.success(), "useradd {user}");
        }
    }
}

impl Shared {
    /// Returns `None` when not root: only root can create the accounts these tests need. CI runs as root, so
    /// there the tests fail rather than skip.
    pub fn new(policy: &str) -> Option<Shared> {
        if !super::is_root() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs as root and must run the multi-account tests"
            );
            eprintln!("skipping: creating OS accounts needs root");
            return None;
        }
        ensure_accounts();
        let dir = tempfile::Builder::new()
            .prefix("gate-shared-")
            .tempdir()
            .unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        let status = Command::new("chgrp")
            .arg(GROUP)
            .arg(&home)
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o2770)).unwrap();
        std::fs::write(home.join("policy.yaml"), policy).unwrap();
        std::fs::set_permissions(
            home.join("policy.yaml"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let gate = dir.path().join("gate");
        std::fs::copy(assert_cmd::cargo::cargo_bin("gate"), &gate).unwrap();
        std::fs::set_permissions(&gate, std::fs::Permissions::from_mode(0o755)).unwrap();
        Some(Shared { dir, gate })
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// `gate ARGS…` as `user`, in the shared home.
    pub fn as_user(&self, user: &str) -> Command {
        let mut cmd = Command::new("runuser");
        cmd.args([
            "-u",
            user,
            "--",
            "env",
            "-u",
            "GATE_POLICY",
            "-u",
            "GATE_AGENT",
        ])
        .arg(format!("GATE_HOME={}", self.home().display()))
        .arg("NO_COLOR=1")
        .arg(&self.gate)
        .current_dir(self.dir.path());
        cmd
    }

    pub fn records(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.home().join("audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}
