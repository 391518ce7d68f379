//! Concurrent appends: 8 processes × 100 `gate run`s leave exactly 800 runs in a file that verifies.

mod common;

use common::{Home, allow_tools};

#[test]
fn eight_processes_times_one_hundred_runs() {
    let home = Home::with_policy(&allow_tools(&["true"]));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let script = format!(
                "for i in $(seq 100); do {} run -- true || exit 1; done",
                assert_cmd::cargo::cargo_bin("gate").display()
            );
            home.std_command("sh")
                .args(["-c", &script])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut w in workers {
        assert!(w.wait().unwrap().success());
    }
    home.gate().args(["audit", "verify"]).assert().success();
    let records = home.records();
    assert_eq!(
        records.len(),
        2400,
        "requested, decided and exited for each run"
    );
    let exited: std::collections::BTreeSet<&str> = records
        .iter()
        .filter(|r| r["event"] == "exited" && r["status"] == 0)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(exited.len(), 800);
    let seqs: Vec<u64> = records.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=2400).collect::<Vec<_>>());
}
