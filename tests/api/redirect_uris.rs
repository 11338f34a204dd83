//! redirect_uris and post_logout_redirect_uris (checklist section D and item 53).

use serde_json::{json, Value};

use crate::helpers::{
    assert_member, assert_oauth_error, minimal_with, spawn_app, spawn_app_with, Backend, TestApp,
};

fn web(uris: &[&str]) -> Value {
    json!({ "redirect_uris": uris })
}

fn native(uris: &[&str]) -> Value {
    json!({ "redirect_uris": uris, "application_type": "native" })
}

fn web_implicit(uris: &[&str]) -> Value {
    json!({ "redirect_uris": uris, "response_types": ["id_token"], "grant_types": ["implicit"] })
}

/// URIs refused for every client type: not absolute, fragments, userinfo, wildcards,
/// dangerous schemes.
const ALWAYS_INVALID: [(&str, &str); 18] = [
    ("https://rp.example/cb#foobar", "a fragment"),
    ("https://rp.example/cb#", "an empty fragment"),
    ("/cb", "a relative reference"),
    ("rp.example/cb", "no scheme"),
    ("", "an empty string"),
    ("https://", "no host"),
    ("https://user@rp.example/cb", "userinfo"),
    ("https://user:pass@rp.example/cb", "userinfo with a password"),
    ("https://*.rp.example/cb", "a wildcard host"),
    ("https://rp.example/*", "a wildcard path"),
    ("javascript:alert(1)", "javascript:"),
    ("JavaScript:alert(1)", "javascript: in mixed case"),
    ("data:text/html,<script>alert(1)</script>", "data:"),
    ("vbscript:msgbox(1)", "vbscript:"),
    ("file:///etc/passwd", "file:"),
    ("blob:https://rp.example/0b1c", "blob:"),
    ("about:blank", "about:"),
    ("https://rp.example/c b", "a space"),
];

async fn invalid_redirect_uris_are_refused_for_web_native_and_implicit_clients(app: TestApp) {
    for (uri, why) in ALWAYS_INVALID {
        for (client_type, body) in [
            ("web", web(&[uri])),
            ("native", native(&[uri])),
            ("web implicit", web_implicit(&[uri])),
        ] {
            // Act
            let reply = app.register(&body).await;

            // Assert
            assert_eq!(reply.status, 400, "{client_type} with {why} ({uri:?})\n{reply}");
            assert_oauth_error(&reply, 400, "invalid_redirect_uri", "redirect_uri");
        }
    }
}

async fn redirect_uris_are_checked_by_client_type(app: TestApp) {
    // Arrange: (body, accepted, why)
    let cases = [
        (web(&["https://rp.example/cb"]), true, "web https"),
        (web(&["http://localhost:8080/cb"]), true, "web http localhost, code flow"),
        (web(&["http://127.0.0.1/cb"]), true, "web http 127.0.0.1"),
        (web(&["http://[::1]:9000/cb"]), true, "web http [::1]"),
        (web(&["com.example.app:/cb"]), true, "web private-use scheme, code flow"),
        (web(&["http://rp.example/cb"]), false, "web http on a public host"),
        (web(&["http://localhost.rp.example/cb"]), false, "web http, host only looks local"),
        (web(&["http://127.0.0.1.nip.io/cb"]), false, "web http, host only looks loopback"),
        (web_implicit(&["https://rp.example/cb"]), true, "implicit https"),
        (web_implicit(&["https://localhost/cb"]), false, "implicit https localhost"),
        (web_implicit(&["https://127.0.0.1/cb"]), false, "implicit https 127.0.0.1"),
        (web_implicit(&["https://[::1]/cb"]), false, "implicit https [::1]"),
        (web_implicit(&["http://rp.example/cb"]), false, "implicit http"),
        (web_implicit(&["http://localhost/cb"]), false, "implicit http localhost"),
        (web_implicit(&["com.example.app:/cb"]), false, "implicit private-use scheme"),
        (native(&["com.example.app:/cb"]), true, "native private-use scheme"),
        (native(&["com.example.app://callback"]), true, "native private-use scheme with //"),
        (native(&["http://127.0.0.1:5000/cb"]), true, "native 127.0.0.1 with a port"),
        (native(&["http://[::1]/cb"]), true, "native [::1]"),
        (native(&["http://localhost:51004/cb"]), true, "native localhost with a port"),
        (native(&["http://rp.example/cb"]), false, "native http on a public host"),
        (native(&["https://rp.example/cb"]), false, "native claimed https (flag off)"),
        (
            web(&["https://rp.example/cb", "https://rp.example/cb#x"]),
            false,
            "second element has a fragment",
        ),
        (
            web(&["https://rp.example/cb", "http://rp.example/cb"]),
            false,
            "second element is plain http",
        ),
    ];

    for (body, accepted, why) in cases {
        // Act
        let reply = app.register(&body).await;

        // Assert
        if accepted {
            assert_eq!(reply.status, 201, "{why}: expected 201\n{reply}");
            assert_member(&reply.json(), "redirect_uris", &body["redirect_uris"]);
        } else {
            assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
            assert_oauth_error(&reply, 400, "invalid_redirect_uri", "redirect_uri");
        }
    }
}

