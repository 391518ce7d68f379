//! Wrappers: `env`, `sudo`, `sh -c`, `docker exec`, `kubectl exec`, `ssh HOST CMD` and friends run another
//! command, and it is that command gate must judge. Shell text is parsed by [`shell::parse`] and run here the way
//! the shell would run it, as far as gate models it exactly: the directories `cd` may have moved to, the variables
//! exported so far, redirections (stdin for the command, and the files the shell writes), and the startup files
//! and variables bash reads first. What gate does not model (an expansion, a function, `eval`, a `set -o` it does
//! not know, a wrapper option not in its table) is `unknown`, never guessed.

use std::collections::{BTreeMap, BTreeSet};

use super::args::{self, Arg, ArgError, OptSpec, Style, opt, opt_optional};
use super::shell::{
    self, AndOr, Command, Flavour, Pipeline, Redirect, RedirectTarget, Script, Simple,
};
use super::{Finding, Input, Kind, Program, Risk, Sources, StdinView, Target};

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

/// Splits shell text into simple commands, leniently. Never fails: an unterminated quote runs to the end of the
/// text. Only for finding secrets to redact, where missing none matters more than being exact; classification
/// uses [`shell::parse`].
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

/// Where a command's relative paths resolve: the request's own directory, one the script moved to, or one gate
/// lost track of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    Start,
    Path(String),
    Unknown,
}

impl Dir {
    /// `path` as seen from this directory, for [`Sources::read_file`] (which resolves what is still relative
    /// against the request's own directory).
    fn resolve(&self, path: &str) -> Option<String> {
        if path.starts_with('/') {
            return Some(path.to_string());
        }
        match self {
            Dir::Start => Some(path.to_string()),
            Dir::Path(dir) if dir.ends_with('/') => Some(format!("{dir}{path}")),
            Dir::Path(dir) => Some(format!("{dir}/{path}")),
            Dir::Unknown => None,
        }
    }

    fn enter(&self, path: &str) -> Dir {
        self.resolve(path).map_or(Dir::Unknown, Dir::Path)
    }
}

/// What a command's stdin is, when a wrapper or the shell changed it.
#[derive(Clone, Debug)]
pub(crate) enum StdinOverride {
    Inherit,
    Bytes(Vec<u8>),
    Unreadable(String),
}

/// Sources for a command inside a wrapper. It changes only what the wrapper changes: stdin (a redirection, a
/// here-document, a pipe), the directory relative paths resolve in (`cd`, `env -C`, `sudo -D`), and whether
/// local files mean anything at all (a command run by ssh or in a container reads the other side's files).
/// Every other [`Sources`] method must forward to `inner`.
pub(crate) struct Overlay<'a> {
    pub inner: &'a dyn Sources,
    pub stdin: StdinOverride,
    /// The directories the command may run in (more than one when a `cd` may have failed); empty: `inner`'s.
    pub dirs: Vec<Dir>,
    /// The command runs elsewhere (another host, a container): no local file is what it reads.
    pub elsewhere: bool,
}

impl<'a> Overlay<'a> {
    pub fn new(inner: &'a dyn Sources) -> Self {
        Overlay {
            inner,
            stdin: StdinOverride::Inherit,
            dirs: Vec::new(),
            elsewhere: false,
        }
    }
}

/// Paths that name one of gate's own descriptors rather than the command's.
fn names_a_descriptor(path: &str) -> bool {
    path == "/dev/stdin"
        || path.starts_with("/dev/fd/")
        || path.starts_with("/proc/self/fd/")
        || path.starts_with("/proc/thread-self/fd/")
}

impl Sources for Overlay<'_> {
    fn stdin(&self) -> StdinView<'_> {
        match &self.stdin {
            StdinOverride::Inherit => self.inner.stdin(),
            StdinOverride::Bytes(bytes) => StdinView::Bytes {
                bytes,
                complete: true,
            },
            StdinOverride::Unreadable(why) => StdinView::Unreadable(why),
        }
    }

    fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        match self.read_input(path) {
            Input::Found(bytes) => Some(bytes),
            Input::Absent | Input::Unreadable(_) => None,
        }
    }

    fn read_input(&self, path: &str) -> Input {
        if self.elsewhere {
            return Input::Unreadable("it is a file on the other host or in the container".into());
        }
        if names_a_descriptor(path) {
            return match &self.stdin {
                StdinOverride::Inherit => self.inner.read_input(path),
                StdinOverride::Bytes(bytes)
                    if matches!(path, "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0") =>
                {
                    Input::Found(bytes.clone())
                }
                _ => Input::Unreadable(format!("{path} is one of gate's own descriptors")),
            };
        }
        if self.dirs.is_empty() || path.starts_with('/') {
            return self.inner.read_input(path);
        }
        // Every directory the command may run in must give the same answer, or gate cannot say what it reads.
        let mut found: Option<Input> = None;
        for dir in &self.dirs {
            let Some(resolved) = dir.resolve(path) else {
                return Input::Unreadable(format!(
                    "gate cannot tell which directory {path} is in after the `cd`"
                ));
            };
            let input = self.inner.read_input(&resolved);
            match &found {
                Some(f) if *f != input => {
                    return Input::Unreadable(format!(
                        "{path} differs between the directories the command may run in"
                    ));
                }
                _ => found = Some(input),
            }
        }
        found.unwrap_or(Input::Absent)
    }

    fn resolve_program(&self, name: &str, search_path: Option<&str>, cwd: Option<&str>) -> Program {
        // A program on another host or in a container is not the local file of that name.
        if self.elsewhere {
            return super::resolve_by_text(name, search_path, cwd);
        }
        let mut answer: Option<Program> = None;
        let dirs: Vec<Option<String>> = if self.dirs.is_empty() {
            vec![cwd.map(str::to_string)]
        } else {
            self.dirs
                .iter()
                .map(|d| match (d, cwd) {
                    (Dir::Start, c) => Some(c.map(str::to_string)),
                    (dir, Some(c)) => dir.resolve(c).map(Some),
                    (dir, None) => dir.resolve(".").map(Some),
                })
                .collect::<Option<Vec<_>>>()
                .unwrap_or_default()
        };
        if dirs.is_empty() {
            return Program::Missing {
                why: "is looked up in a directory gate cannot tell after the `cd`".into(),
            };
        }
        for dir in dirs {
            let program = self
                .inner
                .resolve_program(name, search_path, dir.as_deref());
            match &answer {
                Some(a) if *a != program => {
                    return Program::Missing {
                        why: "leads to different files in the directories the command may run in"
                            .into(),
                    };
                }
                _ => answer = Some(program),
            }
        }
        answer.unwrap_or(Program::ByName)
    }

    fn account_home(&self) -> Option<String> {
        if self.elsewhere {
            return None;
        }
        self.inner.account_home()
    }

    fn stdin_digest(&self) -> Option<String> {
        match self.stdin {
            StdinOverride::Inherit => self.inner.stdin_digest(),
            _ => None,
        }
    }
}

/// How deep wrappers may nest before gate stops unwrapping.
pub(crate) const MAX_DEPTH: usize = 8;

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

// ---------------------------------------------------------------------------------------------------------------
// The shell.
// ---------------------------------------------------------------------------------------------------------------

/// Shell options that change what gate must model.
#[derive(Clone, Copy, Debug, Default)]
struct ShellOpts {
    allexport: bool,
    xtrace: bool,
    physical: bool,
}

/// One way the script may have got to a point: the directory it is in, `cd -`'s directory, and whether the last
/// command succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    dir: Dir,
    oldpwd: Dir,
    ok: bool,
}

/// More possible states than this and gate stops following the script.
const MAX_STATES: usize = 16;

/// Builtins that change how the rest of the script runs (or run text as code) in ways gate does not model. Any
/// of them makes the whole script `unknown`.
const STATE_BUILTINS: &[&str] = &[
    ".",
    "source",
    "eval",
    "alias",
    "unalias",
    "trap",
    "shopt",
    "enable",
    "builtin",
    "hash",
    "declare",
    "typeset",
    "local",
    "readonly",
    "let",
    "read",
    "mapfile",
    "readarray",
    "getopts",
    "shift",
    "pushd",
    "popd",
    "umask",
    "ulimit",
    "exit",
    "return",
    "break",
    "continue",
    "logout",
    "fc",
    "bind",
    "history",
    "complete",
    "compgen",
    "compopt",
    "caller",
    "wait",
    "fg",
    "bg",
    "disown",
    "suspend",
    "times",
    "jobs",
    "kill",
    "export",
    "unset",
    "set",
    "cd",
    "exec",
];

/// Variables whose assignment changes the shell itself in ways gate does not model.
const SHELL_OWNED: &[&str] = &[
    "PWD",
    "OLDPWD",
    "SHELLOPTS",
    "BASHOPTS",
    "POSIXLY_CORRECT",
    "BASH_ENV",
    "ENV",
    "BASH_COMPAT",
];

/// A shell reading one script: the variables it knows, the states it may be in, and what it found so far.
struct Run<'a> {
    tool: &'a str,
    flavour: Flavour,
    sources: &'a dyn Sources,
    depth: usize,
    /// Variables known to the shell; `None` is a value gate cannot know.
    vars: BTreeMap<String, Option<String>>,
    exported: BTreeSet<String>,
    opts: ShellOpts,
    states: Vec<State>,
    /// The stdin every command gets unless redirected.
    stdin: StdinOverride,
    /// Set while running something that runs only in some states (after `&&`/`||`).
    conditional: bool,
    findings: Vec<Finding>,
}

impl<'a> Run<'a> {
    fn new(
        tool: &'a str,
        flavour: Flavour,
        env: &BTreeMap<String, String>,
        sources: &'a dyn Sources,
        depth: usize,
    ) -> Self {
        Run {
            tool,
            flavour,
            sources,
            depth,
            vars: env
                .iter()
                .map(|(k, v)| (k.clone(), Some(v.clone())))
                .collect(),
            exported: env.keys().cloned().collect(),
            opts: ShellOpts::default(),
            states: vec![State {
                dir: Dir::Start,
                oldpwd: Dir::Unknown,
                ok: true,
            }],
            stdin: StdinOverride::Inherit,
            conditional: false,
            findings: Vec::new(),
        }
    }

    fn unknown(&mut self, tool: &str, detail: impl Into<String>) {
        self.findings.extend(unknown(tool, detail));
    }

    /// Parses and runs `text`; what gate cannot model becomes an `unknown` finding.
    fn text(&mut self, text: &str) {
        let result = shell::parse(text, self.flavour).and_then(|script| self.script(&script));
        if let Err(why) = result {
            let tool = self.tool;
            self.unknown(tool, why);
        }
    }

