//! `clickhouse-client`: SQL from `--query`, `--queries-file`, or stdin.

use std::collections::BTreeMap;

use super::args::{self, OptSpec, opt};
use super::sql::Dialect;
use super::{Finding, Sources, Target, Tool};

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
    use crate::classify::{Kind, NoSources};

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
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
