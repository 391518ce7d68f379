//! Wrappers: `env`, `sudo`, `sh -c`, `docker exec`, `kubectl exec`, `ssh HOST CMD` and friends run another
//! command, and it is that command gate must judge. Shell text is split into simple commands the way `sh` would
//! (`;`, `&&`, `||`, `|`, `&`, newlines), with redirections, here-documents and leading assignments understood;
//! each simple command is classified on its own.

use std::collections::BTreeMap;

use super::{Finding, Kind, Sources, StdinView, Target};

/// One simple command out of shell text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SimpleCommand {
    pub assignments: Vec<(String, String)>,
    pub words: Vec<String>,
    pub stdin: CommandStdin,
    /// It contains `$(…)` or backquotes: part of it is decided only when it runs.
    pub substitution: bool,
}

/// Where a simple command's stdin comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CommandStdin {
    /// The script's own stdin.
    #[default]
    Inherited,
    /// `< FILE`.
    File(String),
    /// A here-document or here-string.
    Text(String),
    /// The output of the previous command in a pipeline.
    Pipe,
}

/// The state of [`split_commands`] between characters.
#[derive(Default)]
struct Splitter {
    commands: Vec<SimpleCommand>,
    current: SimpleCommand,
    word: String,
    in_word: bool,
    /// Here-documents opened on this line: (command index, delimiter, strip leading tabs).
    pending: Vec<(usize, String, bool)>,
    /// The redirection operator the next word belongs to.
    redirect: Option<&'static str>,
}

impl Splitter {
    /// Ends the word being read: a redirection's target, a leading assignment, or a word of the command.
    fn finish_word(&mut self) {
        if !self.in_word {
            return;
        }
        let w = std::mem::take(&mut self.word);
        self.in_word = false;
        match self.redirect.take() {
            Some("<") => self.current.stdin = CommandStdin::File(w),
            Some("<<<") => self.current.stdin = CommandStdin::Text(format!("{w}\n")),
            Some(op @ ("<<" | "<<-")) => {
                let delimiter = w.trim_matches(|c| c == '\'' || c == '"').to_string();
                self.pending
                    .push((self.commands.len(), delimiter, op == "<<-"));
            }
            Some(_) => {} // an output redirection's target
            None => {
                if self.current.words.is_empty()
                    && let Some((name, value)) = w.split_once('=')
                    && !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.current
                        .assignments
                        .push((name.to_string(), value.to_string()));
                } else {
                    self.current.words.push(w);
                }
            }
        }
    }

    /// Ends the simple command being read, if it has anything in it.
    fn end_command(&mut self) {
        if !self.current.words.is_empty() || !self.current.assignments.is_empty() {
            self.commands.push(std::mem::take(&mut self.current));
        }
    }
}

/// Splits shell text into simple commands. Never fails: an unterminated quote runs to the end of the text.
pub fn split_commands(script: &str) -> Vec<SimpleCommand> {
    let chars: Vec<char> = script.chars().collect();
    let mut s = Splitter::default();
    let mut i = 0;

    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                s.in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    s.word.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                s.in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() && "\"\\$`\n".contains(chars[i + 1])
                    {
                        if chars[i + 1] != '\n' {
                            s.word.push(chars[i + 1]);
                        }
                        i += 2;
                        continue;
                    }
                    if chars[i] == '`' || (chars[i] == '$' && chars.get(i + 1) == Some(&'(')) {
                        s.current.substitution = true;
                    }
                    s.word.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            '\\' => {
                if let Some(&n) = chars.get(i + 1)
                    && n != '\n'
                {
                    s.word.push(n);
                    s.in_word = true;
                }
                i += 2;
            }
            '`' => {
                s.current.substitution = true;
                s.word.push(c);
                s.in_word = true;
                i += 1;
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                s.current.substitution = true;
                s.word.push(c);
                s.in_word = true;
                i += 1;
            }
            '#' if !s.in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '<' | '>' => {
                // A file-descriptor number glued in front (`2>`) belongs to the operator, not the words.
                if s.in_word && s.word.chars().all(|d| d.is_ascii_digit()) {
                    s.word.clear();
                    s.in_word = false;
                }
                s.finish_word();
                let op: &'static str = if c == '<' {
                    if chars.get(i + 1) == Some(&'<') && chars.get(i + 2) == Some(&'<') {
                        i += 3;
                        "<<<"
                    } else if chars.get(i + 1) == Some(&'<') && chars.get(i + 2) == Some(&'-') {
                        i += 3;
                        "<<-"
                    } else if chars.get(i + 1) == Some(&'<') {
                        i += 2;
                        "<<"
                    } else {
                        i += 1;
                        "<"
                    }
                } else {
                    i += if chars.get(i + 1) == Some(&'>') { 2 } else { 1 };
                    if chars.get(i) == Some(&'&') {
                        // `>&2`: a descriptor, not a file.
                        i += 1;
                        while i < chars.len() && chars[i].is_ascii_digit() {
                            i += 1;
                        }
                        continue;
                    }
                    ">"
                };
                s.redirect = Some(op);
            }
            ';' | '&' | '|' | '\n' => {
                s.finish_word();
                let piped = c == '|' && chars.get(i + 1) != Some(&'|');
                if c == '&' && chars.get(i + 1) == Some(&'>') {
                    // `&>file`: both streams to a file.
                    i += 1;
                    s.redirect = Some(">");
                    i += 1;
                    continue;
                }
                s.end_command();
                if piped {
                    s.current.stdin = CommandStdin::Pipe;
                }
                i += if (c == '&' || c == '|') && chars.get(i + 1) == Some(&c) {
                    2
                } else {
                    1
                };
                if c == '\n' && !s.pending.is_empty() {
                    i = read_heredocs(&chars, i, &mut s);
                }
            }
            c if c.is_whitespace() => {
                s.finish_word();
                i += 1;
            }
            c => {
                s.word.push(c);
                s.in_word = true;
                i += 1;
            }
        }
    }
    s.finish_word();
    s.end_command();
    s.commands
}

