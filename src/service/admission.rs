//! Whether a registration may proceed, decided before its body is read: the registration
//! mode, the rate limits (per source IP and global, shared through Redis), and the initial
//! access token (RFC 7591 §3), which is only checked here and consumed once the
//! registration is known to be valid.

use std::net::IpAddr;
use std::sync::Arc;

use crate::credentials::AccessToken;
use crate::domain::policy::Policy;
use crate::domain::policy::RegistrationMode;
use crate::infra::metrics::RateScope;
use crate::service::error::ApiError;
use crate::service::state::AppState;
use crate::store::iat::{InitialAccessToken, Refusal};

/// A registration let through the door.
pub struct Admission {
    pub ip: IpAddr,
    /// The initial access token presented, to consume when the registration succeeds.
    pub token: Option<(AccessToken, InitialAccessToken)>,
    /// The registration policy to follow: the token's, or the anonymous one.
    pub policy: Option<Arc<Policy>>,
}

/// Decides on a registration from its source address and the bearer token it presented
/// (`ApiError::MissingToken` when it sent none), in the order that costs an outsider most:
/// a closed door first, then the rate limits, then the token.
pub async fn admit(
    state: &AppState,
    ip: IpAddr,
    presented: Result<AccessToken, ApiError>,
) -> Result<Admission, ApiError> {
    let access = &state.shared.access;
    if access.mode == RegistrationMode::Closed {
        return Err(ApiError::Forbidden("registration is closed on this server"));
    }
    let metrics = &state.shared.metrics;
    let refused = |scope| {
        move |wait| {
            metrics.rate_limited(scope);
            ApiError::RateLimited(wait)
        }
    };
    if let Some(limit) = access.per_ip {
        let key = format!("ip:{ip}");
        access.limiter.check(&key, limit).await?.map_err(refused(RateScope::PerIp))?;
    }
    if let Some(limit) = access.global {
        access.limiter.check("global", limit).await?.map_err(refused(RateScope::Global))?;
    }
    let token = match presented {
        // RFC 6750 §3.1: a token that is required but absent gets a bare challenge.
        Err(ApiError::MissingToken) if access.mode == RegistrationMode::Token => {
            metrics.initial_access_token_refused();
            return Err(ApiError::MissingToken);
        }
        Err(ApiError::MissingToken) => None,
        Err(e) => {
            metrics.initial_access_token_refused();
            return Err(e);
        }
        // A token presented in open mode must still be a valid one: a client that sends
        // a wrong token expects to be told.
        Ok(token) => Some(check(state, token, false).await?),
    };
    let policy = match &token {
        None => access.policies.anonymous().cloned(),
        Some((_, record)) => match &record.policy {
            None => None,
            Some(name) => Some(access.policies.get(name).cloned().ok_or_else(|| {
                tracing::error!(policy = %name, "an initial access token names an unknown policy");
                ApiError::Forbidden("the registration policy of this initial access token is not configured on this server")
            })?),
        },
    };
    Ok(Admission { ip, token, policy })
}

/// Takes one use of the admission's token, atomically; a token used up meanwhile refuses
/// the registration.
pub async fn consume(state: &AppState, admission: &Admission) -> Result<(), ApiError> {
    match &admission.token {
        Some((token, _)) => check(state, token.clone(), true).await.map(drop),
        None => Ok(()),
    }
}

/// Gives a use back after a registration that failed once its token was consumed.
pub async fn refund(state: &AppState, admission: &Admission) {
    if let Some((token, _)) = &admission.token {
        if let Err(e) = state.shared.access.tokens.refund(token).await {
            tracing::warn!(error = %e, "could not refund an initial access token use");
        }
    }
}

async fn check(
    state: &AppState,
    token: AccessToken,
    consume: bool,
) -> Result<(AccessToken, InitialAccessToken), ApiError> {
    let now = state.shared.clock.now();
    let checked =
        state.shared.access.tokens.check(&token, now, consume).await.map_err(|e| match e {
            crate::store::iat::IatError::Store(e) => ApiError::Unavailable(e),
            other => ApiError::Internal(other.to_string()),
        })?;
    match checked {
        Ok(record) => Ok((token, record)),
        Err(Refusal::Unknown | Refusal::Expired | Refusal::UsedUp) => {
            state.shared.metrics.initial_access_token_refused();
            Err(ApiError::InvalidToken)
        }
    }
}
