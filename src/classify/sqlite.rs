//! `sqlite3`: its command line, its startup file and its dot-commands. The shell runs dot-commands itself, so
//! nothing in the database backs them up, and several of them write files or run programs. Everything here
//! follows the shell's own code (`src/shell.c.in` of SQLite 3.40.1, Debian bookworm's `sqlite3`, checked against
//! 3.46.1, Debian trixie's, and 3.53.4, Debian sid's): its two passes over `argv`, its dot-command lexer and
//! its prefix rules for dot-command names. What those do not cover is `unknown` (DESIGN §8).

use crate::classify::sql::{self, Dialect, SqlFinding};
use crate::classify::{Finding, Kind, Risk, Sources, Target, Tool};

/// What one command-line option does to the classification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opt {
    /// Output mode, formatting, open mode or a memory setting: nothing to classify.
    Flag,
    /// Takes this many following arguments, none of which is a command (`-pagecache SIZE N`).
    Values(usize),
    /// `-init FILE`: read FILE instead of `~/.sqliterc`.
    Init,
    /// `-cmd COMMAND`: run COMMAND (SQL or a dot-command) before anything else.
    Cmd,
    /// `-interactive`: prompts, and keeps a history file of what it reads from stdin.
    Interactive,
    /// `-version`, `-help`: sqlite3 stops here, after `~/.sqliterc` and earlier `-cmd`s have run.
    Stop,
    /// Understood, but outside what gate models; the text says why.
    Refuse(&'static str),
}

/// sqlite3's options, from `sqlite3 -help` and both passes of `main()` in shell.c.in (3.40.1; 3.46.1 adds
/// `-utf8`, `-no-utf8`, `-no-rowid-in-view`, `-pcachetrace`, `-unsafe-testing`). Names are exact; `--x` means
/// `-x`. An option whose two passes skip a different number of arguments is refused: gate cannot say which
/// arguments become SQL.
const OPTIONS: &[(&str, Opt)] = &[
    ("-append", Opt::Flag),
    ("-ascii", Opt::Flag),
    ("-bail", Opt::Flag),
    ("-batch", Opt::Flag),
    ("-box", Opt::Flag),
    ("-column", Opt::Flag),
    ("-csv", Opt::Flag),
    ("-deserialize", Opt::Flag),
    ("-echo", Opt::Flag),
    ("-eqp", Opt::Flag),
    ("-eqpfull", Opt::Flag),
    ("-header", Opt::Flag),
    ("-noheader", Opt::Flag),
    ("-html", Opt::Flag),
    ("-json", Opt::Flag),
    ("-line", Opt::Flag),
    ("-list", Opt::Flag),
    ("-markdown", Opt::Flag),
    ("-nofollow", Opt::Flag),
    ("-quote", Opt::Flag),
    // -readonly opens the file read-only, but VACUUM INTO, writefile() and the dot-commands still write
    // elsewhere, so gate classifies as if it were absent.
    ("-readonly", Opt::Flag),
    // Safe mode refuses some dot-commands and functions; gate classifies them anyway, so it lowers nothing.
    ("-safe", Opt::Flag),
    ("-stats", Opt::Flag),
    ("-scanstats", Opt::Flag),
    ("-table", Opt::Flag),
    ("-tabs", Opt::Flag),
    ("-zip", Opt::Flag),
    ("-utf8", Opt::Flag),
    ("-no-utf8", Opt::Flag),
    ("-no-rowid-in-view", Opt::Flag),
    ("-separator", Opt::Values(1)),
    ("-newline", Opt::Values(1)),
    ("-nullvalue", Opt::Values(1)),
    ("-heap", Opt::Values(1)),
    ("-mmap", Opt::Values(1)),
    ("-maxsize", Opt::Values(1)),
    ("-pagecache", Opt::Values(2)),
    ("-lookaside", Opt::Values(2)),
    ("-init", Opt::Init),
    ("-cmd", Opt::Cmd),
    ("-interactive", Opt::Interactive),
    ("-version", Opt::Stop),
    ("-help", Opt::Stop),
    (
        "-backslash",
        Opt::Refuse("-backslash rewrites C escapes in the SQL before SQLite sees it"),
    ),
    (
        "-vfs",
        Opt::Refuse("-vfs chooses how the database file is accessed, which gate does not model"),
    ),
    (
        "-memtrace",
        Opt::Refuse("sqlite3's two passes over argv read the argument after -memtrace differently"),
    ),
    (
        "-pcachetrace",
        Opt::Refuse(
            "sqlite3's two passes over argv read the argument after -pcachetrace differently",
        ),
    ),
    (
        "-threadsafe",
        Opt::Refuse(
            "sqlite3's two passes over argv read the arguments after -threadsafe differently",
        ),
    ),
    (
        "-nonce",
        Opt::Refuse("sqlite3's two passes over argv read the arguments after -nonce differently"),
    ),
    (
        "-unsafe-testing",
        Opt::Refuse("-unsafe-testing lifts sqlite3's own safety checks"),
    ),
];

