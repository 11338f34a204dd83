//! Admin tokens and scopes (issue 4): every endpoint refuses a missing, malformed, expired
//! or foreign token with 401 and a token without its scope with 403 naming the scope;
//! secrets show only with `read:client_keys`; `registrar token` mints tokens a server on
//! the same store accepts.

use std::process::Command;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use crate::admin_helpers::{
    assert_insufficient_scope, assert_invalid_body, assert_unauthorized, client_id_of, secret_of,
    spawn_admin_app, spawn_admin_app_with, AdminApp,
};
use crate::helpers::{
    assert_invalid_token, merge, minimal, minimal_with, signing_jwk, Backend, Reply, SECRET_KEY,
};
use crate::redis_server::RedisServer;

/// One endpoint: method, path below `/api/v2`, body, the scope it needs and the status
/// it answers when allowed.
struct Endpoint {
    method: Method,
    path: String,
    body: Option<Value>,
    scope: &'static str,
    success: u16,
}

/// Every management endpoint, on client `id`; DELETE comes last.
fn endpoints(id: &str) -> Vec<Endpoint> {
    let endpoint = |method, path: String, body, scope, success| Endpoint {
        method,
        path,
        body,
        scope,
        success,
    };
    vec![
        endpoint(
            Method::POST,
            "/clients".into(),
            Some(json!({ "name": "New" })),
            "create:clients",
            201,
        ),
        endpoint(Method::GET, "/clients".into(), None, "read:clients", 200),
        endpoint(Method::GET, format!("/clients/{id}"), None, "read:clients", 200),
        endpoint(
            Method::PATCH,
            format!("/clients/{id}"),
            Some(json!({ "description": "changed" })),
            "update:clients",
            200,
        ),
        endpoint(
            Method::POST,
            format!("/clients/{id}/rotate-secret"),
            None,
            "update:client_keys",
            200,
        ),
        endpoint(Method::GET, "/logs".into(), None, "read:logs", 200),
        endpoint(Method::DELETE, format!("/clients/{id}"), None, "delete:clients", 204),
    ]
}

impl Endpoint {
    async fn call(&self, app: &AdminApp, token: Option<&str>) -> Reply {
        app.management(self.method.clone(), &self.path, token, self.body.as_ref()).await
    }

    async fn call_with_authorization(&self, app: &AdminApp, authorization: &str) -> Reply {
        let url = format!("{}/api/v2{}", app.address, self.path);
        let mut request = app.client.request(self.method.clone(), &url);
        request = request.header("authorization", authorization);
        if let Some(body) = &self.body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.expect("request failed");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Reply {
            request: format!("{} {url}\nAuthorization: {authorization}", self.method),
            status,
            headers,
            body,
            elapsed: Duration::ZERO,
        }
    }
}

async fn requests_without_a_bearer_token_get_401_with_a_bearer_challenge(app: AdminApp) {
    // Arrange
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "A" })).await);
    let authorizations =
        [None, Some("Basic dXNlcjpwYXNz"), Some("Bearer"), Some("Bearer "), Some("Token abc")];

    for endpoint in endpoints(&id) {
        for authorization in authorizations {
            // Act
            let reply = match authorization {
                None => endpoint.call(&app, None).await,
                Some(header) => endpoint.call_with_authorization(&app, header).await,
            };

            // Assert
            assert_eq!(
                reply.status, 401,
                "{} {} with Authorization {authorization:?}\n{reply}",
                endpoint.method, endpoint.path
            );
            assert_unauthorized(&reply);
            reply.assert_no_store();
        }
    }
    assert_eq!(app.management_get_ok(&id).await["name"], "A", "nothing was changed");
}

/// `header.payload.signature` of a JWT, with the payload decoded.
fn split(token: &str) -> (String, Value, String) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a compact JWS: {token}");
    let payload = URL_SAFE_NO_PAD.decode(parts[1]).expect("payload is not base64url");
    let payload = serde_json::from_slice(&payload).expect("payload is not JSON");
    (parts[0].to_owned(), payload, parts[2].to_owned())
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

