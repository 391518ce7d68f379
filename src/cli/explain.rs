//! `gate explain`: what gate would decide about a command, and why: the file its name leads to, the files gate
//! read, the findings and the rules. Runs nothing and records nothing.

use std::path::Path;

use super::context::{Context, build_request};
use crate::assess::{Assessment, assess, describe_target};
use crate::exec::Trust;
use crate::request::{InputState, Located};
use crate::stdin::ProcessSources;

/// Show what gate would decide about a command, without running it
#[derive(clap::Args, Debug)]
#[command(
    override_usage = "gate explain [OPTIONS] -- <COMMAND>...",
    after_help = "Example:\n  gate explain --json -- pg_dump -h db.prod.internal -t public.users app"
)]
pub struct Args {
    /// Print the result as one JSON object
    #[arg(long)]
    json: bool,

    /// Judge the command as if this agent asked for it
    #[arg(long, env = "GATE_AGENT", value_name = "NAME")]
    agent: Option<String>,

    /// The command to judge
    #[arg(required = true, num_args = 1.., last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

pub fn run(args: &Args, policy: Option<&Path>) -> super::Outcome {
    let ctx = Context::load(policy)?;
    let request = build_request(args.command.clone(), None, args.agent.clone())?;
    let sources = ProcessSources::new(&request, Trust::new(&ctx.config.trusted_paths));
    let assessment = assess(&request, &ctx.policies, &sources);
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&assessment.to_json()).expect("explain output serialises")
        );
    } else {
        print!("{}", render(&assessment));
    }
    Ok(0)
}

/// The human form.
pub fn render(a: &Assessment) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let rules = a.deciding_rules().join(", ");
    let _ = writeln!(out, "decision     {} (rule: {rules})", a.decision());
    let _ = writeln!(out, "risk         {}", a.risk());
    let _ = writeln!(out, "environment  {}", a.verdict.environment);
    let _ = writeln!(out, "command      {}", a.classification.command);
    let _ = writeln!(out, "digest       {}", a.digest);
    if let Some(p) = a.evidence.programs.first() {
        let line = match &p.located {
            Located::Found {
                path,
                canonical,
                trusted,
                why,
                ..
            } => {
                let real = if canonical == path {
                    String::new()
                } else {
                    format!(" (-> {canonical})")
                };
                match (trusted, why) {
                    (true, _) => format!("{path}{real}, trusted"),
                    (false, why) => format!(
                        "{path}{real}, not trusted: {}",
                        why.as_deref().unwrap_or("")
                    ),
                }
            }
            Located::NotExecutable { path, why } => {
                format!("{path} cannot be executed ({why}); `gate run` exits 126")
            }
            Located::Missing { why } => format!("`{}` {why}; `gate run` exits 127", p.name),
        };
        let _ = writeln!(out, "program      {line}");
    }
    // What was there, one line each; the startup files gate looked for and did not find (psql alone probes
    // every version's rc name) as one count. `--json` lists every one.
    let mut absent = 0usize;
    for input in &a.evidence.inputs {
        let state = match &input.state {
            InputState::Found { sha256 } => sha256.clone(),
            InputState::Absent => {
                absent += 1;
                continue;
            }
            InputState::Unreadable { why } => format!("unreadable: {why}"),
        };
        let _ = writeln!(out, "input        {} {state}", input.path);
    }
    if absent > 0 {
        let _ = writeln!(
            out,
            "input        {absent} startup or input file(s) looked for and absent (bound: creating one needs a new approval)"
        );
    }
    for message in &a.verdict.messages {
        let _ = writeln!(out, "message      {message}");
    }
    let _ = writeln!(out, "findings");
    for (f, v) in a.classification.findings.iter().zip(&a.verdict.findings) {
        let _ = writeln!(
            out,
            "  - {} ({} risk) by {} on {}",
            f.kind,
            f.risk,
            f.tool,
            describe_target(&f.target)
        );
        let _ = writeln!(out, "    {}", f.detail);
        if !f.objects.is_empty() {
            let _ = writeln!(out, "    objects: {}", f.objects.join(", "));
        }
        let by = if v.rules.is_empty() {
            "the policy default".to_string()
        } else {
            v.rules.join(", ")
        };
        let _ = writeln!(out, "    {} in {}, by {by}", v.decision, v.environment);
    }
    out
}