/// The command line, read as sqlite3 reads it.
#[derive(Debug, Default)]
struct CommandLine {
    database: Option<String>,
    init: Option<String>,
    /// `-cmd` values that run (those before any `-version`/`-help`), in order.
    commands: Vec<String>,
    /// Positionals after the database: SQL or dot-commands; when there are any, stdin is not read.
    arguments: Vec<String>,
    /// `-A…`: the arguments of the `.archive` command it runs.
    archive: Option<Vec<String>>,
    interactive: bool,
    /// `-version` or `-help`: nothing after `~/.sqliterc` and the earlier `-cmd`s runs.
    stopped: bool,
}

fn read_command_line(argv: &[String]) -> Result<CommandLine, String> {
    let mut line = CommandLine::default();
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        if !arg.starts_with('-') {
            if line.database.is_none() {
                line.database = Some(arg.clone());
            } else {
                line.arguments.push(arg.clone());
            }
            continue;
        }
        let name = if arg.starts_with("--") {
            &arg[1..]
        } else {
            arg
        };
        if name == "-" {
            return Err(format!(
                "`{arg}` ends the options in sqlite3 3.46 but is an error in 3.40"
            ));
        }
        // `-A…` hands the rest of the command line to `.archive`; an attached suffix is its first argument.
        if let Some(attached) = name.strip_prefix("-A") {
            let mut archive: Vec<String> = Vec::new();
            if !attached.is_empty() {
                archive.push(attached.to_string());
            }
            archive.extend(argv[i..].iter().cloned());
            line.archive = Some(archive);
            return Ok(line);
        }
        let Some(&(_, opt)) = OPTIONS.iter().find(|(n, _)| *n == name) else {
            return Err(format!("option `{arg}` is not one gate knows for sqlite3"));
        };
        let values = match opt {
            Opt::Values(n) => n,
            Opt::Init | Opt::Cmd => 1,
            _ => 0,
        };
        if argv.len() - i < values {
            return Err(format!("option `{arg}` needs a value and has none"));
        }
        let value = argv.get(i).cloned();
        i += values;
        match opt {
            Opt::Init => line.init = value,
            Opt::Cmd if !line.stopped => line.commands.extend(value),
            Opt::Interactive => line.interactive = true,
            Opt::Stop => line.stopped = true,
            Opt::Refuse(why) => return Err(why.to_string()),
            Opt::Flag | Opt::Values(_) | Opt::Cmd => {}
        }
    }
    Ok(line)
}

/// `sqlite3 [OPTIONS] FILE [SQL…]`.
pub fn sqlite3(argv: &[String], sources: &dyn Sources) -> Vec<Finding> {
    let line = match read_command_line(argv) {
        Ok(line) => line,
        Err(why) => {
            return vec![Finding::new(
                Kind::Unknown,
                "sqlite3",
                &Target::default(),
                why,
            )];
        }
    };
    let target = Target {
        database: line.database.clone(),
        ..Target::default()
    };
    let tool = Tool {
        name: "sqlite3",
        target: &target,
        dialect: Dialect::Sqlite,
    };
    let mut findings = startup_file(&tool, line.init.as_deref(), sources);
    for command in &line.commands {
        findings.extend(one_input(&tool, command, sources));
    }
    if !line.stopped {
        if let Some(archive) = &line.archive {
            findings.extend(convert(&tool, archive_command(archive), "-A"));
        } else if !line.arguments.is_empty() {
            for argument in &line.arguments {
                findings.extend(one_input(&tool, argument, sources));
            }
        } else if line.interactive {
            findings.push(tool.finding(
                Kind::Unknown,
                "-interactive: sqlite3 prompts and writes what it reads to SQLITE_HISTORY or ~/.sqlite_history",
            ));
        } else {
            findings.extend(tool.stdin(sources));
        }
    }
    if findings.is_empty() {
        findings.push(tool.finding(
            Kind::Read,
            if line.stopped {
                "prints sqlite3's help or version"
            } else {
                "opens the database and runs nothing"
            },
        ));
    }
    findings
}

/// One command-line input: a dot-command when it starts with `.` (exactly: sqlite3 does not skip blanks
/// here), SQL otherwise.
fn one_input(tool: &Tool<'_>, text: &str, sources: &dyn Sources) -> Vec<Finding> {
    match text.strip_prefix('.') {
        Some(command) => convert(tool, dot_command(command, sources, 0), ""),
        None => tool.sql(text, sources),
    }
}

fn convert(tool: &Tool<'_>, found: Vec<SqlFinding>, context: &str) -> Vec<Finding> {
    found
        .into_iter()
        .map(|f| {
            let detail = if context.is_empty() {
                f.detail
            } else {
                format!("{context}: {}", f.detail)
            };
            tool.finding(f.kind, detail)
                .with_risk(f.risk)
                .with_objects(f.objects)
        })
        .collect()
}

