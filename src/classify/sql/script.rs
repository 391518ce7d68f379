//! Splitting a script into the pieces a client executes one by one: SQL statements, and the client's own
//! commands (psql backslash commands, sqlite3 dot-commands). Quotes, dollar quotes and comments never split a
//! statement, and the rows that follow `COPY … FROM stdin` in a psql script are data, not SQL.

use super::Dialect;

/// One piece of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// One SQL statement, without its terminating `;`.
    Sql(&'a str),
    /// A client command: a psql backslash command or a sqlite3 dot-command, without the `\` or `.`.
    Client(&'a str),
    /// Inline `COPY … FROM stdin` data: how many bytes.
    CopyData(usize),
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// Whether a statement copies from the script itself (`COPY … FROM stdin`).
fn copies_from_stdin(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect();
    words.first() == Some(&"copy")
        && words.windows(2).any(|w| w == ["from", "stdin"])
        && !words.contains(&"program")
}

/// Splits a script. Never fails: an unterminated quote or comment runs to the end of the text.
pub fn split(text: &str, dialect: Dialect) -> Vec<Piece<'_>> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut i = 0;
    let mut start: Option<usize> = None;
    let backslash_strings = dialect == Dialect::MySql;
    while i < bytes.len() {
        let b = bytes[i];
        if start.is_none() {
            if b.is_ascii_whitespace() || b == b';' {
                i += 1;
                continue;
            }
            // Comments between statements belong to none of them, so a client command may follow one.
            if b == b'-' && bytes.get(i + 1) == Some(&b'-') || b == b'#' && backslash_strings {
                i = line_end(bytes, i);
                continue;
            }
            if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
                i = skip_block_comment(bytes, i);
                continue;
            }
            let client = match dialect {
                Dialect::Postgres => b == b'\\',
                Dialect::Sqlite => {
                    b == b'.'
                        && (i == 0
                            || bytes[i - 1] == b'\n'
                            || text[..i].trim_end_matches([' ', '\t']).ends_with('\n'))
                }
                _ => false,
            };
            if client {
                let end = line_end(bytes, i);
                pieces.push(Piece::Client(text[i + 1..end].trim_end()));
                i = end;
                continue;
            }
            start = Some(i);
        }
        match b {
            b'\'' | b'"' | b'`' => {
                i = skip_quoted(
                    bytes,
                    i,
                    b,
                    backslash_strings && b != b'`'
                        || (b == b'\'' && i > 0 && matches!(bytes[i - 1], b'e' | b'E')),
                );
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => i = line_end(bytes, i),
            b'#' if backslash_strings => i = line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => i = skip_block_comment(bytes, i),
            b'$' if dialect == Dialect::Postgres => i = skip_dollar_quoted(text, i),
            // psql: a backslash command ends the query buffer (`\\g`, `\\gexec`, …) and runs to the end of line.
            b'\\' if dialect == Dialect::Postgres => {
                let s = start.take().expect("inside a statement");
                let sql = text[s..i].trim_end();
                if !sql.is_empty() {
                    pieces.push(Piece::Sql(sql));
                }
                let end = line_end(bytes, i);
                pieces.push(Piece::Client(text[i + 1..end].trim_end()));
                i = end;
            }
            b';' => {
                let s = start.take().expect("inside a statement");
                let sql = &text[s..i];
                pieces.push(Piece::Sql(sql));
                i += 1;
                if dialect == Dialect::Postgres && copies_from_stdin(sql) {
                    i = skip_copy_data(text, i, &mut pieces);
                }
            }
            _ => i += 1,
        }
    }
    if let Some(s) = start {
        let rest = text[s..].trim_end();
        if !rest.is_empty() {
            pieces.push(Piece::Sql(rest));
        }
    }
    pieces
}

fn skip_quoted(bytes: &[u8], open: usize, quote: u8, backslash: bool) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        if backslash && bytes[i] == b'\\' {
            i += 2;
        } else if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

fn skip_block_comment(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// `$tag$ … $tag$`; a `$` that does not open a dollar quote (a parameter such as `$1`) is one byte.
fn skip_dollar_quoted(text: &str, open: usize) -> usize {
    let bytes = text.as_bytes();
    let mut j = open + 1;
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
        j += 1;
    }
    if bytes.get(j) != Some(&b'$') || bytes.get(open + 1).is_some_and(u8::is_ascii_digit) {
        return open + 1;
    }
    let tag = &text[open..=j];
    match text[j + 1..].find(tag) {
        Some(p) => j + 1 + p + tag.len(),
        None => bytes.len(),
    }
}

/// Skips the data rows after `COPY … FROM stdin;` up to the `\.` line.
fn skip_copy_data<'a>(text: &'a str, from: usize, pieces: &mut Vec<Piece<'a>>) -> usize {
    let bytes = text.as_bytes();
    let data_start = line_end(bytes, from).min(bytes.len()) + 1;
    let mut i = data_start.min(bytes.len());
    while i < bytes.len() {
        let end = line_end(bytes, i);
        if text[i..end].trim_end() == "\\." {
            pieces.push(Piece::CopyData(i - data_start));
            return end;
        }
        i = end + 1;
    }
    pieces.push(Piece::CopyData(bytes.len().saturating_sub(data_start)));
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_and_client_commands() {
        let script = "SELECT ';' AS a; -- ; comment\n\\d users\nDO $x$ BEGIN; END $x$;\n/* ; */ DELETE FROM t";
        assert_eq!(
            split(script, Dialect::Postgres),
            vec![
                Piece::Sql("SELECT ';' AS a"),
                Piece::Client("d users"),
                Piece::Sql("DO $x$ BEGIN; END $x$"),
                Piece::Sql("DELETE FROM t"),
            ]
        );
    }

    #[test]
    fn copy_data_is_not_sql() {
        let script = "COPY public.t (a) FROM stdin;\nDROP TABLE x;\n2\t;\n\\.\nSELECT 1;\n";
        assert_eq!(
            split(script, Dialect::Postgres),
            vec![
                Piece::Sql("COPY public.t (a) FROM stdin"),
                Piece::CopyData(18),
                Piece::Sql("SELECT 1")
            ]
        );
    }

    #[test]
    fn sqlite_dot_commands_and_mysql_quotes() {
        assert_eq!(
            split(".shell id\nSELECT 1;\n.dump", Dialect::Sqlite),
            vec![
                Piece::Client("shell id"),
                Piece::Sql("SELECT 1"),
                Piece::Client("dump")
            ]
        );
        assert_eq!(
            split(r"SELECT 'a\';b'; DROP TABLE t", Dialect::MySql).len(),
            2
        );
    }

    #[test]
    fn unterminated_input_runs_to_the_end() {
        for s in [
            "'abc",
            "$$abc",
            "/* abc",
            "COPY t FROM stdin;\nrow",
            "\"x",
            "$1",
        ] {
            let _ = split(s, Dialect::Postgres);
        }
    }
}
