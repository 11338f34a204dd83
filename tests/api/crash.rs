//! Crash safety and durability (issue 6): the real binary SIGKILLed during a registration
//! load, Redis SIGKILLed during a load (AOF, `appendfsync always`), SIGTERM with a request
//! in flight, and three instances sharing one Redis. "Acknowledged" means the client got
//! a 201: every such client must be readable afterwards, and Redis must hold exactly the
//! clients its listing index names.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::admin_helpers::{spawn_admin_app_with, AdminApp};
use crate::helpers::{minimal_with, spawn_app_with, Backend, Registered, TestApp, SECRET_KEY};
use crate::http_fixture::{Canned, FixtureServer};
use crate::redis_server::RedisServer;
use crate::server_process::{Endpoint, Outcome, ServerProcess};

/// Every instance serves one public name, so a client registered on one is read on any.
const ISSUER: &str = "https://op.example";
/// The default key prefix (`--redis-prefix`), as in src/store/redis.rs.
const PREFIX: &str = "registrar:";

/// `serve` flags for a server on `redis`, then `extra`.
fn redis_flags(redis: &RedisServer, extra: &[&str]) -> Vec<String> {
    let mut flags = vec![
        "--redis-url".to_owned(),
        redis.url(),
        format!("--secret-key={SECRET_KEY}"),
        "--issuer".to_owned(),
        ISSUER.to_owned(),
    ];
    flags.extend(extra.iter().map(|flag| (*flag).to_owned()));
    flags
}

