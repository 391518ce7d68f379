//! The PostgreSQL client tools: where their SQL comes from, and where they connect. Targets come from flags,
//! conninfo strings, URIs and `PG*` variables, in libpq's order of precedence.

use std::collections::BTreeMap;

use super::args::{self, Arg, OptSpec, opt};
use super::sql::Dialect;
use super::{Finding, Kind, Risk, Sources, Target, Tool};

/// Connection settings gathered from one source (flags, a conninfo string, a URI or the environment).
#[derive(Default, Debug)]
struct Conn {
    host: Option<String>,
    port: Option<String>,
    dbname: Option<String>,
    user: Option<String>,
}

impl Conn {
    /// Fills what is still unset from a lower-precedence source.
    fn or(self, other: Conn) -> Conn {
        Conn {
            host: self.host.or(other.host),
            port: self.port.or(other.port),
            dbname: self.dbname.or(other.dbname),
            user: self.user.or(other.user),
        }
    }

    fn target(self) -> Target {
        Target {
            host: self.host.filter(|h| !h.is_empty()),
            port: self.port.and_then(|p| p.parse().ok()),
            database: self.dbname.filter(|d| !d.is_empty()),
            user: self.user.filter(|u| !u.is_empty()),
        }
    }

    fn from_env(env: &BTreeMap<String, String>) -> Conn {
        Conn {
            host: env.get("PGHOST").cloned(),
            port: env.get("PGPORT").cloned(),
            dbname: env.get("PGDATABASE").cloned(),
            user: env.get("PGUSER").cloned(),
        }
    }

    /// Reads a `-d`/positional value that may be a plain name, a conninfo string or a URI.
    fn from_dbname(value: &str) -> Conn {
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            parse_uri(value)
        } else if value.contains('=') {
            parse_conninfo(value)
        } else {
            Conn {
                dbname: Some(value.to_string()),
                ..Conn::default()
            }
        }
    }
}

/// `host=db port=5432 dbname='my db'`.
fn parse_conninfo(s: &str) -> Conn {
    let mut conn = Conn::default();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let key_start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let key: String = chars[key_start..i].iter().collect();
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '=') {
            i += 1;
        }
        let mut value = String::new();
        if chars.get(i) == Some(&'\'') {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                if let Some(&c) = chars.get(i) {
                    value.push(c);
                }
                i += 1;
            }
            i += 1;
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                value.push(chars[i]);
                i += 1;
            }
        }
        match key.as_str() {
            "host" | "hostaddr" => conn.host = conn.host.or(Some(value)),
            "port" => conn.port = Some(value),
            "dbname" => conn.dbname = Some(value),
            "user" => conn.user = Some(value),
            _ => {}
        }
    }
    conn
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(h, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `postgresql://user:secret@host:port/dbname?host=/socket`.
fn parse_uri(s: &str) -> Conn {
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    let (main, query) = rest
        .split_once('?')
        .map_or((rest, None), |(m, q)| (m, Some(q)));
    let (authority, path) = main
        .split_once('/')
        .map_or((main, None), |(a, p)| (a, Some(p)));
    let (userinfo, hostport) = authority
        .rsplit_once('@')
        .map_or((None, authority), |(u, h)| (Some(u), h));
    let mut conn = Conn::default();
    if let Some(u) = userinfo {
        let user = u.split_once(':').map_or(u, |(user, _)| user);
        conn.user = Some(percent_decode(user)).filter(|u| !u.is_empty());
    }
    // The last host's port; `[v6]:port` keeps its brackets out of the host.
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (h, p) = v6.split_once(']').unwrap_or((v6, ""));
        (h.to_string(), p.strip_prefix(':').map(str::to_string))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) if !p.contains(',') => (h.to_string(), Some(p.to_string())),
            _ => (hostport.to_string(), None),
        }
    };
    conn.host = Some(percent_decode(&host)).filter(|h| !h.is_empty());
    conn.port = port.filter(|p| !p.is_empty());
    conn.dbname = path.map(percent_decode).filter(|d| !d.is_empty());
    if let Some(q) = query {
        for pair in q.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = percent_decode(v);
            match k {
                "host" => conn.host = Some(v),
                "port" => conn.port = Some(v),
                "dbname" => conn.dbname = Some(v),
                "user" => conn.user = Some(v),
                _ => {}
            }
        }
    }
    conn
}

