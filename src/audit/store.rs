//! The audit file on disk. Appends take an exclusive lock on the file and `fsync` before returning, so records
//! from concurrent gate processes never interleave or vanish. Beside the file, `audit.jsonl.head` records the
//! last (seq, hash) written: it is what lets `gate audit verify` notice a file cut short between two records.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::Value;

use super::chain::{self, ChainError, Tail, Verified};
use super::event::Event;
use crate::exit::{Diagnostic, Exit};
use crate::request::sha256_tagged;

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot open the audit file {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot lock the audit file {}", path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the audit file {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the audit file {} ends in a record gate cannot read: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },
    #[error("the audit file {} failed verification", path.display())]
    Chain {
        path: PathBuf,
        #[source]
        source: ChainError,
    },
    #[error("the audit head {} is missing, so a truncated file could not be told from a whole one", path.display())]
    HeadMissing { path: PathBuf },
}

impl Diagnostic for AuditError {
    fn exit(&self) -> Exit {
        Exit::Internal
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            AuditError::Open { path, .. } | AuditError::Lock { path, .. } | AuditError::Write { path, .. } => {
                let dir = path.parent().unwrap_or(path).display();
                format!(
                    "gate runs nothing it cannot audit: make {dir} writable for this account, or point GATE_HOME at a \
                     directory that is"
                )
            }
            AuditError::Corrupt { .. } | AuditError::Chain { .. } => {
                "run `gate audit verify` to see the first bad record; keep the file as evidence and start a new one \
                 by moving it aside"
                    .to_string()
            }
            AuditError::HeadMissing { .. } => {
                "the head file is written beside the audit file on every append; restore it from a backup".to_string()
            }
        })
    }
}

/// The audit file at one path.
#[derive(Debug)]
pub struct AuditLog {
    path: PathBuf,
    /// The open file, kept between the appends of one run so each costs one lock, one write and one fsync.
    file: std::cell::RefCell<Option<File>>,
    head: std::cell::RefCell<Option<File>>,
}

/// Opens a file, creating it if needed. A file gate creates is made group-writable whatever the umask: a shared
/// audit trail lives in a setgid directory of a group whose members all append to it.
fn open_group_writable(path: &Path, options: &mut OpenOptions) -> std::io::Result<File> {
    match options.clone().open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match options.clone().create_new(true).mode(0o660).open(path) {
                Ok(file) => {
                    file.set_permissions(std::fs::Permissions::from_mode(0o660))?;
                    Ok(file)
                }
                // Another process created it between the two opens.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => options.open(path),
                Err(e) => Err(e),
            }
        }
        other => other,
    }
}

/// The head file's fixed width: a seq and a tagged SHA-256 fit with room to spare.
const HEAD_WIDTH: usize = 128;

/// How far back to look for the last record before reading more.
const TAIL_WINDOW: u64 = 16 * 1024;

impl AuditLog {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        AuditLog {
            path: path.into(),
            file: std::cell::RefCell::new(None),
            head: std::cell::RefCell::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn head_path(&self) -> PathBuf {
        let mut p = self.path.clone().into_os_string();
        p.push(".head");
        PathBuf::from(p)
    }

