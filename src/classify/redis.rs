//! `redis-cli` (and `valkey-cli`): its options, the command on its command line, or the commands it reads from
//! stdin one a line. Options follow `parseOptions()` in redis-cli.c (7.0.15, with 7.2's `--count`); commands are
//! an allow-list of what redis's command table (src/commands/*.json, 7.0.15) flags READONLY, minus what blocks,
//! runs scripts or hands data out, plus the connection and introspection commands that change nothing. Any other
//! command is classified by what it does, or `unknown` (DESIGN §8).

use super::args::{self, Arg, OptSpec, Style, opt};
use super::{Finding, Kind, Risk, Sources, StdinView, Target};

/// redis-cli takes exact names and stops at the first argument that is not an option. Spellings gate accepts
/// and redis-cli does not (`--pass=x`, `-xe`, `--`) make redis-cli exit before it connects.
const STYLE: Style = Style {
    abbreviations: false,
    permute: false,
    single_dash_long: false,
};

/// `redis-cli --help` and parseOptions() (7.0.15; `--count` from 7.2; valkey-cli 8.0.1's additions). Options with only a short form get a
/// long name no one can type by accident. `--cluster` and `--cluster-weight` take a variable number of
/// arguments and are read by [`cluster`].
const OPTIONS: &[OptSpec] = &[
    opt(Some('h'), "(-h)", true),
    opt(Some('p'), "(-p)", true),
    opt(Some('s'), "(-s)", true),
    opt(Some('a'), "pass", true),
    opt(None, "user", true),
    opt(Some('u'), "(-u)", true),
    opt(Some('n'), "(-n)", true),
    opt(Some('r'), "(-r)", true),
    opt(Some('i'), "(-i)", true),
    opt(Some('d'), "(-d)", true),
    opt(Some('D'), "(-D)", true),
    opt(Some('x'), "(-x)", false),
    opt(Some('X'), "(-X)", true),
    opt(Some('c'), "(-c)", false),
    opt(Some('e'), "(-e)", false),
    opt(Some('v'), "version", false),
    opt(Some('2'), "(-2)", false),
    opt(Some('3'), "(-3)", false),
    // valkey-cli 8.0 adds -4, -6 and -t, and `primaries` spellings of the cluster options; redis-cli exits on
    // them before it connects, so one table serves both.
    opt(Some('4'), "(-4)", false),
    opt(Some('6'), "(-6)", false),
    opt(Some('t'), "(-t)", true),
    opt(None, "cluster-primary-id", true),
    opt(None, "cluster-only-primaries", false),
    opt(None, "cluster-replica", false),
    opt(None, "cluster-use-empty-primaries", false),
    opt(None, "cluster-fix-with-unreachable-primaries", false),
    opt(None, "help", false),
    opt(None, "no-auth-warning", false),
    opt(None, "askpass", false),
    opt(None, "raw", false),
    opt(None, "no-raw", false),
    opt(None, "quoted-input", false),
    opt(None, "csv", false),
    opt(None, "json", false),
    opt(None, "quoted-json", false),
    opt(None, "show-pushes", true),
    opt(None, "verbose", false),
    opt(None, "mono", false),
    opt(None, "latency", false),
    opt(None, "latency-dist", false),
    opt(None, "latency-history", false),
    opt(None, "lru-test", true),
    opt(None, "slave", false),
    opt(None, "replica", false),
    opt(None, "stat", false),
    opt(None, "scan", false),
    opt(None, "count", true),
    opt(None, "pattern", true),
    opt(None, "quoted-pattern", true),
    opt(None, "intrinsic-latency", true),
    opt(None, "rdb", true),
    opt(None, "functions-rdb", true),
    opt(None, "pipe", false),
    opt(None, "pipe-timeout", true),
    opt(None, "bigkeys", false),
    opt(None, "memkeys", false),
    opt(None, "memkeys-samples", true),
    opt(None, "hotkeys", false),
    opt(None, "eval", true),
    opt(None, "ldb", false),
    opt(None, "ldb-sync-mode", false),
    opt(None, "cluster-only-masters", false),
    opt(None, "cluster-only-replicas", false),
    opt(None, "cluster-replicas", true),
    opt(None, "cluster-master-id", true),
    opt(None, "cluster-from", true),
    opt(None, "cluster-to", true),
    opt(None, "cluster-from-user", true),
    opt(None, "cluster-from-pass", true),
    opt(None, "cluster-from-askpass", false),
    opt(None, "cluster-slots", true),
    opt(None, "cluster-timeout", true),
    opt(None, "cluster-pipeline", true),
    opt(None, "cluster-threshold", true),
    opt(None, "cluster-yes", false),
    opt(None, "cluster-simulate", false),
    opt(None, "cluster-replace", false),
    opt(None, "cluster-copy", false),
    opt(None, "cluster-slave", false),
    opt(None, "cluster-use-empty-masters", false),
    opt(None, "cluster-search-multiple-owners", false),
    opt(None, "cluster-fix-with-unreachable-masters", false),
    opt(None, "tls", false),
    opt(None, "sni", true),
    opt(None, "cacertdir", true),
    opt(None, "cacert", true),
    opt(None, "cert", true),
    opt(None, "key", true),
    opt(None, "tls-ciphers", true),
    opt(None, "tls-ciphersuites", true),
    opt(None, "insecure", false),
];

