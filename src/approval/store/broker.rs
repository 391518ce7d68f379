//! The tables only `gate serve` uses when its store is SQLite: tokens, used link nonces, the central audit and
//! the signing key. They sit beside the requests table so that one file holds everything a broker knows.

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension as _, params};

use super::{SqliteStore, StoreError};
use crate::approval::{Request, TransitionError};
use crate::broker::store::{AuditEntry, TokenKind, TokenRecord};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS used_nonces (
    nonce TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    stream TEXT NOT NULL,
    seq INTEGER,
    hash TEXT,
    record TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (source, stream, seq)
);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
";

fn timestamp(s: &str) -> rusqlite::Result<Timestamp> {
    s.parse()
        .map_err(|e: jiff::Error| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

fn token_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRecord> {
    let kind: String = row.get(1)?;
    let revoked: Option<String> = row.get(5)?;
    Ok(TokenRecord {
        id: row.get(0)?,
        kind: TokenKind::parse(&kind).unwrap_or(TokenKind::Requester),
        name: row.get(2)?,
        hash: row.get(3)?,
        created_at: timestamp(&row.get::<_, String>(4)?)?,
        revoked_at: revoked.as_deref().map(timestamp).transpose()?,
    })
}

const TOKEN_COLUMNS: &str = "id, kind, name, hash, created_at, revoked_at";

fn insert_audit(conn: &Connection, e: &AuditEntry) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO audit (source, stream, seq, hash, record, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![e.source, e.stream, e.seq, e.hash, e.record.to_string(), e.received_at.to_string()])
}

impl SqliteStore {
    /// Inserts a request and the broker's record of it, in one transaction.
    pub fn insert_noting(
        &self,
        request: &Request,
        origin: &str,
        entry: &AuditEntry,
    ) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction().map_err(self.sql())?;
        self.insert_from(request, origin)?;
        insert_audit(&self.conn, entry).map_err(self.sql())?;
        tx.commit().map_err(self.sql())
    }

    /// `update_stored`, with the broker's record of the change (from `note`) committed in the same transaction.
    pub fn update_noting(
        &mut self,
        id: &str,
        change: impl FnOnce(&Request) -> Result<Option<Request>, TransitionError>,
        note: impl FnOnce(&Request) -> Option<AuditEntry>,
    ) -> Result<(Request, i64, String, bool), StoreError> {
        self.update_with(id, change, |conn, next| match note(next) {
            Some(entry) => insert_audit(conn, &entry).map(|_| ()),
            None => Ok(()),
        })
    }

    /// Creates the broker's tables, and its signing key from `fresh_key` the first time.
    pub fn open_broker_tables(&self, fresh_key: &[u8]) -> Result<(), StoreError> {
        self.conn.execute_batch(SCHEMA).map_err(self.sql())?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO settings (name, value) VALUES ('signing_key', ?1)",
                params![fresh_key],
            )
            .map_err(self.sql())?;
        Ok(())
    }

    pub fn signing_key(&self) -> Result<Vec<u8>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM settings WHERE name = 'signing_key'",
                [],
                |row| row.get(0),
            )
            .map_err(self.sql())
    }

    pub fn ping(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("SELECT 1", [], |row| row.get::<_, i64>(0))
            .map_err(self.sql())?;
        Ok(())
    }

    pub fn add_token(&self, t: &TokenRecord) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO tokens (id, kind, name, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    t.id,
                    t.kind.as_str(),
                    t.name,
                    t.hash,
                    t.created_at.to_string()
                ],
            )
            .map_err(self.sql())?;
        Ok(())
    }

    pub fn token_where(
        &self,
        column: &str,
        value: &str,
    ) -> Result<Option<TokenRecord>, StoreError> {
        let column = if column == "hash" { "hash" } else { "id" };
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE {column} = ?1"
            ))
            .map_err(self.sql())?;
        stmt.query_row(params![value], token_row)
            .optional()
            .map_err(self.sql())
    }

    pub fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id"
            ))
            .map_err(self.sql())?;
        stmt.query_map([], token_row)
            .map_err(self.sql())?
            .collect::<Result<_, _>>()
            .map_err(self.sql())
    }

    pub fn revoke_token(&self, id: &str, at: Timestamp) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, at.to_string()],
            )
            .map_err(self.sql())?;
        Ok(n == 1)
    }

    pub fn use_nonce(&self, nonce: &str, expires_at: Timestamp) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO used_nonces (nonce, expires_at) VALUES (?1, ?2)",
                params![nonce, expires_at.to_string()],
            )
            .map_err(self.sql())?;
        Ok(n == 1)
    }

    pub fn append_audit(&mut self, entries: &[AuditEntry]) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let mut added = 0;
        for e in entries {
            added += insert_audit(&tx, e).map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(added)
    }

    pub fn audit(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT source, stream, seq, hash, record, received_at FROM \
                 (SELECT * FROM audit ORDER BY id DESC LIMIT ?1) ORDER BY id",
            )
            .map_err(self.sql())?;
        stmt.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |row| {
            let record: String = row.get(4)?;
            Ok(AuditEntry {
                source: row.get(0)?,
                stream: row.get(1)?,
                seq: row.get(2)?,
                hash: row.get(3)?,
                record: serde_json::from_str(&record).unwrap_or(serde_json::Value::String(record)),
                received_at: timestamp(&row.get::<_, String>(5)?)?,
            })
        })
        .map_err(self.sql())?
        .collect::<Result<_, _>>()
        .map_err(self.sql())
    }
}
