//! psql's backslash commands (meta-commands): which of them only describe or format, and which write files, run
//! shell commands, or pull in other scripts. psql runs these itself, on the client, so the server's privileges
//! never back them up.
//!
//! The command names are psql's own table (`exec_command` in `src/bin/psql/command.c`, PostgreSQL 13–17, plus
//! the pipeline and prepared-statement commands of 18, and `\restrict` of 17.6 and the back branches). psql
//! matches names exactly (`strcmp`; only `\copy` ignores case), and a name runs up to whitespace or a backslash,
//! so `\!rm` is no command at all. Arguments are read as `psqlscanslash.l` reads them: quotes, `:variable`
//! substitution and backquoted shell commands, and a `|` that turns a file argument into a pipe.
//!
//! `\cd` and `\ir` make a file name depend on where earlier commands left psql; [`Session`] follows that for
//! one psql invocation.

use std::cell::RefCell;

use crate::classify::Kind;
use crate::classify::Sources;
use crate::classify::sql::{self, Dialect, SqlFinding};

/// Where psql will look for a relative file name, as far as gate can follow it.
#[derive(Clone, Debug, Default)]
struct Session {
    /// The directory `\cd` moved to, relative to psql's starting directory when it is itself relative.
    cwd: Option<String>,
    /// `\cd` went somewhere gate cannot name (`\cd` with no `HOME`, `\cd ~user`).
    cwd_lost: bool,
    /// `$HOME`, for `~` in file names and a bare `\cd`.
    home: Option<String>,
    /// The script being read, innermost last, as psql names it (`pset.inputfile`): `\ir` is relative to it.
    scripts: Vec<String>,
    /// `\i -` has consumed standard input.
    stdin_read: bool,
}

thread_local! {
    // The routing in `sql::client_command` carries no per-invocation state, so the one psql invocation being
    // classified keeps its state here. `postgres::psql` starts a fresh one for every command.
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

/// Starts following one psql invocation.
pub(crate) fn begin_session(home: Option<&str>) {
    SESSION.with(|s| {
        *s.borrow_mut() = Session {
            home: home.map(str::to_string),
            ..Session::default()
        };
    });
}

/// Runs `f` while psql reads the script `path` (`-f`, `\i`), so that `\ir` inside it resolves against it.
pub(crate) fn in_script<R>(path: &str, f: impl FnOnce() -> R) -> R {
    SESSION.with(|s| s.borrow_mut().scripts.push(path.to_string()));
    let out = f();
    SESSION.with(|s| {
        s.borrow_mut().scripts.pop();
    });
    out
}

/// A file name as psql will open it: `~` expanded (`expand_tilde`), then relative to wherever `\cd` went. `Err`
/// says why gate cannot tell.
pub(crate) fn resolve_path(name: &str) -> Result<String, String> {
    SESSION.with(|s| {
        let s = s.borrow();
        let name = if name == "~" || name.starts_with("~/") {
            match &s.home {
                Some(h) => format!("{h}{}", &name[1..]),
                None => return Err(format!("`{name}` needs HOME, which is not set")),
            }
        } else if name.starts_with('~') {
            return Err(format!(
                "`{name}` names another user's home directory, which gate cannot look up"
            ));
        } else {
            name.to_string()
        };
        if name.starts_with('/') {
            return Ok(name);
        }
        if s.cwd_lost {
            return Err(format!(
                "`{name}` is relative to a directory `\\cd` moved to that gate cannot name"
            ));
        }
        Ok(match &s.cwd {
            Some(dir) => format!("{}/{name}", dir.trim_end_matches('/')),
            None => name,
        })
    })
}

/// psql's `canonicalize_path`: repeated and trailing slashes, `.` and `..` removed as text, not through the file
/// system.
fn canonicalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Where `\ir name` reads: relative to the directory of the script that contains it (`process_file` with
/// `use_relative_path`), or like `\i` outside a script.
fn relative_include(name: &str) -> Result<String, String> {
    let script = SESSION.with(|s| s.borrow().scripts.last().cloned());
    match script {
        Some(script) if !name.starts_with('/') && !name.starts_with('~') => {
            let dir = match script.rfind('/') {
                Some(0) => "/".to_string(),
                Some(i) => script[..i].to_string(),
                None => String::new(),
            };
            let joined = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            resolve_path(&canonicalize(&joined))
        }
        _ => resolve_path(name),
    }
}

/// One argument as psql's argument lexer produces it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Word {
    /// The text after quote removal (double quotes are kept, as psql keeps them for most commands).
    text: String,
    /// A backquoted part: psql runs it through the shell and substitutes its output.
    backquote: bool,
    /// A `:name`, `:'name'`, `:"name"` or `:{?name}` part: psql substitutes a variable gate does not track.
    variable: bool,
}

/// How a command reads its arguments (`psql_scan_slash_option`'s option types).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ArgMode {
    /// Words, each possibly quoted.
    Words,
    /// Words, but a first word starting with `|` is a shell command that runs to the end of the line.
    FilePipe,
    /// The rest of the line, verbatim (`\!`, `\copy`, `\ef`, `\sf`, `\h`).
    WholeLine,
}

