//! Software statements (issue 5; RFC 7591 §2.3, §3.1.1, §3.2.1; checklist items 64-69):
//! statements signed by a trusted issuer register clients, their claims win over the body
//! and the statement is echoed as sent; unsigned, HMAC, wrongly signed, expired or
//! issuer-less statements are `invalid_software_statement`, statements from unknown
//! issuers `unapproved_software_statement`.

use std::io::Write;
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use josekit::jwk::Jwk;
use josekit::jws::{JwsHeader, HS256, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::{json, Map, Value};

use crate::admin_helpers::spawn_admin_app_with;
use crate::helpers::{
    assert_invalid_token, assert_oauth_error, merge, minimal, minimal_with, now, spawn_app_with,
    update_body_from, Backend, TestApp,
};
use crate::http_fixture::{Canned, FixtureServer};

const ISSUER: &str = "https://statements.example";
const FIELD: &str = "software_statement";

struct IssuerKeys {
    private: Jwk,
    public: Jwk,
    stranger: Jwk,
}

/// Generated once per test run: RSA key generation is slow in debug builds.
fn keys() -> &'static IssuerKeys {
    static KEYS: OnceLock<IssuerKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let pair = RS256.generate_key_pair(2048).expect("RSA key generation failed");
        let stranger = RS256.generate_key_pair(2048).expect("RSA key generation failed");
        IssuerKeys {
            private: pair.to_jwk_private_key(),
            public: pair.to_jwk_public_key(),
            stranger: stranger.to_jwk_private_key(),
        }
    })
}

/// The trusted issuer's public JWK Set.
fn issuer_jwks() -> Value {
    let jwk: Map<String, Value> = keys().public.clone().into();
    json!({ "keys": [merge(Value::Object(jwk), json!({ "use": "sig", "alg": "RS256" }))] })
}

/// Claims of a statement that is valid for ten minutes.
fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "iat": now(),
        "exp": now() + 600,
        "software_id": "4NRB1-0XZABZI9E6-5SM3R",
        "software_version": "2.1",
        "client_name": "Signed",
    })
}

/// `claims` signed with RS256 by `key`.
fn sign_with(key: &Jwk, claims: &Value) -> String {
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    let map = claims.as_object().expect("claims are an object").clone();
    let payload = JwtPayload::from_map(map).expect("claims make a JWT payload");
    let signer = RS256.signer_from_jwk(key).expect("an RS256 signer");
    jwt::encode_with_signer(&payload, &header, &signer).expect("signing failed")
}

/// `claims` signed by the trusted issuer.
fn sign(claims: &Value) -> String {
    sign_with(&keys().private, claims)
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A temporary trusted-issuers file; keep it until the server has started.
fn trusted_issuers_file(entries: &Value) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .prefix("registrar-issuers-")
        .suffix(".json")
        .tempfile()
        .expect("failed to create the trusted issuers file");
    file.write_all(entries.to_string().as_bytes()).expect("failed to write the issuers file");
    file.flush().expect("failed to flush the issuers file");
    file
}

/// A server trusting [`ISSUER`] with its JWK Set, plus `extra_flags`.
async fn spawn_trusting(extra_flags: &[&str]) -> (TestApp, tempfile::NamedTempFile) {
    let file = trusted_issuers_file(&json!([{ "issuer": ISSUER, "jwks": issuer_jwks() }]));
    let path = file.path().to_str().expect("a UTF-8 temporary path").to_owned();
    let mut flags = vec!["--trusted-issuers", path.as_str()];
    flags.extend_from_slice(extra_flags);
    (spawn_app_with(Backend::Memory, &flags).await, file)
}

#[tokio::test]
async fn a_statement_from_a_trusted_issuer_registers_and_its_claims_win() {
    // Arrange
    let (app, _file) = spawn_trusting(&[]).await;
    let statement = sign(&claims());
    let body = minimal_with(json!({
        "client_name": "Body",
        "software_version": "1.0",
        FIELD: statement,
    }));

    // Act
    let reply = app.register(&body).await;

    // Assert
    let client = reply.registered();
    assert_eq!(client.body["client_name"], json!("Signed"), "the claim wins\n{reply}");
    assert_eq!(client.body["software_version"], json!("2.1"), "the claim wins\n{reply}");
    assert_eq!(client.body["software_id"], json!("4NRB1-0XZABZI9E6-5SM3R"), "{reply}");
    assert_eq!(client.body[FIELD], json!(statement), "echoed unmodified\n{reply}");
    for claim in ["iss", "iat", "exp"] {
        assert!(client.body.get(claim).is_none(), "{claim} is not client metadata\n{reply}");
    }
    let read = app.get_client(&client.rcu, &client.rat).await;
    read.assert_status(200);
    assert_eq!(read.json()["client_name"], json!("Signed"), "{read}");
}

