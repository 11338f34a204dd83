//! Language-tagged human-readable members (checklist section I, items 59-61).

use serde_json::json;

use crate::helpers::{assert_member, assert_oauth_error, minimal_with, TestApp};

async fn localized_members_are_stored_and_returned_byte_identical(app: TestApp) {
    // Arrange (checklist item 59)
    let body = minimal_with(json!({
        "client_name": "My Example",
        "client_name#ja-Jpan-JP": "クライアント名",
        "client_name#fr": "Mon exemple à moi",
        "client_name#de-CH-1901": "Mein Beispiel",
        "logo_uri#ja-Jpan-JP": "https://rp.example/logo-ja.png",
        "client_uri#fr": "https://rp.example/fr/",
        "policy_uri#en-GB": "https://rp.example/en-gb/policy",
        "tos_uri#zh-Hant": "https://rp.example/zh-hant/tos",
    }));

    // Act
    let reply = app.register(&body).await;
    let client = reply.registered();
    let read = app.get_client(&client.rcu, &client.rat).await;

    // Assert
    for (member, value) in body.as_object().expect("object") {
        assert_member(&client.body, member, value);
        assert_member(&read.json(), member, value);
    }
    assert!(
        reply.body.contains("クライアント名") || reply.body.contains(r"\u30af"),
        "the UTF-8 name must come back intact: {}",
        reply.body
    );
}

async fn an_untagged_name_is_returned_unchanged(app: TestApp) {
    // Arrange (checklist item 61: no trimming, no case change, no normalization)
    let names = ["  Mixed CASE name  ", "Cafe\u{301}", "Caf\u{e9}", "名前"];

    for name in names {
        // Act
        let client = app.register_ok(&minimal_with(json!({ "client_name": name }))).await;

        // Assert
        assert_member(&client.body, "client_name", &json!(name));
    }
}

async fn malformed_language_tags_are_refused(app: TestApp) {
    // Arrange (checklist item 60)
    let cases = [
        ("client_name#", "an empty tag"),
        ("client_name#en_US", "an underscore"),
        ("client_name#toolongsubtag", "a subtag over 8 characters"),
        ("client_name#-en", "a leading hyphen"),
        ("client_name#en-", "a trailing hyphen"),
        ("client_name#en--US", "an empty subtag"),
        ("client_name#en US", "a space"),
        ("client_name#e\u{301}n", "a non-ASCII character"),
        ("logo_uri#en#fr", "two tags"),
    ];

    for (member, why) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ member: "x" }))).await;

        // Assert
        assert_eq!(reply.status, 400, "{member:?} ({why}): expected 400\n{reply}");
        let base = member.split('#').next().unwrap_or(member);
        assert_oauth_error(&reply, 400, "invalid_client_metadata", base);
    }
}

async fn two_tags_differing_only_in_case_are_refused(app: TestApp) {
    // Arrange (checklist item 60 DECISION)
    let body = minimal_with(json!({
        "client_name#en": "Example",
        "client_name#EN": "Other example",
    }));

    // Act
    let reply = app.register(&body).await;

    // Assert
    assert_oauth_error(&reply, 400, "invalid_client_metadata", "client_name");
}

async fn localized_uris_follow_the_rules_of_their_member(app: TestApp) {
    // Arrange
    let cases = [
        ("logo_uri#en", "http://rp.example/logo.png"),
        ("policy_uri#fr", "javascript:alert(1)"),
        ("tos_uri#de", "/tos"),
        ("client_uri#ja", "https://user@rp.example/"),
    ];

    for (member, uri) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ member: uri }))).await;

        // Assert
        assert_eq!(reply.status, 400, "{member} = {uri:?}: expected 400\n{reply}");
        let base = member.split('#').next().unwrap_or(member);
        assert_oauth_error(&reply, 400, "invalid_client_metadata", base);
    }
}

on_both_stores!(
    localized_members_are_stored_and_returned_byte_identical,
    an_untagged_name_is_returned_unchanged,
    malformed_language_tags_are_refused,
    two_tags_differing_only_in_case_are_refused,
    localized_uris_follow_the_rules_of_their_member,
);
