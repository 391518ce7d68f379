//! Secrets never reach the audit file, the backend or any message (DESIGN §2). Everything gate prints or stores
//! about a command goes through here first; the binding digest alone is taken over the unredacted values.

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

/// Redacts every argument of a command.
pub fn argv(argv: &[String]) -> Vec<String> {
    argv.iter().map(|a| text(a)).collect()
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
        let keyword_len = if lower[i..].starts_with("password") && word_before(input, i) {
            Some("password".len())
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
        let mut assigned = false;
        while j < bytes.len()
            && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'=' || bytes[j] == b'(')
        {
            assigned |= bytes[j] == b'=';
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
