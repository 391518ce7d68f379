//! Which file a command's name leads to, and running it. gate looks the name up on the request's `PATH` once,
//! the way `execvp` would, judges whether the file is one only root could have put there (a trusted directory,
//! root-owned all the way down, nothing group- or world-writable), binds the file's identity into the digest,
//! checks it and every input again just before the command starts, and then executes exactly that path: the argv
//! that was judged, with stdout and stderr inherited and stdin as gate settled it.
//! While it runs, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to gate go to the child, so `kill` and a pipeline's
//! timeout reach the real work; the child's status comes back as a shell would report it.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::classify::{DEFAULT_TRUSTED_DIRS, dir_matches};
use crate::exit::{Diagnostic, Exit};
use crate::request::{Evidence, FileIdentity, Located};
use crate::stdin::ChildStdin;

/// The `PATH` `execvp` searches when the environment has none (glibc's `_CS_PATH`).
const DEFAULT_SEARCH_PATH: &str = "/bin:/usr/bin";

/// Executables up to this size also get a content digest in their identity: scripts (pg_wrapper, shims, the
/// interpreted wrappers an owner might edit in place keeping size and mtime). Larger ones are compiled binaries,
/// bound by device, inode, size, mtime, mode and owner; hashing a client binary would cost more than
/// classifying.
const DIGEST_LIMIT: u64 = 256 * 1024;

/// The most symbolic links followed from a name to its file, as the kernel's own limit.
const MAX_LINKS: usize = 40;

/// The directories whose programs gate recognises by name: the defaults and the config's `trusted_paths`.
#[derive(Clone, Debug)]
pub struct Trust {
    dirs: Vec<String>,
}

impl Default for Trust {
    fn default() -> Self {
        Trust::new(&[])
    }
}

impl Trust {
    /// The default trusted directories plus `extra` (absolute, `*` for one component; the config checks them).
    pub fn new(extra: &[String]) -> Trust {
        let mut dirs: Vec<String> = DEFAULT_TRUSTED_DIRS
            .iter()
            .map(ToString::to_string)
            .collect();
        for dir in extra {
            // The canonical form too, so that a listed directory behind a symbolic link matches the file's real
            // directory.
            if !dir.contains('*')
                && let Ok(real) = std::fs::canonicalize(dir)
            {
                dirs.push(real.display().to_string());
            }
            dirs.push(dir.trim_end_matches('/').to_string());
        }
        for dir in DEFAULT_TRUSTED_DIRS.iter().filter(|d| !d.contains('*')) {
            if let Ok(real) = std::fs::canonicalize(dir) {
                dirs.push(real.display().to_string());
            }
        }
        Trust { dirs }
    }

    fn trusts(&self, dir: &Path) -> bool {
        let dir = dir.display().to_string();
        self.dirs.iter().any(|p| dir_matches(p, &dir))
    }
}

