//! What libpq will connect to, and what it will ask the server to set, for every PostgreSQL client tool. libpq
//! reads more than the command line: conninfo strings and URIs in the database name, `PG*` variables, the service
//! file a `service=`/`PGSERVICE` names, and `options=`/`PGOPTIONS`, which hands settings to the server before the
//! first statement runs. gate follows libpq's rules (PostgreSQL 13–17, `src/interfaces/libpq/fe-connect.c`:
//! `conninfo_parse`, `conninfo_uri_parse_options`, `conninfo_array_parse`, `conninfo_add_defaults`,
//! `parseServiceInfo`, `parseServiceFile`; the server side of `options` is `pg_split_opts` and
//! `process_postgres_switches` in `src/backend/tcop/postgres.c`) and calls anything outside them `unknown`.

use std::collections::BTreeMap;

use super::{Kind, Sources, Target};

/// The connection keywords libpq 13–17 accepts (`PQconninfoOptions` in fe-connect.c). `requiressl` was removed
/// in 16 and `sslnegotiation` added in 17; a keyword one version lacks only makes that version fail to connect.
const KEYWORDS: &[&str] = &[
    "service",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "requiressl",
    "replication",
    "target_session_attrs",
    "load_balance_hosts",
];

/// The environment variables libpq reads as defaults, and the keyword each stands for (libpq docs §34.15).
const ENV_KEYWORDS: &[(&str, &str)] = &[
    ("PGHOST", "host"),
    ("PGHOSTADDR", "hostaddr"),
    ("PGPORT", "port"),
    ("PGDATABASE", "dbname"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGPASSFILE", "passfile"),
    ("PGCHANNELBINDING", "channel_binding"),
    ("PGOPTIONS", "options"),
    ("PGAPPNAME", "application_name"),
    ("PGSSLMODE", "sslmode"),
    ("PGREQUIRESSL", "requiressl"),
    ("PGSSLNEGOTIATION", "sslnegotiation"),
    ("PGSSLCOMPRESSION", "sslcompression"),
    ("PGSSLCERT", "sslcert"),
    ("PGSSLKEY", "sslkey"),
    ("PGSSLCERTMODE", "sslcertmode"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGSSLCRL", "sslcrl"),
    ("PGSSLCRLDIR", "sslcrldir"),
    ("PGSSLSNI", "sslsni"),
    ("PGREQUIREPEER", "requirepeer"),
    ("PGREQUIREAUTH", "require_auth"),
    ("PGSSLMINPROTOCOLVERSION", "ssl_min_protocol_version"),
    ("PGSSLMAXPROTOCOLVERSION", "ssl_max_protocol_version"),
    ("PGGSSENCMODE", "gssencmode"),
    ("PGKRBSRVNAME", "krbsrvname"),
    ("PGGSSLIB", "gsslib"),
    ("PGGSSDELEGATION", "gssdelegation"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
    ("PGCLIENTENCODING", "client_encoding"),
    ("PGTARGETSESSIONATTRS", "target_session_attrs"),
    ("PGLOADBALANCEHOSTS", "load_balance_hosts"),
];

/// `PG*`/`PSQL*` variables that are not connection defaults but that gate knows the meaning of: libpq's own
/// (service lookup, where its config lives), psql's (handled in `postgres.rs`), Debian's pg_wrapper's, and ones
/// that no client tool reads.
const OTHER_KNOWN_ENV: &[&str] = &[
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGSYSCONFDIR",
    "PGLOCALEDIR",
    "PGCLUSTER",
    "PGDATA",
    "PG_COLOR",
    "PG_COLORS",
    "PSQLRC",
    "PSQL_PAGER",
    "PSQL_WATCH_PAGER",
    "PSQL_EDITOR",
    "PSQL_EDITOR_LINENUMBER_ARG",
    "PSQL_HISTORY",
    "PGTZ",
    "PGDATESTYLE",
];

/// One thing libpq will do that gate cannot call harmless.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Concern {
    pub kind: Kind,
    pub detail: String,
}

fn concern(kind: Kind, detail: impl Into<String>) -> Concern {
    Concern {
        kind,
        detail: detail.into(),
    }
}

/// Whether libpq treats a database name as a connection string (`recognized_connection_string`).
pub(crate) fn is_connection_string(s: &str) -> bool {
    uri_prefix_len(s).is_some() || s.contains('=')
}

fn uri_prefix_len(s: &str) -> Option<usize> {
    ["postgresql://", "postgres://"]
        .iter()
        .find(|p| s.starts_with(**p))
        .map(|p| p.len())
}

/// `key=value key='quoted \' value'`, exactly as `conninfo_parse` reads it.
pub(crate) fn parse_conninfo(s: &str) -> Result<Vec<(String, String)>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            return Ok(out);
        }
        let start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_ascii_whitespace() {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        while i < chars.len() && chars[i].is_ascii_whitespace() {
            i += 1;
        }
        if chars.get(i) != Some(&'=') {
            // The key may be a mistyped password: it is not repeated.
            return Err("a connection info keyword without \"=\"".into());
        }
        i += 1;
        while i < chars.len() && chars[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if chars.get(i) == Some(&'\'') {
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated quoted string in connection info".into()),
                    Some('\\') => {
                        i += 1;
                        if let Some(&c) = chars.get(i) {
                            value.push(c);
                            i += 1;
                        }
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&c) => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < chars.len() && !chars[i].is_ascii_whitespace() {
                if chars[i] == '\\' {
                    i += 1;
                    if let Some(&c) = chars.get(i) {
                        value.push(c);
                    }
                } else {
                    value.push(chars[i]);
                }
                i += 1;
            }
        }
        out.push((key, value));
    }
}

/// `%XX` decoding as `conninfo_uri_decode` does it: a bad escape or `%00` is an error.
fn uri_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok())
                .filter(|h| *h != 0)
                .ok_or("invalid percent-encoded token in the URI")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "URI is not valid UTF-8 once decoded".to_string())
}

