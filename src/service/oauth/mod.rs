//! Registrar as an OAuth 2.0 authorization server for the flows that need no end user:
//! client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523, OIDC Core §9),
//! the client credentials grant (RFC 6749 §4.4) with Auth0's `audience` or RFC 8707's
//! `resource`, RFC 9068 JWT access tokens, introspection (RFC 7662) and revocation
//! (RFC 7009). HTTP lives in `crate::routes::token`; records in `crate::store`.

use std::sync::Arc;

use crate::credentials::seal::Sealer;
use crate::store::apis::ApiStore;
use crate::store::oauth_tokens::TokenFacts;
use crate::store::rate::Limit;

/// RFC 9068 access tokens: minting and verification.
pub mod access_token;
/// Client assertions (RFC 7523 §3): signature, claims, one use.
pub mod assertion;
/// Who the client is: the four authentication methods.
pub mod client_auth;
/// The client credentials grant: API, grant and scope checks.
pub mod client_credentials;
mod error;
/// The request body: each parameter once.
pub mod form;
/// RFC 7662 and RFC 7009: who may learn about or revoke which token.
pub mod introspection;
/// Clients' `jwks_uri` key sets, fetched through the guarded fetcher and cached.
pub mod jwks_cache;
/// Resource servers and client grants in the management API.
pub mod management;

pub use error::OAuthError;

use crate::domain::endpoints::{INTROSPECTION_PATH, REVOCATION_PATH, TOKEN_PATH};

/// What the OAuth endpoints share, built once at startup.
pub struct OAuth {
    pub facts: TokenFacts,
    pub apis: ApiStore,
    pub jwks: jwks_cache::JwksCache,
    /// Audiences a client assertion may name: the issuer and the endpoints' URLs.
    pub assertion_audiences: Vec<String>,
    /// `--token-rate-limit-per-client`.
    pub per_client: Option<Limit>,
    /// A sealed secret nobody has, opened when the client is unknown so that an unknown
    /// client and a wrong secret cost the same.
    decoy: String,
}

impl OAuth {
    pub fn new(
        facts: TokenFacts,
        apis: ApiStore,
        sealer: &Sealer,
        issuer: &str,
        token_endpoint: Option<&str>,
        per_client: Option<Limit>,
    ) -> Result<Arc<OAuth>, String> {
        let decoy = crate::credentials::generate_secret().map_err(|e| e.to_string())?;
        let decoy = sealer.seal(decoy.expose().as_bytes(), "decoy").map_err(|e| e.to_string())?;
        let mut assertion_audiences = vec![
            issuer.to_owned(),
            format!("{issuer}/"),
            format!("{issuer}{TOKEN_PATH}"),
            format!("{issuer}{INTROSPECTION_PATH}"),
            format!("{issuer}{REVOCATION_PATH}"),
        ];
        assertion_audiences.extend(token_endpoint.map(str::to_owned));
        Ok(Arc::new(OAuth {
            facts,
            apis,
            jwks: jwks_cache::JwksCache::default(),
            assertion_audiences,
            per_client,
            decoy,
        }))
    }
}