    /// Opens the file for appending, creating it (and its directory) on first use.
    fn open_for_append(&self) -> Result<File, AuditError> {
        let open_err = |source| AuditError::Open {
            path: self.path.clone(),
            source,
        };
        let open = || open_group_writable(&self.path, OpenOptions::new().read(true).append(true));
        match open() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = self.path.parent() {
                    std::fs::create_dir_all(dir).map_err(open_err)?;
                }
                open().map_err(open_err)
            }
            other => other.map_err(open_err),
        }
    }

    /// Appends events as one batch: one lock, one write, one `fsync`. Returns the new tail. The file stays open
    /// for the next append of the same run.
    pub fn append(&self, time: Timestamp, events: &[Event]) -> Result<Tail, AuditError> {
        let mut slot = self.file.borrow_mut();
        if slot.is_none() {
            *slot = Some(self.open_for_append()?);
        }
        let file = slot.as_mut().expect("opened above");
        file.lock().map_err(|source| AuditError::Lock {
            path: self.path.clone(),
            source,
        })?;
        let result = self.append_locked(file, time, events);
        // Unlocking can only fail if the descriptor is gone, and closing it releases the lock anyway.
        let _ = file.unlock();
        result
    }

    fn append_locked(
        &self,
        file: &mut File,
        time: Timestamp,
        events: &[Event],
    ) -> Result<Tail, AuditError> {
        let write_err = |source| AuditError::Write {
            path: self.path.clone(),
            source,
        };
        let (mut tail, torn) = self.read_tail(file)?;
        let stamp = format_time(time);
        let mut batch = String::new();
        if let Some(torn) = torn {
            batch.push('\n');
            let seal = Event::Sealed {
                torn_bytes: torn.len() as u64,
                torn_digest: sha256_tagged(&torn),
            };
            let (line, t) = chain::seal(tail.as_ref(), &stamp, &seal);
            batch.push_str(&line);
            batch.push('\n');
            tail = Some(t);
        }
        for event in events {
            let (line, t) = chain::seal(tail.as_ref(), &stamp, event);
            batch.push_str(&line);
            batch.push('\n');
            tail = Some(t);
        }
        file.write_all(batch.as_bytes()).map_err(write_err)?;
        file.sync_data().map_err(write_err)?;
        let tail = tail.expect("at least one record was written");
        self.write_head(&tail).map_err(write_err)?;
        Ok(tail)
    }

    /// Overwrites the head in place. The record is padded to a fixed width, so the file never needs truncating:
    /// a truncate-and-rewrite on ext4 forces a data flush on close, which would cost a third disk wait per run.
    fn write_head(&self, tail: &Tail) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt as _;
        let mut slot = self.head.borrow_mut();
        if slot.is_none() {
            *slot = Some(open_group_writable(
                &self.head_path(),
                OpenOptions::new().write(true).truncate(false),
            )?);
        }
        let mut record = serde_json::to_string(tail).expect("a tail serialises");
        let width = HEAD_WIDTH.max(record.len() + 1);
        record.extend(std::iter::repeat_n(' ', width - 1 - record.len()));
        record.push('\n');
        slot.as_ref()
            .expect("opened above")
            .write_all_at(record.as_bytes(), 0)
    }

    /// The last complete record's (seq, hash), and the bytes of a torn last line if a crash left one.
    fn read_tail(&self, file: &mut File) -> Result<(Option<Tail>, Option<Vec<u8>>), AuditError> {
        let read_err = |source| AuditError::Open {
            path: self.path.clone(),
            source,
        };
        let len = file.metadata().map_err(read_err)?.len();
        if len == 0 {
            return Ok((None, None));
        }
        let mut window = TAIL_WINDOW.min(len);
        loop {
            let start = len - window;
            let mut buf = vec![0; usize::try_from(window).expect("window fits in memory")];
            file.seek(SeekFrom::Start(start)).map_err(read_err)?;
            file.read_exact(&mut buf).map_err(read_err)?;
            // Where the complete lines end: after the last newline.
            let complete_end = buf.iter().rposition(|&b| b == b'\n').map(|p| p + 1);
            let torn_from = match complete_end {
                Some(end) => end,
                None if start == 0 => 0,
                None => {
                    window = (window * 4).min(len);
                    continue;
                }
            };
            let torn = (torn_from < buf.len()).then(|| buf[torn_from..].to_vec());
            if torn_from == 0 {
                // Nothing complete in the whole file: only a torn fragment.
                return Ok((None, torn));
            }
            let body = &buf[..torn_from - 1];
            let line_start = match body.iter().rposition(|&b| b == b'\n') {
                Some(p) => p + 1,
                None if start == 0 => 0,
                None => {
                    window = (window * 4).min(len);
                    continue;
                }
            };
            let last = &body[line_start..];
            let tail = parse_tail(last).ok_or_else(|| AuditError::Corrupt {
                path: self.path.clone(),
                detail: "the last line is not a sealed record".into(),
            })?;
            return Ok((Some(tail), torn));
        }
    }

    /// Reads the whole file and its head under a shared lock, so that no append is half-seen.
    pub fn read(&self) -> Result<(Vec<u8>, Option<Tail>), AuditError> {
        let open_err = |source| AuditError::Open {
            path: self.path.clone(),
            source,
        };
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), None)),
            Err(e) => return Err(open_err(e)),
        };
        file.lock_shared().map_err(|source| AuditError::Lock {
            path: self.path.clone(),
            source,
        })?;
        let mut bytes = Vec::new();
        let read = file.read_to_end(&mut bytes).map_err(open_err);
        let head = std::fs::read(self.head_path())
            .ok()
            .and_then(|h| serde_json::from_slice::<Tail>(&h).ok());
        let _ = file.unlock();
        read?;
        Ok((bytes, head))
    }

    /// The complete lines from byte `offset` on, read under a shared lock, and the offset just past them: what a
    /// shipper that remembers its place reads, without reading the whole file each time. A file shorter than
    /// `offset` (replaced, say) is read from the start.
    pub fn read_from(&self, offset: u64) -> Result<(Vec<u8>, u64), AuditError> {
        let open_err = |source| AuditError::Open {
            path: self.path.clone(),
            source,
        };
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(open_err(e)),
        };
        file.lock_shared().map_err(|source| AuditError::Lock {
            path: self.path.clone(),
            source,
        })?;
        let read = (|| {
            let len = file.metadata()?.len();
            let start = if offset <= len { offset } else { 0 };
            file.seek(SeekFrom::Start(start))?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            bytes.truncate(complete);
            Ok((bytes, start + complete as u64))
        })();
        let _ = file.unlock();
        read.map_err(open_err)
    }

    /// Verifies the whole chain against the head, a line at a time under a shared lock: memory stays at one
    /// record's worth whatever the file's size.
    pub fn verify(&self) -> Result<Verified, AuditError> {
        let open_err = |source| AuditError::Open {
            path: self.path.clone(),
            source,
        };
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Verified::default()),
            Err(e) => return Err(open_err(e)),
        };
        file.lock_shared().map_err(|source| AuditError::Lock {
            path: self.path.clone(),
            source,
        })?;
        let result = (|| {
            let head = std::fs::read(self.head_path())
                .ok()
                .and_then(|h| serde_json::from_slice::<Tail>(&h).ok());
            if head.is_none() && file.metadata().map_err(open_err)?.len() > 0 {
                return Err(AuditError::HeadMissing {
                    path: self.head_path(),
                });
            }
            let chain_err = |source| AuditError::Chain {
                path: self.path.clone(),
                source,
            };
            let mut verifier = chain::Verifier::new(head);
            let mut reader = std::io::BufReader::with_capacity(1 << 16, &file);
            let mut line = Vec::new();
            loop {
                line.clear();
                if std::io::BufRead::read_until(&mut reader, b'\n', &mut line).map_err(open_err)?
                    == 0
                {
                    break;
                }
                let last = !line.ends_with(b"\n");
                verifier.line(&line, last).map_err(chain_err)?;
            }
            verifier.finish().map_err(chain_err)
        })();
        let _ = file.unlock();
        result
    }

    /// Every record that parses, in file order. Torn or damaged lines are skipped here; `verify` reports them.
    pub fn records(&self) -> Result<Vec<Value>, AuditError> {
        let (bytes, _) = self.read()?;
        Ok(parse_records(&bytes))
    }
}