#[tokio::test]
async fn malformed_forged_and_foreign_tokens_get_401() {
    // Arrange
    let app = spawn_admin_app().await;
    let foreign = spawn_admin_app().await;
    let registered = app.register_ok(&minimal()).await;
    let weak = app.tokens.with(&["read:logs"]);
    let (header, payload, signature) = split(weak);
    let (_, _, other_signature) = split(app.tokens.all());
    let escalated = merge(payload.clone(), json!({ "scope": "read:clients read:client_keys" }));
    let unsigned_header = json!({ "alg": "none", "typ": "at+jwt" });
    let cases = [
        ("not-a-jwt".to_owned(), "a word"),
        ("a.b.c".to_owned(), "three dots of nothing"),
        (format!("{}x", app.tokens.all()), "a token with a character added"),
        (app.tokens.all()[..app.tokens.all().len() - 4].to_owned(), "a truncated token"),
        (format!("{header}.{}.{signature}", encode(&escalated)), "a payload with more scopes"),
        (format!("{header}.{}.{other_signature}", encode(&escalated)), "another token's signature"),
        (format!("{}.{}.", encode(&unsigned_header), encode(&escalated)), "alg none"),
        (foreign.tokens.all().to_owned(), "a token from another server"),
        (registered.rat.clone(), "a registration access token"),
    ];

    for (token, why) in cases {
        // Act
        let reply = app.management_list(&token, "").await;

        // Assert
        assert_eq!(reply.status, 401, "{why}: expected 401\n{reply}");
        assert_unauthorized(&reply);
        assert_eq!(reply.json()["errorCode"], "invalid_token", "{why}\n{reply}");
        let challenge = reply.header("www-authenticate").unwrap_or("");
        assert!(challenge.contains(r#"error="invalid_token""#), "{why}: {challenge:?}\n{reply}");
    }
    // An admin token is no registration access token either.
    assert_invalid_token(&app.get_client(&registered.rcu, app.tokens.all()).await);
    // The token the forgeries start from is valid: it only lacks the scope.
    assert_insufficient_scope(&app.management_list(weak, "").await, "read:clients");
}

#[tokio::test]
async fn an_expired_token_gets_401() {
    // Arrange: the token was minted with a lifetime of one second.
    let app = spawn_admin_app().await;
    tokio::time::sleep(Duration::from_millis(2100)).await;

    // Act
    let reply = app.management_list(app.tokens.short_lived(), "").await;

    // Assert
    assert_unauthorized(&reply);
    assert_eq!(reply.json()["errorCode"], "invalid_token", "{reply}");
    app.management_list(app.tokens.with(&["read:clients"]), "").await.assert_status(200);
}

async fn each_endpoint_needs_its_scope_and_a_refusal_names_it(app: AdminApp) {
    // Arrange
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "A" })).await);

    for endpoint in endpoints(&id) {
        // Act: every other scope, then this scope alone.
        let refused = endpoint.call(&app, Some(app.tokens.all_but(endpoint.scope))).await;
        let allowed = endpoint.call(&app, Some(app.tokens.with(&[endpoint.scope]))).await;

        // Assert
        assert_eq!(
            refused.status, 403,
            "{} {} without {}\n{refused}",
            endpoint.method, endpoint.path, endpoint.scope
        );
        assert_insufficient_scope(&refused, endpoint.scope);
        refused.assert_no_store();
        assert_eq!(
            allowed.status, endpoint.success,
            "{} {} with only {}\n{allowed}",
            endpoint.method, endpoint.path, endpoint.scope
        );
    }
}

#[tokio::test]
async fn a_scope_refusal_changes_nothing() {
    // Arrange
    let app = spawn_admin_app().await;
    let client = app.management_create_ok(&json!({ "name": "A" })).await;
    let id = client_id_of(&client);

    // Act
    let patch = app
        .management_patch(app.tokens.all_but("update:clients"), &id, &json!({ "name": "B" }))
        .await;
    let rotate = app.rotate_secret(app.tokens.all_but("update:client_keys"), &id).await;
    let delete = app.management_delete(app.tokens.all_but("delete:clients"), &id).await;
    let create =
        app.management_create(app.tokens.all_but("create:clients"), &json!({ "name": "C" })).await;

    // Assert
    assert_insufficient_scope(&patch, "update:clients");
    assert_insufficient_scope(&rotate, "update:client_keys");
    assert_insufficient_scope(&delete, "delete:clients");
    assert_insufficient_scope(&create, "create:clients");
    assert_eq!(app.management_get_ok(&id).await, client, "the client is as it was");
    assert_eq!(app.management_list_ok("").await.as_array().map(Vec::len), Some(1));
}

