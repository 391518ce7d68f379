//! `kubectl` (and `oc`, which embeds it), 1.28 and later. kubectl reads its arguments with Go's pflag through
//! cobra, which differs from getopt in ways that matter to a hostile caller: `-n=ns` means `-n ns`, a bool takes
//! `--flag=false` but never `--flag false`, `--all_namespaces` means `--all-namespaces`, and `--dry-run`,
//! `--validate` and `--cascade` take a value only when it is attached. The subcommand is found the way cobra
//! finds it. Before it talks to a cluster kubectl reads the kubeconfig files (whose `exec` and `auth-provider`
//! entries run programs) and, from 1.33, a kuberc file of aliases and default flags; both are inputs here.
//! Names a cluster resolves through its discovery documents (short names, singular names, kinds, categories,
//! custom resources) are only trusted where the output cannot show object data: a poisoned discovery cache under
//! `~/.kube/cache` can map `po` to secrets.

use std::collections::BTreeMap;

use super::super::{Finding, Kind, Risk, Sources, StdinView, Target};
use super::{MAX_LIST_DEPTH, finding, home, join, yaml_documents};

/// How a flag takes its value, as pflag sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Val {
    /// A bool: `--flag`, `--flag=false`; never the next argument.
    Bool,
    /// A value, attached or as the next argument.
    Str,
    /// A value with a `NoOptDefVal` (`--dry-run`, `--validate`, `--cascade`): only when attached with `=`.
    Opt,
}
use Val::{Bool, Opt, Str};

#[derive(Clone, Copy, Debug)]
struct Flag {
    long: &'static str,
    short: Option<char>,
    val: Val,
}

const fn f(long: &'static str, short: Option<char>, val: Val) -> Flag {
    Flag { long, short, val }
}

/// `kubectl options` of kubectl 1.32.4 (the same set as 1.28, plus `--kuberc` from 1.33), and `-h`.
const GLOBAL: &[Flag] = &[
    f("as", None, Str),
    f("as-group", None, Str),
    f("as-uid", None, Str),
    f("cache-dir", None, Str),
    f("certificate-authority", None, Str),
    f("client-certificate", None, Str),
    f("client-key", None, Str),
    f("cluster", None, Str),
    f("context", None, Str),
    f("disable-compression", None, Bool),
    f("insecure-skip-tls-verify", None, Bool),
    f("kubeconfig", None, Str),
    f("kuberc", None, Str),
    f("log-flush-frequency", None, Str),
    f("match-server-version", None, Bool),
    f("namespace", Some('n'), Str),
    f("password", None, Str),
    f("profile", None, Str),
    f("profile-output", None, Str),
    f("request-timeout", None, Str),
    f("server", Some('s'), Str),
    f("tls-server-name", None, Str),
    f("token", None, Str),
    f("user", None, Str),
    f("username", None, Str),
    f("v", Some('v'), Str),
    f("vmodule", None, Str),
    f("warnings-as-errors", None, Bool),
    f("help", Some('h'), Bool),
];

/// Each subcommand gate classifies, with its own flags: the `Options:` of `kubectl CMD --help`, kubectl 1.32.4.
/// A path not listed here (`kubectl alpha`, `create ingress`, a plugin) is `unknown`.
/// `kubectl label` and `kubectl annotate` take the same flags (both are built on kubectl's metadata editor).
const LABEL_AND_ANNOTATE: &[Flag] = &[
    f("all", None, Bool),
    f("all-namespaces", Some('A'), Bool),
    f("allow-missing-template-keys", None, Bool),
    f("dry-run", None, Opt),
    f("field-manager", None, Str),
    f("field-selector", None, Str),
    f("filename", Some('f'), Str),
    f("kustomize", Some('k'), Str),
    f("list", None, Bool),
    f("local", None, Bool),
    f("output", Some('o'), Str),
    f("overwrite", None, Bool),
    f("recursive", Some('R'), Bool),
    f("resource-version", None, Str),
    f("selector", Some('l'), Str),
    f("show-managed-fields", None, Bool),
    f("template", None, Str),
];

