//! The CLI's side of the broker: HTTPS (rustls) with a bearer token. Every failure says what to do, and an
//! unreachable broker is exit 75, never a reason to run the command anyway.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::api::{AuditBatch, ExecuteBody, VoteBody};
use super::store::Stored;
use crate::approval::{Request, State};
use crate::exit::{Diagnostic, Exit};

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error("cannot read the broker token from {}", path.display())]
    Token {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the broker token file {} is empty", path.display())]
    EmptyToken { path: PathBuf },
    #[error("the broker url `{0}` is not an http:// or https:// URL")]
    Url(String),
    #[error("cannot reach the broker at {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the broker refused: {message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
        hint: Option<String>,
    },
    #[error("the broker at {url} answered with something that is not gate's API: {message}")]
    Malformed { url: String, message: String },
}

impl BrokerError {
    pub fn status(&self) -> Option<u16> {
        match self {
            BrokerError::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl Diagnostic for BrokerError {
    fn exit(&self) -> Exit {
        match self {
            BrokerError::Token { .. } | BrokerError::EmptyToken { .. } | BrokerError::Url(_) => {
                Exit::Config
            }
            BrokerError::Unreachable { .. } | BrokerError::Malformed { .. } => Exit::Unavailable,
            BrokerError::Refused { status, .. } => match *status {
                401 => Exit::Config,
                403 => Exit::Denied,
                400 | 404 | 422 => Exit::Usage,
                _ => Exit::Unavailable,
            },
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            BrokerError::Token { .. } | BrokerError::EmptyToken { .. } => {
                "put the token `gate serve token create` printed into the file `backend.token_file` names".into()
            }
            BrokerError::Url(_) => "set `backend.url` in config.yaml, e.g. https://gate.example.com".into(),
            BrokerError::Unreachable { .. } => {
                "nothing ran; check that `gate serve` is up and reachable, then try again".into()
            }
            BrokerError::Refused { status: 401, .. } => {
                "the token in `backend.token_file` is wrong or revoked; ask for a new one".into()
            }
            BrokerError::Refused { hint: Some(h), .. } => h.clone(),
            BrokerError::Refused { .. } => "nothing ran".into(),
            BrokerError::Malformed { .. } => "check `backend.url`: it should name a `gate serve` broker".into(),
        })
    }
}

/// A connection to one broker.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// How long any call but a long poll may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(15);

impl Client {
    /// Reads the token file and prepares the connection; nothing is sent yet.
    pub fn new(url: &str, token_file: &Path) -> Result<Client, BrokerError> {
        let url = url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(BrokerError::Url(url));
        }
        let token = std::fs::read_to_string(token_file).map_err(|source| BrokerError::Token {
            path: token_file.to_path_buf(),
            source,
        })?;
        let token = token.trim().to_string();
        if token.is_empty() {
            return Err(BrokerError::EmptyToken {
                path: token_file.to_path_buf(),
            });
        }
        Ok(Client::with_token(&url, token))
    }

    pub fn with_token(url: &str, token: String) -> Client {
        // One process-wide crypto provider for rustls; a second install attempt is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with the default settings builds");
        Client {
            http,
            base: url.trim_end_matches('/').to_string(),
            token,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&dyn erased::Body>,
        timeout: Duration,
    ) -> Result<T, BrokerError> {
        let url = format!("{}{path}", self.base);
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(&self.token)
            .timeout(timeout);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.json());
        }
        let response = request
            .send()
            .await
            .map_err(|source| BrokerError::Unreachable {
                url: self.base.clone(),
                source,
            })?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|source| BrokerError::Unreachable {
                url: self.base.clone(),
                source,
            })?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| BrokerError::Malformed {
                url: url.clone(),
                message: e.to_string(),
            });
        }
        let error: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let text = |k: &str| {
            error
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        Err(BrokerError::Refused {
            status: status.as_u16(),
            code: text("code").unwrap_or_default(),
            message: text("error").unwrap_or_else(|| {
                format!(
                    "{} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
            }),
            hint: text("hint"),
        })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, BrokerError> {
        self.call(reqwest::Method::GET, path, None, CALL_TIMEOUT)
            .await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &dyn erased::Body,
    ) -> Result<T, BrokerError> {
        self.call(reqwest::Method::POST, path, Some(body), CALL_TIMEOUT)
            .await
    }

    /// The caller's kind and name, as the broker sees the token.
    pub async fn whoami(&self) -> Result<(String, String), BrokerError> {
        let v: serde_json::Value = self.get("/v1/whoami").await?;
        let field = |k: &str| {
            v.get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Ok((field("kind"), field("name")))
    }

    pub async fn create(&self, request: &Request) -> Result<Stored, BrokerError> {
        self.post("/v1/requests", request).await
    }

    pub async fn request(&self, id: &str) -> Result<Stored, BrokerError> {
        self.get(&format!("/v1/requests/{}", path_segment(id)))
            .await
    }

    /// Long poll: returns when the request's version differs from `version`, or after `wait`.
    pub async fn wait(
        &self,
        id: &str,
        version: i64,
        wait: Duration,
    ) -> Result<Stored, BrokerError> {
        self.call(
            reqwest::Method::GET,
            &format!(
                "/v1/requests/{}?wait={}ms&version={version}",
                path_segment(id),
                wait.as_millis()
            ),
            None,
            wait + CALL_TIMEOUT,
        )
        .await
    }

    pub async fn list(
        &self,
        states: &[State],
        digest: Option<&str>,
    ) -> Result<Vec<Stored>, BrokerError> {
        #[derive(serde::Deserialize)]
        struct Listed {
            requests: Vec<Stored>,
        }
        let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let mut path = format!("/v1/requests?limit=1000&state={}", states.join(","));
        if let Some(d) = digest {
            path = format!("{path}&digest={}", path_segment(d));
        }
        Ok(self.get::<Listed>(&path).await?.requests)
    }

    pub async fn vote(
        &self,
        id: &str,
        approve: bool,
        reason: Option<String>,
        channel: &str,
    ) -> Result<Stored, BrokerError> {
        let body = VoteBody {
            decision: if approve { "approve" } else { "deny" }.into(),
            reason,
            channel: Some(channel.into()),
        };
        self.post(&format!("/v1/requests/{}/votes", path_segment(id)), &body)
            .await
    }

    pub async fn cancel(&self, id: &str) -> Result<Stored, BrokerError> {
        self.post(
            &format!("/v1/requests/{}/cancel", path_segment(id)),
            &serde_json::json!({}),
        )
        .await
    }

    pub async fn execute(&self, id: &str, digest: &str) -> Result<Stored, BrokerError> {
        self.post(
            &format!("/v1/requests/{}/execute", path_segment(id)),
            &ExecuteBody {
                digest: digest.into(),
            },
        )
        .await
    }

    /// Sends audit records; returns how many the broker had not seen before.
    pub async fn ship_audit(
        &self,
        stream: &str,
        records: Vec<serde_json::Value>,
    ) -> Result<usize, BrokerError> {
        let v: serde_json::Value = self
            .post(
                "/v1/audit",
                &AuditBatch {
                    stream: stream.into(),
                    records,
                },
            )
            .await?;
        Ok(v.get("added")
            .and_then(serde_json::Value::as_u64)
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX)))
    }
}

