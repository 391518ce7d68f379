//! PostgreSQL statements through squawk-syntax, a pure-Rust, error-tolerant parser with a typed tree. The only
//! code that names squawk-syntax. It tells whether a statement parses, what the statements whose kind is plain
//! from their type alone (DDL, roles, server administration) are, and walks the tree for every function call and
//! `OPERATOR(…)`, because each of those runs a function that is either on gate's generated allow-list
//! ([`super::functions`]) or beyond what gate can see.
//!
//! squawk's parser recurses once per nesting level, so callers bound the nesting first ([`super::lex`]'s
//! `MAX_NESTING`); the walk itself is rowan's iterative preorder.

use std::sync::OnceLock;

use squawk_syntax::ast::AstNode as _;
use squawk_syntax::{SourceFile, SyntaxKind, SyntaxNode};

use super::{Parsed, SqlFinding, functions};
use crate::classify::{Kind, Risk};

/// Parses one statement.
pub fn parse(text: &str) -> Parsed {
    let parse = SourceFile::parse(text);
    let errors = parse.errors();
    if let Some(first) = errors.first() {
        return Parsed::Failed(first.message().to_string());
    }
    let tree = parse.tree();
    let mut stmts = tree.stmts();
    let Some(stmt) = stmts.next() else {
        return Parsed::Failed("no statement".into());
    };
    if stmts.next().is_some() {
        return Parsed::Failed("more than one statement".into());
    }
    let node = stmt.syntax();
    Parsed::Ok {
        kind: kind_of(&format!("{:?}", node.kind())),
        rejected: walk(node),
    }
}

fn listed(list: &'static str, cell: &'static OnceLock<Vec<&'static str>>, name: &str) -> bool {
    cell.get_or_init(|| {
        let mut v: Vec<&str> = list
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("# "))
            .collect();
        v.sort_unstable();
        v
    })
    .binary_search(&name)
    .is_ok()
}

/// Whether a name is one of pg_catalog's types (composite row types aside): `name(x)`, with one argument and no
/// function of that name, is PostgreSQL's function-style cast, a built-in conversion.
fn builtin_type(name: &str) -> bool {
    static CELL: OnceLock<Vec<&'static str>> = OnceLock::new();
    listed(include_str!("pg_types.txt"), &CELL, name)
}

/// Whether an operator is one of pg_catalog's. `!=` is the lexer's spelling of `<>`; `=>` names an argument.
pub fn builtin_operator(op: &str) -> bool {
    static CELL: OnceLock<Vec<&'static str>> = OnceLock::new();
    matches!(op, "!=" | "=>" | ":=") || listed(include_str!("pg_operators.txt"), &CELL, op)
}

/// A name as PostgreSQL resolves it: unquoted names are ASCII-lowercased, quoted ones kept.
fn ident(text: &str) -> (String, bool) {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => (inner.replace("\"\"", "\""), true),
        None => (text.to_ascii_lowercase(), false),
    }
}

fn first_child(node: &SyntaxNode) -> Option<SyntaxNode> {
    node.children().next()
}

