//! The client settings model (Auth0's client object, seeds 001–004): the administrator's
//! view of a registration.
//!
//! One client, two views. The registered metadata (RFC 7591) is stored as sent and is the
//! source of every setting that has a metadata counterpart (name, callbacks, grants, ...);
//! settings with no counterpart (description, SSO flags, ...) are stored apart, as
//! [`AdminSettings`], and laid over the derived ones. A change through either API is
//! therefore visible through the other, and nothing is stored twice.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::members;
use super::uri::CheckedUri;
use super::vocab::{ApplicationType, AuthMethod, JwsAlg};

/// Auth0's default ID token lifetime (seed 001: "JWT Expiration", 36000 s = 10 h).
pub const DEFAULT_JWT_LIFETIME_SECONDS: u64 = 36_000;
/// Auth0 limits on `client_metadata` (seed 004).
pub const MAX_CLIENT_METADATA_KEYS: usize = 10;
pub const MAX_CLIENT_METADATA_VALUE_CHARS: usize = 255;

/// `app_type` (seed 004), for the four client kinds seed 000 describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    Native,
    Spa,
    RegularWeb,
    NonInteractive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtConfiguration {
    pub alg: String,
    pub lifetime_in_seconds: u64,
    pub secret_encoded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSettings {
    pub client_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub app_type: AppType,
    pub is_first_party: bool,
    pub oidc_conformant: bool,
    pub callbacks: Vec<String>,
    pub allowed_logout_urls: Vec<String>,
    pub allowed_origins: Vec<String>,
    pub web_origins: Vec<String>,
    pub grant_types: Vec<String>,
    /// `None` where Auth0 uses `client_authentication_methods` instead (JWT assertions).
    pub token_endpoint_auth_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_authentication_methods: Option<Value>,
    pub jwt_configuration: JwtConfiguration,
    pub client_metadata: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiate_login_uri: Option<String>,
    pub sso: bool,
    pub sso_disabled: bool,
    pub cross_origin_auth: bool,
    pub custom_login_page_on: bool,
    pub is_token_endpoint_ip_header_trusted: bool,
    pub require_pushed_authorization_requests: bool,
    pub require_proof_of_possession: bool,
    /// Self-registered clients cannot vouch for their redirect URIs: always prompt.
    pub skip_non_verifiable_callback_uri_confirmation_prompt: bool,
}

impl ClientSettings {
    /// Derives the settings from stored registration metadata (the JSON that
    /// `ClientMetadata::to_json` wrote, possibly edited since through the management API).
    pub fn derive(client_id: &str, meta: &Map<String, Value>) -> ClientSettings {
        let callbacks = strings(meta, "redirect_uris");
        let auth_method = text(meta, "token_endpoint_auth_method")
            .and_then(AuthMethod::parse)
            .unwrap_or(super::vocab::DEFAULT_AUTH_METHOD);
        let grants = strings(meta, "grant_types");
        let app_type = if text(meta, "application_type") == Some(ApplicationType::Native.as_str()) {
            AppType::Native
        } else if !grants.iter().any(|g| matches!(g.as_str(), "authorization_code" | "implicit")) {
            AppType::NonInteractive
        } else if auth_method == AuthMethod::None {
            AppType::Spa
        } else {
            AppType::RegularWeb
        };
        let origins = origins(&callbacks);
        let (token_endpoint_auth_method, client_authentication_methods) = match auth_method {
            AuthMethod::PrivateKeyJwt => {
                (None, Some(serde_json::json!({ "private_key_jwt": { "credentials": [] } })))
            }
            AuthMethod::ClientSecretJwt => {
                (None, Some(serde_json::json!({ "client_secret_jwt": {} })))
            }
            other => (Some(other.as_str().to_owned()), None),
        };
        let id_token_alg = text(meta, "id_token_signed_response_alg").and_then(JwsAlg::parse);
        ClientSettings {
            client_id: client_id.to_owned(),
            name: text(meta, "client_name").unwrap_or(client_id).to_owned(),
            description: None,
            app_type,
            is_first_party: false,
            oidc_conformant: true,
            callbacks,
            allowed_logout_urls: strings(meta, "post_logout_redirect_uris"),
            web_origins: if app_type == AppType::Spa { origins.clone() } else { Vec::new() },
            allowed_origins: origins,
            grant_types: grants,
            token_endpoint_auth_method,
            client_authentication_methods,
            jwt_configuration: JwtConfiguration {
                alg: jwt_alg(id_token_alg.unwrap_or(super::vocab::DEFAULT_ID_TOKEN_ALG)).to_owned(),
                lifetime_in_seconds: DEFAULT_JWT_LIFETIME_SECONDS,
                secret_encoded: false,
            },
            // The user's own keys only (seed 004): registration members stay in the
            // registration metadata, where RFC 7592 reads them.
            client_metadata: Map::new(),
            logo_uri: text(meta, "logo_uri").map(str::to_owned),
            initiate_login_uri: text(meta, "initiate_login_uri").map(str::to_owned),
            sso: false,
            sso_disabled: false,
            cross_origin_auth: false,
            custom_login_page_on: true,
            is_token_endpoint_ip_header_trusted: false,
            require_pushed_authorization_requests: members::settings::par_required(meta),
            require_proof_of_possession: members::settings::pop_required(meta),
            skip_non_verifiable_callback_uri_confirmation_prompt: false,
        }
    }
}

/// Settings an administrator set that no registration member carries. The defaults are
/// those of a self-registered client, so such a client stores nothing here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AdminSettings {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_first_party: bool,
    /// Validated Auth0 settings, laid over the derived ones by name.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub fields: Map<String, Value>,
}

