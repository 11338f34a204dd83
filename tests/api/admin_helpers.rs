//! Harness for the management API (`/api/v2`): a server whose admin tokens are minted
//! before it starts (only the `Application` can mint them, and `run_until_stopped`
//! consumes it), one method per management endpoint, and assertions for the management
//! error format `{"statusCode", "error", "message", "errorCode"}` that print the whole
//! exchange when they fail.

use std::collections::BTreeMap;
use std::ops::Deref;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{http_client, Backend, Reply, TestApp, SECRET_KEY};

/// Every scope of the management API (issue 4).
pub const ALL_SCOPES: [&str; 8] = [
    "read:clients",
    "create:clients",
    "update:clients",
    "delete:clients",
    "update:client_keys",
    "read:client_keys",
    "update:client_credentials",
    "read:logs",
];

/// Runs each named `async fn(AdminApp)` against the in-process store and against a
/// private `redis-server`, as `on_both_stores!` does for `TestApp`.
macro_rules! admin_tests_on_both_stores {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn with_the_memory_store() {
                super::$test($crate::admin_helpers::spawn_admin_app().await).await;
            }

            #[tokio::test]
            async fn with_the_redis_store() {
                let redis = $crate::redis_server::RedisServer::start();
                let backend = $crate::helpers::Backend::Redis(&redis);
                let app = $crate::admin_helpers::spawn_admin_app_with(backend, &[]).await;
                super::$test(app).await;
            }
        }
    )+};
}

/// A running server and admin tokens signed by it.
pub struct AdminApp {
    pub app: TestApp,
    pub tokens: AdminTokens,
    /// `http://127.0.0.1:<port>`: the issuer the tokens name (the CLI must name it too).
    pub issuer: String,
}

impl Deref for AdminApp {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

/// Tokens for every scope set a test needs: all scopes, each scope alone, all but one
/// scope, every pair of scopes, and one that expires after a second.
pub struct AdminTokens {
    by_scopes: BTreeMap<Vec<String>, String>,
    short_lived: String,
}

impl AdminTokens {
    fn mint(app: &registrar::app::startup::Application) -> AdminTokens {
        let mut sets: Vec<Vec<&str>> = vec![ALL_SCOPES.to_vec()];
        for (i, scope) in ALL_SCOPES.iter().enumerate() {
            sets.push(vec![scope]);
            sets.push(ALL_SCOPES.iter().copied().filter(|s| s != scope).collect());
            for other in &ALL_SCOPES[i + 1..] {
                sets.push(vec![scope, other]);
            }
        }
        let hour = Duration::from_secs(3600);
        let by_scopes = sets
            .into_iter()
            .map(|set| {
                let token = app
                    .mint_admin_token(&set, hour)
                    .unwrap_or_else(|e| panic!("minting a token for {set:?} failed: {e:?}"));
                (key(&set), token)
            })
            .collect();
        let short_lived = app
            .mint_admin_token(&["read:clients"], Duration::from_secs(1))
            .expect("minting a 1-second token failed");
        AdminTokens { by_scopes, short_lived }
    }

    /// A token with every scope.
    pub fn all(&self) -> &str {
        self.with(&ALL_SCOPES)
    }

    /// A token with exactly `scopes` (one scope, two scopes, all, or all but one).
    #[track_caller]
    pub fn with(&self, scopes: &[&str]) -> &str {
        self.by_scopes.get(&key(scopes)).unwrap_or_else(|| {
            panic!("no token was minted for {scopes:?}: see AdminTokens::mint for the sets")
        })
    }

    /// A token with every scope except `scope`.
    #[track_caller]
    pub fn all_but(&self, scope: &str) -> &str {
        let rest: Vec<&str> = ALL_SCOPES.iter().copied().filter(|s| *s != scope).collect();
        assert_eq!(rest.len(), ALL_SCOPES.len() - 1, "{scope:?} is not a scope");
        self.with(&rest)
    }

    /// A `read:clients` token that expires one second after the server started.
    pub fn short_lived(&self) -> &str {
        &self.short_lived
    }

