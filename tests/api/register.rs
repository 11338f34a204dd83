//! POST /oidc/register success paths: the response format, defaults, identifiers and
//! when a secret is issued (checklist sections B, C, K and item 42).

use serde_json::{json, Value};

use crate::helpers::{
    assert_member, assert_url_safe_token, encryption_jwks, minimal, minimal_with, now,
    signing_jwks, spawn_app, TestApp, REDIRECT_URI,
};

async fn a_minimal_registration_returns_201_with_every_default_filled_in(app: TestApp) {
    // Act
    let reply = app.register(&minimal()).await;

    // Assert
    let client = reply.registered();
    let body = &client.body;
    assert_member(body, "redirect_uris", &json!([REDIRECT_URI]));
    for (member, default) in [
        ("token_endpoint_auth_method", json!("client_secret_basic")),
        ("grant_types", json!(["authorization_code"])),
        ("response_types", json!(["code"])),
        ("application_type", json!("web")),
        ("id_token_signed_response_alg", json!("RS256")),
        ("require_auth_time", json!(false)),
        ("subject_type", json!("public")),
        ("client_secret_expires_at", json!(0)),
    ] {
        assert_member(body, member, &default);
    }
    assert_url_safe_token(&client.client_id, 22, "client_id");
    let secret = client.client_secret.as_deref().expect("client_secret issued");
    assert_url_safe_token(secret, 43, "client_secret");
    assert_url_safe_token(&client.rat, 43, "registration_access_token");
    let issued_at = body["client_id_issued_at"]
        .as_i64()
        .unwrap_or_else(|| panic!("client_id_issued_at must be an integer: {body:#}"));
    assert!((issued_at - now()).abs() < 60, "client_id_issued_at {issued_at} is not now");
    assert_eq!(client.rcu, format!("{}/oidc/register/{}", app.address, client.client_id));
}

async fn two_registrations_get_distinct_ids_secrets_and_access_tokens(app: TestApp) {
    // Act
    let first = app.register_ok(&minimal()).await;
    let second = app.register_ok(&minimal()).await;

    // Assert
    assert_ne!(first.client_id, second.client_id);
    assert_ne!(first.client_secret, second.client_secret);
    assert_ne!(first.rat, second.rat);
    assert_ne!(first.rcu, second.rcu);
}

/// A body using every member the server understands, with non-default values.
fn full_metadata() -> Value {
    json!({
        "redirect_uris": ["https://rp.example/cb", "https://rp.example/cb2?x=1"],
        "token_endpoint_auth_method": "client_secret_post",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "application_type": "web",
        "client_name": "Example RP",
        "client_uri": "https://rp.example/",
        "logo_uri": "https://rp.example/logo.png",
        "policy_uri": "https://rp.example/policy",
        "tos_uri": "https://rp.example/tos",
        "contacts": ["ops@rp.example", "dev@rp.example"],
        "scope": "openid email",
        "jwks": encryption_jwks(),
        "subject_type": "public",
        "id_token_signed_response_alg": "PS256",
        "id_token_encrypted_response_alg": "RSA-OAEP-256",
        "id_token_encrypted_response_enc": "A256GCM",
        "userinfo_signed_response_alg": "RS256",
        "request_object_signing_alg": "RS256",
        "default_max_age": 3600,
        "require_auth_time": true,
        "default_acr_values": ["urn:mace:incommon:iap:silver"],
        "initiate_login_uri": "https://rp.example/login",
        "request_uris": ["https://rp.example/request.jwt#hash"],
        "post_logout_redirect_uris": ["https://rp.example/logout"],
    })
}

async fn every_registered_member_is_returned_as_sent_in_the_response_and_on_read(app: TestApp) {
    // Arrange
    let metadata = full_metadata();

    // Act
    let client = app.register_ok(&metadata).await;
    let read = app.get_client(&client.rcu, &client.rat).await;

    // Assert
    read.assert_status(200);
    let read = read.json();
    for (member, value) in metadata.as_object().expect("object") {
        assert_member(&client.body, member, value);
        assert_member(&read, member, value);
    }
}

