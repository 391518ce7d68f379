//! The MySQL and MariaDB clients: `mysql`/`mariadb` (SQL from `-e`, `--init-command`, option files or stdin)
//! and `mysqldump`/`mariadb-dump`.
//!
//! These clients do much more than send SQL: they read option files before their arguments, take abbreviated
//! and `--skip-`/`--enable-` spellings of their options (my_getopt), and run their own commands (`system`,
//! `source`, `pager`, `\!` …) wherever their line reader finds them. Gate models each of those exactly as the
//! client does, and makes the command `unknown` where it cannot (DESIGN §8).

use std::collections::BTreeMap;

use super::sql::Dialect;
use super::{Finding, Kind, Risk, Sources, StdinView, Target, Tool};

/// How an option takes its value, as my_getopt spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arity {
    /// A flag (`GET_BOOL`/`GET_NO_ARG`): `--x`, `--x=0|1|on|off|true|false`, `--skip-x`, `--enable-x`.
    Flag,
    /// `REQUIRED_ARG`: attached (`-hdb`, `--host=db`) or the next argument.
    Required,
    /// `OPT_ARG`: only attached (`-pSECRET`, `--password=SECRET`, `--pager=less`); never the next argument.
    Optional,
}

use Arity::{Flag, Optional, Required};

/// One option of one of the clients.
struct MyOpt {
    short: Option<char>,
    long: &'static str,
    arity: Arity,
}

const fn o(short: Option<char>, long: &'static str, arity: Arity) -> MyOpt {
    MyOpt { short, long, arity }
}

/// The `mysql` client's options: the union of MySQL 8.0/8.4 (`mysql --help`, reference manual §6.5.1.1 "mysql
/// Client Options") and MariaDB 10.11 (`mariadb --help`, Ver 15.1 Distrib 10.11.14). Gate cannot tell which of
/// the two a `mysql` binary is, so an option either of them takes is read as both read it; an abbreviation is
/// resolved against the union, which can only make more of them ambiguous (and so `unknown`).
const MYSQL: &[MyOpt] = &[
    o(Some('?'), "help", Flag),
    o(Some('I'), "help", Flag),
    o(None, "abort-source-on-error", Flag),
    o(None, "auto-rehash", Flag),
    o(Some('A'), "no-auto-rehash", Flag),
    o(None, "auto-vertical-output", Flag),
    o(Some('B'), "batch", Flag),
    o(None, "binary-as-hex", Flag),
    o(None, "binary-mode", Flag),
    o(None, "bind-address", Required),
    o(None, "character-sets-dir", Required),
    o(None, "column-names", Flag),
    o(Some('N'), "skip-column-names", Flag),
    o(None, "column-type-info", Flag),
    o(Some('c'), "comments", Flag),
    o(Some('C'), "compress", Flag),
    o(None, "compression-algorithms", Required),
    o(None, "connect-expired-password", Flag),
    o(None, "connect-timeout", Required),
    o(Some('D'), "database", Required),
    o(Some('#'), "debug", Optional),
    o(None, "debug-check", Flag),
    o(Some('T'), "debug-info", Flag),
    o(None, "default-auth", Required),
    o(None, "default-character-set", Required),
    o(None, "delimiter", Required),
    o(None, "dns-srv-name", Required),
    o(None, "enable-cleartext-plugin", Flag),
    o(Some('e'), "execute", Required),
    o(Some('f'), "force", Flag),
    o(None, "get-server-public-key", Flag),
    o(None, "histignore", Required),
    o(Some('h'), "host", Required),
    o(Some('H'), "html", Flag),
    o(Some('i'), "ignore-spaces", Flag),
    o(None, "init-command", Required),
    o(None, "init-command-add", Required),
    o(None, "line-numbers", Flag),
    o(Some('L'), "skip-line-numbers", Flag),
    o(None, "load-data-local-dir", Required),
    o(None, "local-infile", Flag),
    o(None, "max-allowed-packet", Required),
    o(None, "max-join-size", Required),
    o(Some('G'), "named-commands", Flag),
    o(None, "net-buffer-length", Required),
    o(None, "network-namespace", Required),
    o(Some('b'), "no-beep", Flag),
    o(Some('o'), "one-database", Flag),
    o(None, "pager", Optional),
    o(Some('p'), "password", Optional),
    o(None, "password1", Optional),
    o(None, "password2", Optional),
    o(None, "password3", Optional),
    o(Some('W'), "pipe", Flag),
    o(None, "plugin-dir", Required),
    o(Some('P'), "port", Required),
    o(None, "print-query-on-error", Flag),
    o(None, "progress-reports", Flag),
    o(None, "prompt", Required),
    o(None, "protocol", Required),
    o(Some('q'), "quick", Flag),
    o(None, "quick-max-column-width", Required),
    o(Some('r'), "raw", Flag),
    o(None, "reconnect", Flag),
    o(Some('U'), "safe-updates", Flag),
    o(Some('U'), "i-am-a-dummy", Flag),
    o(None, "sandbox", Flag),
    o(None, "secure-auth", Flag),
    o(None, "select-limit", Required),
    o(None, "server-arg", Required),
    o(None, "server-public-key-path", Required),
    o(None, "shared-memory-base-name", Required),
    o(None, "show-warnings", Flag),
    o(None, "sigint-ignore", Flag),
    o(Some('s'), "silent", Flag),
    o(Some('S'), "socket", Required),
    o(None, "ssl", Flag),
    o(None, "ssl-ca", Required),
    o(None, "ssl-capath", Required),
    o(None, "ssl-cert", Required),
    o(None, "ssl-cipher", Required),
    o(None, "ssl-crl", Required),
    o(None, "ssl-crlpath", Required),
    o(None, "ssl-fips-mode", Required),
    o(None, "ssl-key", Required),
    o(None, "ssl-mode", Required),
    o(None, "ssl-session-data", Required),
    o(None, "ssl-session-data-continue-on-failed-reuse", Flag),
    o(None, "ssl-verify-server-cert", Flag),
    o(None, "system-command", Flag),
    o(Some('j'), "syslog", Flag),
    o(Some('t'), "table", Flag),
    o(None, "tee", Optional),
    o(None, "tls-ciphersuites", Required),
    o(None, "tls-sni-servername", Required),
    o(None, "tls-version", Required),
    o(Some('n'), "unbuffered", Flag),
    o(Some('u'), "user", Required),
    o(Some('v'), "verbose", Flag),
    o(Some('V'), "version", Flag),
    o(Some('E'), "vertical", Flag),
    o(Some('w'), "wait", Flag),
    o(Some('X'), "xml", Flag),
    o(None, "zstd-compression-level", Required),
];

