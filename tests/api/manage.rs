//! The client configuration endpoint, RFC 7592: read, update, delete and bearer
//! authentication (checklist section M).

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_invalid_token, assert_member, assert_oauth_error, assert_oauth_error_code,
    assert_url_safe_token, merge, minimal, minimal_with, spawn_app_with, update_body_from, Backend,
    Registered, TestApp,
};

/// GET with the RAT, asserting 200; the body.
async fn read(app: &TestApp, client: &Registered) -> Value {
    let reply = app.get_client(&client.rcu, &client.rat).await;
    reply.assert_status(200).assert_json_content_type();
    reply.json()
}

#[track_caller]
fn assert_allow(reply: &crate::helpers::Reply, expected: &[&str]) {
    let allow = reply.header("allow").unwrap_or("");
    let mut got: Vec<String> = allow
        .split(',')
        .map(|method| method.trim().to_ascii_uppercase())
        .filter(|method| !method.is_empty())
        .collect();
    got.sort();
    let mut expected: Vec<String> = expected.iter().map(|m| (*m).to_owned()).collect();
    expected.sort();
    assert_eq!(got, expected, "Allow header {allow:?}\n{reply}");
}

async fn reading_a_client_returns_the_registration_response(app: TestApp) {
    // Arrange
    let client = app.register_ok(&minimal_with(json!({ "client_name": "Reader" }))).await;

    // Act
    let reply = app.get_client(&client.rcu, &client.rat).await;

    // Assert (checklist item 82)
    reply.assert_status(200).assert_json_content_type().assert_no_store();
    assert_eq!(reply.json(), client.body, "read differs from the registration response");
}

async fn two_reads_return_identical_bodies(app: TestApp) {
    // Arrange
    let client = app.register_ok(&minimal()).await;

    // Act
    let first = read(&app, &client).await;
    let second = read(&app, &client).await;

    // Assert (checklist item 83)
    assert_eq!(first, second);
}

async fn a_request_without_a_token_gets_a_bearer_challenge_without_an_error_code(app: TestApp) {
    // Arrange (checklist item 79, RFC 6750 §3.1)
    let client = app.register_ok(&minimal()).await;
    let url = app.local(&client.rcu);

    for method in [Method::GET, Method::PUT, Method::DELETE] {
        // Act
        let body = (method == Method::PUT).then(|| {
            let update = update_body_from(&client.body);
            (update.to_string(), Some("application/json"))
        });
        let reply = app.send(method.clone(), &url, None, body).await;

        // Assert
        assert_eq!(reply.status, 401, "{method} without a token\n{reply}");
        let challenge = reply.header("www-authenticate").unwrap_or("");
        assert!(challenge.starts_with("Bearer"), "{method}: challenge {challenge:?}\n{reply}");
        assert!(!challenge.contains("error="), "{method}: no error code expected\n{reply}");
        reply.assert_no_store();
    }
    read(&app, &client).await;
}

async fn bad_tokens_and_unknown_clients_get_the_same_invalid_token_answer(app: TestApp) {
    // Arrange (checklist items 80, 84, 85)
    let victim = app.register_ok(&minimal()).await;
    let other = app.register_ok(&minimal()).await;
    let deleted = app.register_ok(&minimal()).await;
    app.delete_client(&deleted.rcu, &deleted.rat).await.assert_status(204);
    let unknown_rcu = format!("{}/oidc/register/{}", app.address, "A".repeat(22));
    let cases = [
        (victim.rcu.clone(), "not-the-token".to_owned(), "a wrong token"),
        (victim.rcu.clone(), other.rat.clone(), "another client's token"),
        (victim.rcu.clone(), format!("{}x", victim.rat), "the token with a suffix"),
        (victim.rcu.clone(), victim.rat[..victim.rat.len() - 1].to_owned(), "a truncated token"),
        (unknown_rcu.clone(), "not-the-token".to_owned(), "an unknown client"),
        (unknown_rcu, victim.rat.clone(), "an unknown client with a real token"),
        (deleted.rcu.clone(), deleted.rat.clone(), "a deleted client"),
    ];
    let mut bodies = Vec::new();

    for (rcu, token, why) in cases {
        // Act
        let reply = app.get_client(&rcu, &token).await;

        // Assert
        assert_eq!(reply.status, 401, "{why}: expected 401, never 404\n{reply}");
        assert_invalid_token(&reply);
        reply.assert_no_store();
        assert!(
            !reply.body.contains(&victim.client_id) && !reply.body.contains(&deleted.client_id),
            "{why}: the body must not reveal the client id\n{reply}"
        );
        bodies.push((why, reply.json()));
    }
    for (why, body) in &bodies[1..] {
        assert_eq!(body, &bodies[0].1, "{why} must answer exactly like {}", bodies[0].0);
    }
    assert_eq!(read(&app, &victim).await, victim.body);
}

