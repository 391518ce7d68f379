//! `sqlite3` and `clickhouse-client`: SQL from arguments, dot-commands, `--query`, or stdin.

use std::collections::BTreeMap;

use super::args::{self, OptSpec, opt};
use super::sql::Dialect;
use super::{Finding, Kind, Sources, Target, Tool};

/// sqlite3's options that take a value (it spells long options with one dash).
const SQLITE_VALUE_OPTIONS: &[&str] = &[
    "-cmd",
    "-init",
    "-separator",
    "-newline",
    "-nullvalue",
    "-vfs",
    "-maxsize",
    "-pagecache",
    "-lookaside",
    "-mmap",
    "-heap",
    "-escape",
];

/// `sqlite3 [OPTIONS] FILE [SQL…]`.
pub fn sqlite3(argv: &[String], sources: &dyn Sources) -> Vec<Finding> {
    let mut positionals = Vec::new();
    let mut commands = Vec::new();
    let mut iter = argv.iter();
    let mut readonly = false;
    while let Some(arg) = iter.next() {
        let flag = arg
            .strip_prefix('-')
            .map(|a| format!("-{}", a.trim_start_matches('-')));
        match flag.as_deref() {
            Some("-cmd") => commands.extend(iter.next().cloned()),
            Some("-init") => {
                if let Some(file) = iter.next() {
                    commands.push(format!(".read {file}"));
                }
            }
            Some("-readonly") => readonly = true,
            Some(f) if SQLITE_VALUE_OPTIONS.contains(&f) => {
                iter.next();
            }
            Some("-version" | "-help") => {
                return vec![Finding::new(
                    Kind::Read,
                    "sqlite3",
                    &Target::default(),
                    "prints sqlite3's help or version",
                )];
            }
            Some(_) if arg.len() > 1 => {}
            _ => positionals.push(arg.clone()),
        }
    }
    let mut rest = positionals.into_iter();
    let target = Target {
        database: rest.next(),
        ..Target::default()
    };
    commands.extend(rest);
    let tool = Tool {
        name: "sqlite3",
        target: &target,
        dialect: Dialect::Sqlite,
    };
    let mut findings: Vec<Finding> = if commands.is_empty() {
        tool.stdin(sources)
    } else {
        commands
            .iter()
            .flat_map(|c| match c.trim_start().strip_prefix('.') {
                Some(dot) => tool.client_command(dot, sources),
                None => tool.sql(c, sources),
            })
            .collect()
    };
    if readonly {
        // -readonly makes SQLite refuse writes, but not exports or shell commands.
        findings.retain(|f| {
            !matches!(
                f.kind,
                Kind::Write | Kind::BulkWrite | Kind::DestructiveWrite | Kind::SchemaChange
            )
        });
        if findings.is_empty() {
            findings.push(tool.finding(Kind::Read, "-readonly: the database refuses every write"));
        }
    }
    findings
}

const CLICKHOUSE: &[OptSpec] = &[
    opt(Some('q'), "query", true),
    opt(Some('h'), "host", true),
    opt(None, "port", true),
    opt(Some('u'), "user", true),
    opt(None, "password", true),
    opt(Some('d'), "database", true),
    opt(None, "queries-file", true),
    opt(Some('f'), "format", true),
    opt(Some('n'), "multiquery", false),
    opt(Some('m'), "multiline", false),
    opt(None, "secure", false),
];

/// `clickhouse-client` (and `clickhouse client`).
pub fn clickhouse(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let parsed = args::parse(argv, CLICKHOUSE);
    let target = Target {
        host: args::last(&parsed, "host")
            .map(str::to_string)
            .or_else(|| env.get("CLICKHOUSE_HOST").cloned()),
        port: args::last(&parsed, "port").and_then(|p| p.parse().ok()),
        database: args::last(&parsed, "database").map(str::to_string),
        user: args::last(&parsed, "user")
            .map(str::to_string)
            .or_else(|| env.get("CLICKHOUSE_USER").cloned()),
    };
    let tool = Tool {
        name: "clickhouse-client",
        target: &target,
        dialect: Dialect::ClickHouse,
    };
    let mut findings: Vec<Finding> = args::values(&parsed, "query")
        .flat_map(|q| tool.sql(q, sources))
        .collect();
    for file in args::values(&parsed, "queries-file") {
        findings.extend(tool.script_file(file, sources));
    }
    if findings.is_empty() {
        findings = tool.stdin(sources);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn sqlite_arguments_and_dot_commands() {
        let f = sqlite3(&s(&["local.db", "SELECT count(*) FROM t"]), &NoSources);
        assert_eq!(
            (f[0].kind, f[0].target.database.as_deref()),
            (Kind::Read, Some("local.db"))
        );
        assert_eq!(
            sqlite3(&s(&["local.db", ".shell id"]), &NoSources)[0].kind,
            Kind::CodeExecution
        );
        assert_eq!(
            sqlite3(
                &s(&["-cmd", ".output /tmp/x", "local.db", "SELECT 1"]),
                &NoSources
            )[0]
            .kind,
            Kind::DataExport
        );
        assert_eq!(
            sqlite3(&s(&["-readonly", "local.db", "DELETE FROM t"]), &NoSources)[0].kind,
            Kind::Read
        );
        assert_eq!(
            sqlite3(&s(&["local.db", ".dump"]), &NoSources)[0].kind,
            Kind::DataExport
        );
    }

    #[test]
    fn clickhouse_queries() {
        let f = clickhouse(
            &s(&["-h", "ch.prod", "--query", "TRUNCATE TABLE events"]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(
            (f[0].kind, f[0].target.host.as_deref()),
            (Kind::DestructiveWrite, Some("ch.prod"))
        );
    }
}
