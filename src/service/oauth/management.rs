//! `/api/v2/resource-servers` and `/api/v2/client-grants`: the APIs tokens are issued for,
//! and which client may get which of their scopes. A grant names an existing client and
//! API, and only scopes the API defines; deleting an API deletes its grants.

use serde_json::{Map, Value};

use crate::domain::resource_server::{
    check_scopes, grant_patch, BodyError, ClientGrant, GrantRequest, ResourceServer,
};
use crate::service::error::ManagementError;
use crate::service::state::AppState;
use crate::store::ClientStore;

/// A lost compare-and-set means a concurrent change; a few tries settle it.
const MAX_ATTEMPTS: usize = 3;

fn bad(e: BodyError) -> ManagementError {
    ManagementError::BadRequest { message: e.0, code: "invalid_body" }
}

fn internal(e: impl std::fmt::Display) -> ManagementError {
    ManagementError::Internal(e.to_string())
}

fn random_id(prefix: &str) -> Result<String, ManagementError> {
    let token = crate::credentials::generate_access_token().map_err(internal)?;
    Ok(format!("{prefix}{}", &token.expose()[..20]))
}

/// The server must hold a key for the API's algorithm.
fn check_alg(state: &AppState, api: &ResourceServer) -> Result<(), ManagementError> {
    if state.shared.server_keys.token_signer(&api.signing_alg).is_none() {
        return Err(bad(BodyError(format!(
            "signing_alg: the server's key set (made by an earlier version) has no {} key",
            api.signing_alg
        ))));
    }
    Ok(())
}

pub async fn create_api(
    state: &AppState,
    body: &Map<String, Value>,
) -> Result<ResourceServer, ManagementError> {
    let api = ResourceServer::create(random_id("api_")?, body).map_err(bad)?;
    check_alg(state, &api)?;
    let json = serde_json::to_string(&api).map_err(internal)?;
    if !state.shared.oauth.apis.create_api(&api.id, &api.identifier, &json).await? {
        return Err(ManagementError::Conflict(format!(
            "identifier: an API with the identifier {} already exists",
            crate::domain::fields::printable_ascii(&api.identifier, 200)
        )));
    }
    Ok(api)
}

pub async fn list_apis(state: &AppState) -> Result<Vec<ResourceServer>, ManagementError> {
    let mut apis: Vec<ResourceServer> = state
        .shared
        .oauth
        .apis
        .list_apis()
        .await?
        .iter()
        .map(|json| serde_json::from_str(json).map_err(internal))
        .collect::<Result<_, _>>()?;
    apis.sort_by(|a, b| a.identifier.cmp(&b.identifier));
    Ok(apis)
}

/// The API with this id (or, as Auth0 allows, this identifier), and its stored JSON.
async fn load_api(state: &AppState, id: &str) -> Result<(ResourceServer, String), ManagementError> {
    let apis = &state.shared.oauth.apis;
    let identifier = match apis.api_identifier(id).await? {
        Some(identifier) => identifier,
        None => id.to_owned(),
    };
    let json = apis.api(&identifier).await?.ok_or(ManagementError::NoSuch("resource server"))?;
    Ok((serde_json::from_str(&json).map_err(internal)?, json))
}

pub async fn get_api(state: &AppState, id: &str) -> Result<ResourceServer, ManagementError> {
    Ok(load_api(state, id).await?.0)
}

pub async fn update_api(
    state: &AppState,
    id: &str,
    body: &Map<String, Value>,
) -> Result<ResourceServer, ManagementError> {
    for _ in 0..MAX_ATTEMPTS {
        let (mut api, current) = load_api(state, id).await?;
        api.patch(body).map_err(bad)?;
        check_alg(state, &api)?;
        let json = serde_json::to_string(&api).map_err(internal)?;
        if state.shared.oauth.apis.replace_api(&api.identifier, &current, &json).await? {
            return Ok(api);
        }
    }
    Err(internal("the API kept changing during the update"))
}