impl AdminSettings {
    pub fn is_default(&self) -> bool {
        *self == AdminSettings::default()
    }
}

/// The management API's view of a client: derived settings, then the administrator's.
pub fn settings_view(
    client_id: &str,
    meta: &Map<String, Value>,
    admin: &AdminSettings,
) -> Map<String, Value> {
    let derived = serde_json::to_value(ClientSettings::derive(client_id, meta));
    let Ok(Value::Object(mut view)) = derived else { return Map::new() };
    members::settings::derive(meta, &mut view);
    view.insert("is_first_party".into(), admin.is_first_party.into());
    for (key, value) in &admin.fields {
        if members::settings::METADATA_ONLY.contains(&key.as_str()) {
            // Kept by clients changed before these settings moved to the metadata.
            continue;
        }
        let owned = members::settings::METADATA_OWNED.iter().find(|(k, _)| k == key);
        match (view.get_mut(key), value) {
            (Some(Value::Object(base)), Value::Object(extra)) if owned.is_some() => {
                let part = owned.map_or("", |(_, part)| *part);
                base.extend(
                    extra.iter().filter(|(k, _)| *k != part).map(|(k, v)| (k.clone(), v.clone())),
                );
            }
            // The alg lives in the metadata (`id_token_signed_response_alg`), which RFC 7592
            // may change later; the administrator's other JWT settings are kept.
            (Some(Value::Object(base)), Value::Object(extra)) if key == "jwt_configuration" => {
                base.extend(
                    extra.iter().filter(|(k, _)| *k != "alg").map(|(k, v)| (k.clone(), v.clone())),
                );
            }
            _ => {
                view.insert(key.clone(), value.clone());
            }
        }
    }
    view
}

fn text<'a>(meta: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    meta.get(key).and_then(Value::as_str)
}

