//! SQL lexers that follow each server's own rules, because a lexer that disagrees with the server by one byte
//! hides statements: a string gate thinks ends where the server thinks it goes on, a comment gate thinks starts
//! where the server sees SQL. The PostgreSQL rules are those of PostgreSQL's `scan.l` and psql's `psqlscan.l`
//! (PostgreSQL 15): bytes ≥ 0x80 are identifier characters, identifiers may contain `$` after their first byte,
//! `E''` strings take backslash escapes, `U&''`/`U&""`, `B''`, `X''`, `N''`, dollar quotes whose tag is an
//! identifier without `$`, nested `/* */` comments, `--` comments to `\n` or `\r`, string continuation across a
//! newline, and operators that may not end in `+`/`-`. MySQL, SQLite and ClickHouse get their own quoting and
//! comment rules; what gate does not model for them is reported as a [`Lexed::problem`].
//!
//! The lexer never fails: whatever it cannot make sense of becomes [`Token::Other`].

/// Which lexical rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    pub dialect: LexDialect,
    /// PostgreSQL `standard_conforming_strings`, MySQL without `NO_BACKSLASH_ESCAPES`: whether a plain `'…'`
    /// string takes backslash escapes. `false` is PostgreSQL's default (on).
    pub backslash_in_plain: bool,
    /// psql: `:name`, `:'name'`, `:"name"` and `:{?name}` are variable references.
    pub psql: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LexDialect {
    Postgres,
    MySql,
    Sqlite,
    ClickHouse,
}

impl Rules {
    pub const POSTGRES: Rules = Rules {
        dialect: LexDialect::Postgres,
        backslash_in_plain: false,
        psql: false,
    };
    pub const PSQL: Rules = Rules {
        dialect: LexDialect::Postgres,
        backslash_in_plain: false,
        psql: true,
    };
    pub const MYSQL: Rules = Rules {
        dialect: LexDialect::MySql,
        backslash_in_plain: true,
        psql: false,
    };
    pub const SQLITE: Rules = Rules {
        dialect: LexDialect::Sqlite,
        backslash_in_plain: false,
        psql: false,
    };
    pub const CLICKHOUSE: Rules = Rules {
        dialect: LexDialect::ClickHouse,
        backslash_in_plain: true,
        psql: false,
    };
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// An unquoted word, ASCII-lowercased (PostgreSQL folds only ASCII letters).
    Word(String),
    /// A quoted identifier (`"…"`, `U&"…"`, MySQL/ClickHouse `` `…` ``, SQLite `[…]`), as written between the
    /// quotes.
    Ident(String),
    /// A string literal of any form, its contents (escapes are not decoded).
    Str(String),
    Number(String),
    /// A positional or named parameter: `$1`, `?`, SQLite `:a`/`@a`/`$a`.
    Param(String),
    /// An operator: a run of operator characters, cut where PostgreSQL cuts it.
    Op(String),
    /// One of `( ) [ ] , ; . :` and `::`-free single punctuation.
    Punct(char),
    /// `::` (a PostgreSQL cast).
    Cast,
    /// A psql variable reference (`:name`, `:'name'`, `:"name"`, `:{?name}`), its name.
    Var(String),
    /// Anything else, such as a backslash.
    Other(char),
}

impl Token {
    pub fn is_word(&self, w: &str) -> bool {
        matches!(self, Token::Word(x) if x == w)
    }

    pub fn word(&self) -> Option<&str> {
        match self {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }

    /// An identifier-like token: a bare word or a quoted identifier.
    pub fn name(&self) -> Option<&str> {
        match self {
            Token::Word(w) | Token::Ident(w) => Some(w),
            _ => None,
        }
    }

    /// The token with the contents of literals and quoted names blanked: what must agree between two ways of
    /// lexing the same text for both to mean the same statements.
    fn skeleton(&self) -> Token {
        match self {
            Token::Str(_) => Token::Str(String::new()),
            Token::Ident(_) => Token::Ident(String::new()),
            t => t.clone(),
        }
    }
}

/// One token and where it is in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned {
    pub token: Token,
    pub start: usize,
    pub end: usize,
}