/// Ids and digests go into paths and queries; anything but their own characters is escaped.
fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Bodies of any serialisable type behind one object-safe trait.
mod erased {
    pub trait Body {
        fn json(&self) -> Vec<u8>;
    }

    impl<T: super::Serialize> Body for T {
        fn json(&self) -> Vec<u8> {
            serde_json::to_vec(self).expect("API bodies serialise")
        }
    }
}

/// Outbound deliveries to third parties (webhooks, paging): one POST, and whether the receiver took it.
#[derive(Clone)]
pub struct Outbound {
    http: reqwest::Client,
}

impl Default for Outbound {
    fn default() -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Outbound {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(10))
                .user_agent(concat!("gate/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("an HTTP client with the default settings builds"),
        }
    }
}

impl Outbound {
    /// POSTs `body` as JSON with `headers`; a 2xx is delivered, anything else says why not.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<(), String> {
        self.exchange(reqwest::Method::POST, url, headers, Some(body))
            .await
            .map(|_| ())
    }

    /// One call whose answer is JSON: the answer, or why there is none.
    pub async fn call_json(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
    ) -> Result<serde_json::Value, String> {
        let method = if method == "GET" {
            reqwest::Method::GET
        } else {
            reqwest::Method::POST
        };
        let bytes = self.exchange(method, url, headers, body).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| format!("{url} answered something that is not JSON: {e}"))
    }

    async fn exchange(
        &self,
        method: reqwest::Method,
        url: &str,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
    ) -> Result<Vec<u8>, String> {
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body.to_vec());
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        // Never echo a URL's query or a header: webhook URLs and tokens are secrets.
        let shown = url.split('?').next().unwrap_or(url);
        match request.send().await {
            Ok(r) if r.status().is_success() => r
                .bytes()
                .await
                .map(|b| b.to_vec())
                .map_err(|e| format!("{shown} broke off its answer: {e}")),
            Ok(r) => Err(format!("{shown} answered {}", r.status())),
            Err(e) => Err(format!("cannot reach {shown}: {}", e.without_url())),
        }
    }
}
