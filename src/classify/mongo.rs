//! MongoDB: `mongosh`/`mongo` JavaScript (from `--eval`, script files or stdin) read by the methods it calls, and
//! the dump, export, restore and import tools.

use std::collections::BTreeMap;

use super::args::{self, OptSpec, Style, opt, opt_optional};
use super::{Finding, Kind, Risk, Sources, StdinView, Target};

const READ: &[&str] = &[
    "find",
    "findOne",
    "aggregate",
    "countDocuments",
    "estimatedDocumentCount",
    "count",
    "distinct",
    "getCollectionNames",
    "getCollectionInfos",
    "getIndexes",
    "stats",
    "explain",
    "printjson",
    "print",
    "getSiblingDB",
    "getCollection",
    "getName",
    "serverStatus",
    "hello",
    "isMaster",
    "version",
    "getUsers",
    "getUser",
    "getRoles",
    "getRole",
    "hostInfo",
    "currentOp",
    "itcount",
    "toArray",
    "limit",
    "sort",
    "skip",
    "project",
    "forEach",
    "map",
    "pretty",
    "hasNext",
    "next",
    "size",
    "ObjectId",
    "ISODate",
    "Date",
    "NumberLong",
    "NumberInt",
    "NumberDecimal",
    "UUID",
    "listCollections",
    "listDatabases",
    "getMongo",
    "getDBNames",
    "validate",
    "dataSize",
    "totalSize",
    "storageSize",
    "isCapped",
    "latencyStats",
    "watch",
    "batchSize",
    "readPref",
    "hint",
    "collation",
    "comment",
    "maxTimeMS",
    "getShardDistribution",
    "status",
    "log",
    "stringify",
    "parse",
    "keys",
    "conf",
    "printReplicationInfo",
    "printSecondaryReplicationInfo",
    "getBalancerState",
    "isBalancerRunning",
];
const WRITE: &[&str] = &[
    "insertOne",
    "insertMany",
    "insert",
    "updateOne",
    "replaceOne",
    "findOneAndUpdate",
    "findOneAndReplace",
    "findAndModify",
    "save",
    "bulkWrite",
    "deleteOne",
    "findOneAndDelete",
];
const PERMISSION: &[&str] = &[
    "createUser",
    "updateUser",
    "dropUser",
    "dropAllUsers",
    "grantRolesToUser",
    "revokeRolesFromUser",
    "createRole",
    "updateRole",
    "dropRole",
    "dropAllRoles",
    "grantPrivilegesToRole",
    "revokePrivilegesFromRole",
    "grantRolesToRole",
    "revokeRolesFromRole",
    "changeUserPassword",
];
const SCHEMA: &[&str] = &[
    "createCollection",
    "createIndex",
    "createIndexes",
    "dropIndex",
    "dropIndexes",
    "renameCollection",
    "createView",
    "compact",
    "reIndex",
    "hideIndex",
    "unhideIndex",
];
const ADMIN: &[&str] = &[
    "adminCommand",
    "setParameter",
    "shutdownServer",
    "fsyncLock",
    "fsyncUnlock",
    "killOp",
    "setProfilingLevel",
    "reconfig",
    "stepDown",
    "enableSharding",
    "shardCollection",
    "setLogLevel",
    "addShard",
    "removeShard",
    "setFeatureCompatibilityVersion",
    "rotateCertificates",
];
const CODE: &[&str] = &[
    "load",
    "runProgram",
    "run",
    "eval",
    "Function",
    "require",
    "_runMongoProgram",
];

/// Calls that take a function (`forEach(f)`) are only read when the function is `printjson`/`print`.
const VALUE_CALLS: &[&str] = &[
    "ObjectId",
    "ISODate",
    "Date",
    "NumberLong",
    "NumberInt",
    "NumberDecimal",
    "Decimal128",
    "Long",
    "Int32",
    "Double",
    "UUID",
    "Timestamp",
    "BinData",
    "MinKey",
    "MaxKey",
    "passwordPrompt",
];

/// Names that may stand alone as values.
const VALUE_NAMES: &[&str] = &[
    "true",
    "false",
    "null",
    "undefined",
    "Infinity",
    "NaN",
    "printjson",
    "print",
];

/// Aggregation stages and query operators that do more than read.
const MARKERS: &[(&str, Kind, &str)] = &[
    (
        "$out",
        Kind::DestructiveWrite,
        "aggregation with $out writes to a collection",
    ),
    (
        "$merge",
        Kind::Write,
        "aggregation with $merge writes to a collection",
    ),
    (
        "$where",
        Kind::CodeExecution,
        "$where runs JavaScript on the server",
    ),
    (
        "$function",
        Kind::CodeExecution,
        "$function runs JavaScript on the server",
    ),
    (
        "$accumulator",
        Kind::CodeExecution,
        "$accumulator runs JavaScript on the server",
    ),
];

/// How deep objects, arrays and calls may nest in a script gate reads.
const MAX_JS_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num,
    Punct(char),
    Newline,
}

