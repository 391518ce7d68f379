//! gate in front of a real PostgreSQL: reads run and return rows, denied statements never reach the server, and
//! a pg_dump the policy allows produces a real dump with its exit status passed through.

mod common;

use common::postgres::Postgres;
use common::{Home, allow_tools};
use predicates::prelude::*;

fn setup() -> (Postgres, Home) {
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE app");
    pg.psql("app", "CREATE TABLE users (id int primary key, name text); INSERT INTO users VALUES (1, 'ada'), (2, 'bob')");
    (pg, Home::with_policy(&allow_tools(&["pg_dump"])))
}

/// `gate run -- psql <connection to the test server> ARGS…`.
fn gated_psql(home: &Home, pg: &Postgres, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = home.gate();
    cmd.args(["run", "--", "psql"])
        .args(pg.conn_args())
        .args(args);
    cmd
}

#[test]
fn an_allowed_read_runs_and_its_output_arrives() {
    let (pg, home) = setup();
    gated_psql(
        &home,
        &pg,
        &[
            "-X",
            "-A",
            "-t",
            "-d",
            "app",
            "-c",
            "SELECT name FROM users ORDER BY id",
        ],
    )
    .assert()
    .success()
    .stdout("ada\nbob\n");
    let events: Vec<String> = home
        .records()
        .iter()
        .map(|r| r["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(events, ["requested", "decided", "exited"]);
    assert_eq!(home.records()[2]["status"], 0);
}

#[test]
fn a_denied_drop_table_exits_77_and_the_table_survives() {
    let (pg, home) = setup();
    gated_psql(&home, &pg, &["-d", "app", "-c", "DROP TABLE users"])
        .assert()
        .code(77)
        .stderr(predicate::str::contains(
            "error: denied by rule `no-destruction`",
        ))
        .stderr(predicate::str::contains("hint:"));
    assert_eq!(pg.psql("app", "SELECT count(*) FROM users"), "2");
    let last = home.records().pop().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["decision"].as_str()),
        (Some("decided"), Some("deny"))
    );
}

#[test]
fn an_allowed_pg_dump_produces_a_real_dump_and_passes_its_status_through() {
    let (pg, home) = setup();
    let dump = home.path().join("app.sql");
    home.gate()
        .args(["run", "--reason", "INC-1 test", "--", "pg_dump"])
        .args(pg.conn_args())
        .args(["-t", "public.users", "-f"])
        .arg(&dump)
        .arg("app")
        .assert()
        .success();
    let text = std::fs::read_to_string(&dump).unwrap();
    assert!(text.contains("CREATE TABLE public.users"), "{text}");
    assert!(text.contains("ada"), "the rows are in the dump");

    // A dump of a database that does not exist fails in pg_dump itself: its status is gate's status.
    home.gate()
        .args(["run", "--", "pg_dump"])
        .args(pg.conn_args())
        .arg("no_such_database")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no_such_database"));
    let requested = &home.records()[0];
    assert_eq!(requested["kinds"][0], "data_export");
    assert_eq!(requested["reason"], "INC-1 test");
}

#[test]
fn a_batch_with_a_delete_without_where_is_refused_whole() {
    let (pg, home) = setup();
    let batch = "INSERT INTO users VALUES (3, 'cy');\nUPDATE users SET name = 'changed' WHERE id = 1;\nDELETE FROM users;\n";
    home.write("batch.sql", batch);
    gated_psql(&home, &pg, &["-d", "app", "-f", "batch.sql"])
        .assert()
        .code(77)
        .stderr(predicate::str::contains("no-destruction"));
    // The same batch on stdin.
    gated_psql(&home, &pg, &["-d", "app"])
        .write_stdin(batch)
        .assert()
        .code(77);
    assert_eq!(
        pg.psql(
            "app",
            "SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM users"
        ),
        "1:ada,2:bob"
    );
    let requested = home
        .records()
        .into_iter()
        .find(|r| r["event"] == "requested")
        .unwrap();
    let kinds = requested["kinds"].as_array().unwrap();
    assert!(
        kinds.contains(&serde_json::json!("destructive_write")),
        "{kinds:?}"
    );
    assert!(kinds.contains(&serde_json::json!("write")), "{kinds:?}");
}

#[test]
fn an_allowed_read_on_stdin_returns_rows() {
    let (pg, home) = setup();
    gated_psql(&home, &pg, &["-X", "-A", "-t", "-d", "app"])
        .write_stdin("SELECT name FROM users WHERE id = 2;\n")
        .assert()
        .success()
        .stdout("bob\n");
}

mod approvals {
    use super::*;
    use common::accounts::Shared;
    use std::process::Stdio;

    fn policy(pg: &Postgres) -> String {
        format!(
            "version: 1\nenvironments:\n  production: {{hosts: [\"{}\"]}}\ngroups:\n  dba: [gate-alice, gate-bob]\nrules:\n  - name: reads\n    match: {{kinds: [read]}}\n    decision: allow\n  - name: prod-writes\n    match: {{kinds: [write], environments: [production]}}\n    decision: approve\n    approvals: {{from: dba, count: 1}}\n",
            pg.host()
        )
    }

    fn delete_as_alice(shared: &Shared, pg: &Postgres) -> std::process::Child {
        shared
            .as_user("gate-alice")
            .args(["run", "--reason", "INC-7 remove a test user", "--", "psql"])
            .args(pg.conn_args())
            .args(["-d", "app", "-c", "DELETE FROM users WHERE id = 2"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn wait_for_request(shared: &Shared) -> String {
        let started = std::time::Instant::now();
        loop {
            let o = shared
                .as_user("gate-bob")
                .args(["pending", "--json"])
                .output()
                .unwrap();
            if let Some(id) = common::json_ids(&o.stdout).into_iter().next() {
                return id;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "no request appeared"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    #[test]
    fn a_production_delete_waits_and_runs_only_after_approval() {
        let pg = Postgres::start();
        pg.psql("postgres", "CREATE DATABASE app");
        pg.psql("app", "CREATE TABLE users (id int primary key, name text); INSERT INTO users VALUES (1, 'ada'), (2, 'bob')");
        let Some(shared) = Shared::new(&policy(&pg)) else {
            return;
        };

        let denied = delete_as_alice(&shared, &pg);
        let id = wait_for_request(&shared);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(
            pg.psql("app", "SELECT count(*) FROM users"),
            "2",
            "nothing runs while it waits"
        );
        assert!(
            shared
                .as_user("gate-bob")
                .args(["deny", &id, "--reason", "use the admin tool"])
                .status()
                .unwrap()
                .success()
        );
        let o = denied.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(77));
        assert!(String::from_utf8_lossy(&o.stderr).contains("use the admin tool"));
        assert_eq!(
            pg.psql("app", "SELECT count(*) FROM users"),
            "2",
            "a denied delete never ran"
        );

        let approved = delete_as_alice(&shared, &pg);
        let id = wait_for_request(&shared);
        assert!(
            shared
                .as_user("gate-bob")
                .args(["approve", &id])
                .status()
                .unwrap()
                .success()
        );
        let o = approved.wait_with_output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(
            pg.psql("app", "SELECT string_agg(name, ',') FROM users"),
            "ada",
            "the row is gone"
        );
    }
}
