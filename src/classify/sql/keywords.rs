//! The keyword analyser: what a statement does, read from its verbs and the clauses that change its meaning
//! (`INTO`, `WHERE`, `ANALYZE`, nested DML, side-effect functions). It works on tokens, so it reads any dialect
//! and any statement, parsed or not: the parsers confirm and refine what it finds, and when they cannot parse a
//! statement it is the fallback, which can only raise the risk.

use super::lex::{self, Token};
use super::{Dialect, SqlFinding, functions};
use crate::classify::{Kind, Risk};

impl SqlFinding {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        SqlFinding {
            kind,
            risk: kind.default_risk(),
            objects: Vec::new(),
            detail: detail.into(),
        }
    }

    fn risk(mut self, risk: Risk) -> Self {
        self.risk = risk;
        self
    }

    fn objects(mut self, objects: Vec<String>) -> Self {
        self.objects = objects;
        self
    }
}

/// Analyses one statement's text as PostgreSQL (`backslash_strings`: as MySQL). Kept for callers outside this
/// module (psql's `\copy`).
pub fn analyse(sql: &str, backslash_strings: bool) -> Vec<SqlFinding> {
    let dialect = if backslash_strings {
        Dialect::MySql
    } else {
        Dialect::Postgres
    };
    let tokens = lex::tokenize(sql, backslash_strings);
    lex::statements(&tokens)
        .into_iter()
        .flat_map(|t| statement(t, dialect))
        .collect()
}

fn words(tokens: &[Token]) -> impl Iterator<Item = &str> {
    tokens.iter().filter_map(Token::word)
}

fn has_word(tokens: &[Token], w: &str) -> bool {
    tokens.iter().any(|t| t.is_word(w))
}

/// The position of a word at parenthesis depth zero.
fn top_level(tokens: &[Token], w: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth -= 1,
            t if depth == 0 && t.is_word(w) => return Some(i),
            _ => {}
        }
    }
    None
}

/// A possibly schema-qualified name starting at `i`: `a`, `a.b`, `"A"."b"`.
fn qualified_name(tokens: &[Token], mut i: usize) -> Option<String> {
    let mut parts = vec![tokens.get(i)?.name()?.to_string()];
    while tokens.get(i + 1) == Some(&Token::Punct('.')) {
        match tokens.get(i + 2).and_then(Token::name) {
            Some(n) => parts.push(n.to_string()),
            None => break,
        }
        i += 2;
    }
    Some(parts.join("."))
}

/// The name after the given leading words, skipping `IF [NOT] EXISTS`, `ONLY` and similar noise.
fn name_after(tokens: &[Token], mut i: usize) -> Vec<String> {
    while tokens.get(i).and_then(Token::word).is_some_and(|w| {
        [
            "if",
            "not",
            "exists",
            "only",
            "table",
            "concurrently",
            "from",
            "into",
            "or",
            "replace",
        ]
        .contains(&w)
    }) {
        i += 1;
    }
    let mut names = Vec::new();
    while let Some(name) = qualified_name(tokens, i) {
        names.push(name);
        i += 1;
        while tokens.get(i) == Some(&Token::Punct('.')) {
            i += 2;
        }
        if tokens.get(i) != Some(&Token::Punct(',')) {
            break;
        }
        i += 1;
    }
    names
}

/// Whether a WHERE clause is a constant: made only of literals, operators and casts (`true`, `1=1`, `'a'='a'`,
/// `1::bool`).
fn constant_condition(cond: &[Token]) -> bool {
    !cond.is_empty()
        && cond.iter().all(|t| match t {
            Token::Number(_) | Token::Str(_) | Token::Punct(_) | Token::Op(_) | Token::Cast => true,
            Token::Word(w) => [
                "true", "false", "not", "and", "or", "is", "null", "bool", "boolean", "int",
                "integer", "text",
            ]
            .contains(&w.as_str()),
            _ => false,
        })
}

/// How deep statements may nest inside statements (EXPLAIN of a WITH of a …) before gate stops.
const MAX_VERB_DEPTH: usize = 8;

/// One statement's tokens in a dialect.
pub fn statement(tokens: &[Token], dialect: Dialect) -> Vec<SqlFinding> {
    statement_at(tokens, dialect, 0)
}

fn statement_at(tokens: &[Token], dialect: Dialect, depth: usize) -> Vec<SqlFinding> {
    if depth > MAX_VERB_DEPTH {
        return vec![SqlFinding::new(
            Kind::Unknown,
            "statements nest too deeply for gate to follow",
        )];
    }
    let mut findings = vec![verb(tokens, dialect, depth)];
    for (i, t) in tokens.iter().enumerate() {
        // DML nested anywhere (CTEs, subqueries).
        if i > 0
            && tokens[i - 1] == Token::Punct('(')
            && let Some(w) = t.word()
            && ["insert", "update", "delete", "merge", "replace"].contains(&w)
            && !(w == "replace" && dialect != Dialect::MySql)
        {
            let inner = &tokens[i..matching_paren(tokens, i - 1)];
            findings.push(verb(inner, dialect, depth + 1));
        }
        // Row locks: FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE, at any depth; MySQL's LOCK IN SHARE MODE.
        if t.is_word("for")
            && tokens
                .get(i + 1)
                .and_then(Token::word)
                .is_some_and(|w| ["update", "share", "no", "key"].contains(&w))
            && tokens.first().is_some_and(|f| {
                *f == Token::Punct('(')
                    || f.word().is_some_and(|w| {
                        ["select", "with", "values", "table", "declare"].contains(&w)
                    })
            })
        {
            findings.push(SqlFinding::new(
                Kind::Write,
                "SELECT … FOR UPDATE/SHARE takes row locks",
            ));
        }
        if dialect == Dialect::MySql
            && t.is_word("lock")
            && tokens.get(i + 1).is_some_and(|t| t.is_word("in"))
        {
            findings.push(SqlFinding::new(
                Kind::Write,
                "LOCK IN SHARE MODE takes row locks",
            ));
        }
    }
    findings.extend(lexing_change(tokens, dialect));
    findings.extend(calls(tokens, dialect));
    // A statement that also writes, or calls something gate cannot accept, is not a read.
    if findings.iter().any(|f| f.kind != Kind::Read) {
        findings.retain(|f| f.kind != Kind::Read);
    }
    findings
}

/// Words that may stand before `(` without being a function call: SQL constructs, not names.
const NOT_CALLS: &[&str] = &[
    "all",
    "and",
    "any",
    "array",
    "as",
    "between",
    "by",
    "case",
    "cast",
    "check",
    "cube",
    "distinct",
    "else",
    "except",
    "exists",
    "filter",
    "from",
    "grouping",
    "having",
    "in",
    "intersect",
    "interval",
    "into",
    "is",
    "join",
    "key",
    "lateral",
    "like",
    "not",
    "on",
    "or",
    "over",
    "partition",
    "primary",
    "references",
    "returning",
    "rollup",
    "row",
    "rows",
    "select",
    "sets",
    "some",
    "table",
    "then",
    "union",
    "unique",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
    "within",
    "index",
    "view",
    "settings",
    "tuple",
    "format",
    "ilike",
    "recursive",
    "materialized",
    "default",
    "set",
    "limit",
    "offset",
    "order",
    "group",
    "top",
];

