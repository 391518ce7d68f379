//! The broker's outbound channels against loopback stand-ins: signed webhooks (Standard Webhooks) with retries,
//! and PagerDuty pages after `escalate_after` and their resolution. A channel that is down blocks neither the
//! requester nor the other channels, and never lets a command run.

mod common;

use std::time::Duration;

use base64::Engine as _;
use common::broker::{Broker, bearer, eventually, http, pending_id, request_json};
use common::mock::Mock;
use hmac::{KeyInit as _, Mac as _};

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

/// A stand-in Slack Web API: posts get a channel and ts, users.info knows nobody.
fn slack_api() -> Mock {
    Mock::serve(|r| {
        let body = match r.path.split('?').next().unwrap_or("") {
            "/api/chat.postMessage" => {
                r#"{"ok": true, "channel": "C0DB", "ts": "1700000000.000100"}"#
            }
            "/api/chat.update" | "/api/views.open" => r#"{"ok": true}"#,
            "/api/users.info" if r.path.ends_with("user=U0CAROL") => {
                r#"{"ok": true, "user": {"id": "U0CAROL", "profile": {"email": "carol@example.com"}}}"#
            }
            "/api/users.info" => r#"{"ok": false, "error": "user_not_found"}"#,
            _ => r#"{"ok": false, "error": "unknown_method"}"#,
        };
        (200, body.to_string())
    })
}

const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

/// A Slack interaction as Slack sends it: `payload=<json>`, signed with `secret` at `timestamp`.
fn slack_click(
    broker: &Broker,
    payload: &serde_json::Value,
    secret: &str,
    timestamp: i64,
) -> (u16, String, Vec<(String, String)>) {
    let body = format!("payload={}", percent(&payload.to_string()));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    let signature = format!(
        "v0={}",
        mac.finalize()
            .into_bytes()
            .iter()
            .fold(String::new(), |mut s, b| {
                use std::fmt::Write as _;
                let _ = write!(s, "{b:02x}");
                s
            })
    );
    let headers = vec![
        (
            "x-slack-request-timestamp".to_string(),
            timestamp.to_string(),
        ),
        ("x-slack-signature".to_string(), signature),
    ];
    let answer = send_click(broker, &body, &headers);
    (answer, body, headers)
}

fn send_click(broker: &Broker, body: &str, headers: &[(String, String)]) -> u16 {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    http(
        "POST",
        &format!("{}/v1/channels/slack/interactions", broker.url),
        &headers,
        Some(body),
    )
    .status
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn button(action: &str, id: &str, user: &str, team: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "block_actions", "team": {"id": team}, "user": {"id": user}, "trigger_id": "trig-1",
        "actions": [{"action_id": action, "value": id}],
    })
}

