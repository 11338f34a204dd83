//! Registration (RFC 7591 §3.1, OIDC DCR §3): a new client from vetted metadata, counted
//! under its policy, with an initial access token use taken, and, for idempotent
//! registration, the existing client given back instead of a second one.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::credentials::seal::Sealer;
use crate::credentials::{generate_access_token, AccessToken, ClientSecret, NewCredentials};
use crate::domain::metadata::ClientMetadata;
use crate::domain::settings::AdminSettings;
use crate::service::admission::{self, Admission};
use crate::service::client_info::{information, ClientInformation};
use crate::service::clients::{encode, ClientRecord, Clients};
use crate::service::error::ApiError;
use crate::service::state::AppState;
use crate::service::vetting::vet;
use crate::store::idempotency;
use crate::store::quota::{Full, Limits, Place};
use crate::store::StoreError;

/// RFC 7591 §3.2.1: 0 means the secret does not expire.
const SECRET_NEVER_EXPIRES: i64 = 0;
/// Draws of a new client ID before giving up (a taken ID needs 2^64 registrations).
const MAX_DRAWS: usize = 3;
/// Tries of an idempotent registration racing identical ones for the same client.
const IDEMPOTENT_ATTEMPTS: usize = 10;

/// A new client ready to store: its record bytes and the credentials to hand out once.
pub struct Prepared {
    pub record: ClientRecord,
    pub bytes: Vec<u8>,
    pub secret: Option<ClientSecret>,
    pub token: AccessToken,
}

/// Where a new self-registered client comes from: its policy place, and whether that
/// policy makes it first-party.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub place: Option<Place>,
    pub first_party: bool,
    pub software_key: Option<String>,
    /// Whether the client's first use is to be recorded (cleanup is on).
    pub track_use: bool,
}

/// Draws credentials and builds the stored record of a new client. Used by registration
/// and by tools that preload stores (benchmarks).
pub fn prepare(
    sealer: &Sealer,
    now: i64,
    metadata: &ClientMetadata,
    metadata_json: &RawValue,
    origin: Origin,
) -> Result<Prepared, ApiError> {
    let creds = NewCredentials::generate().map_err(internal)?;
    let secret = metadata.needs_secret().then_some(creds.client_secret);
    let record = ClientRecord {
        secret: secret
            .as_ref()
            .map(|s| sealer.seal(s.expose().as_bytes(), &creds.client_id))
            .transpose()
            .map_err(internal)?,
        rat: Some(creds.registration_access_token.hash()),
        issued_at: now,
        secret_expires_at: SECRET_NEVER_EXPIRES,
        manageable: true,
        metadata: metadata_json.to_owned(),
        admin: AdminSettings { is_first_party: origin.first_party, ..AdminSettings::default() },
        policy: origin.place,
        awaiting_first_use: origin.track_use,
        software_key: origin.software_key,
        client_id: creds.client_id,
    };
    let bytes = encode(&record)?;
    Ok(Prepared { record, bytes, secret, token: creds.registration_access_token })
}

/// RFC 7591 §3.1: registers a client and returns its information and credentials.
pub async fn register(
    state: &AppState,
    body: Map<String, Value>,
    admission: &Admission,
) -> Result<ClientInformation, ApiError> {
    let shared = &state.shared;
    let clients = Clients::new(state);
    let vetted = vet(state, body, admission.policy.as_deref()).await?;
    let policy_name = admission.policy.as_ref().map(|p| p.name.as_str());
    let software_key = shared.access.idempotent.as_ref().and_then(|_| {
        idempotency::key(vetted.statement.as_ref(), policy_name, vetted.metadata_json.get())
    });
    if let Some(key) = &software_key {
        if let Some(existing) = existing_registration(state, key).await? {
            return Ok(existing);
        }
    }
    // Only now, with a registration known to be valid, are a policy place and a token
    // use taken; each is given back if a later step fails.
    let place = take_place(state, admission).await?;
    if let Err(e) = admission::consume(state, admission).await {
        clients.give_back_place(place.as_ref()).await;
        return Err(e);
    }
    let first_party = admission.policy.as_ref().is_some_and(|p| p.first_party);
    let track_use = shared.cleanup_unused;
    let origin = Origin { place: place.clone(), first_party, software_key, track_use };
    let stored = store_new(state, &vetted.metadata, &vetted.metadata_json, origin).await;
    let outcome = match stored {
        Ok(New::Created(information)) => return Ok(information),
        // Another request registered the same software first: this one's client is gone
        // again, and the caller gets that one.
        Ok(New::Duplicate(key)) => existing_registration(state, &key).await.and_then(|existing| {
            existing.ok_or_else(|| {
                StoreError::Unavailable("a concurrent identical registration vanished".into())
                    .into()
            })
        }),
        Err(e) => Err(e),
    };
    admission::refund(state, admission).await;
    clients.give_back_place(place.as_ref()).await;
    outcome
}

