//! `gate serve`: the approval broker for a team. Requests from `gate run` on many hosts wait here; reviewers
//! answer through the API (`gate approve` with a reviewer token), the web page, and later chat channels. It reuses
//! the approval state machine unchanged: the store applies the same pure transitions the local store does.

pub mod api;
pub mod auth;
pub mod channels;
pub mod client;
pub mod config;
pub mod metrics;
pub mod postgres;
pub mod slack;
pub mod sqlite;
pub mod store;
pub mod web;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Notify, watch};

use crate::approval::{Request, State};
use crate::audit::Event;
use crate::exit::{Diagnostic, Exit};
use auth::Signer;
use config::{ServeConfig, StoreChoice};
use store::{AuditEntry, Store, StoreError, Stored, TokenKind, TokenRecord};

/// Wakes the long polls waiting on a request when it changes, on this replica or (through PostgreSQL's
/// NOTIFY) on another.
#[derive(Default)]
pub struct Hub {
    waiting: Mutex<HashMap<String, Arc<Notify>>>,
}

impl Hub {
    /// Registers interest in a request until the returned subscription is dropped, which happens even when the
    /// client goes away mid-poll and the handler is cancelled.
    pub fn subscribe(self: &Arc<Self>, id: &str) -> Subscription {
        let mut waiting = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Subscription {
            hub: self.clone(),
            id: id.to_string(),
            notify: Some(waiting.entry(id.to_string()).or_default().clone()),
        }
    }

    pub fn wake(&self, id: &str) {
        let waiting = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = waiting.get(id) {
            n.notify_waiters();
        }
    }

    pub fn wake_all(&self) {
        let waiting = self
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for n in waiting.values() {
            n.notify_waiters();
        }
    }

    pub fn waiters(&self) -> usize {
        self.waiting.lock().map_or(0, |w| w.len())
    }
}

/// One long poll's interest in one request.
pub struct Subscription {
    hub: Arc<Hub>,
    id: String,
    notify: Option<Arc<Notify>>,
}

impl Subscription {
    pub fn notify(&self) -> &Notify {
        self.notify.as_deref().expect("present until dropped")
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut waiting = self
            .hub
            .waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        drop(self.notify.take());
        // Forget the request's notifier once nobody waits on it.
        if waiting
            .get(&self.id)
            .is_some_and(|n| Arc::strong_count(n) == 1)
        {
            waiting.remove(&self.id);
        }
    }
}

/// Everything a handler needs.
pub struct App {
    pub store: Arc<dyn Store>,
    pub channels: Arc<channels::Channels>,
    pub hub: Arc<Hub>,
    pub signer: Signer,
    pub config: ServeConfig,
    pub public_url: String,
    pub metrics: metrics::Metrics,
    pub shutdown: watch::Receiver<bool>,
    /// Every "now" the broker uses: expiry, escalation, link and session lifetimes, audit times.
    pub clock: crate::clock::SharedClock,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot open the broker's store")]
    Store(#[source] StoreError),
    #[error("cannot listen on {addr}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Channels(#[from] channels::ChannelError),
    #[error("the broker failed while serving")]
    Serve(#[source] std::io::Error),
    #[error("no live token has the id `{0}`")]
    NoSuchToken(String),
    #[error("`{0}` is not a usable name: use letters, digits, `.`, `_`, `@` and `-`")]
    BadName(String),
}

impl Diagnostic for ServeError {
    fn exit(&self) -> Exit {
        match self {
            ServeError::Store(StoreError::NotFound(_)) => Exit::Usage,
            ServeError::Store(_) | ServeError::Listen { .. } | ServeError::Serve(_) => {
                Exit::Unavailable
            }
            ServeError::NoSuchToken(_) | ServeError::BadName(_) => Exit::Usage,
            ServeError::Channels(e) => e.exit(),
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            ServeError::Store(StoreError::NotFound(_)) => "check the request id".into(),
            ServeError::Store(_) => {
                "check the `store:` of the broker's config, and that PostgreSQL (if used) is up and reachable".into()
            }
            ServeError::Listen { .. } => "another process may hold the port; pick another with --listen".into(),
            ServeError::Serve(_) => "restart gate serve; requests and votes are kept in the store".into(),
            ServeError::NoSuchToken(_) => "`gate serve token list` shows the tokens".into(),
            ServeError::BadName(_) => "e.g. alice, ci-runner-1".into(),
            ServeError::Channels(e) => return e.hint(),
        })
    }
}

/// Opens the configured store, creating its tables.
pub async fn open_store(choice: &StoreChoice, hub: Arc<Hub>) -> Result<Arc<dyn Store>, ServeError> {
    let fresh_key = {
        let mut k = vec![0u8; 32];
        getrandom::fill(&mut k).expect("the operating system's random source works");
        k
    };
    Ok(match choice {
        StoreChoice::Sqlite(dir) => {
            Arc::new(sqlite::Sqlite::open(dir, &fresh_key).map_err(ServeError::Store)?)
        }
        StoreChoice::Postgres(url) => Arc::new(
            postgres::Postgres::connect(url, &fresh_key, hub)
                .await
                .map_err(ServeError::Store)?,
        ),
    })
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c))
}

