//! Discovery documents, the server's JWKS, health endpoints (checklist section N).

use serde_json::{json, Value};

use crate::helpers::{
    assert_member, encryption_jwks, minimal, minimal_with, signing_jwks, spawn_app, spawn_app_with,
    Backend, TestApp,
};

const DOCUMENTS: [&str; 2] =
    ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"];

/// Lists every conformant dynamic OP must advertise, and the values each must contain.
const REQUIRED_LISTS: [(&str, &[&str]); 12] = [
    ("response_types_supported", &["code", "id_token", "id_token token"]),
    ("grant_types_supported", &["authorization_code", "implicit"]),
    ("subject_types_supported", &["public"]),
    ("id_token_signing_alg_values_supported", &["RS256"]),
    (
        "token_endpoint_auth_methods_supported",
        &[
            "client_secret_basic",
            "client_secret_post",
            "client_secret_jwt",
            "private_key_jwt",
            "none",
        ],
    ),
    ("scopes_supported", &["openid"]),
    ("request_object_signing_alg_values_supported", &["RS256"]),
    ("userinfo_signing_alg_values_supported", &[]),
    ("token_endpoint_auth_signing_alg_values_supported", &["RS256"]),
    ("id_token_encryption_alg_values_supported", &[]),
    ("id_token_encryption_enc_values_supported", &[]),
    ("userinfo_encryption_alg_values_supported", &[]),
];

