//! The discovery document (OpenID Connect Discovery 1.0 §3, RFC 8414), built once at
//! start-up from the settings. The `*_supported` lists come from the same vocabularies
//! registration checks against, so what is advertised is exactly what registers;
//! docs/discovery.md goes member by member.

use serde_json::json;

use crate::app::config::Settings;
use crate::domain::endpoints::{JWKS_PATH, REGISTRATION_PATH};
use crate::domain::members::capabilities::apply_to_discovery;
use crate::domain::policy::RegistrationMode;
use crate::domain::vocab::{
    AuthMethod, GrantType, JweAlg, JweEnc, JwsAlg, ResponseType, SubjectType,
};

/// Builds the discovery document once, at startup.
pub fn build_document(settings: &Settings, issuer: &str) -> String {
    let endpoint = |configured: &Option<String>, path: &str| {
        configured.clone().unwrap_or_else(|| format!("{issuer}{path}"))
    };
    let signing: Vec<&str> =
        JwsAlg::ALL.iter().filter(|a| **a != JwsAlg::None).map(|a| a.as_str()).collect();
    let with_none: Vec<&str> = JwsAlg::wire_values();
    // Introspection and revocation need an authenticated client; `none` is for public
    // clients, whose grants the co-located OP serves.
    let authenticating: Vec<&str> =
        crate::service::oauth::client_auth::METHODS.iter().map(|m| m.as_str()).collect();
    let mut document = json!({
        "issuer": issuer,
        "authorization_endpoint": endpoint(&settings.authorization_endpoint, "/authorize"),
        "token_endpoint": endpoint(&settings.token_endpoint, "/oauth/token"),
        "userinfo_endpoint": endpoint(&settings.userinfo_endpoint, "/userinfo"),
        "jwks_uri": format!("{issuer}{JWKS_PATH}"),
        "registration_endpoint": format!("{issuer}{REGISTRATION_PATH}"),
        "scopes_supported": settings.policy.scopes_supported,
        "response_types_supported": ResponseType::SUPPORTED,
        "grant_types_supported": GrantType::wire_values(),
        "subject_types_supported": SubjectType::wire_values(),
        "id_token_signing_alg_values_supported": with_none,
        "id_token_encryption_alg_values_supported": JweAlg::wire_values(),
        "id_token_encryption_enc_values_supported": JweEnc::wire_values(),
        "userinfo_signing_alg_values_supported": signing,
        "userinfo_encryption_alg_values_supported": JweAlg::wire_values(),
        "userinfo_encryption_enc_values_supported": JweEnc::wire_values(),
        "request_object_signing_alg_values_supported": with_none,
        "request_object_encryption_alg_values_supported": JweAlg::wire_values(),
        "request_object_encryption_enc_values_supported": JweEnc::wire_values(),
        "token_endpoint_auth_methods_supported": AuthMethod::wire_values(),
        "token_endpoint_auth_signing_alg_values_supported": signing,
        "introspection_endpoint": format!("{issuer}{}", crate::domain::endpoints::INTROSPECTION_PATH),
        "introspection_endpoint_auth_methods_supported": authenticating,
        "introspection_endpoint_auth_signing_alg_values_supported": signing,
        "revocation_endpoint": format!("{issuer}{}", crate::domain::endpoints::REVOCATION_PATH),
        "revocation_endpoint_auth_methods_supported": authenticating,
        "revocation_endpoint_auth_signing_alg_values_supported": signing,
        // This server has no authorization endpoint and processes no request objects or
        // request URIs: say so, instead of leaving request_uri_parameter_supported at its
        // default of true (OIDC Discovery §3). docs/discovery.md goes member by member.
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "require_request_uri_registration": false,
    });
    // Everything the operator's capabilities add (docs/metadata-registry.md).
    if let Some(doc) = document.as_object_mut() {
        let endpoints = settings.capabilities.endpoints(issuer);
        apply_to_discovery(&settings.policy.capabilities, &endpoints, doc);
    }
    // A closed server does not invite registrations (issue 5: discovery stops advertising).
    if settings.access.mode == RegistrationMode::Closed {
        if let Some(doc) = document.as_object_mut() {
            doc.remove("registration_endpoint");
        }
    }
    document.to_string()
}