/// Creates a token; returns its record and the secret, which is shown once and never stored.
pub async fn create_token(
    store: &dyn Store,
    kind: TokenKind,
    name: &str,
    now: Timestamp,
) -> Result<(TokenRecord, String), ServeError> {
    if !valid_name(name) {
        return Err(ServeError::BadName(name.to_string()));
    }
    let (secret, hash) = auth::new_token();
    let record = TokenRecord {
        id: auth::random_hex(4),
        kind,
        name: name.to_string(),
        hash,
        created_at: now,
        revoked_at: None,
    };
    store.add_token(&record).await.map_err(ServeError::Store)?;
    Ok((record, secret))
}

pub async fn revoke_token(store: &dyn Store, id: &str, now: Timestamp) -> Result<(), ServeError> {
    if store.revoke(id, now).await.map_err(ServeError::Store)? {
        Ok(())
    } else {
        Err(ServeError::NoSuchToken(id.to_string()))
    }
}

/// A signed, single-use link that signs `reviewer` in to review one request, until `now + ttl`.
pub async fn create_link(
    store: &dyn Store,
    public_url: &str,
    request: &str,
    reviewer: &str,
    now: Timestamp,
    ttl: Duration,
) -> Result<String, ServeError> {
    if !valid_name(reviewer) {
        return Err(ServeError::BadName(reviewer.to_string()));
    }
    let stored = store.get(request).await.map_err(ServeError::Store)?;
    let key = store.signing_key().await.map_err(ServeError::Store)?;
    let link = auth::Link {
        request: stored.request.id,
        reviewer: reviewer.to_string(),
        expires: now.as_second() + i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 2),
        nonce: auth::random_hex(16),
    };
    Ok(format!(
        "{}/l/{}",
        public_url.trim_end_matches('/'),
        Signer::new(key).seal("link", &link)
    ))
}

/// The broker's own audit record of an event.
pub fn entry(event: &Event, now: Timestamp) -> AuditEntry {
    AuditEntry {
        source: "broker".into(),
        stream: "events".into(),
        seq: None,
        hash: None,
        record: {
            // The same shape as a local audit record: the event's fields, and when.
            let mut record = serde_json::to_value(event).expect("events serialise");
            if let Some(fields) = record.as_object_mut() {
                fields.insert("time".into(), serde_json::Value::String(now.to_string()));
            }
            record
        },
        received_at: now,
    }
}

impl App {
    /// Applies a change with its audit record, and wakes whoever waits on the request.
    pub async fn update(
        &self,
        id: &str,
        change: store::Change,
        note: store::Note,
    ) -> Result<(Stored, bool), StoreError> {
        let result = self.store.update(id, change, note).await;
        match &result {
            Ok((stored, true)) => {
                self.hub.wake(&stored.request.id);
                self.channels.decided(&stored.request);
                self.channels.changed(&stored.request);
            }
            Ok(_) => {}
            Err(e) => self.metrics.store_error(e),
        }
        result
    }

    /// Keeps one of the broker's own events in the central audit, for an event that is not a change of a
    /// request (an escalation's outcome).
    pub async fn record(&self, event: &Event, now: Timestamp) {
        if let Err(e) = self.store.append_audit(&[entry(event, now)]).await {
            tracing::error!(error = %e, "cannot keep the broker's audit record");
        }
    }

