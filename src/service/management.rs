//! The management API's operations on clients (Auth0's `/api/v2/clients`), over the same
//! store and records as registration: one client, two views. Metadata members with a
//! settings counterpart are edited in the metadata itself, so RFC 7592 reads see them.

use serde_json::{Map, Value};

use crate::credentials::{generate_secret, ClientSecret, NewCredentials};
use crate::domain::client_patch::{
    parse_client_patch, required_scopes, ClientPatch, Operation, PatchError,
};
use crate::domain::members;
use crate::domain::settings::{settings_view, AdminSettings};
use crate::domain::vocab::AuthMethod;
use crate::service::admin_token::AdminGrant;
use crate::service::client_info::to_raw;
use crate::service::clients::{decode, ClientRecord, Clients, Stored};
use crate::service::error::ManagementError;
use crate::service::state::AppState;
use crate::store::{ClientStore, ListCursor, Snapshot};

/// Draws of a new client ID before giving up (a taken ID needs 2^64 clients).
const MAX_DRAWS: usize = 3;
pub const DEFAULT_PER_PAGE: usize = 50;
pub const MAX_PER_PAGE: usize = 100;
/// Listing with filters reads the store in chunks of this many clients.
const SCAN_CHUNK: usize = 500;

/// Registration metadata of a client an administrator creates, before the body's fields.
fn default_metadata() -> Map<String, Value> {
    let defaults = serde_json::json!({
        "redirect_uris": [],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code"],
        "response_types": ["code"],
        "application_type": "web",
        "id_token_signed_response_alg": "RS256",
        "subject_type": "public",
        "require_auth_time": false,
    });
    defaults.as_object().cloned().unwrap_or_default()
}

/// Which optional parts a response shows.
pub struct Visibility {
    pub secret: bool,
}

impl Visibility {
    pub fn for_grant(grant: &AdminGrant) -> Self {
        Visibility { secret: grant.has("read:client_keys") }
    }
}

pub async fn create(
    state: &AppState,
    grant: &AdminGrant,
    body: &Map<String, Value>,
) -> Result<Map<String, Value>, ManagementError> {
    let defaults = default_metadata();
    require(grant, &required_scopes(body))?;
    let patch = parse_client_patch(body, Operation::Create, &defaults, &Map::new()).map_err(bad)?;
    require(grant, &patch.required_scopes)?;
    let mut metadata = defaults;
    merge(&mut metadata, &patch.metadata);
    check_capabilities(state, &metadata)?;
    let mut admin = AdminSettings {
        is_first_party: patch.is_first_party.unwrap_or(true),
        ..Default::default()
    };
    merge(&mut admin.fields, &patch.admin);
    let clients = Clients::new(state);
    for _ in 0..MAX_DRAWS {
        let client_id = NewCredentials::generate().map_err(internal)?.client_id;
        let secret = next_secret(&metadata, None, &patch)?;
        let record = ClientRecord {
            secret: clients.seal_secret(secret.as_ref(), &client_id)?,
            client_id,
            rat: None,
            issued_at: state.shared.clock.now(),
            secret_expires_at: 0,
            manageable: true,
            metadata: to_raw(&metadata)?,
            admin: admin.clone(),
            policy: None,
            awaiting_first_use: false,
            software_key: None,
        };
        if clients.create(&record).await? {
            return view(&record, secret.as_ref(), &Visibility::for_grant(grant));
        }
    }
    Err(ManagementError::Internal("could not allocate a unique client_id".into()))
}

pub async fn get(
    state: &AppState,
    grant: &AdminGrant,
    client_id: &str,
) -> Result<Map<String, Value>, ManagementError> {
    let clients = Clients::new(state);
    let Stored { record, .. } = found(clients.get(client_id).await?)?;
    let secret = clients.open_secret(&record)?;
    view(&record, secret.as_ref(), &Visibility::for_grant(grant))
}

