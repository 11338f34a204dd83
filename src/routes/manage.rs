//! `GET`, `PUT`, `DELETE /oidc/register/{client_id}` (RFC 7592 §2, OIDC DCR §4).

use actix_web::http::header::ContentType;
use actix_web::{web, HttpRequest, HttpResponse};

use super::bearer;
use super::body::json_object;
use crate::error::{no_store, ApiError};
use crate::registration::{self, ClientInformation};
use crate::state::AppState;

pub async fn get(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = bearer::token(&req)?;
    let info = registration::read(&state, &path, &token).await?;
    Ok(ok(info))
}

pub async fn put(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = bearer::token(&req)?;
    let body = json_object(&req, payload, state.shared.max_body_bytes).await;
    let info = registration::replace(&state, &path, &token, body).await?;
    Ok(ok(info))
}

pub async fn delete(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = bearer::token(&req)?;
    registration::delete(&state, &path, &token).await?;
    let mut response = HttpResponse::NoContent();
    no_store(&mut response);
    Ok(response.finish())
}

fn ok(info: ClientInformation) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    no_store(&mut response);
    response.content_type(ContentType::json()).body(info.0)
}
