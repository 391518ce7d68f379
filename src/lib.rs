//! gate puts a human checkpoint in front of privileged commands: it works out what a command will do, evaluates
//! a local policy, and then runs the command, refuses it, or waits for someone else to approve exactly that
//! command. Every decision lands in a tamper-evident audit file.
//!
//! The pure core is [`request`], [`classify`], [`policy`] and [`audit::chain`]; everything that touches files,
//! processes, the clock or the terminal sits in the adapters beside them.

pub mod approval;
pub mod approvers;
pub mod assess;
pub mod audit;
pub mod broker;
pub mod classify;
pub mod cli;
pub mod clock;
pub mod config;
pub mod exec;
pub mod exit;
pub mod identity;
pub mod notify;
pub mod paths;
pub mod policy;
pub mod request;
pub mod stdin;
pub mod ui;
