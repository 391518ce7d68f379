//! The JSON API under `/v1`, plus `/healthz` and `/metrics`. Every identity check happens here, on the server:
//! the caller is whoever their bearer token says, a requester token never votes, and the state machine refuses
//! a vote on one's own request.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{
    FromRequest, FromRequestParts, MatchedPath, Path, Query, Request as HttpRequest, State,
};
use axum::http::{StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::auth::{Caller, hash_token};
use super::store::{AuditEntry, StoreError, Stored, TokenKind};
use super::{App, entry};
use crate::approval::{Request, State as RequestState, TransitionError};
use crate::audit::Event;

/// The longest a long poll may wait, and the most it waits when asked for more.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// How many audit records one call may carry.
const MAX_AUDIT_BATCH: usize = 1000;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/v1/whoami", get(whoami))
        .route("/v1/requests", post(create).get(list))
        .route("/v1/requests/{id}", get(get_one))
        .route("/v1/requests/{id}/votes", post(vote))
        .route("/v1/requests/{id}/cancel", post(cancel))
        .route("/v1/requests/{id}/execute", post(execute))
        .route("/v1/audit", post(append_audit).get(read_audit))
        .route("/v1/requests/{id}/escalate", post(escalate))
        .route(
            "/v1/channels/slack/interactions",
            post(super::slack::interactions),
        )
        .route_layer(middleware::from_fn_with_state(app.clone(), track))
        .with_state(app)
}

/// Counts every answer by route and status, and logs it.
pub async fn track(State(app): State<Arc<App>>, request: HttpRequest, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = request.method().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    app.metrics.http(&method, &route, status);
    tracing::debug!(%method, %route, status, elapsed_ms = started.elapsed().as_millis(), "answered");
    response
}

/// An error as the API returns it: a status and `{"error", "code", "hint"}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> ApiError {
        self.hint = Some(hint.into());
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(serde_json::json!({
            "error": self.message,
            "code": self.code,
            "hint": self.hint,
        }));
        if self.status == StatusCode::UNAUTHORIZED {
            (
                self.status,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"gate\"")],
                body,
            )
                .into_response()
        } else {
            (self.status, body).into_response()
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let message = e.to_string();
        match e {
            StoreError::Unavailable(_) => {
                tracing::error!(error = %message, "store unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    message,
                )
                .hint("the broker cannot reach its store; nothing was changed, try again")
            }
            StoreError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", message),
            StoreError::Ambiguous { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "ambiguous", message)
                    .hint("type more of the id")
            }
            StoreError::Exists(_) => ApiError::new(StatusCode::CONFLICT, "exists", message),
            StoreError::Corrupt { .. } => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "corrupt", message)
            }
            StoreError::Refused(t) => refused(&t),
        }
    }
}

/// A transition the state machine refused: 403 when it is about who the caller is, 409 about the request's state.
fn refused(t: &TransitionError) -> ApiError {
    let message = t.to_string();
    match t {
        TransitionError::OwnRequest { .. } => {
            ApiError::new(StatusCode::FORBIDDEN, "own_request", message)
                .hint("nobody approves their own request; ask another reviewer")
        }
        TransitionError::NotEligible { .. } => {
            ApiError::new(StatusCode::FORBIDDEN, "not_eligible", message)
                .hint("ask a reviewer from the group the rule names")
        }
        TransitionError::NotRequester { .. } => {
            ApiError::new(StatusCode::FORBIDDEN, "not_requester", message)
        }
        TransitionError::ReasonRequired => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "reason_required", message)
                .hint("send a reason")
        }
        TransitionError::AlreadyVoted { .. } => {
            ApiError::new(StatusCode::CONFLICT, "already_voted", message)
                .hint("one vote per reviewer; the request needs someone else now")
        }
        TransitionError::DigestMismatch { .. } => {
            ApiError::new(StatusCode::CONFLICT, "digest_mismatch", message)
                .hint("the command changed since it was approved; run it again to ask again")
        }
        TransitionError::AlreadyExecuted { .. } => {
            ApiError::new(StatusCode::CONFLICT, "already_executed", message)
                .hint("an approval covers one run; run it again to ask again")
        }
        TransitionError::Expired { .. } | TransitionError::ApprovalLapsed { .. } => {
            ApiError::new(StatusCode::CONFLICT, "expired", message)
                .hint("run the command again to ask again")
        }
        TransitionError::NotPending { .. } | TransitionError::NotApproved { .. } => {
            ApiError::new(StatusCode::CONFLICT, "not_pending", message)
                .hint("`gate show ID` shows where the request stands")
        }
    }
}

