//! Terraform 1.5 and later, and OpenTofu (`tofu`). Almost nothing terraform does is a proven read: `plan`,
//! `validate`, `show`, `console`, `graph` and `state show` start the provider plugins (programs from
//! `.terraform/providers` or a CLI config's `dev_overrides`), and `plan` also runs data sources, of which
//! `data "external"` runs any program the configuration names. gate does not read HCL, so those are
//! `code_execution`. What stays a read is what touches only local files gate can judge: `version`, `fmt -check`,
//! `output` without `-json`/`-raw`, `state list`, `workspace list|show`, `providers`, `modules`, `metadata
//! functions`, and only with a local backend (a remote one runs its own credential chain).
//!
//! terraform reads its arguments with Go's `flag` (one or two dashes, `-flag=value` or `-flag value`, bools only
//! as `-flag=false`, no abbreviations, the first positional ends the flags), takes `-chdir=DIR` only before the
//! subcommand, inserts the words of `TF_CLI_ARGS` and `TF_CLI_ARGS_<subcommand>` after the subcommand, turns any
//! `-v`/`-version` anywhere into `version`, and installs shell completion (writing the shell's rc file) when it
//! sees `-install-autocomplete` anywhere.

use std::collections::BTreeMap;

use super::super::args::{self, Arg, OptSpec, Style, opt, opt_optional};
use super::super::{Finding, Input, Kind, Risk, Sources, Target};
use super::{finding, home, join};

/// Go's `flag` package as terraform uses it.
const GO_FLAG: Style = Style {
    abbreviations: false,
    permute: false,
    single_dash_long: true,
};

const fn b(name: &'static str) -> OptSpec {
    opt_optional(None, name)
}
const fn v(name: &'static str) -> OptSpec {
    opt(None, name, true)
}

