//! Registrar on a real Redis Cluster (issue 6): three primaries with a replica each, joined
//! by `redis-cli --cluster create`. The registration and RFC 7592 suite, listings merged
//! across the buckets, initial access tokens, rate limits and the audit log all work on it,
//! and a primary failover in the middle of a registration load loses no acknowledged client
//! and answers nothing worse than 503 with `Retry-After`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::admin_helpers::{client_id_of, spawn_admin_app_with, spawn_iat_admin_app_with};
use crate::helpers::{minimal, minimal_with, spawn_app_with, Backend, TestApp, SECRET_KEY};
use crate::lifecycle::a_client_is_discovered_registered_read_updated_and_deleted;
use crate::management_paging::every_client_is_seen_exactly_once_across_the_pages;
use crate::redis_cluster::RedisCluster;

/// Flags that put the application on `url` with its own key prefix, so apps sharing one
/// deployment never see each other's clients.
pub fn redis_flags(url: &str, prefix: &str) -> Vec<String> {
    ["--redis-url", url, "--secret-key", SECRET_KEY, "--redis-prefix", prefix]
        .map(str::to_owned)
        .to_vec()
}

fn with<'a>(base: &'a [String], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().map(String::as_str).chain(extra.iter().copied()).collect()
}

/// Each registration and listing order in the cluster: the merged buckets list clients
/// by creation time, then client_id, as a single sorted set would.
async fn pages_list_clients_in_creation_order_across_buckets(url: &str) {
    // Arrange
    let flags = redis_flags(url, "order:");
    let app = spawn_admin_app_with(Backend::Memory, &with(&flags, &[])).await;
    let mut expected = Vec::new();
    for i in 0..40 {
        let client =
            app.register_ok(&minimal_with(json!({ "client_name": format!("c{i}") }))).await;
        let issued_at = client.body["client_id_issued_at"].as_i64().expect("client_id_issued_at");
        expected.push((issued_at, client.client_id));
    }
    expected.sort();

    // Act
    let mut listed = Vec::new();
    for page in 0..3 {
        let query = format!("fields=client_id&include_totals=true&per_page=15&page={page}");
        let body = app.management_list_ok(&query).await;
        assert_eq!(body["total"], json!(40), "{body:#}");
        listed.extend(body["clients"].as_array().expect("clients").iter().map(client_id_of));
    }

    // Assert
    let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
    assert_eq!(listed, expected, "creation order, then client_id");
}

async fn an_initial_access_token_is_consumed_once(url: &str) {
    // Arrange
    let flags = redis_flags(url, "iat:");
    let app =
        spawn_iat_admin_app_with(Backend::Memory, &with(&flags, &["--registration-mode", "token"]))
            .await;
    let (token, id) = app.create_iat_ok(&json!({ "max_uses": 1 })).await;

    // Act
    let first = app.register_with_token(&token, &minimal()).await;
    let second = app.register_with_token(&token, &minimal()).await;

    // Assert
    first.registered();
    second.assert_status(401);
    let listed = app.list_iats(app.tokens.with(&crate::admin_helpers::IAT_SCOPES)).await;
    listed.assert_status(200);
    let uses = listed
        .json()
        .as_array()
        .and_then(|tokens| tokens.iter().find(|t| t["id"] == json!(id)).map(|t| t["uses"].clone()));
    assert_eq!(uses, Some(json!(1)), "{listed}");
    let revoke = app.revoke_iat(app.tokens.with(&crate::admin_helpers::IAT_SCOPES), &id).await;
    assert!(revoke.status < 300, "{revoke}");
}

async fn registrations_beyond_the_rate_limit_are_refused(url: &str) {
    // Arrange
    let flags = redis_flags(url, "rate:");
    let app =
        spawn_app_with(Backend::Memory, &with(&flags, &["--rate-limit-per-ip", "2/min"])).await;
    app.register_ok(&minimal()).await;
    app.register_ok(&minimal()).await;

    // Act
    let third = app.register(&minimal()).await;

    // Assert
    third.assert_status(429);
    assert!(third.header("retry-after").is_some(), "{third}");
}

