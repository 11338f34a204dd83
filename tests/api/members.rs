//! Issue 17: every registered client metadata member beyond the core. Each supported
//! member round-trips through registration, the RFC 7592 read and replace and the
//! management view; each invalid form is refused naming the member; members of a feature
//! the operator turned off are refused, never dropped.

use serde_json::{json, Value};

use crate::admin_helpers::{spawn_admin_app_with, AdminApp};
use crate::helpers::{
    assert_oauth_error, merge, minimal_with, signing_jwk, update_body_from, Backend,
};

/// Every capability on: mTLS through a trusted proxy's certificate header, RAR types,
/// every CIBA mode.
pub const ALL_ON: &[&str] = &[
    "--frontchannel-logout",
    "true",
    "--jarm",
    "true",
    "--introspection-jwt",
    "true",
    "--authorization-details-types",
    "payment_initiation,account_information",
    "--ciba-delivery-modes",
    "poll,ping,push",
    "--client-cert-header",
    "x-client-cert",
    "--trusted-proxies",
    "10.0.0.0/8",
];

pub async fn all_on() -> AdminApp {
    spawn_admin_app_with(Backend::Memory, ALL_ON).await
}

pub fn jwks() -> Value {
    json!({ "keys": [signing_jwk()] })
}

pub const CIBA: &str = "urn:openid:params:grant-type:ciba";

/// A CIBA client in poll mode, with `extra` laid over it.
fn ciba(extra: Value) -> Value {
    minimal_with(merge(
        json!({ "grant_types": [CIBA], "backchannel_token_delivery_mode": "poll" }),
        extra,
    ))
}

/// A tls_client_auth client registering one subject member.
fn tls(member: &str, value: &str) -> Value {
    minimal_with(json!({ "token_endpoint_auth_method": "tls_client_auth", member: value }))
}

/// Registers `body`; checks that every `kept` member comes back from the registration,
/// the RFC 7592 read and an RFC 7592 replace sending the response back, and that the
/// management view has `setting` (a JSON pointer) equal to its value. Then registers each
/// invalid body and checks the refusal names its member.
async fn round_trip(
    body: Value,
    kept: &[(&str, Value)],
    setting: Option<(&str, Value)>,
    invalid: &[(Value, &str)],
) {
    let app = all_on().await;
    let client = app.register_ok(&body).await;
    let read = app.get_client(&client.rcu, &client.rat).await;
    read.assert_status(200);
    let replaced = app.put_client(&client.rcu, &client.rat, &update_body_from(&client.body)).await;
    replaced.assert_status(200);
    let reread = app.get_client(&client.rcu, &client.rat).await;
    for (member, value) in kept {
        for (step, doc) in [
            ("registration", &client.body),
            ("read", &read.json()),
            ("replace", &replaced.json()),
            ("read after replace", &reread.json()),
        ] {
            assert_eq!(&doc[*member], value, "{member} after {step}: {doc}");
        }
    }
    let view = app.management_get_ok(&client.client_id).await;
    if let Some((pointer, value)) = setting {
        assert_eq!(view.pointer(pointer), Some(&value), "management view {pointer}: {view}");
    }
    for (bad, member) in invalid {
        let reply = app.register(bad).await;
        assert_oauth_error(&reply, 400, "invalid_client_metadata", member);
    }
    app.app.stop().await;
}

macro_rules! member_test {
    ($name:ident, $body:expr, $kept:expr, $setting:expr, $invalid:expr $(,)?) => {
        #[tokio::test]
        async fn $name() {
            round_trip($body, &$kept, $setting, &$invalid).await;
        }
    };
}

const BC: &str = "https://rp.example/logout/backchannel?tenant=1";
const FC: &str = "https://rp.example/logout/frontchannel";

member_test!(
    backchannel_logout_uri,
    minimal_with(json!({ "backchannel_logout_uri": BC })),
    [("backchannel_logout_uri", json!(BC))],
    Some(("/oidc_logout/backchannel_logout_urls", json!([BC]))),
    [
        (
            minimal_with(json!({ "backchannel_logout_uri": "http://rp.example/bc" })),
            "backchannel_logout_uri"
        ),
        (
            minimal_with(json!({ "backchannel_logout_uri": "https://rp.example/bc#x" })),
            "backchannel_logout_uri"
        ),
        (minimal_with(json!({ "backchannel_logout_uri": "/bc" })), "backchannel_logout_uri"),
        (
            minimal_with(json!({ "backchannel_logout_uri": ["https://rp.example/bc"] })),
            "backchannel_logout_uri"
        ),
    ],
);

