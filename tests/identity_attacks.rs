//! Which program runs, and what it reads, through the real binary. A name is recognised as a tool only where the
//! file it leads to lies in a trusted directory that only root can change; everything else is `unknown`. What gate
//! read is bound into the approval and checked again before the command starts, and a regular-file stdin reaches
//! the child as gate's own copy. A command that does not exist is exit 127 before anything is asked.
//!
//! The lookup rules follow execvp(3) (a name with a slash is a path; otherwise each PATH entry in turn, an empty
//! entry meaning the current directory) and env(1) (`env NAME=VALUE CMD` runs CMD with the changed PATH).

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::Home;
use common::accounts::Shared;
use common::postgres::Postgres;
use serde_json::Value;

use common::READS_ONLY as READS;

/// A gate home with a reads-only policy, a `HOME` of its own (no startup files leak in), and a directory `evil`
/// holding a stand-in `psql` that leaves a mark when it runs.
struct Lab {
    home: Home,
    user_home: PathBuf,
    evil: PathBuf,
    marker: PathBuf,
}

fn lab(policy: &str) -> Lab {
    let home = Home::with_policy(policy);
    let user_home = home.path().join("user");
    let evil = home.path().join("evil");
    std::fs::create_dir(&user_home).unwrap();
    std::fs::create_dir(&evil).unwrap();
    let marker = home.path().join("ran");
    stand_in(&evil.join("psql"), &format!("touch '{}'", marker.display()));
    Lab {
        home,
        user_home,
        evil,
        marker,
    }
}

fn stand_in(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The PATH the tests run with, which finds the real psql.
fn normal_path() -> String {
    std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into())
}

impl Lab {
    fn command(&self, cwd: &Path, path: &str) -> assert_cmd::Command {
        let mut cmd = self.home.gate();
        cmd.current_dir(cwd)
            .env("PATH", path)
            .env("HOME", &self.user_home)
            .env_remove("PSQLRC")
            .env_remove("PGOPTIONS");
        cmd
    }

    fn explain(&self, cwd: &Path, path: &str, argv: &[&str]) -> Value {
        let out = self
            .command(cwd, path)
            .args(["explain", "--json", "--"])
            .args(argv)
            .output()
            .unwrap();
        assert!(out.status.success(), "{argv:?}: {}", text(&out));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
    }

    fn run(&self, cwd: &Path, path: &str, argv: &[&str]) -> Output {
        self.command(cwd, path)
            .args(["run", "--"])
            .args(argv)
            .output()
            .unwrap()
    }

    fn trust(&self, dirs: &[&Path]) {
        let list: Vec<String> = dirs
            .iter()
            .map(|d| format!("\"{}\"", d.display()))
            .collect();
        self.home.write(
            "config.yaml",
            &format!("trusted_paths: [{}]\n", list.join(", ")),
        );
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn kinds(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

fn details(json: &Value) -> String {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["detail"].as_str().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" | ")
}

const SELECT: [&str; 3] = ["-X", "-c", "SELECT 1"];

fn with_select<'a>(prefix: &[&'a str]) -> Vec<&'a str> {
    prefix.iter().copied().chain(SELECT).collect()
}

/// Asserts that the command is unknown and denied under the reads-only policy, that the detail says `says`, and
/// that `gate run` refuses it with 77 without starting the stand-in.
/// PATH entries that are relative: `.`, an empty entry (execvp's current directory) from `evil`, and a relative
/// name from `root`, each putting `evil/psql` first.
fn assert_relative_path_entries_refused(
    lab: &Lab,
    evil: &Path,
    root: &Path,
    normal: &str,
    fake: &str,
) {
    let argv = with_select(&["psql"]);
    assert_refused(lab, evil, &format!(".:{normal}"), &argv, fake);
    assert_refused(lab, evil, &format!(":{normal}"), &argv, fake);
    assert_refused(lab, root, &format!("evil:{normal}"), &argv, fake);
}