/// `postgresql://[user[:password]@][host][:port][,...][/dbname][?param=value&...]`, as
/// `conninfo_uri_parse_options` reads it.
pub(crate) fn parse_uri(s: &str) -> Result<Vec<(String, String)>, String> {
    let rest = &s[uri_prefix_len(s).ok_or("not a URI")?..];
    let mut out = Vec::new();
    // The user info ends at the first `@` before any `/`.
    let mut rest = rest;
    let upto = rest.find(['@', '/']).unwrap_or(rest.len());
    if rest.as_bytes().get(upto) == Some(&b'@') {
        let userinfo = &rest[..upto];
        let (user, password) = match userinfo.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            out.push(("user".to_string(), uri_decode(user)?));
        }
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            out.push(("password".to_string(), uri_decode(p)?));
        }
        rest = &rest[upto + 1..];
    }
    let hosts_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (hostspec, tail) = rest.split_at(hosts_end);
    let mut hosts = Vec::new();
    let mut ports = Vec::new();
    for one in hostspec.split(',') {
        let (host, port) = if let Some(v6) = one.strip_prefix('[') {
            let (h, after) = v6
                .split_once(']')
                .ok_or("no matching \"]\" after an IPv6 host address in the URI")?;
            if h.is_empty() {
                return Err("an empty IPv6 host address in the URI".into());
            }
            match after {
                "" => (h, ""),
                p if p.starts_with(':') => (h, &p[1..]),
                _ => {
                    return Err(
                        "an unexpected character after an IPv6 host address in the URI".into(),
                    );
                }
            }
        } else {
            one.split_once(':').unwrap_or((one, ""))
        };
        hosts.push(uri_decode(host)?);
        ports.push(uri_decode(port)?);
    }
    if hostspec.is_empty() {
        hosts.clear();
        ports.clear();
    }
    if hosts.iter().any(|h| !h.is_empty()) {
        out.push(("host".to_string(), hosts.join(",")));
    }
    if ports.iter().any(|p| !p.is_empty()) {
        out.push(("port".to_string(), ports.join(",")));
    }
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };
    if let Some(db) = path.strip_prefix('/')
        && !db.is_empty()
    {
        out.push(("dbname".to_string(), uri_decode(db)?));
    }
    if let Some(query) = query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .ok_or("a URI query parameter without \"=\"")?;
            if v.contains('=') {
                return Err("a URI query parameter with a second \"=\"".into());
            }
            let (k, v) = (uri_decode(k)?, uri_decode(v)?);
            // libpq's one JDBC-compatible spelling.
            if k == "ssl" && v == "true" {
                out.push(("sslmode".to_string(), "require".to_string()));
            } else {
                out.push((k, v));
            }
        }
    }
    Ok(out)
}