/// Every `name (` in the statement that is a call. PostgreSQL statements are also walked by the parser
/// ([`super::postgres`]), which finds calls exactly; here PostgreSQL only gets the calls whose effect is known.
fn calls(tokens: &[Token], dialect: Dialect) -> Vec<SqlFinding> {
    let mut out = Vec::new();
    // `PRAGMA name(arg)` names a pragma, not a function; [`pragma`] judges it.
    if dialect == Dialect::Sqlite && tokens.first().is_some_and(|t| t.is_word("pragma")) {
        return out;
    }
    for (i, t) in tokens.iter().enumerate() {
        if tokens.get(i + 1) != Some(&Token::Punct('(')) {
            continue;
        }
        let (name, quoted) = match t {
            Token::Word(w) => (w.as_str(), false),
            Token::Ident(w) => (w.as_str(), true),
            _ => continue,
        };
        let prev = i.checked_sub(1).map(|p| &tokens[p]);
        let first_arg = match tokens.get(i + 2) {
            Some(Token::Str(s)) => Some(s.as_str()),
            _ => None,
        };
        let lower = name.to_ascii_lowercase();
        if let Some(f) = functions::known_effect(&lower, first_arg, dialect) {
            out.push(f);
            continue;
        }
        if dialect == Dialect::Postgres {
            continue;
        }
        if !quoted && NOT_CALLS.contains(&name) {
            continue;
        }
        // A table or column list, not a call: `INSERT INTO t (a)`, `CREATE TABLE t (`, `AS x (a)`, a CTE `x (a) AS (`.
        let table_word = |p: &str| {
            [
                "into",
                "table",
                "as",
                "exists",
                "update",
                "index",
                "on",
                "view",
                "references",
                "trigger",
            ]
            .contains(&p)
        };
        if prev == Some(&Token::Punct('.'))
            && i >= 3
            && tokens[i - 3].word().is_some_and(table_word)
        {
            continue;
        }
        if prev.and_then(Token::word).is_some_and(|p| {
            [
                "into",
                "table",
                "as",
                "exists",
                "update",
                "index",
                "on",
                "view",
                "references",
                "trigger",
            ]
            .contains(&p)
        }) {
            continue;
        }
        let close = matching_paren(tokens, i + 1);
        if tokens.get(close + 1).is_some_and(|t| t.is_word("as"))
            && tokens.get(close + 2) == Some(&Token::Punct('('))
        {
            continue;
        }
        if prev == Some(&Token::Punct('.')) {
            out.push(functions::not_allowed(
                name,
                "a schema-qualified function gate does not list",
            ));
        } else if quoted {
            out.push(functions::not_allowed(name, "a quoted function name"));
        } else if !functions::allowed(&lower, dialect) {
            out.push(functions::not_allowed(
                name,
                "which is not on gate's list of built-in functions that only compute",
            ));
        }
    }
    out
}

/// A statement that changes how the statements after it are lexed: PostgreSQL's standard_conforming_strings,
/// backslash_quote and client_encoding (psql and the server both follow them), MySQL's sql_mode and character
/// set. gate lexes a script once, with the defaults, so the rest of the script is beyond it.
fn lexing_change(tokens: &[Token], dialect: Dialect) -> Option<SqlFinding> {
    let first = tokens.first().and_then(Token::word)?;
    let names: &[&str] = match dialect {
        Dialect::Postgres => &[
            "standard_conforming_strings",
            "backslash_quote",
            "client_encoding",
        ],
        Dialect::MySql => &[
            "sql_mode",
            "character_set_client",
            "character_set_connection",
            "charset",
            "names",
        ],
        _ => &[],
    };
    let touches = match first {
        "set" | "reset" | "alter" => tokens.iter().any(|t| {
            t.name()
                .is_some_and(|n| names.contains(&n.to_ascii_lowercase().as_str()))
        }),
        _ => false,
    } || (dialect == Dialect::Postgres
        && first == "set"
        && tokens.get(1).is_some_and(|t| t.is_word("names")))
        || (dialect == Dialect::Postgres
            && first == "reset"
            && tokens.get(1).is_some_and(|t| t.is_word("all")))
        || (dialect == Dialect::MySql
            && first == "set"
            && tokens
                .windows(2)
                .any(|w| w[0].is_word("character") && w[1].is_word("set")));
    touches.then(|| {
        SqlFinding::new(
            Kind::Unknown,
            "changes how the statements after it are lexed (string escapes or encoding); gate cannot read them",
        )
    })
}

/// Harmless PostgreSQL session settings (PostgreSQL 15 docs, ch. 20 "Server Configuration": client connection
/// defaults, query planning, resource limits of the session). Setting one changes only how this session plans,
/// formats or times out. search_path is handled apart.
const PG_SESSION_SETTINGS: &[&str] = &[
    "application_name",
    "array_nulls",
    "bytea_output",
    "check_function_bodies",
    "client_min_messages",
    "constraint_exclusion",
    "cpu_index_tuple_cost",
    "cpu_operator_cost",
    "cpu_tuple_cost",
    "cursor_tuple_fraction",
    "datestyle",
    "default_statistics_target",
    "default_tablespace",
    "default_text_search_config",
    "default_transaction_deferrable",
    "default_transaction_isolation",
    "default_transaction_read_only",
    "effective_cache_size",
    "effective_io_concurrency",
    "enable_async_append",
    "enable_bitmapscan",
    "enable_gathermerge",
    "enable_hashagg",
    "enable_hashjoin",
    "enable_incremental_sort",
    "enable_indexonlyscan",
    "enable_indexscan",
    "enable_material",
    "enable_memoize",
    "enable_mergejoin",
    "enable_nestloop",
    "enable_parallel_append",
    "enable_parallel_hash",
    "enable_partition_pruning",
    "enable_partitionwise_aggregate",
    "enable_partitionwise_join",
    "enable_presorted_aggregate",
    "enable_seqscan",
    "enable_sort",
    "enable_tidscan",
    "escape_string_warning",
    "extra_float_digits",
    "from_collapse_limit",
    "geqo",
    "geqo_effort",
    "geqo_generations",
    "geqo_pool_size",
    "geqo_seed",
    "geqo_selection_bias",
    "geqo_threshold",
    "gin_fuzzy_search_limit",
    "hash_mem_multiplier",
    "idle_in_transaction_session_timeout",
    "idle_session_timeout",
    "intervalstyle",
    "jit",
    "jit_above_cost",
    "jit_inline_above_cost",
    "jit_optimize_above_cost",
    "join_collapse_limit",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "lock_timeout",
    "maintenance_work_mem",
    "max_parallel_maintenance_workers",
    "max_parallel_workers_per_gather",
    "min_parallel_index_scan_size",
    "min_parallel_table_scan_size",
    "parallel_leader_participation",
    "parallel_setup_cost",
    "parallel_tuple_cost",
    "plan_cache_mode",
    "quote_all_identifiers",
    "random_page_cost",
    "recursive_worktable_factor",
    "row_security",
    "seq_page_cost",
    "statement_timeout",
    "temp_buffers",
    "temp_tablespaces",
    "timezone",
    "transaction_deferrable",
    "transaction_isolation",
    "transaction_read_only",
    "work_mem",
    "xmlbinary",
    "xmloption",
];

