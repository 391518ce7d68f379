//! The PostgreSQL client tools: what each will do, from a complete reading of its options (PostgreSQL 13–17),
//! its startup files and libpq's connection settings. An option, file or setting gate does not model makes the
//! command `unknown` (DESIGN §8).
//!
//! Option tables are the union over 13–17 of each tool's `long_options` and getopt string (`src/bin/psql/startup.c`
//! `parse_psql_options`; `src/bin/pg_dump/pg_dump.c`, `pg_dumpall.c`, `pg_restore.c`; `src/bin/scripts/createdb.c`,
//! `dropdb.c`), checked against the `--help` of the installed 15.18 client. A union is safe for GNU abbreviations:
//! a prefix unique in the union is unique in every version that has the option, and names nothing in one that
//! does not. `createuser`, `dropuser`, `vacuumdb`, `reindexdb`, `clusterdb` and `pg_isready` have no table and
//! stay `unknown`.

use std::collections::BTreeMap;

use super::args::{self, Arg, ArgError, OptSpec, Style, opt, opt_optional};
use super::sql::{self, Dialect, SqlFinding};
use super::{Finding, Kind, Risk, Sources, Target, Tool, psql_meta};

use super::libpq;

pub(crate) use libpq::safe_client_encoding;

use libpq::Param;

/// glibc's getopt stops permuting when `POSIXLY_CORRECT` is set: the first non-option ends the options, and
/// `psql app -c SQL` then reads stdin.
fn style(env: &BTreeMap<String, String>) -> Style {
    if env.contains_key("POSIXLY_CORRECT") {
        Style::GNU_POSIX_ORDER
    } else {
        Style::GNU
    }
}

fn bad_args(tool: &str, e: &ArgError) -> Vec<Finding> {
    vec![Finding::new(
        Kind::Unknown,
        tool,
        &Target::default(),
        format!("{e} ({tool})"),
    )]
}

/// Findings for what libpq will do besides connecting.
fn connection_findings(tool: &str, resolved: &libpq::Resolved) -> Vec<Finding> {
    resolved
        .concerns
        .iter()
        .map(|c| Finding::new(c.kind, tool, &resolved.target, c.detail.clone()))
        .collect()
}

/// Debian's `pg_wrapper` (`/usr/bin/psql` and friends are links to it) picks a cluster, and so a socket and a
/// port, from `PGCLUSTER`, `~/.postgresqlrc` and `/etc/postgresql-common/user_clusters` when neither a host nor a
/// port nor a service is given. gate does not resolve clusters, so a choice made there is `unknown`.
fn wrapper_findings(
    tool: &str,
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    target: &Target,
) -> Vec<Finding> {
    let unknown = |detail: String| vec![Finding::new(Kind::Unknown, tool, target, detail)];
    // pg_wrapper's own tests, regex for regex: `^--host\b`, `^-\w*h\w*$`, `^--port\b(?:=(\d+))?` with a value,
    // `^-\w*p(\d+)?$` with a value, and `\bservice=` in any argument before `--`.
    let options: Vec<&String> = argv.iter().take_while(|a| *a != "--").collect();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let long_is = |a: &str, name: &str| {
        a.strip_prefix(name)
            .is_some_and(|rest| !rest.starts_with(word))
    };
    let explicit_host = env.contains_key("PGHOST")
        || options.iter().any(|a| {
            long_is(a, "--host")
                || a.strip_prefix('-')
                    .is_some_and(|r| !r.is_empty() && r.chars().all(word) && r.contains('h'))
        });
    if env.contains_key("PGCLUSTER") && !explicit_host {
        return unknown(
            "PGCLUSTER makes Debian's pg_wrapper pick the cluster, which gate does not resolve"
                .into(),
        );
    }
    let explicit_port = env.get("PGPORT").is_some_and(|p| !p.is_empty() && p != "0")
        || options.iter().enumerate().any(|(i, a)| {
            let has_next = i + 1 < options.len();
            if let Some(rest) = a.strip_prefix("--port").filter(|r| !r.starts_with(word)) {
                return rest
                    .strip_prefix('=')
                    .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
                    || has_next;
            }
            a.strip_prefix('-').is_some_and(|r| {
                let letters = r.trim_end_matches(|c: char| c.is_ascii_digit());
                !r.starts_with('-')
                    && letters.ends_with('p')
                    && letters.chars().all(word)
                    && (letters.len() < r.len() || has_next)
            })
        });
    let explicit_service = env.contains_key("PGSERVICE")
        || options.iter().any(|a| {
            a.match_indices("service=")
                .any(|(i, _)| i == 0 || !a[..i].ends_with(word))
        });
    if explicit_host || explicit_port || explicit_service {
        return Vec::new();
    }
    let mut files = vec!["/etc/postgresql-common/user_clusters".to_string()];
    if let Some(home) = libpq::home(env) {
        files.insert(0, format!("{home}/.postgresqlrc"));
    }
    for file in files {
        let bytes = match super::optional_input(sources, &file) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(why) => return unknown(why),
        };
        let text = String::from_utf8_lossy(&bytes);
        if text
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        {
            return unknown(format!(
                "{file} tells Debian's pg_wrapper which cluster to use, which gate does not resolve"
            ));
        }
    }
    Vec::new()
}

/// The table name of psql's `-?`.
const SHORT_HELP: &str = "\0-?";

/// `psql` (startup.c `long_options` and `"aAbc:d:eEf:F:h:HlL:no:p:P:qR:sStT:U:v:VwWxXz?01"`; identical in
/// 13–17).
const PSQL: &[OptSpec] = &[
    opt(Some('a'), "echo-all", false),
    opt(Some('A'), "no-align", false),
    opt(Some('b'), "echo-errors", false),
    opt(Some('c'), "command", true),
    opt(Some('d'), "dbname", true),
    opt(Some('e'), "echo-queries", false),
    opt(Some('E'), "echo-hidden", false),
    opt(Some('f'), "file", true),
    opt(Some('F'), "field-separator", true),
    opt(Some('h'), "host", true),
    opt(Some('H'), "html", false),
    opt(Some('l'), "list", false),
    opt(Some('L'), "log-file", true),
    opt(Some('n'), "no-readline", false),
    opt(Some('o'), "output", true),
    opt(Some('p'), "port", true),
    opt(Some('P'), "pset", true),
    opt(Some('q'), "quiet", false),
    opt(Some('R'), "record-separator", true),
    opt(Some('s'), "single-step", false),
    opt(Some('S'), "single-line", false),
    opt(Some('t'), "tuples-only", false),
    opt(Some('T'), "table-attr", true),
    opt(Some('U'), "username", true),
    opt(Some('v'), "set", true),
    opt(Some('v'), "variable", true),
    opt(Some('V'), "version", false),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(Some('x'), "expanded", false),
    opt(Some('X'), "no-psqlrc", false),
    opt(Some('z'), "field-separator-zero", false),
    opt(Some('0'), "record-separator-zero", false),
    opt(Some('1'), "single-transaction", false),
    // `-?` is the short form; `--help` is long-only with an optional `=options|commands|variables`. The table
    // needs a long name for `-?`: one starting with NUL, which no argument can spell.
    opt(Some('?'), SHORT_HELP, false),
    opt_optional(None, "help"),
    opt(None, "csv", false),
];

