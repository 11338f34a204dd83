//! `/healthz`: the process answers. `/readyz`: and so does its store.

use actix_web::{web, HttpResponse};

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ClientStore;

pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.store.ping().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
