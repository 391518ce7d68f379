//! The broker backend: every call is an HTTP request to `gate serve`, which checks who the caller is. A long poll
//! carries the decision back within milliseconds. A broker that goes away while a run waits is retried for a
//! short grace, so a restart does not fail every waiting pipeline, and then the wait fails closed.

use std::time::Duration;

use futures_util::future::{FutureExt as _, LocalBoxFuture};
use jiff::Timestamp;

use super::{Approvals, Result};
use crate::approval::{Request, State};
use crate::broker::client::{BrokerError, Client};
use crate::broker::store::Stored;

pub struct Remote {
    client: Client,
    me: Option<String>,
    /// How long a waiting run keeps trying a broker it cannot reach.
    grace: Duration,
}

impl Remote {
    pub fn new(client: Client, grace: Duration) -> Remote {
        Remote {
            client,
            me: None,
            grace,
        }
    }
}

fn sorted(mut requests: Vec<Stored>) -> Vec<Request> {
    requests.sort_by(|a, b| a.request.id.cmp(&b.request.id));
    requests.into_iter().map(|s| s.request).collect()
}

impl Approvals for Remote {
    fn me(&mut self) -> LocalBoxFuture<'_, Result<String>> {
        async move {
            if let Some(me) = &self.me {
                return Ok(me.clone());
            }
            let (_, name) = self.client.whoami().await?;
            self.me = Some(name.clone());
            Ok(name)
        }
        .boxed_local()
    }

    fn get<'a>(&'a mut self, id: &'a str) -> LocalBoxFuture<'a, Result<Stored>> {
        async move { Ok(self.client.request(id).await?) }.boxed_local()
    }

    fn list<'a>(&'a mut self, states: &'a [State]) -> LocalBoxFuture<'a, Result<Vec<Request>>> {
        async move { Ok(sorted(self.client.list(states, None).await?)) }.boxed_local()
    }

    fn open_for<'a>(&'a mut self, digest: &'a str) -> LocalBoxFuture<'a, Result<Vec<Request>>> {
        async move {
            Ok(sorted(
                self.client
                    .list(&[State::Pending, State::Approved], Some(digest))
                    .await?,
            ))
        }
        .boxed_local()
    }

    fn create<'a>(&'a mut self, request: &'a Request) -> LocalBoxFuture<'a, Result<Stored>> {
        async move { Ok(self.client.create(request).await?) }.boxed_local()
    }

    fn vote<'a>(
        &'a mut self,
        id: &'a str,
        approve: bool,
        reason: Option<String>,
        channel: &'a str,
    ) -> LocalBoxFuture<'a, Result<Request>> {
        async move {
            Ok(self
                .client
                .vote(id, approve, reason, channel)
                .await?
                .request)
        }
        .boxed_local()
    }

    fn cancel<'a>(&'a mut self, id: &'a str) -> LocalBoxFuture<'a, Result<Request>> {
        async move { Ok(self.client.cancel(id).await?.request) }.boxed_local()
    }

    fn claim<'a>(
        &'a mut self,
        id: &'a str,
        digest: &'a str,
    ) -> LocalBoxFuture<'a, Result<Request>> {
        async move { Ok(self.client.execute(id, digest).await?.request) }.boxed_local()
    }

    fn changed<'a>(
        &'a mut self,
        id: &'a str,
        version: i64,
        patience: Duration,
    ) -> LocalBoxFuture<'a, Result<Stored>> {
        async move {
            let mut failing_since: Option<tokio::time::Instant> = None;
            let mut backoff = Duration::from_millis(100);
            loop {
                match self.client.wait(id, version, patience).await {
                    Ok(stored) => return Ok(stored),
                    // Unreachable, or up without its store: keep trying for the grace, then fail closed.
                    Err(e)
                        if matches!(e, BrokerError::Unreachable { .. })
                            || e.status() == Some(503) =>
                    {
                        let since = *failing_since.get_or_insert_with(tokio::time::Instant::now);
                        if since.elapsed() >= self.grace {
                            return Err(e.into());
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
            }
        }
        .boxed_local()
    }

    fn escalate_due<'a>(
        &'a mut self,
        _id: &'a str,
        _now: Timestamp,
    ) -> LocalBoxFuture<'a, Result<Option<Request>>> {
        async move { Ok(None) }.boxed_local()
    }

    fn ship_audit<'a>(
        &'a mut self,
        stream: &'a str,
        records: Vec<serde_json::Value>,
    ) -> LocalBoxFuture<'a, Result<Option<usize>>> {
        async move { Ok(Some(self.client.ship_audit(stream, records).await?)) }.boxed_local()
    }
}
