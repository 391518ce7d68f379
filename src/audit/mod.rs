//! The audit trail: one JSON Lines file, one record per state change, each record hash-chained to the one
//! before (DESIGN §5). [`event`] says what a record holds, [`chain`] (pure) seals and verifies records, and
//! [`store`] is the file adapter that appends under an exclusive lock with `fsync`.

pub mod chain;
pub mod event;
pub mod report;
pub mod store;

pub use event::Event;
pub use store::{AuditError, AuditLog};
