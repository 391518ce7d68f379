//! Infrastructure tools: `kubectl`/`oc`, `aws` and `terraform`/`tofu`. Each lives in its own module because each
//! has its own argument syntax (Go pflag, Python argparse, Go `flag`), its own startup files (kubeconfig and
//! kuberc, `~/.aws/config` and the alias file, `.terraformrc` and `TF_CLI_ARGS`) and its own ways of running a
//! program gate never sees (credential plugins, `credential_process`, providers and `data "external"`). This file
//! holds what they share: reading YAML the way the tools do, finding the home directory, and joining paths.

use std::collections::BTreeMap;

use super::{Finding, Kind, Target};

#[path = "aws.rs"]
pub mod aws;
#[path = "kubectl.rs"]
pub mod kubectl;
#[path = "terraform.rs"]
pub mod terraform;

/// The most YAML documents gate reads from one manifest or kubeconfig; more is `unknown`, not a long wait.
pub(crate) const MAX_DOCUMENTS: usize = 1000;
/// The largest manifest or kubeconfig gate parses; a parsed YAML tree takes many times its text in memory.
pub(crate) const MAX_YAML_BYTES: usize = 8 * 1024 * 1024;
/// How deep gate follows `kind: List` items inside items.
pub(crate) const MAX_LIST_DEPTH: usize = 4;

/// Parses every YAML (or JSON) document in `text` strictly: duplicate keys are an error (Go's decoders let the
/// last one win, a reader that kept the first would see a different file), and so is a merge key (`<<`), which
/// the YAML 1.1 decoders in Go resolve and gate does not model.
pub(crate) fn yaml_documents(text: &str) -> Result<Vec<serde_json::Value>, String> {
    if text.len() > MAX_YAML_BYTES {
        return Err(format!(
            "it is larger than the {} MiB gate parses",
            MAX_YAML_BYTES >> 20
        ));
    }
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple_with_options(text, options)
        .map_err(|e| format!("gate cannot parse it as YAML: {e}"))?;
    if docs.len() > MAX_DOCUMENTS {
        return Err(format!(
            "it holds more than {MAX_DOCUMENTS} documents, more than gate reads"
        ));
    }
    if has_merge_marker(text) || docs.iter().any(|d| has_merge_key(d, 0)) {
        return Err("it uses a YAML merge key (`<<`), which gate does not resolve".into());
    }
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// `<<` used as a key anywhere (plain or quoted), whether or not the parser resolved it.
fn has_merge_marker(text: &str) -> bool {
    text.match_indices("<<").any(|(at, _)| {
        text[at + 2..]
            .trim_start_matches(['"', '\'', ' ', '\t'])
            .starts_with(':')
    })
}

fn has_merge_key(value: &serde_json::Value, depth: usize) -> bool {
    if depth > 64 {
        return true;
    }
    match value {
        serde_json::Value::Object(map) => {
            map.contains_key("<<") || map.values().any(|v| has_merge_key(v, depth + 1))
        }
        serde_json::Value::Array(items) => items.iter().any(|v| has_merge_key(v, depth + 1)),
        _ => false,
    }
}

/// The home directory the tool will use, from the command's environment. `None` when `HOME` is unset or empty:
/// each tool then does something different, which its module decides.
pub(crate) fn home(env: &BTreeMap<String, String>) -> Option<&str> {
    env.get("HOME")
        .map(String::as_str)
        .filter(|h| !h.is_empty())
}

/// `path` as the tool resolves it from directory `dir` (`None`: the command's own working directory).
pub(crate) fn join(dir: Option<&str>, path: &str) -> String {
    match dir {
        Some(dir) if !path.starts_with('/') => format!("{}/{path}", dir.trim_end_matches('/')),
        _ => path.to_string(),
    }
}

/// A finding for one of these tools.
pub(crate) fn finding(
    tool: &str,
    target: &Target,
    kind: Kind,
    detail: impl Into<String>,
) -> Finding {
    Finding::new(kind, tool, target, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thousand_documents_are_read() {
        let doc =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1}\n";
        let text = vec![doc; MAX_DOCUMENTS].join("---\n");
        let started = std::time::Instant::now();
        assert_eq!(yaml_documents(&text).unwrap().len(), MAX_DOCUMENTS);
        eprintln!("{} documents in {:?}", MAX_DOCUMENTS, started.elapsed());
    }

    #[test]
    fn yaml_reading_is_strict() {
        assert_eq!(yaml_documents("a: 1\n---\nb: 2\n").unwrap().len(), 2);
        assert!(yaml_documents("a: 1\na: 2\n").is_err(), "duplicate keys");
        assert!(
            yaml_documents("x: &m {k: v}\ny:\n  <<: *m\n").is_err(),
            "merge keys"
        );
        let many = "a: 1\n---\n".repeat(MAX_DOCUMENTS + 1);
        assert!(yaml_documents(&many).is_err(), "document bound");
        let huge = format!("a: \"{}\"\n", "x".repeat(MAX_YAML_BYTES));
        assert!(yaml_documents(&huge).is_err(), "size bound");
        let nested = format!("{}1{}", "[".repeat(20_000), "]".repeat(20_000));
        assert!(
            yaml_documents(&nested).is_err(),
            "depth bound, not a stack overflow"
        );
        assert_eq!(join(Some("/srv/"), "x.yaml"), "/srv/x.yaml");
        assert_eq!(join(Some("/srv"), "/etc/x"), "/etc/x");
        assert_eq!(join(None, "x"), "x");
    }
}
