//! The AWS CLI, version 2 (its argument reading is version 1's: Python `argparse`). argparse accepts any unique
//! prefix of an option (`--prof` is `--profile`, `--with-d` is `--with-decryption`), global options anywhere on
//! the line, and parameter values that read local files (`file://`, `fileb://`, `--cli-input-json`). Before it
//! calls anything the CLI reads `~/.aws/config` (where `credential_process` runs a program, `[plugins]` loads
//! Python code and `cli_pager` names a pager), `~/.aws/credentials`, and `~/.aws/cli/alias` (where an alias can
//! stand for any command, or for a shell command with `!`). Operations are judged from allow-lists: a reviewed set
//! of reads per service, and the operations that mint credentials or decrypt secrets, which are exports.

use std::collections::BTreeMap;

use super::super::{Finding, Kind, Risk, Sources, Target};
use super::{finding, home, join, yaml_documents};

/// How many arguments an option takes, in argparse's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Nargs {
    /// `store_true`/`store_false`.
    Zero,
    One,
    /// `nargs='?'`: the next argument when it does not look like an option.
    Optional,
    /// `nargs='+'`: every following argument up to the next option.
    Plus,
}
use Nargs::{One, Optional, Plus, Zero};

/// Global options of `aws help` (AWS CLI 2.x user guide, "Command line options").
const GLOBAL: &[(&str, Nargs)] = &[
    ("debug", Zero),
    ("endpoint-url", One),
    ("no-verify-ssl", Zero),
    ("no-paginate", Zero),
    ("output", One),
    ("query", One),
    ("profile", One),
    ("region", One),
    ("version", Zero),
    ("color", One),
    ("no-sign-request", Zero),
    ("ca-bundle", One),
    ("cli-read-timeout", One),
    ("cli-connect-timeout", One),
    ("cli-binary-format", One),
    ("no-cli-pager", Zero),
    ("cli-auto-prompt", Zero),
    ("no-cli-auto-prompt", Zero),
];

/// Options of the `aws s3` commands (`awscli/customizations/s3/subcommands.py`, `ARG_TABLE`s).
const S3_OPTIONS: &[(&str, Nargs)] = &[
    ("recursive", Zero),
    ("human-readable", Zero),
    ("summarize", Zero),
    ("dryrun", Zero),
    ("quiet", Zero),
    ("force", Zero),
    ("follow-symlinks", Zero),
    ("no-follow-symlinks", Zero),
    ("no-guess-mime-type", Zero),
    ("content-type", One),
    ("exclude", One),
    ("include", One),
    ("acl", One),
    ("grants", Plus),
    ("sse", Optional),
    ("sse-c", Optional),
    ("sse-c-key", One),
    ("sse-kms-key-id", One),
    ("sse-c-copy-source", Optional),
    ("sse-c-copy-source-key", One),
    ("storage-class", One),
    ("website-redirect", One),
    ("cache-control", One),
    ("content-disposition", One),
    ("content-encoding", One),
    ("content-language", One),
    ("source-region", One),
    ("expires", One),
    ("metadata", One),
    ("metadata-directive", One),
    ("index-document", One),
    ("error-document", One),
    ("only-show-errors", Zero),
    ("no-progress", Zero),
    ("expected-size", One),
    ("page-size", One),
    ("ignore-glacier-warnings", Zero),
    ("force-glacier-transfer", Zero),
    ("request-payer", Optional),
    ("validate-same-s3-paths", Zero),
    ("checksum-mode", One),
    ("checksum-algorithm", One),
    ("bucket-name-prefix", One),
    ("bucket-region", One),
    ("delete", Zero),
    ("exact-timestamps", Zero),
    ("size-only", Zero),
    ("no-overwrite", Zero),
    ("copy-props", One),
    ("expires-in", One),
    ("case-conflict", One),
    ("tags", One),
];