#[tokio::test]
async fn statement_redirect_uris_replace_those_of_the_body() {
    // Arrange
    let (app, _file) = spawn_trusting(&[]).await;
    let statement =
        sign(&merge(claims(), json!({ "redirect_uris": ["https://signed.example/cb"] })));

    // Act
    let reply = app.register(&minimal_with(json!({ FIELD: statement }))).await;

    // Assert
    let client = reply.registered();
    assert_eq!(client.body["redirect_uris"], json!(["https://signed.example/cb"]), "{reply}");
}

#[tokio::test]
async fn statement_claims_are_checked_like_any_metadata() {
    // Arrange
    let (app, _file) = spawn_trusting(&[]).await;
    let statement =
        sign(&merge(claims(), json!({ "redirect_uris": ["http://signed.example/cb"] })));

    // Act
    let reply = app.register(&minimal_with(json!({ FIELD: statement }))).await;

    // Assert
    assert_oauth_error(&reply, 400, "invalid_redirect_uri", "redirect_uris");
}

#[tokio::test]
async fn a_statement_cannot_choose_server_owned_values() {
    // Arrange
    let (app, _file) = spawn_trusting(&[]).await;
    let statement = sign(&merge(
        claims(),
        json!({
            "client_id": "chosen-by-the-issuer",
            "client_secret": "chosen-secret-0123456789012345678901234567",
            "registration_access_token": "chosen-token-01234567890123456789012345678",
            "client_id_issued_at": 1,
        }),
    ));

    // Act
    let reply = app.register(&minimal_with(json!({ FIELD: statement }))).await;

    // Assert
    if reply.status == 201 {
        let client = reply.registered();
        assert_ne!(client.client_id, "chosen-by-the-issuer", "{reply}");
        assert_ne!(
            client.client_secret.as_deref(),
            Some("chosen-secret-0123456789012345678901234567")
        );
        assert_ne!(client.rat, "chosen-token-01234567890123456789012345678", "{reply}");
        assert_ne!(client.body["client_id_issued_at"], json!(1), "{reply}");
    } else {
        assert_eq!(reply.status, 400, "either ignored (201) or refused (400)\n{reply}");
    }
}

#[tokio::test]
async fn unsigned_hmac_wrongly_signed_expired_and_issuerless_statements_are_invalid() {
    // Arrange
    let (app, _file) = spawn_trusting(&[]).await;
    let hmac = {
        let mut header = JwsHeader::new();
        header.set_token_type("JWT");
        let payload = JwtPayload::from_map(claims().as_object().cloned().unwrap_or_default())
            .expect("payload");
        let signer = HS256
            .signer_from_bytes(b"a shared secret of thirty-two bytes or more")
            .expect("signer");
        jwt::encode_with_signer(&payload, &header, &signer).expect("HS256 signing")
    };
    let unsigned = format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "JWT" })), b64(&claims()));
    let valid = sign(&claims());
    let mut tampered_parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    tampered_parts[1] = b64(&merge(claims(), json!({ "client_name": "Tampered" })));
    let cases: Vec<(&str, Value)> = vec![
        ("alg none", json!(unsigned)),
        ("HS256", json!(hmac)),
        ("signed by another key", json!(sign_with(&keys().stranger, &claims()))),
        ("claims changed after signing", json!(tampered_parts.join("."))),
        ("expired", json!(sign(&merge(claims(), json!({ "exp": now() - 3600 }))))),
        ("not valid yet", json!(sign(&merge(claims(), json!({ "nbf": now() + 3600 }))))),
        ("no iss", json!(sign(&merge(claims(), json!({ "iss": null }))))),
        ("not a JWS", json!("not-a-jws")),
        ("two parts", json!(valid.rsplit_once('.').map(|(head, _)| head).unwrap_or_default())),
        ("not a string", json!(42)),
    ];

    // Act + Assert
    for (case, statement) in cases {
        let reply = app.register(&minimal_with(json!({ FIELD: statement }))).await;
        assert_eq!(reply.status, 400, "{case}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_software_statement", FIELD);
    }
}

#[tokio::test]
async fn a_statement_from_an_unknown_issuer_is_unapproved() {
    // Arrange
    let (app, _file) = spawn_trusting(&[]).await;
    let foreign = merge(claims(), json!({ "iss": "https://someone-else.example" }));

    // Act + Assert: whichever key signed it.
    for statement in [sign_with(&keys().stranger, &foreign), sign(&foreign)] {
        let reply = app.register(&minimal_with(json!({ FIELD: statement }))).await;
        assert_oauth_error(&reply, 400, "unapproved_software_statement", FIELD);
    }
}

