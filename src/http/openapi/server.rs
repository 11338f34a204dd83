//! Discovery, the server's keys and health.

use super::*;

// ---------------------------------------------------------------------------------------
// Discovery, keys, health.

/// OpenID Connect Discovery 1.0 §3 / RFC 8414 metadata. The `*_supported` lists are the
/// vocabularies registration accepts.
#[derive(ToSchema)]
pub struct DiscoveryDocument {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub registration_endpoint: String,
    pub scopes_supported: Vec<String>,
    pub response_types_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub subject_types_supported: Vec<String>,
    pub id_token_signing_alg_values_supported: Vec<String>,
    pub id_token_encryption_alg_values_supported: Vec<String>,
    pub id_token_encryption_enc_values_supported: Vec<String>,
    pub userinfo_signing_alg_values_supported: Vec<String>,
    pub userinfo_encryption_alg_values_supported: Vec<String>,
    pub userinfo_encryption_enc_values_supported: Vec<String>,
    pub request_object_signing_alg_values_supported: Vec<String>,
    pub request_object_encryption_alg_values_supported: Vec<String>,
    pub request_object_encryption_enc_values_supported: Vec<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub token_endpoint_auth_signing_alg_values_supported: Vec<String>,
    pub claims_parameter_supported: bool,
    pub request_parameter_supported: bool,
    pub request_uri_parameter_supported: bool,
    pub require_request_uri_registration: bool,
}

/// The server's public signing keys (RFC 7517 JWK Set).
#[derive(ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// A public signing key (RFC 7517, RFC 7518 §6, RFC 8037): RSA (`n`, `e`) for RS256,
/// EC P-256 (`crv`, `x`, `y`) for ES256, or OKP Ed25519 (`crv`, `x`) for EdDSA.
#[derive(ToSchema)]
pub struct Jwk {
    /// `RSA`, `EC` or `OKP`.
    pub kty: String,
    pub kid: String,
    /// `RS256`, `ES256` or `EdDSA`.
    pub alg: String,
    #[schema(rename = "use")]
    pub key_use: String,
    /// RSA modulus.
    pub n: Option<String>,
    /// RSA exponent.
    pub e: Option<String>,
    /// Curve of an EC or OKP key: `P-256` or `Ed25519`.
    pub crv: Option<String>,
    /// Public point x (EC) or the public key (OKP).
    pub x: Option<String>,
    /// Public point y (EC).
    pub y: Option<String>,
}

/// `{"status": "ok"}` (liveness) or `{"status": "ready"}` (readiness).
#[derive(ToSchema)]
pub struct HealthStatus {
    pub status: String,
}
