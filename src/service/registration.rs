//! The registration life cycle (RFC 7591 §3, RFC 7592 §2): register, read, replace and
//! delete, over verified metadata and the store. HTTP shapes live in `routes`.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::credentials::seal::Sealer;
use crate::credentials::{
    generate_access_token, generate_secret, AccessToken, ClientSecret, NewCredentials, TokenHash,
};
use crate::domain::metadata::ClientMetadata;
use crate::domain::policy::Policy;
use crate::domain::settings::AdminSettings;
use crate::domain::software_statement::{apply_statement, verify_body_statement};
use crate::infra::fetch::{check_jwks_uri, check_sector_identifier};
use crate::service::admission::{self, Admission};
use crate::service::error::ApiError;
use crate::service::state::AppState;
use crate::store::idempotency;
use crate::store::quota::{Full, Limits, Place};
use crate::store::{ClientStore, Snapshot, StoreError};

/// RFC 7591 §3.2.1: 0 means the secret does not expire.
const SECRET_NEVER_EXPIRES: i64 = 0;
/// A lost compare-and-set means another request changed the client at the same moment;
/// a few tries settle it.
const MAX_ATTEMPTS: usize = 3;
/// Tries of an idempotent registration racing identical ones for the same client.
const IDEMPOTENT_ATTEMPTS: usize = 10;

/// One client as stored: credentials only as hash or sealed, the registered metadata as
/// the JSON the client gets back (written once, never re-derived), and the settings only
/// an administrator sets (the rest of the settings view derives from the metadata).
#[derive(Serialize, Deserialize)]
pub struct ClientRecord {
    pub client_id: String,
    /// Hash of the registration access token; clients created through the management
    /// API have none, so RFC 7592 cannot reach them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rat: Option<TokenHash>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub issued_at: i64,
    pub secret_expires_at: i64,
    /// RFC 7592 §2: an administrator may withdraw a client's right to manage itself.
    #[serde(default = "yes")]
    pub manageable: bool,
    pub metadata: Box<RawValue>,
    #[serde(default, skip_serializing_if = "AdminSettings::is_default")]
    pub admin: AdminSettings,
    /// The registration policy and source address it was registered under: the policy
    /// applies again on RFC 7592 updates, and the client's place in the policy's count
    /// is given back when it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Place>,
    /// Registered while `--cleanup-unused-after` is on, and not used since: never read or
    /// updated with its registration access token, never registered again idempotently,
    /// never changed by an administrator. Only such clients are ever removed as unused,
    /// and only they cost a write on their first read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub awaiting_first_use: bool,
    /// Idempotent registration: the key this client answers to while its metadata is the
    /// one registered (`crate::store::idempotency`); any change of the metadata drops it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_key: Option<String>,
}

fn yes() -> bool {
    true
}

/// The RFC 7591 §3.2.1 / RFC 7592 §3 client information response, as JSON bytes, with
/// what the audit log records about it.
pub struct ClientInformation {
    pub body: Vec<u8>,
    pub client_id: String,
}

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
    let bytes = serde_json::to_vec(&record).map_err(internal)?;
    Ok(Prepared { record, bytes, secret, token: creds.registration_access_token })
}

