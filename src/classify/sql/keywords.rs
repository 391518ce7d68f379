//! The keyword analyser: what a statement does, read from its verbs and the clauses that change its meaning
//! (`INTO`, `WHERE`, `ANALYZE`, nested DML, side-effect functions). It works on tokens, so it reads any dialect
//! and any statement, parsed or not: the parsers confirm and refine what it finds, and when they cannot parse a
//! statement it is the fallback, which can only raise the risk.

use super::SqlFinding;
use super::lex::{self, Token};
use crate::classify::{Kind, Risk};

impl SqlFinding {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        SqlFinding {
            kind,
            risk: kind.default_risk(),
            objects: Vec::new(),
            detail: detail.into(),
        }
    }

    fn risk(mut self, risk: Risk) -> Self {
        self.risk = risk;
        self
    }

    fn objects(mut self, objects: Vec<String>) -> Self {
        self.objects = objects;
        self
    }
}

/// Analyses one statement's text.
pub fn analyse(sql: &str, backslash_strings: bool) -> Vec<SqlFinding> {
    let tokens = lex::tokenize(sql, backslash_strings);
    lex::statements(&tokens)
        .into_iter()
        .flat_map(statement)
        .collect()
}

/// Functions whose call changes something or reaches outside the database, whatever statement they sit in.
fn side_effect_function(name: &str, first_arg: Option<&Token>) -> Option<SqlFinding> {
    let f = |kind, detail: &str| Some(SqlFinding::new(kind, format!("{detail} ({name})")));
    match name {
        "pg_terminate_backend" | "pg_cancel_backend" => {
            f(Kind::AdminConfig, "ends other sessions' work")
        }
        "pg_reload_conf" | "pg_rotate_logfile" | "pg_promote" | "pg_switch_wal" => {
            f(Kind::AdminConfig, "changes server state")
        }
        "set_config" => match first_arg {
            Some(Token::Str(s))
                if ["role", "session_authorization"].contains(&s.to_lowercase().as_str()) =>
            {
                f(Kind::PrivilegeSwitch, "switches role")
            }
            _ => f(Kind::AdminConfig, "changes a setting"),
        },
        "lo_export"
        | "pg_read_file"
        | "pg_read_binary_file"
        | "pg_ls_dir"
        | "lo_import"
        | "pg_stat_file" => f(Kind::DataExport, "reads server files"),
        "dblink_exec" | "dblink" | "dblink_send_query" => {
            f(Kind::CodeExecution, "runs SQL on another server")
        }
        "nextval" | "setval" => f(Kind::Write, "advances a sequence").map(|x| x.risk(Risk::Low)),
        _ => None,
    }
}

fn words(tokens: &[Token]) -> impl Iterator<Item = &str> {
    tokens.iter().filter_map(Token::word)
}

fn has_word(tokens: &[Token], w: &str) -> bool {
    tokens.iter().any(|t| t.is_word(w))
}

/// The position of a word at parenthesis depth zero.
fn top_level(tokens: &[Token], w: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth -= 1,
            t if depth == 0 && t.is_word(w) => return Some(i),
            _ => {}
        }
    }
    None
}

/// A possibly schema-qualified name starting at `i`: `a`, `a.b`, `"A"."b"`.
fn qualified_name(tokens: &[Token], mut i: usize) -> Option<String> {
    let mut parts = vec![tokens.get(i)?.name()?.to_string()];
    while tokens.get(i + 1) == Some(&Token::Punct('.')) {
        match tokens.get(i + 2).and_then(Token::name) {
            Some(n) => parts.push(n.to_string()),
            None => break,
        }
        i += 2;
    }
    Some(parts.join("."))
}

/// The name after the given leading words, skipping `IF [NOT] EXISTS`, `ONLY` and similar noise.
fn name_after(tokens: &[Token], mut i: usize) -> Vec<String> {
    while tokens.get(i).and_then(Token::word).is_some_and(|w| {
        [
            "if",
            "not",
            "exists",
            "only",
            "table",
            "concurrently",
            "from",
            "into",
            "or",
            "replace",
        ]
        .contains(&w)
    }) {
        i += 1;
    }
    let mut names = Vec::new();
    while let Some(name) = qualified_name(tokens, i) {
        names.push(name);
        i += 1;
        while tokens.get(i) == Some(&Token::Punct('.')) {
            i += 2;
        }
        if tokens.get(i) != Some(&Token::Punct(',')) {
            break;
        }
        i += 1;
    }
    names
}

