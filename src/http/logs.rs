//! `GET /api/v2/logs`: the audit events, newest first.

use actix_web::{web, HttpRequest, HttpResponse};

use super::admin::authorize;
use super::query::{ascii, bad_query, boolean, number};
use crate::http::error::{no_store_json, ManagementError};
use crate::http::openapi::{self, ListLogs};
use crate::service::state::AppState;
use crate::store::audit::{AuditError, EventType, LogQuery};

/// `GET /api/v2/logs` (scope `read:logs`): newest first, `page`/`per_page`, filters
/// `type` and `client_id`; with `include_totals`, `{start, limit, length, total, logs}`.
#[utoipa::path(
    get,
    path = "/logs",
    context_path = "/api/v2",
    impl_for = ListLogs,
    operation_id = "listLogs",
    tag = "logs",
    summary = "Read the audit log",
    description = "Audit events newest first, a page at a time, optionally filtered by event type and client.",
    security(("admin_token" = ["read:logs"])),
    params(openapi::LogListQuery),
    responses(
        (status = 200, description = "Events newest first, or with `include_totals=true` a page with totals",
            body = openapi::LogList, content_type = "application/json",
            headers(
                ("Cache-Control" = String, description = "`no-store`"),
                ("Pragma" = String, description = "`no-cache`"),
            )),
        (status = 400, response = openapi::AdminBadRequest),
        (status = 401, response = openapi::AdminUnauthorized),
        (status = 403, response = openapi::AdminForbidden),
        (status = 503, response = openapi::AdminUnavailable),
    ),
)]
pub async fn logs(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ManagementError> {
    authorize(&req, &state, &["read:logs"])?;
    let query: LogQuery = parse_log_query(req.query_string())?;
    query.validate().map_err(audit_error)?;
    let page = state.shared.audit.query(&query).await.map_err(audit_error)?;
    let logs =
        serde_json::to_value(&page.events).map_err(|e| ManagementError::Internal(e.to_string()))?;
    let body = match page.total {
        Some(total) => serde_json::json!({
            "start": page.start,
            "limit": page.limit,
            "length": page.events.len(),
            "total": total,
            "logs": logs,
        }),
        None => logs,
    };
    Ok(no_store_json(HttpResponse::Ok(), body.to_string()))
}

/// Reads the log query by hand so that every refusal names its parameter.
fn parse_log_query(query: &str) -> Result<LogQuery, ManagementError> {
    let mut parsed =
        LogQuery { per_page: crate::store::audit::DEFAULT_PER_PAGE, ..LogQuery::default() };
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "page" => parsed.page = number("page", &value, 0, 1_000_000)?,
            "per_page" => {
                parsed.per_page = number("per_page", &value, 1, crate::store::audit::MAX_PER_PAGE)?
            }
            "include_totals" => parsed.include_totals = boolean("include_totals", &value)?,
            "type" => {
                parsed.r#type = Some(EventType::parse(&value).ok_or_else(|| {
                    bad_query(&format!("type: unknown event type code {}", ascii(&value)))
                })?)
            }
            "client_id" => parsed.client_id = Some(value.into_owned()),
            other => return Err(bad_query(&format!("{}: unknown query parameter", ascii(other)))),
        }
    }
    Ok(parsed)
}

fn audit_error(e: AuditError) -> ManagementError {
    match e {
        AuditError::InvalidQuery(message) => ManagementError::BadRequest {
            message: message.to_owned(),
            code: "invalid_query_string",
        },
        AuditError::Unavailable(cause) => {
            ManagementError::Unavailable(crate::store::StoreError::Unavailable(cause))
        }
    }
}
