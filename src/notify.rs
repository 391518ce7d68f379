//! Telling someone a request waits. This holds the notifier trait and the `command` notifier, which runs a
//! configured program with the request as JSON on stdin; chat and paging channels plug in beside it.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::approval::Request;

/// Something that can be told about a request.
pub trait Notifier {
    /// Called once when a request waits past its rule's `escalate_after`.
    fn escalate(&self, request: &Request) -> Result<(), NotifyError>;
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("cannot run the escalation command {program}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the escalation command {program} exited with {status}")]
    Failed {
        program: String,
        status: std::process::ExitStatus,
    },
}

/// Runs a program with the request as JSON on its stdin.
pub struct CommandNotifier {
    pub argv: Vec<String>,
}

impl Notifier for CommandNotifier {
    fn escalate(&self, request: &Request) -> Result<(), NotifyError> {
        let Some((program, args)) = self.argv.split_first() else {
            return Ok(());
        };
        let spawn = |source| NotifyError::Spawn {
            program: program.clone(),
            source,
        };
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(spawn)?;
        let body = serde_json::to_vec(request).expect("requests serialise");
        if let Some(mut stdin) = child.stdin.take() {
            // A notifier that does not read its input is still run; its status is what counts.
            let _ = stdin.write_all(&body);
        }
        let status = child.wait().map_err(spawn)?;
        if status.success() {
            Ok(())
        } else {
            Err(NotifyError::Failed {
                program: program.clone(),
                status,
            })
        }
    }
}
