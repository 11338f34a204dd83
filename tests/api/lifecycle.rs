//! The whole life of a client, as the conformance suite and an RP walk it: discovery,
//! registration, read, update, delete (rauthy's lifecycle walk, run on both stores).

use serde_json::json;

use crate::helpers::{
    assert_invalid_token, assert_member, merge, signing_jwks, update_body_from, TestApp,
};

pub(crate) async fn a_client_is_discovered_registered_read_updated_and_deleted(app: TestApp) {
    // Discover the registration endpoint instead of assuming it.
    let doc = app.discovery_doc().await;
    let endpoint = doc["registration_endpoint"].as_str().expect("registration_endpoint").to_owned();
    assert_eq!(app.local(&endpoint), app.registration_endpoint());

    // Register as the conformance suite does.
    let client = app
        .register_ok(&json!({
            "client_name": "OIDF Conformance Test lifecycle",
            "grant_types": ["authorization_code", "refresh_token"],
            "jwks": signing_jwks(),
            "token_endpoint_auth_method": "private_key_jwt",
            "response_types": ["code"],
            "redirect_uris": ["https://rp.example/callback"],
            "contacts": ["certification@oidf.org"],
        }))
        .await;
    assert!(client.client_secret.is_none());

    // Read it back.
    let read = app.get_client(&client.rcu, &client.rat).await;
    read.assert_status(200);
    assert_eq!(read.json(), client.body);

    // Update: a new redirect URI and name; everything else as registered.
    let update = merge(
        update_body_from(&client.body),
        json!({
            "client_name": "Renamed",
            "redirect_uris": ["https://rp.example/callback", "https://rp.example/second"],
        }),
    );
    let updated = app.put_client(&client.rcu, &client.rat, &update).await;
    updated.assert_status(200);
    let updated = updated.json();
    assert_member(&updated, "client_name", &json!("Renamed"));
    assert_member(&updated, "client_id", &json!(client.client_id));
    assert_member(&updated, "registration_access_token", &json!(client.rat));
    let read = app.get_client(&client.rcu, &client.rat).await;
    assert_eq!(read.json(), updated);

    // Delete, then the token is worthless.
    app.delete_client(&client.rcu, &client.rat).await.assert_status(204);
    assert_invalid_token(&app.get_client(&client.rcu, &client.rat).await);
    assert_invalid_token(&app.delete_client(&client.rcu, &client.rat).await);
}

on_both_stores!(a_client_is_discovered_registered_read_updated_and_deleted);
