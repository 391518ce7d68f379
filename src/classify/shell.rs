//! POSIX shell word splitting and quoting, without running a shell. Policy test cases are written as command
//! lines, and the redacted command that reviewers read is shown as one.

/// Why a command line could not be split into words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("unterminated {0} quote")]
    Unterminated(&'static str),
    #[error("trailing backslash")]
    TrailingBackslash,
}

/// Splits a command line the way `sh` would split a simple command: single quotes are literal, double quotes
/// honour `\"`, `\\`, `\$` and `` \` ``, and a backslash outside quotes escapes the next character.
/// No expansion happens: `$HOME` stays `$HOME`.
pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(SplitError::Unterminated("single")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some('\n') => {}
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(SplitError::Unterminated("double")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(SplitError::Unterminated("double")),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => {
                    in_word = true;
                    word.push(c);
                }
                None => return Err(SplitError::TrailingBackslash),
            },
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Quotes one word so that [`split`] (and `sh`) reads it back unchanged.
pub fn quote(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    push_quoted(&mut out, word);
    out
}

fn push_quoted(out: &mut String, word: &str) {
    let plain = !word.is_empty()
        && word.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b'@' | b'%' | b'+' | b',' | b'^'
                )
        });
    if plain {
        out.push_str(word);
    } else {
        out.push('\'');
        for (i, part) in word.split('\'').enumerate() {
            if i > 0 {
                out.push_str(r"'\''");
            }
            out.push_str(part);
        }
        out.push('\'');
    }
}

/// Joins words into one command line, quoting where needed.
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    let mut out = String::with_capacity(words.iter().map(|w| w.as_ref().len() + 3).sum());
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        push_quoted(&mut out, w.as_ref());
    }
    out
}

// ---------------------------------------------------------------------------------------------------------------
// Scripts. `sh -c`, `bash -c`, script files and the hook's Bash commands are read by this parser, which follows
// the POSIX Shell Command Language (XCU §2.3 token recognition, §2.6 word expansions, §2.7 redirection, §2.9
// grammar) and bash 5.2's manual where bash differs. It is deliberately partial: what it does not model exactly
// is an `Err` (the whole script is `unknown`) or a [`Word`] with an `expansion` (that command is `unknown`). It
// never expands anything itself except `$'…'` in bash, which it decodes exactly or refuses.
// ---------------------------------------------------------------------------------------------------------------

/// Which shell's rules a script is read by. `Sh` is whatever `/bin/sh` is: dash on Debian, bash in POSIX mode
/// elsewhere; where they differ gate takes the rule that sees more expansion, or refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    Bash,
    Dash,
    Sh,
}

impl Flavour {
    /// Bash (and so possibly `sh`) performs brace expansion; dash does not.
    fn braces(self) -> bool {
        self != Flavour::Dash
    }
}

/// One word of a command, after quote removal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    /// The word's value when `expansion` is `None`; its source text otherwise.
    pub text: String,
    /// Why the shell would change this word when it runs (parameter expansion, a glob, `~`…).
    pub expansion: Option<String>,
    /// Some part of it was quoted (a quoted here-document delimiter, or a word that is not a reserved word).
    pub quoted: bool,
    /// `NAME=` starts the word, unquoted: the byte length of `NAME`.
    pub assignment: Option<usize>,
}

impl Word {
    /// The literal value, when the shell would not change it.
    pub fn literal(&self) -> Option<&str> {
        self.expansion.is_none().then_some(self.text.as_str())
    }

    fn is_reserved(&self, name: &str) -> bool {
        !self.quoted && self.expansion.is_none() && self.text == name
    }
}

/// A redirection (XCU §2.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The descriptor written before the operator (`2>`), if any.
    pub fd: Option<u32>,
    /// `<`, `>`, `>>`, `>|`, `<>`, `<&`, `>&`, `&>`, `&>>`, `<<`, `<<-`, `<<<`.
    pub op: &'static str,
    pub target: RedirectTarget,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectTarget {
    Word(Word),
    /// A here-document's body; `expanded` when its delimiter was unquoted and so the body is expanded.
    HereDoc {
        body: String,
        expanded: bool,
    },
}

/// A simple command: assignments, words and redirections, in the order the shell applies them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    pub assignments: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Simple(Simple),
    /// `( list )`: runs in a copy of the shell; nothing it changes survives.
    Subshell(Script),
    /// `{ list; }`: runs in this shell.
    Group(Script),
}

