//! What the broker keeps, behind one trait with two implementations: SQLite (the embedded default, one file) and
//! PostgreSQL (several replicas behind a load balancer). Every change to a request goes through `update`, which
//! reads the row under a lock, applies a pure transition from `approval` and writes the result in one
//! transaction, so racing votes, claims and sweeps across replicas resolve the same way the local store does.

use futures_util::future::BoxFuture;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::approval::{Request, State, TransitionError};

/// A request as stored: the request, how many times it changed, and the token that submitted it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    #[serde(flatten)]
    pub request: Request,
    pub version: i64,
    #[serde(skip)]
    pub origin: String,
}

impl Stored {
    /// A request just inserted: version 0.
    pub fn fresh(request: &Request, origin: &str) -> Stored {
        Stored {
            request: request.clone(),
            version: 0,
            origin: origin.to_string(),
        }
    }
}

/// A row as the stores read it: the request, its version and its origin.
impl From<(Request, i64, String)> for Stored {
    fn from((request, version, origin): (Request, i64, String)) -> Stored {
        Stored {
            request,
            version,
            origin,
        }
    }
}

/// Which side of a request a token stands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A host or pipeline that submits requests; it can never vote.
    Requester,
    /// One person, named as the policy names them.
    Reviewer,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Requester => "requester",
            TokenKind::Reviewer => "reviewer",
        }
    }

    pub fn parse(s: &str) -> Option<TokenKind> {
        match s {
            "requester" => Some(TokenKind::Requester),
            "reviewer" => Some(TokenKind::Reviewer),
            _ => None,
        }
    }
}

/// A bearer token as the broker keeps it: only the SHA-256 of the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    pub id: String,
    pub kind: TokenKind,
    pub name: String,
    #[serde(skip)]
    pub hash: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// One audit record shipped by a client, or written by the broker itself (`seq` is `None`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub source: String,
    pub stream: String,
    pub seq: Option<i64>,
    pub hash: Option<String>,
    pub record: serde_json::Value,
    pub received_at: Timestamp,
}

/// A boxed change: the pure transition to apply to the stored request.
pub type Change =
    Box<dyn FnOnce(&Request) -> std::result::Result<Option<Request>, TransitionError> + Send>;

/// The broker's audit record of a change, made from the request as changed, and committed with it.
pub type Note = Box<dyn FnOnce(&Request) -> Option<AuditEntry> + Send>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the broker's store is unavailable: {0}")]
    Unavailable(String),
    #[error("no request matches `{0}`")]
    NotFound(String),
    #[error("`{prefix}` matches {count} requests")]
    Ambiguous { prefix: String, count: usize },
    #[error("request {0} already exists")]
    Exists(String),
    #[error("request {id} in the store cannot be read: {message}")]
    Corrupt { id: String, message: String },
    #[error(transparent)]
    Refused(#[from] TransitionError),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The broker's storage.
pub trait Store: Send + Sync {
    /// Which implementation this is, for `/healthz` and the logs.
    fn name(&self) -> &'static str;
    /// Answers when the store can be used.
    fn ping(&self) -> BoxFuture<'_, Result<()>>;
    /// The key that signs links, sessions and CSRF tokens: made once, shared by every replica on the store.
    fn signing_key(&self) -> BoxFuture<'_, Result<Vec<u8>>>;

    /// Inserts a request with the broker's record of it, in one transaction.
    fn insert<'a>(
        &'a self,
        request: &'a Request,
        origin: &'a str,
        entry: &'a AuditEntry,
    ) -> BoxFuture<'a, Result<Stored>>;
    /// An id, or any unique prefix of one.
    fn get<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Stored>>;
    /// Requests in these states (every state when empty), for one digest when given, newest first.
    fn list<'a>(
        &'a self,
        states: &'a [State],
        digest: Option<&'a str>,
        limit: usize,
    ) -> BoxFuture<'a, Result<Vec<Stored>>>;
    /// Applies `change` atomically, with the record `note` makes of it; returns the request as it now stands and
    /// whether it changed.
    fn update<'a>(
        &'a self,
        id: &'a str,
        change: Change,
        note: Note,
    ) -> BoxFuture<'a, Result<(Stored, bool)>>;

    fn add_token<'a>(&'a self, token: &'a TokenRecord) -> BoxFuture<'a, Result<()>>;
    /// A token by the hash of its secret (revoked ones too: the caller checks).
    fn token_by_hash<'a>(&'a self, hash: &'a str) -> BoxFuture<'a, Result<Option<TokenRecord>>>;
    fn token_by_id<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<TokenRecord>>>;
    fn tokens(&self) -> BoxFuture<'_, Result<Vec<TokenRecord>>>;
    /// Revokes a token; `false` when no live token has that id.
    fn revoke<'a>(&'a self, id: &'a str, at: Timestamp) -> BoxFuture<'a, Result<bool>>;

    /// Marks a signed link's nonce used; `false` when it was used before.
    fn use_nonce<'a>(
        &'a self,
        nonce: &'a str,
        expires_at: Timestamp,
    ) -> BoxFuture<'a, Result<bool>>;

    /// Keeps audit records; returns how many were new (a resent record is counted once).
    fn append_audit<'a>(&'a self, entries: &'a [AuditEntry]) -> BoxFuture<'a, Result<usize>>;
    /// The most recent `limit` audit entries, oldest first.
    fn audit(&self, limit: usize) -> BoxFuture<'_, Result<Vec<AuditEntry>>>;
}