/// Flags of each subcommand: `terraform CMD -help`, Terraform 1.11.4 (plan's flags are apply's too, as the apply
/// help says). A subcommand not listed is `unknown`.
const COMMANDS: &[(&str, &[OptSpec])] = &[
    ("version", &[b("json")]),
    (
        "fmt",
        &[
            b("list"),
            b("write"),
            b("diff"),
            b("check"),
            b("no-color"),
            b("recursive"),
        ],
    ),
    ("output", &[v("state"), b("no-color"), b("json"), b("raw")]),
    ("state list", &[v("state"), v("id")]),
    ("state pull", &[]),
    ("state show", &[v("state")]),
    (
        "state mv",
        &[
            b("dry-run"),
            b("lock"),
            v("lock-timeout"),
            b("ignore-remote-version"),
            v("state"),
            v("state-out"),
            v("backup"),
            v("backup-out"),
        ],
    ),
    (
        "state rm",
        &[
            b("dry-run"),
            v("backup"),
            b("lock"),
            v("lock-timeout"),
            v("state"),
            b("ignore-remote-version"),
        ],
    ),
    (
        "state push",
        &[
            b("force"),
            b("lock"),
            v("lock-timeout"),
            b("ignore-remote-version"),
        ],
    ),
    (
        "state replace-provider",
        &[
            b("auto-approve"),
            b("lock"),
            v("lock-timeout"),
            b("ignore-remote-version"),
            v("state"),
        ],
    ),
    ("workspace list", &[]),
    ("workspace show", &[]),
    ("workspace select", &[b("or-create")]),
    ("workspace new", &[b("lock"), v("lock-timeout"), v("state")]),
    (
        "workspace delete",
        &[b("force"), b("lock"), v("lock-timeout")],
    ),
    ("providers", &[v("test-directory")]),
    (
        "providers lock",
        &[
            v("fs-mirror"),
            v("net-mirror"),
            v("platform"),
            b("enable-plugin-cache"),
        ],
    ),
    ("providers mirror", &[v("platform"), b("lock-file")]),
    ("providers schema", &[b("json")]),
    ("modules", &[b("json")]),
    ("metadata functions", &[b("json")]),
    (
        "validate",
        &[b("json"), b("no-color"), b("no-tests"), v("test-directory")],
    ),
    ("show", &[b("no-color"), b("json")]),
    (
        "graph",
        &[v("plan"), b("draw-cycles"), v("type"), v("module-depth")],
    ),
    ("console", &[v("state"), v("plan"), v("var"), v("var-file")]),
    (
        "test",
        &[
            v("cloud-run"),
            v("filter"),
            b("json"),
            b("no-color"),
            v("test-directory"),
            v("var"),
            v("var-file"),
            b("verbose"),
        ],
    ),
    (
        "init",
        &[
            b("backend"),
            v("backend-config"),
            b("force-copy"),
            v("from-module"),
            b("get"),
            b("input"),
            b("lock"),
            v("lock-timeout"),
            b("no-color"),
            b("json"),
            v("plugin-dir"),
            b("reconfigure"),
            b("migrate-state"),
            b("upgrade"),
            v("lockfile"),
            b("ignore-remote-version"),
            v("test-directory"),
        ],
    ),
    ("get", &[b("update"), b("no-color"), v("test-directory")]),
    (
        "import",
        &[
            v("config"),
            b("input"),
            b("lock"),
            v("lock-timeout"),
            b("no-color"),
            v("var"),
            v("var-file"),
            b("ignore-remote-version"),
            v("state"),
            v("state-out"),
            v("backup"),
            v("provider"),
            b("allow-missing-config"),
            v("parallelism"),
        ],
    ),
    (
        "refresh",
        &[
            b("compact-warnings"),
            b("input"),
            b("lock"),
            v("lock-timeout"),
            b("no-color"),
            v("parallelism"),
            v("target"),
            v("var"),
            v("var-file"),
            v("state"),
            v("state-out"),
            v("backup"),
        ],
    ),
    ("plan", PLAN),
    ("apply", APPLY),
    ("destroy", APPLY),
    (
        "taint",
        &[
            b("allow-missing"),
            b("lock"),
            v("lock-timeout"),
            b("ignore-remote-version"),
            v("state"),
            v("state-out"),
            v("backup"),
        ],
    ),
    (
        "untaint",
        &[
            b("allow-missing"),
            b("lock"),
            v("lock-timeout"),
            b("ignore-remote-version"),
            v("state"),
            v("state-out"),
            v("backup"),
        ],
    ),
    ("force-unlock", &[b("force")]),
    ("login", &[]),
    ("logout", &[]),
];

const PLAN: &[OptSpec] = &[
    b("destroy"),
    b("refresh-only"),
    b("refresh"),
    v("replace"),
    v("target"),
    v("var"),
    v("var-file"),
    b("compact-warnings"),
    b("detailed-exitcode"),
    v("generate-config-out"),
    b("input"),
    b("lock"),
    v("lock-timeout"),
    b("no-color"),
    v("out"),
    v("parallelism"),
    v("state"),
    b("json"),
];

const APPLY: &[OptSpec] = &[
    b("auto-approve"),
    v("backup"),
    b("compact-warnings"),
    b("destroy"),
    b("lock"),
    v("lock-timeout"),
    b("input"),
    b("no-color"),
    v("parallelism"),
    v("state"),
    v("state-out"),
    v("var"),
    v("var-file"),
    b("refresh-only"),
    b("refresh"),
    v("replace"),
    v("target"),
    b("json"),
];

/// `TF_*` variables terraform reads whose effect gate accounts for.
const KNOWN_ENV: &[&str] = &[
    "TF_LOG",
    "TF_LOG_CORE",
    "TF_LOG_PROVIDER",
    "TF_LOG_PATH",
    "TF_INPUT",
    "TF_CLI_ARGS",
    "TF_DATA_DIR",
    "TF_WORKSPACE",
    "TF_IN_AUTOMATION",
    "TF_REGISTRY_DISCOVERY_RETRY",
    "TF_REGISTRY_CLIENT_TIMEOUT",
    "TF_CLI_CONFIG_FILE",
    "TF_IGNORE",
    "TF_PLUGIN_CACHE_DIR",
    "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE",
    "TF_APPEND_USER_AGENT",
    "TF_STATE_PERSIST_INTERVAL",
];