async fn a_client_secret_in_a_body_needs_update_client_keys(app: AdminApp) {
    // Arrange
    let client = app.management_create_ok(&json!({ "name": "A" })).await;
    let id = client_id_of(&client);
    let chosen = "chosen-secret-0123456789-abcdefghijklmnop";
    let body = json!({ "client_secret": chosen });

    // Act
    let refused = app.management_patch(app.tokens.with(&["update:clients"]), &id, &body).await;
    let created = app
        .management_create(
            app.tokens.with(&["create:clients"]),
            &json!({ "name": "B", "client_secret": chosen }),
        )
        .await;
    let allowed = app
        .management_patch(app.tokens.with(&["update:clients", "update:client_keys"]), &id, &body)
        .await;

    // Assert
    assert_insufficient_scope(&refused, "update:client_keys");
    assert_insufficient_scope(&created, "update:client_keys");
    allowed.assert_status(200);
    assert!(allowed.json().get("client_secret").is_none(), "no read:client_keys\n{allowed}");
    assert_eq!(secret_of(&app.management_get_ok(&id).await), chosen);
    assert_eq!(app.management_list_ok("").await.as_array().map(Vec::len), Some(1), "B not made");
}

#[tokio::test]
async fn signing_keys_cannot_be_set_even_with_update_client_keys() {
    // Arrange
    let app = spawn_admin_app().await;
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "A" })).await);

    for field in ["signing_key", "signing_keys"] {
        // Act
        let body = json!({ field: { "cert": "-----BEGIN CERTIFICATE-----" } });
        let reply = app.management_patch(app.tokens.all(), &id, &body).await;

        // Assert
        assert_invalid_body(&reply, field);
    }
}

async fn client_authentication_methods_need_update_client_credentials(app: AdminApp) {
    // Arrange: a registered client with a key whose kid is the credential id.
    let key = merge(signing_jwk(), json!({ "kid": "key-1" }));
    let client = app.register_ok(&minimal_with(json!({ "jwks": { "keys": [key] } }))).await;
    let credentials = json!([{ "id": "key-1" }]);
    let body = json!({
        "client_authentication_methods": { "private_key_jwt": { "credentials": credentials } }
    });

    // Act
    let refused =
        app.management_patch(app.tokens.with(&["update:clients"]), &client.client_id, &body).await;
    let token = app.tokens.with(&["update:clients", "update:client_credentials"]);
    let allowed = app.management_patch(token, &client.client_id, &body).await;

    // Assert
    assert_insufficient_scope(&refused, "update:client_credentials");
    allowed.assert_status(200);
    let view = allowed.json();
    assert_eq!(view["client_authentication_methods"], body["client_authentication_methods"]);
    assert_eq!(view["token_endpoint_auth_method"], Value::Null, "{view:#}");
    let registration = app.get_client(&client.rcu, &client.rat).await;
    registration.assert_status(200);
    let registration = registration.json();
    assert_eq!(registration["token_endpoint_auth_method"], "private_key_jwt", "{registration:#}");
    assert!(registration.get("client_secret").is_none(), "no secret for private_key_jwt");
}

async fn secrets_appear_only_with_read_client_keys(app: AdminApp) {
    // Arrange
    let id = client_id_of(&app.management_create_ok(&json!({ "name": "A" })).await);
    let with = |scope: &'static str| {
        [app.tokens.with(&[scope]), app.tokens.with(&[scope, "read:client_keys"])]
    };
    let [read, read_keys] = with("read:clients");
    let [update, update_keys] = with("update:clients");
    let [rotate, rotate_keys] = with("update:client_keys");
    let [create, create_keys] = with("create:clients");
    let patch = json!({ "description": "d" });

    // Act
    let replies = [
        ("GET", app.management_get(read, &id).await, app.management_get(read_keys, &id).await),
        ("list", app.management_list(read, "").await, app.management_list(read_keys, "").await),
        (
            "PATCH",
            app.management_patch(update, &id, &patch).await,
            app.management_patch(update_keys, &id, &patch).await,
        ),
        (
            "rotate-secret",
            app.rotate_secret(rotate, &id).await,
            app.rotate_secret(rotate_keys, &id).await,
        ),
        (
            "POST",
            app.management_create(create, &json!({ "name": "B" })).await,
            app.management_create(create_keys, &json!({ "name": "C" })).await,
        ),
    ];

    // Assert
    for (what, hidden, shown) in &replies {
        assert!(hidden.status < 300 && shown.status < 300, "{what}\n{hidden}\n{shown}");
        let views = |reply: &Reply| -> Vec<Value> {
            let body = reply.json();
            body.as_array().cloned().unwrap_or_else(|| vec![body])
        };
        for view in views(hidden) {
            assert!(
                view.get("client_secret").is_none(),
                "{what} without read:client_keys shows a secret\n{hidden}"
            );
        }
        for view in views(shown) {
            let secret = view["client_secret"].as_str().unwrap_or_default();
            assert!(secret.len() >= 32, "{what} with read:client_keys shows the secret\n{shown}");
        }
    }
}