async fn the_bearer_scheme_is_case_insensitive_and_other_schemes_carry_no_token(app: TestApp) {
    // Arrange (RFC 9110 §11.1: schemes are case-insensitive; RFC 6750 §3.1: no error
    // code when the request carried no bearer credentials)
    let client = app.register_ok(&minimal()).await;
    let basic = format!("Basic {}", "Y2xpZW50OnNlY3JldA==");

    // Act
    let lower = app.get_with_authorization(&client.rcu, &format!("bearer {}", client.rat)).await;
    let upper = app.get_with_authorization(&client.rcu, &format!("BEARER {}", client.rat)).await;
    let other_scheme = app.get_with_authorization(&client.rcu, &basic).await;
    let empty = app.get_with_authorization(&client.rcu, "Bearer ").await;

    // Assert
    lower.assert_status(200);
    upper.assert_status(200);
    assert_eq!(other_scheme.status, 401, "{other_scheme}");
    let challenge = other_scheme.header("www-authenticate").unwrap_or("");
    assert!(
        challenge.starts_with("Bearer") && !challenge.contains("error="),
        "Basic credentials are no bearer token: {challenge:?}\n{other_scheme}"
    );
    assert_eq!(empty.status, 401, "{empty}");
}

async fn updates_and_deletes_with_a_wrong_token_change_nothing(app: TestApp) {
    // Arrange
    let victim = app.register_ok(&minimal()).await;
    let other = app.register_ok(&minimal()).await;
    let update = merge(update_body_from(&victim.body), json!({ "client_name": "Hijacked" }));

    for token in ["wrong", other.rat.as_str()] {
        // Act
        let put = app.put_client(&victim.rcu, token, &update).await;
        let delete = app.delete_client(&victim.rcu, token).await;

        // Assert
        assert_invalid_token(&put);
        assert_invalid_token(&delete);
    }
    assert_eq!(read(&app, &victim).await, victim.body);
}

async fn unsupported_methods_get_405_with_an_allow_header(app: TestApp) {
    // Arrange (checklist item 81)
    let client = app.register_ok(&minimal()).await;
    let rcu = app.local(&client.rcu);
    let endpoint = app.registration_endpoint();
    let cases = [
        (Method::PATCH, rcu.clone(), &["GET", "PUT", "DELETE"][..]),
        (Method::POST, rcu, &["GET", "PUT", "DELETE"][..]),
        (Method::GET, endpoint.clone(), &["POST"][..]),
        (Method::PUT, endpoint.clone(), &["POST"][..]),
        (Method::DELETE, endpoint, &["POST"][..]),
    ];

    for (method, url, allowed) in cases {
        // Act
        let body = Some((minimal().to_string(), Some("application/json")));
        let reply = app.send(method.clone(), &url, Some(&client.rat), body).await;

        // Assert
        assert_eq!(reply.status, 405, "{method} {url}\n{reply}");
        assert_allow(&reply, allowed);
        reply.assert_json_content_type().assert_no_store();
    }
    assert_eq!(read(&app, &client).await, client.body);
}

async fn putting_back_the_read_body_returns_200_with_the_same_client(app: TestApp) {
    // Arrange (checklist items 87, 93; FAPI brazildcr update-client-config)
    let client = app
        .register_ok(&minimal_with(json!({ "client_name": "Same", "contacts": ["a@rp.example"] })))
        .await;
    let update = update_body_from(&read(&app, &client).await);

    // Act
    let reply = app.put_client(&client.rcu, &client.rat, &update).await;

    // Assert
    reply.assert_status(200).assert_json_content_type().assert_no_store();
    assert_eq!(reply.json(), client.body, "nothing should change, nothing rotates");
}