fn is_variable_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()
}

/// Reads one command's arguments from `text` (just after the command name). Returns the words and what follows
/// them: empty, or text starting with a backslash (another command, or `\\` and more SQL).
fn read_args(text: &str, mode: ArgMode) -> (Vec<Word>, &str) {
    let line_end = text.find('\n').unwrap_or(text.len());
    if mode == ArgMode::WholeLine {
        let line = text[..line_end].trim();
        let words = if line.is_empty() {
            Vec::new()
        } else {
            vec![Word {
                text: line.to_string(),
                ..Word::default()
            }]
        };
        return (words, "");
    }
    let chars: Vec<(usize, char)> = text[..line_end].char_indices().collect();
    let mut words = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].1.is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            return (words, "");
        }
        if chars[i].1 == '\\' {
            return (words, &text[chars[i].0..line_end]);
        }
        if mode == ArgMode::FilePipe && words.is_empty() && chars[i].1 == '|' {
            words.push(Word {
                text: text[chars[i].0..line_end].trim_end().to_string(),
                ..Word::default()
            });
            return (words, "");
        }
        let mut word = Word::default();
        while i < chars.len() && !chars[i].1.is_whitespace() && chars[i].1 != '\\' {
            match chars[i].1 {
                '\'' => {
                    i += 1;
                    while i < chars.len() {
                        match chars[i].1 {
                            '\'' if chars.get(i + 1).is_some_and(|c| c.1 == '\'') => {
                                word.text.push('\'');
                                i += 2;
                            }
                            '\'' => {
                                i += 1;
                                break;
                            }
                            '\\' => {
                                // C-like escapes; gate keeps the escaped character, which is exact for every
                                // escape but `\n`-style and octal/hex ones, whose words gate then refuses below.
                                if let Some(&(_, c)) = chars.get(i + 1) {
                                    if c.is_ascii_alphanumeric() {
                                        word.variable = true;
                                    }
                                    word.text.push(c);
                                }
                                i += 2;
                            }
                            c => {
                                word.text.push(c);
                                i += 1;
                            }
                        }
                    }
                }
                '"' => {
                    word.text.push('"');
                    i += 1;
                    while i < chars.len() {
                        let c = chars[i].1;
                        word.text.push(c);
                        i += 1;
                        if c == '"' {
                            if chars.get(i).is_some_and(|c| c.1 == '"') {
                                word.text.push('"');
                                i += 1;
                            } else {
                                break;
                            }
                        }
                    }
                }
                '`' => {
                    word.backquote = true;
                    i += 1;
                    while i < chars.len() && chars[i].1 != '`' {
                        i += 1;
                    }
                    i += 1;
                }
                ':' if chars
                    .get(i + 1)
                    .is_some_and(|c| is_variable_char(c.1) || matches!(c.1, '\'' | '"' | '{')) =>
                {
                    word.variable = true;
                    word.text.push(':');
                    i += 1;
                }
                c => {
                    word.text.push(c);
                    i += 1;
                }
            }
        }
        words.push(word);
    }
}

fn one(kind: Kind, detail: impl Into<String>) -> Vec<SqlFinding> {
    vec![SqlFinding::new(kind, detail)]
}