    /// A script read from a file or stdin. Bytes that are not UTF-8 would reach the tools as gate did not read
    /// them, so such a script is `unknown`.
    fn bytes(&mut self, bytes: &[u8], name: &str) {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.text(text),
            Err(_) => {
                let tool = self.tool;
                self.unknown(
                    tool,
                    format!("{name} is not UTF-8 text, which gate does not read"),
                );
            }
        }
    }

    fn script(&mut self, script: &Script) -> Result<(), String> {
        for item in &script.items {
            self.and_or(item)?;
        }
        Ok(())
    }

    fn and_or(&mut self, item: &AndOr) -> Result<(), String> {
        if item.background {
            // `&` runs the list in a subshell: what it changes does not survive, and its status is 0.
            let saved = self.save();
            let entry = self.states.clone();
            self.and_or_body(item)?;
            self.restore(saved);
            self.states = entry.into_iter().map(|s| State { ok: true, ..s }).collect();
            self.dedup()?;
            return Ok(());
        }
        self.and_or_body(item)
    }

    fn and_or_body(&mut self, item: &AndOr) -> Result<(), String> {
        let entry = std::mem::take(&mut self.states);
        let mut states = self.pipeline(&item.first, &entry)?;
        let was_conditional = self.conditional;
        for (and, pipeline) in &item.rest {
            let (run, skip): (Vec<State>, Vec<State>) =
                states.into_iter().partition(|s| s.ok == *and);
            states = skip;
            if !run.is_empty() {
                self.conditional = true;
                let after = self.pipeline(pipeline, &run)?;
                self.conditional = was_conditional;
                states.extend(after);
            }
        }
        self.states = states;
        self.dedup()
    }

    fn dedup(&mut self) -> Result<(), String> {
        let mut unique: Vec<State> = Vec::new();
        for s in std::mem::take(&mut self.states) {
            if !unique.contains(&s) {
                unique.push(s);
            }
        }
        if unique.len() > MAX_STATES {
            return Err(format!(
                "the script can reach more than {MAX_STATES} combinations of directory and status"
            ));
        }
        self.states = unique;
        Ok(())
    }

    fn save(
        &self,
    ) -> (
        BTreeMap<String, Option<String>>,
        BTreeSet<String>,
        ShellOpts,
    ) {
        (self.vars.clone(), self.exported.clone(), self.opts)
    }

    fn restore(
        &mut self,
        saved: (
            BTreeMap<String, Option<String>>,
            BTreeSet<String>,
            ShellOpts,
        ),
    ) {
        (self.vars, self.exported, self.opts) = saved;
    }

    fn pipeline(&mut self, p: &Pipeline, states: &[State]) -> Result<Vec<State>, String> {
        let single = p.commands.len() == 1;
        let mut out = states.to_vec();
        for (i, command) in p.commands.iter().enumerate() {
            // Every part of a longer pipeline runs in a subshell (bash without `lastpipe`, dash).
            let saved = (!single).then(|| self.save());
            out = self.command(command, states, i > 0, single)?;
            if let Some(saved) = saved {
                self.restore(saved);
            }
        }
        if !single {
            out = either(states);
        }
        if p.negated {
            for s in &mut out {
                s.ok = !s.ok;
            }
        }
        Ok(out)
    }

    fn command(
        &mut self,
        command: &Command,
        states: &[State],
        piped_in: bool,
        effects: bool,
    ) -> Result<Vec<State>, String> {
        match command {
            Command::Subshell(inner) => self.isolated(inner, states, piped_in),
            Command::Group(inner) if !effects || piped_in => self.isolated(inner, states, piped_in),
            Command::Group(inner) => {
                self.states = states.to_vec();
                self.script(inner)?;
                Ok(std::mem::take(&mut self.states))
            }
            Command::Simple(simple) => self.simple(simple, states, piped_in, effects),
        }
    }

    /// A list run in a subshell: its findings count, its changes do not.
    fn isolated(
        &mut self,
        inner: &Script,
        states: &[State],
        piped_in: bool,
    ) -> Result<Vec<State>, String> {
        let saved = self.save();
        let saved_stdin = self.stdin.clone();
        if piped_in {
            self.stdin = StdinOverride::Unreadable(
                "it comes from the previous command in a pipeline".into(),
            );
        }
        self.states = states.to_vec();
        let result = self.script(inner);
        self.stdin = saved_stdin;
        self.restore(saved);
        result?;
        Ok(either(states))
    }

    fn dirs(states: &[State]) -> Vec<Dir> {
        let mut dirs: Vec<Dir> = Vec::new();
        for s in states {
            if !dirs.contains(&s.dir) {
                dirs.push(s.dir.clone());
            }
        }
        dirs
    }

    fn simple(
        &mut self,
        cmd: &Simple,
        states: &[State],
        piped_in: bool,
        effects: bool,
    ) -> Result<Vec<State>, String> {
        if self.opts.xtrace {
            match self.vars.get("PS4") {
                Some(Some(ps4)) if ps4.contains(['$', '`']) => {
                    return Err(
                        "xtrace is on and PS4 holds `$` or a backquote: the shell expands it before every command"
                            .into(),
                    );
                }
                Some(None) => {
                    return Err("xtrace is on and PS4 has a value gate cannot know".into());
                }
                _ => {}
            }
        }
        let dirs = Self::dirs(states);
        let tool_word = cmd.words.first().map(|w| w.text.clone());
        let tool = tool_word
            .as_deref()
            .map_or(self.tool, super::program_name)
            .to_string();
        let mut stdin = if piped_in {
            StdinOverride::Unreadable("it comes from the previous command in a pipeline".into())
        } else {
            self.stdin.clone()
        };
        for r in &cmd.redirects {
            self.redirect(r, &dirs, &mut stdin, &tool);
        }
        let expanded = cmd
            .words
            .iter()
            .chain(cmd.assignments.iter().map(|(_, w)| w))
            .find_map(|w| {
                w.expansion
                    .as_ref()
                    .map(|why| (w.text.clone(), why.clone()))
            });
        if let Some((text, why)) = expanded {
            self.unknown(
                &tool,
                format!(
                    "the shell changes `{text}` when it runs ({why}); gate does not perform the shell's expansions"
                ),
            );
            let mut out = either(states);
            if effects && tool == "cd" {
                for s in &mut out {
                    s.dir = Dir::Unknown;
                }
            }
            return Ok(out);
        }
        if cmd.words.is_empty() {
            if effects {
                for (name, value) in &cmd.assignments {
                    self.assign(name, Some(value.text.clone()))?;
                    if self.opts.allexport {
                        self.exported.insert(name.clone());
                    }
                }
            }
            return Ok(either(states));
        }
        let words: Vec<String> = cmd.words.iter().map(|w| w.text.clone()).collect();
        let name = words[0].as_str();
        match name {
            "true" | ":" => return Ok(set_ok(states, true)),
            "false" => return Ok(set_ok(states, false)),
            "cd" if !cmd.assignments.is_empty() => {
                // `CDPATH=… cd x` and `HOME=… cd` use the assignment for that one cd.
                return Ok(self.cd_lost(
                    states,
                    effects,
                    "assignments before `cd` change how it finds the directory",
                ));
            }
            "cd" => return Ok(self.cd(&words[1..], states, effects)),
            "export" | "unset" | "set" if cmd.assignments.is_empty() => {
                self.builtin(&words, effects)?;
                return Ok(either(states));
            }
            "exec" if words.len() == 1 => {
                if !cmd.redirects.is_empty() {
                    return Err(
                        "`exec` with redirections changes the descriptors of the rest of the script".into(),
                    );
                }
                return Ok(set_ok(states, true));
            }
            "time"
                if self.flavour != Flavour::Dash
                    && words
                        .get(1)
                        .is_some_and(|w| w.starts_with('-') && w != "-p") =>
            {
                self.unknown(
                    "time",
                    "bash's `time` keyword and /usr/bin/time read options differently",
                );
                return Ok(either(states));
            }
            "exec" => {}
            b if STATE_BUILTINS.contains(&b) => {
                return Err(format!(
                    "`{b}` changes how the shell runs the rest of the script, which gate does not model"
                ));
            }
            _ => {}
        }
        let mut env = BTreeMap::new();
        for exported in &self.exported {
            match self.vars.get(exported) {
                Some(Some(value)) => {
                    env.insert(exported.clone(), value.clone());
                }
                Some(None) => {
                    self.unknown(
                        &tool,
                        format!(
                            "the exported variable {exported} has a value gate cannot know at this point"
                        ),
                    );
                    return Ok(either(states));
                }
                None => {}
            }
        }
        for (name, value) in &cmd.assignments {
            env.insert(name.clone(), value.text.clone());
        }
        let overlay = Overlay {
            inner: self.sources,
            stdin,
            dirs: if dirs == [Dir::Start] {
                Vec::new()
            } else {
                dirs
            },
            elsewhere: false,
        };
        let found = super::classify_shell_words(&words, &env, &overlay, self.depth + 1);
        self.findings.extend(found);
        Ok(either(states))
    }

    /// A variable assignment; under `&&`/`||` the variable may or may not have changed.
    fn assign(&mut self, name: &str, value: Option<String>) -> Result<(), String> {
        if SHELL_OWNED.contains(&name) {
            return Err(format!(
                "assigning {name} changes the shell itself, which gate does not model"
            ));
        }
        let value = if self.conditional && self.vars.get(name) != Some(&value) {
            None
        } else {
            value
        };
        self.vars.insert(name.to_string(), value);
        Ok(())
    }

    /// `export`, `unset` and `set`, with literal arguments.
    fn builtin(&mut self, words: &[String], effects: bool) -> Result<(), String> {
        let args = &words[1..];
        match words[0].as_str() {
            "export" => {
                let mut unexport = false;
                for (i, a) in args.iter().enumerate() {
                    match a.as_str() {
                        "-n" if i == 0 => unexport = true,
                        "-p" if i == 0 => {}
                        "--" if i == 0 => {}
                        _ if a.starts_with('-') => {
                            return Err(format!("`export {a}` is not modelled"));
                        }
                        _ => {
                            let (name, value) = match a.split_once('=') {
                                Some((n, v)) => (n, Some(v.to_string())),
                                None => (a.as_str(), None),
                            };
                            if !shell::is_name(name) {
                                return Err(format!("`export {a}`: not a variable name"));
                            }
                            if !effects {
                                continue;
                            }
                            if let Some(value) = value {
                                self.assign(name, Some(value))?;
                            }
                            if unexport {
                                self.exported.remove(name);
                            } else if self.conditional && !self.exported.contains(name) {
                                self.exported.insert(name.to_string());
                                self.vars.insert(name.to_string(), None);
                            } else {
                                self.exported.insert(name.to_string());
                            }
                        }
                    }
                }
            }
            "unset" => {
                for (i, a) in args.iter().enumerate() {
                    match a.as_str() {
                        "-v" | "--" if i == 0 => {}
                        _ if a.starts_with('-') => {
                            return Err(format!("`unset {a}` is not modelled"));
                        }
                        name if shell::is_name(name) => {
                            if SHELL_OWNED.contains(&name) {
                                return Err(format!("unsetting {name} is not modelled"));
                            }
                            if effects {
                                if self.conditional {
                                    if self.vars.contains_key(name) {
                                        self.vars.insert(name.to_string(), None);
                                    }
                                } else {
                                    self.vars.remove(name);
                                    self.exported.remove(name);
                                }
                            }
                        }
                        _ => return Err(format!("`unset {a}`: not a variable name")),
                    }
                }
            }
            _ => {
                let mut opts = self.opts;
                let mut it = args.iter();
                while let Some(a) = it.next() {
                    if a == "--" || a == "-" || !(a.starts_with('-') || a.starts_with('+')) {
                        // The rest are positional parameters, which gate never expands.
                        break;
                    }
                    let on = a.starts_with('-');
                    for flag in a[1..].chars() {
                        if flag == 'o' {
                            let Some(name) = it.next() else {
                                return Err("`set -o` without a name prints the options".into());
                            };
                            set_o(self.flavour, &mut opts, name, on)?;
                        } else {
                            set_flag(self.flavour, &mut opts, flag, on, false)?;
                        }
                    }
                }
                if effects {
                    if self.conditional {
                        return Err("`set` under `&&` or `||` is not modelled".into());
                    }
                    self.opts = opts;
                }
            }
        }
        Ok(())
    }

    /// `cd [-L|-P] [DIR]`: success moves to DIR, failure stays.
    fn cd(&mut self, args: &[String], states: &[State], effects: bool) -> Vec<State> {
        let mut physical = self.opts.physical;
        let mut rest = args;
        while let Some(a) = rest.first()
            && a.starts_with('-')
            && a != "-"
        {
            rest = &rest[1..];
            if a == "--" {
                break;
            }
            for flag in a[1..].chars() {
                match flag {
                    'L' => physical = false,
                    'P' => physical = true,
                    'e' if self.flavour == Flavour::Bash => {}
                    _ => {
                        return self.cd_lost(states, effects, &format!("`cd {a}` is not modelled"));
                    }
                }
            }
        }
        let target = match rest {
            [] => match self.vars.get("HOME") {
                Some(Some(home)) if !home.is_empty() => home.clone(),
                _ => {
                    return self.cd_lost(
                        states,
                        effects,
                        "`cd` alone goes to $HOME, which gate does not know",
                    );
                }
            },
            [one] => one.clone(),
            _ => return self.cd_lost(states, effects, "`cd` with more than one argument"),
        };
        if target.is_empty() {
            return self.cd_lost(states, effects, "`cd ''` is not modelled");
        }
        let relative_search = !target.starts_with('/')
            && target != "."
            && target != ".."
            && !target.starts_with("./")
            && !target.starts_with("../")
            && target != "-";
        if relative_search && self.vars.contains_key("CDPATH") {
            return self.cd_lost(
                states,
                effects,
                "CDPATH is set: `cd` searches it, which gate does not model",
            );
        }
        if !physical && target.split('/').any(|c| c == "..") {
            return self.cd_lost(
                states,
                effects,
                "`..` in a logical `cd` is resolved against $PWD's text, which gate does not model",
            );
        }
        if target == "-" && states.iter().any(|s| s.oldpwd == Dir::Unknown) {
            return self.cd_lost(
                states,
                effects,
                "`cd -` goes to $OLDPWD, which gate does not know",
            );
        }
        if !effects {
            return either(states);
        }
        let mut out = Vec::new();
        for s in states {
            let dir = if target == "-" {
                s.oldpwd.clone()
            } else {
                s.dir.enter(&target)
            };
            out.push(State {
                dir,
                oldpwd: s.dir.clone(),
                ok: true,
            });
            out.push(State {
                ok: false,
                ..s.clone()
            });
        }
        out
    }

    fn cd_lost(&mut self, states: &[State], effects: bool, why: &str) -> Vec<State> {
        self.unknown("cd", why);
        let mut out = either(states);
        if effects {
            for s in &mut out {
                s.dir = Dir::Unknown;
            }
        }
        out
    }

    /// One redirection: what it does to stdin, and the file it writes.
    fn redirect(&mut self, r: &Redirect, dirs: &[Dir], stdin: &mut StdinOverride, tool: &str) {
        let fd = r.fd.unwrap_or(u32::from(!r.op.starts_with('<')));
        let target = match &r.target {
            RedirectTarget::HereDoc { body, .. } => {
                if fd == 0 {
                    *stdin = StdinOverride::Bytes(body.clone().into_bytes());
                }
                return;
            }
            RedirectTarget::Word(w) => w,
        };
        let Some(path) = target.literal() else {
            let why = target.expansion.clone().unwrap_or_default();
            self.unknown(
                tool,
                format!(
                    "the shell changes the redirection target `{}` when it runs ({why})",
                    target.text
                ),
            );
            if fd == 0 {
                *stdin = StdinOverride::Unreadable("its redirection is expanded".into());
            }
            return;
        };
        let descriptor =
            path == "-" || (!path.is_empty() && path.chars().all(|c| c.is_ascii_digit()));
        match r.op {
            "<<<" => {
                if fd == 0 {
                    *stdin = StdinOverride::Bytes(format!("{path}\n").into_bytes());
                }
            }
            "<" => {
                if fd == 0 {
                    *stdin = self.read_in(dirs, path);
                }
            }
            "<&" | ">&" if descriptor => {
                if fd == 0 {
                    *stdin = StdinOverride::Unreadable(
                        "it is duplicated from another descriptor".into(),
                    );
                }
            }
            "<&" => self.unknown(tool, format!("`<&{path}` is not modelled")),
            "<>" => {
                self.wrote(path, dirs, false);
                if fd == 0 {
                    *stdin = self.read_in(dirs, path);
                }
            }
            ">>" | "&>>" => self.wrote(path, dirs, false),
            _ => self.wrote(path, dirs, true),
        }
    }

    fn read_in(&self, dirs: &[Dir], path: &str) -> StdinOverride {
        if path == "/dev/null" {
            return StdinOverride::Bytes(Vec::new());
        }
        let overlay = Overlay {
            inner: self.sources,
            stdin: StdinOverride::Unreadable("a redirection".into()),
            dirs: dirs.to_vec(),
            elsewhere: false,
        };
        match overlay.read_file(path) {
            Some(bytes) => StdinOverride::Bytes(bytes),
            None => StdinOverride::Unreadable(format!("{path} cannot be read")),
        }
    }

    /// A file the shell opens for writing.
    fn wrote(&mut self, path: &str, dirs: &[Dir], truncates: bool) {
        if matches!(
            path,
            "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/fd/1" | "/dev/fd/2"
        ) {
            return;
        }
        let objects: Vec<String> = dirs
            .iter()
            .map(|d| d.resolve(path).unwrap_or_else(|| format!("?/{path}")))
            .collect();
        let how = if truncates {
            "creates or truncates"
        } else {
            "creates or appends to"
        };
        let tool = self.tool;
        self.findings.push(
            Finding::new(
                Kind::Write,
                tool,
                &Target::default(),
                format!("a redirection {how} the file {path}"),
            )
            .with_risk(if truncates {
                Risk::High
            } else {
                Risk::Moderate
            })
            .with_objects(objects),
        );
    }
}

