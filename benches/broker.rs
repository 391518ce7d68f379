//! The broker under load, over loopback, with the SQLite store: the real `gate serve` binary and a bounded load
//! generator (a fixed number of round trips at a fixed concurrency).
//!
//! - Throughput: complete request → approve → resolve round trips per second through the HTTP API (create with
//!   a requester token, vote with a reviewer token, then the requester uses the approval). Target ≥ 1,000/s.
//! - Latency: from a vote being sent to a long poll waiting on that request returning. Target p99 < 50 ms.
//!
//! `cargo bench --bench broker` (GATE_BENCH_ROUND_TRIPS, default 20000; GATE_BENCH_CONCURRENCY, default 32;
//! GATE_BENCH_POLLS, default 1000).

use std::io::BufRead as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn body(n: usize) -> String {
    serde_json::json!({
        "id": "", "state": "pending", "digest": format!("sha256:bench{n}"),
        "requester": {"user": "ci", "agent": null}, "reason": "bench",
        "command": format!("psql -c 'DELETE FROM t WHERE id = {n}'"), "cwd": "/", "environment": "production",
        "target": {}, "kinds": ["write"], "risk": "high", "objects": ["t"], "findings": [],
        "rules": ["bench"],
        "requirements": [{"rule": "bench", "group": null, "members": null, "count": 1, "allow_requester": false}],
        "votes": [], "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-01T01:00:00Z",
        "valid_for_secs": 600, "approved_at": null, "escalate_after_secs": null, "escalated": false, "finished_at": null
    })
    .to_string()
}

struct Api {
    http: reqwest::Client,
    url: String,
    requester: String,
    reviewer: String,
}

impl Api {
    async fn post(&self, path: &str, token: &str, body: String) -> serde_json::Value {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.expect("json")
    }

    async fn create(&self, n: usize) -> (String, String) {
        let v = self.post("/v1/requests", &self.requester, body(n)).await;
        (
            v["id"].as_str().unwrap().to_string(),
            v["digest"].as_str().unwrap().to_string(),
        )
    }

    async fn approve(&self, id: &str) {
        let v = self
            .post(
                &format!("/v1/requests/{id}/votes"),
                &self.reviewer,
                r#"{"decision":"approve"}"#.into(),
            )
            .await;
        assert_eq!(v["state"], "approved");
    }

    async fn resolve(&self, id: &str, digest: &str) {
        let v = self
            .post(
                &format!("/v1/requests/{id}/execute"),
                &self.requester,
                serde_json::json!({"digest": digest}).to_string(),
            )
            .await;
        assert_eq!(v["state"], "executed");
    }
}

/// The `p`th percentile (0 to 100) of sorted samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

fn main() {
    let round_trips = setting("GATE_BENCH_ROUND_TRIPS", 20_000);
    let concurrency = setting("GATE_BENCH_CONCURRENCY", 32);
    let polls = setting("GATE_BENCH_POLLS", 1000);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("serve.yaml");
    std::fs::write(
        &config,
        format!(
            "store: {{sqlite: {}}}\n",
            dir.path().join("store").display()
        ),
    )
    .unwrap();
    let gate = env!("CARGO_BIN_EXE_gate");
    let token = |kind: &str, name: &str| {
        let out = Command::new(gate)
            .args([
                "serve",
                "--config",
                config.to_str().unwrap(),
                "token",
                "create",
                kind,
                name,
            ])
            .env("GATE_HOME", dir.path())
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let requester = token("--requester", "bench-host");
    let reviewer = token("--reviewer", "bench-reviewer");
    let mut server = Command::new(gate)
        .args([
            "serve",
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--log",
            "warn",
        ])
        .env("GATE_HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut url = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let api = Arc::new(Api {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap(),
        url: url.trim().to_string(),
        requester,
        reviewer,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    // Warm up the connections and the store.
    rt.block_on(async {
        for n in 0..200 {
            let (id, digest) = api.create(n).await;
            api.approve(&id).await;
            api.resolve(&id, &digest).await;
        }
    });

    let next = Arc::new(AtomicUsize::new(1_000_000));
    let started = Instant::now();
    rt.block_on(async {
        let mut workers = Vec::new();
        for _ in 0..concurrency {
            let (api, next) = (api.clone(), next.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= 1_000_000 + round_trips {
                        break;
                    }
                    let (id, digest) = api.create(n).await;
                    api.approve(&id).await;
                    api.resolve(&id, &digest).await;
                }
            }));
        }
        for w in workers {
            w.await.unwrap();
        }
    });
    let elapsed = started.elapsed();
    let rate =
        f64::from(u32::try_from(round_trips).expect("a bounded load")) / elapsed.as_secs_f64();

    // Vote → long poll: eight polls in flight at a time, each voted on a moment after it starts waiting.
    let latencies = rt.block_on(async {
        let mut all = Vec::with_capacity(polls);
        for batch in 0..polls.div_ceil(8) {
            let mut tasks = Vec::new();
            for k in 0..8.min(polls - batch * 8) {
                let api = api.clone();
                tasks.push(tokio::spawn(async move {
                    let (id, _) = api.create(2_000_000 + batch * 8 + k).await;
                    let poll = {
                        let api = api.clone();
                        let id = id.clone();
                        tokio::spawn(async move {
                            let r = api
                                .http
                                .get(format!("{}/v1/requests/{id}?wait=30s&version=0", api.url))
                                .bearer_auth(&api.requester)
                                .send()
                                .await
                                .unwrap();
                            let v: serde_json::Value = r.json().await.unwrap();
                            (
                                Instant::now(),
                                v["state"].as_str().unwrap_or("").to_string(),
                            )
                        })
                    };
                    // Let the poll reach the broker and start waiting.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    let sent = Instant::now();
                    api.approve(&id).await;
                    let (returned, state) = poll.await.unwrap();
                    assert_eq!(state, "approved");
                    returned.saturating_duration_since(sent)
                }));
            }
            for t in tasks {
                all.push(t.await.unwrap());
            }
        }
        all
    });
    let mut sorted = latencies;
    sorted.sort();
    let _ = server.kill();
    let _ = server.wait();
    println!(
        "round trips: {round_trips} at concurrency {concurrency} in {:.2} s: {rate:.0} per second",
        elapsed.as_secs_f64()
    );
    println!(
        "vote -> long poll returns ({} samples): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        sorted.len(),
        percentile(&sorted, 50).as_secs_f64() * 1e3,
        percentile(&sorted, 90).as_secs_f64() * 1e3,
        percentile(&sorted, 99).as_secs_f64() * 1e3,
        sorted.last().unwrap().as_secs_f64() * 1e3,
    );
}
