use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::*;
use crate::domain::settings::{settings_view, AdminSettings};

fn object(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("a JSON object")
}

/// A self-registered web client with one registered key, `k1`.
fn registered() -> Map<String, Value> {
    object(json!({
        "redirect_uris": ["https://a.example.com/cb"],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "implicit"],
        "response_types": ["code", "code id_token", "id_token"],
        "application_type": "web",
        "client_name": "Shop",
        "jwks": { "keys": [{ "kty": "RSA", "kid": "k1", "n": "AQAB", "e": "AQAB" }] },
        "id_token_signed_response_alg": "RS256",
        "software_id": "shop",
    }))
}

fn view_with(metadata: &Map<String, Value>, admin: Value) -> Map<String, Value> {
    let admin = AdminSettings { is_first_party: true, fields: object(admin) };
    settings_view("cid", metadata, &admin)
}

fn update(body: &Value) -> Result<ClientPatch, PatchError> {
    let meta = registered();
    parse_client_patch(
        &object(body.clone()),
        Operation::Update,
        &meta,
        &view_with(&meta, json!({})),
    )
}

fn create(body: &Value) -> Result<ClientPatch, PatchError> {
    parse_client_patch(&object(body.clone()), Operation::Create, &Map::new(), &Map::new())
}

#[test]
fn accepted_bodies_split_into_metadata_and_admin_changes() {
    #[rustfmt::skip]
    let cases: Vec<(&str, Value, Value, Value)> = vec![
        ("empty body changes nothing", json!({}), json!({}), json!({})),
        ("name goes to client_name", json!({ "name": "New shop" }),
            json!({ "client_name": "New shop" }), json!({})),
        ("description is admin-only", json!({ "description": "x".repeat(140) }),
            json!({}), json!({ "description": "x".repeat(140) })),
        ("null description resets it", json!({ "description": null }), json!({}), json!({ "description": null })),
        ("logo over http", json!({ "logo_uri": "http://a.example.com/l.png" }),
            json!({ "logo_uri": "http://a.example.com/l.png" }), json!({})),
        ("logo removed", json!({ "logo_uri": null }), json!({ "logo_uri": null }), json!({})),
        ("initiate_login_uri https", json!({ "initiate_login_uri": "https://a.example.com/login" }),
            json!({ "initiate_login_uri": "https://a.example.com/login" }), json!({})),
        ("callbacks with a wildcard", json!({ "callbacks": ["https://*.example.com/cb", "com.example.app:/cb"] }),
            json!({ "redirect_uris": ["https://*.example.com/cb", "com.example.app:/cb"] }), json!({})),
        ("logout URLs with query", json!({ "allowed_logout_urls": ["https://a.example.com/bye?x=1"] }),
            json!({ "post_logout_redirect_uris": ["https://a.example.com/bye?x=1"] }), json!({})),
        ("origins are admin settings",
            json!({ "allowed_origins": ["https://*.example.com"], "web_origins": ["http://localhost:3000"] }),
            json!({}), json!({ "allowed_origins": ["https://*.example.com"], "web_origins": ["http://localhost:3000"] })),
        ("origins back to the callbacks' default", json!({ "allowed_origins": null }),
            json!({}), json!({ "allowed_origins": null })),
        ("grants drop response types whose grant is gone",
            json!({ "grant_types": ["authorization_code", "refresh_token"] }),
            json!({ "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"] }), json!({})),
        ("implicit alone keeps its own types", json!({ "grant_types": ["implicit"] }),
            json!({ "grant_types": ["implicit"], "response_types": ["id_token"] }), json!({})),
        ("no redirect grant, no response types",
            json!({ "grant_types": ["client_credentials", "password", "urn:openid:params:grant-type:ciba"] }),
            json!({ "grant_types": ["client_credentials", "password", "urn:openid:params:grant-type:ciba"],
                    "response_types": [] }), json!({})),
        ("secret method", json!({ "token_endpoint_auth_method": "client_secret_post" }),
            json!({ "token_endpoint_auth_method": "client_secret_post" }),
            json!({ "client_authentication_methods": null })),
        ("null method is the default", json!({ "token_endpoint_auth_method": null }),
            json!({ "token_endpoint_auth_method": null }), json!({ "client_authentication_methods": null })),
        ("private_key_jwt with a registered kid",
            json!({ "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k1" }] } } }),
            json!({ "token_endpoint_auth_method": "private_key_jwt" }),
            json!({ "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k1" }] } } })),
        ("jwt_configuration keeps the current members and sets the ID token alg",
            json!({ "jwt_configuration": { "alg": "PS256", "lifetime_in_seconds": 3600 } }),
            json!({ "id_token_signed_response_alg": "PS256" }),
            json!({ "jwt_configuration": { "alg": "PS256", "lifetime_in_seconds": 3600, "secret_encoded": false } })),
        ("jwt_configuration without alg leaves the metadata alone",
            json!({ "jwt_configuration": { "scopes": {}, "secret_encoded": true } }), json!({}),
            json!({ "jwt_configuration": { "alg": "RS256", "lifetime_in_seconds": 36000, "secret_encoded": true, "scopes": {} } })),
        ("client_metadata changes only", json!({ "client_metadata": { "team": "a b", "gone": null } }),
            json!({}), json!({ "client_metadata": { "team": "a b" } })),
        ("client_metadata key characters", json!({ "client_metadata": { "a:,-+=_*?\"/()<>@\t Z9": "v" } }),
            json!({}), json!({ "client_metadata": { "a:,-+=_*?\"/()<>@\t Z9": "v" } })),
        ("par bounds", json!({ "par_request_expiry": 10 }), json!({}), json!({ "par_request_expiry": 10 })),
        ("par upper bound", json!({ "par_request_expiry": 600 }), json!({}), json!({ "par_request_expiry": 600 })),
        ("vocabularies", json!({ "app_type": "sso_integration", "organization_usage": "allow",
                "organization_require_behavior": "post_login_prompt", "compliance_level": "fapi2_sp_mtls_mtls",
                "organization_discovery_methods": ["email", "organization_name"],
                "async_approval_notification_channels": ["guardian-push"] }),
            json!({}), json!({ "app_type": "sso_integration", "organization_usage": "allow",
                "organization_require_behavior": "post_login_prompt", "compliance_level": "fapi2_sp_mtls_mtls",
                "organization_discovery_methods": ["email", "organization_name"],
                "async_approval_notification_channels": ["guardian-push"] })),
        ("nullable vocabularies", json!({ "organization_usage": null, "compliance_level": null }),
            json!({}), json!({ "organization_usage": null, "compliance_level": null })),
        ("booleans", json!({ "sso": true, "sso_disabled": false, "cross_origin_auth": true,
                "custom_login_page_on": false, "oidc_conformant": true, "is_token_endpoint_ip_header_trusted": true,
                "require_pushed_authorization_requests": true, "require_proof_of_possession": false,
                "skip_non_verifiable_callback_uri_confirmation_prompt": true }),
            json!({}), json!({ "sso": true, "sso_disabled": false, "cross_origin_auth": true,
                "custom_login_page_on": false, "oidc_conformant": true, "is_token_endpoint_ip_header_trusted": true,
                "require_pushed_authorization_requests": true, "require_proof_of_possession": false,
                "skip_non_verifiable_callback_uri_confirmation_prompt": true })),
        ("request spelling of cross-origin auth", json!({ "cross_origin_authentication": true }),
            json!({}), json!({ "cross_origin_auth": true })),
        ("strings", json!({ "cross_origin_loc": "https://a.example.com/co", "custom_login_page": "<html/>",
                "custom_login_page_preview": "", "form_template": "<form/>" }),
            json!({}), json!({ "cross_origin_loc": "https://a.example.com/co", "custom_login_page": "<html/>",
                "custom_login_page_preview": "", "form_template": "<form/>" })),
        ("objects kept as sent", json!({ "addons": { "aws": {} }, "refresh_token": { "rotation_type": "rotating" },
                "mobile": {}, "session_transfer": null }),
            json!({}), json!({ "addons": { "aws": {} }, "refresh_token": { "rotation_type": "rotating" },
                "mobile": {}, "session_transfer": null })),
        ("string lists", json!({ "allowed_clients": ["c1"], "client_aliases": [] }),
            json!({}), json!({ "allowed_clients": ["c1"], "client_aliases": [] })),
        ("third party with organizations unset in the same body",
            json!({ "is_first_party": false, "organization_usage": null, "organization_require_behavior": null }),
            json!({}), json!({ "organization_usage": null, "organization_require_behavior": null })),
    ];
    for (why, body, metadata, admin) in cases {
        let patch = update(&body).unwrap_or_else(|e| panic!("{why}: refused with {e}"));
        assert_eq!(Value::Object(patch.metadata), metadata, "{why}: metadata");
        assert_eq!(Value::Object(patch.admin), admin, "{why}: admin");
    }
}

