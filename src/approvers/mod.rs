//! Where requests wait and votes land, seen from the CLI: the local SQLite store (the embedded default) or a
//! `gate serve` broker (`backend:` in the config). `gate run`, `approve`, `deny`, `pending`, `show`, `cancel` and
//! `inbox` talk to this trait and never to either side directly.

mod remote;

use std::path::Path;
use std::time::Duration;

use futures_util::future::{FutureExt as _, LocalBoxFuture};
use jiff::Timestamp;

pub use remote::Remote;

use crate::approval::store::{SqliteStore, StoreError};
use crate::approval::{Request, State};
use crate::broker::client::BrokerError;
use crate::broker::store::Stored;
use crate::exit::{Diagnostic, Exit};

#[derive(Debug, thiserror::Error)]
pub enum ApproversError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Broker(#[from] BrokerError),
}

impl Diagnostic for ApproversError {
    fn exit(&self) -> Exit {
        match self {
            ApproversError::Store(e) => e.exit(),
            ApproversError::Broker(e) => e.exit(),
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ApproversError::Store(e) => e.hint(),
            ApproversError::Broker(e) => e.hint(),
        }
    }
}

pub type Result<T> = std::result::Result<T, ApproversError>;

/// The approval backend.
pub trait Approvals {
    /// Who the caller is to this backend: the OS account locally, the token's name through a broker.
    fn me(&mut self) -> LocalBoxFuture<'_, Result<String>>;
    fn get<'a>(&'a mut self, id: &'a str) -> LocalBoxFuture<'a, Result<Stored>>;
    /// Requests in these states (every state when empty), oldest first.
    fn list<'a>(&'a mut self, states: &'a [State]) -> LocalBoxFuture<'a, Result<Vec<Request>>>;
    /// The pending and approved requests bound to one digest.
    fn open_for<'a>(&'a mut self, digest: &'a str) -> LocalBoxFuture<'a, Result<Vec<Request>>>;
    fn create<'a>(&'a mut self, request: &'a Request) -> LocalBoxFuture<'a, Result<Stored>>;
    fn vote<'a>(
        &'a mut self,
        id: &'a str,
        approve: bool,
        reason: Option<String>,
        channel: &'a str,
    ) -> LocalBoxFuture<'a, Result<Request>>;
    /// The requester withdraws a request.
    fn cancel<'a>(&'a mut self, id: &'a str) -> LocalBoxFuture<'a, Result<Request>>;
    /// Uses an approval to run the command bound to `digest`, once.
    fn claim<'a>(&'a mut self, id: &'a str, digest: &'a str)
    -> LocalBoxFuture<'a, Result<Request>>;
    /// Returns the request once its version differs from `version` (or after about `patience`); expires it
    /// when its time is up.
    fn changed<'a>(
        &'a mut self,
        id: &'a str,
        version: i64,
        patience: Duration,
    ) -> LocalBoxFuture<'a, Result<Stored>>;
    /// Marks the request escalated if it is due; `Some` only for the one caller that marked it, which then
    /// notifies. A broker escalates by itself, so through a broker this is always `None`.
    fn escalate_due<'a>(
        &'a mut self,
        id: &'a str,
        now: Timestamp,
    ) -> LocalBoxFuture<'a, Result<Option<Request>>>;
    /// Sends audit records to the team's central audit; `None` from the local backend, which has none.
    fn ship_audit<'a>(
        &'a mut self,
        stream: &'a str,
        records: Vec<serde_json::Value>,
    ) -> LocalBoxFuture<'a, Result<Option<usize>>>;
}

/// The local store, acting as the OS account that runs gate.
pub struct Local {
    store: SqliteStore,
    user: String,
    clock: crate::clock::SharedClock,
}

impl Local {
    pub fn open(dir: &Path, user: String) -> Result<Local> {
        Ok(Local {
            store: SqliteStore::open(dir)?,
            user,
            clock: std::sync::Arc::new(crate::clock::SystemClock),
        })
    }
}