/// `path` made absolute against `cwd`, without touching the file system.
pub fn absolute(cwd: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// Whether an account owns things gate trusts: root, or the account gate runs as when that is not the
/// requester's (a set-uid installation). The requester's own files are not: the requester can rewrite them.
fn trusted_owner(uid: u32) -> bool {
    let (real, effective) = (
        nix::unistd::getuid().as_raw(),
        nix::unistd::geteuid().as_raw(),
    );
    uid == 0 || (effective != real && uid == effective)
}

/// Checks that nobody but a trusted owner can change `dir` (canonical) or any directory above it. A sticky
/// directory (`/tmp`) may be writable by all: nobody else can rename or remove the root-owned entry below it.
fn check_dirs(dir: &Path) -> Result<(), String> {
    for d in dir.ancestors() {
        let meta =
            std::fs::metadata(d).map_err(|e| format!("cannot inspect {}: {e}", d.display()))?;
        if !trusted_owner(meta.uid()) {
            return Err(format!(
                "{} is owned by uid {}, not root",
                d.display(),
                meta.uid()
            ));
        }
        let mode = meta.permissions().mode();
        if mode & 0o022 != 0 && mode & 0o1000 == 0 {
            return Err(format!(
                "{} can be written by others (mode {:o})",
                d.display(),
                mode & 0o7777
            ));
        }
    }
    Ok(())
}

/// Whether `path` (found in a directory on `PATH`, or named directly) is a tool gate may recognise by name, and
/// why not when it is not.
fn judge(
    path: &Path,
    canonical: &Path,
    meta: &std::fs::Metadata,
    trust: &Trust,
) -> Result<(), String> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    let real_dir =
        std::fs::canonicalize(dir).map_err(|e| format!("cannot resolve {}: {e}", dir.display()))?;
    if !trust.trusts(&real_dir) {
        return Err(format!("{} is not a trusted directory", real_dir.display()));
    }
    // Every link on the way must sit where only root can change it, and so must the file at the end; the file
    // itself may live outside the trusted directories (Debian's /usr/bin/psql is a link to pg_wrapper).
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let parent = at.parent().unwrap_or(Path::new("/"));
        let real_parent = std::fs::canonicalize(parent)
            .map_err(|e| format!("cannot resolve {}: {e}", parent.display()))?;
        check_dirs(&real_parent)?;
        let link = std::fs::symlink_metadata(&at)
            .map_err(|e| format!("cannot inspect {}: {e}", at.display()))?;
        if !link.file_type().is_symlink() {
            break;
        }
        let target = std::fs::read_link(&at)
            .map_err(|e| format!("cannot read the link {}: {e}", at.display()))?;
        at = real_parent.join(target);
    }
    if !trusted_owner(meta.uid()) {
        return Err(format!(
            "{} is owned by uid {}, not root",
            canonical.display(),
            meta.uid()
        ));
    }
    let mode = meta.permissions().mode();
    if mode & 0o022 != 0 {
        return Err(format!(
            "{} can be written by others (mode {:o})",
            canonical.display(),
            mode & 0o7777
        ));
    }
    Ok(())
}

/// The identity of the file at `canonical`, whose metadata is `meta`.
fn identity(canonical: &Path, meta: &std::fs::Metadata) -> FileIdentity {
    let sha256 = (meta.len() <= DIGEST_LIMIT)
        .then(|| std::fs::read(canonical).ok())
        .flatten()
        .map(|bytes| crate::request::sha256_tagged(&bytes));
    FileIdentity {
        dev: meta.dev(),
        ino: meta.ino(),
        size: meta.len(),
        mtime: meta.mtime(),
        mtime_nsec: meta.mtime_nsec(),
        mode: meta.mode(),
        uid: meta.uid(),
        sha256,
    }
}

/// What one candidate path is.
fn examine(path: &Path, trust: &Trust) -> Option<Located> {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if matches!(e.raw_os_error(), Some(2 | 20)) => return None,
        Err(e) => {
            return Some(Located::NotExecutable {
                path: shown,
                why: e.to_string(),
            });
        }
    };
    if !meta.is_file() {
        return Some(Located::NotExecutable {
            path: shown,
            why: "it is not a regular file".into(),
        });
    }
    if nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_err() {
        return Some(Located::NotExecutable {
            path: shown,
            why: "it is not executable".into(),
        });
    }
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let verdict = judge(path, &canonical, &meta, trust);
    Some(Located::Found {
        path: shown,
        canonical: canonical.display().to_string(),
        trusted: verdict.is_ok(),
        why: verdict.err(),
        identity: identity(&canonical, &meta),
    })
}

