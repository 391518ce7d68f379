//! The web approval page. It works without JavaScript and on a phone: plain HTML forms, escaped text, one small
//! stylesheet. A reviewer signs in with their reviewer token or follows a signed single-use link; every change is
//! a POST carrying a CSRF token bound to the session, and a GET never changes a request.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, FromRequestParts, Path, State};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::middleware;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde::Deserialize;

use super::App;
use super::api::{ApiError, cast};
use super::auth::{Caller, Link, Session, hash_token, live};
use super::store::TokenKind;
use crate::approval::{Request, State as RequestState};

const COOKIE: &str = "gate_session";

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/requests") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/requests", get(list_page))
        .route("/r/{id}", get(request_page))
        .route("/r/{id}/vote", post(vote))
        .route("/l/{link}", get(link_page).post(follow_link))
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            super::api::track,
        ))
        .with_state(app)
}

/// Escapes text for HTML content and attribute values. Slack's `<!here>` and `<url|label>` markup is inert here
/// because `<` and `>` are escaped like everything else.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:46rem;padding:1rem;color:#111}\
h1{font-size:1.3rem}pre{background:#f3f3f3;border:1px solid #ccc;padding:.6rem;white-space:pre-wrap;\
word-break:break-all;font:14px/1.4 ui-monospace,Menlo,Consolas,monospace}dl{display:grid;grid-template-columns:\
max-content 1fr;gap:.3rem .8rem}dt{font-weight:600;color:#444}dd{margin:0;overflow-wrap:anywhere}\
.state{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#eee}.pending{background:#ffe9a8}\
.approved,.executed{background:#c8f0c8}.denied,.expired,.cancelled{background:#f6c6c6}\
form.vote{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}form.vote input[type=text]{flex:1 1 100%;\
padding:.5rem;font-size:1rem}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.3rem;border:1px solid #888}\
button.approve{background:#1f7a1f;color:#fff}button.deny{background:#a31515;color:#fff}table{border-collapse:\
collapse;width:100%}td,th{text-align:left;padding:.3rem;border-bottom:1px solid #ddd;vertical-align:top}\
td code{overflow-wrap:anywhere}.error{background:#f6c6c6;padding:.6rem}nav{display:flex;justify-content:\
space-between;align-items:center}";

fn page(title: &str, who: Option<&str>, body: &str) -> Html<String> {
    let nav = who.map_or_else(String::new, |w| {
        format!(
            "<nav><a href=\"/requests\">Requests</a><span>{}</span></nav>",
            escape(w)
        )
    });
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{} · gate</title><style>{STYLE}</style></head><body>{nav}{body}</body></html>",
        escape(title)
    ))
}

fn error_page(status: StatusCode, message: &str, hint: &str) -> Response {
    (
        status,
        page(
            "Error",
            None,
            &format!(
                "<h1>{}</h1><p class=\"error\">{}</p><p>{}</p>",
                status.canonical_reason().unwrap_or("Error"),
                escape(message),
                escape(hint)
            ),
        ),
    )
        .into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Login(next) => {
                Redirect::to(&format!("/login?next={}", percent(&next))).into_response()
            }
            WebError::Api(e) => error_page(e.status, &e.message, e.hint.as_deref().unwrap_or("")),
        }
    }
}

/// Why a page could not be shown.
pub enum WebError {
    /// No session: sign in first, then come back to this path.
    Login(String),
    Api(ApiError),
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> WebError {
        WebError::Api(e)
    }
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            kv.trim()
                .strip_prefix(&format!("{COOKIE}="))
                .map(str::to_string)
        })
}

/// A signed-in reviewer, from the session cookie.
pub struct Reviewer {
    pub caller: Caller,
    pub cookie: String,
}

impl FromRequestParts<Arc<App>> for Reviewer {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let back = parts.uri.path().to_string();
        let cookie = cookie(&parts.headers).ok_or_else(|| WebError::Login(back.clone()))?;
        let session: Session = app
            .signer
            .open("session", &cookie)
            .map_err(|_| WebError::Login(back.clone()))?;
        live(session.expires, app.clock.now()).map_err(|_| WebError::Login(back.clone()))?;
        if !session.token_id.starts_with("link:") {
            // A revoked token ends its sessions at once.
            let token = app
                .store
                .token_by_id(&session.token_id)
                .await
                .map_err(ApiError::from)?;
            if !token.is_some_and(|t| t.revoked_at.is_none() && t.kind == TokenKind::Reviewer) {
                return Err(WebError::Login(back));
            }
        }
        Ok(Reviewer {
            caller: Caller {
                kind: TokenKind::Reviewer,
                name: session.name,
                token_id: session.token_id,
            },
            cookie,
        })
    }
}

