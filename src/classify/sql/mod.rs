//! SQL analysis: what a script will do, statement by statement (DESIGN §2). A script is split into statements
//! and client commands first ([`script`]), so one statement gate cannot read never hides the others. Each
//! statement is read by the keyword analyser ([`keywords`]) and checked by the parser that knows its dialect best:
//! squawk-syntax for PostgreSQL ([`postgres`]) and sqlparser for MySQL, SQLite and ClickHouse ([`generic`]). A
//! statement its parser rejects is never reported as `read`.

pub mod generic;
pub mod keywords;
pub mod lex;
pub mod postgres;
pub mod script;

use script::Piece;

use super::{Kind, Risk, Sources};

/// Which SQL a tool speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    MySql,
    Sqlite,
    ClickHouse,
}

/// One thing a statement does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlFinding {
    pub kind: Kind,
    pub risk: Risk,
    pub objects: Vec<String>,
    pub detail: String,
}

/// What a dialect's parser made of one statement.
pub enum Parsed {
    /// It parsed. The parser may know the statement's kind on its own (a DDL statement, say).
    Ok(Option<SqlFinding>),
    /// It did not parse; the message says why.
    Failed(String),
}

/// How deep `\i` and `.read` may nest before gate stops following them.
const MAX_INCLUDE_DEPTH: usize = 8;

/// Analyses a script. An empty script gives no findings.
pub fn analyse(sql: &str, dialect: Dialect, sources: &dyn Sources) -> Vec<SqlFinding> {
    analyse_at_depth(sql, dialect, sources, 0)
}