fn votes(broker: &Broker, token: &str, id: &str) -> Vec<String> {
    request_json(broker, token, id)["votes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                v["by"].as_str().unwrap(),
                v["approve"],
                v["channel"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_slack_round_trip_counts_signed_clicks_only_and_updates_the_message() {
    let api = slack_api();
    let secrets = tempfile::tempdir().unwrap();
    std::fs::write(secrets.path().join("bot"), "xoxb-test-token\n").unwrap();
    std::fs::write(
        secrets.path().join("signing"),
        format!("{SIGNING_SECRET}\n"),
    )
    .unwrap();
    let broker = Broker::sqlite(&format!(
        "channels:\n  slack:\n    api_url: '{}/api'\n    bot_token_file: {}\n    signing_secret_file: {}\n    team_id: T0GATE\n    users: {{U0ALICE: alice, U0BOB: bob}}\n",
        api.url,
        secrets.path().join("bot").display(),
        secrets.path().join("signing").display()
    ));
    let requester_token = broker.token("requester", "ci-runner-1");
    let alice_token = broker.token("reviewer", "alice");
    let requester = broker.home(
        Some("version: 1\ngroups:\n  dba: [alice, bob]\nrules:\n  - name: two-dbas\n    match: {commands: [\"echo *\"]}\n    decision: approve\n    approvals: {from: dba, count: 2}\n    notify: ['slack:#db-approvals']\n"),
        &requester_token,
        "",
    );
    let hostile = "<!channel> <http://evil.example|click here> ``` *bold*";
    let child = requester
        .gate_std()
        .args(["run", "--", "echo", "ran", hostile])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let id = pending_id(&broker, &alice_token);

    // Posted, with the bot token, buttons, and nothing the requester wrote left live.
    eventually(20, "the Slack post", || {
        api.all().iter().any(|r| r.path == "/api/chat.postMessage")
    });
    let post = api
        .all()
        .into_iter()
        .find(|r| r.path == "/api/chat.postMessage")
        .unwrap();
    assert_eq!(post.headers["authorization"], "Bearer xoxb-test-token");
    let message = post.json();
    assert_eq!(message["channel"], "#db-approvals");
    let text = message["blocks"].to_string();
    for action in ["gate.approve", "gate.deny", "gate.escalate"] {
        assert!(
            text.contains(&format!("\"action_id\":\"{action}\"")),
            "{text}"
        );
    }
    assert!(
        !text.contains("<!channel>") && text.contains("&lt;!channel&gt;"),
        "{text}"
    );
    assert!(
        !text.contains("<http://evil") && text.contains("&lt;http://evil.example|click here&gt;")
    );
    let code = message["blocks"][1]["text"]["text"].as_str().unwrap();
    assert!(
        code.starts_with("```") && code.ends_with("```") && code.matches("```").count() == 2,
        "{code}"
    );

    // Refused, and no vote counted: a forged signature, a stale timestamp, a wrong team, an unmapped user.
    let now = jiff::Timestamp::now().as_second();
    let click = button("gate.approve", &id, "U0ALICE", "T0GATE");
    assert_eq!(slack_click(&broker, &click, "not-the-secret", now).0, 401);
    assert_eq!(
        slack_click(&broker, &click, SIGNING_SECRET, now - 360).0,
        401
    );
    assert_eq!(
        slack_click(
            &broker,
            &button("gate.approve", &id, "U0ALICE", "T0OTHER"),
            SIGNING_SECRET,
            now
        )
        .0,
        403
    );
    assert_eq!(
        slack_click(
            &broker,
            &button("gate.approve", &id, "U0MALLORY", "T0GATE"),
            SIGNING_SECRET,
            now
        )
        .0,
        403
    );
    assert!(votes(&broker, &alice_token, &id).is_empty());

    // A good click counts, as alice; the same request replayed does not count twice.
    let (status, body, headers) = slack_click(&broker, &click, SIGNING_SECRET, now);
    assert_eq!(status, 200);
    assert_eq!(send_click(&broker, &body, &headers), 409);
    assert_eq!(votes(&broker, &alice_token, &id), ["alice true slack"]);
    eventually(20, "the message updated with alice's vote", || {
        api.all()
            .iter()
            .any(|r| r.path == "/api/chat.update" && r.body.contains("alice approved"))
    });
    let update = api
        .all()
        .into_iter()
        .find(|r| r.path == "/api/chat.update")
        .unwrap()
        .json();
    assert_eq!(
        (update["channel"].as_str(), update["ts"].as_str()),
        (Some("C0DB"), Some("1700000000.000100"))
    );
    let state = http(
        "GET",
        &format!("{}/v1/requests/{id}", broker.url),
        &[("authorization", &bearer(&alice_token))],
        None,
    );
    assert_eq!(state.json()["state"], "pending", "one approval of two");

    // Bob's click is the second approval: the command runs, and the message loses its buttons.
    assert_eq!(
        slack_click(
            &broker,
            &button("gate.approve", &id, "U0BOB", "T0GATE"),
            SIGNING_SECRET,
            now
        )
        .0,
        200
    );
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("ran {hostile}")
    );
    eventually(20, "the final update", || {
        api.all()
            .iter()
            .any(|r| r.path == "/api/chat.update" && !r.body.contains("gate.approve"))
    });

    // Deny opens a modal for the reason; its submission denies, and the requester reads the reason.
    requester
        .gate()
        .args(["run", "--no-wait", "--", "echo", "second"])
        .assert()
        .code(75);
    let second = pending_id(&broker, &alice_token);
    // Carol is not in the config's mapping; users.info gives her email, which is her gate identity. She may
    // escalate; she is not a dba, so she may not approve.
    assert_eq!(
        slack_click(
            &broker,
            &button("gate.approve", &second, "U0CAROL", "T0GATE"),
            SIGNING_SECRET,
            now
        )
        .0,
        403
    );
    assert_eq!(
        slack_click(
            &broker,
            &button("gate.escalate", &second, "U0CAROL", "T0GATE"),
            SIGNING_SECRET,
            now
        )
        .0,
        200
    );
    let escalated = request_json(&broker, &alice_token, &second);
    assert_eq!(escalated["escalated"], true);
    let info = api
        .all()
        .into_iter()
        .find(|r| r.path.starts_with("/api/users.info"))
        .unwrap();
    assert_eq!(info.headers["authorization"], "Bearer xoxb-test-token");
    assert_eq!(
        slack_click(
            &broker,
            &button("gate.deny", &second, "U0BOB", "T0GATE"),
            SIGNING_SECRET,
            now
        )
        .0,
        200
    );
    let modal = api
        .all()
        .into_iter()
        .find(|r| r.path == "/api/views.open")
        .unwrap()
        .json();
    assert_eq!(modal["trigger_id"], "trig-1");
    assert_eq!(modal["view"]["private_metadata"], second.as_str());
    let submission = serde_json::json!({
        "type": "view_submission", "team": {"id": "T0GATE"}, "user": {"id": "U0BOB"},
        "view": {"callback_id": "gate.deny_reason", "private_metadata": second,
                 "state": {"values": {"reason": {"reason": {"type": "plain_text_input", "value": "use the replica"}}}}},
    });
    assert_eq!(
        slack_click(&broker, &submission, SIGNING_SECRET, now).0,
        200
    );
    let denied = request_json(&broker, &alice_token, &second);
    assert_eq!(denied["state"], "denied");
    assert_eq!(denied["votes"][0]["reason"], "use the replica");
}

#[test]
fn a_teams_card_carries_a_working_review_link() {
    let teams = Mock::start(&[], 202);
    let secrets = tempfile::tempdir().unwrap();
    std::fs::write(
        secrets.path().join("teams-url"),
        format!("{}/workflows/abc?sig=SECRET\n", teams.url),
    )
    .unwrap();
    let broker = Broker::sqlite(&format!(
        "channels:\n  teams: {{workflow_url_file: {}}}\n",
        secrets.path().join("teams-url").display()
    ));
    let requester_token = broker.token("requester", "ci-runner-1");
    let alice_token = broker.token("reviewer", "alice");
    let requester = broker.home(
        Some("version: 1\nrules:\n  - name: announce\n    match: {commands: [\"touch *\"]}\n    decision: approve\n    notify: [teams]\n"),
        &requester_token,
        "",
    );
    requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", "x"])
        .assert()
        .code(75);
    let id = pending_id(&broker, &alice_token);
    eventually(20, "the Teams card", || !teams.delivered().is_empty());
    let posted = &teams.delivered()[0];
    assert_eq!(posted.path, "/workflows/abc?sig=SECRET");
    let card = posted.json();
    assert_eq!(card["type"], "message");
    let content = &card["attachments"][0]["content"];
    assert_eq!(
        card["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(content["type"], "AdaptiveCard");
    assert!(content["body"].to_string().contains("\"text\":\"touch x\""));
    let action = &content["actions"][0];
    assert_eq!(action["type"], "Action.OpenUrl");
    let link = action["url"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/l/", broker.url)), "{link}");
    // The link works: it leads whoever follows it to sign in, then to this request.
    let shown = http("GET", link, &[], None);
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains(&format!("/login?next=/r/{id}")));
    let followed = http("POST", link, &[], Some(""));
    assert_eq!(followed.status, 303);
    assert_eq!(followed.header("location"), format!("/login?next=/r/{id}"));
    let signed_in = http(
        "POST",
        &format!("{}/login", broker.url),
        &[],
        Some(&format!("token={alice_token}&next=/r/{id}")),
    );
    assert_eq!(signed_in.header("location"), format!("/r/{id}"));
}

#[test]
fn escalation_widens_the_reviewers_when_the_rule_says_so() {
    let broker = Broker::sqlite("");
    let requester_token = broker.token("requester", "ci-runner-1");
    let alice_token = broker.token("reviewer", "alice");
    let dave_token = broker.token("reviewer", "dave");
    let requester = broker.home(
        Some("version: 1\ngroups:\n  dba: [alice]\n  sre: [dave]\nrules:\n  - name: dba-then-sre\n    match: {commands: [\"touch *\"]}\n    decision: approve\n    approvals: {from: dba, count: 1, escalate_to: sre}\n"),
        &requester_token,
        "",
    );
    requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", "x"])
        .assert()
        .code(75);
    let id = pending_id(&broker, &alice_token);
    let vote = |token: &str| {
        http(
            "POST",
            &format!("{}/v1/requests/{id}/votes", broker.url),
            &[("authorization", &bearer(token))],
            Some(r#"{"decision": "approve"}"#),
        )
    };
    let early = vote(&dave_token);
    assert_eq!(early.status, 403, "dave is not a dba: {}", early.body);
    assert_eq!(early.json()["code"], "not_eligible");
    let requester_escalates = http(
        "POST",
        &format!("{}/v1/requests/{id}/escalate", broker.url),
        &[("authorization", &bearer(&requester_token))],
        None,
    );
    assert_eq!(requester_escalates.status, 403);
    let escalated = http(
        "POST",
        &format!("{}/v1/requests/{id}/escalate", broker.url),
        &[("authorization", &bearer(&alice_token))],
        None,
    );
    assert_eq!(escalated.status, 200, "{}", escalated.body);
    assert_eq!(escalated.json()["escalated"], true);
    assert_eq!(escalated.json()["requirements"][0]["group"], "dba or sre");
    let after = vote(&dave_token);
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(after.json()["state"], "approved");
}