impl Approvals for Local {
    fn me(&mut self) -> LocalBoxFuture<'_, Result<String>> {
        async move { Ok(self.user.clone()) }.boxed_local()
    }

    fn get<'a>(&'a mut self, id: &'a str) -> LocalBoxFuture<'a, Result<Stored>> {
        async move { Ok(Stored::from(self.store.get_stored(id)?)) }.boxed_local()
    }

    fn list<'a>(&'a mut self, states: &'a [State]) -> LocalBoxFuture<'a, Result<Vec<Request>>> {
        async move { Ok(self.store.list(states)?) }.boxed_local()
    }

    fn open_for<'a>(&'a mut self, digest: &'a str) -> LocalBoxFuture<'a, Result<Vec<Request>>> {
        async move { Ok(self.store.by_digest(digest)?) }.boxed_local()
    }

    fn create<'a>(&'a mut self, request: &'a Request) -> LocalBoxFuture<'a, Result<Stored>> {
        async move {
            self.store.insert(request)?;
            Ok(Stored::from(self.store.get_stored(&request.id)?))
        }
        .boxed_local()
    }

    fn vote<'a>(
        &'a mut self,
        id: &'a str,
        approve: bool,
        reason: Option<String>,
        channel: &'a str,
    ) -> LocalBoxFuture<'a, Result<Request>> {
        async move {
            let id = self.store.resolve(id)?;
            let now = self.clock.now();
            let me = self.user.clone();
            Ok(self.store.update(&id, |r| {
                r.vote(&me, approve, reason, channel, now).map(Some)
            })?)
        }
        .boxed_local()
    }

    fn cancel<'a>(&'a mut self, id: &'a str) -> LocalBoxFuture<'a, Result<Request>> {
        async move {
            let id = self.store.resolve(id)?;
            let now = self.clock.now();
            let me = self.user.clone();
            Ok(self.store.update(&id, |r| r.cancel(&me, now).map(Some))?)
        }
        .boxed_local()
    }

    fn claim<'a>(
        &'a mut self,
        id: &'a str,
        digest: &'a str,
    ) -> LocalBoxFuture<'a, Result<Request>> {
        async move {
            let now = self.clock.now();
            Ok(self
                .store
                .update(id, |r| r.execute(digest, now).map(Some))?)
        }
        .boxed_local()
    }

    fn changed<'a>(
        &'a mut self,
        id: &'a str,
        version: i64,
        patience: Duration,
    ) -> LocalBoxFuture<'a, Result<Stored>> {
        async move {
            // Short, adaptive poll: every 10 ms at first, easing to every 100 ms; each tick is one indexed read,
            // and the write lock is taken only when expiry is due, so waiting never slows a vote.
            let started = tokio::time::Instant::now();
            let mut interval = Duration::from_millis(10);
            loop {
                tokio::time::sleep(interval).await;
                interval = (interval * 3 / 2).min(Duration::from_millis(100));
                let now = self.clock.now();
                let (request, v, origin) = self.store.get_stored(id)?;
                let current = if request.expire(now).is_some() {
                    let (r, v, o, _) = self.store.update_stored(id, |r| Ok(r.expire(now)))?;
                    Stored::from((r, v, o))
                } else {
                    Stored::from((request, v, origin))
                };
                if current.version != version || started.elapsed() >= patience {
                    return Ok(current);
                }
            }
        }
        .boxed_local()
    }

    fn escalate_due<'a>(
        &'a mut self,
        id: &'a str,
        now: Timestamp,
    ) -> LocalBoxFuture<'a, Result<Option<Request>>> {
        async move {
            let (r, ..) = self.store.get_stored(id)?;
            if r.escalate(now).is_none() {
                return Ok(None);
            }
            let (r, _, _, changed) = self.store.update_stored(id, |r| Ok(r.escalate(now)))?;
            Ok(changed.then_some(r))
        }
        .boxed_local()
    }

    fn ship_audit<'a>(
        &'a mut self,
        _stream: &'a str,
        _records: Vec<serde_json::Value>,
    ) -> LocalBoxFuture<'a, Result<Option<usize>>> {
        async move { Ok(None) }.boxed_local()
    }
}