/// After a command gate cannot predict: each state, succeeded or failed.
fn either(states: &[State]) -> Vec<State> {
    let mut out = Vec::new();
    for s in states {
        for ok in [true, false] {
            let s = State { ok, ..s.clone() };
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

fn set_ok(states: &[State], ok: bool) -> Vec<State> {
    let mut out: Vec<State> = Vec::new();
    for s in states {
        let s = State { ok, ..s.clone() };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// A single-letter shell option (bash 5.2 `set` and invocation; dash 0.5.12 `dash(1)` "Invocation"). Options
/// that only change behaviour gate over-approximates anyway (errexit, nounset, noglob, noexec…) are accepted.
fn set_flag(
    flavour: Flavour,
    opts: &mut ShellOpts,
    flag: char,
    on: bool,
    invocation: bool,
) -> Result<(), String> {
    let bash_only = "hkBEHPT";
    let dash_only = "IVEbq";
    let known = "aCefnuvxmbp".contains(flag)
        || (flavour == Flavour::Bash && (bash_only.contains(flag) || flag == 't'))
        || (flavour == Flavour::Dash && dash_only.contains(flag))
        || (flavour == Flavour::Sh && flag == 'h');
    if !known {
        return Err(format!(
            "`-{flag}` is not an option gate knows for {}",
            flavour_name(flavour)
        ));
    }
    match flag {
        'a' => opts.allexport = on,
        'x' => opts.xtrace = on,
        'P' => opts.physical = on,
        'k' if on => {
            return Err(
                "`-k` puts assignments anywhere on a command line into its environment".into(),
            );
        }
        'H' if on => return Err("`-H` turns on history expansion of `!`".into()),
        _ => {}
    }
    let _ = invocation;
    Ok(())
}

/// `-o NAME` / `+o NAME` (bash 5.2 `set -o`; dash 0.5.12 `set -o`).
fn set_o(flavour: Flavour, opts: &mut ShellOpts, name: &str, on: bool) -> Result<(), String> {
    let flag = match name {
        "allexport" => Some('a'),
        "xtrace" => Some('x'),
        "physical" if flavour == Flavour::Bash => Some('P'),
        "keyword" if flavour == Flavour::Bash => Some('k'),
        "histexpand" if flavour == Flavour::Bash => Some('H'),
        "errexit" | "noglob" | "noexec" | "nounset" | "verbose" | "noclobber" | "monitor"
        | "notify" | "ignoreeof" | "vi" | "emacs" | "privileged" => None,
        "pipefail" | "braceexpand" | "errtrace" | "functrace" | "hashall" | "onecmd" | "posix"
        | "nolog"
            if flavour == Flavour::Bash =>
        {
            None
        }
        "pipefail" | "hashall" | "posix" if flavour == Flavour::Sh => None,
        "interactive-comments" if flavour == Flavour::Bash && on => None,
        _ => {
            return Err(format!(
                "`-o {name}` is not an option gate models for {}",
                flavour_name(flavour)
            ));
        }
    };
    match flag {
        Some(f) => set_flag(
            if f == 'P' || f == 'k' || f == 'H' {
                Flavour::Bash
            } else {
                flavour
            },
            opts,
            f,
            on,
            false,
        ),
        None => Ok(()),
    }
}

/// `shopt` names that change nothing gate models (bash 5.2's defaults, and options that affect only globs,
/// which gate never expands). `lastpipe`, `extdebug` and the rest are refused.
const SHOPT_ALLOWED: &[&str] = &[
    "checkwinsize",
    "cmdhist",
    "complete_fullquote",
    "extquote",
    "force_fignore",
    "globasciiranges",
    "hostcomplete",
    "interactive_comments",
    "progcomp",
    "promptvars",
    "sourcepath",
    "patsub_replacement",
    "extglob",
    "nullglob",
    "failglob",
    "dotglob",
    "nocaseglob",
    "globstar",
    "globskipdots",
    "nocasematch",
    "checkhash",
    "inherit_errexit",
    "expand_aliases",
];

fn flavour_name(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Bash => "bash",
        Flavour::Dash => "dash",
        Flavour::Sh => "sh",
    }
}

/// Where the shell gets its script.
enum ScriptSource {
    Command(String),
    File(String),
    Stdin,
}

/// The shell's invocation, once read.
struct Invocation {
    source: ScriptSource,
    opts: ShellOpts,
    interactive: bool,
    login: bool,
    noprofile: bool,
}

/// Reads a shell's arguments. bash 5.2 (`bash --help`, shell.c): the long options first, spelled exactly (no
/// abbreviations: `bash --nor` is an error), then `-`/`+` clusters of single letters, `-o`/`+o NAME` and
/// `-O`/`+O SHOPT`. dash 0.5.12 (`dash(1)`): no long options. `sh` gets only what both accept.
fn invocation(flavour: Flavour, args: &[String]) -> Result<Invocation, String> {
    let mut inv = Invocation {
        source: ScriptSource::Stdin,
        opts: ShellOpts::default(),
        interactive: false,
        login: false,
        noprofile: false,
    };
    let mut i = 0;
    if flavour == Flavour::Bash {
        while let Some(a) = args.get(i)
            && a.starts_with("--")
            && a.len() > 2
        {
            i += 1;
            match a.as_str() {
                "--login" => inv.login = true,
                "--noprofile" => inv.noprofile = true,
                "--norc" | "--posix" | "--noediting" | "--restricted" | "--verbose" => {}
                "--rcfile" | "--init-file" => {
                    // Read only by interactive shells, which gate calls unknown anyway.
                    if args.get(i).is_none() {
                        return Err(format!("`{a}` needs a file"));
                    }
                    i += 1;
                }
                _ => {
                    return Err(format!(
                        "`{a}` is not an option gate models for bash (bash 5.2 `bash --help`)"
                    ));
                }
            }
        }
    }
    let mut command = false;
    let mut stdin = false;
    while let Some(a) = args.get(i) {
        if a == "--" || a == "-" {
            i += 1;
            break;
        }
        let on = a.starts_with('-');
        if !(on || a.starts_with('+')) || a.len() < 2 {
            break;
        }
        if a.starts_with("--") {
            return Err(format!(
                "`{a}` after single-letter options is not something {} reads",
                flavour_name(flavour)
            ));
        }
        i += 1;
        for flag in a[1..].chars() {
            match flag {
                'c' if on => command = true,
                's' if on => stdin = true,
                'i' => inv.interactive = on,
                'l' if on => inv.login = true,
                'r' if flavour == Flavour::Bash => {}
                'o' | 'O' => {
                    let Some(name) = args.get(i) else {
                        return Err(format!("`{a}` without a name"));
                    };
                    i += 1;
                    if flag == 'o' {
                        if name == "interactive" && flavour == Flavour::Dash {
                            inv.interactive = on;
                        } else {
                            set_o(flavour, &mut inv.opts, name, on)?;
                        }
                    } else if flavour != Flavour::Bash || !SHOPT_ALLOWED.contains(&name.as_str()) {
                        return Err(format!("`{a} {name}` is not a shell option gate models"));
                    } else if !on && name == "interactive_comments" {
                        return Err(
                            "`+O interactive_comments` makes `#` an ordinary character".into()
                        );
                    }
                }
                _ => set_flag(flavour, &mut inv.opts, flag, on, true)?,
            }
        }
    }
    inv.source = if command {
        match args.get(i) {
            Some(text) => ScriptSource::Command(text.clone()),
            None => return Err("`-c` without a command".into()),
        }
    } else if stdin {
        ScriptSource::Stdin
    } else {
        match args.get(i) {
            Some(file) => ScriptSource::File(file.clone()),
            None => ScriptSource::Stdin,
        }
    };
    Ok(inv)
}

/// `sh -c TEXT`, `bash -lc TEXT`, `sh FILE`, or a shell reading its script from stdin. Startup files come first:
/// each is read and classified, or makes the command `unknown`.
pub fn shell(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let flavour = match tool {
        "bash" => Flavour::Bash,
        "dash" => Flavour::Dash,
        "sh" => Flavour::Sh,
        _ => {
            return unknown(
                tool,
                format!(
                    "gate models bash, dash and sh only; `{tool}` reads its own startup files (zsh: /etc/zshenv \
                     and ~/.zshenv even for -c) and expands words by rules gate does not follow"
                ),
            );
        }
    };
    let inv = match invocation(flavour, args) {
        Ok(inv) => inv,
        Err(why) => return unknown(tool, why),
    };
    let mut run = Run::new(tool, flavour, env, sources, depth);
    run.opts = inv.opts;
    let interactive = inv.interactive
        || (matches!(inv.source, ScriptSource::Stdin)
            && matches!(sources.stdin(), StdinView::Terminal));
    if interactive {
        run.unknown(
            tool,
            "an interactive shell reads ~/.bashrc or $ENV and expands its prompts, and what will be typed \
             cannot be seen",
        );
    }
    if inv.login && !(flavour == Flavour::Bash && inv.noprofile) {
        run.unknown(
            tool,
            "a login shell first runs /etc/profile and ~/.bash_profile, ~/.bash_login or ~/.profile, which \
             gate does not classify",
        );
    }
    if flavour != Flavour::Dash
        && let Err(why) = bash_environment(flavour, env, &mut run)
    {
        run.unknown(tool, why);
    }
    match inv.source {
        ScriptSource::Command(text) => run.text(&text),
        ScriptSource::File(file) => match sources.read_file(&file) {
            Some(bytes) => run.bytes(&bytes, &file),
            None => run.unknown(
                tool,
                format!("runs the script {file}, which gate cannot read"),
            ),
        },
        ScriptSource::Stdin => match sources.stdin() {
            StdinView::Bytes {
                bytes,
                complete: true,
            } => {
                // The commands share the shell's stdin: what they read is the rest of the script.
                run.stdin = StdinOverride::Unreadable(
                    "the shell reads its script from this stdin, so a command reading it gets the rest of the script"
                        .into(),
                );
                run.bytes(bytes, "stdin");
            }
            StdinView::Terminal => {}
            _ => run.unknown(tool, "a script on stdin gate could not read whole"),
        },
    }
    run.findings
}

/// What bash takes from its environment before the script (bash 5.2 manual, "Bash Startup Files" and "Shell
/// Variables"): exported functions, SHELLOPTS, BASHOPTS, and for a non-interactive bash the file BASH_ENV names.
fn bash_environment(
    flavour: Flavour,
    env: &BTreeMap<String, String>,
    run: &mut Run<'_>,
) -> Result<(), String> {
    if let Some(name) = env.keys().find(|k| k.starts_with("BASH_FUNC_")) {
        return Err(format!(
            "the environment holds the exported function {name}, which bash defines before the script runs"
        ));
    }
    if let Some(name) = env.keys().find(|k| {
        k.starts_with("BASH_")
            && !["BASH_ENV", "BASH_XTRACEFD", "BASH_LOADABLES_PATH"].contains(&k.as_str())
    }) {
        return Err(format!("{name} in the environment is not modelled"));
    }
    if let Some(options) = env.get("SHELLOPTS") {
        for name in options.split(':').filter(|n| !n.is_empty()) {
            set_o(flavour, &mut run.opts, name, true)
                .map_err(|why| format!("SHELLOPTS in the environment: {why}"))?;
        }
    }
    if let Some(options) = env.get("BASHOPTS") {
        for name in options.split(':').filter(|n| !n.is_empty()) {
            if !SHOPT_ALLOWED.contains(&name) {
                return Err(format!(
                    "BASHOPTS in the environment turns on `{name}`, which gate does not model"
                ));
            }
        }
    }
    // `sh` that is bash reads no startup file when not interactive; dash never reads BASH_ENV.
    if flavour == Flavour::Bash
        && let Some(file) = env.get("BASH_ENV").filter(|f| !f.is_empty())
    {
        if file.contains(['$', '`']) {
            return Err(format!(
                "BASH_ENV is `{file}`, which bash expands (parameters, command substitution) before reading it"
            ));
        }
        let Some(bytes) = run.sources.read_file(file) else {
            return Err(format!(
                "BASH_ENV names {file}, which bash runs first and gate cannot read"
            ));
        };
        run.bytes(&bytes, file);
    }
    Ok(())
}

/// Classifies shell text with sh's rules, as ssh's remote side or a test would.
pub fn shell_script(
    script: &str,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let mut run = Run::new("sh", Flavour::Sh, env, sources, depth);
    run.text(script);
    run.findings
}

// ---------------------------------------------------------------------------------------------------------------
// Prefix wrappers: programs that run the rest of their arguments as a command.
// ---------------------------------------------------------------------------------------------------------------

/// getopt in POSIX order without abbreviations: docker's and kubectl's pflag sets that stop at the first operand.
const EXACT_POSIX_ORDER: Style = Style {
    abbreviations: false,
    permute: false,
    single_dash_long: false,
};

/// Reads the options in front of the operands, one argument (or option and value) at a time, so that the caller
/// knows where each ends. Returns the options, each with the index just after it, and the index of the first
/// operand.
fn leading_options(
    args: &[String],
    specs: &[OptSpec],
    style: Style,
) -> Result<(Vec<(Arg, usize)>, usize), ArgError> {
    // Tables whose long names are just their letters belong to tools with plain getopt: `--x` is an error there.
    let short_only = specs.iter().all(|s| {
        s.short
            .is_some_and(|c| s.long.len() == c.len_utf8() && s.long.starts_with(c))
    });
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "--" {
            return Ok((out, i + 1));
        }
        if short_only && a.starts_with("--") {
            return Err(ArgError::Unknown(a.clone()));
        }
        if a == "-" || !a.starts_with('-') {
            break;
        }
        let (parsed, used) = match args::parse_strict(&args[i..=i], specs, style) {
            Ok(parsed) => (parsed, 1),
            Err(ArgError::MissingValue(_)) if i + 1 < args.len() => {
                (args::parse_strict(&args[i..i + 2], specs, style)?, 2)
            }
            Err(e) => return Err(e),
        };
        i += used;
        out.extend(parsed.into_iter().map(|p| (p, i)));
    }
    Ok((out, i))
}

fn opt_name(arg: &Arg) -> &str {
    match arg {
        Arg::Opt { name, .. } => name,
        Arg::Unrecognised(s) | Arg::Positional(s) => s,
    }
}

fn opt_value(arg: &Arg) -> Option<&str> {
    match arg {
        Arg::Opt { value, .. } => value.as_deref(),
        _ => None,
    }
}

/// `env` from GNU coreutils 9.1 (`env --help`; env.c's short options `+C:iS:u:v0`).
const ENV_SPECS: &[OptSpec] = &[
    opt(Some('i'), "ignore-environment", false),
    opt(Some('0'), "null", false),
    opt(Some('u'), "unset", true),
    opt(Some('C'), "chdir", true),
    opt(Some('S'), "split-string", true),
    opt_optional(None, "block-signal"),
    opt_optional(None, "default-signal"),
    opt_optional(None, "ignore-signal"),
    opt(None, "list-signal-handling", false),
    opt(Some('v'), "debug", false),
    opt(None, "help", false),
    opt(None, "version", false),
];

/// `sudo` 1.9 (sudo(8); getopt string `+Aa:BbC:c:D:Eeg:Hh::iKklNnPp:R:r:SsT:t:U:u:Vv`).
const SUDO_SPECS: &[OptSpec] = &[
    opt(Some('A'), "askpass", false),
    opt(Some('a'), "auth-type", true),
    opt(Some('B'), "bell", false),
    opt(Some('b'), "background", false),
    opt(Some('C'), "close-from", true),
    opt(Some('c'), "login-class", true),
    opt(Some('D'), "chdir", true),
    opt(Some('E'), "preserve-env", false),
    opt_optional(None, "preserve-env"),
    opt(Some('e'), "edit", false),
    opt(Some('g'), "group", true),
    opt(Some('H'), "set-home", false),
    opt_optional(Some('h'), "help"),
    opt(None, "host", true),
    opt(Some('i'), "login", false),
    opt(Some('K'), "remove-timestamp", false),
    opt(Some('k'), "reset-timestamp", false),
    opt(Some('l'), "list", false),
    opt(Some('N'), "no-update", false),
    opt(Some('n'), "non-interactive", false),
    opt(Some('P'), "preserve-groups", false),
    opt(Some('p'), "prompt", true),
    opt(Some('R'), "chroot", true),
    opt(Some('r'), "role", true),
    opt(Some('S'), "stdin", false),
    opt(Some('s'), "shell", false),
    opt(Some('T'), "command-timeout", true),
    opt(Some('t'), "type", true),
    opt(Some('U'), "other-user", true),
    opt(Some('u'), "user", true),
    opt(Some('V'), "version", false),
    opt(Some('v'), "validate", false),
];

/// `doas` (OpenBSD doas(1), OpenDoas 6.8: `+a:C:Lnsu:`).
const DOAS_SPECS: &[OptSpec] = &[
    opt(Some('a'), "a", true),
    opt(Some('C'), "C", true),
    opt(Some('L'), "L", false),
    opt(Some('n'), "n", false),
    opt(Some('s'), "s", false),
    opt(Some('u'), "u", true),
];

/// `timeout` from GNU coreutils 9.1 (`timeout --help`; `+k:s:v`).
const TIMEOUT_SPECS: &[OptSpec] = &[
    opt(Some('k'), "kill-after", true),
    opt(Some('s'), "signal", true),
    opt(None, "foreground", false),
    opt(None, "preserve-status", false),
    opt(Some('v'), "verbose", false),
    opt(None, "help", false),
    opt(None, "version", false),
];

/// `nice` from GNU coreutils 9.1 (`nice --help`; `+n:`, plus the legacy `-N` handled before).
const NICE_SPECS: &[OptSpec] = &[
    opt(Some('n'), "adjustment", true),
    opt(None, "help", false),
    opt(None, "version", false),
];

/// `ionice` from util-linux 2.38 (`ionice --help`; `+c:n:p:P:tu:hV`).
const IONICE_SPECS: &[OptSpec] = &[
    opt(Some('c'), "class", true),
    opt(Some('n'), "classdata", true),
    opt(Some('p'), "pid", true),
    opt(Some('P'), "pgid", true),
    opt(Some('t'), "ignore", false),
    opt(Some('u'), "uid", true),
    opt(Some('h'), "help", false),
    opt(Some('V'), "version", false),
];

/// `stdbuf` from GNU coreutils 9.1 (`stdbuf --help`; `+i:o:e:`).
const STDBUF_SPECS: &[OptSpec] = &[
    opt(Some('i'), "input", true),
    opt(Some('o'), "output", true),
    opt(Some('e'), "error", true),
    opt(None, "help", false),
    opt(None, "version", false),
];

/// `nohup` from GNU coreutils 9.1: only `--help` and `--version`.
const NOHUP_SPECS: &[OptSpec] = &[opt(None, "help", false), opt(None, "version", false)];

/// GNU `time` 1.9 (`time --help`; `+af:o:pqvV`).
const TIME_SPECS: &[OptSpec] = &[
    opt(Some('a'), "append", false),
    opt(Some('f'), "format", true),
    opt(Some('o'), "output", true),
    opt(Some('p'), "portability", false),
    opt(Some('q'), "quiet", false),
    opt(Some('v'), "verbose", false),
    opt(None, "help", false),
    opt(Some('V'), "version", false),
];

/// The `command` builtin (POSIX; bash 5.2 `help command`: `command [-pVv] command [arg ...]`).
const COMMAND_SPECS: &[OptSpec] = &[
    opt(Some('p'), "p", false),
    opt(Some('v'), "v", false),
    opt(Some('V'), "V", false),
];

/// The `exec` builtin (bash 5.2 `help exec`: `exec [-cl] [-a name] [command [argument ...]]`).
const EXEC_SPECS: &[OptSpec] = &[
    opt(Some('a'), "a", true),
    opt(Some('c'), "c", false),
    opt(Some('l'), "l", false),
];

/// Unwraps `env`, `sudo`, `doas`, `nice`, `nohup`, `time`, `timeout`, `stdbuf`, `ionice`, `command`, `exec`.
/// Returns `None` when `tool` is not one of them.
pub fn prefix_wrapper(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Option<Vec<Finding>> {
    let specs = match tool {
        "env" => return Some(env_command(args, env, sources, depth)),
        "sudo" | "doas" => return Some(privileged(tool, args, env, sources, depth)),
        "nice" => NICE_SPECS,
        "ionice" => IONICE_SPECS,
        "timeout" => TIMEOUT_SPECS,
        "stdbuf" => STDBUF_SPECS,
        "nohup" => NOHUP_SPECS,
        "time" => TIME_SPECS,
        "command" => COMMAND_SPECS,
        "exec" => EXEC_SPECS,
        _ => return None,
    };
    let mut args = args;
    if tool == "nice" {
        // coreutils nice takes `-N`, `--N` and `-+N` as an adjustment before anything else.
        while let Some(a) = args.first()
            && a.strip_prefix('-')
                .map(|r| r.trim_start_matches(['-', '+']))
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        {
            args = &args[1..];
        }
    }
    let style = if matches!(tool, "command" | "exec") {
        EXACT_POSIX_ORDER
    } else {
        Style::GNU_POSIX_ORDER
    };
    let (options, at) = match leading_options(args, specs, style) {
        Ok(parsed) => parsed,
        Err(e) => return Some(unknown(tool, format!("{tool}: {e}"))),
    };
    let mut findings = Vec::new();
    for (o, _) in &options {
        let name = opt_name(o);
        match (tool, name) {
            (_, "help" | "version") => {
                return Some(unknown(tool, format!("`{tool} --{name}` is not modelled")));
            }
            ("ionice", "pid" | "pgid" | "uid") => {
                return Some(unknown(
                    tool,
                    "changes the I/O priority of processes that are already running",
                ));
            }
            ("command", "p") => {
                return Some(unknown(
                    tool,
                    "`command -p` looks the program up on a default PATH gate does not model",
                ));
            }
            ("command", "v" | "V") => {
                return Some(vec![Finding::new(
                    Kind::Read,
                    tool,
                    &Target::default(),
                    "prints how the shell would find a command; runs nothing",
                )]);
            }
            ("exec", _) => {
                return Some(unknown(
                    tool,
                    format!("`exec -{name}` changes the program's argv[0] or environment"),
                ));
            }
            ("time", "output") => {
                let file = opt_value(o).unwrap_or_default();
                let append = options.iter().any(|(o, _)| opt_name(o) == "append");
                findings.push(
                    Finding::new(
                        Kind::Write,
                        tool,
                        &Target::default(),
                        format!("time -o writes its report to {file}"),
                    )
                    .with_risk(if append { Risk::Moderate } else { Risk::High })
                    .with_objects(vec![file.to_string()]),
                );
            }
            _ => {}
        }
    }
    let mut rest = &args[at..];
    if tool == "timeout" {
        // `timeout DURATION COMMAND`: a number with an optional s/m/h/d suffix.
        let Some(duration) = rest.first() else {
            return Some(unknown(tool, "timeout without a duration"));
        };
        let number = duration.trim_end_matches(['s', 'm', 'h', 'd']);
        if number.is_empty() || number.parse::<f64>().is_err() {
            return Some(unknown(
                tool,
                format!("`{duration}` is not a duration gate reads"),
            ));
        }
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return Some(unknown(tool, "runs nothing gate can see"));
    }
    if tool == "nohup" {
        findings.push(
            Finding::new(
                Kind::Write,
                tool,
                &Target::default(),
                "nohup appends the command's output to nohup.out (or $HOME/nohup.out) when stdout is a terminal",
            )
            .with_objects(vec!["nohup.out".into()]),
        );
    }
    findings.extend(super::classify_words(rest, env, sources, depth + 1));
    Some(findings)
}

/// `env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]` (coreutils 9.1). `-S` splits its value into
/// arguments that are read as if they stood there, options included; `-i` and `-u` apply after all options.
fn env_command(
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let mut argv: Vec<String> = args.to_vec();
    let mut ignore = false;
    let mut unset: Vec<String> = Vec::new();
    let mut chdir: Option<String> = None;
    let mut splits = 0;
    let at = 'options: loop {
        let (options, at) = match leading_options(&argv, ENV_SPECS, Style::GNU_POSIX_ORDER) {
            Ok(parsed) => parsed,
            Err(e) => return unknown("env", format!("env: {e}")),
        };
        for (o, end) in &options {
            match opt_name(o) {
                "ignore-environment" => ignore = true,
                "unset" => unset.push(opt_value(o).unwrap_or_default().to_string()),
                "chdir" => {
                    let dir = opt_value(o).unwrap_or_default().to_string();
                    chdir = Some(match chdir {
                        Some(before) => Dir::Path(before).enter(&dir).resolve("").unwrap_or(dir),
                        None => dir,
                    });
                }
                "split-string" => {
                    splits += 1;
                    if splits > 16 {
                        return unknown("env", "env -S nests too deeply");
                    }
                    let words = match split_string(opt_value(o).unwrap_or_default(), env) {
                        Ok(words) => words,
                        Err(why) => return unknown("env", format!("env -S: {why}")),
                    };
                    argv = words
                        .into_iter()
                        .chain(argv[*end..].iter().cloned())
                        .collect();
                    continue 'options;
                }
                "help" | "version" | "null" => {
                    return unknown("env", format!("`env --{}` runs no command", opt_name(o)));
                }
                _ => {}
            }
        }
        break at;
    };
    let mut rest = &argv[at..];
    if rest.first().is_some_and(|a| a == "-") {
        ignore = true;
        rest = &rest[1..];
    }
    let mut inner_env = if ignore { BTreeMap::new() } else { env.clone() };
    for name in &unset {
        if name.is_empty() || name.contains('=') {
            return unknown("env", format!("env -u `{name}` fails"));
        }
        inner_env.remove(name);
    }
    while let Some((name, value)) = rest.first().and_then(|a| a.split_once('=')) {
        if name.is_empty() {
            return unknown("env", "env cannot set a variable with an empty name");
        }
        inner_env.insert(name.to_string(), value.to_string());
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return unknown("env", "prints the environment, which may hold credentials");
    }
    match chdir {
        // chdir(2) is physical, so `..` means what the file system says, as it does for gate's reads.
        Some(dir) => {
            let overlay = Overlay {
                dirs: vec![Dir::Path(dir)],
                ..Overlay::new(sources)
            };
            super::classify_words(rest, &inner_env, &overlay, depth + 1)
        }
        None => super::classify_words(rest, &inner_env, sources, depth + 1),
    }
}

/// Splits `env -S`'s string as coreutils 9.1 does (env.c `build_argv`; `info env`, "-S/--split-string usage"):
/// blanks separate, `'…'` keeps everything but `\\` and `\'`, `"…"` honours escapes and `${NAME}`, `\_` is a
/// separator outside quotes and a space inside, `\c` ends the string, `#` at the start of an argument starts a
/// comment. Anything else is refused rather than guessed. `${NAME}` is expanded from the environment env was
/// given, and only when gate has that variable (otherwise it cannot know whether it is set).
fn split_string(s: &str, env: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < c.len() {
        let ch = c[i];
        match (quote, ch) {
            (None, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r') => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
                i += 1;
            }
            (None, '#') if !in_word => break,
            (None, '\'' | '"') => {
                quote = Some(ch);
                in_word = true;
                i += 1;
            }
            (Some(q), _) if ch == q => {
                quote = None;
                i += 1;
            }
            (Some('\''), '\\') if matches!(c.get(i + 1), Some('\\' | '\'')) => {
                word.push(c[i + 1]);
                i += 2;
            }
            (Some('\''), _) => {
                word.push(ch);
                i += 1;
            }
            (_, '\\') => {
                let Some(&e) = c.get(i + 1) else {
                    return Err("a backslash at the end".into());
                };
                i += 2;
                match e {
                    '_' | 'c' if quote.is_none() => {
                        // `\_` separates like a blank; `\c` ends the string.
                        if in_word {
                            out.push(std::mem::take(&mut word));
                            in_word = false;
                        }
                        if e == 'c' {
                            break;
                        }
                        continue;
                    }
                    _ => in_word = true,
                }
                match e {
                    '_' => word.push(' '),
                    'f' => word.push('\x0c'),
                    'n' => word.push('\n'),
                    'r' => word.push('\r'),
                    't' => word.push('\t'),
                    'v' => word.push('\x0b'),
                    '\\' | '\'' | '"' | '$' | '#' => word.push(e),
                    other => return Err(format!("`\\{other}` is not an escape env reads")),
                }
            }
            (_, '$') => {
                if c.get(i + 1) != Some(&'{') {
                    return Err("env only expands `${NAME}`".into());
                }
                let end = c[i + 2..]
                    .iter()
                    .position(|&x| x == '}')
                    .ok_or("`${` without `}`")?;
                let name: String = c[i + 2..i + 2 + end].iter().collect();
                if !shell::is_name(&name) {
                    return Err(format!("`${{{name}}}` is not a variable name"));
                }
                let Some(value) = env.get(&name) else {
                    return Err(format!(
                        "`${{{name}}}` expands a variable gate does not see"
                    ));
                };
                word.push_str(value);
                in_word = true;
                i += end + 3;
            }
            _ => {
                word.push(ch);
                in_word = true;
                i += 1;
            }
        }
    }
    if quote.is_some() {
        return Err("an unterminated quote".into());
    }
    if in_word {
        out.push(word);
    }
    Ok(out)
}

/// `sudo` and `doas`: the command runs as another user, in the environment the sudoers or doas.conf policy
/// builds (env_reset, secure_path, env_keep), which gate cannot read. So the wrapper is a privilege switch, and
/// the inner command is judged with an empty environment (or the caller's, with `-E`).
fn privileged(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let specs = if tool == "sudo" {
        SUDO_SPECS
    } else {
        DOAS_SPECS
    };
    let (options, at) = match leading_options(args, specs, Style::GNU_POSIX_ORDER) {
        Ok(parsed) => parsed,
        Err(e) => return unknown(tool, format!("{tool}: {e}")),
    };
    let mut user = "root".to_string();
    let mut keep_env = false;
    // `--preserve-env=LIST` keeps only the variables it names.
    let mut keep_only: Vec<String> = Vec::new();
    let mut chdir = None;
    let mut stdin = StdinOverride::Inherit;
    for (o, _) in &options {
        let name = opt_name(o);
        let refuse = match (tool, name) {
            ("sudo", "user") | ("doas", "u") => {
                user = opt_value(o).unwrap_or_default().to_string();
                None
            }
            ("sudo", "preserve-env") => {
                keep_env = true;
                if let Some(list) = opt_value(o) {
                    keep_only.extend(list.split(',').map(ToString::to_string));
                }
                None
            }
            ("sudo", "chdir") => {
                chdir = opt_value(o).map(ToString::to_string);
                None
            }
            ("sudo", "stdin") => {
                stdin =
                    StdinOverride::Unreadable("sudo -S reads the password from it first".into());
                None
            }
            (
                "sudo",
                "group" | "set-home" | "preserve-groups" | "non-interactive" | "bell"
                | "background" | "close-from" | "prompt" | "command-timeout" | "no-update" | "role"
                | "type" | "auth-type" | "login-class",
            )
            | ("doas", "n" | "a") => None,
            ("sudo", "askpass") => Some("sudo -A runs the SUDO_ASKPASS program"),
            ("sudo", "login") => {
                Some("sudo -i runs the target user's login shell and its profiles")
            }
            ("sudo", "shell") | ("doas", "s") => {
                Some("runs $SHELL, which gate does not see, with the command")
            }
            ("sudo", "edit") => Some("sudo -e edits files with the user's editor"),
            ("sudo", "chroot") => Some("sudo -R runs the command under another root directory"),
            ("doas", "C") => Some("doas -C checks a configuration file and runs nothing"),
            _ => Some("this option runs no command gate can see"),
        };
        if let Some(why) = refuse {
            return unknown(tool, why);
        }
    }
    let mut rest = &args[at..];
    let mut inner_env = if keep_env {
        env.iter()
            .filter(|(k, _)| !k.starts_with("LD_") && !k.starts_with("BASH_FUNC_"))
            .filter(|(k, _)| keep_only.is_empty() || keep_only.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    } else {
        BTreeMap::new()
    };
    if tool == "sudo" {
        while let Some((name, value)) = rest.first().and_then(|a| a.split_once('=')) {
            if !shell::is_name(name) {
                break;
            }
            inner_env.insert(name.to_string(), value.to_string());
            rest = &rest[1..];
        }
    }
    if rest.is_empty() {
        return unknown(
            tool,
            "opens a privileged shell: gate cannot see what will be typed",
        );
    }
    let program = super::program_name(&rest[0]).to_string();
    let mut findings = vec![Finding::new(
        Kind::PrivilegeSwitch,
        tool,
        &Target::default(),
        format!(
            "runs `{program}` as {user}, with the environment {tool}'s policy gives it, which gate cannot read"
        ),
    )];
    let overlay = Overlay {
        stdin,
        dirs: chdir.map(Dir::Path).into_iter().collect(),
        ..Overlay::new(sources)
    };
    findings.extend(super::classify_words(rest, &inner_env, &overlay, depth + 1));
    findings
}

// ---------------------------------------------------------------------------------------------------------------
// Commands run elsewhere: containers, pods, other hosts.
// ---------------------------------------------------------------------------------------------------------------

/// What every command run in a container, a pod or over ssh also gets: gate sees none of the other side's files.
fn elsewhere_finding(tool: &str, target: &Target, place: &str) -> Finding {
    Finding::new(
        Kind::Unknown,
        tool,
        target,
        format!(
            "the command runs {place}, whose environment and startup files (the login shell's profiles, ~/.psqlrc \
             and the like) gate cannot read"
        ),
    )
}

/// docker 24 global options (`docker --help`). `--config` names a directory whose config.json can run
/// credential helpers, so it is not accepted.
const DOCKER_GLOBAL: &[OptSpec] = &[
    opt(Some('c'), "context", true),
    opt(Some('D'), "debug", false),
    opt(Some('H'), "host", true),
    opt(Some('l'), "log-level", true),
    opt(None, "tls", false),
    opt(None, "tlscacert", true),
    opt(None, "tlscert", true),
    opt(None, "tlskey", true),
    opt(None, "tlsverify", false),
];

/// `docker exec --help` (docker 24), `podman exec --help` (podman 4.3) and `nerdctl exec --help` (nerdctl 1.7).
const DOCKER_EXEC: &[OptSpec] = &[
    opt(Some('d'), "detach", false),
    opt(None, "detach-keys", true),
    opt(Some('e'), "env", true),
    opt(None, "env-file", true),
    opt(Some('i'), "interactive", false),
    opt(None, "privileged", false),
    opt(Some('t'), "tty", false),
    opt(Some('u'), "user", true),
    opt(Some('w'), "workdir", true),
    opt(Some('l'), "latest", false),
    opt(None, "preserve-fds", true),
];

/// `docker compose exec --help` (compose v2.20).
const COMPOSE_EXEC: &[OptSpec] = &[
    opt(Some('d'), "detach", false),
    opt(Some('e'), "env", true),
    opt(None, "index", true),
    opt(Some('T'), "no-TTY", false),
    opt(None, "privileged", false),
    opt(Some('u'), "user", true),
    opt(Some('w'), "workdir", true),
];

/// Read-only docker subcommands and their complete option tables (docker 24 `docker X --help`).
fn docker_read_specs(sub: &str) -> Option<(&'static [OptSpec], Kind)> {
    const PS: &[OptSpec] = &[
        opt(Some('a'), "all", false),
        opt(Some('f'), "filter", true),
        opt(None, "format", true),
        opt(Some('n'), "last", true),
        opt(Some('l'), "latest", false),
        opt(None, "no-trunc", false),
        opt(Some('q'), "quiet", false),
        opt(Some('s'), "size", false),
    ];
    const IMAGES: &[OptSpec] = &[
        opt(Some('a'), "all", false),
        opt(None, "digests", false),
        opt(Some('f'), "filter", true),
        opt(None, "format", true),
        opt(None, "no-trunc", false),
        opt(Some('q'), "quiet", false),
    ];
    const LOGS: &[OptSpec] = &[
        opt(None, "details", false),
        opt(Some('f'), "follow", false),
        opt(None, "since", true),
        opt(Some('n'), "tail", true),
        opt(Some('t'), "timestamps", false),
        opt(None, "until", true),
    ];
    const INSPECT: &[OptSpec] = &[
        opt(Some('f'), "format", true),
        opt(Some('s'), "size", false),
        opt(None, "type", true),
    ];
    const FORMAT: &[OptSpec] = &[opt(Some('f'), "format", true)];
    match sub {
        "ps" => Some((PS, Kind::Read)),
        "images" => Some((IMAGES, Kind::Read)),
        "logs" => Some((LOGS, Kind::Read)),
        // inspect prints each container's environment, where passwords usually live.
        "inspect" => Some((INSPECT, Kind::DataExport)),
        "version" | "info" => Some((FORMAT, Kind::Read)),
        _ => None,
    }
}

/// `docker [GLOBAL] exec [OPTIONS] CONTAINER CMD…` (also podman and nerdctl, and `docker compose exec SERVICE
/// CMD…`), and the read-only subcommands. Everything else is `unknown`: `run` with its mounts, `cp`, `build`…
pub fn container_exec(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let (globals, at) = match leading_options(args, DOCKER_GLOBAL, EXACT_POSIX_ORDER) {
        Ok(parsed) => parsed,
        Err(e) => return unknown(tool, format!("{tool}: {e}")),
    };
    let _ = globals;
    let rest = &args[at..];
    let Some(sub) = rest.first() else {
        return unknown(tool, format!("{tool} without a subcommand"));
    };
    let (specs, service_word) = match sub.as_str() {
        "exec" => (DOCKER_EXEC, "container"),
        "compose" if rest.get(1).is_some_and(|s| s == "exec") => (COMPOSE_EXEC, "service"),
        "compose" => {
            return unknown(
                tool,
                "docker compose: only `compose exec` without global options is modelled",
            );
        }
        _ => {
            return match docker_read_specs(sub) {
                Some((specs, kind)) => match args::parse_strict(&rest[1..], specs, Style::EXACT) {
                    Ok(_) => vec![Finding::new(
                        kind,
                        tool,
                        &Target::default(),
                        format!("{tool} {sub}"),
                    )],
                    Err(e) => unknown(tool, format!("{tool} {sub}: {e}")),
                },
                None => unknown(
                    tool,
                    format!("`{tool} {sub}` is not a subcommand gate models"),
                ),
            };
        }
    };
    let skip = if sub == "compose" { 2 } else { 1 };
    let (options, at) = match leading_options(&rest[skip..], specs, EXACT_POSIX_ORDER) {
        Ok(parsed) => parsed,
        Err(e) => return unknown(tool, format!("{tool} exec: {e}")),
    };
    let mut inner_env = BTreeMap::new();
    let mut interactive = sub == "compose";
    let mut findings = Vec::new();
    for (o, _) in &options {
        match opt_name(o) {
            "env" => {
                let value = opt_value(o).unwrap_or_default();
                match value.split_once('=') {
                    Some((k, v)) => {
                        inner_env.insert(k.to_string(), v.to_string());
                    }
                    None => {
                        if let Some(v) = env.get(value) {
                            inner_env.insert(value.to_string(), v.clone());
                        }
                    }
                }
            }
            "interactive" => interactive = true,
            "detach" => interactive = false,
            "env-file" => return unknown(tool, "--env-file: gate does not read env files"),
            "latest" => return unknown(tool, "--latest: which container runs it is decided later"),
            "preserve-fds" => return unknown(tool, "--preserve-fds passes gate's own descriptors"),
            "privileged" => findings.push(Finding::new(
                Kind::PrivilegeSwitch,
                tool,
                &Target::default(),
                "--privileged gives the command extended privileges in the container",
            )),
            _ => {}
        }
    }
    let inner_args = &rest[skip + at..];
    let Some((container, inner)) = inner_args.split_first() else {
        return unknown(tool, format!("exec without a {service_word}"));
    };
    if inner.is_empty() {
        return unknown(tool, "exec without a command");
    }
    let overlay = Overlay {
        stdin: if interactive {
            StdinOverride::Inherit
        } else {
            StdinOverride::Bytes(Vec::new())
        },
        elsewhere: true,
        ..Overlay::new(sources)
    };
    let place = format!("in {service_word} {container}");
    let mut inner_found = super::classify_words(inner, &inner_env, &overlay, depth + 1);
    for f in &mut inner_found {
        f.detail = format!("{place}: {}", f.detail);
    }
    findings.extend(inner_found);
    findings.push(elsewhere_finding(tool, &Target::default(), &place));
    findings
}

/// `kubectl exec --help` (kubectl 1.28) with the global flags that only pick the cluster and namespace.
const KUBECTL_EXEC: &[OptSpec] = &[
    opt(Some('c'), "container", true),
    opt(Some('i'), "stdin", false),
    opt(Some('q'), "quiet", false),
    opt(Some('t'), "tty", false),
    opt(None, "pod-running-timeout", true),
    opt(None, "context", true),
    opt(None, "cluster", true),
    opt(None, "user", true),
    opt(None, "kubeconfig", true),
    opt(Some('n'), "namespace", true),
    opt(None, "request-timeout", true),
    opt(Some('v'), "v", true),
];

/// `kubectl exec [OPTIONS] POD -- CMD…`.
pub fn kubectl_exec(
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let Some(dashes) = args.iter().position(|a| a == "--") else {
        return unknown("kubectl", "kubectl exec without `-- COMMAND`");
    };
    let parsed = match args::parse_strict(&args[..dashes], KUBECTL_EXEC, Style::EXACT) {
        Ok(parsed) => parsed,
        Err(e) => return unknown("kubectl", format!("kubectl exec: {e}")),
    };
    let positionals: Vec<&str> = args::positionals(&parsed).collect();
    let [exec, pod] = positionals.as_slice() else {
        return unknown("kubectl", "kubectl exec takes exactly one pod before `--`");
    };
    if *exec != "exec" {
        return unknown("kubectl", "kubectl: expected `exec`");
    }
    let inner = &args[dashes + 1..];
    if inner.is_empty() {
        return unknown("kubectl", "kubectl exec without a command");
    }
    let _ = env;
    let overlay = Overlay {
        stdin: if args::has(&parsed, "stdin") {
            StdinOverride::Inherit
        } else {
            StdinOverride::Bytes(Vec::new())
        },
        elsewhere: true,
        ..Overlay::new(sources)
    };
    let place = format!("in pod {pod}");
    let mut findings = super::classify_words(inner, &BTreeMap::new(), &overlay, depth + 1);
    for f in &mut findings {
        f.detail = format!("{place}: {}", f.detail);
    }
    findings.push(elsewhere_finding("kubectl", &Target::default(), &place));
    findings
}

/// OpenSSH 9 `ssh(1)` (ssh.c getopt string `1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy`).
const SSH_SPECS: &[OptSpec] = &[
    opt(Some('1'), "1", false),
    opt(Some('2'), "2", false),
    opt(Some('4'), "4", false),
    opt(Some('6'), "6", false),
    opt(Some('A'), "A", false),
    opt(Some('a'), "a", false),
    opt(Some('B'), "B", true),
    opt(Some('b'), "b", true),
    opt(Some('C'), "C", false),
    opt(Some('c'), "c", true),
    opt(Some('D'), "D", true),
    opt(Some('E'), "E", true),
    opt(Some('e'), "e", true),
    opt(Some('F'), "F", true),
    opt(Some('f'), "f", false),
    opt(Some('G'), "G", false),
    opt(Some('g'), "g", false),
    opt(Some('I'), "I", true),
    opt(Some('i'), "i", true),
    opt(Some('J'), "J", true),
    opt(Some('K'), "K", false),
    opt(Some('k'), "k", false),
    opt(Some('L'), "L", true),
    opt(Some('l'), "l", true),
    opt(Some('M'), "M", false),
    opt(Some('m'), "m", true),
    opt(Some('N'), "N", false),
    opt(Some('n'), "n", false),
    opt(Some('O'), "O", true),
    opt(Some('o'), "o", true),
    opt(Some('P'), "P", true),
    opt(Some('p'), "p", true),
    opt(Some('Q'), "Q", true),
    opt(Some('q'), "q", false),
    opt(Some('R'), "R", true),
    opt(Some('S'), "S", true),
    opt(Some('s'), "s", false),
    opt(Some('T'), "T", false),
    opt(Some('t'), "t", false),
    opt(Some('V'), "V", false),
    opt(Some('v'), "v", false),
    opt(Some('W'), "W", true),
    opt(Some('w'), "w", true),
    opt(Some('X'), "X", false),
    opt(Some('x'), "x", false),
    opt(Some('Y'), "Y", false),
    opt(Some('y'), "y", false),
];

/// ssh options gate understands: they change neither what runs locally nor where the command goes.
fn ssh_option_refusal(flag: &str) -> Option<&'static str> {
    match flag {
        "4" | "6" | "a" | "B" | "b" | "C" | "c" | "e" | "i" | "k" | "l" | "m" | "n" | "P" | "p"
        | "q" | "T" | "t" | "v" | "x" | "y" | "o" => None,
        "A" | "K" => Some("forwards the local agent or credentials to the remote side"),
        "X" | "Y" => Some("forwards the local X display"),
        "D" | "L" | "R" | "W" | "w" | "g" => Some("forwards ports or tunnels"),
        "E" => Some("writes a log file"),
        "F" => Some("reads a configuration file gate does not check"),
        "I" => Some("loads a PKCS#11 library into ssh"),
        "J" => Some("connects through a jump host"),
        "M" | "S" | "O" => Some("uses a control socket: the connection may be another one"),
        "s" => Some("runs a subsystem"),
        "f" | "N" | "G" | "Q" | "V" | "1" | "2" => Some("is not modelled"),
        _ => Some("is not an ssh option"),
    }
}

/// `ssh_config` keywords (lower case) gate accepts, on the command line (`-o`) or in the configuration files:
/// none of them runs a local program, changes where the connection goes, or sends local variables.
const SSH_CONFIG_ALLOWED: &[&str] = &[
    "port",
    "user",
    "connecttimeout",
    "connectionattempts",
    "batchmode",
    "serveraliveinterval",
    "serveralivecountmax",
    "stricthostkeychecking",
    "userknownhostsfile",
    "globalknownhostsfile",
    "identityfile",
    "identitiesonly",
    "loglevel",
    "compression",
    "addressfamily",
    "passwordauthentication",
    "pubkeyauthentication",
    "kbdinteractiveauthentication",
    "preferredauthentications",
    "gssapiauthentication",
    "hashknownhosts",
    "checkhostip",
    "tcpkeepalive",
    "ciphers",
    "macs",
    "kexalgorithms",
    "hostkeyalgorithms",
    "pubkeyacceptedalgorithms",
    "requesttty",
    "addkeystoagent",
    "updatehostkeys",
    "visualhostkey",
];

/// Why one `ssh_config` line is not accepted, if it is not.
fn ssh_config_refusal(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (key, value) = match line.find(|c: char| c.is_whitespace() || c == '=') {
        Some(n) => (
            &line[..n],
            line[n..]
                .trim_start_matches(|c: char| c.is_whitespace() || c == '=')
                .trim(),
        ),
        None => (line, ""),
    };
    let key = key.to_ascii_lowercase();
    let ok = SSH_CONFIG_ALLOWED.contains(&key.as_str())
        || (key == "host" && value == "*")
        || (matches!(key.as_str(), "forwardagent" | "forwardx11")
            && value.eq_ignore_ascii_case("no"))
        || (key == "sendenv" && value.split_whitespace().all(|p| p == "LANG" || p == "LC_*"));
    (!ok).then(|| format!("`{line}`"))
}

/// `ssh [OPTIONS] DESTINATION [OPTIONS] [CMD…]`: ssh reads options again after the destination. The remote
/// account's shell runs the words joined by spaces; gate assumes sh's rules for it (it cannot know that shell).
/// The remote side's environment is the remote's, so local `PG*` variables do not reach it.
pub fn ssh(
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let (before, at) = match leading_options(args, SSH_SPECS, Style::GNU_POSIX_ORDER) {
        Ok(parsed) => parsed,
        Err(e) => return unknown("ssh", format!("ssh: {e}")),
    };
    let Some(destination) = args.get(at) else {
        return unknown("ssh", "ssh without a host");
    };
    let (after, command_at) =
        match leading_options(&args[at + 1..], SSH_SPECS, Style::GNU_POSIX_ORDER) {
            Ok(parsed) => parsed,
            Err(e) => return unknown("ssh", format!("ssh: {e}")),
        };
    let mut findings = Vec::new();
    let mut stdin = StdinOverride::Inherit;
    for (o, _) in before.iter().chain(&after) {
        let flag = opt_name(o);
        if let Some(why) = ssh_option_refusal(flag) {
            return unknown("ssh", format!("ssh -{flag} {why}"));
        }
        if flag == "o"
            && let Some(line) = ssh_config_refusal(opt_value(o).unwrap_or_default())
        {
            return unknown(
                "ssh",
                format!("ssh -o {line} is not an option gate accepts"),
            );
        }
        if flag == "n" {
            stdin = StdinOverride::Bytes(Vec::new());
        }
    }
    // ssh reads ~/.ssh/config (ssh uses the passwd entry's home; gate has only $HOME) and /etc/ssh/ssh_config.
    let user_config = env.get("HOME").map(|h| format!("{h}/.ssh/config"));
    if user_config.is_none() {
        findings.extend(unknown(
            "ssh",
            "HOME is not set, so gate cannot find ~/.ssh/config",
        ));
    }
    for file in user_config
        .iter()
        .map(String::as_str)
        .chain(["/etc/ssh/ssh_config"])
    {
        let bytes = match super::optional_input(sources, file) {
            Ok(bytes) => bytes,
            Err(why) => {
                findings.extend(unknown("ssh", why));
                continue;
            }
        };
        if let Some(bytes) = bytes
            && let Some(line) = String::from_utf8_lossy(&bytes)
                .lines()
                .find_map(ssh_config_refusal)
        {
            findings.extend(unknown(
                "ssh",
                format!("{file} holds {line}, which gate does not accept (it may run a program or change the host)"),
            ));
        }
    }
    let host = destination
        .strip_prefix("ssh://")
        .unwrap_or(destination)
        .rsplit_once('@')
        .map_or(destination.as_str(), |(_, h)| h);
    let host = if destination.starts_with("ssh://") {
        host.split(':').next().unwrap_or(host)
    } else {
        host
    }
    .to_string();
    if host.is_empty() || host.starts_with('-') {
        return unknown(
            "ssh",
            format!("`{destination}` is not a destination gate reads"),
        );
    }
    let target = Target {
        host: Some(host.clone()),
        ..Target::default()
    };
    let remote = &args[at + 1 + command_at..];
    if remote.is_empty() {
        findings.push(Finding::new(
            Kind::Unknown,
            "ssh",
            &target,
            "interactive remote shell: gate cannot see what will be typed",
        ));
        return findings;
    }
    let overlay = Overlay {
        stdin,
        elsewhere: true,
        ..Overlay::new(sources)
    };
    let mut inner = shell_script(&remote.join(" "), &BTreeMap::new(), &overlay, depth + 1);
    for f in &mut inner {
        // A client with no host of its own talks to the machine ssh reaches.
        if f.target.host.is_none() {
            f.target.host = Some(host.clone());
        }
        f.detail = format!("on {host}: {}", f.detail);
    }
    findings.extend(inner);
    findings.push(elsewhere_finding("ssh", &target, &format!("on {host}")));
    findings
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
    use crate::classify::{Kind, classify};

    use crate::classify::Files;

    fn kinds_with(
        argv: &[&str],
        env: &[(&str, &str)],
        files: &'static [(&'static str, &'static str)],
    ) -> Vec<Kind> {
        let argv: Vec<String> = argv.iter().map(ToString::to_string).collect();
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        classify(&argv, &env, &Files(files)).kinds()
    }

    fn sh(text: &str) -> Vec<Kind> {
        kinds_with(&["sh", "-c", text], &[], &[])
    }

    #[test]
    fn plain_reads_stay_reads() {
        assert_eq!(sh("psql -X -c 'SELECT 1'"), [Kind::Read]);
        assert_eq!(
            sh("psql -X -c 'SELECT 1' 2>/dev/null </dev/null"),
            [Kind::Read]
        );
        assert_eq!(
            kinds_with(&["bash", "-c", "psql -X -c $'SELECT 1'"], &[], &[]),
            [Kind::Read]
        );
        assert_eq!(sh("true && psql -X -c 'SELECT 1' || false"), [Kind::Read]);
    }

    #[test]
    fn expansions_are_unknown() {
        assert_eq!(
            sh("psql -X -c \"DELETE FROM t WHERE id=$ID\""),
            [Kind::Unknown]
        );
        assert_eq!(sh("psql -X -c \"$(cat q.sql)\""), [Kind::Unknown]);
        assert_eq!(sh("PGPASSWORD=$PW psql -X -c 'SELECT 1'"), [Kind::Unknown]);
        assert_eq!(sh("psql -X -f ~/q.sql"), [Kind::Unknown]);
        assert_eq!(
            sh("psql -X -c 'SELECT 1' > $OUT"),
            [Kind::Read, Kind::Unknown]
        );
        // bash decodes `$'…'` exactly: this is a DROP.
        assert!(
            kinds_with(&["bash", "-c", "psql -X -c $'\\x44ROP TABLE t'"], &[], &[])
                .contains(&Kind::DestructiveWrite)
        );
    }

    #[test]
    fn control_structures_and_functions_are_unknown() {
        for text in [
            "psql() { rm -rf ~; }; psql -X -c 'SELECT 1'",
            "if true; then psql -X -c 'SELECT 1'; fi",
            "alias psql='rm -rf ~'; psql -X -c 'SELECT 1'",
            "eval \"psql -X -c 'SELECT 1'\"",
            ". ./evil.sh; psql -X -c 'SELECT 1'",
            "hash -p /tmp/evil psql; psql -X -c 'SELECT 1'",
            "trap 'rm -rf ~' EXIT; psql -X -c 'SELECT 1'",
        ] {
            assert!(sh(text).contains(&Kind::Unknown), "{text}");
            assert!(
                !sh(text).contains(&Kind::Read) || text.starts_with("alias"),
                "{text}: {:?}",
                sh(text)
            );
        }
        // Subshells and groups are followed.
        assert_eq!(sh("(psql -X -c 'SELECT 1')"), [Kind::Read]);
        assert!(sh("{ psql -X -c 'DROP TABLE t'; }").contains(&Kind::DestructiveWrite));
    }

    #[test]
    fn redirections_write_files() {
        assert!(sh("psql -X -c 'SELECT 1' > out.txt").contains(&Kind::Write));
        assert!(sh("psql -X -c 'SELECT 1' >> /etc/passwd").contains(&Kind::Write));
        assert!(sh("psql -X -c 'SELECT 1' 2> err.log").contains(&Kind::Write));
        assert!(
            kinds_with(
                &["bash", "-c", "psql -X -c 'SELECT 1' &> all.log"],
                &[],
                &[]
            )
            .contains(&Kind::Write)
        );
        assert!(sh("psql -X -c 'SELECT 1' <> f").contains(&Kind::Write));
    }

    #[test]
    fn stdin_follows_redirections_and_heredocs() {
        static FILES: &[(&str, &str)] = &[("q.sql", "DROP TABLE t;")];
        assert!(
            kinds_with(&["sh", "-c", "psql -X < q.sql"], &[], FILES)
                .contains(&Kind::DestructiveWrite)
        );
        assert!(sh("psql -X <<'E'\nDROP TABLE t;\nE").contains(&Kind::DestructiveWrite));
        assert_eq!(sh("psql -X <<E\nSELECT $x;\nE"), [Kind::Unknown]);
        assert!(sh("cat x | psql -X").contains(&Kind::Unknown));
        // `-f /dev/stdin` reads the here-document, not gate's own stdin.
        assert!(
            sh("psql -X -f /dev/stdin <<'E'\nDROP TABLE t;\nE").contains(&Kind::DestructiveWrite)
        );
    }

    #[test]
    fn cd_moves_where_files_resolve() {
        static FILES: &[(&str, &str)] = &[("/tmp/q.sql", "SELECT 1;"), ("q.sql", "DROP TABLE t;")];
        assert_eq!(
            kinds_with(&["sh", "-c", "cd /tmp && psql -X -f q.sql"], &[], FILES),
            [Kind::Read]
        );
        // With `;` psql also runs when cd fails, in the old directory.
        assert!(
            kinds_with(&["sh", "-c", "cd /tmp; psql -X -f q.sql"], &[], FILES)
                .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(&["sh", "-c", "cd /tmp || psql -X -f q.sql"], &[], FILES)
                .contains(&Kind::DestructiveWrite)
        );
        assert_eq!(
            kinds_with(
                &["env", "-C", "/tmp", "psql", "-X", "-f", "q.sql"],
                &[],
                FILES
            ),
            [Kind::Read]
        );
        assert_eq!(
            kinds_with(
                &["sh", "-c", "cd && psql -X -f q.sql"],
                &[("HOME", "/tmp")],
                FILES
            ),
            [Kind::Read]
        );
        assert!(
            kinds_with(
                &["sh", "-c", "cd tmp && psql -X -f q.sql"],
                &[("CDPATH", "/")],
                FILES
            )
            .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(&["sh", "-c", "cd /x/.. && psql -X -f q.sql"], &[], FILES)
                .contains(&Kind::Unknown)
        );
        // A cd in a pipeline or the background changes nothing.
        assert!(
            kinds_with(
                &["sh", "-c", "cd /tmp | true; psql -X -f q.sql"],
                &[],
                FILES
            )
            .contains(&Kind::DestructiveWrite)
        );
        assert!(
            kinds_with(&["sh", "-c", "(cd /tmp); psql -X -f q.sql"], &[], FILES)
                .contains(&Kind::DestructiveWrite)
        );
    }

    #[test]
    fn env_options() {
        assert!(
            kinds_with(&["env", "-S", "psql -X -c 'DROP TABLE t'"], &[], &[])
                .contains(&Kind::DestructiveWrite)
        );
        assert!(
            kinds_with(&["env", "-vS", "psql -X -c 'DROP TABLE t'"], &[], &[])
                .contains(&Kind::DestructiveWrite)
        );
        assert!(
            kinds_with(
                &["env", "--split-string=psql\\_-X\\_-c\\_'DROP TABLE t'"],
                &[],
                &[]
            )
            .contains(&Kind::DestructiveWrite)
        );
        assert_eq!(
            kinds_with(&["env", "-S", "psql -c ${Q}"], &[], &[]),
            [Kind::Unknown]
        );
        assert_eq!(
            kinds_with(&["env", "--frobnicate", "psql"], &[], &[]),
            [Kind::Unknown]
        );
        assert_eq!(
            split_string("a\\_b \"c d\\_e\" 'f\\g' #x y", &BTreeMap::new()).unwrap(),
            ["a", "b", "c d e", "f\\g"]
        );
        assert_eq!(
            split_string(
                "-i ${HOME} \\c rest",
                &BTreeMap::from([("HOME".to_string(), "/h".to_string())])
            )
            .unwrap(),
            ["-i", "/h"]
        );
    }

    #[test]
    fn startup_variables() {
        static FILES: &[(&str, &str)] = &[("/tmp/rc", "psql -X -c 'DROP TABLE t'\n")];
        assert!(
            kinds_with(
                &["bash", "-c", "psql -X -c 'SELECT 1'"],
                &[("BASH_ENV", "/tmp/rc")],
                FILES
            )
            .contains(&Kind::DestructiveWrite)
        );
        assert!(
            kinds_with(
                &["bash", "-c", "true"],
                &[("BASH_ENV", "/tmp/missing")],
                FILES
            )
            .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(&["bash", "-c", "true"], &[("BASH_ENV", "$HOME/rc")], FILES)
                .contains(&Kind::Unknown)
        );
        // dash ignores BASH_ENV when not interactive.
        assert_eq!(
            kinds_with(
                &["dash", "-c", "psql -X -c 'SELECT 1'"],
                &[("BASH_ENV", "/tmp/rc")],
                FILES
            ),
            [Kind::Read]
        );
        assert!(
            kinds_with(
                &["bash", "-c", "psql -X -c 'SELECT 1'"],
                &[("BASH_FUNC_psql%%", "() { rm -rf ~; }")],
                &[]
            )
            .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(
                &["bash", "-xc", "psql -X -c 'SELECT 1'"],
                &[("PS4", "$(rm -rf ~)")],
                &[]
            )
            .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(
                &["bash", "-c", "psql -X -c 'SELECT 1'"],
                &[("SHELLOPTS", "xtrace"), ("PS4", "`id`")],
                &[]
            )
            .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(
                &["bash", "-c", "psql -X -c 'SELECT 1'"],
                &[("BASHOPTS", "lastpipe")],
                &[]
            )
            .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(&["bash", "-lc", "psql -X -c 'SELECT 1'"], &[], &[])
                .contains(&Kind::Unknown)
        );
        assert_eq!(
            kinds_with(
                &["bash", "--noprofile", "-lc", "psql -X -c 'SELECT 1'"],
                &[],
                &[]
            ),
            [Kind::Read]
        );
        assert!(
            kinds_with(&["bash", "-ic", "psql -X -c 'SELECT 1'"], &[], &[])
                .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(&["bash", "--nor", "-c", "psql -X -c 'SELECT 1'"], &[], &[])
                .contains(&Kind::Unknown)
        );
        assert!(
            kinds_with(&["zsh", "-c", "psql -X -c 'SELECT 1'"], &[], &[]).contains(&Kind::Unknown)
        );
    }

    #[test]
    fn variables_set_in_the_script() {
        // An exported variable reaches the command; an unexported one does not.
        assert!(sh("X=1; export PGOPTIONS=$X; psql -X -c 'SELECT 1'").contains(&Kind::Unknown));
        assert_eq!(sh("Q='DROP TABLE t'; psql -X -c 'SELECT 1'"), [Kind::Read]);
        assert!(sh("true && export PGHOST=x; psql -X -c 'SELECT 1'").contains(&Kind::Unknown));
    }

    #[test]
    fn wrappers_read_their_options() {
        assert!(
            kinds_with(
                &["sudo", "-u", "postgres", "psql", "-X", "-c", "SELECT 1"],
                &[],
                &[]
            )
            .contains(&Kind::PrivilegeSwitch)
        );
        for argv in [
            &["sudo", "-s", "psql"][..],
            &["sudo", "-i", "psql"],
            &["sudo", "-A", "psql"],
            &["sudo", "-R", "/tmp", "psql"],
            &["sudo", "--frob", "psql"],
            &["timeout", "--frob", "5", "psql"],
            &["timeout", "soon", "psql"],
            &["nice", "-x", "psql"],
            &["exec", "-a", "-bash", "bash"],
            &["command", "-p", "psql"],
            &["ionice", "-p", "1"],
            &["doas", "--u", "root", "psql"],
            &["ssh", "--o", "x", "db1"],
        ] {
            assert_eq!(kinds_with(argv, &[], &[]), [Kind::Unknown], "{argv:?}");
        }
        assert_eq!(
            kinds_with(
                &[
                    "timeout", "-s", "KILL", "-k", "1", "5s", "nice", "-n", "5", "stdbuf", "-oL",
                    "psql", "-X", "-c", "SELECT 1"
                ],
                &[],
                &[]
            ),
            [Kind::Read]
        );
        assert_eq!(
            kinds_with(&["nice", "-5", "psql", "-X", "-c", "SELECT 1"], &[], &[]),
            [Kind::Read]
        );
        assert!(
            kinds_with(
                &["time", "-o", "/tmp/t", "psql", "-X", "-c", "SELECT 1"],
                &[],
                &[]
            )
            .contains(&Kind::Write)
        );
        assert!(
            kinds_with(&["nohup", "psql", "-X", "-c", "SELECT 1"], &[], &[]).contains(&Kind::Write)
        );
    }

    #[test]
    fn remote_and_container_commands() {
        static CONFIG: &[(&str, &str)] = &[("/h/.ssh/config", "Host *\n  ProxyCommand nc %h %p\n")];
        let argv = ["ssh", "db1", "psql", "-X", "-c", "'SELECT 1'"];
        let c = classify(
            &argv.iter().map(ToString::to_string).collect::<Vec<_>>(),
            &BTreeMap::from([("PGHOST".to_string(), "local.example".to_string())]),
            &Files(&[]),
        );
        let read = c.findings.iter().find(|f| f.kind == Kind::Read).unwrap();
        assert_eq!(read.target.host.as_deref(), Some("db1"));
        for argv in [
            &["ssh", "-o", "ProxyCommand=sh -c 'rm -rf ~'", "db1", "true"][..],
            &["ssh", "db1", "-oLocalCommand=x", "true"],
            &["ssh", "-F", "cfg", "db1", "true"],
            &["ssh", "-J", "jump", "db1", "true"],
            &["ssh", "-W", "h:22", "db1"],
        ] {
            let k = kinds_with(argv, &[], &[]);
            assert_eq!(k, [Kind::Unknown], "{argv:?}");
        }
        let findings = classify(
            &["ssh", "db1", "true"].map(String::from),
            &BTreeMap::from([("HOME".to_string(), "/h".to_string())]),
            &Files(CONFIG),
        );
        assert!(
            findings
                .findings
                .iter()
                .any(|f| f.detail.contains("ProxyCommand"))
        );
        assert!(
            kinds_with(
                &["docker", "exec", "-it", "pg", "psql", "-c", "DROP TABLE t"],
                &[],
                &[]
            )
            .contains(&Kind::DestructiveWrite)
        );
        assert_eq!(
            kinds_with(&["docker", "exec", "--frob", "pg", "psql"], &[], &[]),
            [Kind::Unknown]
        );
        assert_eq!(
            kinds_with(&["docker", "run", "-v", "/:/h", "alpine"], &[], &[]),
            [Kind::Unknown]
        );
        assert_eq!(kinds_with(&["docker", "ps", "-a"], &[], &[]), [Kind::Read]);
        assert_eq!(
            kinds_with(&["kubectl", "exec", "--frob", "p", "--", "psql"], &[], &[]),
            [Kind::Unknown]
        );
        assert!(
            kinds_with(
                &[
                    "kubectl",
                    "exec",
                    "-n",
                    "db",
                    "-c",
                    "pg",
                    "p",
                    "--",
                    "psql",
                    "-c",
                    "DROP TABLE t"
                ],
                &[],
                &[]
            )
            .contains(&Kind::DestructiveWrite)
        );
    }

    #[test]
    fn depth_is_bounded() {
        let mut text = "psql -X -c 'SELECT 1'".to_string();
        for _ in 0..12 {
            text = format!("sh -c {}", super::shell::quote(&text));
        }
        assert!(kinds_with(&["sh", "-c", &text], &[], &[]).contains(&Kind::Unknown));
        let deep = "(".repeat(20_000) + "psql" + &")".repeat(20_000);
        assert_eq!(sh(&deep), [Kind::Unknown]);
        let long = "psql -X -c 'SELECT 1'; ".repeat(5_000);
        assert_eq!(sh(&long), [Kind::Read]);
    }
}
