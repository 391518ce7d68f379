//! Attacks on the MySQL/MariaDB, MongoDB and ClickHouse clients under a reads-only policy, through the real
//! `gate explain --json`, each written from the clients' own documentation (mysql `--help` and the reference
//! manual's option tables, `client/mysql.cc`'s line reader, the MongoDB Shell and Database Tools manuals, the
//! ClickHouse "Command-Line Client" page). `HOME` is a temp dir, so the machine's own option files never leak in.
//! No server is needed: nothing runs.

mod common;

use common::Home;

use common::READS_ONLY;

/// One case: the argv, the files to put in HOME (relative name, text), stdin, and whether it must be allowed.
struct Case {
    argv: &'static [&'static str],
    files: &'static [(&'static str, &'static str)],
    stdin: Option<&'static str>,
    allow: bool,
}

const fn deny(argv: &'static [&'static str]) -> Case {
    Case {
        argv,
        files: &[],
        stdin: None,
        allow: false,
    }
}

const fn allow(argv: &'static [&'static str]) -> Case {
    Case {
        argv,
        files: &[],
        stdin: None,
        allow: true,
    }
}

fn run(cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        let home = Home::with_policy(READS_ONLY);
        for (name, text) in case.files {
            let path = home.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let argv: Vec<String> = case
            .argv
            .iter()
            .map(|a| a.replace("$HOME", &home.path().display().to_string()))
            .collect();
        let mut cmd = home.gate();
        cmd.env("HOME", home.path())
            .env_remove("MYSQL_HOME")
            .env_remove("MYSQL_TEST_LOGIN_FILE")
            .env_remove("MYSQL_GROUP_SUFFIX")
            .args(["explain", "--json", "--"])
            .args(&argv)
            .write_stdin(case.stdin.unwrap_or(""));
        let out = cmd.output().unwrap();
        let json: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(j) => j,
            Err(e) => {
                failures.push(format!(
                    "{argv:?}: no JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        let decision = json["decision"].as_str().unwrap_or("").to_string();
        let allowed = decision == "allow";
        if allowed != case.allow {
            let findings: Vec<String> = json["findings"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .map(|f| format!("{}: {}", f["kind"], f["detail"]))
                        .collect()
                })
                .unwrap_or_default();
            failures.push(format!(
                "{argv:?}: {decision}, wanted {}: {findings:?}",
                if case.allow { "allow" } else { "deny" }
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Reads that must stay allowed, so gate stays useful.
#[test]
fn legitimate_reads_stay_allowed() {
    run(&[
        allow(&["mysql", "-h", "db", "-e", "SELECT 1"]),
        allow(&[
            "mysql",
            "--no-defaults",
            "-h",
            "db",
            "-u",
            "app",
            "shop",
            "-e",
            "SELECT id FROM orders LIMIT 5",
        ]),
        allow(&[
            "mariadb",
            "-h",
            "db",
            "--batch",
            "--skip-column-names",
            "-e",
            "SHOW TABLES",
        ]),
        allow(&["mysql", "-h", "db", "-e", "use shop; SELECT 1\\G"]),
        allow(&["mysql", "-h", "db", "--exec=SELECT 1"]),
        Case {
            stdin: Some("SELECT 1;\nSELECT 2;\n"),
            ..allow(&["mysql", "-h", "db", "shop"])
        },
        Case {
            files: &[(
                ".my.cnf",
                "[client]\nhost = db.internal\nuser = app\npassword = \"s3cret\"\n\n[mysqld]\ninit-file = /tmp/x\n",
            )],
            ..allow(&["mysql", "-e", "SELECT 1"])
        },
        allow(&["mongosh", "--norc", "--eval", "db.c.find({})"]),
        allow(&[
            "mongosh",
            "--norc",
            "mongodb://db/shop",
            "--eval",
            "db.orders.find({state: 'open'}).limit(5).toArray()",
        ]),
        allow(&[
            "mongosh",
            "--norc",
            "--quiet",
            "--eval",
            "db.orders.countDocuments({})",
        ]),
        allow(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.o.aggregate([{$match: {a: 1}}, {$group: {_id: '$b', n: {$sum: 1}}}])",
        ]),
        Case {
            stdin: Some("show dbs\nuse shop\ndb.orders.findOne()\n"),
            ..allow(&["mongosh", "--norc", "--host", "db"])
        },
        allow(&[
            "clickhouse-client",
            "-h",
            "ch",
            "--query",
            "SELECT count() FROM events",
        ]),
        allow(&[
            "clickhouse-client",
            "--param_id=5",
            "-q",
            "SELECT * FROM t WHERE id = {id:UInt32} LIMIT 1",
        ]),
    ]);
}

/// my_getopt resolves prefixes, `_`/`-`, and `--skip-`/`--enable-`/`--loose-`: gate reads them the same way.
#[test]
fn mysql_option_spellings() {
    run(&[
        deny(&["mysql", "-h", "db", "--exec=DROP TABLE t"]),
        deny(&["mysql", "-h", "db", "--execu", "DELETE FROM t"]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "--init_command=DROP TABLE t",
            "-e",
            "SELECT 1",
        ]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "--init-com=DROP TABLE t",
            "-e",
            "SELECT 1",
        ]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "--loose-init-command=DROP TABLE t",
            "-e",
            "SELECT 1",
        ]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "--enable-local-infile",
            "-e",
            "SELECT 1",
        ]),
        deny(&["mysql", "-h", "db", "--local_infile=1", "-e", "SELECT 1"]),
        deny(&["mysql", "-h", "db", "--pager=sh -c id", "-e", "SELECT 1"]),
        deny(&["mysql", "-h", "db", "--tee=/tmp/out", "-e", "SELECT 1"]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "--plugin-dir=/tmp/evil",
            "-e",
            "SELECT 1",
        ]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "--default-auth=../../tmp/evil",
            "-e",
            "SELECT 1",
        ]),
        allow(&[
            "mysql",
            "-h",
            "db",
            "--skip-local-infile",
            "--disable-pager",
            "-e",
            "SELECT 1",
        ]),
    ]);
}