async fn unknown_members_are_ignored_and_never_echoed(app: TestApp) {
    // Arrange
    let body = minimal_with(json!({
        "x_unknown": 1,
        "redirect_uris#en": ["https://attacker.example/cb"],
        "nested_unknown": { "a": [1, 2, 3] },
    }));

    // Act
    let client = app.register_ok(&body).await;
    let read = app.get_client(&client.rcu, &client.rat).await.json();

    // Assert
    for member in ["x_unknown", "redirect_uris#en", "nested_unknown"] {
        assert!(client.body.get(member).is_none(), "{member} echoed: {:#}", client.body);
        assert!(read.get(member).is_none(), "{member} returned on read: {read:#}");
    }
    assert_member(&client.body, "redirect_uris", &json!([REDIRECT_URI]));
}

async fn identifiers_and_credentials_in_the_body_are_replaced_by_server_values(app: TestApp) {
    // Arrange
    let body = minimal_with(json!({
        "client_id": "mine",
        "client_secret": "chosen-secret",
        "client_id_issued_at": 1,
        "registration_access_token": "chosen-token",
    }));

    // Act
    let client = app.register_ok(&body).await;

    // Assert
    assert_ne!(client.client_id, "mine");
    assert_ne!(client.client_secret.as_deref(), Some("chosen-secret"));
    assert_ne!(client.body["client_id_issued_at"], json!(1));
    assert_ne!(client.rat, "chosen-token");
    assert!(
        !client.body.to_string().contains("chosen-"),
        "a chosen value was echoed: {:#}",
        client.body
    );
    app.get_client(&client.rcu, "chosen-token").await.assert_status(401);
}

async fn null_values_and_empty_optional_strings_count_as_absent(app: TestApp) {
    // Arrange
    let body = json!({
        "redirect_uris": [REDIRECT_URI],
        "client_name": "",
        "client_uri": "",
        "logo_uri": "",
        "policy_uri": "",
        "tos_uri": "",
        "initiate_login_uri": "",
        "jwks_uri": "",
        "token_endpoint_auth_method": "",
        "contacts": null,
        "default_max_age": null,
        "grant_types": null,
        "response_types": null,
        "jwks": null,
        "scope": null,
    });

    // Act
    let client = app.register_ok(&body).await;

    // Assert
    for member in [
        "client_name",
        "client_uri",
        "logo_uri",
        "policy_uri",
        "tos_uri",
        "initiate_login_uri",
        "jwks_uri",
        "contacts",
        "default_max_age",
        "jwks",
    ] {
        assert!(
            client.body.get(member).is_none_or(Value::is_null),
            "{member} should be absent: {:#}",
            client.body
        );
    }
    assert_member(&client.body, "token_endpoint_auth_method", &json!("client_secret_basic"));
    assert_member(&client.body, "grant_types", &json!(["authorization_code"]));
    assert_member(&client.body, "response_types", &json!(["code"]));
    assert!(client.client_secret.is_some());
}

async fn a_secret_is_issued_only_when_the_client_needs_one(app: TestApp) {
    // Arrange: (extra metadata, secret expected, why)
    let cases = [
        (
            json!({ "token_endpoint_auth_method": "client_secret_basic" }),
            true,
            "client_secret_basic",
        ),
        (json!({ "token_endpoint_auth_method": "client_secret_post" }), true, "client_secret_post"),
        (json!({ "token_endpoint_auth_method": "client_secret_jwt" }), true, "client_secret_jwt"),
        (json!({ "token_endpoint_auth_method": "none" }), false, "none"),
        (
            json!({ "token_endpoint_auth_method": "private_key_jwt", "jwks": signing_jwks() }),
            false,
            "private_key_jwt with jwks",
        ),
        (
            json!({
                "token_endpoint_auth_method": "private_key_jwt",
                "jwks_uri": "https://rp.example/jwks.json",
            }),
            false,
            "private_key_jwt with jwks_uri",
        ),
        (
            json!({
                "token_endpoint_auth_method": "private_key_jwt", "jwks": signing_jwks(),
                "id_token_signed_response_alg": "HS256",
            }),
            true,
            "private_key_jwt but HS256 ID tokens",
        ),
        (
            json!({
                "token_endpoint_auth_method": "private_key_jwt", "jwks": signing_jwks(),
                "userinfo_signed_response_alg": "HS384",
            }),
            true,
            "private_key_jwt but HS384 UserInfo",
        ),
        (
            json!({
                "token_endpoint_auth_method": "private_key_jwt", "jwks": signing_jwks(),
                "request_object_signing_alg": "HS512",
            }),
            true,
            "private_key_jwt but HS512 request objects",
        ),
        (
            json!({
                "token_endpoint_auth_method": "private_key_jwt", "jwks": signing_jwks(),
                "id_token_encrypted_response_alg": "A128KW",
            }),
            true,
            "private_key_jwt but A128KW ID token encryption",
        ),
        (
            json!({
                "token_endpoint_auth_method": "private_key_jwt", "jwks": signing_jwks(),
                "userinfo_encrypted_response_alg": "dir",
            }),
            true,
            "private_key_jwt but dir UserInfo encryption",
        ),
        (
            json!({
                "token_endpoint_auth_method": "private_key_jwt", "jwks": signing_jwks(),
                "request_object_encryption_alg": "A256GCMKW",
            }),
            true,
            "private_key_jwt but A256GCMKW request object encryption",
        ),
    ];

    for (extra, secret_expected, why) in cases {
        // Act
        let client = app.register_ok(&minimal_with(extra)).await;

        // Assert
        match (&client.client_secret, secret_expected) {
            (Some(secret), true) => {
                assert_url_safe_token(secret, 43, why);
                assert_member(&client.body, "client_secret_expires_at", &json!(0));
            }
            (None, false) => {}
            (got, _) => {
                panic!("{why}: secret expected: {secret_expected}, got {got:?}\n{:#}", client.body)
            }
        }
    }
}