#[tokio::test]
async fn when_statements_are_required_a_registration_without_one_is_invalid() {
    // Arrange
    let (app, _file) = spawn_trusting(&["--require-software-statement"]).await;

    // Act
    let without = app.register(&minimal()).await;
    let with = app.register(&minimal_with(json!({ FIELD: sign(&claims()) }))).await;

    // Assert
    assert_oauth_error(&without, 400, "invalid_software_statement", FIELD);
    with.registered();
}

#[tokio::test]
async fn an_issuer_key_set_can_come_from_a_jwks_uri() {
    // Arrange
    let fixture = FixtureServer::start().await;
    fixture.set("/jwks.json", Canned::json(&issuer_jwks()));
    let file =
        trusted_issuers_file(&json!([{ "issuer": ISSUER, "jwks_uri": fixture.url("/jwks.json") }]));
    let path = file.path().to_str().expect("a UTF-8 temporary path").to_owned();
    let flags = [
        "--trusted-issuers",
        path.as_str(),
        "--fetch-allow-http",
        "--fetch-allow-hosts",
        "127.0.0.1",
    ];
    let app = spawn_app_with(Backend::Memory, &flags).await;

    // Act
    let first = app.register(&minimal_with(json!({ FIELD: sign(&claims()) }))).await;
    let second = app.register(&minimal_with(json!({ FIELD: sign(&claims()) }))).await;
    let stranger =
        app.register(&minimal_with(json!({ FIELD: sign_with(&keys().stranger, &claims()) }))).await;

    // Assert
    first.registered();
    second.registered();
    assert_oauth_error(&stranger, 400, "invalid_software_statement", FIELD);
    assert_eq!(fixture.requests(), ["/jwks.json"], "the key set is fetched once and kept");
}

// --- RFC 7592 updates --------------------------------------------------------------------

#[tokio::test]
async fn an_update_with_a_statement_is_verified_and_its_claims_win_again() {
    // Arrange
    let (app, _file) = spawn_trusting(&[]).await;
    let client = app.register(&minimal_with(json!({ FIELD: sign(&claims()) }))).await.registered();
    let renamed = sign(&merge(claims(), json!({ "client_name": "Signed again" })));
    let mut update = update_body_from(&client.body);
    update["client_name"] = json!("Body");
    update[FIELD] = json!(renamed);

    // Act
    let reply = app.put_client(&client.rcu, &client.rat, &update).await;

    // Assert
    reply.assert_status(200);
    assert_eq!(reply.json()["client_name"], json!("Signed again"), "the claim wins\n{reply}");
    assert_eq!(reply.json()[FIELD], json!(renamed), "echoed as sent\n{reply}");
}

#[tokio::test]
async fn an_update_with_a_bad_statement_changes_nothing() {
    // Arrange
    let (app, _file) = spawn_trusting(&[]).await;
    let client = app.register(&minimal_with(json!({ FIELD: sign(&claims()) }))).await.registered();
    let mut update = update_body_from(&client.body);
    update["client_name"] = json!("Changed");

    // Act + Assert
    for bad in [
        sign_with(&keys().stranger, &claims()),
        sign(&merge(claims(), json!({ "exp": now() - 60 }))),
    ] {
        update[FIELD] = json!(bad);
        let reply = app.put_client(&client.rcu, &client.rat, &update).await;
        assert_oauth_error(&reply, 400, "invalid_software_statement", FIELD);
    }
    let read = app.get_client(&client.rcu, &client.rat).await;
    assert_eq!(read.json()["client_name"], json!("Signed"), "nothing changed\n{read}");
}

#[tokio::test]
async fn when_statements_are_required_an_update_without_one_is_invalid() {
    // Arrange
    let (app, _file) = spawn_trusting(&["--require-software-statement"]).await;
    let client = app.register(&minimal_with(json!({ FIELD: sign(&claims()) }))).await.registered();
    let mut update = update_body_from(&client.body);
    update.as_object_mut().expect("object").remove(FIELD);

    // Act
    let reply = app.put_client(&client.rcu, &client.rat, &update).await;

    // Assert
    assert_oauth_error(&reply, 400, "invalid_software_statement", FIELD);
}

// --- idempotent registration -------------------------------------------------------------

const IDEMPOTENT: [&str; 1] = ["--idempotent-registration"];

#[tokio::test]
async fn the_same_software_and_metadata_get_the_existing_client_back() {
    // Arrange
    let (app, _file) = spawn_trusting(&IDEMPOTENT).await;
    let body = minimal_with(json!({ FIELD: sign(&claims()) }));
    let first = app.register(&body).await.registered();

    // Act
    let again = app.register(&body).await;

    // Assert: same client and secret; a new registration access token replaces the old.
    let second = again.registered();
    assert_eq!(second.client_id, first.client_id, "{again}");
    assert_eq!(second.client_secret, first.client_secret, "{again}");
    assert_ne!(second.rat, first.rat, "{again}");
    assert_invalid_token(&app.get_client(&first.rcu, &first.rat).await);
    app.get_client(&second.rcu, &second.rat).await.assert_status(200);
}

