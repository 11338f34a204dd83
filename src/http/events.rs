//! Audit events built from requests: the caller's address and agent, refused tokens.

use actix_web::http::header;
use actix_web::HttpRequest;

use crate::http::error::{ApiError, ManagementError};
use crate::service::state::AppState;
use crate::store::audit::{Details, Event, EventType};

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