fn assert_refused(lab: &Lab, cwd: &Path, path: &str, argv: &[&str], says: &str) {
    let json = lab.explain(cwd, path, argv);
    assert_eq!(json["decision"], "deny", "{argv:?} PATH={path}: {json}");
    assert!(
        kinds(&json).contains(&"unknown".to_string()),
        "{argv:?}: {json}"
    );
    assert!(
        details(&json).contains(says),
        "{argv:?}: `{says}` not in {}",
        details(&json)
    );
    let out = lab.run(cwd, path, argv);
    assert_eq!(out.status.code(), Some(77), "{argv:?}: {}", text(&out));
    assert!(!lab.marker.exists(), "{argv:?}: the stand-in ran");
}

#[test]
fn a_psql_gate_does_not_trust_is_unknown_wherever_the_name_leads_to_it() {
    let lab = lab(READS);
    let evil = lab.evil.as_path();
    let fake = evil.join("psql").display().to_string();
    let normal = normal_path();
    let root = lab.home.path();
    // A path in the working directory.
    assert_refused(&lab, evil, &normal, &with_select(&["./psql"]), &fake);
    // A directory the requester controls, first on PATH.
    assert_refused(
        &lab,
        root,
        &format!("{}:{normal}", evil.display()),
        &with_select(&["psql"]),
        &fake,
    );
    // Relative PATH entries: `.`, an empty entry (execvp: the current directory), and a relative name.
    assert_relative_path_entries_refused(&lab, evil, root, &normal, &fake);
    // `..` that climbs out of a trusted directory, as an argv[0] and as a PATH entry.
    let climb = format!("/usr/bin/../..{}", evil.display());
    assert_refused(
        &lab,
        root,
        &normal,
        &with_select(&[&format!("{climb}/psql")]),
        "is not a trusted directory",
    );
    assert_refused(
        &lab,
        root,
        &format!("{climb}:{normal}"),
        &with_select(&["psql"]),
        "is not a trusted directory",
    );
    // A symbolic link named psql in another untrusted directory, pointing at the stand-in.
    let links = root.join("links");
    std::fs::create_dir(&links).unwrap();
    std::os::unix::fs::symlink(evil.join("psql"), links.join("psql")).unwrap();
    assert_refused(
        &lab,
        root,
        &format!("{}:{normal}", links.display()),
        &with_select(&["psql"]),
        "links",
    );
    // Wrappers that run a program by name: env(1) with a path, with PATH changed, timeout(1).
    assert_refused(&lab, evil, &normal, &with_select(&["env", "./psql"]), &fake);
    let evil_path = format!("PATH={}", evil.display());
    assert_refused(
        &lab,
        root,
        &normal,
        &with_select(&["env", &evil_path, "psql"]),
        &fake,
    );
    assert_refused(
        &lab,
        evil,
        &normal,
        &with_select(&["timeout", "5", "./psql"]),
        &fake,
    );
    assert_refused(
        &lab,
        evil,
        &normal,
        &with_select(&["nice", "./psql"]),
        &fake,
    );
    // A shell that runs a path, or changes PATH before the name.
    assert_refused(
        &lab,
        evil,
        &normal,
        &["sh", "-c", "./psql -X -c 'SELECT 1'"],
        "./psql",
    );
    let script = format!("PATH={}:$PATH psql -X -c 'SELECT 1'", evil.display());
    assert_refused(&lab, root, &normal, &["sh", "-c", &script], "PATH");
}

