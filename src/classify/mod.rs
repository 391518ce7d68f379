//! Classification: what will this command do? Every command becomes one or more [`Finding`]s (DESIGN §2). This
//! module is pure: the command's text comes in as values, and anything it must read (stdin, script files) comes
//! through the [`Sources`] trait, so the same code serves `gate run`, `gate explain` and the policy tests.
//!
//! The rule that everything here keeps: what gate cannot see or cannot parse is `unknown`, never something
//! milder.

pub mod args;
mod clients;
mod infra;
mod libpq;
mod mongo;
mod mysql;
mod postgres;
pub mod psql_meta;
pub mod redact;
mod redis;
pub mod shell;
pub mod sql;
pub mod sqlite;
pub mod wrap;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What a command does, in the terms a policy matches on. The names are a stable contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Read,
    DataExport,
    Write,
    BulkWrite,
    DestructiveWrite,
    SchemaChange,
    PermissionChange,
    PrivilegeSwitch,
    AdminConfig,
    CodeExecution,
    Unknown,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Read,
        Kind::DataExport,
        Kind::Write,
        Kind::BulkWrite,
        Kind::DestructiveWrite,
        Kind::SchemaChange,
        Kind::PermissionChange,
        Kind::PrivilegeSwitch,
        Kind::AdminConfig,
        Kind::CodeExecution,
        Kind::Unknown,
    ];

    /// The risk DESIGN §2 gives each kind when nothing more specific is known.
    pub const fn default_risk(self) -> Risk {
        match self {
            Kind::Read => Risk::Low,
            Kind::Write | Kind::SchemaChange => Risk::Moderate,
            Kind::DataExport
            | Kind::BulkWrite
            | Kind::DestructiveWrite
            | Kind::PermissionChange
            | Kind::PrivilegeSwitch
            | Kind::AdminConfig
            | Kind::CodeExecution
            | Kind::Unknown => Risk::High,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Read => "read",
            Kind::DataExport => "data_export",
            Kind::Write => "write",
            Kind::BulkWrite => "bulk_write",
            Kind::DestructiveWrite => "destructive_write",
            Kind::SchemaChange => "schema_change",
            Kind::PermissionChange => "permission_change",
            Kind::PrivilegeSwitch => "privilege_switch",
            Kind::AdminConfig => "admin_config",
            Kind::CodeExecution => "code_execution",
            Kind::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad it would be if the command were the wrong one. Ordered: a command's risk is its highest finding's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    Low,
    Moderate,
    High,
    Critical,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Moderate => "moderate",
            Risk::High => "high",
            Risk::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Risk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a command acts. Every field is optional: gate reports what it could tell and nothing it guessed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub database: Option<String>,
    pub user: Option<String>,
}

/// One thing a command will do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub risk: Risk,
    pub tool: String,
    pub target: Target,
    pub objects: Vec<String>,
    pub detail: String,
}

impl Finding {
    pub fn new(kind: Kind, tool: &str, target: &Target, detail: impl Into<String>) -> Self {
        Finding {
            kind,
            risk: kind.default_risk(),
            tool: tool.to_string(),
            target: target.clone(),
            objects: Vec::new(),
            detail: detail.into(),
        }
    }

    #[must_use]
    pub fn with_risk(mut self, risk: Risk) -> Self {
        self.risk = risk;
        self
    }

    #[must_use]
    pub fn with_objects(mut self, objects: Vec<String>) -> Self {
        self.objects = objects;
        self
    }
}

/// What the command's standard input holds, as far as gate could see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdinView<'a> {
    /// A terminal: an interactive session, which gate cannot see into.
    Terminal,
    /// The bytes the command will read. `complete` is false when there was more than gate reads.
    Bytes { bytes: &'a [u8], complete: bool },
    /// Stdin could not be read; the text says why.
    Unreadable(&'a str),
}

/// What a file gate looked for turned out to be. A startup file that is absent is normal and safe to say so; one
/// that exists but cannot be read hides what the tool will read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// The file's bytes, all of them.
    Found(Vec<u8>),
    /// Nothing is there (`ENOENT`, or a path through something that is not a directory).
    Absent,
    /// Something is there that gate could not read whole; the text says why.
    Unreadable(String),
}

