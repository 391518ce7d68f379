//! psql's backslash commands (meta-commands): which of them only describe or format, and which write files, run
//! shell commands, or pull in other scripts. psql runs these itself, on the client, so the server's privileges
//! never back them up.

use crate::classify::Kind;
use crate::classify::Sources;
use crate::classify::sql::{self, Dialect, SqlFinding, keywords};

/// One backslash command, without its backslash: its name and the rest of its line.
pub fn command(command: &str, sources: &dyn Sources, depth: usize) -> Vec<SqlFinding> {
    let (name, rest) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let rest = rest.trim();
    let one = |kind: Kind, detail: &str| vec![SqlFinding::new(kind, detail)];
    match name {
        "copy" => {
            let mut found = keywords::analyse(&format!("COPY {rest}"), false);
            for f in &mut found {
                f.detail = format!("\\copy: {}", f.detail);
            }
            if found.is_empty() {
                one(Kind::Unknown, "\\copy gate cannot read")
            } else {
                found
            }
        }
        "!" => one(Kind::CodeExecution, "\\! runs a shell command"),
        "gexec" => one(Kind::CodeExecution, "\\gexec runs query results as SQL"),
        "o" | "out" | "g" | "gx" if rest.starts_with('|') => {
            one(Kind::CodeExecution, "pipes query output to a shell command")
        }
        "o" | "out" if !rest.is_empty() => {
            one(Kind::DataExport, "\\o writes query output to a file")
        }
        "g" | "gx" if !rest.is_empty() => {
            one(Kind::DataExport, "\\g writes query output to a file")
        }
        "i" | "include" | "ir" | "include_relative" => sql::include(
            rest.trim_matches(|c| c == '\'' || c == '"'),
            "\\i",
            Dialect::Postgres,
            sources,
            depth,
        ),
        "c" | "connect" => one(
            Kind::Unknown,
            "\\c connects elsewhere; later statements run on a target gate did not judge",
        ),
        "lo_export" => one(
            Kind::DataExport,
            "\\lo_export writes a large object to a file",
        ),
        "lo_import" => one(Kind::Write, "\\lo_import loads a file"),
        "lo_unlink" => one(Kind::DestructiveWrite, "\\lo_unlink deletes a large object"),
        "set" | "unset" | "pset" | "timing" | "x" | "echo" | "qecho" | "conninfo" | "encoding"
        | "q" | "quit" | "h" | "help" | "?" | "g" | "gx" | "gset" | "watch" | "a" | "t" | "f"
        | "H" | "T" | "C" | "if" | "elif" | "else" | "endif" | "prompt" | "warn" | "errverbose"
        | "setenv" | "getenv" | "cd" | "l" | "list" | "z" | "sf" | "sv" | "ef" | "ev" | "p"
        | "print" | "r" | "reset" | "s" | "bind" | "parse" | "bind_named" | "close"
        | "close_prepared" | "startpipeline" | "endpipeline" | "syncpipeline" | "sendpipeline"
        | "flush" | "flushrequest" | "getresults" | "restrict" | "unrestrict" => {
            one(Kind::Read, "psql command that only describes or formats")
        }
        c if c.starts_with('d') => one(Kind::Read, "psql \\d command: describes objects"),
        _ => one(
            Kind::Unknown,
            &format!("client command `{name}` gate does not know"),
        ),
    }
}
