//! The broker's shared store: PostgreSQL, so several `gate serve` replicas behind a load balancer answer for one
//! team. `SELECT … FOR UPDATE` decides every race, and `NOTIFY gate_requests` tells the other replicas that a
//! request changed, so a long poll on replica A returns within milliseconds of a vote on replica B.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures_util::future::{BoxFuture, FutureExt as _};
use jiff::Timestamp;
use tokio_postgres::{AsyncMessage, NoTls, Row};

use super::Hub;
use super::store::{
    AuditEntry, Change, Note, Result, Store, StoreError, Stored, TokenKind, TokenRecord,
};
use crate::approval::{Request, State};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS gate_requests (
    id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS gate_requests_digest ON gate_requests (digest);
CREATE INDEX IF NOT EXISTS gate_requests_state ON gate_requests (state);
CREATE TABLE IF NOT EXISTS gate_tokens (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS gate_used_nonces (
    nonce TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gate_audit (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    stream TEXT NOT NULL,
    seq BIGINT,
    hash TEXT,
    record TEXT NOT NULL,
    received_at TEXT NOT NULL,
    UNIQUE (source, stream, seq)
);
CREATE TABLE IF NOT EXISTS gate_settings (
    name TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
";

/// Replicas starting together take turns at the migration.
const MIGRATION_LOCK: i64 = 0x6761_7465;
const CHANNEL: &str = "gate_requests";

pub struct Postgres {
    pool: Pool,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn pg(e: &tokio_postgres::Error) -> StoreError {
    // The driver's Display is terse ("db error"); the source carries the server's message.
    let detail = std::error::Error::source(e).map_or_else(String::new, |s| format!(": {s}"));
    StoreError::Unavailable(format!("PostgreSQL: {e}{detail}"))
}

fn decode(id: &str, body: &str) -> Result<Request> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        id: id.to_string(),
        message: e.to_string(),
    })
}

fn stored_row(row: &Row) -> Result<Stored> {
    let id: String = row.get(0);
    let body: String = row.get(1);
    Ok(Stored {
        request: decode(&id, &body)?,
        version: row.get(2),
        origin: row.get(3),
    })
}

fn parse_time(s: &str) -> Timestamp {
    s.parse().unwrap_or(Timestamp::UNIX_EPOCH)
}

fn token_row(row: &Row) -> TokenRecord {
    let kind: String = row.get(1);
    let revoked: Option<String> = row.get(5);
    TokenRecord {
        id: row.get(0),
        kind: TokenKind::parse(&kind).unwrap_or(TokenKind::Requester),
        name: row.get(2),
        hash: row.get(3),
        created_at: parse_time(&row.get::<_, String>(4)),
        revoked_at: revoked.as_deref().map(parse_time),
    }
}

const TOKEN_COLUMNS: &str = "id, kind, name, hash, created_at, revoked_at";

impl Postgres {
    /// Connects, migrates, and starts relaying change notifications from other replicas to `hub`.
    pub async fn connect(url: &str, fresh_key: &[u8], hub: Arc<Hub>) -> Result<Postgres> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            unavailable(format!("the PostgreSQL connection string is invalid: {e}"))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .wait_timeout(Some(Duration::from_secs(5)))
            .create_timeout(Some(Duration::from_secs(5)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(unavailable)?;
        let store = Postgres { pool };
        store.migrate(fresh_key).await?;
        tokio::spawn(listen(config, hub));
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| match e {
            deadpool_postgres::PoolError::Backend(e) => pg(&e),
            e => unavailable(format!("PostgreSQL: {e}")),
        })
    }

    async fn migrate(&self, fresh_key: &[u8]) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(|e| pg(&e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| pg(&e))?;
        tx.batch_execute(SCHEMA).await.map_err(|e| pg(&e))?;
        tx.execute(
            "INSERT INTO gate_settings (name, value) VALUES ('signing_key', $1) ON CONFLICT DO NOTHING",
            &[&fresh_key],
        )
        .await
        .map_err(|e| pg(&e))?;
        tx.commit().await.map_err(|e| pg(&e))
    }

    async fn resolve(&self, client: &tokio_postgres::Client, prefix: &str) -> Result<String> {
        let prefix = prefix.trim().to_ascii_uppercase();
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(StoreError::NotFound(prefix));
        }
        let rows = client
            .query(
                "SELECT id FROM gate_requests WHERE left(id, length($1)) = $1 LIMIT 3",
                &[&prefix],
            )
            .await
            .map_err(|e| pg(&e))?;
        match rows.as_slice() {
            [] => Err(StoreError::NotFound(prefix)),
            [one] => Ok(one.get(0)),
            many => Err(StoreError::Ambiguous {
                prefix,
                count: many.len(),
            }),
        }
    }
}

async fn insert_audit(tx: &deadpool_postgres::Transaction<'_>, e: &AuditEntry) -> Result<u64> {
    tx.execute(
        "INSERT INTO gate_audit (source, stream, seq, hash, record, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        &[
            &e.source,
            &e.stream,
            &e.seq,
            &e.hash,
            &e.record.to_string(),
            &e.received_at.to_string(),
        ],
    )
    .await
    .map_err(|e| pg(&e))
}

