//! `/api/v2/resource-servers` and `/api/v2/client-grants`: shapes, rules, scopes, audit.

use reqwest::Method;
use serde_json::json;

use crate::helpers::Backend;
use crate::token_helpers::{spawn_oauth_app, API};

async fn resource_servers_have_a_life_cycle(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;

    // Act
    let created = app.create_api(API, "EdDSA").await;
    let id = created["id"].as_str().unwrap().to_owned();
    let duplicate = app
        .admin_call(Method::POST, "/resource-servers", &app.admin, Some(json!({"identifier": API})))
        .await;
    let patched = app
        .admin_call(
            Method::PATCH,
            &format!("/resource-servers/{id}"),
            &app.admin,
            Some(json!({"name": "Renamed", "token_lifetime": 60})),
        )
        .await;
    let identifier_change = app
        .admin_call(
            Method::PATCH,
            &format!("/resource-servers/{id}"),
            &app.admin,
            Some(json!({"identifier": "https://b/"})),
        )
        .await;
    let listed = app.admin_call(Method::GET, "/resource-servers", &app.admin, None).await;
    let bad = app
        .admin_call(
            Method::POST,
            "/resource-servers",
            &app.admin,
            Some(json!({"identifier": "https://x/", "signing_alg": "none"})),
        )
        .await;
    let deleted =
        app.admin_call(Method::DELETE, &format!("/resource-servers/{id}"), &app.admin, None).await;
    let gone =
        app.admin_call(Method::GET, &format!("/resource-servers/{id}"), &app.admin, None).await;

    // Assert
    assert_eq!(created["identifier"], API);
    assert_eq!(created["signing_alg"], "EdDSA");
    assert_eq!(created["scopes"][0], json!({"value": "read:x", "description": "Read"}));
    duplicate.assert_status(409);
    patched.assert_status(200).assert_no_store();
    assert_eq!(patched.json()["name"], "Renamed");
    assert_eq!(patched.json()["token_lifetime"], 60);
    identifier_change.assert_status(400);
    assert!(identifier_change.json()["message"].as_str().unwrap().contains("identifier"));
    listed.assert_status(200);
    assert_eq!(listed.json().as_array().unwrap().len(), 1);
    bad.assert_status(400);
    assert!(bad.json()["message"].as_str().unwrap().starts_with("signing_alg"));
    deleted.assert_status(204);
    gone.assert_status(404);
}

async fn client_grants_check_their_client_api_and_scopes(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    let api = app.create_api(API, "ES256").await;
    let client = app.register_client("client_secret_basic").await;
    let other = app.register_client("client_secret_basic").await;
    let post = |body: serde_json::Value| {
        app.admin_call(Method::POST, "/client-grants", &app.admin, Some(body))
    };

    // Act
    let grant = app.grant(&client, API, &["read:x"]).await;
    app.grant(&other, API, &["write:x"]).await;
    let again = post(json!({"client_id": client.id, "audience": API, "scope": []})).await;
    let unknown_scope =
        post(json!({"client_id": other.id, "audience": "https://nope/", "scope": []})).await;
    let undefined =
        post(json!({"client_id": "no-such-client", "audience": API, "scope": ["read:x"]})).await;
    let foreign_scope = app
        .admin_call(
            Method::PATCH,
            &format!("/client-grants/{}", grant["id"].as_str().unwrap()),
            &app.admin,
            Some(json!({"scope": ["admin"]})),
        )
        .await;
    let widened = app
        .admin_call(
            Method::PATCH,
            &format!("/client-grants/{}", grant["id"].as_str().unwrap()),
            &app.admin,
            Some(json!({"scope": ["read:x", "write:x"]})),
        )
        .await;
    let by_client = app
        .admin_call(
            Method::GET,
            &format!("/client-grants?client_id={}", client.id),
            &app.admin,
            None,
        )
        .await;
    let by_audience = app
        .admin_call(
            Method::GET,
            &format!(
                "/client-grants?audience={}",
                url::form_urlencoded::byte_serialize(API.as_bytes()).collect::<String>()
            ),
            &app.admin,
            None,
        )
        .await;
    let token = app.token_ok(&client).await;
    app.admin_call(
        Method::DELETE,
        &format!("/resource-servers/{}", api["id"].as_str().unwrap()),
        &app.admin,
        None,
    )
    .await
    .assert_status(204);
    let after_api_deleted = app.admin_call(Method::GET, "/client-grants", &app.admin, None).await;

    // Assert
    assert_eq!(grant["client_id"], client.id.as_str());
    assert_eq!(grant["scope"], json!(["read:x"]));
    assert!(grant["id"].is_string());
    again.assert_status(409);
    unknown_scope.assert_status(400);
    undefined.assert_status(400);
    foreign_scope.assert_status(400);
    assert!(foreign_scope.json()["message"].as_str().unwrap().starts_with("scope"));
    widened.assert_status(200);
    assert_eq!(by_client.json().as_array().unwrap().len(), 1);
    assert_eq!(by_audience.json().as_array().unwrap().len(), 2);
    assert!(!token.is_empty());
    assert_eq!(after_api_deleted.json(), json!([]), "deleting the API deletes its grants");
}