/// Where a program name leads, as far as the sources can tell. Only [`Program::Trusted`] and [`Program::ByName`]
/// let gate recognise a tool by its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Program {
    /// The file lies in a directory gate trusts (and nobody but root can change it or what leads to it).
    Trusted { path: String },
    /// The name leads somewhere gate does not trust tools to live; `why` says what is wrong with it.
    Untrusted { path: String, why: String },
    /// Nothing runnable by that name.
    Missing { why: String },
    /// No file system behind the classification (policy tests, benchmarks): the name is all there is.
    ByName,
}

/// The input a classification needs besides the argv: what it may have to read, and which programs the names in
/// the command lead to. The adapter behind it reads lazily: stdin is only consumed when a tool that reads SQL
/// from it asks, and every file read and program looked up is recorded for the binding digest.
///
/// A `Sources` that wraps another one (a shell overlay) must forward [`Sources::read_input`] and
/// [`Sources::resolve_program`] as well as `read_file`, or gate falls back to judging by text alone.
pub trait Sources {
    /// The command's standard input.
    fn stdin(&self) -> StdinView<'_>;

    /// A file the command will read (a `-f` script, a `\\i` include), or `None` when gate cannot read it or it is
    /// not there. Use [`Sources::read_input`] where "absent" and "unreadable" mean different things (startup
    /// files).
    fn read_file(&self, path: &str) -> Option<Vec<u8>>;

    /// A file the command will read or look for, telling "absent" from "unreadable". Relative paths are relative
    /// to the request's working directory. The default cannot tell the two apart, so it fails closed: whatever
    /// `read_file` cannot give is unreadable.
    fn read_input(&self, path: &str) -> Input {
        match self.read_file(path) {
            Some(bytes) => Input::Found(bytes),
            None => Input::Unreadable("gate cannot read it".into()),
        }
    }

    /// Where the program `name` leads when looked up on `search_path` (the `PATH` the command sees; `None` when
    /// it has none) from `cwd` (the directory the command runs in, when a wrapper changed it, absolute or
    /// relative to the request's; `None` for the request's own). The default judges by text alone
    /// ([`resolve_by_text`]).
    fn resolve_program(&self, name: &str, search_path: Option<&str>, cwd: Option<&str>) -> Program {
        resolve_by_text(name, search_path, cwd)
    }

    /// The home directory of the account the command runs as, from the account database (the tools that take
    /// their startup files from `getpwuid`, not from `HOME`, which the requester sets). `None` when it cannot be
    /// told, which makes those files `unknown`.
    fn account_home(&self) -> Option<String> {
        None
    }

    /// `sha256:…` of everything on stdin, once [`Sources::stdin`] has read it; part of the binding digest.
    fn stdin_digest(&self) -> Option<String> {
        None
    }
}

/// A file a tool reads only when it is there (a startup or configuration file): its bytes, `Ok(None)` when it is
/// absent, or why gate cannot read what is there, which must make the command `unknown` (a FIFO, a directory, a
/// file it may not open: the tool may read what gate cannot).
pub(crate) fn optional_input(sources: &dyn Sources, path: &str) -> Result<Option<Vec<u8>>, String> {
    match sources.read_input(path) {
        Input::Found(bytes) => Ok(Some(bytes)),
        Input::Absent => Ok(None),
        Input::Unreadable(why) => Err(format!("{path} is there but gate cannot read it: {why}")),
    }
}

/// Sources for unit tests: an empty stdin and the files listed, as (path, text); every other path is absent.
#[cfg(test)]
pub(crate) struct Files<T: AsRef<[(&'static str, &'static str)]>>(pub T);