/// A connection string in either form.
pub(crate) fn parse_connection_string(s: &str) -> Result<Vec<(String, String)>, String> {
    if uri_prefix_len(s).is_some() {
        parse_uri(s)
    } else {
        parse_conninfo(s)
    }
}

/// The parameters a tool hands `PQconnectdbParams`, in its array order. `Expand` is the one `dbname` entry that
/// libpq expands when it is a connection string; its fields override entries before it and are overridden by
/// entries after it, and an empty value never overrides anything.
pub(crate) enum Param<'a> {
    Plain(&'static str, Option<&'a str>),
    Expand(Option<&'a str>),
}

/// Where a tool will connect, and what about the connection gate cannot call harmless.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub target: Target,
    pub concerns: Vec<Concern>,
    /// Every setting as libpq will use it.
    pub settings: BTreeMap<String, String>,
}

/// Resolves a connection the way libpq does: the explicit parameters, then the service file, then `PG*`
/// variables.
pub(crate) fn resolve(
    params: &[Param<'_>],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Resolved {
    let mut resolved = Resolved::default();
    let mut explicit: BTreeMap<String, String> = BTreeMap::new();
    let mut expanded = false;
    for p in params {
        match p {
            Param::Plain(k, Some(v)) if !v.is_empty() => {
                explicit.insert((*k).to_string(), (*v).to_string());
            }
            Param::Expand(Some(v)) if !expanded && is_connection_string(v) => {
                expanded = true;
                match parse_connection_string(v) {
                    Ok(pairs) => {
                        for (k, v) in pairs {
                            if !KEYWORDS.contains(&k.as_str()) {
                                resolved.concerns.push(concern(
                                    Kind::Unknown,
                                    format!("connection option `{k}` is not one gate knows"),
                                ));
                            } else if !v.is_empty() {
                                explicit.insert(k, v);
                            }
                        }
                    }
                    Err(why) => resolved.concerns.push(concern(
                        Kind::Unknown,
                        format!("gate cannot read the connection string: {why}"),
                    )),
                }
            }
            Param::Expand(Some(v)) if !v.is_empty() => {
                explicit.insert("dbname".to_string(), (*v).to_string());
            }
            _ => {}
        }
    }
    check_env(env, &mut resolved.concerns);
    let mut settings = explicit;
    // The service file fills what the parameters left unset, before the environment does.
    let service = settings
        .get("service")
        .cloned()
        .or_else(|| env.get("PGSERVICE").cloned());
    if let Some(service) = service {
        apply_service(
            &service,
            env,
            sources,
            &mut settings,
            &mut resolved.concerns,
        );
    }
    for (var, key) in ENV_KEYWORDS {
        if let Some(v) = env.get(*var).filter(|v| !v.is_empty()) {
            settings
                .entry((*key).to_string())
                .or_insert_with(|| v.clone());
        }
    }
    check_settings(&settings, &mut resolved.concerns);
    resolved.target = target_of(&settings);
    resolved.settings = settings;
    resolved
}

/// `PG*` variables gate does not know might change what libpq or the tool does.
fn check_env(env: &BTreeMap<String, String>, concerns: &mut Vec<Concern>) {
    for name in env.keys() {
        let known =
            ENV_KEYWORDS.iter().any(|(v, _)| v == name) || OTHER_KNOWN_ENV.contains(&name.as_str());
        if (name.starts_with("PG") || name.starts_with("PSQL")) && !known {
            concerns.push(concern(
                Kind::Unknown,
                format!(
                    "environment variable `{name}` is not one gate knows for the PostgreSQL tools"
                ),
            ));
        }
    }
}

fn target_of(settings: &BTreeMap<String, String>) -> Target {
    let get = |k: &str| settings.get(k).filter(|v| !v.is_empty()).cloned();
    // With `hostaddr`, libpq connects to that address; `host` is then only the name it authenticates against.
    let host = get("hostaddr").or_else(|| get("host"));
    Target {
        host,
        port: get("port").and_then(|p| p.parse().ok()),
        database: get("dbname").or_else(|| get("user")),
        user: get("user"),
    }
}

/// What a resolved connection does besides connecting.
fn check_settings(settings: &BTreeMap<String, String>, concerns: &mut Vec<Concern>) {
    if let Some(r) = settings.get("replication") {
        concerns.push(concern(
            Kind::Unknown,
            format!("replication={r} opens a walsender connection, whose commands gate does not classify"),
        ));
    }
    if let Some(enc) = settings.get("client_encoding")
        && !safe_client_encoding(enc)
    {
        concerns.push(concern(
            Kind::Unknown,
            format!("client_encoding {enc}: gate reads SQL as UTF-8 and cannot see how the server splits it"),
        ));
    }
    if let Some(options) = settings.get("options") {
        concerns.extend(server_options(options));
    }
}

/// Client encodings in which every byte gate's lexer sees means what it thinks. Multibyte encodings whose
/// trailing bytes can be `\` or `'` (SJIS, BIG5, GBK, GB18030, UHC, JOHAB) change where a string literal ends.
pub(crate) fn safe_client_encoding(enc: &str) -> bool {
    let e = enc.to_ascii_uppercase().replace(['-', '_'], "");
    matches!(e.as_str(), "UTF8" | "UNICODE" | "SQLASCII" | "AUTO")
        || e.strip_prefix("LATIN")
            .is_some_and(|n| n.parse::<u8>().is_ok_and(|n| (1..=10).contains(&n)))
}

/// Server settings that change nothing a read-only policy cares about.
const HARMLESS_SETTINGS: &[&str] = &[
    "application_name",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "idle_session_timeout",
    "transaction_timeout",
    "work_mem",
    "hash_mem_multiplier",
    "temp_buffers",
    "client_min_messages",
    "datestyle",
    "timezone",
    "intervalstyle",
    "extra_float_digits",
    "bytea_output",
    "default_transaction_read_only",
    "default_transaction_isolation",
    "default_transaction_deferrable",
    "jit",
    "geqo",
    "random_page_cost",
    "seq_page_cost",
    "effective_cache_size",
    "max_parallel_workers_per_gather",
    "lc_messages",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "default_text_search_config",
    "row_security",
    "cursor_tuple_fraction",
    "plan_cache_mode",
    "enable_seqscan",
    "enable_indexscan",
    "enable_bitmapscan",
    "enable_hashjoin",
    "enable_mergejoin",
    "enable_nestloop",
    "enable_sort",
    "enable_hashagg",
    "enable_material",
    "enable_partitionwise_join",
    "enable_partitionwise_aggregate",
];

/// One server setting given on connection (`options`, `PGOPTIONS`, `-c`).
pub(crate) fn server_setting(name: &str, value: &str) -> Option<Concern> {
    // The server folds `-` to `_` in long options and matches names case-insensitively.
    let name = name.replace('-', "_").to_ascii_lowercase();
    match name.as_str() {
        n if HARMLESS_SETTINGS.contains(&n) => None,
        "client_encoding" if safe_client_encoding(value) => None,
        "role" | "session_authorization" | "session_replication_role" => Some(concern(
            Kind::PrivilegeSwitch,
            format!("the connection sets {name}={value} before any statement runs"),
        )),
        _ => Some(concern(
            Kind::Unknown,
            format!("the connection sets server setting `{name}`, which gate does not allow-list"),
        )),
    }
}

/// The server's reading of an `options` string (`pg_split_opts`: whitespace separates, `\` escapes the next
/// character), then each switch as `process_postgres_switches` takes it. Only `-c name=value` and
/// `--name=value` are understood; any other switch is `unknown`.
pub(crate) fn server_options(options: &str) -> Vec<Concern> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = options.chars();
    while let Some(c) = chars.next() {
        if c.is_ascii_whitespace() {
            if in_word {
                words.push(std::mem::take(&mut current));
                in_word = false;
            }
        } else if c == '\\' {
            in_word = true;
            if let Some(n) = chars.next() {
                current.push(n);
            }
        } else {
            in_word = true;
            current.push(c);
        }
    }
    if in_word {
        words.push(current);
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let setting = if w == "-c" {
            i += 1;
            words.get(i).map(String::as_str)
        } else if let Some(s) = w.strip_prefix("-c") {
            Some(s)
        } else if let Some(s) = w.strip_prefix("--") {
            Some(s)
        } else {
            out.push(concern(
                Kind::Unknown,
                format!("connection options switch `{w}` is not one gate understands"),
            ));
            None
        };
        if let Some(s) = setting {
            match s.split_once('=') {
                Some((n, v)) => out.extend(server_setting(n, v)),
                None => out.push(concern(
                    Kind::Unknown,
                    format!("connection option `{s}` has no value gate can read"),
                )),
            }
        }
        i += 1;
    }
    out
}