pub async fn delete_api(state: &AppState, id: &str) -> Result<ResourceServer, ManagementError> {
    let (api, _) = load_api(state, id).await?;
    if !state.shared.oauth.apis.delete_api(&api.id).await? {
        return Err(ManagementError::NoSuch("resource server"));
    }
    Ok(api)
}

pub async fn create_grant(
    state: &AppState,
    body: &Map<String, Value>,
) -> Result<ClientGrant, ManagementError> {
    let request = GrantRequest::parse(body).map_err(bad)?;
    if state.store.get(&request.client_id).await?.is_none() {
        return Err(bad(BodyError("client_id: no such client".into())));
    }
    let Some(api) = state.shared.oauth.apis.api(&request.audience).await? else {
        return Err(bad(BodyError("audience: no API has this identifier".into())));
    };
    let api: ResourceServer = serde_json::from_str(&api).map_err(internal)?;
    check_scopes(&api, &request.scope).map_err(bad)?;
    let grant = ClientGrant {
        id: random_id("cgr_")?,
        client_id: request.client_id,
        audience: request.audience,
        scope: request.scope,
    };
    let json = serde_json::to_string(&grant).map_err(internal)?;
    let apis = &state.shared.oauth.apis;
    if !apis.create_grant(&grant.id, &grant.client_id, &grant.audience, &json).await? {
        return Err(ManagementError::Conflict(
            "the client already holds a grant for this audience; PATCH it instead".into(),
        ));
    }
    Ok(grant)
}

/// Grants, optionally only those for one audience or one client.
pub async fn list_grants(
    state: &AppState,
    audience: Option<&str>,
    client_id: Option<&str>,
) -> Result<Vec<ClientGrant>, ManagementError> {
    let mut grants: Vec<ClientGrant> = Vec::new();
    for json in state.shared.oauth.apis.list_grants().await? {
        let grant: ClientGrant = serde_json::from_str(&json).map_err(internal)?;
        if audience.is_none_or(|a| a == grant.audience)
            && client_id.is_none_or(|c| c == grant.client_id)
        {
            grants.push(grant);
        }
    }
    grants.sort_by(|a, b| (&a.audience, &a.client_id).cmp(&(&b.audience, &b.client_id)));
    Ok(grants)
}

async fn load_grant(state: &AppState, id: &str) -> Result<(ClientGrant, String), ManagementError> {
    let json =
        state.shared.oauth.apis.grant(id).await?.ok_or(ManagementError::NoSuch("client grant"))?;
    Ok((serde_json::from_str(&json).map_err(internal)?, json))
}

pub async fn update_grant(
    state: &AppState,
    id: &str,
    body: &Map<String, Value>,
) -> Result<ClientGrant, ManagementError> {
    let scope = grant_patch(body).map_err(bad)?;
    for _ in 0..MAX_ATTEMPTS {
        let (grant, current) = load_grant(state, id).await?;
        let Some(api) = state.shared.oauth.apis.api(&grant.audience).await? else {
            return Err(ManagementError::NoSuch("client grant"));
        };
        let api: ResourceServer = serde_json::from_str(&api).map_err(internal)?;
        check_scopes(&api, &scope).map_err(bad)?;
        let grant = ClientGrant { scope: scope.clone(), ..grant };
        let json = serde_json::to_string(&grant).map_err(internal)?;
        if state.shared.oauth.apis.replace_grant(id, &current, &json).await? {
            return Ok(grant);
        }
    }
    Err(internal("the grant kept changing during the update"))
}

pub async fn delete_grant(state: &AppState, id: &str) -> Result<ClientGrant, ManagementError> {
    let (grant, _) = load_grant(state, id).await?;
    let apis = &state.shared.oauth.apis;
    if !apis.delete_grant(id, &grant.client_id, &grant.audience).await? {
        return Err(ManagementError::NoSuch("client grant"));
    }
    Ok(grant)
}