fn start_on(redis: &RedisServer, extra: &[&str]) -> ServerProcess {
    let flags = redis_flags(redis, extra);
    ServerProcess::start(&flags.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Tasks registering one client after another until `finish`, each keeping every outcome.
struct Load {
    stop: Arc<AtomicBool>,
    tasks: JoinSet<Vec<(Instant, Outcome)>>,
}

impl Load {
    fn start(endpoint: &Endpoint, tasks: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let mut set = JoinSet::new();
        for task in 0..tasks {
            let (endpoint, stop) = (endpoint.clone(), Arc::clone(&stop));
            set.spawn(async move {
                let mut outcomes = Vec::new();
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let body = minimal_with(json!({ "client_name": format!("load {task}/{n}") }));
                    let started = Instant::now();
                    let outcome = endpoint.register(&body).await;
                    if outcome.status.is_none() {
                        // The server is gone: do not spin on refused connections.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    outcomes.push((started, outcome));
                }
                outcomes
            });
        }
        Load { stop, tasks: set }
    }

    /// Stops the tasks and returns every outcome with the time its request was sent.
    async fn finish(mut self) -> Vec<(Instant, Outcome)> {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        while let Some(outcomes) = self.tasks.join_next().await {
            all.extend(outcomes.expect("a load task panicked"));
        }
        all
    }
}

/// The registrations that got a 201, as the client saw them.
fn acknowledged(outcomes: &[(Instant, Outcome)]) -> Vec<(String, String, Value)> {
    outcomes
        .iter()
        .filter(|(_, o)| o.status == Some(201))
        .map(|(_, o)| {
            let body = o.json().unwrap_or_else(|| panic!("a 201 without JSON: {o:?}"));
            let text = |name: &str| body[name].as_str().expect(name).to_owned();
            (text("registration_client_uri"), text("registration_access_token"), body)
        })
        .collect()
}

/// Reads every client through RFC 7592 on `endpoint`, 16 at a time: each must answer 200
/// with exactly what its registration returned (same client_id, same secret).
async fn assert_all_readable(endpoint: &Endpoint, clients: Vec<(String, String, Value)>) {
    let queue = Arc::new(std::sync::Mutex::new(clients));
    let mut readers = JoinSet::new();
    for _ in 0..16 {
        let (endpoint, queue) = (endpoint.clone(), Arc::clone(&queue));
        readers.spawn(async move {
            loop {
                let next = queue.lock().expect("queue").pop();
                let Some((rcu, rat, registered)) = next else { return };
                // A worker whose Redis connection sat idle through the restart may answer
                // 503 for a moment while it reconnects; lost means not there once it has.
                let mut read = endpoint.read(&rcu, &rat).await;
                for _ in 0..20 {
                    if read.status != Some(503) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    read = endpoint.read(&rcu, &rat).await;
                }
                assert_eq!(read.status, Some(200), "acknowledged client {rcu} is lost: {read:?}");
                assert_eq!(read.json(), Some(registered), "client {rcu} changed: {read:?}");
            }
        });
    }
    while let Some(done) = readers.join_next().await {
        done.expect("a reader panicked");
    }
}

/// The client IDs with a key of their own and the IDs in the listing index, which must be
/// the same set: no orphan key, no dangling index entry.
fn assert_keys_match_the_index(redis: &RedisServer) -> BTreeSet<String> {
    let mut con = redis.connection();
    let mut keys = |pattern: String| -> Vec<String> {
        redis::cmd("KEYS").arg(pattern).query(&mut con).expect("KEYS failed")
    };
    // `{PREFIX}client:{<bucket tag>}:<id>` and one index `{PREFIX}clients:{<bucket tag>}`
    // per bucket (src/store/layout.rs).
    let stored: BTreeSet<String> = keys(format!("{PREFIX}client:*"))
        .iter()
        .map(|key| {
            let id =
                key.strip_prefix(&format!("{PREFIX}client:{{")).and_then(|k| k.split_once("}:"));
            id.unwrap_or_else(|| panic!("unexpected client key {key:?}")).1.to_owned()
        })
        .collect();
    let mut indexed = BTreeSet::new();
    for index in keys(format!("{PREFIX}clients:*")) {
        let members: Vec<String> = redis::cmd("ZRANGE")
            .arg(&index)
            .arg(0)
            .arg(-1)
            .query(&mut redis.connection())
            .expect("ZRANGE failed");
        indexed.extend(members);
    }
    let orphans: Vec<_> = stored.difference(&indexed).collect();
    let dangling: Vec<_> = indexed.difference(&stored).collect();
    assert!(orphans.is_empty(), "client keys missing from the index: {orphans:?}");
    assert!(dangling.is_empty(), "index entries without a client: {dangling:?}");
    stored
}

/// An admin token from `registrar token`, signed with the keys the servers keep in Redis.
fn admin_token(redis: &RedisServer, scope: &str) -> String {
    let flags = redis_flags(redis, &[]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["token", "--scope", scope])
        .args(&flags)
        .env_remove("REDIS_URL")
        .output()
        .expect("failed to run registrar token");
    assert!(
        output.status.success(),
        "registrar token: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("token is UTF-8").trim().to_owned()
}

/// Every client the management API lists, page by page: each record is decoded (and its
/// secret unsealed) by the server, so a half-written record would fail the page.
async fn list_every_client(endpoint: &Endpoint, token: &str) -> (BTreeSet<String>, u64) {
    let (mut ids, mut total) = (BTreeSet::new(), 0);
    for page in 0.. {
        let url = format!(
            "{}/api/v2/clients?per_page=100&page={page}&include_totals=true",
            endpoint.address
        );
        let reply = endpoint.send(Method::GET, &url, Some(token), None).await;
        assert_eq!(reply.status, Some(200), "listing page {page}: {reply:?}");
        let body = reply.json().expect("listing JSON");
        total = body["total"].as_u64().expect("total");
        let clients = body["clients"].as_array().expect("clients");
        ids.extend(clients.iter().map(|c| c["client_id"].as_str().expect("client_id").to_owned()));
        if clients.is_empty() || ids.len() as u64 >= total {
            break;
        }
    }
    (ids, total)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_registrations_leaves_every_acknowledged_client_whole() {
    // Arrange
    let redis = RedisServer::start();
    let mut server = start_on(&redis, &[]);
    let load = Load::start(&server.endpoint, 16);
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // Act: SIGKILL mid-load, then a new process on the same Redis
    server.kill();
    let outcomes = load.finish().await;
    let restarted = start_on(&redis, &[]);

    // Assert
    let clients = acknowledged(&outcomes);
    assert!(clients.len() >= 16, "too few registrations before the kill: {}", clients.len());
    let cut_off = outcomes.iter().filter(|(_, o)| o.status.is_none()).count();
    assert!(cut_off > 0, "the kill did not interrupt the load");
    let acknowledged_ids: BTreeSet<String> =
        clients.iter().map(|(_, _, body)| body["client_id"].as_str().unwrap().to_owned()).collect();
    assert_all_readable(&restarted, clients).await;
    let stored = assert_keys_match_the_index(&redis);
    assert!(stored.is_superset(&acknowledged_ids), "an acknowledged client has no key");
    let (listed, total) = list_every_client(&restarted, &admin_token(&redis, "read:clients")).await;
    assert_eq!(total, stored.len() as u64, "listing total differs from the stored clients");
    assert_eq!(listed, stored, "the listing does not read back every stored client");
}

/// `--redis-timeout-ms` of the Redis restart test.
const REDIS_TIMEOUT_MS: u64 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_during_registrations_gives_503s_then_recovers_without_losing_a_client() {
    // Arrange: AOF with `appendfsync always`, and a short Redis timeout
    let mut redis = RedisServer::start_with_aof();
    let mut server = start_on(&redis, &["--redis-timeout-ms", &REDIS_TIMEOUT_MS.to_string()]);
    let load = Load::start(&server.endpoint, 8);
    tokio::time::sleep(Duration::from_millis(1000)).await;

    // Act: Redis dies (SIGKILL) and comes back on the same port and directory
    tokio::task::block_in_place(|| redis.stop());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    tokio::task::block_in_place(|| redis.restart());
    let back = Instant::now();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let outcomes = load.finish().await;

    // Assert: every answer is a 201 or a 503 with Retry-After within the Redis timeout
    // (plus slack for a busy machine: a reconnect with retries and back-off once took
    // 540 ms here whatever the timeout); never a 500, never a hang.
    let fail_fast = Duration::from_millis(REDIS_TIMEOUT_MS + 300);
    for (_, outcome) in &outcomes {
        match outcome.status {
            Some(201) => {}
            Some(503) => {
                assert!(outcome.retry_after, "503 without Retry-After: {outcome:?}");
                assert!(outcome.json().is_some_and(|b| b["error"].is_string()), "{outcome:?}");
                assert!(outcome.elapsed < fail_fast, "503 outlasted the timeout: {outcome:?}");
            }
            _ => panic!("expected 201 or 503 during a Redis restart: {outcome:?}"),
        }
        assert!(outcome.elapsed < Duration::from_secs(3), "request hung: {outcome:?}");
    }
    let unavailable = outcomes.iter().filter(|(_, o)| o.status == Some(503)).count();
    assert!(unavailable > 0, "no request saw the outage");
    let after = outcomes.iter().filter(|(at, o)| *at > back && o.status == Some(201)).count();
    assert!(after > 0, "no registration succeeded after Redis came back\n{}", server.log());
    assert!(server.is_running(), "the server must recover without a restart");
    let clients = acknowledged(&outcomes);
    assert_all_readable(&server, clients).await;
    assert_keys_match_the_index(&redis);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_the_request_in_flight_finish_refuses_new_connections_and_exits_0() {
    // Arrange: a registration that waits 2 s on its sector_identifier_uri
    let redirect = "https://rp.example/cb";
    let fixture = FixtureServer::start().await;
    fixture.set("/sector.json", Canned::json(&json!([redirect])).delayed(Duration::from_secs(2)));
    let mut server =
        ServerProcess::start(&["--fetch-allow-http", "--fetch-allow-hosts", "127.0.0.1"]);
    let body = json!({
        "redirect_uris": [redirect],
        "subject_type": "pairwise",
        "sector_identifier_uri": fixture.url("/sector.json"),
    });
    let in_flight = tokio::spawn({
        let endpoint = server.endpoint.clone();
        async move { endpoint.register(&body).await }
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while fixture.requests().is_empty() {
        assert!(Instant::now() < deadline, "the registration never reached the fetch");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Act
    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let port = server.address.rsplit(':').next().expect("port").to_owned();
    let new_connection = tokio::net::TcpStream::connect(format!("127.0.0.1:{port}")).await;
    let reply = in_flight.await.expect("the request task panicked");
    let exit = tokio::task::block_in_place(|| server.wait_for_exit(Duration::from_secs(15)));

    // Assert
    assert!(new_connection.is_err(), "a new connection was accepted during shutdown");
    assert_eq!(reply.status, Some(201), "the request in flight was cut off: {reply:?}");
    assert!(reply.elapsed >= Duration::from_secs(2), "the fetch did not wait: {reply:?}");
    let exit = exit.unwrap_or_else(|| panic!("no exit within 15 s\n{}", server.log()));
    assert!(exit.success(), "exit status {exit:?}\n{}", server.log());
}

/// Registrations in the three-instance test, and how many requests run at once.
const SPREAD: usize = 3000;
const CONCURRENCY: usize = 24;

/// Runs `job(i)` for every `i` in `0..count`, `CONCURRENCY` at a time.
async fn for_each_bounded<T, F, Fut>(count: usize, job: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send,
{
    let (next, job) = (Arc::new(AtomicUsize::new(0)), Arc::new(job));
    let mut workers = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (next, job) = (Arc::clone(&next), Arc::clone(&job));
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return done;
                }
                done.push((i, job(i).await));
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(done) = workers.join_next().await {
        all.extend(done.expect("a worker panicked"));
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_on_one_redis_each_find_all_3000_clients() {
    // Arrange
    let redis = RedisServer::start();
    let issuer = ["--issuer", ISSUER];
    let AdminApp { app: first, tokens, .. } =
        spawn_admin_app_with(Backend::Redis(&redis), &issuer).await;
    let second = spawn_app_with(Backend::Redis(&redis), &issuer).await;
    let third = spawn_app_with(Backend::Redis(&redis), &issuer).await;
    let apps: Arc<[TestApp; 3]> = Arc::new([first, second, third]);

    // Act: registrations spread round-robin, then every client read on every instance
    let clients: Arc<Vec<Registered>> = Arc::new(
        for_each_bounded(SPREAD, {
            let apps = Arc::clone(&apps);
            move |i| {
                let apps = Arc::clone(&apps);
                async move {
                    let body = minimal_with(json!({ "client_name": format!("spread {i}") }));
                    apps[i % 3].register_ok(&body).await
                }
            }
        })
        .await,
    );
    let reads = for_each_bounded(SPREAD * 3, {
        let (apps, clients) = (Arc::clone(&apps), Arc::clone(&clients));
        move |i| {
            let (apps, clients) = (Arc::clone(&apps), Arc::clone(&clients));
            async move {
                let client = &clients[i / 3];
                let reply = apps[i % 3].get_client(&client.rcu, &client.rat).await;
                (reply.status == 200 && reply.json() == client.body).then_some(()).ok_or(reply)
            }
        }
    })
    .await;

    // Assert
    let ids: BTreeSet<&str> = clients.iter().map(|c| c.client_id.as_str()).collect();
    assert_eq!(ids.len(), SPREAD, "client_id reused across instances");
    let missed: Vec<_> = reads.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(missed.is_empty(), "{} reads failed; first:\n{}", missed.len(), missed[0]);
    for app in apps.iter() {
        let url = format!("{}/api/v2/clients?per_page=1&include_totals=true", app.address);
        let list = app.send(Method::GET, &url, Some(tokens.all()), None).await;
        list.assert_status(200);
        assert_eq!(list.json()["total"], json!(SPREAD), "listing total on {}", app.address);
    }
}