/// RFC 7591 §3.1: registers a client and returns its information and credentials.
pub async fn register(
    state: &AppState,
    mut body: Map<String, Value>,
    admission: &Admission,
) -> Result<ClientInformation, ApiError> {
    let shared = &state.shared;
    let statement = verify_statement(state, &mut body)?;
    let metadata = ClientMetadata::parse(&body, &shared.policy)?;
    if let Some(policy) = &admission.policy {
        policy.check(&metadata)?;
    }
    check_documents(state, &metadata).await?;
    let metadata_json = to_raw(&registered_json(&metadata, &body, statement.is_some()))?;
    let policy_name = admission.policy.as_ref().map(|p| p.name.as_str());
    let software_key = shared
        .access
        .idempotent
        .as_ref()
        .and_then(|_| idempotency::key(statement.as_ref(), policy_name, metadata_json.get()));
    if let Some(key) = &software_key {
        if let Some(existing) = existing_registration(state, key).await? {
            return Ok(existing);
        }
    }
    // Only now, with a registration known to be valid, are a policy place and a token
    // use taken; each is given back if a later step fails.
    let place = take_place(state, admission).await?;
    if let Err(e) = admission::consume(state, admission).await {
        give_back(state, place.as_ref()).await;
        return Err(e);
    }
    let first_party = admission.policy.as_ref().is_some_and(|p| p.first_party);
    let track_use = shared.cleanup_unused;
    let origin = Origin { place: place.clone(), first_party, software_key, track_use };
    let stored = store_new(state, &metadata, &metadata_json, origin).await;
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
    give_back(state, place.as_ref()).await;
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
    // Identical registrations arriving together all rotate the same token: let them
    // take turns, and tell the last ones to retry rather than fail.
    for attempt in 0..IDEMPOTENT_ATTEMPTS {
        if attempt > 0 {
            let pause = rand::random_range(1..=5 * attempt as u64);
            tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
        }
        let Some(snapshot) = state.store.get(&client_id).await? else {
            registrations.release(key, &client_id).await?;
            return Ok(None);
        };
        let mut record: ClientRecord = serde_json::from_slice(&snapshot).map_err(internal)?;
        if record.software_key.as_deref() != Some(key) {
            registrations.release(key, &client_id).await?;
            return Ok(None);
        }
        let token = generate_access_token().map_err(internal)?;
        record.rat = Some(token.hash());
        record.awaiting_first_use = false;
        let bytes = serde_json::to_vec(&record).map_err(internal)?;
        if state.store.replace(&client_id, &snapshot, &bytes).await? {
            let secret = open(state, &record)?;
            return information(state, &record, secret.as_ref(), &token).map(Some);
        }
    }
    Err(StoreError::Unavailable("identical registrations kept racing for the same client".into())
        .into())
}

