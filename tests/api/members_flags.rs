//! Issue 17: the operator's capability flags decide what registers and what discovery
//! advertises, docs/metadata-registry.md agrees with discovery, and the management API
//! edits the mapped settings so that both views stay one client.

use serde_json::{json, Value};

use crate::admin_helpers::{assert_management_error, spawn_admin_app, spawn_admin_app_with};
use crate::helpers::{assert_oauth_error, minimal_with, spawn_app_with, update_body_from, Backend};
use crate::members::{all_on, jwks, CIBA};

/// The flags table of docs/metadata-registry.md: (flag, default on, discovery members).
fn documented_flags() -> Vec<(String, bool, Vec<String>)> {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/metadata-registry.md"))
            .expect("docs/metadata-registry.md");
    let table =
        doc.split("<!-- flags:start -->").nth(1).and_then(|t| t.split("<!-- flags:end -->").next());
    table
        .expect("the flags table")
        .lines()
        .filter(|line| line.starts_with("| `--"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let members = cells[4].split(", ").map(|m| m.trim_matches('`').to_owned()).collect();
            (cells[1].trim_matches('`').to_owned(), cells[3] == "on", members)
        })
        .collect()
}

#[tokio::test]
async fn discovery_advertises_what_the_docs_say_each_flag_turns_on() {
    let defaults = spawn_app_with(Backend::Memory, &[]).await.discovery_doc().await;
    let everything = all_on().await.discovery_doc().await;
    let flags = documented_flags();
    assert_eq!(flags.len(), 9, "one row per capability flag");
    for (flag, on_by_default, members) in flags {
        for member in members {
            assert!(everything.get(&member).is_some(), "{flag} on: {member} missing\n{everything}");
            assert_eq!(
                defaults.get(&member).is_some(),
                on_by_default,
                "{flag} default: {member}\n{defaults}"
            );
        }
    }
    let methods = |doc: &Value| doc["token_endpoint_auth_methods_supported"].clone();
    assert!(!methods(&defaults).as_array().unwrap().contains(&json!("tls_client_auth")));
    assert!(methods(&everything)
        .as_array()
        .unwrap()
        .contains(&json!("self_signed_tls_client_auth")));
    assert!(!defaults["grant_types_supported"].as_array().unwrap().contains(&json!(CIBA)));
    assert!(everything["grant_types_supported"].as_array().unwrap().contains(&json!(CIBA)));
    assert_eq!(
        defaults["pushed_authorization_request_endpoint"],
        format!("{}/oauth/par", defaults["issuer"].as_str().unwrap())
    );
}

#[tokio::test]
async fn turning_a_capability_off_refuses_its_members_and_withdraws_its_discovery() {
    let off = ["--backchannel-logout", "false", "--par", "false", "--dpop", "false"];
    let app = spawn_app_with(Backend::Memory, &off).await;
    let doc = app.discovery_doc().await;
    for member in [
        "backchannel_logout_supported",
        "pushed_authorization_request_endpoint",
        "dpop_signing_alg_values_supported",
    ] {
        assert!(doc.get(member).is_none(), "{member} advertised while off");
    }
    let cases = [
        (json!({ "backchannel_logout_uri": "https://rp.example/bc" }), "backchannel_logout_uri"),
        (
            json!({ "require_pushed_authorization_requests": true }),
            "require_pushed_authorization_requests",
        ),
        (json!({ "dpop_bound_access_tokens": true }), "dpop_bound_access_tokens"),
        // Off by default.
        (json!({ "frontchannel_logout_uri": "https://rp.example/fc" }), "frontchannel_logout_uri"),
        (
            json!({ "tls_client_certificate_bound_access_tokens": true }),
            "tls_client_certificate_bound_access_tokens",
        ),
        (
            json!({ "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": "rp.example" }),
            "token_endpoint_auth_method",
        ),
        (
            json!({ "token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": jwks() }),
            "token_endpoint_auth_method",
        ),
        (
            json!({ "authorization_signed_response_alg": "RS256" }),
            "authorization_signed_response_alg",
        ),
        (
            json!({ "introspection_signed_response_alg": "RS256" }),
            "introspection_signed_response_alg",
        ),
        (
            json!({ "authorization_details_types": ["payment_initiation"] }),
            "authorization_details_types",
        ),
        (
            json!({ "grant_types": [CIBA], "backchannel_token_delivery_mode": "poll" }),
            "grant_types",
        ),
        (json!({ "backchannel_token_delivery_mode": "poll" }), "backchannel_token_delivery_mode"),
    ];
    for (extra, member) in cases {
        let reply = app.register(&minimal_with(extra)).await;
        assert_oauth_error(&reply, 400, "invalid_client_metadata", member);
    }
    // `false` asks for nothing and is kept.
    let client = app.register_ok(&minimal_with(json!({ "dpop_bound_access_tokens": false }))).await;
    assert_eq!(client.body["dpop_bound_access_tokens"], false);
}

