//! Harness for the token endpoint: a server with admin tokens for the resource-server
//! and client-grant scopes, an API and clients registered for client_credentials, and
//! client assertions signed the way client libraries sign them.

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use josekit::jwk::Jwk;
use josekit::jws::JwsHeader;
use josekit::jwt::{self, JwtPayload};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    http_client, minimal_with, private_jwk, signing_jwks, Backend, Reply, TestApp, SECRET_KEY,
};

/// A running server and the admin tokens minted by it.
pub struct OAuthApp {
    pub app: TestApp,
    /// Every admin scope.
    pub admin: String,
    /// Only `read:clients`: no scope of the OAuth management API.
    pub unrelated: String,
    pub issuer: String,
}

impl std::ops::Deref for OAuthApp {
    type Target = TestApp;
    fn deref(&self) -> &TestApp {
        &self.app
    }
}

pub async fn spawn_oauth_app(backend: Backend<'_>, extra: &[&str]) -> OAuthApp {
    let mut flags: Vec<String> = vec!["--listen".into(), "127.0.0.1:0".into()];
    if let Backend::Redis(redis) = backend {
        flags.extend(["--redis-url".into(), redis.url(), "--secret-key".into(), SECRET_KEY.into()]);
    }
    flags.extend(extra.iter().map(|f| (*f).to_owned()));
    let settings = registrar::app::config::Settings::from_flags(flags.clone()).expect("flags");
    let app = registrar::app::startup::Application::build(settings).await.expect("the app builds");
    let hour = Duration::from_secs(3600);
    let admin = app.mint_admin_token(registrar::service::admin_token::SCOPES, hour).expect("token");
    let unrelated = app.mint_admin_token(&["read:clients"], hour).expect("token");
    let (port, issuer, handle) = (app.port(), app.issuer().to_owned(), app.handle());
    tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: http_client(),
        handle,
    };
    OAuthApp { app, admin, unrelated, issuer }
}

/// A registered client and how it authenticates.
#[derive(Clone)]
pub struct Client {
    pub id: String,
    pub secret: Option<String>,
    pub method: &'static str,
}

pub const API: &str = "https://api.example/";

impl OAuthApp {
    pub async fn admin_call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let url = format!("{}/api/v2{path}", self.address);
        self.send(
            method,
            &url,
            Some(token),
            body.map(|b| (b.to_string(), Some("application/json"))),
        )
        .await
    }

    /// Creates an API with scopes `read:x` and `write:x`, asserting 201.
    pub async fn create_api(&self, identifier: &str, alg: &str) -> Value {
        let body = json!({
            "identifier": identifier,
            "name": "Example API",
            "scopes": [{"value": "read:x", "description": "Read"}, {"value": "write:x", "description": "Write"}],
            "token_lifetime": 600,
            "signing_alg": alg,
        });
        let reply =
            self.admin_call(Method::POST, "/resource-servers", &self.admin, Some(body)).await;
        reply.assert_status(201);
        reply.json()
    }

    pub async fn grant(&self, client: &Client, audience: &str, scope: &[&str]) -> Value {
        let body = json!({ "client_id": client.id, "audience": audience, "scope": scope });
        let reply = self.admin_call(Method::POST, "/client-grants", &self.admin, Some(body)).await;
        reply.assert_status(201);
        reply.json()
    }

    /// Registers a client_credentials client with `method` (private_key_jwt: the test RSA key).
    pub async fn register_client(&self, method: &'static str) -> Client {
        let mut body = minimal_with(json!({
            "grant_types": ["client_credentials"],
            "token_endpoint_auth_method": method,
        }));
        if method == "private_key_jwt" {
            body["jwks"] = signing_jwks();
        }
        let registered = self.register(&body).await.registered();
        Client { id: registered.client_id, secret: registered.client_secret, method }
    }

    /// A registered client with an API grant: the usual arrangement.
    pub async fn client_with_grant(&self, method: &'static str) -> Client {
        let client = self.register_client(method).await;
        self.grant(&client, API, &["read:x", "write:x"]).await;
        client
    }

    /// `POST <path>` with a form body and optional extra headers.
    pub async fn form(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        params: &[(&str, &str)],
    ) -> Reply {
        let body =
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let url = format!("{}{path}", self.address);
        self.send_with_headers(
            Method::POST,
            &url,
            headers,
            Some((body, Some("application/x-www-form-urlencoded"))),
        )
        .await
    }

    /// A request to `path` authenticated as `client` by its method, with `params`.
    pub async fn as_client(&self, client: &Client, path: &str, params: &[(&str, &str)]) -> Reply {
        let mut params: Vec<(&str, &str)> = params.to_vec();
        let (assertion, basic);
        let mut headers: Vec<(&str, &str)> = Vec::new();
        let secret = client.secret.as_deref().unwrap_or_default();
        match client.method {
            "client_secret_basic" => {
                basic = basic_header(&client.id, secret);
                headers.push(("authorization", basic.as_str()));
            }
            "client_secret_post" => {
                params.extend([("client_id", client.id.as_str()), ("client_secret", secret)]);
            }
            _ => {
                assertion = self.assertion(client, &json!({}));
                params.extend([
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", assertion.as_str()),
                ]);
            }
        }
        self.form(path, &headers, &params).await
    }

    pub async fn token(&self, client: &Client, params: &[(&str, &str)]) -> Reply {
        self.as_client(client, "/oauth/token", params).await
    }

    /// A client_credentials token for [`API`], asserting 200.
    pub async fn token_ok(&self, client: &Client) -> String {
        let reply =
            self.token(client, &[("grant_type", "client_credentials"), ("audience", API)]).await;
        reply.assert_status(200).assert_no_store();
        reply.json()["access_token"].as_str().expect("access_token").to_owned()
    }

    pub async fn introspect(&self, caller: &Client, token: &str) -> Value {
        let reply = self.as_client(caller, "/oauth/introspect", &[("token", token)]).await;
        reply.assert_status(200).assert_no_store();
        reply.json()
    }

    /// A client assertion for `client` with `overrides` of the usual claims (`null`
    /// removes one); HS256 with the secret, or RS256 with the test key.
    pub fn assertion(&self, client: &Client, overrides: &Value) -> String {
        let now = crate::helpers::now();
        let mut claims = json!({
            "iss": client.id,
            "sub": client.id,
            "aud": format!("{}/oauth/token", self.issuer),
            "jti": URL_SAFE_NO_PAD.encode(rand_bytes()),
            "iat": now,
            "exp": now + 60,
        });
        for (key, value) in overrides.as_object().expect("an object") {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        sign(client, &claims)
    }
}

