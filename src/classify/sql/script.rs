//! Splitting a script into the pieces a client executes one by one: SQL statements, and the client's own
//! commands (psql backslash commands, sqlite3 dot-commands, mysql backslash commands). The split uses the
//! dialect's lexer ([`super::lex`]), so quotes, dollar quotes and comments never split a statement, and follows
//! how each client finds its commands:
//! - psql (psqlscan.l, psqlscanslash.l, PostgreSQL 15): a backslash outside quotes ends the query buffer and
//!   starts a command anywhere on a line; the command's name ends at whitespace or a backslash, its arguments end
//!   at an unquoted backslash or the end of the line (`\!`, `\copy`, `\ef`, `\ev`, `\sf`, `\sv`, `\h` and a
//!   `\g`/`\o`/`\w` whose argument starts with `|` take the whole line), a following `\\` is eaten, and the rest
//!   of the line is SQL again. `\;` puts a `;` into the query buffer without ending it.
//! - Only a real `COPY … FROM STDIN` statement starts data rows, which end at a line that is exactly `\.`.
//! - sqlite3: a `.` at the start of a line, outside a statement, starts a dot-command.
//! - mysql: a backslash outside quotes starts a client command.

use super::Dialect;
use super::lex::{Lexer, Rules, Spanned, Token};

/// One piece of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// One SQL statement, without its terminating `;`.
    Sql(&'a str),
    /// A client command: a psql backslash command or a sqlite3 dot-command, without the `\` or `.`.
    Client(&'a str),
    /// Inline `COPY … FROM stdin` data: how many bytes.
    CopyData(usize),
    /// Text gate cannot split with certainty; the reason.
    Unknown(String),
}

/// The lexical rules a dialect's client applies to a script.
pub fn rules(dialect: Dialect) -> Rules {
    match dialect {
        Dialect::Postgres => Rules::PSQL,
        Dialect::MySql => Rules::MYSQL,
        Dialect::Sqlite => Rules::SQLITE,
        Dialect::ClickHouse => Rules::CLICKHOUSE,
    }
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// Whether a statement's tokens are a `COPY … FROM STDIN`: `COPY` first, and `FROM STDIN` outside parentheses
/// (the only place the grammar puts it). A string, comment or identifier that says `from stdin` is no such
/// thing: the lexer has already made those `Str`, nothing and `Ident`.
fn copies_from_stdin(tokens: &[Token]) -> bool {
    if !tokens.first().is_some_and(|t| t.is_word("copy")) {
        return false;
    }
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Punct('(') => depth += 1,
            Token::Punct(')') => depth -= 1,
            Token::Word(w) if depth == 0 && w == "from" => {
                return tokens.get(i + 1).is_some_and(|t| t.is_word("stdin"));
            }
            _ => {}
        }
    }
    false
}

/// psql commands whose argument is the rest of the line (psql's OT_WHOLE_LINE in command.c).
const WHOLE_LINE: &[&str] = &["!", "copy", "ef", "ev", "sf", "sv", "h", "help"];
/// psql commands whose argument, when it starts with `|`, is the rest of the line (OT_FILEPIPE).
const FILE_PIPE: &[&str] = &["g", "gx", "o", "out", "w", "write"];

/// Where a psql backslash command that starts after the backslash at `from` ends, and where SQL resumes.
fn psql_command_end(text: &str, from: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let eol = line_end(bytes, from);
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c);
    let mut i = from;
    while i < eol && !is_space(bytes[i]) && bytes[i] != b'\\' {
        i += 1;
    }
    let name = &text[from..i];
    let mut j = i;
    while j < eol && is_space(bytes[j]) {
        j += 1;
    }
    if WHOLE_LINE.contains(&name) || (FILE_PIPE.contains(&name) && bytes.get(j) == Some(&b'|')) {
        return (eol, eol);
    }
    // Arguments: unquoted text ends at a backslash; quotes ('…' with backslash escapes, "…", `…`) do not.
    let mut k = i;
    while k < eol {
        match bytes[k] {
            b'\\' => break,
            b'\'' => {
                k += 1;
                while k < eol && bytes[k] != b'\'' {
                    k += if bytes[k] == b'\\' { 2 } else { 1 };
                }
                k = (k + 1).min(eol);
            }
            q @ (b'"' | b'`') => {
                k += 1;
                while k < eol && bytes[k] != q {
                    k += 1;
                }
                k = (k + 1).min(eol);
            }
            _ => k += 1,
        }
    }
    let k = k.min(eol);
    let resume = if bytes.get(k) == Some(&b'\\') && bytes.get(k + 1) == Some(&b'\\') {
        k + 2
    } else {
        k
    };
    (k, resume)
}

/// Splits a script. Never fails: an unterminated quote or comment runs to the end of the text. When the split
/// depends on how plain strings treat backslashes (PostgreSQL's standard_conforming_strings, MySQL's
/// NO_BACKSLASH_ESCAPES: server settings gate cannot see), the script starts with an [`Piece::Unknown`].
pub fn split(text: &str, dialect: Dialect) -> Vec<Piece<'_>> {
    split_by(text, dialect, rules(dialect))
}

