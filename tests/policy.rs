//! `gate policy check|test`, `gate init` and `gate explain` through the real binary, and the shipped example
//! policies' own tests.

mod common;

use common::Home;
use predicates::prelude::*;

fn example_policies() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_policy_passes_its_own_tests() {
    let files = example_policies();
    assert!(
        files.len() >= 3,
        "a starter, a production database team and a CI pipeline"
    );
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("\ntests:"), "{} has tests", file.display());
        Home::new()
            .gate()
            .args(["policy", "test"])
            .arg(&file)
            .assert()
            .success()
            .stderr(predicate::str::contains(" passed, 0 failed"));
        Home::new()
            .gate()
            .args(["policy", "check"])
            .arg(&file)
            .assert()
            .success()
            .stdout(predicate::str::contains(": ok ("));
    }
}

#[test]
fn the_shipped_starter_is_the_built_in_one() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        std::fs::read_to_string(root.join("policies/starter.yaml")).unwrap(),
        gate::policy::STARTER,
        "policies/starter.yaml and src/policy/starter.yaml must match"
    );
}

#[test]
fn a_mismatching_case_fails_the_run_and_is_shown() {
    let home = Home::with_policy(
        "version: 1\nrules:\n  - {name: reads, match: {kinds: [read]}, decision: allow}\ntests:\n  - {run: \"pg_dump app\", expect: allow}\n  - {run: \"psql -c 'SELECT 1'\", expect: allow, rule: reads}\n",
    );
    home.gate()
        .args(["policy", "test"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL"))
        .stdout(predicate::str::contains("pg_dump app"))
        .stderr(predicate::str::contains("1 passed, 1 failed"))
        .stderr(predicate::str::contains(
            "error: 1 of 2 policy tests failed",
        ));
    let out = home
        .gate()
        .args(["policy", "test", "--json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let cases: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(cases.len(), 2);
    assert_eq!(
        (cases[0]["got"].as_str(), cases[0]["passed"].as_bool()),
        (Some("approve"), Some(false))
    );
}

#[test]
fn init_writes_the_starter_and_never_overwrites() {
    let home = Home::new();
    home.gate()
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote"))
        .stdout(predicate::str::contains("policy.yaml"));
    assert_eq!(
        std::fs::read_to_string(home.path().join("policy.yaml")).unwrap(),
        gate::policy::STARTER
    );
    home.gate().args(["policy", "test"]).assert().success();
    std::fs::write(home.path().join("policy.yaml"), "version: 1\n# mine\n").unwrap();
    home.gate()
        .arg("init")
        .assert()
        .success()
        .stderr(predicate::str::contains("kept"));
    assert_eq!(
        std::fs::read_to_string(home.path().join("policy.yaml")).unwrap(),
        "version: 1\n# mine\n"
    );
    // With a policy file in place the starter note is gone.
    home.gate()
        .args(["explain", "--", "true"])
        .assert()
        .success()
        .stderr(predicate::str::contains("built-in").not());
}

#[test]
fn explain_json_follows_the_contract_and_redacts() {
    let out = Home::new()
        .gate()
        .env("PGPASSWORD", "Canary-Env")
        .args([
            "explain",
            "--json",
            "--",
            "pg_dump",
            "postgres://ops:Canary-Uri@db.prod.internal:5432/app",
            "-t",
            "public.users",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stdout.contains("Canary") && !stderr.contains("Canary"));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["decision"], "approve");
    assert_eq!(json["risk"], "high");
    assert_eq!(json["environment"], "production");
    let f = &json["findings"][0];
    assert_eq!(
        (f["kind"].as_str(), f["tool"].as_str()),
        (Some("data_export"), Some("pg_dump"))
    );
    assert_eq!(
        f["target"],
        serde_json::json!({"host": "db.prod.internal", "port": 5432, "database": "app", "user": "ops"})
    );
    assert_eq!(f["objects"], serde_json::json!(["public.users"]));
    assert_eq!(
        json["rules"],
        serde_json::json!([{"name": "production-exports", "decision": "approve"}])
    );
    assert_eq!(
        json["command"],
        "pg_dump 'postgres://ops:***@db.prod.internal:5432/app' -t public.users"
    );
    assert!(json["digest"].as_str().unwrap().starts_with("sha256:"));
}

#[test]
fn the_digest_binds_the_unredacted_command() {
    let digest = |password: &str| -> String {
        let out = Home::new()
            .gate()
            .args([
                "explain",
                "--json",
                "--",
                "pg_dump",
                &format!("postgres://ops:{password}@db/app"),
            ])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["digest"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_ne!(
        digest("one"),
        digest("two"),
        "same redacted text, different commands"
    );
}

#[test]
fn channels_are_spelled_right_and_exist_on_the_broker() {
    let home = Home::new();
    let rule = |routing: &str| {
        format!(
            "version: 1\nrules:\n  - name: r\n    match: {{tools: [psql]}}\n    decision: approve\n{routing}"
        )
    };
    // Spelling is checked with the policy, always.
    for (routing, says) in [
        (
            "    notify: [email]\n",
            "rule `r` notifies `email`: gate knows the channels slack, teams and webhook",
        ),
        ("    notify: ['slack:']\n", "a Slack channel needs its name"),
        (
            "    escalate: opsgenie\n",
            "rule `r` escalates to `opsgenie`, which gate cannot page",
        ),
    ] {
        let file = home.write("p.yaml", &rule(routing));
        home.gate()
            .args(["policy", "check", file.to_str().unwrap()])
            .assert()
            .code(78)
            .stderr(predicate::str::contains(says))
            .stderr(predicate::str::contains("p.yaml:"))
            .stderr(predicate::str::contains("hint:"));
    }
    // Against a broker's config, every channel must exist there.
    let file = home.write(
        "p.yaml",
        &rule("    notify: ['slack:#db', 'webhook:soar', 'teams:ops']\n    escalate: pagerduty\n"),
    );
    let serve = home.write(
        "serve.yaml",
        "channels:\n  slack: {bot_token_file: /b, signing_secret_file: /s, team_id: T1}\n  webhooks: {soar: {url: 'https://soar.example', secret_file: /w}}\n  teams: {ops: {workflow_url_file: /t}}\n",
    );
    home.gate()
        .args([
            "policy",
            "check",
            file.to_str().unwrap(),
            "--serve-config",
            serve.to_str().unwrap(),
        ])
        .assert()
        .code(78)
        .stderr(predicate::str::contains(
            "rule `r` routes to `pagerduty`, but `channels.pagerduty` is not configured",
        ))
        .stderr(predicate::str::contains("hint:"));
    let serve = home.write(
        "serve.yaml",
        "channels:\n  slack: {bot_token_file: /b, signing_secret_file: /s, team_id: T1}\n  webhooks: {soar: {url: 'https://soar.example', secret_file: /w}}\n  teams: {ops: {workflow_url_file: /t}}\n  pagerduty: {routing_key_file: /k}\n",
    );
    home.gate()
        .args([
            "policy",
            "check",
            file.to_str().unwrap(),
            "--serve-config",
            serve.to_str().unwrap(),
        ])
        .assert()
        .success();
    home.gate()
        .args(["policy", "check", file.to_str().unwrap()])
        .assert()
        .success();
}