/// Client settings (`\pset` names, PostgreSQL 13–17: `do_pset` in command.c) that only change how results look.
const PSET_OPTIONS: &[&str] = &[
    "border",
    "columns",
    "csv_fieldsep",
    "expanded",
    "x",
    "fieldsep",
    "fieldsep_zero",
    "footer",
    "format",
    "linestyle",
    "null",
    "numericlocale",
    "pager_min_lines",
    "recordsep",
    "recordsep_zero",
    "tableattr",
    "T",
    "title",
    "C",
    "tuples_only",
    "t",
    "unicode_border_linestyle",
    "unicode_column_linestyle",
    "unicode_header_linestyle",
    "xheader_width",
];

/// A `\pset`/`-P` setting. The pager is the one that can start a program: it is allowed only when turned off.
pub(crate) fn pset(name: &str, value: Option<&str>) -> Option<SqlFinding> {
    if PSET_OPTIONS.contains(&name) {
        return None;
    }
    if name == "pager" {
        return match value.map(str::to_ascii_lowercase).as_deref() {
            Some("off" | "0" | "false" | "no" | "of") => None,
            _ => Some(SqlFinding::new(
                Kind::Unknown,
                "the pager setting lets psql start $PSQL_PAGER/$PAGER through the shell",
            )),
        };
    }
    Some(SqlFinding::new(
        Kind::Unknown,
        format!("printing option `{name}` is not one gate knows"),
    ))
}

/// psql variables that change only how psql reports or paces things. Their values are checked by psql's hooks,
/// and no value makes them run anything.
const HARMLESS_VARIABLES: &[&str] = &[
    "AUTOCOMMIT",
    "COMP_KEYWORD_CASE",
    "ECHO",
    "ECHO_HIDDEN",
    "FETCH_COUNT",
    "HIDE_TABLEAM",
    "HIDE_TOAST_COMPRESSION",
    "HISTCONTROL",
    "HISTSIZE",
    "IGNOREEOF",
    "ON_ERROR_ROLLBACK",
    "ON_ERROR_STOP",
    "QUIET",
    "SHOW_ALL_RESULTS",
    "SHOW_CONTEXT",
    "SINGLESTEP",
    "VERBOSITY",
    "WATCH_INTERVAL",
    // Set by psql itself after each command; a value set by hand is overwritten and steers nothing.
    "DBNAME",
    "ENCODING",
    "ERROR",
    "HOST",
    "LASTOID",
    "LAST_ERROR_MESSAGE",
    "LAST_ERROR_SQLSTATE",
    "PORT",
    "ROW_COUNT",
    "SERVER_VERSION_NAME",
    "SERVER_VERSION_NUM",
    "SHELL_ERROR",
    "SHELL_EXIT_CODE",
    "SQLSTATE",
    "USER",
    "VERSION",
    "VERSION_NAME",
    "VERSION_NUM",
];

/// Setting psql variable `name` to `value` (`-v`, `\set`, psqlrc). Names with a lowercase letter are the user's
/// own (psql's special variables are all upper case); an upper-case name gate does not list may be special in
/// some version, so it is `unknown`.
pub(crate) fn set_variable(name: &str, value: &str) -> Option<SqlFinding> {
    if name.chars().any(|c| c.is_ascii_lowercase()) || HARMLESS_VARIABLES.contains(&name) {
        return None;
    }
    match name {
        "PROMPT1" | "PROMPT2" | "PROMPT3" if !value.contains('`') => None,
        "PROMPT1" | "PROMPT2" | "PROMPT3" => Some(SqlFinding::new(
            Kind::CodeExecution,
            format!(
                "{name} holds a backquoted shell command, which psql runs each time it prompts"
            ),
        )),
        "HISTFILE" => Some(SqlFinding::new(
            Kind::Unknown,
            "HISTFILE makes psql write its command history to a file",
        )),
        "SINGLELINE" => Some(SqlFinding::new(
            Kind::Unknown,
            "SINGLELINE ends statements at newlines, which gate's reading of the SQL does not follow",
        )),
        _ => Some(SqlFinding::new(
            Kind::Unknown,
            format!("psql variable `{name}` is not one gate knows to be harmless"),
        )),
    }
}