/// Commands that only read keys, from the READONLY flag in redis's command table. Left out although flagged
/// READONLY: DUMP (exports a value), EVAL_RO/EVALSHA_RO/FCALL_RO (run scripts), TOUCH (updates access times)
/// and XREAD with BLOCK (blocks; plain XREAD is here).
const KEY_READS: &[&str] = &[
    "BITCOUNT",
    "BITFIELD_RO",
    "BITPOS",
    "DBSIZE",
    "EXISTS",
    "EXPIRETIME",
    "GEODIST",
    "GEOHASH",
    "GEOPOS",
    "GEORADIUS_RO",
    "GEORADIUSBYMEMBER_RO",
    "GEOSEARCH",
    "GET",
    "GETBIT",
    "GETRANGE",
    "HEXISTS",
    "HGET",
    "HGETALL",
    "HKEYS",
    "HLEN",
    "HMGET",
    "HRANDFIELD",
    "HSCAN",
    "HSTRLEN",
    "HVALS",
    "LCS",
    "LINDEX",
    "LLEN",
    "LPOS",
    "LRANGE",
    "MGET",
    "PEXPIRETIME",
    "PFCOUNT",
    "PTTL",
    "RANDOMKEY",
    "SCAN",
    "SCARD",
    "SDIFF",
    "SINTER",
    "SINTERCARD",
    "SISMEMBER",
    "SMEMBERS",
    "SMISMEMBER",
    "SORT_RO",
    "SRANDMEMBER",
    "SSCAN",
    "STRLEN",
    "SUBSTR",
    "SUNION",
    "TTL",
    "TYPE",
    "XLEN",
    "XPENDING",
    "XRANGE",
    "XREVRANGE",
    "ZCARD",
    "ZCOUNT",
    "ZDIFF",
    "ZINTER",
    "ZINTERCARD",
    "ZLEXCOUNT",
    "ZMSCORE",
    "ZRANDMEMBER",
    "ZRANGE",
    "ZRANGEBYLEX",
    "ZRANGEBYSCORE",
    "ZRANK",
    "ZREVRANGE",
    "ZREVRANGEBYLEX",
    "ZREVRANGEBYSCORE",
    "ZREVRANK",
    "ZSCAN",
    "ZSCORE",
    "ZUNION",
];

/// Commands that change nothing on the server beyond the caller's own connection: introspection, the
/// transaction brackets (what runs inside them is classified line by line), and redis-cli's own `HELP`.
const SERVER_READS: &[&str] = &[
    "PING",
    "ECHO",
    "INFO",
    "TIME",
    "LASTSAVE",
    "ROLE",
    "LOLWUT",
    "SELECT",
    "RESET",
    "READONLY",
    "READWRITE",
    "ASKING",
    "QUIT",
    "MULTI",
    "EXEC",
    "DISCARD",
    "WATCH",
    "UNWATCH",
    "UNSUBSCRIBE",
    "PUNSUBSCRIBE",
    "SUNSUBSCRIBE",
    "HELP",
    "?",
];

