//! `sector_identifier_uri` (OIDC DCR §5): the file the client hosts to vouch that all its
//! redirect URIs belong to one sector, which pairwise subject identifiers are derived from.

use std::collections::HashSet;

use serde_json::Value;

use super::{FetchError, Fetcher};
use crate::domain::MetadataError;

const FIELD: &str = "sector_identifier_uri";

/// Fetches `uri` and checks that it is a JSON array of strings listing every one of
/// `redirect_uris`. Comparison is exact, code point by code point with no normalization
/// (OIDC DCR §6), the same rule the authorization endpoint applies.
///
/// Whether `uri` must be https is the fetcher's policy (always, outside tests).
pub async fn check_sector_identifier(
    fetcher: &Fetcher,
    uri: &str,
    redirect_uris: &[&str],
) -> Result<(), MetadataError> {
    let body = fetcher.get_json(uri).await.map_err(|err| match err {
        FetchError::NotHttps => MetadataError::field(FIELD, "must be an https URL"),
        FetchError::BadUrl => MetadataError::field(FIELD, "is not a valid URL"),
        other => MetadataError::field(FIELD, format_args!("fetch refused: {other}")),
    })?;
    let listed = listed_uris(&body)?;
    match redirect_uris.iter().position(|uri| !listed.contains(uri)) {
        None => Ok(()),
        // The index, not the value: the client knows its own URIs, and the message stays
        // ASCII whatever the URI holds.
        Some(index) => Err(MetadataError::field(
            FIELD,
            format_args!("the document does not list redirect_uris[{index}]"),
        )),
    }
}

fn listed_uris(body: &Value) -> Result<HashSet<&str>, MetadataError> {
    let Value::Array(items) = body else {
        return Err(MetadataError::field(FIELD, "the document is not a JSON array of URIs"));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_str().ok_or_else(|| {
                MetadataError::field(FIELD, format_args!("element {index} is not a string"))
            })
        })
        .collect()
}
