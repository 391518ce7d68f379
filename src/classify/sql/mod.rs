//! SQL analysis: what a script will do, statement by statement (DESIGN §2). A script is split into statements
//! and client commands first ([`script`]), so one statement gate cannot read never hides the others. Each
//! statement is read by the keyword analyser ([`keywords`]) and checked by the parser that knows its dialect best:
//! squawk-syntax for PostgreSQL ([`postgres`]) and sqlparser for MySQL, SQLite and ClickHouse ([`generic`]). A
//! statement its parser rejects is never reported as `read`.

pub mod functions;
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
    /// It parsed. `kind` is the statement's kind when its type alone says it (a DDL statement, say);
    /// `rejected` is what in it gate cannot accept (calls, operators, types).
    Ok {
        kind: Option<SqlFinding>,
        rejected: Vec<SqlFinding>,
    },
    /// It did not parse; the message says why.
    Failed(String),
}

/// How deep `\i` and `.read` may nest before gate stops following them.
const MAX_INCLUDE_DEPTH: usize = 8;

/// Analyses a script. An empty script gives no findings.
pub fn analyse(sql: &str, dialect: Dialect, sources: &dyn Sources) -> Vec<SqlFinding> {
    analyse_at_depth(sql, dialect, sources, 0)
}

/// Analyses the SQL of `psql -c`: psql sends it to the server as it is (startup.c, ACT_SINGLE_QUERY), so psql
/// variables are not substituted and `[1:n]` is an array slice. Other dialects are as [`analyse`].
pub fn analyse_command_string(
    sql: &str,
    dialect: Dialect,
    sources: &dyn Sources,
) -> Vec<SqlFinding> {
    let rules = match dialect {
        Dialect::Postgres => lex::Rules::POSTGRES,
        d => script::rules(d),
    };
    analyse_with(sql, dialect, rules, sources, 0)
}