/// Top-level settings of a CLI configuration file (Terraform docs, "CLI Configuration File"); none of them
/// changes what the read subcommands do with a local backend.
const CLI_CONFIG_SETTINGS: &[&str] = &[
    "plugin_cache_dir",
    "disable_checkpoint",
    "disable_checkpoint_signature",
    "plugin_cache_may_break_dependency_lock_file",
    "provider_installation",
    "credentials",
    "credentials_helper",
    "host",
];

fn command_flags(path: &str) -> Option<&'static [OptSpec]> {
    COMMANDS.iter().find(|(p, _)| *p == path).map(|(_, f)| *f)
}

/// terraform's `extractChdirOption`: `-chdir=DIR` among the flags before the subcommand.
fn extract_chdir(args: &[String]) -> Result<(Option<String>, Vec<String>), String> {
    let mut found = None;
    for (i, arg) in args.iter().enumerate() {
        if !arg.starts_with('-') {
            break;
        }
        if arg == "-chdir" || arg == "-chdir=" {
            return Err("`-chdir` needs `=DIR`".into());
        }
        if let Some(dir) = arg.strip_prefix("-chdir=") {
            found = Some((i, dir.to_string()));
        }
    }
    Ok(match found {
        Some((i, dir)) => {
            let mut rest = args.to_vec();
            rest.remove(i);
            (Some(dir), rest)
        }
        None => (None, args.to_vec()),
    })
}

/// mitchellh/cli's subcommand: the first word that is not a flag, extended to the longest nested command.
fn subcommand(args: &[String]) -> (String, usize) {
    for (i, arg) in args.iter().enumerate() {
        if arg == "--" {
            break;
        }
        if arg.is_empty() || arg.starts_with('-') {
            continue;
        }
        if let Some(next) = args.get(i + 1) {
            let nested = format!("{arg} {next}");
            if command_flags(&nested).is_some() {
                return (nested, i + 2);
            }
        }
        return (arg.clone(), i + 1);
    }
    (String::new(), args.len())
}

/// The words of a `TF_CLI_ARGS*` value, when it uses only characters that go-shellwords splits the way a plain
/// whitespace split does.
fn env_words(name: &str, value: &str) -> Result<Vec<String>, String> {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || " \t\n=._/:,@+-".contains(c))
    {
        Ok(value.split_whitespace().map(ToString::to_string).collect())
    } else {
        Err(format!(
            "{name} uses quoting or shell characters gate does not split"
        ))
    }
}

/// terraform's `mergeEnvArgs`: the words go right after the first argument equal to the subcommand's last word.
fn merge_env(args: &[String], sub: &str, extra: Vec<String>) -> Vec<String> {
    if extra.is_empty() {
        return args.to_vec();
    }
    let search = sub.rsplit(' ').next().unwrap_or(sub);
    let at = args.iter().position(|a| a == search).map_or(0, |i| i + 1);
    let mut out = args[..at].to_vec();
    out.extend(extra);
    out.extend_from_slice(&args[at..]);
    out
}

struct Judge {
    tool: String,
    target: Target,
    out: Vec<Finding>,
}

impl Judge {
    fn add(&mut self, kind: Kind, detail: impl Into<String>) {
        let f = finding(&self.tool, &self.target, kind, detail);
        self.out.push(f);
    }
    fn unknown(&mut self, detail: impl Into<String>) {
        self.add(Kind::Unknown, detail);
    }
}

