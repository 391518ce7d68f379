//! `gate audit` through the real binary: the table, filters, JSON Lines, follow, and verify catching tampering.

mod common;

use std::io::{BufRead as _, BufReader};
use std::time::Duration;

use common::{Home, allow_tools};
use predicates::prelude::*;

fn populated() -> Home {
    let home = Home::with_policy(&allow_tools(&["true", "false"]));
    home.gate().args(["run", "--", "true"]).assert().success();
    home.gate()
        .args(["run", "--agent", "claude", "--", "false"])
        .assert()
        .code(1);
    home.gate()
        .args(["run", "--", "psql", "-h", "db", "-c", "DELETE FROM users"])
        .assert()
        .code(77);
    home
}

#[test]
fn the_table_shows_one_row_per_request() {
    let home = populated();
    let out = home
        .gate()
        .arg("audit")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "header and three requests:\n{text}");
    for column in ["time", "id", "user", "decision", "kinds", "command", "exit"] {
        assert!(lines[0].contains(column));
    }
    assert!(
        lines[1].contains("allow") && lines[1].ends_with(" 0"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("(agent claude)") && lines[2].ends_with(" 1"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains("deny") && lines[3].contains("destructive_write"),
        "{}",
        lines[3]
    );
}

#[test]
fn filters_select_requests() {
    let home = populated();
    let count = |args: &[&str]| -> usize {
        let out = home
            .gate()
            .arg("audit")
            .args(args)
            .arg("--json")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let ids: std::collections::BTreeSet<String> = common::json_ids(&out).into_iter().collect();
        ids.len()
    };
    assert_eq!(count(&[]), 3);
    assert_eq!(count(&["--decision", "deny"]), 1);
    assert_eq!(count(&["--kind", "destructive_write"]), 1);
    assert_eq!(count(&["--user", "claude"]), 1);
    assert_eq!(count(&["--limit", "2"]), 2);
    assert_eq!(count(&["--since", "1h"]), 3);
    assert_eq!(count(&["--until", "2000-01-01"]), 0);
    let first_id = home.records()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(count(&["--id", &first_id[..20]]), 1);
    home.gate()
        .args(["audit", "--decision", "maybe"])
        .assert()
        .code(64)
        .stderr(predicate::str::contains("not a decision"));
    home.gate()
        .args(["audit", "--since", "last tuesday"])
        .assert()
        .code(64)
        .stderr(predicate::str::contains("not a time"));
}

#[test]
fn json_lines_are_the_records_themselves() {
    let home = populated();
    let out = home
        .gate()
        .args(["audit", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let printed: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut stored = home.records();
    let key = |v: &serde_json::Value| v["seq"].as_u64();
    stored.sort_by_key(key);
    let mut printed_sorted = printed.clone();
    printed_sorted.sort_by_key(key);
    assert_eq!(printed_sorted, stored);
}

#[test]
fn verify_passes_then_names_the_first_bad_record() {
    let home = populated();
    home.gate()
        .args(["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok, 8 records"));
    let text = std::fs::read_to_string(home.audit_file()).unwrap();
    std::fs::write(
        home.audit_file(),
        text.replacen("\"status\":1", "\"status\":0", 1),
    )
    .unwrap();
    home.gate()
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("failed verification"))
        .stderr(predicate::str::contains(
            "caused by: line 6: record seq 6: hash does not match",
        ))
        .stderr(predicate::str::contains("hint:"));
    // Cut short at a record boundary: only the head can tell.
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(home.audit_file(), lines[..7].join("\n") + "\n").unwrap();
    home.gate()
        .args(["audit", "verify"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("truncated"));
}

/// A home with one request in its audit, and `gate audit --follow --json` reading it.
fn following() -> (
    Home,
    std::process::Child,
    std::io::Lines<BufReader<std::process::ChildStdout>>,
) {
    let home = Home::with_policy(&allow_tools(&["true"]));
    home.gate().args(["run", "--", "true"]).assert().success();
    let mut follower = home
        .gate_std()
        .args(["audit", "--follow", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(follower.stdout.take().unwrap()).lines();
    (home, follower, lines)
}

#[test]
fn follow_ends_when_its_reader_goes_away() {
    let (_home, mut follower, mut lines) = following();
    lines.next().unwrap().unwrap();
    // `| head -1`: the reader has its line and closes the pipe; nothing new is written to the audit.
    drop(lines);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = follower.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            follower.kill().unwrap();
            panic!("`gate audit --follow` kept running after its reader went away");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut follower.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!((status.code(), stderr.as_str()), (Some(0), ""), "quietly");
}

#[test]
fn follow_prints_new_records() {
    let (home, mut follower, mut lines) = following();
    for _ in 0..3 {
        lines.next().unwrap().unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    home.gate()
        .args(["run", "--reason", "followed", "--", "true"])
        .assert()
        .success();
    let next: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        (next["event"].as_str(), next["reason"].as_str()),
        (Some("requested"), Some("followed"))
    );
    follower.kill().unwrap();
    let _ = follower.wait();
}
