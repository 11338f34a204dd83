//! Test harness: a real server on port 0 per test (style principle 8), one method per
//! endpoint, and assertion helpers that print the request and the whole response when
//! they fail (principle 9).

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};

use crate::redis_server::RedisServer;

/// At-rest key for client secrets: 32 bytes (0x00..0x1f) in base64url without padding.
pub const SECRET_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// The redirect URI of the minimal valid registration `R` of the checklist.
pub const REDIRECT_URI: &str = "https://rp.example/cb";

/// Runs each named `async fn(TestApp)` twice: against the in-process store and against a
/// private `redis-server`. Generates `mod <name> { with_the_memory_store, with_the_redis_store }`.
macro_rules! on_both_stores {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn with_the_memory_store() {
                super::$test($crate::helpers::spawn_app().await).await;
            }

            #[tokio::test]
            async fn with_the_redis_store() {
                let redis = $crate::redis_server::RedisServer::start();
                let backend = $crate::helpers::Backend::Redis(&redis);
                super::$test($crate::helpers::spawn_app_with(backend, &[]).await).await;
            }
        }
    )+};
}

/// Where the application keeps its clients.
#[derive(Clone, Copy)]
pub enum Backend<'a> {
    Memory,
    Redis(&'a RedisServer),
}

pub struct TestApp {
    /// `http://127.0.0.1:<port>`, which is also the default issuer.
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub handle: actix_web::dev::ServerHandle,
}

/// A fully read response, with the request that produced it for failure messages.
pub struct Reply {
    pub request: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    pub elapsed: Duration,
}

/// A successful registration (201), with the credentials pulled out.
#[derive(Debug, Clone)]
pub struct Registered {
    pub body: Value,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub rat: String,
    pub rcu: String,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Backend::Memory, &[]).await
}

/// Starts the application with the flags `registrar serve` takes: a random port, the
/// chosen store, then `extra_flags`.
pub async fn spawn_app_with(backend: Backend<'_>, extra_flags: &[&str]) -> TestApp {
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
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    TestApp { address: format!("http://127.0.0.1:{port}"), port, client: http_client(), handle }
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(15))
        .build()
        .expect("failed to build the HTTP client")
}