#[cfg(test)]
impl<T: AsRef<[(&'static str, &'static str)]>> Sources for Files<T> {
    fn stdin(&self) -> StdinView<'_> {
        StdinView::Bytes {
            bytes: b"",
            complete: true,
        }
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        self.0
            .as_ref()
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, t)| t.as_bytes().to_vec())
    }

    fn read_input(&self, path: &str) -> Input {
        fixture_input(self.read_file(path))
    }
}

/// What a unit test's fixture holds at a path: the files it lists exist, and nothing else does.
#[cfg(test)]
pub(crate) fn fixture_input(bytes: Option<Vec<u8>>) -> Input {
    bytes.map_or(Input::Absent, Input::Found)
}

/// The directories gate trusts programs in when the config adds none: where the distribution's packages (`/usr/bin`,
/// `/usr/sbin`, and `/bin`, `/sbin`, which merged-/usr systems link to them) and the administrator
/// (`/usr/local/bin`, `/usr/local/sbin`) install tools, and Debian's versioned PostgreSQL binaries. A `*` is one
/// path component. Being listed is not enough: the adapter also checks that only root can change the file and
/// every directory that leads to it (a group-writable `/usr/local/bin`, as old Debian shipped it, is refused).
pub const DEFAULT_TRUSTED_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
    "/usr/lib/postgresql/*/bin",
];

/// Whether an absolute directory (no `.`, `..` or empty components) matches a trusted-directory pattern, where a
/// `*` component stands for any one component.
pub fn dir_matches(pattern: &str, dir: &str) -> bool {
    let (Some(pattern), Some(dir)) = (pattern.strip_prefix('/'), dir.strip_prefix('/')) else {
        return false;
    };
    let pattern: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let dir: Vec<&str> = dir.split('/').filter(|c| !c.is_empty()).collect();
    pattern.len() == dir.len()
        && pattern
            .iter()
            .zip(&dir)
            .all(|(p, d)| (*p == "*" || p == d) && *d != "." && *d != "..")
}

/// Whether a path is absolute with no `.`, `..` or empty components, so that its text says where it is (up to
/// symbolic links).
fn is_plain_absolute(path: &str) -> bool {
    path.strip_prefix('/').is_some_and(|rest| {
        rest.split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
    })
}

/// Judges a program name by its text, for sources with no file system to look at. A path must be absolute, plain,
/// and in one of the [`DEFAULT_TRUSTED_DIRS`]; a bare name is taken by its name, unless `PATH` holds an empty or
/// relative entry (which means the working directory, whatever is in it).
pub fn resolve_by_text(name: &str, search_path: Option<&str>, _cwd: Option<&str>) -> Program {
    if name.contains('/') {
        if !name.starts_with('/') {
            return Program::Untrusted {
                path: name.to_string(),
                why: "a relative path names whatever file is there in the directory the command runs in"
                    .into(),
            };
        }
        if !is_plain_absolute(name) {
            return Program::Untrusted {
                path: name.to_string(),
                why: "the path has `.`, `..` or empty components, which gate cannot resolve here"
                    .into(),
            };
        }
        let dir = name.rsplit_once('/').map_or("/", |(d, _)| d);
        if DEFAULT_TRUSTED_DIRS.iter().any(|p| dir_matches(p, dir)) {
            return Program::Trusted {
                path: name.to_string(),
            };
        }
        return Program::Untrusted {
            path: name.to_string(),
            why: format!("{dir} is not a trusted directory"),
        };
    }
    let Some(search_path) = search_path else {
        return Program::ByName;
    };
    if let Some(entry) = search_path.split(':').find(|e| !e.starts_with('/')) {
        let entry = if entry.is_empty() {
            "an empty entry".to_string()
        } else {
            format!("`{entry}`")
        };
        return Program::Untrusted {
            path: name.to_string(),
            why: format!(
                "PATH holds {entry}, which means the directory the command runs in, so gate cannot tell which `{name}` runs"
            ),
        };
    }
    Program::ByName
}

/// Sources for a command with nothing on stdin and no files to read: policy tests and benchmarks. Files gate
/// looks for are absent, and programs are judged by their text.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoSources;

