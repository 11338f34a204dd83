//! The Redis store: persistence, shared state between instances, concurrency, outages,
//! at-rest safety and atomicity (checklist items 13, 71-72 and security pitfalls 4, 7).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use tokio::task::JoinSet;

use crate::helpers::{
    assert_invalid_token, assert_member, merge, minimal, minimal_with, signing_jwks,
    spawn_app_with, update_body_from, Backend, Registered, Reply, TestApp, SECRET_KEY,
};
use crate::redis_server::RedisServer;

/// Instances sharing one Redis sit behind one public name, as in production; the
/// harness maps the `registration_client_uri` back onto each test server.
const ISSUER: &[&str] = &["--issuer", "https://op.example"];

/// A request during an outage: 503 JSON with `Retry-After`, quickly.
#[track_caller]
fn assert_unavailable(reply: &Reply, what: &str) {
    assert!(
        reply.elapsed < Duration::from_secs(5),
        "{what} took {:?}; it must fail fast\n{reply}",
        reply.elapsed
    );
    assert_eq!(reply.status, 503, "{what}: expected 503, never 500\n{reply}");
    reply.assert_json_content_type();
    assert!(reply.json()["error"].is_string(), "{what}: JSON error body\n{reply}");
    assert!(reply.header("retry-after").is_some(), "{what}: Retry-After missing\n{reply}");
}