/// Containers whose listed subcommands only read.
const SUBCOMMAND_READS: &[(&str, &[&str])] = &[
    (
        "OBJECT",
        &["ENCODING", "FREQ", "IDLETIME", "REFCOUNT", "HELP"],
    ),
    (
        "MEMORY",
        &["USAGE", "DOCTOR", "HELP", "MALLOC-STATS", "STATS"],
    ),
    ("XINFO", &["CONSUMERS", "GROUPS", "STREAM", "HELP"]),
    ("CONFIG", &["GET", "HELP"]),
    (
        "CLIENT",
        &[
            "GETNAME",
            "GETREDIR",
            "HELP",
            "ID",
            "INFO",
            "LIST",
            "TRACKINGINFO",
            "SETNAME",
            "SETINFO",
            "REPLY",
            "CACHING",
            "TRACKING",
            "NO-TOUCH",
        ],
    ),
    (
        "COMMAND",
        &[
            "",
            "COUNT",
            "DOCS",
            "GETKEYS",
            "GETKEYSANDFLAGS",
            "HELP",
            "INFO",
            "LIST",
        ],
    ),
    (
        "ACL",
        &[
            "CAT", "WHOAMI", "HELP", "LIST", "USERS", "GETUSER", "GENPASS", "DRYRUN",
        ],
    ),
    ("SLOWLOG", &["GET", "LEN", "HELP"]),
    (
        "LATENCY",
        &["DOCTOR", "GRAPH", "HELP", "HISTOGRAM", "HISTORY", "LATEST"],
    ),
    ("MODULE", &["LIST", "HELP"]),
    ("FUNCTION", &["LIST", "STATS", "HELP"]),
    ("SCRIPT", &["EXISTS", "HELP"]),
    (
        "PUBSUB",
        &[
            "CHANNELS",
            "NUMPAT",
            "NUMSUB",
            "SHARDCHANNELS",
            "SHARDNUMSUB",
            "HELP",
        ],
    ),
    (
        "CLUSTER",
        &[
            "INFO",
            "NODES",
            "SLOTS",
            "SHARDS",
            "MYID",
            "MYSHARDID",
            "KEYSLOT",
            "COUNTKEYSINSLOT",
            "GETKEYSINSLOT",
            "LINKS",
            "HELP",
            "REPLICAS",
            "SLAVES",
            "COUNT-FAILURE-REPORTS",
        ],
    ),
    ("XGROUP", &["HELP"]),
];

/// Commands flagged WRITE in redis's command table.
const WRITES: &[&str] = &[
    "APPEND",
    "BITFIELD",
    "BITOP",
    "BLMOVE",
    "BLMPOP",
    "BLPOP",
    "BRPOP",
    "BRPOPLPUSH",
    "BZMPOP",
    "BZPOPMAX",
    "BZPOPMIN",
    "COPY",
    "DECR",
    "DECRBY",
    "DEL",
    "EXPIRE",
    "EXPIREAT",
    "GEOADD",
    "GEORADIUS",
    "GEORADIUSBYMEMBER",
    "GEOSEARCHSTORE",
    "GETDEL",
    "GETEX",
    "GETSET",
    "HDEL",
    "HINCRBY",
    "HINCRBYFLOAT",
    "HMSET",
    "HSET",
    "HSETNX",
    "INCR",
    "INCRBY",
    "INCRBYFLOAT",
    "LINSERT",
    "LMOVE",
    "LMPOP",
    "LPOP",
    "LPUSH",
    "LPUSHX",
    "LREM",
    "LSET",
    "LTRIM",
    "MOVE",
    "MSET",
    "MSETNX",
    "PERSIST",
    "PEXPIRE",
    "PEXPIREAT",
    "PFADD",
    "PFMERGE",
    "PSETEX",
    "PUBLISH",
    "RENAME",
    "RENAMENX",
    "RESTORE",
    "RESTORE-ASKING",
    "RPOP",
    "RPOPLPUSH",
    "RPUSH",
    "RPUSHX",
    "SADD",
    "SDIFFSTORE",
    "SET",
    "SETBIT",
    "SETEX",
    "SETNX",
    "SETRANGE",
    "SINTERSTORE",
    "SMOVE",
    "SORT",
    "SPOP",
    "SPUBLISH",
    "SREM",
    "SUNIONSTORE",
    "TOUCH",
    "UNLINK",
    "XACK",
    "XADD",
    "XAUTOCLAIM",
    "XCLAIM",
    "XDEL",
    "XGROUP",
    "XREADGROUP",
    "XSETID",
    "XTRIM",
    "ZADD",
    "ZDIFFSTORE",
    "ZINCRBY",
    "ZINTERSTORE",
    "ZMPOP",
    "ZPOPMAX",
    "ZPOPMIN",
    "ZRANGESTORE",
    "ZREM",
    "ZREMRANGEBYLEX",
    "ZREMRANGEBYRANK",
    "ZREMRANGEBYSCORE",
    "ZUNIONSTORE",
];

