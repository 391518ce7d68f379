//! MongoDB: `mongosh`/`mongo` JavaScript (from `--eval`, script files or stdin) read by the methods it calls, and
//! the dump, export, restore and import tools.

use super::args::{self, OptSpec, opt};
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

/// Whether the argument list that opens at `open` is empty or an empty document: `()`, `({})`, `({ })`.
fn empty_filter(text: &str, open: usize) -> bool {
    let rest: String = text[open + 1..]
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(3)
        .collect();
    rest.starts_with(')') || rest.starts_with("{})") || rest.starts_with("{},")
}

/// Reads mongosh JavaScript by the methods it calls. A call gate does not know is `unknown`.
pub fn javascript(text: &str, target: &Target, tool: &str) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut push = |kind: Kind, risk: Risk, detail: String| {
        if !findings
            .iter()
            .any(|f| f.kind == kind && f.detail == detail)
        {
            findings.push(Finding::new(kind, tool, target, detail).with_risk(risk));
        }
    };
    for marker in ["$out", "$merge"] {
        if text.contains(marker) {
            let kind = if marker == "$out" {
                Kind::DestructiveWrite
            } else {
                Kind::Write
            };
            push(
                kind,
                kind.default_risk(),
                format!("aggregation with {marker} writes to a collection"),
            );
        }
    }
    for marker in ["$where", "$function", "$accumulator"] {
        if text.contains(marker) {
            push(
                Kind::CodeExecution,
                Risk::High,
                format!("{marker} runs JavaScript on the server"),
            );
        }
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' || c == b'`' {
            i = bytes[i + 1..]
                .iter()
                .position(|&b| b == c)
                .map_or(bytes.len(), |p| i + p + 2);
            continue;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            i = bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| i + p);
            continue;
        }
        if !(c.is_ascii_alphabetic() || c == b'_' || c == b'$') {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len()
            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
        {
            i += 1;
        }
        let name = &text[start..i];
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) != Some(&b'(') {
            continue;
        }
        match name {
            "drop" => push(
                Kind::DestructiveWrite,
                Risk::High,
                "drop() removes a whole collection".into(),
            ),
            "dropDatabase" => push(
                Kind::DestructiveWrite,
                Risk::Critical,
                "dropDatabase() removes a whole database".into(),
            ),
            "deleteMany" | "remove" if empty_filter(text, j) => {
                push(
                    Kind::DestructiveWrite,
                    Risk::High,
                    format!("{name} with an empty filter deletes every document"),
                );
            }
            "deleteMany" | "remove" => {
                push(Kind::Write, Risk::Moderate, format!("{name} with a filter"));
            }
            "updateMany" | "update" if empty_filter(text, j) => {
                push(
                    Kind::DestructiveWrite,
                    Risk::High,
                    format!("{name} with an empty filter changes every document"),
                );
            }
            "updateMany" | "update" => {
                push(Kind::Write, Risk::Moderate, format!("{name} with a filter"));
            }
            n if WRITE.contains(&n) => {
                push(Kind::Write, Risk::Moderate, format!("{n} writes documents"));
            }
            n if PERMISSION.contains(&n) => push(
                Kind::PermissionChange,
                Risk::High,
                format!("{n} changes who may do what"),
            ),
            n if SCHEMA.contains(&n) => push(
                Kind::SchemaChange,
                Risk::Moderate,
                format!("{n} changes collections or indexes"),
            ),
            n if ADMIN.contains(&n) => push(
                Kind::AdminConfig,
                Risk::High,
                format!("{n} changes the server"),
            ),
            n if CODE.contains(&n) => push(
                Kind::CodeExecution,
                Risk::High,
                format!("{n} runs code gate cannot see"),
            ),
            "runCommand" => push(
                Kind::Unknown,
                Risk::High,
                "runCommand can do anything; gate does not read its document".into(),
            ),
            n if READ.contains(&n) => push(Kind::Read, Risk::Low, "reads documents".into()),
            n => push(
                Kind::Unknown,
                Risk::High,
                format!("{n}() is a call gate does not know"),
            ),
        }
    }
    for line in text.lines().map(str::trim) {
        if line.starts_with("show ") || line.starts_with("use ") {
            push(
                Kind::Read,
                Risk::Low,
                "shell helper that only lists or switches".into(),
            );
        }
    }
    if findings.is_empty() {
        findings.push(Finding::new(
            Kind::Unknown,
            tool,
            target,
            "JavaScript gate could not read",
        ));
    }
    findings
}

const MONGOSH: &[OptSpec] = &[
    opt(None, "eval", true),
    opt(Some('f'), "file", true),
    opt(None, "host", true),
    opt(None, "port", true),
    opt(Some('u'), "username", true),
    opt(Some('p'), "password", true),
    opt(None, "authenticationDatabase", true),
    opt(None, "authenticationMechanism", true),
    opt(None, "tlsCAFile", true),
    opt(None, "quiet", false),
    opt(None, "norc", false),
    opt(None, "nodb", false),
    opt(None, "shell", false),
    opt(None, "tls", false),
    opt(None, "json", true),
];

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

/// `mongosh` and `mongo`.
pub fn mongosh(tool: &str, argv: &[String], sources: &dyn Sources) -> Vec<Finding> {
    let parsed = args::parse(argv, MONGOSH);
    let mut positionals = args::positionals(&parsed);
    let first = positionals.next();
    let (address, mut files): (Option<&str>, Vec<&str>) = match first {
        Some(f)
            if std::path::Path::new(f)
                .extension()
                .is_some_and(|e| e == "js") =>
        {
            (None, vec![f])
        }
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
    let mut findings: Vec<Finding> = args::values(&parsed, "eval")
        .flat_map(|js| javascript(js, &target, tool))
        .collect();
    for file in files {
        match sources.read_file(file) {
            Some(bytes) => {
                findings.extend(javascript(&String::from_utf8_lossy(&bytes), &target, tool));
            }
            None => findings.push(Finding::new(
                Kind::Unknown,
                tool,
                &target,
                format!("runs {file}, which gate cannot read"),
            )),
        }
    }
    if findings.is_empty() {
        findings = match sources.stdin() {
            StdinView::Terminal => vec![Finding::new(
                Kind::Unknown,
                tool,
                &target,
                "interactive session: gate cannot see what will be typed",
            )],
            StdinView::Bytes { bytes, .. } if !bytes.is_empty() => {
                javascript(&String::from_utf8_lossy(bytes), &target, tool)
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
        };
    }
    findings
}

const MONGO_TOOLS: &[OptSpec] = &[
    opt(None, "uri", true),
    opt(Some('h'), "host", true),
    opt(None, "port", true),
    opt(Some('u'), "username", true),
    opt(Some('p'), "password", true),
    opt(Some('d'), "db", true),
    opt(Some('c'), "collection", true),
    opt(Some('o'), "out", true),
    opt(Some('q'), "query", true),
    opt(None, "file", true),
    opt(None, "type", true),
    opt(None, "fields", true),
    opt(None, "authenticationDatabase", true),
    opt(None, "archive", true),
    opt(None, "nsInclude", true),
    opt(None, "mode", true),
    opt(None, "drop", false),
    opt(None, "gzip", false),
    opt(None, "oplog", false),
    opt(None, "jsonArray", false),
];

/// `mongodump`, `mongoexport`, `mongorestore` and `mongoimport`.
pub fn tools(tool: &str, argv: &[String]) -> Vec<Finding> {
    let parsed = args::parse(argv, MONGO_TOOLS);
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
    if args::has(&parsed, "drop") && matches!(tool, "mongorestore" | "mongoimport") {
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
    fn shell_and_tools() {
        let s = |a: &[&str]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
        let f = mongosh(
            "mongosh",
            &s(&[
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
