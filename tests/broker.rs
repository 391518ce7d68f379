//! `gate serve` end to end, with the real binary on both sides: requests from `gate run` wait at the broker,
//! reviewers answer with their own tokens, and the identity checks, signed links, CSRF protection and fault
//! handling hold. The store is SQLite, and a real PostgreSQL started here, with two replicas sharing it.

mod common;

use std::process::{Child, Stdio};
use std::time::Duration;

use common::broker::{Broker, bearer, eventually, http, pending_id, request_json};
use common::postgres::Postgres;
use common::{Home, json_ids};
use predicates::prelude::*;

/// `touch` needs two approvals from a `dba` group of alice, bob and carol.
const POLICY: &str = "version: 1\ngroups:\n  dba: [alice, bob, carol]\nrules:\n  - name: two-dbas\n    match: {commands: [\"touch *\"]}\n    decision: approve\n    approvals: {from: dba, count: 2}\n";

struct Team {
    requester: Home,
    alice: Home,
    bob: Home,
    alice_token: String,
    requester_token: String,
}

/// A requester host and two reviewers, each with their own token; `voting` is where the reviewers send votes.
fn team(broker: &Broker, voting: &Broker, backend: &str) -> Team {
    let requester_token = broker.token("requester", "ci-runner-1");
    let alice_token = broker.token("reviewer", "alice");
    let bob_token = broker.token("reviewer", "bob");
    Team {
        requester: broker.home(Some(POLICY), &requester_token, backend),
        alice: voting.home(None, &alice_token, ""),
        bob: voting.home(None, &bob_token, ""),
        alice_token,
        requester_token,
    }
}

