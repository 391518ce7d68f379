//! The hash chain, with no I/O. A record is canonical JSON (sorted keys, no spaces) with `seq`, `prev` and
//! `time`; its `hash` is SHA-256 over that JSON without the `hash` key. Verification demands that every line is
//! exactly the canonical form of itself, so any edit shows, even one that keeps the JSON valid.

use serde_json::{Map, Value};

use super::event::Event;
use crate::request::{sha256_tagged, sha256_tagged_parts};

/// The `prev` of the first record.
pub const GENESIS: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// The last record of a chain: what the next one links to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tail {
    pub seq: u64,
    pub hash: String,
}

/// Writes a JSON value canonically: object keys sorted, no insignificant whitespace. Done by hand so that the
/// form never depends on which serde_json features some other crate switched on; strings and numbers are
/// serde_json's own output.
pub fn canonical(value: &Value) -> String {
    let mut out = Vec::new();
    write_canonical(value, None, &mut out);
    String::from_utf8(out).expect("JSON text is UTF-8")
}

/// Appends the canonical form of `value`. When it is an object holding the key `find`, returns the byte range of
/// that member with the comma that joins it to the others: what is left without it is the canonical form of the
/// object without the key, which is the body a record's hash is taken over.
fn write_canonical(
    value: &Value,
    find: Option<&str>,
    out: &mut Vec<u8>,
) -> Option<std::ops::Range<usize>> {
    let mut found = None;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            let only = keys.len() == 1;
            for (i, k) in keys.into_iter().enumerate() {
                let start = out.len();
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, k).expect("a string serialises");
                out.push(b':');
                write_canonical(&map[k], None, out);
                if find == Some(k.as_str()) {
                    // The first member takes the comma after it; any other, the one before it.
                    found = Some(if i == 0 && !only {
                        start..out.len() + 1
                    } else {
                        start..out.len()
                    });
                }
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(v, None, out);
            }
            out.push(b']');
        }
        other => serde_json::to_writer(&mut *out, other).expect("a scalar serialises"),
    }
    found
}

/// Builds the record that follows `prev`: returns the line (without newline) and the new tail.
pub fn seal(prev: Option<&Tail>, time: &str, event: &Event) -> (String, Tail) {
    let Value::Object(fields) = serde_json::to_value(event).expect("events serialise") else {
        unreachable!("events are objects");
    };
    let seq = prev.map_or(1, |t| t.seq + 1);
    let mut body: Map<String, Value> = fields;
    body.insert("seq".into(), Value::from(seq));
    body.insert(
        "prev".into(),
        Value::from(prev.map_or(GENESIS, |t| t.hash.as_str())),
    );
    body.insert("time".into(), Value::from(time));
    let mut record = Value::Object(body);
    let hash = sha256_tagged(canonical(&record).as_bytes());
    record
        .as_object_mut()
        .expect("object")
        .insert("hash".into(), Value::from(hash.clone()));
    (canonical(&record), Tail { seq, hash })
}

/// What is wrong with a chain, and where: the first bad record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("line {line}: not a JSON record")]
    NotJson { line: usize },
    #[error("line {line}: record is not in canonical form (it was edited)")]
    NotCanonical { line: usize },
    #[error("line {line}: record lacks `{field}`")]
    Missing { line: usize, field: &'static str },
    #[error("line {line}: record seq {seq}: hash does not match its contents (it was edited)")]
    BadHash { line: usize, seq: u64 },
    #[error(
        "line {line}: expected seq {expected}, found {found} (a record was deleted, inserted or moved)"
    )]
    Sequence {
        line: usize,
        expected: u64,
        found: u64,
    },
    #[error(
        "line {line}: record seq {seq} does not link to the record before it (a record was deleted, inserted or moved)"
    )]
    Link { line: usize, seq: u64 },
    #[error(
        "line {line}: the last line is torn (a crash cut it short); the next append will seal it"
    )]
    TornLastLine { line: usize },
    #[error(
        "the file ends at seq {found}, but the head says seq {expected} was written (the file was truncated)"
    )]
    Truncated { expected: u64, found: u64 },
    #[error("record seq {seq} does not match the head's hash (records were replaced)")]
    HeadMismatch { seq: u64 },
}

