//! From a reviewer's vote being committed to the waiting command's child starting, on the local backend.
//! Target: under 100 ms median. The vote is cast through the store API as a reviewer the policy names (the same
//! transaction `gate approve` runs), at a random moment while `gate run` waits; the child writes its start time.
//!
//! `cargo bench --bench approval_latency` (GATE_BENCH_RUNS sets the number of runs, default 40).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use gate::approval::State;
use gate::approval::store::SqliteStore;

fn main() {
    let runs: usize = std::env::var("GATE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("policy.yaml"),
        "version: 1\ngroups:\n  reviewers: [bench-reviewer]\nrules:\n  - name: bench\n    match: {commands: [\"sh *\"]}\n    decision: approve\n    approvals: {from: reviewers, count: 1}\n",
    )
    .unwrap();
    let started_file = home.path().join("started");
    let mut latencies = Vec::with_capacity(runs);
    for i in 0..runs {
        let _ = std::fs::remove_file(&started_file);
        let script = format!("date +%s%N > {} # {i}", started_file.display());
        let mut gate = Command::new(env!("CARGO_BIN_EXE_gate"))
            .args(["run", "--", "sh", "-c", &script])
            .env("GATE_HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut store = SqliteStore::open(home.path()).unwrap();
        let id = loop {
            if let Some(r) = store
                .list(&[State::Pending])
                .unwrap()
                .into_iter()
                .find(|r| r.command.contains(&format!("# {i}")))
            {
                break r.id;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        // Vote at an arbitrary point in the requester's poll cycle.
        std::thread::sleep(Duration::from_millis(50 + (i as u64 * 37) % 300));
        store
            .update(&id, |r| {
                r.vote(
                    "bench-reviewer",
                    true,
                    None,
                    "bench",
                    jiff::Timestamp::now(),
                )
                .map(Some)
            })
            .unwrap();
        let voted = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let t = Instant::now();
        assert!(gate.wait().unwrap().success());
        assert!(t.elapsed() < Duration::from_secs(10));
        let child_ns: u128 = std::fs::read_to_string(&started_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        latencies.push(Duration::from_nanos(
            u64::try_from(child_ns.saturating_sub(voted.as_nanos())).unwrap(),
        ));
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("runs: {runs}");
    println!(
        "vote committed -> child started: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms(latencies[runs / 2]),
        ms(latencies[runs * 9 / 10]),
        ms(latencies[runs - 1])
    );
}
