//! A private `redis-server` per test: started from `PATH` on a free port in a fresh
//! temporary directory, killed when the value is dropped. No test ever talks to a Redis
//! that someone else left running (style principle 8).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How the server keeps its data on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    /// Memory only (`--appendonly no`): fast, lost on `stop`.
    None,
    /// Append-only file with `appendfsync always`: every acknowledged write survives a kill.
    Aof,
}

pub struct RedisServer {
    port: u16,
    dir: tempfile::TempDir,
    persistence: Persistence,
    child: Option<Child>,
}

impl RedisServer {
    /// A memory-only server.
    pub fn start() -> Self {
        Self::start_with(Persistence::None)
    }

    /// A server that survives `stop` + `restart` with its data (AOF, fsync on every write).
    pub fn start_with_aof() -> Self {
        Self::start_with(Persistence::Aof)
    }

    pub fn start_with(persistence: Persistence) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("registrar-redis-")
            .tempdir()
            .expect("failed to create a temporary directory for redis-server");
        let mut server = RedisServer { port: 0, dir, persistence, child: None };
        // The free port is found by binding and releasing it, so another process can take
        // it in between: try a few ports before giving up.
        let mut last_error = String::new();
        for _ in 0..5 {
            server.port = free_port();
            match server.launch() {
                Ok(()) => return server,
                Err(error) => last_error = error,
            }
        }
        panic!("could not start redis-server: {last_error}");
    }

    /// `redis://127.0.0.1:<port>/`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (SIGKILL, like a crash) and keeps its directory for `restart`.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port with the same directory.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.launch() {
                Ok(()) => return,
                Err(error) if Instant::now() > deadline => {
                    panic!("could not restart redis-server on port {}: {error}", self.port)
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// A synchronous connection for inspecting what the application stored.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|client| client.get_connection())
            .expect("failed to connect to the test redis-server")
    }

    /// Every key with its whole content (strings, hashes, sets, lists, sorted sets), as raw
    /// bytes, so that tests can look for plaintext secrets anywhere in the store.
    pub fn dump(&self) -> BTreeMap<String, Vec<u8>> {
        let mut con = self.connection();
        let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut con).expect("KEYS failed");
        let mut out = BTreeMap::new();
        for key in keys {
            let kind: String = redis::cmd("TYPE").arg(&key).query(&mut con).expect("TYPE");
            let parts: Vec<Vec<u8>> = match kind.as_str() {
                "string" => vec![redis::cmd("GET").arg(&key).query(&mut con).expect("GET")],
                "hash" => redis::cmd("HGETALL").arg(&key).query(&mut con).expect("HGETALL"),
                "set" => {
                    let mut members: Vec<Vec<u8>> =
                        redis::cmd("SMEMBERS").arg(&key).query(&mut con).expect("SMEMBERS");
                    members.sort();
                    members
                }
                "list" => {
                    redis::cmd("LRANGE").arg(&key).arg(0).arg(-1).query(&mut con).expect("LRANGE")
                }
                "zset" => redis::cmd("ZRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .query(&mut con)
                    .expect("ZRANGE"),
                "none" => continue, // expired or deleted between KEYS and TYPE
                other => vec![format!("<{other}>").into_bytes()],
            };
            out.insert(key, parts.join(&b'\n'));
        }
        out
    }

    fn launch(&mut self) -> Result<(), String> {
        let binary = find_on_path("redis-server").ok_or_else(|| {
            "redis-server not found on PATH; install Redis (e.g. apt-get install redis-server)"
                .to_owned()
        })?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("redis.log"))
            .map_err(|e| e.to_string())?;
        let mut command = Command::new(binary);
        command
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--bind")
            .arg("127.0.0.1")
            .arg("--save")
            .arg("")
            .arg("--dir")
            .arg(self.dir.path())
            .arg("--daemonize")
            .arg("no");
        match self.persistence {
            Persistence::None => command.args(["--appendonly", "no"]),
            Persistence::Aof => command.args(["--appendonly", "yes", "--appendfsync", "always"]),
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("failed to spawn redis-server: {e}"))?;
        self.child = Some(child);
        self.wait_until_ready()
    }

    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        while Instant::now() < deadline {
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(format!(
                        "redis-server exited early with {status}; log: {}",
                        self.log_tail()
                    ));
                }
            }
            let pid = self.child.as_ref().map(Child::id);
            if ping(address) && pid.is_some_and(|pid| is_ours(address, pid)) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.stop();
        Err(format!("redis-server did not answer PING within 10s; log: {}", self.log_tail()))
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Raw RESP `PING`: true once the server answers `+PONG` (not `-LOADING`).
pub fn ping(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 64];
    matches!(stream.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
}

/// True when the server on `address` is the process we started (`INFO server` carries
/// its pid), so a stray redis-server that grabbed the port is never used by mistake.
fn is_ours(address: SocketAddr, pid: u32) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"INFO server\r\n").is_err() {
        return false;
    }
    let needle = format!("process_id:{pid}\r\n");
    let mut reply = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
        if String::from_utf8_lossy(&reply).contains(&needle) {
            return true;
        }
        if reply.len() > 64 * 1024 {
            break;
        }
    }
    false
}

pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("failed to find a free port")
}

pub fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}
