//! Introspection (RFC 7662) and revocation (RFC 7009) of Registrar's access tokens.
//!
//! Who may introspect a token: the client it was issued to, and the clients its API lists
//! in `introspection_client_ids` (the API's own backends, which must check the tokens
//! sent to them). Anyone else learns `active: false`, whatever the token: a client must
//! not learn about other clients' tokens (RFC 7662 §2.1, §4).
//!
//! A token is active when its signature is one of the server's keys, its issuer is this
//! server, it has not expired, it was not revoked, its client still exists and its
//! client's secret is the one it was issued under.

use super::access_token::{self, Claims};
use super::client_auth::{current_epoch, Client};
use super::OAuthError;
use crate::domain::resource_server::ResourceServer;
use crate::service::state::AppState;

/// The claims of an active token the caller may see; `None` for "inactive".
pub async fn introspect(
    state: &AppState,
    caller: &Client,
    token: &str,
    now: i64,
) -> Result<Option<Claims>, OAuthError> {
    let shared = &state.shared;
    let Ok(claims) = access_token::verify(&shared.server_keys, &shared.issuer, token, now) else {
        return Ok(None);
    };
    if claims.client_id != caller.client_id && !is_introspector(state, caller, &claims).await? {
        return Ok(None);
    }
    if shared.oauth.facts.is_revoked(&claims.jti).await? {
        return Ok(None);
    }
    match current_epoch(state, &claims.client_id).await? {
        Some(epoch) if epoch == claims.epoch() => Ok(Some(claims)),
        _ => Ok(None),
    }
}

async fn is_introspector(
    state: &AppState,
    caller: &Client,
    claims: &Claims,
) -> Result<bool, OAuthError> {
    let Some(json) = state.shared.oauth.apis.api(&claims.aud).await? else { return Ok(false) };
    let api: ResourceServer = serde_json::from_str(&json).map_err(OAuthError::internal)?;
    Ok(api.introspection_client_ids.contains(&caller.client_id))
}

/// RFC 7009 §2.1: a client revokes its own tokens; anything that is not a live token of
/// this server is already as good as revoked, and gets the same 200.
pub async fn revoke(
    state: &AppState,
    caller: &Client,
    token: &str,
    now: i64,
) -> Result<(), OAuthError> {
    let shared = &state.shared;
    let Ok(claims) = access_token::verify(&shared.server_keys, &shared.issuer, token, now) else {
        return Ok(());
    };
    if claims.client_id != caller.client_id {
        return Err(OAuthError::UnauthorizedClient(
            "the token was not issued to this client (RFC 7009 2.1)".into(),
        ));
    }
    shared.oauth.facts.revoke(&claims.jti, claims.exp, now).await?;
    Ok(())
}
