//! Rule-level tests of metadata parsing: one table row per rule.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::*;

pub(crate) fn policy() -> RegistrationPolicy {
    RegistrationPolicy {
        allow_native_https_redirects: false,
        http_documents: false,
        scopes_supported: ["openid", "profile", "email"].map(String::from).to_vec(),
        capabilities: Default::default(),
    }
}

fn parse(body: Value) -> Result<ClientMetadata, MetadataError> {
    let Value::Object(map) = body else { panic!("test bodies are objects") };
    ClientMetadata::parse(&map, &policy())
}

fn with_redirect(extra: Value) -> Value {
    let mut body = json!({ "redirect_uris": ["https://rp.example/cb"] });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    body
}

fn rsa_jwks() -> Value {
    // A 2048-bit public key; its value does not matter to these rules.
    let pair = josekit::jws::RS256.generate_key_pair(2048).unwrap();
    json!({ "keys": [Value::from(pair.to_jwk_public_key().as_ref().clone())] })
}

#[test]
fn a_minimal_registration_gets_every_default() {
    let meta = parse(json!({ "redirect_uris": ["https://rp.example/cb"] })).unwrap();
    let out = meta.to_json();
    assert_eq!(out["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(out["grant_types"], json!(["authorization_code"]));
    assert_eq!(out["response_types"], json!(["code"]));
    assert_eq!(out["application_type"], "web");
    assert_eq!(out["id_token_signed_response_alg"], "RS256");
    assert_eq!(out["require_auth_time"], false);
    assert_eq!(out["subject_type"], "public");
    assert!(meta.needs_secret());
}

#[test]
fn invalid_metadata_is_refused_with_the_field_named() {
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({}), "invalid_redirect_uri", "redirect_uris"),
        (json!({ "redirect_uris": "https://a/cb" }), "invalid_redirect_uri", "redirect_uris"),
        (
            with_redirect(json!({ "default_max_age": "60" })),
            "invalid_client_metadata",
            "default_max_age",
        ),
        (
            with_redirect(json!({ "default_max_age": -1 })),
            "invalid_client_metadata",
            "default_max_age",
        ),
        (
            with_redirect(json!({ "require_auth_time": "yes" })),
            "invalid_client_metadata",
            "require_auth_time",
        ),
        (
            with_redirect(json!({ "contacts": "a@b.example" })),
            "invalid_client_metadata",
            "contacts",
        ),
        (with_redirect(json!({ "contacts": ["not mail"] })), "invalid_client_metadata", "contacts"),
        (
            with_redirect(json!({ "default_acr_values": [1] })),
            "invalid_client_metadata",
            "default_acr_values",
        ),
        (
            with_redirect(json!({ "grant_types": ["password"] })),
            "invalid_client_metadata",
            "grant_types",
        ),
        (
            with_redirect(
                json!({ "response_types": ["code id_token"], "grant_types": ["authorization_code"] }),
            ),
            "invalid_client_metadata",
            "response_types",
        ),
        (
            with_redirect(json!({ "grant_types": ["implicit"] })),
            "invalid_client_metadata",
            "response_types",
        ),
        (
            with_redirect(
                json!({ "response_types": ["token"], "grant_types": ["authorization_code"] }),
            ),
            "invalid_client_metadata",
            "response_types",
        ),
        (
            json!({ "grant_types": ["client_credentials"], "token_endpoint_auth_method": "none" }),
            "invalid_client_metadata",
            "grant_types",
        ),
        (
            with_redirect(json!({ "token_endpoint_auth_method": "private_key_jwt" })),
            "invalid_client_metadata",
            "token_endpoint_auth_method",
        ),
        (
            with_redirect(json!({ "jwks_uri": "http://rp.example/jwks" })),
            "invalid_client_metadata",
            "jwks_uri",
        ),
        (with_redirect(json!({ "jwks": { "foo": 1 } })), "invalid_client_metadata", "jwks"),
        (
            with_redirect(json!({ "userinfo_encrypted_response_enc": "A128CBC-HS256" })),
            "invalid_client_metadata",
            "userinfo_encrypted_response_enc",
        ),
        (
            with_redirect(json!({ "id_token_encrypted_response_alg": "RSA-OAEP-256" })),
            "invalid_client_metadata",
            "id_token_encrypted_response_alg",
        ),
        (
            with_redirect(json!({ "token_endpoint_auth_signing_alg": "none" })),
            "invalid_client_metadata",
            "token_endpoint_auth_signing_alg",
        ),
        (
            with_redirect(json!({ "userinfo_signed_response_alg": "XX999" })),
            "invalid_client_metadata",
            "userinfo_signed_response_alg",
        ),
        (
            json!({ "redirect_uris": ["https://rp.example/cb"], "response_types": ["id_token"],
                    "grant_types": ["implicit"], "id_token_signed_response_alg": "none" }),
            "invalid_client_metadata",
            "id_token_signed_response_alg",
        ),
        (
            with_redirect(json!({ "initiate_login_uri": "http://rp.example/login" })),
            "invalid_client_metadata",
            "initiate_login_uri",
        ),
        (
            with_redirect(json!({ "request_uris": ["http://rp.example/r"] })),
            "invalid_client_metadata",
            "request_uris",
        ),
        (
            with_redirect(json!({ "subject_type": "foo" })),
            "invalid_client_metadata",
            "subject_type",
        ),
        (
            json!({ "redirect_uris": ["https://a.example/cb", "https://b.example/cb"], "subject_type": "pairwise" }),
            "invalid_client_metadata",
            "subject_type",
        ),
        (
            with_redirect(json!({ "client_name": "<script>" })),
            "invalid_client_metadata",
            "client_name",
        ),
        (
            with_redirect(json!({ "client_name": "evil\u{202E}gnp" })),
            "invalid_client_metadata",
            "client_name",
        ),
        (
            with_redirect(json!({ "client_name#en": "a", "client_name#EN": "b" })),
            "invalid_client_metadata",
            "client_name#EN",
        ),
        (
            with_redirect(json!({ "client_name#not a tag": "a" })),
            "invalid_client_metadata",
            "client_name#",
        ),
        (
            with_redirect(json!({ "logo_uri": "javascript:alert(1)" })),
            "invalid_client_metadata",
            "logo_uri",
        ),
        (
            with_redirect(
                json!({ "token_endpoint_auth_method": "none", "id_token_signed_response_alg": "HS256" }),
            ),
            "invalid_client_metadata",
            "token_endpoint_auth_method",
        ),
        (with_redirect(json!({ "scope": "openid \"x\"" })), "invalid_client_metadata", "scope"),
    ];
    for (body, code, field) in cases {
        let err = parse(body.clone()).expect_err(&format!("{body} must be refused"));
        let got_code = match &err {
            MetadataError::InvalidRedirectUri(_) => "invalid_redirect_uri",
            MetadataError::InvalidClientMetadata(_) => "invalid_client_metadata",
            MetadataError::InvalidSoftwareStatement(_) => "invalid_software_statement",
            MetadataError::UnapprovedSoftwareStatement(_) => "unapproved_software_statement",
        };
        assert_eq!(got_code, code, "{body}: {err}");
        assert!(err.to_string().starts_with(field), "{body}: '{err}' should name {field}");
    }
}