/// `[!] command [| command]…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub negated: bool,
    pub commands: Vec<Command>,
}

/// `pipeline [&&|||] pipeline…`, optionally run in the background.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    /// `true` for `&&`, `false` for `||`.
    pub rest: Vec<(bool, Pipeline)>,
    pub background: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub items: Vec<AndOr>,
}

/// How deep `( … )` and `{ … }` may nest before gate stops reading: far beyond real scripts, far below a stack
/// overflow.
pub const MAX_NESTING: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(Word),
    Op(&'static str),
    IoNumber(u32),
    Newline,
}

/// Each here-document's body, by the index of its `<<` token.
type HereDocs = std::collections::BTreeMap<usize, RedirectTarget>;

/// A here-document waiting for its body: which token it belongs to, and how to read it.
struct Pending {
    token: usize,
    delimiter: String,
    strip_tabs: bool,
    quoted: bool,
}

/// Reads shell text into a [`Script`], or says what in it gate does not model.
pub fn parse(text: &str, flavour: Flavour) -> Result<Script, String> {
    let (tokens, heredocs) = tokenize(text, flavour)?;
    let mut p = Parser {
        tokens,
        heredocs,
        at: 0,
        nesting: 0,
        flavour,
    };
    let script = p.list(None)?;
    if p.at < p.tokens.len() {
        return Err(format!("unexpected {}", p.describe(p.at)));
    }
    Ok(script)
}

fn tokenize(text: &str, flavour: Flavour) -> Result<(Vec<Tok>, HereDocs), String> {
    let c: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut heredocs = HereDocs::new();
    let mut pending: Vec<Pending> = Vec::new();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            ' ' | '\t' => i += 1,
            '\\' if c.get(i + 1) == Some(&'\n') => i += 2,
            '\n' => {
                tokens.push(Tok::Newline);
                i += 1;
                for p in pending.drain(..) {
                    let (body, next) = heredoc_body(&c, i, &p);
                    i = next;
                    if !p.quoted && body.contains(['$', '`', '\\']) {
                        return Err(format!(
                            "the here-document ending `{}` has an unquoted delimiter and a body with `$`, \
                             backquotes or backslashes, which the shell expands",
                            p.delimiter
                        ));
                    }
                    heredocs.insert(
                        p.token,
                        RedirectTarget::HereDoc {
                            body,
                            expanded: !p.quoted,
                        },
                    );
                }
            }
            '#' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            ';' => {
                if matches!(c.get(i + 1), Some(';' | '&')) {
                    return Err("`;;` or `;&` (a case statement) is not modelled".into());
                }
                tokens.push(Tok::Op(";"));
                i += 1;
            }
            '&' => {
                let (op, len) = match (c.get(i + 1), c.get(i + 2)) {
                    (Some('&'), _) => ("&&", 2),
                    (Some('>'), Some('>')) => ("&>>", 3),
                    (Some('>'), _) => ("&>", 2),
                    _ => ("&", 1),
                };
                if op.starts_with("&>") && flavour != Flavour::Bash {
                    return Err(
                        "`&>` runs the command in the background in dash but redirects both streams in bash"
                            .into(),
                    );
                }
                tokens.push(Tok::Op(op));
                i += len;
            }
            '|' => {
                let (op, len) = match c.get(i + 1) {
                    Some('|') => ("||", 2),
                    Some('&') => ("|&", 2),
                    _ => ("|", 1),
                };
                tokens.push(Tok::Op(op));
                i += len;
            }
            '(' | ')' => {
                tokens.push(Tok::Op(if c[i] == '(' { "(" } else { ")" }));
                i += 1;
            }
            '<' | '>' => {
                if c.get(i + 1) == Some(&'(') {
                    return Err(
                        "process substitution `<(…)`/`>(…)` runs a command gate cannot see".into(),
                    );
                }
                let rest: String = c[i..(i + 3).min(c.len())].iter().collect();
                let op = ["<<<", "<<-", "<<", "<&", "<>", "<", ">>", ">|", ">&", ">"]
                    .into_iter()
                    .find(|op| rest.starts_with(op))
                    .expect("one operator matches");
                if op == "<<<" && flavour != Flavour::Bash {
                    return Err("`<<<` is a here-string in bash and a syntax error in dash".into());
                }
                tokens.push(Tok::Op(op));
                i += op.len();
                if op.starts_with("<<") && op != "<<<" {
                    while i < c.len() && (c[i] == ' ' || c[i] == '\t') {
                        i += 1;
                    }
                    let (word, next) = read_word(&c, i, flavour)?;
                    i = next;
                    if word.expansion.is_some() || word.text.is_empty() {
                        return Err(format!(
                            "here-document delimiter `{}` is not one gate reads",
                            word.text
                        ));
                    }
                    pending.push(Pending {
                        token: tokens.len() - 1,
                        delimiter: word.text,
                        strip_tabs: op == "<<-",
                        quoted: word.quoted,
                    });
                }
            }
            _ => {
                let (word, next) = read_word(&c, i, flavour)?;
                let is_number = !word.quoted
                    && !word.text.is_empty()
                    && word.text.chars().all(|d| d.is_ascii_digit());
                if is_number && matches!(c.get(next), Some('<' | '>')) {
                    let fd = word
                        .text
                        .parse()
                        .map_err(|_| format!("file descriptor {} is out of range", word.text))?;
                    tokens.push(Tok::IoNumber(fd));
                } else {
                    tokens.push(Tok::Word(word));
                }
                i = next;
            }
        }
    }
    // Bash and dash take a here-document the script never ends as running to the end of the text.
    for p in pending {
        let (body, _) = heredoc_body(&c, c.len(), &p);
        if !p.quoted && body.contains(['$', '`', '\\']) {
            return Err("an unquoted here-document body is expanded by the shell".into());
        }
        heredocs.insert(
            p.token,
            RedirectTarget::HereDoc {
                body,
                expanded: !p.quoted,
            },
        );
    }
    Ok((tokens, heredocs))
}