/// One backslash command line, without its backslash: the command, its arguments, and any commands or SQL that
/// follow it on the same line.
pub fn command(command: &str, sources: &dyn Sources, depth: usize) -> Vec<SqlFinding> {
    let mut out = Vec::new();
    let mut rest = command;
    // Each round reads one command; a line holds few, and each round consumes at least the command name.
    for _ in 0..64 {
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '\\')
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_end);
        let (found, next) = one_command(name, after, sources, depth);
        out.extend(found);
        let Some(next) = next.strip_prefix('\\') else {
            return out;
        };
        if let Some(sql_text) = next.strip_prefix('\\') {
            // `\\` ends the arguments and what follows goes to the query buffer.
            let (sql_part, more) = match sql_text.find('\\') {
                Some(i) => (&sql_text[..i], &sql_text[i + 1..]),
                None => (sql_text, ""),
            };
            if sql_part.contains(['\'', '"', '$', '-', '/']) {
                out.push(SqlFinding::new(
                    Kind::Unknown,
                    "SQL after `\\\\` on a backslash-command line, which gate does not split",
                ));
                return out;
            }
            if !sql_part.trim().is_empty() {
                out.extend(sql::statement(
                    sql_part.trim().trim_end_matches(';'),
                    Dialect::Postgres,
                ));
            }
            if more.is_empty() {
                return out;
            }
            rest = more;
        } else {
            rest = next;
        }
    }
    out.push(SqlFinding::new(
        Kind::Unknown,
        "too many backslash commands on one line",
    ));
    out
}

/// The findings every argument carries, whatever the command: shell commands and variables.
fn word_findings(name: &str, words: &[Word]) -> Vec<SqlFinding> {
    let mut out = Vec::new();
    if words.iter().any(|w| w.backquote) {
        out.push(SqlFinding::new(
            Kind::CodeExecution,
            format!("a backquoted argument of \\{name} runs a shell command"),
        ));
    }
    if words.iter().any(|w| w.variable) {
        out.push(SqlFinding::new(
            Kind::Unknown,
            format!(
                "an argument of \\{name} holds a psql variable or escape gate does not substitute"
            ),
        ));
    }
    out
}

/// The modes of the commands psql knows; `None` for a name psql rejects.
fn arg_mode(name: &str) -> Option<ArgMode> {
    use ArgMode::{FilePipe, WholeLine, Words};
    let mode = match name {
        "!" | "ef" | "ev" | "sf" | "sf+" | "sv" | "sv+" | "h" | "help" => WholeLine,
        n if n.eq_ignore_ascii_case("copy") => WholeLine,
        "o" | "out" | "g" | "gx" | "w" | "write" => FilePipe,
        "a" | "bind" | "bind_named" | "C" | "c" | "connect" | "cd" | "close" | "close_prepared"
        | "conninfo" | "copyright" | "crosstabview" | "e" | "edit" | "echo" | "elif" | "else"
        | "encoding" | "endif" | "endpipeline" | "errverbose" | "f" | "flush" | "flushrequest"
        | "gdesc" | "getenv" | "getresults" | "gexec" | "gset" | "H" | "html" | "i" | "include"
        | "ir" | "include_relative" | "if" | "lo_export" | "lo_import" | "lo_list" | "lo_list+"
        | "lo_listx" | "lo_listx+" | "lo_list+x" | "lo_unlink" | "p" | "print" | "parse"
        | "password" | "prompt" | "pset" | "q" | "quit" | "qecho" | "r" | "reset" | "restrict"
        | "s" | "sendpipeline" | "set" | "setenv" | "startpipeline" | "syncpipeline" | "t"
        | "T" | "timing" | "unrestrict" | "unset" | "warn" | "watch" | "x" | "z" | "zS" | "zx"
        | "zSx" | "zxS" | "?" => Words,
        n if is_list_command(n) || is_describe_command(n) => Words,
        _ => return None,
    };
    Some(mode)
}

fn is_list_command(n: &str) -> bool {
    matches!(
        n,
        "l" | "list" | "lx" | "listx" | "l+" | "list+" | "lx+" | "listx+" | "l+x" | "list+x"
    )
}