/// Harmless MySQL 8.0 session variables (server system variables with session scope that change only this
/// session's limits, formats and planning).
const MYSQL_SESSION_SETTINGS: &[&str] = &[
    "autocommit",
    "big_tables",
    "cte_max_recursion_depth",
    "div_precision_increment",
    "group_concat_max_len",
    "innodb_lock_wait_timeout",
    "lc_time_names",
    "lock_wait_timeout",
    "max_execution_time",
    "max_join_size",
    "max_sort_length",
    "net_read_timeout",
    "net_write_timeout",
    "optimizer_search_depth",
    "optimizer_switch",
    "sort_buffer_size",
    "sql_big_selects",
    "sql_notes",
    "sql_quote_show_create",
    "sql_safe_updates",
    "sql_select_limit",
    "sql_warnings",
    "time_zone",
    "transaction_isolation",
    "transaction_read_only",
    "wait_timeout",
];

/// Harmless ClickHouse query settings (limits, output formats, logging level of the query).
const CLICKHOUSE_SETTINGS: &[&str] = &[
    "join_use_nulls",
    "log_comment",
    "max_block_size",
    "max_bytes_to_read",
    "max_execution_time",
    "max_memory_usage",
    "max_result_bytes",
    "max_result_rows",
    "max_rows_to_read",
    "max_threads",
    "output_format_json_quote_64bit_integers",
    "output_format_pretty_max_rows",
    "send_logs_level",
    "use_uncompressed_cache",
];

fn setting_finding(name: &str, dialect: Dialect) -> SqlFinding {
    let harmless = match dialect {
        Dialect::Postgres => PG_SESSION_SETTINGS.contains(&name),
        Dialect::MySql => MYSQL_SESSION_SETTINGS.contains(&name),
        Dialect::ClickHouse => CLICKHOUSE_SETTINGS.contains(&name),
        Dialect::Sqlite => false,
    };
    match name {
        "role" | "session_authorization" | "session_replication_role" => SqlFinding::new(
            Kind::PrivilegeSwitch,
            format!("sets `{name}`, which changes whose privileges apply"),
        ),
        _ if harmless => {
            SqlFinding::new(Kind::Read, format!("session setting `{name}`")).risk(Risk::Low)
        }
        _ => SqlFinding::new(
            Kind::Unknown,
            format!("sets `{name}`, which is not on gate's list of harmless session settings"),
        ),
    }
}

/// The values of a `search_path`: pg_catalog anywhere but first lets a schema listed before it shadow the
/// built-in functions gate allows by name.
fn search_path(values: &[Token]) -> SqlFinding {
    let names: Vec<String> = values
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w.clone()),
            Token::Ident(w) | Token::Str(w) => Some(w.to_ascii_lowercase()),
            _ => None,
        })
        .collect();
    match names.iter().position(|n| n == "pg_catalog") {
        Some(p) if p > 0 => SqlFinding::new(
            Kind::Unknown,
            "search_path puts pg_catalog after other schemas, so unqualified calls may reach functions gate cannot see",
        ),
        _ => SqlFinding::new(Kind::Read, "session setting `search_path`").risk(Risk::Low),
    }
}

/// `SET` in PostgreSQL (sql-set.html, sql-set-role.html, sql-set-session-authorization.html,
/// sql-set-transaction.html, sql-set-constraints.html).
fn set_postgres(tokens: &[Token]) -> SqlFinding {
    let word = |i: usize| {
        tokens
            .get(i)
            .and_then(Token::name)
            .map(str::to_ascii_lowercase)
    };
    let mut i = 1;
    if matches!(word(1).as_deref(), Some("session" | "local"))
        && !(word(1).as_deref() == Some("session")
            && matches!(
                word(2).as_deref(),
                Some("authorization" | "characteristics")
            ))
    {
        i = 2;
    }
    match (word(i).as_deref(), word(i + 1).as_deref()) {
        (Some("role"), _) => {
            SqlFinding::new(Kind::PrivilegeSwitch, "SET ROLE").objects(name_after(tokens, i + 1))
        }
        (Some("session"), Some("authorization")) => {
            SqlFinding::new(Kind::PrivilegeSwitch, "SET SESSION AUTHORIZATION")
        }
        (Some("session"), Some("characteristics")) | (Some("transaction"), _) => {
            SqlFinding::new(Kind::Read, "transaction characteristics").risk(Risk::Low)
        }
        (Some("constraints"), _) => SqlFinding::new(Kind::Read, "SET CONSTRAINTS").risk(Risk::Low),
        (Some("time"), Some("zone")) => setting_finding("timezone", Dialect::Postgres),
        (Some("xml"), Some("option")) => setting_finding("xmloption", Dialect::Postgres),
        (Some("schema"), _) => search_path(&tokens[i + 1..]),
        (Some(_), _) => {
            // name [. name] { TO | = } value
            let mut name = word(i).unwrap_or_default();
            let mut j = i + 1;
            while tokens.get(j) == Some(&Token::Punct('.')) {
                name = format!("{name}.{}", word(j + 1).unwrap_or_default());
                j += 2;
            }
            let assign = tokens
                .get(j)
                .is_some_and(|t| t.is_word("to") || *t == Token::Op("=".into()));
            if !assign {
                return SqlFinding::new(Kind::Unknown, "SET gate cannot read");
            }
            if name == "search_path" {
                return search_path(&tokens[j + 1..]);
            }
            setting_finding(&name, Dialect::Postgres)
        }
        (None, _) => SqlFinding::new(Kind::Unknown, "SET gate cannot read"),
    }
}

/// `SET` in MySQL 8.0 (set-variable.html, set-password.html, set-role.html, set-names.html,
/// set-transaction.html, set-resource-group.html).
fn set_mysql(tokens: &[Token]) -> SqlFinding {
    let second = tokens.get(1).and_then(Token::word).unwrap_or("");
    match second {
        "password" => return SqlFinding::new(Kind::PermissionChange, "SET PASSWORD"),
        "role" => return SqlFinding::new(Kind::PrivilegeSwitch, "SET ROLE"),
        "default" if tokens.get(2).is_some_and(|t| t.is_word("role")) => {
            return SqlFinding::new(Kind::PermissionChange, "SET DEFAULT ROLE");
        }
        "transaction" => {
            return SqlFinding::new(Kind::Read, "transaction characteristics").risk(Risk::Low);
        }
        "resource" => return SqlFinding::new(Kind::AdminConfig, "SET RESOURCE GROUP"),
        "global" | "persist" | "persist_only" => {
            return SqlFinding::new(Kind::AdminConfig, "changes a server setting");
        }
        _ => {}
    }
    let mut worst: Option<SqlFinding> = None;
    for assignment in tokens[1..].split(|t| *t == Token::Punct(',')) {
        let f = mysql_assignment(assignment);
        let rank = |f: &SqlFinding| i32::from(f.kind != Kind::Read);
        if worst.as_ref().is_none_or(|w| rank(&f) > rank(w)) {
            worst = Some(f);
        }
    }
    worst.unwrap_or_else(|| SqlFinding::new(Kind::Unknown, "SET gate cannot read"))
}

