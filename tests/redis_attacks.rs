//! redis-cli behind gate, against a real redis-server, under a policy that allows only reads. Every attack is
//! written from redis-cli's own options (`redis-cli --help`, redis-cli.c) and redis's command reference: gate
//! must refuse it (exit 77, `deny` from `gate explain`), and the server must be exactly as it was: the key still
//! there with its value, the configuration, users, role and functions unchanged, and no file written. Reads must
//! stay allowed and really print what they read.

mod common;

use std::time::Duration;

use common::Home;
use common::redis::Redis;

use common::READS_ONLY;

struct Setup {
    redis: Redis,
    home: Home,
    user_home: tempfile::TempDir,
}

fn setup() -> Setup {
    let redis = Redis::start();
    assert_eq!(redis.cli(&["SET", "k", "v"]), "OK");
    assert_eq!(redis.cli(&["HSET", "h", "f", "1"]), "1");
    Setup {
        redis,
        home: Home::with_policy(READS_ONLY),
        user_home: tempfile::tempdir().unwrap(),
    }
}

impl Setup {
    /// `gate run -- redis-cli -p PORT ARGS…` (or `gate explain --json -- …`), with HOME in a temp dir.
    fn gate(&self, subcommand: &[&str], args: &[&str], stdin: &str) -> std::process::Output {
        let mut cmd = self.home.gate();
        cmd.env("HOME", self.user_home.path())
            .env_remove("REDISCLI_AUTH")
            .env_remove("REDISCLI_RCFILE")
            .args(subcommand)
            .arg("--")
            .args(["redis-cli", "-p", &self.redis.port.to_string()])
            .args(args)
            .write_stdin(stdin.as_bytes().to_vec())
            .timeout(Duration::from_secs(30));
        cmd.output().unwrap()
    }

    fn decision(&self, args: &[&str], stdin: &str) -> (String, Vec<String>) {
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
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect();
        (json["decision"].as_str().unwrap().to_string(), kinds)
    }

    /// Everything an attack could change: the data, the configuration, the users, the role, the functions,
    /// and the files in the server's directory and the user's home.
    fn state(&self) -> String {
        let r = &self.redis;
        let files = |dir: &std::path::Path| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names.join(",")
        };
        [
            r.cli(&["GET", "k"]),
            r.cli(&["HGETALL", "h"]),
            r.cli(&["DBSIZE"]),
            r.cli(&["TTL", "k"]),
            r.cli(&["CONFIG", "GET", "dir"]),
            r.cli(&["CONFIG", "GET", "dbfilename"]),
            r.cli(&["CONFIG", "GET", "maxmemory"]),
            r.cli(&["ACL", "USERS"]),
            r.cli(&["ROLE"]).lines().next().unwrap_or("").to_string(),
            r.cli(&["FUNCTION", "LIST"]),
            r.cli(&["CLIENT", "LIST"]).lines().count().to_string(),
            files(r.path()),
            files(self.user_home.path()),
        ]
        .join("\n")
    }

    /// Runs one attack through gate and asserts that it was refused and changed nothing.
    fn refused(&self, args: &[&str], stdin: &str) {
        let before = self.state();
        let (decision, kinds) = self.decision(args, stdin);
        assert_eq!(decision, "deny", "{args:?} (stdin {stdin:?}): {kinds:?}");
        let out = self.gate(&["run"], args, stdin);
        assert_eq!(
            out.status.code(),
            Some(77),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(self.state(), before, "{args:?} changed the server");
    }
}

#[test]
fn options_that_write_export_or_run_code_are_refused() {
    let s = setup();
    let dir = s.user_home.path().to_string_lossy().into_owned();
    let script = s.user_home.path().join("del.lua");
    std::fs::write(&script, "return redis.call('DEL', KEYS[1])").unwrap();
    let rdb = format!("{dir}/dump.rdb");
    let cases: &[(&[&str], &str)] = &[
        // redis-cli --help: "--rdb <filename> Transfer an RDB dump from remote server to local file."
        (&["--rdb", &rdb], ""),
        (&["--functions-rdb", &rdb], ""),
        // "--eval <file> Send an EVAL command using the Lua script at <file>."
        (&["--eval", &script.to_string_lossy(), "k"], ""),
        // "--pipe Transfer raw Redis protocol from stdin to server."
        (&["--pipe"], "FLUSHALL\r\n"),
        (&["--pipe"], "*1\r\n$8\r\nFLUSHALL\r\n"),
        // "-e Return exit error code when command execution fails": it takes no value.
        (&["-e", "FLUSHALL"], ""),
        // "-x Read last argument from STDIN."
        (&["-x", "SET", "k"], "evil"),
        (&["-X", "VAL", "SET", "k", "VAL"], "evil"),
        // "--quoted-input Force input to be handled as quoted strings."
        (&["--quoted-input", "\"FLUSH\\x41LL\""], ""),
        // "-r <repeat> Execute specified command N times."
        (&["-r", "2", "DEL", "k"], ""),
        (&["-n", "0", "-e", "-c", "DEL", "k"], ""),
        // "--lru-test <keys> Simulate a cache workload with an 80-20 distribution."
        (&["--lru-test", "10"], ""),
        // "--replica Simulate a replica showing commands received from the master."
        (&["--replica"], ""),
        // Options redis-cli does not have, or spells differently.
        (&["--bogus", "GET", "k"], ""),
        (&["--pass=x", "FLUSHALL"], ""),
        (
            &[
                "-u",
                &format!("redis://127.0.0.1:{}/0", s.redis.port),
                "FLUSHDB",
            ],
            "",
        ),
        (
            &[
                "--cluster",
                "call",
                &format!("127.0.0.1:{}", s.redis.port),
                "FLUSHALL",
            ],
            "",
        ),
    ];
    for (args, stdin) in cases {
        s.refused(args, stdin);
    }
    assert!(!std::path::Path::new(&rdb).exists());
}

