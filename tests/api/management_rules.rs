//! The rules a management API body must follow (seed 004's PATCH notes, seed 001's URL
//! settings, issue 4): a table of refused bodies, each answered 400 with a message naming
//! the field, and the values every setting accepts.

use serde_json::{json, Map, Value};

use crate::admin_helpers::{
    assert_insufficient_scope, assert_invalid_body, client_id_of, spawn_admin_app, AdminApp,
};
use crate::helpers::{
    assert_oauth_error_code, merge, minimal, minimal_with, signing_jwk, update_body_from,
    Registered,
};

/// A self-registered client with a signing key whose `kid` (`key-1`) is a credential id.
async fn client_with_a_key(app: &AdminApp) -> Registered {
    let key = merge(signing_jwk(), json!({ "kid": "key-1" }));
    app.register_ok(&minimal_with(json!({ "client_name": "Keyed", "jwks": { "keys": [key] } })))
        .await
}

fn private_key_jwt(id: &str) -> Value {
    json!({ "private_key_jwt": { "credentials": [{ "id": id }] } })
}

fn no_credentials() -> Value {
    json!({ "private_key_jwt": { "credentials": [] } })
}

/// `count` metadata keys `k0`, `k1`, ...
fn metadata_keys(count: usize) -> Value {
    let keys: Map<String, Value> = (0..count).map(|i| (format!("k{i}"), json!("v"))).collect();
    Value::Object(keys)
}

