//! Registrar behind Redis Sentinel (issue 6): clients registered through the Sentinel URL
//! stay readable after `SENTINEL FAILOVER`, and registration goes on against the new
//! primary, with nothing worse than 503 + `Retry-After` while the switch is seen.

use std::time::{Duration, Instant};

use crate::cluster::redis_flags;
use crate::helpers::{minimal, spawn_app_with, Backend, Registered, Reply, TestApp};
use crate::redis_cluster::RedisSentinel;

/// Retries `attempt` while it answers 503 (with Retry-After), for up to 10 s.
async fn through_the_switch<F, Fut>(attempt: F) -> Reply
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Reply>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = attempt().await;
        if reply.status != 503 || Instant::now() > deadline {
            return reply;
        }
        assert!(reply.header("retry-after").is_some(), "503 without Retry-After\n{reply}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn readable(app: &TestApp, client: &Registered) {
    through_the_switch(|| app.get_client(&client.rcu, &client.rat)).await.assert_status(200);
}

#[tokio::test]
async fn clients_survive_a_sentinel_failover_and_registration_goes_on() {
    // Arrange
    let sentinel = RedisSentinel::start();
    let flags = redis_flags(&sentinel.url(), "sentinel:");
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let app = spawn_app_with(Backend::Memory, &flags).await;
    app.get("/readyz").await.assert_status(200);
    let mut clients = Vec::new();
    for _ in 0..5 {
        clients.push(app.register_ok(&minimal()).await);
    }
    for client in &clients {
        readable(&app, client).await;
    }
    // Asynchronous replication: let the replica have every acknowledged write first.
    let caught_up = crate::redis_cluster::wait_for(Duration::from_secs(10), || {
        let offset = |info: String| {
            info.lines()
                .find_map(|l| l.strip_prefix("master_repl_offset:").map(str::to_owned))
                .unwrap_or_default()
        };
        let primary = sentinel.primary.query::<String>(&["INFO", "replication"]).map(offset);
        let replica = sentinel.replica.query::<String>(&["INFO", "replication"]).map(offset);
        matches!((primary, replica), (Ok(p), Ok(r)) if p == r)
    });
    assert!(caught_up, "the replica did not catch up");

    // Act
    let sentinel = tokio::task::spawn_blocking(move || {
        sentinel.fail_over();
        sentinel
    })
    .await
    .expect("the failover panicked");
    let (mut after, body) = (Vec::new(), minimal());
    for _ in 0..5 {
        after.push(through_the_switch(|| app.register(&body)).await.registered());
    }

    // Assert
    assert_eq!(sentinel.primary_port(), sentinel.replica.port, "the replica is the primary now");
    for client in clients.iter().chain(&after) {
        readable(&app, client).await;
    }
}
