//! CORS on the registration and client configuration endpoints (issue 5; checklist item 4),
//! so browser apps can register themselves: preflights succeed for the methods and headers
//! a client needs, answers carry `Access-Control-Allow-Origin`, and credentials are never
//! allowed.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{minimal, spawn_app, spawn_app_with, Backend, Reply, TestApp};

const ORIGIN: &str = "https://app.example";

async fn preflight(app: &TestApp, url: &str, method: &str) -> Reply {
    let headers = [
        ("Origin", ORIGIN),
        ("Access-Control-Request-Method", method),
        ("Access-Control-Request-Headers", "authorization,content-type"),
    ];
    app.send_with_headers(Method::OPTIONS, url, &headers, None).await
}

/// `Access-Control-Allow-Origin` is `*` or the origin, and credentials are not allowed.
#[track_caller]
fn assert_cors_allowed(reply: &Reply) {
    let allowed = reply.header("access-control-allow-origin").unwrap_or("");
    assert!(
        allowed == "*" || allowed == ORIGIN,
        "expected Access-Control-Allow-Origin * or {ORIGIN}, got {allowed:?}\n{reply}"
    );
    let credentials = reply.header("access-control-allow-credentials").unwrap_or("");
    assert!(
        !credentials.eq_ignore_ascii_case("true"),
        "Access-Control-Allow-Credentials must never be true\n{reply}"
    );
}

/// A successful preflight for `method` with `Authorization` and `Content-Type`.
#[track_caller]
fn assert_preflight_ok(reply: &Reply, method: &str) {
    assert!((200..300).contains(&reply.status), "a preflight must succeed\n{reply}");
    assert_cors_allowed(reply);
    let methods = reply.header("access-control-allow-methods").unwrap_or("").to_ascii_uppercase();
    assert!(
        methods.split(',').any(|m| m.trim() == method),
        "Access-Control-Allow-Methods must include {method}\n{reply}"
    );
    let headers = reply.header("access-control-allow-headers").unwrap_or("").to_ascii_lowercase();
    for needed in ["authorization", "content-type"] {
        assert!(
            headers.split(',').any(|h| h.trim() == needed),
            "Access-Control-Allow-Headers must include {needed}\n{reply}"
        );
    }
}

#[tokio::test]
async fn a_preflight_on_the_registration_endpoint_allows_post() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let reply = preflight(&app, &app.registration_endpoint(), "POST").await;

    // Assert
    assert_preflight_ok(&reply, "POST");
}

#[tokio::test]
async fn a_preflight_needs_no_token_even_in_token_mode() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &["--registration-mode", "token"]).await;

    // Act
    let reply = preflight(&app, &app.registration_endpoint(), "POST").await;

    // Assert
    assert_preflight_ok(&reply, "POST");
}

#[tokio::test]
async fn a_preflight_on_the_configuration_endpoint_allows_get_put_and_delete() {
    // Arrange
    let app = spawn_app().await;
    let client = app.register_ok(&minimal()).await;
    let url = app.local(&client.rcu);

    // Act + Assert
    for method in ["PUT", "GET", "DELETE"] {
        assert_preflight_ok(&preflight(&app, &url, method).await, method);
    }
}

#[tokio::test]
async fn a_registration_from_a_browser_gets_access_control_allow_origin() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let reply = app.register_with_headers(&[("Origin", ORIGIN)], &minimal()).await;

    // Assert
    reply.registered();
    assert_cors_allowed(&reply);
}

#[tokio::test]
async fn errors_and_configuration_requests_from_a_browser_carry_cors_headers_too() {
    // Arrange
    let app = spawn_app().await;
    let client = app.register_ok(&minimal()).await;
    let url = app.local(&client.rcu);
    let origin = ("Origin", ORIGIN);

    // Act
    let invalid = app
        .register_with_headers(&[origin], &json!({ "redirect_uris": ["http://rp.example/cb"] }))
        .await;
    let read = app
        .send_with_headers(
            Method::GET,
            &url,
            &[origin, ("Authorization", &format!("Bearer {}", client.rat))],
            None,
        )
        .await;
    let unauthorized = app
        .send_with_headers(Method::GET, &url, &[origin, ("Authorization", "Bearer wrong")], None)
        .await;

    // Assert: a browser app can read why it was refused.
    invalid.assert_status(400);
    assert_cors_allowed(&invalid);
    read.assert_status(200);
    assert_cors_allowed(&read);
    unauthorized.assert_status(401);
    assert_cors_allowed(&unauthorized);
}
