//! Secrets never reach the audit file, the backend or any message (DESIGN §2). Everything gate prints or stores
//! about a command goes through here first; the binding digest alone is taken over the unredacted values.

use std::collections::BTreeMap;

/// What a secret is shown as.
pub const MASK: &str = "***";

/// Variable names whose values are credentials wherever they appear as `NAME=value`.
fn is_secret_name(name: &str) -> bool {
    contains_any_ignore_case(name, SECRET_NAME_PARTS)
}

/// What makes a variable's name a secret one (`PASSWORD` and `PASSWD` both start with `PASS`).
const SECRET_NAME_PARTS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "rediscli_auth",
    "api_key",
    "access_key",
];

/// Whether `haystack` holds any of `needles` (lowercase ASCII), ignoring ASCII case, in one pass and without
/// allocating: redaction asks this of every word of every command, so it must cost next to nothing when the
/// answer is no.
fn contains_any_ignore_case(haystack: &str, needles: &[&str]) -> bool {
    debug_assert!(
        needles.len() <= 32 && needles.iter().all(|n| n.as_bytes()[0].is_ascii_lowercase())
    );
    // Which needles start with each letter, so each byte of the haystack is compared with those alone.
    let mut starting = [0u32; 26];
    for (k, n) in needles.iter().enumerate() {
        starting[usize::from(n.as_bytes()[0] - b'a')] |= 1 << k;
    }
    let bytes = haystack.as_bytes();
    bytes.iter().enumerate().any(|(i, b)| {
        let lower = b.to_ascii_lowercase();
        if !lower.is_ascii_lowercase() {
            return false;
        }
        let mut candidates = starting[usize::from(lower - b'a')];
        while candidates != 0 {
            let n = needles[candidates.trailing_zeros() as usize].as_bytes();
            candidates &= candidates - 1;
            if bytes
                .get(i..i + n.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(n))
            {
                return true;
            }
        }
        false
    })
}

/// Whether [`text`] could change `input`: each of its rules needs one of these (a URI password and a header
/// need a colon, the keyword rules their keyword, the mongosh calls `password` or `auth(`).
fn text_may_hold_secret(input: &str) -> bool {
    input.contains(':')
        || contains_any_ignore_case(input, &["pass", "pwd", "identified", "replace", "auth("])
}

/// Whether shell text could hold a secret [`collect`] finds in its commands: a flag or assignment needs `--`,
/// a secret name or a colon (URIs, `user:password`); the tools' own short flags (`-pX`, `-a X`) need the tool.
fn shell_may_hold_secret(input: &str) -> bool {
    const TOOLS_AND_NAMES: &[&str] = &[
        "mysql",
        "mariadb",
        "redis-cli",
        "valkey-cli",
        "mongo",
        "clickhouse",
        "curl",
        "wget",
        "http",
        "auth",
        "pass",
        "pwd",
        "secret",
        "token",
        "api_key",
        "access_key",
    ];
    input.contains("--") || input.contains(':') || contains_any_ignore_case(input, TOOLS_AND_NAMES)
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
    Postgres,
    Http,
}

fn family(word: &str) -> Option<Family> {
    let name = word.rsplit('/').next().unwrap_or(word);
    Some(match name {
        "mysql" | "mariadb" | "mysqldump" | "mariadb-dump" | "mysqladmin" | "mysqlimport"
        | "mysqlcheck" | "mysqlshow" | "mysqlbinlog" => Family::MySql,
        "redis-cli" | "valkey-cli" => Family::Redis,
        "mongosh" | "mongo" | "mongodump" | "mongoexport" | "mongorestore" | "mongoimport" => {
            Family::Mongo
        }
        "clickhouse-client" | "clickhouse" => Family::ClickHouse,
        "psql" | "pg_dump" | "pg_dumpall" | "pg_restore" | "createdb" | "dropdb" => {
            Family::Postgres
        }
        "curl" | "wget" | "http" | "https" => Family::Http,
        "sqlite3" | "sudo" | "env" | "ssh" | "docker" | "kubectl" | "oc" | "aws" | "sh"
        | "bash" | "terraform" | "tofu" => Family::Other,
        _ => return None,
    })
}