#[test]
fn refused_bodies_name_the_field() {
    let nine: Map<String, Value> = (0..9).map(|n| (format!("k{n}"), json!("v"))).collect();
    #[rustfmt::skip]
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "nmae": "x" }), "nmae"),
        (json!({ "client_id": "x" }), "client_id"),
        (json!({ "tenant": "x" }), "tenant"),
        (json!({ "global": false }), "global"),
        (json!({ "signing_keys": [] }), "signing_keys"),
        (json!({ "signing_key": {} }), "signing_key"),
        (json!({ "callback_url_template": true }), "callback_url_template"),
        (json!({ "owners": [] }), "owners"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": null }), "name"),
        (json!({ "name": 5 }), "name"),
        (json!({ "name": "a<b" }), "name"),
        (json!({ "name": "a>b" }), "name"),
        (json!({ "name": "a\nb" }), "name"),
        (json!({ "name": "n".repeat(256) }), "name"),
        (json!({ "description": "d".repeat(141) }), "description"),
        (json!({ "description": 1 }), "description"),
        (json!({ "logo_uri": "ftp://a.example.com/l.png" }), "logo_uri"),
        (json!({ "logo_uri": "javascript:alert(1)" }), "logo_uri"),
        (json!({ "initiate_login_uri": "http://a.example.com/login" }), "initiate_login_uri"),
        (json!({ "client_secret": "short" }), "client_secret"),
        (json!({ "client_secret": format!("{} x", "s".repeat(40)) }), "client_secret"),
        (json!({ "client_secret": null }), "client_secret"),
        (json!({ "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k1" }] } },
                 "token_endpoint_auth_method": "client_secret_post" }), "client_authentication_methods"),
        (json!({ "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k2" }] } } }),
            "client_authentication_methods.private_key_jwt.credentials"),
        (json!({ "client_authentication_methods": { "private_key_jwt": { "credentials": [] } } }),
            "client_authentication_methods.private_key_jwt.credentials"),
        (json!({ "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k1" }, { "id": "k1" }] } } }),
            "client_authentication_methods.private_key_jwt.credentials"),
        (json!({ "client_authentication_methods": { "tls_client_auth": {} } }), "client_authentication_methods.tls_client_auth"),
        (json!({ "client_authentication_methods": {} }), "client_authentication_methods"),
        (json!({ "client_authentication_methods": [] }), "client_authentication_methods"),
        (json!({ "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k1" }] } },
                 "jwt_configuration": { "alg": "HS256" } }), "jwt_configuration.alg"),
        (json!({ "token_endpoint_auth_method": "private_key_jwt" }), "token_endpoint_auth_method"),
        (json!({ "token_endpoint_auth_method": "client_secret_jwt" }), "token_endpoint_auth_method"),
        (json!({ "is_first_party": "no" }), "is_first_party"),
        (json!({ "client_metadata": nine }), "client_metadata"),
        (json!({ "client_metadata": { "bad!key": "v" } }), "client_metadata"),
        (json!({ "client_metadata": { "": "v" } }), "client_metadata"),
        (json!({ "client_metadata": { "k".repeat(256): "v" } }), "client_metadata"),
        (json!({ "client_metadata": { "k": "v".repeat(256) } }), "client_metadata"),
        (json!({ "client_metadata": { "k": 1 } }), "client_metadata"),
        (json!({ "client_metadata": null }), "client_metadata"),
        (json!({ "client_metadata": { "software_id": null } }), "client_metadata"),
        (json!({ "par_request_expiry": 9 }), "par_request_expiry"),
        (json!({ "par_request_expiry": 601 }), "par_request_expiry"),
        (json!({ "par_request_expiry": 60.5 }), "par_request_expiry"),
        (json!({ "par_request_expiry": "60" }), "par_request_expiry"),
        (json!({ "app_type": "web" }), "app_type"),
        (json!({ "app_type": null, "sso": null }), "sso"),
        (json!({ "organization_usage": "forbid" }), "organization_usage"),
        (json!({ "organization_require_behavior": "prompt" }), "organization_require_behavior"),
        (json!({ "organization_require_behavior": "post_login_prompt", "oidc_conformant": false }), "oidc_conformant"),
        (json!({ "organization_discovery_methods": [] }), "organization_discovery_methods"),
        (json!({ "organization_discovery_methods": ["phone"] }), "organization_discovery_methods"),
        (json!({ "organization_discovery_methods": ["email", "email"] }), "organization_discovery_methods"),
        (json!({ "compliance_level": "fapi3" }), "compliance_level"),
        (json!({ "async_approval_notification_channels": [] }), "async_approval_notification_channels"),
        (json!({ "async_approval_notification_channels": ["sms"] }), "async_approval_notification_channels"),
        (json!({ "grant_types": ["authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"] }), "grant_types"),
        (json!({ "grant_types": "authorization_code" }), "grant_types"),
        (json!({ "grant_types": null }), "grant_types"),
        (json!({ "jwt_configuration": { "alg": "RS512" } }), "jwt_configuration.alg"),
        (json!({ "jwt_configuration": { "lifetime_in_seconds": 0 } }), "jwt_configuration.lifetime_in_seconds"),
        (json!({ "jwt_configuration": { "lifetime_in_seconds": -5 } }), "jwt_configuration.lifetime_in_seconds"),
        (json!({ "jwt_configuration": { "scopes": [] } }), "jwt_configuration.scopes"),
        (json!({ "jwt_configuration": { "secret_encoded": "yes" } }), "jwt_configuration.secret_encoded"),
        (json!({ "jwt_configuration": { "kid": "x" } }), "jwt_configuration.kid"),
        (json!({ "jwt_configuration": null }), "jwt_configuration"),
        (json!({ "callbacks": ["https://*.com/cb"] }), "callbacks"),
        (json!({ "callbacks": ["https://a.example.com/cb#x"] }), "callbacks"),
        (json!({ "callbacks": "https://a.example.com/cb" }), "callbacks"),
        (json!({ "callbacks": [5] }), "callbacks"),
        (json!({ "callbacks": vec!["https://a.example.com/cb"; 101] }), "callbacks"),
        (json!({ "allowed_logout_urls": ["https://*.github.io/bye"] }), "allowed_logout_urls"),
        (json!({ "allowed_logout_urls": ["a.example.com/bye"] }), "allowed_logout_urls"),
        (json!({ "allowed_origins": ["https://a.example.com/path"] }), "allowed_origins"),
        (json!({ "allowed_origins": ["https://*.co.uk"] }), "allowed_origins"),
        (json!({ "web_origins": ["com.example.app:/cb"] }), "web_origins"),
        (json!({ "sso": "true" }), "sso"),
        (json!({ "sso_disabled": 1 }), "sso_disabled"),
        (json!({ "cross_origin_auth": null }), "cross_origin_auth"),
        (json!({ "cross_origin_auth": true, "cross_origin_authentication": false }), "cross_origin_authentication"),
        (json!({ "custom_login_page_on": [] }), "custom_login_page_on"),
        (json!({ "oidc_conformant": "true" }), "oidc_conformant"),
        (json!({ "is_token_endpoint_ip_header_trusted": 0 }), "is_token_endpoint_ip_header_trusted"),
        (json!({ "require_pushed_authorization_requests": {} }), "require_pushed_authorization_requests"),
        (json!({ "require_proof_of_possession": "no" }), "require_proof_of_possession"),
        (json!({ "skip_non_verifiable_callback_uri_confirmation_prompt": 1 }), "skip_non_verifiable_callback_uri_confirmation_prompt"),
        (json!({ "cross_origin_loc": "not a url" }), "cross_origin_loc"),
        (json!({ "custom_login_page": 1 }), "custom_login_page"),
        (json!({ "custom_login_page_preview": [] }), "custom_login_page_preview"),
        (json!({ "form_template": {} }), "form_template"),
        (json!({ "addons": [] }), "addons"),
        (json!({ "oidc_logout": "x" }), "oidc_logout"),
        (json!({ "oidc_backchannel_logout": 1 }), "oidc_backchannel_logout"),
        (json!({ "native_social_login": true }), "native_social_login"),
        (json!({ "refresh_token": [] }), "refresh_token"),
        (json!({ "default_organization": "org" }), "default_organization"),
        (json!({ "mobile": 1 }), "mobile"),
        (json!({ "encryption_key": "k" }), "encryption_key"),
        (json!({ "signed_request_object": [] }), "signed_request_object"),
        (json!({ "token_exchange": 1 }), "token_exchange"),
        (json!({ "express_configuration": "x" }), "express_configuration"),
        (json!({ "session_transfer": false }), "session_transfer"),
        (json!({ "allowed_clients": "c1" }), "allowed_clients"),
        (json!({ "client_aliases": [""] }), "client_aliases"),
    ];
    for (body, field) in cases {
        let e = update(&body).expect_err(&format!("{body} must be refused"));
        assert_eq!(e.field, field, "{body}: {e}");
        assert!(e.message.is_ascii() && !e.message.is_empty(), "{body}: {e}");
    }
}

