//! Who may register (issue 5; checklist items 6-9): the registration modes `open`, `token`
//! and `closed`, and initial access tokens issued through the management API and the
//! CLI, listed, revoked, expiring, and counted atomically under concurrency.

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::admin_helpers::{
    assert_insufficient_scope, assert_invalid_body, assert_management_error_code,
    assert_unauthorized, spawn_iat_admin_app_with, AdminApp, IAT_SCOPES,
};
use crate::helpers::{
    assert_invalid_token, minimal, spawn_app_with, Backend, Reply, REDIRECT_URI, SECRET_KEY,
};
use crate::redis_server::RedisServer;

const TOKEN_MODE: [&str; 2] = ["--registration-mode", "token"];

async fn token_mode_app(backend: Backend<'_>) -> AdminApp {
    spawn_iat_admin_app_with(backend, &TOKEN_MODE).await
}

/// 401 with a bare `WWW-Authenticate: Bearer ...` challenge that carries no error code
/// (RFC 6750 §3.1: no error when no credentials were sent).
#[track_caller]
fn assert_bare_challenge(reply: &Reply) {
    reply.assert_status(401).assert_no_store();
    let challenge = reply.header("www-authenticate").unwrap_or("");
    assert!(challenge.starts_with("Bearer"), "expected a Bearer challenge\n{reply}");
    assert!(!challenge.contains("error="), "no error code without credentials\n{reply}");
}

/// The listed record with `id`.
#[track_caller]
fn listed<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap_or_else(|| panic!("the list is not an array: {list:#}"))
        .iter()
        .find(|t| t["id"] == json!(id))
        .unwrap_or_else(|| panic!("token {id} is not listed: {list:#}"))
}

async fn list_ok(app: &AdminApp) -> Value {
    let reply = app.list_iats(app.tokens.with(&IAT_SCOPES)).await;
    reply.assert_status(200).assert_json_content_type().assert_no_store();
    reply.json()
}

// --- modes -----------------------------------------------------------------------------

async fn open_mode_registers_without_a_token(backend: Backend<'_>) {
    // Arrange
    let app = spawn_app_with(backend, &["--registration-mode", "open"]).await;

    // Act
    let reply = app.register(&minimal()).await;

    // Assert
    reply.registered();
    let discovery = app.discovery_doc().await;
    assert_eq!(discovery["registration_endpoint"], json!(app.registration_endpoint()));
}

async fn open_mode_still_refuses_a_wrong_token(backend: Backend<'_>) {
    // Arrange
    let app = spawn_app_with(backend, &[]).await;

    // Act
    let reply = app.register_with_token("not-a-token-this-server-issued", &minimal()).await;

    // Assert
    assert_invalid_token(&reply);
}

async fn token_mode_without_a_token_answers_401_with_a_bare_challenge(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;

    // Act
    let reply = app.register(&minimal()).await;

    // Assert
    assert_bare_challenge(&reply);
}

async fn token_mode_refuses_an_unknown_token(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let (issued, _) = app.create_iat_ok(&json!({ "max_uses": 5 })).await;

    // Act
    let unknown = app.register_with_token("x".repeat(43).as_str(), &minimal()).await;
    let altered = app.register_with_token(&format!("{issued}x"), &minimal()).await;

    // Assert
    assert_invalid_token(&unknown);
    assert_invalid_token(&altered);
}

async fn token_mode_accepts_a_valid_token(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let (token, _) = app.create_iat_ok(&json!({ "expires_in": 3600, "max_uses": 2 })).await;

    // Act
    let reply = app.register_with_token(&token, &minimal()).await;

    // Assert
    let client = reply.registered();
    assert_eq!(client.body["redirect_uris"], json!([REDIRECT_URI]));
    reply.assert_no_store();
}

