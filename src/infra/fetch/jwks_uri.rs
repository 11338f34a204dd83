//! `jwks_uri` (RFC 7591 §2), checked at registration when `--verify-jwks-uri` is set: the
//! document must be a public JWK Set with a key for each job the client's metadata gives
//! its keys. Off by default: no spec requires it, and the authorization server fetches
//! the set again when it verifies a signature anyway.

use super::{FetchError, Fetcher};
use crate::domain::jwks::PublicJwkSet;
use crate::domain::metadata::ClientMetadata;
use crate::domain::MetadataError;

const FIELD: &str = "jwks_uri";

/// Fetches the client's `jwks_uri`, if it has one and needs keys, and checks it.
pub async fn check_jwks_uri(
    fetcher: &Fetcher,
    metadata: &ClientMetadata,
) -> Result<(), MetadataError> {
    let Some(uri) = &metadata.jwks_uri else { return Ok(()) };
    let (sign, encrypt) = (metadata.verifies_client_signatures(), metadata.encrypts_to_client());
    if !sign && !encrypt {
        return Ok(());
    }
    let body = fetcher.get_json(uri.as_str()).await.map_err(|err| match err {
        FetchError::NotHttps => MetadataError::field(FIELD, "must be an https URL"),
        other => MetadataError::field(FIELD, format_args!("fetch refused: {other}")),
    })?;
    let set = PublicJwkSet::parse(&body).map_err(|e| {
        MetadataError::field(FIELD, format_args!("the document is not a public JWK Set: {e}"))
    })?;
    if sign && !set.has_signing_key() {
        return Err(MetadataError::field(
            FIELD,
            "the key set has no key that can verify the client's signatures",
        ));
    }
    if encrypt && !set.has_encryption_key() {
        return Err(MetadataError::field(FIELD, "the key set has no key to encrypt responses to"));
    }
    Ok(())
}
