//! Attacks on the infrastructure tools through the real binary, under a reads-only policy: `gate explain --json`
//! must refuse everything that is not a proven read, and still allow the reads people use every day. Each case
//! runs with HOME (and everything else in the environment) set by the test, so this machine's own ~/.kube,
//! ~/.aws and ~/.terraformrc never leak in. Nothing reaches a cluster or a cloud: `explain` runs nothing.
//!
//! The cases come from the tools' documentation: kubectl's `get --help` (output formats, `--raw`,
//! `--template`), the kubeconfig and kuberc references (exec credential plugins), the AWS CLI user guide
//! (`file://` parameters, aliases, `credential_process`, `cli_pager`) and Terraform's CLI documentation
//! (`TF_CLI_ARGS`, `-chdir`, `test`, `console`, `import`, `state`).

mod common;

use common::Home;

use common::READS_ONLY;

/// One command and the world it runs in.
struct Case {
    argv: &'static [&'static str],
    /// Files relative to the working directory; `~/` is the test's HOME.
    files: &'static [(&'static str, &'static str)],
    env: &'static [(&'static str, &'static str)],
    stdin: &'static str,
    /// The decision under the reads-only policy.
    allow: bool,
    /// A kind the findings must include.
    kind: &'static str,
}

/// A directory `terraform init` has run in: its data directory holds what plan would start.
const INITIALISED: &[(&str, &str)] = &[(".terraform/modules/modules.json", "{}")];

const fn case(argv: &'static [&'static str], allow: bool, kind: &'static str) -> Case {
    Case {
        argv,
        files: &[],
        env: &[],
        stdin: "",
        allow,
        kind,
    }
}