/// Only a person's token may do `action`; a host's or pipeline's may not.
fn reviewers_only(caller: &Caller, action: &str) -> Result<(), ApiError> {
    if caller.kind == TokenKind::Reviewer {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "requester_token",
        format!(
            "{} holds a requester token, which cannot {action}",
            caller.name
        ),
    )
    .hint("use a reviewer token: `gate serve token create --reviewer NAME`"))
}

/// JSON bodies whose rejections are API errors too.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: HttpRequest, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(ApiError::new(e.status(), "bad_body", e.body_text())
                .hint("docs/api.md shows each body")),
        }
    }
}

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = |message: &str| {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
                .hint("send `Authorization: Bearer <token>`; `gate serve token create` makes one")
        };
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| unauthorized("no bearer token"))?;
        let secret = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(|| unauthorized("the Authorization header is not a bearer token"))?;
        let token = app
            .store
            .token_by_hash(&hash_token(secret))
            .await?
            .filter(|t| t.revoked_at.is_none())
            .ok_or_else(|| unauthorized("the token is not valid, or was revoked"))?;
        Ok(Caller {
            kind: token.kind,
            name: token.name,
            token_id: token.id,
        })
    }
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    match app.store.ping().await {
        Ok(()) => Json(serde_json::json!({"status": "ok", "store": app.store.name()})).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "unavailable", "store": app.store.name(), "error": e.to_string()})),
        )
            .into_response(),
    }
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        app.metrics.render(app.hub.waiters(), app.store.name()),
    )
        .into_response()
}

async fn whoami(caller: Caller) -> Json<serde_json::Value> {
    Json(serde_json::json!({"kind": caller.kind, "name": caller.name, "token": caller.token_id}))
}

/// Makes a submitted request into the one the broker keeps: the broker's clock, a clean state, and the caller's
/// identity where the caller is a person.
fn admit(caller: &Caller, mut r: Request, now: Timestamp) -> Result<Request, ApiError> {
    let bad = |m: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", m);
    if r.id.is_empty() {
        r.id = crate::ids::request_id(now);
    } else if !crate::ids::is_request_id(&r.id) {
        return Err(bad(format!("`{}` is not a ULID", r.id)));
    }
    if r.command.trim().is_empty() || r.digest.is_empty() {
        return Err(bad("a request needs its command and digest".into()));
    }
    if r.requirements.is_empty() || r.requirements.iter().any(|q| q.count == 0 || q.count > 100) {
        return Err(bad(
            "a request needs at least one requirement, each of 1 to 100 approvals".into(),
        ));
    }
    let asked = r.expires_at.duration_since(r.created_at);
    let lifetime = jiff::SignedDuration::from_secs(asked.as_secs().clamp(1, 7 * 24 * 3600));
    if caller.kind == TokenKind::Reviewer {
        // A person's token speaks for that person, whatever the body says: no one files a request as someone
        // else and then approves it.
        r.requester.user.clone_from(&caller.name);
    }
    // However the client asked, an approval is usable for at most a day, and escalation waits at most the
    // request's lifetime.
    r.valid_for_secs = r.valid_for_secs.clamp(1, 24 * 3600);
    r.escalate_after_secs = r
        .escalate_after_secs
        .map(|s| s.min(lifetime.as_secs().unsigned_abs()));
    r.state = RequestState::Pending;
    r.votes.clear();
    r.approved_at = None;
    r.finished_at = None;
    r.escalated = false;
    r.created_at = now;
    r.expires_at = now.saturating_add(lifetime).unwrap_or(now);
    Ok(r)
}

async fn create(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(request): Body<Request>,
) -> Result<(StatusCode, Json<Stored>), ApiError> {
    let now = app.clock.now();
    let request = admit(&caller, request, now)?;
    let requested = Event::Requested {
        id: request.id.clone(),
        user: request.requester.user.clone(),
        agent: request.requester.agent.clone(),
        reason: request.reason.clone(),
        cwd: request.cwd.clone(),
        command: request.command.clone(),
        kinds: request.kinds.clone(),
        risk: request.risk,
        environment: request.environment.clone(),
        target: request.target.clone(),
        digest: request.digest.clone(),
        stdin: None,
        session: None,
        policy: String::new(),
    };
    let stored = app
        .store
        .insert(&request, &caller.token_id, &entry(&requested, now))
        .await
        .inspect_err(|e| app.metrics.store_error(e))?;
    app.metrics.created();
    tracing::info!(id = %request.id, requester = %request.requester, via = %caller.name, "request created");
    app.channels.announce(&request);
    Ok((StatusCode::CREATED, Json(stored)))
}

