//! `GET /metrics`: the Prometheus text exposition, behind `--metrics-token` when set.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};

use super::bearer;
use crate::http::error::ApiError;
use crate::http::openapi::{self, MetricsExposition};
use crate::infra::metrics::METRICS_PATH;
use crate::service::state::AppState;

/// The classic text format, with its charset.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[utoipa::path(
    get,
    path = METRICS_PATH,
    impl_for = MetricsExposition,
    operation_id = "metrics",
    tag = "operations",
    summary = "Prometheus metrics (text exposition format 0.0.4)",
    description = "Request counts and latencies by route pattern, registrations, store errors, rate-limit and initial access token refusals, lost audit events. Open unless the server runs with `--metrics-token`; absent with `--no-metrics`.",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "The metrics", content_type = "text/plain", body = String),
        (status = 401, description = "`--metrics-token` is set and the request does not carry it as a bearer token", body = openapi::RegistrationError, content_type = "application/json"),
        (status = 404, description = "Metrics are off (`--no-metrics`)", body = openapi::RegistrationError, content_type = "application/json"),
    ),
)]
/// `GET /metrics`.
pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let Some(metrics) = state.shared.metrics_endpoint() else { return Err(ApiError::NotFound) };
    if metrics.requires_token() && !metrics.token_matches(bearer::token(&req)?.expose()) {
        return Err(ApiError::InvalidToken);
    }
    let body =
        metrics.encode().map_err(|e| ApiError::Internal(format!("encoding metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body))
}
