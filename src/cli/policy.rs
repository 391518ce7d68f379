//! `gate policy check|test`: validate a policy file, and run its own test cases.

use std::path::{Path, PathBuf};

use super::context::{Context, load_policy};
use super::{CliError, Failure};
use crate::policy::Policy;
use crate::ui;

/// Check a policy file, or run its tests
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Validate a policy file (default: the policy in force). Exits 78 when it is invalid
    Check {
        /// The policy file
        file: Option<PathBuf>,
        /// Also check that every `notify:` and `escalate:` names a channel this broker config has
        #[arg(long, value_name = "FILE")]
        serve_config: Option<PathBuf>,
    },
    /// Run a policy's `tests:` cases and print expected against actual. Exits 1 on any mismatch
    Test {
        /// The policy file
        file: Option<PathBuf>,
        /// Print one JSON object per case
        #[arg(long)]
        json: bool,
    },
}

/// The policies a command works on: the named file, or those in force.
fn policies(file: Option<&Path>, policy_flag: Option<&Path>) -> Result<Vec<Policy>, Failure> {
    match file.or(policy_flag) {
        Some(path) => Ok(vec![load_policy(path)?]),
        None => {
            let ctx = Context::load(None)?;
            Ok(ctx.policies.policies)
        }
    }
}

pub fn run(args: Args, policy_flag: Option<&Path>) -> super::Outcome {
    match args.action {
        Action::Check { file, serve_config } => {
            let serve = serve_config
                .as_deref()
                .map(|f| crate::broker::config::ServeConfig::load(Some(f)))
                .transpose()?;
            for p in policies(file.as_deref(), policy_flag)? {
                if let Some(serve) = &serve {
                    for rule in &p.rules {
                        let mut targets = rule.notify.iter().chain(rule.escalate.iter());
                        if let Some((target, problem)) = targets
                            .find_map(|t| serve.channel_problem(t).map(|problem| (t, problem)))
                        {
                            return Err(CliError::Config {
                                message: format!(
                                    "{}:{}: rule `{}` routes to `{target}`, but {problem} in {}",
                                    p.origin,
                                    rule.line,
                                    rule.name,
                                    serve_config.as_deref().unwrap_or(Path::new("")).display()
                                ),
                                hint:
                                    "add the channel to the broker's `channels:`, or fix the rule"
                                        .into(),
                            }
                            .into());
                        }
                    }
                }
                println!(
                    "{}: ok ({} rules, {} tests)",
                    p.origin,
                    p.rules.len(),
                    p.tests.len()
                );
            }
            Ok(0)
        }
        Action::Test { file, json } => {
            let mut failed = 0;
            let mut total = 0;
            for p in policies(file.as_deref(), policy_flag)? {
                let results = p.run_tests();
                total += results.len();
                failed += results.iter().filter(|r| !r.passed()).count();
                if json {
                    for r in &results {
                        let line = serde_json::json!({
                            "policy": p.origin, "line": r.line, "command": r.command, "expect": r.expect,
                            "got": r.got, "expect_rule": r.expect_rule, "rules": r.rules, "passed": r.passed(),
                        });
                        println!("{line}");
                    }
                } else {
                    let rows: Vec<Vec<String>> = results
                        .iter()
                        .map(|r| {
                            vec![
                                format!("{}:{}", p.origin, r.line),
                                r.command.clone(),
                                match &r.expect_rule {
                                    Some(rule) => format!("{} ({rule})", r.expect),
                                    None => r.expect.to_string(),
                                },
                                r.got.to_string(),
                                if r.rules.is_empty() {
                                    "default".into()
                                } else {
                                    r.rules.join(", ")
                                },
                                if r.passed() {
                                    "ok".into()
                                } else {
                                    "FAIL".into()
                                },
                            ]
                        })
                        .collect();
                    if !rows.is_empty() {
                        println!(
                            "{}",
                            ui::table::render(
                                &["case", "command", "expected", "got", "rule", "result"],
                                &rows
                            )
                        );
                    }
                }
            }
            eprintln!("{} passed, {failed} failed", total - failed);
            if failed > 0 {
                return Err(CliError::Failed {
                    message: format!("{failed} of {total} policy tests failed"),
                    hint: Some("`gate explain -- CMD` shows which rules match a command".into()),
                }
                .into());
            }
            Ok(0)
        }
    }
}
