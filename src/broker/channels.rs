//! Channels: telling people outside gate that a request waits, and paging when nobody answers. A channel is a
//! notifier around the one state machine: it never decides anything, and a channel that is down never lets a
//! command run (the request simply waits) and never holds up the requester or the other channels. Each delivery
//! is retried with a back-off, and how it went is kept on the request, where `gate show` shows it.
//!
//! - `webhook:NAME`: the request as JSON, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` with a `whsec_` secret).
//! - `escalate: pagerduty`: a PagerDuty Events API v2 `trigger` when the request waits past `escalate_after`,
//!   with a `dedup_key` per request and a link to the request page, and a `resolve` once it is decided.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use jiff::Timestamp;
use sha2::Sha256;

use super::Hub;
use super::client::Outbound;
use super::config::ChannelsConfig;
use super::store::Store;
use crate::approval::{Delivery, Request, State};
use crate::exit::{Diagnostic, Exit};

const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("cannot read the secret file {}", path.display())]
    Secret {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the webhook secret in {} is not `whsec_` and base64", path.display())]
    BadSecret { path: PathBuf },
}

impl Diagnostic for ChannelError {
    fn exit(&self) -> Exit {
        Exit::Config
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            ChannelError::Secret { .. } => "check the path in `channels:` and that gate serve may read it".into(),
            ChannelError::BadSecret { .. } => {
                "a Standard Webhooks secret looks like whsec_ and base64, e.g. from `openssl rand -base64 32`".into()
            }
        })
    }
}

fn read_secret(path: &Path) -> Result<String, ChannelError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|source| ChannelError::Secret {
            path: path.to_path_buf(),
            source,
        })
}

/// The key of a Standard Webhooks secret: the base64 after `whsec_`.
pub fn webhook_key(secret: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(
            secret
                .trim()
                .strip_prefix("whsec_")
                .unwrap_or(secret.trim()),
        )
        .ok()
        .filter(|k| !k.is_empty())
}

/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
pub fn webhook_signature(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

struct Webhook {
    url: String,
    key: Vec<u8>,
}

struct PagerDuty {
    events_url: String,
    routing_key: String,
}

/// How often and how patiently a delivery is tried.
#[derive(Clone, Copy)]
pub struct Retry {
    pub attempts: u32,
    pub first_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 5,
            first_wait: Duration::from_millis(250),
        }
    }
}

pub struct Channels {
    webhooks: BTreeMap<String, Webhook>,
    pagerduty: Option<PagerDuty>,
    outbound: Outbound,
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    public_url: String,
    retry: Retry,
}

impl Channels {
    /// Reads every channel's secret now, so that a broken channel config stops `gate serve` at start.
    pub fn load(
        config: &ChannelsConfig,
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        public_url: &str,
    ) -> Result<Channels, ChannelError> {
        let mut webhooks = BTreeMap::new();
        for (name, w) in &config.webhooks {
            let key = webhook_key(&read_secret(&w.secret_file)?).ok_or_else(|| {
                ChannelError::BadSecret {
                    path: w.secret_file.clone(),
                }
            })?;
            webhooks.insert(
                name.clone(),
                Webhook {
                    url: w.url.clone(),
                    key,
                },
            );
        }
        let pagerduty = match &config.pagerduty {
            Some(p) => Some(PagerDuty {
                events_url: p
                    .events_url
                    .clone()
                    .unwrap_or_else(|| PAGERDUTY_EVENTS_URL.into()),
                routing_key: read_secret(&p.routing_key_file)?,
            }),
            None => None,
        };
        Ok(Channels {
            webhooks,
            pagerduty,
            outbound: Outbound::default(),
            store,
            hub,
            public_url: public_url.trim_end_matches('/').to_string(),
            retry: Retry::default(),
        })
    }

    fn review_url(&self, id: &str) -> String {
        format!("{}/r/{id}", self.public_url)
    }

    /// Announces a new request on every channel its rules name, each on its own task: the requester is already
    /// waiting, and a slow channel delays no one.
    pub fn announce(self: &Arc<Self>, request: &Request) {
        for channel in &request.notify {
            let (this, request, channel) = (self.clone(), request.clone(), channel.clone());
            tokio::spawn(async move { this.notify(&channel, &request).await });
        }
    }

    async fn notify(&self, channel: &str, request: &Request) {
        let (kind, name) = channel.split_once(':').unwrap_or((channel, ""));
        match (kind, self.webhooks.get(name)) {
            ("webhook", Some(hook)) => {
                let message_id = format!("msg_{}_requested", request.id);
                let body = serde_json::to_vec(&serde_json::json!({
                    "type": "request.created",
                    "timestamp": Timestamp::now().to_string(),
                    "data": {"request": request, "review_url": self.review_url(&request.id)},
                }))
                .expect("requests serialise");
                self.deliver(&request.id, channel, || {
                    // A fresh timestamp and signature on each attempt, the same id throughout.
                    let timestamp = Timestamp::now().as_second();
                    let headers = vec![
                        ("webhook-id", message_id.clone()),
                        ("webhook-timestamp", timestamp.to_string()),
                        (
                            "webhook-signature",
                            webhook_signature(&hook.key, &message_id, timestamp, &body),
                        ),
                    ];
                    let (outbound, url, body) =
                        (self.outbound.clone(), hook.url.clone(), body.clone());
                    async move { outbound.post(&url, &headers, &body).await }
                })
                .await;
            }
            _ => {
                self.record(
                    &request.id,
                    Delivery {
                        channel: channel.to_string(),
                        delivered: false,
                        attempts: 0,
                        error: Some(format!(
                            "no channel `{channel}` is configured on the broker"
                        )),
                        at: Timestamp::now(),
                    },
                )
                .await;
            }
        }
    }

