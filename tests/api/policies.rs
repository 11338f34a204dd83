//! Registration policies (issue 5): named rules from `--policies`, applied to anonymous
//! registrations and to registrations with an initial access token that names a policy,
//! at registration and again at RFC 7592 update; client limits in total and per source
//! address, held across concurrent registrations and given back on deletion.

use std::io::Write;
use std::process::Command;

use serde_json::{json, Value};

use crate::admin_helpers::{spawn_iat_admin_app_with, AdminApp};
use crate::helpers::{
    assert_oauth_error, minimal_with, update_body_from, Backend, Reply, REDIRECT_URI,
};
use crate::redis_server::RedisServer;

/// Anonymous registrations may only call back to `rp.example` hosts, use the code flow,
/// authenticate with a key or not at all, and ask for `openid profile`; at most two
/// clients per source address. Partners (with a token) are first-party and unrestricted
/// in hosts, but capped at three clients.
fn policy_file() -> Value {
    json!({
        "anonymous": "public",
        "policies": {
            "public": {
                "description": "self-service sign-up",
                "redirect_hosts": ["rp.example", "*.apps.rp.example"],
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_methods": ["none", "private_key_jwt", "client_secret_basic"],
                "scopes": ["openid", "profile"],
                "max_clients_per_ip": 2
            },
            "partners": {
                "first_party": true,
                "max_clients": 3
            }
        }
    })
}

struct PolicyApp {
    app: AdminApp,
    /// Kept until the test ends: the server read it at start.
    _file: tempfile::NamedTempFile,
}

async fn spawn_with_policies(backend: Backend<'_>, policies: &Value) -> PolicyApp {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(policies.to_string().as_bytes()).expect("write policies");
    let path = file.path().to_str().expect("utf-8 path").to_owned();
    let flags = ["--policies", &path, "--trusted-proxies", "127.0.0.1"];
    PolicyApp { app: spawn_iat_admin_app_with(backend, &flags).await, _file: file }
}

async fn register_from(app: &AdminApp, ip: &str, body: &Value) -> Reply {
    app.register_with_headers(&[("X-Forwarded-For", ip)], body).await
}

async fn anonymous_redirects_must_point_at_allowed_hosts(backend: Backend<'_>) {
    // Arrange
    let PolicyApp { app, _file } = spawn_with_policies(backend, &policy_file()).await;

    // Act + Assert
    for allowed in [REDIRECT_URI, "https://eu.apps.rp.example/cb"] {
        app.register(&minimal_with(json!({ "redirect_uris": [allowed] }))).await.registered();
    }
    let refused =
        app.register(&minimal_with(json!({ "redirect_uris": ["https://evil.example/cb"] }))).await;
    assert_oauth_error(&refused, 400, "invalid_redirect_uri", "redirect_uris");
    let description = refused.json()["error_description"].as_str().unwrap_or("").to_owned();
    for hint in ["https://evil.example/cb", "policy public", "rp.example", "*.apps.rp.example"] {
        assert!(description.contains(hint), "the refusal should mention {hint}\n{refused}");
    }
    let logout = minimal_with(json!({ "post_logout_redirect_uris": ["https://evil.example/bye"] }));
    assert_oauth_error(
        &app.register(&logout).await,
        400,
        "invalid_redirect_uri",
        "post_logout_redirect_uris",
    );
}

async fn native_loopback_redirects_are_always_allowed(backend: Backend<'_>) {
    // Arrange
    let PolicyApp { app, _file } = spawn_with_policies(backend, &policy_file()).await;

    // Act + Assert: RFC 8252 §7.3 loopback, any port, for native apps only.
    for uri in ["http://127.0.0.1:49152/cb", "http://[::1]:3000/cb", "http://localhost:8080/cb"] {
        let native = json!({
            "application_type": "native",
            "redirect_uris": [uri],
            "token_endpoint_auth_method": "none",
        });
        let ip = format!("192.0.2.{}", uri.len());
        register_from(&app, &ip, &native).await.registered();
    }
    let web = minimal_with(json!({ "redirect_uris": ["http://localhost:8080/cb"] }));
    assert_oauth_error(&app.register(&web).await, 400, "invalid_redirect_uri", "redirect_uris");
}

async fn anonymous_grants_methods_and_scopes_are_limited(backend: Backend<'_>) {
    // Arrange
    let PolicyApp { app, _file } = spawn_with_policies(backend, &policy_file()).await;
    let cases = [
        (json!({ "grant_types": ["authorization_code", "client_credentials"] }), "grant_types"),
        (
            json!({ "token_endpoint_auth_method": "client_secret_post" }),
            "token_endpoint_auth_method",
        ),
        (json!({ "scope": "openid email" }), "scope"),
    ];

    // Act + Assert
    for (extra, field) in cases {
        let reply = app.register(&minimal_with(extra)).await;
        assert_oauth_error(&reply, 400, "invalid_client_metadata", field);
        let description = reply.json()["error_description"].as_str().unwrap_or("").to_owned();
        assert!(description.contains("allowed:"), "say what is allowed\n{reply}");
    }
    app.register(&minimal_with(json!({ "scope": "openid profile" }))).await.registered();
}

