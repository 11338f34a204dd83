//! `POST /oidc/register` (RFC 7591 §3.1, OIDC DCR §3.1).

use actix_web::http::header::ContentType;
use actix_web::{web, HttpRequest, HttpResponse};

use super::audit;
use super::body::json_object;
use crate::audit::EventType;
use crate::error::{no_store, ApiError};
use crate::registration;
use crate::state::AppState;

pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = json_object(&req, payload, state.shared.max_body_bytes).await?;
    let info = registration::register(&state, &body).await?;
    let name = body.get("client_name").and_then(serde_json::Value::as_str);
    audit::client_event(&state, EventType::Registration, &req, &info.client_id, name);
    let mut response = HttpResponse::Created();
    no_store(&mut response);
    Ok(response.content_type(ContentType::json()).body(info.body))
}