member_test!(
    backchannel_logout_session_required,
    minimal_with(
        json!({ "backchannel_logout_uri": BC, "backchannel_logout_session_required": true })
    ),
    [("backchannel_logout_session_required", json!(true))],
    None,
    [
        (
            minimal_with(
                json!({ "backchannel_logout_uri": BC, "backchannel_logout_session_required": "true" })
            ),
            "backchannel_logout_session_required"
        ),
        (
            minimal_with(json!({ "backchannel_logout_session_required": true })),
            "backchannel_logout_session_required"
        ),
    ],
);

member_test!(
    frontchannel_logout_uri,
    minimal_with(json!({ "frontchannel_logout_uri": FC })),
    [("frontchannel_logout_uri", json!(FC))],
    None,
    [
        (
            minimal_with(json!({ "frontchannel_logout_uri": "https://other.example/fc" })),
            "frontchannel_logout_uri"
        ),
        (
            minimal_with(json!({ "frontchannel_logout_uri": "https://rp.example:8443/fc" })),
            "frontchannel_logout_uri"
        ),
        (
            minimal_with(json!({ "frontchannel_logout_uri": "https://rp.example/fc#x" })),
            "frontchannel_logout_uri"
        ),
        (minimal_with(json!({ "frontchannel_logout_uri": 7 })), "frontchannel_logout_uri"),
    ],
);

member_test!(
    frontchannel_logout_session_required,
    minimal_with(
        json!({ "frontchannel_logout_uri": FC, "frontchannel_logout_session_required": false })
    ),
    [("frontchannel_logout_session_required", json!(false))],
    None,
    [
        (
            minimal_with(
                json!({ "frontchannel_logout_uri": FC, "frontchannel_logout_session_required": 1 })
            ),
            "frontchannel_logout_session_required"
        ),
        (
            minimal_with(json!({ "frontchannel_logout_session_required": true })),
            "frontchannel_logout_session_required"
        ),
    ],
);

member_test!(
    require_pushed_authorization_requests,
    minimal_with(json!({ "require_pushed_authorization_requests": true })),
    [("require_pushed_authorization_requests", json!(true))],
    Some(("/require_pushed_authorization_requests", json!(true))),
    [
        (
            minimal_with(json!({ "require_pushed_authorization_requests": "true" })),
            "require_pushed_authorization_requests"
        ),
        (
            minimal_with(json!({ "require_pushed_authorization_requests": 1 })),
            "require_pushed_authorization_requests"
        ),
    ],
);

member_test!(
    dpop_bound_access_tokens,
    minimal_with(json!({ "dpop_bound_access_tokens": true })),
    [("dpop_bound_access_tokens", json!(true))],
    Some(("/require_proof_of_possession", json!(true))),
    [
        (minimal_with(json!({ "dpop_bound_access_tokens": "yes" })), "dpop_bound_access_tokens"),
        (minimal_with(json!({ "dpop_bound_access_tokens": 0 })), "dpop_bound_access_tokens"),
    ],
);

member_test!(
    tls_client_certificate_bound_access_tokens,
    minimal_with(json!({ "tls_client_certificate_bound_access_tokens": true })),
    [("tls_client_certificate_bound_access_tokens", json!(true))],
    Some(("/require_proof_of_possession", json!(true))),
    [(
        minimal_with(json!({ "tls_client_certificate_bound_access_tokens": "true" })),
        "tls_client_certificate_bound_access_tokens",
    )],
);

/// The subject members share their rules: exactly one with tls_client_auth, none with
/// another method, each in its own syntax.
async fn subject_member(member: &str, good: &str, bad: &str) {
    let other = if member == "tls_client_auth_san_dns" {
        "tls_client_auth_san_email"
    } else {
        "tls_client_auth_san_dns"
    };
    let other_value =
        if other == "tls_client_auth_san_dns" { "rp.example" } else { "ops@rp.example" };
    round_trip(
        tls(member, good),
        &[(member, json!(good)), ("token_endpoint_auth_method", json!("tls_client_auth"))],
        Some(("/client_authentication_methods/tls_client_auth/credentials/0/value", json!(good))),
        &[
            (tls(member, bad), member),
            (
                minimal_with(json!({ "token_endpoint_auth_method": "tls_client_auth", member: 5 })),
                member,
            ),
            (minimal_with(json!({ member: good })), member),
            (merge(tls(other, other_value), json!({ member: good })), member),
        ],
    )
    .await;
}

#[tokio::test]
async fn tls_client_auth_subject_dn() {
    subject_member("tls_client_auth_subject_dn", "CN=rp.example,O=Example\\, Inc.,C=SE", "CN")
        .await;
}

#[tokio::test]
async fn tls_client_auth_san_dns() {
    subject_member("tls_client_auth_san_dns", "client.rp.example", "not a name").await;
}

