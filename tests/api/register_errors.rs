//! POST /oidc/register refusals: broken bodies, media types, sizes, member types and the
//! RFC 7591 §3.2.2 error format (checklist items 2, 12, 77, 78 and section J).

use serde_json::{json, Value};

use crate::helpers::{
    assert_oauth_error, assert_oauth_error_code, minimal, minimal_with, spawn_app, spawn_app_with,
    Backend, TestApp,
};

async fn a_body_that_is_not_a_json_object_is_refused_with_invalid_request(app: TestApp) {
    // Arrange
    let cases = [
        ("{", "truncated JSON"),
        (r#"{"redirect_uris": ["https://rp.example/cb"]"#, "unterminated object"),
        (r#"{"redirect_uris": ["https://rp.example/cb"]} x"#, "trailing garbage"),
        ("", "empty body"),
        ("[]", "an array"),
        (r#"[{"redirect_uris": ["https://rp.example/cb"]}]"#, "an array of objects"),
        (r#""text""#, "a string"),
        ("42", "a number"),
        ("null", "null"),
        ("true", "a boolean"),
        ("redirect_uris=https://rp.example/cb", "a form body"),
    ];

    for (body, description) in cases {
        // Act
        let reply = app.register_raw(body, Some("application/json")).await;

        // Assert
        assert_eq!(reply.status, 400, "{description}: expected 400\n{reply}");
        assert_oauth_error_code(&reply, 400, "invalid_request");
    }
}

async fn a_content_type_other_than_json_is_refused_with_415(app: TestApp) {
    // Arrange
    let json_body = minimal().to_string();
    let cases = [
        (json_body.as_str(), Some("text/plain"), "text/plain"),
        (json_body.as_str(), Some("text/json"), "text/json"),
        (json_body.as_str(), Some("application/jsonx"), "application/jsonx"),
        (json_body.as_str(), None, "no Content-Type"),
        (
            "redirect_uris=https%3A%2F%2Frp.example%2Fcb",
            Some("application/x-www-form-urlencoded"),
            "a form",
        ),
    ];

    for (body, content_type, description) in cases {
        // Act
        let reply = app.register_raw(body, content_type).await;

        // Assert
        assert_eq!(reply.status, 415, "{description}: expected 415\n{reply}");
        assert_oauth_error_code(&reply, 415, "invalid_request");
    }
}

async fn a_known_member_with_the_wrong_json_type_is_refused_naming_the_member(app: TestApp) {
    // Arrange: (member, value, expected error, why)
    let cases = [
        (
            "redirect_uris",
            json!("https://rp.example/cb"),
            "invalid_redirect_uri",
            "a string, not an array",
        ),
        ("redirect_uris", json!([1]), "invalid_redirect_uri", "an array of numbers"),
        ("redirect_uris", json!({ "a": 1 }), "invalid_redirect_uri", "an object"),
        ("default_max_age", json!("60"), "invalid_client_metadata", "a string"),
        ("default_max_age", json!(-1), "invalid_client_metadata", "negative"),
        ("default_max_age", json!(1.5), "invalid_client_metadata", "not an integer"),
        ("default_max_age", json!(true), "invalid_client_metadata", "a boolean"),
        ("require_auth_time", json!("yes"), "invalid_client_metadata", "a string"),
        ("require_auth_time", json!(1), "invalid_client_metadata", "a number"),
        ("contacts", json!("ops@rp.example"), "invalid_client_metadata", "a string"),
        ("contacts", json!([1]), "invalid_client_metadata", "an array of numbers"),
        ("contacts", json!(["not an e-mail address"]), "invalid_client_metadata", "not an e-mail"),
        ("default_acr_values", json!([1]), "invalid_client_metadata", "an array of numbers"),
        ("default_acr_values", json!("urn:acr:1"), "invalid_client_metadata", "a string"),
        ("grant_types", json!("authorization_code"), "invalid_client_metadata", "a string"),
        ("grant_types", json!([1]), "invalid_client_metadata", "an array of numbers"),
        ("response_types", json!("code"), "invalid_client_metadata", "a string"),
        ("response_types", json!([true]), "invalid_client_metadata", "an array of booleans"),
        ("token_endpoint_auth_method", json!(1), "invalid_client_metadata", "a number"),
        ("token_endpoint_auth_method", json!(["none"]), "invalid_client_metadata", "an array"),
        ("application_type", json!(1), "invalid_client_metadata", "a number"),
        ("application_type", json!("desktop"), "invalid_client_metadata", "an unknown type"),
        ("client_name", json!(5), "invalid_client_metadata", "a number"),
        ("client_name", json!(["x"]), "invalid_client_metadata", "an array"),
        ("client_uri", json!(5), "invalid_client_metadata", "a number"),
        ("logo_uri", json!({}), "invalid_client_metadata", "an object"),
        ("policy_uri", json!(true), "invalid_client_metadata", "a boolean"),
        ("tos_uri", json!([]), "invalid_client_metadata", "an array"),
        ("scope", json!(["openid"]), "invalid_client_metadata", "an array"),
        ("jwks", json!("x"), "invalid_client_metadata", "a string"),
        ("jwks", json!([]), "invalid_client_metadata", "an array"),
        ("jwks_uri", json!(1), "invalid_client_metadata", "a number"),
        ("id_token_signed_response_alg", json!(256), "invalid_client_metadata", "a number"),
        ("userinfo_signed_response_alg", json!(false), "invalid_client_metadata", "a boolean"),
        ("request_object_signing_alg", json!([]), "invalid_client_metadata", "an array"),
        ("token_endpoint_auth_signing_alg", json!(1), "invalid_client_metadata", "a number"),
        ("id_token_encrypted_response_alg", json!(1), "invalid_client_metadata", "a number"),
        ("subject_type", json!(1), "invalid_client_metadata", "a number"),
        ("initiate_login_uri", json!(1), "invalid_client_metadata", "a number"),
        ("request_uris", json!("https://rp.example/r"), "invalid_client_metadata", "a string"),
        (
            "post_logout_redirect_uris",
            json!("https://rp.example/logout"),
            "invalid_client_metadata",
            "a string",
        ),
    ];

    for (member, value, code, why) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ member: value }))).await;

        // Assert
        assert_eq!(reply.status, 400, "{member} as {why}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, code, member);
    }
}