/// `-init FILE`, or else `~/.sqliterc`: a script sqlite3 runs before anything on the command line.
fn startup_file(tool: &Tool<'_>, init: Option<&str>, sources: &dyn Sources) -> Vec<Finding> {
    let (path, what) = match init {
        Some(file) => (file.to_string(), format!("-init {file}")),
        None => match account_home(sources) {
            Ok(home) => (
                format!("{}/.sqliterc", home.trim_end_matches('/')),
                "~/.sqliterc".to_string(),
            ),
            Err(why) => {
                return vec![tool.finding(
                    Kind::Unknown,
                    format!("sqlite3 reads ~/.sqliterc, and gate cannot tell which: {why}"),
                )];
            }
        },
    };
    match super::optional_input(sources, &path) {
        Ok(Some(bytes)) => {
            let text = String::from_utf8_lossy(&bytes);
            tool.sql(&text, sources)
                .into_iter()
                .map(|mut f| {
                    f.detail = format!("{what} ({path}): {}", f.detail);
                    f
                })
                .collect()
        }
        Ok(None) if init.is_some() => vec![tool.finding(
            Kind::Unknown,
            format!("{what} runs {path}, which does not exist"),
        )],
        Ok(None) => Vec::new(),
        Err(why) => vec![tool.finding(Kind::Unknown, format!("{what}: {why}"))],
    }
}

/// The home directory sqlite3 takes `~/.sqliterc` from. Its `find_home_dir()` asks `getpwuid(getuid())` first
/// and falls back to `$HOME` only when that fails, so `HOME=/elsewhere` does not move it; the adapter looks the
/// account up the same way.
fn account_home(sources: &dyn Sources) -> Result<String, String> {
    sources
        .account_home()
        .ok_or_else(|| "gate cannot look up the account's home directory".to_string())
}

/// C's `isspace` in the C locale.
const fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The most arguments `do_meta_command` keeps (`azArg[52]`, one slot for the terminator); the rest of the line
/// is dropped.
const MAX_DOT_ARGUMENTS: usize = 51;

/// Splits a dot-command line (without its dot) as `do_meta_command` does: `'…'` verbatim, `"…"` and bare
/// words with C escapes resolved, a quoted word ending at its closing quote even with no blank after it.
fn dot_words(line: &str) -> Vec<Vec<u8>> {
    let bytes = line.as_bytes();
    // The line is a C string.
    let bytes = &bytes[..bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len())];
    let mut words = Vec::new();
    let mut h = 0;
    while h < bytes.len() && words.len() < MAX_DOT_ARGUMENTS {
        while h < bytes.len() && is_c_space(bytes[h]) {
            h += 1;
        }
        if h == bytes.len() {
            break;
        }
        if bytes[h] == b'\'' || bytes[h] == b'"' {
            let delim = bytes[h];
            h += 1;
            let start = h;
            while h < bytes.len() && bytes[h] != delim {
                if bytes[h] == b'\\' && delim == b'"' && h + 1 < bytes.len() {
                    h += 1;
                }
                h += 1;
            }
            let word = bytes[start..h].to_vec();
            if h < bytes.len() {
                h += 1;
            }
            words.push(if delim == b'"' {
                resolve_backslashes(&word)
            } else {
                word
            });
        } else {
            let start = h;
            while h < bytes.len() && !is_c_space(bytes[h]) {
                h += 1;
            }
            words.push(resolve_backslashes(&bytes[start..h]));
            if h < bytes.len() {
                h += 1;
            }
        }
    }
    words
}

/// shell.c.in's `resolve_backslashes`: C escapes, up to three octal digits, any other `\c` is `c`; a `\0`
/// ends the string.
fn resolve_backslashes(word: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(word.len());
    let mut at = 0;
    while at < word.len() {
        let mut byte = word[at];
        if byte == b'\\' && at + 1 < word.len() {
            at += 1;
            byte = match word[at] {
                b'a' => 0x07,
                b'b' => 0x08,
                b't' => b'\t',
                b'n' => b'\n',
                b'v' => 0x0b,
                b'f' => 0x0c,
                b'r' => b'\r',
                first @ b'0'..=b'7' => {
                    let mut value = first - b'0';
                    for _ in 0..2 {
                        match word.get(at + 1) {
                            Some(&digit @ b'0'..=b'7') => {
                                at += 1;
                                value = value.wrapping_shl(3).wrapping_add(digit - b'0');
                            }
                            _ => break,
                        }
                    }
                    value
                }
                other => other,
            };
        }
        if byte == 0 {
            break;
        }
        out.push(byte);
        at += 1;
    }
    out
}

/// How `do_meta_command` matches a typed name against one command.
#[derive(Clone, Copy, Debug)]
enum Match {
    /// Any prefix of the name at least this long (`c=='s' && n>=3 && strncmp(azArg[0],"save",n)==0`).
    Prefix(usize),
    /// The whole name only.
    Exact,
    /// `selftest-…`: debug builds only.
    SelftestDash,
}

/// Whether every build and every version gate targets has the command. When one that some builds lack (a
/// compile-time option, a newer version) matches before one every build has, the name means different
/// commands on different machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Presence {
    Always,
    Sometimes,
}