#[test]
fn client_metadata_counts_the_keys_the_client_already_has() {
    let meta = registered();
    let keys = |range: std::ops::Range<usize>| -> Map<String, Value> {
        range.map(|n| (format!("k{n}"), json!("v"))).collect()
    };
    // The registration supplies application_type and software_id: 8 more fit, 9 do not.
    assert!(update(&json!({ "client_metadata": keys(0..8) })).is_ok());
    assert_eq!(
        update(&json!({ "client_metadata": keys(0..9) })).unwrap_err().field,
        "client_metadata"
    );
    // An administrator's key can be removed to make room.
    let view = view_with(&meta, json!({ "client_metadata": { "team": "x" } }));
    let mut body = keys(0..8);
    let too_many = object(json!({ "client_metadata": body.clone() }));
    assert!(parse_client_patch(&too_many, Operation::Update, &meta, &view).is_err());
    body.insert("team".into(), Value::Null);
    let patch = parse_client_patch(
        &object(json!({ "client_metadata": body })),
        Operation::Update,
        &meta,
        &view,
    )
    .unwrap();
    assert_eq!(patch.admin["client_metadata"]["team"], Value::Null);
    // An administrator's value over a registration key can be removed; the key stays.
    let over = view_with(&meta, json!({ "client_metadata": { "software_id": "admin's" } }));
    let body = object(json!({ "client_metadata": { "software_id": null } }));
    let patch = parse_client_patch(&body, Operation::Update, &meta, &over).unwrap();
    assert_eq!(patch.admin["client_metadata"], json!({ "software_id": null }));
}

