//! `/healthz`: the process answers. `/readyz`: and so does its store.

use actix_web::{web, HttpResponse};

use crate::http::error::ApiError;
use crate::http::openapi::{self, Liveness, Readiness};
use crate::service::state::AppState;
use crate::store::ClientStore;

#[utoipa::path(
    get,
    path = "/healthz",
    impl_for = Liveness,
    operation_id = "liveness",
    tag = "operations",
    summary = "Liveness: the process answers",
    responses(
        (status = 200, description = "`{\"status\": \"ok\"}`", body = openapi::HealthStatus,
            content_type = "application/json"),
    ),
)]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

#[utoipa::path(
    get,
    path = "/readyz",
    impl_for = Readiness,
    operation_id = "readiness",
    tag = "operations",
    summary = "Readiness: the process and its store answer",
    responses(
        (status = 200, description = "`{\"status\": \"ready\"}`", body = openapi::HealthStatus,
            content_type = "application/json"),
        (status = 503, response = openapi::RegistrationUnavailable),
    ),
)]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.store.ping().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
