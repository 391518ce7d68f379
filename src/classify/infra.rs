//! Infrastructure tools: `kubectl`, `aws` and `terraform`, read by their subcommands.

use super::{Finding, Kind, Risk, Sources, Target};

/// Splits an argv into flags (with the values of those that take one) and positional words.
fn split_flags<'a>(
    argv: &'a [String],
    value_flags: &[&str],
) -> (Vec<(&'a str, Option<&'a str>)>, Vec<&'a str>) {
    let mut flags = Vec::new();
    let mut words = Vec::new();
    let mut iter = argv.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            break;
        }
        if let Some((name, value)) = arg.split_once('=').filter(|_| arg.starts_with('-')) {
            flags.push((name, Some(value)));
        } else if value_flags.contains(&arg.as_str()) {
            flags.push((arg.as_str(), iter.next().map(String::as_str)));
        } else if arg.starts_with('-') && arg.len() > 1 {
            flags.push((arg.as_str(), None));
        } else {
            words.push(arg.as_str());
        }
    }
    (flags, words)
}

fn flag<'a>(flags: &[(&'a str, Option<&'a str>)], names: &[&str]) -> Option<&'a str> {
    flags
        .iter()
        .rev()
        .find(|(n, _)| names.contains(n))
        .and_then(|(_, v)| *v)
}

fn has(flags: &[(&str, Option<&str>)], names: &[&str]) -> bool {
    flags.iter().any(|(n, _)| names.contains(n))
}

const KUBECTL_VALUES: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--cluster",
    "--kubeconfig",
    "-o",
    "--output",
    "-l",
    "--selector",
    "-f",
    "--filename",
    "--server",
    "-s",
    "--user",
    "--token",
    "-c",
    "--container",
    "--as",
    "--as-group",
    "--field-selector",
    "--template",
    "--type",
    "--from-literal",
    "--from-file",
    "--image",
    "--replicas",
    "--timeout",
    "-k",
    "--kustomize",
];

/// Kinds of Kubernetes object that grant rights.
fn rbac(resource: &str) -> bool {
    let r = resource
        .split('/')
        .next()
        .unwrap_or(resource)
        .to_ascii_lowercase();
    [
        "rolebinding",
        "rolebindings",
        "clusterrolebinding",
        "clusterrolebindings",
        "role",
        "roles",
        "clusterrole",
        "clusterroles",
        "serviceaccount",
        "serviceaccounts",
        "sa",
        "secret",
        "secrets",
    ]
    .contains(&r.as_str())
}

