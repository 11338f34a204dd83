//! `/api/v2/initial-access-tokens`: issue, list and revoke initial access tokens
//! (RFC 7591 §3) through the management API.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::admin::authorize;
use super::body::json_object;
use crate::http::error::{no_store, no_store_json, ManagementError};
use crate::service::state::AppState;
use crate::store::iat::{IatError, InitialAccessToken};

/// Longest lifetime an initial access token may be given: a year.
const MAX_EXPIRES_IN: u64 = 365 * 86_400;

pub async fn create(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    authorize(&req, &state, &["create:initial_access_tokens"])?;
    let body = json_object(&req, payload, state.shared.max_body_bytes).await?;
    for key in body.keys() {
        if !matches!(key.as_str(), "expires_in" | "max_uses" | "policy") {
            return Err(invalid(&format!("{}: unknown field", super::query::ascii(key))));
        }
    }
    let expires_in = match body.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .filter(|s| (1..=MAX_EXPIRES_IN).contains(s))
                .ok_or_else(|| invalid("expires_in: seconds, from 1 to 31536000"))?,
        ),
    };
    let max_uses = match body.get("max_uses") {
        None | Some(Value::Null) => 0,
        Some(v) => {
            v.as_u64().ok_or_else(|| invalid("max_uses: a non-negative integer (0: unlimited)"))?
        }
    };
    let policy = match body.get("policy") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) if state.shared.access.policies.get(name).is_some() => {
            Some(name.clone())
        }
        Some(_) => {
            return Err(invalid(
                "policy: the name of a registration policy configured with --policies",
            ))
        }
    };
    let now = state.shared.clock.now();
    let (token, record) = state
        .shared
        .access
        .tokens
        .issue(now, expires_in, max_uses, policy)
        .await
        .map_err(store_error)?;
    let mut view = describe(&record);
    view.insert("token".into(), token.expose().into());
    Ok(no_store_json(HttpResponse::Created(), Value::Object(view).to_string()))
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    authorize(&req, &state, &["read:initial_access_tokens"])?;
    let tokens = state.shared.access.tokens.list().await.map_err(store_error)?;
    let body = Value::Array(tokens.iter().map(|t| Value::Object(describe(t))).collect());
    Ok(no_store_json(HttpResponse::Ok(), body.to_string()))
}

pub async fn revoke(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    authorize(&req, &state, &["delete:initial_access_tokens"])?;
    if !state.shared.access.tokens.revoke(&path).await.map_err(store_error)? {
        return Err(ManagementError::NoSuchToken);
    }
    let mut response = HttpResponse::NoContent();
    no_store(&mut response);
    Ok(response.finish())
}

/// A token's record as shown: never the token, which exists only in the create response.
fn describe(record: &InitialAccessToken) -> serde_json::Map<String, Value> {
    let view = json!({
        "id": record.id,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "max_uses": record.max_uses,
        "uses": record.uses,
        "policy": record.policy,
    });
    view.as_object().cloned().unwrap_or_default()
}

fn invalid(message: &str) -> ManagementError {
    ManagementError::BadRequest { message: message.to_owned(), code: "invalid_body" }
}

fn store_error(e: IatError) -> ManagementError {
    match e {
        IatError::Store(e) => ManagementError::Unavailable(e),
        other => ManagementError::Internal(other.to_string()),
    }
}