/// Deepest parenthesis or bracket nesting gate follows. The parsers recurse per level, so deeper text is
/// `unknown` before it reaches them.
pub const MAX_NESTING: usize = 200;

/// The longest run of tokens gate lets a parser see without a comma at the same nesting level (nested groups
/// count with all their tokens). Chains such as `NOT NOT …`, `EXPLAIN EXPLAIN …` or `1 + 1 + …` make both
/// parsers recurse once per link; lists (`IN (…)`, `VALUES (…), (…)`) do not, and reset the run.
pub const MAX_RUN: usize = 8000;

/// A lexed text.
#[derive(Clone, Debug, Default)]
pub struct Lexed {
    pub tokens: Vec<Spanned>,
    /// The deepest `(`/`[` nesting seen.
    pub max_depth: usize,
    /// The longest comma-free run (see [`MAX_RUN`]).
    pub longest_run: usize,
    /// A string literal whose end depends on the backslash rule (a backslash inside a plain `'…'` string).
    pub backslash_sensitive: bool,
    /// Something in the text that gate's lexer does not model for this dialect.
    pub problem: Option<String>,
}

impl Lexed {
    pub fn plain(&self) -> Vec<Token> {
        self.tokens.iter().map(|s| s.token.clone()).collect()
    }
}

fn ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn ident_cont(b: u8, dialect: LexDialect) -> bool {
    ident_start(b) || b.is_ascii_digit() || (b == b'$' && dialect != LexDialect::ClickHouse)
}

