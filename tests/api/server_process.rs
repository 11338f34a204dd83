//! The real `registrar` binary as a child process, for the tests that kill it (SIGKILL,
//! SIGTERM) and so cannot run it inside the test process. It listens on port 0 and
//! reports the bound address in its JSON log line `registrar listening`, which is how the
//! test learns the port. Requests here never panic on a transport error: a killed server
//! is what these tests are about.

use std::io::{BufRead, BufReader};
use std::ops::Deref;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::http_client;

pub struct ServerProcess {
    child: Child,
    pub endpoint: Endpoint,
    log: Arc<Mutex<Vec<String>>>,
    /// Drains stderr; joined by [`ServerProcess::stop`] so no line is missed.
    reader: Option<JoinHandle<()>>,
}

/// Where a server listens, cheap to clone into load tasks that outlive the process.
#[derive(Clone)]
pub struct Endpoint {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub client: reqwest::Client,
}

impl Deref for ServerProcess {
    type Target = Endpoint;

    fn deref(&self) -> &Endpoint {
        &self.endpoint
    }
}

/// What one request got: a status, or the transport error that replaced it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Option<u16>,
    pub retry_after: bool,
    pub body: String,
    /// The transport error, shown in failure messages through `Debug`.
    #[allow(dead_code)]
    pub error: Option<String>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }
}

impl ServerProcess {
    /// `registrar serve --listen 127.0.0.1:0 --log-format json <flags>`, waiting (at most
    /// 30 s) until it listens.
    pub fn start(flags: &[&str]) -> ServerProcess {
        ServerProcess::start_logging(flags, "info")
    }

    /// [`ServerProcess::start`] with `RUST_LOG` set to `filter`.
    pub fn start_logging(flags: &[&str], filter: &str) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_registrar"))
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .args(flags)
            .env("RUST_LOG", filter)
            .env_remove("REDIS_URL")
            .env_remove("REGISTRAR_ISSUER")
            .env_remove("REGISTRAR_METRICS_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("failed to start the registrar binary");
        let stderr = child.stderr.take().expect("piped stderr");
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (found, address) = mpsc::channel();
        // Drains stderr for the whole life of the process, so a chatty server never
        // blocks on a full pipe; the first `registrar listening` line gives the address.
        let reader = std::thread::spawn({
            let log = Arc::clone(&log);
            move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Some(address) = listening_address(&line) {
                        let _ = found.send(address);
                    }
                    log.lock().unwrap_or_else(PoisonError::into_inner).push(line);
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(address) = address.recv_timeout(Duration::from_millis(50)) {
                let address = format!("http://{address}");
                return ServerProcess {
                    child,
                    endpoint: Endpoint { address, client: http_client() },
                    log,
                    reader: Some(reader),
                };
            }
            let exited = child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "registrar did not start ({exited:?}) with {flags:?}; log:\n{}",
                    log.lock().unwrap_or_else(PoisonError::into_inner).join("\n")
                );
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL, like a crash or the OOM killer, and reap it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, as an orchestrator sends to stop a container.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("failed to run kill");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits at most `limit` for the process to exit.
    pub fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// SIGKILL, then every line the process wrote to stderr, up to its end.
    pub fn stop(&mut self) -> Vec<String> {
        self.kill();
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        self.log.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The log lines so far, for failure messages.
    pub fn log(&self) -> String {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).join("\n")
    }
}

impl Endpoint {
    /// A URL the server handed out (whose host is the configured issuer's) mapped onto
    /// this process.
    pub fn local(&self, url: &str) -> String {
        let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("not a URL: {url:?}: {e}"));
        format!("{}{}", self.address, parsed.path())
    }

    /// Any request; `token` becomes `Authorization: Bearer <token>`, `body` is JSON.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Outcome {
        let mut request = self.client.request(method, url);
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body.to_string());
        }
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Outcome::failed(e, started),
        };
        let status = response.status().as_u16();
        let retry_after = response.headers().contains_key("retry-after");
        match response.text().await {
            Ok(body) => Outcome {
                status: Some(status),
                retry_after,
                body,
                error: None,
                elapsed: started.elapsed(),
            },
            Err(e) => Outcome::failed(e, started),
        }
    }

    pub async fn register(&self, body: &Value) -> Outcome {
        let url = format!("{}/oidc/register", self.address);
        self.send(Method::POST, &url, None, Some(body)).await
    }

    /// RFC 7592 read of a client this or another instance registered.
    pub async fn read(&self, rcu: &str, token: &str) -> Outcome {
        self.send(Method::GET, &self.local(rcu), Some(token), None).await
    }
}

impl Outcome {
    fn failed(error: reqwest::Error, started: Instant) -> Outcome {
        Outcome {
            status: None,
            retry_after: false,
            body: String::new(),
            error: Some(format!("{error:?}")),
            elapsed: started.elapsed(),
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The `address` of a JSON log line whose message is `registrar listening`.
fn listening_address(line: &str) -> Option<String> {
    let event: Value = serde_json::from_str(line).ok()?;
    let fields = event.get("fields")?;
    if fields.get("message")?.as_str()? != "registrar listening" {
        return None;
    }
    Some(fields.get("address")?.as_str()?.to_owned())
}