#[derive(Deserialize)]
struct ListQuery {
    /// Comma-separated states.
    state: Option<String>,
    digest: Option<String>,
    limit: Option<usize>,
}

fn parse_states(text: Option<&str>) -> Result<Vec<RequestState>, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(Vec::new());
    };
    text.split(',')
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s.trim().to_string())).map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    format!("`{s}` is not a request state"),
                )
                .hint("pending, approved, denied, expired, cancelled or executed")
            })
        })
        .collect()
}

async fn list(
    State(app): State<Arc<App>>,
    _caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let states = parse_states(q.state.as_deref())?;
    let requests = app
        .store
        .list(
            &states,
            q.digest.as_deref(),
            q.limit.unwrap_or(100).min(1000),
        )
        .await?;
    Ok(Json(serde_json::json!({ "requests": requests })))
}

#[derive(Deserialize)]
struct GetQuery {
    /// Long poll: wait up to this long (`30s`, `500ms`) for the request to change.
    wait: Option<String>,
    /// The version the caller has; the poll returns when the stored version differs.
    version: Option<i64>,
}

fn parse_wait(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Some(ms) = text.strip_suffix("ms") {
        return ms.parse().ok().map(Duration::from_millis);
    }
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    crate::policy::parse_duration(text)
}

async fn get_one(
    State(app): State<Arc<App>>,
    _caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<GetQuery>,
) -> Result<Json<Stored>, ApiError> {
    let Some(wait) = q.wait.as_deref() else {
        return Ok(Json(app.store.get(&id).await?));
    };
    let wait = parse_wait(wait)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                format!("`wait={wait}` is not a duration"),
            )
            .hint("e.g. wait=30s")
        })?
        .min(MAX_WAIT);
    let first = app.store.get(&id).await?;
    let seen = q.version.unwrap_or(first.version);
    if first.version != seen || wait.is_zero() {
        return Ok(Json(first));
    }
    let id = first.request.id.clone();
    let subscription = app.hub.subscribe(&id);
    let deadline = tokio::time::Instant::now() + wait;
    let mut shutdown = app.shutdown.clone();
    loop {
        let notified = subscription.notify().notified();
        tokio::pin!(notified);
        // Registered before the read, so a change between the read and the wait still wakes us.
        notified.as_mut().enable();
        let current = match app.store.get(&id).await {
            Ok(c) => c,
            Err(e) => break Err(e.into()),
        };
        if current.version != seen || *shutdown.borrow() {
            break Ok(Json(current));
        }
        tokio::select! {
            () = &mut notified => {}
            () = tokio::time::sleep_until(deadline) => break Ok(Json(current)),
            // A safety net for a notification lost with a PostgreSQL connection.
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

#[derive(Deserialize, Serialize)]
pub struct VoteBody {
    /// `approve` or `deny`.
    pub decision: String,
    pub reason: Option<String>,
    /// Where the reviewer answered (`terminal`, `inbox`; `api` when absent).
    pub channel: Option<String>,
}

/// Records one reviewer's vote; shared with the web page.
pub async fn cast(
    app: &App,
    caller: &Caller,
    id: &str,
    approve: bool,
    reason: Option<String>,
    channel: &str,
) -> Result<Stored, ApiError> {
    reviewers_only(caller, "vote")?;
    // A whole id goes straight to the transaction; a prefix is resolved first.
    let id = if id.len() == 26 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        id.to_ascii_uppercase()
    } else {
        app.store.get(id).await?.request.id
    };
    let now = app.clock.now();
    let (by, channel_owned) = (caller.name.clone(), channel.to_string());
    let (by_note, channel_note, reason_note) = (by.clone(), channel_owned.clone(), reason.clone());
    let (stored, _) = app
        .update(
            &id,
            Box::new(move |r| r.vote(&by, approve, reason, &channel_owned, now).map(Some)),
            Box::new(move |r| {
                Some(entry(
                    &Event::Voted {
                        id: r.id.clone(),
                        by: by_note,
                        approve,
                        reason: reason_note,
                        channel: channel_note,
                        digest: r.digest.clone(),
                    },
                    now,
                ))
            }),
        )
        .await?;
    app.metrics.voted(approve);
    tracing::info!(%id, by = %caller.name, approve, state = %stored.request.state, "vote");
    Ok(stored)
}

async fn vote(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<VoteBody>,
) -> Result<Json<Stored>, ApiError> {
    let approve = match body.decision.as_str() {
        "approve" => true,
        "deny" => false,
        other => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_decision",
                format!("`{other}` is not a decision"),
            )
            .hint("\"decision\": \"approve\" or \"deny\""));
        }
    };
    let channel = body
        .channel
        .filter(|c| matches!(c.as_str(), "terminal" | "inbox" | "api"))
        .unwrap_or_else(|| "api".into());
    Ok(Json(
        cast(&app, &caller, &id, approve, body.reason, &channel).await?,
    ))
}

