//! `redis-cli`: the command words on the command line, or one command a line from stdin (`--pipe` included).

use super::{Finding, Kind, Risk, Sources, StdinView, Target};

/// Options that take a value.
const VALUE_OPTIONS: &[&str] = &[
    "-h",
    "-p",
    "-s",
    "-a",
    "-u",
    "-n",
    "-r",
    "-i",
    "-d",
    "-D",
    "-t",
    "--user",
    "--pass",
    "--rdb",
    "--functions-rdb",
    "--eval",
    "--pattern",
    "--count",
    "--quoted-pattern",
    "--cacert",
    "--cacertdir",
    "--cert",
    "--key",
    "--sni",
    "--tls-ciphers",
    "--tls-ciphersuites",
    "--pipe-timeout",
    "--intrinsic-latency",
    "--memkeys-samples",
    "-e",
];

fn command_finding(words: &[String], target: &Target) -> Finding {
    let upper = |i: usize| {
        words
            .get(i)
            .map(|w| w.to_ascii_uppercase())
            .unwrap_or_default()
    };
    let (cmd, sub) = (upper(0), upper(1));
    let f = |kind: Kind, detail: &str| {
        Finding::new(kind, "redis-cli", target, format!("{cmd}: {detail}"))
    };
    let key = words.get(1).cloned().into_iter().collect::<Vec<_>>();
    match cmd.as_str() {
        "FLUSHALL" => f(Kind::DestructiveWrite, "empties every database").with_risk(Risk::Critical),
        "FLUSHDB" => f(Kind::DestructiveWrite, "empties the database"),
        "MIGRATE" => f(
            Kind::DestructiveWrite,
            "moves keys to another server and deletes them here",
        ),
        "DEL" | "UNLINK" | "EXPIRE" | "PEXPIRE" | "EXPIREAT" | "GETDEL" | "LPOP" | "RPOP"
        | "SPOP" | "ZPOPMIN" | "ZPOPMAX" | "HDEL" | "SREM" | "ZREM" | "LREM" | "LTRIM" | "XDEL"
        | "XTRIM" => f(Kind::Write, "removes data").with_objects(key),
        "SET" | "SETNX" | "SETEX" | "PSETEX" | "MSET" | "MSETNX" | "HSET" | "HMSET" | "HSETNX"
        | "HINCRBY" | "INCR" | "INCRBY" | "DECR" | "DECRBY" | "APPEND" | "LPUSH" | "RPUSH"
        | "LSET" | "LINSERT" | "SADD" | "SMOVE" | "ZADD" | "ZINCRBY" | "XADD" | "PUBLISH"
        | "RENAME" | "RENAMENX" | "COPY" | "PERSIST" | "GETSET" | "SETRANGE" | "PFADD"
        | "GEOADD" | "RESTORE" | "MOVE" | "SORT" | "XGROUP" | "XACK" => {
            f(Kind::Write, "writes data").with_objects(key)
        }
        "GET" | "MGET" | "HGET" | "HMGET" | "HGETALL" | "HKEYS" | "HVALS" | "HLEN" | "HEXISTS"
        | "KEYS" | "SCAN" | "SSCAN" | "HSCAN" | "ZSCAN" | "SMEMBERS" | "SISMEMBER" | "SCARD"
        | "LRANGE" | "LLEN" | "LINDEX" | "ZRANGE" | "ZRANGEBYSCORE" | "ZREVRANGE" | "ZSCORE"
        | "ZCARD" | "ZRANK" | "EXISTS" | "TTL" | "PTTL" | "TYPE" | "INFO" | "PING" | "ECHO"
        | "DBSIZE" | "STRLEN" | "XRANGE" | "XREVRANGE" | "XREAD" | "XLEN" | "XINFO"
        | "GETRANGE" | "PFCOUNT" | "RANDOMKEY" | "TIME" | "LASTSAVE" | "ROLE" | "LOLWUT"
        | "SUBSCRIBE" | "PSUBSCRIBE" | "OBJECT" | "MEMORY" | "SLOWLOG" | "LATENCY" | "COMMAND"
        | "HELLO" | "SELECT" | "SINTER" | "SUNION" | "SDIFF" | "GEOPOS" | "GEODIST"
        | "GEOSEARCH" | "BITCOUNT" | "GETBIT" => f(Kind::Read, "reads")
            .with_risk(Risk::Low)
            .with_objects(key),
        "DUMP" => f(Kind::DataExport, "serialises a value for export").with_objects(key),
        "MONITOR" => f(
            Kind::DataExport,
            "streams every command the server runs, values included",
        ),
        "EVAL" | "EVALSHA" | "EVAL_RO" | "EVALSHA_RO" | "FCALL" | "FCALL_RO" => {
            f(Kind::CodeExecution, "runs a Lua script on the server")
        }
        "SCRIPT" | "FUNCTION"
            if matches!(
                sub.as_str(),
                "LOAD" | "FLUSH" | "KILL" | "RESTORE" | "DELETE"
            ) =>
        {
            f(Kind::CodeExecution, "manages server-side scripts")
        }
        "SCRIPT" | "FUNCTION" => f(Kind::Read, "inspects server-side scripts"),
        "MODULE" if sub == "LOAD" || sub == "LOADEX" => {
            f(Kind::CodeExecution, "loads a native module")
        }
        "ACL" if matches!(sub.as_str(), "SETUSER" | "DELUSER" | "LOAD" | "SAVE") => {
            f(Kind::PermissionChange, "changes users and their rights")
                .with_objects(words.get(2).cloned().into_iter().collect())
        }
        "ACL" => f(Kind::Read, "inspects users"),
        "CONFIG" if sub == "GET" => f(Kind::Read, "reads configuration").with_risk(Risk::Low),
        "CONFIG" | "SHUTDOWN" | "DEBUG" | "REPLICAOF" | "SLAVEOF" | "FAILOVER" | "BGSAVE"
        | "SAVE" | "BGREWRITEAOF" | "SWAPDB" | "CLUSTER" => {
            f(Kind::AdminConfig, "changes the server")
        }
        "CLIENT" if matches!(sub.as_str(), "KILL" | "PAUSE" | "NO-EVICT" | "UNBLOCK") => {
            f(Kind::AdminConfig, "acts on other clients")
        }
        "CLIENT" => f(Kind::Read, "inspects connections").with_risk(Risk::Low),
        "AUTH" => f(Kind::Read, "authenticates").with_risk(Risk::Low),
        _ => f(Kind::Unknown, "a command gate does not know"),
    }
}