fn command_finding(words: &[String], target: &Target) -> Finding {
    let upper = |i: usize| {
        words
            .get(i)
            .map(|w| w.to_ascii_uppercase())
            .unwrap_or_default()
    };
    let (cmd, sub) = (upper(0), upper(1));
    let named = if sub.is_empty() || !SUBCOMMAND_READS.iter().any(|(c, _)| *c == cmd) {
        cmd.clone()
    } else {
        format!("{cmd} {sub}")
    };
    let f = |kind: Kind, detail: &str| {
        Finding::new(kind, "redis-cli", target, format!("{named}: {detail}"))
    };
    let key = words.get(1).cloned().into_iter().collect::<Vec<_>>();
    let is = |list: &[&str]| list.contains(&cmd.as_str());
    if cmd == "XREAD" && words.iter().any(|w| w.eq_ignore_ascii_case("BLOCK")) {
        return f(Kind::Unknown, "waits for new entries");
    }
    if cmd == "XREAD" || is(KEY_READS) {
        return f(Kind::Read, "reads keys").with_objects(key);
    }
    if cmd == "KEYS" {
        return f(
            Kind::Read,
            "reads every key name; blocks the server while it walks the keyspace",
        )
        .with_risk(Risk::Moderate);
    }
    if is(SERVER_READS) {
        return f(Kind::Read, "changes nothing on the server");
    }
    if let Some((_, subs)) = SUBCOMMAND_READS.iter().find(|(c, _)| *c == cmd)
        && subs.contains(&sub.as_str())
        && !(cmd == "ACL" && sub == "LOG" && upper(2) == "RESET")
    {
        return f(Kind::Read, "only inspects");
    }
    if cmd == "ACL" && sub == "LOG" && upper(2) != "RESET" {
        return f(Kind::Read, "only inspects");
    }
    if cmd == "HELLO" {
        return if words.iter().skip(1).any(|w| w.eq_ignore_ascii_case("AUTH")) {
            f(Kind::PrivilegeSwitch, "authenticates as another user")
        } else {
            f(Kind::Read, "negotiates the protocol")
        };
    }
    match (cmd.as_str(), sub.as_str()) {
        ("FLUSHALL", _) => {
            f(Kind::DestructiveWrite, "empties every database").with_risk(Risk::Critical)
        }
        ("FLUSHDB", _) => {
            f(Kind::DestructiveWrite, "empties the database").with_risk(Risk::Critical)
        }
        ("MIGRATE", _) => f(
            Kind::DestructiveWrite,
            "moves keys to another server and deletes them here",
        ),
        ("DUMP", _) | ("FUNCTION", "DUMP") => {
            f(Kind::DataExport, "serialises data for export").with_objects(key)
        }
        ("MONITOR", _) => f(
            Kind::DataExport,
            "streams every command the server runs, values included",
        ),
        ("SYNC" | "PSYNC", _) => f(
            Kind::DataExport,
            "redis-cli turns replica and receives the whole dataset",
        ),
        ("SUBSCRIBE" | "PSUBSCRIBE" | "SSUBSCRIBE", _) => f(
            Kind::DataExport,
            "streams the messages published on channels",
        ),
        ("EVAL" | "EVALSHA" | "EVAL_RO" | "EVALSHA_RO" | "FCALL" | "FCALL_RO", _) => {
            f(Kind::CodeExecution, "runs a script on the server")
        }
        ("SCRIPT" | "FUNCTION", _) => f(Kind::CodeExecution, "manages server-side scripts"),
        ("MODULE", _) => f(Kind::CodeExecution, "loads or unloads native modules"),
        ("ACL", "SETUSER" | "DELUSER" | "LOAD" | "SAVE") => {
            f(Kind::PermissionChange, "changes users and their rights")
                .with_objects(words.get(2).cloned().into_iter().collect())
        }
        ("AUTH", _) => f(Kind::PrivilegeSwitch, "authenticates as another user"),
        ("SHUTDOWN" | "DEBUG" | "REPLICAOF" | "SLAVEOF", _) => {
            f(Kind::AdminConfig, "stops, breaks or re-points the server").with_risk(Risk::Critical)
        }
        (
            "CONFIG" | "ACL" | "CLIENT" | "CLUSTER" | "SLOWLOG" | "LATENCY" | "MEMORY" | "FAILOVER"
            | "SAVE" | "BGSAVE" | "BGREWRITEAOF" | "SWAPDB" | "REPLCONF" | "PFDEBUG" | "PFSELFTEST",
            _,
        ) => f(Kind::AdminConfig, "changes the server"),
        _ if is(WRITES) => f(Kind::Write, "writes data").with_objects(key),
        _ => f(Kind::Unknown, "a command gate does not know"),
    }
}