impl Sources for NoSources {
    fn stdin(&self) -> StdinView<'_> {
        StdinView::Bytes {
            bytes: b"",
            complete: true,
        }
    }

    fn read_file(&self, _path: &str) -> Option<Vec<u8>> {
        None
    }

    fn read_input(&self, _path: &str) -> Input {
        Input::Absent
    }
}

/// One tool's view of its SQL sources: turns what the SQL analysis finds into findings on its target.
pub(crate) struct Tool<'a> {
    pub name: &'a str,
    pub target: &'a Target,
    pub dialect: sql::Dialect,
}

impl Tool<'_> {
    pub fn finding(&self, kind: Kind, detail: impl Into<String>) -> Finding {
        Finding::new(kind, self.name, self.target, detail)
    }

    fn convert(&self, found: Vec<sql::SqlFinding>, context: &str) -> Vec<Finding> {
        found
            .into_iter()
            .map(|f| {
                let detail = if context.is_empty() {
                    f.detail
                } else {
                    format!("{context}: {}", f.detail)
                };
                self.finding(f.kind, detail)
                    .with_risk(f.risk)
                    .with_objects(f.objects)
            })
            .collect()
    }

    /// SQL text given on the command line.
    pub fn sql(&self, text: &str, sources: &dyn Sources) -> Vec<Finding> {
        // A command-line string reaches the server as it is: psql substitutes no variables in `-c`.
        let found = sql::analyse_command_string(text, self.dialect, sources);
        if found.is_empty() {
            return vec![self.finding(Kind::Read, "no statements")];
        }
        self.convert(found, "")
    }

    /// One client command (a psql backslash command, a sqlite3 dot-command).
    pub fn client_command(&self, command: &str, sources: &dyn Sources) -> Vec<Finding> {
        self.convert(
            sql::client_command(command.trim(), self.dialect, sources, 0),
            "",
        )
    }

    /// A script file the tool will run (`-` is stdin).
    pub fn script_file(&self, path: &str, sources: &dyn Sources) -> Vec<Finding> {
        if path == "-" {
            return self.stdin(sources);
        }
        match sources.read_input(path) {
            Input::Found(bytes) => {
                let found = sql::analyse(&String::from_utf8_lossy(&bytes), self.dialect, sources);
                if found.is_empty() {
                    return vec![self.finding(Kind::Read, format!("script {path}: no statements"))];
                }
                self.convert(found, &format!("script {path}"))
            }
            Input::Absent => vec![self.finding(
                Kind::Unknown,
                format!("runs script {path}, which gate cannot read: it does not exist"),
            )],
            Input::Unreadable(why) => vec![self.finding(
                Kind::Unknown,
                format!("runs script {path}, which gate cannot read: {why}"),
            )],
        }
    }

    /// The SQL the tool reads from standard input.
    pub fn stdin(&self, sources: &dyn Sources) -> Vec<Finding> {
        match sources.stdin() {
            StdinView::Terminal => {
                vec![self.finding(
                    Kind::Unknown,
                    "interactive session: gate cannot see what will be typed",
                )]
            }
            StdinView::Unreadable(why) => {
                vec![self.finding(Kind::Unknown, format!("cannot read stdin: {why}"))]
            }
            StdinView::Bytes { bytes, complete } => {
                let mut found = self.convert(
                    sql::analyse(&String::from_utf8_lossy(bytes), self.dialect, sources),
                    "stdin",
                );
                if !complete {
                    found.push(self.finding(
                        Kind::Unknown,
                        "stdin is larger than gate reads; the rest was not classified",
                    ));
                }
                if found.is_empty() {
                    found.push(self.finding(Kind::Read, "stdin holds no statements"));
                }
                found
            }
        }
    }
}

