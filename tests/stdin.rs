//! Stdin that a tool reads SQL from: gate reads it, classifies it, binds its digest, and hands the child exactly
//! the same bytes, whether stdin is a regular file or a pipe, small or past the in-memory limit.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

use common::Home;
use predicates::prelude::*;

/// A home whose PATH starts with a stand-in `psql` that saves what it reads on stdin to `received`.
fn with_recording_psql(policy: &str) -> (Home, PathBuf) {
    let home = Home::with_policy(policy);
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("psql");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\ncat > {}\n",
            home.path().join("received").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    // gate recognises `psql` by name only in a directory it trusts.
    home.write(
        "config.yaml",
        &format!("trusted_paths: [\"{}\"]\n", bin.display()),
    );
    (home, bin)
}

fn path_with(bin: &std::path::Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

const READS: &str = "version: 1\nrules:\n  - {name: reads, match: {kinds: [read]}, decision: allow}\n  - {name: no-destruction, match: {kinds: [destructive_write]}, decision: deny}\n";

/// Deliberately awkward bytes: non-ASCII, CRLF, a NUL inside a string, no final newline.
const SCRIPT: &[u8] =
    b"SELECT '\xc3\xa9t\xc3\xa9' AS summer;\r\nSELECT 2 -- trailing\n;SELECT 'a\\0b'";

fn sha256(bytes: &[u8]) -> String {
    gate::request::sha256_tagged(bytes)
}

#[test]
fn a_regular_file_on_stdin_is_classified_and_handed_on_unchanged() {
    let (home, bin) = with_recording_psql(READS);
    let script = home.path().join("script.sql");
    std::fs::write(&script, SCRIPT).unwrap();
    let status = home
        .gate_std()
        .env("PATH", path_with(&bin))
        .args(["run", "--", "psql", "app"])
        .stdin(std::fs::File::open(&script).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read(home.path().join("received")).unwrap(), SCRIPT);
    let requested = &home.records()[0];
    assert_eq!(requested["kinds"], serde_json::json!(["read"]));
    assert_eq!(requested["stdin"], sha256(SCRIPT));
}

#[test]
fn a_pipe_on_stdin_is_classified_and_handed_on_unchanged() {
    let (home, bin) = with_recording_psql(READS);
    home.gate()
        .env("PATH", path_with(&bin))
        .args(["run", "--", "psql", "app"])
        .write_stdin(SCRIPT)
        .assert()
        .success();
    assert_eq!(std::fs::read(home.path().join("received")).unwrap(), SCRIPT);
    assert_eq!(home.records()[0]["stdin"], sha256(SCRIPT));
}

#[test]
fn a_destructive_script_on_stdin_is_refused_and_never_reaches_the_tool() {
    let (home, bin) = with_recording_psql(READS);
    home.gate()
        .env("PATH", path_with(&bin))
        .args(["run", "--", "psql", "app"])
        .write_stdin("SELECT 1;\nTRUNCATE orders;\n")
        .assert()
        .code(77)
        .stderr(predicate::str::contains("no-destruction"));
    assert!(!home.path().join("received").exists());
}

#[test]
fn a_pipe_larger_than_memory_spills_and_still_arrives_whole() {
    // An explicit allow for the tool: the part past the limit is unclassified, which only a named rule may allow.
    let (home, bin) = with_recording_psql(
        "version: 1\nrules:\n  - {name: psql, match: {tools: [psql]}, decision: allow}\n",
    );
    // A COPY with its rows inline, as pg_dump writes it: cheap to classify, and far past the in-memory limit.
    let row = b"42\tpadding padding padding padding padding padding padding padding\n";
    let total = gate::stdin::CLASSIFY_LIMIT + 3 * 1024 * 1024;
    let mut big = b"COPY public.items (id, note) FROM stdin;\n".to_vec();
    while big.len() < total {
        big.extend_from_slice(row);
    }
    big.extend_from_slice(b"\\.\n");
    home.gate()
        .env("PATH", path_with(&bin))
        .args(["run", "--", "psql", "app"])
        .write_stdin(big.clone())
        .assert()
        .success();
    let received = std::fs::read(home.path().join("received")).unwrap();
    assert_eq!(received.len(), big.len());
    assert!(received == big, "byte-identical");
    let requested = &home.records()[0];
    assert_eq!(requested["stdin"], sha256(&big));
    assert!(
        requested["kinds"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("unknown")),
        "the unread tail is unknown"
    );

    // Without the explicit rule, the unclassified tail needs a person.
    let (home, bin) = with_recording_psql(READS);
    home.gate()
        .env("PATH", path_with(&bin))
        .args(["run", "--no-wait", "--", "psql", "app"])
        .write_stdin(big)
        .assert()
        .code(75);
    assert!(!home.path().join("received").exists());
}

#[test]
fn tools_that_do_not_read_sql_keep_their_stdin_untouched() {
    let home = Home::with_policy(&common::allow_tools(&["cat"]));
    home.gate()
        .args(["run", "--", "cat"])
        .write_stdin("not sql at all ;;; '\n")
        .assert()
        .success()
        .stdout("not sql at all ;;; '\n");
    assert!(home.records()[0].get("stdin").is_none());
}