enum New {
    Created(ClientInformation),
    /// Idempotent registration: the key was claimed by another client meanwhile.
    Duplicate(String),
}

/// The client already registered under `key`, with a new registration access token (only
/// the hash of the old one is kept, so it cannot be handed out again). `None` when the key
/// is stale: its client was deleted or has changed since.
async fn existing_registration(
    state: &AppState,
    key: &str,
) -> Result<Option<ClientInformation>, ApiError> {
    let Some(registrations) = &state.shared.access.idempotent else { return Ok(None) };
    let Some(client_id) = registrations.holder(key).await? else { return Ok(None) };
    let clients = Clients::new(state);
    // Identical registrations arriving together all rotate the same token: let them
    // take turns, and tell the last ones to retry rather than fail.
    for attempt in 0..IDEMPOTENT_ATTEMPTS {
        if attempt > 0 {
            let pause = rand::random_range(1..=5 * attempt as u64);
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
        let current = clients.get(&client_id).await?;
        let Some(mut stored) = current.filter(|s| s.record.software_key.as_deref() == Some(key))
        else {
            registrations.release(key, &client_id).await?;
            return Ok(None);
        };
        let token = generate_access_token().map_err(internal)?;
        stored.record.rat = Some(token.hash());
        stored.record.awaiting_first_use = false;
        let bytes = encode(&stored.record)?;
        if clients.write(&client_id, &stored.snapshot, &bytes).await? {
            let secret = clients.open_secret(&stored.record)?;
            return information(state, &stored.record, secret.as_ref(), &token)
                .map(Some)
                .map_err(ApiError::from);
        }
    }
    Err(StoreError::Unavailable("identical registrations kept racing for the same client".into())
        .into())
}

/// Counts the new client under its policy, unless the policy's limits are reached.
async fn take_place(state: &AppState, admission: &Admission) -> Result<Option<Place>, ApiError> {
    let Some(policy) = &admission.policy else { return Ok(None) };
    let place = Place { policy: policy.name.clone(), ip: admission.ip };
    let limits = Limits { total: policy.max_clients, per_ip: policy.max_clients_per_ip };
    match state.shared.access.quotas.take(&place, limits).await? {
        Ok(()) => Ok(Some(place)),
        Err(Full::Total(max)) => Err(ApiError::PolicyLimit(format!(
            "registration policy {}: its limit of {max} clients is reached; delete unused clients or ask the operator",
            policy.name
        ))),
        Err(Full::PerIp(max)) => Err(ApiError::PolicyLimit(format!(
            "registration policy {}: its limit of {max} clients per source address is reached; delete unused clients or ask the operator",
            policy.name
        ))),
    }
}

async fn store_new(
    state: &AppState,
    metadata: &ClientMetadata,
    metadata_json: &RawValue,
    origin: Origin,
) -> Result<New, ApiError> {
    let shared = &state.shared;
    let clients = Clients::new(state);
    for _ in 0..MAX_DRAWS {
        let new =
            prepare(&shared.sealer, shared.clock.now(), metadata, metadata_json, origin.clone())?;
        let client_id = &new.record.client_id;
        // A taken ID needs 2^64 registrations to be likely; draw again rather than fail.
        if !clients.create_bytes(&new.record, &new.bytes).await? {
            continue;
        }
        // The key is claimed only once the client exists, so whoever holds a key always
        // names a stored client.
        if let (Some(registrations), Some(key)) = (&shared.access.idempotent, &origin.software_key)
        {
            match registrations.claim(key, client_id).await {
                Ok(holder) if holder == *client_id => {}
                other => {
                    // Lost the race, or cannot tell: this client must not stay behind.
                    clients.discard(&new.record, &new.bytes).await?;
                    other?;
                    return Ok(New::Duplicate(key.clone()));
                }
            }
        }
        let information = information(state, &new.record, new.secret.as_ref(), &new.token)?;
        return Ok(New::Created(information));
    }
    Err(ApiError::Internal("could not allocate a unique client_id".into()))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}