/// Everything classification found out about one command.
#[derive(Clone, Debug)]
pub struct Classification {
    /// Never empty.
    pub findings: Vec<Finding>,
    /// The argv with every secret replaced by `***`: the only form that is printed, audited or sent.
    pub redacted_argv: Vec<String>,
    /// `redacted_argv` as one shell-quoted line.
    pub command: String,
}

impl Classification {
    /// The highest risk among the findings.
    pub fn risk(&self) -> Risk {
        self.findings
            .iter()
            .map(|f| f.risk)
            .max()
            .unwrap_or(Risk::High)
    }

    /// The distinct kinds, in contract order.
    pub fn kinds(&self) -> Vec<Kind> {
        let mut kinds: Vec<Kind> = self.findings.iter().map(|f| f.kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// The target of the riskiest finding, as JSON, for the binding digest.
    pub fn primary_target(&self) -> &Target {
        self.findings
            .iter()
            .max_by_key(|f| f.risk)
            .map_or(&EMPTY_TARGET, |f| &f.target)
    }
}

static EMPTY_TARGET: Target = Target {
    host: None,
    port: None,
    database: None,
    user: None,
};

/// Classifies one command. `env` is the environment the command will see (for `PG*` and similar).
pub fn classify(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Classification {
    let mut findings = merge(classify_words(argv, env, sources, 0));
    if findings.is_empty() {
        let tool = argv.first().map_or("", |a| program_name(a));
        findings.push(Finding::new(
            Kind::Unknown,
            tool,
            &Target::default(),
            "gate found nothing to classify",
        ));
    }
    let redactor = redact::Redactor::new(argv, env);
    for f in &mut findings {
        f.detail = redactor.text(&f.detail);
        for object in &mut f.objects {
            *object = redactor.text(object);
        }
        for field in [
            &mut f.target.host,
            &mut f.target.database,
            &mut f.target.user,
        ] {
            if let Some(value) = field.as_mut() {
                *value = redactor.text(value);
            }
        }
    }
    let redacted_argv = redactor.argv(argv);
    let command = shell::join(&redacted_argv);
    Classification {
        findings,
        redacted_argv,
        command,
    }
}

/// The most objects one finding lists; a 10 MB script of INSERTs names the same table a hundred thousand times.
pub(crate) const MAX_OBJECTS: usize = 50;

/// Adds `item` to `out`, folding it into an earlier entry that says the same thing (`same`) and keeping every
/// object either names, up to [`MAX_OBJECTS`]. Order is kept: the first occurrence stays where it was.
pub(crate) fn fold<T>(
    out: &mut Vec<T>,
    item: T,
    same: impl Fn(&T, &T) -> bool,
    objects: impl Fn(&mut T) -> &mut Vec<String>,
) {
    match out.iter_mut().position(|o| same(o, &item)) {
        Some(at) => {
            let mut item = item;
            let new = std::mem::take(objects(&mut item));
            let existing = objects(&mut out[at]);
            for obj in new {
                if existing.len() < MAX_OBJECTS && !existing.contains(&obj) {
                    existing.push(obj);
                }
            }
        }
        None => out.push(item),
    }
}

/// Folds findings that say the same thing about the same target into one.
fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out = Vec::new();
    for f in findings {
        fold(
            &mut out,
            f,
            |a, b| {
                a.kind == b.kind
                    && a.risk == b.risk
                    && a.tool == b.tool
                    && a.target == b.target
                    && a.detail == b.detail
            },
            |f| &mut f.objects,
        );
    }
    out
}

/// Shell builtins that [`wrap::prefix_wrapper`] unwraps: in a shell they are never looked up on `PATH`.
const SHELL_BUILTIN_WRAPPERS: &[&str] = &["exec", "command"];

/// Classifies one simple command run the way `execvp` runs it (the command line of `gate run`, or what `env`,
/// `sudo`, `timeout` and friends start), unwrapping wrappers. `depth` counts the wrappers around it.
pub(crate) fn classify_words(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    classify_command(argv, env, sources, depth, false)
}

/// Classifies one simple command of shell text: like [`classify_words`], except that the builtins `exec` and
/// `command` are the shell's own, not programs on `PATH`. For `wrap::shell_script`'s simple commands.
pub(crate) fn classify_shell_words(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    classify_command(argv, env, sources, depth, true)
}

/// Why a program name does not lead to a tool gate may recognise by name, if it does not. The command's own
/// program (`depth` 0) that is missing is judged by its name: it never runs (`gate run` exits 127 before it asks
/// anyone), and `gate explain` says so beside the findings, which then read the same on every machine.
fn identity_problem(
    program: &str,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    in_shell: bool,
    depth: usize,
) -> Option<(String, String)> {
    if in_shell && SHELL_BUILTIN_WRAPPERS.contains(&program) {
        return None;
    }
    match sources.resolve_program(program, env.get("PATH").map(String::as_str), None) {
        Program::Trusted { .. } | Program::ByName => None,
        // A bare name that is not installed reads as the tool it names; a path that leads nowhere (`./psql`)
        // names no tool at all.
        Program::Missing { .. } if depth == 0 && !program.contains('/') => None,
        // The finding names the file, not the tool it pretends to be, so that a rule for `tools: [psql]` never
        // matches it.
        Program::Untrusted { path, why } => Some((
            path.clone(),
            format!(
                "`{program}` is {path}, which gate does not trust: {why}; gate recognises a tool only in a trusted directory"
            ),
        )),
        Program::Missing { why } => Some((program.to_string(), format!("`{program}` {why}"))),
    }
}

fn classify_command(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
    in_shell: bool,
) -> Vec<Finding> {
    let Some((program, args)) = argv.split_first() else {
        return vec![Finding::new(
            Kind::Unknown,
            "",
            &Target::default(),
            "empty command",
        )];
    };
    let tool = program_name(program);
    // One bound for every kind of wrapper, however they nest.
    if depth > wrap::MAX_DEPTH {
        return wrap::too_deep(tool);
    }
    // A name means a tool only where the file it leads to is one that only root could have put there.
    if let Some((file, detail)) = identity_problem(program, env, sources, in_shell, depth) {
        return vec![Finding::new(
            Kind::Unknown,
            &file,
            &Target::default(),
            detail,
        )];
    }
    if let Some(found) = wrap::prefix_wrapper(tool, args, env, sources, depth) {
        return found;
    }
    match tool {
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" => {
            wrap::shell(tool, args, env, sources, depth)
        }
        "docker" | "podman" | "nerdctl" | "docker-compose" => {
            let args: Vec<String> = if tool == "docker-compose" {
                std::iter::once("compose".to_string())
                    .chain(args.iter().cloned())
                    .collect()
            } else {
                args.to_vec()
            };
            wrap::container_exec(tool, &args, env, sources, depth)
        }
        "ssh" => wrap::ssh(args, env, sources, depth),
        "psql" => postgres::psql(args, env, sources),
        "pg_dump" => postgres::pg_dump_with(args, env, sources),
        "pg_dumpall" => postgres::pg_dumpall_with(args, env, sources),
        "pg_restore" => postgres::pg_restore_with(args, env, sources),
        "dropdb" | "createdb" => postgres::db_admin_with(tool, args, env, sources),
        "mysql" | "mariadb" => mysql::mysql(tool, args, env, sources),
        "mysqldump" | "mariadb-dump" => mysql::mysqldump_with(tool, args, env, sources),
        "sqlite3" => sqlite::sqlite3(args, sources),
        "clickhouse-client" => clients::clickhouse(args, env, sources),
        "clickhouse" if args.first().is_some_and(|a| a == "client") => {
            clients::clickhouse(&args[1..], env, sources)
        }
        "mongosh" | "mongo" => mongo::mongosh_with(tool, args, env, sources),
        "mongodump" | "mongoexport" | "mongorestore" | "mongoimport" => mongo::tools(tool, args),
        "redis-cli" | "valkey-cli" => redis::redis_cli(args, sources),
        "kubectl" | "oc" => infra::kubectl::kubectl(tool, args, env, sources, depth),
        "aws" => infra::aws::aws(args, env, sources),
        "terraform" | "tofu" => infra::terraform::terraform(tool, args, env, sources),
        _ => vec![Finding::new(
            Kind::Unknown,
            tool,
            &Target::default(),
            format!("gate does not recognise `{tool}`"),
        )],
    }
}

/// The base name of a program path.
pub fn program_name(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_line(line: &str) -> Classification {
        classify(&shell::split(line).unwrap(), &BTreeMap::new(), &NoSources)
    }

    #[test]
    fn unrecognised_tools_are_unknown_and_high() {
        let c = classify_line("some-internal-tool --all");
        assert_eq!(c.kinds(), [Kind::Unknown]);
        assert_eq!(c.risk(), Risk::High);
        assert_eq!(c.findings[0].tool, "some-internal-tool");
    }

    #[test]
    fn empty_argv_is_unknown() {
        let c = classify(&[], &BTreeMap::new(), &NoSources);
        assert_eq!(c.kinds(), [Kind::Unknown]);
    }

    /// Sources whose programs all lead to one verdict, recording what they were asked.
    struct Resolves {
        answer: Program,
        asked: std::cell::RefCell<Vec<(String, Option<String>)>>,
    }

    impl Sources for Resolves {
        fn read_input(&self, path: &str) -> crate::classify::Input {
            crate::classify::fixture_input(self.read_file(path))
        }

        fn stdin(&self) -> StdinView<'_> {
            StdinView::Terminal
        }
        fn read_file(&self, _path: &str) -> Option<Vec<u8>> {
            None
        }
        fn resolve_program(
            &self,
            name: &str,
            search_path: Option<&str>,
            _cwd: Option<&str>,
        ) -> Program {
            self.asked
                .borrow_mut()
                .push((name.to_string(), search_path.map(str::to_string)));
            if name == "psql" || name == "./psql" {
                self.answer.clone()
            } else {
                Program::ByName
            }
        }
    }