/// `kubectl`. `exec … -- CMD` is unwrapped by the caller; this judges everything else.
pub fn kubectl(argv: &[String], sources: &dyn Sources) -> Vec<Finding> {
    let (flags, words) = split_flags(argv, KUBECTL_VALUES);
    let target = Target {
        host: flag(&flags, &["--context", "--cluster", "--server", "-s"]).map(str::to_string),
        database: flag(&flags, &["-n", "--namespace"]).map(str::to_string),
        ..Target::default()
    };
    let f = |kind: Kind, detail: String| Finding::new(kind, "kubectl", &target, detail);
    let verb = words.first().copied().unwrap_or("");
    let resource = words.get(1).copied().unwrap_or("");
    let objects: Vec<String> = words.iter().skip(1).map(ToString::to_string).collect();
    let output = flag(&flags, &["-o", "--output"]).unwrap_or("");
    match verb {
        "get"
            if resource.starts_with("secret")
                && ["yaml", "json"].iter().any(|o| output.starts_with(o))
                || output.starts_with("jsonpath") && resource.starts_with("secret")
                || output.starts_with("go-template") && resource.starts_with("secret") =>
        {
            vec![
                f(Kind::DataExport, format!("prints secret values ({output})"))
                    .with_objects(objects),
            ]
        }
        "config" if resource == "view" && has(&flags, &["--raw", "--flatten"]) => {
            vec![f(
                Kind::DataExport,
                "prints credentials from the kubeconfig".into(),
            )]
        }
        "get" | "describe" | "logs" | "top" | "explain" | "api-resources" | "api-versions"
        | "version" | "cluster-info" | "config" | "events" | "diff" | "wait" | "completion" => {
            vec![
                f(Kind::Read, format!("kubectl {verb} only reads"))
                    .with_risk(Risk::Low)
                    .with_objects(objects),
            ]
        }
        "auth" if resource == "can-i" || resource == "whoami" => {
            vec![f(Kind::Read, "checks rights".into())]
        }
        "auth" | "certificate" => vec![f(
            Kind::PermissionChange,
            format!("kubectl {verb} {resource} changes rights"),
        )],
        "delete" => {
            let risk = if [
                "namespace",
                "namespaces",
                "ns",
                "pv",
                "persistentvolume",
                "crd",
            ]
            .contains(&resource)
                || has(&flags, &["--all", "-A", "--all-namespaces"])
            {
                Risk::Critical
            } else {
                Risk::High
            };
            vec![
                f(Kind::DestructiveWrite, "deletes resources".into())
                    .with_risk(risk)
                    .with_objects(objects),
            ]
        }
        "create" | "apply" | "replace" | "patch" | "edit" | "set" | "label" | "annotate" => {
            let files: Vec<&str> = flags
                .iter()
                .filter(|(n, _)| ["-f", "--filename"].contains(n))
                .filter_map(|(_, v)| *v)
                .collect();
            let grants_rights = rbac(resource)
                || files.iter().any(|file| {
                    sources.read_file(file).is_some_and(|b| {
                        let text = String::from_utf8_lossy(&b);
                        text.lines().any(|l| {
                            let l = l.trim();
                            l.starts_with("kind:")
                                && [
                                    "Role",
                                    "ClusterRole",
                                    "RoleBinding",
                                    "ClusterRoleBinding",
                                    "ServiceAccount",
                                    "Secret",
                                ]
                                .iter()
                                .any(|k| l.trim_start_matches("kind:").trim() == *k)
                        })
                    })
                });
            let mut out = vec![
                f(Kind::Write, format!("kubectl {verb} changes resources"))
                    .with_objects(objects.clone()),
            ];
            if grants_rights {
                out.push(
                    f(
                        Kind::PermissionChange,
                        "creates or changes roles, bindings, service accounts or secrets".into(),
                    )
                    .with_objects(objects),
                );
            }
            if files
                .iter()
                .any(|file| sources.read_file(file).is_none() && *file != "-")
            {
                out.push(f(
                    Kind::Unknown,
                    "applies a manifest gate cannot read".into(),
                ));
            }
            out
        }
        "scale" | "rollout" | "expose" | "autoscale" => {
            vec![f(Kind::Write, format!("kubectl {verb} changes workloads")).with_objects(objects)]
        }
        "drain" | "cordon" | "uncordon" | "taint" | "port-forward" | "proxy" => vec![
            f(
                Kind::AdminConfig,
                format!("kubectl {verb} changes cluster operation"),
            )
            .with_objects(objects),
        ],
        "cp" => {
            let from_pod = words.get(1).is_some_and(|s| s.contains(':'));
            vec![if from_pod {
                f(Kind::DataExport, "copies files out of a pod".into())
            } else {
                f(Kind::Write, "copies files into a pod".into())
            }]
        }
        "run" | "debug" | "attach" | "exec" => vec![f(
            Kind::CodeExecution,
            format!("kubectl {verb} runs code in the cluster"),
        )],
        _ => vec![f(
            Kind::Unknown,
            format!("kubectl {verb} is not a subcommand gate knows"),
        )],
    }
}

