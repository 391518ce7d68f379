//! Shared test harness: the real `gate` binary in a throwaway `GATE_HOME`, and a real PostgreSQL.
#![allow(dead_code)]

pub mod accounts;
pub mod broker;
pub mod mock;
pub mod postgres;
pub mod redis;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A throwaway gate installation: its own GATE_HOME with policy, config, state and audit.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Home {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A home with this policy text in `policy.yaml`.
    pub fn with_policy(policy: &str) -> Self {
        let home = Home::new();
        home.write("policy.yaml", policy);
        home
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, text).expect("write fixture");
        path
    }

    pub fn audit_file(&self) -> PathBuf {
        self.path().join("audit.jsonl")
    }

    /// The audit records written so far.
    pub fn records(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.audit_file())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit lines are JSON"))
            .collect()
    }

    /// `gate` with this home and a clean environment for the variables gate reads.
    pub fn gate(&self) -> Command {
        Command::from_std(self.gate_std())
    }

    /// A plain std Command for the same binary, for tests that need signals or parallel processes.
    pub fn gate_std(&self) -> std::process::Command {
        self.std_command(assert_cmd::cargo::cargo_bin("gate"))
    }

    /// Any program, with this home's environment (a shell that runs gate, say).
    pub fn std_command(&self, program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.env("GATE_HOME", self.path())
            .env("NO_COLOR", "1")
            .env_remove("GATE_POLICY")
            .env_remove("GATE_AGENT")
            .current_dir(self.path());
        cmd
    }
}

/// The policy the attack tests judge under (issue 12): reads are allowed, everything else is refused, and so is
/// whatever gate does not understand.
pub const READS_ONLY: &str = "version: 1
defaults: {decision: deny, unknown: deny}
rules:
  - name: reads
    match: {kinds: [read]}
    decision: allow
";

/// A policy that allows the named tools outright and reads everywhere, and denies destructive writes.
pub fn allow_tools(tools: &[&str]) -> String {
    format!(
        r#"version: 1
defaults: {{decision: approve, unknown: approve, environment: production}}
environments:
  dev: {{hosts: [localhost, "/tmp/*"]}}
rules:
  - name: tools
    match: {{tools: [{}]}}
    decision: allow
  - name: commands
    match: {{commands: [{}]}}
    decision: allow
  - name: reads
    match: {{kinds: [read]}}
    decision: allow
  - name: no-destruction
    match: {{kinds: [destructive_write]}}
    decision: deny
    message: destructive writes are refused in tests
"#,
        tools.join(", "),
        tools
            .iter()
            .map(|t| format!("\"{t} *\""))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Whether this process runs as root (CI does).
pub fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}

/// What a program has written so far, collected by a background thread: for driving prompts on a pty.
pub type Screen = std::sync::Arc<std::sync::Mutex<String>>;

/// Starts collecting everything `out` produces.
pub fn read_screen(mut out: impl std::io::Read + Send + 'static) -> Screen {
    let screen = Screen::default();
    let sink = std::sync::Arc::clone(&screen);
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    screen
}

/// Waits until the screen shows `needle`, failing the test after 20 s.
pub fn wait_for(screen: &Screen, needle: &str) {
    let started = std::time::Instant::now();
    while !screen.lock().unwrap().contains(needle) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "`{needle}` never appeared: {}",
            screen.lock().unwrap()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The `id` of each JSON line a `--json` command printed, in order.
pub fn json_ids(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("a JSON line")["id"]
                .as_str()
                .expect("an id")
                .to_string()
        })
        .collect()
}
