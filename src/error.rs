//! The one place errors become HTTP: status, RFC 7591 §3.2.2 / RFC 6750 §3 JSON body,
//! and the headers each needs. Handlers return `ApiError`; framework errors (bad JSON,
//! unknown routes) are routed here too, so a client never sees actix's plain text.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use serde::Serialize;

use crate::domain::fields::printable_ascii;
use crate::domain::MetadataError;
use crate::observe::StoreUnavailable;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 with an RFC 7591 §3.2.2 code.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// 400 `invalid_request`: not a JSON object, or a field RFC 7592 §2.2 forbids.
    #[error("{0}")]
    InvalidRequest(String),
    /// 415 `invalid_request`: the body is not `application/json`.
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// 413 `invalid_request`.
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// 401 with `WWW-Authenticate: Bearer` and no error code: no credentials were sent
    /// (RFC 6750 §3.1).
    #[error("a bearer token is required")]
    MissingToken,
    /// 401 `invalid_token`: one answer for a wrong token, another client's token, an
    /// unknown or deleted client, so clients cannot be enumerated (RFC 7592 §2.1).
    #[error("the access token is not valid for this client")]
    InvalidToken,
    /// 403: the client may not manage itself (RFC 7592 §2.1), or registration is closed.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 403: a registration policy's client limit is reached.
    #[error("{0}")]
    PolicyLimit(String),
    /// 429 with `Retry-After`: over a registration rate limit.
    #[error("too many registrations; retry in {} s", .0.as_secs().max(1))]
    RateLimited(std::time::Duration),
    #[error("no such resource")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed(&'static str),
    /// 503 with `Retry-After`: the store is away; nothing was written.
    #[error("the service is temporarily unavailable")]
    Unavailable(#[from] StoreError),
    /// 500: a bug or a broken invariant; the cause is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: String,
}

/// Seconds a client should wait before retrying when the store is away.
const RETRY_AFTER_SECONDS: &str = "1";

impl ApiError {
    fn code(&self) -> &'static str {
        match self {
            ApiError::Metadata(MetadataError::InvalidRedirectUri(_)) => "invalid_redirect_uri",
            ApiError::Metadata(MetadataError::InvalidClientMetadata(_)) => {
                "invalid_client_metadata"
            }
            ApiError::Metadata(MetadataError::InvalidSoftwareStatement(_)) => {
                "invalid_software_statement"
            }
            ApiError::Metadata(MetadataError::UnapprovedSoftwareStatement(_)) => {
                "unapproved_software_statement"
            }
            ApiError::InvalidRequest(_)
            | ApiError::UnsupportedMediaType
            | ApiError::PayloadTooLarge(_) => "invalid_request",
            ApiError::MissingToken | ApiError::InvalidToken => "invalid_token",
            ApiError::Forbidden(_) | ApiError::PolicyLimit(_) => "access_denied",
            ApiError::RateLimited(_) => "too_many_requests",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed(_) => "invalid_request",
            ApiError::Unavailable(_) => "temporarily_unavailable",
            ApiError::Internal(_) => "server_error",
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Metadata(_) | ApiError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MissingToken | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::PolicyLimit(_) => StatusCode::FORBIDDEN,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "store unavailable"),
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        no_store(&mut response);
        match self {
            ApiError::MissingToken => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="registrar""#));
            }
            ApiError::InvalidToken => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    r#"Bearer realm="registrar", error="invalid_token""#,
                ));
            }
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, *allow));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
                response.extensions_mut().insert(StoreUnavailable);
            }
            ApiError::RateLimited(wait) => {
                // Whole seconds, rounded up (RFC 9110 §10.2.3).
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                response.insert_header((header::RETRY_AFTER, seconds.max(1).to_string()));
            }
            _ => {}
        }
        response.json(ErrorBody { error: self.code(), error_description: ascii(&self.to_string()) })
    }
}

/// Every response of the registration endpoints may carry credentials: keep it out of
/// caches (RFC 7591 §3.2.1 and RFC 7592 §3 examples; RFC 6749 §5.1).
pub fn no_store(response: &mut HttpResponseBuilder) {
    response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
    response.insert_header((header::PRAGMA, HeaderValue::from_static("no-cache")));
}

/// A JSON response kept out of caches: every successful response of the registration and
/// management endpoints goes through here.
pub fn no_store_json<B>(mut response: HttpResponseBuilder, body: B) -> HttpResponse
where
    B: actix_web::body::MessageBody + 'static,
{
    no_store(&mut response);
    response.content_type(header::ContentType::json()).body(body)
}

