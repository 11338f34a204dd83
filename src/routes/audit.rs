//! Audit events from requests, and `GET /api/v2/logs`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::management::{ascii, authorize, bad_query, boolean, number};
use crate::audit::{AuditError, Details, Event, EventType, LogQuery};
use crate::error::{no_store_json, ApiError, ManagementError};
use crate::openapi::{self, ListLogs};
use crate::state::AppState;

/// An event of `kind` with the caller's address and user agent. The address is the
/// socket's: forwarded headers are not trusted here.
pub fn event(kind: EventType, req: &HttpRequest) -> Event {
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    let agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok());
    Event::new(kind).with_origin(ip, agent)
}

/// Records a client event: the client, and its name where the request carried one.
pub fn client_event(
    state: &AppState,
    kind: EventType,
    req: &HttpRequest,
    client_id: &str,
    name: Option<&str>,
) {
    state.shared.audit.record_with(kind, || event(kind, req).with_client(client_id, name));
}

/// Records a refused registration access token (RFC 7592), never the token itself.
pub fn token_failure(state: &AppState, req: &HttpRequest, client_id: &str, error: &ApiError) {
    let reason = match error {
        ApiError::MissingToken => "missing",
        ApiError::InvalidToken => "invalid",
        _ => return,
    };
    let kind = EventType::RegistrationTokenFailure;
    state.shared.audit.record_with(kind, || {
        let details = Details::new().with("reason", reason).with("method", req.method().as_str());
        event(kind, req).with_client(client_id, None).with_details(details)
    });
}

/// Records a refused admin token or scope.
pub fn admin_failure(state: &AppState, req: &HttpRequest, error: &ManagementError) {
    let (kind, details) = match error {
        ManagementError::MissingToken => {
            (EventType::AdminTokenFailure, Details::new().with("reason", "missing"))
        }
        ManagementError::InvalidToken => {
            (EventType::AdminTokenFailure, Details::new().with("reason", "invalid"))
        }
        ManagementError::InsufficientScope(scopes) => {
            (EventType::AdminScopeRefused, Details::new().with("required_scope", scopes.as_str()))
        }
        _ => return,
    };
    state.shared.audit.record_with(kind, || {
        let details = details.with("method", req.method().as_str()).with("path", req.path());
        event(kind, req).with_details(details)
    });
}

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
    let mut parsed = LogQuery { per_page: crate::audit::DEFAULT_PER_PAGE, ..LogQuery::default() };
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "page" => parsed.page = number("page", &value, 0, 1_000_000)?,
            "per_page" => {
                parsed.per_page = number("per_page", &value, 1, crate::audit::MAX_PER_PAGE)?
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
