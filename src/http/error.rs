//! The one place errors become HTTP: status, RFC 7591 §3.2.2 / RFC 6750 §3 JSON body,
//! and the headers each needs. Handlers return `ApiError`; framework errors (bad JSON,
//! unknown routes) are routed here too, so a client never sees actix's plain text.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, HttpResponseBuilder, ResponseError};
use serde::Serialize;

use crate::domain::fields::printable_ascii;
use crate::domain::MetadataError;
use crate::http::observe::StoreUnavailable;
pub use crate::service::error::{ApiError, ManagementError};
use crate::service::oauth::OAuthError;
use crate::store::StoreError;
use std::borrow::Cow;

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
            | ApiError::PayloadTooLarge(_)
            | ApiError::BodyTimeout(_) => "invalid_request",
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

impl ApiError {
    /// The parts of the response every format shares.
    fn reply(&self) -> Reply {
        let status = match self {
            ApiError::Metadata(_) | ApiError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::MissingToken | ApiError::InvalidToken => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::PolicyLimit(_) => StatusCode::FORBIDDEN,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut reply = Reply::new(status);
        match self {
            ApiError::MissingToken => reply.challenge = Some(r#"Bearer realm="registrar""#.into()),
            ApiError::InvalidToken => {
                reply.challenge = Some(r#"Bearer realm="registrar", error="invalid_token""#.into())
            }
            ApiError::MethodNotAllowed(allow) => reply.allow = Some(allow),
            ApiError::Unavailable(cause) => reply.store_unavailable(cause),
            ApiError::Internal(cause) => reply.internal(cause),
            ApiError::BodyTimeout(_) => reply.close = true,
            ApiError::RateLimited(wait) => {
                // Whole seconds, rounded up (RFC 9110 §10.2.3).
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                reply.retry_after = Some(seconds.max(1).to_string().into());
            }
            _ => {}
        }
        reply
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.reply().status
    }

    fn error_response(&self) -> HttpResponse {
        self.reply()
            .respond(ErrorBody { error: self.code(), error_description: ascii(&self.to_string()) })
    }
}

/// What an error response holds besides its body, whichever of the two formats the body
/// takes: one place for the status, the challenge and retry headers, and the log line.
struct Reply {
    status: StatusCode,
    /// `WWW-Authenticate` (RFC 6750 §3).
    challenge: Option<Cow<'static, str>>,
    retry_after: Option<Cow<'static, str>>,
    allow: Option<&'static str>,
    /// The store was away: the metrics middleware counts it.
    unavailable: bool,
    /// A server-side cause, logged when the response is built and never sent.
    cause: Option<String>,
    /// The rest of the request body may still be on its way: this connection cannot carry
    /// another request.
    close: bool,
}

impl Reply {
    fn new(status: StatusCode) -> Reply {
        Reply {
            status,
            challenge: None,
            retry_after: None,
            allow: None,
            unavailable: false,
            cause: None,
            close: false,
        }
    }

    fn store_unavailable(&mut self, cause: &StoreError) {
        self.cause = Some(cause.to_string());
        self.retry_after = Some(RETRY_AFTER_SECONDS.into());
        self.unavailable = true;
    }

    fn internal(&mut self, cause: &str) {
        self.cause = Some(cause.to_owned());
    }

    fn respond(self, body: impl Serialize) -> HttpResponse {
        match &self.cause {
            Some(cause) if self.unavailable => tracing::warn!(%cause, "store unavailable"),
            Some(cause) => tracing::error!(%cause, "internal error"),
            None => {}
        }
        let mut response = HttpResponse::build(self.status);
        no_store(&mut response);
        if let Some(challenge) = self.challenge {
            response.insert_header((header::WWW_AUTHENTICATE, challenge.into_owned()));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.into_owned()));
        }
        if let Some(allow) = self.allow {
            response.insert_header((header::ALLOW, allow));
        }
        if self.unavailable {
            response.extensions_mut().insert(StoreUnavailable);
        }
        if self.close {
            response.force_close();
        }
        response.json(body)
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
            ManagementError::BodyTimeout(_) => "request_timeout",
            ManagementError::UnsupportedMediaType => "unsupported_media_type",
            ManagementError::Unavailable(_) => "temporarily_unavailable",
            ManagementError::Internal(_) => "server_error",
        }
    }
}

impl ManagementError {
    fn reply(&self) -> Reply {
        let status = match self {
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
            ManagementError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ManagementError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ManagementError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ManagementError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut reply = Reply::new(status);
        match self {
            ManagementError::BodyTimeout(_) => reply.close = true,
            ManagementError::MissingToken => {
                reply.challenge = Some(r#"Bearer realm="management""#.into())
            }
            ManagementError::InvalidToken => {
                reply.challenge = Some(r#"Bearer realm="management", error="invalid_token""#.into())
            }
            ManagementError::InsufficientScope(scopes) => {
                reply.challenge = Some(
                    format!(
                        r#"Bearer realm="management", error="insufficient_scope", scope="{scopes}""#
                    )
                    .into(),
                )
            }
            ManagementError::Unavailable(cause) => reply.store_unavailable(cause),
            ManagementError::Internal(cause) => reply.internal(cause),
            _ => {}
        }
        reply
    }
}

impl ResponseError for ManagementError {
    fn status_code(&self) -> StatusCode {
        self.reply().status
    }

    fn error_response(&self) -> HttpResponse {
        let reply = self.reply();
        let status = reply.status;
        reply.respond(ManagementBody {
            status_code: status.as_u16(),
            error: status.canonical_reason().unwrap_or("Error"),
            message: ascii(&self.to_string()),
            error_code: self.code(),
        })
    }
}

impl OAuthError {
    fn reply(&self) -> Reply {
        let status = match self {
            OAuthError::InvalidClient { .. } => StatusCode::UNAUTHORIZED,
            OAuthError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            OAuthError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            OAuthError::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            OAuthError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            OAuthError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            OAuthError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let mut reply = Reply::new(status);
        match self {
            // RFC 6749 §5.2: a client that tried HTTP authentication gets the challenge.
            OAuthError::InvalidClient { http_auth: true, .. } => {
                reply.challenge = Some(r#"Basic realm="registrar""#.into())
            }
            OAuthError::RateLimited(wait) => {
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                reply.retry_after = Some(seconds.max(1).to_string().into());
            }
            OAuthError::BodyTimeout(_) => reply.close = true,
            OAuthError::Unavailable(cause) => reply.store_unavailable(cause),
            OAuthError::Internal(cause) => reply.internal(cause),
            _ => {}
        }
        reply
    }
}

/// RFC 6749 §5.2 error bodies of the token, introspection and revocation endpoints.
impl ResponseError for OAuthError {
    fn status_code(&self) -> StatusCode {
        self.reply().status
    }

    fn error_response(&self) -> HttpResponse {
        self.reply()
            .respond(ErrorBody { error: self.code(), error_description: ascii(&self.to_string()) })
    }
}
