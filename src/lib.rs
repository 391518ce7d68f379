//! gate puts a human checkpoint in front of privileged commands: it works out what a command will do, evaluates
//! a local policy, and then runs the command, refuses it, or waits for someone else to approve exactly that
//! command. Every decision lands in a tamper-evident audit file.
//!
//! The pure core is [`request`], [`classify`], [`policy`] and [`audit::chain`]; everything that touches files,
//! processes, the clock or the terminal sits in the adapters beside them.

pub mod classify;
pub mod clock;
pub mod exit;
pub mod request;
pub mod policy;
pub mod audit;
