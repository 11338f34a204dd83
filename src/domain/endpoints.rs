//! Paths of Registrar's own endpoints. The URIs it hands out are built from them
//! (`registration_client_uri`, RFC 7592 §3), so they live below every layer that does.

/// Where clients register (RFC 7591 §3); their configuration URIs sit below it.
pub const REGISTRATION_PATH: &str = "/oidc/register";
/// The server's public keys.
pub const JWKS_PATH: &str = "/.well-known/jwks.json";