/// Whether a long option's name says its value is a credential (`--token`, `--client-secret`,
/// `--secret-access-key`, `--oauth2-bearer`, `--sslPEMKeyPassword`, …). A path option such as `--token-file` is
/// masked too: over-masking a path costs nothing.
fn is_secret_flag(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    [
        "password",
        "passwd",
        "token",
        "secret",
        "apikey",
        "bearer",
        "credential",
    ]
    .iter()
    .any(|k| folded.contains(k))
        || folded == "pass"
}

/// The password a MySQL client takes from `-pSECRET`, or from a cluster of flags that ends in it (`-BNpSECRET`).
fn mysql_short_password(word: &str) -> Option<&str> {
    const FLAGS: &str = "?IABNcCTfHiGbLoWqrUsntvVEwXjdlKexRQYyFa";
    let cluster = word.strip_prefix('-').filter(|c| !c.starts_with('-'))?;
    let at = cluster.find('p')?;
    if !cluster[..at].chars().all(|c| FLAGS.contains(c)) {
        return None;
    }
    Some(&cluster[at + 1..]).filter(|p| !p.is_empty())
}

/// `--password=X` and every name a MySQL client reads as it: prefixes (`--pass=`, `--passw=`), `_`, `--loose-`,
/// `--password1=`.
fn mysql_long_password(word: &str) -> Option<&str> {
    let (name, value) = word.strip_prefix("--")?.split_once('=')?;
    let name = name.replace('_', "-");
    let name = name.strip_prefix("loose-").unwrap_or(&name);
    let is_password = ["password", "password1", "password2", "password3"]
        .iter()
        .any(|p| name.len() >= 2 && p.starts_with(name))
        || name.starts_with("password");
    is_password.then_some(value).filter(|v| !v.is_empty())
}

/// The `password` keyword's value in a libpq conninfo string (`-d 'host=x password=y'`, `-dpassword=y`).
fn conninfo_password(text: &str, out: &mut Vec<String>) {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find("password") {
        let start = from + at;
        from = start + "password".len();
        if start > 0
            && lower.as_bytes()[start - 1].is_ascii_alphanumeric()
            && !text[..start].ends_with("-d")
        {
            continue;
        }
        let rest = text[from..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let value: String = if let Some(quoted) = rest.strip_prefix('\'') {
            let mut v = String::new();
            let mut chars = quoted.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => v.extend(chars.next()),
                    '\'' => break,
                    c => v.push(c),
                }
            }
            v
        } else {
            rest.split(char::is_whitespace)
                .next()
                .unwrap_or("")
                .to_string()
        };
        if !value.is_empty() {
            out.push(value);
        }
    }
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
            redis_command_secrets(&redis_words, out);
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
        if let Some(long) = w.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, value)) if is_secret_flag(name) && !value.is_empty() => {
                    out.push(value.to_string());
                }
                // The next word is the value, except for the MySQL clients' `--password`, which never takes one.
                None if is_secret_flag(long) && current != Family::MySql => {
                    if let Some(next) = iter.peek()
                        && !next.starts_with('-')
                    {
                        out.push((*next).clone());
                    }
                }
                _ => {}
            }
        }
        if w.contains(':') {
            uri_secrets(w, out);
        }
        if contains_any_ignore_case(w, &["password"]) {
            conninfo_password(w, out);
        }
        match current {
            Family::MySql => {
                out.extend(mysql_short_password(w).map(str::to_string));
                out.extend(mysql_long_password(w).map(str::to_string));
            }
            Family::Redis => match w.as_str() {
                "-a" | "--pass" | "--user" => out.extend(iter.next().cloned()),
                _ if !w.starts_with('-') => redis_words.push(w),
                _ => {}
            },
            Family::Mongo if w == "-p" => out.extend(iter.next().cloned()),
            Family::Http => {
                let user_value = match w.as_str() {
                    "-u" | "--user" | "-U" | "--proxy-user" => iter.next().cloned(),
                    _ => w
                        .strip_prefix("-u")
                        .or_else(|| w.strip_prefix("-U"))
                        .filter(|_| !w.starts_with("--"))
                        .map(str::to_string),
                };
                if let Some((_, pw)) = user_value.as_deref().and_then(|u| u.split_once(':'))
                    && !pw.is_empty()
                {
                    out.push(pw.to_string());
                }
                if matches!(w.as_str(), "-H" | "--header" | "--proxy-header")
                    && let Some(h) = iter.peek()
                {
                    header_secret(h, out);
                }
                if let Some(h) = w.strip_prefix("-H").filter(|h| !h.is_empty()) {
                    header_secret(h, out);
                }
            }
            _ => {}
        }
        // Shell text: collect from each command inside it.
        if w.contains(char::is_whitespace) && !w.trim().is_empty() && shell_may_hold_secret(w) {
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

/// The value of a credential header, as a secret of its own.
fn header_secret(header: &str, out: &mut Vec<String>) {
    if let Some((name, value)) = header.split_once(':') {
        let name = name.trim().to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "authorization"
                | "proxy-authorization"
                | "x-api-key"
                | "x-auth-token"
                | "private-token"
                | "cookie"
        ) {
            let value = value.trim();
            if !value.is_empty() {
                out.push(value.to_string());
                // `Bearer abc`: the token alone, wherever it shows up again.
                if let Some((_, token)) = value.split_once(' ')
                    && !token.trim().is_empty()
                {
                    out.push(token.trim().to_string());
                }
            }
        }
    }
}