/// [`split`] with explicit lexical rules (psql's `-c` text is the server's SQL, without psql variables).
pub fn split_by(text: &str, dialect: Dialect, rules: Rules) -> Vec<Piece<'_>> {
    let (mut pieces, sensitive) = split_with(text, dialect, rules);
    // Only a backslash inside a plain string can move a boundary (COPY data rows are never lexed).
    if sensitive {
        let (other, _) = split_with(
            text,
            dialect,
            Rules {
                backslash_in_plain: !rules.backslash_in_plain,
                ..rules
            },
        );
        if other != pieces {
            pieces.insert(
                0,
                Piece::Unknown(
                    "the script splits into different statements if the server's standard_conforming_strings \
                     (or MySQL's NO_BACKSLASH_ESCAPES) differs from the default; gate cannot see that setting"
                        .into(),
                ),
            );
        }
    }
    pieces
}

fn split_with(text: &str, dialect: Dialect, rules: Rules) -> (Vec<Piece<'_>>, bool) {
    Splitter {
        text,
        dialect,
        rules,
        pieces: Vec::new(),
        tokens: Vec::new(),
        start: None,
        last_end: 0,
    }
    .run()
}

struct Splitter<'a> {
    text: &'a str,
    dialect: Dialect,
    rules: Rules,
    pieces: Vec<Piece<'a>>,
    /// The tokens of the statement being collected.
    tokens: Vec<Token>,
    start: Option<usize>,
    last_end: usize,
}

impl<'a> Splitter<'a> {
    fn flush(&mut self) {
        if let Some(s) = self.start.take() {
            let sql = self.text[s..self.last_end].trim_end();
            if !sql.is_empty() {
                self.pieces.push(Piece::Sql(sql));
            }
        }
        self.tokens.clear();
    }

    fn at_line_start(&self, pos: usize) -> bool {
        pos == 0 || self.text.as_bytes()[pos - 1] == b'\n'
    }

    fn run(mut self) -> (Vec<Piece<'a>>, bool) {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut lexer = Lexer::new(text, self.rules, 0);
        while let Some(Spanned { token, start, end }) = lexer.next_token() {
            if let Some(problem) = lexer.problem.take() {
                self.pieces.push(Piece::Unknown(problem));
            }
            match (&token, self.dialect) {
                (Token::Other('\\'), Dialect::Postgres) => {
                    if bytes.get(end) == Some(&b';') {
                        // `\;`: a `;` that does not send the buffer. The server splits there anyway, so gate does.
                        self.flush();
                        lexer.pos = end + 1;
                        continue;
                    }
                    self.flush();
                    let (cmd_end, resume) = psql_command_end(text, end);
                    self.pieces
                        .push(Piece::Client(text[end..cmd_end].trim_end()));
                    lexer.pos = resume;
                }
                (Token::Other('\\'), Dialect::MySql) => {
                    self.flush();
                    let eol = line_end(bytes, end);
                    self.pieces.push(Piece::Client(text[end..eol].trim_end()));
                    lexer.pos = eol;
                }
                (Token::Punct('.'), Dialect::Sqlite)
                    if self.start.is_none() && self.at_line_start(start) =>
                {
                    let eol = line_end(bytes, end);
                    self.pieces.push(Piece::Client(text[end..eol].trim_end()));
                    lexer.pos = eol;
                }
                (Token::Punct(';'), _) => {
                    let copy = self.dialect == Dialect::Postgres && copies_from_stdin(&self.tokens);
                    self.flush();
                    if copy {
                        lexer.pos = self.copy_data(end);
                    }
                }
                _ => {
                    if self.start.is_none() {
                        self.start = Some(start);
                    }
                    self.tokens.push(token);
                    self.last_end = end;
                }
            }
        }
        if let Some(problem) = lexer.problem.take() {
            self.pieces.push(Piece::Unknown(problem));
        }
        self.flush();
        (self.pieces, lexer.backslash_sensitive)
    }