/// The dot-commands in `do_meta_command`'s order (3.40.1, with what 3.46.1 and 3.53.4 add in place: `.crnl`,
/// `.crlf`, `.intck`, `.dbtotxt`, `.www`; 3.53 drops `.scanstats`), each with the shortest abbreviation the
/// shell accepts.
const DOT_COMMANDS: &[(&str, Match, Presence)] = &[
    ("auth", Match::Prefix(1), Presence::Sometimes),
    ("archive", Match::Prefix(1), Presence::Sometimes),
    ("backup", Match::Prefix(3), Presence::Always),
    ("save", Match::Prefix(3), Presence::Always),
    ("bail", Match::Prefix(3), Presence::Always),
    ("binary", Match::Prefix(3), Presence::Always),
    ("breakpoint", Match::Prefix(3), Presence::Always),
    ("cd", Match::Exact, Presence::Always),
    ("changes", Match::Prefix(3), Presence::Always),
    ("check", Match::Prefix(3), Presence::Always),
    ("clone", Match::Prefix(1), Presence::Always),
    ("connection", Match::Prefix(1), Presence::Always),
    ("crnl", Match::Exact, Presence::Sometimes),
    ("crlf", Match::Exact, Presence::Sometimes),
    ("databases", Match::Prefix(2), Presence::Always),
    ("dbconfig", Match::Prefix(3), Presence::Always),
    ("dbinfo", Match::Prefix(3), Presence::Sometimes),
    ("recover", Match::Prefix(1), Presence::Sometimes),
    ("dump", Match::Prefix(1), Presence::Always),
    ("echo", Match::Prefix(1), Presence::Always),
    ("dbtotxt", Match::Prefix(3), Presence::Sometimes),
    ("eqp", Match::Prefix(1), Presence::Always),
    ("exit", Match::Prefix(1), Presence::Always),
    ("explain", Match::Prefix(1), Presence::Always),
    ("expert", Match::Prefix(1), Presence::Sometimes),
    ("filectrl", Match::Prefix(1), Presence::Always),
    ("fullschema", Match::Prefix(1), Presence::Always),
    ("headers", Match::Prefix(1), Presence::Always),
    ("help", Match::Prefix(1), Presence::Always),
    ("import", Match::Prefix(1), Presence::Always),
    ("imposter", Match::Prefix(1), Presence::Sometimes),
    ("intck", Match::Prefix(1), Presence::Sometimes),
    ("iotrace", Match::Prefix(1), Presence::Sometimes),
    ("limits", Match::Prefix(5), Presence::Always),
    ("lint", Match::Prefix(3), Presence::Always),
    ("load", Match::Prefix(1), Presence::Sometimes),
    ("log", Match::Prefix(1), Presence::Always),
    ("mode", Match::Prefix(1), Presence::Always),
    ("nonce", Match::Exact, Presence::Always),
    ("nullvalue", Match::Prefix(1), Presence::Always),
    ("open", Match::Prefix(2), Presence::Always),
    ("output", Match::Prefix(1), Presence::Always),
    ("once", Match::Prefix(1), Presence::Always),
    ("excel", Match::Exact, Presence::Always),
    ("www", Match::Exact, Presence::Sometimes),
    ("parameter", Match::Prefix(3), Presence::Always),
    ("print", Match::Prefix(3), Presence::Always),
    ("progress", Match::Prefix(3), Presence::Sometimes),
    ("prompt", Match::Prefix(1), Presence::Always),
    ("quit", Match::Prefix(1), Presence::Always),
    ("read", Match::Prefix(3), Presence::Always),
    ("restore", Match::Prefix(3), Presence::Always),
    ("scanstats", Match::Prefix(1), Presence::Sometimes),
    ("schema", Match::Prefix(1), Presence::Always),
    ("selecttrace", Match::Exact, Presence::Always),
    ("treetrace", Match::Exact, Presence::Always),
    ("session", Match::Prefix(3), Presence::Sometimes),
    ("selftest-", Match::SelftestDash, Presence::Sometimes),
    ("selftest", Match::Prefix(4), Presence::Always),
    ("separator", Match::Prefix(1), Presence::Always),
    ("sha3sum", Match::Prefix(4), Presence::Always),
    ("shell", Match::Prefix(1), Presence::Sometimes),
    ("system", Match::Prefix(1), Presence::Sometimes),
    ("show", Match::Prefix(1), Presence::Always),
    ("stats", Match::Prefix(1), Presence::Always),
    ("tables", Match::Prefix(2), Presence::Always),
    ("indices", Match::Prefix(1), Presence::Always),
    ("indexes", Match::Prefix(1), Presence::Always),
    ("testcase", Match::Exact, Presence::Always),
    ("testctrl", Match::Prefix(8), Presence::Sometimes),
    ("timeout", Match::Prefix(5), Presence::Always),
    ("timer", Match::Prefix(5), Presence::Always),
    ("trace", Match::Prefix(1), Presence::Sometimes),
    ("unmodule", Match::Prefix(1), Presence::Sometimes),
    ("user", Match::Prefix(1), Presence::Sometimes),
    ("version", Match::Prefix(1), Presence::Always),
    ("vfsinfo", Match::Prefix(1), Presence::Always),
    ("vfslist", Match::Prefix(1), Presence::Always),
    ("vfsname", Match::Prefix(1), Presence::Always),
    ("wheretrace", Match::Prefix(1), Presence::Sometimes),
    ("width", Match::Prefix(1), Presence::Always),
];

fn matches(typed: &str, name: &str, rule: Match) -> bool {
    match rule {
        Match::Prefix(min) => typed.len() >= min && name.starts_with(typed),
        Match::Exact => typed == name,
        Match::SelftestDash => typed.len() >= 10 && typed.starts_with(name),
    }
}