impl TestApp {
    /// Stops the server gracefully and waits until it is gone.
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }

    /// `<address>/oidc/register`
    pub fn registration_endpoint(&self) -> String {
        format!("{}/oidc/register", self.address)
    }

    /// Maps a URL the server handed out (whose host is the issuer's, which may be a
    /// configured public name) onto this test server, keeping path and query.
    pub fn local(&self, url: &str) -> String {
        let parsed = url::Url::parse(url).unwrap_or_else(|e| panic!("not a URL: {url:?}: {e}"));
        let query = parsed.query().map(|q| format!("?{q}")).unwrap_or_default();
        format!("{}{}{}", self.address, parsed.path(), query)
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, &format!("{}{path}", self.address), None, None).await
    }

    /// GET on a URL the server handed out, mapped onto this test server.
    pub async fn get_url(&self, url: &str) -> Reply {
        self.send(Method::GET, &self.local(url), None, None).await
    }

    pub async fn discovery(&self) -> Reply {
        self.get("/.well-known/openid-configuration").await
    }

    /// The discovery document, asserting 200 JSON.
    pub async fn discovery_doc(&self) -> Value {
        let reply = self.discovery().await;
        reply.assert_status(200).assert_json_content_type();
        reply.json()
    }

    pub async fn register(&self, body: &Value) -> Reply {
        self.register_raw(body.to_string(), Some("application/json")).await
    }

    pub async fn register_raw(&self, body: impl Into<String>, content_type: Option<&str>) -> Reply {
        let body = body.into();
        self.send(Method::POST, &self.registration_endpoint(), None, Some((body, content_type)))
            .await
    }

    /// Registers `body` and asserts 201; returns the credentials.
    pub async fn register_ok(&self, body: &Value) -> Registered {
        let reply = self.register(body).await;
        reply.registered()
    }

    pub async fn get_client(&self, rcu: &str, token: &str) -> Reply {
        self.send(Method::GET, &self.local(rcu), Some(token), None).await
    }

    pub async fn put_client(&self, rcu: &str, token: &str, body: &Value) -> Reply {
        let body = Some((body.to_string(), Some("application/json")));
        self.send(Method::PUT, &self.local(rcu), Some(token), body).await
    }

    pub async fn delete_client(&self, rcu: &str, token: &str) -> Reply {
        self.send(Method::DELETE, &self.local(rcu), Some(token), None).await
    }

    /// GET with a raw `Authorization` header value (for scheme handling tests).
    pub async fn get_with_authorization(&self, url: &str, authorization: &str) -> Reply {
        let started = Instant::now();
        let url = self.local(url);
        let description = format!("GET {url}\nAuthorization: {authorization}");
        let response = self
            .client
            .get(&url)
            .header(AUTHORIZATION, authorization)
            .send()
            .await
            .unwrap_or_else(|e| panic!("request failed: {description}\n{e:?}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Reply { request: description, status, headers, body, elapsed: started.elapsed() }
    }

    /// Any request: `token` becomes `Authorization: Bearer <token>`; `body` is sent with
    /// the given `Content-Type` (or none).
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        body: Option<(String, Option<&str>)>,
    ) -> Reply {
        let mut request = self.client.request(method.clone(), url);
        let mut description = format!("{method} {url}");
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
            description.push_str(&format!("\nAuthorization: Bearer {token}"));
        }
        if let Some((body, content_type)) = body {
            if let Some(content_type) = content_type {
                request = request.header(CONTENT_TYPE, content_type);
                description.push_str(&format!("\nContent-Type: {content_type}"));
            }
            description.push_str(&format!("\n\n{}", shorten(&body)));
            request = request.body(body);
        }
        let started = Instant::now();
        let response =
            request.send().await.unwrap_or_else(|e| panic!("request failed: {description}\n{e:?}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("reading the body failed: {description}\n{e:?}"));
        Reply { request: description, status, headers, body, elapsed: started.elapsed() }
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 600;
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &text[..end], text.len())
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "--- request ---\n{}", self.request)?;
        writeln!(f, "--- response: {} ---", self.status)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {}", value.to_str().unwrap_or("<binary>"))?;
        }
        write!(f, "\n{}", shorten(&self.body))
    }
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body as JSON (panics, printing the exchange, if it is not JSON).
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("the body is not JSON ({e})\n{self}"))
    }

    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status, expected,
            "expected status {expected}, got {}\n{self}",
            self.status
        );
        self
    }

    /// `Content-Type: application/json` (parameters such as charset allowed).
    #[track_caller]
    pub fn assert_json_content_type(&self) -> &Self {
        let content_type = self.header("content-type").unwrap_or("");
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        assert!(
            media_type.eq_ignore_ascii_case("application/json"),
            "expected Content-Type application/json, got {content_type:?}\n{self}"
        );
        self
    }

    /// `Cache-Control: no-store` and `Pragma: no-cache` (checklist item 5).
    #[track_caller]
    pub fn assert_no_store(&self) -> &Self {
        let cache_control = self.header("cache-control").unwrap_or("");
        assert!(
            cache_control
                .split(',')
                .any(|directive| directive.trim().eq_ignore_ascii_case("no-store")),
            "expected Cache-Control: no-store, got {cache_control:?}\n{self}"
        );
        let pragma = self.header("pragma").unwrap_or("");
        assert!(
            pragma.trim().eq_ignore_ascii_case("no-cache"),
            "expected Pragma: no-cache, got {pragma:?}\n{self}"
        );
        self
    }

    /// 201 with a JSON body carrying client_id, RAT and RCU; returns them.
    #[track_caller]
    pub fn registered(&self) -> Registered {
        self.assert_status(201).assert_json_content_type();
        let body = self.json();
        let text = |name: &str| -> String {
            body.get(name)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("`{name}` is missing or not a string\n{self}"))
                .to_owned()
        };
        Registered {
            client_id: text("client_id"),
            client_secret: body.get("client_secret").and_then(Value::as_str).map(str::to_owned),
            rat: text("registration_access_token"),
            rcu: text("registration_client_uri"),
            body,
        }
    }
}