/// A verified chain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verified {
    pub records: u64,
    pub last: Option<Tail>,
    /// Lines a crash tore and a later append sealed: (line number, seq of the sealing record).
    pub sealed: Vec<(usize, u64)>,
}

/// Checks a whole audit file. `head` is the last (seq, hash) gate recorded as written, when known: it is what
/// catches a file cut short at a record boundary.
pub fn verify(bytes: &[u8], head: Option<&Tail>) -> Result<Verified, ChainError> {
    let mut verifier = Verifier::new(head.cloned());
    let mut lines = bytes.split_inclusive(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        verifier.line(line, lines.peek().is_none())?;
    }
    verifier.finish()
}

/// Checks a chain a line at a time, so that a file of any size is verified in bounded memory: feed it every
/// line in order (with its newline, when it has one), then [`Verifier::finish`].
#[derive(Debug)]
pub struct Verifier {
    head: Option<Tail>,
    out: Verified,
    line: usize,
    /// A line that is not a record, waiting for the `sealed` record that must follow it.
    torn: Option<(usize, Vec<u8>)>,
    head_hash_seen: bool,
    /// Reused for each record's canonical forms.
    scratch: Vec<u8>,
}

impl Verifier {
    pub fn new(head: Option<Tail>) -> Self {
        Verifier {
            head,
            out: Verified::default(),
            line: 0,
            torn: None,
            head_hash_seen: false,
            scratch: Vec::new(),
        }
    }

    /// The next line. `last` says it is the file's last, which alone may lack its newline (and is then torn).
    pub fn line(&mut self, with_newline: &[u8], last: bool) -> Result<(), ChainError> {
        self.line += 1;
        let line = self.line;
        let Some(raw) = with_newline.strip_suffix(b"\n") else {
            // A record is only whole once its newline is written: without one the line is torn, even if it
            // parses.
            debug_assert!(last, "only the last line can lack its newline");
            return Err(ChainError::TornLastLine { line });
        };
        let parsed: Option<Value> = serde_json::from_slice(raw).ok();
        let Some(value) = parsed.filter(Value::is_object) else {
            if self.torn.is_some() {
                return Err(ChainError::NotJson { line: line - 1 });
            }
            self.torn = Some((line, raw.to_vec()));
            return Ok(());
        };
        self.scratch.clear();
        let hash_member = write_canonical(&value, Some("hash"), &mut self.scratch);
        if self.scratch != raw {
            return Err(ChainError::NotCanonical { line });
        }
        let seq = value
            .get("seq")
            .and_then(Value::as_u64)
            .ok_or(ChainError::Missing { line, field: "seq" })?;
        let prev = value
            .get("prev")
            .and_then(Value::as_str)
            .ok_or(ChainError::Missing {
                line,
                field: "prev",
            })?;
        let hash = value
            .get("hash")
            .and_then(Value::as_str)
            .ok_or(ChainError::Missing {
                line,
                field: "hash",
            })?;
        let body = hash_member.map_or([raw, &[][..]], |r| [&raw[..r.start], &raw[r.end..]]);
        if sha256_tagged_parts(&body) != hash {
            return Err(ChainError::BadHash { line, seq });
        }
        let expected = self.out.last.as_ref().map_or(1, |t| t.seq + 1);
        if seq != expected {
            return Err(ChainError::Sequence {
                line,
                expected,
                found: seq,
            });
        }
        if prev != self.out.last.as_ref().map_or(GENESIS, |t| t.hash.as_str()) {
            return Err(ChainError::Link { line, seq });
        }
        if let Some((torn_line, torn_bytes)) = self.torn.take() {
            // Only a seal that names exactly these bytes excuses a line that is not a record.
            let seals = value.get("event").and_then(Value::as_str) == Some("sealed")
                && value.get("torn_digest").and_then(Value::as_str)
                    == Some(sha256_tagged(&torn_bytes).as_str())
                && value.get("torn_bytes").and_then(Value::as_u64) == Some(torn_bytes.len() as u64);
            if !seals {
                return Err(ChainError::NotJson { line: torn_line });
            }
            self.out.sealed.push((torn_line, seq));
        }
        if let Some(h) = &self.head
            && h.seq == seq
        {
            if h.hash != hash {
                return Err(ChainError::HeadMismatch { seq });
            }
            self.head_hash_seen = true;
        }
        self.out.records += 1;
        self.out.last = Some(Tail {
            seq,
            hash: hash.to_string(),
        });
        Ok(())
    }

