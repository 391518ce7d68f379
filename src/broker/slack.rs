//! Slack, through a Slack app the team installs: requests are posted with Block Kit and Approve, Deny and
//! Escalate buttons; clicks come back to `POST /v1/channels/slack/interactions`, where the signature is checked on
//! the raw bytes before anything is parsed, old and replayed requests are refused, the team must match, and the
//! clicking user must map to a gate identity. Votes then go through the same state machine as `gate approve`.
//! Everything the requester controls is escaped, so a command cannot mention `@channel`, forge a link or break out
//! of its code block.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit as _, Mac as _};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::Sha256;

use super::App;
use super::api::{ApiError, cast};
use super::auth::{Caller, unhex};
use super::client::Outbound;
use super::store::TokenKind;
use crate::approval::{Request, State as RequestState};

/// How far a request's timestamp may be from now, as Slack recommends.
const MAX_SKEW_SECS: i64 = 300;
/// Where the command is cut in a message; the review page always has all of it.
const MAX_COMMAND_CHARS: usize = 2500;

pub const APPROVE: &str = "gate.approve";
pub const DENY: &str = "gate.deny";
pub const ESCALATE: &str = "gate.escalate";
const DENY_MODAL: &str = "gate.deny_reason";

pub struct Slack {
    pub api_url: String,
    pub bot_token: String,
    pub signing_secret: Vec<u8>,
    pub team_id: String,
    pub users: BTreeMap<String, String>,
}

/// Escapes the three characters Slack's mrkdwn gives meaning to.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The command as a code block it cannot leave: escaped, its backtick runs broken with zero-width spaces, and
/// cut past `MAX_COMMAND_CHARS` with a note.
pub fn code_block(command: &str) -> String {
    let total = command.chars().count();
    let shown: String = command.chars().take(MAX_COMMAND_CHARS).collect();
    let mut text = escape(&shown).replace('`', "`\u{200b}");
    if text.is_empty() {
        text.push(' ');
    }
    let mut block = format!("```{text}```");
    if total > MAX_COMMAND_CHARS {
        let _ = write!(
            block,
            "\n_(command cut: {} more characters; the review page shows all of it)_",
            total - MAX_COMMAND_CHARS
        );
    }
    block
}

fn field(label: &str, value: &str) -> Value {
    json!({"type": "mrkdwn", "text": format!("*{label}*\n{}", escape(value))})
}

