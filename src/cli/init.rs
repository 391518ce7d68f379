//! `gate init`: write the starter policy and config, never over an existing file.

use std::path::Path;

use super::{CliError, Failure};
use crate::paths::{self, PathEnv};
use crate::ui;

/// Write the starter policy and config (existing files are kept)
#[derive(clap::Args, Debug)]
pub struct Args {}

fn write_new(path: &Path, text: &str) -> Result<bool, Failure> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| CliError::Internal {
            message: format!("cannot create {}", dir.display()),
            hint: "check the directory's permissions, or set GATE_HOME".into(),
            source: Some(source),
        })?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(mut f) => {
            use std::io::Write as _;
            f.write_all(text.as_bytes())
                .map_err(|source| CliError::Internal {
                    message: format!("cannot write {}", path.display()),
                    hint: "check free space and permissions".into(),
                    source: Some(source),
                })?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(source) => Err(CliError::Internal {
            message: format!("cannot write {}", path.display()),
            hint: "check the directory's permissions, or set GATE_HOME".into(),
            source: Some(source),
        }
        .into()),
    }
}

pub fn run(_args: &Args, policy_flag: Option<&Path>) -> super::Outcome {
    let paths = paths::resolve(Path::new("/"), &PathEnv::from_process(), None)?;
    let policy = policy_flag.map_or_else(|| paths.default_policy.clone(), Path::to_path_buf);
    for (path, text) in [
        (&policy, crate::policy::STARTER),
        (&paths.config_file, crate::config::STARTER),
    ] {
        if write_new(path, text)? {
            println!("wrote {}", path.display());
        } else {
            ui::say(
                "note",
                &format!("kept {} (it already exists)", path.display()),
            );
        }
    }
    ui::say(
        "hint",
        &format!(
            "edit {} and check it with `gate policy test`",
            policy.display()
        ),
    );
    Ok(0)
}
