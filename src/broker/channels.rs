//! Channels: telling people outside gate that a request waits, and paging when nobody answers. A channel is a
//! notifier around the one state machine: it never decides anything, and a channel that is down never lets a
//! command run (the request simply waits) and never holds up the requester or the other channels. Each delivery
//! is retried with a back-off, and how it went is kept on the request, where `gate show` shows it.
//!
//! - `webhook:NAME`: the request as JSON, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>` with a `whsec_` secret).
//! - `slack:#channel`: a Block Kit message with Approve, Deny and Escalate buttons (`broker/slack.rs`), updated
//!   after every vote and when the request resolves or expires.
//! - `teams` or `teams:NAME`: an Adaptive Card to a Teams Workflows webhook, whose Review button opens the request
//!   page through a signed link (Teams cannot carry clicks back, so the decision is made on the page).
//! - `escalate: pagerduty`: a PagerDuty Events API v2 `trigger` when the request waits past `escalate_after` or
//!   someone presses Escalate, with a `dedup_key` per request and a link to the request page, and a `resolve`
//!   once it is decided.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, KeyInit as _, Mac as _};
use jiff::Timestamp;
use sha2::Sha256;

use super::Hub;
use super::auth::{Link, Signer};
use super::client::Outbound;
use super::config::{ChannelsConfig, TeamsConfig};
use super::slack::Slack;
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
    slack: Option<Slack>,
    /// Teams workflow URLs by name; `""` is the one `notify: [teams]` means.
    teams: BTreeMap<String, String>,
    signer: Signer,
    link_ttl: Duration,
    outbound: Outbound,
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    public_url: String,
    retry: Retry,
    clock: crate::clock::SharedClock,
}

impl Channels {
    /// Reads every channel's secret now, so that a broken channel config stops `gate serve` at start.
    pub fn load(
        config: &ChannelsConfig,
        store: Arc<dyn Store>,
        hub: Arc<Hub>,
        public_url: &str,
        signer: Signer,
        link_ttl: Duration,
        clock: crate::clock::SharedClock,
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
        let slack = match &config.slack {
            Some(c) => Some(Slack {
                api_url: c
                    .api_url
                    .clone()
                    .unwrap_or_else(|| "https://slack.com/api".into())
                    .trim_end_matches('/')
                    .to_string(),
                bot_token: read_secret(&c.bot_token_file)?,
                signing_secret: read_secret(&c.signing_secret_file)?.into_bytes(),
                team_id: c.team_id.clone(),
                users: c.users.clone(),
            }),
            None => None,
        };
        let mut teams = BTreeMap::new();
        match &config.teams {
            Some(TeamsConfig::One(w)) => {
                teams.insert(String::new(), read_secret(&w.workflow_url_file)?);
            }
            Some(TeamsConfig::Named(named)) => {
                for (name, w) in named {
                    teams.insert(name.clone(), read_secret(&w.workflow_url_file)?);
                }
            }
            None => {}
        }
        Ok(Channels {
            webhooks,
            pagerduty,
            slack,
            teams,
            signer,
            link_ttl,
            outbound: Outbound::default(),
            store,
            hub,
            public_url: public_url.trim_end_matches('/').to_string(),
            retry: Retry::default(),
            clock,
        })
    }

    fn review_url(&self, id: &str) -> String {
        format!("{}/r/{id}", self.public_url)
    }

    pub fn slack(&self) -> Option<&Slack> {
        self.slack.as_ref()
    }

    pub fn outbound(&self) -> &Outbound {
        &self.outbound
    }

    /// A signed, expiring link to a request's page for whoever opens it: they sign in there, because a Teams
    /// channel cannot say who clicked.
    fn open_link(&self, id: &str) -> String {
        let link = Link {
            request: id.to_string(),
            reviewer: String::new(),
            expires: self.clock.now().as_second()
                + i64::try_from(self.link_ttl.as_secs()).unwrap_or(900),
            nonce: super::auth::random_hex(16),
        };
        format!("{}/l/{}", self.public_url, self.signer.seal("link", &link))
    }