/// Whether a WHERE clause is a constant: made only of literals and operators (`true`, `1=1`, `'a'='a'`).
fn constant_condition(cond: &[Token]) -> bool {
    !cond.is_empty()
        && cond.iter().all(|t| match t {
            Token::Number(_) | Token::Str(_) | Token::Punct(_) => true,
            Token::Word(w) => {
                ["true", "false", "not", "and", "or", "is", "null"].contains(&w.as_str())
            }
            Token::Ident(_) => false,
        })
}

fn statement(tokens: &[Token]) -> Vec<SqlFinding> {
    let mut findings = vec![verb(tokens)];
    // DML nested anywhere (CTEs, subqueries) and side-effect functions in any expression.
    for (i, t) in tokens.iter().enumerate() {
        if i > 0
            && tokens[i - 1] == Token::Punct('(')
            && let Some(w) = t.word()
            && ["insert", "update", "delete", "merge"].contains(&w)
        {
            let inner = &tokens[i..matching_paren(tokens, i - 1)];
            findings.push(verb(inner));
        }
        if let Some(name) = t.word()
            && tokens.get(i + 1) == Some(&Token::Punct('('))
            && let Some(f) = side_effect_function(name, tokens.get(i + 2))
        {
            findings.push(f);
        }
    }
    // A query that also writes, or calls something with side effects, is not a read.
    if findings.len() > 1 {
        findings.retain(|f| f.kind != Kind::Read);
    }
    findings
}

