//! `clickhouse-client`: SQL from `--query`, `--queries-file`, or stdin, after the client's configuration file.
//!
//! The client reads an XML/YAML configuration before its arguments, takes any server setting as an option
//! (`--max_threads=8`), and abbreviations of its long options (boost::program_options `unix_style` guesses). Gate
//! reads an option it lists, a setting it allow-lists and `--param_<name>`; anything else is `unknown`.

use std::collections::BTreeMap;

use super::args::{self, OptSpec, Style, opt};
use super::sql::Dialect;
use super::{Finding, Kind, Sources, Target, Tool};

/// The client's own options (ClickHouse docs, "Command-Line Client", options section, 24.x).
const CLICKHOUSE: &[OptSpec] = &[
    opt(Some('q'), "query", true),
    opt(None, "queries-file", true),
    opt(Some('h'), "host", true),
    opt(None, "port", true),
    opt(Some('u'), "user", true),
    opt(None, "password", true),
    opt(None, "ask-password", false),
    opt(Some('d'), "database", true),
    opt(Some('f'), "format", true),
    opt(Some('E'), "vertical", false),
    opt(Some('n'), "multiquery", false),
    opt(Some('m'), "multiline", false),
    opt(Some('t'), "time", false),
    opt(None, "stacktrace", false),
    opt(Some('s'), "secure", false),
    opt(None, "no-warnings", false),
    opt(None, "progress", false),
    opt(None, "echo", false),
    opt(None, "query_id", true),
    opt(None, "connection", true),
    opt(Some('C'), "config-file", true),
    opt(None, "history_file", true),
    opt(None, "help", false),
    opt(Some('V'), "version", false),
    opt(None, "compression", true),
    opt(None, "quota_key", true),
    opt(None, "max_threads", true),
    opt(None, "max_execution_time", true),
    opt(None, "max_memory_usage", true),
    opt(None, "max_result_rows", true),
    opt(None, "max_block_size", true),
    opt(None, "output_format_pretty_max_rows", true),
    opt(None, "receive_timeout", true),
    opt(None, "send_timeout", true),
    opt(None, "connect_timeout", true),
];

/// The configuration files the client reads when `--config-file` is not given, first found wins.
fn default_configs(env: &BTreeMap<String, String>) -> Vec<String> {
    let mut files = vec![
        "clickhouse-client.xml".to_string(),
        "clickhouse-client.yaml".to_string(),
        "clickhouse-client.yml".to_string(),
    ];
    if let Some(home) = env.get("HOME").filter(|h| h.starts_with('/')) {
        for ext in ["xml", "yaml", "yml"] {
            files.push(format!("{home}/.clickhouse-client/config.{ext}"));
        }
    }
    for ext in ["xml", "yaml", "yml"] {
        files.push(format!("/etc/clickhouse-client/config.{ext}"));
    }
    files
}

/// What ClickHouse SQL makes the client or the server do outside the database, which the statement's kind does
/// not show: a table function after `FROM`/`JOIN`/`TABLE FUNCTION` (`file()`, `url()`, `s3()`, `remote()`,
/// `executable()` … read files, fetch URLs, run programs or reach other servers; gate allows none of them), and the
/// client's own `INTO OUTFILE` and `FROM INFILE`.
fn outside_the_database(text: &str) -> Vec<(Kind, String)> {
    use super::sql::lex::Token;
    let tokens = super::sql::lex::tokenize(text, true);
    let mut out = Vec::new();
    // Whether the tokens at each parenthesis depth are inside a FROM clause, where a call is a table function.
    let mut in_from: Vec<bool> = vec![false];
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Punct('(') => in_from.push(false),
            Token::Punct(')') if in_from.len() > 1 => {
                in_from.pop();
            }
            Token::Punct(';') => in_from = vec![false],
            Token::Word(w) => match w.as_str() {
                "from" | "join" => *in_from.last_mut().expect("never empty") = true,
                "where" | "prewhere" | "group" | "order" | "limit" | "having" | "settings"
                | "format" | "union" | "window" | "qualify" | "into" | "values" | "select"
                | "except" | "intersect" => *in_from.last_mut().expect("never empty") = false,
                _ => {}
            },
            _ => {}
        }
        let Some(name) = token.name() else { continue };
        if tokens.get(i + 1) != Some(&Token::Punct('(')) {
            continue;
        }
        let after_keyword = i > 0
            && tokens[i - 1]
                .word()
                .is_some_and(|w| matches!(w, "from" | "join" | "table" | "function"));
        let lower = name.to_ascii_lowercase();
        if GENERATORS.contains(&lower.as_str()) {
            continue;
        }
        if *in_from.last().expect("never empty")
            || after_keyword
            || TABLE_FUNCTIONS.contains(&lower.as_str())
        {
            out.push((
                Kind::Unknown,
                format!("table function `{name}()` reaches outside the database; gate allows none"),
            ));
        }
    }
    if tokens.iter().any(|t| t.is_word("outfile")) {
        out.push((
            Kind::DataExport,
            "INTO OUTFILE: the client writes the result to a file".into(),
        ));
    }
    if tokens.iter().any(|t| t.is_word("infile")) {
        out.push((
            Kind::Unknown,
            "FROM INFILE: the client reads a local file".into(),
        ));
    }
    out
}

/// ClickHouse table functions that only make rows from their literal arguments (ClickHouse docs, "Table
/// Functions": numbers, zeros, generate_series, generateRandom, values): nothing outside the query is touched.
const GENERATORS: &[&str] = &[
    "numbers",
    "numbers_mt",
    "zeros",
    "zeros_mt",
    "generate_series",
    "generaterandom",
    "values",
];

