//! A canary password passed in every way gate knows never appears in `gate explain` output, in the audit file,
//! or in any message, whether the command is explained, refused, or runs and fails.

mod common;

use common::Home;

/// One way to pass a secret: the argv, and variables in gate's own environment.
type Case = (Vec<&'static str>, Vec<(&'static str, &'static str)>);

/// `CANARY` is replaced by a unique secret per case.
fn cases() -> Vec<Case> {
    vec![
        (
            vec![
                "psql",
                "postgres://ops:CANARY@db.prod.internal:5432/app",
                "-c",
                "SELECT 1",
            ],
            vec![],
        ),
        (
            vec!["pg_dump", "postgresql://ops:CANARY@db.prod.internal/app"],
            vec![],
        ),
        (
            vec![
                "psql",
                "host=db password=CANARY dbname=app",
                "-c",
                "SELECT 1",
            ],
            vec![],
        ),
        (
            vec![
                "psql",
                "-d",
                "host=db password='CANARY' dbname=app",
                "-c",
                "SELECT 1",
            ],
            vec![],
        ),
        (
            vec!["mysql", "-h", "m", "-pCANARY", "shop", "-e", "SELECT 1"],
            vec![],
        ),
        (vec!["mysql", "--password=CANARY", "-e", "SELECT 1"], vec![]),
        (vec!["mysqldump", "-uroot", "-pCANARY", "shop"], vec![]),
        (
            vec![
                "env",
                "PGPASSWORD=CANARY",
                "psql",
                "-h",
                "db",
                "-c",
                "SELECT 1",
            ],
            vec![],
        ),
        (
            vec!["env", "MYSQL_PWD=CANARY", "mysql", "-e", "SELECT 1"],
            vec![],
        ),
        (
            vec!["env", "REDISCLI_AUTH=CANARY", "redis-cli", "GET", "k"],
            vec![],
        ),
        (
            vec!["psql", "-c", "SELECT 'CANARY'"],
            vec![("PGPASSWORD", "CANARY")],
        ),
        (
            vec!["mysql", "-e", "SELECT 'CANARY'"],
            vec![("MYSQL_PWD", "CANARY")],
        ),
        (
            vec!["redis-cli", "ECHO", "CANARY"],
            vec![("REDISCLI_AUTH", "CANARY")],
        ),
        (
            vec!["redis-cli", "-h", "r", "-a", "CANARY", "GET", "k"],
            vec![],
        ),
        (vec!["redis-cli", "--pass", "CANARY", "GET", "k"], vec![]),
        (vec!["redis-cli", "AUTH", "default", "CANARY"], vec![]),
        (
            vec![
                "redis-cli",
                "ACL",
                "SETUSER",
                "bob",
                "on",
                ">CANARY",
                "+@all",
            ],
            vec![],
        ),
        (
            vec!["psql", "-c", "CREATE ROLE auditor LOGIN PASSWORD 'CANARY'"],
            vec![],
        ),
        (
            vec![
                "psql",
                "-c",
                "ALTER USER a WITH ENCRYPTED PASSWORD 'CANARY'",
            ],
            vec![],
        ),
        (
            vec![
                "mysql",
                "-e",
                "CREATE USER 'app'@'%' IDENTIFIED BY 'CANARY'",
            ],
            vec![],
        ),
        (
            vec![
                "mongosh",
                "--eval",
                "db.createUser({user: 'a', pwd: 'CANARY', roles: []})",
            ],
            vec![],
        ),
        (
            vec![
                "mongosh",
                "--eval",
                "db.createUser({\"user\": \"a\", \"pwd\": \"CANARY\", \"roles\": []})",
            ],
            vec![],
        ),
        (
            vec![
                "mongosh",
                "-u",
                "admin",
                "-p",
                "CANARY",
                "--eval",
                "db.x.find()",
            ],
            vec![],
        ),
        (
            vec![
                "mongosh",
                "mongodb://admin:CANARY@mongo.prod/shop",
                "--eval",
                "db.x.find()",
            ],
            vec![],
        ),
        (
            vec![
                "mongodump",
                "--uri",
                "mongodb://admin:CANARY@mongo.prod/shop",
            ],
            vec![],
        ),
        (
            vec![
                "clickhouse-client",
                "--password",
                "CANARY",
                "-q",
                "SELECT 1",
            ],
            vec![],
        ),
        (
            vec![
                "sh",
                "-c",
                "mysql -pCANARY -e 'SELECT 1' && redis-cli -a CANARY FLUSHALL",
            ],
            vec![],
        ),
        (
            vec![
                "bash",
                "-c",
                "PGPASSWORD=CANARY psql -h db -c 'DROP TABLE t'",
            ],
            vec![],
        ),
        (
            vec![
                "sudo",
                "-u",
                "postgres",
                "env",
                "PGPASSWORD=CANARY",
                "pg_dumpall",
            ],
            vec![],
        ),
    ]
    .into_iter()
    .chain(more_cases())
    .collect()
}

/// Issue 12, item 9: every other spelling of a password.
fn more_cases() -> Vec<Case> {
    let argv = |a: &[&'static str]| (a.to_vec(), vec![]);
    vec![
        argv(&["psql", "-c", "CREATE ROLE a LOGIN PASSWORD E'CANARY'"]),
        argv(&["psql", "-c", "CREATE ROLE a LOGIN PASSWORD $$CANARY$$"]),
        argv(&["psql", "-c", "CREATE ROLE a LOGIN PASSWORD $pw$CANARY$pw$"]),
        argv(&["psql", "-c", "CREATE ROLE a LOGIN PASSWORD U&'CANARY'"]),
        argv(&[
            "psql",
            "-c",
            "CREATE ROLE a LOGIN PASSWORD /* x */ 'CANARY'",
        ]),
        argv(&["psql", "-c", "ALTER ROLE a ENCRYPTED PASSWORD 'CANARY'"]),
        argv(&["psql", "-dpassword=CANARY", "-c", "SELECT 1"]),
        argv(&["psql", "-d", "host=db password=CANARY", "-c", "SELECT 1"]),
        argv(&["mysql", "-e", "SET PASSWORD FOR 'app'@'%' = 'CANARY'"]),
        argv(&["mysql", "-e", "SET PASSWORD = PASSWORD('CANARY')"]),
        argv(&[
            "mysql",
            "-e",
            "ALTER USER u IDENTIFIED WITH mysql_native_password AS 'CANARY'",
        ]),
        argv(&[
            "mysql",
            "-e",
            "ALTER USER u IDENTIFIED BY 'new' REPLACE 'CANARY'",
        ]),
        argv(&["mysql", "-BNpCANARY", "-e", "SELECT 1"]),
        argv(&["mysql", "--passw=CANARY", "-e", "SELECT 1"]),
        argv(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.changeUserPassword('app', 'CANARY')",
        ]),
        argv(&[
            "mongosh",
            "--norc",
            "--eval",
            "db.changeUserPassword(\"app\", \"CANARY\")",
        ]),
        argv(&[
            "redis-cli",
            "-h",
            "r",
            "CONFIG",
            "SET",
            "requirepass",
            "CANARY",
        ]),
        argv(&["redis-cli", "CONFIG", "SET", "masterauth", "CANARY"]),
        argv(&[
            "redis-cli",
            "-n",
            "2",
            "HELLO",
            "3",
            "AUTH",
            "default",
            "CANARY",
        ]),
        argv(&[
            "redis-cli",
            "-h",
            "r",
            "ACL",
            "SETUSER",
            "bob",
            "on",
            "+@all",
            "<CANARY",
        ]),
        argv(&[
            "redis-cli",
            "ACL",
            "SETUSER",
            "bob",
            ">other",
            "on",
            ">CANARY",
        ]),
        argv(&[
            "redis-cli",
            "MIGRATE",
            "h",
            "6379",
            "k",
            "0",
            "10",
            "AUTH",
            "CANARY",
        ]),
        argv(&[
            "redis-cli",
            "MIGRATE",
            "h",
            "6379",
            "k",
            "0",
            "10",
            "AUTH2",
            "u",
            "CANARY",
        ]),
        argv(&["redis-cli", "--user", "u", "--pass", "CANARY", "GET", "k"]),
        argv(&["kubectl", "--token", "CANARY", "get", "pods"]),
        argv(&["kubectl", "--token=CANARY", "get", "pods"]),
        argv(&["kubectl", "--password", "CANARY", "get", "pods"]),
        argv(&["curl", "-u", "user:CANARY", "https://api.example.com/"]),
        argv(&["curl", "--user", "user:CANARY", "https://api.example.com/"]),
        argv(&[
            "curl",
            "-H",
            "Authorization: Bearer CANARY",
            "https://api.example.com/",
        ]),
        argv(&[
            "curl",
            "--oauth2-bearer",
            "CANARY",
            "https://api.example.com/",
        ]),
        argv(&["aws", "s3", "ls", "--aws-secret-access-key", "CANARY"]),
        argv(&["clickhouse-client", "--password=CANARY", "-q", "SELECT 1"]),
    ]
}

#[test]
fn a_canary_never_leaks() {
    // Deny everything that is not a read, so refusals are exercised too; reads are allowed and run (and fail,
    // as the hosts do not exist), so the run and error paths are covered as well.
    let policy = "version: 1\nrules:\n  - {name: reads, match: {kinds: [read]}, decision: allow}\n  - {name: rest, match: {risk: moderate}, decision: deny, message: refused in tests}\n";
    let mut leaks = Vec::new();
    for (n, (argv, env)) in cases().into_iter().enumerate() {
        let canary = format!("Canary{n}Secret");
        let argv: Vec<String> = argv.iter().map(|a| a.replace("CANARY", &canary)).collect();
        let home = Home::with_policy(policy);
        let mut outputs = Vec::new();
        for sub in [
            &["explain", "--json"][..],
            &["explain"],
            &["run", "--reason", "test"],
        ] {
            let mut cmd = home.gate();
            for (k, v) in &env {
                cmd.env(k, v.replace("CANARY", &canary));
            }
            // Point the database clients at nothing, quickly.
            cmd.env("PGCONNECT_TIMEOUT", "1")
                .args(sub)
                .arg("--")
                .args(&argv);
            let out = cmd.output().unwrap();
            outputs.push(String::from_utf8_lossy(&out.stdout).to_string());
            outputs.push(String::from_utf8_lossy(&out.stderr).to_string());
        }
        outputs.push(std::fs::read_to_string(home.audit_file()).unwrap_or_default());
        home.gate()
            .args(["audit", "--json"])
            .output()
            .map(|o| outputs.push(String::from_utf8_lossy(&o.stdout).to_string()))
            .unwrap();
        if outputs.iter().any(|o| o.contains(&canary)) {
            let shown: Vec<&String> = outputs.iter().filter(|o| o.contains(&canary)).collect();
            leaks.push(format!("case {n} {argv:?}: {shown:?}"));
        }
        assert!(
            !std::fs::read_to_string(home.audit_file())
                .unwrap_or_default()
                .is_empty(),
            "case {n} was audited"
        );
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n"));
}

/// The binding digest covers the real secret: a different password is a different command to approve.
#[test]
fn the_digest_covers_the_secret() {
    let home = Home::with_policy("version: 1\ndefaults: {decision: deny, unknown: deny}\n");
    for argv in [
        vec!["mysql", "-pFIRST-secret", "-e", "SELECT 1"],
        vec!["psql", "-c", "ALTER ROLE a PASSWORD $$FIRST-secret$$"],
        vec!["redis-cli", "CONFIG", "SET", "requirepass", "FIRST-secret"],
        vec![
            "curl",
            "-H",
            "Authorization: Bearer FIRST-secret",
            "https://x/",
        ],
    ] {
        let digest = |secret: &str| {
            let argv: Vec<String> = argv
                .iter()
                .map(|a| a.replace("FIRST-secret", secret))
                .collect();
            let out = home
                .gate()
                .args(["explain", "--json", "--"])
                .args(&argv)
                .output()
                .unwrap();
            let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(
                !json.to_string().contains(secret),
                "{argv:?} shows its secret"
            );
            json["digest"].as_str().unwrap().to_string()
        };
        assert_ne!(digest("FIRST-secret"), digest("OTHER-secret"), "{argv:?}");
    }
}
