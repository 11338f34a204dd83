//! grant_types and response_types (checklist section E, items 32-35).

use serde_json::{json, Value};

use crate::helpers::{assert_member, assert_oauth_error_naming_one_of, minimal_with, TestApp};

async fn consistent_grant_and_response_types_are_registered_and_echoed(app: TestApp) {
    // Arrange: (body, why)
    let cases = [
        (
            minimal_with(json!({ "grant_types": ["authorization_code", "refresh_token"] })),
            "code with refresh tokens",
        ),
        (
            minimal_with(json!({ "response_types": ["id_token"], "grant_types": ["implicit"] })),
            "implicit id_token",
        ),
        (
            minimal_with(json!({
                "response_types": ["id_token token"], "grant_types": ["implicit"],
            })),
            "implicit id_token token",
        ),
        (
            minimal_with(json!({
                "response_types": ["code id_token"],
                "grant_types": ["authorization_code", "implicit"],
            })),
            "hybrid code id_token",
        ),
        (
            minimal_with(json!({
                "response_types": ["code", "code id_token token"],
                "grant_types": ["authorization_code", "implicit", "refresh_token"],
            })),
            "code plus hybrid",
        ),
        (
            json!({ "grant_types": ["client_credentials"], "response_types": [] }),
            "client credentials, empty response types",
        ),
        (
            minimal_with(json!({ "grant_types": ["authorization_code", "client_credentials"] })),
            "code and client credentials",
        ),
        (json!({ "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"] }), "device code"),
        (json!({ "grant_types": ["urn:ietf:params:oauth:grant-type:jwt-bearer"] }), "JWT bearer"),
        (
            json!({ "grant_types": ["urn:ietf:params:oauth:grant-type:token-exchange"] }),
            "token exchange",
        ),
    ];

    for (body, why) in cases {
        // Act
        let reply = app.register(&body).await;

        // Assert
        assert_eq!(reply.status, 201, "{why}: expected 201\n{reply}");
        let returned = reply.json();
        assert_member(&returned, "grant_types", &body["grant_types"]);
        if let Some(response_types) = body.get("response_types") {
            assert_member(&returned, "response_types", response_types);
        }
    }
}

async fn a_client_credentials_client_without_redirect_uris_gets_no_response_types(app: TestApp) {
    // Act
    let client = app.register_ok(&json!({ "grant_types": ["client_credentials"] })).await;

    // Assert (checklist item 24 DECISION)
    assert_member(&client.body, "grant_types", &json!(["client_credentials"]));
    assert_member(&client.body, "response_types", &json!([]));
    assert!(client.client_secret.is_some(), "{:#}", client.body);
}

const BOTH: &[&str] = &["grant_types", "response_types"];

async fn inconsistent_or_unsupported_grant_and_response_types_are_refused(app: TestApp) {
    // Arrange: (body, members either of which the description may name, why)
    let cases: &[(Value, &[&str], &str)] = &[
        (
            minimal_with(json!({
                "response_types": ["code id_token"], "grant_types": ["authorization_code"],
            })),
            BOTH,
            "code id_token needs implicit too",
        ),
        (
            minimal_with(json!({ "grant_types": ["implicit"] })),
            BOTH,
            "default response type code needs authorization_code",
        ),
        (
            minimal_with(json!({
                "response_types": ["token"], "grant_types": ["authorization_code"],
            })),
            BOTH,
            "token needs implicit",
        ),
        (
            minimal_with(json!({
                "response_types": ["code"], "grant_types": ["client_credentials"],
            })),
            BOTH,
            "code needs authorization_code",
        ),
        (
            minimal_with(json!({ "grant_types": ["authorization_code", "urn:x:unknown"] })),
            &["grant_types"],
            "an unknown grant type",
        ),
        (
            minimal_with(json!({ "grant_types": ["authorization_code", "password"] })),
            &["grant_types"],
            "the password grant",
        ),
        (
            minimal_with(json!({ "grant_types": ["AUTHORIZATION_CODE"] })),
            &["grant_types"],
            "a grant type in the wrong case",
        ),
        (
            minimal_with(json!({ "response_types": ["Code"] })),
            &["response_types"],
            "a response type in the wrong case",
        ),
        (
            minimal_with(json!({ "response_types": ["bogus"] })),
            &["response_types"],
            "an unknown response type",
        ),
        (
            minimal_with(json!({ "response_types": ["code code"] })),
            &["response_types"],
            "a repeated component",
        ),
        (
            json!({
                "grant_types": ["client_credentials"],
                "token_endpoint_auth_method": "none",
            }),
            &["token_endpoint_auth_method", "grant_types"],
            "a public client with client credentials",
        ),
    ];

    for (body, members, why) in cases {
        // Act
        let reply = app.register(body).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_oauth_error_naming_one_of(&reply, 400, "invalid_client_metadata", members);
    }
}

on_both_stores!(
    consistent_grant_and_response_types_are_registered_and_echoed,
    a_client_credentials_client_without_redirect_uris_gets_no_response_types,
    inconsistent_or_unsupported_grant_and_response_types_are_refused,
);