/// The strings of an advertised list (panics with the document if it is not one).
#[track_caller]
fn list(doc: &Value, name: &str) -> Vec<String> {
    doc.get(name)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("discovery member {name:?} is missing or not an array: {doc:#}"))
        .iter()
        .map(|value| {
            value
                .as_str()
                .unwrap_or_else(|| panic!("{name:?} holds a non-string: {value}"))
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn both_discovery_documents_advertise_the_issuer_the_endpoints_and_the_required_lists() {
    // Arrange
    let app = spawn_app().await;

    for path in DOCUMENTS {
        // Act
        let reply = app.get(path).await;

        // Assert
        reply.assert_status(200).assert_json_content_type();
        let doc = reply.json();
        assert_member(&doc, "issuer", &json!(format!("http://127.0.0.1:{}", app.port)));
        for member in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
            let value = doc[member].as_str().unwrap_or_default();
            assert!(
                value.starts_with(&app.address),
                "{path}: {member} must be an absolute URL under the issuer, got {value:?}"
            );
        }
        assert_member(
            &doc,
            "registration_endpoint",
            &json!(format!("{}/oidc/register", app.address)),
        );
        for (name, required) in REQUIRED_LISTS {
            let advertised = list(&doc, name);
            for value in required {
                assert!(
                    advertised.iter().any(|v| v == value),
                    "{path}: {name} must contain {value:?}, got {advertised:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn default_scopes_supported_are_the_standard_openid_scopes() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let doc = app.discovery_doc().await;

    // Assert
    let mut scopes = list(&doc, "scopes_supported");
    scopes.sort();
    let mut expected = ["openid", "profile", "email", "address", "phone", "offline_access"];
    expected.sort();
    assert_eq!(scopes, expected);
}

#[tokio::test]
async fn the_issuer_flag_sets_the_issuer_the_registration_endpoint_and_the_client_uri() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &["--issuer", "https://op.example"]).await;

    // Act
    let doc = app.discovery_doc().await;
    let client = app.register_ok(&minimal()).await;

    // Assert
    assert_member(&doc, "issuer", &json!("https://op.example"));
    assert_member(&doc, "registration_endpoint", &json!("https://op.example/oidc/register"));
    assert_eq!(client.rcu, format!("https://op.example/oidc/register/{}", client.client_id));
}

#[tokio::test]
async fn token_endpoint_auth_signing_algs_never_include_none() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let doc = app.discovery_doc().await;

    // Assert (OIDC DCR §2: `none` MUST NOT be used there)
    let algs = list(&doc, "token_endpoint_auth_signing_alg_values_supported");
    assert!(!algs.iter().any(|alg| alg == "none"), "got {algs:?}");
}

/// Registers `body` and reports a failure as a message instead of panicking, so that one
/// test can list every advertised value the server then refuses (checklist item 98).
async fn try_register(app: &TestApp, what: String, body: Value, failures: &mut Vec<String>) {
    let reply = app.register(&body).await;
    if reply.status != 201 {
        failures.push(format!("{what}: {} {}", reply.status, reply.body));
    }
}

#[track_caller]
fn assert_no_failures(failures: &[String]) {
    assert!(
        failures.is_empty(),
        "advertised values that do not register:\n{}",
        failures.join("\n")
    );
}

fn grants_for(response_type: &str) -> Vec<&'static str> {
    let parts: Vec<&str> = response_type.split(' ').collect();
    let mut grants = Vec::new();
    if parts.contains(&"code") {
        grants.push("authorization_code");
    }
    if parts.contains(&"id_token") || parts.contains(&"token") {
        grants.push("implicit");
    }
    grants
}

#[tokio::test]
async fn every_advertised_response_type_grant_type_and_subject_type_registers() {
    // Arrange
    let app = spawn_app().await;
    let doc = app.discovery_doc().await;
    let mut failures = Vec::new();

    // Act
    for response_type in list(&doc, "response_types_supported") {
        // `none` (OAuth 2.0 Multiple Response Type Encoding Practices §4) returns nothing;
        // a client registers it next to `code`, whose grant the redirect URIs are for.
        let response_types = if response_type == "none" {
            vec!["code".to_owned(), response_type.clone()]
        } else {
            vec![response_type.clone()]
        };
        let grants: Vec<&str> = response_types.iter().flat_map(|t| grants_for(t)).collect();
        let body = minimal_with(json!({
            "response_types": response_types,
            "grant_types": grants,
        }));
        try_register(&app, format!("response type {response_type:?}"), body, &mut failures).await;
    }
    for grant in list(&doc, "grant_types_supported") {
        let body = match grant.as_str() {
            "authorization_code" => minimal_with(json!({ "grant_types": [grant] })),
            "implicit" => minimal_with(json!({
                "grant_types": ["implicit"], "response_types": ["id_token"],
            })),
            "refresh_token" => minimal_with(json!({
                "grant_types": ["authorization_code", "refresh_token"],
            })),
            _ => json!({ "grant_types": [grant] }),
        };
        try_register(&app, format!("grant type {grant:?}"), body, &mut failures).await;
    }
    for subject_type in list(&doc, "subject_types_supported") {
        let body = minimal_with(json!({ "subject_type": subject_type }));
        try_register(&app, format!("subject type {subject_type:?}"), body, &mut failures).await;
    }

    // Assert
    assert_no_failures(&failures);
}

#[tokio::test]
async fn every_advertised_token_endpoint_auth_method_and_signing_alg_registers() {
    // Arrange
    let app = spawn_app().await;
    let doc = app.discovery_doc().await;
    let mut failures = Vec::new();

    // Act
    for method in list(&doc, "token_endpoint_auth_methods_supported") {
        let mut body = minimal_with(json!({ "token_endpoint_auth_method": method }));
        if method == "private_key_jwt" {
            body["jwks"] = signing_jwks();
        }
        try_register(&app, format!("auth method {method:?}"), body, &mut failures).await;
    }
    for alg in list(&doc, "token_endpoint_auth_signing_alg_values_supported") {
        let body = if alg.starts_with("HS") {
            minimal_with(json!({
                "token_endpoint_auth_method": "client_secret_jwt",
                "token_endpoint_auth_signing_alg": alg,
            }))
        } else {
            minimal_with(json!({
                "token_endpoint_auth_method": "private_key_jwt",
                "token_endpoint_auth_signing_alg": alg,
                "jwks": signing_jwks(),
            }))
        };
        try_register(&app, format!("token_endpoint_auth_signing_alg {alg:?}"), body, &mut failures)
            .await;
    }

    // Assert
    assert_no_failures(&failures);
}

#[tokio::test]
async fn every_advertised_signing_alg_registers_for_id_tokens_userinfo_and_request_objects() {
    // Arrange
    let app = spawn_app().await;
    let doc = app.discovery_doc().await;
    let mut failures = Vec::new();
    let fields = [
        ("id_token_signing_alg_values_supported", "id_token_signed_response_alg"),
        ("userinfo_signing_alg_values_supported", "userinfo_signed_response_alg"),
        ("request_object_signing_alg_values_supported", "request_object_signing_alg"),
    ];

    // Act
    for (list_name, field) in fields {
        for alg in list(&doc, list_name) {
            // Response type `code` only (the default), so `none` is allowed for ID tokens.
            let body = minimal_with(json!({ field: alg, "jwks": signing_jwks() }));
            try_register(&app, format!("{field} {alg:?}"), body, &mut failures).await;
        }
    }

    // Assert
    assert_no_failures(&failures);
}

#[tokio::test]
async fn every_advertised_encryption_alg_and_enc_registers() {
    // Arrange
    let app = spawn_app().await;
    let doc = app.discovery_doc().await;
    let mut failures = Vec::new();
    let families = [
        ("id_token_encryption", "id_token_encrypted_response"),
        ("userinfo_encryption", "userinfo_encrypted_response"),
        ("request_object_encryption", "request_object_encryption"),
    ];

    // Act
    for (list_prefix, field_prefix) in families {
        let algs_name = format!("{list_prefix}_alg_values_supported");
        let encs_name = format!("{list_prefix}_enc_values_supported");
        if doc.get(&algs_name).is_none() {
            continue; // checked by the test of required lists where it is required
        }
        let algs = list(&doc, &algs_name);
        let alg_field = format!("{field_prefix}_alg");
        let enc_field = format!("{field_prefix}_enc");
        for alg in &algs {
            let body = minimal_with(json!({ &alg_field: alg, "jwks": encryption_jwks() }));
            try_register(&app, format!("{alg_field} {alg:?}"), body, &mut failures).await;
        }
        let Some(alg) = algs.first() else { continue };
        let encs = if doc.get(&encs_name).is_some() { list(&doc, &encs_name) } else { Vec::new() };
        for enc in encs {
            let body = minimal_with(json!({
                &alg_field: alg, &enc_field: enc, "jwks": encryption_jwks(),
            }));
            try_register(
                &app,
                format!("{alg_field} {alg:?} + {enc_field} {enc:?}"),
                body,
                &mut failures,
            )
            .await;
        }
    }

    // Assert
    assert_no_failures(&failures);
}

#[tokio::test]
async fn all_advertised_scopes_register_together_and_are_kept() {
    // Arrange
    let app = spawn_app().await;
    let scopes = list(&app.discovery_doc().await, "scopes_supported");
    let scope = scopes.join(" ");

    // Act
    let client = app.register_ok(&minimal_with(json!({ "scope": scope }))).await;

    // Assert
    let mut returned: Vec<&str> =
        client.body["scope"].as_str().unwrap_or_default().split(' ').collect();
    returned.sort_unstable();
    let mut expected: Vec<&str> = scopes.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(returned, expected, "body: {:#}", client.body);
}

#[tokio::test]
async fn the_scopes_flag_replaces_scopes_supported() {
    // Arrange
    let app = spawn_app_with(Backend::Memory, &["--scopes", "openid custom"]).await;

    // Act
    let doc = app.discovery_doc().await;
    let client = app.register_ok(&minimal_with(json!({ "scope": "openid custom email" }))).await;

    // Assert
    assert_eq!(list(&doc, "scopes_supported"), ["openid", "custom"]);
    assert_member(&client.body, "scope", &json!("openid custom"));
}

#[tokio::test]
async fn the_server_jwks_lists_public_keys_with_a_kid_and_no_private_members() {
    // Arrange
    let app = spawn_app().await;
    let jwks_uri = app.discovery_doc().await["jwks_uri"].as_str().expect("jwks_uri").to_owned();

    // Act
    let reply = app.get("/.well-known/jwks.json").await;
    let advertised = app.get_url(&jwks_uri).await;

    // Assert
    reply.assert_status(200).assert_json_content_type();
    let jwks = reply.json();
    let keys = jwks["keys"].as_array().expect("keys must be an array");
    assert!(!keys.is_empty(), "the JWKS must hold at least one key: {jwks:#}");
    for key in keys {
        assert!(key["kid"].is_string(), "every key needs a kid: {key}");
        assert!(key["kty"].is_string(), "every key needs a kty: {key}");
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(key.get(private).is_none(), "private member {private:?} published: {key}");
        }
    }
    advertised.assert_status(200);
    assert_eq!(advertised.json(), jwks, "jwks_uri must serve the same set");
}

