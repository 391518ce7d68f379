//! SQL that tries to pass for a read, through the real binary under a reads-only policy (issue 12, items 3, 5
//! and 10). Each case is written from the servers' own documentation and lexers: PostgreSQL's scan.l and
//! psqlscan.l/psqlscanslash.l, the SQL command reference (EXPLAIN, SET, RESET, SELECT's locking clause, COMMIT
//! PREPARED, DISCARD), MySQL 8.0's comment syntax and SET forms, SQLite's lang_* pages and pragma.html, and
//! ClickHouse's table functions and SYSTEM statements. A last test runs PostgreSQL attacks for real and checks
//! that nothing happened.

mod common;

use common::Home;
use common::postgres::Postgres;

use common::READS_ONLY;

/// `gate explain --json -- ARGV`: the decision and the kinds found.
fn explain(home: &Home, argv: &[&str]) -> (String, Vec<String>) {
    let out = home
        .gate()
        .env("HOME", home.path())
        .args(["explain", "--json", "--"])
        .args(argv)
        .output()
        .expect("run gate");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{argv:?}: {e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut kinds: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect();
    kinds.sort();
    kinds.dedup();
    (json["decision"].as_str().unwrap().to_string(), kinds)
}

/// Each `(argv, decision, kind)`: the decision under the reads-only policy, and a kind that must be among the
/// findings (`""`: no check).
fn check(home: &Home, cases: &[(Vec<&str>, &str, &str)]) {
    let mut failures = Vec::new();
    for (argv, decision, kind) in cases {
        let (got, kinds) = explain(home, argv);
        if got != *decision || (!kind.is_empty() && !kinds.iter().any(|k| k == kind)) {
            failures.push(format!(
                "{argv:?}: want {decision} with {kind:?}, got {got} {kinds:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn psql(sql: &str) -> Vec<&str> {
    vec!["psql", "-X", "-c", sql]
}

fn psql_cases<'a>(rows: &[(&'a str, &'a str, &'a str)]) -> Vec<(Vec<&'a str>, &'a str, &'a str)> {
    rows.iter().map(|(sql, d, k)| (psql(sql), *d, *k)).collect()
}

#[test]
fn lexer_tricks() {
    let home = Home::with_policy(READS_ONLY);
    check(
        &home,
        &psql_cases(&[
            // scan.l: bytes ≥ 0x80 are identifier characters, so `a<NBSP>$q$` is one identifier and the dollar
            // quote never opens.
            (
                "SELECT 1 AS a\u{a0}$q$; DROP TABLE t; --$q$",
                "deny",
                "destructive_write",
            ),
            // `$` continues an identifier; `x$q$` is a name, not a quote.
            (
                "SELECT 1 AS x$q$; DELETE FROM t; --$q$",
                "deny",
                "destructive_write",
            ),
            // Nested comments: the first `*/` does not end the outer one, the second does.
            (
                "SELECT 1 /* a /* b */ c */ ; DROP TABLE t",
                "deny",
                "destructive_write",
            ),
            // An E'' string continued across a newline keeps its escapes, so the `--` is inside it.
            (
                "SELECT E'x'\n'\\' ; --' ; DROP TABLE t",
                "deny",
                "destructive_write",
            ),
            // U&'' with UESCAPE is one literal; the DROP after it is SQL.
            (
                "SELECT U&'d!0061t' UESCAPE '!'; DROP TABLE t",
                "deny",
                "destructive_write",
            ),
            // A tag cannot start with a digit: `$1$` is a parameter then `$`.
            ("SELECT $1$; DROP TABLE t; $1$", "deny", ""),
            // Operators stop where a comment starts.
            ("SELECT 1 */*x*/; DROP TABLE t", "deny", "destructive_write"),
            // And strings that only look like SQL stay strings.
            (
                "SELECT 'DROP TABLE t; --', $x$ DELETE FROM t $x$, E'\\' DROP'",
                "allow",
                "read",
            ),
            (
                "SELECT 1 /* DROP TABLE t; /* nested */ still comment */",
                "allow",
                "read",
            ),
        ]),
    );
}

#[test]
fn function_calls_are_an_allow_list() {
    let home = Home::with_policy(READS_ONLY);
    check(
        &home,
        &psql_cases(&[
            (
                "SELECT \"dblink_exec\"('host=x', 'DROP TABLE t')",
                "deny",
                "",
            ),
            ("SELECT public.lower('x')", "deny", "unknown"),
            ("SELECT my_function(1)", "deny", "unknown"),
            ("SELECT pg_advisory_lock(42)", "deny", "unknown"),
            ("SELECT pg_sleep(600)", "deny", "unknown"),
            (
                "SELECT query_to_xml('DELETE FROM t RETURNING 1', true, true, '')",
                "deny",
                "",
            ),
            (
                "SELECT ts_rewrite('a'::tsquery, 'SELECT t, s FROM aliases')",
                "deny",
                "unknown",
            ),
            ("SELECT pg_current_xact_id()", "deny", "unknown"),
            ("SELECT nextval('orders_id_seq')", "deny", "write"),
            ("SELECT setval('orders_id_seq', 1)", "deny", "write"),
            ("SELECT pg_terminate_backend(123)", "deny", "admin_config"),
            ("SELECT pg_read_file('/etc/passwd')", "deny", "data_export"),
            (
                "SELECT * FROM t TABLESAMPLE system_rows(10)",
                "deny",
                "unknown",
            ),
            ("SELECT 1 <<<>>> 2", "deny", "unknown"),
            ("SELECT a OPERATOR(public.=) b FROM t", "deny", "unknown"),
            ("SELECT * FROM t, LATERAL evil(t.a)", "deny", "unknown"),
            ("SELECT * FROM ROWS FROM (evil())", "deny", "unknown"),
            ("VALUES (evil())", "deny", "unknown"),
            ("SET search_path = evil, pg_catalog", "deny", "unknown"),
            // A cast to a schema's own type runs its input function: C a superuser installed, or a domain's CHECK,
            // which has a view's standing (DDL that was reviewed when it was made).
            (
                "SELECT '(1,2)'::public.pair, 'x'::my_domain, CAST(1 AS t)",
                "allow",
                "read",
            ),
            // Built-ins stay reads, qualified with pg_catalog or not.
            (
                "SELECT lower(name), count(*) FROM users GROUP BY 1",
                "allow",
                "read",
            ),
            (
                "SELECT pg_catalog.now(), coalesce(NULL, 1), extract(year FROM now())",
                "allow",
                "read",
            ),
            (
                "SELECT * FROM generate_series(1, 3) AS g(n)",
                "allow",
                "read",
            ),
            ("SELECT * FROM t TABLESAMPLE bernoulli(10)", "allow", "read"),
            // Grammar keywords that take an argument list are built-in forms, not names a user can define.
            ("SELECT current_timestamp(0), localtime(2)", "allow", "read"),
            ("SELECT xmlconcat('<a/>', '<b/>')", "allow", "read"),
            (
                "SELECT '1.5'::numeric(10,2), cast('a' AS text), 1 OPERATOR(pg_catalog.+) 2",
                "allow",
                "read",
            ),
            ("SET search_path = app, public", "allow", "read"),
            (
                "SELECT '{\"a\":{\"b\":1}}'::jsonb #> '{a,b}', j #>> '{a}', j -> 'a' FROM t",
                "allow",
                "read",
            ),
        ]),
    );
}

#[test]
fn explain_options_are_parsed_whole() {
    let home = Home::with_policy(READS_ONLY);
    check(
        &home,
        &psql_cases(&[
            (
                "EXPLAIN (VERBOSE, ANALYZE) DELETE FROM t",
                "deny",
                "destructive_write",
            ),
            (
                "EXPLAIN (COSTS off, ANALYZE on) UPDATE t SET a = 1 WHERE id = 2",
                "deny",
                "write",
            ),
            (
                "EXPLAIN (ANALYZE 1) DELETE FROM t",
                "deny",
                "destructive_write",
            ),
            (
                "EXPLAIN (ANALYZE true, FORMAT json) INSERT INTO t VALUES (1)",
                "deny",
                "write",
            ),
            (
                "EXPLAIN (\"analyze\") DELETE FROM t",
                "deny",
                "destructive_write",
            ),
            (
                "EXPLAIN ANALYZE VERBOSE DELETE FROM t",
                "deny",
                "destructive_write",
            ),
            ("EXPLAIN (ANALYZE maybe) DELETE FROM t", "deny", "unknown"),
            ("EXPLAIN (MYSTERY) SELECT 1", "deny", "unknown"),
            ("EXPLAIN ANALYZE SELECT evil()", "deny", "unknown"),
            // Without ANALYZE nothing runs.
            ("EXPLAIN (ANALYZE false) DELETE FROM t", "allow", "read"),
            (
                "EXPLAIN (ANALYZE off, VERBOSE) DELETE FROM t",
                "allow",
                "read",
            ),
            ("EXPLAIN (FORMAT yaml) SELECT * FROM t", "allow", "read"),
            ("EXPLAIN SELECT * FROM t WHERE id = 1", "allow", "read"),
            // Planning can fold immutable functions, so an unknown one stays unknown.
            ("EXPLAIN SELECT evil()", "deny", "unknown"),
        ]),
    );
}

#[test]
fn locking_reads_and_prepared_transactions_are_writes() {
    let home = Home::with_policy(READS_ONLY);
    check(
        &home,
        &psql_cases(&[
            ("SELECT * FROM t FOR UPDATE", "deny", "write"),
            (
                "SELECT * FROM t WHERE id = 1 FOR NO KEY UPDATE NOWAIT",
                "deny",
                "write",
            ),
            ("SELECT * FROM t FOR SHARE SKIP LOCKED", "deny", "write"),
            ("SELECT * FROM t FOR KEY SHARE OF t", "deny", "write"),
            (
                "SELECT * FROM (SELECT * FROM t FOR UPDATE) s",
                "deny",
                "write",
            ),
            (
                "WITH c AS (SELECT * FROM t FOR UPDATE) SELECT * FROM c",
                "deny",
                "write",
            ),
            ("COMMIT PREPARED 'tx1'", "deny", "write"),
            ("ROLLBACK PREPARED 'tx1'", "deny", "write"),
            ("PREPARE TRANSACTION 'tx1'", "deny", "write"),
            ("SELECT * FROM t", "allow", "read"),
            ("BEGIN; SELECT 1; COMMIT", "allow", "read"),
        ]),
    );
}

#[test]
fn role_switches_in_every_spelling() {
    let home = Home::with_policy(READS_ONLY);
    check(
        &home,
        &psql_cases(&[
            ("SET ROLE admin", "deny", "privilege_switch"),
            ("SET LOCAL ROLE admin", "deny", "privilege_switch"),
            ("SET \"role\" = admin", "deny", "privilege_switch"),
            ("SET role TO 'admin'", "deny", "privilege_switch"),
            ("RESET ROLE", "deny", "privilege_switch"),
            ("RESET SESSION AUTHORIZATION", "deny", "privilege_switch"),
            (
                "SET SESSION AUTHORIZATION postgres",
                "deny",
                "privilege_switch",
            ),
            (
                "SET session_authorization = 'postgres'",
                "deny",
                "privilege_switch",
            ),
            (
                "SET LOCAL session_replication_role = replica",
                "deny",
                "privilege_switch",
            ),
            ("DISCARD ALL", "deny", "privilege_switch"),
            (
                "SELECT set_config('role', 'admin', false)",
                "deny",
                "privilege_switch",
            ),
            ("SET log_statement = 'none'", "deny", "unknown"),
            ("SET myext.setting = 1", "deny", "unknown"),
            ("SET statement_timeout = '5s'", "allow", "read"),
            ("SET TIME ZONE 'UTC'", "allow", "read"),
            (
                "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
                "allow",
                "read",
            ),
        ]),
    );
}

#[test]
fn standard_conforming_strings_changes_make_the_script_unknown() {
    let home = Home::with_policy(READS_ONLY);
    check(
        &home,
        &psql_cases(&[
            (
                "SET standard_conforming_strings = off; SELECT 'a\\'; SELECT 1",
                "deny",
                "unknown",
            ),
            (
                "SET LOCAL standard_conforming_strings TO off",
                "deny",
                "unknown",
            ),
            ("SET backslash_quote = on", "deny", "unknown"),
            ("RESET standard_conforming_strings", "deny", "unknown"),
            ("RESET ALL", "deny", "unknown"),
            (
                "SELECT set_config('standard_conforming_strings', 'off', false)",
                "deny",
                "",
            ),
            (
                "ALTER ROLE CURRENT_USER SET standard_conforming_strings = off",
                "deny",
                "",
            ),
            ("SET client_encoding = 'SJIS'", "deny", "unknown"),
            ("SET NAMES 'SJIS'", "deny", "unknown"),
            // A backslash that ends a plain string elsewhere when the server runs with scs off.
            ("SELECT 'a\\' ; --' ; DROP TABLE t", "deny", "unknown"),
            ("SHOW standard_conforming_strings", "allow", "read"),
            ("SELECT 'C:\\dir\\file'", "allow", "read"),
        ]),
    );
}

#[test]
fn psql_variables_change_the_sql() {
    let home = Home::with_policy(READS_ONLY);
    let mut cases = Vec::new();
    let scripts = [
        ("v1.sql", "SELECT :x;\n"),
        ("v2.sql", "SELECT * FROM t WHERE name = :'name';\n"),
        ("v3.sql", "SELECT * FROM :\"table\";\n"),
        ("v4.sql", "SELECT :{?flag};\n"),
        ("v5.sql", "\\set x 'DROP TABLE t'\n:x;\n"),
        ("v6.sql", "SELECT 1 FROM t WHERE a = 1 AND b = :b;\n"),
    ];
    for (name, text) in scripts {
        home.write(name, text);
        cases.push((vec!["psql", "-X", "-f", name], "deny", "unknown"));
    }
    // Casts, quoted colons and comments are not variables.
    home.write("ok.sql", "SELECT 1::int, ':x', \":y\" FROM t; -- :z\n");
    cases.push((vec!["psql", "-X", "-f", "ok.sql"], "allow", "read"));
    check(&home, &cases);
}

#[test]
fn only_a_real_copy_from_stdin_starts_data_rows() {
    let home = Home::with_policy(READS_ONLY);
    let scripts = [
        (
            "c1.sql",
            "SELECT 'COPY t FROM STDIN';\nDROP TABLE t;\n\\.\n",
        ),
        (
            "c2.sql",
            "SELECT 1 /* copy t from stdin */;\nDELETE FROM t;\n\\.\n",
        ),
        (
            "c3.sql",
            "SELECT \"copy\", stdin FROM \"from\";\nTRUNCATE t;\n\\.\n",
        ),
        (
            "c4.sql",
            "SELECT $$ COPY t FROM STDIN $$;\nDROP TABLE t;\n\\.\n",
        ),
        (
            "c5.sql",
            "-- COPY t FROM STDIN;\nSELECT 1;\nDROP TABLE t;\n\\.\n",
        ),
        ("c6.sql", "COPY t FROM STDIN; DROP TABLE t;\n1\n\\.\n"),
    ];
    let mut cases = Vec::new();
    for (name, text) in scripts {
        home.write(name, text);
        cases.push((vec!["psql", "-X", "-f", name], "deny", ""));
    }
    check(&home, &cases);
    // The data rows of a real COPY are not SQL; what follows them is.
    home.write(
        "dump.sql",
        "COPY t (a) FROM stdin;\nDROP TABLE x;\n\\.\nSELECT 1;\n",
    );
    let (_, kinds) = explain(&home, &["psql", "-X", "-f", "dump.sql"]);
    assert!(
        !kinds.contains(&"destructive_write".to_string()),
        "{kinds:?}"
    );
    for (name, _) in scripts.iter().take(5) {
        let (_, kinds) = explain(&home, &["psql", "-X", "-f", name]);
        assert!(
            kinds
                .iter()
                .any(|k| k == "destructive_write" || k == "unknown"),
            "{name}: {kinds:?}"
        );
    }
}

#[test]
fn psql_commands_end_where_psql_ends_them() {
    let home = Home::with_policy(READS_ONLY);
    let scripts = [
        ("m1.sql", "\\d\\! touch /tmp/gate-sql-attack\n"),
        ("m2.sql", "\\echo hi \\\\ DROP TABLE t;\n"),
        ("m3.sql", "\\dt \\\\ DELETE FROM t;\n"),
        ("m4.sql", "SELECT 1 \\; DROP TABLE t;\n"),
        ("m5.sql", "\\x\\o /tmp/gate-sql-out\nSELECT 1;\n"),
    ];
    let mut cases = Vec::new();
    for (name, text) in scripts {
        home.write(name, text);
        cases.push((vec!["psql", "-X", "-f", name], "deny", ""));
    }
    home.write("fine.sql", "\\echo 'a \\\\ b'\n\\d users\nSELECT 1;\n");
    cases.push((vec!["psql", "-X", "-f", "fine.sql"], "allow", "read"));
    check(&home, &cases);
}

#[test]
fn mysql() {
    let home = Home::with_policy(READS_ONLY);
    let my = |sql: &'static str, d: &'static str, k: &'static str| (vec!["mysql", "-e", sql], d, k);
    check(
        &home,
        &[
            my("SELECT 1 /*! ; DROP TABLE t */", "deny", "unknown"),
            my("SELECT 1 /*!50000 , sys_exec('id') */", "deny", "unknown"),
            my("SELECT 'a\\' ; DROP TABLE t; -- '", "deny", ""),
            my("SELECT 1 # ; DROP TABLE t", "allow", "read"),
            my("SELECT 1 --x\n; DROP TABLE t", "deny", "destructive_write"),
            my("SET PASSWORD = 'x'", "deny", "permission_change"),
            my(
                "SET PASSWORD FOR 'app'@'%' = 'x'",
                "deny",
                "permission_change",
            ),
            my("SET GLOBAL general_log = 0", "deny", "admin_config"),
            my("SET PERSIST max_connections = 1", "deny", "admin_config"),
            my("SET @@global.read_only = 0", "deny", "admin_config"),
            my("SET sql_mode = 'NO_BACKSLASH_ESCAPES'", "deny", "unknown"),
            my("SET NAMES gbk", "deny", "unknown"),
            my(
                "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
                "deny",
                "bulk_write",
            ),
            my(
                "SELECT * FROM t INTO OUTFILE '/tmp/x'",
                "deny",
                "data_export",
            ),
            my(
                "SELECT * FROM t INTO DUMPFILE '/tmp/x'",
                "deny",
                "data_export",
            ),
            my("SELECT LOAD_FILE('/etc/passwd')", "deny", "data_export"),
            my("SELECT sys_exec('id')", "deny", "code_execution"),
            my("SELECT SLEEP(600)", "deny", "unknown"),
            my("SELECT GET_LOCK('x', 10)", "deny", "unknown"),
            my("HANDLER t OPEN", "deny", "unknown"),
            my("INSTALL PLUGIN x SONAME 'x.so'", "deny", "code_execution"),
            my("SELECT * FROM t LOCK IN SHARE MODE", "deny", "write"),
            my("SELECT 1 \\! id", "deny", ""),
            // The client itself reads DELIMITER (as mysql.cc does); with nothing after it, nothing runs.
            my("DELIMITER //", "allow", "read"),
            my("SELECT @a := 1, CONCAT('a', 'b'), NOW()", "allow", "read"),
            my("SET @x = 1", "allow", "read"),
            my("SHOW TABLES", "allow", "read"),
            my("SELECT id FROM t WHERE id = 1", "allow", "read"),
        ],
    );
}

#[test]
fn sqlite_sql() {
    let home = Home::with_policy(READS_ONLY);
    let lite = |sql: &'static str, d: &'static str, k: &'static str| {
        (vec!["sqlite3", "app.db", sql], d, k)
    };
    check(
        &home,
        &[
            lite("PRAGMA writable_schema = ON", "deny", "admin_config"),
            lite("PRAGMA journal_mode(OFF)", "deny", "admin_config"),
            lite("PRAGMA main.user_version = 7", "deny", "admin_config"),
            lite("PRAGMA optimize", "deny", "unknown"),
            lite("PRAGMA incremental_vacuum", "deny", "unknown"),
            lite("VACUUM INTO '/tmp/copy.db'", "deny", "data_export"),
            lite("ATTACH DATABASE '/tmp/other.db' AS o", "deny", "unknown"),
            lite("SELECT edit('x', 'vi')", "deny", "code_execution"),
            lite("SELECT writefile('/tmp/x', 'data')", "deny", "data_export"),
            lite("SELECT readfile('/etc/passwd')", "deny", "data_export"),
            lite(
                "SELECT load_extension('/tmp/evil.so')",
                "deny",
                "code_execution",
            ),
            lite("SELECT fts3_tokenizer('simple')", "deny", "code_execution"),
            lite("SELECT my_udf(1)", "deny", "unknown"),
            lite("SELECT [--], 1; DROP TABLE t", "deny", "destructive_write"),
            lite(
                "SELECT 1 /* /* */ ; DROP TABLE t",
                "deny",
                "destructive_write",
            ),
            lite("PRAGMA table_info(users)", "allow", "read"),
            lite("PRAGMA user_version", "allow", "read"),
            lite("SELECT * FROM pragma_table_info('users')", "allow", "read"),
            lite(
                "SELECT count(*), json_extract(data, '$.a'), date('now') FROM t",
                "allow",
                "read",
            ),
        ],
    );
}

#[test]
fn clickhouse() {
    let home = Home::with_policy(READS_ONLY);
    let ch = |sql: &'static str, d: &'static str, k: &'static str| {
        (vec!["clickhouse-client", "--query", sql], d, k)
    };
    check(
        &home,
        &[
            ch(
                "SELECT * FROM file('/etc/passwd', 'LineAsString')",
                "deny",
                "data_export",
            ),
            ch(
                "SELECT * FROM url('http://169.254.169.254/', 'RawBLOB')",
                "deny",
                "data_export",
            ),
            ch(
                "SELECT * FROM s3('https://bucket/x', 'CSV')",
                "deny",
                "data_export",
            ),
            ch(
                "SELECT * FROM executable('id', 'TSV', 'x String')",
                "deny",
                "code_execution",
            ),
            ch(
                "SELECT * FROM remote('other:9000', db.t)",
                "deny",
                "unknown",
            ),
            ch(
                "SELECT * FROM mysql('h:3306', 'db', 't', 'u', 'p')",
                "deny",
                "unknown",
            ),
            ch(
                "INSERT INTO FUNCTION file('/tmp/x', 'CSV') SELECT 1",
                "deny",
                "",
            ),
            ch("SYSTEM SHUTDOWN", "deny", "admin_config"),
            ch("SYSTEM DROP DNS CACHE", "deny", "admin_config"),
            ch("SELECT 1 INTO OUTFILE '/tmp/x'", "deny", "data_export"),
            ch("SET readonly = 0", "deny", "unknown"),
            ch("SELECT 1 # ; DROP TABLE t", "deny", "unknown"),
            ch(
                "SELECT count() FROM events WHERE day = today()",
                "allow",
                "read",
            ),
            ch("SELECT * FROM numbers(10)", "allow", "read"),
            ch("SET max_threads = 4", "allow", "read"),
        ],
    );
}

