//! A private `redis-server` for the audit log's unit tests: started from `PATH` on a free
//! port in a fresh temporary directory, memory only, killed on drop. (The integration
//! suite has a fuller harness in `tests/api/redis_server.rs`; unit tests cannot reach it.)

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct RedisServer {
    port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl RedisServer {
    /// Panics with an explanation when `redis-server` is not installed.
    pub(crate) fn start() -> RedisServer {
        let dir = tempfile::Builder::new()
            .prefix("registrar-audit-redis-")
            .tempdir()
            .expect("failed to create a temporary directory for redis-server");
        let mut server = RedisServer { port: 0, dir, child: None };
        // A port found free can be taken before redis-server binds it: try a few.
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

    pub(crate) fn client(&self) -> redis::Client {
        redis::Client::open(format!("redis://127.0.0.1:{}/", self.port))
            .expect("a valid redis:// URL")
    }

    /// The connection the log under test writes through.
    pub(crate) fn log_connection(&self) -> crate::store::connection::RedisConnection {
        let topology = crate::store::topology::RedisTopology::Standalone {
            url: format!("redis://127.0.0.1:{}/", self.port),
        };
        let timeouts = crate::store::connection::Timeouts {
            connect: Duration::from_secs(2),
            response: Duration::from_secs(2),
        };
        crate::store::connection::Connector::new(&topology, timeouts)
            .and_then(|connector| connector.connect_lazy(timeouts))
            .expect("a valid redis:// URL")
    }

    /// A blocking connection for looking at what the log wrote.
    pub(crate) fn connection(&self) -> redis::Connection {
        self.client().get_connection().expect("failed to connect to the test redis-server")
    }

    /// SIGKILL, like a crash. Memory only, so the data goes with it.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again, empty, on the same port.
    pub(crate) fn restart(&mut self) {
        self.kill();
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

    fn launch(&mut self) -> Result<(), String> {
        let binary = find_on_path("redis-server").unwrap_or_else(|| {
            panic!(
                "redis-server is not on PATH: the audit log's Redis tests start their own \
                 server; install Redis (e.g. `apt-get install redis-server`)"
            )
        });
        let log =
            std::fs::File::create(self.dir.path().join("redis.log")).map_err(|e| e.to_string())?;
        let child = Command::new(binary)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("failed to spawn redis-server: {e}"))?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                let log = std::fs::read_to_string(self.dir.path().join("redis.log"));
                return Err(format!(
                    "redis-server exited with {status}: {}",
                    log.unwrap_or_default()
                ));
            }
            if ping(self.port) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.kill();
        Err("redis-server did not answer PING within 10s".to_owned())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Raw RESP `PING`: true once the server answers `+PONG`.
fn ping(port: u16) -> bool {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 16];
    matches!(stream.read(&mut buf), Ok(n) if buf[..n].starts_with(b"+PONG"))
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("failed to find a free port")
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(name)).find(|path| path.is_file())
}