    /// Brings every posted Slack message up to date with the request: after a vote, a resolution, an expiry.
    pub fn changed(self: &Arc<Self>, request: &Request) {
        if self.slack.is_none() {
            return;
        }
        for d in &request.deliveries {
            if let (true, true, Some(reference)) =
                (d.channel.starts_with("slack:"), d.delivered, &d.reference)
            {
                let (this, request, reference) = (self.clone(), request.clone(), reference.clone());
                tokio::spawn(async move {
                    let Some(slack) = &this.slack else { return };
                    if let Err(e) = slack
                        .update(
                            &this.outbound,
                            &reference,
                            &request,
                            &this.review_url(&request.id),
                            this.clock.now(),
                        )
                        .await
                    {
                        tracing::warn!(id = %request.id, error = %e, "cannot update the Slack message");
                    }
                });
            }
        }
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
                    "timestamp": self.clock.now().to_string(),
                    "data": {"request": request, "review_url": self.review_url(&request.id)},
                }))
                .expect("requests serialise");
                self.deliver(&request.id, channel, || {
                    // A fresh timestamp and signature on each attempt, the same id throughout.
                    let timestamp = self.clock.now().as_second();
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
                    async move { outbound.post(&url, &headers, &body).await.map(|()| None) }
                })
                .await;
            }
            ("slack", _) if self.slack.is_some() && !name.is_empty() => {
                let slack = self.slack.as_ref().expect("checked");
                let review = self.review_url(&request.id);
                self.deliver(&request.id, channel, || async {
                    slack
                        .post(&self.outbound, name, request, &review, self.clock.now())
                        .await
                        .map(Some)
                })
                .await;
            }
            ("teams", _) if self.teams.contains_key(name) => {
                let url = self.teams[name].clone();
                let body = serde_json::to_vec(&teams_card(
                    request,
                    &self.open_link(&request.id),
                    self.clock.now(),
                ))
                .expect("cards serialise");
                self.deliver(&request.id, channel, || {
                    let (outbound, url, body) = (self.outbound.clone(), url.clone(), body.clone());
                    async move { outbound.post(&url, &[], &body).await.map(|()| None) }
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
                        at: self.clock.now(),
                        reference: None,
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
                    at: self.clock.now(),
                    reference: None,
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
            async move { outbound.post(&url, &[], &body).await.map(|()| None) }
        })
        .await;
    }

    /// Tries `send` until it succeeds or the attempts run out, waiting longer each time, then keeps the outcome
    /// on the request.
    async fn deliver<F, Fut>(&self, id: &str, channel: &str, send: F)
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<String>, String>>,
    {
        let mut wait = self.retry.first_wait;
        let mut attempts = 0;
        let outcome = loop {
            attempts += 1;
            match send().await {
                Ok(reference) => break Ok(reference),
                Err(e) if attempts >= self.retry.attempts => break Err(e),
                Err(e) => {
                    tracing::warn!(%id, %channel, attempt = attempts, error = %e, "delivery failed; retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        };
        match &outcome {
            Ok(_) => tracing::info!(%id, %channel, attempts, "delivered"),
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
                error: outcome.as_ref().err().cloned(),
                at: self.clock.now(),
                reference: outcome.ok().flatten(),
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

/// The Adaptive Card for Teams: the request's facts and one Review button. Everything the requester wrote goes
/// into `TextRun`s, which Teams shows as plain text: a command cannot become a link or formatting.
pub fn teams_card(r: &Request, link: &str, now: Timestamp) -> serde_json::Value {
    let run = |text: &str| serde_json::json!({"type": "TextRun", "text": text});
    let mut body = vec![
        serde_json::json!({"type": "RichTextBlock", "inlines": [
            {"type": "TextRun", "text": format!("gate: request {} waits for approval", r.id), "size": "Medium", "weight": "Bolder"}
        ]}),
        serde_json::json!({"type": "RichTextBlock", "inlines": [
            {"type": "TextRun", "text": truncate(&r.command, 2500), "fontType": "Monospace"}
        ]}),
    ];
    for (label, value) in r.summary(now) {
        if matches!(label, "request" | "command" | "digest") {
            continue;
        }
        body.push(serde_json::json!({"type": "RichTextBlock", "inlines": [
            {"type": "TextRun", "text": format!("{label}: "), "weight": "Bolder"},
            run(&value),
        ]}));
    }
    serde_json::json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
                "actions": [{"type": "Action.OpenUrl", "title": "Review", "url": link}],
            },
        }],
    })
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
    fn a_teams_card_keeps_requester_text_plain() {
        let mut r = crate::approval::fixture(vec![]);
        r.command = "psql -c 'select 1' -- [click](http://evil.example) **now**".into();
        r.reason = Some("<at>everyone</at> [x](http://evil)".into());
        let card = teams_card(
            &r,
            "https://gate.example/l/abc",
            Timestamp::from_second(1_800_000_000).unwrap(),
        );
        let content = &card["attachments"][0]["content"];
        // No TextBlock (which renders markdown) anywhere; the hostile text sits only in TextRuns.
        assert!(!content.to_string().contains("\"TextBlock\""));
        let runs: Vec<&str> = content["body"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|b| b["inlines"].as_array().unwrap())
            .map(|i| {
                assert_eq!(i["type"], "TextRun");
                i["text"].as_str().unwrap()
            })
            .collect();
        assert!(
            runs.iter()
                .any(|t| t.contains("[click](http://evil.example)"))
        );
        assert!(runs.iter().any(|t| t.contains("<at>everyone</at>")));
        assert_eq!(content["actions"][0]["url"], "https://gate.example/l/abc");
    }

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
