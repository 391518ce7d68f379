//! Approvals between real OS accounts sharing one store: the requester waits, other people approve or deny with
//! `gate approve`/`gate deny` run as themselves, and exactly the approved command runs, once.

mod common;

use std::io::{Read as _, Write as _};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::accounts::Shared;

const POLICY: &str = r#"version: 1
defaults: {decision: approve, unknown: approve, environment: production}
groups:
  dba: [gate-alice, gate-bob, gate-carol]
rules:
  - name: two-dbas
    match: {commands: ["touch *"]}
    decision: approve
    approvals: {from: dba, count: 2}
  - name: quick-expiry
    match: {commands: ["true quick*"]}
    decision: approve
    approvals: {from: dba, count: 1}
    expires: 2s
"#;

fn out(cmd: &mut std::process::Command) -> Output {
    cmd.output().expect("run gate")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The id of the newest pending request.
fn newest_request(shared: &Shared) -> String {
    let o = out(shared
        .as_user("gate-bob")
        .args(["pending", "--all", "--json"]));
    common::json_ids(&o.stdout)
        .pop()
        .expect("a pending request")
}

/// Starts `gate run -- touch MARKER` as alice, waiting; returns it once its request is in the store. The caller
/// waits for the child; only a failed test leaves it behind.
#[allow(clippy::zombie_processes)]
fn waiting_run(shared: &Shared, marker: &std::path::Path) -> (Child, String) {
    let child = shared
        .as_user("gate-alice")
        .args(["run", "--", "touch"])
        .arg(marker)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let o = out(shared
            .as_user("gate-bob")
            .args(["pending", "--all", "--json"]));
        if let Some(id) = common::json_ids(&o.stdout).pop() {
            return (child, id);
        }
        if started.elapsed() > Duration::from_secs(20) {
            // Say why alice's run made no request: its own output.
            let mut child = child;
            let _ = child.kill();
            let run = child.wait_with_output().unwrap();
            panic!(
                "the request never appeared: pending said {:?}; the run exited {:?} saying {:?}",
                String::from_utf8_lossy(&o.stderr),
                run.status,
                String::from_utf8_lossy(&run.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn finish(mut child: Child) -> (i32, String) {
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code().unwrap_or(-1), stderr)
}

#[test]
fn the_requesters_own_approval_is_refused() {
    let Some(shared) = Shared::new(POLICY) else {
        return;
    };
    let marker = shared.home().join("own");
    let o = out(shared
        .as_user("gate-alice")
        .args(["run", "--no-wait", "--", "touch"])
        .arg(&marker));
    assert_eq!(o.status.code(), Some(75), "{}", text(&o));
    assert!(text(&o).contains("gate approve "), "{}", text(&o));
    let id = newest_request(&shared);
    let o = out(shared.as_user("gate-alice").args(["approve", &id]));
    assert_eq!(o.status.code(), Some(77), "{}", text(&o));
    assert!(text(&o).contains("nobody approves their own request"));
    let o = out(shared.as_user("gate-dave").args(["approve", &id]));
    assert_eq!(o.status.code(), Some(77), "dave is not a dba: {}", text(&o));
    assert!(!marker.exists());
}

#[test]
fn two_of_three_runs_after_the_second_distinct_approval() {
    let Some(shared) = Shared::new(POLICY) else {
        return;
    };
    let marker = shared.home().join("two");
    let (child, id) = waiting_run(&shared, &marker);
    let o = out(shared.as_user("gate-bob").args(["approve", &id[..12]]));
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("still needs 1 from dba"), "{}", text(&o));
    std::thread::sleep(Duration::from_millis(600));
    assert!(!marker.exists(), "one approval is not enough");
    let o = out(shared.as_user("gate-bob").args(["approve", &id]));
    assert_eq!(
        o.status.code(),
        Some(75),
        "bob cannot vote twice: {}",
        text(&o)
    );
    let o =
        out(shared
            .as_user("gate-carol")
            .args(["approve", &id, "--reason", "checked the ticket"]));
    assert!(o.status.success(), "{}", text(&o));
    let (code, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    assert!(marker.exists());
    let events: Vec<String> = shared
        .records()
        .iter()
        .filter(|r| r["id"] == id.as_str())
        .map(|r| r["event"].as_str().unwrap().to_string())
        .collect();
    for e in ["requested", "decided", "voted", "executed", "exited"] {
        assert!(events.iter().any(|x| x == e), "{e} in {events:?}");
    }
    let o = out(shared.as_user("gate-bob").args(["audit", "--id", &id]));
    assert!(
        text(&o).contains(&id),
        "gate audit --id tells the story: {}",
        text(&o)
    );
}

#[test]
fn a_deny_ends_it_with_the_reason_on_the_requesters_stderr() {
    let Some(shared) = Shared::new(POLICY) else {
        return;
    };
    let marker = shared.home().join("denied");
    let (child, id) = waiting_run(&shared, &marker);
    let o = out(shared.as_user("gate-bob").args(["deny", &id]));
    assert_eq!(
        o.status.code(),
        Some(64),
        "a deny needs a reason: {}",
        text(&o)
    );
    let o =
        out(shared
            .as_user("gate-bob")
            .args(["deny", &id, "--reason", "not during the freeze"]));
    assert!(o.status.success(), "{}", text(&o));
    let (code, stderr) = finish(child);
    assert_eq!(code, 77, "{stderr}");
    assert!(stderr.contains("not during the freeze"), "{stderr}");
    assert!(!marker.exists());
}

#[test]
fn expiry_gives_75() {
    let Some(shared) = Shared::new(POLICY) else {
        return;
    };
    let started = Instant::now();
    let o = out(shared
        .as_user("gate-alice")
        .args(["run", "--", "true", "quick"]));
    assert_eq!(o.status.code(), Some(75), "{}", text(&o));
    assert!(text(&o).contains("expired"), "{}", text(&o));
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert!(shared.records().iter().any(|r| r["event"] == "expired"));
}

#[test]
fn ctrl_c_cancels_with_130_and_a_record() {
    let Some(shared) = Shared::new(POLICY) else {
        return;
    };
    let marker = shared.home().join("cancelled");
    // Signal gate itself, not runuser: find its pid through the process table.
    let (child, id) = waiting_run(&shared, &marker);
    let pid = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .find(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                let words: Vec<&[u8]> = c.split(|&b| b == 0).collect();
                words
                    .first()
                    .is_some_and(|w| *w == shared.gate.as_os_str().as_encoded_bytes())
                    && words
                        .iter()
                        .any(|w| *w == marker.as_os_str().as_encoded_bytes())
            })
        })
        .expect("the waiting gate process");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let (code, stderr) = finish(child);
    assert_eq!(code, 130, "{stderr}");
    assert!(
        shared
            .records()
            .iter()
            .any(|r| r["event"] == "cancelled" && r["id"] == id.as_str())
    );
    let o = out(shared.as_user("gate-bob").args(["show", &id]));
    assert!(text(&o).contains("(cancelled)"), "{}", text(&o));
    assert!(!marker.exists());
}

#[test]
fn an_approval_covers_one_exact_command_once() {
    let Some(shared) = Shared::new(POLICY) else {
        return;
    };
    let marker = shared.home().join("exact");
    let run = |extra_env: Option<(&str, &str)>, target: &std::path::Path, stdin: &str| -> Output {
        let mut cmd = shared.as_user("gate-alice");
        if let Some((k, v)) = extra_env {
            // `env` is already the program runuser starts; its assignments go before gate's path.
            let args: Vec<std::ffi::OsString> = cmd.get_args().map(ToOwned::to_owned).collect();
            let gate_at = args
                .iter()
                .position(|a| *a == *shared.gate.as_os_str())
                .unwrap();
            let mut fresh = std::process::Command::new("runuser");
            fresh
                .args(&args[..gate_at])
                .arg(format!("{k}={v}"))
                .args(&args[gate_at..])
                .current_dir(shared.path());
            cmd = fresh;
        }
        cmd.args(["run", "--no-wait", "--", "touch"])
            .arg(target)
            .stdin(Stdio::piped());
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert_eq!(run(None, &marker, "").status.code(), Some(75));
    let id = newest_request(&shared);
    assert!(
        out(shared.as_user("gate-bob").args(["approve", &id]))
            .status
            .success()
    );
    assert!(
        out(shared.as_user("gate-carol").args(["approve", &id]))
            .status
            .success()
    );
    // A different argument, a different environment: new requests, nothing runs.
    let other = shared.home().join("other");
    assert_eq!(run(None, &other, "").status.code(), Some(75));
    assert_eq!(
        run(Some(("PGHOST", "elsewhere")), &marker, "")
            .status
            .code(),
        Some(75)
    );
    assert!(!marker.exists() && !other.exists());
    // The identical command uses the approval, once.
    let o = run(None, &marker, "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(marker.exists());
    std::fs::remove_file(&marker).unwrap();
    let o = run(None, &marker, "");
    assert_eq!(
        o.status.code(),
        Some(75),
        "a used approval does not run twice: {}",
        text(&o)
    );
    assert!(!marker.exists());
}

#[test]
fn changed_stdin_needs_a_new_approval() {
    let policy = "version: 1\ngroups:\n  dba: [gate-alice, gate-bob]\nrules:\n  - name: scripts\n    match: {tools: [psql]}\n    decision: approve\n    approvals: {from: dba, count: 1}\n";
    let Some(shared) = Shared::new(policy) else {
        return;
    };
    // A stand-in psql that keeps what it was given, in a root-owned directory the config trusts (the shared
    // home is group-writable, so nothing in it is ever trusted).
    let bin = shared.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let psql = bin.join("psql");
    let got = shared.home().join("got");
    std::fs::write(&psql, format!("#!/bin/sh\ncat > {}\n", got.display())).unwrap();
    std::fs::set_permissions(&psql, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let config = shared.home().join("config.yaml");
    std::fs::write(&config, format!("trusted_paths: [\"{}\"]\n", bin.display())).unwrap();
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let run = |stdin: &str| -> Output {
        let mut child = shared
            .as_user("gate-alice")
            .args(["run", "--no-wait", "--"])
            .arg(&psql)
            .arg("app")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    assert_eq!(
        run("UPDATE t SET a = 1 WHERE id = 1;\n").status.code(),
        Some(75)
    );
    let id = newest_request(&shared);
    assert!(
        out(shared.as_user("gate-bob").args(["approve", &id]))
            .status
            .success()
    );
    let o = run("UPDATE t SET a = 2 WHERE id = 1;\n");
    assert_eq!(
        o.status.code(),
        Some(75),
        "different stdin, new approval: {}",
        text(&o)
    );
    assert!(!got.exists());
    let o = run("UPDATE t SET a = 1 WHERE id = 1;\n");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        std::fs::read_to_string(&got).unwrap(),
        "UPDATE t SET a = 1 WHERE id = 1;\n"
    );
}

#[test]
fn twenty_requests_and_forty_racing_votes_lose_nothing_and_run_once() {
    let Some(shared) = Shared::new(POLICY) else {
        return;
    };
    let markers: Vec<_> = (0..20)
        .map(|i| shared.home().join(format!("m{i}")))
        .collect();
    for m in &markers {
        assert_eq!(
            out(shared
                .as_user("gate-alice")
                .args(["run", "--no-wait", "--", "touch"])
                .arg(m))
            .status
            .code(),
            Some(75)
        );
    }
    let o = out(shared
        .as_user("gate-bob")
        .args(["pending", "--all", "--json"]));
    let ids = common::json_ids(&o.stdout);
    assert_eq!(ids.len(), 20);
    // Forty voters at once: bob and carol on every request.
    let voters: Vec<Child> = ids
        .iter()
        .flat_map(|id| {
            ["gate-bob", "gate-carol"].map(|who| {
                shared
                    .as_user(who)
                    .args(["approve", id])
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
        })
        .collect();
    for v in voters {
        let o = v.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for id in &ids {
        let o = out(shared.as_user("gate-bob").args(["show", id, "--json"]));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(r["state"], "approved", "{id}");
        assert_eq!(
            r["votes"].as_array().unwrap().len(),
            2,
            "{id}: both votes counted"
        );
    }
    // Two identical runs race for each approval: exactly one runs.
    for m in &markers {
        let racers: Vec<Child> = (0..2)
            .map(|_| {
                shared
                    .as_user("gate-alice")
                    .args(["run", "--no-wait", "--", "touch"])
                    .arg(m)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let codes: Vec<i32> = racers
            .into_iter()
            .map(|r| r.wait_with_output().unwrap().status.code().unwrap())
            .collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            vec![0, 75],
            "one runs, the other needs a new approval: {codes:?}"
        );
        assert!(m.exists());
    }
    let executed = shared
        .records()
        .iter()
        .filter(|r| r["event"] == "executed")
        .count();
    assert_eq!(executed, 20);
    let o = out(shared.as_user("gate-bob").args(["audit", "verify"]));
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn escalation_runs_the_configured_command_with_the_request_on_stdin() {
    let home = common::Home::with_policy(
        "version: 1\nrules:\n  - name: slow\n    match: {commands: [\"touch *\"]}\n    decision: approve\n    expires: 3s\n    escalate_after: 1s\n",
    );
    let paged = home.path().join("paged.json");
    home.write(
        "config.yaml",
        &format!(
            "escalation:\n  command: [sh, -c, 'cat > {}']\n",
            paged.display()
        ),
    );
    let o = home
        .gate()
        .args(["run", "--reason", "INC-9", "--", "touch", "never"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(75), "{}", text(&o));
    let request: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&paged).unwrap()).unwrap();
    assert_eq!(request["command"], "touch never");
    assert_eq!(request["reason"], "INC-9");
    assert_eq!(request["escalated"], true);
    let escalated: Vec<_> = home
        .records()
        .into_iter()
        .filter(|r| r["event"] == "escalated")
        .collect();
    assert_eq!(escalated.len(), 1, "escalated once");
    assert!(escalated[0].get("error").is_none());
}

#[test]
fn inbox_approves_a_request_from_another_session() {
    let policy = "version: 1\ngroups:\n  dba: [gate-alice, gate-bob]\nrules:\n  - name: one-dba\n    match: {commands: [\"touch *\"]}\n    decision: approve\n    approvals: {from: dba, count: 1}\n";
    let Some(shared) = Shared::new(policy) else {
        return;
    };
    let marker = shared.home().join("inboxed");
    let (requester, id) = waiting_run(&shared, &marker);

    // bob's inbox on a pseudo-terminal from script(1), so dialoguer has a /dev/tty to ask on.
    let mut inbox = shared.as_user("gate-bob");
    inbox.arg("inbox");
    let line: Vec<String> = std::iter::once(inbox.get_program().to_string_lossy().to_string())
        .chain(
            inbox
                .get_args()
                .map(|a| format!("'{}'", a.to_string_lossy())),
        )
        .collect();
    let mut child = std::process::Command::new("script")
        .args(["-qfc", &line.join(" "), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let screen = common::read_screen(child.stdout.take().unwrap());
    common::wait_for(&screen, &format!("Request {id}"));
    assert!(
        screen.lock().unwrap().contains("touch"),
        "the reviewer sees the command"
    );
    // Up twice from the default (skip) to approve, then Enter.
    let mut keys = child.stdin.take().unwrap();
    keys.write_all(b"\x1b[A").unwrap();
    keys.flush().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    keys.write_all(b"\x1b[A").unwrap();
    keys.flush().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    keys.write_all(b"\r").unwrap();
    keys.flush().unwrap();
    let (code, stderr) = finish(requester);
    assert_eq!(code, 0, "{stderr}\n{}", screen.lock().unwrap());
    assert!(marker.exists());
    let _ = child.kill();
    let _ = child.wait();
    // The inbox itself runs as gate-bob under runuser; end it too.
    let _ = std::process::Command::new("pkill")
        .args(["-u", "gate-bob", "-f", "inbox"])
        .status();
    let voted = shared
        .records()
        .into_iter()
        .find(|r| r["event"] == "voted")
        .unwrap();
    assert_eq!(
        (voted["by"].as_str(), voted["channel"].as_str()),
        (Some("gate-bob"), Some("inbox"))
    );
}
