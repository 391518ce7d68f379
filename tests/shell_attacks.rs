//! The shell and the wrappers as a hostile agent uses them, through the real `gate explain --json` under a
//! reads-only policy: every word the shell would expand, every startup file and variable, every wrapper option
//! gate does not model must keep a command from being allowed, and plain reads must stay allowed. The cases come
//! from the POSIX Shell Command Language, bash 5.2's manual, dash(1), coreutils 9.1's `--help`, sudo(8), ssh(1),
//! and `docker exec --help`/`kubectl exec --help`. A few run for real against PostgreSQL at the end.

mod common;

use common::Home;
use common::postgres::Postgres;

use common::READS_ONLY;

/// One command and what gate must decide about it.
struct Case {
    argv: Vec<String>,
    env: Vec<(String, String)>,
    files: Vec<(String, String)>,
    allow: bool,
    /// A kind that must be among the findings.
    kind: Option<&'static str>,
    /// Text that must appear in some finding's detail: what gate says it could not see.
    detail: Option<&'static str>,
}

fn case(allow: bool, argv: &[&str]) -> Case {
    Case {
        argv: argv.iter().map(ToString::to_string).collect(),
        env: Vec::new(),
        files: Vec::new(),
        allow,
        kind: None,
        detail: None,
    }
}

fn allow(argv: &[&str]) -> Case {
    case(true, argv)
}

fn deny(argv: &[&str]) -> Case {
    case(false, argv)
}

/// `sh -c TEXT`, which is also how the Claude Code hook judges the agent's Bash command.
fn sh(allowed: bool, text: &str) -> Case {
    case(allowed, &["sh", "-c", text])
}

fn bash(allowed: bool, text: &str) -> Case {
    case(allowed, &["bash", "-c", text])
}

impl Case {
    fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    fn file(mut self, path: &str, text: &str) -> Self {
        self.files.push((path.into(), text.into()));
        self
    }

    fn kind(mut self, kind: &'static str) -> Self {
        self.kind = Some(kind);
        self
    }

    fn detail(mut self, text: &'static str) -> Self {
        self.detail = Some(text);
        self
    }
}