#[tokio::test]
async fn patch_bodies_that_break_a_rule_are_refused_naming_the_field() {
    // Arrange
    let app = spawn_admin_app().await;
    let client = client_with_a_key(&app).await;
    let id = &client.client_id;
    let before = app.management_get_ok(id).await;
    let long = "x".repeat(256);
    let cases = [
        // name: ^[^<>]+$
        (json!({ "name": "<script>" }), "name", "a name with <"),
        (json!({ "name": "a>b" }), "name", "a name with >"),
        (json!({ "name": "" }), "name", "an empty name"),
        (json!({ "name": null }), "name", "a null name"),
        (json!({ "name": 42 }), "name", "a name that is a number"),
        // description: at most 140 characters
        (json!({ "description": "x".repeat(141) }), "description", "141 characters"),
        (json!({ "description": "é".repeat(141) }), "description", "141 non-ASCII characters"),
        (json!({ "description": ["d"] }), "description", "a description that is a list"),
        // client_authentication_methods
        (
            json!({
                "client_authentication_methods": private_key_jwt("key-1"),
                "token_endpoint_auth_method": "client_secret_basic",
            }),
            "client_authentication_methods",
            "both authentication settings",
        ),
        (
            json!({ "client_authentication_methods": private_key_jwt("no-such-key") }),
            "client_authentication_methods",
            "a credential id the client does not have",
        ),
        (
            json!({ "client_authentication_methods": no_credentials() }),
            "client_authentication_methods",
            "no credential",
        ),
        (
            json!({ "client_authentication_methods": { "tls_client_auth": {} } }),
            "client_authentication_methods",
            "a method other than private_key_jwt",
        ),
        (
            json!({
                "client_authentication_methods": private_key_jwt("key-1"),
                "jwt_configuration": { "alg": "HS256" },
            }),
            "jwt_configuration.alg",
            "private_key_jwt with HS256",
        ),
        (
            json!({
                "client_authentication_methods": private_key_jwt("key-1"),
                "jwt_configuration": { "alg": "PS256" },
            }),
            "jwt_configuration.alg",
            "private_key_jwt with PS256",
        ),
        (json!({ "jwt_configuration": { "alg": "none" } }), "jwt_configuration.alg", "alg none"),
        (
            json!({ "jwt_configuration": { "alg": "rs256" } }),
            "jwt_configuration.alg",
            "alg in lower case",
        ),
        (
            json!({ "jwt_configuration": { "lifetime_in_seconds": 0 } }),
            "jwt_configuration.lifetime_in_seconds",
            "a zero lifetime",
        ),
        // is_first_party false needs the organization settings unset
        (
            json!({ "is_first_party": false, "organization_usage": "allow" }),
            "is_first_party",
            "third-party with organization_usage",
        ),
        (
            json!({ "is_first_party": false, "organization_require_behavior": "no_prompt" }),
            "is_first_party",
            "third-party with organization_require_behavior",
        ),
        (json!({ "is_first_party": "no" }), "is_first_party", "is_first_party not a boolean"),
        // initiate_login_uri: https
        (json!({ "initiate_login_uri": "http://rp.example/login" }), "initiate_login_uri", "http"),
        (json!({ "initiate_login_uri": "rp.example/login" }), "initiate_login_uri", "no scheme"),
        // client_metadata: at most 10 keys, key characters, values of at most 255
        (json!({ "client_metadata": metadata_keys(11) }), "client_metadata", "11 keys"),
        (json!({ "client_metadata": { "bad!key": "v" } }), "client_metadata", "a ! in a key"),
        (json!({ "client_metadata": { "ключ": "v" } }), "client_metadata", "a non-ASCII key"),
        (json!({ "client_metadata": { "": "v" } }), "client_metadata", "an empty key"),
        (json!({ "client_metadata": { "k": long } }), "client_metadata", "a 256-character value"),
        (json!({ "client_metadata": { "k": 5 } }), "client_metadata", "a value that is a number"),
        (json!({ "client_metadata": ["k"] }), "client_metadata", "metadata that is a list"),
        // par_request_expiry: 10 to 600
        (json!({ "par_request_expiry": 9 }), "par_request_expiry", "9 seconds"),
        (json!({ "par_request_expiry": 601 }), "par_request_expiry", "601 seconds"),
        (json!({ "par_request_expiry": -1 }), "par_request_expiry", "a negative expiry"),
        (json!({ "par_request_expiry": 60.5 }), "par_request_expiry", "a fractional expiry"),
        (json!({ "par_request_expiry": "60" }), "par_request_expiry", "an expiry as a string"),
        // every enum
        (json!({ "app_type": "desktop" }), "app_type", "an unknown app_type"),
        (json!({ "app_type": "SPA" }), "app_type", "an app_type in capitals"),
        (
            json!({ "token_endpoint_auth_method": "private_key_jwt" }),
            "token_endpoint_auth_method",
            "private_key_jwt (it goes in client_authentication_methods)",
        ),
        (json!({ "token_endpoint_auth_method": "basic" }), "token_endpoint_auth_method", "basic"),
        (json!({ "organization_usage": "sometimes" }), "organization_usage", "sometimes"),
        (
            json!({ "organization_require_behavior": "prompt" }),
            "organization_require_behavior",
            "prompt",
        ),
        (
            json!({ "organization_discovery_methods": ["phone"] }),
            "organization_discovery_methods",
            "phone",
        ),
        (
            json!({ "organization_discovery_methods": [] }),
            "organization_discovery_methods",
            "no method",
        ),
        (
            json!({ "organization_discovery_methods": "email" }),
            "organization_discovery_methods",
            "a string, not a list",
        ),
        (json!({ "compliance_level": "fapi3" }), "compliance_level", "fapi3"),
        (
            json!({ "async_approval_notification_channels": ["sms"] }),
            "async_approval_notification_channels",
            "sms",
        ),
        (
            json!({ "async_approval_notification_channels": [] }),
            "async_approval_notification_channels",
            "no channel",
        ),
        (
            json!({ "async_approval_notification_channels": ["email", "email"] }),
            "async_approval_notification_channels",
            "a repeated channel",
        ),
        (json!({ "grant_types": ["magic"] }), "grant_types", "an unknown grant type"),
        // post_login_prompt needs oidc_conformant
        (
            json!({
                "organization_require_behavior": "post_login_prompt",
                "oidc_conformant": false,
            }),
            "oidc_conformant",
            "post_login_prompt without oidc_conformant",
        ),
        // unknown and read-only fields
        (json!({ "colour": "blue" }), "colour", "an unknown field"),
        (json!({ "client_name": "RFC name" }), "client_name", "an RFC 7591 member"),
        (
            json!({ "redirect_uris": ["https://rp.example/cb"] }),
            "redirect_uris",
            "RFC 7591 redirect_uris",
        ),
        (json!({ "client_id": "other" }), "client_id", "client_id"),
        (json!({ "tenant": "other" }), "tenant", "tenant"),
        (json!({ "sso": "yes" }), "sso", "a boolean spelt yes"),
        (json!({ "client_secret": "short" }), "client_secret", "a 5-character secret"),
        // URL settings (seed 001): the protocol is required; wildcards only as a whole
        // leftmost label, never directly over a public suffix
        (json!({ "callbacks": ["https://*.com/cb"] }), "callbacks", "a wildcard over .com"),
        (json!({ "callbacks": ["https://*.co.uk/cb"] }), "callbacks", "a wildcard over .co.uk"),
        (
            json!({ "callbacks": ["https://*.github.io/cb"] }),
            "callbacks",
            "a wildcard over a private suffix",
        ),
        (json!({ "callbacks": ["https://*/cb"] }), "callbacks", "a bare wildcard host"),
        (
            json!({ "callbacks": ["https://a.*.example.com/cb"] }),
            "callbacks",
            "a wildcard in the middle",
        ),
        (json!({ "callbacks": ["https://*.*.example.com/cb"] }), "callbacks", "two wildcards"),
        (
            json!({ "callbacks": ["https://x*.example.com/cb"] }),
            "callbacks",
            "a partial-label wildcard",
        ),
        (json!({ "callbacks": ["https://example.com/*"] }), "callbacks", "a wildcard path"),
        (json!({ "callbacks": ["rp.example/cb"] }), "callbacks", "no protocol"),
        (json!({ "callbacks": ["https://rp.example/cb#top"] }), "callbacks", "a fragment"),
        (json!({ "callbacks": "https://rp.example/cb" }), "callbacks", "a string, not a list"),
        (
            json!({ "allowed_logout_urls": ["https://*.com/bye"] }),
            "allowed_logout_urls",
            "a wildcard over .com",
        ),
        (
            json!({ "allowed_logout_urls": ["rp.example/bye"] }),
            "allowed_logout_urls",
            "no protocol",
        ),
        (
            json!({ "allowed_origins": ["https://*.co.uk"] }),
            "allowed_origins",
            "a wildcard over .co.uk",
        ),
        (
            json!({ "allowed_origins": ["https://rp.example/path"] }),
            "allowed_origins",
            "an origin with a path",
        ),
        (json!({ "allowed_origins": ["rp.example"] }), "allowed_origins", "no protocol"),
        (json!({ "web_origins": ["https://*.com"] }), "web_origins", "a wildcard over .com"),
        (json!({ "web_origins": ["ftp://rp.example"] }), "web_origins", "not http(s)"),
    ];

    for (body, field, why) in cases {
        // Act
        let reply = app.management_patch(app.tokens.all(), id, &body).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400 for {body}\n{reply}");
        assert_invalid_body(&reply, field);
    }
    assert_eq!(app.management_get_ok(id).await, before, "no refused body changed the client");
}