fn mysql_assignment(a: &[Token]) -> SqlFinding {
    let at = Token::Op("@".into());
    match a {
        // @@scope.name or @@name
        [
            x,
            y,
            Token::Word(scope),
            Token::Punct('.'),
            Token::Word(name),
            ..,
        ] if *x == at && *y == at => match scope.as_str() {
            "global" | "persist" | "persist_only" => {
                SqlFinding::new(Kind::AdminConfig, "changes a server setting")
            }
            "session" | "local" => setting_finding(name, Dialect::MySql),
            _ => SqlFinding::new(Kind::Unknown, "SET gate cannot read"),
        },
        [x, y, Token::Word(name), ..] if *x == at && *y == at => {
            setting_finding(name, Dialect::MySql)
        }
        // A user variable.
        [x, Token::Word(_) | Token::Ident(_) | Token::Str(_), ..] if *x == at => {
            SqlFinding::new(Kind::Read, "sets a user variable").risk(Risk::Low)
        }
        [Token::Word(scope), Token::Word(name), ..]
            if ["session", "local"].contains(&scope.as_str()) =>
        {
            setting_finding(name, Dialect::MySql)
        }
        [Token::Word(scope), ..]
            if ["global", "persist", "persist_only"].contains(&scope.as_str()) =>
        {
            SqlFinding::new(Kind::AdminConfig, "changes a server setting")
        }
        [Token::Word(name), ..] => setting_finding(name, Dialect::MySql),
        _ => SqlFinding::new(Kind::Unknown, "SET gate cannot read"),
    }
}

/// `RESET` in PostgreSQL (sql-reset.html). RESET ALL is handled as a lexing change: it restores
/// standard_conforming_strings and search_path to server defaults gate cannot see (role and
/// session_authorization are GUC_NO_RESET_ALL, so it does not switch roles).
fn reset_postgres(tokens: &[Token]) -> SqlFinding {
    let word = |i: usize| {
        tokens
            .get(i)
            .and_then(Token::name)
            .map(str::to_ascii_lowercase)
    };
    match (word(1).as_deref(), word(2).as_deref()) {
        (Some("role"), None) | (Some("session"), Some("authorization")) => SqlFinding::new(
            Kind::PrivilegeSwitch,
            "RESET returns to the session's login role",
        ),
        (Some("all"), None) => SqlFinding::new(Kind::Unknown, "RESET ALL"),
        (Some("time"), Some("zone")) => setting_finding("timezone", Dialect::Postgres),
        (Some("transaction"), _) => {
            SqlFinding::new(Kind::Read, "transaction characteristics").risk(Risk::Low)
        }
        (Some("search_path"), None) => {
            SqlFinding::new(Kind::Read, "session setting `search_path`").risk(Risk::Low)
        }
        (Some(name), None) => setting_finding(name, Dialect::Postgres),
        _ => SqlFinding::new(Kind::Unknown, "RESET gate cannot read"),
    }
}

/// SQLite pragmas that only report (pragma.html). With an argument in parentheses, only those whose argument
/// names what to report on.
const SQLITE_READ_PRAGMAS: &[&str] = &[
    "application_id",
    "auto_vacuum",
    "automatic_index",
    "busy_timeout",
    "cache_size",
    "cache_spill",
    "case_sensitive_like",
    "cell_size_check",
    "checkpoint_fullfsync",
    "collation_list",
    "compile_options",
    "data_version",
    "database_list",
    "defer_foreign_keys",
    "encoding",
    "foreign_key_check",
    "foreign_key_list",
    "foreign_keys",
    "freelist_count",
    "fullfsync",
    "function_list",
    "hard_heap_limit",
    "ignore_check_constraints",
    "index_info",
    "index_list",
    "index_xinfo",
    "integrity_check",
    "journal_mode",
    "journal_size_limit",
    "legacy_alter_table",
    "locking_mode",
    "max_page_count",
    "mmap_size",
    "module_list",
    "page_count",
    "page_size",
    "pragma_list",
    "query_only",
    "quick_check",
    "read_uncommitted",
    "recursive_triggers",
    "reverse_unordered_selects",
    "schema_version",
    "secure_delete",
    "soft_heap_limit",
    "synchronous",
    "table_info",
    "table_list",
    "table_xinfo",
    "temp_store",
    "threads",
    "trusted_schema",
    "user_version",
    "wal_autocheckpoint",
];
const SQLITE_ARG_PRAGMAS: &[&str] = &[
    "foreign_key_check",
    "foreign_key_list",
    "index_info",
    "index_list",
    "index_xinfo",
    "integrity_check",
    "quick_check",
    "table_info",
    "table_list",
    "table_xinfo",
];

fn pragma(tokens: &[Token]) -> SqlFinding {
    let mut i = 1;
    if tokens.get(2) == Some(&Token::Punct('.')) {
        i = 3;
    }
    let Some(name) = tokens
        .get(i)
        .and_then(Token::name)
        .map(str::to_ascii_lowercase)
    else {
        return SqlFinding::new(Kind::Unknown, "PRAGMA gate cannot read");
    };
    match tokens.get(i + 1) {
        None if SQLITE_READ_PRAGMAS.contains(&name.as_str()) => {
            SqlFinding::new(Kind::Read, format!("PRAGMA {name} reports a setting")).risk(Risk::Low)
        }
        Some(Token::Punct('('))
            if SQLITE_ARG_PRAGMAS.contains(&name.as_str())
                && tokens.len() == i + 4
                && tokens[i + 3] == Token::Punct(')') =>
        {
            SqlFinding::new(Kind::Read, format!("PRAGMA {name} reports on an object"))
                .risk(Risk::Low)
        }
        None => SqlFinding::new(
            Kind::Unknown,
            format!("PRAGMA {name} is not one gate knows as a report"),
        ),
        Some(_) => SqlFinding::new(Kind::AdminConfig, format!("PRAGMA {name} sets a value")),
    }
}

/// The statements EXPLAIN can show.
const EXPLAINABLE: &[&str] = &[
    "select", "insert", "update", "delete", "merge", "values", "with", "table", "replace",
    "execute", "declare", "create",
];

/// Whether an EXPLAIN boolean option value is true. `None`: gate cannot tell (defGetBoolean accepts more).
fn explain_bool(value: &[Token]) -> Option<bool> {
    let v = match value {
        [] => return Some(true),
        [Token::Word(w) | Token::Str(w) | Token::Ident(w)] => w.to_ascii_lowercase(),
        [Token::Number(n)] => n.clone(),
        _ => return None,
    };
    match v.as_str() {
        "true" | "on" | "1" | "yes" | "t" | "tr" | "tru" | "y" | "ye" => Some(true),
        "false" | "off" | "0" | "no" | "f" | "fa" | "fal" | "fals" | "n" | "of" => Some(false),
        _ => None,
    }
}

