//! `gate shim install DIR TOOL…`: small wrapper executables that route a tool through `gate run`. Put DIR first
//! on an agent's PATH and its `psql` becomes `gate run -- psql` without a change to its prompts. Each shim finds
//! the real tool on PATH after DIR, so a shim never calls itself.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use super::Failure;
use crate::exit::{Diagnostic, Exit};

/// Route tools through gate with wrapper executables
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Write a shim for each TOOL into DIR (created if needed)
    Install {
        dir: PathBuf,
        #[arg(required = true, value_name = "TOOL")]
        tools: Vec<String>,
    },
    /// List the gate shims in DIR
    List { dir: PathBuf },
    /// Remove gate shims from DIR (every one when no TOOL is named); other files are left alone
    Remove {
        dir: PathBuf,
        #[arg(value_name = "TOOL")]
        tools: Vec<String>,
    },
    /// What a shim runs: find the real TOOL on PATH after DIR and run it through `gate run`
    #[command(hide = true)]
    Exec {
        dir: PathBuf,
        tool: String,
        #[arg(last = true)]
        args: Vec<String>,
    },
}

/// The line that marks a file as one of ours.
const MARK: &str = "# gate shim:";

#[derive(Debug, thiserror::Error)]
pub enum ShimError {
    #[error("`{0}` is not a tool name")]
    BadName(String),
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} exists and is not a gate shim; leaving it alone", .0.display())]
    NotOurs(PathBuf),
    #[error("no `{tool}` on PATH after {}", dir.display())]
    NotFound { tool: String, dir: PathBuf },
}

impl Diagnostic for ShimError {
    fn exit(&self) -> Exit {
        match self {
            ShimError::BadName(_) => Exit::Usage,
            ShimError::Write { .. } | ShimError::NotOurs(_) => Exit::CannotRun,
            ShimError::NotFound { .. } => Exit::NotFound,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            ShimError::BadName(_) => {
                "a tool name is letters, digits, `.`, `_` and `-`, e.g. psql".into()
            }
            ShimError::Write { .. } => "check that the directory is writable".into(),
            ShimError::NotOurs(_) => "remove it yourself, or pick another directory".into(),
            ShimError::NotFound { dir, .. } => format!(
                "nothing ran; install the tool, and keep {} first on PATH with the real tool after it",
                dir.display()
            ),
        })
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .is_ok_and(|t| t.lines().nth(1).is_some_and(|l| l.starts_with(MARK)))
}

fn valid(tool: &str) -> bool {
    !tool.is_empty()
        && tool
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        && tool != "."
        && tool != ".."
}

pub fn run(args: Args, policy: Option<&Path>) -> super::Outcome {
    match args.action {
        Action::Install { dir, tools } => {
            let gate = std::env::current_exe().map_err(|source| ShimError::Write {
                path: PathBuf::from("gate"),
                source,
            })?;
            std::fs::create_dir_all(&dir).map_err(|source| ShimError::Write {
                path: dir.clone(),
                source,
            })?;
            let dir = dir.canonicalize().unwrap_or(dir);
            for tool in &tools {
                if !valid(tool) {
                    return Err(ShimError::BadName(tool.clone()).into());
                }
                let path = dir.join(tool);
                if path.exists() && !is_ours(&path) {
                    return Err(ShimError::NotOurs(path).into());
                }
                let script = format!(
                    "#!/bin/sh\n{MARK} {tool} runs through `gate run`; `gate shim remove {d} {tool}` removes it.\n\
                     exec {gate} shim exec {d} {tool} -- \"$@\"\n",
                    gate = quote(&gate.display().to_string()),
                    d = quote(&dir.display().to_string()),
                );
                let write = |source| ShimError::Write {
                    path: path.clone(),
                    source,
                };
                std::fs::write(&path, script).map_err(write)?;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                    .map_err(write)?;
                println!("{}", path.display());
            }
            crate::ui::say(
                "note",
                &format!(
                    "put {} first on the agent's PATH to route these tools through gate",
                    dir.display()
                ),
            );
            Ok(0)
        }
        Action::List { dir } => {
            for path in shims(&dir) {
                println!("{}", path.display());
            }
            Ok(0)
        }
        Action::Remove { dir, tools } => {
            for path in shims(&dir) {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if tools.is_empty() || tools.contains(&name) {
                    std::fs::remove_file(&path).map_err(|source| ShimError::Write {
                        path: path.clone(),
                        source,
                    })?;
                    println!("removed {}", path.display());
                }
            }
            Ok(0)
        }
        Action::Exec { dir, tool, args } => {
            let real = real_tool(&dir, &tool)?;
            let mut command = vec![real.display().to_string()];
            command.extend(args);
            super::run::run(super::run::Args::for_command(command), policy)
        }
    }
}

/// The gate shims in `dir`, sorted.
fn shims(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_ours(p))
        .collect();
    found.sort();
    found
}

/// The first executable `tool` on PATH that is not in the shim directory.
fn real_tool(dir: &Path, tool: &str) -> Result<PathBuf, Failure> {
    let shim_dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|d| d.canonicalize().unwrap_or_else(|_| d.clone()) != shim_dir)
        .map(|d| d.join(tool))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                && !is_ours(p)
        })
        .ok_or_else(|| {
            ShimError::NotFound {
                tool: tool.to_string(),
                dir: dir.to_path_buf(),
            }
            .into()
        })
}
