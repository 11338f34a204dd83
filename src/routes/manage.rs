//! `GET`, `PUT`, `DELETE /oidc/register/{client_id}` (RFC 7592 §2, OIDC DCR §4).

use actix_web::http::header::ContentType;
use actix_web::{web, HttpRequest, HttpResponse};

use super::audit;
use super::bearer;
use super::body::json_object;
use crate::audit::EventType;
use crate::error::{no_store, ApiError};
use crate::registration::{self, ClientInformation};
use crate::state::AppState;

pub async fn get(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = bearer::token(&req)?;
        registration::read(&state, &path, &token).await
    }
    .await;
    let info = audited(&state, &req, &path, EventType::RegistrationRead, result, None)?;
    Ok(ok(info))
}

pub async fn put(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&req, payload, state.shared.max_body_bytes).await;
    let name = body.as_ref().ok().and_then(|b| b.get("client_name")?.as_str().map(str::to_owned));
    let result = async {
        let token = bearer::token(&req)?;
        registration::replace(&state, &path, &token, body).await
    }
    .await;
    let info =
        audited(&state, &req, &path, EventType::RegistrationUpdate, result, name.as_deref())?;
    Ok(ok(info))
}

pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = bearer::token(&req)?;
        registration::delete(&state, &path, &token).await
    }
    .await;
    audited(&state, &req, &path, EventType::RegistrationDelete, result, None)?;
    let mut response = HttpResponse::NoContent();
    no_store(&mut response);
    Ok(response.finish())
}

fn ok(info: ClientInformation) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    no_store(&mut response);
    response.content_type(ContentType::json()).body(info.body)
}

/// Records the outcome: the operation, or a refused token. Other failures (bad metadata,
/// store outages) are the caller's to read in the response, not audit events.
fn audited<T>(
    state: &AppState,
    req: &HttpRequest,
    client_id: &str,
    kind: EventType,
    result: Result<T, ApiError>,
    name: Option<&str>,
) -> Result<T, ApiError> {
    match &result {
        Ok(_) => audit::client_event(state, kind, req, client_id, name),
        Err(error) => audit::token_failure(state, req, client_id, error),
    }
    result
}