#[test]
fn a_certificate_header_is_honoured_only_from_trusted_proxies() {
    let refused =
        registrar::app::config::Settings::from_flags(["--client-cert-header", "x-client-cert"]);
    assert!(
        refused.is_err(),
        "a client certificate header without trusted proxies would let anyone claim one"
    );
    let accepted = registrar::app::config::Settings::from_flags([
        "--client-cert-header",
        "X-Client-Cert",
        "--trusted-proxies",
        "10.0.0.1",
    ])
    .unwrap();
    assert!(accepted.policy.capabilities.mtls);
    assert_eq!(accepted.capabilities.client_cert_header.as_deref(), Some("x-client-cert"));
    let bad_mode =
        registrar::app::config::Settings::from_flags(["--ciba-delivery-modes", "poll,fax"]);
    assert!(bad_mode.is_err());
}

#[tokio::test]
async fn a_management_patch_of_mapped_settings_shows_in_the_rfc7592_read() {
    let app = all_on().await;
    let client = app.register_ok(&minimal_with(json!({ "client_name": "RP" }))).await;

    app.management_patch_ok(
        &client.client_id,
        &json!({
            "oidc_logout": { "backchannel_logout_urls": ["https://rp.example/bc"],
                "backchannel_logout_initiators": { "mode": "all" } },
            "require_pushed_authorization_requests": true,
            "require_proof_of_possession": true,
            "signed_request_object": { "required": true },
        }),
    )
    .await;
    let read = app.get_client(&client.rcu, &client.rat).await;
    let view = app.management_get_ok(&client.client_id).await;

    read.assert_status(200);
    let read = read.json();
    assert_eq!(read["backchannel_logout_uri"], "https://rp.example/bc");
    assert_eq!(read["require_pushed_authorization_requests"], true);
    assert_eq!(read["dpop_bound_access_tokens"], true);
    assert_eq!(read["require_signed_request_object"], true);
    assert_eq!(view["oidc_logout"]["backchannel_logout_urls"], json!(["https://rp.example/bc"]));
    assert_eq!(view["oidc_logout"]["backchannel_logout_initiators"], json!({ "mode": "all" }));
    assert_eq!(view["require_proof_of_possession"], true);

    // And back: turning them off through the management API clears the members.
    app.management_patch_ok(
        &client.client_id,
        &json!({ "oidc_logout": { "backchannel_logout_urls": [] }, "require_proof_of_possession": false,
            "require_pushed_authorization_requests": false }),
    )
    .await;
    let read = app.get_client(&client.rcu, &client.rat).await.json();
    assert!(read.get("backchannel_logout_uri").is_none(), "{read}");
    assert_eq!(read["dpop_bound_access_tokens"], false);
    assert_eq!(read["require_pushed_authorization_requests"], false);
}

#[tokio::test]
async fn an_rfc7592_update_of_members_shows_in_the_management_view() {
    let app = all_on().await;
    let client = app.register_ok(&minimal_with(json!({}))).await;
    let before = app.management_get_ok(&client.client_id).await;
    assert_eq!(before["require_proof_of_possession"], false);
    assert!(before.get("oidc_logout").is_none());

    let mut body = update_body_from(&client.body);
    body["backchannel_logout_uri"] = json!("https://rp.example/bc");
    body["tls_client_certificate_bound_access_tokens"] = json!(true);
    body["require_pushed_authorization_requests"] = json!(true);
    app.put_client(&client.rcu, &client.rat, &body).await.assert_status(200);
    let after = app.management_get_ok(&client.client_id).await;

    assert_eq!(after["oidc_logout"]["backchannel_logout_urls"], json!(["https://rp.example/bc"]));
    assert_eq!(after["require_proof_of_possession"], true);
    assert_eq!(after["require_pushed_authorization_requests"], true);
}