fn bool_flag(parsed: &[Arg], name: &str) -> Result<bool, String> {
    let mut value = false;
    for a in parsed {
        if let Arg::Opt { name: n, value: v } = a
            && *n == name
        {
            value = match v.as_deref() {
                None | Some("1" | "t" | "T" | "true" | "TRUE" | "True") => true,
                Some("0" | "f" | "F" | "false" | "FALSE" | "False") => false,
                Some(other) => return Err(format!("`-{name}={other}` is not a bool")),
            };
        }
    }
    Ok(value)
}

/// `terraform ARGS…` (or `tofu`).
pub fn terraform(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let mut judge = Judge {
        tool: tool.to_string(),
        target: Target::default(),
        out: Vec::new(),
    };
    for name in env.keys().filter(|n| n.starts_with("TF_")) {
        let known = KNOWN_ENV.contains(&name.as_str())
            || name.starts_with("TF_VAR_")
            || name.starts_with("TF_TOKEN_")
            || name.starts_with("TF_CLI_ARGS_");
        if !known {
            judge.unknown(format!("the variable {name} is not one gate knows for {tool} (TF_REATTACH_PROVIDERS, TF_ENCRYPTION and others change what runs)"));
        }
    }
    if env.contains_key("TF_LOG_PATH") {
        judge.add(
            Kind::Write,
            "TF_LOG_PATH appends the log (which can hold secrets) to a file",
        );
    }
    let (chdir, args) = match extract_chdir(args) {
        Ok(x) => x,
        Err(why) => {
            judge.unknown(why);
            return judge.out;
        }
    };
    let (first_sub, _) = subcommand(&args);
    let mut merged = args.clone();
    for name in [
        "TF_CLI_ARGS".to_string(),
        format!("TF_CLI_ARGS_{}", first_sub.replace(['-', ' '], "_")),
    ] {
        if let Some(value) = env.get(&name).filter(|v| !v.is_empty()) {
            match env_words(&name, value) {
                Ok(words) => merged = merge_env(&merged, &first_sub, words),
                Err(why) => {
                    judge.unknown(why);
                    return judge.out;
                }
            }
        }
    }
    // main.go turns the whole line into `version …` when any word is a version flag; the version command
    // ignores the rest.
    let version = merged
        .iter()
        .any(|a| matches!(a.as_str(), "-v" | "-version" | "--version"));
    if version {
        merged.insert(0, "version".into());
    }
    let before_dashes: Vec<&String> = merged.iter().take_while(|a| *a != "--").collect();
    if before_dashes.iter().any(|a| {
        matches!(
            a.as_str(),
            "-install-autocomplete"
                | "--install-autocomplete"
                | "-uninstall-autocomplete"
                | "--uninstall-autocomplete"
        )
    }) {
        judge.add(
            Kind::Write,
            "`-install-autocomplete` rewrites the shell's startup file",
        );
        return judge.out;
    }
    if before_dashes
        .iter()
        .any(|a| matches!(a.as_str(), "-h" | "-help" | "--help"))
    {
        judge.add(Kind::Read, format!("{tool} -help prints help"));
        return judge.out;
    }
    if version {
        judge.add(Kind::Read, format!("{tool} version only prints"));
        return judge.out;
    }
    let (sub, at) = subcommand(&merged);
    if merged[..at.min(merged.len())]
        .iter()
        .any(|a| a.starts_with('-'))
    {
        judge.unknown("flags before the subcommand, which terraform refuses");
        return judge.out;
    }
    let Some(specs) = command_flags(&sub) else {
        judge.unknown(format!("`{tool} {sub}` is not a subcommand gate knows"));
        return judge.out;
    };
    let parsed = match args::parse_strict(&merged[at..], specs, GO_FLAG) {
        Ok(p) => p,
        Err(e) => {
            judge.unknown(format!("{tool} {sub}: {e}"));
            return judge.out;
        }
    };
    let dir = chdir.as_deref();
    judge.target.database.clone_from(&chdir);
    if let Err(why) = classify(&sub, &parsed, dir, env, sources, &mut judge) {
        judge.unknown(why);
    }
    judge.out
}

