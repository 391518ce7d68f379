//! Which function calls a read may make, per dialect. Allow-lists only: a call to anything not listed here is
//! `unknown`, because gate cannot see what a user-defined or unknown function does. The few functions whose
//! effect gate does know (sequences, server signals, file access) get their own kind.
//!
//! PostgreSQL's list is generated from a real server's `pg_proc` by `scripts/pg_functions/generate.sh`
//! (immutable and stable functions minus a reviewed deny list); the others are curated from their manuals:
//! MySQL 8.0 reference manual ch. 14 "Functions and Operators", SQLite's lang_corefunc, lang_datefunc,
//! lang_aggfunc, lang_mathfunc, json1 and windowfunctions pages, and ClickHouse's "Regular Functions" and
//! "Aggregate Functions" references.

use std::sync::OnceLock;

use super::{Dialect, SqlFinding};
use crate::classify::Kind;

const PG_FUNCTIONS: &str = include_str!("pg_functions.txt");

/// The generated PostgreSQL list, sorted (the generator sorts with `COLLATE "C"`, which is byte order).
fn pg_functions() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut v: Vec<&str> = PG_FUNCTIONS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("# "))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    })
}

/// SQL-standard constructs that PostgreSQL's grammar turns into calls of built-in functions, spelled as
/// keywords rather than names from `pg_proc`.
const PG_GRAMMAR_CALLS: &[&str] = &["coalesce", "greatest", "grouping", "least", "nullif"];

/// Whether PostgreSQL's `pg_catalog` has this read-safe function.
pub fn pg_allowed(name: &str) -> bool {
    pg_functions().binary_search(&name).is_ok() || PG_GRAMMAR_CALLS.contains(&name)
}

pub fn pg_list_len() -> usize {
    pg_functions().len()
}

/// Functions whose effect gate knows, in any dialect. `first_arg` is the first argument's literal, if any.
pub fn known_effect(name: &str, first_arg: Option<&str>, dialect: Dialect) -> Option<SqlFinding> {
    let f = |kind: Kind, detail: &str| Some(SqlFinding::new(kind, format!("{detail} ({name})")));
    match (dialect, name) {
        (Dialect::Postgres, "nextval" | "setval") => f(Kind::Write, "changes a sequence"),
        (Dialect::Postgres, "pg_terminate_backend" | "pg_cancel_backend" | "pg_signal_backend") => {
            f(Kind::AdminConfig, "ends other sessions' work")
        }
        (
            Dialect::Postgres,
            "pg_reload_conf"
            | "pg_rotate_logfile"
            | "pg_promote"
            | "pg_switch_wal"
            | "pg_create_restore_point"
            | "pg_log_backend_memory_contexts",
        ) => f(Kind::AdminConfig, "changes server state"),
        (Dialect::Postgres, "set_config") => {
            match first_arg.map(str::to_ascii_lowercase).as_deref() {
                Some("role" | "session_authorization" | "session_replication_role") => {
                    f(Kind::PrivilegeSwitch, "switches role")
                }
                _ => f(Kind::AdminConfig, "changes a setting"),
            }
        }
        (
            Dialect::Postgres,
            "lo_export"
            | "pg_read_file"
            | "pg_read_binary_file"
            | "pg_ls_dir"
            | "pg_stat_file"
            | "lo_import",
        ) => f(Kind::DataExport, "reaches server files"),
        (Dialect::Postgres, "dblink_exec" | "dblink" | "dblink_send_query") => {
            f(Kind::CodeExecution, "runs SQL on another server")
        }
        (Dialect::MySql, "load_file") => f(Kind::DataExport, "reads a server file"),
        (Dialect::MySql, "sys_exec" | "sys_eval") => f(Kind::CodeExecution, "runs a shell command"),
        (Dialect::Sqlite, "edit") => f(Kind::CodeExecution, "runs an editor"),
        (Dialect::Sqlite, "writefile") => f(Kind::DataExport, "writes a file"),
        (Dialect::Sqlite, "readfile") => f(Kind::DataExport, "reads a file"),
        (Dialect::Sqlite, "load_extension") => f(Kind::CodeExecution, "loads native code"),
        (Dialect::Sqlite, "fts3_tokenizer") => f(Kind::CodeExecution, "registers native code"),
        (
            Dialect::ClickHouse,
            "file" | "url" | "urlcluster" | "s3" | "s3cluster" | "hdfs" | "hdfscluster" | "gcs"
            | "azureblobstorage" | "iceberg" | "deltalake" | "hudi",
        ) => f(
            Kind::DataExport,
            "reads or writes files or URLs outside the database",
        ),
        (Dialect::ClickHouse, "executable") => f(Kind::CodeExecution, "runs a program"),
        _ => None,
    }
}