/// Runs `registrar token ...` and returns (success, stdout, stderr).
async fn cli(args: Vec<String>) -> (bool, String, String) {
    tokio::task::spawn_blocking(move || {
        let output = Command::new(env!("CARGO_BIN_EXE_registrar"))
            .args(&args)
            .env_remove("REDIS_URL")
            .env_remove("REGISTRAR_SECRET_KEY")
            .env_remove("REGISTRAR_ISSUER")
            .output()
            .unwrap_or_else(|e| panic!("could not run registrar {args:?}: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.success(), stdout, stderr)
    })
    .await
    .expect("the CLI thread panicked")
}

#[tokio::test]
async fn a_token_printed_by_the_cli_is_accepted_by_a_server_on_the_same_redis() {
    // Arrange
    let redis = RedisServer::start();
    let app = spawn_admin_app_with(Backend::Redis(&redis), &[]).await;
    let args = |scope: &str, issuer: &str| -> Vec<String> {
        [
            "token",
            "--scope",
            scope,
            "--ttl",
            "1h",
            "--subject",
            "ops-robot",
            "--redis-url",
            &redis.url(),
            "--secret-key",
            SECRET_KEY,
            "--issuer",
            issuer,
        ]
        .map(str::to_owned)
        .to_vec()
    };

    // Act
    let (ok, token, stderr) = cli(args("read:clients create:clients read:logs", &app.issuer)).await;
    let (other_ok, other_issuer, _) = cli(args("read:clients", "https://other.example")).await;
    let (unknown_ok, unknown_out, unknown_err) = cli(args("read:clients root", &app.issuer)).await;

    // Assert
    assert!(ok, "registrar token failed: {stderr}");
    assert_eq!(token.split('.').count(), 3, "a compact JWT on stdout, got {token:?}");
    app.management_list(&token, "").await.assert_status(200);
    let created = app.management_create(&token, &json!({ "name": "By CLI" })).await;
    created.assert_status(201);
    let id = client_id_of(&created.json());
    let refused = app.management_patch(&token, &id, &json!({ "description": "x" })).await;
    assert_insufficient_scope(&refused, "update:clients");
    let (_, logs) = app
        .logs_when("type=smcc", |logs| logs.as_array().is_some_and(|events| !events.is_empty()))
        .await;
    assert_eq!(logs[0]["details"]["admin"], "ops-robot", "the CLI's subject is audited: {logs:#}");
    assert!(other_ok, "minting for another issuer works, the server refuses it");
    let foreign = app.management_list(&other_issuer, "").await;
    assert_unauthorized(&foreign);
    assert!(!unknown_ok && unknown_out.is_empty(), "an unknown scope is refused: {unknown_out}");
    assert!(unknown_err.contains("root"), "stderr names the unknown scope: {unknown_err}");
}

#[tokio::test]
async fn the_cli_refuses_to_mint_without_a_shared_store() {
    // Act: the in-process store's keys live and die with one server.
    let (ok, stdout, stderr) =
        cli(["token", "--scope", "read:clients"].map(str::to_owned).to_vec()).await;

    // Assert
    assert!(!ok, "the CLI should fail; stdout {stdout:?}");
    assert!(stdout.is_empty(), "nothing on stdout, got {stdout:?}");
    assert!(stderr.contains("--redis-url"), "stderr should name --redis-url: {stderr}");
}

admin_tests_on_both_stores!(
    requests_without_a_bearer_token_get_401_with_a_bearer_challenge,
    each_endpoint_needs_its_scope_and_a_refusal_names_it,
    a_client_secret_in_a_body_needs_update_client_keys,
    client_authentication_methods_need_update_client_credentials,
    secrets_appear_only_with_read_client_keys,
);