async fn a_used_up_token_is_refused(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let (token, _) = app.create_iat_ok(&json!({ "max_uses": 2 })).await;
    app.register_with_token(&token, &minimal()).await.registered();
    app.register_with_token(&token, &minimal()).await.registered();

    // Act
    let third = app.register_with_token(&token, &minimal()).await;

    // Assert
    assert_invalid_token(&third);
}

async fn an_invalid_registration_does_not_use_up_the_token(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let (token, _) = app.create_iat_ok(&json!({ "max_uses": 1 })).await;
    let url = app.registration_endpoint();
    let bad_bodies: [(&str, Option<&str>); 4] = [
        (r#"{"redirect_uris":["http://rp.example/cb"]}"#, Some("application/json")),
        (
            r#"{"redirect_uris":["https://rp.example/cb"],"grant_types":"x"}"#,
            Some("application/json"),
        ),
        (r#"{"redirect_uris": ["#, Some("application/json")),
        (r#"["https://rp.example/cb"]"#, Some("application/json")),
    ];

    // Act
    for (body, content_type) in bad_bodies {
        let reply = app
            .send(reqwest::Method::POST, &url, Some(&token), Some((body.to_owned(), content_type)))
            .await;
        assert_eq!(reply.status, 400, "an invalid body must be refused with 400\n{reply}");
    }
    let good = app.register_with_token(&token, &minimal()).await;
    let after = app.register_with_token(&token, &minimal()).await;

    // Assert
    good.registered();
    assert_invalid_token(&after);
}

async fn closed_mode_refuses_registration_and_stops_advertising_it(backend: Backend<'_>) {
    // Arrange
    let app = spawn_iat_admin_app_with(backend, &["--registration-mode", "closed"]).await;
    let (token, _) = app.create_iat_ok(&json!({ "max_uses": 5 })).await;

    // Act
    let anonymous = app.register(&minimal()).await;
    let with_token = app.register_with_token(&token, &minimal()).await;
    let discovery = app.discovery_doc().await;

    // Assert
    for reply in [&anonymous, &with_token] {
        reply.assert_status(403).assert_json_content_type().assert_no_store();
        assert!(reply.json()["error"].is_string(), "a 403 carries an error code\n{reply}");
    }
    assert!(
        discovery.get("registration_endpoint").is_none(),
        "a closed server must not advertise registration_endpoint: {discovery:#}"
    );
}

on_both_backends!(
    open_mode_registers_without_a_token,
    open_mode_still_refuses_a_wrong_token,
    token_mode_without_a_token_answers_401_with_a_bare_challenge,
    token_mode_refuses_an_unknown_token,
    token_mode_accepts_a_valid_token,
    a_used_up_token_is_refused,
    an_invalid_registration_does_not_use_up_the_token,
    closed_mode_refuses_registration_and_stops_advertising_it,
);

// --- initial access tokens: management API ---------------------------------------------

async fn a_created_token_is_shown_once_and_listed_with_its_uses(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let reply = app
        .create_iat(app.tokens.with(&IAT_SCOPES), &json!({ "expires_in": 86400, "max_uses": 3 }))
        .await;
    reply.assert_status(201).assert_json_content_type().assert_no_store();
    let created = reply.json();
    let token = created["token"].as_str().expect("token").to_owned();
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(
        token.len() >= 43
            && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "an initial access token carries at least 256 bits in base64url: {token:?}"
    );
    assert_eq!(created["max_uses"], json!(3), "{reply}");
    assert_eq!(created["uses"], json!(0), "{reply}");
    let created_at = created["created_at"].as_i64().expect("created_at");
    assert_eq!(created["expires_at"].as_i64(), Some(created_at + 86400), "{reply}");

    // Act
    app.register_with_token(&token, &minimal()).await.registered();
    let list_reply = app.list_iats(app.tokens.with(&IAT_SCOPES)).await;

    // Assert
    list_reply.assert_status(200).assert_json_content_type();
    let list = list_reply.json();
    let record = listed(&list, &id);
    assert_eq!(record["uses"], json!(1), "{list_reply}");
    assert_eq!(record["max_uses"], json!(3), "{list_reply}");
    assert!(record.get("token").is_none(), "the list must never show the token\n{list_reply}");
    assert!(!list_reply.body.contains(&token), "the list must never show the token\n{list_reply}");
}

async fn a_revoked_token_is_refused(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let (token, id) = app.create_iat_ok(&json!({ "max_uses": 5 })).await;
    let (other, _) = app.create_iat_ok(&json!({ "max_uses": 5 })).await;
    app.register_with_token(&token, &minimal()).await.registered();

    // Act
    let revoked = app.revoke_iat(app.tokens.with(&IAT_SCOPES), &id).await;
    let after = app.register_with_token(&token, &minimal()).await;
    let again = app.revoke_iat(app.tokens.with(&IAT_SCOPES), &id).await;

    // Assert
    revoked.assert_status(204);
    assert_invalid_token(&after);
    assert_management_error_code(&again, 404, "inexistent_initial_access_token");
    let list = list_ok(&app).await;
    assert!(
        list.as_array().is_some_and(|l| l.iter().all(|t| t["id"] != json!(id))),
        "a revoked token must not be listed: {list:#}"
    );
    app.register_with_token(&other, &minimal()).await.registered();
}

async fn an_expired_token_is_refused(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let (token, _) = app.create_iat_ok(&json!({ "expires_in": 1, "max_uses": 5 })).await;

    // Act
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let reply = app.register_with_token(&token, &minimal()).await;

    // Assert
    assert_invalid_token(&reply);
}

async fn token_endpoints_need_their_scopes(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let (_, id) = app.create_iat_ok(&json!({ "max_uses": 1 })).await;
    let [create, read, delete] = IAT_SCOPES;
    let body = json!({ "max_uses": 1 });

    // Act + Assert: every other scope (the client scopes included) is not enough.
    let client_scopes = app.tokens.all();
    for token in [app.tokens.with(&[read, delete]), client_scopes] {
        assert_insufficient_scope(&app.create_iat(token, &body).await, create);
    }
    for token in [app.tokens.with(&[create, delete]), client_scopes] {
        assert_insufficient_scope(&app.list_iats(token).await, read);
    }
    for token in [app.tokens.with(&[create, read]), client_scopes] {
        assert_insufficient_scope(&app.revoke_iat(token, &id).await, delete);
    }
    let no_token = app
        .send(
            reqwest::Method::GET,
            &format!("{}/api/v2/initial-access-tokens", app.address),
            None,
            None,
        )
        .await;
    assert_unauthorized(&no_token);
    // A registration's initial access token is no admin token.
    let (iat, _) = app.create_iat_ok(&json!({ "max_uses": 1 })).await;
    assert_unauthorized(&app.list_iats(&iat).await);
    // Each scope alone does its own job.
    app.create_iat(app.tokens.with(&[create]), &body).await.assert_status(201);
    app.list_iats(app.tokens.with(&[read])).await.assert_status(200);
    app.revoke_iat(app.tokens.with(&[delete]), &id).await.assert_status(204);
}

async fn token_requests_with_bad_values_are_refused(backend: Backend<'_>) {
    // Arrange
    let app = token_mode_app(backend).await;
    let scopes = app.tokens.with(&IAT_SCOPES);

    // Act + Assert
    for (body, field) in [
        (json!({ "expires_in": 0 }), "expires_in"),
        (json!({ "expires_in": "1d" }), "expires_in"),
        (json!({ "max_uses": -1 }), "max_uses"),
        (json!({ "max_uses": 1, "token": "chosen-by-me" }), "token"),
    ] {
        assert_invalid_body(&app.create_iat(scopes, &body).await, field);
    }
    let list = list_ok(&app).await;
    assert_eq!(list, json!([]), "refused requests issue nothing");
}

async fn twenty_concurrent_registrations_with_a_ten_use_token_give_ten_successes(
    backend: Backend<'_>,
) {
    // Arrange
    let app = token_mode_app(backend).await;
    let (token, id) = app.create_iat_ok(&json!({ "max_uses": 10 })).await;
    let mut tasks = tokio::task::JoinSet::new();

    // Act
    for _ in 0..20 {
        let client = app.client.clone();
        let url = app.registration_endpoint();
        let token = token.clone();
        tasks.spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&minimal())
                .send()
                .await
                .expect("a concurrent registration failed to send");
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            (status, body)
        });
    }
    let mut outcomes = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        outcomes.push(outcome.expect("a registration task panicked"));
    }

    // Assert
    let created = outcomes.iter().filter(|(status, _)| *status == 201).count();
    let refused = outcomes
        .iter()
        .filter(|(status, body)| *status == 401 && body.contains("invalid_token"))
        .count();
    assert_eq!((created, refused), (10, 10), "expected 10 x 201 and 10 x 401: {outcomes:#?}");
    let list = list_ok(&app).await;
    assert_eq!(listed(&list, &id)["uses"], json!(10), "{list:#}");
    assert_invalid_token(&app.register_with_token(&token, &minimal()).await);
}

