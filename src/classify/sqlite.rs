//! `sqlite3`: its command line and its dot-commands. The shell runs dot-commands itself, so nothing in the
//! database backs them up.

use crate::classify::sql::{self, Dialect, SqlFinding};
use crate::classify::{Finding, Kind, Sources, Target, Tool};

/// sqlite3's options that take a value (it spells long options with one dash).
const SQLITE_VALUE_OPTIONS: &[&str] = &[
    "-cmd",
    "-init",
    "-separator",
    "-newline",
    "-nullvalue",
    "-vfs",
    "-maxsize",
    "-pagecache",
    "-lookaside",
    "-mmap",
    "-heap",
    "-escape",
];

/// `sqlite3 [OPTIONS] FILE [SQL…]`.
pub fn sqlite3(argv: &[String], sources: &dyn Sources) -> Vec<Finding> {
    let mut positionals = Vec::new();
    let mut commands = Vec::new();
    let mut iter = argv.iter();
    let mut readonly = false;
    while let Some(arg) = iter.next() {
        let flag = arg
            .strip_prefix('-')
            .map(|a| format!("-{}", a.trim_start_matches('-')));
        match flag.as_deref() {
            Some("-cmd") => commands.extend(iter.next().cloned()),
            Some("-init") => {
                if let Some(file) = iter.next() {
                    commands.push(format!(".read {file}"));
                }
            }
            Some("-readonly") => readonly = true,
            Some(f) if SQLITE_VALUE_OPTIONS.contains(&f) => {
                iter.next();
            }
            Some("-version" | "-help") => {
                return vec![Finding::new(
                    Kind::Read,
                    "sqlite3",
                    &Target::default(),
                    "prints sqlite3's help or version",
                )];
            }
            Some(_) if arg.len() > 1 => {}
            _ => positionals.push(arg.clone()),
        }
    }
    let mut rest = positionals.into_iter();
    let target = Target {
        database: rest.next(),
        ..Target::default()
    };
    commands.extend(rest);
    let tool = Tool {
        name: "sqlite3",
        target: &target,
        dialect: Dialect::Sqlite,
    };
    let mut findings: Vec<Finding> = if commands.is_empty() {
        tool.stdin(sources)
    } else {
        commands
            .iter()
            .flat_map(|c| match c.trim_start().strip_prefix('.') {
                Some(dot) => tool.client_command(dot, sources),
                None => tool.sql(c, sources),
            })
            .collect()
    };
    if readonly {
        // -readonly makes SQLite refuse writes, but not exports or shell commands.
        findings.retain(|f| {
            !matches!(
                f.kind,
                Kind::Write | Kind::BulkWrite | Kind::DestructiveWrite | Kind::SchemaChange
            )
        });
        if findings.is_empty() {
            findings.push(tool.finding(Kind::Read, "-readonly: the database refuses every write"));
        }
    }
    findings
}

/// One dot-command, without its dot: its name and the rest of its line.
pub fn dot_command(command: &str, sources: &dyn Sources, depth: usize) -> Vec<SqlFinding> {
    let (name, rest) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let rest = rest.trim();
    let one = |kind: Kind, detail: &str| vec![SqlFinding::new(kind, detail)];
    match name {
        "dump" => one(Kind::DataExport, ".dump writes the whole database out"),
        "output" | "once" | "backup" | "save" | "excel" => {
            one(Kind::DataExport, "writes data to a file")
        }
        "shell" | "system" => one(Kind::CodeExecution, "runs a shell command"),
        "load" => one(Kind::CodeExecution, ".load loads a native extension"),
        "import" | "restore" => one(Kind::BulkWrite, "loads data from a file"),
        "read" => sql::include(
            rest.trim_matches(|c| c == '\'' || c == '"'),
            ".read",
            Dialect::Sqlite,
            sources,
            depth,
        ),
        "open" | "connection" => one(Kind::Unknown, "switches to another database file"),
        "tables" | "schema" | "indexes" | "indices" | "headers" | "header" | "mode" | "width"
        | "help" | "quit" | "exit" | "databases" | "dbinfo" | "show" | "timer" | "echo"
        | "nullvalue" | "separator" | "print" | "stats" | "changes" | "eqp" | "explain"
        | "fullschema" | "lint" | "bail" | "timeout" => {
            one(Kind::Read, "sqlite3 command that only describes or formats")
        }
        _ => one(
            Kind::Unknown,
            &format!("client command `{name}` gate does not know"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn sqlite_arguments_and_dot_commands() {
        let f = sqlite3(&s(&["local.db", "SELECT count(*) FROM t"]), &NoSources);
        assert_eq!(
            (f[0].kind, f[0].target.database.as_deref()),
            (Kind::Read, Some("local.db"))
        );
        assert_eq!(
            sqlite3(&s(&["local.db", ".shell id"]), &NoSources)[0].kind,
            Kind::CodeExecution
        );
        assert_eq!(
            sqlite3(
                &s(&["-cmd", ".output /tmp/x", "local.db", "SELECT 1"]),
                &NoSources
            )[0]
            .kind,
            Kind::DataExport
        );
        assert_eq!(
            sqlite3(&s(&["-readonly", "local.db", "DELETE FROM t"]), &NoSources)[0].kind,
            Kind::Read
        );
        assert_eq!(
            sqlite3(&s(&["local.db", ".dump"]), &NoSources)[0].kind,
            Kind::DataExport
        );
    }
}