#[tokio::test]
async fn mapped_settings_refuse_what_the_deployment_cannot_honour() {
    let app =
        spawn_admin_app_with(Backend::Memory, &["--par", "false", "--backchannel-logout", "false"])
            .await;
    let client = app.register_ok(&minimal_with(json!({}))).await;
    let cases = [
        (
            json!({ "require_pushed_authorization_requests": true }),
            "require_pushed_authorization_requests",
        ),
        (
            json!({ "oidc_logout": { "backchannel_logout_urls": ["https://rp.example/bc"] } }),
            "oidc_logout",
        ),
        (json!({ "require_proof_of_possession": "yes" }), "require_proof_of_possession"),
    ];
    for (body, field) in cases {
        let reply = app.management_patch(app.tokens.all(), &client.client_id, &body).await;
        assert_management_error(&reply, 400, "invalid_body", field);
    }
    let app = spawn_admin_app().await;
    let client = app.register_ok(&minimal_with(json!({}))).await;
    let two = json!({ "oidc_logout": { "backchannel_logout_urls": ["https://a.example/1", "https://a.example/2"] } });
    let reply = app.management_patch(app.tokens.all(), &client.client_id, &two).await;
    assert_management_error(&reply, 400, "invalid_body", "oidc_logout.backchannel_logout_urls");
    let http = json!({ "oidc_logout": { "backchannel_logout_urls": ["http://a.example/1"] } });
    let reply = app.management_patch(app.tokens.all(), &client.client_id, &http).await;
    assert_management_error(&reply, 400, "invalid_body", "oidc_logout.backchannel_logout_urls");
}

#[tokio::test]
async fn changing_the_auth_method_through_management_ends_the_certificate_subject() {
    let app = all_on().await;
    let body = minimal_with(json!({ "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_san_dns": "client.rp.example" }));
    let client = app.register_ok(&body).await;
    assert!(
        client.body.get("client_secret").is_none(),
        "mTLS clients get no secret: {}",
        client.body
    );

    app.management_patch_ok(
        &client.client_id,
        &json!({ "token_endpoint_auth_method": "client_secret_post" }),
    )
    .await;
    let read = app.get_client(&client.rcu, &client.rat).await.json();

    assert_eq!(read["token_endpoint_auth_method"], "client_secret_post");
    assert!(read.get("tls_client_auth_san_dns").is_none(), "{read}");
    // The client can send its read back as an update.
    app.put_client(&client.rcu, &client.rat, &update_body_from(&read)).await.assert_status(200);
}

#[tokio::test]
async fn client_authentication_methods_set_mutual_tls_in_the_registration_too() {
    let app = all_on().await;
    let client = app.register_ok(&minimal_with(json!({ "jwks": jwks() }))).await;
    let tls = json!({ "client_authentication_methods": { "tls_client_auth": { "credentials": [
        { "credential_type": "cert_subject", "member": "tls_client_auth_san_uri", "value": "spiffe://rp.example/a" }
    ] } } });

    let view = app.management_patch_ok(&client.client_id, &tls).await;
    let read = app.get_client(&client.rcu, &client.rat).await.json();

    assert_eq!(view["client_authentication_methods"], tls["client_authentication_methods"]);
    assert_eq!(read["token_endpoint_auth_method"], "tls_client_auth");
    assert_eq!(read["tls_client_auth_san_uri"], "spiffe://rp.example/a");
    app.put_client(&client.rcu, &client.rat, &update_body_from(&read)).await.assert_status(200);

    let self_signed = json!({ "client_authentication_methods": { "self_signed_tls_client_auth": { "credentials": [] } } });
    app.management_patch_ok(&client.client_id, &self_signed).await;
    let read = app.get_client(&client.rcu, &client.rat).await.json();
    assert_eq!(read["token_endpoint_auth_method"], "self_signed_tls_client_auth");
    assert!(read.get("tls_client_auth_san_uri").is_none(), "{read}");

    let bad_subject = json!({ "client_authentication_methods": { "tls_client_auth": { "credentials": [
        { "credential_type": "cert_subject", "member": "tls_client_auth_san_ip", "value": "not-an-ip" }
    ] } } });
    let reply = app.management_patch(app.tokens.all(), &client.client_id, &bad_subject).await;
    assert_management_error(
        &reply,
        400,
        "invalid_body",
        "client_authentication_methods.tls_client_auth.credentials",
    );

    let plain = spawn_admin_app().await;
    let client = plain.register_ok(&minimal_with(json!({}))).await;
    let reply = plain.management_patch(plain.tokens.all(), &client.client_id, &tls).await;
    assert_management_error(&reply, 400, "invalid_body", "client_authentication_methods");
}