/// `\d` and its relatives. psql's own parser of the letters after `d` (`exec_command_d`) rejects what it does
/// not know; gate accepts letters and the `S`, `+` and `x` modifiers, all of which only read the catalogs.
fn is_describe_command(n: &str) -> bool {
    n.strip_prefix('d')
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_alphabetic() || c == '+'))
}

fn one_command<'a>(
    name: &str,
    after: &'a str,
    sources: &dyn Sources,
    depth: usize,
) -> (Vec<SqlFinding>, &'a str) {
    let Some(mode) = arg_mode(name) else {
        return (
            one(
                Kind::Unknown,
                format!("backslash command `\\{name}` is not one gate knows"),
            ),
            "",
        );
    };
    let (words, next) = read_args(after, mode);
    let mut out = word_findings(name, &words);
    let first = words.first().map(|w| w.text.as_str());
    let found = match name {
        "!" => one(Kind::CodeExecution, "\\! runs a shell command"),
        "e" | "edit" | "ef" | "ev" => one(
            Kind::CodeExecution,
            format!(
                "\\{name} starts an editor ($PSQL_EDITOR, $EDITOR or $VISUAL) through the shell"
            ),
        ),
        "gexec" => one(Kind::CodeExecution, "\\gexec runs query results as SQL"),
        "o" | "out" | "g" | "gx" | "w" | "write" => output(name, &words),
        "s" => match first {
            Some(f) => one(
                Kind::DataExport,
                format!("\\s writes the command history to {f}"),
            ),
            None => Vec::new(),
        },
        "i" | "include" | "ir" | "include_relative" => match first {
            None => one(Kind::Unknown, format!("\\{name} without a file name")),
            Some("-") => include_stdin(name, sources),
            Some(file) => {
                let resolved = if name.starts_with("ir") || name == "include_relative" {
                    relative_include(file)
                } else {
                    resolve_path(file)
                };
                match resolved {
                    Ok(path) => in_script(&path, || {
                        sql::include(
                            &path,
                            &format!("\\{name}"),
                            Dialect::Postgres,
                            sources,
                            depth,
                        )
                    }),
                    Err(why) => one(Kind::Unknown, format!("\\{name}: {why}")),
                }
            }
        },
        "cd" => change_directory(first),
        n if n.eq_ignore_ascii_case("copy") => copy(first.unwrap_or("")),
        "c" | "connect" => one(
            Kind::Unknown,
            "\\c connects elsewhere; later statements run on a target gate did not judge",
        ),
        "lo_export" => one(
            Kind::DataExport,
            "\\lo_export writes a large object to a file",
        ),
        "lo_import" => one(Kind::Write, "\\lo_import loads a file into a large object"),
        "lo_unlink" => one(Kind::DestructiveWrite, "\\lo_unlink deletes a large object"),
        "password" => one(
            Kind::PermissionChange,
            "\\password changes a role's password",
        ),
        "setenv" => one(
            Kind::Unknown,
            "\\setenv changes the environment of the shell commands, pager and editor psql starts later",
        ),
        "prompt" => one(
            Kind::Unknown,
            "\\prompt sets a variable from what is typed at the terminal",
        ),
        "encoding" => match first {
            Some(enc) if !crate::classify::postgres::safe_client_encoding(enc) => one(
                Kind::Unknown,
                format!(
                    "\\encoding {enc}: gate reads SQL as UTF-8 and cannot see how the server splits it"
                ),
            ),
            _ => Vec::new(),
        },
        "set" => match first {
            Some(var) => {
                let value: String = words[1..].iter().map(|w| w.text.as_str()).collect();
                set_variable(var, &value).into_iter().collect()
            }
            None => Vec::new(),
        },
        "getenv" => match first {
            Some(var) => set_variable(var, "").into_iter().collect(),
            None => Vec::new(),
        },
        "gset" => match first {
            Some(prefix) if prefix.chars().any(|c| c.is_ascii_lowercase()) => Vec::new(),
            _ => one(
                Kind::Unknown,
                "\\gset without a lower-case prefix can set psql's special variables from query results",
            ),
        },
        "pset" => match first {
            Some(option) => pset(option, words.get(1).map(|w| w.text.as_str()))
                .into_iter()
                .collect(),
            None => Vec::new(),
        },
        "sf" | "sf+" | "sv" | "sv+" => Vec::new(),
        _ => Vec::new(),
    };
    out.extend(found);
    if out.is_empty() {
        out.push(SqlFinding::new(
            Kind::Read,
            format!("psql \\{name}: only describes, formats or steers the client"),
        ));
    }
    (out, next)
}