/// The message for a request as it stands: its facts, its votes, and buttons while it is pending.
pub fn blocks(r: &Request, review_url: &str, now: Timestamp) -> Vec<Value> {
    let status = match r.state {
        RequestState::Pending => "waits for approval".to_string(),
        state => format!("is {state}"),
    };
    let mut facts = vec![];
    for (label, value) in r.summary(now) {
        if !matches!(label, "request" | "command" | "digest") {
            facts.push((label, value));
        }
    }
    let mut blocks = vec![
        json!({"type": "section", "text": {"type": "mrkdwn",
            "text": format!("*gate: request `{}` {status}*", escape(&r.id))}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": code_block(&r.command)}}),
    ];
    // Slack allows ten fields to a section.
    for chunk in facts.chunks(10) {
        let fields: Vec<Value> = chunk.iter().map(|(l, v)| field(l, v)).collect();
        blocks.push(json!({"type": "section", "fields": fields}));
    }
    if r.state == RequestState::Pending {
        blocks.push(
            json!({"type": "actions", "block_id": "gate.actions", "elements": [
                {"type": "button", "action_id": APPROVE, "style": "primary", "value": r.id,
                 "text": {"type": "plain_text", "text": "Approve"}},
                {"type": "button", "action_id": DENY, "style": "danger", "value": r.id,
                 "text": {"type": "plain_text", "text": "Deny"}},
                {"type": "button", "action_id": ESCALATE, "value": r.id,
                 "text": {"type": "plain_text", "text": "Escalate"}},
                {"type": "button", "action_id": "gate.review", "url": review_url,
                 "text": {"type": "plain_text", "text": "Review on the web"}},
            ]}),
        );
    }
    blocks
}

fn fallback_text(r: &Request) -> String {
    escape(&format!(
        "gate: request {} by {} is {}",
        r.id, r.requester, r.state
    ))
}

/// Why an interaction was refused before it was read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the request has no Slack signature or timestamp")]
    Unsigned,
    #[error("the Slack request timestamp is {0} s from now; at most {MAX_SKEW_SECS} s is accepted")]
    Stale(i64),
    #[error("the Slack signature does not match")]
    BadSignature,
}

impl Slack {
    /// Checks `X-Slack-Signature` (`v0=` and the hex HMAC-SHA256 of `v0:timestamp:body`) in constant time.
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(), Refusal> {
        let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
            return Err(Refusal::Unsigned);
        };
        let ts: i64 = timestamp.trim().parse().map_err(|_| Refusal::Unsigned)?;
        if (now - ts).abs() > MAX_SKEW_SECS {
            return Err(Refusal::Stale(now - ts));
        }
        let tag = signature
            .strip_prefix("v0=")
            .and_then(unhex)
            .ok_or(Refusal::BadSignature)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.signing_secret)
            .expect("HMAC takes any key length");
        mac.update(format!("v0:{timestamp}:").as_bytes());
        mac.update(body);
        mac.verify_slice(&tag).map_err(|_| Refusal::BadSignature)
    }

    fn auth(&self) -> Vec<(&'static str, String)> {
        vec![("authorization", format!("Bearer {}", self.bot_token))]
    }

    async fn api(&self, out: &Outbound, method: &str, body: &Value) -> Result<Value, String> {
        let url = format!("{}/{method}", self.api_url);
        let body = serde_json::to_vec(body).expect("Slack bodies serialise");
        let answer = out
            .call_json("POST", &url, &self.auth(), Some(&body))
            .await?;
        if answer["ok"] == true {
            Ok(answer)
        } else {
            Err(format!(
                "Slack {method} said {}",
                answer["error"].as_str().unwrap_or("not ok")
            ))
        }
    }

    /// Posts the request to `channel`; returns `channel/ts`, which later updates name.
    pub async fn post(
        &self,
        out: &Outbound,
        channel: &str,
        r: &Request,
        review_url: &str,
        now: Timestamp,
    ) -> Result<String, String> {
        let answer = self
            .api(
                out,
                "chat.postMessage",
                &json!({"channel": channel, "text": fallback_text(r), "blocks": blocks(r, review_url, now)}),
            )
            .await?;
        match (answer["channel"].as_str(), answer["ts"].as_str()) {
            (Some(c), Some(ts)) => Ok(format!("{c}/{ts}")),
            _ => Err("Slack chat.postMessage answered without a channel and ts".into()),
        }
    }

    /// Rewrites a posted message to show the request as it now stands.
    pub async fn update(
        &self,
        out: &Outbound,
        reference: &str,
        r: &Request,
        review_url: &str,
        now: Timestamp,
    ) -> Result<(), String> {
        let (channel, ts) = reference
            .split_once('/')
            .ok_or("a malformed Slack message reference")?;
        self.api(
            out,
            "chat.update",
            &json!({"channel": channel, "ts": ts, "text": fallback_text(r), "blocks": blocks(r, review_url, now)}),
        )
        .await
        .map(|_| ())
    }

    /// The gate identity of a Slack user: the config's mapping, else the email `users.info` gives.
    pub async fn identity(&self, out: &Outbound, user: &str) -> Option<String> {
        if let Some(name) = self.users.get(user) {
            return Some(name.clone());
        }
        let url = format!(
            "{}/users.info?user={}",
            self.api_url,
            user.replace(|c: char| !c.is_ascii_alphanumeric(), "")
        );
        let answer = out.call_json("GET", &url, &self.auth(), None).await.ok()?;
        (answer["ok"] == true)
            .then(|| {
                answer["user"]["profile"]["email"]
                    .as_str()
                    .map(str::to_string)
            })
            .flatten()
            .filter(|e| !e.is_empty())
    }

    async fn open_deny_modal(
        &self,
        out: &Outbound,
        trigger_id: &str,
        request: &str,
    ) -> Result<(), String> {
        self.api(
            out,
            "views.open",
            &json!({"trigger_id": trigger_id, "view": {
                "type": "modal", "callback_id": DENY_MODAL, "private_metadata": request,
                "title": {"type": "plain_text", "text": "Deny the request"},
                "submit": {"type": "plain_text", "text": "Deny"},
                "close": {"type": "plain_text", "text": "Cancel"},
                "blocks": [{"type": "input", "block_id": "reason", "label": {"type": "plain_text", "text": "Why? The requester reads this."},
                    "element": {"type": "plain_text_input", "action_id": "reason", "multiline": true}}],
            }}),
        )
        .await
        .map(|_| ())
    }
}

fn refused(status: StatusCode, code: &'static str, message: impl Into<String>) -> Response {
    ApiError::new(status, code, message).into_response()
}

