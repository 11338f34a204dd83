//! What a registration (RFC 7591 §3.1) and an update (RFC 7592 §2.2) both do to a body
//! before anything is stored: verify its software statement, parse the metadata, hold it to
//! the client's policy, and check the documents it points at.

use std::time::{Duration, SystemTime};

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::domain::metadata::ClientMetadata;
use crate::domain::policy::Policy;
use crate::domain::software_statement::{apply_statement, verify_body_statement};
use crate::infra::fetch::{check_jwks_uri, check_sector_identifier};
use crate::service::client_info::to_raw;
use crate::service::error::ApiError;
use crate::service::state::AppState;

/// A body that passed every check, with the metadata JSON to store and return.
pub struct Vetted {
    pub metadata: ClientMetadata,
    pub metadata_json: Box<RawValue>,
    /// The verified software statement's claims, if one was sent.
    pub statement: Option<Map<String, Value>>,
}

/// Checks `body` as registration metadata under `policy`.
pub async fn vet(
    state: &AppState,
    mut body: Map<String, Value>,
    policy: Option<&Policy>,
) -> Result<Vetted, ApiError> {
    let statement = verify_statement(state, &mut body)?;
    let metadata = ClientMetadata::parse(&body, &state.shared.policy)?;
    if let Some(policy) = policy {
        policy.check(&metadata)?;
    }
    check_documents(state, &metadata).await?;
    let metadata_json = to_raw(&registered_json(&metadata, &body, statement.is_some()))?;
    Ok(Vetted { metadata, metadata_json, statement })
}

/// RFC 7591 §2.3: a verified statement's claims win over the body's members. Returns the
/// statement's claims, if one was sent.
fn verify_statement(
    state: &AppState,
    body: &mut Map<String, Value>,
) -> Result<Option<Map<String, Value>>, ApiError> {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(state.shared.clock.now().max(0) as u64);
    let statement = verify_body_statement(body, &state.shared.access.statements, now)?;
    if let Some(claims) = &statement {
        apply_statement(body, claims);
    }
    Ok(statement)
}

/// The metadata as stored and returned: RFC 7591 §3.2.1 returns a verified statement as
/// it was sent.
fn registered_json(
    metadata: &ClientMetadata,
    body: &Map<String, Value>,
    has_statement: bool,
) -> Map<String, Value> {
    let mut registered = metadata.to_json();
    if let Some(Value::String(jwt)) = body.get("software_statement").filter(|_| has_statement) {
        registered.insert("software_statement".into(), jwt.clone().into());
    }
    registered
}

/// The documents a registration points at, fetched through the SSRF-guarded fetcher: the
/// client's `jwks_uri` (with `--verify-jwks-uri`), and the sector_identifier_uri, which must
/// list every redirect URI (OIDC DCR §5).
async fn check_documents(state: &AppState, metadata: &ClientMetadata) -> Result<(), ApiError> {
    if state.shared.access.verify_jwks_uri {
        check_jwks_uri(&state.shared.access.fetcher, metadata).await?;
    }
    let Some(sector) = &metadata.sector_identifier_uri else { return Ok(()) };
    let redirects: Vec<&str> = metadata.redirect_uris.iter().map(|u| u.as_str()).collect();
    check_sector_identifier(&state.shared.access.fetcher, sector.as_str(), &redirects).await?;
    Ok(())
}