fn classify(
    sub: &str,
    parsed: &[Arg],
    dir: Option<&str>,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    judge: &mut Judge,
) -> Result<(), String> {
    let positionals: Vec<String> = args::positionals(parsed).map(ToString::to_string).collect();
    let tool = judge.tool.clone();
    let runs_providers = format!(
        "{tool} {sub} starts the provider plugins of the configuration (and gate does not read HCL)"
    );
    match sub {
        "version" | "metadata functions" => {
            judge.add(Kind::Read, format!("{tool} {sub} only prints"));
        }
        "fmt" => {
            let check = bool_flag(parsed, "check")?;
            let write = parsed
                .iter()
                .all(|a| !matches!(a, Arg::Opt { name: "write", .. }))
                || bool_flag(parsed, "write")?;
            let stdin = positionals.iter().any(|p| p == "-");
            if bool_flag(parsed, "diff")? {
                judge.unknown("`fmt -diff` runs the `diff` program found on PATH");
            } else if check || !write || stdin {
                judge.add(Kind::Read, "fmt only checks or prints");
            } else {
                let f = finding(
                    &tool,
                    &judge.target,
                    Kind::Write,
                    "fmt rewrites configuration files",
                )
                .with_objects(positionals);
                judge.out.push(f);
            }
        }
        "output" | "state list" | "workspace list" | "workspace show" | "providers" | "modules" => {
            local_reads(dir, env, sources, judge)?;
            if sub == "output" && (bool_flag(parsed, "json")? || bool_flag(parsed, "raw")?) {
                judge.add(
                    Kind::DataExport,
                    "`output -json`/`-raw` prints sensitive outputs in plain text",
                );
            } else {
                judge.add(
                    Kind::Read,
                    format!("{tool} {sub} reads the local state or configuration"),
                );
            }
            if let Some(state) = args::last(parsed, "state")
                && sources.read_file(&join(dir, state)).is_none()
            {
                judge.unknown(format!("-state={state}: gate cannot read it"));
            }
        }
        "state pull" => judge.add(Kind::DataExport, "prints the whole state, secrets included"),
        "state show" | "show" | "graph" | "providers schema" => {
            judge.add(Kind::CodeExecution, runs_providers);
        }
        "validate" | "plan" => {
            // Providers, modules and their programs run only once `init` has installed them into the data
            // directory; without one, terraform refuses to start any of them, so nothing but terraform runs.
            match data_dir_state(dir, env, sources) {
                Input::Absent => judge.add(
                    Kind::Read,
                    format!(
                        "{tool} {sub} with no data directory: no provider or module is installed, so none runs"
                    ),
                ),
                _ => judge.add(
                    Kind::CodeExecution,
                    format!(
                        "{runs_providers}; data sources run too, and `data \"external\"` runs any program"
                    ),
                ),
            }
            for (flag, what) in [
                ("out", "writes the plan file"),
                ("generate-config-out", "writes generated configuration"),
            ] {
                if let Some(file) = args::last(parsed, flag) {
                    let f = finding(&tool, &judge.target, Kind::Write, what)
                        .with_objects(vec![file.to_string()]);
                    judge.out.push(f);
                }
            }
        }
        "console" => judge.unknown(format!(
            "{tool} console evaluates expressions gate does not parse, with the providers loaded"
        )),
        "test" => {
            judge.add(
                Kind::SchemaChange,
                format!("{tool} test applies the test configurations to real infrastructure"),
            );
            judge.add(
                Kind::DestructiveWrite,
                format!("{tool} test destroys what it created"),
            );
            judge.add(Kind::CodeExecution, runs_providers);
        }
        "import" => {
            judge.add(
                Kind::SchemaChange,
                "import writes a resource into the state",
            );
            judge.add(Kind::CodeExecution, runs_providers);
        }
        "apply" | "destroy" => {
            let destroy = sub == "destroy" || bool_flag(parsed, "destroy")?;
            let targets: Vec<String> = args::values(parsed, "target")
                .map(ToString::to_string)
                .collect();
            if destroy {
                let f = finding(
                    &tool,
                    &judge.target,
                    Kind::DestructiveWrite,
                    "destroys the managed infrastructure",
                )
                .with_risk(if targets.is_empty() {
                    Risk::Critical
                } else {
                    Risk::High
                })
                .with_objects(targets);
                judge.out.push(f);
            } else if bool_flag(parsed, "refresh-only")? {
                judge.add(
                    Kind::Write,
                    "apply -refresh-only rewrites the state from real infrastructure",
                );
            } else {
                let f = finding(
                    &tool,
                    &judge.target,
                    Kind::SchemaChange,
                    "apply changes infrastructure to match the configuration",
                )
                .with_objects(targets);
                judge.out.push(f);
                if !positionals.is_empty() {
                    judge.unknown("applies a saved plan file, which gate cannot read (it can destroy anything)");
                }
            }
        }
        "refresh" => judge.add(Kind::Write, "rewrites the state from real infrastructure"),
        "taint" | "untaint" | "state mv" | "state rm" | "state replace-provider" => {
            if bool_flag(parsed, "dry-run").unwrap_or(false) {
                judge.add(Kind::Read, format!("{sub} -dry-run changes nothing"));
            } else {
                judge.add(Kind::SchemaChange, format!("{tool} {sub} edits the state"));
            }
        }
        "state push" => judge.add(Kind::DestructiveWrite, "state push overwrites the state"),
        "force-unlock" => judge.add(
            Kind::AdminConfig,
            "force-unlock breaks another run's state lock",
        ),
        "workspace select" => {
            judge.add(Kind::Write, "selects another workspace for later commands");
        }
        "workspace new" => judge.add(Kind::SchemaChange, "creates a workspace"),
        "workspace delete" => {
            judge.add(Kind::DestructiveWrite, "deletes a workspace and its state");
        }
        "init" | "get" | "providers lock" | "providers mirror" => {
            judge.add(
                Kind::Write,
                format!(
                    "{tool} {sub} downloads and installs providers or modules and writes .terraform"
                ),
            );
            judge.add(
                Kind::CodeExecution,
                "module sources may run git, and init starts the backend",
            );
        }
        "login" => judge.unknown("login runs an interactive browser flow and stores a token"),
        "logout" => judge.add(Kind::AdminConfig, "logout removes stored credentials"),
        other => judge.unknown(format!(
            "`{tool} {other}` is not a subcommand gate classifies"
        )),
    }
    Ok(())
}