/// `POST /v1/channels/slack/interactions`.
pub async fn interactions(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(slack) = app.channels.slack() else {
        return refused(
            StatusCode::NOT_FOUND,
            "not_configured",
            "Slack is not configured on this broker",
        );
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = app.clock.now().as_second();
    if let Err(e) = slack.verify(
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
        &body,
        now,
    ) {
        tracing::warn!(error = %e, "Slack interaction refused");
        return refused(StatusCode::UNAUTHORIZED, "bad_signature", e.to_string());
    }
    // A signed request is good for its five minutes; the same one twice is a replay.
    let signature = header("x-slack-signature").unwrap_or_default();
    let until = Timestamp::from_second(now + 2 * MAX_SKEW_SECS).unwrap_or(Timestamp::MAX);
    match app
        .store
        .use_nonce(&format!("slack:{signature}"), until)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!("replayed Slack interaction refused");
            return refused(
                StatusCode::CONFLICT,
                "replayed",
                "this Slack request was already handled",
            );
        }
        Err(e) => return ApiError::from(e).into_response(),
    }
    let payload: Option<Value> = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "payload")
        .and_then(|(_, v)| serde_json::from_str(&v).ok());
    let Some(payload) = payload else {
        return refused(
            StatusCode::BAD_REQUEST,
            "bad_payload",
            "no Slack payload in the body",
        );
    };
    if payload["team"]["id"].as_str() != Some(slack.team_id.as_str()) {
        tracing::warn!(team = ?payload["team"]["id"], "Slack interaction from another team refused");
        return refused(
            StatusCode::FORBIDDEN,
            "wrong_team",
            "this Slack workspace is not the one gate serves",
        );
    }
    let user = payload["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let out = app.channels.outbound();
    let Some(identity) = slack.identity(out, &user).await else {
        tracing::warn!(%user, "unmapped Slack user refused");
        return refused(
            StatusCode::FORBIDDEN,
            "unmapped_user",
            format!("Slack user {user} is not mapped to a gate identity"),
        );
    };
    let caller = Caller {
        kind: TokenKind::Reviewer,
        name: identity,
        token_id: format!("slack:{user}"),
    };
    match payload["type"].as_str() {
        Some("block_actions") => {
            let action = &payload["actions"][0];
            let id = action["value"].as_str().unwrap_or_default();
            match action["action_id"].as_str() {
                Some(APPROVE) => answer(
                    cast(&app, &caller, id, true, None, "slack")
                        .await
                        .map(|_| ()),
                ),
                Some(DENY) => {
                    let trigger = payload["trigger_id"].as_str().unwrap_or_default();
                    match slack.open_deny_modal(out, trigger, id).await {
                        Ok(()) => StatusCode::OK.into_response(),
                        Err(e) => refused(StatusCode::BAD_GATEWAY, "slack_failed", e),
                    }
                }
                Some(ESCALATE) => answer(app.escalate_now(id, &caller.name).await),
                _ => StatusCode::OK.into_response(),
            }
        }
        Some("view_submission") if payload["view"]["callback_id"] == DENY_MODAL => {
            let id = payload["view"]["private_metadata"]
                .as_str()
                .unwrap_or_default();
            let reason = payload["view"]["state"]["values"]["reason"]["reason"]["value"]
                .as_str()
                .map(str::to_string);
            match cast(&app, &caller, id, false, reason, "slack").await {
                Ok(_) => StatusCode::OK.into_response(),
                // Shown in the modal, beside the reason.
                Err(e) => axum::Json(
                    json!({"response_action": "errors", "errors": {"reason": e.message}}),
                )
                .into_response(),
            }
        }
        _ => StatusCode::OK.into_response(),
    }
}

fn answer(result: Result<(), ApiError>) -> Response {
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack() -> Slack {
        Slack {
            api_url: "http://x".into(),
            bot_token: "xoxb".into(),
            signing_secret: b"8f742231b10e8888abcd99yyyzzz85a5".to_vec(),
            team_id: "T1".into(),
            users: BTreeMap::new(),
        }
    }

    #[test]
    fn signatures_follow_slacks_published_example() {
        // Slack's documentation example: this secret, timestamp and body give this signature.
        let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        let s = slack();
        assert_eq!(
            s.verify(Some("1531420618"), Some(sig), body, 1_531_420_618),
            Ok(())
        );
        assert_eq!(
            s.verify(Some("1531420618"), Some(sig), b"tampered", 1_531_420_618),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            s.verify(Some("1531420618"), Some(sig), body, 1_531_420_618 + 360),
            Err(Refusal::Stale(360))
        );
        assert_eq!(
            s.verify(None, Some(sig), body, 1_531_420_618),
            Err(Refusal::Unsigned)
        );
    }

    #[test]
    fn requester_text_cannot_mention_link_or_escape_the_code_block() {
        let block = code_block("echo <!channel> <http://evil|click> ``` *bold* & done");
        assert!(!block.contains("<!channel>") && block.contains("&lt;!channel&gt;"));
        assert!(block.contains("&lt;http://evil|click&gt;"));
        assert!(block.starts_with("```") && block.ends_with("```"));
        assert_eq!(
            block.matches("```").count(),
            2,
            "only the block's own fences: {block}"
        );
        let long = code_block(&"x".repeat(3000));
        assert!(long.contains("500 more characters"));
    }
}