#[tokio::test]
async fn every_documented_value_is_accepted_and_shown() {
    // Arrange
    let app = spawn_admin_app().await;
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "A" })).await);
    let mut cases: Vec<(&str, Value)> = vec![
        ("name", json!("Shop & Co. (staging)")),
        ("description", json!("x".repeat(140))),
        ("description", json!("é".repeat(140))),
        ("initiate_login_uri", json!("https://rp.example/login")),
        ("par_request_expiry", json!(10)),
        ("par_request_expiry", json!(600)),
        ("organization_discovery_methods", json!(["email"])),
        ("organization_discovery_methods", json!(["email", "organization_name"])),
        ("async_approval_notification_channels", json!(["guardian-push"])),
        ("async_approval_notification_channels", json!(["guardian-push", "email"])),
        ("callbacks", json!(["https://*.example.com/cb", "https://rp.example/cb"])),
        ("allowed_logout_urls", json!(["https://*.example.com/bye"])),
        ("allowed_origins", json!(["https://*.example.com"])),
        ("web_origins", json!(["https://*.example.co.uk"])),
        (
            "client_metadata",
            json!({ "Team name: (ops)/=+?*_\"@<>,-": "blue", "t\tab": "x".repeat(255) }),
        ),
    ];
    let app_types = [
        "native",
        "spa",
        "regular_web",
        "non_interactive",
        "resource_server",
        "express_configuration",
        "rms",
        "box",
        "cloudbees",
        "concur",
        "dropbox",
        "mscrm",
        "echosign",
        "egnyte",
        "newrelic",
        "office365",
        "salesforce",
        "sentry",
        "sharepoint",
        "slack",
        "springcm",
        "zendesk",
        "zoom",
        "sso_integration",
        "oag",
    ];
    cases.extend(app_types.map(|t| ("app_type", json!(t))));
    for method in ["none", "client_secret_post", "client_secret_basic"] {
        cases.push(("token_endpoint_auth_method", json!(method)));
    }
    for usage in ["deny", "allow", "require"] {
        cases.push(("organization_usage", json!(usage)));
    }
    for behavior in ["no_prompt", "pre_login_prompt", "post_login_prompt"] {
        cases.push(("organization_require_behavior", json!(behavior)));
    }
    for level in [
        "none",
        "fapi1_adv_pkj_par",
        "fapi1_adv_mtls_par",
        "fapi2_sp_pkj_mtls",
        "fapi2_sp_mtls_mtls",
    ] {
        cases.push(("compliance_level", json!(level)));
    }

    for (field, value) in cases {
        // Act
        let reply = app.management_patch(app.tokens.all(), &id, &json!({ field: value })).await;

        // Assert
        assert_eq!(reply.status, 200, "{field} = {value} should be accepted\n{reply}");
        let view = reply.json();
        let shown = match field {
            "client_metadata" => view[field].as_object().map(|m| {
                Value::Object(
                    m.iter()
                        .filter(|(k, _)| value.get(k.as_str()).is_some())
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            }),
            _ => view.get(field).cloned(),
        };
        assert_eq!(shown.as_ref(), Some(&value), "{field} as sent, in {view:#}");
        assert_eq!(app.management_get_ok(&id).await[field], view[field], "{field} kept");
    }
}