fn matching_paren(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// What the statement's leading verb says it does.
#[allow(clippy::too_many_lines)]
fn verb(tokens: &[Token]) -> SqlFinding {
    let w: Vec<&str> = words(tokens).take(4).collect();
    let first = tokens.first().and_then(Token::word).unwrap_or("");
    let second = w.get(1).copied().unwrap_or("");
    match first {
        "select" | "table" | "values" => {
            if let Some(into) = top_level(tokens, "into")
                && !matches!(
                    tokens.get(into + 1).and_then(Token::word),
                    Some("outfile" | "dumpfile")
                )
            {
                SqlFinding::new(Kind::SchemaChange, "SELECT … INTO creates a table")
                    .objects(name_after(tokens, into + 1))
            } else if top_level(tokens, "into").is_some() {
                SqlFinding::new(
                    Kind::DataExport,
                    "SELECT … INTO OUTFILE writes rows to a server file",
                )
            } else {
                SqlFinding::new(Kind::Read, "query").objects(from_objects(tokens))
            }
        }
        "show" | "describe" | "desc" | "pragma" | "discard" | "deallocate" | "begin" | "start"
        | "commit" | "rollback" | "end" | "savepoint" | "release" | "abort" | "reset" | "use" => {
            SqlFinding::new(Kind::Read, format!("{first} statement"))
        }
        "explain" => {
            let analyze = tokens
                .iter()
                .take(8)
                .any(|t| t.is_word("analyze") || t.is_word("analyse"));
            let body = tokens.iter().position(|t| {
                t.word().is_some_and(|w| {
                    [
                        "select", "insert", "update", "delete", "merge", "with", "create",
                        "values", "table",
                    ]
                    .contains(&w)
                })
            });
            match (analyze, body) {
                (true, Some(b)) => {
                    let mut inner = verb(&tokens[b..]);
                    inner.detail = format!("EXPLAIN ANALYZE runs it: {}", inner.detail);
                    inner
                }
                _ => SqlFinding::new(Kind::Read, "EXPLAIN without ANALYZE"),
            }
        }
        "with" => {
            // The CTE bodies sit in parentheses and are checked by the nested-DML scan; the main statement starts
            // at the first verb outside them.
            let mut depth = 0i32;
            let main = tokens.iter().enumerate().find_map(|(i, t)| {
                match t {
                    Token::Punct('(') => depth += 1,
                    Token::Punct(')') => depth -= 1,
                    Token::Word(w)
                        if depth == 0
                            && [
                                "select", "insert", "update", "delete", "merge", "values", "table",
                            ]
                            .contains(&w.as_str()) =>
                    {
                        return Some(i);
                    }
                    _ => {}
                }
                None
            });
            main.map_or_else(
                || SqlFinding::new(Kind::Unknown, "WITH statement gate cannot read"),
                |m| verb(&tokens[m..]),
            )
        }
        "insert" | "replace" | "upsert" => {
            SqlFinding::new(Kind::Write, "inserts rows").objects(name_after(tokens, 1))
        }
        "merge" => SqlFinding::new(Kind::Write, "merges rows").objects(name_after(tokens, 1)),
        "update" | "delete" => {
            let objects = name_after(tokens, 1);
            match top_level(tokens, "where") {
                None => SqlFinding::new(
                    Kind::DestructiveWrite,
                    format!("{} with no WHERE touches every row", first.to_uppercase()),
                )
                .objects(objects),
                Some(p) => {
                    let end = top_level(&tokens[p..], "returning").map_or(tokens.len(), |r| p + r);
                    if constant_condition(&tokens[p + 1..end]) {
                        SqlFinding::new(
                            Kind::DestructiveWrite,
                            format!(
                                "{} with a constant WHERE touches every row",
                                first.to_uppercase()
                            ),
                        )
                        .objects(objects)
                    } else {
                        SqlFinding::new(
                            Kind::Write,
                            format!("{} with a WHERE clause", first.to_lowercase()),
                        )
                        .objects(objects)
                    }
                }
            }
        }
        "truncate" => SqlFinding::new(Kind::DestructiveWrite, "TRUNCATE empties tables")
            .objects(name_after(tokens, 1)),
        "drop" => drop(tokens, second),
        "create" => create(tokens),
        "alter" => alter(tokens, second),
        "grant" | "revoke" => {
            let critical = has_word(tokens, "superuser")
                || (has_word(tokens, "grant") && has_word(tokens, "option") && first == "grant");
            let objects = top_level(tokens, "on")
                .map(|p| name_after(tokens, p + 1))
                .unwrap_or_default();
            SqlFinding::new(
                Kind::PermissionChange,
                format!("{} privileges", first.to_uppercase()),
            )
            .risk(if critical { Risk::Critical } else { Risk::High })
            .objects(objects)
        }
        "set" => match w.as_slice() {
            [_, "role", ..] | [_, "local" | "session", "role", ..] => {
                SqlFinding::new(Kind::PrivilegeSwitch, "SET ROLE").objects(name_after(tokens, 2))
            }
            [_, "session", "authorization", ..]
            | [_, "local" | "session", "session", "authorization"] => {
                SqlFinding::new(Kind::PrivilegeSwitch, "SET SESSION AUTHORIZATION")
            }
            [_, "session_replication_role" | "global" | "persist", ..] => {
                SqlFinding::new(Kind::AdminConfig, "changes a server setting")
            }
            [_, "password", ..] => SqlFinding::new(Kind::PermissionChange, "SET PASSWORD"),
            _ => SqlFinding::new(Kind::Read, "session setting").risk(Risk::Low),
        },
        "copy" => copy(tokens),
        "load" if second == "data" || second == "xml" => {
            SqlFinding::new(Kind::BulkWrite, "LOAD DATA loads rows from a file").objects(
                top_level(tokens, "table")
                    .map(|p| name_after(tokens, p + 1))
                    .unwrap_or_default(),
            )
        }
        "system" => SqlFinding::new(
            Kind::CodeExecution,
            "SYSTEM runs a shell command (mysql client)",
        ),
        "source" => SqlFinding::new(
            Kind::Unknown,
            "SOURCE runs a script file gate does not read",
        ),
        "do" | "call" | "execute" | "load" => SqlFinding::new(
            Kind::CodeExecution,
            format!("{} runs code gate cannot see", first.to_uppercase()),
        ),
        "vacuum" | "analyze" | "analyse" | "cluster" | "reindex" | "optimize" => {
            SqlFinding::new(Kind::SchemaChange, "maintenance that can block")
                .objects(name_after(tokens, 1))
        }
        "checkpoint" | "flush" | "kill" | "purge" => SqlFinding::new(
            Kind::AdminConfig,
            format!("{} statement", first.to_uppercase()),
        ),
        "lock" => SqlFinding::new(Kind::Write, "LOCK blocks other sessions")
            .objects(name_after(tokens, 1)),
        "refresh" | "notify" | "listen" | "unlisten" => {
            SqlFinding::new(Kind::Write, format!("{} statement", first.to_uppercase()))
        }
        "comment" | "rename" => SqlFinding::new(
            Kind::SchemaChange,
            format!("{} statement", first.to_uppercase()),
        ),
        "security" | "reassign" => SqlFinding::new(
            Kind::PermissionChange,
            format!("{} statement", first.to_uppercase()),
        ),
        "import" | "attach" | "detach" => SqlFinding::new(
            Kind::SchemaChange,
            format!("{} statement", first.to_uppercase()),
        ),
        "prepare" => tokens.iter().position(|t| t.is_word("as")).map_or_else(
            || SqlFinding::new(Kind::Unknown, "PREPARE gate cannot read"),
            |p| verb(&tokens[p + 1..]),
        ),
        _ => SqlFinding::new(
            Kind::Unknown,
            format!(
                "gate cannot read this statement ({})",
                statement_head(tokens)
            ),
        ),
    }
}

fn statement_head(tokens: &[Token]) -> String {
    let head: Vec<&str> = tokens.iter().take(3).filter_map(Token::name).collect();
    if head.is_empty() {
        "no leading keyword".into()
    } else {
        head.join(" ")
    }
}

fn from_objects(tokens: &[Token]) -> Vec<String> {
    let mut objects = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if (t.is_word("from") || t.is_word("join"))
            && let Some(n) = qualified_name(tokens, i + 1)
            && !objects.contains(&n)
            && !["select", "lateral", "unnest"].contains(&n.as_str())
        {
            objects.push(n);
        }
    }
    objects
}