#[test]
fn rules_that_name_a_tool_never_match_a_stand_in_that_borrows_its_name() {
    let lab = lab("version: 1
defaults: {decision: deny, unknown: deny}
rules:
  - name: psql-by-tool
    match: {tools: [psql]}
    decision: allow
  - name: psql-by-command
    match: {commands: [\"psql *\", \"./psql *\"]}
    decision: allow
");
    let evil = lab.evil.as_path();
    let normal = normal_path();
    let root = lab.home.path();
    let fake = evil.join("psql").display().to_string();
    let first = format!("{}:{normal}", evil.display());
    assert_refused(&lab, evil, &normal, &with_select(&["./psql"]), &fake);
    assert_refused(&lab, root, &first, &with_select(&["psql"]), &fake);
    assert_relative_path_entries_refused(&lab, evil, root, &normal, &fake);
    let json = lab.explain(root, &first, &with_select(&["psql"]));
    assert_eq!(json["findings"][0]["tool"], fake.as_str(), "{json}");
    // The real psql still matches both.
    let json = lab.explain(root, &normal, &["psql", "-X", "-c", "SELECT 1"]);
    assert_eq!(json["decision"], "allow", "{json}");
}

#[test]
fn the_real_psql_stays_a_read() {
    let lab = lab(READS);
    let normal = normal_path();
    let root = lab.home.path();
    let mut cases: Vec<Vec<String>> = vec![
        with_select(&["psql"]),
        with_select(&["/usr/bin/psql"]),
        with_select(&["env", "psql"]),
        with_select(&["timeout", "5", "psql"]),
        vec!["sh", "-c", "psql -X -c 'SELECT 1'"],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect();
    // Debian's versioned binaries: /usr/lib/postgresql/*/bin is trusted by default.
    if let Some(bin) = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path().join("bin/psql")))
        .find(|p| p.exists())
    {
        cases.push(
            with_select(&[bin.to_str().unwrap()])
                .into_iter()
                .map(String::from)
                .collect(),
        );
    }
    for argv in &cases {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let json = lab.explain(root, &normal, &argv);
        assert_eq!(json["decision"], "allow", "{argv:?}: {json}");
        assert_eq!(kinds(&json), ["read"], "{argv:?}: {json}");
    }
    // explain says which file runs: Debian's /usr/bin/psql is a link to pg_wrapper, and trusted.
    let json = lab.explain(root, &normal, &with_select(&["psql"]));
    assert_eq!(json["program"]["trusted"], true, "{json}");
    let path = json["program"]["path"].as_str().unwrap();
    assert!(path.ends_with("/psql") && path.starts_with('/'), "{json}");
    let json = lab.explain(lab.evil.as_path(), &normal, &with_select(&["./psql"]));
    assert_eq!(json["program"]["trusted"], false);
    assert_eq!(
        json["program"]["path"],
        lab.evil.join("psql").display().to_string()
    );
}

#[test]
fn trusted_paths_in_the_config_extend_the_trusted_directories() {
    let lab = lab(READS);
    let path = format!("{}:{}", lab.evil.display(), normal_path());
    let root = lab.home.path();
    lab.trust(&[&lab.evil]);
    let json = lab.explain(root, &path, &with_select(&["psql"]));
    assert_eq!(
        (json["decision"].as_str(), kinds(&json)),
        (Some("allow"), vec!["read".to_string()]),
        "{json}"
    );
    let out = lab.run(root, &path, &with_select(&["psql"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(lab.marker.exists(), "the trusted tool ran");
    std::fs::remove_file(&lab.marker).unwrap();

    // Listed, but others can change it: not trusted.
    std::fs::set_permissions(&lab.evil, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_refused(
        &lab,
        root,
        &path,
        &with_select(&["psql"]),
        "can be written by others",
    );
    std::fs::set_permissions(&lab.evil, std::fs::Permissions::from_mode(0o775)).unwrap();
    assert_refused(
        &lab,
        root,
        &path,
        &with_select(&["psql"]),
        "can be written by others",
    );
    std::fs::set_permissions(&lab.evil, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tool = lab.evil.join("psql");
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_refused(
        &lab,
        root,
        &path,
        &with_select(&["psql"]),
        "can be written by others",
    );
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    if common::is_root() {
        // Owned by someone else, or a link in the trusted directory into a directory someone else owns.
        nix::unistd::chown(&tool, Some(nix::unistd::Uid::from_raw(65534)), None).unwrap();
        assert_refused(
            &lab,
            root,
            &path,
            &with_select(&["psql"]),
            "owned by uid 65534",
        );
        nix::unistd::chown(&tool, Some(nix::unistd::Uid::from_raw(0)), None).unwrap();
        let theirs = root.join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        stand_in(
            &theirs.join("psql"),
            &format!("touch '{}'", lab.marker.display()),
        );
        nix::unistd::chown(&theirs, Some(nix::unistd::Uid::from_raw(65534)), None).unwrap();
        std::fs::remove_file(&tool).unwrap();
        std::os::unix::fs::symlink(theirs.join("psql"), &tool).unwrap();
        assert_refused(
            &lab,
            root,
            &path,
            &with_select(&["psql"]),
            "owned by uid 65534",
        );
    }

    // A bad value is a configuration error: 78, with error and hint, and nothing judged.
    for bad in [
        "trusted_paths: [relative/bin]",
        "trusted_paths: [/]",
        "trusted_paths: [/opt/../tmp]",
        "trusted_paths: [/opt//bin]",
        "trusted_paths: [/opt/b*n]",
        "trusted_paths: /opt/bin",
        "trusted_path: [/opt/bin]",
    ] {
        lab.home.write("config.yaml", &format!("{bad}\n"));
        let out = lab.run(root, &path, &with_select(&["psql"]));
        assert_eq!(out.status.code(), Some(78), "{bad}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("error:") && err.contains("hint:"),
            "{bad}: {err}"
        );
    }
    assert!(!lab.marker.exists());
}

const APPROVE_ALL: &str = "version: 1
defaults: {decision: approve, unknown: approve}
rules: []
";

#[test]
fn a_missing_command_is_127_before_anything_is_asked() {
    let lab = lab(APPROVE_ALL);
    let root = lab.home.path();
    let normal = normal_path();
    let cases: Vec<(Vec<&str>, String)> = vec![
        (vec!["no-such-tool-gate-test"], normal.clone()),
        (vec!["no-such-tool-gate-test", "--help"], normal.clone()),
        (
            vec!["/nonexistent/bin/psql", "-c", "SELECT 1"],
            normal.clone(),
        ),
        (vec!["./psql-not-here", "-c", "SELECT 1"], normal.clone()),
        (
            vec!["psql", "-c", "SELECT 1"],
            "/nonexistent-dir".to_string(),
        ),
    ];
    for (argv, path) in &cases {
        for no_wait in [false, true] {
            let mut cmd = lab.command(root, path);
            cmd.arg("run");
            if no_wait {
                cmd.arg("--no-wait");
            }
            let out = cmd
                .arg("--")
                .args(argv)
                .timeout(Duration::from_secs(30))
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(127), "{argv:?}: {}", text(&out));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("error: command not found"), "{argv:?}: {err}");
            assert!(err.contains("hint:"), "{argv:?}: {err}");
        }
    }
    let pending = lab
        .home
        .gate()
        .args(["pending", "--all", "--json"])
        .output()
        .unwrap();
    assert!(
        common::json_ids(&pending.stdout).is_empty(),
        "{}",
        text(&pending)
    );
    let records = lab.home.records();
    assert!(
        records.iter().all(|r| r["event"] == "error"),
        "no request, no decision: {records:?}"
    );
    assert_eq!(records.len(), cases.len() * 2);
    assert!(records.iter().all(|r| r["exit"] == 127));
    lab.home.gate().args(["audit", "verify"]).assert().success();
}

#[test]
fn what_gate_read_binds_the_digest() {
    let lab = lab(READS);
    let root = lab.home.path();
    let normal = normal_path();
    let digest = |argv: &[&str]| {
        lab.explain(root, &normal, argv)["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let script = root.join("a.sql");
    let run_a = ["psql", "-X", "-f", "a.sql"];
    std::fs::write(&script, "DELETE FROM t WHERE id = 1;\n").unwrap();
    let d1 = digest(&run_a);
    assert_eq!(d1, digest(&run_a), "the same files, the same digest");
    std::fs::write(&script, "DELETE FROM t WHERE id = 2;\n").unwrap();
    assert_ne!(d1, digest(&run_a), "one byte of the script");
    std::fs::write(&script, "DELETE FROM t WHERE id = 1;\n").unwrap();
    assert_eq!(d1, digest(&run_a));
    // explain lists what it read, with its digest (after the startup files psql's wrapper looked for).
    let json = lab.explain(root, &normal, &run_a);
    let script_input = json["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == script.display().to_string())
        .unwrap_or_else(|| panic!("a.sql is among the inputs: {json}"))
        .clone();
    assert_eq!(script_input["state"], "found");
    assert!(
        script_input["sha256"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );

    // An include: a byte of the included file changes the digest too.
    std::fs::write(&script, "\\i b.sql\n").unwrap();
    std::fs::write(root.join("b.sql"), "SELECT 1;\n").unwrap();
    let d2 = digest(&run_a);
    std::fs::write(root.join("b.sql"), "SELECT 2;\n").unwrap();
    assert_ne!(d2, digest(&run_a), "one byte of an included file");

    // A file gate looked for and did not find binds as absent: creating it later is another command.
    let run_later = ["psql", "-X", "-f", "later.sql"];
    let d3 = digest(&run_later);
    let json = lab.explain(root, &normal, &run_later);
    assert_eq!(json["inputs"][0]["state"], "absent", "{json}");
    std::fs::write(root.join("later.sql"), "SELECT 1;\n").unwrap();
    assert_ne!(d3, digest(&run_later), "the file appeared");

    // The program's file binds: the same name leading to a rewritten file is another command.
    lab.trust(&[&lab.evil]);
    let path = format!("{}:{normal}", lab.evil.display());
    let program = |lab: &Lab| lab.explain(root, &path, &with_select(&["psql"]))["digest"].clone();
    let p1 = program(&lab);
    stand_in(
        &lab.evil.join("psql"),
        &format!("touch '{}'", lab.home.path().join("rAn").display()),
    );
    assert_ne!(p1, program(&lab), "same size, other content");
}

/// The id of the first request `user` sees waiting, polling until one appears.
fn wait_for_request(shared: &Shared, user: &str) -> String {
    let started = Instant::now();
    loop {
        let o = shared
            .as_user(user)
            .args(["pending", "--json"])
            .output()
            .unwrap();
        if let Some(id) = common::json_ids(&o.stdout).into_iter().next() {
            return id;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no request appeared: {}",
            text(&o)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn approve_writes(pg: &Postgres) -> String {
    let _ = pg;
    "version: 1
defaults: {decision: deny, unknown: deny}
groups:
  dba: [gate-alice, gate-bob]
rules:
  - name: reads
    match: {kinds: [read]}
    decision: allow
  - name: writes
    match: {kinds: [write]}
    decision: approve
    approvals: {from: dba, count: 1}
"
    .to_string()
}

/// A database `app` with a table `t` holding rows 1 and 2.
fn database() -> Postgres {
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE app");
    pg.psql(
        "app",
        "CREATE TABLE t (id int primary key); INSERT INTO t VALUES (1), (2)",
    );
    pg
}

fn rows(pg: &Postgres) -> String {
    pg.psql(
        "app",
        "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM t",
    )
}

fn table_exists(pg: &Postgres) -> bool {
    pg.psql("app", "SELECT to_regclass('public.t') IS NOT NULL") == "t"
}

#[test]
fn a_script_swapped_after_its_approval_does_not_run() {
    let pg = database();
    let Some(shared) = Shared::new(&approve_writes(&pg)) else {
        return;
    };
    let change = shared.home().join("change.sql");
    std::fs::write(&change, "DELETE FROM t WHERE id = 1;\n").unwrap();
    let alice = |extra: &[&str]| {
        let mut cmd = shared.as_user("gate-alice");
        cmd.args(["run", "--reason", "INC-9 remove row 1"])
            .args(extra)
            .args(["--", "psql"]);
        cmd.args(pg.conn_args())
            .args(["-X", "-d", "app", "-f"])
            .arg(&change);
        cmd
    };
    let explained = shared
        .as_user("gate-alice")
        .args(["explain", "--json", "--", "psql"])
        .args(pg.conn_args())
        .args(["-X", "-d", "app", "-f"])
        .arg(&change)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&explained.stdout).unwrap();
    assert_eq!(
        json["decision"], "approve",
        "the DELETE needs approval: {json}"
    );

    // Waiting: approved while it waits, but the script was swapped first. Nothing runs.
    let waiting = alice(&[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = wait_for_request(&shared, "gate-bob");
    let swapped = shared.home().join("swap.sql");
    std::fs::write(&swapped, "DROP TABLE t;\n").unwrap();
    std::fs::set_permissions(&swapped, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::rename(&swapped, &change).unwrap();
    let o = shared
        .as_user("gate-bob")
        .args(["approve", &id])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = waiting.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(77), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "error: {} changed after gate judged it",
            change.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("hint:") && err.contains("run the command again"),
        "{err}"
    );
    assert!(table_exists(&pg), "DROP TABLE did not run");
    assert_eq!(rows(&pg), "1,2");
    let records = shared.records();
    assert!(
        records
            .iter()
            .any(|r| r["event"] == "error" && r["id"] == id.as_str() && r["exit"] == 77),
        "the refusal is audited: {records:?}"
    );

    // Not waiting: the approval is for the DELETE; the same command line over the swapped file is another
    // request, and a later run of the original script uses the approval.
    std::fs::write(&change, "DELETE FROM t WHERE id = 1;\n").unwrap();
    let o = alice(&["--no-wait"]).output().unwrap();
    assert_eq!(o.status.code(), Some(75), "{}", text(&o));
    let id = wait_for_request(&shared, "gate-bob");
    assert!(
        shared
            .as_user("gate-bob")
            .args(["approve", &id])
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(&change, "DROP TABLE t;\n").unwrap();
    let o = alice(&["--no-wait"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(77),
        "judged again, and denied: {}",
        text(&o)
    );
    assert!(table_exists(&pg));
    std::fs::write(&change, "DELETE FROM t WHERE id = 2;\n").unwrap();
    let o = alice(&["--no-wait"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(75),
        "another write is another request: {}",
        text(&o)
    );
    assert_eq!(rows(&pg), "1,2");
    std::fs::write(&change, "DELETE FROM t WHERE id = 1;\n").unwrap();
    let o = alice(&["--no-wait"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "the approved script runs: {}",
        text(&o)
    );
    assert_eq!(rows(&pg), "2");
}

#[test]
fn a_stdin_file_rewritten_while_the_request_waits_reaches_the_child_as_gate_read_it() {
    let pg = database();
    let Some(shared) = Shared::new(&approve_writes(&pg)) else {
        return;
    };
    let input = shared.home().join("stdin.sql");
    std::fs::write(&input, "DELETE FROM t WHERE id = 1;\n").unwrap();
    let waiting = shared
        .as_user("gate-alice")
        .args(["run", "--", "psql"])
        .args(pg.conn_args())
        .args(["-X", "-d", "app"])
        .stdin(std::fs::File::open(&input).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = wait_for_request(&shared, "gate-bob");
    // Rewritten in place: the same inode that alice's stdin points to.
    std::fs::write(&input, "DROP TABLE t;\n").unwrap();
    assert!(
        shared
            .as_user("gate-bob")
            .args(["approve", &id])
            .status()
            .unwrap()
            .success()
    );
    let o = waiting.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        table_exists(&pg),
        "the child read gate's copy, not the file"
    );
    assert_eq!(rows(&pg), "2", "the approved DELETE ran");
}

#[test]
fn the_child_reads_the_stdin_gate_read_even_if_the_file_changes_as_it_starts() {
    let lab = lab(READS);
    let root = lab.home.path();
    let input = root.join("stdin.sql");
    let received = root.join("received");
    // A trusted stand-in that rewrites the file it was given on stdin, then reads its stdin.
    stand_in(
        &lab.evil.join("psql"),
        &format!(
            "printf 'DROP TABLE t;\\n' > '{}'\ncat > '{}'",
            input.display(),
            received.display()
        ),
    );
    lab.trust(&[&lab.evil]);
    std::fs::write(&input, "SELECT 1;\n").unwrap();
    let status = lab
        .home
        .gate_std()
        .current_dir(root)
        .env("PATH", format!("{}:{}", lab.evil.display(), normal_path()))
        .env("HOME", &lab.user_home)
        .args(["run", "--", "psql", "-X", "app"])
        .stdin(std::fs::File::open(&input).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "DROP TABLE t;\n");
    assert_eq!(std::fs::read_to_string(&received).unwrap(), "SELECT 1;\n");
    assert_eq!(
        lab.home.records()[0]["stdin"],
        gate::request::sha256_tagged(b"SELECT 1;\n")
    );
}