/// The secrets in redis commands, wherever they sit among the words (the options' values come first):
/// `AUTH [user] password`, `HELLO … AUTH user password`, `CONFIG SET requirepass|masterauth value`,
/// `ACL SETUSER name … >password <password #hash !hash`, and `MIGRATE … AUTH password | AUTH2 user password`.
fn redis_command_secrets(words: &[&str], out: &mut Vec<String>) {
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    for (i, word) in upper.iter().enumerate() {
        match word.as_str() {
            "AUTH" => {
                // `AUTH pw`, `AUTH user pw`, and `HELLO 3 AUTH user pw`: the words after it are all credentials
                // (a username is not secret, but masking it costs nothing).
                for w in words.iter().skip(i + 1).take(2) {
                    out.push((*w).to_string());
                }
            }
            "AUTH2" => {
                for w in words.iter().skip(i + 1).take(2) {
                    out.push((*w).to_string());
                }
            }
            "CONFIG" if upper.get(i + 1).is_some_and(|s| s == "SET") => {
                let mut k = i + 2;
                while k + 1 < words.len() {
                    if matches!(
                        upper[k].as_str(),
                        "REQUIREPASS"
                            | "MASTERAUTH"
                            | "MASTERUSER"
                            | "PRIMARYAUTH"
                            | "TLS-KEY-FILE-PASS"
                            | "TLS-CLIENT-KEY-FILE-PASS"
                    ) {
                        out.push(words[k + 1].to_string());
                    }
                    k += 2;
                }
            }
            "SETUSER" if i > 0 && upper[i - 1] == "ACL" => {
                for w in words.iter().skip(i + 2) {
                    if let Some(pw) = w
                        .strip_prefix('>')
                        .or_else(|| w.strip_prefix('<'))
                        .or_else(|| w.strip_prefix('#'))
                        .or_else(|| w.strip_prefix('!'))
                        .filter(|p| !p.is_empty())
                    {
                        out.push(pw.to_string());
                    }
                }
            }
            _ => {}
        }
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
    if !text_may_hold_secret(input) {
        return input.to_string();
    }
    let s = uri_passwords(input);
    js_password_calls(&keyword_values(&s))
}

/// mongosh calls whose second argument is a password: `changeUserPassword("u", "pw")`, `db.auth("u", "pw")`.
fn js_password_calls(input: &str) -> String {
    let mut out = input.to_string();
    for call in ["changeUserPassword(", "auth("] {
        let mut from = 0;
        while let Some(at) = out[from..].find(call) {
            let open = from + at + call.len();
            from = open;
            let bytes = out.as_bytes();
            let j = skip_blanks(bytes, open);
            // The first argument: a string literal, then a comma.
            let Some((_, first_end)) = literal_span(&out, j) else {
                continue;
            };
            let k = skip_blanks(bytes, first_end + 1);
            if bytes.get(k) != Some(&b',') {
                continue;
            }
            let k = skip_blanks(bytes, k + 1);
            if let Some((start, end)) = literal_span(&out, k)
                && end > start
            {
                out = format!("{}{MASK}{}", &out[..start], &out[end..]);
                from = start + MASK.len();
            }
        }
    }
    out
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

/// Skips spaces, tabs, newlines and SQL comments (`/* … */`, `-- …`, `# …`) from `j`.
fn skip_blanks(bytes: &[u8], mut j: usize) -> usize {
    loop {
        match bytes.get(j) {
            Some(b' ' | b'\t' | b'\n' | b'\r') => j += 1,
            Some(b'/') if bytes.get(j + 1) == Some(&b'*') => {
                j = bytes[j + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(bytes.len(), |p| j + 2 + p + 2);
            }
            Some(b'-') if bytes.get(j + 1) == Some(&b'-') => {
                j = bytes[j..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| j + p);
            }
            Some(b'#') => {
                j = bytes[j..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| j + p);
            }
            _ => return j,
        }
    }
}

/// The span of a string literal that starts at `j`, in any spelling PostgreSQL or MySQL accepts: `'…'`, `"…"`,
/// `E'…'`, `U&'…'`, `N'…'`, `X'…'`, `B'…'`, `_charset'…'`, `$$…$$` and `$tag$…$tag$`. The span is the literal's
/// contents; an unterminated literal runs to the end, so that it is still masked.
fn literal_span(input: &str, j: usize) -> Option<(usize, usize)> {
    let bytes = input.as_bytes();
    let mut k = j;
    // Prefixes: `E`, `U&`, `N`, `X`, `B`, or an introducer such as `_utf8mb4`.
    if bytes.get(k) == Some(&b'_') {
        while bytes
            .get(k)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            k += 1;
        }
    } else if matches!(bytes.get(k), Some(b'u' | b'U')) && bytes.get(k + 1) == Some(&b'&') {
        k += 2;
    } else if matches!(
        bytes.get(k),
        Some(b'e' | b'E' | b'n' | b'N' | b'x' | b'X' | b'b' | b'B')
    ) && bytes.get(k + 1) == Some(&b'\'')
    {
        k += 1;
    }
    match bytes.get(k) {
        Some(&q @ (b'\'' | b'"')) => Some((k + 1, closing_quote(bytes, k, q))),
        Some(b'$') => {
            let tag_end = bytes[k + 1..]
                .iter()
                .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
                .map(|p| k + 1 + p)?;
            if bytes.get(tag_end) != Some(&b'$') {
                return None;
            }
            let tag = &input[k..=tag_end];
            let body = tag_end + 1;
            let end = input[body..].find(tag).map_or(bytes.len(), |p| body + p);
            Some((body, end))
        }
        _ => None,
    }
}

/// Whether `word` (any case) starts at `i` and is a whole word there.
fn word_at(input: &str, lower: &str, i: usize, word: &str) -> bool {
    lower[i..].starts_with(word)
        && word_before(input, i)
        && !input[i + word.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Whether a credential keyword (`password`, `identified`) occurs in the 200 bytes before `i`.
fn after_credential_keyword(lower: &str, i: usize) -> bool {
    let mut from = i.saturating_sub(200);
    while !lower.is_char_boundary(from) {
        from += 1;
    }
    let window = &lower[from..i];
    window.contains("password") || window.contains("identified")
}

/// Masks the value that follows `password` (with `=`/`(`/`:`/spaces/comments between, and MySQL's `FOR user`),
/// or `identified … by|as|using`, or `replace` in a statement that sets a password.
fn keyword_values(input: &str) -> String {
    let lower = input.to_ascii_lowercase();
    // The scan below acts only at `password`, `passwd`, `pwd`, a `by`/`as`/`using` after `identified`, and
    // `replace`: text with none of them is returned as it is, without walking it byte by byte.
    if !["pass", "pwd", "identified", "replace"]
        .iter()
        .any(|k| lower.contains(k))
    {
        return headers(input);
    }
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
        } else if let Some(k) = ["by", "as", "using"].iter().find(|k| {
            word_at(input, &lower, i, k)
                && lower[..i].rfind("identified").is_some_and(|p| i - p < 160)
        }) {
            Some(k.len())
        } else if word_at(input, &lower, i, "replace") && after_credential_keyword(&lower, i) {
            Some("replace".len())
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
        j = skip_blanks(bytes, j);
        // MySQL: `SET PASSWORD FOR 'u'@'h' = '…'`.
        if lower[j..].starts_with("for")
            && !lower[j + 3..].starts_with(|c: char| c.is_alphanumeric())
            && let Some(eq) = input[j..].find('=')
        {
            j += eq;
        }
        let mut assigned = false;
        loop {
            j = skip_blanks(bytes, j);
            match bytes.get(j) {
                Some(b'=' | b':') => {
                    assigned = true;
                    j += 1;
                }
                Some(b'(') => j += 1,
                _ => break,
            }
        }
        let value_end = if let Some(span) = literal_span(input, j) {
            Some(span)
        } else {
            match bytes.get(j) {
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
            }
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
    headers(&out)
}

/// HTTP credential headers (`Authorization: Bearer …`, `-H 'X-Api-Key: …'`): everything after the name.
fn headers(input: &str) -> String {
    // Every header name below ends with a colon.
    if !input.contains(':') {
        return input.to_string();
    }
    let lower = input.to_ascii_lowercase();
    for name in [
        "proxy-authorization:",
        "authorization:",
        "x-api-key:",
        "x-auth-token:",
        "private-token:",
        "cookie:",
    ] {
        if let Some(at) = lower.find(name) {
            let start = at + name.len();
            let end = input[start..].find('\n').map_or(input.len(), |e| start + e);
            if input[start..end].trim().is_empty() || input[start..end].trim() == MASK {
                continue;
            }
            return headers(&format!("{} {MASK}{}", &input[..start], &input[end..]));
        }
    }
    input.to_string()
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

    #[test]
    fn the_fast_paths_only_skip_text_without_their_keywords() {
        assert!(contains_any_ignore_case(
            "SET PassWord = 'x'",
            &["password"]
        ));
        assert!(contains_any_ignore_case("xx_API_KEY", &["pwd", "api_key"]));
        assert!(!contains_any_ignore_case(
            "SELECT a FROM t",
            &["pass", "pwd"]
        ));
        assert!(!contains_any_ignore_case("pas", &["pass"]));
        // Nested commands still give up their secrets when the text names the tool or the flag.
        for (argv, secret) in [
            (
                &["sh", "-c", "exec mysql -pHunter2x -e 'SELECT 1'"][..],
                "Hunter2x",
            ),
            (
                &["bash", "-c", "REDISCLI_AUTH=Hunter2x redis-cli get k"][..],
                "Hunter2x",
            ),
            (
                &["sh", "-c", "curl -u bob:Hunter2x https://x"][..],
                "Hunter2x",
            ),
            (
                &["sh", "-c", "psql 'postgresql://bob:Hunter2x@db/app'"][..],
                "Hunter2x",
            ),
        ] {
            let argv: Vec<String> = argv.iter().map(|s| (*s).to_string()).collect();
            let shown = Redactor::new(&argv, &BTreeMap::new()).argv(&argv).join(" ");
            assert!(!shown.contains(secret), "{argv:?} -> {shown}");
        }
    }

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
    fn masks_every_sql_and_javascript_spelling() {
        for input in [
            "CREATE ROLE a PASSWORD E'Canary\\x'",
            "CREATE ROLE a PASSWORD $$Canary$$",
            "CREATE ROLE a PASSWORD $pw$Canary$pw$",
            "CREATE ROLE a PASSWORD U&'Canary'",
            "CREATE ROLE a PASSWORD /* x */ 'Canary'",
            "CREATE ROLE a PASSWORD -- x\n'Canary'",
            "ALTER ROLE a ENCRYPTED PASSWORD 'Canary'",
            "SET PASSWORD FOR 'u'@'%' = 'Canary'",
            "SET PASSWORD FOR u = PASSWORD('Canary')",
            "SET PASSWORD = 'new' REPLACE 'Canary'",
            "ALTER USER u IDENTIFIED WITH caching_sha2_password AS 'Canary'",
            "ALTER USER u IDENTIFIED VIA ed25519 USING 'Canary'",
            "CREATE USER u IDENTIFIED BY _utf8mb4'Canary'",
            "db.changeUserPassword(\"u\", \"Canary\")",
            "db.changeUserPassword('u', 'Canary')",
            "db.auth('u', 'Canary')",
            "db.createUser({user: 'a', pwd: 'Canary', roles: []})",
            "Authorization: Bearer Canary",
            "host=db password = 'Canary' dbname=app",
        ] {
            let masked = text(&input.replace("\\n", "\n"));
            assert!(!masked.contains("Canary"), "{input} -> {masked}");
        }
    }

    #[test]
    fn collects_secrets_from_every_flag() {
        let s = |a: &[&str]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
        for argv in [
            s(&["mysql", "-BNpCanary", "-e", "SELECT 1"]),
            s(&["mysql", "--passw=Canary"]),
            s(&["mysql", "--loose_password=Canary"]),
            s(&[
                "redis-cli",
                "-h",
                "r",
                "ACL",
                "SETUSER",
                "bob",
                "on",
                ">Canary",
            ]),
            s(&[
                "redis-cli",
                "-n",
                "1",
                "CONFIG",
                "SET",
                "requirepass",
                "Canary",
            ]),
            s(&["redis-cli", "HELLO", "3", "AUTH", "u", "Canary"]),
            s(&[
                "redis-cli",
                "MIGRATE",
                "h",
                "6379",
                "k",
                "0",
                "10",
                "AUTH2",
                "u",
                "Canary",
            ]),
            s(&["redis-cli", "--user", "u", "--pass", "Canary"]),
            s(&["psql", "-dpassword=Canary", "-c", "SELECT 1"]),
            s(&["kubectl", "--token", "Canary", "get", "pods"]),
            s(&["kubectl", "--token=Canary", "get", "pods"]),
            s(&["curl", "-u", "user:Canary", "https://x"]),
            s(&["curl", "-H", "Authorization: Bearer Canary", "https://x"]),
            s(&["curl", "--oauth2-bearer", "Canary", "https://x"]),
            s(&[
                "aws",
                "configure",
                "set",
                "x",
                "--aws-secret-access-key",
                "Canary",
            ]),
        ] {
            let r = Redactor::new(&argv, &BTreeMap::new());
            let shown = r.argv(&argv).join(" ");
            assert!(!shown.contains("Canary"), "{argv:?} -> {shown}");
        }
        // The MySQL clients' bare `--password` prompts: the next word is the database, not a secret.
        let argv = s(&["mysql", "--password", "shop"]);
        assert_eq!(Redactor::new(&argv, &BTreeMap::new()).argv(&argv), argv);
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