    /// Pages on-call for a request that waited past `escalate_after` (its rule says `escalate: pagerduty`).
    pub fn escalated(self: &Arc<Self>, request: &Request) {
        if request.escalate.as_deref() != Some("pagerduty") {
            return;
        }
        let (this, request) = (self.clone(), request.clone());
        tokio::spawn(async move { this.page(&request, "trigger").await });
    }

    /// Resolves the page once a paged request is decided.
    pub fn decided(self: &Arc<Self>, request: &Request) {
        let decided = matches!(
            request.state,
            State::Approved | State::Denied | State::Expired | State::Cancelled
        );
        if !decided || !request.escalated || request.escalate.as_deref() != Some("pagerduty") {
            return;
        }
        let (this, request) = (self.clone(), request.clone());
        tokio::spawn(async move { this.page(&request, "resolve").await });
    }

    async fn page(&self, request: &Request, action: &str) {
        let channel = format!("pagerduty:{action}");
        let Some(pd) = &self.pagerduty else {
            self.record(
                &request.id,
                Delivery {
                    channel,
                    delivered: false,
                    attempts: 0,
                    error: Some("no `channels.pagerduty` is configured on the broker".into()),
                    at: Timestamp::now(),
                },
            )
            .await;
            return;
        };
        let dedup_key = format!("gate-{}", request.id);
        let body = if action == "trigger" {
            let kinds: Vec<&str> = request.kinds.iter().map(|k| k.as_str()).collect();
            serde_json::json!({
                "routing_key": pd.routing_key,
                "event_action": "trigger",
                "dedup_key": dedup_key,
                "payload": {
                    "summary": format!(
                        "gate: {} waits for approval in {}: {}",
                        request.requester, request.environment, truncate(&request.command, 200)
                    ),
                    "source": "gate",
                    "severity": if request.risk >= crate::classify::Risk::High { "critical" } else { "warning" },
                    "custom_details": {
                        "request": request.id, "command": request.command, "kinds": kinds,
                        "reason": request.reason, "rules": request.rules, "expires_at": request.expires_at.to_string(),
                    },
                },
                "links": [{"href": self.review_url(&request.id), "text": "Review the request"}],
                "client": "gate",
                "client_url": self.review_url(&request.id),
            })
        } else {
            serde_json::json!({"routing_key": pd.routing_key, "event_action": "resolve", "dedup_key": dedup_key})
        };
        let body = serde_json::to_vec(&body).expect("events serialise");
        self.deliver(&request.id, &channel, || {
            let (outbound, url, body) =
                (self.outbound.clone(), pd.events_url.clone(), body.clone());
            async move { outbound.post(&url, &[], &body).await }
        })
        .await;
    }

    /// Tries `send` until it succeeds or the attempts run out, waiting longer each time, then keeps the outcome
    /// on the request.
    async fn deliver<F, Fut>(&self, id: &str, channel: &str, send: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<(), String>>,
    {
        let mut wait = self.retry.first_wait;
        let mut attempts = 0;
        let outcome = loop {
            attempts += 1;
            match send().await {
                Ok(()) => break Ok(()),
                Err(e) if attempts >= self.retry.attempts => break Err(e),
                Err(e) => {
                    tracing::warn!(%id, %channel, attempt = attempts, error = %e, "delivery failed; retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        };
        match &outcome {
            Ok(()) => tracing::info!(%id, %channel, attempts, "delivered"),
            Err(e) => {
                tracing::error!(%id, %channel, attempts, error = %e, "delivery failed for good");
            }
        }
        self.record(
            id,
            Delivery {
                channel: channel.to_string(),
                delivered: outcome.is_ok(),
                attempts,
                error: outcome.err(),
                at: Timestamp::now(),
            },
        )
        .await;
    }

    async fn record(&self, id: &str, delivery: Delivery) {
        let result = self
            .store
            .update(
                id,
                Box::new(move |r| Ok(r.record_delivery(delivery))),
                Box::new(|_| None),
            )
            .await;
        match result {
            Ok((_, true)) => self.hub.wake(id),
            Ok(_) => {}
            Err(e) => tracing::error!(%id, error = %e, "cannot keep a delivery's outcome"),
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_test_vector() {
        let key = webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            webhook_signature(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(webhook_key("whsec_!!!"), None);
        assert_eq!(webhook_key("whsec_"), None);
    }
}
