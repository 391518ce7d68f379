//! The web approval page in a real headless Chromium, driven through the Chrome DevTools protocol: a reviewer
//! signs in with their token, approves, and the command that was waiting runs. The page is checked at a phone's
//! width, and a screenshot of it is what docs/web-approval.png shows (`UPDATE_SCREENSHOT=1` refreshes it).

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::broker::{Broker, http, pending_id};
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;

struct Browser {
    child: Child,
    ws: tungstenite::WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    _profile: tempfile::TempDir,
}

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

impl Browser {
    fn start(binary: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                &format!("--remote-debugging-port={port}"),
                &format!("--user-data-dir={}", profile.path().display()),
                "about:blank",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        let deadline = Instant::now() + Duration::from_secs(30);
        let ws_url = loop {
            assert!(
                Instant::now() < deadline,
                "chromium's DevTools endpoint did not come up"
            );
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                let list = http(
                    "GET",
                    &format!("http://127.0.0.1:{port}/json/list"),
                    &[],
                    None,
                );
                if let Some(url) = serde_json::from_str::<Value>(&list.body)
                    .ok()
                    .and_then(|v| {
                        v.as_array()?
                            .iter()
                            .find(|t| t["type"] == "page")
                            .and_then(|t| t["webSocketDebuggerUrl"].as_str().map(str::to_string))
                    })
                {
                    break url;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        let (ws, _) = tungstenite::connect(ws_url.as_str()).expect("connect to the page");
        Browser {
            child,
            ws,
            next: 0,
            _profile: profile,
        }
    }

    fn call(&mut self, method: &str, params: &Value) -> Value {
        match self.try_call(method, params) {
            Ok(result) => result,
            Err(v) => panic!("{method}: {v}"),
        }
    }

    /// A call that may fail, as `Runtime.evaluate` does while a form submission navigates the page.
    fn try_call(&mut self, method: &str, params: &Value) -> Result<Value, Value> {
        self.next += 1;
        let id = self.next;
        self.ws
            .send(tungstenite::Message::text(
                json!({"id": id, "method": method, "params": params}).to_string(),
            ))
            .unwrap();
        loop {
            let message = self.ws.read().expect("DevTools message");
            let Ok(text) = message.to_text() else {
                continue;
            };
            let v: Value = serde_json::from_str(text).unwrap_or_default();
            if v["id"] == id {
                return match v.get("error") {
                    Some(_) => Err(v),
                    None => Ok(v["result"].clone()),
                };
            }
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            &json!({"expression": expression, "returnByValue": true}),
        );
        r["result"]["value"].clone()
    }

    fn wait_until(&mut self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let expression = json!({
            "expression": format!("document.readyState === 'complete' && !!({condition})"),
            "returnByValue": true,
        });
        // A page that is navigating has no context to evaluate in; that is "not yet", not a failure.
        while self
            .try_call("Runtime.evaluate", &expression)
            .map(|r| r["result"]["value"].clone())
            != Ok(json!(true))
        {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for `{condition}` on {}",
                self.eval("location.href + '\\n' + document.body.innerText")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn screenshot(&mut self, path: &Path) {
        let shot = self.call(
            "Page.captureScreenshot",
            &json!({"format": "png", "captureBeyondViewport": true}),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_reviewer_approves_in_a_real_browser_and_the_command_runs() {
    let Some(binary) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs chromium (.ci/run)"
        );
        eprintln!("skipping: no chromium here (apt-get install chromium)");
        return;
    };
    let broker = Broker::sqlite("");
    let requester_token = broker.token("requester", "ci-runner-1");
    let alice = broker.token("reviewer", "alice");
    let bob = broker.token("reviewer", "bob");
    let policy = "version: 1\ngroups:\n  dba: [alice, bob]\nrules:\n  - name: prod-writes\n    match: {commands: [\"psql *\"]}\n    decision: approve\n    approvals: {from: dba, count: 2}\n";
    let requester = broker.home(Some(policy), &requester_token, "");
    let alice_home = broker.home(None, &alice, "");
    let marker = requester.path().join("ran");
    // A stand-in psql on PATH: the page shows the command; what matters here is that it runs once approved.
    let bin = requester.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let fake = bin.join("psql");
    std::fs::write(&fake, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).unwrap();
    std::fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // gate recognises `psql` by name only in a directory it trusts.
    let config = requester.path().join("config.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}trusted_paths: [\"{}\"]\n", bin.display()),
    )
    .unwrap();
    let child = requester
        .gate_std()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .args([
            "run",
            "--reason",
            "INC-4411 close duplicate refunds",
            "--",
            "psql",
            "-h",
            "db.prod.internal",
            "-d",
            "app",
            "-c",
            "UPDATE refunds SET state = 'closed' WHERE id IN (SELECT id FROM duplicates) -- <b>not bold</b>",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = pending_id(&broker, &alice);
    alice_home
        .gate()
        .args(["approve", &id, "--reason", "checked the ticket"])
        .assert()
        .success();

    let mut browser = Browser::start(&binary);
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        &json!({"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": true}),
    );
    browser.call(
        "Page.navigate",
        &json!({"url": format!("{}/r/{id}", broker.url)}),
    );
    browser.wait_until(
        "location.pathname === '/login' && document.querySelector('input[name=token]')",
    );
    browser.eval(&format!(
        "document.querySelector('input[name=token]').value = '{bob}'; document.querySelector('button[type=submit]').click()"
    ));
    browser.wait_until(&format!(
        "location.pathname === '/r/{id}' && document.querySelector('button.approve')"
    ));
    let command = browser.eval("document.getElementById('command').textContent");
    assert!(
        command.as_str().unwrap().contains("<b>not bold</b>"),
        "the command is shown as text: {command}"
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('#command b').length"),
        json!(0)
    );
    assert_eq!(
        browser.eval("document.documentElement.scrollWidth <= window.innerWidth"),
        json!(true),
        "no sideways scrolling at a phone's width"
    );
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-approval.png");
    browser.screenshot(&shot);
    if std::env::var_os("UPDATE_SCREENSHOT").is_some() {
        std::fs::copy(
            &shot,
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/web-approval.png"),
        )
        .unwrap();
    }
    browser.eval("document.querySelector('button.approve').click()");
    browser.wait_until("document.body.innerText.includes('bob approved')");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        marker.exists(),
        "the waiting command ran after the approval in the browser"
    );
    browser.call("Page.reload", &json!({}));
    browser.wait_until(
        "document.querySelector('.state.executed') && !document.querySelector('button.approve')",
    );
}