fn analyse_at_depth(
    sql: &str,
    dialect: Dialect,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<SqlFinding> {
    let mut out = Vec::new();
    for piece in script::split(sql, dialect) {
        let found = match piece {
            Piece::Sql(text) => statement(text, dialect),
            Piece::Client(command) => client_command(command, dialect, sources, depth),
            Piece::CopyData(_) => continue,
        };
        // A script of a hundred thousand INSERTs costs one finding, not a hundred thousand.
        for f in found {
            super::fold(
                &mut out,
                f,
                |a, b| a.kind == b.kind && a.risk == b.risk && a.detail == b.detail,
                |f| &mut f.objects,
            );
        }
    }
    out
}

/// One SQL statement: the keyword analysis, confirmed or corrected by the dialect's parser.
pub fn statement(text: &str, dialect: Dialect) -> Vec<SqlFinding> {
    let mut found = keywords::analyse(text, dialect == Dialect::MySql);
    let parsed = match dialect {
        Dialect::Postgres => postgres::parse(text),
        _ => generic::parse(text, dialect),
    };
    match parsed {
        Parsed::Ok(Some(known)) => {
            if found.iter().all(|f| f.kind == Kind::Unknown) {
                found = vec![known];
            } else if !found.iter().any(|f| f.kind == known.kind) {
                found.push(known);
            }
        }
        Parsed::Ok(None) => {}
        Parsed::Failed(why) => {
            // The fallback keeps what the keywords show (it can only raise the risk), but never calls an
            // unparsable statement a read.
            for f in &mut found {
                if f.kind == Kind::Read {
                    f.kind = Kind::Unknown;
                    f.risk = Kind::Unknown.default_risk();
                    f.detail = format!("gate could not parse this statement: {why}");
                }
            }
            if found.is_empty() {
                found.push(SqlFinding::new(
                    Kind::Unknown,
                    format!("gate could not parse this statement: {why}"),
                ));
            }
        }
    }
    found
}

/// A client command: a psql backslash command or a sqlite3 dot-command. Each client's own module knows its
/// commands; this only routes, and gives them [`include`] for the commands that run another script.
pub fn client_command(
    command: &str,
    dialect: Dialect,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<SqlFinding> {
    match dialect {
        Dialect::Postgres => crate::classify::psql_meta::command(command, sources, depth),
        Dialect::Sqlite => crate::classify::sqlite::dot_command(command, sources, depth),
        Dialect::MySql | Dialect::ClickHouse => vec![SqlFinding::new(
            Kind::Unknown,
            format!("client command `{command}` gate does not know"),
        )],
    }
}

/// A script that a client command runs (`\i`, `.read`): read through `sources`, analysed in `dialect`, and
/// `unknown` when gate cannot read it or it nests too deeply. `what` names the command in the details.
pub fn include(
    path: &str,
    what: &str,
    dialect: Dialect,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<SqlFinding> {
    let one = |kind: Kind, detail: String| vec![SqlFinding::new(kind, detail)];
    if depth >= MAX_INCLUDE_DEPTH {
        return one(
            Kind::Unknown,
            format!("{what} nests too deeply for gate to follow"),
        );
    }
    match sources
        .read_file(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
    {
        Some(text) => {
            let mut found = analyse_at_depth(&text, dialect, sources, depth + 1);
            for f in &mut found {
                f.detail = format!("{what} {path}: {}", f.detail);
            }
            if found.is_empty() {
                found = one(Kind::Read, format!("{what} {path}: no statements"));
            }
            found
        }
        None => one(
            Kind::Unknown,
            format!("{what} runs {path}, which gate cannot read"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn kinds(sql: &str, dialect: Dialect) -> Vec<Kind> {
        let mut k: Vec<Kind> = analyse(sql, dialect, &NoSources)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    #[test]
    fn repeated_statements_fold_into_one_finding() {
        use std::fmt::Write as _;
        let mut script = String::new();
        for i in 0..1000 {
            let _ = writeln!(script, "INSERT INTO public.c{} VALUES ({i});", i % 60);
        }
        let found = analyse(&script, Dialect::Postgres, &NoSources);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].objects.len(),
            crate::classify::MAX_OBJECTS,
            "objects are kept, up to the bound"
        );
    }

    #[test]
    fn one_bad_statement_hides_nothing() {
        assert_eq!(
            kinds("SELECT 1; FOO BAR; DROP TABLE users", Dialect::Postgres),
            [Kind::Read, Kind::DestructiveWrite, Kind::Unknown]
        );
    }

    #[test]
    fn unparsable_is_never_read() {
        for sql in [
            "SELECT * FROM t WHERE",
            "SELEKT 1",
            "SELECT (1",
            "SELECT 'x' FROM",
        ] {
            let k = kinds(sql, Dialect::Postgres);
            assert!(!k.contains(&Kind::Read), "{sql}: {k:?}");
            assert!(k.contains(&Kind::Unknown), "{sql}: {k:?}");
        }
        assert_eq!(
            kinds("SELECT * FROM t WHERE", Dialect::MySql),
            [Kind::Unknown]
        );
    }

    #[test]
    fn the_parser_knows_what_the_keywords_do_not() {
        // A statement the keyword table has no verb for, but squawk knows.
        assert_eq!(
            kinds(
                "CREATE ACCESS METHOD heap2 TYPE TABLE HANDLER heap_tableam_handler",
                Dialect::Postgres
            ),
            [Kind::SchemaChange]
        );
    }

    #[test]
    fn client_commands_in_scripts() {
        assert_eq!(
            kinds("\\d items\nSELECT 1;", Dialect::Postgres),
            [Kind::Read]
        );
        assert_eq!(
            kinds("\\! rm -rf /tmp/x", Dialect::Postgres),
            [Kind::CodeExecution]
        );
        assert_eq!(
            kinds("\\i /nonexistent/x.sql", Dialect::Postgres),
            [Kind::Unknown]
        );
        assert_eq!(kinds(".shell id", Dialect::Sqlite), [Kind::CodeExecution]);
        assert_eq!(kinds(".dump", Dialect::Sqlite), [Kind::DataExport]);
    }

    #[test]
    fn dialects() {
        assert_eq!(
            kinds("CREATE USER 'app'@'%' IDENTIFIED BY 'x'", Dialect::MySql),
            [Kind::PermissionChange]
        );
        assert_eq!(
            kinds("SELECT * FROM t INTO OUTFILE '/tmp/x'", Dialect::MySql),
            [Kind::DataExport]
        );
        assert_eq!(
            kinds("SELECT count(*) FROM t", Dialect::Sqlite),
            [Kind::Read]
        );
        assert_eq!(
            kinds("ALTER TABLE t DELETE WHERE 1", Dialect::ClickHouse),
            [Kind::SchemaChange]
        );
    }
}