/// The commands a typed name may run, as `do_meta_command` picks them: the first match in its order, and
/// before it any match that some builds lack (`.sh` is `.shell`, or `.show` where sqlite3 was built without
/// `system()`).
fn resolve(typed: &str) -> Vec<&'static str> {
    let mut candidates: Vec<&'static str> = Vec::new();
    for &(name, rule, presence) in DOT_COMMANDS {
        if typed.is_empty() || !matches(typed, name, rule) {
            continue;
        }
        if !candidates.contains(&name) {
            candidates.push(name);
        }
        if presence == Presence::Always {
            break;
        }
    }
    candidates
}

/// Where `output_file_open` sends output for a name: nowhere new for `stdout`, `stderr` and `off`.
fn sink(name: &str, what: &str) -> SqlFinding {
    match name {
        "stdout" | "stderr" | "off" => SqlFinding::new(Kind::Read, format!("{what} to {name}")),
        pipe if pipe.starts_with('|') => SqlFinding::new(
            Kind::CodeExecution,
            format!("{what} into the program `{}`", &pipe[1..]),
        ),
        file => SqlFinding::new(Kind::DataExport, format!("{what} writes the file {file}")),
    }
}

/// One dot-command, without its dot.
pub fn dot_command(command: &str, sources: &dyn Sources, depth: usize) -> Vec<SqlFinding> {
    let words: Vec<String> = dot_words(command)
        .iter()
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    let Some((typed, args)) = words.split_first() else {
        return vec![SqlFinding::new(
            Kind::Read,
            "an empty dot-command does nothing",
        )];
    };
    let candidates = resolve(typed);
    if candidates.is_empty() {
        return vec![SqlFinding::new(
            Kind::Unknown,
            format!("`.{typed}` is not a dot-command gate knows"),
        )];
    }
    candidates
        .into_iter()
        .flat_map(|name| run_dot_command(name, args, sources, depth))
        .collect()
}

/// What one dot-command does with its arguments.
fn run_dot_command(
    name: &str,
    args: &[String],
    sources: &dyn Sources,
    depth: usize,
) -> Vec<SqlFinding> {
    let one = |kind: Kind, detail: &str| vec![SqlFinding::new(kind, format!(".{name}: {detail}"))];
    match name {
        "archive" => archive_command(args),
        "backup" | "save" => one(Kind::DataExport, "copies the database to a file"),
        "clone" => one(Kind::DataExport, "copies the database into a new file"),
        "dump" | "recover" => one(Kind::DataExport, "writes out the whole database"),
        "testcase" => one(Kind::DataExport, "writes output to testcase-out.txt"),
        "shell" | "system" => one(Kind::CodeExecution, "runs a shell command"),
        "load" => one(Kind::CodeExecution, "loads a native extension"),
        "excel" | "www" => one(
            Kind::CodeExecution,
            "opens the output in the system's spreadsheet program or web browser",
        ),
        "import" if args.iter().any(|a| a.starts_with('|')) => {
            one(Kind::CodeExecution, "reads its rows from a program it runs")
        }
        "import" => one(Kind::BulkWrite, "loads rows from a file into a table"),
        "restore" => one(
            Kind::BulkWrite,
            "replaces the database's content with a file's",
        ),
        "imposter" => one(Kind::SchemaChange, "creates an imposter table"),
        "user" => one(Kind::PermissionChange, "manages user authentication"),
        "dbconfig" if args.len() >= 2 => one(Kind::AdminConfig, "changes a connection setting"),
        "output" | "once" => output_command(name, args),
        "log" | "iotrace" => match args {
            [] => one(Kind::Read, "with no file prints its usage"),
            [file] => vec![sink(file, &format!(".{name}"))],
            _ => one(Kind::Unknown, "takes one file name"),
        },
        // `.trace` opens its first argument whenever it has any argument that is not an option.
        "trace" if args.iter().any(|a| !a.starts_with('-')) => vec![sink(&args[0], ".trace")],
        "trace" => one(Kind::Read, "traces to the current output"),
        "parameter" => parameter_command(args),
        "read" => match args {
            [pipe] if pipe.starts_with('|') => one(
                Kind::CodeExecution,
                &format!("runs `{}` and reads its output as input", &pipe[1..]),
            ),
            [file] => sql::include(file, ".read", Dialect::Sqlite, sources, depth),
            _ => one(Kind::Read, "without exactly one file prints its usage"),
        },
        "open" | "connection" => one(Kind::Unknown, "switches to another database"),
        "cd" => one(
            Kind::Unknown,
            "changes the directory later file names resolve in",
        ),
        "filectrl" | "testctrl" | "session" | "selftest" => one(
            Kind::Unknown,
            "does things to the database that gate does not model",
        ),
        _ => one(Kind::Read, "only describes or formats"),
    }
}