/// An RFC 7591 §3.2.2 error: the status, JSON `{"error": code, "error_description": ...}`,
/// a description that names `field` and is ASCII only (checklist items 12, 77).
#[track_caller]
pub fn assert_oauth_error(reply: &Reply, status: u16, code: &str, field: &str) {
    assert_oauth_error_naming_one_of(reply, status, code, &[field]);
}

/// As `assert_oauth_error`, when any of several field names is a fair thing to name
/// (e.g. `jwks` or `jwks_uri` for "not both").
#[track_caller]
pub fn assert_oauth_error_naming_one_of(reply: &Reply, status: u16, code: &str, fields: &[&str]) {
    assert_oauth_error_code(reply, status, code);
    let description = reply.json()["error_description"].as_str().unwrap_or_default().to_owned();
    assert!(
        fields.iter().any(|field| description.contains(field)),
        "error_description should name {fields:?}, got {description:?}\n{reply}"
    );
}

/// Status and `error` code only; `error_description` (if present) must be ASCII.
#[track_caller]
pub fn assert_oauth_error_code(reply: &Reply, status: u16, code: &str) {
    reply.assert_status(status).assert_json_content_type();
    let body = reply.json();
    assert_eq!(body["error"].as_str(), Some(code), "expected error {code:?}\n{reply}");
    if let Some(description) = body.get("error_description") {
        let description = description
            .as_str()
            .unwrap_or_else(|| panic!("error_description is not a string\n{reply}"));
        assert!(
            description.is_ascii(),
            "error_description must be ASCII only (RFC 7591 §3.2.2)\n{reply}"
        );
    }
}

/// 401 `WWW-Authenticate: Bearer error="invalid_token"` with `{"error":"invalid_token"}`.
#[track_caller]
pub fn assert_invalid_token(reply: &Reply) {
    assert_oauth_error_code(reply, 401, "invalid_token");
    let challenge = reply.header("www-authenticate").unwrap_or("");
    assert!(
        challenge.starts_with("Bearer") && challenge.contains(r#"error="invalid_token""#),
        "expected WWW-Authenticate: Bearer error=\"invalid_token\", got {challenge:?}\n{reply}"
    );
}

/// A string of at least `min_len` characters from the URL-safe base64 alphabet.
#[track_caller]
pub fn assert_url_safe_token(value: &str, min_len: usize, what: &str) {
    assert!(
        value.len() >= min_len,
        "{what} must be at least {min_len} characters, got {} ({value:?})",
        value.len()
    );
    assert!(
        value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{what} must use the URL-safe base64 alphabet only, got {value:?}"
    );
}

/// Asserts that `body` carries `member` equal to `expected`.
#[track_caller]
pub fn assert_member(body: &Value, member: &str, expected: &Value) {
    assert_eq!(
        body.get(member),
        Some(expected),
        "member {member:?} should be {expected}, whole body: {body:#}"
    );
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock before 1970").as_secs() as i64
}

/// The checklist's minimal valid registration `R`.
pub fn minimal() -> Value {
    json!({ "redirect_uris": [REDIRECT_URI] })
}

/// `R` with the members of `extra` added (or replaced).
pub fn minimal_with(extra: Value) -> Value {
    merge(minimal(), extra)
}

/// `base` with the members of `extra` added (or replaced); `null` in `extra` removes.
pub fn merge(mut base: Value, extra: Value) -> Value {
    let target = base.as_object_mut().expect("base must be an object");
    for (key, value) in extra.as_object().expect("extra must be an object") {
        if value.is_null() {
            target.remove(key);
        } else {
            target.insert(key.clone(), value.clone());
        }
    }
    base
}

/// A registration response turned into an RFC 7592 §2.2 update body: everything except
/// the four members a client must not send.
pub fn update_body_from(response: &Value) -> Value {
    merge(
        response.clone(),
        json!({
            "registration_access_token": null,
            "registration_client_uri": null,
            "client_secret_expires_at": null,
            "client_id_issued_at": null,
        }),
    )
}

struct Keys {
    signing: Value,
    encryption_rsa: Value,
    encryption_ec: Value,
    private: Value,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let signing =
            josekit::jws::RS256.generate_key_pair(2048).expect("RSA key generation failed");
        let encryption =
            josekit::jws::RS256.generate_key_pair(2048).expect("RSA key generation failed");
        let ec = josekit::jws::ES256.generate_key_pair().expect("EC key generation failed");
        let public = |jwk: josekit::jwk::Jwk| -> Value {
            let map: serde_json::Map<String, Value> = jwk.into();
            Value::Object(map)
        };
        Keys {
            signing: public(signing.to_jwk_public_key()),
            encryption_rsa: public(encryption.to_jwk_public_key()),
            encryption_ec: public(ec.to_jwk_public_key()),
            private: public(signing.to_jwk_key_pair()),
        }
    })
}

