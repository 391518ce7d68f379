//! The command's standard input, read before it runs when the tool takes SQL from it (DESIGN §2). gate reads it,
//! digests it and classifies it, and the child then gets exactly the same bytes: a regular file is rewound, and a
//! pipe is buffered in memory, spilling to an unlinked temp file past a limit. A terminal is never read.

use std::cell::OnceCell;
use std::fs::File;
use std::io::{IsTerminal as _, Read as _, Seek as _, SeekFrom, Write as _};
use std::os::fd::AsFd as _;
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use crate::classify::{Sources, StdinView};

/// How much of stdin is kept in memory and classified. Past this a pipe spills to a temp file, and the part
/// beyond it is reported as unclassified.
pub const CLASSIFY_LIMIT: usize = 32 * 1024 * 1024;

/// The largest script file gate reads to classify.
const FILE_LIMIT: u64 = 64 * 1024 * 1024;

/// What stdin turned out to be.
#[derive(Debug)]
enum Captured {
    Terminal,
    /// A regular file: the child inherits it, rewound to where it was.
    File {
        head: Vec<u8>,
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
    /// The untouched stdin of gate (never read, or a regular file rewound).
    Inherit,
    /// The bytes gate read from a pipe.
    Bytes(Vec<u8>),
    /// The spill file holding what gate read from a pipe, rewound.
    File(File),
    /// Stdin was consumed but could not be captured whole: the command must not run.
    Lost(String),
}

/// The classification sources of this process: its stdin (read lazily) and files relative to its cwd.
pub struct ProcessSources {
    cwd: PathBuf,
    stdin: OnceCell<Captured>,
}

impl ProcessSources {
    pub fn new(cwd: impl Into<PathBuf>) -> Self {
        ProcessSources {
            cwd: cwd.into(),
            stdin: OnceCell::new(),
        }
    }

    /// What the child should be given as stdin, once classification is done.
    pub fn into_child_stdin(self) -> ChildStdin {
        match self.stdin.into_inner() {
            None | Some(Captured::Terminal | Captured::File { .. }) => ChildStdin::Inherit,
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

/// A regular file: read from the current offset, then put the offset back so the child starts where gate did.
fn capture_file(mut file: File) -> Captured {
    let result = (|| -> std::io::Result<Captured> {
        let offset = file.stream_position()?;
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            let room = CLASSIFY_LIMIT.saturating_sub(head.len());
            head.extend_from_slice(&buf[..n.min(room)]);
        }
        let complete = file.stream_position()? - offset <= CLASSIFY_LIMIT as u64;
        file.seek(SeekFrom::Start(offset))?;
        Ok(Captured::File {
            head,
            complete,
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
        read_file_in(&self.cwd, path)
    }

    fn stdin_digest(&self) -> Option<String> {
        match self.stdin.get()? {
            Captured::File { digest, .. } | Captured::Stream { digest, .. } => Some(digest.clone()),
            Captured::Terminal | Captured::Failed(_) => None,
        }
    }
}

/// A file a command names, relative to its working directory, up to the classification limit.
fn read_file_in(cwd: &Path, path: &str) -> Option<Vec<u8>> {
    let path = Path::new(path);
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let file = File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(FILE_LIMIT).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// What a hook sees of a command it does not run: the files it names, but not its stdin, which is counted as a
/// terminal (gate cannot see into it).
pub struct FilesOnly {
    pub cwd: std::path::PathBuf,
}

impl Sources for FilesOnly {
    fn stdin(&self) -> StdinView<'_> {
        StdinView::Terminal
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        read_file_in(&self.cwd, path)
    }
}
