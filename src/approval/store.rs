//! The local request store: SQLite in the state directory, or in a directory shared by several accounts
//! (`store:` in the config). Every change is one `BEGIN IMMEDIATE` transaction that reads the request, applies a
//! pure transition and writes the result, so two reviewers voting at once both count, and a request that several
//! `gate run`s race for executes once.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

use super::{Request, State, TransitionError};
use crate::exit::{Diagnostic, Exit};

mod broker;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the approval store {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("the approval store {} failed", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("no request matches `{0}`")]
    NotFound(String),
    #[error("request {0} already exists")]
    Duplicate(String),
    #[error("`{prefix}` matches {count} requests")]
    Ambiguous { prefix: String, count: usize },
    #[error("request {id} in the store cannot be read")]
    Corrupt {
        id: String,
        #[source]
        source: serde_json::Error,
    },
    #[error(transparent)]
    Refused(#[from] TransitionError),
}

impl Diagnostic for StoreError {
    fn exit(&self) -> Exit {
        match self {
            StoreError::Open { .. } | StoreError::Sqlite { .. } | StoreError::Corrupt { .. } => {
                Exit::Internal
            }
            StoreError::NotFound(_) | StoreError::Ambiguous { .. } | StoreError::Duplicate(_) => {
                Exit::Usage
            }
            StoreError::Refused(TransitionError::ReasonRequired) => Exit::Usage,
            StoreError::Refused(
                TransitionError::OwnRequest { .. }
                | TransitionError::NotEligible { .. }
                | TransitionError::NotRequester { .. },
            ) => Exit::Denied,
            StoreError::Refused(_) => Exit::Unavailable,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            StoreError::Open { path, .. } | StoreError::Sqlite { path, .. } => format!(
                "nothing ran; check that {} is writable by this account (a shared store wants a setgid directory of a \
                 group every reviewer is in)",
                path.parent().unwrap_or(path).display()
            ),
            StoreError::NotFound(_) => "`gate pending --all` lists the requests waiting".into(),
            StoreError::Ambiguous { .. } => "type more of the id".into(),
            StoreError::Duplicate(_) => "run the command again; it gets a new request id".into(),
            StoreError::Corrupt { .. } => "the store was written by another version of gate, or edited".into(),
            StoreError::Refused(TransitionError::ReasonRequired) => "say why with --reason \"…\"".into(),
            StoreError::Refused(TransitionError::OwnRequest { .. } | TransitionError::NotEligible { .. }) => {
                "ask a reviewer from the group the rule names; `gate show ID` lists what the request needs".into()
            }
            StoreError::Refused(_) => "`gate show ID` shows where the request stands".into(),
        })
    }
}

/// The SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    origin TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS requests_digest ON requests (digest);
CREATE INDEX IF NOT EXISTS requests_state ON requests (state);
";

/// Columns added after the first release, with their definitions: added when an older store is opened.
const ADDED_COLUMNS: &[(&str, &str)] = &[
    ("version", "INTEGER NOT NULL DEFAULT 0"),
    ("origin", "TEXT NOT NULL DEFAULT ''"),
];