#[test]
fn secrets_and_credentials_need_their_scopes() {
    let secret = "s".repeat(32);
    let patch = update(&json!({ "client_secret": secret, "name": "A" })).unwrap();
    assert_eq!(patch.client_secret.as_deref(), Some(secret.as_str()));
    assert_eq!(patch.required_scopes, ["update:client_keys"]);
    let body = json!({
        "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k1" }] } },
        "jwt_configuration": { "alg": "RS256" },
        "client_secret": secret,
    });
    assert_eq!(
        update(&body).unwrap().required_scopes,
        ["update:client_credentials", "update:client_keys"]
    );
    assert!(update(&json!({ "name": "A" })).unwrap().required_scopes.is_empty());
}

#[test]
fn private_key_jwt_needs_rs256_from_the_body_or_the_client() {
    let meta = registered();
    let body = object(json!({
        "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k1" }] } }
    }));
    // The effective alg is the metadata's (`id_token_signed_response_alg`).
    let mut hs_meta = meta.clone();
    hs_meta.insert("id_token_signed_response_alg".into(), json!("HS256"));
    let hs = view_with(&hs_meta, json!({ "jwt_configuration": { "alg": "HS256" } }));
    let e = parse_client_patch(&body, Operation::Update, &meta, &hs).unwrap_err();
    assert_eq!(e.field, "client_authentication_methods");
    let mut fixed = body.clone();
    fixed.insert("jwt_configuration".into(), json!({ "alg": "RS256" }));
    assert!(parse_client_patch(&fixed, Operation::Update, &meta, &hs).is_ok());

    // A client on private_key_jwt cannot move its alg away from RS256 ...
    let on_jwt = view_with(
        &meta,
        json!({ "client_authentication_methods": { "private_key_jwt": { "credentials": [] } } }),
    );
    let alg = object(json!({ "jwt_configuration": { "alg": "PS256" } }));
    let e = parse_client_patch(&alg, Operation::Update, &meta, &on_jwt).unwrap_err();
    assert_eq!(e.field, "jwt_configuration.alg");
    // ... unless the same body leaves private_key_jwt.
    let mut leaving = alg.clone();
    leaving.insert("client_authentication_methods".into(), Value::Null);
    leaving.insert("token_endpoint_auth_method".into(), json!("client_secret_basic"));
    assert!(parse_client_patch(&leaving, Operation::Update, &meta, &on_jwt).is_ok());
    // Unrelated changes go through whatever the client registered.
    let unrelated = object(json!({ "description": "d" }));
    assert!(parse_client_patch(&unrelated, Operation::Update, &meta, &on_jwt).is_ok());
}