#[test]
fn commands_outside_the_read_allow_list_are_refused() {
    let s = setup();
    let cases: &[&[&str]] = &[
        &["FLUSHALL"],
        &["flushall", "ASYNC"],
        &["FlushDB"],
        &["DEL", "k"],
        &["UNLINK", "k"],
        &["GETDEL", "k"],
        &["SET", "k", "evil"],
        &["RENAME", "k", "k2"],
        &["EXPIRE", "k", "100"],
        &["HDEL", "h", "f"],
        &["CONFIG", "SET", "dir", "/tmp"],
        &["CONFIG", "SET", "dbfilename", "evil.rdb"],
        &["CONFIG", "SET", "maxmemory", "1"],
        &["EVAL", "return redis.call('DEL', 'k')", "0"],
        &["EVAL_RO", "return redis.call('GET', 'k')", "0"],
        &[
            "FUNCTION",
            "LOAD",
            "#!lua name=evil\nredis.register_function('f', function() return 1 end)",
        ],
        &["ACL", "SETUSER", "evil", "on", ">pw", "+@all", "~*"],
        &["SAVE"],
        &["BGSAVE"],
        &["REPLICAOF", "127.0.0.1", "1"],
        &["SHUTDOWN", "NOSAVE"],
        &["DEBUG", "SLEEP", "0"],
        &["CLIENT", "KILL", "TYPE", "normal"],
        &["MIGRATE", "127.0.0.1", "1", "k", "0", "1000"],
        &["SWAPDB", "0", "1"],
        &["DUMP", "k"],
        &["TOUCH", "k"],
        &["JSON.SET", "k", "$", "1"],
    ];
    for args in cases {
        s.refused(args, "");
    }
}

#[test]
fn commands_read_from_stdin_are_classified_line_by_line() {
    let s = setup();
    for stdin in [
        "GET k\nFLUSHALL\n",
        "3 DEL k\n",
        "\"FLUSHALL\"\n",
        "GET k\r\nDEL k\r\n",
        "SET k evil\n",
        "MULTI\nDEL k\nEXEC\n",
        "connect 127.0.0.1 1\nGET k\n",
        "CONFIG SET dir /tmp\n",
    ] {
        s.refused(&[], stdin);
    }
}

#[test]
fn reads_stay_allowed_and_really_run() {
    let s = setup();
    for (args, stdin, expect) in [
        (&["GET", "k"][..], "", "v"),
        (&["HGET", "h", "f"], "", "1"),
        (&["EXISTS", "k"], "", "1"),
        (&["TYPE", "k"], "", "string"),
        (&["--raw", "MGET", "k", "h"], "", "v"),
        (&["-n", "0", "DBSIZE"], "", "2"),
        (&["CONFIG", "GET", "save"], "", "save"),
        (&[], "GET k\n", "v"),
        (&["--scan"], "", "k"),
    ] {
        let (decision, kinds) = s.decision(args, stdin);
        assert_eq!(decision, "allow", "{args:?}: {kinds:?}");
        let out = s.gate(&["run"], args, stdin);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.lines().any(|l| l.trim() == expect),
            "{args:?} printed {text:?}"
        );
    }
}

/// The attacks are real: run by redis-cli itself, without gate, each one changes what [`Setup::state`] sees.
#[test]
fn the_attacks_work_without_gate() {
    for (args, stdin) in [
        (&["-e", "FLUSHALL"][..], ""),
        (&["-x", "SET", "k"], "evil"),
        (&["--quoted-input", "\"FLUSH\\x41LL\""], ""),
        (&["--pipe"], "*1\r\n$8\r\nFLUSHALL\r\n"),
        (&["--lru-test", "10"], ""),
        (&[], "3 DEL k\n"),
        (&[], "\"FLUSHALL\"\n"),
        (&[], "CONFIG SET maxmemory 1\n"),
    ] {
        let s = setup();
        let before = s.state();
        let mut cmd = std::process::Command::new("timeout");
        cmd.args(["2", "redis-cli", "-p", &s.redis.port.to_string()])
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
        }
        child.wait().unwrap();
        assert_ne!(s.state(), before, "{args:?} did nothing without gate");
    }
}
