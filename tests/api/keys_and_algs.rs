//! Client keys, authentication methods and algorithms (checklist sections F and G).

use std::sync::OnceLock;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::{X509Builder, X509NameBuilder};
use serde_json::{json, Value};

use crate::helpers::{
    assert_member, assert_oauth_error, assert_oauth_error_naming_one_of, encryption_jwks,
    minimal_with, private_jwk, signing_jwk, signing_jwks, TestApp,
};

async fn jwks_and_jwks_uri_together_are_refused(app: TestApp) {
    // Arrange (checklist item 36)
    let body = minimal_with(json!({
        "jwks": signing_jwks(),
        "jwks_uri": "https://rp.example/jwks.json",
    }));

    // Act
    let reply = app.register(&body).await;

    // Assert
    assert_oauth_error(&reply, 400, "invalid_client_metadata", "jwks");
}

async fn jwks_uri_must_be_an_https_url(app: TestApp) {
    // Arrange: (uri, accepted, why)
    let cases = [
        ("https://rp.example/jwks.json", true, "https"),
        ("http://rp.example/jwks.json", false, "plain http"),
        ("http://localhost/jwks.json", false, "plain http on loopback"),
        ("ftp://rp.example/jwks.json", false, "ftp"),
        ("/jwks.json", false, "relative"),
        ("javascript:alert(1)", false, "javascript:"),
    ];

    for (uri, accepted, why) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ "jwks_uri": uri }))).await;

        // Assert
        if accepted {
            assert_eq!(reply.status, 201, "{why}: expected 201\n{reply}");
            assert_member(&reply.json(), "jwks_uri", &json!(uri));
        } else {
            assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
            assert_oauth_error(&reply, 400, "invalid_client_metadata", "jwks_uri");
        }
    }
}

async fn jwks_that_are_not_a_public_jwk_set_are_refused(app: TestApp) {
    // Arrange (checklist items 38, 39)
    let mut no_modulus = signing_jwk();
    no_modulus.as_object_mut().expect("object").remove("n");
    let cases = [
        (json!({ "foo": 1 }), "no keys member"),
        (json!({ "keys": "x" }), "keys is a string"),
        (json!({ "keys": [1] }), "a key is a number"),
        (json!({ "keys": [{ "kty": "XYZ", "n": "AQAB" }] }), "an unknown kty"),
        (json!({ "keys": [{ "n": "AQAB", "e": "AQAB" }] }), "no kty"),
        (json!({ "keys": [no_modulus] }), "an RSA key without n"),
        (json!({ "keys": [private_jwk()] }), "an RSA private key"),
        (json!({ "keys": [signing_jwk(), private_jwk()] }), "a private key after a public one"),
        (
            json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA" }] }),
            "a symmetric key",
        ),
    ];

    for (jwks, why) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ "jwks": jwks }))).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_client_metadata", "jwks");
    }
}

async fn a_public_jwk_set_is_stored_and_returned_verbatim(app: TestApp) {
    // Arrange
    let cases = [
        (signing_jwks(), "one key without kid (the conformance suite's key)"),
        (encryption_jwks(), "signing and encryption keys with kid and use"),
    ];

    for (jwks, why) in cases {
        // Act
        let client = app.register_ok(&minimal_with(json!({ "jwks": jwks }))).await;
        let read = app.get_client(&client.rcu, &client.rat).await.json();

        // Assert
        assert_eq!(client.body["jwks"], jwks, "{why}: registration response");
        assert_eq!(read["jwks"], jwks, "{why}: read");
    }
}