pub async fn update(
    state: &AppState,
    grant: &AdminGrant,
    client_id: &str,
    body: &Map<String, Value>,
) -> Result<Map<String, Value>, ManagementError> {
    require(grant, &required_scopes(body))?;
    let clients = Clients::new(state);
    let current = found(clients.get(client_id).await?)?;
    let (record, secret) = clients
        .modify("update", current, found, |current: ClientRecord| {
            let mut metadata = metadata_of(&current)?;
            let current_view = settings_view(client_id, &metadata, &current.admin);
            let patch = parse_client_patch(body, Operation::Update, &metadata, &current_view)
                .map_err(bad)?;
            require(grant, &patch.required_scopes)?;
            merge(&mut metadata, &patch.metadata);
            check_capabilities(state, &metadata)?;
            let mut admin = current.admin.clone();
            merge(&mut admin.fields, &patch.admin);
            if let Some(first_party) = patch.is_first_party {
                admin.is_first_party = first_party;
            }
            let secret = next_secret(&metadata, clients.open_secret(&current)?, &patch)?;
            let record = ClientRecord {
                secret: clients.seal_secret(secret.as_ref(), client_id)?,
                metadata: to_raw(&metadata)?,
                admin,
                awaiting_first_use: false,
                // A changed client no longer answers to an idempotent registration.
                software_key: None,
                ..current
            };
            Ok((record, secret))
        })
        .await?;
    view(&record, secret.as_ref(), &Visibility::for_grant(grant))
}

/// Issues a new secret at once; the old one stops working with this write.
pub async fn rotate_secret(
    state: &AppState,
    grant: &AdminGrant,
    client_id: &str,
) -> Result<Map<String, Value>, ManagementError> {
    let clients = Clients::new(state);
    let current = found(clients.get(client_id).await?)?;
    let (record, secret) = clients
        .modify("rotation", current, found, |current: ClientRecord| {
            let secret = generate_secret().map_err(internal)?;
            let sealed = clients.seal_secret(Some(&secret), client_id)?;
            Ok((ClientRecord { secret: sealed, ..current }, secret))
        })
        .await?;
    view(&record, Some(&secret), &Visibility::for_grant(grant))
}

/// Deletes the client; its registration access token dies with it.
pub async fn delete(state: &AppState, client_id: &str) -> Result<(), ManagementError> {
    Clients::new(state).remove(client_id, found).await.map(drop)
}

/// A page of the listing; `total` counts every client that passes the filter.
pub struct Page {
    pub clients: Vec<Map<String, Value>>,
    /// Where each client of the page comes from, beside its settings view.
    pub provenance: Vec<Provenance>,
    pub total: usize,
}

/// When a client was created or registered, and the software that registered it (RFC 7591
/// `software_id` and `software_version`), which the settings view does not show.
pub struct Provenance {
    /// Unix seconds.
    pub created_at: i64,
    pub software_id: Option<String>,
    pub software_version: Option<String>,
}

impl Provenance {
    fn of(record: &ClientRecord) -> Provenance {
        #[derive(serde::Deserialize)]
        struct Software {
            software_id: Option<String>,
            software_version: Option<String>,
        }
        let software = serde_json::from_str::<Software>(record.metadata.get()).ok();
        let (software_id, software_version) =
            software.map_or((None, None), |s| (s.software_id, s.software_version));
        Provenance { created_at: record.issued_at, software_id, software_version }
    }
}

pub struct ListQuery {
    pub page: usize,
    pub per_page: usize,
    pub app_types: Option<Vec<String>>,
    pub is_first_party: Option<bool>,
    /// Only clients whose name or client_id contains this, ignoring case (the console's
    /// search box).
    pub search: Option<String>,
}

pub async fn list(
    state: &AppState,
    grant: &AdminGrant,
    query: &ListQuery,
) -> Result<Page, ManagementError> {
    let visibility = Visibility::for_grant(grant);
    let start = query.page.saturating_mul(query.per_page);
    let mut page = Page { clients: Vec::new(), provenance: Vec::new(), total: 0 };
    if query.app_types.is_none() && query.is_first_party.is_none() && query.search.is_none() {
        let (records, total) = state.store.list(start, query.per_page).await?;
        for snapshot in &records {
            let (client, provenance) = view_snapshot(state, snapshot, &visibility)?;
            page.clients.push(client);
            page.provenance.push(provenance);
        }
        page.total = total;
        return Ok(page);
    }
    // Filters need the settings view: read the store in creation order and keep the
    // matching clients of the requested page, counting them all.
    let search = query.search.as_deref().map(str::to_lowercase);
    let mut cursor = Some(ListCursor::default());
    while let Some(at) = cursor {
        let (records, next) = state.store.list_from(&at, SCAN_CHUNK).await?;
        for snapshot in &records {
            let (client, provenance) = view_snapshot(state, snapshot, &visibility)?;
            if !passes(&client, query) || !matches_search(&client, search.as_deref()) {
                continue;
            }
            if page.total >= start && page.clients.len() < query.per_page {
                page.clients.push(client);
                page.provenance.push(provenance);
            }
            page.total += 1;
        }
        cursor = next;
    }
    Ok(page)
}