#[tokio::test]
async fn healthz_and_readyz_answer_200_with_a_working_store() {
    // Arrange
    let app = spawn_app().await;

    for path in ["/healthz", "/readyz"] {
        // Act
        let reply = app.get(path).await;

        // Assert
        reply.assert_status(200);
    }
}

#[tokio::test]
async fn unknown_routes_answer_404_with_a_json_body() {
    // Arrange
    let app = spawn_app().await;

    for path in ["/nope", "/oidc/registerx", "/oidc/register/a/b", "/.well-known/x"] {
        // Act
        let reply = app.get(path).await;

        // Assert
        reply.assert_status(404).assert_json_content_type();
        assert!(reply.json().is_object(), "{reply}");
    }
}

#[tokio::test]
async fn discovery_claims_no_request_object_request_uri_or_response_mode_handling() {
    // Arrange: issue 15, pyoidc reads `require_request_uri_registration: true` and invents
    // request_uris for every registration; this server processes none of them.
    let app = spawn_app().await;

    for path in DOCUMENTS {
        // Act
        let doc = app.get(path).await.json();

        // Assert
        for flag in [
            "claims_parameter_supported",
            "request_parameter_supported",
            "request_uri_parameter_supported",
            "require_request_uri_registration",
        ] {
            assert_member(&doc, flag, &json!(false));
        }
        assert!(doc.get("response_modes_supported").is_none(), "{path}: {doc:#}");
    }
}