/// Reads the bodies of the here-documents opened on the line that just ended.
fn read_heredocs(chars: &[char], mut i: usize, s: &mut Splitter) -> usize {
    for (index, delimiter, strip_tabs) in std::mem::take(&mut s.pending) {
        let mut body = String::new();
        loop {
            if i >= chars.len() {
                break;
            }
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| i + p);
            let line: String = chars[i..end].iter().collect();
            i = (end + 1).min(chars.len().max(end + 1));
            let line = if strip_tabs {
                line.trim_start_matches('\t').to_string()
            } else {
                line
            };
            if line == delimiter {
                break;
            }
            body.push_str(&line);
            body.push('\n');
        }
        match s.commands.get_mut(index) {
            Some(cmd) => cmd.stdin = CommandStdin::Text(body),
            None => s.current.stdin = CommandStdin::Text(body),
        }
    }
    i.min(chars.len())
}

/// Sources for a command inside a wrapper: files as before, stdin as the shell arranges it.
struct Overlay<'a> {
    inner: &'a dyn Sources,
    stdin: Option<Result<Vec<u8>, String>>,
}

impl Sources for Overlay<'_> {
    fn stdin(&self) -> StdinView<'_> {
        match &self.stdin {
            None => self.inner.stdin(),
            Some(Ok(bytes)) => StdinView::Bytes {
                bytes,
                complete: true,
            },
            Some(Err(why)) => StdinView::Unreadable(why),
        }
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        self.inner.read_file(path)
    }

    fn stdin_digest(&self) -> Option<String> {
        if self.stdin.is_none() {
            self.inner.stdin_digest()
        } else {
            None
        }
    }
}

/// How deep wrappers may nest before gate stops unwrapping.
pub(crate) const MAX_DEPTH: usize = 8;

/// Classifies shell text: every simple command in it.
pub fn shell_script(
    script: &str,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let commands = split_commands(script);
    let mut findings = Vec::new();
    for command in commands {
        let mut env = env.clone();
        env.extend(command.assignments.iter().cloned());
        let stdin = match &command.stdin {
            CommandStdin::Inherited => None,
            CommandStdin::File(path) => Some(
                sources
                    .read_file(path)
                    .ok_or_else(|| format!("{path} cannot be read")),
            ),
            CommandStdin::Text(text) => Some(Ok(text.clone().into_bytes())),
            CommandStdin::Pipe => Some(Err(
                "it comes from the previous command in a pipeline".to_string()
            )),
        };
        let overlay = Overlay {
            inner: sources,
            stdin,
        };
        if command.substitution {
            let tool = command.words.first().map_or("", |w| super::program_name(w));
            findings.extend(unknown(
                tool,
                "command substitution: part of this command is decided only when it runs",
            ));
        }
        if !command.words.is_empty() {
            findings.extend(super::classify_words(
                &command.words,
                &env,
                &overlay,
                depth + 1,
            ));
        }
    }
    findings
}

/// One `unknown` finding with no target: what a wrapper says when gate cannot see through it.
fn unknown(tool: &str, detail: impl Into<String>) -> Vec<Finding> {
    vec![Finding::new(
        Kind::Unknown,
        tool,
        &Target::default(),
        detail,
    )]
}