    #[test]
    fn an_untrusted_program_is_unknown_with_its_path_in_the_detail() {
        let sources = Resolves {
            answer: Program::Untrusted {
                path: "/tmp/evil/psql".into(),
                why: "/tmp/evil is not a trusted directory".into(),
            },
            asked: std::cell::RefCell::default(),
        };
        for line in [
            "psql -X -c 'SELECT 1'",
            "env psql -X -c 'SELECT 1'",
            "timeout 5 psql -X -c 'SELECT 1'",
            "sudo -u postgres psql -X -c 'SELECT 1'",
            "nice -n 5 psql -X -c 'SELECT 1'",
        ] {
            let c = classify(&shell::split(line).unwrap(), &BTreeMap::new(), &sources);
            // sudo is a privilege switch of its own, whatever it runs.
            let want: &[Kind] = if line.starts_with("sudo") {
                &[Kind::PrivilegeSwitch, Kind::Unknown]
            } else {
                &[Kind::Unknown]
            };
            assert_eq!(c.kinds(), want, "{line}");
            assert!(
                c.findings
                    .iter()
                    .any(|f| f.kind == Kind::Unknown && f.detail.contains("/tmp/evil/psql")),
                "{line}: {:?}",
                c.findings
            );
        }
        // A nested command is looked up on the PATH it will see, `env PATH=…` included.
        sources.asked.borrow_mut().clear();
        let env = BTreeMap::from([("PATH".to_string(), "/usr/bin".to_string())]);
        classify(
            &shell::split("env PATH=/tmp/evil psql -X").unwrap(),
            &env,
            &sources,
        );
        assert_eq!(
            *sources.asked.borrow(),
            [
                ("env".to_string(), Some("/usr/bin".to_string())),
                ("psql".to_string(), Some("/tmp/evil".to_string()))
            ]
        );
    }

