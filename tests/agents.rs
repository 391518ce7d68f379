//! gate in front of AI agents: the Claude Code `PreToolUse` hook (table-driven over real hook JSON, and failing
//! closed with exit 2), the hook's installation, wrapper shims on PATH in front of a real PostgreSQL, and the JSON
//! refusal an agent reads.

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::Home;
use common::broker::{Broker, bearer, eventually, http};
use common::postgres::Postgres;
use predicates::prelude::*;

const POLICY: &str = "version: 1
rules:
  - name: reads
    match: {kinds: [read]}
    decision: allow
  - name: no-drops
    match: {kinds: [destructive_write, schema_change]}
    decision: deny
    message: agents do not drop tables
  - name: confirm-writes
    match: {kinds: [write]}
    decision: confirm
  - name: exports
    match: {kinds: [data_export]}
    decision: approve
";

fn hook_json(command: &str) -> String {
    serde_json::json!({
        "session_id": "sess-42", "transcript_path": "/tmp/t.jsonl", "cwd": "/tmp",
        "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": command, "description": "look at the data"},
        "tool_use_id": "toolu_01",
    })
    .to_string()
}

/// Runs the hook with `input` on stdin: its exit status, stdout and stderr.
fn hook(home: &Home, args: &[&str], input: &[u8]) -> (i32, String, String) {
    let mut child = home
        .gate_std()
        .args(["hook", "claude-code"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input);
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn decision(stdout: &str) -> (String, String) {
    let v: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let out = &v["hookSpecificOutput"];
    assert_eq!(out["hookEventName"], "PreToolUse");
    (
        out["permissionDecision"].as_str().unwrap().to_string(),
        out["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

#[test]
fn the_hook_answers_allow_deny_ask_and_approve_from_the_policy() {
    let home = Home::with_policy(POLICY);
    let cases: &[(&str, &str, &str)] = &[
        (
            "psql -h db -d app -c 'SELECT * FROM users'",
            "allow",
            "allowed by `reads`",
        ),
        (
            "psql -h db -d app -c 'DROP TABLE users'",
            "deny",
            "agents do not drop tables",
        ),
        (
            "psql -h db -d app -c \"UPDATE users SET name = 'x' WHERE id = 1\"",
            "ask",
            "`confirm-writes` wants a person",
        ),
        ("pg_dump -h db app", "deny", "needs approval by `exports`"),
        // A compound command is judged on its strictest part.
        (
            "psql -h db -d app -c 'select 1' && pg_dump -h db app",
            "deny",
            "needs approval",
        ),
        (
            "psql -h db -d app -c 'select 1'; psql -h db -d app -c 'DROP TABLE t'",
            "deny",
            "agents do not drop tables",
        ),
    ];
    for (command, expected, says) in cases {
        let (code, stdout, stderr) = hook(&home, &["--wait", "0"], hook_json(command).as_bytes());
        assert_eq!(code, 0, "{command}: {stderr}");
        let (got, reason) = decision(&stdout);
        assert_eq!(&got, expected, "{command}: {reason}");
        assert!(reason.contains(says), "{command}: {reason}");
    }
    // An approval-needing command names its request and the command that approves it.
    let (_, stdout, _) = hook(
        &home,
        &["--wait", "0"],
        hook_json("pg_dump -h db app").as_bytes(),
    );
    let (_, reason) = decision(&stdout);
    let id = reason
        .split("request ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    assert!(reason.contains(&format!("`gate approve {id}`")), "{reason}");
    // Another tool is not the hook's to judge: no decision at all.
    let other = serde_json::json!({"session_id": "s", "tool_name": "Read", "tool_input": {"file_path": "/etc/passwd"}});
    let (code, stdout, _) = hook(&home, &[], other.to_string().as_bytes());
    assert_eq!((code, stdout.as_str()), (0, ""));
    // The audit knows the agent and the session.
    let requested: Vec<serde_json::Value> = home
        .records()
        .into_iter()
        .filter(|r| r["event"] == "requested")
        .collect();
    assert!(
        requested
            .iter()
            .all(|r| r["agent"] == "claude-code" && r["session"] == "sess-42"),
        "{requested:?}"
    );
    home.gate().args(["audit", "verify"]).assert().success();
}

#[test]
fn the_hook_fails_closed_with_exit_2() {
    let home = Home::with_policy(POLICY);
    let huge = format!(
        "{{\"tool_name\": \"Bash\", \"tool_input\": {{\"command\": \"{}\"}}}}",
        "x".repeat(2 * 1024 * 1024)
    );
    for (what, input) in [
        ("malformed JSON", b"{\"tool_name\": \"Bash\", ".to_vec()),
        ("empty input", Vec::new()),
        ("a huge input", huge.into_bytes()),
        (
            "no command",
            br#"{"tool_name": "Bash", "tool_input": {}}"#.to_vec(),
        ),
    ] {
        let (code, stdout, stderr) = hook(&home, &[], &input);
        assert_eq!(code, 2, "{what}: {stdout} {stderr}");
        assert!(stdout.is_empty(), "{what}: nothing on stdout");
        assert!(
            stderr.contains("gate:") && stderr.contains("blocked"),
            "{what}: {stderr}"
        );
    }
    // An unreadable policy.
    let broken = Home::with_policy("version: 1\nrules: [\n");
    let (code, _, stderr) = hook(&broken, &[], hook_json("psql -c 'select 1'").as_bytes());
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("policy.yaml"), "{stderr}");
}

#[test]
fn the_hook_waits_for_an_approval_and_denies_when_time_runs_out() {
    let broker = Broker::sqlite("");
    let requester_token = broker.token("requester", "agent-host");
    let alice_token = broker.token("reviewer", "alice");
    let agent = broker.home(Some(POLICY), &requester_token, "");
    let alice = broker.home(None, &alice_token, "");

    // Time runs out: deny, naming the request.
    let (code, stdout, stderr) = hook(
        &agent,
        &["--wait", "1"],
        hook_json("pg_dump -h db app").as_bytes(),
    );
    assert_eq!(code, 0, "{stderr}");
    let (got, reason) = decision(&stdout);
    assert_eq!(got, "deny");
    assert!(
        reason.contains("needs approval") && reason.contains("gate approve"),
        "{reason}"
    );

    // Approved from a second account while the hook waits: allow, once.
    let mut child = agent
        .gate_std()
        .args(["hook", "claude-code", "--wait", "30"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(hook_json("pg_dump -h db other").as_bytes())
        .unwrap();
    let mut id = String::new();
    eventually(20, "the hook's request", || {
        let listed = http(
            "GET",
            &format!("{}/v1/requests?state=pending", broker.url),
            &[("authorization", &bearer(&alice_token))],
            None,
        );
        listed.json()["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| {
                let found = r["command"].as_str().unwrap_or("").contains("other");
                if found {
                    id = r["id"].as_str().unwrap().to_string();
                }
                found
            })
    });
    alice.gate().args(["approve", &id]).assert().success();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (got, reason) = decision(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(got, "allow", "{reason}");
    assert!(reason.contains(&id));
    let used = http(
        "GET",
        &format!("{}/v1/requests/{id}", broker.url),
        &[("authorization", &bearer(&alice_token))],
        None,
    );
    assert_eq!(used.json()["state"], "executed", "the approval is used up");
}

#[test]
fn install_writes_the_settings_entry_and_keeps_the_rest() {
    let home = Home::new();
    let settings = home.write("settings.json", r#"{"permissions": {"deny": ["Read(./.env)"]}, "hooks": {"PreToolUse": [{"matcher": "Edit", "hooks": []}]}}"#);
    for _ in 0..2 {
        home.gate()
            .args([
                "hook",
                "install",
                "claude-code",
                "--settings",
                settings.to_str().unwrap(),
                "--timeout",
                "90",
            ])
            .assert()
            .success()
            .stdout(predicate::str::contains("\"matcher\": \"Bash\""))
            .stdout(predicate::str::contains("hook claude-code --wait 80"));
    }
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&settings).unwrap()).unwrap();
    assert_eq!(written["permissions"]["deny"][0], "Read(./.env)");
    let pre = written["hooks"]["PreToolUse"].as_array().unwrap();
    assert_eq!(
        pre.len(),
        2,
        "installing twice leaves one gate entry: {pre:?}"
    );
    let gate = &pre[1];
    assert_eq!(gate["matcher"], "Bash");
    assert_eq!(gate["hooks"][0]["type"], "command");
    assert_eq!(gate["hooks"][0]["timeout"], 90);
    let broken = home.write("bad.json", "{not json");
    home.gate()
        .args([
            "hook",
            "install",
            "claude-code",
            "--settings",
            broken.to_str().unwrap(),
        ])
        .assert()
        .code(78)
        .stderr(predicate::str::contains("is not JSON"))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn shims_route_an_agents_psql_through_gate() {
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE app");
    pg.psql(
        "app",
        "CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)",
    );
    let home = Home::with_policy(&format!(
        "version: 1\nenvironments:\n  production: {{hosts: [\"{}\"]}}\nrules:\n  - name: reads\n    match: {{kinds: [read]}}\n    decision: allow\n  - name: no-drops\n    match: {{kinds: [destructive_write, schema_change]}}\n    decision: deny\n    message: agents do not drop tables\n",
        pg.host()
    ));
    let shims = home.path().join("shims");
    home.gate()
        .args([
            "shim",
            "install",
            shims.to_str().unwrap(),
            "psql",
            "pg_dump",
        ])
        .assert()
        .success();
    let listed = home
        .gate()
        .args(["shim", "list", shims.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 2);
    let path = format!("{}:{}", shims.display(), std::env::var("PATH").unwrap());
    let psql = |args: &[&str], stdin: &str| {
        let mut child = home
            .std_command("psql")
            .env("PATH", &path)
            .args(pg.conn_args())
            .args(["-X", "-A", "-t", "-d", "app"])
            .args(args)
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
    // Refused: nothing reaches the server, and the table survives.
    let drop = psql(&["-c", "DROP TABLE t"], "");
    assert_eq!(
        drop.status.code(),
        Some(77),
        "{}",
        String::from_utf8_lossy(&drop.stderr)
    );
    assert!(String::from_utf8_lossy(&drop.stderr).contains("agents do not drop tables"));
    assert_eq!(pg.psql("app", "SELECT count(*) FROM t"), "2");
    // A read passes through unchanged: stdin in, stdout out, and the tool's own exit status.
    let read = psql(&[], "SELECT sum(id) FROM t;\n");
    assert_eq!(
        read.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), "3");
    let failing = psql(
        &["-v", "ON_ERROR_STOP=1", "-c", "SELECT * FROM missing"],
        "",
    );
    assert_eq!(
        failing.status.code(),
        Some(1),
        "psql's own status: {}",
        String::from_utf8_lossy(&failing.stderr)
    );
    // Remove leaves other files alone.
    std::fs::write(shims.join("notes.txt"), "mine").unwrap();
    home.gate()
        .args(["shim", "remove", shims.to_str().unwrap()])
        .assert()
        .success();
    assert!(!shims.join("psql").exists() && shims.join("notes.txt").exists());
    // A tool with no real binary after the shim dir: 127, nothing ran.
    home.gate()
        .args([
            "shim",
            "install",
            shims.to_str().unwrap(),
            "no-such-tool-here",
        ])
        .assert()
        .success();
    let missing = Command::new(shims.join("no-such-tool-here"))
        .env("GATE_HOME", home.path())
        .env("PATH", &path)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(127));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no `no-such-tool-here` on PATH after")
    );
}

#[test]
fn an_agent_reads_the_refusal_as_json() {
    let home = Home::with_policy(POLICY);
    let out = home
        .gate()
        .env("GATE_AGENT", "claude-code")
        .args([
            "run",
            "--",
            "psql",
            "-h",
            "db",
            "-d",
            "app",
            "-c",
            "DROP TABLE users",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(77));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with('{'))
        .expect("a JSON line");
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["decision"], "deny");
    assert_eq!(v["exit"], 77);
    assert_eq!(v["rule"][0], "no-drops");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("agents do not drop tables")
    );
    // Needing approval: 75, with the request and the command that approves it.
    let out = home
        .gate()
        .args([
            "run",
            "--json",
            "--no-wait",
            "--",
            "pg_dump",
            "-h",
            "db",
            "app",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let refused: serde_json::Value = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "refused")
        .expect("a refusal object");
    assert_eq!(refused["decision"], "approve");
    let id = refused["request"].as_str().unwrap();
    assert_eq!(refused["approve_with"], format!("gate approve {id}"));
    // Without --json or an agent, stderr stays for people.
    let out = home
        .gate()
        .args([
            "run",
            "--",
            "psql",
            "-h",
            "db",
            "-d",
            "app",
            "-c",
            "DROP TABLE users",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("\"event\""));
}

#[test]
fn the_hook_asks_for_a_reason_where_the_rule_requires_one() {
    let home = Home::with_policy(
        "version: 1\nrules:\n  - name: why\n    match: {tools: [pg_dump]}\n    decision: approve\n    reason: required\n",
    );
    let bare = serde_json::json!({"session_id": "s", "cwd": "/tmp", "tool_name": "Bash",
        "tool_input": {"command": "pg_dump -h db app"}});
    let (code, stdout, stderr) = hook(&home, &["--wait", "0"], bare.to_string().as_bytes());
    assert_eq!(code, 0, "{stderr}");
    let (got, reason) = decision(&stdout);
    assert_eq!(got, "deny");
    assert!(reason.contains("`why` requires a reason"), "{reason}");
    // With a description, the request goes to review with it as the reason.
    let (_, stdout, _) = hook(
        &home,
        &["--wait", "0"],
        hook_json("pg_dump -h db app").as_bytes(),
    );
    assert!(decision(&stdout).1.contains("needs approval"));
    let requested = home
        .records()
        .into_iter()
        .rfind(|r| r["event"] == "requested")
        .unwrap();
    assert_eq!(requested["reason"], "look at the data");
}
