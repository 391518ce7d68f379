//! `gate run` through the real binary: the exit-code contract, stdio and signals, and fail-closed bad input.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Home, allow_tools};
use predicates::prelude::*;

#[test]
fn allowed_commands_pass_status_and_stdio_through() {
    let home = Home::with_policy(&allow_tools(&["sh", "cat"]));
    home.gate()
        .args(["run", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
        .assert()
        .code(3)
        .stdout("out\n")
        .stderr(predicate::str::contains("err"));
    home.gate()
        .args(["run", "--", "cat"])
        .write_stdin("exactly these bytes\n\0\u{1}")
        .assert()
        .success()
        .stdout("exactly these bytes\n\0\u{1}");
    // A child ended by a signal exits 128+N, like a shell.
    home.gate()
        .args(["run", "--", "sh", "-c", "kill -KILL $$"])
        .assert()
        .code(137);
    let exited: Vec<_> = home
        .records()
        .into_iter()
        .filter(|r| r["event"] == "exited")
        .collect();
    assert_eq!(exited.len(), 3);
    assert_eq!(exited[0]["status"], 3);
    assert_eq!(exited[2]["signal"], 9);
    assert_eq!(exited[2]["exit"], 137);
}

#[test]
fn sigterm_goes_to_the_child() {
    let home = Home::with_policy(&allow_tools(&["sh"]));
    let marker = home.path().join("got-term");
    let ready = home.path().join("trap-set");
    let script = format!(
        "trap 'touch {}; exit 42' TERM; touch {}; sleep 30 & wait",
        marker.display(),
        ready.display()
    );
    let mut child = home
        .gate_std()
        .args(["run", "--", "sh", "-c", &script])
        .spawn()
        .unwrap();
    // Wait until the child has set its trap, so the signal can only be the one gate forwards.
    let started = Instant::now();
    while !ready.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the child never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id().cast_signed()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(42),
        "the child's trap ran and its status passed through"
    );
    assert!(marker.exists());
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn deny_exits_77_with_the_rules_message_and_runs_nothing() {
    let home = Home::with_policy(
        "version: 1\nrules:\n  - name: no-sh\n    match: {commands: [\"sh *\"]}\n    decision: deny\n    message: no shells here\n",
    );
    let marker = home.path().join("ran");
    home.gate()
        .args([
            "run",
            "--",
            "sh",
            "-c",
            &format!("touch {}", marker.display()),
        ])
        .assert()
        .code(77)
        .stderr(predicate::str::contains(
            "error: denied by rule `no-sh`: no shells here",
        ))
        .stderr(predicate::str::contains("hint: nothing ran"));
    assert!(!marker.exists());
}

#[test]
fn approve_and_confirm_without_a_terminal_exit_75_and_run_nothing() {
    let home = Home::with_policy(
        "version: 1\nrules:\n  - name: ask\n    match: {tools: [touch]}\n    decision: confirm\n",
    );
    let marker = home.path().join("ran");
    // Under the test harness there is no controlling terminal, so `confirm` needs an approval instead;
    // --no-wait says so and exits rather than waiting for a reviewer.
    home.gate()
        .args(["run", "--no-wait", "--", "touch"])
        .arg(&marker)
        .assert()
        .code(75)
        .stderr(predicate::str::contains("needs approval"))
        .stderr(predicate::str::contains("hint:"));
    assert!(!marker.exists());
    // An unknown tool under the default policy needs approval too.
    Home::new()
        .gate()
        .args(["run", "--no-wait", "--", "true", "--all"])
        .assert()
        .code(75);
}

#[test]
fn a_required_reason_is_enforced_before_anything_else() {
    let home = Home::with_policy(
        "version: 1\nrules:\n  - name: why\n    match: {tools: [true]}\n    decision: approve\n    reason: required\n",
    );
    home.gate()
        .args(["run", "--", "true"])
        .assert()
        .code(64)
        .stderr(predicate::str::contains("rule `why` requires a reason"))
        .stderr(predicate::str::contains("hint: say why with --reason"));
}

#[test]
fn missing_and_unrunnable_commands() {
    let home = Home::with_policy(&allow_tools(&["definitely-not-a-command", "script.sh"]));
    home.gate()
        .args(["run", "--", "definitely-not-a-command"])
        .assert()
        .code(127)
        .stderr(predicate::str::contains(
            "error: command not found: definitely-not-a-command",
        ))
        .stderr(predicate::str::contains("hint:"));
    let script = home.write("script.sh", "#!/bin/sh\ntouch ran\n");
    home.gate()
        .args(["run", "--"])
        .arg(&script)
        .assert()
        .code(126)
        .stderr(predicate::str::contains("error: cannot execute"))
        .stderr(predicate::str::contains("hint: check that"));
    assert!(!home.path().join("ran").exists());
    let last = home.records().pop().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["exit"].as_u64()),
        (Some("error"), Some(126))
    );
}