/// EXPLAIN, in every dialect: PostgreSQL's `EXPLAIN (option [value], …)` and `EXPLAIN [ANALYZE] [VERBOSE]`
/// (sql-explain.html), MySQL's `EXPLAIN [ANALYZE] [FORMAT=…]`, SQLite's `EXPLAIN [QUERY PLAN]`. With ANALYZE the
/// statement runs and is what it is; without it gate still keeps what it could not read in it (planning can
/// evaluate immutable functions).
fn explain(tokens: &[Token], dialect: Dialect, depth: usize) -> SqlFinding {
    let mut analyze = false;
    let mut i = 1;
    if dialect == Dialect::Postgres && tokens.get(1) == Some(&Token::Punct('(')) {
        let close = matching_paren(tokens, 1);
        if close >= tokens.len() {
            return SqlFinding::new(Kind::Unknown, "EXPLAIN options gate cannot read");
        }
        for option in tokens[2..close].split(|t| *t == Token::Punct(',')) {
            let Some(name) = option
                .first()
                .and_then(Token::name)
                .map(str::to_ascii_lowercase)
            else {
                return SqlFinding::new(Kind::Unknown, "EXPLAIN options gate cannot read");
            };
            let value = &option[1..];
            match name.as_str() {
                "analyze" | "analyse" => match explain_bool(value) {
                    Some(b) => analyze |= b,
                    None => {
                        return SqlFinding::new(
                            Kind::Unknown,
                            "EXPLAIN ANALYZE with a value gate cannot read",
                        );
                    }
                },
                "verbose" | "costs" | "settings" | "buffers" | "wal" | "timing" | "summary"
                | "generic_plan" | "memory" => {
                    if explain_bool(value).is_none() {
                        return SqlFinding::new(
                            Kind::Unknown,
                            "EXPLAIN option value gate cannot read",
                        );
                    }
                }
                "format" | "serialize" => {}
                _ => {
                    return SqlFinding::new(
                        Kind::Unknown,
                        format!("EXPLAIN option `{name}` gate does not know"),
                    );
                }
            }
        }
        i = close + 1;
    } else {
        loop {
            match tokens.get(i).and_then(Token::word) {
                Some("analyze" | "analyse") => {
                    analyze = true;
                    i += 1;
                }
                Some("verbose" | "extended" | "partitions") => i += 1,
                Some("query") if dialect == Dialect::Sqlite => i += 2,
                Some("format") if dialect == Dialect::MySql => {
                    // FORMAT = name
                    i += 3;
                }
                Some(
                    "ast" | "syntax" | "plan" | "pipeline" | "estimate" | "header" | "indexes"
                    | "actions" | "json" | "description",
                ) if dialect == Dialect::ClickHouse => i += 1,
                _ => break,
            }
            if dialect == Dialect::ClickHouse && tokens.get(i) == Some(&Token::Op("=".into())) {
                i += 2;
            }
        }
    }
    let inner = &tokens[i.min(tokens.len())..];
    let Some(verb_word) = inner.first().and_then(Token::word) else {
        return SqlFinding::new(Kind::Unknown, "EXPLAIN of something gate cannot read");
    };
    if !EXPLAINABLE.contains(&verb_word) {
        if dialect == Dialect::MySql && !analyze && inner.len() <= 4 {
            // EXPLAIN tbl is DESCRIBE tbl.
            return SqlFinding::new(Kind::Read, "EXPLAIN of a table describes it").risk(Risk::Low);
        }
        return SqlFinding::new(Kind::Unknown, "EXPLAIN of something gate cannot read");
    }
    let found = statement_at(inner, dialect, depth + 1);
    let mut worst: Option<SqlFinding> = None;
    for mut f in found {
        if analyze {
            f.detail = format!("EXPLAIN ANALYZE runs it: {}", f.detail);
        } else if f.kind != Kind::Unknown {
            f = SqlFinding::new(Kind::Read, "EXPLAIN without ANALYZE plans it, runs nothing")
                .risk(Risk::Low);
        }
        if worst
            .as_ref()
            .is_none_or(|w| f.kind != Kind::Read && (w.kind == Kind::Read || f.risk > w.risk))
        {
            worst = Some(f);
        }
    }
    worst.unwrap_or_else(|| SqlFinding::new(Kind::Unknown, "EXPLAIN of something gate cannot read"))
}

/// Transaction control. Finishing a prepared transaction commits or discards another session's writes, and
/// preparing one keeps this one's writes alive past the session.
fn transaction(tokens: &[Token], first: &str) -> SqlFinding {
    let second = tokens.get(1).and_then(Token::word);
    if (first == "commit" || first == "rollback") && second == Some("prepared") {
        return SqlFinding::new(
            Kind::Write,
            format!(
                "{} PREPARED finishes a prepared transaction",
                first.to_uppercase()
            ),
        );
    }
    let control =
        SqlFinding::new(Kind::Read, format!("{first}: transaction control")).risk(Risk::Low);
    match (first, second) {
        ("start", Some("transaction")) => control,
        // MySQL: START REPLICA / SLAVE / GROUP_REPLICATION.
        ("start", Some("replica" | "slave" | "group_replication")) => {
            SqlFinding::new(Kind::AdminConfig, "START of replication")
        }
        ("start", _) => SqlFinding::new(Kind::Unknown, "START gate cannot read"),
        // BEGIN [WORK | TRANSACTION | ISOLATION … | READ … | [NOT] DEFERRABLE]; SQLite's DEFERRED, IMMEDIATE,
        // EXCLUSIVE. MariaDB's `BEGIN NOT ATOMIC` opens a compound statement, which is code.
        (
            "begin",
            None
            | Some(
                "work" | "transaction" | "isolation" | "read" | "deferrable" | "deferred"
                | "immediate" | "exclusive",
            ),
        ) => control,
        ("begin", _) => SqlFinding::new(Kind::Unknown, "BEGIN gate cannot read"),
        _ => control,
    }
}

