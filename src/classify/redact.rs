//! Secrets never reach the audit file, the backend or any message (DESIGN §2). Everything gate prints or stores
//! about a command goes through here first; the binding digest alone is taken over the unredacted values.

use std::collections::BTreeMap;

/// What a secret is shown as.
pub const MASK: &str = "***";

/// Variable names whose values are credentials wherever they appear as `NAME=value`.
fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "PWD",
        "SECRET",
        "TOKEN",
        "REDISCLI_AUTH",
        "API_KEY",
        "ACCESS_KEY",
    ]
    .iter()
    .any(|s| upper.contains(s))
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The secrets of one command: what it takes as a flag's value (`mysql -pX`, `redis-cli -a X`,
/// `mongosh -p X`, …), the values of secret variables in its environment, and the passwords in its URIs. They
/// are collected once and then masked wherever they appear: in the argv (inside `sh -c` strings too), and in
/// anything classification derived from it (objects, details, targets).
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new(argv: &[String], env: &BTreeMap<String, String>) -> Self {
        let mut secrets: Vec<String> = env
            .iter()
            .filter(|(name, value)| is_secret_name(name) && !value.is_empty())
            .map(|(_, value)| value.clone())
            .collect();
        collect(argv, &mut secrets, 0);
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// Masks one piece of text: the command's own secrets, then every pattern [`text`] knows.
    pub fn text(&self, input: &str) -> String {
        if self.secrets.iter().any(|s| s == input) {
            return MASK.to_string();
        }
        let mut masked = text(input);
        for secret in self.secrets.iter().filter(|s| s.len() >= 3) {
            if masked.contains(secret.as_str()) {
                masked = masked.replace(secret.as_str(), MASK);
            }
        }
        masked
    }

    pub fn argv(&self, argv: &[String]) -> Vec<String> {
        argv.iter().map(|a| self.text(a)).collect()
    }
}

/// The families of tools whose flags carry secrets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Other,
    MySql,
    Redis,
    Mongo,
    ClickHouse,
}

fn family(word: &str) -> Option<Family> {
    let name = word.rsplit('/').next().unwrap_or(word);
    Some(match name {
        "mysql" | "mariadb" | "mysqldump" | "mariadb-dump" | "mysqladmin" | "mysqlimport"
        | "mysqlcheck" => Family::MySql,
        "redis-cli" | "valkey-cli" => Family::Redis,
        "mongosh" | "mongo" | "mongodump" | "mongoexport" | "mongorestore" | "mongoimport" => {
            Family::Mongo
        }
        "clickhouse-client" | "clickhouse" => Family::ClickHouse,
        "psql" | "pg_dump" | "pg_dumpall" | "pg_restore" | "sqlite3" | "sudo" | "env" | "ssh"
        | "docker" | "kubectl" | "sh" | "bash" => Family::Other,
        _ => return None,
    })
}

/// Collects the secrets in a list of words, following shell text into its commands.
fn collect(words: &[String], out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    let mut current = Family::Other;
    let mut redis_words: Vec<&str> = Vec::new();
    let mut iter = words.iter().peekable();
    while let Some(w) = iter.next() {
        if let Some(f) = family(w) {
            current = f;
            redis_words.clear();
            continue;
        }
        if let Some((name, value)) = w.split_once('=')
            && is_env_name(name)
            && is_secret_name(name)
            && !value.is_empty()
        {
            out.push(value.to_string());
        }
        if let Some(value) = w
            .strip_prefix("--password=")
            .or_else(|| w.strip_prefix("--pass="))
        {
            out.push(value.to_string());
        }
        uri_secrets(w, out);
        match current {
            Family::MySql => {
                if let Some(pw) = w
                    .strip_prefix("-p")
                    .filter(|p| !p.is_empty() && !w.starts_with("--"))
                {
                    out.push(pw.to_string());
                }
            }
            Family::Redis => match w.as_str() {
                "-a" | "--pass" => out.extend(iter.next().cloned()),
                _ if !w.starts_with('-') => redis_words.push(w),
                _ => {}
            },
            Family::Mongo | Family::ClickHouse
                if w == "-p" && current == Family::Mongo || w == "--password" =>
            {
                out.extend(iter.next().cloned());
            }
            _ => {}
        }
        // Shell text: collect from each command inside it.
        if w.contains(char::is_whitespace) && !w.trim().is_empty() {
            for command in super::wrap::split_commands(w) {
                for (name, value) in &command.assignments {
                    if is_secret_name(name) && !value.is_empty() {
                        out.push(value.clone());
                    }
                }
                collect(&command.words, out, depth + 1);
            }
        }
    }
    redis_command_secrets(&redis_words, out);
}