fn matches_search(client: &Map<String, Value>, search: Option<&str>) -> bool {
    let Some(search) = search else { return true };
    ["name", "client_id"].iter().any(|key| {
        client.get(*key).and_then(Value::as_str).is_some_and(|v| v.to_lowercase().contains(search))
    })
}

fn passes(client: &Map<String, Value>, query: &ListQuery) -> bool {
    let app_type = client.get("app_type").and_then(Value::as_str).unwrap_or_default();
    let type_ok = query.app_types.as_ref().is_none_or(|types| types.iter().any(|t| t == app_type));
    let party_ok = query
        .is_first_party
        .is_none_or(|want| client.get("is_first_party").and_then(Value::as_bool) == Some(want));
    type_ok && party_ok
}

fn view_snapshot(
    state: &AppState,
    snapshot: &Snapshot,
    visibility: &Visibility,
) -> Result<(Map<String, Value>, Provenance), ManagementError> {
    let record = decode(snapshot)?;
    let secret = if visibility.secret { Clients::new(state).open_secret(&record)? } else { None };
    Ok((view(&record, secret.as_ref(), visibility)?, Provenance::of(&record)))
}

/// The management API's answer to a client that is not there.
fn found(read: Option<Stored>) -> Result<Stored, ManagementError> {
    read.ok_or(ManagementError::NotFound)
}

fn metadata_of(record: &ClientRecord) -> Result<Map<String, Value>, ManagementError> {
    serde_json::from_str(record.metadata.get()).map_err(internal)
}

/// The settings view, with the secret where the caller may see it.
fn view(
    record: &ClientRecord,
    secret: Option<&ClientSecret>,
    visibility: &Visibility,
) -> Result<Map<String, Value>, ManagementError> {
    let metadata = metadata_of(record)?;
    let mut out = settings_view(&record.client_id, &metadata, &record.admin);
    if let (true, Some(secret)) = (visibility.secret, secret) {
        out.insert("client_secret".into(), secret.expose().into());
    }
    Ok(out)
}

/// The secret after a change: an administrator's choice, else the current one while the
/// auth method uses a secret, else a new one when it newly does, else none.
fn next_secret(
    metadata: &Map<String, Value>,
    current: Option<ClientSecret>,
    patch: &ClientPatch,
) -> Result<Option<ClientSecret>, ManagementError> {
    let method = metadata
        .get("token_endpoint_auth_method")
        .and_then(Value::as_str)
        .and_then(AuthMethod::parse)
        .unwrap_or(crate::domain::vocab::DEFAULT_AUTH_METHOD);
    if let Some(chosen) = &patch.client_secret {
        return Ok(Some(ClientSecret::from_plaintext(chosen.clone())));
    }
    if !method.uses_secret() {
        return Ok(None);
    }
    match current {
        Some(secret) => Ok(Some(secret)),
        None => Ok(Some(generate_secret().map_err(internal)?)),
    }
}

/// Applies member changes: `null` removes a member. `client_metadata` merges key by key,
/// as Auth0's PATCH does, so one key can change without resending the others.
fn merge(target: &mut Map<String, Value>, changes: &Map<String, Value>) {
    for (key, value) in changes {
        match (key.as_str(), target.get_mut(key), value) {
            ("client_metadata", Some(Value::Object(current)), Value::Object(keys)) => {
                merge(current, keys);
            }
            (_, _, Value::Null) => {
                target.remove(key);
            }
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Refuses the request unless the token carries every scope named.
pub fn require(grant: &AdminGrant, scopes: &[&'static str]) -> Result<(), ManagementError> {
    let missing: Vec<&str> = scopes.iter().copied().filter(|s| !grant.has(s)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ManagementError::InsufficientScope(missing.join(" ")))
    }
}

/// Mapped settings an administrator turns on must be ones the deployment honours, as at
/// registration (docs/metadata-registry.md).
fn check_capabilities(
    state: &AppState,
    metadata: &Map<String, Value>,
) -> Result<(), ManagementError> {
    members::settings::check_capabilities(metadata, &state.shared.policy.capabilities)
        .map_err(|(field, message)| bad(PatchError { field, message }))
}

fn bad(e: PatchError) -> ManagementError {
    ManagementError::BadRequest { message: e.to_string(), code: "invalid_body" }
}

fn internal(e: impl std::fmt::Display) -> ManagementError {
    ManagementError::Internal(e.to_string())
}