impl SqliteStore {
    /// Opens (creating if needed) `requests.sqlite3` in `dir`.
    pub fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        share_new_files_with_group();
        let path = dir.join("requests.sqlite3");
        let open_err = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Open {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| open_err(Box::new(e)))?;
        if !path.exists() {
            create_group_writable(&path).map_err(|e| open_err(Box::new(e)))?;
        }
        // Several accounts may open a new shared store at the same moment. While one switches it to WAL and
        // builds its shared-memory index, another can be told the store is busy, locked, or even read-only
        // (SQLite's busy handler does not cover those moments), so the opening is retried on a fresh connection:
        // for a while when busy, briefly when read-only, which a store that really is read-only then reports.
        let started = std::time::Instant::now();
        let conn = loop {
            let conn = Connection::open(&path).map_err(|e| open_err(Box::new(e)))?;
            conn.busy_timeout(Duration::from_secs(10))
                .map_err(|e| open_err(Box::new(e)))?;
            let setup = conn
                .pragma_update(None, "journal_mode", "WAL")
                .and_then(|()| conn.pragma_update(None, "synchronous", "NORMAL"))
                .and_then(|()| conn.execute_batch(SCHEMA))
                .and_then(|()| migrate(&conn));
            let retry = match &setup {
                Ok(()) => break conn,
                Err(rusqlite::Error::SqliteFailure(e, _)) => match e.code {
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked => {
                        started.elapsed() < Duration::from_secs(10)
                    }
                    rusqlite::ErrorCode::ReadOnly => started.elapsed() < Duration::from_secs(2),
                    _ => false,
                },
                Err(_) => false,
            };
            match setup {
                Err(e) if !retry => return Err(open_err(Box::new(e))),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        Ok(SqliteStore { path, conn })
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn decode(id: &str, body: &str) -> Result<Request, StoreError> {
        serde_json::from_str(body).map_err(|source| StoreError::Corrupt {
            id: id.to_string(),
            source,
        })
    }

    pub fn insert(&self, request: &Request) -> Result<(), StoreError> {
        self.insert_from(request, "")
    }

    /// Inserts a request submitted through `origin` (the broker's token id; empty locally).
    pub fn insert_from(&self, request: &Request, origin: &str) -> Result<(), StoreError> {
        let body = serde_json::to_string(request).expect("requests serialise");
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO requests (id, digest, state, created_at, body, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(self.sql())?;
        match stmt.execute(params![
            request.id,
            request.digest,
            request.state.as_str(),
            request.created_at.to_string(),
            body,
            origin
        ]) {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Err(StoreError::Duplicate(request.id.clone()))
            }
            Err(e) => Err(self.sql()(e)),
        }
    }

    /// A request with its version (how many times it changed) and origin. A whole id is one indexed read; a
    /// prefix is resolved first.
    pub fn get_stored(&self, id_or_prefix: &str) -> Result<(Request, i64, String), StoreError> {
        let read = |id: &str| -> Result<Option<(String, i64, String)>, StoreError> {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT body, version, origin FROM requests WHERE id = ?1")
                .map_err(self.sql())?;
            stmt.query_row(params![id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()
            .map_err(self.sql())
        };
        let exact = id_or_prefix.trim().to_ascii_uppercase();
        let (id, row) = match read(&exact)? {
            Some(row) => (exact, row),
            None => {
                let id = self.resolve(&exact)?;
                let row = read(&id)?.ok_or_else(|| StoreError::NotFound(id.clone()))?;
                (id, row)
            }
        };
        let (body, version, origin) = row;
        Ok((Self::decode(&id, &body)?, version, origin))
    }

    /// Newest first, at most `limit`, in `states` (any when empty), for one digest when given; with versions
    /// and origins.
    pub fn list_stored(
        &self,
        states: &[State],
        digest: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(Request, i64, String)>, StoreError> {
        use std::fmt::Write as _;
        let names: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        let mut sql = String::from("SELECT id, body, version, origin FROM requests WHERE 1 = 1");
        let mut values: Vec<String> = Vec::new();
        if !names.is_empty() {
            let _ = write!(sql, " AND state IN ({})", vec!["?"; names.len()].join(", "));
            values.extend(names.iter().map(ToString::to_string));
        }
        if let Some(d) = digest {
            sql.push_str(" AND digest = ?");
            values.push(d.to_string());
        }
        let _ = write!(sql, " ORDER BY id DESC LIMIT {limit}");
        let mut stmt = self.conn.prepare(&sql).map_err(self.sql())?;
        let rows: Vec<(String, String, i64, String)> = stmt
            .query_map(rusqlite::params_from_iter(values), |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .map_err(self.sql())?
            .collect::<Result<_, _>>()
            .map_err(self.sql())?;
        rows.into_iter()
            .map(|(id, body, version, origin)| Ok((Self::decode(&id, &body)?, version, origin)))
            .collect()
    }

    /// Resolves an id or any unique prefix of one.
    pub fn resolve(&self, prefix: &str) -> Result<String, StoreError> {
        let prefix = prefix.trim().to_ascii_uppercase();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM requests WHERE id >= ?1 AND id < ?2 LIMIT 3")
            .map_err(self.sql())?;
        let upper = format!("{prefix}\u{10FFFF}");
        let ids: Vec<String> = stmt
            .query_map(params![prefix, upper], |row| row.get(0))
            .map_err(self.sql())?
            .collect::<Result<_, _>>()
            .map_err(self.sql())?;
        match ids.as_slice() {
            [] => Err(StoreError::NotFound(prefix)),
            [one] => Ok(one.clone()),
            many => Err(StoreError::Ambiguous {
                prefix,
                count: many.len(),
            }),
        }
    }

    pub fn get(&self, id_or_prefix: &str) -> Result<Request, StoreError> {
        self.get_stored(id_or_prefix).map(|(r, ..)| r)
    }

    /// Requests in the given states (every state when empty), oldest first. The filter runs in SQLite on the
    /// state index: `gate inbox` asks twice a second, and the table keeps every request ever made.
    pub fn list(&self, states: &[State]) -> Result<Vec<Request>, StoreError> {
        let names: Vec<&str> = if states.is_empty() {
            [
                State::Pending,
                State::Approved,
                State::Denied,
                State::Expired,
                State::Cancelled,
                State::Executed,
            ]
            .map(State::as_str)
            .to_vec()
        } else {
            states.iter().map(|s| s.as_str()).collect()
        };
        let placeholders = vec!["?"; names.len()].join(", ");
        self.requests(
            &format!("SELECT id, body FROM requests WHERE state IN ({placeholders}) ORDER BY id"),
            rusqlite::params_from_iter(names),
        )
    }

    /// Runs a query whose rows are `(id, body)` and decodes each request.
    fn requests(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Request>, StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(self.sql())?;
        let rows: Vec<(String, String)> = stmt
            .query_map(params, |row| Ok((row.get(0)?, row.get(1)?)))
            .map_err(self.sql())?
            .collect::<Result<_, _>>()
            .map_err(self.sql())?;
        rows.into_iter()
            .map(|(id, body)| Self::decode(&id, &body))
            .collect()
    }

    /// The open requests for a digest: what a repeated `gate run` of the same command joins or uses.
    pub fn by_digest(&self, digest: &str) -> Result<Vec<Request>, StoreError> {
        self.requests(
            "SELECT id, body FROM requests WHERE digest = ?1 AND state IN ('pending', 'approved') ORDER BY id",
            params![digest],
        )
    }

    /// Applies a transition atomically. `change` sees the request as stored and returns the new version, `None`
    /// for no change, or the reason the transition is refused. Returns the request as it now stands.
    pub fn update(
        &mut self,
        id: &str,
        change: impl FnOnce(&Request) -> Result<Option<Request>, TransitionError>,
    ) -> Result<Request, StoreError> {
        self.update_stored(id, change).map(|(r, ..)| r)
    }

    /// `update`, also returning the version and origin after the change and whether it changed anything.
    pub fn update_stored(
        &mut self,
        id: &str,
        change: impl FnOnce(&Request) -> Result<Option<Request>, TransitionError>,
    ) -> Result<(Request, i64, String, bool), StoreError> {
        self.update_with(id, change, |_, _| Ok(()))
    }

    /// The one transaction behind every change: read, transition, write, then `after` (which writes whatever
    /// must commit with the change, such as the broker's audit record) only when something changed.
    fn update_with(
        &mut self,
        id: &str,
        change: impl FnOnce(&Request) -> Result<Option<Request>, TransitionError>,
        after: impl FnOnce(&Connection, &Request) -> rusqlite::Result<()>,
    ) -> Result<(Request, i64, String, bool), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let row: Option<(String, i64, String)> = tx
            .prepare_cached("SELECT body, version, origin FROM requests WHERE id = ?1")
            .and_then(|mut stmt| {
                stmt.query_row(params![id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()
            })
            .map_err(sql)?;
        let (body, version, origin) = row.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let current = Self::decode(id, &body)?;
        let Some(next) = change(&current)? else {
            return Ok((current, version, origin, false));
        };
        let body = serde_json::to_string(&next).expect("requests serialise");
        tx.prepare_cached(
            "UPDATE requests SET state = ?2, body = ?3, version = version + 1 WHERE id = ?1",
        )
        .and_then(|mut stmt| stmt.execute(params![id, next.state.as_str(), body]))
        .map_err(sql)?;
        after(&tx, &next).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok((next, version + 1, origin, true))
    }
}

/// The umask gate started with, before [`share_new_files_with_group`] widened it.
static STARTING_UMASK: std::sync::OnceLock<nix::sys::stat::Mode> = std::sync::OnceLock::new();

/// SQLite creates a store's `-wal` and `-shm` files with the umask applied and widens them a moment later; another
/// account opening the store in that moment gets them read-only and fails its write. So while gate works on a
/// store, the files it creates are group-writable from the start (a private store sits in a private directory,
/// where that gives nobody anything).
fn share_new_files_with_group() {
    use nix::sys::stat::{Mode, umask};
    // umask() only reads by writing; put the value straight back, less the group bits.
    let was = umask(Mode::from_bits_truncate(0o077));
    let _ = STARTING_UMASK.set(was);
    umask(was & !Mode::from_bits_truncate(0o070));
}

/// Gives back the umask gate started with, so the command it runs creates files the way its user expects.
pub fn restore_umask() {
    if let Some(was) = STARTING_UMASK.get() {
        nix::sys::stat::umask(*was);
    }
}

/// Creates an empty store file that is group-writable from its first moment. Shared stores live in a setgid
/// directory of a group, and several accounts may open a new one at once: a file that SQLite created with the
/// umask's mode, even for an instant before a chmod, would open read-only for everyone else. So the file is made
/// under a private name, given its mode, and linked into place, which fails harmlessly when another process won.
fn create_group_writable(path: &Path) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("sqlite3.{}.new", std::process::id()));
    std::fs::File::create(&tmp)?;
    let linked = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o660))
        .and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

/// Adds the columns a store made by an older gate lacks. Under the write lock, so that several processes opening
/// one shared store at once add each column once.
fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let have = |conn: &Connection| -> rusqlite::Result<Vec<String>> {
        let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('requests')")?;
        stmt.query_map([], |row| row.get(0))?.collect()
    };
    if ADDED_COLUMNS
        .iter()
        .all(|(name, _)| have(conn).is_ok_and(|h| h.iter().any(|c| c == name)))
    {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let present = have(conn)?;
        for (name, definition) in ADDED_COLUMNS {
            if !present.iter().any(|h| h == name) {
                conn.execute_batch(&format!(
                    "ALTER TABLE requests ADD COLUMN {name} {definition}"
                ))?;
            }
        }
        Ok(())
    })();
    conn.execute_batch(if result.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::Requirement;
    use jiff::Timestamp;

    fn request(id: &str) -> Request {
        let mut r = crate::approval::fixture(vec![Requirement {
            rule: "r".into(),
            group: None,
            members: None,
            count: 2,
            allow_requester: false,
            widen_to: None,
        }]);
        r.id = id.into();
        r.digest = "sha256:d".into();
        r
    }

    #[test]
    fn an_older_store_gains_the_new_columns_and_keeps_its_requests() {
        let dir = tempfile::tempdir().unwrap();
        let old = Connection::open(dir.path().join("requests.sqlite3")).unwrap();
        old.execute_batch(
            "CREATE TABLE requests (id TEXT PRIMARY KEY, digest TEXT NOT NULL, state TEXT NOT NULL, \
             created_at TEXT NOT NULL, body TEXT NOT NULL)",
        )
        .unwrap();
        let r = request("01OLD");
        old.execute(
            "INSERT INTO requests VALUES (?1, ?2, 'pending', ?3, ?4)",
            params![
                r.id,
                r.digest,
                r.created_at.to_string(),
                serde_json::to_string(&r).unwrap()
            ],
        )
        .unwrap();
        drop(old);
        let mut store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(
            store.get_stored("01OLD").unwrap(),
            (r.clone(), 0, String::new())
        );
        let now = Timestamp::from_second(1_800_000_010).unwrap();
        let (_, version, _, changed) = store
            .update_stored("01OLD", |r| {
                r.vote("bob", true, None, "terminal", now).map(Some)
            })
            .unwrap();
        assert_eq!((version, changed), (1, true));
        // Opening it again changes nothing.
        drop(store);
        assert_eq!(
            SqliteStore::open(dir.path())
                .unwrap()
                .get_stored("01OLD")
                .unwrap()
                .1,
            1
        );
    }

    #[test]
    fn the_store_widens_the_umask_for_the_group_and_gives_the_users_back() {
        use nix::sys::stat::{Mode, umask};
        let current = || {
            let m = umask(Mode::from_bits_truncate(0o077));
            umask(m);
            m.bits()
        };
        let dir = tempfile::tempdir().unwrap();
        SqliteStore::open(dir.path()).unwrap();
        assert_eq!(
            current() & 0o070,
            0,
            "files the store makes are group-writable"
        );
        let started = STARTING_UMASK.get().expect("recorded").bits();
        restore_umask();
        assert_eq!(
            current(),
            started,
            "the command gets the umask gate started with"
        );
    }

    #[test]
    fn insert_resolve_update() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(dir.path()).unwrap();
        store.insert(&request("01AAAA")).unwrap();
        store.insert(&request("01AABB")).unwrap();
        assert!(matches!(
            store.resolve("01aa"),
            Err(StoreError::Ambiguous { count: 2, .. })
        ));
        assert_eq!(store.resolve("01aab").unwrap(), "01AABB");
        assert!(matches!(store.resolve("01Z"), Err(StoreError::NotFound(_))));
        let now = Timestamp::from_second(1_800_000_010).unwrap();
        let r = store
            .update("01AAAA", |r| {
                r.vote("bob", true, None, "terminal", now).map(Some)
            })
            .unwrap();
        assert_eq!(r.votes.len(), 1);
        let err = store
            .update("01AAAA", |r| {
                r.vote("bob", true, None, "terminal", now).map(Some)
            })
            .unwrap_err();
        assert!(matches!(
            err,
            StoreError::Refused(TransitionError::AlreadyVoted { .. })
        ));
        let r = store
            .update("01AAAA", |r| {
                r.vote("carol", true, None, "terminal", now).map(Some)
            })
            .unwrap();
        assert_eq!(r.state, State::Approved);
        assert_eq!(store.by_digest("sha256:d").unwrap().len(), 2);
        assert_eq!(store.list(&[State::Approved]).unwrap().len(), 1);
        assert_eq!(
            std::fs::metadata(dir.path().join("requests.sqlite3"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o660
        );
    }
}
