//! The broker's outbound channels against loopback stand-ins: signed webhooks (Standard Webhooks) with retries,
//! and PagerDuty pages after `escalate_after` and their resolution. A channel that is down blocks neither the
//! requester nor the other channels, and never lets a command run.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::broker::{Broker, bearer, eventually, http, pending_id};
use common::mock::Mock;
use hmac::Mac as _;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn show(home: &common::Home, id: &str) -> String {
    String::from_utf8(home.gate().args(["show", id]).output().unwrap().stdout).unwrap()
}

#[test]
fn webhooks_are_signed_retried_and_recorded_and_a_dead_channel_blocks_nothing() {
    let receiver = Mock::start(&[500, 503], 200);
    let secrets = tempfile::tempdir().unwrap();
    let secret_file = secrets.path().join("soar.whsec");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    let broker = Broker::sqlite(&format!(
        "channels:\n  webhooks:\n    soar: {{url: '{}/hooks/gate', secret_file: {}}}\n    down: {{url: 'http://127.0.0.1:1/x', secret_file: {}}}\n",
        receiver.url,
        secret_file.display(),
        secret_file.display()
    ));
    let requester_token = broker.token("requester", "ci-runner-1");
    let alice_token = broker.token("reviewer", "alice");
    let alice = broker.home(None, &alice_token, "");
    let requester = broker.home(
        Some("version: 1\nrules:\n  - name: announce\n    match: {commands: [\"touch *\"]}\n    decision: approve\n    notify: [webhook:down, webhook:soar, 'slack:#db']\n"),
        &requester_token,
        "",
    );
    let marker = requester.path().join("ran");
    // The requester is not held up by the channels: it is told to wait, and nothing runs.
    requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", marker.to_str().unwrap()])
        .assert()
        .code(75);
    assert!(!marker.exists());
    let id = pending_id(&broker, &alice_token);

    eventually(20, "one delivery after two failures", || {
        !receiver.delivered().is_empty()
    });
    let attempts = receiver.all();
    assert_eq!(
        attempts.iter().map(|r| r.status).collect::<Vec<_>>(),
        [500, 503, 200]
    );
    let delivered = &receiver.delivered()[0];
    assert_eq!(delivered.path, "/hooks/gate");
    // The same webhook-id on every attempt, so the receiver can tell a retry from a new message.
    let message_id = &delivered.headers["webhook-id"];
    assert!(
        attempts
            .iter()
            .all(|a| &a.headers["webhook-id"] == message_id)
    );
    // The signature verifies the way any Standard Webhooks library verifies it.
    let key = base64::engine::general_purpose::STANDARD
        .decode(&SECRET[6..])
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(
        format!(
            "{message_id}.{}.{}",
            delivered.headers["webhook-timestamp"], delivered.body
        )
        .as_bytes(),
    );
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(delivered.headers["webhook-signature"], expected);
    let now = jiff::Timestamp::now().as_second();
    let sent: i64 = delivered.headers["webhook-timestamp"].parse().unwrap();
    assert!((now - sent).abs() < 60, "a current timestamp");
    let body = delivered.json();
    assert_eq!(body["type"], "request.created");
    assert_eq!(body["data"]["request"]["id"], id.as_str());
    assert_eq!(body["data"]["review_url"], format!("{}/r/{id}", broker.url));

    // Each channel's outcome is on the request, where `gate show` shows it.
    eventually(30, "the dead channel to give up", || {
        show(&alice, &id).contains("webhook:down failed")
    });
    let shown = show(&alice, &id);
    assert!(
        shown.contains("webhook:soar delivered (3 attempts"),
        "{shown}"
    );
    assert!(
        shown.contains("webhook:down failed: cannot reach http://127.0.0.1:1/x"),
        "{shown}"
    );
    assert!(shown.contains("(5 attempts"), "{shown}");
    assert!(
        shown.contains("slack:#db failed: no channel `slack:#db` is configured on the broker"),
        "{shown}"
    );
    assert_eq!(receiver.delivered().len(), 1, "exactly one delivery");
    // Still waiting for a person: the dead channel let nothing through.
    assert!(!marker.exists());
    let state = http(
        "GET",
        &format!("{}/v1/requests/{id}", broker.url),
        &[("authorization", &bearer(&alice_token))],
        None,
    );
    assert_eq!(state.json()["state"], "pending");
    alice.gate().args(["approve", &id]).assert().success();
    requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", marker.to_str().unwrap()])
        .assert()
        .success();
    assert!(marker.exists());
}

#[test]
fn pagerduty_is_paged_after_escalate_after_and_resolved_on_the_decision() {
    let pagerduty = Mock::start(&[], 202);
    let secrets = tempfile::tempdir().unwrap();
    let key_file = secrets.path().join("pd-routing-key");
    std::fs::write(&key_file, "R0UTINGKEY\n").unwrap();
    let broker = Broker::sqlite(&format!(
        "channels:\n  pagerduty: {{events_url: '{}/v2/enqueue', routing_key_file: {}}}\n",
        pagerduty.url,
        key_file.display()
    ));
    let requester_token = broker.token("requester", "ci-runner-1");
    let alice_token = broker.token("reviewer", "alice");
    let alice = broker.home(None, &alice_token, "");
    let requester = broker.home(
        Some("version: 1\nrules:\n  - name: paged\n    match: {commands: [\"touch *\"]}\n    decision: approve\n    escalate_after: 1s\n    escalate: pagerduty\n"),
        &requester_token,
        "",
    );
    let marker = requester.path().join("ran");
    let mut child = requester
        .gate_std()
        .args(["run", "--", "touch", marker.to_str().unwrap()])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let id = pending_id(&broker, &alice_token);
    eventually(20, "a PagerDuty trigger", || {
        !pagerduty.delivered().is_empty()
    });
    let trigger = pagerduty.delivered()[0].json();
    assert_eq!(pagerduty.delivered()[0].path, "/v2/enqueue");
    assert_eq!(trigger["routing_key"], "R0UTINGKEY");
    assert_eq!(trigger["event_action"], "trigger");
    assert_eq!(trigger["dedup_key"], format!("gate-{id}"));
    assert_eq!(
        trigger["links"][0]["href"],
        format!("{}/r/{id}", broker.url)
    );
    assert!(
        trigger["payload"]["summary"]
            .as_str()
            .unwrap()
            .contains("touch"),
        "{trigger}"
    );
    assert_eq!(trigger["payload"]["source"], "gate");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(pagerduty.delivered().len(), 1, "paged once");

    alice.gate().args(["approve", &id]).assert().success();
    assert!(child.wait().unwrap().success());
    assert!(marker.exists());
    eventually(20, "a PagerDuty resolve", || {
        pagerduty.delivered().len() == 2
    });
    let resolve = pagerduty.delivered()[1].json();
    assert_eq!(resolve["event_action"], "resolve");
    assert_eq!(resolve["dedup_key"], format!("gate-{id}"));
    let shown = show(&alice, &id);
    assert!(
        shown.contains("pagerduty:trigger delivered (1 attempt"),
        "{shown}"
    );
    assert!(
        shown.contains("pagerduty:resolve delivered (1 attempt"),
        "{shown}"
    );

    // A channel secret the broker cannot read stops it at start, with a hint.
    let broken = Broker::sqlite_config_error(&format!(
        "channels:\n  pagerduty: {{routing_key_file: {}}}\n",
        secrets.path().join("missing").display()
    ));
    assert_eq!(broken.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(
        stderr.contains("cannot read the secret file") && stderr.contains("hint:"),
        "{stderr}"
    );
}