/// Only the token that submitted a request acts for its requester.
async fn as_requester(app: &App, caller: &Caller, id: &str) -> Result<(String, String), ApiError> {
    let stored = app.store.get(id).await?;
    if stored.origin == caller.token_id {
        Ok((stored.request.id, stored.request.requester.user))
    } else if caller.kind == TokenKind::Reviewer {
        // A person may act on their own request from another token; the state machine checks it is theirs.
        Ok((stored.request.id, caller.name.clone()))
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_requester",
            format!(
                "request {} was submitted with another token",
                stored.request.id
            ),
        ))
    }
}

async fn cancel(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Stored>, ApiError> {
    let (id, by) = as_requester(&app, &caller, &id).await?;
    let now = app.clock.now();
    let who = by.clone();
    let (stored, _) = app
        .update(
            &id,
            Box::new(move |r| r.cancel(&who, now).map(Some)),
            Box::new(move |r| {
                Some(entry(
                    &Event::Cancelled {
                        id: r.id.clone(),
                        by,
                    },
                    now,
                ))
            }),
        )
        .await?;
    Ok(Json(stored))
}

/// A reviewer presses Escalate: on-call is paged now, and a rule's second group may approve.
async fn escalate(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Stored>, ApiError> {
    reviewers_only(&caller, "escalate")?;
    app.escalate_now(&id, &caller.name).await?;
    Ok(Json(app.store.get(&id).await?))
}

#[derive(Deserialize, Serialize)]
pub struct ExecuteBody {
    pub digest: String,
}

async fn execute(
    State(app): State<Arc<App>>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<ExecuteBody>,
) -> Result<Json<Stored>, ApiError> {
    let stored = app.store.get(&id).await?;
    if stored.origin != caller.token_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "not_requester",
            format!(
                "request {} was submitted with another token",
                stored.request.id
            ),
        )
        .hint("an approval is used by the host that asked for it"));
    }
    let id = stored.request.id;
    let now = app.clock.now();
    let digest = body.digest.clone();
    let (stored, _) = app
        .update(
            &id,
            Box::new(move |r| r.execute(&digest, now).map(Some)),
            Box::new(move |r| {
                Some(entry(
                    &Event::Executed {
                        id: r.id.clone(),
                        request: r.id.clone(),
                        digest: r.digest.clone(),
                    },
                    now,
                ))
            }),
        )
        .await?;
    app.metrics.executed();
    Ok(Json(stored))
}

#[derive(Deserialize, Serialize)]
pub struct AuditBatch {
    /// Which audit file on the client these records come from (host and path).
    pub stream: String,
    pub records: Vec<serde_json::Value>,
}

async fn append_audit(
    State(app): State<Arc<App>>,
    caller: Caller,
    Body(batch): Body<AuditBatch>,
) -> Result<Json<serde_json::Value>, ApiError> {
    if batch.records.len() > MAX_AUDIT_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_records",
            format!(
                "{} records in one call; at most {MAX_AUDIT_BATCH}",
                batch.records.len()
            ),
        ));
    }
    let now = app.clock.now();
    let mut entries = Vec::with_capacity(batch.records.len());
    for record in batch.records {
        let seq = record.get("seq").and_then(serde_json::Value::as_i64);
        let hash = record
            .get("hash")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string);
        if seq.is_none() || hash.is_none() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_record",
                "every audit record needs its `seq` and `hash`",
            ));
        }
        entries.push(AuditEntry {
            source: format!("{}:{}", caller.kind.as_str(), caller.name),
            stream: batch.stream.clone(),
            seq,
            hash,
            record,
            received_at: now,
        });
    }
    let added = app.store.append_audit(&entries).await?;
    app.metrics.audit_records(added);
    Ok(Json(
        serde_json::json!({"received": entries.len(), "added": added}),
    ))
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<usize>,
}

async fn read_audit(
    State(app): State<Arc<App>>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    reviewers_only(&caller, "read the central audit")?;
    let entries = app.store.audit(q.limit.unwrap_or(100).min(10_000)).await?;
    Ok(Json(serde_json::json!({ "entries": entries })))
}