/// Looks `name` up as `execvp` does: a name with a `/` is a path (relative to `cwd`); otherwise each entry of
/// `search_path` in turn (an empty or relative entry is relative to `cwd`), the first executable file winning, and
/// a file there but not executable only when nothing later is.
pub fn locate(name: &str, search_path: Option<&str>, cwd: &Path, trust: &Trust) -> Located {
    if name.is_empty() {
        return Located::Missing {
            why: "is an empty program name".into(),
        };
    }
    if name.contains('/') {
        let path = lexically_normal(&absolute(cwd, name));
        return examine(&path, trust).unwrap_or_else(|| Located::Missing {
            why: format!("does not exist ({})", path.display()),
        });
    }
    let search = search_path.unwrap_or(DEFAULT_SEARCH_PATH);
    let mut not_executable = None;
    for entry in search.split(':') {
        let dir = if entry.is_empty() {
            cwd.to_path_buf()
        } else {
            absolute(cwd, entry)
        };
        match examine(&lexically_normal(&dir.join(name)), trust) {
            Some(found @ Located::Found { .. }) => return found,
            Some(other) => {
                not_executable.get_or_insert(other);
            }
            None => {}
        }
    }
    not_executable.unwrap_or_else(|| Located::Missing {
        why: "is not on PATH".into(),
    })
}

/// Drops `.` components, which change nothing; `..` stays, for the kernel (and `canonicalize`) to resolve
/// through any symbolic link before it, as `execve` will.
fn lexically_normal(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// Looks at everything gate saw again, just before the command runs: every program must lead to the same file,
/// with the same identity, and every input must hold the same bytes (or still be absent).
pub fn recheck(evidence: &Evidence, trust: &Trust) -> Result<(), ExecError> {
    for seen in &evidence.programs {
        let now = locate(
            &seen.name,
            seen.search_path.as_deref(),
            Path::new(&seen.cwd),
            trust,
        );
        if now != seen.located {
            let path = match &seen.located {
                Located::Found { path, .. } | Located::NotExecutable { path, .. } => path.clone(),
                Located::Missing { .. } => seen.name.clone(),
            };
            return Err(ExecError::Changed { path });
        }
    }
    for seen in &evidence.inputs {
        let (now, _) = crate::stdin::look(Path::new(&seen.path));
        if !now.same_as(&seen.state) {
            return Err(ExecError::Changed {
                path: seen.path.clone(),
            });
        }
    }
    Ok(())
}

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: Option<i32>,
    pub signal: Option<i32>,
    pub duration: Duration,
}

impl Outcome {
    /// The status a shell would give: the exit code, or 128 + the signal number.
    pub fn exit_code(&self) -> u8 {
        match (self.status, self.signal) {
            (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
            (None, Some(sig)) => u8::try_from((128 + sig) & 0xff).unwrap_or(1),
            (None, None) => 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("command not found: {program}")]
    NotFound { program: String },
    #[error("cannot execute {program}")]
    CannotRun {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("did not run {program}: its stdin was read but could not be kept ({why})")]
    StdinLost { program: String, why: String },
    #[error("{path} changed after gate judged it")]
    Changed { path: String },
    #[error("lost track of {program} while it ran")]
    Wait {
        program: String,
        #[source]
        source: std::io::Error,
    },
}

impl Diagnostic for ExecError {
    fn exit(&self) -> Exit {
        match self {
            ExecError::NotFound { .. } => Exit::NotFound,
            ExecError::Changed { .. } => Exit::Denied,
            ExecError::CannotRun { .. } => Exit::CannotRun,
            ExecError::Wait { .. } | ExecError::StdinLost { .. } => Exit::Internal,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            ExecError::NotFound { program } if program.contains('/') => {
                format!("check that {program} exists")
            }
            ExecError::NotFound { .. } => {
                "check the spelling, or that the program is on PATH".into()
            }
            ExecError::CannotRun { program, .. } => {
                format!("check that {program} is an executable file (chmod +x)")
            }
            ExecError::Wait { .. } => "the command may still be running; check with ps".into(),
            ExecError::Changed { .. } => {
                "nothing ran; run the command again to have gate judge what is there now (and ask for a new approval if it needs one)".into()
            }
            ExecError::StdinLost { .. } => {
                "nothing ran; pass the input as a file (-f FILE) instead of a pipe".into()
            }
        })
    }
}

/// Whether a SIGINT gate receives most likely came from the terminal, which sends it to the child too. Then
/// forwarding it would deliver it twice (sudo makes the same check).
fn terminal_sends_sigint() -> bool {
    std::fs::File::open("/dev/tty")
        .ok()
        .and_then(|tty| nix::unistd::tcgetpgrp(&tty).ok())
        .is_some_and(|fg| fg == nix::unistd::getpgrp())
}

/// Runs the file at `program` to completion with `argv` (its `argv[0]` as the user wrote it, as a shell passes it),
/// the stdin classification settled on, and the request's view of the environment: a variable that matters but
/// that gate could not read (not valid Unicode) is removed rather than passed on unjudged.
pub fn run(
    program: &Path,
    argv: &[String],
    env: &BTreeMap<String, String>,
    stdin: ChildStdin,
) -> Result<Outcome, ExecError> {
    assert!(!argv.is_empty(), "the CLI never passes an empty argv");
    crate::approval::store::restore_umask();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| ExecError::CannotRun {
            program: argv[0].clone(),
            source,
        })?;
    runtime.block_on(run_async(program, argv, env, stdin))
}

