//! The token endpoint (issue 16): client_credentials with every client authentication
//! method, RFC 9068 access tokens, every RFC 6749 §5.2 failure, assertion rules and replay.

use serde_json::{json, Value};

use crate::helpers::{now, Backend};
use crate::token_helpers::{basic_header, spawn_oauth_app, verified_claims, Client, OAuthApp, API};

const METHODS: [&str; 4] =
    ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"];

#[track_caller]
fn assert_error(reply: &crate::helpers::Reply, status: u16, code: &str) {
    reply.assert_status(status).assert_json_content_type().assert_no_store();
    let body = reply.json();
    assert_eq!(body["error"], code, "{reply}");
    assert!(body["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{reply}");
}

async fn every_method_gets_an_rfc_9068_token_for_each_signing_alg(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    for (i, alg) in ["RS256", "ES256", "EdDSA"].into_iter().enumerate() {
        let audience = format!("https://api{i}.example/");
        app.create_api(&audience, alg).await;
        for method in METHODS {
            let client = app.register_client(method).await;
            app.grant(&client, &audience, &["read:x"]).await;

            // Act
            let reply = app
                .token(&client, &[("grant_type", "client_credentials"), ("audience", &audience)])
                .await;

            // Assert
            reply.assert_status(200).assert_json_content_type().assert_no_store();
            let body = reply.json();
            assert_eq!(body["token_type"], "Bearer", "{reply}");
            assert_eq!(body["expires_in"], 600, "{reply}");
            assert_eq!(body["scope"], "read:x", "{reply}");
            let token = body["access_token"].as_str().expect("access_token");
            let (header, claims) = verified_claims(&app, token).await;
            assert_eq!(
                (header["typ"].as_str(), header["alg"].as_str()),
                (Some("at+jwt"), Some(alg))
            );
            assert_eq!(claims["iss"], app.issuer.as_str());
            assert_eq!(claims["sub"], client.id.as_str());
            assert_eq!(claims["client_id"], client.id.as_str());
            assert_eq!(claims["aud"], audience.as_str());
            assert_eq!(claims["scope"], "read:x");
            assert!(claims["jti"].is_string(), "{claims}");
            let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
            assert_eq!(exp - iat, 600, "the API's token_lifetime: {claims}");
            assert!((iat - now()).abs() < 30, "{claims}");
        }
    }
}

async fn resource_and_scope_select_the_api_and_a_subset_of_the_grant(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    app.create_api(API, "ES256").await;
    let client = app.client_with_grant("client_secret_post").await;

    // Act
    let by_resource = app
        .token(
            &client,
            &[("grant_type", "client_credentials"), ("resource", API), ("scope", "write:x")],
        )
        .await;
    let all = app.token(&client, &[("grant_type", "client_credentials"), ("audience", API)]).await;

    // Assert
    by_resource.assert_status(200);
    assert_eq!(by_resource.json()["scope"], "write:x");
    all.assert_status(200);
    assert_eq!(all.json()["scope"], "read:x write:x", "no scope asked: every granted scope");
}

async fn every_failure_gets_its_rfc_6749_code(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    app.create_api(API, "ES256").await;
    app.create_api("https://other.example/", "ES256").await;
    let client = app.client_with_grant("client_secret_basic").await;
    let secret = client.secret.clone().unwrap();
    let cc = ("grant_type", "client_credentials");
    let aud = ("audience", API);
    let mut code_only =
        crate::helpers::minimal_with(json!({ "token_endpoint_auth_method": "client_secret_post" }));
    code_only["grant_types"] = json!(["authorization_code"]);
    let code_client = app.register(&code_only).await.registered();
    let code_client = Client {
        id: code_client.client_id,
        secret: code_client.client_secret,
        method: "client_secret_post",
    };

    // Act and assert: authentication failures, one answer for unknown and wrong.
    let wrong = basic_header(&client.id, "not-the-secret");
    let unknown = basic_header("no-such-client", &secret);
    for header in [&wrong, &unknown] {
        let reply = app.form("/oauth/token", &[("authorization", header)], &[cc, aud]).await;
        assert_error(&reply, 401, "invalid_client");
        assert!(
            reply.header("www-authenticate").is_some_and(|h| h.starts_with("Basic")),
            "{reply}"
        );
        assert_eq!(reply.json()["error_description"], "client authentication failed");
    }
    let post_instead = app
        .form(
            "/oauth/token",
            &[],
            &[cc, aud, ("client_id", &client.id), ("client_secret", &secret)],
        )
        .await;
    assert_error(&post_instead, 401, "invalid_client");
    assert!(post_instead.header("www-authenticate").is_none(), "{post_instead}");
    assert_error(&app.form("/oauth/token", &[], &[cc, aud]).await, 401, "invalid_client");

    // The request itself.
    assert_error(&app.token(&client, &[aud]).await, 400, "invalid_request");
    assert_error(&app.token(&client, &[cc]).await, 400, "invalid_request");
    let twice = app
        .form(
            "/oauth/token",
            &[("authorization", &basic_header(&client.id, &secret))],
            &[cc, cc, aud],
        )
        .await;
    assert_error(&twice, 400, "invalid_request");
    for grant in ["authorization_code", "refresh_token", "password", "urn:example:nope"] {
        let reply = app.token(&client, &[("grant_type", grant), aud]).await;
        assert_error(&reply, 400, "unsupported_grant_type");
    }
    let code =
        app.token(&code_client, &[("grant_type", "authorization_code"), ("code", "x")]).await;
    assert!(
        code.json()["error_description"].as_str().unwrap().contains("OpenID Provider"),
        "{code}"
    );
    assert_error(&app.token(&code_client, &[cc, aud]).await, 400, "unauthorized_client");
    assert_error(&app.token(&client, &[cc, aud, ("scope", "admin:x")]).await, 400, "invalid_scope");
    assert_error(
        &app.token(&client, &[cc, ("audience", "https://nope.example/")]).await,
        400,
        "invalid_target",
    );
    assert_error(
        &app.token(&client, &[cc, ("audience", "https://other.example/")]).await,
        400,
        "invalid_target",
    );
    assert_error(
        &app.token(&client, &[cc, ("resource", "not a uri")]).await,
        400,
        "invalid_target",
    );
    let json = app
        .send_with_headers(
            reqwest::Method::POST,
            &format!("{}/oauth/token", app.address),
            &[("authorization", &basic_header(&client.id, &secret))],
            Some((
                json!({"grant_type": "client_credentials"}).to_string(),
                Some("application/json"),
            )),
        )
        .await;
    assert_error(&json, 415, "invalid_request");
}

async fn assertions_follow_rfc_7523_and_are_used_once(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    app.create_api(API, "EdDSA").await;
    let assertion_params = |jwt: &str| -> Vec<(String, String)> {
        vec![
            ("grant_type".into(), "client_credentials".into()),
            ("audience".into(), API.into()),
            (
                "client_assertion_type".into(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into(),
            ),
            ("client_assertion".into(), jwt.into()),
        ]
    };
    async fn send(app: &OAuthApp, params: Vec<(String, String)>) -> crate::helpers::Reply {
        let borrowed: Vec<(&str, &str)> =
            params.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        app.form("/oauth/token", &[], &borrowed).await
    }
    for method in ["client_secret_jwt", "private_key_jwt"] {
        let client = app.client_with_grant(method).await;
        let good = app.assertion(&client, &json!({}));

        // Act and assert: once, then a replay.
        send(&app, assertion_params(&good)).await.assert_status(200);
        assert_error(&send(&app, assertion_params(&good)).await, 401, "invalid_client");

        let issuer_aud = app.assertion(&client, &json!({ "aud": app.issuer }));
        send(&app, assertion_params(&issuer_aud)).await.assert_status(200);
        for (overrides, why) in [
            (json!({ "aud": "https://elsewhere.example/token" }), "foreign aud"),
            (json!({ "exp": null }), "no exp"),
            (json!({ "exp": now() - 3600 }), "expired"),
            (json!({ "exp": now() + 86_400 }), "exp too far ahead"),
            (json!({ "jti": null }), "no jti"),
            (json!({ "iss": "someone-else" }), "iss is not sub"),
        ] {
            let jwt = app.assertion(&client, &overrides);
            let reply = send(&app, assertion_params(&jwt)).await;
            assert_eq!(reply.status, 401, "{method}, {why}: {reply}");
        }
        // alg none, and a tampered signature.
        let none =
            format!("{}.{}.", base64_url(&json!({"alg": "none"})), good.split('.').nth(1).unwrap());
        assert_error(&send(&app, assertion_params(&none)).await, 401, "invalid_client");
        let mut parts: Vec<String> =
            app.assertion(&client, &json!({})).split('.').map(str::to_owned).collect();
        parts[2] = parts[2].chars().rev().collect();
        assert_error(&send(&app, assertion_params(&parts.join("."))).await, 401, "invalid_client");
    }
}

fn base64_url(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn a_registered_signing_alg_is_enforced(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    app.create_api(API, "ES256").await;
    let body = crate::helpers::minimal_with(json!({
        "grant_types": ["client_credentials"],
        "token_endpoint_auth_method": "client_secret_jwt",
        "token_endpoint_auth_signing_alg": "HS512",
    }));
    let registered = app.register(&body).await.registered();
    let client = Client {
        id: registered.client_id,
        secret: registered.client_secret,
        method: "client_secret_jwt",
    };
    app.grant(&client, API, &["read:x"]).await;

    // Act: the helper signs HS256.
    let reply =
        app.token(&client, &[("grant_type", "client_credentials"), ("audience", API)]).await;

    // Assert
    assert_error(&reply, 401, "invalid_client");
    assert!(reply.json()["error_description"].as_str().unwrap().contains("HS512"), "{reply}");
}

on_both_backends!(
    every_method_gets_an_rfc_9068_token_for_each_signing_alg,
    resource_and_scope_select_the_api_and_a_subset_of_the_grant,
    every_failure_gets_its_rfc_6749_code,
    assertions_follow_rfc_7523_and_are_used_once,
    a_registered_signing_alg_is_enforced,
);

#[tokio::test]
async fn a_replayed_assertion_is_refused_by_another_instance_on_the_same_redis() {
    // Arrange: two servers on one Redis.
    let redis = crate::redis_server::RedisServer::start();
    let first = spawn_oauth_app(Backend::Redis(&redis), &[]).await;
    let second = spawn_oauth_app(Backend::Redis(&redis), &[]).await;
    first.create_api(API, "ES256").await;
    let client = first.client_with_grant("private_key_jwt").await;
    let jwt = first.assertion(&client, &json!({ "aud": first.issuer }));
    let params = [
        ("grant_type", "client_credentials"),
        ("audience", API),
        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        ("client_assertion", jwt.as_str()),
    ];

    // Act
    let once = first.form("/oauth/token", &[], &params).await;
    let again = second.form("/oauth/token", &[], &params).await;

    // Assert
    once.assert_status(200);
    assert_error(&again, 401, "invalid_client");
}

#[tokio::test]
async fn the_token_endpoint_rate_limits_each_client() {
    // Arrange
    let app = spawn_oauth_app(Backend::Memory, &["--token-rate-limit-per-client", "2/min"]).await;
    app.create_api(API, "ES256").await;
    let client = app.client_with_grant("client_secret_basic").await;
    let other = app.client_with_grant("client_secret_basic").await;

    // Act
    app.token_ok(&client).await;
    app.token_ok(&client).await;
    let third =
        app.token(&client, &[("grant_type", "client_credentials"), ("audience", API)]).await;

    // Assert
    assert_error(&third, 429, "too_many_requests");
    assert!(third.header("retry-after").is_some(), "{third}");
    app.token_ok(&other).await;
}

#[tokio::test]
async fn a_client_that_only_gets_tokens_counts_as_used_for_cleanup() {
    // Arrange: never-used clients are swept after a second.
    let flags = ["--cleanup-unused-after", "1s", "--cleanup-interval", "1s"];
    let app = spawn_oauth_app(Backend::Memory, &flags).await;
    app.create_api(API, "ES256").await;
    let used = app.client_with_grant("client_secret_basic").await;
    let unused = app.client_with_grant("client_secret_basic").await;

    // Act
    app.token_ok(&used).await;
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;

    // Assert
    app.token_ok(&used).await;
    let gone = app.token(&unused, &[("grant_type", "client_credentials"), ("audience", API)]).await;
    assert_eq!(gone.status, 401, "the never-used client was swept: {gone}");
}