    #[test]
    fn a_missing_program_is_unknown_when_nested_and_judged_by_name_on_its_own() {
        let sources = Resolves {
            answer: Program::Missing {
                why: "is not on PATH".into(),
            },
            asked: std::cell::RefCell::default(),
        };
        let argv = |line: &str| shell::split(line).unwrap();
        let own = classify(&argv("psql -X -c 'SELECT 1'"), &BTreeMap::new(), &sources);
        assert_eq!(
            own.kinds(),
            [Kind::Read],
            "gate run exits 127 before this matters"
        );
        let nested = classify(
            &argv("env psql -X -c 'SELECT 1'"),
            &BTreeMap::new(),
            &sources,
        );
        assert_eq!(nested.kinds(), [Kind::Unknown]);
        assert!(nested.findings[0].detail.contains("is not on PATH"));
        // A path that leads nowhere names no tool, even as the command's own program.
        let by_path = classify(&argv("./psql -X -c 'SELECT 1'"), &BTreeMap::new(), &sources);
        assert_eq!(by_path.kinds(), [Kind::Unknown]);
    }

    #[test]
    fn without_a_file_system_programs_are_judged_by_their_text() {
        let cases = [
            ("psql -X -c 'SELECT 1'", None, Kind::Read),
            ("/usr/bin/psql -X -c 'SELECT 1'", None, Kind::Read),
            (
                "/usr/lib/postgresql/16/bin/psql -X -c 'SELECT 1'",
                None,
                Kind::Read,
            ),
            (
                "/bin/psql -X -c 'SELECT 1'",
                Some("/usr/local/bin:/usr/bin"),
                Kind::Read,
            ),
            ("./psql -X -c 'SELECT 1'", None, Kind::Unknown),
            ("bin/psql -X -c 'SELECT 1'", None, Kind::Unknown),
            ("/tmp/x/psql -X -c 'SELECT 1'", None, Kind::Unknown),
            (
                "/usr/bin/../../tmp/psql -X -c 'SELECT 1'",
                None,
                Kind::Unknown,
            ),
            (
                "/usr/lib/postgresql/16/../../../../tmp/bin/psql -X",
                None,
                Kind::Unknown,
            ),
            ("psql -X -c 'SELECT 1'", Some(".:/usr/bin"), Kind::Unknown),
            (
                "psql -X -c 'SELECT 1'",
                Some("/usr/bin::/bin"),
                Kind::Unknown,
            ),
            ("psql -X -c 'SELECT 1'", Some("/usr/bin:bin"), Kind::Unknown),
            ("env ./psql -X -c 'SELECT 1'", None, Kind::Unknown),
            (
                "env PATH=.:/usr/bin psql -X -c 'SELECT 1'",
                None,
                Kind::Unknown,
            ),
        ];
        for (line, path, kind) in cases {
            let env: BTreeMap<String, String> = path
                .map(|p| ("PATH".to_string(), p.to_string()))
                .into_iter()
                .collect();
            let c = classify(&shell::split(line).unwrap(), &env, &NoSources);
            assert_eq!(
                c.kinds(),
                [kind],
                "{line} with PATH {path:?}: {:?}",
                c.findings
            );
        }
    }

    #[test]
    fn trusted_directory_patterns_match_whole_components() {
        assert!(dir_matches("/usr/bin", "/usr/bin"));
        assert!(dir_matches("/usr/bin", "/usr/bin/"));
        assert!(dir_matches(
            "/usr/lib/postgresql/*/bin",
            "/usr/lib/postgresql/15/bin"
        ));
        assert!(!dir_matches(
            "/usr/lib/postgresql/*/bin",
            "/usr/lib/postgresql/15/x/bin"
        ));
        assert!(!dir_matches(
            "/usr/lib/postgresql/*/bin",
            "/usr/lib/postgresql/../bin"
        ));
        assert!(!dir_matches("/usr/bin", "/usr/bin/x"));
        assert!(!dir_matches("/usr/bin", "usr/bin"));
        assert!(!dir_matches("/usr/bin", "/usr"));
    }

    #[test]
    fn kind_names_are_the_contract() {
        for kind in Kind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }
}