#[tokio::test]
async fn tls_client_auth_san_uri() {
    subject_member("tls_client_auth_san_uri", "spiffe://rp.example/client", "no-scheme").await;
}

#[tokio::test]
async fn tls_client_auth_san_ip() {
    subject_member("tls_client_auth_san_ip", "2001:db8::7", "300.1.2.3").await;
}

#[tokio::test]
async fn tls_client_auth_san_email() {
    subject_member("tls_client_auth_san_email", "ops@rp.example", "not-an-email").await;
}

member_test!(
    tls_client_auth_needs_exactly_one_subject_and_self_signed_needs_keys,
    minimal_with(
        json!({ "token_endpoint_auth_method": "self_signed_tls_client_auth", "jwks": jwks() })
    ),
    [("token_endpoint_auth_method", json!("self_signed_tls_client_auth"))],
    Some(("/client_authentication_methods/self_signed_tls_client_auth/credentials", json!([]))),
    [
        (
            minimal_with(json!({ "token_endpoint_auth_method": "tls_client_auth" })),
            "token_endpoint_auth_method"
        ),
        (
            minimal_with(json!({ "token_endpoint_auth_method": "self_signed_tls_client_auth" })),
            "token_endpoint_auth_method"
        ),
    ],
);

member_test!(
    use_mtls_endpoint_aliases,
    minimal_with(json!({ "use_mtls_endpoint_aliases": false })),
    [("use_mtls_endpoint_aliases", json!(false))],
    None,
    [
        (minimal_with(json!({ "use_mtls_endpoint_aliases": true })), "use_mtls_endpoint_aliases"),
        (
            minimal_with(json!({ "use_mtls_endpoint_aliases": "false" })),
            "use_mtls_endpoint_aliases"
        ),
    ],
);

member_test!(
    require_signed_request_object,
    minimal_with(
        json!({ "require_signed_request_object": true, "request_object_signing_alg": "RS256", "jwks": jwks() })
    ),
    [("require_signed_request_object", json!(true))],
    Some(("/signed_request_object/required", json!(true))),
    [
        (
            minimal_with(json!({ "require_signed_request_object": "true" })),
            "require_signed_request_object"
        ),
        (
            minimal_with(
                json!({ "require_signed_request_object": true, "request_object_signing_alg": "none" })
            ),
            "require_signed_request_object"
        ),
    ],
);

/// `{prefix}_signed_response_alg` and its encryption (JARM, RFC 9701).
async fn signed_and_encrypted(prefix: &str) {
    let signed = format!("{prefix}_signed_response_alg");
    let (alg, enc) =
        (format!("{prefix}_encrypted_response_alg"), format!("{prefix}_encrypted_response_enc"));
    round_trip(
        minimal_with(json!({ &signed: "ES256" })),
        &[(&signed, json!("ES256"))],
        None,
        &[
            (minimal_with(json!({ &signed: "none" })), &signed),
            (minimal_with(json!({ &signed: "XX256" })), &signed),
            (minimal_with(json!({ &signed: 256 })), &signed),
        ],
    )
    .await;
    round_trip(
        minimal_with(json!({ &alg: "RSA-OAEP-256", &enc: "A256GCM", "jwks": jwks() })),
        &[(&alg, json!("RSA-OAEP-256")), (&enc, json!("A256GCM"))],
        None,
        &[
            (minimal_with(json!({ &alg: "RSA1_5", "jwks": jwks() })), &alg),
            (minimal_with(json!({ &alg: "RSA-OAEP" })), &alg),
            (minimal_with(json!({ &enc: "A256GCM" })), &enc),
            (minimal_with(json!({ &alg: "RSA-OAEP", &enc: "A1GCM", "jwks": jwks() })), &enc),
        ],
    )
    .await;
}

#[tokio::test]
async fn authorization_signed_and_encrypted_response_members() {
    signed_and_encrypted("authorization").await;
}

#[tokio::test]
async fn jarm_encryption_alone_defaults_the_signature_and_the_enc() {
    let app = all_on().await;
    let body =
        minimal_with(json!({ "authorization_encrypted_response_alg": "RSA-OAEP", "jwks": jwks() }));
    let client = app.register_ok(&body).await;
    assert_eq!(client.body["authorization_signed_response_alg"], "RS256");
    assert_eq!(client.body["authorization_encrypted_response_enc"], "A128CBC-HS256");
}

#[tokio::test]
async fn introspection_signed_and_encrypted_response_members() {
    signed_and_encrypted("introspection").await;
}

