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
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,^".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Joins words into one command line, quoting where needed.
pub fn join<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
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
}
