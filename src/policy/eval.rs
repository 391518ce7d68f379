//! Evaluation: every finding is matched against every rule, and the strictest decision wins (DESIGN §3).

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Approvals, Decision, Policy, PolicySet, ReasonRequirement, Rule};
use crate::classify::{self, Finding, Kind, NoSources};

/// Who is asking, and the redacted command line that `commands` globs match.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub user: &'a str,
    pub agent: Option<&'a str>,
    pub command: &'a str,
}

/// A rule that matched at least one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchedRule {
    pub name: String,
    pub decision: Decision,
    /// The policy file it came from.
    pub origin: String,
}

/// The approvals one matched `approve` rule demands. When several match, all must be met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub rule: String,
    pub approvals: Approvals,
    /// The rule's `notify:` channels.
    pub notify: Vec<String>,
    /// The rule's `escalate:` target.
    pub escalate: Option<String>,
}

/// What the policy said about one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingVerdict {
    pub environment: String,
    pub decision: Decision,
    /// The rules that matched this finding; empty when the default applied.
    pub rules: Vec<String>,
}

/// The outcome of evaluating a command.
#[must_use]
#[derive(Clone, Debug)]
pub struct Verdict {
    pub decision: Decision,
    /// The environment of the riskiest finding.
    pub environment: String,
    /// One per finding, in the same order.
    pub findings: Vec<FindingVerdict>,
    /// Every rule that matched any finding, in policy order.
    pub rules: Vec<MatchedRule>,
    /// The approvals needed when the decision is `approve`.
    pub requirements: Vec<Requirement>,
    /// The messages of the deny rules that decided.
    pub messages: Vec<String>,
    pub reason_required: bool,
    pub expires: Duration,
    pub valid_for: Duration,
    pub escalate_after: Option<Duration>,
}

impl Verdict {
    /// The rules whose own decision is the final one: the ones that "decided".
    pub fn deciding_rules(&self) -> impl Iterator<Item = &MatchedRule> {
        self.rules.iter().filter(|r| r.decision == self.decision)
    }
}

const DEFAULT_EXPIRES: Duration = Duration::from_secs(3600);
const DEFAULT_VALID_FOR: Duration = Duration::from_secs(600);

fn rule_matches(rule: &Rule, finding: &Finding, environment: &str, subject: &Subject) -> bool {
    let m = &rule.matcher;
    // An unknown finding is never allowed by a rule that does not name the command on purpose.
    if finding.kind == Kind::Unknown && !m.names_command() && rule.decision < Decision::Approve {
        return false;
    }
    m.kinds.as_ref().is_none_or(|k| k.contains(&finding.kind))
        && m.risk.is_none_or(|r| finding.risk >= r)
        && m.environments
            .as_ref()
            .is_none_or(|e| e.iter().any(|e| e == environment))
        && m.tools.as_ref().is_none_or(|t| t.contains(&finding.tool))
        && m.commands
            .as_ref()
            .is_none_or(|c| c.iter().any(|g| g.matches(subject.command)))
        && m.users
            .as_ref()
            .is_none_or(|u| u.iter().any(|u| u == subject.user))
        && m.agents
            .as_ref()
            .is_none_or(|a| subject.agent.is_some_and(|s| a.iter().any(|a| a == s)))
        && m.hosts.as_ref().is_none_or(|h| {
            finding
                .target
                .host
                .as_deref()
                .is_some_and(|t| h.iter().any(|g| g.matches(t)))
        })
        && m.databases.as_ref().is_none_or(|d| {
            finding
                .target
                .database
                .as_deref()
                .is_some_and(|t| d.iter().any(|g| g.matches(t)))
        })
        && m.objects.as_ref().is_none_or(|o| {
            finding
                .objects
                .iter()
                .any(|obj| o.iter().any(|g| g.matches(obj)))
        })
}