/// ClickHouse table functions that reach files, programs, URLs or other servers (ClickHouse docs, "Table
/// Functions"), refused wherever they appear, in case the FROM-clause rule above misses a spelling.
const TABLE_FUNCTIONS: &[&str] = &[
    "file",
    "filecluster",
    "url",
    "urlcluster",
    "s3",
    "s3cluster",
    "gcs",
    "azureblobstorage",
    "azureblobstoragecluster",
    "hdfs",
    "hdfscluster",
    "remote",
    "remotesecure",
    "cluster",
    "clusterallreplicas",
    "mysql",
    "postgresql",
    "sqlite",
    "odbc",
    "jdbc",
    "mongodb",
    "redis",
    "executable",
    "input",
    "iceberg",
    "deltalake",
    "hudi",
];

/// `clickhouse-client` (and `clickhouse client`).
pub fn clickhouse(
    argv: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Vec<Finding> {
    let unknown = |why: String| {
        vec![Finding::new(
            Kind::Unknown,
            "clickhouse-client",
            &Target::default(),
            why,
        )]
    };
    // Query parameters are substituted as typed values; gate accepts them whatever they are called.
    let rest: Vec<String> = argv
        .iter()
        .filter(|a| !a.starts_with("--param_") || !a.contains('='))
        .cloned()
        .collect();
    let parsed = match args::parse_strict(&rest, CLICKHOUSE, Style::GNU) {
        Ok(p) => p,
        Err(e) => return unknown(format!("clickhouse-client: {e}")),
    };
    let target = Target {
        host: args::last(&parsed, "host")
            .map(str::to_string)
            .or_else(|| env.get("CLICKHOUSE_HOST").cloned()),
        port: args::last(&parsed, "port").and_then(|p| p.parse().ok()),
        database: args::last(&parsed, "database").map(str::to_string),
        user: args::last(&parsed, "user")
            .map(str::to_string)
            .or_else(|| env.get("CLICKHOUSE_USER").cloned()),
    };
    let tool = Tool {
        name: "clickhouse-client",
        target: &target,
        dialect: Dialect::ClickHouse,
    };
    if args::has(&parsed, "help") || args::has(&parsed, "version") {
        return vec![tool.finding(Kind::Read, "prints the client's help or version")];
    }
    let mut findings = Vec::new();
    if args::positionals(&parsed).next().is_some() {
        findings.push(tool.finding(
            Kind::Unknown,
            "the client takes a positional argument gate does not model",
        ));
    }
    match args::last(&parsed, "config-file") {
        Some(file) => findings.push(tool.finding(
            Kind::Unknown,
            format!("--config-file {file}: gate does not read the client's configuration"),
        )),
        None => {
            // Whatever is there (readable or not) is configuration gate does not read.
            if let Some(file) = default_configs(env)
                .into_iter()
                .find(|f| !matches!(super::optional_input(sources, f), Ok(None)))
            {
                findings.push(tool.finding(
                    Kind::Unknown,
                    format!("the client reads {file}; gate does not read its configuration"),
                ));
            }
        }
    }
    if args::has(&parsed, "connection") {
        findings.push(tool.finding(
            Kind::Unknown,
            "--connection picks a server from the configuration; gate cannot tell the target",
        ));
    }
    if let Some(file) = args::last(&parsed, "history_file") {
        findings.push(tool.finding(
            Kind::Unknown,
            format!("--history_file {file} is written by the client"),
        ));
    }
    let mut queries: Vec<Finding> = args::values(&parsed, "query")
        .flat_map(|q| tool.sql(q, sources))
        .collect();
    let mut texts: Vec<String> = args::values(&parsed, "query").map(str::to_string).collect();
    for file in args::values(&parsed, "queries-file") {
        queries.extend(tool.script_file(file, sources));
        if let Some(bytes) = sources.read_file(file) {
            texts.push(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    if texts.is_empty()
        && let super::StdinView::Bytes { bytes, .. } = sources.stdin()
    {
        texts.push(String::from_utf8_lossy(bytes).into_owned());
    }
    for text in &texts {
        for (kind, detail) in outside_the_database(text) {
            findings.push(tool.finding(kind, detail));
        }
    }
    if queries.is_empty() {
        queries = tool.stdin(sources);
    }
    findings.extend(queries);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    fn kinds(a: &[&str]) -> Vec<Kind> {
        let mut k: Vec<Kind> = clickhouse(&s(a), &BTreeMap::new(), &NoSources)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    #[test]
    fn clickhouse_queries() {
        let f = clickhouse(
            &s(&["-h", "ch.prod", "--query", "TRUNCATE TABLE events"]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert_eq!(
            (f[0].kind, f[0].target.host.as_deref()),
            (Kind::DestructiveWrite, Some("ch.prod"))
        );
        assert_eq!(kinds(&["--secu", "-q", "SELECT 1"]), [Kind::Read]);
        assert_eq!(kinds(&["--que=SELECT 1"]), [Kind::Unknown], "ambiguous");
        assert_eq!(
            kinds(&["--param_id=5", "-q", "SELECT {id:UInt8}"]),
            [Kind::Read]
        );
        assert!(kinds(&["--allow_ddl=1", "-q", "SELECT 1"]).contains(&Kind::Unknown));
        assert!(kinds(&["-C", "/tmp/x.xml", "-q", "SELECT 1"]).contains(&Kind::Unknown));
    }
}