/// Tokens of the small part of JavaScript gate reads: names, numbers, quoted strings, punctuation and comments.
/// Template literals, regular expressions and anything else are not read.
fn tokens(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            out.push(Tok::Newline);
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            if i >= chars.len() {
                return Err("an unterminated comment".into());
            }
            i += 2;
        } else if c == '"' || c == '\'' {
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None | Some('\n') => return Err("an unterminated string".into()),
                    Some('\\') => {
                        // An escape could spell any character; gate reads only the plain ones.
                        match chars.get(i + 1) {
                            Some(e @ ('\\' | '\'' | '"')) => value.push(*e),
                            _ => return Err("an escape sequence in a string".into()),
                        }
                        i += 2;
                    }
                    Some(q) if *q == c => {
                        i += 1;
                        break;
                    }
                    Some(other) => {
                        value.push(*other);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Str(value));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Tok::Num);
        } else if c.is_ascii_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if "{}[]().,:;-".contains(c) {
            out.push(Tok::Punct(c));
            i += 1;
        } else {
            return Err(format!("`{c}`"));
        }
    }
    Ok(out)
}

/// What one call in a script does.
struct Call {
    name: String,
    /// Whether the first argument is missing or `{}`.
    empty_filter: bool,
}

/// A reader over the tokens of one script that accepts only chains of calls on `db`/`rs`/`sh`, their literal
/// arguments, and the shell helpers `show`/`use`.
struct Reader<'t> {
    toks: &'t [Tok],
    at: usize,
    calls: Vec<Call>,
    strings: Vec<String>,
}

impl Reader<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn punct(&self, c: char) -> bool {
        self.peek() == Some(&Tok::Punct(c))
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.punct(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!("expected `{c}`"))
        }
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.at += 1;
        }
    }

    fn program(&mut self) -> Result<(), String> {
        loop {
            while matches!(self.peek(), Some(Tok::Newline | Tok::Punct(';'))) {
                self.at += 1;
            }
            let Some(tok) = self.peek().cloned() else {
                return Ok(());
            };
            match tok {
                Tok::Ident(w) if w == "show" || w == "use" => {
                    self.at += 1;
                    let Some(Tok::Ident(arg)) = self.peek().cloned() else {
                        return Err(format!("`{w}` without a name gate can read"));
                    };
                    self.at += 1;
                    if w == "show"
                        && ![
                            "dbs",
                            "databases",
                            "collections",
                            "tables",
                            "users",
                            "roles",
                        ]
                        .contains(&arg.as_str())
                    {
                        return Err(format!("`show {arg}` is not a helper gate knows"));
                    }
                }
                _ => self.expression(0)?,
            }
            match self.peek() {
                None | Some(Tok::Newline | Tok::Punct(';')) => {}
                Some(other) => return Err(format!("unexpected {other:?} after a statement")),
            }
        }
    }

    /// A value: a literal, an object, an array, or a chain.
    fn value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_JS_DEPTH {
            return Err("nesting deeper than gate follows".into());
        }
        self.skip_newlines();
        match self.peek().cloned() {
            Some(Tok::Str(s)) => {
                self.strings.push(s);
                self.at += 1;
            }
            Some(Tok::Num) => self.at += 1,
            Some(Tok::Punct('-')) => {
                self.at += 1;
                if self.peek() != Some(&Tok::Num) {
                    return Err("`-` before something other than a number".into());
                }
                self.at += 1;
            }
            Some(Tok::Punct('{')) => {
                self.at += 1;
                loop {
                    self.skip_newlines();
                    if self.punct('}') {
                        self.at += 1;
                        break;
                    }
                    match self.peek().cloned() {
                        Some(Tok::Ident(k) | Tok::Str(k)) => {
                            self.strings.push(k);
                            self.at += 1;
                        }
                        Some(Tok::Num) => self.at += 1,
                        _ => return Err("an object key gate cannot read".into()),
                    }
                    self.skip_newlines();
                    self.expect(':')?;
                    self.value(depth + 1)?;
                    self.skip_newlines();
                    if self.punct(',') {
                        self.at += 1;
                    } else {
                        self.skip_newlines();
                        self.expect('}')?;
                        break;
                    }
                }
            }
            Some(Tok::Punct('[')) => {
                self.at += 1;
                loop {
                    self.skip_newlines();
                    if self.punct(']') {
                        self.at += 1;
                        break;
                    }
                    self.value(depth + 1)?;
                    self.skip_newlines();
                    if self.punct(',') {
                        self.at += 1;
                    } else {
                        self.skip_newlines();
                        self.expect(']')?;
                        break;
                    }
                }
            }
            Some(Tok::Ident(w)) if w == "new" => {
                self.at += 1;
                match self.peek().cloned() {
                    Some(Tok::Ident(c)) if VALUE_CALLS.contains(&c.as_str()) => {
                        self.expression(depth + 1)?;
                    }
                    _ => return Err("`new` of something gate does not know".into()),
                }
            }
            Some(Tok::Ident(w)) if VALUE_NAMES.contains(&w.as_str()) && !self.next_is_call() => {
                self.at += 1;
            }
            Some(Tok::Ident(_)) => self.expression(depth + 1)?,
            other => return Err(format!("a value gate cannot read: {other:?}")),
        }
        Ok(())
    }

    fn next_is_call(&self) -> bool {
        self.toks.get(self.at + 1) == Some(&Tok::Punct('('))
    }

    /// `db.coll.find({...}).limit(5)`, `printjson(…)`, `ObjectId("…")`, `db["coll"]`.
    fn expression(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_JS_DEPTH {
            return Err("nesting deeper than gate follows".into());
        }
        let Some(Tok::Ident(root)) = self.peek().cloned() else {
            return Err("a statement that is not a call gate can read".into());
        };
        self.at += 1;
        let mut last_name = root.clone();
        let mut callable = match root.as_str() {
            "db" | "rs" | "sh" => false,
            n if VALUE_CALLS.contains(&n)
                || ["printjson", "print", "quit", "exit", "sleep"].contains(&n) =>
            {
                true
            }
            other => return Err(format!("`{other}` is not a name gate knows")),
        };
        loop {
            if self.punct('(') {
                if !callable {
                    return Err(format!("`{last_name}` called as a function"));
                }
                self.at += 1;
                let start_calls = self.calls.len();
                let mut args = 0;
                let mut empty_first = true;
                loop {
                    self.skip_newlines();
                    if self.punct(')') {
                        self.at += 1;
                        break;
                    }
                    let before = self.at;
                    self.value(depth + 1)?;
                    if args == 0 {
                        empty_first =
                            self.toks[before..self.at] == [Tok::Punct('{'), Tok::Punct('}')];
                    }
                    args += 1;
                    self.skip_newlines();
                    if self.punct(',') {
                        self.at += 1;
                    } else {
                        self.skip_newlines();
                        self.expect(')')?;
                        break;
                    }
                }
                self.calls.insert(
                    start_calls,
                    Call {
                        name: last_name.clone(),
                        empty_filter: args == 0 || empty_first,
                    },
                );
                callable = false;
                continue;
            }
            if self.punct('.') {
                self.at += 1;
                let Some(Tok::Ident(name)) = self.peek().cloned() else {
                    return Err("a member gate cannot read".into());
                };
                self.at += 1;
                last_name = name;
                callable = true;
                continue;
            }
            if self.punct('[') {
                self.at += 1;
                let Some(Tok::Str(name)) = self.peek().cloned() else {
                    return Err("a computed member gate cannot read".into());
                };
                self.at += 1;
                self.expect(']')?;
                last_name = name;
                callable = true;
                continue;
            }
            return Ok(());
        }
    }
}

