//! A getopt-style reader for the argument lists of the tools gate knows. Each tool declares which options take a
//! value; this turns `-Xqc SQL`, `-cSQL`, `--command=SQL` and `--command SQL` into the same thing.

/// One option a tool accepts.
#[derive(Clone, Copy, Debug)]
pub struct OptSpec {
    pub short: Option<char>,
    pub long: &'static str,
    pub takes_value: bool,
}

/// Shorthand for a table of [`OptSpec`]s.
pub const fn opt(short: Option<char>, long: &'static str, takes_value: bool) -> OptSpec {
    OptSpec {
        short,
        long,
        takes_value,
    }
}

/// One parsed argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A known option, named by its long name, with its value when it takes one.
    Opt {
        name: &'static str,
        value: Option<String>,
    },
    /// An option the tool's table does not list. Kept so that callers can refuse to guess.
    Unrecognised(String),
    Positional(String),
}

/// Reads `args` (without the program name) against a tool's option table.
pub fn parse(args: &[String], specs: &[OptSpec]) -> Vec<Arg> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            out.extend(iter.by_ref().map(|a| Arg::Positional(a.clone())));
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match specs.iter().find(|s| s.long == name) {
                Some(spec) if spec.takes_value => {
                    let value = inline.or_else(|| iter.next().cloned());
                    out.push(Arg::Opt {
                        name: spec.long,
                        value,
                    });
                }
                Some(spec) => out.push(Arg::Opt {
                    name: spec.long,
                    value: inline,
                }),
                None => out.push(Arg::Unrecognised(arg.clone())),
            }
            continue;
        }
        if arg.len() > 1 && arg.starts_with('-') {
            let cluster = &arg[1..];
            for (i, c) in cluster.char_indices() {
                match specs.iter().find(|s| s.short == Some(c)) {
                    Some(spec) if spec.takes_value => {
                        let rest = &cluster[i + c.len_utf8()..];
                        let value = if rest.is_empty() {
                            iter.next().cloned()
                        } else {
                            Some(rest.to_string())
                        };
                        out.push(Arg::Opt {
                            name: spec.long,
                            value,
                        });
                        break;
                    }
                    Some(spec) => out.push(Arg::Opt {
                        name: spec.long,
                        value: None,
                    }),
                    None => {
                        out.push(Arg::Unrecognised(format!("-{c}")));
                    }
                }
            }
            continue;
        }
        out.push(Arg::Positional(arg.clone()));
    }
    out
}

/// The values given for one option, in order.
pub fn values<'a>(args: &'a [Arg], name: &str) -> impl Iterator<Item = &'a str> {
    args.iter().filter_map(move |a| match a {
        Arg::Opt {
            name: n,
            value: Some(v),
        } if *n == name => Some(v.as_str()),
        _ => None,
    })
}

/// The last value given for an option (tools let a later flag win).
pub fn last<'a>(args: &'a [Arg], name: &str) -> Option<&'a str> {
    values(args, name).last()
}

/// Whether a flag was given at all.
pub fn has(args: &[Arg], name: &str) -> bool {
    args.iter()
        .any(|a| matches!(a, Arg::Opt { name: n, .. } if *n == name))
}

pub fn positionals(args: &[Arg]) -> impl Iterator<Item = &str> {
    args.iter().filter_map(|a| match a {
        Arg::Positional(p) => Some(p.as_str()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[OptSpec] = &[
        opt(Some('c'), "command", true),
        opt(Some('h'), "host", true),
        opt(Some('X'), "no-psqlrc", false),
        opt(Some('q'), "quiet", false),
    ];

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_every_spelling_of_an_option() {
        for form in [
            v(&["-c", "SELECT 1"]),
            v(&["-cSELECT 1"]),
            v(&["--command=SELECT 1"]),
            v(&["--command", "SELECT 1"]),
            v(&["-Xqc", "SELECT 1"]),
            v(&["-XqcSELECT 1"]),
        ] {
            let args = parse(&form, SPECS);
            assert_eq!(last(&args, "command"), Some("SELECT 1"), "{form:?}");
        }
    }

    #[test]
    fn keeps_positionals_unknowns_and_the_end_of_options() {
        let args = parse(&v(&["-Z", "db", "--weird", "--", "-c", "x"]), SPECS);
        assert_eq!(
            args,
            vec![
                Arg::Unrecognised("-Z".into()),
                Arg::Positional("db".into()),
                Arg::Unrecognised("--weird".into()),
                Arg::Positional("-c".into()),
                Arg::Positional("x".into()),
            ]
        );
        // A value-taking option at the very end has no value rather than stealing nothing.
        assert_eq!(
            parse(&v(&["-h"]), SPECS),
            vec![Arg::Opt {
                name: "host",
                value: None
            }]
        );
    }
}