/// Two RSA keys and a self-signed certificate for the first, as (JWK of key A,
/// certificate of key A, JWK of key B); x5c values are standard base64 DER (RFC 7517 §4.7).
fn keys_with_certificate() -> &'static (Value, String, Value) {
    static KEYS: OnceLock<(Value, String, Value)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let a = PKey::from_rsa(Rsa::generate(2048).expect("RSA")).expect("key");
        let b = PKey::from_rsa(Rsa::generate(2048).expect("RSA")).expect("key");
        let mut name = X509NameBuilder::new().expect("name");
        name.append_entry_by_text("CN", "rp.example").expect("CN");
        let name = name.build();
        let mut builder = X509Builder::new().expect("builder");
        builder.set_version(2).expect("version");
        let serial = BigNum::from_u32(1).and_then(|n| n.to_asn1_integer()).expect("serial");
        builder.set_serial_number(&serial).expect("serial");
        builder.set_subject_name(&name).expect("subject");
        builder.set_issuer_name(&name).expect("issuer");
        builder.set_pubkey(&a).expect("pubkey");
        builder.set_not_before(&Asn1Time::days_from_now(0).expect("time")).expect("not before");
        builder.set_not_after(&Asn1Time::days_from_now(365).expect("time")).expect("not after");
        builder.sign(&a, MessageDigest::sha256()).expect("sign");
        let der = builder.build().to_der().expect("DER");
        let jwk = |key: &PKey<Private>| {
            let rsa = key.rsa().expect("RSA");
            json!({
                "kty": "RSA",
                "use": "sig",
                "n": URL_SAFE_NO_PAD.encode(rsa.n().to_vec()),
                "e": URL_SAFE_NO_PAD.encode(rsa.e().to_vec()),
            })
        };
        (jwk(&a), STANDARD.encode(der), jwk(&b))
    })
}

async fn a_certificate_in_x5c_must_hold_the_key_of_the_jwk(app: TestApp) {
    // Arrange (checklist item 40)
    let (key_a, certificate_a, key_b) = keys_with_certificate();
    let with_x5c = |key: &Value, x5c: Value| {
        let mut key = key.clone();
        key["x5c"] = x5c;
        json!({ "keys": [key] })
    };
    let cases = [
        (with_x5c(key_a, json!([certificate_a])), true, "the certificate of the same key"),
        (with_x5c(key_b, json!([certificate_a])), false, "a certificate of another key"),
        (with_x5c(key_a, json!(["bm90IGEgY2VydGlmaWNhdGU="])), false, "x5c that is not DER"),
        (with_x5c(key_a, json!("x")), false, "x5c that is not an array"),
    ];

    for (jwks, accepted, why) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ "jwks": jwks }))).await;

        // Assert
        if accepted {
            assert_eq!(reply.status, 201, "{why}: expected 201\n{reply}");
        } else {
            assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
            assert_oauth_error(&reply, 400, "invalid_client_metadata", "jwks");
        }
    }
}

async fn a_set_with_signing_and_encryption_keys_needs_use_on_every_key(app: TestApp) {
    // Arrange (checklist item 40)
    let mut jwks = encryption_jwks();
    jwks["keys"][1].as_object_mut().expect("key").remove("use");

    // Act
    let reply = app.register(&minimal_with(json!({ "jwks": jwks }))).await;

    // Assert
    assert_oauth_error(&reply, 400, "invalid_client_metadata", "jwks");
}

async fn private_key_jwt_without_client_keys_is_refused(app: TestApp) {
    // Arrange (checklist item 41)
    let body = minimal_with(json!({ "token_endpoint_auth_method": "private_key_jwt" }));

    // Act
    let reply = app.register(&body).await;

    // Assert
    assert_oauth_error_naming_one_of(
        &reply,
        400,
        "invalid_client_metadata",
        &["jwks", "private_key_jwt", "token_endpoint_auth_method"],
    );
}

async fn an_unknown_token_endpoint_auth_method_is_refused(app: TestApp) {
    // Arrange
    let cases = ["client_secret", "tls_client_auth_x", "Client_Secret_Basic", "NONE"];

    for method in cases {
        // Act
        let reply =
            app.register(&minimal_with(json!({ "token_endpoint_auth_method": method }))).await;

        // Assert
        assert_eq!(reply.status, 400, "{method:?}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_client_metadata", "token_endpoint_auth_method");
    }
}