/// Whether `init` has left a data directory (`.terraform`, or `TF_DATA_DIR`) where the command runs: that is where
/// the provider plugins and modules it would start live.
fn data_dir_state(
    dir: Option<&str>,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Input {
    let data_dir = env.get("TF_DATA_DIR").map_or(".terraform", String::as_str);
    sources.read_input(&join(dir, data_dir.trim_end_matches('/')))
}

/// What the local read subcommands depend on besides their arguments: the backend recorded by `init` and the CLI
/// configuration file.
fn local_reads(
    dir: Option<&str>,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    judge: &mut Judge,
) -> Result<(), String> {
    let data_dir = env.get("TF_DATA_DIR").map_or(".terraform", String::as_str);
    let cache = join(
        dir,
        &format!("{}/terraform.tfstate", data_dir.trim_end_matches('/')),
    );
    if let Some(bytes) = super::super::optional_input(sources, &cache)? {
        let state: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{cache}: gate cannot parse it: {e}"))?;
        let backend = state
            .pointer("/backend/type")
            .and_then(|t| t.as_str())
            .unwrap_or("");
        if backend != "local" {
            judge.unknown(format!(
                "{cache} records the `{backend}` backend, which runs its own credential chain and talks to a remote store"
            ));
        }
    }
    let tool = judge.tool.clone();
    let config = if let Some(file) = env.get("TF_CLI_CONFIG_FILE") {
        vec![file.clone()]
    } else {
        let Some(home_dir) = home(env) else {
            judge.unknown("HOME is not set, so terraform reads the CLI configuration of the account's home directory, which gate cannot name");
            return Ok(());
        };
        let mut files = vec![join(Some(home_dir), ".terraformrc")];
        if tool == "tofu" {
            files.insert(0, join(Some(home_dir), ".tofurc"));
        }
        files
    };
    for file in config {
        let Some(bytes) = super::super::optional_input(sources, &file)? else {
            continue;
        };
        if let Err(why) = cli_config(&String::from_utf8_lossy(&bytes)) {
            judge.unknown(format!("CLI configuration {file}: {why}"));
        }
        if tool == "tofu" {
            break;
        }
    }
    Ok(())
}

/// The top-level names of an HCL CLI configuration file must all be settings gate knows.
fn cli_config(text: &str) -> Result<(), String> {
    if text.contains("<<") {
        return Err("it uses a heredoc, which gate does not parse".into());
    }
    let mut depth: usize = 0;
    for line in text.lines() {
        let line = line
            .split('#')
            .next()
            .unwrap_or("")
            .split("//")
            .next()
            .unwrap_or("")
            .trim();
        if line.contains("/*") {
            return Err("it uses a block comment, which gate does not parse".into());
        }
        if depth == 0 && !line.is_empty() && !line.starts_with('}') {
            let name: String = line
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !CLI_CONFIG_SETTINGS.contains(&name.as_str()) {
                return Err(format!("`{name}` is not a setting gate knows"));
            }
        }
        depth += line.matches(['{', '[']).count();
        depth = depth
            .checked_sub(line.matches(['}', ']']).count())
            .ok_or("its braces do not balance")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    use crate::classify::Files;

    fn kinds_env(a: &[&str], extra: &[(&str, &str)], src: &dyn Sources) -> Vec<Kind> {
        let mut e: BTreeMap<String, String> =
            BTreeMap::from([("HOME".to_string(), "/h".to_string())]);
        for (k, v) in extra {
            e.insert((*k).to_string(), (*v).to_string());
        }
        let mut k: Vec<Kind> = terraform("terraform", &s(a), &e, src)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    fn kinds(a: &[&str]) -> Vec<Kind> {
        kinds_env(a, &[], &NoSources)
    }

    #[test]
    fn only_local_printing_is_read() {
        struct Initialised;
        impl Sources for Initialised {
            fn stdin(&self) -> crate::classify::StdinView<'_> {
                crate::classify::StdinView::Terminal
            }
            fn read_file(&self, _path: &str) -> Option<Vec<u8>> {
                None
            }
            fn read_input(&self, path: &str) -> Input {
                if path.ends_with(".terraform") {
                    Input::Unreadable("it is a directory".into())
                } else {
                    Input::Absent
                }
            }
        }
        assert_eq!(kinds(&["version"]), [Kind::Read]);
        assert_eq!(kinds(&["-version"]), [Kind::Read]);
        assert_eq!(kinds(&["fmt", "-check"]), [Kind::Read]);
        assert_eq!(kinds(&["fmt"]), [Kind::Write]);
        assert_eq!(kinds(&["fmt", "-check", "-diff"]), [Kind::Unknown]);
        assert_eq!(kinds(&["output"]), [Kind::Read]);
        assert_eq!(kinds(&["output", "-json"]), [Kind::DataExport]);
        assert_eq!(kinds(&["-chdir=infra", "state", "list"]), [Kind::Read]);
        // With no data directory nothing but terraform runs; with one, its providers do.
        assert_eq!(kinds(&["plan"]), [Kind::Read]);
        assert_eq!(kinds(&["plan", "-out=tf.plan"]), [Kind::Read, Kind::Write]);
        assert_eq!(kinds(&["validate"]), [Kind::Read]);
        assert_eq!(
            kinds_env(&["plan"], &[], &Initialised),
            [Kind::CodeExecution]
        );
        assert_eq!(
            kinds_env(&["validate"], &[], &Initialised),
            [Kind::CodeExecution]
        );
        assert_eq!(kinds(&["plan", "-help"]), [Kind::Read]);
    }

    #[test]
    fn test_console_import_and_state_are_not_reads() {
        assert_eq!(
            kinds(&["test"]),
            [
                Kind::DestructiveWrite,
                Kind::SchemaChange,
                Kind::CodeExecution
            ]
        );
        assert_eq!(kinds(&["console"]), [Kind::Unknown]);
        assert_eq!(
            kinds(&["import", "aws_instance.x", "i-1"]),
            [Kind::SchemaChange, Kind::CodeExecution]
        );
        assert_eq!(
            kinds(&["state", "rm", "aws_instance.x"]),
            [Kind::SchemaChange]
        );
        assert_eq!(
            kinds(&["state", "push", "x.tfstate"]),
            [Kind::DestructiveWrite]
        );
        assert_eq!(kinds(&["state", "pull"]), [Kind::DataExport]);
        assert_eq!(
            kinds(&["state", "show", "aws_instance.x"]),
            [Kind::CodeExecution]
        );
        assert_eq!(kinds(&["apply", "-destroy"]), [Kind::DestructiveWrite]);
        assert_eq!(
            kinds(&["-chdir=infra", "apply", "-auto-approve"]),
            [Kind::SchemaChange]
        );
        assert_eq!(kinds(&["destroy"]), [Kind::DestructiveWrite]);
    }

    #[test]
    fn environment_and_startup() {
        assert_eq!(
            kinds_env(
                &["version"],
                &[("TF_CLI_ARGS", "destroy -auto-approve")],
                &NoSources
            ),
            [Kind::Read],
            "-v wins"
        );
        assert_eq!(
            kinds_env(
                &["state", "list"],
                &[("TF_CLI_ARGS_state_list", "-state=x.tfstate")],
                &NoSources
            ),
            [Kind::Read, Kind::Unknown]
        );
        assert_eq!(
            kinds_env(&[], &[("TF_CLI_ARGS", "destroy -auto-approve")], &NoSources),
            [Kind::DestructiveWrite]
        );
        assert_eq!(
            kinds_env(&["output"], &[("TF_CLI_ARGS_output", "-json")], &NoSources),
            [Kind::DataExport]
        );
        assert_eq!(
            kinds_env(&["output"], &[("TF_CLI_ARGS", "'-json'")], &NoSources),
            [Kind::Unknown]
        );
        assert_eq!(
            kinds_env(&["output"], &[("TF_REATTACH_PROVIDERS", "{}")], &NoSources),
            [Kind::Read, Kind::Unknown]
        );
        assert_eq!(kinds(&["output", "-install-autocomplete"]), [Kind::Write]);
        assert_eq!(kinds(&["-chdir", "x", "output"]), [Kind::Unknown]);
        assert_eq!(kinds(&["output", "-jsn"]), [Kind::Unknown]);
        let remote = Files(vec![(
            "infra/.terraform/terraform.tfstate",
            r#"{"backend": {"type": "s3", "config": {}}}"#,
        )]);
        assert_eq!(
            kinds_env(&["-chdir=infra", "output"], &[], &remote),
            [Kind::Read, Kind::Unknown]
        );
        let rc = Files(vec![(
            "/h/.terraformrc",
            "provider_installation {\n  dev_overrides {\n    \"x/y\" = \"/tmp\"\n  }\n}\nfrob = 1\n",
        )]);
        assert_eq!(
            kinds_env(&["output"], &[], &rc),
            [Kind::Read, Kind::Unknown]
        );
        let ok = Files(vec![(
            "/h/.terraformrc",
            "plugin_cache_dir = \"/h/.cache\"\ndisable_checkpoint = true\n",
        )]);
        assert_eq!(kinds_env(&["output"], &[], &ok), [Kind::Read]);
    }
}