fn is_space(b: u8) -> bool {
    // scan.l: space [ \t\n\r\f]. \v is not SQL whitespace in PostgreSQL 15.
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

const OP_CHARS: &[u8] = b"~!@#^&|`?+-*/%<>=";

/// Lexes a whole text.
pub fn lex(text: &str, rules: Rules) -> Lexed {
    let mut lexer = Lexer::new(text, rules, 0);
    let mut out = Lexed::default();
    let mut depth = 0usize;
    // One run counter per open nesting level.
    let mut runs: Vec<usize> = vec![0];
    while let Some(t) = lexer.next_token() {
        match t.token {
            Token::Punct('(' | '[') => {
                depth += 1;
                out.max_depth = out.max_depth.max(depth);
                runs.push(0);
            }
            Token::Punct(')' | ']') => {
                depth = depth.saturating_sub(1);
                if runs.len() > 1 {
                    let inner = runs.pop().unwrap_or(0);
                    if let Some(outer) = runs.last_mut() {
                        *outer += inner + 2;
                    }
                }
            }
            Token::Punct(',' | ';') => {
                if let Some(r) = runs.last_mut() {
                    *r = 0;
                }
            }
            _ => {
                if let Some(r) = runs.last_mut() {
                    *r += 1;
                }
            }
        }
        if let Some(&r) = runs.last() {
            out.longest_run = out.longest_run.max(r);
        }
        out.tokens.push(t);
    }
    out.backslash_sensitive = lexer.backslash_sensitive;
    out.problem = lexer.problem;
    out
}

/// Whether the text means the same tokens whichever way a plain string treats backslashes. The server's setting
/// (`standard_conforming_strings`, MySQL's `NO_BACKSLASH_ESCAPES`) is not something gate can see, so a text whose
/// statements depend on it is one gate cannot read.
pub fn backslash_ambiguous(text: &str, rules: Rules, lexed: &Lexed) -> bool {
    if !lexed.backslash_sensitive {
        return false;
    }
    let other = lex(
        text,
        Rules {
            backslash_in_plain: !rules.backslash_in_plain,
            ..rules
        },
    );
    other.tokens.len() != lexed.tokens.len()
        || other
            .tokens
            .iter()
            .zip(&lexed.tokens)
            .any(|(a, b)| a.token.skeleton() != b.token.skeleton())
}

/// A restartable lexer over a text.
pub struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pub pos: usize,
    rules: Rules,
    pub backslash_sensitive: bool,
    pub problem: Option<String>,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str, rules: Rules, pos: usize) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos,
            rules,
            backslash_sensitive: false,
            problem: None,
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn note(&mut self, problem: impl Into<String>) {
        if self.problem.is_none() {
            self.problem = Some(problem.into());
        }
    }

    fn slice(&self, a: usize, b: usize) -> String {
        // Spans always fall on ASCII bytes or the ends of the text, so they are char boundaries; lossy keeps
        // this total anyway.
        String::from_utf8_lossy(&self.bytes[a..b.min(self.bytes.len())]).into_owned()
    }

    /// Skips whitespace and comments; returns false at the end of the text.
    fn skip_trivia(&mut self) -> bool {
        let d = self.rules.dialect;
        loop {
            let Some(b) = self.at(self.pos) else {
                return false;
            };
            let next = self.at(self.pos + 1);
            if is_space(b) || (d != LexDialect::Postgres && b.is_ascii_whitespace()) {
                self.pos += 1;
            } else if b == b'-' && next == Some(b'-') && self.dash_comment_here() {
                while let Some(c) = self.at(self.pos) {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else if b == b'#' && d == LexDialect::MySql {
                while let Some(c) = self.at(self.pos) {
                    if c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else if b == b'#' && d == LexDialect::ClickHouse {
                self.note("`#` (ClickHouse reads some as comments; gate does not model which)");
                return true;
            } else if b == b'/' && next == Some(b'*') {
                self.block_comment();
            } else {
                return true;
            }
        }
    }

    /// MySQL needs whitespace or a control character after `--`; the others take `--` alone.
    fn dash_comment_here(&self) -> bool {
        if self.rules.dialect != LexDialect::MySql {
            return true;
        }
        self.at(self.pos + 2).is_none_or(|c| c <= b' ')
    }

    fn block_comment(&mut self) {
        let d = self.rules.dialect;
        let start = self.pos;
        if d == LexDialect::MySql && matches!(self.at(self.pos + 2), Some(b'!')) {
            self.note("a MySQL executable comment `/*! … */` (MySQL runs its contents)");
        }
        if d == LexDialect::MySql
            && self.at(self.pos + 2) == Some(b'M')
            && self.at(self.pos + 3) == Some(b'!')
        {
            self.note("a MariaDB executable comment `/*M! … */`");
        }
        self.pos += 2;
        let mut depth = 1usize;
        while let Some(c) = self.at(self.pos) {
            if c == b'*' && self.at(self.pos + 1) == Some(b'/') {
                self.pos += 2;
                depth -= 1;
                if depth == 0 {
                    return;
                }
            } else if c == b'/' && self.at(self.pos + 1) == Some(b'*') {
                // Only PostgreSQL nests comments; MySQL and SQLite end at the first `*/`.
                match d {
                    LexDialect::Postgres => {
                        depth += 1;
                        self.pos += 2;
                    }
                    LexDialect::ClickHouse => {
                        self.note("a nested `/*` comment in ClickHouse SQL");
                        self.pos += 2;
                    }
                    _ => self.pos += 1,
                }
            } else {
                self.pos += 1;
            }
        }
        let _ = start;
    }

    /// The next token, or `None` at the end.
    pub fn next_token(&mut self) -> Option<Spanned> {
        if !self.skip_trivia() {
            return None;
        }
        let start = self.pos;
        let token = self.token();
        debug_assert!(self.pos > start);
        Some(Spanned {
            token,
            start,
            end: self.pos,
        })
    }

    #[allow(clippy::too_many_lines)]
    fn token(&mut self) -> Token {
        let d = self.rules.dialect;
        let b = self.bytes[self.pos];
        let next = self.at(self.pos + 1);
        let lower = b.to_ascii_lowercase();
        // Prefixed literals: only when the letter starts the token (an identifier `xe` followed by a quote is an
        // identifier and a plain string).
        if d == LexDialect::Postgres {
            match (lower, next) {
                (b'e', Some(b'\'')) => {
                    self.pos += 1;
                    return self.string(true);
                }
                (b'b' | b'x' | b'n', Some(b'\'')) => {
                    self.pos += 1;
                    return self.string(self.rules.backslash_in_plain && lower == b'n');
                }
                (b'u', Some(b'&')) => match self.at(self.pos + 2) {
                    Some(b'\'') => {
                        self.pos += 2;
                        let s = self.string(false);
                        self.uescape();
                        return s;
                    }
                    Some(b'"') => {
                        self.pos += 2;
                        let s = self.quoted_ident(b'"', false);
                        self.uescape();
                        return s;
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        if matches!(
            d,
            LexDialect::MySql | LexDialect::Sqlite | LexDialect::ClickHouse
        ) && matches!(lower, b'x' | b'b' | b'n')
            && next == Some(b'\'')
        {
            self.pos += 1;
            return self.string(self.rules.backslash_in_plain && lower == b'n');
        }
        if ident_start(b) {
            let s = self.pos;
            while self.at(self.pos).is_some_and(|c| ident_cont(c, d)) {
                self.pos += 1;
            }
            return Token::Word(self.slice(s, self.pos).to_ascii_lowercase());
        }
        if b.is_ascii_digit() || (b == b'.' && next.is_some_and(|c| c.is_ascii_digit())) {
            return self.number();
        }
        match b {
            b'\'' => self.plain_string(),
            b'"' => match d {
                LexDialect::Postgres | LexDialect::Sqlite => self.quoted_ident(b'"', false),
                LexDialect::ClickHouse => self.quoted_ident(b'"', true),
                // MySQL: a string unless ANSI_QUOTES; the boundaries differ with backslashes, and the
                // ambiguity check compares both readings.
                LexDialect::MySql => self.dq_string_mysql(),
            },
            b'`' if d != LexDialect::Postgres => {
                self.quoted_ident(b'`', d == LexDialect::ClickHouse)
            }
            b'[' if d == LexDialect::Sqlite => {
                let s = self.pos + 1;
                while self.at(self.pos).is_some_and(|c| c != b']') {
                    self.pos += 1;
                }
                let name = self.slice(s, self.pos);
                self.pos = (self.pos + 1).min(self.bytes.len());
                Token::Ident(name)
            }
            b'$' => self.dollar(),
            b':' if next == Some(b':') && d == LexDialect::Postgres => {
                self.pos += 2;
                Token::Cast
            }
            b':' if self.rules.psql => self.psql_colon(),
            b':' | b'@' if d == LexDialect::Sqlite && next.is_some_and(ident_start) => {
                self.pos += 1;
                self.param_name()
            }
            b'?' if d != LexDialect::Postgres => {
                self.pos += 1;
                while self.at(self.pos).is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                Token::Param(self.slice(self.pos - 1, self.pos))
            }
            b'(' | b')' | b'[' | b']' | b',' | b';' | b'.' | b':' | b'{' | b'}' => {
                self.pos += 1;
                Token::Punct(b as char)
            }
            c if OP_CHARS.contains(&c) => self.operator(),
            _ => {
                let ch = self.text[self.pos..].chars().next().unwrap_or('\u{fffd}');
                self.pos += ch.len_utf8().max(1);
                Token::Other(ch)
            }
        }
    }

    fn param_name(&mut self) -> Token {
        let s = self.pos;
        while self
            .at(self.pos)
            .is_some_and(|c| ident_cont(c, self.rules.dialect))
        {
            self.pos += 1;
        }
        Token::Param(self.slice(s, self.pos))
    }

    fn number(&mut self) -> Token {
        let s = self.pos;
        while let Some(c) = self.at(self.pos) {
            let dot_dot = c == b'.' && self.at(self.pos + 1) == Some(b'.');
            let exponent_sign = (c == b'+' || c == b'-')
                && matches!(self.bytes[self.pos - 1], b'e' | b'E')
                && self.at(self.pos + 1).is_some_and(|c| c.is_ascii_digit());
            if c.is_ascii_alphanumeric() || c == b'_' || (c == b'.' && !dot_dot) || exponent_sign {
                self.pos += 1;
            } else {
                break;
            }
        }
        Token::Number(self.slice(s, self.pos))
    }

    /// A `'…'` string starting at the quote. `backslash`: backslash escapes apply (PostgreSQL `E''`, MySQL).
    /// PostgreSQL continues a string across whitespace that holds a newline (`'a'\n'b'`), in the same escape
    /// mode, so that is followed too.
    fn string(&mut self, backslash: bool) -> Token {
        self.string_in(backslash, false)
    }

    fn plain_string(&mut self) -> Token {
        self.string_in(self.rules.backslash_in_plain, true)
    }

    fn string_in(&mut self, backslash: bool, plain: bool) -> Token {
        let pg = self.rules.dialect == LexDialect::Postgres;
        let mut contents = String::new();
        loop {
            self.pos += 1;
            let s = self.pos;
            loop {
                match self.at(self.pos) {
                    None => {
                        contents.push_str(&self.slice(s, self.pos));
                        return Token::Str(contents);
                    }
                    Some(b'\\') => {
                        // A backslash in a plain string means something else under the other setting of
                        // standard_conforming_strings (or NO_BACKSLASH_ESCAPES); in E'' it never does.
                        if plain {
                            self.backslash_sensitive = true;
                        }
                        self.pos = if backslash {
                            (self.pos + 2).min(self.bytes.len())
                        } else {
                            self.pos + 1
                        };
                    }
                    Some(b'\'') if self.at(self.pos + 1) == Some(b'\'') => self.pos += 2,
                    Some(b'\'') => break,
                    Some(_) => self.pos += 1,
                }
            }
            contents.push_str(&self.slice(s, self.pos));
            self.pos += 1;
            if !(pg && self.continuation()) {
                return Token::Str(contents);
            }
            // `self.pos` is now on the continuing quote; the loop steps over it.
        }
    }

    /// scan.l's {quotecontinue}: horizontal whitespace or a `--` comment, a newline, then any whitespace or
    /// comment lines, then a quote. Leaves `pos` on that quote when it matches.
    fn continuation(&mut self) -> bool {
        let mut i = self.pos;
        let mut newline = false;
        loop {
            match self.at(i) {
                Some(b' ' | b'\t' | 0x0c) => i += 1,
                Some(b'\n' | b'\r') => {
                    newline = true;
                    i += 1;
                }
                Some(b'-') if self.at(i + 1) == Some(b'-') => {
                    while self.at(i).is_some_and(|c| c != b'\n' && c != b'\r') {
                        i += 1;
                    }
                    if self.at(i).is_none() {
                        return false;
                    }
                }
                Some(b'\'') if newline => {
                    self.pos = i;
                    return true;
                }
                _ => return false,
            }
        }
    }

    /// `UESCAPE 'c'` after a `U&` literal belongs to it.
    fn uescape(&mut self) {
        let save = self.pos;
        if !self.skip_trivia() {
            self.pos = save;
            return;
        }
        let end = self.pos + 7;
        if end <= self.bytes.len() && self.bytes[self.pos..end].eq_ignore_ascii_case(b"uescape") {
            self.pos = end;
            if self.skip_trivia() && self.at(self.pos) == Some(b'\'') {
                let _ = self.string(false);
                return;
            }
        }
        self.pos = save;
    }

    fn quoted_ident(&mut self, quote: u8, backslash: bool) -> Token {
        self.pos += 1;
        let s = self.pos;
        while let Some(c) = self.at(self.pos) {
            if backslash && c == b'\\' {
                self.backslash_sensitive = true;
                self.pos = (self.pos + 2).min(self.bytes.len());
            } else if c == quote && self.at(self.pos + 1) == Some(quote) {
                self.pos += 2;
            } else if c == quote {
                let name = self.slice(s, self.pos);
                self.pos += 1;
                return Token::Ident(name);
            } else {
                self.pos += 1;
            }
        }
        Token::Ident(self.slice(s, self.pos))
    }

    /// MySQL `"…"`: a string (with backslash escapes under the default sql_mode) or, under ANSI_QUOTES, an
    /// identifier without them. Lexed as a string; a backslash marks the text for the ambiguity check.
    fn dq_string_mysql(&mut self) -> Token {
        match self.quoted_ident(b'"', self.rules.backslash_in_plain) {
            Token::Ident(s) => {
                if s.contains('\\') {
                    self.backslash_sensitive = true;
                }
                Token::Str(s)
            }
            t => t,
        }
    }

    fn dollar(&mut self) -> Token {
        let d = self.rules.dialect;
        let next = self.at(self.pos + 1);
        if next.is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            while self.at(self.pos).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            return Token::Param(self.slice(self.pos - 1, self.pos));
        }
        match d {
            LexDialect::Postgres => {
                // dolqdelim: \$({dolq_start}{dolq_cont}*)?\$
                let mut j = self.pos + 1;
                if self.at(j).is_some_and(ident_start) {
                    while self
                        .at(j)
                        .is_some_and(|c| ident_start(c) || c.is_ascii_digit())
                    {
                        j += 1;
                    }
                }
                if self.at(j) != Some(b'$') {
                    // dolqfailed: only the `$` is consumed.
                    self.pos += 1;
                    return Token::Other('$');
                }
                let tag = &self.bytes[self.pos..=j];
                let body = j + 1;
                let found = self.bytes[body..].windows(tag.len()).position(|w| w == tag);
                match found {
                    Some(p) => {
                        let s = self.slice(body, body + p);
                        self.pos = body + p + tag.len();
                        Token::Str(s)
                    }
                    None => {
                        let s = self.slice(body, self.bytes.len());
                        self.pos = self.bytes.len();
                        Token::Str(s)
                    }
                }
            }
            LexDialect::Sqlite if next.is_some_and(ident_start) => {
                self.pos += 1;
                self.param_name()
            }
            LexDialect::ClickHouse => {
                self.note("`$` (ClickHouse heredocs and parameters are not modelled)");
                self.pos += 1;
                Token::Other('$')
            }
            _ => {
                self.pos += 1;
                Token::Other('$')
            }
        }
    }

    /// psqlscan.l: `:name`, `:'name'`, `:"name"`, `:{?name}` (variable characters: letters, digits, `_`, bytes ≥
    /// 0x80). Anything else after the colon leaves the colon alone.
    fn psql_colon(&mut self) -> Token {
        let var_char = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        let run = |from: usize| {
            let mut j = from;
            while self.at(j).is_some_and(var_char) {
                j += 1;
            }
            j
        };
        let next = self.at(self.pos + 1);
        if self.at(self.pos + 1) == Some(b'=') {
            self.pos += 2;
            return Token::Op(":=".into());
        }
        match next {
            Some(c) if var_char(c) => {
                let end = run(self.pos + 1);
                let name = self.slice(self.pos + 1, end);
                self.pos = end;
                return Token::Var(name);
            }
            Some(q @ (b'\'' | b'"')) => {
                let end = run(self.pos + 2);
                if end > self.pos + 2 && self.at(end) == Some(q) {
                    let name = self.slice(self.pos + 2, end);
                    self.pos = end + 1;
                    return Token::Var(name);
                }
            }
            Some(b'{') if self.at(self.pos + 2) == Some(b'?') => {
                let end = run(self.pos + 3);
                if end > self.pos + 3 && self.at(end) == Some(b'}') {
                    let name = self.slice(self.pos + 3, end);
                    self.pos = end + 1;
                    return Token::Var(name);
                }
            }
            _ => {}
        }
        self.pos += 1;
        Token::Punct(':')
    }

    fn operator(&mut self) -> Token {
        let s = self.pos;
        let mut e = s;
        while self.at(e).is_some_and(|c| OP_CHARS.contains(&c)) {
            e += 1;
        }
        if self.rules.dialect != LexDialect::Postgres {
            // Other dialects: one- or two-character operators are all that matter to gate.
            let two = &self.bytes[s..(s + 2).min(e)];
            let n = if matches!(
                two,
                b"<=" | b">=" | b"<>" | b"!=" | b"||" | b"&&" | b"<<" | b">>" | b"==" | b":="
            ) {
                2
            } else {
                1
            };
            self.pos = s + n;
            return Token::Op(self.slice(s, s + n));
        }
        let op = &self.bytes[s..e];
        // An operator stops where a comment starts.
        let mut n = op.len();
        for i in 0..op.len().saturating_sub(1) {
            if (op[i] == b'/' && op[i + 1] == b'*') || (op[i] == b'-' && op[i + 1] == b'-') {
                n = i;
                break;
            }
        }
        let n = n.max(1);
        let mut n = n;
        if n > 1
            && matches!(op[n - 1], b'+' | b'-')
            && !op[..n - 1].iter().any(|c| b"~!@#^&|`?%".contains(c))
        {
            while n > 1 && matches!(op[n - 1], b'+' | b'-') {
                n -= 1;
            }
        }
        self.pos = s + n;
        Token::Op(self.slice(s, s + n))
    }
}

/// Tokenizes SQL text. `backslash_strings` makes `\` escape inside ordinary `'…'` strings (MySQL).
pub fn tokenize(sql: &str, backslash_strings: bool) -> Vec<Token> {
    let rules = if backslash_strings {
        Rules::MYSQL
    } else {
        Rules::POSTGRES
    };
    lex(sql, rules).plain()
}

/// Splits tokens into statements at top-level `;`.
pub fn statements(tokens: &[Token]) -> Vec<&[Token]> {
    tokens
        .split(|t| *t == Token::Punct(';'))
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(s: &str) -> Vec<Token> {
        lex(s, Rules::POSTGRES).plain()
    }

    fn w(s: &str) -> Token {
        Token::Word(s.into())
    }

    #[test]
    fn hides_comments_and_strings_from_the_keyword_scan() {
        let t = pg("SELECT 'DROP TABLE x; --' /* DELETE; */ FROM \"T;\" -- ; TRUNCATE\n;");
        assert_eq!(
            t,
            vec![
                w("select"),
                Token::Str("DROP TABLE x; --".into()),
                w("from"),
                Token::Ident("T;".into()),
                Token::Punct(';'),
            ]
        );
        assert_eq!(statements(&t).len(), 1);
    }

    #[test]
    fn dollar_quotes_and_escapes() {
        let t = pg("DO $body$ BEGIN DELETE FROM t; END $body$; SELECT E'a\\'b', 'it''s'");
        assert_eq!(t[1], Token::Str(" BEGIN DELETE FROM t; END ".into()));
        assert_eq!(statements(&t).len(), 2);
        assert_eq!(pg("$1"), vec![Token::Param("1".into())]);
        // A tag cannot start with a digit, and `$` inside an identifier is part of it.
        assert_eq!(pg("a$q$ b"), vec![w("a$q$"), w("b")]);
    }

    #[test]
    fn high_bytes_are_identifier_characters() {
        // `a<NBSP>$q$` is one identifier: the dollar quote never opens, so the DROP is SQL.
        let t = pg("SELECT a\u{a0}$q$; DROP TABLE t; $q$");
        assert!(t.contains(&w("drop")), "{t:?}");
        assert_eq!(statements(&t).len(), 3);
    }

    #[test]
    fn nested_comments_and_string_continuation() {
        let t = pg("SELECT /* a /* b */ DROP */ 1");
        assert_eq!(t, vec![w("select"), Token::Number("1".into())]);
        // An E string continued on the next line keeps its escapes; the `--` after it is inside the string,
        // so the DROP is real.
        let t = pg("SELECT E'x'\n'\\' ; --' ; DROP TABLE t;");
        assert!(t.contains(&w("drop")), "{t:?}");
    }

    #[test]
    fn unicode_and_prefixed_literals() {
        assert_eq!(
            pg("U&'d\\0061t' UESCAPE '!' x"),
            vec![Token::Str("d\\0061t".into()), w("x")]
        );
        assert_eq!(pg("U&\"a\" b"), vec![Token::Ident("a".into()), w("b")]);
        assert_eq!(pg("B'01' X'ff'").len(), 2);
        // `xe'` is an identifier and then a plain string.
        assert_eq!(
            pg("xe'a\\' b"),
            vec![w("xe"), Token::Str("a\\".into()), w("b")]
        );
    }

    #[test]
    fn operators_cut_like_postgres() {
        assert_eq!(
            pg("a +++ b"),
            vec![
                w("a"),
                Token::Op("+".into()),
                Token::Op("+".into()),
                Token::Op("+".into()),
                w("b")
            ]
        );
        assert_eq!(pg("a @@@ b")[1], Token::Op("@@@".into()));
        assert_eq!(pg("a=-1")[1], Token::Op("=".into()));
        assert_eq!(pg("a*/*c*/b"), vec![w("a"), Token::Op("*".into()), w("b")]);
        assert_eq!(pg("a::int")[1], Token::Cast);
    }

    #[test]
    fn psql_variables() {
        let v = |s: &str| lex(s, Rules::PSQL).plain();
        assert!(v("SELECT :x").contains(&Token::Var("x".into())));
        assert!(v("SELECT :'x'").contains(&Token::Var("x".into())));
        assert!(v("SELECT :\"x\"").contains(&Token::Var("x".into())));
        assert!(v("SELECT :{?x}").contains(&Token::Var("x".into())));
        assert!(
            !v("SELECT a::int, ':x', \":x\" -- :x")
                .iter()
                .any(|t| matches!(t, Token::Var(_)))
        );
    }

    #[test]
    fn backslash_ambiguity() {
        let sql = "SELECT 'a\\' ; --' ; DROP TABLE t";
        let l = lex(sql, Rules::POSTGRES);
        assert!(backslash_ambiguous(sql, Rules::POSTGRES, &l));
        let sql = "SELECT 'a\\d'";
        let l = lex(sql, Rules::POSTGRES);
        assert!(!backslash_ambiguous(sql, Rules::POSTGRES, &l));
    }

    #[test]
    fn other_dialects() {
        let my = |s: &str| lex(s, Rules::MYSQL);
        assert!(my("SELECT 1 /*! DROP TABLE t */").problem.is_some());
        assert!(
            my("SELECT 1 --x").plain().contains(&w("x")),
            "`--x` is not a MySQL comment"
        );
        assert!(!my("SELECT 1 -- x").plain().contains(&w("x")));
        assert!(!my("SELECT 1 # x").plain().contains(&w("x")));
        // MySQL comments do not nest.
        assert!(my("SELECT /* /* */ x */").plain().contains(&w("x")));
        let lite = lex("SELECT [--], 1; DROP TABLE t", Rules::SQLITE).plain();
        assert!(lite.contains(&w("drop")), "{lite:?}");
    }

    #[test]
    fn unterminated_input_never_panics() {
        for s in [
            "'abc",
            "\"abc",
            "$$abc",
            "/* abc",
            "E'\\",
            "$a",
            "é'",
            "U&",
            "U&'x' UESCAPE",
            ":'",
            ":{?",
            "'a'\n",
            "'a'\n--",
            "1e+",
            "[abc",
        ] {
            for r in [
                Rules::POSTGRES,
                Rules::PSQL,
                Rules::MYSQL,
                Rules::SQLITE,
                Rules::CLICKHOUSE,
            ] {
                let _ = lex(s, r);
            }
        }
    }
}