async fn run_async(
    path: &Path,
    argv: &[String],
    env: &BTreeMap<String, String>,
    stdin: ChildStdin,
) -> Result<Outcome, ExecError> {
    use tokio::signal::unix::{SignalKind, signal};

    let (program, args) = (argv[0].as_str(), &argv[1..]);
    // Register before spawning, so no signal falls between the child starting and gate listening.
    let mut signals = Vec::new();
    for (kind, sig) in [
        (SignalKind::interrupt(), Signal::SIGINT),
        (SignalKind::terminate(), Signal::SIGTERM),
        (SignalKind::hangup(), Signal::SIGHUP),
        (SignalKind::quit(), Signal::SIGQUIT),
    ] {
        if let Ok(stream) = signal(kind) {
            signals.push((stream, sig));
        }
    }
    let mut command = tokio::process::Command::new(path);
    command.arg0(program).args(args);
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if crate::request::is_relevant_env(&text) && !env.contains_key(text.as_ref()) {
            command.env_remove(&name);
        }
    }
    let mut feed = None;
    match stdin {
        ChildStdin::Inherit => {}
        ChildStdin::Bytes(bytes) => {
            command.stdin(Stdio::piped());
            feed = Some(bytes);
        }
        ChildStdin::File(file) => {
            command.stdin(Stdio::from(file));
        }
        ChildStdin::Lost(why) => {
            return Err(ExecError::StdinLost {
                program: program.to_string(),
                why,
            });
        }
    }
    let started = Instant::now();
    let mut child = command.spawn().map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => ExecError::NotFound {
            program: program.to_string(),
        },
        _ => ExecError::CannotRun {
            program: program.to_string(),
            source,
        },
    })?;
    let pid = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .map(Pid::from_raw);
    // Hand the child the exact bytes gate read; a child that stops reading early is its own business.
    if let (Some(bytes), Some(mut pipe)) = (feed, child.stdin.take()) {
        tokio::spawn(async move {
            use tokio::io::AsyncWriteExt as _;
            let _ = pipe.write_all(&bytes).await;
            let _ = pipe.shutdown().await;
        });
    }
    let tty_sigint = terminal_sends_sigint();

    let status = loop {
        let forwarded = {
            let waits = signals.iter_mut().map(|(stream, sig)| {
                let sig = *sig;
                Box::pin(async move {
                    stream.recv().await;
                    sig
                })
            });
            let any_signal = futures_select_all(waits);
            tokio::select! {
                status = child.wait() => break status,
                sig = any_signal => sig,
            }
        };
        if let Some(pid) = pid
            && !(forwarded == Signal::SIGINT && tty_sigint)
        {
            let _ = kill(pid, forwarded);
        }
    };
    let status = status.map_err(|source| ExecError::Wait {
        program: program.to_string(),
        source,
    })?;
    Ok(Outcome {
        status: status.code(),
        signal: status.signal(),
        duration: started.elapsed(),
    })
}

