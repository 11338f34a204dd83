//! Introspection (RFC 7662) and revocation (RFC 7009) of access tokens, what rotation and
//! deletion do to them, and discovery of the OAuth endpoints.

use reqwest::Method;
use serde_json::json;

use crate::helpers::Backend;
use crate::token_helpers::{spawn_oauth_app, OAuthApp, API};

/// An API whose backend client may introspect its tokens, and two ordinary clients.
async fn arrange(
    app: &OAuthApp,
) -> (crate::token_helpers::Client, crate::token_helpers::Client, crate::token_helpers::Client) {
    app.create_api(API, "ES256").await;
    let owner = app.client_with_grant("client_secret_basic").await;
    let stranger = app.client_with_grant("private_key_jwt").await;
    let backend = app.register_client("client_secret_post").await;
    let body = json!({ "introspection_client_ids": [backend.id] });
    let api = app
        .admin_call(Method::GET, &format!("/resource-servers/{}", urlencode(API)), &app.admin, None)
        .await;
    api.assert_status(200);
    let id = api.json()["id"].as_str().unwrap().to_owned();
    app.admin_call(Method::PATCH, &format!("/resource-servers/{id}"), &app.admin, Some(body))
        .await
        .assert_status(200);
    (owner, stranger, backend)
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn introspection_tells_only_the_owner_and_the_apis_backend(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    let (owner, stranger, api_backend) = arrange(&app).await;
    let token = app.token_ok(&owner).await;

    // Act
    let by_owner = app.introspect(&owner, &token).await;
    let by_backend = app.introspect(&api_backend, &token).await;
    let by_stranger = app.introspect(&stranger, &token).await;
    let garbage = app.introspect(&owner, "not-a-token").await;
    let unauthenticated = app.form("/oauth/introspect", &[], &[("token", &token)]).await;

    // Assert
    for body in [&by_owner, &by_backend] {
        assert_eq!(body["active"], true, "{body}");
        assert_eq!(body["client_id"], owner.id.as_str());
        assert_eq!(body["aud"], API);
        assert_eq!(body["scope"], "read:x write:x");
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["exp"].is_i64() && body["iat"].is_i64(), "{body}");
    }
    assert_eq!(by_stranger, json!({ "active": false }));
    assert_eq!(garbage, json!({ "active": false }));
    unauthenticated.assert_status(401);
    assert_eq!(unauthenticated.json()["error"], "invalid_client");
}

async fn revocation_is_the_owners_and_holds_at_once(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    let (owner, stranger, _) = arrange(&app).await;
    let token = app.token_ok(&owner).await;

    // Act
    let by_stranger = app.as_client(&stranger, "/oauth/revoke", &[("token", &token)]).await;
    let still = app.introspect(&owner, &token).await;
    let revoked = app.as_client(&owner, "/oauth/revoke", &[("token", &token)]).await;
    let after = app.introspect(&owner, &token).await;
    let unknown = app.as_client(&owner, "/oauth/revoke", &[("token", "whatever")]).await;
    let missing = app.as_client(&owner, "/oauth/revoke", &[]).await;

    // Assert
    by_stranger.assert_status(400);
    assert_eq!(by_stranger.json()["error"], "unauthorized_client");
    assert_eq!(still["active"], true);
    revoked.assert_status(200).assert_no_store();
    assert_eq!(after, json!({ "active": false }));
    unknown.assert_status(200);
    missing.assert_status(400);
    assert_eq!(missing.json()["error"], "invalid_request");
}