/// What the statement's leading verb says it does.
#[allow(clippy::too_many_lines)]
fn verb(tokens: &[Token], dialect: Dialect, depth: usize) -> SqlFinding {
    let w: Vec<&str> = words(tokens).take(4).collect();
    let first = tokens.first().and_then(Token::word).unwrap_or("");
    let second = w.get(1).copied().unwrap_or("");
    let pg = dialect == Dialect::Postgres;
    let unknown = |why: String| SqlFinding::new(Kind::Unknown, why);
    // `(SELECT …) UNION (SELECT …)`: a query whose first operand is parenthesised. INTO is only top-level in a
    // plain SELECT, so here one at any depth is not judged.
    if tokens.first() == Some(&Token::Punct('('))
        && tokens
            .iter()
            .find(|t| **t != Token::Punct('('))
            .and_then(Token::word)
            .is_some_and(|w| matches!(w, "select" | "table" | "values"))
    {
        return if tokens.iter().any(|t| t.is_word("into")) {
            unknown("a parenthesised SELECT … INTO gate cannot read".into())
        } else {
            SqlFinding::new(Kind::Read, "query").objects(from_objects(tokens))
        };
    }
    match first {
        "select" | "table" | "values" => {
            let into = top_level(tokens, "into");
            let after = into.and_then(|p| tokens.get(p + 1));
            match (into, after) {
                (None, _) => SqlFinding::new(Kind::Read, "query").objects(from_objects(tokens)),
                (Some(_), Some(t))
                    if t.word().is_some_and(|w| w == "outfile" || w == "dumpfile") =>
                {
                    SqlFinding::new(Kind::DataExport, "SELECT … INTO OUTFILE writes rows to a file")
                }
                (Some(_), Some(Token::Op(o))) if dialect == Dialect::MySql && o == "@" => {
                    SqlFinding::new(Kind::Read, "query into user variables").risk(Risk::Low)
                }
                (Some(p), _) if pg => {
                    SqlFinding::new(Kind::SchemaChange, "SELECT … INTO creates a table")
                        .objects(name_after(tokens, p + 1))
                }
                _ => unknown("SELECT … INTO gate cannot read".into()),
            }
        }
        "show" if dialect != Dialect::Sqlite => {
            SqlFinding::new(Kind::Read, "SHOW statement").risk(Risk::Low)
        }
        "describe" | "desc" if matches!(dialect, Dialect::MySql | Dialect::ClickHouse) => {
            if EXPLAINABLE.contains(&second) || second == "analyze" || second == "format" {
                explain(tokens, dialect, depth)
            } else {
                SqlFinding::new(Kind::Read, "describes a table").risk(Risk::Low)
            }
        }
        "explain" => explain(tokens, dialect, depth),
        "pragma" if dialect == Dialect::Sqlite => pragma(tokens),
        "begin" | "start" | "commit" | "rollback" | "end" | "savepoint" | "release" | "abort" => {
            transaction(tokens, first)
        }
        "deallocate" | "unlisten" | "close" | "fetch" | "move" if pg => {
            SqlFinding::new(Kind::Read, format!("{} statement", first.to_uppercase())).risk(Risk::Low)
        }
        "discard" if pg => match second {
            "plans" | "sequences" => {
                SqlFinding::new(Kind::Read, "DISCARD of cached state").risk(Risk::Low)
            }
            "temp" | "temporary" => {
                SqlFinding::new(Kind::Write, "DISCARD TEMP drops the session's temporary tables")
            }
            "all" => SqlFinding::new(
                Kind::PrivilegeSwitch,
                "DISCARD ALL runs SET SESSION AUTHORIZATION DEFAULT and RESET ALL",
            ),
            _ => unknown("DISCARD gate cannot read".into()),
        },
        "with" => {
            // The CTE bodies sit in parentheses and are checked by the nested-DML scan; the main statement starts
            // at the first verb outside them.
            let mut level = 0i32;
            let main = tokens.iter().enumerate().find_map(|(i, t)| {
                match t {
                    Token::Punct('(') => level += 1,
                    Token::Punct(')') => level -= 1,
                    Token::Word(w)
                        if level == 0
                            && [
                                "select", "insert", "update", "delete", "merge", "values", "table",
                            ]
                            .contains(&w.as_str()) =>
                    {
                        return Some(i);
                    }
                    _ => {}
                }
                None
            });
            match main {
                Some(m) if depth < MAX_VERB_DEPTH => verb(&tokens[m..], dialect, depth + 1),
                _ => unknown("WITH statement gate cannot read".into()),
            }
        }
        "insert" | "upsert" => {
            SqlFinding::new(Kind::Write, "inserts rows").objects(name_after(tokens, 1))
        }
        "replace" if dialect != Dialect::Postgres => {
            SqlFinding::new(Kind::Write, "REPLACE deletes and inserts rows")
                .objects(name_after(tokens, 1))
        }
        "merge" => SqlFinding::new(Kind::Write, "merges rows").objects(name_after(tokens, 1)),
        "update" | "delete" => {
            let objects = name_after(tokens, 1);
            match top_level(tokens, "where") {
                None => SqlFinding::new(
                    Kind::DestructiveWrite,
                    format!("{} with no WHERE touches every row", first.to_uppercase()),
                )
                .objects(objects),
                Some(p) => {
                    let end = top_level(&tokens[p..], "returning").map_or(tokens.len(), |r| p + r);
                    if constant_condition(&tokens[p + 1..end]) {
                        SqlFinding::new(
                            Kind::DestructiveWrite,
                            format!(
                                "{} with a constant WHERE touches every row",
                                first.to_uppercase()
                            ),
                        )
                        .objects(objects)
                    } else {
                        SqlFinding::new(
                            Kind::Write,
                            format!("{} with a WHERE clause", first.to_lowercase()),
                        )
                        .objects(objects)
                    }
                }
            }
        }
        "truncate" => SqlFinding::new(Kind::DestructiveWrite, "TRUNCATE empties tables")
            .objects(name_after(tokens, 1)),
        "drop" => drop(tokens, second),
        "create" => create(tokens),
        "alter" => alter(tokens, second),
        "grant" | "revoke" => {
            let critical = has_word(tokens, "superuser")
                || (has_word(tokens, "grant") && has_word(tokens, "option") && first == "grant");
            let objects = top_level(tokens, "on")
                .map(|p| name_after(tokens, p + 1))
                .unwrap_or_default();
            SqlFinding::new(
                Kind::PermissionChange,
                format!("{} privileges", first.to_uppercase()),
            )
            .risk(if critical { Risk::Critical } else { Risk::High })
            .objects(objects)
        }
        "set" => match dialect {
            Dialect::Postgres => set_postgres(tokens),
            Dialect::MySql => set_mysql(tokens),
            Dialect::ClickHouse => {
                let mut worst = SqlFinding::new(Kind::Unknown, "SET gate cannot read");
                for a in tokens[1..].split(|t| *t == Token::Punct(',')) {
                    match a.first().and_then(Token::word) {
                        Some(name) => {
                            worst = setting_finding(name, dialect);
                            if worst.kind != Kind::Read {
                                break;
                            }
                        }
                        None => {
                            worst = SqlFinding::new(Kind::Unknown, "SET gate cannot read");
                            break;
                        }
                    }
                }
                worst
            }
            Dialect::Sqlite => unknown("SET is not SQLite".into()),
        },
        "reset" => match dialect {
            Dialect::Postgres => reset_postgres(tokens),
            _ => SqlFinding::new(Kind::AdminConfig, "RESET of server state"),
        },
        "copy" if pg => copy(tokens),
        "load" if second == "data" || second == "xml" => {
            SqlFinding::new(Kind::BulkWrite, "LOAD DATA loads rows from a file").objects(
                top_level(tokens, "table")
                    .map(|p| name_after(tokens, p + 1))
                    .unwrap_or_default(),
            )
        }
        "system" if dialect == Dialect::ClickHouse => {
            SqlFinding::new(Kind::AdminConfig, "SYSTEM changes server state")
        }
        "system" => SqlFinding::new(
            Kind::CodeExecution,
            "SYSTEM runs a shell command (mysql client)",
        ),
        "source" => unknown("SOURCE runs a script file gate does not read".into()),
        "delimiter" | "connect" | "pager" | "nopager" | "tee" | "notee" | "edit" | "ego" | "go"
        | "charset" | "rehash" | "prompt" | "warnings" | "nowarning" | "status" | "print"
        | "resetconnection" | "query_attributes" | "help"
            if dialect == Dialect::MySql =>
        {
            unknown(format!("mysql client command `{first}` gate does not model"))
        }
        "use" => unknown(
            "USE switches to another database; later statements act on a target gate did not judge"
                .into(),
        ),
        "prepare" if pg => {
            if second == "transaction" {
                return SqlFinding::new(
                    Kind::Write,
                    "PREPARE TRANSACTION keeps this transaction's writes past the session",
                );
            }
            match top_level(tokens, "as") {
                Some(p)
                    if tokens
                        .get(p + 1)
                        .and_then(Token::word)
                        .is_some_and(|w| EXPLAINABLE.contains(&w))
                        && depth < MAX_VERB_DEPTH =>
                {
                    let mut worst = SqlFinding::new(Kind::Read, "PREPARE of a query").risk(Risk::Low);
                    for f in statement_at(&tokens[p + 1..], dialect, depth + 1) {
                        if f.kind != Kind::Read {
                            worst = f;
                        }
                    }
                    worst
                }
                _ => unknown("PREPARE gate cannot read".into()),
            }
        }
        "declare" if pg => match top_level(tokens, "for") {
            Some(p) if has_word(&tokens[..p], "cursor") && depth < MAX_VERB_DEPTH => {
                let mut worst =
                    SqlFinding::new(Kind::Read, "DECLARE of a cursor over a query").risk(Risk::Low);
                for f in statement_at(&tokens[p + 1..], dialect, depth + 1) {
                    if f.kind != Kind::Read {
                        worst = f;
                    }
                }
                worst
            }
            _ => unknown("DECLARE gate cannot read".into()),
        },
        "execute" => unknown(
            "EXECUTE runs a prepared statement this script did not prepare where gate could read it"
                .into(),
        ),
        "do" | "call" | "load" => SqlFinding::new(
            Kind::CodeExecution,
            format!("{} runs code gate cannot see", first.to_uppercase()),
        ),
        "install" => SqlFinding::new(Kind::CodeExecution, "INSTALL loads server code"),
        "uninstall" => SqlFinding::new(Kind::AdminConfig, "UNINSTALL removes server code"),
        "handler" => unknown("HANDLER reads rows below the SQL layer; gate does not model it".into()),
        "vacuum" if dialect == Dialect::Sqlite && has_word(tokens, "into") => {
            SqlFinding::new(Kind::DataExport, "VACUUM INTO writes a copy of the database to a file")
        }
        "vacuum" | "analyze" | "analyse" | "cluster" | "reindex" | "optimize" => {
            SqlFinding::new(Kind::SchemaChange, "maintenance that can block")
                .objects(name_after(tokens, 1))
        }
        "checkpoint" | "flush" | "kill" | "purge" => SqlFinding::new(
            Kind::AdminConfig,
            format!("{} statement", first.to_uppercase()),
        ),
        "lock" => SqlFinding::new(Kind::Write, "LOCK blocks other sessions")
            .objects(name_after(tokens, 1)),
        "unlock" if dialect == Dialect::MySql => {
            SqlFinding::new(Kind::Read, "UNLOCK TABLES").risk(Risk::Low)
        }
        "refresh" | "notify" | "listen" => {
            SqlFinding::new(Kind::Write, format!("{} statement", first.to_uppercase()))
        }
        "comment" | "rename" => SqlFinding::new(
            Kind::SchemaChange,
            format!("{} statement", first.to_uppercase()),
        ),
        "security" | "reassign" => SqlFinding::new(
            Kind::PermissionChange,
            format!("{} statement", first.to_uppercase()),
        ),
        "attach" if dialect == Dialect::Sqlite => unknown(
            "ATTACH opens or creates another database file; later statements act on a target gate did not judge"
                .into(),
        ),
        "detach" if dialect == Dialect::Sqlite => {
            SqlFinding::new(Kind::Read, "DETACH closes an attached database").risk(Risk::Low)
        }
        "import" | "attach" | "detach" => SqlFinding::new(
            Kind::SchemaChange,
            format!("{} statement", first.to_uppercase()),
        ),
        "exists" | "check" if matches!(dialect, Dialect::ClickHouse | Dialect::MySql) => {
            SqlFinding::new(Kind::Read, format!("{} statement", first.to_uppercase())).risk(Risk::Low)
        }
        _ => unknown(format!(
            "gate cannot read this statement ({})",
            statement_head(tokens)
        )),
    }
}