#[test]
fn leaving_private_key_jwt_returns_to_the_default_method() {
    let mut meta = registered();
    meta.insert("token_endpoint_auth_method".into(), json!("private_key_jwt"));
    let view = view_with(&meta, json!({}));
    let body = object(json!({ "client_authentication_methods": null }));
    let patch = parse_client_patch(&body, Operation::Update, &meta, &view).unwrap();
    assert_eq!(patch.metadata["token_endpoint_auth_method"], Value::Null);
    assert_eq!(patch.admin["client_authentication_methods"], Value::Null);
}

#[test]
fn third_party_clients_cannot_keep_organization_settings() {
    let meta = registered();
    let with_orgs = view_with(
        &meta,
        json!({ "organization_usage": "require", "organization_require_behavior": "no_prompt" }),
    );
    let to_third = object(json!({ "is_first_party": false }));
    let e = parse_client_patch(&to_third, Operation::Update, &meta, &with_orgs).unwrap_err();
    assert_eq!(e.field, "is_first_party");
    let mut unsetting = to_third.clone();
    unsetting.insert("organization_usage".into(), Value::Null);
    assert!(parse_client_patch(&unsetting, Operation::Update, &meta, &with_orgs).is_err());
    unsetting.insert("organization_require_behavior".into(), Value::Null);
    let patch = parse_client_patch(&unsetting, Operation::Update, &meta, &with_orgs).unwrap();
    assert_eq!(patch.is_first_party, Some(false));
    assert_eq!(
        update(&json!({ "is_first_party": false, "organization_usage": "deny" }))
            .unwrap_err()
            .field,
        "is_first_party"
    );
}

