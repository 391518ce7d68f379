//! A getopt-style reader for the argument lists of the tools gate knows. Each tool declares its whole option
//! table; this turns `-Xqc SQL`, `-cSQL`, `--command=SQL`, `--command SQL` and (for tools built on GNU
//! `getopt_long`) the abbreviation `--comm=SQL` into the same thing. Positive classification (DESIGN §8) starts
//! here: [`parse_strict`] refuses an option the table does not list, an ambiguous abbreviation, and a value that is
//! missing or not allowed, so a caller can make the whole command `unknown` instead of guessing.

/// Whether an option takes a value, as getopt spells it (`""`, `":"`, `"::"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Takes {
    /// A flag.
    No,
    /// A value, attached (`-cSQL`, `--command=SQL`) or as the next argument.
    Required,
    /// A value only when attached (`--help=commands`, `-ofile` in some tools); never the next argument.
    Optional,
}

/// One option a tool accepts.
#[derive(Clone, Copy, Debug)]
pub struct OptSpec {
    pub short: Option<char>,
    pub long: &'static str,
    pub takes: Takes,
}

impl OptSpec {
    pub const fn takes_value(&self) -> bool {
        !matches!(self.takes, Takes::No)
    }
}

/// Shorthand for a table of [`OptSpec`]s: `true` is a required value, `false` a flag.
pub const fn opt(short: Option<char>, long: &'static str, takes_value: bool) -> OptSpec {
    OptSpec {
        short,
        long,
        takes: if takes_value {
            Takes::Required
        } else {
            Takes::No
        },
    }
}

/// An option whose value may only be attached (getopt's `::`).
pub const fn opt_optional(short: Option<char>, long: &'static str) -> OptSpec {
    OptSpec {
        short,
        long,
        takes: Takes::Optional,
    }
}

/// How a tool reads its arguments. The defaults are GNU `getopt_long` with permutation, which is what the
/// PostgreSQL client tools, coreutils and most Linux tools use.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// `--comm` means `--command` when no other long option starts with `comm` (GNU `getopt_long`).
    pub abbreviations: bool,
    /// Options may follow positionals (`psql app -c …`). Without it the first positional ends the options, as
    /// POSIX `getopt`, `env`, `sudo`, `timeout` and `nice` do.
    pub permute: bool,
    /// Long options are written with one dash (`sqlite3 -cmd`), and `--cmd` means the same.
    pub single_dash_long: bool,
}

impl Style {
    /// GNU `getopt_long` with its default permutation.
    pub const GNU: Style = Style {
        abbreviations: true,
        permute: true,
        single_dash_long: false,
    };
    /// GNU `getopt_long` in POSIX order (`+` in the option string): the first positional ends the options.
    pub const GNU_POSIX_ORDER: Style = Style {
        abbreviations: true,
        permute: false,
        single_dash_long: false,
    };
    /// Exact long names only, options anywhere.
    pub const EXACT: Style = Style {
        abbreviations: false,
        permute: true,
        single_dash_long: false,
    };
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

/// Why an argument list is not one gate fully understands. Each makes the command `unknown`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    #[error("option `{0}` is not one gate knows for this tool")]
    Unknown(String),
    #[error("`{given}` could mean any of {}", candidates.join(", "))]
    Ambiguous {
        given: String,
        candidates: Vec<String>,
    },
    #[error("option `{0}` needs a value and has none")]
    MissingValue(String),
    #[error("option `{0}` takes no value")]
    UnexpectedValue(String),
}

/// Finds the long option `name` names: exactly, or (with abbreviations) as the one option it is a prefix of.
fn find_long<'s>(
    name: &str,
    specs: &'s [OptSpec],
    abbreviations: bool,
) -> Result<Option<&'s OptSpec>, ArgError> {
    if let Some(spec) = specs.iter().find(|s| s.long == name) {
        return Ok(Some(spec));
    }
    if !abbreviations || name.is_empty() {
        return Ok(None);
    }
    let matches: Vec<&OptSpec> = specs.iter().filter(|s| s.long.starts_with(name)).collect();
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        // getopt_long accepts a prefix of several entries only when they all mean the same option.
        // Long-only options each have their own value, so two of them are never the same option.
        [first, rest @ ..]
            if first.short.is_some()
                && rest
                    .iter()
                    .all(|s| s.short == first.short && s.takes == first.takes) =>
        {
            Ok(Some(first))
        }
        many => Err(ArgError::Ambiguous {
            given: format!("--{name}"),
            candidates: many.iter().map(|s| format!("--{}", s.long)).collect(),
        }),
    }
}

