//! The wall-time overhead of `gate run -- true` over plain `true`: process start, policy load, classification,
//! evaluation and both fsync'd audit appends included. Runs the two alternately so that machine noise hits both
//! alike, and reports medians. Target: under 1.5 ms of added median overhead on a 2-core machine.
//!
//! `cargo bench --bench run_overhead` (set GATE_BENCH_RUNS to change the number of runs, default 400).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn time(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let status = cmd.status().expect("spawn");
    let elapsed = start.elapsed();
    assert!(status.success(), "{cmd:?} failed");
    elapsed
}

/// The value at `per_cent` of the way through a sorted sample.
fn percentile(sorted: &[Duration], per_cent: usize) -> Duration {
    sorted[(sorted.len() - 1) * per_cent / 100]
}

fn main() {
    // `cargo bench` passes flags such as --bench; this harness takes none.
    let runs: usize = std::env::var("GATE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let home = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        home.path().join("policy.yaml"),
        gate::policy::STARTER.replace(
            "rules:\n",
            "rules:\n  - name: bench\n    match: {tools: [true]}\n    decision: allow\n",
        ),
    )
    .unwrap();
    let gate = env!("CARGO_BIN_EXE_gate");
    let true_path = "/bin/true";
    let mut plain = Vec::with_capacity(runs);
    let mut gated = Vec::with_capacity(runs);
    let quiet = |c: &mut Command| {
        c.stdout(Stdio::null()).stderr(Stdio::null());
    };
    for i in 0..runs + 20 {
        let mut p = Command::new(true_path);
        quiet(&mut p);
        let mut g = Command::new(gate);
        g.args(["run", "--", true_path])
            .env("GATE_HOME", home.path());
        quiet(&mut g);
        let (tp, tg) = (time(&mut p), time(&mut g));
        if i >= 20 {
            plain.push(tp);
            gated.push(tg);
        }
    }
    plain.sort();
    gated.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (p50, g50) = (percentile(&plain, 50), percentile(&gated, 50));
    println!("runs: {runs} (after 20 warm-up runs)");
    println!(
        "true             median {:.3} ms  p90 {:.3} ms",
        ms(p50),
        ms(percentile(&plain, 90))
    );
    println!(
        "gate run -- true median {:.3} ms  p90 {:.3} ms",
        ms(g50),
        ms(percentile(&gated, 90))
    );
    println!("added overhead   median {:.3} ms", ms(g50) - ms(p50));
    let records = std::fs::read_to_string(home.path().join("audit.jsonl"))
        .unwrap()
        .lines()
        .count();
    println!("audit records written: {records} (3 per run, 2 fsync'd appends per run)");
}