async fn a_public_client_cannot_ask_for_secret_based_algorithms(app: TestApp) {
    // Arrange: `none` has no secret to key HMACs or key wrapping with.
    let cases = [
        ("id_token_signed_response_alg", "HS256"),
        ("userinfo_signed_response_alg", "HS384"),
        ("request_object_signing_alg", "HS512"),
        ("id_token_encrypted_response_alg", "A128KW"),
        ("userinfo_encrypted_response_alg", "dir"),
        ("request_object_encryption_alg", "A256GCMKW"),
    ];

    for (member, alg) in cases {
        // Act
        let body = minimal_with(json!({ "token_endpoint_auth_method": "none", member: alg }));
        let reply = app.register(&body).await;

        // Assert
        assert_eq!(reply.status, 400, "none + {member} {alg}: expected 400\n{reply}");
        assert_oauth_error_naming_one_of(
            &reply,
            400,
            "invalid_client_metadata",
            &[member, "token_endpoint_auth_method"],
        );
    }
}

async fn algorithms_outside_the_advertised_lists_are_refused_naming_the_member(app: TestApp) {
    // Arrange (checklist item 45; comparison is case-sensitive, item 14)
    let members = [
        "id_token_signed_response_alg",
        "userinfo_signed_response_alg",
        "request_object_signing_alg",
        "token_endpoint_auth_signing_alg",
        "id_token_encrypted_response_alg",
        "userinfo_encrypted_response_alg",
        "request_object_encryption_alg",
    ];

    for member in members {
        for alg in ["XX999", "rs256", "RSA1_5"] {
            // Act
            let body = minimal_with(json!({ member: alg, "jwks": encryption_jwks() }));
            let reply = app.register(&body).await;

            // Assert
            assert_eq!(reply.status, 400, "{member} {alg}: expected 400\n{reply}");
            assert_oauth_error(&reply, 400, "invalid_client_metadata", member);
        }
    }
}

async fn content_encryption_outside_the_advertised_lists_is_refused(app: TestApp) {
    // Arrange
    let families = [
        ("id_token_encrypted_response_alg", "id_token_encrypted_response_enc"),
        ("userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc"),
        ("request_object_encryption_alg", "request_object_encryption_enc"),
    ];

    for (alg_member, enc_member) in families {
        // Act
        let body = minimal_with(json!({
            alg_member: "RSA-OAEP-256", enc_member: "XX999", "jwks": encryption_jwks(),
        }));
        let reply = app.register(&body).await;

        // Assert
        assert_eq!(reply.status, 400, "{enc_member}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_client_metadata", enc_member);
    }
}

async fn unsigned_id_tokens_are_refused_when_the_authorization_endpoint_returns_them(app: TestApp) {
    // Arrange (checklist item 44)
    let cases = [
        (json!({ "response_types": ["id_token"], "grant_types": ["implicit"] }), "implicit"),
        (
            json!({
                "response_types": ["code", "code id_token"],
                "grant_types": ["authorization_code", "implicit"],
            }),
            "code plus hybrid",
        ),
    ];

    for (extra, why) in cases {
        // Act
        let body = minimal_with(merge_alg_none(extra));
        let reply = app.register(&body).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_client_metadata", "id_token_signed_response_alg");
    }
}

fn merge_alg_none(mut extra: Value) -> Value {
    extra["id_token_signed_response_alg"] = json!("none");
    extra
}

async fn token_endpoint_auth_signing_alg_none_is_refused(app: TestApp) {
    // Arrange (checklist item 47)
    let body = minimal_with(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": signing_jwks(),
        "token_endpoint_auth_signing_alg": "none",
    }));

    // Act
    let reply = app.register(&body).await;

    // Assert
    assert_oauth_error(&reply, 400, "invalid_client_metadata", "token_endpoint_auth_signing_alg");
}

async fn an_enc_without_its_alg_is_refused(app: TestApp) {
    // Arrange (checklist item 46)
    let members = [
        "id_token_encrypted_response_enc",
        "userinfo_encrypted_response_enc",
        "request_object_encryption_enc",
    ];

    for member in members {
        // Act
        let body = minimal_with(json!({ member: "A128CBC-HS256", "jwks": encryption_jwks() }));
        let reply = app.register(&body).await;

        // Assert
        assert_eq!(reply.status, 400, "{member} alone: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_client_metadata", member);
    }
}

