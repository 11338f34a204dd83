//! The real binary with `--log-format json --access-log` and `RUST_LOG=debug` on Redis:
//! every line is JSON, request lines carry the ID the response header returned, and no
//! credential the server handed out or was given ever reaches the log.

use std::process::Command;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{http_client, minimal, update_body_from, SECRET_KEY};
use crate::redis_server::RedisServer;
use crate::server_process::ServerProcess;

/// The request ID the scenario's RFC 7592 read sends itself.
const CALLER_ID: &str = "caller-chosen:read.1";

/// The admin token with its signature's last characters changed: well formed, forged.
fn forge(token: &str) -> String {
    let (signed, signature) = token.rsplit_once('.').expect("a compact JWS");
    let flipped = if signature.ends_with("AAAA") { "BBBB" } else { "AAAA" };
    format!("{signed}.{}{flipped}", &signature[..signature.len() - 4])
}

/// `registrar token` against the same Redis and issuer: an admin JWT.
fn admin_token(redis: &RedisServer, issuer: &str, scope: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["token", "--scope", scope, "--ttl", "10m", "--issuer", issuer])
        .args(["--redis-url", &redis.url(), "--secret-key", SECRET_KEY])
        .env_remove("REDIS_URL")
        .env_remove("REGISTRAR_SECRET_KEY")
        .output()
        .expect("failed to run registrar token");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "registrar token failed: {stderr}");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// One exchange: what was asked, the status, the request ID the response named, the body.
struct Exchange {
    what: &'static str,
    status: u16,
    request_id: String,
    body: Value,
}

impl Exchange {
    #[track_caller]
    fn text(&self, member: &str) -> String {
        self.body[member]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no {member} in {}", self.what, self.body))
            .to_owned()
    }
}

/// The requests of the scenario, in order.
struct Scenario {
    client: reqwest::Client,
    exchanges: Vec<Exchange>,
}

impl Scenario {
    /// Sends one request (`id` as its `X-Request-Id`, `token` as its bearer, `body` as
    /// JSON), records it, and returns it.
    async fn send(
        &mut self,
        what: &'static str,
        (method, url): (Method, &str),
        token: Option<&str>,
        body: Option<&Value>,
        id: Option<&str>,
    ) -> &Exchange {
        let mut request = self.client.request(method, url);
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body.to_string());
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{what}: {e}"));
        let status = response.status().as_u16();
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no X-Request-Id"))
            .to_owned();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        self.exchanges.push(Exchange { what, status, request_id, body });
        self.exchanges.last().expect("just pushed")
    }

    #[track_caller]
    fn get(&self, what: &str) -> &Exchange {
        self.exchanges.iter().find(|e| e.what == what).expect("a step of the scenario")
    }
}

/// The request ID a log line carries: the access line's own field, or its span's.
fn request_id_of(line: &Value) -> Option<&str> {
    line["fields"]["request_id"].as_str().or_else(|| line["span"]["request_id"].as_str())
}