    /// The verdict once every line is in.
    pub fn finish(self) -> Result<Verified, ChainError> {
        if let Some((line, _)) = self.torn {
            return Err(ChainError::NotJson { line });
        }
        if let Some(h) = &self.head
            && !self.head_hash_seen
        {
            return Err(ChainError::Truncated {
                expected: h.seq,
                found: self.out.last.as_ref().map_or(0, |t| t.seq),
            });
        }
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u32) -> Event {
        Event::Error {
            id: Some(format!("id{n}")),
            exit: 70,
            message: format!("message {n} ✓ \"quoted\""),
        }
    }

    fn chain(n: u32) -> (String, Tail) {
        let mut text = String::new();
        let mut tail: Option<Tail> = None;
        for i in 0..n {
            let (line, t) = seal(tail.as_ref(), "2026-11-24T00:00:00.000Z", &event(i));
            text.push_str(&line);
            text.push('\n');
            tail = Some(t);
        }
        (text, tail.unwrap())
    }

    #[test]
    fn a_sealed_chain_verifies() {
        let (text, tail) = chain(5);
        let v = verify(text.as_bytes(), Some(&tail)).unwrap();
        assert_eq!(v.records, 5);
        assert_eq!(v.last, Some(tail));
        assert_eq!(verify(b"", None).unwrap().records, 0);
    }

    #[test]
    fn canonical_form_sorts_keys_at_every_depth() {
        let v: Value =
            serde_json::from_str(r#"{"b":1,"a":{"d":[1,{"z":0,"y":"x"}],"c":null}}"#).unwrap();
        assert_eq!(
            canonical(&v),
            r#"{"a":{"c":null,"d":[1,{"y":"x","z":0}]},"b":1}"#
        );
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let (text, tail) = chain(4);
        let lines: Vec<&str> = text.lines().collect();
        let join = |ls: &[&str]| ls.iter().flat_map(|l| [*l, "\n"]).collect::<String>();

        let edited = text.replacen("message 1", "message X", 1);
        assert!(matches!(
            verify(edited.as_bytes(), Some(&tail)),
            Err(ChainError::BadHash { line: 2, seq: 2 })
        ));
        let deleted = join(&[lines[0], lines[2], lines[3]]);
        assert!(matches!(
            verify(deleted.as_bytes(), Some(&tail)),
            Err(ChainError::Sequence { line: 2, .. })
        ));
        let reordered = join(&[lines[0], lines[2], lines[1], lines[3]]);
        assert!(matches!(
            verify(reordered.as_bytes(), Some(&tail)),
            Err(ChainError::Sequence { line: 2, .. })
        ));
        let truncated = join(&lines[..3]);
        assert!(matches!(
            verify(truncated.as_bytes(), Some(&tail)),
            Err(ChainError::Truncated {
                expected: 4,
                found: 3
            })
        ));
        let torn = &text[..text.len() - 10];
        assert!(matches!(
            verify(torn.as_bytes(), Some(&tail)),
            Err(ChainError::TornLastLine { line: 4 })
        ));
        let spaced = text.replacen("\"seq\":2", "\"seq\": 2", 1);
        assert!(matches!(
            verify(spaced.as_bytes(), Some(&tail)),
            Err(ChainError::NotCanonical { line: 2 })
        ));
    }

    #[test]
    fn a_sealed_torn_line_is_reported_not_an_error() {
        let (text, tail) = chain(2);
        let torn = "{\"event\":\"requ";
        let (seal_line, sealed_tail) = seal(
            Some(&tail),
            "2026-11-24T00:00:01.000Z",
            &Event::Sealed {
                torn_bytes: torn.len() as u64,
                torn_digest: sha256_tagged(torn.as_bytes()),
            },
        );
        let file = format!("{text}{torn}\n{seal_line}\n");
        let v = verify(file.as_bytes(), Some(&sealed_tail)).unwrap();
        assert_eq!(v.sealed, vec![(3, 3)]);
        // A seal cannot excuse different bytes.
        let forged = format!("{text}{{\"event\":\"other\n{seal_line}\n");
        assert!(matches!(
            verify(forged.as_bytes(), Some(&sealed_tail)),
            Err(ChainError::NotJson { line: 3 })
        ));
    }
}