/// MySQL 8.0 built-in functions that only compute (reference manual ch. 14). Left out on purpose: SLEEP,
/// BENCHMARK (hold the server), GET_LOCK/RELEASE_LOCK/IS_USED_LOCK (locks), LOAD_FILE (server files),
/// MASTER_POS_WAIT/SOURCE_POS_WAIT/WAIT_FOR_EXECUTED_GTID_SET (wait), and any UDF.
const MYSQL: &[&str] = &[
    "abs",
    "acos",
    "adddate",
    "addtime",
    "any_value",
    "ascii",
    "asin",
    "atan",
    "atan2",
    "avg",
    "bin",
    "bin_to_uuid",
    "binary",
    "bit_and",
    "bit_count",
    "bit_length",
    "bit_or",
    "bit_xor",
    "cast",
    "ceil",
    "ceiling",
    "char",
    "char_length",
    "character_length",
    "charset",
    "coalesce",
    "collation",
    "concat",
    "concat_ws",
    "connection_id",
    "conv",
    "convert",
    "convert_tz",
    "cos",
    "cot",
    "count",
    "crc32",
    "cume_dist",
    "curdate",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "curtime",
    "database",
    "date",
    "date_add",
    "date_format",
    "date_sub",
    "datediff",
    "datetime",
    "day",
    "dayname",
    "dayofmonth",
    "dayofweek",
    "dayofyear",
    "decimal",
    "degrees",
    "dense_rank",
    "double",
    "elt",
    "exp",
    "export_set",
    "extract",
    "field",
    "find_in_set",
    "first_value",
    "float",
    "floor",
    "format",
    "found_rows",
    "from_base64",
    "from_days",
    "from_unixtime",
    "greatest",
    "group_concat",
    "hex",
    "hour",
    "if",
    "ifnull",
    "inet6_aton",
    "inet6_ntoa",
    "inet_aton",
    "inet_ntoa",
    "insert",
    "instr",
    "int",
    "integer",
    "interval",
    "is_ipv4",
    "is_ipv6",
    "isnull",
    "json_array",
    "json_arrayagg",
    "json_contains",
    "json_contains_path",
    "json_depth",
    "json_extract",
    "json_keys",
    "json_length",
    "json_object",
    "json_objectagg",
    "json_overlaps",
    "json_pretty",
    "json_quote",
    "json_search",
    "json_type",
    "json_unquote",
    "json_valid",
    "json_value",
    "lag",
    "last_day",
    "last_insert_id",
    "last_value",
    "lcase",
    "lead",
    "least",
    "left",
    "length",
    "ln",
    "localtime",
    "localtimestamp",
    "locate",
    "log",
    "log10",
    "log2",
    "lower",
    "lpad",
    "ltrim",
    "make_set",
    "makedate",
    "maketime",
    "max",
    "md5",
    "microsecond",
    "mid",
    "min",
    "minute",
    "mod",
    "month",
    "monthname",
    "now",
    "nth_value",
    "ntile",
    "nullif",
    "numeric",
    "oct",
    "octet_length",
    "ord",
    "percent_rank",
    "period_add",
    "period_diff",
    "pi",
    "position",
    "pow",
    "power",
    "quarter",
    "quote",
    "radians",
    "rand",
    "rank",
    "regexp_instr",
    "regexp_like",
    "regexp_replace",
    "regexp_substr",
    "repeat",
    "replace",
    "reverse",
    "right",
    "round",
    "row_count",
    "row_number",
    "rpad",
    "rtrim",
    "schema",
    "sec_to_time",
    "second",
    "session_user",
    "sha",
    "sha1",
    "sha2",
    "sign",
    "signed",
    "sin",
    "soundex",
    "space",
    "sqrt",
    "std",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "str_to_date",
    "strcmp",
    "subdate",
    "substr",
    "substring",
    "substring_index",
    "subtime",
    "sum",
    "sysdate",
    "system_user",
    "tan",
    "time",
    "time_format",
    "time_to_sec",
    "timediff",
    "timestamp",
    "timestampadd",
    "timestampdiff",
    "to_base64",
    "to_days",
    "to_seconds",
    "trim",
    "truncate",
    "ucase",
    "unhex",
    "unix_timestamp",
    "unsigned",
    "upper",
    "user",
    "utc_date",
    "utc_time",
    "utc_timestamp",
    "uuid",
    "uuid_to_bin",
    "var_pop",
    "var_samp",
    "varchar",
    "variance",
    "version",
    "week",
    "weekday",
    "weekofyear",
    "year",
    "yearweek",
];

