//! The client registration domain: wire metadata in, verified types out. Nothing here
//! knows about HTTP, Redis or any other I/O, and nothing here imports another layer.

/// JWS and JWE algorithm choices read from metadata members.
pub mod algs;
/// The client's address, through trusted proxies only.
pub mod client_ip;
/// Management API bodies (create and update) checked and split into the two client views.
pub mod client_patch;
/// Paths of Registrar's own endpoints.
pub mod endpoints;
/// Typed reads of JSON members, naming the member on failure.
pub mod fields;
/// Client JWK Sets (RFC 7591 §2 `jwks`).
pub mod jwks;
/// BCP 47 language tags for localized members (RFC 7591 §2.2).
pub mod lang;
/// Members with `#language-tag` variants (RFC 7591 §2.2).
pub mod localized;
/// Registry members beyond the core: logout, PAR, DPoP, mTLS, JAR, JARM, RAR, CIBA, JWT
/// introspection; the registry table; operator capabilities.
pub mod members;
/// Registration metadata: parse and verify (RFC 7591 §2, OIDC DCR §2).
pub mod metadata;
/// Registration modes and the named registration policies of `--policies`.
pub mod policy;
/// Resource servers (APIs) and client grants of the token endpoint.
pub mod resource_server;
/// The Auth0-style client settings a registration maps to.
pub mod settings;
/// Software statements (RFC 7591 §2.3): signed client metadata from a trusted issuer.
pub mod software_statement;
/// URI rules: redirect URIs, https-only and display URIs.
pub mod uri;
/// Auth0 URL settings (callbacks, logout URLs, origins): the one validation and matching rule.
pub mod url_rules;
/// Spec vocabularies as enums, with their defaults.
pub mod vocab;

/// Why client metadata was refused; each variant is one RFC 7591 §3.2.2 error code.
/// The message names the offending field and is ASCII only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// `invalid_redirect_uri`: one or more redirect URIs are invalid.
    #[error("{0}")]
    InvalidRedirectUri(String),
    /// `invalid_client_metadata`: any other field is invalid.
    #[error("{0}")]
    InvalidClientMetadata(String),
    /// `invalid_software_statement`: the statement is malformed or fails verification.
    #[error("{0}")]
    InvalidSoftwareStatement(String),
    /// `unapproved_software_statement`: the statement is not approved for use here.
    #[error("{0}")]
    UnapprovedSoftwareStatement(String),
}

impl MetadataError {
    pub(crate) fn field(field: &str, problem: impl std::fmt::Display) -> Self {
        MetadataError::InvalidClientMetadata(format!("{field}: {problem}"))
    }

    pub(crate) fn redirect(field: &str, problem: impl std::fmt::Display) -> Self {
        MetadataError::InvalidRedirectUri(format!("{field}: {problem}"))
    }
}