/// The options of `mysql` that only shape the connection or the output: understood, and harmless to the data.
const MYSQL_HARMLESS: &[&str] = &[
    "abort-source-on-error",
    "auto-rehash",
    "no-auto-rehash",
    "auto-vertical-output",
    "batch",
    "binary-as-hex",
    "bind-address",
    "column-names",
    "skip-column-names",
    "column-type-info",
    "compress",
    "compression-algorithms",
    "connect-expired-password",
    "connect-timeout",
    "database",
    "debug-check",
    "debug-info",
    "default-character-set",
    "enable-cleartext-plugin",
    "force",
    "get-server-public-key",
    "histignore",
    "host",
    "html",
    "ignore-spaces",
    "line-numbers",
    "skip-line-numbers",
    "max-allowed-packet",
    "max-join-size",
    "net-buffer-length",
    "no-beep",
    "one-database",
    "password",
    "password1",
    "password2",
    "password3",
    "port",
    "print-query-on-error",
    "progress-reports",
    "prompt",
    "protocol",
    "quick",
    "quick-max-column-width",
    "raw",
    "reconnect",
    "safe-updates",
    "i-am-a-dummy",
    "sandbox",
    "secure-auth",
    "select-limit",
    "server-public-key-path",
    "show-warnings",
    "sigint-ignore",
    "silent",
    "socket",
    "ssl",
    "ssl-ca",
    "ssl-capath",
    "ssl-cert",
    "ssl-cipher",
    "ssl-crl",
    "ssl-crlpath",
    "ssl-fips-mode",
    "ssl-key",
    "ssl-mode",
    "ssl-session-data",
    "ssl-session-data-continue-on-failed-reuse",
    "ssl-verify-server-cert",
    "system-command",
    "syslog",
    "table",
    "tls-ciphersuites",
    "tls-sni-servername",
    "tls-version",
    "unbuffered",
    "user",
    "verbose",
    "vertical",
    "wait",
    "xml",
    "zstd-compression-level",
    "execute",
    "init-command",
    "init-command-add",
    "delimiter",
    "help",
    "version",
    "named-commands",
];

/// `mysqldump`/`mariadb-dump` options: MySQL 8.0/8.4 (`mysqldump --help`, reference manual §6.5.4) and MariaDB
/// 10.11 (`mariadb-dump --help`, Ver 10.19 Distrib 10.11.14).
const MYSQLDUMP: &[MyOpt] = &[
    o(Some('?'), "help", Flag),
    o(Some('A'), "all-databases", Flag),
    o(Some('Y'), "all-tablespaces", Flag),
    o(Some('y'), "no-tablespaces", Flag),
    o(None, "add-drop-database", Flag),
    o(None, "add-drop-table", Flag),
    o(None, "add-drop-trigger", Flag),
    o(None, "add-locks", Flag),
    o(None, "allow-keywords", Flag),
    o(None, "apply-replica-statements", Flag),
    o(None, "apply-slave-statements", Flag),
    o(None, "as-of", Required),
    o(None, "bind-address", Required),
    o(None, "character-sets-dir", Required),
    o(None, "column-statistics", Flag),
    o(Some('i'), "comments", Flag),
    o(None, "compatible", Required),
    o(None, "compact", Flag),
    o(Some('c'), "complete-insert", Flag),
    o(Some('C'), "compress", Flag),
    o(None, "compression-algorithms", Required),
    o(None, "copy-s3-tables", Flag),
    o(Some('a'), "create-options", Flag),
    o(Some('B'), "databases", Flag),
    o(Some('#'), "debug", Optional),
    o(None, "debug-check", Flag),
    o(None, "debug-info", Flag),
    o(None, "default-auth", Required),
    o(None, "default-character-set", Required),
    o(None, "delayed-insert", Flag),
    o(None, "delete-master-logs", Flag),
    o(None, "delete-source-logs", Flag),
    o(Some('K'), "disable-keys", Flag),
    o(None, "dump-date", Flag),
    o(Some('H'), "dump-history", Flag),
    o(None, "dump-replica", Optional),
    o(None, "dump-slave", Optional),
    o(Some('E'), "events", Flag),
    o(Some('e'), "extended-insert", Flag),
    o(None, "fields-enclosed-by", Required),
    o(None, "fields-escaped-by", Required),
    o(None, "fields-optionally-enclosed-by", Required),
    o(None, "fields-terminated-by", Required),
    o(Some('F'), "flush-logs", Flag),
    o(None, "flush-privileges", Flag),
    o(Some('f'), "force", Flag),
    o(None, "get-server-public-key", Flag),
    o(None, "gtid", Flag),
    o(None, "header", Flag),
    o(None, "hex-blob", Flag),
    o(Some('h'), "host", Required),
    o(None, "ignore-database", Required),
    o(None, "ignore-error", Required),
    o(None, "ignore-table", Required),
    o(None, "ignore-table-data", Required),
    o(None, "ignore-views", Flag),
    o(None, "include-master-host-port", Flag),
    o(None, "include-source-host-port", Flag),
    o(None, "insert-ignore", Flag),
    o(None, "lines-terminated-by", Required),
    o(Some('x'), "lock-all-tables", Flag),
    o(Some('l'), "lock-tables", Flag),
    o(None, "log-error", Required),
    o(None, "log-queries", Flag),
    o(None, "master-data", Optional),
    o(None, "source-data", Optional),
    o(None, "max-allowed-packet", Required),
    o(None, "max-statement-time", Required),
    o(None, "mysqld-long-query-time", Required),
    o(None, "net-buffer-length", Required),
    o(None, "network-timeout", Flag),
    o(None, "no-autocommit", Flag),
    o(Some('n'), "no-create-db", Flag),
    o(Some('t'), "no-create-info", Flag),
    o(Some('d'), "no-data", Flag),
    o(None, "no-data-med", Flag),
    o(Some('N'), "no-set-names", Flag),
    o(None, "opt", Flag),
    o(None, "order-by-primary", Flag),
    o(None, "order-by-size", Flag),
    o(Some('p'), "password", Optional),
    o(None, "password1", Optional),
    o(None, "password2", Optional),
    o(None, "password3", Optional),
    o(Some('W'), "pipe", Flag),
    o(None, "plugin-dir", Required),
    o(Some('P'), "port", Required),
    o(None, "protocol", Required),
    o(Some('q'), "quick", Flag),
    o(Some('Q'), "quote-names", Flag),
    o(None, "replace", Flag),
    o(Some('r'), "result-file", Required),
    o(Some('R'), "routines", Flag),
    o(None, "server-public-key-path", Required),
    o(None, "set-charset", Flag),
    o(None, "set-gtid-purged", Required),
    o(None, "shared-memory-base-name", Required),
    o(None, "show-create-skip-secondary-engine", Flag),
    o(None, "single-transaction", Flag),
    o(None, "skip-add-drop-table", Flag),
    o(None, "skip-add-locks", Flag),
    o(None, "skip-comments", Flag),
    o(None, "skip-compact", Flag),
    o(None, "skip-disable-keys", Flag),
    o(None, "skip-extended-insert", Flag),
    o(None, "skip-generated-invisible-primary-key", Flag),
    o(None, "skip-opt", Flag),
    o(None, "skip-quick", Flag),
    o(None, "skip-quote-names", Flag),
    o(None, "skip-set-charset", Flag),
    o(None, "skip-triggers", Flag),
    o(None, "skip-tz-utc", Flag),
    o(Some('S'), "socket", Required),
    o(None, "ssl", Flag),
    o(None, "ssl-ca", Required),
    o(None, "ssl-capath", Required),
    o(None, "ssl-cert", Required),
    o(None, "ssl-cipher", Required),
    o(None, "ssl-crl", Required),
    o(None, "ssl-crlpath", Required),
    o(None, "ssl-fips-mode", Required),
    o(None, "ssl-key", Required),
    o(None, "ssl-mode", Required),
    o(None, "ssl-verify-server-cert", Flag),
    o(None, "system", Required),
    o(Some('T'), "tab", Required),
    o(None, "tables", Flag),
    o(None, "tls-ciphersuites", Required),
    o(None, "tls-sni-servername", Required),
    o(None, "tls-version", Required),
    o(None, "triggers", Flag),
    o(None, "tz-utc", Flag),
    o(Some('u'), "user", Required),
    o(Some('v'), "verbose", Flag),
    o(Some('V'), "version", Flag),
    o(Some('w'), "where", Required),
    o(Some('X'), "xml", Flag),
    o(None, "zstd-compression-level", Required),
];