on_both_backends!(
    a_created_token_is_shown_once_and_listed_with_its_uses,
    a_revoked_token_is_refused,
    an_expired_token_is_refused,
    token_endpoints_need_their_scopes,
    token_requests_with_bad_values_are_refused,
    twenty_concurrent_registrations_with_a_ten_use_token_give_ten_successes,
);

// --- initial access tokens: CLI ----------------------------------------------------------

fn cli(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(args)
        .env_remove("REDIS_URL")
        .env_remove("REGISTRAR_SECRET_KEY")
        .output()
        .expect("failed to run the registrar binary")
}

#[tokio::test]
async fn the_cli_issues_tokens_a_server_on_the_same_redis_accepts() {
    // Arrange
    let redis = RedisServer::start();
    let url = redis.url();
    let args = [
        "iat",
        "create",
        "--expires-in",
        "1d",
        "--max-uses",
        "2",
        "--redis-url",
        &url,
        "--secret-key",
        SECRET_KEY,
    ];

    // Act
    let output = cli(&args);
    let app = token_mode_app(Backend::Redis(&redis)).await;

    // Assert
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "registrar iat create failed: {stderr}\n{stdout}");
    let token = stdout.trim().to_owned();
    assert!(token.len() >= 43 && !token.contains(char::is_whitespace), "one token: {stdout:?}");
    app.register_with_token(&token, &minimal()).await.registered();
    app.register_with_token(&token, &minimal()).await.registered();
    assert_invalid_token(&app.register_with_token(&token, &minimal()).await);
    let list = list_ok(&app).await;
    let records = list.as_array().expect("a list");
    assert_eq!(records.len(), 1, "{list:#}");
    assert_eq!(records[0]["max_uses"], json!(2), "{list:#}");
    assert_eq!(records[0]["uses"], json!(2), "{list:#}");
    let lifetime = records[0]["expires_at"].as_i64().unwrap_or(0)
        - records[0]["created_at"].as_i64().unwrap_or(0);
    assert_eq!(lifetime, 86400, "--expires-in 1d: {list:#}");
    for (key, value) in redis.dump() {
        let found = value.windows(token.len()).any(|w| w == token.as_bytes());
        assert!(!found, "the plaintext token is stored in Redis under {key}");
    }
}

#[test]
fn the_cli_refuses_to_issue_tokens_without_redis() {
    // Act
    let output = cli(&["iat", "create", "--max-uses", "1"]);

    // Assert
    assert!(!output.status.success(), "a token in a throwaway memory store is useless");
    assert!(output.stdout.is_empty(), "nothing that looks like a token is printed");
}