/// argparse's option lookup: the exact name, else the one option `name` is a prefix of.
fn resolve<'a>(
    name: &str,
    table: &'a [(&'static str, Nargs)],
) -> Result<Option<&'a (&'static str, Nargs)>, String> {
    if let Some(exact) = table.iter().find(|(n, _)| *n == name) {
        return Ok(Some(exact));
    }
    let matches: Vec<_> = table.iter().filter(|(n, _)| n.starts_with(name)).collect();
    match matches.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(format!(
            "`--{name}` could mean any of {}",
            many.iter()
                .map(|(n, _)| format!("--{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Whether argparse takes `arg` for a positional: not option-like, a negative number, or containing a space.
fn positional_like(arg: &str) -> bool {
    !arg.starts_with('-') || arg == "-" || arg.contains(' ') || negative_number(arg)
}

/// argparse's `_negative_number_matcher`: `^-\d+$|^-\d*\.\d+$`.
fn negative_number(arg: &str) -> bool {
    let Some(body) = arg.strip_prefix('-') else {
        return false;
    };
    match body.split_once('.') {
        None => !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()),
        Some((whole, frac)) => {
            whole.bytes().all(|b| b.is_ascii_digit())
                && !frac.is_empty()
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

/// What one argparse pass made of the arguments.
#[derive(Debug, Default)]
struct Parsed {
    opts: Vec<(&'static str, Option<String>)>,
    /// Everything the table did not claim, in order (positionals and other options with their words).
    rest: Vec<String>,
}

impl Parsed {
    fn last(&self, name: &str) -> Option<&str> {
        self.opts
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    }
    fn has(&self, name: &str) -> bool {
        self.opts.iter().any(|(n, _)| *n == name)
    }
}

/// One argparse `parse_known_args` pass over `args` with `table`: options it knows (by prefix too) are taken,
/// the rest is left in order. `strict` makes an unknown option an error.
fn argparse(
    args: &[String],
    table: &[(&'static str, Nargs)],
    strict: bool,
) -> Result<Parsed, String> {
    let mut out = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            out.rest.extend(args[i - 1..].iter().cloned());
            break;
        }
        let Some(body) = arg.strip_prefix("--").filter(|_| !positional_like(arg)) else {
            if strict && arg.starts_with('-') && !positional_like(arg) {
                return Err(format!("option `{arg}` is not one gate knows"));
            }
            out.rest.push(arg.clone());
            continue;
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let Some(&(long, nargs)) = resolve(name, table)? else {
            if strict {
                return Err(format!("option `--{name}` is not one gate knows"));
            }
            out.rest.push(arg.clone());
            continue;
        };
        let value = match (nargs, inline) {
            (Zero, Some(_)) => return Err(format!("option `--{long}` takes no value")),
            (Zero, None) => None,
            (_, Some(v)) => Some(v),
            (One, None) => match args.get(i) {
                Some(v) if positional_like(v) => {
                    i += 1;
                    Some(v.clone())
                }
                _ => return Err(format!("option `--{long}` needs a value")),
            },
            (Optional, None) => match args.get(i) {
                Some(v) if positional_like(v) => {
                    i += 1;
                    Some(v.clone())
                }
                _ => None,
            },
            (Plus, None) => {
                let mut values = Vec::new();
                while let Some(v) = args.get(i).filter(|v| positional_like(v)) {
                    values.push(v.clone());
                    i += 1;
                }
                if values.is_empty() {
                    return Err(format!("option `--{long}` needs a value"));
                }
                Some(values.join(" "))
            }
        };
        out.opts.push((long, value));
    }
    Ok(out)
}

/// Reads, per service, that print no secret: `describe-*`-style patterns end in `*`. Reviewed against each
/// service's API reference (AWS CLI 2 command reference); a service not listed has no reads.
const READS: &[(&str, &[&str])] = &[
    ("ec2", &["describe-*"]),
    (
        "s3api",
        &[
            "list-*",
            "head-object",
            "head-bucket",
            "get-bucket-*",
            "get-object-acl",
            "get-object-tagging",
            "get-object-attributes",
            "get-object-retention",
            "get-object-legal-hold",
            "get-object-lock-configuration",
            "get-public-access-block",
        ],
    ),
    (
        "iam",
        &[
            "get-*",
            "list-*",
            "simulate-custom-policy",
            "simulate-principal-policy",
        ],
    ),
    ("sts", &["get-caller-identity", "get-access-key-info"]),
    (
        "ssm",
        &[
            "describe-*",
            "list-*",
            "get-parameter",
            "get-parameters",
            "get-parameters-by-path",
            "get-parameter-history",
            "get-document",
            "get-inventory",
            "get-service-setting",
            "get-patch-baseline",
        ],
    ),
    (
        "secretsmanager",
        &[
            "describe-secret",
            "list-secrets",
            "list-secret-version-ids",
            "get-resource-policy",
        ],
    ),
    (
        "kms",
        &[
            "describe-key",
            "list-*",
            "get-key-policy",
            "get-key-rotation-status",
            "get-public-key",
        ],
    ),
    (
        "ecr",
        &[
            "describe-*",
            "list-*",
            "get-repository-policy",
            "get-lifecycle-policy",
            "get-registry-policy",
        ],
    ),
    ("eks", &["describe-*", "list-*"]),
    ("rds", &["describe-*", "list-tags-for-resource"]),
    (
        "lambda",
        &[
            "list-*",
            "get-function-configuration",
            "get-policy",
            "get-alias",
            "get-account-settings",
            "get-function-concurrency",
        ],
    ),
    (
        "cloudformation",
        &[
            "describe-*",
            "list-*",
            "get-template",
            "get-template-summary",
        ],
    ),
    (
        "logs",
        &[
            "describe-*",
            "get-log-events",
            "filter-log-events",
            "get-query-results",
            "tail",
        ],
    ),
    (
        "cloudwatch",
        &[
            "describe-*",
            "list-*",
            "get-metric-data",
            "get-metric-statistics",
            "get-dashboard",
        ],
    ),
    (
        "route53",
        &[
            "list-*",
            "get-hosted-zone",
            "get-change",
            "get-health-check",
            "get-dnssec",
        ],
    ),
    ("elbv2", &["describe-*"]),
    ("elb", &["describe-*"]),
    ("autoscaling", &["describe-*"]),
    (
        "dynamodb",
        &[
            "describe-*",
            "list-*",
            "get-item",
            "batch-get-item",
            "query",
            "scan",
        ],
    ),
    ("sqs", &["list-*", "get-queue-attributes", "get-queue-url"]),
    (
        "sns",
        &[
            "list-*",
            "get-topic-attributes",
            "get-subscription-attributes",
        ],
    ),
    ("organizations", &["describe-*", "list-*"]),
    ("ecs", &["describe-*", "list-*"]),
    ("elasticache", &["describe-*"]),
    (
        "cloudtrail",
        &[
            "describe-trails",
            "get-trail-status",
            "list-trails",
            "lookup-events",
        ],
    ),
    (
        "acm",
        &["describe-certificate", "list-*", "get-certificate"],
    ),
    (
        "cloudfront",
        &["list-*", "get-distribution", "get-distribution-config"],
    ),
];

/// Operations that mint credentials, decrypt secrets or hand out data, whatever their name says.
const EXPORTS: &[(&str, &str, &str)] = &[
    ("ecr", "get-login-password", "prints a registry password"),
    ("ecr", "get-authorization-token", "mints a registry token"),
    (
        "ecr",
        "get-download-url-for-layer",
        "hands out a link to image data",
    ),
    (
        "ecr-public",
        "get-login-password",
        "prints a registry password",
    ),
    (
        "ecr-public",
        "get-authorization-token",
        "mints a registry token",
    ),
    ("sts", "get-session-token", "mints temporary credentials"),
    ("sts", "get-federation-token", "mints temporary credentials"),
    ("sts", "assume-role", "mints another role's credentials"),
    (
        "sts",
        "assume-role-with-saml",
        "mints another role's credentials",
    ),
    (
        "sts",
        "assume-role-with-web-identity",
        "mints another role's credentials",
    ),
    ("sts", "assume-root", "mints root credentials"),
    ("secretsmanager", "get-secret-value", "prints a secret"),
    ("secretsmanager", "batch-get-secret-value", "prints secrets"),
    ("kms", "decrypt", "decrypts data"),
    ("kms", "generate-data-key", "mints a data key"),
    ("kms", "generate-data-key-pair", "mints a key pair"),
    (
        "kms",
        "generate-data-key-without-plaintext",
        "mints a data key",
    ),
    ("kms", "generate-random", "mints random key material"),
    (
        "ec2",
        "get-password-data",
        "prints an instance's administrator password",
    ),
    ("rds", "generate-db-auth-token", "mints a database token"),
    ("eks", "get-token", "mints a cluster token"),
    (
        "codeartifact",
        "get-authorization-token",
        "mints a repository token",
    ),
    ("iam", "create-access-key", "mints an access key"),
    (
        "iam",
        "create-service-specific-credential",
        "mints a credential",
    ),
    (
        "iam",
        "reset-service-specific-credential",
        "mints a credential",
    ),
    (
        "redshift",
        "get-cluster-credentials",
        "mints database credentials",
    ),
    (
        "redshift",
        "get-cluster-credentials-with-iam",
        "mints database credentials",
    ),
    (
        "redshift-serverless",
        "get-credentials",
        "mints database credentials",
    ),
    ("sso", "get-role-credentials", "mints role credentials"),
    ("sso-oidc", "create-token", "mints a token"),
    (
        "cognito-identity",
        "get-credentials-for-identity",
        "mints credentials",
    ),
    ("cognito-identity", "get-open-id-token", "mints a token"),
    (
        "lightsail",
        "get-instance-access-details",
        "prints instance keys or passwords",
    ),
    (
        "lightsail",
        "get-relational-database-master-user-password",
        "prints a database password",
    ),
    (
        "lightsail",
        "download-default-key-pair",
        "prints a private key",
    ),
    ("acm", "export-certificate", "prints a private key"),
    (
        "lambda",
        "get-function",
        "hands out a link to the function's code",
    ),
    ("s3api", "get-object", "downloads an object"),
    ("s3api", "get-object-torrent", "downloads an object"),
    ("apigateway", "get-api-key", "prints an API key"),
    ("apigateway", "get-api-keys", "prints API keys"),
    ("glue", "get-connection", "prints connection passwords"),
    ("glue", "get-connections", "prints connection passwords"),
    ("ivs", "get-stream-key", "prints a stream key"),
    ("snowball", "get-job-unlock-code", "prints an unlock code"),
    (
        "storagegateway",
        "describe-chap-credentials",
        "prints CHAP secrets",
    ),
    (
        "gamelift",
        "get-instance-access",
        "prints instance credentials",
    ),
    (
        "gamelift",
        "get-compute-access",
        "prints compute credentials",
    ),
    (
        "emr",
        "get-cluster-session-credentials",
        "mints cluster credentials",
    ),
    ("mwaa", "create-cli-token", "mints a token"),
    ("mwaa", "create-web-login-token", "mints a token"),
];

fn pattern_matches(pattern: &str, op: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => op.starts_with(prefix),
        None => pattern == op,
    }
}

fn is_read(service: &str, op: &str) -> bool {
    READS
        .iter()
        .any(|(s, ops)| *s == service && ops.iter().any(|p| pattern_matches(p, op)))
}

/// `AWS_*` variables the CLI reads whose effect gate accounts for (botocore's config variables and the CLI's own),
/// and a few credential helpers set.
const KNOWN_ENV: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CA_BUNDLE",
    "AWS_ENDPOINT_URL",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_PAGER",
    "AWS_DEFAULT_OUTPUT",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_STS_REGIONAL_ENDPOINTS",
    "AWS_USE_FIPS_ENDPOINT",
    "AWS_USE_DUALSTACK_ENDPOINT",
    "AWS_METADATA_SERVICE_TIMEOUT",
    "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_V1_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_CLI_FILE_ENCODING",
    "AWS_SDK_UA_APP_ID",
    "AWS_ACCOUNT_ID",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE",
    "AWS_REQUEST_CHECKSUM_CALCULATION",
    "AWS_RESPONSE_CHECKSUM_VALIDATION",
    "AWS_DEFAULTS_MODE",
    "AWS_DISABLE_REQUEST_COMPRESSION",
    "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
    "AWS_SIGV4A_SIGNING_REGION_SET",
    "AWS_CLI_S3_MV_VALIDATE_SAME_S3_PATHS",
    "AWS_VAULT",
    "AWS_SDK_LOAD_CONFIG",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
];

/// Settings of `~/.aws/config` and `~/.aws/credentials` (AWS CLI 2 user guide, "Configuration and credential
/// file settings") that change nothing gate classifies. `credential_process`, `cli_pager`, `cli_auto_prompt` and
/// `cli_history` are judged on their own; anything else is `unknown`.
const KNOWN_SETTINGS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "region",
    "output",
    "role_arn",
    "source_profile",
    "credential_source",
    "external_id",
    "mfa_serial",
    "role_session_name",
    "duration_seconds",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "sso_registration_scopes",
    "ca_bundle",
    "endpoint_url",
    "ignore_configured_endpoint_urls",
    "services",
    "max_attempts",
    "retry_mode",
    "sts_regional_endpoints",
    "use_fips_endpoint",
    "use_dualstack_endpoint",
    "cli_binary_format",
    "cli_timestamp_format",
    "cli_follow_urlparam",
    "parameter_validation",
    "tcp_keepalive",
    "metadata_service_timeout",
    "metadata_service_num_attempts",
    "ec2_metadata_service_endpoint",
    "ec2_metadata_service_endpoint_mode",
    "ec2_metadata_v1_disabled",
    "s3",
    "api_versions",
    "defaults_mode",
    "account_id_endpoint_mode",
    "aws_account_id",
    "request_checksum_calculation",
    "response_checksum_validation",
    "sdk_ua_app_id",
    "sigv4a_signing_region_set",
    "disable_request_compression",
    "request_min_compression_size_bytes",
    "dynamodb",
    "ec2",
    "sts",
    "sso_auto_populated",
    "cli_history",
    "cli_pager",
    "cli_auto_prompt",
];

/// Pagers gate lets the CLI start (AWS CLI 2 pipes output to `less -R` unless told otherwise).
const PAGERS: &[&str] = &[
    "",
    "less",
    "less -R",
    "less -FRX",
    "less -FR",
    "more",
    "cat",
];

/// One INI file as botocore's `raw_config_parse` reads it: `(section, key, value)`, keys lower-cased. Continuation
/// lines (indented) belong to the previous key and are kept in its value.
fn ini(text: &str) -> Result<Vec<(String, String, String)>, String> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    let mut section: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match out.last_mut() {
                Some(last) => {
                    last.2.push('\n');
                    last.2.push_str(trimmed);
                    continue;
                }
                None => return Err("an indented line before any setting".into()),
            }
        }
        if let Some(name) = trimmed.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or("a section header without `]`")?;
            section = Some(name.trim().to_string());
            continue;
        }
        let Some(section) = section.clone() else {
            return Err("a setting before any section".into());
        };
        let at = trimmed
            .find(['=', ':'])
            .ok_or_else(|| format!("`{trimmed}` is not `key = value`"))?;
        let key = trimmed[..at].trim().to_ascii_lowercase();
        let value = trimmed[at + 1..].trim().to_string();
        out.push((section, key, value));
    }
    Ok(out)
}

struct Judge {
    target: Target,
    out: Vec<Finding>,
}

impl Judge {
    fn add(&mut self, kind: Kind, detail: impl Into<String>) {
        let f = finding("aws", &self.target, kind, detail);
        self.out.push(f);
    }
    fn add_objects(&mut self, kind: Kind, detail: impl Into<String>, objects: Vec<String>) {
        let f = finding("aws", &self.target, kind, detail).with_objects(objects);
        self.out.push(f);
    }
    fn unknown(&mut self, detail: impl Into<String>) {
        self.add(Kind::Unknown, detail);
    }
}

/// `aws ARGS…`.
pub fn aws(args: &[String], env: &BTreeMap<String, String>, sources: &dyn Sources) -> Vec<Finding> {
    let mut judge = Judge {
        target: Target::default(),
        out: Vec::new(),
    };
    let globals = match argparse(args, GLOBAL, false) {
        Ok(p) => p,
        Err(why) => {
            judge.unknown(format!("aws: {why}"));
            return judge.out;
        }
    };
    let mut words = globals
        .rest
        .iter()
        .filter(|a| positional_like(a) && *a != "--");
    let service = words.next().cloned().unwrap_or_default();
    let op = words.next().cloned().unwrap_or_default();
    // The service's and operation's own arguments: what is left once the two words are taken out.
    let mut op_args = globals.rest.clone();
    for word in [&service, &op] {
        if let Some(at) = op_args.iter().position(|a| a == word) {
            op_args.remove(at);
        }
    }
    judge.target = Target {
        host: globals
            .last("endpoint-url")
            .map(ToString::to_string)
            .or_else(|| {
                env.get(&format!(
                    "AWS_ENDPOINT_URL_{}",
                    service.to_ascii_uppercase().replace('-', "_")
                ))
                .cloned()
            })
            .or_else(|| env.get("AWS_ENDPOINT_URL").cloned()),
        port: None,
        database: globals
            .last("region")
            .map(ToString::to_string)
            .or_else(|| env.get("AWS_REGION").cloned())
            .or_else(|| env.get("AWS_DEFAULT_REGION").cloned()),
        user: globals
            .last("profile")
            .map(ToString::to_string)
            .or_else(|| env.get("AWS_PROFILE").cloned()),
    };
    startup(&globals, &service, &op, env, sources, &mut judge);
    if globals.has("version") {
        judge.add(Kind::Read, "aws --version prints the version");
        return judge.out;
    }
    if globals.has("cli-auto-prompt") {
        judge.unknown("`--cli-auto-prompt` prompts for the command interactively");
    }
    if service == "help" || op == "help" || op_args.first().is_some_and(|a| a == "help") {
        judge.add(Kind::Read, "aws help prints documentation");
        return judge.out;
    }
    if let Some(cn) = globals.last("cli-binary-format")
        && !matches!(cn, "base64" | "raw-in-base64-out")
    {
        judge.unknown(format!("`--cli-binary-format {cn}` is not one gate knows"));
    }
    parameter_files(&op_args, sources, &mut judge);
    if service == "s3" {
        s3(&op, &op_args, &mut judge);
    } else {
        operation(&service, &op, &op_args, sources, &mut judge);
    }
    judge.out
}

/// The startup files and variables the CLI reads before it does anything.
fn startup(
    globals: &Parsed,
    service: &str,
    op: &str,
    env: &BTreeMap<String, String>,
    sources: &dyn Sources,
    judge: &mut Judge,
) {
    for name in env.keys().filter(|n| n.starts_with("AWS_")) {
        if !KNOWN_ENV.contains(&name.as_str()) && !name.starts_with("AWS_ENDPOINT_URL_") {
            judge.unknown(format!("the variable {name} is not one gate knows for aws"));
        }
    }
    if env.get("AWS_CLI_AUTO_PROMPT").is_some_and(|v| v != "off") {
        judge.unknown("AWS_CLI_AUTO_PROMPT prompts for the command interactively");
    }
    let Some(home_dir) = home(env) else {
        judge.unknown("HOME is not set, so the AWS CLI reads the config, credentials and alias files of the account's home directory, which gate cannot name");
        return;
    };
    let expand = |p: &str| match p.strip_prefix("~/") {
        Some(rest) => join(Some(home_dir), rest),
        // `~user/…` is another account's home, which gate cannot name: marked, and reported below.
        None if p.starts_with('~') => format!("\u{0}{p}"),
        None => p.to_string(),
    };
    let config = env
        .get("AWS_CONFIG_FILE")
        .map_or_else(|| join(Some(home_dir), ".aws/config"), |p| expand(p));
    let credentials = env
        .get("AWS_SHARED_CREDENTIALS_FILE")
        .map_or_else(|| join(Some(home_dir), ".aws/credentials"), |p| expand(p));
    let mut pager_setting: Option<String> = None;
    for file in [&config, &credentials] {
        if let Some(named) = file.strip_prefix('\u{0}') {
            judge.unknown(format!("`{named}` is in a home directory gate cannot name"));
            continue;
        }
        let bytes = match super::super::optional_input(sources, file) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(why) => {
                judge.unknown(why);
                continue;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        if text.to_ascii_lowercase().contains("credential_process") {
            judge.unknown(format!(
                "{file} has a `credential_process`, which runs a program to fetch credentials"
            ));
            continue;
        }
        match ini(&text) {
            Err(why) => judge.unknown(format!("{file}: {why}")),
            Ok(entries) => {
                for (section, key, value) in entries {
                    if section == "plugins" || section.starts_with("plugins ") {
                        judge.unknown(format!("{file} loads CLI plugins (Python code)"));
                        break;
                    }
                    if section.starts_with("services ") {
                        // Per-service blocks hold only nested `endpoint_url` settings.
                        if !value
                            .lines()
                            .skip(1)
                            .all(|l| l.trim_start().starts_with("endpoint_url"))
                        {
                            judge.unknown(format!(
                                "{file}: [{section}] {key} holds settings gate does not know"
                            ));
                        }
                    } else if !KNOWN_SETTINGS.contains(&key.as_str()) {
                        judge.unknown(format!("{file}: setting `{key}` is not one gate knows"));
                    } else if key == "cli_auto_prompt" && value != "off" {
                        judge.unknown(format!("{file}: cli_auto_prompt prompts interactively"));
                    } else if key == "cli_pager" {
                        pager_setting = Some(value);
                    }
                }
            }
        }
    }
    if !globals.has("no-cli-pager") {
        let pager = env
            .get("AWS_PAGER")
            .cloned()
            .or(pager_setting)
            .or_else(|| env.get("PAGER").cloned())
            .unwrap_or_else(|| "less -R".into());
        if !PAGERS.contains(&pager.trim()) {
            judge.unknown(format!(
                "the output goes to the pager `{pager}`, a program gate does not know"
            ));
        }
    }
    let alias_file = join(Some(home_dir), ".aws/cli/alias");
    let alias = super::super::optional_input(sources, &alias_file).unwrap_or_else(|why| {
        judge.unknown(why);
        None
    });
    if let Some(bytes) = alias {
        match ini(&String::from_utf8_lossy(&bytes)) {
            Err(why) => judge.unknown(format!("{alias_file}: {why}")),
            Ok(entries) => {
                for (section, key, value) in entries {
                    let hit = (section == "toplevel" && key == service)
                        || (section == format!("command {service}") && key == op);
                    if hit {
                        judge.unknown(format!("`{key}` is an alias in {alias_file} for `{value}`, which gate does not expand"));
                    }
                }
            }
        }
    }
}

/// `file://` and `fileb://` values, and `--cli-input-json`/`--cli-input-yaml`: the CLI reads these files.
fn parameter_files(op_args: &[String], sources: &dyn Sources, judge: &mut Judge) {
    for arg in op_args {
        let value = arg.split_once('=').map_or(arg.as_str(), |(_, v)| v);
        for prefix in ["file://", "fileb://"] {
            if let Some(path) = value.strip_prefix(prefix)
                && sources.read_file(path).is_none()
            {
                judge.unknown(format!("`{prefix}{path}`: gate cannot read the file"));
            }
        }
    }
}

/// The value of an operation argument given by any unique prefix of `long` (argparse), with `--no-LONG` false.
fn flag_value(op_args: &[String], long: &str) -> Option<bool> {
    let mut value = None;
    for arg in op_args {
        let Some(name) = arg.strip_prefix("--") else {
            continue;
        };
        let name = name.split('=').next().unwrap_or(name);
        if !name.is_empty() && long.starts_with(name) {
            value = Some(true);
        } else if name.len() >= 4 && format!("no-{long}").starts_with(name) {
            value = Some(false);
        }
    }
    value
}

/// The JSON or YAML of `--cli-input-json`/`--cli-input-yaml` (any prefix), inline or from `file://`.
fn cli_input(
    op_args: &[String],
    sources: &dyn Sources,
) -> Result<Option<serde_json::Value>, String> {
    let mut found = None;
    let mut i = 0;
    while i < op_args.len() {
        let arg = &op_args[i];
        i += 1;
        let Some(name) = arg.strip_prefix("--") else {
            continue;
        };
        let (name, inline) = match name.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (name, None),
        };
        if name.len() < 5
            || !("cli-input-json".starts_with(name) || "cli-input-yaml".starts_with(name))
        {
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => {
                let v = op_args
                    .get(i)
                    .cloned()
                    .ok_or("`--cli-input-*` needs a value")?;
                i += 1;
                v
            }
        };
        let text = match value.strip_prefix("file://") {
            Some(path) => String::from_utf8_lossy(
                &sources
                    .read_file(path)
                    .ok_or("gate cannot read the --cli-input file")?,
            )
            .into_owned(),
            None => value,
        };
        let mut docs = yaml_documents(&text)?;
        if docs.len() != 1 {
            return Err("`--cli-input-*` is not one document".into());
        }
        found = docs.pop();
    }
    Ok(found)
}

fn operation(
    service: &str,
    op: &str,
    op_args: &[String],
    sources: &dyn Sources,
    judge: &mut Judge,
) {
    if service.is_empty() || op.is_empty() {
        judge.unknown("aws without a service and an operation");
        return;
    }
    let input = match cli_input(op_args, sources) {
        Ok(input) => input,
        Err(why) => {
            judge.unknown(why);
            return;
        }
    };
    let skeleton = op_args
        .iter()
        .any(|a| a.starts_with("--generate-cli-s") || a.starts_with("--generate-cli-skeleton"));
    if skeleton {
        judge.add(
            Kind::Read,
            "`--generate-cli-skeleton` prints a template and calls nothing",
        );
        return;
    }
    if let Some((_, _, why)) = EXPORTS.iter().find(|(s, o, _)| *s == service && *o == op) {
        // A `--cli-input-*` document can set the same switches; gate does not map its keys, so then the
        // values count as shown.
        let hidden = input.is_none()
            && (service == "glue" && flag_value(op_args, "hide-password") == Some(true)
                || service == "apigateway"
                    && flag_value(
                        op_args,
                        if op == "get-api-key" {
                            "include-value"
                        } else {
                            "include-values"
                        },
                    ) != Some(true));
        if hidden {
            judge.add(Kind::Read, format!("{service} {op} without secret values"));
        } else {
            judge.add(Kind::DataExport, format!("{service} {op} {why}"));
        }
        if service == "sts" && op.starts_with("assume-role") {
            judge.add(
                Kind::PrivilegeSwitch,
                format!("sts {op} takes on another role's rights"),
            );
        }
        if service == "iam" {
            judge.add(
                Kind::PermissionChange,
                format!("iam {op} creates a credential"),
            );
        }
        return;
    }
    if service == "ssm" && op.starts_with("get-parameter") && is_read(service, op) {
        let from_input = input
            .as_ref()
            .and_then(|i| i.get("WithDecryption"))
            .is_some_and(|v| v.as_bool() != Some(false));
        if flag_value(op_args, "with-decryption") == Some(true) || from_input {
            judge.add(
                Kind::DataExport,
                format!("ssm {op} --with-decryption prints secret parameters"),
            );
        } else {
            judge.add(Kind::Read, format!("ssm {op} without decryption"));
        }
        return;
    }
    if is_read(service, op) {
        // The CLI itself refuses an argument the operation does not define, and no operation listed in READS
        // writes a local file (those that stream to an outfile are exports).
        judge.add(Kind::Read, format!("{service} {op} only reads"));
        return;
    }
    let verb = op.split('-').next().unwrap_or(op);
    match (service, op, verb) {
        ("lambda", "invoke" | "invoke-async" | "invoke-with-response-stream", _)
        | ("ssm", "send-command" | "start-session" | "start-automation-execution", _)
        | ("ecs", "execute-command" | "run-task", _) => {
            judge.add(Kind::CodeExecution, format!("{service} {op} runs code"));
        }
        ("iam", _, _) => judge.add(
            Kind::PermissionChange,
            format!("iam {op} changes identities or their rights"),
        ),
        (_, o, _)
            if o.contains("-policy")
                || o.contains("-permission")
                || o.contains("-acl")
                || o.contains("public-access-block") =>
        {
            judge.add(
                Kind::PermissionChange,
                format!("{service} {o} changes who may reach the resource"),
            );
        }
        (_, _, "delete" | "terminate" | "remove" | "purge" | "deregister" | "destroy") => {
            judge.add(
                Kind::DestructiveWrite,
                format!("{service} {op} destroys resources"),
            );
        }
        (
            _,
            _,
            "put" | "create" | "update" | "modify" | "start" | "stop" | "reboot" | "tag" | "untag"
            | "attach" | "detach" | "run" | "restore" | "enable" | "disable" | "register"
            | "associate" | "disassociate" | "copy" | "import",
        ) => judge.add(Kind::Write, format!("{service} {op} changes resources")),
        _ => judge.unknown(format!(
            "aws {service} {op} is an operation gate does not know"
        )),
    }
}

/// `aws s3 …`: the direction of a copy decides its kind.
fn s3(op: &str, op_args: &[String], judge: &mut Judge) {
    let parsed = match argparse(op_args, S3_OPTIONS, true) {
        Ok(p) => p,
        Err(why) => {
            judge.unknown(format!("aws s3 {op}: {why}"));
            return;
        }
    };
    let paths: Vec<String> = parsed.rest.iter().filter(|a| *a != "--").cloned().collect();
    let is_s3 = |p: &str| p.starts_with("s3://");
    let objects: Vec<String> = paths.iter().filter(|p| is_s3(p)).cloned().collect();
    if parsed.has("dryrun") {
        judge.add_objects(
            Kind::Read,
            format!("s3 {op} --dryrun only lists what it would do"),
            objects,
        );
        return;
    }
    let public = parsed.last("acl").is_some_and(|a| {
        a != "private" && a != "bucket-owner-full-control" && a != "bucket-owner-read"
    }) || parsed.has("grants");
    match (op, paths.as_slice()) {
        ("ls", [] | [_]) if paths.iter().all(|p| is_s3(p)) => {
            judge.add_objects(Kind::Read, "lists buckets or objects", objects);
        }
        ("cp" | "mv" | "sync", [from, to]) => {
            match (is_s3(from), is_s3(to)) {
                (true, false) => {
                    judge.add_objects(
                        Kind::DataExport,
                        format!("copies objects out of a bucket ({op})"),
                        objects.clone(),
                    );
                    if to != "-" {
                        judge.add_objects(Kind::Write, "writes local files", vec![to.clone()]);
                    }
                }
                (false, true) => judge.add_objects(
                    Kind::Write,
                    format!("uploads into a bucket ({op})"),
                    objects.clone(),
                ),
                (true, true) => {
                    judge.add_objects(
                        Kind::Write,
                        format!("copies objects between buckets ({op})"),
                        objects.clone(),
                    );
                    judge.add_objects(
                        Kind::DataExport,
                        "hands objects to another bucket",
                        objects.clone(),
                    );
                }
                (false, false) => {
                    judge.unknown(format!("aws s3 {op} needs a bucket path"));
                    return;
                }
            }
            if op == "mv" || op == "sync" && parsed.has("delete") {
                let f = finding(
                    "aws",
                    &judge.target,
                    Kind::DestructiveWrite,
                    "removes files or objects at the source or destination",
                )
                .with_objects(paths.clone());
                judge.out.push(f);
            }
            if public {
                judge.add_objects(
                    Kind::PermissionChange,
                    "grants access to the objects it writes",
                    objects,
                );
            }
        }
        ("rm", [path]) if is_s3(path) => judge.add_objects(
            Kind::DestructiveWrite,
            if parsed.has("recursive") {
                "deletes every object under a prefix"
            } else {
                "deletes an object"
            },
            objects,
        ),
        ("rb", [path]) if is_s3(path) => {
            let f = finding(
                "aws",
                &judge.target,
                Kind::DestructiveWrite,
                "removes a bucket",
            )
            .with_risk(if parsed.has("force") {
                Risk::Critical
            } else {
                Risk::High
            })
            .with_objects(objects);
            judge.out.push(f);
        }
        ("mb", [path]) if is_s3(path) => {
            judge.add_objects(Kind::SchemaChange, "creates a bucket", objects);
        }
        ("presign", [path]) if is_s3(path) => {
            judge.add_objects(
                Kind::DataExport,
                "creates a link that hands an object to anyone holding it",
                objects,
            );
        }
        ("website", [path]) if is_s3(path) => {
            judge.add_objects(Kind::Write, "configures a bucket website", objects);
        }
        _ => judge.unknown(format!(
            "aws s3 {op} {} is not a form gate knows",
            paths.join(" ")
        )),
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

    fn home_env() -> BTreeMap<String, String> {
        BTreeMap::from([("HOME".to_string(), "/h".to_string())])
    }

    fn kinds_with(a: &[&str], src: &dyn Sources) -> Vec<Kind> {
        let mut k: Vec<Kind> = aws(&s(a), &home_env(), src)
            .iter()
            .map(|f| f.kind)
            .collect();
        k.sort();
        k.dedup();
        k
    }

    fn kinds(a: &[&str]) -> Vec<Kind> {
        kinds_with(a, &NoSources)
    }

    #[test]
    fn reads_stay_reads() {
        assert_eq!(
            kinds(&["ec2", "describe-instances", "--region", "eu-west-1"]),
            [Kind::Read]
        );
        assert_eq!(
            kinds(&["--region=eu-west-1", "s3", "ls", "s3://bucket"]),
            [Kind::Read]
        );
        assert_eq!(
            kinds(&["sts", "get-caller-identity", "--output", "json"]),
            [Kind::Read]
        );
        assert_eq!(
            kinds(&["ssm", "get-parameter", "--name", "/app/x"]),
            [Kind::Read]
        );
        assert_eq!(kinds(&["--version"]), [Kind::Read]);
    }

    #[test]
    fn credentials_and_secrets_are_exports() {
        for argv in [
            &["ecr", "get-login-password"][..],
            &["sts", "get-session-token"],
            &["ssm", "get-parameter", "--name", "x", "--with-decryption"],
            &["ssm", "get-parameters-by-path", "--path", "/", "--with-d"],
            &["ec2", "get-password-data", "--instance-id", "i-1"],
            &["secretsmanager", "get-secret-value", "--secret-id", "x"],
            &["kms", "decrypt", "--ciphertext-blob", "AAAA"],
            &["eks", "get-token", "--cluster-name", "c"],
            &[
                "rds",
                "generate-db-auth-token",
                "--hostname",
                "h",
                "--port",
                "5432",
                "--username",
                "u",
            ],
            &[
                "ssm",
                "get-parameter",
                "--cli-input-json",
                "{\"Name\": \"x\", \"WithDecryption\": true}",
            ],
        ] {
            assert!(
                kinds(argv).contains(&Kind::DataExport),
                "{argv:?}: {:?}",
                kinds(argv)
            );
            assert!(!kinds(argv).contains(&Kind::Read), "{argv:?}");
        }
        assert_eq!(
            kinds(&[
                "ssm",
                "get-parameter",
                "--name",
                "x",
                "--with-decryption",
                "--no-with-decryption"
            ]),
            [Kind::Read]
        );
    }

    #[test]
    fn files_aliases_and_config_are_inputs() {
        assert_eq!(
            kinds(&["ec2", "describe-instances", "--filters", "file://f.json"]),
            [Kind::Read, Kind::Unknown]
        );
        let src = Files(vec![("f.json", "[]")]);
        assert_eq!(
            kinds_with(
                &["ec2", "describe-instances", "--filters", "file://f.json"],
                &src
            ),
            [Kind::Read]
        );
        let alias = Files(vec![(
            "/h/.aws/cli/alias",
            "[toplevel]\nec2 = !f() { rm -rf ~; }; f\n",
        )]);
        assert_eq!(
            kinds_with(&["ec2", "describe-instances"], &alias),
            [Kind::Read, Kind::Unknown]
        );
        let process = Files(vec![(
            "/h/.aws/config",
            "[default]\nCredential_Process : /tmp/x\n",
        )]);
        assert_eq!(
            kinds_with(&["ec2", "describe-instances"], &process),
            [Kind::Read, Kind::Unknown]
        );
        let plugins = Files(vec![("/h/.aws/config", "[plugins]\nx = evil\n")]);
        assert_eq!(
            kinds_with(&["ec2", "describe-instances"], &plugins),
            [Kind::Read, Kind::Unknown]
        );
        let pager = Files(vec![(
            "/h/.aws/config",
            "[default]\ncli_pager = sh -c 'id'\n",
        )]);
        assert_eq!(
            kinds_with(&["ec2", "describe-instances"], &pager),
            [Kind::Read, Kind::Unknown]
        );
        let fine = Files(vec![(
            "/h/.aws/config",
            "[default]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n[services dev]\ndynamodb =\n  endpoint_url = http://localhost:8000\n",
        )]);
        assert_eq!(
            kinds_with(&["ec2", "describe-instances"], &fine),
            [Kind::Read]
        );
        let no_home = aws(
            &s(&["ec2", "describe-instances"]),
            &BTreeMap::new(),
            &NoSources,
        );
        assert!(no_home.iter().any(|f| f.kind == Kind::Unknown));
        let mut e = home_env();
        e.insert("AWS_DATA_PATH".into(), "/tmp/models".into());
        assert!(
            aws(&s(&["ec2", "describe-instances"]), &e, &NoSources)
                .iter()
                .any(|f| f.kind == Kind::Unknown)
        );
    }

    #[test]
    fn s3_directions() {
        assert_eq!(
            kinds(&["s3", "cp", "s3://b/k", "."]),
            [Kind::DataExport, Kind::Write]
        );
        assert_eq!(kinds(&["s3", "cp", "s3://b/k", "-"]), [Kind::DataExport]);
        assert_eq!(kinds(&["s3", "cp", "f", "s3://b/k"]), [Kind::Write]);
        assert_eq!(
            kinds(&["s3", "cp", "s3://a/k", "s3://b/k"]),
            [Kind::DataExport, Kind::Write]
        );
        assert_eq!(
            kinds(&["s3", "mv", "s3://a/k", "./x"]),
            [Kind::DataExport, Kind::Write, Kind::DestructiveWrite]
        );
        assert_eq!(
            kinds(&["s3", "sync", ".", "s3://b", "--del"]),
            [Kind::Write, Kind::DestructiveWrite]
        );
        assert_eq!(
            kinds(&["s3", "cp", "f", "s3://b/k", "--acl", "public-read"]),
            [Kind::Write, Kind::PermissionChange]
        );
        assert_eq!(
            kinds(&["s3", "rm", "s3://b", "--recursive"]),
            [Kind::DestructiveWrite]
        );
        assert_eq!(
            kinds(&["s3", "cp", "--exclude", "s3://x", "a", "s3://b"]),
            [Kind::Write]
        );
        assert_eq!(kinds(&["s3", "ls", "s3://b", "--frob"]), [Kind::Unknown]);
        assert_eq!(
            kinds(&["s3", "cp", "s3://b/k", ".", "--dryrun"]),
            [Kind::Read]
        );
    }

    #[test]
    fn argparse_prefixes() {
        assert!(negative_number("-1") && negative_number("-.5") && negative_number("-1.5"));
        assert!(!negative_number("-inf") && !negative_number("-1e5") && !negative_number("-1."));
        assert_eq!(
            kinds(&["ssm", "get-parameter", "--name", "x", "--w"]),
            [Kind::DataExport]
        );
        assert_eq!(kinds(&["apigateway", "get-api-keys"]), [Kind::Read]);
        assert_eq!(
            kinds(&[
                "apigateway",
                "get-api-keys",
                "--cli-input-json",
                "{\"includeValues\": true}"
            ]),
            [Kind::DataExport]
        );
        let p = argparse(
            &s(&["--prof", "x", "ec2", "--reg=eu", "describe-instances"]),
            GLOBAL,
            false,
        )
        .unwrap();
        assert_eq!(p.last("profile"), Some("x"));
        assert_eq!(p.last("region"), Some("eu"));
        assert_eq!(p.rest, ["ec2", "describe-instances"]);
        assert!(argparse(&s(&["--no", "ec2"]), GLOBAL, false).is_err());
        assert_eq!(
            kinds(&[
                "iam",
                "attach-user-policy",
                "--user-name",
                "x",
                "--policy-arn",
                "a"
            ]),
            [Kind::PermissionChange]
        );
        assert_eq!(
            kinds(&["ec2", "terminate-instances", "--instance-ids", "i-1"]),
            [Kind::DestructiveWrite]
        );
        assert_eq!(kinds(&["frob", "nicate"]), [Kind::Unknown]);
        assert_eq!(
            kinds(&["lambda", "invoke", "--function-name", "f", "out.json"]),
            [Kind::CodeExecution]
        );
    }
}