const COMMANDS: &[(&str, &[Flag])] = &[
    ("help", &[]),
    ("options", &[]),
    (
        "get",
        &[
            f("all-namespaces", Some('A'), Bool),
            f("allow-missing-template-keys", None, Bool),
            f("chunk-size", None, Str),
            f("field-selector", None, Str),
            f("filename", Some('f'), Str),
            f("ignore-not-found", None, Bool),
            f("kustomize", Some('k'), Str),
            f("label-columns", Some('L'), Str),
            f("no-headers", None, Bool),
            f("output", Some('o'), Str),
            f("output-watch-events", None, Bool),
            f("raw", None, Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("server-print", None, Bool),
            f("show-kind", None, Bool),
            f("show-labels", None, Bool),
            f("show-managed-fields", None, Bool),
            f("sort-by", None, Str),
            f("subresource", None, Str),
            f("template", None, Str),
            f("watch", Some('w'), Bool),
            f("watch-only", None, Bool),
        ],
    ),
    (
        "describe",
        &[
            f("all-namespaces", Some('A'), Bool),
            f("chunk-size", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("show-events", None, Bool),
        ],
    ),
    (
        "logs",
        &[
            f("all-containers", None, Bool),
            f("all-pods", None, Bool),
            f("container", Some('c'), Str),
            f("follow", Some('f'), Bool),
            f("ignore-errors", None, Bool),
            f("insecure-skip-tls-verify-backend", None, Bool),
            f("limit-bytes", None, Str),
            f("max-log-requests", None, Str),
            f("pod-running-timeout", None, Str),
            f("prefix", None, Bool),
            f("previous", Some('p'), Bool),
            f("selector", Some('l'), Str),
            f("since", None, Str),
            f("since-time", None, Str),
            f("tail", None, Str),
            f("timestamps", None, Bool),
        ],
    ),
    (
        "top pod",
        &[
            f("all-namespaces", Some('A'), Bool),
            f("containers", None, Bool),
            f("field-selector", None, Str),
            f("no-headers", None, Bool),
            f("selector", Some('l'), Str),
            f("sort-by", None, Str),
            f("sum", None, Bool),
            f("use-protocol-buffers", None, Bool),
        ],
    ),
    (
        "top node",
        &[
            f("no-headers", None, Bool),
            f("selector", Some('l'), Str),
            f("show-capacity", None, Bool),
            f("sort-by", None, Str),
            f("use-protocol-buffers", None, Bool),
        ],
    ),
    (
        "explain",
        &[
            f("api-version", None, Str),
            f("output", Some('o'), Str),
            f("recursive", None, Bool),
        ],
    ),
    (
        "api-resources",
        &[
            f("api-group", None, Str),
            f("cached", None, Bool),
            f("categories", None, Str),
            f("namespaced", None, Bool),
            f("no-headers", None, Bool),
            f("output", Some('o'), Str),
            f("sort-by", None, Str),
            f("verbs", None, Str),
        ],
    ),
    ("api-versions", &[]),
    (
        "version",
        &[f("client", None, Bool), f("output", Some('o'), Str)],
    ),
    ("cluster-info", &[]),
    (
        "cluster-info dump",
        &[
            f("all-namespaces", Some('A'), Bool),
            f("allow-missing-template-keys", None, Bool),
            f("namespaces", None, Str),
            f("output", Some('o'), Str),
            f("output-directory", None, Str),
            f("pod-running-timeout", None, Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "config view",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("flatten", None, Bool),
            f("merge", None, Bool),
            f("minify", None, Bool),
            f("output", Some('o'), Str),
            f("raw", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "config get-contexts",
        &[f("no-headers", None, Bool), f("output", Some('o'), Str)],
    ),
    ("config current-context", &[]),
    ("config get-clusters", &[]),
    ("config get-users", &[]),
    ("config use-context", &[]),
    (
        "config set-context",
        &[
            f("cluster", None, Str),
            f("current", None, Bool),
            f("namespace", None, Str),
            f("user", None, Str),
        ],
    ),
    (
        "config set-credentials",
        &[
            f("auth-provider", None, Str),
            f("auth-provider-arg", None, Str),
            f("client-certificate", None, Str),
            f("client-key", None, Str),
            f("embed-certs", None, Bool),
            f("exec-api-version", None, Str),
            f("exec-arg", None, Str),
            f("exec-command", None, Str),
            f("exec-env", None, Str),
            f("exec-interactive-mode", None, Str),
            f("exec-provide-cluster-info", None, Bool),
            f("password", None, Str),
            f("token", None, Str),
            f("username", None, Str),
        ],
    ),
    (
        "auth can-i",
        &[
            f("all-namespaces", Some('A'), Bool),
            f("list", None, Bool),
            f("no-headers", None, Bool),
            f("quiet", Some('q'), Bool),
            f("subresource", None, Str),
        ],
    ),
    (
        "auth whoami",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("output", Some('o'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "auth reconcile",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("remove-extra-permissions", None, Bool),
            f("remove-extra-subjects", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "events",
        &[
            f("all-namespaces", Some('A'), Bool),
            f("allow-missing-template-keys", None, Bool),
            f("chunk-size", None, Str),
            f("for", None, Str),
            f("no-headers", None, Bool),
            f("output", Some('o'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("types", None, Str),
            f("watch", Some('w'), Bool),
        ],
    ),
    (
        "wait",
        &[
            f("all", None, Bool),
            f("all-namespaces", Some('A'), Bool),
            f("allow-missing-template-keys", None, Bool),
            f("field-selector", None, Str),
            f("filename", Some('f'), Str),
            f("for", None, Str),
            f("local", None, Bool),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("timeout", None, Str),
        ],
    ),
    ("completion", &[]),
    ("plugin list", &[f("name-only", None, Bool)]),
    (
        "diff",
        &[
            f("concurrency", None, Str),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("force-conflicts", None, Bool),
            f("kustomize", Some('k'), Str),
            f("prune", None, Bool),
            f("prune-allowlist", None, Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("server-side", None, Bool),
            f("show-managed-fields", None, Bool),
        ],
    ),
    (
        "kustomize",
        &[
            f("as-current-user", None, Bool),
            f("enable-alpha-plugins", None, Bool),
            f("enable-helm", None, Bool),
            f("env", Some('e'), Str),
            f("helm-api-versions", None, Str),
            f("helm-command", None, Str),
            f("helm-debug", None, Bool),
            f("helm-kube-version", None, Str),
            f("load-restrictor", None, Str),
            f("mount", None, Str),
            f("network", None, Bool),
            f("network-name", None, Str),
            f("output", Some('o'), Str),
        ],
    ),
    (
        "apply",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("cascade", None, Opt),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("force", None, Bool),
            f("force-conflicts", None, Bool),
            f("grace-period", None, Str),
            f("kustomize", Some('k'), Str),
            f("openapi-patch", None, Bool),
            f("output", Some('o'), Str),
            f("overwrite", None, Bool),
            f("prune", None, Bool),
            f("prune-allowlist", None, Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("server-side", None, Bool),
            f("show-managed-fields", None, Bool),
            f("subresource", None, Str),
            f("template", None, Str),
            f("timeout", None, Str),
            f("validate", None, Opt),
            f("wait", None, Bool),
        ],
    ),
    (
        "apply view-last-applied",
        &[
            f("all", None, Bool),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
        ],
    ),
    (
        "apply set-last-applied",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("create-annotation", None, Bool),
            f("dry-run", None, Opt),
            f("filename", Some('f'), Str),
            f("output", Some('o'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "apply edit-last-applied",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
            f("windows-line-endings", None, Bool),
        ],
    ),
    (
        "create",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("edit", None, Bool),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("raw", None, Str),
            f("recursive", Some('R'), Bool),
            f("save-config", None, Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
            f("windows-line-endings", None, Bool),
        ],
    ),
    (
        "create secret generic",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("append-hash", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("from-env-file", None, Str),
            f("from-file", None, Str),
            f("from-literal", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("type", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create secret tls",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("append-hash", None, Bool),
            f("cert", None, Str),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("key", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create secret docker-registry",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("append-hash", None, Bool),
            f("docker-email", None, Str),
            f("docker-password", None, Str),
            f("docker-server", None, Str),
            f("docker-username", None, Str),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("from-file", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create token",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("audience", None, Str),
            f("bound-object-kind", None, Str),
            f("bound-object-name", None, Str),
            f("bound-object-uid", None, Str),
            f("duration", None, Str),
            f("output", Some('o'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "create role",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("output", Some('o'), Str),
            f("resource", None, Str),
            f("resource-name", None, Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
            f("verb", None, Str),
        ],
    ),
    (
        "create rolebinding",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("clusterrole", None, Str),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("group", None, Str),
            f("output", Some('o'), Str),
            f("role", None, Str),
            f("save-config", None, Bool),
            f("serviceaccount", None, Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("user", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create clusterrole",
        &[
            f("aggregation-rule", None, Str),
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("non-resource-url", None, Str),
            f("output", Some('o'), Str),
            f("resource", None, Str),
            f("resource-name", None, Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
            f("verb", None, Str),
        ],
    ),
    (
        "create clusterrolebinding",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("clusterrole", None, Str),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("group", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("serviceaccount", None, Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("user", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create serviceaccount",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create namespace",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create configmap",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("append-hash", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("from-env-file", None, Str),
            f("from-file", None, Str),
            f("from-literal", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create deployment",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("image", None, Str),
            f("output", Some('o'), Str),
            f("port", None, Str),
            f("replicas", Some('r'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create job",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("from", None, Str),
            f("image", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create cronjob",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("image", None, Str),
            f("output", Some('o'), Str),
            f("restart", None, Str),
            f("save-config", None, Bool),
            f("schedule", None, Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "create service clusterip",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("clusterip", None, Str),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("output", Some('o'), Str),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("tcp", None, Str),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "delete",
        &[
            f("all", None, Bool),
            f("all-namespaces", Some('A'), Bool),
            f("cascade", None, Opt),
            f("dry-run", None, Opt),
            f("field-selector", None, Str),
            f("filename", Some('f'), Str),
            f("force", None, Bool),
            f("grace-period", None, Str),
            f("ignore-not-found", None, Bool),
            f("interactive", Some('i'), Bool),
            f("kustomize", Some('k'), Str),
            f("now", None, Bool),
            f("output", Some('o'), Str),
            f("raw", None, Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("timeout", None, Str),
            f("wait", None, Bool),
        ],
    ),
    (
        "edit",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("output-patch", None, Bool),
            f("recursive", Some('R'), Bool),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("subresource", None, Str),
            f("template", None, Str),
            f("validate", None, Opt),
            f("windows-line-endings", None, Bool),
        ],
    ),
    (
        "patch",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("local", None, Bool),
            f("output", Some('o'), Str),
            f("patch", Some('p'), Str),
            f("patch-file", None, Str),
            f("recursive", Some('R'), Bool),
            f("show-managed-fields", None, Bool),
            f("subresource", None, Str),
            f("template", None, Str),
            f("type", None, Str),
        ],
    ),
    (
        "replace",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("cascade", None, Opt),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("force", None, Bool),
            f("grace-period", None, Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("raw", None, Str),
            f("recursive", Some('R'), Bool),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("subresource", None, Str),
            f("template", None, Str),
            f("timeout", None, Str),
            f("validate", None, Opt),
            f("wait", None, Bool),
        ],
    ),
    (
        "scale",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("current-replicas", None, Str),
            f("dry-run", None, Opt),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("replicas", None, Str),
            f("resource-version", None, Str),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("timeout", None, Str),
        ],
    ),
    (
        "autoscale",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("cpu-percent", None, Str),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("max", None, Str),
            f("min", None, Str),
            f("name", None, Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "expose",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("cluster-ip", None, Str),
            f("dry-run", None, Opt),
            f("external-ip", None, Str),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("labels", Some('l'), Str),
            f("load-balancer-ip", None, Str),
            f("name", None, Str),
            f("output", Some('o'), Str),
            f("override-type", None, Str),
            f("overrides", None, Str),
            f("port", None, Str),
            f("protocol", None, Str),
            f("recursive", Some('R'), Bool),
            f("save-config", None, Bool),
            f("selector", None, Str),
            f("session-affinity", None, Str),
            f("show-managed-fields", None, Bool),
            f("target-port", None, Str),
            f("template", None, Str),
            f("type", None, Str),
        ],
    ),
    (
        "rollout status",
        &[
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("recursive", Some('R'), Bool),
            f("revision", None, Str),
            f("selector", Some('l'), Str),
            f("timeout", None, Str),
            f("watch", Some('w'), Bool),
        ],
    ),
    (
        "rollout history",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("revision", None, Str),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "rollout undo",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("to-revision", None, Str),
        ],
    ),
    (
        "rollout restart",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "rollout pause",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "rollout resume",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    ("label", LABEL_AND_ANNOTATE),
    ("annotate", LABEL_AND_ANNOTATE),
    (
        "set image",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("local", None, Bool),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "set env",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("containers", Some('c'), Str),
            f("dry-run", None, Opt),
            f("env", Some('e'), Str),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("from", None, Str),
            f("keys", None, Str),
            f("kustomize", Some('k'), Str),
            f("list", None, Bool),
            f("local", None, Bool),
            f("output", Some('o'), Str),
            f("overwrite", None, Bool),
            f("prefix", None, Str),
            f("recursive", Some('R'), Bool),
            f("resolve", None, Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "set resources",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("containers", Some('c'), Str),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("limits", None, Str),
            f("local", None, Bool),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("requests", None, Str),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "set selector",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("local", None, Bool),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("resource-version", None, Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "set serviceaccount",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("kustomize", Some('k'), Str),
            f("local", None, Bool),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "set subject",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("group", None, Str),
            f("kustomize", Some('k'), Str),
            f("local", None, Bool),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("selector", Some('l'), Str),
            f("serviceaccount", None, Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("user", None, Str),
        ],
    ),
    (
        "cordon",
        &[f("dry-run", None, Opt), f("selector", Some('l'), Str)],
    ),
    (
        "uncordon",
        &[f("dry-run", None, Opt), f("selector", Some('l'), Str)],
    ),
    (
        "drain",
        &[
            f("chunk-size", None, Str),
            f("delete-emptydir-data", None, Bool),
            f("disable-eviction", None, Bool),
            f("dry-run", None, Opt),
            f("force", None, Bool),
            f("grace-period", None, Str),
            f("ignore-daemonsets", None, Bool),
            f("pod-selector", None, Str),
            f("selector", Some('l'), Str),
            f("skip-wait-for-delete-timeout", None, Str),
            f("timeout", None, Str),
        ],
    ),
    (
        "taint",
        &[
            f("all", None, Bool),
            f("allow-missing-template-keys", None, Bool),
            f("dry-run", None, Opt),
            f("field-manager", None, Str),
            f("output", Some('o'), Str),
            f("overwrite", None, Bool),
            f("selector", Some('l'), Str),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
            f("validate", None, Opt),
        ],
    ),
    (
        "certificate approve",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("filename", Some('f'), Str),
            f("force", None, Bool),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "certificate deny",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("filename", Some('f'), Str),
            f("force", None, Bool),
            f("kustomize", Some('k'), Str),
            f("output", Some('o'), Str),
            f("recursive", Some('R'), Bool),
            f("show-managed-fields", None, Bool),
            f("template", None, Str),
        ],
    ),
    (
        "port-forward",
        &[f("address", None, Str), f("pod-running-timeout", None, Str)],
    ),
    (
        "proxy",
        &[
            f("accept-hosts", None, Str),
            f("accept-paths", None, Str),
            f("address", None, Str),
            f("api-prefix", None, Str),
            f("append-server-path", None, Bool),
            f("disable-filter", None, Bool),
            f("keepalive", None, Str),
            f("port", Some('p'), Str),
            f("reject-methods", None, Str),
            f("reject-paths", None, Str),
            f("unix-socket", Some('u'), Str),
            f("www", Some('w'), Str),
            f("www-prefix", Some('P'), Str),
        ],
    ),
    (
        "cp",
        &[
            f("container", Some('c'), Str),
            f("no-preserve", None, Bool),
            f("retries", None, Str),
        ],
    ),
    (
        "run",
        &[
            f("allow-missing-template-keys", None, Bool),
            f("annotations", None, Str),
            f("attach", None, Bool),
            f("cascade", None, Opt),
            f("command", None, Bool),
            f("dry-run", None, Opt),
            f("env", None, Str),
            f("expose", None, Bool),
            f("field-manager", None, Str),
            f("filename", Some('f'), Str),
            f("force", None, Bool),
            f("grace-period", None, Str),
            f("image", None, Str),
            f("image-pull-policy", None, Str),
            f("kustomize", Some('k'), Str),
            f("labels", Some('l'), Str),
            f("leave-stdin-open", None, Bool),
            f("output", Some('o'), Str),
            f("override-type", None, Str),
            f("overrides", None, Str),
            f("pod-running-timeout", None, Str),
            f("port", None, Str),
            f("privileged", None, Bool),
            f("quiet", Some('q'), Bool),
            f("recursive", Some('R'), Bool),
            f("restart", None, Str),
            f("rm", None, Bool),
            f("save-config", None, Bool),
            f("show-managed-fields", None, Bool),
            f("stdin", Some('i'), Bool),
            f("template", None, Str),
            f("timeout", None, Str),
            f("tty", Some('t'), Bool),
            f("wait", None, Bool),
        ],
    ),
    (
        "attach",
        &[
            f("container", Some('c'), Str),
            f("pod-running-timeout", None, Str),
            f("quiet", Some('q'), Bool),
            f("stdin", Some('i'), Bool),
            f("tty", Some('t'), Bool),
        ],
    ),
    (
        "debug",
        &[
            f("arguments-only", None, Bool),
            f("attach", None, Bool),
            f("container", Some('c'), Str),
            f("copy-to", None, Str),
            f("custom", None, Str),
            f("env", None, Str),
            f("filename", Some('f'), Str),
            f("image", None, Str),
            f("image-pull-policy", None, Str),
            f("keep-annotations", None, Bool),
            f("keep-init-containers", None, Bool),
            f("keep-labels", None, Bool),
            f("keep-liveness", None, Bool),
            f("keep-readiness", None, Bool),
            f("keep-startup", None, Bool),
            f("profile", None, Str),
            f("quiet", Some('q'), Bool),
            f("replace", None, Bool),
            f("same-node", None, Bool),
            f("set-image", None, Str),
            f("share-processes", None, Bool),
            f("stdin", Some('i'), Bool),
            f("target", None, Str),
            f("tty", Some('t'), Bool),
        ],
    ),
    (
        "exec",
        &[
            f("container", Some('c'), Str),
            f("filename", Some('f'), Str),
            f("pod-running-timeout", None, Str),
            f("quiet", Some('q'), Bool),
            f("stdin", Some('i'), Bool),
            f("tty", Some('t'), Bool),
        ],
    ),
];

/// Cobra aliases (`Aliases:` in the help of these commands).
const ALIASES: &[(&str, &str)] = &[
    ("top pods", "top pod"),
    ("top po", "top pod"),
    ("top nodes", "top node"),
    ("top no", "top node"),
    ("create cm", "create configmap"),
    ("create cj", "create cronjob"),
    ("create deploy", "create deployment"),
    ("create ns", "create namespace"),
    ("create sa", "create serviceaccount"),
    ("create svc", "create service"),
    ("config use", "config use-context"),
];

fn command_flags(path: &str) -> Option<&'static [Flag]> {
    COMMANDS.iter().find(|(p, _)| *p == path).map(|(_, f)| *f)
}

/// Whether `path` has children (`create secret`, `config`, …).
fn is_group(path: &str) -> bool {
    let prefix = format!("{path} ");
    COMMANDS.iter().any(|(p, _)| p.starts_with(&prefix))
        || ALIASES.iter().any(|(a, _)| a.starts_with(&prefix))
}

fn lookup<'a>(flags: &[&'a [Flag]], long: &str) -> Option<&'a Flag> {
    flags.iter().flat_map(|t| t.iter()).find(|f| f.long == long)
}

fn lookup_short<'a>(flags: &[&'a [Flag]], short: char) -> Option<&'a Flag> {
    flags
        .iter()
        .flat_map(|t| t.iter())
        .find(|f| f.short == Some(short))
}

/// cobra's `stripFlags`: the words of `args` that are not flags or flag values, judged with one command's
/// flags. An unknown `--flag` is taken to have a value, as cobra takes it.
fn strip_flags(args: &[String], flags: &[&[Flag]]) -> Vec<String> {
    let mut words = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let s = &args[i];
        i += 1;
        if s == "--" {
            break;
        }
        if let Some(name) = s.strip_prefix("--") {
            if !s.contains('=') && lookup(flags, &normalise(name)).is_none_or(|f| f.val == Str) {
                i += 1;
            }
        } else if s.starts_with('-') && s.len() == 2 && !s.contains('=') {
            let c = s.chars().nth(1).unwrap_or('-');
            if lookup_short(flags, c).is_none_or(|f| f.val == Str) {
                i += 1;
            }
        } else if !s.is_empty() && !s.starts_with('-') {
            words.push(s.clone());
        }
    }
    words
}

/// cobra's `argsMinusFirstX`: `args` without the first word (outside flag values) equal to `word`.
fn args_minus_first(args: &[String], word: &str, flags: &[&[Flag]]) -> Vec<String> {
    let mut pos = 0;
    while pos < args.len() {
        let s = &args[pos];
        if s == "--" {
            break;
        }
        if let Some(name) = s.strip_prefix("--") {
            if !s.contains('=') && lookup(flags, &normalise(name)).is_none_or(|f| f.val == Str) {
                pos += 1;
            }
        } else if s.starts_with('-') && s.len() == 2 && !s.contains('=') {
            let c = s.chars().nth(1).unwrap_or('-');
            if lookup_short(flags, c).is_none_or(|f| f.val == Str) {
                pos += 1;
            }
        } else if !s.starts_with('-') && s == word {
            let mut out = args.to_vec();
            out.remove(pos);
            return out;
        }
        pos += 1;
    }
    args.to_vec()
}

/// kubectl's `WordSepNormalizeFunc`: `_` in a flag name means `-`.
fn normalise(name: &str) -> String {
    name.split('=').next().unwrap_or(name).replace('_', "-")
}

/// What pflag made of the arguments.
#[derive(Debug, Default)]
struct Parsed {
    /// `(long name, value)`; a bool's value is `true` or `false`.
    flags: Vec<(&'static str, String)>,
    positionals: Vec<String>,
    /// Where `--` was, as an index into `positionals`.
    dash_dash: Option<usize>,
}

impl Parsed {
    fn last(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.flags
            .iter()
            .filter(move |(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn on(&self, name: &str) -> bool {
        self.last(name).is_some_and(|v| v == "true")
    }

    fn given(&self, name: &str) -> bool {
        self.last(name).is_some()
    }
}

/// pflag's `ParseBool`.
fn parse_bool(flag: &str, value: &str) -> Result<String, String> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok("true".into()),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok("false".into()),
        _ => Err(format!("`{value}` is not a bool for `--{flag}`")),
    }
}

/// Reads `args` as pflag does (interspersed flags, `--` ends them) against `flags`; anything it does not know is
/// an error.
fn pflag(args: &[String], flags: &[&[Flag]]) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            out.dash_dash = Some(out.positionals.len());
            out.positionals.extend(iter.by_ref().cloned());
            break;
        }
        if arg == "-" || !arg.starts_with('-') {
            out.positionals.push(arg.clone());
            continue;
        }
        if let Some(body) = arg.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            if name.is_empty() || name.starts_with('-') {
                return Err(format!("`{arg}` is bad flag syntax"));
            }
            let name = normalise(name);
            let flag = lookup(flags, &name).ok_or_else(|| {
                format!("option `--{name}` is not one gate knows for this command")
            })?;
            let value = match (flag.val, inline) {
                (Bool, Some(v)) => parse_bool(flag.long, v)?,
                (Bool, None) => "true".into(),
                (Str | Opt, Some(v)) => v.to_string(),
                (Opt, None) => String::new(),
                (Str, None) => iter
                    .next()
                    .ok_or_else(|| format!("option `--{name}` needs a value"))?
                    .clone(),
            };
            out.flags.push((flag.long, value));
            continue;
        }
        let cluster: Vec<char> = arg[1..].chars().collect();
        let mut i = 0;
        while i < cluster.len() {
            let c = cluster[i];
            let flag = lookup_short(flags, c)
                .ok_or_else(|| format!("option `-{c}` is not one gate knows for this command"))?;
            let rest: String = cluster[i + 1..].iter().collect();
            if let Some(v) = rest.strip_prefix('=') {
                let value = if flag.val == Bool {
                    parse_bool(flag.long, v)?
                } else {
                    v.to_string()
                };
                out.flags.push((flag.long, value));
                break;
            }
            match flag.val {
                Bool => out.flags.push((flag.long, "true".into())),
                Opt => out.flags.push((flag.long, String::new())),
                Str if !rest.is_empty() => {
                    out.flags.push((flag.long, rest));
                    break;
                }
                Str => {
                    let v = iter
                        .next()
                        .ok_or_else(|| format!("option `-{c}` needs a value"))?;
                    out.flags.push((flag.long, v.clone()));
                    break;
                }
            }
            i += 1;
        }
    }
    Ok(out)
}

/// Finds the command path (`create secret generic`) as cobra does, and the arguments left for it.
fn find_command(args: &[String]) -> (String, Vec<String>) {
    let mut path = String::new();
    let mut rest = args.to_vec();
    loop {
        let mut tables: Vec<&[Flag]> = vec![GLOBAL];
        if let Some(own) = command_flags(&path) {
            tables.push(own);
        }
        let words = strip_flags(&rest, &tables);
        let Some(next) = words.first() else {
            return (path, rest);
        };
        if !path.is_empty() && !is_group(&path) {
            return (path, rest);
        }
        let candidate = if path.is_empty() {
            next.clone()
        } else {
            format!("{path} {next}")
        };
        let resolved = ALIASES
            .iter()
            .find(|(a, _)| *a == candidate)
            .map_or(candidate.clone(), |(_, real)| (*real).to_string());
        if command_flags(&resolved).is_none() && !is_group(&resolved) {
            if path.is_empty() {
                // Not a command: kubectl looks for a plugin `kubectl-NAME` on PATH, or fails.
                return (format!("\u{0}{next}"), rest);
            }
            return (path, rest);
        }
        rest = args_minus_first(&rest, next, &tables);
        path = resolved;
    }
}

/// Subcommands that only print local or cluster metadata, never object data.
fn subcommand_reads(path: &str) -> bool {
    matches!(
        path,
        "help"
            | "options"
            | "api-resources"
            | "api-versions"
            | "version"
            | "cluster-info"
            | "explain"
            | "logs"
            | "top pod"
            | "top node"
            | "events"
            | "completion"
            | "plugin list"
            | "config get-contexts"
            | "config current-context"
            | "config get-clusters"
            | "config get-users"
            | "auth can-i"
            | "auth whoami"
            | "describe"
            | "rollout status"
            | "rollout history"
            | "apply view-last-applied"
    )
}

/// Built-in resources named by their plural, which the API path uses as it is: no discovery document can make
/// `pods` mean anything else. (Lower case; kubectl lower-cases resource names.)
const PLURALS: &[&str] = &[
    "pods",
    "services",
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "configmaps",
    "namespaces",
    "nodes",
    "events",
    "endpoints",
    "endpointslices",
    "ingresses",
    "ingressclasses",
    "networkpolicies",
    "persistentvolumeclaims",
    "persistentvolumes",
    "storageclasses",
    "serviceaccounts",
    "roles",
    "rolebindings",
    "clusterroles",
    "clusterrolebindings",
    "horizontalpodautoscalers",
    "poddisruptionbudgets",
    "limitranges",
    "resourcequotas",
    "replicationcontrollers",
    "leases",
    "priorityclasses",
    "customresourcedefinitions",
    "apiservices",
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "certificatesigningrequests",
    "controllerrevisions",
    "podtemplates",
    "csidrivers",
    "csinodes",
    "volumeattachments",
    "runtimeclasses",
];

/// What a resource word names, as far as gate can tell without the cluster's discovery documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Names {
    /// Secrets, however spelt (`secret`, `Secrets`, `secrets.v1.`, `Secret`).
    Secrets,
    /// A built-in plural other than secrets.
    Plain,
    /// Anything resolved through discovery: a short name, singular, kind, category (`all`) or custom resource.
    Discovered,
}

fn names(word: &str) -> Names {
    let base = word
        .split('/')
        .next()
        .unwrap_or(word)
        .split('.')
        .next()
        .unwrap_or(word)
        .to_ascii_lowercase();
    if base == "secret" || base == "secrets" {
        Names::Secrets
    } else if PLURALS.contains(&base.as_str()) {
        Names::Plain
    } else {
        Names::Discovered
    }
}

/// The resource words of `get`/`describe`/… arguments: `TYPE[,TYPE] [NAME…]` or `TYPE/NAME…`.
fn resource_words(positionals: &[String]) -> Vec<String> {
    match positionals.first() {
        None => Vec::new(),
        Some(first) if first.contains('/') => positionals
            .iter()
            .map(|p| p.split('/').next().unwrap_or(p).to_string())
            .collect(),
        Some(first) => first.split(',').map(ToString::to_string).collect(),
    }
}

/// Whether an output format prints object data (not only names or a server-side table). `Err` for a format gate
/// does not know.
fn prints_data(parsed: &Parsed) -> Result<bool, String> {
    let template = parsed.last("template").is_some_and(|t| !t.is_empty());
    let output = parsed.last("output").unwrap_or("");
    let format = output.split_once('=').map_or(output, |(f, _)| f);
    match format {
        "" => Ok(template),
        "wide" | "name" => Ok(false),
        "json"
        | "yaml"
        | "kyaml"
        | "jsonpath"
        | "jsonpath-as-json"
        | "jsonpath-file"
        | "go-template"
        | "go-template-file"
        | "template"
        | "templatefile"
        | "custom-columns"
        | "custom-columns-file" => Ok(true),
        other => Err(format!("output format `{other}` is not one gate knows")),
    }
}

/// The files a `-f` flag names: pflag's StringSlice splits on commas (as CSV, so quotes change it).
fn filenames(parsed: &Parsed) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for value in parsed.all("filename") {
        if value.contains('"') {
            return Err(format!(
                "`-f {value}` is quoted CSV, which gate does not split"
            ));
        }
        out.extend(
            value
                .split(',')
                .filter(|s| !s.is_empty())
                .map(ToString::to_string),
        );
    }
    Ok(out)
}

/// The `(apiVersion, kind)` of every object in a manifest, `kind: List` items included.
fn manifest_kinds(text: &str) -> Result<Vec<(String, String)>, String> {
    fn walk(
        v: &serde_json::Value,
        depth: usize,
        out: &mut Vec<(String, String)>,
    ) -> Result<(), String> {
        if depth > MAX_LIST_DEPTH {
            return Err("lists nest deeper than gate follows".into());
        }
        let kind = v.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        let api = v.get("apiVersion").and_then(|k| k.as_str()).unwrap_or("");
        if kind.is_empty() {
            return Err("an object without a `kind`".into());
        }
        if kind.ends_with("List") {
            for item in v
                .get("items")
                .and_then(|i| i.as_array())
                .into_iter()
                .flatten()
            {
                walk(item, depth + 1, out)?;
            }
        } else {
            out.push((api.to_string(), kind.to_string()));
        }
        Ok(())
    }
    let mut out = Vec::new();
    for doc in yaml_documents(text)? {
        walk(&doc, 0, &mut out)?;
    }
    Ok(out)
}

/// What applying (creating, replacing) one kind of object does.
fn kind_effect(api: &str, kind: &str) -> Option<Kind> {
    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
    Some(match (group, kind) {
        (
            "rbac.authorization.k8s.io",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        )
        | ("", "ServiceAccount" | "Secret")
        | ("certificates.k8s.io", "CertificateSigningRequest") => Kind::PermissionChange,
        ("admissionregistration.k8s.io" | "storage.k8s.io", _)
        | ("apiregistration.k8s.io", "APIService")
        | ("", "Node")
        | ("scheduling.k8s.io", "PriorityClass")
        | ("node.k8s.io", "RuntimeClass") => Kind::AdminConfig,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => Kind::SchemaChange,
        (
            "",
            "Pod"
            | "Service"
            | "ConfigMap"
            | "Namespace"
            | "PersistentVolumeClaim"
            | "PersistentVolume"
            | "ReplicationController"
            | "LimitRange"
            | "ResourceQuota"
            | "Endpoints"
            | "Event",
        )
        | ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job" | "CronJob")
        | ("networking.k8s.io", "Ingress" | "IngressClass" | "NetworkPolicy")
        | ("autoscaling", "HorizontalPodAutoscaler")
        | ("policy", "PodDisruptionBudget")
        | ("coordination.k8s.io", "Lease")
        | ("discovery.k8s.io", "EndpointSlice") => Kind::Write,
        _ => return None,
    })
}

/// One command being judged: its tool name, target and findings so far.
struct Judge {
    tool: String,
    target: Target,
    out: Vec<Finding>,
}

impl Judge {
    fn add(&mut self, kind: Kind, detail: impl Into<String>) {
        let f = finding(&self.tool, &self.target, kind, detail);
        self.out.push(f);
    }

    fn add_objects(&mut self, kind: Kind, detail: impl Into<String>, objects: Vec<String>) {
        let f = finding(&self.tool, &self.target, kind, detail).with_objects(objects);
        self.out.push(f);
    }

    fn unknown(&mut self, detail: impl Into<String>) {
        self.add(Kind::Unknown, detail);
    }
}

/// The objects named by `-f`/`-k`: their kinds, or why gate cannot tell.
fn read_manifests(
    parsed: &Parsed,
    sources: &dyn Sources,
    judge: &mut Judge,
) -> Vec<(String, String)> {
    let mut kinds = Vec::new();
    if parsed.given("kustomize") {
        judge.unknown("`-k` builds a kustomization (remote bases run git, plugins run programs), which gate does not");
    }
    let files = match filenames(parsed) {
        Ok(files) => files,
        Err(why) => {
            judge.unknown(why);
            return kinds;
        }
    };
    for file in files {
        let text = if file == "-" {
            match sources.stdin() {
                StdinView::Bytes {
                    bytes,
                    complete: true,
                } => String::from_utf8_lossy(bytes).into_owned(),
                StdinView::Bytes { .. } => {
                    judge.unknown("the manifest on stdin is larger than gate reads");
                    continue;
                }
                StdinView::Terminal => {
                    judge.unknown(
                        "reads a manifest from a terminal: gate cannot see what will be typed",
                    );
                    continue;
                }
                StdinView::Unreadable(why) => {
                    judge.unknown(format!("cannot read the manifest on stdin: {why}"));
                    continue;
                }
            }
        } else if file.contains("://") {
            judge.unknown(format!("`-f {file}` fetches a manifest gate does not see"));
            continue;
        } else {
            match sources.read_file(&file) {
                Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                None => {
                    judge.unknown(format!(
                        "`-f {file}`: gate cannot read it (missing, unreadable or a directory)"
                    ));
                    continue;
                }
            }
        };
        match manifest_kinds(&text) {
            Ok(found) => kinds.extend(found),
            Err(why) => judge.unknown(format!("manifest {file}: {why}")),
        }
    }
    kinds
}

/// `kubectl ARGS…` (or `oc`). `exec` is handed to the wrapper module once its place in the argv is known.
pub fn kubectl(
    tool: &str,
    args: &[String],
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    depth: usize,
) -> Vec<Finding> {
    let (path, rest) = find_command(args);
    let mut judge = Judge {
        tool: tool.to_string(),
        target: Target::default(),
        out: Vec::new(),
    };
    if let Some(plugin) = path.strip_prefix('\u{0}') {
        judge.unknown(format!(
            "`{tool} {plugin}` is not a subcommand gate knows; {tool} runs a plugin `{tool}-{plugin}` from PATH"
        ));
        return judge.out;
    }
    let mut tables: Vec<&[Flag]> = vec![GLOBAL];
    match command_flags(&path) {
        Some(own) => tables.push(own),
        None if path.is_empty() || is_group(&path) => {}
        None => {
            judge.unknown(format!("`{tool} {path}` is not a subcommand gate knows"));
            return judge.out;
        }
    }
    let parsed = match pflag(&rest, &tables) {
        Ok(parsed) => parsed,
        Err(why) => {
            judge.unknown(format!("{tool} {path}: {why}"));
            return judge.out;
        }
    };
    judge.target = startup(tool, &parsed, env, sources, &mut judge.out);
    if parsed.on("help") {
        judge.add(Kind::Read, format!("{tool} {path} --help prints help"));
        return judge.out;
    }
    global_flags(&parsed, &mut judge);
    if path == "exec" {
        // Hand the wrapped command to the wrapper module; the kubeconfig findings above stay.
        let mut found = super::super::wrap::kubectl_exec(args, env, sources, depth);
        judge.out.append(&mut found);
        return judge.out;
    }
    subcommand(&path, &parsed, env, sources, &mut judge);
    if judge.out.is_empty() {
        judge.unknown(format!("{tool} {path}: gate found nothing to classify"));
    }
    judge.out
}

/// Global flags that do something besides choosing a target.
fn global_flags(parsed: &Parsed, judge: &mut Judge) {
    if parsed.given("cache-dir") {
        judge.unknown("`--cache-dir` reads resource names from a discovery cache gate cannot see");
    }
    let impersonated: Vec<String> = ["as", "as-group", "as-uid"]
        .iter()
        .flat_map(|name| parsed.all(name))
        .map(ToString::to_string)
        .collect();
    if !impersonated.is_empty() {
        judge.add_objects(
            Kind::PrivilegeSwitch,
            "`--as`/`--as-group` acts as another user or group",
            impersonated,
        );
    }
    if parsed.last("profile").is_some_and(|p| p != "none") {
        let file = parsed
            .last("profile-output")
            .unwrap_or("profile.pprof")
            .to_string();
        judge.add_objects(Kind::Write, "`--profile` writes a profile file", vec![file]);
    }
}

/// Reads the kubeconfig files and the kuberc, adds what they make `unknown`, and returns the target.
fn startup(
    tool: &str,
    parsed: &Parsed,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    out: &mut Vec<Finding>,
) -> Target {
    let mut problems: Vec<String> = Vec::new();
    for (name, _) in env.iter().filter(|(n, _)| n.starts_with("KUBE")) {
        if !KNOWN_ENV.contains(&name.as_str()) && !name.starts_with("KUBERNETES_") {
            problems.push(format!(
                "the variable {name} is not one gate knows for kubectl"
            ));
        }
    }
    if env.contains_key("KUBECACHEDIR") {
        problems.push("KUBECACHEDIR names a discovery cache gate cannot see".into());
    }
    let home_dir = home(env);
    let kube_dir = join(home_dir, ".kube");
    // kuberc (1.33+): aliases and default flags.
    let kuberc_off = env.get("KUBERC").is_some_and(|v| v == "off")
        || env.get("KUBECTL_KUBERC").is_some_and(|v| v == "false");
    if !kuberc_off {
        let path = parsed
            .last("kuberc")
            .map(ToString::to_string)
            .or_else(|| env.get("KUBERC").cloned())
            .unwrap_or_else(|| format!("{kube_dir}/kuberc"));
        if !matches!(super::super::optional_input(sources, &path), Ok(None)) {
            problems.push(format!(
                "{path} (kuberc) can define aliases and default flags, which gate does not apply"
            ));
        }
    }
    // The kubeconfig chain, as client-go's loading rules build it.
    let files: Vec<String> = if let Some(explicit) = parsed.last("kubeconfig") {
        vec![explicit.to_string()]
    } else if let Some(list) = env.get("KUBECONFIG").filter(|v| !v.is_empty()) {
        let mut seen = Vec::new();
        for p in list.split(':').filter(|p| !p.is_empty()) {
            if !seen.iter().any(|s: &String| s == p) {
                seen.push(p.to_string());
            }
        }
        seen
    } else {
        vec![format!("{kube_dir}/config")]
    };
    let mut configs = Vec::new();
    for file in &files {
        let read = |path: &str| match super::super::optional_input(sources, path) {
            Ok(bytes) => Ok(bytes),
            Err(why) => Err(format!("kubeconfig {why}")),
        };
        let bytes = match read(file) {
            // client-go migrates the old ~/.kube/.kubeconfig when ~/.kube/config is missing.
            Ok(None)
                if parsed.last("kubeconfig").is_none() && *file == format!("{kube_dir}/config") =>
            {
                read(&format!("{kube_dir}/.kubeconfig"))
            }
            other => other,
        };
        let bytes = match bytes {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(why) => {
                problems.push(why);
                continue;
            }
        };
        match yaml_documents(&String::from_utf8_lossy(&bytes)) {
            Ok(docs) if docs.len() <= 1 => {
                configs.extend(docs.into_iter().map(|d| (file.clone(), d)));
            }
            Ok(_) => problems.push(format!("kubeconfig {file} holds several documents")),
            Err(why) => problems.push(format!("kubeconfig {file}: {why}")),
        }
    }
    for (file, config) in &configs {
        for user in config
            .get("users")
            .and_then(|u| u.as_array())
            .into_iter()
            .flatten()
        {
            let name = user.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            let Some(auth) = user.get("user") else {
                continue;
            };
            if let Some(exec) = auth.get("exec").filter(|e| !e.is_null())
                && let Err(why) = exec_plugin(exec, env, sources)
            {
                problems.push(format!("kubeconfig {file}, user {name}: {why}"));
            }
            if let Some(provider) = auth.get("auth-provider").filter(|e| !e.is_null()) {
                let pname = provider.get("name").and_then(|n| n.as_str()).unwrap_or("");
                if pname != "oidc" {
                    problems.push(format!(
                        "kubeconfig {file}, user {name}: auth-provider `{pname}` may run a program"
                    ));
                }
            }
        }
    }
    let target = resolve_target(parsed, &configs, env);
    for p in problems {
        out.push(Finding::new(Kind::Unknown, tool, &target, p));
    }
    target
}

/// `KUBE*` variables kubectl 1.28–1.34 reads whose effect gate accounts for (or that only change transport).
const KNOWN_ENV: &[&str] = &[
    "KUBECONFIG",
    "KUBERC",
    "KUBECTL_KUBERC",
    "KUBECTL_COMMAND_HEADERS",
    "KUBECTL_EXPLAIN_OPENAPIV3",
    "KUBECTL_REMOTE_COMMAND_WEBSOCKETS",
    "KUBECTL_PORT_FORWARD_WEBSOCKETS",
    "KUBECTL_INTERACTIVE_DELETE",
    "KUBECTL_EXTERNAL_DIFF",
    "KUBE_EDITOR",
];

/// Directories whose programs an exec credential plugin may be found in.
const TRUSTED_DIRS: &[&str] = &[
    "/usr/bin",
    "/bin",
    "/usr/local/bin",
    "/usr/sbin",
    "/sbin",
    "/usr/lib/google-cloud-sdk/bin",
    "/snap/bin",
];

/// Checks one `users[].user.exec` entry: the program and its arguments must be a credential plugin gate knows,
/// found where a requester cannot plant another, with an environment gate knows.
fn exec_plugin(
    exec: &serde_json::Value,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
) -> Result<(), String> {
    let command = exec.get("command").and_then(|c| c.as_str()).unwrap_or("");
    let args: Vec<String> = exec
        .get("args")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .map(|a| {
            a.as_str()
                .map(ToString::to_string)
                .ok_or("a non-string exec argument")
        })
        .collect::<Result<_, _>>()?;
    let (dir, name) = match command.rsplit_once('/') {
        Some((dir, name)) => (Some(dir), name),
        None => (None, command),
    };
    match dir {
        Some(dir) if !TRUSTED_DIRS.contains(&dir) => {
            return Err(format!(
                "the exec plugin {command} is not in a system directory"
            ));
        }
        Some(_) => {}
        None => {
            let path = env.get("PATH").map_or("", String::as_str);
            if path.is_empty() || path.split(':').any(|d| !TRUSTED_DIRS.contains(&d)) {
                return Err(format!(
                    "the exec plugin `{command}` is looked up on a PATH with directories gate does not trust"
                ));
            }
        }
    }
    let mut plugin_env = env.clone();
    for entry in exec
        .get("env")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
    {
        let key = entry.get("name").and_then(|n| n.as_str()).unwrap_or("");
        let value = entry.get("value").and_then(|n| n.as_str()).unwrap_or("");
        if !matches!(
            key,
            "AWS_PROFILE" | "AWS_REGION" | "AWS_DEFAULT_REGION" | "AWS_STS_REGIONAL_ENDPOINTS"
        ) {
            return Err(format!(
                "the exec plugin sets {key}, which gate does not allow"
            ));
        }
        plugin_env.insert(key.to_string(), value.to_string());
    }
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let ok = match name {
        "aws" => {
            words.get(..2) == Some(&["eks", "get-token"][..]) && {
                let found = super::aws::aws(&args, &plugin_env, sources);
                found.iter().all(|f| f.kind != Kind::Unknown)
            }
        }
        "gke-gcloud-auth-plugin" => words
            .iter()
            .all(|w| *w == "--use_application_default_credentials"),
        "aws-iam-authenticator" => {
            words.first() == Some(&"token")
                && pairs_ok(
                    &words[1..],
                    &["-i", "--cluster-id", "-r", "--role", "--region"],
                )
        }
        "kubelogin" => {
            words.first() == Some(&"get-token")
                && pairs_ok(
                    &words[1..],
                    &[
                        "--login",
                        "-l",
                        "--server-id",
                        "--client-id",
                        "--tenant-id",
                        "--environment",
                        "-e",
                    ],
                )
                && !words
                    .iter()
                    .any(|w| w.starts_with("--login=") || w.starts_with("-l="))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the exec plugin `{command} {}` is not a credential plugin gate knows",
            args.join(" ")
        ))
    }
}

/// `--flag value` pairs, each flag one of `allowed`.
fn pairs_ok(words: &[&str], allowed: &[&str]) -> bool {
    words.len().is_multiple_of(2)
        && words
            .chunks(2)
            .all(|p| allowed.contains(&p[0]) && !p[1].starts_with('-'))
}

/// The cluster and namespace kubectl will use: flags first, then the chosen context in the merged kubeconfig
/// (the first file that names a context, cluster or user wins, as client-go merges them).
fn resolve_target(
    parsed: &Parsed,
    configs: &[(String, serde_json::Value)],
    env: &BTreeMap<String, String>,
) -> Target {
    let named = |section: &str, name: &str, field: &str| -> Option<serde_json::Value> {
        configs.iter().find_map(|(_, c)| {
            c.get(section)?
                .as_array()?
                .iter()
                .find(|e| e.get("name").and_then(|n| n.as_str()) == Some(name))?
                .get(field)
                .cloned()
        })
    };
    let context_name = parsed.last("context").map(ToString::to_string).or_else(|| {
        configs.iter().find_map(|(_, c)| {
            c.get("current-context")
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(ToString::to_string)
        })
    });
    let context = context_name
        .as_deref()
        .and_then(|n| named("contexts", n, "context"))
        .unwrap_or(serde_json::Value::Null);
    let field = |k: &str| {
        context
            .get(k)
            .and_then(|v| v.as_str())
            .map(ToString::to_string)
    };
    let cluster = parsed
        .last("cluster")
        .map(ToString::to_string)
        .or_else(|| field("cluster"));
    let server = parsed.last("server").map(ToString::to_string).or_else(|| {
        cluster
            .as_deref()
            .and_then(|c| named("clusters", c, "cluster"))
            .and_then(|c| {
                c.get("server")
                    .and_then(|s| s.as_str())
                    .map(ToString::to_string)
            })
    });
    let host = server
        .as_deref()
        .map(|s| {
            let s = s.split_once("://").map_or(s, |(_, rest)| rest);
            s.split('/').next().unwrap_or(s).to_string()
        })
        .or_else(|| env.get("KUBERNETES_SERVICE_HOST").cloned())
        .or(context_name);
    Target {
        host,
        port: None,
        database: parsed
            .last("namespace")
            .map(ToString::to_string)
            .or_else(|| field("namespace")),
        user: parsed
            .last("user")
            .map(ToString::to_string)
            .or_else(|| field("user")),
    }
}

/// The dry-run strategy: `None` for a real request.
fn dry_run(parsed: &Parsed) -> Result<Option<&'static str>, String> {
    match parsed.last("dry-run") {
        None | Some("none" | "false") => Ok(None),
        Some("client" | "" | "true") => Ok(Some("client")),
        Some("server") => Ok(Some("server")),
        Some(other) => Err(format!("`--dry-run={other}` is not a strategy gate knows")),
    }
}

fn subcommand(
    path: &str,
    parsed: &Parsed,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    judge: &mut Judge,
) {
    let words = &parsed.positionals;
    let objects: Vec<String> = words
        .iter()
        .take(crate::classify::MAX_OBJECTS)
        .cloned()
        .collect();
    let dry = match dry_run(parsed) {
        Ok(d) => d,
        Err(why) => {
            judge.unknown(why);
            return;
        }
    };
    match path {
        "" | "config" | "auth" | "top" | "rollout" | "set" | "plugin" | "certificate" | "create secret"
        | "create service" => {
            judge.unknown(format!("`{} {path}` without a subcommand gate knows", judge.tool));
        }
        "get" | "wait" => get(path, parsed, sources, judge),
        "config view" => config_view(parsed, env, sources, judge),
        "cluster-info dump" => {
            judge.add(Kind::DataExport, "dumps cluster state and pod logs");
            if parsed.given("output-directory") {
                judge.add(Kind::Write, "writes the dump into a directory");
            }
        }
        p if subcommand_reads(p) => {
            let kinds = read_manifests(parsed, sources, judge);
            if p == "apply view-last-applied" {
                // The last-applied annotation holds the whole object as applied, a secret's data included.
                let named = resource_words(words).iter().map(|w| names(w)).collect::<Vec<_>>();
                if named.contains(&Names::Secrets) || kinds.iter().any(|(_, k)| k == "Secret") {
                    judge.add_objects(Kind::DataExport, "prints the last-applied secret", objects);
                    return;
                }
                if named.contains(&Names::Discovered) || !kinds.is_empty() {
                    judge.unknown(
                        "the last-applied object is named through the cluster's discovery, which gate cannot see",
                    );
                    return;
                }
            }
            judge.add_objects(Kind::Read, format!("{} {p} only reads", judge.tool), objects);
        }
        "diff" => judge.unknown(
            "kubectl diff runs the `diff` program found on PATH (or $KUBECTL_EXTERNAL_DIFF), which gate cannot see",
        ),
        "kustomize" => judge.unknown("kubectl kustomize builds a kustomization (git for remote bases, plugins), which gate does not"),
        "delete" => {
            let kinds = read_manifests(parsed, sources, judge);
            if dry.is_some() {
                judge.add_objects(Kind::Read, "a dry run deletes nothing", objects);
                return;
            }
            if let Some(raw) = parsed.last("raw") {
                judge.add_objects(Kind::DestructiveWrite, format!("DELETE {raw}"), vec![raw.to_string()]);
                return;
            }
            let wide = parsed.on("all") || parsed.on("all-namespaces");
            let first = words.first().map(|w| w.to_ascii_lowercase()).unwrap_or_default();
            let critical = wide
                || ["namespace", "namespaces", "ns", "pv", "persistentvolume", "persistentvolumes", "crd", "crds", "customresourcedefinition", "customresourcedefinitions"]
                    .iter()
                    .any(|k| first.split(['/', ',']).any(|w| w == *k))
                || kinds.iter().any(|(_, k)| matches!(k.as_str(), "Namespace" | "PersistentVolume" | "CustomResourceDefinition"));
            let mut objs = objects.clone();
            objs.extend(kinds.iter().map(|(_, k)| k.clone()));
            let f = finding(&judge.tool, &judge.target, Kind::DestructiveWrite, "deletes resources")
                .with_risk(if critical { Risk::Critical } else { Risk::High })
                .with_objects(objs);
            judge.out.push(f);
            if words.first().is_some_and(|w| rbac_word(w))
                || kinds.iter().any(|(a, k)| kind_effect(a, k) == Some(Kind::PermissionChange))
            {
                judge.add(Kind::PermissionChange, "removes roles, bindings, service accounts or secrets");
            }
        }
        "apply" | "create" | "replace" => {
            if path == "create" && parsed.on("edit") {
                judge.unknown("`create --edit` opens $KUBE_EDITOR/$EDITOR, which gate cannot see");
            }
            if let Some(raw) = parsed.last("raw") {
                judge.add_objects(Kind::Write, format!("sends a raw request to {raw}"), vec![raw.to_string()]);
                let _ = read_manifests(parsed, sources, judge);
                judge.unknown("a raw request body is not an object gate classifies");
                return;
            }
            let kinds = read_manifests(parsed, sources, judge);
            if parsed.all("filename").next().is_none() && !parsed.given("kustomize") {
                judge.unknown(format!("`{path}` without `-f` or `-k`"));
            }
            manifest_effects(path, &kinds, parsed, dry, judge);
        }
        "apply set-last-applied" => {
            let kinds = read_manifests(parsed, sources, judge);
            manifest_effects(path, &kinds, parsed, dry, judge);
        }
        "edit" | "apply edit-last-applied" => {
            let _ = read_manifests(parsed, sources, judge);
            judge.add_objects(Kind::Write, "edits resources in place", objects.clone());
            judge.unknown("opens $KUBE_EDITOR/$EDITOR (vi by default), which gate cannot see");
            if words.first().is_some_and(|w| names(w) != Names::Plain) {
                judge.add_objects(Kind::DataExport, "shows the object (a secret's values) in the editor", objects);
            }
        }
        "patch" | "label" | "annotate" | "scale" | "autoscale" | "expose" | "rollout undo" | "rollout restart"
        | "rollout pause" | "rollout resume" | "set image" | "set env" | "set resources" | "set selector" => {
            let kinds = read_manifests(parsed, sources, judge);
            if path == "patch"
                && let Some(file) = parsed.last("patch-file")
                    && sources.read_file(file).is_none() {
                        judge.unknown(format!("--patch-file {file}: gate cannot read it"));
                    }
            if dry.is_some() || parsed.on("local") {
                judge.add_objects(Kind::Read, "a dry run changes nothing", objects);
                return;
            }
            judge.add_objects(Kind::Write, format!("{} {path} changes resources", judge.tool), objects.clone());
            if words.first().is_some_and(|w| rbac_word(w))
                || kinds.iter().any(|(a, k)| kind_effect(a, k) == Some(Kind::PermissionChange))
            {
                judge.add_objects(Kind::PermissionChange, "changes roles, bindings, service accounts or secrets", objects);
            }
        }
        "set serviceaccount" | "set subject" | "auth reconcile" | "certificate approve" | "certificate deny" => {
            let _ = read_manifests(parsed, sources, judge);
            if dry.is_some() || parsed.on("local") {
                judge.add_objects(Kind::Read, "a dry run changes nothing", objects);
                return;
            }
            judge.add_objects(Kind::PermissionChange, format!("{} {path} changes who may do what", judge.tool), objects);
        }
        p if p.starts_with("create ") => create_typed(p, parsed, dry, judge),
        "cordon" | "uncordon" | "taint" | "drain" => {
            if dry.is_some() {
                judge.add_objects(Kind::Read, "a dry run changes nothing", objects);
                return;
            }
            judge.add_objects(Kind::AdminConfig, format!("{} {path} changes how nodes are scheduled", judge.tool), objects.clone());
            if path == "drain" {
                judge.add_objects(Kind::DestructiveWrite, "evicts every pod on the node", objects);
            }
        }
        "port-forward" | "proxy" => judge.unknown(format!(
            "{} {path} opens a tunnel into the cluster; gate cannot see what will travel through it",
            judge.tool
        )),
        "cp" => {
            let remote = |w: &String| w.contains(':');
            match words.as_slice() {
                [from, to] if remote(from) && !remote(to) => {
                    judge.add_objects(Kind::DataExport, "copies files out of a pod", vec![from.clone()]);
                    judge.add_objects(Kind::Write, "writes local files", vec![to.clone()]);
                }
                [from, to] if !remote(from) && remote(to) => {
                    judge.add_objects(Kind::Write, "copies files into a pod", vec![to.clone()]);
                }
                _ => judge.unknown("kubectl cp needs one local and one pod path"),
            }
            judge.add(Kind::CodeExecution, "runs tar inside the container");
        }
        "run" | "debug" | "attach" => {
            if path == "run" && dry.is_some() {
                judge.add_objects(Kind::Read, "a dry run starts nothing", objects);
                return;
            }
            judge.add_objects(Kind::CodeExecution, format!("{} {path} runs code in the cluster", judge.tool), objects);
        }
        "config use-context" | "config set-context" | "config set-credentials" => judge.add_objects(
            Kind::AdminConfig,
            format!("{} {path} rewrites the kubeconfig", judge.tool),
            objects,
        ),
        other => judge.unknown(format!("`{} {other}` is not a subcommand gate classifies", judge.tool)),
    }
}

fn rbac_word(word: &str) -> bool {
    let base = word
        .split('/')
        .next()
        .unwrap_or(word)
        .split('.')
        .next()
        .unwrap_or(word)
        .to_ascii_lowercase();
    matches!(
        base.as_str(),
        "role"
            | "roles"
            | "clusterrole"
            | "clusterroles"
            | "rolebinding"
            | "rolebindings"
            | "clusterrolebinding"
            | "clusterrolebindings"
            | "serviceaccount"
            | "serviceaccounts"
            | "sa"
            | "secret"
            | "secrets"
    )
}

fn manifest_effects(
    path: &str,
    kinds: &[(String, String)],
    parsed: &Parsed,
    dry: Option<&str>,
    judge: &mut Judge,
) {
    if dry.is_some() {
        if dry == Some("server")
            && kinds.iter().any(|(_, k)| k == "Secret")
            && prints_data(parsed).unwrap_or(true)
        {
            judge.add(
                Kind::DataExport,
                "a server dry run prints the merged secret",
            );
        } else {
            judge.add(Kind::Read, "a dry run changes nothing");
        }
        return;
    }
    let mut distinct: Vec<&(String, String)> = Vec::new();
    for pair in kinds {
        if !distinct.contains(&pair) {
            distinct.push(pair);
        }
    }
    for (api, kind) in distinct {
        match kind_effect(api, kind) {
            Some(Kind::Write) => judge.add_objects(
                Kind::Write,
                format!("{path} changes resources"),
                vec![kind.clone()],
            ),
            Some(Kind::PermissionChange) => judge.add_objects(
                Kind::PermissionChange,
                "creates or changes roles, bindings, service accounts or secrets",
                vec![kind.clone()],
            ),
            Some(k) => judge.add_objects(
                k,
                format!("{path} of a {kind} changes how the cluster works"),
                vec![kind.clone()],
            ),
            None => judge.unknown(format!(
                "`{api} {kind}` is a kind gate does not know what applying does"
            )),
        }
    }
    if path == "apply" && parsed.on("prune") {
        judge.add(
            Kind::DestructiveWrite,
            "`--prune` deletes objects missing from the manifests",
        );
    }
    if path == "replace" && parsed.on("force") {
        judge.add(
            Kind::DestructiveWrite,
            "`--force` deletes and re-creates the objects",
        );
    }
}

fn create_typed(path: &str, parsed: &Parsed, dry: Option<&str>, judge: &mut Judge) {
    let objects: Vec<String> = parsed.positionals.iter().take(1).cloned().collect();
    if path == "create token" {
        judge.add_objects(
            Kind::DataExport,
            "mints a service account token and prints it",
            objects,
        );
        return;
    }
    if dry.is_some() {
        judge.add_objects(Kind::Read, "a dry run creates nothing", objects);
        return;
    }
    match path {
        "create role"
        | "create rolebinding"
        | "create clusterrole"
        | "create clusterrolebinding"
        | "create serviceaccount"
        | "create secret generic"
        | "create secret tls"
        | "create secret docker-registry" => {
            judge.add_objects(
                Kind::Write,
                format!("{path} creates an object"),
                objects.clone(),
            );
            judge.add_objects(
                Kind::PermissionChange,
                "creates roles, bindings, service accounts or secrets",
                objects,
            );
        }
        "create job" | "create cronjob" | "create deployment" => {
            judge.add_objects(Kind::Write, format!("{path} starts workloads"), objects);
        }
        "create namespace" | "create configmap" | "create service clusterip" => {
            judge.add_objects(Kind::Write, format!("{path} creates an object"), objects);
        }
        other => judge.unknown(format!("`{other}` is not a subcommand gate classifies")),
    }
}

/// `get` and `wait`: reads, unless what they print can hold a secret's values.
fn get(path: &str, parsed: &Parsed, sources: &dyn Sources, judge: &mut Judge) {
    let words = &parsed.positionals;
    let objects: Vec<String> = words
        .iter()
        .take(crate::classify::MAX_OBJECTS)
        .cloned()
        .collect();
    let data = match prints_data(parsed) {
        Ok(d) => d || (parsed.given("sort-by") && path == "get"),
        Err(why) => {
            judge.unknown(why);
            return;
        }
    };
    if let Some(raw) = parsed.last("raw") {
        match raw_path(raw) {
            Ok(true) => judge.add_objects(
                Kind::DataExport,
                format!("GET {raw} reads secrets"),
                vec![raw.to_string()],
            ),
            Ok(false) => judge.add_objects(Kind::Read, format!("GET {raw}"), vec![raw.to_string()]),
            Err(why) => judge.unknown(why),
        }
        return;
    }
    let kinds = read_manifests(parsed, sources, judge);
    let mut secret = kinds.iter().any(|(_, k)| k.eq_ignore_ascii_case("secret"));
    let mut discovered = !kinds.is_empty();
    for word in resource_words(words) {
        match names(&word) {
            Names::Secrets => secret = true,
            Names::Discovered => discovered = true,
            Names::Plain => {}
        }
    }
    if data && secret {
        judge.add_objects(Kind::DataExport, "prints secret values", objects);
    } else if data && discovered {
        judge.unknown(
            "the output shows object data, and the resource name is resolved through the cluster's discovery \
             (short names, kinds, categories), which gate cannot see: name the plural resource",
        );
    } else {
        judge.add_objects(
            Kind::Read,
            format!("{} {path} only reads", judge.tool),
            objects,
        );
    }
}

/// `get --raw PATH`: `Ok(true)` when it reads secrets, `Ok(false)` for another plain API read.
fn raw_path(raw: &str) -> Result<bool, String> {
    if !raw.starts_with('/') || raw.contains('%') || raw.contains("..") || raw.contains('\\') {
        return Err(format!("`--raw {raw}` is not a plain API path"));
    }
    let path = raw.split('?').next().unwrap_or(raw);
    if matches!(
        path,
        "/healthz" | "/livez" | "/readyz" | "/version" | "/metrics" | "/api" | "/apis"
    ) {
        return Ok(false);
    }
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    if !(path.starts_with("/api/") || path.starts_with("/apis/") || path.starts_with("/openapi/")) {
        return Err(format!("`--raw {raw}` is not an API path gate knows"));
    }
    if segments
        .iter()
        .any(|s| matches!(*s, "proxy" | "exec" | "attach" | "portforward"))
    {
        return Err(format!(
            "`--raw {raw}` reaches through the API server to something gate cannot see"
        ));
    }
    if segments.iter().any(|s| {
        !s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:".contains(c))
    }) {
        return Err(format!(
            "`--raw {raw}` has characters gate does not expect in a path"
        ));
    }
    Ok(segments.iter().any(|s| s.eq_ignore_ascii_case("secrets")))
}

/// `config view`: without `--raw` kubectl hides tokens, keys and certificates, but not passwords, exec
/// environments or auth-provider settings (client-go's `ShortenConfig`).
fn config_view(
    parsed: &Parsed,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    judge: &mut Judge,
) {
    if let Err(why) = prints_data(parsed) {
        judge.unknown(why);
        return;
    }
    if parsed.on("raw") {
        judge.add(
            Kind::DataExport,
            "prints credentials from the kubeconfig (`--raw`)",
        );
        return;
    }
    let home_dir = home(env);
    let files: Vec<String> = if let Some(explicit) = parsed.last("kubeconfig") {
        vec![explicit.to_string()]
    } else if let Some(list) = env.get("KUBECONFIG").filter(|v| !v.is_empty()) {
        list.split(':')
            .filter(|p| !p.is_empty())
            .map(ToString::to_string)
            .collect()
    } else {
        vec![join(home_dir, ".kube/config")]
    };
    let leaky = files.iter().any(|file| {
        sources.read_file(file).is_some_and(|bytes| {
            let text = String::from_utf8_lossy(&bytes);
            ["password", "auth-provider", "env:", "\"env\""]
                .iter()
                .any(|k| text.contains(k))
        })
    });
    if leaky {
        judge.add(Kind::DataExport, "prints kubeconfig entries kubectl does not redact (passwords, exec env, auth-provider)");
    } else {
        judge.add(
            Kind::Read,
            "prints the kubeconfig with credentials redacted",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::NoSources;

    fn s(a: &[&str]) -> Vec<String> {
        a.iter().map(ToString::to_string).collect()
    }

    use crate::classify::Files;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    fn kinds_with(a: &[&str], e: &BTreeMap<String, String>, src: &dyn Sources) -> Vec<Kind> {
        let mut k: Vec<Kind> = kubectl("kubectl", &s(a), e, src, 0)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    fn kinds(a: &[&str]) -> Vec<Kind> {
        kinds_with(a, &env(&[("HOME", "/home/u")]), &NoSources)
    }

    #[test]
    fn pflag_syntax() {
        let t: &[&[Flag]] = &[GLOBAL, command_flags("get").unwrap()];
        let p = pflag(
            &s(&["-nns", "pods", "-o=json", "--all_namespaces=false", "-Aw"]),
            t,
        )
        .unwrap();
        assert_eq!(p.last("namespace"), Some("ns"));
        assert_eq!(p.last("output"), Some("json"));
        assert_eq!(p.last("watch"), Some("true"));
        assert_eq!(p.last("all-namespaces"), Some("true"));
        let p = pflag(&s(&["--namespace", "x", "--", "-o", "yaml"]), t).unwrap();
        assert_eq!(p.positionals, ["-o", "yaml"]);
        assert!(pflag(&s(&["--names=x"]), t).is_err(), "no abbreviations");
        assert!(pflag(&s(&["--watch=maybe"]), t).is_err());
        assert!(pflag(&s(&["-n"]), t).is_err());
        // A bool never takes the next argument.
        let p = pflag(&s(&["--watch", "false"]), t).unwrap();
        assert_eq!(p.positionals, ["false"]);
    }

    #[test]
    fn commands_are_found_as_cobra_finds_them() {
        assert_eq!(find_command(&s(&["-n", "x", "get", "pods"])).0, "get");
        assert_eq!(
            find_command(&s(&["create", "secret", "generic", "x"])).0,
            "create secret generic"
        );
        assert_eq!(find_command(&s(&["top", "po"])).0, "top pod");
        // An unknown flag before the subcommand swallows the next word, as cobra's stripFlags does.
        assert_eq!(
            find_command(&s(&["-A", "get", "delete", "pod", "x"])).0,
            "delete"
        );
        assert!(find_command(&s(&["foo", "bar"])).0.starts_with('\u{0}'));
    }

    #[test]
    fn secrets_in_any_output_form_are_exports() {
        for argv in [
            &["get", "secret", "db", "-o", "yaml"][..],
            &["get", "secrets", "-ojson"],
            &["get", "Secret", "db", "-o", "jsonpath={.data}"],
            &["get", "secrets.v1.", "-o", "go-template={{.data}}"],
            &["get", "configmap,secret", "-o", "yaml"],
            &["get", "secret/db", "-o=custom-columns=D:.data"],
            &["get", "secret", "--template", "{{.data}}"],
            &["get", "--raw", "/api/v1/namespaces/x/secrets"],
            &["get", "SECRETS", "--sort-by=.data.password"],
        ] {
            assert_eq!(kinds(argv), [Kind::DataExport], "{argv:?}");
        }
        assert_eq!(kinds(&["get", "secrets"]), [Kind::Read]);
        assert_eq!(kinds(&["get", "secrets", "-o", "name"]), [Kind::Read]);
        assert_eq!(kinds(&["describe", "secret", "db"]), [Kind::Read]);
        assert_eq!(
            kinds(&["get", "pods", "-n", "app", "-o", "yaml"]),
            [Kind::Read]
        );
        assert_eq!(
            kinds(&["get", "po", "-o", "yaml"]),
            [Kind::Unknown],
            "short names come from discovery"
        );
        assert_eq!(kinds(&["get", "pods", "-o", "weird"]), [Kind::Unknown]);
        assert_eq!(
            kinds(&["get", "--raw", "/api/v1/namespaces/x/pods/p/proxy/"]),
            [Kind::Unknown]
        );
    }

    #[test]
    fn unknown_flags_subcommands_and_plugins() {
        assert_eq!(kinds(&["get", "pods", "--frobnicate"]), [Kind::Unknown]);
        assert_eq!(kinds(&["frobnicate"]), [Kind::Unknown]);
        assert_eq!(kinds(&["alpha", "x"]), [Kind::Unknown]);
        assert_eq!(kinds(&["create", "ingress", "x"]), [Kind::Unknown]);
        assert_eq!(
            kinds(&["--cache-dir=/tmp/c", "get", "pods"]),
            [Kind::Read, Kind::Unknown]
        );
        assert_eq!(kinds(&["diff", "-f", "x.yaml"]), [Kind::Unknown]);
        assert_eq!(kinds(&["proxy"]), [Kind::Unknown]);
    }

    #[test]
    fn kubeconfig_exec_plugins_are_inputs() {
        let cfg = "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u, namespace: shop}\nclusters:\n- name: k\n  cluster: {server: 'https://k8s.prod.example.com:6443'}\nusers:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /tmp/evil\n";
        let src = Files(vec![("/home/u/.kube/config", cfg)]);
        let e = env(&[("HOME", "/home/u")]);
        assert_eq!(
            kinds_with(&["get", "pods"], &e, &src),
            [Kind::Read, Kind::Unknown]
        );
        let found = kubectl("kubectl", &s(&["get", "pods"]), &e, &src, 0);
        assert_eq!(
            found[0].target.host.as_deref(),
            Some("k8s.prod.example.com:6443")
        );
        assert_eq!(found[0].target.database.as_deref(), Some("shop"));
        let gke = cfg.replace("/tmp/evil", "gke-gcloud-auth-plugin");
        let src = Files(vec![(
            "/home/u/.kube/config",
            &*Box::leak(gke.into_boxed_str()),
        )]);
        let trusted = env(&[
            ("HOME", "/home/u"),
            ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ]);
        assert_eq!(kinds_with(&["get", "pods"], &trusted, &src), [Kind::Read]);
        let untrusted = env(&[("HOME", "/home/u"), ("PATH", "/home/u/bin:/usr/bin")]);
        assert_eq!(
            kinds_with(&["get", "pods"], &untrusted, &src),
            [Kind::Read, Kind::Unknown]
        );
        let kuberc = Files(vec![(
            "/home/u/.kube/kuberc",
            "apiVersion: kubectl.config.k8s.io/v1beta1\n",
        )]);
        assert_eq!(
            kinds_with(&["get", "pods"], &e, &kuberc),
            [Kind::Read, Kind::Unknown]
        );
        assert_eq!(
            kinds_with(
                &["get", "pods"],
                &env(&[("HOME", "/home/u"), ("KUBECACHEDIR", "/x")]),
                &NoSources
            ),
            [Kind::Read, Kind::Unknown]
        );
    }

    #[test]
    fn manifests_are_read() {
        let src = Files(vec![
            (
                "rb.yaml",
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: x}\n",
            ),
            (
                "app.yaml",
                "apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret}\n",
            ),
            ("cr.yaml", "apiVersion: example.com/v1\nkind: Widget\n"),
        ]);
        let e = env(&[("HOME", "/h")]);
        assert_eq!(
            kinds_with(&["apply", "-f", "rb.yaml"], &e, &src),
            [Kind::PermissionChange]
        );
        assert_eq!(
            kinds_with(&["apply", "-f=app.yaml"], &e, &src),
            [Kind::Write, Kind::PermissionChange]
        );
        assert_eq!(
            kinds_with(&["apply", "-f", "cr.yaml"], &e, &src),
            [Kind::Unknown]
        );
        assert_eq!(
            kinds_with(&["apply", "-f", "missing.yaml"], &e, &src),
            [Kind::Unknown]
        );
        assert_eq!(
            kinds_with(&["apply", "-f", "https://x/y.yaml"], &e, &src),
            [Kind::Unknown]
        );
        assert_eq!(kinds_with(&["apply", "-k", "."], &e, &src), [Kind::Unknown]);
        assert_eq!(
            kinds_with(&["apply", "-f", "rb.yaml,app.yaml"], &e, &src),
            [Kind::Write, Kind::PermissionChange]
        );
        assert_eq!(
            kinds_with(
                &["apply", "--prune", "-l", "a=b", "-f", "app.yaml"],
                &e,
                &src
            ),
            [Kind::Write, Kind::DestructiveWrite, Kind::PermissionChange]
        );
        assert_eq!(
            kinds_with(&["get", "-f", "app.yaml", "-o", "yaml"], &e, &src),
            [Kind::DataExport]
        );
        assert_eq!(
            kinds_with(&["delete", "-f", "rb.yaml"], &e, &src),
            [Kind::DestructiveWrite, Kind::PermissionChange]
        );
        assert_eq!(
            kinds_with(&["apply", "-f", "app.yaml", "--dry-run=client"], &e, &src),
            [Kind::Read]
        );
        assert_eq!(
            kinds_with(
                &["apply", "-f", "app.yaml", "--dry-run", "server"],
                &e,
                &src
            ),
            [Kind::Read],
            "`--dry-run server` is a client dry run (kubectl refuses the extra `server`)"
        );
        // Lists inside lists, one level deeper than gate follows.
        let mut deep = r#"{"apiVersion": "v1", "kind": "Secret"}"#.to_string();
        for _ in 0..=MAX_LIST_DEPTH {
            deep = format!(r#"{{"apiVersion": "v1", "kind": "List", "items": [{deep}]}}"#);
        }
        assert!(manifest_kinds(&deep).is_err());
        let shallow = r#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Secret"}]}]}"#;
        assert_eq!(
            manifest_kinds(shallow).unwrap(),
            [("v1".to_string(), "Secret".to_string())]
        );
    }

    #[test]
    fn exec_goes_to_the_wrapper_wherever_it_is() {
        let found = kinds(&[
            "-n",
            "db",
            "exec",
            "pg-0",
            "-c",
            "pg",
            "--",
            "psql",
            "-c",
            "DROP TABLE t",
        ]);
        assert!(found.contains(&Kind::DestructiveWrite), "{found:?}");
        assert_eq!(
            kinds(&["exec", "pg-0", "--frob", "--", "true"]),
            [Kind::Unknown]
        );
    }

    #[test]
    fn other_verbs() {
        assert_eq!(kinds(&["config", "view", "--raw"]), [Kind::DataExport]);
        assert_eq!(kinds(&["config", "view"]), [Kind::Read]);
        assert_eq!(kinds(&["auth", "can-i", "delete", "pods"]), [Kind::Read]);
        assert_eq!(kinds(&["create", "token", "default"]), [Kind::DataExport]);
        assert_eq!(
            kinds(&["create", "secret", "generic", "x", "--from-literal=a=b"]),
            [Kind::Write, Kind::PermissionChange]
        );
        assert_eq!(
            kinds(&["edit", "secret", "x"]),
            [Kind::DataExport, Kind::Write, Kind::Unknown]
        );
        assert_eq!(kinds(&["delete", "ns", "prod"]), [Kind::DestructiveWrite]);
        assert_eq!(
            kinds(&["cp", "db-0:/var/lib/x", "./x"]),
            [Kind::DataExport, Kind::Write, Kind::CodeExecution]
        );
        assert_eq!(
            kinds(&["drain", "node-1"]),
            [Kind::DestructiveWrite, Kind::AdminConfig]
        );
        assert_eq!(kinds(&["rollout", "status", "deploy/api"]), [Kind::Read]);
        assert_eq!(
            kinds(&["apply", "view-last-applied", "secret/db"]),
            [Kind::DataExport]
        );
        assert_eq!(
            kinds(&["apply", "view-last-applied", "sa/x"]),
            [Kind::Unknown]
        );
        assert_eq!(
            kinds(&["apply", "view-last-applied", "deployments/api"]),
            [Kind::Read]
        );
        assert_eq!(kinds(&["version", "--client"]), [Kind::Read]);
        assert_eq!(kinds(&["logs", "-f", "api-0", "-c", "app"]), [Kind::Read]);
        assert_eq!(
            kinds(&["run", "x", "--image=busybox"]),
            [Kind::CodeExecution]
        );
        assert_eq!(
            kinds(&["get", "pods", "--as=system:admin"]),
            [Kind::Read, Kind::PrivilegeSwitch]
        );
    }
}