async fn scopes_the_server_does_not_support_are_dropped_from_the_returned_scope(app: TestApp) {
    // Act
    let client = app.register_ok(&minimal_with(json!({ "scope": "openid bogus" }))).await;

    // Assert (checklist item 22: the replacement is returned)
    assert_member(&client.body, "scope", &json!("openid"));
}

on_both_stores!(
    a_minimal_registration_returns_201_with_every_default_filled_in,
    two_registrations_get_distinct_ids_secrets_and_access_tokens,
    every_registered_member_is_returned_as_sent_in_the_response_and_on_read,
    unknown_members_are_ignored_and_never_echoed,
    identifiers_and_credentials_in_the_body_are_replaced_by_server_values,
    null_values_and_empty_optional_strings_count_as_absent,
    a_secret_is_issued_only_when_the_client_needs_one,
    scopes_the_server_does_not_support_are_dropped_from_the_returned_scope,
);

#[tokio::test]
async fn registration_accepts_a_json_content_type_with_parameters() {
    // Arrange
    let app = spawn_app().await;

    for content_type in
        ["application/json; charset=utf-8", "application/json;charset=UTF-8", "Application/JSON"]
    {
        // Act
        let reply = app.register_raw(minimal().to_string(), Some(content_type)).await;

        // Assert
        reply.assert_status(201).assert_json_content_type();
    }
}

#[tokio::test]
async fn a_body_just_under_the_default_size_limit_is_accepted() {
    // Arrange: 60 000 bytes, above actix's default JSON limit of 32 KiB.
    let app = spawn_app().await;
    let mut body = minimal_with(json!({ "x_padding": "" }));
    let padding = 60_000 - body.to_string().len();
    body["x_padding"] = json!("a".repeat(padding));

    // Act
    let reply = app.register(&body).await;

    // Assert
    reply.assert_status(201);
}

#[tokio::test]
async fn id_token_alg_none_is_allowed_for_code_only_clients() {
    // Arrange (checklist item 44; suite module oidcc-idtoken-unsigned)
    let app = spawn_app().await;
    let body = minimal_with(json!({
        "response_types": ["code"],
        "id_token_signed_response_alg": "none",
    }));

    // Act
    let client = app.register_ok(&body).await;

    // Assert
    assert_member(&client.body, "id_token_signed_response_alg", &json!("none"));
}

#[tokio::test]
async fn the_conformance_suite_registration_body_is_accepted() {
    // Arrange: what OIDCCCreateDynamicClientRegistrationRequest sends
    let app = spawn_app().await;
    let body = json!({
        "client_name": "OIDF Conformance Test oidcc-server",
        "grant_types": ["authorization_code"],
        "jwks": signing_jwks(),
        "token_endpoint_auth_method": "private_key_jwt",
        "response_types": ["code"],
        "redirect_uris": ["https://localhost.emobix.co.uk:8443/test/a/registrar/callback"],
        "contacts": ["certification@oidf.org"],
    });

    // Act
    let client = app.register_ok(&body).await;

    // Assert
    assert!(client.client_secret.is_none(), "{:#}", client.body);
    assert_member(&client.body, "jwks", &signing_jwks());
    app.delete_client(&client.rcu, &client.rat).await.assert_status(204);
}