/// `\o`, `\g`, `\gx`, `\w`: a file, a `|pipe`, or (with no argument) nothing new. `\g` and `\gx` may start with
/// parenthesised printing options.
fn output(name: &str, words: &[Word]) -> Vec<SqlFinding> {
    let mut words = words;
    let mut out = Vec::new();
    if matches!(name, "g" | "gx") && words.first().is_some_and(|w| w.text.starts_with('(')) {
        let end = words
            .iter()
            .position(|w| w.text.ends_with(')'))
            .unwrap_or(words.len() - 1);
        for w in &words[..=end] {
            let option = w.text.trim_start_matches('(').trim_end_matches(')');
            if option.is_empty() {
                continue;
            }
            let (n, v) = option
                .split_once('=')
                .map_or((option, None), |(n, v)| (n, Some(v)));
            out.extend(pset(n, v));
        }
        words = &words[end + 1..];
    }
    match words.first().map(|w| w.text.as_str()) {
        Some(target) if target.starts_with('|') => out.push(SqlFinding::new(
            Kind::CodeExecution,
            format!("\\{name} pipes to a shell command"),
        )),
        Some(target) => out.push(SqlFinding::new(
            Kind::DataExport,
            format!("\\{name} writes to the file {target}"),
        )),
        None => {}
    }
    out
}

/// `\i -`: psql reads its standard input until EOF or `\q`. It can only do so once, so a second `\i -` is left
/// `unknown` rather than followed.
fn include_stdin(name: &str, sources: &dyn Sources) -> Vec<SqlFinding> {
    let first = SESSION.with(|s| !std::mem::replace(&mut s.borrow_mut().stdin_read, true));
    if !first {
        return one(
            Kind::Unknown,
            format!("\\{name} - reads standard input a second time"),
        );
    }
    match sources.stdin() {
        crate::classify::StdinView::Bytes { bytes, complete } => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut found = in_script("<stdin>", || {
                sql::analyse(&text, Dialect::Postgres, sources)
            });
            if !complete {
                found.push(SqlFinding::new(
                    Kind::Unknown,
                    "stdin is larger than gate reads",
                ));
            }
            if found.is_empty() {
                found = one(Kind::Read, format!("\\{name} -: stdin holds no statements"));
            }
            found
        }
        crate::classify::StdinView::Terminal => one(
            Kind::Unknown,
            format!("\\{name} - reads an interactive terminal gate cannot see"),
        ),
        crate::classify::StdinView::Unreadable(why) => one(
            Kind::Unknown,
            format!("\\{name} -: cannot read stdin: {why}"),
        ),
    }
}

fn change_directory(dir: Option<&str>) -> Vec<SqlFinding> {
    let target = match dir {
        Some(d) => resolve_path(d),
        None => SESSION.with(|s| s.borrow().home.clone()).ok_or_else(|| {
            "a bare \\cd goes to the home directory, and HOME is not set".to_string()
        }),
    };
    SESSION.with(|s| {
        let mut s = s.borrow_mut();
        match &target {
            Ok(path) => {
                s.cwd = Some(path.clone());
                s.cwd_lost = false;
            }
            Err(_) => s.cwd_lost = true,
        }
    });
    one(
        Kind::Unknown,
        match target {
            Ok(path) => format!(
                "\\cd changes psql's working directory to {path}; gate follows it, but it is client state, not a read"
            ),
            Err(why) => format!("\\cd: {why}"),
        },
    )
}

