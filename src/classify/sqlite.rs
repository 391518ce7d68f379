//! `sqlite3`'s dot-commands. The shell runs them itself, so nothing in the database backs them up.

use crate::classify::Kind;
use crate::classify::Sources;
use crate::classify::sql::{self, Dialect, SqlFinding};

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