const AWS_VALUES: &[&str] = &[
    "--profile",
    "--region",
    "--endpoint-url",
    "--output",
    "--query",
    "--cli-input-json",
    "--color",
    "--ca-bundle",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--bucket",
    "--key",
    "--user-name",
    "--role-name",
    "--policy-arn",
    "--group-name",
    "--secret-id",
    "--name",
    "--names",
    "--db-instance-identifier",
    "--instance-ids",
    "--exclude",
    "--include",
    "--acl",
    "--sse",
    "--storage-class",
    "--role-arn",
    "--role-session-name",
    "--policy-document",
];

/// `aws SERVICE OPERATION`.
pub fn aws(argv: &[String]) -> Vec<Finding> {
    let (flags, words) = split_flags(argv, AWS_VALUES);
    let service = words.first().copied().unwrap_or("");
    let op = words.get(1).copied().unwrap_or("");
    let bucket = |w: &str| {
        w.strip_prefix("s3://")
            .map(|r| r.split('/').next().unwrap_or(r).to_string())
    };
    let target = Target {
        host: flag(&flags, &["--endpoint-url"]).map(str::to_string),
        database: words
            .iter()
            .find_map(|w| bucket(w))
            .or_else(|| flag(&flags, &["--bucket"]).map(str::to_string)),
        user: flag(&flags, &["--profile"]).map(str::to_string),
        port: None,
    };
    let f = |kind: Kind, detail: String| Finding::new(kind, "aws", &target, detail);
    let s3_objects: Vec<String> = words
        .iter()
        .filter(|w| w.starts_with("s3://"))
        .map(ToString::to_string)
        .collect();
    let recursive = has(&flags, &["--recursive"]);
    match (service, op) {
        ("s3", "cp" | "sync" | "mv") => {
            let from_bucket = words.get(2).is_some_and(|w| w.starts_with("s3://"));
            let mut out = vec![if from_bucket {
                f(
                    Kind::DataExport,
                    format!("copies objects out of a bucket ({op})"),
                )
                .with_objects(s3_objects.clone())
            } else {
                f(Kind::Write, format!("uploads into a bucket ({op})"))
                    .with_objects(s3_objects.clone())
            }];
            if op == "mv" && from_bucket || op == "sync" && has(&flags, &["--delete"]) {
                out.push(
                    f(
                        Kind::DestructiveWrite,
                        "removes objects at the source or destination".into(),
                    )
                    .with_objects(s3_objects),
                );
            }
            out
        }
        ("s3", "rm") => vec![
            f(
                Kind::DestructiveWrite,
                if recursive {
                    "deletes every object under a prefix".into()
                } else {
                    "deletes an object".into()
                },
            )
            .with_objects(s3_objects),
        ],
        ("s3", "rb") => vec![
            f(Kind::DestructiveWrite, "removes a bucket".into())
                .with_risk(if has(&flags, &["--force"]) {
                    Risk::Critical
                } else {
                    Risk::High
                })
                .with_objects(s3_objects),
        ],
        ("s3", "ls") => vec![f(Kind::Read, "lists objects".into()).with_risk(Risk::Low)],
        ("s3", "presign") => vec![
            f(
                Kind::DataExport,
                "creates a link that hands an object to anyone holding it".into(),
            )
            .with_objects(s3_objects),
        ],
        ("s3", "mb") => vec![f(Kind::SchemaChange, "creates a bucket".into())],
        ("s3api", "get-object") => vec![f(Kind::DataExport, "downloads an object".into())],
        ("s3api", o)
            if o.starts_with("put-bucket-policy")
                || o.contains("-acl")
                || o.starts_with("put-public-access-block")
                || o.starts_with("delete-public-access-block") =>
        {
            vec![f(
                Kind::PermissionChange,
                format!("{o} changes who can reach the bucket"),
            )]
        }
        ("iam", o)
            if !(o.starts_with("get-")
                || o.starts_with("list-")
                || o.starts_with("simulate-")
                || o.starts_with("generate-")) =>
        {
            vec![
                f(
                    Kind::PermissionChange,
                    format!("iam {o} changes identities or their rights"),
                )
                .with_objects(
                    flag(&flags, &["--user-name", "--role-name", "--group-name"])
                        .map(str::to_string)
                        .into_iter()
                        .collect(),
                ),
            ]
        }
        ("sts", "assume-role" | "assume-role-with-web-identity" | "assume-role-with-saml") => {
            vec![f(
                Kind::PrivilegeSwitch,
                format!("sts {op} takes on another role's rights"),
            )]
        }
        ("secretsmanager", "get-secret-value")
        | ("ssm", "get-parameter" | "get-parameters" | "get-parameters-by-path") => {
            if service == "ssm" && !has(&flags, &["--with-decryption"]) {
                vec![f(Kind::Read, format!("{service} {op} without decryption"))]
            } else {
                vec![f(
                    Kind::DataExport,
                    format!("{service} {op} prints secret values"),
                )]
            }
        }
        (_, o)
            if o.starts_with("describe-")
                || o.starts_with("list-")
                || o.starts_with("get-")
                || o.starts_with("head-")
                || o == "ls"
                || o == "wait" =>
        {
            vec![f(Kind::Read, format!("{service} {o} only reads")).with_risk(Risk::Low)]
        }
        (_, o)
            if o.starts_with("delete-")
                || o.starts_with("terminate-")
                || o.starts_with("remove-")
                || o.starts_with("purge-")
                || o.starts_with("deregister-") =>
        {
            vec![f(
                Kind::DestructiveWrite,
                format!("{service} {o} destroys resources"),
            )]
        }
        (_, o)
            if o.starts_with("put-")
                || o.starts_with("create-")
                || o.starts_with("update-")
                || o.starts_with("modify-")
                || o.starts_with("start-")
                || o.starts_with("stop-")
                || o.starts_with("reboot-")
                || o.starts_with("tag-")
                || o.starts_with("attach-")
                || o.starts_with("detach-")
                || o.starts_with("run-")
                || o.starts_with("restore-") =>
        {
            vec![f(Kind::Write, format!("{service} {o} changes resources"))]
        }
        _ => vec![f(
            Kind::Unknown,
            format!("aws {service} {op} is an operation gate does not know"),
        )],
    }
}