impl Policy {
    /// Evaluates one command's findings.
    pub fn evaluate(&self, findings: &[Finding], subject: &Subject) -> Verdict {
        let mut verdicts = Vec::with_capacity(findings.len());
        let mut matched: Vec<&Rule> = Vec::new();
        let mut deciding: Vec<&Rule> = Vec::new();
        for finding in findings {
            let environment = self
                .environment_of(
                    finding.target.host.as_deref(),
                    finding.target.database.as_deref(),
                )
                .to_string();
            let rules: Vec<&Rule> = self
                .rules
                .iter()
                .filter(|r| rule_matches(r, finding, &environment, subject))
                .collect();
            let decision = match rules.iter().map(|r| r.decision).max() {
                Some(d) => d,
                None if finding.kind == Kind::Unknown => self.defaults.unknown,
                None => self.defaults.decision,
            };
            for r in &rules {
                if !matched.iter().any(|m| std::ptr::eq(*m, *r)) {
                    matched.push(r);
                }
                if r.decision == decision && !deciding.iter().any(|m| std::ptr::eq(*m, *r)) {
                    deciding.push(r);
                }
            }
            verdicts.push(FindingVerdict {
                environment,
                decision,
                rules: rules.iter().map(|r| r.name.clone()).collect(),
            });
        }
        let decision = verdicts
            .iter()
            .map(|v| v.decision)
            .max()
            .unwrap_or(self.defaults.unknown);
        let environment = findings
            .iter()
            .zip(&verdicts)
            .max_by_key(|(f, v)| (v.decision, f.risk))
            .map_or_else(
                || self.defaults.environment.clone(),
                |(_, v)| v.environment.clone(),
            );
        matched.sort_by_key(|r| self.rules.iter().position(|x| std::ptr::eq(x, *r)));
        let deciding: Vec<&Rule> = deciding
            .into_iter()
            .filter(|r| r.decision == decision)
            .collect();
        let approve_rules: Vec<&Rule> = matched
            .iter()
            .copied()
            .filter(|r| r.decision == Decision::Approve)
            .collect();
        Verdict {
            decision,
            environment,
            findings: verdicts,
            rules: matched
                .iter()
                .map(|r| MatchedRule {
                    name: r.name.clone(),
                    decision: r.decision,
                    origin: self.origin.clone(),
                })
                .collect(),
            requirements: approve_rules
                .iter()
                .map(|r| Requirement {
                    rule: r.name.clone(),
                    approvals: r.approvals.clone(),
                    notify: r.notify.clone(),
                    escalate: r.escalate.clone(),
                })
                .collect(),
            messages: deciding.iter().filter_map(|r| r.message.clone()).collect(),
            reason_required: deciding
                .iter()
                .any(|r| r.reason == ReasonRequirement::Required),
            expires: approve_rules
                .iter()
                .map(|r| r.expires)
                .min()
                .unwrap_or(DEFAULT_EXPIRES),
            valid_for: approve_rules
                .iter()
                .map(|r| r.valid_for)
                .min()
                .unwrap_or(DEFAULT_VALID_FOR),
            escalate_after: approve_rules.iter().filter_map(|r| r.escalate_after).min(),
        }
    }

    /// Runs the policy's own `tests:` cases against it alone.
    pub fn run_tests(&self) -> Vec<TestResult> {
        self.tests
            .iter()
            .map(|case| {
                let classification = classify::classify(&case.run, &BTreeMap::new(), &NoSources);
                let subject = Subject {
                    user: &case.user,
                    agent: case.agent.as_deref(),
                    command: &classification.command,
                };
                let verdict = self.evaluate(&classification.findings, &subject);
                TestResult {
                    line: case.line,
                    command: classification.command.clone(),
                    expect: case.expect,
                    got: verdict.decision,
                    expect_rule: case.rule.clone(),
                    rules: verdict.deciding_rules().map(|r| r.name.clone()).collect(),
                }
            })
            .collect()
    }
}

