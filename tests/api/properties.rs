//! Property tests of the black box: untrusted input never causes a server error, and what
//! is accepted comes back verbatim (style principle 9).

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use crate::helpers::{minimal, spawn_app, TestApp};

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() })
}

/// URI-shaped strings mixing good and bad schemes, hosts, paths, queries and fragments,
/// plus arbitrary Unicode.
fn redirect_uri() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("https".to_owned()),
        Just("http".to_owned()),
        Just("com.example.app".to_owned()),
        Just("javascript".to_owned()),
        "[a-zA-Z][a-zA-Z0-9+.-]{0,8}",
    ];
    let authority = prop_oneof![
        Just("//rp.example".to_owned()),
        Just("//localhost:8080".to_owned()),
        Just("//127.0.0.1".to_owned()),
        Just("//[::1]".to_owned()),
        Just(String::new()),
        "//[a-zA-Z0-9.*@:_-]{0,20}",
    ];
    let path = "(/[a-zA-Z0-9._~%!$&'()*+,;=:@-]{0,8}){0,3}";
    let query = proptest::option::of("[a-zA-Z0-9=&%/?]{0,10}");
    let fragment = proptest::option::of("[a-zA-Z0-9]{0,5}");
    let structured = (scheme, authority, path, query, fragment).prop_map(
        |(scheme, authority, path, query, fragment)| {
            let mut uri = format!("{scheme}:{authority}{path}");
            if let Some(query) = query {
                uri.push('?');
                uri.push_str(&query);
            }
            if let Some(fragment) = fragment {
                uri.push('#');
                uri.push_str(&fragment);
            }
            uri
        },
    );
    prop_oneof![4 => structured, 1 => ".{0,40}"]
}

fn check_redirect_uri(
    rt: &tokio::runtime::Runtime,
    app: &TestApp,
    uri: &str,
) -> Result<(), TestCaseError> {
    let reply = rt.block_on(app.register(&json!({ "redirect_uris": [uri] })));
    prop_assert!(
        reply.status == 201 || reply.status == 400,
        "status {} for {uri:?}\n{reply}",
        reply.status
    );
    let body: Value = serde_json::from_str(&reply.body)
        .map_err(|e| TestCaseError::fail(format!("not JSON ({e})\n{reply}")))?;
    if reply.status == 201 {
        prop_assert_eq!(&body["redirect_uris"], &json!([uri]), "returned URI differs");
        prop_assert!(!uri.contains('#'), "a fragment was accepted: {uri:?}");
        let lower = uri.to_ascii_lowercase();
        for scheme in ["javascript:", "data:", "vbscript:", "file:", "blob:", "about:"] {
            prop_assert!(!lower.starts_with(scheme), "{scheme} was accepted: {uri:?}");
        }
        prop_assert!(!uri.contains('*'), "a wildcard was accepted: {uri:?}");
    } else {
        prop_assert_eq!(body["error"].as_str(), Some("invalid_redirect_uri"), "{}", reply);
        let description = body["error_description"].as_str().unwrap_or_default();
        prop_assert!(description.is_ascii(), "non-ASCII description\n{}", reply);
    }
    Ok(())
}

#[test]
fn any_redirect_uri_is_either_kept_verbatim_or_refused_as_invalid_redirect_uri() {
    // Arrange
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let app = rt.block_on(spawn_app());

    // Act + Assert
    runner(256)
        .run(&redirect_uri(), |uri| check_redirect_uri(&rt, &app, &uri))
        .unwrap_or_else(|e| panic!("{e}"));
}

const MEMBERS: [&str; 30] = [
    "redirect_uris",
    "token_endpoint_auth_method",
    "grant_types",
    "response_types",
    "application_type",
    "client_name",
    "client_name#en",
    "client_uri",
    "logo_uri",
    "policy_uri",
    "tos_uri",
    "contacts",
    "scope",
    "jwks",
    "jwks_uri",
    "subject_type",
    "id_token_signed_response_alg",
    "id_token_encrypted_response_alg",
    "id_token_encrypted_response_enc",
    "userinfo_signed_response_alg",
    "request_object_signing_alg",
    "token_endpoint_auth_signing_alg",
    "default_max_age",
    "require_auth_time",
    "default_acr_values",
    "initiate_login_uri",
    "request_uris",
    "post_logout_redirect_uris",
    "software_id",
    "client_id",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,20}".prop_map(Value::String),
        Just(json!("https://rp.example/cb")),
        Just(json!("none")),
        Just(json!("RS256")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

#[test]
fn any_value_for_a_known_member_gives_201_or_an_rfc_7591_error() {
    // Arrange
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let app = rt.block_on(spawn_app());
    let members = prop::sample::select(&MEMBERS[..]);
    let allowed_errors = ["invalid_client_metadata", "invalid_redirect_uri", "invalid_request"];

    // Act + Assert
    runner(256)
        .run(&(members, json_value()), |(member, value)| {
            let mut body = minimal();
            body[member] = value;
            let reply = rt.block_on(app.register(&body));
            prop_assert!(
                reply.status == 201 || reply.status == 400,
                "status {} for {member} = {}\n{reply}",
                reply.status,
                body[member]
            );
            let returned: Value = serde_json::from_str(&reply.body)
                .map_err(|e| TestCaseError::fail(format!("not JSON ({e})\n{reply}")))?;
            if reply.status == 400 {
                let code = returned["error"].as_str().unwrap_or_default();
                prop_assert!(allowed_errors.contains(&code), "error {code:?}\n{}", reply);
                let description = returned["error_description"].as_str().unwrap_or_default();
                prop_assert!(description.is_ascii(), "non-ASCII description\n{}", reply);
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}