/// RFC 7591 §3.2.2: `error_description` is ASCII.
fn ascii(text: &str) -> String {
    printable_ascii(text, usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_ascii_only() {
        assert_eq!(ascii("client_name#日本: bad\n"), "client_name#??: bad?");
    }
}

/// Errors of the management API, in its own format (Auth0's Management API):
/// `{"statusCode", "error", "message", "errorCode"}`, the message naming the field.
#[derive(Debug, thiserror::Error)]
pub enum ManagementError {
    /// 400: the body or query string breaks a rule; `errorCode` says which part.
    #[error("{message}")]
    BadRequest { message: String, code: &'static str },
    /// 401 with `WWW-Authenticate: Bearer`: no token.
    #[error("missing authentication: send an admin token as a bearer token")]
    MissingToken,
    /// 401: expired, malformed, unsigned or foreign token. The reason is logged only.
    #[error("invalid token")]
    InvalidToken,
    /// 403: the token lacks a scope this request needs.
    #[error("insufficient scope, expected all of: {0}")]
    InsufficientScope(String),
    #[error("the client does not exist")]
    NotFound,
    #[error("no such initial access token")]
    NoSuchToken,
    /// 404 for the other management resources (resource servers, client grants).
    #[error("no such {0}")]
    NoSuch(&'static str),
    /// 409: the new resource would duplicate an existing one.
    #[error("{0}")]
    Conflict(String),
    #[error("request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    #[error("the service is temporarily unavailable")]
    Unavailable(#[from] StoreError),
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ManagementBody<'a> {
    status_code: u16,
    error: &'a str,
    message: String,
    error_code: &'a str,
}

impl ManagementError {
    fn code(&self) -> &'static str {
        match self {
            ManagementError::BadRequest { code, .. } => code,
            ManagementError::MissingToken => "missing_token",
            ManagementError::InvalidToken => "invalid_token",
            ManagementError::InsufficientScope(_) => "insufficient_scope",
            ManagementError::NotFound => "inexistent_client",
            ManagementError::NoSuchToken => "inexistent_initial_access_token",
            ManagementError::NoSuch("resource server") => "inexistent_resource_server",
            ManagementError::NoSuch(_) => "inexistent_client_grant",
            ManagementError::Conflict(_) => "conflict",
            ManagementError::PayloadTooLarge(_) => "payload_too_large",
            ManagementError::UnsupportedMediaType => "unsupported_media_type",
            ManagementError::Unavailable(_) => "temporarily_unavailable",
            ManagementError::Internal(_) => "server_error",
        }
    }
}

impl ResponseError for ManagementError {
    fn status_code(&self) -> StatusCode {
        match self {
            ManagementError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ManagementError::MissingToken | ManagementError::InvalidToken => {
                StatusCode::UNAUTHORIZED
            }
            ManagementError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            ManagementError::NotFound
            | ManagementError::NoSuchToken
            | ManagementError::NoSuch(_) => StatusCode::NOT_FOUND,
            ManagementError::Conflict(_) => StatusCode::CONFLICT,
            ManagementError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ManagementError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ManagementError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ManagementError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ManagementError::Unavailable(cause) => tracing::warn!(%cause, "store unavailable"),
            ManagementError::Internal(cause) => tracing::error!(%cause, "internal error"),
            _ => {}
        }
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        no_store(&mut response);
        match self {
            ManagementError::MissingToken => {
                response.insert_header((header::WWW_AUTHENTICATE, r#"Bearer realm="management""#));
            }
            ManagementError::InvalidToken => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    r#"Bearer realm="management", error="invalid_token""#,
                ));
            }
            ManagementError::InsufficientScope(scopes) => {
                let challenge = format!(
                    r#"Bearer realm="management", error="insufficient_scope", scope="{scopes}""#
                );
                response.insert_header((header::WWW_AUTHENTICATE, challenge));
            }
            ManagementError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECONDS));
                response.extensions_mut().insert(StoreUnavailable);
            }
            _ => {}
        }
        response.json(ManagementBody {
            status_code: status.as_u16(),
            error: status.canonical_reason().unwrap_or("Error"),
            message: ascii(&self.to_string()),
            error_code: self.code(),
        })
    }
}

/// Body-reading failures share the RFC 7591 path; here they take the management format.
impl From<ApiError> for ManagementError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::PayloadTooLarge(limit) => ManagementError::PayloadTooLarge(limit),
            ApiError::UnsupportedMediaType => ManagementError::UnsupportedMediaType,
            ApiError::Unavailable(cause) => ManagementError::Unavailable(cause),
            ApiError::Internal(cause) => ManagementError::Internal(cause),
            other => {
                ManagementError::BadRequest { message: other.to_string(), code: "invalid_body" }
            }
        }
    }
}