/// `terraform [-chdir=DIR] SUBCOMMAND`.
pub fn terraform(argv: &[String]) -> Vec<Finding> {
    let (flags, words) = split_flags(
        argv,
        &[
            "-var",
            "-var-file",
            "-target",
            "-state",
            "-out",
            "-parallelism",
            "-lock-timeout",
        ],
    );
    let target = Target::default();
    let f = |kind: Kind, detail: &str| Finding::new(kind, "terraform", &target, detail);
    let sub = words.first().copied().unwrap_or("");
    let second = words.get(1).copied().unwrap_or("");
    let objects: Vec<String> = flags
        .iter()
        .filter(|(n, _)| *n == "-target")
        .filter_map(|(_, v)| v.map(str::to_string))
        .collect();
    match sub {
        "plan" | "show" | "validate" | "fmt" | "output" | "graph" | "providers" | "version"
        | "init" | "get" | "console" | "metadata" | "test" | "login" | "logout" => {
            vec![
                f(
                    Kind::Read,
                    &format!("terraform {sub} changes no infrastructure"),
                )
                .with_risk(Risk::Low),
            ]
        }
        "apply" if has(&flags, &["-destroy"]) => vec![
            f(
                Kind::DestructiveWrite,
                "apply -destroy destroys infrastructure",
            )
            .with_objects(objects),
        ],
        "apply" => vec![
            f(
                Kind::SchemaChange,
                "apply changes infrastructure to match the configuration",
            )
            .with_objects(objects),
        ],
        "destroy" => vec![
            f(
                Kind::DestructiveWrite,
                "destroys the managed infrastructure",
            )
            .with_risk(if objects.is_empty() {
                Risk::Critical
            } else {
                Risk::High
            })
            .with_objects(objects),
        ],
        "refresh" => vec![f(
            Kind::Write,
            "rewrites the state from real infrastructure",
        )],
        "import" | "taint" | "untaint" | "force-unlock" => vec![f(
            Kind::SchemaChange,
            &format!("terraform {sub} changes the state"),
        )],
        "state" if ["list", "show", "pull"].contains(&second) => {
            vec![f(Kind::Read, "reads the state").with_risk(Risk::Low)]
        }
        "state" => vec![f(
            Kind::SchemaChange,
            &format!("terraform state {second} edits the state"),
        )],
        "workspace" if ["list", "show", "select"].contains(&second) => {
            vec![f(Kind::Read, "workspace housekeeping").with_risk(Risk::Low)]
        }
        "workspace" if second == "delete" => vec![f(
            Kind::DestructiveWrite,
            "deletes a workspace and its state",
        )],
        "workspace" => vec![f(Kind::SchemaChange, "creates a workspace")],
        _ => vec![f(
            Kind::Unknown,
            &format!("terraform {sub} is a subcommand gate does not know"),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn kubectl_subcommands() {
        let k = |a: &[&str]| {
            kubectl(&s(a), &NoSources)
                .iter()
                .map(|f| f.kind)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            k(&["get", "secret", "db-creds", "-o", "yaml"]),
            [Kind::DataExport]
        );
        assert_eq!(
            k(&["get", "secret", "db-creds", "-o=json"]),
            [Kind::DataExport]
        );
        assert_eq!(k(&["get", "secrets"]), [Kind::Read]);
        assert_eq!(
            k(&["delete", "deployment", "api", "-n", "prod"]),
            [Kind::DestructiveWrite]
        );
        assert_eq!(
            k(&[
                "create",
                "rolebinding",
                "x",
                "--clusterrole=admin",
                "--user=bob"
            ]),
            [Kind::Write, Kind::PermissionChange]
        );
        assert_eq!(k(&["frobnicate"]), [Kind::Unknown]);
        let f = &kubectl(
            &s(&["--context", "prod-eu", "-n", "shop", "get", "pods"]),
            &NoSources,
        )[0];
        assert_eq!(
            (f.target.host.as_deref(), f.target.database.as_deref()),
            (Some("prod-eu"), Some("shop"))
        );
    }

    #[test]
    fn aws_operations() {
        let k = |a: &[&str]| aws(&s(a)).iter().map(|f| f.kind).collect::<Vec<_>>();
        assert_eq!(k(&["s3", "cp", "s3://bucket/key", "."]), [Kind::DataExport]);
        assert_eq!(
            k(&["s3", "sync", "s3://bucket", "/tmp/x"]),
            [Kind::DataExport]
        );
        assert_eq!(k(&["s3", "cp", "file", "s3://bucket/key"]), [Kind::Write]);
        assert_eq!(
            k(&["s3", "rm", "s3://bucket/", "--recursive"]),
            [Kind::DestructiveWrite]
        );
        assert_eq!(
            k(&["iam", "create-access-key", "--user-name", "deploy"]),
            [Kind::PermissionChange]
        );
        assert_eq!(k(&["iam", "list-users"]), [Kind::Read]);
        assert_eq!(
            k(&["secretsmanager", "get-secret-value", "--secret-id", "x"]),
            [Kind::DataExport]
        );
        assert_eq!(
            k(&["ec2", "terminate-instances", "--instance-ids", "i-1"]),
            [Kind::DestructiveWrite]
        );
    }

    #[test]
    fn terraform_subcommands() {
        let k = |a: &[&str]| terraform(&s(a))[0].kind;
        assert_eq!(k(&["plan"]), Kind::Read);
        assert_eq!(
            k(&["-chdir=infra", "apply", "-auto-approve"]),
            Kind::SchemaChange
        );
        assert_eq!(k(&["apply", "-destroy"]), Kind::DestructiveWrite);
        assert_eq!(k(&["destroy"]), Kind::DestructiveWrite);
    }
}