/// SQLite's built-in functions: core, date and time, aggregate, math, JSON and window functions. The
/// `pragma_*` table-valued functions are also reads: SQLite offers them only for pragmas that return results
/// and have no side effects (pragma.html, "PRAGMA functions").
const SQLITE: &[&str] = &[
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "avg",
    "cast",
    "ceil",
    "ceiling",
    "changes",
    "char",
    "coalesce",
    "concat",
    "concat_ws",
    "cos",
    "cosh",
    "count",
    "cume_dist",
    "date",
    "datetime",
    "degrees",
    "dense_rank",
    "exp",
    "first_value",
    "floor",
    "format",
    "glob",
    "group_concat",
    "hex",
    "ifnull",
    "iif",
    "instr",
    "json",
    "json_array",
    "json_array_length",
    "json_each",
    "json_error_position",
    "json_extract",
    "json_group_array",
    "json_group_object",
    "json_insert",
    "json_object",
    "json_patch",
    "json_pretty",
    "json_quote",
    "json_remove",
    "json_replace",
    "json_set",
    "json_tree",
    "json_type",
    "json_valid",
    "jsonb",
    "jsonb_array",
    "jsonb_extract",
    "jsonb_group_array",
    "jsonb_group_object",
    "jsonb_insert",
    "jsonb_object",
    "jsonb_patch",
    "jsonb_remove",
    "jsonb_replace",
    "jsonb_set",
    "julianday",
    "lag",
    "last_insert_rowid",
    "last_value",
    "lead",
    "length",
    "like",
    "likelihood",
    "likely",
    "ln",
    "log",
    "log10",
    "log2",
    "lower",
    "ltrim",
    "max",
    "min",
    "mod",
    "nth_value",
    "ntile",
    "nullif",
    "octet_length",
    "percent_rank",
    "pi",
    "pow",
    "power",
    "printf",
    "quote",
    "radians",
    "random",
    "randomblob",
    "rank",
    "replace",
    "round",
    "row_number",
    "rtrim",
    "sign",
    "sin",
    "sinh",
    "soundex",
    "sqlite_compileoption_get",
    "sqlite_compileoption_used",
    "sqlite_offset",
    "sqlite_source_id",
    "sqlite_version",
    "sqrt",
    "strftime",
    "string_agg",
    "substr",
    "substring",
    "sum",
    "tan",
    "tanh",
    "time",
    "timediff",
    "total",
    "total_changes",
    "trim",
    "trunc",
    "typeof",
    "unhex",
    "unicode",
    "unixepoch",
    "unlikely",
    "upper",
    "zeroblob",
];