/// `AUTH [user] password`, and `ACL SETUSER name … >password`.
fn redis_command_secrets(words: &[&str], out: &mut Vec<String>) {
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    match upper.first().map(String::as_str) {
        Some("AUTH") => out.extend(
            words
                .last()
                .filter(|_| words.len() > 1)
                .map(ToString::to_string),
        ),
        Some("ACL") if upper.get(1).is_some_and(|s| s == "SETUSER") => {
            for w in words.iter().skip(3) {
                if let Some(pw) = w
                    .strip_prefix('>')
                    .or_else(|| w.strip_prefix('<'))
                    .or_else(|| w.strip_prefix('#'))
                    .or_else(|| w.strip_prefix('!'))
                {
                    out.push(pw.to_string());
                }
            }
        }
        _ => {}
    }
}

/// The password part of any `scheme://user:password@host` in a word.
fn uri_secrets(word: &str, out: &mut Vec<String>) {
    let mut rest = word;
    while let Some(pos) = rest.find("://") {
        let tail = &rest[pos + 3..];
        let end = tail
            .find(|c: char| "/?#".contains(c) || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        if let Some(at) = authority.rfind('@')
            && let Some((_, pw)) = authority[..at].split_once(':')
            && !pw.is_empty()
        {
            out.push(pw.to_string());
        }
        rest = &tail[end..];
    }
}

/// Redacts one piece of text: `NAME=value` assignments of secret variables, passwords in URIs, and the value
/// after a `password` keyword (conninfo `password=…`, `--password=…`, SQL `PASSWORD '…'`) or after
/// `IDENTIFIED … BY`.
pub fn text(input: &str) -> String {
    if let Some((name, _)) = input.split_once('=')
        && is_env_name(name)
        && is_secret_name(name)
    {
        return format!("{name}={MASK}");
    }
    let s = uri_passwords(input);
    keyword_values(&s)
}

/// `scheme://user:secret@host` → `scheme://user:***@host`.
fn uri_passwords(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(pos) = rest.find("://") {
        let (head, tail) = rest.split_at(pos + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| "/?#".contains(c) || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        if let Some(at) = authority.rfind('@')
            && let Some(colon) = authority[..at].find(':')
        {
            out.push_str(&authority[..=colon]);
            out.push_str(MASK);
            out.push_str(&authority[at..]);
        } else {
            out.push_str(authority);
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

fn word_before(s: &str, end: usize) -> bool {
    s[..end]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric() && c != '_')
}

/// Masks the value that follows `password` (with `=`/`(`/spaces between) or `identified … by`.
fn keyword_values(input: &str) -> String {
    let lower = input.to_ascii_lowercase();
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !input.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let keyword_len = if let Some(k) = ["password", "passwd", "pwd"]
            .iter()
            .find(|k| lower[i..].starts_with(**k) && word_before(input, i))
        {
            Some(k.len())
        } else if lower[i..].starts_with("by")
            && word_before(input, i)
            && lower[..i].rfind("identified").is_some_and(|p| i - p < 64)
        {
            Some(2)
        } else {
            None
        };
        let Some(len) = keyword_len else {
            i += 1;
            continue;
        };
        let mut j = i + len;
        if j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            i = j;
            continue;
        }
        // A JSON or JavaScript key: `"pwd": "…"`.
        if matches!(bytes.get(j), Some(b'"' | b'\''))
            && input[j + 1..].trim_start().starts_with(':')
        {
            j += 1;
        }
        let mut assigned = false;
        while j < bytes.len()
            && (bytes[j] == b' '
                || bytes[j] == b'\t'
                || bytes[j] == b'='
                || bytes[j] == b'('
                || bytes[j] == b':')
        {
            assigned |= bytes[j] == b'=' || bytes[j] == b':';
            j += 1;
        }
        let value_end = match bytes.get(j) {
            Some(&q @ (b'\'' | b'"')) => Some((j + 1, closing_quote(bytes, j, q))),
            // `PASSWORD = PASSWORD('…')`: the inner call is masked when the scan reaches it.
            Some(c)
                if c.is_ascii_alphabetic()
                    && input[j..]
                        .split(char::is_whitespace)
                        .next()
                        .is_some_and(|w| w.contains('(')) =>
            {
                None
            }
            Some(_) if assigned => {
                let end = input[j..]
                    .find(char::is_whitespace)
                    .map_or(bytes.len(), |e| j + e);
                Some((j, end))
            }
            _ => None,
        };
        match value_end {
            Some((start, end)) if end > start => {
                out.push_str(&input[copied..start]);
                out.push_str(MASK);
                copied = end;
                i = end;
            }
            _ => i = j.max(i + 1),
        }
    }
    out.push_str(&input[copied..]);
    out
}

/// The index of the quote that closes the one at `open`, honouring doubled quotes and backslashes. An
/// unterminated value runs to the end, so that it is still masked.
fn closing_quote(bytes: &[u8], open: usize, quote: u8) -> usize {
    let mut k = open + 1;
    while k < bytes.len() {
        if bytes[k] == b'\\' {
            k += 2;
            continue;
        }
        if bytes[k] == quote {
            if bytes.get(k + 1) == Some(&quote) {
                k += 2;
                continue;
            }
            return k;
        }
        k += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_form() {
        let cases = [
            ("PGPASSWORD=Canary", "PGPASSWORD=***"),
            ("MYSQL_PWD=Canary", "MYSQL_PWD=***"),
            (
                "postgres://ops:Canary@db:5432/app",
                "postgres://ops:***@db:5432/app",
            ),
            (
                "host=db password=Canary dbname=app",
                "host=db password=*** dbname=app",
            ),
            (
                "host=db password = 'Can ary' dbname=app",
                "host=db password = '***' dbname=app",
            ),
            ("--password=Canary", "--password=***"),
            (
                "CREATE ROLE a LOGIN PASSWORD 'Canary'",
                "CREATE ROLE a LOGIN PASSWORD '***'",
            ),
            (
                "ALTER USER a WITH ENCRYPTED PASSWORD 'it''s'",
                "ALTER USER a WITH ENCRYPTED PASSWORD '***'",
            ),
            (
                "CREATE USER 'app'@'%' IDENTIFIED BY 'Canary'",
                "CREATE USER 'app'@'%' IDENTIFIED BY '***'",
            ),
            (
                "CREATE USER x IDENTIFIED WITH mysql_native_password BY 'Canary'",
                "CREATE USER x IDENTIFIED WITH mysql_native_password BY '***'",
            ),
            (
                "SET PASSWORD = PASSWORD('Canary')",
                "SET PASSWORD = PASSWORD('***')",
            ),
            (
                "ALTER ROLE a PASSWORD 'unterminated",
                "ALTER ROLE a PASSWORD '***",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(text(input), want, "{input}");
        }
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for input in [
            "SELECT password FROM users",
            "ORDER BY name",
            "postgres://db.prod.internal/app",
            "postgres://ops@db/app",
            "pg_dump -h db app",
            "héllo wörld",
        ] {
            assert_eq!(text(input), input);
        }
    }
}
