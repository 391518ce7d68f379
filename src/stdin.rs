//! The adapter behind classification's [`Sources`]: the command's standard input, the files it reads, and the
//! programs its names lead to, each looked at once and recorded for the binding digest.
//!
//! Stdin is read before the command runs when the tool takes SQL from it (DESIGN §2). gate reads it, digests it
//! and classifies it, and the child then gets exactly the same bytes, never the file again: a regular file is
//! copied into a sealed memory file (an unlinked temp file past the in-memory limit), and a pipe is buffered in
//! memory, spilling to an unlinked temp file past the limit. A terminal is never read.
//!
//! Files (`-f` scripts, includes, startup files) are read whole or not at all, and every look is recorded as
//! the file's digest, its absence, or the reason it could not be read.

use std::cell::{OnceCell, RefCell};
use std::fs::File;
use std::io::{IsTerminal as _, Read as _, Seek as _, SeekFrom, Write as _};
use std::os::fd::AsFd as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::classify::{Input, Program, Sources, StdinView};
use crate::exec::{Trust, absolute, locate};
use crate::request::{Evidence, InputSeen, InputState, Located, ProgramSeen};

/// How much of stdin is kept in memory and classified. Past this a pipe spills to a temp file, and the part
/// beyond it is reported as unclassified.
pub const CLASSIFY_LIMIT: usize = 32 * 1024 * 1024;

/// The largest script file gate reads to classify.
const FILE_LIMIT: u64 = 64 * 1024 * 1024;

/// What stdin turned out to be.
#[derive(Debug)]
enum Captured {
    Terminal,
    /// A regular file: the child gets gate's copy of what it held from the offset on, never the file itself.
    File {
        head: Vec<u8>,
        copy: File,
        complete: bool,
        digest: String,
    },
    /// A pipe or other stream: the child gets the bytes gate read, from memory or from the spill file.
    Stream {
        head: Vec<u8>,
        spill: Option<File>,
        complete: bool,
        digest: String,
    },
    Failed(String),
}

/// What the child's stdin will be.
#[derive(Debug)]
pub enum ChildStdin {
    /// The untouched stdin of gate (a terminal, or never read).
    Inherit,
    /// The bytes gate read from a pipe.
    Bytes(Vec<u8>),
    /// A file holding what gate read (a sealed memory file, or the spill of a pipe), rewound.
    File(File),
    /// Stdin was consumed but could not be captured whole: the command must not run.
    Lost(String),
}

/// What this process has looked at while classifying: the working directory and trusted directories it judged
/// by, and the record of every file and program lookup.
struct Witness {
    cwd: PathBuf,
    trust: Trust,
    seen: RefCell<Evidence>,
}

impl Witness {
    fn new(cwd: PathBuf, trust: Trust) -> Witness {
        Witness {
            cwd,
            trust,
            seen: RefCell::new(Evidence::default()),
        }
    }

    fn read_input(&self, path: &str) -> Input {
        let path = absolute(&self.cwd, path);
        let (state, input) = look(&path);
        let seen = InputSeen {
            path: path.display().to_string(),
            state,
        };
        let mut evidence = self.seen.borrow_mut();
        if !evidence.inputs.contains(&seen) {
            evidence.inputs.push(seen);
        }
        input
    }

    /// Looks a program up once per name, `PATH` and directory, and remembers what it led to: the same question
    /// always gets the answer that is bound.
    fn locate(&self, name: &str, search_path: Option<&str>, cwd: Option<&str>) -> Located {
        let cwd = cwd.map_or_else(|| self.cwd.clone(), |c| absolute(&self.cwd, c));
        let cwd = cwd.display().to_string();
        let mut evidence = self.seen.borrow_mut();
        if let Some(seen) = evidence
            .programs
            .iter()
            .find(|p| p.name == name && p.search_path.as_deref() == search_path && p.cwd == cwd)
        {
            return seen.located.clone();
        }
        let located = locate(name, search_path, Path::new(&cwd), &self.trust);
        evidence.programs.push(ProgramSeen {
            name: name.to_string(),
            search_path: search_path.map(str::to_string),
            cwd,
            located: located.clone(),
        });
        located
    }

