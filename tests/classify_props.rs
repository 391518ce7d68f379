//! Properties of classification: it never panics, whatever the argv and stdin, and a statement its parser rejects
//! is never reported as a read.

use std::collections::BTreeMap;

use gate::classify::sql::{self, Dialect, Parsed};
use gate::classify::{self, Kind, Sources, StdinView};
use proptest::prelude::*;

struct Bytes(Vec<u8>);

impl Sources for Bytes {
    fn stdin(&self) -> StdinView<'_> {
        StdinView::Bytes {
            bytes: &self.0,
            complete: true,
        }
    }

    fn read_file(&self, _path: &str) -> Option<Vec<u8>> {
        Some(self.0.clone())
    }
}

const TOOLS: &[&str] = &[
    "psql",
    "pg_dump",
    "pg_dumpall",
    "pg_restore",
    "dropdb",
    "mysql",
    "mysqldump",
    "sqlite3",
    "mongosh",
    "mongodump",
    "mongorestore",
    "redis-cli",
    "kubectl",
    "aws",
    "terraform",
    "clickhouse-client",
    "env",
    "sudo",
    "sh",
    "bash",
    "docker",
    "ssh",
    "timeout",
    "nohup",
    "anything",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-a-zA-Z0-9_=:/.@ ]{0,12}",
        "[-;&|<>$`'\"\\\\(){}\\[\\] \\n\\t\u{e9}\u{0}a-z]{0,16}",
        Just("-c".to_string()),
        Just("-f".to_string()),
        Just("--".to_string()),
        Just("exec".to_string()),
        Just("SELECT 1; DROP TABLE t".to_string()),
        Just("'".to_string()),
        Just("$$".to_string()),
        Just("<<EOF".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn classification_never_panics(tool in prop::sample::select(TOOLS), args in prop::collection::vec(word(), 0..8), stdin in prop::collection::vec(any::<u8>(), 0..256)) {
        let mut argv = vec![tool.to_string()];
        argv.extend(args);
        let c = classify::classify(&argv, &BTreeMap::new(), &Bytes(stdin));
        prop_assert!(!c.findings.is_empty());
    }

    #[test]
    fn sql_scripts_never_panic(script in "[-a-zA-Z0-9_ ;'\"$\\\\()*/.=\\n\u{e9}]{0,200}") {
        for dialect in [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite, Dialect::ClickHouse] {
            let _ = sql::analyse(&script, dialect, &Bytes(Vec::new()));
        }
    }

    #[test]
    fn an_unparsable_statement_is_never_a_read(
        base in prop::sample::select(&[
            "SELECT a, b FROM t WHERE c = 1",
            "SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id",
            "EXPLAIN SELECT * FROM t",
            "SHOW search_path",
            "SELECT * FROM t ORDER BY a LIMIT 10",
        ][..]),
        cut in any::<prop::sample::Index>(),
        junk in "[a-zA-Z(),'*=]{1,6}",
    ) {
        let at = cut.index(base.len() + 1);
        let broken = format!("{}{junk}{}", &base[..at], &base[at..]);
        for text in [broken.as_str(), &base[..at]] {
            if text.trim().is_empty() {
                continue;
            }
            if let Parsed::Failed(_) = sql::postgres::parse(text) {
                let found = sql::statement(text, Dialect::Postgres);
                prop_assert!(!found.is_empty());
                prop_assert!(found.iter().all(|f| f.kind != Kind::Read), "{text:?} -> {found:?}");
            }
        }
    }
}