/// Refuses a POST whose `Origin` names another site: a second line behind the CSRF token.
fn same_origin(app: &App, headers: &HeaderMap) -> Result<(), WebError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ours = origin == app.public_url
        || origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            == Some(host);
    if ours {
        Ok(())
    } else {
        Err(WebError::Api(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "cross_site",
                format!("a form posted from {origin} was refused"),
            )
            .hint("open the page on the broker itself and submit it there"),
        ))
    }
}

fn session_cookie(app: &App, session: &Session, max_age: i64) -> String {
    let secure = if app.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        app.signer.seal("session", session)
    )
}

/// Only a path on this site: never `//evil.example` or a full URL.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/requests".into(),
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(axum::extract::Query(q): axum::extract::Query<NextQuery>) -> Html<String> {
    login_form(&local_path(q.next.as_deref()), None)
}

fn login_form(next: &str, error: Option<&str>) -> Html<String> {
    let error = error.map_or_else(String::new, |e| {
        format!("<p class=\"error\">{}</p>", escape(e))
    });
    page(
        "Sign in",
        None,
        &format!(
            "<h1>Sign in to review</h1>{error}<form method=\"post\" action=\"/login\">\
             <input type=\"hidden\" name=\"next\" value=\"{}\">\
             <p><label>Reviewer token<br><input type=\"password\" name=\"token\" autocomplete=\"off\" \
             style=\"width:100%;padding:.5rem\" required></label></p>\
             <p><button type=\"submit\">Sign in</button></p></form>\
             <p>An administrator makes your token with <code>gate serve token create --reviewer NAME</code>.</p>",
            escape(next)
        ),
    )
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
    next: Option<String>,
}

async fn login(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if let Err(e) = same_origin(&app, &headers) {
        return e.into_response();
    }
    let next = local_path(form.next.as_deref());
    let token = match app.store.token_by_hash(&hash_token(&form.token)).await {
        Ok(t) => t.filter(|t| t.revoked_at.is_none()),
        Err(e) => return WebError::Api(e.into()).into_response(),
    };
    let Some(token) = token.filter(|t| t.kind == TokenKind::Reviewer) else {
        tracing::warn!("web sign-in refused");
        return (
            StatusCode::UNAUTHORIZED,
            login_form(&next, Some("That is not a live reviewer token.")),
        )
            .into_response();
    };
    let ttl = i64::try_from(app.config.session_ttl().as_secs()).unwrap_or(43_200);
    let session = Session {
        token_id: token.id,
        name: token.name.clone(),
        expires: app.clock.now().as_second() + ttl,
    };
    tracing::info!(reviewer = %token.name, "web sign-in");
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, session_cookie(&app, &session, ttl)),
            (header::LOCATION, next),
        ],
    )
        .into_response()
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(app): State<Arc<App>>,
    reviewer: Reviewer,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !app.signer.csrf_ok(&reviewer.cookie, &form.csrf) {
        return error_page(
            StatusCode::FORBIDDEN,
            "the form's CSRF token is missing or wrong",
            "reload the page",
        );
    }
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
            ),
            (header::LOCATION, "/login".to_string()),
        ],
    )
        .into_response()
}

fn state_badge(state: RequestState) -> String {
    format!("<span class=\"state {state}\">{state}</span>")
}

