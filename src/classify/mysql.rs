//! The MySQL and MariaDB clients: `mysql`/`mariadb` (SQL from `-e` or stdin) and `mysqldump`/`mariadb-dump`.
//! `-pSECRET` glues the password to the flag, and a bare `-p` prompts for it, so `-p` never takes the next word.

use std::collections::BTreeMap;

use super::args::{self, Arg, OptSpec, opt};
use super::sql::Dialect;
use super::{Finding, Kind, Risk, Sources, Target, Tool};

const COMMON: &[OptSpec] = &[
    opt(Some('h'), "host", true),
    opt(Some('P'), "port", true),
    opt(Some('u'), "user", true),
    opt(Some('D'), "database", true),
    opt(Some('S'), "socket", true),
    opt(Some('e'), "execute", true),
    opt(None, "defaults-file", true),
    opt(None, "defaults-extra-file", true),
    opt(None, "login-path", true),
    opt(None, "protocol", true),
    opt(None, "default-character-set", true),
    opt(None, "ssl-mode", true),
    opt(None, "ssl-ca", true),
    opt(None, "init-command", true),
    opt(None, "result-file", true),
    opt(Some('r'), "result-file", true),
    opt(None, "where", true),
    opt(Some('w'), "where", true),
    opt(None, "ignore-table", true),
    opt(None, "tables", false),
    opt(Some('B'), "databases", false),
    opt(Some('A'), "all-databases", false),
    opt(Some('d'), "no-data", false),
    opt(Some('t'), "no-create-info", false),
    opt(None, "routines", false),
    opt(None, "triggers", false),
    opt(None, "events", false),
    opt(None, "single-transaction", false),
    opt(Some('s'), "silent", false),
    opt(Some('N'), "skip-column-names", false),
    opt(Some('B'), "batch", false),
    opt(Some('v'), "verbose", false),
    opt(Some('f'), "force", false),
    opt(Some('q'), "quick", false),
    opt(Some('X'), "xml", false),
    opt(Some('H'), "html", false),
    opt(Some('E'), "vertical", false),
    opt(Some('V'), "version", false),
    opt(None, "help", false),
    opt(None, "local-infile", false),
    opt(None, "ssl", false),
    opt(None, "compress", false),
];

/// Drops the password flags before option parsing: their values are secrets, never words to classify.
fn without_passwords(argv: &[String]) -> Vec<String> {
    argv.iter()
        .filter(|a| !(a.starts_with("-p") || a.starts_with("--password")))
        .cloned()
        .collect()
}

fn target(parsed: &[Arg], database: Option<&str>, env: &BTreeMap<String, String>) -> Target {
    Target {
        host: args::last(parsed, "host")
            .map(str::to_string)
            .or_else(|| env.get("MYSQL_HOST").cloned()),
        port: args::last(parsed, "port")
            .map(str::to_string)
            .or_else(|| env.get("MYSQL_TCP_PORT").cloned())
            .and_then(|p| p.parse().ok()),
        database: database.map(str::to_string),
        user: args::last(parsed, "user").map(str::to_string),
    }
}

/// `mysql` and `mariadb`.
pub fn mysql(
    tool: &str,
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let parsed = args::parse(&without_passwords(argv), COMMON);
    let database = args::last(&parsed, "database").or_else(|| args::positionals(&parsed).next());
    let target = target(&parsed, database, env);
    let tool = Tool {
        name: tool,
        target: &target,
        dialect: Dialect::MySql,
    };
    if args::has(&parsed, "version") || args::has(&parsed, "help") {
        return vec![tool.finding(Kind::Read, "prints the client's help or version")];
    }
    let statements: Vec<&str> = args::values(&parsed, "execute").collect();
    if statements.is_empty() {
        return tool.stdin(sources);
    }
    statements
        .into_iter()
        .flat_map(|sql| tool.sql(sql, sources))
        .collect()
}

/// `mysqldump` and `mariadb-dump`.
pub fn mysqldump(tool: &str, argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    let parsed = args::parse(&without_passwords(argv), COMMON);
    let positionals: Vec<&str> = args::positionals(&parsed).collect();
    let all = args::has(&parsed, "all-databases");
    let (database, objects): (Option<&str>, Vec<String>) = if all {
        (None, Vec::new())
    } else if args::has(&parsed, "databases") {
        (
            positionals.first().copied(),
            positionals.iter().map(ToString::to_string).collect(),
        )
    } else {
        let db = positionals.first().copied();
        let tables = positionals
            .iter()
            .skip(1)
            .map(|t| db.map_or_else(|| (*t).to_string(), |d| format!("{d}.{t}")))
            .collect();
        (db, tables)
    };
    let target = target(&parsed, database, env);
    let (risk, detail) = if args::has(&parsed, "no-data") {
        (Risk::Moderate, "schema-only dump")
    } else if all {
        (
            Risk::Critical,
            "dump of every database, including the grant tables",
        )
    } else {
        (Risk::High, "logical dump")
    };
    vec![
        Finding::new(Kind::DataExport, tool, &target, detail)
            .with_risk(risk)
            .with_objects(objects),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_password_flag_never_swallows_the_database() {
        let f = &mysql(
            "mysql",
            &s(&["-h", "db", "-p", "shop", "-e", "SELECT 1"]),
            &BTreeMap::new(),
            &NoSources,
        )[0];
        assert_eq!(f.target.database.as_deref(), Some("shop"));
        assert_eq!(f.kind, Kind::Read);
        let f = &mysql(
            "mysql",
            &s(&["-pSecret", "-ushop", "shop", "-e", "DROP TABLE t"]),
            &BTreeMap::new(),
            &NoSources,
        )[0];
        assert_eq!(
            (f.kind, f.target.user.as_deref()),
            (Kind::DestructiveWrite, Some("shop"))
        );
    }

    #[test]
    fn dumps() {
        let f = &mysqldump(
            "mysqldump",
            &s(&["--all-databases", "-h", "mysql.prod"]),
            &BTreeMap::new(),
        )[0];
        assert_eq!((f.kind, f.risk), (Kind::DataExport, Risk::Critical));
        let f = &mysqldump(
            "mysqldump",
            &s(&["shop", "orders", "users"]),
            &BTreeMap::new(),
        )[0];
        assert_eq!(f.objects, ["shop.orders", "shop.users"]);
        let f = &mysqldump("mysqldump", &s(&["-d", "shop"]), &BTreeMap::new())[0];
        assert_eq!(f.risk, Risk::Moderate);
    }
}
