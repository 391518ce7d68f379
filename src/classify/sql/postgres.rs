//! PostgreSQL statements through squawk-syntax, a pure-Rust, error-tolerant parser with a typed tree. The only
//! code that names squawk-syntax. It tells whether a statement parses, and for the statements whose kind is
//! plain from their type alone (DDL, roles, server administration), what they are.

use squawk_syntax::SourceFile;
use squawk_syntax::ast::AstNode as _;

use super::{Parsed, SqlFinding};
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
    Parsed::Ok(kind_of(&format!("{:?}", stmt.syntax().kind())))
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
            assert!(matches!(parse(sql), Parsed::Ok(_)), "{sql}");
        }
        for sql in ["SELEKT 1", "SELECT * FROM t WHERE", "SELECT (1"] {
            assert!(matches!(parse(sql), Parsed::Failed(_)), "{sql}");
        }
    }

    #[test]
    fn statement_types() {
        let kind = |sql| match parse(sql) {
            Parsed::Ok(Some(f)) => Some((f.kind, f.risk)),
            _ => None,
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