/// `sdssplitargs()`: how redis-cli splits a line it reads (and `--quoted-input` arguments). `None` when it
/// rejects the line (an unterminated quote, a closing quote followed by something other than a blank).
fn split_args(line: &str) -> Option<Vec<String>> {
    let bytes = line.as_bytes();
    let bytes = &bytes[..bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())];
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let hex = |b: u8| (b as char).to_digit(16);
    let mut words = Vec::new();
    let mut p = 0;
    loop {
        while p < bytes.len() && is_space(bytes[p]) {
            p += 1;
        }
        if p == bytes.len() {
            return Some(words);
        }
        let mut current = Vec::new();
        let (mut inq, mut insq) = (false, false);
        loop {
            let c = bytes.get(p).copied();
            if inq {
                match c {
                    Some(b'\\')
                        if bytes.get(p + 1) == Some(&b'x')
                            && bytes.get(p + 2).and_then(|&b| hex(b)).is_some()
                            && bytes.get(p + 3).and_then(|&b| hex(b)).is_some() =>
                    {
                        let hi = hex(bytes[p + 2]).unwrap_or(0);
                        let lo = hex(bytes[p + 3]).unwrap_or(0);
                        current.push(u8::try_from(hi * 16 + lo).unwrap_or(0));
                        p += 3;
                    }
                    Some(b'\\') if p + 1 < bytes.len() => {
                        p += 1;
                        current.push(match bytes[p] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        if bytes.get(p + 1).is_some_and(|&b| !is_space(b)) {
                            return None;
                        }
                        p += 1;
                        break;
                    }
                    None => return None,
                    Some(other) => current.push(other),
                }
            } else if insq {
                match c {
                    Some(b'\\') if bytes.get(p + 1) == Some(&b'\'') => {
                        p += 1;
                        current.push(b'\'');
                    }
                    Some(b'\'') => {
                        if bytes.get(p + 1).is_some_and(|&b| !is_space(b)) {
                            return None;
                        }
                        p += 1;
                        break;
                    }
                    None => return None,
                    Some(other) => current.push(other),
                }
            } else {
                match c {
                    None => break,
                    Some(b' ' | b'\n' | b'\r' | b'\t') => {
                        p += 1;
                        break;
                    }
                    Some(b'"') => inq = true,
                    Some(b'\'') => insq = true,
                    Some(other) => current.push(other),
                }
            }
            p += 1;
        }
        words.push(String::from_utf8_lossy(&current).into_owned());
    }
}

/// The target the options name.
fn target_of(parsed: &[Arg]) -> Target {
    let mut target = Target::default();
    for arg in parsed {
        let Arg::Opt {
            name,
            value: Some(value),
        } = arg
        else {
            continue;
        };
        match *name {
            "(-h)" | "(-s)" => target.host = Some(value.clone()),
            "(-p)" => target.port = value.parse().ok(),
            "(-n)" => target.database = Some(value.clone()),
            "(-u)" => {
                let rest = value.split_once("://").map_or(value.as_str(), |(_, r)| r);
                let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                let (h, p) = hostport
                    .rsplit_once(':')
                    .map_or((hostport, None), |(h, p)| (h, p.parse().ok()));
                target.host = Some(h.to_string());
                target.port = p;
                if !path.is_empty() {
                    target.database = Some(path.to_string());
                }
            }
            _ => {}
        }
    }
    target
}

