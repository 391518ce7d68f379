//! One command, judged: classification, the policy's verdict and the binding digest, computed together so that
//! `gate run`, `gate explain` and the policy tests can never disagree. Pure.

use serde::Serialize;

use crate::classify::{self, Classification, Finding, Kind, NoSources, Risk, Sources, Target};
use crate::policy::{Decision, PolicySet, Subject, Verdict};
use crate::request::{Evidence, InputSeen, Located, Request, binding_digest};

/// Sources that also say what they looked at: the programs resolved and the files read or found absent, which
/// bind the approval as much as the argv does.
pub trait Adapter: Sources {
    fn evidence(&self) -> Evidence;
}

impl Adapter for NoSources {
    fn evidence(&self) -> Evidence {
        Evidence::default()
    }
}

impl Adapter for crate::stdin::ProcessSources {
    fn evidence(&self) -> Evidence {
        crate::stdin::ProcessSources::evidence(self)
    }
}

impl Adapter for crate::stdin::FilesOnly {
    fn evidence(&self) -> Evidence {
        crate::stdin::FilesOnly::evidence(self)
    }
}

/// Everything gate concluded about a request.
#[derive(Clone, Debug)]
pub struct Assessment {
    pub classification: Classification,
    pub verdict: Verdict,
    /// What an approval of this exact command is bound to.
    pub digest: String,
    /// `sha256:…` of the stdin gate read to classify, when it read any.
    pub stdin_digest: Option<String>,
    /// The programs and files gate looked at; bound, and checked again before the command runs.
    pub evidence: Evidence,
}

impl Assessment {
    pub fn decision(&self) -> Decision {
        self.verdict.decision
    }

    pub fn risk(&self) -> Risk {
        self.classification.risk()
    }

    pub fn kinds(&self) -> Vec<Kind> {
        self.classification.kinds()
    }

    /// The names of the rules that decided, or `default` when none did.
    pub fn deciding_rules(&self) -> Vec<String> {
        let rules: Vec<String> = self
            .verdict
            .deciding_rules()
            .map(|r| r.name.clone())
            .collect();
        if rules.is_empty() {
            vec!["default".to_string()]
        } else {
            rules
        }
    }

    /// The machine-readable form `gate explain --json` prints (DESIGN §2).
    pub fn to_json(&self) -> ExplainJson<'_> {
        ExplainJson {
            decision: self.verdict.decision,
            risk: self.risk(),
            environment: &self.verdict.environment,
            findings: self
                .classification
                .findings
                .iter()
                .zip(&self.verdict.findings)
                .map(|(f, v)| FindingJson {
                    finding: f,
                    environment: &v.environment,
                    decision: v.decision,
                })
                .collect(),
            rules: self
                .verdict
                .rules
                .iter()
                .map(|r| RuleJson {
                    name: &r.name,
                    decision: r.decision,
                })
                .collect(),
            command: &self.classification.command,
            digest: &self.digest,
            program: self.evidence.programs.first().map(|p| ProgramJson {
                name: &p.name,
                path: match &p.located {
                    Located::Found { path, .. } | Located::NotExecutable { path, .. } => Some(path),
                    Located::Missing { .. } => None,
                },
                canonical: match &p.located {
                    Located::Found { canonical, .. } => Some(canonical),
                    _ => None,
                },
                trusted: matches!(p.located, Located::Found { trusted: true, .. }),
                detail: match &p.located {
                    Located::Found { why, .. } => why.as_deref(),
                    Located::NotExecutable { why, .. } | Located::Missing { why } => Some(why),
                },
            }),
            inputs: &self.evidence.inputs,
        }
    }
}

#[derive(Serialize)]
pub struct ExplainJson<'a> {
    pub decision: Decision,
    pub risk: Risk,
    pub environment: &'a str,
    pub findings: Vec<FindingJson<'a>>,
    pub rules: Vec<RuleJson<'a>>,
    pub command: &'a str,
    pub digest: &'a str,
    /// Where the command's name led: the file gate would execute, and whether gate trusts it.
    pub program: Option<ProgramJson<'a>>,
    /// Every file gate read or looked for, with its digest or its absence.
    pub inputs: &'a [InputSeen],
}