/// `mysqldump` options that change something besides what is dumped and where the dump goes.
fn mysqldump_effect(name: &str) -> Option<(Kind, &'static str)> {
    Some(match name {
        "delete-master-logs" | "delete-source-logs" => (
            Kind::AdminConfig,
            "deletes the server's binary logs after the dump",
        ),
        "flush-logs" => (Kind::AdminConfig, "flushes the server's logs"),
        "dump-slave" | "dump-replica" => (
            Kind::AdminConfig,
            "stops and restarts the replica's SQL thread",
        ),
        "tab" => (
            Kind::DataExport,
            "--tab makes the server write a data file for each table",
        ),
        _ => return None,
    })
}

/// A value an option was given.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    /// A flag, on or off.
    Bool(bool),
    /// A value, or none for an `Optional` option given bare (`-p`: prompt for the password).
    Str(Option<String>),
    /// `--skip-X`/`--disable-X` of an option that takes a value (`--skip-pager`).
    Disabled,
}

/// The options that name option files; my_getopt only takes them before every other option.
#[derive(Clone, Debug, Default)]
#[allow(clippy::struct_field_names)]
struct Defaults {
    no_defaults: bool,
    print_defaults: bool,
    no_login_paths: bool,
    file: Option<String>,
    extra_file: Option<String>,
    group_suffix: Option<String>,
    login_path: Option<String>,
}

/// What the client's arguments (and option files) say, in order.
#[derive(Debug, Default)]
struct Options {
    opts: Vec<(&'static str, Value)>,
    positionals: Vec<String>,
}

impl Options {
    fn last(&self, name: &str) -> Option<&Value> {
        self.opts
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    fn text(&self, name: &str) -> Option<&str> {
        match self.last(name) {
            Some(Value::Str(Some(s))) => Some(s),
            _ => None,
        }
    }

    fn texts<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.opts.iter().filter_map(move |(n, v)| match v {
            Value::Str(Some(s)) if *n == name => Some(s.as_str()),
            _ => None,
        })
    }

    fn on(&self, name: &str) -> bool {
        matches!(self.last(name), Some(Value::Bool(true)))
    }
}

/// my_getopt's spelling of a flag's value.
fn bool_value(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "on" | "true" => Some(true),
        "0" | "off" | "false" => Some(false),
        _ => None,
    }
}