/// `--cluster SUBCOMMAND ARGS…`: the cluster manager runs instead of anything else.
fn cluster(argv: &[String], target: &Target) -> Vec<Finding> {
    let one = |kind: Kind, detail: String| vec![Finding::new(kind, "redis-cli", target, detail)];
    let at = argv.iter().position(|a| a == "--cluster").unwrap_or(0);
    let mut plain = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        if i - 1 == at {
            continue;
        }
        if !arg.starts_with('-') {
            plain.push(arg.clone());
            continue;
        }
        if arg == "--cluster-weight" {
            continue;
        }
        match OPTIONS.iter().find(|s| {
            format!("--{}", s.long) == *arg || s.short.is_some_and(|c| *arg == format!("-{c}"))
        }) {
            Some(spec) if spec.takes_value() => {
                if i == argv.len() {
                    return one(
                        Kind::Unknown,
                        format!("option `{arg}` needs a value and has none"),
                    );
                }
                i += 1;
            }
            Some(_) => {}
            None => {
                return one(
                    Kind::Unknown,
                    format!("option `{arg}` is not one gate knows for redis-cli"),
                );
            }
        }
    }
    let sub = argv
        .get(at + 1)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    match sub.as_str() {
        "check" | "info" | "help" => one(Kind::Read, format!("--cluster {sub} only inspects")),
        // `call HOST:PORT COMMAND ARGS…` runs COMMAND on every node.
        "call" if plain.len() > 2 => vec![command_finding(&plain[2..], target)],
        "backup" => one(
            Kind::DataExport,
            "--cluster backup copies every node's data to files".into(),
        ),
        "create" | "add-node" | "del-node" | "reshard" | "rebalance" | "set-timeout" | "import"
        | "fix" => one(
            Kind::AdminConfig,
            format!("--cluster {sub} changes the cluster"),
        ),
        _ => one(
            Kind::Unknown,
            format!("--cluster {sub} is not a subcommand gate knows"),
        ),
    }
}

/// `redis-cli [OPTIONS] [COMMAND [ARG…]]`.
pub fn redis_cli(argv: &[String], sources: &dyn Sources) -> Vec<Finding> {
    let unknown =
        |target: &Target, detail: String| Finding::new(Kind::Unknown, "redis-cli", target, detail);
    if argv.iter().any(|a| a == "--cluster") {
        let lenient = args::parse(argv, OPTIONS);
        return cluster(argv, &target_of(&lenient));
    }
    let parsed = match args::parse_strict(argv, OPTIONS, STYLE) {
        Ok(parsed) => parsed,
        Err(e) => return vec![unknown(&Target::default(), e.to_string())],
    };
    let target = target_of(&parsed);
    let finding = |kind: Kind, detail: String| Finding::new(kind, "redis-cli", &target, detail);
    if args::has(&parsed, "help") || args::has(&parsed, "version") {
        return vec![finding(Kind::Read, "prints its help or version".into())];
    }
    let mut findings = Vec::new();
    let eval = args::last(&parsed, "eval");
    if let Some(file) = eval {
        findings.push(finding(
            Kind::CodeExecution,
            format!("--eval runs the Lua script {file} on the server"),
        ));
    }
    for name in ["rdb", "functions-rdb"] {
        if let Some(file) = args::last(&parsed, name) {
            findings.push(finding(
                Kind::DataExport,
                format!("--{name} copies the dataset to {file}"),
            ));
        }
    }
    if args::has(&parsed, "replica") || args::has(&parsed, "slave") {
        findings.push(finding(
            Kind::DataExport,
            "--replica streams every write the server makes".into(),
        ));
    }
    if args::has(&parsed, "lru-test") {
        findings.push(finding(Kind::Write, "--lru-test writes random keys".into()));
    }
    let pipe = args::has(&parsed, "pipe");
    if pipe {
        findings.push(finding(
            Kind::BulkWrite,
            "--pipe sends stdin to the server as commands".into(),
        ));
    }
    let diagnostics = [
        "bigkeys",
        "memkeys",
        "memkeys-samples",
        "hotkeys",
        "scan",
        "stat",
        "latency",
        "latency-history",
        "latency-dist",
        "intrinsic-latency",
    ];
    let diagnosing = diagnostics.iter().any(|d| args::has(&parsed, d));
    if diagnosing {
        findings.push(finding(Kind::Read, "diagnostics that only read".into()));
    }
    let mut words: Vec<String> = args::positionals(&parsed).map(str::to_string).collect();
    if eval.is_some() {
        // The words are the script's keys and arguments.
        return findings;
    }
    if args::has(&parsed, "quoted-input") {
        let mut unquoted = Vec::new();
        for word in &words {
            match split_args(word).as_deref() {
                Some([one]) => unquoted.push(one.clone()),
                _ => {
                    return vec![unknown(
                        &target,
                        format!("--quoted-input cannot read `{word}`"),
                    )];
                }
            }
        }
        words = unquoted;
    }
    if !words.is_empty() {
        let stdin_arg = args::has(&parsed, "(-x)");
        let tag = args::last(&parsed, "(-X)");
        if stdin_arg || tag.is_some() {
            let value = match sources.stdin() {
                StdinView::Bytes {
                    bytes,
                    complete: true,
                } => String::from_utf8_lossy(bytes).into_owned(),
                _ => {
                    findings.push(unknown(
                        &target,
                        "takes an argument from stdin, which gate cannot read whole".into(),
                    ));
                    return findings;
                }
            };
            if stdin_arg {
                words.push(value);
            } else if let Some(at) = words.iter().position(|w| Some(w.as_str()) == tag) {
                words[at] = value;
            }
        }
        findings.push(command_finding(&words, &target));
        return findings;
    }
    if diagnosing || !findings.is_empty() && !pipe {
        return findings;
    }
    findings.extend(stdin_commands(sources, &target));
    findings
}