async fn an_update_replaces_the_metadata_and_keeps_the_identity(app: TestApp) {
    // Arrange
    let client = app
        .register_ok(&minimal_with(json!({
            "client_name": "Before",
            "logo_uri": "https://rp.example/logo.png",
            "contacts": ["ops@rp.example"],
            "token_endpoint_auth_method": "client_secret_post",
            "default_max_age": 60,
        })))
        .await;
    let update = json!({
        "client_id": client.client_id,
        "redirect_uris": ["https://rp.example/new-cb"],
        "client_name": "After",
    });

    // Act
    let reply = app.put_client(&client.rcu, &client.rat, &update).await;

    // Assert (checklist item 91: replace, never merge)
    reply.assert_status(200);
    let updated = reply.json();
    for member in
        ["client_id", "client_id_issued_at", "registration_access_token", "registration_client_uri"]
    {
        assert_member(&updated, member, &client.body[member]);
    }
    assert_member(&updated, "redirect_uris", &json!(["https://rp.example/new-cb"]));
    assert_member(&updated, "client_name", &json!("After"));
    assert_member(&updated, "token_endpoint_auth_method", &json!("client_secret_basic"));
    for gone in ["logo_uri", "contacts", "default_max_age"] {
        assert!(updated.get(gone).is_none_or(Value::is_null), "{gone} survived: {updated:#}");
    }
    assert_eq!(
        updated.get("client_secret"),
        client.body.get("client_secret"),
        "the secret is not rotated by an update"
    );
    assert_eq!(read(&app, &client).await, updated, "a read shows the update");
}

async fn an_update_must_carry_the_current_client_id(app: TestApp) {
    // Arrange (checklist item 88)
    let client = app.register_ok(&minimal()).await;
    let update = update_body_from(&client.body);
    let cases = [
        (merge(update.clone(), json!({ "client_id": null })), "missing"),
        (merge(update.clone(), json!({ "client_id": "someone-else" })), "different"),
        (merge(update.clone(), json!({ "client_id": 42 })), "a number"),
    ];

    for (body, why) in cases {
        // Act
        let reply = app.put_client(&client.rcu, &client.rat, &body).await;

        // Assert
        assert_eq!(reply.status, 400, "client_id {why}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_request", "client_id");
    }
    assert_eq!(read(&app, &client).await, client.body);
}