    fn resolve_program(&self, name: &str, search_path: Option<&str>, cwd: Option<&str>) -> Program {
        match self.locate(name, search_path, cwd) {
            Located::Found {
                path,
                trusted: true,
                ..
            } => Program::Trusted { path },
            Located::Found { path, why, .. } => Program::Untrusted {
                path,
                why: why.unwrap_or_default(),
            },
            Located::NotExecutable { path, why } => Program::Untrusted {
                path,
                why: format!("it cannot be executed: {why}"),
            },
            Located::Missing { why } => Program::Missing { why },
        }
    }

    fn evidence(&self) -> Evidence {
        self.seen.borrow().clone()
    }
}

/// The classification sources of this process: its stdin (read lazily), files relative to its cwd, and programs
/// on the request's `PATH`.
pub struct ProcessSources {
    witness: Witness,
    stdin: OnceCell<Captured>,
}

impl ProcessSources {
    /// Sources for `request`, with its program (`argv[0]`) looked up at once, before anything is classified.
    pub fn new(request: &crate::request::Request, trust: Trust) -> Self {
        let sources = ProcessSources {
            witness: Witness::new(PathBuf::from(&request.cwd), trust),
            stdin: OnceCell::new(),
        };
        if let Some(program) = request.argv.first() {
            sources
                .witness
                .locate(program, request.env.get("PATH").map(String::as_str), None);
        }
        sources
    }

    /// What the command's own program name led to.
    pub fn program(&self) -> Option<Located> {
        self.witness
            .seen
            .borrow()
            .programs
            .first()
            .map(|p| p.located.clone())
    }

    /// Everything looked at so far.
    pub fn evidence(&self) -> Evidence {
        self.witness.evidence()
    }

    /// What the child should be given as stdin, once classification is done.
    pub fn into_child_stdin(self) -> ChildStdin {
        match self.stdin.into_inner() {
            None | Some(Captured::Terminal) => ChildStdin::Inherit,
            Some(Captured::File { copy, .. }) => ChildStdin::File(copy),
            Some(Captured::Stream {
                head, spill: None, ..
            }) => ChildStdin::Bytes(head),
            Some(Captured::Stream {
                spill: Some(file), ..
            }) => ChildStdin::File(file),
            Some(Captured::Failed(why)) => ChildStdin::Lost(why),
        }
    }
}

fn hex_digest(hasher: Sha256) -> String {
    format!("sha256:{}", crate::request::hex(&hasher.finalize()))
}

fn capture() -> Captured {
    if std::io::stdin().is_terminal() {
        return Captured::Terminal;
    }
    let file = match std::io::stdin().as_fd().try_clone_to_owned() {
        Ok(fd) => File::from(fd),
        Err(e) => return Captured::Failed(format!("cannot duplicate stdin: {e}")),
    };
    match file.metadata() {
        Ok(meta) if meta.is_file() => capture_file(file),
        Ok(_) => capture_stream(file),
        Err(e) => Captured::Failed(format!("cannot inspect stdin: {e}")),
    }
}

/// Where gate keeps its copy of a regular-file stdin: a memory file it can seal against every writer (the
/// requester's own account included, which could otherwise write to it through `/proc`), or, past the in-memory
/// limit or where memory files are not available, an unlinked temp file.
fn copy_file(size: u64) -> std::io::Result<(File, bool)> {
    use nix::sys::memfd::{MFdFlags, memfd_create};
    if size <= CLASSIFY_LIMIT as u64
        && let Ok(fd) = memfd_create(
            c"gate-stdin",
            MFdFlags::MFD_CLOEXEC | MFdFlags::MFD_ALLOW_SEALING,
        )
    {
        return Ok((File::from(fd), true));
    }
    Ok((tempfile::tempfile()?, false))
}

/// Seals a memory file: from now on nobody can write, grow or shrink it, or lift the seals.
fn seal(file: &File) -> std::io::Result<()> {
    use nix::fcntl::{FcntlArg, SealFlag, fcntl};
    fcntl(
        file,
        FcntlArg::F_ADD_SEALS(
            SealFlag::F_SEAL_WRITE
                | SealFlag::F_SEAL_GROW
                | SealFlag::F_SEAL_SHRINK
                | SealFlag::F_SEAL_SEAL,
        ),
    )?;
    Ok(())
}

