//! A real `gate serve` for tests: the release-path binary on `127.0.0.1:0`, its URL read from its one line of
//! stdout, and homes for requesters and reviewers whose config points at it.

use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Home;

pub struct Broker {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub config: PathBuf,
    child: Option<Child>,
}

fn gate_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("gate")
}

impl Broker {
    /// A broker with this config text (the `store:` and anything else), listening on a free port.
    pub fn start(config: &str) -> Broker {
        let dir = tempfile::Builder::new()
            .prefix("gate-broker-")
            .tempdir()
            .unwrap();
        Broker::in_dir(dir, config)
    }

    /// A broker on `127.0.0.1:0`; it prints the address it got.
    fn in_dir(dir: tempfile::TempDir, config: &str) -> Broker {
        Broker::in_dir_at(dir, config, "127.0.0.1:0")
    }

    /// A SQLite broker on a port picked here, so that its config can name its public URL, which the links that
    /// `gate serve link` prints are made of.
    pub fn sqlite_with_public_url(extra: &str) -> Broker {
        let dir = tempfile::Builder::new()
            .prefix("gate-broker-")
            .tempdir()
            .unwrap();
        let store = dir.path().join("store");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let config = format!(
            "public_url: http://{addr}\nstore: {{sqlite: {}}}\n{extra}",
            store.display()
        );
        Broker::in_dir_at(dir, &config, &addr)
    }

    fn in_dir_at(dir: tempfile::TempDir, config: &str, addr: &str) -> Broker {
        let path = dir.path().join("serve.yaml");
        std::fs::write(&path, config).unwrap();
        let mut broker = Broker {
            dir,
            url: String::new(),
            config: path,
            child: None,
        };
        broker.spawn(addr);
        broker
    }

    /// A broker with its own SQLite store.
    pub fn sqlite(extra: &str) -> Broker {
        let dir = tempfile::Builder::new()
            .prefix("gate-broker-")
            .tempdir()
            .unwrap();
        let store = dir.path().join("store");
        Broker::in_dir(
            dir,
            &format!("store: {{sqlite: {}}}\n{extra}", store.display()),
        )
    }

    /// A broker on a PostgreSQL database.
    pub fn postgres(conninfo: &str, extra: &str) -> Broker {
        Broker::start(&format!("store: {{postgres: '{conninfo}'}}\n{extra}"))
    }

    /// Runs `gate serve` with a SQLite store and this config, expecting it to refuse to start.
    pub fn sqlite_config_error(extra: &str) -> std::process::Output {
        let dir = tempfile::Builder::new()
            .prefix("gate-broker-")
            .tempdir()
            .unwrap();
        let config = dir.path().join("serve.yaml");
        std::fs::write(
            &config,
            format!(
                "store: {{sqlite: {}}}\n{extra}",
                dir.path().join("store").display()
            ),
        )
        .unwrap();
        Command::new(gate_bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&config)
            .env("GATE_HOME", dir.path())
            .output()
            .unwrap()
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(gate_bin());
        cmd.arg("serve")
            .arg("--config")
            .arg(&self.config)
            .env("GATE_HOME", self.dir.path())
            .env("NO_COLOR", "1");
        cmd
    }

    fn spawn(&mut self, listen: &str) {
        let mut child = self
            .command()
            .args(["--listen", listen, "--log", "debug"])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(self.dir.path().join("serve.log")).unwrap())
            .spawn()
            .expect("start gate serve");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("http://"),
            "gate serve printed its URL, not {line:?}; log:\n{}",
            self.log()
        );
        self.url = line.trim().to_string();
        self.child = Some(child);
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// Runs `gate serve ARGS…` against the same config (token and link management).
    pub fn manage(&self, args: &[&str]) -> std::process::Output {
        self.command().args(args).output().unwrap()
    }

    /// Creates a token and returns its secret.
    pub fn token(&self, kind: &str, name: &str) -> String {
        let out = self.manage(&["token", "create", &format!("--{kind}"), name]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// SIGKILL, as a crash.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM; returns the exit status and how long the broker took to stop.
    pub fn terminate(&mut self) -> (std::process::ExitStatus, Duration) {
        let mut c = self.child.take().expect("running");
        let started = Instant::now();
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        (c.wait().unwrap(), started.elapsed())
    }

    /// Starts again on the same address and store.
    pub fn restart(&mut self) {
        self.kill();
        let addr = self.url.trim_start_matches("http://").to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // The port is free again once the old process is gone; retry briefly if the kernel disagrees.
            if std::net::TcpListener::bind(&addr).is_ok() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.spawn(&addr);
    }

    /// A gate home whose config sends everything to this broker with `token`.
    pub fn home(&self, policy: Option<&str>, token: &str, extra_backend: &str) -> Home {
        let home = match policy {
            Some(p) => Home::with_policy(p),
            None => Home::new(),
        };
        home.write("token", &format!("{token}\n"));
        home.write(
            "config.yaml",
            &format!(
                "backend: {{url: '{}', token_file: token{extra_backend}}}\n",
                self.url
            ),
        );
        home
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One HTTP exchange, without following redirects: the status, the headers and the body.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

/// Sends one request: `headers` are name/value pairs; a body that starts with `{` is JSON, else a form.
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Answer {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut req = client.request(method.parse().unwrap(), url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            let kind = if b.starts_with('{') {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            };
            req = req.header("content-type", kind).body(b.to_string());
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.text().await.unwrap_or_default();
        Answer {
            status,
            headers,
            body,
        }
    })
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A request as the API returns it, read with `token`.
pub fn request_json(broker: &Broker, token: &str, id: &str) -> serde_json::Value {
    http(
        "GET",
        &format!("{}/v1/requests/{id}", broker.url),
        &[("authorization", &bearer(token))],
        None,
    )
    .json()
}

/// Polls until `check` is true, or panics after `secs`.
pub fn eventually(secs: u64, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The id of the one pending request the broker holds, once there is one.
pub fn pending_id(broker: &Broker, reviewer_token: &str) -> String {
    let mut id = String::new();
    eventually(20, "a pending request", || {
        let a = http(
            "GET",
            &format!("{}/v1/requests?state=pending", broker.url),
            &[("authorization", &bearer(reviewer_token))],
            None,
        );
        if let Some(r) = a.json()["requests"].as_array().and_then(|r| r.first()) {
            id = r["id"].as_str().unwrap().to_string();
            true
        } else {
            false
        }
    });
    id
}
