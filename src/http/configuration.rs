//! `GET`, `PUT`, `DELETE /oidc/register/{client_id}` (RFC 7592 §2, OIDC DCR §4).

use actix_web::{web, HttpRequest, HttpResponse};

use super::bearer;
use super::body::json_object;
use super::events;
use crate::http::error::{no_store, no_store_json, ApiError};
use crate::http::openapi::{self, DeleteRegistration, ReadRegistration, UpdateRegistration};
use crate::service::client_info::ClientInformation;
use crate::service::configuration;
use crate::service::state::AppState;
use crate::store::audit::EventType;

#[utoipa::path(
    get,
    path = "/{client_id}",
    context_path = super::REGISTRATION_PATH,
    impl_for = ReadRegistration,
    operation_id = "readRegistration",
    tag = "registration",
    summary = "Read a registration (RFC 7592 §2.1)",
    description = "The client's current registration, to the holder of its registration access token. Unknown and deleted clients answer `401` like a wrong token, so clients cannot be enumerated.",
    params(("client_id" = String, Path, description = "The client's `client_id`")),
    security(("registration_access_token" = [])),
    responses(
        (status = 200, description = "The client information response (RFC 7592 §3)",
            body = openapi::ClientInformationResponse, content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 401, response = openapi::RegistrationUnauthorized),
        (status = 403, response = openapi::RegistrationForbidden),
        (status = 503, response = openapi::RegistrationUnavailable),
    ),
)]
pub async fn get(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = bearer::token(&req)?;
        configuration::read(&state, &path, &token).await
    }
    .await;
    let info = audited(&state, &req, &path, EventType::RegistrationRead, result, None)?;
    Ok(ok(info))
}

#[utoipa::path(
    put,
    path = "/{client_id}",
    context_path = super::REGISTRATION_PATH,
    impl_for = UpdateRegistration,
    operation_id = "updateRegistration",
    tag = "registration",
    summary = "Replace a registration (RFC 7592 §2.2)",
    description = "Replaces the client's metadata with the body's; nothing changes unless everything validates. The token is checked before the body, so strangers learn nothing about their request. The registration access token stays the same unless the server runs with `--rotate-registration-access-token`.",
    params(("client_id" = String, Path, description = "The client's `client_id`")),
    security(("registration_access_token" = [])),
    request_body(content = openapi::ClientUpdateRequest, content_type = "application/json",
        description = "The full client metadata, with `client_id`"),
    responses(
        (status = 200, description = "Updated: the client information response (RFC 7592 §3)",
            body = openapi::ClientInformationResponse, content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 400, response = openapi::RegistrationBadRequest),
        (status = 401, response = openapi::RegistrationUnauthorized),
        (status = 403, response = openapi::RegistrationForbidden),
        (status = 413, response = openapi::RegistrationPayloadTooLarge),
        (status = 415, response = openapi::RegistrationUnsupportedMediaType),
        (status = 503, response = openapi::RegistrationUnavailable),
    ),
)]
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
        configuration::replace(&state, &path, &token, body).await
    }
    .await;
    let info =
        audited(&state, &req, &path, EventType::RegistrationUpdate, result, name.as_deref())?;
    Ok(ok(info))
}

#[utoipa::path(
    delete,
    path = "/{client_id}",
    context_path = super::REGISTRATION_PATH,
    impl_for = DeleteRegistration,
    operation_id = "deleteRegistration",
    tag = "registration",
    summary = "Delete a registration (RFC 7592 §2.3)",
    description = "Deletes the client; its registration access token and credentials stop working at once.",
    params(("client_id" = String, Path, description = "The client's `client_id`")),
    security(("registration_access_token" = [])),
    responses(
        (status = 204, description = "Deleted",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 401, response = openapi::RegistrationUnauthorized),
        (status = 403, response = openapi::RegistrationForbidden),
        (status = 503, response = openapi::RegistrationUnavailable),
    ),
)]
pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = bearer::token(&req)?;
        configuration::delete(&state, &path, &token).await
    }
    .await;
    audited(&state, &req, &path, EventType::RegistrationDelete, result, None)?;
    let mut response = HttpResponse::NoContent();
    no_store(&mut response);
    Ok(response.finish())
}

fn ok(info: ClientInformation) -> HttpResponse {
    no_store_json(HttpResponse::Ok(), info.body)
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
        Ok(_) => events::client_event(state, kind, req, client_id, name),
        Err(error) => events::token_failure(state, req, client_id, error),
    }
    result
}