async fn an_update_must_not_carry_server_managed_members(app: TestApp) {
    // Arrange (checklist item 89)
    let client = app.register_ok(&minimal()).await;
    let update = update_body_from(&client.body);
    let cases = [
        ("registration_access_token", client.body["registration_access_token"].clone()),
        ("registration_client_uri", client.body["registration_client_uri"].clone()),
        ("client_secret_expires_at", client.body["client_secret_expires_at"].clone()),
        ("client_id_issued_at", client.body["client_id_issued_at"].clone()),
    ];

    for (member, value) in cases {
        // Act
        let body = merge(update.clone(), json!({ member: value }));
        let reply = app.put_client(&client.rcu, &client.rat, &body).await;

        // Assert
        assert_eq!(reply.status, 400, "{member}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, "invalid_request", member);
    }
    assert_eq!(read(&app, &client).await, client.body);
}

async fn a_client_secret_in_an_update_must_be_the_current_one(app: TestApp) {
    // Arrange (checklist item 90)
    let client = app.register_ok(&minimal()).await;
    let secret = client.client_secret.clone().expect("secret");
    let update = update_body_from(&client.body);
    let wrong = merge(update.clone(), json!({ "client_secret": format!("{secret}x") }));
    let right = merge(update.clone(), json!({ "client_secret": secret }));
    let absent = merge(update, json!({ "client_secret": null }));

    // Act
    let refused = app.put_client(&client.rcu, &client.rat, &wrong).await;
    let after_refusal = read(&app, &client).await;
    let same = app.put_client(&client.rcu, &client.rat, &right).await;
    let without = app.put_client(&client.rcu, &client.rat, &absent).await;

    // Assert
    assert_oauth_error(&refused, 400, "invalid_request", "client_secret");
    assert_eq!(after_refusal, client.body);
    same.assert_status(200);
    assert_eq!(same.json(), client.body);
    without.assert_status(200);
    assert_eq!(without.json(), client.body, "an omitted secret keeps the current one");
}

async fn a_failed_update_changes_nothing(app: TestApp) {
    // Arrange (checklist item 92)
    let client = app.register_ok(&minimal_with(json!({ "client_name": "Original" }))).await;
    let update = update_body_from(&client.body);
    let cases = [
        (
            merge(
                update.clone(),
                json!({ "client_name": "Changed", "redirect_uris": ["https://rp.example/cb#frag"] }),
            ),
            "invalid_redirect_uri",
            "redirect_uris",
            "a fragment redirect",
        ),
        (
            merge(update.clone(), json!({ "client_name": "Changed", "redirect_uris": [] })),
            "invalid_redirect_uri",
            "redirect_uris",
            "no redirect URIs",
        ),
        (
            merge(update.clone(), json!({ "client_name": "Changed", "default_max_age": "60" })),
            "invalid_client_metadata",
            "default_max_age",
            "a mistyped member",
        ),
        (
            merge(
                update.clone(),
                json!({
                    "client_name": "Changed",
                    "jwks_uri": "https://rp.example/jwks",
                    "jwks": { "keys": [] },
                }),
            ),
            "invalid_client_metadata",
            "jwks",
            "jwks with jwks_uri",
        ),
        (
            merge(update, json!({ "client_name": "Changed", "grant_types": ["password"] })),
            "invalid_client_metadata",
            "grant_types",
            "an unsupported grant",
        ),
    ];

    for (body, code, member, why) in cases {
        // Act
        let reply = app.put_client(&client.rcu, &client.rat, &body).await;

        // Assert
        assert_eq!(reply.status, 400, "{why}: expected 400\n{reply}");
        assert_oauth_error(&reply, 400, code, member);
        reply.assert_no_store();
        assert_eq!(read(&app, &client).await, client.body, "{why} changed the client");
    }
}

async fn an_update_with_a_broken_body_is_refused(app: TestApp) {
    // Arrange
    let client = app.register_ok(&minimal()).await;
    let url = app.local(&client.rcu);
    let update = update_body_from(&client.body).to_string();
    let cases = [
        ("{".to_owned(), Some("application/json"), 400, "truncated JSON"),
        ("[]".to_owned(), Some("application/json"), 400, "an array"),
        (update.clone(), Some("text/plain"), 415, "text/plain"),
        (update, None, 415, "no Content-Type"),
    ];

    for (body, content_type, status, why) in cases {
        // Act
        let reply =
            app.send(Method::PUT, &url, Some(&client.rat), Some((body, content_type))).await;

        // Assert
        assert_eq!(reply.status, status, "{why}\n{reply}");
        assert_oauth_error_code(&reply, status, "invalid_request");
    }
    assert_eq!(read(&app, &client).await, client.body);
}

async fn switching_to_none_removes_the_secret_and_back_issues_a_new_one(app: TestApp) {
    // Arrange
    let client = app.register_ok(&minimal()).await;
    let old_secret = client.client_secret.clone().expect("secret");
    let public = merge(
        update_body_from(&client.body),
        json!({ "token_endpoint_auth_method": "none", "client_secret": null }),
    );

    // Act
    let to_public = app.put_client(&client.rcu, &client.rat, &public).await;
    let read_public = read(&app, &client).await;
    let confidential =
        merge(public.clone(), json!({ "token_endpoint_auth_method": "client_secret_basic" }));
    let to_confidential = app.put_client(&client.rcu, &client.rat, &confidential).await;

    // Assert
    to_public.assert_status(200);
    let public_body = to_public.json();
    assert!(public_body.get("client_secret").is_none(), "{public_body:#}");
    assert!(read_public.get("client_secret").is_none(), "{read_public:#}");
    to_confidential.assert_status(200);
    let new_secret = to_confidential.json()["client_secret"]
        .as_str()
        .unwrap_or_else(|| panic!("a secret must be issued\n{to_confidential}"))
        .to_owned();
    assert_url_safe_token(&new_secret, 43, "the new client_secret");
    assert_ne!(new_secret, old_secret, "a removed secret must not come back");
    assert_member(&to_confidential.json(), "client_secret_expires_at", &json!(0));
    assert_eq!(read(&app, &client).await["client_secret"], json!(new_secret));
}

async fn a_deleted_client_answers_204_and_is_then_unknown(app: TestApp) {
    // Arrange (checklist items 95, 96)
    let client = app.register_ok(&minimal()).await;
    let bystander = app.register_ok(&minimal()).await;

    // Act
    let deleted = app.delete_client(&client.rcu, &client.rat).await;
    let get = app.get_client(&client.rcu, &client.rat).await;
    let put = app.put_client(&client.rcu, &client.rat, &update_body_from(&client.body)).await;
    let delete_again = app.delete_client(&client.rcu, &client.rat).await;

    // Assert
    deleted.assert_status(204).assert_no_store();
    assert!(deleted.body.is_empty(), "204 has no body\n{deleted}");
    for (reply, what) in [(get, "GET"), (put, "PUT"), (delete_again, "second DELETE")] {
        assert_eq!(reply.status, 401, "{what} after DELETE\n{reply}");
        assert_invalid_token(&reply);
        assert!(!reply.body.contains(&client.client_id), "{what} reveals the client id\n{reply}");
    }
    assert_eq!(read(&app, &bystander).await, bystander.body);
}

on_both_stores!(
    reading_a_client_returns_the_registration_response,
    two_reads_return_identical_bodies,
    a_request_without_a_token_gets_a_bearer_challenge_without_an_error_code,
    bad_tokens_and_unknown_clients_get_the_same_invalid_token_answer,
    the_bearer_scheme_is_case_insensitive_and_other_schemes_carry_no_token,
    updates_and_deletes_with_a_wrong_token_change_nothing,
    unsupported_methods_get_405_with_an_allow_header,
    putting_back_the_read_body_returns_200_with_the_same_client,
    an_update_replaces_the_metadata_and_keeps_the_identity,
    an_update_must_carry_the_current_client_id,
    an_update_must_not_carry_server_managed_members,
    a_client_secret_in_an_update_must_be_the_current_one,
    a_failed_update_changes_nothing,
    an_update_with_a_broken_body_is_refused,
    switching_to_none_removes_the_secret_and_back_issues_a_new_one,
    a_deleted_client_answers_204_and_is_then_unknown,
);

async fn with_rotation_an_update_issues_a_new_token_and_retires_the_old_one(backend: Backend<'_>) {
    // Arrange (checklist item 94, rotation option)
    let app = spawn_app_with(backend, &["--rotate-registration-access-token"]).await;
    let client = app.register_ok(&minimal()).await;

    // Act
    let reply = app.put_client(&client.rcu, &client.rat, &update_body_from(&client.body)).await;

    // Assert
    reply.assert_status(200);
    let new_rat = reply.json()["registration_access_token"]
        .as_str()
        .expect("a registration_access_token")
        .to_owned();
    assert_ne!(new_rat, client.rat, "the token must rotate");
    assert_url_safe_token(&new_rat, 43, "the rotated token");
    assert_invalid_token(&app.get_client(&client.rcu, &client.rat).await);
    let read = app.get_client(&client.rcu, &new_rat).await;
    read.assert_status(200);
    assert_member(&read.json(), "registration_access_token", &json!(new_rat));
    assert_member(&read.json(), "client_id", &json!(client.client_id));
}

#[tokio::test]
async fn with_rotation_on_the_memory_store_an_update_retires_the_old_token() {
    with_rotation_an_update_issues_a_new_token_and_retires_the_old_one(Backend::Memory).await;
}

#[tokio::test]
async fn with_rotation_on_the_redis_store_an_update_retires_the_old_token() {
    let redis = crate::redis_server::RedisServer::start();
    with_rotation_an_update_issues_a_new_token_and_retires_the_old_one(Backend::Redis(&redis))
        .await;
}

#[tokio::test]
async fn without_rotation_reads_and_updates_never_change_the_token() {
    // Arrange
    let app = crate::helpers::spawn_app().await;
    let client = app.register_ok(&minimal()).await;

    // Act
    let first = read(&app, &client).await;
    let put = app.put_client(&client.rcu, &client.rat, &update_body_from(&first)).await;
    let second = read(&app, &client).await;

    // Assert
    put.assert_status(200);
    for body in [&first, &put.json(), &second] {
        assert_member(body, "registration_access_token", &json!(client.rat));
    }
}