/// `\copy`, as `parse_slash_copy` reads it: `\copy table [(cols)] | (query)  from|to  file | stdin | stdout |
/// pstdin | pstdout | program 'cmd'  [options]`.
fn copy(line: &str) -> Vec<SqlFinding> {
    let lower = line.to_ascii_lowercase();
    let mut depth = 0usize;
    let mut in_quote: Option<char> = None;
    let mut direction = None;
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        match in_quote {
            Some(q) if c == q => in_quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => in_quote = Some(c),
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0
                    && (i == 0 || bytes[i - 1].is_ascii_whitespace() || bytes[i - 1] == b')') =>
                {
                    for (word, dir) in [("from ", "from"), ("to ", "to")] {
                        if lower[i..].starts_with(word) {
                            direction = Some((dir, i + word.len()));
                        }
                    }
                }
                _ => {}
            },
        }
        if direction.is_some() {
            break;
        }
        i += 1;
    }
    let Some((direction, at)) = direction else {
        return one(Kind::Unknown, "\\copy gate cannot read");
    };
    let mut out = Vec::new();
    let source = line[..at - direction.len() - 1].trim();
    if let Some(query) = source.strip_prefix('(') {
        let query = query.trim_end().trim_end_matches(')');
        out.extend(
            sql::statement(query, Dialect::Postgres)
                .into_iter()
                .filter(|f| f.kind != Kind::Read),
        );
    }
    let target = lower[at..].trim_start();
    let word: String = target.chars().take_while(|c| !c.is_whitespace()).collect();
    let found = match (direction, word.as_str()) {
        (_, "program") => {
            SqlFinding::new(Kind::CodeExecution, "\\copy … program runs a shell command")
        }
        ("from", "stdin" | "pstdin") => {
            SqlFinding::new(Kind::Write, "\\copy from stdin loads rows")
        }
        ("from", _) => SqlFinding::new(
            Kind::Write,
            format!("\\copy loads rows from the file {word}"),
        ),
        (_, "stdout" | "pstdout") => {
            SqlFinding::new(Kind::DataExport, "\\copy to stdout exports rows")
        }
        _ => SqlFinding::new(
            Kind::DataExport,
            format!("\\copy writes rows to the file {word}"),
        ),
    };
    out.push(found);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{NoSources, StdinView};

    fn kinds(line: &str) -> Vec<Kind> {
        let mut k: Vec<Kind> = command(line, &NoSources, 0)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    #[test]
    fn names_are_matched_exactly() {
        assert_eq!(kinds("d+ items"), [Kind::Read]);
        assert_eq!(kinds("dt+ public.*"), [Kind::Read]);
        assert_eq!(kinds("l+"), [Kind::Read]);
        assert_eq!(kinds("!rm -rf /"), [Kind::Unknown]);
        assert_eq!(kinds("! rm -rf /"), [Kind::CodeExecution]);
        assert_eq!(kinds("COPY t to 'x'"), [Kind::DataExport]);
        assert_eq!(kinds("frobnicate"), [Kind::Unknown]);
        assert_eq!(kinds("d!x"), [Kind::Unknown]);
    }

    #[test]
    fn arguments_run_shell_commands_in_backquotes_only_outside_quotes() {
        assert_eq!(kinds("echo `id`"), [Kind::CodeExecution]);
        assert_eq!(kinds("set x `touch /tmp/p`"), [Kind::CodeExecution]);
        assert_eq!(kinds("echo '`id`'"), [Kind::Read]);
        assert_eq!(kinds("echo \"`id`\""), [Kind::Read]);
        assert_eq!(kinds("d :tbl"), [Kind::Unknown]);
        assert_eq!(kinds("if `true`"), [Kind::CodeExecution]);
    }

    #[test]
    fn several_commands_on_one_line() {
        assert_eq!(kinds("echo a \\! id"), [Kind::Read, Kind::CodeExecution]);
        assert_eq!(
            kinds("x \\\\ DROP TABLE t"),
            [Kind::Read, Kind::DestructiveWrite]
        );
        assert_eq!(kinds("o |cat \\x"), [Kind::CodeExecution]);
    }

    #[test]
    fn outputs() {
        assert_eq!(kinds("o"), [Kind::Read]);
        assert_eq!(kinds("o out.txt"), [Kind::DataExport]);
        assert_eq!(kinds("g | mail x"), [Kind::CodeExecution]);
        assert_eq!(kinds("g (format=csv) out.csv"), [Kind::DataExport]);
        assert_eq!(kinds("g (pager=always)"), [Kind::Unknown]);
        assert_eq!(kinds("w ~/.bashrc"), [Kind::DataExport]);
        assert_eq!(kinds("s hist.txt"), [Kind::DataExport]);
    }

    #[test]
    fn copies() {
        assert_eq!(kinds("copy t from program 'id'"), [Kind::CodeExecution]);
        assert_eq!(kinds("copy t to program 'id'"), [Kind::CodeExecution]);
        assert_eq!(kinds("copy t (a, b) from 'x.csv' csv"), [Kind::Write]);
        assert_eq!(kinds("copy (select 1) to stdout"), [Kind::DataExport]);
        assert_eq!(
            kinds("copy (DELETE FROM t RETURNING *) to 'x'"),
            [Kind::DataExport, Kind::DestructiveWrite]
        );
    }

    #[test]
    fn variables() {
        assert_eq!(kinds("set ON_ERROR_STOP 1"), [Kind::Read]);
        assert_eq!(kinds("set PROMPT1 '%`id`'"), [Kind::CodeExecution]);
        assert_eq!(kinds("set HISTFILE /tmp/h"), [Kind::Unknown]);
        assert_eq!(kinds("set my_var 5"), [Kind::Read]);
        assert_eq!(kinds("gset"), [Kind::Unknown]);
        assert_eq!(kinds("gset r_"), [Kind::Read]);
        assert_eq!(kinds("pset null '(null)'"), [Kind::Read]);
        assert_eq!(kinds("pset pager on"), [Kind::Unknown]);
        assert_eq!(kinds("encoding SJIS"), [Kind::Unknown]);
        assert_eq!(kinds("encoding UTF8"), [Kind::Read]);
    }

    struct Files(&'static [(&'static str, &'static str)]);
    impl Sources for Files {
        fn read_input(&self, path: &str) -> crate::classify::Input {
            crate::classify::fixture_input(self.read_file(path))
        }

        fn stdin(&self) -> StdinView<'_> {
            StdinView::Terminal
        }
        fn read_file(&self, path: &str) -> Option<Vec<u8>> {
            self.0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| t.as_bytes().to_vec())
        }
    }

    #[test]
    fn include_relative_and_cd() {
        begin_session(Some("/home/u"));
        let files = Files(&[
            ("sql/main.sql", "\\ir lib/inner.sql\n"),
            ("sql/lib/inner.sql", "\\ir ../drop.sql\n"),
            ("sql/drop.sql", "DROP TABLE t;\n"),
            ("/srv/x.sql", "SELECT 1;\n"),
            ("/home/u/h.sql", "TRUNCATE t;\n"),
        ]);
        let found = in_script("sql/main.sql", || command("ir lib/inner.sql", &files, 0));
        assert!(
            found.iter().any(|f| f.kind == Kind::DestructiveWrite),
            "{found:?}"
        );
        // Outside a script \ir is \i: relative to psql's directory, where there is no lib/inner.sql.
        let found = command("ir lib/inner.sql", &files, 0);
        assert_eq!(found[0].kind, Kind::Unknown);
        let found = command("i ~/h.sql", &files, 0);
        assert_eq!(found[0].kind, Kind::DestructiveWrite);
        // After \cd /srv, a relative \i reads /srv/x.sql.
        assert_eq!(command("cd /srv", &files, 0)[0].kind, Kind::Unknown);
        assert_eq!(command("i x.sql", &files, 0)[0].kind, Kind::Read);
        begin_session(None);
        command("cd", &files, 0);
        assert_eq!(command("i x.sql", &files, 0)[0].kind, Kind::Unknown);
        begin_session(None);
    }

    #[test]
    fn canonical_paths() {
        assert_eq!(canonicalize("a/b/../c//d/./e/"), "a/c/d/e");
        assert_eq!(canonicalize("/a/../../b"), "/b");
        assert_eq!(canonicalize("../x"), "../x");
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
    fn include_of_stdin_reads_it_once() {
        begin_session(None);
        let found = command("i -", &Stdin("DROP TABLE t;\n\\i -\n"), 0);
        let k: Vec<Kind> = found.iter().map(|f| f.kind).collect();
        assert!(k.contains(&Kind::DestructiveWrite), "{found:?}");
        assert!(k.contains(&Kind::Unknown), "{found:?}");
        begin_session(None);
    }
}
