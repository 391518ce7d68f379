//! Running the approved command: exactly the argv that was judged, with stdin, stdout and stderr inherited.
//! While it runs, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to gate go to the child, so `kill` and a pipeline's
//! timeout reach the real work; the child's status comes back as a shell would report it.

use std::os::unix::process::ExitStatusExt as _;
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::exit::{Diagnostic, Exit};
use crate::stdin::ChildStdin;

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

/// Runs `argv` to completion, with the stdin classification settled on.
pub fn run(argv: &[String], stdin: ChildStdin) -> Result<Outcome, ExecError> {
    let (program, args) = argv
        .split_first()
        .expect("the CLI never passes an empty argv");
    crate::approval::store::restore_umask();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| ExecError::CannotRun {
            program: program.clone(),
            source,
        })?;
    runtime.block_on(run_async(program, args, stdin))
}

async fn run_async(
    program: &str,
    args: &[String],
    stdin: ChildStdin,
) -> Result<Outcome, ExecError> {
    use tokio::signal::unix::{SignalKind, signal};

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
    let mut command = tokio::process::Command::new(program);
    command.args(args);
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