/// The conformance suite's by-value key: an RSA public key, `use` sig, `alg` RS256, no `kid`.
pub fn signing_jwk() -> Value {
    merge(keys().signing.clone(), json!({ "use": "sig", "alg": "RS256", "kid": null }))
}

/// `{"keys": [signing_jwk()]}`
pub fn signing_jwks() -> Value {
    json!({ "keys": [signing_jwk()] })
}

/// A public set with a signing key and RSA and EC encryption keys, each with `use` and `kid`.
pub fn encryption_jwks() -> Value {
    let strip = json!({ "alg": null });
    json!({ "keys": [
        merge(signing_jwk(), json!({ "kid": "sig-1" })),
        merge(merge(keys().encryption_rsa.clone(), strip.clone()), json!({ "use": "enc", "kid": "enc-rsa" })),
        merge(merge(keys().encryption_ec.clone(), strip), json!({ "use": "enc", "kid": "enc-ec" })),
    ]})
}

/// The RSA signing key pair including its private members (`d`, `p`, `q`, ...).
pub fn private_jwk() -> Value {
    merge(keys().private.clone(), json!({ "use": "sig", "kid": null }))
}

/// Runs each named `async fn(Backend<'_>)` twice, as `on_both_stores!` does, for tests
/// that start their servers themselves (with flags, or several servers on one Redis).
macro_rules! on_both_backends {
    ($($test:ident),+ $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn with_the_memory_store() {
                super::$test($crate::helpers::Backend::Memory).await;
            }

            #[tokio::test]
            async fn with_the_redis_store() {
                let redis = $crate::redis_server::RedisServer::start();
                super::$test($crate::helpers::Backend::Redis(&redis)).await;
            }
        }
    )+};
}

impl TestApp {
    /// `POST /oidc/register` with `Authorization: Bearer <token>` (an initial access token).
    pub async fn register_with_token(&self, token: &str, body: &Value) -> Reply {
        let body = Some((body.to_string(), Some("application/json")));
        self.send(Method::POST, &self.registration_endpoint(), Some(token), body).await
    }

    /// `POST /oidc/register` with extra request headers (`Origin`, `X-Forwarded-For`, ...).
    pub async fn register_with_headers(&self, headers: &[(&str, &str)], body: &Value) -> Reply {
        let body = Some((body.to_string(), Some("application/json")));
        let url = self.registration_endpoint();
        self.send_with_headers(Method::POST, &url, headers, body).await
    }

    /// Any request with extra headers; `body` is sent with the given `Content-Type`.
    pub async fn send_with_headers(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<(String, Option<&str>)>,
    ) -> Reply {
        let mut request = self.client.request(method.clone(), url);
        let mut description = format!("{method} {url}");
        for (name, value) in headers {
            request = request.header(*name, *value);
            description.push_str(&format!("\n{name}: {value}"));
        }
        if let Some((body, content_type)) = body {
            if let Some(content_type) = content_type {
                request = request.header(CONTENT_TYPE, content_type);
                description.push_str(&format!("\nContent-Type: {content_type}"));
            }
            description.push_str(&format!("\n\n{}", shorten(&body)));
            request = request.body(body);
        }
        let started = Instant::now();
        let response =
            request.send().await.unwrap_or_else(|e| panic!("request failed: {description}\n{e:?}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("reading the body failed: {description}\n{e:?}"));
        Reply { request: description, status, headers, body, elapsed: started.elapsed() }
    }
}