fn drop(tokens: &[Token], what: &str) -> SqlFinding {
    let objects = name_after(tokens, 2);
    match what {
        "database" | "schema" => SqlFinding::new(
            Kind::DestructiveWrite,
            format!(
                "DROP {} destroys it and everything in it",
                what.to_uppercase()
            ),
        )
        .risk(if what == "database" {
            Risk::Critical
        } else {
            Risk::High
        })
        .objects(objects),
        "table" => {
            SqlFinding::new(Kind::DestructiveWrite, "DROP TABLE destroys its rows").objects(objects)
        }
        "role" | "user" | "group" | "owned" | "policy" => SqlFinding::new(
            Kind::PermissionChange,
            format!("DROP {}", what.to_uppercase()),
        )
        .objects(objects),
        "extension" | "server" | "subscription" | "publication" => {
            SqlFinding::new(Kind::AdminConfig, format!("DROP {}", what.to_uppercase()))
                .objects(objects)
        }
        _ => SqlFinding::new(Kind::SchemaChange, format!("DROP {}", what.to_uppercase()))
            .objects(objects),
    }
}

fn create(tokens: &[Token]) -> SqlFinding {
    let mut i = 1;
    while tokens.get(i).and_then(Token::word).is_some_and(|w| {
        [
            "or",
            "replace",
            "unique",
            "temp",
            "temporary",
            "unlogged",
            "global",
            "local",
            "materialized",
            "recursive",
            "trusted",
            "procedural",
            "default",
            "definer",
            "algorithm",
            "undefined",
            "sql",
            "security",
        ]
        .contains(&w)
    }) {
        i += 1;
    }
    let what = tokens.get(i).and_then(Token::word).unwrap_or("");
    let objects = name_after(tokens, i + 1);
    match what {
        "role" | "user" | "group" | "policy" => {
            let critical = has_word(tokens, "superuser");
            SqlFinding::new(
                Kind::PermissionChange,
                format!("CREATE {}", what.to_uppercase()),
            )
            .risk(if critical { Risk::Critical } else { Risk::High })
            .objects(objects)
        }
        "extension" | "server" | "subscription" | "publication" | "event" => {
            SqlFinding::new(Kind::AdminConfig, format!("CREATE {}", what.to_uppercase()))
                .objects(objects)
        }
        "function" | "procedure" | "language" | "trigger" => {
            let untrusted = tokens.iter().any(|t| {
                t.name().is_some_and(|n| {
                    ["plpythonu", "plpython3u", "plperlu", "pltclu", "c", "plsh"].contains(&n)
                })
            });
            if untrusted {
                SqlFinding::new(Kind::CodeExecution, "defines code in an untrusted language")
                    .objects(objects)
            } else {
                SqlFinding::new(
                    Kind::SchemaChange,
                    format!("CREATE {}", what.to_uppercase()),
                )
                .objects(objects)
            }
        }
        "" => SqlFinding::new(Kind::Unknown, "CREATE of something gate cannot read"),
        _ => SqlFinding::new(
            Kind::SchemaChange,
            format!("CREATE {}", what.to_uppercase()),
        )
        .objects(objects),
    }
}