/// Resolves with the first of several futures, without pulling in the `futures` crate.
async fn futures_select_all<F: std::future::Future<Output = Signal> + Unpin>(
    futures: impl Iterator<Item = F>,
) -> Signal {
    let mut futures: Vec<F> = futures.collect();
    if futures.is_empty() {
        return std::future::pending().await;
    }
    std::future::poll_fn(|cx| {
        for f in &mut futures {
            if let std::task::Poll::Ready(sig) = std::pin::Pin::new(f).poll(cx) {
                return std::task::Poll::Ready(sig);
            }
        }
        std::task::Poll::Pending
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    /// Runs `argv` the way `gate run` does: looked up on this process's PATH, then executed by path.
    fn run(a: &[String], stdin: ChildStdin) -> Result<Outcome, ExecError> {
        let search = std::env::var("PATH").ok();
        let path = match locate(&a[0], search.as_deref(), Path::new("/"), &Trust::default()) {
            Located::Found { path, .. } | Located::NotExecutable { path, .. } => {
                PathBuf::from(path)
            }
            Located::Missing { .. } => PathBuf::from(&a[0]),
        };
        super::run(&path, a, &BTreeMap::new(), stdin)
    }

    #[test]
    fn status_passes_through() {
        assert_eq!(
            run(&argv(&["sh", "-c", "exit 3"]), ChildStdin::Inherit)
                .unwrap()
                .exit_code(),
            3
        );
        assert_eq!(
            run(&argv(&["true"]), ChildStdin::Inherit)
                .unwrap()
                .exit_code(),
            0
        );
        let o = run(&argv(&["sh", "-c", "kill -TERM $$"]), ChildStdin::Inherit).unwrap();
        assert_eq!((o.signal, o.exit_code()), (Some(15), 143));
    }

    /// A directory of mode 755 whatever the umask (another test in this process may be widening it).
    fn make_dir(path: &Path) {
        std::fs::create_dir(path).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A directory with an executable `name` in it, mode `mode`.
    fn tool_in(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, "#!/bin/sh\necho stand-in\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn trusted(located: &Located) -> (bool, String) {
        match located {
            Located::Found { trusted, why, .. } => (*trusted, why.clone().unwrap_or_default()),
            other => panic!("not found: {other:?}"),
        }
    }

    #[test]
    fn a_name_leads_where_execvp_would_go_and_only_trusted_directories_count() {
        let root = tempfile::tempdir().unwrap();
        let evil = root.path().join("evil");
        make_dir(&evil);
        tool_in(&evil, "psql");
        let none = Trust::default();
        let cwd = root.path();
        // Earlier on PATH wins, whatever comes after.
        let found = locate(
            "psql",
            Some(&format!("{}:/usr/bin", evil.display())),
            cwd,
            &none,
        );
        let (ok, why) = trusted(&found);
        assert!(!ok && why.contains("is not a trusted directory"), "{why}");
        // An empty entry and a relative one both mean the working directory.
        for search in [":/usr/bin", "evil:/usr/bin", "./evil:/usr/bin"] {
            let wd = if search.starts_with(':') {
                evil.as_path()
            } else {
                cwd
            };
            assert!(
                !trusted(&locate("psql", Some(search), wd, &none)).0,
                "{search}"
            );
        }
        // A name with a slash is a path, relative to the working directory, `..` and all.
        assert!(!trusted(&locate("./psql", None, &evil, &none)).0);
        assert!(!trusted(&locate("evil/../evil/psql", None, cwd, &none)).0);
        // The same directory, trusted by the config.
        let trust = Trust::new(&[evil.display().to_string()]);
        assert_eq!(
            trusted(&locate("./psql", None, &evil, &trust)),
            (true, String::new())
        );
        // Not there at all, and PATH unset means execvp's default.
        assert!(matches!(
            locate("no-such-tool-here", Some("/usr/bin"), cwd, &none),
            Located::Missing { .. }
        ));
        assert!(matches!(
            locate("sh", None, cwd, &none),
            Located::Found { trusted: true, .. }
        ));
        // A directory or a file without x is not a program.
        make_dir(&evil.join("dir"));
        assert!(matches!(
            locate("./dir", None, &evil, &trust),
            Located::NotExecutable { .. }
        ));
    }

    #[test]
    fn a_trusted_directory_others_can_write_to_is_not_trusted() {
        if !nix::unistd::getuid().is_root() {
            return; // the tests below need a root-owned directory to start from
        }
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("bin");
        make_dir(&dir);
        let tool = tool_in(&dir, "psql");
        let trust = Trust::new(&[dir.display().to_string()]);
        let judge = || {
            trusted(&locate(
                "psql",
                Some(&dir.display().to_string()),
                root.path(),
                &trust,
            ))
        };
        assert_eq!(judge(), (true, String::new()));
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(
            judge().1.contains("can be written by others"),
            "{:?}",
            judge()
        );
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o775)).unwrap();
        assert!(!judge().0, "group-writable");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(
            judge().1.contains("can be written by others"),
            "{:?}",
            judge()
        );
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        nix::unistd::chown(&tool, Some(nix::unistd::Uid::from_raw(65534)), None).unwrap();
        assert!(judge().1.contains("owned by uid 65534"), "{:?}", judge());
        // A link in the trusted directory to a file elsewhere: the file's directory must be as safe.
        std::fs::remove_file(&tool).unwrap();
        let elsewhere = root.path().join("elsewhere");
        make_dir(&elsewhere);
        tool_in(&elsewhere, "real");
        std::os::unix::fs::symlink(elsewhere.join("real"), &tool).unwrap();
        assert_eq!(
            judge(),
            (true, String::new()),
            "a root-owned target is fine"
        );
        nix::unistd::chown(&elsewhere, Some(nix::unistd::Uid::from_raw(65534)), None).unwrap();
        assert!(judge().1.contains("owned by uid 65534"), "{:?}", judge());
    }

    #[test]
    fn debian_psql_is_a_link_to_pg_wrapper_and_stays_trusted() {
        if std::fs::symlink_metadata("/usr/bin/psql").is_err() {
            return;
        }
        let found = locate("psql", Some("/usr/bin"), Path::new("/"), &Trust::default());
        assert!(
            matches!(found, Located::Found { trusted: true, .. }),
            "{found:?}"
        );
    }

    #[test]
    fn recheck_sees_a_swapped_program_and_a_changed_input() {
        let root = tempfile::tempdir().unwrap();
        let tool = tool_in(root.path(), "psql");
        let script = root.path().join("a.sql");
        std::fs::write(&script, "DELETE FROM t WHERE id = 1;\n").unwrap();
        let trust = Trust::new(&[root.path().display().to_string()]);
        let search = root.path().display().to_string();
        let (state, _) = crate::stdin::look(&script);
        let evidence = Evidence {
            programs: vec![crate::request::ProgramSeen {
                name: "psql".into(),
                search_path: Some(search.clone()),
                cwd: "/".into(),
                located: locate("psql", Some(&search), Path::new("/"), &trust),
            }],
            inputs: vec![crate::request::InputSeen {
                path: script.display().to_string(),
                state,
            }],
        };
        recheck(&evidence, &trust).unwrap();
        std::fs::write(&script, "DROP TABLE t;\n").unwrap();
        let e = recheck(&evidence, &trust).unwrap_err();
        assert_eq!(e.exit(), Exit::Denied);
        assert_eq!(
            e.to_string(),
            format!("{} changed after gate judged it", script.display())
        );
        std::fs::write(&script, "DELETE FROM t WHERE id = 1;\n").unwrap();
        recheck(&evidence, &trust).unwrap();
        std::fs::remove_file(&tool).unwrap();
        tool_in(root.path(), "psql");
        assert!(
            recheck(&evidence, &trust).is_err(),
            "a new file in its place"
        );
    }

    #[test]
    fn missing_and_unrunnable_programs() {
        let e = run(
            &argv(&["/nonexistent/definitely-not-here"]),
            ChildStdin::Inherit,
        )
        .unwrap_err();
        assert_eq!(e.exit(), Exit::NotFound);
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("script");
        std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
        let e = run(&[script.display().to_string()], ChildStdin::Inherit).unwrap_err();
        assert_eq!(e.exit(), Exit::CannotRun, "not executable");
    }
}
