//! Generated corpus for the parsers that read untrusted input (issue 6): the metadata
//! parser, the redirect URI and URL setting rules, JWK Sets and the bearer token header.
//! `cargo fuzz` needs a nightly toolchain and cargo-fuzz, which CI does not have, so this
//! is the stable stand-in: at least 100,000 generated documents per run, most of them
//! valid documents with a few edits (those reach deep into the rules), the rest noise.
//! No input may panic, errors must be ASCII, and what is accepted must keep its meaning.
//!
//! `REGISTRAR_CORPUS_CASES` sets the total (default 100,000), shared out by [`share`].

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::header::{HeaderValue, AUTHORIZATION};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestRunner};
use serde_json::{json, Map, Value};

use crate::domain::jwks::tests::{any_json, b64ish, ec_public, jwk_like, rsa_public};
use crate::domain::jwks::PublicJwkSet;
use crate::domain::metadata::tests::{arbitrary_json, policy, FIELDS};
use crate::domain::metadata::ClientMetadata;
use crate::domain::uri::{
    check_display_uri, check_https_uri, check_redirect_uri, CheckedUri, RedirectProfile,
};
use crate::domain::url_rules::{UrlPattern, UrlSetting};
use crate::http::bearer;
use crate::http::error::ApiError;

const DEFAULT_CASES: u32 = 100_000;

/// This target's part of the corpus, in percent of the total.
fn share(percent: u32) -> u32 {
    let total = std::env::var("REGISTRAR_CORPUS_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(DEFAULT_CASES);
    (total / 100 * percent).max(1)
}

/// Runs `check` on `cases` generated inputs; returns how many the check counted.
fn run<S: Strategy>(
    cases: u32,
    strategy: S,
    check: impl Fn(S::Value, &AtomicUsize) -> Result<(), TestCaseError>,
) -> usize {
    let counted = AtomicUsize::new(0);
    // XorShift: the default ChaCha generator costs more than the parsers in a debug build.
    // A short shrinking budget, and no persistence files.
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 256,
        rng_algorithm: RngAlgorithm::XorShift,
        ..Config::default()
    };
    TestRunner::new(config)
        .run(&strategy, |input| check(input, &counted))
        .unwrap_or_else(|e| panic!("{e}"));
    counted.into_inner()
}

// --- string edits: how near-valid inputs are made ---------------------------------------

#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, char),
    Delete(Index),
    Replace(Index, char),
    /// Repeats a slice of the string (doubled separators, duplicated segments).
    Repeat(Index, Index),
    Truncate(Index),
}

