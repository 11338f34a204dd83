//! The client configuration endpoint (RFC 7592 §2): read, replace and delete a
//! registration, for the holder of its registration access token.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::credentials::{generate_access_token, generate_secret, AccessToken};
use crate::domain::policy::Policy;
use crate::service::client_info::{information, ClientInformation};
use crate::service::clients::{encode, ClientRecord, Clients, Stored};
use crate::service::error::ApiError;
use crate::service::state::AppState;
use crate::service::vetting::vet;

/// RFC 7591 §3.2.1: 0 means the secret does not expire.
const SECRET_NEVER_EXPIRES: i64 = 0;

/// RFC 7592 §2.1: the current registration, to the holder of its access token.
pub async fn read(
    state: &AppState,
    client_id: &str,
    token: &AccessToken,
) -> Result<ClientInformation, ApiError> {
    let clients = Clients::new(state);
    let mut stored = authenticate(clients.get(client_id).await?, token)?;
    if stored.record.awaiting_first_use {
        // Records a client's first use, once: later reads stay read-only. Losing the race
        // to a concurrent write is fine; that write marks the use itself or the next read
        // will.
        stored.record.awaiting_first_use = false;
        let bytes = encode(&stored.record)?;
        clients.write(client_id, &stored.snapshot, &bytes).await?;
    }
    let secret = clients.open_secret(&stored.record)?;
    Ok(information(state, &stored.record, secret.as_ref(), token)?)
}

/// RFC 7592 §2.2: replaces the registration with the body's metadata. Nothing changes
/// unless everything validates.
pub async fn replace(
    state: &AppState,
    client_id: &str,
    token: &AccessToken,
    body: Result<Map<String, Value>, ApiError>,
) -> Result<ClientInformation, ApiError> {
    let clients = Clients::new(state);
    // Authenticate before looking at the body (even at whether it parsed): strangers
    // learn nothing, not even whether their request would pass.
    let current = authenticate(clients.get(client_id).await?, token)?;
    let body = body?;
    check_update_body(client_id, &body)?;
    let sent_secret = body.get("client_secret").filter(|v| !v.is_null()).cloned();
    // The statement and policy rules of registration hold for updates too (RFC 7591 §2.3).
    let policy = policy_of(state, &current.record)?;
    let vetted = vet(state, body, policy.as_deref()).await?;
    let new_token = if state.shared.rotate_registration_access_token {
        generate_access_token().map_err(internal)?
    } else {
        token.clone()
    };
    let (record, (secret, dropped_key)) = clients
        .modify(
            "update",
            current,
            |read| authenticate(read, token),
            |current: ClientRecord| {
                let same_metadata = current.metadata.get() == vetted.metadata_json.get();
                let dropped_key = current.software_key.clone().filter(|_| !same_metadata);
                let current_secret = clients.open_secret(&current)?;
                if let Some(sent) = &sent_secret {
                    let matches = match (sent.as_str(), &current_secret) {
                        (Some(sent), Some(secret)) => secret.matches(sent),
                        _ => false,
                    };
                    if !matches {
                        return Err(ApiError::InvalidRequest(
                            "client_secret: does not match the current secret; clients cannot choose their secret".into(),
                        ));
                    }
                }
                // Keep the secret while one is needed; issue one when newly needed.
                let (secret, kept) = match (vetted.metadata.needs_secret(), current_secret) {
                    (true, Some(secret)) => (Some(secret), true),
                    (true, None) => (Some(generate_secret().map_err(internal)?), false),
                    (false, _) => (None, false),
                };
                // A kept secret keeps its sealed form (no new nonce, no encryption) unless
                // an earlier key sealed it: then the update moves it to the current key.
                let sealed = match current.secret {
                    Some(sealed) if kept && state.shared.sealer.is_current(&sealed) => {
                        Some(sealed)
                    }
                    _ => clients.seal_secret(secret.as_ref(), client_id)?,
                };
                let record = ClientRecord {
                    client_id: current.client_id,
                    rat: Some(new_token.hash()),
                    secret: sealed,
                    issued_at: current.issued_at,
                    secret_expires_at: SECRET_NEVER_EXPIRES,
                    manageable: current.manageable,
                    metadata: vetted.metadata_json.clone(),
                    admin: current.admin,
                    policy: current.policy,
                    awaiting_first_use: false,
                    software_key: current.software_key.filter(|_| same_metadata),
                };
                Ok((record, (secret, dropped_key)))
            },
        )
        .await?;
    clients.forget_software_key(client_id, dropped_key.as_deref()).await;
    Ok(information(state, &record, secret.as_ref(), &new_token)?.with_stored_name(&record))
}

/// RFC 7592 §2.3: deletes the client; its token dies with it.
pub async fn delete(
    state: &AppState,
    client_id: &str,
    token: &AccessToken,
) -> Result<(), ApiError> {
    Clients::new(state).remove(client_id, |read| authenticate(read, token)).await.map(drop)
}

/// The client the token belongs to. Every failure is the same `InvalidToken` (RFC 7592
/// §2.1: no 404, nothing to enumerate).
fn authenticate(read: Option<Stored>, token: &AccessToken) -> Result<Stored, ApiError> {
    let Some(stored) = read else {
        // Spend the record parse and hash an existing client would cost, so timing does
        // not tell.
        super::decoy::check_against_nothing(token);
        return Err(ApiError::InvalidToken);
    };
    if !stored.record.rat.as_ref().is_some_and(|rat| rat.verify(token)) {
        return Err(ApiError::InvalidToken);
    }
    if !stored.record.manageable {
        return Err(ApiError::Forbidden("this client may not manage its own registration"));
    }
    Ok(stored)
}

/// The policy a client was registered under, which its updates follow too. A policy
/// removed from the configuration since refuses updates rather than lifting its rules.
fn policy_of(state: &AppState, record: &ClientRecord) -> Result<Option<Arc<Policy>>, ApiError> {
    let Some(place) = &record.policy else { return Ok(None) };
    match state.shared.access.policies.get(&place.policy) {
        Some(policy) => Ok(Some(policy.clone())),
        None => Err(ApiError::Forbidden(
            "the registration policy this client was registered under is no longer configured; ask the operator",
        )),
    }
}

/// RFC 7592 §2.2: the body names the client it updates, and never carries the fields
/// only the server sets.
fn check_update_body(client_id: &str, body: &Map<String, Value>) -> Result<(), ApiError> {
    match body.get("client_id") {
        Some(Value::String(id)) if id == client_id => {}
        Some(_) => {
            return Err(ApiError::InvalidRequest(
                "client_id: does not match the client being updated".into(),
            ))
        }
        None => return Err(ApiError::InvalidRequest("client_id: required in an update".into())),
    }
    const SERVER_OWNED: [&str; 4] = [
        "registration_access_token",
        "registration_client_uri",
        "client_secret_expires_at",
        "client_id_issued_at",
    ];
    if let Some(field) = SERVER_OWNED.iter().find(|f| body.contains_key(**f)) {
        return Err(ApiError::InvalidRequest(format!("{field}: must not be sent in an update")));
    }
    Ok(())
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}
