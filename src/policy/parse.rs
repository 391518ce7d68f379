//! Reading YAML. This is the only module that names the YAML crate (serde-saphyr: serde_yaml is deprecated and
//! archived, and serde-saphyr rejects duplicate keys and reports line and column). Every error names the line.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_saphyr::Spanned;

use super::glob::Glob;
use super::{
    Approvals, Decision, Defaults, Environment, Match, Policy, ReasonRequirement, Rule, TestCase,
    parse_duration,
};
use crate::classify::{Kind, Risk, shell};
use crate::exit::{Diagnostic, Exit};

/// Why a policy or config file could not be used. Every variant exits 78.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read {origin}")]
    Read {
        origin: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax {
        origin: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{origin}:{line}:{column}: {message}")]
    Invalid {
        origin: String,
        line: u64,
        column: u64,
        message: String,
        hint: Option<String>,
    },
}

impl Diagnostic for PolicyError {
    fn exit(&self) -> Exit {
        Exit::Config
    }

    fn hint(&self) -> Option<String> {
        match self {
            PolicyError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                Some("check the path, or run `gate init` to write a starter policy".into())
            }
            PolicyError::Read { .. } => Some("check the file's permissions".into()),
            PolicyError::Syntax { .. } => {
                Some("fix the file at that line; `gate policy check FILE` checks it without running anything".into())
            }
            PolicyError::Invalid { hint, .. } => hint.clone().or_else(|| {
                Some("fix the file at that line; `gate policy check FILE` checks it without running anything".into())
            }),
        }
    }
}

/// Deserializes any YAML document strictly: duplicate keys are errors, and so are unknown keys wherever the
/// target type denies them.
pub fn from_yaml<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T, PolicyError> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        PolicyError::Syntax {
            origin: origin.to_string(),
            line,
            column,
            message: clean_message(&e.to_string()),
        }
    })
}

/// The parser's message without its own location suffix (we print `file:line:col:` in front) and in our words.
fn clean_message(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(p) => &message[..p],
        None => message,
    };
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest);
        return format!("duplicate key `{key}`");
    }
    message.to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    version: Spanned<u32>,
    #[serde(default)]
    defaults: Option<RawDefaults>,
    #[serde(default)]
    environments: Option<OrderedMap<RawEnvironment>>,
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    rules: Vec<RawRule>,
    #[serde(default)]
    tests: Vec<RawTest>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefaults {
    decision: Option<Decision>,
    unknown: Option<Spanned<Decision>>,
    environment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnvironment {
    #[serde(default)]
    hosts: Vec<String>,
    #[serde(default)]
    databases: Vec<String>,
}

/// A mapping whose order is kept: environments are tried in the order the file lists them.
struct OrderedMap<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, V>()? {
                    entries.push((k, v));
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Spanned<String>,
    #[serde(rename = "match", default)]
    matcher: Option<RawMatch>,
    decision: Decision,
    message: Option<String>,
    approvals: Option<Spanned<RawApprovals>>,
    reason: Option<ReasonRequirement>,
    expires: Option<Spanned<String>>,
    valid_for: Option<Spanned<String>>,
    escalate_after: Option<Spanned<String>>,
    notify: Option<Vec<Spanned<String>>>,
    escalate: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    kinds: Option<Vec<Kind>>,
    risk: Option<Risk>,
    environments: Option<Vec<Spanned<String>>>,
    tools: Option<Vec<String>>,
    commands: Option<Vec<String>>,
    users: Option<Vec<String>>,
    agents: Option<Vec<String>>,
    hosts: Option<Vec<String>>,
    databases: Option<Vec<String>>,
    objects: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApprovals {
    from: Option<Spanned<String>>,
    count: Option<u32>,
    #[serde(default)]
    allow_requester: bool,
    escalate_to: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    run: Spanned<String>,
    expect: Decision,
    rule: Option<Spanned<String>>,
    user: Option<String>,
    agent: Option<String>,
}

struct Builder<'a> {
    origin: &'a str,
}

impl Builder<'_> {
    fn invalid<T>(
        &self,
        at: (u64, u64),
        message: String,
        hint: Option<&str>,
    ) -> Result<T, PolicyError> {
        Err(PolicyError::Invalid {
            origin: self.origin.to_string(),
            line: at.0,
            column: at.1,
            message,
            hint: hint.map(str::to_string),
        })
    }

    fn duration(
        &self,
        raw: Option<&Spanned<String>>,
        default: std::time::Duration,
    ) -> Result<std::time::Duration, PolicyError> {
        match raw {
            None => Ok(default),
            Some(s) => parse_duration(&s.value).map_or_else(
                || {
                    self.invalid(
                        at(s),
                        format!("`{}` is not a duration", s.value),
                        Some("write durations like 90s, 10m, 1h or 1h30m"),
                    )
                },
                Ok,
            ),
        }
    }
}