#[test]
fn deep_nesting_is_unknown_never_a_crash() {
    let home = Home::with_policy(READS_ONLY);
    let parens = format!("SELECT {}1{}", "(".repeat(20_000), ")".repeat(20_000));
    let subqueries = format!(
        "SELECT * FROM {}t{}",
        "(SELECT * FROM ".repeat(3_000),
        ") s".repeat(3_000)
    );
    let nots = format!("SELECT {}true", "NOT ".repeat(20_000));
    let explains = format!("{}SELECT 1", "EXPLAIN ".repeat(10_000));
    let cases = format!(
        "SELECT {}1{}",
        "CASE WHEN true THEN ".repeat(5_000),
        " END".repeat(5_000)
    );
    let chain = format!("SELECT 1{}", " + (1)".repeat(15_000));
    let brackets = format!("SELECT ARRAY{}1{}", "[".repeat(20_000), "]".repeat(20_000));
    let mut rows: Vec<(Vec<&str>, &str, &str)> = Vec::new();
    for sql in [
        &parens,
        &subqueries,
        &nots,
        &explains,
        &cases,
        &chain,
        &brackets,
    ] {
        rows.push((psql(sql), "deny", "unknown"));
        rows.push((vec!["mysql", "-e", sql.as_str()], "deny", "unknown"));
        rows.push((vec!["sqlite3", "app.db", sql.as_str()], "deny", "unknown"));
    }
    // Fifty levels is ordinary SQL, and still a read.
    let fifty = format!("SELECT {}1{}", "(".repeat(50), ")".repeat(50));
    rows.push((psql(&fifty), "allow", "read"));
    check(&home, &rows);
}

