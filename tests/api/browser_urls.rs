//! Issue 15: what a browser would open is exactly what was registered. A URI the WHATWG
//! parser would rewrite is refused, by self-registration and the management API alike.

use serde_json::{json, Value};

use crate::admin_helpers::{assert_invalid_body, client_id_of, spawn_admin_app};
use crate::helpers::{assert_oauth_error, spawn_app};

/// (URI, client type, a word the error description must hold).
const REWRITTEN: [(&str, &str, &str); 16] = [
    ("https://good.example\\@evil.example/cb", "web", "host"),
    ("https://pfx.example/cb/../../x", "web", "path"),
    ("com.good.app:/oauth/../evil", "native", "path"),
    ("https://rp.example/a\\b", "web", "path"),
    ("http://2130706433/cb", "native", "host"),
    ("http://0x7f000001/cb", "native", "host"),
    ("http://127.1/cb", "native", "host"),
    ("http://0177.0.0.1/cb", "native", "host"),
    ("http://127.000.000.001/cb", "native", "host"),
    ("http://localhost:0/cb", "native", "port"),
    ("https://rp.example:0/cb", "web", "port"),
    ("https://localhost./cb", "implicit", "dot"),
    ("ftp://rp.example/cb", "web", "scheme"),
    ("ws://localhost/cb", "native", "scheme"),
    ("wss://rp.example/cb", "web", "scheme"),
    ("https://rp.example:443/cb", "web", "port"),
];

fn body(uri: &str, client_type: &str) -> Value {
    match client_type {
        "native" => json!({ "redirect_uris": [uri], "application_type": "native" }),
        "implicit" => json!({
            "redirect_uris": [uri], "response_types": ["id_token"], "grant_types": ["implicit"],
        }),
        _ => json!({ "redirect_uris": [uri] }),
    }
}

#[tokio::test]
async fn self_registration_refuses_redirect_uris_a_browser_would_read_differently() {
    // Arrange
    let app = spawn_app().await;

    for (uri, client_type, problem) in REWRITTEN {
        // Act
        let reply = app.register(&body(uri, client_type)).await;

        // Assert
        assert_oauth_error(&reply, 400, "invalid_redirect_uri", "redirect_uri");
        let description = reply.json()["error_description"].as_str().unwrap_or_default().to_owned();
        assert!(description.contains(problem), "{uri}: {problem:?} not named in {description:?}");
    }
}

#[tokio::test]
async fn the_management_api_applies_the_same_url_rule_to_callbacks() {
    // Arrange
    let app = spawn_admin_app().await;

    for (uri, _, _) in REWRITTEN {
        // Act
        let reply = app
            .management_create(app.tokens.all(), &json!({ "name": "Shop", "callbacks": [uri] }))
            .await;

        // Assert
        assert_eq!(reply.status, 400, "{uri}\n{reply}");
        assert_invalid_body(&reply, "callbacks");
    }
}

#[tokio::test]
async fn callbacks_stored_by_self_registration_can_be_saved_back_by_an_administrator() {
    // Arrange
    let app = spawn_admin_app().await;
    let uris = ["https://rp.example/cb?x=%41", "HTTPS://RP.example/up", "com.rp.app:/oauth"];
    let registered = app.register(&json!({ "redirect_uris": uris })).await;
    registered.assert_status(201);
    let client_id = registered.json()["client_id"].as_str().unwrap_or_default().to_owned();
    let view = app.management_get_ok(&client_id).await;
    assert_eq!(client_id_of(&view), client_id);

    // Act
    let saved =
        app.management_patch_ok(&client_id, &json!({ "callbacks": view["callbacks"] })).await;

    // Assert
    assert_eq!(saved["callbacks"], json!(uris), "{saved}");
}
