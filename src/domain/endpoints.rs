//! Paths of Registrar's own endpoints. The URIs it hands out are built from them
//! (`registration_client_uri`, RFC 7592 §3), so they live below every layer that does.

/// Where clients register (RFC 7591 §3); their configuration URIs sit below it.
pub const REGISTRATION_PATH: &str = "/oidc/register";
/// The server's public keys.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
/// The token endpoint: the client credentials grant (RFC 6749 §4.4).
pub const TOKEN_PATH: &str = "/oauth/token";
/// Token introspection (RFC 7662).
pub const INTROSPECTION_PATH: &str = "/oauth/introspect";
/// Token revocation (RFC 7009).
pub const REVOCATION_PATH: &str = "/oauth/revoke";