/// What a call does, by its name and its filter.
fn call_finding(call: &Call) -> (Kind, Risk, String) {
    let name = call.name.as_str();
    match name {
        "drop" => (
            Kind::DestructiveWrite,
            Risk::High,
            "drop() removes a whole collection".into(),
        ),
        "dropDatabase" => (
            Kind::DestructiveWrite,
            Risk::Critical,
            "dropDatabase() removes a whole database".into(),
        ),
        "deleteMany" | "remove" if call.empty_filter => (
            Kind::DestructiveWrite,
            Risk::High,
            format!("{name} with an empty filter deletes every document"),
        ),
        "deleteMany" | "remove" => (Kind::Write, Risk::Moderate, format!("{name} with a filter")),
        "updateMany" | "update" if call.empty_filter => (
            Kind::DestructiveWrite,
            Risk::High,
            format!("{name} with an empty filter changes every document"),
        ),
        "updateMany" | "update" => (Kind::Write, Risk::Moderate, format!("{name} with a filter")),
        n if WRITE.contains(&n) => (Kind::Write, Risk::Moderate, format!("{n} writes documents")),
        n if PERMISSION.contains(&n) => (
            Kind::PermissionChange,
            Risk::High,
            format!("{n} changes who may do what"),
        ),
        n if SCHEMA.contains(&n) => (
            Kind::SchemaChange,
            Risk::Moderate,
            format!("{n} changes collections or indexes"),
        ),
        n if ADMIN.contains(&n) => (
            Kind::AdminConfig,
            Risk::High,
            format!("{n} changes the server"),
        ),
        n if CODE.contains(&n) => (
            Kind::CodeExecution,
            Risk::High,
            format!("{n} runs code gate cannot see"),
        ),
        n if READ.contains(&n)
            || VALUE_CALLS.contains(&n)
            || ["quit", "exit", "sleep"].contains(&n) =>
        {
            (Kind::Read, Risk::Low, "reads documents".into())
        }
        n => (
            Kind::Unknown,
            Risk::High,
            format!("{n}() is a call gate does not know"),
        ),
    }
}