/// The home directory libpq and psql use: `$HOME` first (PostgreSQL 15+, commit 376ce3e; 13 and 14 ask the
/// password database, which gate assumes agrees), and `None` when it is unset or empty, because then the answer
/// comes from the password database, which gate cannot see.
pub(crate) fn home(env: &BTreeMap<String, String>) -> Option<&str> {
    env.get("HOME")
        .map(String::as_str)
        .filter(|h| !h.is_empty())
}

/// The compiled-in system configuration directory of the client packages gate trusts (`pg_config
/// --sysconfdir` on Debian and Ubuntu).
pub(crate) const SYSCONFDIR: &str = "/etc/postgresql-common";

/// Finds `service` the way `parseServiceInfo` does: `PGSERVICEFILE` or `~/.pg_service.conf` first, then
/// `pg_service.conf` in `PGSYSCONFDIR` (or the compiled-in directory). Values fill only what is still unset.
fn apply_service(
    service: &str,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    settings: &mut BTreeMap<String, String>,
    concerns: &mut Vec<Concern>,
) {
    let user_file = match env.get("PGSERVICEFILE") {
        Some(f) => Some(f.clone()),
        None => match home(env) {
            Some(h) => Some(format!("{h}/.pg_service.conf")),
            None => {
                concerns.push(concern(
                    Kind::Unknown,
                    "HOME is not set, so libpq looks for ~/.pg_service.conf through the password database, which gate cannot see",
                ));
                return;
            }
        },
    };
    let system_file = format!(
        "{}/pg_service.conf",
        env.get("PGSYSCONFDIR").map_or(SYSCONFDIR, String::as_str)
    );
    for file in user_file.iter().chain(std::iter::once(&system_file)) {
        // libpq skips a file it cannot stat; one that is there but gate cannot read leaves the service
        // undefined below, which is `unknown` anyway.
        let Some(bytes) = sources.read_file(file) else {
            continue;
        };
        match service_group(&String::from_utf8_lossy(&bytes), service) {
            Ok(Some(pairs)) => {
                for (k, v) in pairs {
                    settings.entry(k).or_insert(v);
                }
                return;
            }
            Ok(None) => {}
            Err(why) => {
                concerns.push(concern(
                    Kind::Unknown,
                    format!("service file {file}: {why}"),
                ));
                return;
            }
        }
    }
    concerns.push(concern(
        Kind::Unknown,
        format!("service `{service}` is not defined in any service file gate can read"),
    ));
}

