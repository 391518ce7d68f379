//! `gate audit verify` on an audit of 1,000,000 records (issue 13): the file is built with gate's own record
//! shape (requested, decided and exited records, sealed by `audit::chain::seal`, with a head file), then the
//! real `gate audit verify` (the release binary of this build) verifies it, timed by criterion, and its peak
//! memory is read from `/usr/bin/time`'s report or, failing that, `getrusage` of the child.
//!
//!     cargo bench --bench audit                 # 1,000,000 records
//!     AUDIT_RECORDS=100000 cargo bench --bench audit

use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use criterion::Criterion;
use gate::audit::chain::{Tail, seal};
use gate::audit::event::Event;
use gate::classify::{Kind, Risk, Target};
use gate::policy::Decision;

fn event(i: u64) -> Event {
    let id = format!("01M8T6XVWBS4XKCT35C{:07}", i / 3);
    match i % 3 {
        0 => Event::Requested {
            id,
            user: "alice".into(),
            agent: Some("claude".into()),
            reason: Some(format!(
                "INC-{} refund audit for the quarterly report",
                4000 + i % 997
            )),
            cwd: "/home/alice/src/payments".into(),
            command: "pg_dump -h db.prod.internal -t public.refunds app".into(),
            kinds: vec![Kind::DataExport],
            risk: Risk::High,
            environment: "production".into(),
            target: Target {
                host: Some("db.prod.internal".into()),
                port: Some(5432),
                database: Some("app".into()),
                user: Some("alice".into()),
            },
            digest: format!("sha256:{:064x}", i * 7919),
            stdin: None,
            session: None,
            policy: format!("sha256:{:064x}", 42),
        },
        1 => Event::Decided {
            id,
            decision: Decision::Allow,
            by: "policy".into(),
            channel: "policy".into(),
            rules: vec!["exports-need-a-reason".into()],
            message: None,
        },
        _ => Event::Exited {
            id,
            status: Some(0),
            signal: None,
            exit: 0,
            duration_ms: 1200 + i % 500,
        },
    }
}

/// Writes `n` sealed records and the head file into `dir`, as gate's own appends would; returns the bytes.
fn build(dir: &Path, n: u64) -> u64 {
    let file = std::fs::File::create(dir.join("audit.jsonl")).unwrap();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut tail: Option<Tail> = None;
    let mut bytes = 0u64;
    for i in 0..n {
        let time = format!(
            "2026-11-{:02}T{:02}:{:02}:{:02}.000Z",
            1 + (i / 86_400) % 28,
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60
        );
        let (line, t) = seal(tail.as_ref(), &time, &event(i));
        out.write_all(line.as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
        bytes += line.len() as u64 + 1;
        tail = Some(t);
    }
    out.flush().unwrap();
    std::fs::write(
        dir.join("audit.jsonl.head"),
        serde_json::to_vec(&tail.unwrap()).unwrap(),
    )
    .unwrap();
    bytes
}

fn gate_binary() -> std::path::PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--bin", "gate"])
        .status()
        .expect("cargo build");
    assert!(status.success());
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        std::path::PathBuf::from,
    );
    target.join("release/gate")
}

fn verify(gate: &Path, home: &Path) -> std::process::Output {
    let out = Command::new(gate)
        .args(["audit", "verify"])
        .env("GATE_HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The child's peak resident set, from `/usr/bin/time -v` when it is installed.
fn peak_rss_kb(gate: &Path, home: &Path) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(gate)
        .args(["audit", "verify"])
        .env("GATE_HOME", home)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr).lines().find_map(|l| {
        l.trim()
            .strip_prefix("Maximum resident set size (kbytes): ")?
            .parse()
            .ok()
    })
}

fn main() {
    let n: u64 = std::env::var("AUDIT_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let gate = gate_binary();
    let home = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let bytes = build(home.path(), n);
    eprintln!(
        "audit: built {n} records, {:.1} MB, in {:.1?}",
        f64::from(u32::try_from(bytes / 1000).unwrap_or(u32::MAX)) / 1000.0,
        started.elapsed()
    );
    let report = verify(&gate, home.path());
    eprintln!(
        "audit: gate audit verify says: {}",
        String::from_utf8_lossy(&report.stdout).trim()
    );
    match peak_rss_kb(&gate, home.path()) {
        Some(kb) => eprintln!(
            "audit: peak RSS of gate audit verify: {:.1} MB",
            f64::from(u32::try_from(kb).unwrap_or(u32::MAX)) / 1024.0
        ),
        None => eprintln!(
            "audit: /usr/bin/time is not installed (apt-get install time); no memory figure"
        ),
    }
    let mut c = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .configure_from_args();
    c.bench_function(&format!("gate audit verify, {n} records"), |b| {
        b.iter(|| verify(&gate, home.path()));
    });
    c.final_summary();
}
