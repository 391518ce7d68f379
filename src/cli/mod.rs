//! The command line: the only code that names clap. It turns arguments into domain values, calls the core and
//! the adapters, and prints every error once, as `error:` / `caused by:` / `hint:`, with the documented exit code.

mod audit;
mod cancel;
mod completions;
mod context;
mod explain;
mod hook;
mod inbox;
mod init;
mod pending;
mod policy;
mod run;
mod serve;
mod shim;
mod show;
mod vote;
mod wait;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser, Subcommand};

use crate::exit::{Diagnostic, Exit};

/// The exit codes, as `gate run --help` and the man page document them.
pub const EXIT_CODES: &str = "\
Exit status:
  N     the command ran: its own exit status (128+N when a signal N ended it)
  1     a check failed (policy test mismatch, audit verification failure)
  64    usage: bad flags or arguments, or no command after --
  70    internal error, including an audit file gate cannot write (nothing runs)
  75    try later: approval is needed and not yet given, expired or unreachable
  77    denied by policy or by a reviewer
  78    the policy or the configuration is invalid
  126   the command exists but cannot be executed
  127   the command was not found
  130   cancelled (Ctrl-C or SIGTERM while waiting)";

#[derive(Parser, Debug)]
#[command(
    name = "gate",
    version,
    about = "A human checkpoint in front of privileged commands",
    long_about = "gate works out what a command will do, evaluates a local policy, and then runs it, refuses it, \
                  or waits until someone else approves exactly that command. Every decision lands in a \
                  tamper-evident audit file.",
    after_long_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    /// Policy file to use (outranks $GATE_POLICY; a system policy in /etc/gate still applies on top)
    #[arg(long, global = true, value_name = "FILE")]
    policy: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    Run(run::Args),
    Explain(explain::Args),
    Pending(pending::Args),
    Show(show::Args),
    Approve(vote::ApproveArgs),
    Deny(vote::DenyArgs),
    Cancel(cancel::Args),
    Inbox(inbox::Args),
    Policy(policy::Args),
    Audit(audit::Args),
    Serve(serve::Args),
    Hook(hook::Args),
    Shim(shim::Args),
    Init(init::Args),
    Completions(completions::Args),
}

/// The clap definition, for completions and the man page.
pub fn command() -> clap::Command {
    Cli::command()
}

/// A failure on its way to the top: printed once, then turned into the exit status.
pub struct Failure(pub(crate) Box<dyn Diagnostic + Send + Sync>);

impl<E: Diagnostic + Send + Sync + 'static> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(Box::new(e))
    }
}

/// What a subcommand returns: the exit status on success.
pub type Outcome = Result<u8, Failure>;

/// Errors the CLI itself raises.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{message}")]
    Usage { message: String, hint: String },
    #[error("{message}")]
    Failed {
        message: String,
        hint: Option<String>,
    },
    #[error("{message}")]
    Config { message: String, hint: String },
    #[error("{message}")]
    Internal {
        message: String,
        hint: String,
        #[source]
        source: Option<std::io::Error>,
    },
}

impl Diagnostic for CliError {
    fn exit(&self) -> Exit {
        match self {
            CliError::Usage { .. } => Exit::Usage,
            CliError::Failed { .. } => Exit::Failed,
            CliError::Config { .. } => Exit::Config,
            CliError::Internal { .. } => Exit::Internal,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            CliError::Usage { hint, .. }
            | CliError::Internal { hint, .. }
            | CliError::Config { hint, .. } => Some(hint.clone()),
            CliError::Failed { hint, .. } => hint.clone(),
        }
    }
}

/// Prints a clap error our way: its message, the usage, and a hint, with exit 64.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        let code = if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            Exit::Usage.code()
        } else {
            0
        };
        return ExitCode::from(code);
    }
    let rendered = e.render().to_string();
    let body: Vec<&str> = rendered
        .lines()
        .filter(|l| !l.starts_with("For more information"))
        .collect();
    let message = body
        .first()
        .map_or("", |l| l.trim_start_matches("error: "))
        .to_string();
    let mut rest = body
        .iter()
        .skip(1)
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string();
    if !rest.is_empty() {
        rest.push('\n');
    }
    crate::ui::say("error", &message);
    eprint!("{rest}");
    let hint = match e.kind() {
        _ if rendered.contains("-- <COMMAND>") => {
            "put the command to run after `--`, as in `gate run -- psql -c 'SELECT 1'`"
        }
        ErrorKind::InvalidUtf8 => "gate only runs commands whose arguments are valid UTF-8",
        _ => "run `gate help` or `gate <command> --help` for usage",
    };
    crate::ui::say("hint", hint);
    ExitCode::from(Exit::Usage.code())
}

/// The whole program. A panic anywhere is an internal error (70): it is reported like any other error, and
/// because every path to exec goes through a completed decision, a panic before exec means nothing ran.
pub fn main() -> ExitCode {
    // Another process of the requester's account must not reach into gate while it judges and waits: not through
    // ptrace, and not through /proc/PID/fd, where the unsealed copy of a large stdin sits. A non-dumpable process's
    // /proc entries belong to root. The wrapped command gets its own flag back at exec.
    let _ = nix::sys::prctl::set_dumpable(false);
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        crate::ui::say("error", &format!("internal error{place}: {message}"));
        crate::ui::say(
            "hint",
            "this is a bug in gate; nothing ran unless the command's own output says otherwise",
        );
    }));
    std::panic::catch_unwind(run_cli).unwrap_or(ExitCode::from(Exit::Internal.code()))
}

fn run_cli() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let policy = cli.policy.as_deref();
    let outcome = match cli.command {
        Command::Run(args) => run::run(args, policy),
        Command::Explain(args) => explain::run(&args, policy),
        Command::Pending(args) => pending::run(&args, policy),
        Command::Show(args) => show::run(&args, policy),
        Command::Approve(args) => vote::approve(&args, policy),
        Command::Deny(args) => vote::deny(&args, policy),
        Command::Cancel(args) => cancel::run(&args, policy),
        Command::Inbox(args) => inbox::run(&args, policy),
        Command::Policy(args) => policy::run(args, policy),
        Command::Audit(args) => audit::run(args, policy),
        Command::Serve(args) => serve::run(args),
        Command::Hook(args) => hook::run(args, policy),
        Command::Shim(args) => shim::run(args, policy),
        Command::Init(args) => init::run(&args, policy),
        Command::Completions(args) => Ok(completions::run(&args)),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(Failure(e)) => {
            crate::ui::report_error(&*e, e.hint().as_deref());
            ExitCode::from(e.exit().code())
        }
    }
}
