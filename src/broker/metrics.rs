//! `/metrics` in Prometheus's text format, from a handful of counters kept in memory per replica.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::store::StoreError;

#[derive(Default)]
pub struct Metrics {
    http: Mutex<BTreeMap<(String, String, u16), u64>>,
    created: AtomicU64,
    approvals: AtomicU64,
    denials: AtomicU64,
    executed: AtomicU64,
    store_errors: AtomicU64,
    audit_records: AtomicU64,
}

impl Metrics {
    pub fn http(&self, method: &str, route: &str, status: u16) {
        let mut http = self
            .http
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *http
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
    }

    pub fn created(&self) {
        self.created.fetch_add(1, Ordering::Relaxed);
    }

    pub fn voted(&self, approve: bool) {
        if approve {
            &self.approvals
        } else {
            &self.denials
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    pub fn executed(&self) {
        self.executed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn audit_records(&self, n: usize) {
        self.audit_records
            .fetch_add(u64::try_from(n).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    pub fn store_error(&self, e: &StoreError) {
        if matches!(e, StoreError::Unavailable(_) | StoreError::Corrupt { .. }) {
            self.store_errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The text exposition format.
    pub fn render(&self, waiting: usize, store: &str) -> String {
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        let _ = writeln!(
            out,
            "# HELP gate_http_requests_total HTTP requests answered, by method, route and status.\n\
             # TYPE gate_http_requests_total counter"
        );
        for ((method, route, status), n) in self
            .http
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "gate_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        counter(
            &mut out,
            "gate_requests_created_total",
            "Approval requests created.",
            self.created.load(Ordering::Relaxed),
        );
        let _ = writeln!(
            out,
            "# HELP gate_votes_total Votes recorded, by decision.\n# TYPE gate_votes_total counter\n\
             gate_votes_total{{decision=\"approve\"}} {}\ngate_votes_total{{decision=\"deny\"}} {}",
            self.approvals.load(Ordering::Relaxed),
            self.denials.load(Ordering::Relaxed)
        );
        counter(
            &mut out,
            "gate_requests_executed_total",
            "Approvals used to run a command.",
            self.executed.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "gate_audit_records_total",
            "Audit records received from clients.",
            self.audit_records.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "gate_store_errors_total",
            "Store operations that failed.",
            self.store_errors.load(Ordering::Relaxed),
        );
        let _ = writeln!(
            out,
            "# HELP gate_long_polls Requests with a long poll waiting on this replica.\n# TYPE gate_long_polls gauge\n\
             gate_long_polls {waiting}\n# HELP gate_store_info The store this replica uses.\n# TYPE gate_store_info gauge\n\
             gate_store_info{{store=\"{store}\"}} 1"
        );
        out
    }
}