#[test]
fn post_login_prompt_follows_the_effective_oidc_conformance() {
    let meta = registered();
    let legacy = view_with(&meta, json!({ "oidc_conformant": false }));
    let body = object(json!({ "organization_require_behavior": "post_login_prompt" }));
    let e = parse_client_patch(&body, Operation::Update, &meta, &legacy).unwrap_err();
    assert_eq!(e.field, "organization_require_behavior");
    let prompting =
        view_with(&meta, json!({ "organization_require_behavior": "post_login_prompt" }));
    let body = object(json!({ "oidc_conformant": false }));
    let e = parse_client_patch(&body, Operation::Update, &meta, &prompting).unwrap_err();
    assert_eq!(e.field, "oidc_conformant");
    assert!(update(&json!({ "organization_require_behavior": "post_login_prompt" })).is_ok());
}

#[test]
fn create_needs_a_name_and_makes_first_party_clients() {
    assert_eq!(create(&json!({})).unwrap_err().field, "name");
    assert_eq!(create(&json!({ "app_type": "spa" })).unwrap_err().field, "name");
    let patch =
        create(&json!({ "name": "Admin app", "grant_types": ["authorization_code"] })).unwrap();
    assert_eq!(patch.is_first_party, Some(true));
    assert_eq!(patch.metadata["response_types"], json!(["code"]));
    let third = create(&json!({ "name": "B", "is_first_party": false })).unwrap();
    assert_eq!(third.is_first_party, Some(false));
    // No credential exists before the client does.
    let body = json!({ "name": "C",
        "client_authentication_methods": { "private_key_jwt": { "credentials": [{ "id": "k1" }] } } });
    assert_eq!(
        create(&body).unwrap_err().field,
        "client_authentication_methods.private_key_jwt.credentials"
    );
    assert_eq!(
        create(&json!({ "name": "D", "client_metadata": { "a": null } })).unwrap().admin,
        object(json!({ "client_metadata": {} }))
    );
}

