//! The public, labelled corpus (../shared/corpus, with a committed copy in tests/data/corpus): every case
//! through the real `gate explain --json`, with its files and stdin, under the corpus policy.

mod common;

use std::path::PathBuf;

use common::Home;

fn corpus_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/corpus");
    if shared.join("commands.jsonl").is_file() {
        shared
    } else {
        root.join("tests/data/corpus")
    }
}

#[test]
fn every_corpus_case_is_classified_as_labelled() {
    let dir = corpus_dir();
    let policy = std::fs::read_to_string(dir.join("policy.yaml")).unwrap();
    let cases = std::fs::read_to_string(dir.join("commands.jsonl")).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        count += 1;
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let home = Home::with_policy(&policy);
        for (name, text) in case["files"].as_object().into_iter().flatten() {
            home.write(name, text.as_str().unwrap());
        }
        let argv: Vec<String> = case["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        let mut cmd = home.gate();
        // A system PATH and a home of its own, so that the machine's own tool shims and startup files (a pyenv
        // `aws`, a ~/.psqlrc) do not change what the labelled commands are.
        cmd.env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("HOME", home.path());
        cmd.args(["explain", "--json", "--"]).args(&argv);
        cmd.write_stdin(case["stdin"].as_str().unwrap_or("").as_bytes().to_vec());
        let out = cmd.output().unwrap();
        let id = &case["id"];
        if !out.status.success() {
            failures.push(format!(
                "#{id}: exit {:?}: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let kinds: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        let expect: Vec<&str> = case["expect"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        for k in &expect {
            if !kinds.contains(k) {
                failures.push(format!("#{id} {argv:?}: expected {k}, got {kinds:?}"));
            }
        }
        if let Some(env) = case["environment"].as_str()
            && json["environment"] != env
        {
            failures.push(format!(
                "#{id}: environment {} instead of {env}",
                json["environment"]
            ));
        }
        for secret in case["secrets"].as_array().into_iter().flatten() {
            let secret = secret.as_str().unwrap();
            if stdout.contains(secret) || stderr.contains(secret) {
                failures.push(format!("#{id}: secret {secret} leaked"));
            }
        }
        let only_read = expect.iter().all(|k| *k == "read");
        let allowed = json["decision"] == "allow";
        if only_read != allowed {
            failures.push(format!(
                "#{id} {argv:?}: decision {} but expect {expect:?} (kinds {kinds:?})",
                json["decision"]
            ));
        }
    }
    assert!(count >= 52, "the corpus has its cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