/// Options gate does not know, or spellings it cannot resolve, are `unknown`.
#[test]
fn mysql_unknown_options() {
    run(&[
        deny(&["mysql", "-h", "db", "--frobnicate", "-e", "SELECT 1"]),
        deny(&["mysql", "-h", "db", "--s", "-e", "SELECT 1"]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "--maximum-max-allowed-packet=1",
            "-e",
            "SELECT 1",
        ]),
        deny(&["mysql", "-h", "db", "-Z", "-e", "SELECT 1"]),
        deny(&["mysql", "-h", "db", "--binary-mode", "-e", "SELECT 1"]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "--character-sets-dir=/tmp",
            "-e",
            "SELECT 1",
        ]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "-e",
            "SELECT 1",
            "--defaults-file=/tmp/x.cnf",
        ]),
        deny(&["mysqldump", "-h", "db", "--frobnicate", "shop"]),
    ]);
}

/// Every option file the client reads is an input: read and classified, or `unknown`.
#[test]
fn mysql_option_files() {
    run(&[
        Case {
            files: &[(".my.cnf", "[client]\ninit-command = DROP TABLE t\n")],
            ..deny(&["mysql", "-h", "db", "-e", "SELECT 1"])
        },
        Case {
            files: &[(".my.cnf", "[mysql]\nexecute = DELETE FROM t\n")],
            ..deny(&["mysql", "-h", "db"])
        },
        Case {
            files: &[(".my.cnf", "[client]\npager = sh -c id\n")],
            ..deny(&["mysql", "-h", "db", "-e", "SELECT 1"])
        },
        Case {
            files: &[(".my.cnf", "[client]\nlocal_infile = 1\n")],
            ..deny(&["mysql", "-h", "db", "-e", "SELECT 1"])
        },
        Case {
            files: &[(".my.cnf", "[client]\n!includedir /etc/mysql/conf.d\n")],
            ..deny(&["mysql", "-h", "db", "-e", "SELECT 1"])
        },
        Case {
            files: &[
                (".my.cnf", "[client]\nhost = db\n!include $HOME/more.cnf\n"),
                ("more.cnf", "[client]\ninit-command = DROP TABLE t\n"),
            ],
            ..deny(&["mysql", "-e", "SELECT 1"])
        },
        Case {
            files: &[(".my.cnf", "[client]\nplugin-dir = /tmp/evil\n")],
            ..deny(&["mysql", "-h", "db", "-e", "SELECT 1"])
        },
        Case {
            files: &[(".mylogin.cnf", "\u{0}\u{0}\u{0}\u{0}obfuscated")],
            ..deny(&["mysql", "--no-defaults", "-h", "db", "-e", "SELECT 1"])
        },
        Case {
            files: &[("evil.cnf", "[client]\ninit-command = DROP TABLE t\n")],
            ..deny(&[
                "mysql",
                "--defaults-file=$HOME/evil.cnf",
                "-h",
                "db",
                "-e",
                "SELECT 1",
            ])
        },
        Case {
            files: &[("extra.cnf", "[client]\ninit-command = DROP TABLE t\n")],
            ..deny(&[
                "mysql",
                "--defaults-extra-file=$HOME/extra.cnf",
                "-h",
                "db",
                "-e",
                "SELECT 1",
            ])
        },
        Case {
            files: &[(".my.cnf", "[clientprod]\ninit-command = DROP TABLE t\n")],
            ..deny(&[
                "mysql",
                "--defaults-group-suffix=prod",
                "-h",
                "db",
                "-e",
                "SELECT 1",
            ])
        },
        deny(&["mysql", "--login-path=prod", "-e", "SELECT 1"]),
        deny(&[
            "mysql",
            "--defaults-file=$HOME/missing.cnf",
            "-e",
            "SELECT 1",
        ]),
        // --no-defaults really skips them.
        Case {
            files: &[(".my.cnf", "[client]\ninit-command = DROP TABLE t\n")],
            ..allow(&["mysql", "--no-defaults", "-h", "db", "-e", "SELECT 1"])
        },
    ]);
}