/// `.output`/`.once` in 3.40.1: `-bom`, `-x` (a spreadsheet), `-e` (an editor), then a file or `|command`.
fn output_command(name: &str, args: &[String]) -> Vec<SqlFinding> {
    let what = format!(".{name}");
    let mut file: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg.starts_with('-') {
            let option = arg
                .strip_prefix('-')
                .filter(|o| o.starts_with('-'))
                .unwrap_or(arg);
            match option {
                "-bom" => {}
                "-x" | "-e" => {
                    return vec![SqlFinding::new(
                        Kind::CodeExecution,
                        format!("{what} {arg}: opens the output in another program"),
                    )];
                }
                _ => {
                    return vec![SqlFinding::new(
                        Kind::Unknown,
                        format!("{what}: option `{arg}` is not one gate knows"),
                    )];
                }
            }
        } else if file.is_none() {
            if arg.starts_with('|') {
                let command = args[i - 1..].join(" ");
                return vec![sink(&command, &what)];
            }
            file = Some(arg.clone());
        } else {
            return vec![SqlFinding::new(
                Kind::Unknown,
                format!("{what}: extra argument `{arg}`"),
            )];
        }
    }
    vec![sink(file.as_deref().unwrap_or("stdout"), &what)]
}

/// `.parameter`: `set NAME VALUE` splices VALUE into SQL (`VALUES(%Q,%s)`), so only a literal is understood.
fn parameter_command(args: &[String]) -> Vec<SqlFinding> {
    let one = |kind: Kind, detail: String| vec![SqlFinding::new(kind, detail)];
    match args.first().map(String::as_str) {
        None | Some("list" | "clear" | "init" | "unset") => one(
            Kind::Read,
            ".parameter: only lists or changes the temp table of bound parameters".into(),
        ),
        Some("set") if args.len() == 3 && is_sql_literal(&args[2]) => one(
            Kind::Read,
            ".parameter set: binds a literal for later statements".into(),
        ),
        Some("set") => one(
            Kind::Unknown,
            ".parameter set: its value is evaluated as SQL gate did not analyse".into(),
        ),
        Some(other) => one(
            Kind::Unknown,
            format!(".parameter {other} is not a subcommand gate knows"),
        ),
    }
}

/// A number, `NULL`, or one single-quoted string.
fn is_sql_literal(value: &str) -> bool {
    let number = value.strip_prefix(['+', '-']).unwrap_or(value);
    if !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.chars().filter(|&c| c == '.').count() <= 1
        && number != "."
    {
        return true;
    }
    if value.eq_ignore_ascii_case("null") {
        return true;
    }
    value.len() >= 2
        && value.starts_with('\'')
        && value.ends_with('\'')
        && !value[1..value.len() - 1].replace("''", "").contains('\'')
}

/// What an `.archive` (`.ar`, `-A`) command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArCommand {
    Create,
    Extract,
    Insert,
    List,
    Remove,
    Update,
    Help,
}

/// `arParseCommand`'s switches: long name, short letter, command (if it is one), whether it takes a value.
const AR_SWITCHES: &[(&str, char, Option<ArCommand>, bool)] = &[
    ("create", 'c', Some(ArCommand::Create), false),
    ("extract", 'x', Some(ArCommand::Extract), false),
    ("insert", 'i', Some(ArCommand::Insert), false),
    ("list", 't', Some(ArCommand::List), false),
    ("remove", 'r', Some(ArCommand::Remove), false),
    ("update", 'u', Some(ArCommand::Update), false),
    ("help", 'h', Some(ArCommand::Help), false),
    ("verbose", 'v', None, false),
    ("file", 'f', None, true),
    ("append", 'a', None, true),
    ("directory", 'C', None, true),
    ("dryrun", 'n', None, false),
    ("glob", 'g', None, false),
];

fn parse_archive(args: &[String]) -> Result<Option<ArCommand>, String> {
    let mut command = None;
    let mut set = |switch: &(&str, char, Option<ArCommand>, bool)| -> Result<(), String> {
        if let Some(c) = switch.2 {
            if command.is_some() {
                return Err("multiple command options".into());
            }
            command = Some(c);
        }
        Ok(())
    };
    let short = |c: char| {
        AR_SWITCHES
            .iter()
            .find(|s| s.1 == c)
            .ok_or_else(|| format!("unrecognized option: {c}"))
    };
    let Some(first) = args.first() else {
        return Ok(Some(ArCommand::Help));
    };
    if !first.starts_with('-') {
        // Traditional `tar` style: one word of letters, values taken from the words after it.
        let mut next = 1;
        for c in first.chars() {
            let switch = short(c)?;
            if switch.3 {
                if next >= args.len() {
                    return Err(format!("option requires an argument: {c}"));
                }
                next += 1;
            }
            set(switch)?;
        }
        return Ok(command);
    }
    let mut i = 0;
    while i < args.len() {
        let word = &args[i];
        if !word.starts_with('-') {
            break;
        }
        if word == "--" {
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let found: Vec<_> = AR_SWITCHES
                .iter()
                .filter(|s| s.0.starts_with(long))
                .collect();
            let switch = match found.as_slice() {
                [one] => *one,
                [] => return Err(format!("unrecognized option: {word}")),
                _ => return Err(format!("ambiguous option: {word}")),
            };
            if switch.3 {
                if i + 1 >= args.len() {
                    return Err(format!("option requires an argument: {word}"));
                }
                i += 1;
            }
            set(switch)?;
        } else {
            let letters: Vec<char> = word.chars().skip(1).collect();
            for (at, &c) in letters.iter().enumerate() {
                let switch = short(c)?;
                set(switch)?;
                if switch.3 {
                    if at + 1 == letters.len() {
                        if i + 1 >= args.len() {
                            return Err(format!("option requires an argument: {c}"));
                        }
                        i += 1;
                    }
                    break;
                }
            }
        }
        i += 1;
    }
    Ok(command)
}

