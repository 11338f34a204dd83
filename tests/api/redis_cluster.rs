//! Private Redis deployments for the scale-out tests, each in its own temporary directory
//! and killed on drop: a Redis Cluster of three primaries with one replica each, and a
//! Sentinel setup (one primary, one replica, one Sentinel).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::redis_server::{find_on_path, free_port, ping};

/// How long a deployment may take to form or to fail over.
const PATIENCE: Duration = Duration::from_secs(30);

/// One `redis-server` process; killed on drop.
pub struct Node {
    pub port: u16,
    child: Child,
}

impl Node {
    /// Starts `redis-server <config args…>` on a free port with its data in `dir`.
    fn start(dir: &Path, args: &[&str]) -> Node {
        let binary = find_on_path("redis-server").expect("redis-server is not on PATH");
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            let node_dir = dir.join(port.to_string());
            std::fs::create_dir_all(&node_dir).expect("node directory");
            let log = std::fs::File::create(node_dir.join("redis.log")).expect("log file");
            let mut command = Command::new(&binary);
            command.args(args);
            command.args(["--port", &port.to_string(), "--bind", "127.0.0.1"]);
            command.args(["--save", "", "--appendonly", "no", "--daemonize", "no"]);
            command.arg("--dir").arg(&node_dir);
            let child = command
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log file"))
                .stderr(log)
                .spawn()
                .expect("failed to spawn redis-server");
            let mut node = Node { port, child };
            if wait_for(Duration::from_secs(5), || ping(node.address())) {
                return node;
            }
            let _ = node.child.kill();
            last_error = std::fs::read_to_string(node_dir.join("redis.log")).unwrap_or_default();
        }
        panic!("could not start redis-server {args:?}: {last_error}");
    }

    fn address(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(format!("redis://127.0.0.1:{}/", self.port))
            .and_then(|client| client.get_connection())
            .unwrap_or_else(|e| panic!("cannot connect to redis-server on {}: {e}", self.port))
    }

    /// The reply of a command given as words, e.g. `["CLUSTER", "INFO"]`.
    pub fn query<T: redis::FromRedisValue>(&self, words: &[&str]) -> redis::RedisResult<T> {
        let mut cmd = redis::cmd(words[0]);
        for word in &words[1..] {
            cmd.arg(*word);
        }
        cmd.query(&mut self.connection())
    }

    /// `master` or `slave` (or `sentinel`), from `ROLE`.
    pub fn role(&self) -> String {
        let role: Vec<redis::Value> = self.query(&["ROLE"]).unwrap_or_default();
        match role.first() {
            Some(redis::Value::BulkString(bytes)) => String::from_utf8_lossy(bytes).into_owned(),
            Some(redis::Value::SimpleString(text)) => text.clone(),
            _ => String::new(),
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `ready` every 50 ms until it holds (true) or `patience` runs out (false).
pub fn wait_for(patience: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

pub struct RedisCluster {
    pub nodes: Vec<Node>,
    _dir: tempfile::TempDir,
}

impl RedisCluster {
    /// Three primaries, each with one replica, joined with `redis-cli --cluster create`;
    /// returns once every node reports `cluster_state:ok`.
    pub fn start() -> RedisCluster {
        let dir = tempdir("registrar-cluster-");
        let args = [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "2000",
        ];
        let nodes: Vec<Node> = (0..6).map(|_| Node::start(dir.path(), &args)).collect();
        let cli = find_on_path("redis-cli").expect("redis-cli is not on PATH");
        let mut create = Command::new(cli);
        create.args(["--cluster", "create"]);
        create.args(nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)));
        create.args(["--cluster-replicas", "1", "--cluster-yes"]);
        let output = create.output().expect("failed to run redis-cli --cluster create");
        assert!(output.status.success(), "redis-cli --cluster create failed: {output:?}");
        let cluster = RedisCluster { nodes, _dir: dir };
        cluster.wait_until_ok();
        cluster
    }

    /// `redis+cluster://` with every node as a seed.
    pub fn url(&self) -> String {
        let seeds: Vec<String> =
            self.nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
        format!("redis+cluster://{}/", seeds.join(","))
    }

    fn wait_until_ok(&self) {
        let ok = wait_for(PATIENCE, || {
            self.nodes.iter().all(|node| {
                node.query::<String>(&["CLUSTER", "INFO"])
                    .is_ok_and(|info| info.contains("cluster_state:ok"))
            }) && self.nodes.iter().filter(|n| n.role() == "master").count() == 3
        });
        assert!(ok, "the cluster did not reach cluster_state:ok within {PATIENCE:?}");
    }

    /// A replica and the primary it replicates.
    pub fn replica_and_primary(&self) -> (&Node, &Node) {
        let replica = self.nodes.iter().find(|n| n.role() == "slave").expect("no replica");
        let role: Vec<redis::Value> = replica.query(&["ROLE"]).expect("ROLE");
        let primary_port = match role.get(2) {
            Some(redis::Value::Int(port)) => *port as u16,
            other => panic!("unexpected ROLE reply from a replica: {other:?}"),
        };
        let primary = self.nodes.iter().find(|n| n.port == primary_port).expect("its primary");
        (replica, primary)
    }

    /// `CLUSTER FAILOVER` on `replica` (a coordinated switch: the primary stops taking
    /// writes until the replica has them all); returns once it is primary and the cluster ok.
    pub fn fail_over_to(&self, replica: &Node) {
        // A manual failover gives up silently after 5 s when the replica cannot catch up
        // in time (a loaded machine): ask again until it goes through.
        let deadline = Instant::now() + PATIENCE;
        let mut promoted = false;
        while !promoted && Instant::now() < deadline {
            let reply: String = replica.query(&["CLUSTER", "FAILOVER"]).expect("CLUSTER FAILOVER");
            assert_eq!(reply, "OK");
            promoted = wait_for(Duration::from_secs(7), || replica.role() == "master");
        }
        assert!(promoted, "replica {} was not promoted within {PATIENCE:?}", replica.port);
        self.wait_until_ok();
    }
}

pub struct RedisSentinel {
    pub primary: Node,
    pub replica: Node,
    pub sentinel: Node,
    _dir: tempfile::TempDir,
}

/// The master name the Sentinel watches.
pub const MASTER: &str = "registrar-primary";

impl RedisSentinel {
    /// A primary, a replica in sync with it, and one Sentinel that knows both.
    pub fn start() -> RedisSentinel {
        let dir = tempdir("registrar-sentinel-");
        let primary = Node::start(dir.path(), &[]);
        let port = primary.port.to_string();
        let replica = Node::start(dir.path(), &["--replicaof", "127.0.0.1", &port]);
        let synced = wait_for(PATIENCE, || {
            replica
                .query::<String>(&["INFO", "replication"])
                .is_ok_and(|info| info.contains("master_link_status:up"))
        });
        assert!(synced, "the replica did not sync within {PATIENCE:?}");
        let config = dir.path().join("sentinel.conf");
        let text = format!(
            "sentinel monitor {MASTER} 127.0.0.1 {port} 1\n\
             sentinel down-after-milliseconds {MASTER} 2000\n\
             sentinel failover-timeout {MASTER} 10000\n"
        );
        std::fs::write(&config, text).expect("sentinel.conf");
        let config = config.to_str().expect("a UTF-8 temporary path").to_owned();
        // redis-server takes the config file first, then --sentinel and overrides.
        let sentinel = Node::start(dir.path(), &[&config, "--sentinel"]);
        let knows_replica = wait_for(PATIENCE, || {
            sentinel
                .query::<Vec<redis::Value>>(&["SENTINEL", "REPLICAS", MASTER])
                .is_ok_and(|replicas| !replicas.is_empty())
        });
        assert!(knows_replica, "the Sentinel did not discover the replica within {PATIENCE:?}");
        RedisSentinel { primary, replica, sentinel, _dir: dir }
    }

    pub fn url(&self) -> String {
        format!("redis+sentinel://127.0.0.1:{}/{MASTER}", self.sentinel.port)
    }

    /// The port the Sentinel currently names as the primary's.
    pub fn primary_port(&self) -> u16 {
        let (_, port): (String, String) = self
            .sentinel
            .query(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER])
            .expect("SENTINEL GET-MASTER-ADDR-BY-NAME");
        port.parse().expect("a port")
    }

    /// `SENTINEL FAILOVER`; returns once the replica is the primary the Sentinel names.
    pub fn fail_over(&self) {
        let reply: String =
            self.sentinel.query(&["SENTINEL", "FAILOVER", MASTER]).expect("SENTINEL FAILOVER");
        assert_eq!(reply, "OK");
        let switched = wait_for(PATIENCE, || {
            self.primary_port() == self.replica.port && self.replica.role() == "master"
        });
        assert!(switched, "the Sentinel did not fail over within {PATIENCE:?}");
    }
}

fn tempdir(prefix: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().expect("a temporary directory")
}