/// The settings of one `[service]` group (`parseServiceFile`), or `None` when the file does not define it.
fn service_group(text: &str, service: &str) -> Result<Option<Vec<(String, String)>>, String> {
    let mut found: Option<Vec<(String, String)>> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw
            .trim_end_matches(['\r', '\n', ' ', '\t'])
            .trim_start_matches([' ', '\t']);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(group) = line.strip_prefix('[') {
            if found.is_some() {
                break;
            }
            if group.strip_suffix(']') == Some(service) {
                found = Some(Vec::new());
            }
            continue;
        }
        let Some(pairs) = found.as_mut() else {
            continue;
        };
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("syntax error on line {}", n + 1))?;
        if key == "service" {
            return Err("nested service specifications are not supported".into());
        }
        if !KEYWORDS.contains(&key) {
            return Err(format!("syntax error on line {} (keyword `{key}`)", n + 1));
        }
        pairs.push((key.to_string(), value.to_string()));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{NoSources, StdinView};

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect()
    }

    #[test]
    fn conninfo_quotes_and_escapes() {
        assert_eq!(
            parse_conninfo(r"host = db  dbname='my \'x\' db' user=a\ b").unwrap(),
            pairs(&[("host", "db"), ("dbname", "my 'x' db"), ("user", "a b")])
        );
        assert!(parse_conninfo("host").is_err());
        assert!(parse_conninfo("host='x").is_err());
    }

    #[test]
    fn uris() {
        assert_eq!(
            parse_uri(
                "postgresql://ops:pw@h1:5433,[::1]:5434/shop?sslmode=require&application_name=a%20b"
            )
            .unwrap(),
            pairs(&[
                ("user", "ops"),
                ("password", "pw"),
                ("host", "h1,::1"),
                ("port", "5433,5434"),
                ("dbname", "shop"),
                ("sslmode", "require"),
                ("application_name", "a b")
            ])
        );
        assert_eq!(
            parse_uri("postgresql:///app?host=/var/run/postgresql").unwrap(),
            pairs(&[("dbname", "app"), ("host", "/var/run/postgresql")])
        );
        assert!(parse_uri("postgresql://h/db?x=%zz").is_err());
        assert!(parse_uri("postgresql://h/db%00").is_err());
        assert!(parse_uri("postgresql://h/db?a").is_err());
    }

    #[test]
    fn expanded_dbname_overrides_earlier_params() {
        let r = resolve(
            &[
                Param::Plain("host", Some("flag-host")),
                Param::Expand(Some("host=conn-host dbname=app")),
            ],
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(r.target.host.as_deref(), Some("conn-host"));
        assert!(r.concerns.is_empty());
        let r = resolve(
            &[Param::Expand(Some("host=x hostaddr=10.0.0.9 frobnicate=1"))],
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(r.target.host.as_deref(), Some("10.0.0.9"));
        assert_eq!(r.concerns.len(), 1);
    }

    #[test]
    fn options_are_allow_listed() {
        assert!(server_options("-c statement_timeout=5s --application-name=x").is_empty());
        let c = server_options("-c standard_conforming_strings=off");
        assert_eq!(c[0].kind, Kind::Unknown);
        let c = server_options(r"-crole=admin");
        assert_eq!(c[0].kind, Kind::PrivilegeSwitch);
        let c = server_options("-c search_path=evil,pg_catalog");
        assert_eq!(c[0].kind, Kind::Unknown);
        assert_eq!(server_options("-F")[0].kind, Kind::Unknown);
        // An escaped space keeps one word: this is a single setting, application_name.
        assert!(server_options(r"-c application_name=a\ -c\ role=x").is_empty());
    }

    struct Files(Vec<(String, String)>);
    impl Sources for Files {
        fn read_input(&self, path: &str) -> crate::classify::Input {
            crate::classify::fixture_input(self.read_file(path))
        }

        fn stdin(&self) -> StdinView<'_> {
            StdinView::Terminal
        }
        fn read_file(&self, path: &str) -> Option<Vec<u8>> {
            self.0
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, t)| t.as_bytes().to_vec())
        }
    }

    #[test]
    fn services() {
        let files = Files(vec![(
            "/home/u/.pg_service.conf".into(),
            "# comment\n[dev]\nhost=dev.internal\n[prod]\nhost=db.prod.internal\nport=6432\ndbname=shop\n".into(),
        )]);
        let env = BTreeMap::from([("HOME".to_string(), "/home/u".to_string())]);
        let r = resolve(&[Param::Expand(Some("service=prod"))], &env, &files);
        assert_eq!(r.target.host.as_deref(), Some("db.prod.internal"));
        assert_eq!(r.target.port, Some(6432));
        assert!(r.concerns.is_empty(), "{:?}", r.concerns);
        // Explicit settings win over the service file.
        let r = resolve(
            &[
                Param::Plain("port", Some("7000")),
                Param::Plain("dbname", Some("x")),
            ],
            &BTreeMap::from([
                ("HOME".to_string(), "/home/u".to_string()),
                ("PGSERVICE".to_string(), "prod".to_string()),
            ]),
            &files,
        );
        assert_eq!(r.target.port, Some(7000));
        assert_eq!(r.target.host.as_deref(), Some("db.prod.internal"));
        let r = resolve(&[Param::Expand(Some("service=nope"))], &env, &files);
        assert_eq!(r.concerns[0].kind, Kind::Unknown);
        let bad = Files(vec![(
            "/home/u/.pg_service.conf".into(),
            "[prod]\noptions=-c role=x\n".into(),
        )]);
        let r = resolve(&[Param::Expand(Some("service=prod"))], &env, &bad);
        assert_eq!(r.concerns[0].kind, Kind::PrivilegeSwitch);
        let r = resolve(
            &[Param::Expand(Some("service=prod"))],
            &BTreeMap::new(),
            &files,
        );
        assert_eq!(r.concerns[0].kind, Kind::Unknown);
    }
}
