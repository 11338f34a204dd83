//! `--verify-jwks-uri` (issue 5, safe outbound fetches): a client whose metadata needs keys
//! has its `jwks_uri` fetched through the guarded fetcher and must serve a public JWK Set
//! with a key for the job; without the setting the URI is never dereferenced (checklist
//! item 43).

use serde_json::{json, Value};

use crate::helpers::{
    assert_oauth_error, encryption_jwks, minimal_with, private_jwk, signing_jwks, spawn_app_with,
    Backend, Reply,
};
use crate::http_fixture::{Canned, FixtureServer};

const VERIFY: [&str; 4] =
    ["--verify-jwks-uri", "--fetch-allow-http", "--fetch-allow-hosts", "127.0.0.1"];

fn key_client(jwks_uri: &str) -> Value {
    minimal_with(json!({ "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": jwks_uri }))
}

#[track_caller]
fn assert_refused(reply: &Reply, why: &str) {
    assert_oauth_error(reply, 400, "invalid_client_metadata", "jwks_uri");
    let description = reply.json()["error_description"].as_str().unwrap_or("").to_owned();
    assert!(description.contains(why), "expected {why:?} in the description\n{reply}");
}

#[tokio::test]
async fn a_served_public_key_set_is_accepted() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/jwks.json", Canned::json(&signing_jwks()));
    let app = spawn_app_with(Backend::Memory, &VERIFY).await;

    // Act
    let reply = app.register(&key_client(&fixture.url("/jwks.json"))).await;

    // Assert
    reply.registered();
    assert_eq!(fixture.requests(), ["/jwks.json"]);
}

#[tokio::test]
async fn private_keys_wrong_keys_missing_sets_and_private_addresses_are_refused() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/private.json", Canned::json(&json!({ "keys": [private_jwk()] })));
    let mut enc_only = encryption_jwks();
    enc_only["keys"].as_array_mut().expect("keys").retain(|k| k["use"] == json!("enc"));
    fixture.set("/enc-only.json", Canned::json(&enc_only));
    fixture.set("/not-a-set.json", Canned::json(&json!(["nope"])));
    fixture.set("/missing.json", Canned::raw(404, "not here"));
    let app = spawn_app_with(Backend::Memory, &VERIFY).await;

    // Act + Assert
    let private = app.register(&key_client(&fixture.url("/private.json"))).await;
    assert_refused(&private, "not a public JWK Set");
    let enc_only = app.register(&key_client(&fixture.url("/enc-only.json"))).await;
    assert_refused(&enc_only, "verify");
    let not_a_set = app.register(&key_client(&fixture.url("/not-a-set.json"))).await;
    assert_refused(&not_a_set, "not a public JWK Set");
    let missing = app.register(&key_client(&fixture.url("/missing.json"))).await;
    assert_refused(&missing, "fetch refused");
    let strict =
        spawn_app_with(Backend::Memory, &["--verify-jwks-uri", "--fetch-allow-http"]).await;
    let private_address = strict.register(&key_client(&fixture.url("/jwks.json"))).await;
    assert_refused(&private_address, "fetch refused");
}

#[tokio::test]
async fn encryption_to_the_client_needs_an_encryption_key() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/sig.json", Canned::json(&signing_jwks()));
    fixture.set("/enc.json", Canned::json(&encryption_jwks()));
    let app = spawn_app_with(Backend::Memory, &VERIFY).await;
    let encrypted = |uri: String| {
        minimal_with(json!({ "id_token_encrypted_response_alg": "RSA-OAEP-256", "jwks_uri": uri }))
    };

    // Act + Assert
    assert_refused(&app.register(&encrypted(fixture.url("/sig.json"))).await, "encrypt");
    app.register(&encrypted(fixture.url("/enc.json"))).await.registered();
}

#[tokio::test]
async fn without_the_setting_or_a_need_for_keys_nothing_is_fetched() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/jwks.json", Canned::raw(500, "down"));
    let plain = spawn_app_with(Backend::Memory, &[]).await;
    let verifying = spawn_app_with(Backend::Memory, &VERIFY).await;

    // Act
    plain
        .register(&key_client(&fixture.url("/jwks.json").replace("http:", "https:")))
        .await
        .registered();
    let no_keys_needed =
        minimal_with(json!({ "jwks_uri": fixture.url("/jwks.json").replace("http:", "https:") }));
    verifying.register(&no_keys_needed).await.registered();

    // Assert
    assert!(fixture.requests().is_empty(), "nothing fetched: {:?}", fixture.requests());
}

#[tokio::test]
async fn a_name_that_does_not_resolve_and_one_that_resolves_inside_get_one_answer() {
    // Arrange (issue 15: the answer told whether an internal host name resolves)
    let app = spawn_app_with(Backend::Memory, &["--verify-jwks-uri", "--fetch-allow-http"]).await;

    // Act
    let inside = app.register(&key_client("https://localhost/jwks.json")).await;
    let nowhere = app.register(&key_client("https://no-such-host.invalid/jwks.json")).await;

    // Assert
    assert_refused(&inside, "fetch refused");
    assert_eq!(inside.json(), nowhere.json(), "\n{inside}\n{nowhere}");
}