async fn list_page(
    State(app): State<Arc<App>>,
    reviewer: Reviewer,
) -> Result<Html<String>, WebError> {
    let now = app.clock.now();
    let pending = app
        .store
        .list(&[RequestState::Pending], None, 200)
        .await
        .map_err(ApiError::from)?;
    let recent = app
        .store
        .list(&[], None, 50)
        .await
        .map_err(ApiError::from)?;
    let mut body = String::from("<h1>Pending requests</h1>");
    let rows = |requests: &[&Request]| {
        let mut t = String::from(
            "<table><tr><th>Request</th><th>Command</th><th>Asked by</th><th>State</th></tr>",
        );
        for r in requests {
            let _ = write!(
                t,
                "<tr><td><a href=\"/r/{id}\">{id}</a><br>{env}</td><td><code>{cmd}</code></td><td>{who}</td><td>{state}</td></tr>",
                id = escape(&r.id),
                env = escape(&r.environment),
                cmd = escape(&r.command),
                who = escape(&r.requester.to_string()),
                state = state_badge(r.state),
            );
        }
        t.push_str("</table>");
        t
    };
    let waiting: Vec<&Request> = pending
        .iter()
        .map(|s| &s.request)
        .filter(|r| now < r.expires_at)
        .collect();
    if waiting.is_empty() {
        body.push_str("<p>Nothing is waiting.</p>");
    } else {
        body.push_str(&rows(&waiting));
    }
    body.push_str("<h2>Recent</h2>");
    let recent: Vec<&Request> = recent.iter().map(|s| &s.request).collect();
    body.push_str(&rows(&recent));
    Ok(page("Requests", Some(&reviewer.caller.name), &body))
}

async fn request_page(
    State(app): State<Arc<App>>,
    reviewer: Reviewer,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let stored = app.store.get(&id).await.map_err(ApiError::from)?;
    Ok(render_request(&app, &reviewer, &stored.request, None))
}

fn render_request(
    app: &App,
    reviewer: &Reviewer,
    r: &Request,
    notice: Option<&str>,
) -> Html<String> {
    let now = app.clock.now();
    let mut body = format!(
        "<h1>Request <code>{}</code> {}</h1>",
        escape(&r.id),
        state_badge(r.state)
    );
    if let Some(n) = notice {
        let _ = write!(body, "<p class=\"error\">{}</p>", escape(n));
    }
    let _ = write!(body, "<pre id=\"command\">{}</pre><dl>", escape(&r.command));
    let mut last = "";
    for (label, value) in r
        .summary(now)
        .into_iter()
        .filter(|(l, _)| *l != "command" && *l != "request")
    {
        // The findings after the first `does` line read as a list under it, as in `gate show`.
        let shown = if label == last && label == "does" {
            ""
        } else {
            label
        };
        let _ = write!(
            body,
            "<dt>{}</dt><dd>{}</dd>",
            escape(shown),
            escape(&value)
        );
        last = label;
    }
    body.push_str("</dl>");
    let me = &reviewer.caller.name;
    if r.state == RequestState::Pending && now < r.expires_at {
        match r.eligibility(me) {
            Ok(()) if r.votes.iter().any(|v| &v.by == me) => {
                body.push_str("<p>You have voted on this request.</p>");
            }
            Ok(()) => {
                let _ = write!(
                    body,
                    "<form class=\"vote\" method=\"post\" action=\"/r/{id}/vote\">\
                     <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
                     <input type=\"text\" name=\"reason\" placeholder=\"Reason (required to deny; the requester reads it)\">\
                     <button class=\"approve\" name=\"decision\" value=\"approve\">Approve</button>\
                     <button class=\"deny\" name=\"decision\" value=\"deny\">Deny</button></form>",
                    id = escape(&r.id),
                    csrf = app.signer.csrf(&reviewer.cookie),
                );
            }
            Err(e) => {
                let _ = write!(
                    body,
                    "<p>You cannot vote on this request: {}</p>",
                    escape(&e.to_string())
                );
            }
        }
    }
    let _ = write!(
        body,
        "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <p><button type=\"submit\">Sign out</button></p></form>",
        app.signer.csrf(&reviewer.cookie)
    );
    page(&format!("Request {}", r.id), Some(me), &body)
}

#[derive(Deserialize)]
struct VoteForm {
    csrf: Option<String>,
    decision: String,
    reason: Option<String>,
}

async fn vote(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    reviewer: Reviewer,
    Path(id): Path<String>,
    Form(form): Form<VoteForm>,
) -> Result<Response, WebError> {
    same_origin(&app, &headers)?;
    if !form
        .csrf
        .as_deref()
        .is_some_and(|t| app.signer.csrf_ok(&reviewer.cookie, t))
    {
        tracing::warn!(%id, reviewer = %reviewer.caller.name, "vote without a valid CSRF token refused");
        return Err(WebError::Api(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "the form's CSRF token is missing or wrong",
            )
            .hint("reload the request page and answer there"),
        ));
    }
    let approve = match form.decision.as_str() {
        "approve" => true,
        "deny" => false,
        other => {
            return Err(WebError::Api(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_decision",
                format!("`{other}` is not a decision"),
            )));
        }
    };
    let reason = form.reason.filter(|r| !r.trim().is_empty());
    match cast(&app, &reviewer.caller, &id, approve, reason, "web").await {
        Ok(stored) => {
            Ok(Redirect::to(&format!("/r/{}", percent(&stored.request.id))).into_response())
        }
        Err(e)
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::CONFLICT =>
        {
            let stored = app.store.get(&id).await.map_err(ApiError::from)?;
            Ok((
                e.status,
                render_request(&app, &reviewer, &stored.request, Some(&e.message)),
            )
                .into_response())
        }
        Err(e) => Err(WebError::Api(e)),
    }
}

