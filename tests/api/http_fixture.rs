//! A tiny local HTTP/1.1 server for the outbound fetcher's tests (sector identifier
//! files, trusted issuers' JWK Sets): canned responses by path, each optionally delayed,
//! on a random port of 127.0.0.1, with a record of the paths requested. One request per
//! connection (`Connection: close`), which is all the fetcher ever sends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One canned response.
#[derive(Debug, Clone)]
pub struct Canned {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay: Duration,
    content_length: bool,
}

impl Canned {
    /// 200 with `value` as `application/json`.
    pub fn json(value: &Value) -> Canned {
        Canned::raw(200, value.to_string().into_bytes())
    }

    /// Any status with `body` (sent as `application/json`, whatever it holds).
    pub fn raw(status: u16, body: impl Into<Vec<u8>>) -> Canned {
        Canned {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
            content_length: true,
        }
    }

    /// A `302 Found` to `location`.
    pub fn redirect(location: &str) -> Canned {
        let mut canned = Canned::raw(302, Vec::new());
        canned.headers.push(("Location".into(), location.into()));
        canned
    }

    /// Waits `delay` after reading the request before answering.
    pub fn delayed(mut self, delay: Duration) -> Canned {
        self.delay = delay;
        self
    }

    /// No `Content-Length`: the body ends when the connection closes.
    pub fn without_content_length(mut self) -> Canned {
        self.content_length = false;
        self
    }
}

type Routes = Arc<Mutex<HashMap<String, Canned>>>;

pub struct FixtureServer {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    routes: Routes,
    requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FixtureServer {
    /// Listens on a random port; unknown paths answer 404.
    pub async fn start() -> FixtureServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("fixture server: bind");
        let port = listener.local_addr().expect("fixture server: address").port();
        let routes: Routes = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let task = tokio::spawn({
            let routes = Arc::clone(&routes);
            let requests = Arc::clone(&requests);
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let routes = Arc::clone(&routes);
                    let requests = Arc::clone(&requests);
                    tokio::spawn(serve(stream, routes, requests));
                }
            }
        });
        FixtureServer { base: format!("http://127.0.0.1:{port}"), routes, requests, task }
    }

    /// `<base><path>`
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Answers GET `path` with `canned` from now on.
    pub fn set(&self, path: &str, canned: Canned) {
        self.routes.lock().unwrap_or_else(PoisonError::into_inner).insert(path.into(), canned);
    }

    /// The paths requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, routes: Routes, requests: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    requests.lock().unwrap_or_else(PoisonError::into_inner).push(path.clone());
    let canned = routes.lock().unwrap_or_else(PoisonError::into_inner).get(&path).cloned();
    let canned = canned.unwrap_or_else(|| Canned::raw(404, &b"{\"error\":\"not found\"}"[..]));
    tokio::time::sleep(canned.delay).await;
    let mut response = format!("HTTP/1.1 {} {}\r\n", canned.status, reason(canned.status));
    for (name, value) in &canned.headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    if canned.content_length {
        response.push_str(&format!("Content-Length: {}\r\n", canned.body.len()));
    }
    response.push_str("Connection: close\r\n\r\n");
    let mut bytes = response.into_bytes();
    bytes.extend_from_slice(&canned.body);
    // The client may have given up already (oversized or slow answers): ignore errors.
    let _ = stream.write_all(&bytes).await;
    let _ = stream.shutdown().await;
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Whatever",
    }
}