/// Pagers that show text and run nothing unless a person at the terminal asks them to.
fn harmless_pager(pager: &str) -> bool {
    let mut words = pager.split_whitespace();
    let program = words.next().unwrap_or("");
    let program = program
        .strip_prefix("/usr/bin/")
        .or_else(|| program.strip_prefix("/bin/"))
        .unwrap_or(program);
    matches!(program, "less" | "more" | "cat")
        && words.all(|w| w.starts_with('-') && w[1..].chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The pager psql starts for long output on a terminal (`PageOutput`: `PSQL_PAGER`, else `PAGER`, an empty
/// value turning it off), and the one `\watch` uses (`PSQL_WATCH_PAGER`, 15+). They run through the shell, so a
/// value that is not a plain pager is `unknown`, unless `-P pager=off` turned paging off.
fn pager_findings(env: &BTreeMap<String, String>, pager_off: bool, tool: &Tool) -> Vec<Finding> {
    let mut out = Vec::new();
    let pager = env.get("PSQL_PAGER").or_else(|| env.get("PAGER"));
    for (what, value) in [
        ("PSQL_PAGER/PAGER", pager),
        ("PSQL_WATCH_PAGER", env.get("PSQL_WATCH_PAGER")),
    ] {
        if let Some(v) = value
            && !v.trim().is_empty()
            && !harmless_pager(v)
            && !(pager_off && what != "PSQL_WATCH_PAGER")
        {
            out.push(tool.finding(
                Kind::Unknown,
                format!("psql pipes long output on a terminal to {what} `{v}`, which gate cannot see into"),
            ));
        }
    }
    out
}

/// The startup files psql may read, each with its version variants (`process_psqlrc_file`: `FILE-MAJOR.MINOR`,
/// else `FILE-MAJOR`, else `FILE`). gate cannot tell which version will run, so it reads every variant of
/// 13–17 (minor releases up to .30) that exists: more than psql will, never less. `visit` sees each name in
/// one reused buffer, because this runs for every psql command.
fn for_each_psqlrc_candidate(base: &str, mut visit: impl FnMut(&str)) {
    use std::fmt::Write as _;
    let mut name = String::with_capacity(base.len() + 8);
    name.push_str(base);
    visit(&name);
    for major in 13..=17 {
        name.truncate(base.len());
        let _ = write!(name, "-{major}");
        visit(&name);
        let major_len = name.len();
        for minor in 0..=30 {
            name.truncate(major_len);
            let _ = write!(name, ".{minor}");
            visit(&name);
        }
    }
}

/// The startup files (`process_psqlrc`): the system one in the compiled-in sysconfdir (gate also reads
/// `PGSYSCONFDIR`'s, which the documentation names, though 15.18 ignores it), then `PSQLRC` or `~/.psqlrc`.
fn startup_files(
    env: &BTreeMap<String, String>,
    tool: &Tool,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let mut bases = vec![format!("{}/psqlrc", libpq::SYSCONFDIR)];
    if let Some(dir) = env.get("PGSYSCONFDIR").filter(|d| !d.is_empty()) {
        bases.push(format!("{dir}/psqlrc"));
    }
    let mut out = Vec::new();
    match env.get("PSQLRC").filter(|v| !v.is_empty()) {
        Some(rc) => match psql_meta::resolve_path(rc) {
            Ok(path) => bases.push(path),
            Err(why) => out.push(tool.finding(Kind::Unknown, format!("PSQLRC: {why}"))),
        },
        None => match libpq::home(env) {
            Some(home) => bases.push(format!("{home}/.psqlrc")),
            // Without HOME, psql takes the home directory of its effective user from the password database, and
            // gate does not know that user (`USER` is the requester's to set). On a real system /etc/passwd is
            // always readable; when it is not there at all (the policy simulator's `NoSources`), there is no
            // such home to look in.
            None if sources.read_file("/etc/passwd").is_none() => {}
            None => out.push(tool.finding(
                Kind::Unknown,
                "HOME is not set, so psql finds ~/.psqlrc through the password database, which gate cannot see",
            )),
        },
    }
    for base in bases {
        // psql skips a file it may not read (`access(R_OK)`), but it reads a FIFO or a device gate will not; so
        // whatever is there and gate cannot read makes the command `unknown`.
        let mut present = Vec::new();
        for_each_psqlrc_candidate(&base, |path| match super::optional_input(sources, path) {
            Ok(Some(bytes)) => present.push((path.to_string(), bytes)),
            Ok(None) => {}
            Err(why) => out.push(tool.finding(Kind::Unknown, format!("startup file {why}"))),
        });
        for (path, bytes) in present {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let found =
                psql_meta::in_script(&path, || sql::analyse(&text, Dialect::Postgres, sources));
            if found.is_empty() {
                out.push(tool.finding(Kind::Read, format!("startup file {path}: no statements")));
            }
            out.extend(tool.convert(found, &format!("startup file {path}")));
        }
    }
    out
}

/// On a terminal psql asks for `client_encoding=auto` (startup.c: unless `PGCLIENTENCODING` is set), which takes
/// the locale's codeset. gate reads SQL as UTF-8, so a locale whose codeset it does not allow-list is `unknown`
/// (SJIS, BIG5, GBK and GB18030 have trailing bytes that are `\` or `'`). gate cannot tell whether stdout is a
/// terminal, so the check is made whenever the locale variables are known to it.
fn locale_findings(env: &BTreeMap<String, String>, tool: &Tool) -> Vec<Finding> {
    if env.contains_key("PGCLIENTENCODING") {
        return Vec::new();
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|v| env.get(*v).filter(|l| !l.is_empty()));
    let Some(locale) = locale else {
        return Vec::new();
    };
    let codeset = locale
        .split_once('.')
        .map(|(_, c)| c.split('@').next().unwrap_or(c));
    let safe = matches!(locale.as_str(), "C" | "POSIX")
        || codeset.is_some_and(|c| {
            let c = c.to_ascii_lowercase().replace('-', "");
            c == "utf8" || c.starts_with("iso8859")
        });
    if safe {
        Vec::new()
    } else {
        vec![tool.finding(
            Kind::Unknown,
            format!("on a terminal psql takes its client encoding from the locale `{locale}`, whose codeset gate does not read SQL in"),
        )]
    }
}

fn sql_finding(tool: &Tool, f: SqlFinding) -> Finding {
    tool.finding(f.kind, f.detail)
        .with_risk(f.risk)
        .with_objects(f.objects)
}

/// `psql`: SQL and backslash commands from `-c`, `-f`, stdin and the startup files, in psql's order, and what
/// its output options do.
pub fn psql(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    psql_meta::begin_session(libpq::home(env));
    let found = psql_invocation(argv, env, sources);
    // No later classification on this thread inherits this invocation's `\cd`.
    psql_meta::begin_session(None);
    found
}

fn psql_invocation(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let no_target = Target::default();
    let early = Tool {
        name: "psql",
        target: &no_target,
        dialect: Dialect::Postgres,
    };
    // startup.c answers these before reading any other option.
    if argv
        .first()
        .is_some_and(|a| a == "-?" || a == "--version" || a == "-V")
        || (argv.len() == 1 && argv[0] == "--help")
    {
        return vec![early.finding(Kind::Read, "prints psql's own help or version")];
    }
    let parsed = match args::parse_strict(argv, PSQL, style(env)) {
        Ok(p) => p,
        Err(e) => return bad_args("psql", &e),
    };
    let mut positionals = args::positionals(&parsed);
    let dbname = args::last(&parsed, "dbname").or_else(|| positionals.next());
    let user = args::last(&parsed, "username").or_else(|| positionals.next());
    let list = args::has(&parsed, "list");
    let resolved = libpq::resolve(
        &[
            Param::Plain("host", args::last(&parsed, "host")),
            Param::Plain("port", args::last(&parsed, "port")),
            Param::Plain("user", user),
            Param::Expand(if list && dbname.is_none() {
                Some("postgres")
            } else {
                dbname
            }),
            Param::Plain(
                "client_encoding",
                env.get("PGCLIENTENCODING").map(String::as_str),
            ),
        ],
        env,
        sources,
    );
    let target = resolved.target.clone();
    let tool = Tool {
        name: "psql",
        target: &target,
        dialect: Dialect::Postgres,
    };
    let mut findings = connection_findings("psql", &resolved);
    findings.extend(wrapper_findings("psql", argv, env, sources, &target));

    // Options take effect while getopt reads them: `-o` opens its file or starts its pipe at once, and `-V`,
    // `-?` and `--help` stop psql where they stand.
    let mut actions: Vec<(&str, &str)> = Vec::new();
    let mut pager_off = false;
    for arg in &parsed {
        let Arg::Opt { name, value } = arg else {
            continue;
        };
        let value = value.as_deref().unwrap_or("");
        match *name {
            "version" | "help" | SHORT_HELP => {
                findings.push(tool.finding(Kind::Read, "prints psql's own help or version"));
                return findings;
            }
            "output" if value.starts_with('|') => findings.push(tool.finding(
                Kind::CodeExecution,
                "-o |command pipes query output to a shell command",
            )),
            "output" if !value.is_empty() => findings.push(tool.finding(
                Kind::DataExport,
                format!("-o writes query output to the file {value}"),
            )),
            // A session log holds every query and its results: data leaving the database into a file.
            "log-file" => findings.push(tool.finding(
                Kind::DataExport,
                format!("-L appends every query and its output to the file {value}"),
            )),
            "set" | "variable" => {
                let (var, val) = value.split_once('=').unwrap_or((value, ""));
                findings.extend(psql_meta::set_variable(var, val).map(|f| sql_finding(&tool, f)));
            }
            "pset" => {
                let (option, val) = value
                    .split_once('=')
                    .map_or((value, None), |(o, v)| (o, Some(v)));
                match psql_meta::pset(option, val) {
                    Some(f) => findings.push(sql_finding(&tool, f)),
                    None if option == "pager" => pager_off = true,
                    None => {}
                }
            }
            "single-line" => findings.push(tool.finding(
                Kind::Unknown,
                "-S ends statements at newlines, which gate's reading of the SQL does not follow",
            )),
            "command" | "file" => actions.push((name, value)),
            _ => {}
        }
    }
    findings.extend(pager_findings(env, pager_off, &tool));
    findings.extend(locale_findings(env, &tool));
    if !args::has(&parsed, "no-psqlrc") {
        findings.extend(startup_files(env, &tool, sources));
    }
    if list {
        findings.push(tool.finding(Kind::Read, "lists databases"));
        return findings;
    }
    for (name, value) in &actions {
        if *name == "command" {
            // psql runs a -c value as one backslash command when its first character is a backslash, and
            // otherwise sends it to the server as it is.
            match value.strip_prefix('\\') {
                Some(meta) => findings.extend(tool.client_command(meta, sources)),
                None => findings.extend(tool.sql(value, sources)),
            }
        } else {
            let path = value.to_string();
            findings.extend(psql_meta::in_script(&path, || {
                tool.script_file(&path, sources)
            }));
        }
    }
    if actions.is_empty() {
        findings.extend(tool.stdin(sources));
    }
    if findings.is_empty() {
        findings.push(tool.finding(Kind::Read, "no statements"));
    }
    findings
}

/// `pg_dump` (pg_dump.c `long_options`, 13–17: `-b`/`-B` gained `--large-objects`/`--no-large-objects` in 16,
/// `--*-and-children` came in 16, `--filter`, `--exclude-extension` and `--sync-method` in 17, `--restrict-key`
/// in 17.6 and the matching back-branch releases).
const PG_DUMP: &[OptSpec] = &[
    opt(Some('a'), "data-only", false),
    opt(Some('b'), "blobs", false),
    opt(Some('b'), "large-objects", false),
    opt(Some('B'), "no-blobs", false),
    opt(Some('B'), "no-large-objects", false),
    opt(Some('c'), "clean", false),
    opt(Some('C'), "create", false),
    opt(Some('d'), "dbname", true),
    opt(Some('e'), "extension", true),
    opt(Some('E'), "encoding", true),
    opt(Some('f'), "file", true),
    opt(Some('F'), "format", true),
    opt(Some('h'), "host", true),
    opt(Some('j'), "jobs", true),
    opt(Some('n'), "schema", true),
    opt(Some('N'), "exclude-schema", true),
    opt(Some('O'), "no-owner", false),
    opt(Some('p'), "port", true),
    opt(Some('R'), "no-reconnect", false),
    opt(Some('s'), "schema-only", false),
    opt(Some('S'), "superuser", true),
    opt(Some('t'), "table", true),
    opt(Some('T'), "exclude-table", true),
    opt(Some('U'), "username", true),
    opt(Some('v'), "verbose", false),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(Some('x'), "no-privileges", false),
    opt(Some('x'), "no-acl", false),
    opt(Some('Z'), "compress", true),
    opt(Some('?'), "help", false),
    opt(Some('V'), "version", false),
    opt(None, "attribute-inserts", false),
    opt(None, "binary-upgrade", false),
    opt(None, "column-inserts", false),
    opt(None, "disable-dollar-quoting", false),
    opt(None, "disable-triggers", false),
    opt(None, "enable-row-security", false),
    opt(None, "exclude-table-data", true),
    opt(None, "extra-float-digits", true),
    opt(None, "if-exists", false),
    opt(None, "inserts", false),
    opt(None, "lock-wait-timeout", true),
    opt(None, "no-table-access-method", false),
    opt(None, "no-tablespaces", false),
    opt(None, "quote-all-identifiers", false),
    opt(None, "load-via-partition-root", false),
    opt(None, "role", true),
    opt(None, "section", true),
    opt(None, "serializable-deferrable", false),
    opt(None, "snapshot", true),
    opt(None, "strict-names", false),
    opt(None, "use-set-session-authorization", false),
    opt(None, "no-comments", false),
    opt(None, "no-publications", false),
    opt(None, "no-security-labels", false),
    opt(None, "no-subscriptions", false),
    opt(None, "no-toast-compression", false),
    opt(None, "no-unlogged-table-data", false),
    opt(None, "no-sync", false),
    opt(None, "on-conflict-do-nothing", false),
    opt(None, "rows-per-insert", true),
    opt(None, "include-foreign-data", true),
    opt(None, "table-and-children", true),
    opt(None, "exclude-table-and-children", true),
    opt(None, "exclude-table-data-and-children", true),
    opt(None, "sync-method", true),
    opt(None, "filter", true),
    opt(None, "exclude-extension", true),
    opt(None, "restrict-key", true),
];

/// `pg_dumpall` (pg_dumpall.c `long_options`, 13–17; `--filter` in 17, `--restrict-key` in 17.6).
const PG_DUMPALL: &[OptSpec] = &[
    opt(Some('a'), "data-only", false),
    opt(Some('c'), "clean", false),
    opt(Some('d'), "dbname", true),
    opt(Some('E'), "encoding", true),
    opt(Some('f'), "file", true),
    opt(Some('g'), "globals-only", false),
    opt(Some('h'), "host", true),
    opt(Some('l'), "database", true),
    opt(Some('O'), "no-owner", false),
    opt(Some('p'), "port", true),
    opt(Some('r'), "roles-only", false),
    opt(Some('s'), "schema-only", false),
    opt(Some('S'), "superuser", true),
    opt(Some('t'), "tablespaces-only", false),
    opt(Some('U'), "username", true),
    opt(Some('v'), "verbose", false),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(Some('x'), "no-privileges", false),
    opt(Some('x'), "no-acl", false),
    opt(Some('?'), "help", false),
    opt(Some('V'), "version", false),
    opt(None, "attribute-inserts", false),
    opt(None, "binary-upgrade", false),
    opt(None, "column-inserts", false),
    opt(None, "disable-dollar-quoting", false),
    opt(None, "disable-triggers", false),
    opt(None, "exclude-database", true),
    opt(None, "extra-float-digits", true),
    opt(None, "if-exists", false),
    opt(None, "inserts", false),
    opt(None, "lock-wait-timeout", true),
    opt(None, "no-table-access-method", false),
    opt(None, "no-tablespaces", false),
    opt(None, "quote-all-identifiers", false),
    opt(None, "load-via-partition-root", false),
    opt(None, "role", true),
    opt(None, "use-set-session-authorization", false),
    opt(None, "no-comments", false),
    opt(None, "no-publications", false),
    opt(None, "no-role-passwords", false),
    opt(None, "no-security-labels", false),
    opt(None, "no-subscriptions", false),
    opt(None, "no-sync", false),
    opt(None, "no-toast-compression", false),
    opt(None, "no-unlogged-table-data", false),
    opt(None, "on-conflict-do-nothing", false),
    opt(None, "rows-per-insert", true),
    opt(None, "filter", true),
    opt(None, "restrict-key", true),
];

/// `pg_restore` (pg_restore.c `cmdopts`, 13–17; `--filter` and `--transaction-size` in 17, `--restrict-key` in
/// 17.6).
const PG_RESTORE: &[OptSpec] = &[
    opt(Some('a'), "data-only", false),
    opt(Some('c'), "clean", false),
    opt(Some('C'), "create", false),
    opt(Some('d'), "dbname", true),
    opt(Some('e'), "exit-on-error", false),
    opt(Some('f'), "file", true),
    opt(Some('F'), "format", true),
    opt(Some('h'), "host", true),
    opt(Some('I'), "index", true),
    opt(Some('j'), "jobs", true),
    opt(Some('l'), "list", false),
    opt(Some('L'), "use-list", true),
    opt(Some('n'), "schema", true),
    opt(Some('N'), "exclude-schema", true),
    opt(Some('O'), "no-owner", false),
    opt(Some('p'), "port", true),
    opt(Some('P'), "function", true),
    opt(Some('R'), "no-reconnect", false),
    opt(Some('s'), "schema-only", false),
    opt(Some('S'), "superuser", true),
    opt(Some('t'), "table", true),
    opt(Some('T'), "trigger", true),
    opt(Some('U'), "username", true),
    opt(Some('v'), "verbose", false),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(Some('x'), "no-privileges", false),
    opt(Some('x'), "no-acl", false),
    opt(Some('1'), "single-transaction", false),
    opt(Some('?'), "help", false),
    opt(Some('V'), "version", false),
    opt(None, "disable-triggers", false),
    opt(None, "enable-row-security", false),
    opt(None, "if-exists", false),
    opt(None, "no-data-for-failed-tables", false),
    opt(None, "no-table-access-method", false),
    opt(None, "no-tablespaces", false),
    opt(None, "role", true),
    opt(None, "section", true),
    opt(None, "strict-names", false),
    opt(None, "transaction-size", true),
    opt(None, "use-set-session-authorization", false),
    opt(None, "no-comments", false),
    opt(None, "no-publications", false),
    opt(None, "no-security-labels", false),
    opt(None, "no-subscriptions", false),
    opt(None, "filter", true),
    opt(None, "restrict-key", true),
];

/// The dump tools answer `--help`/`-?` and `--version`/`-V` only as the first argument (elsewhere getopt maps
/// them to an error, or to the same exit).
fn prints_help(argv: &[String]) -> bool {
    argv.first()
        .is_some_and(|a| matches!(a.as_str(), "--help" | "-?" | "--version" | "-V"))
}

/// The arguments of one of the dump, restore and database tools, read against its table: `Err` holds the
/// findings to return instead, a read when the first argument asks for help or the version (the tool then reads
/// nothing else), `unknown` when the arguments are not all understood.
fn tool_args(
    tool: &str,
    argv: &[String],
    table: &[OptSpec],
    env: &BTreeMap<String, String>,
) -> Result<Vec<Arg>, Vec<Finding>> {
    if prints_help(argv) {
        return Err(vec![Finding::new(
            Kind::Read,
            tool,
            &Target::default(),
            format!("prints {tool}'s help or version"),
        )]);
    }
    args::parse_strict(argv, table, style(env)).map_err(|e| bad_args(tool, &e))
}

fn dump_objects(parsed: &[Arg]) -> Vec<String> {
    ["table", "table-and-children", "schema"]
        .iter()
        .flat_map(|n| args::values(parsed, n))
        .map(str::to_string)
        .collect()
}

/// `--role`: the tool runs `SET ROLE` before it works.
fn role_finding(tool: &str, parsed: &[Arg], target: &Target) -> Option<Finding> {
    args::last(parsed, "role").map(|r| {
        Finding::new(
            Kind::PrivilegeSwitch,
            tool,
            target,
            format!("--role runs SET ROLE {r} before it starts"),
        )
    })
}

/// libpq's array order in pg_dump and pg_restore (`ConnectDatabase`): host, port, user, then the expandable
/// database name, whose fields override the flags before it.
fn dump_connection(
    parsed: &[Arg],
    dbname: Option<&str>,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> libpq::Resolved {
    libpq::resolve(
        &[
            Param::Plain("host", args::last(parsed, "host")),
            Param::Plain("port", args::last(parsed, "port")),
            Param::Plain("user", args::last(parsed, "username")),
            Param::Expand(dbname),
        ],
        env,
        sources,
    )
}

/// `pg_dump`: a logical export of one database, or of the tables and schemas named.
#[cfg(test)]
pub fn pg_dump(argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    pg_dump_with(argv, env, &super::NoSources)
}

/// [`pg_dump`] with the files libpq and Debian's wrapper may read; `classify_words` calls this one.
pub fn pg_dump_with(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let parsed = match tool_args("pg_dump", argv, PG_DUMP, env) {
        Ok(p) => p,
        Err(found) => return found,
    };
    if args::has(&parsed, "help") || args::has(&parsed, "version") {
        return bad_args(
            "pg_dump",
            &ArgError::Unknown("--help/--version after other options".into()),
        );
    }
    let mut positionals = args::positionals(&parsed);
    let dbname = args::last(&parsed, "dbname").or_else(|| positionals.next());
    let resolved = dump_connection(&parsed, dbname, env, sources);
    let target = resolved.target.clone();
    let mut findings = connection_findings("pg_dump", &resolved);
    findings.extend(wrapper_findings("pg_dump", argv, env, sources, &target));
    findings.extend(role_finding("pg_dump", &parsed, &target));
    let objects = dump_objects(&parsed);
    let (risk, what) = if args::has(&parsed, "schema-only") {
        (Risk::Moderate, "schema-only dump")
    } else if args::has(&parsed, "data-only") {
        (Risk::High, "data-only dump")
    } else if objects.is_empty() {
        (Risk::High, "full logical dump")
    } else {
        (Risk::High, "logical dump of the named tables and schemas")
    };
    let detail = match args::last(&parsed, "file") {
        Some(f) if f != "-" => format!("{what}, written to {f}"),
        _ => what.to_string(),
    };
    findings.push(
        Finding::new(Kind::DataExport, "pg_dump", &target, detail)
            .with_risk(risk)
            .with_objects(objects),
    );
    findings
}

/// `pg_dumpall`: every database, and the cluster's roles (with their password hashes).
#[cfg(test)]
pub fn pg_dumpall(argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    pg_dumpall_with(argv, env, &super::NoSources)
}

/// [`pg_dumpall`] with the files libpq and Debian's wrapper may read; `classify_words` calls this one.
pub fn pg_dumpall_with(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let parsed = match tool_args("pg_dumpall", argv, PG_DUMPALL, env) {
        Ok(p) => p,
        Err(found) => return found,
    };
    if args::has(&parsed, "help")
        || args::has(&parsed, "version")
        || args::positionals(&parsed).next().is_some()
    {
        return bad_args(
            "pg_dumpall",
            &ArgError::Unknown("an argument pg_dumpall does not take".into()),
        );
    }
    // pg_dumpall's connectDatabase: the connection string's fields first, the flags after them.
    let resolved = libpq::resolve(
        &[
            Param::Expand(args::last(&parsed, "dbname")),
            Param::Plain("host", args::last(&parsed, "host")),
            Param::Plain("port", args::last(&parsed, "port")),
            Param::Plain("user", args::last(&parsed, "username")),
            Param::Plain("dbname", args::last(&parsed, "database")),
        ],
        env,
        sources,
    );
    let target = resolved.target.clone();
    let mut findings = connection_findings("pg_dumpall", &resolved);
    findings.extend(wrapper_findings("pg_dumpall", argv, env, sources, &target));
    findings.extend(role_finding("pg_dumpall", &parsed, &target));
    let (risk, detail) = if args::has(&parsed, "roles-only") {
        (Risk::Critical, "dump of every role, with password hashes")
    } else if args::has(&parsed, "globals-only") {
        (
            Risk::Critical,
            "dump of roles and tablespaces, with password hashes",
        )
    } else if args::has(&parsed, "tablespaces-only") {
        (Risk::Moderate, "dump of the tablespace definitions")
    } else if args::has(&parsed, "schema-only") {
        (
            Risk::Critical,
            "schema-only dump of every database, with every role",
        )
    } else {
        (Risk::Critical, "dump of every database and every role")
    };
    findings.push(Finding::new(Kind::DataExport, "pg_dumpall", &target, detail).with_risk(risk));
    findings
}

/// `pg_restore`: with `-d` it writes an archive into a database (`--clean` drops first, `--create` makes the
/// database, and with `--clean` drops it); without, it turns the archive into a script, on stdout or in the
/// `-f` file.
#[cfg(test)]
pub fn pg_restore(argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    pg_restore_with(argv, env, &super::NoSources)
}

/// [`pg_restore`] with the files libpq and Debian's wrapper may read; `classify_words` calls this one.
pub fn pg_restore_with(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let parsed = match tool_args("pg_restore", argv, PG_RESTORE, env) {
        Ok(p) => p,
        Err(found) => return found,
    };
    if args::has(&parsed, "help")
        || args::has(&parsed, "version")
        || args::positionals(&parsed).nth(1).is_some()
    {
        return bad_args(
            "pg_restore",
            &ArgError::Unknown("an argument pg_restore does not take".into()),
        );
    }
    let dbname = args::last(&parsed, "dbname");
    let resolved = dump_connection(&parsed, dbname, env, sources);
    let target = resolved.target.clone();
    let objects = dump_objects(&parsed);
    let archive = args::positionals(&parsed)
        .next()
        .unwrap_or("stdin")
        .to_string();
    let out_file = args::last(&parsed, "file").filter(|f| *f != "-");
    if dbname.is_none() {
        // No connection is made: only the archive is read.
        return vec![match out_file {
            Some(f) => Finding::new(
                Kind::DataExport,
                "pg_restore",
                &target,
                format!("writes the contents of {archive} to the file {f}"),
            ),
            None => Finding::new(
                Kind::Read,
                "pg_restore",
                &target,
                format!("reads the archive {archive}; writes no database"),
            ),
        }];
    }
    let mut findings = connection_findings("pg_restore", &resolved);
    findings.extend(wrapper_findings("pg_restore", argv, env, sources, &target));
    if args::has(&parsed, "list") {
        findings.push(Finding::new(
            Kind::Read,
            "pg_restore",
            &target,
            format!("lists the contents of {archive}"),
        ));
        return findings;
    }
    findings.extend(role_finding("pg_restore", &parsed, &target));
    findings.push(
        Finding::new(
            Kind::BulkWrite,
            "pg_restore",
            &target,
            format!("restores {archive} into the database"),
        )
        .with_objects(objects.clone()),
    );
    if args::has(&parsed, "clean") {
        findings.push(
            Finding::new(
                Kind::DestructiveWrite,
                "pg_restore",
                &target,
                "--clean drops the objects before restoring them",
            )
            .with_objects(objects),
        );
    }
    if args::has(&parsed, "create") {
        findings.push(Finding::new(
            Kind::DestructiveWrite,
            "pg_restore",
            &target,
            "--create creates the database (and with --clean drops it first)",
        ));
    }
    findings
}

/// `createdb` (createdb.c, 13–17: `--icu-locale` and `--locale-provider` in 15, `--icu-rules` in 16,
/// `--builtin-locale` in 17; `-S/--strategy` in 15).
const CREATEDB: &[OptSpec] = &[
    opt(Some('h'), "host", true),
    opt(Some('p'), "port", true),
    opt(Some('U'), "username", true),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(Some('e'), "echo", false),
    opt(Some('O'), "owner", true),
    opt(Some('D'), "tablespace", true),
    opt(Some('T'), "template", true),
    opt(Some('E'), "encoding", true),
    opt(Some('S'), "strategy", true),
    opt(Some('l'), "locale", true),
    opt(Some('V'), "version", false),
    opt(Some('?'), "help", false),
    opt(None, "lc-collate", true),
    opt(None, "lc-ctype", true),
    opt(None, "icu-locale", true),
    opt(None, "icu-rules", true),
    opt(None, "builtin-locale", true),
    opt(None, "locale-provider", true),
    opt(None, "maintenance-db", true),
];

/// `dropdb` (dropdb.c, 13–17).
const DROPDB: &[OptSpec] = &[
    opt(Some('h'), "host", true),
    opt(Some('p'), "port", true),
    opt(Some('U'), "username", true),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(Some('e'), "echo", false),
    opt(Some('i'), "interactive", false),
    opt(Some('f'), "force", false),
    opt(Some('V'), "version", false),
    opt(Some('?'), "help", false),
    opt(None, "if-exists", false),
    opt(None, "maintenance-db", true),
];

/// `dropdb` and `createdb`.
#[cfg(test)]
pub fn db_admin(tool: &str, argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    db_admin_with(tool, argv, env, &super::NoSources)
}

/// [`db_admin`] with the files libpq and Debian's wrapper may read; `classify_words` calls this one.
pub fn db_admin_with(
    tool: &str,
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let table = if tool == "dropdb" { DROPDB } else { CREATEDB };
    let parsed = match tool_args(tool, argv, table, env) {
        Ok(p) => p,
        Err(found) => return found,
    };
    if args::has(&parsed, "help") || args::has(&parsed, "version") {
        return bad_args(
            tool,
            &ArgError::Unknown("--help/--version after other options".into()),
        );
    }
    let mut positionals = args::positionals(&parsed);
    let name = positionals.next().map(str::to_string);
    // createdb takes a comment for the new database as a second argument.
    let comment = positionals.next();
    if positionals.next().is_some() || (tool == "dropdb" && comment.is_some()) {
        return bad_args(tool, &ArgError::Unknown("an extra argument".into()));
    }
    // connectMaintenanceDatabase: host, port, user, then the expandable maintenance database.
    let resolved = libpq::resolve(
        &[
            Param::Plain("host", args::last(&parsed, "host")),
            Param::Plain("port", args::last(&parsed, "port")),
            Param::Plain("user", args::last(&parsed, "username")),
            Param::Expand(args::last(&parsed, "maintenance-db")),
        ],
        env,
        sources,
    );
    let mut target = resolved.target.clone();
    let mut findings = connection_findings(tool, &resolved);
    findings.extend(wrapper_findings(tool, argv, env, sources, &target));
    let Some(name) = name.or_else(|| (tool == "createdb").then(|| target.user.clone()).flatten())
    else {
        findings.push(Finding::new(
            Kind::Unknown,
            tool,
            &target,
            "no database named",
        ));
        return findings;
    };
    target.database = Some(name.clone());
    let finding = if tool == "dropdb" {
        Finding::new(
            Kind::DestructiveWrite,
            tool,
            &target,
            "drops a whole database",
        )
        .with_risk(Risk::Critical)
    } else {
        Finding::new(Kind::SchemaChange, tool, &target, "creates a database")
    };
    findings.push(finding.with_objects(vec![name]));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn target_precedence_flags_then_conninfo_then_env() {
        let env = BTreeMap::from([
            ("PGHOST".to_string(), "env-host".to_string()),
            ("PGPORT".to_string(), "6000".to_string()),
            ("PGDATABASE".to_string(), "envdb".to_string()),
        ]);
        let f = &pg_dump(&s(&["-h", "flag-host", "app"]), &env)[0];
        assert_eq!(
            f.target,
            Target {
                host: Some("flag-host".into()),
                port: Some(6000),
                database: Some("app".into()),
                user: None
            }
        );
        let f = &pg_dump(
            &s(&["-d", "host=ci port=5433 dbname='my db' user=ops"]),
            &env,
        )[0];
        assert_eq!(
            f.target,
            Target {
                host: Some("ci".into()),
                port: Some(5433),
                database: Some("my db".into()),
                user: Some("ops".into())
            }
        );
        let f = &pg_dump(
            &s(&["postgres://ops:pw@pg.prod.example.com:5432/shop?sslmode=require"]),
            &BTreeMap::new(),
        )[0];
        assert_eq!(
            f.target,
            Target {
                host: Some("pg.prod.example.com".into()),
                port: Some(5432),
                database: Some("shop".into()),
                user: Some("ops".into())
            }
        );
        let f = &psql(
            &s(&[
                "-X",
                "postgresql:///app?host=/var/run/postgresql",
                "-c",
                "SELECT 1",
            ]),
            &BTreeMap::new(),
            &NoSources,
        )[0];
        assert_eq!(f.target.host.as_deref(), Some("/var/run/postgresql"));
        assert_eq!(f.target.database.as_deref(), Some("app"));
    }

    struct Tty;
    impl Sources for Tty {
        fn read_input(&self, path: &str) -> crate::classify::Input {
            crate::classify::fixture_input(self.read_file(path))
        }

        fn stdin(&self) -> crate::classify::StdinView<'_> {
            crate::classify::StdinView::Terminal
        }
        fn read_file(&self, _path: &str) -> Option<Vec<u8>> {
            None
        }
    }

    #[test]
    fn psql_sources() {
        let f = psql(
            &s(&[
                "-X",
                "-h",
                "h",
                "app",
                "ops",
                "-c",
                "SELECT 1",
                "-c",
                "\\d items",
            ]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(
            f.iter().map(|f| f.kind).collect::<Vec<_>>(),
            [Kind::Read, Kind::Read]
        );
        assert_eq!(f[0].target.user.as_deref(), Some("ops"));

        let f = psql(&s(&["-X", "app"]), &BTreeMap::new(), &Tty);
        assert_eq!(f[0].kind, Kind::Unknown);
        assert!(f[0].detail.contains("interactive session"));
        let f = psql(
            &s(&["-X", "app", "-c", "\\! rm -rf /"]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(f[0].kind, Kind::CodeExecution);
        let f = psql(
            &s(&["-X", "app", "-c", "\\copy customers to 'c.csv' csv header"]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(f[0].kind, Kind::DataExport);
    }

    #[test]
    fn dump_scopes() {
        let f = &pg_dump(&s(&["-s", "app"]), &BTreeMap::new())[0];
        assert_eq!((f.kind, f.risk), (Kind::DataExport, Risk::Moderate));
        let f = &pg_dump(
            &s(&["-t", "public.refunds", "-n", "audit", "app"]),
            &BTreeMap::new(),
        )[0];
        assert_eq!(f.objects, ["public.refunds", "audit"]);
        let f = &pg_dumpall(&s(&["-r"]), &BTreeMap::new())[0];
        assert_eq!(f.risk, Risk::Critical);
    }

    fn kinds(f: &[Finding]) -> Vec<Kind> {
        let mut k: Vec<Kind> = f.iter().map(|f| f.kind).collect();
        k.sort();
        k.dedup();
        k
    }

    fn home_env(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut env = BTreeMap::from([("HOME".to_string(), "/home/u".to_string())]);
        for (k, v) in extra {
            env.insert((*k).to_string(), (*v).to_string());
        }
        env
    }

    #[test]
    fn psql_options_are_read_as_getopt_long_does() {
        let env = home_env(&[]);
        let k = |a: &[&str]| kinds(&psql(&s(a), &env, &NoSources));
        assert_eq!(k(&["--comm=SELECT 1"]), [Kind::Read]);
        assert_eq!(k(&["--no-psql", "-c", "SELECT 1"]), [Kind::Read]);
        assert_eq!(k(&["--frobnicate", "-c", "SELECT 1"]), [Kind::Unknown]);
        // `--e` could be --echo-all, --echo-errors, --echo-queries, --echo-hidden or --expanded.
        assert_eq!(k(&["--e", "-c", "SELECT 1"]), [Kind::Unknown]);
        assert_eq!(
            k(&["-o", "|touch /tmp/x", "-c", "SELECT 1"]),
            [Kind::Read, Kind::CodeExecution]
        );
        assert_eq!(
            k(&["--out=/tmp/x", "-c", "SELECT 1"]),
            [Kind::Read, Kind::DataExport]
        );
        assert_eq!(
            k(&["-L", "/tmp/log", "-c", "SELECT 1"]),
            [Kind::Read, Kind::DataExport]
        );
        // -o acts while the options are read, so even -V after it runs the pipe.
        assert_eq!(k(&["-o", "|id", "-V"]), [Kind::Read, Kind::CodeExecution]);
        assert_eq!(k(&["-V"]), [Kind::Read]);
        assert_eq!(k(&["--help=commands"]), [Kind::Read]);
        assert_eq!(
            k(&["-v", "ON_ERROR_STOP=1", "-c", "SELECT 1"]),
            [Kind::Read]
        );
        assert_eq!(
            k(&["-v", "PROMPT1=%`id`", "-c", "SELECT 1"]),
            [Kind::Read, Kind::CodeExecution]
        );
        assert_eq!(
            k(&["--set=HISTFILE=/tmp/h", "-c", "SELECT 1"]),
            [Kind::Read, Kind::Unknown]
        );
        assert_eq!(k(&["-S", "-c", "SELECT 1"]), [Kind::Read, Kind::Unknown]);
        let posix = home_env(&[("POSIXLY_CORRECT", "1")]);
        let f = psql(&s(&["-X", "app", "-c", "SELECT 1"]), &posix, &Tty);
        assert!(f.iter().any(|f| f.detail.contains("interactive")), "{f:?}");
    }

    #[test]
    fn pagers() {
        let k = |env: &BTreeMap<String, String>, a: &[&str]| kinds(&psql(&s(a), env, &NoSources));
        assert_eq!(
            k(&home_env(&[("PAGER", "less -S")]), &["-c", "SELECT 1"]),
            [Kind::Read]
        );
        assert_eq!(
            k(
                &home_env(&[("PAGER", "sh -c 'touch /tmp/p'")]),
                &["-c", "SELECT 1"]
            ),
            [Kind::Read, Kind::Unknown]
        );
        assert_eq!(
            k(
                &home_env(&[("PSQL_PAGER", "evil")]),
                &["-P", "pager=off", "-c", "SELECT 1"]
            ),
            [Kind::Read]
        );
        assert_eq!(
            k(&home_env(&[("PAGER", "")]), &["-c", "SELECT 1"]),
            [Kind::Read]
        );
    }

    struct Rc(&'static [(&'static str, &'static str)]);
    impl Sources for Rc {
        fn read_input(&self, path: &str) -> crate::classify::Input {
            crate::classify::fixture_input(self.read_file(path))
        }

        fn stdin(&self) -> crate::classify::StdinView<'_> {
            crate::classify::StdinView::Terminal
        }
        fn read_file(&self, path: &str) -> Option<Vec<u8>> {
            self.0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| t.as_bytes().to_vec())
        }
    }

    #[test]
    fn startup_files_are_inputs() {
        let env = home_env(&[]);
        let run =
            |files: &'static [(&'static str, &'static str)],
             a: &[&str],
             env: &BTreeMap<String, String>| { kinds(&psql(&s(a), env, &Rc(files))) };
        let harmless: &[(&str, &str)] =
            &[("/home/u/.psqlrc", "\\set QUIET 1\n\\pset null '(null)'\n")];
        assert_eq!(run(harmless, &["-c", "SELECT 1"], &env), [Kind::Read]);
        let evil: &[(&str, &str)] = &[("/home/u/.psqlrc-15.8", "DROP TABLE t;\n")];
        assert_eq!(
            run(evil, &["-c", "SELECT 1"], &env),
            [Kind::Read, Kind::DestructiveWrite]
        );
        assert_eq!(run(evil, &["-X", "-c", "SELECT 1"], &env), [Kind::Read]);
        let system: &[(&str, &str)] = &[("/etc/postgresql-common/psqlrc-17", "\\! id\n")];
        assert_eq!(
            run(system, &["-c", "SELECT 1"], &env),
            [Kind::Read, Kind::CodeExecution]
        );
        let custom: &[(&str, &str)] = &[
            ("/home/u/rc/custom", "\\ir more.sql\n"),
            ("/home/u/rc/more.sql", "TRUNCATE t;"),
        ];
        let with_rc = home_env(&[("PSQLRC", "~/rc/custom")]);
        assert_eq!(
            run(custom, &["-c", "SELECT 1"], &with_rc),
            [Kind::Read, Kind::DestructiveWrite]
        );
        // Without HOME psql asks the password database: gate cannot follow.
        let passwd: &[(&str, &str)] = &[("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n")];
        assert_eq!(
            run(passwd, &["-c", "SELECT 1"], &BTreeMap::new()),
            [Kind::Read, Kind::Unknown]
        );
        // -l reads the startup files too.
        assert_eq!(
            run(evil, &["-l"], &env),
            [Kind::Read, Kind::DestructiveWrite]
        );
    }

    #[test]
    fn connection_settings() {
        let env = home_env(&[("PGOPTIONS", "-c standard_conforming_strings=off")]);
        assert_eq!(
            kinds(&psql(&s(&["-X", "-c", "SELECT 1"]), &env, &NoSources)),
            [Kind::Read, Kind::Unknown]
        );
        let env = home_env(&[]);
        let f = psql(
            &s(&["-X", "options='-c role=admin' dbname=app", "-c", "SELECT 1"]),
            &env,
            &NoSources,
        );
        assert_eq!(kinds(&f), [Kind::Read, Kind::PrivilegeSwitch]);
        let f = psql(
            &s(&["-X", "-h", "flag", "host=conn dbname=app", "-c", "SELECT 1"]),
            &env,
            &NoSources,
        );
        assert_eq!(f[0].target.host.as_deref(), Some("conn"));
        let f = psql(
            &s(&[
                "-X",
                "-d",
                "postgresql://h/app?sslmod=require",
                "-c",
                "SELECT 1",
            ]),
            &env,
            &NoSources,
        );
        assert_eq!(kinds(&f), [Kind::Read, Kind::Unknown]);
        let env = home_env(&[("PGCLUSTER", "15/main")]);
        assert_eq!(
            kinds(&psql(&s(&["-X", "-c", "SELECT 1"]), &env, &NoSources)),
            [Kind::Read, Kind::Unknown]
        );
        let env = home_env(&[("PGFROB", "1")]);
        assert_eq!(
            kinds(&psql(&s(&["-X", "-c", "SELECT 1"]), &env, &NoSources)),
            [Kind::Read, Kind::Unknown]
        );
    }

    #[test]
    fn dump_tools() {
        let env = BTreeMap::new();
        assert_eq!(
            kinds(&pg_dump(&s(&["--sche", "app"]), &env)),
            [Kind::Unknown]
        );
        assert_eq!(
            kinds(&pg_dump(&s(&["--schema-o", "app"]), &env)),
            [Kind::DataExport]
        );
        assert_eq!(
            kinds(&pg_dump(&s(&["--role=admin", "app"]), &env)),
            [Kind::DataExport, Kind::PrivilegeSwitch]
        );
        assert_eq!(
            kinds(&pg_restore(&s(&["--dbn=app", "x.dump"]), &env)),
            [Kind::BulkWrite]
        );
        assert_eq!(
            kinds(&pg_restore(&s(&["-f", "-", "x.dump"]), &env)),
            [Kind::Read]
        );
        assert_eq!(
            kinds(&pg_restore(&s(&["-f", "out.sql", "x.dump"]), &env)),
            [Kind::DataExport]
        );
        assert_eq!(
            kinds(&pg_restore(&s(&["--bogus", "x.dump"]), &env)),
            [Kind::Unknown]
        );
        assert_eq!(
            kinds(&pg_dumpall(&s(&["-f", "all.sql"]), &env)),
            [Kind::DataExport]
        );
        assert_eq!(
            kinds(&db_admin("dropdb", &s(&["--if-e", "shop"]), &env)),
            [Kind::DestructiveWrite]
        );
        assert_eq!(
            kinds(&db_admin(
                "createdb",
                &s(&["--strat=wal_log", "shop"]),
                &env
            )),
            [Kind::SchemaChange]
        );
        assert_eq!(
            kinds(&db_admin("dropdb", &s(&["-x", "shop"]), &env)),
            [Kind::Unknown]
        );
    }

    #[test]
    fn debian_wrapper_files() {
        let files: &[(&str, &str)] = &[("/home/u/.postgresqlrc", "# comment\n15 main app\n")];
        let env = home_env(&[]);
        let k = |a: &[&str], env: &BTreeMap<String, String>| kinds(&psql(&s(a), env, &Rc(files)));
        assert_eq!(
            k(&["-X", "-c", "SELECT 1"], &env),
            [Kind::Read, Kind::Unknown]
        );
        // An explicit host or port keeps pg_wrapper from consulting it.
        assert_eq!(k(&["-X", "-h", "db", "-c", "SELECT 1"], &env), [Kind::Read]);
        assert_eq!(k(&["-X", "-p5433", "-c", "SELECT 1"], &env), [Kind::Read]);
        assert_eq!(
            k(&["-X", "service=x", "-c", "SELECT 1"], &env)[0],
            Kind::Read
        );
        let comments: &[(&str, &str)] = &[(
            "/etc/postgresql-common/user_clusters",
            "# only comments\n\n",
        )];
        assert_eq!(
            kinds(&psql(&s(&["-X", "-c", "SELECT 1"]), &env, &Rc(comments))),
            [Kind::Read]
        );
    }

    #[test]
    fn locales() {
        let k = |env: &BTreeMap<String, String>| {
            kinds(&psql(&s(&["-X", "-c", "SELECT 1"]), env, &NoSources))
        };
        assert_eq!(k(&home_env(&[("LANG", "en_US.UTF-8")])), [Kind::Read]);
        assert_eq!(k(&home_env(&[("LC_ALL", "C")])), [Kind::Read]);
        assert_eq!(
            k(&home_env(&[
                ("LANG", "en_US.UTF-8"),
                ("LC_ALL", "ja_JP.SJIS")
            ])),
            [Kind::Read, Kind::Unknown]
        );
        assert_eq!(
            k(&home_env(&[
                ("LANG", "zh_TW"),
                ("PGCLIENTENCODING", "UTF8")
            ])),
            [Kind::Read]
        );
    }

    #[test]
    fn help_forms() {
        let env = home_env(&[]);
        let k = |a: &[&str]| kinds(&psql(&s(a), &env, &NoSources));
        assert_eq!(k(&["-X", "-?", "-c", "DROP TABLE t"]), [Kind::Read]);
        assert_eq!(
            k(&["-X", "--help=variables", "-c", "DROP TABLE t"]),
            [Kind::Read]
        );
        // getopt_long knows no `--?`.
        assert_eq!(k(&["-X", "--?", "-c", "SELECT 1"]), [Kind::Unknown]);
    }
}