fn alter(tokens: &[Token], what: &str) -> SqlFinding {
    let objects = name_after(tokens, 2);
    match what {
        "role" | "user" | "group" | "default" => {
            let critical = has_word(tokens, "superuser") || has_word(tokens, "bypassrls");
            SqlFinding::new(
                Kind::PermissionChange,
                format!("ALTER {}", what.to_uppercase()),
            )
            .risk(if critical { Risk::Critical } else { Risk::High })
            .objects(objects)
        }
        "system" => SqlFinding::new(
            Kind::AdminConfig,
            "ALTER SYSTEM changes server configuration",
        ),
        "extension" | "server" | "subscription" | "publication" => {
            SqlFinding::new(Kind::AdminConfig, format!("ALTER {}", what.to_uppercase()))
                .objects(objects)
        }
        _ if has_word(tokens, "owner") => {
            SqlFinding::new(Kind::PermissionChange, "OWNER TO changes who owns it").objects(objects)
        }
        _ if has_word(tokens, "security") && has_word(tokens, "level") => {
            SqlFinding::new(Kind::PermissionChange, "changes row-level security").objects(objects)
        }
        "" => SqlFinding::new(Kind::Unknown, "ALTER of something gate cannot read"),
        _ => SqlFinding::new(Kind::SchemaChange, format!("ALTER {}", what.to_uppercase()))
            .objects(objects),
    }
}