/// Reads `args` (without the program name) against a tool's complete option table, failing on the first argument
/// gate does not fully understand.
pub fn parse_strict(
    args: &[String],
    specs: &[OptSpec],
    style: Style,
) -> Result<Vec<Arg>, ArgError> {
    let mut out = Vec::new();
    read(args, specs, style, &mut out, true)?;
    Ok(out)
}

/// Reads `args` against an option table, keeping what it does not know as [`Arg::Unrecognised`]. For tools whose
/// table is still partial; a caller must not treat such a result as understood.
pub fn parse(args: &[String], specs: &[OptSpec]) -> Vec<Arg> {
    let mut out = Vec::new();
    let style = Style {
        abbreviations: false,
        ..Style::GNU
    };
    // Lenient mode reports nothing as an error.
    let _ = read(args, specs, style, &mut out, false);
    out
}

fn read(
    args: &[String],
    specs: &[OptSpec],
    style: Style,
    out: &mut Vec<Arg>,
    strict: bool,
) -> Result<(), ArgError> {
    let mut iter = args.iter();
    let mut options_done = false;
    while let Some(arg) = iter.next() {
        if options_done || arg == "-" || !arg.starts_with('-') {
            out.push(Arg::Positional(arg.clone()));
            if !style.permute {
                options_done = true;
            }
            continue;
        }
        if arg == "--" {
            options_done = true;
            continue;
        }
        let long = arg
            .strip_prefix("--")
            .or_else(|| style.single_dash_long.then(|| &arg[1..]));
        if let Some(long) = long {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(spec) = find_long(name, specs, style.abbreviations)? else {
                if strict {
                    return Err(ArgError::Unknown(arg.clone()));
                }
                out.push(Arg::Unrecognised(arg.clone()));
                continue;
            };
            let value = match (spec.takes, inline) {
                (Takes::No, Some(_)) if strict => {
                    return Err(ArgError::UnexpectedValue(arg.clone()));
                }
                (Takes::No, inline) => inline,
                (Takes::Required, None) => match iter.next() {
                    Some(v) => Some(v.clone()),
                    None if strict => return Err(ArgError::MissingValue(arg.clone())),
                    None => None,
                },
                (_, inline) => inline,
            };
            out.push(Arg::Opt {
                name: spec.long,
                value,
            });
            continue;
        }
        let cluster = &arg[1..];
        for (i, c) in cluster.char_indices() {
            let Some(spec) = specs.iter().find(|s| s.short == Some(c)) else {
                if strict {
                    return Err(ArgError::Unknown(format!("-{c}")));
                }
                out.push(Arg::Unrecognised(format!("-{c}")));
                continue;
            };
            if spec.takes == Takes::No {
                out.push(Arg::Opt {
                    name: spec.long,
                    value: None,
                });
                continue;
            }
            let rest = &cluster[i + c.len_utf8()..];
            let value = if !rest.is_empty() {
                Some(rest.to_string())
            } else if spec.takes == Takes::Required {
                match iter.next() {
                    Some(v) => Some(v.clone()),
                    None if strict => return Err(ArgError::MissingValue(format!("-{c}"))),
                    None => None,
                }
            } else {
                None
            };
            out.push(Arg::Opt {
                name: spec.long,
                value,
            });
            break;
        }
    }
    Ok(())
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
        opt(None, "csv", false),
        opt_optional(Some('?'), "help"),
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
            v(&["--comm=SELECT 1"]),
        ] {
            let args = parse_strict(&form, SPECS, Style::GNU).unwrap();
            assert_eq!(last(&args, "command"), Some("SELECT 1"), "{form:?}");
        }
    }

    #[test]
    fn abbreviations_resolve_as_getopt_long_does() {
        // `--c` is a prefix of `--command` and `--csv`: ambiguous... except that an exact name always wins.
        let specs = &[opt(None, "command", true), opt(None, "csv", false)];
        assert!(matches!(
            parse_strict(&v(&["--c", "x"]), specs, Style::GNU),
            Err(ArgError::Ambiguous { .. })
        ));
        // Two long-only options that take the same kind of value are still two options (pg_dump's `--no-s`).
        let long_only = &[
            opt(None, "no-security-labels", false),
            opt(None, "no-subscriptions", false),
        ];
        assert!(matches!(
            parse_strict(&v(&["--no-s"]), long_only, Style::GNU),
            Err(ArgError::Ambiguous { .. })
        ));
        assert_eq!(
            last(
                &parse_strict(&v(&["--co", "x"]), specs, Style::GNU).unwrap(),
                "command"
            ),
            Some("x")
        );
        assert!(has(
            &parse_strict(&v(&["--csv"]), specs, Style::GNU).unwrap(),
            "csv"
        ));
        // Without abbreviations a prefix is unknown.
        assert_eq!(
            parse_strict(&v(&["--comm=x"]), SPECS, Style::EXACT),
            Err(ArgError::Unknown("--comm=x".into()))
        );
    }

    #[test]
    fn strict_refuses_what_it_does_not_understand() {
        assert_eq!(
            parse_strict(&v(&["-Z"]), SPECS, Style::GNU),
            Err(ArgError::Unknown("-Z".into()))
        );
        assert_eq!(
            parse_strict(&v(&["-qZ"]), SPECS, Style::GNU),
            Err(ArgError::Unknown("-Z".into()))
        );
        assert_eq!(
            parse_strict(&v(&["--weird"]), SPECS, Style::GNU),
            Err(ArgError::Unknown("--weird".into()))
        );
        assert_eq!(
            parse_strict(&v(&["-c"]), SPECS, Style::GNU),
            Err(ArgError::MissingValue("-c".into()))
        );
        assert_eq!(
            parse_strict(&v(&["--quiet=yes"]), SPECS, Style::GNU),
            Err(ArgError::UnexpectedValue("--quiet=yes".into()))
        );
        // An optional value is never the next argument.
        let args = parse_strict(&v(&["--help", "commands"]), SPECS, Style::GNU).unwrap();
        assert_eq!(
            args,
            vec![
                Arg::Opt {
                    name: "help",
                    value: None
                },
                Arg::Positional("commands".into())
            ]
        );
        assert_eq!(
            last(
                &parse_strict(&v(&["--help=variables"]), SPECS, Style::GNU).unwrap(),
                "help"
            ),
            Some("variables")
        );
    }

    #[test]
    fn order_styles() {
        let args = parse_strict(&v(&["db", "-c", "x"]), SPECS, Style::GNU).unwrap();
        assert_eq!(last(&args, "command"), Some("x"));
        let args = parse_strict(&v(&["db", "-c", "x"]), SPECS, Style::GNU_POSIX_ORDER).unwrap();
        assert_eq!(positionals(&args).collect::<Vec<_>>(), ["db", "-c", "x"]);
        let single = Style {
            single_dash_long: true,
            abbreviations: false,
            permute: true,
        };
        let specs = &[opt(None, "cmd", true), opt(None, "readonly", false)];
        let args = parse_strict(
            &v(&["-cmd", ".tables", "--readonly", "x.db"]),
            specs,
            single,
        )
        .unwrap();
        assert_eq!(last(&args, "cmd"), Some(".tables"));
        assert!(has(&args, "readonly"));
    }

    #[test]
    fn lenient_keeps_positionals_unknowns_and_the_end_of_options() {
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
        assert_eq!(
            parse(&v(&["-h"]), SPECS),
            vec![Arg::Opt {
                name: "host",
                value: None
            }]
        );
    }
}