/// A regular file: read from the current offset to the end into gate's own copy, which is what the child gets.
/// Reading it a second time could see something else (the file swapped or appended while the request waited).
fn capture_file(mut file: File) -> Captured {
    let result = (|| -> std::io::Result<Captured> {
        let offset = file.stream_position()?;
        let size = file.metadata()?.len().saturating_sub(offset);
        let (mut copy, sealable) = copy_file(size)?;
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut total: u64 = 0;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let chunk = &buf[..n];
            hasher.update(chunk);
            copy.write_all(chunk)?;
            total += n as u64;
            let room = CLASSIFY_LIMIT.saturating_sub(head.len());
            head.extend_from_slice(&chunk[..n.min(room)]);
        }
        copy.flush()?;
        if sealable {
            seal(&copy)?;
        }
        copy.seek(SeekFrom::Start(0))?;
        Ok(Captured::File {
            head,
            copy,
            complete: total <= CLASSIFY_LIMIT as u64,
            digest: hex_digest(hasher),
        })
    })();
    result.unwrap_or_else(|e| Captured::Failed(format!("cannot read stdin: {e}")))
}

/// A pipe: read to the end, keeping up to the limit in memory and spilling the whole stream to an unlinked
/// temp file once it grows past it.
fn capture_stream(mut input: File) -> Captured {
    let result = (|| -> std::io::Result<Captured> {
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut spill: Option<File> = None;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            let chunk = &buf[..n];
            hasher.update(chunk);
            if let Some(file) = spill.as_mut() {
                file.write_all(chunk)?;
            } else if head.len() + n > CLASSIFY_LIMIT {
                let mut file = tempfile::tempfile()?;
                file.write_all(&head)?;
                file.write_all(chunk)?;
                let room = CLASSIFY_LIMIT - head.len();
                head.extend_from_slice(&chunk[..room]);
                spill = Some(file);
            } else {
                head.extend_from_slice(chunk);
            }
        }
        let complete = spill.is_none();
        if let Some(file) = spill.as_mut() {
            file.flush()?;
            file.seek(SeekFrom::Start(0))?;
        }
        Ok(Captured::Stream {
            head,
            spill,
            complete,
            digest: hex_digest(hasher),
        })
    })();
    result.unwrap_or_else(|e| Captured::Failed(format!("cannot read stdin: {e}")))
}

/// The home directory of this process's real uid, through NSS (`getpwuid_r`): the account a wrapped command runs
/// as, whatever `HOME` says.
fn account_home() -> Option<String> {
    let user = nix::unistd::User::from_uid(nix::unistd::getuid()).ok()??;
    user.dir.into_os_string().into_string().ok()
}

impl Sources for ProcessSources {
    fn stdin(&self) -> StdinView<'_> {
        match self.stdin.get_or_init(capture) {
            Captured::Terminal => StdinView::Terminal,
            Captured::File { head, complete, .. } | Captured::Stream { head, complete, .. } => {
                StdinView::Bytes {
                    bytes: head,
                    complete: *complete,
                }
            }
            Captured::Failed(why) => StdinView::Unreadable(why),
        }
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        match self.witness.read_input(path) {
            Input::Found(bytes) => Some(bytes),
            Input::Absent | Input::Unreadable(_) => None,
        }
    }

    fn read_input(&self, path: &str) -> Input {
        self.witness.read_input(path)
    }

    fn resolve_program(&self, name: &str, search_path: Option<&str>, cwd: Option<&str>) -> Program {
        self.witness.resolve_program(name, search_path, cwd)
    }

    fn account_home(&self) -> Option<String> {
        account_home()
    }

    fn stdin_digest(&self) -> Option<String> {
        match self.stdin.get()? {
            Captured::File { digest, .. } | Captured::Stream { digest, .. } => Some(digest.clone()),
            Captured::Terminal | Captured::Failed(_) => None,
        }
    }
}