fn matching_paren(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

fn statement_head(tokens: &[Token]) -> String {
    let head: Vec<&str> = tokens.iter().take(3).filter_map(Token::name).collect();
    if head.is_empty() {
        "no leading keyword".into()
    } else {
        head.join(" ")
    }
}

fn from_objects(tokens: &[Token]) -> Vec<String> {
    let mut objects = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if (t.is_word("from") || t.is_word("join"))
            && let Some(n) = qualified_name(tokens, i + 1)
            && !objects.contains(&n)
            && !["select", "lateral", "unnest"].contains(&n.as_str())
        {
            objects.push(n);
        }
    }
    objects
}

fn drop(tokens: &[Token], what: &str) -> SqlFinding {
    let objects = name_after(tokens, 2);
    match what {
        "database" | "schema" => SqlFinding::new(
            Kind::DestructiveWrite,
            format!(
                "DROP {} destroys it and everything in it",
                what.to_uppercase()
            ),
        )
        .risk(if what == "database" {
            Risk::Critical
        } else {
            Risk::High
        })
        .objects(objects),
        "table" => {
            SqlFinding::new(Kind::DestructiveWrite, "DROP TABLE destroys its rows").objects(objects)
        }
        "role" | "user" | "group" | "owned" | "policy" => SqlFinding::new(
            Kind::PermissionChange,
            format!("DROP {}", what.to_uppercase()),
        )
        .objects(objects),
        "extension" | "server" | "subscription" | "publication" => {
            SqlFinding::new(Kind::AdminConfig, format!("DROP {}", what.to_uppercase()))
                .objects(objects)
        }
        _ => SqlFinding::new(Kind::SchemaChange, format!("DROP {}", what.to_uppercase()))
            .objects(objects),
    }
}

fn create(tokens: &[Token]) -> SqlFinding {
    let mut i = 1;
    while tokens.get(i).and_then(Token::word).is_some_and(|w| {
        [
            "or",
            "replace",
            "unique",
            "temp",
            "temporary",
            "unlogged",
            "global",
            "local",
            "materialized",
            "recursive",
            "trusted",
            "procedural",
            "default",
            "definer",
            "algorithm",
            "undefined",
            "sql",
            "security",
        ]
        .contains(&w)
    }) {
        i += 1;
    }
    let what = tokens.get(i).and_then(Token::word).unwrap_or("");
    let objects = name_after(tokens, i + 1);
    match what {
        "role" | "user" | "group" | "policy" => {
            let critical = has_word(tokens, "superuser");
            SqlFinding::new(
                Kind::PermissionChange,
                format!("CREATE {}", what.to_uppercase()),
            )
            .risk(if critical { Risk::Critical } else { Risk::High })
            .objects(objects)
        }
        "extension" | "server" | "subscription" | "publication" | "event" => {
            SqlFinding::new(Kind::AdminConfig, format!("CREATE {}", what.to_uppercase()))
                .objects(objects)
        }
        "function" | "procedure" | "language" | "trigger" => {
            let untrusted = tokens.iter().any(|t| {
                t.name().is_some_and(|n| {
                    ["plpythonu", "plpython3u", "plperlu", "pltclu", "c", "plsh"].contains(&n)
                })
            });
            if untrusted {
                SqlFinding::new(Kind::CodeExecution, "defines code in an untrusted language")
                    .objects(objects)
            } else {
                SqlFinding::new(
                    Kind::SchemaChange,
                    format!("CREATE {}", what.to_uppercase()),
                )
                .objects(objects)
            }
        }
        "" => SqlFinding::new(Kind::Unknown, "CREATE of something gate cannot read"),
        _ => SqlFinding::new(
            Kind::SchemaChange,
            format!("CREATE {}", what.to_uppercase()),
        )
        .objects(objects),
    }
}