async fn each_source_address_may_keep_two_clients(backend: Backend<'_>) {
    // Arrange
    let PolicyApp { app, _file } = spawn_with_policies(backend, &policy_file()).await;
    let body = minimal_with(json!({}));
    let first = register_from(&app, "198.51.100.7", &body).await.registered();
    register_from(&app, "198.51.100.7", &body).await.registered();

    // Act
    let third = register_from(&app, "198.51.100.7", &body).await;

    // Assert
    third.assert_status(403).assert_no_store();
    assert_eq!(third.json()["error"], json!("access_denied"), "{third}");
    let description = third.json()["error_description"].as_str().unwrap_or("").to_owned();
    assert!(
        description.contains("policy public")
            && description.contains("2 clients per source address"),
        "{third}"
    );
    register_from(&app, "198.51.100.8", &body).await.registered();
    // Deleting a client gives its place back.
    app.delete_client(&first.rcu, &first.rat).await.assert_status(204);
    register_from(&app, "198.51.100.7", &body).await.registered();
}

async fn updates_follow_the_policy_the_client_was_registered_under(backend: Backend<'_>) {
    // Arrange
    let PolicyApp { app, _file } = spawn_with_policies(backend, &policy_file()).await;
    let client = app.register(&minimal_with(json!({}))).await.registered();
    let mut update = update_body_from(&client.body);
    update["redirect_uris"] = json!(["https://evil.example/cb"]);

    // Act
    let reply = app.put_client(&client.rcu, &client.rat, &update).await;

    // Assert
    assert_oauth_error(&reply, 400, "invalid_redirect_uri", "redirect_uris");
    let read = app.get_client(&client.rcu, &client.rat).await;
    read.assert_status(200);
    assert_eq!(read.json()["redirect_uris"], json!([REDIRECT_URI]), "nothing changed\n{read}");
    update["redirect_uris"] = json!(["https://app.apps.rp.example/cb"]);
    app.put_client(&client.rcu, &client.rat, &update).await.assert_status(200);
}

async fn a_token_can_carry_its_own_policy(backend: Backend<'_>) {
    // Arrange
    let PolicyApp { app, _file } = spawn_with_policies(backend, &policy_file()).await;
    let (token, _) = app.create_iat_ok(&json!({ "max_uses": 10, "policy": "partners" })).await;
    let elsewhere = minimal_with(json!({ "redirect_uris": ["https://partner.example/cb"] }));

    // Act
    let reply = app.register_with_token(&token, &elsewhere).await;

    // Assert: the partners policy, not the anonymous one, applies; its clients are
    // first-party and it allows three in all.
    let client = reply.registered();
    let settings = app.management_get_ok(&client.client_id).await;
    assert_eq!(settings["is_first_party"], json!(true), "{settings:#}");
    app.register_with_token(&token, &elsewhere).await.registered();
    app.register_with_token(&token, &elsewhere).await.registered();
    let fourth = app.register_with_token(&token, &elsewhere).await;
    fourth.assert_status(403);
    assert!(
        fourth.json()["error_description"].as_str().unwrap_or("").contains("limit of 3 clients"),
        "{fourth}"
    );
    let anonymous = app.register(&elsewhere).await;
    assert_oauth_error(&anonymous, 400, "invalid_redirect_uri", "redirect_uris");
}

async fn tokens_name_only_configured_policies(backend: Backend<'_>) {
    // Arrange
    let PolicyApp { app, _file } = spawn_with_policies(backend, &policy_file()).await;

    // Act
    let reply = app
        .create_iat(
            app.tokens.with(&crate::admin_helpers::IAT_SCOPES),
            &json!({ "policy": "nope" }),
        )
        .await;

    // Assert
    reply.assert_status(400);
    assert!(reply.json()["message"].as_str().unwrap_or("").starts_with("policy:"), "{reply}");
    let listed = app.list_iats(app.tokens.with(&crate::admin_helpers::IAT_SCOPES)).await.json();
    assert_eq!(listed, json!([]), "nothing was issued");
}

on_both_backends!(
    anonymous_redirects_must_point_at_allowed_hosts,
    native_loopback_redirects_are_always_allowed,
    anonymous_grants_methods_and_scopes_are_limited,
    each_source_address_may_keep_two_clients,
    updates_follow_the_policy_the_client_was_registered_under,
    a_token_can_carry_its_own_policy,
    tokens_name_only_configured_policies,
);

#[tokio::test]
async fn concurrent_registrations_never_overshoot_a_limit() {
    // Arrange: 20 registrations at once under a policy that allows 5 clients.
    let redis = RedisServer::start();
    let policies = json!({ "anonymous": "small", "policies": { "small": { "max_clients": 5 } } });
    let PolicyApp { app, _file } = spawn_with_policies(Backend::Redis(&redis), &policies).await;
    let body = minimal_with(json!({}));

    // Act
    let replies = futures_util::future::join_all((0..20).map(|_| app.register(&body))).await;

    // Assert
    let created = replies.iter().filter(|r| r.status == 201).count();
    let refused = replies.iter().filter(|r| r.status == 403).count();
    assert_eq!((created, refused), (5, 15), "exactly the limit is registered");
}

#[test]
fn a_broken_policies_file_stops_the_server_with_the_reason() {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    let broken = json!({ "policies": { "public": { "redirect_hosts": ["*.com"] } } });
    file.write_all(broken.to_string().as_bytes()).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["serve", "--listen", "127.0.0.1:0", "--policies"])
        .arg(file.path())
        .env_remove("REDIS_URL")
        .output()
        .expect("run registrar");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the server must not start: {stderr}");
    assert!(stderr.contains("policy public") && stderr.contains("*.com"), "{stderr}");
}

#[test]
fn the_cli_refuses_a_token_for_an_unknown_policy() {
    let redis = RedisServer::start();
    let output = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["iat", "create", "--policy", "nope", "--redis-url", &redis.url()])
        .arg(format!("--secret-key={}", crate::helpers::SECRET_KEY))
        .env_remove("REGISTRAR_POLICIES")
        .output()
        .expect("run registrar");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("nope"), "{stderr}");
}
