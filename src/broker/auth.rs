//! Who is calling. Bearer tokens are random secrets of which the broker keeps only the SHA-256; signed values
//! (review links, web sessions, CSRF tokens) are HMAC-SHA-256 under a key kept in the store, so every replica
//! on one store accepts what another signed.

use hmac::{Hmac, KeyInit as _, Mac as _};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::store::TokenKind;
use crate::request::hex;

/// What the broker knows about the caller of one HTTP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub kind: TokenKind,
    /// The person (reviewer) or the host or pipeline (requester).
    pub name: String,
    /// The token the caller used, or `link:<nonce>` for a web session begun from a signed link.
    pub token_id: String,
}

/// `gate_` and 64 hex digits: 256 random bits.
pub const TOKEN_PREFIX: &str = "gate_";

pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source works");
    hex(&buf)
}

/// A new secret and the hash the broker stores.
pub fn new_token() -> (String, String) {
    let secret = format!("{TOKEN_PREFIX}{}", random_hex(32));
    let hash = hash_token(&secret);
    (secret, hash)
}

pub fn hash_token(secret: &str) -> String {
    hex(&Sha256::digest(secret.trim().as_bytes()))
}

/// Signs and checks values with the store's key.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

type HmacSha256 = Hmac<Sha256>;

/// A signed review link's contents: one reviewer, one request, until `expires`, once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    #[serde(rename = "r")]
    pub request: String,
    #[serde(rename = "u")]
    pub reviewer: String,
    #[serde(rename = "e")]
    pub expires: i64,
    #[serde(rename = "n")]
    pub nonce: String,
}

/// A web session: who, how they signed in, until when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// A token id, or `link:<nonce>`.
    #[serde(rename = "t")]
    pub token_id: String,
    #[serde(rename = "u")]
    pub name: String,
    #[serde(rename = "e")]
    pub expires: i64,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignedError {
    #[error("the signature does not match")]
    BadSignature,
    #[error("it is malformed")]
    Malformed,
    #[error("it expired at {0}")]
    Expired(Timestamp),
}

impl Signer {
    pub fn new(key: Vec<u8>) -> Signer {
        Signer { key }
    }

    fn mac(&self, purpose: &str, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(payload);
        mac
    }

    /// `hex(json).hex(hmac)`: URL- and cookie-safe.
    pub fn seal<T: Serialize>(&self, purpose: &str, value: &T) -> String {
        let json = serde_json::to_vec(value).expect("signed values serialise");
        let tag = self.mac(purpose, &json).finalize().into_bytes();
        format!("{}.{}", hex(&json), hex(&tag))
    }

    /// The value, if `sealed` was signed by this key for `purpose`.
    pub fn open<T: for<'de> Deserialize<'de>>(
        &self,
        purpose: &str,
        sealed: &str,
    ) -> Result<T, SignedError> {
        let (payload, tag) = sealed.split_once('.').ok_or(SignedError::Malformed)?;
        let json = unhex(payload).ok_or(SignedError::Malformed)?;
        let tag = unhex(tag).ok_or(SignedError::Malformed)?;
        self.mac(purpose, &json)
            .verify_slice(&tag)
            .map_err(|_| SignedError::BadSignature)?;
        serde_json::from_slice(&json).map_err(|_| SignedError::Malformed)
    }

    /// A CSRF token tied to one session cookie: a form posted from another site cannot know it.
    pub fn csrf(&self, session_cookie: &str) -> String {
        hex(&self
            .mac("csrf", session_cookie.as_bytes())
            .finalize()
            .into_bytes())
    }

    pub fn csrf_ok(&self, session_cookie: &str, token: &str) -> bool {
        unhex(token).is_some_and(|tag| {
            self.mac("csrf", session_cookie.as_bytes())
                .verify_slice(&tag)
                .is_ok()
        })
    }
}

/// Checks an expiry in unix seconds against `now`.
pub fn live(expires: i64, now: Timestamp) -> Result<(), SignedError> {
    let at = Timestamp::from_second(expires).map_err(|_| SignedError::Malformed)?;
    if now >= at {
        Err(SignedError::Expired(at))
    } else {
        Ok(())
    }
}

/// Hex digits back to bytes; `None` for anything else.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, hb) = new_token();
        assert_ne!(a, b);
        assert_ne!(ha, hb);
        assert!(a.starts_with("gate_") && a.len() == 5 + 64, "{a}");
        assert_eq!(hash_token(&a), ha);
        assert_eq!(hash_token(&format!(" {a}\n")), ha);
        assert!(!ha.contains(&a[5..]));
    }

    #[test]
    fn sealed_values_resist_tampering() {
        let signer = Signer::new(b"k1".to_vec());
        let link = Link {
            request: "01ABC".into(),
            reviewer: "alice".into(),
            expires: 1_800_000_000,
            nonce: "n".into(),
        };
        let sealed = signer.seal("link", &link);
        assert_eq!(signer.open::<Link>("link", &sealed).unwrap(), link);
        // Another purpose, another key, or one changed character: refused.
        assert_eq!(
            signer.open::<Link>("session", &sealed),
            Err(SignedError::BadSignature)
        );
        assert_eq!(
            Signer::new(b"k2".to_vec()).open::<Link>("link", &sealed),
            Err(SignedError::BadSignature)
        );
        let forged = signer.seal(
            "link",
            &Link {
                reviewer: "mallory".into(),
                ..link.clone()
            },
        );
        let (forged_payload, _) = forged.split_once('.').unwrap();
        let (_, tag) = sealed.split_once('.').unwrap();
        assert_eq!(
            signer.open::<Link>("link", &format!("{forged_payload}.{tag}")),
            Err(SignedError::BadSignature)
        );
        assert_eq!(
            signer.open::<Link>("link", "zz.zz"),
            Err(SignedError::Malformed)
        );
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        assert!(matches!(
            live(link.expires, now),
            Err(SignedError::Expired(_))
        ));
        assert_eq!(live(link.expires + 1, now), Ok(()));
        let csrf = signer.csrf("cookie");
        assert!(signer.csrf_ok("cookie", &csrf));
        assert!(!signer.csrf_ok("other", &csrf));
        assert!(!signer.csrf_ok("cookie", ""));
    }
}
