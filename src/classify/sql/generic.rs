//! MySQL, SQLite and ClickHouse statements through sqlparser. The only code that names sqlparser. It tells
//! whether a statement parses in its dialect; the keyword analyser says what it does.

use sqlparser::dialect::{ClickHouseDialect, Dialect as SqlDialect, MySqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use super::{Dialect, Parsed};

/// Parses one statement in a dialect other than PostgreSQL.
pub fn parse(text: &str, dialect: Dialect) -> Parsed {
    let d: Box<dyn SqlDialect> = match dialect {
        Dialect::MySql => Box::new(MySqlDialect {}),
        Dialect::Sqlite => Box::new(SQLiteDialect {}),
        Dialect::ClickHouse | Dialect::Postgres => Box::new(ClickHouseDialect {}),
    };
    match Parser::parse_sql(d.as_ref(), text) {
        Ok(statements) if statements.is_empty() => Parsed::Failed("no statement".into()),
        Ok(_) => Parsed::Ok {
            kind: None,
            rejected: Vec::new(),
        },
        Err(e) => Parsed::Failed(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_parse_their_own_sql() {
        assert!(matches!(
            parse("DELETE FROM t WHERE id = 1", Dialect::MySql),
            Parsed::Ok { .. }
        ));
        assert!(matches!(
            parse("SELECT `a` FROM `t` LIMIT 1", Dialect::MySql),
            Parsed::Ok { .. }
        ));
        assert!(matches!(
            parse("SELECT count(*) FROM t", Dialect::Sqlite),
            Parsed::Ok { .. }
        ));
        assert!(matches!(
            parse("SELECT * FROM t WHERE", Dialect::MySql),
            Parsed::Failed(_)
        ));
        assert!(matches!(
            parse("SELEKT 1", Dialect::Sqlite),
            Parsed::Failed(_)
        ));
    }
}