async fn rotation_and_deletion_end_the_clients_tokens_and_credentials(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    let (owner, _, api_backend) = arrange(&app).await;
    let token = app.token_ok(&owner).await;
    let other = app.client_with_grant("client_secret_post").await;
    let other_token = app.token_ok(&other).await;

    // Act: rotate the owner's secret, delete the other client.
    let rotated = app
        .admin_call(Method::POST, &format!("/clients/{}/rotate-secret", owner.id), &app.admin, None)
        .await;
    rotated.assert_status(200);
    let new_secret = rotated.json()["client_secret"].as_str().unwrap().to_owned();
    let old_credentials =
        app.token(&owner, &[("grant_type", "client_credentials"), ("audience", API)]).await;
    app.admin_call(Method::DELETE, &format!("/clients/{}", other.id), &app.admin, None)
        .await
        .assert_status(204);

    // Assert
    assert_eq!(old_credentials.status, 401, "{old_credentials}");
    assert_eq!(
        app.introspect(&api_backend, &token).await["active"],
        false,
        "issued before the rotation"
    );
    assert_eq!(app.introspect(&api_backend, &other_token).await["active"], false, "client deleted");
    let renewed = crate::token_helpers::Client { secret: Some(new_secret), ..owner };
    let fresh = app.token_ok(&renewed).await;
    assert_eq!(app.introspect(&api_backend, &fresh).await["active"], true);
    let deleted =
        app.token(&other, &[("grant_type", "client_credentials"), ("audience", API)]).await;
    assert_eq!(deleted.status, 401, "{deleted}");
}

on_both_backends!(
    introspection_tells_only_the_owner_and_the_apis_backend,
    revocation_is_the_owners_and_holds_at_once,
    rotation_and_deletion_end_the_clients_tokens_and_credentials,
);

#[tokio::test]
async fn a_revocation_holds_on_every_instance() {
    // Arrange
    let redis = crate::redis_server::RedisServer::start();
    let first = spawn_oauth_app(Backend::Redis(&redis), &[]).await;
    let second = spawn_oauth_app(Backend::Redis(&redis), &["--issuer", &first.issuer]).await;
    first.create_api(API, "ES256").await;
    let client = first.client_with_grant("client_secret_basic").await;
    let token = first.token_ok(&client).await;

    // Act
    first.as_client(&client, "/oauth/revoke", &[("token", &token)]).await.assert_status(200);

    // Assert
    assert_eq!(second.introspect(&client, &token).await, json!({ "active": false }));
}

#[tokio::test]
async fn discovery_names_the_oauth_endpoints_and_the_op_paths_answer_clearly() {
    // Arrange
    let app = spawn_oauth_app(Backend::Memory, &[]).await;

    // Act
    let doc = app.discovery_doc().await;
    let authorize = app.get("/authorize?client_id=x").await;
    let userinfo = app.get("/userinfo").await;

    // Assert
    for (member, path) in [
        ("token_endpoint", "/oauth/token"),
        ("introspection_endpoint", "/oauth/introspect"),
        ("revocation_endpoint", "/oauth/revoke"),
    ] {
        assert_eq!(doc[member], format!("{}{path}", app.issuer), "{member}");
    }
    for member in [
        "introspection_endpoint_auth_methods_supported",
        "revocation_endpoint_auth_methods_supported",
    ] {
        let methods = doc[member].as_array().expect(member);
        assert_eq!(methods.len(), 4, "{member}: {methods:?}");
        assert!(!methods.contains(&json!("none")), "{member}");
    }
    for member in [
        "introspection_endpoint_auth_signing_alg_values_supported",
        "revocation_endpoint_auth_signing_alg_values_supported",
    ] {
        let algs = doc[member].as_array().expect(member);
        assert!(algs.contains(&json!("HS256")) && algs.contains(&json!("RS256")), "{member}");
        assert!(!algs.contains(&json!("none")), "{member}");
    }
    for reply in [authorize, userinfo] {
        reply.assert_status(421).assert_json_content_type();
        let body = reply.json();
        assert_eq!(body["error"], "misdirected_request");
        assert!(body["error_description"].as_str().unwrap().contains("OpenID Provider"), "{reply}");
    }
}

#[tokio::test]
async fn op_paths_follow_the_configured_endpoints() {
    // Arrange
    let app = spawn_oauth_app(
        Backend::Memory,
        &[
            "--issuer",
            "http://127.0.0.1:1",
            "--authorization-endpoint",
            "http://127.0.0.1:1/op/auth",
        ],
    )
    .await;

    // Act
    let moved = app.get("/op/auth").await;
    let default_gone = app.get("/authorize").await;

    // Assert
    moved.assert_status(421);
    default_gone.assert_status(404);
}
