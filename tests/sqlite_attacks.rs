//! sqlite3 behind gate, on a real database, under a policy that allows only reads. The attacks come from the
//! shell's own documentation (`sqlite3 -help`, `.help`, sqlite.org/cli.html) and its source (shell.c.in): gate
//! must refuse each one (exit 77, and `deny` from `gate explain`), and afterwards the table must still be there
//! with its rows, the database unchanged, and no file written. Reads must stay allowed and really run.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::Home;

use common::READS_ONLY;

struct Setup {
    home: Home,
    /// The database, its neighbours and every file an attack might write.
    work: tempfile::TempDir,
    /// HOME for the command: sqlite3 does not read it for ~/.sqliterc, but nothing may land there either.
    user_home: tempfile::TempDir,
}

/// sqlite3 directly, with no startup file.
fn sqlite(db: &Path, args: &[&str]) -> String {
    let out = Command::new("sqlite3")
        .args(["-batch", "-init", "/dev/null"])
        .arg(db)
        .args(args)
        .output()
        .expect("sqlite3 is installed (apt-get install sqlite3)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn files(dir: &Path) -> String {
    let mut names: Vec<String> = walk(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    names.sort();
    names.join(",")
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

fn setup() -> Setup {
    let s = Setup {
        home: Home::with_policy(READS_ONLY),
        work: tempfile::tempdir().unwrap(),
        user_home: tempfile::tempdir().unwrap(),
    };
    let w = s.work.path();
    sqlite(
        &w.join("t.db"),
        &["CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);"],
    );
    sqlite(
        &w.join("other.db"),
        &["CREATE TABLE o(y); INSERT INTO o VALUES (9);"],
    );
    std::fs::write(w.join("data.csv"), "4\n5\n").unwrap();
    std::fs::write(w.join("drop.sql"), "DROP TABLE t;\n").unwrap();
    std::fs::write(
        w.join("shell.sql"),
        format!(".sh touch {}\n", s.marker().display()),
    )
    .unwrap();
    std::fs::write(
        w.join("nested.sql"),
        format!("SELECT 1;\n.read {}\n", w.join("drop.sql").display()),
    )
    .unwrap();
    std::fs::create_dir(w.join("src")).unwrap();
    std::fs::write(w.join("src/payload.txt"), "payload").unwrap();
    std::fs::create_dir(w.join("out")).unwrap();
    let out = Command::new("sqlite3")
        .args(["-init", "/dev/null"])
        .arg(w.join("ar.db"))
        .args(["-Ac", "payload.txt"])
        .current_dir(w.join("src"))
        .output()
        .unwrap();
    assert!(out.status.success(), "make the archive: {out:?}");
    s
}

impl Setup {
    fn path(&self, name: &str) -> String {
        self.work.path().join(name).display().to_string()
    }

    fn db(&self) -> String {
        self.path("t.db")
    }

    fn marker(&self) -> PathBuf {
        self.work.path().join("marker")
    }

    /// Fills in `{db}`, `{w}` (the work directory) and `{m}` (the marker file that must never appear).
    fn expand(&self, args: &[&str]) -> Vec<String> {
        args.iter()
            .map(|a| {
                a.replace("{db}", &self.db())
                    .replace("{m}", &self.marker().display().to_string())
                    .replace("{w}", &self.work.path().display().to_string())
            })
            .collect()
    }

    /// `gate SUBCOMMAND… -- sqlite3 ARGS…` in the work directory, with HOME in a temp dir.
    fn gate(&self, subcommand: &[&str], args: &[String], stdin: &str) -> std::process::Output {
        let mut cmd = self.home.gate();
        cmd.env("HOME", self.user_home.path())
            .env_remove("SQLITE_HISTORY")
            .current_dir(self.work.path())
            .args(subcommand)
            .arg("--")
            .arg("sqlite3")
            .args(args)
            .write_stdin(stdin.as_bytes().to_vec())
            .timeout(Duration::from_secs(30));
        cmd.output().unwrap()
    }

    fn decision(&self, args: &[String], stdin: &str) -> (String, Vec<String>) {
        let out = self.gate(&["explain", "--json"], args, stdin);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "explain {args:?}: {e}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let kinds = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{}: {}", f["kind"].as_str().unwrap(), f["detail"]))
            .collect();
        (json["decision"].as_str().unwrap().to_string(), kinds)
    }

    /// Everything an attack could change.
    fn state(&self) -> String {
        let db = self.work.path().join("t.db");
        [
            sqlite(&db, &["SELECT group_concat(x) FROM t"]),
            sqlite(&db, &["SELECT group_concat(name) FROM sqlite_schema"]),
            sqlite(&db, &["PRAGMA user_version"]),
            sqlite(&db, &["PRAGMA journal_mode"]),
            sqlite(
                &self.work.path().join("ar.db"),
                &["SELECT group_concat(name) FROM sqlar"],
            ),
            files(self.work.path()),
            files(self.user_home.path()),
        ]
        .join("\n")
    }

    /// One attack: refused by `gate explain` and by `gate run`, and nothing changed.
    fn refused(&self, args: &[&str], stdin: &str) -> Result<(), String> {
        let args = self.expand(args);
        let before = self.state();
        let (decision, kinds) = self.decision(&args, stdin);
        if decision != "deny" {
            return Err(format!("{args:?} (stdin {stdin:?}): {decision}: {kinds:?}"));
        }
        let out = self.gate(&["run"], &args, stdin);
        if out.status.code() != Some(77) {
            return Err(format!(
                "{args:?}: exit {:?}: {}{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let after = self.state();
        if after != before || self.marker().exists() {
            return Err(format!(
                "{args:?} changed something: {before:?} -> {after:?}"
            ));
        }
        Ok(())
    }
}

/// Runs every attack, each on a fresh database, and reports all that were not refused.
fn all_refused(cases: &[(&[&str], &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(args, stdin)| setup().refused(args, stdin).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} attacks were not refused:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn dot_commands_that_run_programs_or_write_files_are_refused() {
    all_refused(&[
        (&["{db}", ".shell touch {m}"], ""),
        (&["{db}", ".system touch {m}"], ""),
        // Dot-command names are prefixes with a minimum length: `.sh` is `.shell`, `.sy` is `.system`.
        (&["{db}", ".sh touch {m}"], ""),
        (&["{db}", ".sy touch {m}"], ""),
        // The name is lexed like the arguments: quotes and C escapes.
        (&["{db}", ".\"sh\" touch {m}"], ""),
        (&["{db}", ".s\\150 touch {m}"], ""),
        (&["{db}", ".output {m}", "SELECT 1"], ""),
        (&["{db}", ".o {m}", "SELECT 1"], ""),
        (&["{db}", ".once {m}", "SELECT 1"], ""),
        (&["{db}", ".once '|touch {m}'", "SELECT 1"], ""),
        (&["{db}", ".output |touch {m}", "SELECT 1"], ""),
        (&["{db}", ".import '|touch {m}' t"], ""),
        (&["{db}", ".import {w}/data.csv t"], ""),
        (&["{db}", ".read '|touch {m}'"], ""),
        (&["{db}", ".read {w}/drop.sql"], ""),
        (&["{db}", ".read {w}/nested.sql"], ""),
        (&["{db}", ".backup {m}"], ""),
        (&["{db}", ".save {m}"], ""),
        (&["{db}", ".clone {m}"], ""),
        (&["{db}", ".log {m}", "SELECT 1"], ""),
        (&["{db}", ".trace {m}", "SELECT 1"], ""),
        (&["{db}", ".testcase x", "SELECT 1"], ""),
        (&["{db}", ".restore {w}/other.db"], ""),
        (
            &[
                "{db}",
                ".parameter set :x \"writefile('{m}','y')\"",
                "SELECT 1",
            ],
            "",
        ),
        (&["{db}", ".open {m}", "CREATE TABLE z(a)"], ""),
        (&["{db}", ".cd {w}/out", ".sh touch marker"], ""),
        (&["{db}", ".load {w}/nonexistent"], ""),
        (&["{db}", ".nosuchcommand"], ""),
    ]);
}

#[test]
fn command_line_options_are_understood_or_refused() {
    all_refused(&[
        // -cmd runs before the rest; options may follow the database; --x means -x.
        (&["-cmd", ".sh touch {m}", "{db}", "SELECT 1"], ""),
        (&["{db}", "SELECT 1", "--cmd", ".sh touch {m}"], ""),
        (&["{db}", "-cmd", "DROP TABLE t", "SELECT 1"], ""),
        // -version stops sqlite3, but only after the -cmd values before it ran.
        (&["{db}", "-cmd", ".sh touch {m}", "-version"], ""),
        (&["-init", "{w}/drop.sql", "{db}", "SELECT 1"], ""),
        (&["-init", "{w}/shell.sql", "{db}", ".tables"], ""),
        (&["-init", "{w}/missing.sql", "{db}", "SELECT 1"], ""),
        (&["-bogus", "{db}", "SELECT 1"], ""),
        (&["{db}", "-cmd=.tables"], ""),
        (&["-memtrace", "{db}", "SELECT 1"], ""),
        (&["-vfs", "unix-none", "{db}", "SELECT 1"], ""),
        (&["-backslash", "{db}"], "SELECT 1;\n"),
        (&["-interactive", "{db}"], "SELECT 1;\n"),
        (&["--", "{db}", ".sh touch {m}"], ""),
    ]);
}

#[test]
fn scripts_on_stdin_and_startup_files_are_classified() {
    all_refused(&[
        (&["{db}"], "SELECT 1;\n.sh touch {m}\n"),
        (&["{db}"], "SELECT count(*) FROM t;\nDROP TABLE t;\n"),
        (&["{db}"], ".output {m}\nSELECT 1;\n"),
        (&["{db}"], ".read {w}/drop.sql\n"),
        (&["{db}"], ".import '|touch {m}' t\n"),
        (&["{db}"], "/* c */ SELECT 1;\n.once {m}\nSELECT 2;\n"),
    ]);
}

/// sqlite3 takes ~/.sqliterc from the account's passwd entry (getpwuid), not from HOME. As root the test gives
/// the account a temporary home in a private mount namespace (a bind-mounted /etc/passwd), so the real
/// ~/.sqliterc of the machine is never touched; gate must read the same file sqlite3 reads.
#[test]
fn the_startup_file_sqlite3_really_reads_is_classified() {
    let s = setup();
    // A ~/.sqliterc under HOME is not the one sqlite3 reads: the read stays allowed, and it really leaves
    // the table alone.
    std::fs::write(s.user_home.path().join(".sqliterc"), "DROP TABLE t;\n").unwrap();
    let read = s.expand(&["{db}", "SELECT count(*) FROM t"]);
    assert_eq!(s.decision(&read, "").0, "allow");
    let out = s.gate(&["run"], &read, "");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "3", "{out:?}");
    assert_eq!(
        sqlite(&s.work.path().join("t.db"), &["SELECT count(*) FROM t"]),
        "3"
    );
    std::fs::remove_file(s.user_home.path().join(".sqliterc")).unwrap();
    // The rest needs a private mount namespace: root, and a container that allows `unshare -m`.
    let namespaces = common::is_root()
        && Command::new("unshare")
            .args(["-m", "true"])
            .status()
            .is_ok_and(|s| s.success());
    if !namespaces {
        eprintln!(
            "no private mount namespace here: the real ~/.sqliterc cases need root and unshare -m"
        );
        return;
    }
    let account_home = tempfile::tempdir().unwrap();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let fake: String = passwd
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(':').collect();
            if f.len() >= 7 && f[2] == "0" {
                f[5] = account_home.path().to_str().unwrap();
            }
            f.join(":") + "\n"
        })
        .collect();
    let fake_passwd = s.work.path().join("src/passwd");
    std::fs::write(&fake_passwd, fake).unwrap();
    let gate_in_namespace = |args: &[String]| {
        let mut cmd = s.home.std_command("unshare");
        cmd.args([
            "-m",
            "sh",
            "-c",
            "mount --bind \"$0\" /etc/passwd && exec \"$@\"",
        ])
        .arg(&fake_passwd)
        .arg(assert_cmd::cargo::cargo_bin("gate"))
        .args(["run", "--", "sqlite3"])
        .args(args)
        .env("HOME", s.user_home.path())
        .current_dir(s.work.path())
        .stdin(std::process::Stdio::null());
        cmd.output().unwrap()
    };
    let marker = s.marker().display().to_string();
    for rc in [
        "DROP TABLE t;\n".to_string(),
        format!(".sh touch {marker}\n"),
        format!(".output {marker}\nSELECT 1;\n"),
        format!(".read {}\n", s.path("drop.sql")),
        ".headers on\nDELETE FROM t;\n".to_string(),
        format!(".once '|touch {marker}'\nSELECT 1;\n"),
    ] {
        std::fs::write(account_home.path().join(".sqliterc"), &rc).unwrap();
        let before = s.state();
        let out = gate_in_namespace(&read);
        assert_eq!(out.status.code(), Some(77), "~/.sqliterc {rc:?}: {out:?}");
        assert_eq!(s.state(), before, "~/.sqliterc {rc:?} changed something");
        assert!(!s.marker().exists());
    }
    // A harmless ~/.sqliterc keeps the read a read, and it runs.
    std::fs::write(
        account_home.path().join(".sqliterc"),
        ".headers off\n.mode list\n",
    )
    .unwrap();
    let out = gate_in_namespace(&read);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "3");
}

#[test]
fn archive_modes_are_classified() {
    all_refused(&[
        (&["{w}/ar.db", "-Ax", "-C", "{w}/out"], ""),
        (&["{w}/ar.db", "-AxC", "{w}/out"], ""),
        (
            &["{w}/ar.db", "-A", "--extract", "--directory", "{w}/out"],
            "",
        ),
        (&["{w}/ar.db", "-A", "xC", "{w}/out"], ""),
        (&["{w}/ar.db", ".archive -x -C {w}/out"], ""),
        (&["{w}/ar.db", ".ar --ext --dir {w}/out"], ""),
        (&["{db}", "-Ac", "{w}/data.csv"], ""),
        (&["{w}/ar.db", "-Au", "{w}/data.csv"], ""),
        (&["{w}/ar.db", "-Ar", "payload.txt"], ""),
        (&["{w}/ar.db", "-A", "-f", "{w}/ar.db"], ""),
        (&["{db}", ".ar -c {w}/data.csv"], ""),
    ]);
    // Listing an archive only reads it.
    let s = setup();
    let args = s.expand(&["{w}/ar.db", "-At"]);
    assert_eq!(s.decision(&args, "").0, "allow");
    let out = s.gate(&["run"], &args, "");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "payload.txt");
}

/// The attacks are real: run by sqlite3 itself, without gate, each one changes what [`Setup::state`] sees.
/// (A startup file is kept out with `-init /dev/null`.)
#[test]
fn the_attacks_work_without_gate() {
    for (args, stdin) in [
        (&["{db}", ".sh touch {m}"][..], ""),
        (&["{db}", ".s\\150 touch {m}"], ""),
        (&["{db}", ".\"sh\" touch {m}"], ""),
        (&["{db}", ".once '|touch {m}'", "SELECT 1"], ""),
        (&["{db}", ".import '|touch {m}' t"], ""),
        (&["{db}", ".read '|touch {m}'"], ""),
        (
            &[
                "{db}",
                ".parameter set :x \"writefile('{m}','y')\"",
                "SELECT 1",
            ],
            "",
        ),
        (&["{db}", ".trace {m}", "SELECT 1"], ""),
        (&["{db}", "-cmd", ".sh touch {m}", "-version"], ""),
        (&["{w}/ar.db", "-AxC", "{w}/out"], ""),
        (&["{w}/ar.db", "-A", "xC", "{w}/out"], ""),
        (
            &["{w}/ar.db", "-A", "--extract", "--directory", "{w}/out"],
            "",
        ),
        (&["{db}"], "SELECT 1;\n.sh touch {m}\n"),
        (&["{db}", "SELECT writefile('{m}', 'y')"], ""),
        (&["{db}", "VACUUM INTO '{m}'"], ""),
    ] {
        let s = setup();
        let before = s.state();
        let out = Command::new("sqlite3")
            .args(["-init", "/dev/null"])
            .args(s.expand(args))
            .current_dir(s.work.path())
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                child.stdin.take().unwrap().write_all(stdin.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        assert_ne!(
            s.state(),
            before,
            "{args:?} did nothing without gate: {out:?}"
        );
    }
}

/// SQL that writes files or changes the database: classified by the SQL analysis (src/classify/sql/), which
/// another branch of issue 12 reworks.
#[test]
fn sql_level_attacks_do_not_run() {
    all_refused(&[
        (&["{db}", "SELECT writefile('{m}', 'y')"], ""),
        (&["{db}", "SELECT edit('x', 'touch {m}')"], ""),
        (&["{db}", "VACUUM INTO '{m}'"], ""),
        (&["{db}", "ATTACH '{m}' AS n; CREATE TABLE n.z(a)"], ""),
        (&["{db}", "SELECT load_extension('{w}/nonexistent')"], ""),
        (&["{db}", "PRAGMA user_version = 5"], ""),
        (&["{db}", "PRAGMA journal_mode = WAL"], ""),
        (&["{db}", "DELETE FROM t"], ""),
        (&["{db}", "SELECT 1; DROP TABLE t"], ""),
    ]);
}

#[test]
fn reads_stay_allowed_and_really_run() {
    let s = setup();
    for (args, stdin, expect) in [
        (&["{db}", "SELECT count(*) FROM t"][..], "", "3"),
        (&["-readonly", "{db}", ".tables"], "", "t"),
        (&["{db}", ".schema t"], "", "CREATE TABLE t(x);"),
        (
            &[
                "-csv",
                "-header",
                "{db}",
                "SELECT x FROM t ORDER BY x LIMIT 1",
            ],
            "",
            "x",
        ),
        (
            &["-cmd", ".mode line", "{db}", "SELECT max(x) AS m FROM t"],
            "",
            "m = 3",
        ),
        (&["{db}"], "SELECT count(*) FROM t;\n", "3"),
        (&["{db}", ".headers off", "SELECT min(x) FROM t"], "", "1"),
        (&["-batch", "-bail", "{db}"], ".tables\n", "t"),
    ] {
        let args = s.expand(args);
        let (decision, kinds) = s.decision(&args, stdin);
        assert_eq!(decision, "allow", "{args:?}: {kinds:#?}");
        let out = s.gate(&["run"], &args, stdin);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.lines().any(|l| l.trim() == expect),
            "{args:?} printed {text:?}"
        );
    }
}
