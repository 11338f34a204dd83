//! Other OIDC metadata: display and login URIs, request_uris, subject types, scalar
//! members (checklist items 49-53, 57, 62; sector_identifier_uri is in sector.rs).

use serde_json::json;

use crate::helpers::{
    assert_member, assert_oauth_error, assert_oauth_error_code, minimal_with, TestApp,
};

async fn initiate_login_uri_must_be_https_and_is_echoed_on_read(app: TestApp) {
    // Arrange (checklist item 49; suite modules oidcc-3rd_party-init-login[-nohttps])
    let good = minimal_with(json!({ "initiate_login_uri": "https://rp.example/login?x=1" }));
    let bad = minimal_with(json!({ "initiate_login_uri": "http://rp.example/login" }));

    // Act
    let client = app.register_ok(&good).await;
    let read = app.get_client(&client.rcu, &client.rat).await;
    let refused = app.register(&bad).await;

    // Assert
    assert_member(&client.body, "initiate_login_uri", &json!("https://rp.example/login?x=1"));
    read.assert_status(200).assert_json_content_type();
    assert_member(&read.json(), "initiate_login_uri", &json!("https://rp.example/login?x=1"));
    assert_oauth_error(&refused, 400, "invalid_client_metadata", "initiate_login_uri");
}

async fn initiate_login_uri_refuses_every_non_https_form(app: TestApp) {
    // Arrange
    let cases = [
        ("http://localhost/login", "plain http on loopback"),
        ("/login", "relative"),
        ("javascript:alert(1)", "javascript:"),
        ("com.example.app:/login", "a private-use scheme"),
    ];

    for (uri, why) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ "initiate_login_uri": uri }))).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_client_metadata", "initiate_login_uri");
    }
}

async fn request_uris_must_be_https_but_may_carry_a_fragment(app: TestApp) {
    // Arrange (checklist item 50)
    let cases = [
        ("https://rp.example/request.jwt", true, "https"),
        ("https://rp.example/request.jwt#d8f7a6c5", true, "https with a content hash fragment"),
        ("http://rp.example/request.jwt", false, "plain http"),
        ("/request.jwt", false, "relative"),
        ("javascript:alert(1)", false, "javascript:"),
    ];

    for (uri, accepted, why) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ "request_uris": [uri] }))).await;

        // Assert
        if accepted {
            assert_eq!(reply.status, 201, "{why}: expected 201\n{reply}");
            assert_member(&reply.json(), "request_uris", &json!([uri]));
        } else {
            assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
            assert_oauth_error(&reply, 400, "invalid_client_metadata", "request_uris");
        }
    }
}

async fn display_uris_must_be_https_or_loopback_http(app: TestApp) {
    // Arrange (checklist item 62)
    let members = ["logo_uri", "client_uri", "policy_uri", "tos_uri"];
    let cases = [
        ("https://rp.example/page", true, "https"),
        ("http://localhost:8080/page", true, "http on loopback"),
        ("http://127.0.0.1/page", true, "http on 127.0.0.1"),
        ("http://rp.example/page", false, "plain http"),
        ("javascript:alert(1)", false, "javascript:"),
        ("data:image/png;base64,iVBORw0KGgo=", false, "data:"),
        ("/page", false, "relative"),
        ("https://user@rp.example/page", false, "userinfo"),
    ];

    for member in members {
        for (uri, accepted, why) in cases {
            // Act
            let reply = app.register(&minimal_with(json!({ member: uri }))).await;

            // Assert
            if accepted {
                assert_eq!(reply.status, 201, "{member} {why}: expected 201\n{reply}");
                assert_member(&reply.json(), member, &json!(uri));
            } else {
                assert_eq!(reply.status, 400, "{member} {why}: expected 400\n{reply}");
                assert_oauth_error(&reply, 400, "invalid_client_metadata", member);
            }
        }
    }
}

async fn scalar_and_list_members_are_stored_as_sent(app: TestApp) {
    // Arrange (checklist item 52)
    let body = minimal_with(json!({
        "default_max_age": 0,
        "require_auth_time": true,
        "contacts": ["ops@rp.example", "first.last+tag@sub.rp.example"],
        "default_acr_values": ["urn:mace:incommon:iap:silver", "1"],
    }));

    // Act
    let client = app.register_ok(&body).await;

    // Assert
    for member in ["default_max_age", "require_auth_time", "contacts", "default_acr_values"] {
        assert_member(&client.body, member, &body[member]);
    }
}

async fn subject_types_are_public_or_pairwise_on_a_single_host(app: TestApp) {
    // Arrange (checklist items 51, 57): (body, accepted, why)
    let cases = [
        (minimal_with(json!({ "subject_type": "public" })), true, "public"),
        (minimal_with(json!({ "subject_type": "pairwise" })), true, "pairwise, one host"),
        (
            json!({
                "subject_type": "pairwise",
                "redirect_uris": ["https://rp.example/a", "https://rp.example/b"],
            }),
            true,
            "pairwise, two URIs on one host",
        ),
        (minimal_with(json!({ "subject_type": "foo" })), false, "an unknown type"),
        (minimal_with(json!({ "subject_type": "Public" })), false, "wrong case"),
        (
            json!({
                "subject_type": "pairwise",
                "redirect_uris": ["https://rp.example/cb", "https://other.example/cb"],
            }),
            false,
            "pairwise over two hosts without a sector identifier",
        ),
    ];

    for (body, accepted, why) in cases {
        // Act
        let reply = app.register(&body).await;

        // Assert
        if accepted {
            assert_eq!(reply.status, 201, "{why}: expected 201\n{reply}");
            assert_member(&reply.json(), "subject_type", &body["subject_type"]);
        } else {
            assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
            assert_oauth_error_code(&reply, 400, "invalid_client_metadata");
        }
    }
}

async fn an_unknown_subject_type_is_refused_naming_the_member(app: TestApp) {
    // Act
    let reply = app.register(&minimal_with(json!({ "subject_type": "foo" }))).await;

    // Assert
    assert_oauth_error(&reply, 400, "invalid_client_metadata", "subject_type");
}

on_both_stores!(
    initiate_login_uri_must_be_https_and_is_echoed_on_read,
    initiate_login_uri_refuses_every_non_https_form,
    request_uris_must_be_https_but_may_carry_a_fragment,
    display_uris_must_be_https_or_loopback_http,
    scalar_and_list_members_are_stored_as_sent,
    subject_types_are_public_or_pairwise_on_a_single_host,
    an_unknown_subject_type_is_refused_naming_the_member,
);