#[tokio::test]
async fn json_logs_name_each_request_and_never_a_credential() {
    // Arrange
    let mut redis = RedisServer::start();
    let url = redis.url();
    let flags = ["--workers", "1", "--access-log", "--redis-timeout-ms", "300"];
    let store = ["--redis-url", url.as_str(), "--secret-key", SECRET_KEY];
    let mut server = ServerProcess::start_logging(&[&flags[..], &store[..]].concat(), "debug");
    let base = server.endpoint.address.clone();
    let scopes = "read:clients create:clients read:client_keys create:initial_access_tokens";
    let admin = admin_token(&redis, &base, scopes);
    let forged = forge(&admin);
    let register = format!("{base}/oidc/register");
    let clients = format!("{base}/api/v2/clients");
    let iats = format!("{base}/api/v2/initial-access-tokens");
    let (post, get) = (Method::POST, Method::GET);
    let r = minimal();
    let mut s = Scenario { client: http_client(), exchanges: Vec::new() };

    // Act: the RFC 7591 / 7592 life cycle, the management API, an initial access token,
    // failures of each, then a Redis outage.
    let created = s.send("register", (post.clone(), &register), None, Some(&r), None).await;
    let (client_id, rat, secret) = (
        created.text("client_id"),
        created.text("registration_access_token"),
        created.text("client_secret"),
    );
    let update = update_body_from(&created.body);
    let rcu = format!("{register}/{client_id}");
    s.send("read", (get.clone(), &rcu), Some(&rat), None, Some(CALLER_ID)).await;
    s.send("update", (Method::PUT, &rcu), Some(&rat), Some(&update), None).await;
    s.send("wrong token", (get.clone(), &rcu), Some("wrong-token"), None, None).await;
    let bad = json!({ "redirect_uris": ["http://not-https.example/cb"] });
    s.send("bad metadata", (post.clone(), &register), None, Some(&bad), None).await;
    let managed = format!("{clients}/{client_id}");
    s.send("admin read", (get.clone(), &managed), Some(&admin), None, None).await;
    let named = json!({ "name": "Managed" });
    let made = s.send("admin create", (post.clone(), &clients), Some(&admin), Some(&named), None);
    let admin_secret = made.await.text("client_secret");
    s.send("forged admin token", (get.clone(), &clients), Some(&forged), None, None).await;
    s.send("malformed admin token", (get.clone(), &clients), Some("not.a.jwt"), None, None).await;
    let uses = json!({ "max_uses": 1 });
    let iat = s.send("iat", (post.clone(), &iats), Some(&admin), Some(&uses), None).await;
    let iat = iat.text("token");
    let second = s.send("register with iat", (post.clone(), &register), Some(&iat), Some(&r), None);
    let second = second.await;
    let (second_rat, second_secret) =
        (second.text("registration_access_token"), second.text("client_secret"));
    s.send("used-up iat", (post.clone(), &register), Some(&iat), Some(&r), None).await;
    s.send("delete", (Method::DELETE, &rcu), Some(&rat), None, None).await;
    redis.stop();
    s.send("outage", (post.clone(), &register), None, Some(&r), None).await;
    let lines = server.stop();

    // Assert: the scenario went as planned.
    let statuses: Vec<(&str, u16)> = s.exchanges.iter().map(|e| (e.what, e.status)).collect();
    let expected = [
        ("register", 201),
        ("read", 200),
        ("update", 200),
        ("wrong token", 401),
        ("bad metadata", 400),
        ("admin read", 200),
        ("admin create", 201),
        ("forged admin token", 401),
        ("malformed admin token", 401),
        ("iat", 201),
        ("register with iat", 201),
        ("used-up iat", 401),
        ("delete", 204),
        ("outage", 503),
    ];
    assert_eq!(statuses, expected);
    assert_eq!(s.get("read").request_id, CALLER_ID, "a caller's safe ID is kept");
    let log = lines.join("\n");

    // Every line is a JSON object.
    let parsed: Vec<Value> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(Value::is_object)
                .unwrap_or_else(|| panic!("not a JSON object: {l}\n\n{log}"))
        })
        .collect();

    // Each request has its access line, under its response's request ID and route pattern.
    for exchange in &s.exchanges {
        let access = parsed
            .iter()
            .find(|l| {
                l["target"] == "registrar::access"
                    && request_id_of(l) == Some(exchange.request_id.as_str())
            })
            .unwrap_or_else(|| panic!("{}: no access line\n{log}", exchange.what));
        let fields = &access["fields"];
        assert_eq!(fields["status"], json!(exchange.status), "{}: {access}", exchange.what);
        assert_eq!(fields["client_ip"], "127.0.0.1", "{access}");
        assert!(fields["latency_ms"].is_number() && fields["method"].is_string(), "{access}");
        let route = fields["route"].as_str().unwrap_or_default();
        assert!(route.starts_with('/') && !route.contains(&client_id), "{access}");
    }

    // Lines logged while a request is handled carry its ID through the request span.
    let in_span = |message: &str, what: &str| {
        let id = s.get(what).request_id.as_str();
        parsed.iter().any(|l| l["fields"]["message"] == message && l["span"]["request_id"] == id)
    };
    assert!(in_span("admin token refused", "forged admin token"), "debug line, no ID\n{log}");
    assert!(in_span("admin token refused", "malformed admin token"), "debug line, no ID\n{log}");
    assert!(in_span("store unavailable", "outage"), "warning without its request ID\n{log}");
    let ids: Vec<&str> = s.exchanges.iter().map(|e| e.request_id.as_str()).collect();
    for line in &parsed {
        if let Some(id) = line["span"]["request_id"].as_str() {
            assert!(ids.contains(&id), "a request ID no response returned: {line}");
        }
    }

    // No credential anywhere in the output.
    let signature = admin.rsplit('.').next().unwrap_or_default().to_owned();
    let secrets = [
        ("client_secret", secret),
        ("registration_access_token", rat),
        ("second client_secret", second_secret),
        ("second registration_access_token", second_rat),
        ("management client_secret", admin_secret),
        ("initial access token", iat),
        ("admin token", admin.clone()),
        ("admin token signature", signature),
        ("forged admin token", forged),
        ("--secret-key", SECRET_KEY.to_owned()),
    ];
    for (what, secret) in &secrets {
        assert!(secret.len() >= 20, "{what} is too short to search for: {secret:?}");
        assert!(!log.contains(secret.as_str()), "the {what} appears in the log\n{log}");
    }
}