    /// Every token minted, to check that none of them leaks anywhere.
    pub fn every(&self) -> impl Iterator<Item = &str> {
        self.by_scopes.values().map(String::as_str).chain([self.short_lived.as_str()])
    }
}

fn key(scopes: &[&str]) -> Vec<String> {
    let mut key: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
    key.sort();
    key.dedup();
    key
}

pub async fn spawn_admin_app() -> AdminApp {
    spawn_admin_app_with(Backend::Memory, &[]).await
}

/// As `helpers::spawn_app_with`, minting the admin tokens before the server runs.
pub async fn spawn_admin_app_with(backend: Backend<'_>, extra_flags: &[&str]) -> AdminApp {
    let mut flags: Vec<String> = vec!["--listen".into(), "127.0.0.1:0".into()];
    if let Backend::Redis(redis) = backend {
        flags.extend([
            "--redis-url".to_owned(),
            redis.url(),
            "--secret-key".to_owned(),
            SECRET_KEY.to_owned(),
        ]);
    }
    flags.extend(extra_flags.iter().map(|flag| (*flag).to_owned()));
    let settings = registrar::app::config::Settings::from_flags(flags.clone())
        .unwrap_or_else(|e| panic!("flags {flags:?} were refused: {e:?}"));
    let app = registrar::app::startup::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("failed to build the application with {flags:?}: {e:?}"));
    let tokens = AdminTokens::mint(&app);
    let port = app.port();
    let issuer = app.issuer().to_owned();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: http_client(),
        handle,
    };
    AdminApp { app, tokens, issuer }
}

impl AdminApp {
    /// Any request below `/api/v2` (`path` starts with `/`), with a JSON body if given.
    pub async fn management(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let url = format!("{}/api/v2{path}", self.address);
        let body = body.map(|b| (b.to_string(), Some("application/json")));
        self.send(method, &url, token, body).await
    }

    /// `POST /api/v2/clients`
    pub async fn management_create(&self, token: &str, body: &Value) -> Reply {
        self.management(Method::POST, "/clients", Some(token), Some(body)).await
    }

    /// Creates a client with every scope (so the secret is shown), asserting 201.
    pub async fn management_create_ok(&self, body: &Value) -> Value {
        let reply = self.management_create(self.tokens.all(), body).await;
        reply.assert_status(201).assert_json_content_type();
        reply.json()
    }

    /// `GET /api/v2/clients?<query>`
    pub async fn management_list(&self, token: &str, query: &str) -> Reply {
        self.management(Method::GET, &format!("/clients?{query}"), Some(token), None).await
    }

    /// The listing with every scope, asserting 200.
    pub async fn management_list_ok(&self, query: &str) -> Value {
        let reply = self.management_list(self.tokens.all(), query).await;
        reply.assert_status(200).assert_json_content_type();
        reply.json()
    }

    /// `GET /api/v2/clients/{id}`
    pub async fn management_get(&self, token: &str, client_id: &str) -> Reply {
        self.management(Method::GET, &format!("/clients/{client_id}"), Some(token), None).await
    }

    /// The settings view with every scope (secret included), asserting 200.
    pub async fn management_get_ok(&self, client_id: &str) -> Value {
        let reply = self.management_get(self.tokens.all(), client_id).await;
        reply.assert_status(200).assert_json_content_type();
        reply.json()
    }

    /// `PATCH /api/v2/clients/{id}`
    pub async fn management_patch(&self, token: &str, client_id: &str, body: &Value) -> Reply {
        let path = format!("/clients/{client_id}");
        self.management(Method::PATCH, &path, Some(token), Some(body)).await
    }

    /// PATCH with every scope, asserting 200; the response.
    pub async fn management_patch_ok(&self, client_id: &str, body: &Value) -> Value {
        let reply = self.management_patch(self.tokens.all(), client_id, body).await;
        reply.assert_status(200).assert_json_content_type();
        reply.json()
    }