/// Flags that name the target, shared by every libpq tool.
fn flag_conn(parsed: &[Arg]) -> Conn {
    Conn {
        host: args::last(parsed, "host").map(str::to_string),
        port: args::last(parsed, "port").map(str::to_string),
        dbname: None,
        user: args::last(parsed, "username").map(str::to_string),
    }
}

/// libpq's precedence: explicit flags, then the `-d`/positional connection string, then `PG*` variables.
fn resolve(
    parsed: &[Arg],
    dbname_arg: Option<&str>,
    user_arg: Option<&str>,
    env: &BTreeMap<String, String>,
) -> Target {
    let mut flags = flag_conn(parsed);
    flags.user = flags.user.or(user_arg.map(str::to_string));
    let from_db = dbname_arg.map(Conn::from_dbname).unwrap_or_default();
    flags.or(from_db).or(Conn::from_env(env)).target()
}

const PSQL: &[OptSpec] = &[
    opt(Some('c'), "command", true),
    opt(Some('d'), "dbname", true),
    opt(Some('f'), "file", true),
    opt(Some('h'), "host", true),
    opt(Some('p'), "port", true),
    opt(Some('U'), "username", true),
    opt(Some('v'), "set", true),
    opt(None, "variable", true),
    opt(Some('o'), "output", true),
    opt(Some('L'), "log-file", true),
    opt(Some('P'), "pset", true),
    opt(Some('F'), "field-separator", true),
    opt(Some('R'), "record-separator", true),
    opt(Some('T'), "table-attr", true),
    opt(Some('l'), "list", false),
    opt(Some('X'), "no-psqlrc", false),
    opt(Some('q'), "quiet", false),
    opt(Some('A'), "no-align", false),
    opt(Some('t'), "tuples-only", false),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(Some('e'), "echo-queries", false),
    opt(Some('E'), "echo-hidden", false),
    opt(Some('a'), "echo-all", false),
    opt(Some('b'), "echo-errors", false),
    opt(Some('n'), "no-readline", false),
    opt(Some('s'), "single-step", false),
    opt(Some('S'), "single-line", false),
    opt(Some('x'), "expanded", false),
    opt(Some('H'), "html", false),
    opt(Some('1'), "single-transaction", false),
    opt(Some('0'), "record-separator-zero", false),
    opt(Some('z'), "field-separator-zero", false),
    opt(Some('V'), "version", false),
    opt(Some('?'), "help", true),
    opt(None, "csv", false),
];

/// `psql`: SQL from `-c`, `-f` or stdin, classified statement by statement.
pub fn psql(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let parsed = args::parse(argv, PSQL);
    let mut positionals = args::positionals(&parsed);
    let dbname = args::last(&parsed, "dbname").or_else(|| positionals.next());
    let user = positionals.next();
    let target = resolve(&parsed, dbname, user, env);
    let tool = Tool {
        name: "psql",
        target: &target,
        dialect: Dialect::Postgres,
    };

    if args::has(&parsed, "version") || args::has(&parsed, "help") {
        return vec![tool.finding(Kind::Read, "prints psql's own help or version")];
    }
    if args::has(&parsed, "list") {
        return vec![tool.finding(Kind::Read, "lists databases")];
    }
    let mut findings = Vec::new();
    let mut has_source = false;
    for arg in &parsed {
        match arg {
            Arg::Opt {
                name: "command",
                value,
            } => {
                has_source = true;
                let text = value.as_deref().unwrap_or("");
                // psql runs a -c value either as one backslash command or as SQL, never a mix.
                match text.trim_start().strip_prefix('\\') {
                    Some(meta) => findings.extend(tool.client_command(meta, sources)),
                    None => findings.extend(tool.sql(text, sources)),
                }
            }
            Arg::Opt {
                name: "file",
                value,
            } => {
                has_source = true;
                findings.extend(tool.script_file(value.as_deref().unwrap_or(""), sources));
            }
            _ => {}
        }
    }
    if !has_source {
        findings.extend(tool.stdin(sources));
    }
    if findings.is_empty() {
        findings.push(tool.finding(Kind::Read, "no statements"));
    }
    findings
}