    /// Expires requests past their time and escalates those waiting past `escalate_after`. Every replica sweeps;
    /// the transaction decides which one acts, so each request expires and escalates once.
    pub async fn sweep(&self, now: Timestamp) {
        let pending = match self.store.list(&[State::Pending], None, 10_000).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "cannot sweep pending requests");
                return;
            }
        };
        for stored in pending {
            let r = &stored.request;
            if r.expire(now).is_some() {
                let expired = self
                    .update(
                        &r.id,
                        Box::new(move |r| Ok(r.expire(now))),
                        Box::new(move |r| Some(entry(&Event::Expired { id: r.id.clone() }, now))),
                    )
                    .await;
                if let Ok((_, true)) = expired {
                    tracing::info!(id = %r.id, "request expired");
                }
            } else if r.escalate(now).is_some()
                && let Ok((escalated, true)) = self
                    .update(
                        &r.id,
                        Box::new(move |r| Ok(r.escalate(now))),
                        Box::new(|_| None),
                    )
                    .await
            {
                self.escalate(&escalated.request, now).await;
            }
        }
    }

    /// Someone pressed Escalate: escalate now, once, whatever `escalate_after` says.
    pub async fn escalate_now(&self, id: &str, by: &str) -> Result<(), api::ApiError> {
        let now = self.clock.now();
        let id = self.store.get(id).await?.request.id;
        let (stored, changed) = self
            .update(&id, Box::new(|r| Ok(r.escalate_now())), Box::new(|_| None))
            .await?;
        if changed {
            tracing::info!(%id, %by, "escalated by hand");
            self.escalate(&stored.request, now).await;
        }
        Ok(())
    }

    async fn escalate(&self, request: &Request, now: Timestamp) {
        let error = match &self.config.escalation {
            Some(e) => {
                let notifier = crate::notify::CommandNotifier {
                    argv: e.command.clone(),
                };
                let request = request.clone();
                tokio::task::spawn_blocking(move || {
                    use crate::notify::Notifier as _;
                    notifier.escalate(&request).err().map(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Some(e.to_string()))
            }
            // Paging through a channel (the rule's `escalate:`) is escalation enough.
            None if request.escalate.is_some() => None,
            None => Some("no escalation is configured".to_string()),
        };
        tracing::info!(id = %request.id, error = ?error, "request escalated");
        self.channels.escalated(request);
        self.record(
            &Event::Escalated {
                id: request.id.clone(),
                error,
            },
            now,
        )
        .await;
    }
}

/// Serves until SIGTERM or SIGINT, then stops taking connections, answers the long polls at once, and lets
/// requests in flight (votes among them) finish before returning.
pub async fn serve(
    config: ServeConfig,
    choice: StoreChoice,
    listen: std::net::SocketAddr,
    clock: crate::clock::SharedClock,
    ready: impl FnOnce(&str),
) -> Result<(), ServeError> {
    let hub = Arc::new(Hub::default());
    let store = open_store(&choice, hub.clone()).await?;
    let key = store.signing_key().await.map_err(ServeError::Store)?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| ServeError::Listen {
            addr: listen.to_string(),
            source,
        })?;
    let bound = listener.local_addr().map_err(ServeError::Serve)?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{bound}"))
        .trim_end_matches('/')
        .to_string();
    let channels = Arc::new(channels::Channels::load(
        &config.channels,
        store.clone(),
        hub.clone(),
        &public_url,
        Signer::new(key.clone()),
        config.link_ttl(),
        clock.clone(),
    )?);
    let (stop, shutdown) = watch::channel(false);
    let app = Arc::new(App {
        store,
        channels,
        hub,
        signer: Signer::new(key),
        config,
        public_url: public_url.clone(),
        metrics: metrics::Metrics::default(),
        shutdown,
        clock,
    });
    tracing::info!(%bound, store = app.store.name(), %public_url, "gate serve listening");
    ready(&format!("http://{bound}"));

    let sweeper = {
        let app = app.clone();
        let mut shutdown = app.shutdown.clone();
        tokio::spawn(async move {
            loop {
                app.sweep(app.clock.now()).await;
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = shutdown.changed() => break,
                }
            }
        })
    };
    let router = api::router(app.clone()).merge(web::router(app.clone()));
    let signalled = async move {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut int = signal(SignalKind::interrupt()).ok();
        tokio::select! {
            _ = async { match term.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {}
            _ = async { match int.as_mut() { Some(s) => s.recv().await, None => std::future::pending().await } } => {}
        }
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stop.send(true);
    };
    let served = axum::serve(listener, router)
        .with_graceful_shutdown(signalled)
        .await
        .map_err(ServeError::Serve);
    sweeper.abort();
    tracing::info!("stopped");
    served
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_subscription_leaves_nothing_behind() {
        let hub = Arc::new(Hub::default());
        let a = hub.subscribe("01A");
        let b = hub.subscribe("01A");
        let c = hub.subscribe("01B");
        assert_eq!(hub.waiters(), 2);
        drop(a);
        assert_eq!(hub.waiters(), 2, "b still waits on 01A");
        drop(b);
        drop(c);
        assert_eq!(hub.waiters(), 0);
    }
}