fn check(cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let home = Home::with_policy(READS_ONLY);
        let user_home = home.path().join("home");
        std::fs::create_dir_all(&user_home).unwrap();
        for (name, text) in c.files {
            let path = match name.strip_prefix("~/") {
                Some(rest) => user_home.join(rest),
                None => home.path().join(name),
            };
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let mut cmd = home.gate();
        cmd.env_clear()
            .env("GATE_HOME", home.path())
            .env("NO_COLOR", "1")
            .env("HOME", &user_home)
            .env("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (k, v) in c.env {
            cmd.env(k, v);
        }
        cmd.args(["explain", "--json", "--"]).args(c.argv);
        cmd.write_stdin(c.stdin.as_bytes().to_vec());
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&stdout) else {
            failures.push(format!(
                "{:?}: no JSON (exit {:?}): {}",
                c.argv,
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        };
        let kinds: Vec<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap())
            .collect();
        let allowed = json["decision"] == "allow";
        if allowed != c.allow || !kinds.contains(&c.kind) {
            failures.push(format!(
                "{:?} env {:?}: decision {} (want {}), kinds {kinds:?} (want {}): {}",
                c.argv,
                c.env,
                json["decision"],
                if c.allow { "allow" } else { "deny" },
                c.kind,
                json["findings"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kubectl_secret_reads_in_any_output_form_are_exports() {
    let secret_file: &[(&str, &str)] = &[(
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: app}\n",
    )];
    check(&[
        case(
            &["kubectl", "get", "secret", "db", "-o", "yaml"],
            false,
            "data_export",
        ),
        case(
            &["kubectl", "get", "secrets", "-ojson"],
            false,
            "data_export",
        ),
        case(
            &[
                "kubectl",
                "get",
                "Secret",
                "db",
                "-o=jsonpath={.data.password}",
            ],
            false,
            "data_export",
        ),
        case(
            &[
                "kubectl",
                "get",
                "secrets.v1.",
                "-o",
                "go-template={{.data}}",
            ],
            false,
            "data_export",
        ),
        case(
            &[
                "kubectl",
                "get",
                "configmap,secret",
                "-n",
                "app",
                "-o",
                "yaml",
            ],
            false,
            "data_export",
        ),
        case(
            &[
                "kubectl",
                "get",
                "secret/db",
                "-o",
                "custom-columns=PW:.data.password",
            ],
            false,
            "data_export",
        ),
        case(
            &[
                "kubectl",
                "get",
                "secret",
                "db",
                "--template={{.data.password}}",
            ],
            false,
            "data_export",
        ),
        case(
            &["kubectl", "get", "--raw", "/api/v1/namespaces/app/secrets"],
            false,
            "data_export",
        ),
        case(
            &[
                "kubectl",
                "-n",
                "app",
                "get",
                "SECRETS",
                "-w",
                "--output-watch-events",
                "-o",
                "json",
            ],
            false,
            "data_export",
        ),
        Case {
            files: secret_file,
            ..case(
                &["kubectl", "get", "-f", "s.yaml", "-o", "yaml"],
                false,
                "data_export",
            )
        },
        case(
            &["kubectl", "config", "view", "--raw"],
            false,
            "data_export",
        ),
        case(
            &["kubectl", "create", "token", "default"],
            false,
            "data_export",
        ),
        case(&["kubectl", "edit", "secret", "db"], false, "data_export"),
        // A short name is resolved through the discovery cache, which a requester can write.
        case(&["kubectl", "get", "po", "-o", "yaml"], false, "unknown"),
    ]);
}

#[test]
fn kubectl_unknown_flags_plugins_and_startup_files_are_unknown() {
    let evil_exec: &[(&str, &str)] = &[(
        "~/.kube/config",
        "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters:\n- name: k\n  cluster: {server: 'https://k8s.example.com'}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args: [-c, 'touch /tmp/pwned; echo {}']\n",
    )];
    check(&[
        case(
            &["kubectl", "get", "pods", "--frobnicate"],
            false,
            "unknown",
        ),
        case(&["kubectl", "get", "pods", "--all-name"], false, "unknown"),
        case(&["kubectl", "pwn", "now"], false, "unknown"),
        case(
            &["kubectl", "get", "pods", "--as=system:admin"],
            false,
            "privilege_switch",
        ),
        case(&["kubectl", "alpha", "kuberc"], false, "unknown"),
        case(
            &["kubectl", "--cache-dir=/tmp/fake", "get", "pods"],
            false,
            "unknown",
        ),
        case(&["kubectl", "diff", "-f", "x.yaml"], false, "unknown"),
        case(&["kubectl", "proxy", "--port=8001"], false, "unknown"),
        case(
            &["kubectl", "port-forward", "svc/db", "5432"],
            false,
            "unknown",
        ),
        Case {
            files: evil_exec,
            ..case(&["kubectl", "get", "pods", "-n", "app"], false, "unknown")
        },
        Case {
            files: &[(
                "other.yaml",
                "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    exec: {command: ./steal, apiVersion: client.authentication.k8s.io/v1}\n",
            )],
            ..case(
                &["kubectl", "--kubeconfig=other.yaml", "get", "pods"],
                false,
                "unknown",
            )
        },
        Case {
            files: &[(
                "k2",
                "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    auth-provider: {name: gcp, config: {cmd-path: /tmp/x}}\n",
            )],
            env: &[("KUBECONFIG", "missing:k2")],
            ..case(&["kubectl", "get", "pods"], false, "unknown")
        },
        Case {
            files: &[(
                "~/.kube/kuberc",
                "apiVersion: kubectl.config.k8s.io/v1beta1\nkind: Preference\n",
            )],
            ..case(&["kubectl", "get", "pods"], false, "unknown")
        },
        Case {
            env: &[("KUBECACHEDIR", "/tmp/fake")],
            ..case(&["kubectl", "get", "pods"], false, "unknown")
        },
    ]);
}

#[test]
fn kubectl_manifests_are_read_and_classified() {
    let files: &[(&str, &str)] = &[
        (
            "rbac.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: pwn}\nroleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}\n",
        ),
        (
            "list.json",
            r#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "x"}}]}"#,
        ),
        (
            "widget.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
        ),
        (
            "dup.yaml",
            "apiVersion: v1\nkind: ConfigMap\nkind: ClusterRoleBinding\n",
        ),
        (
            "deploy.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\n",
        ),
    ];
    check(&[
        Case {
            files,
            ..case(
                &["kubectl", "apply", "-f", "rbac.yaml"],
                false,
                "permission_change",
            )
        },
        Case {
            files,
            ..case(
                &["kubectl", "create", "-f=list.json"],
                false,
                "permission_change",
            )
        },
        Case {
            files,
            ..case(
                &["kubectl", "apply", "-f", "deploy.yaml,rbac.yaml"],
                false,
                "permission_change",
            )
        },
        Case {
            files,
            ..case(
                &["kubectl", "replace", "--force", "-f", "deploy.yaml"],
                false,
                "destructive_write",
            )
        },
        Case {
            files,
            ..case(
                &["kubectl", "delete", "-f", "rbac.yaml"],
                false,
                "destructive_write",
            )
        },
        Case {
            files,
            ..case(&["kubectl", "apply", "-f", "widget.yaml"], false, "unknown")
        },
        Case {
            files,
            ..case(&["kubectl", "apply", "-f", "dup.yaml"], false, "unknown")
        },
        Case {
            files,
            ..case(
                &["kubectl", "apply", "-f", "missing.yaml"],
                false,
                "unknown",
            )
        },
        case(
            &["kubectl", "apply", "-f", "https://example.com/x.yaml"],
            false,
            "unknown",
        ),
        case(
            &["kubectl", "apply", "-k", "overlays/prod"],
            false,
            "unknown",
        ),
        Case {
            stdin: "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: x}\n",
            ..case(&["kubectl", "apply", "-f", "-"], false, "permission_change")
        },
        Case {
            files,
            ..case(
                &["kubectl", "apply", "--prune", "--all", "-f", "deploy.yaml"],
                false,
                "destructive_write",
            )
        },
        Case {
            files,
            ..case(
                &["kubectl", "apply", "-f", "deploy.yaml", "--dry-run=client"],
                true,
                "read",
            )
        },
    ]);
}

#[test]
fn kubectl_reads_stay_allowed() {
    let gke: &[(&str, &str)] = &[(
        "~/.kube/config",
        "apiVersion: v1\nkind: Config\ncurrent-context: prod\ncontexts:\n- name: prod\n  context: {cluster: gke, user: gke}\nclusters:\n- name: gke\n  cluster: {server: 'https://10.0.0.1'}\nusers:\n- name: gke\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: gke-gcloud-auth-plugin\n      provideClusterInfo: true\n",
    )];
    check(&[
        case(&["kubectl", "get", "pods", "-n", "app"], true, "read"),
        case(
            &["kubectl", "get", "pods", "-nnapp", "-o", "wide"],
            true,
            "read",
        ),
        case(
            &["kubectl", "get", "deployments", "-A", "-o", "yaml"],
            true,
            "read",
        ),
        case(&["kubectl", "get", "secrets", "-n", "app"], true, "read"),
        case(&["kubectl", "describe", "secret", "db"], true, "read"),
        case(
            &["kubectl", "logs", "api-0", "-c", "app", "--tail=100"],
            true,
            "read",
        ),
        case(
            &["kubectl", "auth", "can-i", "delete", "pods"],
            true,
            "read",
        ),
        case(&["kubectl", "config", "get-contexts"], true, "read"),
        case(&["kubectl", "version", "--client"], true, "read"),
        case(&["oc", "get", "pods"], true, "read"),
        Case {
            files: gke,
            ..case(&["kubectl", "top", "pods"], true, "read")
        },
    ]);
}

#[test]
fn aws_credential_minting_and_decryption_are_exports() {
    check(&[
        case(
            &["aws", "ecr", "get-login-password", "--region", "eu-west-1"],
            false,
            "data_export",
        ),
        case(
            &["aws", "ecr", "get-authorization-token"],
            false,
            "data_export",
        ),
        case(
            &[
                "aws",
                "sts",
                "get-session-token",
                "--duration-seconds",
                "900",
            ],
            false,
            "data_export",
        ),
        case(
            &[
                "aws",
                "sts",
                "assume-role",
                "--role-arn",
                "arn:aws:iam::1:role/x",
                "--role-session-name",
                "s",
            ],
            false,
            "data_export",
        ),
        case(
            &[
                "aws",
                "ssm",
                "get-parameter",
                "--name",
                "/db/pw",
                "--with-decryption",
            ],
            false,
            "data_export",
        ),
        case(
            &[
                "aws",
                "ssm",
                "get-parameters-by-path",
                "--path",
                "/",
                "--recursive",
                "--with-decrypt",
            ],
            false,
            "data_export",
        ),
        case(
            &[
                "aws",
                "ssm",
                "get-parameters",
                "--names",
                "a",
                "--cli-input-json",
                "{\"WithDecryption\": true}",
            ],
            false,
            "data_export",
        ),
        case(
            &["aws", "ec2", "get-password-data", "--instance-id", "i-1"],
            false,
            "data_export",
        ),
        case(
            &[
                "aws",
                "secretsmanager",
                "get-secret-value",
                "--secret-id",
                "prod/db",
            ],
            false,
            "data_export",
        ),
        case(
            &["aws", "kms", "decrypt", "--ciphertext-blob", "fileb://blob"],
            false,
            "data_export",
        ),
        case(
            &["aws", "eks", "get-token", "--cluster-name", "prod"],
            false,
            "data_export",
        ),
        case(
            &[
                "aws",
                "rds",
                "generate-db-auth-token",
                "--hostname",
                "db",
                "--port",
                "5432",
                "--username",
                "u",
            ],
            false,
            "data_export",
        ),
        case(
            &["aws", "iam", "create-access-key", "--user-name", "deploy"],
            false,
            "data_export",
        ),
    ]);
}

#[test]
fn aws_files_aliases_and_config_are_inputs() {
    check(&[
        case(
            &[
                "aws",
                "ec2",
                "describe-instances",
                "--filters",
                "file://filters.json",
            ],
            false,
            "unknown",
        ),
        Case {
            files: &[(
                "filters.json",
                "[{\"Name\": \"tag:env\", \"Values\": [\"prod\"]}]",
            )],
            ..case(
                &[
                    "aws",
                    "ec2",
                    "describe-instances",
                    "--filters",
                    "file://filters.json",
                ],
                true,
                "read",
            )
        },
        Case {
            files: &[("in.yaml", "Name: /db/pw\nWithDecryption: true\n")],
            ..case(
                &[
                    "aws",
                    "ssm",
                    "get-parameter",
                    "--cli-input-yaml",
                    "file://in.yaml",
                ],
                false,
                "data_export",
            )
        },
        Case {
            files: &[(
                "~/.aws/cli/alias",
                "[toplevel]\nec2 = !f() { touch /tmp/pwned; }; f\n",
            )],
            ..case(&["aws", "ec2", "describe-instances"], false, "unknown")
        },
        Case {
            files: &[(
                "~/.aws/cli/alias",
                "[toplevel]\nwhoami = iam delete-user --user-name admin\n",
            )],
            ..case(&["aws", "whoami"], false, "unknown")
        },
        Case {
            files: &[(
                "~/.aws/config",
                "[profile prod]\nregion = eu-west-1\ncredential_process = /tmp/steal --all\n",
            )],
            ..case(&["aws", "--profile", "prod", "s3", "ls"], false, "unknown")
        },
        Case {
            files: &[("cfg", "[default]\nCREDENTIAL_PROCESS: sh -c id\n")],
            env: &[("AWS_CONFIG_FILE", "cfg")],
            ..case(&["aws", "sts", "get-caller-identity"], false, "unknown")
        },
        Case {
            files: &[(
                "~/.aws/config",
                "[plugins]\ncli_legacy_plugin_path = /tmp\nevil = evil\n",
            )],
            ..case(&["aws", "ec2", "describe-regions"], false, "unknown")
        },
        Case {
            env: &[("AWS_PAGER", "sh -c 'touch /tmp/pwned'")],
            ..case(&["aws", "ec2", "describe-regions"], false, "unknown")
        },
        Case {
            env: &[("AWS_DATA_PATH", "/tmp/models")],
            ..case(&["aws", "ec2", "describe-regions"], false, "unknown")
        },
        case(
            &["aws", "ec2", "describe-regions", "--cli-auto-prompt"],
            false,
            "unknown",
        ),
        case(&["aws", "frobnicate", "list-things"], false, "unknown"),
    ]);
}

#[test]
fn aws_s3_directions() {
    check(&[
        case(
            &["aws", "s3", "cp", "s3://prod-data/users.csv", "."],
            false,
            "data_export",
        ),
        case(
            &["aws", "s3", "cp", "s3://prod-data/users.csv", "-"],
            false,
            "data_export",
        ),
        case(
            &["aws", "s3", "sync", "s3://prod-data", "./backup"],
            false,
            "data_export",
        ),
        case(
            &["aws", "s3", "cp", "s3://prod-data/k", "s3://elsewhere/k"],
            false,
            "data_export",
        ),
        case(
            &["aws", "s3", "cp", "report.csv", "s3://prod-data/"],
            false,
            "write",
        ),
        case(
            &["aws", "s3", "mv", "s3://prod-data/k", "./k"],
            false,
            "destructive_write",
        ),
        case(
            &["aws", "s3", "sync", ".", "s3://prod-data", "--delete"],
            false,
            "destructive_write",
        ),
        case(
            &["aws", "s3", "rm", "s3://prod-data", "--recursive"],
            false,
            "destructive_write",
        ),
        case(
            &["aws", "s3", "rb", "s3://prod-data", "--force"],
            false,
            "destructive_write",
        ),
        case(
            &["aws", "s3", "cp", "x", "s3://b/x", "--acl", "public-read"],
            false,
            "permission_change",
        ),
        case(
            &["aws", "s3", "presign", "s3://prod-data/users.csv"],
            false,
            "data_export",
        ),
        case(
            &[
                "aws",
                "s3api",
                "get-object",
                "--bucket",
                "b",
                "--key",
                "k",
                "out",
            ],
            false,
            "data_export",
        ),
        case(
            &["aws", "s3", "ls", "s3://bucket", "--frobnicate"],
            false,
            "unknown",
        ),
    ]);
}

#[test]
fn aws_reads_stay_allowed() {
    check(&[
        case(&["aws", "s3", "ls", "s3://bucket"], true, "read"),
        case(&["aws", "s3", "ls"], true, "read"),
        case(
            &["aws", "ec2", "describe-instances", "--region", "eu-west-1"],
            true,
            "read",
        ),
        case(
            &[
                "aws",
                "--reg",
                "eu-west-1",
                "ec2",
                "describe-vpcs",
                "--output",
                "table",
            ],
            true,
            "read",
        ),
        case(&["aws", "sts", "get-caller-identity"], true, "read"),
        case(
            &["aws", "ssm", "get-parameter", "--name", "/app/flag"],
            true,
            "read",
        ),
        case(
            &["aws", "iam", "list-roles", "--no-cli-pager"],
            true,
            "read",
        ),
        Case {
            files: &[(
                "~/.aws/config",
                "[default]\nregion = eu-west-1\noutput = json\n[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = ro\n[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n",
            )],
            ..case(
                &["aws", "--profile", "sso", "logs", "describe-log-groups"],
                true,
                "read",
            )
        },
    ]);
}

#[test]
fn terraform_test_console_import_state_and_environment() {
    check(&[
        case(&["terraform", "test"], false, "schema_change"),
        case(&["terraform", "console"], false, "unknown"),
        case(
            &["terraform", "import", "aws_instance.web", "i-123"],
            false,
            "schema_change",
        ),
        case(
            &["terraform", "state", "rm", "aws_instance.web"],
            false,
            "schema_change",
        ),
        case(
            &["terraform", "state", "mv", "a.b", "a.c"],
            false,
            "schema_change",
        ),
        case(
            &["terraform", "state", "push", "evil.tfstate"],
            false,
            "destructive_write",
        ),
        case(&["terraform", "state", "pull"], false, "data_export"),
        case(
            &["terraform", "state", "show", "aws_db_instance.main"],
            false,
            "code_execution",
        ),
        case(&["terraform", "output", "-json"], false, "data_export"),
        case(
            &["terraform", "output", "-raw", "db_password"],
            false,
            "data_export",
        ),
        // Once `init` has installed providers into the data directory, plan and validate start them.
        Case {
            files: INITIALISED,
            ..case(&["terraform", "plan"], false, "code_execution")
        },
        Case {
            files: INITIALISED,
            ..case(&["terraform", "validate"], false, "code_execution")
        },
        Case {
            files: &[("elsewhere/.terraform/modules/modules.json", "{}")],
            ..case(
                &["terraform", "-chdir=elsewhere", "plan"],
                false,
                "code_execution",
            )
        },
        Case {
            files: &[("tfdata/modules/modules.json", "{}")],
            env: &[("TF_DATA_DIR", "tfdata")],
            ..case(&["terraform", "plan"], false, "code_execution")
        },
        case(&["tofu", "plan", "-out=tf.plan"], false, "write"),
        case(&["terraform", "fmt"], false, "write"),
        case(&["terraform", "fmt", "-check", "-diff"], false, "unknown"),
        case(
            &["terraform", "output", "-install-autocomplete"],
            false,
            "write",
        ),
        case(
            &["terraform", "-chdir", "infra", "output"],
            false,
            "unknown",
        ),
        case(
            &["terraform", "-chdir=infra", "destroy", "-auto-approve"],
            false,
            "destructive_write",
        ),
        Case {
            env: &[("TF_CLI_ARGS", "destroy -auto-approve")],
            ..case(&["terraform"], false, "destructive_write")
        },
        Case {
            env: &[("TF_CLI_ARGS_output", "-json")],
            ..case(&["terraform", "output"], false, "data_export")
        },
        Case {
            env: &[("TF_CLI_ARGS_state_list", "-state=$(touch /tmp/x)")],
            ..case(&["terraform", "state", "list"], false, "unknown")
        },
        Case {
            env: &[(
                "TF_REATTACH_PROVIDERS",
                "{\"registry.terraform.io/hashicorp/null\": {}}",
            )],
            ..case(&["terraform", "output"], false, "unknown")
        },
        Case {
            files: &[(
                "infra/.terraform/terraform.tfstate",
                r#"{"version": 3, "backend": {"type": "s3", "config": {"bucket": "b"}}}"#,
            )],
            ..case(
                &["terraform", "-chdir=infra", "state", "list"],
                false,
                "unknown",
            )
        },
        Case {
            files: &[(
                "~/.terraformrc",
                "provider_installation {\n  dev_overrides {\n    \"hashicorp/null\" = \"/tmp/evil\"\n  }\n}\nfrobnicate = true\n",
            )],
            ..case(&["terraform", "output"], false, "unknown")
        },
    ]);
}

#[test]
fn terraform_reads_stay_allowed() {
    check(&[
        case(&["terraform", "version"], true, "read"),
        case(&["terraform", "-version"], true, "read"),
        case(&["tofu", "version", "-json"], true, "read"),
        case(&["terraform", "fmt", "-check", "-recursive"], true, "read"),
        case(&["terraform", "output"], true, "read"),
        case(
            &["terraform", "-chdir=infra", "state", "list"],
            true,
            "read",
        ),
        case(&["terraform", "workspace", "show"], true, "read"),
        case(&["terraform", "plan", "-help"], true, "read"),
        // With no data directory nothing but terraform itself runs (the corpus labels this one a read).
        case(&["terraform", "plan"], true, "read"),
        case(&["terraform", "validate"], true, "read"),
        Case {
            files: &[
                (
                    "infra/.terraform/terraform.tfstate",
                    r#"{"version": 3, "backend": {"type": "local", "config": {"path": null}}}"#,
                ),
                (
                    "~/.terraformrc",
                    "plugin_cache_dir = \"$HOME/.terraform.d/plugin-cache\"\ndisable_checkpoint = true\n",
                ),
            ],
            ..case(&["terraform", "-chdir=infra", "output"], true, "read")
        },
    ]);
}