/// What redis-cli reads from stdin when it has no command: a line at a time, as its REPL does. A terminal is
/// an interactive session (and the only case in which it reads ~/.redisclirc and keeps a history file).
fn stdin_commands(sources: &dyn Sources, target: &Target) -> Vec<Finding> {
    let one = |kind: Kind, detail: &str| vec![Finding::new(kind, "redis-cli", target, detail)];
    let (bytes, complete) = match sources.stdin() {
        StdinView::Terminal => {
            return one(
                Kind::Unknown,
                "interactive session: gate cannot see what will be typed",
            );
        }
        StdinView::Unreadable(why) => {
            return one(Kind::Unknown, &format!("cannot read stdin: {why}"));
        }
        StdinView::Bytes { bytes, complete } => (bytes, complete),
    };
    let text = String::from_utf8_lossy(bytes);
    let mut found = Vec::new();
    for line in text.lines() {
        let Some(mut words) = split_args(line) else {
            // redis-cli prints "Invalid argument(s)" and sends nothing.
            continue;
        };
        if words.is_empty() {
            continue;
        }
        let first = words[0].to_ascii_lowercase();
        if first == "quit" || first == "exit" {
            break;
        }
        if first.starts_with(':') || words.len() == 1 && first == "clear" {
            continue;
        }
        if words.len() == 3 && first == "connect" {
            found.push(Finding::new(
                Kind::Unknown,
                "redis-cli",
                target,
                "connect switches to another server",
            ));
            continue;
        }
        // A leading count repeats the command (`3 INCR k`).
        if words.len() > 1 {
            let digits = words[0].strip_prefix(['+', '-']).unwrap_or(&words[0]);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                if words[0].starts_with('-') || digits.bytes().all(|b| b == b'0') {
                    continue;
                }
                words.remove(0);
            }
        }
        found.push(command_finding(&words, target));
    }
    if !complete {
        found.push(Finding::new(
            Kind::Unknown,
            "redis-cli",
            target,
            "stdin is larger than gate reads",
        ));
    }
    if found.is_empty() {
        found.push(Finding::new(
            Kind::Read,
            "redis-cli",
            target,
            "connects and runs nothing",
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    fn kinds(argv: &[&str]) -> Vec<Kind> {
        let mut k: Vec<Kind> = redis_cli(&s(argv), &NoSources)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    #[test]
    fn commands_are_an_allow_list() {
        for (argv, kind) in [
            (&["GET", "k"][..], Kind::Read),
            (&["-n", "2", "hgetall", "h"], Kind::Read),
            (&["CONFIG", "GET", "dir"], Kind::Read),
            (&["config", "set", "dir", "/tmp"], Kind::AdminConfig),
            (&["FLUSHALL"], Kind::DestructiveWrite),
            (&["SET", "k", "v"], Kind::Write),
            (&["TOUCH", "k"], Kind::Write),
            (&["EVAL_RO", "return 1", "0"], Kind::CodeExecution),
            (&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], Kind::Unknown),
            (&["XREAD", "STREAMS", "s", "0"], Kind::Read),
            (&["ACL", "LOG"], Kind::Read),
            (&["ACL", "LOG", "RESET"], Kind::AdminConfig),
            (&["HELLO", "3", "AUTH", "u", "p"], Kind::PrivilegeSwitch),
            (&["JSON.GET", "k"], Kind::Unknown),
            (&["CLIENT", "KILL", "ID", "3"], Kind::AdminConfig),
            (&["SUBSCRIBE", "c"], Kind::DataExport),
            (&["DUMP", "k"], Kind::DataExport),
        ] {
            assert_eq!(kinds(argv), [kind], "{argv:?}");
        }
    }

    #[test]
    fn options_are_read_as_redis_cli_reads_them() {
        // -e takes no value: the command is what follows it.
        assert_eq!(kinds(&["-e", "FLUSHALL"]), [Kind::DestructiveWrite]);
        assert_eq!(kinds(&["--bogus", "GET", "k"]), [Kind::Unknown]);
        assert_eq!(kinds(&["-p"]), [Kind::Unknown]);
        // Options end at the first word that is not one.
        assert_eq!(kinds(&["GET", "--rdb", "x"]), [Kind::Read]);
        assert_eq!(kinds(&["--rdb", "/tmp/x.rdb"]), [Kind::DataExport]);
        assert_eq!(
            kinds(&["--eval", "x.lua", "k", ",", "a"]),
            [Kind::CodeExecution]
        );
        assert_eq!(kinds(&["--bigkeys"]), [Kind::Read]);
        assert_eq!(kinds(&["--lru-test", "100"]), [Kind::Write]);
        assert_eq!(kinds(&["--replica"]), [Kind::DataExport]);
        assert_eq!(
            kinds(&["--quoted-input", "\"FLUSH\\x41LL\""]),
            [Kind::DestructiveWrite]
        );
        assert_eq!(
            kinds(&["--cluster", "check", "127.0.0.1:7000"]),
            [Kind::Read]
        );
        assert_eq!(
            kinds(&["--cluster", "call", "127.0.0.1:7000", "FLUSHALL"]),
            [Kind::DestructiveWrite]
        );
        assert_eq!(kinds(&["--cluster", "fix", "h:1"]), [Kind::AdminConfig]);
        assert_eq!(kinds(&["--version"]), [Kind::Read]);
        let f = &redis_cli(
            &s(&["-u", "redis://u:p@r.prod:6380/4", "GET", "k"]),
            &NoSources,
        )[0];
        assert_eq!(
            (
                f.target.host.as_deref(),
                f.target.port,
                f.target.database.as_deref()
            ),
            (Some("r.prod"), Some(6380), Some("4"))
        );
    }

    #[test]
    fn lines_split_as_redis_cli_splits_them() {
        assert_eq!(split_args("SET a \"b c\""), Some(s(&["SET", "a", "b c"])));
        assert_eq!(split_args("a\"b c\""), Some(s(&["ab c"])));
        assert_eq!(split_args("'it\\'s'"), Some(s(&["it's"])));
        assert_eq!(split_args("\"x\"y"), None);
        assert_eq!(split_args("\"unterminated"), None);
        assert_eq!(split_args("\"\\x46LUSHALL\""), Some(s(&["FLUSHALL"])));
    }

    struct Stdin(&'static str);

    impl Sources for Stdin {
        fn read_input(&self, path: &str) -> crate::classify::Input {
            crate::classify::fixture_input(self.read_file(path))
        }

        fn stdin(&self) -> StdinView<'_> {
            StdinView::Bytes {
                bytes: self.0.as_bytes(),
                complete: true,
            }
        }

        fn read_file(&self, _path: &str) -> Option<Vec<u8>> {
            None
        }
    }

    #[test]
    fn stdin_lines_are_commands() {
        let k = |argv: &[&str], stdin: &'static str| {
            let mut k: Vec<Kind> = redis_cli(&s(argv), &Stdin(stdin))
                .iter()
                .map(|f| f.kind)
                .collect();
            k.sort();
            k.dedup();
            k
        };
        assert_eq!(k(&[], "GET a\nTTL a\n"), [Kind::Read]);
        assert_eq!(
            k(&[], "GET a\n3 \"FLUSHALL\"\n"),
            [Kind::Read, Kind::DestructiveWrite]
        );
        assert_eq!(
            k(&[], "connect evil 6379\nGET a\n"),
            [Kind::Read, Kind::Unknown]
        );
        assert_eq!(k(&[], "quit\nFLUSHALL\n"), [Kind::Read]);
        // -x puts stdin in as the last argument.
        assert_eq!(k(&["-x", "CONFIG"], "SET"), [Kind::AdminConfig]);
        assert_eq!(k(&["-x", "CONFIG"], "GET"), [Kind::Read]);
    }
}
