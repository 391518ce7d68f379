//! Shell-style globs for policy patterns: `*` is any run of characters (slashes and spaces included) and `?` is
//! one character. That is all a host, database or command pattern needs, so no regex engine is pulled in.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    pattern: Vec<char>,
    fold_case: bool,
    source: String,
}

impl Glob {
    pub fn new(pattern: &str) -> Self {
        Glob {
            pattern: pattern.chars().collect(),
            fold_case: false,
            source: pattern.to_string(),
        }
    }

    /// A glob that ignores ASCII case, for host names.
    pub fn case_insensitive(pattern: &str) -> Self {
        Glob {
            pattern: pattern.to_ascii_lowercase().chars().collect(),
            fold_case: true,
            source: pattern.to_string(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = if self.fold_case {
            text.to_ascii_lowercase().chars().collect()
        } else {
            text.chars().collect()
        };
        // Iterative matcher with a single backtrack point: linear in practice, never exponential.
        let (p, t) = (&self.pattern, &text);
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
                pi += 1;
                ti += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_a_shell() {
        let g = Glob::case_insensitive("*.prod.internal");
        assert!(g.matches("db.prod.internal"));
        assert!(g.matches("DB.Prod.Internal"));
        assert!(!g.matches("db.prod.internal.evil.com"));
        assert!(!g.matches("prod.internal"));
        assert!(Glob::new("db-prod-*").matches("db-prod-7"));
        assert!(Glob::new("pg_dump * app").matches("pg_dump -h db app"));
        assert!(Glob::new("a?c").matches("abc"));
        assert!(!Glob::new("a?c").matches("ac"));
        assert!(Glob::new("*").matches(""));
        assert!(Glob::new("/var/run/postgresql").matches("/var/run/postgresql"));
        assert!(
            !Glob::new("Shop").matches("shop"),
            "databases are case-sensitive"
        );
        assert!(!Glob::new("*a*a*a*a*a*a*b").matches(&"a".repeat(200)));
    }
}
