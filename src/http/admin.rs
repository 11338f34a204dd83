//! Admin tokens on the management API's requests: verified, scope-checked, refusals audited.

use std::time::{Duration, UNIX_EPOCH};

use actix_web::HttpRequest;

use super::bearer;
use super::events;
use crate::http::error::{ApiError, ManagementError};
use crate::service::admin_token::{self, AdminGrant};
use crate::service::management;
use crate::service::state::AppState;

/// Verifies the admin token and that it carries `scopes`; refusals are audited.
pub fn authorize(
    req: &HttpRequest,
    state: &AppState,
    scopes: &[&'static str],
) -> Result<AdminGrant, ManagementError> {
    verify_grant(req, state, scopes).inspect_err(|e| events::admin_failure(state, req, e))
}

fn verify_grant(
    req: &HttpRequest,
    state: &AppState,
    scopes: &[&'static str],
) -> Result<AdminGrant, ManagementError> {
    let presented = bearer::token(req).map_err(|e| match e {
        ApiError::MissingToken => ManagementError::MissingToken,
        _ => ManagementError::InvalidToken,
    })?;
    let now = UNIX_EPOCH + Duration::from_secs(state.shared.clock.now().max(0) as u64);
    let grant = admin_token::verify(
        &state.shared.server_keys,
        &state.shared.issuer,
        presented.expose(),
        now,
    )
    .map_err(|e| {
        tracing::debug!(error = %e, "admin token refused");
        ManagementError::InvalidToken
    })?;
    management::require(&grant, scopes)?;
    Ok(grant)
}
