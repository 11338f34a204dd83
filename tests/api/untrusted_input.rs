//! Generated documents against the HTTP API (issue 6, untrusted input): a few thousand
//! registrations and RFC 7592 updates, most of them valid documents with a few edits, some
//! not even JSON. Never a 5xx; every refusal is JSON `{error, error_description}` with a
//! registered error code. The parsers themselves get 100,000 documents in
//! src/corpus_tests.rs; this checks that the HTTP layer maps whatever they say.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestRunner};
use serde_json::{json, Map, Value};

use crate::helpers::{spawn_app, Reply, TestApp};

/// Registrations and updates sent; `REGISTRAR_HTTP_CORPUS_CASES` overrides.
const DEFAULT_CASES: u32 = 2000;

/// RFC 7591 §3.2.2 codes, plus `invalid_request` for bodies that are not JSON objects
/// (RFC 6749 §5.2) and `invalid_token` (RFC 6750 §3.1).
const REGISTERED_CODES: [&str; 6] = [
    "invalid_redirect_uri",
    "invalid_client_metadata",
    "invalid_software_statement",
    "unapproved_software_statement",
    "invalid_request",
    "invalid_token",
];

fn cases() -> u32 {
    std::env::var("REGISTRAR_HTTP_CORPUS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 64,
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    })
}

fn base_documents() -> Vec<Value> {
    vec![
        json!({ "redirect_uris": ["https://rp.example/cb"] }),
        json!({
            "redirect_uris": ["https://rp.example/cb", "http://localhost:8080/cb"],
            "client_name": "Generated", "client_name#fr": "Généré",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_post", "scope": "openid profile",
            "contacts": ["ops@rp.example"], "logo_uri": "https://rp.example/logo.png",
            "default_max_age": 3600, "require_auth_time": true,
        }),
        json!({
            "redirect_uris": ["com.example.app:/cb"], "application_type": "native",
            "token_endpoint_auth_method": "none",
            "post_logout_redirect_uris": ["com.example.app:/logout"],
        }),
        json!({
            "redirect_uris": ["https://rp.example/cb"], "response_types": ["id_token"],
            "grant_types": ["implicit"], "id_token_signed_response_alg": "ES256",
            "jwks_uri": "https://rp.example/jwks.json", "subject_type": "public",
            "initiate_login_uri": "https://rp.example/login",
        }),
    ]
}

const MEMBERS: [&str; 16] = [
    "redirect_uris",
    "grant_types",
    "response_types",
    "application_type",
    "token_endpoint_auth_method",
    "client_name",
    "client_uri",
    "contacts",
    "scope",
    "jwks",
    "jwks_uri",
    "software_statement",
    "id_token_signed_response_alg",
    "default_max_age",
    "client_id",
    "sector_identifier_uri",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "https://rp.example/cb",
            "http://rp.example/cb",
            "https://rp.example/cb#x",
            "javascript:alert(1)",
            "none",
            "code",
            "RS256",
            "eyJhbGciOiJub25lIn0.e30.",
            "a.b.c",
        ])
        .prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => leaf(),
        2 => prop::collection::vec(leaf(), 0..3).prop_map(Value::Array),
        1 => prop::collection::btree_map("[a-z]{1,4}", leaf(), 0..3)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
    ]
}