#[test]
fn valid_combinations_register() {
    let jwks = rsa_jwks();
    let cases = vec![
        json!({ "grant_types": ["client_credentials"] }),
        json!({ "grant_types": ["client_credentials"], "response_types": [] }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "grant_types": ["authorization_code", "refresh_token"] }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "response_types": ["id_token"], "grant_types": ["implicit"] }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "response_types": ["code"], "id_token_signed_response_alg": "none" }),
        json!({ "redirect_uris": ["com.example.app:/cb"], "application_type": "native", "token_endpoint_auth_method": "none" }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "request_object_signing_alg": "RS256", "jwks_uri": "https://rp.example/jwks" }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "subject_type": "pairwise" }),
        json!({ "redirect_uris": ["https://rp.example/cb"], "x_unknown": 1, "client_id": "mine", "client_secret": "s" }),
    ];
    for body in cases {
        assert!(
            parse(body.clone()).is_ok(),
            "{body} should register: {:?}",
            parse(body.clone()).err()
        );
    }
}

#[test]
fn secrets_are_issued_only_where_a_secret_is_used() {
    let jwks = rsa_jwks();
    let pkjwt = json!({ "redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "private_key_jwt", "jwks": jwks });
    assert!(!parse(pkjwt.clone()).unwrap().needs_secret());
    let mut symmetric = pkjwt;
    symmetric["id_token_signed_response_alg"] = json!("HS256");
    assert!(parse(symmetric).unwrap().needs_secret());
    let public =
        json!({ "redirect_uris": ["https://rp.example/cb"], "token_endpoint_auth_method": "none" });
    assert!(!parse(public).unwrap().needs_secret());
}

#[test]
fn encryption_enc_defaults_and_localized_members_round_trip() {
    let body = with_redirect(json!({
        "jwks": rsa_jwks(),
        "id_token_encrypted_response_alg": "RSA-OAEP-256",
        "client_name": "My Example",
        "client_name#ja-Jpan-JP": "クライアント名",
        "redirect_uris#en": ["https://x.example/cb"],
        "scope": "openid bogus openid",
    }));
    let out = parse(body).unwrap().to_json();
    assert_eq!(out["id_token_encrypted_response_enc"], "A128CBC-HS256");
    assert_eq!(out["client_name#ja-Jpan-JP"], "クライアント名");
    assert_eq!(out["client_name"], "My Example");
    assert_eq!(out["scope"], "openid");
    assert!(!out.contains_key("redirect_uris#en"));
}

#[test]
fn null_and_empty_strings_count_as_absent() {
    let meta =
        parse(with_redirect(json!({ "client_name": "", "logo_uri": null, "contacts": null })))
            .unwrap();
    let out = meta.to_json();
    assert!(!out.contains_key("client_name") && !out.contains_key("logo_uri"));
}

pub(crate) fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z:/.#_ -]{0,24}".prop_map(Value::from),
        prop::sample::select(vec![
            "https://rp.example/cb",
            "code",
            "implicit",
            "none",
            "native",
            "RS256",
            "HS256"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_#]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

pub(crate) const FIELDS: &[&str] = &[
    "redirect_uris",
    "response_types",
    "grant_types",
    "application_type",
    "contacts",
    "client_name",
    "client_name#en",
    "logo_uri",
    "jwks",
    "jwks_uri",
    "subject_type",
    "id_token_signed_response_alg",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "token_endpoint_auth_method",
    "token_endpoint_auth_signing_alg",
    "default_max_age",
    "require_auth_time",
    "default_acr_values",
    "initiate_login_uri",
    "request_uris",
    "post_logout_redirect_uris",
    "scope",
    "software_id",
    "sector_identifier_uri",
    "request_object_signing_alg",
];

proptest! {
    #[test]
    fn parsing_never_panics_on_arbitrary_documents(
        values in prop::collection::vec((prop::sample::select(FIELDS), arbitrary_json()), 0..12)
    ) {
        let map: Map<String, Value> = values.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        if let Ok(meta) = ClientMetadata::parse(&map, &policy()) {
            // Whatever registers must describe itself again without loss.
            let again = ClientMetadata::parse(&meta.to_json(), &policy()).unwrap();
            prop_assert_eq!(again.to_json(), meta.to_json());
        }
    }
}
