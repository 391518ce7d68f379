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
pub mod ids;
pub mod notify;
pub mod paths;
pub mod policy;
pub mod request;
pub mod stdin;
pub mod ui;

/// mimalloc, not the system allocator: classification makes many small, short-lived strings and trees, and
/// glibc's malloc and free were a fifth of a one-statement `psql -c` (25 → 20.1 µs before it, 17.8 µs with it;
/// README, Performance). Set here, in the library, so the tests and benchmarks run on what the binary ships. Fuzz
/// builds keep the system allocator, which AddressSanitizer instruments.
#[cfg(not(fuzzing))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