#[derive(Debug, Clone)]
enum Change {
    Remove(Index),
    Set(&'static str, Value),
    /// Inserts a character into a string member (or the first string of an array).
    Poke(Index, Index, char),
}

fn change() -> impl Strategy<Value = Change> {
    let poke = prop::sample::select(vec!['#', '*', ' ', '\n', '%', 'é', '\u{0}', ':', '/']);
    prop_oneof![
        1 => any::<Index>().prop_map(Change::Remove),
        2 => (prop::sample::select(&MEMBERS[..]), value()).prop_map(|(m, v)| Change::Set(m, v)),
        2 => (any::<Index>(), any::<Index>(), poke).prop_map(|(m, at, c)| Change::Poke(m, at, c)),
    ]
}

fn apply(mut doc: Map<String, Value>, changes: Vec<Change>) -> Map<String, Value> {
    for change in changes {
        let key = |i: &Index, doc: &Map<String, Value>| {
            (!doc.is_empty()).then(|| doc.keys().nth(i.index(doc.len())).cloned()).flatten()
        };
        match change {
            Change::Remove(i) => {
                if let Some(k) = key(&i, &doc) {
                    doc.remove(&k);
                }
            }
            Change::Set(member, v) => {
                doc.insert(member.to_owned(), v);
            }
            Change::Poke(i, at, c) => {
                let Some(k) = key(&i, &doc) else { continue };
                let target = match &mut doc[&k] {
                    Value::Array(items) => items.first_mut(),
                    other => Some(other),
                };
                if let Some(Value::String(s)) = target {
                    let mut chars: Vec<char> = s.chars().collect();
                    chars.insert(at.index(chars.len() + 1), c);
                    *s = chars.into_iter().collect();
                }
            }
        }
    }
    doc
}

/// A request body: a near-valid document, or (one in eight) its text cut short or
/// something that is no object at all.
fn body() -> impl Strategy<Value = String> {
    let document = || {
        (prop::sample::select(base_documents()), prop::collection::vec(change(), 0..4)).prop_map(
            |(base, changes)| {
                let Value::Object(map) = base else { unreachable!("base documents are objects") };
                Value::Object(apply(map, changes)).to_string()
            },
        )
    };
    prop_oneof![
        7 => document(),
        1 => (document(), any::<Index>()).prop_map(|(text, cut)| {
            let mut end = cut.index(text.len() + 1);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text[..end].to_owned()
        }),
        1 => prop::sample::select(vec!["[]", "null", "\"x\"", "42", "", "{\"redirect_uris\":"])
            .prop_map(str::to_owned),
    ]
}

/// 2xx, or a 4xx JSON error with a registered code and a string description.
fn check(reply: &Reply, accepted: &[u16]) -> Result<(), TestCaseError> {
    prop_assert!(reply.status < 500, "server error\n{}", reply);
    if accepted.contains(&reply.status) {
        return Ok(());
    }
    prop_assert!((400..500).contains(&reply.status), "unexpected status\n{}", reply);
    let body: Value = serde_json::from_str(&reply.body)
        .map_err(|e| TestCaseError::fail(format!("error body is not JSON ({e})\n{reply}")))?;
    let code = body["error"].as_str().unwrap_or_default();
    prop_assert!(REGISTERED_CODES.contains(&code), "unregistered error {:?}\n{}", code, reply);
    let description = body["error_description"].as_str();
    prop_assert!(description.is_some_and(str::is_ascii), "error_description\n{}", reply);
    Ok(())
}

fn post(rt: &tokio::runtime::Runtime, app: &TestApp, body: String) -> Reply {
    rt.block_on(app.register_raw(body, Some("application/json")))
}

#[test]
fn generated_registrations_never_get_a_server_error_and_refusals_use_registered_codes() {
    // Arrange
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let app = rt.block_on(spawn_app());

    let accepted = std::cell::Cell::new(0);

    // Act + Assert
    runner(cases())
        .run(&body(), |body| {
            let reply = post(&rt, &app, body);
            accepted.set(accepted.get() + u32::from(reply.status == 201));
            check(&reply, &[201])
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(accepted.get() > cases() / 20, "only {} registrations succeeded", accepted.get());
}

#[test]
fn generated_rfc_7592_updates_never_get_a_server_error_and_refusals_use_registered_codes() {
    // Arrange: one client, updated with every generated document (with its client_id)
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let app = rt.block_on(spawn_app());
    let client = rt.block_on(app.register_ok(&base_documents()[1]));
    let with_id = |text: String| -> String {
        match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(mut map)) if !map.contains_key("client_id") => {
                map.insert("client_id".into(), json!(client.client_id));
                Value::Object(map).to_string()
            }
            _ => text,
        }
    };

    let accepted = std::cell::Cell::new(0);

    // Act + Assert
    runner(cases() / 2)
        .run(&body(), |body| {
            let body = Some((with_id(body), Some("application/json")));
            let url = app.local(&client.rcu);
            let reply = rt.block_on(app.send(reqwest::Method::PUT, &url, Some(&client.rat), body));
            accepted.set(accepted.get() + u32::from(reply.status == 200));
            check(&reply, &[200])
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(accepted.get() > cases() / 40, "only {} updates succeeded", accepted.get());
}