/// Reads mongosh JavaScript. Only scripts made of calls on `db`, `rs` and `sh` with literal arguments (and the
/// `show`/`use` helpers) are read; each call is classified by its method, and anything else in the script is
/// `unknown` (DESIGN §8).
pub fn javascript(text: &str, target: &Target, tool: &str) -> Vec<Finding> {
    let unknown = |why: String| {
        vec![Finding::new(
            Kind::Unknown,
            tool,
            target,
            format!("JavaScript gate cannot read: {why}"),
        )]
    };
    let toks = match tokens(text) {
        Ok(t) => t,
        Err(why) => return unknown(why),
    };
    let mut reader = Reader {
        toks: &toks,
        at: 0,
        calls: Vec::new(),
        strings: Vec::new(),
    };
    if let Err(why) = reader.program() {
        return unknown(why);
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut push = |kind: Kind, risk: Risk, detail: String| {
        if !findings
            .iter()
            .any(|f| f.kind == kind && f.detail == detail)
        {
            findings.push(Finding::new(kind, tool, target, detail).with_risk(risk));
        }
    };
    for (marker, kind, detail) in MARKERS {
        if reader.strings.iter().any(|s| s == marker) {
            push(*kind, kind.default_risk(), (*detail).to_string());
        }
    }
    for call in &reader.calls {
        let (kind, risk, detail) = call_finding(call);
        push(kind, risk, detail);
    }
    if findings.is_empty() {
        findings.push(Finding::new(
            Kind::Read,
            tool,
            target,
            "shell helpers that only list or switch",
        ));
    }
    findings
}

/// mongosh 2.x options (`mongosh --help`, and the MongoDB Shell manual "mongosh Options"), with the legacy `mongo`
/// shell's (4.4 `mongo --help`) that mongosh does not have. mongosh reads its arguments with yargs-parser: exact
/// names (no abbreviations), `--name=value` or `--name value`. Kebab-case spellings and `--no-X` negations are
/// not in the table, so they are `unknown`.
const MONGOSH: &[OptSpec] = &[
    opt(Some('h'), "help", false),
    opt(Some('f'), "file", true),
    opt(None, "host", true),
    opt(None, "port", true),
    opt(None, "build-info", false),
    opt(None, "version", false),
    opt(None, "quiet", false),
    opt(None, "verbose", false),
    opt(None, "shell", false),
    opt(None, "nodb", false),
    opt(None, "norc", false),
    opt(None, "eval", true),
    opt_optional(None, "json"),
    opt_optional(None, "retryWrites"),
    opt(Some('u'), "username", true),
    opt(Some('p'), "password", true),
    opt(None, "authenticationDatabase", true),
    opt(None, "authenticationMechanism", true),
    opt(None, "awsIamSessionToken", true),
    opt(None, "gssapiServiceName", true),
    opt(None, "sspiHostnameCanonicalization", true),
    opt(None, "sspiRealmOverride", true),
    opt(None, "tls", false),
    opt(None, "tlsCertificateKeyFile", true),
    opt(None, "tlsCertificateKeyFilePassword", true),
    opt(None, "tlsCAFile", true),
    opt(None, "tlsAllowInvalidHostnames", false),
    opt(None, "tlsAllowInvalidCertificates", false),
    opt(None, "tlsCertificateSelector", true),
    opt(None, "tlsCRLFile", true),
    opt(None, "tlsDisabledProtocols", true),
    opt(None, "tlsFIPSMode", false),
    opt(None, "tlsUseSystemCA", false),
    opt(None, "apiVersion", true),
    opt(None, "apiStrict", false),
    opt(None, "apiDeprecationErrors", false),
    opt(None, "awsAccessKeyId", true),
    opt(None, "awsSecretAccessKey", true),
    opt(None, "awsSessionToken", true),
    opt(None, "keyVaultNamespace", true),
    opt(None, "kmsURL", true),
    opt(None, "ssl", false),
    opt(None, "sslCAFile", true),
    opt(None, "sslPEMKeyFile", true),
    opt(None, "sslPEMKeyPassword", true),
    opt(None, "sslAllowInvalidHostnames", false),
    opt(None, "sslAllowInvalidCertificates", false),
    opt(None, "disableImplicitSessions", false),
];

/// Options that change what mongosh runs or loads: never `read`.
fn mongosh_option_effect(name: &str) -> Option<(Kind, &'static str)> {
    Some(match name {
        "keyVaultNamespace" | "kmsURL" | "awsAccessKeyId" | "awsSecretAccessKey"
        | "awsSessionToken" => (
            Kind::Unknown,
            "client-side field level encryption options load a crypt library gate does not model",
        ),
        "shell" => (
            Kind::Unknown,
            "--shell opens an interactive shell after the scripts; gate cannot see what will be typed",
        ),
        _ => return None,
    })
}

/// A MongoDB target from `--host`/`--port`, a `mongodb://` URI, or a database name.
fn mongo_target(
    host: Option<&str>,
    port: Option<&str>,
    positional: Option<&str>,
    database: Option<&str>,
) -> Target {
    let mut target = Target {
        host: host.map(str::to_string),
        port: port.and_then(|p| p.parse().ok()),
        database: database.map(str::to_string),
        user: None,
    };
    if let Some(p) = positional {
        if let Some(rest) = p
            .strip_prefix("mongodb://")
            .or_else(|| p.strip_prefix("mongodb+srv://"))
        {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let (userinfo, hosts) = authority
                .rsplit_once('@')
                .map_or((None, authority), |(u, h)| (Some(u), h));
            target.user = userinfo.map(|u| u.split(':').next().unwrap_or(u).to_string());
            let first = hosts.split(',').next().unwrap_or(hosts);
            let (h, port) = first
                .rsplit_once(':')
                .map_or((first, None), |(h, p)| (h, p.parse().ok()));
            target.host = target.host.or(Some(h.to_string()));
            target.port = target.port.or(port);
            let db = path.split('?').next().unwrap_or("");
            if !db.is_empty() {
                target.database = target.database.or(Some(db.to_string()));
            }
        } else if let Some((h, db)) = p.split_once('/') {
            target.host = target.host.or(Some(h.to_string()));
            target.database = target.database.or(Some(db.to_string()));
        } else {
            target.database = target.database.or(Some(p.to_string()));
        }
    }
    target
}

/// `mongosh` and `mongo` without the environment (`HOME` unknown, so only `--norc` rules the startup file out), for
/// the unit tests.
#[cfg(test)]
pub fn mongosh(tool: &str, argv: &[String], sources: &dyn Sources) -> Vec<Finding> {
    mongosh_with(tool, argv, &BTreeMap::new(), sources)
}

/// The JavaScript a file holds, or `unknown`.
fn script_file(
    path: &str,
    what: &str,
    target: &Target,
    tool: &str,
    sources: &dyn Sources,
) -> Vec<Finding> {
    match sources.read_file(path) {
        Some(bytes) => javascript(&String::from_utf8_lossy(&bytes), target, tool)
            .into_iter()
            .map(|mut f| {
                f.detail = format!("{what} {path}: {}", f.detail);
                f
            })
            .collect(),
        None => vec![Finding::new(
            Kind::Unknown,
            tool,
            target,
            format!("runs {path}, which gate cannot read"),
        )],
    }
}

/// The startup files mongosh (or the legacy shell) runs before anything else, unless `--norc`.
fn startup_files(
    tool: &str,
    env: &BTreeMap<String, String>,
    target: &Target,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let Some(home) = env.get("HOME").filter(|h| h.starts_with('/')) else {
        return vec![Finding::new(
            Kind::Unknown,
            tool,
            target,
            "the shell runs ~/.mongoshrc.js unless --norc, and gate cannot tell where HOME is",
        )];
    };
    let mut out = Vec::new();
    let rc: Vec<String> = if tool == "mongo" {
        vec!["/etc/mongorc.js".into(), format!("{home}/.mongorc.js")]
    } else {
        vec![format!("{home}/.mongoshrc.js")]
    };
    for file in rc {
        match super::optional_input(sources, &file) {
            Ok(Some(_)) => out.extend(script_file(&file, "startup file", target, tool, sources)),
            Ok(None) => {}
            Err(why) => out.push(Finding::new(
                Kind::Unknown,
                tool,
                target,
                format!("startup file {why}"),
            )),
        }
    }
    if tool != "mongo" {
        for (file, why) in [
            (
                "/etc/mongosh.conf".to_string(),
                "mongosh's global configuration",
            ),
            (
                format!("{home}/.mongodb/mongosh/snippets/package.json"),
                "installed snippets, which mongosh loads at startup",
            ),
        ] {
            if !matches!(super::optional_input(sources, &file), Ok(None)) {
                out.push(Finding::new(
                    Kind::Unknown,
                    tool,
                    target,
                    format!("{file} holds {why}; gate does not model them"),
                ));
            }
        }
    }
    out
}

/// yargs-parser lets a flag take a following `true`/`false`: `--norc false` reads the startup file.
fn flag_with_boolean_word(argv: &[String]) -> Option<&str> {
    argv.windows(2).find_map(|w| {
        let name = w[0].trim_start_matches('-');
        let flag = w[0].starts_with('-')
            && !w[0].contains('=')
            && MONGOSH.iter().any(|o| {
                !o.takes_value()
                    && (o.long == name || (w[0].len() == 2 && o.short == name.chars().next()))
            });
        (flag && (w[1] == "true" || w[1] == "false")).then_some(w[0].as_str())
    })
}

/// `mongosh` and `mongo`.
pub fn mongosh_with(
    tool: &str,
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let unknown = |why: String| vec![Finding::new(Kind::Unknown, tool, &Target::default(), why)];
    if let Some(flag) = flag_with_boolean_word(argv) {
        return unknown(format!(
            "`{flag}` is followed by a boolean word the shell may take as its value"
        ));
    }
    let parsed = match args::parse_strict(argv, MONGOSH, Style::EXACT) {
        Ok(p) => p,
        Err(e) => return unknown(format!("{tool}: {e}")),
    };
    let mut positionals = args::positionals(&parsed);
    let first = positionals.next();
    let is_js = |f: &str| {
        std::path::Path::new(f)
            .extension()
            .is_some_and(|e| e == "js")
    };
    let (address, mut files): (Option<&str>, Vec<&str>) = match first {
        Some(f) if is_js(f) => (None, vec![f]),
        other => (other, Vec::new()),
    };
    files.extend(positionals);
    files.extend(args::values(&parsed, "file"));
    let target = mongo_target(
        args::last(&parsed, "host"),
        args::last(&parsed, "port"),
        address,
        None,
    );
    if args::has(&parsed, "help")
        || args::has(&parsed, "version")
        || args::has(&parsed, "build-info")
    {
        return vec![Finding::new(
            Kind::Read,
            tool,
            &target,
            "prints the shell's help or version",
        )];
    }
    let mut findings = Vec::new();
    for arg in &parsed {
        if let args::Arg::Opt { name, .. } = arg
            && let Some((kind, detail)) = mongosh_option_effect(name)
        {
            findings.push(Finding::new(kind, tool, &target, detail));
        }
    }
    if !args::has(&parsed, "norc") {
        findings.extend(startup_files(tool, env, &target, sources));
    }
    findings.extend(args::values(&parsed, "eval").flat_map(|js| javascript(js, &target, tool)));
    for file in &files {
        findings.extend(script_file(file, "script", &target, tool, sources));
    }
    let ran_something = args::values(&parsed, "eval").next().is_some() || !files.is_empty();
    if !ran_something {
        findings.extend(match sources.stdin() {
            StdinView::Terminal => vec![Finding::new(
                Kind::Unknown,
                tool,
                &target,
                "interactive session: gate cannot see what will be typed",
            )],
            StdinView::Bytes { bytes, complete } if !bytes.is_empty() => {
                let mut found = javascript(&String::from_utf8_lossy(bytes), &target, tool);
                if !complete {
                    found.push(Finding::new(
                        Kind::Unknown,
                        tool,
                        &target,
                        "stdin is larger than gate reads; the rest was not classified",
                    ));
                }
                found
            }
            StdinView::Bytes { .. } => vec![Finding::new(
                Kind::Read,
                tool,
                &target,
                "connects and runs nothing",
            )],
            StdinView::Unreadable(why) => vec![Finding::new(
                Kind::Unknown,
                tool,
                &target,
                format!("cannot read stdin: {why}"),
            )],
        });
    }
    if findings.is_empty() {
        findings.push(Finding::new(Kind::Read, tool, &target, "runs nothing"));
    }
    findings
}

/// The MongoDB Database Tools 100.x (`mongodump --help` and its siblings; the "MongoDB Database Tools" manual).
/// They read arguments with go-flags: exact names, `--name=value` or `--name value`, `-vvv`.
const MONGO_TOOLS: &[OptSpec] = &[
    opt(None, "help", false),
    opt(None, "version", false),
    opt_optional(Some('v'), "verbose"),
    opt(None, "quiet", false),
    opt(None, "config", true),
    opt(None, "uri", true),
    opt(Some('h'), "host", true),
    opt(None, "port", true),
    opt(None, "ssl", false),
    opt(None, "sslCAFile", true),
    opt(None, "sslPEMKeyFile", true),
    opt(None, "sslPEMKeyPassword", true),
    opt(None, "sslCRLFile", true),
    opt(None, "sslAllowInvalidCertificates", false),
    opt(None, "sslAllowInvalidHostnames", false),
    opt(None, "tls", false),
    opt(None, "tlsCAFile", true),
    opt(None, "tlsCertificateKeyFile", true),
    opt(None, "tlsCertificateKeyFilePassword", true),
    opt(None, "tlsCRLFile", true),
    opt(None, "tlsInsecure", false),
    opt(Some('u'), "username", true),
    opt(Some('p'), "password", true),
    opt(None, "authenticationDatabase", true),
    opt(None, "authenticationMechanism", true),
    opt(None, "awsSessionToken", true),
    opt(None, "gssapiServiceName", true),
    opt(None, "gssapiHostName", true),
    opt(Some('d'), "db", true),
    opt(Some('c'), "collection", true),
    opt(None, "readPreference", true),
    opt(None, "compressors", true),
    // mongodump
    opt(Some('q'), "query", true),
    opt(None, "queryFile", true),
    opt(None, "gzip", false),
    opt(Some('o'), "out", true),
    opt_optional(None, "archive"),
    opt(None, "oplog", false),
    opt(None, "dumpDbUsersAndRoles", false),
    opt(None, "excludeCollection", true),
    opt(None, "excludeCollectionsWithPrefix", true),
    opt(Some('j'), "numParallelCollections", true),
    opt(None, "viewsAsCollections", false),
    // mongoexport
    opt(Some('f'), "fields", true),
    opt(None, "fieldFile", true),
    opt(None, "type", true),
    opt(None, "jsonFormat", true),
    opt(None, "jsonArray", false),
    opt(None, "pretty", false),
    opt(None, "forceTableScan", false),
    opt(None, "skip", true),
    opt(None, "limit", true),
    opt(None, "sort", true),
    opt(None, "assertExists", false),
    opt(None, "noHeaderLine", false),
    // mongorestore
    opt(None, "nsExclude", true),
    opt(None, "nsInclude", true),
    opt(None, "nsFrom", true),
    opt(None, "nsTo", true),
    opt(None, "objcheck", false),
    opt(None, "oplogReplay", false),
    opt(None, "oplogLimit", true),
    opt(None, "oplogFile", true),
    opt(None, "restoreDbUsersAndRoles", false),
    opt(None, "dir", true),
    opt(None, "drop", false),
    opt(None, "dryRun", false),
    opt(None, "writeConcern", true),
    opt(None, "noIndexRestore", false),
    opt(None, "convertLegacyIndexes", false),
    opt(None, "noOptionsRestore", false),
    opt(None, "keepIndexVersion", false),
    opt(None, "maintainInsertionOrder", false),
    opt(None, "numInsertionWorkersPerCollection", true),
    opt(None, "stopOnError", false),
    opt(None, "bypassDocumentValidation", false),
    opt(None, "preserveUUID", false),
    opt(None, "fixDottedHashIndex", false),
    // mongoimport
    opt(None, "file", true),
    opt(None, "headerline", false),
    opt(None, "parseGrace", true),
    opt(None, "columnsHaveTypes", false),
    opt(None, "legacy", false),
    opt(None, "useArrayIndexFields", false),
    opt(None, "ignoreBlanks", false),
    opt(Some('j'), "numInsertionWorkers", true),
    opt(None, "mode", true),
    opt(None, "upsertFields", true),
];

/// `mongodump`, `mongoexport`, `mongorestore` and `mongoimport`.
pub fn tools(tool: &str, argv: &[String]) -> Vec<Finding> {
    let parsed = match args::parse_strict(argv, MONGO_TOOLS, Style::EXACT) {
        Ok(p) => p,
        Err(e) => {
            return vec![Finding::new(
                Kind::Unknown,
                tool,
                &Target::default(),
                format!("{tool}: {e}"),
            )];
        }
    };
    let uri = args::last(&parsed, "uri")
        .or_else(|| args::positionals(&parsed).find(|p| p.starts_with("mongodb")));
    let db = args::last(&parsed, "db");
    let target = mongo_target(
        args::last(&parsed, "host"),
        args::last(&parsed, "port"),
        uri,
        db,
    );
    let objects: Vec<String> = match (db, args::last(&parsed, "collection")) {
        (Some(d), Some(c)) => vec![format!("{d}.{c}")],
        (None, Some(c)) => vec![c.to_string()],
        (Some(d), None) => vec![d.to_string()],
        (None, None) => Vec::new(),
    };
    let mut findings = match tool {
        "mongodump" | "mongoexport" => {
            let detail = if objects.is_empty() {
                "exports every database"
            } else {
                "exports the named data"
            };
            vec![
                Finding::new(Kind::DataExport, tool, &target, detail).with_objects(objects.clone()),
            ]
        }
        _ => vec![
            Finding::new(Kind::BulkWrite, tool, &target, "loads documents in bulk")
                .with_objects(objects.clone()),
        ],
    };
    let restore = matches!(tool, "mongorestore" | "mongoimport");
    for (name, applies, kind, detail) in [
        (
            "config",
            true,
            Kind::Unknown,
            "--config reads options from a file gate does not read",
        ),
        (
            "oplogReplay",
            restore,
            Kind::DestructiveWrite,
            "--oplogReplay replays an oplog, which may drop anything",
        ),
        (
            "restoreDbUsersAndRoles",
            restore,
            Kind::PermissionChange,
            "restores users and roles",
        ),
        (
            "dumpDbUsersAndRoles",
            !restore,
            Kind::DataExport,
            "dumps users and roles, with their credentials",
        ),
        (
            "queryFile",
            !restore,
            Kind::Unknown,
            "--queryFile reads a query gate does not read",
        ),
    ] {
        if applies && args::has(&parsed, name) {
            findings.push(Finding::new(kind, tool, &target, detail));
        }
    }
    for query in args::values(&parsed, "query") {
        for marker in ["$where", "$function", "$accumulator"] {
            if query.contains(marker) {
                findings.push(Finding::new(
                    Kind::CodeExecution,
                    tool,
                    &target,
                    format!("the query's {marker} runs JavaScript on the server"),
                ));
            }
        }
    }
    match args::last(&parsed, "mode") {
        Some("delete") if tool == "mongoimport" => findings.push(Finding::new(
            Kind::DestructiveWrite,
            tool,
            &target,
            "--mode=delete deletes the matching documents",
        )),
        Some("insert" | "upsert" | "merge") | None => {}
        Some(other) => findings.push(Finding::new(
            Kind::Unknown,
            tool,
            &target,
            format!("--mode={other} is not a mode gate knows"),
        )),
    }
    if args::has(&parsed, "drop") && restore {
        findings.push(
            Finding::new(
                Kind::DestructiveWrite,
                tool,
                &target,
                "--drop removes each collection first",
            )
            .with_objects(objects),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn kinds(js: &str) -> Vec<Kind> {
        let mut k: Vec<Kind> = javascript(js, &Target::default(), "mongosh")
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    #[test]
    fn methods() {
        assert_eq!(
            kinds("db.orders.find({state: 'open'}).limit(5)"),
            [Kind::Read]
        );
        assert_eq!(kinds("db.orders.deleteMany({})"), [Kind::DestructiveWrite]);
        assert_eq!(
            kinds("db.orders.deleteMany({ state: 'old' })"),
            [Kind::Write]
        );
        assert_eq!(kinds("db.orders.drop()"), [Kind::DestructiveWrite]);
        assert_eq!(kinds("db.dropDatabase()"), [Kind::DestructiveWrite]);
        assert_eq!(
            kinds("db.createUser({user: 'a', pwd: 'x', roles: ['root']})"),
            [Kind::PermissionChange]
        );
        assert_eq!(
            kinds("db.grantRolesToUser('a', ['root'])"),
            [Kind::PermissionChange]
        );
        assert_eq!(
            kinds("db.o.aggregate([{$match: {}}, {$out: 'copy'}])"),
            [Kind::Read, Kind::DestructiveWrite]
        );
        assert_eq!(
            kinds("db.o.aggregate([{$merge: {into: 'x'}}])"),
            [Kind::Read, Kind::Write]
        );
        assert_eq!(kinds("frobnicate()"), [Kind::Unknown]);
        assert_eq!(
            kinds("db.o.find({$where: 'sleep(1000)'})"),
            [Kind::Read, Kind::CodeExecution]
        );
    }

    #[test]
    fn only_the_calls_gate_reads_are_read() {
        for js in [
            "db['dropDatabase']()",
            "x = db.dropDatabase; x()",
            "/'/; db.dropDatabase() //'",
            "db.c.find({}).forEach(function (d) { db.c.deleteOne(d) })",
            "`${db.dropDatabase()}`",
            "db.c.find(\"\\u0027\")",
            "this.db.c.find()",
        ] {
            assert!(
                kinds(js).contains(&Kind::Unknown) || kinds(js).contains(&Kind::DestructiveWrite),
                "{js}: {:?}",
                kinds(js)
            );
            assert!(!kinds(js).iter().all(|k| *k == Kind::Read), "{js}");
        }
        assert_eq!(
            kinds("db.c.find({a: [1, -2, 'x']}, {_id: 0}).sort({a: 1}).limit(3)"),
            [Kind::Read]
        );
        assert_eq!(
            kinds("show dbs\nuse shop\ndb.c.findOne({_id: ObjectId('65a0')})"),
            [Kind::Read]
        );
        assert_eq!(kinds("db['orders'].countDocuments()"), [Kind::Read]);
        assert_eq!(
            kinds("db.changeUserPassword('a', passwordPrompt())"),
            [Kind::Read, Kind::PermissionChange]
        );
    }

    #[test]
    fn the_startup_file_is_an_input() {
        let s = |a: &[&str]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
        let env = BTreeMap::from([("HOME".to_string(), "/home/u".to_string())]);
        let f = mongosh_with(
            "mongosh",
            &s(&["--eval", "db.c.find({})"]),
            &env,
            &NoSources,
        );
        assert!(f.iter().all(|f| f.kind == Kind::Read), "{f:?}");
        let f = mongosh("mongosh", &s(&["--eval", "db.c.find({})"]), &NoSources);
        assert!(f.iter().any(|f| f.kind == Kind::Unknown), "no HOME: {f:?}");
        let f = mongosh_with(
            "mongosh",
            &s(&["--norc", "false", "--eval", "db.c.find({})"]),
            &env,
            &NoSources,
        );
        assert!(f.iter().any(|f| f.kind == Kind::Unknown), "{f:?}");
    }

    #[test]
    fn shell_and_tools() {
        let s = |a: &[&str]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
        let f = mongosh(
            "mongosh",
            &s(&[
                "--norc",
                "mongodb://ops:pw@mongo.prod:27017/shop",
                "--eval",
                "db.x.drop()",
            ]),
            &NoSources,
        );
        assert_eq!(
            (
                f[0].kind,
                f[0].target.host.as_deref(),
                f[0].target.database.as_deref()
            ),
            (Kind::DestructiveWrite, Some("mongo.prod"), Some("shop"))
        );
        let f = tools(
            "mongoexport",
            &s(&[
                "--db",
                "shop",
                "--collection",
                "orders",
                "--host",
                "mongo.prod",
            ]),
        );
        assert_eq!(
            (f[0].kind, f[0].objects.clone()),
            (Kind::DataExport, vec!["shop.orders".to_string()])
        );
        let f = tools("mongorestore", &s(&["--drop", "dump/"]));
        assert_eq!(
            f.iter().map(|f| f.kind).collect::<Vec<_>>(),
            [Kind::BulkWrite, Kind::DestructiveWrite]
        );
    }
}