/// Finds the option a long name means, as my_getopt does: the exact name, or the one option it is an
/// unambiguous prefix of. `-` and `_` are the same character in names.
fn find_long<'t>(name: &str, table: &'t [MyOpt]) -> Result<Option<&'t MyOpt>, String> {
    if let Some(exact) = table.iter().find(|t| t.long == name) {
        return Ok(Some(exact));
    }
    if name.is_empty() {
        return Ok(None);
    }
    let mut matches: Vec<&MyOpt> = table.iter().filter(|t| t.long.starts_with(name)).collect();
    matches.dedup_by(|a, b| a.long == b.long);
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(format!(
            "`--{name}` could mean any of {}",
            many.iter()
                .map(|m| format!("--{}", m.long))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Reads one `--name[=value]` (from the command line or, as `name=value`, from an option file). `next` supplies
/// the following argument for a required value.
fn read_long(
    word: &str,
    table: &[MyOpt],
    next: &mut dyn FnMut() -> Option<String>,
    out: &mut Options,
) -> Result<(), String> {
    let (raw_name, inline) = match word.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (word, None),
    };
    let name = raw_name.replace('_', "-");
    let mut name = name.as_str();
    // `--loose-x` is `--x` that is only warned about when unknown; gate never ignores what it does not know.
    if let Some(rest) = name.strip_prefix("loose-") {
        name = rest;
    }
    if name.starts_with("maximum-") {
        return Err(format!("`--{raw_name}` sets a limit gate does not model"));
    }
    // The exact name wins over a special prefix (`--skip-column-names` is an option of its own).
    let (spec, prefix) = match find_long(name, table)? {
        Some(spec) => (spec, None),
        None => {
            let special = ["skip-", "disable-", "enable-"]
                .iter()
                .find_map(|p| name.strip_prefix(p).map(|rest| (*p, rest)));
            match special {
                Some((p, rest)) => match find_long(rest, table)? {
                    Some(spec) => (spec, Some(p)),
                    None => {
                        return Err(format!(
                            "option `--{raw_name}` is not one gate knows for this client"
                        ));
                    }
                },
                None => {
                    return Err(format!(
                        "option `--{raw_name}` is not one gate knows for this client"
                    ));
                }
            }
        }
    };
    let value = match (spec.arity, prefix, inline) {
        (Flag, None, None) => Value::Bool(true),
        (Flag, None, Some(v)) => Value::Bool(
            bool_value(&v).ok_or_else(|| format!("`--{raw_name}` takes no value gate can read"))?,
        ),
        (Flag, Some("enable-"), None) => Value::Bool(true),
        (Flag, Some(_), None) => Value::Bool(false),
        (Flag, Some(_), Some(_)) => {
            return Err(format!("`--{raw_name}` takes no value"));
        }
        (_, Some("skip-" | "disable-"), None) => Value::Disabled,
        (_, Some(_), _) => {
            return Err(format!("gate does not model `--{raw_name}`"));
        }
        (Required | Optional, None, Some(v)) => Value::Str(Some(v)),
        (Required, None, None) => {
            Value::Str(Some(next().ok_or_else(|| {
                format!("option `--{raw_name}` needs a value and has none")
            })?))
        }
        (Optional, None, None) => Value::Str(None),
    };
    out.opts.push((spec.long, value));
    Ok(())
}

/// Reads the client's argument list as my_getopt does. The option-file options come first (and only first);
/// options and positionals may then be mixed, and `--` ends the options.
fn read_args(argv: &[String], table: &[MyOpt]) -> Result<(Defaults, Options), String> {
    let mut defaults = Defaults::default();
    let mut i = 0;
    // my_load_defaults() looks only at the leading arguments, and only in their `--name=value` form.
    while let Some(arg) = argv.get(i) {
        let value = |p: &str| arg.strip_prefix(p).map(str::to_string);
        if arg == "--no-defaults" {
            defaults.no_defaults = true;
        } else if arg == "--print-defaults" {
            defaults.print_defaults = true;
        } else if arg == "--no-login-paths" {
            defaults.no_login_paths = true;
        } else if let Some(v) = value("--defaults-file=") {
            defaults.file = Some(v);
        } else if let Some(v) = value("--defaults-extra-file=") {
            defaults.extra_file = Some(v);
        } else if let Some(v) = value("--defaults-group-suffix=") {
            defaults.group_suffix = Some(v);
        } else if let Some(v) = value("--login-path=") {
            defaults.login_path = Some(v);
        } else {
            break;
        }
        i += 1;
    }
    let mut out = Options::default();
    let mut rest = argv[i..].iter();
    let mut options_done = false;
    while let Some(arg) = rest.next() {
        if options_done || arg == "-" || !arg.starts_with('-') {
            out.positionals.push(arg.clone());
            continue;
        }
        if arg == "--" {
            options_done = true;
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let mut next = || rest.next().cloned();
            read_long(long, table, &mut next, &mut out)?;
            continue;
        }
        let cluster = &arg[1..];
        for (at, c) in cluster.char_indices() {
            let Some(spec) = table.iter().find(|t| t.short == Some(c)) else {
                return Err(format!(
                    "option `-{c}` is not one gate knows for this client"
                ));
            };
            let attached = &cluster[at + c.len_utf8()..];
            match spec.arity {
                Flag => {
                    out.opts.push((spec.long, Value::Bool(true)));
                    continue;
                }
                Optional => out.opts.push((
                    spec.long,
                    Value::Str((!attached.is_empty()).then(|| attached.to_string())),
                )),
                Required if !attached.is_empty() => {
                    out.opts
                        .push((spec.long, Value::Str(Some(attached.to_string()))));
                }
                Required => {
                    let v = rest
                        .next()
                        .ok_or_else(|| format!("option `-{c}` needs a value and has none"))?;
                    out.opts.push((spec.long, Value::Str(Some(v.clone()))));
                }
            }
            break;
        }
    }
    Ok((defaults, out))
}

/// How deep `!include` may nest.
const MAX_INCLUDE_DEPTH: usize = 8;

/// One option file's options for the groups the client reads, in order, as `name[=value]` words.
fn read_option_file(
    path: &str,
    groups: &[String],
    sources: &dyn Sources,
    depth: usize,
    out: &mut Vec<String>,
) -> Result<bool, String> {
    if depth > MAX_INCLUDE_DEPTH {
        return Err(format!("option file {path}: `!include` nests too deeply"));
    }
    let Some(bytes) = super::optional_input(sources, path)? else {
        return Ok(false);
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut in_group = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(directive) = line.strip_prefix('!') {
            if let Some(file) = directive.strip_prefix("include").filter(|r| {
                r.starts_with(char::is_whitespace) && !directive.starts_with("includedir")
            }) {
                let file = file.trim();
                if !read_option_file(file, groups, sources, depth + 1, out)? {
                    return Err(format!(
                        "option file {path} includes {file}, which gate cannot read"
                    ));
                }
                continue;
            }
            return Err(format!(
                "option file {path} has `{line}`; gate cannot list a directory to read what it includes"
            ));
        }
        if let Some(group) = line.strip_prefix('[') {
            let Some(name) = group.split(']').next() else {
                return Err(format!("option file {path}: cannot read `{line}`"));
            };
            in_group = groups.iter().any(|g| g.eq_ignore_ascii_case(name.trim()));
            continue;
        }
        if !in_group {
            continue;
        }
        out.push(
            option_file_word(line)
                .ok_or_else(|| format!("option file {path}: gate cannot read the line `{line}`"))?,
        );
    }
    Ok(true)
}

/// `name = value` as my_getopt reads it from an option file: spaces around `=` dropped, a value in quotes
/// unquoted, a trailing ` #comment` cut. A value with escapes (`\n`, `\\`) is one gate does not decode.
fn option_file_word(line: &str) -> Option<String> {
    let Some((name, value)) = line.split_once('=') else {
        if line.contains(char::is_whitespace) || line.contains(['"', '\'', '\\']) {
            return None;
        }
        return Some(line.to_string());
    };
    let name = name.trim();
    let mut value = value.trim();
    if let Some(q @ ('"' | '\'')) = value.chars().next() {
        let inner = &value[1..];
        let end = inner.find(q)?;
        if !inner[end + 1..].trim().is_empty() && !inner[end + 1..].trim().starts_with('#') {
            return None;
        }
        value = &inner[..end];
    } else if let Some(hash) = value.find(" #").or_else(|| value.find("\t#")) {
        value = value[..hash].trim();
    }
    if value.contains('\\') || name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some(format!("{name}={value}"))
}

/// The option files a client reads, in order (MySQL 8 reference manual §6.2.2.2 "Using Option Files", and
/// MariaDB's `--help`). `None` from [`Sources::read_file`] is taken as "absent" for the default files: gate
/// cannot yet tell a missing file from one it may not read.
fn option_file_words(
    defaults: &Defaults,
    tool_groups: &[&str],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let suffix = defaults
        .group_suffix
        .clone()
        .or_else(|| env.get("MYSQL_GROUP_SUFFIX").cloned());
    let mut groups: Vec<String> = tool_groups.iter().map(ToString::to_string).collect();
    if let Some(suffix) = &suffix {
        let with: Vec<String> = groups.iter().map(|g| format!("{g}{suffix}")).collect();
        groups.extend(with);
    }
    if let Some(path) = &defaults.login_path {
        groups.push(path.clone());
    }
    let home = env.get("HOME").filter(|h| h.starts_with('/'));
    // `.mylogin.cnf` is read even under --no-defaults and --defaults-file. It is obfuscated (AES), so gate
    // cannot see what it sets.
    if !defaults.no_login_paths {
        let login_file = env
            .get("MYSQL_TEST_LOGIN_FILE")
            .cloned()
            .or_else(|| home.map(|h| format!("{h}/.mylogin.cnf")));
        if let Some(file) = login_file
            && sources.read_file(&file).is_some()
        {
            return Err(format!(
                "the client reads {file}, which is obfuscated; gate cannot see what it sets"
            ));
        }
    }
    if defaults.login_path.is_some() {
        return Err("--login-path reads a login path from the obfuscated .mylogin.cnf".into());
    }
    if defaults.no_defaults {
        return Ok(words);
    }
    if let Some(file) = &defaults.file {
        if !read_option_file(file, &groups, sources, 0, &mut words)? {
            return Err(format!("--defaults-file={file}, which gate cannot read"));
        }
        return Ok(words);
    }
    // SYSCONFDIR/my.cnf is wherever the binary was built to look; these are the upstream builds' choices
    // (distribution packages use /etc or /etc/mysql).
    let mut files: Vec<String> = vec![
        "/etc/my.cnf".into(),
        "/etc/mysql/my.cnf".into(),
        "/usr/local/mysql/etc/my.cnf".into(),
        "/usr/local/etc/my.cnf".into(),
    ];
    for var in ["MYSQL_HOME", "MARIADB_HOME"] {
        if let Some(dir) = env.get(var) {
            files.push(format!("{dir}/my.cnf"));
        }
    }
    if let Some(extra) = &defaults.extra_file {
        if sources.read_file(extra).is_none() {
            return Err(format!(
                "--defaults-extra-file={extra}, which gate cannot read"
            ));
        }
        files.push(extra.clone());
    }
    if let Some(h) = home {
        files.push(format!("{h}/.my.cnf"));
    }
    for file in files {
        read_option_file(&file, &groups, sources, 0, &mut words)?;
    }
    Ok(words)
}

/// The whole option list: option files first, then the command line, as my_getopt sees them.
fn read_everything(
    argv: &[String],
    table: &[MyOpt],
    groups: &[&str],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Result<(Defaults, Options), String> {
    let (defaults, from_argv) = read_args(argv, table)?;
    let mut options = Options::default();
    for word in option_file_words(&defaults, groups, env, sources)? {
        let mut none = || None;
        read_long(&word, table, &mut none, &mut options)
            .map_err(|e| format!("in an option file: {e}"))?;
    }
    options.opts.extend(from_argv.opts);
    options.positionals = from_argv.positionals;
    Ok((defaults, options))
}

/// The `MYSQL*`/`MARIADB*` variables the clients act on, besides the ones that only set the target.
fn environment_findings(env: &BTreeMap<String, String>, tool: &Tool) -> Vec<Finding> {
    let mut out = Vec::new();
    for var in ["MARIADB_PLUGIN_DIR", "MYSQL_PLUGIN_DIR"] {
        if env.contains_key(var) {
            out.push(tool.finding(
                Kind::CodeExecution,
                format!(
                    "{var} makes the client load plugins from a directory gate cannot vouch for"
                ),
            ));
        }
    }
    out
}

fn target_of(options: &Options, database: Option<&str>, env: &BTreeMap<String, String>) -> Target {
    Target {
        host: options
            .text("host")
            .map(str::to_string)
            .or_else(|| env.get("MYSQL_HOST").cloned()),
        port: options
            .text("port")
            .map(str::to_string)
            .or_else(|| env.get("MYSQL_TCP_PORT").cloned())
            .and_then(|p| p.parse().ok()),
        database: database.map(str::to_string),
        user: options.text("user").map(str::to_string),
    }
}

/// Authentication plugins built into the client libraries; any other name loads a shared library.
const BUILTIN_AUTH: &[&str] = &[
    "mysql_native_password",
    "caching_sha2_password",
    "sha256_password",
    "mysql_clear_password",
];

/// What the options themselves do, besides naming the SQL. Shared by the client and the dump tool.
fn option_findings(options: &Options, tool: &Tool, harmless: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in &options.opts {
        if seen.contains(name) {
            continue;
        }
        seen.push(name);
        let value = options.last(name).unwrap_or(value);
        let on = !matches!(value, Value::Bool(false) | Value::Disabled);
        let finding = match *name {
            "pager" if on => Some((
                Kind::CodeExecution,
                "--pager runs a program on the results".to_string(),
            )),
            "tee" if on => Some((
                Kind::DataExport,
                "--tee writes everything to a file".to_string(),
            )),
            "plugin-dir" => Some((
                Kind::CodeExecution,
                "--plugin-dir loads client plugins from a directory gate cannot vouch for".into(),
            )),
            "default-auth" => match value {
                Value::Str(Some(p)) if BUILTIN_AUTH.contains(&p.as_str()) => None,
                _ => Some((
                    Kind::CodeExecution,
                    "--default-auth loads an authentication plugin gate does not know".into(),
                )),
            },
            "local-infile" | "load-data-local-dir" if on => Some((
                Kind::Unknown,
                format!("--{name} lets the server read any local file the client can"),
            )),
            "binary-mode" if on => Some((
                Kind::Unknown,
                "--binary-mode changes how the client reads its input; gate does not model it"
                    .into(),
            )),
            "comments" if on && harmless.contains(&"named-commands") => Some((
                Kind::Unknown,
                "--comments changes how the client reads its input; gate does not model it".into(),
            )),
            "character-sets-dir" => Some((
                Kind::Unknown,
                "--character-sets-dir loads character sets gate does not read".into(),
            )),
            "debug" => Some((Kind::Unknown, "--debug writes a trace file".into())),
            "dns-srv-name" => Some((
                Kind::Unknown,
                "--dns-srv-name picks the server from DNS; gate cannot tell the target".into(),
            )),
            n if harmless.contains(&n) => None,
            n if !on => {
                let _ = n;
                None
            }
            n => Some((
                Kind::Unknown,
                format!("gate does not model what --{n} does"),
            )),
        };
        if let Some((kind, detail)) = finding {
            out.push(tool.finding(kind, detail));
        }
    }
    out
}

/// `mysql` and `mariadb`.
pub fn mysql(
    tool_name: &str,
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let groups = &[
        "client",
        "mysql",
        "mariadb-client",
        "client-server",
        "client-mariadb",
        "mariadb",
    ];
    let (defaults, options) = match read_everything(argv, MYSQL, groups, env, sources) {
        Ok(read) => read,
        Err(why) => {
            return vec![Finding::new(
                Kind::Unknown,
                tool_name,
                &Target {
                    host: env.get("MYSQL_HOST").cloned(),
                    ..Target::default()
                },
                why,
            )];
        }
    };
    let database = options
        .text("database")
        .or_else(|| options.positionals.first().map(String::as_str));
    let target = target_of(&options, database, env);
    let tool = Tool {
        name: tool_name,
        target: &target,
        dialect: Dialect::MySql,
    };
    let mut findings = environment_findings(env, &tool);
    findings.extend(option_findings(&options, &tool, MYSQL_HARMLESS));
    if options.positionals.len() > 1 {
        findings.push(tool.finding(
            Kind::Unknown,
            "the client takes one database name; gate does not know what the others mean",
        ));
    }
    if defaults.print_defaults || options.on("help") || options.on("version") {
        if findings.is_empty() {
            findings
                .push(tool.finding(Kind::Read, "prints the client's help, version or defaults"));
        }
        return findings;
    }
    let delimiter = match options.text("delimiter") {
        Some(d) => d.to_string(),
        None => ";".to_string(),
    };
    let mut session = Session {
        tool: &tool,
        sources,
        delimiter,
        named_commands: options.on("named-commands"),
        database: database.map(str::to_string),
    };
    if !valid_delimiter(&session.delimiter) {
        findings.push(tool.finding(
            Kind::Unknown,
            format!("delimiter `{}` is not one gate reads", session.delimiter),
        ));
        return findings;
    }
    for init in options
        .texts("init-command")
        .chain(options.texts("init-command-add"))
    {
        findings.extend(session.sql(init).into_iter().map(|mut f| {
            f.detail = format!("--init-command: {}", f.detail);
            f
        }));
    }
    let statements: Vec<&str> = options.texts("execute").collect();
    if statements.is_empty() {
        findings.extend(session.stdin());
    } else {
        for text in statements {
            findings.extend(session.script(text, 0));
        }
    }
    findings
}

/// The state of one client session that its own commands change: the delimiter, the current database.
struct Session<'a> {
    tool: &'a Tool<'a>,
    sources: &'a dyn Sources,
    delimiter: String,
    named_commands: bool,
    database: Option<String>,
}

/// A delimiter gate can find exactly: ASCII punctuation that no multi-byte character set uses as a trailing
/// byte, and that opens no quote or comment.
fn valid_delimiter(delimiter: &str) -> bool {
    !delimiter.is_empty() && delimiter.bytes().all(|b| b";/$!%&:+=,.?*".contains(&b))
}

/// One of the client's own commands (MySQL 8.4 and MariaDB 10.11 `help`): its name, its `\x` letter, and
/// whether it takes an argument.
const COMMANDS: &[(&str, Option<u8>, bool)] = &[
    ("?", Some(b'?'), true),
    ("clear", Some(b'c'), false),
    ("connect", Some(b'r'), true),
    ("delimiter", Some(b'd'), true),
    ("edit", Some(b'e'), false),
    ("ego", Some(b'G'), false),
    ("exit", Some(b'q'), false),
    ("go", Some(b'g'), false),
    ("help", Some(b'h'), true),
    ("nopager", Some(b'n'), false),
    ("notee", Some(b't'), false),
    ("pager", Some(b'P'), true),
    ("print", Some(b'p'), false),
    ("prompt", Some(b'R'), true),
    ("quit", Some(b'q'), false),
    ("rehash", Some(b'#'), false),
    ("source", Some(b'.'), true),
    ("status", Some(b's'), false),
    ("system", Some(b'!'), true),
    ("tee", Some(b'T'), true),
    ("use", Some(b'u'), true),
    ("charset", Some(b'C'), true),
    ("warnings", Some(b'W'), false),
    ("nowarning", Some(b'w'), false),
    ("resetconnection", Some(b'x'), false),
    ("query_attributes", None, true),
    ("ssl_session_data_print", None, true),
    ("sandbox", Some(b'-'), false),
];

/// What the client's line reader hands on: a statement for the server, or one of its own commands.
#[derive(Debug, PartialEq, Eq)]
enum Item {
    Sql(String),
    Command {
        name: &'static str,
        arg: String,
    },
    /// Something gate cannot read the way the client would.
    Problem(String),
}

/// `my_isspace` in the client's character sets.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// The long-form command a line or a statement is (`find_command(char *name)` in MySQL 8's `client/mysql.cc`).
fn long_command(text: &str, delimiter: &str) -> Result<Option<(&'static str, String)>, String> {
    let name = text.trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
    let is_delimiter_command = name
        .get(..9)
        .is_some_and(|w| w.eq_ignore_ascii_case("delimiter"))
        && name[9..].starts_with([' ', '\t']);
    if name.contains("\\g") || (name.contains(delimiter) && !is_delimiter_command) {
        return Ok(None);
    }
    let (word, args) = match name.find([' ', '\t']) {
        Some(end) => {
            let args = name[end..].trim_start_matches(|c: char| c.is_ascii() && is_space(c as u8));
            (&name[..end], (!args.is_empty()).then_some(args))
        }
        None => (name, None),
    };
    for (cmd, _, takes_params) in COMMANDS {
        if word.eq_ignore_ascii_case(cmd) {
            if args.is_some() && !takes_params {
                return Ok(None);
            }
            return Ok(Some((cmd, args.unwrap_or("").to_string())));
        }
        // The client compares names in latin1's collation, where accented letters equal plain ones.
        if word.len() == cmd.len() && !word.is_ascii() {
            return Err(format!(
                "`{word}` may be the client command `{cmd}` in the client's collation"
            ));
        }
    }
    Ok(None)
}

/// Splits what the client reads into statements and client commands, following `read_and_execute` and
/// `add_line` of MySQL 8's `client/mysql.cc`. `escapes` is whether a backslash escapes inside a string: it
/// does not when the server runs with `NO_BACKSLASH_ESCAPES`, which gate cannot know, so callers split both
/// ways.
#[allow(clippy::too_many_lines)]
fn split_client(text: &str, delimiter: &mut String, named: bool, escapes: bool) -> Vec<Item> {
    let mut items = Vec::new();
    let mut buffer = String::new();
    let mut in_string: u8 = 0;
    let mut ml_comment = false;
    if text.contains('\0') {
        return vec![Item::Problem("the input holds a NUL byte".into())];
    }
    let bytes_all = text.as_bytes();
    if bytes_all
        .windows(2)
        .any(|w| w[0] >= 0x80 && matches!(w[1], b'\\' | b'`'))
    {
        return vec![Item::Problem(
            "a backslash or backquote follows a non-ASCII byte; in some character sets it is part of that character"
                .into(),
        )];
    }
    for raw_line in text.split('\n') {
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let b = line.as_bytes();
        // Older clients skip a whole line that starts with `#` or `--`; MySQL 8 reads it. Where the two differ,
        // gate cannot know which client runs.
        if in_string == 0
            && (b.starts_with(b"#") || b.starts_with(b"--"))
            && (ml_comment || (b.starts_with(b"--") && b.get(2).is_some_and(|&c| !is_space(c))))
        {
            items.push(Item::Problem(format!(
                "client versions disagree on whether the line `{line}` is a comment"
            )));
        }
        if (named || buffer.is_empty()) && !ml_comment && in_string == 0 {
            match long_command(line, delimiter) {
                Ok(Some((name, arg))) => {
                    if name == "delimiter" {
                        set_delimiter(&arg, delimiter, &mut items);
                    }
                    items.push(Item::Command { name, arg });
                    continue;
                }
                Ok(None) => {}
                Err(why) => {
                    items.push(Item::Problem(why));
                    continue;
                }
            }
        }
        let mut pending = String::new();
        let mut hint = false;
        let mut conditional = false;
        let mut pos = 0;
        let at = |i: usize| b.get(i).copied().unwrap_or(0);
        while pos < b.len() {
            let c = b[pos];
            if is_space(c) && pending.is_empty() && buffer.is_empty() {
                pos += 1;
                continue;
            }
            if !ml_comment && c == b'\\' && (in_string == 0 || escapes) {
                pos += 1;
                let Some(&next) = b.get(pos) else {
                    break;
                };
                if in_string != 0 || next == b'N' {
                    pending.push('\\');
                    if next == b'`' && in_string == b'`' {
                        continue;
                    }
                    push_char(line, &mut pos, &mut pending);
                    continue;
                }
                let Some(&(name, _, takes_params)) =
                    COMMANDS.iter().find(|(_, short, _)| *short == Some(next))
                else {
                    items.push(Item::Problem(format!(
                        "`\\{}` is not a client command gate knows",
                        next as char
                    )));
                    pending.push('\\');
                    push_char(line, &mut pos, &mut pending);
                    continue;
                };
                buffer.push_str(&std::mem::take(&mut pending));
                pos += 1;
                match name {
                    "go" | "ego" => items.push(Item::Sql(std::mem::take(&mut buffer))),
                    _ => {
                        let end = if takes_params {
                            if hint || conditional {
                                find(b, pos, b"*/").unwrap_or(b.len())
                            } else {
                                find(b, pos, delimiter.as_bytes()).unwrap_or(b.len())
                            }
                        } else {
                            pos
                        };
                        let arg = line[pos..end].trim().to_string();
                        if name == "delimiter" {
                            items.push(Item::Problem(
                                "`\\d` changes the delimiter in a way gate does not follow".into(),
                            ));
                        }
                        items.push(Item::Command { name, arg });
                        if takes_params {
                            pos = if hint || conditional {
                                end
                            } else {
                                (end + delimiter.len()).min(b.len())
                            };
                        }
                    }
                }
                continue;
            }
            if !ml_comment && in_string == 0 && !hint && b[pos..].starts_with(delimiter.as_bytes())
            {
                pos += delimiter.len();
                buffer.push_str(&std::mem::take(&mut pending));
                let statement = std::mem::take(&mut buffer);
                match long_command(&statement, delimiter) {
                    Ok(Some((name, arg))) => {
                        if name == "delimiter" {
                            set_delimiter(&arg, delimiter, &mut items);
                        }
                        items.push(Item::Command { name, arg });
                    }
                    Ok(None) => items.push(Item::Sql(statement)),
                    Err(why) => items.push(Item::Problem(why)),
                }
                continue;
            }
            if !ml_comment
                && in_string == 0
                && (c == b'#'
                    || (c == b'-'
                        && at(pos + 1) == b'-'
                        && (is_space(at(pos + 2)) || at(pos + 2) == 0)))
            {
                break;
            }
            if in_string == 0
                && c == b'/'
                && at(pos + 1) == b'*'
                && !matches!(at(pos + 2), b'!' | b'+')
                && !hint
            {
                pos += 2;
                ml_comment = true;
                buffer.push_str(&std::mem::take(&mut pending));
                continue;
            }
            if ml_comment && !hint && !conditional && c == b'*' && at(pos + 1) == b'/' {
                pos += 2;
                ml_comment = false;
                buffer.push_str(&std::mem::take(&mut pending));
                pending.push(' ');
                continue;
            }
            if in_string == 0 && c == b'/' && at(pos + 1) == b'*' {
                if at(pos + 2) == b'!' {
                    conditional = true;
                } else if at(pos + 2) == b'+' {
                    hint = true;
                }
            } else if in_string == 0 && (hint || conditional) && c == b'*' && at(pos + 1) == b'/' {
                hint = false;
                conditional = false;
            }
            if in_string != 0 && c == in_string {
                in_string = 0;
            } else if !ml_comment && in_string == 0 && !hint && matches!(c, b'\'' | b'"' | b'`') {
                in_string = c;
            }
            if ml_comment {
                pos += 1;
            } else {
                push_char(line, &mut pos, &mut pending);
            }
        }
        if !pending.is_empty() || !buffer.is_empty() {
            pending.push('\n');
            if !ml_comment {
                buffer.push_str(&pending);
            }
        }
    }
    // In batch mode the client sends what is left as one last statement, without looking for a command.
    if !buffer.trim().is_empty() {
        items.push(Item::Sql(buffer));
    }
    items
}

/// Copies the character at `pos` (which may be several bytes) and moves past it.
fn push_char(line: &str, pos: &mut usize, out: &mut String) {
    let ch = line[*pos..].chars().next().unwrap_or('\u{fffd}');
    out.push(ch);
    *pos += ch.len_utf8().max(1);
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// `delimiter X`: the first word of its argument (`com_delimiter`).
fn set_delimiter(arg: &str, delimiter: &mut String, items: &mut Vec<Item>) {
    let word = arg
        .split(|c: char| c.is_ascii_whitespace())
        .next()
        .unwrap_or("");
    if valid_delimiter(word) {
        *delimiter = word.to_string();
    } else {
        items.push(Item::Problem(format!(
            "delimiter `{word}` is not one gate reads"
        )));
    }
}

/// How deep `source` may nest.
const MAX_SOURCE_DEPTH: usize = 8;

impl Session<'_> {
    fn finding(&self, kind: Kind, detail: impl Into<String>) -> Finding {
        let mut target = self.tool.target.clone();
        target.database.clone_from(&self.database);
        Finding::new(kind, self.tool.name, &target, detail)
    }

    /// One statement for the server. Its backslashes mean one thing with the server's default `sql_mode` and
    /// another under `NO_BACKSLASH_ESCAPES`; both readings are classified.
    fn sql(&self, text: &str) -> Vec<Finding> {
        let mut target = self.tool.target.clone();
        target.database.clone_from(&self.database);
        let tool = Tool {
            name: self.tool.name,
            target: &target,
            dialect: Dialect::MySql,
        };
        let mut found = tool.sql(text, self.sources);
        if text.contains('\\') {
            found.extend(tool.sql(&text.replace('\\', "\\\\"), self.sources));
        }
        found
    }

    /// A script: `-e` text, stdin, or a `source`d file.
    fn script(&mut self, text: &str, depth: usize) -> Vec<Finding> {
        let start_delimiter = self.delimiter.clone();
        let mut with_escapes = start_delimiter.clone();
        let items = split_client(text, &mut with_escapes, self.named_commands, true);
        let mut without = start_delimiter;
        let other = split_client(text, &mut without, self.named_commands, false);
        if items != other {
            return vec![self.finding(
                Kind::Unknown,
                "the client splits this input differently when the server has NO_BACKSLASH_ESCAPES; gate cannot tell which applies",
            )];
        }
        self.delimiter = with_escapes;
        let mut out = Vec::new();
        for item in items {
            match item {
                Item::Sql(sql) if sql.trim().is_empty() => {}
                Item::Sql(sql) => out.extend(self.sql(&sql)),
                Item::Problem(why) => out.push(self.finding(Kind::Unknown, why)),
                Item::Command { name, arg } => out.extend(self.command(name, &arg, depth)),
            }
        }
        if out.is_empty() {
            out.push(self.finding(Kind::Read, "no statements"));
        }
        out
    }

    fn command(&mut self, name: &str, arg: &str, depth: usize) -> Vec<Finding> {
        let one = |kind: Kind, detail: String| vec![self.finding(kind, detail)];
        match name {
            "go" | "ego" | "clear" | "print" | "status" | "warnings" | "nowarning" | "nopager"
            | "notee" | "rehash" | "exit" | "quit" | "help" | "?" | "prompt" | "sandbox"
            | "delimiter" => Vec::new(),
            "use" => {
                let db = arg
                    .trim_end_matches(|c: char| c == ';' || c.is_whitespace())
                    .trim_matches('`');
                if db.is_empty() || db.contains(|c: char| c.is_whitespace() || "'\"`\\".contains(c))
                {
                    return one(
                        Kind::Unknown,
                        format!("`use {arg}` names a database gate cannot read"),
                    );
                }
                self.database = Some(db.to_string());
                Vec::new()
            }
            "system" => one(
                Kind::CodeExecution,
                format!("the client command `system` runs a shell command: {arg}"),
            ),
            "edit" => one(
                Kind::CodeExecution,
                "the client command `edit` runs an editor".into(),
            ),
            "pager" => one(
                Kind::CodeExecution,
                "the client command `pager` runs a program on the results".into(),
            ),
            "tee" => one(
                Kind::DataExport,
                "the client command `tee` writes the session to a file".into(),
            ),
            "source" => self.source(arg, depth),
            "connect" => one(
                Kind::Unknown,
                "the client command `connect` changes the server; gate cannot tell the target"
                    .into(),
            ),
            other => one(
                Kind::Unknown,
                format!("gate does not model the client command `{other}`"),
            ),
        }
    }

    fn source(&mut self, arg: &str, depth: usize) -> Vec<Finding> {
        let path = arg.trim_end_matches(|c: char| c == ';' || c.is_whitespace());
        if depth >= MAX_SOURCE_DEPTH {
            return vec![self.finding(
                Kind::Unknown,
                "`source` nests too deeply for gate to follow",
            )];
        }
        if path.is_empty() || path.starts_with(['\'', '"', '`']) {
            return vec![self.finding(
                Kind::Unknown,
                format!("`source {arg}` names a file gate cannot read"),
            )];
        }
        match self.sources.read_file(path) {
            Some(bytes) => self
                .script(&String::from_utf8_lossy(&bytes), depth + 1)
                .into_iter()
                .map(|mut f| {
                    f.detail = format!("source {path}: {}", f.detail);
                    f
                })
                .collect(),
            None => vec![self.finding(
                Kind::Unknown,
                format!("`source` runs {path}, which gate cannot read"),
            )],
        }
    }

    fn stdin(&mut self) -> Vec<Finding> {
        match self.sources.stdin() {
            StdinView::Terminal => vec![self.finding(
                Kind::Unknown,
                "interactive session: gate cannot see what will be typed",
            )],
            StdinView::Unreadable(why) => {
                vec![self.finding(Kind::Unknown, format!("cannot read stdin: {why}"))]
            }
            StdinView::Bytes { bytes, complete } => {
                let text = String::from_utf8_lossy(bytes).into_owned();
                let mut found: Vec<Finding> = self
                    .script(&text, 0)
                    .into_iter()
                    .map(|mut f| {
                        f.detail = format!("stdin: {}", f.detail);
                        f
                    })
                    .collect();
                if !complete {
                    found.push(self.finding(
                        Kind::Unknown,
                        "stdin is larger than gate reads; the rest was not classified",
                    ));
                }
                found
            }
        }
    }
}

/// The `mysqldump` options [`option_findings`] need not judge: each either changes only what is dumped and
/// where it goes, or is judged by [`mysqldump_effect`] or the `--where` check.
fn dump_harmless() -> Vec<&'static str> {
    MYSQLDUMP.iter().map(|o| o.long).collect()
}

