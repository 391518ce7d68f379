//! The broker's embedded store: the same SQLite file format as the local store, plus the broker's tables. One
//! connection writes (SQLite has one writer at a time anyway) and a few more read, each behind a mutex; in WAL
//! mode readers never wait for the writer. Each call is one short statement or transaction, so nothing awaits
//! while holding a connection.

use std::path::Path;
use std::sync::Mutex;

use futures_util::future::{BoxFuture, FutureExt as _};
use jiff::Timestamp;

use super::store::{AuditEntry, Change, Note, Result, Store, StoreError, Stored, TokenRecord};
use crate::approval::store::{SqliteStore, StoreError as LocalError};
use crate::approval::{Request, State};

pub struct Sqlite {
    writer: Mutex<SqliteStore>,
    readers: Vec<Mutex<SqliteStore>>,
}

/// Reading connections: more than the runtime's workers (one per core), so a read rarely waits.
const READERS: usize = 3;

fn convert(e: LocalError) -> StoreError {
    match e {
        LocalError::NotFound(id) => StoreError::NotFound(id),
        LocalError::Duplicate(id) => StoreError::Exists(id),
        LocalError::Ambiguous { prefix, count } => StoreError::Ambiguous { prefix, count },
        LocalError::Corrupt { id, source } => StoreError::Corrupt {
            id,
            message: source.to_string(),
        },
        LocalError::Refused(t) => StoreError::Refused(t),
        e @ (LocalError::Open { .. } | LocalError::Sqlite { .. }) => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message.push_str(": ");
                message.push_str(&s.to_string());
                source = s.source();
            }
            StoreError::Unavailable(message)
        }
    }
}

fn poisoned() -> StoreError {
    StoreError::Unavailable("the store's lock was poisoned by a panic".into())
}

impl Sqlite {
    /// Opens (creating) the store in `dir`; `fresh_key` becomes the signing key if the store has none yet.
    pub fn open(dir: &Path, fresh_key: &[u8]) -> Result<Sqlite> {
        let store = SqliteStore::open(dir).map_err(convert)?;
        store.open_broker_tables(fresh_key).map_err(convert)?;
        let readers = (0..READERS)
            .map(|_| SqliteStore::open(dir).map(Mutex::new).map_err(convert))
            .collect::<Result<_>>()?;
        Ok(Sqlite {
            writer: Mutex::new(store),
            readers,
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut SqliteStore) -> std::result::Result<T, LocalError>,
    ) -> Result<T> {
        let mut guard = self.writer.lock().map_err(|_| poisoned())?;
        f(&mut guard).map_err(convert)
    }

    /// Runs a read on whichever reading connection is free (or waits for the first).
    fn read<T>(
        &self,
        f: impl FnOnce(&SqliteStore) -> std::result::Result<T, LocalError>,
    ) -> Result<T> {
        for reader in &self.readers {
            if let Ok(guard) = reader.try_lock() {
                return f(&guard).map_err(convert);
            }
        }
        let guard = self.readers[0].lock().map_err(|_| poisoned())?;
        f(&guard).map_err(convert)
    }
}

impl Store for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> BoxFuture<'_, Result<()>> {
        async move { self.read(SqliteStore::ping) }.boxed()
    }

    fn signing_key(&self) -> BoxFuture<'_, Result<Vec<u8>>> {
        async move { self.read(SqliteStore::signing_key) }.boxed()
    }

    fn insert<'a>(
        &'a self,
        request: &'a Request,
        origin: &'a str,
        entry: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Stored>> {
        async move {
            self.with(|s| s.insert_noting(request, origin, entry))?;
            Ok(Stored::fresh(request, origin))
        }
        .boxed()
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Stored>> {
        async move { self.read(|s| s.get_stored(id)).map(Stored::from) }.boxed()
    }

    fn list<'a>(
        &'a self,
        states: &'a [State],
        digest: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Stored>>> {
        async move {
            self.read(|s| s.list_stored(states, digest, limit))
                .map(|rows| rows.into_iter().map(Stored::from).collect())
        }
        .boxed()
    }

    fn update<'a>(
        &'a self,
        id: &'a str,
        change: Change,
        note: Note,
    ) -> BoxFuture<'a, Result<(Stored, bool)>> {
        async move {
            self.with(|s| s.update_noting(id, change, note)).map(
                |(request, version, origin, changed)| {
                    (
                        Stored {
                            request,
                            version,
                            origin,
                        },
                        changed,
                    )
                },
            )
        }
        .boxed()
    }

    fn add_token<'a>(&'a self, token: &'a TokenRecord) -> BoxFuture<'a, Result<()>> {
        async move { self.with(|s| s.add_token(token)) }.boxed()
    }

    fn token_by_hash<'a>(&'a self, hash: &'a str) -> BoxFuture<'a, Result<Option<TokenRecord>>> {
        async move { self.read(|s| s.token_where("hash", hash)) }.boxed()
    }

    fn token_by_id<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<TokenRecord>>> {
        async move { self.read(|s| s.token_where("id", id)) }.boxed()
    }

    fn tokens(&self) -> BoxFuture<'_, Result<Vec<TokenRecord>>> {
        async move { self.read(SqliteStore::tokens) }.boxed()
    }

    fn revoke<'a>(&'a self, id: &'a str, at: Timestamp) -> BoxFuture<'a, Result<bool>> {
        async move { self.with(|s| s.revoke_token(id, at)) }.boxed()
    }

    fn use_nonce<'a>(
        &'a self,
        nonce: &'a str,
        expires_at: Timestamp,
    ) -> BoxFuture<'a, Result<bool>> {
        async move { self.with(|s| s.use_nonce(nonce, expires_at)) }.boxed()
    }

    fn append_audit<'a>(&'a self, entries: &'a [AuditEntry]) -> BoxFuture<'a, Result<usize>> {
        async move { self.with(|s| s.append_audit(entries)) }.boxed()
    }

    fn audit(&self, limit: usize) -> BoxFuture<'_, Result<Vec<AuditEntry>>> {
        async move { self.read(|s| s.audit(limit)) }.boxed()
    }
}
