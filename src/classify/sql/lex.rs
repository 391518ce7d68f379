//! A tolerant SQL tokenizer. It never fails: whatever it cannot make sense of becomes punctuation, so the
//! statement splitter and the keyword scan always see the whole text, comments and quoted strings excluded.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    /// An unquoted word, lowercased.
    Word(String),
    /// A `"quoted identifier"`, as written between the quotes.
    Ident(String),
    /// A string literal (`'…'`, `E'…'`, `$tag$…$tag$`), its contents.
    Str(String),
    Number(String),
    Punct(char),
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
}

/// Tokenizes SQL text. `backslash_strings` makes `\` escape inside ordinary `'…'` strings (MySQL).
pub fn tokenize(sql: &str, backslash_strings: bool) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') || c == '#' && backslash_strings {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let mut depth = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == '\'' {
            let (s, next) = quoted(&chars, i, '\'', backslash_strings);
            out.push(Token::Str(s));
            i = next;
        } else if (c == 'e' || c == 'E') && chars.get(i + 1) == Some(&'\'') {
            let (s, next) = quoted(&chars, i + 1, '\'', true);
            out.push(Token::Str(s));
            i = next;
        } else if c == '"' || (c == '`' && backslash_strings) {
            let (s, next) = quoted(&chars, i, c, false);
            out.push(Token::Ident(s));
            i = next;
        } else if c == '$'
            && let Some((s, next)) = dollar_quoted(&chars, i)
        {
            out.push(Token::Str(s));
            i = next;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Token::Word(
                chars[start..i].iter().collect::<String>().to_lowercase(),
            ));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
            out.push(Token::Number(chars[start..i].iter().collect()));
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

fn quoted(chars: &[char], open: usize, quote: char, backslash: bool) -> (String, usize) {
    let mut s = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        let c = chars[i];
        if backslash && c == '\\' {
            if let Some(&n) = chars.get(i + 1) {
                s.push(n);
            }
            i += 2;
        } else if c == quote {
            if chars.get(i + 1) == Some(&quote) {
                s.push(quote);
                i += 2;
            } else {
                return (s, i + 1);
            }
        } else {
            s.push(c);
            i += 1;
        }
    }
    (s, i)
}

fn dollar_quoted(chars: &[char], open: usize) -> Option<(String, usize)> {
    let mut j = open + 1;
    while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
        j += 1;
    }
    if chars.get(j) != Some(&'$') || chars.get(open + 1).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let tag: Vec<char> = chars[open..=j].to_vec();
    let body_start = j + 1;
    let mut k = body_start;
    while k + tag.len() <= chars.len() {
        if chars[k..k + tag.len()] == tag[..] {
            return Some((chars[body_start..k].iter().collect(), k + tag.len()));
        }
        k += 1;
    }
    Some((chars[body_start..].iter().collect(), chars.len()))
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

    #[test]
    fn hides_comments_and_strings_from_the_keyword_scan() {
        let t = tokenize(
            "SELECT 'DROP TABLE x; --' /* DELETE; */ FROM \"T;\" -- ; TRUNCATE\n;",
            false,
        );
        assert_eq!(
            t,
            vec![
                Token::Word("select".into()),
                Token::Str("DROP TABLE x; --".into()),
                Token::Word("from".into()),
                Token::Ident("T;".into()),
                Token::Punct(';'),
            ]
        );
        assert_eq!(statements(&t).len(), 1);
    }

    #[test]
    fn dollar_quotes_and_escapes() {
        let t = tokenize(
            "DO $body$ BEGIN DELETE FROM t; END $body$; SELECT E'a\\'b', 'it''s'",
            false,
        );
        assert_eq!(t[1], Token::Str(" BEGIN DELETE FROM t; END ".into()));
        assert_eq!(statements(&t).len(), 2);
        assert!(t.contains(&Token::Str("a'b".into())));
        assert!(t.contains(&Token::Str("it's".into())));
        // Positional parameters are not dollar quotes.
        assert_eq!(
            tokenize("$1", false),
            vec![Token::Punct('$'), Token::Number("1".into())]
        );
    }

    #[test]
    fn unterminated_input_never_panics() {
        for s in ["'abc", "\"abc", "$$abc", "/* abc", "E'\\", "$a", "é'"] {
            let _ = tokenize(s, false);
            let _ = tokenize(s, true);
        }
    }
}
