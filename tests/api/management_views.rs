//! One client, two views (issue 4): what an administrator changes through the management
//! API shows in the client's RFC 7592 read, what the client changes through RFC 7592 shows
//! to the administrator, and deleting or rotating on one side takes effect on the other.

use serde_json::{json, Value};

use crate::admin_helpers::{assert_management_error, secret_of, AdminApp};
use crate::helpers::{
    assert_invalid_token, assert_oauth_error, merge, minimal_with, update_body_from, Registered,
};

/// The RFC 7592 read, asserting 200.
async fn registration_of(app: &AdminApp, client: &Registered) -> Value {
    let reply = app.get_client(&client.rcu, &client.rat).await;
    reply.assert_status(200).assert_json_content_type();
    reply.json()
}

async fn a_self_registered_client_shows_as_a_third_party_client_to_administrators(app: AdminApp) {
    // Arrange
    let client = app
        .register_ok(&minimal_with(json!({
            "client_name": "Self-made",
            "redirect_uris": ["https://rp.example/cb", "https://rp.example:8443/other"],
            "post_logout_redirect_uris": ["https://rp.example/bye"],
        })))
        .await;

    // Act
    let view = app.management_get_ok(&client.client_id).await;

    // Assert
    assert_eq!(view["client_id"], json!(client.client_id));
    assert_eq!(view["name"], "Self-made");
    assert_eq!(view["is_first_party"], false, "self-registered clients are third-party");
    assert_eq!(view["callbacks"], client.body["redirect_uris"]);
    assert_eq!(view["allowed_logout_urls"], json!(["https://rp.example/bye"]));
    assert_eq!(
        view["allowed_origins"],
        json!(["https://rp.example", "https://rp.example:8443"]),
        "allowed origins default to the callbacks' origins"
    );
    assert_eq!(view["client_secret"], client.body["client_secret"], "one secret, two views");
}

async fn a_management_patch_shows_in_the_rfc7592_read(app: AdminApp) {
    // Arrange
    let client = app
        .register_ok(&minimal_with(
            json!({ "client_name": "Before", "contacts": ["ops@rp.example"] }),
        ))
        .await;

    // Act
    app.management_patch_ok(
        &client.client_id,
        &json!({
            "name": "After",
            "callbacks": ["https://rp.example/new-cb"],
            "allowed_logout_urls": ["https://rp.example/bye"],
            "description": "admin only",
        }),
    )
    .await;

    // Assert
    let expected = merge(
        client.body.clone(),
        json!({
            "client_name": "After",
            "redirect_uris": ["https://rp.example/new-cb"],
            "post_logout_redirect_uris": ["https://rp.example/bye"],
        }),
    );
    assert_eq!(
        registration_of(&app, &client).await,
        expected,
        "the three changes show, and nothing else changed (no admin-only settings leak)"
    );
}

async fn an_rfc7592_update_shows_to_administrators_and_keeps_their_settings(app: AdminApp) {
    // Arrange
    let client = app.register_ok(&minimal_with(json!({ "client_name": "Before" }))).await;
    let admin_settings = json!({
        "description": "kept by the administrator",
        "sso": true,
        "client_metadata": { "team": "blue" },
        "organization_usage": "allow",
    });
    app.management_patch_ok(&client.client_id, &admin_settings).await;
    let update = merge(
        update_body_from(&registration_of(&app, &client).await),
        json!({
            "client_name": "After",
            "redirect_uris": ["https://rp.example/cb2"],
            "post_logout_redirect_uris": ["https://rp.example/bye2"],
        }),
    );

    // Act
    let updated = app.put_client(&client.rcu, &client.rat, &update).await;

    // Assert
    updated.assert_status(200);
    let view = app.management_get_ok(&client.client_id).await;
    assert_eq!(view["name"], "After", "{view:#}");
    assert_eq!(view["callbacks"], json!(["https://rp.example/cb2"]), "{view:#}");
    assert_eq!(view["allowed_logout_urls"], json!(["https://rp.example/bye2"]), "{view:#}");
    assert_eq!(view["description"], admin_settings["description"], "{view:#}");
    assert_eq!(view["sso"], true, "{view:#}");
    assert_eq!(view["client_metadata"]["team"], "blue", "{view:#}");
    assert_eq!(view["organization_usage"], "allow", "{view:#}");
}

async fn a_management_delete_kills_the_registration_access_token(app: AdminApp) {
    // Arrange
    let client = app.register_ok(&minimal_with(json!({ "client_name": "Doomed" }))).await;
    let update = update_body_from(&client.body);

    // Act
    app.management_delete(app.tokens.all(), &client.client_id).await.assert_status(204);

    // Assert
    assert_invalid_token(&app.get_client(&client.rcu, &client.rat).await);
    assert_invalid_token(&app.put_client(&client.rcu, &client.rat, &update).await);
    assert_invalid_token(&app.delete_client(&client.rcu, &client.rat).await);
}

async fn an_rfc7592_delete_removes_the_client_from_the_management_api(app: AdminApp) {
    // Arrange
    let client = app.register_ok(&minimal_with(json!({ "client_name": "Leaving" }))).await;

    // Act
    app.delete_client(&client.rcu, &client.rat).await.assert_status(204);

    // Assert
    let reply = app.management_get(app.tokens.all(), &client.client_id).await;
    assert_management_error(&reply, 404, "inexistent_client", "client");
    assert_eq!(app.management_list_ok("").await, json!([]));
}

async fn rotating_the_secret_replaces_it_in_the_rfc7592_view_at_once(app: AdminApp) {
    // Arrange
    let client = app.register_ok(&minimal_with(json!({ "client_name": "Rotating" }))).await;
    let old = client.client_secret.clone().expect("a confidential client has a secret");

    // Act
    let rotated = app.rotate_secret(app.tokens.all(), &client.client_id).await;

    // Assert
    rotated.assert_status(200);
    let new = secret_of(&rotated.json());
    assert_ne!(new, old);
    let read = registration_of(&app, &client).await;
    assert_eq!(read["client_secret"], json!(new), "the RFC 7592 read shows the new secret");
    assert_eq!(
        read,
        merge(client.body.clone(), json!({ "client_secret": new })),
        "only the secret changed"
    );
    let with_old = app.put_client(&client.rcu, &client.rat, &update_body_from(&client.body)).await;
    assert_oauth_error(&with_old, 400, "invalid_request", "client_secret");
    let with_new = app.put_client(&client.rcu, &client.rat, &update_body_from(&read)).await;
    with_new.assert_status(200);
    assert_eq!(with_new.json()["client_secret"], json!(new), "{with_new}");
}

admin_tests_on_both_stores!(
    a_self_registered_client_shows_as_a_third_party_client_to_administrators,
    a_management_patch_shows_in_the_rfc7592_read,
    an_rfc7592_update_shows_to_administrators_and_keeps_their_settings,
    a_management_delete_kills_the_registration_access_token,
    an_rfc7592_delete_removes_the_client_from_the_management_api,
    rotating_the_secret_replaces_it_in_the_rfc7592_view_at_once,
);