#[test]
fn usage_errors_exit_64() {
    let home = Home::new();
    for args in [
        &["run"][..],
        &["run", "--"],
        &["run", "--bogus", "--", "true"],
        &["explain"],
        &["frobnicate"],
    ] {
        home.gate()
            .args(args)
            .assert()
            .code(64)
            .stderr(predicate::str::starts_with("error:"))
            .stderr(predicate::str::contains("hint:"));
    }
    assert!(!home.audit_file().exists(), "nothing was requested");
}

#[test]
fn broken_policies_exit_78_and_run_nothing() {
    let cases = [
        ("version: 1\nrules: [\n", "policy.yaml:"),
        ("version: 1\nversion: 1\n", "duplicate key `version`"),
        (
            "version: 1\ndefaults: {unknown: allow}\n",
            "defaults.unknown cannot be `allow`",
        ),
        ("version: 1\nrulez: []\n", "unknown field `rulez`"),
    ];
    for (policy, message) in cases {
        let home = Home::with_policy(policy);
        let marker = home.path().join("ran");
        home.gate()
            .args(["run", "--", "touch"])
            .arg(&marker)
            .assert()
            .code(78)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("hint:"));
        assert!(!marker.exists(), "{policy}");
        home.gate().args(["policy", "check"]).assert().code(78);
    }
    // A --policy that does not exist is an error too, not a fallback to the starter policy.
    Home::new()
        .gate()
        .args(["--policy", "/nonexistent/policy.yaml", "run", "--", "true"])
        .assert()
        .code(78)
        .stderr(predicate::str::contains(
            "cannot read /nonexistent/policy.yaml",
        ));
    // So is a broken config.
    let home = Home::new();
    home.write("config.yaml", "stor: /x\n");
    home.gate()
        .args(["run", "--", "true"])
        .assert()
        .code(78)
        .stderr(predicate::str::contains("unknown field `stor`"));
}

#[test]
fn an_audit_file_that_cannot_be_written_stops_the_command_with_70() {
    use std::os::unix::fs::PermissionsExt as _;
    let home = Home::with_policy(&allow_tools(&["touch"]));
    let marker = home.path().join("ran");
    // A directory where the audit file should be: no account, root included, can append to it.
    std::fs::create_dir(home.audit_file()).unwrap();
    home.gate()
        .args(["run", "--", "touch"])
        .arg(&marker)
        .assert()
        .code(70)
        .stderr(predicate::str::contains(
            "error: cannot open the audit file",
        ))
        .stderr(predicate::str::contains(
            "hint: gate runs nothing it cannot audit",
        ));
    assert!(!marker.exists());

    // A state directory gate cannot write: the requester's own, read-only. Root writes anywhere, so as root the
    // case runs as a second account (`nobody`), which owns the directory and cannot write it.
    let home = Home::with_policy(&allow_tools(&["touch"]));
    let state = home.path().join("ro");
    std::fs::create_dir(&state).unwrap();
    let mut gate = if common::is_root() {
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let chown = std::process::Command::new("chown")
            .args(["nobody:nogroup"])
            .arg(&state)
            .status()
            .unwrap();
        assert!(chown.success());
        // A copy nobody can reach: the build directory may sit under a home only root can enter.
        let binary = home.path().join("gate-for-nobody");
        std::fs::copy(assert_cmd::cargo::cargo_bin("gate"), &binary).unwrap();
        let mut cmd = home.std_command("runuser");
        cmd.args(["-u", "nobody", "--"]).arg(&binary);
        assert_cmd::Command::from_std(cmd)
    } else {
        home.gate()
    };
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o500)).unwrap();
    gate.env("GATE_HOME", &state)
        .args(["run", "--", "touch"])
        .arg(&marker)
        .assert()
        .code(70);
    assert!(!marker.exists());
}

#[test]
fn the_built_in_policy_is_announced() {
    Home::new()
        .gate()
        .args(["explain", "--", "pg_dump", "-h", "db.prod.internal", "app"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: no policy file found; using the built-in strict starter policy",
        ))
        .stdout(predicate::str::contains("decision     approve"));
}