/// The attacks run for real: gate in front of psql against a real PostgreSQL, reads-only. Each must be refused
/// (exit 77) and leave no trace.
#[test]
fn attacks_against_a_real_postgres_change_nothing() {
    let pg = Postgres::start();
    pg.psql("postgres", "CREATE DATABASE app");
    pg.psql(
        "app",
        "CREATE TABLE t (id int PRIMARY KEY, a int); INSERT INTO t VALUES (1, 10), (2, 20);
         CREATE SEQUENCE s; CREATE TABLE log (what text);
         CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS $$ INSERT INTO log VALUES ('evil') RETURNING 1 $$;
         CREATE FUNCTION evil_eq(int, int) RETURNS bool LANGUAGE sql AS
           $$ INSERT INTO log VALUES ('operator') RETURNING true $$;
         CREATE OPERATOR === (LEFTARG = int, RIGHTARG = int, FUNCTION = evil_eq);",
    );
    let home = Home::with_policy(READS_ONLY);
    let marker = home.path().join("touched");
    home.write("meta.sql", &format!("\\d\\! touch {}\n", marker.display()));
    home.write("echo.sql", "\\echo hi \\\\ DROP TABLE t;\n");
    home.write("var.sql", "SELECT :x;\n");
    home.write(
        "stdin.sql",
        "SELECT 'copy t from stdin';\nDELETE FROM t;\n\\.\n",
    );
    let conn = pg.conn_args();
    let run = |extra: &[&str]| {
        let mut cmd = home.std_command(assert_cmd::cargo::cargo_bin("gate"));
        cmd.env("HOME", home.path())
            .args(["run", "--", "psql"])
            .args(&conn)
            .args(["-X", "-d", "app"])
            .args(extra);
        cmd.output().expect("run gate")
    };
    let attacks: Vec<Vec<&str>> = vec![
        vec!["-c", "SELECT 1 AS a\u{a0}$q$; DROP TABLE t; --$q$"],
        vec!["-c", "SELECT 1 AS x$q$; DELETE FROM t; --$q$"],
        vec!["-c", "EXPLAIN (VERBOSE, ANALYZE) DELETE FROM t"],
        vec![
            "-c",
            "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d",
        ],
        vec!["-c", "SELECT nextval('s')"],
        vec!["-c", "SELECT evil()"],
        vec!["-c", "SELECT public.evil()"],
        vec!["-c", "SELECT \"evil\"()"],
        vec!["-c", "SELECT 1 === 1"],
        vec!["-c", "SELECT * FROM evil()"],
        vec!["-f", "meta.sql"],
        vec!["-f", "echo.sql"],
        vec!["-v", "x=1; DROP TABLE t", "-f", "var.sql"],
        vec!["-f", "stdin.sql"],
    ];
    for attack in &attacks {
        let out = run(attack);
        assert_eq!(
            out.status.code(),
            Some(77),
            "{attack:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(
        pg.psql("app", "SELECT count(*) FROM t"),
        "2",
        "rows still there"
    );
    assert_eq!(
        pg.psql("app", "SELECT count(*) FROM log"),
        "0",
        "no user code ran"
    );
    assert_eq!(
        pg.psql("app", "SELECT last_value FROM s"),
        "1",
        "the sequence did not move"
    );
    assert_eq!(
        pg.psql("app", "SELECT is_called FROM s"),
        "f",
        "the sequence was never used"
    );
    assert!(!marker.exists(), "no shell command ran");
    // A read still runs.
    let out = run(&["-A", "-t", "-c", "SELECT a FROM t WHERE id = 2"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "20");
}