member_test!(
    authorization_details_types,
    minimal_with(
        json!({ "authorization_details_types": ["payment_initiation", "account_information"] })
    ),
    [("authorization_details_types", json!(["payment_initiation", "account_information"]))],
    None,
    [
        (
            minimal_with(json!({ "authorization_details_types": "payment_initiation" })),
            "authorization_details_types"
        ),
        (
            minimal_with(json!({ "authorization_details_types": ["crypto_swap"] })),
            "authorization_details_types"
        ),
        (
            minimal_with(json!({ "authorization_details_types": [1] })),
            "authorization_details_types"
        ),
    ],
);

member_test!(
    backchannel_token_delivery_mode,
    ciba(json!({})),
    [("backchannel_token_delivery_mode", json!("poll")), ("grant_types", json!([CIBA]))],
    None,
    [
        (
            ciba(json!({ "backchannel_token_delivery_mode": "pigeon" })),
            "backchannel_token_delivery_mode"
        ),
        (
            ciba(json!({ "backchannel_token_delivery_mode": null })),
            "backchannel_token_delivery_mode"
        ),
        (
            minimal_with(json!({ "backchannel_token_delivery_mode": "poll" })),
            "backchannel_token_delivery_mode"
        ),
    ],
);

member_test!(
    backchannel_client_notification_endpoint,
    ciba(json!({ "backchannel_token_delivery_mode": "ping",
        "backchannel_client_notification_endpoint": "https://rp.example/ciba" })),
    [
        ("backchannel_client_notification_endpoint", json!("https://rp.example/ciba")),
        ("backchannel_token_delivery_mode", json!("ping"))
    ],
    None,
    [
        (
            ciba(json!({ "backchannel_token_delivery_mode": "push",
            "backchannel_client_notification_endpoint": "http://rp.example/ciba" })),
            "backchannel_client_notification_endpoint"
        ),
        (
            ciba(json!({ "backchannel_token_delivery_mode": "ping" })),
            "backchannel_client_notification_endpoint"
        ),
        (
            ciba(json!({ "backchannel_client_notification_endpoint": "https://rp.example/ciba" })),
            "backchannel_client_notification_endpoint"
        ),
    ],
);

member_test!(
    backchannel_authentication_request_signing_alg,
    ciba(json!({ "backchannel_authentication_request_signing_alg": "RS256", "jwks": jwks() })),
    [("backchannel_authentication_request_signing_alg", json!("RS256"))],
    None,
    [
        (
            ciba(json!({ "backchannel_authentication_request_signing_alg": "HS256" })),
            "backchannel_authentication_request_signing_alg"
        ),
        (
            ciba(json!({ "backchannel_authentication_request_signing_alg": "none" })),
            "backchannel_authentication_request_signing_alg"
        ),
        (
            ciba(json!({ "backchannel_authentication_request_signing_alg": "RS256" })),
            "backchannel_authentication_request_signing_alg"
        ),
    ],
);

member_test!(
    backchannel_user_code_parameter,
    ciba(json!({ "backchannel_user_code_parameter": true })),
    [("backchannel_user_code_parameter", json!(true))],
    None,
    [
        (
            ciba(json!({ "backchannel_user_code_parameter": "true" })),
            "backchannel_user_code_parameter"
        ),
        (
            minimal_with(json!({ "backchannel_user_code_parameter": true })),
            "backchannel_user_code_parameter"
        ),
    ],
);

#[tokio::test]
async fn signed_jwks_uri_is_refused_naming_it() {
    let app = all_on().await;
    let reply = app
        .register(&minimal_with(json!({ "signed_jwks_uri": "https://rp.example/jwks.jwt" })))
        .await;
    assert_oauth_error(&reply, 400, "invalid_client_metadata", "signed_jwks_uri");
}

#[tokio::test]
async fn ignored_registry_members_are_accepted_and_not_shown_as_kept() {
    let app = all_on().await;
    let ignored = json!({
        "claims_redirect_uris": ["https://rp.example/claims"],
        "nfv_token_signed_response_alg": "RS256",
        "nfv_token_encrypted_response_alg": "RSA-OAEP",
        "nfv_token_encrypted_response_enc": "A128GCM",
        "client_registration_types": ["explicit"],
        "organization_name": "Example",
        "description": "An RP",
        "keywords": ["shop"],
        "information_uri": "https://rp.example/about",
        "organization_uri": "https://example.com",
        "encrypted_response_enc_values_supported": ["A128GCM"],
        "vp_formats_supported": { "jwt_vc_json": {} },
    });
    let client = app.register_ok(&minimal_with(ignored.clone())).await;
    for member in ignored.as_object().unwrap().keys() {
        assert!(
            client.body.get(member).is_none(),
            "{member} is documented as ignored: {}",
            client.body
        );
    }
}