fn open_link(app: &App, sealed: &str) -> Result<Link, WebError> {
    let link: Link = app.signer.open("link", sealed).map_err(|e| {
        WebError::Api(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "bad_link",
                format!("this review link is not valid: {e}"),
            )
            .hint("ask for a new link, or sign in with your reviewer token"),
        )
    })?;
    live(link.expires, app.clock.now()).map_err(|e| {
        WebError::Api(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "link_expired",
                format!("this review link is not valid: {e}"),
            )
            .hint("ask for a new link, or sign in with your reviewer token"),
        )
    })?;
    Ok(link)
}

/// Shows who the link signs in, and asks for a POST: link previews in chat tools fetch links, and must not use
/// them up.
async fn link_page(
    State(app): State<Arc<App>>,
    Path(sealed): Path<String>,
) -> Result<Html<String>, WebError> {
    let link = open_link(&app, &sealed)?;
    if link.reviewer.is_empty() {
        // A link posted to a whole channel (Teams) names no one: whoever follows it says who they are.
        return Ok(page(
            "Review",
            None,
            &format!(
                "<h1>Review request <code>{id}</code></h1><p>Sign in with your reviewer token to see it and answer.</p>\
                 <p><a href=\"/login?next=/r/{id}\">Sign in</a></p>",
                id = escape(&link.request),
            ),
        ));
    }
    Ok(page(
        "Review",
        None,
        &format!(
            "<h1>Review request <code>{id}</code></h1><p>This link signs you in as <b>{who}</b>, once.</p>\
             <form method=\"post\" action=\"/l/{sealed}\"><button type=\"submit\">Continue as {who}</button></form>",
            id = escape(&link.request),
            who = escape(&link.reviewer),
            sealed = escape(&sealed),
        ),
    ))
}

async fn follow_link(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(sealed): Path<String>,
) -> Result<Response, WebError> {
    same_origin(&app, &headers)?;
    let link = open_link(&app, &sealed)?;
    if link.reviewer.is_empty() {
        return Ok(
            Redirect::to(&format!("/login?next=/r/{}", percent(&link.request))).into_response(),
        );
    }
    let expires_at = Timestamp::from_second(link.expires).unwrap_or(Timestamp::MAX);
    if !app
        .store
        .use_nonce(&link.nonce, expires_at)
        .await
        .map_err(ApiError::from)?
    {
        tracing::warn!(reviewer = %link.reviewer, request = %link.request, "replayed review link refused");
        return Err(WebError::Api(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "link_used",
                "this review link was already used",
            )
            .hint("a link works once; ask for a new one, or sign in with your reviewer token"),
        ));
    }
    let ttl = i64::try_from(app.config.session_ttl().as_secs())
        .unwrap_or(43_200)
        .min(3600);
    let session = Session {
        token_id: format!("link:{}", link.nonce),
        name: link.reviewer.clone(),
        expires: app.clock.now().as_second() + ttl,
    };
    tracing::info!(reviewer = %link.reviewer, request = %link.request, "signed in through a review link");
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, session_cookie(&app, &session, ttl)),
            (header::LOCATION, format!("/r/{}", percent(&link.request))),
        ],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html_and_slack_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & <!here> <https://e.x|click>\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;!here&gt; &lt;https://e.x|click&gt;&quot;"
        );
    }

    #[test]
    fn redirects_stay_on_site() {
        assert_eq!(local_path(Some("/r/01ABC")), "/r/01ABC");
        assert_eq!(local_path(Some("//evil.example")), "/requests");
        assert_eq!(local_path(Some("https://evil.example")), "/requests");
        assert_eq!(local_path(Some("/\\evil.example")), "/requests");
        assert_eq!(local_path(None), "/requests");
    }
}