fn strings(meta: &Map<String, Value>, key: &str) -> Vec<String> {
    meta.get(key)
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Auth0 allows CORS from the callbacks' origins by default (seed 001).
fn origins(callbacks: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for origin in callbacks.iter().filter_map(|c| CheckedUri::parse(c).ok()?.origin()) {
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    out
}

/// Auth0 signs ID tokens with HS256, RS256 or PS256; other registered algs are kept in
/// the metadata and shown here as the closest family member.
fn jwt_alg(alg: JwsAlg) -> &'static str {
    match alg {
        JwsAlg::HS256 | JwsAlg::HS384 | JwsAlg::HS512 => "HS256",
        JwsAlg::PS256 | JwsAlg::PS384 | JwsAlg::PS512 => "PS256",
        _ => "RS256",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::metadata::{ClientMetadata, RegistrationPolicy};

    fn settings(body: Value) -> ClientSettings {
        let policy = RegistrationPolicy {
            allow_native_https_redirects: false,
            http_documents: false,
            scopes_supported: vec!["openid".into()],
            capabilities: Default::default(),
        };
        let meta = ClientMetadata::parse(body.as_object().unwrap(), &policy).unwrap();
        ClientSettings::derive("cid", &meta.to_json())
    }

    #[test]
    fn app_type_follows_application_type_auth_method_and_grants() {
        let cases = [
            (json!({ "redirect_uris": ["https://a.example/cb"] }), AppType::RegularWeb),
            (
                json!({ "redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "none" }),
                AppType::Spa,
            ),
            (
                json!({ "redirect_uris": ["com.example:/cb"], "application_type": "native" }),
                AppType::Native,
            ),
            (json!({ "grant_types": ["client_credentials"] }), AppType::NonInteractive),
        ];
        for (body, expected) in cases {
            assert_eq!(settings(body.clone()).app_type, expected, "{body}");
        }
    }

    #[test]
    fn registration_fields_land_on_their_settings() {
        let s = settings(json!({
            "redirect_uris": ["https://a.example/cb", "https://a.example/other", "https://b.example:8443/cb"],
            "post_logout_redirect_uris": ["https://a.example/bye"],
            "client_name": "Shop",
            "token_endpoint_auth_method": "none",
            "logo_uri": "https://a.example/logo.png",
            "software_id": "shop-app",
            "grant_types": ["authorization_code", "refresh_token"],
        }));
        assert_eq!(s.name, "Shop");
        assert!(!s.is_first_party && s.oidc_conformant);
        assert_eq!(s.callbacks.len(), 3);
        assert_eq!(s.allowed_logout_urls, ["https://a.example/bye"]);
        assert_eq!(s.allowed_origins, ["https://a.example", "https://b.example:8443"]);
        assert_eq!(s.web_origins, s.allowed_origins, "a SPA gets web origins too");
        assert_eq!(s.grant_types, ["authorization_code", "refresh_token"]);
        assert_eq!(s.token_endpoint_auth_method.as_deref(), Some("none"));
        assert_eq!(s.jwt_configuration.lifetime_in_seconds, 36_000);
        assert_eq!(s.client_metadata, Map::new(), "client_metadata is the user's alone");
        assert_eq!(s.logo_uri.as_deref(), Some("https://a.example/logo.png"));
    }

    #[test]
    fn unnamed_clients_are_named_after_their_id_and_jwt_methods_use_auth0_methods() {
        let pair = josekit::jws::RS256.generate_key_pair(2048).unwrap();
        let jwks = json!({ "keys": [Value::from(pair.to_jwk_public_key().as_ref().clone())] });
        let s = settings(json!({
            "redirect_uris": ["https://a.example/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "jwks": jwks,
            "id_token_signed_response_alg": "PS384",
        }));
        assert_eq!(s.name, "cid");
        assert_eq!(s.token_endpoint_auth_method, None);
        assert!(s.client_authentication_methods.unwrap().get("private_key_jwt").is_some());
        assert_eq!(s.jwt_configuration.alg, "PS256");
    }

    #[test]
    fn administrator_settings_lie_over_the_derived_ones() {
        let meta = serde_json::json!({ "redirect_uris": ["https://a.example/cb"], "client_name": "A",
            "software_id": "s" });
        let admin = AdminSettings {
            is_first_party: true,
            fields: serde_json::json!({ "description": "d", "sso": true,
                "client_metadata": { "team": "x" } })
            .as_object()
            .unwrap()
            .clone(),
        };
        let view = settings_view("cid", meta.as_object().unwrap(), &admin);
        assert_eq!(view["name"], "A");
        assert_eq!(view["is_first_party"], true);
        assert_eq!(view["description"], "d");
        assert_eq!(view["sso"], true);
        assert_eq!(view["client_metadata"], serde_json::json!({ "team": "x" }));
        assert!(AdminSettings::default().is_default());
    }
}
