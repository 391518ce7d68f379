//! The SQL lexer and analyser in every dialect gate reads, and the path a `psql -c` takes. Nothing may panic or
//! overflow the stack (20,000 nested parentheses must be `unknown`, not a crash), a non-blank script must give
//! findings, and what the analyser reports never depends on anything but the text.
#![no_main]

use std::collections::BTreeMap;

use gate::classify::sql::{self, Dialect};
use gate::classify::{self, NoSources};
use libfuzzer_sys::fuzz_target;

const DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::MySql,
    Dialect::Sqlite,
    Dialect::ClickHouse,
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };

    for dialect in DIALECTS {
        let first = sql::analyse(text, dialect, &NoSources);
        let again = sql::analyse(text, dialect, &NoSources);
        assert_eq!(first, again, "{dialect:?} analysis is not deterministic");
    }

    let env = BTreeMap::new();
    for argv in [
        vec![
            "psql".to_string(),
            "-X".to_string(),
            "-c".to_string(),
            text.to_string(),
        ],
        vec![
            "sqlite3".to_string(),
            "db.sqlite".to_string(),
            text.to_string(),
        ],
        vec!["mysql".to_string(), "-e".to_string(), text.to_string()],
    ] {
        let classification = classify::classify(&argv, &env, &NoSources);
        assert!(
            !classification.findings.is_empty(),
            "no findings for {argv:?}"
        );
    }
});