async fn every_operation_needs_its_scope_and_every_change_is_audited(backend: Backend<'_>) {
    // Arrange
    let app = spawn_oauth_app(backend, &[]).await;
    let client = app.register_client("client_secret_basic").await;
    let api = app.create_api(API, "ES256").await;
    let grant = app.grant(&client, API, &["read:x"]).await;
    let (api_id, grant_id) = (api["id"].as_str().unwrap(), grant["id"].as_str().unwrap());
    let calls = [
        (Method::GET, "/resource-servers".to_owned(), "read:resource_servers"),
        (Method::POST, "/resource-servers".to_owned(), "create:resource_servers"),
        (Method::GET, format!("/resource-servers/{api_id}"), "read:resource_servers"),
        (Method::PATCH, format!("/resource-servers/{api_id}"), "update:resource_servers"),
        (Method::DELETE, format!("/resource-servers/{api_id}"), "delete:resource_servers"),
        (Method::GET, "/client-grants".to_owned(), "read:client_grants"),
        (Method::POST, "/client-grants".to_owned(), "create:client_grants"),
        (Method::PATCH, format!("/client-grants/{grant_id}"), "update:client_grants"),
        (Method::DELETE, format!("/client-grants/{grant_id}"), "delete:client_grants"),
    ];

    // Act and assert
    for (method, path, scope) in calls {
        let reply = app.admin_call(method.clone(), &path, &app.unrelated, Some(json!({}))).await;
        reply.assert_status(403);
        assert_eq!(reply.json()["errorCode"], "insufficient_scope", "{reply}");
        assert!(reply.header("www-authenticate").unwrap_or_default().contains(scope), "{reply}");
        let anonymous =
            app.send(method, &format!("{}/api/v2{path}", app.address), None, None).await;
        anonymous.assert_status(401);
    }
    app.token_ok(&client).await;
    let bad = app
        .token(&client, &[("grant_type", "client_credentials"), ("audience", "https://nope/")])
        .await;
    bad.assert_status(400);
    // The Redis log is written in the background: wait for the last event.
    let mut logs = serde_json::Value::Null;
    for _ in 0..50 {
        logs = app.admin_call(Method::GET, "/logs?per_page=100", &app.admin, None).await.json();
        if logs.as_array().unwrap().iter().any(|e| e["type"] == "feccft") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let types: Vec<&str> =
        logs.as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert!(types.iter().filter(|t| **t == "sapi").count() >= 2, "{types:?}");
    assert!(types.contains(&"seccft") && types.contains(&"feccft"), "{types:?}");
    let success = logs.as_array().unwrap().iter().find(|e| e["type"] == "seccft").unwrap();
    assert_eq!(success["client_id"], client.id.as_str());
}

on_both_backends!(
    resource_servers_have_a_life_cycle,
    client_grants_check_their_client_api_and_scopes,
    every_operation_needs_its_scope_and_every_change_is_audited,
);

/// A policy file granting `read:x` of [`API`] to the anonymous policy's clients.
fn policies_file(grant_anonymous: bool) -> tempfile::NamedTempFile {
    let mut policies = json!({
        "policies": {
            "machines": { "api_grants": [{ "audience": API, "scope": ["read:x"] }] },
            "plain": {},
        }
    });
    policies["anonymous"] = json!(if grant_anonymous { "machines" } else { "plain" });
    let file = tempfile::NamedTempFile::new().expect("a temp file");
    std::fs::write(file.path(), policies.to_string()).expect("written");
    file
}

async fn a_registration_policy_grants_its_clients_api_scopes(backend: Backend<'_>) {
    for grant_anonymous in [true, false] {
        // Arrange
        let file = policies_file(grant_anonymous);
        let path = file.path().to_str().unwrap().to_owned();
        let app = spawn_oauth_app(backend, &["--policies", &path]).await;
        let body =
            json!({ "identifier": API, "scopes": [{ "value": "read:x" }, { "value": "write:x" }] });
        let created =
            app.admin_call(Method::POST, "/resource-servers", &app.admin, Some(body)).await;
        assert!(
            created.status == 201 || created.status == 409,
            "the second round shares Redis: {created}"
        );
        let client = app.register_client("client_secret_basic").await;

        // Act
        let all =
            app.token(&client, &[("grant_type", "client_credentials"), ("audience", API)]).await;
        let more = app
            .token(
                &client,
                &[("grant_type", "client_credentials"), ("audience", API), ("scope", "write:x")],
            )
            .await;

        // Assert
        if grant_anonymous {
            all.assert_status(200);
            assert_eq!(all.json()["scope"], "read:x");
            more.assert_status(400);
            assert_eq!(more.json()["error"], "invalid_scope");
        } else {
            all.assert_status(400);
            assert_eq!(
                all.json()["error"],
                "invalid_target",
                "no grant without the policy's: {all}"
            );
        }
        app.app.stop().await;
    }
}

on_both_backends!(a_registration_policy_grants_its_clients_api_scopes);