fn analyse_at_depth(
    sql: &str,
    dialect: Dialect,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<SqlFinding> {
    analyse_with(sql, dialect, script::rules(dialect), sources, depth)
}

fn analyse_with(
    sql: &str,
    dialect: Dialect,
    rules: lex::Rules,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<SqlFinding> {
    let mut out = Vec::new();
    // Statements this script prepared, by name, with what they do: `EXECUTE name` does the same.
    let mut prepared: Vec<(String, Vec<SqlFinding>)> = Vec::new();
    for piece in script::split_by(sql, dialect, rules) {
        let found = match piece {
            Piece::Sql(text) => {
                let found = statement_with(text, dialect, rules);
                let head = text.get(..7).unwrap_or(text).to_ascii_lowercase();
                if dialect == Dialect::Postgres
                    && (head.starts_with("prepare") || head.starts_with("execute"))
                {
                    prepare_or_execute(text, found, &mut prepared)
                } else {
                    found
                }
            }
            Piece::Client(command) => client_command(command, dialect, sources, depth),
            Piece::Unknown(why) => vec![SqlFinding::new(Kind::Unknown, why)],
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

/// `PREPARE name AS …` remembers what the statement does; `EXECUTE name` of one this script prepared does that,
/// and of any other is `unknown` (the keyword analyser says so).
fn prepare_or_execute(
    text: &str,
    found: Vec<SqlFinding>,
    prepared: &mut Vec<(String, Vec<SqlFinding>)>,
) -> Vec<SqlFinding> {
    let tokens = lex::tokenize(text, false);
    let name = tokens.get(1).and_then(lex::Token::name).map(str::to_string);
    match (tokens.first().and_then(lex::Token::word), name) {
        (Some("prepare"), Some(name)) if name != "transaction" => {
            prepared.retain(|(n, _)| *n != name);
            prepared.push((name, found.clone()));
            found
        }
        (Some("execute"), Some(name)) => {
            let plain_execute = found
                .iter()
                .all(|f| f.kind == Kind::Unknown && f.detail.starts_with("EXECUTE"));
            match prepared.iter().find(|(n, _)| *n == name) {
                Some((_, then)) if plain_execute => then
                    .iter()
                    .cloned()
                    .map(|mut f| {
                        f.detail = format!("EXECUTE {name}: {}", f.detail);
                        f
                    })
                    .collect(),
                _ => found,
            }
        }
        _ => found,
    }
}

/// One SQL statement: lexed by the dialect's rules, read by the keyword analyser, and confirmed or corrected by
/// the dialect's parser.
pub fn statement(text: &str, dialect: Dialect) -> Vec<SqlFinding> {
    statement_with(text, dialect, script::rules(dialect))
}

fn statement_with(text: &str, dialect: Dialect, rules: lex::Rules) -> Vec<SqlFinding> {
    let lexed = lex::lex(text, rules);
    let unknown = |why: String| vec![SqlFinding::new(Kind::Unknown, why)];
    if let Some(problem) = &lexed.problem {
        return unknown(format!("gate does not model {problem}"));
    }
    if lexed.max_depth > lex::MAX_NESTING {
        return unknown(format!(
            "nests parentheses {} deep; gate follows {}",
            lexed.max_depth,
            lex::MAX_NESTING
        ));
    }
    if lexed.longest_run > lex::MAX_RUN {
        return unknown(format!(
            "has a chain of {} tokens without a comma; gate's parsers follow {}",
            lexed.longest_run,
            lex::MAX_RUN
        ));
    }
    if let Some(var) = lexed.tokens.iter().find_map(|t| match &t.token {
        lex::Token::Var(v) => Some(v.clone()),
        _ => None,
    }) {
        return unknown(format!(
            "psql substitutes the variable `{var}` into this statement when it runs; gate cannot see its value"
        ));
    }
    if lex::backslash_ambiguous(text, rules, &lexed) {
        return unknown(
            "a string with a backslash ends elsewhere if the server's standard_conforming_strings (or MySQL's \
             NO_BACKSLASH_ESCAPES) differs from the default; gate cannot see that setting"
                .into(),
        );
    }
    let tokens = lexed.plain();
    let mut found: Vec<SqlFinding> = lex::statements(&tokens)
        .into_iter()
        .flat_map(|t| keywords::statement(t, dialect))
        .collect();
    if dialect == Dialect::Postgres
        && let Some(op) = tokens.iter().find_map(|t| match t {
            lex::Token::Op(o) if !postgres::builtin_operator(o) => Some(o.clone()),
            _ => None,
        })
    {
        found.push(SqlFinding::new(
            Kind::Unknown,
            format!(
                "uses the operator `{op}`, which is not built in; gate cannot see its function"
            ),
        ));
    }
    // A statement the keywords already call something other than a read, with nothing in it for the parser's
    // walk to reject (no call, cast or `OPERATOR`), learns nothing from the parser: a dump's hundred thousand
    // INSERT … VALUES skip it. Everything that could end up a read is always parsed.
    let settled = !found.is_empty()
        && found.iter().all(|f| {
            f.kind != Kind::Read
                && !(f.kind == Kind::Unknown
                    && f.detail.starts_with("gate cannot read this statement"))
        })
        && !(1..tokens.len()).any(|i| {
            let before = |k: usize| i.checked_sub(k).map(|j| &tokens[j]);
            let table_columns = before(2).is_some_and(|t| t.is_word("into"))
                || (before(2) == Some(&lex::Token::Punct('.'))
                    && before(4).is_some_and(|t| t.is_word("into")));
            matches!(tokens[i - 1], lex::Token::Word(_) | lex::Token::Ident(_))
                && tokens[i] == lex::Token::Punct('(')
                && !tokens[i - 1]
                    .word()
                    .is_some_and(|x| x == "values" || x == "in")
                && !table_columns
        })
        && !tokens
            .iter()
            .any(|t| matches!(t, lex::Token::Cast) || t.is_word("operator"));
    // sqlparser rejects `PRAGMA table_info(users)`; the keyword analyser reads PRAGMA's whole grammar itself
    // (`PRAGMA [schema.]name [= value | (value)]`, nothing after), so its verdict stands alone.
    let own_grammar =
        dialect == Dialect::Sqlite && tokens.first().is_some_and(|t| t.is_word("pragma"));
    let parsed = if settled || own_grammar {
        Parsed::Ok {
            kind: None,
            rejected: Vec::new(),
        }
    } else {
        parse_bounded(text, dialect, &tokens)
    };
    match parsed {
        Parsed::Ok { kind, rejected } => {
            if let Some(kind_of_statement) = kind {
                // The parser's statement type stands in for a verb the keywords do not know.
                let unread = |f: &SqlFinding| {
                    f.kind == Kind::Unknown
                        && f.detail.starts_with("gate cannot read this statement")
                };
                if kind_of_statement.kind != Kind::Unknown && found.iter().all(unread) {
                    found = vec![kind_of_statement];
                } else if !found.iter().any(|f| f.kind == kind_of_statement.kind) {
                    found.push(kind_of_statement);
                }
            }
            found.extend(rejected);
        }
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
    if found.iter().any(|f| f.kind != Kind::Read) {
        found.retain(|f| f.kind != Kind::Read);
    }
    found
}

/// Words after which both parsers recurse.
const RECURSIVE_WORDS: &[&str] = &[
    "not", "explain", "case", "exists", "select", "when", "array", "row",
];

/// Runs the dialect's parser where its recursion cannot overflow the stack. squawk and sqlparser recurse per
/// nesting level and per link of some chains, with frames large enough that about thirty `NOT`s overflow a
/// 2 MiB thread in a debug build. A statement with only a few recursive constructs parses in place (the common
/// `psql -c`, which must stay fast); any other parses on a scoped thread with a 256 MiB stack, reserved, not
/// touched, and enough for [`lex::MAX_RUN`] links and [`lex::MAX_NESTING`] levels.
fn parse_bounded(text: &str, dialect: Dialect, tokens: &[lex::Token]) -> Parsed {
    let parse = || match dialect {
        Dialect::Postgres => postgres::parse(text),
        _ => generic::parse(text, dialect),
    };
    let mut prefix_position = true;
    let mut recursive = 0usize;
    for t in tokens {
        let is_op = matches!(t, lex::Token::Op(_));
        if matches!(t, lex::Token::Punct('(' | '['))
            || (is_op && prefix_position)
            || t.word().is_some_and(|w| RECURSIVE_WORDS.contains(&w))
        {
            recursive += 1;
        }
        prefix_position = is_op || matches!(t, lex::Token::Punct('(' | '[' | ','));
    }
    if recursive <= 12 && tokens.len() <= 400 {
        return parse();
    }
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("gate-sql-parse".into())
            .stack_size(256 << 20)
            .spawn_scoped(scope, parse)
        {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Parsed::Failed("the parser failed".into())),
            Err(e) => Parsed::Failed(format!("gate could not start its parser: {e}")),
        }
    })
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

    /// The distinct kinds a script analyses to, in contract order.
    pub(super) fn kinds(sql: &str, dialect: Dialect) -> Vec<Kind> {
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

#[cfg(test)]
mod bounds {
    use super::*;
    use crate::classify::NoSources;

    use super::tests::kinds;

    #[test]
    fn deep_nesting_is_unknown_not_a_stack_overflow() {
        let deep = format!("SELECT {}1{}", "(".repeat(20_000), ")".repeat(20_000));
        for d in [
            Dialect::Postgres,
            Dialect::MySql,
            Dialect::Sqlite,
            Dialect::ClickHouse,
        ] {
            assert_eq!(kinds(&deep, d), [Kind::Unknown], "{d:?}");
        }
        let subqueries = format!(
            "SELECT * FROM {}t{}",
            "(SELECT * FROM ".repeat(5_000),
            ") s".repeat(5_000)
        );
        assert_eq!(kinds(&subqueries, Dialect::Postgres), [Kind::Unknown]);
        let ctes = "WITH c AS (".repeat(3000);
        assert_eq!(
            kinds(&format!("{ctes}SELECT 1"), Dialect::Postgres),
            [Kind::Unknown]
        );
        let explains = format!("{}SELECT 1", "EXPLAIN ".repeat(10_000));
        assert_eq!(kinds(&explains, Dialect::Postgres), [Kind::Unknown]);
        let prepares = format!("{}SELECT 1", "PREPARE p AS ".repeat(10_000));
        assert_eq!(kinds(&prepares, Dialect::Postgres), [Kind::Unknown]);
        // Just under the bound still parses.
        let ok = format!("SELECT {}1{}", "(".repeat(50), ")".repeat(50));
        assert_eq!(kinds(&ok, Dialect::Postgres), [Kind::Read]);
    }

    #[test]
    fn a_ten_megabyte_dump_of_rows_is_writes() {
        use std::fmt::Write as _;
        let mut dump = String::from("COPY public.items (id, name) FROM stdin;\n");
        let mut i = 0;
        while dump.len() < 5_000_000 {
            let _ = writeln!(dump, "{i}\tname with 'quote' and \\N {i}");
            i += 1;
        }
        dump.push_str("\\.\n");
        while dump.len() < 10_000_000 {
            let _ = writeln!(dump, "INSERT INTO public.items VALUES ({i}, 'n{i}');");
            i += 1;
        }
        // How fast is the classify bench's to say (under 1 s in release); this says what it finds.
        let found = analyse(&dump, Dialect::Postgres, &NoSources);
        assert!(found.iter().all(|f| f.kind == Kind::Write), "{found:?}");
    }
}

#[cfg(test)]
mod table {
    use super::*;
    use crate::classify::NoSources;
    use Kind::*;

    use super::tests::kinds;

    /// SQL → the full set of kinds, per dialect.
    #[test]
    fn psql_c_text_has_no_variables() {
        let found =
            analyse_command_string("SELECT (ARRAY[1,2,3])[1:2]", Dialect::Postgres, &NoSources);
        assert_eq!(found.iter().map(|f| f.kind).collect::<Vec<_>>(), [Read]);
        assert_eq!(
            kinds("SELECT (ARRAY[1,2,3])[1:2]", Dialect::Postgres),
            [Unknown]
        );
        let found = analyse_command_string("SELECT 1; DROP TABLE t", Dialect::Postgres, &NoSources);
        assert!(found.iter().any(|f| f.kind == DestructiveWrite));
    }

    #[test]
    fn statements_earn_their_kinds() {
        let pg: &[(&str, &[Kind])] = &[
            ("SELECT lower(a) FROM t WHERE id = 1", &[Read]),
            ("SELECT * FROM t FOR UPDATE", &[Write]),
            (
                "(SELECT a FROM t EXCEPT SELECT a FROM u) UNION ALL (SELECT 1)",
                &[Read],
            ),
            ("((SELECT a FROM t FOR SHARE))", &[Write]),
            ("(SELECT evil())", &[Unknown]),
            ("(SELECT 1 INTO f)", &[Unknown]),
            ("(VALUES (1)) UNION (VALUES (2))", &[Read]),
            ("SELECT '(1,2)'::pair, 'x'::my_domain", &[Read]),
            (
                "SELECT tsquery('a'), regrole('postgres'), int4(1.5)",
                &[Read],
            ),
            (
                "SELECT ts_rewrite('a'::tsquery, 'a'::tsquery, 'b'::tsquery)",
                &[Read],
            ),
            (
                "SELECT ts_rewrite('a'::tsquery, 'SELECT t, s FROM aliases')",
                &[Unknown],
            ),
            ("SELECT evil()", &[Unknown]),
            ("SELECT pg_catalog.evil()", &[Unknown]),
            ("SELECT nextval('s')", &[Write]),
            ("SELECT pg_cancel_backend(1)", &[AdminConfig]),
            (
                "EXPLAIN (ANALYZE, VERBOSE) DELETE FROM t",
                &[DestructiveWrite],
            ),
            ("EXPLAIN (VERBOSE, ANALYZE off) DELETE FROM t", &[Read]),
            ("EXPLAIN ANALYZE INSERT INTO t VALUES (1)", &[Write]),
            ("EXPLAIN (ANALYZE perhaps) SELECT 1", &[Unknown]),
            ("SET ROLE admin", &[PrivilegeSwitch]),
            ("SET \"role\" TO admin", &[PrivilegeSwitch]),
            ("RESET ROLE", &[PrivilegeSwitch]),
            ("RESET SESSION AUTHORIZATION", &[PrivilegeSwitch]),
            (
                "SET LOCAL session_replication_role = replica",
                &[PrivilegeSwitch],
            ),
            ("RESET ALL", &[Unknown]),
            ("DISCARD ALL", &[PrivilegeSwitch]),
            ("DISCARD PLANS", &[Read]),
            ("DISCARD TEMP", &[Write]),
            ("SET work_mem = '64MB'", &[Read]),
            ("SET log_min_duration_statement = -1", &[Unknown]),
            ("SET standard_conforming_strings = off", &[Unknown]),
            ("SET search_path TO app", &[Read]),
            ("SET search_path TO app, pg_catalog", &[Unknown]),
            ("SET SCHEMA 'app'", &[Read]),
            ("COMMIT PREPARED 'x'", &[Write]),
            ("ROLLBACK PREPARED 'x'", &[Write]),
            ("PREPARE TRANSACTION 'x'", &[Write]),
            ("BEGIN ISOLATION LEVEL SERIALIZABLE; COMMIT", &[Read]),
            ("PREPARE q AS SELECT 1; EXECUTE q", &[Read]),
            ("PREPARE q AS DELETE FROM t; EXECUTE q", &[DestructiveWrite]),
            ("EXECUTE elsewhere", &[Unknown]),
            (
                "DECLARE c CURSOR FOR SELECT * FROM t; FETCH 10 FROM c; CLOSE c",
                &[Read],
            ),
            ("DECLARE c CURSOR FOR SELECT * FROM t FOR UPDATE", &[Write]),
            ("SELECT * INTO t2 FROM t", &[SchemaChange]),
            ("CREATE TABLE t2 AS SELECT * FROM t", &[SchemaChange]),
            ("COPY t TO PROGRAM 'gzip > /tmp/x'", &[CodeExecution]),
            ("COPY t FROM PROGRAM 'id'", &[CodeExecution]),
            ("TABLE t", &[Read]),
            ("VALUES (1), (2)", &[Read]),
            (
                "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
                &[DestructiveWrite],
            ),
            (
                "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
                &[Write],
            ),
            ("LISTEN ch", &[Write]),
            ("NOTIFY ch", &[Write]),
            ("LOAD 'plpgsql'", &[CodeExecution]),
            ("CALL p()", &[CodeExecution]),
            ("CHECKPOINT", &[AdminConfig]),
            ("VACUUM t", &[SchemaChange]),
            (
                "IMPORT FOREIGN SCHEMA s FROM SERVER x INTO public",
                &[SchemaChange],
            ),
            ("DROP DATABASE shop", &[DestructiveWrite]),
            ("SELECT :x", &[Unknown]),
            ("SELECT 1 === 2", &[Unknown]),
            ("SELECT * FROM t TABLESAMPLE system_time(5)", &[Unknown]),
        ];
        let my: &[(&str, &[Kind])] = &[
            ("SELECT CONCAT(a, b) FROM t WHERE id = 1", &[Read]),
            // The comment is reported apart; the statement before it is a read.
            ("SELECT 1 /*! , sys_exec('id') */", &[Read, Unknown]),
            ("INSERT INTO db.t (a) VALUES (1)", &[Write]),
            ("SET PASSWORD = 'x'", &[PermissionChange]),
            ("SET GLOBAL read_only = 0", &[AdminConfig]),
            ("SET @@persist.max_connections = 10", &[AdminConfig]),
            ("SET SESSION sql_mode = 'ANSI_QUOTES'", &[Unknown]),
            ("SET time_zone = '+00:00', @x = 1", &[Read]),
            (
                "LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE t",
                &[BulkWrite],
            ),
            ("SELECT LOAD_FILE('/etc/shadow')", &[DataExport]),
            ("SELECT * FROM t INTO OUTFILE '/tmp/t'", &[DataExport]),
            ("SELECT a INTO @v FROM t LIMIT 1", &[Read]),
            ("HANDLER t READ FIRST", &[Unknown]),
            ("INSTALL PLUGIN p SONAME 'p.so'", &[CodeExecution]),
            ("USE other", &[Unknown]),
            ("START REPLICA", &[AdminConfig]),
            ("BEGIN NOT ATOMIC SELECT 1; END", &[Read, Unknown]),
            ("START TRANSACTION", &[Read]),
            ("EXPLAIN ANALYZE DELETE FROM t", &[DestructiveWrite]),
            ("EXPLAIN FORMAT=TREE SELECT * FROM t", &[Read]),
            ("DESCRIBE t", &[Read]),
        ];
        let lite: &[(&str, &[Kind])] = &[
            (
                "SELECT json_extract(d, '$.a'), strftime('%s', 'now') FROM t",
                &[Read],
            ),
            ("PRAGMA foreign_keys", &[Read]),
            ("PRAGMA index_list(t)", &[Read]),
            ("PRAGMA foreign_keys = OFF", &[AdminConfig]),
            ("PRAGMA cache_size(100)", &[AdminConfig]),
            ("PRAGMA wal_checkpoint", &[Unknown]),
            ("VACUUM INTO '/tmp/x.db'", &[DataExport]),
            ("VACUUM", &[SchemaChange]),
            ("ATTACH 'x.db' AS x", &[Unknown]),
            // sqlparser does not know DETACH, so it is not confirmed.
            ("DETACH x", &[Unknown]),
            ("SELECT writefile('/tmp/x', 'y')", &[DataExport]),
            ("SELECT load_extension('x')", &[CodeExecution]),
            ("SELECT edit('a')", &[CodeExecution]),
        ];
        let ch: &[(&str, &[Kind])] = &[
            ("SELECT count() FROM events", &[Read]),
            ("SELECT * FROM file('x.csv')", &[DataExport]),
            (
                "SELECT * FROM executable('x.sh', 'TSV', 'a String')",
                &[CodeExecution],
            ),
            ("SELECT * FROM remote('h', db.t)", &[Unknown]),
            ("SYSTEM RELOAD CONFIG", &[AdminConfig]),
            ("SET max_threads = 8", &[Read]),
            ("SET allow_ddl = 1", &[Unknown]),
            ("SELECT 1 INTO OUTFILE 'x'", &[DataExport]),
        ];
        let mut failures = Vec::new();
        for (dialect, table) in [
            (Dialect::Postgres, pg),
            (Dialect::MySql, my),
            (Dialect::Sqlite, lite),
            (Dialect::ClickHouse, ch),
        ] {
            for (sql, want) in table {
                let got = kinds(sql, dialect);
                if got != *want {
                    failures.push(format!("{dialect:?} {sql}: want {want:?}, got {got:?}"));
                }
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }
}
