//! Cleanup of never-used self-registered clients (issue 5, `--cleanup-unused-after`): a
//! client that never presented its registration access token is removed once old enough,
//! with an audit event; clients that were used, and clients an administrator created,
//! stay. With several instances on one Redis, one sweeps at a time.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::admin_helpers::{spawn_admin_app_with, AdminApp};
use crate::helpers::{assert_invalid_token, minimal, Backend, Registered, REDIRECT_URI};
use crate::redis_server::RedisServer;

const SWEEP_FAST: [&str; 4] = ["--cleanup-unused-after", "1s", "--cleanup-interval", "1s"];

/// Polls until the client is gone from the management API, for up to `limit`.
async fn gone_within(app: &AdminApp, client_id: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if app.management_get(app.tokens.all(), client_id).await.status == 404 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

async fn fixtures(app: &AdminApp) -> (Registered, Registered, Value) {
    let unused = app.register(&minimal()).await.registered();
    let used = app.register(&minimal()).await.registered();
    app.get_client(&used.rcu, &used.rat).await.assert_status(200);
    let created = app
        .management_create_ok(&json!({ "name": "Admin app", "callbacks": [REDIRECT_URI] }))
        .await;
    (unused, used, created)
}

async fn never_used_self_registered_clients_are_removed(backend: Backend<'_>) {
    // Arrange
    let app = spawn_admin_app_with(backend, &SWEEP_FAST).await;
    let (unused, used, created) = fixtures(&app).await;

    // Act
    let removed = gone_within(&app, &unused.client_id, Duration::from_secs(8)).await;

    // Assert
    assert!(removed, "the never-used client should be removed");
    assert_invalid_token(&app.get_client(&unused.rcu, &unused.rat).await);
    app.get_client(&used.rcu, &used.rat).await.assert_status(200);
    let admin_id = created["client_id"].as_str().expect("client_id");
    app.management_get(app.tokens.all(), admin_id).await.assert_status(200);
    let (_, events) = app
        .logs_when("type=sdcc", |events| events.as_array().is_some_and(|list| !list.is_empty()))
        .await;
    assert_eq!(events[0]["client_id"], json!(unused.client_id), "{events:#}");
    assert_eq!(events.as_array().map(Vec::len), Some(1), "only the unused one: {events:#}");
}

async fn without_the_setting_nothing_is_removed(backend: Backend<'_>) {
    let app = spawn_admin_app_with(backend, &[]).await;
    let unused = app.register(&minimal()).await.registered();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    app.management_get(app.tokens.all(), &unused.client_id).await.assert_status(200);
}

on_both_backends!(
    never_used_self_registered_clients_are_removed,
    without_the_setting_nothing_is_removed
);

#[tokio::test]
async fn instances_sharing_redis_sweep_together_without_errors() {
    // Arrange: two instances on one Redis, both sweeping.
    let redis = RedisServer::start();
    let first = spawn_admin_app_with(Backend::Redis(&redis), &SWEEP_FAST).await;
    let second = spawn_admin_app_with(Backend::Redis(&redis), &SWEEP_FAST).await;
    let mut unused = Vec::new();
    for app in [&first, &second] {
        for _ in 0..3 {
            unused.push(app.register(&minimal()).await.registered());
        }
    }
    let used = first.register(&minimal()).await.registered();
    second.get_client(&used.rcu, &used.rat).await.assert_status(200);

    // Act + Assert
    for client in &unused {
        assert!(gone_within(&second, &client.client_id, Duration::from_secs(8)).await);
    }
    first.get_client(&used.rcu, &used.rat).await.assert_status(200);
    let list = first.management_list_ok("include_totals=true").await;
    assert_eq!(list["total"], json!(1), "{list:#}");
}

#[tokio::test]
async fn a_sweep_walks_past_many_pages_of_clients() {
    // Arrange: more clients than one listing page, used and unused mixed, on Redis (whose
    // listing merges several bucket indexes).
    let redis = RedisServer::start();
    let app = spawn_admin_app_with(Backend::Redis(&redis), &SWEEP_FAST).await;
    let mut used = Vec::new();
    for n in 0..260 {
        let client = app.register(&minimal()).await.registered();
        if n % 5 == 0 {
            app.get_client(&client.rcu, &client.rat).await.assert_status(200);
            used.push(client);
        }
    }

    // Act: wait until only the used ones are left.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut total = Value::Null;
    while Instant::now() < deadline {
        total = app.management_list_ok("include_totals=true&per_page=1").await["total"].clone();
        if total == json!(used.len()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Assert
    assert_eq!(total, json!(used.len()), "only the used clients should remain");
    for client in &used {
        app.get_client(&client.rcu, &client.rat).await.assert_status(200);
    }
}