/// Every call and `OPERATOR(…)` in the statement that gate does not accept.
///
/// Casts are not among them. A cast runs the target type's input function: for a base, enum, range or composite
/// type that is C code only a superuser can install (or built-in), and for a domain it adds the domain's CHECK
/// constraints, which were DDL when they were made; a user type may also have a `CREATE CAST … WITH FUNCTION`,
/// and the source type of `col::text` is not visible at all. That is the standing of a view or a row-level security
/// policy, which a plain `SELECT` also runs: schema the database already holds, which gate reviewed as a
/// `schema_change` when it was created through gate, and which the database's own privileges back up.
fn walk(stmt: &SyntaxNode) -> Vec<SqlFinding> {
    let mut out = Vec::new();
    if !holds_calls(stmt) {
        return out;
    }
    for node in stmt.descendants() {
        match node.kind() {
            SyntaxKind::CALL_EXPR => {
                if let Some(f) = call(&node) {
                    out.push(f);
                }
            }
            SyntaxKind::OPERATOR_CALL => {
                let text: String = node
                    .text()
                    .to_string()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let inner = text
                    .get(9..text.len().saturating_sub(1))
                    .unwrap_or_default();
                let ok = inner
                    .strip_prefix("pg_catalog.")
                    .is_some_and(builtin_operator);
                if !ok {
                    out.push(SqlFinding::new(
                        Kind::Unknown,
                        format!("uses {text}, an operator outside pg_catalog; gate cannot see its function"),
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// Whether the statement holds a call or an `OPERATOR(…)` at all. It reads the green tree, which costs one
/// stack; the typed walk makes a cursor for every node, and most statements have nothing for it to find.
fn holds_calls(stmt: &SyntaxNode) -> bool {
    let (call, operator) = (
        SyntaxKind::CALL_EXPR as u16,
        SyntaxKind::OPERATOR_CALL as u16,
    );
    let green = stmt.green();
    let mut stack = vec![&*green];
    while let Some(node) = stack.pop() {
        let kind = node.kind().0;
        if kind == call || kind == operator {
            return true;
        }
        // The method's type is rowan's, which only squawk-syntax names; the closure keeps it unnamed here.
        #[allow(clippy::redundant_closure_for_method_calls)]
        stack.extend(node.children().filter_map(|child| child.into_node()));
    }
    false
}

/// A call gate does not accept, or `None` when it is allowed (or its effect is reported by the keyword scan).
fn call(node: &SyntaxNode) -> Option<SqlFinding> {
    let head = first_child(node)?;
    let in_tablesample = node
        .parent()
        .is_some_and(|p| p.kind() == SyntaxKind::TABLESAMPLE_CLAUSE);
    match head.kind() {
        SyntaxKind::NAME_REF => {
            let (name, quoted) = ident(head.text().to_string().trim());
            if in_tablesample {
                // Core PostgreSQL has two sampling methods; any other is an extension's code.
                return (!matches!(name.as_str(), "bernoulli" | "system") || quoted).then(|| {
                    functions::not_allowed(&name, "a TABLESAMPLE method that is not built in")
                });
            }
            if quoted {
                return Some(functions::not_allowed(&name, "a quoted function name"));
            }
            if functions::pg_allowed(&name)
                || functions::known_effect(&name, None, super::Dialect::Postgres).is_some()
            {
                return None;
            }
            let arguments = node
                .children()
                .find(|c| c.kind() == SyntaxKind::ARG_LIST)
                .map(|list| list.children().count());
            // ts_rewrite(query, target, substitute) is immutable; only the two-argument form runs a SELECT.
            if (arguments == Some(1) && builtin_type(&name))
                || (name == "ts_rewrite" && arguments == Some(3))
            {
                return None;
            }
            Some(functions::not_allowed(
                &name,
                "which is not on gate's list of built-in functions that only compute",
            ))
        }
        SyntaxKind::FIELD_EXPR => {
            // schema.function: only pg_catalog, which no ordinary role can add to, is accepted.
            let text = head.text().to_string();
            let parts: Vec<(String, bool)> = text.split('.').map(|p| ident(p.trim())).collect();
            match parts.as_slice() {
                [(schema, _), (name, false)]
                    if schema == "pg_catalog" && functions::pg_allowed(name) =>
                {
                    None
                }
                _ => Some(functions::not_allowed(
                    text.trim(),
                    "a schema-qualified function outside gate's list",
                )),
            }
        }
        // The grammar's own function forms (EXTRACT, TRIM, SUBSTRING, POSITION, OVERLAY, XMLELEMENT, JSON_OBJECT,
        // …) map to built-in functions; their arguments are walked on their own.
        k if format!("{k:?}").ends_with("_FN") => None,
        _ => Some(SqlFinding::new(
            Kind::Unknown,
            format!("a call gate cannot read: {}", node.text()),
        )),
    }
}

/// What a statement type alone says. `None` for the statements whose meaning depends on their clauses (SELECT,
/// the DML, COPY, SET, EXPLAIN): the keyword analyser reads those.
fn kind_of(node: &str) -> Option<SqlFinding> {
    let finding = |kind: Kind, risk: Risk| {
        let mut f = SqlFinding::new(kind, format!("{} statement", node.replace('_', " ")));
        f.risk = risk;
        Some(f)
    };
    let permission = [
        "CREATE_ROLE",
        "CREATE_USER",
        "CREATE_GROUP",
        "CREATE_POLICY",
        "CREATE_USER_MAPPING",
        "ALTER_ROLE",
        "ALTER_USER",
        "ALTER_GROUP",
        "ALTER_POLICY",
        "ALTER_DEFAULT_PRIVILEGES",
        "ALTER_USER_MAPPING",
        "DROP_ROLE",
        "DROP_USER",
        "DROP_GROUP",
        "DROP_POLICY",
        "DROP_OWNED",
        "DROP_USER_MAPPING",
        "GRANT",
        "REVOKE",
        "REASSIGN",
        "SECURITY_LABEL",
    ];
    let admin = [
        "ALTER_SYSTEM",
        "CREATE_EXTENSION",
        "ALTER_EXTENSION",
        "DROP_EXTENSION",
        "CREATE_SERVER",
        "ALTER_SERVER",
        "DROP_SERVER",
        "CREATE_SUBSCRIPTION",
        "ALTER_SUBSCRIPTION",
        "DROP_SUBSCRIPTION",
        "CREATE_PUBLICATION",
        "ALTER_PUBLICATION",
        "DROP_PUBLICATION",
        "CHECKPOINT",
        "CREATE_EVENT_TRIGGER",
        "ALTER_EVENT_TRIGGER",
        "DROP_EVENT_TRIGGER",
        "CREATE_TABLESPACE",
        "ALTER_TABLESPACE",
        "DROP_TABLESPACE",
        "CREATE_FOREIGN_DATA_WRAPPER",
        "ALTER_FOREIGN_DATA_WRAPPER",
        "DROP_FOREIGN_DATA_WRAPPER",
    ];
    match node {
        n if permission.contains(&n) => finding(Kind::PermissionChange, Risk::High),
        n if admin.contains(&n) => finding(Kind::AdminConfig, Risk::High),
        "DROP_DATABASE" => finding(Kind::DestructiveWrite, Risk::Critical),
        "DROP_TABLE" | "DROP_SCHEMA" | "TRUNCATE" | "DROP_MATERIALIZED_VIEW" => {
            finding(Kind::DestructiveWrite, Risk::High)
        }
        "DO" | "CALL" | "EXECUTE" | "LOAD" | "CREATE_LANGUAGE" => {
            finding(Kind::CodeExecution, Risk::High)
        }
        "CREATE_DATABASE"
        | "ALTER_DATABASE"
        | "CLUSTER"
        | "REINDEX"
        | "VACUUM"
        | "ANALYZE"
        | "COMMENT_ON"
        | "REFRESH"
        | "IMPORT_FOREIGN_SCHEMA" => finding(Kind::SchemaChange, Risk::Moderate),
        "LOCK" | "NOTIFY" | "LISTEN" | "UNLISTEN" => finding(Kind::Write, Risk::Moderate),
        n if n.starts_with("CREATE_") || n.starts_with("ALTER_") || n.starts_with("DROP_") => {
            finding(Kind::SchemaChange, Risk::Moderate)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_postgres_parses() {
        for sql in [
            "ALTER TABLE items ADD COLUMN color text",
            "CREATE INDEX CONCURRENTLY items_sku ON items (sku)",
            "GRANT ALL ON items TO intern",
            "DO $$ BEGIN PERFORM 1; END $$",
            "ALTER PUBLICATION p ADD TABLE t",
            "WITH d AS (DELETE FROM carts RETURNING id) SELECT count(*) FROM d",
            "MERGE INTO items i USING staged s ON i.sku = s.sku WHEN MATCHED THEN UPDATE SET price = s.price",
        ] {
            assert!(matches!(parse(sql), Parsed::Ok { .. }), "{sql}");
        }
        for sql in [
            "SELEKT 1",
            "SELECT * FROM t WHERE",
            "SELECT (1",
            "SELECT 1; SELECT 2",
        ] {
            assert!(matches!(parse(sql), Parsed::Failed(_)), "{sql}");
        }
    }

    #[test]
    fn statement_types() {
        let kind = |sql| match parse(sql) {
            Parsed::Ok { kind, .. } => kind.map(|f| (f.kind, f.risk)),
            Parsed::Failed(_) => None,
        };
        assert_eq!(
            kind("DROP DATABASE shop"),
            Some((Kind::DestructiveWrite, Risk::Critical))
        );
        assert_eq!(
            kind("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO readers"),
            Some((Kind::PermissionChange, Risk::High))
        );
        assert_eq!(
            kind("CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p"),
            Some((Kind::AdminConfig, Risk::High))
        );
        assert_eq!(kind("SELECT 1"), None, "queries are read by their clauses");
    }
}

#[cfg(test)]
mod walk_tests {
    use super::*;

    fn unknowns(sql: &str) -> usize {
        match parse(sql) {
            Parsed::Ok { rejected, .. } => {
                rejected.iter().filter(|f| f.kind == Kind::Unknown).count()
            }
            Parsed::Failed(e) => panic!("{sql}: {e}"),
        }
    }

    #[test]
    fn calls_operators_and_types() {
        for ok in [
            "SELECT lower(a), count(*) FILTER (WHERE a > 1) OVER (PARTITION BY b) FROM t",
            "SELECT coalesce(a, 1), nullif(1, 2), greatest(1, 2), extract(year from now())",
            "SELECT pg_catalog.now(), '1'::numeric(10,2), cast(a AS text), a::int[]",
            "SELECT trim(both 'x' from a), substring(a from 1 for 2), position('a' in b)",
            "SELECT * FROM t TABLESAMPLE bernoulli(10)",
            "SELECT * FROM ROWS FROM (generate_series(1,2)) AS g(x)",
            "SELECT a OPERATOR(pg_catalog.+) b",
            "SELECT * FROM t AS x(a, b) WHERE EXISTS (SELECT 1) AND a IN (1, 2)",
            // A schema's own type: its input function has a view's standing (see `walk`).
            "SELECT 'x'::mytype, cast(a AS public.mytype)",
            // Function-style casts to built-in types.
            "SELECT regclass('t'), inet('127.0.0.1'), tsquery('a & b')",
        ] {
            assert_eq!(unknowns(ok), 0, "{ok}");
        }
        for bad in [
            "SELECT \"dblink_exec\"('x')",
            "SELECT public.f(1)",
            "SELECT evil()",
            "SELECT pg_catalog.pg_sleep(1)",
            "SELECT * FROM t TABLESAMPLE system_rows(10)",
            "SELECT a OPERATOR(public.+) b",
            // A type name with two arguments is a call, and a user type's name a user function.
            "SELECT inet('a', 'b')",
            "SELECT textrange('a', 'b')",
            "SELECT ts_rewrite('a'::tsquery, 'SELECT 1')",
            "SELECT * FROM f(1)",
            "SELECT * FROM t, LATERAL evil(t.a)",
            "VALUES (evil())",
        ] {
            assert!(unknowns(bad) > 0, "{bad}");
        }
    }
}