/// Characters that separate, escape or disguise parts of URIs and tokens.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(vec![
            '#', '*', '?', '/', ':', '@', '%', ' ', '\t', '\n', '\r', '\\', '.', '[', ']', '"',
            '<', '\u{0}', '\u{7f}', 'é', '\u{202e}', '\u{fffd}', 'A', 'z', '0', '9', '-', '_',
            '~', '=', '+', '&', ',', ';',
        ]),
        1 => any::<char>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), tricky_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
        2 => any::<Index>().prop_map(Edit::Delete),
        3 => (any::<Index>(), tricky_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Repeat(a, b)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(seed: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = seed.chars().collect();
    for edit in edits {
        let len = chars.len();
        match edit {
            Edit::Insert(at, c) => chars.insert(at.index(len + 1), *c),
            Edit::Delete(at) if len > 0 => {
                chars.remove(at.index(len));
            }
            Edit::Replace(at, c) if len > 0 => chars[at.index(len)] = *c,
            Edit::Repeat(a, b) if len > 0 => {
                let (a, b) = (a.index(len), b.index(len));
                let (from, to) = (a.min(b), a.max(b) + 1);
                let copy: Vec<char> = chars[from..to].to_vec();
                chars.splice(to..to, copy);
            }
            Edit::Truncate(at) => chars.truncate(at.index(len + 1)),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// A seed with zero to four edits.
fn mutated(seeds: &[&'static str]) -> impl Strategy<Value = String> {
    (prop::sample::select(seeds.to_vec()), prop::collection::vec(edit(), 0..5))
        .prop_map(|(seed, edits)| apply(seed, &edits))
}

// --- redirect URIs and URL settings -----------------------------------------------------

const URI_SEEDS: &[&str] = &[
    "https://rp.example/cb",
    "https://rp.example/cb?x=1&y=%41",
    "https://sub.rp.example:8443/deep/path/cb",
    "HTTPS://RP.example:443/a/../cb?x=%41",
    "http://localhost:8080/cb",
    "http://127.0.0.1/cb",
    "http://[::1]:3000/cb",
    "com.example.app:/cb",
    "com.example.app://callback",
    "https://xn--bcher-kva.example/cb",
    "https://rp.example/r#fragment",
];

const PATTERN_SEEDS: &[&str] = &[
    "https://*.rp.example/cb",
    "https://*.rp.example",
    "https://rp.example",
    "http://localhost:3000",
    "https://rp.example/logout?x=1",
    "com.example.app://cb",
];

fn any_uri() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => mutated(URI_SEEDS),
        1 => "\\PC{0,80}",
        1 => "(https?|HTTP|com\\.app|javascript|data|file)://?[a-z0-9*.@\\[\\]:-]{0,16}[/?#*a-z.%]{0,12}",
    ]
}

const WEB: RedirectProfile =
    RedirectProfile { native: false, implicit: false, allow_native_https: false };
const PROFILES: [RedirectProfile; 4] = [
    WEB,
    RedirectProfile { implicit: true, ..WEB },
    RedirectProfile { native: true, ..WEB },
    RedirectProfile { native: true, allow_native_https: true, ..WEB },
];

fn check_uri(raw: String, accepted: &AtomicUsize) -> Result<(), TestCaseError> {
    for profile in PROFILES {
        match check_redirect_uri(&raw, profile) {
            Ok(uri) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                prop_assert_eq!(uri.as_str(), raw.as_str(), "the URI must be kept verbatim");
                prop_assert!(!raw.contains('#') && !raw.contains('*'), "{:?} accepted", raw);
                let lower = raw.to_ascii_lowercase();
                for scheme in ["javascript:", "data:", "vbscript:", "file:", "blob:", "about:"] {
                    prop_assert!(!lower.starts_with(scheme), "{:?} accepted", raw);
                }
                if profile.implicit && !profile.native {
                    prop_assert!(lower.starts_with("https:"), "{:?} accepted for implicit", raw);
                }
            }
            Err(why) => prop_assert!(why.is_ascii() && !why.is_empty()),
        }
    }
    for result in [
        CheckedUri::parse(&raw),
        check_https_uri(&raw, false),
        check_https_uri(&raw, true),
        check_display_uri(&raw),
    ] {
        if let Err(why) = result {
            prop_assert!(why.is_ascii());
        }
    }
    Ok(())
}

#[test]
fn redirect_uri_rules_hold_for_generated_uris() {
    let accepted = run(share(25), any_uri(), check_uri);
    assert!(accepted > 0, "the generator never produced an acceptable URI");
}

const SETTINGS: [UrlSetting; 4] = [
    UrlSetting::Callback,
    UrlSetting::AllowedLogoutUrl,
    UrlSetting::AllowedOrigin,
    UrlSetting::WebOrigin,
];

#[test]
fn url_setting_rules_hold_for_generated_patterns() {
    let pattern = prop_oneof![3 => mutated(PATTERN_SEEDS), 1 => any_uri()];
    let parsed = run(share(15), (pattern, any_uri()), |(raw, candidate), parsed| {
        for setting in SETTINGS {
            for wildcard in [false, true] {
                match UrlPattern::parse(&raw, setting, wildcard) {
                    Ok(p) => {
                        parsed.fetch_add(1, Ordering::Relaxed);
                        let _ = p.matches(&candidate);
                        if !p.has_wildcard() {
                            prop_assert!(p.matches(&raw), "{:?} does not match itself", raw);
                        }
                    }
                    Err(e) => prop_assert!(e.to_string().is_ascii()),
                }
            }
        }
        Ok(())
    });
    assert!(parsed > 0, "the generator never produced a valid pattern");
}

// --- client metadata --------------------------------------------------------------------

/// Valid values for each member (with `policy()`'s scopes), combined at random.
fn member_values() -> Vec<(&'static str, Vec<Value>)> {
    let https = |path: &str| json!(format!("https://rp.example/{path}"));
    vec![
        (
            "redirect_uris",
            vec![
                json!(["https://rp.example/cb"]),
                json!(["https://a.rp.example/cb", "http://localhost:8080/cb"]),
                json!(["com.example.app:/cb"]),
                json!(["http://127.0.0.1:5000/cb"]),
            ],
        ),
        (
            "token_endpoint_auth_method",
            ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"]
                .into_iter()
                .chain(["none"])
                .map(Value::from)
                .collect(),
        ),
        (
            "grant_types",
            vec![
                json!(["authorization_code"]),
                json!(["authorization_code", "refresh_token"]),
                json!(["implicit"]),
                json!(["authorization_code", "implicit"]),
                json!(["client_credentials"]),
            ],
        ),
        (
            "response_types",
            vec![json!(["code"]), json!(["id_token"]), json!(["code id_token"]), json!([])],
        ),
        ("application_type", vec![json!("web"), json!("native")]),
        ("client_name", vec![json!("My App"), json!("")]),
        ("client_name#fr", vec![json!("Mon app")]),
        ("client_name#ja-Jpan-JP", vec![json!("アプリ")]),
        ("client_uri", vec![https("")]),
        ("logo_uri", vec![https("logo.png")]),
        ("policy_uri", vec![https("policy")]),
        ("tos_uri#de", vec![https("agb")]),
        ("contacts", vec![json!(["ops@rp.example", "admin@rp.example"])]),
        ("scope", vec![json!("openid profile"), json!("email unknown")]),
        ("jwks", vec![json!({ "keys": [rsa_public()] }), json!({ "keys": [ec_public()] })]),
        ("jwks_uri", vec![https("jwks.json")]),
        ("subject_type", vec![json!("public"), json!("pairwise")]),
        ("sector_identifier_uri", vec![https("sector.json")]),
        ("id_token_signed_response_alg", vec![json!("RS256"), json!("ES256"), json!("HS256")]),
        ("id_token_encrypted_response_alg", vec![json!("RSA-OAEP"), json!("ECDH-ES")]),
        ("id_token_encrypted_response_enc", vec![json!("A128CBC-HS256")]),
        ("userinfo_signed_response_alg", vec![json!("RS256")]),
        ("request_object_signing_alg", vec![json!("RS256"), json!("none")]),
        ("token_endpoint_auth_signing_alg", vec![json!("RS256"), json!("HS256")]),
        ("default_max_age", vec![json!(3600), json!(0)]),
        ("require_auth_time", vec![json!(true)]),
        ("default_acr_values", vec![json!(["urn:mace:incommon:iap:silver"])]),
        ("initiate_login_uri", vec![https("login")]),
        ("request_uris", vec![json!(["https://rp.example/req#abc"])]),
        ("post_logout_redirect_uris", vec![json!(["https://rp.example/logout"])]),
        ("software_id", vec![json!("4NRB1-0XZABZI9E6-5SM3R")]),
        ("software_version", vec![json!("2.1")]),
        ("x_unknown_extension", vec![json!({ "nested": [1, 2] })]),
    ]
}

#[derive(Debug, Clone)]
enum DocEdit {
    Remove(Index),
    Null(Index),
    Replace(Index, Value),
    /// `"x"` becomes `["x"]`, `["x"]` becomes `"x"`.
    Wrap(Index),
    /// Edits a string member, or the first string of an array member.
    EditString(Index, Vec<Edit>),
    Add(&'static str, Value),
}

fn doc_edit() -> impl Strategy<Value = DocEdit> {
    prop_oneof![
        1 => any::<Index>().prop_map(DocEdit::Remove),
        1 => any::<Index>().prop_map(DocEdit::Null),
        1 => (any::<Index>(), arbitrary_json()).prop_map(|(i, v)| DocEdit::Replace(i, v)),
        1 => any::<Index>().prop_map(DocEdit::Wrap),
        3 => (any::<Index>(), prop::collection::vec(edit(), 1..4))
            .prop_map(|(i, e)| DocEdit::EditString(i, e)),
        1 => (prop::sample::select(FIELDS), arbitrary_json()).prop_map(|(f, v)| DocEdit::Add(f, v)),
    ]
}

fn apply_doc(doc: &mut Map<String, Value>, edit: DocEdit) {
    let key = |i: &Index| -> Option<String> {
        (!doc.is_empty()).then(|| doc.keys().nth(i.index(doc.len())).cloned()).flatten()
    };
    match edit {
        DocEdit::Remove(i) => {
            if let Some(k) = key(&i) {
                doc.remove(&k);
            }
        }
        DocEdit::Null(i) => {
            if let Some(k) = key(&i) {
                doc.insert(k, Value::Null);
            }
        }
        DocEdit::Replace(i, v) => {
            if let Some(k) = key(&i) {
                doc.insert(k, v);
            }
        }
        DocEdit::Wrap(i) => {
            if let Some(k) = key(&i) {
                let value = doc[&k].take();
                let wrapped = match value {
                    Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
                    other => Value::Array(vec![other]),
                };
                doc.insert(k, wrapped);
            }
        }
        DocEdit::EditString(i, edits) => {
            if let Some(k) = key(&i) {
                let target = match &mut doc[&k] {
                    Value::Array(items) => items.first_mut(),
                    other => Some(other),
                };
                if let Some(Value::String(s)) = target {
                    *s = apply(s, &edits);
                }
            }
        }
        DocEdit::Add(field, v) => {
            doc.insert(field.to_owned(), v);
        }
    }
}

/// A valid-looking registration: redirect URIs plus a random third of the other members,
/// then up to four edits.
fn near_valid_document() -> impl Strategy<Value = Map<String, Value>> {
    let table = member_values();
    let picks: Vec<_> = table
        .iter()
        .enumerate()
        .map(|(n, (_, values))| {
            prop::option::weighted(if n == 0 { 0.95 } else { 0.3 }, 0..values.len())
        })
        .collect();
    (picks, prop::collection::vec(doc_edit(), 0..5)).prop_map(move |(picks, edits)| {
        let mut doc: Map<String, Value> = table
            .iter()
            .zip(picks)
            .filter_map(|((name, values), pick)| {
                pick.map(|i| ((*name).to_owned(), values[i].clone()))
            })
            .collect();
        for edit in edits {
            apply_doc(&mut doc, edit);
        }
        doc
    })
}

fn noise_document() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((prop::sample::select(FIELDS), arbitrary_json()), 0..12)
        .prop_map(|members| members.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

#[test]
fn metadata_parsing_holds_for_generated_documents() {
    let documents = prop_oneof![4 => near_valid_document(), 1 => noise_document()];
    let accepted = run(share(30), documents, |doc, accepted| {
        match ClientMetadata::parse(&doc, &policy()) {
            Ok(meta) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                // Whatever registers must describe itself again without loss.
                let again = ClientMetadata::parse(&meta.to_json(), &policy())
                    .map_err(|e| TestCaseError::fail(format!("own output refused: {e}")))?;
                prop_assert_eq!(again.to_json(), meta.to_json());
            }
            Err(e) => prop_assert!(e.to_string().is_ascii() && !e.to_string().is_empty()),
        }
        Ok(())
    });
    assert!(accepted > share(30) as usize / 100, "only {accepted} documents were accepted");
}

// --- JWK Sets -----------------------------------------------------------------------------

fn mutated_real_key_set() -> impl Strategy<Value = Value> {
    let members = prop::sample::select(vec![
        "kty", "n", "e", "x", "y", "crv", "use", "x5c", "key_ops", "alg", "kid", "d",
    ]);
    let change = (members, prop::option::of(prop_oneof![b64ish(), any_json()]));
    (any::<bool>(), prop::collection::vec(change, 0..3), 1..3usize).prop_map(
        |(rsa, changes, copies)| {
            let mut key = if rsa { rsa_public() } else { ec_public() };
            if let Some(map) = key.as_object_mut() {
                for (member, replacement) in changes {
                    match replacement {
                        Some(v) => map.insert(member.into(), v),
                        None => map.remove(member),
                    };
                }
            }
            json!({ "keys": vec![key; copies] })
        },
    )
}

#[test]
fn jwk_set_parsing_holds_for_generated_sets() {
    let sets = prop_oneof![
        3 => mutated_real_key_set(),
        2 => prop::collection::vec(jwk_like(), 0..5).prop_map(|keys| json!({ "keys": keys })),
        1 => any_json(),
    ];
    let accepted = run(share(15), sets, |set, accepted| {
        match PublicJwkSet::parse(&set) {
            Ok(parsed) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                prop_assert_eq!(parsed.as_value(), &set, "an accepted set is kept verbatim");
            }
            Err(e) => prop_assert!(e.to_string().is_ascii()),
        }
        Ok(())
    });
    assert!(accepted > 0, "the generator never produced an acceptable key set");
}

// --- bearer tokens ------------------------------------------------------------------------

fn authorization_header() -> impl Strategy<Value = Vec<u8>> {
    let scheme = prop_oneof![
        4 => Just("Bearer".to_owned()),
        1 => prop::sample::select(vec!["bearer", "BEARER", "Basic", "DPoP", "Bearer,", ""])
            .prop_map(str::to_owned),
        1 => "[A-Za-z]{0,8}",
    ];
    let separator = prop::sample::select(vec![" ", " ", " ", "  ", "", "\t", " \t"]);
    let token = prop_oneof![
        4 => "[A-Za-z0-9_-]{43}",
        2 => "[A-Za-z0-9._~+/=-]{1,80}",
        1 => "\\PC{0,40}",
        1 => Just("t".repeat(4096)),
        1 => Just("t".repeat(4097)),
    ];
    let near = (scheme, separator, token, prop::sample::select(vec!["", " ", "  ", ","]))
        .prop_map(|(s, sep, t, tail)| format!("{s}{sep}{t}{tail}"));
    let near = (near, prop::collection::vec(edit(), 0..3)).prop_map(|(h, e)| apply(&h, &e));
    prop_oneof![
        5 => near.prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

#[test]
fn bearer_token_parsing_holds_for_generated_headers() {
    let accepted = run(share(15), authorization_header(), |bytes, accepted| {
        // Bytes a header value cannot hold never reach the parser.
        let Ok(value) = HeaderValue::from_bytes(&bytes) else { return Ok(()) };
        let request = actix_web::test::TestRequest::default()
            .insert_header((AUTHORIZATION, value))
            .to_http_request();
        match bearer::token(&request) {
            Ok(token) => {
                accepted.fetch_add(1, Ordering::Relaxed);
                let token = token.expose();
                prop_assert!(!token.is_empty() && token.len() <= 4096);
                let token68 = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
                prop_assert!(token.bytes().all(token68), "{:?} accepted", token);
                prop_assert!(String::from_utf8_lossy(&bytes).contains(token));
            }
            Err(e) => prop_assert!(
                matches!(e, ApiError::MissingToken | ApiError::InvalidToken),
                "unexpected error {:?}",
                e
            ),
        }
        Ok(())
    });
    assert!(accepted > 0, "the generator never produced an acceptable header");
}