/// `gate explain --json` in a fresh home, with HOME pointing at it and no other variable of ours leaking in.
fn explain(home: &Home, argv: &[String], env: &[(String, String)]) -> serde_json::Value {
    let mut cmd = home.gate();
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GATE_HOME", home.path())
        .env("HOME", home.path())
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(
            k,
            v.replace("$HOME_DIR", &home.path().display().to_string()),
        );
    }
    let out = cmd
        .args(["explain", "--json", "--"])
        .args(argv)
        .write_stdin("")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{argv:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn check(cases: &[Case]) {
    assert!(cases.len() >= 5, "at least five cases a class");
    let mut failures = Vec::new();
    for c in cases {
        let home = Home::with_policy(READS_ONLY);
        for (path, text) in &c.files {
            let path = home.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let argv: Vec<String> = c
            .argv
            .iter()
            .map(|a| a.replace("$HOME_DIR", &home.path().display().to_string()))
            .collect();
        let json = explain(&home, &argv, &c.env);
        let kinds: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        let allowed = json["decision"] == "allow";
        if allowed != c.allow {
            failures.push(format!(
                "{argv:?} env {:?}: decision {} (findings {})",
                c.env, json["decision"], json["findings"]
            ));
        }
        if let Some(k) = c.kind
            && !kinds.contains(&k)
        {
            failures.push(format!("{argv:?}: no {k} among {kinds:?}"));
        }
        if let Some(text) = c.detail
            && !json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["detail"].as_str().unwrap().contains(text))
        {
            failures.push(format!(
                "{argv:?}: no finding says `{text}`: {}",
                json["findings"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn legitimate_reads_stay_allowed() {
    check(&[
        sh(true, "psql -X -c 'SELECT 1'"),
        allow(&["env", "PGHOST=localhost", "psql", "-X", "-c", "SELECT 1"]),
        sh(true, "cd sub && psql -X -f q.sql").file("sub/q.sql", "SELECT 1;\n"),
        bash(true, "psql -X -c 'SELECT 1' 2>/dev/null </dev/null"),
        sh(true, "timeout 5 nice -n 5 psql -X -c 'SELECT 1'"),
        sh(
            true,
            "PGHOST=localhost psql -X -c 'SELECT 1' && psql -X -c 'SELECT 2'",
        ),
        sh(true, "psql -X <<'EOF'\nSELECT 1;\nEOF"),
        sh(true, "(psql -X -c 'SELECT 1')"),
        sh(true, "set -eu; psql -X -c 'SELECT 1'"),
        allow(&[
            "bash",
            "--noprofile",
            "--norc",
            "-c",
            "psql -X -c 'SELECT 1'",
        ]),
    ]);
}

#[test]
fn parameter_expansion_is_unknown() {
    check(&[
        sh(false, "psql -X -c \"DELETE FROM t WHERE id=$ID\"")
            .env("ID", "1 OR true")
            .kind("unknown"),
        sh(false, "psql -X -c \"$1\" sh 'DROP TABLE t'"),
        sh(false, "psql -X -c \"$@\""),
        bash(false, "psql -X -c \"${Q}\"").env("Q", "DROP TABLE t"),
        sh(false, "psql -X -c $Q").env("Q", "SELECT 1"),
        sh(false, "psql -X -c \"SELECT $$\""),
        sh(false, "psql -X -c \"SELECT $?\""),
        sh(false, "X=1; psql -X -c \"$X\""),
        sh(false, "PGOPTIONS=$O psql -X -c 'SELECT 1'"),
    ]);
}

#[test]
fn substitution_and_arithmetic_are_unknown() {
    check(&[
        sh(false, "psql -X -c \"$(cat q.sql)\"").file("q.sql", "SELECT 1"),
        sh(false, "psql -X -c `cat q.sql`"),
        sh(false, "psql -X -c \"SELECT $((1+1))\""),
        sh(false, "psql -X -c \"$(echo $(echo DROP TABLE t))\""),
        bash(false, "psql -X -c \"${Q:-DROP TABLE t}\""),
        sh(false, "X=$(id); psql -X -c 'SELECT 1'"),
    ]);
}

#[test]
fn brace_expansion_is_unknown_where_the_shell_does_it() {
    check(&[
        bash(false, "psql -X -c{'SELECT 1','DROP TABLE t'}"),
        bash(false, "psql -X -f {a,b}.sql")
            .file("a.sql", "SELECT 1;")
            .file("b.sql", "SELECT 2;"),
        bash(false, "psql -X -f q{1..2}.sql"),
        // sh may be bash: brace expansion counts.
        sh(false, "psql -X -c{'SELECT 1','DROP TABLE t'}"),
        sh(false, "psql -X -v x={a,b} -c 'SELECT 1'"),
        // dash does no brace expansion: the word is literal.
        allow(&["dash", "-c", "psql -X -v x={a,b} -c 'SELECT 1'"]),
    ]);
}

#[test]
fn globs_are_unknown() {
    check(&[
        sh(false, "psql -X -f *.sql").file("a.sql", "SELECT 1;"),
        sh(false, "psql -X -f q?.sql"),
        sh(false, "psql -X -f [q].sql"),
        bash(false, "psql -X -f @(q).sql"),
        sh(false, "psql -X -c 'SELECT 1' -v x=*"),
        // Quoted, the same characters are literal.
        sh(true, "psql -X -c 'SELECT count(*) FROM pg_class'"),
    ]);
}

#[test]
fn tilde_expansion_is_unknown() {
    check(&[
        sh(false, "psql -X -f ~/q.sql").file("q.sql", "SELECT 1;"),
        sh(false, "psql -X -f ~root/q.sql"),
        bash(false, "psql -X -v x=~/q -c 'SELECT 1'"),
        sh(false, "PGPASSFILE=~/.pgpass psql -X -c 'SELECT 1'"),
        sh(false, "PSQLRC=/tmp:~/rc psql -c 'SELECT 1'"),
        sh(false, "cd ~ && psql -X -f q.sql").file("q.sql", "SELECT 1;"),
    ]);
}

#[test]
fn process_substitution_is_unknown() {
    check(&[
        bash(false, "psql -X -f <(echo 'DROP TABLE t')"),
        bash(false, "psql -X -c 'SELECT 1' > >(tee out)"),
        bash(
            false,
            "diff <(psql -X -c 'SELECT 1') <(psql -X -c 'SELECT 2')",
        ),
        sh(false, "psql -X -f <(cat q.sql)"),
        bash(false, "psql -X < <(echo 'DROP TABLE t')"),
    ]);
}

#[test]
fn here_documents() {
    check(&[
        sh(false, "psql -X <<EOF\nSELECT $x;\nEOF"),
        sh(false, "psql -X <<EOF\n`rm -rf ~`\nEOF"),
        sh(false, "psql -X <<EOF\nSELECT 1 \\\nEOF"),
        sh(false, "psql -X <<'EOF'\nDROP TABLE t;\nEOF").kind("destructive_write"),
        sh(false, "psql -X -f /dev/stdin <<'EOF'\nDROP TABLE t;\nEOF").kind("destructive_write"),
        sh(true, "psql -X <<-\"EOF\"\n\tSELECT '$x';\n\tEOF"),
        bash(false, "psql -X <<< 'DROP TABLE t'").kind("destructive_write"),
    ]);
}

#[test]
fn ansi_c_quoting_is_decoded_or_unknown() {
    check(&[
        bash(true, "psql -X -c $'SELECT 1'"),
        bash(false, "psql -X -c $'\\x44ROP TABLE t'").kind("destructive_write"),
        bash(false, "psql -X -c $'\\104ROP TABLE t'").kind("destructive_write"),
        bash(false, "psql -X -c $'SELECT \\u00e9'").kind("unknown"),
        sh(false, "psql -X -c $'SELECT 1'").kind("unknown"),
        bash(false, "psql -X -c $\"SELECT 1\"").kind("unknown"),
        bash(false, "psql -X -c $'SELECT 1\\0; DROP TABLE t'"),
    ]);
}

#[test]
fn cd_and_env_chdir_move_where_files_resolve() {
    let safe = "SELECT 1;\n";
    let drop = "DROP TABLE t;\n";
    check(&[
        sh(true, "cd sub && psql -X -f q.sql")
            .file("sub/q.sql", safe)
            .file("q.sql", drop),
        sh(false, "cd sub && psql -X -f q.sql")
            .file("sub/q.sql", drop)
            .file("q.sql", safe),
        // With `;` psql runs in the old directory too when cd fails.
        sh(false, "cd sub; psql -X -f q.sql")
            .file("sub/q.sql", safe)
            .file("q.sql", drop),
        sh(false, "cd sub || psql -X -f q.sql")
            .file("sub/q.sql", safe)
            .file("q.sql", drop),
        allow(&["env", "-C", "sub", "psql", "-X", "-f", "q.sql"])
            .file("sub/q.sql", safe)
            .file("q.sql", drop),
        deny(&["env", "--chdir=sub", "psql", "-X", "-f", "q.sql"])
            .file("sub/q.sql", drop)
            .file("q.sql", safe),
        sh(false, "cd && psql -X -f q.sql")
            .file("q.sql", drop)
            .file("sub/q.sql", safe),
        sh(false, "cd sub/.. && psql -X -f q.sql").file("q.sql", safe),
        sh(false, "cd - && psql -X -f q.sql").file("q.sql", safe),
        sh(false, "cd sub && psql -X -f q.sql")
            .env("CDPATH", "/tmp")
            .file("sub/q.sql", safe),
        sh(false, "pushd sub && psql -X -f q.sql").file("sub/q.sql", safe),
        // A cd in a subshell or the background changes nothing afterwards.
        sh(false, "(cd sub); psql -X -f q.sql")
            .file("sub/q.sql", safe)
            .file("q.sql", drop),
        sh(false, "cd sub & psql -X -f q.sql")
            .file("sub/q.sql", safe)
            .file("q.sql", drop),
    ]);
}

#[test]
fn env_options() {
    check(&[
        deny(&["env", "-S", "psql -X -c 'DROP TABLE t'"]).kind("destructive_write"),
        deny(&["env", "-vS", "psql -X -c 'DROP TABLE t'"]).kind("destructive_write"),
        deny(&["env", "--split-string=psql\\_-X\\_-c\\_'DROP TABLE t'"]).kind("destructive_write"),
        deny(&["env", "-S", "psql -X -c ${Q}"]).kind("unknown"),
        deny(&["env", "-S", "psql -X -c $Q"]).kind("unknown"),
        deny(&[
            "env",
            "-S",
            "-i PGOPTIONS=-csearch_path=x psql -X -c 'DROP TABLE t'",
        ]),
        deny(&["env", "--frobnicate", "psql", "-X", "-c", "SELECT 1"]),
        deny(&["env", "-u"]),
        deny(&["env"]),
        allow(&["env", "-i", "psql", "-X", "-c", "SELECT 1"]),
        allow(&[
            "env",
            "-",
            "PGHOST=localhost",
            "psql",
            "-X",
            "-c",
            "SELECT 1",
        ]),
        allow(&["env", "-u", "PGOPTIONS", "psql", "-X", "-c", "SELECT 1"]),
        allow(&["env", "-S", "psql -X -c 'SELECT 1' #ignored"]),
    ]);
}

#[test]
fn sudo_and_doas_are_privilege_switches() {
    check(&[
        deny(&["sudo", "-u", "postgres", "psql", "-X", "-c", "SELECT 1"]).kind("privilege_switch"),
        deny(&["sudo", "-s", "psql -X -c 'SELECT 1'"]).kind("unknown"),
        deny(&["sudo", "-i", "psql", "-X"]).kind("unknown"),
        deny(&["sudo", "-A", "psql", "-X", "-c", "SELECT 1"]).kind("unknown"),
        deny(&["sudo", "-R", "/tmp", "psql", "-X", "-c", "SELECT 1"]).kind("unknown"),
        deny(&["sudo", "-e", "/etc/passwd"]).kind("unknown"),
        deny(&["sudo", "--frob", "psql"]).kind("unknown"),
        deny(&["sudo", "-E", "-D", "/tmp", "psql", "-X", "-c", "SELECT 1"])
            .kind("privilege_switch"),
        deny(&["doas", "-u", "postgres", "psql", "-X", "-c", "SELECT 1"]).kind("privilege_switch"),
        deny(&["doas", "-s"]).kind("unknown"),
    ]);
}

#[test]
fn other_wrappers_read_complete_option_tables() {
    check(&[
        deny(&["timeout", "--frob", "5", "psql", "-X", "-c", "SELECT 1"]),
        deny(&["timeout", "later", "psql", "-X", "-c", "SELECT 1"]),
        allow(&[
            "timeout",
            "-k",
            "1",
            "--preserve-status",
            "5s",
            "psql",
            "-X",
            "-c",
            "SELECT 1",
        ]),
        allow(&["nice", "-5", "psql", "-X", "-c", "SELECT 1"]),
        deny(&["nice", "--frob", "psql", "-X", "-c", "SELECT 1"]),
        allow(&["ionice", "-c", "3", "psql", "-X", "-c", "SELECT 1"]),
        deny(&["ionice", "-p", "1"]),
        allow(&["stdbuf", "-oL", "-e", "0", "psql", "-X", "-c", "SELECT 1"]),
        deny(&["nohup", "psql", "-X", "-c", "SELECT 1"]).kind("write"),
        deny(&["time", "-o", "/tmp/x", "psql", "-X", "-c", "SELECT 1"]).kind("write"),
        sh(false, "command -p psql -X -c 'SELECT 1'"),
        bash(false, "exec -a -bash bash -c 'psql -X -c \"SELECT 1\"'"),
        bash(true, "exec psql -X -c 'SELECT 1'"),
        bash(false, "time -o /tmp/x psql -X -c 'SELECT 1'"),
    ]);
}

#[test]
fn shell_startup_files_and_variables() {
    check(&[
        bash(false, "psql -X -c 'SELECT 1'")
            .env("BASH_ENV", "$HOME_DIR/rc")
            .file("rc", "psql -X -c 'DROP TABLE t'\n")
            .kind("destructive_write"),
        bash(true, "psql -X -c 'SELECT 1'")
            .env("BASH_ENV", "$HOME_DIR/rc")
            .file("rc", "psql -X -c 'SELECT 2'\n"),
        bash(false, "psql -X -c 'SELECT 1'").env("BASH_ENV", "$HOME/rc"),
        bash(false, "psql -X -c 'SELECT 1'").env("BASH_ENV", "/nonexistent/rc"),
        // dash and a non-interactive sh read neither BASH_ENV nor ENV.
        allow(&["dash", "-c", "psql -X -c 'SELECT 1'"])
            .env("BASH_ENV", "/nonexistent/rc")
            .env("ENV", "/nonexistent/rc"),
        deny(&["dash", "-i", "-c", "psql -X -c 'SELECT 1'"]).env("ENV", "$HOME_DIR/rc"),
        deny(&["bash", "-l", "-c", "psql -X -c 'SELECT 1'"]),
        deny(&["bash", "--login", "-c", "psql -X -c 'SELECT 1'"]),
        deny(&["sh", "-l", "-c", "psql -X -c 'SELECT 1'"]),
        deny(&["bash", "-i", "-c", "psql -X -c 'SELECT 1'"]),
        allow(&["bash", "--rcfile", "rc", "-c", "psql -X -c 'SELECT 1'"]).file("rc", "rm -rf ~\n"),
        deny(&["bash", "-x", "-c", "psql -X -c 'SELECT 1'"]).env("PS4", "$(touch /tmp/pwned) "),
        bash(false, "psql -X -c 'SELECT 1'")
            .env("SHELLOPTS", "xtrace")
            .env("PS4", "`id` "),
        bash(false, "set -x; psql -X -c 'SELECT 1'").env("PS4", "$(id)"),
        bash(false, "psql -X -c 'SELECT 1'").env("BASHOPTS", "lastpipe"),
        deny(&["bash", "-O", "lastpipe", "-c", "psql -X -c 'SELECT 1'"]),
        deny(&["bash", "-k", "-c", "psql -X -c 'SELECT 1' PGOPTIONS=x"]),
        deny(&["bash", "--nor", "-c", "psql -X -c 'SELECT 1'"]),
        deny(&[
            "bash",
            "+o",
            "interactive-comments",
            "-c",
            "psql -X -c 'SELECT 1' # x",
        ]),
        deny(&["zsh", "-c", "psql -X -c 'SELECT 1'"]),
    ]);
}

#[test]
fn exported_functions_are_unknown() {
    check(&[
        bash(false, "psql -X -c 'SELECT 1'").env("BASH_FUNC_psql%%", "() { rm -rf ~; }"),
        bash(false, "psql -X -c 'SELECT 1'").env("BASH_FUNC_cd%%", "() { :; }"),
        sh(false, "psql -X -c 'SELECT 1'").env("BASH_FUNC_psql%%", "() { rm -rf ~; }"),
        deny(&[
            "env",
            "BASH_FUNC_psql%%=() { rm -rf ~; }",
            "bash",
            "-c",
            "psql -X -c 'SELECT 1'",
        ]),
        bash(false, "bash -c \"psql -X -c 'SELECT 1'\"").env("BASH_FUNC_x%%", "() { :; }"),
        // dash does not import functions.
        allow(&["dash", "-c", "psql -X -c 'SELECT 1'"]).env("BASH_FUNC_psql%%", "() { id; }"),
    ]);
}

#[test]
fn functions_aliases_and_state_builtins_are_unknown() {
    check(&[
        sh(false, "psql() { rm -rf ~; }; psql -X -c 'SELECT 1'"),
        bash(false, "function psql { rm -rf ~; }; psql -X -c 'SELECT 1'"),
        bash(
            false,
            "shopt -s expand_aliases; alias psql='rm -rf ~'; psql -X -c 'SELECT 1'",
        ),
        sh(false, "eval \"psql -X -c 'DROP TABLE t'\""),
        sh(false, ". ./x.sh; psql -X -c 'SELECT 1'").file("x.sh", "alias psql=id\n"),
        bash(false, "source x.sh; psql -X -c 'SELECT 1'").file("x.sh", ""),
        bash(false, "hash -p /tmp/evil psql; psql -X -c 'SELECT 1'"),
        bash(false, "enable -n echo; psql -X -c 'SELECT 1'"),
        sh(false, "trap 'rm -rf ~' EXIT; psql -X -c 'SELECT 1'"),
        sh(false, "exec 0<q.sql; psql -X").file("q.sql", "DROP TABLE t;"),
        sh(false, "if true; then psql -X -c 'SELECT 1'; fi"),
        sh(false, "for x in 1; do psql -X -c 'SELECT 1'; done"),
        sh(false, "while false; do :; done; psql -X -c 'SELECT 1'"),
        bash(false, "[[ -f x ]] && psql -X -c 'SELECT 1'"),
        bash(false, "coproc psql -X -c 'SELECT 1'"),
        sh(false, "! psql -X -c 'DROP TABLE t'").kind("destructive_write"),
        sh(false, "{ psql -X -c 'DROP TABLE t'; }").kind("destructive_write"),
    ]);
}

#[test]
fn redirections_that_write_are_not_reads() {
    check(&[
        sh(false, "psql -X -c 'SELECT 1' > ~/.bashrc"),
        sh(false, "psql -X -c 'SELECT 1' > .bashrc").kind("write"),
        sh(false, "psql -X -c 'SELECT 1' >> .psqlrc").kind("write"),
        sh(false, "psql -X -c 'SELECT 1' >| out").kind("write"),
        bash(false, "psql -X -c 'SELECT 1' &> out").kind("write"),
        sh(false, "psql -X -c 'SELECT 1' 2> err").kind("write"),
        sh(false, "psql -X -c 'SELECT 1' 3<> f").kind("write"),
        bash(false, "psql -X -c 'SELECT 1' >& out").kind("write"),
        sh(false, "> .bashrc").kind("write"),
        sh(false, "psql -X -c 'SELECT 1' > \"$OUT\""),
        sh(true, "psql -X -c 'SELECT 1' > /dev/null 2>&1"),
        sh(true, "psql -X < q.sql").file("q.sql", "SELECT 1;"),
        sh(false, "psql -X < q.sql").file("q.sql", "DROP TABLE t;"),
        sh(false, "cat q.sql | psql -X").file("q.sql", "SELECT 1;"),
    ]);
}

#[test]
fn ssh_options_config_and_target() {
    check(&[
        deny(&[
            "ssh",
            "-o",
            "ProxyCommand=sh -c 'touch /tmp/pwned'",
            "db1",
            "true",
        ])
        .detail("ProxyCommand"),
        deny(&[
            "ssh",
            "-oPermitLocalCommand=yes",
            "-oLocalCommand=id",
            "db1",
            "true",
        ])
        .detail("PermitLocalCommand"),
        deny(&["ssh", "db1", "-o", "KnownHostsCommand=/bin/id", "true"])
            .detail("KnownHostsCommand"),
        deny(&["ssh", "-F", "cfg", "db1", "true"])
            .file("cfg", "Host *\n")
            .detail("ssh -F"),
        deny(&["ssh", "-J", "jump", "db1", "true"]).detail("ssh -J"),
        deny(&["ssh", "-W", "db2:5432", "db1"]).detail("ssh -W"),
        deny(&["ssh", "-L", "5432:db2:5432", "db1"]).detail("ssh -L"),
        deny(&["ssh", "-I", "/tmp/evil.so", "db1", "true"]).detail("PKCS#11"),
        deny(&["ssh", "db1", "true"])
            .file(".ssh/config", "Host db1\n  ProxyCommand nc %h %p\n")
            .detail("Host db1"),
        deny(&["ssh", "db1", "true"])
            .file(".ssh/config", "Match exec \"id\"\n")
            .detail("Match exec"),
        deny(&["ssh", "db1", "true"])
            .file(".ssh/config", "Include other\n")
            .detail("Include other"),
        // The remote side's startup files are out of sight: a remote command is never a proven read.
        deny(&[
            "ssh",
            "-p",
            "2222",
            "-l",
            "ops",
            "db1",
            "psql",
            "-X",
            "-c",
            "'SELECT 1'",
        ])
        .kind("read"),
        deny(&["ssh", "db1"]),
    ]);
}

#[test]
fn ssh_target_is_the_remote_host_not_local_variables() {
    let home = Home::with_policy(READS_ONLY);
    let json = explain(
        &home,
        &["ssh", "db1", "psql", "-X", "-c", "'DROP TABLE t'"].map(String::from),
        &[("PGHOST".into(), "local-db.example".into())],
    );
    let findings = json["findings"].as_array().unwrap();
    let drop = findings
        .iter()
        .find(|f| f["kind"] == "destructive_write")
        .unwrap();
    assert_eq!(drop["target"]["host"], "db1", "{json}");
    assert!(!json.to_string().contains("local-db.example"), "{json}");
}

#[test]
fn container_and_pod_exec_options() {
    check(&[
        deny(&[
            "docker", "exec", "--frob", "pg", "psql", "-X", "-c", "SELECT 1",
        ]),
        deny(&[
            "docker",
            "exec",
            "--env-file",
            "e",
            "pg",
            "psql",
            "-X",
            "-c",
            "SELECT 1",
        ]),
        deny(&["docker", "exec", "-it", "pg", "psql", "-c", "DROP TABLE t"])
            .kind("destructive_write"),
        deny(&[
            "docker", "--config", "/tmp/c", "exec", "pg", "psql", "-X", "-c", "SELECT 1",
        ]),
        deny(&["docker", "run", "-v", "/:/host", "alpine", "sh"]),
        deny(&["docker", "cp", "pg:/etc/passwd", "."]),
        deny(&["podman", "exec", "-l", "psql", "-X", "-c", "SELECT 1"]),
        deny(&[
            "docker", "compose", "-f", "x.yml", "exec", "db", "psql", "-X", "-c", "SELECT 1",
        ]),
        deny(&[
            "kubectl", "exec", "--frob", "p", "--", "psql", "-X", "-c", "SELECT 1",
        ]),
        deny(&["kubectl", "exec", "p", "psql", "-X", "-c", "SELECT 1"]),
        deny(&[
            "kubectl",
            "exec",
            "-n",
            "db",
            "-c",
            "pg",
            "p",
            "--",
            "psql",
            "-c",
            "DROP TABLE t",
        ])
        .kind("destructive_write"),
        allow(&["docker", "ps", "-a", "--format", "{{.Names}}"]),
        deny(&["docker", "ps", "--frob"]),
        allow(&["docker", "images", "-q"]),
    ]);
}

#[test]
fn deep_nesting_is_unknown_and_never_crashes() {
    // Four shells and six wrappers deep: past gate's bound of eight.
    let mut nested = "nice ".repeat(6) + "psql -X -c 'SELECT 1'";
    for _ in 0..4 {
        nested = format!("sh -c {}", gate::classify::shell::quote(&nested));
    }
    let parens = "(".repeat(20_000) + "psql -X -c 'SELECT 1'" + &")".repeat(20_000);
    let braces = "{ ".repeat(20_000) + "psql -X -c 'SELECT 1'" + &"; }".repeat(20_000);
    let substitutions = "$(".repeat(5_000) + "id" + &")".repeat(5_000);
    let bangs = "! ".repeat(20_000) + "psql -X -c 'SELECT 1'";
    let quotes = "\"".repeat(40_001);
    check(&[
        case(false, &["sh", "-c", &nested]),
        sh(false, &parens),
        bash(false, &braces),
        sh(false, &format!("psql -X -c \"{substitutions}\"")),
        sh(true, &bangs),
        sh(false, &quotes),
        sh(true, &"psql -X -c 'SELECT 1'\n".repeat(3_000)),
    ]);
}

/// A script that runs for real: gate refuses it (77), and the table is still there.
fn run_for_real(
    pg: &Postgres,
    home: &Home,
    script: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut cmd = home.gate();
    cmd.env("HOME", home.path()).env_remove("BASH_ENV");
    for var in [
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
        "PGOPTIONS",
        "PSQLRC",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let conn = pg.conn_args().join(" ");
    cmd.args(["run", "--", "bash", "-c", &script.replace("CONN", &conn)])
        .write_stdin("")
        .output()
        .unwrap()
}

#[test]
fn for_real_the_table_survives() {
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE app");
    pg.psql("app", "CREATE TABLE t (id int); INSERT INTO t VALUES (1)");
    let home = Home::with_policy(READS_ONLY);
    let conn = pg.conn_args().join(" ");
    let rc = home.write("rc", &format!("psql {conn} -X -d app -c 'DROP TABLE t'\n"));
    let rc = rc.display().to_string();
    std::fs::create_dir_all(home.path().join("sub")).unwrap();
    home.write("sub/q.sql", "DROP TABLE t;\n");
    home.write("q.sql", "SELECT 1;\n");
    // gate stays useful: a read in a shell runs and returns its rows.
    let out = run_for_real(
        &pg,
        &home,
        "psql CONN -X -A -t -d app -c 'SELECT count(*) FROM t'",
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    for (script, env) in [
        ("psql CONN -X -d app -c \"$Q\"", vec![("Q", "DROP TABLE t")]),
        ("psql CONN -X -d app -c $'\\x44ROP TABLE t'", vec![]),
        (
            "psql() { command psql \"$@\" -c 'DROP TABLE t'; }; psql CONN -X -d app -c 'SELECT 1'",
            vec![],
        ),
        (
            "psql CONN -X -d app -c 'SELECT 1'",
            vec![("BASH_ENV", rc.as_str())],
        ),
        (
            "psql CONN -X -d app <<EOF\n$(echo DROP TABLE t)\nEOF",
            vec![],
        ),
        ("cd sub && psql CONN -X -d app -f q.sql", vec![]),
    ] {
        let out = run_for_real(&pg, &home, script, &env);
        assert_eq!(
            out.status.code(),
            Some(77),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(pg.psql("app", "SELECT count(*) FROM t"), "1", "{script}");
    }
    // A redirection that would clobber a file is refused, and the file is not written.
    let out = run_for_real(
        &pg,
        &home,
        "psql CONN -X -d app -c 'SELECT 1' > clobbered",
        &[],
    );
    assert_eq!(out.status.code(), Some(77));
    assert!(!home.path().join("clobbered").exists());
}