/// The lines of a here-document from `i` up to its delimiter line, and where the text after it starts.
fn heredoc_body(c: &[char], mut i: usize, p: &Pending) -> (String, usize) {
    let mut body = String::new();
    while i < c.len() {
        let end = c[i..]
            .iter()
            .position(|&x| x == '\n')
            .map_or(c.len(), |n| i + n);
        let mut line: &[char] = &c[i..end];
        if p.strip_tabs {
            while let [first, rest @ ..] = line
                && *first == '\t'
            {
                line = rest;
            }
        }
        i = (end + 1).min(c.len());
        if line.iter().copied().eq(p.delimiter.chars()) {
            return (body, i);
        }
        body.extend(line);
        body.push('\n');
    }
    (body, c.len())
}

/// Whether `c` ends an unquoted word (XCU §2.3: blanks and the operator characters).
fn ends_word(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')'
    )
}

/// Reads one word starting at `i`: its value after quote removal, and whatever expansion the shell would do.
fn read_word(c: &[char], mut i: usize, flavour: Flavour) -> Result<(Word, usize), String> {
    let start = i;
    let mut w = Word::default();
    let mut expansion: Option<String> = None;
    // Every character so far was unquoted and could be part of a name: an `=` now makes an assignment.
    let mut plain_name = true;
    let mut open_brace = false;
    let mut prev_unquoted: Option<char> = None;
    let mark = |e: &mut Option<String>, why: String| {
        if e.is_none() {
            *e = Some(why);
        }
    };
    while i < c.len() && !ends_word(c[i]) {
        let ch = c[i];
        let mut unquoted = None;
        match ch {
            '\'' => {
                w.quoted = true;
                let end = c[i + 1..]
                    .iter()
                    .position(|&x| x == '\'')
                    .ok_or("unterminated single quote")?;
                w.text.extend(&c[i + 1..i + 1 + end]);
                i += end + 2;
            }
            '"' => {
                w.quoted = true;
                i += 1;
                loop {
                    match c.get(i) {
                        None => return Err("unterminated double quote".into()),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => match c.get(i + 1) {
                            Some('\n') => i += 2,
                            Some(&n @ ('$' | '`' | '"' | '\\')) => {
                                w.text.push(n);
                                i += 2;
                            }
                            _ => {
                                w.text.push('\\');
                                i += 1;
                            }
                        },
                        Some('`') => return Err(substitution()),
                        Some('$') => {
                            let (why, next) = dollar(c, i, true, flavour, &mut w.text)?;
                            if let Some(why) = why {
                                mark(&mut expansion, why);
                            }
                            i = next;
                        }
                        Some(&other) => {
                            w.text.push(other);
                            i += 1;
                        }
                    }
                }
            }
            '\\' => match c.get(i + 1) {
                Some('\n') => i += 2,
                Some(&n) => {
                    w.quoted = true;
                    w.text.push(n);
                    i += 2;
                }
                None => {
                    w.text.push('\\');
                    i += 1;
                }
            },
            '`' => return Err(substitution()),
            '$' => {
                if c.get(i + 1) == Some(&'\'') && flavour == Flavour::Bash {
                    w.quoted = true;
                    i = ansi_c(c, i + 2, &mut w.text, &mut expansion)?;
                } else {
                    let (why, next) = dollar(c, i, false, flavour, &mut w.text)?;
                    if let Some(why) = why {
                        mark(&mut expansion, why);
                    }
                    i = next;
                }
            }
            _ => {
                unquoted = Some(ch);
                w.text.push(ch);
                i += 1;
            }
        }
        if let Some(ch) = unquoted {
            match ch {
                '*' | '?' | '[' => mark(
                    &mut expansion,
                    format!("pathname expansion: unquoted `{ch}` is a glob"),
                ),
                '~' if prev_unquoted.is_none() && i - 1 == start
                    || matches!(prev_unquoted, Some('=' | ':')) =>
                {
                    mark(
                        &mut expansion,
                        "tilde expansion: an unquoted `~` names a home directory".into(),
                    );
                }
                '{' if flavour.braces() => open_brace = true,
                '}' if open_brace => mark(
                    &mut expansion,
                    "brace expansion: bash turns `{…}` into several words".into(),
                ),
                '=' if plain_name && w.assignment.is_none() => {
                    let name = &w.text[..w.text.len() - 1];
                    if is_name(name) {
                        w.assignment = Some(name.len());
                    }
                }
                _ => {}
            }
            if !(ch == '_' || ch.is_ascii_alphanumeric()) {
                plain_name = false;
            }
        } else {
            plain_name = false;
        }
        prev_unquoted = unquoted;
    }
    if let Some(why) = expansion {
        w.expansion = Some(why);
        w.text = c[start..i].iter().collect();
    }
    Ok((w, i))
}