#[derive(Serialize)]
pub struct ProgramJson<'a> {
    pub name: &'a str,
    pub path: Option<&'a String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical: Option<&'a String>,
    pub trusted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'a str>,
}

#[derive(Serialize)]
pub struct FindingJson<'a> {
    #[serde(flatten)]
    pub finding: &'a Finding,
    pub environment: &'a str,
    pub decision: Decision,
}

#[derive(Serialize)]
pub struct RuleJson<'a> {
    pub name: &'a str,
    pub decision: Decision,
}

/// Classifies a request, evaluates it against the policies in force, and binds it.
pub fn assess(request: &Request, policies: &PolicySet, sources: &dyn Adapter) -> Assessment {
    let classification = classify::classify(&request.argv, &request.env, sources);
    let evidence = sources.evidence();
    let matched = matched_command(&classification, &evidence);
    let subject = Subject {
        user: &request.requester.user,
        agent: request.requester.agent.as_deref(),
        command: &matched,
    };
    let verdict = policies.evaluate(&classification.findings, &subject);
    let target = serde_json::to_value(classification.primary_target()).unwrap_or_default();
    let stdin_digest = sources.stdin_digest();
    let digest = binding_digest(
        request,
        stdin_digest.as_deref(),
        &target,
        &policies.digest(),
        &evidence,
    );
    Assessment {
        classification,
        verdict,
        digest,
        stdin_digest,
        evidence,
    }
}

/// The command line a policy's `commands:` globs see. When the command's own program is a file gate does not
/// trust, its first word is that file's path, so that a rule written for `psql *` never matches a stand-in that
/// only borrowed the name.
fn matched_command(classification: &Classification, evidence: &Evidence) -> String {
    match evidence.programs.first().map(|p| &p.located) {
        Some(Located::Found {
            path,
            trusted: false,
            ..
        }) => {
            let mut words = classification.redacted_argv.clone();
            if let Some(first) = words.first_mut() {
                first.clone_from(path);
            }
            classify::shell::join(&words)
        }
        _ => classification.command.clone(),
    }
}

/// A target in one line, for people: `host=db port=5432 database=app user=ops`.
pub fn describe_target(t: &Target) -> String {
    let mut parts = Vec::new();
    if let Some(h) = &t.host {
        parts.push(format!("host={h}"));
    }
    if let Some(p) = t.port {
        parts.push(format!("port={p}"));
    }
    if let Some(d) = &t.database {
        parts.push(format!("database={d}"));
    }
    if let Some(u) = &t.user {
        parts.push(format!("user={u}"));
    }
    if parts.is_empty() {
        "(default connection)".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Requester;
    use std::collections::BTreeMap;

    #[test]
    fn explain_json_has_the_contract_fields() {
        let request = Request {
            argv: [
                "pg_dump",
                "-h",
                "db.prod.internal",
                "-t",
                "public.users",
                "app",
            ]
            .map(String::from)
            .to_vec(),
            cwd: "/".into(),
            env: BTreeMap::new(),
            requester: Requester {
                user: "alice".into(),
                agent: None,
            },
            reason: None,
        };
        let a = assess(&request, &PolicySet::built_in(), &NoSources);
        let json = serde_json::to_value(a.to_json()).unwrap();
        assert_eq!(json["decision"], "approve");
        assert_eq!(json["risk"], "high");
        assert_eq!(json["environment"], "production");
        assert_eq!(json["findings"][0]["kind"], "data_export");
        assert_eq!(json["findings"][0]["tool"], "pg_dump");
        assert_eq!(json["findings"][0]["target"]["host"], "db.prod.internal");
        assert_eq!(
            json["findings"][0]["target"]["port"],
            serde_json::Value::Null
        );
        assert_eq!(json["findings"][0]["objects"][0], "public.users");
        assert_eq!(json["rules"][0]["name"], "production-exports");
        assert_eq!(
            json["command"],
            "pg_dump -h db.prod.internal -t public.users app"
        );
        assert!(json["digest"].as_str().unwrap().starts_with("sha256:"));
    }
}