#[test]
fn help_documents_every_exit_code() {
    let out = Home::new()
        .gate()
        .args(["run", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    for exit in gate::exit::Exit::ALL.into_iter().filter(|e| e.from_run()) {
        assert!(
            help.contains(&exit.code().to_string()),
            "gate run --help mentions {exit:?}"
        );
    }
    assert!(help.contains("128+N"), "and the signal statuses");
}

#[test]
fn a_configured_broker_is_never_replaced_by_the_local_store() {
    let home = Home::with_policy(
        "version: 1\nrules:\n  - {name: ask, match: {commands: [\"touch *\"]}, decision: approve}\n",
    );
    // No token file: a configuration error, and nothing runs.
    home.write(
        "config.yaml",
        "backend: {url: 'http://127.0.0.1:1', token_file: /nonexistent}\n",
    );
    home.gate()
        .args(["run", "--", "touch", "x"])
        .assert()
        .code(78)
        .stderr(predicate::str::contains(
            "cannot read the broker token from /nonexistent",
        ))
        .stderr(predicate::str::contains("hint: put the token"));
    // A token, and nothing listening: 75, with a hint, and no fallback to the local store.
    home.write("token", "gate_0000\n");
    home.write(
        "config.yaml",
        "backend: {url: 'http://127.0.0.1:1', token_file: token}\n",
    );
    home.gate()
        .args(["run", "--", "touch", "x"])
        .assert()
        .code(75)
        .stderr(predicate::str::contains(
            "error: cannot reach the broker at http://127.0.0.1:1",
        ))
        .stderr(predicate::str::contains("hint: nothing ran"));
    assert!(!home.path().join("x").exists());
    assert!(
        !home.path().join("requests.sqlite3").exists(),
        "no local request was made"
    );
    let audit = std::fs::read_to_string(home.path().join("audit.jsonl")).unwrap();
    assert!(
        audit.contains("cannot reach the broker"),
        "the failure is audited: {audit}"
    );
    // The records wait for the broker rather than being dropped.
    assert!(!home.path().join("audit.jsonl.shipped").exists());
}

/// The request id `gate run --no-wait` names on stderr.
fn request_id(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.split_once("note: request ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no request id in {text}"))
        .to_string()
}

#[test]
fn the_requester_cancels_a_waiting_request_by_prefix() {
    let home = Home::with_policy(
        "version: 1\nrules:\n  - {name: ask, match: {tools: [touch]}, decision: approve}\n",
    );
    let marker = home.path().join("ran");
    let run = || {
        let mut cmd = home.gate();
        cmd.args(["run", "--no-wait", "--reason", "r", "--", "touch"])
            .arg(&marker);
        cmd
    };
    let id = request_id(&run().assert().code(75).get_output().stderr);
    home.gate()
        .args(["cancel", &id[..10]])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("cancelled {id}")));
    home.gate()
        .args(["show", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{id} (cancelled)")));
    let cancelled = home
        .records()
        .into_iter()
        .find(|r| r["event"] == "cancelled")
        .expect("a cancelled record");
    assert_eq!(cancelled["id"], id.as_str());
    // A cancelled request is over: the identical command asks again, under a new id, and nothing ran.
    let again = request_id(&run().assert().code(75).get_output().stderr);
    assert_ne!(again, id);
    assert!(!marker.exists());
    home.gate()
        .args(["cancel", &id])
        .assert()
        .code(predicate::ne(0))
        .stderr(predicate::str::contains("error:"))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn gate_policy_names_the_policy_and_the_flag_beats_it() {
    let home = Home::with_policy(&allow_tools(&["touch"]));
    let deny = home.write(
        "elsewhere.yaml",
        "version: 1\nrules:\n  - {name: no-touching, match: {tools: [touch]}, decision: deny}\n",
    );
    let explain = |env_policy: Option<&Path>, flag: Option<&Path>| {
        let mut cmd = home.gate();
        if let Some(p) = env_policy {
            cmd.env("GATE_POLICY", p);
        }
        cmd.arg("explain");
        if let Some(p) = flag {
            cmd.arg("--policy").arg(p);
        }
        let out = cmd.args(["--", "touch", "x"]).assert().success();
        String::from_utf8_lossy(&out.get_output().stdout).into_owned()
    };
    let home_policy = home.path().join("policy.yaml");
    assert!(explain(None, None).contains("decision     allow"));
    assert!(explain(Some(&deny), None).contains("decision     deny (rule: no-touching)"));
    assert!(explain(Some(&deny), Some(&home_policy)).contains("decision     allow"));
}