async fn registrations_appear_in_the_audit_log(url: &str) {
    // Arrange
    let flags = redis_flags(url, "audit:");
    let app = spawn_admin_app_with(Backend::Memory, &with(&flags, &[])).await;

    // Act
    let client = app.register_ok(&minimal()).await;

    // Assert
    let (_, page) =
        app.logs_when("", |page: &Value| page.to_string().contains(&client.client_id)).await;
    assert!(page.as_array().is_some_and(|events| !events.is_empty()), "{page:#}");
}

#[tokio::test]
async fn the_registration_suite_runs_on_a_redis_cluster() {
    let cluster = RedisCluster::start();
    let url = cluster.url();

    let flags = redis_flags(&url, "lifecycle:");
    let app = spawn_app_with(Backend::Memory, &with(&flags, &[])).await;
    app.get("/readyz").await.assert_status(200);
    a_client_is_discovered_registered_read_updated_and_deleted(app).await;

    let flags = redis_flags(&url, "paging:");
    let app = spawn_admin_app_with(Backend::Memory, &with(&flags, &[])).await;
    every_client_is_seen_exactly_once_across_the_pages(app, 120, 25).await;

    pages_list_clients_in_creation_order_across_buckets(&url).await;
    an_initial_access_token_is_consumed_once(&url).await;
    registrations_beyond_the_rate_limit_are_refused(&url).await;
    registrations_appear_in_the_audit_log(&url).await;
}

/// What one registration attempt during the failover got.
enum Outcome {
    Registered { rcu: String, rat: String },
    Unavailable,
}

/// Registers in a loop until `stop`; panics on anything but 201 or 503 with Retry-After.
async fn register_until(app: Arc<TestApp>, stop: Arc<AtomicBool>) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let reply = app.register(&minimal()).await;
        match reply.status {
            201 => {
                let client = reply.registered();
                outcomes.push(Outcome::Registered { rcu: client.rcu, rat: client.rat });
            }
            503 => {
                assert!(reply.header("retry-after").is_some(), "503 without Retry-After\n{reply}");
                outcomes.push(Outcome::Unavailable);
            }
            _ => panic!("during a failover a registration may only succeed or answer 503\n{reply}"),
        }
    }
    outcomes
}

#[tokio::test]
async fn a_primary_failover_under_load_loses_no_acknowledged_registration() {
    // Arrange
    let cluster = Arc::new(RedisCluster::start());
    let flags = redis_flags(&cluster.url(), "failover:");
    let app = Arc::new(spawn_app_with(Backend::Memory, &with(&flags, &[])).await);
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = JoinSet::new();
    for _ in 0..8 {
        load.spawn(register_until(app.clone(), stop.clone()));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act: switch one primary to its replica while the registrations go on.
    let switch = cluster.clone();
    tokio::task::spawn_blocking(move || {
        let (replica, _) = switch.replica_and_primary();
        switch.fail_over_to(replica);
    })
    .await
    .expect("the failover panicked");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut outcomes = Vec::new();
    while let Some(done) = load.join_next().await {
        outcomes.extend(done.expect("a registration worker panicked"));
    }

    // Assert: every acknowledged client is there, whole.
    let registered: Vec<(String, String)> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Registered { rcu, rat } => Some((rcu.clone(), rat.clone())),
            Outcome::Unavailable => None,
        })
        .collect();
    assert!(registered.len() > 8, "the load registered only {} clients", registered.len());
    for (rcu, rat) in &registered {
        app.get_client(rcu, rat).await.assert_status(200);
    }
    let unavailable = outcomes.len() - registered.len();
    eprintln!("failover: {} registered, {unavailable} answered 503", registered.len());
}