    /// `DELETE /api/v2/clients/{id}`
    pub async fn management_delete(&self, token: &str, client_id: &str) -> Reply {
        self.management(Method::DELETE, &format!("/clients/{client_id}"), Some(token), None).await
    }

    /// `POST /api/v2/clients/{id}/rotate-secret`
    pub async fn rotate_secret(&self, token: &str, client_id: &str) -> Reply {
        let path = format!("/clients/{client_id}/rotate-secret");
        self.management(Method::POST, &path, Some(token), None).await
    }

    /// `GET /api/v2/logs?<query>`
    pub async fn logs(&self, token: &str, query: &str) -> Reply {
        self.management(Method::GET, &format!("/logs?{query}"), Some(token), None).await
    }

    /// The log page for `query` (read with a `read:logs` token), polled for up to two
    /// seconds until `ready` accepts it: the Redis log is written by a background task.
    pub async fn logs_when(&self, query: &str, ready: impl Fn(&Value) -> bool) -> (Reply, Value) {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let reply = self.logs(self.tokens.with(&["read:logs"]), query).await;
            reply.assert_status(200).assert_json_content_type();
            let body = reply.json();
            if ready(&body) {
                return (reply, body);
            }
            if Instant::now() > deadline {
                panic!("the log never reached the expected state within 2 s\n{reply}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// The `error` member Auth0 puts next to a status: its reason phrase.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        _ => "?",
    }
}

/// A management API error: the status, `{"statusCode", "error", "message", "errorCode"}`
/// with matching `statusCode` and `error`, the given `errorCode`, and an ASCII message.
/// Returns the message.
#[track_caller]
pub fn assert_management_error_code(reply: &Reply, status: u16, error_code: &str) -> String {
    reply.assert_status(status).assert_json_content_type();
    let body = reply.json();
    let object = body.as_object().unwrap_or_else(|| panic!("the body is not an object\n{reply}"));
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["error", "errorCode", "message", "statusCode"], "error body keys\n{reply}");
    assert_eq!(body["statusCode"], json!(status), "statusCode\n{reply}");
    assert_eq!(body["error"], json!(reason(status)), "error\n{reply}");
    assert_eq!(body["errorCode"], json!(error_code), "errorCode\n{reply}");
    let message = body["message"]
        .as_str()
        .unwrap_or_else(|| panic!("message is not a string\n{reply}"))
        .to_owned();
    assert!(!message.is_empty() && message.is_ascii(), "message must be ASCII text\n{reply}");
    message
}

/// As [`assert_management_error_code`], with a message that names `field`.
#[track_caller]
pub fn assert_management_error(reply: &Reply, status: u16, error_code: &str, field: &str) {
    let message = assert_management_error_code(reply, status, error_code);
    assert!(message.contains(field), "the message should name {field:?}, got {message:?}\n{reply}");
}

/// 400 `invalid_body` naming `field`: a PATCH or POST body that breaks a rule.
#[track_caller]
pub fn assert_invalid_body(reply: &Reply, field: &str) {
    assert_management_error(reply, 400, "invalid_body", field);
}

/// 401 with `WWW-Authenticate: Bearer ...` and a management error body.
#[track_caller]
pub fn assert_unauthorized(reply: &Reply) {
    let code = reply.json()["errorCode"].as_str().unwrap_or_default().to_owned();
    assert!(
        matches!(code.as_str(), "missing_token" | "invalid_token"),
        "errorCode should be missing_token or invalid_token\n{reply}"
    );
    assert_management_error_code(reply, 401, &code);
    let challenge = reply.header("www-authenticate").unwrap_or("");
    assert!(challenge.starts_with("Bearer"), "expected a Bearer challenge\n{reply}");
}

/// 403 `insufficient_scope`, the message and the challenge naming `scope`.
#[track_caller]
pub fn assert_insufficient_scope(reply: &Reply, scope: &str) {
    assert_management_error(reply, 403, "insufficient_scope", scope);
    let challenge = reply.header("www-authenticate").unwrap_or("");
    assert!(
        challenge.starts_with("Bearer")
            && challenge.contains(r#"error="insufficient_scope""#)
            && challenge.contains(scope),
        "expected a Bearer insufficient_scope challenge naming {scope}, got {challenge:?}\n{reply}"
    );
}

/// The `client_id` member of a settings view.
#[track_caller]
pub fn client_id_of(view: &Value) -> String {
    view["client_id"].as_str().unwrap_or_else(|| panic!("no client_id in {view:#}")).to_owned()
}

/// The `client_secret` member of a settings view, which must be there.
#[track_caller]
pub fn secret_of(view: &Value) -> String {
    view["client_secret"]
        .as_str()
        .unwrap_or_else(|| panic!("no client_secret in {view:#}"))
        .to_owned()
}

/// The scopes of the initial access token endpoints (issue 5).
pub const IAT_SCOPES: [&str; 3] =
    ["create:initial_access_tokens", "read:initial_access_tokens", "delete:initial_access_tokens"];

/// As [`spawn_admin_app_with`], also minting tokens for the initial access token scopes:
/// all three together, each alone, and each pair (so `tokens.with` finds them).
pub async fn spawn_iat_admin_app_with(backend: Backend<'_>, extra_flags: &[&str]) -> AdminApp {
    let mut flags: Vec<String> = vec!["--listen".into(), "127.0.0.1:0".into()];
    if let Backend::Redis(redis) = backend {
        flags.extend([
            "--redis-url".to_owned(),
            redis.url(),
            "--secret-key".to_owned(),
            SECRET_KEY.to_owned(),
        ]);
    }
    flags.extend(extra_flags.iter().map(|flag| (*flag).to_owned()));
    let settings = registrar::app::config::Settings::from_flags(flags.clone())
        .unwrap_or_else(|e| panic!("flags {flags:?} were refused: {e:?}"));
    let app = registrar::app::startup::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("failed to build the application with {flags:?}: {e:?}"));
    let mut tokens = AdminTokens::mint(&app);
    let mut sets: Vec<Vec<&str>> = vec![IAT_SCOPES.to_vec()];
    for (i, scope) in IAT_SCOPES.iter().enumerate() {
        sets.push(vec![scope]);
        for other in &IAT_SCOPES[i + 1..] {
            sets.push(vec![scope, other]);
        }
    }
    for set in sets {
        let token = app
            .mint_admin_token(&set, Duration::from_secs(3600))
            .unwrap_or_else(|e| panic!("minting a token for {set:?} failed: {e:?}"));
        tokens.by_scopes.insert(key(&set), token);
    }
    let port = app.port();
    let issuer = app.issuer().to_owned();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: http_client(),
        handle,
    };
    AdminApp { app, tokens, issuer }
}