const PG_DUMP: &[OptSpec] = &[
    opt(Some('f'), "file", true),
    opt(Some('F'), "format", true),
    opt(Some('j'), "jobs", true),
    opt(Some('t'), "table", true),
    opt(Some('T'), "exclude-table", true),
    opt(Some('n'), "schema", true),
    opt(Some('N'), "exclude-schema", true),
    opt(Some('d'), "dbname", true),
    opt(Some('h'), "host", true),
    opt(Some('p'), "port", true),
    opt(Some('U'), "username", true),
    opt(Some('E'), "encoding", true),
    opt(Some('Z'), "compress", true),
    opt(Some('S'), "superuser", true),
    opt(Some('l'), "database", true),
    opt(None, "role", true),
    opt(None, "exclude-table-data", true),
    opt(None, "lock-wait-timeout", true),
    opt(None, "section", true),
    opt(None, "snapshot", true),
    opt(None, "filter", true),
    opt(None, "extension", true),
    opt(Some('a'), "data-only", false),
    opt(Some('s'), "schema-only", false),
    opt(Some('r'), "roles-only", false),
    opt(Some('g'), "globals-only", false),
    opt(Some('c'), "clean", false),
    opt(Some('C'), "create", false),
    opt(Some('O'), "no-owner", false),
    opt(Some('x'), "no-privileges", false),
    opt(Some('v'), "verbose", false),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(Some('b'), "large-objects", false),
    opt(Some('B'), "no-large-objects", false),
];

fn dump_objects(parsed: &[Arg]) -> Vec<String> {
    args::values(parsed, "table")
        .chain(args::values(parsed, "schema"))
        .map(str::to_string)
        .collect()
}

/// `pg_dump`: a logical export of one database, or of the tables and schemas named.
pub fn pg_dump(argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    let parsed = args::parse(argv, PG_DUMP);
    let dbname = args::last(&parsed, "dbname").or_else(|| args::positionals(&parsed).next());
    let target = resolve(&parsed, dbname, None, env);
    let objects = dump_objects(&parsed);
    let (risk, detail) = if args::has(&parsed, "schema-only") {
        (Risk::Moderate, "schema-only dump")
    } else if args::has(&parsed, "data-only") {
        (Risk::High, "data-only dump")
    } else if objects.is_empty() {
        (Risk::High, "full logical dump")
    } else {
        (Risk::High, "logical dump of the named tables and schemas")
    };
    vec![
        Finding::new(Kind::DataExport, "pg_dump", &target, detail)
            .with_risk(risk)
            .with_objects(objects),
    ]
}

/// `pg_dumpall`: every database, and the cluster's roles (with their password hashes).
pub fn pg_dumpall(argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    let parsed = args::parse(argv, PG_DUMP);
    let dbname = args::last(&parsed, "dbname");
    let mut target = resolve(&parsed, dbname, None, env);
    if target.database.is_none() {
        target.database = args::last(&parsed, "database").map(str::to_string);
    }
    let (risk, detail) = if args::has(&parsed, "roles-only") {
        (Risk::Critical, "dump of every role, with password hashes")
    } else if args::has(&parsed, "globals-only") {
        (
            Risk::Critical,
            "dump of roles and tablespaces, with password hashes",
        )
    } else if args::has(&parsed, "schema-only") {
        (Risk::Moderate, "schema-only dump of every database")
    } else {
        (Risk::Critical, "dump of every database and every role")
    };
    vec![Finding::new(Kind::DataExport, "pg_dumpall", &target, detail).with_risk(risk)]
}