#[tokio::test]
async fn a_client_with_organization_settings_cannot_become_third_party_until_they_are_unset() {
    // Arrange
    let app = spawn_admin_app().await;
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "A" })).await);
    app.management_patch_ok(&id, &json!({ "organization_usage": "require" })).await;

    // Act
    let refused =
        app.management_patch(app.tokens.all(), &id, &json!({ "is_first_party": false })).await;
    let allowed = app
        .management_patch(
            app.tokens.all(),
            &id,
            &json!({ "is_first_party": false, "organization_usage": null }),
        )
        .await;

    // Assert
    assert_invalid_body(&refused, "organization_usage");
    allowed.assert_status(200);
    let view = allowed.json();
    assert_eq!(view["is_first_party"], false, "{allowed}");
    assert!(view.get("organization_usage").is_none(), "unset: {view:#}");
}

#[tokio::test]
async fn client_metadata_holds_ten_keys_counting_the_ones_already_there() {
    // Arrange: the view already carries keys derived from the registration metadata.
    let app = spawn_admin_app().await;
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "A" })).await);
    let present =
        app.management_get_ok(&id).await["client_metadata"].as_object().map_or(0, Map::len);
    assert!(present < 10, "room for at least one key");

    // Act
    let full = app
        .management_patch(
            app.tokens.all(),
            &id,
            &json!({ "client_metadata": metadata_keys(10 - present) }),
        )
        .await;
    let one_more = app
        .management_patch(app.tokens.all(), &id, &json!({ "client_metadata": { "extra": "v" } }))
        .await;
    let swapped = app
        .management_patch(
            app.tokens.all(),
            &id,
            &json!({ "client_metadata": { "k0": null, "extra": "v" } }),
        )
        .await;

    // Assert
    assert_eq!(full.status, 200, "exactly 10 keys\n{full}");
    assert_eq!(full.json()["client_metadata"].as_object().map(Map::len), Some(10), "{full}");
    assert_invalid_body(&one_more, "client_metadata");
    assert_eq!(swapped.status, 200, "removing one key makes room for another\n{swapped}");
    let metadata = swapped.json()["client_metadata"].clone();
    assert_eq!(metadata.as_object().map(Map::len), Some(10), "{metadata:#}");
    assert!(metadata.get("k0").is_none() && metadata["extra"] == "v", "{metadata:#}");
}