impl PolicySet {
    /// Evaluates every policy in force and keeps the strictest outcome.
    pub fn evaluate(&self, findings: &[Finding], subject: &Subject) -> Verdict {
        let mut verdicts = self.policies.iter().map(|p| p.evaluate(findings, subject));
        let mut merged = verdicts.next().expect("a policy set is never empty");
        for v in verdicts {
            if v.decision > merged.decision {
                merged.environment.clone_from(&v.environment);
                merged.messages.clear();
            }
            if v.decision >= merged.decision {
                merged.messages.extend(v.messages);
            }
            merged.decision = merged.decision.max(v.decision);
            for (m, f) in merged.findings.iter_mut().zip(v.findings) {
                m.decision = m.decision.max(f.decision);
                m.rules.extend(f.rules);
            }
            merged.rules.extend(v.rules);
            merged.requirements.extend(v.requirements);
            merged.reason_required |= v.reason_required;
            merged.expires = merged.expires.min(v.expires);
            merged.valid_for = merged.valid_for.min(v.valid_for);
            merged.escalate_after = match (merged.escalate_after, v.escalate_after) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        merged
    }
}

/// The outcome of one policy test case.
#[derive(Clone, Debug)]
pub struct TestResult {
    pub line: u64,
    pub command: String,
    pub expect: Decision,
    pub got: Decision,
    pub expect_rule: Option<String>,
    /// The rules that decided.
    pub rules: Vec<String>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.expect == self.got
            && self
                .expect_rule
                .as_ref()
                .is_none_or(|r| self.rules.contains(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::{Risk, Target};
    use crate::policy::parse::parse;

    const POLICY: &str = r#"
version: 1
defaults: {decision: approve, unknown: approve, environment: production}
environments:
  production: {hosts: ["*.prod.internal", "db-prod-*"], databases: ["*_production"]}
  dev: {hosts: [localhost]}
groups:
  dba: [alice, bob, carol]
rules:
  - name: reads
    match: {kinds: [read]}
    decision: allow
  - name: prod-exports
    match: {kinds: [data_export], environments: [production]}
    decision: approve
    approvals: {from: dba, count: 2}
    reason: required
    expires: 30m
    escalate_after: 10m
  - name: big-exports
    match: {kinds: [data_export], risk: critical}
    decision: approve
    approvals: {from: dba, count: 1}
  - name: never-drop-prod
    match: {kinds: [destructive_write], environments: [production]}
    decision: deny
    message: production data is not dropped from a shell
  - name: everything-by-ci
    match: {users: [ci]}
    decision: allow
  - name: make-deploy
    match: {commands: ["make deploy*"]}
    decision: allow
  - name: agents-confirm
    match: {agents: [claude], kinds: [write]}
    decision: confirm
"#;

    fn finding(kind: Kind, host: Option<&str>) -> Finding {
        Finding::new(
            kind,
            "psql",
            &Target {
                host: host.map(Into::into),
                ..Target::default()
            },
            "test",
        )
    }

    fn subject<'a>(user: &'a str, command: &'a str) -> Subject<'a> {
        Subject {
            user,
            agent: None,
            command,
        }
    }

    #[test]
    fn strictest_match_wins_across_findings() {
        let p = parse(POLICY, "test").unwrap();
        let v = p.evaluate(
            &[
                finding(Kind::Read, Some("db.prod.internal")),
                finding(Kind::DestructiveWrite, Some("db.prod.internal")),
            ],
            &subject("dave", "psql"),
        );
        assert_eq!(v.decision, Decision::Deny);
        assert_eq!(v.messages, ["production data is not dropped from a shell"]);
        assert_eq!(v.findings[0].decision, Decision::Allow);
        assert_eq!(v.findings[1].decision, Decision::Deny);
        assert_eq!(
            v.deciding_rules()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            ["never-drop-prod"]
        );
    }

    #[test]
    fn environments_and_defaults() {
        let p = parse(POLICY, "test").unwrap();
        assert_eq!(
            p.environment_of(Some("DB.prod.internal"), None),
            "production"
        );
        assert_eq!(p.environment_of(Some("localhost"), None), "dev");
        assert_eq!(
            p.environment_of(None, Some("shop_production")),
            "production"
        );
        assert_eq!(
            p.environment_of(Some("elsewhere"), None),
            "production",
            "default is the strictest"
        );
        // No rule matches a dev write: the default decision applies.
        let v = p.evaluate(
            &[finding(Kind::Write, Some("localhost"))],
            &subject("dave", "psql"),
        );
        assert_eq!(
            (v.decision, v.environment.as_str()),
            (Decision::Approve, "dev")
        );
        assert!(v.rules.is_empty());
    }

    #[test]
    fn every_matching_approve_rule_adds_its_requirement() {
        let p = parse(POLICY, "test").unwrap();
        let f = finding(Kind::DataExport, Some("db.prod.internal")).with_risk(Risk::Critical);
        let v = p.evaluate(&[f], &subject("dave", "pg_dumpall"));
        assert_eq!(v.decision, Decision::Approve);
        assert_eq!(v.requirements.len(), 2);
        assert_eq!(v.requirements[0].approvals.count, 2);
        assert!(v.reason_required);
        assert_eq!(v.expires, Duration::from_secs(1800));
        assert_eq!(v.escalate_after, Some(Duration::from_secs(600)));
    }

    #[test]
    fn unknown_is_never_allowed_unless_named() {
        let p = parse(POLICY, "test").unwrap();
        // `everything-by-ci` would allow anything ci runs, but it does not name the command.
        let v = p.evaluate(&[finding(Kind::Unknown, None)], &subject("ci", "some-tool"));
        assert_eq!(v.decision, Decision::Approve);
        // `make-deploy` names the command, so it may.
        let v = p.evaluate(
            &[finding(Kind::Unknown, None)],
            &subject("dave", "make deploy"),
        );
        assert_eq!(v.decision, Decision::Allow);
    }

    #[test]
    fn agent_and_user_conditions() {
        let p = parse(POLICY, "test").unwrap();
        let write = finding(Kind::Write, Some("localhost"));
        let v = p.evaluate(
            std::slice::from_ref(&write),
            &Subject {
                user: "dave",
                agent: Some("claude"),
                command: "psql",
            },
        );
        assert_eq!(v.decision, Decision::Confirm);
        let v = p.evaluate(std::slice::from_ref(&write), &subject("ci", "psql"));
        assert_eq!(v.decision, Decision::Allow);
    }

    #[test]
    fn a_set_keeps_the_strictest_policy() {
        let lenient = parse(
            "version: 1\nrules:\n  - name: all\n    match: {}\n    decision: allow\n",
            "user",
        )
        .unwrap();
        let strict = parse(POLICY, "system").unwrap();
        let set = PolicySet::new(vec![strict, lenient]);
        let v = set.evaluate(
            &[finding(Kind::DestructiveWrite, Some("db.prod.internal"))],
            &subject("dave", "psql"),
        );
        assert_eq!(v.decision, Decision::Deny);
        assert_eq!(v.rules.len(), 2);
    }
}
