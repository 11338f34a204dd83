//! The token endpoint's request: the form (RFC 6749 §3.2) and the client credentials
//! grant (§4.4). The API is named by Auth0's `audience` or RFC 8707's `resource`; the
//! client must hold a grant for it, and gets the scopes it asks for among those granted
//! (all of them when it asks for none).

use serde::Serialize;

use super::access_token::{self, Issue};
use super::client_auth::Client;
pub use super::form::Form;
use super::OAuthError;
use crate::domain::resource_server::{is_scope_token, ClientGrant, ResourceServer};
use crate::domain::vocab::GrantType;
use crate::service::state::AppState;

/// RFC 6749 §5.1.
#[derive(Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub scope: String,
}

/// Grants Registrar's token endpoint leaves to the co-located OpenID Provider: each needs
/// an end user (or a user's token).
const OP_GRANTS: &[&str] = &[
    "authorization_code",
    "refresh_token",
    "password",
    "implicit",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:openid:params:grant-type:ciba",
];

/// `grant_type`: present, and the one grant this endpoint serves.
pub fn check_grant_type(form: &Form) -> Result<(), OAuthError> {
    let Some(grant_type) = form.get("grant_type") else {
        return Err(OAuthError::InvalidRequest("grant_type: required".into()));
    };
    if grant_type != GrantType::ClientCredentials.as_str() {
        let shown = crate::domain::fields::printable_ascii(grant_type, 100);
        return Err(OAuthError::UnsupportedGrantType(if OP_GRANTS.contains(&grant_type) {
            format!(
                "grant_type {shown} involves an end user and is served by the OpenID Provider's token endpoint; this endpoint serves client_credentials only"
            )
        } else {
            format!("grant_type {shown} is not supported; this endpoint serves client_credentials")
        }));
    }
    Ok(())
}

/// The authenticated client registered the grant (RFC 6749 §5.2 `unauthorized_client`).
pub fn check_client(client: &Client) -> Result<(), OAuthError> {
    if !client.may_use(GrantType::ClientCredentials) {
        return Err(OAuthError::UnauthorizedClient(
            "the client did not register the client_credentials grant (grant_types)".into(),
        ));
    }
    Ok(())
}

/// The API named by `audience` or `resource`; both may be sent if they agree.
pub fn audience(form: &Form) -> Result<&str, OAuthError> {
    let audience = match (form.get("audience"), form.get("resource")) {
        (Some(a), Some(r)) if a != r => {
            return Err(OAuthError::InvalidTarget(
                "audience and resource name different APIs".into(),
            ))
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => {
            return Err(OAuthError::InvalidRequest(
                "audience (or resource, RFC 8707) is required: the identifier of the API".into(),
            ))
        }
    };
    // RFC 8707 §2: an absolute URI without a fragment.
    match url::Url::parse(audience) {
        Ok(url) if url.fragment().is_none() => Ok(audience),
        _ => Err(OAuthError::InvalidTarget(
            "the resource must be an absolute URI without a fragment (RFC 8707 2)".into(),
        )),
    }
}

/// Issues an access token for the API the client names.
pub async fn issue(
    state: &AppState,
    client: &Client,
    form: &Form,
    now: i64,
) -> Result<(TokenResponse, String), OAuthError> {
    let audience = audience(form)?;
    let (api, grant) = state.shared.oauth.apis.lookup(&client.client_id, audience).await?;
    let shown = crate::domain::fields::printable_ascii(audience, 200);
    let api: ResourceServer = match api {
        Some(json) => serde_json::from_str(&json).map_err(OAuthError::internal)?,
        None => {
            return Err(OAuthError::InvalidTarget(format!("no API has the identifier {shown}")))
        }
    };
    let grant: ClientGrant = match (grant, policy_grant(state, client, &api)) {
        (Some(json), _) => serde_json::from_str(&json).map_err(OAuthError::internal)?,
        (None, Some(grant)) => grant,
        (None, None) => {
            return Err(OAuthError::InvalidTarget(format!(
                "the client holds no grant for the API {shown}"
            )))
        }
    };
    let scope = granted_scope(form.get("scope"), &grant, &api)?;
    let issue = Issue {
        issuer: &state.shared.issuer,
        client_id: &client.client_id,
        audience: &api.identifier,
        scope: &scope,
        lifetime: api.token_lifetime,
        epoch: &client.epoch,
        alg: &api.signing_alg,
    };
    let access_token = access_token::mint(&state.shared.server_keys, &issue, now)?;
    let response = TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: api.token_lifetime,
        scope: scope.clone(),
    };
    Ok((response, api.identifier))
}

/// The grant the client's registration policy gives it for `api` (`--policies`
/// `api_grants`); an administrator's grant for the same API takes precedence.
fn policy_grant(state: &AppState, client: &Client, api: &ResourceServer) -> Option<ClientGrant> {
    let policy = state.shared.access.policies.get(client.policy.as_deref()?)?;
    let scope = policy.api_grant(&api.identifier)?;
    Some(ClientGrant {
        id: format!("policy:{}", policy.name),
        client_id: client.client_id.clone(),
        audience: api.identifier.clone(),
        scope: scope.to_vec(),
    })
}

/// The requested scopes, each of which must be granted (and still defined by the API);
/// all granted scopes when none are requested.
fn granted_scope(
    requested: Option<&str>,
    grant: &ClientGrant,
    api: &ResourceServer,
) -> Result<String, OAuthError> {
    let allowed = |s: &str| grant.scope.iter().any(|g| g == s) && api.defines(s);
    let Some(requested) = requested else {
        return Ok(grant
            .scope
            .iter()
            .filter(|s| api.defines(s))
            .cloned()
            .collect::<Vec<_>>()
            .join(" "));
    };
    let mut out: Vec<&str> = Vec::new();
    for scope in requested.split(' ').filter(|s| !s.is_empty()) {
        if !is_scope_token(scope) {
            return Err(OAuthError::InvalidScope(
                "scope: not a list of scope tokens (RFC 6749 3.3)".into(),
            ));
        }
        if !allowed(scope) {
            let shown = crate::domain::fields::printable_ascii(scope, 100);
            return Err(OAuthError::InvalidScope(format!(
                "scope {shown} is not granted to this client for the API"
            )));
        }
        if !out.contains(&scope) {
            out.push(scope);
        }
    }
    Ok(out.join(" "))
}