/// Parses complete JSON lines, skipping anything that is not a record.
pub fn parse_records(bytes: &[u8]) -> Vec<Value> {
    bytes
        .split(|&b| b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
        .filter(Value::is_object)
        .collect()
}

fn parse_tail(line: &[u8]) -> Option<Tail> {
    let v: Value = serde_json::from_slice(line).ok()?;
    Some(Tail {
        seq: v.get("seq")?.as_u64()?,
        hash: v.get("hash")?.as_str()?.to_string(),
    })
}

/// Audit timestamps: RFC 3339, UTC, milliseconds.
pub fn format_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(n: u32) -> Event {
        Event::Cancelled {
            id: format!("r{n}"),
            by: "alice".into(),
        }
    }

    #[test]
    fn appends_chain_and_verify() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("state/audit.jsonl"));
        let t = Timestamp::from_second(1_800_000_000).unwrap();
        log.append(t, &[ev(1), ev(2)]).unwrap();
        let tail = log.append(t, &[ev(3)]).unwrap();
        assert_eq!(tail.seq, 3);
        let v = log.verify().unwrap();
        assert_eq!(v.records, 3);
        assert_eq!(log.records().unwrap()[2]["id"], "r3");
    }

    #[test]
    fn a_torn_tail_is_sealed_by_the_next_append() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        let t = Timestamp::from_second(1_800_000_000).unwrap();
        log.append(t, &[ev(1)]).unwrap();
        OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap()
            .write_all(b"{\"event\":\"requ")
            .unwrap();
        assert!(matches!(
            log.verify(),
            Err(AuditError::Chain {
                source: ChainError::TornLastLine { line: 2 },
                ..
            })
        ));
        log.append(t, &[ev(2)]).unwrap();
        let v = log.verify().unwrap();
        assert_eq!(v.records, 3, "the seal and the new record");
        assert_eq!(v.sealed, vec![(2, 2)]);
        let text = std::fs::read_to_string(log.path()).unwrap();
        assert!(
            text.contains("{\"event\":\"requ\n"),
            "the torn bytes are kept, not dropped"
        );
    }

    #[test]
    fn long_records_are_found_past_the_first_window() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        let t = Timestamp::from_second(1_800_000_000).unwrap();
        let big = Event::Error {
            id: None,
            exit: 70,
            message: "x".repeat(100_000),
        };
        log.append(t, &[big.clone(), big]).unwrap();
        log.append(t, &[ev(1)]).unwrap();
        assert_eq!(log.verify().unwrap().records, 3);
    }

    #[test]
    fn a_missing_head_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        log.append(Timestamp::from_second(1_800_000_000).unwrap(), &[ev(1)])
            .unwrap();
        std::fs::remove_file(log.head_path()).unwrap();
        assert!(matches!(log.verify(), Err(AuditError::HeadMissing { .. })));
    }
}