async fn redirect_uris_are_returned_byte_identical(app: TestApp) {
    // Arrange (checklist item 31: verbatim, for exact matching later)
    let uris = [
        "https://rp.example/cb?x=1&y=2",
        "https://RP.Example/a/b/cb?q=%7e&empty=",
        "https://rp.example/caf%C3%A9/",
        "https://rp.example",
        "https://rp.example:8443/cb?",
    ];
    let body = json!({ "redirect_uris": uris });

    // Act
    let client = app.register_ok(&body).await;
    let read = app.get_client(&client.rcu, &client.rat).await.json();

    // Assert
    assert_member(&client.body, "redirect_uris", &json!(uris));
    assert_member(&read, "redirect_uris", &json!(uris));
}

async fn the_redirect_uri_list_and_each_uri_are_capped(app: TestApp) {
    // Arrange
    let base = "https://rp.example/";
    let uri_of_length = |length: usize| format!("{base}{}", "a".repeat(length - base.len()));
    let hundred: Vec<String> = (0..100).map(|i| format!("https://rp.example/cb{i}")).collect();
    let hundred_and_one: Vec<String> =
        (0..101).map(|i| format!("https://rp.example/cb{i}")).collect();
    let cases = [
        (json!({ "redirect_uris": [uri_of_length(2048)] }), true, "a 2048-byte URI"),
        (json!({ "redirect_uris": [uri_of_length(2049)] }), false, "a 2049-byte URI"),
        (json!({ "redirect_uris": hundred }), true, "100 URIs"),
        (json!({ "redirect_uris": hundred_and_one }), false, "101 URIs"),
    ];

    for (body, accepted, why) in cases {
        // Act
        let reply = app.register(&body).await;

        // Assert
        if accepted {
            assert_eq!(reply.status, 201, "{why}: expected 201\n{reply}");
            assert_member(&reply.json(), "redirect_uris", &body["redirect_uris"]);
        } else {
            assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
            assert_oauth_error(&reply, 400, "invalid_redirect_uri", "redirect_uri");
        }
    }
}

async fn post_logout_redirect_uris_follow_the_redirect_rules_with_invalid_client_metadata(
    app: TestApp,
) {
    // Arrange: (uri, accepted, why)
    let cases = [
        ("https://rp.example/logout", true, "https"),
        ("https://rp.example/logout?x=1", true, "https with a query"),
        ("http://localhost:8080/logout", true, "http on loopback"),
        ("https://rp.example/logout#x", false, "a fragment"),
        ("https://rp.example/logout#", false, "an empty fragment"),
        ("http://rp.example/logout", false, "plain http"),
        ("/logout", false, "relative"),
        ("javascript:alert(1)", false, "javascript:"),
        ("https://user@rp.example/logout", false, "userinfo"),
        ("https://*.rp.example/logout", false, "a wildcard"),
    ];

    for (uri, accepted, why) in cases {
        // Act
        let body = minimal_with(json!({ "post_logout_redirect_uris": [uri] }));
        let reply = app.register(&body).await;

        // Assert
        if accepted {
            assert_eq!(reply.status, 201, "{why}: expected 201\n{reply}");
            assert_member(&reply.json(), "post_logout_redirect_uris", &json!([uri]));
        } else {
            assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
            assert_oauth_error(&reply, 400, "invalid_client_metadata", "post_logout_redirect_uris");
        }
    }
}

on_both_stores!(
    invalid_redirect_uris_are_refused_for_web_native_and_implicit_clients,
    redirect_uris_are_checked_by_client_type,
    redirect_uris_are_returned_byte_identical,
    the_redirect_uri_list_and_each_uri_are_capped,
    post_logout_redirect_uris_follow_the_redirect_rules_with_invalid_client_metadata,
);

#[tokio::test]
async fn native_clients_may_register_claimed_https_redirects_when_the_flag_allows_it() {
    // Arrange (checklist item 28 DECISION)
    let app = spawn_app_with(Backend::Memory, &["--allow-native-https-redirects"]).await;

    // Act
    let reply = app.register(&native(&["https://rp.example/cb"])).await;

    // Assert
    reply.assert_status(201);
}

#[tokio::test]
async fn the_native_https_flag_does_not_loosen_the_other_rules() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &["--allow-native-https-redirects"]).await;
    let cases = [
        ("https://rp.example/cb#x", "a fragment"),
        ("http://rp.example/cb", "plain http"),
        ("https://*.rp.example/cb", "a wildcard"),
    ];

    for (uri, why) in cases {
        // Act
        let reply = app.register(&native(&[uri])).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_redirect_uri", "redirect_uri");
    }
}

#[tokio::test]
async fn a_rejected_redirect_uri_is_never_replaced_by_an_edited_list() {
    // Arrange (checklist item 23)
    let app = spawn_app().await;
    let body = web(&["https://rp.example/ok", "https://rp.example/bad#frag"]);

    // Act
    let reply = app.register(&body).await;

    // Assert
    assert_eq!(reply.status, 400, "{reply}");
}
