//! A stand-in for a third-party HTTP service on loopback (a webhook receiver, PagerDuty): it records every
//! request and answers with the statuses it was given, in order, then 2xx.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Recorded {
    pub status: u16,
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

pub struct Mock {
    pub url: String,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

impl Mock {
    /// Answers the first requests with `failures` (e.g. `[500, 503]`), then with `ok`, and `{}` as the body.
    pub fn start(failures: &[u16], ok: u16) -> Mock {
        let failures = failures.to_vec();
        let count = std::sync::atomic::AtomicUsize::new(0);
        Mock::serve(move |_| {
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            (failures.get(n).copied().unwrap_or(ok), "{}".to_string())
        })
    }

    /// Answers each request with what `respond` says: a status and a JSON body.
    pub fn serve(respond: impl Fn(&Recorded) -> (u16, String) + Send + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let mut headers = BTreeMap::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                    }
                }
                let len: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                let mut recorded = Recorded {
                    status: 0,
                    path,
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                };
                let (status, answer) = respond(&recorded);
                recorded.status = status;
                s.lock().unwrap().push(recorded);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        Mock { url, seen }
    }

    /// The requests answered with success.
    pub fn delivered(&self) -> Vec<Recorded> {
        self.all()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }

    /// Every request, however it was answered.
    pub fn all(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }
}