#[tokio::test]
async fn administrators_may_use_subdomain_wildcards_that_self_registration_may_not() {
    // Arrange
    let app = spawn_admin_app().await;
    let client = app.register_ok(&minimal()).await;
    let wildcard = "https://*.example.com/cb";

    // Act
    let admin = app
        .management_patch(app.tokens.all(), &client.client_id, &json!({ "callbacks": [wildcard] }))
        .await;
    let registration = app.register(&minimal_with(json!({ "redirect_uris": [wildcard] }))).await;
    let logout = app
        .register(&minimal_with(
            json!({ "post_logout_redirect_uris": ["https://*.example.com/bye"] }),
        ))
        .await;
    let fresh = app.register_ok(&minimal()).await;
    let update = merge(update_body_from(&fresh.body), json!({ "redirect_uris": [wildcard] }));
    let self_update = app.put_client(&fresh.rcu, &fresh.rat, &update).await;

    // Assert
    admin.assert_status(200);
    assert_eq!(admin.json()["callbacks"], json!([wildcard]), "{admin}");
    for (reply, field) in [
        (&registration, "redirect_uris"),
        (&logout, "post_logout_redirect_uris"),
        (&self_update, "redirect_uris"),
    ] {
        assert_eq!(reply.status, 400, "{field}: wildcards are for administrators\n{reply}");
        let code = reply.json()["error"].as_str().unwrap_or_default().to_owned();
        assert!(
            code == "invalid_redirect_uri" || code == "invalid_client_metadata",
            "{field}: an RFC 7591 error code\n{reply}"
        );
        assert_oauth_error_code(reply, 400, &code);
        let description = reply.json()["error_description"].as_str().unwrap_or_default().to_owned();
        assert!(description.contains(field), "{field} named\n{reply}");
    }
}

#[tokio::test]
async fn credentials_without_their_scope_are_refused_403_whatever_else_the_body_holds() {
    // Arrange (issue 15: a 400 about credential ids used to come before the 403)
    let app = spawn_admin_app().await;
    let client = client_with_a_key(&app).await;
    let token = app.tokens.all_but("update:client_credentials");
    let bodies = [
        json!({ "client_authentication_methods": private_key_jwt("no-such-key") }),
        json!({ "client_authentication_methods": no_credentials(), "name": "<bad>" }),
        json!({
            "client_authentication_methods": private_key_jwt("no-such-key"),
            "token_endpoint_auth_method": "client_secret_basic",
        }),
    ];

    for body in bodies {
        // Act
        let reply = app.management_patch(token, &client.client_id, &body).await;

        // Assert
        assert_insufficient_scope(&reply, "update:client_credentials");
    }
}

#[tokio::test]
async fn both_authentication_settings_together_are_refused_naming_both_before_credentials() {
    // Arrange
    let app = spawn_admin_app().await;
    let client = client_with_a_key(&app).await;
    let body = json!({
        "client_authentication_methods": private_key_jwt("no-such-key"),
        "token_endpoint_auth_method": "client_secret_basic",
    });

    // Act
    let reply = app.management_patch(app.tokens.all(), &client.client_id, &body).await;

    // Assert
    assert_invalid_body(&reply, "client_authentication_methods");
    let message = reply.json()["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.contains("token_endpoint_auth_method"), "{message}");
    assert!(message.contains("together"), "{message}");
}

#[tokio::test]
async fn client_metadata_is_the_users_alone_and_a_new_client_has_ten_free_keys() {
    // Arrange (issue 15: a fresh client already held application_type and subject_type)
    let app = spawn_admin_app().await;
    let created = app.management_create_ok(&json!({ "name": "Shop" })).await;
    let id = client_id_of(&created);
    let registered = app
        .register_ok(&minimal_with(
            json!({ "software_id": "s", "client_uri": "https://rp.example" }),
        ))
        .await;

    // Act
    let patched =
        app.management_patch_ok(&id, &json!({ "client_metadata": metadata_keys(10) })).await;
    let self_registered = app.management_get_ok(&registered.client_id).await;

    // Assert
    assert_eq!(created["client_metadata"], json!({}), "{created:#}");
    assert_eq!(patched["client_metadata"], metadata_keys(10), "{patched:#}");
    assert_eq!(self_registered["client_metadata"], json!({}), "{self_registered:#}");
}
