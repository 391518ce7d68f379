//! Where "now" comes from. The core takes time as a value; this adapter is the only place that reads the
//! system clock, so tests can pass any instant they like.

use jiff::Timestamp;

pub trait Clock {
    fn now(&self) -> Timestamp;
}

/// A clock several tasks share (the broker's handlers, its sweeper, its channels).
pub type SharedClock = std::sync::Arc<dyn Clock + Send + Sync>;

/// The wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}