const PG_RESTORE: &[OptSpec] = &[
    opt(Some('d'), "dbname", true),
    opt(Some('f'), "file", true),
    opt(Some('F'), "format", true),
    opt(Some('j'), "jobs", true),
    opt(Some('t'), "table", true),
    opt(Some('n'), "schema", true),
    opt(Some('N'), "exclude-schema", true),
    opt(Some('I'), "index", true),
    opt(Some('P'), "function", true),
    opt(Some('T'), "trigger", true),
    opt(Some('L'), "use-list", true),
    opt(Some('h'), "host", true),
    opt(Some('p'), "port", true),
    opt(Some('U'), "username", true),
    opt(Some('S'), "superuser", true),
    opt(None, "role", true),
    opt(None, "section", true),
    opt(None, "filter", true),
    opt(Some('c'), "clean", false),
    opt(Some('C'), "create", false),
    opt(Some('a'), "data-only", false),
    opt(Some('s'), "schema-only", false),
    opt(Some('l'), "list", false),
    opt(Some('e'), "exit-on-error", false),
    opt(Some('O'), "no-owner", false),
    opt(Some('x'), "no-privileges", false),
    opt(Some('1'), "single-transaction", false),
    opt(Some('v'), "verbose", false),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
    opt(None, "if-exists", false),
];

/// `pg_restore`: with `-d` it writes an archive into a database (`--clean` and `--create` drop first); without,
/// it only turns an archive into a script.
pub fn pg_restore(argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    let parsed = args::parse(argv, PG_RESTORE);
    let dbname = args::last(&parsed, "dbname");
    let target = resolve(&parsed, dbname, None, env);
    let objects = dump_objects(&parsed);
    let archive = args::positionals(&parsed).next().unwrap_or("stdin");
    if args::has(&parsed, "list") || dbname.is_none() {
        return vec![Finding::new(
            Kind::Read,
            "pg_restore",
            &target,
            format!("reads the archive {archive}; writes no database"),
        )];
    }
    let mut findings = vec![
        Finding::new(
            Kind::BulkWrite,
            "pg_restore",
            &target,
            format!("restores {archive} into the database"),
        )
        .with_objects(objects.clone()),
    ];
    if args::has(&parsed, "clean") {
        findings.push(
            Finding::new(
                Kind::DestructiveWrite,
                "pg_restore",
                &target,
                "--clean drops the objects before restoring them",
            )
            .with_objects(objects.clone()),
        );
    }
    if args::has(&parsed, "create") {
        findings.push(Finding::new(
            Kind::DestructiveWrite,
            "pg_restore",
            &target,
            "--create drops and recreates the database",
        ));
    }
    findings
}

const DB_ADMIN: &[OptSpec] = &[
    opt(Some('h'), "host", true),
    opt(Some('p'), "port", true),
    opt(Some('U'), "username", true),
    opt(None, "maintenance-db", true),
    opt(Some('O'), "owner", true),
    opt(Some('T'), "template", true),
    opt(Some('E'), "encoding", true),
    opt(Some('l'), "locale", true),
    opt(Some('D'), "tablespace", true),
    opt(Some('e'), "echo", false),
    opt(Some('i'), "interactive", false),
    opt(Some('f'), "force", false),
    opt(None, "if-exists", false),
    opt(Some('w'), "no-password", false),
    opt(Some('W'), "password", false),
];

/// `dropdb` and `createdb`.
pub fn db_admin(tool: &str, argv: &[String], env: &BTreeMap<String, String>) -> Vec<Finding> {
    let parsed = args::parse(argv, DB_ADMIN);
    let name = args::positionals(&parsed).next().map(str::to_string);
    let mut target = resolve(&parsed, None, None, env);
    target.database = name.clone().or(target.database);
    let objects: Vec<String> = name.into_iter().collect();
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
    vec![finding.with_objects(objects)]
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
            &s(&["-h", "h", "app", "ops", "-c", "SELECT 1", "-c", "\\d items"]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(
            f.iter().map(|f| f.kind).collect::<Vec<_>>(),
            [Kind::Read, Kind::Read]
        );
        assert_eq!(f[0].target.user.as_deref(), Some("ops"));

        let f = psql(&s(&["app"]), &BTreeMap::new(), &Tty);
        assert_eq!(f[0].kind, Kind::Unknown);
        assert!(f[0].detail.contains("interactive session"));
        let f = psql(
            &s(&["app", "-c", "\\! rm -rf /"]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(f[0].kind, Kind::CodeExecution);
        let f = psql(
            &s(&["app", "-c", "\\copy customers to 'c.csv' csv header"]),
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
}