/// The arguments of `.archive` (after its name) or of `-A`.
fn archive_command(args: &[String]) -> Vec<SqlFinding> {
    let command = match parse_archive(args) {
        Ok(command) => command,
        Err(why) => {
            return vec![SqlFinding::new(Kind::Unknown, format!(".archive: {why}"))];
        }
    };
    // With no command switch, arDotCommand falls through to its last case, update.
    let (kind, detail) = match command.unwrap_or(ArCommand::Update) {
        ArCommand::List | ArCommand::Help => (Kind::Read, "lists the archive"),
        ArCommand::Extract => (
            Kind::DataExport,
            "writes the archive's files into the filesystem",
        ),
        ArCommand::Insert | ArCommand::Update => {
            (Kind::BulkWrite, "reads files from disk into the archive")
        }
        ArCommand::Create => (
            Kind::DestructiveWrite,
            "replaces the archive with files read from disk",
        ),
        ArCommand::Remove => (Kind::DestructiveWrite, "deletes files from the archive"),
    };
    let finding = SqlFinding::new(kind, format!(".archive: {detail}"));
    vec![if kind == Kind::DataExport {
        SqlFinding {
            risk: Risk::Critical,
            ..finding
        }
    } else {
        finding
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    fn kinds(argv: &[&str]) -> Vec<Kind> {
        let mut k: Vec<Kind> = sqlite3(&s(argv), &NoSources)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    fn dot(line: &str) -> Kind {
        let found = dot_command(line, &NoSources, 0);
        found.iter().map(|f| f.kind).max().unwrap()
    }

    #[test]
    fn dot_command_names_resolve_as_the_shell_resolves_them() {
        for (typed, name) in [
            ("sy", "system"),
            ("o", "output"),
            ("ou", "output"),
            ("on", "once"),
            ("op", "open"),
            ("sch", "schema"),
            ("re", "recover"),
            ("sav", "save"),
            ("rea", "read"),
            ("r", "recover"),
            ("c", "clone"),
            ("t", "trace"),
            ("ta", "tables"),
            ("i", "import"),
            ("ex", "exit"),
            ("excel", "excel"),
            ("d", "dump"),
            ("da", "databases"),
        ] {
            assert_eq!(resolve(typed), [name], ".{typed}");
        }
        for typed in ["", "zz", "shellx", "exc", "ba"] {
            assert!(resolve(typed).is_empty(), ".{typed}");
        }
        // `.in` is .indices in 3.40 and .intck in 3.46; `.sh` is .show where there is no system().
        assert_eq!(resolve("in"), ["intck", "indices"]);
        assert_eq!(resolve("sh"), ["shell", "show"]);
        // `.s` is .scanstats up to 3.52 and .schema in 3.53.
        assert_eq!(resolve("s"), ["scanstats", "schema"]);
        assert_eq!(resolve("www"), ["www"]);
    }

    #[test]
    fn dot_command_words_follow_the_shell_lexer() {
        assert_eq!(dot_words("sh id"), [b"sh".to_vec(), b"id".to_vec()]);
        assert_eq!(dot_words("\"sh\" id")[0], b"sh");
        assert_eq!(dot_words("s\\x68")[0], b"sx68");
        assert_eq!(dot_words("s\\150 id")[0], b"sh");
        assert_eq!(dot_words("'a b'c")[..], [b"a b".to_vec(), b"c".to_vec()]);
        assert_eq!(dot_words("'a\\'b")[0], b"a\\");
        assert_eq!(dot_words("sh\\0ell")[0], b"sh");
        assert_eq!(dot(r"s\150 id"), Kind::CodeExecution);
        assert_eq!(dot("\"sys\" id"), Kind::CodeExecution);
    }

    #[test]
    fn dot_commands_are_classified() {
        for (line, kind) in [
            ("tables", Kind::Read),
            ("schema t", Kind::Read),
            ("mode csv", Kind::Read),
            ("headers on", Kind::Read),
            ("sh touch x", Kind::CodeExecution),
            ("output /tmp/x", Kind::DataExport),
            ("output", Kind::Read),
            ("output stdout", Kind::Read),
            ("o |cat", Kind::CodeExecution),
            ("once -x", Kind::CodeExecution),
            ("once --e", Kind::CodeExecution),
            ("once -q", Kind::Unknown),
            ("excel", Kind::CodeExecution),
            ("import '|touch x' t", Kind::CodeExecution),
            ("import data.csv t", Kind::BulkWrite),
            ("read '|touch x'", Kind::CodeExecution),
            ("read /nonexistent.sql", Kind::Unknown),
            ("load ./x.so", Kind::CodeExecution),
            ("log /tmp/l", Kind::DataExport),
            ("log off", Kind::Read),
            ("trace -plain", Kind::Read),
            ("trace -plain /tmp/t", Kind::DataExport),
            ("cd /tmp", Kind::Unknown),
            ("open other.db", Kind::Unknown),
            ("parameter set :x 5", Kind::Read),
            ("parameter set :x \"'a b'\"", Kind::Read),
            ("parameter set :x 'a b'", Kind::Unknown),
            ("parameter set :x writefile('x','y')", Kind::Unknown),
            ("dbconfig defensive", Kind::Read),
            ("dbconfig enable_load_extension on", Kind::AdminConfig),
            ("ar -t", Kind::Read),
            ("ar -x", Kind::DataExport),
            ("ar x", Kind::DataExport),
            ("ar -c a.txt", Kind::DestructiveWrite),
            ("ar --ext", Kind::DataExport),
            ("ar -f x.db", Kind::BulkWrite),
            ("ar -q", Kind::Unknown),
            ("selftest", Kind::Unknown),
            ("restore x.db", Kind::BulkWrite),
            ("testcase a", Kind::DataExport),
        ] {
            assert_eq!(dot(line), kind, ".{line}");
        }
    }

    #[test]
    fn the_command_line_is_read_as_sqlite3_reads_it() {
        assert!(kinds(&["local.db", "SELECT count(*) FROM t"]).contains(&Kind::Read));
        assert!(kinds(&["local.db", ".shell id"]).contains(&Kind::CodeExecution));
        assert!(kinds(&["-cmd", ".sh id", "local.db", "SELECT 1"]).contains(&Kind::CodeExecution));
        assert!(kinds(&["local.db", "--cmd", ".sh id"]).contains(&Kind::CodeExecution));
        // Options may follow the database and the SQL.
        assert!(kinds(&["local.db", "SELECT 1", "-cmd", ".sh id"]).contains(&Kind::CodeExecution));
        // -version stops sqlite3 only after earlier -cmd values ran.
        assert!(kinds(&["-cmd", ".sh id", "-version"]).contains(&Kind::CodeExecution));
        assert_eq!(kinds(&["local.db", "-bogus"]), [Kind::Unknown]);
        assert_eq!(kinds(&["local.db", "-cmd=.tables"]), [Kind::Unknown]);
        assert_eq!(kinds(&["--", "local.db"]), [Kind::Unknown]);
        assert_eq!(kinds(&["-memtrace", "local.db"]), [Kind::Unknown]);
        assert_eq!(kinds(&["local.db", "-cmd"]), [Kind::Unknown]);
        assert!(kinds(&["local.db", "-Ax"]).contains(&Kind::DataExport));
        assert!(kinds(&["-A", "-t", "local.db"]).contains(&Kind::Read));
        assert!(kinds(&["local.db", "-A", "t"]).contains(&Kind::Read));
        // -readonly lowers nothing.
        assert!(
            kinds(&["-readonly", "local.db", "DELETE FROM t"]).contains(&Kind::DestructiveWrite)
        );
        // A blank before the dot makes it SQL to sqlite3 (which rejects it), never a dot-command.
        assert!(!kinds(&["local.db", " .shell id"]).contains(&Kind::CodeExecution));
    }

    /// Sources for a machine with an account whose home holds a ~/.sqliterc.
    struct Account(&'static str);

    impl Sources for Account {
        fn stdin(&self) -> crate::classify::StdinView<'_> {
            crate::classify::StdinView::Bytes {
                bytes: b"",
                complete: true,
            }
        }

        fn account_home(&self) -> Option<String> {
            Some("/home/u".into())
        }

        fn read_input(&self, path: &str) -> crate::classify::Input {
            self.read_file(path).map_or(
                crate::classify::Input::Absent,
                crate::classify::Input::Found,
            )
        }

        fn read_file(&self, path: &str) -> Option<Vec<u8>> {
            let text = match path {
                "/home/u/.sqliterc" => self.0,
                "init.sql" => ".mode csv\n",
                _ => return None,
            };
            Some(text.as_bytes().to_vec())
        }
    }

    #[test]
    fn startup_files() {
        let k = |argv: &[&str], rc: &'static str| {
            let mut k: Vec<Kind> = sqlite3(&s(argv), &Account(rc))
                .iter()
                .map(|f| f.kind)
                .collect();
            k.sort();
            k.dedup();
            k
        };
        assert_eq!(k(&["x.db", "SELECT 1"], ".headers on\n"), [Kind::Read]);
        assert!(k(&["x.db", "SELECT 1"], "DROP TABLE t;\n").contains(&Kind::DestructiveWrite));
        assert!(k(&["x.db", ".tables"], ".sh touch /tmp/x\n").contains(&Kind::CodeExecution));
        // -init replaces ~/.sqliterc; a file gate cannot read is unknown.
        assert_eq!(
            k(&["-init", "init.sql", "x.db", "SELECT 1"], "DROP TABLE t;"),
            [Kind::Read]
        );
        assert!(k(&["-init", "missing.sql", "x.db", "SELECT 1"], "").contains(&Kind::Unknown));
        // Without the account's passwd entry gate cannot tell which ~/.sqliterc sqlite3 reads.
        assert!(kinds(&["x.db", "SELECT 1"]).contains(&Kind::Unknown));
    }
}