/// The client's own commands, wherever its line reader finds them (`-e`, stdin, `source`d files).
#[test]
fn mysql_client_commands() {
    run(&[
        deny(&["mysql", "-h", "db", "-e", "system id"]),
        deny(&["mysql", "-h", "db", "-e", "SELECT 1; system id"]),
        deny(&["mysql", "-h", "db", "-e", "SELECT 1 \\! id"]),
        deny(&["mysql", "-h", "db", "-e", "/*! \\! id */ SELECT 1"]),
        deny(&["mysql", "-h", "db", "-e", "/* c */ SYSTEM id;"]),
        deny(&["mysql", "-h", "db", "-e", "pager sh\nSELECT 1"]),
        deny(&["mysql", "-h", "db", "-e", "tee /tmp/out\nSELECT 1"]),
        deny(&["mysql", "-h", "db", "-e", "edit"]),
        deny(&["mysql", "-h", "db", "-e", "connect prod other-host"]),
        deny(&["mysql", "-h", "db", "-e", "SELECT 1 --x\n; \\! id"]),
        deny(&["mysql", "-h", "db", "-e", "SELECT '\\';\\! id' "]),
        deny(&[
            "mysql",
            "-h",
            "db",
            "-e",
            "delimiter //\nSELECT 1//\nDROP TABLE t//",
        ]),
        Case {
            stdin: Some("SELECT 1;\n\\! touch /tmp/pwned\n"),
            ..deny(&["mysql", "-h", "db"])
        },
        Case {
            files: &[("evil.sql", "DROP TABLE t;\n")],
            ..deny(&["mysql", "-h", "db", "-e", "source $HOME/evil.sql"])
        },
        Case {
            files: &[("ok.sql", "SELECT 1;\n")],
            ..allow(&["mysql", "-h", "db", "-e", "source $HOME/ok.sql"])
        },
        allow(&[
            "mysql",
            "-h",
            "db",
            "-e",
            "SELECT '\\! not a command', 'system'",
        ]),
        allow(&["mysql", "-h", "db", "-e", "# system id\nSELECT 1"]),
    ]);
}

/// mysqldump is an export at best; options that make the server write files or drop logs are more.
#[test]
fn mysqldump_options() {
    run(&[
        deny(&["mysqldump", "-h", "db", "shop"]),
        deny(&[
            "mysqldump",
            "-h",
            "db",
            "--tab=/var/lib/mysql-files",
            "shop",
        ]),
        deny(&["mysqldump", "-h", "db", "-r", "/tmp/x.sql", "shop"]),
        deny(&["mysqldump", "-h", "db", "--delete-master-logs", "shop"]),
        deny(&[
            "mariadb-dump",
            "-h",
            "db",
            "--where=1=1 OR sleep(10)",
            "shop",
            "t",
        ]),
    ]);
}