async fn a_registration_without_redirect_uris_for_the_code_grant_is_refused(app: TestApp) {
    // Arrange (checklist item 24)
    let cases = [
        (json!({}), "empty object"),
        (json!({ "redirect_uris": [] }), "empty list"),
        (json!({ "redirect_uris": null }), "null"),
        (json!({ "client_name": "x", "grant_types": ["authorization_code"] }), "code grant"),
        (json!({ "grant_types": ["implicit"], "response_types": ["id_token"] }), "implicit grant"),
    ];

    for (body, why) in cases {
        // Act
        let reply = app.register(&body).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_redirect_uri", "redirect_uris");
    }
}

async fn a_software_statement_is_refused_as_unapproved(app: TestApp) {
    // Arrange: RFC 7591 §3.2.2 (statements are not supported yet)
    let statement = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.c2ln";
    let body = minimal_with(json!({ "software_statement": statement }));

    // Act
    let reply = app.register(&body).await;

    // Assert
    assert_oauth_error_code(&reply, 400, "unapproved_software_statement");
}

async fn a_client_name_with_angle_brackets_is_refused(app: TestApp) {
    // Arrange
    let cases = [
        ("client_name", "<script>alert(1)</script>"),
        ("client_name", "Example > Others"),
        ("client_name", "a<b"),
        ("client_name#en", "<b>bold</b>"),
    ];

    for (member, name) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ member: name }))).await;

        // Assert
        assert_eq!(reply.status, 400, "{member} = {name:?}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_client_metadata", "client_name");
    }
}

async fn error_descriptions_stay_ascii_when_the_offending_value_is_not(app: TestApp) {
    // Arrange (checklist item 77)
    let cases = [
        (minimal_with(json!({ "client_name": "<クライアント>" })), "invalid_client_metadata"),
        (json!({ "redirect_uris": ["https://例え.jp/cb#フラグメント"] }), "invalid_redirect_uri"),
        (minimal_with(json!({ "contacts": ["ünïcödé"] })), "invalid_client_metadata"),
        (minimal_with(json!({ "subject_type": "公開" })), "invalid_client_metadata"),
        (minimal_with(json!({ "client_name#日本": "x" })), "invalid_client_metadata"),
    ];

    for (body, code) in cases {
        // Act
        let reply = app.register(&body).await;

        // Assert (assert_oauth_error_code checks the description is ASCII)
        assert_oauth_error_code(&reply, 400, code);
    }
}

on_both_stores!(
    a_body_that_is_not_a_json_object_is_refused_with_invalid_request,
    a_content_type_other_than_json_is_refused_with_415,
    a_known_member_with_the_wrong_json_type_is_refused_naming_the_member,
    a_registration_without_redirect_uris_for_the_code_grant_is_refused,
    a_software_statement_is_refused_as_unapproved,
    a_client_name_with_angle_brackets_is_refused,
    error_descriptions_stay_ascii_when_the_offending_value_is_not,
);

#[tokio::test]
async fn a_body_over_the_default_limit_of_64_kib_is_refused_with_413() {
    // Arrange
    let app = spawn_app().await;
    let body = minimal_with(json!({ "x_padding": "a".repeat(70_000) }));

    // Act
    let reply = app.register(&body).await;

    // Assert
    assert_oauth_error_code(&reply, 413, "invalid_request");
}

#[tokio::test]
async fn the_max_body_bytes_flag_sets_the_size_limit() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &["--max-body-bytes", "1024"]).await;
    let padded = |length: usize| -> Value {
        let mut body = minimal_with(json!({ "x_padding": "" }));
        let padding = length - body.to_string().len();
        body["x_padding"] = json!("a".repeat(padding));
        body
    };

    // Act
    let under = app.register(&padded(1000)).await;
    let over = app.register(&padded(2000)).await;

    // Assert
    under.assert_status(201);
    assert_oauth_error_code(&over, 413, "invalid_request");
}