fn at<T>(s: &Spanned<T>) -> (u64, u64) {
    (s.referenced.line(), s.referenced.column())
}

/// Parses and validates a policy file's text.
#[allow(clippy::too_many_lines)]
pub fn parse(text: &str, origin: &str) -> Result<Policy, PolicyError> {
    let raw: RawPolicy = from_yaml(text, origin)?;
    let b = Builder { origin };
    if raw.version.value != 1 {
        return b.invalid(
            at(&raw.version),
            format!("unsupported policy version {}", raw.version.value),
            Some("this gate reads `version: 1` policies"),
        );
    }
    let raw_defaults = raw.defaults.unwrap_or(RawDefaults {
        decision: None,
        unknown: None,
        environment: None,
    });
    let unknown = match raw_defaults.unknown {
        Some(u) if u.value < Decision::Approve => {
            return b.invalid(
                at(&u),
                format!("defaults.unknown cannot be `{}`: gate never lets a command it cannot read through by default", u.value),
                Some("use `approve` or `deny`; to allow one known command, write a rule that names it with `tools` or `commands`"),
            );
        }
        Some(u) => u.value,
        None => Decision::Approve,
    };
    let defaults = Defaults {
        decision: raw_defaults.decision.unwrap_or(Decision::Approve),
        unknown,
        environment: raw_defaults
            .environment
            .unwrap_or_else(|| "production".into()),
    };

    let environments: Vec<Environment> = raw
        .environments
        .map(|m| m.0)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, e)| Environment {
            name,
            hosts: e.hosts.iter().map(|h| Glob::case_insensitive(h)).collect(),
            databases: e.databases.iter().map(|d| Glob::new(d)).collect(),
        })
        .collect();

    let mut rules: Vec<Rule> = Vec::with_capacity(raw.rules.len());
    for r in raw.rules {
        if r.name.value.trim().is_empty() {
            return b.invalid(at(&r.name), "a rule needs a name".into(), None);
        }
        if rules.iter().any(|x| x.name == r.name.value) {
            return b.invalid(
                at(&r.name),
                format!("a second rule is named `{}`", r.name.value),
                Some("rule names must be unique"),
            );
        }
        for channel in r.notify.iter().flatten() {
            if let Some(problem) = crate::policy::channel_syntax(&channel.value) {
                return b.invalid(
                    at(channel),
                    format!(
                        "rule `{}` notifies `{}`: {problem}",
                        r.name.value, channel.value
                    ),
                    Some("use 'slack:#channel', teams, 'teams:NAME' or 'webhook:NAME'"),
                );
            }
        }
        if let Some(e) = &r.escalate
            && e.value != "pagerduty"
        {
            return b.invalid(
                at(e),
                format!(
                    "rule `{}` escalates to `{}`, which gate cannot page",
                    r.name.value, e.value
                ),
                Some("`escalate: pagerduty` is the one escalation channel"),
            );
        }
        let m = r.matcher.unwrap_or_default();
        if let Some(envs) = &m.environments {
            for e in envs {
                if !environments.iter().any(|x| x.name == e.value)
                    && e.value != defaults.environment
                {
                    return b.invalid(
                        at(e),
                        format!(
                            "rule `{}` names environment `{}`, which the policy does not define",
                            r.name.value, e.value
                        ),
                        Some("define it under `environments:`, or fix the spelling"),
                    );
                }
            }
        }
        let approvals = match &r.approvals {
            None => Approvals {
                from: None,
                count: 1,
                allow_requester: false,
                escalate_to: None,
            },
            Some(a) if r.decision != Decision::Approve => {
                return b.invalid(
                    at(a),
                    format!(
                        "rule `{}` sets `approvals` but its decision is `{}`",
                        r.name.value, r.decision
                    ),
                    Some("`approvals` only applies to `decision: approve`"),
                );
            }
            Some(a) => {
                let count = a.value.count.unwrap_or(1);
                if count == 0 {
                    return b.invalid(
                        at(a),
                        format!("rule `{}` asks for 0 approvals", r.name.value),
                        Some("use `decision: allow` instead"),
                    );
                }
                if let Some(from) = &a.value.from {
                    let Some(members) = raw.groups.get(&from.value) else {
                        return b.invalid(
                            at(from),
                            format!("rule `{}` draws approvers from group `{}`, which the policy does not define", r.name.value, from.value),
                            Some("define it under `groups:`"),
                        );
                    };
                    // A requester never approves their own request, so a group of N can satisfy at most N.
                    if count as usize > members.len() && !members.is_empty() {
                        return b.invalid(
                            at(a),
                            format!(
                                "rule `{}` needs {count} approvals from `{}`, which has {} members",
                                r.name.value,
                                from.value,
                                members.len()
                            ),
                            Some("lower `count` or add reviewers to the group"),
                        );
                    }
                }
                if let Some(to) = &a.value.escalate_to
                    && !raw.groups.contains_key(&to.value)
                {
                    return b.invalid(
                        at(to),
                        format!(
                            "rule `{}` widens to group `{}` on escalation, which the policy does not define",
                            r.name.value, to.value
                        ),
                        Some("define it under `groups:`"),
                    );
                }
                Approvals {
                    from: a.value.from.as_ref().map(|f| f.value.clone()),
                    count,
                    allow_requester: a.value.allow_requester,
                    escalate_to: a.value.escalate_to.as_ref().map(|t| t.value.clone()),
                }
            }
        };
        let line = r.name.referenced.line();
        rules.push(Rule {
            name: r.name.value.clone(),
            line,
            decision: r.decision,
            message: r.message,
            approvals,
            reason: r.reason.unwrap_or(ReasonRequirement::Optional),
            expires: b.duration(r.expires.as_ref(), std::time::Duration::from_secs(3600))?,
            valid_for: b.duration(r.valid_for.as_ref(), std::time::Duration::from_secs(600))?,
            escalate_after: r
                .escalate_after
                .as_ref()
                .map(|e| b.duration(Some(e), std::time::Duration::ZERO))
                .transpose()?,
            notify: r
                .notify
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.value)
                .collect(),
            escalate: r.escalate.map(|e| e.value),
            matcher: Match {
                kinds: m.kinds,
                risk: m.risk,
                environments: m
                    .environments
                    .map(|e| e.into_iter().map(|e| e.value).collect()),
                tools: m.tools,
                commands: m.commands.map(|c| c.iter().map(|g| Glob::new(g)).collect()),
                users: m.users,
                agents: m.agents,
                hosts: m
                    .hosts
                    .map(|h| h.iter().map(|g| Glob::case_insensitive(g)).collect()),
                databases: m
                    .databases
                    .map(|d| d.iter().map(|g| Glob::new(g)).collect()),
                objects: m.objects.map(|o| o.iter().map(|g| Glob::new(g)).collect()),
            },
        });
    }

    let mut tests = Vec::with_capacity(raw.tests.len());
    for t in raw.tests {
        let run = match shell::split(&t.run.value) {
            Ok(words) if !words.is_empty() => words,
            Ok(_) => return b.invalid(at(&t.run), "a test's `run` is empty".into(), None),
            Err(e) => return b.invalid(at(&t.run), format!("cannot split `run`: {e}"), None),
        };
        if let Some(rule) = &t.rule
            && !rules.iter().any(|r| r.name == rule.value)
        {
            return b.invalid(
                at(rule),
                format!(
                    "the test expects rule `{}`, which the policy does not define",
                    rule.value
                ),
                None,
            );
        }
        tests.push(TestCase {
            line: t.run.referenced.line(),
            run,
            expect: t.expect,
            rule: t.rule.map(|r| r.value),
            user: t.user.unwrap_or_else(|| "policy-test".into()),
            agent: t.agent,
        });
    }

    Ok(Policy {
        origin: origin.to_string(),
        digest: crate::request::sha256_tagged(text.as_bytes()),
        defaults,
        environments,
        groups: raw.groups,
        rules,
        tests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> (String, Option<String>) {
        let e = parse(text, "p.yaml").unwrap_err();
        (e.to_string(), e.hint())
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let cases = [
            (
                "version: 1\nversion: 1\n",
                "p.yaml:2:1: duplicate key `version`",
            ),
            (
                "version: 1\nbogus: 1\n",
                "p.yaml:2:1: unknown field `bogus`",
            ),
            (
                "version: 1\nrules:\n  - name: a\n    decision: alow\n",
                "p.yaml:4:15: unknown variant `alow`",
            ),
            (
                "version: 1\nrules:\n  - name: a\n    decision: allow\n    match: {kinds: [reed]}\n",
                "p.yaml:5:21: unknown variant `reed`",
            ),
            ("version: 2\n", "p.yaml:1:10: unsupported policy version 2"),
            (
                "version: 1\ndefaults: {unknown: allow}\n",
                "p.yaml:2:21: defaults.unknown cannot be `allow`",
            ),
            (
                "version: 1\ndefaults: {unknown: confirm}\n",
                "p.yaml:2:21: defaults.unknown cannot be `confirm`",
            ),
            (
                "version: 1\nrules:\n  - {name: a, decision: allow}\n  - {name: a, decision: deny}\n",
                "p.yaml:4:12: a second rule is named `a`",
            ),
            (
                "version: 1\nrules:\n  - name: a\n    decision: approve\n    approvals: {from: dba, count: 2}\n",
                "p.yaml:5:23: rule `a` draws approvers from group `dba`",
            ),
            (
                "version: 1\ngroups: {dba: [al]}\nrules:\n  - name: a\n    decision: approve\n    approvals: {from: dba, count: 2}\n",
                "needs 2 approvals from `dba`, which has 1 members",
            ),
            (
                "version: 1\nrules:\n  - name: a\n    decision: allow\n    expires: soon\n",
                "p.yaml:5:14: `soon` is not a duration",
            ),
            (
                "version: 1\nrules:\n  - name: a\n    decision: allow\n    match: {environments: [prod]}\n",
                "names environment `prod`, which the policy does not define",
            ),
            (
                "version: 1\ntests:\n  - {run: 'x', expect: allow, rule: nope}\n",
                "expects rule `nope`",
            ),
            ("version: 1\nrules: [\n", "p.yaml:"),
            ("{}\n", "missing field `version`"),
        ];
        for (text, want) in cases {
            let (msg, hint) = err(text);
            assert!(msg.contains(want), "{text:?}\n got: {msg}\nwant: {want}");
            assert!(hint.is_some(), "{text:?} has a hint");
        }
    }

    #[test]
    fn a_full_policy_parses() {
        let p = parse(crate::policy::STARTER, "starter").unwrap();
        assert_eq!(p.defaults.environment, "production");
        assert_eq!(p.environments[0].name, "production", "file order is kept");
        assert!(
            p.rules
                .iter()
                .any(|r| r.name == "reads" && r.decision == Decision::Allow)
        );
        assert!(p.digest.starts_with("sha256:"));
    }

    #[test]
    fn from_yaml_serves_other_files_strictly() {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        struct Conf {
            #[allow(dead_code)]
            store: Option<String>,
        }
        assert!(from_yaml::<Conf>("store: /x\n", "c").is_ok());
        assert!(
            from_yaml::<Conf>("stor: /x\n", "c")
                .unwrap_err()
                .to_string()
                .contains("c:1:1: unknown field `stor`")
        );
    }
}