/// mongosh runs ~/.mongoshrc.js unless --norc, and any JavaScript gate cannot read is `unknown`.
#[test]
fn mongosh_rc_and_javascript() {
    run(&[
        Case {
            files: &[(".mongoshrc.js", "db.getSiblingDB('shop').orders.drop()\n")],
            ..deny(&["mongosh", "--eval", "db.c.find({})"])
        },
        Case {
            files: &[(".mongoshrc.js", "db.c.find({})\n")],
            ..deny(&["mongosh", "--norc", "false", "--eval", "db.c.find({})"])
        },
        deny(&["mongosh", "--norc", "--eval", "db['dropDatabase']()"]),
        deny(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.c.find(); x = db.dropDatabase; x()",
        ]),
        deny(&["mongosh", "--norc", "--eval", "/'/; db.dropDatabase() //'"]),
        deny(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.c.find({}).forEach(function (d) { db.c.deleteOne(d) })",
        ]),
        deny(&["mongosh", "--norc", "--eval", "`${db.dropDatabase()}`"]),
        deny(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.c.aggregate([{$match: {}}, {$out: 'copy'}])",
        ]),
        deny(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.c.find({$where: 'sleep(100) || true'})",
        ]),
        deny(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.changeUserPassword('app', 'x')",
        ]),
        deny(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.createUser({user: 'a', pwd: 'x', roles: ['root']})",
        ]),
        deny(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.runCommand({dropDatabase: 1})",
        ]),
        deny(&["mongosh", "--norc", "--eval", "db.c.find(\"\\u0027\")"]),
        deny(&[
            "mongosh",
            "--norc",
            "--frobnicate",
            "--eval",
            "db.c.find({})",
        ]),
        deny(&["mongosh", "--norc", "--shell", "--eval", "db.c.find({})"]),
        Case {
            files: &[("evil.js", "db.dropDatabase()\n")],
            ..deny(&["mongosh", "--norc", "$HOME/evil.js"])
        },
        Case {
            files: &[("evil.js", "db.dropDatabase()\n")],
            ..deny(&["mongosh", "--norc", "-f", "$HOME/evil.js"])
        },
        deny(&["mongo", "--norc", "--eval", "load('/tmp/x.js')"]),
    ]);
}

/// The MongoDB Database Tools: exports, loads, and options that do more.
#[test]
fn mongo_tools() {
    run(&[
        deny(&["mongodump", "--uri", "mongodb://db/shop"]),
        deny(&[
            "mongoexport",
            "--db",
            "shop",
            "-c",
            "orders",
            "-q",
            "{\"$where\": \"sleep(100)\"}",
        ]),
        deny(&["mongorestore", "--drop", "dump/"]),
        deny(&[
            "mongoimport",
            "--mode=delete",
            "--db",
            "shop",
            "-c",
            "t",
            "--file",
            "x.json",
        ]),
        deny(&["mongodump", "--config", "/tmp/conf.yaml"]),
        deny(&["mongodump", "--frobnicate"]),
    ]);
}

/// clickhouse-client: its configuration files, options it does not list, and what its SQL does.
#[test]
fn clickhouse_client() {
    run(&[
        deny(&[
            "clickhouse-client",
            "--config-file",
            "/tmp/evil.xml",
            "-q",
            "SELECT 1",
        ]),
        Case {
            files: &[(
                ".clickhouse-client/config.xml",
                "<config><host>prod</host></config>",
            )],
            ..deny(&["clickhouse-client", "-q", "SELECT 1"])
        },
        deny(&["clickhouse-client", "--allow_ddl=1", "-q", "SELECT 1"]),
        deny(&["clickhouse-client", "--que=SELECT 1"]),
        deny(&["clickhouse-client", "-q", "TRUNCATE TABLE events"]),
        deny(&["clickhouse-client", "-q", "DROP TABLE events"]),
        deny(&[
            "clickhouse-client",
            "--history_file=/tmp/x",
            "-q",
            "SELECT 1",
        ]),
        deny(&[
            "clickhouse-client",
            "--connection",
            "prod",
            "-q",
            "SELECT 1",
        ]),
        deny(&[
            "clickhouse-client",
            "-q",
            "SELECT * FROM file('/etc/passwd')",
        ]),
        deny(&["clickhouse-client", "-q", "SELECT * FROM url('http://x/')"]),
        deny(&[
            "clickhouse-client",
            "-q",
            "SELECT * FROM executable('id', 'TSV', 'x String')",
        ]),
        Case {
            files: &[("q.sql", "DROP TABLE t;\n")],
            ..deny(&["clickhouse-client", "--queries-file", "$HOME/q.sql"])
        },
    ]);
}