impl AdminApp {
    /// `POST /api/v2/initial-access-tokens`
    pub async fn create_iat(&self, token: &str, body: &Value) -> Reply {
        self.management(Method::POST, "/initial-access-tokens", Some(token), Some(body)).await
    }

    /// Issues an initial access token with every IAT scope, asserting 201; returns the
    /// token and its id. Needs [`spawn_iat_admin_app_with`].
    pub async fn create_iat_ok(&self, body: &Value) -> (String, String) {
        let reply = self.create_iat(self.tokens.with(&IAT_SCOPES), body).await;
        reply.assert_status(201).assert_json_content_type().assert_no_store();
        let created = reply.json();
        let text = |name: &str| {
            created[name]
                .as_str()
                .unwrap_or_else(|| panic!("`{name}` is missing or not a string\n{reply}"))
                .to_owned()
        };
        (text("token"), text("id"))
    }

    /// `GET /api/v2/initial-access-tokens`
    pub async fn list_iats(&self, token: &str) -> Reply {
        self.management(Method::GET, "/initial-access-tokens", Some(token), None).await
    }

    /// `DELETE /api/v2/initial-access-tokens/{id}`
    pub async fn revoke_iat(&self, token: &str, id: &str) -> Reply {
        let path = format!("/initial-access-tokens/{id}");
        self.management(Method::DELETE, &path, Some(token), None).await
    }
}