pub(crate) fn too_deep(tool: &str) -> Vec<Finding> {
    unknown(tool, "wrappers nest too deeply for gate to follow")
}

/// Unwraps `env`, `sudo`, `doas`, `nice`, `nohup`, `time`, `timeout`, `stdbuf`, `ionice`, `command`, `exec`.
/// Returns `None` when `tool` is not one of them.
pub fn prefix_wrapper(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Option<Vec<Finding>> {
    let (value_options, stop_at_first_word): (&[&str], bool) = match tool {
        "env" => (&["-u", "--unset", "-C", "--chdir"], true),
        "sudo" => (
            &[
                "-u",
                "--user",
                "-g",
                "--group",
                "-h",
                "--host",
                "-p",
                "--prompt",
                "-C",
                "--close-from",
                "-D",
                "--chdir",
                "-r",
                "--role",
                "-t",
                "--type",
                "-U",
                "--other-user",
                "-T",
                "--command-timeout",
            ],
            true,
        ),
        "doas" => (&["-u", "-C"], true),
        "nice" => (&["-n", "--adjustment"], true),
        "ionice" => (&["-c", "--class", "-n", "--classdata", "-p", "--pid"], true),
        "timeout" => (&["-s", "--signal", "-k", "--kill-after"], true),
        "stdbuf" => (&["-i", "-o", "-e"], true),
        "nohup" | "time" | "command" | "exec" => (&["-a"], true),
        _ => return None,
    };
    let _ = stop_at_first_word;
    let mut env = env.clone();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if tool == "env"
            && !a.starts_with('-')
            && let Some((name, value)) = a.split_once('=')
        {
            env.insert(name.to_string(), value.to_string());
            i += 1;
            continue;
        }
        if tool == "env" && (a == "-S" || a.starts_with("--split-string")) {
            return Some(unknown("env", "env -S splits a string gate does not parse"));
        }
        if value_options.contains(&a.as_str()) {
            i += 2;
            continue;
        }
        if a.starts_with('-') && a.len() > 1 {
            i += 1;
            continue;
        }
        break;
    }
    // `timeout DURATION CMD`: the first word is the duration.
    if tool == "timeout" && i < args.len() {
        i += 1;
    }
    let rest = &args[i.min(args.len())..];
    if rest.is_empty() {
        let detail = match tool {
            "sudo" | "doas" => "opens a privileged shell: gate cannot see what will be typed",
            "env" => "prints the environment, which may hold credentials",
            _ => "runs nothing gate can see",
        };
        return Some(unknown(tool, detail));
    }
    Some(super::classify_words(rest, &env, sources, depth + 1))
}

/// `sh -c TEXT`, `bash -lc TEXT`, `sh FILE`, or a shell reading its script from stdin.
pub fn shell(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let mut i = 0;
    let mut command_string = false;
    while i < args.len() && args[i].starts_with('-') && args[i] != "-" && args[i] != "--" {
        let a = &args[i];
        if !a.starts_with("--") && a.contains('c') {
            command_string = true;
        }
        if a == "-o" || a == "+o" || a == "--rcfile" || a == "--init-file" {
            i += 1;
        }
        i += 1;
    }
    if args.get(i).is_some_and(|a| a == "--") {
        i += 1;
    }
    if command_string {
        return match args.get(i) {
            Some(text) => shell_script(text, env, sources, depth),
            None => unknown(tool, "-c without a command"),
        };
    }
    match args.get(i) {
        Some(file) => match sources.read_file(file) {
            Some(bytes) => shell_script(&String::from_utf8_lossy(&bytes), env, sources, depth),
            None => unknown(
                tool,
                format!("runs the script {file}, which gate cannot read"),
            ),
        },
        None => match sources.stdin() {
            StdinView::Bytes {
                bytes,
                complete: true,
            } => shell_script(&String::from_utf8_lossy(bytes), env, sources, depth),
            StdinView::Terminal => unknown(
                tool,
                "interactive shell: gate cannot see what will be typed",
            ),
            _ => unknown(tool, "a script on stdin gate could not read whole"),
        },
    }
}