/// Looks at one file a command names (by its absolute path): what it is for the record, and what classification
/// gets. Only a regular file is read, never past [`FILE_LIMIT`] (a larger one is unreadable, not cut short), and
/// it is opened without blocking, so a FIFO put in its place cannot stall gate.
pub fn look(path: &Path) -> (InputState, Input) {
    let unreadable = |why: String| {
        (
            InputState::Unreadable { why: why.clone() },
            Input::Unreadable(why),
        )
    };
    let opened = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path);
    let file = match opened {
        Ok(file) => file,
        // ENOENT, or ENOTDIR: a path through something that is not a directory leads nowhere.
        Err(e) if matches!(e.raw_os_error(), Some(2 | 20)) => {
            return (InputState::Absent, Input::Absent);
        }
        Err(e) => return unreadable(e.to_string()),
    };
    let meta = match file.metadata() {
        Ok(meta) => meta,
        Err(e) => return unreadable(e.to_string()),
    };
    if !meta.is_file() {
        return unreadable("it is not a regular file".into());
    }
    if meta.len() > FILE_LIMIT {
        return unreadable(format!(
            "it is larger than the {} MiB gate reads",
            FILE_LIMIT / (1024 * 1024)
        ));
    }
    let mut bytes = Vec::new();
    match file.take(FILE_LIMIT + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > FILE_LIMIT => unreadable(format!(
            "it grew past the {} MiB gate reads",
            FILE_LIMIT / (1024 * 1024)
        )),
        Ok(_) => (
            InputState::Found {
                sha256: crate::request::sha256_tagged(&bytes),
            },
            Input::Found(bytes),
        ),
        Err(e) => unreadable(e.to_string()),
    }
}

/// What a hook sees of a command it does not run: the files it names and the programs its names lead to, but not
/// its stdin, which is counted as a terminal (gate cannot see into it).
pub struct FilesOnly {
    witness: Witness,
}

impl FilesOnly {
    pub fn new(cwd: impl Into<PathBuf>, trust: Trust) -> Self {
        FilesOnly {
            witness: Witness::new(cwd.into(), trust),
        }
    }

    /// Everything looked at so far.
    pub fn evidence(&self) -> Evidence {
        self.witness.evidence()
    }
}

impl Sources for FilesOnly {
    fn stdin(&self) -> StdinView<'_> {
        StdinView::Terminal
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        match self.witness.read_input(path) {
            Input::Found(bytes) => Some(bytes),
            Input::Absent | Input::Unreadable(_) => None,
        }
    }

    fn read_input(&self, path: &str) -> Input {
        self.witness.read_input(path)
    }

    fn resolve_program(&self, name: &str, search_path: Option<&str>, cwd: Option<&str>) -> Program {
        self.witness.resolve_program(name, search_path, cwd)
    }

    fn account_home(&self) -> Option<String> {
        account_home()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_look_tells_absent_from_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.sql");
        std::fs::write(&file, "SELECT 1;").unwrap();
        assert_eq!(look(&file).1, Input::Found(b"SELECT 1;".to_vec()));
        assert_eq!(look(&dir.path().join("none")).0, InputState::Absent);
        assert_eq!(look(&file.join("below-a-file")).0, InputState::Absent);
        assert!(
            matches!(look(dir.path()).1, Input::Unreadable(_)),
            "a directory"
        );
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        assert!(
            matches!(look(&fifo).1, Input::Unreadable(_)),
            "a FIFO, without blocking"
        );
    }

    #[test]
    fn every_look_is_recorded_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.sql"), "SELECT 1;").unwrap();
        let sources = FilesOnly::new(dir.path(), Trust::default());
        assert!(sources.read_file("a.sql").is_some());
        assert_eq!(sources.read_input(".psqlrc"), Input::Absent);
        assert!(
            sources.read_file("a.sql").is_some(),
            "the same look twice is one record"
        );
        let seen = sources.evidence().inputs;
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].path, dir.path().join("a.sql").display().to_string());
        assert_eq!(
            seen[0].state,
            InputState::Found {
                sha256: crate::request::sha256_tagged(b"SELECT 1;")
            }
        );
        assert_eq!(seen[1].state, InputState::Absent);
    }

    #[test]
    fn a_regular_file_stdin_becomes_a_sealed_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stdin.sql");
        std::fs::write(&path, "SELECT 1;\nSELECT 2;\n").unwrap();
        let mut file = File::open(&path).unwrap();
        file.seek(SeekFrom::Start(10)).unwrap();
        let Captured::File {
            head,
            mut copy,
            complete,
            ..
        } = capture_file(file)
        else {
            panic!("not captured");
        };
        assert_eq!((head.as_slice(), complete), (&b"SELECT 2;\n"[..], true));
        // The file on disk changes; gate's copy does not, and nobody can write to it.
        std::fs::write(&path, "DROP TABLE t;\n").unwrap();
        let mut bytes = Vec::new();
        copy.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, b"SELECT 2;\n");
        let reopened = std::fs::OpenOptions::new().write(true).open(format!(
            "/proc/self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&copy)
        ));
        if let Ok(mut writer) = reopened {
            assert!(writer.write_all(b"DROP TABLE t;").is_err(), "sealed");
        }
    }
}