#[test]
fn every_vocabulary_round_trips() {
    fn round_trip<V: Vocabulary + PartialEq + std::fmt::Debug>() {
        for v in V::ALL {
            assert_eq!(V::parse(v.as_str()), Some(*v));
        }
    }
    round_trip::<AppType>();
    round_trip::<GrantType>();
    round_trip::<TokenEndpointAuthMethod>();
    round_trip::<JwtAlg>();
    round_trip::<OrganizationUsage>();
    round_trip::<OrganizationRequireBehavior>();
    round_trip::<OrganizationDiscoveryMethod>();
    round_trip::<ComplianceLevel>();
    round_trip::<ApprovalChannel>();
    assert_eq!(AppType::ALL.len(), 25);
    assert_eq!(GrantType::ALL.len(), 12);
    assert_eq!(JwtAlg::parse("rs256"), None);
}

/// Field names the body generator draws from, so that most generated bodies reach the
/// field rules rather than stopping at "unknown field".
const FIELD_NAMES: &[&str] = &[
    "name",
    "description",
    "logo_uri",
    "initiate_login_uri",
    "callbacks",
    "allowed_logout_urls",
    "allowed_origins",
    "web_origins",
    "grant_types",
    "token_endpoint_auth_method",
    "client_authentication_methods",
    "jwt_configuration",
    "client_secret",
    "is_first_party",
    "client_metadata",
    "par_request_expiry",
    "app_type",
    "organization_usage",
    "organization_require_behavior",
    "organization_discovery_methods",
    "compliance_level",
    "async_approval_notification_channels",
    "oidc_conformant",
    "sso",
    "addons",
    "allowed_clients",
    "cross_origin_auth",
    "cross_origin_authentication",
    "cross_origin_loc",
    "client_id",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::from)),
        "\\PC{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "https://*.example.com/cb",
            "https://a.example.com",
            "RS256",
            "HS256",
            "k1",
            "private_key_jwt",
            "post_login_prompt",
            "authorization_code",
            "implicit",
            "email",
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::vec(("(id|alg|private_key_jwt|credentials|\\PC{0,4})", inner), 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_body() -> impl Strategy<Value = Map<String, Value>> {
    let key =
        prop_oneof![prop::sample::select(FIELD_NAMES.to_vec()).prop_map(String::from), "\\PC{0,8}"];
    prop::collection::vec((key, json_value()), 0..6).prop_map(|m| m.into_iter().collect())
}

proptest! {
    #[test]
    fn parse_client_patch_never_panics(body in json_body(), create in any::<bool>()) {
        let meta = registered();
        let view = view_with(&meta, json!({}));
        let op = if create { Operation::Create } else { Operation::Update };
        if let Err(e) = parse_client_patch(&body, op, &meta, &view) {
            prop_assert!(e.message.is_ascii());
        }
    }
}

#[test]
fn every_writable_member_reaches_a_rule_of_its_own() {
    // Whatever the value, a listed member is judged by its rule, never refused as unknown:
    // the list and the rules agree.
    let values = [json!(null), json!(true), json!("x"), json!(1), json!([]), json!({})];
    for member in writable_members() {
        for value in &values {
            if let Err(e) = update(&json!({ member: value })) {
                assert_ne!(
                    e.message, "unknown field",
                    "{member} = {value} is listed but has no rule"
                );
            }
        }
    }
    assert_eq!(update(&json!({"no_such_member": 1})).unwrap_err().message, "unknown field");
    assert_eq!(update(&json!({"client_id": "x"})).unwrap_err().message, "read-only field");
}