fn spawn_run(home: &Home, args: &[&str]) -> Child {
    home.gate_std()
        .arg("run")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(child: Child) -> (i32, String) {
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The heart of it: a run waits, the first approval is not enough, the second releases it.
fn two_approvals_release_a_waiting_run(broker: &Broker, voting: &Broker) {
    let t = team(broker, voting, "");
    let marker = t.requester.path().join("ran");
    let child = spawn_run(
        &t.requester,
        &["--reason", "INC-1", "--", "touch", marker.to_str().unwrap()],
    );
    let id = pending_id(broker, &t.alice_token);
    t.alice
        .gate()
        .args(["approve", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("still needs 1"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        !marker.exists(),
        "one approval of two does not run the command"
    );
    t.bob.gate().args(["approve", &id]).assert().success();
    let (code, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}\nbroker log:\n{}", broker.log());
    assert!(marker.exists(), "the command ran after the second approval");
    // The approval is used up: the same command again asks again.
    t.requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", marker.to_str().unwrap()])
        .assert()
        .code(75);
    // The requester's audit records reach the broker's central audit.
    eventually(10, "the requester's records in the central audit", || {
        let a = http(
            "GET",
            &format!("{}/v1/audit?limit=1000", broker.url),
            &[("authorization", &bearer(&t.alice_token))],
            None,
        );
        a.json()["entries"].as_array().unwrap().iter().any(|e| {
            e["source"] == "requester:ci-runner-1"
                && e["record"]["event"] == "exited"
                && e["record"]["id"].is_string()
        })
    });
    let cursor = std::fs::read_to_string(t.requester.path().join("audit.jsonl.shipped")).unwrap();
    let (seq, offset) = cursor.trim().split_once(' ').unwrap();
    assert_eq!(
        seq,
        t.requester.records().len().to_string(),
        "every local record was shipped"
    );
    assert_eq!(
        offset,
        std::fs::metadata(t.requester.audit_file())
            .unwrap()
            .len()
            .to_string()
    );
}

#[test]
fn sqlite_broker_two_reviewers_release_a_waiting_run() {
    let broker = Broker::sqlite("");
    two_approvals_release_a_waiting_run(&broker, &broker);
}

#[test]
fn postgres_broker_two_reviewers_release_a_waiting_run() {
    let pg = Postgres::start();
    let broker = Broker::postgres(&pg.conninfo("postgres"), "");
    two_approvals_release_a_waiting_run(&broker, &broker);
}

#[test]
fn two_replicas_on_one_postgres_agree() {
    let pg = Postgres::start();
    let a = Broker::postgres(&pg.conninfo("postgres"), "");
    let b = Broker::postgres(&pg.conninfo("postgres"), "");
    assert_ne!(a.url, b.url);
    // Created and waited on through A, voted on through B: B's votes wake A's long poll through NOTIFY.
    two_approvals_release_a_waiting_run(&a, &b);
    assert!(
        a.log().contains("a replica changed a request"),
        "A heard B's changes:\n{}",
        a.log()
    );
    // A token made through one replica is known to the other, and revoking it anywhere revokes it everywhere.
    let token = a.token("reviewer", "dave");
    let who = |broker: &Broker| {
        http(
            "GET",
            &format!("{}/v1/whoami", broker.url),
            &[("authorization", &bearer(&token))],
            None,
        )
        .status
    };
    assert_eq!(who(&b), 200);
    let listed = b.manage(&["token", "list", "--json"]);
    let id = String::from_utf8(listed.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|t| t["name"] == "dave")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(b.manage(&["token", "revoke", &id]).status.success());
    assert_eq!(who(&a), 401);
}

#[test]
fn tokens_and_identities_are_checked_on_the_server() {
    let broker = Broker::sqlite("");
    let t = team(&broker, &broker, "");
    let url = format!("{}/v1/requests", broker.url);
    let missing = http("GET", &url, &[], None);
    assert_eq!(missing.status, 401);
    assert!(missing.header("www-authenticate").starts_with("Bearer"));
    assert_eq!(missing.json()["code"], "unauthorized");
    assert_eq!(
        http("GET", &url, &[("authorization", "Bearer gate_wrong")], None).status,
        401
    );
    assert_eq!(
        http(
            "GET",
            &url,
            &[("authorization", &bearer(&t.requester_token))],
            None
        )
        .status,
        200
    );

    t.requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", "x"])
        .assert()
        .code(75);
    let id = pending_id(&broker, &t.alice_token);
    // A requester token cannot vote, through the API or the CLI.
    let vote = |token: &str| {
        http(
            "POST",
            &format!("{url}/{id}/votes"),
            &[("authorization", &bearer(token))],
            Some(r#"{"decision": "approve"}"#),
        )
    };
    let refused = vote(&t.requester_token);
    assert_eq!(refused.status, 403);
    assert_eq!(refused.json()["code"], "requester_token");
    t.requester
        .gate()
        .args(["approve", &id])
        .assert()
        .code(77)
        .stderr(predicate::str::contains("cannot vote"))
        .stderr(predicate::str::contains("hint:"));

    // A reviewer who asks is the requester, whatever the body claims, and cannot approve their own request.
    let own = http(
        "POST",
        &url,
        &[("authorization", &bearer(&t.alice_token))],
        Some(&request_body("mallory")),
    );
    assert_eq!(own.status, 201, "{}", own.body);
    assert_eq!(own.json()["requester"]["user"], "alice");
    let own_id = own.json()["id"].as_str().unwrap().to_string();
    let self_vote = http(
        "POST",
        &format!("{url}/{own_id}/votes"),
        &[("authorization", &bearer(&t.alice_token))],
        Some(r#"{"decision": "approve"}"#),
    );
    assert_eq!(self_vote.status, 403);
    assert_eq!(self_vote.json()["code"], "own_request");
    t.alice
        .gate()
        .args(["approve", &own_id])
        .assert()
        .code(77)
        .stderr(predicate::str::contains("own request"));

    // A denial needs a reason; with one, the request ends.
    let no_reason = vote(&t.alice_token);
    assert_eq!(no_reason.status, 200, "an approval needs no reason");
    let deny = http(
        "POST",
        &format!("{url}/{id}/votes"),
        &[("authorization", &bearer(&t.alice_token))],
        Some(r#"{"decision": "deny", "reason": "again"}"#),
    );
    assert_eq!(deny.status, 409, "one vote per reviewer");
    // A body that is not JSON is a 4xx with a JSON error, not a crash.
    let bad = http(
        "POST",
        &url,
        &[("authorization", &bearer(&t.alice_token))],
        Some("{not json"),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["code"], "bad_body");
    // A revoked token stops working at once.
    let listed = String::from_utf8(broker.manage(&["token", "list", "--json"]).stdout).unwrap();
    assert!(
        !listed.contains(&t.alice_token),
        "token list never shows secrets"
    );
    let alice_id = listed
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|t| t["name"] == "alice")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        broker
            .manage(&["token", "revoke", &alice_id])
            .status
            .success()
    );
    assert_eq!(vote(&t.alice_token).status, 401);
    t.alice
        .gate()
        .args(["pending"])
        .assert()
        .code(78)
        .stderr(predicate::str::contains("revoked"));
}

/// A request body as a client would send it, claiming to be from `user`.
fn request_body(user: &str) -> String {
    serde_json::json!({
        "id": "", "state": "pending", "digest": "sha256:x",
        "requester": {"user": user, "agent": null}, "reason": "test",
        "command": "touch y", "cwd": "/", "environment": "production",
        "target": {}, "kinds": ["unknown"], "risk": "high", "objects": [], "findings": [],
        "rules": ["two-dbas"],
        "requirements": [{"rule": "two-dbas", "group": "dba", "members": ["alice", "bob", "carol"], "count": 2, "allow_requester": false}],
        "votes": [], "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-01T01:00:00Z",
        "valid_for_secs": 600, "approved_at": null, "escalate_after_secs": null, "escalated": false, "finished_at": null
    })
    .to_string()
}

/// Signs in on the web page with a reviewer token; returns the session cookie.
fn sign_in(broker: &Broker, token: &str) -> String {
    let a = http(
        "POST",
        &format!("{}/login", broker.url),
        &[],
        Some(&format!("token={token}&next=/requests")),
    );
    assert_eq!(a.status, 303, "{}", a.body);
    let cookie = a.header("set-cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_string()
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[at..at + 64].to_string()
}

#[test]
fn the_web_page_escapes_markup_and_refuses_forged_posts() {
    let broker = Broker::sqlite("");
    let t = team(&broker, &broker, "");
    t.requester
        .gate()
        .args([
            "run",
            "--no-wait",
            "--",
            "touch",
            "<script>alert(1)</script>",
            "<!channel> <https://evil.example|click>",
        ])
        .assert()
        .code(75);
    let id = pending_id(&broker, &t.alice_token);
    let page_url = format!("{}/r/{id}", broker.url);
    // No session: to the sign-in page, which comes back here.
    let anonymous = http("GET", &page_url, &[], None);
    assert_eq!(anonymous.status, 303);
    assert_eq!(anonymous.header("location"), format!("/login?next=/r/{id}"));
    let wrong = http(
        "POST",
        &format!("{}/login", broker.url),
        &[],
        Some("token=gate_nope"),
    );
    assert_eq!(wrong.status, 401);
    let requester_login = http(
        "POST",
        &format!("{}/login", broker.url),
        &[],
        Some(&format!("token={}", t.requester_token)),
    );
    assert_eq!(
        requester_login.status, 401,
        "requester tokens cannot sign in to review"
    );

    let cookie = sign_in(&broker, &t.alice_token);
    let page = http("GET", &page_url, &[("cookie", &cookie)], None);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("&lt;!channel&gt; &lt;https://evil.example|click&gt;"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("<script>alert"),
        "no markup from the command survives"
    );
    assert!(!page.body.contains("<!channel>"));
    for shown in [
        "two-dbas",
        "2 from dba",
        "production",
        "sha256:",
        "<dt>asked by</dt>",
        "<pre id=\"command\">",
    ] {
        assert!(
            page.body.contains(shown),
            "the page shows {shown}: {}",
            page.body
        );
    }
    assert!(
        page.body.contains("name=\"viewport\""),
        "readable on a phone"
    );
    let csrf = csrf_of(&page.body);
    let state = || {
        request_json(&broker, &t.alice_token, &id)["votes"]
            .as_array()
            .unwrap()
            .len()
    };
    // A GET never votes.
    assert_eq!(
        http(
            "GET",
            &format!("{page_url}/vote?decision=approve"),
            &[("cookie", &cookie)],
            None
        )
        .status,
        405
    );
    // A cross-site form post: no CSRF token.
    let forged = http(
        "POST",
        &format!("{page_url}/vote"),
        &[("cookie", &cookie)],
        Some("decision=approve"),
    );
    assert_eq!(forged.status, 403);
    // A CSRF token from another session.
    let bob_cookie = sign_in(&broker, &http_token(&t.bob));
    let bob_csrf = csrf_of(&http("GET", &page_url, &[("cookie", &bob_cookie)], None).body);
    let swapped = http(
        "POST",
        &format!("{page_url}/vote"),
        &[("cookie", &cookie)],
        Some(&format!("decision=approve&csrf={bob_csrf}")),
    );
    assert_eq!(swapped.status, 403);
    // The right token, posted from another origin.
    let cross = http(
        "POST",
        &format!("{page_url}/vote"),
        &[("cookie", &cookie), ("origin", "https://evil.example")],
        Some(&format!("decision=approve&csrf={csrf}")),
    );
    assert_eq!(cross.status, 403);
    assert_eq!(state(), 0, "no refused post left a vote");
    // The real form: the vote lands, and the page says so.
    let ok = http(
        "POST",
        &format!("{page_url}/vote"),
        &[("cookie", &cookie), ("origin", &broker.url)],
        Some(&format!("decision=approve&csrf={csrf}&reason=")),
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(state(), 1);
    let after = http("GET", &page_url, &[("cookie", &cookie)], None);
    assert!(
        after.body.contains("alice approved") && after.body.contains("via web"),
        "{}",
        after.body
    );
    let list = http(
        "GET",
        &format!("{}/requests", broker.url),
        &[("cookie", &cookie)],
        None,
    );
    assert!(list.body.contains(&id) && list.body.contains("Pending requests"));
}

/// The token a home's config points at.
fn http_token(home: &Home) -> String {
    std::fs::read_to_string(home.path().join("token"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn signed_links_work_once_and_expire() {
    let broker = Broker::sqlite_with_public_url("link_ttl: 2s\n");
    let t = team(&broker, &broker, "");
    t.requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", "x"])
        .assert()
        .code(75);
    let id = pending_id(&broker, &t.alice_token);
    let link = |reviewer: &str| {
        let out = broker.manage(&["link", "--reviewer", reviewer, &id[..10]]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let bob_link = link("bob");
    assert!(bob_link.starts_with(&format!("{}/l/", broker.url)));
    // Opening the link (as a chat tool's preview would) uses nothing up.
    for _ in 0..2 {
        let shown = http("GET", &bob_link, &[], None);
        assert_eq!(shown.status, 200);
        assert!(shown.body.contains("signs you in as <b>bob</b>"));
    }
    let used = http("POST", &bob_link, &[], Some(""));
    assert_eq!(used.status, 303, "{}", used.body);
    assert_eq!(used.header("location"), format!("/r/{id}"));
    let cookie = used
        .header("set-cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = http(
        "GET",
        &format!("{}/r/{id}", broker.url),
        &[("cookie", &cookie)],
        None,
    );
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page.body);
    let voted = http(
        "POST",
        &format!("{}/r/{id}/vote", broker.url),
        &[("cookie", &cookie)],
        Some(&format!("decision=approve&csrf={csrf}")),
    );
    assert_eq!(voted.status, 303);
    // Replayed: refused.
    let replay = http("POST", &bob_link, &[], Some(""));
    assert_eq!(replay.status, 403);
    assert!(replay.body.contains("already used"));
    // Tampered: refused.
    let mut tampered = bob_link.clone().into_bytes();
    let at = tampered.len() - 70;
    tampered[at] = if tampered[at] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(http("POST", &tampered, &[], Some("")).status, 403);
    // Expired: refused, even unused.
    let carol_link = link("carol");
    std::thread::sleep(Duration::from_millis(2100));
    let late = http("POST", &carol_link, &[], Some(""));
    assert_eq!(late.status, 403);
    assert!(late.body.contains("expired"), "{}", late.body);
    let votes = request_json(&broker, &t.alice_token, &id);
    assert_eq!(
        votes["votes"].as_array().unwrap().len(),
        1,
        "bob's vote only"
    );
    assert_eq!(votes["votes"][0]["by"], "bob");
}

#[test]
fn a_killed_broker_fails_the_waiting_run_closed() {
    let mut broker = Broker::sqlite("");
    let t = team(&broker, &broker, ", retry_for: 1s");
    let marker = t.requester.path().join("ran");
    let child = spawn_run(&t.requester, &["--", "touch", marker.to_str().unwrap()]);
    let id = pending_id(&broker, &t.alice_token);
    broker.kill();
    let (code, stderr) = finish(child);
    assert_eq!(code, 75, "{stderr}");
    assert!(stderr.contains("cannot reach the broker"), "{stderr}");
    assert!(stderr.contains("hint: nothing ran"), "{stderr}");
    assert!(!marker.exists());
    let error = t
        .requester
        .records()
        .into_iter()
        .find(|r| r["event"] == "error")
        .expect("an error record");
    assert_eq!(error["exit"], 75);
    // Reviewers are told the same way.
    t.alice
        .gate()
        .args(["approve", &id])
        .assert()
        .code(75)
        .stderr(predicate::str::contains("cannot reach the broker"));
    t.alice.gate().args(["pending"]).assert().code(75);
    // The records written while the broker was down wait in the local file, and the next command sends them.
    let cursor =
        std::fs::read_to_string(t.requester.path().join("audit.jsonl.shipped")).unwrap_or_default();
    let shipped: usize = cursor
        .split_whitespace()
        .next()
        .map_or(0, |s| s.parse().unwrap());
    assert!(
        shipped < t.requester.records().len(),
        "the error record is still to be sent"
    );
    broker.restart();
    t.requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", "later"])
        .assert()
        .code(75);
    let central = http(
        "GET",
        &format!("{}/v1/audit?limit=1000", broker.url),
        &[("authorization", &bearer(&t.alice_token))],
        None,
    )
    .json();
    let from_host: Vec<&serde_json::Value> = central["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "requester:ci-runner-1")
        .collect();
    assert!(
        from_host
            .iter()
            .any(|e| e["record"]["event"] == "error" && e["record"]["exit"] == 75),
        "the error recorded while the broker was down reached it later: {central}"
    );
    assert_eq!(
        from_host.len(),
        t.requester.records().len(),
        "every local record, once"
    );
}

fn request_survives_a_restart(mut broker: Broker) {
    let t = team(&broker, &broker, "");
    let marker = t.requester.path().join("ran");
    let target = marker.to_str().unwrap().to_string();
    t.requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", &target])
        .assert()
        .code(75);
    let id = pending_id(&broker, &t.alice_token);
    broker.restart();
    t.alice.gate().args(["approve", &id]).assert().success();
    broker.restart();
    t.bob
        .gate()
        .args(["approve", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains("approved"));
    t.requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", &target])
        .assert()
        .success();
    assert!(marker.exists());
}

#[test]
fn a_request_survives_a_sqlite_broker_restart() {
    request_survives_a_restart(Broker::sqlite(""));
}

#[test]
fn a_request_survives_a_postgres_broker_restart() {
    let pg = Postgres::start();
    request_survives_a_restart(Broker::postgres(&pg.conninfo("postgres"), ""));
}

#[test]
fn sigterm_stops_the_broker_gracefully_and_the_wait_survives_a_restart() {
    let mut broker = Broker::sqlite("");
    let t = team(&broker, &broker, ", retry_for: 60s");
    let marker = t.requester.path().join("ran");
    let child = spawn_run(&t.requester, &["--", "touch", marker.to_str().unwrap()]);
    let id = pending_id(&broker, &t.alice_token);
    t.alice.gate().args(["approve", &id]).assert().success();
    // The long poll in flight does not hold the shutdown up.
    let (status, took) = broker.terminate();
    assert!(status.success(), "{status:?}\n{}", broker.log());
    assert!(took < Duration::from_secs(10), "stopped in {took:?}");
    assert!(broker.log().contains("shutting down"));
    broker.restart();
    t.bob.gate().args(["approve", &id]).assert().success();
    let (code, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        marker.exists(),
        "alice's vote from before the restart counted"
    );
}

#[test]
fn with_postgres_down_the_broker_answers_503_and_gate_fails_closed() {
    let pg = Postgres::start();
    let broker = Broker::postgres(&pg.conninfo("postgres"), "");
    let t = team(&broker, &broker, ", retry_for: 1s");
    assert_eq!(
        http("GET", &format!("{}/healthz", broker.url), &[], None).status,
        200
    );
    pg.stop();
    let health = http("GET", &format!("{}/healthz", broker.url), &[], None);
    assert_eq!(health.status, 503);
    assert_eq!(health.json()["status"], "unavailable");
    let marker = t.requester.path().join("ran");
    t.requester
        .gate()
        .args(["run", "--", "touch", marker.to_str().unwrap()])
        .assert()
        .code(75)
        .stderr(predicate::str::contains("store"))
        .stderr(predicate::str::contains("hint:"));
    assert!(!marker.exists());
    let api = http(
        "GET",
        &format!("{}/v1/requests", broker.url),
        &[("authorization", &bearer(&t.alice_token))],
        None,
    );
    assert_eq!(api.status, 503, "{}", api.body);
    assert_eq!(api.json()["code"], "store_unavailable");
    // Back up: the same broker serves again without a restart.
    pg.start_again();
    eventually(20, "the broker to reach PostgreSQL again", || {
        http("GET", &format!("{}/healthz", broker.url), &[], None).status == 200
    });
    t.requester
        .gate()
        .args(["run", "--no-wait", "--", "touch", marker.to_str().unwrap()])
        .assert()
        .code(75);
    let ids = json_ids(
        &t.alice
            .gate()
            .args(["pending", "--json"])
            .output()
            .unwrap()
            .stdout,
    );
    assert_eq!(ids.len(), 1);
}

#[test]
fn metrics_and_health_are_served() {
    let broker = Broker::sqlite("");
    let health = http("GET", &format!("{}/healthz", broker.url), &[], None);
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["store"], "sqlite");
    let _ = http("GET", &format!("{}/v1/requests", broker.url), &[], None);
    let metrics = http("GET", &format!("{}/metrics", broker.url), &[], None);
    assert!(metrics.header("content-type").starts_with("text/plain"));
    assert!(
        metrics.body.contains(
            "gate_http_requests_total{method=\"GET\",route=\"/v1/requests\",status=\"401\"} 1"
        ),
        "{}",
        metrics.body
    );
    assert!(
        metrics
            .body
            .contains("# TYPE gate_requests_created_total counter")
    );
    assert!(metrics.body.contains("gate_store_info{store=\"sqlite\"} 1"));
}

#[test]
fn bad_serve_config_and_flags_are_refused_clearly() {
    let home = Home::new();
    // `gate serve --config FILE ARGS…` must fail with `code`, saying `says`, and give a hint.
    let refused = |config: &str, args: &[&str], code: i32, says: &str| {
        let path = home.write("serve.yaml", config);
        home.gate()
            .args(["serve", "--config", path.to_str().unwrap()])
            .args(args)
            .assert()
            .code(code)
            .stderr(predicate::str::contains(says))
            .stderr(predicate::str::contains("hint:"));
    };
    let sqlite = format!("store: {{sqlite: {}}}\n", home.path().join("s").display());
    refused(
        "listen: 127.0.0.1:0\nstoar: {}\n",
        &[],
        78,
        "serve.yaml:2:1: unknown field `stoar`",
    );
    refused(
        &sqlite,
        &["--listen", "nowhere"],
        64,
        "invalid value 'nowhere'",
    );
    refused(&sqlite, &["token", "create"], 64, "--reviewer");
    refused(
        &sqlite,
        &["token", "create", "--reviewer", "a b"],
        64,
        "`a b` is not a usable name",
    );
    refused(
        &sqlite,
        &["token", "revoke", "nope"],
        64,
        "no live token has the id `nope`",
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    refused(&sqlite, &["--listen", &addr], 75, "cannot listen on");
    refused(
        "store: {postgres: 'host=/nonexistent port=1 user=x dbname=x connect_timeout=1'}\n",
        &[],
        75,
        "cannot open the broker's store",
    );
}

#[test]
fn the_broker_escalates_a_waiting_request_once_and_expires_it() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("escalated.json");
    let broker = Broker::sqlite(&format!(
        "escalation: {{command: [sh, -c, 'cat >> {}']}}\n",
        file.display()
    ));
    let requester_token = broker.token("requester", "ci-runner-1");
    let alice_token = broker.token("reviewer", "alice");
    let requester = broker.home(
        Some("version: 1\nrules:\n  - name: slow\n    match: {commands: [\"touch *\"]}\n    decision: approve\n    expires: 3s\n    escalate_after: 1s\n"),
        &requester_token,
        "",
    );
    let marker = requester.path().join("ran");
    let child = spawn_run(&requester, &["--", "touch", marker.to_str().unwrap()]);
    let (code, stderr) = finish(child);
    assert_eq!(code, 75, "expired: {stderr}");
    assert!(stderr.contains("expired"), "{stderr}");
    assert!(!marker.exists());
    let escalated = std::fs::read_to_string(&file).unwrap();
    assert_eq!(escalated.lines().count(), 1, "escalated once: {escalated}");
    let request: serde_json::Value = serde_json::from_str(escalated.trim()).unwrap();
    assert_eq!(request["command"], format!("touch {}", marker.display()));
    let central = http(
        "GET",
        &format!("{}/v1/audit?limit=1000", broker.url),
        &[("authorization", &bearer(&alice_token))],
        None,
    )
    .json();
    let broker_events: Vec<&str> = central["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "broker")
        .filter_map(|e| e["record"]["event"].as_str())
        .collect();
    assert_eq!(
        broker_events,
        ["requested", "escalated", "expired"],
        "{central}"
    );
}

#[test]
fn a_denial_and_a_ctrl_c_reach_through_the_broker() {
    let broker = Broker::sqlite("");
    let t = team(&broker, &broker, "");
    let marker = t.requester.path().join("ran");
    let target = marker.to_str().unwrap().to_string();

    // Deny: the reason reaches the waiting requester's stderr, and it exits 77.
    let child = spawn_run(&t.requester, &["--", "touch", &target]);
    let id = pending_id(&broker, &t.alice_token);
    t.alice
        .gate()
        .args(["show", &id])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "request      {id} (pending)"
        )))
        .stdout(predicate::str::contains("needs        2 from dba"));
    t.alice.gate().args(["deny", &id]).assert().code(64);
    t.alice
        .gate()
        .args(["deny", &id, "--reason", "use the replica"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("denied {id}")));
    let (code, stderr) = finish(child);
    assert_eq!(code, 77, "{stderr}");
    assert!(
        stderr.contains("denied by alice: use the replica"),
        "{stderr}"
    );
    assert!(!marker.exists());

    // Ctrl-C while waiting: 130, and the broker holds the request as cancelled.
    let child = spawn_run(&t.requester, &["--", "touch", &target]);
    let mut id = String::new();
    eventually(20, "the second request", || {
        let listed = http(
            "GET",
            &format!("{}/v1/requests?state=pending", broker.url),
            &[("authorization", &bearer(&t.alice_token))],
            None,
        );
        listed.json()["requests"]
            .as_array()
            .unwrap()
            .first()
            .is_some_and(|r| {
                id = r["id"].as_str().unwrap().to_string();
                true
            })
    });
    std::thread::sleep(Duration::from_millis(200));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let (code, stderr) = finish(child);
    assert_eq!(code, 130, "{stderr}");
    let state = request_json(&broker, &t.alice_token, &id);
    assert_eq!(state["state"], "cancelled");
    assert!(!marker.exists());
}