/// Relays `NOTIFY gate_requests` to the local hub, reconnecting with a back-off when PostgreSQL goes away.
async fn listen(config: tokio_postgres::Config, hub: Arc<Hub>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut connection)) => {
                backoff = Duration::from_millis(100);
                let messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                let relay = async {
                    use futures_util::StreamExt as _;
                    let mut messages = std::pin::pin!(messages);
                    while let Some(message) = messages.next().await {
                        match message {
                            Ok(AsyncMessage::Notification(n)) => {
                                tracing::debug!(id = n.payload(), "a replica changed a request");
                                hub.wake(n.payload());
                            }
                            Ok(_) => {}
                            Err(e) => {
                                tracing::warn!(error = %e, "lost the PostgreSQL notification connection");
                                break;
                            }
                        }
                    }
                };
                let subscribe = async {
                    if let Err(e) = client.batch_execute(&format!("LISTEN {CHANNEL}")).await {
                        tracing::warn!(error = %e, "cannot LISTEN for request changes");
                    }
                    // Anything that changed while we were not listening: let every waiter look again.
                    hub.wake_all();
                    std::future::pending::<()>().await;
                };
                tokio::select! {
                    () = relay => {}
                    () = subscribe => {}
                }
                hub.wake_all();
            }
            Err(e) => {
                tracing::debug!(error = %e, "cannot connect to PostgreSQL for notifications");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

impl Store for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> BoxFuture<'_, Result<()>> {
        async move {
            let client = self.client().await?;
            client.execute("SELECT 1", &[]).await.map_err(|e| pg(&e))?;
            Ok(())
        }
        .boxed()
    }

    fn signing_key(&self) -> BoxFuture<'_, Result<Vec<u8>>> {
        async move {
            let client = self.client().await?;
            let row = client
                .query_one(
                    "SELECT value FROM gate_settings WHERE name = 'signing_key'",
                    &[],
                )
                .await
                .map_err(|e| pg(&e))?;
            Ok(row.get(0))
        }
        .boxed()
    }

    fn insert<'a>(
        &'a self,
        request: &'a Request,
        origin: &'a str,
        entry: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Stored>> {
        async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(|e| pg(&e))?;
            let body = serde_json::to_string(request).expect("requests serialise");
            let n = tx
                .execute(
                    "INSERT INTO gate_requests (id, digest, state, created_at, origin, body) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
                    &[
                        &request.id,
                        &request.digest,
                        &request.state.as_str(),
                        &request.created_at.to_string(),
                        &origin,
                        &body,
                    ],
                )
                .await
                .map_err(|e| pg(&e))?;
            if n == 0 {
                return Err(StoreError::Exists(request.id.clone()));
            }
            insert_audit(&tx, entry).await?;
            tx.commit().await.map_err(|e| pg(&e))?;
            Ok(Stored::fresh(request, origin))
        }
        .boxed()
    }

    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Stored>> {
        async move {
            let client = self.client().await?;
            let id = self.resolve(&client, id).await?;
            let row = client
                .query_one(
                    "SELECT id, body, version, origin FROM gate_requests WHERE id = $1",
                    &[&id],
                )
                .await
                .map_err(|e| pg(&e))?;
            stored_row(&row)
        }
        .boxed()
    }

    fn list<'a>(
        &'a self,
        states: &'a [State],
        digest: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Stored>>> {
        async move {
            let client = self.client().await?;
            let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = client
                .query(
                    "SELECT id, body, version, origin FROM gate_requests \
                     WHERE (cardinality($1::text[]) = 0 OR state = ANY($1)) AND ($2::text IS NULL OR digest = $2) \
                     ORDER BY id DESC LIMIT $3",
                    &[&names, &digest, &limit],
                )
                .await
                .map_err(|e| pg(&e))?;
            rows.iter().map(stored_row).collect()
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
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(|e| pg(&e))?;
            let row = tx
                .query_opt(
                    "SELECT id, body, version, origin FROM gate_requests WHERE id = $1 FOR UPDATE",
                    &[&id],
                )
                .await
                .map_err(|e| pg(&e))?
                .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
            let current = stored_row(&row)?;
            let Some(next) = change(&current.request)? else {
                return Ok((current, false));
            };
            let body = serde_json::to_string(&next).expect("requests serialise");
            tx.execute(
                "UPDATE gate_requests SET state = $2, body = $3, version = version + 1 WHERE id = $1",
                &[&id, &next.state.as_str(), &body],
            )
            .await
            .map_err(|e| pg(&e))?;
            if let Some(entry) = note(&next) {
                insert_audit(&tx, &entry).await?;
            }
            tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &id])
                .await
                .map_err(|e| pg(&e))?;
            tx.commit().await.map_err(|e| pg(&e))?;
            Ok((
                Stored {
                    request: next,
                    version: current.version + 1,
                    origin: current.origin,
                },
                true,
            ))
        }
        .boxed()
    }

    fn add_token<'a>(&'a self, t: &'a TokenRecord) -> BoxFuture<'a, Result<()>> {
        async move {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO gate_tokens (id, kind, name, hash, created_at) VALUES ($1, $2, $3, $4, $5)",
                    &[&t.id, &t.kind.as_str(), &t.name, &t.hash, &t.created_at.to_string()],
                )
                .await
                .map_err(|e| pg(&e))?;
            Ok(())
        }
        .boxed()
    }

    fn token_by_hash<'a>(&'a self, hash: &'a str) -> BoxFuture<'a, Result<Option<TokenRecord>>> {
        async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    &format!("SELECT {TOKEN_COLUMNS} FROM gate_tokens WHERE hash = $1"),
                    &[&hash],
                )
                .await
                .map_err(|e| pg(&e))?;
            Ok(row.as_ref().map(token_row))
        }
        .boxed()
    }

    fn token_by_id<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<TokenRecord>>> {
        async move {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    &format!("SELECT {TOKEN_COLUMNS} FROM gate_tokens WHERE id = $1"),
                    &[&id],
                )
                .await
                .map_err(|e| pg(&e))?;
            Ok(row.as_ref().map(token_row))
        }
        .boxed()
    }

    fn tokens(&self) -> BoxFuture<'_, Result<Vec<TokenRecord>>> {
        async move {
            let client = self.client().await?;
            let rows = client
                .query(
                    &format!("SELECT {TOKEN_COLUMNS} FROM gate_tokens ORDER BY created_at, id"),
                    &[],
                )
                .await
                .map_err(|e| pg(&e))?;
            Ok(rows.iter().map(token_row).collect())
        }
        .boxed()
    }

    fn revoke<'a>(&'a self, id: &'a str, at: Timestamp) -> BoxFuture<'a, Result<bool>> {
        async move {
            let client = self.client().await?;
            let n = client
                .execute(
                    "UPDATE gate_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    &[&id, &at.to_string()],
                )
                .await
                .map_err(|e| pg(&e))?;
            Ok(n == 1)
        }
        .boxed()
    }

    fn use_nonce<'a>(
        &'a self,
        nonce: &'a str,
        expires_at: Timestamp,
    ) -> BoxFuture<'a, Result<bool>> {
        async move {
            let client = self.client().await?;
            let n = client
                .execute(
                    "INSERT INTO gate_used_nonces (nonce, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&nonce, &expires_at.to_string()],
                )
                .await
                .map_err(|e| pg(&e))?;
            Ok(n == 1)
        }
        .boxed()
    }

    fn append_audit<'a>(&'a self, entries: &'a [AuditEntry]) -> BoxFuture<'a, Result<usize>> {
        async move {
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(|e| pg(&e))?;
            let mut added = 0;
            for e in entries {
                added += insert_audit(&tx, e).await?;
            }
            tx.commit().await.map_err(|e| pg(&e))?;
            Ok(usize::try_from(added).unwrap_or(usize::MAX))
        }
        .boxed()
    }

    fn audit(&self, limit: usize) -> BoxFuture<'_, Result<Vec<AuditEntry>>> {
        async move {
            let client = self.client().await?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = client
                .query(
                    "SELECT source, stream, seq, hash, record, received_at FROM \
                     (SELECT * FROM gate_audit ORDER BY id DESC LIMIT $1) recent ORDER BY id",
                    &[&limit],
                )
                .await
                .map_err(|e| pg(&e))?;
            Ok(rows
                .iter()
                .map(|row| {
                    let record: String = row.get(4);
                    AuditEntry {
                        source: row.get(0),
                        stream: row.get(1),
                        seq: row.get(2),
                        hash: row.get(3),
                        record: serde_json::from_str(&record)
                            .unwrap_or(serde_json::Value::String(record)),
                        received_at: parse_time(&row.get::<_, String>(5)),
                    }
                })
                .collect())
        }
        .boxed()
    }
}