pub fn sign(client: &Client, claims: &Value) -> String {
    let payload =
        JwtPayload::from_map(claims.as_object().cloned().expect("claims")).expect("payload");
    let mut header = JwsHeader::new();
    header.set_token_type("JWT");
    match client.method {
        "client_secret_jwt" => {
            let signer = josekit::jws::HS256
                .signer_from_bytes(client.secret.as_deref().expect("a secret").as_bytes())
                .expect("signer");
            jwt::encode_with_signer(&payload, &header, &signer).expect("signed")
        }
        _ => {
            let key = Jwk::from_map(private_jwk().as_object().cloned().expect("jwk")).expect("jwk");
            let signer = josekit::jws::RS256.signer_from_jwk(&key).expect("signer");
            jwt::encode_with_signer(&payload, &header, &signer).expect("signed")
        }
    }
}

fn rand_bytes() -> [u8; 16] {
    rand::random()
}

/// RFC 6749 §2.3.1: each part form-urlencoded, then base64.
pub fn basic_header(id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("Basic {}", STANDARD.encode(format!("{}:{}", enc(id), enc(secret))))
}

/// The claims of an access token, after checking its signature against the server's JWKS
/// as a resource server would.
pub async fn verified_claims(app: &TestApp, token: &str) -> (Value, Value) {
    let jwks = app.get("/.well-known/jwks.json").await.json();
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD.decode(token.split('.').next().expect("a header")).expect("base64"),
    )
    .expect("JSON header");
    let kid = header["kid"].as_str().expect("kid");
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .expect("the kid is published");
    let jwk = Jwk::from_map(jwk.as_object().cloned().unwrap()).expect("a JWK");
    let payload = match header["alg"].as_str().unwrap() {
        "ES256" => {
            jwt::decode_with_verifier(token, &josekit::jws::ES256.verifier_from_jwk(&jwk).unwrap())
        }
        "EdDSA" => {
            jwt::decode_with_verifier(token, &josekit::jws::EdDSA.verifier_from_jwk(&jwk).unwrap())
        }
        _ => {
            jwt::decode_with_verifier(token, &josekit::jws::RS256.verifier_from_jwk(&jwk).unwrap())
        }
    }
    .expect("the signature verifies with the published key")
    .0;
    (header, Value::Object(payload.claims_set().clone()))
}