#[tokio::test]
async fn other_metadata_or_unproven_software_get_new_clients() {
    // Arrange
    let (app, _file) = spawn_trusting(&IDEMPOTENT).await;
    let statement = sign(&claims());
    let first = app.register(&minimal_with(json!({ FIELD: statement }))).await.registered();

    // Act
    let other_metadata = app
        .register(&minimal_with(json!({ FIELD: statement, "contacts": ["a@rp.example"] })))
        .await;
    let unsigned = minimal_with(json!({ "software_id": "4NRB1-0XZABZI9E6-5SM3R" }));
    let unproven = [app.register(&unsigned).await, app.register(&unsigned).await];

    // Assert
    assert_ne!(other_metadata.registered().client_id, first.client_id, "{other_metadata}");
    assert_ne!(unproven[0].registered().client_id, unproven[1].registered().client_id);
}

#[tokio::test]
async fn without_the_setting_every_registration_is_new() {
    let (app, _file) = spawn_trusting(&[]).await;
    let body = minimal_with(json!({ FIELD: sign(&claims()) }));
    let first = app.register(&body).await.registered();
    let second = app.register(&body).await.registered();
    assert_ne!(first.client_id, second.client_id);
}

#[tokio::test]
async fn a_deleted_or_changed_client_is_not_handed_out_again() {
    // Arrange
    let (app, _file) = spawn_trusting(&IDEMPOTENT).await;
    let body = minimal_with(json!({ FIELD: sign(&claims()) }));
    let deleted = app.register(&body).await.registered();
    app.delete_client(&deleted.rcu, &deleted.rat).await.assert_status(204);
    let changed = app.register(&body).await.registered();
    assert_ne!(changed.client_id, deleted.client_id, "a deleted client is not reused");
    let mut update = update_body_from(&changed.body);
    update["contacts"] = json!(["ops@rp.example"]);
    app.put_client(&changed.rcu, &changed.rat, &update).await.assert_status(200);

    // Act
    let after_change = app.register(&body).await.registered();

    // Assert
    assert_ne!(after_change.client_id, changed.client_id, "the changed client no longer matches");
    assert_eq!(app.register(&body).await.registered().client_id, after_change.client_id);
}

#[tokio::test]
async fn concurrent_identical_registrations_share_one_client_on_redis() {
    // Arrange
    let redis = crate::redis_server::RedisServer::start();
    let file = trusted_issuers_file(&json!([{ "issuer": ISSUER, "jwks": issuer_jwks() }]));
    let path = file.path().to_str().expect("a UTF-8 temporary path").to_owned();
    let flags = ["--trusted-issuers", path.as_str(), IDEMPOTENT[0]];
    let app = spawn_app_with(Backend::Redis(&redis), &flags).await;
    let body = minimal_with(json!({ FIELD: sign(&claims()) }));

    // Act
    let replies = futures_util::future::join_all((0..12).map(|_| app.register(&body))).await;

    // Assert
    let ids: std::collections::BTreeSet<String> =
        replies.iter().map(|r| r.registered().client_id).collect();
    assert_eq!(ids.len(), 1, "one client for one piece of software: {ids:?}");
    let clients: Vec<String> = redis.dump().into_keys().filter(|k| k.contains("client:")).collect();
    assert_eq!(clients.len(), 1, "no stray client left behind: {clients:?}");
}

#[tokio::test]
async fn the_audit_event_of_a_registration_names_the_stored_name_not_the_body_s() {
    // Arrange (issue 15: the event recorded the body's client_name, which the statement
    // replaced)
    let file = trusted_issuers_file(&json!([{ "issuer": ISSUER, "jwks": issuer_jwks() }]));
    let path = file.path().to_str().expect("a UTF-8 temporary path").to_owned();
    let app = spawn_admin_app_with(Backend::Memory, &["--trusted-issuers", &path]).await;
    let body = minimal_with(json!({ "client_name": "Body", FIELD: sign(&claims()) }));

    // Act
    let client = app.register(&body).await.registered();
    let (_, page) =
        app.logs_when("", |page| page.as_array().is_some_and(|events| !events.is_empty())).await;

    // Assert
    let event = &page[0];
    assert_eq!(event["client_id"], json!(client.client_id), "{page:#}");
    assert_eq!(event["client_name"], json!("Signed"), "{page:#}");
}