fn alter(tokens: &[Token], what: &str) -> SqlFinding {
    let objects = name_after(tokens, 2);
    match what {
        "role" | "user" | "group" | "default" => {
            let critical = has_word(tokens, "superuser") || has_word(tokens, "bypassrls");
            SqlFinding::new(
                Kind::PermissionChange,
                format!("ALTER {}", what.to_uppercase()),
            )
            .risk(if critical { Risk::Critical } else { Risk::High })
            .objects(objects)
        }
        "system" => SqlFinding::new(
            Kind::AdminConfig,
            "ALTER SYSTEM changes server configuration",
        ),
        "extension" | "server" | "subscription" | "publication" => {
            SqlFinding::new(Kind::AdminConfig, format!("ALTER {}", what.to_uppercase()))
                .objects(objects)
        }
        _ if has_word(tokens, "owner") => {
            SqlFinding::new(Kind::PermissionChange, "OWNER TO changes who owns it").objects(objects)
        }
        _ if has_word(tokens, "security") && has_word(tokens, "level") => {
            SqlFinding::new(Kind::PermissionChange, "changes row-level security").objects(objects)
        }
        "" => SqlFinding::new(Kind::Unknown, "ALTER of something gate cannot read"),
        _ => SqlFinding::new(Kind::SchemaChange, format!("ALTER {}", what.to_uppercase()))
            .objects(objects),
    }
}

fn copy(tokens: &[Token]) -> SqlFinding {
    let objects = if tokens.get(1) == Some(&Token::Punct('(')) {
        from_objects(tokens)
    } else {
        name_after(tokens, 1)
    };
    let after_source = if tokens.get(1) == Some(&Token::Punct('(')) {
        matching_paren(tokens, 1) + 1
    } else {
        1
    };
    let direction = tokens[after_source.min(tokens.len())..]
        .iter()
        .find_map(|t| match t.word() {
            Some(w @ ("to" | "from")) => Some(w),
            _ => None,
        });
    if has_word(tokens, "program") {
        return SqlFinding::new(
            Kind::CodeExecution,
            "COPY … PROGRAM runs a shell command on the server",
        )
        .objects(objects);
    }
    match direction {
        Some("to") => SqlFinding::new(Kind::DataExport, "COPY … TO exports rows").objects(objects),
        Some(_) => SqlFinding::new(Kind::Write, "COPY … FROM loads rows").objects(objects),
        None => SqlFinding::new(Kind::Unknown, "COPY gate cannot read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<Kind> {
        let mut k: Vec<Kind> = analyse(sql, false).iter().map(|f| f.kind).collect();
        k.sort();
        k.dedup();
        k
    }

    #[test]
    fn verbs() {
        let cases: &[(&str, &[Kind])] = &[
            ("SELECT sku FROM items WHERE sku = 'A-1'", &[Kind::Read]),
            ("EXPLAIN SELECT * FROM carts", &[Kind::Read]),
            (
                "EXPLAIN ANALYZE DELETE FROM carts",
                &[Kind::DestructiveWrite],
            ),
            ("SELECT * INTO backup FROM items", &[Kind::SchemaChange]),
            ("INSERT INTO items(sku) VALUES ('B-2')", &[Kind::Write]),
            (
                "UPDATE items SET price = 10 WHERE sku = 'B-2'",
                &[Kind::Write],
            ),
            (
                "UPDATE items SET price = 0 WHERE true",
                &[Kind::DestructiveWrite],
            ),
            ("DELETE FROM t WHERE 1=1", &[Kind::DestructiveWrite]),
            ("DELETE FROM t WHERE 'a'='a'", &[Kind::DestructiveWrite]),
            ("DELETE FROM carts", &[Kind::DestructiveWrite]),
            ("TRUNCATE carts", &[Kind::DestructiveWrite]),
            ("DROP TABLE IF EXISTS carts", &[Kind::DestructiveWrite]),
            ("DROP INDEX items_sku", &[Kind::SchemaChange]),
            (
                "WITH d AS (DELETE FROM carts RETURNING id) SELECT count(*) FROM d",
                &[Kind::DestructiveWrite],
            ),
            (
                "ALTER TABLE items ADD COLUMN color text",
                &[Kind::SchemaChange],
            ),
            (
                "ALTER TABLE items OWNER TO mallory",
                &[Kind::PermissionChange],
            ),
            ("GRANT ALL ON items TO intern", &[Kind::PermissionChange]),
            (
                "CREATE ROLE auditor LOGIN PASSWORD 'x'",
                &[Kind::PermissionChange],
            ),
            ("SET ROLE admin", &[Kind::PrivilegeSwitch]),
            ("SET search_path = app", &[Kind::Read]),
            (
                "ALTER SYSTEM SET log_statement = 'none'",
                &[Kind::AdminConfig],
            ),
            ("SELECT pg_cancel_backend(1234)", &[Kind::AdminConfig]),
            (
                "SELECT set_config('role', 'admin', false)",
                &[Kind::PrivilegeSwitch],
            ),
            ("SELECT lo_export(1, '/tmp/x')", &[Kind::DataExport]),
            ("DO $$ BEGIN PERFORM 1; END $$", &[Kind::CodeExecution]),
            (
                "COPY items FROM PROGRAM 'cat /etc/passwd'",
                &[Kind::CodeExecution],
            ),
            ("COPY customers TO STDOUT", &[Kind::DataExport]),
            (
                "COPY (SELECT * FROM customers) TO '/tmp/c'",
                &[Kind::DataExport],
            ),
            ("COPY items FROM STDIN", &[Kind::Write]),
            ("SELEKT 1", &[Kind::Unknown]),
            (
                "SELECT 1; FOO BAR; DROP TABLE users",
                &[Kind::Read, Kind::DestructiveWrite, Kind::Unknown],
            ),
        ];
        for (sql, want) in cases {
            assert_eq!(kinds(sql), *want, "{sql}");
        }
    }

    #[test]
    fn risks_and_objects() {
        let f = &analyse("DROP DATABASE shop", false)[0];
        assert_eq!((f.kind, f.risk), (Kind::DestructiveWrite, Risk::Critical));
        assert_eq!(f.objects, ["shop"]);
        let f = &analyse("GRANT admin TO bob WITH GRANT OPTION", false)[0];
        assert_eq!(f.risk, Risk::Critical);
        let f = &analyse("DELETE FROM public.carts WHERE id = 1", false)[0];
        assert_eq!(f.objects, ["public.carts"]);
        let f = &analyse("SELECT * FROM public.users u JOIN orders o ON true", false)[0];
        assert_eq!(f.objects, ["public.users", "orders"]);
    }

    #[test]
    fn empty_script_has_no_findings() {
        assert!(analyse("  -- nothing\n ; ;", false).is_empty());
    }
}
