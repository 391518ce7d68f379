//! The strict option reader, and classification of whole argument lists. The input is split on NUL bytes into
//! arguments. `parse_strict` may refuse anything, but must never panic, must name only options its table lists,
//! and never keeps an unrecognised one; a command made of the same arguments always gets findings.
#![no_main]

use std::collections::BTreeMap;

use gate::classify::args::{self, Arg, OptSpec, Style, opt, opt_optional};
use gate::classify::{self, NoSources};
use libfuzzer_sys::fuzz_target;

/// Shaped like psql's table: short and long, values required and optional, shared prefixes (`--echo-*`).
const PSQL_LIKE: &[OptSpec] = &[
    opt(Some('c'), "command", true),
    opt(Some('d'), "dbname", true),
    opt(Some('f'), "file", true),
    opt(Some('v'), "set", true),
    opt(None, "variable", true),
    opt(Some('X'), "no-psqlrc", false),
    opt(Some('a'), "echo-all", false),
    opt(Some('e'), "echo-queries", false),
    opt(Some('E'), "echo-hidden", false),
    opt(Some('o'), "output", true),
    opt(Some('L'), "log-file", true),
    opt(Some('1'), "single-transaction", false),
    opt_optional(Some('?'), "help"),
];

/// A one-dash long-option tool (sqlite3's `-cmd`, `-init`), with a flag that prefixes another.
const SINGLE_DASH: &[OptSpec] = &[
    opt(None, "cmd", true),
    opt(None, "init", true),
    opt(None, "bail", false),
    opt(None, "batch", false),
    opt(None, "readonly", false),
    opt(None, "safe", false),
    opt(Some('A'), "archive", false),
];

const STYLES: [Style; 4] = [
    Style::GNU,
    Style::GNU_POSIX_ORDER,
    Style::EXACT,
    Style {
        abbreviations: false,
        permute: true,
        single_dash_long: true,
    },
];

fn check(argv: &[String], specs: &[OptSpec], style: Style) {
    let Ok(parsed) = args::parse_strict(argv, specs, style) else {
        return;
    };
    let mut positionals = 0;
    for arg in &parsed {
        match arg {
            Arg::Opt { name, .. } => assert!(
                specs.iter().any(|s| s.long == *name),
                "parse_strict named `{name}`, which the table does not list"
            ),
            Arg::Unrecognised(a) => panic!("parse_strict kept unrecognised {a:?}"),
            Arg::Positional(_) => positionals += 1,
        }
    }
    assert!(positionals <= argv.len());
    assert!(parsed.len() <= argv.iter().map(|a| a.chars().count().max(1)).sum::<usize>());
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let argv: Vec<String> = text.split('\0').map(str::to_string).collect();

    for specs in [PSQL_LIKE, SINGLE_DASH] {
        for style in STYLES {
            check(&argv, specs, style);
        }
    }
    let _ = args::parse(&argv, PSQL_LIKE);

    let env = BTreeMap::new();
    for tool in [
        "psql",
        "pg_dump",
        "pg_restore",
        "sqlite3",
        "mysql",
        "redis-cli",
        "env",
        "sudo",
    ] {
        let mut command = vec![tool.to_string()];
        command.extend(argv.iter().cloned());
        let classification = classify::classify(&command, &env, &NoSources);
        assert!(
            !classification.findings.is_empty(),
            "no findings for {command:?}"
        );
    }
});