/// ClickHouse functions that only compute, and the table functions that only generate rows (`numbers`,
/// `zeros`, `values`, `generaterandom`, `null`). Names are compared lowercased.
const CLICKHOUSE: &[&str] = &[
    "abs",
    "any",
    "anylast",
    "argmax",
    "argmin",
    "array",
    "arrayjoin",
    "arraymap",
    "arrayfilter",
    "avg",
    "avgif",
    "cast",
    "ceil",
    "coalesce",
    "concat",
    "count",
    "countif",
    "currentdatabase",
    "currentuser",
    "date_trunc",
    "dictget",
    "empty",
    "extract",
    "floor",
    "formatdatetime",
    "generaterandom",
    "greatest",
    "grouparray",
    "groupuniqarray",
    "has",
    "if",
    "ifnull",
    "in",
    "isnull",
    "jsonextract",
    "jsonextractstring",
    "jsonextractint",
    "least",
    "length",
    "like",
    "lower",
    "lowerutf8",
    "match",
    "max",
    "maxif",
    "median",
    "min",
    "minif",
    "multiif",
    "notempty",
    "now",
    "now64",
    "null",
    "nullif",
    "numbers",
    "numbers_mt",
    "position",
    "quantile",
    "quantiles",
    "rand",
    "range",
    "replaceall",
    "replaceone",
    "replaceregexpall",
    "round",
    "splitbychar",
    "splitbystring",
    "startswith",
    "endswith",
    "substring",
    "sum",
    "sumif",
    "toint32",
    "toint64",
    "todate",
    "todatetime",
    "todatetime64",
    "tofloat64",
    "tostartofday",
    "tostartofhour",
    "tostartofminute",
    "tostartofmonth",
    "tostartofweek",
    "tostartofyear",
    "tostring",
    "totypename",
    "touint32",
    "touint64",
    "toyear",
    "toyyyymm",
    "toyyyymmdd",
    "today",
    "trim",
    "tuple",
    "uniq",
    "uniqexact",
    "upper",
    "upperutf8",
    "values",
    "version",
    "yesterday",
    "zeros",
];

/// Whether a non-PostgreSQL dialect's built-in list has this function.
pub fn allowed(name: &str, dialect: Dialect) -> bool {
    match dialect {
        Dialect::Postgres => pg_allowed(name),
        Dialect::MySql => MYSQL.contains(&name),
        Dialect::Sqlite => SQLITE.contains(&name) || name.starts_with("pragma_"),
        Dialect::ClickHouse => CLICKHOUSE.contains(&name),
    }
}

/// The finding for a call gate does not accept as a read.
pub fn not_allowed(name: &str, why: &str) -> SqlFinding {
    SqlFinding::new(
        Kind::Unknown,
        format!("calls `{name}`, {why}; gate cannot see what it does"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_list_is_loaded_and_reviewed() {
        assert!(pg_list_len() > 2000, "{}", pg_list_len());
        for ok in [
            "lower",
            "now",
            "count",
            "jsonb_path_query",
            "generate_series",
            "coalesce",
        ] {
            assert!(pg_allowed(ok), "{ok}");
        }
        for denied in [
            "dblink_exec",
            "lo_export",
            "pg_read_file",
            "pg_ls_dir",
            "pg_terminate_backend",
            "set_config",
            "pg_advisory_lock",
            "pg_sleep",
            "query_to_xml",
            "table_to_xml",
            "ts_rewrite",
            "pg_current_xact_id",
            "txid_current",
            "nextval",
            "setval",
            "pg_notify",
            "pg_stat_reset",
            "pg_create_logical_replication_slot",
            "pg_reload_conf",
            "lo_unlink",
        ] {
            assert!(!pg_allowed(denied), "{denied}");
        }
    }

    #[test]
    fn curated_lists_are_sorted_enough_to_review() {
        for list in [MYSQL, SQLITE] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, list, "keep the list sorted");
        }
    }
}