/// `docker exec [OPTIONS] CONTAINER CMD…` (also `podman`, and `docker compose exec SERVICE CMD…`).
pub fn container_exec(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let mut rest = args;
    if rest.first().is_some_and(|a| a == "compose") {
        rest = &rest[1..];
    }
    if rest.first().is_none_or(|a| a != "exec") {
        let sub = rest.first().map_or("", String::as_str);
        let kind = if ["ps", "images", "logs", "inspect", "version", "info"].contains(&sub) {
            Kind::Read
        } else {
            Kind::Unknown
        };
        return vec![Finding::new(
            kind,
            tool,
            &Target::default(),
            format!("{tool} {sub}"),
        )];
    }
    let values = [
        "-e",
        "--env",
        "--env-file",
        "-u",
        "--user",
        "-w",
        "--workdir",
        "--detach-keys",
        "--index",
    ];
    let mut i = 1;
    while i < rest.len() && rest[i].starts_with('-') {
        i += if values.contains(&rest[i].as_str()) {
            2
        } else {
            1
        };
    }
    let container = rest.get(i).cloned();
    let inner = &rest[(i + 1).min(rest.len())..];
    if inner.is_empty() {
        return unknown(tool, "exec without a command");
    }
    let mut findings = super::classify_words(inner, env, sources, depth + 1);
    for f in &mut findings {
        f.detail = format!(
            "in container {}: {}",
            container.as_deref().unwrap_or("?"),
            f.detail
        );
    }
    findings
}

/// `kubectl exec … -- CMD…`.
pub fn kubectl_exec(
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    match args.iter().position(|a| a == "--") {
        Some(p) if p + 1 < args.len() => {
            super::classify_words(&args[p + 1..], env, sources, depth + 1)
        }
        _ => unknown("kubectl", "kubectl exec without `-- COMMAND`"),
    }
}

/// `ssh [OPTIONS] HOST [CMD…]`: the remote shell runs the words joined by spaces.
pub fn ssh(
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let values = [
        "-p", "-l", "-i", "-o", "-F", "-J", "-L", "-R", "-D", "-b", "-c", "-e", "-m", "-O", "-Q",
        "-S", "-W", "-w", "-E", "-B", "-I",
    ];
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        i += if values.contains(&args[i].as_str()) {
            2
        } else {
            1
        };
    }
    let Some(host) = args.get(i) else {
        return unknown("ssh", "ssh without a host");
    };
    let host = host
        .rsplit_once('@')
        .map_or(host.as_str(), |(_, h)| h)
        .to_string();
    let remote = &args[i + 1..];
    if remote.is_empty() {
        let target = Target {
            host: Some(host),
            ..Target::default()
        };
        return vec![Finding::new(
            Kind::Unknown,
            "ssh",
            &target,
            "interactive remote shell: gate cannot see what will be typed",
        )];
    }
    // Remote database clients without a host of their own talk to the machine ssh reaches.
    let mut env = env.clone();
    for var in ["PGHOST", "MYSQL_HOST"] {
        env.entry(var.to_string()).or_insert_with(|| host.clone());
    }
    shell_script(&remote.join(" "), &env, sources, depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        split_commands(script)
            .into_iter()
            .map(|c| c.words)
            .collect()
    }

    #[test]
    fn splits_like_sh() {
        assert_eq!(
            words(
                "psql -c 'SELECT 1; DROP TABLE t' && pg_dump app | gzip > out.gz; echo \"done;\" # ; rm -rf /"
            ),
            vec![
                vec!["psql", "-c", "SELECT 1; DROP TABLE t"],
                vec!["pg_dump", "app"],
                vec!["gzip"],
                vec!["echo", "done;"]
            ]
        );
        assert_eq!(
            words("a || b & c\nd"),
            vec![vec!["a"], vec!["b"], vec!["c"], vec!["d"]]
        );
        assert_eq!(
            words("psql 2>&1 app 2>/dev/null"),
            vec![vec!["psql", "app"]]
        );
    }

    #[test]
    fn stdin_sources() {
        let c = split_commands("psql app < script.sql");
        assert_eq!(c[0].stdin, CommandStdin::File("script.sql".into()));
        let c = split_commands("psql app <<'EOF'\nDELETE FROM t;\nEOF\necho after");
        assert_eq!(c[0].stdin, CommandStdin::Text("DELETE FROM t;\n".into()));
        assert_eq!(c[1].words, ["echo", "after"]);
        let c = split_commands("cat x | psql app");
        assert_eq!(c[1].stdin, CommandStdin::Pipe);
        let c = split_commands("redis-cli <<< 'FLUSHALL'");
        assert_eq!(c[0].stdin, CommandStdin::Text("FLUSHALL\n".into()));
    }

    #[test]
    fn assignments_and_substitutions() {
        let c = split_commands("PGHOST=db.prod PGPASSWORD=x psql -c \"$(cat q.sql)\"");
        assert_eq!(
            c[0].assignments,
            vec![
                ("PGHOST".to_string(), "db.prod".to_string()),
                ("PGPASSWORD".to_string(), "x".to_string())
            ]
        );
        assert!(c[0].substitution);
    }
}