    /// After a `COPY … FROM STDIN;` ending at `from`: psql sends the statement, reads data lines up to `\.`,
    /// then goes on with the rest of the line the statement ended on. gate refuses to guess about text on that
    /// line, and skips the data rows.
    fn copy_data(&mut self, from: usize) -> usize {
        let text = self.text;
        let bytes = text.as_bytes();
        let eol = line_end(bytes, from);
        let rest = text[from..eol].trim();
        if !rest.is_empty() && !rest.starts_with("--") {
            self.pieces.push(Piece::Unknown(
                "text follows `COPY … FROM STDIN;` on its line; psql runs it after the data rows"
                    .into(),
            ));
        }
        let data_start = (eol + 1).min(bytes.len());
        let mut i = data_start;
        while i < bytes.len() {
            let end = line_end(bytes, i);
            let line = text[i..end].strip_suffix('\r').unwrap_or(&text[i..end]);
            if line == "\\." {
                self.pieces.push(Piece::CopyData(i - data_start));
                return end;
            }
            i = end + 1;
        }
        self.pieces
            .push(Piece::CopyData(bytes.len().saturating_sub(data_start)));
        bytes.len()
    }
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
    fn psql_commands_end_where_psql_ends_them() {
        // A backslash ends an unquoted argument, and the next command starts there.
        assert_eq!(
            split("\\d\\! rm -rf /tmp/x", Dialect::Postgres),
            vec![Piece::Client("d"), Piece::Client("! rm -rf /tmp/x")]
        );
        // `\\` ends the command and the rest of the line is SQL.
        assert_eq!(
            split("\\echo hi \\\\ DROP TABLE t;", Dialect::Postgres),
            vec![Piece::Client("echo hi"), Piece::Sql("DROP TABLE t")]
        );
        // Quoted backslashes stay in the argument.
        assert_eq!(
            split("\\echo 'a\\\\b' x\nSELECT 1", Dialect::Postgres),
            vec![Piece::Client("echo 'a\\\\b' x"), Piece::Sql("SELECT 1")]
        );
        // `\!` takes the whole line, backslashes and all.
        assert_eq!(
            split("\\! echo a \\\\ b", Dialect::Postgres),
            vec![Piece::Client("! echo a \\\\ b")]
        );
        assert_eq!(
            split("SELECT 1 \\; DROP TABLE t", Dialect::Postgres),
            vec![Piece::Sql("SELECT 1"), Piece::Sql("DROP TABLE t")]
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
    fn only_a_real_copy_from_stdin_starts_data() {
        for script in [
            "SELECT 'copy x from stdin';\nDROP TABLE t;\n\\.\n",
            "SELECT 1 /* copy t from stdin */;\nDROP TABLE t;\n",
            "COPY (SELECT 'from stdin') TO STDOUT;\nDROP TABLE t;\n",
            "SELECT \"from\", stdin FROM copy;\nDROP TABLE t;\n",
        ] {
            let pieces = split(script, Dialect::Postgres);
            assert!(
                pieces.contains(&Piece::Sql("DROP TABLE t")),
                "{script}: {pieces:?}"
            );
        }
        let pieces = split(
            "COPY t FROM STDIN; DROP TABLE x;\n1\n\\.\n",
            Dialect::Postgres,
        );
        assert!(
            pieces.iter().any(|p| matches!(p, Piece::Unknown(_))),
            "{pieces:?}"
        );
    }

    #[test]
    fn a_split_that_depends_on_backslashes_is_unknown() {
        let pieces = split("SELECT 'a\\' ; --' ; DROP TABLE t", Dialect::Postgres);
        assert!(matches!(pieces[0], Piece::Unknown(_)), "{pieces:?}");
        let pieces = split("SELECT 'a\\d' ; SELECT 2", Dialect::Postgres);
        assert!(
            !pieces.iter().any(|p| matches!(p, Piece::Unknown(_))),
            "{pieces:?}"
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
        // Split one way with MySQL's default backslash escapes, another under NO_BACKSLASH_ESCAPES.
        let pieces = split(r"SELECT 'a\';b'; DROP TABLE t", Dialect::MySql);
        assert!(matches!(pieces[0], Piece::Unknown(_)), "{pieces:?}");
        assert_eq!(pieces.len(), 3);
        assert_eq!(
            split("SELECT 1 \\! id", Dialect::MySql),
            vec![Piece::Sql("SELECT 1"), Piece::Client("! id")]
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
            "\\",
            "\\echo 'x",
            "COPY t FROM stdin;",
            "\\\\\\\\",
            "\\\\ x \\",
            "\\d\\",
            "\\echo `x",
            "SELECT 1 \\",
        ] {
            for d in [
                Dialect::Postgres,
                Dialect::MySql,
                Dialect::Sqlite,
                Dialect::ClickHouse,
            ] {
                // Nothing after the unterminated construct is dropped: the last piece is the rest of the input
                // (a statement or a client command that reaches the end, or COPY data), or says it is unknown.
                let pieces = split(s, d);
                let reaches_end = |t: &str| {
                    let end = t.as_ptr() as usize - s.as_ptr() as usize + t.len();
                    s[end..]
                        .trim_matches(|c: char| c == ';' || c.is_whitespace())
                        .is_empty()
                };
                let whole = match pieces.last() {
                    Some(Piece::Sql(t) | Piece::Client(t)) => reaches_end(t),
                    Some(Piece::CopyData(_) | Piece::Unknown(_)) => true,
                    // An unterminated comment is no statement at all.
                    None => s.starts_with("/*"),
                };
                assert!(whole, "{d:?} {s:?} -> {pieces:?}");
            }
        }
    }
}