/// `mysqldump` and `mariadb-dump`.
pub fn mysqldump_with(
    tool_name: &str,
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let groups = &[
        "client",
        "mysqldump",
        "mariadb-dump",
        "client-server",
        "client-mariadb",
    ];
    let (_, options) = match read_everything(argv, MYSQLDUMP, groups, env, sources) {
        Ok(read) => read,
        Err(why) => {
            return vec![Finding::new(
                Kind::Unknown,
                tool_name,
                &Target::default(),
                why,
            )];
        }
    };
    let positionals = &options.positionals;
    let all = options.on("all-databases");
    let (database, objects): (Option<&str>, Vec<String>) = if all {
        (None, Vec::new())
    } else if options.on("databases") && !options.on("tables") {
        (positionals.first().map(String::as_str), positionals.clone())
    } else {
        let db = positionals.first().map(String::as_str);
        let tables = positionals
            .iter()
            .skip(1)
            .map(|t| db.map_or_else(|| t.clone(), |d| format!("{d}.{t}")))
            .collect();
        (db, tables)
    };
    let target = target_of(&options, database, env);
    let tool = Tool {
        name: tool_name,
        target: &target,
        dialect: Dialect::MySql,
    };
    if options.on("help") || options.on("version") {
        return vec![tool.finding(Kind::Read, "prints the tool's help or version")];
    }
    let harmless = dump_harmless();
    let mut findings = environment_findings(env, &tool);
    findings.extend(option_findings(&options, &tool, &harmless));
    for name in options.opts.iter().map(|(n, _)| *n) {
        if let Some((kind, detail)) = mysqldump_effect(name)
            && options
                .last(name)
                .is_some_and(|v| !matches!(v, Value::Bool(false) | Value::Disabled))
            && !findings.iter().any(|f| f.detail == detail)
        {
            findings.push(tool.finding(kind, detail));
        }
    }
    // `--where` is pasted into each table's SELECT: whatever it calls runs on the server.
    for condition in options.texts("where") {
        let probe = format!("SELECT * FROM t WHERE {condition}");
        findings.extend(
            tool.sql(&probe, sources)
                .into_iter()
                .filter(|f| f.kind != Kind::Read)
                .map(|mut f| {
                    f.detail = format!("--where: {}", f.detail);
                    f
                }),
        );
    }
    let (risk, detail) = if options.on("no-data") {
        (Risk::Moderate, "schema-only dump")
    } else if all {
        (
            Risk::Critical,
            "dump of every database, including the grant tables",
        )
    } else {
        (Risk::High, "logical dump")
    };
    findings.push(
        Finding::new(Kind::DataExport, tool_name, &target, detail)
            .with_risk(risk)
            .with_objects(objects),
    );
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    fn kinds(argv: &[&str]) -> Vec<Kind> {
        let mut k: Vec<Kind> = mysql("mysql", &s(argv), &BTreeMap::new(), &NoSources)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    #[test]
    fn the_password_flag_never_swallows_the_database() {
        let f = &mysql(
            "mysql",
            &s(&["-h", "db", "-p", "shop", "-e", "SELECT 1"]),
            &BTreeMap::new(),
            &NoSources,
        )[0];
        assert_eq!(f.target.database.as_deref(), Some("shop"));
        assert_eq!(f.kind, Kind::Read);
        let f = &mysql(
            "mysql",
            &s(&["-pSecret", "-ushop", "shop", "-e", "DROP TABLE t"]),
            &BTreeMap::new(),
            &NoSources,
        )[0];
        assert_eq!(
            (f.kind, f.target.user.as_deref()),
            (Kind::DestructiveWrite, Some("shop"))
        );
    }

    #[test]
    fn options_are_read_as_my_getopt_reads_them() {
        assert_eq!(kinds(&["--exec=DROP TABLE t"]), [Kind::DestructiveWrite]);
        assert_eq!(kinds(&["--execute", "SELECT 1"]), [Kind::Read]);
        assert_eq!(
            kinds(&["--skip_column_names", "-e", "SELECT 1"]),
            [Kind::Read]
        );
        assert_eq!(kinds(&["--frobnicate", "-e", "SELECT 1"]), [Kind::Unknown]);
        assert_eq!(kinds(&["--s", "-e", "SELECT 1"]), [Kind::Unknown]);
        assert!(kinds(&["--local-infile", "-e", "SELECT 1"]).contains(&Kind::Unknown));
        assert_eq!(kinds(&["--local-infile=0", "-e", "SELECT 1"]), [Kind::Read]);
        assert_eq!(
            kinds(&["--init-command=DROP TABLE t", "-e", "SELECT 1"]),
            [Kind::Read, Kind::DestructiveWrite]
        );
        assert_eq!(
            kinds(&["--pager=sh", "-e", "SELECT 1"]),
            [Kind::Read, Kind::CodeExecution]
        );
        assert_eq!(
            kinds(&["-e", "SELECT 1", "--defaults-file=/x"]),
            [Kind::Unknown]
        );
    }

    #[test]
    fn client_commands_are_found_where_the_client_finds_them() {
        for (text, want) in [
            ("SELECT 1; system id", Kind::CodeExecution),
            ("SELECT 1;\n\\! id", Kind::CodeExecution),
            ("SELECT 1 \\! id", Kind::CodeExecution),
            ("/*! \\! id */ SELECT 1", Kind::CodeExecution),
            ("/* x */ system id;", Kind::CodeExecution),
            ("SELECT '\\';\\! id' ", Kind::Unknown),
            ("SELECT 1 --x\n; \\! id", Kind::CodeExecution),
            ("pager sh\nSELECT 1", Kind::CodeExecution),
            ("tee /tmp/x\nSELECT 1", Kind::DataExport),
            ("connect other\nSELECT 1", Kind::Unknown),
            ("SELECT 1 \\z", Kind::Unknown),
            ("SYSTEM id", Kind::CodeExecution),
        ] {
            assert!(
                kinds(&["-e", text]).contains(&want),
                "{text}: {:?}",
                kinds(&["-e", text])
            );
        }
        assert_eq!(kinds(&["-e", "SELECT '\\! not a command'"]), [Kind::Read]);
        assert_eq!(kinds(&["-e", "# system id\nSELECT 1"]), [Kind::Read]);
        assert_eq!(kinds(&["-e", "use shop; SELECT 1\\G"]), [Kind::Read]);
        assert_eq!(
            kinds(&["-e", "delimiter //\nSELECT 1//\nDROP TABLE t//"]),
            [Kind::Read, Kind::DestructiveWrite]
        );
    }

    #[test]
    fn use_moves_the_target() {
        let f = mysql(
            "mysql",
            &s(&["-D", "a", "-e", "use b; DELETE FROM t WHERE id = 1"]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(f[0].target.database.as_deref(), Some("b"), "{f:?}");
    }

    #[test]
    fn dumps() {
        let d = |a: &[&str]| mysqldump_with("mysqldump", &s(a), &BTreeMap::new(), &NoSources);
        let f = &d(&["--all-databases", "-h", "mysql.prod"])[0];
        assert_eq!((f.kind, f.risk), (Kind::DataExport, Risk::Critical));
        let f = &d(&["shop", "orders", "users"])[0];
        assert_eq!(f.objects, ["shop.orders", "shop.users"]);
        let f = &d(&["-d", "shop"])[0];
        assert_eq!(f.risk, Risk::Moderate);
        assert!(
            d(&["--frob", "shop"])
                .iter()
                .any(|f| f.kind == Kind::Unknown)
        );
        assert!(
            d(&["--delete-master-logs", "shop"])
                .iter()
                .any(|f| f.kind == Kind::AdminConfig)
        );
    }
}