/// `redis-cli [OPTIONS] [COMMAND [ARG…]]`.
pub fn redis_cli(argv: &[String], sources: &dyn Sources) -> Vec<Finding> {
    let mut target = Target::default();
    let mut words = Vec::new();
    let (mut pipe, mut rdb, mut eval) = (false, None, None);
    let mut iter = argv.iter();
    while let Some(arg) = iter.next() {
        if !words.is_empty() {
            words.push(arg.clone());
            continue;
        }
        match arg.as_str() {
            "-h" => target.host = iter.next().cloned(),
            "-p" => target.port = iter.next().and_then(|p| p.parse().ok()),
            "-s" => target.host = iter.next().cloned(),
            "-n" => target.database = iter.next().cloned(),
            "-u" => {
                if let Some(uri) = iter.next() {
                    let rest = uri.split_once("://").map_or(uri.as_str(), |(_, r)| r);
                    let authority = rest.split('/').next().unwrap_or(rest);
                    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                    let (h, p) = hostport
                        .rsplit_once(':')
                        .map_or((hostport, None), |(h, p)| (h, p.parse().ok()));
                    target.host = Some(h.to_string());
                    target.port = p;
                }
            }
            "--pipe" => pipe = true,
            "--rdb" | "--functions-rdb" => rdb = iter.next().cloned(),
            "--eval" => eval = iter.next().cloned(),
            "--bigkeys" | "--memkeys" | "--hotkeys" | "--stat" | "--latency"
            | "--latency-history" | "--latency-dist" | "--scan" | "--version" | "--help" => {
                words.push("PING".into());
            }
            a if VALUE_OPTIONS.contains(&a) => {
                iter.next();
            }
            a if a.starts_with('-') => {}
            _ => words.push(arg.clone()),
        }
    }
    if let Some(file) = rdb {
        return vec![Finding::new(
            Kind::DataExport,
            "redis-cli",
            &target,
            format!("--rdb copies the whole dataset to {file}"),
        )];
    }
    if let Some(file) = eval {
        return vec![Finding::new(
            Kind::CodeExecution,
            "redis-cli",
            &target,
            format!("--eval runs the Lua script {file}"),
        )];
    }
    if !words.is_empty() {
        let mut f = command_finding(&words, &target);
        if words.len() == 1 && f.kind == Kind::Read && words[0] == "PING" {
            f.detail = "diagnostics that only read".into();
        }
        return vec![f];
    }
    let mut findings = match sources.stdin() {
        StdinView::Terminal => vec![Finding::new(
            Kind::Unknown,
            "redis-cli",
            &target,
            "interactive session: gate cannot see what will be typed",
        )],
        StdinView::Unreadable(why) => vec![Finding::new(
            Kind::Unknown,
            "redis-cli",
            &target,
            format!("cannot read stdin: {why}"),
        )],
        StdinView::Bytes { bytes, complete } => {
            let text = String::from_utf8_lossy(bytes);
            let mut found: Vec<Finding> = text
                .lines()
                .filter_map(|line| super::shell::split(line).ok())
                .filter(|w| !w.is_empty() && !w[0].starts_with('*') && !w[0].starts_with('$'))
                .map(|w| command_finding(&w, &target))
                .collect();
            if text.starts_with('*') {
                found.push(Finding::new(
                    Kind::Unknown,
                    "redis-cli",
                    &target,
                    "raw protocol input gate does not decode",
                ));
            }
            if !complete {
                found.push(Finding::new(
                    Kind::Unknown,
                    "redis-cli",
                    &target,
                    "stdin is larger than gate reads",
                ));
            }
            found
        }
    };
    if pipe {
        findings.push(Finding::new(
            Kind::BulkWrite,
            "redis-cli",
            &target,
            "--pipe loads commands in bulk",
        ));
    }
    if findings.is_empty() {
        findings.push(Finding::new(
            Kind::Read,
            "redis-cli",
            &target,
            "connects and runs nothing",
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn kind(a: &[&str]) -> Kind {
        redis_cli(
            &a.iter().map(ToString::to_string).collect::<Vec<_>>(),
            &NoSources,
        )[0]
        .kind
    }

    #[test]
    fn commands() {
        assert_eq!(kind(&["-h", "r.prod", "HGETALL", "cart:9"]), Kind::Read);
        assert_eq!(
            kind(&["-h", "r.prod", "-a", "secret", "FLUSHDB"]),
            Kind::DestructiveWrite
        );
        assert_eq!(kind(&["flushall"]), Kind::DestructiveWrite);
        assert_eq!(kind(&["--rdb", "/tmp/r.rdb"]), Kind::DataExport);
        assert_eq!(
            kind(&["ACL", "SETUSER", "bob", "on", ">pw", "+@all"]),
            Kind::PermissionChange
        );
        assert_eq!(kind(&["CONFIG", "SET", "dir", "/tmp"]), Kind::AdminConfig);
        assert_eq!(kind(&["CONFIG", "GET", "maxmemory"]), Kind::Read);
        assert_eq!(kind(&["EVAL", "return 1", "0"]), Kind::CodeExecution);
        assert_eq!(kind(&["FROB"]), Kind::Unknown);
        let f = &redis_cli(
            &[
                "-h".into(),
                "r.prod".into(),
                "-n".into(),
                "2".into(),
                "GET".into(),
                "k".into(),
            ],
            &NoSources,
        )[0];
        assert_eq!(
            (f.target.host.as_deref(), f.target.database.as_deref()),
            (Some("r.prod"), Some("2"))
        );
    }
}