/// Forgets a client's idempotency key: it was deleted, or its metadata changed.
pub(crate) async fn forget_software_key(state: &AppState, client_id: &str, key: Option<&str>) {
    let (Some(registrations), Some(key)) = (&state.shared.access.idempotent, key) else {
        return;
    };
    if let Err(e) = registrations.release(key, client_id).await {
        tracing::warn!(error = %e, "could not release an idempotent registration key");
    }
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

/// Gives a policy place back after its client is deleted or could not be stored. A lost
/// give-back (Redis away) leaves the count one too high, which errs on the safe side.
pub(crate) async fn give_back(state: &AppState, place: Option<&Place>) {
    let Some(place) = place else { return };
    if let Err(e) = state.shared.access.quotas.give_back(place).await {
        tracing::warn!(error = %e, policy = %place.policy, "could not give back a policy place");
    }
}

async fn store_new(
    state: &AppState,
    metadata: &ClientMetadata,
    metadata_json: &RawValue,
    origin: Origin,
) -> Result<New, ApiError> {
    let shared = &state.shared;
    for _ in 0..MAX_ATTEMPTS {
        let new =
            prepare(&shared.sealer, shared.clock.now(), metadata, metadata_json, origin.clone())?;
        let client_id = &new.record.client_id;
        // A taken ID needs 2^64 registrations to be likely; draw again rather than fail.
        if !state.store.create(client_id, new.record.issued_at, &new.bytes).await? {
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
                    state.store.delete(client_id, &new.bytes).await?;
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

/// RFC 7592 §2.1: the current registration, to the holder of its access token.
pub async fn read(
    state: &AppState,
    client_id: &str,
    token: &AccessToken,
) -> Result<ClientInformation, ApiError> {
    let (mut record, snapshot) = authenticate(state, client_id, token).await?;
    if record.awaiting_first_use {
        record = mark_used(state, record, &snapshot).await?;
    }
    let secret = open(state, &record)?;
    information(state, &record, secret.as_ref(), token)
}

/// Records a client's first use, once: later reads stay read-only. Losing the race to a
/// concurrent write is fine; that write marks the use itself or the next read will.
async fn mark_used(
    state: &AppState,
    mut record: ClientRecord,
    snapshot: &[u8],
) -> Result<ClientRecord, ApiError> {
    record.awaiting_first_use = false;
    let bytes = serde_json::to_vec(&record).map_err(internal)?;
    state.store.replace(&record.client_id, snapshot, &bytes).await?;
    Ok(record)
}

/// RFC 7592 §2.2: replaces the registration with the body's metadata. Nothing changes
/// unless everything validates.
pub async fn replace(
    state: &AppState,
    client_id: &str,
    token: &AccessToken,
    body: Result<Map<String, Value>, ApiError>,
) -> Result<ClientInformation, ApiError> {
    // Authenticate before looking at the body (even at whether it parsed): strangers
    // learn nothing, not even whether their request would pass.
    let mut attempt = authenticate(state, client_id, token).await?;
    let mut body = body?;
    check_update_body(client_id, &body)?;
    // The statement rules of registration hold for updates too (RFC 7591 §2.3).
    let statement = verify_statement(state, &mut body)?;
    let metadata = ClientMetadata::parse(&body, &state.shared.policy)?;
    if let Some(policy) = policy_of(state, &attempt.0)? {
        policy.check(&metadata)?;
    }
    check_documents(state, &metadata).await?;
    let metadata_json = to_raw(&registered_json(&metadata, &body, statement.is_some()))?;
    let body = &body;
    for _ in 0..MAX_ATTEMPTS {
        let (current, snapshot) = attempt;
        let same_metadata = current.metadata.get() == metadata_json.get();
        let dropped_key = current.software_key.clone().filter(|_| !same_metadata);
        let current_secret = open(state, &current)?;
        if let Some(sent) = body.get("client_secret").filter(|v| !v.is_null()) {
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
        let (secret, kept) = match (metadata.needs_secret(), current_secret) {
            (true, Some(secret)) => (Some(secret), true),
            (true, None) => (Some(generate_secret().map_err(internal)?), false),
            (false, _) => (None, false),
        };
        // A kept secret keeps its sealed form (no new nonce, no encryption) unless an
        // earlier key sealed it: then the update moves it to the current key.
        let sealed = match current.secret {
            Some(sealed) if kept && state.shared.sealer.is_current(&sealed) => Some(sealed),
            _ => seal(state, secret.as_ref(), client_id)?,
        };
        let new_token = if state.shared.rotate_registration_access_token {
            generate_access_token().map_err(internal)?
        } else {
            token.clone()
        };
        let record = ClientRecord {
            client_id: current.client_id,
            rat: Some(new_token.hash()),
            secret: sealed,
            issued_at: current.issued_at,
            secret_expires_at: SECRET_NEVER_EXPIRES,
            manageable: current.manageable,
            metadata: metadata_json.clone(),
            admin: current.admin,
            policy: current.policy,
            awaiting_first_use: false,
            software_key: current.software_key.clone().filter(|_| same_metadata),
        };
        let bytes = serde_json::to_vec(&record).map_err(internal)?;
        // An update that changes nothing has nothing to write: it takes effect as of the
        // read, like a read. Clients that PUT their unchanged metadata skip a round trip.
        let unchanged = bytes == snapshot;
        if unchanged || state.store.replace(client_id, &snapshot, &bytes).await? {
            forget_software_key(state, client_id, dropped_key.as_deref()).await;
            return information(state, &record, secret.as_ref(), &new_token);
        }
        attempt = authenticate(state, client_id, token).await?;
    }
    Err(ApiError::Internal("client kept changing during update".into()))
}

/// RFC 7592 §2.3: deletes the client; its token dies with it.
pub async fn delete(
    state: &AppState,
    client_id: &str,
    token: &AccessToken,
) -> Result<(), ApiError> {
    for _ in 0..MAX_ATTEMPTS {
        let (record, snapshot) = authenticate(state, client_id, token).await?;
        if state.store.delete(client_id, &snapshot).await? {
            give_back(state, record.policy.as_ref()).await;
            forget_software_key(state, client_id, record.software_key.as_deref()).await;
            return Ok(());
        }
    }
    Err(ApiError::Internal("client kept changing during delete".into()))
}

/// The client the token belongs to, with the bytes read (for compare-and-set). Every
/// failure is the same `InvalidToken` (RFC 7592 §2.1: no 404, nothing to enumerate).
async fn authenticate(
    state: &AppState,
    client_id: &str,
    token: &AccessToken,
) -> Result<(ClientRecord, Snapshot), ApiError> {
    let Some(snapshot) = state.store.get(client_id).await? else {
        // Spend the hash an existing client would cost, so timing does not tell.
        let _ = token.hash();
        return Err(ApiError::InvalidToken);
    };
    let record: ClientRecord = serde_json::from_slice(&snapshot).map_err(internal)?;
    if !record.rat.as_ref().is_some_and(|rat| rat.verify(token)) {
        return Err(ApiError::InvalidToken);
    }
    if !record.manageable {
        return Err(ApiError::Forbidden("this client may not manage its own registration"));
    }
    Ok((record, snapshot))
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

pub(crate) fn seal(
    state: &AppState,
    secret: Option<&ClientSecret>,
    client_id: &str,
) -> Result<Option<String>, ApiError> {
    secret
        .map(|s| state.shared.sealer.seal(s.expose().as_bytes(), client_id))
        .transpose()
        .map_err(internal)
}

pub(crate) fn open(
    state: &AppState,
    record: &ClientRecord,
) -> Result<Option<ClientSecret>, ApiError> {
    let Some(sealed) = &record.secret else { return Ok(None) };
    let plain = state.shared.sealer.open(sealed, &record.client_id).map_err(internal)?;
    let plain = String::from_utf8(plain).map_err(internal)?;
    Ok(Some(ClientSecret::from_plaintext(plain)))
}

#[derive(Serialize)]
struct Credentials<'a> {
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    client_id_issued_at: i64,
    /// RFC 7591 §3.2.1: required whenever a secret is issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret_expires_at: Option<i64>,
    registration_access_token: &'a str,
    registration_client_uri: &'a str,
}

/// Credentials first, then the stored metadata object spliced in as is: the metadata JSON
/// is written once at registration and never parsed again on reads.
fn information(
    state: &AppState,
    record: &ClientRecord,
    secret: Option<&ClientSecret>,
    token: &AccessToken,
) -> Result<ClientInformation, ApiError> {
    let uri = state.shared.registration_client_uri(&record.client_id);
    let creds = Credentials {
        client_id: &record.client_id,
        client_secret: secret.map(ClientSecret::expose),
        client_id_issued_at: record.issued_at,
        client_secret_expires_at: secret.map(|_| record.secret_expires_at),
        registration_access_token: token.expose(),
        registration_client_uri: &uri,
    };
    let metadata = record.metadata.get();
    // Sized for the whole response up front: growing it step by step showed in callgrind.
    let mut out = Vec::with_capacity(metadata.len() + 512);
    serde_json::to_writer(&mut out, &creds).map_err(internal)?;
    // `out` ends with `}` and the metadata is an object `{...}`: join the two.
    let inner = metadata.trim().trim_start_matches('{');
    if !inner.trim_start().starts_with('}') {
        out.pop();
        out.push(b',');
        out.extend_from_slice(inner.as_bytes());
    }
    Ok(ClientInformation { body: out, client_id: record.client_id.clone() })
}

/// Serializes once into the raw JSON stored and returned.
pub fn to_raw<T: Serialize>(value: &T) -> Result<Box<RawValue>, ApiError> {
    serde_json::value::to_raw_value(value).map_err(internal)
}

pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}