async fn an_alg_without_its_enc_gets_a128cbc_hs256(app: TestApp) {
    // Arrange (checklist item 21)
    let families = [
        ("id_token_encrypted_response_alg", "id_token_encrypted_response_enc"),
        ("userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc"),
        ("request_object_encryption_alg", "request_object_encryption_enc"),
    ];

    for (alg_member, enc_member) in families {
        // Act
        let body = minimal_with(json!({ alg_member: "RSA-OAEP-256", "jwks": encryption_jwks() }));
        let client = app.register_ok(&body).await;
        let read = app.get_client(&client.rcu, &client.rat).await.json();

        // Assert
        assert_member(&client.body, alg_member, &json!("RSA-OAEP-256"));
        assert_member(&client.body, enc_member, &json!("A128CBC-HS256"));
        assert_member(&read, enc_member, &json!("A128CBC-HS256"));
    }
}

async fn asymmetric_response_encryption_needs_client_keys(app: TestApp) {
    // Arrange: the server encrypts ID tokens and UserInfo to the client's public key.
    let cases = [
        ("id_token_encrypted_response_alg", "RSA-OAEP-256"),
        ("id_token_encrypted_response_alg", "ECDH-ES"),
        ("userinfo_encrypted_response_alg", "RSA-OAEP"),
        ("userinfo_encrypted_response_alg", "ECDH-ES+A128KW"),
    ];

    for (member, alg) in cases {
        // Act
        let reply = app.register(&minimal_with(json!({ member: alg }))).await;
        let with_jwks_uri = app
            .register(&minimal_with(json!({
                member: alg, "jwks_uri": "https://rp.example/jwks.json",
            })))
            .await;

        // Assert
        assert_eq!(with_jwks_uri.status, 201, "{member} {alg} with jwks_uri\n{with_jwks_uri}");
        assert_eq!(reply.status, 400, "{member} {alg} without keys: expected 400\n{reply}");
        assert_oauth_error_naming_one_of(&reply, 400, "invalid_client_metadata", &[member, "jwks"]);
    }
}

async fn rs256_is_accepted_for_request_objects_and_client_assertions(app: TestApp) {
    // Arrange (checklist item 48)
    let body = minimal_with(json!({
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": signing_jwks(),
        "request_object_signing_alg": "RS256",
        "token_endpoint_auth_signing_alg": "RS256",
    }));

    // Act
    let client = app.register_ok(&body).await;

    // Assert
    assert_member(&client.body, "request_object_signing_alg", &json!("RS256"));
    assert_member(&client.body, "token_endpoint_auth_signing_alg", &json!("RS256"));
}

on_both_stores!(
    jwks_and_jwks_uri_together_are_refused,
    jwks_uri_must_be_an_https_url,
    jwks_that_are_not_a_public_jwk_set_are_refused,
    a_public_jwk_set_is_stored_and_returned_verbatim,
    a_certificate_in_x5c_must_hold_the_key_of_the_jwk,
    a_set_with_signing_and_encryption_keys_needs_use_on_every_key,
    private_key_jwt_without_client_keys_is_refused,
    an_unknown_token_endpoint_auth_method_is_refused,
    a_public_client_cannot_ask_for_secret_based_algorithms,
    algorithms_outside_the_advertised_lists_are_refused_naming_the_member,
    content_encryption_outside_the_advertised_lists_is_refused,
    unsigned_id_tokens_are_refused_when_the_authorization_endpoint_returns_them,
    token_endpoint_auth_signing_alg_none_is_refused,
    an_enc_without_its_alg_is_refused,
    an_alg_without_its_enc_gets_a128cbc_hs256,
    asymmetric_response_encryption_needs_client_keys,
    rs256_is_accepted_for_request_objects_and_client_assertions,
);
