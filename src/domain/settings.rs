//! The client settings model (Auth0's client object, seeds 001–004): the administrator's
//! view of a registration. Derived once from verified metadata at registration and at
//! RFC 7592 update; the metadata itself is stored beside it, so reads never re-derive.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::metadata::ClientMetadata;
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
    /// Maps a self-registration onto client settings (the README's mapping table).
    pub fn from_registration(client_id: &str, meta: &ClientMetadata) -> ClientSettings {
        let callbacks: Vec<String> =
            meta.redirect_uris.iter().map(|u| u.as_str().to_owned()).collect();
        let app_type = app_type(meta);
        let origins = origins(&meta.redirect_uris);
        let (token_endpoint_auth_method, client_authentication_methods) =
            match meta.token_endpoint_auth_method {
                AuthMethod::PrivateKeyJwt => {
                    (None, Some(serde_json::json!({ "private_key_jwt": { "credentials": [] } })))
                }
                AuthMethod::ClientSecretJwt => {
                    (None, Some(serde_json::json!({ "client_secret_jwt": {} })))
                }
                other => (Some(other.as_str().to_owned()), None),
            };
        ClientSettings {
            client_id: client_id.to_owned(),
            name: meta.client_name.default.clone().unwrap_or_else(|| client_id.to_owned()),
            description: None,
            app_type,
            is_first_party: false,
            oidc_conformant: true,
            callbacks,
            allowed_logout_urls: meta
                .post_logout_redirect_uris
                .iter()
                .map(|u| u.as_str().to_owned())
                .collect(),
            web_origins: if app_type == AppType::Spa { origins.clone() } else { Vec::new() },
            allowed_origins: origins,
            grant_types: meta.grant_types.iter().map(|g| g.as_str().to_owned()).collect(),
            token_endpoint_auth_method,
            client_authentication_methods,
            jwt_configuration: JwtConfiguration {
                alg: jwt_alg(meta.id_token_signed_response_alg).to_owned(),
                lifetime_in_seconds: DEFAULT_JWT_LIFETIME_SECONDS,
                secret_encoded: false,
            },
            client_metadata: client_metadata(meta),
            logo_uri: meta.logo_uri.default.as_ref().map(|u| u.as_str().to_owned()),
            initiate_login_uri: meta.initiate_login_uri.as_ref().map(|u| u.as_str().to_owned()),
            sso: false,
            sso_disabled: false,
            cross_origin_auth: false,
            custom_login_page_on: true,
            is_token_endpoint_ip_header_trusted: false,
            require_pushed_authorization_requests: false,
            require_proof_of_possession: false,
            skip_non_verifiable_callback_uri_confirmation_prompt: false,
        }
    }
}

/// native stays native; a client with no redirect-based grant is a machine-to-machine
/// (non_interactive) client; a browser client that cannot keep a secret is a SPA;
/// everything else is a server-side web app.
fn app_type(meta: &ClientMetadata) -> AppType {
    if meta.application_type == ApplicationType::Native {
        AppType::Native
    } else if !meta.grant_types.iter().any(|g| g.uses_redirect()) {
        AppType::NonInteractive
    } else if meta.token_endpoint_auth_method == AuthMethod::None {
        AppType::Spa
    } else {
        AppType::RegularWeb
    }
}

/// Auth0 allows CORS from the callbacks' origins by default (seed 001).
fn origins(uris: &[CheckedUri]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for origin in uris.iter().filter_map(CheckedUri::origin) {
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

/// RFC 7591 fields with no Auth0 setting of their own (within Auth0's 10 keys).
fn client_metadata(meta: &ClientMetadata) -> Map<String, Value> {
    let mut out = Map::new();
    let mut put = |key: &str, value: Option<&str>| {
        // A value over Auth0's limit stays in the registration metadata only: cutting a
        // URI short would store a different URI.
        if let Some(v) = value.filter(|v| v.chars().count() <= MAX_CLIENT_METADATA_VALUE_CHARS) {
            out.insert(key.to_owned(), Value::from(v));
        }
    };
    put("application_type", Some(meta.application_type.as_str()));
    put("software_id", meta.software_id.as_deref());
    put("software_version", meta.software_version.as_deref());
    put("client_uri", meta.client_uri.default.as_ref().map(CheckedUri::as_str));
    put("policy_uri", meta.policy_uri.default.as_ref().map(CheckedUri::as_str));
    put("tos_uri", meta.tos_uri.default.as_ref().map(CheckedUri::as_str));
    put("subject_type", Some(meta.subject_type.as_str()));
    debug_assert!(out.len() <= MAX_CLIENT_METADATA_KEYS);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::domain::metadata::RegistrationPolicy;

    fn settings(body: Value) -> ClientSettings {
        let policy = RegistrationPolicy {
            allow_native_https_redirects: false,
            scopes_supported: vec!["openid".into()],
        };
        let meta = ClientMetadata::parse(body.as_object().unwrap(), &policy).unwrap();
        ClientSettings::from_registration("cid", &meta)
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
        assert_eq!(s.client_metadata["software_id"], "shop-app");
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
        assert!(s.client_metadata.len() <= MAX_CLIENT_METADATA_KEYS);
    }
}