fn substitution() -> String {
    "command substitution (`$(…)` or backquotes) runs a command gate cannot see".into()
}

/// A shell variable name (XCU §3.235).
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// `$` at `i`: an expansion (the reason, and where it ends), or a literal `$` pushed onto `out`.
fn dollar(
    c: &[char],
    i: usize,
    in_double_quotes: bool,
    flavour: Flavour,
    out: &mut String,
) -> Result<(Option<String>, usize), String> {
    match c.get(i + 1) {
        Some('(') => Err(
            "command substitution `$(…)` or arithmetic `$((…))` runs at run time, which gate cannot see".into(),
        ),
        Some('{') => {
            let end = c[i + 2..].iter().position(|&x| x == '}');
            match end {
                Some(n)
                    if n > 0
                        && c[i + 2..i + 2 + n]
                            .iter()
                            .all(|&x| x == '_' || x.is_ascii_alphanumeric()) =>
                {
                    Ok((
                        Some(format!(
                            "parameter expansion `${{{}}}`",
                            c[i + 2..i + 2 + n].iter().collect::<String>()
                        )),
                        i + 3 + n,
                    ))
                }
                _ => Err("parameter expansion `${…}` with an operator is not modelled".into()),
            }
        }
        Some(&n) if n == '_' || n.is_ascii_alphabetic() => {
            let len = c[i + 1..]
                .iter()
                .take_while(|&&x| x == '_' || x.is_ascii_alphanumeric())
                .count();
            let name: String = c[i + 1..i + 1 + len].iter().collect();
            Ok((Some(format!("parameter expansion `${name}`")), i + 1 + len))
        }
        Some(&n) if n.is_ascii_digit() || "@*#?-$!".contains(n) => {
            Ok((Some(format!("parameter expansion `${n}`")), i + 2))
        }
        Some('\'' | '"') if !in_double_quotes => {
            if flavour == Flavour::Dash && c[i + 1] == '\'' {
                // dash 0.5.12 has no `$'…'`: a plain `$` and then a single-quoted string.
                out.push('$');
                return Ok((None, i + 1));
            }
            let quote = c[i + 1];
            let mut j = i + 2;
            while j < c.len() && c[j] != quote {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            let why = if quote == '"' {
                "locale quoting `$\"…\"` translates the string at run time"
            } else {
                "ANSI-C quoting `$'…'` means different things to dash and bash"
            };
            Ok((Some(why.into()), (j + 1).min(c.len())))
        }
        _ => {
            out.push('$');
            Ok((None, i + 1))
        }
    }
}

/// Decodes bash's `$'…'` from `i` (just after the quote) onto `out`, as bash 5.2's `ansicstr` does. Escapes whose
/// result depends on the locale (a byte or code point above 0x7f) or that produce NUL (which ends a C string) are
/// marked as expansions instead.
fn ansi_c(
    c: &[char],
    mut i: usize,
    out: &mut String,
    expansion: &mut Option<String>,
) -> Result<usize, String> {
    let mut refuse = |why: &str| {
        if expansion.is_none() {
            *expansion = Some(format!("ANSI-C quoting: {why}"));
        }
    };
    loop {
        let Some(&ch) = c.get(i) else {
            return Err("unterminated `$'…'`".into());
        };
        i += 1;
        if ch == '\'' {
            return Ok(i);
        }
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let Some(&esc) = c.get(i) else {
            return Err("unterminated `$'…'`".into());
        };
        i += 1;
        let simple = match esc {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'e' | 'E' => Some('\x1b'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            '\\' | '\'' | '"' | '?' => Some(esc),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        let (radix, max) = match esc {
            '0'..='7' => (8, 3),
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            'c' => {
                match c.get(i) {
                    Some(&ctl) if ctl.is_ascii_alphabetic() || "@[]^_?".contains(ctl) => {
                        i += 1;
                        let code = if ctl == '?' {
                            0x7f
                        } else {
                            u32::from(ctl.to_ascii_uppercase()) & 0x1f
                        };
                        if code == 0 {
                            refuse("`\\c@` is NUL");
                        } else {
                            out.push(char::from_u32(code).expect("ASCII"));
                        }
                    }
                    _ => refuse("`\\c` with this character is not modelled"),
                }
                continue;
            }
            other => {
                out.push('\\');
                out.push(other);
                continue;
            }
        };
        let digits_from = if radix == 8 { i - 1 } else { i };
        let digits: String = c[digits_from..]
            .iter()
            .take(max)
            .take_while(|d| d.is_digit(radix))
            .collect();
        if digits.is_empty() {
            out.push('\\');
            out.push(esc);
            continue;
        }
        i = digits_from + digits.chars().count();
        let value = u32::from_str_radix(&digits, radix).unwrap_or(u32::MAX);
        match value {
            0 => refuse("a NUL escape ends the string"),
            1..=0x7f => out.push(char::from_u32(value).expect("ASCII")),
            _ => refuse("escapes above 0x7f depend on the locale"),
        }
    }
}

struct Parser {
    tokens: Vec<Tok>,
    heredocs: HereDocs,
    at: usize,
    nesting: usize,
    flavour: Flavour,
}

/// Reserved words that start or belong to compound commands gate does not model (XCU §2.4; bash adds the rest).
const CONTROL_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "in", "function", "select", "coproc", "[[", "]]", "}",
];

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }

    fn describe(&self, at: usize) -> String {
        match self.tokens.get(at) {
            Some(Tok::Word(w)) => format!("`{}`", w.text),
            Some(Tok::Op(op)) => format!("`{op}`"),
            Some(Tok::IoNumber(n)) => format!("`{n}`"),
            Some(Tok::Newline) => "newline".into(),
            None => "end of text".into(),
        }
    }

    fn skip_newlines(&mut self) {
        while self.peek() == Some(&Tok::Newline) {
            self.at += 1;
        }
    }

    /// A list of and-or lists, up to `end` (`)` or the word `}`) or the end of the text.
    fn list(&mut self, end: Option<&str>) -> Result<Script, String> {
        let mut script = Script::default();
        loop {
            self.skip_newlines();
            match self.peek() {
                None => break,
                Some(Tok::Op(")")) if end == Some(")") => break,
                Some(Tok::Word(w)) if end == Some("}") && w.is_reserved("}") => break,
                _ => {}
            }
            let mut item = self.and_or()?;
            match self.peek() {
                Some(Tok::Op("&")) => {
                    item.background = true;
                    self.at += 1;
                }
                Some(Tok::Op(";") | Tok::Newline) => self.at += 1,
                None => {}
                Some(Tok::Op(")")) if end == Some(")") => {}
                Some(_) => return Err(format!("unexpected {}", self.describe(self.at))),
            }
            script.items.push(item);
        }
        Ok(script)
    }

    fn and_or(&mut self) -> Result<AndOr, String> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        while let Some(Tok::Op(op @ ("&&" | "||"))) = self.peek() {
            let and = *op == "&&";
            self.at += 1;
            self.skip_newlines();
            rest.push((and, self.pipeline()?));
        }
        Ok(AndOr {
            first,
            rest,
            background: false,
        })
    }

    fn pipeline(&mut self) -> Result<Pipeline, String> {
        let mut negated = false;
        while let Some(Tok::Word(w)) = self.peek()
            && w.is_reserved("!")
        {
            negated = !negated;
            self.at += 1;
        }
        let mut commands = vec![self.command()?];
        while let Some(Tok::Op("|" | "|&")) = self.peek() {
            self.at += 1;
            self.skip_newlines();
            commands.push(self.command()?);
        }
        Ok(Pipeline { negated, commands })
    }

    fn command(&mut self) -> Result<Command, String> {
        match self.peek() {
            Some(Tok::Op("(")) => {
                if self.flavour != Flavour::Dash
                    && self.tokens.get(self.at + 1) == Some(&Tok::Op("("))
                {
                    // bash's `(( … ))` is arithmetic, which evaluates variables' values as expressions and
                    // expands `$(…)` in array subscripts.
                    return Err("`((`: bash arithmetic is not modelled".into());
                }
                self.at += 1;
                let inner = self.nested(")")?;
                Ok(Command::Subshell(inner))
            }
            Some(Tok::Word(w)) if w.is_reserved("{") => {
                self.at += 1;
                let inner = self.nested("}")?;
                Ok(Command::Group(inner))
            }
            Some(Tok::Word(w))
                if !w.quoted
                    && w.expansion.is_none()
                    && CONTROL_WORDS.contains(&w.text.as_str())
                    && (self.flavour != Flavour::Dash
                        || !["function", "select", "coproc", "[[", "]]"]
                            .contains(&w.text.as_str())) =>
            {
                Err(format!(
                    "`{}`: gate does not model the shell's control structures",
                    w.text
                ))
            }
            _ => self.simple().map(Command::Simple),
        }
    }

    /// The inside of `( … )` or `{ … }`, and its closing token. Redirections after it are not modelled.
    fn nested(&mut self, end: &str) -> Result<Script, String> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(format!(
                "subshells and groups nest more than {MAX_NESTING} deep"
            ));
        }
        let inner = self.list(Some(end))?;
        let closed = match self.peek() {
            Some(Tok::Op(")")) => end == ")",
            Some(Tok::Word(w)) => end == "}" && w.is_reserved("}"),
            _ => false,
        };
        if !closed {
            return Err(format!("`{end}` is missing"));
        }
        self.at += 1;
        self.nesting -= 1;
        if inner.items.is_empty() {
            return Err("an empty subshell or group".into());
        }
        if matches!(self.peek(), Some(Tok::Op(op)) if op.contains(['<', '>']))
            || matches!(self.peek(), Some(Tok::IoNumber(_)))
        {
            return Err("redirections on a subshell or group are not modelled".into());
        }
        if let Some(Tok::Word(_) | Tok::Op("(")) = self.peek() {
            return Err(format!(
                "unexpected {} after `{end}`",
                self.describe(self.at)
            ));
        }
        Ok(inner)
    }

    fn simple(&mut self) -> Result<Simple, String> {
        let mut cmd = Simple::default();
        loop {
            match self.peek().cloned() {
                Some(Tok::Word(w)) => {
                    self.at += 1;
                    if cmd.words.is_empty()
                        && let Some(n) = w.assignment
                    {
                        let name = w.text[..n].to_string();
                        let value = match &w.expansion {
                            None => Word {
                                text: w.text[n + 1..].to_string(),
                                ..w.clone()
                            },
                            Some(_) => w.clone(),
                        };
                        cmd.assignments.push((name, value));
                    } else {
                        cmd.words.push(w);
                    }
                }
                Some(Tok::IoNumber(fd)) => {
                    self.at += 1;
                    let Some(Tok::Op(op)) = self.peek().cloned() else {
                        return Err("a descriptor number without a redirection".into());
                    };
                    cmd.redirects.push(self.redirect(Some(fd), op)?);
                }
                Some(Tok::Op(op)) if op.contains(['<', '>']) => {
                    cmd.redirects.push(self.redirect(None, op)?);
                }
                Some(Tok::Op("(")) => {
                    return Err(
                        "`(` after a word: a function definition or an extended glob, which gate does not model"
                            .into(),
                    );
                }
                _ => break,
            }
        }
        if cmd.words.is_empty() && cmd.assignments.is_empty() && cmd.redirects.is_empty() {
            return Err(format!("unexpected {}", self.describe(self.at)));
        }
        Ok(cmd)
    }

    fn redirect(&mut self, fd: Option<u32>, op: &'static str) -> Result<Redirect, String> {
        let op_at = self.at;
        self.at += 1;
        if op.starts_with("<<") && op != "<<<" {
            let target = self
                .heredocs
                .remove(&op_at)
                .ok_or("a here-document without a body")?;
            return Ok(Redirect { fd, op, target });
        }
        match self.peek().cloned() {
            Some(Tok::Word(w)) => {
                self.at += 1;
                Ok(Redirect {
                    fd,
                    op,
                    target: RedirectTarget::Word(w),
                })
            }
            _ => Err(format!("`{op}` without a file")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_sh() {
        assert_eq!(
            split("pg_dump -h db app").unwrap(),
            ["pg_dump", "-h", "db", "app"]
        );
        assert_eq!(
            split(r"psql -c 'SELECT 1; SELECT 2'").unwrap(),
            ["psql", "-c", "SELECT 1; SELECT 2"]
        );
        assert_eq!(
            split(r#"a "b \"c\" $d" e\ f"#).unwrap(),
            ["a", r#"b "c" $d"#, "e f"]
        );
        assert_eq!(split("a '' b").unwrap(), ["a", "", "b"]);
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(
            split("a 'b").unwrap_err(),
            SplitError::Unterminated("single")
        );
        assert_eq!(
            split("a \"b").unwrap_err(),
            SplitError::Unterminated("double")
        );
        assert_eq!(split("a \\").unwrap_err(), SplitError::TrailingBackslash);
    }

    #[test]
    fn quote_round_trips() {
        for w in ["plain", "", "it's", "a b", "$HOME", "x;rm -rf /", "\n", "é"] {
            assert_eq!(split(&quote(w)).unwrap(), [w], "{w:?}");
        }
        assert_eq!(join(&["psql", "-c", "SELECT 1"]), "psql -c 'SELECT 1'");
    }
    fn words_of(text: &str, flavour: Flavour) -> Vec<Word> {
        let script = parse(text, flavour).unwrap();
        match &script.items[0].first.commands[0] {
            Command::Simple(s) => s.words.clone(),
            other => panic!("not simple: {other:?}"),
        }
    }

    #[test]
    fn literal_words_come_back_without_quotes() {
        let w = words_of(r#"psql -X -c 'SELECT 1' "a b" c\ d"#, Flavour::Sh);
        let texts: Vec<_> = w.iter().map(|w| w.literal().unwrap()).collect();
        assert_eq!(texts, ["psql", "-X", "-c", "SELECT 1", "a b", "c d"]);
    }

    #[test]
    fn every_expansion_is_marked() {
        for (text, flavour) in [
            ("psql -c \"DELETE FROM t WHERE id=$ID\"", Flavour::Sh),
            ("psql -c $Q", Flavour::Dash),
            ("psql -c \"$1\"", Flavour::Bash),
            ("psql -c \"$@\"", Flavour::Bash),
            ("psql -c ${Q}", Flavour::Bash),
            ("psql -f *.sql", Flavour::Dash),
            ("psql -f q?.sql", Flavour::Sh),
            ("psql -f [ab].sql", Flavour::Sh),
            ("psql -f ~/q.sql", Flavour::Dash),
            ("psql -v x=~/q", Flavour::Bash),
            ("psql -f {a,b}.sql", Flavour::Bash),
            ("psql -f {1..3}.sql", Flavour::Sh),
            ("psql -c $\"SELECT 1\"", Flavour::Bash),
            ("psql -c $'SELECT 1'", Flavour::Sh),
            ("psql -c $'\\u00e9'", Flavour::Bash),
            ("psql -c $'\\0'", Flavour::Bash),
        ] {
            let words = words_of(text, flavour);
            assert!(
                words.iter().any(|w| w.expansion.is_some()),
                "{text} ({flavour:?}): {words:?}"
            );
        }
        // dash has no brace expansion, and reads `$'…'` as `$` and a quoted string.
        let w = words_of("psql -f {a,b}.sql -c $'x'", Flavour::Dash);
        assert_eq!(w[2].literal(), Some("{a,b}.sql"));
        assert_eq!(w[4].literal(), Some("$x"));
        // A `$` that starts nothing is literal.
        assert_eq!(
            words_of("echo a$ '$'", Flavour::Sh)[1].literal(),
            Some("a$")
        );
    }

    #[test]
    fn code_that_runs_at_expansion_time_refuses_the_script() {
        for text in [
            "psql -c \"$(cat q.sql)\"",
            "psql -c `cat q.sql`",
            "psql -c $((1+1))",
            "psql -f <(echo DROP)",
            "psql -c \"${Q:-DROP TABLE t}\"",
            "psql <<EOF\n$(rm -rf ~)\nEOF",
            "psql <<EOF\nDROP \\\nEOF",
            "if true; then psql; fi",
            "psql() { rm -rf ~; }; psql -c 'SELECT 1'",
            "for x in a; do psql; done",
            "case x in x) psql;; esac",
            "f(){ :; }",
        ] {
            assert!(parse(text, Flavour::Bash).is_err(), "{text}");
        }
    }

    #[test]
    fn ansi_c_quoting_decodes_as_bash_does() {
        // Checked against bash 5.2.15: printf %s $'…' | od -c
        let w = words_of(r"x $'a\q\x41\cA\101\e\t\'\n'", Flavour::Bash);
        assert_eq!(w[1].literal(), Some("a\\qA\u{1}A\u{1b}\t'\n"));
        let w = words_of(r#"x $'\x' $'\u41' $'\c?' $'\"\?'"#, Flavour::Bash);
        let texts: Vec<_> = w[1..].iter().map(|w| w.literal().unwrap()).collect();
        assert_eq!(texts, ["\\x", "A", "\u{7f}", "\"?"]);
    }

    #[test]
    fn structure_and_redirections() {
        let script = parse(
            "cd /tmp && psql -f q.sql > out 2>&1 || echo no; psql <<'E' | cat &\nDROP $x;\nE\n",
            Flavour::Bash,
        )
        .unwrap();
        assert_eq!(script.items.len(), 2);
        assert_eq!(script.items[0].rest.len(), 2);
        assert!(script.items[1].background);
        let Command::Simple(psql) = &script.items[1].first.commands[0] else {
            panic!()
        };
        assert_eq!(
            psql.redirects[0].target,
            RedirectTarget::HereDoc {
                body: "DROP $x;\n".into(),
                expanded: false
            }
        );
        let Command::Simple(first) = &script.items[0].rest[0].1.commands[0] else {
            panic!()
        };
        assert_eq!(first.redirects.len(), 2);
        assert_eq!(first.redirects[1].fd, Some(2));
        let script = parse("X=1 Y='a b' psql", Flavour::Sh).unwrap();
        let Command::Simple(s) = &script.items[0].first.commands[0] else {
            panic!()
        };
        assert_eq!(s.assignments[1].0, "Y");
        assert_eq!(s.assignments[1].1.literal(), Some("a b"));
        // `'X'=1` is a command name, not an assignment.
        let script = parse("'X'=1 psql", Flavour::Sh).unwrap();
        let Command::Simple(s) = &script.items[0].first.commands[0] else {
            panic!()
        };
        assert!(s.assignments.is_empty());
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = "(".repeat(20_000) + "psql" + &")".repeat(20_000);
        assert!(parse(&deep, Flavour::Bash).is_err());
        let braces = "{ ".repeat(20_000) + "psql" + &"; }".repeat(20_000);
        assert!(parse(&braces, Flavour::Bash).is_err());
        assert!(parse("( { psql; } )", Flavour::Bash).is_ok());
        assert!(parse("((x))", Flavour::Bash).is_err());
        assert!(parse("( (psql) )", Flavour::Dash).is_ok());
    }
}