/// Polls until `probe` answers `status`, for at most `limit`.
async fn wait_for_status<F, Fut>(limit: Duration, status: u16, mut probe: F) -> Reply
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Reply>,
{
    let deadline = Instant::now() + limit;
    loop {
        let reply = probe().await;
        if reply.status == status || Instant::now() > deadline {
            return reply;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn clients_survive_a_restart_of_the_application() {
    // Arrange
    let redis = RedisServer::start();
    let first = spawn_app_with(Backend::Redis(&redis), ISSUER).await;
    let confidential = first.register_ok(&minimal_with(json!({ "client_name": "Kept" }))).await;
    let public =
        first.register_ok(&minimal_with(json!({ "token_endpoint_auth_method": "none" }))).await;
    first.stop().await;

    // Act
    let second = spawn_app_with(Backend::Redis(&redis), ISSUER).await;
    let read_confidential = second.get_client(&confidential.rcu, &confidential.rat).await;
    let read_public = second.get_client(&public.rcu, &public.rat).await;

    // Assert
    read_confidential.assert_status(200);
    assert_eq!(read_confidential.json(), confidential.body, "same client, same secret");
    read_public.assert_status(200);
    assert_eq!(read_public.json(), public.body);
    second.delete_client(&confidential.rcu, &confidential.rat).await.assert_status(204);
}

#[tokio::test]
async fn two_instances_on_one_redis_see_each_others_clients() {
    // Arrange
    let redis = RedisServer::start();
    let a = spawn_app_with(Backend::Redis(&redis), ISSUER).await;
    let b = spawn_app_with(Backend::Redis(&redis), ISSUER).await;
    let client = a.register_ok(&minimal()).await;
    let from_b = b.register_ok(&minimal()).await;

    // Act + Assert: read on B
    let read_on_b = b.get_client(&client.rcu, &client.rat).await;
    read_on_b.assert_status(200);
    assert_eq!(read_on_b.json(), client.body);
    a.get_client(&from_b.rcu, &from_b.rat).await.assert_status(200);

    // Act + Assert: update on B, visible on A
    let update = merge(update_body_from(&client.body), json!({ "client_name": "Updated on B" }));
    b.put_client(&client.rcu, &client.rat, &update).await.assert_status(200);
    let read_on_a = a.get_client(&client.rcu, &client.rat).await;
    read_on_a.assert_status(200);
    assert_member(&read_on_a.json(), "client_name", &json!("Updated on B"));

    // Act + Assert: delete on B, gone on A
    b.delete_client(&client.rcu, &client.rat).await.assert_status(204);
    assert_invalid_token(&a.get_client(&client.rcu, &client.rat).await);
}

#[tokio::test]
async fn a_token_rotated_on_one_instance_is_refused_at_once_by_the_other() {
    // Arrange
    let redis = RedisServer::start();
    let flags = ["--rotate-registration-access-token", "--issuer", "https://op.example"];
    let a = spawn_app_with(Backend::Redis(&redis), &flags).await;
    let b = spawn_app_with(Backend::Redis(&redis), &flags).await;
    let client = a.register_ok(&minimal()).await;
    a.get_client(&client.rcu, &client.rat).await.assert_status(200);

    // Act
    let put = b.put_client(&client.rcu, &client.rat, &update_body_from(&client.body)).await;

    // Assert
    put.assert_status(200);
    let new_rat = put.json()["registration_access_token"].as_str().expect("new token").to_owned();
    assert_invalid_token(&a.get_client(&client.rcu, &client.rat).await);
    a.get_client(&client.rcu, &new_rat).await.assert_status(200);
}

/// The sealed `secret` of the client's stored record.
fn sealed_secret(redis: &RedisServer, client_id: &str) -> String {
    let (_, record) = redis
        .dump()
        .into_iter()
        .find(|(key, _)| key.ends_with(&format!(":{client_id}")))
        .unwrap_or_else(|| panic!("no record for {client_id}"));
    let record: serde_json::Value = serde_json::from_slice(&record).expect("a JSON record");
    record["secret"].as_str().expect("a sealed secret").to_owned()
}

#[tokio::test]
async fn an_update_moves_a_secret_sealed_with_a_retired_key_to_the_current_key() {
    // Arrange: registered under the old at-rest key; the instance comes back with a new
    // key and the old one listed as previous.
    const NEW_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";
    let redis = RedisServer::start();
    let before = spawn_app_with(Backend::Redis(&redis), ISSUER).await;
    let client = before.register_ok(&minimal()).await;
    before.stop().await;
    let url = redis.url();
    let flags = ["--redis-url", &url, "--secret-key", NEW_KEY, "--previous-secret-keys"];
    let after =
        spawn_app_with(Backend::Memory, &[&flags[..], &[SECRET_KEY], ISSUER].concat()).await;
    let sealed_by_old_key = sealed_secret(&redis, &client.client_id);
    let body = update_body_from(&client.body);

    // Act
    let moved = after.put_client(&client.rcu, &client.rat, &body).await;
    let sealed_by_new_key = sealed_secret(&redis, &client.client_id);
    let unchanged = after.put_client(&client.rcu, &client.rat, &body).await;

    // Assert
    moved.assert_status(200);
    unchanged.assert_status(200);
    let key_id = |sealed: &str| sealed.split_once('.').expect("key id").0.to_owned();
    assert_ne!(key_id(&sealed_by_old_key), key_id(&sealed_by_new_key), "not moved to the new key");
    assert_eq!(
        sealed_secret(&redis, &client.client_id),
        sealed_by_new_key,
        "an unchanged secret under the current key is not sealed again"
    );
    for reply in [&moved, &unchanged] {
        assert_eq!(reply.json()["client_secret"].as_str(), client.client_secret.as_deref());
    }
    after.get_client(&client.rcu, &client.rat).await.assert_status(200);
}

#[tokio::test]
async fn two_instances_on_one_redis_serve_the_same_jwks() {
    // Arrange
    let redis = RedisServer::start();
    let a = spawn_app_with(Backend::Redis(&redis), &[]).await;
    let b = spawn_app_with(Backend::Redis(&redis), &[]).await;

    // Act
    let from_a = a.get("/.well-known/jwks.json").await;
    let from_b = b.get("/.well-known/jwks.json").await;
    a.stop().await;
    let c = spawn_app_with(Backend::Redis(&redis), &[]).await;
    let from_c = c.get("/.well-known/jwks.json").await;

    // Assert
    from_a.assert_status(200);
    from_b.assert_status(200);
    from_c.assert_status(200);
    assert_eq!(from_a.json(), from_b.json(), "instances disagree on the signing keys");
    assert_eq!(from_a.json(), from_c.json(), "a new instance published other keys");
}

async fn two_hundred_concurrent_registrations_all_succeed_with_distinct_credentials(app: TestApp) {
    // Arrange
    let app = Arc::new(app);
    let mut tasks = JoinSet::new();

    // Act
    for i in 0..200 {
        let app = Arc::clone(&app);
        tasks.spawn(async move {
            let body = minimal_with(json!({ "client_name": format!("client {i}") }));
            app.register(&body).await
        });
    }
    let mut clients: Vec<Registered> = Vec::new();
    while let Some(reply) = tasks.join_next().await {
        clients.push(reply.expect("task panicked").registered());
    }

    // Assert
    let distinct = |field: fn(&Registered) -> String| -> usize {
        let mut values: Vec<String> = clients.iter().map(field).collect();
        values.sort();
        values.dedup();
        values.len()
    };
    assert_eq!(distinct(|c| c.client_id.clone()), 200, "client_id reused");
    assert_eq!(distinct(|c| c.client_secret.clone().unwrap_or_default()), 200, "secret reused");
    assert_eq!(distinct(|c| c.rat.clone()), 200, "registration_access_token reused");
    for client in clients.iter().step_by(40) {
        let read = app.get_client(&client.rcu, &client.rat).await;
        read.assert_status(200);
        assert_eq!(read.json(), client.body);
    }
}

on_both_stores!(two_hundred_concurrent_registrations_all_succeed_with_distinct_credentials);

#[tokio::test]
async fn a_redis_outage_gives_fast_503s_and_the_app_recovers_when_redis_returns() {
    // Arrange
    let mut redis = RedisServer::start_with_aof();
    let app = spawn_app_with(Backend::Redis(&redis), &[]).await;
    let client = app.register_ok(&minimal()).await;
    redis.stop();

    // Act + Assert: during the outage
    let register = app.register(&minimal()).await;
    assert_unavailable(&register, "registration");
    register.assert_no_store();
    let read = app.get_client(&client.rcu, &client.rat).await;
    assert_unavailable(&read, "read");
    read.assert_no_store();
    let update = app.put_client(&client.rcu, &client.rat, &update_body_from(&client.body)).await;
    assert_unavailable(&update, "update");
    let delete = app.delete_client(&client.rcu, &client.rat).await;
    assert_unavailable(&delete, "delete");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 503, "readyz during the outage\n{ready}");
    assert!(ready.elapsed < Duration::from_secs(5), "readyz hung\n{ready}");
    app.get("/healthz").await.assert_status(200);

    // Act + Assert: Redis returns on the same port with its AOF
    redis.restart();
    let ready = wait_for_status(Duration::from_secs(15), 200, || app.get("/readyz")).await;
    ready.assert_status(200);
    let body = minimal();
    let registered = wait_for_status(Duration::from_secs(15), 201, || app.register(&body)).await;
    registered.assert_status(201);
    let read = app.get_client(&client.rcu, &client.rat).await;
    read.assert_status(200);
    assert_eq!(read.json(), client.body, "a client from before the outage is intact");
}

#[tokio::test]
async fn neither_secrets_nor_access_tokens_are_stored_in_plaintext_and_keys_are_prefixed() {
    // Arrange
    let redis = RedisServer::start();
    let app = spawn_app_with(Backend::Redis(&redis), &["--redis-prefix", "it-rest:"]).await;
    let mut clients = Vec::new();
    for body in [
        minimal(),
        minimal_with(json!({ "token_endpoint_auth_method": "client_secret_post" })),
        minimal_with(json!({ "token_endpoint_auth_method": "client_secret_jwt" })),
        minimal_with(json!({
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": signing_jwks(),
            "id_token_signed_response_alg": "HS256",
        })),
        minimal_with(json!({ "token_endpoint_auth_method": "none" })),
    ] {
        clients.push(app.register_ok(&body).await);
    }
    let updated =
        app.put_client(&clients[0].rcu, &clients[0].rat, &update_body_from(&clients[0].body)).await;
    updated.assert_status(200);

    // Act
    let dump = redis.dump();

    // Assert
    assert!(!dump.is_empty(), "nothing was stored in Redis");
    for (key, value) in &dump {
        assert!(key.starts_with("it-rest:"), "key {key:?} lacks the configured prefix");
        for client in &clients {
            let mut secrets = vec![("registration_access_token", client.rat.as_str())];
            if let Some(secret) = &client.client_secret {
                secrets.push(("client_secret", secret.as_str()));
            }
            for (what, secret) in secrets {
                assert!(!key.contains(secret), "{what} in the key name {key:?}");
                assert!(
                    !contains(value, secret.as_bytes()),
                    "{what} of {} is stored in plaintext under {key:?}",
                    client.client_id
                );
            }
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test]
async fn keys_use_the_default_prefix_without_the_flag() {
    // Arrange
    let redis = RedisServer::start();
    let app = spawn_app_with(Backend::Redis(&redis), &[]).await;

    // Act
    app.register_ok(&minimal()).await;
    let dump = redis.dump();

    // Assert
    assert!(!dump.is_empty());
    for key in dump.keys() {
        assert!(key.starts_with("registrar:"), "key {key:?} lacks the default prefix");
    }
}

#[tokio::test]
async fn two_prefixes_on_one_redis_are_separate_registries() {
    // Arrange
    let redis = RedisServer::start();
    let a = spawn_app_with(Backend::Redis(&redis), &["--redis-prefix", "a:"]).await;
    let b = spawn_app_with(Backend::Redis(&redis), &["--redis-prefix", "b:"]).await;
    let client = a.register_ok(&minimal()).await;

    // Act
    let read_on_b = b.get_client(&client.rcu, &client.rat).await;

    // Assert
    assert_invalid_token(&read_on_b);
    a.get_client(&client.rcu, &client.rat).await.assert_status(200);
}

#[tokio::test]
async fn refused_requests_leave_redis_exactly_as_it_was() {
    // Arrange (checklist item 13)
    let redis = RedisServer::start();
    let app = spawn_app_with(Backend::Redis(&redis), &[]).await;
    let client = app.register_ok(&minimal()).await;
    let before = redis.dump();
    let rcu = app.local(&client.rcu);
    let invalid_registrations = [
        json!({ "redirect_uris": ["https://rp.example/cb#frag"] }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "default_max_age": "60" }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "jwks": { "keys": [{ "kty": "oct", "k": "AAAA" }] } }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "software_statement": "x.y.z" }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "grant_types": ["password"] }),
    ];
    let invalid_update = merge(
        update_body_from(&client.body),
        json!({ "client_name": "Changed", "redirect_uris": ["http://rp.example/cb"] }),
    );

    // Act
    for body in &invalid_registrations {
        let reply = app.register(body).await;
        assert_eq!(reply.status, 400, "{reply}");
    }
    app.register_raw("{", Some("application/json")).await.assert_status(400);
    app.put_client(&client.rcu, &client.rat, &invalid_update).await.assert_status(400);
    app.put_client(&client.rcu, "wrong", &update_body_from(&client.body)).await.assert_status(401);
    app.delete_client(&client.rcu, "wrong").await.assert_status(401);
    app.send(Method::PATCH, &rcu, Some(&client.rat), None).await.assert_status(405);

    // Assert: client data is untouched. The audit stream is left out: refused tokens are
    // audit events by design, and its writer runs in the background.
    let without_audit = |mut dump: std::collections::BTreeMap<String, Vec<u8>>| {
        dump.retain(|key, _| !key.ends_with("audit"));
        dump
    };
    let (before, after) = (without_audit(before), without_audit(redis.dump()));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "keys were added or removed"
    );
    assert!(before == after, "a refused request changed stored data");
}
