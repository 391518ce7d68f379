//! `gate serve`: run the broker, and manage its tokens and review links.

use crate::clock::{Clock as _, SystemClock};
use std::net::SocketAddr;
use std::path::PathBuf;

use super::context::{resolve_paths, runtime};
use super::{CliError, Failure};
use crate::broker::config::{DEFAULT_LISTEN, ServeConfig, StoreChoice};
use crate::broker::store::{Store, TokenKind};
use crate::broker::{self, Hub};
use crate::ui;

/// Run the approval broker: an HTTP API, a web approval page and a shared store
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The broker's config file (listen address, public URL, store)
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    /// The address to listen on, e.g. 0.0.0.0:8088 (outranks `listen:` in the config; port 0 picks one)
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,

    /// How much to log on stderr: error, warn, info or debug
    #[arg(long, value_name = "LEVEL", default_value = "info", value_parser = ["error", "warn", "info", "debug", "trace"])]
    log: String,

    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Create, list and revoke the bearer tokens of requesters and reviewers
    #[command(subcommand)]
    Token(TokenAction),
    /// Print a signed, single-use link that signs a reviewer in to one request
    Link(LinkArgs),
}

#[derive(clap::Subcommand, Debug)]
enum TokenAction {
    /// Create a token and print it once; the broker keeps only its hash
    Create(CreateArgs),
    /// List tokens (never their secrets)
    List {
        /// One JSON object per token
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token at once, on every replica
    Revoke {
        /// The token id `gate serve token list` shows
        id: String,
    },
}

#[derive(clap::Args, Debug)]
#[group(required = true, multiple = false)]
struct CreateArgs {
    /// A person who reviews, named as the policy's groups name them
    #[arg(long, value_name = "NAME")]
    reviewer: Option<String>,
    /// A host or pipeline that submits requests; it can never vote
    #[arg(long, value_name = "NAME")]
    requester: Option<String>,
}

#[derive(clap::Args, Debug)]
struct LinkArgs {
    /// The reviewer the link signs in
    #[arg(long, value_name = "NAME")]
    reviewer: String,
    /// The request id (any unique prefix)
    id: String,
}

pub fn run(args: Args) -> super::Outcome {
    let config = ServeConfig::load(args.config.as_deref())?;
    let state_dir = resolve_paths(None)?.state_dir;
    let choice = config.store_choice(&state_dir)?;
    match args.action {
        None => serve(config, &choice, args.listen, &args.log),
        Some(action) => {
            let rt = runtime()?;
            rt.block_on(manage(action, &config, &choice))
        }
    }
}

fn serve(
    config: ServeConfig,
    choice: &StoreChoice,
    listen: Option<SocketAddr>,
    level: &str,
) -> super::Outcome {
    let level: tracing::Level = level.parse().unwrap_or(tracing::Level::INFO);
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_ansi(ui::color_enabled())
        .with_target(false)
        .try_init();
    let listen = listen
        .or(config.listen)
        .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("the default address parses"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| CliError::Internal {
            message: "cannot start the server runtime".into(),
            hint: "check the process's thread and memory limits".into(),
            source: Some(source),
        })?;
    let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
    rt.block_on(broker::serve(
        config,
        choice.clone(),
        listen,
        clock,
        |url| {
            // The one line on stdout: where the broker listens, for scripts and tests that bind port 0.
            println!("{url}");
            let _ = std::io::Write::flush(&mut std::io::stdout());
        },
    ))?;
    Ok(0)
}

async fn open(choice: &StoreChoice) -> Result<std::sync::Arc<dyn Store>, Failure> {
    Ok(broker::open_store(choice, std::sync::Arc::new(Hub::default())).await?)
}

async fn manage(action: Action, config: &ServeConfig, choice: &StoreChoice) -> super::Outcome {
    let store = open(choice).await?;
    let now = SystemClock.now();
    match action {
        Action::Token(TokenAction::Create(c)) => {
            let (kind, name) = match (c.reviewer, c.requester) {
                (Some(name), _) => (TokenKind::Reviewer, name),
                (None, Some(name)) => (TokenKind::Requester, name),
                (None, None) => unreachable!("clap requires one of --reviewer and --requester"),
            };
            let (record, secret) = broker::create_token(store.as_ref(), kind, &name, now).await?;
            ui::say(
                "note",
                &format!(
                    "created {} token {} for {}; it is shown once, keep it in a file only its owner can read",
                    kind.as_str(),
                    record.id,
                    record.name
                ),
            );
            println!("{secret}");
        }
        Action::Token(TokenAction::List { json }) => {
            let tokens = store.tokens().await.map_err(broker::ServeError::Store)?;
            if json {
                for t in &tokens {
                    println!("{}", serde_json::to_string(t).expect("tokens serialise"));
                }
            } else if tokens.is_empty() {
                ui::say(
                    "note",
                    "no tokens yet; `gate serve token create --reviewer NAME` makes one",
                );
            } else {
                let rows: Vec<Vec<String>> = tokens
                    .iter()
                    .map(|t| {
                        vec![
                            t.id.clone(),
                            t.kind.as_str().to_string(),
                            t.name.clone(),
                            t.created_at.strftime("%Y-%m-%d %H:%M:%SZ").to_string(),
                            t.revoked_at.map_or_else(
                                || "live".into(),
                                |r| format!("revoked {}", r.strftime("%Y-%m-%d %H:%M:%SZ")),
                            ),
                        ]
                    })
                    .collect();
                println!(
                    "{}",
                    ui::table::render(&["id", "kind", "name", "created", "state"], &rows)
                );
            }
        }
        Action::Token(TokenAction::Revoke { id }) => {
            broker::revoke_token(store.as_ref(), &id, now).await?;
            println!("revoked {id}");
        }
        Action::Link(l) => {
            let public_url = config.public_url.clone().unwrap_or_else(|| {
                format!(
                    "http://{}",
                    config
                        .listen
                        .map_or_else(|| DEFAULT_LISTEN.to_string(), |a| a.to_string())
                )
            });
            let link = broker::create_link(
                store.as_ref(),
                &public_url,
                &l.id,
                &l.reviewer,
                now,
                config.link_ttl(),
            )
            .await?;
            println!("{link}");
        }
    }
    Ok(0)
}
