//! The policy: one YAML file that says, for each kind of command, where and by whom, whether gate runs it, asks,
//! waits for approval or refuses (DESIGN §3). This module holds the validated model and its evaluation, which is
//! pure; [`parse`] is the only code that reads YAML.

mod eval;
pub mod glob;
pub mod parse;

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use eval::{FindingVerdict, MatchedRule, Requirement, Subject, Verdict};
pub use parse::PolicyError;

use crate::classify::{Kind, Risk};
use glob::Glob;

/// The built-in strict starter policy: what gate uses when no policy file exists, and what `gate init` writes.
pub const STARTER: &str = include_str!("starter.yaml");

/// What gate does with a command. Ordered from most to least permissive: the strictest match wins. There is
/// deliberately no `Default`: nothing in gate may fall back to a decision it did not reach.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    Confirm,
    Approve,
    Deny,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Confirm => "confirm",
            Decision::Approve => "approve",
            Decision::Deny => "deny",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a rule insists on `--reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonRequirement {
    Required,
    Optional,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Defaults {
    pub decision: Decision,
    pub unknown: Decision,
    pub environment: String,
}

/// A named environment and the patterns that place a target in it.
#[derive(Clone, Debug)]
pub struct Environment {
    pub name: String,
    pub hosts: Vec<Glob>,
    pub databases: Vec<Glob>,
}

/// Conditions on a finding and its requester. Every condition given must hold; an absent one always holds.
#[derive(Clone, Debug, Default)]
pub struct Match {
    pub kinds: Option<Vec<Kind>>,
    pub risk: Option<Risk>,
    pub environments: Option<Vec<String>>,
    pub tools: Option<Vec<String>>,
    pub commands: Option<Vec<Glob>>,
    pub users: Option<Vec<String>>,
    pub agents: Option<Vec<String>>,
    pub hosts: Option<Vec<Glob>>,
    pub databases: Option<Vec<Glob>>,
    pub objects: Option<Vec<Glob>>,
}

impl Match {
    /// A rule that names the command itself may allow even an `unknown` finding: someone allow-listed it on
    /// purpose (DESIGN §3).
    pub fn names_command(&self) -> bool {
        self.tools.is_some() || self.commands.is_some()
    }
}

/// Who must approve, and how many of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approvals {
    /// A group from `groups`; `None` means any person other than the requester.
    pub from: Option<String>,
    pub count: u32,
    /// Lets the user an agent acts for approve the agent's request. Never lets anyone approve their own.
    pub allow_requester: bool,
    /// A second group whose members may approve too once the request is escalated.
    pub escalate_to: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub name: String,
    /// Where the rule starts in its file, for messages.
    pub line: u64,
    pub matcher: Match,
    pub decision: Decision,
    pub message: Option<String>,
    pub approvals: Approvals,
    pub reason: ReasonRequirement,
    /// How long a request may stay pending.
    pub expires: Duration,
    /// How long an approval may wait to be used.
    pub valid_for: Duration,
    pub escalate_after: Option<Duration>,
    pub notify: Vec<String>,
    pub escalate: Option<String>,
}

/// What is wrong with a `notify:` channel's spelling, if anything. Whether the broker has that channel configured
/// is a question for its config (`gate policy check --serve-config`).
pub fn channel_syntax(channel: &str) -> Option<&'static str> {
    let (kind, name) = channel.split_once(':').unwrap_or((channel, ""));
    match kind {
        "slack" if name.is_empty() => {
            Some("a Slack channel needs its name, as in 'slack:#db-approvals'")
        }
        "webhook" if name.is_empty() => {
            Some("a webhook needs its name from the broker's `channels.webhooks`")
        }
        "slack" | "webhook" | "teams" => None,
        _ => Some("gate knows the channels slack, teams and webhook"),
    }
}

/// One `tests:` case.
#[derive(Clone, Debug)]
pub struct TestCase {
    pub line: u64,
    pub run: Vec<String>,
    pub expect: Decision,
    pub rule: Option<String>,
    pub user: String,
    pub agent: Option<String>,
}

/// A loaded, validated policy file.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Where it came from: a path, or "the built-in starter policy".
    pub origin: String,
    /// `sha256:…` of the file's bytes; part of every binding digest.
    pub digest: String,
    pub defaults: Defaults,
    pub environments: Vec<Environment>,
    pub groups: BTreeMap<String, Vec<String>>,
    pub rules: Vec<Rule>,
    pub tests: Vec<TestCase>,
}

impl Policy {
    /// The environment a target is in: the first environment, in file order, whose host or database patterns
    /// match it; otherwise the default.
    pub fn environment_of(&self, host: Option<&str>, database: Option<&str>) -> &str {
        self.environments
            .iter()
            .find(|env| {
                host.is_some_and(|h| env.hosts.iter().any(|g| g.matches(h)))
                    || database.is_some_and(|d| env.databases.iter().any(|g| g.matches(d)))
            })
            .map_or(&self.defaults.environment, |env| &env.name)
    }
}

/// The policies in force: the system policy when there is one, then the user's. A user policy can only make
/// the outcome stricter, because every policy is evaluated and the strictest decision wins.
#[derive(Clone, Debug)]
pub struct PolicySet {
    pub policies: Vec<Policy>,
    /// Set when no policy file was found and the starter policy is in force.
    pub built_in: bool,
}

impl PolicySet {
    pub fn new(policies: Vec<Policy>) -> Self {
        assert!(!policies.is_empty(), "a policy set is never empty");
        PolicySet {
            policies,
            built_in: false,
        }
    }

    /// The built-in starter policy.
    pub fn built_in() -> Self {
        let policy = parse::parse(STARTER, "the built-in starter policy")
            .expect("the starter policy is valid");
        PolicySet {
            policies: vec![policy],
            built_in: true,
        }
    }

    /// The members of a group, from the first policy in force that defines it.
    pub fn members(&self, group: &str) -> Option<Vec<String>> {
        self.policies
            .iter()
            .find_map(|p| p.groups.get(group).cloned())
    }

    /// One digest over every policy in force.
    pub fn digest(&self) -> String {
        if let [one] = self.policies.as_slice() {
            return one.digest.clone();
        }
        let joined: Vec<&str> = self.policies.iter().map(|p| p.digest.as_str()).collect();
        crate::request::sha256_tagged(joined.join("\n").as_bytes())
    }
}

/// Parses `30m`, `1h`, `90s`, `2d` or `1h30m`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut total: u64 = 0;
    let mut digits = String::new();
    let mut any = false;
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: u64 = digits.parse().ok()?;
        digits.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        any = true;
    }
    (digits.is_empty() && any && total > 0).then(|| Duration::from_secs(total))
}

/// Formats a duration the way policies write them.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(172_800)));
        for bad in [
            "",
            "30",
            "m",
            "0m",
            "1y",
            "-1m",
            "1.5h",
            "99999999999999999999s",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(600)), "10m");
    }

    #[test]
    fn decisions_are_ordered_strictest_last() {
        assert!(Decision::Allow < Decision::Confirm);
        assert!(Decision::Confirm < Decision::Approve);
        assert!(Decision::Approve < Decision::Deny);
    }

    #[test]
    fn starter_policy_is_valid_and_passes_its_tests() {
        let set = PolicySet::built_in();
        let results = set.policies[0].run_tests();
        assert!(!results.is_empty());
        for r in results {
            assert!(r.passed(), "{r:?}");
        }
    }
}