fn copy(tokens: &[Token]) -> SqlFinding {
    let objects = if tokens.get(1) == Some(&Token::Punct('(')) {
        from_objects(tokens)
    } else {
        name_after(tokens, 1)
    };
    let after_source = if tokens.get(1) == Some(&Token::Punct('(')) {
        matching_paren(tokens, 1) + 1
    } else {
        1
    };
    let direction = tokens[after_source.min(tokens.len())..]
        .iter()
        .find_map(|t| match t.word() {
            Some(w @ ("to" | "from")) => Some(w),
            _ => None,
        });
    if has_word(tokens, "program") {
        return SqlFinding::new(
            Kind::CodeExecution,
            "COPY … PROGRAM runs a shell command on the server",
        )
        .objects(objects);
    }
    match direction {
        Some("to") => SqlFinding::new(Kind::DataExport, "COPY … TO exports rows").objects(objects),
        Some(_) => SqlFinding::new(Kind::Write, "COPY … FROM loads rows").objects(objects),
        None => SqlFinding::new(Kind::Unknown, "COPY gate cannot read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<Kind> {
        let mut k: Vec<Kind> = analyse(sql, false).iter().map(|f| f.kind).collect();
        k.sort();
        k.dedup();
        k
    }

    #[test]
    fn verbs() {
        let cases: &[(&str, &[Kind])] = &[
            ("SELECT sku FROM items WHERE sku = 'A-1'", &[Kind::Read]),
            ("EXPLAIN SELECT * FROM carts", &[Kind::Read]),
            (
                "EXPLAIN ANALYZE DELETE FROM carts",
                &[Kind::DestructiveWrite],
            ),
            ("SELECT * INTO backup FROM items", &[Kind::SchemaChange]),
            ("INSERT INTO items(sku) VALUES ('B-2')", &[Kind::Write]),
            (
                "UPDATE items SET price = 10 WHERE sku = 'B-2'",
                &[Kind::Write],
            ),
            (
                "UPDATE items SET price = 0 WHERE true",
                &[Kind::DestructiveWrite],
            ),
            ("DELETE FROM t WHERE 1=1", &[Kind::DestructiveWrite]),
            ("DELETE FROM t WHERE 'a'='a'", &[Kind::DestructiveWrite]),
            ("DELETE FROM carts", &[Kind::DestructiveWrite]),
            ("TRUNCATE carts", &[Kind::DestructiveWrite]),
            ("DROP TABLE IF EXISTS carts", &[Kind::DestructiveWrite]),
            ("DROP INDEX items_sku", &[Kind::SchemaChange]),
            (
                "WITH d AS (DELETE FROM carts RETURNING id) SELECT count(*) FROM d",
                &[Kind::DestructiveWrite],
            ),
            (
                "ALTER TABLE items ADD COLUMN color text",
                &[Kind::SchemaChange],
            ),
            (
                "ALTER TABLE items OWNER TO mallory",
                &[Kind::PermissionChange],
            ),
            ("GRANT ALL ON items TO intern", &[Kind::PermissionChange]),
            (
                "CREATE ROLE auditor LOGIN PASSWORD 'x'",
                &[Kind::PermissionChange],
            ),
            ("SET ROLE admin", &[Kind::PrivilegeSwitch]),
            ("SET search_path = app", &[Kind::Read]),
            (
                "ALTER SYSTEM SET log_statement = 'none'",
                &[Kind::AdminConfig],
            ),
            ("SELECT pg_cancel_backend(1234)", &[Kind::AdminConfig]),
            (
                "SELECT set_config('role', 'admin', false)",
                &[Kind::PrivilegeSwitch],
            ),
            ("SELECT lo_export(1, '/tmp/x')", &[Kind::DataExport]),
            ("DO $$ BEGIN PERFORM 1; END $$", &[Kind::CodeExecution]),
            (
                "COPY items FROM PROGRAM 'cat /etc/passwd'",
                &[Kind::CodeExecution],
            ),
            ("COPY customers TO STDOUT", &[Kind::DataExport]),
            (
                "COPY (SELECT * FROM customers) TO '/tmp/c'",
                &[Kind::DataExport],
            ),
            ("COPY items FROM STDIN", &[Kind::Write]),
            ("SELEKT 1", &[Kind::Unknown]),
            (
                "SELECT 1; FOO BAR; DROP TABLE users",
                &[Kind::Read, Kind::DestructiveWrite, Kind::Unknown],
            ),
        ];
        for (sql, want) in cases {
            assert_eq!(kinds(sql), *want, "{sql}");
        }
    }

    #[test]
    fn risks_and_objects() {
        let f = &analyse("DROP DATABASE shop", false)[0];
        assert_eq!((f.kind, f.risk), (Kind::DestructiveWrite, Risk::Critical));
        assert_eq!(f.objects, ["shop"]);
        let f = &analyse("GRANT admin TO bob WITH GRANT OPTION", false)[0];
        assert_eq!(f.risk, Risk::Critical);
        let f = &analyse("DELETE FROM public.carts WHERE id = 1", false)[0];
        assert_eq!(f.objects, ["public.carts"]);
        let f = &analyse("SELECT * FROM public.users u JOIN orders o ON true", false)[0];
        assert_eq!(f.objects, ["public.users", "orders"]);
    }

    #[test]
    fn empty_script_has_no_findings() {
        assert!(analyse("  -- nothing\n ; ;", false).is_empty());
    }
}
